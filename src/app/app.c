/* SPDX-License-Identifier: MIT */
/*
 * app.c — the application object: opening (store → hall), the clock and the hall's local time,
 * the group-commit writer and the listeners that receive committed events.
 *
 * Group commit. A use case changes the hall under mu, fills a batch (rows + events), queues it
 * while still holding mu (so batches queue in the order their changes were made), releases mu and
 * waits. The writer thread takes everything queued and commits it in one transaction (one fsync
 * for all of it); the replier thread then hands the group's events to the listeners in sequence
 * order and wakes the callers, while the writer already commits the next group. A caller may
 * instead leave a continuation (hq__app_commit_later) and return at once: the replier then runs
 * it after the commit, and it answers the request (the ticket issue and the window actions over
 * HTTP), so no thread sleeps per change. If a commit fails, the writer takes mu, fails every
 * queued batch (a continuation gets the error) and rebuilds the hall from the store, so memory
 * never shows a change the store does not have for longer than that failure.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app_int.h"
#include "hq_json_text.h"
#include "hq_local_time.h"
#include "hq_appointments.h"
#include "media_hub.h"

/* What capabilities load from the store at open, in order (DESIGN.md "Growing it"): a new one adds
 * a line here rather than a call in hq_app_open. */
static int (*const loaders[])(struct hq_app *, struct hq_why *) = {
    hq__auth_load,
    hq__records_load,
    hq__appointments_load,
};

static int64_t real_now(void *ctx)
{
    (void)ctx;
    return (int64_t)time(NULL);
}

int64_t hq_app_time(struct hq_app *a)
{
    return a->clock.now(a->clock.ctx);
}

void hq_app_now(struct hq_app *a, struct hq_now *out)
{
    int64_t t = hq_app_time(a);
    struct tm tm;
    if (!hq_local_time(t, &tm)) memset(&tm, 0, sizeof tm);
    out->t = t;
    out->day = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    out->minute = tm.tm_hour * 60 + tm.tm_min;
    out->weekday = tm.tm_wday;
}

void hq_app_format_time(struct hq_app *a, int64_t t, char *buf, size_t len)
{
    (void)a;
    if (t == 0) {
        if (len) buf[0] = 0;
        return;
    }
    struct tm tm;
    if (!hq_local_time(t, &tm)) memset(&tm, 0, sizeof tm);
    long off = tm.tm_gmtoff;
    char sign = off < 0 ? '-' : '+';
    if (off < 0) off = -off;
    int year = tm.tm_year + 1900;
    if (len < 26 || year < 0 || year > 9999 || off >= 100 * 3600) {
        snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", year, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 3600, (off % 3600) / 60);
        return;
    }
    /* The same text without snprintf, which was most of this function's cost, and this function
     * runs for several times of every answer (issue 12). */
    int f[] = {year / 100, year % 100,        tm.tm_mon + 1,
               tm.tm_mday, tm.tm_hour,        tm.tm_min,
               tm.tm_sec,  (int)(off / 3600), (int)(off % 3600 / 60)};
    const char sep[] = {0, 0, '-', '-', 'T', ':', ':', sign, ':'}; /* before each */
    char *p = buf;
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (sep[i]) *p++ = sep[i];
        *p++ = (char)('0' + f[i] / 10);
        *p++ = (char)('0' + f[i] % 10);
    }
    *p = 0;
}

const char *hq_app_public_url(struct hq_app *a)
{
    return a->public_url;
}

/* ---- listeners ---- */

int hq_app_listen(struct hq_app *a, hq_listener_fn fn, void *ctx)
{
    int id = -1;
    pthread_mutex_lock(&a->lmu);
    for (int i = 0; i < HQ_MAX_LISTENERS; i++)
        if (!a->listeners[i].fn) {
            a->listeners[i].fn = fn;
            a->listeners[i].ctx = ctx;
            id = i;
            break;
        }
    pthread_mutex_unlock(&a->lmu);
    return id;
}

void hq_app_unlisten(struct hq_app *a, int id)
{
    if (id < 0 || id >= HQ_MAX_LISTENERS) return;
    pthread_mutex_lock(&a->lmu);
    a->listeners[id].fn = NULL;
    a->listeners[id].ctx = NULL;
    pthread_mutex_unlock(&a->lmu);
}

int64_t hq_app_last_seq(struct hq_app *a)
{
    pthread_mutex_lock(&a->qmu);
    int64_t s = a->durable_seq;
    pthread_mutex_unlock(&a->qmu);
    return s;
}

int hq_app_events_since(struct hq_app *a, int64_t after, size_t max, hq_event_cb cb, void *ctx)
{
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->events_since(a->reader, after, max, cb, ctx);
    pthread_mutex_unlock(&a->reader_mu);
    return rc;
}

/* doc_list callback: each document parsed onto the JSON array ctx (unparsable ones skipped). */
static int doc_onto(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)key;
    (void)t;
    json_t *o = json_loads(json, 0, NULL);
    if (o) json_array_append_new(ctx, o);
    return 0;
}

json_t *hq__docs_list(struct hq_app *a, const char *kind, int64_t from, int64_t to, size_t max)
{
    json_t *arr = json_array();
    pthread_mutex_lock(&a->reader_mu);
    a->reader->vt->doc_list(a->reader, kind, from, to, max, doc_onto, arr);
    pthread_mutex_unlock(&a->reader_mu);
    return arr;
}

static void publish(struct hq_app *a, struct hq_batch *b)
{
    pthread_mutex_lock(&a->lmu);
    for (size_t i = 0; i < b->n; i++) {
        if (b->ops[i].kind != HQ_OP_EVENT) continue;
        for (int k = 0; k < HQ_MAX_LISTENERS; k++)
            if (a->listeners[k].fn) a->listeners[k].fn(a->listeners[k].ctx, &b->ops[i].u.event);
    }
    pthread_mutex_unlock(&a->lmu);
}

/* ---- the commit queue ---- */

int hq__app_event(struct hq_app *a, struct hq_batch *b, const char *actor, const char *type,
                  json_t *data)
{
    (void)a;
    char *text = hq_json_text(data, 10); /* json_dumps' bytes, at a fraction of its cost */
    json_decref(data);
    if (!text) return HQ_EINTERNAL;
    int rc = hq_batch_event(b, 0, 0, actor ? actor : "", type, text);
    free(text);
    return rc;
}

/* Queue b (mu held) as the pending p and release mu; wakes the writer when it sleeps. */
static void enqueue_unlock(struct hq_app *a, struct hq_batch *b, struct hq_pending *p)
{
    for (const struct hq__module *const *m = hq__modules; *m; m++)
        if ((*m)->before_commit) (*m)->before_commit(a, b);
    int64_t t = hq_app_time(a);
    for (size_t i = 0; i < b->n; i++)
        if (b->ops[i].kind == HQ_OP_EVENT) {
            b->ops[i].u.event.seq = ++a->last_seq;
            if (b->ops[i].u.event.t == 0) b->ops[i].u.event.t = t;
        }
    for (size_t i = 0; i < b->n; i++)
        if (b->ops[i].kind == HQ_OP_STAFF || b->ops[i].kind == HQ_OP_STAFF_DEL) {
            atomic_fetch_add(&a->staff_gen, 1); /* sessions look at the staff again (auth.c) */
            break;
        }
    p->batch = *b;
    hq_batch_init(b);
    p->result = 1;
    pthread_mutex_lock(&a->qmu);
    if (a->qtail)
        a->qtail->next = p;
    else
        a->qhead = p;
    a->qtail = p;
    bool idle = a->writer_idle;
    pthread_mutex_unlock(&a->qmu);
    pthread_mutex_unlock(&a->mu);
    /* Wake the writer only when it sleeps: a busy writer takes the queue when its commit ends. */
    if (idle) pthread_cond_signal(&a->qcv);
}

int hq__app_commit_unlock(struct hq_app *a, struct hq_batch *b, struct hq_why *why)
{
    struct hq_pending *p = calloc(1, sizeof *p);
    if (!p) {
        pthread_mutex_unlock(&a->mu);
        hq_batch_release(b);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    sem_init(&p->done, 0, 0);
    enqueue_unlock(a, b, p);
    /* Our own wake-up: the replier posts each caller of a group it committed (or failed), so no
     * caller wakes for another's batch or takes qmu again to look (issue 12). */
    while (sem_wait(&p->done) != 0 && errno == EINTR)
        ;
    sem_destroy(&p->done);
    int rc = p->result;
    if (rc < 0 && why) *why = p->why;
    hq_batch_release(&p->batch);
    free(p);
    return rc;
}

int hq__app_commit_later(struct hq_app *a, struct hq_batch *b,
                         void (*then)(void *ctx, int rc, const struct hq_why *why), void *ctx)
{
    struct hq_pending *p = calloc(1, sizeof *p);
    if (!p) {
        pthread_mutex_unlock(&a->mu);
        hq_batch_release(b);
        return HQ_EINTERNAL;
    }
    p->then = then;
    p->then_ctx = ctx;
    enqueue_unlock(a, b, p);
    return 0;
}

/* Nobody waits for a day roll kept on the way to a refusal (a failure rebuilds the hall). */
static void roll_done(void *ctx, int rc, const struct hq_why *why)
{
    (void)ctx;
    (void)rc;
    (void)why;
}

void hq__app_keep_roll_unlock(struct hq_app *a, struct hq_batch *b, bool nowait)
{
    if (nowait)
        hq__app_commit_later(a, b, roll_done, NULL);
    else
        hq__app_commit_unlock(a, b, NULL);
}

static int reload_hall(struct hq_app *a, struct hq_why *why)
{
    struct hq_now now;
    hq_app_now(a, &now);
    hq_hall_release(&a->hall);
    hq_hall_init(&a->hall);
    int64_t last = 0;
    int rc = a->store->vt->load(a->store, &a->hall, now.day - 1, &last, why);
    a->last_seq = last;
    a->durable_seq = last;
    atomic_fetch_add(&a->staff_gen, 1); /* the staff as the store has them */
    free(a->pads);
    a->n_pads = a->hall.n_windows + 16;
    a->pads = calloc(a->n_pads, sizeof *a->pads);
    if (rc == 0) rc = hq__retire_load(a, why);          /* the windows taken out of the hall */
    if (rc == 0) rc = hq__retired_records_load(a, why); /* retired services and staff */
    return rc;
}

/* Hand each pending batch of the list its result: wake its caller, who then owns (and frees) it
 * (p is not touched after its post), or run its continuation and free it (the asynchronous form:
 * the continuation answers the request itself, so no caller sleeps per change; issue 12). */
static void wake(struct hq_pending *p, int result)
{
    while (p) {
        struct hq_pending *next = p->next;
        p->result = result;
        if (p->then) {
            p->then(p->then_ctx, result, result < 0 ? &p->why : NULL);
            hq_batch_release(&p->batch);
            free(p);
        } else {
            sem_post(&p->done);
        }
        p = next;
    }
}

/* What follows a commit: the events to the listeners, then durable_seq and the metrics, then
 * the callers woken: in this order, so that a reader of durable_seq never misses an event that a
 * listener had not seen yet. Runs on the replier thread. */
static void finish_group(struct hq_app *a, struct hq_pending *group, struct hq_pending *rest,
                         int rc)
{
    if (rc == 0) {
        size_t n = 0;
        for (struct hq_pending *p = group; p; p = p->next, n++)
            publish(a, &p->batch);
        pthread_mutex_lock(&a->qmu);
        for (struct hq_pending *p = group; p; p = p->next)
            for (size_t i = 0; i < p->batch.n; i++)
                if (p->batch.ops[i].kind == HQ_OP_EVENT)
                    a->durable_seq = p->batch.ops[i].u.event.seq;
        a->m.commits++;
        a->m.batches_committed += (int64_t)n;
        int bucket = 0;
        while (bucket < 7 && ((size_t)1 << bucket) < n)
            bucket++;
        a->m.batch_size_hist[bucket]++;
        pthread_mutex_unlock(&a->qmu);
    }
    wake(rest, HQ_ESTORE);
    wake(group, rc == 0 ? 0 : HQ_ESTORE);
}

/* The replier: hands each group the writer finished to finish_group, in commit order, while the
 * writer commits the next group (issue 12: building and sending a group's answers took a quarter
 * of the writer's time, in which no commit ran). Ends once the writer has ended and all is done. */
static void *replier_main(void *arg)
{
    struct hq_app *a = arg;
    pthread_mutex_lock(&a->qmu);
    for (;;) {
        while (!a->dhead && !a->writer_stopped) {
            a->replier_idle = true;
            pthread_cond_wait(&a->dcv, &a->qmu);
            a->replier_idle = false;
        }
        if (!a->dhead) break;
        struct hq_pending *g = a->dhead;
        a->dhead = a->dtail = NULL;
        pthread_mutex_unlock(&a->qmu);
        while (g) {
            struct hq_pending *next = g->next_group; /* read before g may be freed */
            finish_group(a, g, g->rest, g->group_rc);
            g = next;
        }
        pthread_mutex_lock(&a->qmu);
    }
    pthread_mutex_unlock(&a->qmu);
    return NULL;
}

static void *writer_main(void *arg)
{
    struct hq_app *a = arg;
    pthread_mutex_lock(&a->qmu);
    for (;;) {
        while (!a->qhead && !a->stopping) {
            a->writer_idle = true;
            pthread_cond_wait(&a->qcv, &a->qmu);
            a->writer_idle = false;
        }
        if (!a->qhead && a->stopping) break;
        struct hq_pending *group = a->qhead;
        a->qhead = a->qtail = NULL;
        pthread_mutex_unlock(&a->qmu);

        size_t n = 0;
        for (struct hq_pending *p = group; p; p = p->next)
            n++;
        struct hq_batch **bs = malloc(n * sizeof *bs);
        struct hq_why why = {0};
        int rc;
        if (!bs) {
            rc = hq_fail(&why, HQ_ESTORE, "", "out of memory");
        } else {
            size_t i = 0;
            for (struct hq_pending *p = group; p; p = p->next)
                bs[i++] = &p->batch;
            rc = a->store->vt->commit(a->store, bs, n, &why);
        }
        free(bs);

        struct hq_pending *rest = NULL; /* queued behind a failed group: failed with it */
        if (rc == 0) {
            pthread_mutex_lock(&a->qmu);
        } else {
            fprintf(stderr, "hallq: commit failed: %s; rebuilding the hall from the store\n",
                    why.message);
            /* Take the hall lock so that no change is made from the lost state, fail this group
             * and everything queued behind it (made from the same state), then rebuild. */
            pthread_mutex_lock(&a->mu);
            pthread_mutex_lock(&a->qmu);
            rest = a->qhead;
            a->qhead = a->qtail = NULL;
            struct hq_why rw = {0};
            if (reload_hall(a, &rw) != 0) fprintf(stderr, "hallq: reload failed: %s\n", rw.message);
            pthread_mutex_unlock(&a->mu);
            for (struct hq_pending *p = rest; p; p = p->next) {
                p->why = why;
                p->why.code = HQ_ESTORE;
            }
            for (struct hq_pending *p = group; p; p = p->next) {
                p->why = why;
                p->why.code = HQ_ESTORE;
            }
        }
        /* qmu is held here. The replier hands the group on, so that the next commit starts now:
         * the group's first batch carries what it needs (no allocation, so nothing can fail). */
        group->next_group = NULL;
        group->rest = rest;
        group->group_rc = rc;
        if (a->dtail)
            a->dtail->next_group = group;
        else
            a->dhead = group;
        a->dtail = group;
        if (a->replier_idle) pthread_cond_signal(&a->dcv);
    }
    a->writer_stopped = true;
    pthread_cond_signal(&a->dcv);
    pthread_mutex_unlock(&a->qmu);
    return NULL;
}

static void *ticker_main(void *arg)
{
    struct hq_app *a = arg;
    pthread_mutex_lock(&a->qmu);
    while (!a->ticker_stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + (int64_t)a->tick_ms * 1000000;
        ts.tv_sec += (time_t)(ns / 1000000000);
        ts.tv_nsec = (long)(ns % 1000000000);
        pthread_cond_timedwait(&a->tickcv, &a->qmu, &ts);
        if (a->ticker_stopping) break;
        pthread_mutex_unlock(&a->qmu);
        hq__app_tick(a);
        pthread_mutex_lock(&a->qmu);
    }
    pthread_mutex_unlock(&a->qmu);
    return NULL;
}

struct hq_app *hq_app_open(const struct hq_app_options *o, struct hq_why *why)
{
    if (sodium_init() < 0) {
        hq_fail(why, HQ_EINTERNAL, "", "libsodium failed to initialise");
        return NULL;
    }
    struct hq_app *a = calloc(1, sizeof *a);
    if (!a) {
        hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        return NULL;
    }
    pthread_mutex_init(&a->mu, NULL);
    pthread_mutex_init(&a->qmu, NULL);
    pthread_mutex_init(&a->lmu, NULL);
    pthread_mutex_init(&a->reader_mu, NULL);
    pthread_mutex_init(&a->smu, NULL);
    atomic_init(&a->staff_gen, 1);
    pthread_cond_init(&a->qcv, NULL);
    pthread_cond_init(&a->dcv, NULL);
    pthread_cond_init(&a->tickcv, NULL);
    hq_hall_init(&a->hall);
    a->clock = o->clock;
    if (!a->clock.now) a->clock.now = real_now;
    snprintf(a->public_url, sizeof a->public_url, "%s", o->public_url ? o->public_url : "");
    a->public_issue_per_min = o->public_issue_per_min > 0 ? o->public_issue_per_min : 60;
    a->tick_ms = o->tick_ms > 0 ? o->tick_ms : 5000;

    a->store = hq_store_open(o->db, why);
    if (!a->store) goto fail;
    a->reader = hq_store_open(o->db, why);
    if (!a->reader) goto fail;
    /* The hall's time zone governs the local day, hours and every time we print. */
    {
        struct hq_hall probe;
        hq_hall_init(&probe);
        int64_t last = 0;
        if (a->store->vt->load(a->store, &probe, 99999999, &last, why) != 0) {
            hq_hall_release(&probe);
            goto fail;
        }
        if (probe.conf.timezone[0]) setenv("TZ", probe.conf.timezone, 1);
        tzset();
        hq_hall_release(&probe);
    }
    if (reload_hall(a, why) != 0) goto fail;
    for (size_t i = 0; i < sizeof loaders / sizeof loaders[0]; i++)
        if (loaders[i](a, why) != 0) goto fail;
    hq__public_url_load(a);
    for (const struct hq__module *const *m = hq__modules; *m; m++)
        if ((*m)->open && (*m)->open(a, why) != 0) goto fail;
    if (pthread_create(&a->replier, NULL, replier_main, a) != 0) {
        hq_fail(why, HQ_EINTERNAL, "", "cannot start the writer thread");
        goto fail;
    }
    if (pthread_create(&a->writer, NULL, writer_main, a) != 0) {
        pthread_mutex_lock(&a->qmu);
        a->writer_stopped = true;
        pthread_cond_signal(&a->dcv);
        pthread_mutex_unlock(&a->qmu);
        pthread_join(a->replier, NULL);
        hq_fail(why, HQ_EINTERNAL, "", "cannot start the writer thread");
        goto fail;
    }
    if (pthread_create(&a->ticker, NULL, ticker_main, a) != 0) {
        pthread_mutex_lock(&a->qmu);
        a->stopping = true;
        pthread_cond_broadcast(&a->qcv);
        pthread_mutex_unlock(&a->qmu);
        pthread_join(a->writer, NULL);
        pthread_join(a->replier, NULL);
        hq_fail(why, HQ_EINTERNAL, "", "cannot start the ticker thread");
        goto fail;
    }
    a->media = hq__media_new(); /* voice off until hq_app_voice_start; NULL = media off */
    for (const struct hq__module *const *m = hq__modules; *m; m++)
        if ((*m)->start && (*m)->start(a, why) != 0) {
            hq_app_close(a);
            return NULL;
        }
    return a;
fail:
    for (const struct hq__module *const *m = hq__modules; *m; m++)
        if ((*m)->close) (*m)->close(a);
    if (a->store) hq_store_close(a->store);
    if (a->reader) hq_store_close(a->reader);
    hq__auth_release(a);
    hq__appointments_release(a);
    json_decref(a->public_info);
    json_decref(a->retired_windows);
    json_decref(a->retired_services);
    json_decref(a->retired_staff);
    free(a->pads);
    hq_hall_release(&a->hall);
    free(a);
    return NULL;
}

void hq_app_close(struct hq_app *a)
{
    if (!a) return;
    for (const struct hq__module *const *m = hq__modules; *m; m++)
        if ((*m)->stop) (*m)->stop(a);
    /* The ticker first: a tick may commit (a day roll), and waits for the writer to do it. With
     * both told to stop at once, the writer could end first and leave that tick waiting forever
     * (seen as `hallq demo` hanging at its end). */
    pthread_mutex_lock(&a->qmu);
    a->ticker_stopping = true;
    pthread_cond_broadcast(&a->tickcv);
    pthread_mutex_unlock(&a->qmu);
    pthread_join(a->ticker, NULL);
    pthread_mutex_lock(&a->qmu);
    a->stopping = true;
    pthread_cond_broadcast(&a->qcv);
    pthread_mutex_unlock(&a->qmu);
    pthread_join(a->writer, NULL);
    pthread_join(a->replier, NULL); /* it ends after the writer, with every group finished */
    hq__media_free(a, a->media);    /* no listener runs once the replier has stopped */
    for (const struct hq__module *const *m = hq__modules; *m; m++)
        if ((*m)->close) (*m)->close(a);
    hq_store_close(a->store);
    hq_store_close(a->reader);
    hq__auth_release(a);
    hq__appointments_release(a);
    json_decref(a->public_info);
    json_decref(a->retired_windows);
    json_decref(a->retired_services);
    json_decref(a->retired_staff);
    free(a->pads);
    free(a->alerted);
    hq_hall_release(&a->hall);
    pthread_mutex_destroy(&a->mu);
    pthread_mutex_destroy(&a->qmu);
    pthread_mutex_destroy(&a->lmu);
    pthread_mutex_destroy(&a->reader_mu);
    pthread_mutex_destroy(&a->smu);
    pthread_cond_destroy(&a->qcv);
    pthread_cond_destroy(&a->dcv);
    pthread_cond_destroy(&a->tickcv);
    free(a);
}

void hq_app_metrics(struct hq_app *a, struct hq_app_metrics *out)
{
    struct hq_app_metrics m;
    pthread_mutex_lock(&a->qmu);
    m = a->m;
    m.last_seq = a->durable_seq;
    pthread_mutex_unlock(&a->qmu);
    memset(m.tickets_by_status, 0, sizeof m.tickets_by_status);
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; i < a->hall.n_tickets; i++)
        m.tickets_by_status[a->hall.tickets[i].status]++;
    pthread_mutex_unlock(&a->mu);
    *out = m;
}

int hq_app_transact(struct hq_app *a, const char *actor, hq_app_tx_fn fn, void *ctx,
                    struct hq_why *why)
{
    struct hq_batch b;
    hq_batch_init(&b);
    struct hq_now now;
    hq_app_now(a, &now);
    pthread_mutex_lock(&a->mu);
    int rc = fn(ctx, &a->hall, &now, &b, why);
    if (rc != 0) {
        pthread_mutex_unlock(&a->mu);
        hq_batch_release(&b);
        return rc;
    }
    for (size_t i = 0; i < b.n; i++)
        if (b.ops[i].kind == HQ_OP_EVENT && actor && !b.ops[i].u.event.actor[0])
            snprintf(b.ops[i].u.event.actor, sizeof b.ops[i].u.event.actor, "%s", actor);
    return hq__app_commit_unlock(a, &b, why);
}

size_t hq__window_index(struct hq_app *a, const struct hq_window *w)
{
    return (size_t)(w - a->hall.windows);
}

struct hq_pad *hq__pad(struct hq_app *a, const struct hq_window *w)
{
    size_t i = hq__window_index(a, w);
    if (i >= a->n_pads) {
        size_t n = a->hall.n_windows + 16;
        struct hq_pad *p = realloc(a->pads, n * sizeof *p);
        if (!p) return NULL;
        memset(p + a->n_pads, 0, (n - a->n_pads) * sizeof *p);
        a->pads = p;
        a->n_pads = n;
    }
    return &a->pads[i];
}

void hq__random_hex(char *out, size_t nbytes)
{
    unsigned char buf[64];
    if (nbytes > sizeof buf) nbytes = sizeof buf;
    randombytes_buf(buf, nbytes);
    sodium_bin2hex(out, nbytes * 2 + 1, buf, nbytes);
}

void hq__ticket_id(char out[HQ_ID_LEN + 1])
{
    /* 12 hex digits of the wall clock in ms, then 80 random bits: still unguessable (API.md), and
     * each new id sorts after the ones before it, so that the store's index of ticket ids grows
     * at its right edge instead of taking a write at a random page per ticket, which made issuing
     * slower as the tickets grew (issue 12). The time is only an order: no code reads it back. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    snprintf(out, 13, "%012" PRIx64, (uint64_t)(ms & 0xffffffffffffu));
    hq__random_hex(out + 12, (HQ_ID_LEN - 12) / 2);
}

void hq__hash_hex(const char *s, char *out)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)s, strlen(s), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}
