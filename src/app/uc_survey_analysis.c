/* SPDX-License-Identifier: MIT */
/*
 * uc_survey_analysis.c — the gap analysis of a questionnaire (clause 9.1.4; docs/STATS.md
 * "Surveys and gap analysis"). Over a period of local days it reads the survey answers and
 * gives, per dimension of the questionnaire's latest version, the mean importance and the mean
 * performance with their 95% t intervals, the gap (importance − performance), the quadrant of the
 * importance–performance analysis and the dimensions furthest below what customers value. With
 * a second period it adds the significance tests: the chi-square test of independence on the
 * evaluations' level counts (5 levels × 2 periods) and, per dimension, Mann–Whitney U on the
 * performance and on the importance answers, with Holm's correction over all of them. The
 * mathematics is src/stats/stats_tests.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../plan/hq_plan.h"
#include "../stats/hq_stats.h"
#include "app_int.h"
#include "hq_surveys.h"

#define K 5
#define MAX_DAYS 366
#define DIMS_MAX 12

struct agg {
    json_t *dims; /* the questionnaire's dimensions [{key,…}] */
    const char *qid;
    size_t n_dims;
    int64_t imp[DIMS_MAX][K], perf[DIMS_MAX][K];
    int64_t answers, methods[4];
    int64_t levels[K]; /* evaluations */
};

static const char *const methods[] = {"pad", "web", "phone", "interview"};

static int on_answer(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)key;
    (void)t;
    struct agg *g = ctx;
    json_t *o = json_loads(json, 0, NULL);
    const char *q = o ? json_string_value(json_object_get(o, "questionnaire")) : NULL;
    if (!q || strcmp(q, g->qid) != 0) {
        json_decref(o);
        return 0;
    }
    g->answers++;
    const char *m = json_string_value(json_object_get(o, "method"));
    for (int i = 0; i < 4; i++)
        if (m && strcmp(m, methods[i]) == 0) g->methods[i]++;
    json_t *scores = json_object_get(o, "scores");
    for (size_t d = 0; d < g->n_dims; d++) {
        const char *k = json_string_value(json_object_get(json_array_get(g->dims, d), "key"));
        json_t *s = json_object_get(scores, k);
        json_int_t i = json_integer_value(json_object_get(s, "i"));
        json_int_t p = json_integer_value(json_object_get(s, "p"));
        if (i >= 1 && i <= K) g->imp[d][i - 1]++;
        if (p >= 1 && p <= K) g->perf[d][p - 1]++;
    }
    json_decref(o);
    return 0;
}

static int on_eval(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)key;
    (void)t;
    struct agg *g = ctx;
    json_t *o = json_loads(json, 0, NULL);
    json_int_t l = o ? json_integer_value(json_object_get(o, "level")) : 0;
    if (l >= 1 && l <= K) g->levels[l - 1]++;
    json_decref(o);
    return 0;
}

static void gather(struct hq_app *a, int32_t from, int32_t to, struct agg *g)
{
    int64_t t0 = hq__midnight(from, 0), t1 = hq__midnight(to, 1);
    pthread_mutex_lock(&a->reader_mu);
    a->reader->vt->doc_list(a->reader, "survey_answer", t0, t1, SIZE_MAX, on_answer, g);
    a->reader->vt->doc_list(a->reader, "evaluation", t0, t1, SIZE_MAX, on_eval, g);
    pthread_mutex_unlock(&a->reader_mu);
}

static int period(const char *from, const char *to, int32_t today, const char *ff, const char *tf,
                  int32_t *f, int32_t *t, struct hq_why *why)
{
    *f = *t = today;
    if (from && *from && hq__parse_date(from, f) != 0)
        return hq_fail(why, HQ_EINVAL, ff, "%s must be a date YYYY-MM-DD", ff);
    if (to && *to && hq__parse_date(to, t) != 0)
        return hq_fail(why, HQ_EINVAL, tf, "%s must be a date YYYY-MM-DD", tf);
    if (from && *from && !(to && *to)) *t = *f;
    if (!(from && *from) && to && *to) *f = *t;
    if (*f > *t) return hq_fail(why, HQ_EINVAL, tf, "%s must not be before %s", tf, ff);
    if (hq_days_from_civil(*t) - hq_days_from_civil(*f) >= MAX_DAYS)
        return hq_fail(why, HQ_EINVAL, tf, "a period of at most %d days", MAX_DAYS);
    return 0;
}

static json_t *num(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

static json_t *mean_json(const struct hq_stats_mean_ci *m)
{
    return json_pack("{s:I,s:o,s:o,s:o}", "n", (json_int_t)m->n, "mean",
                     m->n ? num(m->mean) : json_null(), "sd", m->n >= 2 ? num(m->sd) : json_null(),
                     "ci95", m->has_ci ? json_pack("[o,o]", num(m->lo), num(m->hi)) : json_null());
}

static json_t *levels_json(const int64_t *c)
{
    json_t *arr = json_array();
    for (int i = 0; i < K; i++)
        json_array_append_new(arr, json_integer(c[i]));
    return arr;
}

static json_t *methods_json(const struct agg *g)
{
    json_t *o = json_object();
    for (int i = 0; i < 4; i++)
        json_object_set_new(o, methods[i], json_integer(g->methods[i]));
    return o;
}

static json_t *mwu_json(const char *key, const char *aspect, const struct hq_stats_mwu *m,
                        const struct hq_stats_mean_ci *ma, const struct hq_stats_mean_ci *mb)
{
    const char *better = !m->valid ? "same" : m->z > 0 ? "a" : m->z < 0 ? "b" : "same";
    return json_pack("{s:s,s:s,s:b,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:s}", "dimension", key,
                     "aspect", aspect, "valid", m->valid, "n_a", (json_int_t)m->n_a, "n_b",
                     (json_int_t)m->n_b, "mean_a", ma->n ? num(ma->mean) : json_null(), "mean_b",
                     mb->n ? num(mb->mean) : json_null(), "u", num(m->u), "z", num(m->z), "p",
                     num(m->p), "effect", m->n_a && m->n_b ? num(m->effect) : json_null(), "higher",
                     better);
}

static json_t *comparison(struct hq_app *a, const struct agg *ga, json_t *q, int32_t bf, int32_t bt)
{
    struct agg *gb = calloc(1, sizeof *gb);
    if (!gb) return json_null();
    gb->dims = ga->dims;
    gb->n_dims = ga->n_dims;
    gb->qid = json_string_value(json_object_get(q, "id"));
    gather(a, bf, bt, gb);
    char f[16], t[16];
    hq__format_date(bf, f, sizeof f);
    hq__format_date(bt, t, sizeof t);
    int64_t table[2 * K];
    memcpy(table, ga->levels, sizeof ga->levels);
    memcpy(table + K, gb->levels, sizeof gb->levels);
    struct hq_stats_chi2 chi;
    hq_stats_chi2_indep(table, 2, K, &chi);
    json_t *tests = json_array();
    double p[2 * DIMS_MAX], adj[2 * DIMS_MAX];
    size_t np = 0;
    for (size_t d = 0; d < ga->n_dims; d++) {
        const char *key = json_string_value(json_object_get(json_array_get(ga->dims, d), "key"));
        for (int asp = 0; asp < 2; asp++) {
            const int64_t *ca = asp ? ga->imp[d] : ga->perf[d],
                          *cb = asp ? gb->imp[d] : gb->perf[d];
            struct hq_stats_mwu m;
            struct hq_stats_mean_ci ma, mb;
            hq_stats_mann_whitney_levels(ca, cb, K, &m);
            hq_stats_mean_ci_levels(ca, K, &ma);
            hq_stats_mean_ci_levels(cb, K, &mb);
            json_array_append_new(tests,
                                  mwu_json(key, asp ? "importance" : "performance", &m, &ma, &mb));
            p[np++] = m.valid ? m.p : 1;
        }
    }
    hq_stats_holm(p, np, adj);
    for (size_t i = 0; i < np; i++) {
        json_t *x = json_array_get(tests, i);
        bool valid = json_is_true(json_object_get(x, "valid"));
        json_object_set_new(x, "p_holm", json_real(adj[i]));
        json_object_set_new(x, "significant", json_boolean(valid && adj[i] < 0.05));
    }
    json_t *o = json_pack(
        "{s:s,s:s,s:I,s:o,s:{s:b,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:b},s:o,s:s,s:f}", "b_from", f,
        "b_to", t, "answers_b", (json_int_t)gb->answers, "methods_b", methods_json(gb),
        "evaluation_levels", "valid", chi.valid, "n", (json_int_t)chi.n, "levels_a",
        levels_json(ga->levels), "levels_b", levels_json(gb->levels), "chi2",
        chi.valid ? num(chi.stat) : json_null(), "df", chi.valid ? json_real(chi.df) : json_null(),
        "p", chi.valid ? num(chi.p) : json_null(), "min_expected",
        chi.valid ? num(chi.min_expected) : json_null(), "significant", chi.valid && chi.p < 0.05,
        "dimensions", tests, "correction", "holm", "alpha", 0.05);
    free(gb);
    return o;
}

int hq_app_survey_analysis(struct hq_app *a, const char *questionnaire, const char *from,
                           const char *to, const char *b_from, const char *b_to, json_t **out,
                           struct hq_why *why)
{
    struct hq_now now;
    hq_app_now(a, &now);
    int32_t f, t, bf = 0, bt = 0;
    int rc = period(from, to, now.day, "from", "to", &f, &t, why);
    bool cmp = (b_from && *b_from) || (b_to && *b_to);
    if (!rc && cmp) rc = period(b_from, b_to, now.day, "b_from", "b_to", &bf, &bt, why);
    if (rc) return rc;
    if (!questionnaire || !*questionnaire)
        return hq_fail(why, HQ_EINVAL, "questionnaire", "%s: required", "questionnaire");
    if (strlen(questionnaire) > 32)
        return hq_fail(why, HQ_EINVAL, "questionnaire", "%s: at most %zu characters",
                       "questionnaire", (size_t)32);
    json_t *q = hq__questionnaire_load(a, questionnaire);
    if (!q) return hq_fail(why, HQ_ENOTFOUND, "", "no questionnaire %s", questionnaire);
    json_t *vs = json_object_get(q, "versions");
    json_t *v = json_array_get(vs, json_array_size(vs) - 1);
    struct agg *g = calloc(1, sizeof *g);
    if (!g) {
        json_decref(q);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    g->dims = json_object_get(v, "dimensions");
    g->n_dims = json_array_size(g->dims) > DIMS_MAX ? DIMS_MAX : json_array_size(g->dims);
    g->qid = questionnaire;
    gather(a, f, t, g);
    struct hq_stats_ipa ipa[DIMS_MAX];
    double ci = 0, cp = 0;
    hq_stats_ipa(&g->imp[0][0], &g->perf[0][0], g->n_dims, K, ipa, &ci, &cp);
    json_t *dims = json_array(), *below = json_array();
    for (size_t d = 0; d < g->n_dims; d++) {
        json_t *dd = json_array_get(g->dims, d);
        json_t *x = json_pack(
            "{s:O,s:O,s:O,s:o,s:o,s:o,s:s,s:o,s:o,s:o}", "key", json_object_get(dd, "key"), "name",
            json_object_get(dd, "name"), "name_en", json_object_get(dd, "name_en"), "importance",
            mean_json(&ipa[d].importance), "performance", mean_json(&ipa[d].performance), "gap",
            ipa[d].rank ? num(ipa[d].gap) : json_null(), "quadrant",
            hq_stats_quadrant_name(ipa[d].quadrant), "rank",
            ipa[d].rank ? json_integer(ipa[d].rank) : json_null(), "importance_levels",
            levels_json(g->imp[d]), "performance_levels", levels_json(g->perf[d]));
        json_array_append_new(dims, x);
    }
    /* Furthest below what customers value: positive gaps, largest first. */
    for (int r = 1; r <= (int)g->n_dims; r++)
        for (size_t d = 0; d < g->n_dims; d++)
            if (ipa[d].rank == r && ipa[d].gap > 0)
                json_array_append(below, json_object_get(json_array_get(g->dims, d), "key"));
    char fs[16], ts[16];
    hq__format_date(f, fs, sizeof fs);
    hq__format_date(t, ts, sizeof ts);
    *out = json_pack(
        "{s:{s:s,s:O,s:O,s:O},s:s,s:s,s:I,s:o,s:o,s:{s:o,s:o},s:o,s:o,s:s,s:s}", "questionnaire",
        "id", questionnaire, "version", json_object_get(v, "version"), "title",
        json_object_get(q, "title"), "title_en", json_object_get(q, "title_en"), "from", fs, "to",
        ts, "answers", (json_int_t)g->answers, "methods", methods_json(g), "evaluation_levels",
        levels_json(g->levels), "crosshair", "importance", g->answers ? num(ci) : json_null(),
        "performance", g->answers ? num(cp) : json_null(), "dimensions", dims, "furthest_below",
        below, "interval", "t", "scale", "1-5");
    if (cmp) json_object_set_new(*out, "comparison", comparison(a, g, q, bf, bt));
    free(g);
    json_decref(q);
    return 0;
}

json_t *hq__survey_report_gap(struct hq_app *a, int32_t from, int32_t to)
{
    json_t *act = NULL, *out = NULL;
    char *text = NULL;
    pthread_mutex_lock(&a->reader_mu);
    if (a->reader->vt->doc_get(a->reader, "survey_setting", "active", &text) == 0)
        act = json_loads(text, 0, NULL);
    pthread_mutex_unlock(&a->reader_mu);
    free(text);
    const char *id = NULL;
    for (int i = 0; i < 3 && !id; i++)
        id = json_string_value(json_object_get(act, (const char *[]){"pad", "web", "staff"}[i]));
    if (id) {
        int64_t days = hq_days_from_civil(to) - hq_days_from_civil(from) + 1;
        int64_t d0 = hq_days_from_civil(from);
        char f[16], t[16], bf[16], bt[16];
        hq__format_date(from, f, sizeof f);
        hq__format_date(to, t, sizeof t);
        hq__format_date(hq_civil_from_days(d0 - days), bf, sizeof bf);
        hq__format_date(hq_civil_from_days(d0 - 1), bt, sizeof bt);
        struct hq_why why = {0};
        if (hq_app_survey_analysis(a, id, f, t, bf, bt, &out, &why) != 0) out = NULL;
    }
    json_decref(act);
    return out;
}
