/* SPDX-License-Identifier: MIT */
/*
 * estimate.c — a waiting ticket's position, the number of tickets ahead of it and its estimated
 * wait, and the service-time statistics behind the estimate. Pure; the method and its limits are
 * written up in docs/ESTIMATE.md.
 */
#include <stdlib.h>
#include <string.h>

#include "hq_core.h"
#include "policy_inline.h"

#define MIN_SAMPLES 5   /* fewer recent service times: use the configured average */
#define MAX_SERVERS 256 /* windows considered for one service */

int32_t hq_service_time_estimate(const struct hq_service *s)
{
    int n = s->n_recent;
    if (n > (int)(sizeof s->recent / sizeof s->recent[0]))
        n = sizeof s->recent / sizeof s->recent[0];
    if (n >= MIN_SAMPLES) {
        int64_t sum = 0;
        for (int i = 0; i < n; i++)
            sum += s->recent[i];
        int64_t mean = (sum + n / 2) / n;
        return mean >= 1 ? (int32_t)mean : 1;
    }
    return s->avg_service_s > 0 ? s->avg_service_s : 1;
}

void hq_service_record_time(struct hq_service *s, int32_t seconds)
{
    const int cap = (int)(sizeof s->recent / sizeof s->recent[0]);
    if (seconds < 0) return;
    if (s->n_recent < 0) s->n_recent = 0;
    if (s->n_recent >= cap) {
        memmove(&s->recent[0], &s->recent[1], (size_t)(cap - 1) * sizeof s->recent[0]);
        s->n_recent = cap - 1;
    }
    s->recent[s->n_recent++] = seconds;
}

int32_t hq__count_waiting_scan(const struct hq_hall *h, const char *service)
{
    int32_t n = 0;
    for (size_t i = 0; i < h->n_tickets; i++)
        if (h->tickets[i].status == HQ_WAITING && hq__same_code(h->tickets[i].service, service))
            n++;
    return n;
}

int32_t hq_count_waiting(const struct hq_hall *h, const char *service)
{
    /* the index is built on demand: the hall is not const to its owner, only to this reader */
    int32_t n = hq__order_count((struct hq_hall *)h, service);
    return n >= 0 ? n : hq__count_waiting_scan(h, service);
}

int32_t hq__ahead_scan(const struct hq_hall *h, const struct hq_ticket *t, int64_t now)
{
    const struct hq_policy *p = &h->conf.policy;
    int64_t mine = hq__base_score(p, t, now);
    int64_t ahead = 0;
    for (size_t i = 0; i < h->n_tickets; i++) {
        const struct hq_ticket *u = &h->tickets[i];
        if (u->status != HQ_WAITING || u == t) continue;
        if (!hq__same_code(u->service, t->service)) continue;
        if (hq__order(hq__base_score(p, u, now), u, mine, t) < 0) ahead++;
    }
    return ahead > INT32_MAX ? INT32_MAX : (int32_t)ahead;
}

static bool serves(const struct hq_window *w, const char *service)
{
    for (int i = 0; i < w->n_active && i < HQ_WIN_SVC_MAX; i++)
        if (hq__same_code(w->active[i], service)) return true;
    return false;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Seconds until window w can call another ticket, assuming service time T for what it holds. */
static int64_t free_in(struct hq_hall *h, const struct hq_window *w, int64_t now, int64_t T)
{
    if (w->state == HQ_WIN_PAUSED) {
        if (w->back_in_s <= 0) return T; /* away for an unknown time: one service time */
        int64_t left = w->paused_at + w->back_in_s - now;
        return left > 0 ? left : 0;
    }
    if (!w->current[0]) return 0;
    const struct hq_ticket *c = hq_ticket_find(h, w->current);
    if (!c || (c->status != HQ_CALLED && c->status != HQ_SERVING)) return 0;
    const struct hq_service *cs = hq_service_find(h, c->service);
    int64_t Tc = cs ? hq_service_time_estimate(cs) : T;
    if (c->status == HQ_CALLED) return Tc;
    int64_t left = Tc - (now - c->started_at);
    return left > 0 ? left : 0;
}

/* The time the k-th (0-based) ticket is called when N servers become free at free[] (sorted)
 * and each call takes T. Exact for the greedy "next free window takes the next ticket" rule. */
static int64_t kth_slot(int64_t *free, int n, int64_t k, int64_t T)
{
    while (k > 0 && free[n - 1] - free[0] >= T) {
        int64_t v = free[0] + T;
        int i = 0;
        while (i + 1 < n && free[i + 1] < v) {
            free[i] = free[i + 1];
            i++;
        }
        free[i] = v;
        k--;
    }
    return free[k % n] + (k / n) * T;
}

int hq_ticket_estimate(struct hq_hall *h, const struct hq_now *now, const struct hq_ticket *t,
                       struct hq_estimate *out)
{
    if (t->status != HQ_WAITING) return HQ_ECONFLICT;
    /* From the order index (order.c), O(log n) plus the appointments waiting for the service;
     * the pass over every ticket only when the index cannot answer (a ticket without iseq). */
    int64_t ahead = hq__order_ahead(h, t, now->t);
    if (ahead < 0) ahead = hq__ahead_scan(h, t, now->t);
    const struct hq_service *s = hq_service_find(h, t->service);
    int64_t T = s ? hq_service_time_estimate(s) : 300;

    int64_t free[MAX_SERVERS];
    int n = 0;
    for (size_t i = 0; i < h->n_windows && n < MAX_SERVERS; i++) {
        const struct hq_window *w = &h->windows[i];
        if (w->state == HQ_WIN_CLOSED || !serves(w, t->service)) continue;
        free[n++] = free_in(h, w, now->t, T);
    }
    if (n == 0) free[n++] = 0; /* no window serves it now: estimate as if one were open */
    qsort(free, (size_t)n, sizeof free[0], cmp_i64);
    int64_t wait = kth_slot(free, n, ahead, T);
    if (wait < 0) wait = 0;
    if (wait > INT32_MAX) wait = INT32_MAX;
    out->position = (int32_t)(ahead + 1);
    out->ahead = (int32_t)ahead;
    out->wait_s = (int32_t)wait;
    out->serving = hq_service_serving_windows(h, t->service);
    return 0;
}

int32_t hq_service_serving_windows(const struct hq_hall *h, const char *service)
{
    int32_t n = 0;
    for (size_t i = 0; i < h->n_windows; i++)
        if (h->windows[i].state == HQ_WIN_OPEN && serves(&h->windows[i], service)) n++;
    return n;
}

int32_t hq_service_wait_next(struct hq_hall *h, const struct hq_now *now, const char *service,
                             int32_t *windows)
{
    const struct hq_service *s = hq_service_find(h, service);
    int64_t T = s ? hq_service_time_estimate(s) : 300;
    int64_t free[MAX_SERVERS];
    int n = 0;
    for (size_t i = 0; i < h->n_windows && n < MAX_SERVERS; i++) {
        const struct hq_window *w = &h->windows[i];
        if (w->state == HQ_WIN_CLOSED || !serves(w, service)) continue;
        free[n++] = free_in(h, w, now->t, T);
    }
    if (windows) *windows = n;
    if (n == 0) free[n++] = 0;
    qsort(free, (size_t)n, sizeof free[0], cmp_i64);
    int64_t wait = kth_slot(free, n, hq_count_waiting(h, service), T);
    if (wait < 0) wait = 0;
    if (wait > INT32_MAX) wait = INT32_MAX;
    return (int32_t)wait;
}
