/* SPDX-License-Identifier: MIT */
/*
 * uc_ops_facility.c — the facility register (clauses 7.1.3 and 7.4.1), docs/OPERATIONS.md: kiosks,
 * displays, printers, evaluation pads, fire and emergency equipment and other facilities, each
 * with a location, optionally the id of the registered device that is it (GET /devices), and two
 * schedules — maintenance every maintenance_days and inspection every inspection_days (0 = none),
 * counted from start and reset by each entry of its log of the same type. The view adds the next
 * due days, the overdue flags and, for a linked device, how long it has been silent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_int.h"
#include "hq_ops.h"

static const char *const kinds[] = {
    "kiosk", "display", "printer", "pad", "fire_equipment", "emergency_equipment", "other", NULL};
static const char *const log_types[] = {"maintenance", "inspection", NULL};

static const struct hq_ops_field fields[] = {
    {"name", HQ_OPS_F_TEXT, true, 0, 100, NULL, NULL},
    {"kind", HQ_OPS_F_ENUM, true, 0, 0, kinds,
     "kiosk, display, printer, pad, fire_equipment, emergency_equipment, other"},
    {"location", HQ_OPS_F_TEXT, false, 0, 100, NULL, NULL},
    {"device", HQ_OPS_F_TEXT, false, 0, 12, NULL, NULL},
    {"maintenance_days", HQ_OPS_F_INT, false, 0, 3660, NULL, NULL},
    {"inspection_days", HQ_OPS_F_INT, false, 0, 3660, NULL, NULL},
    {"start", HQ_OPS_F_DATE, false, 0, 0, NULL, NULL},
    {"note", HQ_OPS_F_TEXT, false, 0, 500, NULL, NULL},
    {NULL, 0, false, 0, 0, NULL, NULL},
};

static json_t *changed(const char *id, const char *action)
{
    return json_pack("{s:s,s:s,s:s}", "what", "facility", "id", id, "action", action);
}

static void due_of(json_t *o, json_t *d, const char *type, const char *days_key,
                   const char *next_key, const char *over_key, int32_t today)
{
    int32_t start = 0;
    hq__parse_date(hq__ops_str(d, "start"), &start);
    int32_t due =
        hq__ops_next_due(start, (int)hq__ops_int(d, days_key), json_object_get(d, "log"), type);
    char buf[16];
    if (due) hq__format_date(due, buf, sizeof buf);
    json_object_set_new(o, next_key, due ? json_string(buf) : json_null());
    json_object_set_new(o, over_key, json_boolean(due && today > due));
}

json_t *hq__ops_facility_view(struct hq_app *a, json_t *d, int32_t today)
{
    json_t *o = json_deep_copy(d);
    due_of(o, d, "maintenance", "maintenance_days", "next_maintenance", "maintenance_overdue",
           today);
    due_of(o, d, "inspection", "inspection_days", "next_inspection", "inspection_overdue", today);
    json_object_set_new(o, "overdue",
                        json_boolean(json_is_true(json_object_get(o, "maintenance_overdue")) ||
                                     json_is_true(json_object_get(o, "inspection_overdue"))));
    const char *dev = hq__ops_str(d, "device");
    int64_t silent = *dev ? hq__ops_device_silent_s(a, dev) : -1;
    json_object_set_new(o, "silent_s", silent >= 0 ? json_integer(silent) : json_null());
    json_object_set_new(o, "device_silent",
                        json_boolean(silent >= 0 && silent > hq__ops_silent_limit_s(a)));
    if (!json_is_array(json_object_get(o, "log"))) json_object_set_new(o, "log", json_array());
    json_object_del(o, "t");
    return o;
}

int hq_app_ops_facilities_list(struct hq_app *a, json_t **out, struct hq_why *why)
{
    int32_t today = hq__ops_today(a);
    json_t *docs = hq__ops_list(a, "ops_facility");
    json_t *arr = json_array();
    int64_t over = 0, silent = 0;
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        json_t *v = hq__ops_facility_view(a, d, today);
        over += json_is_true(json_object_get(v, "overdue"));
        silent += json_is_true(json_object_get(v, "device_silent"));
        json_array_append_new(arr, v);
    }
    json_decref(docs);
    *out = json_pack("{s:o,s:I,s:I}", "facilities", arr, "overdue", (json_int_t)over,
                     "devices_silent", (json_int_t)silent);
    return *out ? 0 : hq_fail(why, HQ_EINTERNAL, "", "cannot build the list");
}

int hq_app_ops_facility_save(struct hq_app *a, const struct hq_actor *who, const char *id,
                             json_t *in, json_t **out, struct hq_why *why)
{
    char nid[17];
    json_t *d = NULL;
    hq__ops_lock();
    int rc = id ? hq__ops_load(a, "ops_facility", id, "facility", &d, why) : 0;
    int64_t now = hq_app_time(a);
    char at[40], day[16];
    hq_app_format_time(a, now, at, sizeof at);
    if (!rc && !id) {
        hq__random_hex(nid, 8);
        hq__format_date(hq__ops_today(a), day, sizeof day);
        d = json_pack("{s:s,s:I,s:s,s:s,s:s,s:i,s:i,s:o}", "id", nid, "t", (json_int_t)now,
                      "created_at", at, "created_by", who->username, "start", day,
                      "maintenance_days", 0, "inspection_days", 0, "log", json_array());
    }
    if (!rc) rc = hq__ops_read(in, fields, !id, d, why);
    const char *dev = hq__ops_str(d, "device");
    if (!rc && *dev && hq__ops_device_silent_s(a, dev) < 0)
        rc = hq_fail(why, HQ_EINVAL, "device", "device: no registered device with id '%.20s'", dev);
    if (!rc && id) {
        json_object_set_new(d, "updated_at", json_string(at));
        json_object_set_new(d, "updated_by", json_string(who->username));
    }
    const char *key = id ? id : nid;
    if (!rc)
        rc = hq__ops_commit(a, who, "ops_facility", key, d, "ops.changed",
                            changed(key, id ? "updated" : "created"), why);
    hq__ops_unlock();
    if (!rc) *out = hq__ops_facility_view(a, d, hq__ops_today(a));
    json_decref(d);
    return rc;
}

int hq_app_ops_facility_delete(struct hq_app *a, const struct hq_actor *who, const char *id,
                               json_t **out, struct hq_why *why)
{
    json_t *d = NULL;
    hq__ops_lock();
    int rc = hq__ops_load(a, "ops_facility", id, "facility", &d, why);
    if (!rc)
        rc = hq__ops_commit(a, who, "ops_facility", id, NULL, "ops.changed", changed(id, "deleted"),
                            why);
    hq__ops_unlock();
    json_decref(d);
    if (!rc) *out = json_pack("{s:s,s:b}", "id", id, "deleted", 1);
    return rc;
}

int hq_app_ops_facility_log(struct hq_app *a, const struct hq_actor *who, const char *id,
                            json_t *in, json_t **out, struct hq_why *why)
{
    static const struct hq_ops_field lf[] = {
        {"type", HQ_OPS_F_ENUM, true, 0, 0, log_types, "maintenance, inspection"},
        {"date", HQ_OPS_F_DATE, true, 0, 0, NULL, NULL},
        {"result", HQ_OPS_F_TEXT, false, 0, 500, NULL, NULL},
        {"note", HQ_OPS_F_TEXT, false, 0, 1000, NULL, NULL},
        {NULL, 0, false, 0, 0, NULL, NULL},
    };
    json_t *r = json_object();
    int rc = hq__ops_read(in, lf, true, r, why);
    int32_t today = hq__ops_today(a), day = 0;
    if (!rc && (hq__parse_date(hq__ops_str(r, "date"), &day) != 0 || day > today))
        rc = hq_fail(why, HQ_EINVAL, "date", "date: not a day in the future");
    json_t *d = NULL;
    hq__ops_lock();
    if (!rc) rc = hq__ops_load(a, "ops_facility", id, "facility", &d, why);
    if (!rc) {
        json_object_set_new(r, "by", json_string(who->username));
        json_t *log = json_object_get(d, "log");
        if (!json_is_array(log)) {
            log = json_array();
            json_object_set_new(d, "log", log);
        }
        json_array_append(log, r);
        rc = hq__ops_commit(a, who, "ops_facility", id, d, "ops.changed", changed(id, "logged"),
                            why);
    }
    hq__ops_unlock();
    if (!rc) *out = hq__ops_facility_view(a, d, today);
    json_decref(d);
    json_decref(r);
    return rc;
}
