#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh — `make bench`: measures build/hallq over loopback and prints the figures for
# docs/PERFORMANCE.md (also written to build/bench-results.txt):
#   - raw SQLite durable commits per second on the same disk (bench_sqlite, WAL + synchronous=FULL),
#     at the start and again at the end of the run, since the disk may be shared and noisy
#   - GET /health per second (the HTTP floor), tickets issued per second (wrk + bench/issue.lua)
#     with the mean group-commit size of that run (from /metrics); issue_2xx_rps counts only the
#     201s, over the time until the last of them: a service has 99,999 numbers a day, and the fast
#     409 refusals after them (issue_non2xx) are not issues (issue_rps counts them too)
#   - call-next per second (bench.mjs calls: W windows doing call-next + no-show), and the
#     server's CPU time per call (compare voice on and off by it: the rate follows the load)
#   - the worst delay from a call to the start of its announcement in a 12-window burst
#     (announce.mjs, voice.js's queue with the server's WAVs), beside one announcement's length
#   - latency from a call to its arrival at 1,000, 5,000 and 10,000 SSE clients, and the server's
#     memory with them (sse_clients, one epoll process, each stream opened with a browser's head;
#     BENCH_SSE_HEAD=minimal for three header lines), and which daemon held the streams; also the
#     fan-out alone (sse_spread_*: each delivery from the first arrival of its call) and the first
#     arrival (sse_first_*: the call's request, commit and publish)
#   - the issue rate (16 connections) and call-next rate with ~1,000 and ~40,000 tickets waiting,
#     interleaved with the raw per-commit rate (bench/queue.sh)
#   - the core's scans over the tickets in memory (bench_core) and the plan module (bench_plan: a
#     day of a 60-window hall, and with BENCH_ACCURACY=1 the simulation-versus-Erlang table)
#   - statistics over a year of ~10M tickets: GET /stats for the year from the daily rollups,
#     beside reading the rollups' bytes raw (bench/stats.sh, which also makes the store)
#   - the machine's load: before the run, and sampled every 5 s during it (the bench's own
#     processes count too)
# The server runs with hallq serve's defaults (worker threads, voice when espeak-ng is installed)
# plus BENCH_SERVE_ARGS. The bench_* programs are built in HALLQ_BIN's build dir when missing.
# Environment: HALLQ_BIN (default build/hallq), BENCH_SECONDS (default 10), BENCH_WINDOWS (16),
# BENCH_SSE ("1000 5000 10000"; "" skips), BENCH_SSE_HEAD (browser; minimal), BENCH_ACCURACY (1; 0 skips the ~15 s table), BENCH_SERVE_ARGS (""),
# BENCH_DIR (where the databases go; default a temp dir under the build dir), BENCH_STATS (1; 0
# skips the statistics bench; its own variables are in bench/stats.sh), BENCH_QUEUE (1; 0 skips
# bench/queue.sh, whose variables are in that file).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${HALLQ_BIN:-$ROOT/build/hallq}
BUILD=$(dirname "$BIN")
SECS=${BENCH_SECONDS:-10}
WINDOWS=${BENCH_WINDOWS:-16}
SSE_SIZES=${BENCH_SSE-"1000 5000 10000"}
ACCURACY=${BENCH_ACCURACY:-1}
SERVE_ARGS=${BENCH_SERVE_ARGS:-}
OUT=$BUILD/bench-results.txt
PW=bench-admin-123

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ -x "$BIN" ] || { echo "run.sh: $BIN not built (make build)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "run.sh: wrk missing (scripts/setup.sh installs it)" >&2; exit 1; }
for b in bench_sqlite bench_core bench_plan sse_clients; do
  if [ ! -x "$BUILD/$b" ]; then
    cmake --build "$BUILD" --target "$b" >/dev/null
  fi
done

WORK=$(mktemp -d "${BENCH_DIR:-$BUILD}/bench.XXXXXX")
PID=
LOADPID=
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  if [ -n "$LOADPID" ]; then kill "$LOADPID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_server NAME: a fresh database, serve on a free port; sets URL and PID
start_server() {
  local db=$WORK/$1.db
  HALLQ_ADMIN_PASSWORD=$PW "$BIN" init --db "$db" >/dev/null
  : >"$WORK/$1.out"
  # shellcheck disable=SC2086 # BENCH_SERVE_ARGS is a list of words
  "$BIN" serve --db "$db" --listen 127.0.0.1:0 $SERVE_ARGS >"$WORK/$1.out" 2>"$WORK/$1.err" &
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
# metric NAME: its value in the server's /metrics now
metric() { curl -fsS "$URL/metrics" | sed -n "s/^$1 //p" | head -n1; }

exec > >(tee "$OUT")
echo "# hallq bench $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)"
echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
DEV=$(df -P "$WORK" | awk 'NR==2 {print $1}')
echo "disk: $DEV ($(df -PT "$WORK" | awk 'NR==2 {print $2}'), $(lsblk -dno ROTA "$DEV" 2>/dev/null | tr -d ' ' | sed 's/^1$/rotational/; s/^0$/non-rotational/') as the kernel sees it) under $WORK"
echo "kernel: $(uname -r); $(sqlite3 --version 2>/dev/null | cut -d' ' -f1 | sed 's/^/sqlite /'); $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2); node $(node --version)"
THREADS=$(printf '%s\n' "$SERVE_ARGS" | sed -n 's/.*--threads[ =]\([0-9]*\).*/\1/p')
[ -n "$THREADS" ] || THREADS="$(sed -n 's/.*"threads", "\([0-9]*\)".*/\1/p' "$ROOT/src/cli/cmd_serve.c" | head -n1) (default)"
echo "binary: $BIN ($(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD/CMakeCache.txt" 2>/dev/null), $(sed -n 's/^CMAKE_C_COMPILER:FILEPATH=//p' "$BUILD/CMakeCache.txt" 2>/dev/null | xargs -r basename))"
echo "server: hallq serve --threads $THREADS; voice $(if printf '%s' "$SERVE_ARGS" | grep -q -- '--voice off'; then echo off; elif command -v espeak-ng >/dev/null; then echo on; else echo 'off (no espeak-ng)'; fi)${SERVE_ARGS:+; extra args: $SERVE_ARGS}"
echo "command: bench/run.sh (BENCH_SECONDS=$SECS BENCH_WINDOWS=$WINDOWS BENCH_SSE=\"$SSE_SIZES\" BENCH_ACCURACY=$ACCURACY)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min); busiest processes over 1 s: $(top -b -n 2 -d 1 -w 200 2>/dev/null | awk '/^top -/ {f++} f == 2 && $1 ~ /^[0-9]+$/ && $9 + 0 > 5 {printf "%s %s%%, ", $12, $9; n++} END {if (!n) printf "none above 5%% CPU"}' | head -c 240)"
echo
( while sleep 5; do cut -d' ' -f1 /proc/loadavg; done ) >"$WORK/load.txt" &
LOADPID=$!

echo "## raw SQLite on this disk (start)"
"$BUILD/bench_sqlite" "$WORK" 3 | tee "$WORK/sqlite.txt"

start_server main
node "$ROOT/bench/bench.mjs" setup --url "$URL" --password "$PW" --windows "$WINDOWS" >"$WORK/tokens.json"
GUIDE=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).guide)' "$WORK/tokens.json")

echo "## HTTP"
wrk -t2 -c64 -d"${SECS}s" "$URL/api/v1/health" >"$WORK/health.txt"
echo "health_rps $(sed -n 's/^Requests\/sec:\s*//p' "$WORK/health.txt")"

C0=$(metric hallq_commits_total)
B0=$(metric hallq_batches_committed_total)
# the server's CPU (user + system, children included) and context switches (summed over its
# threads) per answer of the issue run (issue 12: thread changes per request)
ctxsw() { cat /proc/"$PID"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {s += $2} END {print s + 0}'; }
IT0=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$PID/stat") IX0=$(ctxsw)
HQ_TOKEN=$GUIDE wrk -t2 -c64 -d"${SECS}s" -s "$ROOT/bench/issue.lua" "$URL" >"$WORK/issue.txt"
IT1=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$PID/stat") IX1=$(ctxsw)
sed -n 's/^wrk_/issue_/p' "$WORK/issue.txt"
C1=$(metric hallq_commits_total)
B1=$(metric hallq_batches_committed_total)
awk -v c="$((C1 - C0))" -v b="$((B1 - B0))" 'BEGIN {printf "issue_commits %d\nissue_changes_per_commit %.2f\n", c, c ? b / c : 0}'
awk -v t="$((IT1 - IT0))" -v x="$((IX1 - IX0))" -v n="$(val wrk_requests "$WORK/issue.txt")" -v hz="$(getconf CLK_TCK)" \
  'BEGIN {if (n > 0) printf "issue_server_cpu_us_per_request %.0f\nissue_context_switches_per_request %.2f\n", t * 1e6 / hz / n, x / n}'
if [ "$(val wrk_non2xx "$WORK/issue.txt")" != 0 ]; then
  echo "issue_note: $(val wrk_non2xx "$WORK/issue.txt") refusals from $(val wrk_first_refusal_s "$WORK/issue.txt") s on (see issue_first_refusal); the issue rate is issue_2xx_rps"
fi

# the server's own CPU time (user + system, its children included) per call: on a shared machine
# this moves much less than the rate does, so voice on and off can be compared by it
cpu_ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$PID/stat"; }
CPU0=$(cpu_ticks)
node "$ROOT/bench/bench.mjs" calls --url "$URL" --tokens "$WORK/tokens.json" --seconds "$SECS" | tee "$WORK/calls.txt"
CPU1=$(cpu_ticks)
awk -v t="$((CPU1 - CPU0))" -v n="$(val calls_total "$WORK/calls.txt")" -v hz="$(getconf CLK_TCK)" \
  'BEGIN {if (n > 0) printf "calls_server_cpu_us_per_call %.0f\n", t * 1e6 / hz / n}'
echo "calls_waiting_left $(curl -fsS "$URL/metrics" | sed -n 's/^hallq_tickets{status="waiting"} //p')"
stop_server

# Announcements: a 12-window burst, the worst delay from a call to the start of its announcement
# (bench/announce.mjs; needs voice on).
if ! printf '%s' "$SERVE_ARGS" | grep -q -- '--voice off' && command -v espeak-ng >/dev/null; then
  start_server announce
  node "$ROOT/bench/bench.mjs" setup --url "$URL" --password "$PW" --windows 12 >"$WORK/tokens-ann.json"
  sleep 2 # the voice makes its phrase clips while idle (prewarm)
  echo "## announcements (12-window burst)"
  node "$ROOT/bench/announce.mjs" --url "$URL" --tokens "$WORK/tokens-ann.json" --windows 12 --rounds 3
  stop_server
fi

# call -> display: the C client (bench/sse_clients.c) holds the streams; a high per-address
# connection cap when this hallq has one (the client also spreads over 127.0.0.1-8)
SSE_ARGS=
if "$BIN" serve --help 2>&1 | grep -q -- '--max-conns-per-ip'; then SSE_ARGS="--max-conns-per-ip 100000"; fi
for n in $SSE_SIZES; do
  SAVED_ARGS=$SERVE_ARGS
  SERVE_ARGS="$SERVE_ARGS $SSE_ARGS"
  start_server "sse$n"
  SERVE_ARGS=$SAVED_ARGS
  node "$ROOT/bench/bench.mjs" setup --url "$URL" --password "$PW" --windows 1 >"$WORK/tokens-sse.json"
  CLERK=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).clerks[0])' "$WORK/tokens-sse.json")
  GUIDE=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).guide)' "$WORK/tokens-sse.json")
  echo "sse_run $n"
  "$BUILD/sse_clients" --port "${URL##*:}" --clients "$n" --calls 20 --clerk "$CLERK" --guide "$GUIDE" --pid "$PID" --head "${BENCH_SSE_HEAD:-browser}" | tee "$WORK/sse$n.txt" || true
  stop_server
done

# issue and call rate against the queue's size, interleaved with the raw commit rate
# (bench/queue.sh; BENCH_QUEUE=0 skips)
if [ "${BENCH_QUEUE:-1}" = 1 ]; then
  echo
  BENCH_DIR=$WORK "$ROOT/bench/queue.sh"
fi

echo
echo "## raw SQLite on this disk (end)"
"$BUILD/bench_sqlite" "$WORK" 3

echo
echo "## core (bench_core)"
"$BUILD/bench_core"

echo
echo "## plan (bench_plan$([ "$ACCURACY" = 1 ] && echo ' --accuracy'))"
if [ "$ACCURACY" = 1 ]; then "$BUILD/bench_plan" --accuracy; else "$BUILD/bench_plan"; fi

# statistics over a year of ~10M tickets (bench/stats.sh; BENCH_STATS=0 skips; the generated store
# is kept under the build dir, out of git)
if [ "${BENCH_STATS:-1}" = 1 ]; then
  echo
  "$ROOT/bench/stats.sh"
fi

# head office: 200 halls shipped into one PostgreSQL, the lag, beside PostgreSQL's raw limit
# (bench/central.sh; BENCH_CENTRAL=0 skips; it skips itself when PostgreSQL cannot start)
if [ "${BENCH_CENTRAL:-1}" = 1 ]; then
  echo
  "$ROOT/bench/central.sh" || echo "central: failed (exit $?)"
fi

kill "$LOADPID" 2>/dev/null || true
LOADPID=
echo
echo "load during the run (1-min average every 5 s): $(sort -n "$WORK/load.txt" | awk '{v[NR] = $1} END {if (NR) printf "min %s, median %s, max %s (%d samples)", v[1], v[int((NR + 1) / 2)], v[NR], NR}')"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
