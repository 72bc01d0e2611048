/* SPDX-License-Identifier: MIT */
/*
 * uc_ops_alert.c — what is overdue and who has gone silent (docs/OPERATIONS.md): device
 * heartbeats, the settings of the operations records (device_silent_s), the overview the manager
 * page counts, and the tick's alerts.
 *
 * Heartbeats are kept in memory only (a registered kiosk, display or pad page posts one a minute;
 * writing each to the store would be a commit a minute per device for nothing): a device watched
 * is one that has sent a heartbeat since the app opened, or one linked to a facility; one never
 * heard of since the app opened counts as silent from the opening. A device is silent once
 * device_silent_s (default 300) has passed since its last heartbeat.
 *
 * The alerts: at most every 15 s the tick (uc_tick.c, without mu) lists what is overdue — a plan
 * whose review date has passed, a drill or risk assessment, a maintenance or inspection past its
 * due day, a silent device — and commits one "ops.alert" event {kind, id, title, due | silent_s}
 * per item (no personal data: plans' contacts and people's names never go in), once a day for a
 * dated item and once per silence for a device.
 *
 * The state lives per app in a small list found by the app's pointer (registered as a module in
 * modules.c: open creates it, close frees it), guarded by smu. Lock order: tick_mu → mu, reader_mu,
 * smu; smu is innermost (no other lock is taken while it is held).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_int.h"
#include "hq_ops.h"

#define SEEN_MAX 256
#define ALERTED_MAX 512
#define SILENT_DEFAULT_S 300
#define CHECK_EVERY_S 15

struct seen {
    char id[13];
    int64_t t;
};

struct alerted {
    char key[40];
    int64_t stamp;
};

struct ops_state {
    struct hq_app *a;
    int64_t opened, last_check, silent_limit_s;
    struct seen seen[SEEN_MAX];
    size_t n_seen;
    struct alerted al[ALERTED_MAX];
    size_t n_al, al_next;
    struct ops_state *next;
};

static pthread_mutex_t smu = PTHREAD_MUTEX_INITIALIZER;
static struct ops_state *states;

/* Under smu. */
static struct ops_state *state_of(struct hq_app *a)
{
    for (struct ops_state *s = states; s; s = s->next)
        if (s->a == a) return s;
    return NULL;
}

static int ops_open(struct hq_app *a, struct hq_why *why)
{
    (void)why;
    struct ops_state *s = calloc(1, sizeof *s);
    if (!s) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    s->a = a;
    s->opened = hq_app_time(a);
    s->silent_limit_s = SILENT_DEFAULT_S;
    char *txt = NULL;
    if (a->store->vt->doc_get(a->store, "setting", "ops_settings", &txt) == 0 && txt) {
        json_t *j = json_loads(txt, 0, NULL);
        int64_t v = json_integer_value(json_object_get(j, "device_silent_s"));
        if (v > 0) s->silent_limit_s = v;
        json_decref(j);
    }
    free(txt);
    pthread_mutex_lock(&smu);
    s->next = states;
    states = s;
    pthread_mutex_unlock(&smu);
    return 0;
}

static void ops_close(struct hq_app *a)
{
    pthread_mutex_lock(&smu);
    for (struct ops_state **p = &states; *p; p = &(*p)->next)
        if ((*p)->a == a) {
            struct ops_state *s = *p;
            *p = s->next;
            free(s);
            break;
        }
    pthread_mutex_unlock(&smu);
}

const struct hq__module hq__ops_module = {"ops", ops_open, NULL, NULL, ops_close, NULL};

int64_t hq__ops_silent_limit_s(struct hq_app *a)
{
    pthread_mutex_lock(&smu);
    struct ops_state *s = state_of(a);
    int64_t v = s ? s->silent_limit_s : SILENT_DEFAULT_S;
    pthread_mutex_unlock(&smu);
    return v;
}

/* The id (12 hex of the key's hash) of the registered device named name, or of id itself;
 * false when there is none. Takes mu. */
static bool device_find(struct hq_app *a, const char *name, const char *id, char out[13],
                        char *name_out, size_t cap)
{
    bool found = false;
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; i < a->n_devices && !found; i++) {
        const struct hq_device *d = &a->devices[i];
        if ((name && strcmp(d->name, name) == 0) || (id && strncmp(d->key, id, 12) == 0)) {
            snprintf(out, 13, "%.12s", d->key);
            if (name_out) snprintf(name_out, cap, "%s", d->name);
            found = true;
        }
    }
    pthread_mutex_unlock(&a->mu);
    return found;
}

/* Under smu: when the device was last heard of, 0 never. */
static int64_t seen_at(struct ops_state *s, const char *id)
{
    for (size_t i = 0; i < s->n_seen; i++)
        if (strcmp(s->seen[i].id, id) == 0) return s->seen[i].t;
    return 0;
}

int64_t hq__ops_device_silent_s(struct hq_app *a, const char *device_id)
{
    char id[13];
    if (!device_id || strlen(device_id) != 12 || !device_find(a, NULL, device_id, id, NULL, 0))
        return -1;
    int64_t now = hq_app_time(a);
    pthread_mutex_lock(&smu);
    struct ops_state *s = state_of(a);
    int64_t t = s ? seen_at(s, id) : 0;
    if (!t) t = s ? s->opened : now;
    pthread_mutex_unlock(&smu);
    return now > t ? now - t : 0;
}

int hq_app_ops_heartbeat(struct hq_app *a, const struct hq_actor *who, json_t **out,
                         struct hq_why *why)
{
    char id[13];
    if (!who->device)
        return hq_fail(why, HQ_EFORBIDDEN, "",
                       "only a registered device (X-Device-Key) reports a heartbeat");
    if (!device_find(a, who->device_name, NULL, id, NULL, 0))
        return hq_fail(why, HQ_EFORBIDDEN, "",
                       "only a registered device (X-Device-Key) reports a heartbeat");
    int64_t now = hq_app_time(a), limit;
    pthread_mutex_lock(&smu);
    struct ops_state *s = state_of(a);
    if (s) {
        size_t i = 0;
        while (i < s->n_seen && strcmp(s->seen[i].id, id) != 0)
            i++;
        if (i == s->n_seen && s->n_seen < SEEN_MAX) snprintf(s->seen[s->n_seen++].id, 13, "%s", id);
        if (i < s->n_seen) s->seen[i].t = now;
    }
    limit = s ? s->silent_limit_s : SILENT_DEFAULT_S;
    pthread_mutex_unlock(&smu);
    *out = json_pack("{s:s,s:s,s:I,s:i}", "device", id, "name", who->device_name, "silent_after_s",
                     (json_int_t)limit, "next_in_s", 60);
    return 0;
}

int hq_app_ops_settings_get(struct hq_app *a, json_t **out, struct hq_why *why)
{
    (void)why;
    *out = json_pack("{s:I}", "device_silent_s", (json_int_t)hq__ops_silent_limit_s(a));
    return 0;
}

int hq_app_ops_settings_put(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                            struct hq_why *why)
{
    static const struct hq_ops_field f[] = {
        {"device_silent_s", HQ_OPS_F_INT, true, 10, 86400, NULL, NULL},
        {NULL, 0, false, 0, 0, NULL, NULL},
    };
    json_t *d = json_object();
    int rc = hq__ops_read(in, f, true, d, why);
    if (!rc) {
        char *txt = json_dumps(d, JSON_COMPACT);
        struct hq_batch b;
        hq_batch_init(&b);
        pthread_mutex_lock(&a->mu);
        hq_batch_doc(&b, "setting", "ops_settings", txt, hq_app_time(a));
        free(txt);
        hq__app_event(a, &b, who->username, "ops.changed",
                      json_pack("{s:s,s:s,s:s}", "what", "settings", "id", "ops_settings", "action",
                                "updated"));
        rc = hq__app_commit_unlock(a, &b, why);
    }
    if (!rc) {
        pthread_mutex_lock(&smu);
        struct ops_state *s = state_of(a);
        if (s) s->silent_limit_s = hq__ops_int(d, "device_silent_s");
        pthread_mutex_unlock(&smu);
        rc = hq_app_ops_settings_get(a, out, why);
    }
    json_decref(d);
    return rc;
}

/* ---- what is overdue ---- */

static void item(json_t *items, const char *kind, const char *id, const char *title,
                 const char *due, int64_t silent_s)
{
    json_t *o = json_pack("{s:s,s:s,s:s}", "kind", kind, "id", id, "title", title);
    if (due) json_object_set_new(o, "due", json_string(due));
    if (silent_s >= 0) json_object_set_new(o, "silent_s", json_integer(silent_s));
    json_array_append_new(items, o);
}

/* [{kind, id, title, due | silent_s}] of everything overdue now. */
static json_t *overdue_items(struct hq_app *a)
{
    struct hq_why why;
    json_t *items = json_array(), *l = NULL;
    size_t i;
    json_t *v;
    if (hq_app_ops_plans_list(a, &l, &why) == 0)
        json_array_foreach(json_object_get(l, "plans"), i,
                           v) if (json_is_true(json_object_get(v, "review_overdue")))
            item(items, "plan_review", hq__ops_str(v, "id"), hq__ops_str(v, "title"),
                 hq__ops_str(v, "review_by"), -1);
    json_decref(l);
    l = NULL;
    if (hq_app_ops_schedules_list(a, &l, &why) == 0)
        json_array_foreach(json_object_get(l, "schedules"), i,
                           v) if (json_is_true(json_object_get(v, "overdue")))
            item(items, hq__ops_str(v, "kind"), hq__ops_str(v, "id"), hq__ops_str(v, "title"),
                 hq__ops_str(v, "next_due"), -1);
    json_decref(l);
    l = NULL;
    json_t *linked = json_object();
    if (hq_app_ops_facilities_list(a, &l, &why) == 0)
        json_array_foreach(json_object_get(l, "facilities"), i, v)
        {
            if (json_is_true(json_object_get(v, "maintenance_overdue")))
                item(items, "maintenance", hq__ops_str(v, "id"), hq__ops_str(v, "name"),
                     hq__ops_str(v, "next_maintenance"), -1);
            if (json_is_true(json_object_get(v, "inspection_overdue")))
                item(items, "inspection", hq__ops_str(v, "id"), hq__ops_str(v, "name"),
                     hq__ops_str(v, "next_inspection"), -1);
            if (*hq__ops_str(v, "device"))
                json_object_set_new(linked, hq__ops_str(v, "device"), json_true());
        }
    json_decref(l);
    /* devices: every registered one heard of since the app opened, or linked to a facility */
    json_t *devs = NULL;
    hq_app_devices_list(a, &devs);
    int64_t now = hq_app_time(a);
    json_array_foreach(devs, i, v)
    {
        const char *id = hq__ops_str(v, "id");
        pthread_mutex_lock(&smu);
        struct ops_state *s = state_of(a);
        int64_t t = s ? seen_at(s, id) : 0, limit = s ? s->silent_limit_s : SILENT_DEFAULT_S;
        if (!t && json_object_get(linked, id)) t = s ? s->opened : now;
        pthread_mutex_unlock(&smu);
        if (t && now - t > limit)
            item(items, "device_silent", id, hq__ops_str(v, "name"), NULL, now - t);
    }
    json_decref(devs);
    json_decref(linked);
    return items;
}

int hq_app_ops_overview(struct hq_app *a, json_t **out, struct hq_why *why)
{
    json_t *items = overdue_items(a);
    json_t *counts =
        json_pack("{s:i,s:i,s:i,s:i,s:i,s:i}", "plan_review", 0, "drill", 0, "risk_assessment", 0,
                  "maintenance", 0, "inspection", 0, "device_silent", 0);
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        const char *k = hq__ops_str(v, "kind");
        json_object_set_new(counts, k, json_integer(hq__ops_int(counts, k) + 1));
    }
    json_t *inc = NULL;
    int64_t active = 0;
    if (hq_app_ops_incidents_list(a, "active", &inc, why) == 0) active = hq__ops_int(inc, "active");
    json_decref(inc);
    *out = json_pack("{s:o,s:o,s:I,s:I,s:I}", "items", items, "counts", counts, "total",
                     (json_int_t)json_array_size(items), "active_incidents", (json_int_t)active,
                     "device_silent_s", (json_int_t)hq__ops_silent_limit_s(a));
    return *out ? 0 : hq_fail(why, HQ_EINTERNAL, "", "cannot build the overview");
}

/* ---- the tick's alerts ---- */

/* Under smu: true when key was alerted with this stamp already; else remember it. */
static bool alerted_before(struct ops_state *s, const char *key, int64_t stamp)
{
    for (size_t i = 0; i < s->n_al; i++)
        if (strcmp(s->al[i].key, key) == 0) {
            if (s->al[i].stamp == stamp) return true;
            s->al[i].stamp = stamp;
            return false;
        }
    struct alerted *x = &s->al[s->n_al < ALERTED_MAX ? s->n_al++ : s->al_next++ % ALERTED_MAX];
    snprintf(x->key, sizeof x->key, "%s", key);
    x->stamp = stamp;
    return false;
}

/* One run at a time: a caller that finds a run in flight waits for its commit (the tests call the
 * tick beside the ticker thread and then read the log). */
static pthread_mutex_t tick_mu = PTHREAD_MUTEX_INITIALIZER;

static void tick_run(struct hq_app *a);

void hq__ops_tick(struct hq_app *a)
{
    pthread_mutex_lock(&tick_mu);
    tick_run(a);
    pthread_mutex_unlock(&tick_mu);
}

static void tick_run(struct hq_app *a)
{
    int64_t now = hq_app_time(a);
    pthread_mutex_lock(&smu);
    struct ops_state *s = state_of(a);
    bool due =
        s && (s->last_check == 0 || now - s->last_check >= CHECK_EVERY_S || now < s->last_check);
    if (due) s->last_check = now;
    pthread_mutex_unlock(&smu);
    if (!due) return;
    json_t *items = overdue_items(a);
    int32_t today = hq__ops_today(a);
    json_t *send = json_array();
    size_t i;
    json_t *v;
    pthread_mutex_lock(&smu);
    s = state_of(a);
    json_array_foreach(items, i, v)
    {
        char key[40];
        const char *kind = hq__ops_str(v, "kind");
        snprintf(key, sizeof key, "%.20s:%.16s", kind, hq__ops_str(v, "id"));
        int64_t stamp =
            strcmp(kind, "device_silent") == 0 ? now - hq__ops_int(v, "silent_s") : today;
        if (s && !alerted_before(s, key, stamp)) json_array_append(send, v);
    }
    pthread_mutex_unlock(&smu);
    json_decref(items);
    if (json_array_size(send) == 0) {
        json_decref(send);
        return;
    }
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    json_array_foreach(send, i, v) hq__app_event(a, &b, "", "ops.alert", json_deep_copy(v));
    json_decref(send);
    struct hq_why why;
    if (hq__app_commit_unlock(a, &b, &why) != 0)
        fprintf(stderr, "hallq: operations alerts not committed: %s\n", why.message);
}
