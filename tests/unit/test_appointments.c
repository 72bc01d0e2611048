/* SPDX-License-Identifier: MIT */
/*
 * test_appointments.c — the appointment use cases (src/app/uc_appointments.c) on a real SQLite file
 * with a fake clock: check-in before its window opens (409 saying when), a booking not checked in
 * by the end of its late window becomes `missed` at the next tick (and check-in then says so),
 * check-in in time makes an appointment ticket at the slot's start, a cancelled booking is never
 * missed, the counts, and the settings and bookable flag surviving a restart.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app_int.h"
#include "app/hq_appointments.h"
#include "test_app_fixture.h"

struct fx {
    char dir[64], db[128];
    struct fake clk;
    struct hq_app *a;
    struct hq_actor admin, guide, public;
};

#define T0 1795741200 /* 2026-11-27 09:00 +08:00, a Friday */

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    afx_dir(f->dir, sizeof f->dir, f->db, sizeof f->db, "appt");
    f->clk.t = T0;
    f->a = afx_open(f->db, &f->clk);
    assert_non_null(f->a);
    afx_actor(&f->admin, HQ_ROLE_ADMIN, "admin");
    afx_actor(&f->guide, HQ_ROLE_GUIDE, "guide1");
    snprintf(f->public.ip, sizeof f->public.ip, "10.0.0.9");
    struct hq_why why;
    json_t *out = NULL;
    json_t *in = json_pack("{s:s,s:s,s:i,s:{s:s}}", "code", "A", "name", "社保业务",
                           "avg_service_s", 300, "hours", "fri", "09:00-12:00,13:30-17:00");
    ok(hq_app_service_create(f->a, &f->admin, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    in = json_pack("{s:i,s:[s]}", "number", 1, "services", "A");
    ok(hq_app_window_create(f->a, &f->admin, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    in = json_pack("{s:b}", "bookable", 1);
    ok(hq_app_service_update(f->a, &f->admin, "A", in, &out, &why), &why);
    assert_true(json_is_true(json_object_get(out, "bookable")));
    json_decref(in);
    json_decref(out);
    in = json_pack("{s:i,s:i,s:f,s:i,s:i}", "slot_minutes", 30, "capacity", 4, "walk_in_share", 0.5,
                   "checkin_early_minutes", 30, "checkin_late_minutes", 15);
    ok(hq_app_appointment_settings_put(f->a, &f->admin, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    afx_close(f->a, f->dir);
    free(f);
    return 0;
}

static json_t *book(struct fx *f, const char *start, const char *phone)
{
    struct hq_why why;
    json_t *out = NULL;
    json_t *in = json_pack("{s:s,s:s,s:s}", "service", "A", "start", start, "phone", phone);
    ok(hq_app_appointment_book(f->a, &f->public, in, &out, &why), &why);
    json_decref(in);
    return out;
}

static const char *status_of(struct fx *f, json_t *b)
{
    static char buf[16];
    struct hq_why why;
    json_t *out = NULL;
    ok(hq_app_appointment_get(f->a, json_string_value(json_object_get(b, "id")), &out, &why), &why);
    snprintf(buf, sizeof buf, "%s", json_string_value(json_object_get(out, "status")));
    json_decref(out);
    return buf;
}

static int checkin(struct fx *f, json_t *b, json_t **ticket, struct hq_why *why)
{
    json_t *in = json_pack("{s:O}", "code", json_object_get(b, "code"));
    int rc = hq_app_appointment_checkin(f->a, &f->guide, in, ticket, why);
    json_decref(in);
    return rc;
}

static void slots_today_skip_the_past_and_lunch(void **state)
{
    struct fx *f = *state;
    struct hq_why why;
    json_t *out = NULL;
    f->clk.t = T0 + 3600; /* 10:00 */
    ok(hq_app_appointment_slots(f->a, "A", "2026-11-27", &out, &why), &why);
    json_t *s = json_object_get(out, "slots");
    /* 10:30 11:00 11:30, then 13:30 … 16:30 (7): the 10:00 slot has begun */
    assert_int_equal(json_array_size(s), 3 + 7);
    assert_string_equal(json_string_value(json_object_get(json_array_get(s, 0), "start")),
                        "2026-11-27T10:30:00+08:00");
    assert_string_equal(json_string_value(json_object_get(json_array_get(s, 3), "start")),
                        "2026-11-27T13:30:00+08:00");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(s, 0), "available")), 2);
    json_decref(out);
    /* Saturday: closed */
    ok(hq_app_appointment_slots(f->a, "A", "2026-11-28", &out, &why), &why);
    assert_int_equal(json_array_size(json_object_get(out, "slots")), 0);
    json_decref(out);
}

static void missed_after_the_late_window(void **state)
{
    struct fx *f = *state;
    struct hq_why why;
    json_t *t = NULL;
    json_t *b = book(f, "2026-11-27T10:00:00+08:00", "13800000001");
    json_t *c = book(f, "2026-11-27T10:00:00+08:00", "13800000002");
    json_t *in = NULL;
    /* 09:00: check-in opens at 09:30 */
    assert_int_equal(checkin(f, b, &t, &why), HQ_ECONFLICT);
    assert_non_null(strstr(why.message, "opens at"));
    assert_non_null(strstr(why.message, "09:30"));
    /* c is cancelled: never missed */
    ok(hq_app_appointment_cancel(f->a, &f->public, json_string_value(json_object_get(c, "id")), &in,
                                 &why),
       &why);
    json_decref(in);
    /* 10:15 exactly is still in time; a tick then changes nothing */
    f->clk.t = T0 + 3600 + 15 * 60;
    hq__app_tick(f->a);
    assert_string_equal(status_of(f, b), "booked");
    /* 10:16: the next tick marks it missed */
    f->clk.t += 60;
    hq__app_tick(f->a);
    assert_string_equal(status_of(f, b), "missed");
    assert_string_equal(status_of(f, c), "cancelled");
    assert_int_equal(checkin(f, b, &t, &why), HQ_ECONFLICT);
    assert_non_null(strstr(why.message, "missed"));
    json_t *counts = hq__appointments_counts(f->a, 20261127, 20261127);
    assert_int_equal(json_integer_value(json_object_get(counts, "missed")), 1);
    assert_int_equal(json_integer_value(json_object_get(counts, "cancelled")), 1);
    json_decref(counts);
    json_decref(b);
    json_decref(c);
}

static void checked_in_in_time_gets_an_appointment_ticket(void **state)
{
    struct fx *f = *state;
    struct hq_why why;
    json_t *t = NULL, *out = NULL;
    json_t *b = book(f, "2026-11-27T11:00:00+08:00", "13800000003");
    f->clk.t = T0 + 2 * 3600 - 10 * 60; /* 10:50 */
    ok(checkin(f, b, &t, &why), &why);
    assert_string_equal(json_string_value(json_object_get(t, "category")), "appointment");
    assert_string_equal(json_string_value(json_object_get(t, "appointment_at")),
                        "2026-11-27T11:00:00+08:00");
    assert_null(json_object_get(t, "phone"));
    ok(hq_app_appointment_get(f->a, json_string_value(json_object_get(b, "id")), &out, &why), &why);
    assert_string_equal(json_string_value(json_object_get(out, "status")), "checked_in");
    assert_string_equal(json_string_value(json_object_get(out, "ticket")),
                        json_string_value(json_object_get(t, "id")));
    json_decref(out);
    /* the ticket keeps the booking's phone for notifications (staff see it masked) */
    pthread_mutex_lock(&f->a->mu);
    struct hq_ticket *tk = hq_ticket_find(&f->a->hall, json_string_value(json_object_get(t, "id")));
    assert_non_null(tk);
    assert_string_equal(tk->phone, "13800000003");
    pthread_mutex_unlock(&f->a->mu);
    /* long after: a checked-in booking is never missed */
    f->clk.t = T0 + 4 * 3600;
    hq__app_tick(f->a);
    assert_string_equal(status_of(f, b), "checked_in");
    json_decref(t);
    json_decref(b);
}

static void settings_survive_a_restart(void **state)
{
    struct fx *f = *state;
    hq_app_close(f->a);
    f->a = afx_open(f->db, &f->clk);
    assert_non_null(f->a);
    json_t *out = NULL;
    ok(hq_app_appointment_settings_get(f->a, &out), &(struct hq_why){0});
    assert_int_equal(json_integer_value(json_object_get(out, "capacity")), 4);
    assert_string_equal(json_string_value(json_array_get(json_object_get(out, "bookable"), 0)),
                        "A");
    json_decref(out);
    ok(hq_app_services_list(f->a, &out), &(struct hq_why){0});
    assert_true(json_is_true(json_object_get(json_array_get(out, 0), "bookable")));
    json_decref(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(slots_today_skip_the_past_and_lunch, setup, teardown),
        cmocka_unit_test_setup_teardown(missed_after_the_late_window, setup, teardown),
        cmocka_unit_test_setup_teardown(checked_in_in_time_gets_an_appointment_ticket, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(settings_survive_a_restart, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
