#!/usr/bin/env bash
# Measures rightsdesk on this machine and prints the figures (a benchmark, not a test).
# Needs wrk (apt-get install wrk) and builds the release binary.
#   DURATION=15 CONCURRENCY=32 SEED=1000000 bash scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-15}"
CONCURRENCY="${CONCURRENCY:-32}"
SEED="${SEED:-1000000}"
PORT="${PORT:-18282}"
WORK="$(mktemp -d "${BENCH_DIR:-$PWD/target}/rdbench.XXXXXX")"
trap 'kill "${PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }

cargo build --release --locked --quiet
BIN="${CARGO_TARGET_DIR:-./target}/release/rightsdesk"
URL="http://127.0.0.1:$PORT"

start_server() {  # $1: database file, then serve's flags; sets PID and START_MS (start to first answer)
    local t0 t1
    t0=$(date +%s%N)
    RIGHTSDESK_DATABASE_URL="sqlite://$1" RIGHTSDESK_LOG=warn RIGHTSDESK_SUBMIT_LIMIT=1000000 RIGHTSDESK_BIND="127.0.0.1:$PORT" RIGHTSDESK_OUTBOX_DIR="$WORK/outbox" \
        "$BIN" serve "${@:2}" >> "$WORK/demo.txt" 2> "$WORK/server.log" &
    PID=$!
    until curl -sf "$URL/health" > /dev/null; do sleep 0.005; done
    t1=$(date +%s%N)
    START_MS=$(( (t1 - t0) / 1000000 ))
}
stop_server() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=0; }
token_for() {
    local pw
    pw=$(awk -v r="$1" '$1 == r { print $3 }' "$WORK/demo.txt")
    curl -sf -X POST "$URL/api/v1/auth/token" -H 'content-type: application/json' \
        -d "{\"email\":\"$1@satama.example\",\"password\":\"$pw\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
wrk_summary() {  # prints requests/s, p99 and non-2xx from wrk --latency output on stdin
    awk '/Requests\/sec/ { rps = $2 } / 99%/ { p99 = $2 } / 50%/ { p50 = $2 }
         /Non-2xx/ { bad = $5 } END { printf "%s req/s, p50 %s, p99 %s, non-2xx %s\n", rps, p50, p99, (bad == "" ? 0 : bad) }'
}

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
BENCH_DIR="$WORK" python3 benches/fsync_limit.py 300

echo "== fresh SQLite database, --demo"
start_server "$WORK/a.db" --demo
echo "start to first answer: ${START_MS} ms (new database: migrations and demo data included)"
stop_server
start_server "$WORK/a.db"
echo "start to first answer, existing database: ${START_MS} ms"
sleep 1
echo "idle memory (RSS): $(awk '/VmRSS/ { printf "%.1f MB", $2 / 1024 }' /proc/$PID/status)"

echo "== GET /health, concurrency $CONCURRENCY, ${DURATION}s"
wrk -t2 -c"$CONCURRENCY" -d"${DURATION}s" --latency "$URL/health" | wrk_summary
echo "== POST /api/v1/requests (public, durable), concurrency $CONCURRENCY, ${DURATION}s"
wrk -t2 -c"$CONCURRENCY" -d"${DURATION}s" --latency -s benches/submit.lua "$URL/api/v1/requests" | wrk_summary
staff=$(token_for staff)
stored=$(curl -sf "$URL/api/v1/requests?limit=1" -H "Authorization: Bearer $staff" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
echo "requests stored after the run: $stored"
echo "memory after the run: $(awk '/VmRSS|RssAnon|RssFile/ { printf "%s %.1f MB  ", $1, $2 / 1024 }' /proc/$PID/status)(RssFile is the memory-mapped database)"
stop_server

echo "== DPO views with $SEED more requests in the database"
python3 benches/seed_requests.py "$WORK/a.db" "$SEED"
start_server "$WORK/a.db"
echo "start to first answer with $SEED more requests: ${START_MS} ms"
dpo=$(token_for dpo)
staff=$(token_for staff)
for path in "/api/v1/dpo/deadlines" "/api/v1/requests?overdue=true" "/api/v1/requests?state=in_progress&limit=50"; do
    tok=$dpo
    echo -n "GET $path (1 connection, 10s): "
    wrk -t1 -c1 -d10s --latency -H "Authorization: Bearer $tok" "$URL$path" | wrk_summary
done
echo "== the staff desk with $SEED more requests (goal: every queue and search under 100 ms)"
# Page 150 of the closed access requests, reached as the pager reaches it: from the last row
# of page 149.
deep=$(python3 -c 'import sqlite3, sys, urllib.parse
on, ref = sqlite3.connect(sys.argv[1]).execute("SELECT closed_on, reference FROM requests WHERE is_open = 0 AND kind = ? ORDER BY closed_on DESC, reference DESC LIMIT 1 OFFSET 7449", ("access",)).fetchone()
print(urllib.parse.quote(on + "~" + ref))' "$WORK/a.db")
for path in "/desk/queue/mine" "/desk/queue/unassigned" "/desk/queue/due-soon" "/desk/queue/overdue" "/desk/queue/paused" "/desk/queue/needs-review" "/desk/queue/open" "/desk/queue/closed" \
    "/desk/queue/closed?kind=access&after=$deep&page=150" "/desk/queue/due-soon?register=turvakoti"; do
    echo -n "GET $path (1 connection, 10s): "
    wrk -t1 -c1 -d10s --latency -H "Authorization: Bearer $staff" "$URL$path" | wrk_summary
done
# A rare name, a part every name has (stops at the hit cap), a name nobody has, two letters
# (no three-letter piece: the names are scanned), a reference and an identity code.
for q in "henkilo 424242" "henkilo" "virtanen" "zq" "BENCH-4242" "010594Y9032"; do
    echo -n "POST /api/v1/requests/search \"$q\" (1 connection, 10s): "
    Q="$q" wrk -t1 -c1 -d10s --latency -s benches/search.lua -H "Authorization: Bearer $staff" "$URL/api/v1/requests/search" | wrk_summary
done
stop_server
