/* SPDX-License-Identifier: MIT */
/*
 * test_core_tickets.c — issuing tickets: numbering per service and day (reset at the day
 * change, four digits after 999, never repeated across a reload), quota, hours, suspension,
 * input refusals (each leaves the hall unchanged), the day's 99,999 numbers used up, cancel and
 * requeue, the day roll, forget, the error table, enum names and phone masking.
 */
#include "test_core_fixture.h"

static struct hq_hall H;

static int setup(void **state)
{
    (void)state;
    hq_hall_init(&H);
    fx_service(&H, "A", 300, 0);
    fx_service(&H, "B", 600, 3);
    fx_service(&H, "CD", 120, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hq_hall_release(&H);
    return 0;
}

static int issue_rc(const struct hq_now *now, const char *id, struct hq_issue *in,
                    struct hq_why *why)
{
    struct hq_ticket *t = NULL;
    return hq_ticket_issue(&H, now, id, in, &t, why);
}

static void test_numbering(void **state)
{
    (void)state;
    struct hq_now now = fx_now(2026, 3, 2, 9, 0);
    assert_string_equal(fx_issue(&H, &now, "A")->number, "A001");
    assert_string_equal(fx_issue(&H, &now, "A")->number, "A002");
    assert_string_equal(fx_issue(&H, &now, "B")->number, "B001");
    assert_string_equal(fx_issue(&H, &now, "CD")->number, "CD001");
    struct hq_ticket *t = fx_issue(&H, &now, "A");
    assert_string_equal(t->number, "A003");
    assert_int_equal(t->seq, 3);
    assert_int_equal(t->day, 20260302);
    assert_int_equal(t->status, HQ_WAITING);
    assert_int_equal(t->issued_at, now.t);
    assert_int_equal(t->queued_at, now.t);
    assert_int_equal(t->window, 0);
    assert_ptr_equal(hq_ticket_find(&H, t->id), t);
    assert_ptr_equal(hq_ticket_find_number(&H, 20260302, "A003"), t);
    assert_null(hq_ticket_find_number(&H, 20260303, "A003"));

    /* next day: from 001 again, for every service */
    struct hq_now tomorrow = fx_now(2026, 3, 3, 9, 0);
    assert_string_equal(fx_issue(&H, &tomorrow, "A")->number, "A001");
    assert_string_equal(fx_issue(&H, &tomorrow, "B")->number, "B001");
    /* both A001 exist, on different days */
    assert_non_null(hq_ticket_find_number(&H, 20260302, "A001"));
    assert_non_null(hq_ticket_find_number(&H, 20260303, "A001"));
}

static void test_numbering_past_999(void **state)
{
    (void)state;
    struct hq_now now = fx_now(2026, 3, 2, 9, 0);
    char last[HQ_NUMBER_MAX] = "";
    for (int i = 1; i <= 1002; i++) {
        struct hq_ticket *t = fx_issue(&H, &now, "CD");
        snprintf(last, sizeof last, "%s", t->number);
        if (i == 999) assert_string_equal(t->number, "CD999");
        if (i == 1000) assert_string_equal(t->number, "CD1000");
    }
    assert_string_equal(last, "CD1002");
    char buf[HQ_NUMBER_MAX];
    hq_format_number(buf, "A", 1);
    assert_string_equal(buf, "A001");
    hq_format_number(buf, "AB", 99999);
    assert_string_equal(buf, "AB99999");
    hq_format_number(buf, "B", 42);
    assert_string_equal(buf, "B042");
    /* the id index keeps working through growth */
    for (size_t i = 0; i < H.n_tickets; i++)
        assert_ptr_equal(hq_ticket_find(&H, H.tickets[i].id), &H.tickets[i]);
    assert_null(hq_ticket_find(&H, "nosuchid"));
    assert_null(hq_ticket_find(&H, ""));
}

static void test_numbering_survives_reload(void **state)
{
    (void)state;
    struct hq_now now = fx_now(2026, 3, 2, 9, 0);
    for (int i = 0; i < 5; i++)
        fx_issue(&H, &now, "A");
    /* rebuild a hall as the store does: services (with a stale sequence), then tickets */
    struct hq_hall r;
    hq_hall_init(&r);
    struct hq_service s = *hq_service_find(&H, "A");
    s.seq = 2; /* the persisted service record lags behind */
    assert_non_null(hq_hall_load_service(&r, &s));
    for (size_t i = 0; i < H.n_tickets; i++)
        assert_non_null(hq_hall_load_ticket(&r, &H.tickets[i]));
    struct hq_ticket *t = fx_issue(&r, &now, "A");
    assert_string_equal(t->number, "A006");
    /* tickets loaded before their service also count */
    struct hq_hall r2;
    hq_hall_init(&r2);
    for (size_t i = 0; i < H.n_tickets; i++)
        hq_hall_load_ticket(&r2, &H.tickets[i]);
    s.seq = 0;
    s.seq_day = 0;
    hq_hall_load_service(&r2, &s);
    assert_string_equal(fx_issue(&r2, &now, "A")->number, "A006");
    /* loading the same ticket again replaces it */
    size_t n = r2.n_tickets;
    struct hq_ticket copy = r2.tickets[0];
    copy.status = HQ_CANCELLED;
    assert_ptr_equal(hq_hall_load_ticket(&r2, &copy), &r2.tickets[0]);
    assert_int_equal(r2.n_tickets, n);
    assert_int_equal(r2.tickets[0].status, HQ_CANCELLED);
    hq_hall_release(&r);
    hq_hall_release(&r2);
}

static void test_quota(void **state)
{
    (void)state;
    struct hq_now now = fx_now(2026, 3, 2, 9, 0);
    for (int i = 0; i < 3; i++)
        fx_issue(&H, &now, "B");
    struct hq_issue in = {.service = "B", .category = HQ_NORMAL, .channel = HQ_KIOSK};
    struct hq_why why;
    size_t n = H.n_tickets;
    assert_int_equal(issue_rc(&now, "q1", &in, &why), HQ_ECONFLICT);
    assert_non_null(strstr(why.message, "quota"));
    assert_int_equal(H.n_tickets, n);
    assert_int_equal(hq_service_find(&H, "B")->seq, 3);
    /* cancelling does not give the number back: the quota counts tickets issued */
    hq_ticket_cancel(&H, &now, hq_ticket_find_number(&H, now.day, "B001"), &why);
    assert_int_equal(issue_rc(&now, "q2", &in, &why), HQ_ECONFLICT);
    /* the next day the quota starts again */
    struct hq_now tomorrow = fx_after(&now, 86400);
    assert_int_equal(issue_rc(&tomorrow, "q3", &in, &why), 0);
}

/* A service has 99,999 numbers a day (A00001 - A99999, the longest that fits HQ_NUMBER_MAX): the
 * next issue is a conflict (409) that names the service and changes nothing; the next day the
 * numbers start again. (bench/issue.lua counts these refusals apart: issue 12.) */
static void test_numbers_exhausted(void **state)
{
    (void)state;
    struct hq_now now = fx_now(2026, 3, 2, 9, 0);
    fx_issue(&H, &now, "A"); /* the hall is on this day */
    struct hq_service *a = hq_service_find(&H, "A");
    a->seq = 99998;
    struct hq_ticket *t = fx_issue(&H, &now, "A");
    assert_string_equal(t->number, "A99999");
    struct hq_issue in = {.service = "A", .category = HQ_NORMAL, .channel = HQ_KIOSK};
    struct hq_why why;
    size_t n = H.n_tickets;
    assert_int_equal(issue_rc(&now, "x1", &in, &why), HQ_ECONFLICT);
    assert_string_equal(why.field, "service");
    assert_string_equal(why.message,
                        "service A has issued 99999 tickets today, the most numbers allow");
    assert_int_equal(H.n_tickets, n);
    assert_int_equal(hq_service_find(&H, "A")->seq, 99999);
    /* another service still issues */
    assert_string_equal(fx_issue(&H, &now, "CD")->number, "CD001");
    struct hq_now tomorrow = fx_after(&now, 86400);
    assert_string_equal(fx_issue(&H, &tomorrow, "A")->number, "A001");
}

static void test_hours(void **state)
{
    (void)state;
    /* hall: Monday-Friday 08:30-17:00, weekends closed */
    hq_hours_clear(&H.conf.hours, true);
    for (int d = 1; d <= 5; d++)
        assert_int_equal(hq_hours_add(&H.conf.hours, d, 510, 1020), 0);
    struct hq_issue in = {.service = "A", .category = HQ_NORMAL, .channel = HQ_KIOSK};
    struct hq_why why;
    struct hq_now mon_early = fx_now(2026, 3, 2, 8, 29); /* 2026-03-02 is a Monday */
    assert_int_equal(mon_early.weekday, 1);
    assert_int_equal(issue_rc(&mon_early, "h1", &in, &why), HQ_ECONFLICT);
    assert_non_null(strstr(why.message, "hours"));
    assert_non_null(strstr(why.message, "opens today at 08:30"));
    struct hq_now mon_open = fx_now(2026, 3, 2, 8, 30);
    assert_int_equal(issue_rc(&mon_open, "h2", &in, &why), 0);
    struct hq_now mon_close = fx_now(2026, 3, 2, 17, 0);
    assert_int_equal(issue_rc(&mon_close, "h3", &in, &why), HQ_ECONFLICT);
    struct hq_now sat = fx_now(2026, 3, 7, 10, 0);
    assert_int_equal(sat.weekday, 6);
    assert_int_equal(issue_rc(&sat, "h4", &in, &why), HQ_ECONFLICT);
    assert_non_null(strstr(why.message, "opens on Monday at 08:30"));
    /* a service with its own hours uses them, not the hall's */
    struct hq_service s = *hq_service_find(&H, "CD");
    hq_hours_clear(&s.hours, true);
    for (int d = 0; d < 7; d++)
        assert_int_equal(hq_hours_add(&s.hours, d, 600, 660), 0);
    assert_int_equal(hq_service_put(&H, &s, &why), 0);
    in.service = "CD";
    assert_int_equal(issue_rc(&sat, "h5", &in, &why), 0); /* Saturday 10:00 */
    assert_int_equal(issue_rc(&mon_open, "h6", &in, &why), HQ_ECONFLICT);
    /* no hours at all: always open */
    H.conf.hours.has_hours = false;
    in.service = "A";
    assert_int_equal(issue_rc(&sat, "h7", &in, &why), 0);
    /* hours validation */
    s.hours.open[3][0] = 700;
    s.hours.close[3][0] = 600;
    assert_int_equal(hq_service_put(&H, &s, &why), HQ_EINVAL);
    assert_string_equal(why.field, "hours");
}

static void test_issue_refusals(void **state)
{
    (void)state;
    struct hq_now now = fx_now(2026, 3, 2, 9, 0);
    struct hq_why why;
    struct hq_issue in = {.service = "Z", .category = HQ_NORMAL, .channel = HQ_KIOSK};
    assert_int_equal(issue_rc(&now, "r1", &in, &why), HQ_EINVAL);
    assert_string_equal(why.field, "service");
    assert_string_equal(why.message, "service: no service with code 'Z'");
    in.service = NULL;
    assert_int_equal(issue_rc(&now, "r1", &in, &why), HQ_EINVAL);
    in.service = "A";
    in.next[0] = "B";
    in.next[1] = "Q";
    in.n_next = 2;
    assert_int_equal(issue_rc(&now, "r1", &in, &why), HQ_EINVAL);
    assert_string_equal(why.field, "next_services");
    in.n_next = HQ_NEXT_MAX + 1;
    assert_int_equal(issue_rc(&now, "r1", &in, &why), HQ_EINVAL);
    in.n_next = 0;
    in.category = HQ_APPOINTMENT;
    assert_int_equal(issue_rc(&now, "r1", &in, &why), HQ_EINVAL);
    assert_string_equal(why.field, "appointment_at");
    in.category = (enum hq_category)7;
    assert_int_equal(issue_rc(&now, "r1", &in, &why), HQ_EINVAL);
    assert_string_equal(why.field, "category");
    in.category = HQ_NORMAL;
    in.channel = (enum hq_channel)9;
    assert_int_equal(issue_rc(&now, "r1", &in, &why), HQ_EINVAL);
    assert_string_equal(why.field, "channel");
    in.channel = HQ_WEB;
    in.phone = "138-1234<script>";
    assert_int_equal(issue_rc(&now, "r1", &in, &why), HQ_EINVAL);
    assert_string_equal(why.field, "phone");
    in.phone = "138 1234 5678";
    /* bad ids are a caller bug */
    assert_int_equal(issue_rc(&now, "", &in, &why), HQ_EINTERNAL);
    assert_int_equal(issue_rc(&now, "ABC", &in, &why), HQ_EINTERNAL);
    /* disabled service */
    struct hq_service s = *hq_service_find(&H, "A");
    s.enabled = false;
    assert_int_equal(hq_service_put(&H, &s, &why), 0);
    assert_int_equal(issue_rc(&now, "r1", &in, &why), HQ_ECONFLICT);
    assert_non_null(strstr(why.message, "disabled"));
    in.service = "B";
    in.next[0] = "A";
    in.n_next = 1;
    assert_int_equal(issue_rc(&now, "r1", &in, &why), HQ_ECONFLICT);
    assert_string_equal(why.field, "next_services");
    in.n_next = 0;
    /* suspended hall: 503 before anything else */
    H.conf.suspended = true;
    snprintf(H.conf.suspend_reason, sizeof H.conf.suspend_reason, "fire drill");
    assert_int_equal(issue_rc(&now, "r1", &in, &why), HQ_ESUSPENDED);
    assert_non_null(strstr(why.message, "fire drill"));
    assert_int_equal(hq_err_http_status(why.code), 503);
    /* nothing was issued by any of these */
    assert_int_equal(H.n_tickets, 0);
    assert_int_equal(hq_service_find(&H, "B")->seq, 0);
    H.conf.suspended = false;
    assert_int_equal(issue_rc(&now, "r1", &in, &why), 0);
    struct hq_ticket *t = hq_ticket_find(&H, "r1");
    assert_string_equal(t->phone, "138 1234 5678");
    assert_int_equal(t->channel, HQ_WEB);
    /* the same id twice is a bug, refused */
    assert_int_equal(issue_rc(&now, "r1", &in, &why), HQ_EINTERNAL);
    assert_int_equal(H.n_tickets, 1);
}

static void test_issue_multi_and_appointment(void **state)
{
    (void)state;
    struct hq_now now = fx_now(2026, 3, 2, 9, 0);
    struct hq_issue in = {.service = "A", .category = HQ_APPOINTMENT, .channel = HQ_GUIDE};
    in.appointment_at = now.t + 1800;
    in.next[0] = "B";
    in.next[1] = "CD";
    in.n_next = 2;
    struct hq_ticket *t = NULL;
    struct hq_why why;
    assert_int_equal(hq_ticket_issue(&H, &now, "m1", &in, &t, &why), 0);
    assert_int_equal(t->n_next, 2);
    assert_string_equal(t->next[0], "B");
    assert_string_equal(t->next[1], "CD");
    assert_int_equal(t->appointment_at, now.t + 1800);
    assert_int_equal(t->stage, 0);
    /* appointment_at is ignored for other categories */
    in.category = HQ_PRIORITY;
    in.n_next = 0;
    assert_int_equal(hq_ticket_issue(&H, &now, "m2", &in, &t, &why), 0);
    assert_int_equal(t->appointment_at, 0);
}

static void test_cancel_requeue(void **state)
{
    (void)state;
    struct hq_now now = fx_now(2026, 3, 2, 9, 0);
    struct hq_why why;
    const char *a = fx_keep(fx_issue(&H, &now, "A"));
    struct hq_ticket *t = hq_ticket_find(&H, a);
    assert_int_equal(hq_ticket_requeue(&H, &now, t, false, &why), HQ_ECONFLICT);
    assert_int_equal(hq_ticket_cancel(&H, &now, t, &why), 0);
    assert_int_equal(t->status, HQ_CANCELLED);
    assert_int_equal(t->finished_at, now.t);
    assert_int_equal(hq_ticket_cancel(&H, &now, t, &why), HQ_ECONFLICT);
    assert_non_null(strstr(why.message, "cancelled"));
    assert_int_equal(hq_err_http_status(why.code), 409);

    /* requeue a no-show: waits again, from now or keeping its place */
    const char *b = fx_keep(fx_issue(&H, &now, "A"));
    t = hq_ticket_find(&H, b);
    t->status = HQ_NO_SHOW;
    t->window = 1;
    t->called_at = now.t + 10;
    t->calls = 2;
    struct hq_now later = fx_after(&now, 600);
    assert_int_equal(hq_ticket_requeue(&H, &later, t, false, &why), 0);
    assert_int_equal(t->status, HQ_WAITING);
    assert_int_equal(t->queued_at, later.t);
    assert_int_equal(t->issued_at, now.t);
    assert_int_equal(t->window, 0);
    assert_int_equal(t->calls, 0);
    assert_int_equal(t->called_at, 0);
    t->status = HQ_NO_SHOW;
    assert_int_equal(hq_ticket_requeue(&H, &later, t, true, &why), 0);
    assert_int_equal(t->queued_at, later.t); /* kept the (requeued) place */
    /* a no-show of yesterday cannot come back */
    t->status = HQ_NO_SHOW;
    struct hq_now tomorrow = fx_after(&now, 86400);
    assert_int_equal(hq_ticket_requeue(&H, &tomorrow, t, false, &why), HQ_ECONFLICT);
    assert_int_equal(t->status, HQ_NO_SHOW);
}

static int expired_count;
static void on_expired(void *ctx, struct hq_ticket *t)
{
    (void)ctx;
    assert_int_equal(t->status, HQ_EXPIRED);
    expired_count++;
}

static void test_day_roll(void **state)
{
    (void)state;
    fx_window(&H, 1, "A B");
    fx_staff(&H, "li", HQ_ROLE_CLERK, "A B", 20301231);
    struct hq_now now = fx_now(2026, 3, 2, 9, 0);
    assert_int_equal(hq_day_roll(&H, &now, false, NULL, NULL), 0);
    assert_int_equal(H.day, 20260302);
    const char *a1 = fx_keep(fx_issue(&H, &now, "A"));
    const char *a2 = fx_keep(fx_issue(&H, &now, "A"));
    const char *a3 = fx_keep(fx_issue(&H, &now, "A"));
    const char *b1 = fx_keep(fx_issue(&H, &now, "B"));
    struct hq_window *w = fx_open(&H, &now, 1, "li");
    struct hq_ticket *t = NULL;
    struct hq_why why;
    assert_int_equal(hq_window_call_next(&H, &now, w, &t, &why), 0);
    assert_string_equal(t->id, a1); /* called, left at the window over night */
    assert_int_equal(hq_ticket_cancel(&H, &now, hq_ticket_find(&H, a2), &why), 0);

    /* same day: nothing expires (no expire_at_close without hours) */
    struct hq_now evening = fx_now(2026, 3, 2, 23, 0);
    assert_int_equal(hq_day_roll(&H, &evening, true, on_expired, NULL), 0);

    struct hq_now next = fx_now(2026, 3, 3, 8, 0);
    expired_count = 0;
    assert_int_equal(hq_day_roll(&H, &next, false, on_expired, NULL), 3);
    assert_int_equal(expired_count, 3);
    assert_int_equal(hq_ticket_find(&H, a1)->status, HQ_EXPIRED);
    assert_int_equal(hq_ticket_find(&H, a2)->status, HQ_CANCELLED);
    assert_int_equal(hq_ticket_find(&H, a3)->status, HQ_EXPIRED);
    assert_int_equal(hq_ticket_find(&H, b1)->status, HQ_EXPIRED);
    assert_string_equal(w->current, ""); /* the expired called ticket left the window */
    assert_int_equal(H.day, 20260303);
    /* idempotent */
    assert_int_equal(hq_day_roll(&H, &next, false, on_expired, NULL), 0);
    /* the window can call again */
    assert_int_equal(hq_window_call_next(&H, &next, w, &t, &why), 0);
    assert_null(t);

    /* expire at close: with hall hours, after closing time, today's waiting tickets expire */
    hq_hours_clear(&H.conf.hours, true);
    for (int d = 0; d < 7; d++) { /* with a lunch break: nothing expires during it */
        assert_int_equal(hq_hours_add(&H.conf.hours, d, 480, 720), 0);
        assert_int_equal(hq_hours_add(&H.conf.hours, d, 780, 1020), 0);
    }
    struct hq_now day3 = fx_now(2026, 3, 3, 16, 0);
    const char *c1 = fx_keep(fx_issue(&H, &day3, "A"));
    const char *c2 = fx_keep(fx_issue(&H, &day3, "A"));
    assert_int_equal(hq_window_call_next(&H, &day3, w, &t, &why), 0);
    assert_string_equal(t->id, c1);
    struct hq_now before_close = fx_now(2026, 3, 3, 16, 59);
    assert_int_equal(hq_day_roll(&H, &before_close, true, NULL, NULL), 0);
    struct hq_now after_close = fx_now(2026, 3, 3, 17, 0);
    assert_int_equal(hq_day_roll(&H, &after_close, false, NULL, NULL), 0);
    assert_int_equal(hq_day_roll(&H, &after_close, true, NULL, NULL), 1);
    assert_int_equal(hq_ticket_find(&H, c2)->status, HQ_EXPIRED);
    /* the called one is still with the clerk */
    assert_int_equal(hq_ticket_find(&H, c1)->status, HQ_CALLED);
    assert_string_equal(w->current, c1);
}

static void test_issue_rolls_day(void **state)
{
    (void)state;
    struct hq_now now = fx_now(2026, 3, 2, 9, 0);
    const char *a = fx_keep(fx_issue(&H, &now, "A"));
    struct hq_now next = fx_now(2026, 3, 3, 9, 0);
    fx_issue(&H, &next, "A");
    assert_int_equal(hq_ticket_find(&H, a)->status, HQ_EXPIRED);
    assert_int_equal(H.day, 20260303);
}

static void test_forget(void **state)
{
    (void)state;
    struct hq_now d1 = fx_now(2026, 3, 2, 9, 0);
    struct hq_why why;
    const char *x = fx_keep(fx_issue(&H, &d1, "A"));
    const char *y = fx_keep(fx_issue(&H, &d1, "A"));
    hq_ticket_cancel(&H, &d1, hq_ticket_find(&H, x), &why);
    struct hq_now d2 = fx_now(2026, 3, 3, 9, 0);
    const char *z = fx_keep(fx_issue(&H, &d2, "A")); /* rolls: y expires */
    assert_int_equal(H.n_tickets, 3);
    hq_hall_forget_before(&H, 20260303);
    assert_int_equal(H.n_tickets, 1);
    assert_null(hq_ticket_find(&H, x));
    assert_null(hq_ticket_find(&H, y));
    assert_ptr_equal(hq_ticket_find(&H, z), &H.tickets[0]);
    /* numbering continues */
    assert_string_equal(fx_issue(&H, &d2, "A")->number, "A002");
}

static void test_copy(void **state)
{
    (void)state;
    struct hq_now now = fx_now(2026, 3, 2, 9, 0);
    for (int i = 0; i < 50; i++)
        fx_issue(&H, &now, "A");
    struct hq_hall c;
    assert_int_equal(hq_hall_copy(&c, &H), 0);
    assert_int_equal(c.n_tickets, 50);
    assert_ptr_not_equal(c.tickets, H.tickets);
    struct hq_ticket *t = hq_ticket_find(&c, H.tickets[7].id);
    assert_ptr_equal(t, &c.tickets[7]);
    assert_string_equal(fx_issue(&c, &now, "A")->number, "A051");
    assert_int_equal(H.n_tickets, 50);
    hq_hall_release(&c);
}

static void test_err_and_names(void **state)
{
    (void)state;
    static const struct {
        int code, status;
        const char *name;
    } table[] = {
        {HQ_OK, 200, "ok"},
        {HQ_EBADJSON, 400, "bad_json"},
        {HQ_EINVAL, 400, "invalid_field"},
        {HQ_EUNAUTH, 401, "unauthenticated"},
        {HQ_EFORBIDDEN, 403, "forbidden"},
        {HQ_ENOTFOUND, 404, "not_found"},
        {HQ_ECONFLICT, 409, "conflict"},
        {HQ_ETOOLARGE, 413, "payload_too_large"},
        {HQ_EMEDIA, 415, "unsupported_media_type"},
        {HQ_ERATE, 429, "rate_limited"},
        {HQ_ESUSPENDED, 503, "suspended"},
        {HQ_ESTORE, 503, "store_unavailable"},
        {HQ_EINTERNAL, 500, "internal"},
        {HQ_ENOMETHOD, 405, "method_not_allowed"},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        assert_int_equal(hq_err_http_status(table[i].code), table[i].status);
        assert_string_equal(hq_err_name(table[i].code), table[i].name);
    }
    assert_int_equal(hq_err_http_status(-99), 500);
    assert_int_equal(hq_err_http_status(5), 500);

    struct hq_why why;
    assert_int_equal(hq_fail(&why, HQ_EINVAL, "service", "service: no service with code '%s'", "Z"),
                     HQ_EINVAL);
    assert_int_equal(why.code, HQ_EINVAL);
    assert_string_equal(why.field, "service");
    assert_string_equal(why.message, "service: no service with code 'Z'");
    assert_int_equal(hq_fail(NULL, HQ_ECONFLICT, NULL, "x"), HQ_ECONFLICT);
    char longmsg[600];
    memset(longmsg, 'x', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = '\0';
    hq_fail(&why, HQ_EINVAL, "a_field_name_much_longer_than_thirty_two_bytes", "%s", longmsg);
    assert_int_equal(strlen(why.message), sizeof why.message - 1);
    assert_int_equal(strlen(why.field), sizeof why.field - 1);

    for (int s = 0; s < HQ_STATUS_COUNT_; s++)
        assert_int_equal(hq_status_parse(hq_status_name((enum hq_status)s)), s);
    for (int c = 0; c < HQ_CATEGORY_COUNT_; c++)
        assert_int_equal(hq_category_parse(hq_category_name((enum hq_category)c)), c);
    for (int c = 0; c < HQ_CHANNEL_COUNT_; c++)
        assert_int_equal(hq_channel_parse(hq_channel_name((enum hq_channel)c)), c);
    for (int r = 1; r < HQ_ROLE_COUNT_; r++)
        assert_int_equal(hq_role_parse(hq_role_name((enum hq_role)r)), r);
    assert_string_equal(hq_status_name(HQ_NO_SHOW), "no_show");
    assert_string_equal(hq_win_state_name(HQ_WIN_PAUSED), "paused");
    assert_string_equal(hq_status_name((enum hq_status)99), "unknown");
    assert_int_equal(hq_role_parse("none"), -1);
    assert_int_equal(hq_status_parse("Waiting"), -1);
    assert_int_equal(hq_status_parse(NULL), -1);
    assert_int_equal(hq_category_parse(""), -1);
}

static void test_mask_phone(void **state)
{
    (void)state;
    char out[HQ_PHONE_MAX];
    hq_mask_phone(out, "13812345678");
    assert_string_equal(out, "138****5678");
    hq_mask_phone(out, "+8613812345678");
    assert_string_equal(out, "+86*******5678");
    hq_mask_phone(out, "12345678");
    assert_string_equal(out, "****5678");
    hq_mask_phone(out, "1234567");
    assert_string_equal(out, "*******");
    hq_mask_phone(out, "");
    assert_string_equal(out, "");
    hq_mask_phone(out, NULL);
    assert_string_equal(out, "");
    hq_mask_phone(out, "1234567890123456789012345678901234567890");
    assert_true(strlen(out) <= HQ_PHONE_MAX - 1);
    assert_memory_equal(out, "123", 3);
    assert_string_equal(out + strlen(out) - 4, "7890");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_numbering, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbering_past_999, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbering_survives_reload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quota, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers_exhausted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hours, setup, teardown),
        cmocka_unit_test_setup_teardown(test_issue_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_issue_multi_and_appointment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_requeue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_day_roll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_issue_rolls_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
        cmocka_unit_test(test_err_and_names),
        cmocka_unit_test(test_mask_phone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
