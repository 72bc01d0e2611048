/* SPDX-License-Identifier: MIT */
/*
 * uc_feedback.c — what the public sees and says: the display snapshot and notices (clause 5.2.4),
 * evaluations of every transaction (9.1.1, one per finished ticket, five levels) and complaints
 * (8.1–8.2: every channel, a tracking code, an acknowledgement deadline). Personal data (the
 * complainant's contact, comments) is stored but never published in events or public views.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app_int.h"
#include "hq_cases.h"
#include "stats_rollup.h"

static char *dump(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10));
    return s;
}

/* ---- loading ---- */

static int load_notice(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)t;
    struct hq_app *a = ctx;
    json_t *o = json_loads(json, 0, NULL);
    if (!o) return 0;
    if (a->n_notices < HQ_MAX_NOTICES) {
        struct hq_notice *n = &a->notices[a->n_notices++];
        memset(n, 0, sizeof *n);
        snprintf(n->id, sizeof n->id, "%s", key);
        snprintf(n->text, sizeof n->text, "%s",
                 json_string_value(json_object_get(o, "text")) ?: "");
        snprintf(n->text_en, sizeof n->text_en, "%s",
                 json_string_value(json_object_get(o, "text_en")) ?: "");
        n->posted_at = json_integer_value(json_object_get(o, "posted_at"));
        n->expires_at = json_integer_value(json_object_get(o, "expires_at"));
    }
    json_decref(o);
    return 0;
}

int hq__records_load(struct hq_app *a, struct hq_why *why)
{
    (void)why;
    a->n_notices = 0;
    a->store->vt->doc_list(a->store, "notice", 0, 0, HQ_MAX_NOTICES, load_notice, a);
    char *info = NULL;
    if (a->store->vt->doc_get(a->store, "setting", "public_info", &info) == 0) {
        a->public_info = json_loads(info, 0, NULL);
        free(info);
    }
    return 0;
}

/* ---- display ---- */

static json_t *notices_json(struct hq_app *a, int64_t now)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < a->n_notices; i++) {
        const struct hq_notice *n = &a->notices[i];
        if (n->expires_at && n->expires_at <= now) continue;
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:o}", "id", n->id, "text", n->text,
                                             "text_en", n->text_en, "posted_at",
                                             hq__time_json(a, n->posted_at)));
    }
    return arr;
}

static bool is_current(const struct hq_ticket *t)
{
    return t->status == HQ_CALLED || t->status == HQ_SERVING;
}

/* Newest call first; in the same second the ticket still at its window, then the later finish. */
static int by_called_desc(const void *x, const void *y)
{
    const struct hq_ticket *p = *(const struct hq_ticket *const *)x,
                           *q = *(const struct hq_ticket *const *)y;
    if (p->called_at != q->called_at) return p->called_at < q->called_at ? 1 : -1;
    if (is_current(p) != is_current(q)) return is_current(p) ? -1 : 1;
    return p->finished_at < q->finished_at ? 1 : p->finished_at > q->finished_at ? -1 : 0;
}

/* Every ticket now at a window first (the board must show them all), then the newest. */
static int by_current_then_called(const void *x, const void *y)
{
    const struct hq_ticket *p = *(const struct hq_ticket *const *)x,
                           *q = *(const struct hq_ticket *const *)y;
    if (is_current(p) != is_current(q)) return is_current(p) ? -1 : 1;
    return by_called_desc(x, y);
}

int hq_app_display(struct hq_app *a, json_t **out)
{
    struct hq_now today;
    hq_app_now(a, &today);
    int64_t now = today.t;
    pthread_mutex_lock(&a->mu);
    const struct hq_hall_conf *c = &a->hall.conf;
    json_t *hall = hq__hall_json(a);
    json_object_del(hall, "policy");
    json_object_del(hall, "public_info");
    /* The latest calls of the day, newest first: called or being served, and those since finished
     * or marked no-show too, so that a board reloaded mid-day shows the same recent calls. */
    size_t n = 0, n_current = 0;
    struct hq_ticket **calls = malloc((a->hall.n_tickets + 1) * sizeof *calls);
    for (size_t i = 0; calls && i < a->hall.n_tickets; i++) {
        struct hq_ticket *t = &a->hall.tickets[i];
        bool called = is_current(t);
        bool was = (t->status == HQ_DONE || t->status == HQ_NO_SHOW) && t->day == today.day;
        if ((called || was) && t->called_at) calls[n++] = t;
        if (called) n_current++;
    }
    /* All current calls and the newest past ones, at least 12 in all; then newest first. */
    size_t keep = n_current > 12 ? n_current : 12;
    if (keep > n) keep = n;
    if (calls) {
        qsort(calls, n, sizeof *calls, by_current_then_called);
        qsort(calls, keep, sizeof *calls, by_called_desc);
    }
    json_t *carr = json_array();
    for (size_t i = 0; i < keep; i++) {
        struct hq_window *w = hq_window_find(&a->hall, calls[i]->window);
        json_array_append_new(
            carr, json_pack("{s:s,s:i,s:s?,s:s,s:o,s:b,s:i}", "number", calls[i]->number, "window",
                            (int)calls[i]->window, "window_name", w ? w->name : NULL, "service",
                            calls[i]->service, "called_at", hq__time_json(a, calls[i]->called_at),
                            "recall", calls[i]->calls > 1, "calls", (int)calls[i]->calls));
    }
    free(calls);
    json_t *waiting = json_object();
    for (size_t i = 0; i < a->hall.n_services; i++)
        if (!hq__service_retired(a, a->hall.services[i].code)) /* branch retire */
            json_object_set_new(waiting, a->hall.services[i].code,
                                json_integer(hq_count_waiting(&a->hall, a->hall.services[i].code)));
    json_t *windows = json_array();
    for (size_t i = 0; i < a->hall.n_windows; i++) {
        const struct hq_window *w = &a->hall.windows[i];
        json_t *cur = json_null();
        if (w->current[0]) {
            struct hq_ticket *t = hq_ticket_find(&a->hall, w->current);
            if (t) cur = json_string(t->number);
        }
        json_array_append_new(
            windows, json_pack("{s:i,s:s,s:s,s:o,s:s?}", "number", (int)w->number, "name", w->name,
                               "state", hq_win_state_name(w->state), "current", cur, "pause_reason",
                               w->state == HQ_WIN_PAUSED ? w->pause_reason : NULL));
    }
    *out =
        json_pack("{s:o,s:o,s:o,s:o,s:o,s:b}", "hall", hall, "calls", carr, "waiting", waiting,
                  "windows", windows, "notices", notices_json(a, now), "suspended", c->suspended);
    pthread_mutex_unlock(&a->mu);
    return 0;
}

/* ---- notices ---- */

int hq_app_notice_post(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                       struct hq_why *why)
{
    static const char *const known[] = {"text", "text_en", "expires_in_s", NULL};
    struct hq_notice n;
    memset(&n, 0, sizeof n);
    int64_t expires_in = 0;
    int rc = hq__in_known(in, known, why);
    if (rc == 0) rc = hq__in_str(in, "text", true, n.text, sizeof n.text, why);
    if (rc == 0) rc = hq__in_str(in, "text_en", false, n.text_en, sizeof n.text_en, why);
    if (rc == 0) rc = hq__in_int(in, "expires_in_s", false, 0, 30 * 86400, &expires_in, why);
    if (rc == 0 && !n.text[0]) rc = hq_fail(why, HQ_EINVAL, "text", "text: must not be empty");
    if (rc) return rc;
    hq__random_hex(n.id, 8);
    n.posted_at = hq_app_time(a);
    n.expires_at = expires_in ? n.posted_at + expires_in : 0;
    json_t *doc = json_pack("{s:s,s:s,s:I,s:I,s:s}", "text", n.text, "text_en", n.text_en,
                            "posted_at", (json_int_t)n.posted_at, "expires_at",
                            (json_int_t)n.expires_at, "by", who->username);
    char *text = dump(doc);
    json_decref(doc);
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    if (a->n_notices == HQ_MAX_NOTICES) {
        /* drop the oldest */
        memmove(&a->notices[0], &a->notices[1], (HQ_MAX_NOTICES - 1) * sizeof n);
        a->n_notices--;
    }
    a->notices[a->n_notices++] = n;
    hq_batch_doc(&b, "notice", n.id, text, n.posted_at);
    free(text);
    hq__app_event(a, &b, who->username, "notice.posted",
                  json_pack("{s:s,s:s,s:s}", "id", n.id, "text", n.text, "text_en", n.text_en));
    *out = json_pack("{s:s,s:s,s:s,s:o}", "id", n.id, "text", n.text, "text_en", n.text_en,
                     "posted_at", hq__time_json(a, n.posted_at));
    rc = hq__app_commit_unlock(a, &b, why);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int hq_app_notice_clear(struct hq_app *a, const struct hq_actor *who, const char *id, json_t **out,
                        struct hq_why *why)
{
    pthread_mutex_lock(&a->mu);
    size_t i = 0;
    while (i < a->n_notices && strcmp(a->notices[i].id, id) != 0)
        i++;
    if (i == a->n_notices) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ENOTFOUND, "", "no notice '%.20s'", id);
    }
    memmove(&a->notices[i], &a->notices[i + 1], (a->n_notices - i - 1) * sizeof a->notices[0]);
    a->n_notices--;
    struct hq_batch b;
    hq_batch_init(&b);
    hq_batch_doc_delete(&b, "notice", id, hq_app_time(a));
    hq__app_event(a, &b, who->username, "notice.cleared", json_pack("{s:s}", "id", id));
    *out = json_pack("{s:s}", "id", id);
    int rc = hq__app_commit_unlock(a, &b, why);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* ---- evaluations ---- */

/* A pad (a registered device) rates only the ticket its window's pad is asking about: once the
 * window called its next customer or closed (pad->gone), or finished another ticket since, an
 * answer for the earlier ticket would come from the wrong customer. A pad that knows nothing
 * (after a restart) refuses nothing. Under mu. */
static bool pad_moved_on(struct hq_app *a, const struct hq_ticket *t)
{
    const struct hq_window *w = t->window ? hq_window_find(&a->hall, t->window) : NULL;
    const struct hq_pad *pad = w ? hq__pad(a, w) : NULL;
    if (!pad) return false;
    if (strcmp(pad->gone, t->id) == 0) return true;
    return pad->ticket[0] && strcmp(pad->ticket, t->id) != 0;
}

/* Which stage a rating is for and what is known of it: the stage document (written at the
 * finish), or for a ticket finished before stages were recorded, the ticket itself. */
struct rated_stage {
    struct hq_ticket t; /* the ticket as now (memory or store) */
    bool in_memory;
    int stage, latest; /* the stage rated; the latest finished (-1: none) */
    json_t *doc;       /* the stage's record */
    char key[80];
};

static int find_stage(struct hq_app *a, const struct hq_actor *who, const char *id, int64_t want,
                      struct rated_stage *r, struct hq_why *why)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_lock(&a->mu);
    struct hq_ticket *mt = strlen(id) == HQ_ID_LEN ? hq_ticket_find(&a->hall, id) : NULL;
    int pad_stage = -1;
    if (mt) {
        r->t = *mt;
        r->in_memory = true;
        const struct hq_window *w = who->device ? hq_window_find(&a->hall, mt->window) : NULL;
        const struct hq_pad *pad = w ? hq__pad(a, w) : NULL;
        if (pad && strcmp(pad->ticket, id) == 0) pad_stage = pad->stage;
    }
    pthread_mutex_unlock(&a->mu);
    if (!mt && strlen(id) == HQ_ID_LEN) {
        pthread_mutex_lock(&a->reader_mu);
        int rc = a->reader->vt->ticket_get(a->reader, id, &r->t);
        pthread_mutex_unlock(&a->reader_mu);
        if (rc != 0) r->t.id[0] = '\0';
    }
    if (!r->t.id[0]) return hq_fail(why, HQ_EINVAL, "ticket", "ticket: no such ticket");
    r->latest = r->t.status == HQ_DONE ? (int)r->t.stage : (int)r->t.stage - 1;
    if (r->t.status == HQ_NO_SHOW || r->t.status == HQ_CANCELLED || r->t.status == HQ_EXPIRED)
        r->latest = (int)r->t.stage - 1;
    if (r->latest < 0)
        return hq_fail(why, HQ_ECONFLICT, "ticket",
                       "ticket %s is %s: only a finished service is evaluated", r->t.number,
                       hq_status_name(r->t.status));
    r->stage = want >= 0 ? (int)want : pad_stage >= 0 ? pad_stage : r->latest;
    if (r->stage > r->latest)
        return hq_fail(why, HQ_ECONFLICT, "stage",
                       "ticket %s: stage %d is not finished yet, so it cannot be rated",
                       r->t.number, r->stage);
    hq__stage_key(id, r->stage, r->key, sizeof r->key);
    char *text = NULL;
    pthread_mutex_lock(&a->reader_mu);
    if (a->reader->vt->doc_get(a->reader, "stage", r->key, &text) == 0 && text)
        r->doc = json_loads(text, 0, NULL);
    free(text);
    pthread_mutex_unlock(&a->reader_mu);
    if (!r->doc && r->stage == (int)r->t.stage && r->t.status == HQ_DONE)
        r->doc = json_pack("{s:s,s:s,s:i,s:i,s:s,s:i,s:s,s:I,s:I}", "ticket", r->t.id, "number",
                           r->t.number, "day", (int)r->t.day, "stage", r->stage, "service",
                           r->t.service, "window", (int)r->t.window, "clerk", r->t.clerk,
                           "finished_at", (json_int_t)r->t.finished_at, "service_s",
                           (json_int_t)(r->t.started_at ? r->t.finished_at - r->t.started_at : 0));
    if (!r->doc)
        return hq_fail(why, HQ_ECONFLICT, "stage", "ticket %s: no record of stage %d", r->t.number,
                       r->stage);
    return 0;
}

static bool stored(struct hq_app *a, const char *kind, const char *key)
{
    char *text = NULL;
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->doc_get(a->reader, kind, key, &text);
    pthread_mutex_unlock(&a->reader_mu);
    free(text);
    return rc == 0;
}

/* One rating at a time: the check that a stage is unrated and the commit of its rating. */
static pthread_mutex_t emu = PTHREAD_MUTEX_INITIALIZER;

static int rate(struct hq_app *a, const struct hq_actor *who, struct rated_stage *r, int64_t level,
                json_t *reasons, const char *comment, json_t **out, struct hq_why *why)
{
    const char *number = r->t.number;
    int64_t now = hq_app_time(a);
    struct hq_eval_settings s;
    hq__eval_settings_read(a, &s);
    bool legacy_done = r->stage == (int)r->t.stage && r->t.status == HQ_DONE && r->t.evaluated;
    if (legacy_done || stored(a, "evaluation", r->key) ||
        (r->stage == (int)r->t.stage && stored(a, "evaluation", r->t.id)))
        return hq_fail(why, HQ_ECONFLICT, "ticket", "ticket %s has been evaluated already", number);
    if (stored(a, "evaluation_default", r->key))
        return hq_fail(why, HQ_ECONFLICT, "ticket",
                       "ticket %s: this service took the default rating, too late to evaluate",
                       number);
    int64_t finished = json_integer_value(json_object_get(r->doc, "finished_at"));
    if (now - finished > (int64_t)s.late_rating_h * 3600)
        return hq_fail(why, HQ_ECONFLICT, "ticket",
                       "ticket %s finished more than %d hours ago: too late to evaluate", number,
                       s.late_rating_h);
    int64_t due = level <= 2 ? hq__workdays_after(a, now, s.case_working_days) : 0;
    json_t *doc = json_deep_copy(r->doc);
    json_object_del(doc, "started_at");
    json_object_del(doc, "finished_at");
    json_object_set_new(doc, "level", json_integer(level));
    json_object_set_new(doc, "reasons", reasons ? json_deep_copy(reasons) : json_array());
    json_object_set_new(doc, "comment", json_string(comment));
    json_object_set_new(doc, "created_at", json_integer(now));
    json_object_set_new(doc, "channel", json_string(who->device ? "pad" : "web"));
    const char *service = json_string_value(json_object_get(doc, "service"));
    int window = (int)json_integer_value(json_object_get(doc, "window"));
    char *text = dump(doc);
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    struct hq_ticket *mt = hq_ticket_find(&a->hall, r->t.id);
    if (who->device && mt && pad_moved_on(a, mt)) {
        pthread_mutex_unlock(&a->mu);
        free(text);
        json_decref(doc);
        return hq_fail(why, HQ_ECONFLICT, "ticket",
                       "ticket %s: window %d has called its next customer, so its pad no longer "
                       "takes this evaluation",
                       number, window);
    }
    int latest = mt ? (mt->status == HQ_DONE ? (int)mt->stage : (int)mt->stage - 1) : -1;
    if (mt && r->stage == latest) {
        mt->evaluated = true;
        hq_batch_ticket(&b, mt);
    }
    hq_batch_doc(&b, "evaluation", r->key, text ? text : "{}", now);
    free(text);
    /* a late rating of a closed day: its statistics rollup is made again (stats_rollup.c) */
    hq__rollup_drop(a, &b, r->t.day, finished);
    if (level <= 2) hq__case_open(a, &b, doc, r->key, now, due);
    hq__app_event(a, &b, who->username, "evaluation.recorded",
                  json_pack("{s:s,s:s,s:i,s:I,s:i}", "number", number, "service",
                            service ? service : "", "window", window, "level", (json_int_t)level,
                            "stage", r->stage));
    *out = json_pack("{s:s,s:I,s:o,s:o,s:i,s:s}", "number", number, "level", (json_int_t)level,
                     "reasons", reasons ? json_deep_copy(reasons) : json_array(), "created_at",
                     hq__time_json(a, now), "stage", r->stage, "service", service ? service : "");
    json_decref(doc);
    int rc = hq__app_commit_unlock(a, &b, why);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int hq_app_evaluation_create(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                             struct hq_why *why)
{
    static const char *const known[] = {"ticket", "level", "reasons", "comment", "stage", NULL};
    char id[64] = "", comment[1024] = "";
    int64_t level = 0, stage = -1;
    if (who->role != HQ_ROLE_NONE && !who->device)
        return hq_fail(why, HQ_EFORBIDDEN, "",
                       "only the customer rates a service (the ticket's tracking page or the "
                       "window's pad), not a staff login");
    int rc = hq__in_known(in, known, why);
    if (rc == 0) rc = hq__in_str(in, "ticket", true, id, sizeof id, why);
    if (rc == 0) rc = hq__in_int(in, "level", true, 1, 5, &level, why);
    if (rc == 0) rc = hq__in_str(in, "comment", false, comment, sizeof comment, why);
    if (rc == 0) rc = hq__in_int(in, "stage", false, 0, HQ_NEXT_MAX, &stage, why);
    if (rc) return rc;
    json_t *reasons = json_object_get(in, "reasons");
    if (reasons && !json_is_null(reasons)) {
        if (!json_is_array(reasons) || json_array_size(reasons) > 8)
            return hq_fail(why, HQ_EINVAL, "reasons", "reasons: an array of at most 8 strings");
        size_t i;
        json_t *r;
        json_array_foreach(reasons, i, r)
        {
            if (!json_is_string(r) || json_string_length(r) == 0 || json_string_length(r) > 64)
                return hq_fail(why, HQ_EINVAL, "reasons",
                               "reasons[%zu]: a non-empty string of at most 64 bytes", i);
        }
    } else {
        reasons = NULL;
    }
    struct rated_stage *r = malloc(sizeof *r);
    if (!r) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    pthread_mutex_lock(&emu);
    rc = find_stage(a, who, id, stage, r, why);
    if (!rc) rc = rate(a, who, r, level, reasons, comment, out, why);
    pthread_mutex_unlock(&emu);
    json_decref(r->doc);
    free(r);
    return rc;
}

struct list_ctx {
    json_t *arr;
    struct hq_app *a;
};

static int collect_eval(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)key;
    struct list_ctx *c = ctx;
    json_t *o = json_loads(json, 0, NULL);
    if (!o) return 0;
    json_object_del(o, "ticket"); /* the id is the customer's secret */
    json_object_set_new(o, "created_at", hq__time_json(c->a, t));
    json_array_append_new(c->arr, o);
    return 0;
}

int hq_app_evaluations_list(struct hq_app *a, int64_t from, int64_t to, size_t max, json_t **out,
                            struct hq_why *why)
{
    (void)why;
    struct list_ctx c = {json_array(), a};
    pthread_mutex_lock(&a->reader_mu);
    a->reader->vt->doc_list(a->reader, "evaluation", from, to, max, collect_eval, &c);
    pthread_mutex_unlock(&a->reader_mu);
    *out = c.arr;
    return 0;
}

/* ---- complaints ---- */

static void tracking_code(char out[11])
{
    static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; /* no 0/O, 1/I */
    for (int i = 0; i < 10; i++)
        out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[10] = 0;
}

int hq_app_complaint_create(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                            struct hq_why *why)
{
    static const char *const known[] = {"channel",          "content",     "contact",
                                        "ticket",           "window",      "category",
                                        "needs_assistance", "assisted_by", NULL};
    char channel[16] = "web", content[4096] = "", contact[128] = "", ticket[64] = "",
         category[32] = "";
    int64_t window = 0;
    bool assist = false;
    int rc = hq__in_known(in, known, why);
    if (rc == 0) rc = hq__in_str(in, "channel", false, channel, sizeof channel, why);
    if (rc == 0) rc = hq__in_str(in, "content", true, content, sizeof content, why);
    if (rc == 0) rc = hq__in_str(in, "contact", false, contact, sizeof contact, why);
    if (rc == 0) rc = hq__in_str(in, "ticket", false, ticket, sizeof ticket, why);
    if (rc == 0) rc = hq__in_str(in, "category", false, category, sizeof category, why);
    if (rc == 0) rc = hq__in_int(in, "window", false, 0, 9999, &window, why);
    if (rc == 0) rc = hq__in_bool(in, "needs_assistance", false, &assist, why);
    /* 8.1.3: the assisted channel used (branch a11y): a guide filed it for the customer, text
     * only (hearing-impaired), the large-type page, or none */
    char assisted[16] = "none";
    if (rc == 0) rc = hq__in_str(in, "assisted_by", false, assisted, sizeof assisted, why);
    if (rc) return rc;
    if (strcmp(assisted, "guide") != 0 && strcmp(assisted, "text_only") != 0 &&
        strcmp(assisted, "large_type") != 0 && strcmp(assisted, "none") != 0)
        return hq_fail(why, HQ_EINVAL, "assisted_by",
                       "assisted_by: one of guide, text_only, large_type, none");
    static const char *const channels[] = {"web", "hotline", "box", "letter", "in_person", NULL};
    bool ok = false;
    for (const char *const *c = channels; *c; c++)
        ok |= strcmp(*c, channel) == 0;
    if (!ok)
        return hq_fail(why, HQ_EINVAL, "channel",
                       "channel: one of web, hotline, box, letter, in_person");
    size_t len = strlen(content);
    while (len && isspace((unsigned char)content[len - 1]))
        len--;
    if (len == 0) return hq_fail(why, HQ_EINVAL, "content", "content: say what happened");
    if (strcmp(channel, "web") != 0 && who->role == HQ_ROLE_NONE)
        return hq_fail(why, HQ_EUNAUTH, "",
                       "complaints from the %s channel are entered by staff: sign in", channel);
    if ((rc = hq__rate_public(a, who, "complaint", 10, "complaints", why))) return rc;
    int64_t now = hq_app_time(a);
    char code[11], id[17];
    tracking_code(code);
    hq__random_hex(id, 8);
    /* 8.2.2: by the end of the next working day (public_info.complaints.ack_working_days) */
    int64_t ack_by = hq__workdays_end(
        a, now, hq__complaint_setting(a, "ack_working_days", HQ_COMPLAINT_ACK_WORKING_DAYS, 30));
    json_t *hist = json_pack("[{s:I,s:s,s:s}]", "at", (json_int_t)now, "status", "received", "note",
                             "投诉已受理 / complaint received");
    json_t *doc = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:b,s:s,s:s,s:I,s:I,s:o}", "id", id, "tracking_code", code,
        "channel", channel, "content", content, "contact", contact, "ticket", ticket, "window",
        (json_int_t)window, "needs_assistance", assist, "category", category, "status", "received",
        "received_at", (json_int_t)now, "acknowledge_by", (json_int_t)ack_by, "history", hist);
    json_object_set_new(doc, "entered_by", json_string(who->username));
    json_object_set_new(doc, "assisted_by", json_string(assisted));
    char *text = dump(doc);
    json_decref(doc);
    struct hq_batch b;
    hq_batch_init(&b);
    hq_batch_doc(&b, "complaint", code, text, now);
    free(text);
    pthread_mutex_lock(&a->mu);
    hq__app_event(a, &b, who->username, "complaint.received",
                  json_pack("{s:s,s:b}", "channel", channel, "needs_assistance", assist));
    *out = json_pack("{s:s,s:s,s:o,s:s}", "id", id, "tracking_code", code, "acknowledge_by",
                     hq__time_json(a, ack_by), "status", "received");
    rc = hq__app_commit_unlock(a, &b, why);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* hq_app_complaint_track (the public tracking view) lives in uc_complaints.c. */
