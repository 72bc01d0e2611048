/* SPDX-License-Identifier: MIT */
/*
 * rollup.c — a day's statistics folded into mergeable sums and fixed-bin histograms, merged over
 * a period and finished into the same figures as hq_stats_compute (hq_rollup.h has the
 * contract, docs/STATS.md the error bounds). The groups live in one array found through an
 * open-addressing hash of (kind, day, key), so adding the rows of a busy day stays linear.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_rollup.h"

void hq_roll_init(struct hq_roll *r)
{
    memset(r, 0, sizeof *r);
}

void hq_roll_release(struct hq_roll *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->g[i].wait.bins);
        free(r->g[i].service.bins);
        free(r->g[i].served);
    }
    free(r->g);
    free(r->slots);
    free(r->reasons);
    hq_roll_init(r);
}

static uint64_t hash_of(char kind, int32_t day, const char *key)
{
    uint64_t h = 1469598103934665603ULL;
    h = (h ^ (unsigned char)kind) * 1099511628211ULL;
    h = (h ^ (uint32_t)day) * 1099511628211ULL;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

static int rehash(struct hq_roll *r, size_t n_slots)
{
    uint32_t *s = calloc(n_slots, sizeof *s);
    if (!s) return HQ_EINTERNAL;
    for (size_t i = 0; i < r->n; i++) {
        size_t k = hash_of(r->g[i].kind, r->g[i].day, r->g[i].key) & (n_slots - 1);
        while (s[k])
            k = (k + 1) & (n_slots - 1);
        s[k] = (uint32_t)(i + 1);
    }
    free(r->slots);
    r->slots = s;
    r->n_slots = n_slots;
    return 0;
}

struct hq_roll_group *hq_roll_group(struct hq_roll *r, char kind, int32_t day, const char *key)
{
    if (r->n_slots) {
        size_t k = hash_of(kind, day, key) & (r->n_slots - 1);
        while (r->slots[k]) {
            struct hq_roll_group *g = &r->g[r->slots[k] - 1];
            if (g->kind == kind && g->day == day && strcmp(g->key, key) == 0) return g;
            k = (k + 1) & (r->n_slots - 1);
        }
    }
    if (r->n + 1 > r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 64;
        void *p = realloc(r->g, ncap * sizeof *r->g);
        if (!p) return NULL;
        r->g = p;
        r->cap = ncap;
    }
    if ((r->n + 1) * 2 > r->n_slots && rehash(r, r->n_slots ? r->n_slots * 2 : 128)) return NULL;
    struct hq_roll_group *g = &r->g[r->n++];
    memset(g, 0, sizeof *g);
    g->kind = kind;
    g->day = day;
    snprintf(g->key, sizeof g->key, "%.*s", (int)sizeof g->key - 1, key);
    size_t k = hash_of(kind, day, key) & (r->n_slots - 1);
    while (r->slots[k])
        k = (k + 1) & (r->n_slots - 1);
    r->slots[k] = (uint32_t)r->n;
    return g;
}

int hq_roll_dist_add_bin(struct hq_roll_dist *d, int32_t bin, int64_t count)
{
    if (bin < 0) bin = 0;
    if (bin >= HQ_ROLL_BINS) bin = HQ_ROLL_BINS - 1;
    if (bin >= d->nbins) {
        int32_t nb = d->nbins ? d->nbins : 64;
        while (nb <= bin)
            nb *= 2;
        if (nb > HQ_ROLL_BINS) nb = HQ_ROLL_BINS;
        int64_t *p = realloc(d->bins, (size_t)nb * sizeof *p);
        if (!p) return HQ_EINTERNAL;
        memset(p + d->nbins, 0, (size_t)(nb - d->nbins) * sizeof *p);
        d->bins = p;
        d->nbins = nb;
    }
    d->bins[bin] += count;
    return 0;
}

int hq_roll_dist_add(struct hq_roll_dist *d, int64_t v)
{
    int64_t b = (v + HQ_ROLL_BIN_S - 1) / HQ_ROLL_BIN_S;
    if (hq_roll_dist_add_bin(d, (int32_t)(b < HQ_ROLL_BINS ? b : HQ_ROLL_BINS - 1), 1))
        return HQ_EINTERNAL;
    d->n++;
    d->sum += v;
    d->sumsq += v * v;
    if (v > d->max) d->max = v;
    return 0;
}

static int dist_merge(struct hq_roll_dist *d, const struct hq_roll_dist *s)
{
    if (!s->n) return 0;
    if (s->nbins > d->nbins && hq_roll_dist_add_bin(d, s->nbins - 1, 0)) return HQ_EINTERNAL;
    for (int32_t b = 0; b < s->nbins; b++)
        d->bins[b] += s->bins[b];
    d->n += s->n;
    d->sum += s->sum;
    d->sumsq += s->sumsq;
    if (s->max > d->max) d->max = s->max;
    return 0;
}

int hq_roll_served_add(struct hq_roll_group *g, const char *service, int64_t n)
{
    for (size_t i = 0; i < g->n_served; i++)
        if (strcmp(g->served[i].service, service) == 0) {
            g->served[i].n += n;
            return 0;
        }
    if (g->n_served == g->cap_served) {
        size_t nc = g->cap_served ? g->cap_served * 2 : 4;
        void *p = realloc(g->served, nc * sizeof *g->served);
        if (!p) return HQ_EINTERNAL;
        g->served = p;
        g->cap_served = nc;
    }
    struct hq_roll_served *s = &g->served[g->n_served++];
    snprintf(s->service, sizeof s->service, "%s", service);
    s->n = n;
    return 0;
}

int hq_roll_reason_add(struct hq_roll *r, const char *text, int64_t n, int64_t level_sum)
{
    for (size_t i = 0; i < r->n_reasons; i++)
        if (strcmp(r->reasons[i].text, text) == 0) {
            r->reasons[i].n += n;
            r->reasons[i].level_sum += level_sum;
            return 0;
        }
    if (r->n_reasons == r->cap_reasons) {
        size_t nc = r->cap_reasons ? r->cap_reasons * 2 : 16;
        void *p = realloc(r->reasons, nc * sizeof *r->reasons);
        if (!p) return HQ_EINTERNAL;
        r->reasons = p;
        r->cap_reasons = nc;
    }
    struct hq_roll_reason *x = &r->reasons[r->n_reasons++];
    memset(x, 0, sizeof *x);
    snprintf(x->text, sizeof x->text, "%s", text);
    x->n = n;
    x->level_sum = level_sum;
    return 0;
}

void hq_roll_est_add(struct hq_roll *r, const char *code, int64_t n, int64_t abs_sum,
                     int64_t within)
{
    r->est_all.n += n;
    r->est_all.abs_sum += abs_sum;
    r->est_all.within += within;
    size_t i = 0;
    while (i < r->n_est && strcmp(r->est[i].code, code) != 0)
        i++;
    if (i == r->n_est) {
        if (r->n_est == HQ_ROLL_EST_SERVICES) return;
        memset(&r->est[i], 0, sizeof r->est[i]);
        snprintf(r->est[i].code, sizeof r->est[i].code, "%s", code);
        r->n_est++;
    }
    r->est[i].n += n;
    r->est[i].abs_sum += abs_sum;
    r->est[i].within += within;
}

/* As stats.c's count_ticket: the same counts, samples and days. */
static int count_ticket(struct hq_roll_group *g, const struct hq_stats_ticket *t)
{
    struct hq_stats_counts *c = &g->c;
    c->issued++;
    if (t->called_at > 0) c->called++;
    hq_stats_count_status(c, t->status);
    if (t->called_at > 0 && t->stage == 0 && t->queued_at > 0 && t->called_at >= t->queued_at)
        if (hq_roll_dist_add(&g->wait, t->called_at - t->queued_at)) return HQ_EINTERNAL;
    if (t->status == HQ_DONE && t->started_at > 0 && t->finished_at >= t->started_at)
        if (hq_roll_dist_add(&g->service, t->finished_at - t->started_at)) return HQ_EINTERNAL;
    if (t->called_at > 0 && t->day != g->last_day) {
        g->days++;
        g->last_day = t->day;
    }
    return 0;
}

int hq_roll_add_ticket(struct hq_roll *r, const struct hq_stats_ticket *t, int32_t target_wait_s)
{
    (void)target_wait_s; /* the share within the target comes from the histogram */
    char key[HQ_STATS_KEY_MAX + 24];
    struct hq_roll_group *g;
    r->n_tickets++;
    /* as uc_estimate.c's scan */
    if (t->est_wait_s >= 0 && t->stage == 0 && t->issued_at > 0 && t->called_at >= t->issued_at) {
        int64_t err = t->called_at - t->issued_at - t->est_wait_s;
        if (err < 0) err = -err;
        hq_roll_est_add(r, t->service, 1, err, err <= HQ_ROLL_EST_WITHIN_S);
    }
    if (!(g = hq_roll_group(r, HQ_ROLL_TOTAL, 0, "")) || count_ticket(g, t)) return HQ_EINTERNAL;
    if (!(g = hq_roll_group(r, HQ_ROLL_SERVICE, 0, t->service)) || count_ticket(g, t))
        return HQ_EINTERNAL;
    snprintf(key, sizeof key, "%02d", t->hour >= 0 && t->hour < 24 ? t->hour : 0);
    if (!(g = hq_roll_group(r, HQ_ROLL_HOUR, 0, key)) || count_ticket(g, t)) return HQ_EINTERNAL;
    if (t->called_at > 0 && t->window > 0) {
        snprintf(key, sizeof key, "%d", (int)t->window);
        if (!(g = hq_roll_group(r, HQ_ROLL_WINDOW, 0, key)) || count_ticket(g, t))
            return HQ_EINTERNAL;
    }
    if (t->called_at > 0 && t->clerk[0]) {
        if (!(g = hq_roll_group(r, HQ_ROLL_CLERK, 0, t->clerk)) || count_ticket(g, t))
            return HQ_EINTERNAL;
        if (t->status == HQ_DONE && t->started_at > 0 && t->finished_at >= t->started_at &&
            hq_roll_served_add(g, t->service, 1))
            return HQ_EINTERNAL;
        if (t->window > 0) {
            snprintf(key, sizeof key, "%d\t%.32s", (int)(t->window % 100000), t->clerk);
            if (!hq_roll_group(r, HQ_ROLL_WINCLERK, t->day, key)) return HQ_EINTERNAL;
        }
    }
    return 0;
}

static void count_eval(struct hq_roll_group *g, int level)
{
    g->levels[level - 1]++;
}

int hq_roll_add_eval(struct hq_roll *r, const struct hq_stats_eval *e)
{
    r->n_evals++;
    if (e->level < 1 || e->level > HQ_STATS_LEVELS) return 0;
    char key[HQ_STATS_KEY_MAX + 24];
    struct hq_roll_group *g;
    if (!(g = hq_roll_group(r, HQ_ROLL_TOTAL, 0, ""))) return HQ_EINTERNAL;
    count_eval(g, e->level);
    if (!(g = hq_roll_group(r, HQ_ROLL_SERVICE, 0, e->service))) return HQ_EINTERNAL;
    count_eval(g, e->level);
    snprintf(key, sizeof key, "%02d", e->hour >= 0 && e->hour < 24 ? e->hour : 0);
    if (!(g = hq_roll_group(r, HQ_ROLL_HOUR, 0, key))) return HQ_EINTERNAL;
    count_eval(g, e->level);
    if (e->window > 0) {
        snprintf(key, sizeof key, "%d", (int)e->window);
        if (!(g = hq_roll_group(r, HQ_ROLL_WINDOW, 0, key))) return HQ_EINTERNAL;
        count_eval(g, e->level);
    }
    if (e->clerk[0]) {
        if (!(g = hq_roll_group(r, HQ_ROLL_CLERK, 0, e->clerk))) return HQ_EINTERNAL;
        count_eval(g, e->level);
    }
    /* reasons, split at "; " as stats.c does */
    const char *p = e->reasons;
    while (*p) {
        const char *end = strstr(p, "; ");
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char text[64];
        snprintf(text, sizeof text, "%.*s", (int)(len < sizeof text ? len : sizeof text - 1), p);
        p += len + (end ? 2 : 0);
        if (text[0] && hq_roll_reason_add(r, text, 1, e->level)) return HQ_EINTERNAL;
    }
    return 0;
}

void hq_roll_add_event(struct hq_roll *r, int64_t seq, const char *type)
{
    if (!r->first_seq || seq < r->first_seq) r->first_seq = seq;
    if (seq > r->last_seq) r->last_seq = seq;
    for (int i = 0; i < r->n_events; i++)
        if (strcmp(r->events[i].type, type) == 0) {
            r->events[i].n++;
            return;
        }
    if (r->n_events == HQ_ROLL_EVENT_TYPES) return;
    snprintf(r->events[r->n_events].type, sizeof r->events[0].type, "%s", type);
    r->events[r->n_events++].n = 1;
}

int hq_roll_merge(struct hq_roll *dst, const struct hq_roll *src)
{
    for (size_t i = 0; i < src->n; i++) {
        const struct hq_roll_group *s = &src->g[i];
        struct hq_roll_group *d = hq_roll_group(dst, s->kind, s->day, s->key);
        if (!d) return HQ_EINTERNAL;
        d->c.issued += s->c.issued;
        d->c.called += s->c.called;
        d->c.served += s->c.served;
        d->c.no_show += s->c.no_show;
        d->c.cancelled += s->c.cancelled;
        d->c.expired += s->c.expired;
        d->c.open += s->c.open;
        if (dist_merge(&d->wait, &s->wait) || dist_merge(&d->service, &s->service))
            return HQ_EINTERNAL;
        for (int l = 0; l < HQ_STATS_LEVELS; l++)
            d->levels[l] += s->levels[l];
        d->days += s->days;
        for (size_t k = 0; k < s->n_served; k++)
            if (hq_roll_served_add(d, s->served[k].service, s->served[k].n)) return HQ_EINTERNAL;
    }
    for (size_t i = 0; i < src->n_reasons; i++)
        if (hq_roll_reason_add(dst, src->reasons[i].text, src->reasons[i].n,
                               src->reasons[i].level_sum))
            return HQ_EINTERNAL;
    for (int i = 0; i < src->n_events; i++) {
        int k = 0;
        while (k < dst->n_events && strcmp(dst->events[k].type, src->events[i].type) != 0)
            k++;
        if (k == dst->n_events) {
            if (k == HQ_ROLL_EVENT_TYPES) continue;
            dst->events[k] = src->events[i];
            dst->n_events++;
        } else {
            dst->events[k].n += src->events[i].n;
        }
    }
    if (src->first_seq && (!dst->first_seq || src->first_seq < dst->first_seq))
        dst->first_seq = src->first_seq;
    if (src->last_seq > dst->last_seq) dst->last_seq = src->last_seq;
    dst->n_tickets += src->n_tickets;
    dst->n_evals += src->n_evals;
    for (size_t i = 0; i < src->n_est; i++)
        hq_roll_est_add(dst, src->est[i].code, src->est[i].n, src->est[i].abs_sum,
                        src->est[i].within);
    return 0;
}

/* ---- finishing ---- */

/* The k-th smallest duration (0-based), spread evenly over its bin's width. */
static double order_stat(const struct hq_roll_dist *d, int64_t k)
{
    int64_t cum = 0;
    for (int32_t b = 0; b < d->nbins; b++) {
        int64_t c = d->bins[b];
        if (k < cum + c) {
            if (b == 0) return 0;
            double lo = (double)(b - 1) * HQ_ROLL_BIN_S;
            double v = lo + ((double)(k - cum) + 0.5) / (double)c * HQ_ROLL_BIN_S;
            return v > (double)d->max ? (double)d->max : v;
        }
        cum += c;
    }
    return (double)d->max;
}

double hq_roll_quantile(const struct hq_roll_dist *d, double q)
{
    if (d->n <= 0) return 0;
    double h = (double)(d->n - 1) * q;
    int64_t lo = (int64_t)h;
    double frac = h - (double)lo;
    double a = order_stat(d, lo);
    if (frac <= 0 || lo + 1 >= d->n) return a;
    return a + frac * (order_stat(d, lo + 1) - a);
}

/* Durations ≤ target: exact when the target is a multiple of the bin width. */
static int64_t within(const struct hq_roll_dist *d, int32_t target)
{
    int64_t n = 0;
    int32_t full = target / HQ_ROLL_BIN_S, rest = target % HQ_ROLL_BIN_S;
    for (int32_t b = 0; b < d->nbins && b <= full; b++)
        n += d->bins[b];
    if (rest && full + 1 < d->nbins)
        n += (int64_t)((double)d->bins[full + 1] * rest / HQ_ROLL_BIN_S + 0.5);
    return n;
}

static void dist_finish(struct hq_stats_dist *o, const struct hq_roll_dist *d, int32_t target)
{
    memset(o, 0, sizeof *o);
    o->n = d->n;
    if (!d->n) return;
    double n = (double)d->n;
    o->mean = (double)d->sum / n;
    if (d->n > 1) {
        __int128 num = (__int128)d->n * d->sumsq - (__int128)d->sum * d->sum;
        double var = (double)num / (n * (n - 1));
        o->sd = var > 0 ? sqrt(var) : 0;
    }
    o->median = hq_roll_quantile(d, 0.5);
    o->p90 = hq_roll_quantile(d, 0.9);
    o->max = (double)d->max;
    if (target > 0) {
        o->within = within(d, target);
        o->within_share = (double)o->within / n;
    }
}

static const struct hq_stats_name *name_find(const struct hq_stats_name *names, size_t n,
                                             const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i].key, key) == 0) return &names[i];
    return NULL;
}

struct out_groups {
    struct hq_stats_group *g;
    const struct hq_roll_group **src;
    size_t n, cap;
};

static struct hq_stats_group *og_get(struct out_groups *o, const char *key,
                                     const struct hq_stats_name *names, size_t n_names)
{
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->g[i].key, key) == 0) return &o->g[i];
    if (o->n == o->cap) {
        size_t nc = o->cap ? o->cap * 2 : 32;
        void *p = realloc(o->g, nc * sizeof *o->g);
        if (!p) return NULL;
        o->g = p;
        p = realloc(o->src, nc * sizeof *o->src);
        if (!p) return NULL;
        o->src = p;
        o->cap = nc;
    }
    struct hq_stats_group *g = &o->g[o->n];
    o->src[o->n++] = NULL;
    memset(g, 0, sizeof *g);
    snprintf(g->key, sizeof g->key, "%.*s", (int)sizeof g->key - 1, key);
    const struct hq_stats_name *nm = name_find(names, n_names, key);
    if (nm) {
        snprintf(g->name, sizeof g->name, "%s", nm->name);
        snprintf(g->name_en, sizeof g->name_en, "%s", nm->name_en);
    }
    return g;
}

static void group_finish(struct hq_stats_group *g, const struct hq_roll_group *s,
                         const struct hq_stats_input *in, double target_sat, int32_t target_wait)
{
    double level_sum = 0, level_sq = 0, target_sum = 0;
    if (s) {
        g->c = s->c;
        dist_finish(&g->wait, &s->wait, target_wait);
        dist_finish(&g->service, &s->service, 0);
        g->service.within = 0;
        for (int l = 0; l < HQ_STATS_LEVELS; l++) {
            g->sat.levels[l] = s->levels[l];
            g->sat.n += s->levels[l];
            if (l >= 3) g->sat.satisfied += s->levels[l];
            level_sum += (double)(s->levels[l] * (l + 1));
            level_sq += (double)(s->levels[l] * (l + 1) * (l + 1));
        }
        g->score.days = (int32_t)s->days;
        for (size_t k = 0; k < s->n_served; k++) {
            const struct hq_stats_name *nm =
                name_find(in->services, in->n_services, s->served[k].service);
            target_sum += (double)s->served[k].n * (nm ? nm->target_s : 0);
        }
    }
    hq_stats_group_finish(g, level_sum, level_sq, target_sum, target_sat, target_wait);
}

static int cmp_window(const void *x, const void *y)
{
    long a = strtol(((const struct hq_stats_group *)x)->key, NULL, 10);
    long b = strtol(((const struct hq_stats_group *)y)->key, NULL, 10);
    return a < b ? -1 : a > b;
}

static int cmp_key(const void *x, const void *y)
{
    return strcmp(((const struct hq_stats_group *)x)->key, ((const struct hq_stats_group *)y)->key);
}

static int cmp_reason(const void *x, const void *y)
{
    const struct hq_stats_reason *a = x, *b = y;
    if (a->n != b->n) return a->n > b->n ? -1 : 1;
    return strcmp(a->text, b->text);
}

/* Finish the groups of o (their sources set) into a new array. */
static int og_detach(struct out_groups *o, const struct hq_stats_input *in, double target_sat,
                     int32_t target_wait, struct hq_stats_group **out, size_t *n)
{
    for (size_t i = 0; i < o->n; i++) {
        int64_t complaints = o->g[i].complaints, sc = o->g[i].score.complaints;
        group_finish(&o->g[i], o->src[i], in, target_sat, target_wait);
        o->g[i].complaints = complaints;
        o->g[i].score.complaints = sc;
    }
    *out = o->g ? o->g : calloc(1, sizeof **out);
    if (!*out) return HQ_EINTERNAL;
    *n = o->n;
    o->g = NULL;
    return 0;
}

int hq_roll_finish(const struct hq_roll *r, const struct hq_stats_input *in, struct hq_stats *out)
{
    memset(out, 0, sizeof *out);
    double target_sat = in->target_satisfaction > 0 ? in->target_satisfaction : 0.9;
    int32_t target_wait = in->target_wait_s > 0 ? in->target_wait_s : 900;
    struct out_groups svc = {0}, win = {0}, clerk = {0}, hour = {0};
    int rc = HQ_EINTERNAL;
    char key[HQ_STATS_KEY_MAX + 24];
    struct hq_stats_group *g;

    for (size_t i = 0; i < in->n_services; i++)
        if (!og_get(&svc, in->services[i].key, in->services, in->n_services)) goto out;
    for (size_t i = 0; i < in->n_windows; i++)
        if (!og_get(&win, in->windows[i].key, in->windows, in->n_windows)) goto out;
    for (int h = 0; h < 24; h++) {
        snprintf(key, sizeof key, "%02d", h);
        if (!og_get(&hour, key, NULL, 0)) goto out;
    }
    const struct hq_roll_group *total = NULL;
    for (size_t i = 0; i < r->n; i++) {
        const struct hq_roll_group *s = &r->g[i];
        struct out_groups *o = s->kind == HQ_ROLL_SERVICE  ? &svc
                               : s->kind == HQ_ROLL_WINDOW ? &win
                               : s->kind == HQ_ROLL_CLERK  ? &clerk
                               : s->kind == HQ_ROLL_HOUR   ? &hour
                                                           : NULL;
        if (s->kind == HQ_ROLL_TOTAL) total = s;
        if (!o) continue;
        const struct hq_stats_name *names = o == &svc     ? in->services
                                            : o == &win   ? in->windows
                                            : o == &clerk ? in->staff
                                                          : NULL;
        size_t nn = o == &svc     ? in->n_services
                    : o == &win   ? in->n_windows
                    : o == &clerk ? in->n_staff
                                  : 0;
        if (!(g = og_get(o, s->key, names, nn))) goto out;
        o->src[g - o->g] = s;
    }
    /* complaints, as stats.c counts them */
    for (size_t i = 0; i < in->n_complaints; i++) {
        const struct hq_stats_complaint *c = &in->complaints[i];
        out->total.complaints++;
        if (c->unfounded) continue;
        if (c->window > 0) {
            snprintf(key, sizeof key, "%d", (int)c->window);
            if (!(g = og_get(&win, key, in->windows, in->n_windows))) goto out;
            g->complaints++;
        }
        if (c->clerk[0]) {
            if (!(g = og_get(&clerk, c->clerk, in->staff, in->n_staff))) goto out;
            g->complaints++;
            g->score.complaints++;
            continue;
        }
        if (c->window <= 0) continue;
        char prefix[24];
        int np = snprintf(prefix, sizeof prefix, "%d\t", (int)c->window);
        for (size_t k = 0; k < r->n; k++) {
            const struct hq_roll_group *x = &r->g[k];
            if (x->kind != HQ_ROLL_WINCLERK || x->day != c->day ||
                strncmp(x->key, prefix, (size_t)np) != 0)
                continue;
            if (!(g = og_get(&clerk, x->key + np, in->staff, in->n_staff))) goto out;
            g->complaints++;
            g->score.complaints++;
        }
    }
    int64_t total_complaints = out->total.complaints;
    group_finish(&out->total, total, in, target_sat, target_wait);
    out->total.complaints = total_complaints;
    /* windows by number, clerks by username (the sources move with their groups) */
    for (size_t i = 0; i < win.n; i++)
        win.g[i].score.target_wait_s = (int32_t)i; /* remember the source through the sort */
    if (win.n) qsort(win.g, win.n, sizeof *win.g, cmp_window);
    if (win.n) {
        const struct hq_roll_group **src = malloc(win.n * sizeof *src);
        if (!src) goto out;
        for (size_t i = 0; i < win.n; i++)
            src[i] = win.src[win.g[i].score.target_wait_s];
        memcpy(win.src, src, win.n * sizeof *src);
        free(src);
    }
    if (clerk.n) {
        for (size_t i = 0; i < clerk.n; i++)
            clerk.g[i].score.target_wait_s = (int32_t)i;
        qsort(clerk.g, clerk.n, sizeof *clerk.g, cmp_key);
        const struct hq_roll_group **src = malloc(clerk.n * sizeof *src);
        if (!src) goto out;
        for (size_t i = 0; i < clerk.n; i++)
            src[i] = clerk.src[clerk.g[i].score.target_wait_s];
        memcpy(clerk.src, src, clerk.n * sizeof *src);
        free(src);
    }
    if (og_detach(&svc, in, target_sat, target_wait, &out->services, &out->n_services) ||
        og_detach(&win, in, target_sat, target_wait, &out->windows, &out->n_windows) ||
        og_detach(&clerk, in, target_sat, target_wait, &out->clerks, &out->n_clerks) ||
        og_detach(&hour, in, target_sat, target_wait, &out->hours, &out->n_hours))
        goto out;
    if (r->n_reasons) {
        out->reasons = calloc(r->n_reasons, sizeof *out->reasons);
        if (!out->reasons) goto out;
        for (size_t i = 0; i < r->n_reasons; i++) {
            snprintf(out->reasons[i].text, sizeof out->reasons[i].text, "%s", r->reasons[i].text);
            out->reasons[i].n = r->reasons[i].n;
            out->reasons[i].mean_level = (double)r->reasons[i].level_sum / (double)r->reasons[i].n;
        }
        out->n_reasons = r->n_reasons;
        qsort(out->reasons, out->n_reasons, sizeof *out->reasons, cmp_reason);
    }
    out->day_from = in->day_from;
    out->day_to = in->day_to;
    out->target_wait_s = target_wait;
    out->target_satisfaction = target_sat;
    rc = 0;
out:
    free(svc.g);
    free(svc.src);
    free(win.g);
    free(win.src);
    free(clerk.g);
    free(clerk.src);
    free(hour.g);
    free(hour.src);
    if (rc) hq_stats_release(out);
    return rc;
}
