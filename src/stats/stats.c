/* SPDX-License-Identifier: MIT */
/*
 * stats.c — the figures of a period from copies of its ticket rows and evaluation documents:
 * counts, waiting and service time distributions, satisfaction, per service, window, clerk and
 * hour, the clerks' scorecards against targets and the complaints naming a window. Every figure
 * is a function of the input rows only (the definitions are in hq_stats.h and docs/STATS.md);
 * nothing here reads a clock, a file or the time zone.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_stats.h"

/* ---- input ---- */

static void *grow(void *arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap && arr) return arr;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / elem) return NULL;
        ncap *= 2;
    }
    void *p = realloc(arr, ncap * elem);
    if (!p) return NULL;
    *cap = ncap;
    return p;
}

#define APPEND(arr, n, cap, item)                                                                  \
    do {                                                                                           \
        void *g_ = grow((arr), &(cap), (n) + 1, sizeof *(arr));                                    \
        if (!g_) return HQ_EINTERNAL;                                                              \
        (arr) = g_;                                                                                \
        (arr)[(n)++] = *(item);                                                                    \
    } while (0)

void hq_stats_input_init(struct hq_stats_input *in)
{
    memset(in, 0, sizeof *in);
}

void hq_stats_input_release(struct hq_stats_input *in)
{
    for (size_t i = 0; i < in->n_evals; i++)
        free(in->evals[i].comment);
    free(in->tickets);
    free(in->evals);
    free(in->complaints);
    free(in->services);
    free(in->windows);
    free(in->staff);
    hq_stats_input_init(in);
}

int hq_stats_add_ticket(struct hq_stats_input *in, const struct hq_stats_ticket *t)
{
    APPEND(in->tickets, in->n_tickets, in->cap_tickets, t);
    return 0;
}

int hq_stats_add_eval(struct hq_stats_input *in, struct hq_stats_eval *e)
{
    void *g = grow(in->evals, &in->cap_evals, in->n_evals + 1, sizeof *in->evals);
    if (!g) {
        free(e->comment);
        e->comment = NULL;
        return HQ_EINTERNAL;
    }
    in->evals = g;
    in->evals[in->n_evals++] = *e;
    e->comment = NULL;
    return 0;
}

int hq_stats_add_complaint(struct hq_stats_input *in, const struct hq_stats_complaint *c)
{
    APPEND(in->complaints, in->n_complaints, in->cap_complaints, c);
    return 0;
}

int hq_stats_add_service(struct hq_stats_input *in, const struct hq_stats_name *n)
{
    APPEND(in->services, in->n_services, in->cap_services, n);
    return 0;
}

int hq_stats_add_window(struct hq_stats_input *in, const struct hq_stats_name *n)
{
    APPEND(in->windows, in->n_windows, in->cap_windows, n);
    return 0;
}

int hq_stats_add_staff(struct hq_stats_input *in, const struct hq_stats_name *n)
{
    APPEND(in->staff, in->n_staff, in->cap_staff, n);
    return 0;
}

/* ---- accumulation ---- */

struct samples {
    double *v;
    size_t n, cap;
};

struct acc {
    struct hq_stats_group g;
    struct samples wait, service;
    double level_sum, level_sq;
    double target_sum; /* clerks: sum of the target service times of the tickets served */
    int32_t last_day;
};

struct accs {
    struct acc *a;
    size_t n, cap;
};

static int sample_add(struct samples *s, double v)
{
    void *g = grow(s->v, &s->cap, s->n + 1, sizeof *s->v);
    if (!g) return HQ_EINTERNAL;
    s->v = g;
    s->v[s->n++] = v;
    return 0;
}

static const struct hq_stats_name *name_find(const struct hq_stats_name *names, size_t n,
                                             const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i].key, key) == 0) return &names[i];
    return NULL;
}

/* The accumulator of key, created (with its name) when absent; NULL when out of memory. */
static struct acc *acc_get(struct accs *as, const char *key, const struct hq_stats_name *names,
                           size_t n_names)
{
    for (size_t i = 0; i < as->n; i++)
        if (strcmp(as->a[i].g.key, key) == 0) return &as->a[i];
    void *g = grow(as->a, &as->cap, as->n + 1, sizeof *as->a);
    if (!g) return NULL;
    as->a = g;
    struct acc *a = &as->a[as->n++];
    memset(a, 0, sizeof *a);
    snprintf(a->g.key, sizeof a->g.key, "%s", key);
    const struct hq_stats_name *nm = name_find(names, n_names, key);
    if (nm) {
        snprintf(a->g.name, sizeof a->g.name, "%s", nm->name);
        snprintf(a->g.name_en, sizeof a->g.name_en, "%s", nm->name_en);
    }
    return a;
}

static void accs_release(struct accs *as)
{
    for (size_t i = 0; i < as->n; i++) {
        free(as->a[i].wait.v);
        free(as->a[i].service.v);
    }
    free(as->a);
    memset(as, 0, sizeof *as);
}

/* The count a ticket's end adds to (served, no-show, cancelled, expired, else open). */
void hq_stats_count_status(struct hq_stats_counts *c, enum hq_status status)
{
    switch (status) {
    case HQ_DONE:
        c->served++;
        break;
    case HQ_NO_SHOW:
        c->no_show++;
        break;
    case HQ_CANCELLED:
        c->cancelled++;
        break;
    case HQ_EXPIRED:
        c->expired++;
        break;
    default:
        c->open++;
        break;
    }
}

static int count_ticket(struct acc *a, const struct hq_stats_ticket *t, int32_t target_wait,
                        bool by_caller)
{
    struct hq_stats_counts *c = &a->g.c;
    if (!by_caller) c->issued++;
    if (t->called_at > 0) c->called++;
    if (by_caller) c->issued++;
    hq_stats_count_status(c, t->status);
    if (t->called_at > 0 && t->stage == 0 && t->queued_at > 0 && t->called_at >= t->queued_at) {
        double w = (double)(t->called_at - t->queued_at);
        if (sample_add(&a->wait, w)) return HQ_EINTERNAL;
        if (w <= target_wait) a->g.wait.within++;
    }
    if (t->status == HQ_DONE && t->started_at > 0 && t->finished_at >= t->started_at)
        if (sample_add(&a->service, (double)(t->finished_at - t->started_at))) return HQ_EINTERNAL;
    if (t->called_at > 0 && t->day != a->last_day) {
        a->g.score.days++; /* tickets come in day order, so a new day is counted once */
        a->last_day = t->day;
    }
    return 0;
}

static void count_eval(struct acc *a, const struct hq_stats_eval *e)
{
    a->g.sat.n++;
    a->g.sat.levels[e->level - 1]++;
    if (e->level >= 4) a->g.sat.satisfied++;
    a->level_sum += e->level;
    a->level_sq += (double)e->level * e->level;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b ? 1 : 0;
}

static void dist_finish(struct hq_stats_dist *d, struct samples *s)
{
    d->n = (int64_t)s->n;
    if (!s->n) {
        d->within = 0;
        return;
    }
    qsort(s->v, s->n, sizeof *s->v, cmp_double);
    double sum = 0;
    for (size_t i = 0; i < s->n; i++)
        sum += s->v[i];
    d->mean = sum / (double)s->n;
    double ss = 0;
    for (size_t i = 0; i < s->n; i++)
        ss += (s->v[i] - d->mean) * (s->v[i] - d->mean);
    d->sd = s->n > 1 ? sqrt(ss / (double)(s->n - 1)) : 0;
    d->median = hq_stats_quantile(s->v, s->n, 0.5);
    d->p90 = hq_stats_quantile(s->v, s->n, 0.9);
    d->max = s->v[s->n - 1];
    d->within_share = (double)d->within / (double)s->n;
}

/* A miss that matters (docs/STATS.md): over the target by more than 10% of it, and at least 30 s.
 */
double hq_stats_tolerance_s(double target_s)
{
    double t = HQ_STATS_TOL_SHARE * target_s;
    return t > HQ_STATS_TOL_MIN_S ? t : HQ_STATS_TOL_MIN_S;
}

static enum hq_stats_verdict time_verdict(double mean, double target)
{
    if (mean <= target) return HQ_VERDICT_MET;
    return mean <= target + hq_stats_tolerance_s(target) ? HQ_VERDICT_NEAR : HQ_VERDICT_MISSED;
}

static void acc_finish(struct acc *a, double target_sat, int32_t target_wait)
{
    dist_finish(&a->g.wait, &a->wait);
    dist_finish(&a->g.service, &a->service);
    hq_stats_group_finish(&a->g, a->level_sum, a->level_sq, a->target_sum, target_sat, target_wait);
}

void hq_stats_group_finish(struct hq_stats_group *g, double level_sum, double level_sq,
                           double target_sum, double target_sat, int32_t target_wait)
{
    struct hq_stats_sat *s = &g->sat;
    hq_stats_wilson(s->satisfied, s->n, HQ_STATS_Z95, &s->rate_lo, &s->rate_hi);
    if (s->n > 0) {
        double n = (double)s->n;
        s->rate = (double)s->satisfied / n;
        s->mean = level_sum / n;
        s->sd = s->n > 1 ? sqrt(fmax(0, (level_sq - n * s->mean * s->mean) / (n - 1))) : 0;
        s->index = (s->mean - 1) / 4 * 100;
    } else {
        s->rate_lo = s->rate_hi = 0;
    }
    struct hq_stats_score *sc = &g->score;
    sc->target_satisfaction = target_sat;
    if (g->service.n > 0) {
        sc->target_service_s = target_sum / (double)g->service.n;
        sc->service_met = g->service.mean <= sc->target_service_s;
        sc->service_verdict = time_verdict(g->service.mean, sc->target_service_s);
    }
    sc->satisfaction_met = s->n > 0 && s->rate >= target_sat;
    /* below the target but not significantly (the Wilson interval reaches it): near */
    if (s->n > 0)
        sc->satisfaction_verdict = s->rate >= target_sat      ? HQ_VERDICT_MET
                                   : s->rate_hi >= target_sat ? HQ_VERDICT_NEAR
                                                              : HQ_VERDICT_MISSED;
    sc->target_wait_s = target_wait;
    if (g->wait.n > 0) {
        sc->wait_met = g->wait.mean <= target_wait;
        sc->wait_verdict = time_verdict(g->wait.mean, target_wait);
    }
}

/* Hand the groups over: the accumulators' samples are freed. */
static int accs_detach(struct accs *as, double target_sat, int32_t target_wait,
                       struct hq_stats_group **out, size_t *n)
{
    *out = calloc(as->n ? as->n : 1, sizeof **out);
    if (!*out) return HQ_EINTERNAL;
    for (size_t i = 0; i < as->n; i++) {
        acc_finish(&as->a[i], target_sat, target_wait);
        (*out)[i] = as->a[i].g;
    }
    *n = as->n;
    return 0;
}

static int cmp_window_key(const void *x, const void *y)
{
    long a = strtol(((const struct acc *)x)->g.key, NULL, 10);
    long b = strtol(((const struct acc *)y)->g.key, NULL, 10);
    return a < b ? -1 : a > b;
}

static int cmp_key(const void *x, const void *y)
{
    return strcmp(((const struct acc *)x)->g.key, ((const struct acc *)y)->g.key);
}

static int cmp_ticket_day(const void *x, const void *y)
{
    const struct hq_stats_ticket *const *a = x, *const *b = y;
    return (*a)->day < (*b)->day ? -1 : (*a)->day > (*b)->day;
}

static int service_target(const struct hq_stats_input *in, const char *code)
{
    const struct hq_stats_name *n = name_find(in->services, in->n_services, code);
    return n ? n->target_s : 0;
}

static int cmp_reason(const void *x, const void *y)
{
    const struct hq_stats_reason *a = x, *b = y;
    if (a->n != b->n) return a->n > b->n ? -1 : 1;
    return strcmp(a->text, b->text);
}

/* Count the reasons of every evaluation (split at "; ") into out->reasons. */
static int count_reasons(const struct hq_stats_input *in, struct hq_stats *out)
{
    size_t cap = 0;
    for (size_t i = 0; i < in->n_evals; i++) {
        const struct hq_stats_eval *e = &in->evals[i];
        if (e->level < 1 || e->level > HQ_STATS_LEVELS) continue;
        const char *p = e->reasons;
        while (*p) {
            const char *end = strstr(p, "; ");
            size_t len = end ? (size_t)(end - p) : strlen(p);
            char text[64];
            snprintf(text, sizeof text, "%.*s", (int)(len < sizeof text ? len : sizeof text - 1),
                     p);
            p += len + (end ? 2 : 0);
            if (!text[0]) continue;
            size_t k = 0;
            while (k < out->n_reasons && strcmp(out->reasons[k].text, text) != 0)
                k++;
            if (k == out->n_reasons) {
                void *g = grow(out->reasons, &cap, k + 1, sizeof *out->reasons);
                if (!g) return HQ_EINTERNAL;
                out->reasons = g;
                memset(&out->reasons[k], 0, sizeof out->reasons[k]);
                snprintf(out->reasons[k].text, sizeof out->reasons[k].text, "%s", text);
                out->n_reasons++;
            }
            out->reasons[k].n++;
            out->reasons[k].mean_level += e->level; /* the sum until the end */
        }
    }
    for (size_t k = 0; k < out->n_reasons; k++)
        out->reasons[k].mean_level /= (double)out->reasons[k].n;
    if (out->n_reasons) qsort(out->reasons, out->n_reasons, sizeof *out->reasons, cmp_reason);
    return 0;
}

int hq_stats_compute(const struct hq_stats_input *in, struct hq_stats *out)
{
    memset(out, 0, sizeof *out);
    int rc = HQ_EINTERNAL;
    double target_sat = in->target_satisfaction > 0 ? in->target_satisfaction : 0.9;
    int32_t target_wait = in->target_wait_s > 0 ? in->target_wait_s : 900;
    struct accs total = {0}, svc = {0}, win = {0}, clerk = {0}, hour = {0};
    const struct hq_stats_ticket **order = NULL;
    unsigned char *seen = NULL;
    char key[HQ_STATS_KEY_MAX];

    if (!acc_get(&total, "", NULL, 0)) goto out;
    for (size_t i = 0; i < in->n_services; i++)
        if (!acc_get(&svc, in->services[i].key, in->services, in->n_services)) goto out;
    for (size_t i = 0; i < in->n_windows; i++)
        if (!acc_get(&win, in->windows[i].key, in->windows, in->n_windows)) goto out;
    for (int hr = 0; hr < 24; hr++) {
        snprintf(key, sizeof key, "%02d", hr);
        if (!acc_get(&hour, key, NULL, 0)) goto out;
    }
    /* clerks' days are counted on a new day: visit the tickets in day order */
    order = malloc((in->n_tickets ? in->n_tickets : 1) * sizeof *order);
    if (!order) goto out;
    for (size_t i = 0; i < in->n_tickets; i++)
        order[i] = &in->tickets[i];
    if (in->n_tickets) qsort(order, in->n_tickets, sizeof *order, cmp_ticket_day);

    for (size_t i = 0; i < in->n_tickets; i++) {
        const struct hq_stats_ticket *t = order[i];
        struct acc *a;
        if (!(a = acc_get(&total, "", NULL, 0)) || count_ticket(a, t, target_wait, false)) goto out;
        if (!(a = acc_get(&svc, t->service, in->services, in->n_services)) ||
            count_ticket(a, t, target_wait, false))
            goto out;
        snprintf(key, sizeof key, "%02d", t->hour >= 0 && t->hour < 24 ? t->hour : 0);
        if (!(a = acc_get(&hour, key, NULL, 0)) || count_ticket(a, t, target_wait, false)) goto out;
        if (t->called_at > 0 && t->window > 0) {
            snprintf(key, sizeof key, "%d", (int)t->window);
            if (!(a = acc_get(&win, key, in->windows, in->n_windows)) ||
                count_ticket(a, t, target_wait, true))
                goto out;
        }
        if (t->called_at > 0 && t->clerk[0]) {
            if (!(a = acc_get(&clerk, t->clerk, in->staff, in->n_staff)) ||
                count_ticket(a, t, target_wait, true))
                goto out;
            if (t->status == HQ_DONE && t->started_at > 0 && t->finished_at >= t->started_at)
                a->target_sum += service_target(in, t->service);
        }
    }
    for (size_t i = 0; i < in->n_evals; i++) {
        const struct hq_stats_eval *e = &in->evals[i];
        if (e->level < 1 || e->level > HQ_STATS_LEVELS) continue;
        struct acc *a;
        if (!(a = acc_get(&total, "", NULL, 0))) goto out;
        count_eval(a, e);
        if (!(a = acc_get(&svc, e->service, in->services, in->n_services))) goto out;
        count_eval(a, e);
        snprintf(key, sizeof key, "%02d", e->hour >= 0 && e->hour < 24 ? e->hour : 0);
        if (!(a = acc_get(&hour, key, NULL, 0))) goto out;
        count_eval(a, e);
        if (e->window > 0) {
            snprintf(key, sizeof key, "%d", (int)e->window);
            if (!(a = acc_get(&win, key, in->windows, in->n_windows))) goto out;
            count_eval(a, e);
        }
        if (e->clerk[0]) {
            if (!(a = acc_get(&clerk, e->clerk, in->staff, in->n_staff))) goto out;
            count_eval(a, e);
        }
    }
    /* complaints: every one in the total; one judged unfounded (assessment substantiated: false)
     * against nobody; else against the window the assessment names (or the complainant named),
     * and against the clerk the assessment names — or, when it names none, each clerk who called
     * a ticket at that window that day (one pass over the tickets per such complaint) */
    seen = calloc(clerk.n ? clerk.n : 1, 1);
    if (!seen) goto out;
    for (size_t i = 0; i < in->n_complaints; i++) {
        const struct hq_stats_complaint *c = &in->complaints[i];
        total.a[0].g.complaints++;
        if (c->unfounded) continue;
        if (c->window > 0) {
            snprintf(key, sizeof key, "%d", (int)c->window);
            struct acc *w = acc_get(&win, key, in->windows, in->n_windows);
            if (!w) goto out;
            w->g.complaints++;
        }
        if (c->clerk[0]) {
            struct acc *k = acc_get(&clerk, c->clerk, in->staff, in->n_staff);
            if (!k) goto out;
            k->g.complaints++;
            k->g.score.complaints++;
            continue;
        }
        if (c->window <= 0) continue;
        free(seen);
        seen = calloc(clerk.n ? clerk.n : 1, 1);
        if (!seen) goto out;
        for (size_t j = 0; j < in->n_tickets; j++) {
            const struct hq_stats_ticket *t = &in->tickets[j];
            if (t->called_at <= 0 || t->window != c->window || t->day != c->day || !t->clerk[0])
                continue;
            for (size_t k = 0; k < clerk.n; k++)
                if (strcmp(t->clerk, clerk.a[k].g.key) == 0) seen[k] = 1;
        }
        for (size_t k = 0; k < clerk.n; k++)
            if (seen[k]) {
                clerk.a[k].g.complaints++;
                clerk.a[k].g.score.complaints++;
            }
    }
    if (win.n) qsort(win.a, win.n, sizeof *win.a, cmp_window_key);
    if (clerk.n) qsort(clerk.a, clerk.n, sizeof *clerk.a, cmp_key);

    acc_finish(&total.a[0], target_sat, target_wait);
    out->total = total.a[0].g;
    if (accs_detach(&svc, target_sat, target_wait, &out->services, &out->n_services) ||
        accs_detach(&win, target_sat, target_wait, &out->windows, &out->n_windows) ||
        accs_detach(&clerk, target_sat, target_wait, &out->clerks, &out->n_clerks) ||
        accs_detach(&hour, target_sat, target_wait, &out->hours, &out->n_hours) ||
        count_reasons(in, out))
        goto out;
    out->day_from = in->day_from;
    out->day_to = in->day_to;
    out->target_wait_s = target_wait;
    out->target_satisfaction = target_sat;
    rc = 0;
out:
    if (rc) hq_stats_release(out);
    free(order);
    free(seen);
    accs_release(&total);
    accs_release(&svc);
    accs_release(&win);
    accs_release(&clerk);
    accs_release(&hour);
    return rc;
}

void hq_stats_release(struct hq_stats *s)
{
    free(s->services);
    free(s->windows);
    free(s->clerks);
    free(s->hours);
    free(s->reasons);
    memset(s, 0, sizeof *s);
}

const struct hq_stats_group *hq_stats_find(const struct hq_stats_group *groups, size_t n,
                                           const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(groups[i].key, key) == 0) return &groups[i];
    return NULL;
}
