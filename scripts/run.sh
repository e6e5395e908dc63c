#!/usr/bin/env bash
# The demo: SQLite, demo data, the web app on :8000 (or $PORT) and a Celery worker with its
# beat scheduler on the embedded (filesystem) broker. Safe to run again; stopping it (Ctrl-C,
# or a TERM to this script) stops the web server and the worker together.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
CELERY=.venv/bin/celery
PORT=${PORT:-8000}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-wpl.settings}
VAR_DIR=${WPL_VAR_DIR:-var}
mkdir -p "$VAR_DIR"
LOG="$VAR_DIR/worker.log"

# compilemessages stops with an error when there is no catalogue at all (fresh checkout).
if command -v msgfmt >/dev/null &&
  [ -n "$(find . -path ./.venv -prune -o -path ./.tools -prune -o -name '*.po' -print -quit)" ]; then
  $PY manage.py compilemessages --ignore=.venv --ignore=.tools -v0
fi
$PY manage.py migrate --noinput -v0
$PY manage.py createcachetable -v0
$PY manage.py seed_demo # prints the demo logins

pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The worker runs the beat scheduler too (schedule file: CELERY_BEAT_SCHEDULE_FILENAME).
$CELERY -A wpl worker --beat --loglevel=INFO --concurrency=1 >"$LOG" 2>&1 &
pids+=($!)
# Run the periodic sweep once now, so the start pages show background work right away.
$CELERY -A wpl call wpl.tasks.sweep_institutions >/dev/null 2>>"$LOG" &
pids+=($!)
echo "Background worker and scheduler started (log: $LOG)."
echo "Open http://127.0.0.1:$PORT and sign in with one of the demo logins above."

# In the background and waited for, so a signal to this script is handled at once.
# No autoreloader: its child process would outlive a stopped demo.
$PY manage.py runserver --noreload "127.0.0.1:$PORT" &
web=$!
pids=("$web" "${pids[@]}")
wait "$web"
