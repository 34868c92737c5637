#!/usr/bin/env bash
# Prints a DATABASE_URL for a running PostgreSQL, starting the machine's cluster if needed.
# Uses $TEST_DATABASE_URL when given. As root it starts the Debian cluster (pg_ctlcluster) and
# creates a role and database 'chibo' through runuser -u postgres (initdb refuses root).
set -euo pipefail
if [ -n "${TEST_DATABASE_URL:-}" ]; then echo "$TEST_DATABASE_URL"; exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "[chibo] Set TEST_DATABASE_URL=postgres://user:pw@host:port/db (a role allowed to CREATE DATABASE)" >&2
  exit 1
fi
ver=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1{print $1}')
[ -n "$ver" ] || { pg_createcluster 15 main >/dev/null; ver=15; }
name=$(pg_lsclusters -h | awk 'NR==1{print $2}'); port=$(pg_lsclusters -h | awk 'NR==1{print $3}')
status=$(pg_lsclusters -h | awk 'NR==1{print $4}')
if [ "$status" != online ]; then pg_ctlcluster "$ver" "$name" start >&2; fi
for _ in $(seq 1 30); do runuser -u postgres -- pg_isready -q -p "$port" && break; sleep 0.5; done
runuser -u postgres -- psql -q -p "$port" -tAc "SELECT 1 FROM pg_roles WHERE rolname='chibo'" | grep -q 1 \
  || runuser -u postgres -- psql -q -p "$port" -c "CREATE ROLE chibo LOGIN SUPERUSER PASSWORD 'chibo'" >&2
runuser -u postgres -- psql -q -p "$port" -tAc "SELECT 1 FROM pg_database WHERE datname='chibo'" | grep -q 1 \
  || runuser -u postgres -- psql -q -p "$port" -c "CREATE DATABASE chibo OWNER chibo" >&2
echo "postgres://chibo:chibo@127.0.0.1:${port}/chibo"
