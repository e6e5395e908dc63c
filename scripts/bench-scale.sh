#!/usr/bin/env bash
# Scale benchmarks (issue 14): catalogue pages at 50,000 students on PostgreSQL, matching
# at 1k/3k/10k students. Needs DATABASE_URL=postgres://...; the benchmark creates and
# drops a database of its own on that server. One JSON object per line on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=wpl.settings.test
.venv/bin/python -m bench.scale "$@"
