/* SPDX-License-Identifier: MIT */
/*
 * forecast.c — arrivals per service and half hour for a coming day, from the hall's history, and
 * the forecast's measured error on held-out days. Pure: the history comes in as counts
 * (src/app/uc_plan.c fills it from the store), nothing is read or written here.
 *
 * The model, chosen for being explainable to a duty manager and hard to fool with little data:
 *
 *   forecast(service, slot) = level(service, weekday) × shape(service, slot) × trend(service)
 *
 *   - level: the mean daily arrivals of the service on the open days of the same weekday in the
 *     last `weeks` weeks (a holiday worked "as Monday" counts as a Monday; a closed holiday counts
 *     nowhere). With no such day, the mean over all open days.
 *   - shape: the service's share of its day per half hour, pooled over every open day of those
 *     weeks (eight times the data of a single weekday, so much less noise; weekdays differ in how
 *     many come far more than in when).
 *   - trend: Σ actual / Σ level·shape over the last trend_days open days, shrunk towards 1 with
 *     the evidence (n arrivals count as n / (n + 200)) and clamped to [0.5, 2].
 *
 * A day with no arrival at all is a closed day: it is left out of every mean.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_plan.h"

/* ---- the calendar (Howard Hinnant's days_from_civil / civil_from_days) ---- */

int64_t hq_days_from_civil(int32_t yyyymmdd)
{
    int64_t y = yyyymmdd / 10000, m = (yyyymmdd / 100) % 100, d = yyyymmdd % 100;
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int32_t hq_civil_from_days(int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    return (int32_t)((y + (m <= 2)) * 10000 + m * 100 + d);
}

static int weekday_of_index(int64_t z)
{
    return (int)(((z % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
}

int hq_weekday_of(int32_t yyyymmdd)
{
    return weekday_of_index(hq_days_from_civil(yyyymmdd));
}

bool hq_valid_day(int32_t d)
{
    if (d < 19700101 || d > 99991231) return false;
    return hq_civil_from_days(hq_days_from_civil(d)) == d;
}

/* ---- history ---- */

int hq_history_init(struct hq_history *h, int32_t first_day, int32_t last_day, struct hq_why *why)
{
    memset(h, 0, sizeof *h);
    if (!hq_valid_day(first_day) || !hq_valid_day(last_day) || last_day < first_day)
        return hq_fail(why, HQ_EINVAL, "date", "history: bad day range %d..%d", (int)first_day,
                       (int)last_day);
    int64_t n = hq_days_from_civil(last_day) - hq_days_from_civil(first_day) + 1;
    if (n > 3660) return hq_fail(why, HQ_EINVAL, "weeks", "history: at most ten years of days");
    h->day0 = hq_days_from_civil(first_day);
    h->n_days = (int)n;
    h->count = calloc((size_t)n * HQ_PLAN_MAX_SERVICES * HQ_SLOTS, sizeof *h->count);
    if (!h->count) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    return 0;
}

void hq_history_release(struct hq_history *h)
{
    free(h->count);
    h->count = NULL;
    h->n_days = 0;
}

int hq_history_service(const struct hq_history *h, const char *code)
{
    for (int i = 0; i < h->n_services; i++)
        if (strcmp(h->codes[i], code) == 0) return i;
    return -1;
}

static double *cell(const struct hq_history *h, int64_t di, int svc)
{
    return &h->count[((size_t)di * HQ_PLAN_MAX_SERVICES + (size_t)svc) * HQ_SLOTS];
}

int hq_history_add(struct hq_history *h, const char *service, int32_t day, int minute, double n,
                   struct hq_why *why)
{
    if (!service || !hq_valid_service_code(service))
        return hq_fail(why, HQ_EINVAL, "service", "history: bad service code");
    if (minute < 0 || minute >= 1440 || !(n >= 0) || !isfinite(n))
        return hq_fail(why, HQ_EINVAL, "minute", "history: bad minute or count");
    int s = hq_history_service(h, service);
    if (s < 0) {
        if (h->n_services >= HQ_PLAN_MAX_SERVICES)
            return hq_fail(why, HQ_EINVAL, "service", "history: more than %d services",
                           HQ_PLAN_MAX_SERVICES);
        s = h->n_services++;
        snprintf(h->codes[s], HQ_CODE_MAX, "%s", service);
    }
    if (!hq_valid_day(day)) return 1;
    int64_t di = hq_days_from_civil(day) - h->day0;
    if (di < 0 || di >= h->n_days) return 1;
    cell(h, di, s)[minute / 30] += n;
    h->tickets += (long)n;
    return 0;
}

static double day_total(const struct hq_history *h, int64_t di)
{
    double t = 0;
    for (int s = 0; s < h->n_services; s++) {
        const double *c = cell(h, di, s);
        for (int k = 0; k < HQ_SLOTS; k++)
            t += c[k];
    }
    return t;
}

double hq_history_day_total(const struct hq_history *h, int64_t day_index)
{
    int64_t di = day_index - h->day0;
    return di >= 0 && di < h->n_days ? day_total(h, di) : 0;
}

/* ---- forecast ---- */

/* The weekday a day runs as: -1 closed by configuration, else 0..6. *holiday: listed. */
static int effective_weekday(const struct hq_forecast_options *o, int32_t day, bool *holiday)
{
    *holiday = false;
    for (int i = 0; o && i < o->n_holidays; i++)
        if (o->holidays[i].day == day) {
            *holiday = true;
            int w = o->holidays[i].as_weekday;
            return w >= 0 && w <= 6 ? w : -1;
        }
    return hq_weekday_of(day);
}

/* The profile of one service from the open days in [lo, hi) (history indices). */
struct profile {
    double level_wd[7]; /* mean daily arrivals per weekday */
    int n_wd[7];
    double level_all;
    int n_all;
    double shape[HQ_SLOTS]; /* sums to 1 (or all 0) */
};

static void build_profile(const struct hq_history *h, const struct hq_forecast_options *o,
                          int64_t lo, int64_t hi, int svc, const bool *open, const int *wd,
                          struct profile *p)
{
    memset(p, 0, sizeof *p);
    double sum_wd[7] = {0}, sum_all = 0, sh[HQ_SLOTS] = {0};
    (void)o;
    for (int64_t di = lo < 0 ? 0 : lo; di < hi && di < h->n_days; di++) {
        if (!open[di]) continue;
        const double *c = cell(h, di, svc);
        double t = 0;
        for (int k = 0; k < HQ_SLOTS; k++) {
            t += c[k];
            sh[k] += c[k];
        }
        sum_wd[wd[di]] += t;
        p->n_wd[wd[di]]++;
        sum_all += t;
        p->n_all++;
    }
    for (int w = 0; w < 7; w++)
        p->level_wd[w] = p->n_wd[w] ? sum_wd[w] / p->n_wd[w] : 0;
    p->level_all = p->n_all ? sum_all / p->n_all : 0;
    double tot = 0;
    for (int k = 0; k < HQ_SLOTS; k++)
        tot += sh[k];
    for (int k = 0; k < HQ_SLOTS; k++)
        p->shape[k] = tot > 0 ? sh[k] / tot : 0;
}

static double level_for(const struct profile *p, int weekday, int *n_used)
{
    if (p->n_wd[weekday] > 0) {
        *n_used = p->n_wd[weekday];
        return p->level_wd[weekday];
    }
    *n_used = 0;
    return p->level_all;
}

/* Per-day flags over the whole history: open (has arrivals and not a closed holiday) and the
 * weekday it ran as. Caller frees both. */
static int day_flags(const struct hq_history *h, const struct hq_forecast_options *o, bool **open,
                     int **wd)
{
    *open = calloc((size_t)h->n_days + 1, sizeof **open);
    *wd = calloc((size_t)h->n_days + 1, sizeof **wd);
    if (!*open || !*wd) {
        free(*open);
        free(*wd);
        return HQ_EINTERNAL;
    }
    for (int64_t di = 0; di < h->n_days; di++) {
        bool hol;
        int w = effective_weekday(o, hq_civil_from_days(h->day0 + di), &hol);
        (*wd)[di] = w < 0 ? 0 : w;
        (*open)[di] = w >= 0 && day_total(h, di) > 0;
    }
    return 0;
}

static int forecast_with(const struct hq_history *h, int32_t day,
                         const struct hq_forecast_options *o, const bool *open, const int *wd,
                         struct hq_forecast *out, struct hq_why *why)
{
    if (!hq_valid_day(day)) return hq_fail(why, HQ_EINVAL, "date", "not a date: %d", (int)day);
    int64_t target = hq_days_from_civil(day);
    int64_t hi = target - h->day0; /* history index of the day: only days before it are used */
    if (hi < 1) return hq_fail(why, HQ_EINVAL, "date", "no history before %d", (int)day);
    if (hi > h->n_days) hi = h->n_days;
    int weeks = o && o->weeks > 0 ? o->weeks : 8;
    int trend_days = o && o->trend_days ? o->trend_days : 14;
    int64_t lo = target - h->day0 - (int64_t)weeks * 7;

    memset(out, 0, sizeof *out);
    out->day = day;
    int w = effective_weekday(o, day, &out->holiday);
    out->closed = w < 0;
    out->weekday = w < 0 ? hq_weekday_of(day) : w;
    out->n_services = h->n_services;
    memcpy(out->codes, h->codes, sizeof out->codes);
    if (out->closed) return 0;

    bool any_weekday = false;
    for (int s = 0; s < h->n_services; s++) {
        struct profile p;
        build_profile(h, o, lo, hi, s, open, wd, &p);
        int n_used = 0;
        double level = level_for(&p, out->weekday, &n_used);
        if (p.n_wd[out->weekday] > 0) any_weekday = true;
        out->days_weekday = n_used;
        out->days_all = p.n_all;
        double trend = 1;
        if (trend_days > 0) {
            double act = 0, exp_ = 0;
            int seen = 0;
            for (int64_t di = hi - 1; di >= 0 && di >= lo && seen < trend_days; di--) {
                if (!open[di]) continue;
                seen++;
                const double *c = cell(h, di, s);
                for (int k = 0; k < HQ_SLOTS; k++)
                    act += c[k];
                int nu;
                exp_ += level_for(&p, wd[di], &nu);
            }
            if (exp_ > 0) {
                double r = act / exp_;
                double weight = act / (act + 200.0);
                trend = 1 + (r - 1) * weight;
                if (trend < 0.5) trend = 0.5;
                if (trend > 2) trend = 2;
            }
        }
        out->level[s] = level;
        out->trend[s] = trend;
        for (int k = 0; k < HQ_SLOTS; k++)
            out->arrivals[s][k] = level * p.shape[k] * trend;
    }
    /* A weekday on which the hall never had a customer in those weeks (a hall closed on
     * Sundays) is closed, not an average day; a weekday not yet seen gets the all-days level. */
    int64_t first_open = -1;
    for (int64_t di = lo < 0 ? 0 : lo; di < hi && first_open < 0; di++)
        if (open[di]) first_open = di;
    if (first_open >= 0 && !any_weekday) {
        /* only since the hall's first day with arrivals: before it, hallq was not in use */
        int seen_wd = 0;
        for (int64_t di = first_open; di < hi; di++) {
            bool hol;
            if (effective_weekday(o, hq_civil_from_days(h->day0 + di), &hol) == out->weekday)
                seen_wd++;
        }
        /* the weekday occurred in the window but never with arrivals: closed that weekday */
        if (seen_wd > 0) {
            out->closed = true;
            for (int s = 0; s < h->n_services; s++)
                for (int k = 0; k < HQ_SLOTS; k++)
                    out->arrivals[s][k] = 0;
        }
    }
    return 0;
}

int hq_forecast_day(const struct hq_history *h, int32_t day, const struct hq_forecast_options *o,
                    struct hq_forecast *out, struct hq_why *why)
{
    bool *open;
    int *wd;
    if (day_flags(h, o, &open, &wd)) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    int rc = forecast_with(h, day, o, open, wd, out, why);
    free(open);
    free(wd);
    return rc;
}

/* E|N - λ| for N ~ Poisson(λ). */
static double poisson_mad(double lambda)
{
    if (!(lambda > 0)) return 0;
    double p = exp(-lambda), sum = 0;
    int kmax = (int)(lambda + 12 * sqrt(lambda) + 30);
    for (int k = 0; k <= kmax; k++) {
        if (k > 0) p *= lambda / k;
        sum += fabs(k - lambda) * p;
    }
    return sum;
}

int hq_forecast_evaluate(const struct hq_history *h, int32_t first_day, int32_t last_day,
                         const struct hq_forecast_options *o, struct hq_forecast_error *out,
                         struct hq_why *why)
{
    if (!hq_valid_day(first_day) || !hq_valid_day(last_day) || last_day < first_day)
        return hq_fail(why, HQ_EINVAL, "date", "bad evaluation range");
    bool *open;
    int *wd;
    if (day_flags(h, o, &open, &wd)) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    struct hq_forecast *fc = malloc(sizeof *fc);
    if (!fc) {
        free(open);
        free(wd);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    memset(out, 0, sizeof *out);
    double abs_slot = 0, act_slot = 0, pois = 0, abs_hall = 0, naive_abs = 0, naive_hall = 0;
    double mape_svc = 0, mape_day = 0, bias = 0, act_days = 0;
    long n_slot = 0, n_svc_days = 0;
    int rc = 0;
    for (int64_t z = hq_days_from_civil(first_day); z <= hq_days_from_civil(last_day); z++) {
        int64_t di = z - h->day0;
        if (di < 8 || di >= h->n_days || !open[di]) continue; /* a week before it for naive */
        int32_t day = hq_civil_from_days(z);
        rc = forecast_with(h, day, o, open, wd, fc, why);
        if (rc) break;
        if (fc->closed) continue;
        /* naive: the latest open day before, of the same weekday */
        int64_t nd = -1;
        for (int64_t k = di - 1; k >= 0 && k >= di - 35; k--)
            if (open[k] && wd[k] == wd[di]) {
                nd = k;
                break;
            }
        double tot_f = 0, tot_a = 0;
        for (int k = 0; k < HQ_SLOTS; k++) {
            double hall_f = 0, hall_a = 0, hall_n = 0;
            bool active = false;
            for (int s = 0; s < h->n_services; s++) {
                double f = fc->arrivals[s][k], a = cell(h, di, s)[k];
                double nv = nd >= 0 ? cell(h, nd, s)[k] : f;
                hall_f += f;
                hall_a += a;
                hall_n += nv;
                if (f > 0 || a > 0) {
                    abs_slot += fabs(f - a);
                    naive_abs += fabs(nv - a);
                    act_slot += a;
                    pois += poisson_mad(f);
                    n_slot++;
                    active = true;
                }
            }
            if (active) {
                abs_hall += fabs(hall_f - hall_a);
                naive_hall += fabs(hall_n - hall_a);
            }
            tot_f += hall_f;
            tot_a += hall_a;
        }
        for (int s = 0; s < h->n_services; s++) {
            double f = 0, a = 0;
            for (int k = 0; k < HQ_SLOTS; k++) {
                f += fc->arrivals[s][k];
                a += cell(h, di, s)[k];
            }
            if (a > 0) {
                mape_svc += fabs(f - a) / a;
                n_svc_days++;
            }
        }
        double naive_tot = nd >= 0 ? day_total(h, nd) : tot_f;
        mape_day += fabs(tot_f - tot_a) / tot_a;
        bias += (tot_f - tot_a) / tot_a;
        out->naive_mape_day += fabs(naive_tot - tot_a) / tot_a;
        act_days += tot_a;
        out->days++;
    }
    if (rc == 0 && out->days > 0) {
        out->actual_per_day = act_days / out->days;
        out->mae_slot = n_slot ? abs_slot / (double)n_slot : 0;
        out->poisson_mae_slot = n_slot ? pois / (double)n_slot : 0;
        out->wape_slot = act_slot > 0 ? abs_slot / act_slot : 0;
        out->naive_wape_slot = act_slot > 0 ? naive_abs / act_slot : 0;
        out->wape_hall_slot = act_slot > 0 ? abs_hall / act_slot : 0;
        out->naive_wape_hall_slot = act_slot > 0 ? naive_hall / act_slot : 0;
        out->mape_day_service = n_svc_days ? mape_svc / (double)n_svc_days : 0;
        out->mape_day = mape_day / out->days;
        out->bias_day = bias / out->days;
        out->naive_mape_day /= out->days;
    }
    free(fc);
    free(open);
    free(wd);
    return rc;
}
