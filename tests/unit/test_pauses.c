/* SPDX-License-Identifier: MIT */
/*
 * test_pauses.c — the paused time of GET /stats (uc_pauses.c, clause 5.3.6) on a real SQLite file
 * with a fake clock, every length worked out by hand: window 1 (clerk1) pauses for 休息 300 s,
 * for 系统故障 300 s ended by closing the window, and after reopening for 休息 300 s more; window 2
 * (clerk2) pauses for 会议 and is still paused when the figures are read (1600 s to "now",
 * running 1). The next day has none of them: a pause counts in the period it began in.
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

#include "app/hq_app.h"
#include "test_app_fixture.h"

struct fx {
    char dir[64], db[128];
    struct fake clk;
    struct hq_app *a;
    struct hq_actor admin, c1, c2;
};

#define T0 1795741200 /* 2026-11-27 09:00 +08:00 */

static void act(struct fx *f, const struct hq_actor *who, int w, const char *action,
                const char *reason, int64_t at)
{
    f->clk.t = at;
    struct hq_why why = {0};
    json_t *out = NULL, *in = reason ? json_pack("{s:s}", "reason", reason) : NULL;
    ok(hq_app_window_action(f->a, who, w, action, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    afx_dir(f->dir, sizeof f->dir, f->db, sizeof f->db, "pauses");
    f->clk.t = T0 - 600;
    f->a = afx_open(f->db, &f->clk);
    assert_non_null(f->a);
    afx_actor(&f->admin, HQ_ROLE_ADMIN, "admin");
    f->c1.role = f->c2.role = HQ_ROLE_CLERK;
    snprintf(f->c1.username, sizeof f->c1.username, "clerk1");
    snprintf(f->c2.username, sizeof f->c2.username, "clerk2");
    afx_create(f->a, &f->admin, hq_app_service_create,
               json_pack("{s:s,s:s,s:i}", "code", "A", "name", "社保业务", "avg_service_s", 300));
    for (int w = 1; w <= 2; w++)
        afx_create(f->a, &f->admin, hq_app_window_create,
                   json_pack("{s:i,s:s,s:[s]}", "number", w, "name", w == 1 ? "1号窗口" : "2号窗口",
                             "services", "A"));
    for (int c = 1; c <= 2; c++)
        afx_create(f->a, &f->admin, hq_app_staff_create,
                   json_pack("{s:s,s:s,s:s,s:s,s:[{s:s,s:s}]}", "username",
                             c == 1 ? "clerk1" : "clerk2", "name", c == 1 ? "王芳" : "李强", "role",
                             "clerk", "password", "secret-pass", "certifications", "service", "A",
                             "expires_on", "2030-01-01"));
    afx_create(f->a, &f->admin, hq_app_hall_update, json_pack("{s:n}", "hours"));
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

static json_int_t gi(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v)) fail_msg("%s is not an integer", k);
    return json_integer_value(v);
}

/* The reason r of a block: {n, total_s}, or fail. */
static json_t *reason(json_t *block, const char *r)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(block, "by_reason"), i, x)
    {
        if (strcmp(json_string_value(json_object_get(x, "reason")), r) == 0) return x;
    }
    fail_msg("no reason %s", r);
    return NULL;
}

static void test_pauses(void **state)
{
    struct fx *f = *state;
    act(f, &f->c1, 1, "open", NULL, T0);
    act(f, &f->c2, 2, "open", NULL, T0);
    act(f, &f->c1, 1, "pause", "休息", T0 + 600);
    act(f, &f->c1, 1, "resume", NULL, T0 + 900); /* 300 s */
    act(f, &f->c1, 1, "pause", "系统故障", T0 + 1200);
    act(f, &f->c1, 1, "close", NULL, T0 + 1500); /* 300 s: a close ends the pause */
    act(f, &f->c1, 1, "open", NULL, T0 + 1600);
    act(f, &f->c1, 1, "pause", "休息", T0 + 1700);
    act(f, &f->c1, 1, "resume", NULL, T0 + 2000);  /* 300 s */
    act(f, &f->c2, 2, "pause", "会议", T0 + 2000); /* still paused at T0 + 3600 */
    f->clk.t = T0 + 3600;

    struct hq_why why = {0};
    json_t *out = NULL;
    ok(hq_app_stats(f->a, "2026-11-27", NULL, &out, &why), &why);
    json_t *p = json_object_get(out, "pauses");
    assert_non_null(p);
    json_t *tot = json_object_get(p, "total");
    assert_int_equal(gi(tot, "n"), 4);
    assert_int_equal(gi(tot, "total_s"), 300 + 300 + 300 + 1600);
    assert_int_equal(gi(p, "running"), 1);
    /* the longest reason first: 会议 1600, 休息 600, 系统故障 300 */
    json_t *br = json_object_get(tot, "by_reason");
    assert_string_equal(json_string_value(json_object_get(json_array_get(br, 0), "reason")),
                        "会议");
    assert_int_equal(gi(reason(tot, "休息"), "n"), 2);
    assert_int_equal(gi(reason(tot, "休息"), "total_s"), 600);
    assert_int_equal(gi(reason(tot, "系统故障"), "total_s"), 300);

    json_t *wins = json_object_get(p, "windows");
    assert_int_equal(json_array_size(wins), 2);
    json_t *w1 = json_array_get(wins, 0), *w2 = json_array_get(wins, 1);
    assert_int_equal(gi(w1, "window"), 1);
    assert_string_equal(json_string_value(json_object_get(w1, "name")), "1号窗口");
    assert_int_equal(gi(w1, "n"), 3);
    assert_int_equal(gi(w1, "total_s"), 900);
    assert_int_equal(gi(w2, "total_s"), 1600);

    json_t *staff = json_object_get(p, "staff");
    assert_int_equal(json_array_size(staff), 2);
    json_t *s1 = json_array_get(staff, 0);
    assert_string_equal(json_string_value(json_object_get(s1, "username")), "clerk1");
    assert_string_equal(json_string_value(json_object_get(s1, "name")), "王芳");
    assert_int_equal(gi(s1, "total_s"), 900);
    assert_int_equal(gi(json_array_get(staff, 1), "total_s"), 1600);
    json_decref(out);

    /* The next day: the pause still running began the day before, so it is not counted. */
    f->clk.t = T0 + 86400;
    out = NULL;
    ok(hq_app_stats(f->a, "2026-11-28", NULL, &out, &why), &why);
    assert_int_equal(gi(json_object_get(json_object_get(out, "pauses"), "total"), "n"), 0);
    json_decref(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pauses, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
