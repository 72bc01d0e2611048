/* SPDX-License-Identifier: MIT */
/*
 * sse.c — the live event hub behind GET /api/v1/events (Server-Sent Events).
 *
 * Design. The hub subscribes once to the app (hq_app_listen). Every stream is a libmicrohttpd
 * response with a content-reader callback; no thread is held per client. Each client has its own
 * byte buffer of formatted events, bounded by HQ_SSE_BUF_MAX:
 *
 *  - The publisher (the app's writer thread, after each durable commit) formats an event once and,
 *    under the hub mutex, appends it to the buffer of every live client and resumes the ones that
 *    are suspended. It never waits for a client: a client whose buffer would overflow is marked
 *    dropped and resumed, and its reader ends the stream; the browser reconnects with
 *    Last-Event-ID and replays what it missed from the durable log.
 *  - The reader (a libmicrohttpd worker thread) copies pending bytes out. With nothing to send it
 *    suspends its connection *inside the callback and under the hub mutex*, the same mutex the
 *    publisher holds when it resumes, so no wake-up is lost (DEPENDENCIES.md pitfall 2).
 *  - Replay (Last-Event-ID given): the client starts in the replaying state, which the publisher
 *    skips. Its reader pulls pages from the durable log (hq_app_events_since) whenever its buffer
 *    is empty, at the pace the client reads. When the last event it sent is at or past the last
 *    one the hub has seen, it switches to live under the mutex: every later event has a higher
 *    sequence number and comes through the publisher, so nothing is lost and nothing repeats
 *    (the publisher also skips seq <= the client's last sequence).
 *  - A ping thread appends ": ping" every HQ_SSE_PING_S seconds and resumes the streams; that is
 *    also how a vanished client is noticed (a suspended connection does not see its peer leave).
 *  - Shutdown: hq__sse_end_all marks every client closing and resumes it; each reader flushes
 *    and ends its stream. libmicrohttpd must not be stopped with a suspended connection.
 *
 * A client struct is freed only in the response's free callback (when libmicrohttpd is done with
 * the connection's response), after unlinking it under the mutex.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server_int.h"

struct sse_client {
    struct sse_client *prev, *next;
    struct hq_sse_hub *hub;
    struct MHD_Connection *conn;
    char *buf;
    size_t off, len, cap; /* pending bytes are buf[off..len) */
    int64_t last_seq;     /* the last event placed in buf */
    bool replaying;
    bool suspended;
    bool closing;
    bool dropped;
};

struct hq_sse_hub {
    struct hq_app *app;
    struct hq_metrics *m;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* a client left; the ping thread's timer */
    struct sse_client *head;
    size_t n;
    int64_t last_seq; /* the last event published (or durable at start) */
    bool closing;
    bool stop_ping;
    bool ping_started;
    int listen_id;
    pthread_t ping;
};

/* ---- formatting ---- */

static int format_event(struct hq_buf *b, const struct hq_event *e)
{
    int rc = hq__buf_printf(b, "id: %lld\nevent: %s\n", (long long)e->seq, e->type);
    const char *d = e->data ? e->data : "{}";
    /* data: one line per line of the payload (compact JSON has none, but never trust it) */
    for (;;) {
        size_t l = strcspn(d, "\r\n");
        rc |= hq__buf_add(b, "data: ", 6);
        rc |= hq__buf_add(b, d, l);
        rc |= hq__buf_add(b, "\n", 1);
        d += l;
        if (!*d) break;
        if (d[0] == '\r' && d[1] == '\n') d++;
        d++;
    }
    rc |= hq__buf_add(b, "\n", 1);
    return rc ? -1 : 0;
}

/* ---- client buffer (hub mutex held) ---- */

static void client_resume(struct sse_client *c)
{
    if (c->suspended) {
        c->suspended = false;
        MHD_resume_connection(c->conn);
    }
}

static void client_drop(struct sse_client *c)
{
    if (!c->dropped) {
        c->dropped = true;
        c->closing = true;
        atomic_fetch_add_explicit(&c->hub->m->sse_dropped, 1, memory_order_relaxed);
    }
    client_resume(c);
}

/* Append n bytes; a client that would go over HQ_SSE_BUF_MAX is dropped. */
static void client_append(struct sse_client *c, const char *p, size_t n)
{
    size_t pending = c->len - c->off;
    if (c->dropped) return;
    if (pending + n > HQ_SSE_BUF_MAX) {
        client_drop(c);
        return;
    }
    if (c->off && c->len + n > c->cap) {
        memmove(c->buf, c->buf + c->off, pending);
        c->off = 0;
        c->len = pending;
    }
    if (c->len + n > c->cap) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < c->len + n)
            cap *= 2;
        if (cap > HQ_SSE_BUF_MAX) cap = HQ_SSE_BUF_MAX;
        char *q = realloc(c->buf, cap);
        if (!q) {
            client_drop(c);
            return;
        }
        c->buf = q;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, p, n);
    c->len += n;
}

/* ---- the publisher: the app's writer thread ---- */

static void on_event(void *ctx, const struct hq_event *e)
{
    struct hq_sse_hub *h = ctx;
    struct hq_buf text;
    hq__buf_init(&text, 0);
    bool ok = format_event(&text, e) == 0;
    pthread_mutex_lock(&h->mu);
    if (e->seq > h->last_seq) h->last_seq = e->seq;
    for (struct sse_client *c = h->head; c; c = c->next) {
        if (c->closing) continue;
        if (c->replaying) { /* it reads the log itself; wake it if it waits for this */
            client_resume(c);
            continue;
        }
        if (e->seq <= c->last_seq) continue;
        if (!ok) {
            client_drop(c); /* out of memory: let it replay later */
            continue;
        }
        client_append(c, text.p, text.len);
        c->last_seq = e->seq;
        client_resume(c);
    }
    pthread_mutex_unlock(&h->mu);
    hq__buf_release(&text);
}

/* ---- the reader: libmicrohttpd worker threads ---- */

struct replay_ctx {
    struct hq_buf out;
    int64_t last;
    size_t count;
    bool failed;
};

static int replay_cb(void *ctx, const struct hq_event *e)
{
    struct replay_ctx *r = ctx;
    if (format_event(&r->out, e) != 0) {
        r->failed = true;
        return 1;
    }
    r->last = e->seq;
    r->count++;
    return r->out.len >= 64 * 1024; /* enough for one round: stop early */
}

static ssize_t reader(void *cls, uint64_t pos, char *out, size_t max)
{
    struct sse_client *c = cls;
    struct hq_sse_hub *h = c->hub;
    (void)pos;
    pthread_mutex_lock(&h->mu);
    for (;;) {
        size_t pending = c->len - c->off;
        if (c->dropped) {
            pthread_mutex_unlock(&h->mu);
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        if (pending) {
            size_t n = pending < max ? pending : max;
            memcpy(out, c->buf + c->off, n);
            c->off += n;
            if (c->off == c->len) {
                c->off = c->len = 0;
                if (c->cap > 16384) { /* after a burst or a replay: give the memory back */
                    free(c->buf);
                    c->buf = NULL;
                    c->cap = 0;
                }
            }
            pthread_mutex_unlock(&h->mu);
            return (ssize_t)n;
        }
        if (c->closing) {
            pthread_mutex_unlock(&h->mu);
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        if (c->replaying) {
            if (h->last_seq <= c->last_seq) {
                c->replaying = false; /* caught up: live from here, under the mutex */
                continue;
            }
            int64_t after = c->last_seq;
            pthread_mutex_unlock(&h->mu);
            struct replay_ctx r = {.last = after};
            hq__buf_init(&r.out, 0);
            int rc = hq_app_events_since(h->app, after, HQ_SSE_PAGE, replay_cb, &r);
            pthread_mutex_lock(&h->mu);
            if (rc < 0 || r.failed) {
                fprintf(stderr, "level=error msg=\"sse: replay after %lld failed (%d)\"\n",
                        (long long)after, rc);
                c->closing = true; /* the client reconnects and tries again */
            } else if (r.count) {
                client_append(c, r.out.p, r.out.len);
                c->last_seq = r.last;
            } else if (h->last_seq > c->last_seq) {
                /* not readable yet: wait for the next publish (or ping) to wake us */
                hq__buf_release(&r.out);
                c->suspended = true;
                MHD_suspend_connection(c->conn);
                pthread_mutex_unlock(&h->mu);
                return 0;
            }
            hq__buf_release(&r.out);
            continue;
        }
        c->suspended = true;
        MHD_suspend_connection(c->conn);
        pthread_mutex_unlock(&h->mu);
        return 0;
    }
}

static void client_free(void *cls)
{
    struct sse_client *c = cls;
    struct hq_sse_hub *h = c->hub;
    pthread_mutex_lock(&h->mu);
    if (c->prev)
        c->prev->next = c->next;
    else
        h->head = c->next;
    if (c->next) c->next->prev = c->prev;
    h->n--;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    free(c->buf);
    free(c);
}

int hq__sse_open(struct hq_sse_hub *h, struct MHD_Connection *conn, int64_t last_id,
                 struct MHD_Response **resp, struct hq_why *why)
{
    struct sse_client *c = calloc(1, sizeof *c);
    if (!c) return hq_fail(why, HQ_ESTORE, "", "out of memory");
    c->hub = h;
    c->conn = conn;
    pthread_mutex_lock(&h->mu);
    if (h->closing) {
        pthread_mutex_unlock(&h->mu);
        free(c);
        return hq_fail(why, HQ_ESUSPENDED, "", "the server is shutting down");
    }
    if (last_id < 0) {
        c->last_seq = h->last_seq;
    } else {
        /* an id from the future (another database): start live from now */
        c->last_seq = last_id < h->last_seq ? last_id : h->last_seq;
        c->replaying = true;
    }
    static const char hello[] = "retry: 3000\n\n";
    client_append(c, hello, sizeof hello - 1);
    c->next = h->head;
    if (h->head) h->head->prev = c;
    h->head = c;
    h->n++;
    pthread_mutex_unlock(&h->mu);

    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 2048, reader, c, client_free);
    if (!r) {
        client_free(c);
        return hq_fail(why, HQ_ESTORE, "", "cannot create the event stream");
    }
    MHD_add_response_header(r, "Content-Type", "text/event-stream; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    /* a stream owns its connection: when it ends (dropped, shutdown) the connection closes */
    MHD_add_response_header(r, "Connection", "close");
    *resp = r;
    return 0;
}

/* ---- pings ---- */

static void *ping_main(void *arg)
{
    struct hq_sse_hub *h = arg;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    next.tv_sec += HQ_SSE_PING_S;
    pthread_mutex_lock(&h->mu);
    while (!h->stop_ping) {
        int rc = pthread_cond_timedwait(&h->cv, &h->mu, &next);
        if (h->stop_ping) break;
        if (rc != ETIMEDOUT) continue;
        static const char ping[] = ": ping\n\n";
        for (struct sse_client *c = h->head; c; c = c->next) {
            if (c->closing) continue;
            if (c->len == c->off) client_append(c, ping, sizeof ping - 1);
            client_resume(c);
        }
        clock_gettime(CLOCK_MONOTONIC, &next);
        next.tv_sec += HQ_SSE_PING_S;
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

/* ---- life cycle ---- */

struct hq_sse_hub *hq__sse_start(struct hq_app *a, struct hq_metrics *m)
{
    struct hq_sse_hub *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->app = a;
    h->m = m;
    h->listen_id = -1;
    pthread_mutex_init(&h->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&h->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (a) {
        h->listen_id = hq_app_listen(a, on_event, h);
        if (h->listen_id < 0) {
            hq__sse_free(h);
            return NULL;
        }
        /* outside the hub mutex: the app may hold its locks while it publishes to us */
        int64_t s = hq_app_last_seq(a);
        pthread_mutex_lock(&h->mu);
        if (s > h->last_seq) h->last_seq = s;
        pthread_mutex_unlock(&h->mu);
    }
    if (pthread_create(&h->ping, NULL, ping_main, h) != 0) {
        hq__sse_free(h);
        return NULL;
    }
    h->ping_started = true;
    return h;
}

size_t hq__sse_clients(struct hq_sse_hub *h)
{
    pthread_mutex_lock(&h->mu);
    size_t n = h->n;
    pthread_mutex_unlock(&h->mu);
    return n;
}

size_t hq__sse_end_all(struct hq_sse_hub *h, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&h->mu);
    h->closing = true;
    for (struct sse_client *c = h->head; c; c = c->next) {
        c->closing = true;
        client_resume(c);
    }
    while (h->n > 0)
        if (pthread_cond_timedwait(&h->cv, &h->mu, &until) == ETIMEDOUT) break;
    size_t left = h->n;
    /* whatever is left is not suspended (closing readers never suspend): stopping the daemon
     * closes those connections */
    pthread_mutex_unlock(&h->mu);
    return left;
}

void hq__sse_free(struct hq_sse_hub *h)
{
    if (!h) return;
    if (h->listen_id >= 0) hq_app_unlisten(h->app, h->listen_id);
    if (h->ping_started) {
        pthread_mutex_lock(&h->mu);
        h->stop_ping = true;
        pthread_cond_broadcast(&h->cv);
        pthread_mutex_unlock(&h->mu);
        pthread_join(h->ping, NULL);
    }
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h);
}
