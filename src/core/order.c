/* SPDX-License-Identifier: MIT */
/*
 * order.c — the order index: the waiting tickets of each service kept in the call policy's order,
 * so a ticket's position (how many tickets of its service a window would call before it) and a
 * service's waiting count come in O(log n) instead of a pass over every ticket in memory.
 *
 * Why a static key works. For two waiting tickets the policy (policy_inline.h, hq__order) compares
 * scores now - queued_at + boost, then queued_at, then the issue sequence iseq, then (day, seq),
 * then the id. For a normal or priority ticket the boost does not depend on now, so "higher score"
 * is "lower queued_at - boost" at every instant: the order of such tickets never changes while
 * they wait, and a tree sorted once by (queued_at - boost, queued_at, iseq, day, seq, id) answers
 * "how many come before this one" by counting down one path. The index keeps one such tree (a
 * treap with subtree sizes) per service code, over the tickets' positions in h->tickets.
 *
 * What stays a scan. Two kinds of waiting tickets are kept aside, in a short list scanned on every
 * query, compared with hq__order itself:
 *   - appointments: their boost starts when their slot begins, so their place among the others
 *     depends on now (they are few: a service's booked slots of the day);
 *   - tickets without an issue sequence (iseq 0, hand-made in tests) or with a service code that
 *     is not one or two capital letters: with iseq 0 the policy falls back to (day, seq) for that
 *     pair only, which is not a consistent sort key, so a ticket without iseq asking for its own
 *     position gets the full scan of estimate.c.
 * The trees are built with the priority boost of the policy they saw; a changed boost rebuilds
 * them at the next query, as does a ticket array of another length than the index knows (tickets
 * appended or dropped behind the core's back). Each tree node keeps the key it was inserted with,
 * so a ticket changed by hand never corrupts a tree; its figures are stale until
 * hq_hall_reindex. The core's own transitions keep the index in step (hq__order_leave before a
 * waiting ticket changes, hq__order_enter after a ticket starts or goes back to waiting).
 *
 * Call-next's pick (hq__order_pick): the window's score adds a constant per service (the
 * first-service boost), so the best ticket of a service is its tree's first node, and the pick is
 * the best of those first nodes and of the served tickets aside, compared with hq__order: one
 * walk down each served service's tree, O(services × log n). A served ticket aside without iseq,
 * or a first node whose ticket no longer matches its key (changed by hand), leaves the pick to
 * the scan.
 *
 * Out of memory: the index marks itself unusable and every query falls back to the scan.
 */
#include <stdlib.h>
#include <string.h>

#include "hq_core.h"
#include "policy_inline.h"

#define NIL UINT32_MAX
#define SLOTS (27 * 27) /* service codes: one or two capital letters */
#define S_NONE (-1)     /* not in the index */
#define S_ASIDE SLOTS   /* in the aside list */

struct hq_order {
    bool stale;  /* rebuild before the next query */
    bool broken; /* out of memory: scans only */
    bool off;    /* hq__order_use(h, false): scans only (benchmarks, the reference) */
    size_t n;    /* tickets the index knows (h->n_tickets when fresh) */
    size_t cap;  /* capacity of the node arrays */
    int32_t boost_priority_s;
    uint32_t root[SLOTS];
    uint32_t count[SLOTS]; /* tree sizes, for the waiting count */
    /* per ticket position */
    uint32_t *lc, *rc, *sz;
    int16_t *slot;            /* S_NONE, a tree, or S_ASIDE */
    int64_t *k1, *kq, *kiseq; /* the key the node was inserted with */
    /* the aside list: positions */
    uint32_t *aside;
    size_t n_aside, cap_aside;
};

static int code_slot(const char *c)
{
    if (c[0] < 'A' || c[0] > 'Z') return -1;
    if (!c[1]) return (c[0] - 'A' + 1) * 27;
    if (c[1] < 'A' || c[1] > 'Z' || c[2]) return -1;
    return (c[0] - 'A' + 1) * 27 + (c[1] - 'A' + 1);
}

static uint32_t prio(uint32_t i)
{
    uint32_t x = i * 2654435761u + 0x9e3779b9u;
    x ^= x >> 15;
    x *= 0x2c1b3c6du;
    x ^= x >> 12;
    return x;
}

/* The tree key of a ticket under policy p. */
struct key {
    int64_t k1, q, iseq;
    const struct hq_ticket *t;
};

static struct key key_of(const struct hq_policy *p, const struct hq_ticket *t)
{
    int64_t b = t->category == HQ_PRIORITY ? p->boost_priority_s : 0;
    return (struct key){t->queued_at - b, t->queued_at, t->iseq, t};
}

/* Node i before key k? (the policy's order; both have an iseq) */
static bool node_before(const struct hq_hall *h, const struct hq_order *o, uint32_t i,
                        const struct key *k)
{
    if (o->k1[i] != k->k1) return o->k1[i] < k->k1;
    if (o->kq[i] != k->q) return o->kq[i] < k->q;
    if (o->kiseq[i] != k->iseq) return o->kiseq[i] < k->iseq;
    const struct hq_ticket *a = &h->tickets[i], *b = k->t;
    if (a->day != b->day) return a->day < b->day;
    if (a->seq != b->seq) return a->seq < b->seq;
    return strcmp(a->id, b->id) < 0;
}

static uint32_t size_of(const struct hq_order *o, uint32_t n)
{
    return n == NIL ? 0 : o->sz[n];
}

static void pull(struct hq_order *o, uint32_t n)
{
    o->sz[n] = 1 + size_of(o, o->lc[n]) + size_of(o, o->rc[n]);
}

/* Split tree n into the nodes before k (*l) and the rest (*r). */
static void split(const struct hq_hall *h, struct hq_order *o, uint32_t n, const struct key *k,
                  uint32_t *l, uint32_t *r)
{
    if (n == NIL) {
        *l = *r = NIL;
        return;
    }
    if (node_before(h, o, n, k)) {
        split(h, o, o->rc[n], k, &o->rc[n], r);
        *l = n;
    } else {
        split(h, o, o->lc[n], k, l, &o->lc[n]);
        *r = n;
    }
    pull(o, n);
}

static uint32_t merge(struct hq_order *o, uint32_t a, uint32_t b)
{
    if (a == NIL) return b;
    if (b == NIL) return a;
    if (prio(a) > prio(b)) {
        o->rc[a] = merge(o, o->rc[a], b);
        pull(o, a);
        return a;
    }
    o->lc[b] = merge(o, a, o->lc[b]);
    pull(o, b);
    return b;
}

static struct key node_key(const struct hq_hall *h, const struct hq_order *o, uint32_t i)
{
    return (struct key){o->k1[i], o->kq[i], o->kiseq[i], &h->tickets[i]};
}

/* Remove node i from tree n (found by its stored key); *found set when it was there. */
static uint32_t erase(const struct hq_hall *h, struct hq_order *o, uint32_t n, uint32_t i,
                      const struct key *k, bool *found)
{
    if (n == NIL) return NIL;
    if (n == i) {
        *found = true;
        return merge(o, o->lc[n], o->rc[n]);
    }
    if (node_before(h, o, n, k))
        o->rc[n] = erase(h, o, o->rc[n], i, k, found);
    else
        o->lc[n] = erase(h, o, o->lc[n], i, k, found);
    pull(o, n);
    return n;
}

static bool grow_nodes(struct hq_order *o, size_t need)
{
    if (need <= o->cap) return true;
    size_t cap = o->cap ? o->cap : 256;
    while (cap < need)
        cap *= 2;
#define GROW(f)                                                                                    \
    do {                                                                                           \
        void *p = realloc(o->f, cap * sizeof *o->f);                                               \
        if (!p) return false;                                                                      \
        o->f = p;                                                                                  \
    } while (0)
    GROW(lc);
    GROW(rc);
    GROW(sz);
    GROW(slot);
    GROW(k1);
    GROW(kq);
    GROW(kiseq);
#undef GROW
    for (size_t i = o->cap; i < cap; i++)
        o->slot[i] = S_NONE;
    o->cap = cap;
    return true;
}

static void remove_pos(struct hq_hall *h, struct hq_order *o, uint32_t i)
{
    int s = o->slot[i];
    if (s == S_NONE) return;
    if (s == S_ASIDE) {
        for (size_t k = 0; k < o->n_aside; k++)
            if (o->aside[k] == i) {
                o->aside[k] = o->aside[--o->n_aside];
                break;
            }
    } else {
        struct key k = node_key(h, o, i);
        bool found = false;
        o->root[s] = erase(h, o, o->root[s], i, &k, &found);
        if (found)
            o->count[s]--;
        else
            o->stale = true; /* cannot happen: the stored key finds the node */
    }
    o->slot[i] = S_NONE;
}

static void insert_pos(struct hq_hall *h, struct hq_order *o, uint32_t i)
{
    const struct hq_ticket *t = &h->tickets[i];
    if (t->status != HQ_WAITING) return;
    int s = code_slot(t->service);
    if (s < 0 || t->category == HQ_APPOINTMENT || t->iseq <= 0) {
        if (o->n_aside == o->cap_aside) {
            size_t cap = o->cap_aside ? o->cap_aside * 2 : 16;
            void *p = realloc(o->aside, cap * sizeof *o->aside);
            if (!p) {
                o->broken = true;
                return;
            }
            o->aside = p;
            o->cap_aside = cap;
        }
        o->aside[o->n_aside++] = i;
        o->slot[i] = S_ASIDE;
        return;
    }
    struct key k = key_of(&h->conf.policy, t);
    o->k1[i] = k.k1;
    o->kq[i] = k.q;
    o->kiseq[i] = k.iseq;
    o->lc[i] = o->rc[i] = NIL;
    o->sz[i] = 1;
    uint32_t l, r;
    split(h, o, o->root[s], &k, &l, &r);
    o->root[s] = merge(o, merge(o, l, i), r);
    o->count[s]++;
    o->slot[i] = (int16_t)s;
}

static void rebuild(struct hq_hall *h, struct hq_order *o)
{
    o->stale = o->broken = false;
    o->n = 0;
    o->n_aside = 0;
    o->boost_priority_s = h->conf.policy.boost_priority_s;
    for (int s = 0; s < SLOTS; s++) {
        o->root[s] = NIL;
        o->count[s] = 0;
    }
    if (h->n_tickets >= NIL || !grow_nodes(o, h->n_tickets)) {
        o->broken = true;
        return;
    }
    for (size_t i = 0; i < o->cap; i++)
        o->slot[i] = S_NONE;
    for (size_t i = 0; i < h->n_tickets && !o->broken; i++)
        insert_pos(h, o, (uint32_t)i);
    o->n = h->n_tickets;
}

/* The index, fresh, or NULL when only a scan can answer. */
static struct hq_order *fresh(struct hq_hall *h)
{
    struct hq_order *o = h->order;
    if (!o) {
        o = calloc(1, sizeof *o);
        if (!o) return NULL;
        h->order = o;
        o->stale = true;
    }
    if (o->off) return NULL;
    if (o->stale || o->n != h->n_tickets || o->boost_priority_s != h->conf.policy.boost_priority_s)
        rebuild(h, o);
    return o->broken ? NULL : o;
}

/* The index when it is being kept (built and in step), else NULL: then nothing to keep. */
static struct hq_order *kept(struct hq_hall *h)
{
    struct hq_order *o = h->order;
    if (!o || o->stale || o->broken) return NULL;
    if (o->boost_priority_s != h->conf.policy.boost_priority_s) {
        o->stale = true; /* keys of another policy: rebuild at the next query */
        return NULL;
    }
    return o;
}

void hq__order_leave(struct hq_hall *h, struct hq_ticket *t)
{
    struct hq_order *o = kept(h);
    size_t i = (size_t)(t - h->tickets);
    if (!o || t < h->tickets || i >= o->n || i >= h->n_tickets) return;
    remove_pos(h, o, (uint32_t)i);
}

void hq__order_enter(struct hq_hall *h, struct hq_ticket *t)
{
    struct hq_order *o = kept(h);
    size_t i = (size_t)(t - h->tickets);
    if (!o || t < h->tickets || i >= h->n_tickets) return;
    if (i == o->n && o->n + 1 == h->n_tickets) { /* just appended */
        if (!grow_nodes(o, o->n + 1)) {
            o->broken = true;
            return;
        }
        o->slot[i] = S_NONE;
        o->n++;
    }
    if (i >= o->n) {
        o->stale = true;
        return;
    }
    remove_pos(h, o, (uint32_t)i); /* a ticket entered twice is kept once */
    insert_pos(h, o, (uint32_t)i);
}

void hq_hall_reindex(struct hq_hall *h)
{
    if (h->order) h->order->stale = true;
}

void hq__order_use(struct hq_hall *h, bool on)
{
    if (!h->order) h->order = calloc(1, sizeof *h->order);
    if (!h->order) return;
    h->order->off = !on;
    h->order->stale = true;
}

void hq__order_free(struct hq_hall *h)
{
    struct hq_order *o = h->order;
    if (!o) return;
    free(o->lc);
    free(o->rc);
    free(o->sz);
    free(o->slot);
    free(o->k1);
    free(o->kq);
    free(o->kiseq);
    free(o->aside);
    free(o);
    h->order = NULL;
}

int32_t hq__order_ahead(struct hq_hall *h, const struct hq_ticket *t, int64_t now)
{
    struct hq_order *o = t->iseq > 0 ? fresh(h) : NULL;
    int s = code_slot(t->service);
    if (!o || s < 0) return -1;
    const struct hq_policy *p = &h->conf.policy;
    int64_t mine = hq__base_score(p, t, now);
    /* t's key at now: the appointment boost, if begun, taken as a head start like priority's */
    struct key k = {now - mine, t->queued_at, t->iseq, t};
    int64_t ahead = 0;
    for (uint32_t n = o->root[s]; n != NIL;) {
        if (node_before(h, o, n, &k)) {
            ahead += size_of(o, o->lc[n]) + 1;
            n = o->rc[n];
        } else {
            n = o->lc[n];
        }
    }
    for (size_t j = 0; j < o->n_aside; j++) {
        const struct hq_ticket *u = &h->tickets[o->aside[j]];
        if (u == t || u->status != HQ_WAITING || !hq__same_code(u->service, t->service)) continue;
        if (hq__order(hq__base_score(p, u, now), u, mine, t) < 0) ahead++;
    }
    return ahead > INT32_MAX ? INT32_MAX : (int32_t)ahead;
}

int32_t hq__order_count(struct hq_hall *h, const char *service)
{
    struct hq_order *o = fresh(h);
    if (!o) return -1;
    int s = code_slot(service);
    int64_t n = s >= 0 ? o->count[s] : 0;
    for (size_t j = 0; j < o->n_aside; j++) {
        const struct hq_ticket *u = &h->tickets[o->aside[j]];
        if (u->status == HQ_WAITING && hq__same_code(u->service, service)) n++;
    }
    return n > INT32_MAX ? INT32_MAX : (int32_t)n;
}

/* Is ticket u a better pick than best (score bs) at score us? (the scan's own comparison) */
static bool better(int64_t us, const struct hq_ticket *u, int64_t bs, const struct hq_ticket *best)
{
    return !best || hq__order(us, u, bs, best) < 0;
}

bool hq__order_pick(struct hq_hall *h, const struct hq_window *w, int64_t now,
                    struct hq_ticket **out)
{
    struct hq_order *o = fresh(h);
    if (!o) return false;
    const struct hq_policy *p = &h->conf.policy;
    const int n = w->n_active < HQ_WIN_SVC_MAX ? w->n_active : HQ_WIN_SVC_MAX;
    struct hq_ticket *best = NULL;
    int64_t best_score = INT64_MIN;
    /* Every candidate below has an iseq, so hq__order is one lexicographic order over them and
     * the best is the same whatever order they are looked at in (the scan's answer). */
    for (int k = 0; k < n; k++) {
        int s = code_slot(w->active[k]);
        if (s < 0 || o->root[s] == NIL) continue; /* a bad code's tickets are all aside */
        bool dup = false;                         /* a code listed twice: its first place counts */
        for (int j = 0; j < k && !dup; j++)
            dup = hq__same_code(w->active[j], w->active[k]);
        if (dup) continue;
        uint32_t m = o->root[s];
        while (o->lc[m] != NIL)
            m = o->lc[m];
        struct hq_ticket *t = &h->tickets[m];
        if (t->status != HQ_WAITING || t->iseq != o->kiseq[m] ||
            !hq__same_code(t->service, w->active[k]))
            return false; /* changed by hand behind the index: the scan answers */
        int64_t sc = hq__base_score(p, t, now) + (k == 0 ? p->boost_first_service_s : 0);
        if (better(sc, t, best_score, best)) {
            best = t;
            best_score = sc;
        }
    }
    for (size_t j = 0; j < o->n_aside; j++) {
        struct hq_ticket *u = &h->tickets[o->aside[j]];
        if (u->status != HQ_WAITING) continue;
        int k = 0;
        while (k < n && !hq__same_code(w->active[k], u->service))
            k++;
        if (k == n) continue;
        if (u->iseq <= 0) return false; /* (day, seq) for this pair only: the scan's own order */
        int64_t sc = hq__base_score(p, u, now) + (k == 0 ? p->boost_first_service_s : 0);
        if (better(sc, u, best_score, best)) {
            best = u;
            best_score = sc;
        }
    }
    *out = best;
    return true;
}
