/* SPDX-License-Identifier: MIT */
/*
 * test_core_order.c — tickets issued in the same second across services are ordered by the
 * hall-wide issue sequence (iseq), not by their per-service numbers: the call order of a window
 * serving several services, positions, a transfer keeping its place, the sequence surviving a
 * reload (hq_hall_load_ticket) and a copy; and opening hours with several ranges a day (a lunch
 * break): open or not, when they open next, the refusal that says so, day-end expiry only after
 * the last range.
 */
#include "test_core_fixture.h"

static struct hq_hall H;
static struct hq_now T0;

static int setup(void **state)
{
    (void)state;
    hq_hall_init(&H);
    H.conf.policy.boost_first_service_s = 0; /* score ties everywhere: only issue order decides */
    fx_service(&H, "A", 300, 0);
    fx_service(&H, "B", 300, 0);
    fx_service(&H, "C", 300, 0);
    fx_window(&H, 1, "A B C");
    fx_window(&H, 2, "C B A");
    fx_staff(&H, "li", HQ_ROLE_CLERK, "A B C", 20301231);
    fx_staff(&H, "wang", HQ_ROLE_CLERK, "A B C", 20301231);
    T0 = fx_now(2026, 3, 2, 9, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hq_hall_release(&H);
    return 0;
}

/* A deterministic mix of services: 60 tickets in one second, numbers interleaved so that the
 * per-service sequence contradicts the issue order (B001 is issued after A002, …). */
static const char *mix(int i)
{
    static const char *const codes[] = {"A", "A", "B", "C", "A", "B", "B", "C", "C", "A", "B"};
    return codes[(i * 7 + i / 3) % 11];
}

static void test_same_second_call_order(void **state)
{
    (void)state;
    enum { N = 60 };
    char ids[N][HQ_ID_LEN + 1];
    for (int i = 0; i < N; i++) {
        struct hq_ticket *t = fx_issue(&H, &T0, mix(i));
        snprintf(ids[i], sizeof ids[i], "%s", t->id);
        assert_int_equal(t->iseq, i + 1);
    }
    assert_int_equal(H.issue_seq, N);
    /* Positions: ahead = the tickets of the same service issued before it in that second. */
    for (int i = 0; i < N; i++) {
        int before = 0;
        for (int k = 0; k < i; k++)
            before += strcmp(mix(k), mix(i)) == 0;
        struct hq_estimate e;
        assert_int_equal(hq_ticket_estimate(&H, &T0, hq_ticket_find(&H, ids[i]), &e), 0);
        assert_int_equal(e.ahead, before);
    }
    /* Two windows serving all three services call in issue order, alternating. */
    struct hq_window *w1 = fx_open(&H, &T0, 1, "li"), *w2 = fx_open(&H, &T0, 2, "wang");
    struct hq_why why;
    for (int i = 0; i < N; i++) {
        struct hq_window *w = i % 2 ? w2 : w1;
        struct hq_ticket *t = NULL;
        assert_int_equal(hq_window_call_next(&H, &T0, w, &t, &why), 0);
        assert_non_null(t);
        assert_string_equal(t->id, ids[i]);
        assert_int_equal(hq_window_no_show(&H, &T0, w, NULL, &why), 0);
    }
}

static void test_transfer_keeps_place(void **state)
{
    (void)state;
    /* A001, A002, A003, B001, B002 in one second. A003 is served and sent to B: it was issued
     * before every B ticket, so it goes first among them although its number (3) is higher. */
    const char *a1 = fx_keep(fx_issue(&H, &T0, "A"));
    const char *a2 = fx_keep(fx_issue(&H, &T0, "A"));
    const char *a3 = fx_keep(fx_issue(&H, &T0, "A"));
    const char *b1 = fx_keep(fx_issue(&H, &T0, "B"));
    const char *b2 = fx_keep(fx_issue(&H, &T0, "B"));
    struct hq_window *w1 = fx_open(&H, &T0, 1, "li");
    struct hq_why why;
    struct hq_ticket *t = NULL;
    const char *first[] = {a1, a2, a3};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(hq_window_call_next(&H, &T0, w1, &t, &why), 0);
        assert_string_equal(t->id, first[i]);
        if (i < 2) assert_int_equal(hq_window_no_show(&H, &T0, w1, NULL, &why), 0);
    }
    assert_int_equal(hq_window_start(&H, &T0, w1, NULL, &why), 0);
    assert_int_equal(hq_window_transfer(&H, &T0, w1, "B", &t, &why), 0);
    struct hq_estimate e;
    assert_int_equal(hq_ticket_estimate(&H, &T0, hq_ticket_find(&H, a3), &e), 0);
    assert_int_equal(e.position, 1);
    assert_int_equal(hq_ticket_estimate(&H, &T0, hq_ticket_find(&H, b1), &e), 0);
    assert_int_equal(e.position, 2);
    /* Window 2 (C, B, A) calls a3 (now B), then b1, b2. */
    struct hq_window *w2 = fx_open(&H, &T0, 2, "wang");
    const char *want[] = {a3, b1, b2};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(hq_window_call_next(&H, &T0, w2, &t, &why), 0);
        assert_string_equal(t->id, want[i]);
        assert_int_equal(hq_window_no_show(&H, &T0, w2, NULL, &why), 0);
    }
}

static void test_sequence_survives_reload(void **state)
{
    (void)state;
    for (int i = 0; i < 10; i++)
        fx_issue(&H, &T0, mix(i));
    /* a new hall rebuilt from copies of the tickets, in a scrambled order */
    struct hq_hall R;
    hq_hall_init(&R);
    R.conf = H.conf;
    fx_service(&R, "A", 300, 0);
    fx_service(&R, "B", 300, 0);
    fx_service(&R, "C", 300, 0);
    for (int i = 9; i >= 0; i--)
        assert_non_null(hq_hall_load_ticket(&R, &H.tickets[i]));
    assert_int_equal(R.issue_seq, 10);
    struct hq_ticket *t = fx_issue(&R, &T0, "C");
    assert_int_equal(t->iseq, 11);
    /* a hand-made ticket without a sequence gets the next on load */
    struct hq_ticket x = H.tickets[0];
    snprintf(x.id, sizeof x.id, "handmade");
    x.iseq = 0;
    assert_int_equal(hq_hall_load_ticket(&R, &x)->iseq, 12);
    /* a copy keeps the counter */
    struct hq_hall C;
    assert_int_equal(hq_hall_copy(&C, &R), 0);
    assert_int_equal(fx_issue(&C, &T0, "A")->iseq, 13);
    hq_hall_release(&C);
    hq_hall_release(&R);
}

static void test_order_function(void **state)
{
    (void)state;
    struct hq_ticket a = {0}, b = {0};
    snprintf(a.id, sizeof a.id, "a");
    snprintf(b.id, sizeof b.id, "b");
    a.queued_at = b.queued_at = 100;
    a.day = b.day = 20260302;
    a.seq = 2; /* A002 */
    b.seq = 1; /* B001 */
    a.iseq = 7;
    b.iseq = 8;
    assert_true(hq_policy_order(0, &a, 0, &b) < 0); /* issued first, goes first */
    assert_true(hq_policy_order(0, &b, 0, &a) > 0);
    b.iseq = 0; /* unknown: the per-day sequence decides */
    assert_true(hq_policy_order(0, &a, 0, &b) > 0);
    b.iseq = 8;
    assert_true(hq_policy_order(10, &b, 0, &a) < 0); /* the score comes first */
    b.queued_at = 99;
    assert_true(hq_policy_order(0, &b, 0, &a) < 0); /* then the place in time */
}

static void test_lunch_break(void **state)
{
    (void)state;
    hq_hours_clear(&H.conf.hours, true);
    for (int d = 1; d <= 5; d++) {
        assert_int_equal(hq_hours_add(&H.conf.hours, d, 510, 720), 0);
        assert_int_equal(hq_hours_add(&H.conf.hours, d, 810, 1050), 0);
    }
    /* out of order, overlapping, touching, empty, too many: refused */
    struct hq_hours x;
    hq_hours_clear(&x, true);
    assert_int_equal(hq_hours_add(&x, 1, 600, 700), 0);
    assert_int_equal(hq_hours_add(&x, 1, 500, 550), -1);
    assert_int_equal(hq_hours_add(&x, 1, 650, 750), -1);
    assert_int_equal(hq_hours_add(&x, 1, 700, 750), -1);
    assert_int_equal(hq_hours_add(&x, 1, 800, 800), -1);
    assert_int_equal(hq_hours_add(&x, 1, 800, 1441), -1);
    assert_int_equal(hq_hours_add(&x, 1, 800, 810), 0);
    assert_int_equal(hq_hours_add(&x, 1, 820, 830), 0);
    assert_int_equal(hq_hours_add(&x, 1, 840, 850), 0);
    assert_int_equal(hq_hours_add(&x, 1, 860, 870), -1); /* a fifth */
    assert_int_equal(hq_hours_check(&x, "hours", NULL), 0);
    x.open[1][2] = 805; /* corrupt: overlaps the range before */
    assert_int_equal(hq_hours_check(&x, "hours", NULL), HQ_EINVAL);

    struct hq_now mon_morning = fx_now(2026, 3, 2, 11, 59), lunch = fx_now(2026, 3, 2, 12, 0),
                  lunch_end = fx_now(2026, 3, 2, 13, 30), fri_late = fx_now(2026, 3, 6, 17, 30),
                  sat = fx_now(2026, 3, 7, 9, 0);
    assert_true(hq_hours_is_open(&H.conf.hours, &mon_morning));
    assert_false(hq_hours_is_open(&H.conf.hours, &lunch));
    assert_true(hq_hours_is_open(&H.conf.hours, &lunch_end));
    int wd, minute;
    assert_int_equal(hq_hours_next_open(&H.conf.hours, &lunch, &wd, &minute), 90);
    assert_int_equal(wd, 1);
    assert_int_equal(minute, 810);
    assert_int_equal(hq_hours_next_open(&H.conf.hours, &mon_morning, NULL, NULL), 0);
    /* Friday after close: Monday 08:30, 2 days 15 h later */
    assert_int_equal(hq_hours_next_open(&H.conf.hours, &fri_late, &wd, &minute),
                     (1440 - 1050) + 2 * 1440 + 510);
    assert_int_equal(wd, 1);
    assert_int_equal(hq_hours_first_open(&H.conf.hours, 1), 510);
    assert_int_equal(hq_hours_last_close(&H.conf.hours, 1), 1050);
    assert_int_equal(hq_hours_last_close(&H.conf.hours, 0), -1);

    /* tickets: refused over lunch with the time it opens again; on Saturday with Monday */
    struct hq_issue in = {.service = "A", .category = HQ_NORMAL, .channel = HQ_KIOSK};
    struct hq_why why;
    assert_int_equal(hq_ticket_issue(&H, &lunch, "l1", &in, NULL, &why), HQ_ECONFLICT);
    assert_string_equal(why.field, "service");
    assert_non_null(strstr(why.message, "opens today at 13:30"));
    assert_int_equal(hq_ticket_issue(&H, &sat, "l2", &in, NULL, &why), HQ_ECONFLICT);
    assert_non_null(strstr(why.message, "opens on Monday at 08:30"));
    assert_int_equal(hq_ticket_issue(&H, &fri_late, "l3", &in, NULL, &why), HQ_ECONFLICT);
    assert_int_equal(hq_ticket_issue(&H, &lunch_end, "l4", &in, NULL, &why), 0);
    /* a ticket waiting over lunch does not expire then; after the last close it does */
    struct hq_now m = fx_now(2026, 3, 2, 11, 0);
    fx_issue(&H, &m, "B");
    struct hq_hall *h = &H;
    assert_int_equal(hq_day_roll(h, &lunch, true, NULL, NULL), 0);
    struct hq_now closed = fx_now(2026, 3, 2, 17, 30);
    assert_int_equal(hq_day_roll(h, &closed, true, NULL, NULL), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_same_second_call_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfer_keeps_place, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sequence_survives_reload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order_function, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lunch_break, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
