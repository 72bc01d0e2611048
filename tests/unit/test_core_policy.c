/* SPDX-License-Identifier: MIT */
/*
 * test_core_policy.c — the call policy on hand-built cases (priority first, aging lets an old
 * normal ticket beat a fresh priority one, the appointment boost only once the slot began, the
 * first-service boost, ties by issue order, only active services), and position / ahead /
 * estimated wait with known values.
 */
#include "test_core_fixture.h"

static struct hq_hall H;
static struct hq_now T0;

static int setup(void **state)
{
    (void)state;
    hq_hall_init(&H);
    fx_service(&H, "A", 300, 0);
    fx_service(&H, "B", 600, 0);
    fx_window(&H, 1, "A B");
    fx_window(&H, 2, "B A");
    fx_window(&H, 3, "A");
    fx_staff(&H, "li", HQ_ROLE_CLERK, "A B", 20301231);
    fx_staff(&H, "wang", HQ_ROLE_CLERK, "A B", 20301231);
    fx_staff(&H, "zhou", HQ_ROLE_CLERK, "A", 20301231);
    T0 = fx_now(2026, 3, 2, 9, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hq_hall_release(&H);
    return 0;
}

static struct hq_ticket *next(struct hq_window *w, const struct hq_now *now)
{
    struct hq_ticket *t = NULL;
    struct hq_why why;
    assert_int_equal(hq_window_call_next(&H, now, w, &t, &why), 0);
    assert_non_null(t);
    /* serve it at once so the window is free again */
    assert_int_equal(hq_window_start(&H, now, w, NULL, &why), 0);
    assert_int_equal(hq_window_finish(&H, now, w, NULL, &why), 0);
    return t;
}

static void test_defaults(void **state)
{
    (void)state;
    assert_int_equal(H.conf.policy.boost_priority_s, 1800);
    assert_int_equal(H.conf.policy.boost_appointment_s, 3600);
    assert_int_equal(H.conf.policy.boost_first_service_s, 60);
}

static void test_score(void **state)
{
    (void)state;
    struct hq_window *w = fx_open(&H, &T0, 1, "li");
    const struct hq_policy *p = &H.conf.policy;
    struct hq_ticket t;
    memset(&t, 0, sizeof t);
    snprintf(t.service, sizeof t.service, "A");
    t.status = HQ_WAITING;
    t.queued_at = T0.t;
    assert_int_equal(hq_policy_score(p, w, &t, T0.t + 100), 100 + 60);
    snprintf(t.service, sizeof t.service, "B");
    assert_int_equal(hq_policy_score(p, w, &t, T0.t + 100), 100);
    t.category = HQ_PRIORITY;
    assert_int_equal(hq_policy_score(p, w, &t, T0.t + 100), 1900);
    t.category = HQ_APPOINTMENT;
    t.appointment_at = T0.t + 200;
    assert_int_equal(hq_policy_score(p, w, &t, T0.t + 199), 199);
    assert_int_equal(hq_policy_score(p, w, &t, T0.t + 200), 200 + 3600);
    snprintf(t.service, sizeof t.service, "C");
    assert_true(hq_policy_score(p, w, &t, T0.t) == INT64_MIN);
    /* a closed window serves nothing */
    assert_true(hq_policy_score(p, hq_window_find(&H, 3), &t, T0.t) == INT64_MIN);
}

static void test_priority_first(void **state)
{
    (void)state;
    struct hq_window *w = fx_open(&H, &T0, 3, "zhou");
    fx_issue(&H, &T0, "A");
    struct hq_now t1 = fx_after(&T0, 60);
    fx_issue(&H, &t1, "A");
    struct hq_now t2 = fx_after(&T0, 120);
    fx_issue_cat(&H, &t2, "A", HQ_PRIORITY); /* A003 */
    assert_string_equal(next(w, &t2)->number, "A003");
    assert_string_equal(next(w, &t2)->number, "A001");
    assert_string_equal(next(w, &t2)->number, "A002");
}

static void test_aging(void **state)
{
    (void)state;
    struct hq_window *w = fx_open(&H, &T0, 3, "zhou");
    fx_issue(&H, &T0, "A"); /* A001, normal, at T0 */
    /* a priority ticket 1799 s later: its 1800 s head start puts it 1 s ahead */
    struct hq_now t1 = fx_after(&T0, 1799);
    fx_issue_cat(&H, &t1, "A", HQ_PRIORITY); /* A002 */
    assert_string_equal(hq_policy_pick(&H, w, t1.t)->number, "A002");
    /* issued 1801 s later, the old normal ticket has waited long enough to go first */
    struct hq_hall *h = &H;
    h->tickets[1].queued_at = T0.t + 1801;
    h->tickets[1].issued_at = T0.t + 1801;
    struct hq_now t2 = fx_after(&T0, 1900);
    assert_string_equal(hq_policy_pick(&H, w, t2.t)->number, "A001");
    /* exactly 1800 s: equal scores, the earlier queued_at wins */
    h->tickets[1].queued_at = T0.t + 1800;
    assert_string_equal(hq_policy_pick(&H, w, t2.t)->number, "A001");
}

static void test_appointment(void **state)
{
    (void)state;
    struct hq_window *w = fx_open(&H, &T0, 3, "zhou");
    struct hq_issue in = {.service = "A", .category = HQ_APPOINTMENT, .channel = HQ_GUIDE};
    in.appointment_at = T0.t + 1800; /* slot begins in 30 minutes */
    struct hq_ticket *t = NULL;
    struct hq_why why;
    assert_int_equal(hq_ticket_issue(&H, &T0, "appt", &in, &t, &why), 0); /* A001 */
    struct hq_now t1 = fx_after(&T0, 60);
    fx_issue(&H, &t1, "A"); /* A002 */
    /* before its slot the appointment is an ordinary early ticket ... */
    struct hq_now t2 = fx_after(&T0, 120);
    assert_string_equal(hq_policy_pick(&H, w, t2.t)->number, "A001");
    /* ... so make it a later one: it must not jump ahead before its slot */
    H.tickets[0].queued_at = T0.t + 100;
    assert_string_equal(hq_policy_pick(&H, w, t2.t)->number, "A002");
    struct hq_now slot = fx_after(&T0, 1799);
    assert_string_equal(hq_policy_pick(&H, w, slot.t)->number, "A002");
    /* once the slot has begun it goes first, even before a priority ticket */
    fx_issue_cat(&H, &t2, "A", HQ_PRIORITY); /* A003 */
    struct hq_now begun = fx_after(&T0, 1800);
    assert_string_equal(next(w, &begun)->number, "A001");
    assert_string_equal(next(w, &begun)->number, "A003");
    assert_string_equal(next(w, &begun)->number, "A002");
}

static void test_first_service_boost(void **state)
{
    (void)state;
    struct hq_window *w1 = fx_open(&H, &T0, 1, "li");   /* A B */
    struct hq_window *w2 = fx_open(&H, &T0, 2, "wang"); /* B A */
    fx_issue(&H, &T0, "B");                             /* B001 at T0 */
    struct hq_now t1 = fx_after(&T0, 59);
    fx_issue(&H, &t1, "A"); /* A001, 59 s later */
    /* window 1 prefers A: 60 s outweighs B001's 59 s lead */
    assert_string_equal(hq_policy_pick(&H, w1, t1.t)->number, "A001");
    /* window 2 prefers B */
    assert_string_equal(hq_policy_pick(&H, w2, t1.t)->number, "B001");
    /* 61 s lead beats the boost */
    H.tickets[1].queued_at = T0.t + 61;
    assert_string_equal(hq_policy_pick(&H, w1, t1.t + 10)->number, "B001");
    /* 60 s exactly: a tie, the earlier queued_at wins */
    H.tickets[1].queued_at = T0.t + 60;
    assert_string_equal(hq_policy_pick(&H, w1, t1.t + 10)->number, "B001");
    /* the boost goes to the first ACTIVE service: wang without an A certification at window 1 */
    struct hq_why why;
    hq_window_close(&H, &T0, w1, &why);
    hq_window_close(&H, &T0, w2, &why);
    hq_staff_find(&H, "wang")->certs[0].expires_on = 20200101; /* A expired */
    w1 = fx_open(&H, &T0, 1, "wang");
    assert_int_equal(w1->n_active, 1);
    assert_string_equal(w1->active[0], "B");
    struct hq_ticket b;
    memset(&b, 0, sizeof b);
    snprintf(b.service, sizeof b.service, "B");
    b.queued_at = T0.t;
    assert_int_equal(hq_policy_score(&H.conf.policy, w1, &b, T0.t + 5), 65);
}

static void test_ties_and_order(void **state)
{
    (void)state;
    struct hq_window *w = fx_open(&H, &T0, 3, "zhou");
    for (int i = 0; i < 5; i++)
        fx_issue(&H, &T0, "A");
    for (int i = 1; i <= 5; i++) {
        char want[8];
        snprintf(want, sizeof want, "A%03d", i);
        assert_string_equal(next(w, &T0)->number, want);
    }
    struct hq_ticket a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.queued_at = b.queued_at = 5;
    a.day = b.day = 20260302;
    a.seq = 1;
    b.seq = 2;
    assert_true(hq_policy_order(10, &a, 10, &b) < 0);
    assert_true(hq_policy_order(10, &b, 10, &a) > 0);
    assert_true(hq_policy_order(9, &a, 10, &b) > 0);
    b.queued_at = 4;
    assert_true(hq_policy_order(10, &a, 10, &b) > 0);
    assert_int_equal(hq_policy_order(10, &a, 10, &a), 0);
}

static void test_only_active_and_waiting(void **state)
{
    (void)state;
    struct hq_window *w3 = fx_open(&H, &T0, 3, "zhou"); /* A only */
    fx_issue_cat(&H, &T0, "B", HQ_PRIORITY);
    assert_null(hq_policy_pick(&H, w3, T0.t + 5000));
    const char *a = fx_keep(fx_issue(&H, &T0, "A"));
    struct hq_why why;
    hq_ticket_cancel(&H, &T0, hq_ticket_find(&H, a), &why);
    assert_null(hq_policy_pick(&H, w3, T0.t + 5000));
}

static void test_estimate(void **state)
{
    (void)state;
    struct hq_why why;
    struct hq_estimate e;
    /* five A tickets, no window open: as if one window were, 300 s each */
    const char *ids[5];
    for (int i = 0; i < 5; i++)
        ids[i] = fx_keep(fx_issue(&H, &T0, "A"));
    for (int i = 0; i < 5; i++) {
        assert_int_equal(hq_ticket_estimate(&H, &T0, hq_ticket_find(&H, ids[i]), &e), 0);
        assert_int_equal(e.position, i + 1);
        assert_int_equal(e.ahead, i);
        assert_int_equal(e.wait_s, i * 300);
    }
    assert_int_equal(hq_count_waiting(&H, "A"), 5);
    assert_int_equal(hq_count_waiting(&H, "B"), 0);
    /* a priority ticket goes first in position */
    struct hq_now t1 = fx_after(&T0, 10);
    const char *p = fx_keep(fx_issue_cat(&H, &t1, "A", HQ_PRIORITY));
    assert_int_equal(hq_ticket_estimate(&H, &t1, hq_ticket_find(&H, p), &e), 0);
    assert_int_equal(e.position, 1);
    assert_int_equal(hq_ticket_estimate(&H, &t1, hq_ticket_find(&H, ids[4]), &e), 0);
    assert_int_equal(e.position, 6);
    assert_int_equal(e.wait_s, 5 * 300);
    /* B tickets do not count in A's position */
    fx_issue(&H, &T0, "B");
    assert_int_equal(hq_ticket_estimate(&H, &t1, hq_ticket_find(&H, ids[4]), &e), 0);
    assert_int_equal(e.position, 6);

    /* two windows serving A, both idle: tickets 1,2 at 0, 3,4 at 300, 5,6 at 600 */
    fx_open(&H, &t1, 3, "zhou");
    fx_open(&H, &t1, 1, "li");
    assert_int_equal(hq_ticket_estimate(&H, &t1, hq_ticket_find(&H, ids[0]), &e), 0);
    assert_int_equal(e.wait_s, 0); /* position 2, second idle window */
    assert_int_equal(hq_ticket_estimate(&H, &t1, hq_ticket_find(&H, ids[4]), &e), 0);
    assert_int_equal(e.position, 6);
    assert_int_equal(e.wait_s, 2 * 300 + 0);

    /* window 3 serving the priority ticket since t1, 100 s in: free in 200 */
    struct hq_window *w3 = hq_window_find(&H, 3);
    struct hq_ticket *t = NULL;
    assert_int_equal(hq_window_call_next(&H, &t1, w3, &t, &why), 0);
    assert_string_equal(t->id, p);
    assert_int_equal(hq_window_start(&H, &t1, w3, &t, &why), 0);
    struct hq_now t2 = fx_after(&t1, 100);
    /* A001..A005 wait: window 1 free now (0), window 3 in 200: slots 0, 200, 300, 500, 600 */
    int want[5] = {0, 200, 300, 500, 600};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(hq_ticket_estimate(&H, &t2, hq_ticket_find(&H, ids[i]), &e), 0);
        assert_int_equal(e.position, i + 1);
        assert_int_equal(e.wait_s, want[i]);
    }
    /* window 1 pauses for 1000 s: window 3 alone for a while: 200, 500, 800, 1000(w1), 1100 */
    assert_int_equal(hq_window_pause(&H, &t2, hq_window_find(&H, 1), "meeting", 1000, &why), 0);
    int want2[5] = {200, 500, 800, 1000, 1100};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(hq_ticket_estimate(&H, &t2, hq_ticket_find(&H, ids[i]), &e), 0);
        assert_int_equal(e.wait_s, want2[i]);
    }
    /* recent service times replace the configured average once there are 5 */
    struct hq_service *sa = hq_service_find(&H, "A");
    assert_int_equal(hq_service_time_estimate(sa), 300);
    for (int i = 0; i < 4; i++)
        hq_service_record_time(sa, 100);
    assert_int_equal(hq_service_time_estimate(sa), 300);
    hq_service_record_time(sa, 105);
    assert_int_equal(hq_service_time_estimate(sa), 101);
    for (int i = 0; i < 40; i++)
        hq_service_record_time(sa, 50);
    assert_int_equal(sa->n_recent, 32);
    assert_int_equal(hq_service_time_estimate(sa), 50);
    hq_service_record_time(sa, -5); /* ignored */
    assert_int_equal(sa->recent[31], 50);
    /* not waiting: refused */
    assert_int_equal(hq_ticket_estimate(&H, &t2, hq_ticket_find(&H, p), &e), HQ_ECONFLICT);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_defaults),       T(test_score),
        T(test_priority_first), T(test_aging),
        T(test_appointment),    T(test_first_service_boost),
        T(test_ties_and_order), T(test_only_active_and_waiting),
        T(test_estimate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
