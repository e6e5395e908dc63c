#!/usr/bin/env bash
# Load test (issue 14): gunicorn, 2 workers, PostgreSQL (DATABASE_URL), demo data plus
# 50,000 students; 30 s of 8 clients against / and /students/ with wrk, which is
# installed from Debian when missing. JSON lines on stdout. See bench/loadtest.py.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null 2>&1; then
    echo "# installing wrk (Debian package)" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >&2
fi
.venv/bin/python -m bench.loadtest "$@"
