/* SPDX-License-Identifier: MIT */
/*
 * stats_tests.c — the mathematics of the surveys' gap analysis (clause 9.1.4): the regularised
 * upper incomplete gamma function and the chi-square tail (series and continued fraction, as in
 * Numerical Recipes' gser/gcf, with lgamma_r), the t quantile, means of a K-point scale with
 * their 95% t intervals, the chi-square test of independence, the Mann–Whitney U test on ordinal
 * answers (normal approximation with tie and continuity corrections), Holm's step-down
 * adjustment for many comparisons, and the importance–performance analysis (gap = importance −
 * performance, quadrants against the mean crosshair). Pure functions of their arguments: no I/O,
 * thread-safe. Checked against scipy's values stored in tests/unit/data/stats_tests.txt.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hq_stats.h"

#define EPS 1e-15
#define TINY 1e-300

static double lgam(double a)
{
    int sg;
    return lgamma_r(a, &sg);
}

/* P(a, x) by its series; valid (and fast) for x < a + 1. */
static double gamma_p_series(double a, double x)
{
    double ap = a, del = 1 / a, sum = del;
    for (int n = 0; n < 1000; n++) {
        ap += 1;
        del *= x / ap;
        sum += del;
        if (fabs(del) < fabs(sum) * EPS) break;
    }
    return sum * exp(-x + a * log(x) - lgam(a));
}

/* Q(a, x) by its continued fraction (modified Lentz); valid for x >= a + 1. */
static double gamma_q_cf(double a, double x)
{
    double b = x + 1 - a, c = 1 / TINY, d = 1 / b, h = d;
    for (int i = 1; i < 1000; i++) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (fabs(d) < TINY) d = TINY;
        c = b + an / c;
        if (fabs(c) < TINY) c = TINY;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < EPS) break;
    }
    return exp(-x + a * log(x) - lgam(a)) * h;
}

double hq_stats_gamma_q(double a, double x)
{
    if (isnan(a) || isnan(x) || a <= 0) return NAN;
    if (x <= 0) return 1;
    if (isinf(x)) return 0;
    if (x < a + 1) return 1 - gamma_p_series(a, x);
    return gamma_q_cf(a, x);
}

double hq_stats_chi2_sf(double x, double df)
{
    if (df <= 0) return NAN;
    return hq_stats_gamma_q(df / 2, x / 2);
}

double hq_stats_t_quantile(double p, double df)
{
    if (!(p > 0 && p < 1) || !(df > 0)) return NAN;
    double lo = -1, hi = 1;
    while (hq_stats_t_cdf(lo, df) > p && lo > -1e12)
        lo *= 2;
    while (hq_stats_t_cdf(hi, df) < p && hi < 1e12)
        hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-14 * fmax(1, fabs(hi)); i++) {
        double mid = (lo + hi) / 2;
        if (hq_stats_t_cdf(mid, df) < p)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

void hq_stats_mean_ci_levels(const int64_t *counts, size_t k, struct hq_stats_mean_ci *out)
{
    *out = (struct hq_stats_mean_ci){0};
    int64_t n = 0;
    double sum = 0;
    for (size_t i = 0; i < k; i++) {
        n += counts[i];
        sum += (double)(i + 1) * (double)counts[i];
    }
    out->n = n;
    if (n == 0) return;
    out->mean = sum / (double)n;
    out->lo = out->hi = out->mean;
    if (n < 2) return;
    double ss = 0;
    for (size_t i = 0; i < k; i++) {
        double d = (double)(i + 1) - out->mean;
        ss += (double)counts[i] * d * d;
    }
    out->sd = sqrt(ss / (double)(n - 1));
    double half = hq_stats_t_quantile(0.975, (double)(n - 1)) * out->sd / sqrt((double)n);
    out->lo = out->mean - half;
    out->hi = out->mean + half;
    out->has_ci = true;
}

void hq_stats_chi2_indep(const int64_t *table, size_t rows, size_t cols, struct hq_stats_chi2 *out)
{
    *out = (struct hq_stats_chi2){0};
    out->p = 1;
    if (rows == 0 || cols == 0) return;
    int64_t *rt = calloc(rows, sizeof *rt), *ct = calloc(cols, sizeof *ct);
    if (!rt || !ct) {
        free(rt);
        free(ct);
        return;
    }
    int64_t n = 0;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) {
            rt[i] += table[i * cols + j];
            ct[j] += table[i * cols + j];
            n += table[i * cols + j];
        }
    size_t r = 0, c = 0;
    for (size_t i = 0; i < rows; i++)
        r += rt[i] > 0;
    for (size_t j = 0; j < cols; j++)
        c += ct[j] > 0;
    out->n = n;
    if (r >= 2 && c >= 2) {
        double stat = 0, minexp = INFINITY;
        for (size_t i = 0; i < rows; i++) {
            if (!rt[i]) continue;
            for (size_t j = 0; j < cols; j++) {
                if (!ct[j]) continue;
                double e = (double)rt[i] * (double)ct[j] / (double)n;
                double d = (double)table[i * cols + j] - e;
                stat += d * d / e;
                if (e < minexp) minexp = e;
            }
        }
        out->valid = true;
        out->stat = stat;
        out->df = (double)((r - 1) * (c - 1));
        out->p = hq_stats_chi2_sf(stat, out->df);
        out->min_expected = minexp;
    }
    free(rt);
    free(ct);
}

void hq_stats_mann_whitney_levels(const int64_t *a, const int64_t *b, size_t k,
                                  struct hq_stats_mwu *out)
{
    *out = (struct hq_stats_mwu){0};
    out->p = 1;
    double n1 = 0, n2 = 0, r1 = 0, below = 0, ties = 0;
    for (size_t l = 0; l < k; l++) {
        n1 += (double)a[l];
        n2 += (double)b[l];
    }
    out->n_a = (int64_t)n1;
    out->n_b = (int64_t)n2;
    if (n1 == 0 || n2 == 0) return;
    for (size_t l = 0; l < k; l++) {
        double t = (double)(a[l] + b[l]);
        r1 += (double)a[l] * (below + (t + 1) / 2); /* the mid-rank of the level */
        below += t;
        ties += t * t * t - t;
    }
    double n = n1 + n2;
    out->u = r1 - n1 * (n1 + 1) / 2;
    out->effect = out->u / (n1 * n2);
    double var = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)));
    if (!(var > 0)) return; /* every answer the same level */
    double mu = n1 * n2 / 2, dev = out->u - mu;
    double zz = (fabs(dev) - 0.5) / sqrt(var);
    out->valid = true;
    out->z = dev < 0 ? -zz : zz;
    out->p = erfc(zz / M_SQRT2);
    if (out->p > 1) out->p = 1;
}

struct pidx {
    double p;
    size_t i;
};

static int by_p(const void *x, const void *y)
{
    const struct pidx *a = x, *b = y;
    if (a->p != b->p) return a->p < b->p ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

void hq_stats_holm(const double *p, size_t n, double *adj)
{
    if (n == 0) return;
    struct pidx *s = malloc(n * sizeof *s);
    if (!s) {
        for (size_t i = 0; i < n; i++)
            adj[i] = fmin(1, p[i] * (double)n); /* Bonferroni */
        return;
    }
    for (size_t i = 0; i < n; i++)
        s[i] = (struct pidx){p[i], i};
    qsort(s, n, sizeof *s, by_p);
    double run = 0;
    for (size_t j = 0; j < n; j++) {
        double v = fmin(1, (double)(n - j) * s[j].p);
        if (v > run) run = v;
        adj[s[j].i] = run;
    }
    free(s);
}

const char *hq_stats_quadrant_name(enum hq_stats_quadrant q)
{
    switch (q) {
    case HQ_QUAD_CONCENTRATE:
        return "concentrate";
    case HQ_QUAD_KEEP:
        return "keep";
    case HQ_QUAD_LOW:
        return "low_priority";
    case HQ_QUAD_OVERKILL:
        return "possible_overkill";
    default:
        return "none";
    }
}

void hq_stats_ipa(const int64_t *imp, const int64_t *perf, size_t n, size_t k,
                  struct hq_stats_ipa *out, double *cross_imp, double *cross_perf)
{
    double si = 0, sp = 0;
    size_t m = 0;
    for (size_t d = 0; d < n; d++) {
        memset(&out[d], 0, sizeof out[d]);
        hq_stats_mean_ci_levels(imp + d * k, k, &out[d].importance);
        hq_stats_mean_ci_levels(perf + d * k, k, &out[d].performance);
        if (out[d].importance.n && out[d].performance.n) {
            out[d].gap = out[d].importance.mean - out[d].performance.mean;
            si += out[d].importance.mean;
            sp += out[d].performance.mean;
            m++;
        }
    }
    double ci = m ? si / (double)m : 0, cp = m ? sp / (double)m : 0;
    if (cross_imp) *cross_imp = ci;
    if (cross_perf) *cross_perf = cp;
    for (size_t d = 0; d < n; d++) {
        if (!out[d].importance.n || !out[d].performance.n) continue;
        bool hi_i = out[d].importance.mean >= ci, hi_p = out[d].performance.mean >= cp;
        out[d].quadrant = hi_i ? (hi_p ? HQ_QUAD_KEEP : HQ_QUAD_CONCENTRATE)
                               : (hi_p ? HQ_QUAD_OVERKILL : HQ_QUAD_LOW);
        int rank = 1;
        for (size_t e = 0; e < n; e++)
            if (e != d && out[e].importance.n && out[e].performance.n &&
                (out[e].gap > out[d].gap || (out[e].gap == out[d].gap && e < d)))
                rank++;
        out[d].rank = rank;
    }
}
