/* SPDX-License-Identifier: MIT */
/*
 * uc_appointments.c — appointments (预约, API.md "Appointments (预约) — the public face";
 * docs/APPOINTMENTS.md): the booking settings and which services are bookable, the bookable slots
 * of a day, booking (public and rate limited, or staff on a caller's behalf), the customer's view
 * and cancel by the booking's secret id, check-in by code (an `appointment` ticket through the
 * ticket use case), the staff list of a day, and the tick that marks missed bookings. The rules
 * (slots, capacity, walk-in share, limits, check-in window) are src/core/booking.c.
 *
 * Storage: a booking is a document of kind "appointment" keyed by its id, its time the slot's
 * start, so a day's bookings are one range read; the settings are the document setting/
 * appointments, kept in memory (a->appt_conf, under mu). Every change goes through the batch with
 * its event; events carry the service, the slot and the status, never the phone, ID number, id or
 * code. bmu serialises the read-modify-write of bookings (capacity and limits are checked against
 * what is committed). Lock order: bmu → reader_mu (briefly) → mu.
 *
 * The ID number is never stored: a booking keeps its keyed hash (id_hash, idnum.c) and the limits
 * compare hashes. A booking is changed in place (another slot of its service, same checks, same
 * code and id) by its secret id.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "../core/hq_booking.h"
#include "app_int.h"
#include "notify.h"
#include "hq_appointments.h"
#include "stats_rollup.h"

static pthread_mutex_t bmu = PTHREAD_MUTEX_INITIALIZER;
static const struct hq_app *scrubbed; /* the app whose bookings have no clear ID (under bmu) */

/* ---- settings ---- */

struct conf {
    int slot_min, capacity, walk_pct, horizon, per_day, per_week, early, late, reminder;
};

static const struct conf DEFAULTS = {30, 0, 30, 14, 1, 3, 30, 15, 60};

static int geti(json_t *o, const char *k, int def)
{
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? (int)json_integer_value(v) : def;
}

/* Under mu. */
static struct conf conf_now(struct hq_app *a)
{
    struct conf c = DEFAULTS;
    json_t *o = a->appt_conf;
    if (!o) return c;
    c.slot_min = geti(o, "slot_minutes", c.slot_min);
    c.capacity = geti(o, "capacity", c.capacity);
    json_t *w = json_object_get(o, "walk_in_share");
    if (json_is_number(w)) c.walk_pct = (int)lround(json_number_value(w) * 100);
    c.horizon = geti(o, "horizon_days", c.horizon);
    c.per_day = geti(o, "limit_per_day", c.per_day);
    c.per_week = geti(o, "limit_per_week", c.per_week);
    c.early = geti(o, "checkin_early_minutes", c.early);
    c.late = geti(o, "checkin_late_minutes", c.late);
    c.reminder = geti(o, "reminder_minutes", c.reminder);
    return c;
}

static json_t *conf_json(struct hq_app *a)
{
    struct conf c = conf_now(a);
    json_t *bk = json_object_get(a->appt_conf, "bookable");
    return json_pack("{s:i,s:i,s:f,s:i,s:i,s:i,s:i,s:i,s:i,s:o}", "slot_minutes", c.slot_min,
                     "capacity", c.capacity, "walk_in_share", c.walk_pct / 100.0, "horizon_days",
                     c.horizon, "limit_per_day", c.per_day, "limit_per_week", c.per_week,
                     "checkin_early_minutes", c.early, "checkin_late_minutes", c.late,
                     "reminder_minutes", c.reminder, "bookable",
                     json_is_array(bk) ? json_deep_copy(bk) : json_array());
}

int hq__appointments_load(struct hq_app *a, struct hq_why *why)
{
    (void)why;
    char *text = NULL;
    if (a->store->vt->doc_get(a->store, "setting", "appointments", &text) == 0 && text)
        a->appt_conf = json_loads(text, 0, NULL);
    free(text);
    return 0;
}

void hq__appointments_release(struct hq_app *a)
{
    pthread_mutex_lock(&bmu);
    if (scrubbed == a) scrubbed = NULL; /* a later app may get the same address */
    pthread_mutex_unlock(&bmu);
    json_decref(a->appt_conf);
    a->appt_conf = NULL;
}

bool hq__appointments_bookable(struct hq_app *a, const char *code)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(a->appt_conf, "bookable"), i,
                       v) if (json_is_string(v) &&
                              strcmp(json_string_value(v), code) == 0) return true;
    return false;
}

/* Under mu: store the settings doc o (stolen) and keep it in memory; mu released. */
static int conf_commit(struct hq_app *a, const struct hq_actor *who, json_t *o, struct hq_why *why)
{
    char *text = json_dumps(o, JSON_COMPACT);
    if (!text) {
        pthread_mutex_unlock(&a->mu);
        json_decref(o);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    struct hq_batch b;
    hq_batch_init(&b);
    hq_batch_doc(&b, "setting", "appointments", text, hq_app_time(a));
    free(text);
    hq__app_event(a, &b, who->username, "appointment.settings", json_object());
    json_t *old = a->appt_conf;
    a->appt_conf = o;
    int rc = hq__app_commit_unlock(a, &b, why);
    pthread_mutex_lock(&a->mu);
    if (rc) { /* not durable: back to what the store has */
        a->appt_conf = old;
        json_decref(o);
    } else {
        json_decref(old);
    }
    pthread_mutex_unlock(&a->mu);
    return rc;
}

int hq__appointments_bookable_check(json_t *in, struct hq_why *why)
{
    json_t *v = json_object_get(in, "bookable");
    if (v && !json_is_null(v) && !json_is_boolean(v))
        return hq_fail(why, HQ_EINVAL, "bookable", "bookable: true or false");
    return 0;
}

int hq__appointments_bookable_put(struct hq_app *a, const struct hq_actor *who, const char *code,
                                  json_t *in, struct hq_why *why)
{
    json_t *v = json_object_get(in, "bookable");
    if (!json_is_boolean(v)) return 0;
    pthread_mutex_lock(&bmu);
    pthread_mutex_lock(&a->mu);
    if (hq__appointments_bookable(a, code) == json_is_true(v)) {
        pthread_mutex_unlock(&a->mu);
        pthread_mutex_unlock(&bmu);
        return 0;
    }
    json_t *o = a->appt_conf ? json_deep_copy(a->appt_conf) : json_object();
    json_t *arr = json_array(), *old = json_object_get(o, "bookable"), *x;
    size_t i;
    json_array_foreach(old, i, x) if (json_is_string(x) && strcmp(json_string_value(x), code) != 0)
        json_array_append(arr, x);
    if (json_is_true(v)) json_array_append_new(arr, json_string(code));
    json_object_set_new(o, "bookable", arr);
    int rc = conf_commit(a, who, o, why);
    pthread_mutex_unlock(&bmu);
    return rc;
}

int hq_app_appointment_settings_get(struct hq_app *a, json_t **out)
{
    pthread_mutex_lock(&a->mu);
    *out = conf_json(a);
    pthread_mutex_unlock(&a->mu);
    return 0;
}

int hq_app_appointment_settings_put(struct hq_app *a, const struct hq_actor *who, json_t *in,
                                    json_t **out, struct hq_why *why)
{
    static const char *const known[] = {"slot_minutes",
                                        "capacity",
                                        "walk_in_share",
                                        "horizon_days",
                                        "limit_per_day",
                                        "limit_per_week",
                                        "checkin_early_minutes",
                                        "checkin_late_minutes",
                                        "reminder_minutes",
                                        "bookable",
                                        NULL};
    static const struct {
        const char *key;
        int64_t min, max;
    } ints[] = {{"slot_minutes", 5, 240},        {"capacity", 0, 10000},
                {"horizon_days", 1, 366},        {"limit_per_day", 0, 100},
                {"limit_per_week", 0, 100},      {"checkin_early_minutes", 0, 240},
                {"checkin_late_minutes", 0, 30}, {"reminder_minutes", 0, 1440}};
    if (!in) return hq_fail(why, HQ_EINVAL, "slot_minutes", "slot_minutes: required");
    int rc = hq__in_known(in, known, why);
    if (rc) return rc;
    json_t *set = json_object();
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        int64_t v = 0;
        if ((rc = hq__in_int(in, ints[i].key, false, ints[i].min, ints[i].max, &v, why))) break;
        json_t *g = json_object_get(in, ints[i].key);
        if (g && !json_is_null(g)) json_object_set_new(set, ints[i].key, json_integer(v));
    }
    json_t *w = json_object_get(in, "walk_in_share");
    if (!rc && w && !json_is_null(w)) {
        if (!json_is_number(w) || json_number_value(w) < 0 || json_number_value(w) > 1)
            rc = hq_fail(why, HQ_EINVAL, "walk_in_share",
                         "walk_in_share: a number from 0 to 1 (0.3 keeps 30%% for walk-ins)");
        else
            json_object_set_new(set, "walk_in_share",
                                json_real(lround(json_number_value(w) * 100) / 100.0));
    }
    json_t *bk = json_object_get(in, "bookable");
    pthread_mutex_lock(&bmu);
    pthread_mutex_lock(&a->mu);
    if (!rc && bk && !json_is_null(bk)) {
        size_t i;
        json_t *x;
        if (!json_is_array(bk))
            rc = hq_fail(why, HQ_EINVAL, "bookable", "bookable: an array of service codes");
        json_array_foreach(bk, i, x) if (!rc && (!json_is_string(x) ||
                                                 !hq_service_find(&a->hall, json_string_value(x))))
            rc = hq_fail(why, HQ_EINVAL, "bookable", "bookable: an array of service codes");
        if (!rc) json_object_set(set, "bookable", bk);
    }
    if (rc) {
        pthread_mutex_unlock(&a->mu);
        pthread_mutex_unlock(&bmu);
        json_decref(set);
        return rc;
    }
    json_t *o = a->appt_conf ? json_deep_copy(a->appt_conf) : json_object();
    json_object_update(o, set);
    json_decref(set);
    rc = conf_commit(a, who, o, why);
    pthread_mutex_unlock(&bmu);
    if (!rc) hq_app_appointment_settings_get(a, out);
    return rc;
}

/* ---- time helpers (the hall's time zone is the process's, app.c) ---- */

static int64_t local_t(int32_t day, int minute)
{
    struct tm tm = {0};
    tm.tm_year = day / 10000 - 1900;
    tm.tm_mon = day / 100 % 100 - 1;
    tm.tm_mday = day % 100;
    tm.tm_hour = minute / 60;
    tm.tm_min = minute % 60;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

static int32_t local_day(int64_t t, int *minute)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    if (minute) *minute = tm.tm_hour * 60 + tm.tm_min;
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* ---- bookings as documents ---- */

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int64_t jint(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* Bookings whose slot starts in [from, to), newest first. */
static json_t *bookings_between(struct hq_app *a, int64_t from, int64_t to)
{
    return hq__docs_list(a, "appointment", from, to, 0);
}

static bool live(json_t *d)
{
    return strcmp(jstr(d, "status"), "cancelled") != 0;
}

/* The customer's view: never the phone or ID number. */
static json_t *view(struct hq_app *a, json_t *d)
{
    json_t *o =
        json_pack("{s:s,s:s,s:s,s:o,s:o,s:s}", "id", jstr(d, "id"), "code", jstr(d, "code"),
                  "service", jstr(d, "service"), "start", hq__time_json(a, jint(d, "start")), "end",
                  hq__time_json(a, jint(d, "end")), "status", jstr(d, "status"));
    const char *t = jstr(d, "ticket");
    json_object_set_new(o, "ticket", *t ? json_string(t) : json_null());
    return o;
}

/* Event data: the service, the slot and the status only. */
static json_t *event_data(struct hq_app *a, json_t *d)
{
    return json_pack("{s:s,s:o,s:s}", "service", jstr(d, "service"), "start",
                     hq__time_json(a, jint(d, "start")), "status", jstr(d, "status"));
}

/* Under mu: add d and its event to a batch and commit; mu released. moved_from: the slot a
 * changed booking had (0: none). */
static int commit_booking_from(struct hq_app *a, const char *actor, json_t *d, const char *event,
                               int64_t moved_from, struct hq_why *why)
{
    char *text = json_dumps(d, JSON_COMPACT);
    if (!text) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    struct hq_batch b;
    hq_batch_init(&b);
    hq_batch_doc(&b, "appointment", jstr(d, "id"), text, jint(d, "start"));
    free(text);
    /* a status changed after the slot's day closed (missed days later): the day's statistics
     * rollup is made again */
    hq__rollup_drop(a, &b, 0, jint(d, "start"));
    if (moved_from) hq__rollup_drop(a, &b, 0, moved_from);
    hq__app_event(a, &b, actor, event, event_data(a, d));
    /* The customer's message (docs/NOTIFY.md), queued in the same batch as the booking's change,
     * so it exists exactly when the change is durable. */
    if (strcmp(event, "appointment.booked") == 0 || strcmp(event, "appointment.reminder") == 0) {
        json_t *start = hq__time_json(a, jint(d, "start"));
        char slot[20] = "";
        if (json_is_string(start)) {
            snprintf(slot, sizeof slot, "%.16s", json_string_value(start));
            if (slot[10] == 'T') slot[10] = ' ';
        }
        hq__notify_enqueue(a, &b, event, jstr(d, "phone"), NULL,
                           json_pack("{s:s,s:s,s:s,s:o}", "code", jstr(d, "code"), "service",
                                     jstr(d, "service"), "slot", slot, "start", start));
    }
    return hq__app_commit_unlock(a, &b, why);
}

static int commit_booking(struct hq_app *a, const char *actor, json_t *d, const char *event,
                          struct hq_why *why)
{
    return commit_booking_from(a, actor, d, event, 0, why);
}

static bool valid_id(const char *id)
{
    return strlen(id) == HQ_ID_LEN && strspn(id, "0123456789abcdef") == HQ_ID_LEN;
}

static int load_booking(struct hq_app *a, const char *id, json_t **out, struct hq_why *why)
{
    char *text = NULL;
    int rc = HQ_ENOTFOUND;
    if (valid_id(id)) {
        pthread_mutex_lock(&a->reader_mu);
        rc = a->reader->vt->doc_get(a->reader, "appointment", id, &text);
        pthread_mutex_unlock(&a->reader_mu);
    }
    *out = rc == 0 && text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (!*out) return hq_fail(why, HQ_ENOTFOUND, "", "no such appointment");
    return 0;
}

/* ---- slots ---- */

struct slot_ctx {
    struct conf c;
    struct hq_service svc;
    struct hq_hours hall_hours;
    int32_t windows; /* windows whose list holds the service */
    int32_t offered; /* bookable places of one slot */
};

/* The service's booking context; HQ_EINVAL "service" when unknown or not bookable. */
static int slot_ctx(struct hq_app *a, const char *code, struct slot_ctx *x, struct hq_why *why)
{
    pthread_mutex_lock(&a->mu);
    struct hq_service *s = code ? hq_service_find(&a->hall, code) : NULL;
    bool ok = s && s->enabled && hq__appointments_bookable(a, code);
    if (ok) {
        x->c = conf_now(a);
        x->svc = *s;
        x->hall_hours = a->hall.conf.hours;
        x->windows = 0;
        for (size_t i = 0; i < a->hall.n_windows; i++)
            for (int k = 0; k < a->hall.windows[i].n_services; k++)
                if (strcmp(a->hall.windows[i].services[k], code) == 0) x->windows++;
    }
    pthread_mutex_unlock(&a->mu);
    if (!ok)
        return hq_fail(why, HQ_EINVAL, "service", "service: '%.8s' takes no appointments",
                       code ? code : "");
    int32_t cap =
        hq_booking_capacity(x->c.slot_min, x->svc.avg_service_s, x->windows, x->c.capacity);
    x->offered = hq_booking_offered(cap, x->c.walk_pct);
    return 0;
}

/* Places taken in the slot starting at t. */
static int32_t taken(json_t *docs, const char *service, int64_t t)
{
    int32_t n = 0;
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d) n +=
        live(d) && jint(d, "start") == t && strcmp(jstr(d, "service"), service) == 0;
    return n;
}

/* The slot starts of day (unix times) into starts; how many. */
static int day_slots(struct hq_app *a, const struct slot_ctx *x, int32_t day, int64_t *starts)
{
    struct hq_calendar *cal = malloc(sizeof *cal);
    int32_t mins[HQ_SLOTS_MAX];
    if (!cal) return 0;
    hq__calendar_load(a, day, day, cal);
    int n = hq_booking_slots(&x->svc.hours, &x->hall_hours, cal, day, x->c.slot_min, mins,
                             HQ_SLOTS_MAX);
    free(cal);
    for (int i = 0; i < n; i++)
        starts[i] = local_t(day, mins[i]);
    return n;
}

int hq_app_appointment_slots(struct hq_app *a, const char *service, const char *date, json_t **out,
                             struct hq_why *why)
{
    struct slot_ctx x;
    int rc = slot_ctx(a, service, &x, why);
    if (rc) return rc;
    int32_t day = 0;
    if (!date || hq__parse_date(date, &day) != 0 || !hq_day_valid(day))
        return hq_fail(why, HQ_EINVAL, "date", "date: a day as YYYY-MM-DD");
    struct hq_now now;
    hq_app_now(a, &now);
    if (hq_day_diff(day, now.day) > x.c.horizon)
        return hq_fail(why, HQ_EINVAL, "date", "date: bookings are taken at most %d days ahead",
                       x.c.horizon);
    json_t *slots = json_array();
    if (day >= now.day) {
        int64_t starts[HQ_SLOTS_MAX];
        int n = day_slots(a, &x, day, starts);
        json_t *docs = bookings_between(a, local_t(day, 0), local_t(hq_day_plus(day, 1), 0));
        for (int i = 0; i < n; i++) {
            if (starts[i] <= now.t) continue;
            int32_t left = x.offered - taken(docs, service, starts[i]);
            json_array_append_new(slots,
                                  json_pack("{s:o,s:o,s:i}", "start", hq__time_json(a, starts[i]),
                                            "end", hq__time_json(a, starts[i] + x.c.slot_min * 60),
                                            "available", left > 0 ? (int)left : 0));
        }
        json_decref(docs);
    }
    char ds[16];
    hq__format_date(day, ds, sizeof ds);
    *out = json_pack("{s:s,s:s,s:o}", "service", service, "date", ds, "slots", slots);
    return 0;
}

/* ---- booking ---- */

/* A mainland mobile number (spaces, dashes, +86 allowed) into its 11 digits; false if not one. */
static bool norm_phone(const char *p, char out[12])
{
    char d[24];
    size_t n = 0;
    for (const char *c = p; *c; c++) {
        if (*c >= '0' && *c <= '9') {
            if (n + 1 >= sizeof d) return false;
            d[n++] = *c;
        } else if (!(*c == '+' && c == p) && *c != '-' && *c != ' ')
            return false;
    }
    d[n] = '\0';
    const char *m = (n == 13 && strncmp(d, "86", 2) == 0) ? d + 2 : d;
    if (strlen(m) != 11 || m[0] != '1' || m[1] < '3' || m[1] > '9') return false;
    memcpy(out, m, 12);
    return true;
}

/* Is start a slot of x's service offered now (future, within the horizon)? 409 "start" if not. */
static int offered_slot(struct hq_app *a, const struct slot_ctx *x, const struct hq_now *now,
                        int64_t start, struct hq_why *why)
{
    int32_t day = local_day(start, NULL);
    bool is_slot = false;
    if (start > now->t && day >= now->day && hq_day_diff(day, now->day) <= x->c.horizon) {
        int64_t starts[HQ_SLOTS_MAX];
        int n = day_slots(a, x, day, starts);
        for (int i = 0; i < n && !is_slot; i++)
            is_slot = starts[i] == start;
    }
    if (!is_slot)
        return hq_fail(why, HQ_ECONFLICT, "start",
                       "start: not a bookable slot of this service (see GET /appointments/slots)");
    return 0;
}

/* Under bmu, docs the week's bookings: a place left in the slot, and the limits of phone and ID
 * hash (the booking `self`, being moved, not counted). */
static int room_and_limits(json_t *docs, const char *self, const struct slot_ctx *x,
                           const char *service, int64_t start, const char *phone, const char *idh,
                           struct hq_why *why)
{
    size_t n = json_array_size(docs), k = 0, i;
    struct hq_booking_rec *recs = calloc(n + 1, sizeof *recs);
    json_t *d;
    int rc;
    json_array_foreach(docs, i,
                       d) if (live(d) && recs && !(self && strcmp(jstr(d, "id"), self) == 0))
    {
        recs[k].day = local_day(jint(d, "start"), NULL);
        recs[k].phone = jstr(d, "phone");
        recs[k].id_number = jstr(d, "id_hash");
        k++;
    }
    if (!recs)
        rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    else if (taken(docs, service, start) >= x->offered)
        rc = hq_fail(why, HQ_ECONFLICT, "start", "start: this slot is fully booked");
    else
        rc = hq_booking_limits(recs, k, local_day(start, NULL), phone, idh, x->c.per_day,
                               x->c.per_week, why);
    free(recs);
    return rc;
}

int hq_app_appointment_book(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                            struct hq_why *why)
{
    static const char *const known[] = {"service", "start", "phone", "id_number", NULL};
    char service[8] = "", start_s[40] = "", phone_in[32] = "", id_in[32] = "", phone[12] = "",
         idn[19] = "", idh[HQ_IDHASH_LEN + 1] = "";
    if (!in) return hq_fail(why, HQ_EINVAL, "service", "service: required");
    int rc = hq__in_known(in, known, why);
    if (!rc) rc = hq__in_str(in, "service", true, service, sizeof service, why);
    if (!rc) rc = hq__in_str(in, "start", true, start_s, sizeof start_s, why);
    if (!rc) rc = hq__in_str(in, "phone", true, phone_in, sizeof phone_in, why);
    if (!rc) rc = hq__in_str(in, "id_number", false, id_in, sizeof id_in, why);
    if (rc) return rc;
    if (!norm_phone(phone_in, phone))
        return hq_fail(why, HQ_EINVAL, "phone",
                       "phone: the 11 digits of a mobile number, such as 13812345678");
    if (id_in[0] && (rc = hq__idnum_parse(id_in, idn, why))) return rc;
    int64_t start = 0;
    if (hq__parse_time(start_s, &start) != 0)
        return hq_fail(why, HQ_EINVAL, "start",
                       "start: a slot's start as GET /appointments/slots gives it");
    struct slot_ctx x;
    if ((rc = slot_ctx(a, service, &x, why))) return rc;
    if ((rc = hq_app_rate_check(a, who, why))) return rc;
    /* the number itself is never kept: its keyed hash is what the limits count */
    if (idn[0] && (rc = hq__idnum_hash(a, idn, idh, why))) return rc;
    char idm[HQ_IDNUM_LEN + 1] = ""; /* what staff may see */
    if (idn[0]) hq_idnum_mask(idm, idn);
    sodium_memzero(idn, sizeof idn);
    sodium_memzero(id_in, sizeof id_in);

    struct hq_now now;
    hq_app_now(a, &now);
    int32_t day = local_day(start, NULL);
    if ((rc = offered_slot(a, &x, &now, start, why))) return rc;

    pthread_mutex_lock(&bmu);
    int32_t w0 = hq_day_week_start(day);
    json_t *docs = bookings_between(a, local_t(w0, 0), local_t(hq_day_plus(w0, 7), 0)), *d;
    rc = room_and_limits(docs, NULL, &x, service, start, phone, idh, why);
    size_t i;
    char id[HQ_ID_LEN + 1], code[HQ_BOOKING_CODE_LEN + 1];
    hq__random_hex(id, HQ_ID_LEN / 2);
    for (bool clash = true; !rc && clash;) {
        unsigned char rnd[HQ_BOOKING_CODE_LEN];
        randombytes_buf(rnd, sizeof rnd);
        hq_booking_code(rnd, code);
        clash = false;
        json_array_foreach(docs, i, d) clash |= strcmp(jstr(d, "code"), code) == 0;
    }
    json_decref(docs);
    if (rc) {
        pthread_mutex_unlock(&bmu);
        return rc;
    }
    json_t *b =
        json_pack("{s:s,s:s,s:s,s:I,s:I,s:s,s:s,s:s,s:I,s:s}", "id", id, "code", code, "service",
                  service, "start", (json_int_t)start, "end",
                  (json_int_t)(start + x.c.slot_min * 60), "status", "booked", "phone", phone,
                  "id_hash", idh, "created_at", (json_int_t)now.t, "by", who->username);
    if (idm[0]) json_object_set_new(b, "id_masked", json_string(idm));
    pthread_mutex_lock(&a->mu);
    rc = commit_booking(a, who->username, b, "appointment.booked", why);
    pthread_mutex_unlock(&bmu);
    if (!rc) *out = view(a, b);
    json_decref(b);
    return rc;
}

int hq_app_appointment_get(struct hq_app *a, const char *id, json_t **out, struct hq_why *why)
{
    json_t *d = NULL;
    int rc = load_booking(a, id, &d, why);
    if (rc) return rc;
    *out = view(a, d);
    json_decref(d);
    return 0;
}

int hq_app_appointment_cancel(struct hq_app *a, const struct hq_actor *who, const char *id,
                              json_t **out, struct hq_why *why)
{
    json_t *d = NULL;
    pthread_mutex_lock(&bmu);
    int rc = load_booking(a, id, &d, why);
    if (!rc && strcmp(jstr(d, "status"), "booked") != 0)
        rc = hq_fail(why, HQ_ECONFLICT, "", "the appointment is %s: only a booked one is cancelled",
                     jstr(d, "status"));
    if (!rc) {
        json_object_set_new(d, "status", json_string("cancelled"));
        json_object_set_new(d, "cancelled_at", json_integer(hq_app_time(a)));
        pthread_mutex_lock(&a->mu);
        rc = commit_booking(a, who->username, d, "appointment.cancelled", why);
    }
    pthread_mutex_unlock(&bmu);
    if (!rc) *out = view(a, d);
    json_decref(d);
    return rc;
}

int hq_app_appointment_change(struct hq_app *a, const struct hq_actor *who, const char *id,
                              json_t *in, json_t **out, struct hq_why *why)
{
    static const char *const known[] = {"start", NULL};
    char start_s[40] = "";
    if (!in) return hq_fail(why, HQ_EINVAL, "start", "start: required");
    int rc = hq__in_known(in, known, why);
    if (!rc) rc = hq__in_str(in, "start", true, start_s, sizeof start_s, why);
    if (rc) return rc;
    int64_t start = 0;
    if (hq__parse_time(start_s, &start) != 0)
        return hq_fail(why, HQ_EINVAL, "start",
                       "start: a slot's start as GET /appointments/slots gives it");
    json_t *d = NULL;
    pthread_mutex_lock(&bmu);
    rc = load_booking(a, id, &d, why);
    if (!rc && strcmp(jstr(d, "status"), "booked") != 0)
        rc = hq_fail(why, HQ_ECONFLICT, "",
                     "the appointment is %s: only a booked one can be changed", jstr(d, "status"));
    if (!rc && jint(d, "start") == start)
        rc = hq_fail(why, HQ_ECONFLICT, "start", "start: the booking is for this slot already");
    struct slot_ctx x;
    struct hq_now now;
    hq_app_now(a, &now);
    if (!rc) rc = slot_ctx(a, jstr(d, "service"), &x, why);
    if (!rc) rc = offered_slot(a, &x, &now, start, why);
    if (!rc) {
        int32_t w0 = hq_day_week_start(local_day(start, NULL));
        json_t *docs = bookings_between(a, local_t(w0, 0), local_t(hq_day_plus(w0, 7), 0));
        rc = room_and_limits(docs, jstr(d, "id"), &x, jstr(d, "service"), start, jstr(d, "phone"),
                             jstr(d, "id_hash"), why);
        json_decref(docs);
    }
    int64_t old_start = rc ? 0 : jint(d, "start");
    if (!rc) {
        json_object_set_new(d, "start", json_integer(start));
        json_object_set_new(d, "end", json_integer(start + x.c.slot_min * 60));
        json_object_set_new(d, "changed_at", json_integer(now.t));
        json_object_set_new(d, "changes", json_integer(jint(d, "changes") + 1));
        json_object_del(d, "reminded_at"); /* a reminder for the new slot */
        pthread_mutex_lock(&a->mu);
        rc = commit_booking_from(a, who->username, d, "appointment.changed", old_start, why);
    }
    pthread_mutex_unlock(&bmu);
    if (!rc) *out = view(a, d);
    json_decref(d);
    return rc;
}

/* ---- check-in ---- */

int hq_app_appointment_checkin(struct hq_app *a, const struct hq_actor *who, json_t *in,
                               json_t **out, struct hq_why *why)
{
    static const char *const known[] = {"code", NULL};
    char given[32] = "", code[HQ_BOOKING_CODE_LEN + 1];
    if (!in) return hq_fail(why, HQ_EINVAL, "code", "code: required");
    int rc = hq__in_known(in, known, why);
    if (!rc) rc = hq__in_str(in, "code", true, given, sizeof given, why);
    if (rc) return rc;
    if (!hq_booking_code_norm(given, code))
        return hq_fail(why, HQ_ENOTFOUND, "code", "code: no booking with this code");
    struct hq_now now;
    hq_app_now(a, &now);
    pthread_mutex_lock(&a->mu);
    struct conf c = conf_now(a);
    pthread_mutex_unlock(&a->mu);

    pthread_mutex_lock(&bmu);
    /* A code is looked for among the slots of the days around today: check-in is near the slot. */
    json_t *docs = bookings_between(a, local_t(hq_day_plus(now.day, -2), 0),
                                    local_t(hq_day_plus(now.day, 3), 0));
    json_t *d = NULL, *x;
    size_t i;
    json_array_foreach(docs, i, x) if (strcmp(jstr(x, "code"), code) == 0 && live(x)) d = x;
    if (!d) {
        /* a booking further ahead: said so rather than "unknown" */
        json_decref(docs);
        docs = bookings_between(a, local_t(now.day, 0), 0);
        json_array_foreach(docs, i, x) if (strcmp(jstr(x, "code"), code) == 0 && live(x)) d = x;
    }
    char when[40];
    if (!d)
        rc = hq_fail(why, HQ_ENOTFOUND, "code", "code: no booking with this code");
    else if (strcmp(jstr(d, "status"), "checked_in") == 0)
        rc = hq_fail(why, HQ_ECONFLICT, "code", "code: this booking has been checked in already");
    else if (strcmp(jstr(d, "status"), "missed") == 0 ||
             hq_booking_checkin_window(jint(d, "start"), now.t, c.early, c.late) > 0) {
        hq_app_format_time(a, jint(d, "start") + (int64_t)c.late * 60, when, sizeof when);
        rc = hq_fail(why, HQ_ECONFLICT, "code",
                     "code: check-in closed at %s: the appointment was missed; please take a "
                     "ticket",
                     when);
    } else if (hq_booking_checkin_window(jint(d, "start"), now.t, c.early, c.late) < 0) {
        hq_app_format_time(a, jint(d, "start") - (int64_t)c.early * 60, when, sizeof when);
        rc = hq_fail(why, HQ_ECONFLICT, "code", "code: check-in opens at %s", when);
    }
    if (rc) {
        pthread_mutex_unlock(&bmu);
        json_decref(docs);
        return rc;
    }
    /* The ticket through the ticket use case, issued on the booking's behalf: who may check in was
     * decided by the route; the kiosk's printer still prints it. */
    struct hq_actor on_behalf = *who;
    if (on_behalf.role == HQ_ROLE_NONE) on_behalf.role = HQ_ROLE_GUIDE;
    char at[40];
    hq_app_format_time(a, jint(d, "start"), at, sizeof at);
    json_t *tin = json_pack("{s:s,s:s,s:s,s:s,s:s}", "service", jstr(d, "service"), "category",
                            "appointment", "channel", who->device ? "kiosk" : "guide", "phone",
                            jstr(d, "phone"), "appointment_at", at);
    json_t *ticket = NULL;
    rc = hq_app_ticket_issue(a, &on_behalf, tin, &ticket, why);
    json_decref(tin);
    const char *tid = json_string_value(json_object_get(ticket, "id"));
    if (!rc && tid) {
        json_object_set_new(d, "status", json_string("checked_in"));
        json_object_set_new(d, "ticket", json_string(tid));
        json_object_set_new(d, "checked_in_at", json_integer(now.t));
        pthread_mutex_lock(&a->mu);
        rc = commit_booking(a, who->username, d, "appointment.checked_in", why);
        if (!rc) rc = hq_app_ticket_get(a, tid, out, why); /* the public view, as a kiosk shows */
    }
    pthread_mutex_unlock(&bmu);
    json_decref(ticket);
    json_decref(docs);
    return rc;
}

/* ---- staff list and counts ---- */

static json_t *counts_of(json_t *docs, const char *service)
{
    json_t *c =
        json_pack("{s:i,s:i,s:i,s:i}", "booked", 0, "checked_in", 0, "missed", 0, "cancelled", 0);
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        if (service && strcmp(service, jstr(d, "service")) != 0) continue;
        json_t *v = json_object_get(c, jstr(d, "status"));
        if (v) json_integer_set(v, json_integer_value(v) + 1);
    }
    return c;
}

static int count_row(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)key;
    (void)t;
    json_t *d = json_loads(json, 0, NULL);
    if (!d) return 0;
    json_t *v = json_object_get(ctx, jstr(d, "status"));
    if (v) json_integer_set(v, json_integer_value(v) + 1);
    json_decref(d);
    return 0;
}

/* Sums (docs/STATS.md "Rollups"): {"booked","checked_in","missed","cancelled"} of the bookings
 * whose slot is in days [from, to]. The caller holds st's lock. */
int hq__appointments_fold(struct hq_store *st, int32_t from, int32_t to, json_t *sums)
{
    json_t *c = json_object_get(sums, "appointments");
    if (!c) {
        c = json_pack("{s:I,s:I,s:I,s:I}", "booked", (json_int_t)0, "checked_in", (json_int_t)0,
                      "missed", (json_int_t)0, "cancelled", (json_int_t)0);
        if (!c || json_object_set_new(sums, "appointments", c)) return -1;
    }
    return st->vt->doc_list(st, "appointment", local_t(from, 0), local_t(hq_day_plus(to, 1), 0), 0,
                            count_row, c)
               ? -1
               : 0;
}

/* The "appointments" block of GET /stats from the sums. */
json_t *hq__appointments_finish(json_t *sums)
{
    json_t *c = json_object_get(sums, "appointments");
    return json_pack("{s:I,s:I,s:I,s:I}", "booked",
                     json_integer_value(json_object_get(c, "booked")), "checked_in",
                     json_integer_value(json_object_get(c, "checked_in")), "missed",
                     json_integer_value(json_object_get(c, "missed")), "cancelled",
                     json_integer_value(json_object_get(c, "cancelled")));
}

json_t *hq__appointments_counts(struct hq_app *a, int32_t from, int32_t to)
{
    json_t *sums = json_object();
    pthread_mutex_lock(&a->reader_mu);
    hq__appointments_fold(a->reader, from, to, sums);
    pthread_mutex_unlock(&a->reader_mu);
    json_t *out = hq__appointments_finish(sums);
    json_decref(sums);
    return out;
}

int hq_app_appointments_list(struct hq_app *a, const char *date, const char *service, json_t **out,
                             struct hq_why *why)
{
    struct hq_now now;
    hq_app_now(a, &now);
    int32_t day = now.day;
    if (date && *date && (hq__parse_date(date, &day) != 0 || !hq_day_valid(day)))
        return hq_fail(why, HQ_EINVAL, "date", "date: a day as YYYY-MM-DD");
    if (service && !*service) service = NULL;
    if (service && !hq_valid_service_code(service))
        return hq_fail(why, HQ_EINVAL, "service", "service: must be a service code");
    json_t *docs = bookings_between(a, local_t(day, 0), local_t(hq_day_plus(day, 1), 0));
    json_t *arr = json_array();
    for (size_t i = json_array_size(docs); i-- > 0;) { /* oldest slot first */
        json_t *d = json_array_get(docs, i);
        if (service && strcmp(service, jstr(d, "service")) != 0) continue;
        json_t *v = view(a, d);
        json_object_del(v, "id"); /* the customer's secret */
        char masked[HQ_PHONE_MAX];
        hq_mask_phone(masked, jstr(d, "phone"));
        json_object_set_new(v, "phone", json_string(masked));
        json_object_set_new(v, "by", json_string(jstr(d, "by")));
        const char *idm = jstr(d, "id_masked");
        json_object_set_new(v, "id_number", *idm ? json_string(idm) : json_null());
        json_array_append_new(arr, v);
    }
    char ds[16];
    hq__format_date(day, ds, sizeof ds);
    *out = json_pack("{s:s,s:o,s:o,s:o}", "date", ds, "service",
                     service ? json_string(service) : json_null(), "appointments", arr, "counts",
                     counts_of(docs, service));
    json_decref(docs);
    return 0;
}

/* ---- the tick: missed bookings and reminders ---- */

/* Bookings made before ID numbers were hashed kept the number in clear: the first tick replaces
 * it by its keyed hash (once per process and hall). */
static void scrub_clear_ids(struct hq_app *a)
{
    if (scrubbed == a) return;
    json_t *docs = bookings_between(a, 1, 0), *d;
    size_t i;
    int rc = 0;
    json_array_foreach(docs, i, d)
    {
        const char *clear = jstr(d, "id_number");
        char idn[19], idh[HQ_IDHASH_LEN + 1] = "";
        struct hq_why why;
        if (!json_object_get(d, "id_number")) continue;
        if (*clear && hq_idnum_norm(clear, idn) == HQ_IDNUM_OK &&
            (rc = hq__idnum_hash(a, idn, idh, &why)) != 0)
            break;
        json_object_del(d, "id_number");
        json_object_set_new(d, "id_hash", json_string(idh));
        if (idh[0]) {
            char idm[HQ_IDNUM_LEN + 1];
            hq_idnum_mask(idm, idn);
            json_object_set_new(d, "id_masked", json_string(idm));
        }
        char *text = json_dumps(d, JSON_COMPACT);
        struct hq_batch b;
        hq_batch_init(&b);
        if (text) hq_batch_doc(&b, "appointment", jstr(d, "id"), text, jint(d, "start"));
        free(text);
        pthread_mutex_lock(&a->mu);
        if ((rc = hq__app_commit_unlock(a, &b, &why)) != 0) break;
    }
    json_decref(docs);
    if (!rc) scrubbed = a;
}

void hq__appointments_tick(struct hq_app *a)
{
    struct hq_now now;
    hq_app_now(a, &now);
    pthread_mutex_lock(&a->mu);
    struct conf c = conf_now(a);
    pthread_mutex_unlock(&a->mu);
    pthread_mutex_lock(&bmu);
    scrub_clear_ids(a);
    json_t *docs = bookings_between(a, local_t(hq_day_plus(now.day, -3), 0),
                                    now.t + (int64_t)c.reminder * 60 + 1);
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        if (strcmp(jstr(d, "status"), "booked") != 0) continue;
        int64_t start = jint(d, "start");
        const char *event = NULL;
        if (hq_booking_is_missed(start, now.t, c.late)) {
            json_object_set_new(d, "status", json_string("missed"));
            json_object_set_new(d, "missed_at", json_integer(now.t));
            event = "appointment.missed";
        } else if (!jint(d, "reminded_at") && c.reminder > 0 &&
                   now.t >= start - (int64_t)c.reminder * 60) {
            json_object_set_new(d, "reminded_at", json_integer(now.t));
            event = "appointment.reminder";
        }
        if (!event) continue;
        struct hq_why why;
        pthread_mutex_lock(&a->mu);
        if (commit_booking(a, "", d, event, &why) != 0)
            fprintf(stderr, "hallq: appointment not updated: %s\n", why.message);
    }
    pthread_mutex_unlock(&bmu);
    json_decref(docs);
}
