/* SPDX-License-Identifier: MIT */
/*
 * uc_help.c — help requests (issue 18): a customer presses 请求帮助 / Ask for help at a kiosk, at
 * the evaluation pad of a window or on the tracking page of a ticket, and a live alert appears on
 * the guide's console; a guide acknowledges it (on the way) and closes it (helped). GET /stats
 * counts the requests of a period and the median time to acknowledge.
 *
 * A request is a store document of kind "help" keyed by a random id, ordered by the time it was
 * made (so it survives a restart and the statistics read it back by period):
 *   {id, source: kiosk|pad|ticket, place: the device's name or "", window: n or 0,
 *    number: the ticket's number or "", service, day, status: open|acknowledged|closed,
 *    requested_at, acknowledged_at, acknowledged_by, closed_at, closed_by}
 * Nothing personal: the ticket's id (its holder's secret) is never stored, returned or published;
 * events carry the request's id, where it comes from (device name, window, ticket number) and its
 * status.
 *
 * Who may ask: a registered device (kiosk, pad: the X-Device-Key names it) or anyone with a
 * ticket's id (the tracking page). Abuse: a place with a request still open gets that request back
 * (200, no new alert), and public askers are rate limited per address (HELP_PER_MIN a minute).
 *
 * Read-modify-write of a request is serialised by hmu (lock order: hmu → reader_mu → mu), so two
 * guides acknowledging at once cannot both win: the second gets 409 naming the first.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app_int.h"
#include "hq_help.h"
#include "stats_rollup.h"

#define HELP_PER_MIN 5    /* public requests a minute from one address */
#define HELP_LIST_MAX 500 /* requests of a day listed */

static pthread_mutex_t hmu = PTHREAD_MUTEX_INITIALIZER;

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int64_t jint(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* The stored requests made in [from, to), newest first. */
static json_t *docs_between(struct hq_app *a, int64_t from, int64_t to, size_t max)
{
    return hq__docs_list(a, "help", from, to, max);
}

static int load(struct hq_app *a, const char *id, json_t **out, struct hq_why *why)
{
    if (strlen(id) != 16 || strspn(id, "0123456789abcdef") != 16)
        return hq_fail(why, HQ_ENOTFOUND, "", "no such help request");
    char *text = NULL;
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->doc_get(a->reader, "help", id, &text);
    pthread_mutex_unlock(&a->reader_mu);
    *out = rc == 0 && text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (!*out) return hq_fail(why, HQ_ENOTFOUND, "", "no such help request");
    return 0;
}

/* Seconds from the request to its acknowledgement, or -1. */
static int64_t ack_s(json_t *d)
{
    int64_t at = jint(d, "acknowledged_at");
    return at ? at - jint(d, "requested_at") : -1;
}

/* The view: times as text; staff also see who acknowledged and closed. */
static json_t *view(struct hq_app *a, json_t *d, bool staff)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "id", jstr(d, "id"), "source",
                          jstr(d, "source"), "place", jstr(d, "place"), "number", jstr(d, "number"),
                          "service", jstr(d, "service"), "status", jstr(d, "status"),
                          "requested_at", hq__time_json(a, jint(d, "requested_at")),
                          "acknowledged_at", hq__time_json(a, jint(d, "acknowledged_at")),
                          "closed_at", hq__time_json(a, jint(d, "closed_at")));
    if (!o) return NULL;
    json_object_set_new(o, "window",
                        jint(d, "window") ? json_integer(jint(d, "window")) : json_null());
    int64_t s = ack_s(d);
    json_object_set_new(o, "ack_s", s >= 0 ? json_integer(s) : json_null());
    if (staff) {
        json_object_set_new(o, "acknowledged_by", json_string(jstr(d, "acknowledged_by")));
        json_object_set_new(o, "closed_by", json_string(jstr(d, "closed_by")));
    }
    return o;
}

/* Event data: the request's id, where it comes from and its status; nothing personal. */
static json_t *event_data(json_t *d)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "id", jstr(d, "id"), "source",
                          jstr(d, "source"), "place", jstr(d, "place"), "number", jstr(d, "number"),
                          "service", jstr(d, "service"), "status", jstr(d, "status"));
    json_object_set_new(o, "window",
                        jint(d, "window") ? json_integer(jint(d, "window")) : json_null());
    int64_t s = ack_s(d);
    json_object_set_new(o, "ack_s", s >= 0 ? json_integer(s) : json_null());
    return o;
}

/* Store d (ordered by when it was asked) with its event; hmu held by the caller. */
static int save(struct hq_app *a, json_t *d, const char *actor, const char *type,
                struct hq_why *why)
{
    char *text = json_dumps(d, JSON_COMPACT);
    if (!text) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    struct hq_batch b;
    hq_batch_init(&b);
    int rc = hq_batch_doc(&b, "help", jstr(d, "id"), text, jint(d, "requested_at"));
    free(text);
    /* acknowledged or closed days later: the day's statistics rollup is made again */
    hq__rollup_drop(a, &b, 0, jint(d, "requested_at"));
    if (rc) {
        hq_batch_release(&b);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    pthread_mutex_lock(&a->mu);
    hq__app_event(a, &b, actor, type, event_data(d));
    return hq__app_commit_unlock(a, &b, why);
}

int hq_app_help_request(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                        bool *created, struct hq_why *why)
{
    static const char *const known[] = {"from", "ticket", "window", NULL};
    char from[16] = "", ticket[64] = "";
    int64_t window = 0;
    *created = false;
    if (in && !json_is_object(in)) return hq_fail(why, HQ_EINVAL, "", "an object is expected");
    int rc = in ? hq__in_known(in, known, why) : 0;
    if (rc == 0 && in) rc = hq__in_str(in, "from", false, from, sizeof from, why);
    if (rc == 0 && in) rc = hq__in_str(in, "ticket", false, ticket, sizeof ticket, why);
    if (rc == 0 && in) rc = hq__in_int(in, "window", false, 1, 9999, &window, why);
    if (rc) return rc;
    if (!from[0]) snprintf(from, sizeof from, "%s", ticket[0] ? "ticket" : "kiosk");
    if (strcmp(from, "kiosk") != 0 && strcmp(from, "pad") != 0 && strcmp(from, "ticket") != 0)
        return hq_fail(why, HQ_EINVAL, "from", "from: one of kiosk, pad, ticket");
    bool by_ticket = strcmp(from, "ticket") == 0;
    if (by_ticket && !ticket[0])
        return hq_fail(why, HQ_EINVAL, "ticket", "ticket: required when help is asked by ticket");
    if (!by_ticket && !who->device)
        return hq_fail(why, HQ_EUNAUTH, "",
                       "help: ask from a registered kiosk or pad, or with your ticket");
    if ((rc = hq__rate_public(a, who, "help", HELP_PER_MIN, "help requests", why))) return rc;

    struct hq_now now;
    hq_app_now(a, &now);
    char number[HQ_NUMBER_MAX] = "", service[HQ_CODE_MAX] = "", place[64] = "";
    if (by_ticket) {
        pthread_mutex_lock(&a->mu);
        struct hq_ticket *t = strlen(ticket) == HQ_ID_LEN ? hq_ticket_find(&a->hall, ticket) : NULL;
        if (t && t->day == now.day) {
            snprintf(number, sizeof number, "%s", t->number);
            snprintf(service, sizeof service, "%s", t->service);
            if (!window && t->window) window = t->window;
        }
        pthread_mutex_unlock(&a->mu);
        if (!number[0]) return hq_fail(why, HQ_EINVAL, "ticket", "ticket: no ticket of today");
    } else {
        snprintf(place, sizeof place, "%s", who->device_name);
    }

    pthread_mutex_lock(&hmu);
    /* A request still open from the same place is answered again, not repeated. */
    json_t *today = docs_between(a, hq__midnight(now.day, 0), 0, HELP_LIST_MAX);
    size_t i;
    json_t *d;
    json_t *same = NULL;
    json_array_foreach(today, i, d)
    {
        if (strcmp(jstr(d, "status"), "closed") == 0) continue;
        bool match =
            by_ticket
                ? strcmp(jstr(d, "number"), number) == 0 && strcmp(jstr(d, "source"), "ticket") == 0
                : strcmp(jstr(d, "place"), place) == 0 && strcmp(jstr(d, "source"), from) == 0 &&
                      jint(d, "window") == window;
        if (match) {
            same = d;
            break;
        }
    }
    if (same) {
        *out = view(a, same, false);
        json_decref(today);
        pthread_mutex_unlock(&hmu);
        return *out ? 0 : hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    json_decref(today);
    char id[17];
    hq__random_hex(id, 8);
    d = json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:i,s:s,s:I,s:I,s:s,s:I,s:s}", "id", id, "source", from,
                  "place", place, "window", (json_int_t)window, "number", number, "service",
                  service, "day", (int)now.day, "status", "open", "requested_at", (json_int_t)now.t,
                  "acknowledged_at", (json_int_t)0, "acknowledged_by", "", "closed_at",
                  (json_int_t)0, "closed_by", "");
    rc = d ? save(a, d, who->username, "help.requested", why)
           : hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    pthread_mutex_unlock(&hmu);
    if (rc == 0) {
        *out = view(a, d, false);
        *created = true;
    }
    json_decref(d);
    return rc;
}

int hq_app_help_action(struct hq_app *a, const struct hq_actor *who, const char *id,
                       const char *action, json_t **out, struct hq_why *why)
{
    bool ack = strcmp(action, "ack") == 0;
    pthread_mutex_lock(&hmu);
    json_t *d = NULL;
    int rc = load(a, id, &d, why);
    if (rc) {
        pthread_mutex_unlock(&hmu);
        return rc;
    }
    const char *st = jstr(d, "status");
    int64_t now = hq_app_time(a);
    if (ack && strcmp(st, "open") != 0)
        rc = hq_fail(why, HQ_ECONFLICT, "", "help: request already %s by %s", st,
                     strcmp(st, "closed") == 0 ? jstr(d, "closed_by") : jstr(d, "acknowledged_by"));
    else if (!ack && strcmp(st, "closed") == 0)
        rc = hq_fail(why, HQ_ECONFLICT, "", "help: request already %s by %s", st,
                     jstr(d, "closed_by"));
    if (rc == 0) {
        json_object_set_new(d, "status", json_string(ack ? "acknowledged" : "closed"));
        json_object_set_new(d, ack ? "acknowledged_at" : "closed_at", json_integer(now));
        json_object_set_new(d, ack ? "acknowledged_by" : "closed_by", json_string(who->username));
        rc = save(a, d, who->username, ack ? "help.acknowledged" : "help.closed", why);
    }
    pthread_mutex_unlock(&hmu);
    if (rc == 0) *out = view(a, d, true);
    json_decref(d);
    return rc;
}

int hq_app_help_list(struct hq_app *a, json_t **out, struct hq_why *why)
{
    (void)why;
    struct hq_now now;
    hq_app_now(a, &now);
    json_t *docs = docs_between(a, hq__midnight(now.day, 0), 0, HELP_LIST_MAX);
    json_t *arr = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d) json_array_append_new(arr, view(a, d, true));
    json_decref(docs);
    *out = arr;
    return 0;
}

int hq_app_help_get(struct hq_app *a, const char *id, json_t **out, struct hq_why *why)
{
    json_t *d = NULL;
    int rc = load(a, id, &d, why);
    if (rc) return rc;
    *out = view(a, d, false);
    json_decref(d);
    return *out ? 0 : hq_fail(why, HQ_EINTERNAL, "", "out of memory");
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

struct help_sums {
    json_t *h;
    int err;
};

static json_int_t geth(json_t *h, const char *k)
{
    return json_integer_value(json_object_get(h, k));
}

static void inc(json_t *h, const char *k)
{
    json_object_set_new(h, k, json_integer(geth(h, k) + 1));
}

static int help_row(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)key;
    (void)t;
    struct help_sums *c = ctx;
    json_t *d = json_loads(json, 0, NULL);
    if (!d) return 0;
    inc(c->h, "count");
    int64_t s = ack_s(d);
    if (s >= 0) {
        inc(c->h, "acknowledged");
        if (json_array_append_new(json_object_get(c->h, "acks"), json_integer(s))) c->err = 1;
    }
    if (strcmp(jstr(d, "status"), "closed") == 0) inc(c->h, "closed");
    json_decref(d);
    return c->err;
}

/* Sums (docs/STATS.md "Rollups"): {"count","acknowledged","closed","acks":[seconds …]} of the
 * requests asked in days [from, to]. The caller holds st's lock. */
int hq__help_fold(struct hq_store *st, int32_t from, int32_t to, json_t *sums)
{
    json_t *h = json_object_get(sums, "help");
    if (!h) {
        h = json_pack("{s:I,s:I,s:I,s:[]}", "count", (json_int_t)0, "acknowledged", (json_int_t)0,
                      "closed", (json_int_t)0, "acks");
        if (!h || json_object_set_new(sums, "help", h)) return -1;
    }
    struct help_sums c = {h, 0};
    int rc =
        st->vt->doc_list(st, "help", hq__midnight(from, 0), hq__midnight(to, 1), 0, help_row, &c);
    return rc || c.err ? -1 : 0;
}

/* The "help_requests" block of GET /stats from the sums: the median time to acknowledge of
 * every acknowledged request (the mean of the middle two when even, in whole seconds). */
json_t *hq__help_finish(json_t *sums)
{
    json_t *h = json_object_get(sums, "help"), *acks = json_object_get(h, "acks");
    size_t n = json_array_size(acks);
    int64_t *waits = calloc(n ? n : 1, sizeof *waits);
    json_t *median = json_null();
    if (n && waits) {
        for (size_t i = 0; i < n; i++)
            waits[i] = json_integer_value(json_array_get(acks, i));
        qsort(waits, n, sizeof *waits, cmp_i64);
        median = json_integer(n % 2 ? waits[n / 2] : (waits[n / 2 - 1] + waits[n / 2]) / 2);
    }
    free(waits);
    return json_pack("{s:I,s:I,s:I,s:o}", "count", geth(h, "count"), "acknowledged",
                     geth(h, "acknowledged"), "closed", geth(h, "closed"), "median_ack_s", median);
}

json_t *hq__help_counts(struct hq_app *a, int32_t from, int32_t to)
{
    json_t *sums = json_object();
    pthread_mutex_lock(&a->reader_mu);
    hq__help_fold(a->reader, from, to, sums);
    pthread_mutex_unlock(&a->reader_mu);
    json_t *out = hq__help_finish(sums);
    json_decref(sums);
    return out;
}
