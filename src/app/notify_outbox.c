/* SPDX-License-Identifier: MIT */
/*
 * notify_outbox.c — the delivery thread (docs/NOTIFY.md). It reads the outbox documents
 * ("notify.out") from the read handle, sends each one that is due to its notifier (notify_send.c)
 * with no lock held, and commits the outcome through the writer like any change: a delivery taken
 * (2xx, exit status 0) is deleted; one that failed gets its attempt count and the time of its next
 * attempt (hq_notify_backoff_ms); one still failing after HQ_NOTIFY_GIVE_UP_MS (25 h) moves to
 * "notify.dead" without its body and is logged by id, type and notifier (never the phone). A
 * kill -9 between a send and its commit sends that delivery again after the restart: receivers
 * drop repeated ids. The thread looks at the outbox once a batch that added deliveries is committed
 * (a listener sees its events), when the next retry is due, and every 5 s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "notify_int.h"

#define SCAN_MAX 256 /* deliveries looked at per round */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct item {
    char key[80];
    json_t *doc;
};

struct scan {
    struct item *items;
    size_t n, cap;
};

static int collect(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)t;
    struct scan *s = ctx;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        struct item *it = realloc(s->items, cap * sizeof *it);
        if (!it) return 1;
        s->items = it;
        s->cap = cap;
    }
    json_t *doc = json_loads(json, 0, NULL);
    if (!doc) return 0;
    snprintf(s->items[s->n].key, sizeof s->items[s->n].key, "%s", key);
    s->items[s->n++].doc = doc;
    return 0;
}

static int64_t jint(json_t *o, const char *k)
{
    return (int64_t)json_integer_value(json_object_get(o, k));
}

static int by_due(const void *x, const void *y)
{
    const struct item *a = x, *b = y;
    int64_t da = jint(a->doc, "next_ms"), db = jint(b->doc, "next_ms");
    if (da != db) return da < db ? -1 : 1;
    int64_t ca = jint(a->doc, "created_ms"), cb = jint(b->doc, "created_ms");
    return ca < cb ? -1 : ca > cb;
}

/* Commit the outcome of one delivery (takes mu). Returns when it is to be tried again (ms), 0 for
 * never. */
static int64_t record(struct hq_app *a, const char *key, json_t *doc, int outcome, const char *err)
{
    struct hq_batch b;
    hq_batch_init(&b);
    int64_t t = jint(doc, "created_ms") / 1000;
    int rc = 0;
    int64_t again = 0;
    if (outcome == 0) { /* taken, or its notifier is gone */
        rc = hq_batch_doc_delete(&b, HQ_NOTIFY_DOC, key, t);
    } else {
        int attempts = (int)jint(doc, "attempts") + 1;
        int64_t now = now_ms();
        json_object_set_new(doc, "attempts", json_integer(attempts));
        json_object_set_new(doc, "last_error", json_string(err));
        if (now - jint(doc, "created_ms") >= HQ_NOTIFY_GIVE_UP_MS) {
            fprintf(stderr,
                    "hallq: notify: gave up delivery %s (%s) to notifier %s after %d "
                    "attempts: %s\n",
                    key, json_string_value(json_object_get(doc, "type")),
                    json_string_value(json_object_get(doc, "notifier")), attempts, err);
            json_object_del(doc, "body"); /* the phone stays nowhere it is not needed */
            char *s = json_dumps(doc, JSON_COMPACT);
            rc = s ? hq_batch_doc(&b, HQ_NOTIFY_DEAD_DOC, key, s, t) : HQ_EINTERNAL;
            free(s);
            if (rc == 0) rc = hq_batch_doc_delete(&b, HQ_NOTIFY_DOC, key, t);
        } else {
            again = now + hq_notify_backoff_ms(attempts, a->notify->base_ms);
            json_object_set_new(doc, "next_ms", json_integer(again));
            char *s = json_dumps(doc, JSON_COMPACT);
            rc = s ? hq_batch_doc(&b, HQ_NOTIFY_DOC, key, s, t) : HQ_EINTERNAL;
            free(s);
        }
    }
    if (rc) {
        hq_batch_release(&b);
        return now_ms() + a->notify->base_ms; /* not recorded: look again soon */
    }
    struct hq_why why;
    pthread_mutex_lock(&a->mu);
    if (hq__app_commit_unlock(a, &b, &why) != 0) {
        fprintf(stderr, "hallq: notify: delivery %s not recorded: %s\n", key, why.message);
        return now_ms() + a->notify->base_ms;
    }
    return again;
}

/* One delivery: 0 when taken (or its notifier is gone), else 1 with err. */
static int deliver(struct hq_app *a, const char *key, json_t *doc, char *err, size_t cap)
{
    struct hq_notifier n;
    const char *nid = json_string_value(json_object_get(doc, "notifier"));
    const char *type = json_string_value(json_object_get(doc, "type"));
    const char *body = json_string_value(json_object_get(doc, "body"));
    pthread_mutex_lock(&a->mu);
    bool found = nid && hq__notifier_get(a, nid, &n);
    pthread_mutex_unlock(&a->mu);
    if (!found || !type || !body) return 0; /* nowhere to send it: dropped */
    const volatile bool *stop = &a->notify->stopping;
    int rc = n.webhook ? hq__notify_webhook(&n, type, key, body, stop, err, cap)
                       : hq__notify_command(&n, type, key, body, stop, err, cap);
    memset(n.secret, 0, sizeof n.secret);
    return rc == 0 ? 0 : 1;
}

/* One round: send what is due. Returns when the next one is due (ms, 0 = none known). */
static int64_t round_once(struct hq_app *a)
{
    struct hq_notify *nt = a->notify;
    struct scan s = {0};
    pthread_mutex_lock(&a->reader_mu);
    a->reader->vt->doc_list(a->reader, HQ_NOTIFY_DOC, 0, 0, 0, collect, &s);
    pthread_mutex_unlock(&a->reader_mu);
    if (s.n > 1) qsort(s.items, s.n, sizeof *s.items, by_due);
    int64_t next = 0;
    for (size_t i = 0; i < s.n; i++) {
        int64_t due = jint(s.items[i].doc, "next_ms");
        pthread_mutex_lock(&nt->nmu);
        bool stopping = nt->stopping;
        pthread_mutex_unlock(&nt->nmu);
        if (stopping) break;
        if (due > now_ms() || i >= SCAN_MAX) {
            int64_t at = due > now_ms() ? due : now_ms();
            if (!next || at < next) next = at;
            break;
        }
        char err[160] = "";
        int outcome = deliver(a, s.items[i].key, s.items[i].doc, err, sizeof err);
        pthread_mutex_lock(&nt->nmu);
        stopping = nt->stopping && outcome != 0; /* an abandoned attempt is no failure */
        pthread_mutex_unlock(&nt->nmu);
        if (stopping) break;
        int64_t again = record(a, s.items[i].key, s.items[i].doc, outcome, err);
        if (again && (!next || again < next)) next = again;
    }
    for (size_t i = 0; i < s.n; i++)
        json_decref(s.items[i].doc);
    free(s.items);
    return next;
}

static void *outbox_main(void *arg)
{
    struct hq_app *a = arg;
    struct hq_notify *nt = a->notify;
    pthread_mutex_lock(&nt->nmu);
    while (!nt->stopping) {
        nt->kick = false;
        pthread_mutex_unlock(&nt->nmu);
        int64_t next = round_once(a);
        pthread_mutex_lock(&nt->nmu);
        int64_t until = now_ms() + 5000;
        if (next && next < until) until = next;
        while (!nt->stopping && !nt->kick && now_ms() < until) {
            struct timespec ts = {.tv_sec = until / 1000, .tv_nsec = (until % 1000) * 1000000};
            pthread_cond_timedwait(&nt->ncv, &nt->nmu, &ts);
        }
    }
    pthread_mutex_unlock(&nt->nmu);
    return NULL;
}

/* After every committed event (the replier thread, under lmu): look at the outbox again when the
 * event's batch, or a later one, carried new deliveries (events are published in order). */
static void on_event(void *ctx, const struct hq_event *e)
{
    struct hq_notify *nt = ctx;
    pthread_mutex_lock(&nt->nmu);
    if (nt->armed_min && e->seq >= nt->armed_min) {
        nt->kick = true;
        pthread_cond_signal(&nt->ncv);
        if (e->seq >= nt->armed_max)
            nt->armed_min = nt->armed_max = 0;
        else
            nt->armed_min = e->seq + 1;
    }
    pthread_mutex_unlock(&nt->nmu);
}

int hq__notify_outbox_start(struct hq_app *a, struct hq_why *why)
{
    struct hq_notify *nt = a->notify;
    nt->listener = hq_app_listen(a, on_event, nt);
    if (pthread_create(&nt->thread, NULL, outbox_main, a) != 0)
        return hq_fail(why, HQ_EINTERNAL, "", "cannot start the notification thread");
    nt->started = true;
    return 0;
}

void hq__notify_outbox_stop(struct hq_app *a)
{
    struct hq_notify *nt = a->notify;
    if (!nt) return;
    if (nt->listener >= 0) hq_app_unlisten(a, nt->listener);
    nt->listener = -1;
    if (!nt->started) return;
    pthread_mutex_lock(&nt->nmu);
    nt->stopping = true;
    pthread_cond_signal(&nt->ncv);
    pthread_mutex_unlock(&nt->nmu);
    pthread_join(nt->thread, NULL);
    nt->started = false;
}
