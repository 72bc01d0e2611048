/* SPDX-License-Identifier: MIT */
/*
 * store_int.h — what the store's files share and nothing above src/store may use: the back ends'
 * constructors and the text encodings of the fields that are lists (hours, service lists,
 * documents, certifications). Both back ends store those as compact JSON text so that a row reads
 * the same in SQLite and in PostgreSQL, and so that tools (sqlite3, psql, reports) can read it.
 * Every decoder is strict: a value that does not fit its field exactly is corruption (-1), never
 * truncated.
 */
#ifndef HQ_STORE_INT_H
#define HQ_STORE_INT_H

#include "hq_store.h"

/* Back ends. NULL and *why filled on failure; the caller owns the result (vt->close). */
struct hq_store *hq__store_sqlite_open(const char *path, struct hq_why *why);
struct hq_store *hq__store_pg_open(const char *url, struct hq_why *why);
int hq__store_sqlite_restore(const char *src, const char *dst, struct hq_why *why);
int hq__store_sqlite_check(const char *path, bool full, int limit_ms, hq_check_cb cb, void *ctx,
                           struct hq_why *why);

/* Encoders return malloc'd JSON text (caller frees) or NULL (out of memory, invalid UTF-8). */
char *hq__hours_encode(const struct hq_hours *h);
char *hq__strs_encode(const char *base, size_t stride, int n);
char *hq__certs_encode(const struct hq_cert *c, int n);
/* Decoders return 0, or -1 when the text is not what the encoder writes or does not fit. */
int hq__hours_decode(const char *txt, struct hq_hours *out);
int hq__strs_decode(const char *txt, char *base, size_t stride, int max, int *n);
int hq__certs_decode(const char *txt, struct hq_cert *out, int max, int *n);

/* The encoded text of a row's list-valued field, kept per store handle (memo.c): a row written
 * again with the field's bytes unchanged is not encoded again. field names the column, key the row
 * (a service code, a window number as text). The text is the memo's, valid until its next call;
 * NULL when out of memory or not valid UTF-8 (as the encoders). */
#define HQ_MEMO_SLOTS 64
struct hq__memo_slot {
    void *in; /* a copy of the input's bytes, NULL when none */
    size_t len;
    char *text; /* owned */
};
struct hq__memo {
    struct hq__memo_slot slot[HQ_MEMO_SLOTS];
};
const char *hq__memo_strs(struct hq__memo *m, const char *field, const char *key, const char *base,
                          size_t stride, int n);
const char *hq__memo_hours(struct hq__memo *m, const char *field, const char *key,
                           const struct hq_hours *h);
void hq__memo_free(struct hq__memo *m); /* frees what it holds; m is empty again */

/* Copy src into a fixed field of cap bytes; -1 (and dst untouched) when it does not fit. */
int hq__copy_str(char *dst, size_t cap, const char *src);
/* The enum of a window state name, or -1 (the core has no parser for this one). */
int hq__win_state_parse(const char *s);

/* The store's own magic in the SQLite header (PRAGMA application_id): "hlq1". */
#define HQ_SQLITE_APP_ID 0x686c7131

#endif
