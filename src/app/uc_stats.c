/* SPDX-License-Identifier: MIT */
/*
 * uc_stats.c — statistics and reports of a period (clauses 5.3.2, 6.2.3–6.2.5, 9.1.1, 9.1.4):
 * GET /api/v1/stats, /api/v1/stats/compare, /api/v1/reports/day.{csv,xlsx,pdf} and `hallq
 * report`. This file gathers the inputs — copies of the ticket rows of the period
 * (tickets_between), the evaluation documents of those tickets, the complaints received in it,
 * and the event log's counts of ticket events over the same hours (the trace) — from the store's
 * read handle (a->reader under a->reader_mu, beside the writer) or, for the CLI, a handle of its
 * own; src/stats computes and src/report renders. Nothing here writes.
 *
 * The period is local days [from, to] in the hall's zone (the process TZ, set by hq_app_open or
 * here for the CLI): tickets by their day of issue; evaluations of those tickets (read from
 * midnight of `from` to the hall's late_rating_h after the period, 24 h by default, as a ticket
 * may be evaluated that long after it finished); complaints and ticket events with their time in
 * the period.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../plan/hq_plan.h"
#include "../report/hq_report.h"
#include "../stats/hq_stats.h"
#include "app_int.h"
#include "hq_cases.h"
#include "hq_surveys.h"
#include "hq_appointments.h"
#include "hq_compliance.h"
#include "hq_help.h"
#include "stats_rollup.h"

#define MAX_DAYS 366

struct period {
    int32_t from, to;
    char from_s[16], to_s[16];
};

struct gather {
    struct hq_stats_input *in;
    struct hq_report_trace *trace;
    int32_t from, to;
    int err;
};

static int local_hour(int64_t t, int32_t *day)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    if (day) *day = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    return tm.tm_hour;
}

static int on_ticket(void *ctx, const struct hq_ticket *t)
{
    struct gather *g = ctx;
    struct hq_stats_ticket s = {0};
    snprintf(s.number, sizeof s.number, "%s", t->number);
    snprintf(s.service, sizeof s.service, "%s", t->service);
    snprintf(s.clerk, sizeof s.clerk, "%s", t->clerk);
    s.day = t->day;
    s.status = t->status;
    s.category = t->category;
    s.issued_at = t->issued_at;
    s.queued_at = t->queued_at;
    s.called_at = t->called_at;
    s.started_at = t->started_at;
    s.finished_at = t->finished_at;
    s.window = t->window;
    s.stage = t->stage;
    s.hour = local_hour(t->issued_at, NULL);
    s.est_wait_s = t->est_wait_s;
    if (hq_stats_add_ticket(g->in, &s)) {
        g->err = 1;
        return 1;
    }
    return 0;
}

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int on_eval(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)key;
    struct gather *g = ctx;
    json_t *o = json_loads(json, 0, NULL);
    if (!o) return 0;
    struct hq_stats_eval e = {0};
    e.day = (int32_t)json_integer_value(json_object_get(o, "day"));
    if (e.day < g->from || e.day > g->to ||
        json_is_true(json_object_get(o, "excluded"))) { /* appeal upheld (uc_cases.c) */
        json_decref(o);
        return 0;
    }
    snprintf(e.number, sizeof e.number, "%s", jstr(o, "number"));
    snprintf(e.service, sizeof e.service, "%s", jstr(o, "service"));
    snprintf(e.clerk, sizeof e.clerk, "%s", jstr(o, "clerk"));
    e.window = (int32_t)json_integer_value(json_object_get(o, "window"));
    e.level = (int)json_integer_value(json_object_get(o, "level"));
    e.created_at = json_integer_value(json_object_get(o, "created_at"));
    if (!e.created_at) e.created_at = t;
    e.service_s = (int32_t)json_integer_value(json_object_get(o, "service_s"));
    e.hour = local_hour(e.created_at, NULL);
    size_t i, used = 0;
    json_t *r;
    json_array_foreach(json_object_get(o, "reasons"), i, r)
    {
        int n = snprintf(e.reasons + used, sizeof e.reasons - used, "%s%s", i ? "; " : "",
                         json_string_value(r) ? json_string_value(r) : "");
        if (n < 0 || (size_t)n >= sizeof e.reasons - used) break;
        used += (size_t)n;
    }
    const char *c = jstr(o, "comment");
    e.comment = c[0] ? strdup(c) : NULL;
    json_decref(o);
    if (hq_stats_add_eval(g->in, &e)) {
        g->err = 1;
        return 1;
    }
    return 0;
}

static int on_complaint(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)key;
    struct gather *g = ctx;
    json_t *o = json_loads(json, 0, NULL);
    if (!o) return 0;
    struct hq_stats_complaint c = {0};
    c.window = (int32_t)json_integer_value(json_object_get(o, "window"));
    /* the assessment's findings override what the complainant named (docs/STATS.md) */
    json_t *as = json_object_get(o, "assessment");
    if (json_is_integer(json_object_get(as, "window")))
        c.window = (int32_t)json_integer_value(json_object_get(as, "window"));
    if (json_is_string(json_object_get(as, "clerk")))
        snprintf(c.clerk, sizeof c.clerk, "%s", json_string_value(json_object_get(as, "clerk")));
    c.unfounded = json_is_false(json_object_get(as, "substantiated"));
    int64_t at = json_integer_value(json_object_get(o, "received_at"));
    local_hour(at ? at : t, &c.day);
    snprintf(c.status, sizeof c.status, "%s", jstr(o, "status"));
    json_decref(o);
    if (c.day < g->from || c.day > g->to) return 0;
    if (hq_stats_add_complaint(g->in, &c)) {
        g->err = 1;
        return 1;
    }
    return 0;
}

static int on_event(void *ctx, const struct hq_event *e)
{
    struct gather *g = ctx;
    hq_report_trace_add(g->trace, e->seq, e->type);
    return 0;
}

/* The days after a ticket's day that its rating may come in: the hall's late_rating_h
 * (uc_cases_settings.c: 1–720 h, default 24) after it finished, finished by the day's end. */
static int rating_days(struct hq_store *st)
{
    char *text = NULL;
    json_t *o = st->vt->doc_get(st, "setting", "evaluation", &text) == 0 && text
                    ? json_loads(text, 0, NULL)
                    : NULL;
    free(text);
    json_int_t h = json_integer_value(json_object_get(o, "late_rating_h"));
    json_decref(o);
    if (h < 1 || h > 720) h = 24;
    return 1 + (int)((h + 23) / 24);
}

/* Read the period from st (mu, when not NULL, guards st): its complaints, and with rows its
 * tickets, evaluations (those given up to late_rating_h after the period too) and ticket
 * events. */
static int gather(struct hq_store *st, pthread_mutex_t *mu, const struct period *p,
                  struct hq_stats_input *in, struct hq_report_trace *trace, bool rows,
                  struct hq_why *why)
{
    struct gather g = {.in = in, .trace = trace, .from = p->from, .to = p->to};
    int64_t t0 = hq__midnight(p->from, 0), t1 = hq__midnight(p->to, 1);
    in->day_from = p->from;
    in->day_to = p->to;
    memset(trace, 0, sizeof *trace);
    if (mu) pthread_mutex_lock(mu);
    int64_t t2 = rows ? hq__midnight(p->to, rating_days(st)) : t1;
    int rc = rows ? st->vt->tickets_between(st, p->from, p->to, on_ticket, &g) : 0;
    if (rc == 0 && !g.err && rows) rc = st->vt->doc_list(st, "evaluation", t0, t2, 0, on_eval, &g);
    if (rc == 0 && !g.err) rc = st->vt->doc_list(st, "complaint", t0, t1, 0, on_complaint, &g);
    if (rc == 0 && !g.err && rows) rc = st->vt->events_between(st, t0, t1, "ticket.", on_event, &g);
    if (mu) pthread_mutex_unlock(mu);
    if (g.err) return hq_fail(why, HQ_EINTERNAL, "", "out of memory reading the period");
    if (rc) return hq_fail(why, HQ_ESTORE, "", "the history could not be read");
    return 0;
}

int hq__stats_gather_rows(struct hq_store *st, pthread_mutex_t *mu, int32_t from, int32_t to,
                          struct hq_stats_input *in, struct hq_report_trace *trace,
                          struct hq_why *why)
{
    struct period p = {.from = from, .to = to};
    return gather(st, mu, &p, in, trace, true, why);
}

/* The names and targets the figures need, from the hall (caller holds its lock if any). */
static int names_from_hall(const struct hq_hall *h, struct hq_stats_input *in)
{
    in->target_wait_s = h->conf.target_wait_s > 0 ? h->conf.target_wait_s : 900;
    in->target_satisfaction = 0.9;
    for (size_t i = 0; i < h->n_services; i++) {
        struct hq_stats_name n = {0};
        snprintf(n.key, sizeof n.key, "%s", h->services[i].code);
        snprintf(n.name, sizeof n.name, "%s", h->services[i].name);
        snprintf(n.name_en, sizeof n.name_en, "%s", h->services[i].name_en);
        n.target_s = h->services[i].avg_service_s;
        if (hq_stats_add_service(in, &n)) return HQ_EINTERNAL;
    }
    for (size_t i = 0; i < h->n_windows; i++) {
        struct hq_stats_name n = {0};
        snprintf(n.key, sizeof n.key, "%d", (int)h->windows[i].number);
        snprintf(n.name, sizeof n.name, "%s", h->windows[i].name);
        if (hq_stats_add_window(in, &n)) return HQ_EINTERNAL;
    }
    for (size_t i = 0; i < h->n_staff; i++) {
        struct hq_stats_name n = {0};
        snprintf(n.key, sizeof n.key, "%s", h->staff[i].username);
        snprintf(n.name, sizeof n.name, "%s", h->staff[i].name);
        if (hq_stats_add_staff(in, &n)) return HQ_EINTERNAL;
    }
    return 0;
}

static int parse_period(const char *from, const char *to, int32_t today, const char *ffield,
                        const char *tfield, struct period *p, struct hq_why *why)
{
    memset(p, 0, sizeof *p);
    p->from = p->to = today;
    if (from && *from && hq__parse_date(from, &p->from) != 0)
        return hq_fail(why, HQ_EINVAL, ffield, "%s must be a date YYYY-MM-DD", ffield);
    if (to && *to && hq__parse_date(to, &p->to) != 0)
        return hq_fail(why, HQ_EINVAL, tfield, "%s must be a date YYYY-MM-DD", tfield);
    if (from && *from && !(to && *to)) p->to = p->from; /* one day */
    if (!(from && *from) && to && *to) p->from = p->to;
    if (p->from > p->to)
        return hq_fail(why, HQ_EINVAL, tfield, "%s must not be before %s", tfield, ffield);
    if (hq_days_from_civil(p->to) - hq_days_from_civil(p->from) >= MAX_DAYS)
        return hq_fail(why, HQ_EINVAL, tfield, "a period of at most %d days", MAX_DAYS);
    hq__format_date(p->from, p->from_s, sizeof p->from_s);
    hq__format_date(p->to, p->to_s, sizeof p->to_s);
    return 0;
}

/* Everything one period needs, read and computed. */
struct run {
    struct hq_stats_input in;
    struct hq_stats stats;
    struct hq_report_trace trace;
    struct period p;
    char hall_name[HQ_NAME_MAX], hall_name_en[HQ_NAME_MAX];
    char generated[48];
    bool computed;
    json_t *pauses, *gap;      /* report sections of uc_pauses.c, uc_survey_analysis.c (or NULL) */
    json_t *coverage, *help;   /* of uc_cases_stages.c, uc_help.c (or NULL) */
    json_t *sections;          /* their sums over the period (stats_rollup.h), or NULL */
    bool counts_only;          /* figures from rollups without the rows: src has the counts */
    struct hq_stats_input src; /* no arrays: only n_tickets, n_evals, n_complaints */
    struct hq_estacc *est;     /* from the rollups (NULL: uc_estimate.c reads the rows) */
};

static void run_release(struct run *r)
{
    if (r->computed) hq_stats_release(&r->stats);
    json_decref(r->pauses);
    json_decref(r->gap);
    json_decref(r->coverage);
    json_decref(r->help);
    json_decref(r->sections);
    free(r->est);
    hq_stats_input_release(&r->in);
    /* A period's figures take tens of MB on whichever worker thread ran them, and glibc keeps what
     * is freed in that thread's arena: without this each of the pool's arenas came to hold its
     * high-water mark (the RSS of a server answering a year of 10M tickets grew ~20 MB with every
     * request that landed on another thread). */
    malloc_trim(0);
}

static void run_report(const struct run *r, struct hq_report *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->stats = &r->stats;
    rep->in = r->counts_only ? &r->src : &r->in;
    rep->trace = &r->trace;
    rep->hall_name = r->hall_name;
    rep->hall_name_en = r->hall_name_en;
    rep->from = r->p.from_s;
    rep->to = r->p.to_s;
    rep->generated_at = r->generated;
    rep->pauses = r->pauses;
    rep->gap = r->gap;
    rep->coverage = r->coverage;
    rep->help = r->help;
}

/* The estimate accuracy of the period (uc_estimate.c's figures) from the rollups' sums. */
static void est_group(const struct hq_roll_est *x, struct hq_estacc_group *g)
{
    snprintf(g->code, sizeof g->code, "%s", x->code);
    g->n = x->n;
    if (x->n > 0) {
        g->mae_s = (double)x->abs_sum / (double)x->n;
        g->within_5min_share = (double)x->within / (double)x->n;
    }
}

static void est_from_roll(const struct hq_roll *roll, int32_t from, int32_t to, struct hq_estacc *e)
{
    e->from = from;
    e->to = to;
    est_group(&roll->est_all, &e->all);
    e->all.code[0] = 0;
    for (size_t i = 0; i < roll->n_est && i < HQ_ESTACC_SERVICES; i++)
        est_group(&roll->est[i], &e->services[e->n_services++]);
}

/* Read and compute r's period from st (mu, when not NULL, guards it). A period that reaches back
 * to a closed day merges the days' rollups (docs/STATS.md "Rollups"; closed days computed from
 * rows go to w, to be written); one of live days only, or full_scan, computes from every row
 * (the reference). rows: read the rows anyway (the report files list them). The sections of the
 * other modules (coverage, pauses, help, appointments) come the same way into r->sections; now
 * ends the pauses still running. */
static int compute(struct hq_store *st, pthread_mutex_t *mu, int32_t today, int64_t now, bool rows,
                   bool full_scan, struct run *r, struct hq__rollup_writes *w, struct hq_why *why)
{
    int32_t closed_to = hq_civil_from_days(hq_days_from_civil(today) - HQ_ROLLUP_CLOSED_AFTER);
    int rc;
    if (!(r->sections = json_object()))
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory computing the figures");
    if (full_scan || r->p.from > closed_to) {
        if ((rc = gather(st, mu, &r->p, &r->in, &r->trace, true, why))) return rc;
        if (hq__sections_fold(st, mu, r->p.from, r->p.to, now, r->sections))
            return hq_fail(why, HQ_ESTORE, "", "the history could not be read");
        if (hq_stats_compute(&r->in, &r->stats))
            return hq_fail(why, HQ_EINTERNAL, "", "out of memory computing the figures");
        r->computed = true;
        return 0;
    }
    if ((rc = gather(st, mu, &r->p, &r->in, &r->trace, rows, why))) return rc;
    struct hq_roll roll;
    hq_roll_init(&roll);
    rc = hq__rollup_period(st, mu, r->p.from, r->p.to, closed_to, r->in.target_wait_s, now, &roll,
                           r->sections, w, why);
    if (rc == 0 && hq_roll_finish(&roll, &r->in, &r->stats))
        rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory computing the figures");
    if (rc == 0) {
        r->computed = true;
        hq__rollup_trace(&roll, &r->trace);
        r->src.n_tickets = (size_t)roll.n_tickets;
        r->src.n_evals = (size_t)roll.n_evals;
        r->src.n_complaints = r->in.n_complaints;
        r->counts_only = !rows;
        r->est = calloc(1, sizeof *r->est);
        if (r->est) est_from_roll(&roll, r->p.from, r->p.to, r->est);
    }
    hq_roll_release(&roll);
    return rc;
}

/* Read and compute the period p of the app into r (initialised here). */
static int app_run(struct hq_app *a, const struct period *p, struct run *r, bool rows,
                   struct hq_why *why)
{
    memset(r, 0, sizeof *r);
    hq_stats_input_init(&r->in);
    r->p = *p;
    hq_app_format_time(a, hq_app_time(a), r->generated, sizeof r->generated);
    pthread_mutex_lock(&a->mu);
    snprintf(r->hall_name, sizeof r->hall_name, "%s", a->hall.conf.name);
    snprintf(r->hall_name_en, sizeof r->hall_name_en, "%s", a->hall.conf.name_en);
    int rc = names_from_hall(&a->hall, &r->in);
    if (rc == 0) rc = hq__retired_window_names(a, &r->in); /* history keeps retired windows */
    pthread_mutex_unlock(&a->mu);
    if (rc) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    /* the hall's satisfaction target (compliance settings) and each clerk's post (uc_training.c) */
    r->in.target_satisfaction = hq__staff_satisfaction_target(a, "");
    struct hq_now now;
    hq_app_now(a, &now);
    struct hq__rollup_writes *w = calloc(1, sizeof *w);
    if (!w) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    rc = compute(a->reader, &a->reader_mu, now.day, now.t, rows, false, r, w, why);
    hq__rollup_write_app(a, w);
    hq__rollup_writes_release(w);
    free(w);
    if (rc != 0 || !r->computed) return rc;
    for (size_t i = 0; i < r->stats.n_clerks; i++) {
        struct hq_stats_group *g = &r->stats.clerks[i];
        double t = hq__staff_satisfaction_target(a, g->key);
        if (t == g->score.target_satisfaction) continue;
        g->score.target_satisfaction = t;
        g->score.satisfaction_met = g->sat.n > 0 && g->sat.rate >= t;
        if (g->sat.n > 0)
            g->score.satisfaction_verdict = g->sat.rate >= t      ? HQ_VERDICT_MET
                                            : g->sat.rate_hi >= t ? HQ_VERDICT_NEAR
                                                                  : HQ_VERDICT_MISSED;
    }
    return 0;
}

int hq_app_stats(struct hq_app *a, const char *from, const char *to, json_t **out,
                 struct hq_why *why)
{
    struct hq_now now;
    hq_app_now(a, &now);
    struct period p;
    int rc = parse_period(from, to, now.day, "from", "to", &p, why);
    if (rc) return rc;
    struct run r;
    rc = app_run(a, &p, &r, false, why);
    if (rc == 0) {
        struct hq_report rep;
        run_report(&r, &rep);
        *out = hq_report_json(&rep);
        if (!*out) rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        /* the estimated wait against the real one, same days (uc_estimate.c) */
        else
            json_object_set_new(*out, "estimate_accuracy",
                                r.est ? hq__estacc_json(r.est)
                                      : hq__estacc_period_json(a, p.from, p.to));
        /* bookings whose slot is in the period, by status (uc_appointments.c); help requests
         * asked in it and the time to acknowledge them (uc_help.c); paused time per window and
         * clerk, with its reasons (uc_pauses.c); finished stages rated, defaulted, unrated by
         * window and clerk (uc_cases_stages.c): from the same rollups and rows as the rest */
        if (*out) {
            pthread_mutex_lock(&a->mu);
            hq__sections_json(&a->hall, r.sections, *out);
            pthread_mutex_unlock(&a->mu);
        }
    }
    run_release(&r);
    return rc;
}

static const char *in_str(json_t *in, const char *k)
{
    return in ? json_string_value(json_object_get(in, k)) : NULL;
}

static int window_arg(json_t *in, const char *k, int32_t *out, struct hq_why *why)
{
    json_t *v = in ? json_object_get(in, k) : NULL;
    long long n = 0;
    if (json_is_integer(v))
        n = json_integer_value(v);
    else if (json_is_string(v)) {
        char *end = NULL;
        n = strtoll(json_string_value(v), &end, 10);
        if (!*json_string_value(v) || *end) n = 0;
    }
    if (n < 1 || n > 9999)
        return hq_fail(why, HQ_EINVAL, k, "%s must be a window number 1-9999", k);
    *out = (int32_t)n;
    return 0;
}

static json_t *side_json(const struct period *p, const struct hq_stats_group *g, int32_t window)
{
    json_t *o = json_pack("{s:s,s:s,s:o}", "from", p->from_s, "to", p->to_s, "figures",
                          hq_report_group_json(g, false));
    if (window) json_object_set_new(o, "window", json_integer(window));
    return o;
}

int hq_app_stats_compare(struct hq_app *a, json_t *in, json_t **out, struct hq_why *why)
{
    static const char *const known[] = {"a_from", "a_to",     "b_from",   "b_to", "from",
                                        "to",     "window_a", "window_b", NULL};
    if (in && !json_is_object(in)) return hq_fail(why, HQ_EINVAL, "", "an object is expected");
    int rc = in ? hq__in_known(in, known, why) : 0;
    if (rc) return rc;
    struct hq_now now;
    hq_app_now(a, &now);
    bool windows = in && (json_object_get(in, "window_a") || json_object_get(in, "window_b"));
    struct hq_stats_compare cmp;
    if (windows) {
        int32_t wa = 0, wb = 0;
        struct period p;
        if ((rc = window_arg(in, "window_a", &wa, why)) ||
            (rc = window_arg(in, "window_b", &wb, why)) ||
            (rc = parse_period(in_str(in, "from"), in_str(in, "to"), now.day, "from", "to", &p,
                               why)))
            return rc;
        struct run r;
        if ((rc = app_run(a, &p, &r, false, why)) == 0) {
            char ka[16], kb[16];
            snprintf(ka, sizeof ka, "%d", (int)wa);
            snprintf(kb, sizeof kb, "%d", (int)wb);
            const struct hq_stats_group *ga = hq_stats_find(r.stats.windows, r.stats.n_windows, ka);
            const struct hq_stats_group *gb = hq_stats_find(r.stats.windows, r.stats.n_windows, kb);
            struct hq_stats_group empty = {0};
            if (!ga) ga = &empty;
            if (!gb) gb = &empty;
            hq_stats_compare(ga, gb, &cmp);
            *out = json_pack("{s:s,s:o,s:o,s:o}", "mode", "windows", "a", side_json(&p, ga, wa),
                             "b", side_json(&p, gb, wb), "tests",
                             hq_report_compare_groups_json(&cmp, ga, gb));
        }
        run_release(&r);
        return rc;
    }
    if (!in_str(in, "a_from") || !in_str(in, "b_from"))
        return hq_fail(why, HQ_EINVAL, in_str(in, "a_from") ? "b_from" : "a_from",
                       "give two periods (a_from, a_to, b_from, b_to) or two windows (from, to, "
                       "window_a, window_b)");
    struct period pa, pb;
    if ((rc = parse_period(in_str(in, "a_from"), in_str(in, "a_to"), now.day, "a_from", "a_to", &pa,
                           why)) ||
        (rc = parse_period(in_str(in, "b_from"), in_str(in, "b_to"), now.day, "b_from", "b_to", &pb,
                           why)))
        return rc;
    struct run ra, rb;
    rc = app_run(a, &pa, &ra, false, why);
    if (rc == 0) {
        rc = app_run(a, &pb, &rb, false, why);
        if (rc == 0) {
            hq_stats_compare(&ra.stats.total, &rb.stats.total, &cmp);
            *out = json_pack("{s:s,s:o,s:o,s:o}", "mode", "periods", "a",
                             side_json(&pa, &ra.stats.total, 0), "b",
                             side_json(&pb, &rb.stats.total, 0), "tests",
                             hq_report_compare_groups_json(&cmp, &ra.stats.total, &rb.stats.total));
        }
        run_release(&rb);
    }
    run_release(&ra);
    return rc;
}

static int render(const struct run *r, const char *format, const struct hq_hall *h,
                  unsigned char **out, size_t *len, struct hq_why *why)
{
    struct hq_report rep;
    run_report(r, &rep);
    if (strcmp(format, "csv") == 0) return hq_report_csv(&rep, out, len, why);
    if (strcmp(format, "xlsx") == 0) return hq_report_xlsx(&rep, out, len, why);
    if (strcmp(format, "pdf") == 0) return hq_report_pdf(&rep, out, len, why);
    if (strcmp(format, "json") == 0) {
        json_t *j = hq_report_json(&rep);
        if (j && h && r->sections) hq__sections_json(h, r->sections, j); /* as GET /stats */
        char *s = j ? json_dumps(j, JSON_INDENT(1) | JSON_REAL_PRECISION(10)) : NULL;
        json_decref(j);
        if (!s) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        *out = (unsigned char *)s;
        *len = strlen(s);
        return 0;
    }
    return hq_fail(why, HQ_EINVAL, "format", "format: csv, xlsx, pdf or json");
}

int hq_app_report(struct hq_app *a, const char *from, const char *to, const char *format,
                  unsigned char **out, size_t *len, struct hq_why *why)
{
    struct hq_now now;
    hq_app_now(a, &now);
    struct period p;
    int rc = parse_period(from, to, now.day, "date", "date", &p, why);
    if (rc) return rc;
    struct run r;
    rc = app_run(a, &p, &r, true, why);
    if (rc == 0 && strcmp(format, "json") != 0) { /* paused time, surveys' gap analysis */
        json_t *sec = json_object();
        pthread_mutex_lock(&a->mu);
        if (sec) hq__sections_json(&a->hall, r.sections, sec);
        pthread_mutex_unlock(&a->mu);
        r.pauses = json_incref(json_object_get(sec, "pauses"));
        r.gap = hq__survey_report_gap(a, p.from, p.to);
        /* evaluation coverage (9.1.1) and help requests, as GET /stats gives them */
        r.coverage = json_incref(json_object_get(sec, "evaluation_coverage"));
        r.help = json_incref(json_object_get(sec, "help_requests"));
        json_decref(sec);
    }
    if (rc == 0) rc = render(&r, format, NULL, out, len, why);
    run_release(&r);
    return rc;
}

/* The report of a database without a running app; full_scan: from every row (the reference). */
static int from_db(const char *db, const char *from, const char *to, const char *format,
                   bool full_scan, int *read_days, unsigned char **out, size_t *len,
                   struct hq_why *why)
{
    struct hq_store *st = hq_store_open(db, why);
    if (!st) return why ? why->code : HQ_ESTORE;
    struct hq_hall h;
    hq_hall_init(&h);
    int64_t last_seq = 0;
    int32_t today = 0;
    int64_t now_t = 0;
    struct run r;
    memset(&r, 0, sizeof r);
    hq_stats_input_init(&r.in);
    /* settings, services, windows and staff; tickets only from the far future (none) */
    int rc = st->vt->load(st, &h, 99999999, &last_seq, why);
    if (rc == 0) {
        if (h.conf.timezone[0]) setenv("TZ", h.conf.timezone, 1);
        tzset();
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        now_t = (int64_t)now;
        today = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
        strftime(r.generated, sizeof r.generated, "%Y-%m-%d %H:%M:%S %z", &tm);
        rc = parse_period(from, to, today, "date", "date", &r.p, why);
    }
    if (rc == 0) {
        snprintf(r.hall_name, sizeof r.hall_name, "%s", h.conf.name);
        snprintf(r.hall_name_en, sizeof r.hall_name_en, "%s", h.conf.name_en);
        if (names_from_hall(&h, &r.in)) rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    struct hq__rollup_writes *w = calloc(1, sizeof *w);
    if (rc == 0 && !w) rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    if (rc == 0)
        rc = compute(st, NULL, today, now_t, strcmp(format, "json") != 0, full_scan, &r, w, why);
    if (rc == 0 && w->n) {
        /* keep the rollups made on the way (a failure only means they are made again) */
        struct hq_batch b, *bp = &b;
        hq_batch_init(&b);
        struct hq_why wwhy = {0};
        if (hq__rollup_batch(&b, w) == 0) st->vt->commit(st, &bp, 1, &wwhy);
        hq_batch_release(&b);
    }
    if (w && read_days) {
        read_days[0] = w->days_from_docs;
        read_days[1] = w->days_from_rows;
    }
    if (w) hq__rollup_writes_release(w);
    free(w);
    if (rc == 0) rc = render(&r, format, &h, out, len, why);
    run_release(&r);
    hq_hall_release(&h);
    hq_store_close(st);
    return rc;
}

int hq_report_from_db(const char *db, const char *from, const char *to, const char *format,
                      unsigned char **out, size_t *len, struct hq_why *why)
{
    return from_db(db, from, to, format, false, NULL, out, len, why);
}

int hq_stats_from_db(const char *db, const char *from, const char *to, bool full_scan,
                     int read_days[2], unsigned char **out, size_t *len, struct hq_why *why)
{
    return from_db(db, from, to, "json", full_scan, read_days, out, len, why);
}
