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
  step "unit tests on SQLite"
  env -u DATABASE_URL -u DB $PY -m pytest -q -m "not e2e" chibo tests
  step "unit tests on PostgreSQL"
  url=$(bash scripts/pg.sh)
  DATABASE_URL="$url" $PY -m pytest -q -m "not e2e" chibo tests
fi
step "end-to-end browser tests (Debian chromium)"
env -u DATABASE_URL -u DB $PY -m pytest -q -m e2e tests/e2e
