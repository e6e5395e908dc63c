#!/usr/bin/env bash
# The demo: SQLite, demo data, the web app on :8000 and a Celery worker with its beat
# scheduler on the embedded (filesystem) broker. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-wpl.settings}
mkdir -p var
if command -v msgfmt >/dev/null; then
  $PY manage.py compilemessages --ignore=.venv --ignore=.tools -v0
fi
$PY manage.py migrate --noinput -v0
$PY manage.py createcachetable
$PY manage.py seed_demo

.venv/bin/celery -A wpl worker --beat --loglevel=INFO --concurrency=1 \
  --schedule var/celerybeat-schedule >var/worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null; wait $worker 2>/dev/null' EXIT INT TERM
echo "Background worker and scheduler started (log: var/worker.log)."
echo "Open http://127.0.0.1:8000 and sign in with one of the demo logins above."
$PY manage.py runserver 127.0.0.1:${PORT:-8000}
