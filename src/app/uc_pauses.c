/* SPDX-License-Identifier: MIT */
/*
 * uc_pauses.c — paused time (clause 5.3.6) per window and per clerk, with its reasons, over a
 * period of local days: the "pauses" block of GET /api/v1/stats (docs/STATS.md "Paused time").
 * Read from the event log: a pause begins at window.paused (its reason, and the clerk who paused
 * — the event's actor) and ends at the window's next window.resumed, window.closed or
 * window.opened, or at another window.paused (a new reason: the first pause ends there). A pause
 * is counted in the day it began in, for its whole length but at most until the end of the next
 * day (a closing hall closes its windows); one still running is counted up to the present (and
 * said in "running"). So a day's pauses are known for good once the day after it is over, and a
 * period's figures are the sum of its days' (the daily rollups keep them: docs/STATS.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app_int.h"
#include "hq_surveys.h"
#include "stats_rollup.h"

#define MAX_OPEN_PAUSES 4096

struct open_pause {
    int32_t window;
    int64_t t, cap; /* began; counted until cap at most (the end of the day after) */
    char actor[HQ_USER_MAX];
    char reason[128];
};

struct pctx {
    struct open_pause *open;
    size_t n_open;
    json_t *total, *windows, *staff; /* accumulators: {"n","total_s","by_reason":{reason:{n,s}}} */
    int64_t t1;
};

static json_t *acc_new(void)
{
    return json_pack("{s:I,s:I,s:{}}", "n", (json_int_t)0, "total_s", (json_int_t)0, "by_reason");
}

static void acc_add(json_t *acc, const char *reason, int64_t s)
{
    json_object_set_new(acc, "n", json_integer(json_integer_value(json_object_get(acc, "n")) + 1));
    json_object_set_new(acc, "total_s",
                        json_integer(json_integer_value(json_object_get(acc, "total_s")) + s));
    json_t *br = json_object_get(acc, "by_reason");
    json_t *r = json_object_get(br, reason);
    if (!r) {
        r = json_pack("{s:I,s:I}", "n", (json_int_t)0, "total_s", (json_int_t)0);
        json_object_set_new(br, reason, r);
    }
    json_object_set_new(r, "n", json_integer(json_integer_value(json_object_get(r, "n")) + 1));
    json_object_set_new(r, "total_s",
                        json_integer(json_integer_value(json_object_get(r, "total_s")) + s));
}

static json_t *acc_of(json_t *map, const char *key)
{
    json_t *acc = json_object_get(map, key);
    if (!acc) {
        acc = acc_new();
        json_object_set_new(map, key, acc);
    }
    return acc;
}

static void close_pause(struct pctx *c, size_t i, int64_t end)
{
    struct open_pause *p = &c->open[i];
    if (end > p->cap) end = p->cap;
    int64_t s = end > p->t ? end - p->t : 0;
    char wk[16];
    snprintf(wk, sizeof wk, "%d", (int)p->window);
    acc_add(c->total, p->reason, s);
    acc_add(acc_of(c->windows, wk), p->reason, s);
    if (p->actor[0]) acc_add(acc_of(c->staff, p->actor), p->reason, s);
    c->open[i] = c->open[--c->n_open];
}

static int on_event(void *ctx, const struct hq_event *e)
{
    struct pctx *c = ctx;
    bool paused = strcmp(e->type, "window.paused") == 0;
    if (!paused && strcmp(e->type, "window.resumed") != 0 &&
        strcmp(e->type, "window.closed") != 0 && strcmp(e->type, "window.opened") != 0)
        return 0;
    json_t *d = json_loads(e->data ? e->data : "{}", 0, NULL);
    int32_t w = (int32_t)json_integer_value(json_object_get(d, "window"));
    for (size_t i = 0; i < c->n_open; i++)
        if (c->open[i].window == w) {
            close_pause(c, i, e->t);
            break;
        }
    if (paused && e->t < c->t1 && c->n_open < MAX_OPEN_PAUSES) {
        struct open_pause *p = &c->open[c->n_open++];
        memset(p, 0, sizeof *p);
        p->window = w;
        p->t = e->t;
        time_t tt = (time_t)e->t;
        struct tm tm;
        localtime_r(&tt, &tm);
        p->cap = hq__midnight((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday, 2);
        snprintf(p->actor, sizeof p->actor, "%s", e->actor);
        snprintf(p->reason, sizeof p->reason, "%s",
                 json_string_value(json_object_get(d, "reason")) ?: "");
    }
    json_decref(d);
    return 0;
}

static json_t *acc_json(json_t *acc)
{
    json_t *o = json_pack("{s:O,s:O,s:[]}", "n", json_object_get(acc, "n"), "total_s",
                          json_object_get(acc, "total_s"), "by_reason");
    json_t *arr = json_object_get(o, "by_reason");
    const char *k;
    json_t *r;
    json_object_foreach(json_object_get(acc, "by_reason"), k, r)
    {
        json_t *x = json_pack("{s:s,s:O,s:O}", "reason", k, "n", json_object_get(r, "n"), "total_s",
                              json_object_get(r, "total_s"));
        /* longest first, then by reason (the same order however the sums were added up) */
        size_t at = 0;
        json_int_t s = json_integer_value(json_object_get(r, "total_s"));
        while (at < json_array_size(arr)) {
            json_t *y = json_array_get(arr, at);
            json_int_t ys = json_integer_value(json_object_get(y, "total_s"));
            if (ys < s ||
                (ys == s && strcmp(json_string_value(json_object_get(y, "reason")), k) > 0))
                break;
            at++;
        }
        json_array_insert_new(arr, at, x);
    }
    return o;
}

/* Sums (docs/STATS.md "Rollups"): {"total":acc,"windows":{n:acc},"staff":{user:acc},"running":n}
 * with acc = {"n","total_s","by_reason":{reason:{"n","total_s"}}}, of the pauses that began in
 * days [from, to]; now ends those still running. The caller holds st's lock. */
int hq__pauses_fold(struct hq_store *st, int32_t from, int32_t to, int64_t now, json_t *sums)
{
    json_t *p = json_object_get(sums, "pauses");
    if (!p) {
        p = json_pack("{s:o,s:{},s:{},s:I}", "total", acc_new(), "windows", "staff", "running",
                      (json_int_t)0);
        if (!p || json_object_set_new(sums, "pauses", p)) return -1;
    }
    int64_t t0 = hq__midnight(from, 0), t1 = hq__midnight(to, 1);
    struct pctx c = {calloc(MAX_OPEN_PAUSES, sizeof(struct open_pause)),
                     0,
                     json_object_get(p, "total"),
                     json_object_get(p, "windows"),
                     json_object_get(p, "staff"),
                     t1};
    if (!c.open) return -1;
    /* A pause that began in the period is counted until the end of the day after at most: look
     * that far for its end. */
    int rc = st->vt->events_between(st, t0, hq__midnight(to, 2), "window.", on_event, &c);
    int64_t running = 0;
    while (c.n_open) {
        running += now < c.open[c.n_open - 1].cap;
        close_pause(&c, c.n_open - 1, now);
    }
    json_object_set_new(p, "running",
                        json_integer(json_integer_value(json_object_get(p, "running")) + running));
    free(c.open);
    return rc ? -1 : 0;
}

/* The "pauses" block of GET /stats from the sums; h (locked by the caller) names the windows
 * and clerks. */
json_t *hq__pauses_finish(const struct hq_hall *h, json_t *sums)
{
    json_t *p = json_object_get(sums, "pauses");
    json_t *total = json_object_get(p, "total");
    json_t *empty = total ? NULL : acc_new();
    json_t *out = json_pack("{s:o,s:[],s:[],s:I}", "total", acc_json(total ? total : empty),
                            "windows", "staff", "running",
                            (json_int_t)json_integer_value(json_object_get(p, "running")));
    json_decref(empty);
    const char *k;
    json_t *v;
    /* windows by number */
    json_t *wins = json_object_get(out, "windows");
    json_object_foreach(json_object_get(p, "windows"), k, v)
    {
        json_t *x = acc_json(v);
        int32_t n = (int32_t)atoi(k);
        json_object_set_new(x, "window", json_integer(n));
        const struct hq_window *w = hq_window_find((struct hq_hall *)h, n);
        json_object_set_new(x, "name", json_string(w ? w->name : ""));
        size_t at = 0;
        while (at < json_array_size(wins) &&
               json_integer_value(json_object_get(json_array_get(wins, at), "window")) < n)
            at++;
        json_array_insert_new(wins, at, x);
    }
    json_t *staff = json_object_get(out, "staff");
    json_object_foreach(json_object_get(p, "staff"), k, v)
    {
        json_t *x = acc_json(v);
        json_object_set_new(x, "username", json_string(k));
        const struct hq_staff *st = hq_staff_find((struct hq_hall *)h, k);
        json_object_set_new(x, "name", json_string(st ? st->name : ""));
        size_t at = 0;
        while (at < json_array_size(staff) &&
               strcmp(json_string_value(json_object_get(json_array_get(staff, at), "username")),
                      k) < 0)
            at++;
        json_array_insert_new(staff, at, x);
    }
    return out;
}

json_t *hq__pauses_json(struct hq_app *a, int32_t from, int32_t to)
{
    json_t *sums = json_object();
    int64_t now = hq_app_time(a);
    pthread_mutex_lock(&a->reader_mu);
    int rc = hq__pauses_fold(a->reader, from, to, now, sums);
    pthread_mutex_unlock(&a->reader_mu);
    json_t *out = NULL;
    if (rc == 0) {
        pthread_mutex_lock(&a->mu);
        out = hq__pauses_finish(&a->hall, sums);
        pthread_mutex_unlock(&a->mu);
    }
    json_decref(sums);
    return out ? out : json_null();
}
