/* SPDX-License-Identifier: MIT */
/*
 * uc_ops_plans.c — emergency plans (应急预案, clause 5.5.2) and the schedules of drills and risk
 * assessments (5.5.3), docs/OPERATIONS.md. A plan says what kind of emergency it is for, what
 * starts it, its steps, who does what and whom to call, and by when it must be reviewed; a review
 * is recorded with the day it was held and the day it was due, and sets the next review date. A
 * schedule repeats every interval_days from its start day; each drill held (date, how many took
 * part, findings) resets the chain, so next_due = (latest of start and held days) + interval, and
 * a schedule is overdue once that day has passed. Contacts (names and phone numbers of staff) are
 * in the staff views only, never in events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_int.h"
#include "hq_ops.h"

static const char *const plan_types[] = {"fire",     "power",   "system", "crowd", "medical",
                                         "security", "weather", "other",  NULL};
static const char *const role_members[] = {"role", "duty", NULL};
static const char *const contact_members[] = {"name", "role", "phone", NULL};
static const char *const sched_kinds[] = {"drill", "risk_assessment", NULL};

static const struct hq_ops_field plan_fields[] = {
    {"type", HQ_OPS_F_ENUM, true, 0, 0, plan_types,
     "fire, power, system, crowd, medical, security, weather, other"},
    {"title", HQ_OPS_F_TEXT, true, 0, 100, NULL, NULL},
    {"trigger", HQ_OPS_F_TEXT, true, 0, 500, NULL, NULL},
    {"steps", HQ_OPS_F_TEXTS, true, 0, 300, NULL, NULL},
    {"roles", HQ_OPS_F_OBJECTS, false, 0, 200, role_members, NULL},
    {"contacts", HQ_OPS_F_OBJECTS, false, 0, 60, contact_members, NULL},
    {"review_by", HQ_OPS_F_DATE, true, 0, 0, NULL, NULL},
    {NULL, 0, false, 0, 0, NULL, NULL},
};

static const struct hq_ops_field sched_fields[] = {
    {"kind", HQ_OPS_F_ENUM, true, 0, 0, sched_kinds, "drill, risk_assessment"},
    {"title", HQ_OPS_F_TEXT, true, 0, 100, NULL, NULL},
    {"plan", HQ_OPS_F_TEXT, false, 0, 16, NULL, NULL},
    {"interval_days", HQ_OPS_F_INT, true, 1, 3660, NULL, NULL},
    {"start", HQ_OPS_F_DATE, false, 0, 0, NULL, NULL},
    {NULL, 0, false, 0, 0, NULL, NULL},
};

static json_t *changed(const char *what, const char *id, const char *action)
{
    return json_pack("{s:s,s:s,s:s}", "what", what, "id", id, "action", action);
}

/* A new record: id, t, created_at, created_by. */
static json_t *new_doc(struct hq_app *a, const struct hq_actor *who, char id[17])
{
    hq__random_hex(id, 8);
    int64_t now = hq_app_time(a);
    char at[40];
    hq_app_format_time(a, now, at, sizeof at);
    return json_pack("{s:s,s:I,s:s,s:s}", "id", id, "t", (json_int_t)now, "created_at", at,
                     "created_by", who->username);
}

static void stamp(struct hq_app *a, const struct hq_actor *who, json_t *d)
{
    char at[40];
    hq_app_format_time(a, hq_app_time(a), at, sizeof at);
    json_object_set_new(d, "updated_at", json_string(at));
    json_object_set_new(d, "updated_by", json_string(who->username));
}

static int32_t day_of_str(const char *s)
{
    int32_t d = 0;
    return hq__parse_date(s, &d) == 0 ? d : 0;
}

/* ---- plans ---- */

static json_t *plan_view(json_t *d, int32_t today)
{
    json_t *o = json_deep_copy(d);
    int32_t by = day_of_str(hq__ops_str(d, "review_by"));
    json_object_set_new(o, "review_overdue", json_boolean(by && today > by));
    if (!json_is_array(json_object_get(o, "reviews")))
        json_object_set_new(o, "reviews", json_array());
    json_object_del(o, "t");
    return o;
}

int hq_app_ops_plans_list(struct hq_app *a, json_t **out, struct hq_why *why)
{
    int32_t today = hq__ops_today(a);
    json_t *docs = hq__ops_list(a, "ops_plan");
    json_t *arr = json_array();
    int64_t over = 0;
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        json_t *v = plan_view(d, today);
        over += json_is_true(json_object_get(v, "review_overdue"));
        json_array_append_new(arr, v);
    }
    json_decref(docs);
    *out = json_pack("{s:o,s:I}", "plans", arr, "review_overdue", (json_int_t)over);
    return *out ? 0 : hq_fail(why, HQ_EINTERNAL, "", "cannot build the list");
}

int hq_app_ops_plan_get(struct hq_app *a, const char *id, json_t **out, struct hq_why *why)
{
    json_t *d = NULL;
    int rc = hq__ops_load(a, "ops_plan", id, "emergency plan", &d, why);
    if (rc) return rc;
    *out = plan_view(d, hq__ops_today(a));
    json_decref(d);
    return 0;
}

int hq_app_ops_plan_save(struct hq_app *a, const struct hq_actor *who, const char *id, json_t *in,
                         json_t **out, struct hq_why *why)
{
    char nid[17];
    json_t *d = NULL;
    hq__ops_lock();
    int rc = id ? hq__ops_load(a, "ops_plan", id, "emergency plan", &d, why) : 0;
    if (!rc && !id) {
        d = new_doc(a, who, nid);
        json_object_set_new(d, "reviews", json_array());
    }
    if (!rc) rc = hq__ops_read(in, plan_fields, !id, d, why);
    if (!rc && id) stamp(a, who, d);
    const char *key = id ? id : nid;
    if (!rc)
        rc = hq__ops_commit(a, who, "ops_plan", key, d, "ops.changed",
                            changed("plan", key, id ? "updated" : "created"), why);
    hq__ops_unlock();
    if (!rc) *out = plan_view(d, hq__ops_today(a));
    json_decref(d);
    return rc;
}

int hq_app_ops_plan_delete(struct hq_app *a, const struct hq_actor *who, const char *id,
                           json_t **out, struct hq_why *why)
{
    json_t *d = NULL;
    hq__ops_lock();
    int rc = hq__ops_load(a, "ops_plan", id, "emergency plan", &d, why);
    if (!rc)
        rc = hq__ops_commit(a, who, "ops_plan", id, NULL, "ops.changed",
                            changed("plan", id, "deleted"), why);
    hq__ops_unlock();
    json_decref(d);
    if (!rc) *out = json_pack("{s:s,s:b}", "id", id, "deleted", 1);
    return rc;
}

int hq_app_ops_plan_review(struct hq_app *a, const struct hq_actor *who, const char *id, json_t *in,
                           json_t **out, struct hq_why *why)
{
    static const struct hq_ops_field fields[] = {
        {"next_review_by", HQ_OPS_F_DATE, true, 0, 0, NULL, NULL},
        {"note", HQ_OPS_F_TEXT, false, 0, 1000, NULL, NULL},
        {NULL, 0, false, 0, 0, NULL, NULL},
    };
    json_t *r = json_object();
    int rc = hq__ops_read(in, fields, true, r, why);
    int32_t today = hq__ops_today(a), next = day_of_str(hq__ops_str(r, "next_review_by"));
    if (!rc && next <= today) {
        json_decref(r);
        return hq_fail(why, HQ_EINVAL, "next_review_by",
                       "next_review_by: a day after today (the next review)");
    }
    json_t *d = NULL;
    hq__ops_lock();
    if (!rc) rc = hq__ops_load(a, "ops_plan", id, "emergency plan", &d, why);
    if (!rc) {
        char day[16];
        hq__format_date(today, day, sizeof day);
        json_t *rv = json_pack("{s:s,s:s,s:s,s:s}", "date", day, "due", hq__ops_str(d, "review_by"),
                               "by", who->username, "note", hq__ops_str(r, "note"));
        json_t *list = json_object_get(d, "reviews");
        if (!json_is_array(list)) {
            list = json_array();
            json_object_set_new(d, "reviews", list);
        }
        json_array_append_new(list, rv);
        json_object_set(d, "review_by", json_object_get(r, "next_review_by"));
        rc = hq__ops_commit(a, who, "ops_plan", id, d, "ops.changed",
                            changed("plan", id, "reviewed"), why);
    }
    hq__ops_unlock();
    if (!rc) *out = plan_view(d, today);
    json_decref(d);
    json_decref(r);
    return rc;
}

/* ---- drill and risk-assessment schedules ---- */

static json_t *sched_view(json_t *d, int32_t today)
{
    json_t *o = json_deep_copy(d);
    json_t *recs = json_object_get(d, "records");
    int32_t start = day_of_str(hq__ops_str(d, "start"));
    int32_t due = hq__ops_next_due(start, (int)hq__ops_int(d, "interval_days"), recs, NULL);
    char buf[16] = "";
    if (due) hq__format_date(due, buf, sizeof buf);
    json_object_set_new(o, "next_due", due ? json_string(buf) : json_null());
    json_object_set_new(o, "overdue", json_boolean(due && today > due));
    int32_t last = 0;
    size_t i;
    json_t *e;
    json_array_foreach(recs, i, e)
    {
        int32_t x = day_of_str(hq__ops_str(e, "date"));
        if (x > last) last = x;
    }
    if (last) hq__format_date(last, buf, sizeof buf);
    json_object_set_new(o, "last_held", last ? json_string(buf) : json_null());
    if (!json_is_array(recs)) json_object_set_new(o, "records", json_array());
    json_object_del(o, "t");
    return o;
}

int hq_app_ops_schedules_list(struct hq_app *a, json_t **out, struct hq_why *why)
{
    int32_t today = hq__ops_today(a);
    json_t *docs = hq__ops_list(a, "ops_schedule");
    json_t *arr = json_array();
    int64_t over = 0;
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        json_t *v = sched_view(d, today);
        over += json_is_true(json_object_get(v, "overdue"));
        json_array_append_new(arr, v);
    }
    json_decref(docs);
    *out = json_pack("{s:o,s:I}", "schedules", arr, "overdue", (json_int_t)over);
    return *out ? 0 : hq_fail(why, HQ_EINTERNAL, "", "cannot build the list");
}

int hq_app_ops_schedule_save(struct hq_app *a, const struct hq_actor *who, const char *id,
                             json_t *in, json_t **out, struct hq_why *why)
{
    char nid[17];
    json_t *d = NULL, *plan = NULL;
    hq__ops_lock();
    int rc = id ? hq__ops_load(a, "ops_schedule", id, "schedule", &d, why) : 0;
    if (!rc && !id) {
        d = new_doc(a, who, nid);
        char day[16];
        hq__format_date(hq__ops_today(a), day, sizeof day);
        json_object_set_new(d, "start", json_string(day));
        json_object_set_new(d, "records", json_array());
    }
    if (!rc) rc = hq__ops_read(in, sched_fields, !id, d, why);
    const char *p = hq__ops_str(d, "plan");
    if (!rc && *p) {
        struct hq_why w2;
        if (hq__ops_load(a, "ops_plan", p, "emergency plan", &plan, &w2) != 0)
            rc = hq_fail(why, HQ_EINVAL, "plan", "plan: no emergency plan '%.20s'", p);
    }
    if (!rc && id) stamp(a, who, d);
    const char *key = id ? id : nid;
    if (!rc)
        rc = hq__ops_commit(a, who, "ops_schedule", key, d, "ops.changed",
                            changed("schedule", key, id ? "updated" : "created"), why);
    hq__ops_unlock();
    if (!rc) *out = sched_view(d, hq__ops_today(a));
    json_decref(d);
    json_decref(plan);
    return rc;
}

int hq_app_ops_schedule_delete(struct hq_app *a, const struct hq_actor *who, const char *id,
                               json_t **out, struct hq_why *why)
{
    json_t *d = NULL;
    hq__ops_lock();
    int rc = hq__ops_load(a, "ops_schedule", id, "schedule", &d, why);
    if (!rc)
        rc = hq__ops_commit(a, who, "ops_schedule", id, NULL, "ops.changed",
                            changed("schedule", id, "deleted"), why);
    hq__ops_unlock();
    json_decref(d);
    if (!rc) *out = json_pack("{s:s,s:b}", "id", id, "deleted", 1);
    return rc;
}

int hq_app_ops_schedule_record(struct hq_app *a, const struct hq_actor *who, const char *id,
                               json_t *in, json_t **out, struct hq_why *why)
{
    static const struct hq_ops_field fields[] = {
        {"date", HQ_OPS_F_DATE, true, 0, 0, NULL, NULL},
        {"participants", HQ_OPS_F_INT, true, 0, 100000, NULL, NULL},
        {"findings", HQ_OPS_F_TEXT, false, 0, 2000, NULL, NULL},
        {NULL, 0, false, 0, 0, NULL, NULL},
    };
    json_t *r = json_object();
    int rc = hq__ops_read(in, fields, true, r, why);
    int32_t today = hq__ops_today(a);
    if (!rc && day_of_str(hq__ops_str(r, "date")) > today)
        rc = hq_fail(why, HQ_EINVAL, "date", "date: not a day in the future");
    json_t *d = NULL;
    hq__ops_lock();
    if (!rc) rc = hq__ops_load(a, "ops_schedule", id, "schedule", &d, why);
    if (!rc) {
        json_object_set_new(r, "by", json_string(who->username));
        json_t *list = json_object_get(d, "records");
        if (!json_is_array(list)) {
            list = json_array();
            json_object_set_new(d, "records", list);
        }
        json_array_append(list, r);
        rc = hq__ops_commit(a, who, "ops_schedule", id, d, "ops.changed",
                            changed("schedule", id, "recorded"), why);
    }
    hq__ops_unlock();
    if (!rc) *out = sched_view(d, today);
    json_decref(d);
    json_decref(r);
    return rc;
}
