/* SPDX-License-Identifier: MIT */
/*
 * test_counter_app.c — the use cases behind the counter and guide pages (issue 21) on a real
 * SQLite file with a fake clock: the pad of a window stops asking once the window calls its next
 * ticket or closes, and a device's late evaluation for the earlier ticket is refused while the
 * customer's own is taken; undo-no-show within 120 s and not after; GET /tickets?window= in
 * call-next order and ?q= by number or phone (masked); the phone and appointment checks of issue.
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
#include "app/hq_app.h"
#include "test_app_fixture.h"

struct fx {
    char dir[64];
    char db[128];
    struct fake clk;
    struct hq_app *a;
    struct hq_actor admin, clerk, guide, public, pad;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    afx_dir(f->dir, sizeof f->dir, f->db, sizeof f->db, "counter");
    f->clk.t = 1795741200; /* 2026-11-27 09:00 +08:00 */
    f->a = afx_open(f->db, &f->clk);
    assert_non_null(f->a);
    afx_actor(&f->admin, HQ_ROLE_ADMIN, "admin");
    afx_actor(&f->clerk, HQ_ROLE_CLERK, "clerk1");
    afx_actor(&f->guide, HQ_ROLE_GUIDE, "guide1");
    snprintf(f->public.ip, sizeof f->public.ip, "10.0.0.9");
    f->pad.device = true;
    snprintf(f->pad.ip, sizeof f->pad.ip, "10.0.0.10");
    afx_create(f->a, &f->admin, hq_app_service_create,
               json_pack("{s:s,s:s,s:i}", "code", "A", "name", "社保业务", "avg_service_s", 300));
    afx_create(f->a, &f->admin, hq_app_service_create,
               json_pack("{s:s,s:s,s:i}", "code", "B", "name", "医保", "avg_service_s", 200));
    afx_create(f->a, &f->admin, hq_app_window_create,
               json_pack("{s:i,s:[s,s]}", "number", 1, "services", "A", "B"));
    afx_create(f->a, &f->admin, hq_app_staff_create,
               json_pack("{s:s,s:s,s:s,s:s,s:[{s:s,s:s},{s:s,s:s}]}", "username", "clerk1", "name",
                         "王芳", "role", "clerk", "password", "secret-pass", "certifications",
                         "service", "A", "expires_on", "2030-01-01", "service", "B", "expires_on",
                         "2030-01-01"));
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

static json_t *issue_in(struct fx *f, const struct hq_actor *who, json_t *in, int want)
{
    struct hq_why why;
    json_t *out = NULL;
    int rc = hq_app_ticket_issue(f->a, who, in, &out, &why);
    json_decref(in);
    if (want == 0) ok(rc, &why);
    assert_int_equal(rc, want);
    return out;
}

static json_t *issue(struct fx *f, const char *svc)
{
    return issue_in(f, &f->public, json_pack("{s:s}", "service", svc), 0);
}

static int act_rc(struct fx *f, const char *action, json_t *in, json_t **out)
{
    struct hq_why why;
    *out = NULL;
    int rc = hq_app_window_action(f->a, &f->clerk, 1, action, in, out, &why);
    json_decref(in);
    return rc;
}

static void act(struct fx *f, const char *action, json_t *in)
{
    json_t *out = NULL;
    assert_int_equal(act_rc(f, action, in, &out), 0);
    json_decref(out);
}

static const char *pending(struct fx *f)
{
    static char num[16];
    struct hq_why why;
    json_t *out = NULL;
    ok(hq_app_window_pending_eval(f->a, 1, &out, &why), &why);
    const char *n = json_string_value(json_object_get(out, "number"));
    snprintf(num, sizeof num, "%s", n ? n : "");
    json_decref(out);
    return num;
}

static int evaluate(struct fx *f, const struct hq_actor *who, const char *id)
{
    struct hq_why why;
    json_t *out = NULL, *in = json_pack("{s:s,s:i}", "ticket", id, "level", 5);
    int rc = hq_app_evaluation_create(f->a, who, in, &out, &why);
    json_decref(in);
    json_decref(out);
    return rc;
}

static void serve(struct fx *f, const char *number)
{
    act(f, "call", json_pack("{s:s}", "number", number));
    act(f, "start", NULL);
    f->clk.t += 120;
    act(f, "finish", NULL);
}

static void test_pad_moves_on(void **state)
{
    struct fx *f = *state;
    act(f, "open", NULL);
    json_t *a = issue(f, "A"), *b = issue(f, "A"), *c = issue(f, "A");
    const char *an = json_string_value(json_object_get(a, "number"));
    serve(f, an);
    assert_string_equal(pending(f), an);
    act(f, "call", json_pack("{s:s}", "number", json_string_value(json_object_get(b, "number"))));
    assert_string_equal(pending(f), ""); /* the next call: the pad stops asking about A */
    act(f, "no-show", NULL);
    act(f, "call", json_pack("{s:s}", "number", json_string_value(json_object_get(c, "number"))));
    assert_string_equal(pending(f), "");
    const char *aid = json_string_value(json_object_get(a, "id"));
    assert_int_equal(evaluate(f, &f->pad, aid), HQ_ECONFLICT); /* not credited from the pad */
    assert_int_equal(evaluate(f, &f->public, aid), 0);         /* A's own phone may rate it */
    act(f, "start", NULL);
    act(f, "finish", NULL);
    assert_string_equal(pending(f), json_string_value(json_object_get(c, "number")));
    act(f, "close", NULL);
    assert_string_equal(pending(f), ""); /* closing clears it too */
    assert_int_equal(evaluate(f, &f->pad, json_string_value(json_object_get(c, "id"))),
                     HQ_ECONFLICT);
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

static void test_undo_no_show(void **state)
{
    struct fx *f = *state;
    act(f, "open", NULL);
    json_t *x = issue(f, "B"), *y = issue(f, "B");
    const char *xn = json_string_value(json_object_get(x, "number"));
    act(f, "call", json_pack("{s:s}", "number", xn));
    act(f, "no-show", NULL);
    f->clk.t += 120;
    json_t *out = NULL;
    assert_int_equal(act_rc(f, "undo-no-show", json_pack("{s:s}", "number", xn), &out), 0);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(out, "ticket"), "status")), "waiting");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(out, "ticket"), "position")), 1);
    json_decref(out);
    act(f, "call", json_pack("{s:s}", "number", xn));
    act(f, "no-show", NULL);
    f->clk.t += 121; /* too late: a guide requeues it */
    assert_int_equal(act_rc(f, "undo-no-show", json_pack("{s:s}", "number", xn), &out),
                     HQ_ECONFLICT);
    const char *yn = json_string_value(json_object_get(y, "number"));
    assert_int_equal(act_rc(f, "undo-no-show", json_pack("{s:s}", "number", yn), &out),
                     HQ_ECONFLICT); /* never marked no-show */
    assert_int_equal(act_rc(f, "undo-no-show", json_pack("{s:i}", "number", 5), &out), HQ_EINVAL);
    json_decref(x);
    json_decref(y);
}

static void test_find_and_order(void **state)
{
    struct fx *f = *state;
    struct hq_why why;
    json_t *out = NULL;
    json_t *b1 = issue(f, "B");
    f->clk.t += 30;
    json_t *a1 = issue(f, "A"); /* A is window 1's first service: +60 s, so before B001 */
    json_t *p = issue_in(f, &f->guide,
                         json_pack("{s:s,s:s,s:s,s:s}", "service", "B", "category", "priority",
                                   "channel", "guide", "phone", "138 0013-8000"),
                         0);
    ok(hq_app_tickets_find(f->a, &f->clerk, "waiting", NULL, "1", NULL, &out, &why), &why);
    assert_int_equal(json_array_size(out), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(out, 0), "number")),
                        json_string_value(json_object_get(p, "number")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(out, 1), "number")),
                        json_string_value(json_object_get(a1, "number")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(out, 2), "number")),
                        json_string_value(json_object_get(b1, "number")));
    json_decref(out);
    /* by phone (whole, or its end) and by number; the phone is masked */
    const char *qs[] = {"13800138000", "8000", "b002", NULL};
    for (int i = 0; qs[i]; i++) {
        ok(hq_app_tickets_find(f->a, &f->guide, NULL, NULL, NULL, qs[i], &out, &why), &why);
        assert_int_equal(json_array_size(out), 1);
        const char *ph = json_string_value(json_object_get(json_array_get(out, 0), "phone"));
        assert_non_null(ph);
        assert_non_null(strchr(ph, '*'));
        assert_null(strstr(ph, "0013-8000"));
        json_decref(out);
    }
    ok(hq_app_tickets_find(f->a, &f->guide, NULL, NULL, NULL, "Z999", &out, &why), &why);
    assert_int_equal(json_array_size(out), 0);
    json_decref(out);
    assert_int_equal(hq_app_tickets_find(f->a, &f->guide, NULL, NULL, "x", NULL, &out, &why),
                     HQ_EINVAL);
    assert_int_equal(hq_app_tickets_find(f->a, &f->guide, NULL, NULL, "9", NULL, &out, &why),
                     HQ_EINVAL);
    assert_int_equal(hq_app_tickets_find(f->a, &f->guide, "done", NULL, "1", NULL, &out, &why),
                     HQ_EINVAL);
    json_decref(b1);
    json_decref(a1);
    json_decref(p);
}

static void test_phone_and_appointment(void **state)
{
    struct fx *f = *state;
    const char *bad[] = {"138123456789",   "1381234567",   "12812345678", "0311-12345",
                         "+86 1381234567", "13812345678+", NULL};
    for (int i = 0; bad[i]; i++)
        issue_in(f, &f->guide,
                 json_pack("{s:s,s:s,s:s}", "service", "A", "channel", "guide", "phone", bad[i]),
                 HQ_EINVAL);
    const char *good[] = {"13812345678", "138 1234-5678", "+86 138 1234 5678", "8613812345678",
                          NULL};
    for (int i = 0; good[i]; i++)
        json_decref(issue_in(
            f, &f->guide,
            json_pack("{s:s,s:s,s:s}", "service", "A", "channel", "guide", "phone", good[i]), 0));
    /* now 09:00 on 2026-11-27: a slot at 08:31 is taken, 08:29 is too late, tomorrow refused */
    const char *slots[][2] = {
        {"2026-11-27T08:31:00+08:00", "ok"},  {"2026-11-27T08:29:00+08:00", "late"},
        {"2026-11-28T09:30:00+08:00", "day"}, {"2026-11-26T23:59:00+08:00", "day"},
        {"2026-11-27T17:00:00+08:00", "ok"},  {NULL, NULL}};
    for (int i = 0; slots[i][0]; i++) {
        json_t *t =
            issue_in(f, &f->guide,
                     json_pack("{s:s,s:s,s:s,s:s}", "service", "A", "category", "appointment",
                               "channel", "guide", "appointment_at", slots[i][0]),
                     strcmp(slots[i][1], "ok") == 0 ? 0 : HQ_EINVAL);
        json_decref(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pad_moves_on, setup, teardown),
        cmocka_unit_test_setup_teardown(test_undo_no_show, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find_and_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_phone_and_appointment, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
