/* SPDX-License-Identifier: MIT */
/*
 * test_booking.c — the pure rules of appointments and the working-day calendar (src/core/
 * booking.c, calendar.c): day arithmetic, holidays and make-up working days, working-day
 * deadlines, slots from the intersection of the service's and the hall's hours around a lunch
 * break, capacity and the walk-in share, the limits per phone and ID number per day and week, the
 * check-in window and missed bookings, codes. Times are plain numbers: the clock is the test's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/hq_booking.h"

static void days(void **st)
{
    (void)st;
    assert_int_equal(hq_day_weekday(19700101), 4);
    assert_int_equal(hq_day_weekday(20261206), 0); /* a Sunday */
    assert_int_equal(hq_day_weekday(20270207), 0);
    assert_int_equal(hq_day_plus(20261231, 1), 20270101);
    assert_int_equal(hq_day_plus(20280228, 1), 20280229);
    assert_int_equal(hq_day_plus(20270301, -1), 20270228);
    assert_int_equal(hq_day_week_start(20261206), 20261130);
    assert_int_equal(hq_day_week_start(20261130), 20261130);
    assert_int_equal(hq_day_diff(20270101, 20261231), 1);
    assert_true(hq_day_valid(20280229));
    assert_false(hq_day_valid(20270229));
    assert_false(hq_day_valid(20271301));
}

static void calendar_rules(void **st)
{
    (void)st;
    struct hq_calendar c;
    hq_calendar_init(&c);
    assert_int_equal(hq_calendar_add(&c, false, 20271001), 0);
    assert_int_equal(hq_calendar_add(&c, false, 20270101), 0);
    assert_int_equal(hq_calendar_add(&c, false, 20271001), 0); /* a repeat is dropped */
    assert_int_equal(c.n_holidays, 2);
    assert_int_equal(c.holidays[0], 20270101);
    assert_int_equal(hq_calendar_add(&c, true, 20270207), 0); /* Sunday, 调休 */
    assert_int_equal(hq_calendar_add(&c, false, 20270230), -1);
    struct hq_why why;
    assert_int_equal(hq_calendar_check(&c, 2027, &why), 0);
    assert_int_equal(hq_calendar_check(&c, 2026, &why), HQ_EINVAL);
    assert_string_equal(why.field, "holidays");
    /* a holiday has no hours; a make-up Sunday has Monday's; others their own */
    assert_int_equal(hq_calendar_hours_weekday(&c, 20270101), -1);
    assert_int_equal(hq_calendar_hours_weekday(&c, 20270207), 1);
    assert_int_equal(hq_calendar_hours_weekday(&c, 20270206), 6);
    assert_true(hq_calendar_is_workday(&c, 20270207));
    assert_false(hq_calendar_is_workday(&c, 20270101));
    /* Thu 2026-12-31 + 1 working day: Fri 01-01 is a holiday, so Mon 01-04 */
    assert_int_equal(hq_calendar_add_workdays(&c, 20261231, 1), 20270104);
    /* Fri 2027-02-05 + 1: the make-up Sunday 02-07 */
    assert_int_equal(hq_calendar_add_workdays(&c, 20270205, 1), 20270207);

    struct hq_calendar w;
    hq_calendar_init(&w);
    hq_calendar_add(&w, true, 20270210); /* a Wednesday */
    assert_int_equal(hq_calendar_check(&w, 2027, &why), HQ_EINVAL);
    assert_string_equal(why.field, "workdays");
    hq_calendar_init(&w);
    hq_calendar_add(&w, true, 20270207);
    hq_calendar_add(&w, false, 20270207);
    assert_int_equal(hq_calendar_check(&w, 2027, &why), HQ_EINVAL);
    assert_string_equal(why.field, "workdays");
}

static void weekday_hours(struct hq_hours *h, const char *spec)
{
    /* spec: ranges "HHMM-HHMM" repeated, applied Monday to Friday */
    hq_hours_clear(h, true);
    for (int d = 1; d <= 5; d++)
        for (const char *p = spec; *p; p += 10) {
            int o = ((p[0] - '0') * 10 + (p[1] - '0')) * 60 + (p[2] - '0') * 10 + (p[3] - '0');
            int c = ((p[5] - '0') * 10 + (p[6] - '0')) * 60 + (p[7] - '0') * 10 + (p[8] - '0');
            assert_int_equal(hq_hours_add(h, d, o, c), 0);
            if (!p[9]) break;
        }
}

static void slots_around_lunch(void **st)
{
    (void)st;
    struct hq_hours svc, hall;
    weekday_hours(&svc, "0900-1200,1330-1700");
    hq_hours_clear(&hall, false); /* the hall always open */
    int32_t s[HQ_SLOTS_MAX];
    int n = hq_booking_slots(&svc, &hall, NULL, 20261207, 30, s, HQ_SLOTS_MAX); /* Monday */
    assert_int_equal(n, 6 + 7);
    assert_int_equal(s[0], 9 * 60);
    assert_int_equal(s[5], 11 * 60 + 30);
    assert_int_equal(s[6], 13 * 60 + 30);
    assert_int_equal(s[12], 16 * 60 + 30);
    for (int i = 0; i < n; i++)
        assert_false(s[i] < 12 * 60 && s[i] + 30 > 12 * 60); /* none over the break */
    /* 45-minute slots: 09:00 … 11:15 (ends at noon exactly), 13:30 … 15:45 (16:30 would end after
     * 17:00) */
    n = hq_booking_slots(&svc, &hall, NULL, 20261207, 45, s, HQ_SLOTS_MAX);
    assert_int_equal(n, 4 + 4);
    assert_int_equal(s[3], 11 * 60 + 15);
    assert_int_equal(s[4], 13 * 60 + 30);
    assert_int_equal(s[7], 15 * 60 + 45);
    /* the intersection with the hall's hours: the hall opens at 10:00 and closes at 16:00 */
    weekday_hours(&hall, "1000-1600");
    n = hq_booking_slots(&svc, &hall, NULL, 20261207, 30, s, HQ_SLOTS_MAX);
    assert_int_equal(s[0], 10 * 60);
    assert_int_equal(s[n - 1], 15 * 60 + 30);
    assert_int_equal(n, 4 + 5);
    /* Saturday: closed; on a make-up Saturday, Monday's hours; on a holiday Monday none */
    hq_hours_clear(&hall, false);
    assert_int_equal(hq_booking_slots(&svc, &hall, NULL, 20261212, 30, s, HQ_SLOTS_MAX), 0);
    struct hq_calendar c;
    hq_calendar_init(&c);
    hq_calendar_add(&c, true, 20261212);
    hq_calendar_add(&c, false, 20261207);
    assert_int_equal(hq_booking_slots(&svc, &hall, &c, 20261212, 30, s, HQ_SLOTS_MAX), 13);
    assert_int_equal(hq_booking_slots(&svc, &hall, &c, 20261207, 30, s, HQ_SLOTS_MAX), 0);
    /* neither has hours: nothing to book against */
    hq_hours_clear(&svc, false);
    assert_int_equal(hq_booking_slots(&svc, &hall, NULL, 20261207, 30, s, HQ_SLOTS_MAX), 0);
}

static void capacity_and_walk_in_share(void **st)
{
    (void)st;
    /* 30 minutes, 2 windows, 300 s each: 12 customers */
    assert_int_equal(hq_booking_capacity(30, 300, 2, 0), 12);
    assert_int_equal(hq_booking_capacity(30, 300, 2, 5), 5); /* configured */
    assert_int_equal(hq_booking_capacity(30, 300, 0, 0), 0); /* no window serves it */
    assert_int_equal(hq_booking_capacity(5, 3600, 1, 0), 1); /* at least one */
    assert_int_equal(hq_booking_offered(12, 30), 8);         /* 3.6 kept → 4 kept */
    assert_int_equal(hq_booking_offered(4, 50), 2);
    assert_int_equal(hq_booking_offered(1, 1), 0); /* a share kept, however small */
    assert_int_equal(hq_booking_offered(10, 0), 10);
    assert_int_equal(hq_booking_offered(10, 100), 0);
}

static void limits(void **st)
{
    (void)st;
    /* week of Mon 2026-11-30 .. Sun 2026-12-06 */
    struct hq_booking_rec r[] = {
        {20261201, "13800000001", ""},
        {20261203, "13800000001", "11010519491231002X"},
        {20261207, "13800000002", ""}, /* the next week */
    };
    struct hq_why why;
    assert_int_equal(hq_booking_limits(r, 3, 20261202, "13800000001", "", 1, 3, &why), 0);
    assert_int_equal(hq_booking_limits(r, 3, 20261201, "13800000001", "", 1, 3, &why),
                     HQ_ECONFLICT);
    assert_string_equal(why.field, "phone");
    assert_int_equal(hq_booking_limits(r, 3, 20261202, "13800000001", "", 0, 2, &why),
                     HQ_ECONFLICT);
    assert_non_null(strstr(why.message, "week"));
    /* a new week starts on Monday */
    assert_int_equal(hq_booking_limits(r, 3, 20261207, "13800000001", "", 1, 2, &why), 0);
    /* by ID number, from another phone */
    assert_int_equal(
        hq_booking_limits(r, 3, 20261203, "13800000009", "11010519491231002X", 1, 3, &why),
        HQ_ECONFLICT);
    assert_string_equal(why.field, "id_number");
    assert_int_equal(hq_booking_limits(r, 3, 20261203, "13800000009", "", 1, 3, &why), 0);
    assert_int_equal(hq_booking_limits(r, 3, 20261201, "13800000001", "", 0, 0, &why), 0);
}

static void checkin_window_and_missed(void **st)
{
    (void)st;
    int64_t start = 1795741200; /* the clock is the test's */
    assert_int_equal(hq_booking_checkin_window(start, start - 30 * 60 - 1, 30, 15), -1);
    assert_int_equal(hq_booking_checkin_window(start, start - 30 * 60, 30, 15), 0);
    assert_int_equal(hq_booking_checkin_window(start, start + 15 * 60, 30, 15), 0);
    assert_int_equal(hq_booking_checkin_window(start, start + 15 * 60 + 1, 30, 15), 1);
    assert_false(hq_booking_is_missed(start, start + 15 * 60, 15));
    assert_true(hq_booking_is_missed(start, start + 15 * 60 + 1, 15));
    assert_false(hq_booking_is_missed(start, start - 3600, 0));
}

static void codes(void **st)
{
    (void)st;
    unsigned char rnd[6] = {0, 1, 30, 31, 255, 128};
    char code[7], norm[7];
    hq_booking_code(rnd, code);
    assert_int_equal(strlen(code), 6);
    assert_null(strpbrk(code, "01OIL"));
    assert_true(hq_booking_code_norm("k7q-2mx", norm));
    assert_string_equal(norm, "K7Q2MX");
    assert_false(hq_booking_code_norm("K7Q2M0", norm)); /* 0 is never in a code */
    assert_false(hq_booking_code_norm("K7Q2MXX", norm));
    assert_false(hq_booking_code_norm("", norm));
}

/* GB 11643: check digit, 15-digit numbers, birth dates, age, masking. */
static void id_numbers(void **st)
{
    (void)st;
    char out[19], m[19];
    assert_int_equal(hq_idnum_norm("11010519491231002X", out), HQ_IDNUM_OK);
    assert_string_equal(out, "11010519491231002X");
    assert_int_equal(hq_idnum_norm("11010519491231002x", out), HQ_IDNUM_OK); /* x → X */
    assert_string_equal(out, "11010519491231002X");
    assert_int_equal(hq_idnum_norm("440301194003011235", out), HQ_IDNUM_OK);
    assert_int_equal(hq_idnum_norm("440301194003011233", out), HQ_IDNUM_CHECK);
    assert_int_equal(hq_idnum_norm("110105194912310021", out), HQ_IDNUM_CHECK);
    assert_int_equal(hq_idnum_norm("1101051949123100", out), HQ_IDNUM_LENGTH);
    assert_int_equal(hq_idnum_norm("", out), HQ_IDNUM_LENGTH);
    assert_int_equal(hq_idnum_norm("11010519491231X02X", out), HQ_IDNUM_CHARS);
    assert_int_equal(hq_idnum_norm("110105194913310025", out), HQ_IDNUM_BIRTH); /* month 13 */
    /* a 15-digit first-generation number gains 19 and its check digit */
    assert_int_equal(hq_idnum_norm("110105491231002", out), HQ_IDNUM_OK);
    assert_int_equal(strlen(out), 18);
    assert_memory_equal(out, "11010519491231002", 17);
    assert_int_equal(out[17], hq_idnum_check_char(out));
    assert_int_equal(hq_idnum_birth("11010519491231002X"), 19491231);
    assert_int_equal(hq_idnum_age(19491231, 20191230), 69);
    assert_int_equal(hq_idnum_age(19491231, 20191231), 70); /* the birthday itself */
    assert_int_equal(hq_idnum_age(19560229, 20260228), 69);
    assert_int_equal(hq_idnum_age(19560229, 20260301), 70);
    assert_int_equal(hq_idnum_age(20300101, 20260101), -1);
    hq_idnum_mask(m, "440301194003011235");
    assert_string_equal(m, "4403**********1235");
    hq_idnum_mask(m, "12345");
    assert_string_equal(m, "******************");
}

/* The same counting rule limits tickets taken with an ID number: per day only, field id_number,
 * other days and other numbers not counted. */
static void ticket_limits(void **st)
{
    (void)st;
    struct hq_why why;
    struct hq_booking_rec r[] = {
        {20261207, "", "h1"}, {20261207, "", "h2"}, {20261206, "", "h1"}, {20261207, "", "h1"}};
    assert_int_equal(hq_limits_check(HQ_LIMIT_TICKETS, r, 2, 20261207, NULL, "h1", 1, 0, &why),
                     HQ_ECONFLICT);
    assert_string_equal(why.field, "id_number");
    assert_non_null(strstr(why.message, "tickets"));
    assert_int_equal(hq_limits_check(HQ_LIMIT_TICKETS, r, 3, 20261207, NULL, "h1", 2, 0, &why), 0);
    assert_int_equal(hq_limits_check(HQ_LIMIT_TICKETS, r, 4, 20261207, NULL, "h1", 2, 0, &why),
                     HQ_ECONFLICT);
    assert_int_equal(hq_limits_check(HQ_LIMIT_TICKETS, r, 4, 20261207, NULL, "h3", 1, 0, &why), 0);
    assert_int_equal(hq_limits_check(HQ_LIMIT_TICKETS, r, 4, 20261207, NULL, "h1", 0, 0, &why), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(days),
        cmocka_unit_test(calendar_rules),
        cmocka_unit_test(slots_around_lunch),
        cmocka_unit_test(capacity_and_walk_in_share),
        cmocka_unit_test(limits),
        cmocka_unit_test(checkin_window_and_missed),
        cmocka_unit_test(codes),
        cmocka_unit_test(id_numbers),
        cmocka_unit_test(ticket_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
