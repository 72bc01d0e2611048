/* SPDX-License-Identifier: MIT */
/*
 * stats_rollup.c — the daily rollups of the statistics (docs/STATS.md "Rollups"): a closed day's
 * figures kept as one store document (kind "stats_day", key "YYYYMMDD", time = the day's local
 * midnight), so a period's statistics read one small document a day instead of every ticket.
 * A day is closed two days after it (its evaluations may come up to 24 h after a ticket
 * finished); the days after that are computed from the rows, as today always is. A closed day
 * without a document (a new store, a migrated one, a demo history) is computed from its rows on
 * first use and its document written then; `hallq stats --rebuild-rollups` writes them all
 * again. A document written by another bin width, version or time zone is ignored and remade.
 *
 * The document: {"v","day","bin_s","tz","tickets","evals","first_seq","last_seq",
 * "events":[[type,n]…],"reasons":[[text,n,level_sum]…],"groups":[[kind,day,key,[issued,called,
 * served,no_show,cancelled,expired,open],[l1…l5],days,WAIT,SERVICE,[[service,n]…]]…]} with
 * WAIT/SERVICE = [n,sum,sumsq,max,bins]: bins base64 of varint pairs (bins skipped since the last
 * non-empty one, count).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../plan/hq_plan.h"
#include "../report/hq_report.h"
#include "../stats/hq_rollup.h"
#include "app_int.h"
#include "stats_rollup.h"

#define ROLLUP_VERSION 2

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t put_varint(unsigned char *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

/* The bins of d as base64 text (malloc'd), or NULL when out of memory. */
static char *bins_encode(const struct hq_roll_dist *d)
{
    unsigned char *raw = malloc((size_t)d->nbins * 20 + 1);
    if (!raw) return NULL;
    size_t n = 0;
    int32_t prev = -1;
    for (int32_t b = 0; b < d->nbins; b++) {
        if (!d->bins[b]) continue;
        n += put_varint(raw + n, (uint64_t)(b - prev - 1));
        n += put_varint(raw + n, (uint64_t)d->bins[b]);
        prev = b;
    }
    char *out = malloc((n + 2) / 3 * 4 + 1);
    if (!out) {
        free(raw);
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)raw[i] << 16;
        if (i + 1 < n) v |= (uint32_t)raw[i + 1] << 8;
        if (i + 2 < n) v |= raw[i + 2];
        out[o++] = b64[v >> 18 & 63];
        out[o++] = b64[v >> 12 & 63];
        out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    out[o] = 0;
    free(raw);
    return out;
}

static int b64_val(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Add the bins of text to d. 0, or -1 when the text is not what bins_encode writes. */
static int bins_decode(const char *s, struct hq_roll_dist *d)
{
    uint64_t v = 0;
    int shift = 0, which = 0;
    int32_t bin = -1;
    uint64_t skip = 0;
    uint32_t acc = 0;
    int nacc = 0;
    for (const char *p = s; *p && *p != '='; p++) {
        int x = b64_val(*p);
        if (x < 0) return -1;
        acc = acc << 6 | (uint32_t)x;
        nacc += 6;
        if (nacc < 8) continue;
        nacc -= 8;
        unsigned char byte = (unsigned char)(acc >> nacc);
        acc &= (1u << nacc) - 1;
        if (shift > 56) return -1;
        v |= (uint64_t)(byte & 0x7f) << shift;
        shift += 7;
        if (byte & 0x80) continue;
        if (which == 0) {
            skip = v;
        } else {
            if (skip > HQ_ROLL_BINS) return -1;
            bin += (int32_t)skip + 1;
            if (bin >= HQ_ROLL_BINS || hq_roll_dist_add_bin(d, bin, (int64_t)v)) return -1;
        }
        which ^= 1;
        v = 0;
        shift = 0;
    }
    return which == 0 && shift == 0 ? 0 : -1;
}

static json_t *dist_json(const struct hq_roll_dist *d)
{
    char *bins = bins_encode(d);
    if (!bins) return NULL;
    json_t *j = json_pack("[I,I,I,I,s]", (json_int_t)d->n, (json_int_t)d->sum, (json_int_t)d->sumsq,
                          (json_int_t)d->max, bins);
    free(bins);
    return j;
}

static json_t *group_json(const struct hq_roll_group *g)
{
    char kind[2] = {g->kind, 0};
    const struct hq_stats_counts *c = &g->c;
    json_t *served = json_array();
    for (size_t i = 0; served && i < g->n_served; i++)
        json_array_append_new(served,
                              json_pack("[s,I]", g->served[i].service, (json_int_t)g->served[i].n));
    json_t *w = dist_json(&g->wait), *s = dist_json(&g->service);
    if (!served || !w || !s) {
        json_decref(served);
        json_decref(w);
        json_decref(s);
        return NULL;
    }
    return json_pack("[s,i,s,[I,I,I,I,I,I,I],[I,I,I,I,I],I,o,o,o]", kind, (int)g->day, g->key,
                     (json_int_t)c->issued, (json_int_t)c->called, (json_int_t)c->served,
                     (json_int_t)c->no_show, (json_int_t)c->cancelled, (json_int_t)c->expired,
                     (json_int_t)c->open, (json_int_t)g->levels[0], (json_int_t)g->levels[1],
                     (json_int_t)g->levels[2], (json_int_t)g->levels[3], (json_int_t)g->levels[4],
                     (json_int_t)g->days, w, s, served);
}

static const char *zone(void)
{
    const char *tz = getenv("TZ");
    return tz ? tz : "";
}

char *hq__rollup_encode(int32_t day, const struct hq_roll *r)
{
    json_t *groups = json_array(), *events = json_array(), *reasons = json_array();
    json_t *est = json_array();
    int bad = !groups || !events || !reasons || !est;
    for (size_t i = 0; !bad && i < r->n_est; i++)
        bad = json_array_append_new(
                  est, json_pack("[s,I,I,I]", r->est[i].code, (json_int_t)r->est[i].n,
                                 (json_int_t)r->est[i].abs_sum, (json_int_t)r->est[i].within)) != 0;
    for (size_t i = 0; !bad && i < r->n; i++)
        bad = json_array_append_new(groups, group_json(&r->g[i])) != 0;
    for (int i = 0; !bad && i < r->n_events; i++)
        bad = json_array_append_new(
                  events, json_pack("[s,I]", r->events[i].type, (json_int_t)r->events[i].n)) != 0;
    for (size_t i = 0; !bad && i < r->n_reasons; i++)
        bad = json_array_append_new(reasons, json_pack("[s,I,I]", r->reasons[i].text,
                                                       (json_int_t)r->reasons[i].n,
                                                       (json_int_t)r->reasons[i].level_sum)) != 0;
    if (bad) {
        json_decref(groups);
        json_decref(events);
        json_decref(reasons);
        json_decref(est);
        return NULL;
    }
    json_t *o = json_pack("{s:i,s:i,s:i,s:s,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o}", "v", ROLLUP_VERSION,
                          "day", (int)day, "bin_s", HQ_ROLL_BIN_S, "tz", zone(), "tickets",
                          (json_int_t)r->n_tickets, "evals", (json_int_t)r->n_evals, "first_seq",
                          (json_int_t)r->first_seq, "last_seq", (json_int_t)r->last_seq, "events",
                          events, "reasons", reasons, "groups", groups, "estimate", est);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return s;
}

static int dist_from(json_t *a, struct hq_roll_dist *d)
{
    if (!json_is_array(a) || json_array_size(a) != 5) return -1;
    d->n = json_integer_value(json_array_get(a, 0));
    d->sum = json_integer_value(json_array_get(a, 1));
    d->sumsq = json_integer_value(json_array_get(a, 2));
    d->max = json_integer_value(json_array_get(a, 3));
    const char *bins = json_string_value(json_array_get(a, 4));
    return bins && d->n >= 0 ? bins_decode(bins, d) : -1;
}

/* Add the document o (a parsed rollup of `day`) to r. -1 when it is not one of ours. */
static int decode_into(json_t *o, struct hq_roll *r)
{
    json_t *groups = json_object_get(o, "groups");
    size_t i;
    json_t *x;
    json_array_foreach(groups, i, x)
    {
        const char *kind = json_string_value(json_array_get(x, 0));
        const char *key = json_string_value(json_array_get(x, 2));
        json_t *c = json_array_get(x, 3), *l = json_array_get(x, 4);
        if (!kind || !key || json_array_size(x) != 9 || json_array_size(c) != 7 ||
            json_array_size(l) != HQ_STATS_LEVELS)
            return -1;
        struct hq_roll_group *g =
            hq_roll_group(r, kind[0], (int32_t)json_integer_value(json_array_get(x, 1)), key);
        if (!g) return -1;
        int64_t *cs[7] = {&g->c.issued,    &g->c.called,  &g->c.served, &g->c.no_show,
                          &g->c.cancelled, &g->c.expired, &g->c.open};
        for (int k = 0; k < 7; k++)
            *cs[k] += json_integer_value(json_array_get(c, (size_t)k));
        for (int k = 0; k < HQ_STATS_LEVELS; k++)
            g->levels[k] += json_integer_value(json_array_get(l, (size_t)k));
        g->days += json_integer_value(json_array_get(x, 5));
        struct hq_roll_dist w = {0}, s = {0};
        int bad = dist_from(json_array_get(x, 6), &w) || dist_from(json_array_get(x, 7), &s);
        if (!bad) {
            /* merge through a one-group roll: the same sums as hq_roll_merge */
            g->wait.n += w.n;
            g->wait.sum += w.sum;
            g->wait.sumsq += w.sumsq;
            if (w.max > g->wait.max) g->wait.max = w.max;
            for (int32_t b = 0; !bad && b < w.nbins; b++)
                if (w.bins[b]) bad = hq_roll_dist_add_bin(&g->wait, b, w.bins[b]);
            g->service.n += s.n;
            g->service.sum += s.sum;
            g->service.sumsq += s.sumsq;
            if (s.max > g->service.max) g->service.max = s.max;
            for (int32_t b = 0; !bad && b < s.nbins; b++)
                if (s.bins[b]) bad = hq_roll_dist_add_bin(&g->service, b, s.bins[b]);
        }
        free(w.bins);
        free(s.bins);
        if (bad) return -1;
        size_t k;
        json_t *sv;
        json_array_foreach(json_array_get(x, 8), k, sv)
        {
            const char *code = json_string_value(json_array_get(sv, 0));
            if (!code || hq_roll_served_add(g, code, json_integer_value(json_array_get(sv, 1))))
                return -1;
        }
    }
    json_array_foreach(json_object_get(o, "reasons"), i, x)
    {
        const char *text = json_string_value(json_array_get(x, 0));
        if (!text || hq_roll_reason_add(r, text, json_integer_value(json_array_get(x, 1)),
                                        json_integer_value(json_array_get(x, 2))))
            return -1;
    }
    json_array_foreach(json_object_get(o, "events"), i, x)
    {
        const char *type = json_string_value(json_array_get(x, 0));
        if (!type) return -1;
        int k = 0;
        while (k < r->n_events && strcmp(r->events[k].type, type) != 0)
            k++;
        if (k == HQ_ROLL_EVENT_TYPES) continue;
        if (k == r->n_events) {
            snprintf(r->events[k].type, sizeof r->events[k].type, "%s", type);
            r->events[k].n = 0;
            r->n_events++;
        }
        r->events[k].n += json_integer_value(json_array_get(x, 1));
    }
    json_array_foreach(json_object_get(o, "estimate"), i, x)
    {
        const char *code = json_string_value(json_array_get(x, 0));
        if (!code) return -1;
        hq_roll_est_add(r, code, json_integer_value(json_array_get(x, 1)),
                        json_integer_value(json_array_get(x, 2)),
                        json_integer_value(json_array_get(x, 3)));
    }
    int64_t first = json_integer_value(json_object_get(o, "first_seq"));
    int64_t last = json_integer_value(json_object_get(o, "last_seq"));
    if (first && (!r->first_seq || first < r->first_seq)) r->first_seq = first;
    if (last > r->last_seq) r->last_seq = last;
    r->n_tickets += json_integer_value(json_object_get(o, "tickets"));
    r->n_evals += json_integer_value(json_object_get(o, "evals"));
    return 0;
}

int hq__rollup_decode(const char *json, struct hq_roll *into)
{
    json_t *o = json_loads(json, 0, NULL);
    if (!o) return -1;
    int rc = json_integer_value(json_object_get(o, "v")) == ROLLUP_VERSION &&
                     json_integer_value(json_object_get(o, "bin_s")) == HQ_ROLL_BIN_S
                 ? decode_into(o, into)
                 : -1;
    json_decref(o);
    return rc;
}

/* ---- a period ---- */

struct docs_ctx {
    struct hq_roll *roll;
    int32_t from, to; /* the closed days asked for */
    unsigned char *seen;
    int n_docs;
    int err;
};

static int on_doc(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)key;
    (void)t;
    struct docs_ctx *c = ctx;
    json_t *o = json_loads(json, 0, NULL);
    if (!o) return 0;
    int32_t day = (int32_t)json_integer_value(json_object_get(o, "day"));
    const char *tz = json_string_value(json_object_get(o, "tz"));
    long idx = day >= c->from && day <= c->to
                   ? (long)(hq_days_from_civil(day) - hq_days_from_civil(c->from))
                   : -1;
    if (idx >= 0 && !c->seen[idx] &&
        json_integer_value(json_object_get(o, "v")) == ROLLUP_VERSION &&
        json_integer_value(json_object_get(o, "bin_s")) == HQ_ROLL_BIN_S && tz &&
        strcmp(tz, zone()) == 0) {
        struct hq_roll one;
        hq_roll_init(&one);
        if (decode_into(o, &one) == 0) {
            if (hq_roll_merge(c->roll, &one)) c->err = 1;
            c->seen[idx] = 1;
            c->n_docs++;
        }
        hq_roll_release(&one);
    }
    json_decref(o);
    return c->err;
}

int hq__rollup_day_build(struct hq_store *st, pthread_mutex_t *mu, int32_t day,
                         int32_t target_wait_s, struct hq_roll *out, struct hq_why *why)
{
    struct hq_stats_input in;
    struct hq_report_trace trace;
    hq_stats_input_init(&in);
    int rc = hq__stats_gather_rows(st, mu, day, day, &in, &trace, why);
    for (size_t i = 0; rc == 0 && i < in.n_tickets; i++)
        if (hq_roll_add_ticket(out, &in.tickets[i], target_wait_s))
            rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory computing the figures");
    for (size_t i = 0; rc == 0 && i < in.n_evals; i++)
        if (hq_roll_add_eval(out, &in.evals[i]))
            rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory computing the figures");
    if (rc == 0) {
        for (int i = 0; i < trace.n_events; i++) {
            snprintf(out->events[i].type, sizeof out->events[i].type, "%s", trace.events[i].type);
            out->events[i].n = trace.events[i].n;
        }
        out->n_events = trace.n_events;
        out->first_seq = trace.first_seq;
        out->last_seq = trace.last_seq;
    }
    hq_stats_input_release(&in);
    return rc;
}

int hq__rollup_period(struct hq_store *st, pthread_mutex_t *mu, int32_t from, int32_t to,
                      int32_t closed_to, int32_t target_wait_s, struct hq_roll *out,
                      struct hq__rollup_writes *writes, struct hq_why *why)
{
    long n_days = (long)(hq_days_from_civil(to) - hq_days_from_civil(from)) + 1;
    struct docs_ctx c = {.roll = out, .from = from, .to = closed_to < to ? closed_to : to};
    c.seen = calloc((size_t)(n_days > 0 ? n_days : 1), 1);
    if (!c.seen) return hq_fail(why, HQ_EINTERNAL, "", "out of memory reading the period");
    int rc = 0;
    if (c.to >= from) {
        int64_t t0 = hq__local_midnight(from, 0), t1 = hq__local_midnight(c.to, 1);
        if (mu) pthread_mutex_lock(mu);
        rc = st->vt->doc_list(st, HQ_ROLLUP_KIND, t0, t1, 0, on_doc, &c);
        if (mu) pthread_mutex_unlock(mu);
        if (c.err)
            rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory reading the period");
        else if (rc)
            rc = hq_fail(why, HQ_ESTORE, "", "the history could not be read");
    }
    for (long i = 0; rc == 0 && i < n_days; i++) {
        if (c.seen[i]) continue;
        int32_t day = hq_civil_from_days(hq_days_from_civil(from) + i);
        struct hq_roll one;
        hq_roll_init(&one);
        rc = hq__rollup_day_build(st, mu, day, target_wait_s, &one, why);
        if (rc == 0 && hq_roll_merge(out, &one))
            rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory computing the figures");
        if (writes) writes->days_from_rows++;
        if (rc == 0 && day <= closed_to && writes && writes->n < HQ_ROLLUP_WRITES_MAX) {
            char *text = hq__rollup_encode(day, &one);
            if (text) {
                writes->day[writes->n] = day;
                writes->json[writes->n++] = text;
            }
        }
        hq_roll_release(&one);
    }
    if (writes) writes->days_from_docs += c.n_docs;
    free(c.seen);
    return rc;
}

void hq__rollup_writes_release(struct hq__rollup_writes *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->json[i]);
    w->n = 0;
}

int hq__rollup_batch(struct hq_batch *b, const struct hq__rollup_writes *w)
{
    for (size_t i = 0; i < w->n; i++) {
        char key[16];
        snprintf(key, sizeof key, "%08d", (int)w->day[i]);
        if (hq_batch_doc(b, HQ_ROLLUP_KIND, key, w->json[i], hq__local_midnight(w->day[i], 0)))
            return HQ_EINTERNAL;
    }
    return 0;
}

void hq__rollup_write_app(struct hq_app *a, const struct hq__rollup_writes *w)
{
    if (!w->n) return;
    struct hq_batch b;
    hq_batch_init(&b);
    struct hq_why why = {0};
    pthread_mutex_lock(&a->mu);
    if (hq__rollup_batch(&b, w) == 0)
        hq__app_commit_unlock(a, &b, &why);
    else
        pthread_mutex_unlock(&a->mu);
    hq_batch_release(&b);
}

void hq__stats_rollup_tick(struct hq_app *a)
{
    static pthread_mutex_t once_mu = PTHREAD_MUTEX_INITIALIZER;
    static int32_t done_day; /* the last closed day seen (per process: a day is checked once) */
    struct hq_now now;
    hq_app_now(a, &now);
    int32_t day = hq_civil_from_days(hq_days_from_civil(now.day) - HQ_ROLLUP_CLOSED_AFTER);
    pthread_mutex_lock(&once_mu);
    bool seen = done_day == day;
    done_day = day;
    pthread_mutex_unlock(&once_mu);
    if (seen) return;
    char key[16], *json = NULL;
    snprintf(key, sizeof key, "%08d", (int)day);
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->doc_get(a->reader, HQ_ROLLUP_KIND, key, &json);
    pthread_mutex_unlock(&a->reader_mu);
    struct hq_roll one;
    hq_roll_init(&one);
    bool have = rc == 0 && hq__rollup_decode(json, &one) == 0;
    free(json);
    hq_roll_release(&one);
    if (have) return;
    pthread_mutex_lock(&a->mu);
    int32_t target = a->hall.conf.target_wait_s > 0 ? a->hall.conf.target_wait_s : 900;
    pthread_mutex_unlock(&a->mu);
    struct hq__rollup_writes *w = calloc(1, sizeof *w);
    if (!w) return;
    hq_roll_init(&one);
    if (hq__rollup_day_build(a->reader, &a->reader_mu, day, target, &one, NULL) == 0) {
        w->json[0] = hq__rollup_encode(day, &one);
        w->day[0] = day;
        w->n = w->json[0] ? 1 : 0;
        hq__rollup_write_app(a, w);
    }
    hq_roll_release(&one);
    hq__rollup_writes_release(w);
    free(w);
}

void hq__rollup_trace(const struct hq_roll *r, struct hq_report_trace *tr)
{
    memset(tr, 0, sizeof *tr);
    for (int i = 0; i < r->n_events && i < HQ_REPORT_MAX_EVENT_TYPES; i++) {
        snprintf(tr->events[i].type, sizeof tr->events[i].type, "%s", r->events[i].type);
        tr->events[i].n = r->events[i].n;
        tr->n_events = i + 1;
    }
    tr->first_seq = r->first_seq;
    tr->last_seq = r->last_seq;
}

int hq_stats_rebuild_rollups(const char *db, const char *from, const char *to, int *days,
                             struct hq_why *why)
{
    *days = 0;
    struct hq_store *st = hq_store_open(db, why);
    if (!st) return why ? why->code : HQ_ESTORE;
    struct hq_hall h;
    hq_hall_init(&h);
    int64_t last_seq = 0;
    int rc = st->vt->load(st, &h, 99999999, &last_seq, why);
    int32_t d0 = 0, d1 = 0;
    if (rc == 0) {
        if (h.conf.timezone[0]) setenv("TZ", h.conf.timezone, 1);
        tzset();
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        int32_t today = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
        int32_t closed = hq_civil_from_days(hq_days_from_civil(today) - HQ_ROLLUP_CLOSED_AFTER);
        d0 = hq_civil_from_days(hq_days_from_civil(today) - 400);
        d1 = closed;
        if (from && *from && hq__parse_date(from, &d0) != 0)
            rc = hq_fail(why, HQ_EINVAL, "from", "%s must be a date YYYY-MM-DD", "from");
        else if (to && *to && hq__parse_date(to, &d1) != 0)
            rc = hq_fail(why, HQ_EINVAL, "to", "%s must be a date YYYY-MM-DD", "to");
        if (d1 > closed) d1 = closed;
    }
    int32_t target = h.conf.target_wait_s > 0 ? h.conf.target_wait_s : 900;
    struct hq_batch b;
    hq_batch_init(&b);
    for (int64_t x = hq_days_from_civil(d0); rc == 0 && x <= hq_days_from_civil(d1); x++) {
        int32_t day = hq_civil_from_days(x);
        struct hq_roll one;
        hq_roll_init(&one);
        rc = hq__rollup_day_build(st, NULL, day, target, &one, why);
        char *text = rc == 0 ? hq__rollup_encode(day, &one) : NULL;
        hq_roll_release(&one);
        if (rc == 0 && !text) rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        char key[16];
        snprintf(key, sizeof key, "%08d", (int)day);
        if (rc == 0 && hq_batch_doc(&b, HQ_ROLLUP_KIND, key, text, hq__local_midnight(day, 0)))
            rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        free(text);
        if (rc == 0) ++*days;
        if (rc == 0 && (b.n >= 31 || x == hq_days_from_civil(d1))) {
            struct hq_batch *bp = &b;
            rc = st->vt->commit(st, &bp, 1, why);
            hq_batch_release(&b);
            hq_batch_init(&b);
        }
    }
    hq_batch_release(&b);
    hq_hall_release(&h);
    hq_store_close(st);
    return rc;
}
