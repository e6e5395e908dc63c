#!/usr/bin/env bash
# Benchmarks: one JSON object per line on stdout; progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=wpl.settings.test
.venv/bin/python -m bench "$@"
