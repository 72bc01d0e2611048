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
 * Ties (equal scores) go to the earlier queued_at, then to the lower (day, seq): issue order. The
 * order is total over distinct tickets, so the choice is deterministic — which the simulation and
 * the tests rely on.
 *
 * Two windows calling at the same instant: the caller serialises calls (one hall lock), and a
 * pick only ever looks at tickets whose status is waiting; a called ticket is no longer waiting,
 * so the second window gets the next one.
 *
 * Cost: a pick is a linear scan over the tickets in memory (the day's tickets, ~10k at most),
 * a few microseconds per thousand tickets — far below the cost of the commit that follows it.
 */
#include <string.h>

#include "hq_core.h"

int64_t hq_policy_base_score(const struct hq_policy *p, const struct hq_ticket *t, int64_t now)
{
    int64_t s = now - t->queued_at;
    if (t->category == HQ_PRIORITY)
        s += p->boost_priority_s;
    else if (t->category == HQ_APPOINTMENT && t->appointment_at > 0 && now >= t->appointment_at)
        s += p->boost_appointment_s;
    return s;
}

int64_t hq_policy_score(const struct hq_policy *p, const struct hq_window *w,
                        const struct hq_ticket *t, int64_t now)
{
    int n = w->n_active < HQ_WIN_SVC_MAX ? w->n_active : HQ_WIN_SVC_MAX;
    for (int i = 0; i < n; i++) {
        if (strcmp(w->active[i], t->service) != 0) continue;
        return hq_policy_base_score(p, t, now) + (i == 0 ? p->boost_first_service_s : 0);
    }
    return INT64_MIN;
}

int hq_policy_order(int64_t score_a, const struct hq_ticket *a, int64_t score_b,
                    const struct hq_ticket *b)
{
    if (score_a != score_b) return score_a > score_b ? -1 : 1;
    if (a->queued_at != b->queued_at) return a->queued_at < b->queued_at ? -1 : 1;
    if (a->day != b->day) return a->day < b->day ? -1 : 1;
    if (a->seq != b->seq) return a->seq < b->seq ? -1 : 1;
    /* same number on the same day cannot happen; keep the order total anyway */
    int c = strcmp(a->id, b->id);
    return c < 0 ? -1 : c > 0;
}

struct hq_ticket *hq__policy_pick_day(struct hq_hall *h, const struct hq_window *w, int64_t now,
                                      int32_t min_day)
{
    struct hq_ticket *best = NULL;
    int64_t best_score = INT64_MIN;
    for (size_t i = 0; i < h->n_tickets; i++) {
        struct hq_ticket *t = &h->tickets[i];
        if (t->status != HQ_WAITING || t->day < min_day) continue;
        int64_t s = hq_policy_score(&h->conf.policy, w, t, now);
        if (s == INT64_MIN) continue;
        if (!best || hq_policy_order(s, t, best_score, best) < 0) {
            best = t;
            best_score = s;
        }
    }
    return best;
}

struct hq_ticket *hq_policy_pick(struct hq_hall *h, const struct hq_window *w, int64_t now)
{
    return hq__policy_pick_day(h, w, now, INT32_MIN);
}
