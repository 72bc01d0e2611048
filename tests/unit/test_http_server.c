/* SPDX-License-Identifier: MIT */
/*
 * test_http_server.c — hq_serve on a real socket (127.0.0.1, port 0) in front of a real app on a
 * temporary SQLite file, spoken to with raw sockets: the printed URL, 404/405/413/415/bad_json
 * error bodies, 401 before anything else on staff routes, roles and CSRF, security headers,
 * keep-alive, pages and /metrics, Server-Sent Events (live delivery, replay after Last-Event-ID
 * without gap or repeat) and a clean stop within 10 s while streams are open.
 *
 * Handlers run on the worker pool, off libmicrohttpd's event threads: with a test-only route whose
 * handler blocks on a gate, slow handlers on more connections than there are event threads delay
 * neither /health on another connection nor an event on an open stream; SIGTERM with handlers
 * running and streams open stops within 10 s, the running handlers answered and queued ones
 * refused with 503; a client that leaves while its handler runs breaks nothing (and leaks nothing
 * under ASan). Heavy reports take one of the server's slots (429 with Retry-After while all are
 * held).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/hq_http.h"
#include "http/server_int.h"

struct fx {
    struct hq_server_options opts;
    char dir[64];
    char db[128];
    struct hq_app *a;
    pthread_t th;
    volatile int stop;
    int port;
    int serve_rc;
    char token[128], csrf[128];
};

static struct fx *F;

/* ---- raw HTTP client ---- */

static int dial(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

static void send_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t k = send(fd, c, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        assert_true(k > 0);
        c += k;
        n -= (size_t)k;
    }
}

struct resp {
    int status;
    char *raw; /* whole response */
    size_t len;
    char *body;
};

static void resp_free(struct resp *r)
{
    free(r->raw);
    memset(r, 0, sizeof *r);
}

/* Read everything until the server closes (requests say Connection: close). */
static void read_all(int fd, struct resp *r)
{
    size_t cap = 65536;
    r->raw = malloc(cap);
    r->len = 0;
    for (;;) {
        if (r->len + 1 >= cap) r->raw = realloc(r->raw, cap *= 2);
        ssize_t k = recv(fd, r->raw + r->len, cap - r->len - 1, 0);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        r->len += (size_t)k;
    }
    r->raw[r->len] = '\0';
    r->status = 0;
    sscanf(r->raw, "HTTP/1.%*d %d", &r->status);
    char *e = strstr(r->raw, "\r\n\r\n");
    r->body = e ? e + 4 : r->raw + r->len;
}

static void http(const char *req, size_t reqlen, struct resp *r)
{
    int fd = dial(F->port);
    send_all(fd, req, reqlen ? reqlen : strlen(req));
    read_all(fd, r);
    close(fd);
}

/* Value of a response header (case-insensitive name), copied; "" when absent. */
static const char *header(const struct resp *r, const char *name)
{
    static char val[1024];
    val[0] = '\0';
    size_t nl = strlen(name);
    const char *p = strstr(r->raw, "\r\n");
    while (p && p < r->body - 2) {
        p += 2;
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            const char *e = strstr(v, "\r\n");
            snprintf(val, sizeof val, "%.*s", (int)(e - v), v);
            return val;
        }
        p = strstr(p, "\r\n");
    }
    return val;
}

static json_t *body_json(const struct resp *r)
{
    json_error_t e;
    json_t *j = json_loads(r->body, 0, &e);
    if (!j) fprintf(stderr, "not JSON (%s): %s\n", e.text, r->raw);
    assert_non_null(j);
    return j;
}

static void expect_error(const struct resp *r, int status, const char *code)
{
    if (r->status != status) fprintf(stderr, "unexpected answer:\n%s\n", r->raw);
    assert_int_equal(r->status, status);
    assert_string_equal(header(r, "Content-Type"), "application/json; charset=utf-8");
    json_t *j = body_json(r);
    json_t *e = json_object_get(j, "error");
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "code")), code);
    assert_true(json_is_string(json_object_get(e, "message")));
    json_decref(j);
}

static void request(struct resp *r, const char *method, const char *path, const char *extra,
                    const char *body)
{
    char req[8192];
    int n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n%s",
                     method, path, extra ? extra : "");
    if (body)
        n += snprintf(req + n, sizeof req - (size_t)n,
                      "Content-Type: application/json\r\nContent-Length: %zu\r\n", strlen(body));
    n += snprintf(req + n, sizeof req - (size_t)n, "\r\n%s", body ? body : "");
    http(req, (size_t)n, r);
}

/* ---- SSE client ---- */

struct stream {
    int fd;
    char buf[1 << 18];
    size_t len;
};

static void stream_open(struct stream *s, const char *extra)
{
    s->fd = dial(F->port);
    s->len = 0;
    char req[512];
    snprintf(req, sizeof req, "GET /api/v1/events HTTP/1.1\r\nHost: t\r\n%s\r\n",
             extra ? extra : "");
    send_all(s->fd, req, strlen(req));
}

/* Read until needle appears after offset from (or timeout); returns its position or NULL. */
static const char *stream_wait(struct stream *s, size_t from, const char *needle, int ms)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        s->buf[s->len] = '\0';
        const char *p = strstr(s->buf + from, needle);
        if (p) return p;
        clock_gettime(CLOCK_MONOTONIC, &t);
        long left = ms - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
        if (left <= 0) return NULL;
        struct pollfd pf = {s->fd, POLLIN, 0};
        if (poll(&pf, 1, (int)left) <= 0) return NULL;
        if (s->len + 4096 >= sizeof s->buf && from == 0) {
            /* full (a long burst): keep the tail, where a needle may have begun */
            memmove(s->buf, s->buf + s->len - 4096, 4096);
            s->len = 4096;
        }
        ssize_t k = recv(s->fd, s->buf + s->len, sizeof s->buf - s->len - 1, 0);
        if (k <= 0) return NULL;
        s->len += (size_t)k;
    }
}

/* true when the server ended the stream (EOF) within ms */
static bool stream_ends(struct stream *s, int ms)
{
    struct pollfd pf = {s->fd, POLLIN, 0};
    for (;;) {
        if (poll(&pf, 1, ms) <= 0) return false;
        char b[4096];
        ssize_t k = recv(s->fd, b, sizeof b, 0);
        if (k <= 0) return true;
    }
}

/* ---- fixture ---- */

static void *serve_main(void *arg)
{
    struct fx *f = arg;
    struct hq_why why = {0};
    f->serve_rc = hq_serve(f->a, &f->opts, &f->stop, &why);
    if (f->serve_rc) fprintf(stderr, "hq_serve: %s\n", why.message);
    return NULL;
}

static void okc(int rc, const struct hq_why *why)
{
    if (rc) fprintf(stderr, "refused: %s\n", why->message);
    assert_int_equal(rc, 0);
}

static int setup_with(void **state, const struct hq_server_options *o)
{
    struct fx *f = calloc(1, sizeof *f);
    F = f;
    f->opts = *o;
    snprintf(f->dir, sizeof f->dir, "/tmp/hq-http-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/h.db", f->dir);
    struct hq_why why = {0};
    struct hq_app_options ao = {.db = f->db};
    f->a = hq_app_open(&ao, &why);
    if (!f->a) fprintf(stderr, "open: %s\n", why.message);
    assert_non_null(f->a);
    struct hq_actor admin = {.role = HQ_ROLE_ADMIN};
    snprintf(admin.username, sizeof admin.username, "admin");
    json_t *out = NULL, *in;
    in = json_pack("{s:s,s:s,s:i}", "code", "A", "name", "社保业务", "avg_service_s", 300);
    okc(hq_app_service_create(f->a, &admin, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    in = json_pack("{s:i,s:[s]}", "number", 1, "services", "A");
    okc(hq_app_window_create(f->a, &admin, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    in = json_pack("{s:s,s:s,s:s,s:s,s:[{s:s,s:s}]}", "username", "clerk1", "name", "王芳", "role",
                   "clerk", "password", "secret-pass", "certifications", "service", "A",
                   "expires_on", "2099-01-01");
    okc(hq_app_staff_create(f->a, &admin, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    okc(hq_app_login(f->a, "clerk1", "secret-pass", "127.0.0.1", &out, &why), &why);
    snprintf(f->token, sizeof f->token, "%s", json_string_value(json_object_get(out, "token")));
    snprintf(f->csrf, sizeof f->csrf, "%s", json_string_value(json_object_get(out, "csrf")));
    json_decref(out);

    /* catch the URL line that hq_serve prints on stdout */
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    fflush(stdout);
    int saved = dup(1);
    dup2(pfd[1], 1);
    assert_int_equal(pthread_create(&f->th, NULL, serve_main, f), 0);
    char line[256];
    size_t n = 0;
    while (n + 1 < sizeof line) {
        struct pollfd pf = {pfd[0], POLLIN, 0};
        if (poll(&pf, 1, 10000) <= 0) break;
        if (read(pfd[0], line + n, 1) != 1) break;
        if (line[n++] == '\n') break;
    }
    line[n] = '\0';
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    close(pfd[0]);
    close(pfd[1]);
    assert_true(sscanf(line, "hallq: serving http://127.0.0.1:%d", &f->port) == 1);
    assert_true(f->port > 0);
    *state = f;
    return 0;
}

static int setup(void **state)
{
    struct hq_server_options o = {.listen = "127.0.0.1:0", .threads = 4};
    return setup_with(state, &o);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    if (!f->stop) {
        f->stop = 1;
        pthread_join(f->th, NULL);
    }
    hq_app_close(f->a);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* ---- tests ---- */

static void security_headers(const struct resp *r)
{
    assert_string_equal(header(r, "X-Content-Type-Options"), "nosniff");
    assert_string_equal(header(r, "Referrer-Policy"), "no-referrer");
    assert_string_equal(header(r, "X-Frame-Options"), "DENY");
}

static void basics(void **state)
{
    (void)state;
    struct resp r;
    request(&r, "GET", "/api/v1/health", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(header(&r, "Content-Type"), "application/json; charset=utf-8");
    assert_string_equal(header(&r, "Cache-Control"), "no-store");
    security_headers(&r);
    json_t *j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "ok");
    json_decref(j);
    resp_free(&r);

    request(&r, "GET", "/api/v1/nope", NULL, NULL);
    expect_error(&r, 404, "not_found");
    security_headers(&r);
    resp_free(&r);
    request(&r, "GET", "/api/v1/tickets/a%2Fb", NULL, NULL);
    expect_error(&r, 404, "not_found");
    resp_free(&r);

    request(&r, "DELETE", "/api/v1/health", NULL, NULL);
    expect_error(&r, 405, "method_not_allowed");
    assert_non_null(strstr(header(&r, "Allow"), "GET"));
    resp_free(&r);
}

static void keep_alive(void **state)
{
    (void)state;
    /* two requests on one connection: the first answer must not close it */
    int fd = dial(F->port);
    const char *req = "GET /api/v1/health HTTP/1.1\r\nHost: t\r\n\r\n";
    char buf[4096] = "";
    for (int i = 0; i < 2; i++) {
        send_all(fd, req, strlen(req));
        size_t n = 0;
        while (!strstr(buf, "\"ok\"}")) {
            ssize_t k = recv(fd, buf + n, sizeof buf - n - 1, 0);
            assert_true(k > 0);
            n += (size_t)k;
            buf[n] = '\0';
        }
        assert_non_null(strstr(buf, "HTTP/1.1 200"));
        assert_null(strcasestr(buf, "Connection: close"));
        buf[0] = '\0';
    }
    close(fd);
}

static void body_checks(void **state)
{
    (void)state;
    struct resp r;
    /* 413 from Content-Length alone: the body is never sent */
    double t0 = now_s();
    http("POST /api/v1/tickets HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
         "Content-Length: 100000000\r\n\r\n",
         0, &r);
    expect_error(&r, 413, "payload_too_large");
    assert_true(now_s() - t0 < 5);
    resp_free(&r);
    /* with Expect: 100-continue too */
    http("POST /api/v1/tickets HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
         "Expect: 100-continue\r\nContent-Length: 2000000\r\n\r\n",
         0, &r);
    expect_error(&r, 413, "payload_too_large");
    resp_free(&r);

    /* a chunked body that grows past the limit */
    {
        int fd = dial(F->port);
        const char *h =
            "POST /api/v1/tickets HTTP/1.1\r\nHost: t\r\nContent-Type: "
            "application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        send_all(fd, h, strlen(h));
        static char chunk[65536 + 16];
        int hl = snprintf(chunk, sizeof chunk, "10000\r\n");
        memset(chunk + hl, ' ', 65536);
        memcpy(chunk + hl + 65536, "\r\n", 2);
        for (int i = 0; i < 24; i++)
            send_all(fd, chunk, (size_t)hl + 65536 + 2);
        send_all(fd, "0\r\n\r\n", 5);
        read_all(fd, &r);
        close(fd);
        expect_error(&r, 413, "payload_too_large");
        resp_free(&r);
    }

    /* 415 */
    http("POST /api/v1/tickets HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: "
         "text/plain\r\nContent-Length: 2\r\n\r\n{}",
         0, &r);
    expect_error(&r, 415, "unsupported_media_type");
    resp_free(&r);

    /* bad JSON, with where */
    request(&r, "POST", "/api/v1/tickets", NULL, "{\"service\": ");
    expect_error(&r, 400, "bad_json");
    assert_non_null(strstr(r.body, "line 1"));
    resp_free(&r);
    request(&r, "POST", "/api/v1/tickets", NULL, "[1,2]");
    expect_error(&r, 400, "bad_json");
    resp_free(&r);
    request(&r, "POST", "/api/v1/tickets", NULL, "{\"a\":1,\"a\":2}");
    expect_error(&r, 400, "bad_json");
    resp_free(&r);
    request(&r, "POST", "/api/v1/tickets", NULL, "{\"service\":\"\xff\"}");
    expect_error(&r, 400, "bad_json");
    resp_free(&r);
    request(&r, "POST", "/api/v1/tickets", NULL, "{} trailing");
    expect_error(&r, 400, "bad_json");
    resp_free(&r);
}

static void auth_and_roles(void **state)
{
    (void)state;
    struct resp r;
    char extra[512];
    request(&r, "GET", "/api/v1/tickets", NULL, NULL);
    expect_error(&r, 401, "unauthenticated");
    resp_free(&r);
    request(&r, "GET", "/api/v1/tickets", "Authorization: Bearer nope\r\n", NULL);
    expect_error(&r, 401, "unauthenticated");
    resp_free(&r);
    /* 401 before anything else: a huge body, a wrong type, bad JSON */
    http("POST /api/v1/windows/1/open HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\n"
         "Content-Length: 50000000\r\n\r\n",
         0, &r);
    expect_error(&r, 401, "unauthenticated");
    resp_free(&r);
    request(&r, "POST", "/api/v1/windows/1/open", NULL, "{bad");
    expect_error(&r, 401, "unauthenticated");
    resp_free(&r);

    /* a clerk may not read the staff list */
    snprintf(extra, sizeof extra, "Authorization: Bearer %s\r\n", F->token);
    request(&r, "GET", "/api/v1/staff", extra, NULL);
    expect_error(&r, 403, "forbidden");
    resp_free(&r);
    request(&r, "GET", "/api/v1/tickets", extra, NULL);
    assert_int_equal(r.status, 200);
    resp_free(&r);

    /* cookie sessions need the CSRF token on state changes; Bearer does not */
    snprintf(extra, sizeof extra, "Cookie: hq_session=%s\r\n", F->token);
    request(&r, "GET", "/api/v1/tickets", extra, NULL);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    request(&r, "POST", "/api/v1/windows/1/open", extra, NULL);
    expect_error(&r, 403, "forbidden");
    resp_free(&r);
    snprintf(extra, sizeof extra, "Cookie: hq_session=%s\r\nX-CSRF-Token: wrong\r\n", F->token);
    request(&r, "POST", "/api/v1/windows/1/open", extra, NULL);
    expect_error(&r, 403, "forbidden");
    resp_free(&r);
    snprintf(extra, sizeof extra, "Cookie: hq_session=%s\r\nX-CSRF-Token: %s\r\n", F->token,
             F->csrf);
    request(&r, "POST", "/api/v1/windows/1/open", extra, NULL);
    if (r.status != 200) fprintf(stderr, "%s\n", r.raw);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    snprintf(extra, sizeof extra, "Authorization: Bearer %s\r\n", F->token);
    request(&r, "POST", "/api/v1/windows/1/close", extra, "{}");
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

/* Heavy reports over HTTP take a slot (issue 11, item 9): while every slot is held, GET /stats,
 * /stats/compare and a report are refused 429 rate_limited with Retry-After, before computing
 * anything; once a slot is free they are answered. The slot is held here by the test itself, so
 * no timing is involved. */
static void heavy_reports_take_a_slot(void **state)
{
    (void)state;
    struct hq_why why = {0};
    struct hq_actor admin = {.role = HQ_ROLE_ADMIN};
    snprintf(admin.username, sizeof admin.username, "admin");
    json_t *out = NULL;
    json_t *in = json_pack("{s:s,s:s,s:s,s:s}", "username", "boss1", "name", "李强", "role",
                           "manager", "password", "secret-pass");
    okc(hq_app_staff_create(F->a, &admin, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    okc(hq_app_login(F->a, "boss1", "secret-pass", "127.0.0.1", &out, &why), &why);
    char extra[512];
    snprintf(extra, sizeof extra, "Authorization: Bearer %s\r\n",
             json_string_value(json_object_get(out, "token")));
    json_decref(out);
    static const char *const paths[] = {
        "/api/v1/stats",
        "/api/v1/stats/compare?a_from=2026-01-05&a_to=2026-01-06&b_from=2026-01-07&b_to=2026-01-08",
        "/api/v1/reports/day.csv"};
    struct resp r;
    assert_int_equal(hq__heavy_enter(&why), 0); /* the one slot (--heavy-reports 1) */
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        request(&r, "GET", paths[i], extra, NULL);
        expect_error(&r, 429, "rate_limited");
        assert_non_null(header(&r, "Retry-After"));
        resp_free(&r);
    }
    hq__heavy_leave();
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        request(&r, "GET", paths[i], extra, NULL);
        if (r.status != 200) fprintf(stderr, "%s\n", r.raw);
        assert_int_equal(r.status, 200);
        resp_free(&r);
    }
}

static void pages_and_metrics(void **state)
{
    (void)state;
    struct resp r;
    const char *pages[] = {"/kiosk", "/display", "/window/3", "/pad/1", "/t/abcdef", "/"};
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        request(&r, "GET", pages[i], NULL, NULL);
        if (r.status != 200) fprintf(stderr, "%s: %d\n", pages[i], r.status);
        assert_int_equal(r.status, 200);
        assert_non_null(strstr(header(&r, "Content-Type"), "text/html"));
        assert_non_null(strstr(header(&r, "Content-Security-Policy"), "default-src 'self'"));
        security_headers(&r);
        resp_free(&r);
    }
    request(&r, "HEAD", "/kiosk", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_true(strlen(r.body) == 0);
    resp_free(&r);
    request(&r, "GET", "/no-such-page", NULL, NULL);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    request(&r, "GET", "/../etc/passwd", NULL, NULL);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    request(&r, "GET", "/js/%2e%2e/%2e%2e/CMakeLists.txt", NULL, NULL);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    request(&r, "POST", "/kiosk", NULL, "{}");
    assert_int_equal(r.status, 405);
    resp_free(&r);

    request(&r, "GET", "/metrics", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(header(&r, "Content-Type"), "text/plain"));
    assert_non_null(
        strstr(r.body, "hallq_http_requests_total{method=\"\",route=\"page\",status=\"200\"}"));
    assert_non_null(strstr(r.body, "hallq_http_request_duration_seconds_bucket{le=\"+Inf\"}"));
    assert_non_null(strstr(r.body, "hallq_sse_clients "));
    assert_non_null(strstr(r.body, "hallq_tickets{status=\"waiting\"}"));
    assert_non_null(strstr(r.body, "hallq_event_log_last_seq "));
    assert_non_null(strstr(r.body, "hallq_commit_batch_size_bucket{le=\"1\"}"));
    resp_free(&r);
}

static long long issue_ticket(void)
{
    struct resp r;
    request(&r, "POST", "/api/v1/tickets", NULL,
            "{\"service\":\"A\",\"category\":\"normal\",\"channel\":\"kiosk\"}");
    if (r.status != 201) fprintf(stderr, "%s\n", r.raw);
    assert_int_equal(r.status, 201);
    resp_free(&r);
    return hq_app_last_seq(F->a);
}

/* the ids of the events in s->buf after from, in order */
static int ids_of(const struct stream *s, size_t from, long long *ids, int max)
{
    int n = 0;
    const char *p = s->buf + from;
    while (n < max && (p = strstr(p, "\nid: ")) != NULL) {
        ids[n++] = atoll(p + 5);
        p += 5;
    }
    return n;
}

static void events(void **state)
{
    (void)state;
    struct stream live, replay;
    stream_open(&live, NULL);
    assert_non_null(stream_wait(&live, 0, "retry: ", 5000));
    assert_non_null(strstr(live.buf, "text/event-stream"));
    long long s1 = issue_ticket();
    assert_non_null(stream_wait(&live, 0, "event: ticket.issued", 5000));
    char want[64];
    snprintf(want, sizeof want, "id: %lld\n", s1);
    assert_non_null(stream_wait(&live, 0, want, 5000));
    assert_null(strstr(live.buf, "\"id\":")); /* events never carry ticket ids */

    /* replay from just before: the missed event, then live ones, no gap, no repeat */
    long long s2 = issue_ticket();
    char hdr[64];
    snprintf(hdr, sizeof hdr, "Last-Event-ID: %lld\r\n", s1 - 1);
    stream_open(&replay, hdr);
    snprintf(want, sizeof want, "id: %lld\n", s2);
    assert_non_null(stream_wait(&replay, 0, want, 5000));
    long long s3 = issue_ticket();
    snprintf(want, sizeof want, "id: %lld\n", s3);
    assert_non_null(stream_wait(&replay, 0, want, 5000));
    assert_non_null(stream_wait(&live, 0, want, 5000));
    long long ids[64];
    int n = ids_of(&replay, 0, ids, 64);
    assert_int_equal(n, (int)(s3 - s1 + 1));
    for (int i = 0; i < n; i++)
        assert_int_equal(ids[i], s1 + i);
    n = ids_of(&live, 0, ids, 64);
    assert_true(n >= 3);
    for (int i = 1; i < n; i++)
        assert_int_equal(ids[i], ids[i - 1] + 1);

    /* Last-Event-ID: 0 replays the whole log */
    struct stream all;
    stream_open(&all, "Last-Event-ID: 0\r\n");
    snprintf(want, sizeof want, "id: %lld\n", s3);
    assert_non_null(stream_wait(&all, 0, want, 5000));
    n = ids_of(&all, 0, ids, 64);
    assert_int_equal(n, (int)s3);
    for (int i = 0; i < n; i++)
        assert_int_equal(ids[i], i + 1);
    close(all.fd);

    /* a bad id is refused */
    struct resp r;
    request(&r, "GET", "/api/v1/events", "Last-Event-ID: x\r\n", NULL);
    expect_error(&r, 400, "invalid_field");
    resp_free(&r);

    request(&r, "GET", "/metrics", NULL, NULL);
    const char *sc = strstr(r.body, "\nhallq_sse_clients ");
    assert_non_null(sc);
    assert_true(atoi(sc + 19) >= 2); /* the closed one is noticed at its next write */
    resp_free(&r);

    /* stop with the streams open: both end, hq_serve returns within 10 s */
    double t0 = now_s();
    F->stop = 1;
    assert_true(stream_ends(&live, 10000));
    assert_true(stream_ends(&replay, 10000));
    pthread_join(F->th, NULL);
    assert_true(now_s() - t0 < 10);
    assert_int_equal(F->serve_rc, 0);
    close(live.fd);
    close(replay.fd);
}

/* drain what is readable now without waiting */
static void stream_drain(struct stream *s)
{
    for (;;) {
        struct pollfd pf = {s->fd, POLLIN, 0};
        if (poll(&pf, 1, 0) <= 0) return;
        if (s->len + 1 >= sizeof s->buf) s->len = 0; /* keep only the tail */
        ssize_t k = recv(s->fd, s->buf + s->len, sizeof s->buf - s->len - 1, 0);
        if (k <= 0) return;
        s->len += (size_t)k;
        s->buf[s->len] = '\0';
    }
}

static void slow_client_dropped(void **state)
{
    (void)state;
    /* a client that stops reading, with a tiny receive window */
    struct stream slow, ok;
    slow.fd = socket(AF_INET, SOCK_STREAM, 0);
    int small = 2048;
    setsockopt(slow.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)F->port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(slow.fd, (struct sockaddr *)&sa, sizeof sa), 0);
    slow.len = 0;
    const char *req = "GET /api/v1/events HTTP/1.1\r\nHost: t\r\n\r\n";
    send_all(slow.fd, req, strlen(req));
    assert_non_null(stream_wait(&slow, 0, "retry: ", 5000));
    stream_open(&ok, NULL);
    assert_non_null(stream_wait(&ok, 0, "retry: ", 5000));

    struct hq_actor mgr = {.role = HQ_ROLE_MANAGER};
    snprintf(mgr.username, sizeof mgr.username, "admin");
    char text[501];
    memset(text, 'n', 500);
    text[500] = '\0';
    json_t *in = json_pack("{s:s}", "text", text);
    struct hq_why why;
    /* socket buffers absorb some megabytes first: post until the hub gives up on it */
    int dropped = 0, posted = 0;
    while (!dropped && posted < 40000) {
        for (int i = 0; i < 500; i++, posted++) {
            json_t *out = NULL;
            okc(hq_app_notice_post(F->a, &mgr, in, &out, &why), &why);
            json_decref(out);
            if (i % 20 == 0) stream_drain(&ok);
        }
        struct resp r;
        request(&r, "GET", "/metrics", NULL, NULL);
        const char *d = strstr(r.body, "\nhallq_sse_dropped_total ");
        assert_non_null(d);
        dropped = atoi(d + 25);
        resp_free(&r);
    }
    json_decref(in);
    fprintf(stderr, "slow client dropped after %d events of ~560 bytes\n", posted);
    assert_int_equal(dropped, 1); /* the slow one only */
    /* the reader that kept up got the last event */
    char want[64];
    snprintf(want, sizeof want, "id: %lld\n", (long long)hq_app_last_seq(F->a));
    assert_non_null(stream_wait(&ok, 0, want, 5000));
    assert_true(stream_ends(&slow, 10000));
    close(slow.fd);
    close(ok.fd);
}

static void listen_errors(void **state)
{
    (void)state;
    /* the port of the running server is taken */
    char spec[64];
    snprintf(spec, sizeof spec, "127.0.0.1:%d", F->port);
    struct hq_server_options o = {.listen = spec};
    struct hq_why why = {0};
    volatile int stop = 1;
    assert_true(hq_serve(F->a, &o, &stop, &why) < 0);
    assert_non_null(strstr(why.message, "cannot listen on"));
    assert_non_null(strstr(why.message, "Address already in use"));
    o.listen = "nohost:80";
    assert_true(hq_serve(F->a, &o, &stop, &why) < 0);
    o.listen = "127.0.0.1:99999";
    assert_true(hq_serve(F->a, &o, &stop, &why) < 0);
}

/* ---- slow handlers: a test-only route whose handler blocks on a gate ---- */

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int entered; /* handlers that have started */
    int running; /* … and not yet returned */
    bool open;
    int hold_ms; /* a closed gate lets a handler go after this long */
} G = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static int slow_handler(struct hq_app *a, struct hq_req *req, struct hq_res *res,
                        struct hq_why *why)
{
    (void)a;
    (void)why;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += G.hold_ms / 1000;
    until.tv_nsec += (long)(G.hold_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&G.mu);
    G.entered++;
    G.running++;
    pthread_cond_broadcast(&G.cv);
    while (!G.open)
        if (pthread_cond_timedwait(&G.cv, &G.mu, &until) == ETIMEDOUT) break;
    G.running--;
    pthread_cond_broadcast(&G.cv);
    pthread_mutex_unlock(&G.mu);
    /* the request is read after the wait too: its connection must still be there */
    const char *tag = hq_req_header(req, "X-Tag");
    res->json = json_pack("{s:s}", "tag", tag ? tag : "");
    if (hq_req_query(req, "cache")) res->cache_control = "private, max-age=60";
    return 0;
}

/* Answers given later (struct hq_app_later, issue 12): the handler keeps its way back, the test
 * answers through it. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int n;
    struct hq_app_later k[4];
} L = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static int later_handler(struct hq_app *a, struct hq_req *req, struct hq_res *res,
                         struct hq_why *why)
{
    (void)a;
    (void)why;
    if (!req->later || req->later->nowait) return HQ_EINTERNAL;
    res->status = 202;
    pthread_mutex_lock(&L.mu);
    if (L.n < 4) L.k[L.n++] = *req->later;
    pthread_cond_broadcast(&L.cv);
    pthread_mutex_unlock(&L.mu);
    return HQ_APP_LATER;
}

static const struct hq_route test_routes[] = {
    {"GET", "/api/v1/test/slow", slow_handler, 0, 0, "blocks on the test's gate"},
    {"GET", "/api/v1/test/later", later_handler, 0, 0, "answered later by the test"},
    {0},
};

static void gate_reset(int hold_ms)
{
    pthread_mutex_lock(&G.mu);
    G.entered = G.running = 0;
    G.open = false;
    G.hold_ms = hold_ms;
    pthread_mutex_unlock(&G.mu);
}

static void gate_open(void)
{
    pthread_mutex_lock(&G.mu);
    G.open = true;
    pthread_cond_broadcast(&G.cv);
    pthread_mutex_unlock(&G.mu);
}

/* Wait up to ms for entered >= n and running <= max_running; returns entered. */
static int gate_wait(int n, int max_running, int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&G.mu);
    while (G.entered < n || G.running > max_running)
        if (pthread_cond_timedwait(&G.cv, &G.mu, &until) == ETIMEDOUT) break;
    int e = G.entered;
    pthread_mutex_unlock(&G.mu);
    return e;
}

static int gate_running(void)
{
    pthread_mutex_lock(&G.mu);
    int n = G.running;
    pthread_mutex_unlock(&G.mu);
    return n;
}

/* 16 workers, 2 event threads, the slow route */
static int setup_pool(void **state)
{
    struct hq_server_options o = {
        .listen = "127.0.0.1:0", .threads = 16, .event_threads = 2, .extra_routes = test_routes};
    return setup_with(state, &o);
}

/* one worker: a second slow request waits in the queue */
static int setup_one_worker(void **state)
{
    struct hq_server_options o = {
        .listen = "127.0.0.1:0", .threads = 1, .event_threads = 2, .extra_routes = test_routes};
    return setup_with(state, &o);
}

/* Send a slow request on a new connection; the answer is read later. */
static int slow_start(const char *tag, const char *query)
{
    int fd = dial(F->port);
    char req[256];
    snprintf(
        req, sizeof req,
        "GET /api/v1/test/slow%s HTTP/1.1\r\nHost: t\r\nX-Tag: %s\r\nConnection: close\r\n\r\n",
        query ? query : "", tag);
    send_all(fd, req, strlen(req));
    return fd;
}

static void slow_answer(int fd, const char *tag)
{
    struct resp r;
    read_all(fd, &r);
    close(fd);
    if (r.status != 200) fprintf(stderr, "slow %s: %s\n", tag, r.raw);
    assert_int_equal(r.status, 200);
    json_t *j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "tag")), tag);
    json_decref(j);
    assert_string_equal(header(&r, "Cache-Control"), "no-store");
    security_headers(&r);
    resp_free(&r);
}

/* GET /api/v1/health on an open keep-alive connection; returns the status. */
static int ka_health(int fd)
{
    const char *req = "GET /api/v1/health HTTP/1.1\r\nHost: t\r\n\r\n";
    send_all(fd, req, strlen(req));
    char buf[4096];
    size_t n = 0;
    buf[0] = '\0';
    while (!strstr(buf, "\"ok\"}")) {
        ssize_t k = recv(fd, buf + n, sizeof buf - n - 1, 0);
        if (k <= 0) break;
        n += (size_t)k;
        buf[n] = '\0';
    }
    int status = 0;
    sscanf(buf, "HTTP/1.1 %d", &status);
    return status;
}

static void slow_handlers_block_nobody(void **state)
{
    (void)state;
    enum { N = 8 }; /* 4 slow handlers per event thread */
    gate_reset(20000);
    struct stream st;
    stream_open(&st, NULL);
    assert_non_null(stream_wait(&st, 0, "retry: ", 5000));
    int ka = dial(F->port);
    assert_int_equal(ka_health(ka), 200);
    int fds[N];
    char tag[N][16];
    for (int i = 0; i < N; i++) {
        snprintf(tag[i], sizeof tag[i], "slow-%d", i);
        fds[i] = slow_start(tag[i], NULL);
    }
    /* all of them run at once: on 2 event threads only 2 could */
    assert_int_equal(gate_wait(N, N, 5000), N);

    struct resp r;
    double t0 = now_s();
    request(&r, "GET", "/api/v1/health", NULL, NULL);
    double fresh = now_s() - t0;
    assert_int_equal(r.status, 200);
    resp_free(&r);
    t0 = now_s();
    assert_int_equal(ka_health(ka), 200);
    double kept = now_s() - t0;
    /* a write goes through the pool too, and its event reaches the open stream */
    t0 = now_s();
    long long seq = issue_ticket();
    char want[64];
    snprintf(want, sizeof want, "id: %lld\n", seq);
    assert_non_null(stream_wait(&st, 0, want, 5000));
    double event = now_s() - t0;
    fprintf(stderr,
            "with %d handlers blocked: /health %.1f ms (new connection), %.1f ms (kept alive); "
            "ticket + event on the stream %.1f ms\n",
            N, fresh * 1000, kept * 1000, event * 1000);
    assert_int_equal(gate_running(), N); /* all of the above happened while they blocked */
    assert_true(fresh < 2.0);
    assert_true(kept < 2.0);
    assert_true(event < 2.0);

    gate_open();
    for (int i = 0; i < N; i++)
        slow_answer(fds[i], tag[i]);

    /* hq_res.cache_control replaces the API's no-store */
    int fd = slow_start("cached", "?cache=1");
    read_all(fd, &r);
    close(fd);
    assert_int_equal(r.status, 200);
    assert_string_equal(header(&r, "Cache-Control"), "private, max-age=60");
    resp_free(&r);
    close(ka);
    close(st.fd);
}

static void stop_with_handlers_running(void **state)
{
    (void)state;
    gate_reset(3000); /* the handlers end by their own deadline: 3 s */
    struct stream a, b;
    stream_open(&a, NULL);
    stream_open(&b, "Last-Event-ID: 0\r\n");
    assert_non_null(stream_wait(&a, 0, "retry: ", 5000));
    assert_non_null(stream_wait(&b, 0, "retry: ", 5000));
    int ka = dial(F->port);
    assert_int_equal(ka_health(ka), 200);
    int f1 = slow_start("one", NULL), f2 = slow_start("two", NULL);
    assert_int_equal(gate_wait(2, 2, 5000), 2);

    double t0 = now_s();
    F->stop = 1; /* what the SIGTERM handler of hallq serve does */
    assert_true(stream_ends(&a, 10000));
    assert_true(stream_ends(&b, 10000));
    /* the stop has begun: a new request on a kept-alive connection is refused and closed */
    const char *req = "GET /api/v1/health HTTP/1.1\r\nHost: t\r\n\r\n";
    send_all(ka, req, strlen(req));
    struct resp r;
    read_all(ka, &r);
    close(ka);
    expect_error(&r, 503, "suspended");
    assert_string_equal(header(&r, "Connection"), "close");
    resp_free(&r);
    /* the running handlers finish and are answered */
    slow_answer(f1, "one");
    slow_answer(f2, "two");
    pthread_join(F->th, NULL);
    double took = now_s() - t0;
    fprintf(stderr, "stopped in %.2f s with 2 handlers running and 2 streams open\n", took);
    assert_true(took < 10);
    assert_true(took > 2); /* it did wait for the handlers */
    assert_int_equal(F->serve_rc, 0);
    close(a.fd);
    close(b.fd);
}

/* The stop with answers given later outstanding: it waits for them (libmicrohttpd would abort
 * on a connection still suspended), and an answer that is an error is sent as one. */
static void stop_with_answers_later(void **state)
{
    (void)state;
    pthread_mutex_lock(&L.mu);
    L.n = 0;
    pthread_mutex_unlock(&L.mu);
    int fd[2];
    for (int i = 0; i < 2; i++) {
        fd[i] = dial(F->port);
        const char *req = "GET /api/v1/test/later HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
        send_all(fd[i], req, strlen(req));
        /* one at a time, so that L.k[i] is the way back of fd[i]'s request */
        pthread_mutex_lock(&L.mu);
        while (L.n < i + 1) /* no time limit: CTest's timeout ends a hang */
            pthread_cond_wait(&L.cv, &L.mu);
        pthread_mutex_unlock(&L.mu);
    }
    F->stop = 1; /* both handlers have returned; their answers are still to come */
    struct timespec ts = {0, 300 * 1000000L}; /* let the stop begin (not a timed assertion) */
    nanosleep(&ts, NULL);
    L.k[0].fn(L.k[0].ctx, 0, json_pack("{s:s}", "answer", "durable"), NULL);
    struct hq_why why = {0};
    hq_fail(&why, HQ_ESTORE, "", "disk full (test)");
    L.k[1].fn(L.k[1].ctx, HQ_ESTORE, NULL, &why);
    struct resp r;
    read_all(fd[0], &r);
    assert_int_equal(r.status, 202);
    assert_non_null(strstr(r.body, "durable"));
    resp_free(&r);
    read_all(fd[1], &r);
    expect_error(&r, 503, "store_unavailable");
    assert_non_null(strstr(r.body, "disk full (test)"));
    resp_free(&r);
    close(fd[0]);
    close(fd[1]);
    pthread_join(F->th, NULL);
    assert_int_equal(F->serve_rc, 0);
}

static void stop_refuses_queued(void **state)
{
    (void)state;
    gate_reset(7500); /* longer than the stop lets queued handlers start */
    int f1 = slow_start("running", NULL);
    assert_int_equal(gate_wait(1, 1, 5000), 1);
    int f2 = slow_start("queued", NULL); /* the only worker is busy */
    struct timespec ts = {0, 300 * 1000000L};
    nanosleep(&ts, NULL);
    double t0 = now_s();
    F->stop = 1;
    struct resp r;
    read_all(f2, &r);
    close(f2);
    expect_error(&r, 503, "suspended");
    resp_free(&r);
    slow_answer(f1, "running");
    pthread_join(F->th, NULL);
    double took = now_s() - t0;
    fprintf(stderr, "stopped in %.2f s: the queued request refused, the running one answered\n",
            took);
    assert_true(took < 10);
    assert_int_equal(F->serve_rc, 0);
    assert_int_equal(gate_wait(1, 0, 0), 1); /* the queued handler never ran */
}

static void client_leaves_mid_handler(void **state)
{
    (void)state;
    gate_reset(20000);
    /* one handler running on the only worker, two more queued behind it */
    int fds[3];
    fds[0] = slow_start("a", NULL);
    assert_int_equal(gate_wait(1, 1, 5000), 1);
    fds[1] = slow_start("b", NULL);
    fds[2] = slow_start("c", NULL);
    struct timespec ts = {0, 200 * 1000000L};
    nanosleep(&ts, NULL);
    /* they all leave: one with a reset, two with an orderly close */
    struct linger lg = {1, 0};
    setsockopt(fds[0], SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    for (int i = 0; i < 3; i++)
        close(fds[i]);
    nanosleep(&ts, NULL);
    gate_open();
    assert_int_equal(gate_wait(3, 0, 10000), 3); /* each still ran, and found its request */
    /* the server goes on */
    struct resp r;
    request(&r, "GET", "/api/v1/health", NULL, NULL);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    request(&r, "GET", "/metrics", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "route=\"unmatched\""));
    resp_free(&r);
    /* and stops cleanly (ASan reports any request state left behind at exit) */
    double t0 = now_s();
    F->stop = 1;
    pthread_join(F->th, NULL);
    assert_true(now_s() - t0 < 10);
    assert_int_equal(F->serve_rc, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(basics, setup, teardown),
        cmocka_unit_test_setup_teardown(keep_alive, setup, teardown),
        cmocka_unit_test_setup_teardown(body_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(auth_and_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(heavy_reports_take_a_slot, setup, teardown),
        cmocka_unit_test_setup_teardown(pages_and_metrics, setup, teardown),
        cmocka_unit_test_setup_teardown(listen_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(slow_client_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(events, setup, teardown),
        cmocka_unit_test_setup_teardown(slow_handlers_block_nobody, setup_pool, teardown),
        cmocka_unit_test_setup_teardown(stop_with_handlers_running, setup_pool, teardown),
        cmocka_unit_test_setup_teardown(stop_refuses_queued, setup_one_worker, teardown),
        cmocka_unit_test_setup_teardown(stop_with_answers_later, setup_pool, teardown),
        cmocka_unit_test_setup_teardown(client_leaves_mid_handler, setup_one_worker, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
