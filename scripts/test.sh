#!/usr/bin/env bash
# The whole suite: lint, migrations check, then pytest (SQLite, or DATABASE_URL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-services.sh
export REDIS_TEST_URL=${REDIS_TEST_URL:-${REDIS_URL:-redis://127.0.0.1:6379/15}}
echo "== compilemessages"
.venv/bin/python manage.py compilemessages --ignore=.venv --ignore=.tools -v0
echo "== ruff"
.venv/bin/ruff check .
echo "== import contracts (lint-imports)"
.venv/bin/lint-imports --no-cache
echo "== makemigrations --check"
DJANGO_SETTINGS_MODULE=wpl.settings.test .venv/bin/python manage.py makemigrations --check --dry-run
echo "== pytest (database: ${DATABASE_URL:-sqlite})"
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" "$@"
