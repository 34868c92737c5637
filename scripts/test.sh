#!/usr/bin/env bash
# The whole suite: lint, unit tests on SQLite, the same on PostgreSQL, then the browser tests.
# scripts/test.sh e2e  runs only the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export CHIBO_TESTING=1 PYTHONDONTWRITEBYTECODE=1
PY=.venv/bin/python
only="${1:-all}"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if [ "$only" = all ]; then
  step "ruff"
  .venv/bin/ruff check chibo tests bench
  step "no missing migrations"
  env -u DATABASE_URL -u DB $PY -m chibo makemigrations --check --dry-run
  step "deploy check in production mode (CHIBO_HTTPS=1)"
  # A fresh process with production's environment only: no test, demo or debug flags.
  env -u CHIBO_TESTING -u CHIBO_DEBUG -u CHIBO_DEMO -u DATABASE_URL -u DB \
    CHIBO_HTTPS=1 CHIBO_ALLOWED_HOSTS=chibo.example.gov.vn CHIBO_EMAIL_HOST=mail.example.gov.vn \
    CHIBO_SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(60))')" \
    CHIBO_VAR_DIR="$(mktemp -d)" $PY -m chibo check --deploy --fail-level WARNING
  # The two runs side by side, one per core (CI has two): each writes its own log, printed
  # when both are done; the step fails if either does.
  step "unit tests on SQLite and on PostgreSQL, side by side"
  url=$(bash scripts/pg.sh)
  logs=$(mktemp -d)
  # Each its own var folder (uploads, exports, backups): neither sees the other's files.
  mkdir -p "$logs/var-sqlite" "$logs/var-pg"
  env -u DATABASE_URL -u DB CHIBO_VAR_DIR="$logs/var-sqlite" \
    $PY -m pytest -q -m "not e2e" chibo tests >"$logs/sqlite.log" 2>&1 & sqlite_pid=$!
  DATABASE_URL="$url" CHIBO_VAR_DIR="$logs/var-pg" \
    $PY -m pytest -q -m "not e2e" chibo tests >"$logs/pg.log" 2>&1 & pg_pid=$!
  (while sleep 300; do echo "[chibo] unit tests still running ($(date +%H:%M))"; done) & ticker=$!
  rc=0
  wait $sqlite_pid || rc=1
  step "unit tests on SQLite"; cat "$logs/sqlite.log"
  wait $pg_pid || rc=1
  step "unit tests on PostgreSQL"; cat "$logs/pg.log"
  kill $ticker 2>/dev/null || true
  rm -rf "$logs"
  [ $rc = 0 ] || { echo "[chibo] unit tests failed (see above)" >&2; exit 1; }
fi
step "end-to-end browser tests (Debian chromium)"
env -u DATABASE_URL -u DB $PY -m pytest -q -m e2e tests/e2e
