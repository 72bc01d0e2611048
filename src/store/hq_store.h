/* SPDX-License-Identifier: MIT */
/*
 * hq_store.h — the durable store behind one interface, as curl's vtls: a struct of function
 * pointers with one back end per file (store_sqlite.c, store_pg.c; docs/STORE.md). Nothing above
 * this header sees a database error code: back ends translate them to enum hq_err (HQ_ESTORE).
 *
 * The unit of change is a batch: the rows a use case changed (full copies of tickets, windows,
 * services, staff, the hall settings), generic documents (sessions, evaluations, complaints,
 * notices …, JSON text under a kind and key) and the events that describe the change. commit()
 * writes any number of batches in ONE transaction (group commit) and returns only once that
 * transaction is durable (WAL, synchronous=FULL). Events carry the sequence number the caller gave
 * them; the log is append-only.
 *
 * Threads: one struct hq_store is used by one thread at a time (src/app's writer thread commits;
 * readers open their own handle with hq_store_open on the same path — SQLite WAL allows that).
 * Ownership: a batch owns the strings its ops point to (hq_batch_release frees them).
 */
#ifndef HQ_STORE_H
#define HQ_STORE_H

#include "../core/hq_core.h"

enum hq_op_kind {
    HQ_OP_TICKET,      /* upsert by id */
    HQ_OP_WINDOW,      /* upsert by number */
    HQ_OP_SERVICE,     /* upsert by code (also carries the numbering state seq_day/seq) */
    HQ_OP_STAFF,       /* upsert by username */
    HQ_OP_HALL,        /* the hall settings, one row */
    HQ_OP_DOC,         /* upsert (or delete) a JSON document under (kind, key) */
    HQ_OP_EVENT,       /* append to the event log */
    HQ_OP_WINDOW_DEL,  /* delete the window row u.window.number (a retired window, uc_retire.c) */
    HQ_OP_SERVICE_DEL, /* delete the service row u.service.code (nothing refers to it) */
    HQ_OP_STAFF_DEL    /* delete the staff row u.staff.username (nothing refers to them) */
};

struct hq_doc {
    char kind[24]; /* "session", "evaluation", "complaint", "notice", "device", … */
    char key[80];
    char *json; /* owned; NULL with del */
    bool del;
    int64_t t; /* time of the change (unix s), stored for ordering and queries */
};

struct hq_event {
    int64_t seq;             /* strictly increasing, given by the caller */
    int64_t t;               /* unix seconds */
    char actor[HQ_USER_MAX]; /* username, or "" for the public / the system */
    char type[32];           /* "ticket.issued" … (API.md) */
    char *data;              /* owned; JSON object text, never personal data */
};

struct hq_op {
    enum hq_op_kind kind;
    /* HQ_OP_TICKET: the ticket was just issued, so no row has its id yet (a hint: a back end may
     * insert without looking for a row to update first; a put of an existing id still replaces
     * it). Without the hint a back end may first update the columns a ticket's life changes. */
    bool fresh;
    union {
        struct hq_ticket ticket;
        struct hq_window window;
        struct hq_service service;
        struct hq_staff staff;
        struct hq_hall_conf hall;
        struct hq_doc doc;
        struct hq_event event;
    } u;
};

struct hq_batch {
    struct hq_op *ops;
    size_t n, cap;
};

void hq_batch_init(struct hq_batch *b);
void hq_batch_release(struct hq_batch *b); /* frees ops and the strings they own */
/* Appenders copy their inputs (json/data strings are duplicated). Return 0 or HQ_EINTERNAL on OOM.
 */
int hq_batch_ticket(struct hq_batch *b, const struct hq_ticket *t);
int hq_batch_ticket_issued(struct hq_batch *b, const struct hq_ticket *t); /* sets op.fresh */
int hq_batch_window(struct hq_batch *b, const struct hq_window *w);
int hq_batch_window_delete(struct hq_batch *b, int32_t number);
int hq_batch_service_delete(struct hq_batch *b, const char *code);
int hq_batch_staff_delete(struct hq_batch *b, const char *username);
int hq_batch_service(struct hq_batch *b, const struct hq_service *s);
int hq_batch_staff(struct hq_batch *b, const struct hq_staff *s);
int hq_batch_hall(struct hq_batch *b, const struct hq_hall_conf *c);
int hq_batch_doc(struct hq_batch *b, const char *kind, const char *key, const char *json,
                 int64_t t);
int hq_batch_doc_delete(struct hq_batch *b, const char *kind, const char *key, int64_t t);
int hq_batch_event(struct hq_batch *b, int64_t seq, int64_t t, const char *actor, const char *type,
                   const char *data);

/* Callbacks of the read functions: return 0 to go on, non-zero to stop early. The pointers they
 * receive are valid only during the call; a callback must not call into the same store handle. */
typedef int (*hq_event_cb)(void *ctx, const struct hq_event *e);
typedef int (*hq_doc_cb)(void *ctx, const char *key, const char *json, int64_t t);
typedef int (*hq_ticket_cb)(void *ctx, const struct hq_ticket *t);

struct hq_store;

struct hq_store_vt {
    const char *name; /* "sqlite", "postgresql" */
    /* Rebuild the hall: settings, services, windows, staff, and every ticket of day >= min_day or
     * not in a terminal state. *last_seq = the highest event sequence number (0 when none). */
    int (*load)(struct hq_store *s, struct hq_hall *h, int32_t min_day, int64_t *last_seq,
                struct hq_why *why);
    /* All batches in one durable transaction; on failure nothing of them is stored. */
    int (*commit)(struct hq_store *s, struct hq_batch *const *batches, size_t n,
                  struct hq_why *why);
    /* Events with seq > after, in order, at most max (0 = no limit). */
    int (*events_since)(struct hq_store *s, int64_t after, size_t max, hq_event_cb cb, void *ctx);
    /* Events of the given type prefix ("ticket." or "" for all) with t in [from, to). */
    int (*events_between)(struct hq_store *s, int64_t from, int64_t to, const char *type_prefix,
                          hq_event_cb cb, void *ctx);
    /* One document: *json_out malloc'd (caller frees) or HQ_ENOTFOUND. */
    int (*doc_get)(struct hq_store *s, const char *kind, const char *key, char **json_out);
    /* Documents of a kind with t in [from, to) (to = 0: no upper bound), newest first, at most max
     * (0 = no limit). */
    int (*doc_list)(struct hq_store *s, const char *kind, int64_t from, int64_t to, size_t max,
                    hq_doc_cb cb, void *ctx);
    /* Tickets issued on days [day_from, day_to], in issue order. */
    int (*tickets_between)(struct hq_store *s, int32_t day_from, int32_t day_to, hq_ticket_cb cb,
                           void *ctx);
    /* One ticket by id, of any day: 0, HQ_ENOTFOUND or HQ_ESTORE. */
    int (*ticket_get)(struct hq_store *s, const char *id, struct hq_ticket *out);
    /* Online backup to a file (SQLite backup API); safe while others write. The file appears
     * whole or not at all (written beside it, fsynced, renamed). PostgreSQL: HQ_EINVAL (pg_dump).
     */
    int (*backup)(struct hq_store *s, const char *path, struct hq_why *why);
    void (*close)(struct hq_store *s);
};

struct hq_store {
    const struct hq_store_vt *vt;
};

/* Open by URL or path: "postgresql://…" / "postgres://…" → PostgreSQL (when built), anything
 * else a SQLite file (created with the current schema, migrations applied). Returns NULL and fills
 * *why on failure. The caller owns the store: hq_store_close. */
struct hq_store *hq_store_open(const char *url, struct hq_why *why);
void hq_store_close(struct hq_store *s);

/* Restore: replace the SQLite database at dst with the backup file src (server must be stopped).
 * src must be a hallq database of a schema version this build reads and pass integrity_check,
 * else HQ_EINVAL and dst is untouched. Atomic: dst is the old or the new database, never a mix. */
int hq_store_restore(const char *src, const char *dst, struct hq_why *why);

/* Check the pages of an existing SQLite database (never creates one): SQLite's quick_check, or
 * with full its integrity_check (indexes against tables too). cb (may be NULL) gets each problem
 * found (at most 100). limit_ms > 0 bounds the time: past it the check stops and 1 is returned
 * (why says so). 0 when the file is sound, HQ_ESTORE when it cannot be opened or is damaged.
 * PostgreSQL URLs: 0 (the server checks its own pages). */
typedef void (*hq_check_cb)(void *ctx, const char *problem);
int hq_store_check(const char *url, bool full, int limit_ms, hq_check_cb cb, void *ctx,
                   struct hq_why *why);

/* Tests only (SQLite back end; ignored for others): make the n-th statement step from now fail as
 * a disk error would (n = 1: the next one); once it has fired, or with n = 0, no fault. */
void hq_store_sqlite_fail_after(struct hq_store *s, int n);

/* Schema version this build writes (migrations bring older files up to it). */
#define HQ_SCHEMA_VERSION 3

#endif
