/* SPDX-License-Identifier: MIT */
/*
 * uc_training.c — the staff records of clauses 4.7 and 6.2 (docs/COMPLIANCE.md): training records
 * (course, date, hours, certificate, result; documents of kind "training" keyed by a random id),
 * each staff member's post (responsibilities and a satisfaction target that overrides the hall's;
 * documents of kind "post" keyed by username), and certifications that expire soon: a list for
 * the manager page and an alert.certification event, once per certification and stage
 * ("expiring" within the setting cert_alert_days, then "expired"), remembered in documents of kind
 * "certalert" so a restart does not repeat them. Events carry ids and usernames only.
 *
 * Read-modify-write of one record is serialised by tmu (as cmu in uc_complaints.c): load through
 * the read handle, change, commit. Lock order: tmu → reader_mu (briefly) → mu.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../plan/hq_plan.h"
#include "app_int.h"
#include "hq_compliance.h"

#define COURSE_CHARS 100
#define NOTE_CHARS 200
#define RESP_CHARS 1000
#define TRAINING_MAX 20000

static pthread_mutex_t tmu = PTHREAD_MUTEX_INITIALIZER;

static int doc_load(struct hq_app *a, const char *kind, const char *key, json_t **out)
{
    char *text = NULL;
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->doc_get(a->reader, kind, key, &text);
    pthread_mutex_unlock(&a->reader_mu);
    *out = rc == 0 && text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return *out ? 0 : HQ_ENOTFOUND;
}

/* Commit one document (json NULL: delete it) with its event; takes and releases mu. */
static int commit_doc(struct hq_app *a, const char *actor, const char *kind, const char *key,
                      json_t *doc, const char *event, json_t *data, struct hq_why *why)
{
    struct hq_batch b;
    hq_batch_init(&b);
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    pthread_mutex_lock(&a->mu);
    int64_t now = hq_app_time(a);
    int rc = doc ? (text ? hq_batch_doc(&b, kind, key, text, now) : HQ_EINTERNAL)
                 : hq_batch_doc_delete(&b, kind, key, now);
    if (rc == 0)
        rc = hq__app_event(a, &b, actor, event, data);
    else
        json_decref(data);
    free(text);
    if (rc) {
        pthread_mutex_unlock(&a->mu);
        hq_batch_release(&b);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    return hq__app_commit_unlock(a, &b, why);
}

static bool staff_exists(struct hq_app *a, const char *u)
{
    pthread_mutex_lock(&a->mu);
    bool ok = hq_staff_find(&a->hall, u) != NULL;
    pthread_mutex_unlock(&a->mu);
    return ok;
}

/* ---- training records ---- */

/* Validate in (all fields for create; those present for update) into rec. */
static int training_fields(struct hq_app *a, json_t *in, json_t *rec, bool create,
                           struct hq_why *why)
{
    static const char *const known[] = {"staff",       "course", "date", "hours",
                                        "certificate", "result", NULL};
    if (!json_is_object(in)) return hq_fail(why, HQ_EINVAL, "", "an object is expected");
    int rc = hq__in_known(in, known, why);
    if (rc) return rc;
    char staff[HQ_USER_MAX] = "", course[HQ_TEXT_CAP(COURSE_CHARS)] = "", date[16] = "";
    char cert[HQ_TEXT_CAP(NOTE_CHARS)] = "", result[HQ_TEXT_CAP(NOTE_CHARS)] = "";
    if ((rc = hq__in_str(in, "staff", create, staff, sizeof staff, why)) ||
        (rc = hq__in_text(in, "course", create, COURSE_CHARS, course, sizeof course, why)) ||
        (rc = hq__in_str(in, "date", create, date, sizeof date, why)) ||
        (rc = hq__in_text(in, "certificate", false, NOTE_CHARS, cert, sizeof cert, why)) ||
        (rc = hq__in_text(in, "result", false, NOTE_CHARS, result, sizeof result, why)))
        return rc;
    if (json_object_get(in, "staff")) {
        if (!staff_exists(a, staff))
            return hq_fail(why, HQ_EINVAL, "staff", "staff: no staff member '%s'", staff);
        json_object_set_new(rec, "staff", json_string(staff));
    }
    if (json_object_get(in, "course")) {
        if (!course[0]) return hq_fail(why, HQ_EINVAL, "course", "%s: required", "course");
        json_object_set_new(rec, "course", json_string(course));
    }
    if (json_object_get(in, "date")) {
        int32_t d;
        if (hq__parse_date(date, &d) != 0)
            return hq_fail(why, HQ_EINVAL, "date", "%s must be a date YYYY-MM-DD", "date");
        json_object_set_new(rec, "date", json_string(date));
    }
    json_t *h = json_object_get(in, "hours");
    if (h || create) {
        if (!json_is_number(h) || json_number_value(h) <= 0 || json_number_value(h) > 1000)
            return hq_fail(why, HQ_EINVAL, "hours",
                           "hours: a number of hours above 0, at most 1000");
        json_object_set_new(rec, "hours", json_real(json_number_value(h)));
    }
    if (json_object_get(in, "certificate"))
        json_object_set_new(rec, "certificate", cert[0] ? json_string(cert) : json_null());
    if (json_object_get(in, "result"))
        json_object_set_new(rec, "result", result[0] ? json_string(result) : json_null());
    return 0;
}

static json_t *training_view(struct hq_app *a, json_t *rec)
{
    json_t *o = json_deep_copy(rec);
    json_object_set_new(o, "created_at",
                        hq__time_json(a, json_integer_value(json_object_get(rec, "created_at"))));
    if (!json_object_get(o, "certificate")) json_object_set_new(o, "certificate", json_null());
    if (!json_object_get(o, "result")) json_object_set_new(o, "result", json_null());
    return o;
}

struct tlist {
    struct hq_app *a;
    const char *staff;
    json_t *arr;
};

static int on_training(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)key;
    (void)t;
    struct tlist *x = ctx;
    json_t *o = json_loads(json, 0, NULL);
    if (!o) return 0;
    const char *u = json_string_value(json_object_get(o, "staff"));
    if (!x->staff || (u && strcmp(u, x->staff) == 0)) json_array_append(x->arr, o);
    json_decref(o);
    return 0;
}

static int by_date_desc(const void *pa, const void *pb)
{
    json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
    const char *da = json_string_value(json_object_get(a, "date"));
    const char *db = json_string_value(json_object_get(b, "date"));
    return strcmp(db ? db : "", da ? da : "");
}

int hq_app_training_list(struct hq_app *a, const char *staff, json_t **out, struct hq_why *why)
{
    if (staff && *staff && !hq_valid_username(staff))
        return hq_fail(why, HQ_EINVAL, "staff", "staff: no staff member '%s'", staff);
    struct tlist x = {.a = a, .staff = staff && *staff ? staff : NULL, .arr = json_array()};
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->doc_list(a->reader, "training", 0, 0, TRAINING_MAX, on_training, &x);
    pthread_mutex_unlock(&a->reader_mu);
    if (rc) {
        json_decref(x.arr);
        return hq_fail(why, HQ_ESTORE, "", "the history could not be read");
    }
    size_t n = json_array_size(x.arr);
    json_t **v = n ? malloc(n * sizeof *v) : NULL;
    json_t *sorted = json_array();
    if (v) {
        for (size_t i = 0; i < n; i++)
            v[i] = json_array_get(x.arr, i);
        qsort(v, n, sizeof *v, by_date_desc);
        for (size_t i = 0; i < n; i++)
            json_array_append_new(sorted, training_view(a, v[i]));
        free(v);
    }
    json_decref(x.arr);
    *out = json_pack("{s:o}", "training", sorted);
    return 0;
}

int hq_app_training_create(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                           struct hq_why *why)
{
    json_t *rec = json_object();
    int rc = training_fields(a, in, rec, true, why);
    if (rc) {
        json_decref(rec);
        return rc;
    }
    char id[17];
    hq__random_hex(id, 8);
    json_object_set_new(rec, "id", json_string(id));
    json_object_set_new(rec, "created_by", json_string(who->username));
    json_object_set_new(rec, "created_at", json_integer(hq_app_time(a)));
    rc = commit_doc(a, who->username, "training", id, rec, "training.recorded",
                    json_pack("{s:s,s:O}", "id", id, "staff", json_object_get(rec, "staff")), why);
    if (rc == 0) *out = training_view(a, rec);
    json_decref(rec);
    return rc;
}

static bool valid_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 32) return false;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f'))) return false;
    return true;
}

int hq_app_training_update(struct hq_app *a, const struct hq_actor *who, const char *id, json_t *in,
                           json_t **out, struct hq_why *why)
{
    json_t *rec = NULL;
    pthread_mutex_lock(&tmu);
    if (!valid_id(id) || doc_load(a, "training", id, &rec) != 0) {
        pthread_mutex_unlock(&tmu);
        return hq_fail(why, HQ_ENOTFOUND, "", "no training record with this id");
    }
    int rc = training_fields(a, in, rec, false, why);
    if (rc == 0)
        rc = commit_doc(a, who->username, "training", id, rec, "training.updated",
                        json_pack("{s:s,s:O}", "id", id, "staff", json_object_get(rec, "staff")),
                        why);
    pthread_mutex_unlock(&tmu);
    if (rc == 0) *out = training_view(a, rec);
    json_decref(rec);
    return rc;
}

int hq_app_training_delete(struct hq_app *a, const struct hq_actor *who, const char *id,
                           json_t **out, struct hq_why *why)
{
    json_t *rec = NULL;
    pthread_mutex_lock(&tmu);
    if (!valid_id(id) || doc_load(a, "training", id, &rec) != 0) {
        pthread_mutex_unlock(&tmu);
        return hq_fail(why, HQ_ENOTFOUND, "", "no training record with this id");
    }
    int rc =
        commit_doc(a, who->username, "training", id, NULL, "training.deleted",
                   json_pack("{s:s,s:O}", "id", id, "staff", json_object_get(rec, "staff")), why);
    pthread_mutex_unlock(&tmu);
    if (rc == 0) *out = json_pack("{s:s,s:b}", "id", id, "deleted", 1);
    json_decref(rec);
    return rc;
}

/* ---- posts and targets ---- */

static double hall_target(struct hq_app *a)
{
    json_t *s = hq_compliance_settings(a);
    double t = hq_compliance_setting(s, "satisfaction_target");
    json_decref(s);
    return t > 0 ? t : 0.9;
}

double hq__staff_satisfaction_target(struct hq_app *a, const char *username)
{
    json_t *p = NULL;
    double t = 0;
    if (hq_valid_username(username) && doc_load(a, "post", username, &p) == 0) {
        json_t *v = json_object_get(p, "satisfaction_target");
        if (json_is_number(v)) t = json_number_value(v);
        json_decref(p);
    }
    return t > 0 ? t : hall_target(a);
}

static json_t *post_view(struct hq_app *a, const char *username, json_t *p)
{
    json_t *t = json_object_get(p, "satisfaction_target");
    return json_pack("{s:s,s:O,s:O,s:f}", "username", username, "responsibilities",
                     json_object_get(p, "responsibilities") ?: json_null(), "satisfaction_target",
                     json_is_number(t) ? t : json_null(), "effective_satisfaction_target",
                     json_is_number(t) ? json_number_value(t) : hall_target(a));
}

int hq_app_post_get(struct hq_app *a, const char *username, json_t **out, struct hq_why *why)
{
    if (!hq_valid_username(username) || !staff_exists(a, username))
        return hq_fail(why, HQ_ENOTFOUND, "", "no staff member '%s'", username);
    json_t *p = NULL;
    doc_load(a, "post", username, &p);
    *out = post_view(a, username, p);
    json_decref(p);
    return 0;
}

int hq_app_post_put(struct hq_app *a, const struct hq_actor *who, const char *username, json_t *in,
                    json_t **out, struct hq_why *why)
{
    static const char *const known[] = {"responsibilities", "satisfaction_target", NULL};
    if (!hq_valid_username(username) || !staff_exists(a, username))
        return hq_fail(why, HQ_ENOTFOUND, "", "no staff member '%s'", username);
    if (!json_is_object(in)) return hq_fail(why, HQ_EINVAL, "", "an object is expected");
    int rc = hq__in_known(in, known, why);
    if (rc) return rc;
    char resp[HQ_TEXT_CAP(RESP_CHARS)] = "";
    if ((rc = hq__in_text(in, "responsibilities", false, RESP_CHARS, resp, sizeof resp, why)))
        return rc;
    json_t *t = json_object_get(in, "satisfaction_target");
    if (t && !json_is_null(t) &&
        (!json_is_number(t) || json_number_value(t) <= 0 || json_number_value(t) > 1))
        return hq_fail(why, HQ_EINVAL, "satisfaction_target",
                       "satisfaction_target: a share above 0, at most 1, or null");
    pthread_mutex_lock(&tmu);
    json_t *p = NULL;
    if (doc_load(a, "post", username, &p) != 0) p = json_object();
    if (json_object_get(in, "responsibilities"))
        json_object_set_new(p, "responsibilities", resp[0] ? json_string(resp) : json_null());
    if (t) json_object_set(p, "satisfaction_target", t);
    rc = commit_doc(a, who->username, "post", username, p, "staff.post",
                    json_pack("{s:s}", "username", username), why);
    pthread_mutex_unlock(&tmu);
    if (rc == 0) *out = post_view(a, username, p);
    json_decref(p);
    return rc;
}

/* ---- certifications expiring ---- */

struct cert_row {
    char username[HQ_USER_MAX], name[HQ_NAME_MAX], service[HQ_CODE_MAX];
    int32_t expires_on;
};

/* Active staff certifications expiring by today + days (or expired), copied under mu. */
static size_t certs_due(struct hq_app *a, int32_t days, int32_t *today, struct cert_row **out)
{
    struct hq_now now;
    hq_app_now(a, &now);
    *today = now.day;
    int32_t limit = hq__day_add(now.day, days);
    size_t n = 0, cap = 0;
    struct cert_row *rows = NULL;
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; i < a->hall.n_staff; i++) {
        const struct hq_staff *s = &a->hall.staff[i];
        if (!s->active) continue;
        for (int k = 0; k < s->n_certs; k++) {
            if (s->certs[k].expires_on > limit) continue;
            if (n == cap) {
                size_t nc = cap ? cap * 2 : 16;
                struct cert_row *p = realloc(rows, nc * sizeof *p);
                if (!p) break;
                rows = p;
                cap = nc;
            }
            struct cert_row *r = &rows[n++];
            snprintf(r->username, sizeof r->username, "%s", s->username);
            snprintf(r->name, sizeof r->name, "%s", s->name);
            snprintf(r->service, sizeof r->service, "%s", s->certs[k].service);
            r->expires_on = s->certs[k].expires_on;
        }
    }
    pthread_mutex_unlock(&a->mu);
    *out = rows;
    return n;
}

static int32_t alert_days(struct hq_app *a)
{
    json_t *s = hq_compliance_settings(a);
    int32_t d = (int32_t)hq_compliance_setting(s, "cert_alert_days");
    json_decref(s);
    return d > 0 ? d : 30;
}

int hq_app_certifications_expiring(struct hq_app *a, int32_t days, json_t **out, struct hq_why *why)
{
    if (days < 0 || days > 3650)
        return hq_fail(why, HQ_EINVAL, "days", "days: must be between %lld and %lld", 0LL, 3650LL);
    if (days == 0) days = alert_days(a);
    int32_t today;
    struct cert_row *rows = NULL;
    size_t n = certs_due(a, days, &today, &rows);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        char d[16];
        hq__format_date(rows[i].expires_on, d, sizeof d);
        int64_t left = hq_days_from_civil(rows[i].expires_on) - hq_days_from_civil(today);
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:I,s:b}", "username",
                                             rows[i].username, "name", rows[i].name, "service",
                                             rows[i].service, "expires_on", d, "days_left",
                                             (json_int_t)left, "expired", left < 0));
    }
    free(rows);
    char td[16];
    hq__format_date(today, td, sizeof td);
    *out = json_pack("{s:i,s:s,s:o}", "days", (int)days, "today", td, "certifications", arr);
    return 0;
}

/* The alerts already raised (or found in the store), by app and key: the periodic check then costs
 * a scan of the staff in memory and nothing more. */
static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;
static json_t *seen;

static bool seen_has(const char *k, bool add)
{
    pthread_mutex_lock(&seen_mu);
    if (!seen) seen = json_object();
    bool has = json_object_get(seen, k) != NULL;
    if (add && seen) json_object_set_new(seen, k, json_true());
    pthread_mutex_unlock(&seen_mu);
    return has;
}

void hq__certifications_tick(struct hq_app *a)
{
    int32_t today;
    struct cert_row *rows = NULL;
    size_t n = certs_due(a, alert_days(a), &today, &rows);
    for (size_t i = 0; i < n; i++) {
        const char *stage = rows[i].expires_on < today ? "expired" : "expiring";
        char key[80], mkey[120], d[16];
        hq__format_date(rows[i].expires_on, d, sizeof d);
        snprintf(key, sizeof key, "%s:%s:%s:%s", rows[i].username, rows[i].service, d, stage);
        snprintf(mkey, sizeof mkey, "%p|%s", (void *)a, key);
        if (seen_has(mkey, false)) continue;
        json_t *stored = NULL;
        if (doc_load(a, "certalert", key, &stored) == 0) {
            json_decref(stored);
            seen_has(mkey, true);
            continue;
        }
        int64_t left = hq_days_from_civil(rows[i].expires_on) - hq_days_from_civil(today);
        json_t *doc = json_pack("{s:I}", "at", (json_int_t)hq_app_time(a));
        struct hq_why why;
        if (commit_doc(a, "", "certalert", key, doc, "alert.certification",
                       json_pack("{s:s,s:s,s:s,s:I,s:s}", "username", rows[i].username, "service",
                                 rows[i].service, "expires_on", d, "days_left", (json_int_t)left,
                                 "stage", stage),
                       &why) == 0)
            seen_has(mkey, true);
        else
            fprintf(stderr, "hallq: certification alert not committed: %s\n", why.message);
        json_decref(doc);
    }
    free(rows);
}
