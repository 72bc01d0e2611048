/* SPDX-License-Identifier: MIT */
/*
 * erlang.c — Erlang B, Erlang C (M/M/c) and Erlang A (M/M/c+M) figures, and the fewest windows
 * meeting a service level. Pure arithmetic; no allocation except the Erlang A state vector.
 *
 * Numerical stability. Erlang C is derived from Erlang B, which comes from the recurrence
 * B(k) = a·B(k-1) / (k + a·B(k-1)): every step is a ratio in [0, 1], so no factorial or power is
 * ever formed and c = 100000 servers is as safe as c = 2. Erlang A works on the birth-death chain
 * of the number n in the hall (arrivals λ; departures min(n,c)·μ + max(n-c,0)·θ) in the log domain:
 * log p_n is accumulated from ratios, the largest is subtracted before exponentiating, so neither
 * the low states (p_0 ~ c!/a^c relative to the mode) nor an overloaded hall's high states
 * overflow. The chain is cut, past its mode, where a state's probability falls below e^-40 (4e-18)
 * of the mode's.
 *
 * Erlang A service level (share called within t) is the transient of a pure-death chain: a tagged
 * arrival that finds j customers waiting ahead moves to j-1 at rate cμ + jθ (a service start or
 * one of those ahead giving up), is called from j = 0 at rate cμ, and gives up itself at rate θ.
 * The whole mixture over j (weights p_{c+j}, PASTA) is evolved at once by uniformisation, in
 * sub-steps of at most 20 expected jumps so that the Poisson weights never underflow. States too
 * far back to be called within t are left out of this step (see erlang_a_within).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_plan.h"

double hq_erlang_b(double a, int c)
{
    if (!(a >= 0) || !isfinite(a) || c < 0) return NAN;
    double b = 1.0;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return b;
}

/* C from B: C = c·B / (c - a·(1 - B)), valid for a < c. */
static double erlang_c_from_b(double a, int c, double b)
{
    return c * b / (c - a * (1.0 - b));
}

double hq_erlang_c(double a, int c)
{
    if (!(a >= 0) || !isfinite(a) || c < 1) return NAN;
    if (a >= c) return 1.0;
    double cc = erlang_c_from_b(a, c, hq_erlang_b(a, c));
    return cc > 1.0 ? 1.0 : cc;
}

static int check_load(double lambda, double service_s, int c, double target_s, struct hq_why *why)
{
    if (!(lambda >= 0) || !isfinite(lambda))
        return hq_fail(why, HQ_EINVAL, "arrivals", "arrival rate must be a finite number >= 0");
    if (!(service_s > 0) || !isfinite(service_s))
        return hq_fail(why, HQ_EINVAL, "service_s",
                       "mean service time must be a finite number > 0");
    if (c < 1) return hq_fail(why, HQ_EINVAL, "windows", "windows must be at least 1 (got %d)", c);
    if (!(target_s >= 0) || !isfinite(target_s))
        return hq_fail(why, HQ_EINVAL, "target_wait_s", "target wait must be a finite number >= 0");
    if (!isfinite(lambda * service_s))
        return hq_fail(why, HQ_EINVAL, "arrivals", "offered load is not finite");
    return 0;
}

/* Erlang C figures given B(a, c) already known (the fewest-windows search carries B along). */
static void erlang_c_fill(double lambda, double service_s, int c, double target_s, double b,
                          struct hq_queue_figures *f)
{
    double a = lambda * service_s;
    memset(f, 0, sizeof *f);
    f->windows = c;
    f->offered_load = a;
    f->target_s = target_s;
    if (a >= c) {
        f->stable = false;
        f->utilisation = 1.0;
        f->p_wait = 1.0;
        f->mean_wait_s = INFINITY;
        f->mean_wait_all_s = INFINITY;
        f->service_level = 0.0;
        return;
    }
    double cw = erlang_c_from_b(a, c, b);
    if (cw > 1.0) cw = 1.0;
    f->stable = true;
    f->utilisation = a / c;
    f->p_wait = cw;
    f->mean_wait_s = cw * service_s / (c - a);
    f->mean_wait_all_s = f->mean_wait_s;
    double sl = 1.0 - cw * exp(-(c - a) * target_s / service_s);
    f->service_level = sl < 0 ? 0 : sl;
}

int hq_erlang_c_figures(double lambda, double service_s, int c, double target_s,
                        struct hq_queue_figures *out, struct hq_why *why)
{
    int rc = check_load(lambda, service_s, c, target_s, why);
    if (rc) return rc;
    erlang_c_fill(lambda, service_s, c, target_s, hq_erlang_b(lambda * service_s, c), out);
    return 0;
}

/* ---- Erlang A ---- */

/* Share of arrivals called within t: P(n < c) + the served mass of the pure-death chain after t.
 * v[j] (j = 0..q) is the arrival-seen mass with j waiting ahead; it is overwritten. */
static double erlang_a_within(double *v, double *acc, long q, double cmu, double theta, double t)
{
    /* Only states that can reach a call by t matter. From j ahead, the last j+1 steps (through
     * states J..0 for any J < j) each take an exponential time of rate at most e_J, so a call by t
     * needs at least J+1 jumps of a Poisson process of rate e_J in t. Cut at the J where that has
     * probability below ~1e-20: the work is then about (e_J t)^2, not q · e_q t. */
    for (int it = 0; it < 8; it++) {
        double x = (cmu + (double)(q + 1) * theta) * t;
        double k = x + 12.0 * sqrt(x) + 40.0;
        if (k >= (double)q) break;
        q = (long)k;
    }
    double lam_u = cmu + (double)(q + 1) * theta; /* the largest exit rate, e_q */
    double served = 0;
    if (t <= 0) return 0;
    long n_sub = (long)ceil(lam_u * t / 20.0);
    if (n_sub < 1) n_sub = 1;
    double x = lam_u * t / (double)n_sub;
    for (long s = 0; s < n_sub; s++) {
        double w = exp(-x), cum = w, acc_served = w * served;
        for (long j = 0; j <= q; j++)
            acc[j] = w * v[j];
        for (long k = 1; k < 100000; k++) {
            /* One uniformised jump, in place: v[j] <- v[j](1 - e_j/L) + v[j+1] r_{j+1}/L. */
            served += v[0] * cmu / lam_u;
            for (long j = 0; j <= q; j++) {
                double ej = cmu + (double)(j + 1) * theta;
                double stay = v[j] * (1.0 - ej / lam_u);
                double from_above = j < q ? v[j + 1] * (cmu + (double)(j + 1) * theta) / lam_u : 0;
                v[j] = stay + from_above;
            }
            w *= x / (double)k;
            cum += w;
            acc_served += w * served;
            for (long j = 0; j <= q; j++)
                acc[j] += w * v[j];
            if ((double)k > x && 1.0 - cum < 1e-14) break;
        }
        memcpy(v, acc, (size_t)(q + 1) * sizeof *v);
        served = acc_served;
    }
    return served;
}

int hq_erlang_a_figures(double lambda, double service_s, double patience_s, int c, double target_s,
                        struct hq_queue_figures *out, struct hq_why *why)
{
    int rc = check_load(lambda, service_s, c, target_s, why);
    if (rc) return rc;
    if (!(patience_s > 0) || !isfinite(patience_s))
        return hq_fail(why, HQ_EINVAL, "patience_s", "mean patience must be a finite number > 0");
    double a = lambda * service_s, mu = 1.0 / service_s, theta = 1.0 / patience_s;
    double cmu = c * mu;
    struct hq_queue_figures f;
    memset(&f, 0, sizeof f);
    f.windows = c;
    f.offered_load = a;
    f.target_s = target_s;
    f.stable = true;
    if (lambda == 0) {
        f.service_level = 1.0;
        *out = f;
        return 0;
    }

    /* log p_n, n = 0 .. c + q. */
    size_t cap = (size_t)c + 1024, n_states = 0;
    double *lp = malloc(cap * sizeof *lp);
    if (!lp) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    double top = 0;
    lp[n_states++] = 0;
    for (int n = 1; n <= c; n++) {
        lp[n_states] = lp[n_states - 1] + log(a / n);
        if (lp[n_states] > top) top = lp[n_states];
        n_states++;
    }
    for (long k = 1;; k++) {
        double ratio = lambda / (cmu + (double)k * theta);
        if (ratio < 1 && lp[n_states - 1] - top < -40) break; /* past the mode, mass < 4e-18 */
        if (k > HQ_ERLANG_A_MAX_QUEUE) {
            free(lp);
            return hq_fail(why, HQ_EINVAL, "patience_s",
                           "load too high for the patience: more than %d would wait",
                           HQ_ERLANG_A_MAX_QUEUE);
        }
        if (n_states == cap) {
            cap *= 2;
            double *g = realloc(lp, cap * sizeof *lp);
            if (!g) {
                free(lp);
                return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
            }
            lp = g;
        }
        lp[n_states] = lp[n_states - 1] + log(ratio);
        if (lp[n_states] > top) top = lp[n_states];
        n_states++;
    }
    long q = (long)n_states - 1 - c; /* largest number waiting kept */

    /* Normalise. */
    double sum = 0;
    for (size_t n = 0; n < n_states; n++) {
        lp[n] = exp(lp[n] - top);
        sum += lp[n];
    }
    double *p = lp;
    for (size_t n = 0; n < n_states; n++)
        p[n] /= sum;

    double p_free = 0, e_lq = 0, p_served = 0, w_served = 0, h = 0;
    for (int n = 0; n < c; n++)
        p_free += p[n];
    for (long j = 0; j <= q; j++) {
        double pj = p[c + j];
        double surv = cmu / (cmu + (double)(j + 1) * theta); /* P(called | j ahead) */
        h += 1.0 / (cmu + (double)(j + 1) * theta);          /* E[wait | called, j ahead] */
        e_lq += (double)j * pj;
        p_served += pj * surv;
        w_served += pj * surv * h;
    }
    double p_wait = 1.0 - p_free;
    p_served += p_free;

    double *acc = malloc((size_t)(q + 1) * sizeof *acc);
    if (!acc) {
        free(lp);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    double within = p_free + erlang_a_within(p + c, acc, q, cmu, theta, target_s);
    free(acc);
    free(lp);

    f.p_wait = p_wait < 0 ? 0 : p_wait;
    f.p_abandon = theta * e_lq / lambda;
    f.mean_wait_all_s = e_lq / lambda;
    f.mean_wait_s = p_served > 0 ? w_served / p_served : 0;
    f.utilisation = a * p_served / c;
    if (f.utilisation > 1) f.utilisation = 1;
    f.service_level = within > 1 ? 1 : within;
    *out = f;
    return 0;
}

/* ---- fewest windows ---- */

static int check_level(double level, struct hq_why *why)
{
    if (!(level > 0 && level < 1))
        return hq_fail(why, HQ_EINVAL, "service_level",
                       "service level must be a share strictly between 0 and 1 (0.8 = 80%%)");
    return 0;
}

int hq_erlang_fewest(double lambda, double service_s, double target_s, double level,
                     double patience_s, int max_c, struct hq_queue_figures *out, struct hq_why *why)
{
    int rc = check_load(lambda, service_s, max_c, target_s, why);
    if (!rc) rc = check_level(level, why);
    if (rc) return rc;
    if (!(patience_s >= 0) || !isfinite(patience_s))
        return hq_fail(why, HQ_EINVAL, "patience_s",
                       "mean patience must be a finite number >= 0 (0 = nobody gives up)");
    struct hq_queue_figures f = {0};
    if (patience_s == 0) {
        /* Walk c upwards carrying B(a, c): O(c) in all. */
        double a = lambda * service_s, b = 1.0;
        for (int c = 1; c <= max_c; c++) {
            b = a * b / (c + a * b);
            if (a >= c) continue;
            erlang_c_fill(lambda, service_s, c, target_s, b, &f);
            if (f.service_level >= level) {
                if (out) *out = f;
                return c;
            }
        }
        return hq_fail(why, HQ_ECONFLICT, "windows",
                       "even %d windows do not reach the service level", max_c);
    }
    /* Erlang A: the service level rises with c; double, then bisect. */
    int lo = 0, hi = 1;
    for (;;) {
        rc = hq_erlang_a_figures(lambda, service_s, patience_s, hi, target_s, &f, why);
        if (rc) return rc;
        if (f.service_level >= level) break;
        if (hi >= max_c)
            return hq_fail(why, HQ_ECONFLICT, "windows",
                           "even %d windows do not reach the service level", max_c);
        lo = hi;
        hi = hi > max_c / 2 ? max_c : hi * 2;
    }
    struct hq_queue_figures best = f;
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        rc = hq_erlang_a_figures(lambda, service_s, patience_s, mid, target_s, &f, why);
        if (rc) return rc;
        if (f.service_level >= level) {
            hi = mid;
            best = f;
        } else {
            lo = mid;
        }
    }
    if (out) *out = best;
    return hi;
}

int hq_plan_windows_needed(double arrivals_per_half_hour, double service_s, double target_s,
                           double level)
{
    if (!(arrivals_per_half_hour >= 0) || !isfinite(arrivals_per_half_hour)) return HQ_EINVAL;
    if (arrivals_per_half_hour == 0) return 0;
    return hq_erlang_fewest(arrivals_per_half_hour / 1800.0, service_s, target_s, level, 0, 100000,
                            NULL, NULL);
}
