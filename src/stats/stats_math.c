/* SPDX-License-Identifier: MIT */
/*
 * stats_math.c — the statistical mathematics behind the figures: quantiles (type 7), the Wilson
 * score interval, the normal CDF (libm's erfc), Student's t CDF through the regularised incomplete
 * beta function (continued fraction, modified Lentz), the two-proportion z test and Welch's t
 * test. Pure functions of their arguments: no allocation, no I/O, thread-safe (lgamma_r).
 */
#include <math.h>

#include "hq_stats.h"

double hq_stats_quantile(const double *sorted, size_t n, double q)
{
    if (n == 0) return 0;
    if (q <= 0) return sorted[0];
    if (q >= 1) return sorted[n - 1];
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n) return sorted[n - 1];
    return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

void hq_stats_wilson(int64_t x, int64_t n, double z, double *lo, double *hi)
{
    if (n <= 0) {
        *lo = 0;
        *hi = 1;
        return;
    }
    double nn = (double)n, p = (double)x / nn, z2 = z * z;
    double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
    double half = z / (1 + z2 / nn) * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    *lo = centre - half < 0 ? 0 : centre - half;
    *hi = centre + half > 1 ? 1 : centre + half;
    if (x == 0) *lo = 0; /* exactly, not −1e-17 */
    if (x == n) *hi = 1;
}

double hq_stats_norm_cdf(double z)
{
    return 0.5 * erfc(-z / M_SQRT2);
}

/* Continued fraction of the incomplete beta (Numerical Recipes' betacf, modified Lentz). */
static double betacf(double a, double b, double x)
{
    const double tiny = 1e-300, eps = 1e-15;
    double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < tiny) d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 500; m++) {
        double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < eps) break;
    }
    return h;
}

double hq_stats_betai(double a, double b, double x)
{
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    int sg;
    double lbt =
        lgamma_r(a + b, &sg) - lgamma_r(a, &sg) - lgamma_r(b, &sg) + a * log(x) + b * log1p(-x);
    double bt = exp(lbt);
    if (x < (a + 1) / (a + b + 2)) return bt * betacf(a, b, x) / a;
    return 1 - bt * betacf(b, a, 1 - x) / b;
}

double hq_stats_t_cdf(double t, double df)
{
    if (isnan(t) || df <= 0) return NAN;
    if (isinf(t)) return t > 0 ? 1 : 0;
    double tail = 0.5 * hq_stats_betai(df / 2, 0.5, df / (df + t * t)); /* P(T > |t|) */
    return t > 0 ? 1 - tail : tail;
}

void hq_stats_two_prop(int64_t x1, int64_t n1, int64_t x2, int64_t n2, struct hq_stats_test *out)
{
    *out = (struct hq_stats_test){0};
    out->p = 1;
    if (n1 <= 0 || n2 <= 0) return;
    double p1 = (double)x1 / (double)n1, p2 = (double)x2 / (double)n2;
    out->diff = p1 - p2;
    double p = (double)(x1 + x2) / (double)(n1 + n2);
    double se = sqrt(p * (1 - p) * (1.0 / (double)n1 + 1.0 / (double)n2));
    if (!(se > 0)) return; /* all satisfied or none on both sides: nothing to test */
    out->valid = true;
    out->stat = out->diff / se;
    out->p = erfc(fabs(out->stat) / M_SQRT2);
    out->significant = out->p < 0.05;
}

void hq_stats_welch(double m1, double sd1, int64_t n1, double m2, double sd2, int64_t n2,
                    struct hq_stats_test *out)
{
    *out = (struct hq_stats_test){0};
    out->p = 1;
    if (n1 < 2 || n2 < 2) return;
    out->diff = m1 - m2;
    double a = sd1 * sd1 / (double)n1, b = sd2 * sd2 / (double)n2;
    double se2 = a + b;
    if (!(se2 > 0)) return;
    out->valid = true;
    out->stat = out->diff / sqrt(se2);
    out->df = se2 * se2 / (a * a / (double)(n1 - 1) + b * b / (double)(n2 - 1));
    out->p = 2 * hq_stats_t_cdf(-fabs(out->stat), out->df);
    if (out->p > 1) out->p = 1;
    out->significant = out->p < 0.05;
}

void hq_stats_compare(const struct hq_stats_group *a, const struct hq_stats_group *b,
                      struct hq_stats_compare *out)
{
    hq_stats_two_prop(a->sat.satisfied, a->sat.n, b->sat.satisfied, b->sat.n, &out->rate);
    hq_stats_welch(a->sat.mean, a->sat.sd, a->sat.n, b->sat.mean, b->sat.sd, b->sat.n, &out->level);
    hq_stats_welch(a->wait.mean, a->wait.sd, a->wait.n, b->wait.mean, b->wait.sd, b->wait.n,
                   &out->wait);
}
