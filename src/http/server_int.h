/* SPDX-License-Identifier: MIT */
/*
 * server_int.h — internals shared by the HTTP server files (server.c, sse.c, metrics.c,
 * http_util.c) and their unit tests. Nothing here is part of the module's interface (hq_http.h);
 * symbols use the hq__ prefix. The server owns one struct hq_metrics and one struct hq_sse_hub for
 * the time hq_serve runs.
 */
#ifndef HQ_HTTP_SERVER_INT_H
#define HQ_HTTP_SERVER_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "hq_http.h"

/* ---- small growable byte buffer with a hard maximum (curl's dynbuf) ---- */
struct hq_buf {
    char *p;
    size_t len, cap, max; /* max 0 = no limit */
};
void hq__buf_init(struct hq_buf *b, size_t max);
void hq__buf_release(struct hq_buf *b);
/* Append n bytes; returns 0, or -1 when it would exceed max or memory is short (b unchanged). */
int hq__buf_add(struct hq_buf *b, const void *p, size_t n);
int hq__buf_printf(struct hq_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- http_util.c ---- */
/* Decode %XX in src[0..n) into out (size outsz, NUL-terminated). Returns the decoded length, or
 * -1 on a bad escape, a decoded NUL, or when it does not fit. '+' is kept as is (paths). */
int hq__url_decode(const char *src, size_t n, char *out, size_t outsz);
/* Copy path into out with secrets masked for the access log: the segment after /t/, /tickets/
 * and /track/ keeps its first 4 characters followed by "…". */
void hq__log_path(const char *path, char *out, size_t outsz);
/* Does the Content-Type value name application/json (parameters such as charset allowed)? */
bool hq__is_json_type(const char *ct);
/* The JSON error body for why as a new json_t (caller owns). */
json_t *hq__error_json(const struct hq_why *why);

/* ---- metrics.c: counters updated with relaxed atomics from any thread ---- */
enum { HQ_MET_STATUS_N = 17, HQ_MET_LAT_N = 14 };
/* Extra "routes" after the table's: */
enum hq_met_special {
    HQ_MET_PAGE,    /* pages */
    HQ_MET_ASSET,   /* static assets */
    HQ_MET_EVENTS,  /* /api/v1/events */
    HQ_MET_METRICS, /* /metrics */
    HQ_MET_NOMATCH, /* unknown paths */
    HQ_MET_SPECIAL_N
};
struct hq_metrics {
    size_t n_routes;            /* entries of hq_routes */
    size_t n_slots;             /* n_routes + HQ_MET_SPECIAL_N */
    _Atomic uint64_t *requests; /* [n_slots][HQ_MET_STATUS_N] */
    _Atomic uint64_t lat_bucket[HQ_MET_LAT_N + 1];
    _Atomic uint64_t lat_sum_us;
    _Atomic uint64_t lat_count;
    _Atomic uint64_t sse_dropped;
    _Atomic uint64_t internal_errors;
};
int hq__metrics_init(struct hq_metrics *m);
void hq__metrics_release(struct hq_metrics *m);
/* slot: a route index, or n_routes + enum hq_met_special. */
void hq__metrics_request(struct hq_metrics *m, size_t slot, int status, uint64_t usec);
struct hq_sse_hub;
/* Render the Prometheus text exposition into out. Returns 0 or -1. */
int hq__metrics_render(struct hq_metrics *m, struct hq_app *a, struct hq_sse_hub *hub,
                       struct hq_buf *out);

/* ---- sse.c: the live event hub ---- */
#define HQ_SSE_BUF_MAX (256 * 1024) /* per client: a client further behind is dropped */
#define HQ_SSE_PING_S 15
#define HQ_SSE_PAGE 500 /* replay page size */

/* Subscribe to the app's events and start the ping thread. NULL on failure. */
struct hq_sse_hub *hq__sse_start(struct hq_app *a, struct hq_metrics *m);
/* End every stream (resuming suspended connections) and wait up to timeout_ms for them to be
 * released by libmicrohttpd. New streams are refused from then on. Returns the number still open.
 */
size_t hq__sse_end_all(struct hq_sse_hub *h, int timeout_ms);
/* Unsubscribe, stop the ping thread and free. Only after the daemon is stopped. */
void hq__sse_free(struct hq_sse_hub *h);
size_t hq__sse_clients(struct hq_sse_hub *h);
/* Open a stream for conn. last_id < 0: live only; else replay everything after last_id first.
 * On success *resp is a new response the caller queues (and destroys its reference to).
 * Returns 0 or a negative hq_err (HQ_ESUSPENDED when the server is shutting down). */
int hq__sse_open(struct hq_sse_hub *h, struct MHD_Connection *conn, int64_t last_id,
                 struct MHD_Response **resp, struct hq_why *why);

/* ---- api_stats.c: bounds of the heavy statistics and report computations ---- */
#define HQ_STATS_MAX_DAYS_DEFAULT 93
/* At most heavy computations at once (others 429 with Retry-After); HTTP periods of at most days
 * days (<= 0: the defaults, 1 and HQ_STATS_MAX_DAYS_DEFAULT). Process-wide; hq_serve sets it. */
void hq__stats_limits(int heavy, int days);
/* Take a slot for a heavy computation: 0, or HQ_ERATE (why->retry_after_s set) when all are busy.
 * Every 0 is paired with one hq__heavy_leave. */
int hq__heavy_enter(struct hq_why *why);
void hq__heavy_leave(void);

/* ---- accept_route.c: which daemon takes a new connection ---- */
/* The streams' daemon: libmicrohttpd's memory pool per connection, and the first request heads
 * it is given: at most HQ_STREAM_HEAD_MAX bytes, and at most HQ_STREAM_BUDGET by
 * hq__accept_stream_cost (measured with libmicrohttpd 0.9.75 and this pool: docs/PERFORMANCE.md
 * "Display streams"). */
#define HQ_STREAM_POOL 4096
#define HQ_STREAM_HEAD_MAX 2048
#define HQ_STREAM_BUDGET 3200
#define HQ_STREAM_RECORD 64 /* pool bytes counted per header, cookie and query argument */
/* buf[0..n) is all a new connection has sent, head_len the length of its first request's head
 * (checked by the door). The pool bytes libmicrohttpd is expected to need for it as an event
 * stream: head_len + the Cookie value's length + HQ_STREAM_RECORD per header, cookie and query
 * argument; SIZE_MAX when it is not GET /api/v1/events (with or without a query), when anything
 * follows the head, or when a body is announced (Content-Length other than 0, Transfer-Encoding).
 */
size_t hq__accept_stream_cost(const char *buf, size_t n, size_t head_len);
/* True when the connection goes to the streams' daemon: the cost within the bounds above. */
bool hq__accept_is_stream(const char *buf, size_t n, size_t head_len);

/* ---- door.c: accepts, caps connections per address, checks the first request's head ---- */
struct hq_door;
/* Start the door thread on the listening socket lfd (not owned), handing connections to d, or to
 * streams (may be NULL) when hq__accept_is_stream says so. */
struct hq_door *hq__door_start(int lfd, struct MHD_Daemon *d, struct MHD_Daemon *streams,
                               unsigned per_ip, unsigned limit);
/* Stop accepting and close what waits for a head (the daemon keeps what it has). */
void hq__door_stop(struct hq_door *d);
/* After the daemon has stopped (its close notifications use the door). */
void hq__door_free(struct hq_door *d);
/* libmicrohttpd closed a connection from sa (MHD_CONNECTION_NOTIFY_CLOSED). */
void hq__door_closed(struct hq_door *d, const struct sockaddr *sa);
/* Connections held for an IPv4 address (tests). */
size_t hq__door_held(struct hq_door *d, const char *ip);
void hq__door_stats(struct hq_door *d, uint64_t *refused, uint64_t *timeouts, uint64_t *bad);
/* Check the head buf[0..n) of a request (complete: it ends with its empty line). 0 when it may go
 * on, else the HTTP status (400, 413, 414, 431, 505) with *why. */
int hq__door_check_head(const char *buf, size_t n, bool complete, struct hq_why *why);
/* Later requests of a kept-alive connection (door.c), called on the connection's event thread:
 * head_begin from the URI logger, head_end from the first call of the access handler and the
 * completion callback. hq__door_mhd_refusal is given each line libmicrohttpd logs; when it is
 * libmicrohttpd refusing a request head (or body framing), the connection at fault gets the JSON
 * error at once instead of libmicrohttpd's HTML: returns its descriptor (for a lingering close,
 * not owned), else -1. */
void hq__door_head_begin(struct MHD_Connection *c);
void hq__door_head_end(struct MHD_Connection *c);
int hq__door_mhd_refusal(struct hq_door *d, const char *msg);
/* The door's limits on a request libmicrohttpd has parsed (a later one of a connection): the
 * request line (method, URI of uri_len bytes, version), head_bytes of header lines, the version.
 * 0, or 414, 431 or 505 with *why. */
int hq__door_check_request(const char *method, size_t uri_len, const char *version,
                           size_t head_bytes, struct hq_why *why);

#endif
