#!/usr/bin/env bash
# End-to-end browser tests of the HTML pages (tests/browser/run.mjs).
#
# Usage, from anywhere in the repository:
#
#   scripts/browser-tests.sh                    # all tests
#   TEST_FILTER=validation scripts/browser-tests.sh   # only tests whose name contains this
#
# Needs: Node 20+ with npm, and Chromium at /usr/bin/chromium (Debian's
# `chromium` package; set CHROMIUM_PATH for another one). Nothing is
# downloaded but the two pinned npm packages of tests/browser/package-lock.json
# (playwright-core, axe-core), installed with `npm ci` when
# tests/browser/node_modules is missing. No browser is downloaded.
#
# It uses the debug binary ${RIGHTSDESK_BIN:-target/debug/rightsdesk} as it is
# (built with `cargo build` only when it is missing), starts two demo servers
# on free loopback ports in a temporary directory (one with a high submission
# limit for the tests, one with RIGHTSDESK_SUBMIT_LIMIT=1 for the 429 page),
# runs the tests and stops the servers on exit. The exit status is the tests'.
#
# Environment:
#   RIGHTSDESK_BIN   the server binary (default target/debug/rightsdesk)
#   SCREENSHOT_DIR   where the phone-*.png / desktop-*.png screenshots go
#                    (default target/screenshots)
#   TEST_FILTER      run only the tests whose name contains this text
#   KEEP_TMP=1       keep the temporary directory (databases, server logs)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
BIN=${RIGHTSDESK_BIN:-target/debug/rightsdesk}
export SCREENSHOT_DIR=${SCREENSHOT_DIR:-$ROOT/target/screenshots}

if [[ ! -x $BIN ]]; then
  echo "browser-tests: $BIN is missing; building it with cargo build" >&2
  cargo build --quiet --bin rightsdesk
fi

if [[ ! -d tests/browser/node_modules/playwright-core || ! -d tests/browser/node_modules/axe-core ]]; then
  echo "browser-tests: installing tests/browser's npm packages (npm ci)" >&2
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rightsdesk-browser.XXXXXX")
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ ${KEEP_TMP:-} == 1 ]]; then
    echo "browser-tests: kept $TMP" >&2
  else
    rm -rf "$TMP"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free loopback port: bind to port 0 and read what the kernel gave.
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# start_server NAME SUBMIT_LIMIT: starts `serve --demo`, sets PORT_<NAME>.
start_server() {
  local name=$1 limit=$2 port dir
  port=$(free_port)
  dir=$TMP/$name
  mkdir -p "$dir/outbox"
  RIGHTSDESK_DATABASE_URL="sqlite://$dir/rd.db" \
    RIGHTSDESK_BIND="127.0.0.1:$port" \
    RIGHTSDESK_OUTBOX_DIR="$dir/outbox" \
    RIGHTSDESK_PUBLIC_URL="http://127.0.0.1:$port" \
    RIGHTSDESK_SUBMIT_LIMIT="$limit" \
    RIGHTSDESK_TOKEN_GUESS_LIMIT=1000 \
    RUST_LOG="${RUST_LOG:-warn}" \
    "$BIN" serve --demo >"$dir/stdout.log" 2>"$dir/stderr.log" &
  PIDS+=($!)
  printf -v "PORT_$name" '%s' "$port"
  printf -v "PID_$name" '%s' "$!"
}

# wait_healthy NAME: up to 60 s for /health to answer 200.
wait_healthy() {
  local name=$1 port pid i
  port=PORT_$name
  port=${!port}
  pid=PID_$name
  pid=${!pid}
  for ((i = 0; i < 600; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "browser-tests: the $name server exited; its output:" >&2
      cat "$TMP/$name/stdout.log" "$TMP/$name/stderr.log" >&2
      return 1
    fi
    if [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health" || true) == 200 ]]; then
      return 0
    fi
    sleep 0.1
  done
  echo "browser-tests: the $name server did not answer /health in 60 s; its output:" >&2
  cat "$TMP/$name/stdout.log" "$TMP/$name/stderr.log" >&2
  return 1
}

start_server main 1000
start_server limited 1
wait_healthy main
wait_healthy limited

# The demo prints each account as "  role  email  password".
read -r DPO_EMAIL DPO_PASSWORD < <(awk '$1 == "dpo" && NF == 3 { print $2, $3; exit }' "$TMP/main/stdout.log") || true
if [[ -z ${DPO_PASSWORD:-} ]]; then
  echo "browser-tests: no dpo account in the demo server's output:" >&2
  cat "$TMP/main/stdout.log" >&2
  exit 1
fi

read -r STAFF_EMAIL STAFF_PASSWORD < <(awk '$1 == "staff" && NF == 3 { print $2, $3; exit }' "$TMP/main/stdout.log") || true
read -r ADMIN_EMAIL ADMIN_PASSWORD < <(awk '$1 == "admin" && NF == 3 { print $2, $3; exit }' "$TMP/main/stdout.log") || true

# A second organisation with one staff member, made with the provisioning commands on the
# main server's database, for the test that another organisation's staff see nothing.
OTHER_DB="sqlite://$TMP/main/rd.db"
OTHER_EMAIL=staff@toinen.example
OTHER_PASSWORD=$(node -e 'console.log(require("crypto").randomBytes(12).toString("hex"))')
if ! {
  "$BIN" --database "$OTHER_DB" org create --slug toinen-yhdistys --name "Toinen yhdistys ry" &&
    "$BIN" --database "$OTHER_DB" register create --org toinen-yhdistys --slug asiakas --name "Asiakasrekisteri" &&
    printf '%s\n' "$OTHER_PASSWORD" | "$BIN" --database "$OTHER_DB" user create --org toinen-yhdistys \
      --email "$OTHER_EMAIL" --role staff --name "Toisen Työntekijä" --password-stdin
} >"$TMP/main/provision.log" 2>&1; then
  echo "browser-tests: making the second organisation failed:" >&2
  cat "$TMP/main/provision.log" >&2
  exit 1
fi

status=0
RIGHTSDESK_BASE_URL="http://127.0.0.1:$PORT_main" \
  RIGHTSDESK_LIMITED_BASE_URL="http://127.0.0.1:$PORT_limited" \
  RIGHTSDESK_DPO_EMAIL="$DPO_EMAIL" \
  RIGHTSDESK_DPO_PASSWORD="$DPO_PASSWORD" \
  RIGHTSDESK_STAFF_EMAIL="${STAFF_EMAIL:-}" \
  RIGHTSDESK_STAFF_PASSWORD="${STAFF_PASSWORD:-}" \
  RIGHTSDESK_ADMIN_EMAIL="${ADMIN_EMAIL:-}" \
  RIGHTSDESK_ADMIN_PASSWORD="${ADMIN_PASSWORD:-}" \
  RIGHTSDESK_OTHER_STAFF_EMAIL="$OTHER_EMAIL" \
  RIGHTSDESK_OTHER_STAFF_PASSWORD="$OTHER_PASSWORD" \
  node tests/browser/run.mjs || status=$?

for name in main limited; do
  pid=PID_$name
  if ! kill -0 "${!pid}" 2>/dev/null; then
    echo "browser-tests: the $name server died during the tests; its stderr:" >&2
    tail -n 50 "$TMP/$name/stderr.log" >&2
    status=1
  fi
done
exit "$status"
