#!/usr/bin/env bash
# Benchmarks (never part of the test run). Results go to stdout; copy them to docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
base=$(bash scripts/pg.sh)
url="${base%/*}/chibo_bench"
runuser -u postgres -- psql -q -tAc "SELECT 1 FROM pg_database WHERE datname='chibo_bench'" | grep -q 1 \
  || runuser -u postgres -- psql -q -c "CREATE DATABASE chibo_bench OWNER chibo"
export DATABASE_URL="$url" CHIBO_DEMO=1
.venv/bin/chibo migrate --noinput -v 0
$PY bench/tree_national.py "$@"
