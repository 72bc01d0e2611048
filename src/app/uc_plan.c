/* SPDX-License-Identifier: MIT */
/*
 * uc_plan.c — the window plan of a day (clause 5.2.5) from the hall's history: GET /api/v1/plan,
 * POST /api/v1/plan/what-if, the configured holidays, and `hallq plan` (which opens its own read
 * handle and needs no running server). The mathematics is src/plan (forecast.c, dayplan.c); this
 * file gathers its inputs from the store and shapes the answer as JSON.
 *
 * Inputs from the history (tickets_between over the `weeks` weeks before the date, never the
 * date itself nor today's unfinished day): arrivals per service and half hour (a ticket counts
 * once, for the service it last queued for, at its local issue time); service times (start to
 * finish of done tickets, the latest 2000 per service; the configured average when fewer than 5);
 * the walk (call to start), the no-show rate and the clerk's wait for a no-show, the priority
 * share. The answer is arrays per half hour over "slots" (the half hours with forecast arrivals).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../plan/hq_plan.h"
#include "app_int.h"

#define MAX_SAMPLES 2000
#define MAX_HOLIDAYS 128

static const char *const wd_names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

/* What the plan needs of the hall, copied under the lock. */
struct plan_hall {
    int n_services;
    struct {
        char code[HQ_CODE_MAX];
        char name[HQ_NAME_MAX], name_en[HQ_NAME_MAX];
        int32_t avg_s;
    } svc[HQ_PLAN_MAX_SERVICES];
    struct hq_sim_window *windows;
    int n_windows;
    int32_t target_wait_s;
    struct hq_hours hours; /* the hall's: the plan's day is its opening hours */
};

struct plan_req {
    int32_t day, today;
    double target_wait_s, level;
    int weeks, reps;
    struct hq_holiday holidays[MAX_HOLIDAYS];
    int n_holidays;
};

static void hall_snapshot(const struct hq_hall *h, struct plan_hall *ph)
{
    memset(ph, 0, sizeof *ph);
    for (size_t i = 0; i < h->n_services && ph->n_services < HQ_PLAN_MAX_SERVICES; i++) {
        const struct hq_service *s = &h->services[i];
        int k = ph->n_services++;
        snprintf(ph->svc[k].code, HQ_CODE_MAX, "%s", s->code);
        snprintf(ph->svc[k].name, HQ_NAME_MAX, "%s", s->name);
        snprintf(ph->svc[k].name_en, HQ_NAME_MAX, "%s", s->name_en);
        ph->svc[k].avg_s = s->avg_service_s;
    }
    ph->windows = calloc(h->n_windows ? h->n_windows : 1, sizeof *ph->windows);
    for (size_t i = 0; ph->windows && i < h->n_windows; i++) {
        struct hq_sim_window *w = &ph->windows[ph->n_windows++];
        w->number = h->windows[i].number;
        memcpy(w->services, h->windows[i].services, sizeof w->services);
        w->n_services = h->windows[i].n_services;
    }
    ph->target_wait_s = h->conf.target_wait_s > 0 ? h->conf.target_wait_s : 900;
    ph->hours = h->conf.hours;
}

/* ---- reading the request ---- */

static int parse_weekday(const char *s)
{
    for (int i = 0; i < 7; i++)
        if (strcmp(s, wd_names[i]) == 0) return i;
    return -2;
}

/* {"date":"YYYY-MM-DD","as":"closed"|"mon".."sun"} into *h. */
static int holiday_from_json(json_t *o, struct hq_holiday *h, struct hq_why *why)
{
    const char *d = json_string_value(json_object_get(o, "date"));
    const char *as = json_string_value(json_object_get(o, "as"));
    if (!json_is_object(o) || !d || hq__parse_date(d, &h->day) != 0)
        return hq_fail(why, HQ_EINVAL, "holidays", "holidays: each needs a date YYYY-MM-DD");
    h->as_weekday = !as || strcmp(as, "closed") == 0 ? -1 : parse_weekday(as);
    if (h->as_weekday < -1)
        return hq_fail(why, HQ_EINVAL, "holidays",
                       "holidays: \"as\" is \"closed\" or a weekday mon..sun");
    return 0;
}

static int holidays_from_json(json_t *arr, struct plan_req *r, struct hq_why *why)
{
    if (!json_is_array(arr))
        return hq_fail(why, HQ_EINVAL, "holidays", "holidays must be an array");
    if (json_array_size(arr) + (size_t)r->n_holidays > MAX_HOLIDAYS)
        return hq_fail(why, HQ_EINVAL, "holidays", "at most %d holidays", MAX_HOLIDAYS);
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        int rc = holiday_from_json(o, &r->holidays[r->n_holidays], why);
        if (rc) return rc;
        r->n_holidays++;
    }
    return 0;
}

static json_t *holidays_json(const struct hq_holiday *h, int n)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        char d[16];
        hq__format_date(h[i].day, d, sizeof d);
        json_array_append_new(
            arr, json_pack("{s:s,s:s}", "date", d, "as",
                           h[i].as_weekday < 0 ? "closed" : wd_names[h[i].as_weekday]));
    }
    return arr;
}

/* The stored holidays (doc "plan"/"holidays") appended to r. */
static int holidays_load(struct hq_store *st, struct plan_req *r, struct hq_why *why)
{
    char *text = NULL;
    if (st->vt->doc_get(st, "plan", "holidays", &text) != 0) return 0;
    json_t *doc = json_loads(text, 0, NULL);
    free(text);
    int rc = doc ? holidays_from_json(json_object_get(doc, "holidays"), r, why) : 0;
    json_decref(doc);
    return rc;
}

static int read_req(json_t *in, const struct plan_hall *ph, int32_t today, struct plan_req *r,
                    struct hq_why *why)
{
    memset(r, 0, sizeof *r);
    r->today = today;
    r->day = today;
    r->target_wait_s = ph->target_wait_s;
    r->level = 0.8;
    r->weeks = 8;
    if (in && !json_is_object(in)) return hq_fail(why, HQ_EINVAL, "", "an object is expected");
    json_t *v = in ? json_object_get(in, "date") : NULL;
    if (v && !json_is_null(v)) {
        if (!json_is_string(v) || hq__parse_date(json_string_value(v), &r->day) != 0)
            return hq_fail(why, HQ_EINVAL, "date", "date must be YYYY-MM-DD");
        int64_t dz = hq_days_from_civil(r->day), tz = hq_days_from_civil(today);
        if (dz < tz - 366 || dz > tz + 366)
            return hq_fail(why, HQ_EINVAL, "date", "date must be within a year of today");
    }
    v = in ? json_object_get(in, "target_wait_s") : NULL;
    if (v && !json_is_null(v)) {
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 86400)
            return hq_fail(why, HQ_EINVAL, "target_wait_s",
                           "target_wait_s must be an integer 0..86400");
        r->target_wait_s = (double)json_integer_value(v);
    }
    v = in ? json_object_get(in, "service_level") : NULL;
    if (v && !json_is_null(v)) {
        double l = json_number_value(v);
        if (!json_is_number(v) || !(l > 0 && l < 1))
            return hq_fail(why, HQ_EINVAL, "service_level",
                           "service_level must be a number strictly between 0 and 1");
        r->level = l;
    }
    v = in ? json_object_get(in, "weeks") : NULL;
    if (v && !json_is_null(v)) {
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 52)
            return hq_fail(why, HQ_EINVAL, "weeks", "weeks must be an integer 1..52");
        r->weeks = (int)json_integer_value(v);
    }
    v = in ? json_object_get(in, "holidays") : NULL;
    if (v && !json_is_null(v)) {
        int rc = holidays_from_json(v, r, why);
        if (rc) return rc;
    }
    return 0;
}

/* ---- reading the history ---- */

struct samples {
    double *v;
    size_t n, cap;
};

struct gather {
    struct hq_history hist;
    struct samples svc[HQ_PLAN_MAX_SERVICES];
    double walk_sum;
    long walk_n, done, no_show, priority, all;
    double ns_wait_sum;
    long ns_wait_n;
    int err;
};

static int on_ticket(void *ctx, const struct hq_ticket *t)
{
    struct gather *g = ctx;
    int s = hq_history_service(&g->hist, t->service);
    if (s < 0) return 0; /* a service the hall no longer has */
    time_t tt = (time_t)t->issued_at;
    struct tm tm;
    localtime_r(&tt, &tm);
    hq_history_add(&g->hist, t->service, t->day, tm.tm_hour * 60 + tm.tm_min, 1, NULL);
    g->all++;
    if (t->category == HQ_PRIORITY) g->priority++;
    if (t->status == HQ_DONE && t->started_at > 0 && t->finished_at > t->started_at) {
        g->done++;
        struct samples *sm = &g->svc[s];
        if (sm->n == sm->cap) {
            size_t cap = sm->cap ? sm->cap * 2 : 256;
            double *n = realloc(sm->v, cap * sizeof *n);
            if (!n) {
                g->err = 1;
                return 1;
            }
            sm->v = n;
            sm->cap = cap;
        }
        sm->v[sm->n++] = (double)(t->finished_at - t->started_at);
        if (t->called_at > 0 && t->started_at >= t->called_at &&
            t->started_at - t->called_at < 1800) {
            g->walk_sum += (double)(t->started_at - t->called_at);
            g->walk_n++;
        }
    } else if (t->status == HQ_NO_SHOW) {
        g->no_show++;
        if (t->called_at > 0 && t->finished_at > t->called_at &&
            t->finished_at - t->called_at < 1800) {
            g->ns_wait_sum += (double)(t->finished_at - t->called_at);
            g->ns_wait_n++;
        }
    }
    return 0;
}

/* ---- JSON helpers ---- */

static json_t *num(double x, double scale)
{
    if (!isfinite(x)) return json_null();
    return json_real(round(x * scale) / scale);
}

static json_t *series(const double *v, int from, int to, double scale)
{
    json_t *a = json_array();
    for (int k = from; k <= to; k++)
        json_array_append_new(a, num(v[k], scale));
    return a;
}

static json_t *iseries(const int *v, int from, int to)
{
    json_t *a = json_array();
    for (int k = from; k <= to; k++)
        json_array_append_new(a, json_integer(v[k]));
    return a;
}

static json_t *slots_json(int first, int last)
{
    json_t *a = json_array();
    for (int k = first; k <= last && k >= 0; k++) {
        char b[16];
        snprintf(b, sizeof b, "%02d:%02d", (k / 2) % 24, k % 2 ? 30 : 0);
        json_array_append_new(a, json_string(b));
    }
    return a;
}

static void slot_name(int k, char *b, size_t len)
{
    snprintf(b, len, "%02d:%02d", (k / 2) % 24, k % 2 ? 30 : 0);
}

/* "08:30-12:00,13:30-17:30" of weekday wd, null when the hall has no hours (always open) or "" when
 * it is closed that day. */
static json_t *hours_of_day(const struct hq_hours *h, int wd)
{
    if (!h->has_hours || wd < 0 || wd > 6) return json_null();
    char buf[16 * HQ_HOURS_RANGES] = "";
    size_t len = 0;
    for (int r = 0; r < h->n[wd] && r < HQ_HOURS_RANGES; r++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%02d:%02d-%02d:%02d", r ? "," : "",
                                h->open[wd][r] / 60, h->open[wd][r] % 60, h->close[wd][r] / 60,
                                h->close[wd][r] % 60);
    return json_string(buf);
}

/* The half hours of a group that miss the target, with what they are expected to give. */
static json_t *missed_json(const struct hq_pool *p, int first, int last)
{
    json_t *a = json_array();
    for (int k = first; k >= 0 && k <= last; k++) {
        const struct hq_plan_slot *s = &p->slot[k];
        if (!s->missed && !s->capacity_short) continue;
        char b[8];
        slot_name(k, b, sizeof b);
        json_array_append_new(a, json_pack("{s:s,s:i,s:i,s:o,s:o,s:o,s:b}", "slot", b, "windows",
                                           p->windows[k], "windows_erlang", s->windows_erlang,
                                           "service_level", num(s->sim_level, 1000), "mean_wait_s",
                                           num(s->sim_mean_wait_s, 10), "p90_wait_s",
                                           num(s->sim_p90_wait_s, 10), "capacity_short",
                                           s->capacity_short));
    }
    return a;
}

/* One sentence in each language on whether the plan meets the target, and where not why: the
 * half hours the simulation finds short of the target (or, without a simulation, those where the
 * hall has fewer windows than Erlang C asks for), with their expected mean wait. */
static void verdict(json_t *o, const struct plan_hall *ph, const struct hq_day_plan *p,
                    double target_s)
{
    char zh[512], en[640];
    (void)ph;
    int tm = (int)lround(target_s / 60), n_short = 0;
    for (int g = 0; g < p->n_groups; g++)
        for (int k = 0; k < HQ_SLOTS; k++)
            n_short += p->groups[g].slot[k].capacity_short;
    if (p->first_slot < 0) {
        snprintf(zh, sizeof zh, "该日无预计到访，无需安排窗口");
        snprintf(en, sizeof en, "No arrivals are expected that day: no windows to plan");
    } else if (p->met) {
        snprintf(zh, sizeof zh, "每个时段都达到目标（%d 分钟内叫号）", tm);
        snprintf(en, sizeof en, "Every half hour meets the target (called within %d min)", tm);
        if (n_short) {
            size_t zl = strlen(zh), el = strlen(en);
            snprintf(zh + zl, sizeof zh - zl,
                     "；但有 %d 个时段按 Erlang C 所需窗口多于大厅可用窗口，模拟显示仍可达标",
                     n_short);
            snprintf(en + el, sizeof en - el,
                     "; at %d half hour%s Erlang C asks for more windows than the hall has, the "
                     "simulation still meets it",
                     n_short, n_short == 1 ? "" : "s");
        }
    } else {
        bool by_missed = p->missed_slots > 0;
        size_t zl = 0, el = 0;
        int shown = 0, n = 0;
        char zs[256] = "", es[320] = "";
        for (int g = 0; g < p->n_groups; g++)
            for (int k = p->first_slot; k <= p->last_slot; k++) {
                const struct hq_plan_slot *s = &p->groups[g].slot[k];
                if (by_missed ? !s->missed : !s->capacity_short) continue;
                n++;
                if (shown >= 3) continue;
                shown++;
                char b[8];
                slot_name(k, b, sizeof b);
                double ws =
                    isfinite(s->sim_mean_wait_s) ? s->sim_mean_wait_s : s->erlang_mean_wait_s;
                int wait = isfinite(ws) ? (int)lround(ws / 60) : -1;
                const char *sep_zh = shown > 1 ? "；" : "", *sep_en = shown > 1 ? "; " : "";
                if (wait >= 0) {
                    zl += (size_t)snprintf(zs + zl, sizeof zs - zl, "%s%s %s 平均等候约 %d 分钟",
                                           sep_zh, b, p->groups[g].name, wait);
                    el +=
                        (size_t)snprintf(es + el, sizeof es - el, "%s%s %s mean wait about %d min",
                                         sep_en, b, p->groups[g].name, wait);
                } else {
                    zl += (size_t)snprintf(zs + zl, sizeof zs - zl, "%s%s %s 排队不断增长", sep_zh,
                                           b, p->groups[g].name);
                    el +=
                        (size_t)snprintf(es + el, sizeof es - el, "%s%s %s the queue keeps growing",
                                         sep_en, b, p->groups[g].name);
                }
                if (zl >= sizeof zs) zl = sizeof zs - 1;
                if (el >= sizeof es) el = sizeof es - 1;
            }
        snprintf(zh, sizeof zh, "%d 个时段达不到目标（%d 分钟内叫号）%s：%s%s", n, tm,
                 n_short ? "，所需窗口多于大厅可用窗口" : "", zs, n > shown ? " 等" : "");
        snprintf(en, sizeof en, "%d half hour%s miss the target (called within %d min)%s: %s%s", n,
                 n == 1 ? "" : "s", tm, n_short ? ", needing more windows than the hall has" : "",
                 es, n > shown ? " …" : "");
    }
    json_object_set_new(o, "verdict", json_string(zh));
    json_object_set_new(o, "verdict_en", json_string(en));
}

static json_t *pool_json(const struct hq_pool *p, const struct hq_forecast *fc, int first, int last)
{
    double arr[HQ_SLOTS], st[HQ_SLOTS], el[HQ_SLOTS], ew[HQ_SLOTS], sl[HQ_SLOTS], mw[HQ_SLOTS],
        p90[HQ_SLOTS];
    int we[HQ_SLOTS], w[HQ_SLOTS];
    double window_hours = 0, arrivals = 0;
    for (int k = 0; k < HQ_SLOTS; k++) {
        const struct hq_plan_slot *s = &p->slot[k];
        arr[k] = s->arrivals;
        st[k] = s->arrivals > 0 ? s->service_s : NAN;
        el[k] = s->erlang_level;
        ew[k] = s->erlang_mean_wait_s;
        sl[k] = s->sim_level;
        mw[k] = s->sim_mean_wait_s;
        p90[k] = s->sim_p90_wait_s;
        we[k] = s->windows_erlang;
        w[k] = p->windows[k];
        window_hours += 0.5 * p->windows[k];
        arrivals += s->arrivals;
    }
    json_t *codes = json_array();
    for (int i = 0; i < p->n_services; i++)
        json_array_append_new(codes, json_string(fc->codes[p->services[i]]));
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(p->name));
    json_object_set_new(o, "services", codes);
    json_object_set_new(o, "max_windows",
                        p->max_windows >= 0 ? json_integer(p->max_windows) : json_null());
    json_object_set_new(o, "missed", missed_json(p, first, last));
    if (first >= 0) {
        json_object_set_new(o, "arrivals", series(arr, first, last, 100));
        json_object_set_new(o, "windows", iseries(w, first, last));
        json_object_set_new(o, "windows_erlang", iseries(we, first, last));
        json_object_set_new(o, "service_s", series(st, first, last, 10));
        json_object_set_new(o, "service_level", series(sl, first, last, 1000));
        json_object_set_new(o, "mean_wait_s", series(mw, first, last, 10));
        json_object_set_new(o, "p90_wait_s", series(p90, first, last, 10));
        json_object_set_new(o, "erlang_service_level", series(el, first, last, 1000));
        json_object_set_new(o, "erlang_mean_wait_s", series(ew, first, last, 10));
    } else {
        for (const char *const *k =
                 (const char *const[]){"arrivals", "windows", "windows_erlang", "service_s",
                                       "service_level", "mean_wait_s", "p90_wait_s",
                                       "erlang_service_level", "erlang_mean_wait_s", NULL};
             *k; k++)
            json_object_set_new(o, *k, json_array());
    }
    json_object_set_new(
        o, "day",
        json_pack("{s:o,s:o,s:o,s:o,s:o,s:I}", "arrivals", num(arrivals, 10), "window_hours",
                  num(window_hours, 10), "service_level", num(p->sim_level, 1000), "mean_wait_s",
                  num(p->sim_mean_wait_s, 10), "p90_wait_s", num(p->sim_p90_wait_s, 10),
                  "simulated_arrivals", (json_int_t)p->sim_arrivals));
    return o;
}

/* ---- the plan ---- */

struct plan_ctx {
    struct plan_req req;
    struct gather g;
    struct hq_forecast *fc;
    struct hq_plan_conf conf;
    struct hq_day_plan *plan;
    struct hq_forecast_error err;
    bool has_err;
    int32_t hist_first, hist_last;
    long priority, all;
};

static void plan_ctx_release(struct plan_ctx *c)
{
    hq_history_release(&c->g.hist);
    for (int s = 0; s < HQ_PLAN_MAX_SERVICES; s++)
        free(c->g.svc[s].v);
    free(c->fc);
    free(c->plan);
}

/* Read the history of the request from st. */
static int plan_read(struct hq_store *st, const struct plan_hall *ph, struct plan_ctx *c,
                     struct hq_why *why)
{
    struct plan_req *r = &c->req;
    int64_t dz = hq_days_from_civil(r->day), tz = hq_days_from_civil(r->today);
    int64_t last = (dz < tz ? dz : tz) - 1;
    c->hist_first = hq_civil_from_days(dz - 7 * r->weeks - 28); /* 4 more weeks: the error */
    c->hist_last = hq_civil_from_days(last);
    if (last < dz - 7 * r->weeks - 28) c->hist_last = c->hist_first;
    int rc = hq_history_init(&c->g.hist, c->hist_first, c->hist_last, why);
    if (rc) return rc;
    for (int s = 0; s < ph->n_services; s++)
        snprintf(c->g.hist.codes[s], HQ_CODE_MAX, "%s", ph->svc[s].code);
    c->g.hist.n_services = ph->n_services;
    if (last >= hq_days_from_civil(c->hist_first)) {
        rc = st->vt->tickets_between(st, c->hist_first, c->hist_last, on_ticket, &c->g);
        if (rc || c->g.err)
            return hq_fail(why, rc ? rc : HQ_EINTERNAL, "", "cannot read the history");
    }
    return 0;
}

/* The hall's hours on the forecast's weekday (a holiday run as another weekday takes that day's):
 * closed that day, or no arrivals in the half hours it is closed. No hours: every half hour. */
static void apply_hours(const struct hq_hours *hr, struct hq_forecast *fc)
{
    int wd = fc->weekday;
    if (!hr->has_hours || fc->closed || wd < 0 || wd > 6) return;
    if (hq_hours_first_open(hr, wd) < 0) fc->closed = true;
    for (int k = 0; k < HQ_SLOTS; k++) {
        bool open = false;
        for (int r = 0; r < hr->n[wd] && r < HQ_HOURS_RANGES; r++)
            open |= hr->open[wd][r] < (k + 1) * 30 && hr->close[wd][r] > k * 30;
        if (!open)
            for (int s = 0; s < fc->n_services; s++)
                fc->arrivals[s][k] = 0;
    }
}

/* The days of the history that had tickets, and the first and last of them. */
static json_t *history_json(const struct plan_ctx *c, const struct hq_forecast *fc)
{
    const struct hq_history *h = &c->g.hist;
    int days = 0;
    int64_t first = -1, last = -1;
    for (int d = 0; d < h->n_days; d++)
        if (hq_history_day_total(h, h->day0 + d) > 0) {
            days++;
            if (first < 0) first = d;
            last = d;
        }
    char hf[16], hl[16], df[16] = "", dl[16] = "";
    hq__format_date(c->hist_first, hf, sizeof hf);
    hq__format_date(c->hist_last, hl, sizeof hl);
    if (first >= 0) {
        hq__format_date(hq_civil_from_days(h->day0 + first), df, sizeof df);
        hq__format_date(hq_civil_from_days(h->day0 + last), dl, sizeof dl);
    }
    json_t *o = json_pack("{s:s,s:s,s:i,s:I,s:i,s:i,s:i}", "from", hf, "to", hl, "weeks",
                          c->req.weeks, "tickets", (json_int_t)h->tickets, "days_same_weekday",
                          fc->days_weekday, "days_open", fc->days_all, "days", days);
    json_object_set_new(o, "first_day", df[0] ? json_string(df) : json_null());
    json_object_set_new(o, "last_day", dl[0] ? json_string(dl) : json_null());
    return o;
}

/* The forecast and the plan from the history read. */
static int plan_compute(const struct plan_hall *ph, struct plan_ctx *c, struct hq_why *why)
{
    struct plan_req *r = &c->req;
    int64_t dz = hq_days_from_civil(r->day), tz = hq_days_from_civil(r->today);
    int64_t last = (dz < tz ? dz : tz) - 1;
    int rc;
    c->fc = malloc(sizeof *c->fc);
    c->plan = malloc(sizeof *c->plan);
    if (!c->fc || !c->plan) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    struct hq_forecast_options fo = {
        .weeks = r->weeks, .holidays = r->holidays, .n_holidays = r->n_holidays};
    rc = hq_forecast_day(&c->g.hist, r->day, &fo, c->fc, why);
    if (rc) return rc;
    apply_hours(&ph->hours, c->fc);
    /* the forecast's error on the last four weeks before the date, each day from its past */
    int32_t e_first = hq_civil_from_days(dz - 28), e_last = hq_civil_from_days(last);
    if (last >= dz - 28 &&
        hq_forecast_evaluate(&c->g.hist, e_first, e_last, &fo, &c->err, NULL) == 0 &&
        c->err.days > 0)
        c->has_err = true;

    struct hq_plan_conf *pc = &c->conf;
    memset(pc, 0, sizeof *pc);
    pc->fc = c->fc;
    for (int s = 0; s < c->fc->n_services; s++) {
        struct samples *sm = &c->g.svc[s];
        struct hq_plan_service *ps = &pc->services[s];
        if (sm->n >= 5) {
            size_t from = sm->n > MAX_SAMPLES ? sm->n - MAX_SAMPLES : 0;
            double sum = 0;
            for (size_t i = from; i < sm->n; i++)
                sum += sm->v[i];
            ps->samples = sm->v + from;
            ps->n_samples = (int)(sm->n - from);
            ps->service_s = sum / (double)ps->n_samples;
        } else {
            ps->service_s = ph->svc[s].avg_s > 0 ? ph->svc[s].avg_s : 300;
        }
    }
    pc->windows = ph->windows;
    pc->n_windows = ph->n_windows;
    pc->target_wait_s = r->target_wait_s;
    pc->level = r->level;
    pc->walk_s = c->g.walk_n ? c->g.walk_sum / (double)c->g.walk_n : 30;
    long called = c->g.done + c->g.no_show;
    pc->no_show_p = called ? (double)c->g.no_show / (double)called : 0;
    if (pc->no_show_p > 0.5) pc->no_show_p = 0.5;
    pc->no_show_wait_s = c->g.ns_wait_n ? c->g.ns_wait_sum / (double)c->g.ns_wait_n : 60;
    pc->priority_share = c->g.all ? (double)c->g.priority / (double)c->g.all : 0;
    pc->reps = r->reps;
    pc->seed = (uint64_t)r->day;
    rc = hq_plan_day(pc, c->plan, why);
    /* the day shown is the hall's opening hours of that weekday (lunch half hours plan 0) */
    const struct hq_hours *hr = &ph->hours;
    int wd = c->fc->weekday;
    if (rc == 0 && hr->has_hours && !c->fc->closed && hq_hours_first_open(hr, wd) >= 0) {
        c->plan->first_slot = hq_hours_first_open(hr, wd) / 30;
        c->plan->last_slot = (hq_hours_last_close(hr, wd) - 1) / 30;
    }
    return rc;
}

static json_t *plan_json(const struct plan_hall *ph, struct plan_ctx *c)
{
    const struct hq_forecast *fc = c->fc;
    const struct hq_day_plan *p = c->plan;
    int first = p->first_slot, last = p->last_slot;
    char d[16];
    hq__format_date(c->req.day, d, sizeof d);
    json_t *o = json_object();
    json_object_set_new(o, "date", json_string(d));
    json_object_set_new(o, "weekday", json_string(wd_names[hq_weekday_of(c->req.day)]));
    json_object_set_new(o, "as_weekday", json_string(wd_names[fc->weekday]));
    json_object_set_new(o, "holiday", json_boolean(fc->holiday));
    json_object_set_new(o, "closed", json_boolean(fc->closed));
    json_object_set_new(o, "target_wait_s", json_integer((json_int_t)c->req.target_wait_s));
    json_object_set_new(o, "service_level", json_real(c->req.level));
    json_object_set_new(o, "slot_minutes", json_integer(30));
    json_object_set_new(o, "slots", slots_json(first, last));
    json_object_set_new(o, "history", history_json(c, fc));
    json_object_set_new(o, "hours", hours_of_day(&ph->hours, fc->weekday));
    json_object_set_new(o, "assumptions",
                        json_pack("{s:o,s:o,s:o,s:o,s:i,s:s}", "walk_s", num(c->conf.walk_s, 10),
                                  "no_show_rate", num(c->conf.no_show_p, 1000), "no_show_wait_s",
                                  num(c->conf.no_show_wait_s, 10), "priority_share",
                                  num(c->conf.priority_share, 1000), "simulated_days",
                                  c->conf.reps > 0 ? c->conf.reps : 20, "model",
                                  "erlang_c per half hour, checked by simulation"));
    json_object_set_new(o, "holidays", holidays_json(c->req.holidays, c->req.n_holidays));
    json_t *svcs = json_array();
    for (int s = 0; s < fc->n_services; s++) {
        double tot = 0;
        for (int k = 0; k < HQ_SLOTS; k++)
            tot += fc->arrivals[s][k];
        json_t *so = json_pack(
            "{s:s,s:s,s:s,s:s,s:o,s:i,s:o,s:o,s:o}", "code", fc->codes[s], "name", ph->svc[s].name,
            "name_en", ph->svc[s].name_en, "group", p->groups[p->group_of[s]].name, "service_s",
            num(c->conf.services[s].service_s, 10), "service_samples",
            c->conf.services[s].n_samples, "trend", num(fc->trend[s], 1000), "arrivals_day",
            num(tot, 10), "arrivals",
            first >= 0 ? series(fc->arrivals[s], first, last, 100) : json_array());
        json_object_set_new(so, "windows_alone",
                            first >= 0 ? iseries(p->windows_alone[s], first, last) : json_array());
        json_array_append_new(svcs, so);
    }
    json_object_set_new(o, "services", svcs);
    json_t *groups = json_array();
    int total[HQ_SLOTS] = {0};
    for (int g = 0; g < p->n_groups; g++) {
        json_array_append_new(groups, pool_json(&p->groups[g], fc, first, last));
        for (int k = 0; k < HQ_SLOTS; k++)
            total[k] += p->groups[g].windows[k];
    }
    json_object_set_new(o, "groups", groups);
    json_object_set_new(o, "windows_total",
                        first >= 0 ? iseries(total, first, last) : json_array());
    json_object_set_new(o, "window_hours", num(p->window_hours, 10));
    json_object_set_new(o, "met", json_boolean(p->met));
    json_object_set_new(o, "capacity_short", json_boolean(p->capacity_short));
    json_object_set_new(o, "missed_slots", json_integer(p->missed_slots));
    verdict(o, ph, p, c->req.target_wait_s);
    json_object_set_new(o, "iterations", json_integer(p->iterations));
    if (c->has_err) {
        const struct hq_forecast_error *e = &c->err;
        json_object_set_new(
            o, "forecast_error",
            json_pack("{s:i,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "days", e->days,
                      "arrivals_per_day", num(e->actual_per_day, 10), "mae_half_hour",
                      num(e->mae_slot, 100), "poisson_mae_half_hour", num(e->poisson_mae_slot, 100),
                      "wape_half_hour", num(e->wape_slot, 1000), "wape_hall_half_hour",
                      num(e->wape_hall_slot, 1000), "mape_day_service",
                      num(e->mape_day_service, 1000), "mape_day", num(e->mape_day, 1000),
                      "bias_day", num(e->bias_day, 1000), "naive_wape_half_hour",
                      num(e->naive_wape_slot, 1000), "naive_mape_day",
                      num(e->naive_mape_day, 1000)));
    } else {
        json_object_set_new(o, "forecast_error", json_null());
    }
    return o;
}

/* what-if: the pools from in.windows, the rest from the plan's groups */
static int whatif_pools(struct plan_ctx *c, json_t *windows, struct hq_pool *pools, int *n_pools,
                        struct hq_why *why)
{
    const struct hq_forecast *fc = c->fc;
    const struct hq_day_plan *p = c->plan;
    int first = p->first_slot, last = p->last_slot, n_slots = first >= 0 ? last - first + 1 : 0;
    if (!json_is_object(windows) || json_object_size(windows) == 0)
        return hq_fail(why, HQ_EINVAL, "windows",
                       "windows must be an object: {\"A\": 3} or {\"A,B\": [per half hour]}");
    if (json_object_size(windows) > HQ_PLAN_MAX_SERVICES)
        return hq_fail(why, HQ_EINVAL, "windows", "too many entries");
    bool covered[HQ_PLAN_MAX_SERVICES] = {false};
    int n = 0;
    const char *key;
    json_t *v;
    json_object_foreach(windows, key, v)
    {
        struct hq_pool *pl = &pools[n];
        memset(pl, 0, sizeof *pl);
        pl->max_windows = -1; /* what if: the windows given, whatever the hall has */
        char buf[64];
        if (strlen(key) >= sizeof buf)
            return hq_fail(why, HQ_EINVAL, "windows", "windows: key too long");
        snprintf(buf, sizeof buf, "%s", key);
        char *save = NULL;
        for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            int s = -1;
            for (int i = 0; i < fc->n_services; i++)
                if (strcmp(fc->codes[i], t) == 0) s = i;
            if (s < 0) return hq_fail(why, HQ_EINVAL, "windows", "windows: no service '%.8s'", t);
            if (covered[s])
                return hq_fail(why, HQ_EINVAL, "windows", "windows: service %s given twice",
                               fc->codes[s]);
            if (pl->n_services >= HQ_WIN_SVC_MAX)
                return hq_fail(why, HQ_EINVAL, "windows", "windows: at most %d services a key",
                               HQ_WIN_SVC_MAX);
            covered[s] = true;
            pl->services[pl->n_services++] = s;
        }
        if (pl->n_services == 0) return hq_fail(why, HQ_EINVAL, "windows", "windows: empty key");
        snprintf(pl->name, sizeof pl->name, "%s", key);
        if (json_is_integer(v)) {
            json_int_t w = json_integer_value(v);
            if (w < 0 || w > 1000)
                return hq_fail(why, HQ_EINVAL, "windows", "windows: %s: 0..1000 windows", key);
            for (int k = 0; k < HQ_SLOTS; k++)
                pl->windows[k] = k >= first && k <= last ? (int)w : 0;
        } else if (json_is_array(v)) {
            if ((int)json_array_size(v) != n_slots)
                return hq_fail(why, HQ_EINVAL, "windows",
                               "windows: %s: %d numbers expected, one per half hour of the "
                               "plan's slots",
                               key, n_slots);
            for (int i = 0; i < n_slots; i++) {
                json_t *x = json_array_get(v, (size_t)i);
                if (!json_is_integer(x) || json_integer_value(x) < 0 ||
                    json_integer_value(x) > 1000)
                    return hq_fail(why, HQ_EINVAL, "windows",
                                   "windows: %s: integers 0..1000 expected", key);
                pl->windows[first + i] = (int)json_integer_value(x);
            }
        } else {
            return hq_fail(why, HQ_EINVAL, "windows",
                           "windows: %s: a number or an array per half hour", key);
        }
        n++;
    }
    /* services left out keep their group's planned windows */
    for (int g = 0; g < p->n_groups; g++) {
        struct hq_pool rest;
        memset(&rest, 0, sizeof rest);
        rest.max_windows = -1;
        for (int i = 0; i < p->groups[g].n_services; i++) {
            int s = p->groups[g].services[i];
            if (covered[s]) continue;
            rest.services[rest.n_services++] = s;
            size_t len = strlen(rest.name);
            snprintf(rest.name + len, sizeof rest.name - len, "%s%s", len ? "," : "", fc->codes[s]);
        }
        if (!rest.n_services) continue;
        memcpy(rest.windows, p->groups[g].windows, sizeof rest.windows);
        pools[n++] = rest;
    }
    *n_pools = n;
    return 0;
}

/* lock (may be NULL) guards st: held while reading, not while computing. */
static int plan_run(struct hq_store *st, pthread_mutex_t *lock, const struct plan_hall *ph,
                    int32_t today, json_t *in, bool what_if, json_t **out, struct hq_why *why)
{
    struct plan_ctx *c = calloc(1, sizeof *c);
    if (!c) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    int rc = 0;
    if (what_if) {
        static const char *const allowed[] = {
            "date", "target_wait_s", "service_level", "weeks", "holidays", "windows", NULL};
        if (!in) {
            rc = hq_fail(why, HQ_EINVAL, "windows", "a body with windows is required");
            goto out;
        }
        if ((rc = hq__in_known(in, allowed, why))) goto out;
    }
    if ((rc = read_req(in, ph, today, &c->req, why))) goto out;
    if (lock) pthread_mutex_lock(lock);
    rc = holidays_load(st, &c->req, why);
    if (rc == 0) rc = plan_read(st, ph, c, why);
    if (lock) pthread_mutex_unlock(lock);
    if (rc || (rc = plan_compute(ph, c, why))) goto out;
    if (!what_if) {
        *out = plan_json(ph, c);
        goto out;
    }
    struct hq_pool *pools = calloc(2 * HQ_PLAN_MAX_SERVICES, sizeof *pools);
    if (!pools) {
        rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        goto out;
    }
    int n_pools = 0;
    rc = whatif_pools(c, json_object_get(in, "windows"), pools, &n_pools, why);
    if (rc == 0) rc = hq_plan_simulate(&c->conf, pools, n_pools, why);
    if (rc == 0) {
        json_t *o = json_object();
        char d[16];
        hq__format_date(c->req.day, d, sizeof d);
        int first = c->plan->first_slot, last = c->plan->last_slot;
        json_object_set_new(o, "date", json_string(d));
        json_object_set_new(o, "target_wait_s", json_integer((json_int_t)c->req.target_wait_s));
        json_object_set_new(o, "service_level", json_real(c->req.level));
        json_object_set_new(o, "slots", slots_json(first, last));
        json_t *arr = json_array();
        for (int i = 0; i < n_pools; i++)
            json_array_append_new(arr, pool_json(&pools[i], c->fc, first, last));
        json_object_set_new(o, "pools", arr);
        *out = o;
    }
    free(pools);
out:
    plan_ctx_release(c);
    free(c);
    return rc;
}

static int app_plan(struct hq_app *a, json_t *in, bool what_if, json_t **out, struct hq_why *why)
{
    struct hq_now now;
    hq_app_now(a, &now);
    struct plan_hall ph;
    pthread_mutex_lock(&a->mu);
    hall_snapshot(&a->hall, &ph);
    for (int i = 0; i < ph.n_services;) /* branch retire: a retired service is planned no more */
        if (hq__service_retired(a, ph.svc[i].code))
            memmove(&ph.svc[i], &ph.svc[i + 1], (size_t)(--ph.n_services - i) * sizeof ph.svc[0]);
        else
            i++;
    pthread_mutex_unlock(&a->mu);
    if (!ph.windows) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    /* the read handle is held for the reading only: the computation runs without locks */
    int rc = plan_run(a->reader, &a->reader_mu, &ph, now.day, in, what_if, out, why);
    free(ph.windows);
    return rc;
}

int hq_app_plan(struct hq_app *a, json_t *in, json_t **out, struct hq_why *why)
{
    return app_plan(a, in, false, out, why);
}

int hq_app_plan_what_if(struct hq_app *a, json_t *in, json_t **out, struct hq_why *why)
{
    return app_plan(a, in, true, out, why);
}

int hq_app_plan_holidays_get(struct hq_app *a, json_t **out, struct hq_why *why)
{
    struct plan_req r;
    memset(&r, 0, sizeof r);
    pthread_mutex_lock(&a->reader_mu);
    int rc = holidays_load(a->reader, &r, why);
    pthread_mutex_unlock(&a->reader_mu);
    if (rc) return rc;
    *out = json_pack("{s:o}", "holidays", holidays_json(r.holidays, r.n_holidays));
    return 0;
}

int hq_app_plan_holidays_put(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                             struct hq_why *why)
{
    static const char *const allowed[] = {"holidays", NULL};
    if (!in) return hq_fail(why, HQ_EINVAL, "holidays", "a body with holidays is required");
    int rc = hq__in_known(in, allowed, why);
    if (rc) return rc;
    struct plan_req r;
    memset(&r, 0, sizeof r);
    json_t *arr = json_object_get(in, "holidays");
    if (!arr) return hq_fail(why, HQ_EINVAL, "holidays", "holidays is required");
    if ((rc = holidays_from_json(arr, &r, why))) return rc;
    json_t *doc = json_pack("{s:o}", "holidays", holidays_json(r.holidays, r.n_holidays));
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!text) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    hq_batch_doc(&b, "plan", "holidays", text, hq_app_time(a));
    free(text);
    hq__app_event(a, &b, who->username, "plan.holidays", json_pack("{s:i}", "count", r.n_holidays));
    rc = hq__app_commit_unlock(a, &b, why);
    if (rc) return rc;
    *out = json_pack("{s:o}", "holidays", holidays_json(r.holidays, r.n_holidays));
    return 0;
}

int hq_plan_from_db(const char *db, json_t *in, bool what_if, json_t **out, struct hq_why *why)
{
    struct hq_store *st = hq_store_open(db, why);
    if (!st) return why ? why->code : HQ_ESTORE;
    struct hq_hall h;
    hq_hall_init(&h);
    int64_t last_seq = 0;
    /* settings, services and windows; tickets only from the far future (none) */
    int rc = st->vt->load(st, &h, 99999999, &last_seq, why);
    if (rc == 0) {
        if (h.conf.timezone[0]) setenv("TZ", h.conf.timezone, 1);
        tzset();
        time_t t = time(NULL);
        struct tm tm;
        localtime_r(&t, &tm);
        int32_t today = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
        struct plan_hall ph;
        hall_snapshot(&h, &ph);
        rc = ph.windows ? plan_run(st, NULL, &ph, today, in, what_if, out, why)
                        : hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        free(ph.windows);
    }
    hq_hall_release(&h);
    hq_store_close(st);
    return rc;
}
