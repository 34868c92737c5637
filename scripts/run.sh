#!/usr/bin/env bash
# `make run`: the development server and the background worker side by side (imports of large
# rolls, the clean-up of uploads). Ctrl-C (or SIGTERM) stops both; if either stops, so does the
# other.
set -euo pipefail
CHIBO=${CHIBO:-.venv/bin/chibo}
PORT=${PORT:-8000}
export CHIBO_DEMO=1

"$CHIBO" worker --interval 1 &
worker=$!
"$CHIBO" runserver "127.0.0.1:$PORT" &
server=$!

stop() {
  trap - INT TERM EXIT
  kill -TERM "$server" "$worker" 2>/dev/null || true
  wait "$server" "$worker" 2>/dev/null || true
}
trap stop INT TERM EXIT
wait -n "$server" "$worker"
