# Two commands for a newcomer: `make run` (demo) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := .tools/bin/uv

.PHONY: run test bench bench-scale loadtest setup setup-dev lint messages check-deploy clean

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)." % sys.version.split()[0])'
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

setup: $(UV)
	@bash scripts/system-deps.sh runtime
	$(UV) sync --frozen --no-dev --python $(PYTHON)

setup-dev: $(UV)
	@bash scripts/system-deps.sh test
	$(UV) sync --frozen --python $(PYTHON)

run: setup
	@bash scripts/run.sh

test: setup-dev
	@bash scripts/test.sh

bench: setup-dev
	@bash scripts/bench.sh

# Slow (minutes), PostgreSQL only: DATABASE_URL=postgres://... make bench-scale
bench-scale: setup-dev
	@bash scripts/bench-scale.sh

# Installs wrk from Debian if needed; DATABASE_URL=postgres://... make loadtest
loadtest: setup-dev
	@bash scripts/loadtest.sh

lint: setup-dev
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

messages: setup-dev
	$(PY) manage.py makemessages -l nl -l en -l fr --ignore=.venv --ignore=.tools --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv --ignore=.tools

check-deploy: setup
	SECRET_KEY=$$(openssl rand -hex 32) ALLOWED_HOSTS=wpl.example.org DJANGO_SETTINGS_MODULE=wpl.settings.production $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf var/broker var/celerybeat-schedule* var/staticfiles
