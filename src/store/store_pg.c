/* SPDX-License-Identifier: MIT */
/*
 * store_pg.c — the PostgreSQL back end (libpq), for a set of halls that share one central
 * database. Same interface and same rules as store_sqlite.c: one transaction per commit() holding
 * every op of every batch, named prepared statements created once per connection (values always
 * sent as parameters, never spliced into SQL), loading in one REPEATABLE READ snapshot, no libpq
 * or SQLSTATE code above this file (HQ_ESTORE with PostgreSQL's message).
 *
 * Schema: the same tables and JSON columns as SQLite (codec.c), with an identity column "ord" to
 * keep creation order (PostgreSQL has no rowid) and a table hallq_schema holding the version;
 * migrations run under a transaction-scoped advisory lock so two servers starting together do not
 * race. commit() returns after COMMIT, i.e. once the server has flushed its WAL
 * (synchronous_commit=on is forced for the session). A dropped connection is reset on the next
 * call. backup() is refused: PostgreSQL has pg_dump and base backups for that.
 */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static const char *const migrations[] = {
    /* 1: everything */
    "CREATE TABLE hall ("
    " id INTEGER PRIMARY KEY CHECK (id = 1), name TEXT NOT NULL, name_en TEXT NOT NULL,"
    " timezone TEXT NOT NULL, hours TEXT NOT NULL, boost_priority_s INTEGER NOT NULL,"
    " boost_appointment_s INTEGER NOT NULL, boost_first_service_s INTEGER NOT NULL,"
    " suspended BOOLEAN NOT NULL, suspend_reason TEXT NOT NULL, target_wait_s INTEGER NOT NULL);"
    "CREATE TABLE services ("
    " ord BIGINT GENERATED ALWAYS AS IDENTITY, code TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " name_en TEXT NOT NULL, avg_service_s INTEGER NOT NULL, documents TEXT NOT NULL,"
    " daily_quota INTEGER NOT NULL, enabled BOOLEAN NOT NULL, hours TEXT NOT NULL,"
    " seq_day INTEGER NOT NULL, seq INTEGER NOT NULL);"
    "CREATE TABLE windows ("
    " number INTEGER PRIMARY KEY, name TEXT NOT NULL, services TEXT NOT NULL,"
    " state TEXT NOT NULL, pause_reason TEXT NOT NULL, paused_at BIGINT NOT NULL,"
    " back_in_s INTEGER NOT NULL, clerk TEXT NOT NULL, current_ticket TEXT NOT NULL,"
    " active TEXT NOT NULL, opened_at BIGINT NOT NULL);"
    "CREATE TABLE staff ("
    " ord BIGINT GENERATED ALWAYS AS IDENTITY, username TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " role TEXT NOT NULL, pw_hash TEXT NOT NULL, certs TEXT NOT NULL, active BOOLEAN NOT NULL);"
    "CREATE TABLE tickets ("
    " ord BIGINT GENERATED ALWAYS AS IDENTITY, id TEXT PRIMARY KEY, number TEXT NOT NULL,"
    " num_prefix TEXT NOT NULL, day INTEGER NOT NULL, seq INTEGER NOT NULL,"
    " service TEXT NOT NULL, next TEXT NOT NULL, category TEXT NOT NULL,"
    " channel TEXT NOT NULL, status TEXT NOT NULL, phone TEXT NOT NULL,"
    " issued_at BIGINT NOT NULL, queued_at BIGINT NOT NULL, appointment_at BIGINT NOT NULL,"
    " called_at BIGINT NOT NULL, started_at BIGINT NOT NULL, finished_at BIGINT NOT NULL,"
    " win INTEGER NOT NULL, clerk TEXT NOT NULL, calls INTEGER NOT NULL, stage INTEGER NOT NULL,"
    " evaluated BOOLEAN NOT NULL);"
    "CREATE INDEX tickets_day ON tickets(day);"
    "CREATE INDEX tickets_status ON tickets(status);"
    "CREATE INDEX tickets_ord ON tickets(ord);"
    "CREATE INDEX tickets_numbering ON tickets(num_prefix, day, seq);"
    "CREATE INDEX tickets_done ON tickets(service, finished_at) WHERE status = 'done';"
    "CREATE TABLE docs ("
    " kind TEXT NOT NULL, key TEXT NOT NULL, json TEXT NOT NULL, t BIGINT NOT NULL,"
    " PRIMARY KEY (kind, key));"
    "CREATE INDEX docs_kind_t ON docs(kind, t);"
    "CREATE TABLE events ("
    " seq BIGINT PRIMARY KEY, t BIGINT NOT NULL, actor TEXT NOT NULL, type TEXT NOT NULL,"
    " data TEXT NOT NULL);"
    "CREATE INDEX events_t ON events(t);",
    /* 2: emergency carry-over of the queue (hq_hall_conf.carry_over) */
    "ALTER TABLE hall ADD COLUMN carry_over BOOLEAN NOT NULL DEFAULT false;",
    /* 3: the hall-wide issue sequence (existing rows take their creation order) and the wait
     * estimated at issue */
    "ALTER TABLE tickets ADD COLUMN iseq BIGINT NOT NULL DEFAULT 0;"
    "ALTER TABLE tickets ADD COLUMN est_wait_s INTEGER NOT NULL DEFAULT -1;"
    "UPDATE tickets SET iseq = ord;"
    "CREATE INDEX tickets_iseq ON tickets(iseq);",
};
_Static_assert(sizeof migrations / sizeof migrations[0] == HQ_SCHEMA_VERSION,
               "one migration per schema version");

#define TICKET_COLS                                                                                \
    "id, number, day, seq, service, next, category, channel, status, phone, issued_at,"            \
    " queued_at, appointment_at, called_at, started_at, finished_at, win, clerk, calls, stage,"    \
    " evaluated, iseq, est_wait_s"

enum {
    Q_PUT_HALL,
    Q_PUT_SERVICE,
    Q_PUT_WINDOW,
    Q_PUT_STAFF,
    Q_PUT_TICKET,
    Q_PUT_DOC,
    Q_DEL_DOC,
    Q_DEL_WINDOW,
    Q_DEL_SERVICE,
    Q_DEL_STAFF,
    Q_ADD_EVENT,
    Q_GET_HALL,
    Q_GET_SERVICES,
    Q_GET_WINDOWS,
    Q_GET_STAFF,
    Q_GET_TICKETS,
    Q_MAX_NUMBER,
    Q_RECENT,
    Q_LAST_SEQ,
    Q_EVENTS_SINCE,
    Q_EVENTS_BETWEEN,
    Q_DOC_GET,
    Q_DOC_LIST,
    Q_TICKETS_BETWEEN,
    Q_MAX_ISEQ,
    Q_TICKET_GET,
    Q_COUNT_
};

static const char *const sql_text[Q_COUNT_] = {
    [Q_PUT_HALL] =
        "INSERT INTO hall (id, name, name_en, timezone, hours, boost_priority_s,"
        " boost_appointment_s, boost_first_service_s, suspended, suspend_reason, target_wait_s,"
        " carry_over)"
        " VALUES (1, $1, $2, $3, $4, $5::int, $6::int, $7::int, $8::boolean, $9, $10::int,"
        " $11::boolean)"
        " ON CONFLICT (id) DO UPDATE SET"
        " name = excluded.name, name_en = excluded.name_en, timezone = excluded.timezone,"
        " hours = excluded.hours, boost_priority_s = excluded.boost_priority_s,"
        " boost_appointment_s = excluded.boost_appointment_s,"
        " boost_first_service_s = excluded.boost_first_service_s,"
        " suspended = excluded.suspended, suspend_reason = excluded.suspend_reason,"
        " target_wait_s = excluded.target_wait_s, carry_over = excluded.carry_over",
    [Q_PUT_SERVICE] =
        "INSERT INTO services (code, name, name_en, avg_service_s, documents, daily_quota,"
        " enabled, hours, seq_day, seq) VALUES ($1, $2, $3, $4::int, $5, $6::int, $7::boolean,"
        " $8, $9::int, $10::int)"
        " ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en,"
        " avg_service_s = excluded.avg_service_s, documents = excluded.documents,"
        " daily_quota = excluded.daily_quota, enabled = excluded.enabled,"
        " hours = excluded.hours, seq_day = excluded.seq_day, seq = excluded.seq",
    [Q_PUT_WINDOW] =
        "INSERT INTO windows (number, name, services, state, pause_reason, paused_at, back_in_s,"
        " clerk, current_ticket, active, opened_at)"
        " VALUES ($1::int, $2, $3, $4, $5, $6::bigint, $7::int, $8, $9, $10, $11::bigint)"
        " ON CONFLICT (number) DO UPDATE SET name = excluded.name, services = excluded.services,"
        " state = excluded.state, pause_reason = excluded.pause_reason,"
        " paused_at = excluded.paused_at, back_in_s = excluded.back_in_s,"
        " clerk = excluded.clerk, current_ticket = excluded.current_ticket,"
        " active = excluded.active, opened_at = excluded.opened_at",
    [Q_PUT_STAFF] = "INSERT INTO staff (username, name, role, pw_hash, certs, active)"
                    " VALUES ($1, $2, $3, $4, $5, $6::boolean) ON CONFLICT (username) DO UPDATE SET"
                    " name = excluded.name, role = excluded.role, pw_hash = excluded.pw_hash,"
                    " certs = excluded.certs, active = excluded.active",
    [Q_PUT_TICKET] =
        "INSERT INTO tickets (id, number, num_prefix, day, seq, service, next, category, channel,"
        " status, phone, issued_at, queued_at, appointment_at, called_at, started_at,"
        " finished_at, win, clerk, calls, stage, evaluated, iseq, est_wait_s)"
        " VALUES ($1, $2::text, rtrim($2::text, '0123456789'), $3::int, $4::int, $5, $6, $7, $8,"
        " $9, $10, $11::bigint, $12::bigint, $13::bigint, $14::bigint, $15::bigint,"
        " $16::bigint, $17::int, $18, $19::int, $20::int, $21::boolean, $22::bigint, $23::int)"
        " ON CONFLICT (id) DO UPDATE SET number = excluded.number,"
        " num_prefix = excluded.num_prefix, day = excluded.day, seq = excluded.seq,"
        " service = excluded.service, next = excluded.next, category = excluded.category,"
        " channel = excluded.channel, status = excluded.status, phone = excluded.phone,"
        " issued_at = excluded.issued_at, queued_at = excluded.queued_at,"
        " appointment_at = excluded.appointment_at, called_at = excluded.called_at,"
        " started_at = excluded.started_at, finished_at = excluded.finished_at,"
        " win = excluded.win, clerk = excluded.clerk, calls = excluded.calls,"
        " stage = excluded.stage, evaluated = excluded.evaluated, iseq = excluded.iseq,"
        " est_wait_s = excluded.est_wait_s",
    [Q_PUT_DOC] = "INSERT INTO docs (kind, key, json, t) VALUES ($1, $2, $3, $4::bigint)"
                  " ON CONFLICT (kind, key) DO UPDATE SET json = excluded.json, t = excluded.t",
    [Q_DEL_DOC] = "DELETE FROM docs WHERE kind = $1 AND key = $2",
    [Q_DEL_WINDOW] = "DELETE FROM windows WHERE number = $1::bigint",
    [Q_DEL_SERVICE] = "DELETE FROM services WHERE code = $1",
    [Q_DEL_STAFF] = "DELETE FROM staff WHERE username = $1",
    [Q_ADD_EVENT] = "INSERT INTO events (seq, t, actor, type, data)"
                    " VALUES ($1::bigint, $2::bigint, $3, $4, $5)",
    [Q_GET_HALL] = "SELECT name, name_en, timezone, hours, boost_priority_s, boost_appointment_s,"
                   " boost_first_service_s, suspended, suspend_reason, target_wait_s, carry_over"
                   " FROM hall WHERE id = 1",
    [Q_GET_SERVICES] = "SELECT code, name, name_en, avg_service_s, documents, daily_quota,"
                       " enabled, hours, seq_day, seq FROM services ORDER BY ord",
    [Q_GET_WINDOWS] = "SELECT number, name, services, state, pause_reason, paused_at, back_in_s,"
                      " clerk, current_ticket, active, opened_at FROM windows ORDER BY number",
    [Q_GET_STAFF] = "SELECT username, name, role, pw_hash, certs, active FROM staff ORDER BY ord",
    [Q_GET_TICKETS] = "SELECT " TICKET_COLS " FROM tickets WHERE day >= $1::int"
                      " OR status IN ('waiting', 'called', 'serving') ORDER BY ord",
    [Q_MAX_NUMBER] = "SELECT day, seq FROM tickets WHERE num_prefix = $1"
                     " ORDER BY day DESC, seq DESC LIMIT 1",
    [Q_RECENT] = "SELECT started_at, finished_at FROM tickets WHERE service = $1"
                 " AND status = 'done' ORDER BY finished_at DESC LIMIT 32",
    [Q_LAST_SEQ] = "SELECT coalesce(max(seq), 0) FROM events",
    [Q_EVENTS_SINCE] = "SELECT seq, t, actor, type, data FROM events WHERE seq > $1::bigint"
                       " ORDER BY seq LIMIT $2::bigint",
    [Q_EVENTS_BETWEEN] = "SELECT seq, t, actor, type, data FROM events"
                         " WHERE t >= $1::bigint AND t < $2::bigint"
                         " AND starts_with(type, $3::text) ORDER BY seq",
    [Q_DOC_GET] = "SELECT json FROM docs WHERE kind = $1 AND key = $2",
    [Q_DOC_LIST] = "SELECT key, json, t FROM docs WHERE kind = $1 AND t >= $2::bigint"
                   " AND ($3::bigint = 0 OR t < $3::bigint) ORDER BY t DESC, key DESC"
                   " LIMIT $4::bigint",
    [Q_TICKETS_BETWEEN] = "SELECT " TICKET_COLS " FROM tickets"
                          " WHERE day BETWEEN $1::int AND $2::int ORDER BY ord",
    [Q_MAX_ISEQ] = "SELECT coalesce(max(iseq), 0) FROM tickets",
    [Q_TICKET_GET] = "SELECT " TICKET_COLS " FROM tickets WHERE id = $1",
};

struct pg_store {
    struct hq_store base;
    PGconn *conn;
    bool prepared;
};

static const struct hq_store_vt pg_vt;

/* ---- parameters: text values built into small per-call buffers ---- */

#define P_MAX 24
struct params {
    const char *v[P_MAX];
    char num[P_MAX][24];
    char *owned[P_MAX];
    int n;
    bool oom;
};

static void p_init(struct params *p)
{
    memset(p, 0, sizeof *p);
}

static void p_str(struct params *p, const char *s)
{
    p->v[p->n++] = s;
}

static void p_null(struct params *p)
{
    p->v[p->n++] = NULL;
}

static void p_i64(struct params *p, int64_t x)
{
    snprintf(p->num[p->n], sizeof p->num[0], "%" PRId64, x);
    p->v[p->n] = p->num[p->n];
    p->n++;
}

static void p_bool(struct params *p, bool b)
{
    p->v[p->n++] = b ? "true" : "false";
}

/* Take a malloc'd string (NULL = the encoder failed: the op fails). */
static void p_own(struct params *p, char *s)
{
    if (!s) p->oom = true;
    p->owned[p->n] = s;
    p->v[p->n++] = s ? s : "";
}

static void p_release(struct params *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->owned[i]);
}

/* ---- connection ---- */

static const char *errmsg(struct pg_store *s)
{
    const char *m = PQerrorMessage(s->conn);
    return m && m[0] ? m : "connection lost";
}

/* Run a statement without parameters; 0 or -1. */
static int exec_simple(struct pg_store *s, const char *sql)
{
    PGresult *r = PQexec(s->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    PQclear(r);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int migrate(struct pg_store *s, struct hq_why *why)
{
    PGresult *r = NULL;
    int ver = 0;
    if (exec_simple(s, "BEGIN") != 0 ||
        exec_simple(s, "SELECT pg_advisory_xact_lock(6867807101)") != 0 ||
        exec_simple(s, "CREATE TABLE IF NOT EXISTS hallq_schema (version INTEGER NOT NULL)") != 0)
        goto dberr;
    r = PQexec(s->conn, "SELECT coalesce(max(version), 0) FROM hallq_schema");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) goto dberr;
    ver = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    r = NULL;
    if (ver > HQ_SCHEMA_VERSION) {
        exec_simple(s, "ROLLBACK");
        return hq_fail(why, HQ_ESTORE, "",
                       "store: database has schema version %d, newer than this build's %d", ver,
                       HQ_SCHEMA_VERSION);
    }
    for (int v = ver; v < HQ_SCHEMA_VERSION; v++)
        if (exec_simple(s, migrations[v]) != 0) {
            hq_fail(why, HQ_ESTORE, "", "store: migration %d failed: %s", v + 1, errmsg(s));
            exec_simple(s, "ROLLBACK");
            return HQ_ESTORE;
        }
    if (ver < HQ_SCHEMA_VERSION) {
        char v[16];
        const char *pv[1] = {v};
        snprintf(v, sizeof v, "%d", HQ_SCHEMA_VERSION);
        if (exec_simple(s, "DELETE FROM hallq_schema") != 0) goto dberr;
        r = PQexecParams(s->conn, "INSERT INTO hallq_schema (version) VALUES ($1::int)", 1, NULL,
                         pv, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) goto dberr;
        PQclear(r);
        r = NULL;
    }
    if (exec_simple(s, "COMMIT") != 0) goto dberr;
    return 0;
dberr:
    hq_fail(why, HQ_ESTORE, "", "store: cannot prepare the database: %s", errmsg(s));
    PQclear(r);
    exec_simple(s, "ROLLBACK");
    return HQ_ESTORE;
}

static int prepare_all(struct pg_store *s, struct hq_why *why)
{
    for (int i = 0; i < Q_COUNT_; i++) {
        char name[16];
        snprintf(name, sizeof name, "hq%d", i);
        PGresult *r = PQprepare(s->conn, name, sql_text[i], 0, NULL);
        bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok)
            return hq_fail(why, HQ_ESTORE, "", "store: cannot prepare statement %d: %s", i,
                           errmsg(s));
    }
    s->prepared = true;
    return 0;
}

/* Make sure the connection is up (reset it once if it dropped) with its statements prepared. */
static int ensure(struct pg_store *s, struct hq_why *why)
{
    if (PQstatus(s->conn) != CONNECTION_OK) {
        s->prepared = false;
        PQreset(s->conn);
        if (PQstatus(s->conn) != CONNECTION_OK)
            return hq_fail(why, HQ_ESTORE, "", "store: PostgreSQL unreachable: %s", errmsg(s));
    }
    if (!s->prepared) {
        if (exec_simple(s, "SET synchronous_commit = on") != 0)
            return hq_fail(why, HQ_ESTORE, "", "store: %s", errmsg(s));
        return prepare_all(s, why);
    }
    return 0;
}

static PGresult *run(struct pg_store *s, int q, const struct params *p)
{
    char name[16];
    snprintf(name, sizeof name, "hq%d", q);
    return PQexecPrepared(s->conn, name, p ? p->n : 0, p ? p->v : NULL, NULL, NULL, 0);
}

/* Run a writing statement; 0 or -1. Releases p. */
static int run_cmd(struct pg_store *s, int q, struct params *p)
{
    int rc = -1;
    if (!p->oom) {
        PGresult *r = run(s, q, p);
        rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
        PQclear(r);
    }
    p_release(p);
    return rc;
}

/* ---- writing ---- */

static int apply_op(struct pg_store *s, const struct hq_op *op)
{
    struct params p;
    p_init(&p);
    switch (op->kind) {
    case HQ_OP_HALL: {
        const struct hq_hall_conf *c = &op->u.hall;
        p_str(&p, c->name);
        p_str(&p, c->name_en);
        p_str(&p, c->timezone);
        p_own(&p, hq__hours_encode(&c->hours));
        p_i64(&p, c->policy.boost_priority_s);
        p_i64(&p, c->policy.boost_appointment_s);
        p_i64(&p, c->policy.boost_first_service_s);
        p_bool(&p, c->suspended);
        p_str(&p, c->suspend_reason);
        p_i64(&p, c->target_wait_s);
        p_bool(&p, c->carry_over);
        return run_cmd(s, Q_PUT_HALL, &p);
    }
    case HQ_OP_SERVICE: {
        const struct hq_service *v = &op->u.service;
        p_str(&p, v->code);
        p_str(&p, v->name);
        p_str(&p, v->name_en);
        p_i64(&p, v->avg_service_s);
        p_own(&p, hq__strs_encode(&v->documents[0][0], sizeof v->documents[0], v->n_documents));
        p_i64(&p, v->daily_quota);
        p_bool(&p, v->enabled);
        p_own(&p, hq__hours_encode(&v->hours));
        p_i64(&p, v->seq_day);
        p_i64(&p, v->seq);
        return run_cmd(s, Q_PUT_SERVICE, &p);
    }
    case HQ_OP_WINDOW: {
        const struct hq_window *w = &op->u.window;
        p_i64(&p, w->number);
        p_str(&p, w->name);
        p_own(&p, hq__strs_encode(&w->services[0][0], sizeof w->services[0], w->n_services));
        p_str(&p, hq_win_state_name(w->state));
        p_str(&p, w->pause_reason);
        p_i64(&p, w->paused_at);
        p_i64(&p, w->back_in_s);
        p_str(&p, w->clerk);
        p_str(&p, w->current);
        p_own(&p, hq__strs_encode(&w->active[0][0], sizeof w->active[0], w->n_active));
        p_i64(&p, w->opened_at);
        return run_cmd(s, Q_PUT_WINDOW, &p);
    }
    case HQ_OP_STAFF: {
        const struct hq_staff *v = &op->u.staff;
        p_str(&p, v->username);
        p_str(&p, v->name);
        p_str(&p, hq_role_name(v->role));
        p_str(&p, v->pw_hash);
        p_own(&p, hq__certs_encode(v->certs, v->n_certs));
        p_bool(&p, v->active);
        return run_cmd(s, Q_PUT_STAFF, &p);
    }
    case HQ_OP_TICKET: {
        const struct hq_ticket *t = &op->u.ticket;
        p_str(&p, t->id);
        p_str(&p, t->number);
        p_i64(&p, t->day);
        p_i64(&p, t->seq);
        p_str(&p, t->service);
        p_own(&p, hq__strs_encode(&t->next[0][0], sizeof t->next[0], t->n_next));
        p_str(&p, hq_category_name(t->category));
        p_str(&p, hq_channel_name(t->channel));
        p_str(&p, hq_status_name(t->status));
        p_str(&p, t->phone);
        p_i64(&p, t->issued_at);
        p_i64(&p, t->queued_at);
        p_i64(&p, t->appointment_at);
        p_i64(&p, t->called_at);
        p_i64(&p, t->started_at);
        p_i64(&p, t->finished_at);
        p_i64(&p, t->window);
        p_str(&p, t->clerk);
        p_i64(&p, t->calls);
        p_i64(&p, t->stage);
        p_bool(&p, t->evaluated);
        p_i64(&p, t->iseq);
        p_i64(&p, t->est_wait_s);
        return run_cmd(s, Q_PUT_TICKET, &p);
    }
    case HQ_OP_DOC: {
        const struct hq_doc *d = &op->u.doc;
        p_str(&p, d->kind);
        p_str(&p, d->key);
        if (d->del) return run_cmd(s, Q_DEL_DOC, &p);
        p_str(&p, d->json);
        p_i64(&p, d->t);
        return run_cmd(s, Q_PUT_DOC, &p);
    }
    case HQ_OP_EVENT: {
        const struct hq_event *e = &op->u.event;
        p_i64(&p, e->seq);
        p_i64(&p, e->t);
        p_str(&p, e->actor);
        p_str(&p, e->type);
        p_str(&p, e->data ? e->data : "{}");
        return run_cmd(s, Q_ADD_EVENT, &p);
    }
    case HQ_OP_WINDOW_DEL:
        p_i64(&p, op->u.window.number);
        return run_cmd(s, Q_DEL_WINDOW, &p);
    case HQ_OP_SERVICE_DEL:
        p_str(&p, op->u.service.code);
        return run_cmd(s, Q_DEL_SERVICE, &p);
    case HQ_OP_STAFF_DEL:
        p_str(&p, op->u.staff.username);
        return run_cmd(s, Q_DEL_STAFF, &p);
    }
    return -1;
}

static const char *op_name(enum hq_op_kind k)
{
    static const char *const names[] = {"ticket",      "window",   "service", "staff",
                                        "hall",        "doc",      "event",   "window_del",
                                        "service_del", "staff_del"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "unknown";
}

/* PostgreSQL's messages end with a newline; the API's do not. */
static void chomp(struct hq_why *why)
{
    if (!why) return;
    size_t n = strlen(why->message);
    while (n > 0 && (why->message[n - 1] == '\n' || why->message[n - 1] == ' '))
        why->message[--n] = 0;
}

static int pg_commit(struct hq_store *base, struct hq_batch *const *batches, size_t n,
                     struct hq_why *why)
{
    struct pg_store *s = (struct pg_store *)base;
    size_t ops = 0;
    for (size_t i = 0; i < n; i++)
        ops += batches[i]->n;
    if (ops == 0) return 0;
    if (ensure(s, why) != 0) return HQ_ESTORE;
    if (exec_simple(s, "BEGIN") != 0) {
        hq_fail(why, HQ_ESTORE, "", "store: cannot begin a transaction: %s", errmsg(s));
        goto fail;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < batches[i]->n; j++) {
            const struct hq_op *op = &batches[i]->ops[j];
            if (apply_op(s, op) != 0) {
                hq_fail(why, HQ_ESTORE, "", "store: cannot write %s (batch %zu, op %zu): %s",
                        op_name(op->kind), i, j, errmsg(s));
                goto fail;
            }
        }
    /* COMMIT of an aborted transaction answers "ROLLBACK" with COMMAND_OK: check the tag. */
    PGresult *r = PQexec(s->conn, "COMMIT");
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(r), "COMMIT") == 0;
    PQclear(r);
    if (!ok) {
        hq_fail(why, HQ_ESTORE, "", "store: commit failed: %s", errmsg(s));
        goto fail;
    }
    return 0;
fail:
    chomp(why);
    if (PQtransactionStatus(s->conn) != PQTRANS_IDLE) exec_simple(s, "ROLLBACK");
    return HQ_ESTORE;
}

/* ---- reading ---- */

static int64_t v_i64(const PGresult *r, int row, int col)
{
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static int v_i32(const PGresult *r, int row, int col, int32_t *out)
{
    int64_t v = v_i64(r, row, col);
    if (v < INT32_MIN || v > INT32_MAX) return -1;
    *out = (int32_t)v;
    return 0;
}

static bool v_bool(const PGresult *r, int row, int col)
{
    return PQgetvalue(r, row, col)[0] == 't';
}

#define V_STR(r, row, col, field)                                                                  \
    hq__copy_str((field), sizeof(field), PQgetvalue((r), (row), (col)))

static int row_ticket(const PGresult *r, int i, struct hq_ticket *t)
{
    int status, cat, chan;
    memset(t, 0, sizeof *t);
    if (V_STR(r, i, 0, t->id) || V_STR(r, i, 1, t->number) || v_i32(r, i, 2, &t->day) ||
        v_i32(r, i, 3, &t->seq) || V_STR(r, i, 4, t->service) ||
        hq__strs_decode(PQgetvalue(r, i, 5), &t->next[0][0], sizeof t->next[0], HQ_NEXT_MAX,
                        &t->n_next) ||
        (cat = hq_category_parse(PQgetvalue(r, i, 6))) < 0 ||
        (chan = hq_channel_parse(PQgetvalue(r, i, 7))) < 0 ||
        (status = hq_status_parse(PQgetvalue(r, i, 8))) < 0 || V_STR(r, i, 9, t->phone) ||
        v_i32(r, i, 16, &t->window) || V_STR(r, i, 17, t->clerk) || v_i32(r, i, 18, &t->calls) ||
        v_i32(r, i, 19, &t->stage) || v_i32(r, i, 22, &t->est_wait_s))
        return -1;
    t->iseq = v_i64(r, i, 21);
    t->category = (enum hq_category)cat;
    t->channel = (enum hq_channel)chan;
    t->status = (enum hq_status)status;
    t->issued_at = v_i64(r, i, 10);
    t->queued_at = v_i64(r, i, 11);
    t->appointment_at = v_i64(r, i, 12);
    t->called_at = v_i64(r, i, 13);
    t->started_at = v_i64(r, i, 14);
    t->finished_at = v_i64(r, i, 15);
    t->evaluated = v_bool(r, i, 20);
    return 0;
}

/* Run a query; the result when it returned rows (caller PQclear), else NULL. Releases p. */
static PGresult *query(struct pg_store *s, int q, struct params *p)
{
    PGresult *r = run(s, q, p);
    if (p) p_release(p);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return NULL;
    }
    return r;
}

static int load_hall(struct pg_store *s, struct hq_hall *h)
{
    PGresult *r = query(s, Q_GET_HALL, NULL);
    int ret = -1;
    if (!r) return -1;
    if (PQntuples(r) == 0) {
        ret = 0;
    } else {
        struct hq_hall_conf c = h->conf;
        if (V_STR(r, 0, 0, c.name) || V_STR(r, 0, 1, c.name_en) || V_STR(r, 0, 2, c.timezone) ||
            hq__hours_decode(PQgetvalue(r, 0, 3), &c.hours) ||
            v_i32(r, 0, 4, &c.policy.boost_priority_s) ||
            v_i32(r, 0, 5, &c.policy.boost_appointment_s) ||
            v_i32(r, 0, 6, &c.policy.boost_first_service_s) || V_STR(r, 0, 8, c.suspend_reason) ||
            v_i32(r, 0, 9, &c.target_wait_s))
            goto out;
        c.suspended = v_bool(r, 0, 7);
        c.carry_over = v_bool(r, 0, 10);
        h->conf = c;
        ret = 0;
    }
out:
    PQclear(r);
    return ret;
}

static int load_services(struct pg_store *s, struct hq_hall *h)
{
    PGresult *r = query(s, Q_GET_SERVICES, NULL);
    struct hq_service *v = malloc(sizeof *v);
    int ret = -1;
    if (!r || !v) goto out;
    for (int i = 0; i < PQntuples(r); i++) {
        memset(v, 0, sizeof *v);
        if (V_STR(r, i, 0, v->code) || V_STR(r, i, 1, v->name) || V_STR(r, i, 2, v->name_en) ||
            v_i32(r, i, 3, &v->avg_service_s) ||
            hq__strs_decode(PQgetvalue(r, i, 4), &v->documents[0][0], sizeof v->documents[0],
                            HQ_DOC_MAX, &v->n_documents) ||
            v_i32(r, i, 5, &v->daily_quota) || hq__hours_decode(PQgetvalue(r, i, 7), &v->hours) ||
            v_i32(r, i, 8, &v->seq_day) || v_i32(r, i, 9, &v->seq))
            goto out;
        v->enabled = v_bool(r, i, 6);
        if (!hq_hall_load_service(h, v)) goto out;
    }
    ret = 0;
out:
    free(v);
    PQclear(r);
    return ret;
}

static int load_windows(struct pg_store *s, struct hq_hall *h)
{
    PGresult *r = query(s, Q_GET_WINDOWS, NULL);
    struct hq_window *w = malloc(sizeof *w);
    int ret = -1, state;
    if (!r || !w) goto out;
    for (int i = 0; i < PQntuples(r); i++) {
        memset(w, 0, sizeof *w);
        if (v_i32(r, i, 0, &w->number) || V_STR(r, i, 1, w->name) ||
            hq__strs_decode(PQgetvalue(r, i, 2), &w->services[0][0], sizeof w->services[0],
                            HQ_WIN_SVC_MAX, &w->n_services) ||
            (state = hq__win_state_parse(PQgetvalue(r, i, 3))) < 0 ||
            V_STR(r, i, 4, w->pause_reason) || v_i32(r, i, 6, &w->back_in_s) ||
            V_STR(r, i, 7, w->clerk) || V_STR(r, i, 8, w->current) ||
            hq__strs_decode(PQgetvalue(r, i, 9), &w->active[0][0], sizeof w->active[0],
                            HQ_WIN_SVC_MAX, &w->n_active))
            goto out;
        w->state = (enum hq_win_state)state;
        w->paused_at = v_i64(r, i, 5);
        w->opened_at = v_i64(r, i, 10);
        if (!hq_hall_load_window(h, w)) goto out;
    }
    ret = 0;
out:
    free(w);
    PQclear(r);
    return ret;
}

static int load_staff(struct pg_store *s, struct hq_hall *h)
{
    PGresult *r = query(s, Q_GET_STAFF, NULL);
    struct hq_staff *v = malloc(sizeof *v);
    int ret = -1, role;
    if (!r || !v) goto out;
    for (int i = 0; i < PQntuples(r); i++) {
        memset(v, 0, sizeof *v);
        if (V_STR(r, i, 0, v->username) || V_STR(r, i, 1, v->name) ||
            (role = hq_role_parse(PQgetvalue(r, i, 2))) < 0 || V_STR(r, i, 3, v->pw_hash) ||
            hq__certs_decode(PQgetvalue(r, i, 4), v->certs, HQ_CERT_MAX, &v->n_certs))
            goto out;
        v->role = (enum hq_role)role;
        v->active = v_bool(r, i, 5);
        if (!hq_hall_load_staff(h, v)) goto out;
    }
    ret = 0;
out:
    free(v);
    PQclear(r);
    return ret;
}

static int load_tickets(struct pg_store *s, struct hq_hall *h, int32_t min_day)
{
    struct params p;
    struct hq_ticket t;
    int ret = -1;
    p_init(&p);
    p_i64(&p, min_day);
    PGresult *r = query(s, Q_GET_TICKETS, &p);
    if (!r) return -1;
    for (int i = 0; i < PQntuples(r); i++)
        if (row_ticket(r, i, &t) != 0 || !hq_hall_load_ticket(h, &t)) goto out;
    ret = 0;
out:
    PQclear(r);
    return ret;
}

static int load_numbering(struct pg_store *s, struct hq_hall *h)
{
    for (size_t i = 0; i < h->n_services; i++) {
        struct hq_service *v = &h->services[i];
        struct params p;
        int32_t day, seq;
        p_init(&p);
        p_str(&p, v->code);
        PGresult *r = query(s, Q_MAX_NUMBER, &p);
        if (!r) return -1;
        if (PQntuples(r) == 1) {
            if (v_i32(r, 0, 0, &day) || v_i32(r, 0, 1, &seq)) {
                PQclear(r);
                return -1;
            }
            if (day > v->seq_day) {
                v->seq_day = day;
                v->seq = seq;
            } else if (day == v->seq_day && seq > v->seq) {
                v->seq = seq;
            }
        }
        PQclear(r);
    }
    return 0;
}

static int load_recent(struct pg_store *s, struct hq_hall *h)
{
    for (size_t i = 0; i < h->n_services; i++) {
        struct hq_service *v = &h->services[i];
        struct params p;
        p_init(&p);
        p_str(&p, v->code);
        PGresult *r = query(s, Q_RECENT, &p);
        if (!r) return -1;
        v->n_recent = 0;
        for (int k = PQntuples(r) - 1; k >= 0; k--) { /* oldest first, newest last */
            int64_t a = v_i64(r, k, 0), b = v_i64(r, k, 1);
            if (a > 0 && b >= a && b - a < INT32_MAX) hq_service_record_time(v, (int32_t)(b - a));
        }
        PQclear(r);
    }
    return 0;
}

static int pg_load(struct hq_store *base, struct hq_hall *h, int32_t min_day, int64_t *last_seq,
                   struct hq_why *why)
{
    struct pg_store *s = (struct pg_store *)base;
    const char *what = "begin";
    int64_t seq = 0;
    if (ensure(s, why) != 0) return HQ_ESTORE;
    if (exec_simple(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") != 0) goto fail;
    if ((what = "hall", load_hall(s, h)) || (what = "services", load_services(s, h)) ||
        (what = "windows", load_windows(s, h)) || (what = "staff", load_staff(s, h)) ||
        (what = "tickets", load_tickets(s, h, min_day)) ||
        (what = "numbering", load_numbering(s, h)) || (what = "recent", load_recent(s, h)))
        goto fail;
    what = "issue sequence";
    PGresult *r = query(s, Q_MAX_ISEQ, NULL);
    if (!r) goto fail;
    if (v_i64(r, 0, 0) > h->issue_seq) h->issue_seq = v_i64(r, 0, 0);
    PQclear(r);
    what = "events";
    r = query(s, Q_LAST_SEQ, NULL);
    if (!r) goto fail;
    seq = v_i64(r, 0, 0);
    PQclear(r);
    what = "end";
    if (exec_simple(s, "COMMIT") != 0) goto fail;
    *last_seq = seq;
    return 0;
fail:
    hq_fail(why, HQ_ESTORE, "", "store: cannot load %s: %s", what,
            PQtransactionStatus(s->conn) == PQTRANS_INERROR || PQstatus(s->conn) != CONNECTION_OK
                ? errmsg(s)
                : "invalid or corrupt row");
    chomp(why);
    if (PQtransactionStatus(s->conn) != PQTRANS_IDLE) exec_simple(s, "ROLLBACK");
    return HQ_ESTORE;
}

/* Reads that may return many rows stream them one at a time (single-row mode). row() returns
 * 0 to go on, 1 to stop, -1 on a bad row. */
static int stream(struct pg_store *s, int q, struct params *p,
                  int (*row)(void *ctx, const PGresult *r), void *ctx)
{
    char name[16];
    int ret = 0;
    bool stop = false;
    if (ensure(s, NULL) != 0) {
        p_release(p);
        return HQ_ESTORE;
    }
    snprintf(name, sizeof name, "hq%d", q);
    int sent = PQsendQueryPrepared(s->conn, name, p->n, p->v, NULL, NULL, 0);
    p_release(p);
    if (!sent || !PQsetSingleRowMode(s->conn)) return HQ_ESTORE;
    PGresult *r;
    while ((r = PQgetResult(s->conn)) != NULL) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE && !stop) {
            int rc = row(ctx, r);
            if (rc != 0) {
                stop = true; /* drain the rest: the connection must end idle */
                if (rc < 0) ret = HQ_ESTORE;
            }
        } else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK) {
            ret = HQ_ESTORE;
        }
        PQclear(r);
    }
    return ret;
}

struct ev_ctx {
    hq_event_cb cb;
    void *ctx;
};

static int ev_row(void *c, const PGresult *r)
{
    struct ev_ctx *e = c;
    struct hq_event ev;
    memset(&ev, 0, sizeof ev);
    ev.seq = v_i64(r, 0, 0);
    ev.t = v_i64(r, 0, 1);
    snprintf(ev.actor, sizeof ev.actor, "%s", PQgetvalue(r, 0, 2));
    snprintf(ev.type, sizeof ev.type, "%s", PQgetvalue(r, 0, 3));
    ev.data = PQgetvalue(r, 0, 4);
    return e->cb(e->ctx, &ev) != 0;
}

static int pg_events_since(struct hq_store *base, int64_t after, size_t max, hq_event_cb cb,
                           void *ctx)
{
    struct params p;
    struct ev_ctx e = {cb, ctx};
    p_init(&p);
    p_i64(&p, after);
    if (max == 0 || max > INT64_MAX)
        p_null(&p); /* LIMIT NULL: no limit */
    else
        p_i64(&p, (int64_t)max);
    return stream((struct pg_store *)base, Q_EVENTS_SINCE, &p, ev_row, &e);
}

static int pg_events_between(struct hq_store *base, int64_t from, int64_t to,
                             const char *type_prefix, hq_event_cb cb, void *ctx)
{
    struct params p;
    struct ev_ctx e = {cb, ctx};
    p_init(&p);
    p_i64(&p, from);
    p_i64(&p, to);
    p_str(&p, type_prefix ? type_prefix : "");
    return stream((struct pg_store *)base, Q_EVENTS_BETWEEN, &p, ev_row, &e);
}

static int pg_doc_get(struct hq_store *base, const char *kind, const char *key, char **json_out)
{
    struct pg_store *s = (struct pg_store *)base;
    struct params p;
    int ret = HQ_ESTORE;
    if (ensure(s, NULL) != 0) return HQ_ESTORE;
    p_init(&p);
    p_str(&p, kind);
    p_str(&p, key);
    PGresult *r = query(s, Q_DOC_GET, &p);
    if (!r) return HQ_ESTORE;
    if (PQntuples(r) == 0) {
        ret = HQ_ENOTFOUND;
    } else {
        char *j = strdup(PQgetvalue(r, 0, 0));
        ret = j ? 0 : HQ_EINTERNAL;
        if (j) *json_out = j;
    }
    PQclear(r);
    return ret;
}

struct doc_ctx {
    hq_doc_cb cb;
    void *ctx;
};

static int doc_row(void *c, const PGresult *r)
{
    struct doc_ctx *d = c;
    return d->cb(d->ctx, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), v_i64(r, 0, 2)) != 0;
}

static int pg_doc_list(struct hq_store *base, const char *kind, int64_t from, int64_t to,
                       size_t max, hq_doc_cb cb, void *ctx)
{
    struct params p;
    struct doc_ctx d = {cb, ctx};
    p_init(&p);
    p_str(&p, kind);
    p_i64(&p, from);
    p_i64(&p, to);
    if (max == 0 || max > INT64_MAX)
        p_null(&p);
    else
        p_i64(&p, (int64_t)max);
    return stream((struct pg_store *)base, Q_DOC_LIST, &p, doc_row, &d);
}

struct tk_ctx {
    hq_ticket_cb cb;
    void *ctx;
};

static int tk_row(void *c, const PGresult *r)
{
    struct tk_ctx *k = c;
    struct hq_ticket t;
    if (row_ticket(r, 0, &t) != 0) return -1;
    return k->cb(k->ctx, &t) != 0;
}

static int pg_tickets_between(struct hq_store *base, int32_t day_from, int32_t day_to,
                              hq_ticket_cb cb, void *ctx)
{
    struct params p;
    struct tk_ctx k = {cb, ctx};
    p_init(&p);
    p_i64(&p, day_from);
    p_i64(&p, day_to);
    return stream((struct pg_store *)base, Q_TICKETS_BETWEEN, &p, tk_row, &k);
}

static int pg_ticket_get(struct hq_store *base, const char *id, struct hq_ticket *out)
{
    struct pg_store *s = (struct pg_store *)base;
    struct params p;
    int ret;
    if (ensure(s, NULL) != 0) return HQ_ESTORE;
    p_init(&p);
    p_str(&p, id);
    PGresult *r = query(s, Q_TICKET_GET, &p);
    if (!r) return HQ_ESTORE;
    if (PQntuples(r) == 0)
        ret = HQ_ENOTFOUND;
    else
        ret = row_ticket(r, 0, out) == 0 ? 0 : HQ_ESTORE;
    PQclear(r);
    return ret;
}

static int pg_backup(struct hq_store *base, const char *path, struct hq_why *why)
{
    (void)base;
    (void)path;
    return hq_fail(why, HQ_EINVAL, "",
                   "store: back up a PostgreSQL database with pg_dump or a base backup");
}

static void pg_close(struct hq_store *base)
{
    struct pg_store *s = (struct pg_store *)base;
    if (!s) return;
    PQfinish(s->conn);
    free(s);
}

struct hq_store *hq__store_pg_open(const char *url, struct hq_why *why)
{
    struct pg_store *s = calloc(1, sizeof *s);
    if (!s) {
        hq_fail(why, HQ_EINTERNAL, "", "store: out of memory");
        return NULL;
    }
    s->base.vt = &pg_vt;
    s->conn = PQconnectdb(url);
    if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
        /* The message may quote the URL's host and user, never its password. */
        hq_fail(why, HQ_ESTORE, "db", "store: cannot connect to PostgreSQL: %s",
                s->conn ? errmsg(s) : "out of memory");
        chomp(why);
        goto fail;
    }
    if (PQsetClientEncoding(s->conn, "UTF8") != 0) {
        hq_fail(why, HQ_ESTORE, "db", "store: PostgreSQL cannot speak UTF-8");
        goto fail;
    }
    /* Keep the server's notices (e.g. "relation already exists, skipping") off stderr. */
    PQsetNoticeProcessor(s->conn, quiet, NULL);
    if (exec_simple(s, "SET client_min_messages = warning") != 0 || migrate(s, why) != 0 ||
        ensure(s, why) != 0) {
        chomp(why);
        goto fail;
    }
    return &s->base;
fail:
    pg_close(&s->base);
    return NULL;
}

static const struct hq_store_vt pg_vt = {
    .name = "postgresql",
    .load = pg_load,
    .commit = pg_commit,
    .events_since = pg_events_since,
    .events_between = pg_events_between,
    .doc_get = pg_doc_get,
    .doc_list = pg_doc_list,
    .tickets_between = pg_tickets_between,
    .ticket_get = pg_ticket_get,
    .backup = pg_backup,
    .close = pg_close,
};
