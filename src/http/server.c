/* SPDX-License-Identifier: MIT */
/*
 * server.c — hq_serve: the libmicrohttpd daemons (a few epoll event threads each, suspend/resume),
 * the pool of worker threads that runs the API handlers, the request pipeline in front of the
 * route table, the pages and assets, /metrics, the access log and the clean stop.
 *
 * Two daemons run the same handlers: the main one (MAIN_POOL bytes of memory per connection) and
 * the event streams' (HQ_STREAM_POOL), to which the door (door.c) hands a connection whose first
 * head is an event stream that fits (accept_route.c). The streams daemon serves one request per
 * connection (its answers say Connection: close), and once a stream is queued its request record
 * (~3 KiB) gives way to a struct open_stream of a few dozen bytes, since a stream holds its
 * request for hours.
 *
 * The pipeline, in this order (API.md "General"): route look-up (404 not_found, 405
 * method_not_allowed), authentication (Bearer token or the hq_session cookie; a staff route
 * without a valid session is 401 before anything else), a registered device key, the CSRF token
 * of cookie sessions on state changes (403), the route's roles (403), the body size from
 * Content-Length (413 without reading the body), the body's Content-Type (415), the JSON parse
 * (400 bad_json; the top level must be an object), the route's request schema (req_schema.c: 400
 * invalid_field); then the handler.
 *
 * Threads. libmicrohttpd's event threads (hq_server_options.event_threads, one epoll loop each)
 * only parse, check headers, read bodies and send answers; they never wait. On the last call of a
 * routed API request the connection is suspended and the request handed to the worker pool
 * (hq_server_options.threads): a worker parses the JSON body, runs the handler (which may block:
 * the group commit, a printer, espeak-ng), serialises the answer and resumes the connection; on
 * the next call the event thread queues the prepared answer. The ticket issue and the window
 * actions answer later instead (struct hq_app_later): the worker returns to the pool as soon as
 * the change is queued for the group commit, and the commit's writer serialises the answer and
 * resumes the connection once it is durable (later_done), so no thread sleeps per request for its
 * commit (issue 12). They even run on the event thread first (run_inline) with a nowait
 * continuation: a use case that would have to wait there (a lock taken, the store to read, a
 * printer) says HQ_APP_BUSY, having changed nothing, and the request goes to the pool. Suspend
 * (event thread) and resume (worker or writer) are ordered by an atomic word per request, not a
 * lock: resume only after suspend, exactly once, so no wake-up is lost (DEPENDENCIES.md pitfall 2;
 * HAND_* below). A request is freed when libmicrohttpd (the completion callback), the worker and an
 * answer given later are all done with it (a reference count). The pages, assets, /metrics and the
 * event streams are answered on the event threads: they never block.
 *
 * Stop (SIGTERM): stop accepting; answer new API requests 503 with Connection: close; end the
 * event streams; let queued handlers start for STOP_RUN_MS and running ones finish (each is bounded
 * by its own deadline); send their answers for up to STOP_ANSWER_MS; only then stop the daemon, so
 * that no connection is suspended when MHD_stop_daemon runs.
 *
 * libmicrohttpd calls the access handler once after the headers, once per piece of body and once
 * at the end. A response is queued on the last call, never on the first (a response queued on
 * the first call closes the keep-alive connection), except for a refusal of a request that
 * announced a body: then the body is not read and the connection closes after the answer.
 *
 * This file never logs bodies, query strings or secrets: ticket ids and tracking codes in paths
 * are masked in the access log.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server_int.h"
#include "../app/hq_json_text.h"
#include "api.h"
#include "content_type.h"
#include "req_schema.h"

#define PATH_MAX_LEN 2048       /* longer request paths are 404 */
#define DISCARD_MAX (16u << 20) /* a chunked body over the limit is read this far, then cut */
#define STATIC_FILE_MAX (64u << 20)
#define WORKERS_DEFAULT 64
#define MAX_CONNS_PER_IP_DEFAULT 256
#define MAIN_POOL 8192    /* libmicrohttpd's memory per connection (the streams': HQ_STREAM_POOL) */
#define IDLE_TIMEOUT_S 30 /* a kept-alive connection idle this long is closed (streams ping) */
#define STOP_RUN_MS 7000  /* after SIGTERM, queued handlers still start until then */
#define STOP_ANSWER_MS 9000 /* … and finished ones are answered until then */

static const char CSP[] = "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
                          "style-src 'self' 'unsafe-inline'";

enum kind { K_API, K_EVENTS, K_METRICS, K_STATIC };

struct server;

/* A unit of work for the pool: a handler to run, or a lingering close. */
struct job {
    struct job *next;
    void (*run)(struct server *s, struct job *j, bool refuse);
};

struct server {
    struct hq_app *app;
    const char *static_dir;
    char static_real[PATH_MAX];
    struct hq_metrics m;
    struct hq_sse_hub *hub;
    struct hq_door *door;         /* accepts and caps connections per address (door.c) */
    struct MHD_Daemon *d;         /* the main daemon (8 KiB pool per connection) */
    struct MHD_Daemon *ds;        /* the event streams' daemon (HQ_STREAM_POOL: accept_route.c) */
    const struct hq_route *extra; /* tests' routes */
    /* The worker pool. mu also orders the suspend and the resume of the connections it serves. */
    pthread_mutex_t mu;
    pthread_cond_t work_cv; /* a job was queued, or the workers are to exit */
    pthread_cond_t idle_cv; /* a job ended, or a handed-off request completed (for the stop) */
    struct job *head, *tail;
    size_t running;          /* jobs being run */
    _Atomic size_t inflight; /* API requests handed to the pool, not completed by libmicrohttpd */
    _Atomic bool draining;   /* drain waits for inflight: completions broadcast idle_cv */
    _Atomic bool stopping;   /* SIGTERM: new API requests are answered 503 */
    bool refuse;       /* past STOP_RUN_MS: queued handlers are answered 503 without running */
    bool exit_workers; /* the workers exit once the queue is empty */
    pthread_t *workers;
    unsigned n_workers;
};

/* Per request; created by the URI logger, freed by the completion callback (or replaced by a
 * struct open_stream once it is an event stream). */
struct rq {
    bool open_stream; /* false: the first member of struct rq and struct open_stream */
    struct server *s;
    bool started;
    bool queued;
    bool cookie_auth;
    bool too_large;
    bool expect_body;
    bool drain; /* answered before its body: read and drop what the client still sends */
    enum kind kind;
    const struct hq_route *route;
    size_t slot;
    int err; /* a refusal decided before the body: sent at the end */
    struct hq_why why;
    char allow[64]; /* for 405 */
    struct hq_buf body;
    size_t discarded;
    struct hq_req req;
    char method[8];
    bool path_ok;
    size_t uri_len; /* of the whole URI, query included (the request line's limit) */
    struct timespec t0;
    int status;
    size_t bytes;
    bool closing;  /* answer with Connection: close (the server is stopping) */
    bool one_shot; /* on the streams' daemon: one request per connection (accept_route.c) */
    /* The hand-off to the pool, without a lock (issue 12): refs counts the holders (1 for
     * libmicrohttpd until the completion callback, 1 while a worker runs the handler, 1 for an
     * answer given later), hand the HAND_* bits below. */
    struct job job;
    struct MHD_Connection *conn;
    _Atomic int refs;
    _Atomic int hand;
    bool dispatched;
    struct hq_app_later later; /* req.later: the use case's way back (later_done) */
    struct hq_res res;
    char path[]; /* sized to the request's path: an event stream holds its rq for hours */
};

/* The hand-back of an answer. The event thread sets HAND_SUSPENDED when it suspends the
 * connection (before the job is queued, or again in answer()); whoever finishes the answer (the
 * worker, or the group-commit writer for an answer given later) swaps in HAND_DONE and resumes
 * the connection only when it took HAND_SUSPENDED out: so a resume always follows its suspend and
 * exactly one side resumes (DEPENDENCIES.md pitfall 2), and nobody takes a lock for it. */
enum { HAND_SUSPENDED = 1, HAND_DONE = 2 };

/* What an open event stream keeps of its request for the access log and the metrics: an rq is
 * ~3 KiB (the API request and answer), and a stream holds its request for hours. */
struct open_stream {
    bool open_stream; /* true */
    struct server *s;
    size_t slot;
    struct timespec t0;
    char method[8];
    char path[]; /* /api/v1/events */
};

/* Is a connection's context (an rq or an open_stream) an open_stream? Read through a pointer to
 * the first member, which both structs start with. */
static bool is_open_stream(const void *ctx)
{
    return *(const bool *)ctx;
}

static void rq_free(struct rq *q)
{
    hq__buf_release(&q->body);
    json_decref(q->res.json);
    free(q->res.body);
    free(q);
}

/* ---- time and logging ---- */

static uint64_t elapsed_us(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    int64_t us = (int64_t)(t.tv_sec - t0->tv_sec) * 1000000 + (t.tv_nsec - t0->tv_nsec) / 1000;
    return us < 0 ? 0 : (uint64_t)us;
}

/* The log's time, UTC to the millisecond. The text up to the second is kept per thread: gmtime_r
 * takes glibc's zone lock, and this runs for every request (issue 12). */
static void now_iso(char *buf, size_t len)
{
    static _Thread_local struct {
        bool ok;
        time_t sec;
        char text[40]; /* "2026-12-07T18:30:05" */
    } memo;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (!memo.ok || memo.sec != ts.tv_sec) {
        struct tm tm;
        if (!gmtime_r(&ts.tv_sec, &tm)) memset(&tm, 0, sizeof tm);
        snprintf(memo.text, sizeof memo.text, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        memo.sec = ts.tv_sec;
        memo.ok = true;
    }
    long ms = ts.tv_nsec / 1000000;
    size_t n = strlen(memo.text);
    if (len < n + 6) {
        if (len) buf[0] = '\0';
        return;
    }
    memcpy(buf, memo.text, n);
    char *p = buf + n;
    *p++ = '.';
    *p++ = (char)('0' + ms / 100);
    *p++ = (char)('0' + ms / 10 % 10);
    *p++ = (char)('0' + ms % 10);
    *p++ = 'Z';
    *p = '\0';
}

static void linger_fd(struct server *s, int fd);

static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
    struct server *s = cls;
    char msg[512], t[64];
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* libmicrohttpd refusing a later request's head: the JSON error is sent instead (door.c) */
    int fd = hq__door_mhd_refusal(s ? s->door : NULL, msg);
    if (fd >= 0 && s) linger_fd(s, fd);
    size_t l = strlen(msg);
    while (l && (msg[l - 1] == '\n' || msg[l - 1] == '\r'))
        msg[--l] = '\0';
    for (char *p = msg; *p; p++)
        if (*p == '"' || *p == '\n') *p = '\'';
    now_iso(t, sizeof t);
    fprintf(stderr, "t=%s level=warn msg=\"libmicrohttpd: %s\"\n", t, msg);
}

static void client_ip(struct MHD_Connection *c, char *out, size_t len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, len, "-");
    if (!ci || !ci->client_addr) return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)len);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)len);
}

/* ---- responses ---- */

/* cache: the Cache-Control of an API answer (NULL = no-store) */
static void add_common_headers(struct MHD_Response *r, enum kind k, bool page, const char *cache)
{
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    if (page) MHD_add_response_header(r, "Content-Security-Policy", CSP);
    if (k == K_API)
        MHD_add_response_header(r, "Cache-Control", cache ? cache : "no-store");
    else if (k == K_METRICS)
        MHD_add_response_header(r, "Cache-Control", "no-store");
    else if (k == K_STATIC)
        MHD_add_response_header(r, "Cache-Control", "no-cache");
}

static enum MHD_Result queue(struct rq *q, struct MHD_Connection *c, int status,
                             struct MHD_Response *r, size_t bytes)
{
    q->queued = true;
    q->status = status;
    q->bytes = bytes;
    /* (an event stream's own response says Connection: close already) */
    if (q->closing || (q->one_shot && !(q->kind == K_EVENTS && status == 200)))
        MHD_add_response_header(r, "Connection", "close");
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result send_text(struct rq *q, struct MHD_Connection *c, int status,
                                 const char *type, const char *text, bool page)
{
    size_t n = strlen(text);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(n, (void *)text, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    add_common_headers(r, q->kind, page, NULL);
    return queue(q, c, status, r, n);
}

/* Send res (consumes its json/body). */
static enum MHD_Result send_res(struct rq *q, struct MHD_Connection *c, struct hq_res *res)
{
    char *text = NULL;
    size_t n = 0;
    const char *type = "application/json; charset=utf-8";
    enum MHD_ResponseMemoryMode mode = MHD_RESPMEM_MUST_FREE;
    if (res->json) {
        text = json_dumps(res->json, JSON_COMPACT | JSON_REAL_PRECISION(10));
        json_decref(res->json);
        res->json = NULL;
        if (!text) {
            char t[64];
            now_iso(t, sizeof t);
            fprintf(stderr, "t=%s level=error msg=\"cannot serialise the response of %s %s\"\n", t,
                    q->method, q->route ? q->route->pattern : "-");
            atomic_fetch_add_explicit(&q->s->m.internal_errors, 1, memory_order_relaxed);
            free(res->body);
            res->body = NULL;
            return send_text(q, c, 500, type,
                             "{\"error\":{\"code\":\"internal\",\"message\":\"internal error\"}}",
                             false);
        }
        n = strlen(text);
        free(res->body);
        res->body = NULL;
    } else if (res->body) {
        text = res->body;
        n = res->body_len;
        res->body = NULL;
        if (res->content_type) type = res->content_type;
    } else {
        mode = MHD_RESPMEM_PERSISTENT;
        text = (char *)"";
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(n, text, mode);
    if (!r) {
        if (mode == MHD_RESPMEM_MUST_FREE) free(text);
        return MHD_NO;
    }
    int status = res->status ? res->status : 200;
    if (n || status != 204) MHD_add_response_header(r, "Content-Type", type);
    add_common_headers(r, q->kind, false, res->cache_control);
    for (int i = 0; i < 2; i++)
        if (res->set_cookie[i][0]) MHD_add_response_header(r, "Set-Cookie", res->set_cookie[i]);
    if (res->location[0]) MHD_add_response_header(r, "Location", res->location);
    if (res->retry_after_s > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", res->retry_after_s);
        MHD_add_response_header(r, "Retry-After", ra);
    }
    return queue(q, c, status, r, n);
}

static enum MHD_Result send_error(struct rq *q, struct MHD_Connection *c, const struct hq_why *why)
{
    struct hq_res res = {0};
    hq_res_error(&res, why);
    if (why->code == HQ_ENOMETHOD && q->allow[0]) {
        /* add Allow through a tiny detour: build the response here */
        char *text = json_dumps(res.json, JSON_COMPACT);
        json_decref(res.json);
        if (!text) return MHD_NO;
        struct MHD_Response *r =
            MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
        if (!r) {
            free(text);
            return MHD_NO;
        }
        MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
        MHD_add_response_header(r, "Allow", q->allow);
        add_common_headers(r, q->kind, false, NULL);
        return queue(q, c, 405, r, strlen(text));
    }
    return send_res(q, c, &res);
}

/* ---- static pages and assets ---- */

/* Map a request path to the file under web/ that answers it; false when none could. */
static bool static_target(const char *path, char *out, size_t len, bool *page)
{
    static const char *const pages[] = {"kiosk",   "guide", "counter", "display", "complaints",
                                        "manager", "admin", "queue",   "pair"};
    static const struct {
        const char *pattern, *file;
    } param_pages[] = {
        {"/window/{n}", "/window.html"}, {"/pad/{n}", "/pad.html"}, {"/t/{id}", "/track.html"}};
    *page = true;
    if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0) {
        snprintf(out, len, "/index.html");
        return true;
    }
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++)
        if (path[0] == '/' && strcmp(path + 1, pages[i]) == 0) {
            snprintf(out, len, "/%s.html", pages[i]);
            return true;
        }
    char params[2][128];
    int np;
    for (size_t i = 0; i < sizeof param_pages / sizeof param_pages[0]; i++)
        if (hq_route_match(param_pages[i].pattern, path, params, &np)) {
            snprintf(out, len, "%s", param_pages[i].file);
            return true;
        }
    /* plain assets: a conservative alphabet, no empty, dot-leading or parent segments */
    *page = false;
    if (path[0] != '/' || strlen(path) >= len) return false;
    for (const char *p = path; *p; p++) {
        char ch = *p;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '/' || ch == '.' || ch == '-' || ch == '_';
        if (!ok) return false;
        if (ch == '/' && (p[1] == '/' || p[1] == '.' || p[1] == '\0')) return false;
    }
    snprintf(out, len, "%s", path);
    *page = strstr(path, ".html") != NULL;
    return true;
}

static enum MHD_Result serve_static(struct rq *q, struct MHD_Connection *c)
{
    char file[512];
    bool page = false;
    if (!static_target(q->path, file, sizeof file, &page)) goto notfound;
    const char *type = hq_content_type(file);
    struct MHD_Response *r = NULL;
    size_t n = 0;
    if (q->s->static_dir) {
        char full[PATH_MAX + 600];
        snprintf(full, sizeof full, "%s%s", q->s->static_real, file);
        int fd = open(full, O_RDONLY | O_CLOEXEC);
        if (fd < 0) goto notfound;
        struct stat st;
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_FILE_MAX) {
            close(fd);
            goto notfound;
        }
        n = (size_t)st.st_size;
        r = MHD_create_response_from_fd((uint64_t)st.st_size, fd); /* owns fd */
        if (!r) {
            close(fd);
            return MHD_NO;
        }
    } else {
        const struct hq_asset *as = hq_asset_find(file);
        if (!as) goto notfound;
        type = as->content_type ? as->content_type : type;
        n = as->len;
        r = MHD_create_response_from_buffer(as->len, (void *)as->data, MHD_RESPMEM_PERSISTENT);
        if (!r) return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    add_common_headers(r, K_STATIC, page, NULL);
    return queue(q, c, 200, r, n);
notfound:
    q->slot = q->s->m.n_routes + HQ_MET_NOMATCH;
    return send_text(q, c, 404, "text/html; charset=utf-8",
                     "<!doctype html><meta charset=utf-8><title>Not found</title>"
                     "<h1>Not found</h1><p><a href=\"/\">hallq</a></p>\n",
                     true);
}

/* ---- the pipeline ---- */

static bool is_state_change(const char *m)
{
    return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "DELETE") == 0 ||
           strcmp(m, "PATCH") == 0;
}

static bool token_eq(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char d = la != lb;
    for (size_t i = 0; i < la && i < lb; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0 && la > 0;
}

/* Find the route in one table; true when found. Methods of matching paths go to q->allow. */
static size_t slashes(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '/';
    return n;
}

static bool lookup_in(struct rq *q, const struct hq_route *tab, bool own, bool *path_known,
                      size_t *al)
{
    const char *m = strcmp(q->method, "HEAD") == 0 ? "GET" : q->method;
    /* hq_route_match splits pattern and path at each '/' and matches segment by segment, so a
     * pattern with another number of '/' never matches: skipped before its segments are decoded
     * (the scan decoded the path's segments for every route: 4 % of a request's work) */
    size_t n = slashes(q->path);
    for (size_t i = 0; tab && tab[i].pattern; i++) {
        const struct hq_route *rt = &tab[i];
        if (slashes(rt->pattern) != n) continue;
        if (!hq_route_match(rt->pattern, q->path, q->req.params, &q->req.n_params)) continue;
        if (strcmp(rt->method, m) == 0) {
            q->route = rt;
            q->slot = own ? i : q->s->m.n_routes + HQ_MET_NOMATCH;
            return true;
        }
        *path_known = true;
        if (!strstr(q->allow, rt->method) && *al + strlen(rt->method) + 3 < sizeof q->allow)
            *al += (size_t)snprintf(q->allow + *al, sizeof q->allow - *al, "%s%s", *al ? ", " : "",
                                    rt->method);
    }
    return false;
}

/* Find the route; on failure set q->err (404/405). */
static void lookup(struct rq *q)
{
    bool path_known = false;
    size_t al = 0;
    q->allow[0] = '\0';
    if (lookup_in(q, hq_routes, true, &path_known, &al) ||
        lookup_in(q, q->s->extra, false, &path_known, &al))
        return;
    q->slot = q->s->m.n_routes + HQ_MET_NOMATCH;
    if (path_known)
        q->err = hq_fail(&q->why, HQ_ENOMETHOD, "", "method %s is not allowed here (allowed: %s)",
                         q->method, q->allow);
    else
        q->err = hq_fail(&q->why, HQ_ENOTFOUND, "", "no such endpoint");
}

/* Authentication, device, CSRF, roles, size and type: everything decided from the headers. */
static void check_headers(struct rq *q, struct MHD_Connection *c)
{
    const struct hq_route *rt = q->route;
    struct hq_req *req = &q->req;
    struct hq_app *app = q->s->app;
    bool resolve = rt->roles != 0 || (rt->flags & HQ_RT_AUTH_OPTIONAL);
    req->actor.role = HQ_ROLE_NONE;
    if (resolve) {
        const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
        const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "hq_session");
        const char *token = NULL;
        bool bearer = false;
        if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
            token = auth + 7;
            while (*token == ' ')
                token++;
            bearer = true;
        } else if (cookie && *cookie) {
            token = cookie;
        }
        struct hq_actor who = {0};
        char csrf[80] = "";
        bool ok = token && *token && strlen(token) < sizeof req->token &&
                  hq_app_session(app, token, &who, csrf) == 0;
        if (ok && !bearer && is_state_change(q->method)) {
            const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
            if (!h || !token_eq(h, csrf)) {
                if (rt->roles != 0) {
                    q->err = hq_fail(&q->why, HQ_EFORBIDDEN, "X-CSRF-Token",
                                     "a cookie session needs the X-CSRF-Token header given at "
                                     "login for this request");
                    return;
                }
                ok = false; /* a public route: the request goes on as the public's */
            }
        }
        if (ok) {
            char ip[64];
            snprintf(ip, sizeof ip, "%s", req->actor.ip);
            req->actor = who;
            snprintf(req->actor.ip, sizeof req->actor.ip, "%s", ip);
            snprintf(req->token, sizeof req->token, "%s", token);
            q->cookie_auth = !bearer;
        } else if (rt->roles != 0) {
            q->err = hq_fail(&q->why, HQ_EUNAUTH, "",
                             token && *token ? "the session is unknown or has expired"
                                             : "this endpoint needs a login (Bearer token or "
                                               "session cookie)");
            return;
        }
    }
    /* A device key is looked at on every route, public ones too: a revoked device stops at its
     * next request, and the admin's list says when each device was last seen. */
    const char *dev = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Device-Key");
    if (dev && *dev && strlen(dev) < 256) {
        struct hq_actor tmp = req->actor;
        int drc = hq_app_device(app, dev, &tmp);
        if (drc == HQ_EFORBIDDEN) {
            q->err = hq_fail(&q->why, HQ_EUNAUTH, "X-Device-Key",
                             "this device was revoked by an administrator: pair it again");
            return;
        }
        if (drc == 0) {
            if (req->actor.role == HQ_ROLE_NONE && !req->token[0]) {
                req->actor = tmp;
            } else {
                req->actor.device = true;
                snprintf(req->actor.device_name, sizeof req->actor.device_name, "%s",
                         tmp.device_name);
            }
        }
    }
    if (rt->roles != 0 && !(rt->roles & HQ_R(req->actor.role))) {
        q->err = hq_fail(&q->why, HQ_EFORBIDDEN, "", "the role %s may not do this",
                         hq_role_name(req->actor.role));
        return;
    }
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    unsigned long long len = 0;
    if (cl) {
        char *end = NULL;
        errno = 0;
        len = strtoull(cl, &end, 10);
        if (errno || end == cl) len = ULLONG_MAX;
    }
    if (len > HQ_BODY_MAX) {
        q->err = hq_fail(&q->why, HQ_ETOOLARGE, "", "request bodies are limited to %d bytes",
                         HQ_BODY_MAX);
        return;
    }
    if (len > 0 && !(rt->flags & HQ_RT_RAW_BODY)) {
        const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
        if (!hq__is_json_type(ct)) {
            q->err = hq_fail(&q->why, HQ_EMEDIA, "", "the body must be application/json");
            return;
        }
    }
}

/* ---- the worker pool ---- */

/* s->mu held */
static void push_job(struct server *s, struct job *j)
{
    j->next = NULL;
    if (s->tail)
        s->tail->next = j;
    else
        s->head = j;
    s->tail = j;
    pthread_cond_signal(&s->work_cv);
}

static void *worker_main(void *arg)
{
    struct server *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->head && !s->exit_workers)
            pthread_cond_wait(&s->work_cv, &s->mu);
        struct job *j = s->head;
        if (!j) break; /* exit_workers and nothing left */
        s->head = j->next;
        if (!s->head) s->tail = NULL;
        s->running++;
        bool refuse = s->refuse;
        pthread_mutex_unlock(&s->mu);
        j->run(s, j, refuse);
        pthread_mutex_lock(&s->mu);
        s->running--;
        pthread_cond_broadcast(&s->idle_cv);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* Turn res->json into res->body (the event thread then only wraps the bytes). */
static void serialise(struct rq *q, struct hq_res *res)
{
    static const char json_type[] = "application/json; charset=utf-8";
    if (!res->json) return;
    char *text = hq_json_text(res->json, 10); /* json_dumps' bytes, at a fraction of its cost */
    json_decref(res->json);
    res->json = NULL;
    free(res->body);
    res->body = NULL;
    res->content_type = json_type;
    if (!text) {
        char t[64];
        now_iso(t, sizeof t);
        fprintf(stderr, "t=%s level=error msg=\"cannot serialise the response of %s %s\"\n", t,
                q->method, q->route ? q->route->pattern : "-");
        atomic_fetch_add_explicit(&q->s->m.internal_errors, 1, memory_order_relaxed);
        static const char internal[] =
            "{\"error\":{\"code\":\"internal\",\"message\":\"internal error\"}}";
        res->status = 500;
        res->cache_control = NULL;
        memset(res->set_cookie, 0, sizeof res->set_cookie);
        res->location[0] = '\0';
        text = strdup(internal);
    }
    res->body = text;
    res->body_len = text ? strlen(text) : 0;
}

/* The handler's result rc (0 or a negative hq_err with why) made into the answer in q->res. */
static void handler_result(struct rq *q, int rc, struct hq_why *why)
{
    const struct hq_route *rt = q->route;
    struct hq_res *res = &q->res;
    if (rc == 0 && !res->json && !res->body && res->status != 204)
        rc = hq_fail(why, HQ_EINTERNAL, "", "the handler gave no answer");
    if (rc < 0) {
        why->code = rc;
        if (!why->message[0]) snprintf(why->message, sizeof why->message, "%s", hq_err_name(rc));
        if (rc == HQ_EINTERNAL || hq_err_http_status(rc) == 500) {
            char t[64];
            now_iso(t, sizeof t);
            fprintf(stderr, "t=%s level=error msg=\"handler bug: %s %s: %s\"\n", t, q->method,
                    rt->pattern, why->message);
            atomic_fetch_add_explicit(&q->s->m.internal_errors, 1, memory_order_relaxed);
            snprintf(why->message, sizeof why->message, "internal error");
            why->field[0] = '\0';
        }
        hq_res_error(res, why);
        res->cache_control = NULL;
    }
}

static void hand_back(struct rq *q);

/* The answer given later (struct hq_app_later), on the group-commit writer: once the change is
 * durable (rc 0, out the answer) or its commit failed. Serialise it and resume the connection. */
static void later_done(void *ctx, int rc, json_t *out, const struct hq_why *w)
{
    struct rq *q = ctx;
    struct hq_why why = {0};
    if (w) why = *w;
    if (rc == 0) {
        json_decref(q->res.json);
        q->res.json = out;
    } else {
        json_decref(out);
    }
    handler_result(q, rc, &why);
    serialise(q, &q->res);
    hand_back(q);
}

/* What handle did: the answer is in q->res; or later_done will leave it there (HQ_APP_LATER); or
 * the handler would have had to wait (HQ_APP_BUSY with nowait): nothing done, run it on a worker.
 */
enum handled { H_DONE, H_LATER, H_BUSY };

/* On a worker (or, with nowait, on the event thread: run_inline): the body's type and JSON, then
 * the handler. */
static enum handled handle(struct rq *q, bool nowait)
{
    const struct hq_route *rt = q->route;
    struct hq_res *res = &q->res;
    struct hq_why why = {0};
    json_t *body = NULL;
    int rc = 0;
    *res = (struct hq_res){.status = 200};
    if (q->body.len && !(rt->flags & HQ_RT_RAW_BODY)) {
        const char *ct = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Content-Type");
        json_error_t je;
        if (!hq__is_json_type(ct)) {
            rc = hq_fail(&why, HQ_EMEDIA, "", "the body must be application/json");
        } else if (memchr(q->body.p, 0, q->body.len)) {
            /* jansson stops at a raw NUL and may accept what came before it */
            rc = hq_fail(&why, HQ_EBADJSON, "", "invalid JSON: the body contains a NUL byte");
        } else if (!(body = json_loadb(q->body.p, q->body.len, JSON_REJECT_DUPLICATES, &je))) {
            rc = hq_fail(&why, HQ_EBADJSON, "", "invalid JSON at line %d, column %d (byte %d): %s",
                         je.line, je.column, je.position, je.text);
        } else if (!json_is_object(body)) {
            json_decref(body);
            body = NULL;
            rc = hq_fail(&why, HQ_EBADJSON, "", "the body must be a JSON object");
        }
        if (rc) {
            hq_res_error(res, &why);
            return H_DONE;
        }
    }
    /* the route's request schema (api/routes/, compiled by tools/gen_api.c): 400 invalid_field */
    if (!(rt->flags & HQ_RT_RAW_BODY) &&
        (rc = hq_reqschema_check(rt->method, rt->pattern, q->req.params, q->req.n_params, body,
                                 &why))) {
        json_decref(body);
        hq_res_error(res, &why);
        return H_DONE;
    }
    q->req.body = body;
    q->req.raw_body = q->body.p;
    q->req.raw_len = q->body.len;
    q->req.method = q->method;
    q->req.path = q->path;
    q->req.conn = q->conn;
    /* The way back for an answer given later holds a reference of its own: it may run (and the
     * connection complete) before the handler has even returned here. */
    q->later = (struct hq_app_later){later_done, q, nowait};
    q->req.later = &q->later;
    atomic_fetch_add(&q->refs, 1);
    rc = rt->fn(q->s->app, &q->req, res, &why);
    json_decref(body);
    if (rc == HQ_APP_LATER) return H_LATER; /* q->res belongs to later_done now */
    atomic_fetch_sub(&q->refs, 1); /* never the last: the worker or libmicrohttpd holds one */
    q->req.body = NULL;
    if (rc == HQ_APP_BUSY && nowait) return H_BUSY;
    handler_result(q, rc, &why);
    return H_DONE;
}

/* The job of a handed-off request: run it (or refuse it when the stop has run out of time),
 * then resume its connection so that the event thread sends the answer. */
static void run_request(struct server *s, struct job *j, bool refuse)
{
    (void)s;
    struct rq *q = (struct rq *)(void *)((char *)j - offsetof(struct rq, job));
    if (refuse) {
        struct hq_why why;
        hq_fail(&why, HQ_ESUSPENDED, "", "the server is shutting down");
        q->res = (struct hq_res){0};
        hq_res_error(&q->res, &why);
        q->closing = true;
    } else if (handle(q, false) == H_LATER) {
        /* answered later by the use case (later_done): only the worker's reference ends here */
        if (atomic_fetch_sub(&q->refs, 1) == 1) rq_free(q);
        return;
    }
    serialise(q, &q->res);
    hand_back(q);
}

/* The answer in q->res is ready and serialised: mark it done, resume the connection when its
 * event thread suspended it (see HAND_*), and drop the caller's reference. q->conn is not touched
 * after the resume: the event thread may send the answer and complete the request at once. */
static void hand_back(struct rq *q)
{
    if (atomic_exchange(&q->hand, HAND_DONE) & HAND_SUSPENDED) MHD_resume_connection(q->conn);
    if (atomic_fetch_sub(&q->refs, 1) == 1) rq_free(q);
}

/* A dispatched request no longer counts for the drain (see drain: not lost). */
static void inflight_done(struct server *s)
{
    atomic_fetch_sub(&s->inflight, 1);
    if (atomic_load(&s->draining)) { /* drain waits for inflight: wake it (under mu: not lost) */
        pthread_mutex_lock(&s->mu);
        pthread_cond_broadcast(&s->idle_cv);
        pthread_mutex_unlock(&s->mu);
    }
}

/* The handlers that may run on the event thread: they answer later (the group-commit writer
 * sends the answer once durable) and never wait there (HQ_APP_BUSY instead, with nowait). */
static bool inline_route(const struct hq_route *rt)
{
    return rt->fn == api_tickets_create || rt->fn == api_window_action;
}

/* On the event thread, the last call of an inline route's request: run the handler here, saving
 * the hand-off to a worker and back (issue 12). False when it goes to the pool after all (the
 * handler would have waited, or the server is stopping); else *ret is the call's result. */
static bool run_inline(struct rq *q, struct MHD_Connection *c, enum MHD_Result *ret)
{
    struct server *s = q->s;
    /* counted before stopping is read (drain sets it before it waits for inflight) */
    atomic_fetch_add(&s->inflight, 1);
    if (atomic_load(&s->stopping)) {
        inflight_done(s);
        return false; /* dispatch refuses it */
    }
    q->conn = c;
    enum handled h = handle(q, true);
    if (h != H_LATER) {
        inflight_done(s);
        if (h == H_BUSY) return false;
        serialise(q, &q->res);
        *ret = send_res(q, c, &q->res);
        return true;
    }
    q->dispatched = true; /* the completion callback ends inflight and its reference */
    if (atomic_load(&q->hand) & HAND_DONE) { /* already durable and answered */
        *ret = send_res(q, c, &q->res);
        return true;
    }
    MHD_suspend_connection(c);
    if (atomic_fetch_or(&q->hand, HAND_SUSPENDED) & HAND_DONE) {
        /* the answer came in between and later_done did not see the suspend: resume */
        atomic_fetch_and(&q->hand, ~HAND_SUSPENDED);
        MHD_resume_connection(c);
    }
    *ret = MHD_YES;
    return true;
}

/* Last call of a routed API request: suspend the connection and hand the request to the pool. */
static enum MHD_Result dispatch(struct rq *q, struct MHD_Connection *c)
{
    struct server *s = q->s;
    enum MHD_Result ret;
    if (inline_route(q->route) && run_inline(q, c, &ret)) return ret;
    pthread_mutex_lock(&s->mu);
    if (s->stopping) {
        pthread_mutex_unlock(&s->mu);
        struct hq_why why;
        hq_fail(&why, HQ_ESUSPENDED, "", "the server is shutting down");
        q->closing = true;
        return send_error(q, c, &why);
    }
    q->dispatched = true;
    q->conn = c;
    atomic_fetch_add(&q->refs, 1);
    q->job.run = run_request;
    atomic_store(&q->hand, HAND_SUSPENDED); /* before the job is queued: no answer can come yet */
    MHD_suspend_connection(c);
    atomic_fetch_add(&s->inflight, 1);
    push_job(s, &q->job);
    pthread_mutex_unlock(&s->mu);
    return MHD_YES;
}

/* A call after the hand-off (the worker resumed the connection): send the prepared answer. */
static enum MHD_Result answer(struct rq *q, struct MHD_Connection *c)
{
    if (!(atomic_load(&q->hand) & HAND_DONE)) { /* called before the answer is ready: wait on */
        MHD_suspend_connection(c);
        if (atomic_fetch_or(&q->hand, HAND_SUSPENDED) & HAND_DONE) {
            /* the answer came in between and its finisher did not see the suspend: resume */
            atomic_fetch_and(&q->hand, ~HAND_SUSPENDED);
            MHD_resume_connection(c);
        }
        return MHD_YES;
    }
    return send_res(q, c, &q->res);
}

/* The stream is queued: the request's ~3 KiB give way to a struct open_stream. */
static void keep_open_stream(struct rq *q, void **con_cls)
{
    size_t n = strlen(q->path);
    struct open_stream *o = malloc(sizeof *o + n + 1);
    if (!o) return; /* keep the rq */
    o->open_stream = true;
    o->s = q->s;
    o->slot = q->slot;
    o->t0 = q->t0;
    memcpy(o->method, q->method, sizeof o->method);
    memcpy(o->path, q->path, n + 1);
    *con_cls = o;
    rq_free(q);
}

static enum MHD_Result serve_events(struct rq *q, struct MHD_Connection *c, void **con_cls)
{
    struct hq_why why = {0};
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
    if (!h) h = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "last_event_id");
    int64_t last = -1;
    if (h && *h) {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(h, &end, 10);
        if (errno || *end || v < 0) {
            hq_fail(&why, HQ_EINVAL, "Last-Event-ID", "Last-Event-ID must be an event id");
            return send_error(q, c, &why);
        }
        last = v;
    }
    struct MHD_Response *r = NULL;
    if (hq__sse_open(q->s->hub, c, last, &r, &why) != 0) return send_error(q, c, &why);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    enum MHD_Result rc = queue(q, c, 200, r, 0);
    if (rc == MHD_YES) keep_open_stream(q, con_cls);
    return rc;
}

static unsigned daemon_connections(struct MHD_Daemon *d)
{
    const union MHD_DaemonInfo *di =
        d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS) : NULL;
    return di ? di->num_connections : 0;
}

/* Connections per daemon: the streams' one holds the event streams the door routed there. */
static int render_daemons(struct server *s, struct hq_buf *b)
{
    return hq__buf_printf(b,
                          "# HELP hallq_http_connections Connections libmicrohttpd holds, by "
                          "daemon (streams: event streams with a %d-byte memory pool).\n"
                          "# TYPE hallq_http_connections gauge\n"
                          "hallq_http_connections{daemon=\"main\"} %u\n"
                          "hallq_http_connections{daemon=\"streams\"} %u\n",
                          HQ_STREAM_POOL, daemon_connections(s->d), daemon_connections(s->ds));
}

static enum MHD_Result serve_metrics(struct rq *q, struct MHD_Connection *c)
{
    struct hq_buf b;
    hq__buf_init(&b, 0);
    if (hq__metrics_render(&q->s->m, q->s->app, q->s->hub, &b) != 0 ||
        render_daemons(q->s, &b) != 0) {
        hq__buf_release(&b);
        return MHD_NO;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(b.len, b.p, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        hq__buf_release(&b);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    add_common_headers(r, K_METRICS, false, NULL);
    return queue(q, c, 200, r, b.len);
}

static enum MHD_Result add_head_bytes(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    *(size_t *)cls += strlen(key) + 2 + (value ? strlen(value) : 0) + 2; /* "K: V" CRLF */
    return MHD_YES;
}

static enum MHD_Result first_call(struct rq *q, struct MHD_Connection *c, const char *version)
{
    struct server *s = q->s;
    client_ip(c, q->req.actor.ip, sizeof q->req.actor.ip);
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding");
    q->expect_body = (cl && strspn(cl, "0") != strlen(cl)) || (te && *te);
    /* The door's limits for the request line, the head and the version hold for later requests of
     * a kept-alive connection too (libmicrohttpd's own are wider): answer at once, and close. */
    size_t head = 0;
    MHD_get_connection_values(c, MHD_HEADER_KIND, add_head_bytes, &head);
    int st = hq__door_check_request(q->method, q->uri_len, version, head, &q->why);
    if (st) {
        q->kind = K_API;
        q->slot = s->m.n_routes + HQ_MET_NOMATCH;
        q->closing = true;
        q->drain = q->expect_body;
        struct hq_res res = {0};
        hq_res_error(&res, &q->why);
        res.status = st;
        return send_res(q, c, &res);
    }
    bool get = strcmp(q->method, "GET") == 0 || strcmp(q->method, "HEAD") == 0;
    if (!q->path_ok) {
        q->kind = strncmp(q->path, "/api/", 5) == 0 ? K_API : K_STATIC;
        q->slot = s->m.n_routes + HQ_MET_NOMATCH;
        q->err = hq_fail(&q->why, HQ_ENOTFOUND, "", "no such path");
    } else if (strcmp(q->path, "/api/v1/events") == 0) {
        q->kind = K_EVENTS;
        q->slot = s->m.n_routes + HQ_MET_EVENTS;
        if (!get) {
            snprintf(q->allow, sizeof q->allow, "GET");
            q->err = hq_fail(&q->why, HQ_ENOMETHOD, "", "method %s is not allowed here", q->method);
        }
    } else if (strcmp(q->path, "/metrics") == 0) {
        q->kind = K_METRICS;
        q->slot = s->m.n_routes + HQ_MET_METRICS;
        if (!get) {
            snprintf(q->allow, sizeof q->allow, "GET");
            q->err = hq_fail(&q->why, HQ_ENOMETHOD, "", "method %s is not allowed here", q->method);
        }
    } else if (strncmp(q->path, "/api/", 5) == 0 || strcmp(q->path, "/api") == 0) {
        q->kind = K_API;
        lookup(q);
        if (!q->err) check_headers(q, c);
    } else {
        q->kind = K_STATIC;
        q->slot = s->m.n_routes + HQ_MET_ASSET;
        bool page = false;
        char f[512];
        if (static_target(q->path, f, sizeof f, &page) && page)
            q->slot = s->m.n_routes + HQ_MET_PAGE;
        if (!get) {
            snprintf(q->allow, sizeof q->allow, "GET, HEAD");
            q->err = hq_fail(&q->why, HQ_ENOMETHOD, "", "method %s is not allowed here", q->method);
        }
    }
    /* Transport checks libmicrohttpd leaves to us (the door checks a connection's first head;
     * these cover later requests on a kept-alive connection too). */
    if (cl && te && *te) {
        q->err = hq_fail(&q->why, HQ_EINVAL, "Transfer-Encoding",
                         "a request may not have both Content-Length and Transfer-Encoding");
        q->expect_body = true; /* answer at once and close */
    } else if (!q->err && q->kind != K_API && cl) {
        char *end = NULL;
        errno = 0;
        unsigned long long len = strtoull(cl, &end, 10);
        if (errno || end == cl || len > HQ_BODY_MAX)
            q->err = hq_fail(&q->why, HQ_ETOOLARGE, "", "request bodies are limited to %d bytes",
                             HQ_BODY_MAX);
    }
    /* a refusal of a request that announces a body: answer now, do not read the body */
    if (q->err && q->expect_body) {
        q->drain = true;
        return send_error(q, c, &q->why);
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)url;
    struct rq *q = *con_cls;
    if (!q) return MHD_NO;                 /* the URI logger could not allocate */
    if (is_open_stream(q)) return MHD_YES; /* a struct open_stream: answered */
    if (!q->started) {
        hq__door_head_end(c);
        q->started = true;
        snprintf(q->method, sizeof q->method, "%s", method);
        return first_call(q, c, version);
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        (void)upload_data;
        if (q->err || q->kind != K_API || q->too_large) {
            q->discarded += n;
            return q->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
        }
        if (hq__buf_add(&q->body, upload_data, n) != 0) {
            q->too_large = true;
            q->discarded += q->body.len + n;
            hq__buf_release(&q->body);
        }
        return MHD_YES;
    }
    if (q->queued) return MHD_YES;
    if (q->dispatched) return answer(q, c);
    if (q->err) return send_error(q, c, &q->why);
    if (q->too_large) {
        struct hq_why why;
        hq_fail(&why, HQ_ETOOLARGE, "", "request bodies are limited to %d bytes", HQ_BODY_MAX);
        return send_error(q, c, &why);
    }
    switch (q->kind) {
    case K_EVENTS:
        return serve_events(q, c, con_cls);
    case K_METRICS:
        return serve_metrics(q, c);
    case K_STATIC:
        return serve_static(q, c);
    case K_API:
        return dispatch(q, c);
    }
    return MHD_NO;
}

static struct rq *new_rq(struct server *s, const char *uri, struct MHD_Connection *c)
{
    size_t n = strcspn(uri, "?#");
    bool path_ok = n > 0 && n < PATH_MAX_LEN && uri[0] == '/';
    if (n >= PATH_MAX_LEN) n = PATH_MAX_LEN - 1;
    hq__door_head_begin(c);
    struct rq *q = calloc(1, sizeof *q + n + 1);
    if (!q) return NULL;
    q->s = s;
    atomic_init(&q->refs, 1);
    atomic_init(&q->hand, 0);
    clock_gettime(CLOCK_MONOTONIC, &q->t0);
    hq__buf_init(&q->body, HQ_BODY_MAX);
    q->path_ok = path_ok;
    q->uri_len = strlen(uri);
    memcpy(q->path, uri, n);
    q->path[n] = '\0';
    q->status = 0;
    return q;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    return new_rq(cls, uri, c);
}

/* The streams' daemon: its connections serve one request, the one the door routed. */
static void *on_uri_stream(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct rq *q = new_rq(cls, uri, c);
    if (q) q->one_shot = true;
    return q;
}

/* Lingering close: a request answered before its body (413, 401 …) may still be sending it.
 * Closing a socket with unread data sends a reset, and many clients then lose the answer they
 * were about to read. libmicrohttpd has already shut our side down and closes its descriptor when
 * the completion callback returns; a worker keeps a duplicate of it and reads and drops what
 * arrives for a short, bounded time (never stored, never parsed), so the close is an orderly one
 * and no event thread waits for it. */
struct linger_job {
    struct job job;
    int fd;
};

static void run_linger(struct server *s, struct job *j, bool refuse)
{
    (void)s;
    struct linger_job *l = (struct linger_job *)(void *)j;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t total = 0;
    char sink[16384];
    while (!refuse && total < DISCARD_MAX && elapsed_us(&t0) < 250000) { /* holds a worker */
        struct pollfd pf = {l->fd, POLLIN, 0};
        if (poll(&pf, 1, 50) <= 0) break;
        ssize_t k = recv(l->fd, sink, sizeof sink, MSG_DONTWAIT);
        if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (k <= 0) break;
        total += (size_t)k;
    }
    close(l->fd);
    free(l);
}

static void linger_fd(struct server *s, int fd)
{
    struct linger_job *l = calloc(1, sizeof *l);
    if (!l) return;
    l->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (l->fd < 0) {
        free(l);
        return;
    }
    l->job.run = run_linger;
    pthread_mutex_lock(&s->mu);
    push_job(s, &l->job);
    pthread_mutex_unlock(&s->mu);
}

static void linger(struct server *s, struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (ci) linger_fd(s, ci->connect_fd);
}

/* The metrics and the access log line of a finished request. */
static void log_access(struct server *s, struct MHD_Connection *c, size_t slot,
                       const struct timespec *t0, const char *method, const char *rpath, int status,
                       size_t bytes, const char *user)
{
    uint64_t us = elapsed_us(t0);
    hq__metrics_request(&s->m, slot, status, us);
    char t[64], path[PATH_MAX_LEN + 8], ip[64];
    now_iso(t, sizeof t);
    hq__log_path(rpath, path, sizeof path);
    for (char *p = path; *p; p++)
        if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20) *p = '?';
    client_ip(c, ip, sizeof ip);
    fprintf(stderr,
            "t=%s level=info msg=access ip=%s method=%s path=\"%s\" status=%d bytes=%zu "
            "us=%llu%s%s\n",
            t, ip, method, path, status, bytes, (unsigned long long)us, user[0] ? " user=" : "",
            user);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct server *s = cls;
    struct rq *q = *con_cls;
    *con_cls = NULL;
    hq__door_head_end(c);
    if (!q) return;
    if (is_open_stream(q)) {
        struct open_stream *os = (struct open_stream *)(void *)q;
        log_access(s, c, os->slot, &os->t0, os->method, os->path, 200, 0, "");
        free(os);
        return;
    }
    /* no answer: the client left or MHD refused */
    int status = q->status ? q->status : 499;
    if (q->started)
        log_access(s, c, q->slot, &q->t0, q->method, q->path, status, q->bytes,
                   q->req.actor.username);
    if (q->drain && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK) linger(s, c);
    /* dispatched is set by this connection's event thread, the one calling us */
    if (!q->dispatched) {
        rq_free(q);
        return;
    }
    /* A dispatched request completes only once its answer was handed back (a suspended
     * connection is never completed), so no worker or writer resumes it after this. */
    inflight_done(s);
    if (atomic_fetch_sub(&q->refs, 1) == 1) rq_free(q);
}

/* libmicrohttpd let a connection go: the door counts it no more. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct server *s = cls;
    (void)socket_context;
    if (toe != MHD_CONNECTION_NOTIFY_CLOSED) return;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) hq__door_closed(s->door, ci->client_addr);
}

/* ---- start and stop ---- */

static int parse_listen(const char *spec, struct sockaddr_in *sa, char *host, size_t hostlen,
                        struct hq_why *why)
{
    const char *colon = spec ? strrchr(spec, ':') : NULL;
    if (!colon)
        return hq_fail(why, HQ_EINVAL, "listen", "cannot listen on '%s': expected HOST:PORT",
                       spec ? spec : "");
    size_t hl = (size_t)(colon - spec);
    if (hl >= hostlen) return hq_fail(why, HQ_EINVAL, "listen", "cannot listen on '%s'", spec);
    memcpy(host, spec, hl);
    host[hl] = '\0';
    char *end = NULL;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end || port < 0 || port > 65535)
        return hq_fail(why, HQ_EINVAL, "listen", "cannot listen on %s: bad port", spec);
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    const char *h = host;
    if (strcmp(h, "localhost") == 0) h = "127.0.0.1";
    if (h[0] == '\0' || strcmp(h, "*") == 0) h = "0.0.0.0";
    if (inet_pton(AF_INET, h, &sa->sin_addr) != 1)
        return hq_fail(why, HQ_EINVAL, "listen", "cannot listen on %s: '%s' is not an IPv4 address",
                       spec, host);
    if (host[0] == '\0' || strcmp(host, "*") == 0) snprintf(host, hostlen, "0.0.0.0");
    return 0;
}

static int open_listener(const char *spec, char *host, size_t hostlen, int *port_out,
                         struct hq_why *why)
{
    struct sockaddr_in sa;
    int rc = parse_listen(spec, &sa, host, hostlen, why);
    if (rc) return rc;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return hq_fail(why, HQ_EINVAL, "listen", "cannot listen on %s: %s", spec, strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 4096) != 0) {
        int e = errno;
        close(fd);
        return hq_fail(why, HQ_ECONFLICT, "listen", "cannot listen on %s: %s", spec, strerror(e));
    }
    socklen_t sl = sizeof sa;
    getsockname(fd, (struct sockaddr *)&sa, &sl);
    *port_out = ntohs(sa.sin_port);
    return fd;
}

/* As many connections as file descriptors allow: thousands of held event streams. */
static unsigned connection_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1000;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 65536) return 65000;
    return rl.rlim_cur > 256 ? (unsigned)rl.rlim_cur - 128 : 128;
}

static unsigned event_threads(int want)
{
    if (want > 0) return (unsigned)want;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 2 ? 2 : n > 8 ? 8 : (unsigned)n;
}

/* One libmicrohttpd daemon: threads epoll loops, pool bytes of memory per connection. */
static struct MHD_Daemon *
start_daemon(struct server *s, unsigned threads, unsigned limit, size_t pool,
             void *(*uri_cb)(void *, const char *, struct MHD_Connection *))
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG | MHD_USE_ITC | MHD_USE_NO_LISTEN_SOCKET;
    return MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
                            mhd_logger, s, MHD_OPTION_THREAD_POOL_SIZE, threads,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool, MHD_OPTION_CONNECTION_LIMIT,
                            limit, MHD_OPTION_URI_LOG_CALLBACK, uri_cb, s,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                            MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_END);
}

static void deadline_in(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static int pool_start(struct server *s, unsigned n)
{
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->idle_cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&s->work_cv, NULL);
    s->workers = calloc(n, sizeof *s->workers);
    if (!s->workers) return -1;
    for (unsigned i = 0; i < n; i++) {
        if (pthread_create(&s->workers[i], NULL, worker_main, s) != 0) break;
        s->n_workers++;
    }
    return s->n_workers ? 0 : -1;
}

/* Every queued job runs (or is refused), then the workers exit and are joined. */
static void pool_stop(struct server *s)
{
    pthread_mutex_lock(&s->mu);
    s->exit_workers = true;
    pthread_cond_broadcast(&s->work_cv);
    pthread_mutex_unlock(&s->mu);
    for (unsigned i = 0; i < s->n_workers; i++)
        pthread_join(s->workers[i], NULL);
    free(s->workers);
    pthread_cond_destroy(&s->work_cv);
    pthread_cond_destroy(&s->idle_cv);
    pthread_mutex_destroy(&s->mu);
}

static void log_warn(const char *msg, size_t n)
{
    char t[64];
    now_iso(t, sizeof t);
    fprintf(stderr, "t=%s level=warn msg=\"%zu %s\"\n", t, n, msg);
}

/* The stop after SIGTERM (see the top of the file). Returns with no connection suspended by us:
 * every handed-off request has its answer and has been resumed. */
static void drain(struct server *s)
{
    struct timespec run_until, answer_until;
    deadline_in(&run_until, STOP_RUN_MS);
    deadline_in(&answer_until, STOP_ANSWER_MS);
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_mutex_unlock(&s->mu);
    size_t left = hq__sse_end_all(s->hub, 5000);
    if (left) log_warn("event streams did not end in time", left);
    pthread_mutex_lock(&s->mu);
    while (s->head || s->running) {
        if (!s->refuse && pthread_cond_timedwait(&s->idle_cv, &s->mu, &run_until) == ETIMEDOUT) {
            /* handlers not started yet get 503; running ones end by their own deadlines */
            s->refuse = true;
            size_t n = 0;
            for (struct job *j = s->head; j; j = j->next)
                n++;
            if (n) log_warn("queued requests refused: the server is stopping", n);
            if (s->running) log_warn("handlers still running at the stop deadline", s->running);
        } else if (s->refuse) {
            pthread_cond_wait(&s->idle_cv, &s->mu);
        }
    }
    atomic_store(&s->draining, true); /* before reading inflight: see on_completed */
    while (atomic_load(&s->inflight))
        if (pthread_cond_timedwait(&s->idle_cv, &s->mu, &answer_until) == ETIMEDOUT) break;
    s->refuse = true; /* lingering closes from now on close at once */
    pthread_mutex_unlock(&s->mu);
}

int hq_serve(struct hq_app *a, const struct hq_server_options *o, volatile int *stop,
             struct hq_why *why)
{
    struct server *s = calloc(1, sizeof *s);
    if (!s) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    int rc = HQ_EINTERNAL, lfd = -1;
    bool pool = false;
    struct MHD_Daemon *d = NULL;
    s->app = a;
    s->extra = o->extra_routes;
    hq__stats_limits(o->heavy_reports, o->stats_max_days);
    if (hq__metrics_init(&s->m) != 0) {
        rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        goto out;
    }
    if (o->static_dir) {
        if (!realpath(o->static_dir, s->static_real)) {
            rc = hq_fail(why, HQ_EINVAL, "static_dir", "static directory %s: %s", o->static_dir,
                         strerror(errno));
            goto out;
        }
        s->static_dir = s->static_real;
    }
    char host[64];
    int port = 0;
    lfd = open_listener(o->listen ? o->listen : "127.0.0.1:8080", host, sizeof host, &port, why);
    if (lfd < 0) {
        rc = lfd;
        goto out;
    }
    s->hub = hq__sse_start(a, &s->m);
    if (!s->hub) {
        rc = hq_fail(why, HQ_EINTERNAL, "", "cannot start the event hub");
        goto out;
    }
    pool = true;
    if (pool_start(s, o->threads > 0 ? (unsigned)o->threads : WORKERS_DEFAULT) != 0) {
        rc = hq_fail(why, HQ_EINTERNAL, "", "cannot start the worker threads");
        goto out;
    }
    /* The daemons have no listening socket: the door accepts, checks the first head and hands
     * each connection over (door.c) to the main daemon or, for an event stream, to the streams'
     * daemon with its small memory pool (accept_route.c). */
    unsigned limit = connection_limit();
    unsigned threads = event_threads(o->event_threads);
    d = start_daemon(s, threads, limit, MAIN_POOL, on_uri);
    s->ds = d ? start_daemon(s, threads, limit, HQ_STREAM_POOL, on_uri_stream) : NULL;
    if (!d || !s->ds) {
        rc = hq_fail(why, HQ_EINTERNAL, "", "cannot start the HTTP server on %s:%d", host, port);
        goto out;
    }
    s->d = d;
    s->door = hq__door_start(
        lfd, d, s->ds,
        o->max_conns_per_ip > 0 ? (unsigned)o->max_conns_per_ip : MAX_CONNS_PER_IP_DEFAULT, limit);
    if (!s->door) {
        rc = hq_fail(why, HQ_EINTERNAL, "", "cannot start the HTTP server on %s:%d", host, port);
        goto out;
    }
    printf("hallq: serving http://%s:%d\n", host, port);
    fflush(stdout);

    while (!*stop) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    /* Stop: no new connections, then end the streams and the handed-off requests (none may stay
     * suspended), then stop the daemon. */
    hq__door_stop(s->door);
    close(lfd);
    lfd = -1;
    drain(s);
    MHD_stop_daemon(s->ds);
    s->ds = NULL;
    MHD_stop_daemon(d);
    d = NULL;
    rc = 0;
out:
    hq__door_stop(s->door);
    if (s->ds) MHD_stop_daemon(s->ds);
    if (d) MHD_stop_daemon(d);
    hq__door_free(s->door);
    if (pool) pool_stop(s);
    if (lfd >= 0) close(lfd);
    hq__sse_free(s->hub);
    hq__metrics_release(&s->m);
    free(s);
    return rc;
}
