#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# queue.sh — is the HTTP issue and call rate flat in the queue's size? (issue 12; run by
# `make bench` through bench/run.sh, or alone). Two stores are made over HTTP once, one with
# ~1,000 and one with ~40,000 tickets of service A waiting (BENCH_QUEUE_SIZES), 16 open windows
# serving A. Then, for BENCH_QUEUE_ROUNDS rounds, interleaved (the order of the sizes alternates
# from round to round):
#   - the raw limit: bench_sqlite, single-row durable commits per second on the same disk (3 s);
#   - for each size, a fresh copy of its store served by `hallq serve`, then
#       BENCH_QUEUE_SECONDS (2) of durable issues over 16 keep-alive connections (wrk -t2 -c16,
#       bench/issue.lua; short, as each issue makes the queue longer: the waiting count before
#       and after is printed; the rate is of 201s only, wrk_2xx_rps: a refusal, such as the 409
#       when the service's 99,999 numbers of the day are used up, is not an issue), with the
#       changes per durable transaction from /metrics, and
#       BENCH_QUEUE_SECONDS of window actions from the 16 windows, one connection each (wrk -t16
#       -c16, bench/calls.lua): call-next then no-show, over and over; both are durable changes.
# Prints one line per measurement and a summary: the median rate at each size, the ratio of the
# largest size to the smallest (issue 12: within 10 %), and the issue and window-action rates over
# the raw per-commit rate of the same run (issue 12's goal: >= 2, by group commit).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${HALLQ_BIN:-$ROOT/build/hallq}
BUILD=$(dirname "$BIN")
SIZES=${BENCH_QUEUE_SIZES:-"1000 40000"}
ROUNDS=${BENCH_QUEUE_ROUNDS:-3}
SECS=${BENCH_QUEUE_SECONDS:-2}
WINDOWS=16
PW=bench-admin-123
SERVE_ARGS=${BENCH_SERVE_ARGS:-}

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ -x "$BUILD/bench_sqlite" ] || cmake --build "$BUILD" --target bench_sqlite >/dev/null
WORK=$(mktemp -d "${BENCH_DIR:-$BUILD}/queue.XXXXXX")
PID=
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# serve DB: hallq serve on a free port; sets URL and PID
serve() {
  : >"$WORK/serve.out"
  # shellcheck disable=SC2086 # BENCH_SERVE_ARGS is a list of words
  "$BIN" serve --db "$1" --listen 127.0.0.1:0 $SERVE_ARGS >"$WORK/serve.out" 2>"$WORK/serve.err" &
  PID=$!
  for _ in $(seq 1 1200); do
    URL=$(sed -n 's/^hallq: serving \(http:[^ ]*\).*/\1/p' "$WORK/serve.out" 2>/dev/null | head -n1)
    [ -n "$URL" ] && return 0
    kill -0 "$PID" 2>/dev/null || { cat "$WORK/serve.err" >&2; exit 1; }
    sleep 0.05
  done
  echo "queue.sh: server did not start" >&2
  exit 1
}
unserve() {
  kill -TERM "$PID"
  wait "$PID" || true
  PID=
}
metric() { curl -fsS "$URL/metrics" | sed -n "s/^$1 //p" | head -n1; }
waiting() { metric 'hallq_tickets{status="waiting"}'; }
# the server's CPU time in µs (user + system, its children included) and its context switches
# (voluntary + not, summed over its threads): per-request figures of the runs (issue 12)
TICK=$(getconf CLK_TCK)
cpu_us() { awk -v t="$TICK" '{print ($14 + $15 + $16 + $17) * 1000000 / t}' "/proc/$PID/stat"; }
ctxsw() { cat /proc/"$PID"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {s += $2} END {print s + 0}'; }
guide() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).guide)' "$1"; }
clerks() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).clerks.join(","))' "$1"; }

echo "## issue and call rate against the queue's size (bench/queue.sh)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
for n in $SIZES; do
  db=$WORK/q$n.db
  HALLQ_ADMIN_PASSWORD=$PW "$BIN" init --db "$db" >/dev/null
  serve "$db"
  node "$ROOT/bench/bench.mjs" setup --url "$URL" --password "$PW" --windows "$WINDOWS" >"$WORK/tokens.json"
  node "$ROOT/bench/bench.mjs" fill --url "$URL" --tokens "$WORK/tokens.json" --n "$n"
  echo "queue_store $n: $(waiting) waiting"
  unserve
  # its write-ahead log folded in now, not by the first commits of a measured run
  if command -v sqlite3 >/dev/null; then sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null; fi
done

median() { sort -n | awk '{v[NR] = $1} END {if (NR) print (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2}'; }
for r in $(seq 1 "$ROUNDS"); do
  "$BUILD/bench_sqlite" "$WORK" 3 | sed -n 's/^sqlite_commits_per_s //p' | tee -a "$WORK/raw.txt" |
    sed 's/^/queue_raw_commits_per_s /'
  order=$SIZES
  # shellcheck disable=SC2086 # SIZES is a list of words
  [ $((r % 2)) = 0 ] && order=$(printf '%s\n' $SIZES | tac | tr '\n' ' ')
  for n in $order; do
    rm -f "$WORK/run.db" "$WORK/run.db-wal" "$WORK/run.db-shm"
    for f in "$WORK/q$n.db" "$WORK/q$n.db-wal"; do
      [ -e "$f" ] && cp "$f" "$WORK/run${f#"$WORK/q$n"}"
    done
    # the copy on disk before the run: else the kernel writes it back during the run, competing
    # with the server's fsyncs in proportion to the store's size (15 MB at 40k, 1 MB at 1k)
    sync "$WORK"/run.db*
    serve "$WORK/run.db"
    node "$ROOT/bench/bench.mjs" login --url "$URL" --windows "$WINDOWS" >"$WORK/tokens.json"
    # one issue first: the server's first answers compute the estimate's accuracy over 28 days of
    # tickets (uc_estimate.c, then every 5 min in one request) and build the order index
    node "$ROOT/bench/bench.mjs" fill --url "$URL" --tokens "$WORK/tokens.json" --n 1
    w0=$(waiting)
    c0=$(metric hallq_commits_total)
    b0=$(metric hallq_batches_committed_total)
    u0=$(cpu_us) x0=$(ctxsw)
    HQ_TOKEN=$(guide "$WORK/tokens.json") wrk -t2 -c16 -d"${SECS}s" -s "$ROOT/bench/issue.lua" "$URL" >"$WORK/issue.txt"
    u1=$(cpu_us) x1=$(ctxsw)
    c1=$(metric hallq_commits_total)
    b1=$(metric hallq_batches_committed_total)
    HQ_TOKENS=$(clerks "$WORK/tokens.json") wrk -t"$WINDOWS" -c"$WINDOWS" -d"${SECS}s" -s "$ROOT/bench/calls.lua" "$URL" >"$WORK/calls.txt"
    u2=$(cpu_us) x2=$(ctxsw)
    w1=$(waiting)
    unserve
    rps=$(sed -n 's/^wrk_2xx_rps //p' "$WORK/issue.txt")
    cps=$(sed -n 's/^wrk_calls_rps //p' "$WORK/calls.txt")
    aps=$(sed -n 's/^wrk_actions_rps //p' "$WORK/calls.txt")
    echo "$rps" >>"$WORK/issue-$n.txt"
    echo "$cps" >>"$WORK/calls-$n.txt"
    echo "$aps" >>"$WORK/actions-$n.txt"
    printf 'queue_run round %d size %d: waiting %s -> %s; issue %s/s (%s issues, p50 %s ms, p99 %s ms, non-2xx %s, %s changes per commit); call-next %s/s and window actions %s/s (%s calls, p50 %s ms, p99 %s ms, empty %s, errors %s)\n' \
      "$r" "$n" "$w0" "$w1" "$rps" "$(sed -n 's/^wrk_2xx //p' "$WORK/issue.txt")" \
      "$(sed -n 's/^wrk_p50_ms //p' "$WORK/issue.txt")" "$(sed -n 's/^wrk_p99_ms //p' "$WORK/issue.txt")" \
      "$(sed -n 's/^wrk_non2xx //p' "$WORK/issue.txt")" \
      "$(awk -v c="$((c1 - c0))" -v b="$((b1 - b0))" 'BEGIN {printf "%.2f", c ? b / c : 0}')" \
      "$cps" "$aps" "$(sed -n 's/^wrk_calls //p' "$WORK/calls.txt")" "$(sed -n 's/^wrk_p50_ms //p' "$WORK/calls.txt")" \
      "$(sed -n 's/^wrk_p99_ms //p' "$WORK/calls.txt")" "$(sed -n 's/^wrk_empty //p' "$WORK/calls.txt")" \
      "$(sed -n 's/^wrk_errors //p' "$WORK/calls.txt")"
    sed -n 's/^wrk_first_error /queue_first_error /p' "$WORK/calls.txt"
    # per request: the issue run's answers (all of them: refusals too) and the window actions'
    # (call-next and no-show alike), with the metrics reads above in them (a few)
    awk -v ui="$(awk -v a="$u0" -v b="$u1" 'BEGIN {print b - a}')" -v uc="$(awk -v a="$u1" -v b="$u2" 'BEGIN {print b - a}')" \
      -v xi="$((x1 - x0))" -v xc="$((x2 - x1))" -v ni="$(sed -n 's/^wrk_requests //p' "$WORK/issue.txt")" \
      -v nc="$(sed -n 's/^wrk_requests //p' "$WORK/calls.txt")" -v r="$r" -v n="$n" \
      'BEGIN {printf "queue_cpu round %d size %d: issue %.0f us CPU and %.2f context switches per request; window action %.0f us and %.2f per request\n", r, n, ni ? ui / ni : 0, ni ? xi / ni : 0, nc ? uc / nc : 0, nc ? xc / nc : 0}'
    sed -n 's/^wrk_first_refusal /queue_first_refusal /p' "$WORK/issue.txt"
  done
done
"$BUILD/bench_sqlite" "$WORK" 3 | sed -n 's/^sqlite_commits_per_s //p' | tee -a "$WORK/raw.txt" |
  sed 's/^/queue_raw_commits_per_s /'

raw=$(median <"$WORK/raw.txt")
first=${SIZES%% *}
last=${SIZES##* }
echo "queue_raw_median $raw ($(sort -n "$WORK/raw.txt" | tr '\n' ' ')commits/s)"
for n in $SIZES; do
  i=$(median <"$WORK/issue-$n.txt")
  c=$(median <"$WORK/calls-$n.txt")
  w=$(median <"$WORK/actions-$n.txt")
  awk -v n="$n" -v i="$i" -v c="$c" -v w="$w" -v raw="$raw" -v all="$(tr '\n' ' ' <"$WORK/issue-$n.txt")" \
    -v wall="$(tr '\n' ' ' <"$WORK/actions-$n.txt")" \
    'BEGIN {printf "queue_median size %d: issue %d/s (%s), %.2f x raw per-commit; call-next %d/s, window actions %d/s (%s), %.2f x raw per-commit\n", n, i, all, raw ? i / raw : 0, c, w, wall, raw ? w / raw : 0}'
done
awk -v a="$(median <"$WORK/issue-$first.txt")" -v b="$(median <"$WORK/issue-$last.txt")" \
  -v c="$(median <"$WORK/calls-$first.txt")" -v d="$(median <"$WORK/calls-$last.txt")" -v s="$first" -v t="$last" \
  'BEGIN {printf "queue_ratio size %d / size %d: issue %.2f, call-next %.2f\n", t, s, a ? b / a : 0, c ? d / c : 0}'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
