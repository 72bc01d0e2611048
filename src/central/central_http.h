/* SPDX-License-Identifier: MIT */
/*
 * central_http.h — `hallq central serve`: head office's pages and their small JSON API on a
 * libmicrohttpd server of their own (not the hall's route table: head office has no hall, no
 * events stream and no devices). Sign-in with the argon2id users of a hall store (--users); a
 * session is an HttpOnly, SameSite=Strict cookie held in memory for 12 hours.
 *
 *   POST /api/login {username, password}  → {username, role} + cookie; 401, 429 after failures
 *   POST /api/logout                       → 204
 *   GET  /api/me                           → {username, role} or 401
 *   GET  /api/overview                     → today, every hall side by side (hq_central_overview)
 *   GET  /api/stats?from=&to=&target_min=  → a period per hall and in total (hq_central_period)
 *   GET  /api/halls/{id}?from=&to=         → one hall (hq_central_hall)
 *   GET  /, /hall                          → web/central.html, web/central_hall.html
 */
#ifndef HQ_CENTRAL_HTTP_H
#define HQ_CENTRAL_HTTP_H

#include <signal.h>
#include <stddef.h>

#include "core/hq_core.h"

struct hq_central_user {
    char username[HQ_USER_MAX];
    char pw_hash[HQ_HASH_MAX];
    enum hq_role role;
};

int hq_central_users_load(const char *db, struct hq_central_user **out, size_t *n,
                          struct hq_why *why);

struct hq_central_serve_opts {
    const char *url;    /* postgresql://… */
    const char *listen; /* HOST:PORT (port 0: any free port) */
    const char *tz;     /* IANA zone of the halls' days */
    int silent_s;       /* a hall not heard from for this long is flagged */
    struct hq_central_user *users;
    size_t n_users;
};

/* Serve until *stop becomes non-zero (checked every 200 ms). Prints "hallq central: serving
 * http://HOST:PORT" on stdout once listening. 0, or why (cannot connect, cannot listen). */
int hq_central_serve(const struct hq_central_serve_opts *o, volatile sig_atomic_t *stop,
                     struct hq_why *why);

#endif
