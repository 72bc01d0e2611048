#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh — `make bench`: measures build/hallq over loopback and prints the figures for
# docs/PERFORMANCE.md (also written to build/bench-results.txt):
#   - raw SQLite durable commits per second on the same disk (bench_sqlite, WAL + synchronous=FULL)
#   - GET /health per second (the HTTP floor), tickets issued per second (wrk + bench/issue.lua)
#   - call-next per second (bench.mjs calls: W windows doing call-next + no-show)
#   - latency from a call to its arrival at 1,000 and 5,000 SSE clients (bench.mjs sse)
# Environment: HALLQ_BIN (default build/hallq), BENCH_SECONDS (default 10), BENCH_WINDOWS (16),
# BENCH_SSE ("1000 5000"), BENCH_DIR (where the databases go; default a temp dir under build/).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${HALLQ_BIN:-$ROOT/build/hallq}
BUILD=$(dirname "$BIN")
SECS=${BENCH_SECONDS:-10}
WINDOWS=${BENCH_WINDOWS:-16}
SSE_SIZES=${BENCH_SSE:-"1000 5000"}
OUT=$BUILD/bench-results.txt
PW=bench-admin-123

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ -x "$BIN" ] || { echo "run.sh: $BIN not built (make build)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "run.sh: wrk missing (scripts/setup.sh installs it)" >&2; exit 1; }
if [ ! -x "$BUILD/bench_sqlite" ]; then
  cmake --build "$BUILD" --target bench_sqlite >/dev/null
fi

WORK=$(mktemp -d "${BENCH_DIR:-$BUILD}/bench.XXXXXX")
PID=
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_server NAME: a fresh database, serve on a free port; sets URL and PID
start_server() {
  local db=$WORK/$1.db
  HALLQ_ADMIN_PASSWORD=$PW "$BIN" init --db "$db" >/dev/null
  : >"$WORK/$1.out"
  "$BIN" serve --db "$db" --listen 127.0.0.1:0 >"$WORK/$1.out" 2>"$WORK/$1.err" &
  PID=$!
  for _ in $(seq 1 200); do
    URL=$(sed -n 's/^hallq: serving \(http:[^ ]*\).*/\1/p' "$WORK/$1.out" 2>/dev/null | head -n1)
    [ -n "$URL" ] && return 0
    kill -0 "$PID" 2>/dev/null || { cat "$WORK/$1.err" >&2; exit 1; }
    sleep 0.05
  done
  echo "run.sh: server did not start" >&2
  exit 1
}
stop_server() {
  kill -TERM "$PID"
  wait "$PID" || true
  PID=
}
val() { sed -n "s/^$1 //p" "$2" | tail -n1; }

exec > >(tee "$OUT")
echo "# hallq bench $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)"
echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
DEV=$(df -P "$WORK" | awk 'NR==2 {print $1}')
echo "disk: $DEV ($(df -PT "$WORK" | awk 'NR==2 {print $2}')) $(lsblk -no MODEL,ROTA "$DEV" 2>/dev/null | head -n1 | tr -s ' ' || true)"
echo "kernel: $(uname -r); $(sqlite3 --version 2>/dev/null | cut -d' ' -f1 | sed 's/^/sqlite /'); $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2); node $(node --version)"
echo "command: bench/run.sh (BENCH_SECONDS=$SECS BENCH_WINDOWS=$WINDOWS BENCH_SSE=\"$SSE_SIZES\")"
echo

"$BUILD/bench_sqlite" "$WORK" 3 | tee "$WORK/sqlite.txt"

start_server main
node "$ROOT/bench/bench.mjs" setup --url "$URL" --password "$PW" --windows "$WINDOWS" >"$WORK/tokens.json"
GUIDE=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).guide)' "$WORK/tokens.json")

wrk -t2 -c64 -d"${SECS}s" "$URL/api/v1/health" >"$WORK/health.txt"
echo "health_rps $(sed -n 's/^Requests\/sec:\s*//p' "$WORK/health.txt")"

HQ_TOKEN=$GUIDE wrk -t2 -c64 -d"${SECS}s" -s "$ROOT/bench/issue.lua" "$URL" >"$WORK/issue.txt"
sed -n 's/^wrk_/issue_/p' "$WORK/issue.txt"

node "$ROOT/bench/bench.mjs" calls --url "$URL" --tokens "$WORK/tokens.json" --seconds "$SECS" | tee "$WORK/calls.txt"
stop_server

for n in $SSE_SIZES; do
  start_server "sse$n"
  node "$ROOT/bench/bench.mjs" setup --url "$URL" --password "$PW" --windows 1 >"$WORK/tokens-sse.json"
  echo "sse_run $n"
  node "$ROOT/bench/bench.mjs" sse --url "$URL" --tokens "$WORK/tokens-sse.json" --clients "$n" --calls 20 | tee "$WORK/sse$n.txt"
  stop_server
done
