/* SPDX-License-Identifier: MIT */
/*
 * report_json.c — the statistics as the API answers them (GET /api/v1/stats and
 * /api/v1/stats/compare): durations in whole seconds, shares as numbers 0..1 rounded to four
 * places, null where there is nothing to measure (no samples), and the sources (ticket rows,
 * evaluations, complaints, the event log's counts and sequence range). Shapes in docs/STATS.md.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

static json_t *num2(double v, bool has)
{
    return has && isfinite(v) ? json_real(round(v * 100) / 100) : json_null();
}

/* Exact values: a figure is rounded once, for display (the "display" object, hq__round). */
static json_t *secs(double v, bool has)
{
    return has && isfinite(v) ? json_real(v) : json_null();
}

static json_t *share(double v, bool has)
{
    return has && isfinite(v) ? json_real(v) : json_null();
}

/* Every numeric column of the report tables, rounded for display exactly as CSV, XLSX and PDF
 * round it (minutes, shares 0..1 to 0.001, the index), under the column's id; null when nothing
 * was measured. */
static json_t *display_json(const struct hq_stats_group *g, bool scorecard)
{
    json_t *o = json_object();
    for (int c = 0; c < HQ_COL_COUNT_; c++) {
        if (!hq__cols[c].id) continue;
        const char *text;
        double v;
        bool has = hq__col_value(g, (enum hq__col)c, &text, &v);
        json_object_set_new(o, hq__cols[c].id,
                            has && isfinite(v) ? json_real(hq__round(hq__cols[c].kind, v))
                                               : json_null());
    }
    json_object_set_new(o, "mean_level", num2(hq__round(HQ_CK_NUM, g->sat.mean), g->sat.n > 0));
    if (scorecard)
        for (int c = 0; c < HQ_SC_COUNT_; c++) {
            if (!hq__score_cols[c].id) continue;
            const char *text;
            double v;
            bool has = hq__score_value(g, (enum hq__scol)c, &text, &v);
            json_object_set_new(o, hq__score_cols[c].id,
                                has && isfinite(v) ? json_real(hq__round(hq__score_cols[c].kind, v))
                                                   : json_null());
        }
    return o;
}

static json_t *verdict(enum hq_stats_verdict v)
{
    switch (v) {
    case HQ_VERDICT_MET:
        return json_string("met");
    case HQ_VERDICT_NEAR:
        return json_string("within_tolerance");
    case HQ_VERDICT_MISSED:
        return json_string("missed");
    default:
        return json_null();
    }
}

static json_t *dist_json(const struct hq_stats_dist *d, bool wait)
{
    bool h = d->n > 0;
    json_t *o = json_pack("{s:I,s:o,s:o,s:o,s:o}", "n", (json_int_t)d->n, "mean_s",
                          secs(d->mean, h), "median_s", secs(d->median, h), "p90_s",
                          secs(d->p90, h), "max_s", secs(d->max, h));
    if (wait) {
        json_object_set_new(o, "within_target", json_integer(d->within));
        json_object_set_new(o, "within_share", share(d->within_share, h));
    }
    return o;
}

static json_t *sat_json(const struct hq_stats_sat *s)
{
    bool h = s->n > 0;
    json_t *levels = json_object();
    for (int i = 0; i < HQ_STATS_LEVELS; i++) {
        char k[4];
        snprintf(k, sizeof k, "%d", i + 1);
        json_object_set_new(levels, k, json_integer(s->levels[i]));
    }
    return json_pack("{s:I,s:o,s:I,s:o,s:o,s:o,s:o}", "n", (json_int_t)s->n, "levels", levels,
                     "satisfied", (json_int_t)s->satisfied, "rate", share(s->rate, h), "rate_ci95",
                     h ? json_pack("[o,o]", share(s->rate_lo, true), share(s->rate_hi, true))
                       : json_null(),
                     "mean_level", share(s->mean, h), "index", share(s->index, h));
}

json_t *hq_report_group_json(const struct hq_stats_group *g, bool scorecard)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:o,s:o,s:o,s:I}", "key",
                          g->key, "name", g->name, "name_en", g->name_en, "counts", "issued",
                          (json_int_t)g->c.issued, "called", (json_int_t)g->c.called, "served",
                          (json_int_t)g->c.served, "no_show", (json_int_t)g->c.no_show, "cancelled",
                          (json_int_t)g->c.cancelled, "expired", (json_int_t)g->c.expired, "open",
                          (json_int_t)g->c.open, "wait", dist_json(&g->wait, true), "service",
                          dist_json(&g->service, false), "satisfaction", sat_json(&g->sat),
                          "complaints", (json_int_t)g->complaints);
    if (o) json_object_set_new(o, "display", display_json(g, scorecard));
    if (o && scorecard) {
        const struct hq_stats_score *sc = &g->score;
        json_object_set_new(
            o, "scorecard",
            json_pack("{s:I,s:o,s:o,s:b,s:o,s:o,s:b,s:I,s:i}", "served", (json_int_t)g->c.served,
                      "mean_service_s", secs(g->service.mean, g->service.n > 0), "target_service_s",
                      secs(sc->target_service_s, g->service.n > 0), "service_met", sc->service_met,
                      "satisfaction_rate", share(g->sat.rate, g->sat.n > 0), "target_satisfaction",
                      share(sc->target_satisfaction, true), "satisfaction_met",
                      sc->satisfaction_met, "complaints", (json_int_t)sc->complaints, "days",
                      (int)sc->days));
        json_t *card = json_object_get(o, "scorecard");
        json_object_set_new(card, "mean_wait_s", secs(g->wait.mean, g->wait.n > 0));
        json_object_set_new(card, "target_wait_s", json_integer(sc->target_wait_s));
        json_object_set_new(card, "wait_met", json_boolean(sc->wait_met));
        json_object_set_new(card, "service_verdict", verdict(sc->service_verdict));
        json_object_set_new(card, "satisfaction_verdict", verdict(sc->satisfaction_verdict));
        json_object_set_new(card, "wait_verdict", verdict(sc->wait_verdict));
        json_object_set_new(card, "tolerance_service_s",
                            g->service.n > 0 ? json_real(hq_stats_tolerance_s(sc->target_service_s))
                                             : json_null());
        json_object_set_new(card, "tolerance_wait_s",
                            json_real(hq_stats_tolerance_s(sc->target_wait_s)));
    }
    return o;
}

/* Who misses a target by a margin that matters, per target (usernames, in the staff order). */
static json_t *misses_json(const struct hq_stats *s)
{
    json_t *o = json_pack("{s:[],s:[],s:[],s:[]}", "wait", "service", "satisfaction", "near");
    for (size_t i = 0; i < s->n_clerks; i++) {
        const struct hq_stats_group *g = &s->clerks[i];
        const struct hq_stats_score *sc = &g->score;
        if (sc->wait_verdict == HQ_VERDICT_MISSED)
            json_array_append_new(json_object_get(o, "wait"), json_string(g->key));
        if (sc->service_verdict == HQ_VERDICT_MISSED)
            json_array_append_new(json_object_get(o, "service"), json_string(g->key));
        if (sc->satisfaction_verdict == HQ_VERDICT_MISSED)
            json_array_append_new(json_object_get(o, "satisfaction"), json_string(g->key));
        if (sc->wait_verdict == HQ_VERDICT_NEAR || sc->service_verdict == HQ_VERDICT_NEAR ||
            sc->satisfaction_verdict == HQ_VERDICT_NEAR)
            json_array_append_new(json_object_get(o, "near"), json_string(g->key));
    }
    return o;
}

static json_t *groups_json(const struct hq_stats_group *g, size_t n, bool scorecard,
                           bool skip_empty)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        if (skip_empty && g[i].c.issued == 0 && g[i].sat.n == 0) continue;
        json_array_append_new(arr, hq_report_group_json(&g[i], scorecard));
    }
    return arr;
}

json_t *hq_report_json(const struct hq_report *r)
{
    const struct hq_stats *s = r->stats;
    json_t *events = json_object();
    if (r->trace)
        for (int i = 0; i < r->trace->n_events; i++)
            json_object_set_new(events, r->trace->events[i].type,
                                json_integer(r->trace->events[i].n));
    json_t *source = json_pack("{s:I,s:I,s:I,s:o,s:I,s:I}", "tickets",
                               (json_int_t)(r->in ? r->in->n_tickets : 0), "evaluations",
                               (json_int_t)(r->in ? r->in->n_evals : 0), "complaints",
                               (json_int_t)(r->in ? r->in->n_complaints : 0), "events", events,
                               "first_seq", (json_int_t)(r->trace ? r->trace->first_seq : 0),
                               "last_seq", (json_int_t)(r->trace ? r->trace->last_seq : 0));
    json_t *reasons = json_array();
    for (size_t i = 0; i < s->n_reasons; i++)
        json_array_append_new(reasons, json_pack("{s:s,s:I,s:o}", "reason", s->reasons[i].text, "n",
                                                 (json_int_t)s->reasons[i].n, "mean_level",
                                                 num2(s->reasons[i].mean_level, true)));
    return json_pack("{s:s,s:s,s:{s:s,s:s},s:i,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "from",
                     r->from, "to", r->to, "hall", "name", r->hall_name ? r->hall_name : "",
                     "name_en", r->hall_name_en ? r->hall_name_en : "", "target_wait_s",
                     (int)s->target_wait_s, "target_satisfaction",
                     share(s->target_satisfaction, true), "total",
                     hq_report_group_json(&s->total, false), "services",
                     groups_json(s->services, s->n_services, false, false), "windows",
                     groups_json(s->windows, s->n_windows, false, false), "staff",
                     groups_json(s->clerks, s->n_clerks, true, false), "hours",
                     groups_json(s->hours, s->n_hours, false, true), "reasons", reasons, "source",
                     source, "staff_misses", misses_json(s));
}

static json_t *test_json(const struct hq_stats_test *t, const char *stat, bool with_df)
{
    json_t *o = json_pack(
        "{s:b,s:o,s:o,s:o,s:b}", "valid", t->valid, "diff",
        t->valid || t->diff != 0 ? json_real(round(t->diff * 10000) / 10000) : json_null(), stat,
        t->valid ? json_real(round(t->stat * 10000) / 10000) : json_null(), "p",
        t->valid ? json_real(t->p) : json_null(), "significant", t->valid && t->significant);
    if (with_df)
        json_object_set_new(o, "df", t->valid ? json_real(round(t->df * 100) / 100) : json_null());
    return o;
}

/* Which side is better, said in words: "a", "b" (by the direction of the figure: a higher rate
 * or level, a shorter wait) or "same"; only when the test is valid. */
static void direction(json_t *o, const struct hq_stats_test *t, bool higher_better, int64_t na,
                      int64_t nb)
{
    const char *better = NULL;
    if (t->valid) better = t->diff == 0 ? "same" : ((t->diff > 0) == higher_better) ? "a" : "b";
    json_object_set_new(o, "better", better ? json_string(better) : json_null());
    json_object_set_new(o, "higher_is_better", json_boolean(higher_better));
    json_object_set_new(o, "n_a", json_integer(na));
    json_object_set_new(o, "n_b", json_integer(nb));
}

json_t *hq_report_compare_json(const struct hq_stats_compare *c)
{
    return json_pack("{s:o,s:o,s:o}", "satisfaction_rate", test_json(&c->rate, "z", false),
                     "mean_level", test_json(&c->level, "t", true), "mean_wait",
                     test_json(&c->wait, "t", true));
}

json_t *hq_report_compare_groups_json(const struct hq_stats_compare *c,
                                      const struct hq_stats_group *a,
                                      const struct hq_stats_group *b)
{
    json_t *o = hq_report_compare_json(c);
    if (!o) return NULL;
    direction(json_object_get(o, "satisfaction_rate"), &c->rate, true, a->sat.n, b->sat.n);
    direction(json_object_get(o, "mean_level"), &c->level, true, a->sat.n, b->sat.n);
    direction(json_object_get(o, "mean_wait"), &c->wait, false, a->wait.n, b->wait.n);
    return o;
}
