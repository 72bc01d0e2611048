/* SPDX-License-Identifier: MIT */
/*
 * test_cases.c — the parts of the 好差评 closed loop that need a clock that moves (a fake one, on a
 * real SQLite file): the working-day calendar's deadline math across weekends, holidays and
 * make-up working days (China 2026); a late rating accepted within the hall's late_rating_h and
 * refused beyond it; the default rating of an unrated stage by the job, run after the app was
 * closed and opened again (a restart) and not twice; a bad review's case due after N working days
 * of the calendar and its overdue alert once; a complaint's acknowledgement and result deadlines by
 * the same calendar; an upheld appeal dropping its day's statistics rollup (the closed day's
 * satisfaction figures before and after).
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

#include "app/hq_appointments.h"
#include "app/hq_cases.h"
#include "core/hq_booking.h"
#include "store/hq_store.h"
#include "test_app_fixture.h"

#define THU_0924 1790211600 /* 2026-09-24 09:00 +08:00, a Thursday before 中秋 and 国庆 */

struct fx {
    char dir[64];
    char db[128];
    struct fake clk;
    struct hq_app *a;
    struct hq_actor admin, mgr, clerk, public;
};

/* One use case with a body given as JSON text; returns rc, frees out. */
typedef int (*uc_fn)(struct hq_app *, const struct hq_actor *, json_t *, json_t **,
                     struct hq_why *);
static int call(struct fx *f, uc_fn fn, const struct hq_actor *who, const char *body, json_t **keep)
{
    struct hq_why why = {0};
    json_t *in = json_loads(body, 0, NULL), *out = NULL;
    assert_non_null(in);
    int rc = fn(f->a, who, in, &out, &why);
    if (rc && keep == NULL) fprintf(stderr, "(refused as expected?) %s\n", why.message);
    json_decref(in);
    if (keep)
        *keep = out;
    else
        json_decref(out);
    return rc;
}

static const char CAL2026[] =
    "{\"holidays\":[\"2026-01-01\",\"2026-01-02\",\"2026-01-03\",\"2026-02-15\",\"2026-02-16\","
    "\"2026-02-17\",\"2026-02-18\",\"2026-02-19\",\"2026-02-20\",\"2026-02-21\",\"2026-02-22\","
    "\"2026-02-23\",\"2026-04-04\",\"2026-04-05\",\"2026-04-06\",\"2026-05-01\",\"2026-05-02\","
    "\"2026-05-03\",\"2026-05-04\",\"2026-05-05\",\"2026-06-19\",\"2026-06-20\",\"2026-06-21\","
    "\"2026-09-25\",\"2026-09-26\",\"2026-09-27\",\"2026-10-01\",\"2026-10-02\",\"2026-10-03\","
    "\"2026-10-04\",\"2026-10-05\",\"2026-10-06\",\"2026-10-07\"],"
    "\"workdays\":[\"2026-01-04\",\"2026-02-14\",\"2026-02-28\",\"2026-05-09\",\"2026-09-20\","
    "\"2026-10-10\"]}";

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    afx_dir(f->dir, sizeof f->dir, f->db, sizeof f->db, "cases");
    f->clk.t = THU_0924;
    f->a = afx_open(f->db, &f->clk);
    assert_non_null(f->a);
    afx_actor(&f->admin, HQ_ROLE_ADMIN, "admin");
    afx_actor(&f->mgr, HQ_ROLE_MANAGER, "manager1");
    afx_actor(&f->clerk, HQ_ROLE_CLERK, "clerk1");
    snprintf(f->public.ip, sizeof f->public.ip, "10.0.0.9");
    struct hq_why why;
    json_t *out = NULL;
    json_t *in = json_loads(CAL2026, 0, NULL);
    ok(hq_app_calendar_put(f->a, &f->admin, "2026", in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    ok(call(f, hq_app_service_create, &f->admin,
            "{\"code\":\"A\",\"name\":\"社保\",\"avg_service_s\":300}", NULL),
       &why);
    ok(call(f, hq_app_service_create, &f->admin,
            "{\"code\":\"B\",\"name\":\"医保\",\"avg_service_s\":300}", NULL),
       &why);
    ok(call(f, hq_app_window_create, &f->admin, "{\"number\":1,\"services\":[\"A\",\"B\"]}", NULL),
       &why);
    ok(call(f, hq_app_staff_create, &f->admin,
            "{\"username\":\"clerk1\",\"name\":\"王芳\",\"role\":\"clerk\",\"password\":"
            "\"secret-pass\",\"certifications\":[{\"service\":\"A\",\"expires_on\":\"2030-01-01\"},"
            "{\"service\":\"B\",\"expires_on\":\"2030-01-01\"}]}",
            NULL),
       &why);
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

static void act(struct fx *f, const char *action, const char *body)
{
    struct hq_why why = {0};
    json_t *in = body ? json_loads(body, 0, NULL) : NULL, *out = NULL;
    ok(hq_app_window_action(f->a, &f->clerk, 1, action, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
}

/* A ticket (A, then next_services) served through its first stage at window 1; id into id[33]. */
static void served(struct fx *f, const char *body, char id[33])
{
    json_t *out = NULL;
    struct hq_why why;
    ok(call(f, hq_app_ticket_issue, &f->public, body, &out), &why);
    snprintf(id, 33, "%s", json_string_value(json_object_get(out, "id")));
    char num[64];
    snprintf(num, sizeof num, "{\"number\":\"%s\"}",
             json_string_value(json_object_get(out, "number")));
    json_decref(out);
    act(f, "call", num);
    act(f, "start", NULL);
    act(f, "finish", NULL);
}

static int rate(struct fx *f, const char *id, int level, int stage)
{
    char body[160];
    if (stage >= 0)
        snprintf(body, sizeof body, "{\"ticket\":\"%s\",\"level\":%d,\"stage\":%d}", id, level,
                 stage);
    else
        snprintf(body, sizeof body, "{\"ticket\":\"%s\",\"level\":%d}", id, level);
    return call(f, hq_app_evaluation_create, &f->public, body, NULL);
}

/* ---- calendar math (pure) ---- */

static void test_workdays_math(void **state)
{
    (void)state;
    struct hq_calendar *c = malloc(sizeof *c);
    hq_calendar_init(c);
    json_t *cal = json_loads(CAL2026, 0, NULL);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(cal, "holidays"), i, v)
    {
        const char *s = json_string_value(v);
        hq_calendar_add(c, false, atoi(s) * 10000 + atoi(s + 5) * 100 + atoi(s + 8));
    }
    json_array_foreach(json_object_get(cal, "workdays"), i, v)
    {
        const char *s = json_string_value(v);
        hq_calendar_add(c, true, atoi(s) * 10000 + atoi(s + 5) * 100 + atoi(s + 8));
    }
    json_decref(cal);
    /* an ordinary week: Friday + 5 = next Friday, over one weekend */
    assert_int_equal(hq_calendar_add_workdays(c, 20261127, 5), 20261204);
    assert_int_equal(hq_calendar_add_workdays(c, 20261127, 1), 20261130);
    /* 中秋 (Fri 25 - Sun 27 Sep) and 国庆 (1-7 Oct): Thu 24 Sep + 5 = Fri 9 Oct */
    assert_int_equal(hq_calendar_add_workdays(c, 20260924, 5), 20261009);
    /* ... + 6 = Saturday 10 Oct, a make-up working day */
    assert_int_equal(hq_calendar_add_workdays(c, 20260924, 6), 20261010);
    /* Saturday 19 Sep + 1 = Sunday 20 Sep (make-up) */
    assert_int_equal(hq_calendar_add_workdays(c, 20260919, 1), 20260920);
    /* 春节: Fri 13 Feb + 1 = Sat 14 Feb (make-up), + 2 = Tue 24 Feb (15-23 off) */
    assert_int_equal(hq_calendar_add_workdays(c, 20260213, 1), 20260214);
    assert_int_equal(hq_calendar_add_workdays(c, 20260213, 2), 20260224);
    /* 元旦: Wed 31 Dec 2025 + 1 = Sun 4 Jan 2026 */
    assert_int_equal(hq_calendar_add_workdays(c, 20251231, 1), 20260104);
    /* 劳动节 (1-5 May), make-up Sat 9 May: Thu 30 Apr + 1 = Wed 6 May, + 4 = Sat 9 May */
    assert_int_equal(hq_calendar_add_workdays(c, 20260430, 1), 20260506);
    assert_int_equal(hq_calendar_add_workdays(c, 20260430, 4), 20260509);
    assert_true(hq_calendar_is_workday(c, 20260104));
    assert_false(hq_calendar_is_workday(c, 20260101));
    assert_false(hq_calendar_is_workday(c, 20261003));
    /* without a calendar: Monday to Friday */
    assert_int_equal(hq_calendar_add_workdays(NULL, 20260924, 5), 20261001);
    free(c);
}

/* ---- late rating ---- */

static void test_late_rating(void **state)
{
    struct fx *f = *state;
    struct hq_why why;
    act(f, "open", NULL);
    char a[33], b[33];
    served(f, "{\"service\":\"A\"}", a);
    served(f, "{\"service\":\"A\"}", b);
    f->clk.t += 23 * 3600; /* within 24 h: accepted */
    ok(rate(f, a, 5, -1), &why);
    f->clk.t += 2 * 3600; /* 25 h: refused */
    assert_int_equal(rate(f, b, 5, -1), HQ_ECONFLICT);
    ok(call(f, hq_app_eval_settings_put, &f->admin, "{\"late_rating_h\":48}", NULL), &why);
    ok(rate(f, b, 4, -1), &why);                       /* the hall allows 48 h */
    assert_int_equal(rate(f, b, 4, -1), HQ_ECONFLICT); /* once */
}

/* The hall's satisfaction on one day as GET /stats gives it: n, the counts of levels la and lb,
 * the rate of satisfied. */
static void day_sat_of(struct fx *f, const char *day, const char *la, const char *lb, json_int_t *n,
                       json_int_t *a, json_int_t *b, double *rate)
{
    struct hq_why why;
    json_t *out = NULL;
    ok(hq_app_stats(f->a, day, day, &out, &why), &why);
    json_t *sat = json_object_get(json_object_get(out, "total"), "satisfaction");
    assert_non_null(sat);
    *n = json_integer_value(json_object_get(sat, "n"));
    *a = json_integer_value(json_object_get(json_object_get(sat, "levels"), la));
    *b = json_integer_value(json_object_get(json_object_get(sat, "levels"), lb));
    *rate = json_number_value(json_object_get(sat, "rate"));
    json_decref(out);
}
/* levels 1 and 5 */
static void day_sat(struct fx *f, const char *day, json_int_t *n, json_int_t *l1, json_int_t *l5,
                    double *rate)
{
    day_sat_of(f, day, "1", "5", n, l1, l5, rate);
}
/* levels 4 and 5 */
static void day_sat_levels(struct fx *f, const char *day, json_int_t *n, json_int_t *l4,
                           json_int_t *l5, double *rate)
{
    day_sat_of(f, day, "4", "5", n, l4, l5, rate);
}

/* ---- default ratings across a restart ---- */

static void test_default_after_restart(void **state)
{
    struct fx *f = *state;
    struct hq_why why;
    ok(call(f, hq_app_eval_settings_put, &f->admin,
            "{\"default_level\":4,\"default_after_days\":3}", NULL),
       &why);
    act(f, "open", NULL);
    char multi[33], rated[33];
    served(f, "{\"service\":\"A\",\"next_services\":[\"B\"]}", multi); /* stage 0 */
    served(f, "{\"service\":\"B\"}", rated);
    ok(rate(f, rated, 5, -1), &why);
    /* the job before the time: nothing */
    hq__eval_default_run(f->a, f->clk.t);
    json_t *cov = hq__eval_coverage_json(f->a, 20260924, 20260924);
    assert_int_equal(json_integer_value(json_object_get(cov, "defaulted")), 0);
    json_decref(cov);

    /* stop the server; four days pass; start it again; then the job */
    hq_app_close(f->a);
    f->a = NULL;
    f->clk.t += 4 * 86400;
    f->a = afx_open(f->db, &f->clk);
    assert_non_null(f->a);
    hq__eval_default_run(f->a, f->clk.t);
    hq__eval_default_run(f->a, f->clk.t); /* again: no second default */
    cov = hq__eval_coverage_json(f->a, 20260924, 20260924);
    assert_int_equal(json_integer_value(json_object_get(cov, "stages")), 2);
    assert_int_equal(json_integer_value(json_object_get(cov, "rated")), 1);
    assert_int_equal(json_integer_value(json_object_get(cov, "defaulted")), 1);
    assert_int_equal(json_integer_value(json_object_get(cov, "unrated")), 0);
    /* coverage counts real ratings only */
    assert_true(json_real_value(json_object_get(cov, "coverage")) == 0.5);
    json_decref(cov);
    /* the defaulted stage can no longer be rated (even with a long late window) */
    ok(call(f, hq_app_eval_settings_put, &f->admin, "{\"late_rating_h\":720}", NULL), &why);
    assert_int_equal(rate(f, multi, 2, 0), HQ_ECONFLICT);
    /* the real ratings list does not hold the default one */
    json_t *list = NULL;
    ok(hq_app_evaluations_list(f->a, 0, 0, 100, &list, &why), &why);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
    /* nor do the day's satisfaction figures: the real rating only */
    json_int_t n, l4, l5;
    double r;
    day_sat_levels(f, "2026-09-24", &n, &l4, &l5, &r);
    assert_int_equal(n, 1);
    assert_int_equal(l4, 0);
    assert_int_equal(l5, 1);
}

/* ---- cases: deadline by the calendar, overdue alert ---- */

/* How many events of type the log holds. */
struct evcount {
    const char *type;
    int n;
};
static int count_ev(void *ctx, const struct hq_event *e)
{
    struct evcount *c = ctx;
    c->n += strcmp(e->type, c->type) == 0;
    return 0;
}
static int events_of(struct fx *f, const char *type)
{
    struct evcount c = {type, 0};
    assert_int_equal(hq_app_events_since(f->a, 0, 0, count_ev, &c), 0);
    return c.n;
}

static json_t *only_case(struct fx *f)
{
    struct hq_why why;
    json_t *out = NULL;
    ok(hq_app_cases_list(f->a, &f->mgr, NULL, &out, &why), &why);
    assert_int_equal(json_array_size(json_object_get(out, "cases")), 1);
    json_t *c = json_incref(json_array_get(json_object_get(out, "cases"), 0));
    json_decref(out);
    return c;
}

static void test_case_deadline_and_alert(void **state)
{
    struct fx *f = *state;
    struct hq_why why;
    act(f, "open", NULL);
    char id[33];
    served(f, "{\"service\":\"A\"}", id);
    ok(rate(f, id, 1, -1), &why); /* Thursday 24 Sep 09:00 */
    json_t *c = only_case(f);
    /* 5 working days over 中秋 and 国庆: Friday 9 Oct */
    assert_string_equal(json_string_value(json_object_get(c, "due_by")),
                        "2026-10-09T09:00:00+08:00");
    json_decref(c);

    f->clk.t = THU_0924 + 15 * 86400 - 60; /* Fri 9 Oct 08:59: not yet */
    hq__cases_tick(f->a);
    c = only_case(f);
    assert_false(json_is_true(json_object_get(c, "overdue")));
    json_decref(c);
    assert_int_equal(events_of(f, "alert.case_overdue"), 0);
    f->clk.t += 120; /* 09:01 */
    hq__cases_tick(f->a);
    hq__cases_tick(f->a);
    /* the managers' alert (SSE alert.case_overdue, the cases page reloads on it), once */
    assert_int_equal(events_of(f, "alert.case_overdue"), 1);
    c = only_case(f);
    assert_true(json_is_true(json_object_get(c, "overdue")));
    assert_true(json_is_true(json_object_get(c, "overdue_alerted")));
    json_decref(c);
    json_t *out = NULL;
    ok(hq_app_cases_list(f->a, &f->mgr, "overdue", &out, &why), &why);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(out, "figures"), "overdue")), 1);
    json_decref(out);

    /* a hall with 15 working days: a new bad review on Friday 9 Oct 09:01 is due Thursday 29 Oct
     * (Sat 10 Oct is a make-up working day) */
    ok(call(f, hq_app_eval_settings_put, &f->admin, "{\"case_working_days\":15}", NULL), &why);
    char id2[33];
    served(f, "{\"service\":\"B\"}", id2);
    ok(rate(f, id2, 2, -1), &why);
    ok(hq_app_cases_list(f->a, &f->mgr, "open", &out, &why), &why);
    json_t *arr = json_object_get(out, "cases");
    assert_int_equal(json_array_size(arr), 2);
    bool seen = false;
    size_t i;
    json_t *k;
    json_array_foreach(arr, i, k) if (json_integer_value(json_object_get(k, "level")) == 2)
    {
        assert_string_equal(json_string_value(json_object_get(k, "due_by")),
                            "2026-10-29T09:01:00+08:00");
        seen = true;
    }
    assert_true(seen);
    json_decref(out);
}

/* ---- an upheld appeal and the day's statistics rollup ---- */

/* Is the rollup document stats_day/<key> in the store (through a handle of its own)? */
static bool rollup_stored(struct fx *f, const char *key)
{
    struct hq_why why = {0};
    struct hq_store *st = hq_store_open(f->db, &why);
    assert_non_null(st);
    char *text = NULL;
    bool found = st->vt->doc_get(st, "stats_day", key, &text) == 0 && text != NULL;
    free(text);
    hq_store_close(st);
    return found;
}

/* A closed day's figures come from its rollup document; an upheld appeal takes a rating out of
 * them, so the day's document must go (uc_cases.c) and the day be computed again without it. */
static void test_appeal_drops_rollup(void **state)
{
    struct fx *f = *state;
    struct hq_why why;
    act(f, "open", NULL);
    char bad[33], good[33];
    served(f, "{\"service\":\"A\"}", bad);
    ok(rate(f, bad, 1, -1), &why); /* Thursday 24 Sep: a very dissatisfied review, a case */
    served(f, "{\"service\":\"A\"}", good);
    ok(rate(f, good, 5, -1), &why);
    json_t *c = only_case(f);
    char id[64];
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(c, "id")));
    json_decref(c);

    /* Monday 28 Sep: the 24th is a closed day, read from (and first written to) its rollup */
    f->clk.t = THU_0924 + 4 * 86400 + 3600;
    json_int_t n, l1, l5;
    double rate0;
    day_sat(f, "2026-09-24", &n, &l1, &l5, &rate0);
    assert_int_equal(n, 2);
    assert_int_equal(l1, 1);
    assert_int_equal(l5, 1);
    assert_true(rate0 > 0.49 && rate0 < 0.51);
    assert_true(rollup_stored(f, "20260924"));
    day_sat(f, "2026-09-24", &n, &l1, &l5, &rate0); /* the same from the document */
    assert_int_equal(n, 2);

    /* the clerk appeals; the manager upholds it */
    json_t *out = NULL, *in = json_pack("{s:s}", "reasons", "当日系统故障，非本人原因");
    ok(hq_app_case_action(f->a, &f->clerk, id, "appeal", in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    in = json_pack("{s:b,s:s}", "upheld", 1, "reasons", "监控记录证实系统故障");
    ok(hq_app_case_action(f->a, &f->mgr, id, "decision", in, &out, &why), &why);
    json_decref(in);
    assert_string_equal(json_string_value(json_object_get(out, "outcome")), "appeal_upheld");
    json_decref(out);

    /* the day's figures without the excluded rating, and its rollup made again so */
    double rate1;
    day_sat(f, "2026-09-24", &n, &l1, &l5, &rate1);
    assert_int_equal(n, 1);
    assert_int_equal(l1, 0);
    assert_int_equal(l5, 1);
    assert_true(rate1 > 0.99);
    assert_true(rollup_stored(f, "20260924"));
    day_sat(f, "2026-09-24", &n, &l1, &l5, &rate1);
    assert_int_equal(n, 1);
    assert_int_equal(l1, 0);
}

/* ---- complaints follow the same calendar ---- */

static void test_complaint_deadline(void **state)
{
    struct fx *f = *state;
    struct hq_why why;
    json_t *out = NULL;
    ok(call(f, hq_app_complaint_create, &f->public,
            "{\"channel\":\"web\",\"content\":\"等候太久\"}", &out),
       &why);
    char code[16];
    snprintf(code, sizeof code, "%s", json_string_value(json_object_get(out, "tracking_code")));
    json_decref(out);
    ok(hq_app_complaint_get(f->a, code, &out, &why), &why);
    /* Thursday 24 Sep + 5 working days = Friday 9 Oct, not Thursday 1 Oct (a holiday) */
    assert_string_equal(json_string_value(json_object_get(out, "resolve_by")),
                        "2026-10-09T09:00:00+08:00");
    /* the acknowledgement by the same calendar: 中秋 25–27 Sep off, the end of Monday 28 */
    assert_string_equal(json_string_value(json_object_get(out, "acknowledge_by")),
                        "2026-09-28T23:59:59+08:00");
    json_decref(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workdays_math),
        cmocka_unit_test_setup_teardown(test_late_rating, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_after_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_deadline_and_alert, setup, teardown),
        cmocka_unit_test_setup_teardown(test_appeal_drops_rollup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complaint_deadline, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
