/* SPDX-License-Identifier: MIT */
/*
 * uc_ops_info.c — the hall's public information (clauses 7.1.8 and 7.2.1), docs/OPERATIONS.md:
 * licences and qualifications (name, number, issuer, valid until), the prices of supporting
 * services (copying, photos …) and a note on the opening hours, in Chinese and English, kept in
 * the settings document "ops_info" and edited by the admin. The public view adds the hall's name
 * and its opening hours (GET /hall's) and flags a licence past its date; the kiosk, the hall
 * display and /info.html show it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_int.h"
#include "hq_ops.h"

static const char *const licence_members[] = {"name",   "name_en",     "number",
                                              "issuer", "valid_until", NULL};
static const char *const price_members[] = {"item", "item_en", "price", "unit", "unit_en", NULL};

static const struct hq_ops_field fields[] = {
    {"licences", HQ_OPS_F_OBJECTS, false, 0, 100, licence_members, NULL},
    {"prices", HQ_OPS_F_OBJECTS, false, 0, 100, price_members, NULL},
    {"hours_note", HQ_OPS_F_TEXT, false, 0, 300, NULL, NULL},
    {"hours_note_en", HQ_OPS_F_TEXT, false, 0, 300, NULL, NULL},
    {"notes", HQ_OPS_F_TEXT, false, 0, 1000, NULL, NULL},
    {"notes_en", HQ_OPS_F_TEXT, false, 0, 1000, NULL, NULL},
    {NULL, 0, false, 0, 0, NULL, NULL},
};

/* The stored document, or an empty one. */
json_t *hq__ops_info_doc(struct hq_app *a)
{
    char *txt = NULL;
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->doc_get(a->reader, "setting", "ops_info", &txt);
    pthread_mutex_unlock(&a->reader_mu);
    json_t *d = rc == 0 && txt ? json_loads(txt, 0, NULL) : NULL;
    free(txt);
    if (!json_is_object(d)) {
        json_decref(d);
        d = json_object();
    }
    static const char *const lists[] = {"licences", "prices", NULL};
    for (const char *const *k = lists; *k; k++)
        if (!json_is_array(json_object_get(d, *k))) json_object_set_new(d, *k, json_array());
    return d;
}

int hq_app_ops_info_get(struct hq_app *a, json_t **out, struct hq_why *why)
{
    json_t *d = hq__ops_info_doc(a);
    json_object_del(d, "updated_by"); /* a public view */
    int32_t today = hq__ops_today(a);
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(d, "licences"), i, l)
    {
        int32_t until = 0;
        const char *u = hq__ops_str(l, "valid_until");
        json_object_set_new(l, "expired",
                            json_boolean(*u && hq__parse_date(u, &until) == 0 && today > until));
    }
    json_t *hall = NULL;
    if (hq_app_hall_get(a, &hall) == 0) {
        json_object_set_new(d, "hall",
                            json_pack("{s:O,s:O}", "name", json_object_get(hall, "name"), "name_en",
                                      json_object_get(hall, "name_en")));
        json_t *h = json_object_get(hall, "hours");
        json_object_set(d, "hours", h ? h : json_null());
    }
    json_decref(hall);
    *out = d;
    return *out ? 0 : hq_fail(why, HQ_EINTERNAL, "", "cannot build the public information");
}

int hq_app_ops_info_put(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                        struct hq_why *why)
{
    hq__ops_lock();
    json_t *d = hq__ops_info_doc(a);
    int rc = hq__ops_read(in, fields, false, d, why);
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(d, "licences"), i, l)
    {
        int32_t day;
        const char *u = hq__ops_str(l, "valid_until");
        if (rc) break;
        if (!*hq__ops_str(l, "name"))
            rc = hq_fail(why, HQ_EINVAL, "licences", "licences: each needs a name");
        else if (*u && hq__parse_date(u, &day) != 0)
            rc = hq_fail(why, HQ_EINVAL, "licences", "licences: valid_until is a date YYYY-MM-DD");
    }
    json_array_foreach(json_object_get(d, "prices"), i, l)
    {
        if (rc) break;
        if (!*hq__ops_str(l, "item") || !*hq__ops_str(l, "price"))
            rc = hq_fail(why, HQ_EINVAL, "prices", "prices: each needs an item and a price");
    }
    if (!rc) {
        char at[40];
        hq_app_format_time(a, hq_app_time(a), at, sizeof at);
        json_object_set_new(d, "updated_at", json_string(at));
        json_object_set_new(d, "updated_by", json_string(who->username));
        char *txt = json_dumps(d, JSON_COMPACT);
        struct hq_batch b;
        hq_batch_init(&b);
        pthread_mutex_lock(&a->mu);
        hq_batch_doc(&b, "setting", "ops_info", txt ? txt : "{}", hq_app_time(a));
        free(txt);
        hq__app_event(
            a, &b, who->username, "ops.changed",
            json_pack("{s:s,s:s,s:s}", "what", "info", "id", "ops_info", "action", "updated"));
        rc = hq__app_commit_unlock(a, &b, why);
    }
    hq__ops_unlock();
    json_decref(d);
    return rc ? rc : hq_app_ops_info_get(a, out, why);
}
