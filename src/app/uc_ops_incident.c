/* SPDX-License-Identifier: MIT */
/*
 * uc_ops_incident.c — incidents (突发事件, clauses 5.5.4–5.5.7), docs/OPERATIONS.md. An incident is
 * opened from an emergency plan with a severity; its status moves
 *
 *   open ──restore──▶ restored ──close──▶ closed ──review──▶ reviewed
 *
 * and every step is a timeline entry {at, action, by, note} and one durable change with an
 * "ops.incident" event (id, status, severity, action: no names). While open, the people on site
 * are recorded with their arrival time (the response time is arrival − opening, 5.5.4), notes are
 * added, and ticketing may be suspended: opening with suspend, or the "suspend" step, suspends the
 * whole hall exactly as POST /hall/emergency does (hall.suspended, 503 at the kiosks with the
 * public reason) in the same commit as the incident. Restoring resumes the hall if this incident
 * suspended it and records restored_at, the downtime of ticketing (resume − suspend) and the
 * duration (restore − opening) (5.5.6). The after-action review (cause, measures, course, result,
 * lessons, 5.5.7) may raise improvement actions: they are the complaints module's (source
 * "incident", ref = the incident id, 9.2.1), and their ids are kept on the incident. Steps out of
 * order are refused 409 (close before restore, review before close).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_int.h"
#include "hq_ops.h"

static const char *const severities[] = {"minor", "major", "severe", NULL};

static json_t *timeline_entry(struct hq_app *a, int64_t t, const char *action, const char *by,
                              const char *note)
{
    char at[40];
    hq_app_format_time(a, t, at, sizeof at);
    return json_pack("{s:s,s:s,s:s,s:s}", "at", at, "action", action, "by", by, "note",
                     note ? note : "");
}

static void add_timeline(struct hq_app *a, json_t *d, int64_t t, const char *action, const char *by,
                         const char *note)
{
    json_t *tl = json_object_get(d, "timeline");
    if (!json_is_array(tl)) {
        tl = json_array();
        json_object_set_new(d, "timeline", tl);
    }
    json_array_append_new(tl, timeline_entry(a, t, action, by, note));
}

static int64_t time_of(json_t *d, const char *k)
{
    int64_t t = 0;
    const char *s = hq__ops_str(d, k);
    return *s && hq__parse_time(s, &t) == 0 ? t : 0;
}

static void set_time(struct hq_app *a, json_t *d, const char *k, int64_t t)
{
    char at[40];
    hq_app_format_time(a, t, at, sizeof at);
    json_object_set_new(d, k, json_string(at));
}

/* The first arrival's response time in seconds, or -1 when nobody is recorded on site. */
static int64_t response_s(json_t *d)
{
    int64_t best = -1;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(d, "on_site"), i, e)
    {
        int64_t r = hq__ops_int(e, "response_s");
        if (best < 0 || r < best) best = r;
    }
    return best;
}

static json_t *view(json_t *d)
{
    json_t *o = json_deep_copy(d);
    int64_t r = response_s(d);
    json_object_set_new(o, "response_s", r >= 0 ? json_integer(r) : json_null());
    static const char *const lists[] = {"on_site", "timeline", "improvements", NULL};
    for (const char *const *k = lists; *k; k++)
        if (!json_is_array(json_object_get(o, *k))) json_object_set_new(o, *k, json_array());
    json_object_del(o, "t");
    return o;
}

static json_t *summary(json_t *d)
{
    int64_t r = response_s(d);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "id", hq__ops_str(d, "id"), "title",
                          hq__ops_str(d, "title"), "severity", hq__ops_str(d, "severity"), "status",
                          hq__ops_str(d, "status"), "plan_title", hq__ops_str(d, "plan_title"),
                          "opened_at", hq__ops_str(d, "opened_at"), "suspended",
                          json_is_true(json_object_get(d, "suspended")));
    json_object_set_new(o, "response_s", r >= 0 ? json_integer(r) : json_null());
    json_t *dt = json_object_get(d, "downtime_s");
    json_object_set_new(o, "downtime_s", dt ? json_copy(dt) : json_null());
    return o;
}

int hq_app_ops_incidents_list(struct hq_app *a, const char *status, json_t **out,
                              struct hq_why *why)
{
    static const char *const st[] = {"open", "restored", "closed", "reviewed", "active", NULL};
    bool ok = !status || !*status;
    for (const char *const *s = st; !ok && *s; s++)
        ok = strcmp(*s, status) == 0;
    if (!ok)
        return hq_fail(why, HQ_EINVAL, "status",
                       "status: open, restored, closed, reviewed or active");
    json_t *docs = hq__ops_list(a, "ops_incident");
    json_t *arr = json_array();
    int64_t active = 0;
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        const char *s = hq__ops_str(d, "status");
        bool act = strcmp(s, "open") == 0 || strcmp(s, "restored") == 0;
        active += act;
        if (status && *status && (strcmp(status, "active") == 0 ? !act : strcmp(status, s) != 0))
            continue;
        json_array_append_new(arr, summary(d));
    }
    json_decref(docs);
    *out = json_pack("{s:o,s:I}", "incidents", arr, "active", (json_int_t)active);
    return *out ? 0 : hq_fail(why, HQ_EINTERNAL, "", "cannot build the list");
}

int hq_app_ops_incident_get(struct hq_app *a, const char *id, json_t **out, struct hq_why *why)
{
    json_t *d = NULL;
    int rc = hq__ops_load(a, "ops_incident", id, "incident", &d, why);
    if (rc) return rc;
    *out = view(d);
    json_decref(d);
    return 0;
}

/* Store d with its event, suspending (+1) or resuming (-1) the hall in the same commit. */
static int commit(struct hq_app *a, const struct hq_actor *who, json_t *d, const char *action,
                  int hall, const char *reason, struct hq_why *why)
{
    char *text = json_dumps(d, JSON_COMPACT);
    if (!text) return hq_fail(why, HQ_EINTERNAL, "", "cannot encode the record");
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    if (hall) hq__ops_hall_suspend(a, &b, who->username, hall > 0, reason);
    hq_batch_doc(&b, "ops_incident", hq__ops_str(d, "id"), text, hq__ops_int(d, "t"));
    free(text);
    hq__app_event(a, &b, who->username, "ops.incident",
                  json_pack("{s:s,s:s,s:s,s:s}", "id", hq__ops_str(d, "id"), "status",
                            hq__ops_str(d, "status"), "severity", hq__ops_str(d, "severity"),
                            "action", action));
    return hq__app_commit_unlock(a, &b, why);
}

static bool hall_suspended(struct hq_app *a)
{
    pthread_mutex_lock(&a->mu);
    bool s = a->hall.conf.suspended;
    pthread_mutex_unlock(&a->mu);
    return s;
}

int hq_app_ops_incident_open(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                             struct hq_why *why)
{
    static const struct hq_ops_field fields[] = {
        {"plan", HQ_OPS_F_TEXT, true, 0, 16, NULL, NULL},
        {"title", HQ_OPS_F_TEXT, true, 0, 100, NULL, NULL},
        {"severity", HQ_OPS_F_ENUM, true, 0, 0, severities, "minor, major, severe"},
        {"description", HQ_OPS_F_TEXT, false, 0, 2000, NULL, NULL},
        {"suspend", HQ_OPS_F_BOOL, false, 0, 0, NULL, NULL},
        {"suspend_reason", HQ_OPS_F_TEXT, false, 0, 120, NULL, NULL},
        {NULL, 0, false, 0, 0, NULL, NULL},
    };
    json_t *d = json_object();
    int rc = hq__ops_read(in, fields, true, d, why);
    bool suspend = json_is_true(json_object_get(d, "suspend"));
    char reason[HQ_TEXT_MAX];
    snprintf(reason, sizeof reason, "%s", hq__ops_str(d, "suspend_reason"));
    if (!rc && suspend && !reason[strspn(reason, " ")])
        rc = hq_fail(why, HQ_EINVAL, "suspend_reason",
                     "suspend_reason: say why ticketing is suspended (it is shown to the public)");
    json_t *plan = NULL;
    if (!rc) {
        struct hq_why w2;
        if (hq__ops_load(a, "ops_plan", hq__ops_str(d, "plan"), "emergency plan", &plan, &w2))
            rc = hq_fail(why, HQ_EINVAL, "plan", "plan: no emergency plan '%.20s'",
                         hq__ops_str(d, "plan"));
    }
    if (rc) {
        json_decref(d);
        json_decref(plan);
        return rc;
    }
    char id[17];
    hq__random_hex(id, 8);
    int64_t now = hq_app_time(a);
    json_object_del(d, "suspend");
    json_object_del(d, "suspend_reason");
    json_object_set_new(d, "id", json_string(id));
    json_object_set_new(d, "t", json_integer(now));
    json_object_set_new(d, "plan_title", json_string(hq__ops_str(plan, "title")));
    json_object_set_new(d, "plan_type", json_string(hq__ops_str(plan, "type")));
    json_object_set_new(d, "status", json_string("open"));
    set_time(a, d, "opened_at", now);
    json_object_set_new(d, "opened_by", json_string(who->username));
    json_object_set_new(d, "on_site", json_array());
    json_object_set_new(d, "improvements", json_array());
    json_object_set_new(d, "suspended", json_boolean(suspend));
    add_timeline(a, d, now, "open", who->username, hq__ops_str(d, "description"));
    if (suspend) {
        set_time(a, d, "suspended_at", now);
        add_timeline(a, d, now, "suspend", who->username, reason);
    }
    hq__ops_lock();
    rc = commit(a, who, d, "open", suspend ? 1 : 0, reason, why);
    hq__ops_unlock();
    if (!rc) *out = view(d);
    json_decref(d);
    json_decref(plan);
    return rc;
}

/* ---- the steps ---- */

static int conflict(struct hq_why *why, const char *action, const char *status)
{
    return hq_fail(why, HQ_ECONFLICT, "", "%s: not possible while the incident is %s", action,
                   status);
}

static int step_arrive(struct hq_app *a, const struct hq_actor *who, json_t *d, json_t *in,
                       int64_t now, struct hq_why *why)
{
    static const struct hq_ops_field fields[] = {
        {"name", HQ_OPS_F_TEXT, true, 0, 60, NULL, NULL},
        {"role", HQ_OPS_F_TEXT, false, 0, 60, NULL, NULL},
        {"arrived_at", HQ_OPS_F_TEXT, false, 0, 40, NULL, NULL},
        {NULL, 0, false, 0, 0, NULL, NULL},
    };
    json_t *e = json_object();
    int rc = hq__ops_read(in, fields, true, e, why);
    int64_t at = now, opened = time_of(d, "opened_at");
    const char *given = hq__ops_str(e, "arrived_at");
    if (!rc && *given && (hq__parse_time(given, &at) != 0 || at > now + 60 || at < opened - 86400))
        rc = hq_fail(why, HQ_EINVAL, "arrived_at",
                     "arrived_at: a time (RFC 3339) not in the future, at most a day before the "
                     "incident was opened");
    if (!rc) {
        set_time(a, e, "arrived_at", at);
        json_object_set_new(e, "response_s", json_integer(at > opened ? at - opened : 0));
        json_array_append(json_object_get(d, "on_site"), e);
        char note[256];
        snprintf(note, sizeof note, "%s %s", hq__ops_str(e, "name"), hq__ops_str(e, "role"));
        add_timeline(a, d, now, "arrive", who->username, note);
    }
    json_decref(e);
    return rc;
}

static int step_review(struct hq_app *a, const struct hq_actor *who, json_t *d, json_t *in,
                       int64_t now, struct hq_why *why)
{
    static const char *const imp_members[] = {"title", "owner", "due", NULL};
    static const struct hq_ops_field fields[] = {
        {"cause", HQ_OPS_F_TEXT, true, 0, 2000, NULL, NULL},
        {"measures", HQ_OPS_F_TEXT, true, 0, 2000, NULL, NULL},
        {"course", HQ_OPS_F_TEXT, true, 0, 2000, NULL, NULL},
        {"result", HQ_OPS_F_TEXT, true, 0, 2000, NULL, NULL},
        {"lessons", HQ_OPS_F_TEXT, false, 0, 2000, NULL, NULL},
        {"improvements", HQ_OPS_F_OBJECTS, false, 0, 200, imp_members, NULL},
        {NULL, 0, false, 0, 0, NULL, NULL},
    };
    json_t *r = json_object();
    int rc = hq__ops_read(in, fields, true, r, why);
    json_t *imps = json_object_get(r, "improvements");
    size_t i;
    json_t *x;
    json_array_foreach(imps, i, x) /* check them all before raising any */
    {
        int32_t day;
        const char *due = hq__ops_str(x, "due");
        if (rc) break;
        if (!*hq__ops_str(x, "title") || !*hq__ops_str(x, "owner"))
            rc = hq_fail(why, HQ_EINVAL, "improvements",
                         "improvements: each needs a title and an owner");
        else if (*due && hq__parse_date(due, &day) != 0)
            rc = hq_fail(why, HQ_EINVAL, "improvements", "improvements: due is a date YYYY-MM-DD");
    }
    json_t *ids = json_object_get(d, "improvements");
    json_array_foreach(imps, i, x)
    {
        if (rc) break;
        json_t *req =
            json_pack("{s:s,s:s,s:s,s:s}", "source", "incident", "ref", hq__ops_str(d, "id"),
                      "title", hq__ops_str(x, "title"), "owner", hq__ops_str(x, "owner"));
        if (*hq__ops_str(x, "due")) json_object_set(req, "due", json_object_get(x, "due"));
        json_t *made = NULL;
        rc = hq_app_improvement_create(a, who, req, &made, why);
        json_decref(req);
        if (!rc) json_array_append(ids, json_object_get(made, "id"));
        json_decref(made);
    }
    if (!rc) {
        json_object_del(r, "improvements");
        set_time(a, r, "at", now);
        json_object_set_new(r, "by", json_string(who->username));
        json_object_set(d, "review", r);
        add_timeline(a, d, now, "review", who->username, hq__ops_str(r, "lessons"));
    }
    json_decref(r);
    return rc;
}

int hq_app_ops_incident_action(struct hq_app *a, const struct hq_actor *who, const char *id,
                               const char *action, json_t *in, json_t **out, struct hq_why *why)
{
    static const char *const acts[] = {"arrive", "note",   "suspend", "restore",
                                       "close",  "review", NULL};
    bool known = false;
    for (const char *const *s = acts; *s; s++)
        known = known || strcmp(*s, action) == 0;
    if (!known)
        return hq_fail(why, HQ_ENOTFOUND, "",
                       "no step '%.20s' (arrive, note, suspend, restore, close, review)", action);
    json_t *empty = NULL;
    if (!in) in = empty = json_object();
    json_t *d = NULL;
    hq__ops_lock();
    int rc = hq__ops_load(a, "ops_incident", id, "incident", &d, why);
    const char *st = d ? hq__ops_str(d, "status") : "";
    char status[16];
    snprintf(status, sizeof status, "%s", st);
    int64_t now = hq_app_time(a);
    int hall = 0;
    char reason[HQ_TEXT_MAX] = "";
    const char *next = NULL;
    static const struct hq_ops_field note_only[] = {
        {"note", HQ_OPS_F_TEXT, false, 0, 2000, NULL, NULL},
        {NULL, 0, false, 0, 0, NULL, NULL},
    };
    json_t *r = json_object();
    if (rc) {
    } else if (strcmp(action, "arrive") == 0) {
        rc = strcmp(status, "open") ? conflict(why, action, status)
                                    : step_arrive(a, who, d, in, now, why);
    } else if (strcmp(action, "note") == 0) {
        static const struct hq_ops_field f[] = {
            {"text", HQ_OPS_F_TEXT, true, 0, 2000, NULL, NULL},
            {NULL, 0, false, 0, 0, NULL, NULL},
        };
        rc = strcmp(status, "reviewed") == 0 ? conflict(why, action, status)
                                             : hq__ops_read(in, f, true, r, why);
        if (!rc) add_timeline(a, d, now, "note", who->username, hq__ops_str(r, "text"));
    } else if (strcmp(action, "suspend") == 0) {
        static const struct hq_ops_field f[] = {
            {"suspend_reason", HQ_OPS_F_TEXT, true, 0, 120, NULL, NULL},
            {NULL, 0, false, 0, 0, NULL, NULL},
        };
        if (strcmp(status, "open"))
            rc = conflict(why, action, status);
        else if (json_is_true(json_object_get(d, "suspended")) && !time_of(d, "resumed_at"))
            rc = hq_fail(why, HQ_ECONFLICT, "", "ticketing is suspended for this incident already");
        else
            rc = hq__ops_read(in, f, true, r, why);
        if (!rc) {
            snprintf(reason, sizeof reason, "%s", hq__ops_str(r, "suspend_reason"));
            hall = 1;
            json_object_set_new(d, "suspended", json_true());
            set_time(a, d, "suspended_at", now);
            json_object_del(d, "resumed_at");
            add_timeline(a, d, now, "suspend", who->username, reason);
        }
    } else if (strcmp(action, "restore") == 0) {
        rc = strcmp(status, "open") ? conflict(why, action, status)
                                    : hq__ops_read(in, note_only, false, r, why);
        if (!rc) {
            next = "restored";
            set_time(a, d, "restored_at", now);
            int64_t down = 0;
            if (json_is_true(json_object_get(d, "suspended"))) {
                if (!time_of(d, "resumed_at")) { /* else resumed already (hq__ops_hall_changed) */
                    if (hall_suspended(a)) hall = -1;
                    set_time(a, d, "resumed_at", now);
                }
                down = time_of(d, "resumed_at") - time_of(d, "suspended_at");
            }
            json_object_set_new(d, "downtime_s", json_integer(down > 0 ? down : 0));
            json_object_set_new(d, "duration_s", json_integer(now - time_of(d, "opened_at")));
            add_timeline(a, d, now, "restore", who->username, hq__ops_str(r, "note"));
        }
    } else if (strcmp(action, "close") == 0) {
        if (strcmp(status, "open") == 0)
            rc = hq_fail(why, HQ_ECONFLICT, "",
                         "close: restore the service first (the incident is still open)");
        else if (strcmp(status, "restored"))
            rc = conflict(why, action, status);
        else
            rc = hq__ops_read(in, note_only, false, r, why);
        if (!rc) {
            next = "closed";
            set_time(a, d, "closed_at", now);
            add_timeline(a, d, now, "close", who->username, hq__ops_str(r, "note"));
        }
    } else { /* review */
        if (strcmp(status, "closed"))
            rc = hq_fail(why, HQ_ECONFLICT, "", "review: close the incident first (it is %s)",
                         status);
        else
            rc = step_review(a, who, d, in, now, why);
        if (!rc) next = "reviewed";
    }
    if (!rc && next) json_object_set_new(d, "status", json_string(next));
    if (!rc) rc = commit(a, who, d, action, hall, reason, why);
    hq__ops_unlock();
    if (!rc) *out = view(d);
    json_decref(r);
    json_decref(d);
    json_decref(empty);
    return rc;
}

/* ---- the suspension set elsewhere (POST /hall/emergency) ---- */

void hq__ops_hall_changed(struct hq_app *a, const struct hq_actor *who, bool suspended,
                          const char *reason)
{
    json_t *docs = hq__ops_list(a, "ops_incident");
    int64_t now = hq_app_time(a);
    size_t i;
    json_t *x;
    hq__ops_lock();
    json_array_foreach(docs, i, x)
    {
        if (strcmp(hq__ops_str(x, "status"), "open") != 0) continue;
        json_t *d = NULL;
        struct hq_why why;
        if (hq__ops_load(a, "ops_incident", hq__ops_str(x, "id"), "incident", &d, &why)) continue;
        bool was = json_is_true(json_object_get(d, "suspended"));
        const char *action = NULL;
        if (strcmp(hq__ops_str(d, "status"), "open") != 0) {
        } else if (suspended && (!was || time_of(d, "resumed_at"))) {
            action = "suspend";
            json_object_set_new(d, "suspended", json_true());
            set_time(a, d, "suspended_at", now);
            json_object_del(d, "resumed_at");
            add_timeline(a, d, now, action, who->username, reason);
        } else if (!suspended && was && !time_of(d, "resumed_at")) {
            action = "resume";
            set_time(a, d, "resumed_at", now);
            add_timeline(a, d, now, action, who->username, "");
        }
        if (action && commit(a, who, d, action, 0, NULL, &why) != 0)
            fprintf(stderr, "hallq: incident not updated: %s\n", why.message);
        json_decref(d);
    }
    hq__ops_unlock();
    json_decref(docs);
}
