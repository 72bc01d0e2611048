/* SPDX-License-Identifier: MIT */
/*
 * uc_estimate.c — how good the estimated wait really is, measured on the hall's own days, and the
 * honest range printed beside it. Every ticket keeps the wait it was promised when issued
 * (hq_ticket.est_wait_s, stored); once it has been called, its real wait (called_at - issued_at)
 * is known. Over a period of days this gives, for the hall and per service: n, the mean absolute
 * error, the share of tickets called within ±5 minutes of their estimate, and the 10th and 90th
 * percentiles of the relative residual (actual - estimate) / max(estimate, 300 s). The range of a
 * new estimate E is [E + q10·max(E, 300), E + q90·max(E, 300)] (rounded out to whole minutes, and
 * always containing E): about 8 in 10 customers are called within it, if the coming days are like
 * the measured ones. The method and its limits are written up in docs/ESTIMATE.md.
 *
 * Counted: tickets of the period with a stored estimate, called at least once for their first
 * service (stage 0). Not counted: tickets never called (cancelled, expired: their wait is unknown),
 * tickets issued before estimates were stored. The last 28 days are kept in memory (a->estacc) for
 * the ticket views, refreshed from the read handle at most every 5 minutes, and whenever the advice
 * is read.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app_int.h"

#define WITHIN_S 300    /* "within ±5 min" */
#define SCALE_MIN_S 300 /* the relative residual's floor: short waits err in minutes, not % */
#define HISTORY_DAYS 28

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

int32_t hq__day_add(int32_t day, int n)
{
    int64_t z = days_from_civil(day / 10000, day / 100 % 100, day % 100) + n + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    return (int32_t)(y * 10000 + m * 100 + d);
}

/* The residuals of one group while scanning. */
struct acc {
    char code[HQ_CODE_MAX];
    int64_t n, within;
    double abs_sum;
    double *rel;
    size_t cap;
    bool oom;
};

struct scan {
    struct acc all;
    struct acc svc[HQ_ESTACC_SERVICES];
    size_t n_svc;
};

static void acc_add(struct acc *a, double err, double rel)
{
    if ((size_t)a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        double *p = realloc(a->rel, cap * sizeof *p);
        if (!p) {
            a->oom = true;
            return;
        }
        a->rel = p;
        a->cap = cap;
    }
    a->rel[a->n++] = rel;
    a->abs_sum += fabs(err);
    if (fabs(err) <= WITHIN_S) a->within++;
}

static int on_ticket(void *ctx, const struct hq_ticket *t)
{
    struct scan *s = ctx;
    if (t->est_wait_s < 0 || t->stage != 0 || t->issued_at <= 0 || t->called_at < t->issued_at)
        return 0;
    double est = t->est_wait_s, actual = (double)(t->called_at - t->issued_at);
    double err = actual - est, rel = err / fmax(est, SCALE_MIN_S);
    acc_add(&s->all, err, rel);
    size_t i = 0;
    while (i < s->n_svc && strcmp(s->svc[i].code, t->service) != 0)
        i++;
    if (i == s->n_svc) {
        if (s->n_svc == HQ_ESTACC_SERVICES) return 0;
        memcpy(s->svc[i].code, t->service, HQ_CODE_MAX);
        s->n_svc++;
    }
    acc_add(&s->svc[i], err, rel);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Linear interpolation between order statistics of the sorted v[0..n-1]. */
static double quantile(const double *v, int64_t n, double p)
{
    double pos = p * (double)(n - 1);
    int64_t k = (int64_t)floor(pos);
    if (k + 1 >= n) return v[n - 1];
    return v[k] + (pos - (double)k) * (v[k + 1] - v[k]);
}

static void finish(struct acc *a, struct hq_estacc_group *g)
{
    memset(g, 0, sizeof *g);
    memcpy(g->code, a->code, HQ_CODE_MAX);
    g->n = a->n;
    if (a->n > 0) {
        qsort(a->rel, (size_t)a->n, sizeof *a->rel, cmp_double);
        g->mae_s = a->abs_sum / (double)a->n;
        g->within_5min_share = (double)a->within / (double)a->n;
        g->q_low = quantile(a->rel, a->n, 0.1);
        g->q_high = quantile(a->rel, a->n, 0.9);
    }
    free(a->rel);
    a->rel = NULL;
}

int hq__estacc_compute(struct hq_store *s, int32_t from, int32_t to, struct hq_estacc *out)
{
    struct scan *sc = calloc(1, sizeof *sc);
    if (!sc) return HQ_EINTERNAL;
    int rc = s->vt->tickets_between(s, from, to, on_ticket, sc);
    bool oom = sc->all.oom;
    for (size_t i = 0; i < sc->n_svc; i++)
        oom |= sc->svc[i].oom;
    memset(out, 0, sizeof *out);
    out->from = from;
    out->to = to;
    finish(&sc->all, &out->all);
    for (size_t i = 0; i < sc->n_svc; i++)
        finish(&sc->svc[i], &out->services[i]);
    out->n_services = sc->n_svc;
    free(sc);
    if (rc) return rc;
    return oom ? HQ_EINTERNAL : 0;
}

static json_t *group_json(const struct hq_estacc_group *g, bool with_code)
{
    json_t *o = json_object();
    if (with_code) json_object_set_new(o, "code", json_string(g->code));
    json_object_set_new(o, "n", json_integer(g->n));
    json_object_set_new(o, "mae_s",
                        g->n ? json_integer((json_int_t)lround(g->mae_s)) : json_null());
    json_object_set_new(o, "within_5min_share",
                        g->n ? json_real(round(g->within_5min_share * 1000) / 1000) : json_null());
    return o;
}

static int by_code(const void *a, const void *b)
{
    return strcmp(((const struct hq_estacc_group *)a)->code,
                  ((const struct hq_estacc_group *)b)->code);
}

json_t *hq__estacc_json(const struct hq_estacc *e)
{
    json_t *o = group_json(&e->all, false);
    struct hq_estacc_group sorted[HQ_ESTACC_SERVICES];
    memcpy(sorted, e->services, e->n_services * sizeof sorted[0]);
    qsort(sorted, e->n_services, sizeof sorted[0], by_code);
    json_t *arr = json_array();
    for (size_t i = 0; i < e->n_services; i++)
        json_array_append_new(arr, group_json(&sorted[i], true));
    json_object_set_new(o, "services", arr);
    char f[16], t[16];
    hq__format_date(e->from, f, sizeof f);
    hq__format_date(e->to, t, sizeof t);
    json_object_set_new(o, "from", json_string(f));
    json_object_set_new(o, "to", json_string(t));
    return o;
}

json_t *hq__estacc_period_json(struct hq_app *a, int32_t from, int32_t to)
{
    struct hq_estacc *e = malloc(sizeof *e);
    if (!e) return json_null();
    pthread_mutex_lock(&a->reader_mu);
    int rc = hq__estacc_compute(a->reader, from, to, e);
    pthread_mutex_unlock(&a->reader_mu);
    json_t *o = rc == 0 ? hq__estacc_json(e) : json_null();
    free(e);
    return o;
}

void hq__estacc_refresh(struct hq_app *a, int max_age_s)
{
    struct hq_now now;
    hq_app_now(a, &now);
    /* Once there is a figure, a request never waits for the read handle to refresh it: while
     * another request holds the handle (maybe recomputing 28 days of tickets), keep the old one. */
    if (pthread_mutex_trylock(&a->reader_mu) != 0) {
        if (__atomic_load_n(&a->estacc_at, __ATOMIC_RELAXED)) return;
        pthread_mutex_lock(&a->reader_mu);
    }
    if (a->estacc_at && now.t >= a->estacc_at && now.t - a->estacc_at < max_age_s) {
        pthread_mutex_unlock(&a->reader_mu);
        return;
    }
    struct hq_estacc *e = malloc(sizeof *e);
    int rc =
        e ? hq__estacc_compute(a->reader, hq__day_add(now.day, -(HISTORY_DAYS - 1)), now.day, e)
          : HQ_EINTERNAL;
    if (rc == 0) __atomic_store_n(&a->estacc_at, now.t, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&a->reader_mu);
    if (rc == 0) {
        pthread_mutex_lock(&a->mu);
        a->estacc = *e;
        pthread_mutex_unlock(&a->mu);
    }
    free(e);
}

bool hq__wait_range(struct hq_app *a, const char *service, int32_t est_s, int64_t *lo, int64_t *hi)
{
    const struct hq_estacc_group *g = NULL;
    for (size_t i = 0; i < a->estacc.n_services; i++)
        if (strcmp(a->estacc.services[i].code, service) == 0) g = &a->estacc.services[i];
    if (!g || g->n < HQ_ESTACC_MIN_N) g = &a->estacc.all;
    if (g->n < HQ_ESTACC_MIN_N || est_s < 0) return false;
    double scale = fmax(est_s, SCALE_MIN_S);
    double low = est_s + g->q_low * scale, high = est_s + g->q_high * scale;
    low = fmax(0, fmin(low, est_s));
    high = fmax(high, est_s);
    int64_t l = (int64_t)(floor(low / 60) * 60), h = (int64_t)(ceil(high / 60) * 60);
    if (h > 7 * 86400) h = 7 * 86400;
    if (l > h) l = h;
    *lo = l;
    *hi = h;
    return true;
}

json_t *hq__wait_range_json(struct hq_app *a, const char *service, int32_t est_s)
{
    int64_t lo, hi;
    if (!hq__wait_range(a, service, est_s, &lo, &hi)) return json_null();
    return json_pack("[I,I]", (json_int_t)lo, (json_int_t)hi);
}
