/* SPDX-License-Identifier: MIT */
/*
 * uc_pauses.c — paused time (clause 5.3.6) per window and per clerk, with its reasons, over a
 * period of local days: the "pauses" block of GET /api/v1/stats (docs/STATS.md "Paused time").
 * Read from the event log: a pause begins at window.paused (its reason, and the clerk who paused
 * — the event's actor) and ends at the window's next window.resumed, window.closed or
 * window.opened, or at another window.paused (a new reason: the first pause ends there). A pause
 * is counted in the period it began in, for its whole length; one still running is counted up to
 * the present (and said in "running").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_int.h"
#include "hq_surveys.h"

#define MAX_OPEN_PAUSES 4096

struct open_pause {
    int32_t window;
    int64_t t;
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
        /* longest first */
        size_t at = 0;
        while (at < json_array_size(arr) &&
               json_integer_value(json_object_get(json_array_get(arr, at), "total_s")) >=
                   json_integer_value(json_object_get(r, "total_s")))
            at++;
        json_array_insert_new(arr, at, x);
    }
    return o;
}

json_t *hq__pauses_json(struct hq_app *a, int32_t from, int32_t to)
{
    int64_t t0 = hq__midnight(from, 0), t1 = hq__midnight(to, 1);
    int64_t now = hq_app_time(a);
    struct pctx c = {calloc(MAX_OPEN_PAUSES, sizeof(struct open_pause)),
                     0,
                     acc_new(),
                     json_object(),
                     json_object(),
                     t1};
    if (!c.open) {
        json_decref(c.total);
        json_decref(c.windows);
        json_decref(c.staff);
        return json_null();
    }
    /* Pauses that began in the period end at most a day later (a closing hall closes its
     * windows); look that far for their end. */
    int64_t until = t1 + 24 * 3600;
    pthread_mutex_lock(&a->reader_mu);
    a->reader->vt->events_between(a->reader, t0, until, "window.", on_event, &c);
    pthread_mutex_unlock(&a->reader_mu);
    int64_t running = 0;
    while (c.n_open) {
        int64_t end = now < until ? now : until;
        running += now < until;
        close_pause(&c, c.n_open - 1, end);
    }
    json_t *out = json_pack("{s:o,s:[],s:[],s:I}", "total", acc_json(c.total), "windows", "staff",
                            "running", (json_int_t)running);
    const char *k;
    json_t *v;
    /* windows by number */
    json_t *wins = json_object_get(out, "windows");
    json_object_foreach(c.windows, k, v)
    {
        json_t *x = acc_json(v);
        int32_t n = (int32_t)atoi(k);
        json_object_set_new(x, "window", json_integer(n));
        pthread_mutex_lock(&a->mu);
        const struct hq_window *w = hq_window_find(&a->hall, n);
        json_object_set_new(x, "name", json_string(w ? w->name : ""));
        pthread_mutex_unlock(&a->mu);
        size_t at = 0;
        while (at < json_array_size(wins) &&
               json_integer_value(json_object_get(json_array_get(wins, at), "window")) < n)
            at++;
        json_array_insert_new(wins, at, x);
    }
    json_t *staff = json_object_get(out, "staff");
    json_object_foreach(c.staff, k, v)
    {
        json_t *x = acc_json(v);
        json_object_set_new(x, "username", json_string(k));
        pthread_mutex_lock(&a->mu);
        const struct hq_staff *st = hq_staff_find(&a->hall, k);
        json_object_set_new(x, "name", json_string(st ? st->name : ""));
        pthread_mutex_unlock(&a->mu);
        size_t at = 0;
        while (at < json_array_size(staff) &&
               strcmp(json_string_value(json_object_get(json_array_get(staff, at), "username")),
                      k) < 0)
            at++;
        json_array_insert_new(staff, at, x);
    }
    free(c.open);
    json_decref(c.total);
    json_decref(c.windows);
    json_decref(c.staff);
    return out;
}
