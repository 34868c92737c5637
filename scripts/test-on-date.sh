#!/usr/bin/env bash
# The SQLite unit suite as if today were DATE: the whole process runs under Debian's faketime
# (so nothing can read the real calendar) and the tests' own clock travels to the same day.
# Usage: scripts/test-on-date.sh YYYY-MM-DD [pytest args]
#        scripts/test-on-date.sh after-tet YYYY [pytest args]   (the first working day after
#        that year's Tết holiday, as chibo's working-day calculator gives it)
set -euo pipefail
cd "$(dirname "$0")/.."
die() { printf '\033[1;31m[chibo] %s\033[0m\n' "$*" >&2; exit 2; }
[ $# -ge 1 ] || die "Cách dùng / usage: scripts/test-on-date.sh YYYY-MM-DD | after-tet YYYY"
bash scripts/setup.sh test
PY=.venv/bin/python
if [ "$1" = after-tet ]; then
  [ $# -ge 2 ] || die "after-tet cần năm / needs a year"
  day=$(CHIBO_TESTING=1 $PY -c 'import sys; from chibo.core.workdays import first_working_day_after_tet as f; print(f(int(sys.argv[1])))' "$2")
  shift 2
else
  day="$1"; shift
fi
$PY -c 'import datetime, sys; datetime.date.fromisoformat(sys.argv[1])' "$day" 2>/dev/null \
  || die "Ngày không hợp lệ / not a date: $day (YYYY-MM-DD)"
if ! command -v faketime >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "Thiếu faketime / missing: sudo apt-get install -y faketime"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends faketime >/dev/null \
    || { DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
         DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends faketime >/dev/null; }
fi
printf '\033[1m== unit tests on SQLite as of %s\033[0m\n' "$day"
export CHIBO_TESTING=1 PYTHONDONTWRITEBYTECODE=1 CHIBO_TEST_TODAY="$day" FAKETIME_DONT_FAKE_MONOTONIC=1
exec env -u DATABASE_URL -u DB faketime -f "@$day 09:00:00" $PY -m pytest -q -m "not e2e" "$@" chibo tests
