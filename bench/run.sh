#!/usr/bin/env bash
# Benchmarks (never part of the test run). Results go to stdout; copy them to docs/performance.md.
#   bash bench/run.sh            all: the national tree and members on PostgreSQL, a province on SQLite
#   bash bench/run.sh tree|members-pg|members-sqlite|meetings-pg|meetings-3g|exports
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
which="${1:-all}"
pg_bench() {
  base=$(bash scripts/pg.sh)
  url="${base%/*}/chibo_bench"
  runuser -u postgres -- psql -q -tAc "SELECT 1 FROM pg_database WHERE datname='chibo_bench'" | grep -q 1 \
    || runuser -u postgres -- psql -q -c "CREATE DATABASE chibo_bench OWNER chibo"
  export DATABASE_URL="$url" CHIBO_DEMO=1
  .venv/bin/chibo migrate --noinput -v 0
}
if [ "$which" = all ] || [ "$which" = tree ]; then
  (pg_bench; $PY bench/tree_national.py)
fi
if [ "$which" = all ] || [ "$which" = members-pg ]; then
  (pg_bench; $PY bench/members_bench.py)
fi
if [ "$which" = all ] || [ "$which" = meetings-pg ]; then
  (pg_bench; $PY bench/meetings_bench.py)
fi
if [ "$which" = all ] || [ "$which" = meetings-3g ]; then
  $PY bench/meetings_3g.py
fi
if [ "$which" = all ] || [ "$which" = exports ]; then
  $PY bench/exports_bench.py
fi
if [ "$which" = all ] || [ "$which" = members-sqlite ]; then
  var=$(mktemp -d)
  (unset DATABASE_URL DB; export CHIBO_VAR_DIR="$var" CHIBO_DEMO=1
   .venv/bin/chibo migrate --noinput -v 0; $PY bench/members_bench.py)
  rm -rf "$var"
fi
