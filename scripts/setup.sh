#!/usr/bin/env bash
# Installs what chibo needs into .venv. Usage: scripts/setup.sh [run|test]
# Finds a Python >= 3.12 itself; installs Debian packages with apt-get when root,
# otherwise prints the exact command and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-run}"

say() { printf '\033[1m[chibo]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[chibo] %s\033[0m\n' "$*" >&2; exit 1; }

find_python() {
  local c
  for c in "${PYTHON:-}" python3.13 python3.12 \
           /root/.pyenv/versions/3.13*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3 \
           "$HOME"/.pyenv/versions/3.13*/bin/python3 "$HOME"/.pyenv/versions/3.12*/bin/python3 \
           /usr/local/bin/python3 /usr/bin/python3 python3; do
    [ -n "$c" ] || continue
    command -v "$c" >/dev/null 2>&1 || [ -x "$c" ] || continue
    if "$c" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      command -v "$c" 2>/dev/null || echo "$c"; return 0
    fi
  done
  return 1
}

need_debs=()
pkg-config --exists icu-i18n 2>/dev/null || need_debs+=(pkg-config libicu-dev)
command -v gcc >/dev/null 2>&1 || need_debs+=(build-essential)
if [ "$purpose" = test ]; then
  [ -x /usr/bin/chromium ] || need_debs+=(chromium)
  # The browser tests' server and scripts/test-on-date.sh run on a chosen day.
  command -v faketime >/dev/null 2>&1 || need_debs+=(faketime)
  command -v pg_ctlcluster >/dev/null 2>&1 || [ -n "${DATABASE_URL:-}" ] || need_debs+=(postgresql)
fi
[ -d /usr/share/fonts/truetype/liberation ] || need_debs+=(fonts-liberation)
# WeasyPrint (PDF documents) renders through Pango.
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || need_debs+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ ${#need_debs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "Cài gói hệ thống / installing system packages: ${need_debs[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_debs[@]}" >/dev/null
  else
    die "Thiếu gói hệ thống / missing system packages. Run: sudo apt-get install -y ${need_debs[*]}"
  fi
fi

py=$(find_python) || die "Cần Python >= 3.12 / Python >= 3.12 is required and none was found.
Install one (e.g. 'apt-get install python3.12' or pyenv) or set PYTHON=/path/to/python3.12."

if [ -x .venv/bin/python ] && ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then
  say "Tạo lại .venv (Python cũ) / recreating .venv"; rm -rf .venv
fi
if [ ! -x .venv/bin/python ]; then
  say "Tạo môi trường ảo / creating virtual environment with $("$py" --version)"
  "$py" -m venv .venv
fi

reqs=requirements.txt; stamp=.venv/.stamp-run
if [ "$purpose" = test ]; then reqs=requirements-dev.txt; stamp=.venv/.stamp-test; fi
if [ ! -f "$stamp" ] || [ requirements.txt -nt "$stamp" ] || [ requirements-dev.txt -nt "$stamp" ] \
   || [ pyproject.toml -nt "$stamp" ]; then
  say "Cài thư viện / installing Python packages ($reqs)"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$reqs"
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
  touch "$stamp"
fi
