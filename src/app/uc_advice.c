/* SPDX-License-Identifier: MIT */
/*
 * uc_advice.c — live crowding advice (clauses 5.2.3 and 5.2.5): for every service, the wait a
 * customer taking a ticket now would have (the core's estimate behind everyone waiting, or, when
 * tickets are issued faster than the windows serve them, that of a customer 15 minutes from now),
 * against the hall's target; the windows needed by Erlang C for the last 30 minutes' arrival rate;
 * which service needs more windows, and which windows sit idle. The periodic tick raises
 * `alert.crowding` on the event stream when a service breaks the target (at most once every 10
 * minutes per service), so managers and guides act in time.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../plan/hq_plan.h"
#include "app_int.h"

#define ALERT_REPEAT_S 600

struct svc_advice {
    int32_t waiting, windows, predicted, extra;
    const char *status; /* "ok", "crowded", "idle" */
    double arrivals_h;  /* tickets issued in the last ARRIVAL_WINDOW_S, per hour */
    int32_t needed;     /* Erlang C: windows for 80% within the target at that arrival rate */
};

#define ARRIVAL_WINDOW_S 1800 /* the recent arrival rate is measured over this */
#define HORIZON_S 900         /* predicted: the worse of now and a customer this much later */

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

static void advise(struct hq_app *a, const struct hq_now *now, const struct hq_service *s,
                   struct svc_advice *out)
{
    int32_t target = a->hall.conf.target_wait_s > 0 ? a->hall.conf.target_wait_s : 900;
    out->waiting = hq_count_waiting(&a->hall, s->code);
    out->predicted = hq_service_wait_next(&a->hall, now, s->code, &out->windows);
    out->extra = 0;
    out->status = "ok";
    /* The arrival rate: when more come than the windows serve (λ·S > c), the queue grows, and a
     * customer arriving HORIZON_S from now waits (λ·S/c - 1)·HORIZON_S longer than one now. */
    double S = hq_service_time_estimate(s);
    double lambda = recent_arrivals(&a->hall, s->code, now->t) / (double)ARRIVAL_WINDOW_S;
    out->arrivals_h = lambda * 3600;
    int32_t c0 = out->windows > 0 ? out->windows : 1;
    double growth = (lambda * S / c0 - 1) * HORIZON_S;
    if (growth > 0) out->predicted = (int32_t)fmin(out->predicted + growth, 7 * 86400.0);
    int need = lambda > 0 ? hq_plan_windows_needed(lambda * 1800, S, target, 0.8) : 0;
    out->needed = need > 0 ? need : 0;
    if (!s->enabled) return;
    if (out->predicted > target) {
        /* The wait behind a queue scales about as 1/windows: the windows that bring it under
         * the target; and at least the windows Erlang C needs for the arrival rate (80% called
         * within the target); at least one more. */
        int32_t c = out->windows > 0 ? out->windows : 1;
        int32_t needed = (int32_t)ceil((double)c * out->predicted / target);
        if (needed < out->needed) needed = out->needed;
        out->extra = needed - out->windows;
        if (out->extra < 1) out->extra = 1;
        out->status = "crowded";
    } else if (out->waiting == 0 && out->windows >= 2 && out->windows > out->needed) {
        out->status = "idle";
    }
}

int hq_app_advice(struct hq_app *a, json_t **out, struct hq_why *why)
{
    (void)why;
    struct hq_now now;
    hq_app_now(a, &now);
    json_t *svcs = json_array(), *idle = json_array();
    pthread_mutex_lock(&a->mu);
    int32_t target = a->hall.conf.target_wait_s;
    for (size_t i = 0; i < a->hall.n_services; i++) {
        const struct hq_service *s = &a->hall.services[i];
        struct svc_advice v;
        advise(a, &now, s, &v);
        char zh[256] = "", en[256] = "";
        if (strcmp(v.status, "crowded") == 0) {
            snprintf(zh, sizeof zh, "%s：预计等候 %d 分钟，超过目标 %d 分钟，建议增开 %d 个窗口",
                     s->name, (v.predicted + 59) / 60, target / 60, v.extra);
            snprintf(en, sizeof en,
                     "%s: predicted wait %d min, over the %d min target: open %d more window%s",
                     s->name_en[0] ? s->name_en : s->code, (v.predicted + 59) / 60, target / 60,
                     v.extra, v.extra > 1 ? "s" : "");
        } else if (strcmp(v.status, "idle") == 0) {
            snprintf(zh, sizeof zh, "%s：无人等候，%d 个窗口开放，可调整一个窗口办理其他业务",
                     s->name, v.windows);
            snprintf(en, sizeof en,
                     "%s: nobody waiting with %d windows open: one could serve another service",
                     s->name_en[0] ? s->name_en : s->code, v.windows);
        }
        json_array_append_new(
            svcs, json_pack("{s:s,s:s,s:s,s:i,s:i,s:i,s:s,s:i,s:s,s:s,s:f,s:i}", "code", s->code,
                            "name", s->name, "name_en", s->name_en, "waiting", (int)v.waiting,
                            "windows", (int)v.windows, "predicted_wait_s", (int)v.predicted,
                            "status", v.status, "extra_windows", (int)v.extra, "advice", zh,
                            "advice_en", en, "arrivals_per_hour", round(v.arrivals_h * 10) / 10,
                            "windows_needed", (int)v.needed));
    }
    for (size_t i = 0; i < a->hall.n_windows; i++) {
        const struct hq_window *w = &a->hall.windows[i];
        if (w->state != HQ_WIN_OPEN || w->current[0]) continue;
        bool any = false;
        for (int k = 0; k < w->n_active; k++)
            any |= hq_count_waiting(&a->hall, w->active[k]) > 0;
        if (!any)
            json_array_append_new(
                idle, json_pack("{s:i,s:s}", "number", (int)w->number, "name", w->name));
    }
    pthread_mutex_unlock(&a->mu);
    *out = json_pack("{s:i,s:o,s:o}", "target_wait_s", (int)target, "services", svcs,
                     "idle_windows", idle);
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
