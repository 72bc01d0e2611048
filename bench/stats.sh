#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# stats.sh — the statistics benchmark (docs/PERFORMANCE.md "Statistics"), run by `make bench`
# (bench/run.sh) or alone: a year of ~10M tickets written straight into a store file
# (bench_history: not over HTTP; with the stages, pauses, help requests and bookings the other
# blocks of the answer read), its daily rollups written (`hallq stats --rebuild-rollups`),
# then GET /api/v1/stats for the whole year timed over HTTP (three times: the first reads the
# rollup documents from a cold server) with the server's peak RSS; beside them the raw limit of
# the same run: reading the rollup documents' bytes with the sqlite3 shell (no decoding), and, with
# BENCH_STATS_FULL=1, the full scan of every row (`hallq stats --full-scan`, the reference; takes
# minutes and gigabytes).
# The store is kept (generating it takes minutes): BENCH_STATS_DB (default
# build/bench-history/year.db, out of git); BENCH_STATS_REGEN=1 makes it again;
# BENCH_STATS_TICKETS (10000000) and BENCH_STATS_WINDOWS (80) shape a new one.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${HALLQ_BIN:-$ROOT/build/hallq}
BUILD=$(dirname "$BIN")
DB=${BENCH_STATS_DB:-$BUILD/bench-history/year.db}
TICKETS=${BENCH_STATS_TICKETS:-10000000}
WINDOWS=${BENCH_STATS_WINDOWS:-80}
[ -x "$BUILD/bench_history" ] || cmake --build "$BUILD" --target bench_history >/dev/null
command -v /usr/bin/time >/dev/null || { echo "stats.sh: /usr/bin/time missing" >&2; exit 1; }

PID=
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT

echo "## statistics over a year (bench/stats.sh)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
if [ "${BENCH_STATS_REGEN:-0}" = 1 ] || [ ! -s "$DB" ]; then
  mkdir -p "$(dirname "$DB")"
  rm -f "$DB" "$DB-wal" "$DB-shm"
  "$BIN" demo --db "$DB" --history-days 1 >/dev/null
  /usr/bin/time -f "history_generate_wall_s %e\nhistory_generate_rss_kb %M" \
    "$BUILD/bench_history" "$DB" "$TICKETS" 365 "$WINDOWS"
fi
echo "stats_db $DB ($(du -h "$DB" | cut -f1))"
echo "stats_db_tickets $(sqlite3 "$DB" 'SELECT count(*) FROM tickets')"
echo "stats_db_evaluations $(sqlite3 "$DB" "SELECT count(*) FROM docs WHERE kind = 'evaluation'")"
echo "stats_db_events $(sqlite3 "$DB" 'SELECT count(*) FROM events')"

[ "${BENCH_STATS_REBUILD:-1}" = 1 ] && /usr/bin/time -f "rollup_rebuild_wall_s %e\nrollup_rebuild_cpu_s %U\nrollup_rebuild_rss_kb %M" \
  "$BIN" stats --db "$DB" --rebuild-rollups 2>&1 | sed 's/^\([0-9]*\) days$/rollup_rebuild_days \1/'
echo "rollup_docs_bytes $(sqlite3 "$DB" "SELECT sum(length(json)) FROM docs WHERE kind = 'stats_day'")"
# the raw limit: the documents' bytes read by the sqlite3 shell, nothing decoded
/usr/bin/time -f "raw_read_rollups_wall_s %e" \
  sqlite3 "$DB" "SELECT sum(length(CAST(json AS BLOB))) FROM docs WHERE kind = 'stats_day'" >/dev/null

FROM=$(TZ=Asia/Shanghai date -d '-365 days' +%F)
TO=$(TZ=Asia/Shanghai date +%F)
OUTF=$(mktemp)
# --check-seconds 0: SQLite's quick check at start reads the whole file (minutes on a 10M-ticket
# store; bounded to 30 s by default), which is not what is measured here: the load is.
T0=$(date +%s.%N)
"$BIN" serve --db "$DB" --listen 127.0.0.1:0 --stats-max-days 366 --check-seconds 0 >"$OUTF" 2>&1 &
PID=$!
URL=
for _ in $(seq 1 6000); do # a 10M-ticket store takes a while to open
  URL=$(sed -n 's/^hallq: serving \(http:[^ ]*\).*/\1/p' "$OUTF" | head -n1)
  [ -n "$URL" ] && break
  kill -0 "$PID" 2>/dev/null || { cat "$OUTF" >&2; exit 1; }
  sleep 0.1
done
[ -n "$URL" ] || { echo "stats.sh: server did not start" >&2; exit 1; }
echo "server_start_s $(awk -v a="$(date +%s.%N)" -v b="$T0" 'BEGIN { printf "%.2f", a - b }')"
URL=${URL%/}
TOKEN=$(curl -fsS -H 'Content-Type: application/json' -d '{"username":"manager1","password":"demo1234"}' \
  "$URL/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
rss_kb() { sed -n "s/^$1:\s*\([0-9]*\) kB/\1/p" "/proc/$PID/status"; }
echo "server_rss_before_kb $(rss_kb VmRSS)"
for i in 1 2 3; do
  T=$(curl -fsS -o "$OUTF.json" -w '%{time_total}' -H "Authorization: Bearer $TOKEN" \
    "$URL/api/v1/stats?from=$FROM&to=$TO")
  echo "stats_year_get_s_$i $T"
done
echo "stats_year_tickets $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["source"]["tickets"])' "$OUTF.json")"
echo "server_rss_peak_kb $(rss_kb VmHWM)"
echo "server_rss_after_kb $(rss_kb VmRSS)"
kill -TERM "$PID"
wait "$PID" || true
PID=
rm -f "$OUTF" "$OUTF.json"
if [ "${BENCH_STATS_FULL:-0}" = 1 ]; then
  /usr/bin/time -f "full_scan_wall_s %e\nfull_scan_rss_kb %M" \
    "$BIN" stats --db "$DB" --from "$FROM" --to "$TO" --full-scan >/dev/null
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
