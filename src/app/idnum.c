/* SPDX-License-Identifier: MIT */
/*
 * idnum.c — resident ID numbers inside hallq (docs/IDCARD.md): never kept, logged or sent in
 * clear. A number is validated (GB 11643, src/core/booking.c) and turned into a keyed hash
 * (libsodium crypto_generichash, BLAKE2b, 16 bytes as hex) with the hall's own secret key, the
 * store document secret/id_hash created once on first use; the hash is what the anti-tout limits
 * of bookings and of ID tickets count. Also here: the hall settings of this area kept in
 * public_info and checked by PUT /hall (rejoin.grace_s, notify.near, id_card.*), and the
 * hand-over of a number read by a kiosk's ID card reader (`hallq idreader`) to that kiosk's page:
 * held in memory for that device only, at most HQ_IDCARD_HOLD_S seconds, taken once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../core/hq_booking.h"
#include "app_int.h"
#include "hq_appointments.h"

static pthread_mutex_t keymu = PTHREAD_MUTEX_INITIALIZER;

/* The hall's key (32 bytes) into key: read, or made and stored once. */
static int hall_key(struct hq_app *a, unsigned char key[32], struct hq_why *why)
{
    pthread_mutex_lock(&keymu);
    char *text = NULL;
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->doc_get(a->reader, "secret", "id_hash", &text);
    pthread_mutex_unlock(&a->reader_mu);
    json_t *o = rc == 0 && text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    const char *hex = json_string_value(json_object_get(o, "key"));
    size_t got = 0;
    rc = 0;
    if (!hex || sodium_hex2bin(key, 32, hex, strlen(hex), NULL, &got, NULL) != 0 || got != 32) {
        char h[65];
        randombytes_buf(key, 32);
        sodium_bin2hex(h, sizeof h, key, 32);
        char doc[96];
        snprintf(doc, sizeof doc, "{\"key\":\"%s\"}", h);
        struct hq_batch b;
        hq_batch_init(&b);
        hq_batch_doc(&b, "secret", "id_hash", doc, hq_app_time(a));
        sodium_memzero(h, sizeof h);
        sodium_memzero(doc, sizeof doc);
        pthread_mutex_lock(&a->mu);
        rc = hq__app_commit_unlock(a, &b, why);
    }
    json_decref(o);
    pthread_mutex_unlock(&keymu);
    return rc;
}

int hq__idnum_hash(struct hq_app *a, const char *id18, char out[HQ_IDHASH_LEN + 1],
                   struct hq_why *why)
{
    unsigned char key[32], h[HQ_IDHASH_LEN / 2];
    int rc = hall_key(a, key, why);
    if (rc) return rc;
    crypto_generichash(h, sizeof h, (const unsigned char *)id18, strlen(id18), key, sizeof key);
    sodium_memzero(key, sizeof key);
    sodium_bin2hex(out, HQ_IDHASH_LEN + 1, h, sizeof h);
    return 0;
}

int hq__idnum_parse(const char *in, char out[HQ_IDNUM_LEN + 1], struct hq_why *why)
{
    switch (hq_idnum_norm(in, out)) {
    case HQ_IDNUM_OK:
        return 0;
    case HQ_IDNUM_LENGTH:
        return hq_fail(why, HQ_EINVAL, "id_number",
                       "id_number: a resident ID number has 18 characters (or 15 digits)");
    case HQ_IDNUM_CHARS:
        return hq_fail(why, HQ_EINVAL, "id_number",
                       "id_number: only digits, and X as the last of 18 characters");
    case HQ_IDNUM_BIRTH:
        return hq_fail(why, HQ_EINVAL, "id_number",
                       "id_number: the birth date in the number is not a date");
    default:
        return hq_fail(why, HQ_EINVAL, "id_number",
                       "id_number: the check digit (the last character) does not match; please "
                       "check the number");
    }
}

/* ---- hall settings of this area (public_info; PUT /hall checks them) ---- */

#define HQ_NEAR_DEFAULT 3
#define HQ_REJOIN_GRACE_MAX 86400

static json_t *info_get(json_t *info, const char *obj, const char *key)
{
    return info ? json_object_get(json_object_get(info, obj), key) : NULL;
}

static int check_int(json_t *info, const char *obj, const char *key, int64_t min, int64_t max,
                     struct hq_why *why)
{
    json_t *v = info_get(info, obj, key);
    char path[48];
    snprintf(path, sizeof path, "%s.%s", obj, key);
    if (!v || json_is_null(v)) return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return hq_fail(why, HQ_EINVAL, "public_info",
                       "public_info.%s: a whole number from %lld to %lld", path, (long long)min,
                       (long long)max);
    return 0;
}

int hq__bookid_settings_check(json_t *info, struct hq_why *why)
{
    json_t *o;
    static const char *const objs[] = {"rejoin", "notify", "id_card"};
    for (size_t i = 0; i < 3; i++)
        if ((o = json_object_get(info, objs[i])) && !json_is_null(o) && !json_is_object(o))
            return hq_fail(why, HQ_EINVAL, "public_info", "public_info.%s: must be an object",
                           objs[i]);
    int rc;
    if ((rc = check_int(info, "rejoin", "grace_s", 0, HQ_REJOIN_GRACE_MAX, why)) ||
        (rc = check_int(info, "notify", "near", 1, 50, why)) ||
        (rc = check_int(info, "id_card", "priority_age", 0, 150, why)) ||
        (rc = check_int(info, "id_card", "daily_limit", 0, 100, why)))
        return rc;
    json_t *age = info_get(info, "id_card", "priority_age");
    if (json_is_integer(age) && json_integer_value(age) > 0 && json_integer_value(age) < 50)
        return hq_fail(why, HQ_EINVAL, "public_info",
                       "id_card.priority_age: 0 (off) or an age from 50 to 150");
    json_t *per = info_get(info, "id_card", "daily_limits");
    if (per && !json_is_null(per)) {
        const char *k;
        json_t *v;
        if (!json_is_object(per))
            return hq_fail(why, HQ_EINVAL, "public_info",
                           "id_card.daily_limits: an object of service code to a number 0-100");
        json_object_foreach(
            per, k,
            v) if (!hq_valid_service_code(k) || !json_is_integer(v) || json_integer_value(v) < 0 ||
                   json_integer_value(v) > 100) return hq_fail(why, HQ_EINVAL, "public_info",
                                                               "id_card.daily_limits: an object of "
                                                               "service code to a number 0-100");
    }
    return 0;
}

/* Under mu. */
static int64_t info_int(struct hq_app *a, const char *obj, const char *key, int64_t def)
{
    json_t *v = info_get(a->public_info, obj, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : def;
}

int hq__near_places(struct hq_app *a)
{
    return (int)info_int(a, "notify", "near", HQ_NEAR_DEFAULT);
}

/* ---- an ID number with a ticket ---- */

struct collect_ctx {
    const char *service;
    json_t *arr;
};

static int collect_id(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)key;
    (void)t;
    struct collect_ctx *c = ctx;
    json_t *o = json_loads(json, 0, NULL);
    const char *s = json_string_value(json_object_get(o, "service"));
    if (o && s && strcmp(s, c->service) == 0)
        json_array_append_new(c->arr, o);
    else
        json_decref(o);
    return 0;
}

static pthread_mutex_t limmu = PTHREAD_MUTEX_INITIALIZER;

int hq__idnum_ticket_begin(struct hq_app *a, const struct hq_actor *who, const char *given,
                           const char *service, struct hq__idticket *x, struct hq_why *why)
{
    memset(x, 0, sizeof *x);
    char id[HQ_IDNUM_LEN + 1];
    int rc = hq__idnum_parse(given, id, why);
    if (rc) return rc;
    struct hq_now now;
    hq_app_now(a, &now);
    pthread_mutex_lock(&a->mu);
    int64_t age_min = info_int(a, "id_card", "priority_age", 0);
    int64_t limit = info_int(a, "id_card", "daily_limit", 0);
    json_t *per = info_get(a->public_info, "id_card", "daily_limits");
    if (json_is_integer(json_object_get(per, service)))
        limit = json_integer_value(json_object_get(per, service));
    pthread_mutex_unlock(&a->mu);
    int age = hq_idnum_age(hq_idnum_birth(id), now.day);
    /* the green channel by age only from a registered kiosk that read or was handed the card */
    x->priority = who->device && age_min > 0 && age >= age_min;
    rc = hq__idnum_hash(a, id, x->hash, why);
    sodium_memzero(id, sizeof id);
    if (rc) return rc;
    x->day = now.day;
    pthread_mutex_lock(&limmu); /* until hq__idnum_ticket_end: count and issue as one */
    x->locked = true;
    if (limit <= 0) return 0;
    /* today's tickets of this service taken with an ID (documents idticket, keyed by ticket id) */
    struct collect_ctx c = {service, json_array()};
    pthread_mutex_lock(&a->reader_mu);
    a->reader->vt->doc_list(a->reader, "idticket", now.t - 86400 * 2, 0, 0, collect_id, &c);
    pthread_mutex_unlock(&a->reader_mu);
    size_t n = json_array_size(c.arr), k = 0, i;
    struct hq_booking_rec *recs = calloc(n + 1, sizeof *recs);
    json_t *d;
    json_array_foreach(c.arr, i, d) if (recs)
    {
        recs[k].day = (int32_t)json_integer_value(json_object_get(d, "day"));
        recs[k].phone = "";
        recs[k].id_number = json_string_value(json_object_get(d, "id_hash"));
        k++;
    }
    rc = recs ? hq_limits_check(HQ_LIMIT_TICKETS, recs, k, now.day, NULL, x->hash, (int)limit, 0,
                                why)
              : hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    free(recs);
    json_decref(c.arr);
    if (rc) hq__idnum_ticket_end(x);
    return rc;
}

void hq__idnum_ticket_add(struct hq__idticket *x, struct hq_batch *b, const char *ticket_id,
                          const char *service, int64_t t)
{
    char doc[128];
    snprintf(doc, sizeof doc, "{\"service\":\"%s\",\"day\":%d,\"id_hash\":\"%s\"}", service,
             (int)x->day, x->hash);
    hq_batch_doc(b, "idticket", ticket_id, doc, t);
}

void hq__idnum_ticket_end(struct hq__idticket *x)
{
    if (x->locked) pthread_mutex_unlock(&limmu);
    x->locked = false;
}

/* ---- the hand-over from the reader to the kiosk page ---- */

#define HQ_IDCARD_HOLD_S 60
#define HQ_IDCARD_SLOTS 32

static struct {
    const struct hq_app *app;
    char device[64];
    char id[HQ_IDNUM_LEN + 1];
    int64_t until;
} held[HQ_IDCARD_SLOTS];
static pthread_mutex_t heldmu = PTHREAD_MUTEX_INITIALIZER;

static int need_device(const struct hq_actor *who, struct hq_why *why)
{
    if (!who->device || !who->device_name[0])
        return hq_fail(why, HQ_EFORBIDDEN, "", "only a registered kiosk hands over ID numbers");
    return 0;
}

int hq_app_idcard_hold(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                       struct hq_why *why)
{
    static const char *const known[] = {"id_number", NULL};
    char given[32] = "", id[HQ_IDNUM_LEN + 1];
    int rc = need_device(who, why);
    if (!rc && !in) rc = hq_fail(why, HQ_EINVAL, "id_number", "id_number: required");
    if (!rc) rc = hq__in_known(in, known, why);
    if (!rc) rc = hq__in_str(in, "id_number", true, given, sizeof given, why);
    if (!rc) rc = hq__idnum_parse(given, id, why);
    sodium_memzero(given, sizeof given);
    if (rc) return rc;
    int64_t now = hq_app_time(a);
    pthread_mutex_lock(&heldmu);
    int slot = -1;
    for (int i = 0; i < HQ_IDCARD_SLOTS; i++) {
        bool mine = held[i].app == a && strcmp(held[i].device, who->device_name) == 0;
        bool free_ = !held[i].app || held[i].until < now;
        if (mine || (slot < 0 && free_)) slot = i;
        if (mine) break;
    }
    if (slot >= 0) {
        held[slot].app = a;
        snprintf(held[slot].device, sizeof held[slot].device, "%s", who->device_name);
        memcpy(held[slot].id, id, sizeof id);
        held[slot].until = now + HQ_IDCARD_HOLD_S;
    }
    pthread_mutex_unlock(&heldmu);
    char masked[HQ_IDNUM_LEN + 1];
    hq_idnum_mask(masked, id);
    sodium_memzero(id, sizeof id);
    if (slot < 0) return hq_fail(why, HQ_ECONFLICT, "", "too many ID cards waiting; try again");
    *out = json_pack("{s:s,s:o}", "masked", masked, "expires_at",
                     hq__time_json(a, now + HQ_IDCARD_HOLD_S));
    return 0;
}

int hq_app_idcard_take(struct hq_app *a, const struct hq_actor *who, json_t **out,
                       struct hq_why *why)
{
    int rc = need_device(who, why);
    if (rc) return rc;
    int64_t now = hq_app_time(a);
    char id[HQ_IDNUM_LEN + 1] = "";
    pthread_mutex_lock(&heldmu);
    for (int i = 0; i < HQ_IDCARD_SLOTS; i++)
        if (held[i].app == a && strcmp(held[i].device, who->device_name) == 0) {
            if (held[i].until >= now) memcpy(id, held[i].id, sizeof id);
            sodium_memzero(&held[i], sizeof held[i]);
        }
    pthread_mutex_unlock(&heldmu);
    if (!id[0]) {
        *out = json_pack("{s:n,s:n}", "id_number", "masked");
        return 0;
    }
    char masked[HQ_IDNUM_LEN + 1];
    hq_idnum_mask(masked, id);
    *out = json_pack("{s:s,s:s}", "id_number", id, "masked", masked);
    sodium_memzero(id, sizeof id);
    return 0;
}
