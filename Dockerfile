# syntax=docker/dockerfile:1
# WPL application image: gunicorn by default; the same image runs the celery worker and beat
# (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy

# WeasyPrint runtime libraries + fonts; gettext for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        gettext \
    && rm -rf /var/lib/apt/lists/*

RUN pip install uv

WORKDIR /app

# Dependencies first, so this layer is cached as long as the lock file does not change.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

ENV PATH="/app/.venv/bin:$PATH" \
    DJANGO_SETTINGS_MODULE=wpl.settings.production \
    WPL_VAR_DIR=/app/var \
    MEDIA_ROOT=/app/var/media

COPY . .

# Build-time only: production settings refuse to load without SECRET_KEY, so give these two
# commands a throwaway one (scoped to this RUN, not persisted in the image environment).
# compilemessages fails when the project has no locale directory at all, hence the guard.
RUN export SECRET_KEY=build-only-dummy-key-not-used-at-runtime \
    && if find . -path ./.venv -prune -o -type d -name locale -print | grep -q .; then \
           python manage.py compilemessages --ignore=.venv; \
       else \
           echo "No locale directories; skipping compilemessages"; \
       fi \
    && python manage.py collectstatic --noinput

# Non-root runtime user. The media and beat directories exist (owned by wpl) so named
# volumes mounted there inherit that ownership.
RUN groupadd --system --gid 1000 wpl \
    && useradd --system --uid 1000 --gid wpl --home-dir /app --no-create-home wpl \
    && mkdir -p /app/var/media /app/beat \
    && chown -R wpl:wpl /app/var /app/beat

USER wpl

EXPOSE 8000

# No HEALTHCHECK here: worker and beat reuse this image and serve no HTTP. The web service's
# health check (against /health/) is declared in docker-compose.yml.
CMD ["gunicorn", "wpl.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
