/* SPDX-License-Identifier: MIT */
/*
 * policy.c — the call policy: which waiting ticket a window calls next. Pure functions of the
 * hall, the window and the time; used by call-next, by position/estimate and by the simulation.
 *
 * Design. A hall has to reconcile three wishes that pull apart:
 *
 *   1. fairness in time — first come, first served, within what a window can do;
 *   2. precedence — the green channel (elderly, disabled, pregnant …) and customers who booked a
 *      slot should not wait like everyone else;
 *   3. specialisation — a window is set up for some services first and helps with others.
 *
 * Strict priority classes satisfy (2) but break (1): under load a normal ticket may never be
 * called. Separate queues per class with weights are hard to explain on a display. We use one
 * number per (window, ticket), a score measured in seconds:
 *
 *     score = (now - queued_at)                     seconds waited
 *           + boost(category)                       priority 1800, appointment 3600 once
 *                                                   now >= appointment_at (0 before), normal 0
 *           + (service == window's first active service ? 60 : 0)
 *
 * and the window calls the waiting ticket with the highest score among the services it serves
 * (its active list: its services the clerk is certified for). A boost is a head start: a
 * priority ticket behaves as if it had arrived 30 minutes earlier. Hence priority goes first, yet
 * a normal ticket that has waited more than 30 minutes longer than a fresh priority ticket goes
 * before it: nobody waits forever, and the bound is readable (a normal customer is passed by a
 * later priority customer only while the priority customer's head start lasts). An appointment
 * earns its boost only once its slot has begun, so booking early does not jump the queue before
 * the slot. The first-service boost is small on purpose: it prefers the window's own service
 * among tickets that waited about as long, but a minute of waiting outweighs it, so a helping
 * window does not starve the other services.
 *
 * queued_at, not issued_at: a transferred ticket and the next service of a multi-service ticket
 * keep their original place in time; a requeued no-show starts again at the requeue (unless the
 * guide keeps its place).
 *
 * Ties (equal scores) go to the earlier queued_at, then to issue order: the hall-wide issue
 * sequence iseq, given by hq_ticket_issue and persisted, so A002 issued before B001 in the same
 * second goes first at a window serving both, and a ticket transferred to B keeps its place among
 * B's tickets of the same second (per-service numbers cannot say which came first). Tickets
 * without an iseq (hand-made in tests) fall back to (day, seq). The order is total over distinct
 * tickets, so the choice is deterministic — which the simulation and the tests rely on.
 *
 * Two windows calling at the same instant: the caller serialises calls (one hall lock), and a
 * pick only ever looks at tickets whose status is waiting; a called ticket is no longer waiting,
 * so the second window gets the next one.
 *
 * Cost: order.c keeps each service's waiting tickets in this order (docs/ESTIMATE.md, "Cost"),
 * so a pick takes the first ticket of each service the window serves and the few appointments
 * kept aside, O(services × log n) (hq__order_pick). The linear scan below (hq__policy_pick_scan,
 * about 4 ns per ticket in memory, bench/bench_core.c) is the reference and the fallback when
 * the index cannot answer; its per-ticket arithmetic is inline (policy_inline.h) and service
 * codes are compared without strcmp.
 */
#include <string.h>

#include "hq_core.h"
#include "policy_inline.h"

int64_t hq_policy_base_score(const struct hq_policy *p, const struct hq_ticket *t, int64_t now)
{
    return hq__base_score(p, t, now);
}

int64_t hq_policy_score(const struct hq_policy *p, const struct hq_window *w,
                        const struct hq_ticket *t, int64_t now)
{
    int n = w->n_active < HQ_WIN_SVC_MAX ? w->n_active : HQ_WIN_SVC_MAX;
    for (int i = 0; i < n; i++) {
        if (!hq__same_code(w->active[i], t->service)) continue;
        return hq__base_score(p, t, now) + (i == 0 ? p->boost_first_service_s : 0);
    }
    return INT64_MIN;
}

int hq_policy_order(int64_t score_a, const struct hq_ticket *a, int64_t score_b,
                    const struct hq_ticket *b)
{
    return hq__order(score_a, a, score_b, b);
}

struct hq_ticket *hq__policy_pick_scan(struct hq_hall *h, const struct hq_window *w, int64_t now,
                                       int32_t min_day)
{
    const struct hq_policy *p = &h->conf.policy;
    const int n = w->n_active < HQ_WIN_SVC_MAX ? w->n_active : HQ_WIN_SVC_MAX;
    struct hq_ticket *best = NULL;
    int64_t best_score = INT64_MIN;
    for (size_t i = 0; i < h->n_tickets; i++) {
        struct hq_ticket *t = &h->tickets[i];
        if (t->status != HQ_WAITING || t->day < min_day) continue;
        /* hq_policy_score, inline: the window's place for the ticket's service, if any */
        int k = 0;
        while (k < n && !hq__same_code(w->active[k], t->service))
            k++;
        if (k == n) continue;
        int64_t s = hq__base_score(p, t, now) + (k == 0 ? p->boost_first_service_s : 0);
        if (s == INT64_MIN) continue; /* as hq_policy_score's "not served" */
        if (!best || hq__order(s, t, best_score, best) < 0) {
            best = t;
            best_score = s;
        }
    }
    return best;
}

struct hq_ticket *hq__policy_pick_day(struct hq_hall *h, const struct hq_window *w, int64_t now,
                                      int32_t min_day)
{
    struct hq_ticket *t = NULL;
    if (min_day == INT32_MIN && hq__order_pick(h, w, now, &t)) return t;
    return hq__policy_pick_scan(h, w, now, min_day);
}

/* The public pick sees tickets changed by hand at once (the tests do that), so it is the scan;
 * call-next (window.c), whose hall only changes through the core, asks the index first. */
struct hq_ticket *hq_policy_pick(struct hq_hall *h, const struct hq_window *w, int64_t now)
{
    return hq__policy_pick_scan(h, w, now, INT32_MIN);
}
