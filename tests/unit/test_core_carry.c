/* SPDX-License-Identifier: MIT */
/*
 * test_core_carry.c — the emergency carry-over of the queue (clause 5.5): with carry_over set, the
 * day roll expires nothing, a ticket left called waits again, the carried tickets are called
 * first next morning (by number too), and new numbers follow the carried ones. Without it, the
 * same queue expires.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/hq_core.h"
#include "test_core_fixture.h"

static void hall_with_queue(struct hq_hall *h, struct hq_now *day1, char ids[3][HQ_ID_LEN + 1])
{
    hq_hall_init(h);
    fx_service(h, "A", 300, 0);
    fx_window(h, 1, "A");
    fx_staff(h, "c1", HQ_ROLE_CLERK, "A", 20301231);
    *day1 = fx_now(2026, 11, 27, 16, 0);
    for (int i = 0; i < 3; i++)
        snprintf(ids[i], HQ_ID_LEN + 1, "%s", fx_keep(fx_issue(h, day1, "A")));
    struct hq_window *w = fx_open(h, day1, 1, "c1");
    struct hq_ticket *t = NULL;
    struct hq_why why;
    assert_int_equal(hq_window_call_next(h, day1, w, &t, &why), 0);
    assert_string_equal(t->number, "A001"); /* left called when the emergency struck */
}

static int counted;
static void count(void *ctx, struct hq_ticket *t)
{
    (void)ctx;
    (void)t;
    counted++;
}

static void test_carry_over_keeps_the_queue(void **state)
{
    (void)state;
    struct hq_hall h;
    struct hq_now day1;
    char ids[3][HQ_ID_LEN + 1];
    hall_with_queue(&h, &day1, ids);
    h.conf.carry_over = true;
    struct hq_now day2 = fx_now(2026, 11, 28, 8, 30);
    counted = 0;
    int n = hq_day_roll(&h, &day2, true, count, NULL);
    assert_int_equal(n, 1); /* the called one went back to waiting */
    assert_int_equal(counted, 1);
    for (int i = 0; i < 3; i++)
        assert_int_equal(hq_ticket_find(&h, ids[i])->status, HQ_WAITING);
    assert_string_equal(hq_window_find(&h, 1)->current, "");
    /* numbering continues after the carried tickets */
    struct hq_ticket *t = fx_issue(&h, &day2, "A");
    assert_string_equal(t->number, "A004");
    /* the carried tickets are called first (they waited longest), and by number too */
    struct hq_window *w = hq_window_find(&h, 1);
    struct hq_why why;
    struct hq_ticket *c = NULL;
    assert_int_equal(hq_window_call_next(&h, &day2, w, &c, &why), 0);
    assert_non_null(c);
    assert_string_equal(c->number, "A001");
    assert_int_equal(hq_window_no_show(&h, &day2, w, &c, &why), 0);
    assert_int_equal(hq_window_call_number(&h, &day2, w, "A003", &c, &why), 0);
    assert_string_equal(c->number, "A003");
    hq_hall_release(&h);
}

static void test_without_carry_over_the_queue_expires(void **state)
{
    (void)state;
    struct hq_hall h;
    struct hq_now day1;
    char ids[3][HQ_ID_LEN + 1];
    hall_with_queue(&h, &day1, ids);
    struct hq_now day2 = fx_now(2026, 11, 28, 8, 30);
    assert_int_equal(hq_day_roll(&h, &day2, true, NULL, NULL), 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(hq_ticket_find(&h, ids[i])->status, HQ_EXPIRED);
    assert_string_equal(fx_issue(&h, &day2, "A")->number, "A001");
    hq_hall_release(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_carry_over_keeps_the_queue),
        cmocka_unit_test(test_without_carry_over_the_queue_expires),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
