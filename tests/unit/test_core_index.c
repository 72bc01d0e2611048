/* SPDX-License-Identifier: MIT */
/*
 * test_core_index.c — the order index (src/core/order.c) gives exactly what the scans gave.
 * Seeded random halls go through random transitions: issue (normal, priority, appointments whose
 * slot begins before or after now, multi-service), call-next, call by number, start, finish
 * (done or on to the next service), transfer, no-show, requeue (new place or kept), cancel, the
 * clock moving on by seconds to days (day roll, expiry at close, carry-over), forgetting old
 * tickets, loading a ticket from "the store" (new or replacing one, with another queued_at), a
 * changed priority boost, a ticket's iseq cleared by hand (then hq_hall_reindex) and a copy of
 * the hall. After every transition, for every waiting ticket, hq_ticket_estimate's ahead and
 * position equal the reference scan (hq__ahead_scan, the code the index replaced), every
 * service's hq_count_waiting equals hq__count_waiting_scan, and every window's call-next pick
 * (hq__policy_pick_day, from the index) is the ticket the scan picks (hq__policy_pick_scan). A
 * transition that is refused is fine: the check runs anyway. HQ_SEED picks another seed.
 */
#include "test_core_fixture.h"

#include <stdlib.h>

static uint64_t rng;

static uint64_t rnd(void)
{
    uint64_t x = rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng = x;
    return x * 2685821657736338717ull;
}

static int pick(int n)
{
    return (int)(rnd() % (uint64_t)n);
}

static const char *const SVC[] = {"A", "B", "C", "AB"};
#define N_SVC 4
#define N_WIN 4

static int64_t checks, picks;

static void check_all(struct hq_hall *h, const struct hq_now *now)
{
    for (size_t i = 0; i < h->n_tickets; i++) {
        const struct hq_ticket *t = &h->tickets[i];
        if (t->status != HQ_WAITING) continue;
        struct hq_estimate e;
        assert_int_equal(hq_ticket_estimate(h, now, t, &e), 0);
        int32_t ref = hq__ahead_scan(h, t, now->t);
        if (e.ahead != ref)
            fail_msg("ticket %s (%s, category %d, iseq %lld): ahead %d, scan %d", t->number,
                     t->service, (int)t->category, (long long)t->iseq, (int)e.ahead, (int)ref);
        assert_int_equal(e.position, ref + 1);
        checks++;
    }
    for (int s = 0; s < N_SVC; s++)
        assert_int_equal(hq_count_waiting(h, SVC[s]), hq__count_waiting_scan(h, SVC[s]));
    for (size_t k = 0; k < h->n_windows; k++) { /* call-next's pick, whatever the window's state */
        const struct hq_window *w = &h->windows[k];
        const struct hq_ticket *got = hq__policy_pick_day(h, w, now->t, INT32_MIN);
        const struct hq_ticket *ref = hq__policy_pick_scan(h, w, now->t, INT32_MIN);
        if (got != ref)
            fail_msg("window %d picks %s, the scan %s", (int)w->number, got ? got->number : "none",
                     ref ? ref->number : "none");
        picks += ref != NULL;
    }
}

static struct hq_window *any_window(struct hq_hall *h)
{
    return &h->windows[pick((int)h->n_windows)];
}

static struct hq_ticket *any_ticket(struct hq_hall *h, int status)
{
    if (!h->n_tickets) return NULL;
    size_t start = (size_t)pick((int)h->n_tickets);
    for (size_t k = 0; k < h->n_tickets; k++) {
        struct hq_ticket *t = &h->tickets[(start + k) % h->n_tickets];
        if (status < 0 || (int)t->status == status) return t;
    }
    return NULL;
}

static void step(struct hq_hall *h, struct hq_now *now, int *ids)
{
    struct hq_why why;
    struct hq_ticket *t = NULL;
    int op = pick(100);
    if (op < 35) { /* issue */
        char id[HQ_ID_LEN + 1];
        snprintf(id, sizeof id, "t%d", ++*ids);
        struct hq_issue in = {.service = SVC[pick(N_SVC)], .channel = HQ_KIOSK};
        int c = pick(10);
        in.category = c < 6 ? HQ_NORMAL : c < 8 ? HQ_PRIORITY : HQ_APPOINTMENT;
        if (in.category == HQ_APPOINTMENT) in.appointment_at = now->t - 3600 + pick(7200);
        if (pick(4) == 0) {
            in.next[0] = SVC[pick(N_SVC)];
            in.n_next = 1;
        }
        hq_ticket_issue(h, now, id, &in, &t, &why);
    } else if (op < 50) {
        hq_window_call_next(h, now, any_window(h), &t, &why);
    } else if (op < 53) {
        struct hq_ticket *u = any_ticket(h, HQ_WAITING);
        if (u) {
            char number[HQ_NUMBER_MAX];
            memcpy(number, u->number, sizeof number);
            hq_window_call_number(h, now, any_window(h), number, &t, &why);
        }
    } else if (op < 61) {
        hq_window_start(h, now, any_window(h), &t, &why);
    } else if (op < 69) {
        hq_window_finish(h, now, any_window(h), &t, &why);
    } else if (op < 73) {
        hq_window_transfer(h, now, any_window(h), SVC[pick(N_SVC)], &t, &why);
    } else if (op < 77) {
        hq_window_no_show(h, now, any_window(h), &t, &why);
    } else if (op < 80) {
        struct hq_ticket *u = any_ticket(h, HQ_NO_SHOW);
        if (u) hq_ticket_requeue(h, now, u, pick(2), &why);
    } else if (op < 84) {
        struct hq_ticket *u = any_ticket(h, HQ_WAITING);
        if (u) hq_ticket_cancel(h, now, u, &why);
    } else if (op < 92) { /* the clock moves on: mostly seconds, sometimes hours or days */
        int r = pick(20);
        int64_t dt = r < 16 ? pick(120) : r < 19 ? pick(5 * 3600) : 86400 + pick(3600);
        *now = fx_now_t(now->t + dt);
        if (pick(5) == 0) h->conf.carry_over = !h->conf.carry_over;
        hq_day_roll(h, now, pick(3) == 0, NULL, NULL);
    } else if (op < 93) {
        hq_hall_forget_before(h, now->day);
    } else if (op < 96) { /* from the store: a copy with another place, or a new ticket */
        struct hq_ticket *u = any_ticket(h, -1);
        if (u) {
            struct hq_ticket c = *u;
            c.queued_at -= pick(4000);
            if (pick(3) == 0) {
                snprintf(c.id, sizeof c.id, "l%d", ++*ids);
                c.iseq = pick(2) ? 0 : c.iseq; /* 0: the hall gives the next */
                c.status = HQ_WAITING;
            }
            hq_hall_load_ticket(h, &c);
        }
    } else if (op < 97) {
        h->conf.policy.boost_priority_s = pick(3) == 0 ? 1800 : 60 * pick(60);
    } else if (op < 98) { /* a hand-made ticket without issue sequence */
        struct hq_ticket *u = any_ticket(h, HQ_WAITING);
        if (u) {
            u->iseq = 0;
            hq_hall_reindex(h);
        }
    } else if (op < 99) { /* reopen a window, maybe by another clerk */
        struct hq_window *w = any_window(h);
        char user[8];
        snprintf(user, sizeof user, "c%d", 1 + pick(N_WIN));
        if (!w->current[0] && w->state != HQ_WIN_CLOSED) hq_window_close(h, now, w, &why);
        hq_window_open(h, now, w, hq_staff_find(h, user), &why);
    } else { /* a copy plays on by itself and must agree too */
        struct hq_hall c;
        assert_int_equal(hq_hall_copy(&c, h), 0);
        check_all(&c, now);
        hq_window_call_next(&c, now, &c.windows[0], &t, &why);
        check_all(&c, now);
        hq_hall_release(&c);
    }
    check_all(h, now);
}

static void run(uint64_t seed, int ops)
{
    rng = seed * 0x9e3779b97f4a7c15ull + 1;
    struct hq_hall h;
    hq_hall_init(&h);
    hq_hours_clear(&h.conf.hours,
                   true); /* 00:00-20:00 every day: waiting tickets expire at close */
    for (int d = 0; d < 7; d++)
        assert_int_equal(hq_hours_add(&h.conf.hours, d, 0, 1200), 0);
    for (int s = 0; s < N_SVC; s++)
        fx_service(&h, SVC[s], 120 + 60 * s, 0);
    fx_window(&h, 1, "A B");
    fx_window(&h, 2, "B AB");
    fx_window(&h, 3, "C A");
    fx_window(&h, 4, "AB C B A");
    for (int k = 1; k <= N_WIN; k++) {
        char user[8];
        snprintf(user, sizeof user, "c%d", k);
        fx_staff(&h, user, HQ_ROLE_CLERK, "A B C AB", 20991231);
    }
    struct hq_now now = fx_now(2026, 3, 2, 9, 0);
    struct hq_why why;
    for (int k = 1; k <= N_WIN; k++) {
        char user[8];
        snprintf(user, sizeof user, "c%d", k);
        assert_int_equal(
            hq_window_open(&h, &now, hq_window_find(&h, k), hq_staff_find(&h, user), &why), 0);
    }
    int ids = 0;
    for (int i = 0; i < ops; i++)
        step(&h, &now, &ids);
    hq_hall_release(&h);
}

static void test_index_equals_scan(void **state)
{
    (void)state;
    const char *env = getenv("HQ_SEED");
    uint64_t base = env ? strtoull(env, NULL, 10) : 12;
    checks = picks = 0;
    for (uint64_t s = 0; s < 12; s++)
        run(base + s, 1500);
    print_message("%lld positions and %lld picks compared\n", (long long)checks, (long long)picks);
    assert_true(checks > 10000); /* the halls did have queues */
    assert_true(picks > 10000);
}

/* A hall built by hand (tickets appended without the core) is indexed at the first query. */
static void test_index_rebuilds(void **state)
{
    (void)state;
    struct hq_hall h;
    hq_hall_init(&h);
    fx_service(&h, "A", 300, 0);
    struct hq_now now = fx_now(2026, 3, 2, 9, 0);
    struct hq_ticket *a = fx_issue_cat(&h, &now, "A", HQ_NORMAL);
    struct hq_estimate e;
    assert_int_equal(hq_ticket_estimate(&h, &now, a, &e), 0);
    assert_int_equal(e.position, 1);
    struct hq_ticket *b = fx_issue_cat(&h, &now, "A", HQ_PRIORITY);
    assert_int_equal(hq_ticket_estimate(&h, &now, b, &e), 0);
    assert_int_equal(e.position, 1);
    assert_int_equal(hq_ticket_estimate(&h, &now, &h.tickets[0], &e), 0);
    assert_int_equal(e.position, 2);
    /* the boost drops to 0: the earlier issue goes first again */
    h.conf.policy.boost_priority_s = 0;
    assert_int_equal(hq_ticket_estimate(&h, &now, &h.tickets[0], &e), 0);
    assert_int_equal(e.position, 1);
    assert_int_equal(hq_count_waiting(&h, "A"), 2);
    hq_hall_release(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_equals_scan),
        cmocka_unit_test(test_index_rebuilds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
