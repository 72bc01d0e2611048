/* SPDX-License-Identifier: MIT */
/*
 * test_stats_app.c — the statistics use case on a real SQLite file with a fake clock: a morning
 * scripted through the real use cases (tickets issued, called, served, a no-show, evaluations, a
 * complaint naming the window) and every figure of GET /api/v1/stats worked out by hand from the
 * script, the event log's counts beside them, the comparison of two windows, the report as CSV
 * and the refusals of bad periods.
 */
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/hq_app.h"
#include "test_app_fixture.h"

struct fx {
    char dir[64], db[128];
    struct fake clk;
    struct hq_app *a;
    struct hq_actor admin, clerk, public;
};

#define T0 1795741200 /* 2026-11-27 09:00 +08:00 */

static char *issue(struct fx *f, const char *svc)
{
    struct hq_why why = {0};
    json_t *out = NULL, *in = json_pack("{s:s,s:s,s:s}", "service", svc, "category", "normal",
                                        "channel", "kiosk");
    ok(hq_app_ticket_issue(f->a, &f->public, in, &out, &why), &why);
    json_decref(in);
    char *id = strdup(json_string_value(json_object_get(out, "id")));
    json_decref(out);
    return id;
}

static void act(struct fx *f, int w, const char *action, int64_t at)
{
    f->clk.t = at;
    struct hq_why why = {0};
    json_t *out = NULL;
    ok(hq_app_window_action(f->a, &f->clerk, w, action, NULL, &out, &why), &why);
    json_decref(out);
}

static void evaluate(struct fx *f, const char *id, int level)
{
    struct hq_why why = {0};
    json_t *out = NULL, *in = json_pack("{s:s,s:i,s:[s]}", "ticket", id, "level", level, "reasons",
                                        level >= 4 ? "态度好" : "等候久");
    ok(hq_app_evaluation_create(f->a, &f->public, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    afx_dir(f->dir, sizeof f->dir, f->db, sizeof f->db, "stats-app");
    f->clk.t = T0;
    f->a = afx_open(f->db, &f->clk);
    assert_non_null(f->a);
    afx_actor(&f->admin, HQ_ROLE_ADMIN, "admin");
    afx_actor(&f->clerk, HQ_ROLE_CLERK, "clerk1");
    snprintf(f->public.ip, sizeof f->public.ip, "10.0.0.9");
    afx_create(f->a, &f->admin, hq_app_service_create,
               json_pack("{s:s,s:s,s:s,s:i}", "code", "A", "name", "社保业务", "name_en",
                         "Social security", "avg_service_s", 300));
    afx_create(f->a, &f->admin, hq_app_service_create,
               json_pack("{s:s,s:s,s:i}", "code", "B", "name", "医保", "avg_service_s", 200));
    afx_create(
        f->a, &f->admin, hq_app_window_create,
        json_pack("{s:i,s:s,s:[s,s]}", "number", 1, "name", "1号窗口", "services", "A", "B"));
    afx_create(f->a, &f->admin, hq_app_window_create,
               json_pack("{s:i,s:[s]}", "number", 2, "services", "B"));
    afx_create(f->a, &f->admin, hq_app_staff_create,
               json_pack("{s:s,s:s,s:s,s:s,s:[{s:s,s:s},{s:s,s:s}]}", "username", "clerk1", "name",
                         "王芳", "role", "clerk", "password", "secret-pass", "certifications",
                         "service", "A", "expires_on", "2030-01-01", "service", "B", "expires_on",
                         "2030-01-01"));
    json_t *in = json_pack("{s:n,s:i}", "hours", "target_wait_s", 900);
    afx_create(f->a, &f->admin, hq_app_hall_update, in);
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

/* A duration: exact seconds in the JSON (rounded once, for display), compared here whole. */
static json_int_t getn(json_t *o, const char *a, const char *b)
{
    json_t *v = json_object_get(o, a);
    if (b) v = json_object_get(v, b);
    if (!json_is_number(v)) fail_msg("%s.%s is not a number", a, b ? b : "");
    return (json_int_t)llround(json_number_value(v));
}

static json_int_t geti(json_t *o, const char *a, const char *b)
{
    json_t *v = json_object_get(o, a);
    if (b) v = json_object_get(v, b);
    if (!json_is_integer(v)) fail_msg("%s.%s is not an integer", a, b ? b : "");
    return json_integer_value(v);
}

/* The morning: A001 and A002 at 09:00, B001 at 09:01. Window 1 calls A001 at 09:02 (wait 120),
 * serves it 09:03–09:08 (300 s), evaluated 5; calls A002 at 09:10 (wait 600), serves it
 * 09:11–09:15 (240 s), evaluated 2; calls B001 at 09:20 (wait 1140, over the 900 s target) and
 * marks it a no-show. A complaint names window 1. */
static void script(struct fx *f)
{
    f->clk.t = T0;
    act(f, 1, "open", T0);
    char *a1 = issue(f, "A"), *a2 = issue(f, "A");
    f->clk.t = T0 + 60;
    char *b1 = issue(f, "B");
    act(f, 1, "call-next", T0 + 120);
    act(f, 1, "start", T0 + 180);
    act(f, 1, "finish", T0 + 480);
    evaluate(f, a1, 5);
    act(f, 1, "call-next", T0 + 600);
    act(f, 1, "start", T0 + 660);
    act(f, 1, "finish", T0 + 900);
    evaluate(f, a2, 2);
    act(f, 1, "call-next", T0 + 1200);
    act(f, 1, "no-show", T0 + 1260);
    struct hq_why why = {0};
    json_t *out = NULL, *in = json_pack("{s:s,s:s,s:i}", "channel", "web", "content",
                                        "窗口人员态度差", "window", 1);
    ok(hq_app_complaint_create(f->a, &f->public, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    f->clk.t = T0 + 3600;
    free(a1);
    free(a2);
    free(b1);
}

static void test_day_figures(void **state)
{
    struct fx *f = *state;
    script(f);
    struct hq_why why = {0};
    json_t *s = NULL;
    ok(hq_app_stats(f->a, "2026-11-27", NULL, &s, &why), &why);
    assert_string_equal(json_string_value(json_object_get(s, "from")), "2026-11-27");
    assert_string_equal(json_string_value(json_object_get(s, "to")), "2026-11-27");
    json_t *t = json_object_get(s, "total");
    assert_int_equal(geti(t, "counts", "issued"), 3);
    assert_int_equal(geti(t, "counts", "called"), 3);
    assert_int_equal(geti(t, "counts", "served"), 2);
    assert_int_equal(geti(t, "counts", "no_show"), 1);
    /* waits 120, 600, 1140: mean 620, median 600, p90 = 600 + 0.8·540 = 1032; 2 within 900 */
    assert_int_equal(getn(t, "wait", "mean_s"), 620);
    assert_int_equal(getn(t, "wait", "median_s"), 600);
    assert_int_equal(getn(t, "wait", "p90_s"), 1032);
    assert_int_equal(getn(t, "wait", "max_s"), 1140);
    assert_int_equal(geti(t, "wait", "within_target"), 2);
    /* services 300 and 240 */
    assert_int_equal(getn(t, "service", "mean_s"), 270);
    assert_int_equal(getn(t, "service", "p90_s"), 294);
    /* levels 5 and 2: rate 0.5, mean 3.5, index 62.5 */
    json_t *sat = json_object_get(t, "satisfaction");
    assert_int_equal(geti(sat, "n", NULL), 2);
    assert_int_equal(geti(sat, "levels", "5"), 1);
    assert_int_equal(geti(sat, "levels", "2"), 1);
    assert_true(json_real_value(json_object_get(sat, "rate")) == 0.5);
    assert_true(json_real_value(json_object_get(sat, "index")) == 62.5);
    assert_int_equal(geti(t, "complaints", NULL), 1);
    /* services: A first (configured order) */
    json_t *a = json_array_get(json_object_get(s, "services"), 0);
    assert_string_equal(json_string_value(json_object_get(a, "key")), "A");
    assert_string_equal(json_string_value(json_object_get(a, "name")), "社保业务");
    assert_int_equal(geti(a, "counts", "issued"), 2);
    assert_int_equal(getn(a, "wait", "mean_s"), 360);
    /* window 1 did everything and has the complaint; window 2 nothing */
    json_t *w1 = json_array_get(json_object_get(s, "windows"), 0);
    json_t *w2 = json_array_get(json_object_get(s, "windows"), 1);
    assert_string_equal(json_string_value(json_object_get(w1, "name")), "1号窗口");
    assert_int_equal(geti(w1, "counts", "called"), 3);
    assert_int_equal(geti(w1, "complaints", NULL), 1);
    assert_int_equal(geti(w2, "counts", "called"), 0);
    /* the clerk's scorecard: 2 served, mean 270 against the A target 300: met; rate 50% < 90% */
    json_t *c = json_array_get(json_object_get(s, "staff"), 0);
    assert_string_equal(json_string_value(json_object_get(c, "key")), "clerk1");
    assert_string_equal(json_string_value(json_object_get(c, "name")), "王芳");
    json_t *sc = json_object_get(c, "scorecard");
    assert_int_equal(geti(sc, "served", NULL), 2);
    assert_int_equal(getn(sc, "mean_service_s", NULL), 270);
    assert_int_equal(getn(sc, "target_service_s", NULL), 300);
    assert_true(json_is_true(json_object_get(sc, "service_met")));
    assert_true(json_is_false(json_object_get(sc, "satisfaction_met")));
    assert_int_equal(geti(sc, "complaints", NULL), 1);
    /* hours: only 09 */
    json_t *hours = json_object_get(s, "hours");
    assert_int_equal(json_array_size(hours), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(hours, 0), "key")), "09");
    /* the reasons given: one each */
    json_t *rs = json_object_get(s, "reasons");
    assert_int_equal(json_array_size(rs), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rs, 0), "reason")),
                        "态度好");
    assert_int_equal(geti(json_array_get(rs, 1), "n", NULL), 1);
    /* the event log over the same hours */
    json_t *src = json_object_get(s, "source");
    assert_int_equal(geti(src, "tickets", NULL), 3);
    assert_int_equal(geti(src, "evaluations", NULL), 2);
    assert_int_equal(geti(src, "events", "ticket.issued"), 3);
    assert_int_equal(geti(src, "events", "ticket.called"), 3);
    assert_int_equal(geti(src, "events", "ticket.finished"), 2);
    assert_int_equal(geti(src, "events", "ticket.no_show"), 1);
    json_decref(s);

    /* the day before has nothing */
    ok(hq_app_stats(f->a, "2026-11-26", "2026-11-26", &s, &why), &why);
    assert_int_equal(geti(json_object_get(s, "total"), "counts", "issued"), 0);
    assert_true(json_is_null(
        json_object_get(json_object_get(json_object_get(s, "total"), "wait"), "mean_s")));
    json_decref(s);

    /* windows compared: window 2 has no data, so no test is valid */
    json_t *in = json_pack("{s:s,s:s,s:s}", "from", "2026-11-27", "window_a", "1", "window_b", "2");
    ok(hq_app_stats_compare(f->a, in, &s, &why), &why);
    json_decref(in);
    assert_string_equal(json_string_value(json_object_get(s, "mode")), "windows");
    json_t *tests = json_object_get(s, "tests");
    assert_true(
        json_is_false(json_object_get(json_object_get(tests, "satisfaction_rate"), "valid")));
    assert_int_equal(geti(json_object_get(s, "a"), "window", NULL), 1);
    json_decref(s);

    /* the report as CSV carries the same figures */
    unsigned char *csv = NULL;
    size_t len = 0;
    ok(hq_app_report(f->a, "2026-11-27", "2026-11-27", "csv", &csv, &len, &why), &why);
    char *text = strndup((const char *)csv, len);
    assert_non_null(strstr(text, "取号数,Tickets issued,3\r\n"));
    assert_non_null(strstr(text, "目标内叫号率,Called within target,66.7%\r\n"));
    assert_non_null(strstr(text, "\r\nclerk1,王芳,3,2,1,"));
    free(text);
    free(csv);
}

static void test_refusals(void **state)
{
    struct fx *f = *state;
    struct hq_why why = {0};
    json_t *s = NULL;
    assert_int_equal(hq_app_stats(f->a, "2026-02-30", NULL, &s, &why), HQ_EINVAL);
    assert_string_equal(why.field, "from");
    assert_int_equal(hq_app_stats(f->a, "2026-11-27", "2026-11-01", &s, &why), HQ_EINVAL);
    assert_string_equal(why.field, "to");
    assert_int_equal(hq_app_stats(f->a, "2025-01-01", "2026-11-27", &s, &why), HQ_EINVAL);
    assert_string_equal(why.field, "to");
    json_t *in = json_pack("{s:s}", "a_from", "2026-11-27");
    assert_int_equal(hq_app_stats_compare(f->a, in, &s, &why), HQ_EINVAL);
    assert_string_equal(why.field, "b_from");
    json_decref(in);
    in = json_pack("{s:s,s:s}", "window_a", "1", "window_b", "0");
    assert_int_equal(hq_app_stats_compare(f->a, in, &s, &why), HQ_EINVAL);
    assert_string_equal(why.field, "window_b");
    json_decref(in);
    in = json_pack("{s:s}", "period", "x");
    assert_int_equal(hq_app_stats_compare(f->a, in, &s, &why), HQ_EINVAL);
    json_decref(in);
    unsigned char *out = NULL;
    size_t len = 0;
    assert_int_equal(hq_app_report(f->a, NULL, NULL, "docx", &out, &len, &why), HQ_EINVAL);
    assert_null(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_day_figures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
