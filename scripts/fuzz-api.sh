#!/usr/bin/env bash
# Runs schemathesis (from PyPI) against a live server started with --demo on a fresh SQLite
# file, using the served OpenAPI document, with a staff token. Fails on any 5xx.
# EXAMPLES sets the examples per operation (default 40).
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES="${EXAMPLES:-40}"
PORT="${PORT:-18181}"
WORK="$(mktemp -d)"
trap 'kill "${SERVER_PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

if ! command -v schemathesis >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check "schemathesis==4.32.5"
fi

cargo build --locked --quiet
RIGHTSDESK_DATABASE_URL="sqlite://$WORK/fuzz.db" RIGHTSDESK_LOG=warn RIGHTSDESK_SUBMIT_LIMIT=1000000 RIGHTSDESK_TOKEN_GUESS_LIMIT=1000000 \
    ./target/debug/rightsdesk serve --demo --bind "127.0.0.1:$PORT" > "$WORK/demo.txt" 2> "$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 1 50); do
    curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break
    sleep 0.2
done
password=$(awk '$1 == "staff" { print $3 }' "$WORK/demo.txt")
token=$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/token" -H 'content-type: application/json' \
    -d "{\"email\":\"staff@satama.example\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

schemathesis run "http://127.0.0.1:$PORT/openapi.json" \
    --checks not_a_server_error \
    --max-examples "$EXAMPLES" \
    --header "Authorization: Bearer $token" \
    --no-color 2>&1 | tee "$WORK/report.txt" | tail -n 40 || { grep -B2 -A25 "Schema Error\|FAILURES\|ERRORS" "$WORK/report.txt" | head -80; exit 1; }
if grep -q "status=5[0-9][0-9]" "$WORK/server.log"; then
    echo "the server logged a 5xx:"; grep "status=5[0-9][0-9]" "$WORK/server.log" | head
    exit 1
fi
