/* SPDX-License-Identifier: MIT */
/*
 * central_users.c — who may sign in at head office: the active admins and managers of a hall
 * store given on the command line (`hallq central serve --users FILE`), read once at start with
 * their argon2id hashes. A dedicated store for head office (made with `hallq init`) or the store
 * of one hall both work; clerks and guides are never let in.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "central_http.h"
#include "store/hq_store.h"

int hq_central_users_load(const char *db, struct hq_central_user **out, size_t *n,
                          struct hq_why *why)
{
    *out = NULL;
    *n = 0;
    struct hq_store *s = hq_store_open(db, why);
    if (!s) return why ? why->code : HQ_ESTORE;
    struct hq_hall *h = calloc(1, sizeof *h);
    if (!h) {
        hq_store_close(s);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    hq_hall_init(h);
    int64_t last = 0;
    int rc = s->vt->load(s, h, INT32_MAX, &last, why);
    hq_store_close(s);
    if (rc == 0) {
        *out = calloc(h->n_staff ? h->n_staff : 1, sizeof **out);
        if (!*out) rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    for (size_t i = 0; rc == 0 && i < h->n_staff; i++) {
        const struct hq_staff *st = &h->staff[i];
        if (!st->active || !st->pw_hash[0] ||
            (st->role != HQ_ROLE_ADMIN && st->role != HQ_ROLE_MANAGER))
            continue;
        struct hq_central_user *u = &(*out)[(*n)++];
        snprintf(u->username, sizeof u->username, "%s", st->username);
        snprintf(u->pw_hash, sizeof u->pw_hash, "%s", st->pw_hash);
        u->role = st->role;
    }
    hq_hall_release(h);
    free(h);
    if (rc == 0 && *n == 0)
        rc = hq_fail(why, HQ_EINVAL, "users", "users: no active admin or manager in that database");
    if (rc != 0) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}
