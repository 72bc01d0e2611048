/* SPDX-License-Identifier: MIT */
/*
 * test_compliance.c — the compliance report (uc_compliance*.c) on a real SQLite file with a fake
 * clock. A clean day (a certified clerk with training serves an evaluated ticket, pauses with a
 * reason, a complaint is acknowledged within its day) is met or no_data clause by clause. A day
 * with planted faults — a ticket served on a day the clerk's certification for it had expired, a
 * complaint acknowledged two days after intake (past the end of the next working day), a
 * reopened complaint left past its deadline, a pause without a reason — is judged not_met on each
 * of those clauses, with the record named in the evidence (the ticket by date and number, never
 * its secret id). Also the renderings (text, PDF), the thresholds document and its refusals, and
 * the period's refusals.
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

#include "app/hq_compliance.h"
#include "test_app_fixture.h"

/* cairo 1.16 leaks while subsetting fonts for a PDF and fontconfig keeps its configuration (as
 * test_report.c, docs/MEDIA.md): exactly those stacks are suppressed; anything else is reported. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0";
}
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:cairo_surface_finish\nleak:cairo_toy_font_face_create\nleak:"
           "FcInitLoadConfigAndFonts\n";
}

#define MON 1795395600 /* 2026-11-23 09:00 +08:00, a Monday */

struct fx {
    char dir[64];
    char db[128];
    struct fake clk;
    struct hq_app *a;
    struct hq_actor admin, mgr, clerk, public;
    char ticket_id[64], ticket_no[16];
};

/* Run a use case taking (a, who, in, out, why) with in given as JSON text; drops out. */
typedef int (*uc_fn)(struct hq_app *, const struct hq_actor *, json_t *, json_t **,
                     struct hq_why *);
static void run(struct fx *f, uc_fn fn, const struct hq_actor *who, const char *in_text)
{
    struct hq_why why = {0};
    json_t *in = json_loads(in_text, 0, NULL), *out = NULL;
    assert_non_null(in);
    ok(fn(f->a, who, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
}

static json_t *window(struct fx *f, const char *action, const char *body)
{
    struct hq_why why = {0};
    json_t *in = body ? json_loads(body, 0, NULL) : NULL, *out = NULL;
    ok(hq_app_window_action(f->a, &f->clerk, 1, action, in, &out, &why), &why);
    json_decref(in);
    return out;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    afx_dir(f->dir, sizeof f->dir, f->db, sizeof f->db, "cmpl");
    f->clk.t = MON;
    struct hq_why why = {0};
    f->a = afx_open(f->db, &f->clk);
    assert_non_null(f->a);
    afx_actor(&f->admin, HQ_ROLE_ADMIN, "admin");
    afx_actor(&f->mgr, HQ_ROLE_MANAGER, "manager1");
    afx_actor(&f->clerk, HQ_ROLE_CLERK, "clerk1");
    snprintf(f->public.ip, sizeof f->public.ip, "10.0.0.9");
    run(f, hq_app_service_create, &f->admin,
        "{\"code\":\"A\",\"name\":\"社保\",\"name_en\":\"Social\",\"avg_service_s\":300}");
    run(f, hq_app_window_create, &f->admin, "{\"number\":1,\"services\":[\"A\"]}");
    run(f, hq_app_staff_create, &f->admin,
        "{\"username\":\"clerk1\",\"name\":\"张三\",\"role\":\"clerk\",\"password\":\"pw-123456\","
        "\"certifications\":[{\"service\":\"A\",\"expires_on\":\"2099-12-31\"}]}");
    run(f, hq_app_training_create, &f->mgr,
        "{\"staff\":\"clerk1\",\"course\":\"窗口服务规范\",\"date\":\"2026-11-20\",\"hours\":8}");
    /* a ticket served and evaluated at 09:00-09:10 */
    json_decref(window(f, "open", NULL));
    json_t *t = NULL;
    json_t *in =
        json_pack("{s:s,s:s,s:s}", "service", "A", "category", "normal", "channel", "kiosk");
    ok(hq_app_ticket_issue(f->a, &f->public, in, &t, &why), &why);
    json_decref(in);
    snprintf(f->ticket_id, sizeof f->ticket_id, "%s", json_string_value(json_object_get(t, "id")));
    snprintf(f->ticket_no, sizeof f->ticket_no, "%s",
             json_string_value(json_object_get(t, "number")));
    json_decref(t);
    f->clk.t += 60;
    json_decref(window(f, "call-next", NULL));
    json_decref(window(f, "start", NULL));
    f->clk.t += 300;
    json_decref(window(f, "finish", NULL));
    char ev[200];
    snprintf(ev, sizeof ev, "{\"ticket\":\"%s\",\"level\":5,\"reasons\":[]}", f->ticket_id);
    run(f, hq_app_evaluation_create, &f->public, ev);
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

static void lodge(struct fx *f, char code[11])
{
    struct hq_why why = {0};
    json_t *out = NULL;
    json_t *in =
        json_pack("{s:s,s:s,s:s}", "channel", "web", "content", "态度差", "contact", "13912345678");
    ok(hq_app_complaint_create(f->a, &f->public, in, &out, &why), &why);
    snprintf(code, 11, "%s", json_string_value(json_object_get(out, "tracking_code")));
    json_decref(in);
    json_decref(out);
}

static void complaint(struct fx *f, const char *code, const char *action, const char *body)
{
    struct hq_why why = {0};
    json_t *in = json_loads(body, 0, NULL), *out = NULL;
    ok(hq_app_complaint_action(f->a, &f->mgr, code, action, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
}

static json_t *report(struct fx *f, const char *from, const char *to)
{
    struct hq_why why = {0};
    json_t *r = NULL;
    ok(hq_app_compliance(f->a, from, to, 0, &r, &why), &why);
    return r;
}

static json_t *clause(json_t *r, const char *id)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(r, "clauses"), i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "id")), id) == 0) return c;
    }
    fail_msg("no clause %s", id);
    return NULL;
}

static const char *verdict(json_t *r, const char *id)
{
    return json_string_value(json_object_get(clause(r, id), "verdict"));
}

/* The evidence of clause id has an entry of kind with that id. */
static bool has_evidence(json_t *r, const char *id, const char *kind, const char *eid)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(clause(r, id), "evidence"), i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "kind")), kind) == 0 &&
            strcmp(json_string_value(json_object_get(e, "id")), eid) == 0)
            return true;
    }
    return false;
}

static void test_clean_day(void **state)
{
    struct fx *f = *state;
    json_decref(window(f, "pause", "{\"reason\":\"取材料\",\"back_in_s\":300}"));
    f->clk.t += 240;
    json_decref(window(f, "resume", NULL));
    char code[11];
    lodge(f, code);
    f->clk.t += 3600;
    complaint(f, code, "acknowledge", "{\"note\":\"已受理\"}");
    json_t *r = report(f, "2026-11-23", "2026-11-23");
    static const char *const met[] = {"4.7-certified", "4.7-training", "5.2.5",           "5.3.6",
                                      "8.2.2",         "9.1.1",        "6.2-satisfaction"};
    for (size_t i = 0; i < sizeof met / sizeof met[0]; i++) {
        if (strcmp(verdict(r, met[i]), "met") != 0) fprintf(stderr, "%s\n", met[i]);
        assert_string_equal(verdict(r, met[i]), "met");
    }
    assert_string_equal(verdict(r, "8.2.4"), "no_data");
    /* not_met only among the operations clauses (5.5.x, 7.x: no emergency plan is a fault),
     * whose own cases are in test_ops.c */
    size_t k;
    json_t *c;
    json_int_t ops_not_met = 0;
    json_array_foreach(json_object_get(r, "clauses"), k, c)
    {
        const char *id = json_string_value(json_object_get(c, "id"));
        bool ops = strncmp(id, "5.5", 3) == 0 || strncmp(id, "7.", 2) == 0;
        ops_not_met +=
            ops && strcmp(json_string_value(json_object_get(c, "verdict")), "not_met") == 0;
    }
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "summary"), "not_met")),
                     ops_not_met);
    /* never the ticket's secret id or the complainant's contact */
    char *text = json_dumps(r, 0);
    assert_null(strstr(text, f->ticket_id));
    assert_null(strstr(text, "13912345678"));
    free(text);
    /* renderings */
    unsigned char *out = NULL;
    size_t len = 0;
    struct hq_why why = {0};
    ok(hq_compliance_render(r, "text", &out, &len, &why), &why);
    assert_non_null(strstr((char *)out, "[8.2.2]"));
    free(out);
    ok(hq_compliance_render(r, "pdf", &out, &len, &why), &why);
    assert_true(len > 1000);
    assert_memory_equal(out, "%PDF-", 5);
    free(out);
    assert_int_equal(hq_compliance_render(r, "doc", &out, &len, &why), HQ_EINVAL);
    json_decref(r);
}

static void test_planted_faults(void **state)
{
    struct fx *f = *state;
    /* 1. the clerk's record says his certification for A expired the day before he served */
    run(f, hq_app_staff_create, &f->admin,
        "{\"username\":\"clerk2\",\"name\":\"李四\",\"role\":\"clerk\",\"password\":\"pw-"
        "123456\"}");
    struct hq_why why = {0};
    json_t *in = json_loads(
               "{\"certifications\":[{\"service\":\"A\",\"expires_on\":\"2026-11-22\"}]}", 0, NULL),
           *out = NULL;
    json_decref(window(f, "close", NULL));
    ok(hq_app_staff_update(f->a, &f->admin, "clerk1", in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    /* 2. a pause without a reason (blank): the window opens under a valid record, then the
     * record is corrected again */
    f->clk.t += 60;
    in = json_loads("{\"certifications\":[{\"service\":\"A\",\"expires_on\":\"2099-12-31\"}]}", 0,
                    NULL);
    ok(hq_app_staff_update(f->a, &f->admin, "clerk1", in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    json_decref(window(f, "open", NULL));
    json_decref(window(f, "pause", "{\"reason\":\"   \"}"));
    f->clk.t += 600;
    json_decref(window(f, "resume", NULL));
    json_decref(window(f, "close", NULL));
    in = json_loads("{\"certifications\":[{\"service\":\"A\",\"expires_on\":\"2026-11-22\"}]}", 0,
                    NULL);
    ok(hq_app_staff_update(f->a, &f->admin, "clerk1", in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    /* 3. a complaint acknowledged after its deadline (the end of the next working day) */
    char late[11], reopened[11];
    lodge(f, late);
    /* 4. a complaint answered, then reopened by the complainant, and left */
    lodge(f, reopened);
    complaint(f, reopened, "acknowledge", "{\"note\":\"已受理\"}");
    complaint(f, reopened, "resolve", "{\"result\":\"已处理\",\"measures\":\"培训\"}");
    in = json_loads("{\"satisfied\":false,\"comment\":\"还是不行\"}", 0, NULL);
    ok(hq_app_complaint_verdict(f->a, &f->public, reopened, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    f->clk.t += 49 * 3600; /* Wednesday: received on Monday, due by the end of Tuesday */
    complaint(f, late, "acknowledge", "{\"note\":\"已受理\"}");
    f->clk.t = MON + 14 * 86400; /* two weeks on: the reopened one is overdue */

    json_t *r = report(f, "2026-11-23", "2026-11-24");
    char ref[48];
    snprintf(ref, sizeof ref, "2026-11-23/%s", f->ticket_no);
    assert_string_equal(verdict(r, "4.7-certified"), "not_met");
    assert_true(has_evidence(r, "4.7-certified", "ticket", ref));
    assert_string_equal(verdict(r, "8.2.2"), "not_met");
    assert_true(has_evidence(r, "8.2.2", "complaint", late));
    assert_false(has_evidence(r, "8.2.2", "complaint", reopened));
    assert_string_equal(verdict(r, "8.2.4"), "not_met");
    assert_true(has_evidence(r, "8.2.4", "complaint", reopened));
    assert_string_equal(verdict(r, "5.3.6"), "not_met");
    assert_true(has_evidence(r, "5.3.6", "window", "1"));
    /* clerk2 has no training: the training clause names him */
    assert_true(has_evidence(r, "4.7-training", "staff", "clerk2"));
    json_decref(r);
}

static void test_settings_and_refusals(void **state)
{
    struct fx *f = *state;
    struct hq_why why = {0};
    json_t *out = NULL;
    assert_int_equal(hq_app_compliance(f->a, "2026-11-24", "2026-11-23", 0, &out, &why), HQ_EINVAL);
    assert_string_equal(why.field, "to");
    assert_int_equal(hq_app_compliance(f->a, "2026-11-3", "2026-11-23", 0, &out, &why), HQ_EINVAL);
    assert_string_equal(why.field, "from");
    assert_int_equal(hq_app_compliance(f->a, "2026-01-01", "2026-11-23", 93, &out, &why),
                     HQ_EINVAL);
    assert_int_equal(hq_app_compliance(f->a, "2024-01-01", "2026-11-23", 0, &out, &why), HQ_EINVAL);
    assert_null(out);
    json_t *in = json_pack("{s:f}", "satisfaction_target", 1.5);
    assert_int_equal(hq_app_compliance_settings_put(f->a, &f->mgr, in, &out, &why), HQ_EINVAL);
    json_decref(in);
    in = json_pack("{s:i}", "bogus", 1);
    assert_int_equal(hq_app_compliance_settings_put(f->a, &f->mgr, in, &out, &why), HQ_EINVAL);
    json_decref(in);
    /* a satisfaction target above what the clerk reached: satisfaction is judged against it */
    in = json_pack("{s:f}", "satisfaction_target", 0.95);
    ok(hq_app_compliance_settings_put(f->a, &f->mgr, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    ok(hq_app_compliance_settings_get(f->a, &out, &why), &why);
    assert_true(json_real_value(json_object_get(out, "satisfaction_target")) == 0.95);
    json_decref(out);
    json_t *r = report(f, "2026-11-23", "2026-11-23");
    assert_true(json_real_value(json_object_get(json_object_get(r, "settings"),
                                                "satisfaction_target")) == 0.95);
    assert_string_equal(verdict(r, "6.2-satisfaction"), "met"); /* one 5 of 5 */
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_clean_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_planted_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_settings_and_refusals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
