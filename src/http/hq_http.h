/* SPDX-License-Identifier: MIT */
/*
 * hq_http.h — the HTTP side: libmicrohttpd server (server.c), the declarative route table
 * (routes.c) whose handlers (api_*.c) are thin callers of src/app, the SSE hub (sse.c), metrics
 * (metrics.c) and the built-in web assets (assets, generated from web/ at build time).
 *
 * The server does, before any handler runs: method/path match (404/405), body size limit from
 * Content-Length (413, without reading), Content-Type check for bodies (415), JSON parse (400
 * bad_json, the body must be an object), authentication (401 for staff routes without a valid
 * session: Bearer token or session cookie), CSRF check for cookie-authenticated state changes
 * (403), role check against route->roles (403). Handlers fill struct hq_res; the server owns and
 * frees it after sending. Handlers run on the server's pool of worker threads, never on
 * libmicrohttpd's event threads: the connection is suspended while its handler runs, so a handler
 * may block (the group commit, a printer, espeak-ng) without holding up any other connection.
 */
#ifndef HQ_HTTP_H
#define HQ_HTTP_H

#include <jansson.h>

#include "../app/hq_app.h"

#define HQ_BODY_MAX (1024 * 1024)

/* Role bits for route tables. 0 = public. HQ_R_DEVICE (a registered device, X-Device-Key) is
 * only in hq_route.all_roles: such routes pass the server as public and a generated gate checks. */
#define HQ_R(role) (1u << (role))
#define HQ_R_DEVICE (1u << 30)
#define HQ_R_STAFF                                                                                 \
    (HQ_R(HQ_ROLE_ADMIN) | HQ_R(HQ_ROLE_MANAGER) | HQ_R(HQ_ROLE_CLERK) | HQ_R(HQ_ROLE_GUIDE))

enum hq_route_flags {
    HQ_RT_AUTH_OPTIONAL = 1 << 0, /* public route, but resolve the actor when a token is given */
    HQ_RT_RAW_BODY = 1 << 1,      /* do not parse the body as JSON */
};

struct hq_req {
    const char *method;
    const char *path;
    char params[2][128]; /* the {…} parts of the pattern, URL-decoded */
    int n_params;
    json_t *body;         /* parsed JSON object, or NULL when there was no body (borrowed) */
    const char *raw_body; /* with HQ_RT_RAW_BODY */
    size_t raw_len;
    struct hq_actor actor; /* role HQ_ROLE_NONE for the public */
    char token[128];       /* the session token used, "" if none */
    void *conn;            /* struct MHD_Connection *, for hq_req_header / hq_req_query */
    /* Set by the server (NULL elsewhere): a handler may give it to a use case that answers later
     * (struct hq_app_later) and return HQ_APP_LATER; res->status set before is kept for a
     * success, and the answer is sent when the use case calls it (issue 12). */
    const struct hq_app_later *later;
};
const char *hq_req_header(const struct hq_req *r, const char *name);
const char *hq_req_query(const struct hq_req *r, const char *name);

struct hq_res {
    int status;   /* default 200 */
    json_t *json; /* sent as application/json; charset=utf-8 (owned, decref'd) */
    char *body;   /* or raw bytes (owned, free'd) … */
    size_t body_len;
    const char *content_type;  /* … with this type (static string) */
    const char *cache_control; /* Cache-Control (static string); NULL = "no-store" */
    char set_cookie[2][512];   /* Set-Cookie headers, "" unused */
    char location[256];
    int retry_after_s; /* > 0: a Retry-After header (hq_res_error sets it for 429 and 503) */
};

struct hq_app;
typedef int (*hq_handler)(struct hq_app *a, struct hq_req *req, struct hq_res *res,
                          struct hq_why *why);

/* Rate-limit class of a route (the limits themselves are in src/app: login throttling, public
 * ticket issue, complaints and verdicts per client address). */
enum hq_rate_class { HQ_RL_NONE, HQ_RL_LOGIN, HQ_RL_ISSUE, HQ_RL_COMPLAINT, HQ_RL_VERDICT };

/* One route. The table is generated from the JSON files of api/routes (see routes.c); the fields
 * after summary are optional for hand-written tables (tests). */
struct hq_route {
    const char *method;  /* "GET", "POST", "PUT", "DELETE" */
    const char *pattern; /* "/api/v1/windows/{n}/{action}" */
    hq_handler fn;
    unsigned roles;         /* HQ_R(...) mask the server checks before the handler, 0 = public */
    unsigned flags;         /* enum hq_route_flags */
    const char *summary;    /* one line in English */
    const char *summary_zh; /* the same in Chinese */
    unsigned rate;          /* enum hq_rate_class */
    unsigned all_roles;     /* who may call it, as documented: roles, plus HQ_R_DEVICE */
};

/* The API route table (routes.c, generated from api/), terminated by a zero entry. */
extern const struct hq_route hq_routes[];

/* Match path against pattern; on success fill params and return true. */
bool hq_route_match(const char *pattern, const char *path, char params[2][128], int *n_params);

/* Built-in web assets (generated from web/). NULL when absent. */
struct hq_asset {
    const char *path; /* "/kiosk.html", "/js/api.js" */
    const unsigned char *data;
    size_t len;
    const char *content_type;
};
const struct hq_asset *hq_asset_find(const char *path);

/* Run the server until *stop becomes non-zero (SIGTERM handler sets it). Prints the URL when ready.
 * Returns 0 on a clean stop, or a negative hq_err with *why when it cannot start. */
struct hq_server_options {
    const char *listen;     /* "127.0.0.1:8080" */
    int threads;            /* worker threads that run the handlers; <= 0: 64 */
    int event_threads;      /* libmicrohttpd's epoll threads; <= 0: the number of CPUs, 2..8 */
    const char *static_dir; /* serve web/ from disk instead of the built-in copy (development) */
    int max_conns_per_ip;   /* open connections per client address; <= 0: 256 */
    int heavy_reports;      /* statistics/report computations at once; <= 0: 1 */
    int stats_max_days;     /* longest statistics/report period over HTTP; <= 0: 93 */
    /* Tests only: more routes, looked up after hq_routes (zero-terminated; NULL = none). They are
     * counted as "unmatched" in /metrics. */
    const struct hq_route *extra_routes;
};
int hq_serve(struct hq_app *a, const struct hq_server_options *o, volatile int *stop,
             struct hq_why *why);

/* Write a JSON error body {"error":{"code","message","field"?}} into res from why. */
void hq_res_error(struct hq_res *res, const struct hq_why *why);

#endif
