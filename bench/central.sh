#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# central.sh — head office's benchmark (docs/PERFORMANCE.md "Head office"), run by `make bench`
# (bench/run.sh) or alone. Skips cleanly (exit 0, one line) when PostgreSQL 15 cannot start.
#   1. the raw limit of the same server in the same run, into a table shaped as hall_events
#      (JSONB, primary key, both indexes): single-row INSERTs 100 to a transaction from one client
#      (what the shipper does, without reading a store), single-row INSERT commits per second
#      (pgbench, one client and BENCH_CENTRAL_PAR clients, autocommit, fsync on), and COPY rows/s
#   2. replay: BENCH_CENTRAL_HALLS (200) halls, each a hallq SQLite store holding
#      BENCH_CENTRAL_EVENTS (10000) generated events over 28 days (a ticket's issued, called,
#      started, finished and its rating), shipped by the real shipper (`hallq sync --batch 1000`),
#      BENCH_CENTRAL_PAR (8) halls at a time: events per second absorbed, and one hall alone
#   3. live lag: every hall runs `hallq sync --follow --interval-s 1` while a writer appends
#      BENCH_CENTRAL_RATE (1) events per second to each hall's store for BENCH_CENTRAL_LIVE_S (30)
#      seconds, each stamped with its local wall-clock time in ms: the lag is the central
#      received_at (the shipping transaction's time) minus that stamp (median, p90, p99, max)
#   4. head office's own page queries at that size: GET /api/overview and /api/stats (30 days)
# The generated stores and the database live in a temp dir under the build dir, removed after.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${HALLQ_BIN:-$ROOT/build/hallq}
BUILD=$(dirname "$BIN")
HALLS=${BENCH_CENTRAL_HALLS:-200}
EVENTS=${BENCH_CENTRAL_EVENTS:-10000}
PAR=${BENCH_CENTRAL_PAR:-8}
RATE=${BENCH_CENTRAL_RATE:-1}
LIVE_S=${BENCH_CENTRAL_LIVE_S:-30}
PG_BIN=/usr/lib/postgresql/15/bin

echo "## head office: many halls into one PostgreSQL (bench/central.sh)"
skip() {
  echo "central: skipped ($1)"
  exit 0
}
[ -x "$PG_BIN/initdb" ] || skip "PostgreSQL 15 is not installed"
[ -x "$BIN" ] || skip "$BIN not built"
command -v python3 >/dev/null || skip "python3 missing (the live writer)"

WORK=$(mktemp -d "${BENCH_DIR:-$BUILD}/central.XXXXXX")
AS=()
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$WORK"
  AS=(runuser -u postgres --)
fi
chmod 755 "$WORK"
PIDS=()
CPID=
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "$CPID" ]; then kill -TERM "$CPID" 2>/dev/null || true; wait "$CPID" 2>/dev/null || true; fi
  "${AS[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${AS[@]}" "$PG_BIN/initdb" -D "$WORK/pg" -A trust -U postgres -E UTF8 --locale=C >/dev/null 2>&1 ||
  skip "initdb failed"
"${AS[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w -t 60 \
  -o "-h 127.0.0.1 -p $PORT -k $WORK -c max_connections=$((HALLS + 50)) -c fsync=on -c synchronous_commit=on" \
  start >/dev/null 2>&1 || skip "PostgreSQL did not start: $(tail -n 3 "$WORK/pg.log" 2>/dev/null | tr '\n' ' ')"
PSQL=(psql -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qAt)
"${PSQL[@]}" -c "CREATE DATABASE central" >/dev/null
URL="postgresql://postgres@127.0.0.1:$PORT/central"
echo "postgresql: $("$PG_BIN/postgres" --version | cut -d' ' -f3), defaults but max_connections=$((HALLS + 50)); fsync=on, synchronous_commit=on; on $(df -P "$WORK" | awk 'NR==2 {print $1}')"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
now_s() { date +%s.%N; }

# 1. the raw limit: single-row commits (pgbench) and COPY, into hall_events' shape
cat >"$WORK/raw.sql" <<'SQL'
CREATE TABLE IF NOT EXISTS halls (hall TEXT PRIMARY KEY);
INSERT INTO halls VALUES ('raw') ON CONFLICT DO NOTHING;
CREATE TABLE raw_events (hall TEXT NOT NULL, seq BIGSERIAL, t BIGINT NOT NULL, actor TEXT NOT NULL,
  type TEXT NOT NULL, data JSONB NOT NULL, received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (hall, seq));
CREATE INDEX ON raw_events(type, t);
CREATE INDEX ON raw_events(hall, type, t);
SQL
"${PSQL[@]}" -d central -f "$WORK/raw.sql" >/dev/null
echo "INSERT INTO raw_events (hall, t, actor, type, data) VALUES ('raw', 1796000000, 'clerk01', 'ticket.called', '{\"number\":\"A001\",\"service\":\"A\",\"category\":\"normal\",\"status\":\"called\",\"window\":1,\"calls\":1}');" >"$WORK/insert.sql"
{
  echo "BEGIN;"
  for _ in $(seq 1 100); do cat "$WORK/insert.sql"; done
  echo "COMMIT;"
} >"$WORK/insert100.sql"
r=$(pgbench -h 127.0.0.1 -p "$PORT" -U postgres -n -M prepared -c 1 -T 10 -f "$WORK/insert100.sql" central 2>/dev/null |
  sed -n 's/^tps = \([0-9.]*\).*/\1/p')
awk -v r="$r" 'BEGIN {printf "raw_insert_rows_per_s_100_per_commit %.0f (one client, one statement each, as the shipper)\n", r * 100}'
for c in 1 "$PAR"; do
  r=$(pgbench -h 127.0.0.1 -p "$PORT" -U postgres -n -M prepared -c "$c" -j "$c" -T 10 -f "$WORK/insert.sql" central 2>/dev/null |
    sed -n 's/^tps = \([0-9.]*\).*/\1/p')
  echo "raw_insert_commits_per_s_c$c ${r%.*}"
done
python3 - "$WORK/copy.tsv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(500000):
        f.write('raw\t%d\t1796000000\tclerk01\tticket.called\t{"number":"A%03d","service":"A","category":"normal","status":"called","window":1,"calls":1}\n' % (10**7 + i, i % 1000))
PY
chmod 644 "$WORK/copy.tsv"
T0=$(now_s)
"${PSQL[@]}" -d central -c "\\copy raw_events (hall, seq, t, actor, type, data) FROM '$WORK/copy.tsv'" >/dev/null
T1=$(now_s)
awk -v a="$T0" -v b="$T1" 'BEGIN {printf "raw_copy_rows_per_s %.0f (500000 rows, %.1f s)\n", 500000 / (b - a), b - a}'
"${PSQL[@]}" -d central -c "DROP TABLE raw_events; DROP TABLE halls" >/dev/null

# 2. generated history: one template store, copied per hall
TPL=$WORK/template.db
HALLQ_ADMIN_PASSWORD=bench-admin-123 "$BIN" init --db "$TPL" >/dev/null
python3 - "$TPL" "$EVENTS" <<'PY'
import json, sqlite3, sys, time
db, n = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
base = c.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]
t0 = int(time.time()) - 28 * 86400
tickets = n // 5
step = max(1, 28 * 86400 // max(1, tickets))
rows, seq = [], base
for i in range(tickets):
    svc = "ABCDEFGH"[i % 8]
    num = "%s%03d" % (svc, (i // 8) % 1000 + 1)
    t = t0 + i * step
    w = 1 + i % 12
    d = {"number": num, "service": svc, "category": "normal", "window": None, "calls": 0}
    for k, (typ, st, dt) in enumerate([("ticket.issued", "waiting", 0), ("ticket.called", "called", 120),
                                       ("ticket.started", "serving", 150), ("ticket.finished", "done", 450)]):
        seq += 1
        e = dict(d, status=st)
        if k:
            e.update(window=w, calls=1, window_name="%d号窗口" % w)
        rows.append((seq, t + dt, "" if k == 0 else "clerk%02d" % w, typ, json.dumps(e, ensure_ascii=False)))
    seq += 1
    rows.append((seq, t + 460, "", "evaluation.recorded",
                 json.dumps({"number": num, "service": svc, "window": w, "level": 5 - i % 5 // 4 * 3, "stage": 0})))
c.executemany("INSERT INTO events (seq, t, actor, type, data) VALUES (?, ?, ?, ?, ?)", rows)
c.commit()
PY
PER=$(sqlite3 "$TPL" "SELECT count(*) FROM events")
for i in $(seq -f '%03g' 1 "$HALLS"); do cp "$TPL" "$WORK/hall$i.db"; done
echo "history: $HALLS halls × $PER events (generated, 28 days; $(du -sh "$TPL" | cut -f1) each)"

# one hall alone, then all halls PAR at a time
T0=$(now_s)
"$BIN" sync --db "$WORK/hall001.db" --central "$URL" --hall h001 --batch 1000 >/dev/null
T1=$(now_s)
awk -v a="$T0" -v b="$T1" -v n="$PER" 'BEGIN {printf "replay_one_hall_events_per_s %.0f (%d events, %.1f s)\n", n / (b - a), n, b - a}'
T0=$(now_s)
seq -f '%03g' 2 "$HALLS" | xargs -P "$PAR" -I{} "$BIN" sync --db "$WORK/hall{}.db" --central "$URL" --hall h{} --batch 1000 >/dev/null
T1=$(now_s)
TOTAL=$("${PSQL[@]}" -d central -c "SELECT count(*) FROM hall_events")
awk -v a="$T0" -v b="$T1" -v n="$((PER * (HALLS - 1)))" -v p="$PAR" -v h="$((HALLS - 1))" \
  'BEGIN {printf "replay_events_per_s %.0f (%d halls, %d shippers at a time, %d events, %.1f s)\n", n / (b - a), h, p, n, b - a}'
echo "central_events_total $TOTAL; database $("${PSQL[@]}" -d central -c "SELECT pg_size_pretty(pg_database_size('central'))")"

# 3. live: every hall follows; a writer appends stamped events
for i in $(seq -f '%03g' 1 "$HALLS"); do
  "$BIN" sync --db "$WORK/hall$i.db" --central "$URL" --hall "h$i" --follow --interval-s 1 >/dev/null 2>>"$WORK/follow.err" &
  PIDS+=($!)
done
sleep 3
python3 - "$WORK" "$HALLS" "$RATE" "$LIVE_S" <<'PY'
import sqlite3, sys, time
work, halls, rate, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
cons = [sqlite3.connect("%s/hall%03d.db" % (work, i + 1), timeout=30) for i in range(halls)]
for c in cons:
    c.execute("PRAGMA synchronous=FULL")
end, k = time.time() + secs, 0
tick = 1.0 / rate
while time.time() < end:
    start = time.time()
    for c in cons:
        ms = int(time.time() * 1000)
        seq = c.execute("SELECT max(seq) FROM events").fetchone()[0] + 1
        c.execute("INSERT INTO events (seq, t, actor, type, data) VALUES (?, ?, 'bench', 'bench.stamp', ?)",
                  (seq, ms // 1000, '{"ms": %d}' % ms))
        c.commit()
        k += 1
    time.sleep(max(0.0, tick - (time.time() - start)))
print("live_events_written %d (%d halls, %.0f s)" % (k, halls, secs))
PY
sleep 5
for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
PIDS=()
"${PSQL[@]}" -d central -F ' ' -c "SELECT 'live_events_committed', count(*), 'lag_ms median', round(percentile_cont(0.5) WITHIN GROUP (ORDER BY l)), 'p90', round(percentile_cont(0.9) WITHIN GROUP (ORDER BY l)), 'p99', round(percentile_cont(0.99) WITHIN GROUP (ORDER BY l)), 'max', round(max(l)) FROM (SELECT extract(epoch FROM received_at) * 1000 - (data->>'ms')::bigint AS l FROM hall_events WHERE type = 'bench.stamp') x"
[ -s "$WORK/follow.err" ] && echo "shipper errors: $(sort "$WORK/follow.err" | uniq -c | head -n 3 | tr '\n' ' ')"

# 4. head office's pages at this size
"$BIN" central serve --central "$URL" --users "$TPL" --listen 127.0.0.1:0 >"$WORK/central.out" 2>"$WORK/central.err" &
CPID=$!
for _ in $(seq 1 100); do
  BASE=$(sed -n 's/^hallq central: serving \(http:[^ ]*\).*/\1/p' "$WORK/central.out")
  [ -n "$BASE" ] && break
  sleep 0.1
done
if [ -n "$BASE" ]; then
  curl -fsS -c "$WORK/jar" -H 'Content-Type: application/json' -d '{"username":"admin","password":"bench-admin-123"}' "$BASE/api/login" >/dev/null
  TO=$(date +%F)
  FROM=$(date -d '-29 days' +%F)
  for what in overview "stats?from=$FROM&to=$TO"; do
    for i in 1 2; do
      printf 'page_%s_run%d_s %s\n' "${what%%\?*}" "$i" "$(curl -fsS -b "$WORK/jar" -o /dev/null -w '%{time_total}' "$BASE/api/$what")"
    done
  done
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
