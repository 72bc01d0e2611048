/* SPDX-License-Identifier: MIT */
/*
 * fuzz_http_request.c — libFuzzer target for the whole HTTP server: hq_serve runs once per process
 * in a thread on 127.0.0.1 (port 0) in front of an app on a SQLite file under /dev/shm, and each
 * input is sent as raw bytes over a new TCP connection (then the client half-closes its side). The
 * answer is read to its end (Content-Length, or the server closing; an event stream is left at its
 * headers). Inside the input, "$TOKEN" and "$CSRF" become a live admin session's token and CSRF
 * token, and "$T" a ticket id, so the fuzzer reaches staff routes and ticket pages.
 *
 * Checks per input: every answer starts with an HTTP status line, none is a 500 (libmicrohttpd
 * itself answers 505 to unknown versions, 501 to some methods),
 * and afterwards GET /api/v1/health on a kept-alive second connection still answers 200 within
 * 10 s (the server neither died nor hangs). A connection the server leaves open 1.5 s after the
 * client's half-close is counted and reported, not failed (see the libmicrohttpd note below). A
 * crash, leak or UB anywhere in the server aborts under the sanitizers as usual. Client sockets
 * close with SO_LINGER 0 (a reset), so tens of thousands of connections leave no TIME_WAIT behind
 * to exhaust the local ports.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sanitizer/common_interface_defs.h>

#include "http/hq_http.h"

/* Ticket images and PDFs (reachable here) go through cairo and fontconfig, which keep caches
 * and leak a few hundred bytes per PDF font subset (tests/unit/test_media_ticket.c pins the exact
 * stacks; it needs slow full unwinding, too slow for fuzzing): leaks whose stacks run through
 * those two libraries are not the fuzzer's business. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\nleak:libcairo.so\n";
}

static struct hq_app *app;
static char dir[128];
static pthread_t server_thread;
static volatile int stop_flag;
static int port;
static char token[128], csrf[128], ticket_id[64];
static int health_fd = -1;
static FILE *devnull;

static void remove_files(void)
{
    static const char *const names[] = {"h.db", "h.db-wal", "h.db-shm", "h.db-journal"};
    char path[256];
    for (size_t i = 0; dir[0] && i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    if (dir[0]) rmdir(dir);
}

static void die(const char *what, const char *detail, size_t len)
{
    dprintf(2, "fuzz_http_request: %s\n", what);
    if (detail) {
        dprintf(2, "---- %zu bytes ----\n", len);
        if (write(2, detail, len > 2048 ? 2048 : len) < 0) {
        }
        dprintf(2, "\n----\n");
    }
    remove_files();
    abort();
}

static void cleanup(void)
{
    if (health_fd >= 0) close(health_fd);
    if (app) {
        stop_flag = 1;
        pthread_join(server_thread, NULL);
        hq_app_close(app);
        app = NULL;
    }
    remove_files();
}

static void *serve_main(void *arg)
{
    (void)arg;
    struct hq_why why = {0};
    struct hq_server_options o = {.listen = "127.0.0.1:0", .threads = 2};
    if (hq_serve(app, &o, &stop_flag, &why) != 0) die("hq_serve failed", why.message, 0);
    return NULL;
}

static void must(int rc, const struct hq_why *why, const char *what)
{
    if (rc != 0) die(what, why->message, strlen(why->message));
}

static void login(void)
{
    json_t *out = NULL;
    struct hq_why why = {0};
    must(hq_app_login(app, "admin", "fuzz-password", "127.0.0.1", &out, &why), &why, "login");
    snprintf(token, sizeof token, "%s", json_string_value(json_object_get(out, "token")));
    snprintf(csrf, sizeof csrf, "%s", json_string_value(json_object_get(out, "csrf")));
    json_decref(out);
}

static void setup(void)
{
    setenv("TZ", "Asia/Shanghai", 1);
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof dir, "%s/hq-fuzz-http-XXXXXX", base);
    if (!mkdtemp(dir)) die("mkdtemp", NULL, 0);
    char db[192];
    snprintf(db, sizeof db, "%s/h.db", dir);
    struct hq_why why = {0};
    struct hq_app_options ao = {.db = db};
    app = hq_app_open(&ao, &why);
    if (!app) die("hq_app_open", why.message, strlen(why.message));
    __sanitizer_set_death_callback(remove_files);

    struct hq_actor admin = {.role = HQ_ROLE_ADMIN};
    snprintf(admin.username, sizeof admin.username, "admin");
    json_t *out = NULL, *in;
    in = json_pack("{s:s,s:s,s:i,s:[s]}", "code", "A", "name", "社保业务", "avg_service_s", 300,
                   "documents", "身份证");
    must(hq_app_service_create(app, &admin, in, &out, &why), &why, "service A");
    json_decref(in);
    json_decref(out);
    in = json_pack("{s:s,s:s}", "code", "B", "name", "医保");
    must(hq_app_service_create(app, &admin, in, &out, &why), &why, "service B");
    json_decref(in);
    json_decref(out);
    in = json_pack("{s:i,s:[s,s]}", "number", 1, "services", "A", "B");
    must(hq_app_window_create(app, &admin, in, &out, &why), &why, "window 1");
    json_decref(in);
    json_decref(out);
    in = json_pack("{s:s,s:s,s:s,s:s,s:[{s:s,s:s},{s:s,s:s}]}", "username", "admin", "name",
                   "管理员", "role", "admin", "password", "fuzz-password", "certifications",
                   "service", "A", "expires_on", "2099-01-01", "service", "B", "expires_on",
                   "2099-01-01");
    must(hq_app_staff_create(app, &admin, in, &out, &why), &why, "staff");
    json_decref(in);
    json_decref(out);
    struct hq_actor guide = {.role = HQ_ROLE_GUIDE};
    snprintf(guide.username, sizeof guide.username, "admin");
    in = json_pack("{s:s,s:s,s:s,s:s}", "service", "A", "category", "priority", "channel", "guide",
                   "phone", "13812345678");
    must(hq_app_ticket_issue(app, &guide, in, &out, &why), &why, "ticket");
    snprintf(ticket_id, sizeof ticket_id, "%s", json_string_value(json_object_get(out, "id")));
    json_decref(in);
    json_decref(out);
    login();

    /* Start the server and catch the URL it prints on stdout. */
    int pfd[2];
    if (pipe(pfd) != 0) die("pipe", NULL, 0);
    fflush(stdout);
    int saved = dup(1);
    dup2(pfd[1], 1);
    if (pthread_create(&server_thread, NULL, serve_main, NULL) != 0) die("thread", NULL, 0);
    char line[256];
    size_t n = 0;
    while (n + 1 < sizeof line) {
        struct pollfd pf = {pfd[0], POLLIN, 0};
        if (poll(&pf, 1, 10000) <= 0 || read(pfd[0], line + n, 1) != 1) break;
        if (line[n++] == '\n') break;
    }
    line[n] = '\0';
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    close(pfd[0]);
    close(pfd[1]);
    if (sscanf(line, "hallq: serving http://127.0.0.1:%d", &port) != 1 || port <= 0)
        die("no URL printed", line, n);
    atexit(cleanup);
    /* The access log: one line a request on the stderr FILE. Sanitizers and libFuzzer write to
     * fd 2 through their own handles, so reports still show. */
    devnull = fopen("/dev/null", "w");
    if (devnull) stderr = devnull;
}

/* ---- a small client ---- */

static int dial(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket", NULL, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct linger lg = {1, 0}; /* close with a reset: no TIME_WAIT on either side */
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        char msg[128];
        snprintf(msg, sizeof msg, "connect: %s", strerror(errno));
        die(msg, NULL, 0);
    }
    return fd;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Send everything; the server may close early (a refusal before the body): not an error. */
static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return;
        p += k;
        n -= (size_t)k;
    }
}

struct reply {
    char *buf;
    size_t len, cap;
    bool closed; /* the server closed */
    bool stream; /* an event stream: left open */
};

/* Where the headers end, or NULL. */
static const char *headers_end(const struct reply *r, size_t from)
{
    for (size_t i = from; i + 3 < r->len; i++)
        if (memcmp(r->buf + i, "\r\n\r\n", 4) == 0) return r->buf + i + 4;
    return NULL;
}

/* Is one complete response (by Content-Length) in r, starting at offset 0? */
static bool one_response_complete(const struct reply *r, bool head)
{
    const char *he = headers_end(r, 0);
    if (!he) return false;
    size_t hl = (size_t)(he - r->buf);
    const char *cl = NULL;
    for (const char *p = r->buf; p && p < he; p = memchr(p, '\n', (size_t)(he - p))) {
        if (*p == '\n') p++;
        if (strncasecmp(p, "Content-Length:", 15) == 0) {
            cl = p + 15;
            break;
        }
    }
    if (!cl) return false;
    size_t want = head ? 0 : strtoul(cl, NULL, 10);
    return r->len >= hl + want;
}

/* Read until the server closes, the deadline passes, an event stream begins, or (keep_alive)
 * one whole response has come. */
static void read_reply(int fd, struct reply *r, double deadline, bool keep_alive)
{
    r->len = 0;
    r->closed = r->stream = false;
    for (;;) {
        if (r->len + 4096 + 1 > r->cap) {
            r->cap = r->cap ? r->cap * 2 : 65536;
            r->buf = realloc(r->buf, r->cap);
            if (!r->buf) die("out of memory", NULL, 0);
        }
        double left = deadline - now_s();
        if (left <= 0) return;
        struct pollfd pf = {fd, POLLIN, 0};
        int pr = poll(&pf, 1, (int)(left * 1000) + 1);
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) return;
        ssize_t k = recv(fd, r->buf + r->len, r->cap - r->len - 1, 0);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            r->closed = true;
            break;
        }
        r->len += (size_t)k;
        r->buf[r->len] = '\0';
        const char *he = headers_end(r, 0);
        if (he && memmem(r->buf, (size_t)(he - r->buf), "text/event-stream", 17)) {
            r->stream = true;
            break;
        }
        if (keep_alive && one_response_complete(r, false)) break;
    }
    if (r->buf) r->buf[r->len] = '\0';
}

static int status_of(const char *p)
{
    int st = 0;
    if (strncmp(p, "HTTP/1.", 7) != 0 || sscanf(p + 7, "%*1[01] %3d", &st) != 1) return -1;
    return st;
}

/* Every status line of a (possibly pipelined) reply: well formed and not a 500. */
static void check_reply(const struct reply *r, const char *sent, size_t sent_len)
{
    if (r->len == 0) return; /* closed without an answer: allowed for garbage */
    if (status_of(r->buf) < 100) die("the reply does not start with a status line", r->buf, r->len);
    for (const char *p = r->buf; p;
         p = memmem(p + 1, r->len - (size_t)(p + 1 - r->buf), "\r\nHTTP/1.", 9)) {
        const char *line = p == r->buf ? p : p + 2;
        int st = status_of(line);
        if (st == 500) {
            dprintf(2, "fuzz_http_request: status %d for:\n", st);
            if (write(2, sent, sent_len > 2048 ? 2048 : sent_len) < 0) {
            }
            die("a 500 answer", r->buf, r->len);
        }
    }
}

/* GET /api/v1/health on the kept-alive connection (re-dialled when the server closed it). */
static void check_health(void)
{
    static struct reply r;
    static const char req[] = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    for (int attempt = 0; attempt < 2; attempt++) {
        if (health_fd < 0) health_fd = dial();
        send_all(health_fd, req, sizeof req - 1);
        read_reply(health_fd, &r, now_s() + 10, true);
        if (r.len && status_of(r.buf) == 200 && one_response_complete(&r, false)) {
            if (r.closed) {
                close(health_fd);
                health_fd = -1;
            }
            return;
        }
        close(health_fd);
        health_fd = -1;
        if (r.len) break; /* it answered, wrongly */
    }
    die("GET /api/v1/health no longer answers 200", r.buf, r.len);
}

/* Replace $TOKEN, $CSRF and $T in the input. */
static char *expand(const uint8_t *data, size_t size, size_t *out_len)
{
    size_t cap = size * 2 + 256, n = 0;
    char *out = malloc(cap);
    if (!out) die("out of memory", NULL, 0);
    static const char *const names[] = {"$TOKEN", "$CSRF", "$T"};
    const char *vals[] = {token, csrf, ticket_id};
    for (size_t i = 0; i < size;) {
        bool done = false;
        for (int k = 0; k < 3 && data[i] == '$'; k++) {
            size_t nl = strlen(names[k]);
            if (i + nl <= size && memcmp(data + i, names[k], nl) == 0) {
                size_t vl = strlen(vals[k]);
                if (n + vl + 1 > cap) {
                    cap = (n + vl + 1) * 2;
                    out = realloc(out, cap);
                    if (!out) die("out of memory", NULL, 0);
                }
                memcpy(out + n, vals[k], vl);
                n += vl;
                i += nl;
                done = true;
                break;
            }
        }
        if (done) continue;
        if (n + 2 > cap) {
            cap *= 2;
            out = realloc(out, cap);
            if (!out) die("out of memory", NULL, 0);
        }
        out[n++] = (char)data[i++];
    }
    *out_len = n;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct reply r;
    static unsigned long inputs, unclosed;
    if (!app) setup();
    if (size == 0) return 0;
    size_t len;
    char *req = expand(data, size, &len);
    int fd = dial();
    send_all(fd, req, len);
    /* libmicrohttpd 0.9.75 (epoll, edge-triggered) misses an end of stream that arrives in the
     * same wake-up as the request's last bytes and then holds the connection until its 60 s
     * timeout: let it read the request first, then half-close. */
    struct pollfd pf = {fd, POLLIN, 0};
    poll(&pf, 1, 5);
    shutdown(fd, SHUT_WR);
    read_reply(fd, &r, now_s() + 1.5, false);
    close(fd);
    if (!r.closed && !r.stream && ++unclosed % 100 == 1)
        dprintf(2, "fuzz_http_request: %lu connection(s) not closed by the server within 1.5 s\n",
                unclosed);
    check_reply(&r, req, len);
    free(req);
    check_health();
    /* The fuzzer may sign the session out: sign in again (argon2, rarely). */
    if (++inputs % 64 == 0) {
        struct hq_actor who;
        if (hq_app_session(app, token, &who, NULL) != 0) login();
    }
    return 0;
}
