/* SPDX-License-Identifier: MIT */
/*
 * batch.c — building a batch of changes for the store: each appender copies what it is given
 * (whole structs by value, JSON text duplicated), so the caller's objects may change or go away
 * right after the call. A batch owns those copies until hq_batch_release. Nothing here touches a
 * database; the back ends only read batches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_store.h"

#define BATCH_MAX_OPS (1u << 20) /* a runaway loop becomes an error, not an OOM kill */

void hq_batch_init(struct hq_batch *b)
{
    b->ops = NULL;
    b->n = 0;
    b->cap = 0;
}

void hq_batch_release(struct hq_batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        struct hq_op *op = &b->ops[i];
        if (op->kind == HQ_OP_DOC)
            free(op->u.doc.json);
        else if (op->kind == HQ_OP_EVENT)
            free(op->u.event.data);
    }
    free(b->ops);
    hq_batch_init(b);
}

/* A zeroed op of the given kind at the end of the batch, or NULL when out of memory. */
static struct hq_op *push(struct hq_batch *b, enum hq_op_kind kind)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 8;
        if (cap > BATCH_MAX_OPS) return NULL;
        struct hq_op *ops = realloc(b->ops, cap * sizeof *ops);
        if (!ops) return NULL;
        b->ops = ops;
        b->cap = cap;
    }
    struct hq_op *op = &b->ops[b->n++];
    memset(op, 0, sizeof *op);
    op->kind = kind;
    return op;
}

/* Copy a NUL-terminated string into a fixed field; false when it does not fit. */
static bool fits_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) return false;
    memcpy(dst, src, n + 1);
    return true;
}

int hq_batch_ticket(struct hq_batch *b, const struct hq_ticket *t)
{
    struct hq_op *op = push(b, HQ_OP_TICKET);
    if (!op) return HQ_EINTERNAL;
    op->u.ticket = *t;
    return 0;
}

int hq_batch_ticket_issued(struct hq_batch *b, const struct hq_ticket *t)
{
    int rc = hq_batch_ticket(b, t);
    if (rc == 0) b->ops[b->n - 1].fresh = true;
    return rc;
}

int hq_batch_window(struct hq_batch *b, const struct hq_window *w)
{
    struct hq_op *op = push(b, HQ_OP_WINDOW);
    if (!op) return HQ_EINTERNAL;
    op->u.window = *w;
    return 0;
}

int hq_batch_window_delete(struct hq_batch *b, int32_t number)
{
    struct hq_op *op = push(b, HQ_OP_WINDOW_DEL);
    if (!op) return HQ_EINTERNAL;
    memset(&op->u.window, 0, sizeof op->u.window);
    op->u.window.number = number;
    return 0;
}

int hq_batch_service_delete(struct hq_batch *b, const char *code)
{
    struct hq_op *op = push(b, HQ_OP_SERVICE_DEL);
    if (!op) return HQ_EINTERNAL;
    memset(&op->u.service, 0, sizeof op->u.service);
    snprintf(op->u.service.code, sizeof op->u.service.code, "%s", code);
    return 0;
}

int hq_batch_staff_delete(struct hq_batch *b, const char *username)
{
    struct hq_op *op = push(b, HQ_OP_STAFF_DEL);
    if (!op) return HQ_EINTERNAL;
    memset(&op->u.staff, 0, sizeof op->u.staff);
    snprintf(op->u.staff.username, sizeof op->u.staff.username, "%s", username);
    return 0;
}

int hq_batch_service(struct hq_batch *b, const struct hq_service *s)
{
    struct hq_op *op = push(b, HQ_OP_SERVICE);
    if (!op) return HQ_EINTERNAL;
    op->u.service = *s;
    return 0;
}

int hq_batch_staff(struct hq_batch *b, const struct hq_staff *s)
{
    struct hq_op *op = push(b, HQ_OP_STAFF);
    if (!op) return HQ_EINTERNAL;
    op->u.staff = *s;
    return 0;
}

int hq_batch_hall(struct hq_batch *b, const struct hq_hall_conf *c)
{
    struct hq_op *op = push(b, HQ_OP_HALL);
    if (!op) return HQ_EINTERNAL;
    op->u.hall = *c;
    return 0;
}

static int add_doc(struct hq_batch *b, const char *kind, const char *key, const char *json,
                   bool del, int64_t t)
{
    struct hq_doc d = {0};
    if (!kind || !key || (!del && !json) || !kind[0] || !fits_copy(d.kind, sizeof d.kind, kind) ||
        !fits_copy(d.key, sizeof d.key, key))
        return HQ_EINVAL;
    if (!del && !(d.json = strdup(json))) return HQ_EINTERNAL;
    d.del = del;
    d.t = t;
    struct hq_op *op = push(b, HQ_OP_DOC);
    if (!op) {
        free(d.json);
        return HQ_EINTERNAL;
    }
    op->u.doc = d;
    return 0;
}

int hq_batch_doc(struct hq_batch *b, const char *kind, const char *key, const char *json, int64_t t)
{
    return add_doc(b, kind, key, json, false, t);
}

int hq_batch_doc_delete(struct hq_batch *b, const char *kind, const char *key, int64_t t)
{
    return add_doc(b, kind, key, NULL, true, t);
}

int hq_batch_event(struct hq_batch *b, int64_t seq, int64_t t, const char *actor, const char *type,
                   const char *data)
{
    struct hq_event e = {0};
    e.seq = seq;
    e.t = t;
    if (!type || !type[0] || !fits_copy(e.actor, sizeof e.actor, actor ? actor : "") ||
        !fits_copy(e.type, sizeof e.type, type))
        return HQ_EINVAL;
    if (!(e.data = strdup(data ? data : "{}"))) return HQ_EINTERNAL;
    struct hq_op *op = push(b, HQ_OP_EVENT);
    if (!op) {
        free(e.data);
        return HQ_EINTERNAL;
    }
    op->u.event = e;
    return 0;
}
