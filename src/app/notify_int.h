/* SPDX-License-Identifier: MIT */
/*
 * notify_int.h — what the files of notifications share (uc_notify.c: the notifiers and the
 * triggers; notify_outbox.c: the delivery thread; notify_send.c: webhook and command). Not for
 * other use cases: they call hq__notify_enqueue in notify.h.
 */
#ifndef HQ_NOTIFY_INT_H
#define HQ_NOTIFY_INT_H

#include <pthread.h>

#include "app_int.h"
#include "notify.h"

#define HQ_NOTIFIERS_MAX 32
#define HQ_NOTIFY_ARGV_MAX 16
#define HQ_NOTIFY_URL_MAX 513    /* bytes incl. NUL */
#define HQ_NOTIFY_SECRET_MAX 257 /* bytes incl. NUL */
#define HQ_NOTIFY_ARG_MAX 256    /* bytes of one argument incl. NUL */
#define HQ_NOTIFY_DOC "notify.out"
#define HQ_NOTIFY_DEAD_DOC "notify.dead"

enum {
    HQ_NEV_NEAR = 1,
    HQ_NEV_CALLED = 2,
    HQ_NEV_BOOKED = 4,
    HQ_NEV_REMINDER = 8,
};

struct hq_notifier {
    char id[17];
    bool webhook; /* else command */
    char url[HQ_NOTIFY_URL_MAX];
    char secret[HQ_NOTIFY_SECRET_MAX]; /* never read back */
    char argv[HQ_NOTIFY_ARGV_MAX][HQ_NOTIFY_ARG_MAX];
    int argc;
    unsigned events; /* HQ_NEV_* */
    int near;        /* ticket.near at this many places from the front; 0 = the hall's */
    int64_t created_at;
};

/* A ticket that got its ticket.near from a notifier (under mu). */
struct hq_near_mark {
    char ticket[HQ_ID_LEN + 1];
    char notifier[17];
};

struct hq_notify {
    /* under a->mu */
    struct hq_notifier *list;
    size_t n;
    struct hq_near_mark *marks;
    size_t n_marks, cap_marks;

    /* the delivery thread (nmu) */
    pthread_mutex_t nmu;
    pthread_cond_t ncv;
    bool stopping, kick, started;
    pthread_t thread;
    int listener;
    /* The deliveries added since the thread last looked become durable with an event of sequence
     * number >= armed_min (the first batch) … >= armed_max (the last); 0 = none waiting. */
    int64_t armed_min, armed_max;
    int64_t base_ms; /* first retry delay: 10 s, HALLQ_NOTIFY_RETRY_MS for tests */
};

/* Under mu: a copy of notifier id into *out; false when there is none. */
bool hq__notifier_get(struct hq_app *a, const char *id, struct hq_notifier *out);

/* The delivery thread (notify_outbox.c). */
int hq__notify_outbox_start(struct hq_app *a, struct hq_why *why);
void hq__notify_outbox_stop(struct hq_app *a);

/* Sending (notify_send.c). 0 = taken (2xx or exit status 0); else err says why (no personal
 * data). *stop is polled: set, the attempt is abandoned. */
void hq__notify_send_init(void);
int hq__notify_webhook(const struct hq_notifier *n, const char *type, const char *id,
                       const char *body, const volatile bool *stop, char *err, size_t cap);
int hq__notify_command(const struct hq_notifier *n, const char *type, const char *id,
                       const char *body, const volatile bool *stop, char *err, size_t cap);

#endif
