/* SPDX-License-Identifier: MIT */
/*
 * uc_devices.c — the registered devices (kiosks, hall and window displays, evaluation pads): what
 * each one is, where it stands, its printer, and their life cycle after registration — rename,
 * move to another window, revoke (its key is refused from the next request on), delete a revoked
 * one, and a test print on a kiosk's printer. A device is a store document ("device", hash of its
 * key); its key in clear is shown once (POST /devices) or handed to the device itself (pairing,
 * uc_pairing.c) and never stored.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../media/hq_media.h"
#include "app_int.h"
#include "media_hub.h"

static const char *const ROLES[] = {"kiosk", "display", "window_display", "pad", NULL};

bool hq__device_role_valid(const char *role)
{
    for (size_t i = 0; ROLES[i]; i++)
        if (strcmp(role, ROLES[i]) == 0) return true;
    return false;
}

bool hq__device_role_has_window(const char *role)
{
    return strcmp(role, "pad") == 0 || strcmp(role, "window_display") == 0;
}

void hq__device_page(const char *role, int32_t window, char *out, size_t cap)
{
    out[0] = 0;
    if (strcmp(role, "kiosk") == 0)
        snprintf(out, cap, "/kiosk");
    else if (strcmp(role, "display") == 0)
        snprintf(out, cap, "/display");
    else if (strcmp(role, "window_display") == 0)
        snprintf(out, cap, "/window/%" PRId32, window);
    else if (strcmp(role, "pad") == 0)
        snprintf(out, cap, "/pad/%" PRId32, window);
}

/* The public id of a device: the start of its key's hash (the key was shown once). */
static void device_id(const struct hq_device *d, char out[13])
{
    snprintf(out, 13, "%.12s", d->key);
}

json_t *hq__device_json(struct hq_app *a, const struct hq_device *d)
{
    char id[13], page[64];
    device_id(d, id);
    hq__device_page(d->role, d->window, page, sizeof page);
    json_t *o = json_pack("{s:s,s:s,s:s?,s:s?,s:s?}", "id", id, "name", d->name, "role",
                          d->role[0] ? d->role : NULL, "page", page[0] ? page : NULL, "printer",
                          d->printer[0] ? d->printer : NULL);
    json_object_set_new(o, "window", d->window > 0 ? json_integer(d->window) : json_null());
    json_object_set_new(o, "paper_mm",
                        strcmp(d->role, "kiosk") == 0 || d->printer[0]
                            ? json_integer(d->paper_mm ? d->paper_mm : 80)
                            : json_null());
    json_object_set_new(o, "registered_at", hq__time_json(a, d->registered_at));
    json_object_set_new(o, "last_seen", hq__time_json(a, d->last_seen));
    json_object_set_new(o, "revoked", json_boolean(d->revoked_at != 0));
    json_object_set_new(o, "revoked_at", hq__time_json(a, d->revoked_at));
    return o;
}

/* The stored form of d (no key, no last_seen). New reference. */
static json_t *device_doc(const struct hq_device *d)
{
    json_t *o =
        json_pack("{s:s,s:I}", "name", d->name, "registered_at", (json_int_t)d->registered_at);
    if (d->printer[0]) json_object_set_new(o, "printer", json_string(d->printer));
    if (d->role[0]) json_object_set_new(o, "role", json_string(d->role));
    if (d->window > 0) json_object_set_new(o, "window", json_integer(d->window));
    if (d->paper_mm) json_object_set_new(o, "paper_mm", json_integer(d->paper_mm));
    if (d->revoked_at) json_object_set_new(o, "revoked_at", json_integer(d->revoked_at));
    return o;
}

void hq__device_from_doc(struct hq_device *d, const char *key, json_t *o)
{
    memset(d, 0, sizeof *d);
    snprintf(d->key, sizeof d->key, "%s", key);
    snprintf(d->name, sizeof d->name, "%s", json_string_value(json_object_get(o, "name")) ?: "");
    const char *printer = json_string_value(json_object_get(o, "printer"));
    snprintf(d->printer, sizeof d->printer, "%s",
             printer && hq__printer_valid(printer) ? printer : "");
    const char *role = json_string_value(json_object_get(o, "role"));
    if (role && hq__device_role_valid(role)) snprintf(d->role, sizeof d->role, "%s", role);
    json_int_t w = json_integer_value(json_object_get(o, "window"));
    d->window = w > 0 && w < 100000 ? (int32_t)w : 0;
    json_int_t p = json_integer_value(json_object_get(o, "paper_mm"));
    d->paper_mm = p == 58 || p == 80 ? (int32_t)p : 0;
    d->registered_at = json_integer_value(json_object_get(o, "registered_at"));
    d->revoked_at = json_integer_value(json_object_get(o, "revoked_at"));
}

/* Put d's document and one event into b. 0 or HQ_EINTERNAL. */
static int device_batch(struct hq_app *a, struct hq_batch *b, const struct hq_device *d,
                        const char *actor, const char *event, int64_t now)
{
    json_t *doc = device_doc(d);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    int rc = text ? hq_batch_doc(b, "device", d->key, text, now) : -1;
    free(text);
    if (rc != 0) return HQ_EINTERNAL;
    char id[13];
    device_id(d, id);
    return hq__app_event(a, b, actor, event,
                         json_pack("{s:s,s:s,s:s?}", "id", id, "name", d->name, "role",
                                   d->role[0] ? d->role : NULL));
}

int hq__device_add(struct hq_app *a, const char *actor, const struct hq_device *d,
                   struct hq_why *why)
{
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    if (a->n_devices == a->cap_devices) {
        size_t cap = a->cap_devices ? a->cap_devices * 2 : 16;
        struct hq_device *n = realloc(a->devices, cap * sizeof *n);
        if (!n) {
            pthread_mutex_unlock(&a->mu);
            return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        }
        a->devices = n;
        a->cap_devices = cap;
    }
    if (device_batch(a, &b, d, actor, "device.registered", d->registered_at) != 0) {
        pthread_mutex_unlock(&a->mu);
        hq_batch_release(&b);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    a->devices[a->n_devices++] = *d;
    return hq__app_commit_unlock(a, &b, why);
}

/* Read the optional role/window/printer/paper_mm of a device into d (name is the caller's).
 * partial: absent fields keep d's values (PUT). 0 or a refusal. */
static int device_fields(struct hq_app *a, json_t *in, bool partial, struct hq_device *d,
                         struct hq_why *why)
{
    int rc = 0;
    json_t *role = json_object_get(in, "role");
    if (role && !json_is_null(role)) {
        if (!json_is_string(role) || !hq__device_role_valid(json_string_value(role)))
            return hq_fail(why, HQ_EINVAL, "role",
                           "role: one of kiosk, display, window_display, pad");
        snprintf(d->role, sizeof d->role, "%s", json_string_value(role));
    } else if (!partial) {
        d->role[0] = 0;
    }
    json_t *win = json_object_get(in, "window");
    if (win && !json_is_null(win)) {
        int64_t n = 0;
        rc = hq__in_int(in, "window", false, 1, 99999, &n, why);
        if (rc) return rc;
        d->window = (int32_t)n;
    } else if (win || !partial) {
        d->window = 0;
    }
    char printer[HQ_PRINTER_MAX] = "";
    json_t *pr = json_object_get(in, "printer");
    if (pr && !json_is_null(pr)) {
        rc = hq__in_str(in, "printer", false, printer, sizeof printer, why);
        if (rc) return rc;
        if (printer[0] && !hq__printer_valid(printer))
            return hq_fail(why, HQ_EINVAL, "printer",
                           "printer: an IPv4 address and port such as 192.168.1.50:9100, or "
                           "file:/absolute/path");
        snprintf(d->printer, sizeof d->printer, "%s", printer);
    } else if (pr || !partial) {
        d->printer[0] = 0;
    }
    json_t *paper = json_object_get(in, "paper_mm");
    if (paper && !json_is_null(paper)) {
        if (!json_is_integer(paper) ||
            (json_integer_value(paper) != 58 && json_integer_value(paper) != 80))
            return hq_fail(why, HQ_EINVAL, "paper_mm", "paper_mm: 58 or 80");
        d->paper_mm = (int32_t)json_integer_value(paper);
    } else if (paper || !partial) {
        d->paper_mm = 0;
    }
    /* The rules between the fields. */
    if (d->role[0] && hq__device_role_has_window(d->role)) {
        if (d->window <= 0)
            return hq_fail(why, HQ_EINVAL, "window", "window: a %s belongs to one window", d->role);
    } else if (d->window > 0) {
        return hq_fail(why, HQ_EINVAL, "window", "window: only a pad or a window display has one");
    }
    if (d->printer[0] && d->role[0] && strcmp(d->role, "kiosk") != 0)
        return hq_fail(why, HQ_EINVAL, "printer", "printer: only a kiosk prints tickets");
    if (d->window > 0) {
        pthread_mutex_lock(&a->mu);
        bool found = hq_window_find(&a->hall, d->window) != NULL;
        pthread_mutex_unlock(&a->mu);
        if (!found)
            return hq_fail(why, HQ_EINVAL, "window", "window: no window number %" PRId32,
                           d->window);
    }
    return 0;
}

int hq__device_parse(struct hq_app *a, json_t *in, const char *const *known, struct hq_device *d,
                     struct hq_why *why)
{
    int rc = hq__in_known(in, known, why);
    if (rc == 0) rc = hq__in_text(in, "name", true, 63, d->name, sizeof d->name, why);
    if (rc != 0) return rc;
    if (!d->name[0]) return hq_fail(why, HQ_EINVAL, "name", "name: must not be empty");
    return device_fields(a, in, false, d, why);
}

int hq_app_device_register(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                           struct hq_why *why)
{
    static const char *const known[] = {"name", "printer", "role", "window", "paper_mm", NULL};
    struct hq_device d = {0};
    int rc = hq__device_parse(a, in, known, &d, why);
    if (rc != 0) return rc;
    char key[65];
    hq__random_hex(key, 32);
    hq__hash_hex(key, d.key);
    d.registered_at = hq_app_time(a);
    rc = hq__device_add(a, who->username, &d, why);
    if (rc != 0) return rc;
    *out = hq__device_json(a, &d);
    json_object_set_new(*out, "key", json_string(key));
    return 0;
}

int hq_app_devices_list(struct hq_app *a, json_t **out)
{
    json_t *arr = json_array();
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; i < a->n_devices; i++)
        json_array_append_new(arr, hq__device_json(a, &a->devices[i]));
    pthread_mutex_unlock(&a->mu);
    *out = arr;
    return 0;
}

/* Under mu: the device with public id, or NULL. */
static struct hq_device *device_find(struct hq_app *a, const char *id)
{
    if (!id || strlen(id) != 12) return NULL;
    for (size_t i = 0; i < a->n_devices; i++)
        if (strncmp(a->devices[i].key, id, 12) == 0) return &a->devices[i];
    return NULL;
}

static int not_found(struct hq_why *why, const char *id)
{
    return hq_fail(why, HQ_ENOTFOUND, "", "no device with id '%s'", id);
}

int hq_app_device_update(struct hq_app *a, const struct hq_actor *who, const char *id, json_t *in,
                         json_t **out, struct hq_why *why)
{
    static const char *const known[] = {"name", "printer", "window", "paper_mm", NULL};
    int rc = hq__in_known(in, known, why);
    if (rc != 0) return rc;
    pthread_mutex_lock(&a->mu);
    struct hq_device *cur = device_find(a, id);
    struct hq_device d = cur ? *cur : (struct hq_device){0};
    pthread_mutex_unlock(&a->mu);
    if (!cur) return not_found(why, id);
    if (d.revoked_at) return hq_fail(why, HQ_ECONFLICT, "", "the device '%s' is revoked", d.name);
    if (json_object_get(in, "name")) {
        rc = hq__in_text(in, "name", true, 63, d.name, sizeof d.name, why);
        if (rc != 0) return rc;
        if (!d.name[0]) return hq_fail(why, HQ_EINVAL, "name", "name: must not be empty");
    }
    rc = device_fields(a, in, true, &d, why);
    if (rc != 0) return rc;
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    cur = device_find(a, id);
    if (!cur || cur->revoked_at) {
        pthread_mutex_unlock(&a->mu);
        return cur ? hq_fail(why, HQ_ECONFLICT, "", "the device '%s' is revoked", d.name)
                   : not_found(why, id);
    }
    d.last_seen = cur->last_seen;
    if (device_batch(a, &b, &d, who->username, "device.updated", hq_app_time(a)) != 0) {
        pthread_mutex_unlock(&a->mu);
        hq_batch_release(&b);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    *cur = d;
    *out = hq__device_json(a, &d);
    rc = hq__app_commit_unlock(a, &b, why);
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int hq_app_device_revoke(struct hq_app *a, const struct hq_actor *who, const char *id, json_t **out,
                         struct hq_why *why)
{
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    struct hq_device *cur = device_find(a, id);
    if (!cur) {
        pthread_mutex_unlock(&a->mu);
        return not_found(why, id);
    }
    if (cur->revoked_at) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ECONFLICT, "", "the device '%s' is revoked", cur->name);
    }
    struct hq_device d = *cur;
    d.revoked_at = hq_app_time(a);
    if (device_batch(a, &b, &d, who->username, "device.revoked", d.revoked_at) != 0) {
        pthread_mutex_unlock(&a->mu);
        hq_batch_release(&b);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    /* In memory at once: the next request with this key is refused, even before the commit. */
    *cur = d;
    *out = hq__device_json(a, &d);
    int rc = hq__app_commit_unlock(a, &b, why);
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int hq_app_device_delete(struct hq_app *a, const struct hq_actor *who, const char *id,
                         struct hq_why *why)
{
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    struct hq_device *cur = device_find(a, id);
    if (!cur) {
        pthread_mutex_unlock(&a->mu);
        return not_found(why, id);
    }
    if (!cur->revoked_at) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ECONFLICT, "",
                       "the device '%s' is in service: revoke it before deleting it", cur->name);
    }
    int64_t now = hq_app_time(a);
    char did[13];
    device_id(cur, did);
    if (hq_batch_doc_delete(&b, "device", cur->key, now) != 0 ||
        hq__app_event(a, &b, who->username, "device.deleted",
                      json_pack("{s:s,s:s}", "id", did, "name", cur->name)) != 0) {
        pthread_mutex_unlock(&a->mu);
        hq_batch_release(&b);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    size_t i = (size_t)(cur - a->devices);
    memmove(&a->devices[i], &a->devices[i + 1], (a->n_devices - i - 1) * sizeof *a->devices);
    a->n_devices--;
    return hq__app_commit_unlock(a, &b, why);
}

int hq_app_device_test_print(struct hq_app *a, const char *id, json_t **out, struct hq_why *why)
{
    pthread_mutex_lock(&a->mu);
    struct hq_device *cur = device_find(a, id);
    struct hq_device d = cur ? *cur : (struct hq_device){0};
    char hall[128];
    snprintf(hall, sizeof hall, "%s", a->hall.conf.name);
    pthread_mutex_unlock(&a->mu);
    if (!cur) return not_found(why, id);
    if (!d.printer[0])
        return hq_fail(why, HQ_ECONFLICT, "printer", "the device '%s' has no printer", d.name);
    struct hq_print_ticket t = {
        .hall = hall[0] ? hall : "hallq",
        .number = "TEST",
        .service_zh = "打印测试",
        .service_en = "Test print",
        .ahead = -1,
        .wait_s = -1,
        .footer = "打印正常即可使用 The printer works",
    };
    struct hq_escpos_options opts = {.qr_module = d.paper_mm == 58 ? 4 : 6};
    struct hq_media_why mw = {0};
    unsigned char *buf = NULL;
    size_t len = 0;
    int mrc = hq_escpos_ticket(&t, &opts, &buf, &len, &mw);
    if (mrc == 0) {
        if (strncmp(d.printer, "file:", 5) == 0)
            mrc = hq_escpos_write_file(d.printer + 5, buf, len, &mw);
        else
            mrc = hq_escpos_print(d.printer, buf, len, 3000, &mw);
    }
    free(buf);
    *out = json_pack("{s:b,s:s?}", "ok", mrc == 0, "problem", mrc == 0 ? NULL : mw.message);
    return 0;
}
