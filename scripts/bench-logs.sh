#!/usr/bin/env bash
# Access-log benchmark: bulk import, storage per event and log-inspection search/report
# latency on a realistic synthetic log (a benchmark that prints figures, not a test).
#
#   bash scripts/bench-logs.sh                      # 20,000,000 events, SQLite
#   EVENTS=2000000 bash scripts/bench-logs.sh       # smaller
#   PG_URL=postgres://rd:rd@localhost/rdbench bash scripts/bench-logs.sh   # SQLite, then PostgreSQL
#
# Steps:
#   1. cargo build --release --locked. A cold release build takes 10-17 min on 2 cores;
#      SKIP_BUILD=1 uses the binary that is there (BIN=path for another one).
#   2. scripts/gen-access-log.py writes EVENTS events (default 20,000,000: ~5.2 GB of
#      NDJSON, 1-2 min) to $WORK/events.ndjson, with a planted subject 131052-308T that has
#      3,000 events, ~1/80 of them by the suspect user "Matti Esimerkki". The file is reused
#      when it exists with the same generator arguments (handy with WORK=... KEEP=1).
#   3. A fresh SQLite database $WORK/b.db with organisation "hyva" and register "asiakas".
#   4. `rightsdesk logs import` of the file, timed with /usr/bin/time -v; its summary line
#      ends with the events/s rate.
#   5. Baselines in the same run, in a separate file on the same disk, same columns, primary
#      key, bucketed subject index and pragmas, at most 2,000,000 rows: Python's sqlite3
#      inserting rows of the same shape in one transaction with executemany (a client's
#      rate), then one INSERT ... SELECT over a recursive CTE (SQLite's engine alone, no
#      client binding). What SQLite itself manages here, for comparison.
#   6. Database size (after a WAL checkpoint) / events = bytes per event.
#   7. `rightsdesk serve` on a free port; a staff user logs in, enters the subject's
#      log-inspection request (received 2026-11-02, period 2024-11-02..2026-11-01), then
#      POST /requests/{id}/log-search is timed 20 times (p50/p95/max) and
#      POST /requests/{id}/log-report once (its rows: one per day, user, action, basis and
#      recipient; SUBJECT_EVENTS=50000 gives the subject ~10,000 report rows).
#   With PG_URL, steps 3-7 run again against PostgreSQL: the database in PG_URL is dropped
#   and created with psql (connecting to the "postgres" database of the same server); the
#   baseline there is a server-side INSERT ... SELECT generate_series of the same rows.
#
# Environment: EVENTS (20000000), SEED (1), SUBJECT_EVENTS (3000), WORK (a new directory under /tmp, removed at
# the end unless KEEP=1; a WORK you name is kept), SKIP_BUILD=1, BIN, PG_URL (that database
# is DROPPED and recreated), SQLITE=0 (PostgreSQL only), SEARCHES (20), MISUSE=1 (the
# request also says misuse is suspected and names the suspect, so the search highlights
# that user's events; without it the body is exactly the one above).
# Needs python3, curl and /usr/bin/time (apt-get install time); psql for PG_URL.
# Disk: the event file (~260 bytes/event: 5.2 GB for 20M) plus the database(s).
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS="${EVENTS:-20000000}"
SEED="${SEED:-1}"
SEARCHES="${SEARCHES:-20}"
BIN="${BIN:-./target/release/rightsdesk}"
SUBJECT="131052-308T"
SUBJECT_EVENTS="${SUBJECT_EVENTS:-3000}"
SUSPECT="Matti Esimerkki"
if [[ -n "${WORK:-}" ]]; then
    mkdir -p "$WORK"
    OWN_WORK=0
else
    WORK="$(mktemp -d /tmp/rdlogs.XXXXXX)"
    OWN_WORK=1
fi
WORK="$(cd "$WORK" && pwd)"
export RIGHTSDESK_OUTBOX_DIR="$WORK/outbox"     # nothing is written into the checkout
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ "$OWN_WORK" == 1 && "${KEEP:-0}" != 1 ]]; then
        rm -rf "$WORK"
    else
        echo "(kept $WORK)"
    fi
}
trap cleanup EXIT
for tool in python3 curl /usr/bin/time; do
    command -v "$tool" > /dev/null || { echo "$tool is needed" >&2; exit 1; }
done
if [[ -n "${PG_URL:-}" ]]; then
    command -v psql > /dev/null || { echo "psql is needed for PG_URL" >&2; exit 1; }
fi
BASELINE_ROWS=$(( EVENTS < 2000000 ? EVENTS : 2000000 ))
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), work dir $WORK ($(df -h "$WORK" | awk 'NR == 2 { print $4 }') free)"

# ---------------------------------------------------------------------------- 1. build
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    echo "== 1. cargo build --release --locked (a cold build takes 10-17 min on 2 cores)"
    t0=$(date +%s)
    cargo build --release --locked
    echo "build: $(( $(date +%s) - t0 )) s"
fi
[[ -x "$BIN" ]] || { echo "no binary at $BIN" >&2; exit 1; }

# ---------------------------------------------------------------------------- 2. events
EV="$WORK/events.ndjson"
GEN_ARGS=(--events "$EVENTS" --seed "$SEED" --subject "$SUBJECT" --subject-events "$SUBJECT_EVENTS"
          --suspect-user "$SUSPECT")
STAMP="$(printf '%s ' "${GEN_ARGS[@]}")$(sha1sum scripts/gen-access-log.py | cut -c1-12)"
echo "== 2. $EVENTS events with subject $SUBJECT ($SUBJECT_EVENTS events, some by $SUSPECT)"
if [[ -f "$EV" && -f "$EV.args" && "$(cat "$EV.args")" == "$STAMP" ]]; then
    echo "reusing $EV"
else
    rm -f "$EV.args"
    python3 scripts/gen-access-log.py "${GEN_ARGS[@]}" --out "$EV"
    echo "$STAMP" > "$EV.args"
fi
EV_BYTES=$(stat -c %s "$EV")
echo "file: $(( EV_BYTES / 1000000 )) MB, $(( EV_BYTES / (EVENTS > 0 ? EVENTS : 1) )) bytes/line"
# What the search should find: the subject's events in the request's period (local dates).
read -r EXPECTED EXPECTED_SUSPECT EXPECTED_ROWS < <({ grep -F "\"subject_id\":\"$SUBJECT\"" "$EV" || true; } | SUSPECT="$SUSPECT" python3 -c '
import json, os, sys
n = by_suspect = 0
rows = set()  # the report has one row per day, user, action, basis and recipient
for line in sys.stdin:
    if "2024-11-02" <= line.split("\"occurred_at\":\"", 1)[1][:10] <= "2026-11-01":
        n += 1
        by_suspect += "\"user_name\":\"%s\"" % os.environ["SUSPECT"] in line
        e = json.loads(line)
        rows.add(tuple(e.get(k, "") for k in ("user_name", "user_title", "unit", "action", "basis", "recipient")) + (e["occurred_at"][:10],))
print(n, by_suspect, len(rows))')
echo "subject's events in 2024-11-02..2026-11-01: $EXPECTED, $EXPECTED_SUSPECT of them by $SUSPECT; report rows: $EXPECTED_ROWS"

# ---------------------------------------------------------------------------- helpers
# api METHOD PATH [BODY]: prints the response body; fails (showing it) unless 2xx.
TOKEN=""
URL=""
api() {
    local code args=(-sS -o "$WORK/resp.json" -w '%{http_code}' -X "$1" "$URL$2" -H 'content-type: application/json')
    [[ -n "$TOKEN" ]] && args+=(-H "Authorization: Bearer $TOKEN")
    [[ $# -ge 3 ]] && args+=(--data-binary "$3")
    code=$(curl "${args[@]}")
    if [[ "$code" != 2* ]]; then
        echo "$1 $2 -> HTTP $code: $(head -c 2000 "$WORK/resp.json")" >&2
        return 1
    fi
    cat "$WORK/resp.json"
}
pg() { PGOPTIONS="-c client_min_messages=warning" psql -Xq -v ON_ERROR_STOP=1 "$@"; }
json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# sqlite_baseline FILE ROWS: the same rows as the importer writes, inserted by Python.
sqlite_baseline() {
    python3 - "$1" "$2" <<'PY'
import os, random, sqlite3, sys, time
path, n = sys.argv[1], int(sys.argv[2])
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(path + suffix):
        os.remove(path + suffix)
db = sqlite3.connect(path, isolation_level=None)
SCHEMA = """
CREATE TABLE access_events (
    scope BIGINT NOT NULL, event_id TEXT NOT NULL, subject_key BLOB NOT NULL,
    occurred_at BIGINT NOT NULL, user_ref BIGINT NOT NULL, action TEXT NOT NULL,
    basis TEXT NOT NULL, recipient TEXT, source TEXT, bucket BIGINT NOT NULL,
    PRIMARY KEY (scope, event_id)) WITHOUT ROWID;
CREATE INDEX access_events_bucket_subject ON access_events (bucket, subject_key, occurred_at);
"""
# The pragmas of the application's connections and of `logs import`.
db.executescript("""
PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA mmap_size = 268435456;
PRAGMA wal_autocheckpoint = 20000; PRAGMA cache_size = -524288;
""" + SCHEMA)
rng = random.Random(1)
keys = [rng.randbytes(16) for _ in range(300_000)]            # keyed hashes of 300,000 clients
actions = ["view"] * 80 + ["update"] * 10 + ["create"] * 7 + ["print"] * 2 + ["disclose"]
bases = ["hoitosuhde / asiakkuus"] * 9 + ["lakisääteinen tehtävä"]
t_start = 1_704_060_000                                        # 2024-01-01, 1,035 days
step = 89_424_000 / max(n, 1)
spent, done, batch = 0.0, 0, 100_000
db.execute("BEGIN")
while done < n:
    k = min(batch, n - done)
    rows = []
    for i in range(done, done + k):
        a = actions[rng.getrandbits(16) % 100]
        t = int(t_start + i * step)
        rows.append((1, f"ev-{i + 1:09d}", keys[int(rng.random() ** 2 * 300_000)],
                     t, rng.getrandbits(13), a, bases[rng.getrandbits(8) % 10],
                     "Kela" if a == "disclose" else None, "Apotti", t // 2_592_000))
    t0 = time.perf_counter()
    db.executemany("INSERT OR IGNORE INTO access_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    spent += time.perf_counter() - t0
    done += k
t0 = time.perf_counter()
db.execute("COMMIT")
spent += time.perf_counter() - t0
print(f"python sqlite3 baseline: {n} rows in {spent:.1f} s ({n / spent:,.0f} rows/s), "
      f"sqlite {sqlite3.sqlite_version}, one transaction, executemany, 2 B-trees like access_events")
# The engine alone, no client binding: one INSERT ... SELECT over a recursive CTE into a
# fresh table of the same shape (uniformly random subject keys, same time spread).
db.executescript("DROP TABLE access_events; VACUUM;" + SCHEMA)
t0 = time.perf_counter()
db.execute(f"""
WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < {n - 1})
INSERT INTO access_events
SELECT 1, printf('ev-%09d', i + 1), randomblob(16), CAST({t_start} + i * {step} AS INTEGER),
       abs(random()) % 8192, 'view', 'hoitosuhde / asiakkuus', NULL, 'Apotti',
       CAST({t_start} + i * {step} AS INTEGER) / 2592000
FROM seq""")
engine = time.perf_counter() - t0
print(f"sqlite engine baseline: {n} rows in {engine:.1f} s ({n / engine:,.0f} rows/s), "
      f"one INSERT ... SELECT from a recursive CTE, same table and index")
db.close()
PY
}

# run_backend NAME DATABASE_URL: steps 3-7 against one database.
run_backend() {
    local name="$1" db="$2"
    local RD=("$BIN" --database "$db")
    echo
    echo "######## $name"
    echo "== 3. organisation and register"
    "${RD[@]}" org create --slug hyva --name "Hyvinvointialue X" --prefix HYV
    "${RD[@]}" register create --org hyva --slug asiakas --name "Sosiaalihuollon asiakasrekisteri"

    echo "== 4. logs import of $EVENTS events"
    /usr/bin/time -v -o "$WORK/import.time" \
        "${RD[@]}" logs import "$EV" --org hyva --register asiakas --format ndjson \
        > "$WORK/import.out" 2> "$WORK/import.err" || {
        echo "import failed:" >&2; tail -n 20 "$WORK/import.err" "$WORK/import.out" >&2; return 1; }
    grep '^rejected line' "$WORK/import.out" | head -n 3 || true
    grep -v '^rejected line' "$WORK/import.out" | tail -n 2
    awk -F': ' '/Elapsed \(wall clock\)/ { print "wall clock " $2 }
                /Maximum resident set size/ { printf "max RSS %.0f MB\n", $2 / 1024 }
                /Percent of CPU this job got/ { print "CPU " $2 }' "$WORK/import.time" | paste -sd ',' | sed 's/,/, /g'

    echo "== 5. baseline: $BASELINE_ROWS rows inserted directly"
    if [[ "$db" == sqlite://* ]]; then
        sqlite_baseline "$WORK/baseline.db" "$BASELINE_ROWS"
        rm -f "$WORK/baseline.db" "$WORK/baseline.db-wal" "$WORK/baseline.db-shm"
    else
        pg_baseline "$db" "$BASELINE_ROWS"
    fi

    echo "== 6. storage"
    local bytes n=$(( EVENTS > 0 ? EVENTS : 1 ))
    if [[ "$db" == sqlite://* ]]; then
        local file="${db#sqlite://}"
        python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA wal_checkpoint(TRUNCATE)")' "$file"
        bytes=$(( $(stat -c %s "$file") + $( [[ -f "$file-wal" ]] && stat -c %s "$file-wal" || echo 0) ))
        echo "database file: $(( bytes / 1000000 )) MB for $EVENTS events = $(( bytes / n )) bytes/event (the NDJSON: $(( EV_BYTES / n )))"
    else
        bytes=$(pg "$db" -At -c "SELECT pg_database_size(current_database())")
        local events_bytes
        events_bytes=$(pg "$db" -At -c "SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree('access_events') WHERE isleaf")
        echo "access_events partitions with indexes: $(( events_bytes / 1000000 )) MB = $(( events_bytes / n )) bytes/event; whole database $(( bytes / 1000000 )) MB = $(( bytes / n )) bytes/event (the NDJSON: $(( EV_BYTES / n )))"
    fi

    echo "== 7. HTTP: log search and report"
    local pw secret
    pw="$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')"
    secret="$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
    echo "$pw" | "${RD[@]}" user create --org hyva --email staff@hyva.example --role staff --name "Staff" --password-stdin
    RIGHTSDESK_TOKEN_SECRET="$secret" RIGHTSDESK_LOG=warn \
        "${RD[@]}" serve --bind 127.0.0.1:0 > "$WORK/serve.out" 2> "$WORK/serve.err" &
    SERVER_PID=$!
    URL=""
    for _ in $(seq 1 600); do            # up to 60 s: migrations may run first
        URL=$(sed -n 's/^rightsdesk listening on //p' "$WORK/serve.out" | head -n 1)
        [[ -n "$URL" ]] && curl -sf "$URL/health" > /dev/null && break
        kill -0 "$SERVER_PID" 2>/dev/null || { echo "serve exited:" >&2; tail -n 20 "$WORK/serve.err" >&2; return 1; }
        sleep 0.1
    done
    [[ -n "$URL" ]] || { echo "serve did not start" >&2; return 1; }
    echo "server at $URL"
    TOKEN=""
    TOKEN=$(api POST /api/v1/auth/token "{\"email\":\"staff@hyva.example\",\"password\":\"$pw\"}" | json_field access_token)
    local body id
    local misuse=""
    if [[ "${MISUSE:-0}" == 1 ]]; then          # the requester names the suspect: highlighting
        misuse=',"misuse_suspected":true,"misuse_suspected_user":"'"$SUSPECT"'"'
    fi
    body='{"kind":"log_inspection","language":"fi","channel":"letter","received_on":"2026-11-02","registers":["asiakas"],"subject":{"name":"Maija Meikäläinen","personal_id":"131052-308T","contact_channel":"pick_up"},"details":{"period_from":"2024-11-02","period_to":"2026-11-01"'"$misuse"'}}'
    id=$(api POST /api/v1/requests "$body" | json_field id)
    echo "request $id"

    api POST "/api/v1/requests/$id/log-search" '{}' | EXPECTED="$EXPECTED" EXPECTED_SUSPECT="$EXPECTED_SUSPECT" python3 -c '
import json, os, sys
r = json.load(sys.stdin)
print("search: %s events (expected %s), %d groups, %s highlighted (%s by the suspect), %s withheld, "
      "suspected user %s" % (r.get("total_events"), os.environ["EXPECTED"], len(r.get("groups", [])),
      r.get("highlighted_events"), os.environ["EXPECTED_SUSPECT"], r.get("withheld_events"), r.get("suspected_user")))'
    : > "$WORK/times"
    for _ in $(seq 1 "$SEARCHES"); do
        curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' -X POST "$URL/api/v1/requests/$id/log-search" \
            -H 'content-type: application/json' -H "Authorization: Bearer $TOKEN" --data-binary '{}' >> "$WORK/times"
    done
    python3 - "$WORK/times" <<'PY'
import math, sys
rows = [line.split() for line in open(sys.argv[1])]
bad = [code for code, _ in rows if not code.startswith("2")]
ms = sorted(float(t) * 1000 for _, t in rows)
rank = lambda p: ms[max(0, math.ceil(p * len(ms)) - 1)]
print(f"log-search x{len(ms)}: p50 {rank(0.5):.1f} ms, p95 {rank(0.95):.1f} ms, max {ms[-1]:.1f} ms"
      + (f"  ({len(bad)} failed: HTTP {sorted(set(bad))})" if bad else ""))
PY
    local t
    t=$(curl -sS -o "$WORK/report.json" -w '%{http_code} %{time_total}' -X POST "$URL/api/v1/requests/$id/log-report" \
        -H 'content-type: application/json' -H "Authorization: Bearer $TOKEN" --data-binary '{}')
    if [[ "$t" == 2* ]]; then
        echo "log-report: ${t#* } s ($(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(", ".join("%s %s bytes" % (x.get("filename"), x.get("size")) for x in d) if isinstance(d, list) else "")
' "$WORK/report.json" 2>/dev/null || true))"
    else
        echo "log-report: HTTP ${t%% *}: $(head -c 1000 "$WORK/report.json")"
    fi
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

# pg_baseline URL ROWS: the same table shape, filled by the server in one statement.
pg_baseline() {
    local t0 t1
    pg "$1" -c "DROP TABLE IF EXISTS bench_baseline" -c "
        CREATE TABLE bench_baseline (
            scope BIGINT NOT NULL, event_id TEXT NOT NULL, subject_key BYTEA NOT NULL,
            occurred_at BIGINT NOT NULL, user_ref BIGINT NOT NULL, action TEXT NOT NULL,
            basis TEXT NOT NULL, recipient TEXT, source TEXT, PRIMARY KEY (scope, event_id));
        CREATE INDEX ON bench_baseline (subject_key, occurred_at);
        CREATE INDEX ON bench_baseline (occurred_at);"
    t0=$(date +%s%N)
    pg "$1" -c "
        INSERT INTO bench_baseline
        SELECT 1, 'ev-' || lpad(i::text, 9, '0'),
               substr(sha256(((random() ^ 2 * 300000)::int)::text::bytea), 1, 16),
               1704060000 + i * (89424000 / $2), (random() * 8000)::int,
               CASE WHEN i % 100 < 80 THEN 'view' WHEN i % 100 < 90 THEN 'update' ELSE 'create' END,
               'hoitosuhde / asiakkuus', NULL, 'Apotti'
        FROM generate_series(1, $2) AS i"
    t1=$(date +%s%N)
    python3 -c "import sys; n, ns = int(sys.argv[1]), int(sys.argv[2]); print(f'postgres baseline: {n} rows in {ns / 1e9:.1f} s ({n / (ns / 1e9):,.0f} rows/s), one INSERT ... SELECT generate_series, same columns and indexes')" "$2" "$(( t1 - t0 ))"
    pg "$1" -c "DROP TABLE bench_baseline"
}

# ---------------------------------------------------------------------------- SQLite
if [[ "${SQLITE:-1}" != 0 ]]; then
    rm -f "$WORK/b.db" "$WORK/b.db-wal" "$WORK/b.db-shm"
    run_backend "SQLite" "sqlite://$WORK/b.db"
fi

# ---------------------------------------------------------------------------- PostgreSQL
if [[ -n "${PG_URL:-}" ]]; then
    base="${PG_URL%%\?*}"
    dbname="${base##*/}"
    admin="${base%/*}/postgres"
    [[ "$PG_URL" == *\?* ]] && admin="$admin?${PG_URL#*\?}"
    echo
    echo "== PostgreSQL: recreating database $dbname"
    pg "$admin" -c "DROP DATABASE IF EXISTS \"$dbname\"" -c "CREATE DATABASE \"$dbname\""
    run_backend "PostgreSQL" "$PG_URL"
fi
