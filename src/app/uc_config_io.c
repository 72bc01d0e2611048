/* SPDX-License-Identifier: MIT */
/*
 * uc_config_io.c — a hall's set-up as one JSON document, so a second hall starts from the first
 * one's: the hall (name, time zone, hours, waiting target, call policy, public information),
 * services, windows and staff with their certifications. Never passwords, device keys, tickets
 * or anything about customers.
 *
 * Import is all or nothing and says what it would change before it does: every record is checked
 * by the same parsers as the single-record routes, applied to a copy of the hall (so a window may
 * name a service created by the same document, and the core's own rules run), and compared with
 * what exists — created, updated or unchanged. With dry_run nothing is written; otherwise the
 * copy becomes the hall and one batch stores every change with one event, or nothing is stored.
 * Staff created by an import have no usable password until an admin sets one (listed as
 * needs_password); existing staff keep theirs.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_int.h"

#define FORMAT "hallq-config"
#define VERSION 1
#define MAX_RECORDS 500

/* The stored password hash of a staff member created by an import: no password verifies it. */
#define NO_PASSWORD "!import: no password set"

static json_t *service_out(const struct hq_service *s)
{
    json_t *o = hq__service_json(s);
    /* the set-up only: what GET /services adds about the queue now is not configuration */
    static const char *const keep[] = {"code",          "name",      "name_en",
                                       "avg_service_s", "documents", "daily_quota",
                                       "enabled",       "hours",     NULL};
    json_t *r = json_object();
    for (size_t i = 0; keep[i]; i++) {
        json_t *v = json_object_get(o, keep[i]);
        if (v) json_object_set(r, keep[i], v);
    }
    json_decref(o);
    return r;
}

static json_t *window_out(const struct hq_window *w)
{
    json_t *sv = json_array();
    for (int i = 0; i < w->n_services; i++)
        json_array_append_new(sv, json_string(w->services[i]));
    return json_pack("{s:i,s:s,s:o}", "number", (int)w->number, "name", w->name, "services", sv);
}

static json_t *staff_out(const struct hq_staff *s)
{
    json_t *o = hq__staff_json(s);
    json_object_del(o, "phone"); /* nothing personal beyond the name */
    return o;
}

static json_t *hall_out(struct hq_app *a)
{
    json_t *h = hq__hall_json(a);
    static const char *const keep[] = {"name",          "name_en", "timezone",    "hours",
                                       "target_wait_s", "policy",  "public_info", NULL};
    json_t *r = json_object();
    for (size_t i = 0; keep[i]; i++) {
        json_t *v = json_object_get(h, keep[i]);
        if (v) json_object_set(r, keep[i], v);
    }
    json_decref(h);
    return r;
}

int hq_app_config_export(struct hq_app *a, json_t **out)
{
    json_t *svc = json_array(), *win = json_array(), *staff = json_array();
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; i < a->hall.n_services; i++) /* retired records stay here (branch retire) */
        if (!hq__service_retired(a, a->hall.services[i].code))
            json_array_append_new(svc, service_out(&a->hall.services[i]));
    for (size_t i = 0; i < a->hall.n_windows; i++)
        json_array_append_new(win, window_out(&a->hall.windows[i]));
    for (size_t i = 0; i < a->hall.n_staff; i++)
        if (!hq__staff_retired(a, a->hall.staff[i].username))
            json_array_append_new(staff, staff_out(&a->hall.staff[i]));
    json_t *hall = hall_out(a);
    pthread_mutex_unlock(&a->mu);
    *out = json_pack("{s:s,s:i,s:o,s:o,s:o,s:o,s:o}", "format", FORMAT, "version", VERSION,
                     "exported_at", hq__time_json(a, hq_app_time(a)), "hall", hall, "services", svc,
                     "windows", win, "staff", staff);
    return 0;
}

/* Prefix the field of a refusal with the record it came from: "services[2].name". */
static void set_field(struct hq_why *why, const char *f)
{
    size_t n = strlen(f);
    if (n >= sizeof why->field) n = sizeof why->field - 1; /* cut, never overflow */
    memcpy(why->field, f, n);
    why->field[n] = 0;
}

static int at(struct hq_why *why, int rc, const char *list, size_t i)
{
    char f[128];
    snprintf(f, sizeof f, "%s[%zu]%s%s", list, i, why->field[0] ? "." : "", why->field);
    set_field(why, f);
    return rc;
}

static void change(json_t *changes, const char *kind, const char *key, const char *action)
{
    json_array_append_new(changes,
                          json_pack("{s:s,s:s,s:s}", "kind", kind, "key", key, "action", action));
}

/* The action for one record from its export form before (NULL: new) and after the import,
 * appended to changes; both forms are released. */
static const char *record(json_t *changes, const char *kind, const char *key, json_t *before,
                          json_t *after)
{
    const char *action = !before ? "create" : json_equal(before, after) ? "unchanged" : "update";
    json_decref(before);
    json_decref(after);
    change(changes, kind, key, action);
    return action;
}

static json_t *list_of(json_t *in, const char *name, struct hq_why *why, int *rc)
{
    json_t *l = json_object_get(in, name);
    if (!l || json_is_null(l)) return NULL;
    if (!json_is_array(l) || json_array_size(l) > MAX_RECORDS) {
        *rc =
            hq_fail(why, HQ_EINVAL, name, "%s: an array of at most %d records", name, MAX_RECORDS);
        return NULL;
    }
    size_t i;
    json_t *x;
    json_array_foreach(l, i, x) if (!json_is_object(x))
    {
        *rc = at(why, hq_fail(why, HQ_EINVAL, "", "a record must be a JSON object"), name, i);
        return NULL;
    }
    return l;
}

/* Apply the document to tmp (a copy of the hall, under mu), filling changes and b. */
static int apply(struct hq_app *a, struct hq_hall *tmp, json_t *in, json_t *changes,
                 json_t *needs_pw, struct hq_batch *b, struct hq_hall_conf *conf, char **info,
                 struct hq_why *why)
{
    int rc = 0;
    json_t *svcs = list_of(in, "services", why, &rc);
    json_t *wins = rc ? NULL : list_of(in, "windows", why, &rc);
    json_t *staff = rc ? NULL : list_of(in, "staff", why, &rc);
    if (rc) return rc;
    json_t *hall = json_object_get(in, "hall");
    if (hall && !json_is_null(hall)) {
        static const char *const hk[] = {"name",          "name_en", "timezone",    "hours",
                                         "target_wait_s", "policy",  "public_info", NULL};
        if (!json_is_object(hall))
            return hq_fail(why, HQ_EINVAL, "hall", "hall: must be an object");
        if ((rc = hq__in_known(hall, hk, why))) return rc;
        if ((rc = hq__hall_parse(hall, conf, info, why))) {
            char f[128];
            snprintf(f, sizeof f, "hall.%s", why->field);
            set_field(why, f);
            return rc;
        }
        bool same = memcmp(conf, &tmp->conf, sizeof *conf) == 0;
        json_t *pi = json_object_get(hall, "public_info");
        if (pi && json_is_object(pi) && !json_equal(pi, a->public_info)) same = false;
        tmp->conf = *conf;
        change(changes, "hall", "hall", same ? "unchanged" : "update");
        if (!same && hq_batch_hall(b, conf) != 0) return HQ_EINTERNAL;
    }
    size_t i;
    json_t *x;
    json_array_foreach(svcs, i, x)
    {
        const char *code = json_string_value(json_object_get(x, "code"));
        if (hq__service_retired(a, code)) /* branch retire: restored first, not imported over */
            return at(why,
                      hq_fail(why, HQ_ECONFLICT, "code",
                              "code: service %s is retired: restore it, or delete it for good "
                              "first",
                              code),
                      "services", i);
        struct hq_service *cur = code ? hq_service_find(tmp, code) : NULL;
        struct hq_service s;
        memset(&s, 0, sizeof s);
        if (cur) s = *cur;
        json_t *before = cur ? service_out(cur) : NULL;
        if ((rc = hq__service_parse(x, &s, cur == NULL, why)) ||
            (rc = cur ? hq_service_put(tmp, &s, why) : hq_service_add(tmp, &s, why))) {
            json_decref(before);
            return at(why, rc, "services", i);
        }
        cur = hq_service_find(tmp, s.code);
        const char *action = record(changes, "service", s.code, before, service_out(cur));
        if (strcmp(action, "unchanged") != 0 && hq_batch_service(b, cur) != 0) return HQ_EINTERNAL;
    }
    json_array_foreach(wins, i, x)
    {
        json_t *n = json_object_get(x, "number");
        struct hq_window *cur =
            json_is_integer(n) ? hq_window_find(tmp, (int32_t)json_integer_value(n)) : NULL;
        struct hq_window w;
        memset(&w, 0, sizeof w);
        if (cur) w = *cur;
        json_t *before = cur ? window_out(cur) : NULL;
        rc = hq__window_parse(x, &w, cur == NULL, why);
        for (int k = 0; rc == 0 && k < w.n_services; k++) /* branch retire */
            if (hq__service_retired(a, w.services[k]))
                rc = hq_fail(why, HQ_EINVAL, "services", "services[%d]: service %s is retired", k,
                             w.services[k]);
        if (rc == 0 && !cur && hq__window_retired(a, w.number))
            rc = hq_fail(why, HQ_ECONFLICT, "number",
                         "number: window %d is retired: restore it, or delete it for good first",
                         w.number);
        if (rc || (rc = cur ? hq_window_put(tmp, &w, why) : hq_window_add(tmp, &w, why))) {
            json_decref(before);
            return at(why, rc, "windows", i);
        }
        cur = hq_window_find(tmp, w.number);
        char key[16];
        snprintf(key, sizeof key, "%d", (int)w.number);
        const char *action = record(changes, "window", key, before, window_out(cur));
        if (strcmp(action, "unchanged") != 0 && hq_batch_window(b, cur) != 0) return HQ_EINTERNAL;
    }
    json_array_foreach(staff, i, x)
    {
        if (json_object_get(x, "password"))
            return at(why,
                      hq_fail(why, HQ_EINVAL, "password",
                              "password: not imported: set passwords on the admin page"),
                      "staff", i);
        const char *user = json_string_value(json_object_get(x, "username"));
        if (hq__staff_retired(a, user))
            return at(why,
                      hq_fail(why, HQ_ECONFLICT, "username",
                              "username: '%s' is retired: restore them, or delete them for good "
                              "first",
                              user),
                      "staff", i);
        struct hq_staff *cur = user ? hq_staff_find(tmp, user) : NULL;
        struct hq_staff s;
        memset(&s, 0, sizeof s);
        if (cur) s = *cur;
        json_t *before = cur ? staff_out(cur) : NULL;
        /* A new member needs a password to be created: a placeholder no password verifies. */
        json_t *item = json_copy(x);
        if (!cur) json_object_set_new(item, "password", json_string("import-placeholder"));
        char pw[64] = "";
        if (!cur) json_object_del(item, "active");
        rc = hq__staff_parse(item, &s, cur == NULL, pw, sizeof pw, why);
        if (rc == 0 && !cur) {
            bool active = true;
            rc = hq__in_bool(x, "active", false, &active, why);
            s.active = active;
            snprintf(s.pw_hash, sizeof s.pw_hash, "%s", NO_PASSWORD);
        }
        json_decref(item);
        if (rc || (rc = cur ? hq_staff_put(tmp, &s, why) : hq_staff_add(tmp, &s, why))) {
            json_decref(before);
            return at(why, rc, "staff", i);
        }
        cur = hq_staff_find(tmp, s.username);
        const char *action = record(changes, "staff", s.username, before, staff_out(cur));
        if (strcmp(action, "create") == 0) json_array_append_new(needs_pw, json_string(s.username));
        if (strcmp(action, "unchanged") != 0 && hq_batch_staff(b, cur) != 0) return HQ_EINTERNAL;
    }
    return 0;
}

int hq_app_config_import(struct hq_app *a, const struct hq_actor *who, json_t *in, bool dry_run,
                         json_t **out, struct hq_why *why)
{
    static const char *const known[] = {"format",   "version", "exported_at", "hall",
                                        "services", "windows", "staff",       NULL};
    int rc = hq__in_known(in, known, why);
    if (rc) return rc;
    const char *format = json_string_value(json_object_get(in, "format"));
    if (!format || strcmp(format, FORMAT) != 0)
        return hq_fail(why, HQ_EINVAL, "format",
                       "format: must be \"hallq-config\" (a file from the export)");
    json_t *ver = json_object_get(in, "version");
    if (!json_is_integer(ver) || json_integer_value(ver) != VERSION)
        return hq_fail(why, HQ_EINVAL, "version", "version: this hallq reads version %d", VERSION);
    json_t *ex = json_object_get(in, "exported_at");
    int64_t ignored;
    if (ex && !json_is_null(ex) &&
        !(json_is_string(ex) && hq__parse_time(json_string_value(ex), &ignored) == 0))
        return hq_fail(why, HQ_EINVAL, "exported_at", "exported_at: an RFC 3339 time or null");
    json_t *changes = json_array(), *needs_pw = json_array();
    struct hq_batch trial, b;
    hq_batch_init(&trial);
    hq_batch_init(&b);
    struct hq_hall tmp;
    char *info = NULL;
    pthread_mutex_lock(&a->mu);
    struct hq_hall_conf conf = a->hall.conf;
    if (hq_hall_copy(&tmp, &a->hall) != 0) {
        pthread_mutex_unlock(&a->mu);
        json_decref(changes);
        json_decref(needs_pw);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    /* First on a copy: every check, and what would change. */
    rc = apply(a, &tmp, in, changes, needs_pw, &trial, &conf, &info, why);
    hq_hall_release(&tmp);
    hq_batch_release(&trial);
    free(info);
    info = NULL;
    if (rc == HQ_EINTERNAL && !why->message[0])
        rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    size_t n_changed = 0, i;
    json_t *c;
    json_array_foreach(changes, i, c) n_changed +=
        strcmp(json_string_value(json_object_get(c, "action")), "unchanged") != 0;
    if (rc != 0 || dry_run || n_changed == 0) {
        pthread_mutex_unlock(&a->mu);
        if (rc == 0)
            *out = json_pack("{s:o,s:o,s:b}", "changes", changes, "needs_password", needs_pw,
                             "applied", 0);
        else {
            json_decref(changes);
            json_decref(needs_pw);
        }
        return rc;
    }
    /* Then the same on the hall itself, under the same lock, from the same state: it holds as it
     * held on the copy. One batch stores all of it. */
    json_t *changes2 = json_array(), *needs2 = json_array();
    conf = a->hall.conf;
    rc = apply(a, &a->hall, in, changes2, needs2, &b, &conf, &info, why);
    json_decref(changes2);
    json_decref(needs2);
    for (size_t w = 0; w < a->hall.n_windows; w++)
        hq__pad(a, &a->hall.windows[w]);
    int64_t now = hq_app_time(a);
    json_t *pi = json_object_get(json_object_get(in, "hall"), "public_info");
    if (rc == 0 && info && hq_batch_doc(&b, "setting", "public_info", info, now) != 0)
        rc = HQ_EINTERNAL;
    if (rc == 0)
        rc = hq__app_event(a, &b, who->username, "config.imported",
                           json_pack("{s:I}", "changes", (json_int_t)n_changed));
    if (rc == 0 && info) {
        json_decref(a->public_info);
        a->public_info = json_deep_copy(pi);
    }
    free(info);
    if (rc != 0) {
        /* Cannot happen (the copy took the same steps); if it does, the store's state is the
         * truth: commit nothing and rebuild from it at the next failure path. */
        pthread_mutex_unlock(&a->mu);
        hq_batch_release(&b);
        json_decref(changes);
        json_decref(needs_pw);
        return hq_fail(why, HQ_EINTERNAL, "", "the import could not be applied");
    }
    *out = json_pack("{s:o,s:o,s:b}", "changes", changes, "needs_password", needs_pw, "applied", 1);
    rc = hq__app_commit_unlock(a, &b, why);
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}
