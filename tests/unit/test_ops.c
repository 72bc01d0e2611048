/* SPDX-License-Identifier: MIT */
/*
 * test_ops.c — the operations records' clause checks and alerts (uc_ops_compliance.c,
 * uc_ops_alert.c) on a real SQLite file with a fake clock: hq_ops_compliance passes a clean hall
 * (every clause met, or no_data where nothing happened) and finds each planted fault — an
 * unreviewed plan, an overdue drill, a missed maintenance, an uninspected extinguisher, an
 * incident nobody attended, never restored or reviewed, a silent device, an expired licence — with
 * the record named in the evidence; the tick's ops.alert events for an overdue drill (once a day),
 * a missed maintenance and a silent device, without the plan's contacts; bad dates add nothing.
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
#include "app/hq_ops.h"
#include "test_app_fixture.h"

#define T0 1795741200 /* 2026-11-27 09:00 +08:00, a Friday */
#define PHONE "13912345678"

struct fx {
    char dir[64];
    char db[128];
    struct fake clk;
    struct hq_app *a;
    struct hq_actor admin, mgr;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    afx_dir(f->dir, sizeof f->dir, f->db, sizeof f->db, "ops");
    f->clk.t = T0;
    f->a = afx_open(f->db, &f->clk);
    assert_non_null(f->a);
    afx_actor(&f->admin, HQ_ROLE_ADMIN, "admin");
    afx_actor(&f->mgr, HQ_ROLE_MANAGER, "manager1");
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

typedef int (*save_fn)(struct hq_app *, const struct hq_actor *, const char *, json_t *, json_t **,
                       struct hq_why *);

/* Call fn with body (JSON text); returns the new record's id into id[17] (may be NULL). */
static void save(struct fx *f, save_fn fn, const char *target, const char *body, char *id)
{
    struct hq_why why = {0};
    json_t *in = json_loads(body, 0, NULL), *out = NULL;
    assert_non_null(in);
    ok(fn(f->a, &f->mgr, target, in, &out, &why), &why);
    if (id) snprintf(id, 17, "%s", json_string_value(json_object_get(out, "id")));
    json_decref(in);
    json_decref(out);
}

static void plan(struct fx *f, const char *review_by, char id[17])
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"type\":\"fire\",\"title\":\"火灾预案\",\"trigger\":\"烟雾\",\"steps\":[\"疏散\"],"
             "\"contacts\":[{\"name\":\"王强\",\"phone\":\"" PHONE "\"}],\"review_by\":\"%s\"}",
             review_by);
    save(f, hq_app_ops_plan_save, NULL, body, id);
}

static void incident_step(struct fx *f, const char *id, const char *step, const char *body)
{
    struct hq_why why = {0};
    json_t *in = json_loads(body, 0, NULL), *out = NULL;
    ok(hq_app_ops_incident_action(f->a, &f->mgr, id, step, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
}

static void open_incident(struct fx *f, const char *plan_id, char id[17])
{
    char body[256];
    snprintf(body, sizeof body, "{\"plan\":\"%s\",\"title\":\"停电\",\"severity\":\"major\"}",
             plan_id);
    struct hq_why why = {0};
    json_t *in = json_loads(body, 0, NULL), *out = NULL;
    ok(hq_app_ops_incident_open(f->a, &f->mgr, in, &out, &why), &why);
    snprintf(id, 17, "%s", json_string_value(json_object_get(out, "id")));
    json_decref(in);
    json_decref(out);
}

static json_t *find(json_t *clauses, const char *num)
{
    size_t i;
    json_t *c;
    json_array_foreach(clauses, i, c) if (strcmp(json_string_value(json_object_get(c, "clause")),
                                                 num) == 0) return c;
    fail_msg("no clause %s", num);
    return NULL;
}

static const char *verdict(json_t *clauses, const char *num)
{
    return json_string_value(json_object_get(find(clauses, num), "verdict"));
}

/* The evidence of clause num names record id (of kind). */
static bool names(json_t *clauses, const char *num, const char *kind, const char *id)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(find(clauses, num), "evidence"), i,
                       e) if (strcmp(json_string_value(json_object_get(e, "kind")), kind) == 0 &&
                              strcmp(json_string_value(json_object_get(e, "id")), id) ==
                                  0) return true;
    return false;
}

static void shape(json_t *clauses)
{
    size_t i;
    json_t *c;
    json_array_foreach(clauses, i, c)
    {
        static const char *const keys[] = {"clause", "title", "title_en", "verdict", NULL};
        for (const char *const *k = keys; *k; k++)
            assert_true(json_is_string(json_object_get(c, *k)));
        assert_true(json_is_object(json_object_get(c, "figures")));
        assert_true(json_is_array(json_object_get(c, "evidence")));
        const char *v = json_string_value(json_object_get(c, "verdict"));
        assert_true(!strcmp(v, "met") || !strcmp(v, "partly_met") || !strcmp(v, "not_met") ||
                    !strcmp(v, "no_data"));
    }
}

static void clean_hall(struct fx *f)
{
    char p[17], s[17], fac[17], ext[17], inc[17];
    plan(f, "2027-03-31", p);
    save(
        f, hq_app_ops_schedule_save, NULL,
        "{\"kind\":\"drill\",\"title\":\"消防演练\",\"interval_days\":30,\"start\":\"2026-09-01\"}",
        s);
    const char *held[] = {"2026-09-25", "2026-10-20", "2026-11-15"};
    for (int i = 0; i < 3; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"date\":\"%s\",\"participants\":20}", held[i]);
        save(f, hq_app_ops_schedule_record, s, body, NULL);
    }
    save(f, hq_app_ops_facility_save, NULL,
         "{\"name\":\"1号取号机\",\"kind\":\"kiosk\",\"maintenance_days\":30,\"start\":\"2026-10-"
         "01\"}",
         fac);
    save(f, hq_app_ops_facility_log, fac, "{\"type\":\"maintenance\",\"date\":\"2026-10-28\"}",
         NULL);
    save(f, hq_app_ops_facility_log, fac, "{\"type\":\"maintenance\",\"date\":\"2026-11-20\"}",
         NULL);
    save(f, hq_app_ops_facility_save, NULL,
         "{\"name\":\"灭火器\",\"kind\":\"fire_equipment\",\"inspection_days\":30,\"start\":"
         "\"2026-11-01\"}",
         ext);
    save(f, hq_app_ops_facility_log, ext, "{\"type\":\"inspection\",\"date\":\"2026-11-25\"}",
         NULL);
    struct hq_why why = {0};
    json_t *in =
               json_loads("{\"licences\":[{\"name\":\"营业执照\",\"valid_until\":\"2030-01-01\"}],"
                          "\"prices\":[{\"item\":\"复印\",\"price\":\"0.5元\"}],"
                          "\"hours_note\":\"周一至周五\"}",
                          0, NULL),
           *out = NULL;
    ok(hq_app_ops_info_put(f->a, &f->admin, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    open_incident(f, p, inc);
    incident_step(f, inc, "arrive", "{\"name\":\"李主任\"}");
    incident_step(f, inc, "restore", "{}");
    incident_step(f, inc, "close", "{}");
    incident_step(f, inc, "review",
                  "{\"cause\":\"a\",\"measures\":\"b\",\"course\":\"c\",\"result\":\"d\"}");
}

static void test_clean_hall(void **state)
{
    struct fx *f = *state;
    json_t *c = json_array();
    hq_ops_compliance(f->a, "2026-11-01", "2026-11-27", c);
    assert_int_equal(json_array_size(c), 9); /* nothing registered: every clause still said */
    shape(c);
    assert_string_equal(verdict(c, "5.5.2"), "not_met"); /* plans are required */
    assert_string_equal(verdict(c, "5.5.3"), "not_met"); /* so are drills */
    assert_string_equal(verdict(c, "5.5.4"), "no_data"); /* no incident: nothing to judge */
    assert_string_equal(verdict(c, "7.1.3"), "no_data");
    assert_string_equal(verdict(c, "7.2.1"), "not_met");
    json_decref(c);
    clean_hall(f);
    c = json_array();
    hq_ops_compliance(f->a, "2026-11-01", "2026-11-27", c);
    shape(c);
    static const char *const nums[] = {"5.5.2", "5.5.3", "5.5.4", "5.5.6", "5.5.7",
                                       "7.1.3", "7.1.8", "7.2.1", "7.4.1", NULL};
    for (const char *const *n = nums; *n; n++) {
        if (strcmp(verdict(c, *n), "met") != 0)
            fprintf(stderr, "%s\n", json_dumps(find(c, *n), JSON_INDENT(1)));
        assert_string_equal(verdict(c, *n), "met");
        assert_int_equal(json_array_size(json_object_get(find(c, *n), "evidence")), 0);
    }
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(find(c, "5.5.3"), "figures"), "held")),
        1); /* 2026-11-15; the others are before the period */
    json_decref(c);
    /* bad dates: nothing added */
    c = json_array();
    hq_ops_compliance(f->a, "2026-11-31", "2026-11-27", c);
    hq_ops_compliance(f->a, "2026-11-27", "2026-11-01", c);
    hq_ops_compliance(f->a, NULL, "2026-11-01", c);
    assert_int_equal(json_array_size(c), 0);
    json_decref(c);
}

static void test_planted_faults(void **state)
{
    struct fx *f = *state;
    clean_hall(f);
    char p[17], s[17], fac[17], ext[17], inc[17];
    plan(f, "2026-11-10", p); /* review date passed, never reviewed */
    save(f, hq_app_ops_schedule_save, NULL,
         "{\"kind\":\"drill\",\"title\":\"疏散演练\",\"interval_days\":30,\"start\":\"2026-09-"
         "01\"}",
         s); /* due 2026-10-01, never held */
    save(f, hq_app_ops_facility_save, NULL,
         "{\"name\":\"打印机\",\"kind\":\"printer\",\"maintenance_days\":30,\"start\":\"2026-09-"
         "15\"}",
         fac);
    save(f, hq_app_ops_facility_log, fac, "{\"type\":\"maintenance\",\"date\":\"2026-11-05\"}",
         NULL); /* due 10-15: held late */
    save(f, hq_app_ops_facility_save, NULL,
         "{\"name\":\"应急灯\",\"kind\":\"emergency_equipment\"}", ext); /* no inspection plan */
    open_incident(f, p, inc); /* nobody on site, not restored, not reviewed */
    struct hq_why why = {0};
    json_t *in = json_loads("{\"licences\":[{\"name\":\"旧许可\",\"valid_until\":\"2026-11-20\"}]}",
                            0, NULL),
           *out = NULL;
    ok(hq_app_ops_info_put(f->a, &f->admin, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);

    json_t *c = json_array();
    hq_ops_compliance(f->a, "2026-11-01", "2026-11-27", c);
    shape(c);
    assert_string_equal(verdict(c, "5.5.2"), "partly_met");
    assert_true(names(c, "5.5.2", "plan", p));
    assert_string_equal(verdict(c, "5.5.3"), "partly_met");
    assert_true(names(c, "5.5.3", "drill", s));
    assert_string_equal(verdict(c, "5.5.4"), "partly_met");
    assert_true(names(c, "5.5.4", "incident", inc));
    assert_true(names(c, "5.5.6", "incident", inc));
    assert_true(names(c, "5.5.7", "incident", inc));
    assert_string_equal(verdict(c, "7.1.3"), "partly_met");
    assert_true(names(c, "7.1.3", "facility", fac));
    assert_string_equal(verdict(c, "7.4.1"), "partly_met");
    assert_true(names(c, "7.4.1", "facility", ext));
    assert_string_equal(verdict(c, "7.2.1"), "partly_met"); /* expired licence, hours fine */
    char *txt = json_dumps(c, 0);
    assert_null(strstr(txt, PHONE));
    free(txt);
    json_decref(c);

    /* a period before the faults: the late maintenance of 11-05 and the drill due 10-01 */
    c = json_array();
    hq_ops_compliance(f->a, "2026-10-01", "2026-10-10", c);
    assert_true(names(c, "5.5.3", "drill", s));
    assert_string_equal(verdict(c, "5.5.4"), "no_data"); /* no incident then */
    json_decref(c);
}

/* ---- the tick ---- */

struct evl {
    int alerts_drill, alerts_maint, alerts_device;
    bool leak;
};

static int collect(void *ctx, const struct hq_event *e)
{
    struct evl *l = ctx;
    if (strstr(e->data, PHONE) || strstr(e->data, "王强")) l->leak = true;
    if (strcmp(e->type, "ops.alert") != 0) return 0;
    l->alerts_drill += strstr(e->data, "\"drill\"") != NULL;
    l->alerts_maint += strstr(e->data, "\"maintenance\"") != NULL;
    l->alerts_device += strstr(e->data, "\"device_silent\"") != NULL;
    return 0;
}

static struct evl events(struct fx *f)
{
    struct evl l = {0};
    assert_int_equal(hq_app_events_since(f->a, 0, 0, collect, &l), 0);
    return l;
}

static void test_tick_alerts(void **state)
{
    struct fx *f = *state;
    char p[17], s[17], fac[17];
    plan(f, "2027-03-31", p);
    save(f, hq_app_ops_schedule_save, NULL,
         "{\"kind\":\"drill\",\"title\":\"演练\",\"interval_days\":30,\"start\":\"2026-09-01\"}",
         s);
    save(f, hq_app_ops_facility_save, NULL,
         "{\"name\":\"显示屏\",\"kind\":\"display\",\"maintenance_days\":30,\"start\":\"2026-09-"
         "01\"}",
         fac);
    f->clk.t += 60;
    hq__ops_tick(f->a);
    struct evl l = events(f);
    assert_int_equal(l.alerts_drill, 1);
    assert_int_equal(l.alerts_maint, 1);
    assert_false(l.leak);
    f->clk.t += 60; /* the same day: no repeat */
    hq__ops_tick(f->a);
    assert_int_equal(events(f).alerts_drill, 1);
    f->clk.t += 86400; /* the next day: once more */
    hq__ops_tick(f->a);
    assert_int_equal(events(f).alerts_drill, 2);
    save(f, hq_app_ops_schedule_record, s, "{\"date\":\"2026-11-28\",\"participants\":9}", NULL);
    f->clk.t += 86400;
    hq__ops_tick(f->a);
    assert_int_equal(events(f).alerts_drill, 2); /* held: no longer overdue */

    /* a device that reported and then went silent */
    struct hq_why why = {0};
    json_t *in = json_pack("{s:s}", "name", "kiosk-1"), *out = NULL;
    ok(hq_app_device_register(f->a, &f->admin, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    struct hq_actor dev = {.device = true};
    snprintf(dev.device_name, sizeof dev.device_name, "kiosk-1");
    ok(hq_app_ops_heartbeat(f->a, &dev, &out, &why), &why);
    json_decref(out);
    assert_int_equal(hq_app_ops_heartbeat(f->a, &f->mgr, &out, &why), HQ_EFORBIDDEN);
    f->clk.t += 100;
    hq__ops_tick(f->a);
    assert_int_equal(events(f).alerts_device, 0);
    f->clk.t += 300; /* 400 s > 300 s */
    hq__ops_tick(f->a);
    assert_int_equal(events(f).alerts_device, 1);
    f->clk.t += 60;
    hq__ops_tick(f->a);
    assert_int_equal(events(f).alerts_device, 1); /* once per silence */
    ok(hq_app_ops_overview(f->a, &out, &why), &why);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(out, "counts"), "device_silent")), 1);
    json_decref(out);
    ok(hq_app_ops_heartbeat(f->a, &dev, &out, &why), &why);
    json_decref(out);
    f->clk.t += 60;
    ok(hq_app_ops_overview(f->a, &out, &why), &why);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(out, "counts"), "device_silent")), 0);
    json_decref(out);
    assert_false(events(f).leak);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_clean_hall, setup, teardown),
        cmocka_unit_test_setup_teardown(test_planted_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tick_alerts, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
