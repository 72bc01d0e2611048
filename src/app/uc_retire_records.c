/* SPDX-License-Identifier: MIT */
/*
 * uc_retire_records.c — services and staff members created by mistake (or gone for good) are
 * retired, as windows are (uc_retire.c), with a store document per retired record
 * ("service_retired" by code, "staff_retired" by username) and an in-memory list loaded at open.
 * Unlike a window, the record itself stays in the hall, switched off (a service) or off duty (a
 * staff member), so that today's tickets, statistics, evaluations and reports keep its name and
 * its code or username cannot be taken by a new record; every list and page leaves it out
 * (GET /services, GET /staff, the display, the advice, the windows' service lists, the export).
 *
 * Retiring a staff member is refused for the admin himself, the last active admin, and while they
 * have a window open; their sessions end at once. Retiring a service is refused while it takes
 * bookings (saying how many are booked from now on), while a window in service serves it (naming
 * the windows) and while customers wait for it, with the choice switching off offers
 * (hq__service_off): transfer them; keep is refused, no window being left to serve them.
 * Restoring brings the record back switched off / off duty. Deleting for good is uc_retire.c's.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_int.h"
#include "hq_appointments.h"

#define K_SERVICE "service_retired"
#define K_STAFF "staff_retired"

static int load_into(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)t;
    json_t *o = json_loads(json, 0, NULL);
    if (o) json_object_set_new(ctx, key, o);
    return 0;
}

int hq__retired_records_load(struct hq_app *a, struct hq_why *why)
{
    json_decref(a->retired_services);
    json_decref(a->retired_staff);
    a->retired_services = json_object();
    a->retired_staff = json_object();
    if (!a->retired_services || !a->retired_staff)
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    a->store->vt->doc_list(a->store, K_SERVICE, 0, 0, 0, load_into, a->retired_services);
    a->store->vt->doc_list(a->store, K_STAFF, 0, 0, 0, load_into, a->retired_staff);
    return 0;
}

bool hq__service_retired(struct hq_app *a, const char *code)
{
    return a->retired_services && code && json_object_get(a->retired_services, code) != NULL;
}

bool hq__staff_retired(struct hq_app *a, const char *username)
{
    return a->retired_staff && username && json_object_get(a->retired_staff, username) != NULL;
}

int hq__retired_forget(struct hq_app *a, struct hq_batch *b, bool service, const char *key,
                       int64_t now)
{
    json_t *list = service ? a->retired_services : a->retired_staff;
    if (!json_object_get(list, key)) return 0;
    if (hq_batch_doc_delete(b, service ? K_SERVICE : K_STAFF, key, now) != 0) return -1;
    json_object_del(list, key);
    return 0;
}

/* The record as GET /services or GET /staff shows it, with retired_at and retired_by. */
static json_t *retired_json(struct hq_app *a, bool service, const char *key, json_t *doc)
{
    json_t *o = NULL;
    if (service) {
        const struct hq_service *s = hq_service_find(&a->hall, key);
        if (s) o = hq__service_json(s);
    } else {
        const struct hq_staff *s = hq_staff_find(&a->hall, key);
        if (s) o = hq__staff_json(s);
    }
    if (!o) return NULL;
    json_object_set(o, "retired_at", json_object_get(doc, "retired_at"));
    json_object_set(o, "retired_by", json_object_get(doc, "retired_by"));
    return o;
}

static int list(struct hq_app *a, bool service, json_t **out)
{
    json_t *arr = json_array();
    pthread_mutex_lock(&a->mu);
    const char *k;
    json_t *v;
    json_object_foreach(service ? a->retired_services : a->retired_staff, k, v)
    {
        json_t *o = retired_json(a, service, k, v);
        if (o) json_array_append_new(arr, o);
    }
    pthread_mutex_unlock(&a->mu);
    *out = arr;
    return 0;
}

int hq_app_services_retired(struct hq_app *a, json_t **out)
{
    return list(a, true, out);
}

int hq_app_staff_retired(struct hq_app *a, json_t **out)
{
    return list(a, false, out);
}

/* Under mu: store the retired document and the event, commit, answer the record. */
static int retire_commit(struct hq_app *a, const struct hq_actor *who, struct hq_batch *b,
                         bool service, const char *key, json_t **out, struct hq_why *why)
{
    int64_t now = hq_app_time(a);
    json_t *doc = json_pack("{s:s,s:o,s:s}", service ? "code" : "username", key, "retired_at",
                            hq__time_json(a, now), "retired_by", who->username);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (!text || hq_batch_doc(b, service ? K_SERVICE : K_STAFF, key, text, now) != 0 ||
        hq__app_event(a, b, who->username, service ? "service.retired" : "staff.retired",
                      json_pack("{s:s}", service ? "code" : "username", key)) != 0) {
        free(text);
        json_decref(doc);
        hq_batch_release(b);
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    free(text);
    json_object_set_new(service ? a->retired_services : a->retired_staff, key, doc);
    *out = retired_json(a, service, key, doc);
    int rc = hq__app_commit_unlock(a, b, why);
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* Bookings still to come for a service: booked, starting from now on. */
struct booked {
    const char *code;
    int n;
};

static int on_booking(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)key;
    (void)t;
    struct booked *c = ctx;
    json_t *d = json_loads(json, 0, NULL);
    const char *svc = json_string_value(json_object_get(d, "service"));
    const char *st = json_string_value(json_object_get(d, "status"));
    if (svc && st && strcmp(svc, c->code) == 0 && strcmp(st, "booked") == 0) c->n++;
    json_decref(d);
    return 0;
}

int hq_app_service_retire(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                          struct hq_why *why)
{
    static const char *const known[] = {"code", "waiting_action", "transfer_to", NULL};
    char code[HQ_CODE_MAX + 8] = "", action[16] = "";
    int rc = hq__in_known(in, known, why);
    if (rc == 0) rc = hq__in_str(in, "code", true, code, sizeof code, why);
    if (rc == 0) rc = hq__in_str(in, "waiting_action", false, action, sizeof action, why);
    if (rc != 0) return rc;
    if (!hq_valid_service_code(code))
        return hq_fail(why, HQ_EINVAL, "code", "code: must be 1 or 2 capital letters A-Z");
    if (action[0] && strcmp(action, "keep") != 0 && strcmp(action, "transfer") != 0)
        return hq_fail(why, HQ_EINVAL, "waiting_action", "waiting_action: keep or transfer");
    struct booked bk = {code, 0};
    pthread_mutex_lock(&a->reader_mu);
    a->reader->vt->doc_list(a->reader, "appointment", hq_app_time(a), 0, 0, on_booking, &bk);
    pthread_mutex_unlock(&a->reader_mu);

    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    struct hq_service *s = hq_service_find(&a->hall, code);
    if (!s)
        rc = hq_fail(why, HQ_ENOTFOUND, "code", "no service with code '%.8s'", code);
    else if (hq__service_retired(a, code))
        rc = hq_fail(why, HQ_ECONFLICT, "code", "service %s is retired already", code);
    else if (bk.n > 0 || hq__appointments_bookable(a, code))
        rc = hq_fail(why, HQ_ECONFLICT, "code",
                     "service %s takes bookings (%d booked from now on): make it not bookable "
                     "and cancel them first",
                     code, bk.n);
    if (rc == 0) {
        char wins[96] = "";
        for (size_t i = 0; i < a->hall.n_windows; i++)
            for (int k = 0; k < a->hall.windows[i].n_services; k++)
                if (strcmp(a->hall.windows[i].services[k], code) == 0) {
                    size_t len = strlen(wins);
                    snprintf(wins + len, sizeof wins - len, "%s%d", len ? ", " : "",
                             (int)a->hall.windows[i].number);
                }
        if (wins[0])
            rc = hq_fail(why, HQ_ECONFLICT, "code",
                         "service %s is served by the windows %s: take it off them first", code,
                         wins);
    }
    if (rc == 0) {
        int waiting = 0;
        for (size_t i = 0; i < a->hall.n_tickets; i++)
            waiting += a->hall.tickets[i].status == HQ_WAITING &&
                       strcmp(a->hall.tickets[i].service, code) == 0;
        if (waiting > 0 && strcmp(action, "keep") == 0)
            rc = hq_fail(why, HQ_ECONFLICT, "waiting_action",
                         "waiting_action: no window serves service %s any more: transfer the %d "
                         "waiting customers to another service (transfer, transfer_to)",
                         code, waiting);
        else
            rc = hq__service_off(a, who, code, in, &b, why); /* the same choice as switching off */
    }
    if (rc != 0) {
        hq_batch_release(&b);
        pthread_mutex_unlock(&a->mu);
        return rc;
    }
    s->enabled = false;
    if (hq_batch_service(&b, s) != 0) {
        hq_batch_release(&b);
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    return retire_commit(a, who, &b, true, s->code, out, why);
}

int hq_app_staff_retire(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                        struct hq_why *why)
{
    static const char *const known[] = {"username", NULL};
    char username[HQ_USER_MAX + 8] = "";
    int rc = hq__in_known(in, known, why);
    if (rc == 0) rc = hq__in_str(in, "username", true, username, sizeof username, why);
    if (rc != 0) return rc;
    if (strcmp(who->username, username) == 0)
        return hq_fail(why, HQ_ECONFLICT, "username",
                       "you cannot retire yourself: another admin can");
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    struct hq_staff *s = hq_staff_find(&a->hall, username);
    if (!s)
        rc = hq_fail(why, HQ_ENOTFOUND, "username", "no staff member '%.32s'", username);
    else if (hq__staff_retired(a, username))
        rc = hq_fail(why, HQ_ECONFLICT, "username", "'%s' is retired already", username);
    if (rc == 0 && s->role == HQ_ROLE_ADMIN) {
        int others = 0;
        for (size_t i = 0; i < a->hall.n_staff; i++)
            others += a->hall.staff[i].role == HQ_ROLE_ADMIN && a->hall.staff[i].active &&
                      &a->hall.staff[i] != s && !hq__staff_retired(a, a->hall.staff[i].username);
        if (others == 0)
            rc = hq_fail(why, HQ_ECONFLICT, "username",
                         "'%s' is the last active admin: make another admin first", username);
    }
    for (size_t i = 0; rc == 0 && i < a->hall.n_windows; i++)
        if (strcmp(a->hall.windows[i].clerk, username) == 0)
            rc = hq_fail(why, HQ_ECONFLICT, "username", "'%s' has window %d open: close it first",
                         username, (int)a->hall.windows[i].number);
    if (rc != 0) {
        pthread_mutex_unlock(&a->mu);
        return rc;
    }
    s->active = false; /* no sign-in, no session (auth.c checks active) */
    hq__sessions_end_user(a, s->username, hq_app_time(a), &b);
    if (hq_batch_staff(&b, s) != 0) {
        hq_batch_release(&b);
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    return retire_commit(a, who, &b, false, s->username, out, why);
}

static int restore(struct hq_app *a, const struct hq_actor *who, bool service, const char *key,
                   json_t **out, struct hq_why *why)
{
    int64_t now = hq_app_time(a);
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    json_t *list = service ? a->retired_services : a->retired_staff;
    if (!json_object_get(list, key)) {
        pthread_mutex_unlock(&a->mu);
        return service ? hq_fail(why, HQ_ENOTFOUND, "", "no retired service %s", key)
                       : hq_fail(why, HQ_ENOTFOUND, "", "no retired staff member '%s'", key);
    }
    if (hq_batch_doc_delete(&b, service ? K_SERVICE : K_STAFF, key, now) != 0 ||
        hq__app_event(a, &b, who->username, service ? "service.restored" : "staff.restored",
                      json_pack("{s:s}", service ? "code" : "username", key)) != 0) {
        hq_batch_release(&b);
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    json_object_del(list, key);
    /* back switched off / off duty: the admin switches it on when it is meant */
    if (service) {
        const struct hq_service *s = hq_service_find(&a->hall, key);
        *out = s ? hq__service_json(s) : json_object();
    } else {
        const struct hq_staff *s = hq_staff_find(&a->hall, key);
        *out = s ? hq__staff_json(s) : json_object();
    }
    int rc = hq__app_commit_unlock(a, &b, why);
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int hq_app_service_restore(struct hq_app *a, const struct hq_actor *who, const char *code,
                           json_t **out, struct hq_why *why)
{
    return restore(a, who, true, code, out, why);
}

int hq_app_staff_restore(struct hq_app *a, const struct hq_actor *who, const char *username,
                         json_t **out, struct hq_why *why)
{
    return restore(a, who, false, username, out, why);
}
