/* SPDX-License-Identifier: MIT */
/*
 * estacc.c — how good is the core's estimated wait? Runs the simulation (sim.c, the real core)
 * and, for every ticket, takes hq_ticket_estimate()'s wait_s at the instant the ticket is issued —
 * what the kiosk prints and the tracking page first shows — and compares it with the time until
 * the ticket was actually called. docs/ESTIMATE.md "Measured accuracy" reports the figures.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_plan.h"

struct pair {
    double est, act; /* act < 0: never called */
    bool counted;
};

struct acc_ctx {
    struct pair *v;
    size_t n, cap;
    double warmup_s;
    bool oom;
};

static void on_issued(void *ctx, long rec, int service, double t_s, struct hq_hall *h,
                      const struct hq_now *now, const struct hq_ticket *t)
{
    (void)service;
    struct acc_ctx *a = ctx;
    if ((size_t)rec >= a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 4096;
        while (cap <= (size_t)rec)
            cap *= 2;
        struct pair *g = realloc(a->v, cap * sizeof *g);
        if (!g) {
            a->oom = true;
            return;
        }
        a->v = g;
        a->cap = cap;
    }
    struct hq_estimate e;
    struct pair *p = &a->v[rec];
    p->est = hq_ticket_estimate(h, now, t, &e) == 0 ? e.wait_s : NAN;
    p->act = -1;
    p->counted = t_s >= a->warmup_s;
    if ((size_t)rec >= a->n) a->n = (size_t)rec + 1;
}

static void on_called(void *ctx, long rec, double wait_s)
{
    struct acc_ctx *a = ctx;
    if ((size_t)rec < a->n) a->v[rec].act = wait_s;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static double pct(const double *v, size_t n, double p)
{
    if (!n) return 0;
    size_t k = (size_t)ceil(p * (double)n);
    return v[(k ? k : 1) - 1];
}

int hq_estimate_accuracy(const struct hq_sim_conf *conf, double rel_floor_s,
                         struct hq_estimate_accuracy *out, struct hq_why *why)
{
    if (!(rel_floor_s > 0)) {
        if (why) {
            why->code = HQ_EINVAL;
            snprintf(why->field, sizeof why->field, "rel_floor_s");
            snprintf(why->message, sizeof why->message, "the relative error floor must be > 0");
        }
        return HQ_EINVAL;
    }
    struct acc_ctx a = {.warmup_s = conf->warmup_h * 3600.0};
    struct hq_sim_observer ob = {&a, on_issued, on_called};
    struct hq_sim_conf c = *conf;
    c.observer = &ob;
    struct hq_sim_result res;
    int rc = hq_sim_run(&c, &res, why);
    if (rc) {
        free(a.v);
        return rc;
    }
    hq_sim_result_release(&res);
    if (a.oom) {
        free(a.v);
        if (why) {
            why->code = HQ_EINTERNAL;
            why->field[0] = '\0';
            snprintf(why->message, sizeof why->message, "out of memory");
        }
        return HQ_EINTERNAL;
    }
    double *rel = malloc((a.n ? a.n : 1) * sizeof *rel);
    double *abs_ = malloc((a.n ? a.n : 1) * sizeof *abs_);
    if (!rel || !abs_) {
        free(rel);
        free(abs_);
        free(a.v);
        return HQ_EINTERNAL;
    }
    memset(out, 0, sizeof *out);
    size_t m = 0;
    double se = 0, sa = 0, sabs = 0, sbias = 0;
    long within = 0;
    for (size_t i = 0; i < a.n; i++) {
        const struct pair *p = &a.v[i];
        if (!p->counted || p->act < 0 || !isfinite(p->est)) continue;
        double d = p->est - p->act;
        se += p->est;
        sa += p->act;
        sabs += fabs(d);
        sbias += d;
        if (fabs(d) <= 120) within++;
        abs_[m] = fabs(d);
        rel[m] = fabs(d) / (p->act > rel_floor_s ? p->act : rel_floor_s);
        m++;
    }
    out->tickets = (long)m;
    if (m) {
        out->mean_estimate_s = se / (double)m;
        out->mean_actual_s = sa / (double)m;
        out->mae_s = sabs / (double)m;
        out->bias_s = sbias / (double)m;
        out->within_2min = (double)within / (double)m;
        qsort(rel, m, sizeof *rel, cmp_double);
        qsort(abs_, m, sizeof *abs_, cmp_double);
        out->rel_p50 = pct(rel, m, 0.5);
        out->rel_p80 = pct(rel, m, 0.8);
        out->rel_p90 = pct(rel, m, 0.9);
        out->abs_p80_s = pct(abs_, m, 0.8);
        out->abs_p90_s = pct(abs_, m, 0.9);
    }
    free(rel);
    free(abs_);
    free(a.v);
    return 0;
}
