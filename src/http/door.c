/* SPDX-License-Identifier: MIT */
/*
 * door.c — the front door of the HTTP server: one thread that accepts every connection, counts
 * connections per client address, and reads (peeks) the head of each connection's first request
 * before handing the socket to libmicrohttpd (MHD_add_connection; the daemon has no listening
 * socket of its own). It exists for what libmicrohttpd 0.9.75 cannot be told to do:
 *
 *  - A cap per client address (hq_server_options.max_conns_per_ip, default 256) over all its
 *    connections — waiting for a head here, handed to libmicrohttpd, event streams — so that one
 *    client holding thousands of half-sent requests cannot take the server from everyone else.
 *    Over the cap a new connection is answered 429 rate_limited (Retry-After) and closed. Headroom:
 *    once the server holds HEADROOM_PCT % of its connection limit, an address that already holds
 *    HEADROOM_PER_IP connections gets no more, so clients with few connections still get in.
 *  - A short head-read timeout (HEAD_TIMEOUT_MS): a connection that has not sent a whole request
 *    head by then is closed. libmicrohttpd's own (longer) timeout applies afterwards.
 *  - Transport errors as the JSON error of API.md, once and at once (libmicrohttpd answers them
 *    with HTML, and sends the status line and headers twice for a bad Content-Length): a
 *    malformed request line or header (400), a Content-Length that is not a decimal number (400)
 *    or is beyond any size (413), Content-Length together with Transfer-Encoding (400, request
 *    smuggling), a request line over REQ_LINE_MAX (414), a head over HEAD_MAX (431), an HTTP
 *    version other than 1.0 and 1.1 (505).
 *
 * A connection whose first request is an event stream (GET /api/v1/events) with a head that fits
 * is handed to the streams' daemon, with its small memory pool, instead (accept_route.c).
 *
 * The head is read with MSG_PEEK, so libmicrohttpd then reads the same bytes itself; the socket
 * is watched edge-triggered (each new segment is one event). Only the first request of a
 * connection passes here: later requests on a kept-alive connection are parsed by libmicrohttpd
 * alone. For those, the server's first call applies the same limits (request line, head size,
 * HTTP version: hq__door_check_request) and refuses Content-Length with Transfer-Encoding and
 * oversized bodies; what libmicrohttpd refuses itself (a request line or head beyond its buffer,
 * a malformed line, a version it does not take, a Content-Length it cannot read) gets the same
 * JSON error from here in place of its HTML (hq__door_mhd_refusal, at the end of this file, which
 * says how the connection at fault is found). An error answer is written at once, then the
 * connection is shut for writing and what the client still sends is read and dropped for up to
 * LINGER_MS, so that the answer is not lost to a reset.
 *
 * Event streams are long-lived connections and count against the cap like any other: without
 * that, one address could hold thousands of streams (8 KiB each plus their send buffers). A
 * display board holds one or two; 256 leaves room for a whole hall of devices behind one NAT
 * address. Raise --max-conns-per-ip for a bigger hall behind one address.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server_int.h"

#define HEAD_MAX 7168 /* libmicrohttpd keeps the head in its 8 KiB connection pool */
#define REQ_LINE_MAX 6144
#define HEAD_TIMEOUT_MS 10000
#define LINGER_MS 1000
#define HEADROOM_PCT 90
#define HEADROOM_PER_IP 8
#define IP_SLOTS 65536 /* power of two; distinct addresses holding connections at once */

enum pstate { P_HEAD, P_LINGER };

struct pend {
    struct pend *prev, *next; /* the door's list of connections it holds */
    int fd;
    enum pstate state;
    uint32_t ip; /* network order */
    struct sockaddr_in addr;
    int64_t deadline_ms;
};

struct hq_door {
    int lfd, ep;
    struct MHD_Daemon *d;
    struct MHD_Daemon *streams; /* event streams' daemon (small pool): accept_route.c */
    unsigned per_ip, limit;
    pthread_t thread;
    bool started;
    _Atomic int stop;
    struct pend head; /* sentinel of the list */
    size_t n_pend;
    /* connections per address: linear probing, key 0 = empty (0.0.0.0 never connects) */
    pthread_mutex_t mu;
    uint32_t keys[IP_SLOTS];
    uint32_t counts[IP_SLOTS];
    size_t total;
    _Atomic uint64_t refused, timeouts, bad;
};

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ---- connections per address (d->mu held) ---- */

static size_t ip_home(uint32_t ip)
{
    return (size_t)((ip * 2654435761u) >> 16) & (IP_SLOTS - 1);
}

static size_t ip_find(struct hq_door *d, uint32_t ip)
{
    size_t i = ip_home(ip);
    while (d->keys[i] && d->keys[i] != ip)
        i = (i + 1) & (IP_SLOTS - 1);
    return i; /* the key's slot, or the empty slot where it would go */
}

/* Remove slot i (linear probing deletion: move later entries of the run back). */
static void ip_delete(struct hq_door *d, size_t i)
{
    size_t j = i;
    for (;;) {
        d->keys[i] = 0;
        d->counts[i] = 0;
        for (;;) {
            j = (j + 1) & (IP_SLOTS - 1);
            if (!d->keys[j]) return;
            size_t k = ip_home(d->keys[j]);
            /* move j back to i unless its home lies cyclically in (i, j] */
            if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue;
            break;
        }
        d->keys[i] = d->keys[j];
        d->counts[i] = d->counts[j];
        i = j;
    }
}

/* Take a connection for ip; false when the cap or the headroom says no. */
static bool ip_take(struct hq_door *d, uint32_t ip)
{
    bool ok = false;
    pthread_mutex_lock(&d->mu);
    size_t i = ip_find(d, ip);
    uint32_t have = d->keys[i] ? d->counts[i] : 0;
    bool crowded = d->total * 100 >= (size_t)d->limit * HEADROOM_PCT;
    if (d->total < d->limit && have < d->per_ip && !(crowded && have >= HEADROOM_PER_IP) &&
        (d->keys[i] || d->total < IP_SLOTS / 2)) {
        d->keys[i] = ip;
        d->counts[i] = have + 1;
        d->total++;
        ok = true;
    }
    pthread_mutex_unlock(&d->mu);
    return ok;
}

static void ip_release(struct hq_door *d, uint32_t ip)
{
    pthread_mutex_lock(&d->mu);
    size_t i = ip_find(d, ip);
    if (d->keys[i] && d->counts[i]) {
        d->total--;
        if (--d->counts[i] == 0) ip_delete(d, i);
    }
    pthread_mutex_unlock(&d->mu);
}

void hq__door_closed(struct hq_door *d, const struct sockaddr *sa)
{
    if (d && sa && sa->sa_family == AF_INET)
        ip_release(d, ((const struct sockaddr_in *)sa)->sin_addr.s_addr);
}

size_t hq__door_held(struct hq_door *d, const char *ip)
{
    struct in_addr a;
    if (!d || inet_pton(AF_INET, ip, &a) != 1) return 0;
    pthread_mutex_lock(&d->mu);
    size_t i = ip_find(d, a.s_addr);
    size_t n = d->keys[i] ? d->counts[i] : 0;
    pthread_mutex_unlock(&d->mu);
    return n;
}

/* ---- the head of the first request ---- */

static bool is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The line [p, end) without its CR. */
static size_t line_len(const char *p, const char *end)
{
    const char *lf = memchr(p, '\n', (size_t)(end - p));
    size_t n = (size_t)((lf ? lf : end) - p);
    return n && p[n - 1] == '\r' ? n - 1 : n;
}

static bool name_is(const char *p, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(p, name, n) == 0;
}

int hq__door_check_head(const char *buf, size_t n, bool complete, struct hq_why *why)
{
    const char *p = buf, *end = buf + n;
    while (p < end && (*p == '\r' || *p == '\n')) /* empty lines before a request (RFC 9112 2.2) */
        p++;
    const char *lf = memchr(p, '\n', (size_t)(end - p));
    if (!lf) {
        if ((size_t)(end - p) > REQ_LINE_MAX) {
            hq_fail(why, HQ_EINVAL, "uri", "the request line is longer than %d bytes",
                    REQ_LINE_MAX);
            return 414;
        }
        if (complete) goto bad_line;
        hq_fail(why, HQ_EINVAL, "headers", "the request head is longer than %d bytes", HEAD_MAX);
        return 431;
    }
    size_t ll = line_len(p, end);
    if (ll > REQ_LINE_MAX) {
        hq_fail(why, HQ_EINVAL, "uri", "the request line is longer than %d bytes", REQ_LINE_MAX);
        return 414;
    }
    if (!complete) {
        hq_fail(why, HQ_EINVAL, "headers", "the request head is longer than %d bytes", HEAD_MAX);
        return 431;
    }
    {
        const char *sp1 = memchr(p, ' ', ll);
        const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', ll - (size_t)(sp1 + 1 - p)) : NULL;
        if (!sp1 || !sp2 || sp1 == p || sp2 == sp1 + 1) goto bad_line;
        for (const char *m = p; m < sp1; m++)
            if (!is_tchar((unsigned char)*m)) goto bad_line;
        for (const char *t = sp1 + 1; t < sp2; t++)
            if ((unsigned char)*t <= 0x20 || *t == 0x7f) goto bad_line;
        const char *v = sp2 + 1;
        size_t vl = ll - (size_t)(v - p);
        if (vl != 8 || strncmp(v, "HTTP/", 5) != 0 || v[6] != '.' || v[5] < '0' || v[5] > '9' ||
            v[7] < '0' || v[7] > '9')
            goto bad_line;
        if (v[5] != '1' || (v[7] != '0' && v[7] != '1')) {
            hq_fail(why, HQ_EINVAL, "version", "HTTP version %.8s is not supported: use HTTP/1.1",
                    v);
            return 505;
        }
    }
    bool has_cl = false, has_te = false;
    unsigned long long cl = 0;
    for (p = lf + 1; p < end;) {
        size_t l = line_len(p, end);
        const char *next = memchr(p, '\n', (size_t)(end - p));
        next = next ? next + 1 : end;
        if (l == 0) break; /* the end of the head */
        if (*p == ' ' || *p == '\t') {
            hq_fail(why, HQ_EINVAL, "headers", "folded header lines are not accepted");
            return 400;
        }
        const char *colon = memchr(p, ':', l);
        if (!colon || colon == p) {
            hq_fail(why, HQ_EINVAL, "headers", "a header line is not 'Name: value'");
            return 400;
        }
        for (const char *c = p; c < colon; c++)
            if (!is_tchar((unsigned char)*c)) {
                hq_fail(why, HQ_EINVAL, "headers", "a header name has a character not allowed");
                return 400;
            }
        size_t nl = (size_t)(colon - p);
        const char *v = colon + 1, *ve = p + l;
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        if (name_is(p, nl, "Content-Length")) {
            if (v == ve) goto bad_cl;
            unsigned long long x = 0;
            bool over = false;
            for (const char *c = v; c < ve; c++) {
                if (*c < '0' || *c > '9') goto bad_cl;
                if (x > (unsigned long long)INT64_MAX / 10) over = true;
                x = x * 10 + (unsigned)(*c - '0');
                if (x > (unsigned long long)INT64_MAX) over = true;
            }
            if (over) {
                hq_fail(why, HQ_ETOOLARGE, "Content-Length",
                        "request bodies are limited to %d bytes", HQ_BODY_MAX);
                return 413;
            }
            if (has_cl && x != cl) goto bad_cl;
            has_cl = true;
            cl = x;
        } else if (name_is(p, nl, "Transfer-Encoding")) {
            has_te = true;
        }
        p = next;
    }
    if (has_cl && has_te) {
        hq_fail(why, HQ_EINVAL, "Transfer-Encoding",
                "a request may not have both Content-Length and Transfer-Encoding");
        return 400;
    }
    return 0;
bad_cl:
    hq_fail(why, HQ_EINVAL, "Content-Length", "Content-Length must be one decimal number of bytes");
    return 400;
bad_line:
    hq_fail(why, HQ_EINVAL, "", "malformed request line: expected 'METHOD /path HTTP/1.1'");
    return 400;
}

/* ---- the thread ---- */

static void pend_unlink(struct hq_door *d, struct pend *p)
{
    p->prev->next = p->next;
    p->next->prev = p->prev;
    d->n_pend--;
}

/* Close a held connection (not handed over) and give back its count. */
static void pend_close(struct hq_door *d, struct pend *p)
{
    epoll_ctl(d->ep, EPOLL_CTL_DEL, p->fd, NULL);
    close(p->fd);
    pend_unlink(d, p);
    ip_release(d, p->ip);
    free(p);
}

/* Write a JSON error answer (small: it fits the socket buffer) and close for writing. */
static void send_error(int fd, int status, struct hq_why *why)
{
    static const struct {
        int status;
        const char *text;
    } reasons[] = {{400, "Bad Request"},
                   {413, "Content Too Large"},
                   {414, "URI Too Long"},
                   {429, "Too Many Requests"},
                   {431, "Request Header Fields Too Large"},
                   {503, "Service Unavailable"},
                   {505, "HTTP Version Not Supported"}};
    const char *reason = "Error";
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (reasons[i].status == status) reason = reasons[i].text;
    struct hq_res res = {0};
    hq_res_error(&res, why);
    char *body = json_dumps(res.json, JSON_COMPACT);
    json_decref(res.json);
    if (!body) return;
    char head[512];
    char ra[40] = "";
    if (res.retry_after_s > 0) snprintf(ra, sizeof ra, "Retry-After: %d\r\n", res.retry_after_s);
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 %d %s\r\nContent-Type: application/json; charset=utf-8\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\nCache-Control: no-store\r\n"
                      "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n"
                      "X-Frame-Options: DENY\r\n%s\r\n",
                      status, reason, strlen(body), ra);
    struct iovec iov[2] = {{head, (size_t)hl}, {body, strlen(body)}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
    (void)!sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
    free(body);
    shutdown(fd, SHUT_WR);
}

/* Read and drop; true when the client has closed (or the socket failed). */
static bool drain_input(int fd)
{
    char sink[4096];
    for (int i = 0; i < 64; i++) {
        ssize_t k = recv(fd, sink, sizeof sink, MSG_DONTWAIT);
        if (k > 0) continue;
        if (k < 0 && errno == EINTR) continue;
        return !(k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
    }
    return false;
}

static void start_linger(struct hq_door *d, struct pend *p, int status, struct hq_why *why)
{
    atomic_fetch_add_explicit(&d->bad, 1, memory_order_relaxed);
    send_error(p->fd, status, why);
    p->state = P_LINGER;
    p->deadline_ms = now_ms() + LINGER_MS;
    /* what was sent before a half-close raises no new event: read it now */
    if (drain_input(p->fd)) pend_close(d, p);
}

static void hand_over(struct hq_door *d, struct pend *p, struct MHD_Daemon *to)
{
    epoll_ctl(d->ep, EPOLL_CTL_DEL, p->fd, NULL);
    pend_unlink(d, p);
    /* libmicrohttpd owns the socket now (it closes it on failure too); its close notification
     * gives the count back. */
    if (MHD_add_connection(to, p->fd, (const struct sockaddr *)&p->addr, sizeof p->addr) != MHD_YES)
        ip_release(d, p->ip);
    free(p);
}

/* Has the client shut down its sending side (or gone)? The event may not say so yet: a half-close
 * that came with the data raises no edge of its own. */
static bool client_done(int fd, uint32_t events)
{
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) return true;
    struct pollfd pf = {fd, POLLIN | POLLRDHUP, 0};
    return poll(&pf, 1, 0) > 0 && (pf.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static void on_readable(struct hq_door *d, struct pend *p, uint32_t events)
{
    if (p->state == P_LINGER) {
        if (drain_input(p->fd)) pend_close(d, p);
        return;
    }
    char buf[HEAD_MAX + 1];
    ssize_t k;
    do
        k = recv(p->fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
    while (k < 0 && errno == EINTR);
    if (k == 0 || (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
        pend_close(d, p); /* gone before a whole head */
        return;
    }
    if (k < 0) return;
    size_t n = (size_t)k;
    /* the empty lines allowed before a request line do not end a head */
    size_t lead = 0;
    while (lead < n && (buf[lead] == '\r' || buf[lead] == '\n'))
        lead++;
    /* a head ends with an empty line: CRLF CRLF, or bare LFs */
    size_t hend = 0;
    for (size_t i = lead; i + 1 < n && !hend; i++) {
        if (buf[i] != '\n') continue;
        if (buf[i + 1] == '\n')
            hend = i + 2;
        else if (i + 2 < n && buf[i + 1] == '\r' && buf[i + 2] == '\n')
            hend = i + 3;
    }
    if (hend > HEAD_MAX) hend = 0;
    if (!hend && n <= HEAD_MAX && client_done(p->fd, events)) {
        /* the client has finished sending without ending its head: nothing to answer (read what
         * it sent first, so the close is an orderly one, not a reset) */
        drain_input(p->fd);
        pend_close(d, p);
        return;
    }
    if (!hend && n <= HEAD_MAX) {
        /* not whole yet: a too long request line is known before the head is */
        const char *first = buf + lead;
        if (n - lead > REQ_LINE_MAX && !memchr(first, '\n', n - lead)) {
            struct hq_why why = {0};
            int st = hq__door_check_head(buf, n, false, &why);
            start_linger(d, p, st, &why);
        }
        return; /* wait for more (edge-triggered: the next segment wakes us) */
    }
    struct hq_why why = {0};
    int st = hq__door_check_head(buf, hend ? hend : n, hend != 0, &why);
    if (st) {
        start_linger(d, p, st, &why);
        return;
    }
    bool stream = d->streams && hq__accept_is_stream(buf, n, hend);
    hand_over(d, p, stream ? d->streams : d->d);
}

static void accept_all(struct hq_door *d)
{
    for (;;) {
        struct sockaddr_in sa;
        socklen_t sl = sizeof sa;
        int fd = accept4(d->lfd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            return; /* EAGAIN, or out of descriptors (EMFILE): try again on the next event */
        }
        if (sa.sin_family != AF_INET) {
            close(fd);
            continue;
        }
        if (!ip_take(d, sa.sin_addr.s_addr)) {
            atomic_fetch_add_explicit(&d->refused, 1, memory_order_relaxed);
            struct hq_why why;
            hq_fail(&why, HQ_ERATE, "",
                    "too many connections from this address: close some and try again");
            why.retry_after_s = 5;
            send_error(fd, 429, &why);
            close(fd);
            continue;
        }
        struct pend *p = calloc(1, sizeof *p);
        if (!p) {
            ip_release(d, sa.sin_addr.s_addr);
            close(fd);
            continue;
        }
        p->fd = fd;
        p->ip = sa.sin_addr.s_addr;
        p->addr = sa;
        p->state = P_HEAD;
        p->deadline_ms = now_ms() + HEAD_TIMEOUT_MS;
        p->next = &d->head;
        p->prev = d->head.prev;
        d->head.prev->next = p;
        d->head.prev = p;
        d->n_pend++;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.ptr = p};
        if (epoll_ctl(d->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            pend_close(d, p);
            continue;
        }
        on_readable(d, p, 0); /* the head may be there already */
    }
}

static void expire(struct hq_door *d)
{
    int64_t now = now_ms();
    for (struct pend *p = d->head.next, *next; p != &d->head; p = next) {
        next = p->next;
        if (p->deadline_ms > now) continue;
        if (p->state == P_HEAD) atomic_fetch_add_explicit(&d->timeouts, 1, memory_order_relaxed);
        pend_close(d, p);
    }
}

static void *door_main(void *arg)
{
    struct hq_door *d = arg;
    struct epoll_event evs[256];
    int64_t last_expire = now_ms();
    while (!atomic_load(&d->stop)) {
        int n = epoll_wait(d->ep, evs, 256, 200);
        for (int i = 0; i < n; i++) {
            void *ptr = evs[i].data.ptr;
            if (ptr == &d->lfd)
                accept_all(d);
            else
                on_readable(d, ptr, evs[i].events);
        }
        if (now_ms() - last_expire >= 100) {
            expire(d);
            last_expire = now_ms();
        }
    }
    /* stop: a connection whose head has arrived goes on to libmicrohttpd (which answers 503 while
     * stopping, as to those it holds); the rest are closed */
    for (struct pend *p = d->head.next, *next; p != &d->head; p = next) {
        next = p->next;
        if (p->state == P_HEAD) on_readable(d, p, 0);
    }
    while (d->head.next != &d->head)
        pend_close(d, d->head.next);
    return NULL;
}

struct hq_door *hq__door_start(int lfd, struct MHD_Daemon *daemon, struct MHD_Daemon *streams,
                               unsigned per_ip, unsigned limit)
{
    struct hq_door *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->lfd = lfd;
    d->d = daemon;
    d->streams = streams;
    d->per_ip = per_ip ? per_ip : 256;
    d->limit = limit;
    d->head.next = d->head.prev = &d->head;
    pthread_mutex_init(&d->mu, NULL);
    d->ep = epoll_create1(EPOLL_CLOEXEC);
    if (d->ep < 0) goto fail;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &d->lfd};
    if (epoll_ctl(d->ep, EPOLL_CTL_ADD, lfd, &ev) != 0) goto fail;
    if (pthread_create(&d->thread, NULL, door_main, d) != 0) goto fail;
    d->started = true;
    return d;
fail:
    if (d->ep >= 0) close(d->ep);
    pthread_mutex_destroy(&d->mu);
    free(d);
    return NULL;
}

void hq__door_stop(struct hq_door *d)
{
    if (!d || !d->started) return;
    atomic_store(&d->stop, 1);
    pthread_join(d->thread, NULL);
    d->started = false;
    epoll_ctl(d->ep, EPOLL_CTL_DEL, d->lfd, NULL);
}

void hq__door_free(struct hq_door *d)
{
    if (!d) return;
    hq__door_stop(d);
    close(d->ep);
    pthread_mutex_destroy(&d->mu);
    free(d);
}

void hq__door_stats(struct hq_door *d, uint64_t *refused, uint64_t *timeouts, uint64_t *bad)
{
    *refused = d ? atomic_load(&d->refused) : 0;
    *timeouts = d ? atomic_load(&d->timeouts) : 0;
    *bad = d ? atomic_load(&d->bad) : 0;
}

/* ---- later requests of a kept-alive connection ----
 * libmicrohttpd 0.9.75 parses them alone, and between finding a broken head and writing its own
 * HTML answer it calls nothing of ours but the logger: "Error processing request (HTTP response
 * code is N ('<html>…')). Closing connection.", on the event thread serving the connection but
 * without naming it. Which connection it is: an event thread handles one connection at a time,
 * and libmicrohttpd parses a head only (a) right after reading that connection's socket, or (b)
 * right after the previous request of that connection ended (the completion callback; then the
 * bytes it had already read — pipelining). So each event thread notes the last socket it read
 * data from (the recv below) and the connection of each callback (hq__door_head_begin and
 * hq__door_head_end); when the logger reports the error, that socket is the one at fault. The
 * JSON error is written to it at once and its sending side is shut: libmicrohttpd's answer then
 * cannot go out (EPIPE) and it closes the connection. What the client has sent meanwhile is read
 * and dropped here and by the server's lingering close, so that the answer is not lost to a reset.
 *
 * The recv below: libmicrohttpd reads its sockets with recv() of the C library, resolved at run
 * time. hallq defines the symbol recv itself (through an asm label, leaving the header's
 * declaration alone); the program's own definition comes first for the shared libraries' calls
 * too. It is recvfrom() without an address — what recv() is — plus one thread-local store, for
 * every caller in the process (libpq's reads too), which see no other difference.
 *
 * The connections between the URI logger and the first call of the access handler (their head is
 * being read) are kept per thread too: a malformed line there is a header line, not the request
 * line. */
#define PENDING_MAX 128
static _Thread_local struct {
    struct MHD_Connection *c;
    int fd;
} pending[PENDING_MAX];
static _Thread_local int n_pending;
static _Thread_local int t_fd = -1;       /* the socket this thread last read or called back on */
static _Thread_local int t_answered = -1; /* t_fd once its error is answered */

ssize_t hq__door_recv(int fd, void *buf, size_t n, int flags) __asm__("recv");
ssize_t hq__door_recv(int fd, void *buf, size_t n, int flags)
{
    ssize_t k = recvfrom(fd, buf, n, flags, NULL, NULL);
    if (k > 0) {
        t_fd = fd;
        t_answered = -1;
    }
    return k;
}

static int conn_fd(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    return ci ? ci->connect_fd : -1;
}

static void note(int fd)
{
    t_fd = fd;
    t_answered = -1;
}

void hq__door_head_begin(struct MHD_Connection *c)
{
    hq__door_head_end(c);
    int fd = conn_fd(c);
    note(fd);
    if (n_pending < PENDING_MAX) {
        pending[n_pending].c = c;
        pending[n_pending++].fd = fd;
    }
}

void hq__door_head_end(struct MHD_Connection *c)
{
    note(conn_fd(c));
    for (int i = 0; i < n_pending; i++)
        if (pending[i].c == c) {
            pending[i] = pending[--n_pending];
            return;
        }
}

static bool in_head(int fd)
{
    for (int i = 0; i < n_pending; i++)
        if (pending[i].fd == fd) return true;
    return false;
}

/* The JSON refusal for libmicrohttpd's status and message; false to leave its answer alone. */
static bool mhd_why(unsigned status, const char *msg, bool head, struct hq_why *why)
{
    bool cl = strstr(msg, "Content-Length") != NULL;
    switch (status) {
    case 414:
        hq_fail(why, HQ_EINVAL, "uri", "the request line is longer than %d bytes", REQ_LINE_MAX);
        return true;
    case 431:
        hq_fail(why, HQ_EINVAL, "headers", "the request head is longer than %d bytes", HEAD_MAX);
        return true;
    case 505:
        hq_fail(why, HQ_EINVAL, "version", "this HTTP version is not supported: use HTTP/1.1");
        return true;
    case 413:
        hq_fail(why, HQ_ETOOLARGE, cl ? "Content-Length" : "",
                "request bodies are limited to %d bytes", HQ_BODY_MAX);
        return true;
    case 400:
        if (cl)
            hq_fail(why, HQ_EINVAL, "Content-Length",
                    "Content-Length must be one decimal number of bytes");
        else if (strstr(msg, "chunked"))
            hq_fail(why, HQ_EINVAL, "Transfer-Encoding", "the chunked request body is malformed");
        else if (head)
            hq_fail(why, HQ_EINVAL, "headers", "a header line is not 'Name: value'");
        else
            hq_fail(why, HQ_EINVAL, "", "malformed request line: expected 'METHOD /path HTTP/1.1'");
        return true;
    default:
        return false;
    }
}

int hq__door_mhd_refusal(struct hq_door *d, const char *msg)
{
    unsigned status = 0;
    if (sscanf(msg, "Error processing request (HTTP response code is %u", &status) != 1) return -1;
    int fd = t_fd;
    if (fd < 0 || fd == t_answered) return -1; /* unknown, or answered already */
    struct hq_why why = {0};
    if (!mhd_why(status, msg, in_head(fd), &why)) return -1;
    send_error(fd, (int)status, &why);
    drain_input(fd); /* what the client sent and libmicrohttpd did not read */
    t_fd = t_answered = fd;
    if (d) atomic_fetch_add_explicit(&d->bad, 1, memory_order_relaxed);
    return fd;
}

int hq__door_check_request(const char *method, size_t uri_len, const char *version,
                           size_t head_bytes, struct hq_why *why)
{
    size_t line = strlen(method) + 1 + uri_len + 1 + (version ? strlen(version) : 0);
    if (line > REQ_LINE_MAX) {
        hq_fail(why, HQ_EINVAL, "uri", "the request line is longer than %d bytes", REQ_LINE_MAX);
        return 414;
    }
    if (line + 2 + head_bytes > HEAD_MAX) {
        hq_fail(why, HQ_EINVAL, "headers", "the request head is longer than %d bytes", HEAD_MAX);
        return 431;
    }
    if (version && strcmp(version, "HTTP/1.1") != 0 && strcmp(version, "HTTP/1.0") != 0) {
        hq_fail(why, HQ_EINVAL, "version", "HTTP version %.8s is not supported: use HTTP/1.1",
                version);
        return 505;
    }
    return 0;
}
