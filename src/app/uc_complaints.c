/* SPDX-License-Identifier: MIT */
/*
 * uc_complaints.c — the staff side of complaints (DB13/T 1760 clause 8.2) and improvement actions
 * (9.2.1). Intake and the public tracking view live in uc_feedback.c; this file handles a
 * complaint to its end. It never publishes the complainant's contact, content or comments: events
 * carry the first four characters of the tracking code, the status and the channel only.
 *
 * The workflow. A complaint is a document of kind "complaint" keyed by its tracking code. Its
 * status moves so, each move a history entry {at, status, action, by, note, internal_note} (note
 * is written for the complainant and shown by the public tracking view, internal_note is for staff
 * only) and one durable change with its event:
 *
 *   received ──acknowledge──▶ acknowledged ──assess──▶ assessed ──resolve──▶ resolved
 *                                  └───────────resolve──────────────────────▲   │
 *   resolved ──verdict satisfied──▶ closed          resolved ──close (no verdict after 7 days)──▶
 *   closed;  resolved ──verdict not satisfied──▶ reopened ──assess/resolve──▶ …
 *
 * and escalate (a flag, the status stays) from any status but closed. Deadlines, both by the
 * hall's working-day calendar (weekends, holidays and make-up working days): acknowledge_by (set at
 * intake in uc_feedback.c: the end of the ack_working_days-th working day after reception, 1 by
 * default, hq__workdays_end) and resolve_by (RESOLVE_WORKING_DAYS working days from intake, same
 * time of day, hq__workdays_after; renewed when a complaint is reopened). The overdue flags are
 * computed from the app's clock whenever a complaint is read, so they need no timer.
 *
 * Read-modify-write: a complaint lives in the store, not in memory. cmu serialises the handling of
 * complaints and improvements (load through the read handle, change, commit, then let go), so two
 * managers acting at once on one complaint cannot lose each other's change; the first wins and the
 * second sees the new status (409 when its action no longer fits). Lock order: cmu → reader_mu
 * (briefly) → mu (hq__app_commit_unlock releases it).
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app_int.h"
#include "hq_cases.h"

#define RESOLVE_WORKING_DAYS 5     /* default; public_info.complaints.resolve_working_days */
#define VERDICT_WAIT_S (7 * 86400) /* a resolved complaint may be closed without verdict after */
#define ESCALATE_AFTER_REOPENS 2   /* the second "not satisfied" escalates by itself */
#define COMPLAINTS_LIST_MAX 5000   /* newest first */
#define IMPROVEMENTS_LIST_MAX 2000
#define NOTE_MAX 1024
#define LONG_MAX_TEXT 2048

static pthread_mutex_t cmu = PTHREAD_MUTEX_INITIALIZER;

static const char *const statuses[] = {"received", "acknowledged", "assessed", "resolved",
                                       "reopened", "closed",       NULL};

/* One staff action: from which statuses, to which (NULL: decided by the action). */
struct action {
    const char *name;
    const char *from[6];
    const char *to;
    const char *event;
};

static const struct action actions[] = {
    {"acknowledge", {"received"}, "acknowledged", "complaint.acknowledged"},
    {"assess", {"acknowledged", "assessed", "reopened"}, "assessed", "complaint.assessed"},
    {"resolve", {"acknowledged", "assessed", "reopened"}, "resolved", "complaint.resolved"},
    {"verdict", {"resolved"}, NULL, "complaint.verdict"},
    {"close", {"resolved"}, "closed", "complaint.closed"},
    {"escalate",
     {"received", "acknowledged", "assessed", "resolved", "reopened"},
     NULL,
     "complaint.escalated"},
};
#define N_ACTIONS (sizeof actions / sizeof actions[0])

/* ---- small helpers ---- */

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int64_t jint(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s)) return false;
    return true;
}

static bool in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0) return true;
    return false;
}

static bool from_allows(const struct action *ac, const char *status)
{
    for (size_t i = 0; i < sizeof ac->from / sizeof ac->from[0] && ac->from[i]; i++)
        if (strcmp(ac->from[i], status) == 0) return true;
    return false;
}

/* A tracking code as intake makes them: 10 characters, compared in capitals. */
static bool code_norm(const char *in, char out[11])
{
    if (strlen(in) != 10) return false;
    for (int i = 0; i < 10; i++) {
        unsigned char c = (unsigned char)in[i];
        if (!isalnum(c)) return false;
        out[i] = (char)toupper(c);
    }
    out[10] = 0;
    return true;
}

int hq__complaint_setting(struct hq_app *a, const char *key, int dflt, int max)
{
    int days = dflt;
    pthread_mutex_lock(&a->mu);
    json_t *v =
        a->public_info ? json_object_get(json_object_get(a->public_info, "complaints"), key) : NULL;
    if (json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= max)
        days = (int)json_integer_value(v);
    pthread_mutex_unlock(&a->mu);
    return days;
}

/* The hall's setting, or the default: public_info.complaints.resolve_working_days (1..60). */
static int resolve_days(struct hq_app *a)
{
    return hq__complaint_setting(a, "resolve_working_days", RESOLVE_WORKING_DAYS, 60);
}

/* t plus n working days by the hall's calendar (holidays, make-up days), same time of day. */
static int64_t add_working_days(struct hq_app *a, int64_t t, int n)
{
    return hq__workdays_after(a, t, n);
}

static int64_t resolve_by(struct hq_app *a, json_t *d, int days)
{
    int64_t r = jint(d, "resolve_by");
    return r ? r : add_working_days(a, jint(d, "received_at"), days);
}

static bool ack_overdue(json_t *d, int64_t now)
{
    return strcmp(jstr(d, "status"), "received") == 0 && jint(d, "acknowledge_by") &&
           now > jint(d, "acknowledge_by");
}

static bool resolve_overdue(struct hq_app *a, json_t *d, int64_t now, int days)
{
    const char *s = jstr(d, "status");
    bool open = strcmp(s, "resolved") != 0 && strcmp(s, "closed") != 0;
    return open && now > resolve_by(a, d, days);
}

/* Integers under "at", "*_at" and "*_by" keys are times: RFC 3339 in views (recursively). */
static void times_to_text(struct hq_app *a, json_t *o)
{
    if (json_is_array(o)) {
        size_t i;
        json_t *v;
        json_array_foreach(o, i, v) times_to_text(a, v);
        return;
    }
    if (!json_is_object(o)) return;
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(o, tmp, k, v)
    {
        size_t n = strlen(k);
        bool timeish = strcmp(k, "at") == 0 ||
                       (n > 3 && (strcmp(k + n - 3, "_at") == 0 || strcmp(k + n - 3, "_by") == 0));
        if (timeish && json_is_integer(v))
            json_object_set_new(o, k, hq__time_json(a, json_integer_value(v)));
        else
            times_to_text(a, v);
    }
}

/* Event data: no personal data — the code's first four characters, status, channel. */
static json_t *event_data(json_t *d)
{
    char prefix[5];
    snprintf(prefix, sizeof prefix, "%s", jstr(d, "tracking_code"));
    return json_pack("{s:s,s:s,s:s}", "code", prefix, "status", jstr(d, "status"), "channel",
                     jstr(d, "channel"));
}

static void hist_add(json_t *d, int64_t now, const char *action, const char *by, const char *note,
                     const char *internal)
{
    json_t *h = json_object_get(d, "history");
    if (!json_is_array(h)) {
        h = json_array();
        json_object_set_new(d, "history", h);
    }
    json_t *e = json_pack("{s:I,s:s,s:s,s:s}", "at", (json_int_t)now, "status", jstr(d, "status"),
                          "action", action, "by", by);
    json_object_set_new(e, "note", note && *note ? json_string(note) : json_null());
    if (internal && *internal) json_object_set_new(e, "internal_note", json_string(internal));
    json_array_append_new(h, e);
}

static int load_doc(struct hq_app *a, const char *kind, const char *key, json_t **out)
{
    char *text = NULL;
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->doc_get(a->reader, kind, key, &text);
    pthread_mutex_unlock(&a->reader_mu);
    if (rc != 0 || !text) {
        free(text);
        return HQ_ENOTFOUND;
    }
    *out = json_loads(text, 0, NULL);
    free(text);
    return *out ? 0 : HQ_EINTERNAL;
}

static int load_complaint(struct hq_app *a, const char *code, json_t **out, struct hq_why *why)
{
    char up[11];
    if (!code_norm(code, up))
        return hq_fail(why, HQ_ENOTFOUND, "", "no complaint with this tracking code");
    int rc = load_doc(a, "complaint", up, out);
    if (rc == HQ_ENOTFOUND)
        return hq_fail(why, HQ_ENOTFOUND, "", "no complaint with this tracking code");
    if (rc) return hq_fail(why, HQ_EINTERNAL, "", "stored complaint unreadable");
    return 0;
}

/* The actions allowed now, for the staff page. */
static json_t *allowed_actions(json_t *d, int64_t now)
{
    json_t *arr = json_array();
    const char *s = jstr(d, "status");
    for (size_t i = 0; i < N_ACTIONS; i++) {
        if (!from_allows(&actions[i], s)) continue;
        if (strcmp(actions[i].name, "escalate") == 0 &&
            json_is_true(json_object_get(d, "escalated")))
            continue;
        if (strcmp(actions[i].name, "close") == 0 && now < jint(d, "resolved_at") + VERDICT_WAIT_S)
            continue;
        json_array_append_new(arr, json_string(actions[i].name));
    }
    return arr;
}

static void add_flags(struct hq_app *a, json_t *o, json_t *d, int64_t now, int days)
{
    bool ao = ack_overdue(d, now), ro = resolve_overdue(a, d, now, days);
    json_object_set_new(o, "resolve_by", json_integer(resolve_by(a, d, days)));
    json_object_set_new(o, "ack_overdue", json_boolean(ao));
    json_object_set_new(o, "resolve_overdue", json_boolean(ro));
    json_object_set_new(o, "overdue", json_boolean(ao || ro));
}

/* The staff view of one complaint: everything stored, times as text, flags and next actions. */
static json_t *full_view(struct hq_app *a, json_t *d, int64_t now, int days)
{
    json_t *o = json_deep_copy(d);
    add_flags(a, o, d, now, days);
    if (strcmp(jstr(d, "status"), "resolved") == 0)
        json_object_set_new(o, "verdict_by", json_integer(jint(d, "resolved_at") + VERDICT_WAIT_S));
    json_object_set_new(o, "actions", allowed_actions(d, now));
    if (!json_object_get(o, "escalated")) json_object_set_new(o, "escalated", json_false());
    times_to_text(a, o);
    return o;
}

/* The list view: no contact, an excerpt of the content (at most 60 characters). */
static json_t *summary_view(struct hq_app *a, json_t *d, int64_t now, int days)
{
    const char *content = jstr(d, "content");
    size_t n = 0, chars = 0;
    while (content[n] && chars < 60) {
        n++;
        while ((content[n] & 0xC0) == 0x80)
            n++;
        chars++;
    }
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:O,s:b,s:I,s:I,s:s%,s:b,s:I}", "id", jstr(d, "id"), "tracking_code",
        jstr(d, "tracking_code"), "channel", jstr(d, "channel"), "status", jstr(d, "status"),
        "category", jstr(d, "category"), "severity", json_object_get(d, "severity") ?: json_null(),
        "needs_assistance", json_is_true(json_object_get(d, "needs_assistance")), "received_at",
        (json_int_t)jint(d, "received_at"), "acknowledge_by", (json_int_t)jint(d, "acknowledge_by"),
        "excerpt", content, n, "escalated", json_is_true(json_object_get(d, "escalated")),
        "reopen_count", (json_int_t)jint(d, "reopen_count"));
    if (!o) return NULL;
    json_object_set_new(o, "window",
                        jint(d, "window") ? json_integer(jint(d, "window")) : json_null());
    json_object_set_new(o, "assisted_by",
                        json_string(*jstr(d, "assisted_by") ? jstr(d, "assisted_by") : "none"));
    add_flags(a, o, d, now, days);
    times_to_text(a, o);
    return o;
}

/* Store d (kind "complaint", ordered by its reception) with the events, under mu; mu released. */
static int commit_doc(struct hq_app *a, struct hq_batch *b, json_t *d, const char *kind,
                      const char *key, int64_t t, struct hq_why *why)
{
    char *text = json_dumps(d, JSON_COMPACT);
    if (!text) {
        pthread_mutex_unlock(&a->mu);
        hq_batch_release(b);
        return hq_fail(why, HQ_EINTERNAL, "", "cannot encode the %s", kind);
    }
    hq_batch_doc(b, kind, key, text, t);
    free(text);
    return 0;
}

/* ---- inputs of the actions ---- */

struct act_in {
    char note[NOTE_MAX], internal[LONG_MAX_TEXT], result[LONG_MAX_TEXT], measures[LONG_MAX_TEXT],
        reason[NOTE_MAX], to[65], category[HQ_TEXT_CAP(HQ_CATEGORY_CHARS)], severity[8],
        clerk[HQ_USER_MAX], comment[NOTE_MAX];
    int64_t window;
    bool has_window, has_clerk, has_category, has_severity, has_subst, subst;
    bool has_satisfied, satisfied, escalate;
};

static int need_text(const char *s, const char *field, const char *what, struct hq_why *why)
{
    if (blank(s)) return hq_fail(why, HQ_EINVAL, field, "%s: %s", field, what);
    return 0;
}

static int parse_in(struct hq_app *a, const struct action *ac, json_t *in, struct act_in *r,
                    struct hq_why *why)
{
    static const char *const k_ack[] = {"note", "internal_note", NULL};
    static const char *const k_assess[] = {"category",      "severity", "window",        "clerk",
                                           "substantiated", "note",     "internal_note", NULL};
    static const char *const k_resolve[] = {"result", "measures", "internal_note", NULL};
    static const char *const k_verdict[] = {"satisfied", "comment", "escalate", NULL};
    static const char *const k_close[] = {"note", "internal_note", NULL};
    static const char *const k_escalate[] = {"reason", "to", "note", NULL};
    const char *n = ac->name;
    const char *const *known = strcmp(n, "acknowledge") == 0 ? k_ack
                               : strcmp(n, "assess") == 0    ? k_assess
                               : strcmp(n, "resolve") == 0   ? k_resolve
                               : strcmp(n, "verdict") == 0   ? k_verdict
                               : strcmp(n, "close") == 0     ? k_close
                                                             : k_escalate;
    int rc = hq__in_known(in, known, why);
    if (!rc) rc = hq__in_str(in, "note", false, r->note, sizeof r->note, why);
    if (!rc) rc = hq__in_str(in, "internal_note", false, r->internal, sizeof r->internal, why);
    if (!rc) rc = hq__in_str(in, "result", false, r->result, sizeof r->result, why);
    if (!rc) rc = hq__in_str(in, "measures", false, r->measures, sizeof r->measures, why);
    if (!rc) rc = hq__in_str(in, "reason", false, r->reason, sizeof r->reason, why);
    if (!rc) rc = hq__in_str(in, "to", false, r->to, sizeof r->to, why);
    if (!rc)
        rc = hq__in_text(in, "category", false, HQ_CATEGORY_CHARS, r->category, sizeof r->category,
                         why);
    if (!rc && r->category[0]) /* one of the hall's list, stored by its Chinese name */
        rc = hq__complaint_category_pick(a, r->category, r->category, sizeof r->category, why);
    if (!rc) rc = hq__in_str(in, "severity", false, r->severity, sizeof r->severity, why);
    if (!rc) rc = hq__in_str(in, "clerk", false, r->clerk, sizeof r->clerk, why);
    if (!rc) rc = hq__in_str(in, "comment", false, r->comment, sizeof r->comment, why);
    if (!rc) rc = hq__in_int(in, "window", false, 1, 9999, &r->window, why);
    if (!rc) rc = hq__in_bool(in, "substantiated", false, &r->subst, why);
    if (!rc) rc = hq__in_bool(in, "satisfied", strcmp(n, "verdict") == 0, &r->satisfied, why);
    if (!rc) rc = hq__in_bool(in, "escalate", false, &r->escalate, why);
    if (rc) return rc;
    r->has_window = json_object_get(in, "window") != NULL;
    r->has_clerk = json_object_get(in, "clerk") != NULL;
    r->has_category = json_object_get(in, "category") != NULL;
    r->has_severity = json_object_get(in, "severity") != NULL;
    r->has_subst = json_object_get(in, "substantiated") != NULL;
    r->has_satisfied = json_object_get(in, "satisfied") != NULL;

    if (strcmp(n, "acknowledge") == 0)
        return need_text(r->note, "note",
                         "the answer to the complainant is required (it is shown on the tracking "
                         "page)",
                         why);
    if (strcmp(n, "resolve") == 0) {
        rc = need_text(r->result, "result", "the result told to the complainant is required", why);
        if (!rc) rc = need_text(r->measures, "measures", "the measures taken are required", why);
        return rc;
    }
    if (strcmp(n, "escalate") == 0)
        return need_text(r->reason, "reason", "say why it is escalated", why);
    if (strcmp(n, "verdict") == 0 && !r->satisfied)
        return need_text(r->comment, "comment",
                         "please say what you are not satisfied with, so that it can be handled "
                         "again",
                         why);
    if (strcmp(n, "assess") == 0) {
        if (r->severity[0] && strcmp(r->severity, "low") != 0 &&
            strcmp(r->severity, "normal") != 0 && strcmp(r->severity, "high") != 0)
            return hq_fail(why, HQ_EINVAL, "severity", "severity: one of low, normal, high");
        if (r->window) {
            pthread_mutex_lock(&a->mu);
            bool ok = hq_window_find(&a->hall, (int32_t)r->window) != NULL;
            pthread_mutex_unlock(&a->mu);
            if (!ok)
                return hq_fail(why, HQ_EINVAL, "window", "window: no window %lld",
                               (long long)r->window);
        }
        if (r->clerk[0]) {
            pthread_mutex_lock(&a->mu);
            bool ok = hq_staff_find(&a->hall, r->clerk) != NULL;
            pthread_mutex_unlock(&a->mu);
            if (!ok)
                return hq_fail(why, HQ_EINVAL, "clerk", "clerk: no staff member '%.32s'", r->clerk);
        }
    }
    return 0;
}

/* ---- the changes ---- */

#define NOTE_SATISFIED "投诉人对处理结果满意，投诉办结 / you were satisfied with the result: closed"
#define NOTE_REOPENED                                                                                                           \
    "投诉人对处理结果不满意，已重新受理，我们将听取意见、说明情况并重新处理 / you were not " \
    "satisfied with the result: reopened — we will listen, explain and handle it again"
#define NOTE_ESCALATED "已提交负责人督办 / referred to the manager"
#define NOTE_CLOSED_NO_VERDICT                                                                     \
    "答复处理结果后 7 日内未收到评价，投诉办结 / no verdict within 7 days of the answer: closed"

static void set_status(json_t *d, const char *s)
{
    json_object_set_new(d, "status", json_string(s));
}

static void escalate(json_t *d, int64_t now, const char *by, const char *to, const char *reason,
                     const char *note)
{
    json_object_set_new(d, "escalated", json_true());
    json_object_set_new(d, "escalation",
                        json_pack("{s:I,s:s,s:s,s:s}", "at", (json_int_t)now, "by", by, "to",
                                  to && *to ? to : "manager", "reason", reason));
    hist_add(d, now, "escalate", by, note && *note ? note : NOTE_ESCALATED, reason);
}

/* Apply ac to d (already checked: status allows it). Fills the event types to log (up to 3). */
static int apply(struct hq_app *a, const struct hq_actor *who, json_t *d, const struct action *ac,
                 const struct act_in *r, int64_t now, int days, const char *ev[3],
                 struct hq_why *why)
{
    const char *by = who->username;
    const char *status = jstr(d, "status");
    if (!from_allows(ac, status))
        return hq_fail(why, HQ_ECONFLICT, "", "the complaint is %s: %s is not possible now%s",
                       status, ac->name,
                       strcmp(status, "received") == 0 ? " (acknowledge it first)" : "");
    if (!json_object_get(d, "resolve_by"))
        json_object_set_new(d, "resolve_by", json_integer(resolve_by(a, d, days)));
    ev[0] = ac->event;
    if (strcmp(ac->name, "acknowledge") == 0) {
        set_status(d, ac->to);
        json_object_set_new(d, "acknowledged_at", json_integer(now));
        json_object_set_new(d, "acknowledged_late", json_boolean(now > jint(d, "acknowledge_by")));
        hist_add(d, now, ac->name, by, r->note, r->internal);
    } else if (strcmp(ac->name, "assess") == 0) {
        set_status(d, ac->to);
        json_t *as = json_object_get(d, "assessment");
        if (!json_is_object(as)) {
            as = json_object();
            json_object_set_new(d, "assessment", as);
        }
        if (r->has_category) json_object_set_new(d, "category", json_string(r->category));
        if (r->has_severity)
            json_object_set_new(as, "severity",
                                r->severity[0] ? json_string(r->severity) : json_null());
        if (r->has_window)
            json_object_set_new(as, "window", r->window ? json_integer(r->window) : json_null());
        if (r->has_clerk)
            json_object_set_new(as, "clerk", r->clerk[0] ? json_string(r->clerk) : json_null());
        if (r->has_subst) json_object_set_new(as, "substantiated", json_boolean(r->subst));
        json_object_set_new(as, "at", json_integer(now));
        json_object_set_new(as, "by", json_string(by));
        json_object_set(d, "severity", json_object_get(as, "severity") ?: json_null());
        hist_add(d, now, ac->name, by, r->note, r->internal);
    } else if (strcmp(ac->name, "resolve") == 0) {
        set_status(d, ac->to);
        json_object_set_new(d, "resolved_at", json_integer(now));
        json_object_set_new(d, "resolution",
                            json_pack("{s:s,s:s,s:I,s:s}", "result", r->result, "measures",
                                      r->measures, "at", (json_int_t)now, "by", by));
        hist_add(d, now, ac->name, by, r->result, r->internal);
    } else if (strcmp(ac->name, "close") == 0) {
        int64_t until = jint(d, "resolved_at") + VERDICT_WAIT_S;
        if (now < until) {
            char t[40];
            hq_app_format_time(a, until, t, sizeof t);
            return hq_fail(why, HQ_ECONFLICT, "",
                           "the complainant may give a verdict until %s: close it after that, or "
                           "when the verdict comes",
                           t);
        }
        set_status(d, ac->to);
        json_object_set_new(d, "closed_at", json_integer(now));
        json_object_set_new(d, "close_reason", json_string("no_verdict"));
        hist_add(d, now, ac->name, by, r->note[0] ? r->note : NOTE_CLOSED_NO_VERDICT, r->internal);
    } else if (strcmp(ac->name, "escalate") == 0) {
        if (json_is_true(json_object_get(d, "escalated")))
            return hq_fail(why, HQ_ECONFLICT, "", "the complaint has been escalated already");
        escalate(d, now, by, r->to, r->reason, r->note);
    } else { /* verdict */
        json_t *vs = json_object_get(d, "verdicts");
        if (!json_is_array(vs)) {
            vs = json_array();
            json_object_set_new(d, "verdicts", vs);
        }
        json_array_append_new(vs,
                              json_pack("{s:I,s:b,s:s,s:s,s:s}", "at", (json_int_t)now, "satisfied",
                                        r->satisfied, "comment", r->comment, "by", by, "channel",
                                        who->role == HQ_ROLE_NONE ? "tracking" : "staff"));
        if (r->satisfied) {
            set_status(d, "closed");
            json_object_set_new(d, "closed_at", json_integer(now));
            json_object_set_new(d, "close_reason", json_string("satisfied"));
            hist_add(d, now, "verdict", by, NOTE_SATISFIED, NULL);
        } else {
            int64_t reopens = jint(d, "reopen_count") + 1;
            set_status(d, "reopened");
            json_object_set_new(d, "reopen_count", json_integer(reopens));
            json_object_set_new(d, "resolve_by", json_integer(add_working_days(a, now, days)));
            hist_add(d, now, "verdict", by, NOTE_REOPENED, NULL);
            ev[1] = "complaint.reopened";
            bool esc = r->escalate || reopens >= ESCALATE_AFTER_REOPENS;
            if (esc && !json_is_true(json_object_get(d, "escalated"))) {
                escalate(d, now, by, "manager",
                         r->escalate ? "the complainant asked for the manager"
                                     : "not satisfied a second time",
                         NULL);
                ev[2] = "complaint.escalated";
            }
        }
    }
    return 0;
}

static int act(struct hq_app *a, const struct hq_actor *who, const char *code,
               const struct action *ac, json_t *in, json_t **out, struct hq_why *why)
{
    struct act_in *r = calloc(1, sizeof *r);
    json_t *empty = NULL, *d = NULL;
    const char *ev[3] = {NULL, NULL, NULL};
    int64_t now = 0;
    int days = resolve_days(a);
    int rc;
    if (!r) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    if (!in) in = empty = json_object();
    rc = parse_in(a, ac, in, r, why);
    if (rc) goto out;
    pthread_mutex_lock(&cmu);
    rc = load_complaint(a, code, &d, why);
    now = hq_app_time(a);
    if (!rc) rc = apply(a, who, d, ac, r, now, days, ev, why);
    if (!rc) {
        struct hq_batch b;
        hq_batch_init(&b);
        char key[11];
        snprintf(key, sizeof key, "%s", jstr(d, "tracking_code"));
        pthread_mutex_lock(&a->mu);
        rc = commit_doc(a, &b, d, "complaint", key, jint(d, "received_at"), why);
        for (int i = 0; !rc && i < 3; i++) {
            if (!ev[i]) continue;
            json_t *data = event_data(d);
            if (strcmp(ev[i], "complaint.verdict") == 0)
                json_object_set_new(data, "satisfied", json_boolean(r->satisfied));
            hq__app_event(a, &b, who->username, ev[i], data);
        }
        if (!rc) rc = hq__app_commit_unlock(a, &b, why);
        if (!rc) *out = full_view(a, d, now, days);
    }
    pthread_mutex_unlock(&cmu);
out:
    json_decref(d);
    json_decref(empty);
    free(r);
    return rc;
}

static const struct action *find_action(const char *name)
{
    for (size_t i = 0; i < N_ACTIONS; i++)
        if (strcmp(actions[i].name, name) == 0) return &actions[i];
    return NULL;
}

/* ---- the use cases ---- */

int hq_app_complaint_action(struct hq_app *a, const struct hq_actor *who, const char *code,
                            const char *action, json_t *in, json_t **out, struct hq_why *why)
{
    const struct action *ac = find_action(action);
    if (ac) return act(a, who, code, ac, in, out, why);
    return hq_fail(why, HQ_ENOTFOUND, "",
                   "no action '%.20s': acknowledge, assess, resolve, verdict, close, escalate",
                   action);
}

/* The public tracking view (GET /complaints/track/{code}): status and public history, never the
 * content, contact or internal notes, and the deadlines the complainant can hold the hall to:
 * the current step's ("step": acknowledge while received, resolve until answered, verdict while
 * the answer awaits the complainant's verdict, none once closed), the acknowledgement promise only
 * until it is acknowledged, and the result deadline (resolve_by) until answered. */
int hq_app_complaint_track(struct hq_app *a, const char *code, json_t **out, struct hq_why *why)
{
    char up[16];
    size_t n = strlen(code);
    if (n != 10) return hq_fail(why, HQ_ENOTFOUND, "", "no complaint with this tracking code");
    for (size_t i = 0; i <= n; i++)
        up[i] = (char)toupper((unsigned char)code[i]);
    int days = resolve_days(a);
    char *text = NULL;
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->doc_get(a->reader, "complaint", up, &text);
    pthread_mutex_unlock(&a->reader_mu);
    if (rc != 0 || !text)
        return hq_fail(why, HQ_ENOTFOUND, "", "no complaint with this tracking code");
    json_t *d = json_loads(text, 0, NULL);
    free(text);
    if (!d) return hq_fail(why, HQ_EINTERNAL, "", "stored complaint unreadable");
    json_t *hist = json_array();
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(d, "history"), i, h)
    {
        json_array_append_new(
            hist, json_pack("{s:o,s:O,s:O}", "at",
                            hq__time_json(a, json_integer_value(json_object_get(h, "at"))),
                            "status", json_object_get(h, "status"), "note",
                            json_object_get(h, "note") ?: json_null()));
    }
    const char *st = jstr(d, "status");
    bool received = strcmp(st, "received") == 0, closed = strcmp(st, "closed") == 0,
         resolved = strcmp(st, "resolved") == 0;
    int64_t verdict_by = resolved ? jint(d, "resolved_at") + VERDICT_WAIT_S : 0;
    const char *step = closed ? NULL : received ? "acknowledge" : resolved ? "verdict" : "resolve";
    int64_t step_by = closed     ? 0
                      : received ? jint(d, "acknowledge_by")
                      : resolved ? verdict_by
                                 : resolve_by(a, d, days);
    json_t *res = json_object_get(d, "resolution");
    *out = json_pack(
        "{s:O,s:O,s:O,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "tracking_code",
        json_object_get(d, "tracking_code"), "status", json_object_get(d, "status"), "channel",
        json_object_get(d, "channel"), "received_at", hq__time_json(a, jint(d, "received_at")),
        "acknowledge_by", received ? hq__time_json(a, jint(d, "acknowledge_by")) : json_null(),
        "acknowledged_at", hq__time_json(a, jint(d, "acknowledged_at")), "resolve_by",
        closed || resolved ? json_null() : hq__time_json(a, resolve_by(a, d, days)), "resolved_at",
        hq__time_json(a, jint(d, "resolved_at")), "result",
        json_is_object(res) ? json_string(jstr(res, "result")) : json_null(), "deadline",
        step ? json_pack("{s:s,s:o}", "step", step, "by", hq__time_json(a, step_by)) : json_null(),
        "closed_at", hq__time_json(a, jint(d, "closed_at")), "history", hist);
    json_decref(d);
    return *out ? 0 : hq_fail(why, HQ_EINTERNAL, "", "stored complaint incomplete");
}

int hq_app_complaint_verdict(struct hq_app *a, const struct hq_actor *who, const char *code,
                             json_t *in, json_t **out, struct hq_why *why)
{
    int rc = hq__rate_public(a, who, "verdict", 10, "verdicts", why);
    if (rc) return rc;
    json_t *full = NULL;
    rc = act(a, who, code, find_action("verdict"), in, &full, why);
    if (rc) return rc;
    /* The complainant gets the public view again, never the staff one. */
    json_decref(full);
    return hq_app_complaint_track(a, code, out, why);
}

int hq_app_complaint_get(struct hq_app *a, const char *code, json_t **out, struct hq_why *why)
{
    json_t *d = NULL;
    int days = resolve_days(a);
    int rc = load_complaint(a, code, &d, why);
    if (rc) return rc;
    *out = full_view(a, d, hq_app_time(a), days);
    json_decref(d);
    return 0;
}

static json_t *list_docs(struct hq_app *a, const char *kind, size_t max)
{
    return hq__docs_list(a, kind, 0, 0, max);
}

int hq_app_complaints_list(struct hq_app *a, const char *status, bool overdue_only, size_t max,
                           json_t **out, struct hq_why *why)
{
    if (status && *status && strcmp(status, "open") != 0 && !in_list(status, statuses))
        return hq_fail(why, HQ_EINVAL, "status",
                       "status: open, received, acknowledged, assessed, resolved, reopened or "
                       "closed");
    if (max == 0 || max > COMPLAINTS_LIST_MAX) max = COMPLAINTS_LIST_MAX;
    int days = resolve_days(a);
    int64_t now = hq_app_time(a);
    json_t *docs = list_docs(a, "complaint", COMPLAINTS_LIST_MAX);
    json_t *arr = json_array();
    int64_t n_ack = 0, n_res = 0, n_open = 0, n_esc = 0;
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        const char *s = jstr(d, "status");
        bool ao = ack_overdue(d, now), ro = resolve_overdue(a, d, now, days);
        bool open = strcmp(s, "closed") != 0;
        n_ack += ao;
        n_res += ro;
        n_open += open;
        n_esc += open && json_is_true(json_object_get(d, "escalated"));
        if (status && *status && (strcmp(status, "open") == 0 ? !open : strcmp(status, s) != 0))
            continue;
        if (overdue_only && !ao && !ro) continue;
        if (json_array_size(arr) >= max) continue;
        json_t *v = summary_view(a, d, now, days);
        if (v) json_array_append_new(arr, v);
    }
    json_decref(docs);
    *out = json_pack("{s:o,s:I,s:I,s:{s:I,s:I},s:o}", "complaints", arr, "open", (json_int_t)n_open,
                     "escalated", (json_int_t)n_esc, "overdue", "acknowledge", (json_int_t)n_ack,
                     "resolve", (json_int_t)n_res, "categories", hq__complaint_categories(a));
    return *out ? 0 : hq_fail(why, HQ_EINTERNAL, "", "cannot build the list");
}

/* ---- improvement actions (9.2.1) ---- */

static const char *const sources[] = {"complaint", "evaluation", "incident",
                                      "survey",    "other",      NULL};

static json_t *improvement_view(struct hq_app *a, json_t *d, int32_t today)
{
    json_t *o = json_deep_copy(d);
    int32_t due = 0;
    const char *s = jstr(d, "due");
    bool overdue =
        *s && hq__parse_date(s, &due) == 0 && strcmp(jstr(d, "status"), "open") == 0 && today > due;
    json_object_set_new(o, "overdue", json_boolean(overdue));
    times_to_text(a, o);
    return o;
}

int hq_app_improvements_list(struct hq_app *a, const char *status, json_t **out, struct hq_why *why)
{
    if (status && *status && strcmp(status, "open") != 0 && strcmp(status, "done") != 0)
        return hq_fail(why, HQ_EINVAL, "status", "status: open or done");
    struct hq_now now;
    hq_app_now(a, &now);
    json_t *docs = list_docs(a, "improvement", IMPROVEMENTS_LIST_MAX);
    json_t *arr = json_array();
    int64_t n_open = 0, n_over = 0;
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        json_t *v = improvement_view(a, d, now.day);
        bool open = strcmp(jstr(d, "status"), "open") == 0;
        n_open += open;
        n_over += json_is_true(json_object_get(v, "overdue"));
        if (status && *status && strcmp(status, jstr(d, "status")) != 0) {
            json_decref(v);
            continue;
        }
        json_array_append_new(arr, v);
    }
    json_decref(docs);
    *out = json_pack("{s:o,s:I,s:I}", "improvements", arr, "open", (json_int_t)n_open, "overdue",
                     (json_int_t)n_over);
    return *out ? 0 : hq_fail(why, HQ_EINTERNAL, "", "cannot build the list");
}

int hq_app_improvement_create(struct hq_app *a, const struct hq_actor *who, json_t *in,
                              json_t **out, struct hq_why *why)
{
    static const char *const known[] = {"source", "complaint", "ref", "title",
                                        "owner",  "due",       NULL};
    char source[16] = "", complaint[16] = "", ref[65] = "", title[256] = "", owner[65] = "",
         due[16] = "";
    json_t *empty = NULL;
    if (!in) in = empty = json_object();
    int rc = hq__in_known(in, known, why);
    if (!rc) rc = hq__in_str(in, "source", true, source, sizeof source, why);
    if (!rc) rc = hq__in_str(in, "complaint", false, complaint, sizeof complaint, why);
    if (!rc) rc = hq__in_str(in, "ref", false, ref, sizeof ref, why);
    if (!rc) rc = hq__in_str(in, "title", true, title, sizeof title, why);
    if (!rc) rc = hq__in_str(in, "owner", true, owner, sizeof owner, why);
    if (!rc) rc = hq__in_str(in, "due", false, due, sizeof due, why);
    json_decref(empty);
    if (rc) return rc;
    if (!in_list(source, sources))
        return hq_fail(why, HQ_EINVAL, "source",
                       "source: one of complaint, evaluation, incident, survey, other");
    if (blank(title)) return hq_fail(why, HQ_EINVAL, "title", "title: say what is to improve");
    if (blank(owner)) return hq_fail(why, HQ_EINVAL, "owner", "owner: who sees to it");
    int32_t dd;
    if (due[0] && hq__parse_date(due, &dd) != 0)
        return hq_fail(why, HQ_EINVAL, "due", "due: a date YYYY-MM-DD");
    bool from_complaint = strcmp(source, "complaint") == 0;
    if (from_complaint && !complaint[0])
        return hq_fail(why, HQ_EINVAL, "complaint",
                       "complaint: the tracking code of the complaint it comes from");
    if (!from_complaint && complaint[0])
        return hq_fail(why, HQ_EINVAL, "complaint", "complaint: only with source complaint");

    int64_t now = hq_app_time(a);
    char id[17];
    hq__random_hex(id, 8);
    json_t *c = NULL;
    pthread_mutex_lock(&cmu);
    if (from_complaint) {
        rc = load_complaint(a, complaint, &c, why);
        if (rc == HQ_ENOTFOUND)
            rc = hq_fail(why, HQ_EINVAL, "complaint", "complaint: no complaint with this code");
        const char *s = c ? jstr(c, "status") : "";
        if (!rc && strcmp(s, "resolved") != 0 && strcmp(s, "closed") != 0)
            rc = hq_fail(why, HQ_ECONFLICT, "complaint",
                         "the complaint is %s: an improvement action is raised from a resolved "
                         "or closed complaint",
                         s);
        if (!rc) snprintf(ref, sizeof ref, "%s", jstr(c, "tracking_code"));
    }
    if (rc) {
        pthread_mutex_unlock(&cmu);
        json_decref(c);
        return rc;
    }
    json_t *d = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s}", "id", id, "source", source, "ref",
                          ref, "title", title, "owner", owner, "status", "open", "created_at",
                          (json_int_t)now, "created_by", who->username);
    json_object_set_new(d, "due", due[0] ? json_string(due) : json_null());
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    rc = commit_doc(a, &b, d, "improvement", id, now, why);
    if (!rc && c) {
        json_t *imp = json_object_get(c, "improvements");
        if (!json_is_array(imp)) {
            imp = json_array();
            json_object_set_new(c, "improvements", imp);
        }
        json_array_append_new(imp, json_string(id));
        rc = commit_doc(a, &b, c, "complaint", jstr(c, "tracking_code"), jint(c, "received_at"),
                        why);
    }
    if (!rc) {
        hq__app_event(a, &b, who->username, "improvement.created",
                      json_pack("{s:s,s:s}", "id", id, "source", source));
        rc = hq__app_commit_unlock(a, &b, why);
    }
    pthread_mutex_unlock(&cmu);
    if (!rc) {
        struct hq_now hn;
        hq_app_now(a, &hn);
        *out = improvement_view(a, d, hn.day);
    }
    json_decref(d);
    json_decref(c);
    return rc;
}

int hq_app_improvement_close(struct hq_app *a, const struct hq_actor *who, const char *id,
                             json_t *in, json_t **out, struct hq_why *why)
{
    static const char *const known[] = {"result", NULL};
    char result[LONG_MAX_TEXT] = "";
    int rc = in ? hq__in_known(in, known, why) : 0;
    if (!rc && in) rc = hq__in_str(in, "result", false, result, sizeof result, why);
    if (rc) return rc;
    if (strlen(id) != 16 || strspn(id, "0123456789abcdef") != 16)
        return hq_fail(why, HQ_ENOTFOUND, "", "no improvement action '%.20s'", id);
    json_t *d = NULL;
    pthread_mutex_lock(&cmu);
    rc = load_doc(a, "improvement", id, &d);
    if (rc == HQ_ENOTFOUND)
        rc = hq_fail(why, HQ_ENOTFOUND, "", "no improvement action '%.20s'", id);
    else if (rc)
        rc = hq_fail(why, HQ_EINTERNAL, "", "stored improvement action unreadable");
    else if (strcmp(jstr(d, "status"), "open") != 0)
        rc = hq_fail(why, HQ_ECONFLICT, "", "the improvement action is done already");
    int64_t now = hq_app_time(a);
    if (!rc) {
        json_object_set_new(d, "status", json_string("done"));
        json_object_set_new(d, "closed_at", json_integer(now));
        json_object_set_new(d, "closed_by", json_string(who->username));
        json_object_set_new(d, "result", json_string(result));
        struct hq_batch b;
        hq_batch_init(&b);
        pthread_mutex_lock(&a->mu);
        rc = commit_doc(a, &b, d, "improvement", id, jint(d, "created_at"), why);
        if (!rc) {
            hq__app_event(a, &b, who->username, "improvement.closed",
                          json_pack("{s:s,s:s}", "id", id, "source", jstr(d, "source")));
            rc = hq__app_commit_unlock(a, &b, why);
        }
    }
    pthread_mutex_unlock(&cmu);
    if (!rc) {
        struct hq_now hn;
        hq_app_now(a, &hn);
        *out = improvement_view(a, d, hn.day);
    }
    json_decref(d);
    return rc;
}
