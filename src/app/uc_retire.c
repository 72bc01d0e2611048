/* SPDX-License-Identifier: MIT */
/*
 * uc_retire.c — records that can be corrected: a window created by mistake (or closed for good) is
 * retired, not left on every list. Retiring takes the window out of the live hall (the counter's
 * window list, the manager page, the start page, the advice and the plan stop showing it) while its
 * history stays: tickets keep its number, statistics still count it, and its settings are kept in
 * a store document ("window_retired", number) so it can be restored. A retired window that never
 * served a ticket can be deleted for good; one that did stays retired, so reports keep its name.
 *
 * The in-memory list a->retired_windows (number → the window as GET /windows showed it, with
 * retired_at and by) is loaded at open and changed under mu with the batch that stores it.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../stats/hq_stats.h"
#include "app_int.h"
#include "hq_appointments.h"

#define KIND "window_retired"

static int load_one(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)t;
    struct hq_app *a = ctx;
    json_t *o = json_loads(json, 0, NULL);
    if (o) json_object_set_new(a->retired_windows, key, o);
    return 0;
}

int hq__retire_load(struct hq_app *a, struct hq_why *why)
{
    json_decref(a->retired_windows);
    a->retired_windows = json_object();
    if (!a->retired_windows) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    a->store->vt->doc_list(a->store, KIND, 0, 0, 0, load_one, a);
    return 0;
}

bool hq__window_retired(struct hq_app *a, int32_t number)
{
    char key[16];
    snprintf(key, sizeof key, "%" PRId32, number);
    return a->retired_windows && json_object_get(a->retired_windows, key) != NULL;
}

int hq__retired_window_names(struct hq_app *a, struct hq_stats_input *in)
{
    const char *k;
    json_t *v;
    json_object_foreach(a->retired_windows, k, v)
    {
        struct hq_stats_name n = {0};
        snprintf(n.key, sizeof n.key, "%s", k);
        snprintf(n.name, sizeof n.name, "%s", json_string_value(json_object_get(v, "name")) ?: k);
        if (hq_stats_add_window(in, &n)) return HQ_EINTERNAL;
    }
    return 0;
}

int hq_app_windows_retired(struct hq_app *a, json_t **out)
{
    json_t *arr = json_array();
    pthread_mutex_lock(&a->mu);
    const char *k;
    json_t *v;
    json_object_foreach(a->retired_windows, k, v) json_array_append(arr, v);
    pthread_mutex_unlock(&a->mu);
    *out = arr;
    return 0;
}

/* Under mu: the name of a device bound to window number, or NULL. */
static const char *device_on(struct hq_app *a, int32_t number)
{
    for (size_t i = 0; i < a->n_devices; i++)
        if (!a->devices[i].revoked_at && a->devices[i].window == number) return a->devices[i].name;
    return NULL;
}

int hq_app_window_retire(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                         struct hq_why *why)
{
    static const char *const known[] = {"number", NULL};
    int64_t number = 0;
    int rc = hq__in_known(in, known, why);
    if (rc == 0) rc = hq__in_int(in, "number", true, 1, 99999, &number, why);
    if (rc != 0) return rc;
    int64_t now = hq_app_time(a);
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    struct hq_window *w = hq_window_find(&a->hall, (int32_t)number);
    if (!w) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ENOTFOUND, "number", "no window %d", (int)number);
    }
    const char *dev = device_on(a, w->number);
    if (dev) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ECONFLICT, "number",
                       "the device '%s' belongs to window %d: move it or revoke it first", dev,
                       (int)number);
    }
    json_t *doc = hq__window_json(a, w);
    size_t slot = 0;
    rc = hq_window_remove(&a->hall, (int32_t)number, &slot, why);
    if (rc != 0) {
        pthread_mutex_unlock(&a->mu);
        json_decref(doc);
        return rc;
    }
    /* The pads are kept by window slot: they move down with the windows after it. */
    if (slot < a->n_pads) {
        memmove(&a->pads[slot], &a->pads[slot + 1], (a->n_pads - slot - 1) * sizeof *a->pads);
        memset(&a->pads[a->n_pads - 1], 0, sizeof *a->pads);
    }
    json_object_set_new(doc, "retired_at", hq__time_json(a, now));
    json_object_set_new(doc, "retired_by", json_string(who->username));
    char key[16];
    snprintf(key, sizeof key, "%" PRId64, number);
    char *text = json_dumps(doc, JSON_COMPACT);
    if (!text || hq_batch_window_delete(&b, (int32_t)number) != 0 ||
        hq_batch_doc(&b, KIND, key, text, now) != 0 ||
        hq__app_event(a, &b, who->username, "window.retired",
                      json_pack("{s:I}", "window", (json_int_t)number)) != 0) {
        free(text);
        json_decref(doc);
        hq_batch_release(&b);
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    free(text);
    json_object_set(a->retired_windows, key, doc);
    *out = doc;
    rc = hq__app_commit_unlock(a, &b, why);
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int hq_app_window_restore(struct hq_app *a, const struct hq_actor *who, int32_t number,
                          json_t **out, struct hq_why *why)
{
    char key[16];
    snprintf(key, sizeof key, "%" PRId32, number);
    int64_t now = hq_app_time(a);
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    json_t *doc = json_object_get(a->retired_windows, key);
    if (!doc) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ENOTFOUND, "", "no retired window %d", (int)number);
    }
    struct hq_window w;
    memset(&w, 0, sizeof w);
    w.number = number;
    snprintf(w.name, sizeof w.name, "%s", json_string_value(json_object_get(doc, "name")) ?: "");
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(doc, "services"), i, c)
    {
        if (i >= HQ_WIN_SVC_MAX || !json_is_string(c)) break;
        /* A service gone since then is left out; none left is refused by the core. */
        if (!hq_service_find(&a->hall, json_string_value(c)) ||
            hq__service_retired(a, json_string_value(c)))
            continue;
        snprintf(w.services[w.n_services++], HQ_CODE_MAX, "%s", json_string_value(c));
    }
    int rc = hq_window_add(&a->hall, &w, why);
    if (rc != 0) {
        pthread_mutex_unlock(&a->mu);
        return rc;
    }
    struct hq_window *added = hq_window_find(&a->hall, number);
    size_t slot = hq__window_index(a, added);
    hq__pad(a, added);
    if (slot + 1 < a->n_pads) { /* the pads after it move up with their windows */
        memmove(&a->pads[slot + 1], &a->pads[slot], (a->n_pads - slot - 1) * sizeof *a->pads);
        memset(&a->pads[slot], 0, sizeof *a->pads);
    }
    if (hq_batch_window(&b, added) != 0 || hq_batch_doc_delete(&b, KIND, key, now) != 0 ||
        hq__app_event(a, &b, who->username, "window.restored",
                      json_pack("{s:i}", "window", (int)number)) != 0) {
        hq_batch_release(&b);
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    json_object_del(a->retired_windows, key);
    *out = hq__window_json(a, added);
    rc = hq__app_commit_unlock(a, &b, why);
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

struct served {
    int32_t number;
    bool found;
};

static int on_ticket(void *ctx, const struct hq_ticket *t)
{
    struct served *s = ctx;
    if (t->window == s->number) {
        s->found = true;
        return 1; /* stop */
    }
    return 0;
}

int hq_app_window_delete(struct hq_app *a, const struct hq_actor *who, int32_t number, json_t **out,
                         struct hq_why *why)
{
    char key[16];
    snprintf(key, sizeof key, "%" PRId32, number);
    pthread_mutex_lock(&a->mu);
    bool retired = json_object_get(a->retired_windows, key) != NULL;
    bool live = hq_window_find(&a->hall, number) != NULL;
    pthread_mutex_unlock(&a->mu);
    if (live)
        return hq_fail(why, HQ_ECONFLICT, "", "window %d is in service: retire it first",
                       (int)number);
    if (!retired) return hq_fail(why, HQ_ENOTFOUND, "", "no retired window %d", (int)number);
    /* Served anybody, ever? Then it stays, so history and reports keep its name. A rare admin
     * action: one pass over the stored tickets on the read handle. */
    struct served s = {number, false};
    pthread_mutex_lock(&a->reader_mu);
    int src = a->reader->vt->tickets_between(a->reader, 0, 99991231, on_ticket, &s);
    pthread_mutex_unlock(&a->reader_mu);
    if (src < 0) return hq_fail(why, HQ_ESTORE, "", "cannot read the ticket history");
    if (s.found)
        return hq_fail(why, HQ_ECONFLICT, "",
                       "window %d has served customers: it stays retired so that history keeps "
                       "its name",
                       (int)number);
    int64_t now = hq_app_time(a);
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    if (!json_object_get(a->retired_windows, key)) { /* restored or deleted meanwhile */
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ENOTFOUND, "", "no retired window %d", (int)number);
    }
    if (hq_batch_doc_delete(&b, KIND, key, now) != 0 ||
        hq__app_event(a, &b, who->username, "window.deleted",
                      json_pack("{s:i}", "window", (int)number)) != 0) {
        hq_batch_release(&b);
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    json_object_del(a->retired_windows, key);
    int rc = hq__app_commit_unlock(a, &b, why);
    if (rc == 0) *out = json_pack("{s:b,s:i}", "deleted", 1, "number", (int)number);
    return rc;
}

/* ---- services and staff deleted for good (branch setup3) ----
 * A service or a staff member created by mistake is deleted while nothing refers to it: the
 * refusal (409) names the first thing that does. A service: a window (in service or retired)
 * serving it, a staff member certified for it, its taking bookings, a ticket (today's or
 * stored, as its service now or one still to come). A staff member: the signed-in admin himself,
 * a window he has open, a ticket he called or served (and so its evaluation). Otherwise a service
 * is switched off and a staff member taken off duty (active false): history keeps them. */

struct refs {
    const char *service;  /* or NULL */
    const char *username; /* or NULL */
    char number[16];      /* the first ticket found */
};

static bool ticket_refers(const struct refs *r, const struct hq_ticket *t)
{
    if (r->username) return strcmp(t->clerk, r->username) == 0;
    if (strcmp(t->service, r->service) == 0) return true;
    for (int i = 0; i < t->n_next && i < HQ_NEXT_MAX; i++)
        if (strcmp(t->next[i], r->service) == 0) return true;
    return false;
}

static int on_ref_ticket(void *ctx, const struct hq_ticket *t)
{
    struct refs *r = ctx;
    if (!ticket_refers(r, t)) return 0;
    snprintf(r->number, sizeof r->number, "%s", t->number);
    return 1; /* stop */
}

/* The stored tickets (a rare admin action: one pass on the read handle); 0 none, 1 found. */
static int stored_refs(struct hq_app *a, struct refs *r, struct hq_why *why)
{
    pthread_mutex_lock(&a->reader_mu);
    int src = a->reader->vt->tickets_between(a->reader, 0, 99991231, on_ref_ticket, r);
    pthread_mutex_unlock(&a->reader_mu);
    if (src < 0) return hq_fail(why, HQ_ESTORE, "", "cannot read the ticket history");
    return r->number[0] ? 1 : 0;
}

/* Under mu: what refers to service code now, as a refusal; 0 when nothing does. */
static int service_refs_live(struct hq_app *a, const char *code, struct hq_why *why)
{
    for (size_t i = 0; i < a->hall.n_windows; i++)
        for (int k = 0; k < a->hall.windows[i].n_services; k++)
            if (strcmp(a->hall.windows[i].services[k], code) == 0)
                return hq_fail(why, HQ_ECONFLICT, "code",
                               "service %s is served by window %d: take it off the window first",
                               code, (int)a->hall.windows[i].number);
    const char *k;
    json_t *v;
    json_object_foreach(a->retired_windows, k, v)
    {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(v, "services"), i, c)
        {
            if (json_is_string(c) && strcmp(json_string_value(c), code) == 0)
                return hq_fail(why, HQ_ECONFLICT, "code",
                               "service %s is served by the retired window %s: restore and change "
                               "it, or delete the window first",
                               code, k);
        }
    }
    for (size_t i = 0; i < a->hall.n_staff; i++)
        for (int c = 0; c < a->hall.staff[i].n_certs; c++)
            if (strcmp(a->hall.staff[i].certs[c].service, code) == 0)
                return hq_fail(why, HQ_ECONFLICT, "code",
                               "service %s is in the certifications of '%s': remove it there first",
                               code, a->hall.staff[i].username);
    if (hq__appointments_bookable(a, code))
        return hq_fail(why, HQ_ECONFLICT, "code",
                       "service %s takes bookings: make it not bookable first", code);
    struct refs r = {code, NULL, ""};
    for (size_t i = 0; i < a->hall.n_tickets; i++)
        if (ticket_refers(&r, &a->hall.tickets[i]))
            return hq_fail(why, HQ_ECONFLICT, "code",
                           "service %s has tickets (%s): switch it off instead, history keeps it",
                           code, a->hall.tickets[i].number);
    return 0;
}

int hq_app_service_delete_forever(struct hq_app *a, const struct hq_actor *who, const char *code,
                                  json_t **out, struct hq_why *why)
{
    pthread_mutex_lock(&a->mu);
    bool found = hq_service_find(&a->hall, code) != NULL;
    int rc = found ? service_refs_live(a, code, why) : 0;
    pthread_mutex_unlock(&a->mu);
    if (!found) return hq_fail(why, HQ_ENOTFOUND, "", "no service with code '%.8s'", code);
    if (rc) return rc;
    struct refs r = {code, NULL, ""};
    if ((rc = stored_refs(a, &r, why)) < 0) return rc;
    if (rc > 0)
        return hq_fail(why, HQ_ECONFLICT, "code",
                       "service %s has tickets (%s): switch it off instead, history keeps it", code,
                       r.number);
    struct hq_record_ref ref; /* the documents naming it as text (record_refs.c) */
    if ((rc = hq__record_refs(a, true, code, NULL, &ref, why)) < 0) return rc;
    if (rc > 0)
        return hq_fail(why, HQ_ECONFLICT, "code",
                       "service %s is named in %d %s: retire it instead, history keeps it", code,
                       ref.count, ref.what);
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    struct hq_service *s = hq_service_find(&a->hall, code);
    if (!s) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ENOTFOUND, "", "no service with code '%.8s'", code);
    }
    if ((rc = service_refs_live(a, code, why)) != 0) { /* changed meanwhile */
        pthread_mutex_unlock(&a->mu);
        return rc;
    }
    char kept[HQ_CODE_MAX];
    snprintf(kept, sizeof kept, "%s", s->code);
    if (hq_batch_service_delete(&b, kept) != 0 ||
        hq__retired_forget(a, &b, true, kept, hq_app_time(a)) != 0 ||
        hq__app_event(a, &b, who->username, "service.deleted", json_pack("{s:s}", "code", kept)) !=
            0) {
        hq_batch_release(&b);
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    size_t at = (size_t)(s - a->hall.services);
    memmove(&a->hall.services[at], &a->hall.services[at + 1],
            (a->hall.n_services - at - 1) * sizeof *a->hall.services);
    a->hall.n_services--;
    rc = hq__app_commit_unlock(a, &b, why);
    if (rc == 0) *out = json_pack("{s:b,s:s}", "deleted", 1, "code", kept);
    return rc;
}

int hq_app_staff_delete_forever(struct hq_app *a, const struct hq_actor *who, const char *username,
                                json_t **out, struct hq_why *why)
{
    if (strcmp(who->username, username) == 0)
        return hq_fail(why, HQ_ECONFLICT, "username",
                       "you cannot delete yourself: another admin can");
    pthread_mutex_lock(&a->mu);
    const struct hq_staff *f = hq_staff_find(&a->hall, username);
    char name[HQ_NAME_MAX] = "";
    if (f) snprintf(name, sizeof name, "%s", f->name);
    pthread_mutex_unlock(&a->mu);
    if (!f) return hq_fail(why, HQ_ENOTFOUND, "", "no staff member '%.32s'", username);
    struct refs r = {NULL, username, ""};
    int rc = stored_refs(a, &r, why);
    if (rc < 0) return rc;
    if (rc > 0)
        return hq_fail(why, HQ_ECONFLICT, "username",
                       "'%s' served tickets (%s): retire them instead, history keeps them",
                       username, r.number);
    struct hq_record_ref ref; /* the documents naming them as text (record_refs.c) */
    if ((rc = hq__record_refs(a, false, username, name, &ref, why)) < 0) return rc;
    if (rc > 0)
        return hq_fail(why, HQ_ECONFLICT, "username",
                       "'%s' is named in %d %s: retire them instead, history keeps them", username,
                       ref.count, ref.what);
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    struct hq_staff *s = hq_staff_find(&a->hall, username);
    if (!s) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ENOTFOUND, "", "no staff member '%.32s'", username);
    }
    for (size_t i = 0; i < a->hall.n_windows; i++)
        if (strcmp(a->hall.windows[i].clerk, username) == 0) {
            int n = (int)a->hall.windows[i].number;
            pthread_mutex_unlock(&a->mu);
            return hq_fail(why, HQ_ECONFLICT, "username", "'%s' has window %d open: close it first",
                           username, n);
        }
    for (size_t i = 0; i < a->hall.n_tickets; i++)
        if (ticket_refers(&r, &a->hall.tickets[i])) {
            char num[16];
            snprintf(num, sizeof num, "%s", a->hall.tickets[i].number);
            pthread_mutex_unlock(&a->mu);
            return hq_fail(why, HQ_ECONFLICT, "username",
                           "'%s' served tickets (%s): retire them instead, history keeps them",
                           username, num);
        }
    char kept[HQ_USER_MAX];
    snprintf(kept, sizeof kept, "%s", s->username);
    if (hq_batch_staff_delete(&b, kept) != 0 ||
        hq__retired_forget(a, &b, false, kept, hq_app_time(a)) != 0 ||
        hq__app_event(a, &b, who->username, "staff.deleted",
                      json_pack("{s:s}", "username", kept)) != 0) {
        hq_batch_release(&b);
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    size_t at = (size_t)(s - a->hall.staff);
    memmove(&a->hall.staff[at], &a->hall.staff[at + 1],
            (a->hall.n_staff - at - 1) * sizeof *a->hall.staff);
    a->hall.n_staff--;
    rc = hq__app_commit_unlock(a, &b, why);
    if (rc == 0) *out = json_pack("{s:b,s:s}", "deleted", 1, "username", kept);
    return rc;
}
