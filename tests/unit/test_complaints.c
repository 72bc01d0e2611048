/* SPDX-License-Identifier: MIT */
/*
 * test_complaints.c — complaint handling (uc_complaints.c) on a real SQLite file with a fake
 * clock: every transition and its refusals (409 for a step the status does not allow, 400 for a
 * missing note), the deadlines and overdue flags as the clock moves (to the end of the next working
 * day to acknowledge — across a weekend, a public holiday, a make-up working day and with the
 * hall's own number of days —, five working days to resolve, seven days for the verdict), the
 * complainant's verdict reopening and escalating, the events in the log without personal data, the
 * public tracking view without contact, content or internal notes, improvement actions, and the
 * state after reopening the app.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/hq_app.h"
#include "app/hq_appointments.h"
#include "test_app_fixture.h"

#define CONTACT "13912345678"
#define CONTENT "3号窗口的工作人员态度很差"
#define INTERNAL "clerk Wang was tired: talked to him"
#define MEASURES "training on courtesy for window 1"
#define COMMENT "nobody called me back"

struct fx {
    char dir[64];
    char db[128];
    struct fake clk;
    struct hq_app *a;
    struct hq_actor admin, mgr, public;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    afx_dir(f->dir, sizeof f->dir, f->db, sizeof f->db, "compl");
    f->clk.t = 1795741200; /* 2026-11-27 09:00 +08:00, a Friday */
    f->a = afx_open(f->db, &f->clk);
    assert_non_null(f->a);
    afx_actor(&f->admin, HQ_ROLE_ADMIN, "admin");
    afx_actor(&f->mgr, HQ_ROLE_MANAGER, "manager1");
    snprintf(f->public.ip, sizeof f->public.ip, "10.0.0.9");
    struct hq_why why;
    json_t *out = NULL, *in;
    in = json_pack("{s:s,s:s,s:i}", "code", "A", "name", "社保", "avg_service_s", 300);
    ok(hq_app_service_create(f->a, &f->admin, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    in = json_pack("{s:i,s:[s]}", "number", 1, "services", "A");
    ok(hq_app_window_create(f->a, &f->admin, in, &out, &why), &why);
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

/* A web complaint from the public; returns its tracking code in code[11]. */
static void lodge(struct fx *f, char code[11])
{
    struct hq_why why;
    json_t *out = NULL;
    json_t *in = json_pack("{s:s,s:s,s:s,s:i}", "channel", "web", "content", CONTENT, "contact",
                           CONTACT, "window", 1);
    ok(hq_app_complaint_create(f->a, &f->public, in, &out, &why), &why);
    snprintf(code, 11, "%s", json_string_value(json_object_get(out, "tracking_code")));
    json_decref(in);
    json_decref(out);
}

/* One staff action with a body given as JSON text ("" = no body); returns rc, *out the view. */
static int action(struct fx *f, const char *code, const char *act, const char *body, json_t **out,
                  struct hq_why *why)
{
    json_t *in = body[0] ? json_loads(body, 0, NULL) : NULL;
    if (body[0]) assert_non_null(in);
    *out = NULL;
    int rc = hq_app_complaint_action(f->a, &f->mgr, code, act, in, out, why);
    json_decref(in);
    if (rc) assert_null(*out);
    return rc;
}

static void action_ok(struct fx *f, const char *code, const char *act, const char *body,
                      const char *expect_status)
{
    struct hq_why why;
    json_t *out;
    ok(action(f, code, act, body, &out, &why), &why);
    assert_string_equal(json_string_value(json_object_get(out, "status")), expect_status);
    json_decref(out);
}

static void refused(struct fx *f, const char *code, const char *act, const char *body, int rc,
                    const char *field)
{
    struct hq_why why = {0};
    json_t *out;
    assert_int_equal(action(f, code, act, body, &out, &why), rc);
    if (field) assert_string_equal(why.field, field);
}

static const char *status_of(struct fx *f, const char *code)
{
    static char s[32];
    struct hq_why why;
    json_t *out = NULL;
    ok(hq_app_complaint_get(f->a, code, &out, &why), &why);
    snprintf(s, sizeof s, "%s", json_string_value(json_object_get(out, "status")));
    json_decref(out);
    return s;
}

struct evlog {
    char types[64][32];
    int n;
    bool leak;
};

static int collect_ev(void *ctx, const struct hq_event *e)
{
    struct evlog *l = ctx;
    if (strncmp(e->type, "complaint.", 10) != 0 && strncmp(e->type, "improvement.", 12) != 0)
        return 0;
    if (strstr(e->data, CONTACT) || strstr(e->data, "态度") || strstr(e->data, "Wang") ||
        strstr(e->data, "training") || strstr(e->data, "called me"))
        l->leak = true;
    json_t *d = json_loads(e->data, 0, NULL);
    const char *code = json_string_value(json_object_get(d, "code"));
    if (code && strlen(code) > 4) l->leak = true;
    json_decref(d);
    if (l->n < 64) snprintf(l->types[l->n++], 32, "%s", e->type);
    return 0;
}

static int count_type(const struct evlog *l, const char *type)
{
    int n = 0;
    for (int i = 0; i < l->n; i++)
        n += strcmp(l->types[i], type) == 0;
    return n;
}

/* received → acknowledged → assessed → resolved → (not satisfied) reopened → resolved →
 * (satisfied) closed, with the refusals on the way. */
static void test_workflow(void **state)
{
    struct fx *f = *state;
    char code[11];
    lodge(f, code);
    assert_string_equal(status_of(f, code), "received");

    /* not before acknowledging; a note for the complainant is required */
    refused(f, code, "resolve", "{\"result\":\"r\",\"measures\":\"m\"}", HQ_ECONFLICT, NULL);
    refused(f, code, "assess", "{\"severity\":\"high\"}", HQ_ECONFLICT, NULL);
    refused(f, code, "close", "", HQ_ECONFLICT, NULL);
    refused(f, code, "verdict", "{\"satisfied\":true}", HQ_ECONFLICT, NULL);
    refused(f, code, "acknowledge", "", HQ_EINVAL, "note");
    refused(f, code, "acknowledge", "{\"note\":\"   \"}", HQ_EINVAL, "note");
    refused(f, code, "acknowledge", "{\"note\":\"x\",\"mood\":1}", HQ_EINVAL, "mood");
    refused(f, code, "dance", "", HQ_ENOTFOUND, NULL);
    refused(f, "ZZZZZZZZZZ", "acknowledge", "{\"note\":\"x\"}", HQ_ENOTFOUND, NULL);
    assert_string_equal(status_of(f, code), "received");

    f->clk.t += 3600;
    action_ok(f, code, "acknowledge",
              "{\"note\":\"已受理，我们将调查核实 / received, we are looking into it\","
              "\"internal_note\":\"" INTERNAL "\"}",
              "acknowledged");
    refused(f, code, "acknowledge", "{\"note\":\"again\"}", HQ_ECONFLICT, NULL);

    refused(f, code, "assess", "{\"severity\":\"extreme\"}", HQ_EINVAL, "severity");
    refused(f, code, "assess", "{\"window\":42}", HQ_EINVAL, "window");
    refused(f, code, "assess", "{\"clerk\":\"nobody\"}", HQ_EINVAL, "clerk");
    action_ok(f, code, "assess",
              "{\"category\":\"Attitude of staff\",\"severity\":\"high\",\"window\":1,"
              "\"substantiated\":true}",
              "assessed");

    refused(f, code, "resolve", "{\"result\":\"we apologise\"}", HQ_EINVAL, "measures");
    refused(f, code, "resolve", "{\"measures\":\"" MEASURES "\"}", HQ_EINVAL, "result");
    f->clk.t += 86400;
    action_ok(f, code, "resolve",
              "{\"result\":\"情况属实，已批评教育 / substantiated; we apologise\","
              "\"measures\":\"" MEASURES "\"}",
              "resolved");
    refused(f, code, "resolve", "{\"result\":\"r\",\"measures\":\"m\"}", HQ_ECONFLICT, NULL);

    /* the complainant: not satisfied needs a comment, then reopens */
    struct hq_why why;
    json_t *out = NULL;
    json_t *in = json_pack("{s:b}", "satisfied", 0);
    assert_int_equal(hq_app_complaint_verdict(f->a, &f->public, code, in, &out, &why), HQ_EINVAL);
    assert_string_equal(why.field, "comment");
    json_decref(in);
    in = json_pack("{s:b,s:s}", "satisfied", 0, "comment", COMMENT);
    ok(hq_app_complaint_verdict(f->a, &f->public, code, in, &out, &why), &why);
    json_decref(in);
    assert_string_equal(json_string_value(json_object_get(out, "status")), "reopened");
    json_decref(out);
    /* the verdict comes once per resolution */
    in = json_pack("{s:b}", "satisfied", 1);
    assert_int_equal(hq_app_complaint_verdict(f->a, &f->public, code, in, &out, &why),
                     HQ_ECONFLICT);
    json_decref(in);

    /* the full view: reopen counted, verdict kept, not escalated after the first */
    ok(hq_app_complaint_get(f->a, code, &out, &why), &why);
    assert_int_equal(json_integer_value(json_object_get(out, "reopen_count")), 1);
    assert_false(json_is_true(json_object_get(out, "escalated")));
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(out, "verdicts"), 0), "comment")),
                        COMMENT);
    assert_string_equal(json_string_value(json_object_get(out, "contact")), CONTACT);
    json_decref(out);

    action_ok(f, code, "resolve", "{\"result\":\"we called you\",\"measures\":\"call-back list\"}",
              "resolved");
    in = json_pack("{s:b}", "satisfied", 1);
    ok(hq_app_complaint_verdict(f->a, &f->public, code, in, &out, &why), &why);
    json_decref(in);
    assert_string_equal(json_string_value(json_object_get(out, "status")), "closed");
    json_decref(out);
    /* closed: nothing more */
    refused(f, code, "escalate", "{\"reason\":\"x\"}", HQ_ECONFLICT, NULL);
    refused(f, code, "assess", "{}", HQ_ECONFLICT, NULL);

    struct evlog l = {0};
    assert_int_equal(hq_app_events_since(f->a, 0, 0, collect_ev, &l), 0);
    assert_false(l.leak);
    assert_int_equal(count_type(&l, "complaint.received"), 1);
    assert_int_equal(count_type(&l, "complaint.acknowledged"), 1);
    assert_int_equal(count_type(&l, "complaint.assessed"), 1);
    assert_int_equal(count_type(&l, "complaint.resolved"), 2);
    assert_int_equal(count_type(&l, "complaint.verdict"), 2);
    assert_int_equal(count_type(&l, "complaint.reopened"), 1);
    assert_int_equal(count_type(&l, "complaint.escalated"), 0);
}

/* The public tracking view shows the public notes and statuses, nothing personal or internal. */
static void test_public_view(void **state)
{
    struct fx *f = *state;
    char code[11];
    lodge(f, code);
    action_ok(f, code, "acknowledge",
              "{\"note\":\"PUBLIC-ACK\",\"internal_note\":\"" INTERNAL "\"}", "acknowledged");
    action_ok(f, code, "resolve",
              "{\"result\":\"PUBLIC-RESULT\",\"measures\":\"" MEASURES
              "\",\"internal_note\":\"" INTERNAL "\"}",
              "resolved");
    struct hq_why why;
    json_t *out = NULL, *in = json_pack("{s:b,s:s}", "satisfied", 0, "comment", COMMENT);
    ok(hq_app_complaint_verdict(f->a, &f->public, code, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    char lower[11];
    for (int i = 0; i < 11; i++)
        lower[i] = (char)(code[i] >= 'A' && code[i] <= 'Z' ? code[i] + 32 : code[i]);
    ok(hq_app_complaint_track(f->a, lower, &out, &why), &why);
    char *text = json_dumps(out, 0);
    assert_non_null(strstr(text, "PUBLIC-ACK"));
    assert_non_null(strstr(text, "PUBLIC-RESULT"));
    assert_non_null(strstr(text, "reopened"));
    assert_null(strstr(text, CONTACT));
    assert_null(strstr(text, "态度"));
    assert_null(strstr(text, "Wang"));
    assert_null(strstr(text, "training"));
    assert_null(strstr(text, "called me"));
    assert_null(strstr(text, "manager1"));
    free(text);
    json_decref(out);
}

/* Deadlines against the fake clock: by the end of the next working day to acknowledge, 5 working
 * days to resolve. */
static void test_overdue(void **state)
{
    struct fx *f = *state;
    char code[11], other[11];
    lodge(f, code); /* Friday 09:00 */
    lodge(f, other);
    struct hq_why why;
    json_t *out = NULL;
    ok(hq_app_complaint_get(f->a, code, &out, &why), &why);
    assert_false(json_is_true(json_object_get(out, "overdue")));
    /* Fri + 5 working days = the next Friday, 2026-12-04 09:00 */
    assert_string_equal(json_string_value(json_object_get(out, "resolve_by")),
                        "2026-12-04T09:00:00+08:00");
    /* Friday's acknowledgement: by the end of Monday, the next working day (not 24 h) */
    assert_string_equal(json_string_value(json_object_get(out, "acknowledge_by")),
                        "2026-11-30T23:59:59+08:00");
    json_decref(out);

    f->clk.t += 24 * 3600 + 60; /* Saturday 09:01: not late over the weekend */
    ok(hq_app_complaints_list(f->a, NULL, true, 0, &out, &why), &why);
    assert_int_equal(json_array_size(json_object_get(out, "complaints")), 0);
    json_decref(out);
    f->clk.t = 1795741200 + 3 * 86400 + 15 * 3600 - 1; /* Monday 23:59:59: still in time */
    ok(hq_app_complaint_get(f->a, code, &out, &why), &why);
    assert_false(json_is_true(json_object_get(out, "ack_overdue")));
    json_decref(out);
    f->clk.t += 2; /* Tuesday 00:00:01: both late to acknowledge */
    ok(hq_app_complaints_list(f->a, NULL, true, 0, &out, &why), &why);
    assert_int_equal(json_array_size(json_object_get(out, "complaints")), 2);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(out, "overdue"), "acknowledge")), 2);
    json_t *first = json_array_get(json_object_get(out, "complaints"), 0);
    assert_true(json_is_true(json_object_get(first, "ack_overdue")));
    assert_false(json_is_true(json_object_get(first, "resolve_overdue")));
    assert_null(json_object_get(first, "contact"));
    json_decref(out);

    action_ok(f, code, "acknowledge", "{\"note\":\"sorry for the delay\"}", "acknowledged");
    ok(hq_app_complaint_get(f->a, code, &out, &why), &why);
    assert_false(json_is_true(json_object_get(out, "ack_overdue")));
    assert_true(json_is_true(json_object_get(out, "acknowledged_late")));
    json_decref(out);
    ok(hq_app_complaints_list(f->a, "received", true, 0, &out, &why), &why);
    assert_int_equal(json_array_size(json_object_get(out, "complaints")), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(out, "complaints"), 0),
                                          "tracking_code")),
        other);
    json_decref(out);

    f->clk.t = 1795741200 + 7 * 86400 - 60; /* next Friday 08:59: not yet late */
    ok(hq_app_complaint_get(f->a, code, &out, &why), &why);
    assert_false(json_is_true(json_object_get(out, "resolve_overdue")));
    json_decref(out);
    f->clk.t += 120; /* 09:01 */
    ok(hq_app_complaint_get(f->a, code, &out, &why), &why);
    assert_true(json_is_true(json_object_get(out, "resolve_overdue")));
    assert_true(json_is_true(json_object_get(out, "overdue")));
    json_decref(out);
    ok(hq_app_complaints_list(f->a, "acknowledged", true, 0, &out, &why), &why);
    assert_int_equal(json_array_size(json_object_get(out, "complaints")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(out, "overdue"), "resolve")), 2);
    json_decref(out);
    /* resolved: no longer overdue */
    action_ok(f, code, "resolve", "{\"result\":\"r\",\"measures\":\"m\"}", "resolved");
    ok(hq_app_complaint_get(f->a, code, &out, &why), &why);
    assert_false(json_is_true(json_object_get(out, "overdue")));
    json_decref(out);
    assert_int_equal(hq_app_complaints_list(f->a, "pending", false, 0, &out, &why), HQ_EINVAL);
    assert_string_equal(why.field, "status");
}

/* The acknowledgement deadline of a complaint received at local time `at` ("YYYY-MM-DD HH:MM"). */
static void ack_by_is(struct fx *f, const char *at, const char *want)
{
    struct tm tm = {0};
    assert_int_equal(
        sscanf(at, "%d-%d-%d %d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min),
        5);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    f->clk.t = (int64_t)mktime(&tm);
    char code[11];
    struct hq_why why;
    json_t *out = NULL;
    json_t *in = json_pack("{s:s,s:s}", "channel", "web", "content", CONTENT);
    ok(hq_app_complaint_create(f->a, &f->public, in, &out, &why), &why);
    json_decref(in);
    /* the intake's answer and the stored complaint say the same */
    assert_string_equal(json_string_value(json_object_get(out, "acknowledge_by")), want);
    snprintf(code, sizeof code, "%s", json_string_value(json_object_get(out, "tracking_code")));
    json_decref(out);
    ok(hq_app_complaint_get(f->a, code, &out, &why), &why);
    assert_string_equal(json_string_value(json_object_get(out, "acknowledge_by")), want);
    json_decref(out);
    ok(hq_app_complaint_track(f->a, code, &out, &why), &why);
    assert_string_equal(json_string_value(json_object_get(out, "acknowledge_by")), want);
    json_decref(out);
}

/* The acknowledgement by the hall's working-day calendar (8.2.2): 国庆 1–7 October 2026 are
 * holidays, Sunday 27 September and Saturday 10 October make-up working days (调休); then the
 * hall's own ack_working_days. */
static void test_ack_calendar(void **state)
{
    struct fx *f = *state;
    struct hq_why why;
    json_t *out = NULL;
    json_t *in = json_pack("{s:[s,s,s,s,s,s,s],s:[s,s]}", "holidays", "2026-10-01", "2026-10-02",
                           "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07",
                           "workdays", "2026-09-27", "2026-10-10");
    ok(hq_app_calendar_put(f->a, &f->admin, "2026", in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    /* a weekday: the end of the next day */
    ack_by_is(f, "2026-09-22 10:00", "2026-09-23T23:59:59+08:00");
    /* Friday: Saturday is off, Sunday 27 is a make-up working day */
    ack_by_is(f, "2026-09-25 16:30", "2026-09-27T23:59:59+08:00");
    /* Wednesday before the holiday: the week off is skipped, Thursday 8 October */
    ack_by_is(f, "2026-09-30 11:00", "2026-10-08T23:59:59+08:00");
    /* received on a holiday */
    ack_by_is(f, "2026-10-03 09:00", "2026-10-08T23:59:59+08:00");
    /* Friday 9 October: Saturday 10 is a make-up working day */
    ack_by_is(f, "2026-10-09 09:00", "2026-10-10T23:59:59+08:00");
    /* Saturday 10 (working): Sunday is off, Monday 12 */
    ack_by_is(f, "2026-10-10 09:00", "2026-10-12T23:59:59+08:00");
    /* an ordinary weekend without the calendar's help */
    ack_by_is(f, "2026-11-28 09:00", "2026-11-30T23:59:59+08:00");

    /* the hall's own number of working days; out of range refused (nothing changed); null: the
     * default again */
    in = json_pack("{s:{s:{s:i}}}", "public_info", "complaints", "ack_working_days", 2);
    ok(hq_app_hall_update(f->a, &f->admin, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    ack_by_is(f, "2026-10-09 09:00", "2026-10-12T23:59:59+08:00");
    ack_by_is(f, "2026-09-30 11:00", "2026-10-09T23:59:59+08:00");
    in = json_pack("{s:{s:{s:i}}}", "public_info", "complaints", "ack_working_days", 0);
    out = NULL;
    assert_int_equal(hq_app_hall_update(f->a, &f->admin, in, &out, &why), HQ_EINVAL);
    assert_string_equal(why.reason, "hall.complaint_days_invalid");
    json_decref(in);
    ack_by_is(f, "2026-10-09 09:00", "2026-10-12T23:59:59+08:00");
    in = json_pack("{s:{s:{s:n}}}", "public_info", "complaints", "ack_working_days");
    ok(hq_app_hall_update(f->a, &f->admin, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    ack_by_is(f, "2026-10-09 09:00", "2026-10-10T23:59:59+08:00");

    /* late by the calendar: received Wednesday 30 September, still in time on 8 October */
    char code[11];
    f->clk.t = 1790733600; /* 2026-09-30 10:00 +08:00 */
    lodge(f, code);
    f->clk.t = 1791475199; /* 2026-10-08 23:59:59 */
    ok(hq_app_complaint_get(f->a, code, &out, &why), &why);
    assert_false(json_is_true(json_object_get(out, "ack_overdue")));
    json_decref(out);
    f->clk.t += 1;
    ok(hq_app_complaint_get(f->a, code, &out, &why), &why);
    assert_true(json_is_true(json_object_get(out, "ack_overdue")));
    json_decref(out);
}

/* Closing without a verdict only after 7 days; escalation; the second "not satisfied"
 * escalates by itself; the state survives reopening the app. */
static void test_close_escalate(void **state)
{
    struct fx *f = *state;
    char code[11], second[11];
    lodge(f, code);
    lodge(f, second);
    action_ok(f, code, "acknowledge", "{\"note\":\"ok\"}", "acknowledged");
    action_ok(f, code, "resolve", "{\"result\":\"r\",\"measures\":\"m\"}", "resolved");
    f->clk.t += 6 * 86400;
    refused(f, code, "close", "", HQ_ECONFLICT, NULL);
    f->clk.t += 86400 + 1;
    action_ok(f, code, "close", "", "closed");
    struct hq_why why;
    json_t *out = NULL;
    ok(hq_app_complaint_get(f->a, code, &out, &why), &why);
    assert_string_equal(json_string_value(json_object_get(out, "close_reason")), "no_verdict");
    json_decref(out);

    refused(f, second, "escalate", "{}", HQ_EINVAL, "reason");
    action_ok(f, second, "escalate", "{\"reason\":\"press interest\",\"to\":\"director\"}",
              "received");
    refused(f, second, "escalate", "{\"reason\":\"again\"}", HQ_ECONFLICT, NULL);

    char third[11];
    lodge(f, third);
    action_ok(f, third, "acknowledge", "{\"note\":\"ok\"}", "acknowledged");
    for (int round = 0; round < 2; round++) {
        action_ok(f, third, "resolve", "{\"result\":\"r\",\"measures\":\"m\"}", "resolved");
        /* staff enter the verdict given by phone */
        action_ok(f, third, "verdict", "{\"satisfied\":false,\"comment\":\"still bad\"}",
                  "reopened");
        ok(hq_app_complaint_get(f->a, third, &out, &why), &why);
        assert_int_equal(json_is_true(json_object_get(out, "escalated")), round == 1);
        json_decref(out);
    }
    struct evlog l = {0};
    assert_int_equal(hq_app_events_since(f->a, 0, 0, collect_ev, &l), 0);
    assert_false(l.leak);
    assert_int_equal(count_type(&l, "complaint.escalated"), 2);
    assert_int_equal(count_type(&l, "complaint.closed"), 1);
    assert_int_equal(count_type(&l, "complaint.reopened"), 2);

    hq_app_close(f->a);
    f->a = afx_open(f->db, &f->clk);
    assert_non_null(f->a);
    assert_string_equal(status_of(f, code), "closed");
    assert_string_equal(status_of(f, third), "reopened");
    ok(hq_app_complaints_list(f->a, "open", false, 0, &out, &why), &why);
    assert_int_equal(json_array_size(json_object_get(out, "complaints")), 2);
    assert_int_equal(json_integer_value(json_object_get(out, "escalated")), 2);
    json_decref(out);
}

static json_t *improve(struct fx *f, const char *body, int expect, const char *field)
{
    struct hq_why why = {0};
    json_t *in = json_loads(body, 0, NULL), *out = NULL;
    assert_non_null(in);
    int rc = hq_app_improvement_create(f->a, &f->mgr, in, &out, &why);
    json_decref(in);
    if (expect == 0) ok(rc, &why);
    assert_int_equal(rc, expect);
    if (field) assert_string_equal(why.field, field);
    return out;
}

static void test_improvements(void **state)
{
    struct fx *f = *state;
    char code[11], body[256];
    lodge(f, code);
    snprintf(body, sizeof body,
             "{\"source\":\"complaint\",\"complaint\":\"%s\",\"title\":\"courtesy training\","
             "\"owner\":\"manager1\",\"due\":\"2026-12-01\"}",
             code);
    improve(f, body, HQ_ECONFLICT, "complaint"); /* not resolved yet */
    improve(f, "{\"source\":\"complaint\",\"title\":\"t\",\"owner\":\"o\"}", HQ_EINVAL,
            "complaint");
    improve(f, "{\"source\":\"rumour\",\"title\":\"t\",\"owner\":\"o\"}", HQ_EINVAL, "source");
    improve(f, "{\"source\":\"other\",\"title\":\" \",\"owner\":\"o\"}", HQ_EINVAL, "title");
    improve(f, "{\"source\":\"other\",\"title\":\"t\",\"owner\":\"o\",\"due\":\"soon\"}", HQ_EINVAL,
            "due");
    action_ok(f, code, "acknowledge", "{\"note\":\"ok\"}", "acknowledged");
    action_ok(f, code, "resolve", "{\"result\":\"r\",\"measures\":\"m\"}", "resolved");
    json_t *imp = improve(f, body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(imp, "status")), "open");
    assert_string_equal(json_string_value(json_object_get(imp, "ref")), code);
    char id[17];
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(imp, "id")));
    json_decref(imp);
    json_decref(improve(f, "{\"source\":\"survey\",\"title\":\"more seats\",\"owner\":\"admin\"}",
                        0, NULL));

    struct hq_why why;
    json_t *out = NULL;
    ok(hq_app_complaint_get(f->a, code, &out, &why), &why);
    assert_string_equal(json_string_value(json_array_get(json_object_get(out, "improvements"), 0)),
                        id);
    json_decref(out);

    f->clk.t += 5 * 86400; /* 2026-12-02: past due */
    ok(hq_app_improvements_list(f->a, "open", &out, &why), &why);
    assert_int_equal(json_array_size(json_object_get(out, "improvements")), 2);
    assert_int_equal(json_integer_value(json_object_get(out, "overdue")), 1);
    json_decref(out);

    json_t *in = json_pack("{s:s}", "result", "all clerks trained");
    ok(hq_app_improvement_close(f->a, &f->mgr, id, in, &out, &why), &why);
    assert_string_equal(json_string_value(json_object_get(out, "status")), "done");
    json_decref(out);
    assert_int_equal(hq_app_improvement_close(f->a, &f->mgr, id, in, &out, &why), HQ_ECONFLICT);
    assert_int_equal(hq_app_improvement_close(f->a, &f->mgr, "0123456789abcdef", in, &out, &why),
                     HQ_ENOTFOUND);
    json_decref(in);
    ok(hq_app_improvements_list(f->a, "done", &out, &why), &why);
    assert_int_equal(json_array_size(json_object_get(out, "improvements")), 1);
    assert_int_equal(json_integer_value(json_object_get(out, "open")), 1);
    assert_int_equal(json_integer_value(json_object_get(out, "overdue")), 0);
    json_decref(out);
    struct evlog l = {0};
    assert_int_equal(hq_app_events_since(f->a, 0, 0, collect_ev, &l), 0);
    assert_int_equal(count_type(&l, "improvement.created"), 2);
    assert_int_equal(count_type(&l, "improvement.closed"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_workflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_public_view, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overdue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ack_calendar, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_escalate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_improvements, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
