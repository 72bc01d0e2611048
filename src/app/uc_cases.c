/* SPDX-License-Identifier: MIT */
/*
 * uc_cases.c — the case a bad review opens (levels 1-2, docs/EVALUATION.md): the return call to
 * the customer (reached or not, notes; a call not reached may be repeated), the verification
 * (founded or unfounded), the rectification (measures; only when founded) and the reply to the
 * customer, which closes the case; all before a deadline counted in working days by the hall's
 * calendar. A step out of its order is 409 with the step that comes first. The clerk concerned (or
 * a manager) may appeal a mistaken review with reasons; a manager who is neither the clerk nor the
 * appellant decides it, with reasons: upheld closes the case and excludes the rating from the
 * clerk's figures (the evaluation is flagged "excluded"), rejected lets the steps go on. A case
 * may raise an improvement action (the complaints module's, 9.2.1). Overdue open cases raise
 * alert.case_overdue once (tick). One document case/<id> each; kmu serialises read-modify-write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_int.h"
#include "stats_rollup.h"
#include "hq_cases.h"

#define CASES_MAX 5000
#define TEXT_CHARS 1000

static pthread_mutex_t kmu = PTHREAD_MUTEX_INITIALIZER;

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int64_t jint(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static bool is_boss(const struct hq_actor *who)
{
    return who->role == HQ_ROLE_MANAGER || who->role == HQ_ROLE_ADMIN;
}

/* The step that comes next, or "" when the case is through. */
static const char *next_step(json_t *d)
{
    if (strcmp(jstr(d, "status"), "open") != 0) return "";
    json_t *cb = json_object_get(d, "callback");
    if (!json_is_object(cb)) return "callback";
    json_t *v = json_object_get(d, "verification");
    if (!json_is_object(v)) return "verification";
    if (json_is_true(json_object_get(v, "founded")) &&
        !json_is_object(json_object_get(d, "rectification")))
        return "rectification";
    return "reply";
}

static bool overdue(json_t *d, int64_t now)
{
    return strcmp(jstr(d, "status"), "open") == 0 && now > jint(d, "due_by");
}

static void times_to_text(struct hq_app *a, json_t *o)
{
    static const char *const keys[] = {"at",         "created_at", "closed_at",
                                       "decided_at", "due_by",     NULL};
    for (const char *const *k = keys; *k; k++) {
        json_t *v = json_object_get(o, *k);
        if (json_is_integer(v)) json_object_set_new(o, *k, hq__time_json(a, json_integer_value(v)));
    }
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (json_is_object(v)) times_to_text(a, v);
        if (json_is_array(v)) {
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e) if (json_is_object(e)) times_to_text(a, e);
        }
    }
}

static json_t *view(struct hq_app *a, json_t *d, int64_t now)
{
    json_t *o = json_deep_copy(d);
    json_object_del(o, "evaluation"); /* the key holds the ticket id, the customer's secret */
    const char *n = next_step(d);
    json_object_set_new(o, "next_step", *n ? json_string(n) : json_null());
    json_object_set_new(o, "overdue", json_boolean(overdue(d, now)));
    json_object_set_new(o, "late", json_boolean(jint(d, "closed_at") > jint(d, "due_by")));
    times_to_text(a, o);
    return o;
}

static json_t *event_data(json_t *d, const char *step)
{
    return json_pack("{s:s,s:s,s:s,s:i}", "id", jstr(d, "id"), "step", step, "status",
                     jstr(d, "status"), "window", (int)jint(d, "window"));
}

void hq__case_open(struct hq_app *a, struct hq_batch *b, json_t *eval, const char *ekey,
                   int64_t now, int64_t due)
{
    char id[17];
    hq__random_hex(id, 8);
    json_t *d =
        json_pack("{s:s,s:s,s:s,s:I,s:I,s:s,s:I,s:s,s:I,s:O,s:s,s:I,s:I,s:s}", "id", id,
                  "evaluation", ekey, "number", jstr(eval, "number"), "day",
                  (json_int_t)jint(eval, "day"), "stage", (json_int_t)jint(eval, "stage"),
                  "service", jstr(eval, "service"), "window", (json_int_t)jint(eval, "window"),
                  "clerk", jstr(eval, "clerk"), "level", (json_int_t)jint(eval, "level"), "reasons",
                  json_object_get(eval, "reasons"), "comment", jstr(eval, "comment"), "created_at",
                  (json_int_t)now, "due_by", (json_int_t)due, "status", "open");
    if (!d) return;
    json_object_set_new(d, "improvements", json_array());
    json_object_set_new(
        d, "history",
        json_pack("[{s:I,s:s,s:s}]", "at", (json_int_t)now, "by", "", "step", "opened"));
    char *text = json_dumps(d, JSON_COMPACT);
    if (text) hq_batch_doc(b, "case", id, text, now);
    free(text);
    hq__app_event(a, b, "", "case.opened", event_data(d, "opened"));
    json_decref(d);
}

static int load(struct hq_app *a, const char *id, json_t **out, struct hq_why *why)
{
    char *text = NULL;
    *out = NULL;
    if (strlen(id) != 16) return hq_fail(why, HQ_ENOTFOUND, "", "no case '%.20s'", id);
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->doc_get(a->reader, "case", id, &text);
    pthread_mutex_unlock(&a->reader_mu);
    if (rc == 0 && text) *out = json_loads(text, 0, NULL);
    free(text);
    if (!*out) return hq_fail(why, HQ_ENOTFOUND, "", "no case '%.20s'", id);
    return 0;
}

/* Under mu: the case (and maybe its evaluation) into b; commits and unlocks. */
static int commit(struct hq_app *a, struct hq_batch *b, json_t *d, const char *actor,
                  const char *step, struct hq_why *why)
{
    char *text = json_dumps(d, JSON_COMPACT);
    if (!text) {
        pthread_mutex_unlock(&a->mu);
        hq_batch_release(b);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    hq_batch_doc(b, "case", jstr(d, "id"), text, jint(d, "created_at"));
    free(text);
    hq__app_event(a, b, actor, "case.updated", event_data(d, step));
    return hq__app_commit_unlock(a, b, why);
}

static void hist(json_t *d, int64_t now, const char *by, const char *step)
{
    json_t *h = json_object_get(d, "history");
    if (!json_is_array(h)) {
        h = json_array();
        json_object_set_new(d, "history", h);
    }
    json_array_append_new(
        h, json_pack("{s:I,s:s,s:s}", "at", (json_int_t)now, "by", by, "step", step));
}

static int need_text(json_t *in, const char *field, bool required, char *out, size_t cap,
                     struct hq_why *why)
{
    int rc = hq__in_text(in, field, required, TEXT_CHARS, out, cap, why);
    if (rc) return rc;
    const char *p = out;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    if (required && !*p) return hq_fail(why, HQ_EINVAL, field, "%s: must not be empty", field);
    return 0;
}

static int out_of_order(json_t *d, const char *step, struct hq_why *why)
{
    const char *n = next_step(d);
    if (!*n)
        return hq_fail(why, HQ_ECONFLICT, "", "the case is %s: no %s any more", jstr(d, "status"),
                       step);
    return hq_fail(why, HQ_ECONFLICT, "", "the case is at the %s step: do that first", n);
}

/* The workflow steps (manager, admin). Fills d; 0 or a refusal. */
static int do_step(json_t *d, const char *step, json_t *in, const char *by, int64_t now,
                   struct hq_why *why)
{
    char text[HQ_TEXT_CAP(TEXT_CHARS)] = "", outcome[16] = "";
    bool founded = false;
    const char *n = next_step(d);
    int rc = 0;
    if (strcmp(step, "callback") == 0) {
        static const char *const known[] = {"outcome", "notes", NULL};
        rc = hq__in_known(in, known, why);
        if (!rc) rc = hq__in_str(in, "outcome", true, outcome, sizeof outcome, why);
        if (!rc && strcmp(outcome, "reached") != 0 && strcmp(outcome, "not_reached") != 0)
            rc = hq_fail(why, HQ_EINVAL, "outcome", "outcome: reached or not_reached");
        if (!rc) rc = need_text(in, "notes", false, text, sizeof text, why);
        if (rc) return rc;
        json_t *cb = json_object_get(d, "callback");
        /* a call that did not reach the customer may be tried again before verification */
        bool again = json_is_object(cb) && strcmp(n, "verification") == 0 &&
                     strcmp(jstr(cb, "outcome"), "not_reached") == 0;
        if (strcmp(n, "callback") != 0 && !again) return out_of_order(d, step, why);
        json_object_set_new(d, "callback",
                            json_pack("{s:I,s:s,s:s,s:s,s:I}", "at", (json_int_t)now, "by", by,
                                      "outcome", outcome, "notes", text, "attempts",
                                      (json_int_t)(again ? jint(cb, "attempts") + 1 : 1)));
    } else if (strcmp(step, "verification") == 0) {
        static const char *const known[] = {"founded", "notes", NULL};
        rc = hq__in_known(in, known, why);
        if (!rc) rc = hq__in_bool(in, "founded", true, &founded, why);
        if (!rc) rc = need_text(in, "notes", true, text, sizeof text, why);
        if (rc) return rc;
        if (strcmp(n, "verification") != 0) return out_of_order(d, step, why);
        json_object_set_new(d, "verification",
                            json_pack("{s:I,s:s,s:b,s:s}", "at", (json_int_t)now, "by", by,
                                      "founded", founded, "notes", text));
    } else if (strcmp(step, "rectification") == 0) {
        static const char *const known[] = {"measures", NULL};
        rc = hq__in_known(in, known, why);
        if (!rc) rc = need_text(in, "measures", true, text, sizeof text, why);
        if (rc) return rc;
        if (strcmp(n, "rectification") != 0) {
            if (strcmp(n, "reply") == 0)
                return hq_fail(why, HQ_ECONFLICT, "",
                               "the review was found unfounded: no rectification, reply to the "
                               "customer");
            return out_of_order(d, step, why);
        }
        json_object_set_new(
            d, "rectification",
            json_pack("{s:I,s:s,s:s}", "at", (json_int_t)now, "by", by, "measures", text));
    } else {
        static const char *const known[] = {"text", NULL};
        rc = hq__in_known(in, known, why);
        if (!rc) rc = need_text(in, "text", true, text, sizeof text, why);
        if (rc) return rc;
        if (strcmp(n, "reply") != 0) return out_of_order(d, step, why);
        json_object_set_new(
            d, "reply", json_pack("{s:I,s:s,s:s}", "at", (json_int_t)now, "by", by, "text", text));
        json_object_set_new(d, "status", json_string("closed"));
        json_object_set_new(d, "closed_at", json_integer(now));
        json_object_set_new(d, "outcome", json_string("replied"));
    }
    hist(d, now, by, step);
    return 0;
}

static int do_appeal(json_t *d, const struct hq_actor *who, json_t *in, int64_t now,
                     struct hq_why *why)
{
    static const char *const known[] = {"reasons", NULL};
    char text[HQ_TEXT_CAP(TEXT_CHARS)] = "";
    int rc = hq__in_known(in, known, why);
    if (!rc) rc = need_text(in, "reasons", true, text, sizeof text, why);
    if (rc) return rc;
    if (!is_boss(who) && strcmp(who->username, jstr(d, "clerk")) != 0)
        return hq_fail(why, HQ_EFORBIDDEN, "",
                       "only the clerk concerned or a manager appeals a review");
    if (json_is_object(json_object_get(d, "appeal")))
        return hq_fail(why, HQ_ECONFLICT, "", "the review has been appealed already (%s)",
                       jstr(json_object_get(d, "appeal"), "status"));
    if (strcmp(jstr(d, "status"), "open") != 0)
        return hq_fail(why, HQ_ECONFLICT, "", "the case is %s: no %s any more", jstr(d, "status"),
                       "appeal");
    json_object_set_new(d, "appeal",
                        json_pack("{s:s,s:s,s:I,s:s}", "status", "filed", "by", who->username, "at",
                                  (json_int_t)now, "reasons", text));
    hist(d, now, who->username, "appeal");
    return 0;
}

static int do_decision(json_t *d, const struct hq_actor *who, json_t *in, int64_t now, bool *upheld,
                       struct hq_why *why)
{
    static const char *const known[] = {"upheld", "reasons", NULL};
    char text[HQ_TEXT_CAP(TEXT_CHARS)] = "";
    int rc = hq__in_known(in, known, why);
    if (!rc) rc = hq__in_bool(in, "upheld", true, upheld, why);
    if (!rc) rc = need_text(in, "reasons", true, text, sizeof text, why);
    if (rc) return rc;
    json_t *ap = json_object_get(d, "appeal");
    if (!is_boss(who)) return hq_fail(why, HQ_EFORBIDDEN, "", "a manager decides appeals");
    if (strcmp(who->username, jstr(d, "clerk")) == 0 ||
        (json_is_object(ap) && strcmp(who->username, jstr(ap, "by")) == 0))
        return hq_fail(why, HQ_EFORBIDDEN, "",
                       "an appeal is decided by a manager other than the clerk concerned and the "
                       "appellant");
    if (!json_is_object(ap))
        return hq_fail(why, HQ_ECONFLICT, "", "no appeal to decide: the clerk appeals first");
    if (strcmp(jstr(ap, "status"), "filed") != 0)
        return hq_fail(why, HQ_ECONFLICT, "", "the appeal has been decided already (%s)",
                       jstr(ap, "status"));
    json_object_set_new(ap, "status", json_string(*upheld ? "upheld" : "rejected"));
    json_object_set_new(ap, "decided_by", json_string(who->username));
    json_object_set_new(ap, "decided_at", json_integer(now));
    json_object_set_new(ap, "decision_reasons", json_string(text));
    if (*upheld) {
        json_object_set_new(d, "status", json_string("closed"));
        json_object_set_new(d, "closed_at", json_integer(now));
        json_object_set_new(d, "outcome", json_string("appeal_upheld"));
    }
    hist(d, now, who->username, *upheld ? "appeal_upheld" : "appeal_rejected");
    return 0;
}

/* Upheld: the rating leaves the clerk's figures (flag on the evaluation document) — into b. */
static void exclude_rating(struct hq_app *a, struct hq_batch *b, json_t *d, int64_t now)
{
    const char *key = jstr(d, "evaluation");
    char *text = NULL;
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->doc_get(a->reader, "evaluation", key, &text);
    pthread_mutex_unlock(&a->reader_mu);
    json_t *e = rc == 0 && text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (!e) return;
    json_object_set_new(e, "excluded", json_true());
    json_object_set_new(e, "excluded_by_case", json_string(jstr(d, "id")));
    /* The day's statistics rollup counted this rating: dropped, it is rebuilt from the rows
     * (without it) the next time the day is asked for (stats_rollup.c). */
    char *st = NULL; /* the stage: its day holds the rating in the evaluation coverage */
    pthread_mutex_lock(&a->reader_mu);
    if (a->reader->vt->doc_get(a->reader, "stage", key, &st) != 0) st = NULL;
    pthread_mutex_unlock(&a->reader_mu);
    json_t *so = st ? json_loads(st, 0, NULL) : NULL;
    free(st);
    hq__rollup_drop(a, b, (int32_t)jint(e, "day"), jint(so, "finished_at"));
    json_decref(so);
    char *t2 = json_dumps(e, JSON_COMPACT);
    if (t2)
        hq_batch_doc(b, "evaluation", key, t2, jint(e, "created_at") ? jint(e, "created_at") : now);
    free(t2);
    json_decref(e);
}

static int raise_improvement(struct hq_app *a, const struct hq_actor *who, json_t *d, json_t *in,
                             struct hq_why *why)
{
    static const char *const known[] = {"title", "owner", "due", NULL};
    int rc = hq__in_known(in, known, why);
    if (rc) return rc;
    json_t *imp_in = json_deep_copy(in);
    json_object_set_new(imp_in, "source", json_string("evaluation"));
    json_object_set_new(imp_in, "ref", json_string(jstr(d, "id")));
    json_t *imp = NULL;
    rc = hq_app_improvement_create(a, who, imp_in, &imp, why);
    json_decref(imp_in);
    if (rc) return rc;
    json_array_append_new(json_object_get(d, "improvements"), json_string(jstr(imp, "id")));
    json_decref(imp);
    return 0;
}

int hq_app_case_action(struct hq_app *a, const struct hq_actor *who, const char *id,
                       const char *step, json_t *in, json_t **out, struct hq_why *why)
{
    static const char *const steps[] = {"callback", "verification", "rectification", "reply",
                                        "appeal",   "decision",     "improvement",   NULL};
    bool known = false;
    for (const char *const *s = steps; *s; s++)
        known |= strcmp(*s, step) == 0;
    if (!known) return hq_fail(why, HQ_ENOTFOUND, "", "no case step '%.20s'", step);
    bool appeal = strcmp(step, "appeal") == 0;
    if (!appeal && !is_boss(who))
        return hq_fail(why, HQ_EFORBIDDEN, "", "a manager handles cases; a clerk may appeal");
    json_t *empty = NULL;
    if (!in) in = empty = json_object();
    if (!json_is_object(in)) {
        json_decref(empty);
        return hq_fail(why, HQ_EINVAL, "", "the body must be a JSON object");
    }
    json_t *d = NULL;
    pthread_mutex_lock(&kmu);
    int rc = load(a, id, &d, why);
    int64_t now = hq_app_time(a);
    bool upheld = false;
    if (!rc && !appeal && strcmp(jstr(d, "clerk"), who->username) == 0 &&
        strcmp(step, "decision") != 0 && strcmp(step, "improvement") != 0)
        rc = hq_fail(why, HQ_EFORBIDDEN, "",
                     "the case is about your own service: another manager handles it");
    if (!rc) {
        if (appeal)
            rc = do_appeal(d, who, in, now, why);
        else if (strcmp(step, "decision") == 0)
            rc = do_decision(d, who, in, now, &upheld, why);
        else if (strcmp(step, "improvement") == 0)
            rc = raise_improvement(a, who, d, in, why);
        else
            rc = do_step(d, step, in, who->username, now, why);
    }
    if (!rc) {
        struct hq_batch b;
        hq_batch_init(&b);
        if (upheld) exclude_rating(a, &b, d, now);
        pthread_mutex_lock(&a->mu);
        rc = commit(a, &b, d, who->username, step, why);
    }
    pthread_mutex_unlock(&kmu);
    if (!rc) *out = view(a, d, now);
    json_decref(d);
    json_decref(empty);
    return rc;
}

int hq_app_case_get(struct hq_app *a, const struct hq_actor *who, const char *id, json_t **out,
                    struct hq_why *why)
{
    json_t *d = NULL;
    int rc = load(a, id, &d, why);
    if (rc) return rc;
    if (!is_boss(who) && strcmp(who->username, jstr(d, "clerk")) != 0) {
        json_decref(d);
        return hq_fail(why, HQ_EFORBIDDEN, "", "a clerk reads only the cases about his service");
    }
    *out = view(a, d, hq_app_time(a));
    json_decref(d);
    return 0;
}

static json_t *all_cases(struct hq_app *a)
{
    return hq__docs_list(a, "case", 0, 0, CASES_MAX);
}

static json_t *share(int64_t n, int64_t of)
{
    return of ? json_real((double)n / (double)of) : json_null();
}

int hq_app_cases_list(struct hq_app *a, const struct hq_actor *who, const char *status,
                      json_t **out, struct hq_why *why)
{
    if (status && *status && strcmp(status, "open") != 0 && strcmp(status, "closed") != 0 &&
        strcmp(status, "overdue") != 0)
        return hq_fail(why, HQ_EINVAL, "status", "status: open, closed or overdue");
    int64_t now = hq_app_time(a);
    json_t *docs = all_cases(a), *arr = json_array();
    int64_t n = 0, open = 0, called = 0, reached = 0, on_time = 0, closed = 0, over = 0, filed = 0,
            upheld = 0, rejected = 0;
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        if (!is_boss(who) && strcmp(who->username, jstr(d, "clerk")) != 0) continue;
        bool is_open = strcmp(jstr(d, "status"), "open") == 0, ov = overdue(d, now);
        json_t *cb = json_object_get(d, "callback"), *ap = json_object_get(d, "appeal");
        n++;
        open += is_open;
        closed += !is_open;
        over += ov;
        called += json_is_object(cb);
        reached += json_is_object(cb) && strcmp(jstr(cb, "outcome"), "reached") == 0;
        on_time += !is_open && jint(d, "closed_at") <= jint(d, "due_by");
        filed += json_is_object(ap);
        upheld += json_is_object(ap) && strcmp(jstr(ap, "status"), "upheld") == 0;
        rejected += json_is_object(ap) && strcmp(jstr(ap, "status"), "rejected") == 0;
        if (status && *status &&
            (strcmp(status, "overdue") == 0 ? !ov : strcmp(status, jstr(d, "status")) != 0))
            continue;
        json_array_append_new(arr, view(a, d, now));
    }
    json_decref(docs);
    json_t *fig = json_pack(
        "{s:I,s:I,s:I,s:I,s:I,s:o,s:I,s:o,s:I,s:o,s:{s:I,s:I,s:I,s:I}}", "cases", (json_int_t)n,
        "open", (json_int_t)open, "overdue", (json_int_t)over, "called_back", (json_int_t)called,
        "reached", (json_int_t)reached, "called_back_share", share(called, n), "on_time",
        (json_int_t)on_time, "on_time_share", share(on_time, closed), "closed", (json_int_t)closed,
        "appeals_upheld_share", share(upheld, filed), "appeals", "filed", (json_int_t)filed,
        "upheld", (json_int_t)upheld, "rejected", (json_int_t)rejected, "pending",
        (json_int_t)(filed - upheld - rejected));
    *out = json_pack("{s:o,s:o}", "cases", arr, "figures", fig);
    return 0;
}

/* ---- the tick ---- */

static void overdue_alerts(struct hq_app *a)
{
    int64_t now = hq_app_time(a);
    pthread_mutex_lock(&kmu);
    json_t *docs = all_cases(a);
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        if (!overdue(d, now) || json_is_true(json_object_get(d, "overdue_alerted"))) continue;
        json_object_set_new(d, "overdue_alerted", json_true());
        char *text = json_dumps(d, JSON_COMPACT);
        if (!text) continue;
        struct hq_batch b;
        hq_batch_init(&b);
        hq_batch_doc(&b, "case", jstr(d, "id"), text, jint(d, "created_at"));
        free(text);
        pthread_mutex_lock(&a->mu);
        hq__app_event(a, &b, "", "alert.case_overdue",
                      json_pack("{s:s,s:s,s:i,s:o}", "id", jstr(d, "id"), "step", next_step(d),
                                "window", (int)jint(d, "window"), "due_by",
                                hq__time_json(a, jint(d, "due_by"))));
        struct hq_why why;
        if (hq__app_commit_unlock(a, &b, &why) != 0)
            fprintf(stderr, "hallq: overdue case alert not committed: %s\n", why.message);
    }
    json_decref(docs);
    pthread_mutex_unlock(&kmu);
}

void hq__cases_tick(struct hq_app *a)
{
    hq__eval_default_run(a, hq_app_time(a));
    overdue_alerts(a);
}
