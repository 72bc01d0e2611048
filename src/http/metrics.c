/* SPDX-License-Identifier: MIT */
/*
 * metrics.c — the server's own counters (requests by route pattern and status, a latency
 * histogram, SSE drops, handler bugs), updated with relaxed atomics from any worker thread, and
 * the Prometheus text exposition of /metrics, which adds the app's figures (tickets by state, the
 * event log's last sequence, commit batch sizes) and the number of SSE clients. It never takes a
 * lock of its own and never blocks a request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

static const int status_codes[HQ_MET_STATUS_N - 1] = {200, 201, 204, 206, 304, 400, 401, 403,
                                                      404, 405, 409, 413, 415, 429, 500, 503};
/* Latency bucket upper bounds in microseconds (le labels in seconds). */
static const uint64_t lat_le_us[HQ_MET_LAT_N] = {
    100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 5000000};

static const char *const special_names[HQ_MET_SPECIAL_N] = {"page", "asset", "/api/v1/events",
                                                            "/metrics", "unmatched"};

int hq__metrics_init(struct hq_metrics *m)
{
    memset(m, 0, sizeof *m);
    size_t n = 0;
    while (hq_routes[n].pattern)
        n++;
    m->n_routes = n;
    m->n_slots = n + HQ_MET_SPECIAL_N;
    m->requests = calloc(m->n_slots * HQ_MET_STATUS_N, sizeof *m->requests);
    return m->requests ? 0 : -1;
}

void hq__metrics_release(struct hq_metrics *m)
{
    free((void *)m->requests);
    m->requests = NULL;
}

static size_t status_index(int status)
{
    for (size_t i = 0; i < HQ_MET_STATUS_N - 1; i++)
        if (status_codes[i] == status) return i;
    return HQ_MET_STATUS_N - 1; /* other */
}

void hq__metrics_request(struct hq_metrics *m, size_t slot, int status, uint64_t usec)
{
    if (!m->requests) return;
    if (slot >= m->n_slots) slot = m->n_routes + HQ_MET_NOMATCH;
    atomic_fetch_add_explicit(&m->requests[slot * HQ_MET_STATUS_N + status_index(status)], 1,
                              memory_order_relaxed);
    size_t b = 0;
    while (b < HQ_MET_LAT_N && usec > lat_le_us[b])
        b++;
    atomic_fetch_add_explicit(&m->lat_bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->lat_sum_us, usec, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->lat_count, 1, memory_order_relaxed);
}

static uint64_t ld(_Atomic uint64_t *p)
{
    return atomic_load_explicit(p, memory_order_relaxed);
}

int hq__metrics_render(struct hq_metrics *m, struct hq_app *a, struct hq_sse_hub *hub,
                       struct hq_buf *out)
{
    int rc = 0;
    rc |= hq__buf_printf(out, "# HELP hallq_http_requests_total HTTP requests by route pattern "
                              "and status.\n# TYPE hallq_http_requests_total counter\n");
    for (size_t s = 0; m->requests && s < m->n_slots; s++) {
        const char *method = s < m->n_routes ? hq_routes[s].method : "";
        const char *route = s < m->n_routes ? hq_routes[s].pattern : special_names[s - m->n_routes];
        for (size_t k = 0; k < HQ_MET_STATUS_N; k++) {
            uint64_t v = ld(&m->requests[s * HQ_MET_STATUS_N + k]);
            if (!v) continue;
            char st[8];
            if (k < HQ_MET_STATUS_N - 1)
                snprintf(st, sizeof st, "%d", status_codes[k]);
            else
                snprintf(st, sizeof st, "other");
            rc |= hq__buf_printf(out,
                                 "hallq_http_requests_total{method=\"%s\",route=\"%s\","
                                 "status=\"%s\"} %llu\n",
                                 method, route, st, (unsigned long long)v);
        }
    }
    rc |= hq__buf_printf(out, "# HELP hallq_http_request_duration_seconds Time from the request's "
                              "headers to the end of its response.\n"
                              "# TYPE hallq_http_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (size_t b = 0; b < HQ_MET_LAT_N; b++) {
        cum += ld(&m->lat_bucket[b]);
        rc |= hq__buf_printf(out, "hallq_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                             (double)lat_le_us[b] / 1e6, (unsigned long long)cum);
    }
    cum += ld(&m->lat_bucket[HQ_MET_LAT_N]);
    rc |= hq__buf_printf(out,
                         "hallq_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
                         "hallq_http_request_duration_seconds_sum %.6f\n"
                         "hallq_http_request_duration_seconds_count %llu\n",
                         (unsigned long long)cum, (double)ld(&m->lat_sum_us) / 1e6,
                         (unsigned long long)ld(&m->lat_count));

    rc |= hq__buf_printf(out,
                         "# HELP hallq_sse_clients Open Server-Sent Events streams.\n"
                         "# TYPE hallq_sse_clients gauge\nhallq_sse_clients %zu\n"
                         "# HELP hallq_sse_dropped_total Streams ended because the client fell "
                         "too far behind.\n# TYPE hallq_sse_dropped_total counter\n"
                         "hallq_sse_dropped_total %llu\n"
                         "# HELP hallq_http_internal_errors_total Handler bugs (500 answers).\n"
                         "# TYPE hallq_http_internal_errors_total counter\n"
                         "hallq_http_internal_errors_total %llu\n",
                         hub ? hq__sse_clients(hub) : (size_t)0,
                         (unsigned long long)ld(&m->sse_dropped),
                         (unsigned long long)ld(&m->internal_errors));

    if (a) {
        struct hq_app_metrics am;
        hq_app_metrics(a, &am);
        rc |= hq__buf_printf(out, "# HELP hallq_tickets Tickets in the hall by status.\n"
                                  "# TYPE hallq_tickets gauge\n");
        for (int s = 0; s < HQ_STATUS_COUNT_; s++)
            rc |= hq__buf_printf(out, "hallq_tickets{status=\"%s\"} %lld\n",
                                 hq_status_name((enum hq_status)s),
                                 (long long)am.tickets_by_status[s]);
        rc |= hq__buf_printf(out,
                             "# HELP hallq_event_log_last_seq Sequence number of the last durable "
                             "event.\n# TYPE hallq_event_log_last_seq gauge\n"
                             "hallq_event_log_last_seq %lld\n"
                             "# HELP hallq_commits_total Durable transactions (group commits).\n"
                             "# TYPE hallq_commits_total counter\nhallq_commits_total %lld\n"
                             "# HELP hallq_batches_committed_total Changes committed.\n"
                             "# TYPE hallq_batches_committed_total counter\n"
                             "hallq_batches_committed_total %lld\n",
                             (long long)am.last_seq, (long long)am.commits,
                             (long long)am.batches_committed);
        static const char *const le[8] = {"1", "2", "4", "8", "16", "32", "64", "+Inf"};
        rc |= hq__buf_printf(out, "# HELP hallq_commit_batch_size Changes per durable "
                                  "transaction.\n# TYPE hallq_commit_batch_size histogram\n");
        long long c = 0;
        for (int i = 0; i < 8; i++) {
            c += am.batch_size_hist[i];
            rc |= hq__buf_printf(out, "hallq_commit_batch_size_bucket{le=\"%s\"} %lld\n", le[i], c);
        }
        rc |= hq__buf_printf(out,
                             "hallq_commit_batch_size_sum %lld\nhallq_commit_batch_size_count "
                             "%lld\n",
                             (long long)am.batches_committed, (long long)am.commits);
    }
    return rc ? -1 : 0;
}
