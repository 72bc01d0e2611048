/* SPDX-License-Identifier: MIT */
/*
 * uc_config.c — use cases of the hall's configuration: services, windows, staff and their
 * certifications, the hall settings. PUT applies the fields given and keeps the others. Every
 * change is committed with an event naming its actor (the audit trail).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_int.h"
#include "hq_appointments.h"
#include "hq_ops.h"

static int commit_event(struct hq_app *a, struct hq_batch *b, const struct hq_actor *who,
                        const char *type, json_t *data, struct hq_why *why)
{
    if (hq__app_event(a, b, who->username, type, data) != 0) {
        pthread_mutex_unlock(&a->mu);
        hq_batch_release(b);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    return hq__app_commit_unlock(a, b, why);
}

/* ---- services ---- */

/* Per service, what a customer taking a ticket now would be told (the ticket's own figures, so
 * the kiosk and the remote pages show the same number): waiting, serving_windows,
 * estimated_wait_s, wait_range_s. */
int hq_app_services_list(struct hq_app *a, json_t **out)
{
    json_t *arr = json_array();
    struct hq_now now;
    hq_app_now(a, &now);
    hq__estacc_refresh(a, 300);
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; i < a->hall.n_services; i++) {
        const char *code = a->hall.services[i].code;
        if (hq__service_retired(a, code)) continue; /* GET /retired-services (branch retire) */
        json_t *s = hq__service_json(&a->hall.services[i]);
        int32_t wait = hq_service_wait_next(&a->hall, &now, code, NULL);
        json_object_set_new(s, "waiting", json_integer(hq_count_waiting(&a->hall, code)));
        json_object_set_new(s, "bookable", json_boolean(hq__appointments_bookable(a, code)));
        json_object_set_new(s, "serving_windows",
                            json_integer(hq_service_serving_windows(&a->hall, code)));
        json_object_set_new(s, "estimated_wait_s", json_integer(wait));
        json_object_set_new(s, "wait_range_s", hq__wait_range_json(a, code, wait));
        /* how much the service is used, for the kiosk's large-type mode (branch a11y): tickets
         * issued today, and served over the last 28 days (the estimate's measured tickets) */
        const struct hq_service *sv = &a->hall.services[i];
        json_object_set_new(s, "issued_today", json_integer(sv->seq_day == now.day ? sv->seq : 0));
        int64_t recent = 0;
        for (size_t k = 0; k < a->estacc.n_services; k++)
            if (strcmp(a->estacc.services[k].code, code) == 0) recent = a->estacc.services[k].n;
        json_object_set_new(s, "served_28d", json_integer(recent));
        /* branch setup3: a kiosk disables a service no open window serves when the hall says so */
        json_object_set_new(s, "unserved_tickets",
                            json_string(a->refuse_unserved ? "refuse" : "issue"));
        json_array_append_new(arr, s);
    }
    pthread_mutex_unlock(&a->mu);
    *out = arr;
    return 0;
}

int hq__service_parse(json_t *in, struct hq_service *s, bool create, struct hq_why *why)
{
    static const char *const known[] = {"code",
                                        "name",
                                        "name_en",
                                        "avg_service_s",
                                        "documents",
                                        "daily_quota",
                                        "enabled",
                                        "hours",
                                        "waiting",
                                        "estimated_service_s",
                                        "serving_windows",
                                        "estimated_wait_s",
                                        "wait_range_s",
                                        "bookable",       /* uc_appointments.c */
                                        "waiting_action", /* switching off: service_off() */
                                        "transfer_to",
                                        "bookable",     /* uc_appointments.c */
                                        "issued_today", /* read-only, branch a11y */
                                        "served_28d",
                                        "unserved_tickets", /* read-only, the hall's setting */
                                        NULL};
    int rc = hq__in_known(in, known, why);
    if (rc) return rc;
    /* read by service_off() when it applies, but checked always: a bad one is never accepted */
    json_t *wa = json_object_get(in, "waiting_action"), *tt = json_object_get(in, "transfer_to");
    if (wa && !(json_is_string(wa) && (strcmp(json_string_value(wa), "keep") == 0 ||
                                       strcmp(json_string_value(wa), "transfer") == 0)))
        return hq_fail(why, HQ_EINVAL, "waiting_action", "waiting_action: keep or transfer");
    if (tt && !(json_is_string(tt) && hq_valid_service_code(json_string_value(tt))))
        return hq_fail(why, HQ_EINVAL, "transfer_to",
                       "transfer_to: another service that is switched on");
    if (create && (rc = hq__in_str(in, "code", true, s->code, sizeof s->code, why))) return rc;
    if ((rc = hq__in_str(in, "name", create, s->name, sizeof s->name, why)) ||
        (rc = hq__in_str(in, "name_en", false, s->name_en, sizeof s->name_en, why)))
        return rc;
    int64_t v;
    if (create) s->avg_service_s = 300;
    v = s->avg_service_s;
    if ((rc = hq__in_int(in, "avg_service_s", false, 1, 86400, &v, why))) return rc;
    s->avg_service_s = (int32_t)v;
    v = s->daily_quota;
    if ((rc = hq__in_int(in, "daily_quota", false, 0, 100000, &v, why))) return rc;
    s->daily_quota = (int32_t)v;
    if (create) s->enabled = true;
    if ((rc = hq__in_bool(in, "enabled", false, &s->enabled, why))) return rc;
    json_t *docs = json_object_get(in, "documents");
    if (docs && !json_is_null(docs)) {
        if (!json_is_array(docs))
            return hq_fail(why, HQ_EINVAL, "documents", "documents: must be an array of strings");
        if (json_array_size(docs) > HQ_DOC_MAX)
            return hq_fail(why, HQ_EINVAL, "documents", "documents: at most %d", HQ_DOC_MAX);
        size_t i;
        json_t *d;
        json_array_foreach(docs, i, d)
        {
            if (!json_is_string(d) || json_string_length(d) == 0 ||
                json_string_length(d) >= HQ_NAME_MAX)
                return hq_fail(why, HQ_EINVAL, "documents",
                               "documents[%zu]: must be a non-empty string under %d bytes", i,
                               HQ_NAME_MAX);
            snprintf(s->documents[i], HQ_NAME_MAX, "%s", json_string_value(d));
        }
        s->n_documents = (int)json_array_size(docs);
    }
    json_t *hours = json_object_get(in, "hours");
    if (hours && (rc = hq__hours_parse(hours, &s->hours, why))) return rc;
    if (!s->name[0]) return hq_fail(why, HQ_EINVAL, "name", "name: must not be empty");
    return 0;
}

int hq_app_service_create(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                          struct hq_why *why)
{
    struct hq_service s;
    memset(&s, 0, sizeof s);
    int rc = hq__service_parse(in, &s, true, why);
    if (rc == 0) rc = hq__appointments_bookable_check(in, why);
    if (rc) return rc;
    pthread_mutex_lock(&a->mu);
    if (hq__service_retired(a, s.code)) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ECONFLICT, "code",
                       "code: service %s is retired: restore it, or delete it for good first",
                       s.code);
    }
    if (hq_service_find(&a->hall, s.code)) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ECONFLICT, "code", "code: service '%s' exists already", s.code);
    }
    if ((rc = hq_service_add(&a->hall, &s, why))) {
        pthread_mutex_unlock(&a->mu);
        return rc;
    }
    struct hq_service *added = hq_service_find(&a->hall, s.code);
    struct hq_batch b;
    hq_batch_init(&b);
    hq_batch_service(&b, added);
    *out = hq__service_json(added);
    rc = commit_event(a, &b, who, "service.created", json_pack("{s:s}", "code", s.code), why);
    if (rc == 0 && json_is_true(json_object_get(in, "bookable"))) {
        struct hq_why ignored; /* the service exists either way; bookable says what holds */
        bool bk = hq__appointments_bookable_put(a, who, s.code, in, &ignored) == 0;
        json_object_set_new(*out, "bookable", json_boolean(bk));
    }
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* Under mu: a service switched off while customers wait for it. Nothing is decided for them
 * silently: the admin says "keep" (the windows still serve them; no new tickets) or "transfer"
 * to another enabled service (each ticket keeps its number and place in time, with a
 * ticket.transferred event). Without a decision: 409 naming how many wait. */
int hq__service_off(struct hq_app *a, const struct hq_actor *who, const char *code, json_t *in,
                    struct hq_batch *b, struct hq_why *why)
{
    int waiting = 0;
    for (size_t i = 0; i < a->hall.n_tickets; i++)
        waiting += a->hall.tickets[i].status == HQ_WAITING &&
                   strcmp(a->hall.tickets[i].service, code) == 0;
    if (waiting == 0) return 0;
    char action[16] = "", to[HQ_CODE_MAX + 8] = "";
    int rc = hq__in_str(in, "waiting_action", false, action, sizeof action, why);
    if (rc == 0) rc = hq__in_str(in, "transfer_to", false, to, sizeof to, why);
    if (rc != 0) return rc;
    if (!action[0])
        return hq_fail(why, HQ_ECONFLICT, "waiting_action",
                       "waiting_action: %d customers are waiting for service %s: keep serving "
                       "them (keep) or transfer them to another service (transfer, transfer_to)",
                       waiting, code);
    if (strcmp(action, "keep") == 0) return 0;
    if (strcmp(action, "transfer") != 0)
        return hq_fail(why, HQ_EINVAL, "waiting_action", "waiting_action: keep or transfer");
    const struct hq_service *dest = to[0] ? hq_service_find(&a->hall, to) : NULL;
    if (!dest || strcmp(dest->code, code) == 0 || !dest->enabled)
        return hq_fail(why, HQ_EINVAL, "transfer_to",
                       "transfer_to: another service that is switched on");
    for (size_t i = 0; i < a->hall.n_tickets; i++) {
        struct hq_ticket *t = &a->hall.tickets[i];
        if (t->status != HQ_WAITING || strcmp(t->service, code) != 0) continue;
        if ((rc = hq_ticket_move(&a->hall, t, dest->code, why)) != 0) return rc;
        json_t *data = hq__ticket_event_json(t);
        json_object_set_new(data, "from", json_string(code));
        json_object_set_new(data, "to", json_string(dest->code));
        if (hq_batch_ticket(b, t) != 0 ||
            hq__app_event(a, b, who->username, "ticket.transferred", data) != 0)
            return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    return 0;
}

int hq_app_service_update(struct hq_app *a, const struct hq_actor *who, const char *code,
                          json_t *in, json_t **out, struct hq_why *why)
{
    pthread_mutex_lock(&a->mu);
    struct hq_service *cur = hq_service_find(&a->hall, code);
    if (!cur) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ENOTFOUND, "", "no service with code '%.8s'", code);
    }
    if (hq__service_retired(a, code)) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ECONFLICT, "code", "service %s is retired: restore it first", code);
    }
    struct hq_service s = *cur;
    const char *given = json_string_value(json_object_get(in, "code"));
    if (given && strcmp(given, code) != 0) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_EINVAL, "code", "code: cannot be changed (it prefixes numbers)");
    }
    int rc = hq__service_parse(in, &s, false, why);
    if (rc == 0) rc = hq__appointments_bookable_check(in, why);
    struct hq_batch b;
    hq_batch_init(&b);
    struct hq_service old = *cur;
    if (rc == 0) rc = hq_service_put(&a->hall, &s, why);
    /* service_off refuses before it moves any ticket: then the service is put back as it was. */
    if (rc == 0 && old.enabled && !s.enabled && (rc = hq__service_off(a, who, code, in, &b, why))) {
        struct hq_why ignored;
        hq_service_put(&a->hall, &old, &ignored);
    }
    if (rc) {
        hq_batch_release(&b);
        pthread_mutex_unlock(&a->mu);
        return rc;
    }
    cur = hq_service_find(&a->hall, code);
    hq_batch_service(&b, cur);
    *out = hq__service_json(cur);
    rc = commit_event(a, &b, who, "service.updated", json_pack("{s:s}", "code", code), why);
    if (rc == 0) rc = hq__appointments_bookable_put(a, who, code, in, why);
    if (rc == 0) {
        pthread_mutex_lock(&a->mu);
        json_object_set_new(*out, "bookable", json_boolean(hq__appointments_bookable(a, code)));
        pthread_mutex_unlock(&a->mu);
    }
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int hq_app_service_disable(struct hq_app *a, const struct hq_actor *who, const char *code,
                           json_t **out, struct hq_why *why)
{
    json_t *in = json_pack("{s:b}", "enabled", 0);
    int rc = hq_app_service_update(a, who, code, in, out, why);
    json_decref(in);
    return rc;
}

/* ---- windows ---- */

int hq_app_windows_list(struct hq_app *a, json_t **out)
{
    json_t *arr = json_array();
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; i < a->hall.n_windows; i++)
        json_array_append_new(arr, hq__window_json(a, &a->hall.windows[i]));
    pthread_mutex_unlock(&a->mu);
    *out = arr;
    return 0;
}

int hq_app_window_get(struct hq_app *a, int32_t number, json_t **out, struct hq_why *why)
{
    pthread_mutex_lock(&a->mu);
    struct hq_window *w = hq_window_find(&a->hall, number);
    if (w) *out = hq__window_json(a, w);
    pthread_mutex_unlock(&a->mu);
    return w ? 0 : hq_fail(why, HQ_ENOTFOUND, "", "no window %d", number);
}

int hq__window_parse(json_t *in, struct hq_window *w, bool create, struct hq_why *why)
{
    static const char *const known[] = {
        "number",  "name",      "services",   "state",           "pause_reason", "clerk",
        "current", "back_in_s", "clerk_name", "active_services", "paused_at",    NULL};
    int rc = hq__in_known(in, known, why);
    if (rc) return rc;
    if (create) {
        int64_t n = 0;
        if ((rc = hq__in_int(in, "number", true, 1, 9999, &n, why))) return rc;
        w->number = (int32_t)n;
        snprintf(w->name, sizeof w->name, "%d号窗口", w->number);
    }
    if ((rc = hq__in_str(in, "name", false, w->name, sizeof w->name, why))) return rc;
    json_t *svcs = json_object_get(in, "services");
    if (svcs && !json_is_null(svcs)) {
        if (!json_is_array(svcs) || json_array_size(svcs) > HQ_WIN_SVC_MAX)
            return hq_fail(why, HQ_EINVAL, "services",
                           "services: must be an array of at most %d service codes",
                           HQ_WIN_SVC_MAX);
        size_t i;
        json_t *c;
        json_array_foreach(svcs, i, c)
        {
            if (!json_is_string(c) || !hq_valid_service_code(json_string_value(c)))
                return hq_fail(why, HQ_EINVAL, "services",
                               "services[%zu]: must be a service code (1-2 capital letters)", i);
            snprintf(w->services[i], HQ_CODE_MAX, "%s", json_string_value(c));
        }
        w->n_services = (int)json_array_size(svcs);
        if (w->n_services == 0)
            return hq_fail(why, HQ_EINVAL, "services",
                           "services: a window must serve at least one service");
    } else if (create) {
        return hq_fail(why, HQ_EINVAL, "services", "services: required");
    }
    if (!w->name[0]) return hq_fail(why, HQ_EINVAL, "name", "name: must not be empty");
    return 0;
}

/* Under mu: a window's list may not name a retired service (branch retire). */
static int retired_on_window(struct hq_app *a, const struct hq_window *w, struct hq_why *why)
{
    for (int i = 0; i < w->n_services; i++)
        if (hq__service_retired(a, w->services[i]))
            return hq_fail(why, HQ_EINVAL, "services", "services[%d]: service %s is retired", i,
                           w->services[i]);
    return 0;
}

int hq_app_window_create(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                         struct hq_why *why)
{
    struct hq_window w;
    memset(&w, 0, sizeof w);
    int rc = hq__window_parse(in, &w, true, why);
    if (rc) return rc;
    pthread_mutex_lock(&a->mu);
    if (hq_window_find(&a->hall, w.number)) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ECONFLICT, "number", "number: window %d exists already", w.number);
    }
    if (hq__window_retired(a, w.number)) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ECONFLICT, "number",
                       "number: window %d is retired: restore it, or delete it for good first",
                       w.number);
    }
    if ((rc = retired_on_window(a, &w, why)) || (rc = hq_window_add(&a->hall, &w, why))) {
        pthread_mutex_unlock(&a->mu);
        return rc;
    }
    struct hq_window *added = hq_window_find(&a->hall, w.number);
    hq__pad(a, added);
    struct hq_batch b;
    hq_batch_init(&b);
    hq_batch_window(&b, added);
    *out = hq__window_json(a, added);
    rc = commit_event(a, &b, who, "window.created", json_pack("{s:i}", "window", w.number), why);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int hq_app_window_update(struct hq_app *a, const struct hq_actor *who, int32_t number, json_t *in,
                         json_t **out, struct hq_why *why)
{
    pthread_mutex_lock(&a->mu);
    struct hq_window *cur = hq_window_find(&a->hall, number);
    if (!cur) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ENOTFOUND, "", "no window %d", number);
    }
    struct hq_window w = *cur;
    json_t *num = json_object_get(in, "number");
    if (num && !(json_is_integer(num) && json_integer_value(num) == number)) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_EINVAL, "number", "number: cannot be changed");
    }
    int rc = hq__window_parse(in, &w, false, why);
    if (rc == 0) rc = retired_on_window(a, &w, why);
    if (rc == 0) rc = hq_window_put(&a->hall, &w, why);
    if (rc) {
        pthread_mutex_unlock(&a->mu);
        return rc;
    }
    cur = hq_window_find(&a->hall, number);
    struct hq_batch b;
    hq_batch_init(&b);
    hq_batch_window(&b, cur);
    *out = hq__window_json(a, cur);
    rc = commit_event(a, &b, who, "window.updated", json_pack("{s:i}", "window", number), why);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* ---- staff ---- */

int hq_app_staff_list(struct hq_app *a, const struct hq_actor *who, json_t **out,
                      struct hq_why *why)
{
    (void)who;
    (void)why;
    json_t *arr = json_array();
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; i < a->hall.n_staff; i++)
        if (!hq__staff_retired(a, a->hall.staff[i].username)) /* GET /retired-staff */
            json_array_append_new(arr, hq__staff_json(&a->hall.staff[i]));
    pthread_mutex_unlock(&a->mu);
    *out = arr;
    return 0;
}

/* Parse into s; *password_out receives a password to hash ("" when none given). */
int hq__staff_parse(json_t *in, struct hq_staff *s, bool create, char *password, size_t pcap,
                    struct hq_why *why)
{
    static const char *const known[] = {"username",       "name",   "role", "password",
                                        "certifications", "active", NULL};
    int rc = hq__in_known(in, known, why);
    if (rc) return rc;
    if (create) {
        if ((rc = hq__in_str(in, "username", true, s->username, sizeof s->username, why)))
            return rc;
        if (!hq_valid_username(s->username))
            return hq_fail(why, HQ_EINVAL, "username",
                           "username: 1-32 characters of a-z, 0-9, '_', '.', '-'");
        s->active = true;
    }
    if ((rc = hq__in_str(in, "name", create, s->name, sizeof s->name, why))) return rc;
    char role[16] = "";
    if ((rc = hq__in_str(in, "role", create, role, sizeof role, why))) return rc;
    if (role[0]) {
        int r = hq_role_parse(role);
        if (r <= 0)
            return hq_fail(why, HQ_EINVAL, "role", "role: one of admin, manager, clerk, guide");
        s->role = (enum hq_role)r;
    }
    if ((rc = hq__in_str(in, "password", create, password, pcap, why))) return rc;
    if (password[0] && strlen(password) < 8)
        return hq_fail(why, HQ_EINVAL, "password", "password: at least 8 characters");
    if ((rc = hq__in_bool(in, "active", false, &s->active, why))) return rc;
    json_t *certs = json_object_get(in, "certifications");
    if (certs && !json_is_null(certs)) {
        if (!json_is_array(certs) || json_array_size(certs) > HQ_CERT_MAX)
            return hq_fail(why, HQ_EINVAL, "certifications",
                           "certifications: an array of at most %d {service, expires_on}",
                           HQ_CERT_MAX);
        size_t i;
        json_t *c;
        json_array_foreach(certs, i, c)
        {
            const char *svc = json_string_value(json_object_get(c, "service"));
            const char *exp = json_string_value(json_object_get(c, "expires_on"));
            int32_t day;
            if (!json_is_object(c) || !svc || !hq_valid_service_code(svc) || !exp ||
                hq__parse_date(exp, &day) != 0)
                return hq_fail(why, HQ_EINVAL, "certifications",
                               "certifications[%zu]: needs \"service\" (a code) and "
                               "\"expires_on\" (YYYY-MM-DD)",
                               i);
            snprintf(s->certs[i].service, HQ_CODE_MAX, "%s", svc);
            s->certs[i].expires_on = day;
        }
        s->n_certs = (int)json_array_size(certs);
    }
    if (!s->name[0]) return hq_fail(why, HQ_EINVAL, "name", "name: must not be empty");
    return 0;
}

static int staff_save(struct hq_app *a, const struct hq_actor *who, json_t *in,
                      const char *username, json_t **out, struct hq_why *why)
{
    bool create = username == NULL;
    struct hq_staff s;
    memset(&s, 0, sizeof s);
    char password[256] = "";
    if (!create) {
        pthread_mutex_lock(&a->mu);
        struct hq_staff *cur = hq_staff_find(&a->hall, username);
        if (cur) s = *cur;
        pthread_mutex_unlock(&a->mu);
        if (!cur) return hq_fail(why, HQ_ENOTFOUND, "", "no staff member '%.32s'", username);
        const char *given = json_string_value(json_object_get(in, "username"));
        if (given && strcmp(given, username) != 0)
            return hq_fail(why, HQ_EINVAL, "username", "username: cannot be changed");
    }
    int rc = hq__staff_parse(in, &s, create, password, sizeof password, why);
    if (rc) return rc;
    /* Only an admin creates admins or changes roles to admin. */
    if (s.role == HQ_ROLE_ADMIN && who->role != HQ_ROLE_ADMIN)
        return hq_fail(why, HQ_EFORBIDDEN, "role", "role: only an admin can make an admin");
    char hash[HQ_HASH_MAX] = "";
    if (password[0] && hq__password_hash(password, hash) != 0)
        return hq_fail(why, HQ_EINTERNAL, "", "cannot hash the password (out of memory)");
    pthread_mutex_lock(&a->mu);
    struct hq_staff *cur = hq_staff_find(&a->hall, s.username);
    if (hq__staff_retired(a, s.username)) { /* branch retire */
        pthread_mutex_unlock(&a->mu);
        return create ? hq_fail(why, HQ_ECONFLICT, "username",
                                "username: '%s' is retired: restore them, or delete them for good "
                                "first",
                                s.username)
                      : hq_fail(why, HQ_ECONFLICT, "username",
                                "'%s' is retired: restore them first", s.username);
    }
    if (create && cur) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ECONFLICT, "username", "username: '%s' exists already", s.username);
    }
    if (!create && !cur) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ENOTFOUND, "", "no staff member '%.32s'", username);
    }
    if (hash[0])
        snprintf(s.pw_hash, sizeof s.pw_hash, "%s", hash);
    else if (cur)
        snprintf(s.pw_hash, sizeof s.pw_hash, "%s", cur->pw_hash);
    rc = create ? hq_staff_add(&a->hall, &s, why) : hq_staff_put(&a->hall, &s, why);
    if (rc) {
        pthread_mutex_unlock(&a->mu);
        return rc;
    }
    cur = hq_staff_find(&a->hall, s.username);
    struct hq_batch b;
    hq_batch_init(&b);
    hq_batch_staff(&b, cur);
    *out = hq__staff_json(cur);
    rc = commit_event(a, &b, who, create ? "staff.created" : "staff.updated",
                      json_pack("{s:s}", "username", s.username), why);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int hq_app_staff_create(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                        struct hq_why *why)
{
    return staff_save(a, who, in, NULL, out, why);
}

int hq_app_staff_update(struct hq_app *a, const struct hq_actor *who, const char *username,
                        json_t *in, json_t **out, struct hq_why *why)
{
    return staff_save(a, who, in, username, out, why);
}

/* ---- the hall ---- */

int hq_app_hall_get(struct hq_app *a, json_t **out)
{
    pthread_mutex_lock(&a->mu);
    *out = hq__hall_json(a);
    json_object_set_new(*out, "unserved_tickets",
                        json_string(a->refuse_unserved ? "refuse" : "issue"));
    pthread_mutex_unlock(&a->mu);
    return 0;
}

/* public_url: null or "" (unset: links use the address the device used) or an http(s) URL of a
 * host, optional port and path, without query, fragment, user or spaces; a trailing '/' is
 * dropped. */
static int public_url_parse(json_t *v, char *out, size_t cap, struct hq_why *why)
{
    out[0] = '\0';
    if (json_is_null(v)) return 0;
    const char *s = json_string_value(v);
    if (!s) return hq_fail(why, HQ_EINVAL, "public_url", "public_url: must be a string or null");
    size_t n = strlen(s);
    if (n == 0) return 0;
    size_t scheme = strncmp(s, "http://", 7) == 0 ? 7 : strncmp(s, "https://", 8) == 0 ? 8 : 0;
    static const char ok[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]/_~%";
    size_t host = scheme ? strcspn(s + scheme, "/") : 0;
    if (!scheme || n >= cap || n > 200 || strspn(s, ok) != n || host == 0 || s[scheme] == ':' ||
        s[scheme] == '.')
        return hq_fail(why, HQ_EINVAL, "public_url",
                       "public_url: an http:// or https:// URL such as http://192.168.1.20:8080, "
                       "without query or fragment");
    memcpy(out, s, n + 1);
    while (n > scheme + host && out[n - 1] == '/')
        out[--n] = '\0';
    return 0;
}

/* The stored unserved_tickets setting: "refuse" (POST /tickets refuses a service no open window
 * serves) or "issue" (the default: issued, with 当前无窗口办理 instead of a wait). */
static void unserved_load(struct hq_app *a)
{
    char *txt = NULL;
    a->refuse_unserved = false;
    if (a->store->vt->doc_get(a->store, "setting", "unserved_tickets", &txt) != 0) return;
    json_t *j = json_loads(txt, 0, NULL);
    const char *m = json_string_value(json_object_get(j, "mode"));
    a->refuse_unserved = m && strcmp(m, "refuse") == 0;
    json_decref(j);
    free(txt);
}

/* Under mu, or before the server runs: 409 when the hall refuses tickets for a service that is
 * switched on but served by no open window now (uc_tickets.c, before issuing). */
int hq__unserved_check(struct hq_app *a, const char *service, struct hq_why *why)
{
    const struct hq_service *s = hq_service_find(&a->hall, service);
    if (!a->refuse_unserved || !s || !s->enabled ||
        hq_service_serving_windows(&a->hall, service) > 0)
        return 0;
    return hq_fail(why, HQ_ECONFLICT, "service",
                   "service %s: no window is serving it now, and this hall issues no tickets for "
                   "it until one opens",
                   s->code);
}

/* The stored public URL, unless the command line gave one (hq_app_open, after the records); the
 * stored unserved_tickets setting too. */
void hq__public_url_load(struct hq_app *a)
{
    char *txt = NULL;
    unserved_load(a);
    if (a->public_url[0] || a->store->vt->doc_get(a->store, "setting", "public_url", &txt) != 0)
        return;
    json_t *j = json_loads(txt, 0, NULL);
    const char *u = json_string_value(json_object_get(j, "url"));
    if (u) snprintf(a->public_url, sizeof a->public_url, "%s", u);
    json_decref(j);
    free(txt);
}

int hq_app_hall_update(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                       struct hq_why *why)
{
    static const char *const known[] = {
        "name",          "name_en",          "timezone",  "hours",          "policy",
        "target_wait_s", "public_info",      "suspended", "suspend_reason", "carry_over",
        "public_url",    "unserved_tickets", NULL};
    int rc = hq__in_known(in, known, why);
    if (rc) return rc;
    pthread_mutex_lock(&a->mu);
    struct hq_hall_conf c = a->hall.conf;
    pthread_mutex_unlock(&a->mu);
    char *info_text = NULL;
    if ((rc = hq__hall_parse(in, &c, &info_text, why))) return rc;
    if ((rc = hq__in_bool(in, "suspended", false, &c.suspended, why)) ||
        (rc = hq__in_bool(in, "carry_over", false, &c.carry_over, why)) ||
        (rc = hq__in_str(in, "suspend_reason", false, c.suspend_reason, sizeof c.suspend_reason,
                         why))) {
        free(info_text);
        return rc;
    }
    char url[256];
    bool set_url = false;
    json_t *uj = json_object_get(in, "public_url");
    if (uj) {
        if ((rc = public_url_parse(uj, url, sizeof url, why))) {
            free(info_text);
            return rc;
        }
        set_url = true;
    }
    json_t *uv = json_object_get(in, "unserved_tickets");
    const char *um = uv && !json_is_null(uv) ? json_string_value(uv) : NULL;
    if (uv && !json_is_null(uv) &&
        !(um && (strcmp(um, "issue") == 0 || strcmp(um, "refuse") == 0))) {
        free(info_text);
        return hq_fail(why, HQ_EINVAL, "unserved_tickets", "unserved_tickets: issue or refuse");
    }
    json_t *info = json_object_get(in, "public_info");
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    bool refuse_was = a->refuse_unserved;
    if (um) {
        a->refuse_unserved = strcmp(um, "refuse") == 0;
        char doc[48];
        snprintf(doc, sizeof doc, "{\"mode\":\"%s\"}", a->refuse_unserved ? "refuse" : "issue");
        hq_batch_doc(&b, "setting", "unserved_tickets", doc, hq_app_time(a));
    }
    bool was_suspended = a->hall.conf.suspended;
    a->hall.conf = c;
    hq_batch_hall(&b, &c);
    if (info_text) {
        hq_batch_doc(&b, "setting", "public_info", info_text, hq_app_time(a));
        json_decref(a->public_info);
        a->public_info = json_deep_copy(info);
    }
    free(info_text);
    if (set_url) {
        json_t *doc = json_pack("{s:s}", "url", url);
        char *txt = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
        json_decref(doc);
        if (txt) hq_batch_doc(&b, "setting", "public_url", txt, hq_app_time(a));
        free(txt);
        snprintf(a->public_url, sizeof a->public_url, "%s", url);
    }
    *out = hq__hall_json(a);
    json_object_set_new(*out, "unserved_tickets",
                        json_string(a->refuse_unserved ? "refuse" : "issue"));
    if (c.suspended != was_suspended)
        hq__app_event(a, &b, who->username, c.suspended ? "hall.suspended" : "hall.resumed",
                      json_pack("{s:s}", "reason", c.suspend_reason));
    rc = commit_event(a, &b, who, "hall.updated", json_object(), why);
    if (rc) {
        json_decref(*out);
        *out = NULL;
        pthread_mutex_lock(&a->mu); /* not stored: the setting as it was */
        a->refuse_unserved = refuse_was;
        pthread_mutex_unlock(&a->mu);
    } else if (c.suspended != was_suspended) {
        hq__ops_hall_changed(a, who, c.suspended, c.suspend_reason); /* open incidents note it */
    }
    return rc;
}

int hq__hall_parse(json_t *in, struct hq_hall_conf *conf, char **info_text_out, struct hq_why *why)
{
    struct hq_hall_conf c = *conf;
    int rc;
    *info_text_out = NULL;
    if ((rc = hq__in_str(in, "name", false, c.name, sizeof c.name, why)) ||
        (rc = hq__in_str(in, "name_en", false, c.name_en, sizeof c.name_en, why)) ||
        (rc = hq__in_str(in, "timezone", false, c.timezone, sizeof c.timezone, why)))
        return rc;
    json_t *hours = json_object_get(in, "hours");
    if (hours && (rc = hq__hours_parse(hours, &c.hours, why))) return rc;
    int64_t v = c.target_wait_s;
    if ((rc = hq__in_int(in, "target_wait_s", false, 60, 86400, &v, why))) return rc;
    c.target_wait_s = (int32_t)v;
    json_t *pol = json_object_get(in, "policy");
    if (pol && !json_is_null(pol)) {
        static const char *const pk[] = {"boost_priority_s", "boost_appointment_s",
                                         "boost_first_service_s", NULL};
        if (!json_is_object(pol))
            return hq_fail(why, HQ_EINVAL, "policy", "policy: must be an object");
        if ((rc = hq__in_known(pol, pk, why))) return rc;
        int64_t p1 = c.policy.boost_priority_s, p2 = c.policy.boost_appointment_s,
                p3 = c.policy.boost_first_service_s;
        if ((rc = hq__in_int(pol, "boost_priority_s", false, 0, 86400, &p1, why)) ||
            (rc = hq__in_int(pol, "boost_appointment_s", false, 0, 86400, &p2, why)) ||
            (rc = hq__in_int(pol, "boost_first_service_s", false, 0, 86400, &p3, why)))
            return rc;
        c.policy.boost_priority_s = (int32_t)p1;
        c.policy.boost_appointment_s = (int32_t)p2;
        c.policy.boost_first_service_s = (int32_t)p3;
    }
    json_t *info = json_object_get(in, "public_info");
    if (info && !json_is_null(info) && !json_is_object(info))
        return hq_fail(why, HQ_EINVAL, "public_info", "public_info: must be an object");
    char *info_text = NULL;
    if (info && json_is_object(info)) {
        info_text = json_dumps(info, JSON_COMPACT);
        if (!info_text || strlen(info_text) > 64 * 1024) {
            free(info_text);
            return hq_fail(why, HQ_EINVAL, "public_info", "public_info: at most 64 KiB");
        }
        if ((rc = hq__complaint_settings_check(info, why)) || /* complaint categories, deadlines */
            (rc = hq__bookid_settings_check(info, why))) {    /* rejoin, notify.near, id_card */
            free(info_text);
            return rc;
        }
    }
    *conf = c;
    *info_text_out = info_text;
    return 0;
}
