/* SPDX-License-Identifier: MIT */
/*
 * policy_inline.h — private to src/core (policy.c, estimate.c): the call policy's per-ticket
 * arithmetic as static inline functions, so the scans over every ticket in memory (call-next's
 * pick, a ticket's position, the waiting count) run without a function call per ticket. The
 * public hq_policy_base_score and hq_policy_order in policy.c are these functions; the design and
 * the rules are written up at the top of policy.c. Nothing here may differ from what hq_core.h
 * documents for them.
 */
#ifndef HQ_POLICY_INLINE_H
#define HQ_POLICY_INLINE_H

#include <string.h>

#include "hq_core.h"

/* strcmp(a, b) == 0 for service codes, without the call: codes are at most two letters, so the
 * answer is known within three bytes. Reads no byte past the first NUL of either string (as
 * strcmp), so a longer string on either side simply differs. */
static inline bool hq__same_code(const char *a, const char *b)
{
    if (a[0] != b[0]) return false;
    if (!a[0]) return true;
    if (a[1] != b[1]) return false;
    if (!a[1]) return true;
    if (a[2] != b[2]) return false;
    return !a[2] || strcmp(a + 3, b + 3) == 0;
}

static inline int64_t hq__base_score(const struct hq_policy *p, const struct hq_ticket *t,
                                     int64_t now)
{
    int64_t s = now - t->queued_at;
    if (t->category == HQ_PRIORITY)
        s += p->boost_priority_s;
    else if (t->category == HQ_APPOINTMENT && t->appointment_at > 0 && now >= t->appointment_at)
        s += p->boost_appointment_s;
    return s;
}

static inline int hq__order(int64_t score_a, const struct hq_ticket *a, int64_t score_b,
                            const struct hq_ticket *b)
{
    if (score_a != score_b) return score_a > score_b ? -1 : 1;
    if (a->queued_at != b->queued_at) return a->queued_at < b->queued_at ? -1 : 1;
    /* issue order across services: the hall-wide sequence (a second holds many tickets) */
    if (a->iseq > 0 && b->iseq > 0 && a->iseq != b->iseq) return a->iseq < b->iseq ? -1 : 1;
    if (a->day != b->day) return a->day < b->day ? -1 : 1;
    if (a->seq != b->seq) return a->seq < b->seq ? -1 : 1;
    /* same number on the same day cannot happen; keep the order total anyway */
    int c = strcmp(a->id, b->id);
    return c < 0 ? -1 : c > 0;
}

#endif
