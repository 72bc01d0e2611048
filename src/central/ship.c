/* SPDX-License-Identifier: MIT */
/*
 * ship.c — the shipper of hq_central.h: reads a hall's event log in order from its store and
 * copies it into the central PostgreSQL database in batches, one transaction each, with the hall's
 * high-water mark updated in the same transaction. Prepared statements only (libpq).
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_int.h"
#include "hq_central.h"
#include "store/hq_store.h"

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS halls ("
    " hall TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '', last_seq BIGINT NOT NULL DEFAULT 0,"
    " last_sync TIMESTAMPTZ);"
    "CREATE TABLE IF NOT EXISTS hall_events ("
    " hall TEXT NOT NULL REFERENCES halls(hall), seq BIGINT NOT NULL, t BIGINT NOT NULL,"
    " actor TEXT NOT NULL, type TEXT NOT NULL, data JSONB NOT NULL,"
    " received_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (hall, seq));"
    "CREATE INDEX IF NOT EXISTS hall_events_type_t ON hall_events(type, t);"
    /* for head office's views (central_query.c): one hall's events of a type and period, and how
     * far the hall's own log had got when its shipper last looked (lag in events) */
    "CREATE INDEX IF NOT EXISTS hall_events_hall_type_t ON hall_events(hall, type, t);"
    "ALTER TABLE halls ADD COLUMN IF NOT EXISTS local_seq BIGINT NOT NULL DEFAULT 0;";

static int pg_fail(struct hq_central *c, struct hq_why *why, const char *what)
{
    char msg[200];
    snprintf(msg, sizeof msg, "%s", PQerrorMessage(c->conn));
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = 0;
    return hq_fail(why, HQ_ESTORE, "", "head office database: %s: %s", what, msg);
}

static bool ok(PGresult *r, ExecStatusType want)
{
    bool good = r && PQresultStatus(r) == want;
    PQclear(r);
    return good;
}

static void quiet(void *arg, const char *msg)
{
    (void)arg, (void)msg; /* "already exists, skipping" is no news */
}

struct hq_central *hq_central_open(const char *url, struct hq_why *why)
{
    if (!url || strncmp(url, "postgresql://", 13) != 0) {
        hq_fail(why, HQ_EINVAL, "central", "central: a postgresql:// URL");
        return NULL;
    }
    struct hq_central *c = calloc(1, sizeof *c);
    if (!c) {
        hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        return NULL;
    }
    c->conn = PQconnectdb(url);
    if (PQstatus(c->conn) != CONNECTION_OK) {
        pg_fail(c, why, "cannot connect");
        hq_central_close(c);
        return NULL;
    }
    PQsetNoticeProcessor(c->conn, quiet, NULL);
    if (!ok(PQexec(c->conn, SCHEMA), PGRES_COMMAND_OK) ||
        !ok(PQprepare(c->conn, "mark", "SELECT last_seq FROM halls WHERE hall = $1", 1, NULL),
            PGRES_COMMAND_OK) ||
        !ok(PQprepare(c->conn, "hall",
                      "INSERT INTO halls (hall, name) VALUES ($1, $2) ON CONFLICT (hall) DO "
                      "UPDATE SET name = EXCLUDED.name",
                      2, NULL),
            PGRES_COMMAND_OK) ||
        !ok(PQprepare(c->conn, "event",
                      "INSERT INTO hall_events (hall, seq, t, actor, type, data) VALUES "
                      "($1, $2::bigint, $3::bigint, $4, $5, $6::jsonb) ON CONFLICT DO NOTHING",
                      6, NULL),
            PGRES_COMMAND_OK) ||
        !ok(PQprepare(c->conn, "advance",
                      "UPDATE halls SET last_seq = GREATEST(last_seq, $2::bigint), local_seq = "
                      "GREATEST(local_seq, $2::bigint), last_sync = now() WHERE hall = $1",
                      2, NULL),
            PGRES_COMMAND_OK) ||
        !ok(PQprepare(c->conn, "seen",
                      "UPDATE halls SET local_seq = GREATEST(local_seq, $2::bigint), last_sync = "
                      "now() WHERE hall = $1",
                      2, NULL),
            PGRES_COMMAND_OK)) {
        pg_fail(c, why, "cannot prepare its tables");
        hq_central_close(c);
        return NULL;
    }
    return c;
}

void hq_central_close(struct hq_central *c)
{
    if (!c) return;
    if (c->conn) PQfinish(c->conn);
    free(c);
}

static bool hall_id_ok(const char *h)
{
    size_t n = h ? strlen(h) : 0;
    if (n < 1 || n > 64) return false;
    for (size_t i = 0; i < n; i++) {
        char ch = h[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '.' || ch == '-'))
            return false;
    }
    return true;
}

struct batch {
    struct hq_central *c;
    const char *hall;
    int64_t last;
    int n;
    bool failed;
};

static int on_event(void *ctx, const struct hq_event *e)
{
    struct batch *b = ctx;
    char seq[24], t[24];
    snprintf(seq, sizeof seq, "%lld", (long long)e->seq);
    snprintf(t, sizeof t, "%lld", (long long)e->t);
    const char *v[6] = {b->hall, seq, t, e->actor, e->type, e->data ? e->data : "{}"};
    if (!ok(PQexecPrepared(b->c->conn, "event", 6, v, NULL, NULL, 0), PGRES_COMMAND_OK)) {
        b->failed = true;
        return 1; /* stop */
    }
    b->last = e->seq;
    b->n++;
    return 0;
}

struct probe {
    int64_t seq;
    bool found;
};

static int on_probe(void *ctx, const struct hq_event *e)
{
    struct probe *p = ctx;
    p->found = e->seq == p->seq;
    return 1;
}

static int on_count(void *ctx, const struct hq_event *e)
{
    int64_t *last = ctx;
    *last = e->seq;
    return 0;
}

PGconn *hq__central_conn(struct hq_central *c)
{
    return c->conn;
}

int hq_central_ship(struct hq_central *c, struct hq_store *local, const char *hall,
                    const char *name, int batch, struct hq_central_stats *st, struct hq_why *why)
{
    memset(st, 0, sizeof *st);
    if (!hall_id_ok(hall))
        return hq_fail(why, HQ_EINVAL, "hall", "hall: 1-64 characters of A-Z, a-z, 0-9, _ . -");
    if (batch < 1 || batch > 10000)
        return hq_fail(why, HQ_EINVAL, "batch", "batch: between 1 and 10000 events");
    const char *hv[2] = {hall, name ? name : ""};
    if (!ok(PQexecPrepared(c->conn, "hall", 2, hv, NULL, NULL, 0), PGRES_COMMAND_OK))
        return pg_fail(c, why, "cannot record the hall");
    PGresult *r = PQexecPrepared(c->conn, "mark", 1, hv, NULL, NULL, 0);
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        PQclear(r);
        return pg_fail(c, why, "cannot read how far the hall was shipped");
    }
    int64_t after = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    st->central_seq = after;
    /* Head office's last event must be in this log too: a hall restored from an older backup
     * would give new events old numbers, and they must not be taken for copies. */
    if (after > 0) {
        struct probe p = {after, false};
        if (local->vt->events_since(local, after - 1, 1, on_probe, &p) != 0)
            return hq_fail(why, HQ_ESTORE, "", "cannot read the hall's event log");
        if (!p.found)
            return hq_fail(why, HQ_ECONFLICT, "hall",
                           "hall: head office holds events of '%s' up to %lld, which this hall's "
                           "log does not have (restored from an older backup?): ship it under a "
                           "new hall id",
                           hall, (long long)after);
    }
    /* How far the hall's own log goes now, recorded with the time of this pass (a heartbeat even
     * when there is nothing to ship): head office shows the lag in events and seconds from it. */
    int64_t local_last = after;
    if (local->vt->events_since(local, after, 0, on_count, &local_last) != 0)
        return hq_fail(why, HQ_ESTORE, "", "cannot read the hall's event log");
    char seen[24];
    snprintf(seen, sizeof seen, "%lld", (long long)local_last);
    const char *sv[2] = {hall, seen};
    if (!ok(PQexecPrepared(c->conn, "seen", 2, sv, NULL, NULL, 0), PGRES_COMMAND_OK))
        return pg_fail(c, why, "cannot record the hall");
    for (;;) {
        if (!ok(PQexec(c->conn, "BEGIN"), PGRES_COMMAND_OK)) return pg_fail(c, why, "BEGIN");
        struct batch b = {c, hall, after, 0, false};
        int lrc = local->vt->events_since(local, after, (size_t)batch, on_event, &b);
        if (b.failed || lrc != 0) {
            int rc = b.failed ? pg_fail(c, why, "cannot store an event")
                              : hq_fail(why, HQ_ESTORE, "", "cannot read the hall's event log");
            PQclear(PQexec(c->conn, "ROLLBACK"));
            return rc;
        }
        if (b.n == 0) {
            PQclear(PQexec(c->conn, "ROLLBACK"));
            break;
        }
        char last[24];
        snprintf(last, sizeof last, "%lld", (long long)b.last);
        const char *av[2] = {hall, last};
        if (!ok(PQexecPrepared(c->conn, "advance", 2, av, NULL, NULL, 0), PGRES_COMMAND_OK) ||
            !ok(PQexec(c->conn, "COMMIT"), PGRES_COMMAND_OK)) {
            int rc = pg_fail(c, why, "cannot commit a batch");
            PQclear(PQexec(c->conn, "ROLLBACK"));
            return rc;
        }
        st->shipped += b.n;
        st->batches++;
        after = st->central_seq = b.last;
        if (b.n < batch) break;
    }
    st->local_seq = after;
    return 0;
}
