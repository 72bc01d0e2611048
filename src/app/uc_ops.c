/* SPDX-License-Identifier: MIT */
/*
 * uc_ops.c — what the operations records share (hq_ops.h, docs/OPERATIONS.md): loading, listing
 * and committing their store documents, the strict reader of their inputs (one table of fields per
 * record: text with a length limit, dates, integers, one-of lists, lists of texts or of small
 * objects), local days, the schedule chains (next due day, late and missed dues over a period)
 * and the hall's suspension of ticketing as the incidents use it. The records themselves live in
 * uc_ops_plans.c, uc_ops_incident.c, uc_ops_facility.c and uc_ops_info.c.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app_int.h"
#include "hq_ops.h"

static pthread_mutex_t omu = PTHREAD_MUTEX_INITIALIZER;

void hq__ops_lock(void)
{
    pthread_mutex_lock(&omu);
}

void hq__ops_unlock(void)
{
    pthread_mutex_unlock(&omu);
}

const char *hq__ops_str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

int64_t hq__ops_int(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

bool hq__ops_id_ok(const char *id)
{
    return id && strlen(id) == 16 && strspn(id, "0123456789abcdef") == 16;
}

json_t *hq__ops_list(struct hq_app *a, const char *kind)
{
    return hq__docs_list(a, kind, 0, 0, HQ_OPS_LIST_MAX);
}

int hq__ops_load(struct hq_app *a, const char *kind, const char *id, const char *what, json_t **out,
                 struct hq_why *why)
{
    if (!hq__ops_id_ok(id)) return hq_fail(why, HQ_ENOTFOUND, "", "no %s '%.20s'", what, id);
    char *text = NULL;
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->doc_get(a->reader, kind, id, &text);
    pthread_mutex_unlock(&a->reader_mu);
    if (rc != 0 || !text) {
        free(text);
        return hq_fail(why, HQ_ENOTFOUND, "", "no %s '%.20s'", what, id);
    }
    *out = json_loads(text, 0, NULL);
    free(text);
    return *out ? 0 : hq_fail(why, HQ_EINTERNAL, "", "stored %s unreadable", what);
}

int hq__ops_commit(struct hq_app *a, const struct hq_actor *who, const char *kind, const char *id,
                   json_t *d, const char *type, json_t *data, struct hq_why *why)
{
    char *text = d ? json_dumps(d, JSON_COMPACT) : NULL;
    if (d && !text) {
        json_decref(data);
        return hq_fail(why, HQ_EINTERNAL, "", "cannot encode the record");
    }
    struct hq_batch b;
    hq_batch_init(&b);
    int64_t now = hq_app_time(a);
    pthread_mutex_lock(&a->mu);
    if (d)
        hq_batch_doc(&b, kind, id, text, hq__ops_int(d, "t") ? hq__ops_int(d, "t") : now);
    else
        hq_batch_doc_delete(&b, kind, id, now);
    free(text);
    if (type) hq__app_event(a, &b, who ? who->username : "", type, data);
    return hq__app_commit_unlock(a, &b, why);
}

int32_t hq__ops_day_of(struct hq_app *a, int64_t t)
{
    (void)a; /* the process runs in the hall's time zone (TZ), as the rest of the app */
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

int32_t hq__ops_today(struct hq_app *a)
{
    struct hq_now now;
    hq_app_now(a, &now);
    return now.day;
}

int hq__ops_in_date(json_t *o, const char *key, bool required, int32_t *out, struct hq_why *why)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (required) return hq_fail(why, HQ_EINVAL, key, "%s: required", key);
        return 0;
    }
    int32_t d;
    if (!json_is_string(v) || hq__parse_date(json_string_value(v), &d) != 0)
        return hq_fail(why, HQ_EINVAL, key, "%s: a date YYYY-MM-DD", key);
    *out = d;
    return 0;
}

/* ---- the strict reader of a record's fields ---- */

static bool in_enum(const char *s, const char *const *list)
{
    for (; list && *list; list++)
        if (strcmp(*list, s) == 0) return true;
    return false;
}

static int read_text(json_t *v, const char *key, int max, bool required, json_t **out,
                     struct hq_why *why)
{
    if (!json_is_string(v)) return hq_fail(why, HQ_EINVAL, key, "%s: must be a string", key);
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (memchr(s, '\0', len)) return hq_fail(why, HQ_EINVAL, key, "%s: must be a string", key);
    size_t n = hq__utf8_chars(s, len);
    if (n > (size_t)max)
        return hq_fail(why, HQ_EINVAL, key, "%s: at most %zu characters", key, (size_t)max);
    size_t i = 0;
    while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
        i++;
    if (required && !s[i]) return hq_fail(why, HQ_EINVAL, key, "%s: required", key);
    *out = json_string(s);
    return 0;
}

static int read_list(json_t *v, const struct hq_ops_field *f, json_t **out, struct hq_why *why)
{
    if (!json_is_array(v)) return hq_fail(why, HQ_EINVAL, f->key, "%s: must be a list", f->key);
    if (json_array_size(v) > HQ_OPS_LIST_ITEMS)
        return hq_fail(why, HQ_EINVAL, f->key, "%s: at most %d entries", f->key, HQ_OPS_LIST_ITEMS);
    json_t *arr = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        json_t *item = NULL;
        int rc = 0;
        if (f->type == HQ_OPS_F_TEXTS) {
            rc = read_text(x, f->key, f->max, true, &item, why);
        } else if (!json_is_object(x)) {
            rc = hq_fail(why, HQ_EINVAL, f->key, "%s: a list of objects", f->key);
        } else {
            item = json_object();
            const char *k;
            json_t *y;
            json_object_foreach(x, k, y)
            {
                if (!in_enum(k, f->sub)) {
                    rc = hq_fail(why, HQ_EINVAL, f->key, "%s: unknown member %.40s", f->key, k);
                    break;
                }
                if (json_is_null(y)) continue;
                json_t *s = NULL;
                if ((rc = read_text(y, f->key, f->max, false, &s, why))) break;
                json_object_set_new(item, k, s);
            }
            if (!rc && json_object_size(item) == 0)
                rc = hq_fail(why, HQ_EINVAL, f->key, "%s: an entry is empty", f->key);
        }
        if (rc) {
            json_decref(item);
            json_decref(arr);
            return rc;
        }
        json_array_append_new(arr, item);
    }
    *out = arr;
    return 0;
}

int hq__ops_read(json_t *in, const struct hq_ops_field *spec, bool creating, json_t *d,
                 struct hq_why *why)
{
    if (!json_is_object(in)) return hq_fail(why, HQ_EINVAL, "", "a JSON object is required");
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v)
    {
        const struct hq_ops_field *f = spec;
        while (f->key && strcmp(f->key, key) != 0)
            f++;
        if (!f->key) return hq_fail(why, HQ_EINVAL, key, "%.40s: unknown field", key);
    }
    json_t *staged = json_object();
    int rc = 0;
    for (const struct hq_ops_field *f = spec; f->key && !rc; f++) {
        v = json_object_get(in, f->key);
        if (!v || json_is_null(v)) {
            bool have = json_object_get(d, f->key) && !json_is_null(json_object_get(d, f->key));
            if (f->required && (creating || (v && !have) || (v && json_is_null(v))))
                rc = hq_fail(why, HQ_EINVAL, f->key, "%s: required", f->key);
            else if (v)
                json_object_set_new(staged, f->key, json_null());
            continue;
        }
        json_t *val = NULL;
        switch (f->type) {
        case HQ_OPS_F_TEXT:
            rc = read_text(v, f->key, f->max, f->required, &val, why);
            break;
        case HQ_OPS_F_ENUM:
            if (!json_is_string(v) || !in_enum(json_string_value(v), f->sub))
                rc = hq_fail(why, HQ_EINVAL, f->key, "%s: one of %s", f->key, f->hint);
            else
                val = json_string(json_string_value(v));
            break;
        case HQ_OPS_F_DATE: {
            int32_t day;
            rc = hq__ops_in_date(in, f->key, false, &day, why);
            if (!rc) val = json_string(json_string_value(v));
            break;
        }
        case HQ_OPS_F_INT: {
            int64_t n = 0;
            rc = hq__in_int(in, f->key, false, f->min, f->max, &n, why);
            if (!rc) val = json_integer(n);
            break;
        }
        case HQ_OPS_F_BOOL:
            if (!json_is_boolean(v))
                rc = hq_fail(why, HQ_EINVAL, f->key, "%s: true or false", f->key);
            else
                val = json_boolean(json_is_true(v));
            break;
        case HQ_OPS_F_TEXTS:
        case HQ_OPS_F_OBJECTS:
            rc = read_list(v, f, &val, why);
            if (!rc && f->required && json_array_size(val) == 0) {
                json_decref(val);
                val = NULL;
                rc = hq_fail(why, HQ_EINVAL, f->key, "%s: required", f->key);
            }
            break;
        }
        if (!rc) json_object_set_new(staged, f->key, val);
    }
    if (!rc) json_object_update(d, staged);
    json_decref(staged);
    return rc;
}

/* ---- schedule chains ---- */

static int cmp_day(const void *x, const void *y)
{
    int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
    return (a > b) - (a < b);
}

/* The held days of log (of type, when given), sorted; *n of them; malloc'd. */
static int32_t *held_days(json_t *log, const char *type, size_t *n)
{
    size_t cap = json_array_size(log);
    int32_t *days = malloc((cap ? cap : 1) * sizeof *days);
    *n = 0;
    size_t i;
    json_t *e;
    json_array_foreach(log, i, e)
    {
        int32_t d;
        if (type && strcmp(hq__ops_str(e, "type"), type) != 0) continue;
        if (days && hq__parse_date(hq__ops_str(e, "date"), &d) == 0) days[(*n)++] = d;
    }
    if (days) qsort(days, *n, sizeof *days, cmp_day);
    return days;
}

int32_t hq__ops_next_due(int32_t start, int interval, json_t *log, const char *type)
{
    if (interval <= 0 || !start) return 0;
    size_t n;
    int32_t *days = held_days(log, type, &n);
    int32_t last = start;
    for (size_t i = 0; i < n; i++)
        if (days[i] > last) last = days[i];
    free(days);
    return hq__day_add(last, interval);
}

int hq__ops_chain_faults(int32_t start, int interval, json_t *log, const char *type, int32_t from,
                         int32_t end, const char *kind, const char *id, const char *title,
                         json_t *evidence, int *held)
{
    if (interval <= 0 || !start) return 0;
    size_t n;
    int32_t *days = held_days(log, type, &n);
    int32_t prev = start;
    int faults = 0;
    char d1[16], d2[16], note[512];
    for (size_t i = 0; days && i < n; i++) {
        int32_t d = days[i];
        if (d <= prev) continue;
        int32_t due = hq__day_add(prev, interval);
        bool in = d >= from && d <= end;
        if (in && held) (*held)++;
        if (in && d > due) {
            faults++;
            hq__format_date(d, d1, sizeof d1);
            hq__format_date(due, d2, sizeof d2);
            snprintf(note, sizeof note, "%s：%s 才完成，应于 %s 前 / held %s, due %s", title, d1,
                     d2, d1, d2);
            json_array_append_new(evidence,
                                  json_pack("{s:s,s:s,s:s}", "kind", kind, "id", id, "note", note));
        }
        prev = d;
    }
    free(days);
    int32_t due = hq__day_add(prev, interval);
    if (due < end) {
        faults++;
        hq__format_date(due, d2, sizeof d2);
        hq__format_date(end, d1, sizeof d1);
        snprintf(note, sizeof note, "%s：应于 %s 前完成，至 %s 未完成 / due %s, not done by %s",
                 title, d2, d1, d2, d1);
        json_array_append_new(evidence,
                              json_pack("{s:s,s:s,s:s}", "kind", kind, "id", id, "note", note));
    }
    return faults;
}

/* ---- the hall's suspension, as POST /hall/emergency sets it (uc_config.c) ---- */

void hq__ops_hall_suspend(struct hq_app *a, struct hq_batch *b, const char *actor, bool on,
                          const char *reason)
{
    struct hq_hall_conf *c = &a->hall.conf;
    bool was = c->suspended;
    c->suspended = on;
    if (on && reason) snprintf(c->suspend_reason, sizeof c->suspend_reason, "%s", reason);
    hq_batch_hall(b, c);
    if (on != was)
        hq__app_event(a, b, actor, on ? "hall.suspended" : "hall.resumed",
                      json_pack("{s:s}", "reason", c->suspend_reason));
}
