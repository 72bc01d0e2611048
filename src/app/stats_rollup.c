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
 * The document (version 4): {"v","day","bin_s","tz","tickets","evals","first_seq","last_seq",
 * "events":[[type,n]…],"reasons":[[text,n,level_sum]…],"estimate":[[code,n,abs_sum,within]…],
 * "groups":base64,"sections":base64} where groups is one byte string of varints (unsigned LEB128;
 * signed numbers zigzag): the number of groups, then per group its kind (one byte), day, key
 * (length, bytes), the 7 counts (issued, called, served, no_show, cancelled, expired, open), the 5
 * evaluation levels, the days, WAIT and SERVICE = n, sum, sumsq, max, the number of non-empty bins
 * and per bin (bins skipped since the last one, count), and the served tickets per service (how
 * many; per service: code length, code, n). Version 2 had every group as nested JSON arrays: ~7,000
 * JSON values a busy day, whose parsing was most of a year's statistics; a version 2 document is
 * ignored and the day remade from its rows like any other stale one. "sections" (version 4) are
 * the day's sums of the blocks other modules keep — evaluation coverage, pauses, help requests,
 * appointments (stats_rollup.h): a tree of named integers and lists as bytes (put_sums), added
 * key by key into the period's sums; version 3 documents had none and are remade. Whatever changes
 * a closed day's rows deletes its document (hq__rollup_drop).
 *
 * A period decodes each document straight into its sums (no day's roll in between), after a
 * first pass over the same bytes that only checks them, so a document that is not one of ours
 * changes nothing and its day is read from the rows instead.
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

#define ROLLUP_VERSION 4

/* ---- the groups' byte string ---- */

struct wbuf {
    unsigned char *p;
    size_t n, cap;
    bool bad;
};

static void put_bytes(struct wbuf *b, const void *src, size_t n)
{
    if (b->bad) return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->n + n)
            cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p) {
            b->bad = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void put_u(struct wbuf *b, uint64_t v)
{
    unsigned char t[10];
    size_t n = 0;
    while (v >= 0x80) {
        t[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    t[n++] = (unsigned char)v;
    put_bytes(b, t, n);
}

static void put_i(struct wbuf *b, int64_t v)
{
    put_u(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63)); /* zigzag */
}

static void put_str(struct wbuf *b, const char *s)
{
    size_t n = strlen(s);
    put_u(b, n);
    put_bytes(b, s, n);
}

static void put_dist(struct wbuf *b, const struct hq_roll_dist *d)
{
    put_i(b, d->n);
    put_i(b, d->sum);
    put_i(b, d->sumsq);
    put_i(b, d->max);
    uint64_t nonempty = 0;
    for (int32_t k = 0; k < d->nbins; k++)
        nonempty += d->bins[k] != 0;
    put_u(b, nonempty);
    int32_t prev = -1;
    for (int32_t k = 0; k < d->nbins; k++) {
        if (!d->bins[k]) continue;
        put_u(b, (uint64_t)(k - prev - 1));
        put_i(b, d->bins[k]);
        prev = k;
    }
}

static void put_group(struct wbuf *b, const struct hq_roll_group *g)
{
    unsigned char kind = (unsigned char)g->kind;
    put_bytes(b, &kind, 1);
    put_i(b, g->day);
    put_str(b, g->key);
    const struct hq_stats_counts *c = &g->c;
    const int64_t counts[7] = {c->issued,    c->called,  c->served, c->no_show,
                               c->cancelled, c->expired, c->open};
    for (int k = 0; k < 7; k++)
        put_i(b, counts[k]);
    for (int k = 0; k < HQ_STATS_LEVELS; k++)
        put_i(b, g->levels[k]);
    put_i(b, g->days);
    put_dist(b, &g->wait);
    put_dist(b, &g->service);
    put_u(b, g->n_served);
    for (size_t k = 0; k < g->n_served; k++) {
        put_str(b, g->served[k].service);
        put_i(b, g->served[k].n);
    }
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* base64 of n bytes (malloc'd text), NULL when out of memory */
static char *b64_encode(const unsigned char *raw, size_t n)
{
    char *out = malloc((n + 2) / 3 * 4 + 1);
    if (!out) return NULL;
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
    return out;
}

static signed char b64_rev[256];
static pthread_once_t b64_once = PTHREAD_ONCE_INIT;

static void b64_init(void)
{
    memset(b64_rev, -1, sizeof b64_rev);
    for (int i = 0; i < 64; i++)
        b64_rev[(unsigned char)b64[i]] = (signed char)i;
}

/* The bytes of base64 text s (len chars) into a malloc'd *out; -1 when it is not base64 (or out
 * of memory). */
static int b64_decode(const char *s, size_t len, unsigned char **out, size_t *n)
{
    pthread_once(&b64_once, b64_init);
    while (len && s[len - 1] == '=')
        len--;
    unsigned char *p = malloc(len * 3 / 4 + 3);
    if (!p) return -1;
    size_t o = 0;
    uint32_t acc = 0;
    int nacc = 0;
    for (size_t i = 0; i < len; i++) {
        int x = b64_rev[(unsigned char)s[i]];
        if (x < 0) {
            free(p);
            return -1;
        }
        acc = acc << 6 | (uint32_t)x;
        nacc += 6;
        if (nacc >= 8) {
            nacc -= 8;
            p[o++] = (unsigned char)(acc >> nacc);
            acc &= (1u << nacc) - 1;
        }
    }
    *out = p;
    *n = o;
    return 0;
}

struct rbuf {
    const unsigned char *p, *end;
    bool bad;
};

static uint64_t get_u(struct rbuf *b)
{
    uint64_t v = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
        if (b->p >= b->end) break;
        unsigned char c = *b->p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) return v;
    }
    b->bad = true;
    return 0;
}

static int64_t get_i(struct rbuf *b)
{
    uint64_t u = get_u(b);
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* A string of at most max - 1 bytes into out (NUL-terminated). */
static void get_str(struct rbuf *b, char *out, size_t max)
{
    uint64_t n = get_u(b);
    if (b->bad || n >= max || n > (uint64_t)(b->end - b->p) || memchr(b->p, 0, (size_t)n)) {
        b->bad = true;
        out[0] = 0;
        return;
    }
    memcpy(out, b->p, (size_t)n);
    out[n] = 0;
    b->p += n;
}

/* A dist added to d (d NULL: only read). -1 on bad bytes or out of memory. */
static int get_dist(struct rbuf *b, struct hq_roll_dist *d)
{
    int64_t n = get_i(b), sum = get_i(b), sumsq = get_i(b), max = get_i(b);
    uint64_t nonempty = get_u(b);
    if (b->bad || n < 0 || nonempty > HQ_ROLL_BINS) return -1;
    if (d) {
        d->n += n;
        d->sum += sum;
        d->sumsq += sumsq;
        if (max > d->max) d->max = max;
    }
    int64_t bin = -1;
    for (uint64_t k = 0; k < nonempty; k++) {
        uint64_t skip = get_u(b);
        int64_t count = get_i(b);
        if (b->bad || skip >= HQ_ROLL_BINS) return -1;
        bin += (int64_t)skip + 1;
        if (bin >= HQ_ROLL_BINS) return -1;
        if (d && hq_roll_dist_add_bin(d, (int32_t)bin, count)) return -1;
    }
    return 0;
}

/* The groups' bytes added to r (r NULL: only checked). -1 when they are not what put_group
 * writes (or out of memory). */
static int get_groups(const unsigned char *p, size_t n, struct hq_roll *r)
{
    struct rbuf b = {p, p + n, false};
    uint64_t n_groups = get_u(&b);
    if (b.bad || n_groups > n) return -1;
    for (uint64_t i = 0; i < n_groups; i++) {
        if (b.p >= b.end) return -1;
        char kind = (char)*b.p++;
        int64_t day = get_i(&b);
        char key[sizeof((struct hq_roll_group *)0)->key];
        get_str(&b, key, sizeof key);
        if (b.bad || !kind || day < INT32_MIN || day > INT32_MAX) return -1;
        struct hq_roll_group *g = r ? hq_roll_group(r, kind, (int32_t)day, key) : NULL;
        if (r && !g) return -1;
        int64_t v[7 + HQ_STATS_LEVELS + 1];
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
            v[k] = get_i(&b);
        if (b.bad) return -1;
        if (g) {
            int64_t *cs[7] = {&g->c.issued,    &g->c.called,  &g->c.served, &g->c.no_show,
                              &g->c.cancelled, &g->c.expired, &g->c.open};
            for (int k = 0; k < 7; k++)
                *cs[k] += v[k];
            for (int k = 0; k < HQ_STATS_LEVELS; k++)
                g->levels[k] += v[7 + k];
            g->days += v[7 + HQ_STATS_LEVELS];
        }
        if (get_dist(&b, g ? &g->wait : NULL) || get_dist(&b, g ? &g->service : NULL)) return -1;
        uint64_t n_served = get_u(&b);
        if (b.bad || n_served > n) return -1;
        for (uint64_t k = 0; k < n_served; k++) {
            char code[HQ_CODE_MAX];
            get_str(&b, code, sizeof code);
            int64_t count = get_i(&b);
            if (b.bad) return -1;
            if (g && hq_roll_served_add(g, code, count)) return -1;
        }
    }
    return b.p == b.end ? 0 : -1;
}

/* The sections' sums (stats_rollup.h) as bytes: an object is its number of entries, then per
 * entry its key (length, bytes) and a tag: 0 an integer (zigzag), 1 a list (its length, the
 * integers), 2 an object (the same way). As JSON they were ~2,500 values to parse a busy day. */
static void put_sums(struct wbuf *b, json_t *o)
{
    put_u(b, json_object_size(o));
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        put_str(b, k);
        unsigned char tag = json_is_integer(v) ? 0 : json_is_array(v) ? 1 : 2;
        put_bytes(b, &tag, 1);
        if (tag == 0) {
            put_i(b, json_integer_value(v));
        } else if (tag == 1) {
            put_u(b, json_array_size(v));
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e) put_i(b, json_integer_value(e));
        } else {
            put_sums(b, v);
        }
    }
}

/* The bytes of put_sums added to into (dry: only checked, against into's types when into is not
 * NULL). -1 when they are not such bytes (or out of memory). */
static int get_sums(struct rbuf *b, json_t *into, bool dry, int depth)
{
    uint64_t n = get_u(b);
    if (b->bad || depth > 8 || n > (uint64_t)(b->end - b->p)) return -1;
    for (uint64_t i = 0; i < n; i++) {
        char key[256];
        get_str(b, key, sizeof key);
        if (b->bad || b->p >= b->end) return -1;
        unsigned char tag = *b->p++;
        json_t *x = into ? json_object_get(into, key) : NULL;
        if (tag == 0) {
            int64_t v = get_i(b);
            if (b->bad || (x && !json_is_integer(x))) return -1;
            if (dry) continue;
            if (x)
                json_integer_set(x, json_integer_value(x) + v);
            else if (json_object_set_new(into, key, json_integer(v)))
                return -1;
        } else if (tag == 1) {
            uint64_t m = get_u(b);
            if (b->bad || m > (uint64_t)(b->end - b->p) || (x && !json_is_array(x))) return -1;
            if (!dry && !x && json_object_set_new(into, key, x = json_array())) return -1;
            for (uint64_t j = 0; j < m; j++) {
                int64_t v = get_i(b);
                if (b->bad) return -1;
                if (!dry && json_array_append_new(x, json_integer(v))) return -1;
            }
        } else if (tag == 2) {
            if (x && !json_is_object(x)) return -1;
            if (!dry && !x && json_object_set_new(into, key, x = json_object())) return -1;
            if (get_sums(b, x, dry, depth + 1)) return -1;
        } else {
            return -1;
        }
    }
    return 0;
}

/* The base64 text of the sums' bytes (malloc'd), NULL when out of memory. */
static char *sums_b64(json_t *sums)
{
    struct wbuf wb = {0};
    put_sums(&wb, sums);
    char *out = wb.bad ? NULL : b64_encode(wb.p, wb.n);
    free(wb.p);
    return out;
}

/* A document's sections (base64 text s64 of len chars, NULL when missing) added to sec (NULL: only
 * checked), checked whole first: 0, -1 when it is not one of ours (sec unchanged), -2 when out of
 * memory half way. */
static int sections_decode(const char *s64, size_t len, json_t *sec)
{
    unsigned char *raw = NULL;
    size_t n = 0;
    if (!s64 || b64_decode(s64, len, &raw, &n)) return -1;
    struct rbuf b = {raw, raw + n, false};
    int rc = get_sums(&b, sec, true, 0) || b.p != b.end ? -1 : 0;
    if (rc == 0 && sec) {
        struct rbuf b2 = {raw, raw + n, false};
        if (get_sums(&b2, sec, false, 0)) rc = -2;
    }
    free(raw);
    return rc;
}

/* ---- the sections (stats_rollup.h) ---- */

/* Add day's sums to into (dry: only check that they would add up). -1 when day is not of the
 * sums' shape: objects of integers, arrays of integers and such objects, matching into's types. */
static int sums_add(json_t *into, json_t *day, bool dry, int depth)
{
    if (!json_is_object(day) || depth > 8) return -1;
    const char *k;
    json_t *v;
    json_object_foreach(day, k, v)
    {
        json_t *x = into ? json_object_get(into, k) : NULL;
        if (json_is_integer(v)) {
            if (x && !json_is_integer(x)) return -1;
            if (dry) continue;
            if (x)
                json_integer_set(x, json_integer_value(x) + json_integer_value(v));
            else if (json_object_set_new(into, k, json_integer(json_integer_value(v))))
                return -1;
        } else if (json_is_array(v)) {
            if (x && !json_is_array(x)) return -1;
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e) if (!json_is_integer(e)) return -1;
            if (dry) continue;
            if (!x && json_object_set_new(into, k, x = json_array())) return -1;
            if (json_array_extend(x, v)) return -1;
        } else if (json_is_object(v)) {
            if (x && !json_is_object(x)) return -1;
            if (!dry && !x && json_object_set_new(into, k, x = json_object())) return -1;
            if (sums_add(x, v, dry, depth + 1)) return -1;
        } else {
            return -1;
        }
    }
    return 0;
}

int hq__sections_add(json_t *into, json_t *day)
{
    if (sums_add(into, day, true, 0)) return -1;
    return sums_add(into, day, false, 0);
}

int hq__sections_fold(struct hq_store *st, pthread_mutex_t *mu, int32_t from, int32_t to,
                      int64_t now, json_t *sums)
{
    if (mu) pthread_mutex_lock(mu);
    int rc = hq__eval_coverage_fold(st, from, to, sums);
    if (rc == 0) rc = hq__pauses_fold(st, from, to, now, sums);
    if (rc == 0) rc = hq__help_fold(st, from, to, sums);
    if (rc == 0) rc = hq__appointments_fold(st, from, to, sums);
    if (mu) pthread_mutex_unlock(mu);
    return rc ? -1 : 0;
}

void hq__sections_json(const struct hq_hall *h, json_t *sums, json_t *out)
{
    json_object_set_new(out, "appointments", hq__appointments_finish(sums));
    json_object_set_new(out, "help_requests", hq__help_finish(sums));
    json_object_set_new(out, "pauses", hq__pauses_finish(h, sums));
    json_object_set_new(out, "evaluation_coverage", hq__eval_coverage_finish(sums));
}

void hq__rollup_drop(struct hq_app *a, struct hq_batch *b, int32_t day, int64_t t)
{
    struct hq_now now;
    hq_app_now(a, &now);
    int32_t closed_to = hq_civil_from_days(hq_days_from_civil(now.day) - HQ_ROLLUP_CLOSED_AFTER);
    int32_t of_t = 0;
    if (t > 0) {
        time_t tt = (time_t)t;
        struct tm tm;
        localtime_r(&tt, &tm);
        of_t = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    }
    int32_t days[2] = {day, of_t != day ? of_t : 0};
    for (int i = 0; i < 2; i++) {
        if (days[i] <= 0 || days[i] > closed_to) continue;
        char key[16];
        snprintf(key, sizeof key, "%08d", (int)days[i]);
        hq_batch_doc_delete(b, HQ_ROLLUP_KIND, key, now.t);
    }
}

static const char *zone(void)
{
    const char *tz = getenv("TZ");
    return tz ? tz : "";
}

char *hq__rollup_encode(int32_t day, const struct hq_roll *r, json_t *sections)
{
    json_t *events = json_array(), *reasons = json_array(), *est = json_array();
    struct wbuf gb = {0};
    put_u(&gb, r->n);
    for (size_t i = 0; i < r->n; i++)
        put_group(&gb, &r->g[i]);
    char *groups = gb.bad ? NULL : b64_encode(gb.p, gb.n);
    free(gb.p);
    int bad = !groups || !events || !reasons || !est;
    for (size_t i = 0; !bad && i < r->n_est; i++)
        bad = json_array_append_new(
                  est, json_pack("[s,I,I,I]", r->est[i].code, (json_int_t)r->est[i].n,
                                 (json_int_t)r->est[i].abs_sum, (json_int_t)r->est[i].within)) != 0;
    for (int i = 0; !bad && i < r->n_events; i++)
        bad = json_array_append_new(
                  events, json_pack("[s,I]", r->events[i].type, (json_int_t)r->events[i].n)) != 0;
    for (size_t i = 0; !bad && i < r->n_reasons; i++)
        bad = json_array_append_new(reasons, json_pack("[s,I,I]", r->reasons[i].text,
                                                       (json_int_t)r->reasons[i].n,
                                                       (json_int_t)r->reasons[i].level_sum)) != 0;
    if (bad) {
        free(groups);
        json_decref(events);
        json_decref(reasons);
        json_decref(est);
        return NULL;
    }
    json_t *empty = sections ? NULL : json_object();
    char *sec = sums_b64(sections ? sections : empty);
    json_decref(empty);
    json_t *o =
        json_pack("{s:i,s:i,s:i,s:s,s:I,s:I,s:I,s:I,s:o,s:o,s:s,s:o,s:s}", "v", ROLLUP_VERSION,
                  "day", (int)day, "bin_s", HQ_ROLL_BIN_S, "tz", zone(), "tickets",
                  (json_int_t)r->n_tickets, "evals", (json_int_t)r->n_evals, "first_seq",
                  (json_int_t)r->first_seq, "last_seq", (json_int_t)r->last_seq, "events", events,
                  "reasons", reasons, "groups", groups, "estimate", est, "sections", sec);
    free(groups);
    free(sec);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return s;
}

/* The document o's parts other than the groups added to r (r NULL: only checked). */
static int decode_rest(json_t *o, struct hq_roll *r)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(o, "reasons"), i, x)
    {
        const char *text = json_string_value(json_array_get(x, 0));
        if (!text) return -1;
        if (r && hq_roll_reason_add(r, text, json_integer_value(json_array_get(x, 1)),
                                    json_integer_value(json_array_get(x, 2))))
            return -1;
    }
    json_array_foreach(json_object_get(o, "events"), i, x)
    {
        const char *type = json_string_value(json_array_get(x, 0));
        if (!type) return -1;
        if (!r) continue;
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
        if (r)
            hq_roll_est_add(r, code, json_integer_value(json_array_get(x, 1)),
                            json_integer_value(json_array_get(x, 2)),
                            json_integer_value(json_array_get(x, 3)));
    }
    if (!r) return 0;
    int64_t first = json_integer_value(json_object_get(o, "first_seq"));
    int64_t last = json_integer_value(json_object_get(o, "last_seq"));
    if (first && (!r->first_seq || first < r->first_seq)) r->first_seq = first;
    if (last > r->last_seq) r->last_seq = last;
    r->n_tickets += json_integer_value(json_object_get(o, "tickets"));
    r->n_evals += json_integer_value(json_object_get(o, "evals"));
    return 0;
}

/* The two long strings of a document (base64 text, not NUL-terminated), NULL when missing. */
struct b64_parts {
    const char *groups, *sections;
    size_t n_groups, n_sections;
};

/* Add the document o (a parsed rollup, its long strings in t) to r and its sections to sec (may
 * be NULL): checked whole first, so -1 (not one of ours) leaves r and sec as they were; -2 when
 * out of memory half way (r is then incomplete). */
static int decode_into(json_t *o, const struct b64_parts *t, struct hq_roll *r, json_t *sec)
{
    unsigned char *raw = NULL;
    size_t n = 0;
    if (!t->groups || b64_decode(t->groups, t->n_groups, &raw, &n)) return -1;
    int rc = get_groups(raw, n, NULL) || decode_rest(o, NULL) ||
                     sections_decode(t->sections, t->n_sections, NULL)
                 ? -1
                 : 0;
    if (rc == 0 && (get_groups(raw, n, r) || decode_rest(o, r) ||
                    (sec && sections_decode(t->sections, t->n_sections, sec))))
        rc = -2;
    free(raw);
    return rc;
}

/* Where the value of the member "name":"…" of json starts (after its opening quote) and how long
 * it is up to the next quote, when it is there as rollup_json writes it (compact); else NULL.
 * Whether those characters are base64 is b64_decode's check (a backslash is not). */
static const char *b64_member(const char *json, const char *name, size_t *len)
{
    char pat[24];
    snprintf(pat, sizeof pat, "\"%s\":\"", name);
    const char *v = strstr(json, pat);
    if (!v) return NULL;
    v += strlen(pat);
    const char *end = strchr(v, '"');
    if (!end) return NULL;
    *len = (size_t)(end - v);
    return v;
}

/* Parse a rollup document: the ~150 KB of its two base64 strings are not handed to jansson (whose
 * parse of them, a character at a time, was most of a year's statistics) but pointed at in json
 * (*t); jansson parses the rest, a few hundred bytes, with those two values emptied — and they
 * must then read "" there, so a pattern found anywhere else than those members is never taken
 * for them. A document of another shape is parsed whole (and *t points into the parse). NULL
 * when it is not JSON; *t is valid while json and the answer are. */
static json_t *doc_parse(const char *json, struct b64_parts *t)
{
    *t = (struct b64_parts){0};
    size_t ng = 0, ns = 0;
    const char *g = b64_member(json, "groups", &ng);
    const char *sc = g ? b64_member(json, "sections", &ns) : NULL;
    if (g && sc) {
        size_t len = strlen(json);
        char *rest = malloc(len + 1 - ng - ns); /* json without the two values */
        if (rest) {
            const char *a = g < sc ? g : sc, *b = g < sc ? sc : g;
            size_t na = g < sc ? ng : ns, nb = g < sc ? ns : ng;
            size_t k = (size_t)(a - json);
            memcpy(rest, json, k);
            size_t mid = (size_t)(b - (a + na));
            memcpy(rest + k, a + na, mid);
            memcpy(rest + k + mid, b + nb, len - (size_t)(b + nb - json) + 1);
            json_t *o = json_loads(rest, 0, NULL);
            free(rest);
            json_t *og = json_object_get(o, "groups"), *os = json_object_get(o, "sections");
            if (o && json_is_string(og) && json_string_length(og) == 0 && json_is_string(os) &&
                json_string_length(os) == 0) {
                *t = (struct b64_parts){g, sc, ng, ns};
                return o;
            }
            json_decref(o);
        }
    }
    json_t *o = json_loads(json, 0, NULL);
    if (!o) return NULL;
    json_t *og = json_object_get(o, "groups"), *os = json_object_get(o, "sections");
    *t = (struct b64_parts){json_string_value(og), json_string_value(os), json_string_length(og),
                            json_string_length(os)};
    return o;
}

int hq__rollup_decode(const char *json, struct hq_roll *into, json_t *into_sections)
{
    struct b64_parts t;
    json_t *o = doc_parse(json, &t);
    if (!o) return -1;
    int rc = json_integer_value(json_object_get(o, "v")) == ROLLUP_VERSION &&
                     json_integer_value(json_object_get(o, "bin_s")) == HQ_ROLL_BIN_S
                 ? decode_into(o, &t, into, into_sections)
                 : -1;
    if (rc < -1) rc = -1;
    json_decref(o);
    return rc;
}

/* ---- a period ---- */

struct docs_ctx {
    struct hq_roll *roll;
    json_t *sections;
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
    struct b64_parts parts;
    json_t *o = doc_parse(json, &parts);
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
        int rc = decode_into(o, &parts, c->roll, c->sections); /* straight into the sums */
        if (rc == -2) c->err = 1;
        if (rc == 0) {
            c->seen[idx] = 1;
            c->n_docs++;
        }
    }
    json_decref(o);
    return c->err;
}

int hq__rollup_day_build(struct hq_store *st, pthread_mutex_t *mu, int32_t day,
                         int32_t target_wait_s, int64_t now, struct hq_roll *out, json_t *sections,
                         struct hq_why *why)
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
    if (rc == 0 && sections && hq__sections_fold(st, mu, day, day, now, sections))
        rc = hq_fail(why, HQ_ESTORE, "", "the history could not be read");
    return rc;
}

int hq__rollup_period(struct hq_store *st, pthread_mutex_t *mu, int32_t from, int32_t to,
                      int32_t closed_to, int32_t target_wait_s, int64_t now, struct hq_roll *out,
                      json_t *sections, struct hq__rollup_writes *writes, struct hq_why *why)
{
    long n_days = (long)(hq_days_from_civil(to) - hq_days_from_civil(from)) + 1;
    struct docs_ctx c = {
        .roll = out, .sections = sections, .from = from, .to = closed_to < to ? closed_to : to};
    c.seen = calloc((size_t)(n_days > 0 ? n_days : 1), 1);
    if (!c.seen) return hq_fail(why, HQ_EINTERNAL, "", "out of memory reading the period");
    int rc = 0;
    if (c.to >= from) {
        int64_t t0 = hq__midnight(from, 0), t1 = hq__midnight(c.to, 1);
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
        json_t *sec = json_object();
        rc = sec ? hq__rollup_day_build(st, mu, day, target_wait_s, now, &one, sec, why)
                 : hq_fail(why, HQ_EINTERNAL, "", "out of memory computing the figures");
        if (rc == 0 && (hq_roll_merge(out, &one) || (sections && hq__sections_add(sections, sec))))
            rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory computing the figures");
        if (writes) writes->days_from_rows++;
        if (rc == 0 && day <= closed_to && writes && writes->n < HQ_ROLLUP_WRITES_MAX) {
            char *text = hq__rollup_encode(day, &one, sec);
            if (text) {
                writes->day[writes->n] = day;
                writes->json[writes->n++] = text;
            }
        }
        json_decref(sec);
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
        if (hq_batch_doc(b, HQ_ROLLUP_KIND, key, w->json[i], hq__midnight(w->day[i], 0)))
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
    bool have = rc == 0 && hq__rollup_decode(json, &one, NULL) == 0;
    free(json);
    hq_roll_release(&one);
    if (have) return;
    pthread_mutex_lock(&a->mu);
    int32_t target = a->hall.conf.target_wait_s > 0 ? a->hall.conf.target_wait_s : 900;
    pthread_mutex_unlock(&a->mu);
    struct hq__rollup_writes *w = calloc(1, sizeof *w);
    if (!w) return;
    hq_roll_init(&one);
    json_t *sec = json_object();
    if (sec &&
        hq__rollup_day_build(a->reader, &a->reader_mu, day, target, now.t, &one, sec, NULL) == 0) {
        w->json[0] = hq__rollup_encode(day, &one, sec);
        w->day[0] = day;
        w->n = w->json[0] ? 1 : 0;
        hq__rollup_write_app(a, w);
    }
    json_decref(sec);
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
        json_t *sec = json_object();
        rc = hq__rollup_day_build(st, NULL, day, target, (int64_t)time(NULL), &one, sec, why);
        char *text = rc == 0 ? hq__rollup_encode(day, &one, sec) : NULL;
        json_decref(sec);
        hq_roll_release(&one);
        if (rc == 0 && !text) rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        char key[16];
        snprintf(key, sizeof key, "%08d", (int)day);
        if (rc == 0 && hq_batch_doc(&b, HQ_ROLLUP_KIND, key, text, hq__midnight(day, 0)))
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
