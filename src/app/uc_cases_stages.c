/* SPDX-License-Identifier: MIT */
/*
 * uc_cases_stages.c — every transaction rated once (docs/EVALUATION.md): each finished stage of a
 * ticket (one per service of a 一票到底 ticket) is recorded as a document stage/<id>:<n> in the
 * same batch as the finish, so it outlives the ticket's memory and a restart. Ratings are
 * evaluation/<id>:<n>; a stage nobody rated takes the hall's default level after N days
 * (evaluation_default/<id>:<n>, flagged and kept apart from real ratings) by a periodic job that
 * scans the store from a persisted mark (setting/evaluation_default_mark), so a job missed while
 * the server was down runs at the next start. Coverage (the share of finished stages rated, real
 * ratings only) by window and clerk for GET /stats.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app_int.h"
#include "hq_cases.h"
#include "stats_rollup.h"

static pthread_mutex_t jmu = PTHREAD_MUTEX_INITIALIZER; /* one default-rating run at a time */

void hq__stage_key(const char *id, int stage, char *out, size_t cap)
{
    snprintf(out, cap, "%s:%d", id, stage);
}

void hq__stage_finished(struct hq_app *a, struct hq_batch *b, const struct hq_ticket *t,
                        int64_t now)
{
    (void)a;
    char key[80];
    hq__stage_key(t->id, (int)t->stage, key, sizeof key);
    json_t *d = json_pack(
        "{s:s,s:s,s:i,s:i,s:s,s:i,s:s,s:I,s:I,s:I}", "ticket", t->id, "number", t->number, "day",
        (int)t->day, "stage", (int)t->stage, "service", t->service, "window", (int)t->window,
        "clerk", t->clerk, "started_at", (json_int_t)t->started_at, "finished_at", (json_int_t)now,
        "service_s", (json_int_t)(t->started_at && now >= t->started_at ? now - t->started_at : 0));
    char *text = d ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    if (text) hq_batch_doc(b, "stage", key, text, now);
    free(text);
}

/* ---- the default-rating job ---- */

struct stage_list {
    json_t *keys, *docs;
};

static int collect(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)t;
    struct stage_list *l = ctx;
    json_t *o = json_loads(json, 0, NULL);
    if (!o) return 0;
    json_array_append_new(l->keys, json_string(key));
    json_array_append_new(l->docs, o);
    return 0;
}

static bool doc_exists(struct hq_app *a, const char *kind, const char *key)
{
    char *text = NULL;
    int rc = a->reader->vt->doc_get(a->reader, kind, key, &text);
    free(text);
    return rc == 0;
}

static int64_t mark_get(struct hq_app *a)
{
    char *text = NULL;
    int64_t t = 0;
    if (a->reader->vt->doc_get(a->reader, "setting", "evaluation_default_mark", &text) == 0) {
        json_t *o = json_loads(text, 0, NULL);
        t = json_integer_value(json_object_get(o, "t"));
        json_decref(o);
    }
    free(text);
    return t;
}

void hq__eval_default_run(struct hq_app *a, int64_t now)
{
    struct hq_eval_settings s;
    hq__eval_settings_read(a, &s);
    if (!s.default_level) return;
    int64_t cutoff = now - (int64_t)s.default_after_days * 86400;
    pthread_mutex_lock(&jmu);
    struct stage_list l = {json_array(), json_array()};
    pthread_mutex_lock(&a->reader_mu);
    int64_t mark = mark_get(a);
    if (cutoff > mark) a->reader->vt->doc_list(a->reader, "stage", mark, cutoff, 0, collect, &l);
    struct hq_batch b;
    hq_batch_init(&b);
    int n = 0;
    size_t i;
    json_t *d;
    json_array_foreach(l.docs, i, d)
    {
        const char *key = json_string_value(json_array_get(l.keys, i));
        if (doc_exists(a, "evaluation", key) || doc_exists(a, "evaluation_default", key)) continue;
        json_t *e = json_deep_copy(d);
        json_object_del(e, "started_at");
        json_object_set_new(e, "level", json_integer(s.default_level));
        json_object_set_new(e, "default", json_true());
        json_object_set_new(e, "reasons", json_array());
        json_object_set_new(e, "comment", json_string(""));
        json_object_set_new(e, "channel", json_string("default"));
        json_object_set_new(e, "created_at", json_integer(now));
        char *text = json_dumps(e, JSON_COMPACT);
        json_decref(e);
        if (text) hq_batch_doc(&b, "evaluation_default", key, text, now);
        free(text);
        /* the stage's closed day counted it unrated: its statistics rollup is made again */
        hq__rollup_drop(a, &b, (int32_t)json_integer_value(json_object_get(d, "day")),
                        json_integer_value(json_object_get(d, "finished_at")));
        n++;
    }
    pthread_mutex_unlock(&a->reader_mu);
    json_decref(l.keys);
    json_decref(l.docs);
    if (cutoff <= mark) {
        pthread_mutex_unlock(&jmu);
        hq_batch_release(&b);
        return;
    }
    char mtext[48];
    snprintf(mtext, sizeof mtext, "{\"t\":%lld}", (long long)cutoff);
    hq_batch_doc(&b, "setting", "evaluation_default_mark", mtext, now);
    pthread_mutex_lock(&a->mu);
    if (n > 0)
        hq__app_event(a, &b, "", "evaluation.defaulted",
                      json_pack("{s:i,s:i}", "count", n, "level", s.default_level));
    struct hq_why why;
    if (hq__app_commit_unlock(a, &b, &why) != 0)
        fprintf(stderr, "hallq: default ratings not committed: %s\n", why.message);
    pthread_mutex_unlock(&jmu);
}

/* ---- coverage ---- */

static json_t *cov_group(void)
{
    return json_pack("{s:i,s:i,s:i,s:i}", "stages", 0, "rated", 0, "defaulted", 0, "excluded", 0);
}

static void cov_inc(json_t *g, int rated, int defaulted, int excluded)
{
    const char *k[] = {"stages", "rated", "defaulted", "excluded"};
    int v[] = {1, rated, defaulted, excluded};
    for (int i = 0; i < 4; i++)
        json_object_set_new(g, k[i],
                            json_integer(json_integer_value(json_object_get(g, k[i])) + v[i]));
}

static void cov_add(json_t *groups, const char *name, int rated, int defaulted, int excluded)
{
    json_t *g = json_object_get(groups, name);
    if (!g) {
        g = cov_group();
        json_object_set_new(groups, name, g);
    }
    cov_inc(g, rated, defaulted, excluded);
}

static json_t *figures(json_t *g)
{
    json_int_t n = json_integer_value(json_object_get(g, "stages"));
    json_int_t r = json_integer_value(json_object_get(g, "rated"));
    json_int_t d = json_integer_value(json_object_get(g, "defaulted"));
    json_int_t x = json_integer_value(json_object_get(g, "excluded"));
    json_t *o = json_pack("{s:I,s:I,s:I,s:I,s:I}", "stages", n, "rated", r, "defaulted", d,
                          "excluded", x, "unrated", n - r - d);
    json_object_set_new(o, "coverage", n ? json_real((double)r / (double)n) : json_null());
    return o;
}

static int cmp_window(const void *x, const void *y)
{
    int a = (int)json_integer_value(json_object_get(*(json_t *const *)x, "window"));
    int b = (int)json_integer_value(json_object_get(*(json_t *const *)y, "window"));
    return a < b ? -1 : a > b;
}

static int cmp_clerk(const void *x, const void *y)
{
    return strcmp(json_string_value(json_object_get(*(json_t *const *)x, "clerk")),
                  json_string_value(json_object_get(*(json_t *const *)y, "clerk")));
}

/* The groups of one kind as an array sorted by window number or clerk (the same order however
 * the sums were added up). */
static json_t *group_array(json_t *groups, const char *name_key, bool numeric)
{
    size_t n = json_object_size(groups), i = 0;
    json_t **v = calloc(n ? n : 1, sizeof *v);
    json_t *arr = json_array();
    const char *k;
    json_t *g;
    json_object_foreach(groups, k, g)
    {
        if (!v) break;
        json_t *o = figures(g);
        json_object_set_new(o, name_key, numeric ? json_integer(atoi(k)) : json_string(k));
        v[i++] = o;
    }
    if (v) qsort(v, i, sizeof *v, numeric ? cmp_window : cmp_clerk);
    for (size_t j = 0; j < i; j++)
        json_array_append_new(arr, v[j]);
    free(v);
    return arr;
}

struct day_stages {
    json_t *list; /* [[key, window, clerk] …] */
};

static int stage_row(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)t;
    struct day_stages *c = ctx;
    json_t *o = json_loads(json, 0, NULL);
    if (!o) return 0;
    const char *clerk = json_string_value(json_object_get(o, "clerk"));
    json_array_append_new(c->list, json_pack("[s,I,s]", key,
                                             json_integer_value(json_object_get(o, "window")),
                                             clerk ? clerk : ""));
    json_decref(o);
    return 0;
}

/* Sums (docs/STATS.md "Rollups"): {"all":{stages,rated,defaulted,excluded},"by_window":{n:{…}},
 * "by_clerk":{user:{…}}} of the stages finished in days [from, to] (a stage by its finishing
 * time), each looked up among the ratings and default ratings, one day at a time so only a day's
 * stages are held. The caller holds st's lock. */
int hq__eval_coverage_fold(struct hq_store *st, int32_t from, int32_t to, json_t *sums)
{
    json_t *cov = json_object_get(sums, "coverage");
    if (!cov) {
        cov = json_pack("{s:o,s:{},s:{}}", "all", cov_group(), "by_window", "by_clerk");
        if (!cov || json_object_set_new(sums, "coverage", cov)) return -1;
    }
    json_t *all = json_object_get(cov, "all"), *by_window = json_object_get(cov, "by_window"),
           *by_clerk = json_object_get(cov, "by_clerk");
    int rc = 0;
    for (int32_t day = from; rc == 0 && day <= to; day = hq__day_add(day, 1)) {
        struct day_stages c = {json_array()};
        rc = st->vt->doc_list(st, "stage", hq__midnight(day, 0), hq__midnight(day, 1), 0, stage_row,
                              &c);
        size_t i;
        json_t *x;
        json_array_foreach(c.list, i, x)
        {
            const char *key = json_string_value(json_array_get(x, 0));
            char *text = NULL;
            int is_rated = st->vt->doc_get(st, "evaluation", key, &text) == 0, is_def = 0;
            int excl = is_rated && text && strstr(text, "\"excluded\":true") != NULL;
            free(text);
            text = NULL;
            if (!is_rated) is_def = st->vt->doc_get(st, "evaluation_default", key, &text) == 0;
            free(text);
            char w[16];
            snprintf(w, sizeof w, "%d", (int)json_integer_value(json_array_get(x, 1)));
            const char *clerk = json_string_value(json_array_get(x, 2));
            cov_inc(all, is_rated, is_def, excl);
            cov_add(by_window, w, is_rated, is_def, excl);
            if (clerk && *clerk) cov_add(by_clerk, clerk, is_rated, is_def, excl);
        }
        json_decref(c.list);
    }
    return rc ? -1 : 0;
}

/* The "evaluation_coverage" block of GET /stats from the sums. */
json_t *hq__eval_coverage_finish(json_t *sums)
{
    json_t *cov = json_object_get(sums, "coverage");
    json_t *out = figures(json_object_get(cov, "all"));
    json_object_set_new(out, "by_window",
                        group_array(json_object_get(cov, "by_window"), "window", true));
    json_object_set_new(out, "by_clerk",
                        group_array(json_object_get(cov, "by_clerk"), "clerk", false));
    return out;
}

json_t *hq__eval_coverage_json(struct hq_app *a, int32_t from, int32_t to)
{
    json_t *sums = json_object();
    pthread_mutex_lock(&a->reader_mu);
    hq__eval_coverage_fold(a->reader, from, to, sums);
    pthread_mutex_unlock(&a->reader_mu);
    json_t *out = hq__eval_coverage_finish(sums);
    json_decref(sums);
    return out;
}

/* ---- the customer's view of his stages (the tracking page) ---- */

static json_t *doc_json(struct hq_app *a, const char *kind, const char *key)
{
    char *text = NULL;
    json_t *o = NULL;
    if (a->reader->vt->doc_get(a->reader, kind, key, &text) == 0 && text)
        o = json_loads(text, 0, NULL);
    free(text);
    return o;
}

int hq_app_eval_stages(struct hq_app *a, const char *id, json_t **out, struct hq_why *why)
{
    struct hq_ticket t;
    memset(&t, 0, sizeof t);
    bool found = false;
    if (strlen(id) == HQ_ID_LEN) {
        pthread_mutex_lock(&a->mu);
        struct hq_ticket *mt = hq_ticket_find(&a->hall, id);
        if (mt) {
            t = *mt;
            found = true;
        }
        pthread_mutex_unlock(&a->mu);
        if (!found) {
            pthread_mutex_lock(&a->reader_mu);
            found = a->reader->vt->ticket_get(a->reader, id, &t) == 0;
            pthread_mutex_unlock(&a->reader_mu);
        }
    }
    if (!found) return hq_fail(why, HQ_ENOTFOUND, "", "no such ticket");
    struct hq_eval_settings s;
    hq__eval_settings_read(a, &s);
    int64_t now = hq_app_time(a);
    int latest = t.status == HQ_DONE ? (int)t.stage : (int)t.stage - 1;
    json_t *arr = json_array();
    pthread_mutex_lock(&a->reader_mu);
    for (int n = 0; n <= latest; n++) {
        char key[80];
        hq__stage_key(t.id, n, key, sizeof key);
        json_t *st = doc_json(a, "stage", key);
        json_t *ev = doc_json(a, "evaluation", key);
        bool legacy = !st && n == latest && t.status == HQ_DONE;
        if (legacy) {
            st = json_pack("{s:s,s:i,s:I}", "service", t.service, "window", (int)t.window,
                           "finished_at", (json_int_t)t.finished_at);
            if (!ev) ev = doc_json(a, "evaluation", t.id);
            if (!ev && t.evaluated) ev = json_object();
        }
        if (!st) {
            json_decref(ev);
            continue;
        }
        bool def = !ev && doc_exists(a, "evaluation_default", key);
        int64_t fin = json_integer_value(json_object_get(st, "finished_at"));
        int64_t until = fin + (int64_t)s.late_rating_h * 3600;
        json_t *o =
            json_pack("{s:i,s:s,s:i,s:o,s:b,s:b,s:o,s:b}", "stage", n, "service",
                      json_string_value(json_object_get(st, "service")) ?: "", "window",
                      (int)json_integer_value(json_object_get(st, "window")), "finished_at",
                      hq__time_json(a, fin), "rated", ev != NULL, "defaulted", def, "rate_until",
                      hq__time_json(a, until), "rateable", !ev && !def && now <= until);
        json_array_append_new(arr, o);
        json_decref(st);
        json_decref(ev);
    }
    pthread_mutex_unlock(&a->reader_mu);
    *out = json_pack("{s:s,s:i,s:o}", "number", t.number, "late_rating_h", s.late_rating_h,
                     "stages", arr);
    return 0;
}
