/* SPDX-License-Identifier: MIT */
/*
 * store_sqlite.c — the default back end: one SQLite file in WAL mode with synchronous=FULL, so a
 * commit that returned is on disk, and readers on other handles never block the writer.
 *
 * Schema (migration 1; PRAGMA user_version holds the version, PRAGMA application_id marks the file
 * as hallq's): hall (one row of settings), services, windows, staff, tickets, docs (JSON text under
 * (kind, key)), events (the append-only log, seq = the caller's sequence number). List-valued
 * fields are JSON text (codec.c). Tables keep insertion order in their rowid; loading in rowid
 * order gives back the order in which things were created (tickets: issue order).
 *
 * Every statement is prepared once at open and kept in the struct; values are always bound, never
 * spliced into SQL. commit() runs BEGIN IMMEDIATE, every op of every batch, COMMIT; on any error
 * it rolls back and reports HQ_ESTORE with SQLite's message. No SQLite code leaves this file.
 * A fault-injection hook (hq_store_sqlite_fail_after) makes the n-th step fail, so tests can prove
 * a failed commit leaves nothing behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store_int.h"

/* ---- schema ---- */

static const char *const migrations[] = {
    /* 1: everything */
    "CREATE TABLE hall ("
    " id INTEGER PRIMARY KEY CHECK (id = 1), name TEXT NOT NULL, name_en TEXT NOT NULL,"
    " timezone TEXT NOT NULL, hours TEXT NOT NULL, boost_priority_s INTEGER NOT NULL,"
    " boost_appointment_s INTEGER NOT NULL, boost_first_service_s INTEGER NOT NULL,"
    " suspended INTEGER NOT NULL, suspend_reason TEXT NOT NULL, target_wait_s INTEGER NOT NULL);"
    "CREATE TABLE services ("
    " code TEXT PRIMARY KEY, name TEXT NOT NULL, name_en TEXT NOT NULL,"
    " avg_service_s INTEGER NOT NULL, documents TEXT NOT NULL, daily_quota INTEGER NOT NULL,"
    " enabled INTEGER NOT NULL, hours TEXT NOT NULL, seq_day INTEGER NOT NULL,"
    " seq INTEGER NOT NULL);"
    "CREATE TABLE windows ("
    " number INTEGER PRIMARY KEY, name TEXT NOT NULL, services TEXT NOT NULL,"
    " state TEXT NOT NULL, pause_reason TEXT NOT NULL, paused_at INTEGER NOT NULL,"
    " back_in_s INTEGER NOT NULL, clerk TEXT NOT NULL, current_ticket TEXT NOT NULL,"
    " active TEXT NOT NULL, opened_at INTEGER NOT NULL);"
    "CREATE TABLE staff ("
    " username TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, pw_hash TEXT NOT NULL,"
    " certs TEXT NOT NULL, active INTEGER NOT NULL);"
    "CREATE TABLE tickets ("
    " id TEXT PRIMARY KEY, number TEXT NOT NULL, num_prefix TEXT NOT NULL, day INTEGER NOT NULL,"
    " seq INTEGER NOT NULL, service TEXT NOT NULL, next TEXT NOT NULL, category TEXT NOT NULL,"
    " channel TEXT NOT NULL, status TEXT NOT NULL, phone TEXT NOT NULL,"
    " issued_at INTEGER NOT NULL, queued_at INTEGER NOT NULL, appointment_at INTEGER NOT NULL,"
    " called_at INTEGER NOT NULL, started_at INTEGER NOT NULL, finished_at INTEGER NOT NULL,"
    " win INTEGER NOT NULL, clerk TEXT NOT NULL, calls INTEGER NOT NULL, stage INTEGER NOT NULL,"
    " evaluated INTEGER NOT NULL);"
    "CREATE INDEX tickets_day ON tickets(day);"
    "CREATE INDEX tickets_status ON tickets(status);"
    "CREATE INDEX tickets_numbering ON tickets(num_prefix, day, seq);"
    "CREATE INDEX tickets_done ON tickets(service, finished_at) WHERE status = 'done';"
    "CREATE TABLE docs ("
    " kind TEXT NOT NULL, key TEXT NOT NULL, json TEXT NOT NULL, t INTEGER NOT NULL,"
    " PRIMARY KEY (kind, key));"
    "CREATE INDEX docs_kind_t ON docs(kind, t);"
    "CREATE TABLE events ("
    " seq INTEGER PRIMARY KEY, t INTEGER NOT NULL, actor TEXT NOT NULL, type TEXT NOT NULL,"
    " data TEXT NOT NULL);"
    "CREATE INDEX events_t ON events(t);",
    /* 2: emergency carry-over of the queue (hq_hall_conf.carry_over) */
    "ALTER TABLE hall ADD COLUMN carry_over INTEGER NOT NULL DEFAULT 0;",
    /* 3: the hall-wide issue sequence (order of tickets issued in one second, across services;
     * existing rows take their rowid, which is issue order) and the wait estimated at issue */
    "ALTER TABLE tickets ADD COLUMN iseq INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE tickets ADD COLUMN est_wait_s INTEGER NOT NULL DEFAULT -1;"
    "UPDATE tickets SET iseq = rowid;"
    "CREATE INDEX tickets_iseq ON tickets(iseq);",
};
_Static_assert(sizeof migrations / sizeof migrations[0] == HQ_SCHEMA_VERSION,
               "one migration per schema version");

/* ---- statements ---- */

#define TICKET_COLS                                                                                \
    "id, number, day, seq, service, next, category, channel, status, phone, issued_at,"            \
    " queued_at, appointment_at, called_at, started_at, finished_at, win, clerk, calls, stage,"    \
    " evaluated, iseq, est_wait_s"

enum {
    ST_BEGIN,
    ST_BEGIN_READ,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_PUT_HALL,
    ST_PUT_SERVICE,
    ST_PUT_WINDOW,
    ST_PUT_STAFF,
    ST_PUT_TICKET,
    ST_UPD_TICKET,
    ST_PUT_DOC,
    ST_DEL_DOC,
    ST_DEL_WINDOW,
    ST_DEL_SERVICE,
    ST_DEL_STAFF,
    ST_ADD_EVENT,
    ST_GET_HALL,
    ST_GET_SERVICES,
    ST_GET_WINDOWS,
    ST_GET_STAFF,
    ST_GET_TICKETS,
    ST_MAX_NUMBER,
    ST_RECENT,
    ST_LAST_SEQ,
    ST_EVENTS_SINCE,
    ST_EVENTS_BETWEEN,
    ST_DOC_GET,
    ST_DOC_LIST,
    ST_TICKETS_BETWEEN,
    ST_MAX_ISEQ,
    ST_TICKET_GET,
    ST_COUNT_
};

static const char *const sql_text[ST_COUNT_] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_BEGIN_READ] = "BEGIN",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_PUT_HALL] =
        "INSERT INTO hall (id, name, name_en, timezone, hours, boost_priority_s,"
        " boost_appointment_s, boost_first_service_s, suspended, suspend_reason, target_wait_s,"
        " carry_over)"
        " VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (id) DO UPDATE SET"
        " name = excluded.name, name_en = excluded.name_en, timezone = excluded.timezone,"
        " hours = excluded.hours, boost_priority_s = excluded.boost_priority_s,"
        " boost_appointment_s = excluded.boost_appointment_s,"
        " boost_first_service_s = excluded.boost_first_service_s,"
        " suspended = excluded.suspended, suspend_reason = excluded.suspend_reason,"
        " target_wait_s = excluded.target_wait_s, carry_over = excluded.carry_over",
    [ST_PUT_SERVICE] =
        "INSERT INTO services (code, name, name_en, avg_service_s, documents, daily_quota,"
        " enabled, hours, seq_day, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
        " ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en,"
        " avg_service_s = excluded.avg_service_s, documents = excluded.documents,"
        " daily_quota = excluded.daily_quota, enabled = excluded.enabled,"
        " hours = excluded.hours, seq_day = excluded.seq_day, seq = excluded.seq",
    [ST_PUT_WINDOW] =
        "INSERT INTO windows (number, name, services, state, pause_reason, paused_at, back_in_s,"
        " clerk, current_ticket, active, opened_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        " ON CONFLICT (number) DO UPDATE SET name = excluded.name, services = excluded.services,"
        " state = excluded.state, pause_reason = excluded.pause_reason,"
        " paused_at = excluded.paused_at, back_in_s = excluded.back_in_s,"
        " clerk = excluded.clerk, current_ticket = excluded.current_ticket,"
        " active = excluded.active, opened_at = excluded.opened_at",
    [ST_PUT_STAFF] = "INSERT INTO staff (username, name, role, pw_hash, certs, active)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (username) DO UPDATE SET"
                     " name = excluded.name, role = excluded.role, pw_hash = excluded.pw_hash,"
                     " certs = excluded.certs, active = excluded.active",
    [ST_PUT_TICKET] =
        "INSERT INTO tickets (id, number, num_prefix, day, seq, service, next, category, channel,"
        " status, phone, issued_at, queued_at, appointment_at, called_at, started_at,"
        " finished_at, win, clerk, calls, stage, evaluated, iseq, est_wait_s)"
        " VALUES (?1, ?2, rtrim(?2, '0123456789'), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
        " ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)"
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
    /* The columns a ticket's life changes, on the row whose fixed columns (number, day, seq,
     * channel, issue time and sequence) are the same: the same row as ST_PUT_TICKET gives, with
     * the same parameters, but the indexes on fixed columns (day, numbering, iseq) are not
     * rewritten: the writer's work per call or no-show fell by a third (issue 12). No row
     * changed: put_ticket falls back to the upsert. */
    [ST_UPD_TICKET] =
        "UPDATE tickets SET service = ?5, next = ?6, category = ?7, status = ?9, phone = ?10,"
        " queued_at = ?12, appointment_at = ?13, called_at = ?14, started_at = ?15,"
        " finished_at = ?16, win = ?17, clerk = ?18, calls = ?19, stage = ?20, evaluated = ?21,"
        " est_wait_s = ?23"
        " WHERE id = ?1 AND number = ?2 AND day = ?3 AND seq = ?4 AND channel = ?8"
        " AND issued_at = ?11 AND iseq = ?22",
    [ST_PUT_DOC] = "INSERT INTO docs (kind, key, json, t) VALUES (?1, ?2, ?3, ?4)"
                   " ON CONFLICT (kind, key) DO UPDATE SET json = excluded.json, t = excluded.t",
    [ST_DEL_DOC] = "DELETE FROM docs WHERE kind = ?1 AND key = ?2",
    [ST_DEL_WINDOW] = "DELETE FROM windows WHERE number = ?1",
    [ST_DEL_SERVICE] = "DELETE FROM services WHERE code = ?1",
    [ST_DEL_STAFF] = "DELETE FROM staff WHERE username = ?1",
    [ST_ADD_EVENT] = "INSERT INTO events (seq, t, actor, type, data) VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_GET_HALL] = "SELECT name, name_en, timezone, hours, boost_priority_s, boost_appointment_s,"
                    " boost_first_service_s, suspended, suspend_reason, target_wait_s, carry_over"
                    " FROM hall WHERE id = 1",
    [ST_GET_SERVICES] = "SELECT code, name, name_en, avg_service_s, documents, daily_quota,"
                        " enabled, hours, seq_day, seq FROM services ORDER BY rowid",
    [ST_GET_WINDOWS] = "SELECT number, name, services, state, pause_reason, paused_at, back_in_s,"
                       " clerk, current_ticket, active, opened_at FROM windows ORDER BY number",
    [ST_GET_STAFF] = "SELECT username, name, role, pw_hash, certs, active FROM staff"
                     " ORDER BY rowid",
    /* The two searches by index, not "day >= ?1 OR status IN …", which SQLite answers by reading
     * every ticket ever issued: minutes at start-up on a year of 10M tickets. */
    [ST_GET_TICKETS] =
        "SELECT " TICKET_COLS " FROM tickets WHERE rowid IN"
        " (SELECT rowid FROM tickets WHERE day >= ?1 UNION ALL"
        " SELECT rowid FROM tickets WHERE status IN ('waiting', 'called', 'serving'))"
        " ORDER BY rowid",
    [ST_MAX_NUMBER] = "SELECT day, seq FROM tickets WHERE num_prefix = ?1"
                      " ORDER BY day DESC, seq DESC LIMIT 1",
    [ST_RECENT] = "SELECT started_at, finished_at FROM tickets WHERE service = ?1"
                  " AND status = 'done' ORDER BY finished_at DESC LIMIT 32",
    [ST_LAST_SEQ] = "SELECT coalesce(max(seq), 0) FROM events",
    [ST_EVENTS_SINCE] = "SELECT seq, t, actor, type, data FROM events WHERE seq > ?1"
                        " ORDER BY seq LIMIT ?2",
    [ST_EVENTS_BETWEEN] = "SELECT seq, t, actor, type, data FROM events WHERE t >= ?1 AND t < ?2"
                          " AND substr(type, 1, length(?3)) = ?3 ORDER BY seq",
    [ST_DOC_GET] = "SELECT json FROM docs WHERE kind = ?1 AND key = ?2",
    [ST_DOC_LIST] = "SELECT key, json, t FROM docs WHERE kind = ?1 AND t >= ?2"
                    " AND (?3 = 0 OR t < ?3) ORDER BY t DESC, key DESC LIMIT ?4",
    [ST_TICKETS_BETWEEN] = "SELECT " TICKET_COLS " FROM tickets WHERE day BETWEEN ?1 AND ?2"
                           " ORDER BY rowid",
    [ST_MAX_ISEQ] = "SELECT coalesce(max(iseq), 0) FROM tickets",
    [ST_TICKET_GET] = "SELECT " TICKET_COLS " FROM tickets WHERE id = ?1",
};

struct sq_store {
    struct hq_store base;
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT_];
    int fail_after;       /* fault injection: steps left before one fails; 0 = off */
    struct hq__memo memo; /* the list-valued fields last written (memo.c) */
};

static const struct hq_store_vt sqlite_vt;

/* ---- helpers ---- */

/* sqlite3_step with the fault-injection hook; every step of this file goes through it. */
static int step(struct sq_store *s, sqlite3_stmt *st)
{
    if (s->fail_after > 0 && --s->fail_after == 0)
        return SQLITE_IOERR; /* as if the disk had failed */
    return sqlite3_step(st);
}

/* Run a statement that returns no rows; 0 or -1. Resets it either way. */
static int exec_st(struct sq_store *s, int which)
{
    sqlite3_stmt *st = s->st[which];
    int rc = step(s, st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static void done(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Not copied: every statement of this file is reset and its bindings cleared (exec_st, done)
 * before the caller's string can change or go away. */
static int bind_text(sqlite3_stmt *st, int i, const char *v)
{
    return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* Bind a malloc'd string and give it to SQLite (NULL: out of memory or bad UTF-8 → error). */
static int bind_owned(sqlite3_stmt *st, int i, char *v)
{
    if (!v) return SQLITE_NOMEM;
    return sqlite3_bind_text(st, i, v, -1, free);
}

/* Bind a text the memo holds (NULL: out of memory or bad UTF-8 → error); SQLite copies it. */
static int bind_memo(sqlite3_stmt *st, int i, const char *v)
{
    if (!v) return SQLITE_NOMEM;
    return sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *v = sqlite3_column_text(st, i);
    return v ? (const char *)v : "";
}

#define COL_STR(st, i, field) hq__copy_str((field), sizeof(field), col_text((st), (i)))

static int col_i32(sqlite3_stmt *st, int i, int32_t *out)
{
    sqlite3_int64 v = sqlite3_column_int64(st, i);
    if (v < INT32_MIN || v > INT32_MAX) return -1;
    *out = (int32_t)v;
    return 0;
}

/* ---- writing ---- */

static int put_hall(struct sq_store *s, const struct hq_hall_conf *c)
{
    sqlite3_stmt *st = s->st[ST_PUT_HALL];
    int rc = bind_text(st, 1, c->name) | bind_text(st, 2, c->name_en) |
             bind_text(st, 3, c->timezone) | bind_owned(st, 4, hq__hours_encode(&c->hours)) |
             sqlite3_bind_int(st, 5, c->policy.boost_priority_s) |
             sqlite3_bind_int(st, 6, c->policy.boost_appointment_s) |
             sqlite3_bind_int(st, 7, c->policy.boost_first_service_s) |
             sqlite3_bind_int(st, 8, c->suspended) | bind_text(st, 9, c->suspend_reason) |
             sqlite3_bind_int(st, 10, c->target_wait_s) | sqlite3_bind_int(st, 11, c->carry_over);
    if (rc != SQLITE_OK) {
        done(st);
        return -1;
    }
    return exec_st(s, ST_PUT_HALL);
}

static int put_service(struct sq_store *s, const struct hq_service *v)
{
    sqlite3_stmt *st = s->st[ST_PUT_SERVICE];
    int rc = bind_text(st, 1, v->code) | bind_text(st, 2, v->name) | bind_text(st, 3, v->name_en) |
             sqlite3_bind_int(st, 4, v->avg_service_s) | sqlite3_bind_int(st, 6, v->daily_quota) |
             sqlite3_bind_int(st, 7, v->enabled) | sqlite3_bind_int(st, 9, v->seq_day) |
             sqlite3_bind_int(st, 10, v->seq);
    /* one memo text at a time, each copied by SQLite before the next (memo.c may free it) */
    rc |= bind_memo(st, 5,
                    hq__memo_strs(&s->memo, "documents", v->code, &v->documents[0][0],
                                  sizeof v->documents[0], v->n_documents));
    rc |= bind_memo(st, 8, hq__memo_hours(&s->memo, "hours", v->code, &v->hours));
    if (rc != SQLITE_OK) {
        done(st);
        return -1;
    }
    return exec_st(s, ST_PUT_SERVICE);
}

static int put_window(struct sq_store *s, const struct hq_window *w)
{
    sqlite3_stmt *st = s->st[ST_PUT_WINDOW];
    char key[16];
    snprintf(key, sizeof key, "%d", w->number);
    int rc = sqlite3_bind_int(st, 1, w->number) | bind_text(st, 2, w->name) |
             bind_text(st, 4, hq_win_state_name(w->state)) | bind_text(st, 5, w->pause_reason) |
             sqlite3_bind_int64(st, 6, w->paused_at) | sqlite3_bind_int(st, 7, w->back_in_s) |
             bind_text(st, 8, w->clerk) | bind_text(st, 9, w->current) |
             sqlite3_bind_int64(st, 11, w->opened_at);
    /* one memo text at a time, each copied by SQLite before the next (memo.c may free it) */
    rc |= bind_memo(st, 3,
                    hq__memo_strs(&s->memo, "services", key, &w->services[0][0],
                                  sizeof w->services[0], w->n_services));
    rc |= bind_memo(
        st, 10,
        hq__memo_strs(&s->memo, "active", key, &w->active[0][0], sizeof w->active[0], w->n_active));
    if (rc != SQLITE_OK) {
        done(st);
        return -1;
    }
    return exec_st(s, ST_PUT_WINDOW);
}

static int put_staff(struct sq_store *s, const struct hq_staff *v)
{
    sqlite3_stmt *st = s->st[ST_PUT_STAFF];
    int rc = bind_text(st, 1, v->username) | bind_text(st, 2, v->name) |
             bind_text(st, 3, hq_role_name(v->role)) | bind_text(st, 4, v->pw_hash) |
             bind_owned(st, 5, hq__certs_encode(v->certs, v->n_certs)) |
             sqlite3_bind_int(st, 6, v->active);
    if (rc != SQLITE_OK) {
        done(st);
        return -1;
    }
    return exec_st(s, ST_PUT_STAFF);
}

/* Both ticket statements take the same parameters (?1 … ?23). */
static int bind_ticket(struct sq_store *s, sqlite3_stmt *st, const struct hq_ticket *t)
{
    int rc = bind_text(st, 1, t->id) | bind_text(st, 2, t->number) |
             sqlite3_bind_int(st, 3, t->day) | sqlite3_bind_int(st, 4, t->seq) |
             bind_text(st, 5, t->service) |
             bind_memo(st, 6,
                       hq__memo_strs(&s->memo, "next", t->service, &t->next[0][0],
                                     sizeof t->next[0], t->n_next)) |
             bind_text(st, 7, hq_category_name(t->category)) |
             bind_text(st, 8, hq_channel_name(t->channel)) |
             bind_text(st, 9, hq_status_name(t->status)) | bind_text(st, 10, t->phone) |
             sqlite3_bind_int64(st, 11, t->issued_at) | sqlite3_bind_int64(st, 12, t->queued_at) |
             sqlite3_bind_int64(st, 13, t->appointment_at) |
             sqlite3_bind_int64(st, 14, t->called_at) | sqlite3_bind_int64(st, 15, t->started_at) |
             sqlite3_bind_int64(st, 16, t->finished_at) | sqlite3_bind_int(st, 17, t->window) |
             bind_text(st, 18, t->clerk) | sqlite3_bind_int(st, 19, t->calls) |
             sqlite3_bind_int(st, 20, t->stage) | sqlite3_bind_int(st, 21, t->evaluated) |
             sqlite3_bind_int64(st, 22, t->iseq) | sqlite3_bind_int(st, 23, t->est_wait_s);
    if (rc != SQLITE_OK) done(st);
    return rc == SQLITE_OK ? 0 : -1;
}

/* A ticket just issued is inserted; any other is first updated in place, and upserted when no
 * row with its id and fixed columns was there (hq_op.fresh). */
static int put_ticket(struct sq_store *s, const struct hq_ticket *t, bool fresh)
{
    if (!fresh) {
        if (bind_ticket(s, s->st[ST_UPD_TICKET], t) != 0 || exec_st(s, ST_UPD_TICKET) != 0)
            return -1;
        if (sqlite3_changes(s->db) > 0) return 0;
    }
    if (bind_ticket(s, s->st[ST_PUT_TICKET], t) != 0) return -1;
    return exec_st(s, ST_PUT_TICKET);
}

static int put_doc(struct sq_store *s, const struct hq_doc *d)
{
    int which = d->del ? ST_DEL_DOC : ST_PUT_DOC;
    sqlite3_stmt *st = s->st[which];
    int rc = bind_text(st, 1, d->kind) | bind_text(st, 2, d->key);
    if (!d->del) rc |= bind_text(st, 3, d->json) | sqlite3_bind_int64(st, 4, d->t);
    if (rc != SQLITE_OK) {
        done(st);
        return -1;
    }
    return exec_st(s, which);
}

static int add_event(struct sq_store *s, const struct hq_event *e)
{
    sqlite3_stmt *st = s->st[ST_ADD_EVENT];
    int rc = sqlite3_bind_int64(st, 1, e->seq) | sqlite3_bind_int64(st, 2, e->t) |
             bind_text(st, 3, e->actor) | bind_text(st, 4, e->type) |
             bind_text(st, 5, e->data ? e->data : "{}");
    if (rc != SQLITE_OK) {
        done(st);
        return -1;
    }
    return exec_st(s, ST_ADD_EVENT);
}

static int apply_op(struct sq_store *s, const struct hq_op *op)
{
    switch (op->kind) {
    case HQ_OP_TICKET:
        return put_ticket(s, &op->u.ticket, op->fresh);
    case HQ_OP_WINDOW:
        return put_window(s, &op->u.window);
    case HQ_OP_SERVICE:
        return put_service(s, &op->u.service);
    case HQ_OP_STAFF:
        return put_staff(s, &op->u.staff);
    case HQ_OP_HALL:
        return put_hall(s, &op->u.hall);
    case HQ_OP_DOC:
        return put_doc(s, &op->u.doc);
    case HQ_OP_WINDOW_DEL: {
        sqlite3_stmt *st = s->st[ST_DEL_WINDOW];
        if (sqlite3_bind_int(st, 1, op->u.window.number) != SQLITE_OK) {
            done(st);
            return -1;
        }
        return exec_st(s, ST_DEL_WINDOW);
    }
    case HQ_OP_SERVICE_DEL:
    case HQ_OP_STAFF_DEL: {
        bool svc = op->kind == HQ_OP_SERVICE_DEL;
        int which = svc ? ST_DEL_SERVICE : ST_DEL_STAFF;
        sqlite3_stmt *st = s->st[which];
        const char *key = svc ? op->u.service.code : op->u.staff.username;
        if (sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
            done(st);
            return -1;
        }
        return exec_st(s, which);
    }
    case HQ_OP_EVENT:
        return add_event(s, &op->u.event);
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

static int sq_commit(struct hq_store *base, struct hq_batch *const *batches, size_t n,
                     struct hq_why *why)
{
    struct sq_store *s = (struct sq_store *)base;
    size_t ops = 0;
    for (size_t i = 0; i < n; i++)
        ops += batches[i]->n;
    if (ops == 0) return 0;
    if (exec_st(s, ST_BEGIN) != 0)
        return hq_fail(why, HQ_ESTORE, "", "store: cannot begin a transaction: %s",
                       sqlite3_errmsg(s->db));
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < batches[i]->n; j++) {
            const struct hq_op *op = &batches[i]->ops[j];
            if (apply_op(s, op) != 0) {
                hq_fail(why, HQ_ESTORE, "", "store: cannot write %s (batch %zu, op %zu): %s",
                        op_name(op->kind), i, j, sqlite3_errmsg(s->db));
                goto fail;
            }
        }
    }
    if (exec_st(s, ST_COMMIT) != 0) {
        hq_fail(why, HQ_ESTORE, "", "store: commit failed: %s", sqlite3_errmsg(s->db));
        goto fail;
    }
    return 0;
fail:
    /* The hook must not stop the rollback. */
    if (sqlite3_get_autocommit(s->db) == 0) {
        sqlite3_step(s->st[ST_ROLLBACK]);
        sqlite3_reset(s->st[ST_ROLLBACK]);
    }
    return HQ_ESTORE;
}

/* ---- reading ---- */

static int row_ticket(sqlite3_stmt *st, struct hq_ticket *t)
{
    int status, cat, chan;
    memset(t, 0, sizeof *t);
    if (COL_STR(st, 0, t->id) || COL_STR(st, 1, t->number) || col_i32(st, 2, &t->day) ||
        col_i32(st, 3, &t->seq) || COL_STR(st, 4, t->service) ||
        hq__strs_decode(col_text(st, 5), &t->next[0][0], sizeof t->next[0], HQ_NEXT_MAX,
                        &t->n_next) ||
        (cat = hq_category_parse(col_text(st, 6))) < 0 ||
        (chan = hq_channel_parse(col_text(st, 7))) < 0 ||
        (status = hq_status_parse(col_text(st, 8))) < 0 || COL_STR(st, 9, t->phone) ||
        col_i32(st, 16, &t->window) || COL_STR(st, 17, t->clerk) || col_i32(st, 18, &t->calls) ||
        col_i32(st, 19, &t->stage) || col_i32(st, 22, &t->est_wait_s))
        return -1;
    t->iseq = sqlite3_column_int64(st, 21);
    t->category = (enum hq_category)cat;
    t->channel = (enum hq_channel)chan;
    t->status = (enum hq_status)status;
    t->issued_at = sqlite3_column_int64(st, 10);
    t->queued_at = sqlite3_column_int64(st, 11);
    t->appointment_at = sqlite3_column_int64(st, 12);
    t->called_at = sqlite3_column_int64(st, 13);
    t->started_at = sqlite3_column_int64(st, 14);
    t->finished_at = sqlite3_column_int64(st, 15);
    t->evaluated = sqlite3_column_int(st, 20) != 0;
    return 0;
}

static void row_event(sqlite3_stmt *st, struct hq_event *e)
{
    memset(e, 0, sizeof *e);
    e->seq = sqlite3_column_int64(st, 0);
    e->t = sqlite3_column_int64(st, 1);
    /* Written through hq_batch_event, which checked the lengths; cut rather than fail a replay. */
    snprintf(e->actor, sizeof e->actor, "%s", col_text(st, 2));
    snprintf(e->type, sizeof e->type, "%s", col_text(st, 3));
    e->data = (char *)col_text(st, 4);
}

/* Each load_* steps its statement to the end; 0, or -1 with *what naming the table at fault. */
static int load_hall(struct sq_store *s, struct hq_hall *h)
{
    sqlite3_stmt *st = s->st[ST_GET_HALL];
    int rc = step(s, st), ret = -1;
    if (rc == SQLITE_DONE) {
        ret = 0; /* a fresh file: the defaults of hq_hall_init stand */
    } else if (rc == SQLITE_ROW) {
        struct hq_hall_conf c = h->conf;
        if (COL_STR(st, 0, c.name) || COL_STR(st, 1, c.name_en) || COL_STR(st, 2, c.timezone) ||
            hq__hours_decode(col_text(st, 3), &c.hours) ||
            col_i32(st, 4, &c.policy.boost_priority_s) ||
            col_i32(st, 5, &c.policy.boost_appointment_s) ||
            col_i32(st, 6, &c.policy.boost_first_service_s) || COL_STR(st, 8, c.suspend_reason) ||
            col_i32(st, 9, &c.target_wait_s))
            goto out;
        c.suspended = sqlite3_column_int(st, 7) != 0;
        c.carry_over = sqlite3_column_int(st, 10) != 0;
        h->conf = c;
        ret = 0;
    }
out:
    done(st);
    return ret;
}

/* Step statement `which` to its end, each row decoded by row() into a zeroed buffer of size bytes
 * and handed to the hall; 0, or -1 at the first row that does not decode or fit. */
static int load_rows(struct sq_store *s, int which, struct hq_hall *h, size_t size,
                     int (*row)(sqlite3_stmt *, void *, struct hq_hall *))
{
    sqlite3_stmt *st = s->st[which];
    int rc = SQLITE_ERROR;
    void *v = malloc(size);
    while (v && (rc = step(s, st)) == SQLITE_ROW) {
        memset(v, 0, size);
        if (row(st, v, h) != 0) {
            rc = SQLITE_ERROR;
            break;
        }
    }
    free(v);
    done(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int row_service(sqlite3_stmt *st, void *p, struct hq_hall *h)
{
    struct hq_service *v = p;
    if (COL_STR(st, 0, v->code) || COL_STR(st, 1, v->name) || COL_STR(st, 2, v->name_en) ||
        col_i32(st, 3, &v->avg_service_s) ||
        hq__strs_decode(col_text(st, 4), &v->documents[0][0], sizeof v->documents[0], HQ_DOC_MAX,
                        &v->n_documents) ||
        col_i32(st, 5, &v->daily_quota) || hq__hours_decode(col_text(st, 7), &v->hours) ||
        col_i32(st, 8, &v->seq_day) || col_i32(st, 9, &v->seq))
        return -1;
    v->enabled = sqlite3_column_int(st, 6) != 0;
    return hq_hall_load_service(h, v) ? 0 : -1;
}

static int row_window(sqlite3_stmt *st, void *p, struct hq_hall *h)
{
    struct hq_window *w = p;
    int state;
    if (col_i32(st, 0, &w->number) || COL_STR(st, 1, w->name) ||
        hq__strs_decode(col_text(st, 2), &w->services[0][0], sizeof w->services[0], HQ_WIN_SVC_MAX,
                        &w->n_services) ||
        (state = hq__win_state_parse(col_text(st, 3))) < 0 || COL_STR(st, 4, w->pause_reason) ||
        col_i32(st, 6, &w->back_in_s) || COL_STR(st, 7, w->clerk) || COL_STR(st, 8, w->current) ||
        hq__strs_decode(col_text(st, 9), &w->active[0][0], sizeof w->active[0], HQ_WIN_SVC_MAX,
                        &w->n_active))
        return -1;
    w->state = (enum hq_win_state)state;
    w->paused_at = sqlite3_column_int64(st, 5);
    w->opened_at = sqlite3_column_int64(st, 10);
    return hq_hall_load_window(h, w) ? 0 : -1;
}

static int row_staff(sqlite3_stmt *st, void *p, struct hq_hall *h)
{
    struct hq_staff *v = p;
    int role;
    if (COL_STR(st, 0, v->username) || COL_STR(st, 1, v->name) ||
        (role = hq_role_parse(col_text(st, 2))) < 0 || COL_STR(st, 3, v->pw_hash) ||
        hq__certs_decode(col_text(st, 4), v->certs, HQ_CERT_MAX, &v->n_certs))
        return -1;
    v->role = (enum hq_role)role;
    v->active = sqlite3_column_int(st, 5) != 0;
    return hq_hall_load_staff(h, v) ? 0 : -1;
}

static int row_hall_ticket(sqlite3_stmt *st, void *p, struct hq_hall *h)
{
    struct hq_ticket *t = p;
    return row_ticket(st, t) == 0 && hq_hall_load_ticket(h, t) ? 0 : -1;
}

static int load_services(struct sq_store *s, struct hq_hall *h)
{
    return load_rows(s, ST_GET_SERVICES, h, sizeof(struct hq_service), row_service);
}

static int load_windows(struct sq_store *s, struct hq_hall *h)
{
    return load_rows(s, ST_GET_WINDOWS, h, sizeof(struct hq_window), row_window);
}

static int load_staff(struct sq_store *s, struct hq_hall *h)
{
    return load_rows(s, ST_GET_STAFF, h, sizeof(struct hq_staff), row_staff);
}

static int load_tickets(struct sq_store *s, struct hq_hall *h, int32_t min_day)
{
    sqlite3_bind_int(s->st[ST_GET_TICKETS], 1, min_day);
    return load_rows(s, ST_GET_TICKETS, h, sizeof(struct hq_ticket), row_hall_ticket);
}

/* Numbering never goes back: a service's (seq_day, seq) is at least the highest number ever
 * issued under its code, even when a service row was not written with its ticket. */
static int load_numbering(struct sq_store *s, struct hq_hall *h)
{
    sqlite3_stmt *st = s->st[ST_MAX_NUMBER];
    for (size_t i = 0; i < h->n_services; i++) {
        struct hq_service *v = &h->services[i];
        int32_t day, seq;
        bind_text(st, 1, v->code);
        int rc = step(s, st);
        if (rc == SQLITE_ROW) {
            if (col_i32(st, 0, &day) || col_i32(st, 1, &seq)) {
                done(st);
                return -1;
            }
            if (day > v->seq_day) {
                v->seq_day = day;
                v->seq = seq;
            } else if (day == v->seq_day && seq > v->seq) {
                v->seq = seq;
            }
        } else if (rc != SQLITE_DONE) {
            done(st);
            return -1;
        }
        done(st);
    }
    return 0;
}

/* Recent service times from the last finished tickets of each service, oldest first. */
static int load_recent(struct sq_store *s, struct hq_hall *h)
{
    sqlite3_stmt *st = s->st[ST_RECENT];
    for (size_t i = 0; i < h->n_services; i++) {
        struct hq_service *v = &h->services[i];
        int32_t times[32];
        int n = 0, rc;
        bind_text(st, 1, v->code);
        while ((rc = step(s, st)) == SQLITE_ROW && n < 32) {
            int64_t a = sqlite3_column_int64(st, 0), b = sqlite3_column_int64(st, 1);
            if (a > 0 && b >= a && b - a < INT32_MAX) times[n++] = (int32_t)(b - a);
        }
        done(st);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) return -1;
        v->n_recent = 0;
        while (n > 0)
            hq_service_record_time(v, times[--n]);
    }
    return 0;
}

static int sq_load(struct hq_store *base, struct hq_hall *h, int32_t min_day, int64_t *last_seq,
                   struct hq_why *why)
{
    struct sq_store *s = (struct sq_store *)base;
    const char *what = "begin";
    int64_t seq = 0;
    if (exec_st(s, ST_BEGIN_READ) != 0) /* one snapshot for everything */
        goto fail;
    if ((what = "hall", load_hall(s, h)) || (what = "services", load_services(s, h)) ||
        (what = "windows", load_windows(s, h)) || (what = "staff", load_staff(s, h)) ||
        (what = "tickets", load_tickets(s, h, min_day)) ||
        (what = "numbering", load_numbering(s, h)) || (what = "recent", load_recent(s, h)))
        goto fail;
    what = "issue sequence";
    if (step(s, s->st[ST_MAX_ISEQ]) != SQLITE_ROW) {
        done(s->st[ST_MAX_ISEQ]);
        goto fail;
    }
    if (sqlite3_column_int64(s->st[ST_MAX_ISEQ], 0) > h->issue_seq)
        h->issue_seq = sqlite3_column_int64(s->st[ST_MAX_ISEQ], 0);
    done(s->st[ST_MAX_ISEQ]);
    what = "events";
    if (step(s, s->st[ST_LAST_SEQ]) != SQLITE_ROW) {
        done(s->st[ST_LAST_SEQ]);
        goto fail;
    }
    seq = sqlite3_column_int64(s->st[ST_LAST_SEQ], 0);
    done(s->st[ST_LAST_SEQ]);
    what = "end";
    if (exec_st(s, ST_COMMIT) != 0) goto fail;
    *last_seq = seq;
    return 0;
fail:
    hq_fail(why, HQ_ESTORE, "", "store: cannot load %s: %s", what,
            sqlite3_errcode(s->db) == SQLITE_OK ? "invalid or corrupt row" : sqlite3_errmsg(s->db));
    if (sqlite3_get_autocommit(s->db) == 0) {
        sqlite3_step(s->st[ST_ROLLBACK]);
        sqlite3_reset(s->st[ST_ROLLBACK]);
    }
    return HQ_ESTORE;
}

static int sq_events_since(struct hq_store *base, int64_t after, size_t max, hq_event_cb cb,
                           void *ctx)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st = s->st[ST_EVENTS_SINCE];
    struct hq_event e;
    int rc;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, max == 0 || max > INT64_MAX ? -1 : (sqlite3_int64)max);
    while ((rc = step(s, st)) == SQLITE_ROW) {
        row_event(st, &e);
        if (cb(ctx, &e) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    done(st);
    return rc == SQLITE_DONE ? 0 : HQ_ESTORE;
}

static int sq_events_between(struct hq_store *base, int64_t from, int64_t to,
                             const char *type_prefix, hq_event_cb cb, void *ctx)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st = s->st[ST_EVENTS_BETWEEN];
    struct hq_event e;
    int rc;
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    bind_text(st, 3, type_prefix ? type_prefix : "");
    while ((rc = step(s, st)) == SQLITE_ROW) {
        row_event(st, &e);
        if (cb(ctx, &e) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    done(st);
    return rc == SQLITE_DONE ? 0 : HQ_ESTORE;
}

static int sq_doc_get(struct hq_store *base, const char *kind, const char *key, char **json_out)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st = s->st[ST_DOC_GET];
    int ret = HQ_ESTORE;
    bind_text(st, 1, kind);
    bind_text(st, 2, key);
    int rc = step(s, st);
    if (rc == SQLITE_ROW) {
        char *j = strdup(col_text(st, 0));
        if (j) {
            *json_out = j;
            ret = 0;
        } else {
            ret = HQ_EINTERNAL;
        }
    } else if (rc == SQLITE_DONE) {
        ret = HQ_ENOTFOUND;
    }
    done(st);
    return ret;
}

static int sq_doc_list(struct hq_store *base, const char *kind, int64_t from, int64_t to,
                       size_t max, hq_doc_cb cb, void *ctx)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st = s->st[ST_DOC_LIST];
    int rc;
    bind_text(st, 1, kind);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to);
    sqlite3_bind_int64(st, 4, max == 0 || max > INT64_MAX ? -1 : (sqlite3_int64)max);
    while ((rc = step(s, st)) == SQLITE_ROW) {
        if (cb(ctx, col_text(st, 0), col_text(st, 1), sqlite3_column_int64(st, 2)) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    done(st);
    return rc == SQLITE_DONE ? 0 : HQ_ESTORE;
}

static int sq_tickets_between(struct hq_store *base, int32_t day_from, int32_t day_to,
                              hq_ticket_cb cb, void *ctx)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st = s->st[ST_TICKETS_BETWEEN];
    struct hq_ticket t;
    int rc;
    sqlite3_bind_int(st, 1, day_from);
    sqlite3_bind_int(st, 2, day_to);
    while ((rc = step(s, st)) == SQLITE_ROW) {
        if (row_ticket(st, &t) != 0) {
            rc = SQLITE_CORRUPT;
            break;
        }
        if (cb(ctx, &t) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    done(st);
    return rc == SQLITE_DONE ? 0 : HQ_ESTORE;
}

static int sq_ticket_get(struct hq_store *base, const char *id, struct hq_ticket *out)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st = s->st[ST_TICKET_GET];
    int ret = HQ_ESTORE;
    bind_text(st, 1, id);
    int rc = step(s, st);
    if (rc == SQLITE_ROW)
        ret = row_ticket(st, out) == 0 ? 0 : HQ_ESTORE;
    else if (rc == SQLITE_DONE)
        ret = HQ_ENOTFOUND;
    done(st);
    return ret;
}

/* ---- files: backup, restore ---- */

static int fsync_path(const char *path, bool dir)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static void dir_of(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, cap, ".");
    else if (slash == path)
        snprintf(out, cap, "/");
    else
        snprintf(out, cap, "%.*s", (int)(slash - path), path);
}

/* Copy the whole database src (an open handle) into a new single file tmp (rollback journal
 * mode, so it needs no -wal beside it), durable on return. */
static int copy_db(sqlite3 *src, const char *tmp, struct hq_why *why)
{
    sqlite3 *dst = NULL;
    sqlite3_backup *bk = NULL;
    int rc, ret = HQ_ESTORE;
    unlink(tmp);
    if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        hq_fail(why, HQ_ESTORE, "", "store: cannot create %s: %s", tmp,
                dst ? sqlite3_errmsg(dst) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(dst, 5000);
    if (!(bk = sqlite3_backup_init(dst, "main", src, "main"))) {
        hq_fail(why, HQ_ESTORE, "", "store: backup: %s", sqlite3_errmsg(dst));
        goto out;
    }
    for (int tries = 0;; tries++) {
        rc = sqlite3_backup_step(bk, -1); /* all pages under one read transaction */
        if (rc == SQLITE_DONE) break;
        if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && tries < 200) {
            sqlite3_sleep(25);
            continue;
        }
        sqlite3_backup_finish(bk);
        bk = NULL;
        hq_fail(why, HQ_ESTORE, "", "store: backup failed: %s", sqlite3_errmsg(dst));
        goto out;
    }
    rc = sqlite3_backup_finish(bk);
    bk = NULL;
    if (rc != SQLITE_OK ||
        sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) {
        hq_fail(why, HQ_ESTORE, "", "store: backup failed: %s", sqlite3_errmsg(dst));
        goto out;
    }
    ret = 0;
out:
    if (sqlite3_close(dst) != SQLITE_OK)
        ret = hq_fail(why, HQ_ESTORE, "", "store: cannot close %s", tmp);
    if (ret == 0 && fsync_path(tmp, false) != 0)
        ret = hq_fail(why, HQ_ESTORE, "", "store: cannot sync %s: %s", tmp, strerror(errno));
    if (ret != 0) unlink(tmp);
    return ret;
}

/* Rename tmp over path and make the rename durable. */
static int install(const char *tmp, const char *path, struct hq_why *why)
{
    char dir[4096];
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return hq_fail(why, HQ_ESTORE, "", "store: cannot rename %s to %s: %s", tmp, path,
                       strerror(e));
    }
    dir_of(path, dir, sizeof dir);
    if (fsync_path(dir, true) != 0)
        return hq_fail(why, HQ_ESTORE, "", "store: cannot sync %s: %s", dir, strerror(errno));
    return 0;
}

static int sq_backup(struct hq_store *base, const char *path, struct hq_why *why)
{
    struct sq_store *s = (struct sq_store *)base;
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return hq_fail(why, HQ_EINVAL, "path", "store: backup path too long");
    int rc = copy_db(s->db, tmp, why);
    return rc != 0 ? rc : install(tmp, path, why);
}

/* Is db a hallq database this build can open? 0, or HQ_EINVAL with why. */
static int check_db(sqlite3 *db, const char *path, struct hq_why *why)
{
    sqlite3_stmt *st = NULL;
    int ret = HQ_EINVAL, app = 0, ver = -1;
    const char *q = "SELECT (SELECT application_id FROM pragma_application_id),"
                    " (SELECT user_version FROM pragma_user_version),"
                    " (SELECT group_concat(integrity_check, '; ') FROM pragma_integrity_check)";
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        hq_fail(why, HQ_EINVAL, "", "store: %s is not a readable database: %s", path,
                sqlite3_errmsg(db));
        goto out;
    }
    app = sqlite3_column_int(st, 0);
    ver = sqlite3_column_int(st, 1);
    if (app != HQ_SQLITE_APP_ID) {
        hq_fail(why, HQ_EINVAL, "", "store: %s is not a hallq database", path);
        goto out;
    }
    if (ver < 1 || ver > HQ_SCHEMA_VERSION) {
        hq_fail(why, HQ_EINVAL, "", "store: %s has schema version %d; this build reads 1 to %d",
                path, ver, HQ_SCHEMA_VERSION);
        goto out;
    }
    if (strcmp(col_text(st, 2), "ok") != 0) {
        hq_fail(why, HQ_EINVAL, "", "store: %s failed its integrity check: %.120s", path,
                col_text(st, 2));
        goto out;
    }
    ret = 0;
out:
    sqlite3_finalize(st);
    return ret;
}

int hq__store_sqlite_restore(const char *src, const char *dst, struct hq_why *why)
{
    sqlite3 *db = NULL;
    char tmp[4096], side[4096];
    int ret;
    if (snprintf(tmp, sizeof tmp, "%s.tmp", dst) >= (int)sizeof tmp)
        return hq_fail(why, HQ_EINVAL, "path", "store: restore path too long");
    if (access(src, R_OK) != 0)
        return hq_fail(why, HQ_EINVAL, "", "store: cannot read %s: %s", src, strerror(errno));
    if (sqlite3_open_v2(src, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        ret = hq_fail(why, HQ_EINVAL, "", "store: cannot open %s: %s", src,
                      db ? sqlite3_errmsg(db) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(db, 5000);
    if ((ret = check_db(db, src, why)) != 0 || (ret = copy_db(db, tmp, why)) != 0) goto out;
    sqlite3_close(db);
    db = NULL;
    /* A -wal left from the old file would be replayed onto the new one: remove it first. */
    static const char *const sides[] = {"-wal", "-shm", "-journal"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(side, sizeof side, "%s%s", dst, sides[i]);
        if (unlink(side) != 0 && errno != ENOENT) {
            ret = hq_fail(why, HQ_ESTORE, "", "store: cannot remove %s: %s", side, strerror(errno));
            unlink(tmp);
            goto out;
        }
    }
    ret = install(tmp, dst, why);
out:
    sqlite3_close(db);
    return ret;
}

/* ---- open, migrate, close ---- */

static int migrate(struct sq_store *s, const char *path, struct hq_why *why)
{
    sqlite3_stmt *st = NULL;
    int ver = -1, app = 0;
    char *err = NULL;
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) goto dberr;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT (SELECT user_version FROM pragma_user_version),"
                           " (SELECT application_id FROM pragma_application_id)",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        goto dberr;
    ver = sqlite3_column_int(st, 0);
    app = sqlite3_column_int(st, 1);
    sqlite3_finalize(st);
    st = NULL;
    if (ver > HQ_SCHEMA_VERSION) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return hq_fail(why, HQ_ESTORE, "",
                       "store: %s has schema version %d, newer than this "
                       "build's %d",
                       path, ver, HQ_SCHEMA_VERSION);
    }
    if (ver == 0 && app == 0) {
        /* Fresh, or someone else's database: only an empty file may become ours. */
        if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL) !=
                SQLITE_OK ||
            sqlite3_step(st) != SQLITE_ROW)
            goto dberr;
        int objects = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        st = NULL;
        if (objects != 0) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return hq_fail(why, HQ_ESTORE, "", "store: %s is a database but not hallq's", path);
        }
    } else if (app != HQ_SQLITE_APP_ID) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return hq_fail(why, HQ_ESTORE, "", "store: %s is not a hallq database", path);
    }
    for (int v = ver; v < HQ_SCHEMA_VERSION; v++) {
        if (sqlite3_exec(s->db, migrations[v], NULL, NULL, &err) != SQLITE_OK) {
            hq_fail(why, HQ_ESTORE, "", "store: migration %d failed: %s", v + 1, err ? err : "?");
            sqlite3_free(err);
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return HQ_ESTORE;
        }
    }
    if (ver < HQ_SCHEMA_VERSION) {
        char pragma[96];
        /* PRAGMA takes no bound parameters; both values are our own constants. */
        snprintf(pragma, sizeof pragma, "PRAGMA application_id=%d; PRAGMA user_version=%d",
                 HQ_SQLITE_APP_ID, HQ_SCHEMA_VERSION);
        if (sqlite3_exec(s->db, pragma, NULL, NULL, NULL) != SQLITE_OK) goto dberr;
    }
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) goto dberr;
    return 0;
dberr:
    hq_fail(why, HQ_ESTORE, "", "store: cannot prepare %s: %s", path, sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    if (sqlite3_get_autocommit(s->db) == 0) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return HQ_ESTORE;
}

static void sq_close(struct hq_store *base)
{
    struct sq_store *s = (struct sq_store *)base;
    if (!s) return;
    for (int i = 0; i < ST_COUNT_; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db);
    hq__memo_free(&s->memo);
    free(s);
}

struct hq_store *hq__store_sqlite_open(const char *path, struct hq_why *why)
{
    struct sq_store *s = calloc(1, sizeof *s);
    const char *step_name = "open";
    if (!s) {
        hq_fail(why, HQ_EINTERNAL, "", "store: out of memory");
        return NULL;
    }
    s->base.vt = &sqlite_vt;
    if (!path || !path[0]) {
        hq_fail(why, HQ_EINVAL, "db", "store: no database path given");
        goto fail;
    }
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                            SQLITE_OPEN_URI,
                        NULL) != SQLITE_OK)
        goto dberr;
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 10000);
    step_name = "configure";
    /* WAL first: it is persistent, and only then do readers stop blocking the writer. */
    if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(s->db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF", NULL, NULL, NULL) !=
            SQLITE_OK)
        goto dberr;
    if (migrate(s, path, why) != 0) goto fail;
    step_name = "prepare";
    for (int i = 0; i < ST_COUNT_; i++)
        if (sqlite3_prepare_v3(s->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
                               NULL) != SQLITE_OK)
            goto dberr;
    return &s->base;
dberr:
    hq_fail(why, HQ_ESTORE, "", "store: cannot %s %s: %s", step_name, path,
            s->db ? sqlite3_errmsg(s->db) : "out of memory");
fail:
    sq_close(&s->base);
    return NULL;
}

/* ---- the integrity check before serving (quick) and of `hallq check` (full) ---- */

struct check_clock {
    struct timespec until;
    bool expired;
};

static int check_progress(void *arg)
{
    struct check_clock *c = arg;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > c->until.tv_sec ||
        (now.tv_sec == c->until.tv_sec && now.tv_nsec >= c->until.tv_nsec))
        c->expired = true;
    return c->expired; /* non-zero interrupts the statement */
}

int hq__store_sqlite_check(const char *path, bool full, int limit_ms, hq_check_cb cb, void *ctx,
                           struct hq_why *why)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int ret = HQ_ESTORE, problems = 0;
    struct check_clock clk = {0};
    char first[200] = "";
    /* Never create: a missing file is the caller's error, not an empty database. */
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        hq_fail(why, HQ_ESTORE, "", "store: cannot open %s: %s", path,
                db ? sqlite3_errmsg(db) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(db, 10000);
    if (limit_ms > 0) {
        clock_gettime(CLOCK_MONOTONIC, &clk.until);
        clk.until.tv_sec += limit_ms / 1000;
        clk.until.tv_nsec += (long)(limit_ms % 1000) * 1000000L;
        if (clk.until.tv_nsec >= 1000000000L) {
            clk.until.tv_sec++;
            clk.until.tv_nsec -= 1000000000L;
        }
        sqlite3_progress_handler(db, 10000, check_progress, &clk);
    }
    /* At most 100 messages: a badly damaged file can have millions. */
    const char *sql = full ? "PRAGMA integrity_check(100)" : "PRAGMA quick_check(100)";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        hq_fail(why, HQ_ESTORE, "", "store: %s cannot be read: %s", path, sqlite3_errmsg(db));
        goto out;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *m = (const char *)sqlite3_column_text(st, 0);
        if (!m || strcmp(m, "ok") == 0) continue;
        if (!problems++) snprintf(first, sizeof first, "%s", m);
        if (cb) cb(ctx, m);
    }
    if (rc != SQLITE_DONE) {
        if (clk.expired) {
            hq_fail(why, HQ_OK, "", "store: the %s check of %s did not finish within %d ms",
                    full ? "integrity" : "quick", path, limit_ms);
            ret = 1;
            goto out;
        }
        if (cb) cb(ctx, sqlite3_errmsg(db));
        if (!problems) {
            hq_fail(why, HQ_ESTORE, "", "store: %s is damaged: %s", path, sqlite3_errmsg(db));
            goto out;
        }
    }
    if (problems) {
        hq_fail(why, HQ_ESTORE, "", "store: %s is damaged (problems found: %d; the first: %s)",
                path, problems, first);
        goto out;
    }
    ret = 0;
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return ret;
}

void hq_store_sqlite_fail_after(struct hq_store *base, int n)
{
    if (base && base->vt == &sqlite_vt) ((struct sq_store *)base)->fail_after = n > 0 ? n : 0;
}

static const struct hq_store_vt sqlite_vt = {
    .name = "sqlite",
    .load = sq_load,
    .commit = sq_commit,
    .events_since = sq_events_since,
    .events_between = sq_events_between,
    .doc_get = sq_doc_get,
    .doc_list = sq_doc_list,
    .tickets_between = sq_tickets_between,
    .ticket_get = sq_ticket_get,
    .backup = sq_backup,
    .close = sq_close,
};
