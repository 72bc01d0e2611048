/* SPDX-License-Identifier: MIT */
/*
 * sse.c — the live event hub behind GET /api/v1/events (Server-Sent Events).
 *
 * Design. The hub subscribes once to the app (hq_app_listen). Every stream is a libmicrohttpd
 * response with a content-reader callback; no thread is held per client. An event is formatted
 * once into a frame of the hub's shared list (sse_frames.c); every live stream keeps a cursor
 * into that list instead of a copy of the bytes, so publishing to N streams costs N flag checks
 * and wake-ups, not N copies, and a stream costs a few hundred bytes of its own:
 *
 *  - The publisher (the app's replier thread, after each durable commit) appends the frame under
 *    the hub mutex. A live client that is suspended with its head and hello sent (`direct`) goes
 *    into a fan-out job instead of being woken: see the fan-out below. Every other live client
 *    that is suspended is marked for waking. It never waits for a
 *    client: a client more than HQ_SSE_BUF_MAX bytes behind the newest frame is marked dropped
 *    (its cursor released, so the frames it held are freed) and woken, and its reader ends the
 *    stream; the browser reconnects with Last-Event-ID and replays what it missed from the
 *    durable log. The wake-ups (MHD_resume_connection) are issued after the mutex is released,
 *    in one batch, so the event threads' readers are not held up meanwhile, and with one eventfd
 *    write per event thread and batch instead of one per stream (wake_run), so each event thread
 *    finds most of its connections resumed in one pass.
 *  - The fan-out (HQ_SSE_FAN_MAX threads at most, one per core): a job is the clients one event
 *    goes to directly; the threads take them 64 at a time, marked `busy`, and, without the mutex,
 *    send each one's pending frames from a copy of its cursor with a non-blocking sendmsg on the
 *    connection's socket. While a client is suspended, libmicrohttpd neither reads its reader nor
 *    writes its socket, and everything the reader returned before suspending has been sent (it is
 *    called again only then), so these bytes follow the last ones in order. Then, under the mutex,
 *    the cursor moves past what went; a client whose socket was full (EAGAIN, or a short write)
 *    or failed is resumed and its reader goes on from that exact byte as before (the body is
 *    close-delimited, not chunked, so any cut is fine); a client given another frame meanwhile
 *    (`again`) gets another round. While busy, nobody else resumes or drops a client: the ping,
 *    the stop and the lag check set `to_resume` / `to_drop` and its fan-out thread acts on them.
 *    So a live event costs one send per stream and no resume, eventfd, epoll round or reader call.
 *  - The reader (a libmicrohttpd event thread) copies pending bytes out: first its private
 *    literal (the "retry:" hello or a ping), then its page of replayed events, then shared frames
 *    from its cursor, as many as fit in one write. With nothing to send it suspends its connection
 *    *inside the callback and under the hub mutex*, the same mutex under which the publisher
 *    clears the client's suspended flag, so no wake-up is lost (DEPENDENCIES.md pitfall 2): only
 *    whoever flips that flag from true to false resumes the connection, exactly once, and a
 *    suspended connection is never released by libmicrohttpd, so resuming it after the unlock is
 *    safe.
 *  - Replay (Last-Event-ID given): the client starts in the replaying state without a cursor, and
 *    the publisher only wakes it. Its reader pulls pages from the durable log
 *    (hq_app_events_since) whenever its page is used up, at the pace the client reads. When the
 *    last event it sent is at or past the last one the hub has seen, it switches to live under the
 *    mutex by standing its cursor on the end of the list: every later event has a higher sequence
 *    number and comes as a later frame, so nothing is lost and nothing repeats.
 *  - A ping thread gives ": ping" to every stream with nothing pending every HQ_SSE_PING_S seconds
 *    and wakes the streams; that is also how a vanished client is noticed (a suspended connection
 *    does not see its peer leave).
 *  - Shutdown: hq__sse_end_all marks every client closing and resumes it; each reader flushes
 *    and ends its stream. libmicrohttpd must not be stopped with a suspended connection.
 *
 * A client struct is freed only in the response's free callback (when libmicrohttpd is done with
 * the connection's response), after unlinking it and releasing its cursor under the mutex.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server_int.h"
#include "sse_frames.h"

#define HQ_SSE_FAN_MAX 4 /* fan-out threads at most (one per core, see hq__sse_start) */
#define FAN_CHUNK 64     /* streams a fan-out thread takes from a job at a time */

struct sse_client {
    struct sse_client *prev, *next;
    struct hq_sse_hub *hub;
    struct MHD_Connection *conn;
    const char *lit; /* private bytes sent first: the hello or a ping (static strings) */
    size_t lit_len;
    struct hq_buf
        page; /* replaying: formatted events from the log, page.p[page_off..len) pending */
    size_t page_off;
    struct hq_sse_cursor cur; /* live: position in the hub's frames */
    int64_t last_seq;         /* replaying: the last event in page */
    int fd;                   /* the connection's socket (the fan-out's direct sends) */
    bool replaying;
    bool suspended;
    bool closing;
    bool dropped;
    bool hello_out; /* the reader has handed the hello to libmicrohttpd */
    bool direct;    /* libmicrohttpd has sent the head and the hello: direct sends allowed */
    bool busy;      /* a fan-out thread is sending to it: only that thread may resume it */
    bool again;     /* busy and a frame came meanwhile */
    bool to_resume; /* busy and someone asked for a resume (ping, stop) */
    bool to_drop;   /* busy and too far behind */
};

/* A fan-out job: the streams one event goes to directly, in chunks taken by the fan-out threads. */
struct fan_job {
    struct fan_job *next;
    const struct hq_sse_frame *stop; /* the list's tail when the job was made */
    size_t n, taken, done;           /* clients; chunks handed out / finished (hub mutex) */
    struct sse_client *c[];
};

struct hq_sse_hub {
    struct hq_app *app;
    struct hq_metrics *m;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* a client left; the ping thread's timer */
    struct sse_client *head;
    size_t n;
    struct hq_sse_frames frames;
    int64_t last_seq; /* the last event published (or durable at start) */
    bool closing;
    bool stop_ping;
    bool ping_started;
    int listen_id;
    pthread_t ping;
    /* the fan-out threads and their queue of jobs (hub mutex) */
    pthread_cond_t fan_cv;
    struct fan_job *jobs, **jobs_tail;
    bool stop_fan;
    int n_fan;
    pthread_t fan[HQ_SSE_FAN_MAX];
};

/* A stream socket's send buffer (the kernel doubles it): without it, loopback's autotuning let a
 * stalled reader pin ~4 MB of kernel memory before a send failed; with it, a stalled stream holds
 * at most ~128 KiB there plus HQ_SSE_BUF_MAX in the hub before it is dropped. */
#define HQ_SSE_SNDBUF (64 * 1024)

/* Bytes allocated with every stream's response (see hq__sse_open). */
#define HQ_SSE_BLOCK 256

static const char hello[] = "retry: 3000\n\n";
static const char ping[] = ": ping\n\n";

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

/* ---- client state (hub mutex held) ---- */

static bool client_pending(const struct sse_client *c)
{
    return c->lit_len || c->page_off < c->page.len ||
           hq__sse_cursor_lag(&c->cur, &c->hub->frames) > 0;
}

/* Connections to resume once the hub mutex is released (see the top of the file). */
struct wake_batch {
    struct MHD_Connection **conn;
    size_t n, cap;
};

/* Wake a suspended client: at once, or (wake != NULL) by adding it to the batch the caller
 * resumes after unlocking. */
static void client_resume(struct sse_client *c, struct wake_batch *wake)
{
    if (c->busy) { /* its fan-out thread resumes it when done */
        c->to_resume = true;
        return;
    }
    if (!c->suspended) return;
    c->suspended = false;
    if (wake && wake->n < wake->cap)
        wake->conn[wake->n++] = c->conn;
    else
        MHD_resume_connection(c->conn);
}

static void client_drop(struct sse_client *c, struct wake_batch *wake)
{
    if (c->busy) { /* its cursor is being read: the fan-out thread drops it when done */
        c->to_drop = true;
        return;
    }
    if (!c->dropped) {
        c->dropped = true;
        c->closing = true;
        hq__sse_cursor_release(&c->cur); /* the frames it held go now */
        atomic_fetch_add_explicit(&c->hub->m->sse_dropped, 1, memory_order_relaxed);
    }
    client_resume(c, wake);
}

static void wake_init(struct wake_batch *w, size_t n)
{
    w->n = 0;
    w->conn = n ? malloc(n * sizeof *w->conn) : NULL;
    w->cap = w->conn ? n : 0; /* out of memory: client_resume resumes at once */
}

/* ---- one eventfd write per event thread and batch ----
 * MHD_resume_connection writes to the eventfd of the connection's event thread every time
 * (libmicrohttpd 0.9.75, MHD_itc_activate_), and every write may wake that thread, which then
 * walks its whole list of suspended connections for the ones marked for resuming. A batch of N
 * resumes was N writes (strace: one per stream and event) and up to N walks. While wake_run
 * resumes a batch, this thread lets the first 8-byte write to each descriptor through (its event
 * thread starts on the streams resumed so far), drops the later ones to the same descriptor, and
 * after the last resume writes each descriptor once more: an event thread that had drained its
 * eventfd after the first write and missed later resumes is woken again, and by then every
 * resume of the batch is marked. hallq defines the symbol write for that (as door.c does recv):
 * the program's definition comes first for libmicrohttpd's calls too. Outside wake_run, and on
 * every other thread, it is the C library's write, unchanged. */
#define WAKE_FDS 32
static _Thread_local struct {
    bool on;
    int n;
    int fd[WAKE_FDS];
} t_wake;

extern ssize_t __write(int fd, const void *buf, size_t n);
ssize_t hq__sse_write(int fd, const void *buf, size_t n) __asm__("write");
ssize_t hq__sse_write(int fd, const void *buf, size_t n)
{
    if (t_wake.on && n == sizeof(uint64_t)) {
        for (int i = 0; i < t_wake.n; i++)
            if (t_wake.fd[i] == fd) return (ssize_t)n; /* written once already in this batch */
        if (t_wake.n < WAKE_FDS) t_wake.fd[t_wake.n++] = fd;
    }
    return __write(fd, buf, n);
}

static void wake_run(struct wake_batch *w)
{
    t_wake.n = 0;
    t_wake.on = true;
    for (size_t i = 0; i < w->n; i++)
        MHD_resume_connection(w->conn[i]);
    t_wake.on = false;
    const uint64_t one = 1;
    for (int i = 0; i < t_wake.n; i++)
        (void)!__write(t_wake.fd[i], &one, sizeof one);
    free(w->conn);
}

/* ---- the fan-out: direct sends to suspended streams ---- */

enum { SENT, FULL, FAILED };

/* Send the bytes from pos to the end of stop on fd without waiting; pos advances by what went. */
static int direct_send(int fd, struct hq_sse_cursor *pos, const struct hq_sse_frame *stop)
{
    for (;;) {
        struct iovec iov[8];
        int k = hq__sse_pos_iov(pos, stop, iov, 8);
        if (k == 0) return SENT;
        size_t want = 0;
        for (int i = 0; i < k; i++)
            want += iov[i].iov_len;
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)k};
        ssize_t r = k == 1 ? send(fd, iov[0].iov_base, want, MSG_DONTWAIT | MSG_NOSIGNAL)
                           : sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? FULL : FAILED;
        hq__sse_pos_skip(pos, stop, (size_t)r);
        if ((size_t)r < want) return FULL;
    }
}

/* Send to n busy streams (their cursors are ours until we clear busy), then hand each back under
 * the mutex: a stream that took everything stays suspended; one whose socket is full, failed, or
 * that was asked to resume or drop meanwhile goes back to libmicrohttpd's path; one that got
 * another frame while we sent is sent to again. Called and returns without the mutex. */
static void fan_chunk(struct hq_sse_hub *h, struct sse_client **cs, size_t n,
                      const struct hq_sse_frame *stop)
{
    struct hq_sse_cursor pos[FAN_CHUNK];
    int st[FAN_CHUNK];
    while (n) {
        for (size_t i = 0; i < n; i++) {
            pos[i] = cs[i]->cur; /* a copy: no reference taken, none dropped */
            st[i] = direct_send(cs[i]->fd, &pos[i], stop);
        }
        struct wake_batch wake;
        pthread_mutex_lock(&h->mu);
        wake_init(&wake, n);
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            struct sse_client *c = cs[i];
            hq__sse_cursor_move(&c->cur, &pos[i]);
            c->busy = false;
            bool again = c->again;
            c->again = false;
            if (c->to_drop) {
                c->to_drop = c->to_resume = false;
                client_drop(c, &wake);
            } else if (st[i] != SENT || c->to_resume || c->closing) {
                c->to_resume = false;
                client_resume(c, &wake);
            } else if (again && hq__sse_cursor_lag(&c->cur, &h->frames) > 0) {
                c->busy = true;
                cs[m++] = c;
            }
        }
        stop = hq__sse_frames_tail(&h->frames);
        pthread_mutex_unlock(&h->mu);
        wake_run(&wake);
        n = m;
    }
}

static void *fan_main(void *arg)
{
    struct hq_sse_hub *h = arg;
    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (!h->jobs && !h->stop_fan)
            pthread_cond_wait(&h->fan_cv, &h->mu);
        struct fan_job *j = h->jobs;
        if (!j) break; /* stopping, and nothing left to send */
        size_t from = j->taken, to = from + FAN_CHUNK < j->n ? from + FAN_CHUNK : j->n;
        j->taken = to;
        if (to == j->n) { /* every chunk handed out: the next job */
            h->jobs = j->next;
            if (!h->jobs) h->jobs_tail = &h->jobs;
        }
        const struct hq_sse_frame *stop = j->stop;
        pthread_mutex_unlock(&h->mu);
        fan_chunk(h, j->c + from, to - from, stop);
        pthread_mutex_lock(&h->mu);
        j->done += to - from;
        if (j->done == j->n) free(j);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

/* ---- the publisher: the app's replier thread ---- */

static void on_event(void *ctx, const struct hq_event *e)
{
    struct hq_sse_hub *h = ctx;
    struct hq_buf text;
    hq__buf_init(&text, 0);
    bool ok = format_event(&text, e) == 0;
    struct wake_batch wake;
    pthread_mutex_lock(&h->mu);
    if (e->seq <= h->last_seq) { /* already durable when the hub started (events come in order) */
        pthread_mutex_unlock(&h->mu);
        hq__buf_release(&text);
        return;
    }
    h->last_seq = e->seq;
    ok = ok && hq__sse_frames_push(&h->frames, text.p, text.len) == 0;
    wake_init(&wake, h->n);
    struct fan_job *job = NULL;
    if (ok && h->n_fan && h->n) {
        job = malloc(sizeof *job + h->n * sizeof job->c[0]);
        if (job) *job = (struct fan_job){.stop = hq__sse_frames_tail(&h->frames)};
    }
    for (struct sse_client *c = h->head; c; c = c->next) {
        if (c->closing) continue;
        if (c->replaying) { /* it reads the log itself; wake it if it waits for this */
            client_resume(c, &wake);
            continue;
        }
        if (!ok || hq__sse_cursor_lag(&c->cur, &h->frames) > HQ_SSE_BUF_MAX) {
            client_drop(c, &wake); /* too far behind, or out of memory: let it replay */
        } else if (c->busy) {
            c->again = true; /* its fan-out thread sends this one too */
        } else if (job && c->suspended && c->direct) {
            c->busy = true; /* to the fan-out: sent directly, no resume */
            job->c[job->n++] = c;
        } else {
            client_resume(c, &wake);
        }
    }
    if (job && job->n) {
        *h->jobs_tail = job;
        h->jobs_tail = &job->next;
        pthread_cond_broadcast(&h->fan_cv);
    } else {
        free(job);
    }
    pthread_mutex_unlock(&h->mu);
    wake_run(&wake);
    hq__buf_release(&text);
}

/* ---- the reader: libmicrohttpd event threads ---- */

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

/* Copy the client's pending bytes (hub mutex held): literal, replayed page, shared frames. */
static size_t client_read(struct sse_client *c, char *out, size_t max)
{
    size_t n = 0;
    if (c->lit_len) {
        n = c->lit_len < max ? c->lit_len : max;
        memcpy(out, c->lit, n);
        c->lit += n;
        c->lit_len -= n;
    }
    if (n < max && c->page_off < c->page.len) {
        size_t k = c->page.len - c->page_off;
        if (k > max - n) k = max - n;
        memcpy(out + n, c->page.p + c->page_off, k);
        c->page_off += k;
        n += k;
        if (c->page_off == c->page.len) { /* page sent: give its memory back */
            hq__buf_release(&c->page);
            c->page_off = 0;
        }
    }
    if (n < max) n += hq__sse_cursor_read(&c->cur, out + n, max - n);
    return n;
}

static ssize_t reader(void *cls, uint64_t pos, char *out, size_t max)
{
    struct sse_client *c = cls;
    struct hq_sse_hub *h = c->hub;
    (void)pos;
    pthread_mutex_lock(&h->mu);
    /* libmicrohttpd calls the reader again only once all it was given before is sent: from the
     * second call on, the head and the hello are out and the socket is ours while suspended */
    if (c->hello_out && c->fd >= 0) c->direct = true;
    for (;;) {
        if (c->dropped) {
            pthread_mutex_unlock(&h->mu);
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        size_t n = client_read(c, out, max);
        if (n) {
            c->hello_out = true;
            pthread_mutex_unlock(&h->mu);
            return (ssize_t)n;
        }
        if (c->closing) {
            pthread_mutex_unlock(&h->mu);
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        if (c->replaying) {
            if (h->last_seq <= c->last_seq) {
                /* caught up: live from here, under the mutex */
                c->replaying = false;
                hq__sse_cursor_at_end(&c->cur, &h->frames);
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
                hq__buf_release(&r.out);
                c->closing = true; /* the client reconnects and tries again */
            } else if (r.count) {
                c->page = r.out; /* the client's page is empty here: take the bytes */
                c->page_off = 0;
                c->last_seq = r.last;
            } else {
                hq__buf_release(&r.out);
                if (h->last_seq > c->last_seq) {
                    /* not readable yet: wait for the next publish (or ping) to wake us */
                    c->suspended = true;
                    MHD_suspend_connection(c->conn);
                    pthread_mutex_unlock(&h->mu);
                    return 0;
                }
            }
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
    hq__sse_cursor_release(&c->cur);
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    hq__buf_release(&c->page);
    free(c);
}

int hq__sse_open(struct hq_sse_hub *h, struct MHD_Connection *conn, int64_t last_id,
                 struct MHD_Response **resp, struct hq_why *why)
{
    struct sse_client *c = calloc(1, sizeof *c);
    if (!c) return hq_fail(why, HQ_ESTORE, "", "out of memory");
    c->hub = h;
    c->conn = conn;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    c->fd = ci ? ci->connect_fd : -1;
    if (c->fd >= 0) {
        int sndbuf = HQ_SSE_SNDBUF;
        (void)setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    }
    hq__buf_init(&c->page, 0);
    c->lit = hello;
    c->lit_len = sizeof hello - 1;
    pthread_mutex_lock(&h->mu);
    if (h->closing) {
        pthread_mutex_unlock(&h->mu);
        free(c);
        return hq_fail(why, HQ_ESUSPENDED, "", "the server is shutting down");
    }
    if (last_id < 0) {
        hq__sse_cursor_at_end(&c->cur, &h->frames);
    } else {
        /* an id from the future (another database): start live from now */
        c->last_seq = last_id < h->last_seq ? last_id : h->last_seq;
        c->replaying = true;
    }
    c->next = h->head;
    if (h->head) h->head->prev = c;
    h->head = c;
    h->n++;
    pthread_mutex_unlock(&h->mu);

    /* The block size is unused for a chunked stream (libmicrohttpd fills the connection's own
     * write buffer), but it is allocated with every response: keep it small. */
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, HQ_SSE_BLOCK, reader, c, client_free);
    if (!r) {
        client_free(c);
        return hq_fail(why, HQ_ESTORE, "", "cannot create the event stream");
    }
    /* The body is the raw event stream, delimited by the connection's close (as an HTTP/1.0
     * answer's; the status line stays HTTP/1.1), not chunked: so the fan-out can write any number
     * of its bytes to the socket directly, and libmicrohttpd's path goes on from there. */
    if (c->fd >= 0) MHD_set_response_options(r, MHD_RF_HTTP_1_0_COMPATIBLE_STRICT, MHD_RO_END);
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
        struct wake_batch wake;
        wake_init(&wake, h->n);
        for (struct sse_client *c = h->head; c; c = c->next) {
            if (c->closing) continue;
            if (!client_pending(c)) { /* only between events: never inside a frame */
                c->lit = ping;
                c->lit_len = sizeof ping - 1;
            }
            client_resume(c, &wake);
        }
        pthread_mutex_unlock(&h->mu);
        wake_run(&wake);
        pthread_mutex_lock(&h->mu);
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
    if (hq__sse_frames_init(&h->frames) != 0) {
        free(h);
        return NULL;
    }
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->fan_cv, NULL);
    h->jobs_tail = &h->jobs;
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
    /* fan-out threads: one per core (2 - HQ_SSE_FAN_MAX); HQ_SSE_FANOUT=N sets N, 0 turns the
     * direct sends off (every event through libmicrohttpd's resume, for comparison) */
    long want = sysconf(_SC_NPROCESSORS_ONLN);
    const char *env = getenv("HQ_SSE_FANOUT");
    if (env && *env) want = strtol(env, NULL, 10);
    if (!env || !*env) want = want < 2 ? 2 : want;
    if (want > HQ_SSE_FAN_MAX) want = HQ_SSE_FAN_MAX;
    for (long i = 0; i < want; i++) {
        if (pthread_create(&h->fan[h->n_fan], NULL, fan_main, h) != 0) break;
        h->n_fan++;
    }
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
        client_resume(c, NULL);
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
    pthread_mutex_lock(&h->mu);
    h->stop_fan = true;
    pthread_cond_broadcast(&h->fan_cv);
    pthread_mutex_unlock(&h->mu);
    for (int i = 0; i < h->n_fan; i++) /* each finishes the jobs left first */
        pthread_join(h->fan[i], NULL);
    pthread_cond_destroy(&h->fan_cv);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    hq__sse_frames_release(&h->frames); /* every stream (and its cursor) is gone by now */
    free(h);
}
