/* SPDX-License-Identifier: MIT */
/*
 * uc_advice.c — live crowding advice (clauses 5.2.3 and 5.2.5): for every service, the wait a
 * customer taking a ticket now would have (predicted_wait_s: exactly the estimate the ticket would
 * print, hq_service_wait_next) and, when tickets are issued faster than the windows serve them,
 * that of a customer 15 minutes from now (trend_wait_s), against the hall's target; the windows
 * needed (the queue's wait scaled by windows, and Erlang C for the last 30 minutes' arrival rate),
 * never more than the windows that can serve the service (max_windows), with extra_windows =
 * windows_needed - windows and capacity_short when even every window cannot meet the target;
 * which closed windows could open and which certified staff are free to open them; which windows
 * sit idle and which are closed; the measured accuracy of the estimate over the last 28 days. The
 * periodic tick raises `alert.crowding` on the event stream when a service breaks the target (at
 * most once every 10 minutes per service), so managers and guides act in time.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../plan/hq_plan.h"
#include "app_int.h"

#define ALERT_REPEAT_S 600

struct svc_advice {
    int32_t waiting;     /* tickets waiting for it */
    int32_t windows;     /* windows staffed for it now: open or paused (the estimate counts them) */
    int32_t serving;     /* of those, open (not paused) */
    int32_t max_windows; /* windows whose list holds it, whatever their state: the most possible */
    int32_t predicted;   /* the wait of a ticket issued now: the ticket's own estimate */
    int32_t trend;       /* the wait of one issued HORIZON_S from now if arrivals go on so */
    int32_t needed;      /* windows to open for the target, at most max_windows */
    int32_t need_raw;    /* the same without the cap */
    int32_t extra;       /* needed - windows, never negative */
    bool capacity_short; /* need_raw > max_windows: even every window cannot meet the target */
    const char *status;  /* "ok", "crowded", "idle" */
    double arrivals_h;   /* tickets issued in the last ARRIVAL_WINDOW_S, per hour */
};

#define ARRIVAL_WINDOW_S 1800 /* the recent arrival rate is measured over this */
#define HORIZON_S 900         /* trend: a customer this much later */

/* Tickets of service issued in the last ARRIVAL_WINDOW_S (the hall keeps today's in memory). */
static int32_t recent_arrivals(const struct hq_hall *h, const char *service, int64_t now)
{
    int32_t n = 0;
    for (size_t i = h->n_tickets; i-- > 0;) {
        const struct hq_ticket *t = &h->tickets[i];
        if (t->issued_at >= now - ARRIVAL_WINDOW_S && t->issued_at <= now &&
            strcmp(t->service, service) == 0)
            n++;
    }
    return n;
}

static bool lists(const struct hq_window *w, const char *service)
{
    for (int i = 0; i < w->n_services && i < HQ_WIN_SVC_MAX; i++)
        if (strcmp(w->services[i], service) == 0) return true;
    return false;
}

static bool active_for(const struct hq_window *w, const char *service)
{
    for (int i = 0; i < w->n_active && i < HQ_WIN_SVC_MAX; i++)
        if (strcmp(w->active[i], service) == 0) return true;
    return false;
}

static void advise(struct hq_app *a, const struct hq_now *now, const struct hq_service *s,
                   struct svc_advice *out)
{
    const struct hq_hall *h = &a->hall;
    int32_t target = h->conf.target_wait_s > 0 ? h->conf.target_wait_s : 900;
    memset(out, 0, sizeof *out);
    out->waiting = hq_count_waiting(h, s->code);
    out->predicted = hq_service_wait_next(&a->hall, now, s->code, &out->windows);
    out->serving = hq_service_serving_windows(h, s->code);
    for (size_t i = 0; i < h->n_windows; i++) {
        const struct hq_window *w = &h->windows[i];
        /* a staffed window counts when its clerk serves it; a closed one when its list holds it */
        if (w->state == HQ_WIN_CLOSED ? lists(w, s->code) : active_for(w, s->code))
            out->max_windows++;
    }
    out->status = "ok";
    /* The arrival rate: when more come than the windows serve (λ·S > c), the queue grows, and a
     * customer arriving HORIZON_S from now waits (λ·S/c - 1)·HORIZON_S longer than one now. */
    double S = hq_service_time_estimate(s);
    double lambda = recent_arrivals(h, s->code, now->t) / (double)ARRIVAL_WINDOW_S;
    out->arrivals_h = lambda * 3600;
    int32_t c0 = out->windows > 0 ? out->windows : 1;
    double growth = (lambda * S / c0 - 1) * HORIZON_S;
    out->trend = (int32_t)fmin(out->predicted + (growth > 0 ? growth : 0), 7 * 86400.0);
    int erlang = lambda > 0 ? hq_plan_windows_needed(lambda * 1800, S, target, 0.8) : 0;
    int32_t need = erlang > 0 ? erlang : 0;
    if (!s->enabled) {
        out->needed = out->need_raw = need < out->max_windows ? need : out->max_windows;
        return;
    }
    int32_t worst = out->predicted > out->trend ? out->predicted : out->trend;
    if (worst > target && out->waiting > 0) {
        /* The wait behind a queue scales about as 1/windows: the windows that bring it under
         * the target; and at least the windows Erlang C needs for the arrival rate (80% called
         * within the target); at least one more than now. */
        int32_t by_queue = (int32_t)ceil((double)c0 * worst / target);
        if (need < by_queue) need = by_queue;
        if (need < out->windows + 1) need = out->windows + 1;
        out->status = "crowded";
    } else if (out->waiting == 0 && out->windows >= 2 && out->windows > need) {
        out->status = "idle";
    }
    out->need_raw = need;
    out->needed = need < out->max_windows ? need : out->max_windows;
    if (out->needed < out->windows && strcmp(out->status, "crowded") == 0)
        out->needed = out->windows;
    out->capacity_short = strcmp(out->status, "crowded") == 0 && need > out->max_windows;
    out->extra = out->needed > out->windows ? out->needed - out->windows : 0;
}

/* Closed windows whose list holds the service, each with the staff certified for it today who
 * are not at a window now: who could open which window. */
static json_t *open_candidates(struct hq_app *a, const struct hq_now *now, const char *code)
{
    const struct hq_hall *h = &a->hall;
    json_t *arr = json_array();
    for (size_t i = 0; i < h->n_windows; i++) {
        const struct hq_window *w = &h->windows[i];
        if (w->state != HQ_WIN_CLOSED || !lists(w, code)) continue;
        json_t *staff = json_array();
        for (size_t k = 0; k < h->n_staff; k++) {
            const struct hq_staff *st = &h->staff[k];
            if (!st->active || !hq_cert_valid(st, code, now->day)) continue;
            bool busy = false;
            for (size_t j = 0; j < h->n_windows && !busy; j++)
                busy = h->windows[j].state != HQ_WIN_CLOSED &&
                       strcmp(h->windows[j].clerk, st->username) == 0;
            if (busy) continue;
            json_array_append_new(
                staff, json_pack("{s:s,s:s}", "username", st->username, "name", st->name));
        }
        json_array_append_new(arr, json_pack("{s:i,s:s,s:o}", "number", (int)w->number, "name",
                                             w->name, "staff", staff));
    }
    return arr;
}

static void texts(const struct hq_service *s, const struct svc_advice *v, int32_t target, char *zh,
                  size_t zl, char *en, size_t el)
{
    const char *name_en = s->name_en[0] ? s->name_en : s->code;
    int pm = (v->predicted + 59) / 60, tm = (v->trend + 59) / 60, gm = target / 60;
    zh[0] = en[0] = '\0';
    if (strcmp(v->status, "crowded") == 0) {
        char zw[128], ew[160];
        if (v->predicted > target) {
            snprintf(zw, sizeof zw, "预计等候 %d 分钟，超过目标 %d 分钟", pm, gm);
            snprintf(ew, sizeof ew, "predicted wait %d min, over the %d min target", pm, gm);
        } else {
            snprintf(zw, sizeof zw, "排队在增长，15 分钟后取号预计等候 %d 分钟，超过目标 %d 分钟",
                     tm, gm);
            snprintf(ew, sizeof ew,
                     "the queue is growing: a ticket taken in 15 min would wait about %d min, "
                     "over the %d min target",
                     tm, gm);
        }
        if (v->extra > 0 && !v->capacity_short) {
            snprintf(zh, zl, "%s：%s，建议增开 %d 个窗口（共需 %d 个）", s->name, zw, v->extra,
                     v->needed);
            snprintf(en, el, "%s: %s: open %d more window%s (%d needed)", name_en, ew, v->extra,
                     v->extra > 1 ? "s" : "", v->needed);
        } else if (v->extra > 0) {
            snprintf(
                zh, zl,
                "%s：%s，建议增开 %d 个窗口（增开后可办理的 %d 个窗口全部开放）；即使全部开放也"
                "达不到目标，请分流或引导预约",
                s->name, zw, v->extra, v->max_windows);
            snprintf(en, el,
                     "%s: %s: open %d more window%s (all %d that can serve it); even then the "
                     "target cannot be met: divert customers or offer appointments",
                     name_en, ew, v->extra, v->extra > 1 ? "s" : "", v->max_windows);
        } else {
            snprintf(zh, zl, "%s：%s；可办理的 %d 个窗口已全部开放，需求超过能力，请分流或引导预约",
                     s->name, zw, v->max_windows);
            snprintf(en, el,
                     "%s: %s; all %d windows that can serve it are open: demand exceeds capacity, "
                     "divert customers or offer appointments",
                     name_en, ew, v->max_windows);
        }
    } else if (strcmp(v->status, "idle") == 0) {
        snprintf(zh, zl, "%s：无人等候，%d 个窗口开放，可调整一个窗口办理其他业务", s->name,
                 v->windows);
        snprintf(en, el, "%s: nobody waiting with %d windows open: one could serve another service",
                 name_en, v->windows);
    }
}

int hq_app_advice(struct hq_app *a, json_t **out, struct hq_why *why)
{
    (void)why;
    struct hq_now now;
    hq_app_now(a, &now);
    hq__estacc_refresh(a, 0); /* a fresh measure for the manager */
    json_t *svcs = json_array(), *idle = json_array(), *closed = json_array();
    bool short_any = false;
    pthread_mutex_lock(&a->mu);
    int32_t target = a->hall.conf.target_wait_s;
    for (size_t i = 0; i < a->hall.n_services; i++) {
        const struct hq_service *s = &a->hall.services[i];
        if (hq__service_retired(a, s->code)) continue; /* branch retire: out of every list */
        struct svc_advice v;
        advise(a, &now, s, &v);
        char zh[512], en[512];
        texts(s, &v, target, zh, sizeof zh, en, sizeof en);
        short_any |= v.capacity_short;
        json_t *o = json_pack(
            "{s:s,s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:o,s:i,s:s,s:i,s:i,s:i,s:b,s:s,s:s,s:f}", "code",
            s->code, "name", s->name, "name_en", s->name_en, "waiting", (int)v.waiting, "windows",
            (int)v.windows, "serving_windows", (int)v.serving, "max_windows", (int)v.max_windows,
            "predicted_wait_s", (int)v.predicted, "wait_range_s",
            hq__wait_range_json(a, s->code, v.predicted), "trend_wait_s", (int)v.trend, "status",
            v.status, "windows_needed", (int)v.needed, "extra_windows", (int)v.extra,
            "windows_needed_uncapped", (int)v.need_raw, "capacity_short", v.capacity_short,
            "advice", zh, "advice_en", en, "arrivals_per_hour", round(v.arrivals_h * 10) / 10);
        json_object_set_new(o, "open_candidates",
                            v.extra > 0 ? open_candidates(a, &now, s->code) : json_array());
        json_array_append_new(svcs, o);
    }
    for (size_t i = 0; i < a->hall.n_windows; i++) {
        const struct hq_window *w = &a->hall.windows[i];
        if (w->state == HQ_WIN_CLOSED) json_array_append_new(closed, json_integer(w->number));
        if (w->state != HQ_WIN_OPEN || w->current[0]) continue;
        bool any = false;
        for (int k = 0; k < w->n_active; k++)
            any |= hq_count_waiting(&a->hall, w->active[k]) > 0;
        if (!any)
            json_array_append_new(
                idle, json_pack("{s:i,s:s}", "number", (int)w->number, "name", w->name));
    }
    json_t *acc = hq__estacc_json(&a->estacc);
    pthread_mutex_unlock(&a->mu);
    *out = json_pack("{s:i,s:o,s:o,s:o,s:b,s:o}", "target_wait_s", (int)target, "services", svcs,
                     "idle_windows", idle, "closed_windows", closed, "capacity_short", short_any,
                     "estimate_accuracy", acc);
    return 0;
}

/* Under mu (from the tick): add an alert.crowding event to b for each service over the target
 * that has not been alerted in the last ALERT_REPEAT_S. */
void hq__crowding_check(struct hq_app *a, const struct hq_now *now, struct hq_batch *b)
{
    if (a->n_alerted < a->hall.n_services) {
        int64_t *n = realloc(a->alerted, a->hall.n_services * sizeof *n);
        if (!n) return;
        memset(n + a->n_alerted, 0, (a->hall.n_services - a->n_alerted) * sizeof *n);
        a->alerted = n;
        a->n_alerted = a->hall.n_services;
    }
    for (size_t i = 0; i < a->hall.n_services; i++) {
        const struct hq_service *s = &a->hall.services[i];
        struct svc_advice v;
        advise(a, now, s, &v);
        if (strcmp(v.status, "crowded") != 0 || v.waiting == 0 ||
            now->t - a->alerted[i] < ALERT_REPEAT_S)
            continue;
        a->alerted[i] = now->t;
        hq__app_event(a, b, "", "alert.crowding",
                      json_pack("{s:s,s:i,s:i,s:i,s:i,s:i}", "service", s->code, "waiting",
                                (int)v.waiting, "windows", (int)v.windows, "predicted_wait_s",
                                (int)v.predicted, "target_wait_s", (int)a->hall.conf.target_wait_s,
                                "extra_windows", (int)v.extra));
    }
}
