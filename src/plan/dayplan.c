/* SPDX-License-Identifier: MIT */
/*
 * dayplan.c — the window plan of one day: per half hour and service group, the windows needed to
 * meet a target (Erlang C), checked and corrected by simulating the day with the real core
 * (sim.c), and "what if": the waits that follow from a given number of windows per half hour.
 *
 * Groups. Services that share a window compete for it, so they are planned together: the groups
 * are the connected components of the relation "a window serves both". A group's windows in the
 * simulation serve all of its services (the plan says how many windows the group needs, not which
 * clerk sits where).
 *
 * The simulated day. The windows of a pool that vary per half hour are laid out as layers: layer
 * k is one simulated window for each run of consecutive half hours with at least k windows
 * planned, opening at the run's start and closing at its end (after finishing its customer); the
 * run that reaches the pool's last busy half hour stays open until everyone is served, as a hall
 * does at closing time. Arrivals follow the forecast per half hour (hq_sim_conf.rate_period_s =
 * 1800). An observer files every simulated ticket under the half hour it arrived in, so the
 * service level and waits come out per half hour, over `reps` simulated days.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_plan.h"

static int check_conf(const struct hq_plan_conf *c, struct hq_why *why)
{
    if (!c->fc) return hq_fail(why, HQ_EINVAL, "date", "no forecast");
    if (!(c->target_wait_s >= 0) || !isfinite(c->target_wait_s) || c->target_wait_s > 86400)
        return hq_fail(why, HQ_EINVAL, "target_wait_s", "target_wait_s must be 0..86400");
    if (!(c->level > 0 && c->level < 1))
        return hq_fail(why, HQ_EINVAL, "service_level", "service_level must be within (0, 1)");
    for (int s = 0; s < c->fc->n_services; s++)
        if (!(c->services[s].service_s > 0) || !isfinite(c->services[s].service_s))
            return hq_fail(why, HQ_EINVAL, "service_s", "service %s: no service time",
                           c->fc->codes[s]);
    if (!(c->walk_s >= 0) || !(c->no_show_p >= 0 && c->no_show_p < 1) ||
        !(c->no_show_wait_s >= 0) || !(c->priority_share >= 0 && c->priority_share <= 1))
        return hq_fail(why, HQ_EINVAL, "", "walk, no-show and priority figures out of range");
    return 0;
}

/* Window time one customer of service s takes: the walk and the service, or the clerk's wait
 * for one who does not come. */
static double window_time(const struct hq_plan_conf *c, int s)
{
    return (1 - c->no_show_p) * (c->walk_s + c->services[s].service_s) +
           c->no_show_p * c->no_show_wait_s;
}

/* Slots with forecast arrivals: first and last, or -1. */
static void busy_range(const struct hq_forecast *fc, int *first, int *last)
{
    *first = *last = -1;
    for (int k = 0; k < HQ_SLOTS; k++)
        for (int s = 0; s < fc->n_services; s++)
            if (fc->arrivals[s][k] > 1e-9) {
                if (*first < 0) *first = k;
                *last = k;
            }
}

/* Erlang figures of a pool for its windows per slot (and the fewest windows when fewest). */
static int erlang_pool(const struct hq_plan_conf *c, struct hq_pool *p, bool fewest,
                       struct hq_why *why)
{
    for (int k = 0; k < HQ_SLOTS; k++) {
        struct hq_plan_slot *sl = &p->slot[k];
        double a = 0, wt = 0;
        for (int i = 0; i < p->n_services; i++) {
            double x = c->fc->arrivals[p->services[i]][k];
            a += x;
            wt += x * window_time(c, p->services[i]);
        }
        sl->arrivals = a;
        sl->service_s = a > 0 ? wt / a : 0;
        sl->windows_erlang = 0;
        sl->erlang_level = sl->erlang_mean_wait_s = NAN;
        if (!(a > 1e-9)) continue;
        int n = hq_plan_windows_needed(a, sl->service_s, c->target_wait_s, c->level);
        if (n < 0)
            return hq_fail(why, n == HQ_EINVAL ? HQ_EINVAL : HQ_ECONFLICT, "service_level",
                           "group %s: no number of windows up to 100000 meets the level", p->name);
        sl->windows_erlang = n;
        if (fewest) {
            sl->capacity_short = p->max_windows >= 0 && n > p->max_windows;
            p->windows[k] = sl->capacity_short ? p->max_windows : n;
        }
        if (p->windows[k] > 0) {
            struct hq_queue_figures f;
            if (hq_erlang_c_figures(a / 1800.0, sl->service_s, p->windows[k], c->target_wait_s, &f,
                                    NULL) == 0) {
                sl->erlang_level = f.service_level;
                sl->erlang_mean_wait_s = f.stable ? f.mean_wait_s : INFINITY;
            }
        } else {
            sl->erlang_level = 0;
            sl->erlang_mean_wait_s = INFINITY;
        }
    }
    return 0;
}

/* ---- simulating pools ---- */

struct tk {
    short slot, pool;
    double wait; /* < 0: not called */
};

struct obs_ctx {
    struct tk *v;
    size_t n, cap, base; /* base: tickets of earlier runs (rec indices restart per run) */
    int first_slot;
    const int *pool_of_sim_service;
    bool oom;
};

static void obs_issued(void *ctx, long rec, int service, double t_s, struct hq_hall *h,
                       const struct hq_now *now, const struct hq_ticket *t)
{
    (void)h;
    (void)now;
    (void)t;
    struct obs_ctx *o = ctx;
    size_t at = o->base + (size_t)rec;
    if (at >= o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 1024;
        while (cap <= at)
            cap *= 2;
        struct tk *g = realloc(o->v, cap * sizeof *g);
        if (!g) {
            o->oom = true;
            return;
        }
        o->v = g;
        o->cap = cap;
    }
    int slot = o->first_slot + (int)floor(t_s / 1800.0);
    if (slot >= HQ_SLOTS) slot = HQ_SLOTS - 1;
    o->v[at].slot = (short)slot;
    o->v[at].pool = (short)o->pool_of_sim_service[service];
    o->v[at].wait = -1;
    if (at >= o->n) o->n = at + 1;
}

static void obs_called(void *ctx, long rec, double wait_s)
{
    struct obs_ctx *o = ctx;
    size_t at = o->base + (size_t)rec;
    if (at < o->n) o->v[at].wait = wait_s;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int hq_plan_simulate(const struct hq_plan_conf *c, struct hq_pool *pools, int n_pools,
                     struct hq_why *why)
{
    int rc = check_conf(c, why);
    if (rc) return rc;
    const struct hq_forecast *fc = c->fc;
    for (int p = 0; p < n_pools; p++) {
        if (pools[p].n_services < 1 || pools[p].n_services > HQ_WIN_SVC_MAX)
            return hq_fail(why, HQ_EINVAL, "windows", "%s: 1 to %d services per pool",
                           pools[p].name, HQ_WIN_SVC_MAX);
        for (int k = 0; k < HQ_SLOTS; k++)
            if (pools[p].windows[k] < 0 || pools[p].windows[k] > 1000)
                return hq_fail(why, HQ_EINVAL, "windows", "%s: windows must be 0..1000",
                               pools[p].name);
        if ((rc = erlang_pool(c, &pools[p], false, why))) return rc;
        for (int k = 0; k < HQ_SLOTS; k++) {
            pools[p].slot[k].windows = pools[p].windows[k];
            pools[p].slot[k].sim_arrivals = 0;
            pools[p].slot[k].sim_level = pools[p].slot[k].sim_mean_wait_s = NAN;
            pools[p].slot[k].sim_p90_wait_s = NAN;
        }
        pools[p].sim_arrivals = 0;
        pools[p].sim_level = pools[p].sim_mean_wait_s = pools[p].sim_p90_wait_s = NAN;
    }
    int first, last;
    busy_range(fc, &first, &last);
    if (first < 0 || n_pools == 0) return 0;
    int n_slots = last - first + 1;

    /* services of the simulation: those in a pool */
    int n_sv = 0;
    struct hq_sim_service *sv = calloc((size_t)fc->n_services, sizeof *sv);
    int *pool_of = calloc((size_t)fc->n_services, sizeof *pool_of);
    double *rates = calloc((size_t)fc->n_services * (size_t)n_slots, sizeof *rates);
    struct hq_sim_window *win = NULL;
    size_t n_win = 0, cap_win = 0;
    struct obs_ctx oc = {0};
    long *n_arr = calloc((size_t)n_pools * HQ_SLOTS, sizeof *n_arr);
    long *n_in = calloc((size_t)n_pools * HQ_SLOTS, sizeof *n_in);
    long *n_called = calloc((size_t)n_pools * HQ_SLOTS, sizeof *n_called);
    double *sum_w = calloc((size_t)n_pools * HQ_SLOTS, sizeof *sum_w);
    if (!sv || !pool_of || !rates || !n_arr || !n_in || !n_called || !sum_w) {
        rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        goto out;
    }
    for (int p = 0; p < n_pools; p++)
        for (int i = 0; i < pools[p].n_services; i++) {
            int s = pools[p].services[i];
            if (s < 0 || s >= fc->n_services) {
                rc = hq_fail(why, HQ_EINVAL, "windows", "%s: unknown service", pools[p].name);
                goto out;
            }
            struct hq_sim_service *x = &sv[n_sv];
            snprintf(x->code, sizeof x->code, "%s", fc->codes[s]);
            double *r = &rates[(size_t)n_sv * n_slots];
            for (int k = 0; k < n_slots; k++)
                r[k] = fc->arrivals[s][first + k] * 2; /* per half hour -> per hour */
            x->rate_per_hour = r;
            x->n_rates = n_slots;
            const struct hq_plan_service *ps = &c->services[s];
            if (ps->samples && ps->n_samples > 0) {
                x->dist = HQ_DIST_EMPIRICAL;
                x->samples = ps->samples;
                x->n_samples = ps->n_samples;
            } else {
                x->dist = HQ_DIST_LOGNORMAL;
                x->mean_s = ps->service_s;
                x->cv = ps->cv > 0 ? ps->cv : 0.6;
            }
            pool_of[n_sv] = p;
            n_sv++;
        }
    /* windows as layers */
    int32_t number = 1;
    for (int p = 0; p < n_pools; p++) {
        const struct hq_pool *pl = &pools[p];
        int maxw = 0, last_busy = -1;
        for (int k = first; k <= last; k++) {
            if (pl->windows[k] > maxw) maxw = pl->windows[k];
            if (pl->windows[k] > 0) last_busy = k;
        }
        for (int layer = 1; layer <= maxw; layer++) {
            for (int k = first; k <= last;) {
                if (pl->windows[k] < layer) {
                    k++;
                    continue;
                }
                int e = k;
                while (e + 1 <= last && pl->windows[e + 1] >= layer)
                    e++;
                if (n_win == cap_win) {
                    size_t cap = cap_win ? cap_win * 2 : 64;
                    struct hq_sim_window *g = realloc(win, cap * sizeof *g);
                    if (!g) {
                        rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
                        goto out;
                    }
                    win = g;
                    cap_win = cap;
                }
                struct hq_sim_window *w = &win[n_win++];
                memset(w, 0, sizeof *w);
                w->number = number++;
                for (int i = 0; i < pl->n_services; i++)
                    snprintf(w->services[i], HQ_CODE_MAX, "%s", fc->codes[pl->services[i]]);
                w->n_services = pl->n_services;
                w->open_h = (k - first) * 0.5;
                /* the run that reaches the pool's last busy half hour serves everyone left */
                w->close_h = e == last_busy ? 0 : (e + 1 - first) * 0.5;
                k = e + 1;
            }
        }
    }
    if (n_win == 0) {
        /* no window at all: every arrival of the pools goes unserved */
        for (int p = 0; p < n_pools; p++)
            for (int k = first; k <= last; k++)
                if (pools[p].slot[k].arrivals > 0) {
                    pools[p].slot[k].sim_level = 0;
                    pools[p].slot[k].sim_mean_wait_s = INFINITY;
                }
        goto out;
    }
    struct hq_sim_observer ob = {&oc, obs_issued, obs_called};
    oc.first_slot = first;
    oc.pool_of_sim_service = pool_of;
    struct hq_sim_conf sc;
    memset(&sc, 0, sizeof sc);
    sc.services = sv;
    sc.n_services = n_sv;
    sc.windows = win;
    sc.n_windows = (int)n_win;
    sc.hours = n_slots * 0.5;
    sc.target_wait_s = c->target_wait_s;
    sc.priority_share = c->priority_share;
    sc.no_show_p = c->no_show_p;
    sc.no_show_wait_s = c->no_show_wait_s;
    sc.walk_s = c->walk_s;
    sc.rate_period_s = 1800;
    sc.observer = &ob;
    int reps = c->reps > 0 ? c->reps : 20;
    for (int r = 0; r < reps; r++) {
        sc.seed = c->seed * 1000003u + (uint64_t)r + 1;
        oc.base = oc.n;
        struct hq_sim_result res;
        rc = hq_sim_run(&sc, &res, why);
        if (rc) goto out;
        hq_sim_result_release(&res);
        if (oc.oom) {
            rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
            goto out;
        }
    }
    for (size_t i = 0; i < oc.n; i++) {
        const struct tk *t = &oc.v[i];
        size_t at = (size_t)t->pool * HQ_SLOTS + (size_t)t->slot;
        n_arr[at]++;
        if (t->wait >= 0) {
            n_called[at]++;
            sum_w[at] += t->wait;
            if (t->wait <= c->target_wait_s) n_in[at]++;
        }
    }
    /* figures per slot and per day */
    for (int p = 0; p < n_pools; p++) {
        long arr = 0, in = 0, called = 0;
        double sw = 0;
        for (int k = first; k <= last; k++) {
            size_t at = (size_t)p * HQ_SLOTS + (size_t)k;
            struct hq_plan_slot *sl = &pools[p].slot[k];
            sl->sim_arrivals = n_arr[at];
            if (n_arr[at] > 0) {
                sl->sim_level = (double)n_in[at] / (double)n_arr[at];
                sl->sim_mean_wait_s = n_called[at] ? sum_w[at] / (double)n_called[at] : INFINITY;
            }
            arr += n_arr[at];
            in += n_in[at];
            called += n_called[at];
            sw += sum_w[at];
        }
        pools[p].sim_arrivals = arr;
        if (arr > 0) {
            pools[p].sim_level = (double)in / (double)arr;
            pools[p].sim_mean_wait_s = called ? sw / (double)called : INFINITY;
        }
    }
    /* the 90th percentile waits, over every simulated day */
    {
        size_t n = oc.n;
        double *buf = malloc((n ? n : 1) * sizeof *buf);
        if (!buf) {
            rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
            goto out;
        }
        for (int p = 0; p < n_pools; p++) {
            size_t m_all = 0;
            for (int k = first; k <= last; k++) {
                size_t m = 0;
                for (size_t i = 0; i < n; i++)
                    if (oc.v[i].pool == p && oc.v[i].slot == k && oc.v[i].wait >= 0)
                        buf[m++] = oc.v[i].wait;
                if (m) {
                    qsort(buf, m, sizeof *buf, cmp_double);
                    size_t q = (size_t)ceil(0.9 * (double)m);
                    pools[p].slot[k].sim_p90_wait_s = buf[(q ? q : 1) - 1];
                }
            }
            for (size_t i = 0; i < n; i++)
                if (oc.v[i].pool == p && oc.v[i].wait >= 0) buf[m_all++] = oc.v[i].wait;
            if (m_all) {
                qsort(buf, m_all, sizeof *buf, cmp_double);
                size_t q = (size_t)ceil(0.9 * (double)m_all);
                pools[p].sim_p90_wait_s = buf[(q ? q : 1) - 1];
            }
        }
        free(buf);
    }
out:
    free(oc.v);
    free(win);
    free(sv);
    free(pool_of);
    free(rates);
    free(n_arr);
    free(n_in);
    free(n_called);
    free(sum_w);
    return rc;
}

/* ---- the plan ---- */

static int find_root(int *parent, int x)
{
    while (parent[x] != x)
        x = parent[x] = parent[parent[x]];
    return x;
}

int hq_plan_day(const struct hq_plan_conf *c, struct hq_day_plan *out, struct hq_why *why)
{
    int rc = check_conf(c, why);
    if (rc) return rc;
    const struct hq_forecast *fc = c->fc;
    memset(out, 0, sizeof *out);
    busy_range(fc, &out->first_slot, &out->last_slot);

    /* groups: union of services sharing a window */
    int parent[HQ_PLAN_MAX_SERVICES];
    for (int s = 0; s < fc->n_services; s++)
        parent[s] = s;
    for (int w = 0; w < c->n_windows; w++) {
        int prev = -1;
        for (int i = 0; i < c->windows[w].n_services; i++) {
            int s = -1;
            for (int j = 0; j < fc->n_services; j++)
                if (strcmp(fc->codes[j], c->windows[w].services[i]) == 0) s = j;
            if (s < 0) continue;
            if (prev >= 0) parent[find_root(parent, s)] = find_root(parent, prev);
            prev = s;
        }
    }
    for (int s = 0; s < fc->n_services; s++) {
        int r = find_root(parent, s), g = -1;
        for (int k = 0; k < s; k++)
            if (find_root(parent, k) == r) {
                g = out->group_of[k];
                break;
            }
        if (g < 0) g = out->n_groups++;
        out->group_of[s] = g;
        struct hq_pool *p = &out->groups[g];
        if (p->n_services >= HQ_WIN_SVC_MAX)
            return hq_fail(why, HQ_EINVAL, "windows",
                           "more than %d services share windows: too many for one group",
                           HQ_WIN_SVC_MAX);
        p->services[p->n_services++] = s;
        size_t len = strlen(p->name);
        snprintf(p->name + len, sizeof p->name - len, "%s%s", len ? "," : "", fc->codes[s]);
    }
    /* the hall's windows: per group those serving one of its services, per service its own */
    int serving[HQ_PLAN_MAX_SERVICES];
    for (int g = 0; g < out->n_groups; g++)
        out->groups[g].max_windows = c->n_windows > 0 ? 0 : -1;
    for (int s = 0; s < fc->n_services; s++)
        serving[s] = c->n_windows > 0 ? 0 : -1;
    for (int w = 0; w < c->n_windows; w++) {
        int group = -1;
        for (int i = 0; i < c->windows[w].n_services; i++)
            for (int j = 0; j < fc->n_services; j++)
                if (strcmp(fc->codes[j], c->windows[w].services[i]) == 0) {
                    group = out->group_of[j];
                    serving[j]++;
                }
        if (group >= 0) out->groups[group].max_windows++;
    }
    /* per service alone */
    for (int s = 0; s < fc->n_services; s++)
        for (int k = 0; k < HQ_SLOTS; k++) {
            double a = fc->arrivals[s][k];
            int n = a > 1e-9
                        ? hq_plan_windows_needed(a, window_time(c, s), c->target_wait_s, c->level)
                        : 0;
            if (n < 0) n = 0;
            out->windows_alone[s][k] = serving[s] >= 0 && n > serving[s] ? serving[s] : n;
        }
    for (int g = 0; g < out->n_groups; g++)
        if ((rc = erlang_pool(c, &out->groups[g], true, why))) return rc;
    out->met = true;
    if (!c->no_simulation && out->first_slot >= 0) {
        int max_iter = c->max_iter > 0 ? c->max_iter : 8;
        for (int it = 0;; it++) {
            rc = hq_plan_simulate(c, out->groups, out->n_groups, why);
            if (rc) return rc;
            out->iterations = it + 1;
            bool miss = false;
            for (int g = 0; g < out->n_groups; g++)
                for (int k = out->first_slot; k <= out->last_slot; k++) {
                    struct hq_plan_slot *sl = &out->groups[g].slot[k];
                    sl->missed = false;
                    if (sl->sim_arrivals == 0 || !(sl->arrivals > 1e-9)) continue;
                    double se = sqrt(c->level * (1 - c->level) / (double)sl->sim_arrivals);
                    sl->missed = sl->sim_level < c->level - se;
                    if (!sl->missed) continue;
                    struct hq_pool *p = &out->groups[g];
                    if (p->max_windows >= 0 && p->windows[k] >= p->max_windows) {
                        sl->capacity_short = true; /* no window left to add: say so */
                        continue;
                    }
                    miss = true;
                    if (it < max_iter) p->windows[k]++;
                }
            if (!miss || it >= max_iter) break;
        }
        out->met = true;
        for (int g = 0; g < out->n_groups; g++)
            for (int k = 0; k < HQ_SLOTS; k++)
                if (out->groups[g].slot[k].missed) {
                    out->met = false;
                    out->missed_slots++;
                }
    } else {
        for (int g = 0; g < out->n_groups; g++)
            for (int k = 0; k < HQ_SLOTS; k++) {
                out->groups[g].slot[k].windows = out->groups[g].windows[k];
                out->groups[g].slot[k].sim_level = NAN;
                out->groups[g].slot[k].sim_mean_wait_s = NAN;
                out->groups[g].slot[k].sim_p90_wait_s = NAN;
            }
    }
    for (int g = 0; g < out->n_groups; g++)
        for (int k = 0; k < HQ_SLOTS; k++) {
            out->window_hours += 0.5 * out->groups[g].windows[k];
            out->capacity_short |= out->groups[g].slot[k].capacity_short;
        }
    if (c->no_simulation && out->capacity_short) out->met = false;
    return 0;
}
