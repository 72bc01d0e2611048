/* SPDX-License-Identifier: MIT */
/*
 * sse_clients.c — call → display latency at thousands of event streams, for docs/PERFORMANCE.md.
 * One process holds N `GET /api/v1/events` streams in one epoll loop (node's client is itself the
 * bottleneck at 5,000), spread over several loopback source addresses (127.0.0.1 – 127.0.0.8) so
 * that no per-address limit or port range is in the way. It issues K tickets, then K times:
 * `call-next` on window 1, waits until the `ticket.called` event has arrived on every stream (or
 * 10 s), `no-show`, a pause of 100 ms. For each call and stream the delay from sending the call
 * to the arrival of its event; printed: median, p99 and max over all N × K deliveries, the
 * missing ones, and the server's resident memory (VmRSS of --pid) before the streams and with
 * them open (and which of the server's daemons held them, from /metrics), and the CPU time the
 * server and this client spent per call and stream (from /proc; a call makes two events: the
 * call and the no-show).
 *
 *   sse_clients --port P --clients N --calls K --clerk TOKEN --guide TOKEN [--pid SERVER_PID]
 *               [--head browser|minimal]
 *
 * Each stream is opened with the head a display's browser sends (623 bytes: user agent, client
 * hints, a session cookie; --head minimal: three lines), since the head decides which of the
 * server's daemons takes the stream and how much memory the stream is given
 * (src/http/accept_route.c).
 *
 * The server's answers are read as HTTP/1.1 with chunked or plain bodies; events are recognised
 * by their `event: ticket.called` line and matched to the call by the ticket number in `data:`.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SOURCES 8
#define CARRY 4096
#define NUMLEN 16

struct stream {
    int fd;
    bool body, chunked, closed;
    long chunk_left; /* chunked: bytes left in this chunk; -1 reading a size line; -2 its CRLF */
    char line[32];
    size_t line_len;
    char carry[CARRY]; /* decoded bytes of the event being received */
    size_t carry_len;
    char head[1024];
    size_t head_len;
    int called; /* ticket.called events received */
};

static int port;
static struct stream *st;
static int n_streams, n_calls;
static double *arrival;         /* [call][stream], seconds; 0 = not yet */
static int *arrived;            /* [call]: streams that have its event (no scan of all streams) */
static char (*numbers)[NUMLEN]; /* [call][stream]: the number in that event */
static int ep;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kb(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kb) == 1) break;
    fclose(f);
    return kb;
}

/* The process's CPU time (user + system) in seconds, from /proc/PID/stat. */
static double cpu_s(int pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    unsigned long long ut = 0, sy = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &sy) != 2)
        return -1;
    return (double)(ut + sy) / (double)sysconf(_SC_CLK_TCK);
}

static int connect_from(int i, bool nonblock)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in src = {.sin_family = AF_INET, .sin_port = 0};
    src.sin_addr.s_addr = htonl(0x7f000001u + (unsigned)(i % SOURCES));
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    dst.sin_addr.s_addr = htonl(0x7f000001u);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0 ||
        connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0) {
        close(fd);
        return -1;
    }
    if (nonblock) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Send one request with Connection: close; returns the socket (blocking) or -1. */
static int request_start(const char *method, const char *path, const char *token, const char *body)
{
    char req[2048];
    int n = snprintf(req, sizeof req,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                     "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     method, path, token, body ? strlen(body) : 0, body ? body : "");
    int fd = connect_from(0, false);
    if (fd < 0 || send_all(fd, req, (size_t)n) != 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

/* The status of a whole answer in buf; its body (after the headers) from *body. */
static int answer_status(const char *buf, const char **body)
{
    int status = 0;
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1) return -1;
    const char *b = strstr(buf, "\r\n\r\n");
    *body = b ? b + 4 : "";
    return status;
}

/* Blocking request; the answer's status (or -1), the whole answer in out. */
static int request(const char *method, const char *path, const char *token, const char *body,
                   char *out, size_t outsz)
{
    int fd = request_start(method, path, token, body);
    if (fd < 0) return -1;
    size_t len = 0;
    ssize_t k;
    while (len + 1 < outsz && (k = recv(fd, out + len, outsz - 1 - len, 0)) > 0)
        len += (size_t)k;
    out[len] = 0;
    close(fd);
    const char *b;
    return answer_status(out, &b);
}

/* The value of the first "number":"…" after "ticket" in an answer's JSON. */
static bool ticket_number(const char *json, char *num)
{
    const char *t = strstr(json, "\"ticket\"");
    const char *p = strstr(t ? t : json, "\"number\"");
    if (!p) return false;
    p += 8;
    while (*p == ' ' || *p == ':')
        p++;
    if (*p++ != '"') return false;
    size_t i = 0;
    while (*p && *p != '"' && i + 1 < NUMLEN)
        num[i++] = *p++;
    num[i] = 0;
    return i > 0;
}

/* ---- the streams ---- */

static void on_event(struct stream *s, const char *ev, size_t n, double t)
{
    static const char tag[] = "event: ticket.called\n";
    if (n < sizeof tag || !memmem(ev, n, tag, sizeof tag - 1)) return;
    if (s->called >= n_calls) return;
    char copy[CARRY + 1];
    memcpy(copy, ev, n);
    copy[n] = 0;
    const char *d = strstr(copy, "\ndata:");
    size_t at = (size_t)s->called * (size_t)n_streams + (size_t)(s - st);
    if (!d || !ticket_number(d, numbers[at])) {
        const char *p = d ? strstr(d, "\"number\"") : NULL;
        if (p) { /* an event has the ticket's fields at the top level */
            char tmp[CARRY + 16];
            snprintf(tmp, sizeof tmp, "\"ticket\"%s", p);
            ticket_number(tmp, numbers[at]);
        }
    }
    arrival[at] = t;
    arrived[s->called]++;
    s->called++;
}

/* Feed decoded body bytes: complete events ("\n\n"-terminated) go to on_event. */
static void feed_body(struct stream *s, const char *p, size_t n, double t)
{
    while (n) {
        size_t k = n < CARRY - s->carry_len ? n : CARRY - s->carry_len;
        memcpy(s->carry + s->carry_len, p, k);
        s->carry_len += k;
        p += k;
        n -= k;
        size_t start = 0;
        for (size_t i = 1; i < s->carry_len; i++) {
            if (s->carry[i] == '\n' && s->carry[i - 1] == '\n') {
                on_event(s, s->carry + start, i + 1 - start, t);
                start = i + 1;
            }
        }
        memmove(s->carry, s->carry + start, s->carry_len - start);
        s->carry_len -= start;
        if (s->carry_len == CARRY) s->carry_len = 0; /* an event too long for us: skip it */
    }
}

static void feed(struct stream *s, const char *p, size_t n, double t)
{
    if (!s->body) {
        size_t k = n < sizeof s->head - 1 - s->head_len ? n : sizeof s->head - 1 - s->head_len;
        memcpy(s->head + s->head_len, p, k);
        s->head_len += k;
        s->head[s->head_len] = 0;
        char *e = strstr(s->head, "\r\n\r\n");
        if (!e) return;
        s->body = true;
        s->chunked = strcasestr(s->head, "transfer-encoding: chunked") != NULL;
        s->chunk_left = -1;
        size_t used = (size_t)(e + 4 - s->head) - (s->head_len - k);
        p += used;
        n -= used;
    }
    if (!s->chunked) {
        feed_body(s, p, n, t);
        return;
    }
    while (n) {
        if (s->chunk_left > 0) {
            size_t k = (size_t)s->chunk_left < n ? (size_t)s->chunk_left : n;
            feed_body(s, p, k, t);
            s->chunk_left -= (long)k;
            p += k;
            n -= k;
            if (s->chunk_left == 0) s->chunk_left = -2;
        } else if (s->chunk_left == -2) { /* the CRLF after a chunk */
            if (*p == '\n') s->chunk_left = -1;
            p++;
            n--;
        } else { /* a size line */
            char c = *p++;
            n--;
            if (c == '\n') {
                s->line[s->line_len] = 0;
                s->chunk_left = strtol(s->line, NULL, 16);
                s->line_len = 0;
                if (s->chunk_left == 0) s->chunk_left = -2; /* the last chunk */
            } else if (c != '\r' && s->line_len + 1 < sizeof s->line) {
                s->line[s->line_len++] = c;
            }
        }
    }
}

/* The call in flight: its socket in the epoll set (tag -1), its answer. */
static int call_fd = -1;
static char call_buf[8192];
static size_t call_len;
static bool call_done;

/* Read whatever is ready, for at most timeout_ms. */
static void pump(int timeout_ms)
{
    struct epoll_event evs[512];
    char buf[16384];
    int k = epoll_wait(ep, evs, 512, timeout_ms);
    for (int i = 0; i < k; i++) {
        int id = evs[i].data.u32 == UINT32_MAX ? -1 : (int)evs[i].data.u32;
        if (id < 0) {
            ssize_t r = recv(call_fd, call_buf + call_len, sizeof call_buf - 1 - call_len, 0);
            if (r > 0) call_len += (size_t)r;
            if (r == 0 || (r < 0 && errno != EAGAIN) || call_len + 1 >= sizeof call_buf) {
                call_buf[call_len] = 0;
                epoll_ctl(ep, EPOLL_CTL_DEL, call_fd, NULL);
                close(call_fd);
                call_fd = -1;
                call_done = true;
            }
            continue;
        }
        struct stream *s = &st[id];
        for (;;) {
            ssize_t r = recv(s->fd, buf, sizeof buf, 0);
            if (r > 0) {
                feed(s, buf, (size_t)r, now_s());
                if ((size_t)r < sizeof buf) break;
                continue;
            }
            if (r < 0 && errno == EAGAIN) break;
            if (r < 0 && errno == EINTR) continue;
            s->closed = true;
            epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, NULL);
            break;
        }
    }
}

/* Send a request whose answer pump() collects; returns 0 or -1. */
static int call_start(const char *method, const char *path, const char *token)
{
    call_fd = request_start(method, path, token, NULL);
    if (call_fd < 0) return -1;
    fcntl(call_fd, F_SETFL, fcntl(call_fd, F_GETFL) | O_NONBLOCK);
    call_len = 0;
    call_done = false;
    struct epoll_event e = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
    return epoll_ctl(ep, EPOLL_CTL_ADD, call_fd, &e);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static const char *arg(int argc, char **argv, const char *name, const char *def)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0) return argv[i + 1];
    return def;
}

int main(int argc, char **argv)
{
    port = atoi(arg(argc, argv, "--port", "0"));
    n_streams = atoi(arg(argc, argv, "--clients", "1000"));
    n_calls = atoi(arg(argc, argv, "--calls", "20"));
    const char *clerk = arg(argc, argv, "--clerk", NULL);
    const char *guide = arg(argc, argv, "--guide", NULL);
    int pid = atoi(arg(argc, argv, "--pid", "0"));
    const char *head_kind = arg(argc, argv, "--head", "browser");
    if (port <= 0 || n_streams <= 0 || n_calls <= 0 || !clerk || !guide) {
        fprintf(stderr, "usage: sse_clients --port P --clients N --calls K --clerk TOKEN "
                        "--guide TOKEN [--pid SERVER_PID]\n");
        return 2;
    }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < (rlim_t)n_streams + 64) {
        fprintf(stderr, "sse_clients: only %llu file descriptors\n",
                (unsigned long long)rl.rlim_cur);
        return 1;
    }
    st = calloc((size_t)n_streams, sizeof *st);
    arrival = calloc((size_t)n_streams * (size_t)n_calls, sizeof *arrival);
    arrived = calloc((size_t)n_calls, sizeof *arrived);
    numbers = calloc((size_t)n_streams * (size_t)n_calls, sizeof *numbers);
    char(*expect)[NUMLEN] = calloc((size_t)n_calls, sizeof *expect);
    double *sent = calloc((size_t)n_calls, sizeof *sent);
    if (!st || !arrival || !arrived || !numbers || !expect || !sent) return 1;
    ep = epoll_create1(EPOLL_CLOEXEC);

    static char out[65536];
    for (int i = 0; i < n_calls; i++) {
        int r = request("POST", "/api/v1/tickets", guide,
                        "{\"service\":\"A\",\"category\":\"normal\",\"channel\":\"guide\"}", out,
                        sizeof out);
        if (r != 201) {
            fprintf(stderr, "sse_clients: issuing a ticket: %d\n%s\n", r, out);
            return 1;
        }
    }
    long rss_before = pid ? rss_kb(pid) : -1;

    /* connect in bursts so that the listen backlog is not overrun */
    /* what a display's browser sends (Chromium 120's EventSource on a same-origin page, with a
     * session cookie): its head decides which daemon and how much memory a stream gets */
    static const char browser[] =
        "GET /api/v1/events HTTP/1.1\r\nHost: 192.168.100.200:8080\r\nConnection: keep-alive\r\n"
        "Accept: text/event-stream\r\nCache-Control: no-cache\r\n"
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36\r\n"
        "sec-ch-ua: \"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\"\r\nsec-ch-ua-mobile: ?0\r\n"
        "sec-ch-ua-platform: \"Linux\"\r\nSec-Fetch-Site: same-origin\r\nSec-Fetch-Mode: cors\r\n"
        "Sec-Fetch-Dest: empty\r\nReferer: http://192.168.100.200:8080/display\r\n"
        "Accept-Encoding: gzip, deflate\r\nAccept-Language: zh-CN,zh;q=0.9,en;q=0.8\r\n"
        "Cookie: hq_session=Yx3kP0qV9mT2wZ8rN5bL1cF7hJ4dS6gA0eU3iO9yR2t; hq_lang=zh\r\n\r\n";
    static const char minimal[] = "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                  "Accept: text/event-stream\r\n\r\n";
    const char *get = strcmp(head_kind, "minimal") == 0 ? minimal : browser;
    size_t get_len = get == minimal ? sizeof minimal - 1 : sizeof browser - 1;
    int failed = 0;
    for (int i = 0; i < n_streams;) {
        int end = i + 250 < n_streams ? i + 250 : n_streams;
        for (; i < end; i++) {
            st[i].fd = connect_from(i, false);
            if (st[i].fd < 0 || send_all(st[i].fd, get, get_len) != 0) {
                st[i].closed = true;
                failed++;
                continue;
            }
            fcntl(st[i].fd, F_SETFL, fcntl(st[i].fd, F_GETFL) | O_NONBLOCK);
            struct epoll_event e = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
            epoll_ctl(ep, EPOLL_CTL_ADD, st[i].fd, &e);
        }
        pump(10);
    }
    /* until every stream has its headers (or 10 s) */
    double until = now_s() + 10;
    for (;;) {
        int open = 0;
        for (int i = 0; i < n_streams; i++)
            open += st[i].body && !st[i].closed;
        if (open + failed >= n_streams || now_s() > until) break;
        pump(50);
    }
    int connected = 0;
    for (int i = 0; i < n_streams; i++) {
        if (st[i].body && !st[i].closed && strncmp(st[i].head, "HTTP/1.1 200", 12) == 0)
            connected++;
        else if (!st[i].closed && !st[i].body)
            failed++;
    }
    double settle = now_s() + 0.5;
    while (now_s() < settle)
        pump(50);
    long rss_open = pid ? rss_kb(pid) : -1;
    /* which of the server's daemons holds the streams (hallq_http_connections in /metrics) */
    size_t msz = 1 << 20;
    char *met = malloc(msz);
    if (met && request("GET", "/metrics", guide, NULL, met, msz) == 200) {
        for (char *l = strstr(met, "\nhallq_http_connections{"); l;
             l = strstr(l + 1, "\nhallq_http_connections{")) {
            char d[32];
            unsigned long v;
            if (sscanf(l + 1, "hallq_http_connections{daemon=\"%31[a-z]\"} %lu", d, &v) == 2)
                printf("sse_daemon_%s %lu\n", d, v);
        }
    }
    free(met);

    double cpu0 = pid ? cpu_s(pid) : 0, self0 = cpu_s(getpid());
    for (int c = 0; c < n_calls; c++) {
        sent[c] = now_s();
        if (call_start("POST", "/api/v1/windows/1/call-next", clerk) != 0) {
            fprintf(stderr, "sse_clients: cannot send call-next\n");
            return 1;
        }
        double deadline = now_s() + 10;
        for (;;) {
            if ((arrived[c] >= connected && call_done) || now_s() > deadline) break;
            pump(5);
        }
        const char *body;
        if (!call_done || answer_status(call_buf, &body) != 200 ||
            !ticket_number(body, expect[c])) {
            fprintf(stderr, "sse_clients: call-next answered: %s\n", call_buf);
            return 1;
        }
        if (call_start("POST", "/api/v1/windows/1/no-show", clerk) != 0) return 1;
        while (!call_done)
            pump(5);
        if (answer_status(call_buf, &body) != 200) {
            fprintf(stderr, "sse_clients: no-show answered: %s\n", call_buf);
            return 1;
        }
        double pause = now_s() + 0.1;
        while (now_s() < pause)
            pump(5);
    }
    long rss_after = pid ? rss_kb(pid) : -1;
    double cpu1 = pid ? cpu_s(pid) : 0, self1 = cpu_s(getpid());

    double *d = malloc((size_t)n_streams * (size_t)n_calls * sizeof *d);
    /* the same deliveries measured from the first stream's arrival of each call (the fan-out
     * alone, without the call's own path: request, commit, publish), and that first delay */
    double *sp = malloc((size_t)n_streams * (size_t)n_calls * sizeof *sp);
    double *first = malloc((size_t)n_calls * sizeof *first);
    size_t nd = 0, nf = 0;
    long missing = 0, wrong = 0;
    for (int c = 0; c < n_calls; c++) {
        double t0 = 0;
        for (int i = 0; i < n_streams; i++) {
            size_t at = (size_t)c * (size_t)n_streams + (size_t)i;
            if (!st[i].closed && st[i].body && st[i].called > c && (t0 == 0 || arrival[at] < t0))
                t0 = arrival[at];
        }
        if (t0 > 0) first[nf++] = (t0 - sent[c]) * 1000;
        for (int i = 0; i < n_streams; i++) {
            if (st[i].closed || !st[i].body) continue;
            size_t at = (size_t)c * (size_t)n_streams + (size_t)i;
            if (st[i].called <= c) {
                missing++;
                continue;
            }
            if (strcmp(numbers[at], expect[c]) != 0) wrong++;
            sp[nd] = (arrival[at] - t0) * 1000;
            d[nd++] = (arrival[at] - sent[c]) * 1000;
        }
    }
    int dropped = 0;
    for (int i = 0; i < n_streams; i++)
        dropped += st[i].closed && st[i].body;
    qsort(d, nd, sizeof *d, cmp_double);
    printf("sse_clients %d\nsse_failed %d\nsse_closed %d\n", connected, failed, dropped);
    printf("sse_deliveries %zu\nsse_missing %ld\nsse_wrong_number %ld\n", nd, missing, wrong);
    if (nd) {
        printf("sse_p50_ms %.2f\nsse_p99_ms %.2f\nsse_max_ms %.2f\n", d[nd / 2],
               d[(size_t)((double)(nd - 1) * 0.99)], d[nd - 1]);
        qsort(sp, nd, sizeof *sp, cmp_double);
        qsort(first, nf, sizeof *first, cmp_double);
        printf("sse_first_p50_ms %.2f\nsse_first_max_ms %.2f\n", first[nf / 2], first[nf - 1]);
        printf("sse_spread_p50_ms %.2f\nsse_spread_p99_ms %.2f\nsse_spread_max_ms %.2f\n",
               sp[nd / 2], sp[(size_t)((double)(nd - 1) * 0.99)], sp[nd - 1]);
    }
    /* CPU per call and stream: less sensitive to the machine's load than the delays */
    double per = (double)n_calls * (connected ? connected : 1) / 1e6;
    if (pid) printf("sse_server_cpu_us_per_stream_call %.2f\n", (cpu1 - cpu0) / per);
    printf("sse_client_cpu_us_per_stream_call %.2f\n", (self1 - self0) / per);
    if (pid) {
        printf("sse_rss_before_mb %.1f\nsse_rss_open_mb %.1f\nsse_rss_after_mb %.1f\n",
               (double)rss_before / 1024, (double)rss_open / 1024, (double)rss_after / 1024);
        /* per stream: with the streams open, before the calls (a call's work, such as voice,
         * costs memory of its own that does not grow with the streams) */
        printf("sse_kb_per_stream %.1f\n",
               connected ? (double)(rss_open - rss_before) / connected : 0.0);
    }
    for (int i = 0; i < n_streams; i++)
        if (st[i].fd > 0) close(st[i].fd);
    free(d);
    free(sp);
    free(first);
    free(st);
    free(arrival);
    free(arrived);
    free(numbers);
    free(expect);
    free(sent);
    close(ep);
    return missing || wrong ? 3 : 0;
}
