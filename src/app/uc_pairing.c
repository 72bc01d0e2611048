/* SPDX-License-Identifier: MIT */
/*
 * uc_pairing.c — devices paired, not typed. A kiosk, display or pad opened without a key asks for
 * a pairing: it gets a six-digit code to show (and a QR code of the admin page with it) and a
 * secret id to poll with. An admin types the code (or scans the QR with a phone signed in), picks
 * the device's role and window, and the server registers the device with a new key, which the
 * waiting device fetches exactly once with its id. Nobody ever sees or types the key.
 *
 * Pairings live in memory only (a restart makes the device ask again) and for ten minutes; at
 * most HQ_MAX_PAIRINGS wait at once, starts are rate limited per address like public tickets, and
 * the code space (a million) against at most 64 live codes and the admin-only accept leaves
 * nothing to guess for the public.
 */
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_int.h"

#define PAIRING_TTL_S 600
#define PAIR_STARTS_PER_MIN 10

/* Under mu: drop the expired pairings. */
static void purge(struct hq_app *a, int64_t now)
{
    size_t k = 0;
    for (size_t i = 0; i < a->n_pairings; i++)
        if (a->pairings[i].expires_at > now) a->pairings[k++] = a->pairings[i];
    for (size_t i = k; i < a->n_pairings; i++)
        sodium_memzero(&a->pairings[i], sizeof a->pairings[i]);
    a->n_pairings = k;
}

/* The device pages a pairing may be asked from: /kiosk, /display, /window/N, /pad/N. */
static bool device_page(const char *p)
{
    if (strcmp(p, "/kiosk") == 0 || strcmp(p, "/display") == 0) return true;
    const char *n = NULL;
    if (strncmp(p, "/window/", 8) == 0)
        n = p + 8;
    else if (strncmp(p, "/pad/", 5) == 0)
        n = p + 5;
    if (!n || !*n || strlen(n) > 5 || n[0] == '0') return false;
    return strspn(n, "0123456789") == strlen(n);
}

int hq_app_pairing_start(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                         struct hq_why *why)
{
    static const char *const known[] = {"page", NULL};
    char page[64] = "";
    int rc = in ? hq__in_known(in, known, why) : 0;
    if (rc == 0 && in) rc = hq__in_str(in, "page", false, page, sizeof page, why);
    if (rc != 0) return rc;
    if (page[0] && !device_page(page))
        return hq_fail(why, HQ_EINVAL, "page",
                       "page: a device page: /kiosk, /display, /window/N or /pad/N");
    rc = hq__rate_public(a, who, "pair", PAIR_STARTS_PER_MIN, "pairing requests", why);
    if (rc != 0) return rc;
    int64_t now = hq_app_time(a);
    pthread_mutex_lock(&a->mu);
    purge(a, now);
    if (a->n_pairings >= HQ_MAX_PAIRINGS) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ERATE, "",
                       "too many devices are waiting to be paired: try again in a few minutes");
    }
    struct hq_pairing *p = &a->pairings[a->n_pairings];
    memset(p, 0, sizeof *p);
    for (;;) {
        snprintf(p->code, sizeof p->code, "%06" PRIu32, randombytes_uniform(1000000));
        bool taken = false;
        for (size_t i = 0; i < a->n_pairings; i++)
            taken = taken || strcmp(a->pairings[i].code, p->code) == 0;
        if (!taken) break;
    }
    hq__random_hex(p->id, 16);
    snprintf(p->asked, sizeof p->asked, "%s", page);
    p->expires_at = now + PAIRING_TTL_S;
    a->n_pairings++;
    *out = json_pack("{s:s,s:s,s:o,s:s?}", "id", p->id, "code", p->code, "expires_at",
                     hq__time_json(a, p->expires_at), "page", page[0] ? page : NULL);
    pthread_mutex_unlock(&a->mu);
    return 0;
}

/* Under mu: the live pairing with secret id, or NULL. */
static struct hq_pairing *by_id(struct hq_app *a, const char *id)
{
    if (!id || strlen(id) != 32) return NULL;
    for (size_t i = 0; i < a->n_pairings; i++)
        if (sodium_memcmp(a->pairings[i].id, id, 32) == 0) return &a->pairings[i];
    return NULL;
}

static int unknown(struct hq_why *why)
{
    return hq_fail(why, HQ_ENOTFOUND, "",
                   "no pairing with this id: it expired, was used, or the server restarted; "
                   "ask for a new code");
}

int hq_app_pairing_code(struct hq_app *a, const char *id, char code[7], struct hq_why *why)
{
    pthread_mutex_lock(&a->mu);
    purge(a, hq_app_time(a));
    struct hq_pairing *p = by_id(a, id);
    if (p) snprintf(code, 7, "%s", p->code);
    pthread_mutex_unlock(&a->mu);
    return p ? 0 : unknown(why);
}

int hq_app_pairing_poll(struct hq_app *a, const char *id, json_t **out, struct hq_why *why)
{
    pthread_mutex_lock(&a->mu);
    purge(a, hq_app_time(a));
    struct hq_pairing *p = by_id(a, id);
    if (!p) {
        pthread_mutex_unlock(&a->mu);
        return unknown(why);
    }
    if (!p->key[0]) {
        *out = json_pack("{s:s,s:s,s:o}", "status", "waiting", "code", p->code, "expires_at",
                         hq__time_json(a, p->expires_at));
    } else {
        /* Handed over once: the pairing ends here. */
        *out = json_pack("{s:s,s:s,s:s,s:s}", "status", "paired", "key", p->key, "page", p->page,
                         "name", p->name);
        p->expires_at = 0;
        purge(a, hq_app_time(a));
    }
    pthread_mutex_unlock(&a->mu);
    return 0;
}

int hq_app_pairing_accept(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                          struct hq_why *why)
{
    static const char *const known[] = {"code",    "name",     "role", "window",
                                        "printer", "paper_mm", NULL};
    char code[16] = "";
    int rc = hq__in_str(in, "code", true, code, sizeof code, why);
    if (rc != 0) return rc;
    if (strlen(code) != 6 || strspn(code, "0123456789") != 6)
        return hq_fail(why, HQ_EINVAL, "code", "code: the six digits the device shows");
    struct hq_device d = {0};
    rc = hq__device_parse(a, in, known, &d, why);
    if (rc != 0) return rc;
    if (!d.role[0])
        return hq_fail(why, HQ_EINVAL, "role", "role: one of kiosk, display, window_display, pad");
    int64_t now = hq_app_time(a);
    char key[65];
    hq__random_hex(key, 32);
    hq__hash_hex(key, d.key);
    d.registered_at = now;
    /* Claim the code first, so two admins typing it at once cannot both register a device. */
    pthread_mutex_lock(&a->mu);
    purge(a, now);
    struct hq_pairing *p = NULL;
    for (size_t i = 0; i < a->n_pairings; i++)
        if (strcmp(a->pairings[i].code, code) == 0) p = &a->pairings[i];
    if (!p) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ENOTFOUND, "code",
                       "code: no device is waiting with the code %s (a code lasts ten minutes)",
                       code);
    }
    if (p->key[0] || p->name[0]) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ECONFLICT, "code", "code: the code %s was already used", code);
    }
    snprintf(p->name, sizeof p->name, "%s", d.name);
    char id[33];
    snprintf(id, sizeof id, "%s", p->id);
    pthread_mutex_unlock(&a->mu);

    rc = hq__device_add(a, who->username, &d, why);
    pthread_mutex_lock(&a->mu);
    p = by_id(a, id);
    if (p && rc == 0) {
        snprintf(p->key, sizeof p->key, "%s", key);
        hq__device_page(d.role, d.window, p->page, sizeof p->page);
        p->expires_at = now + PAIRING_TTL_S; /* time for the device to fetch its key */
    } else if (p) {
        p->name[0] = 0; /* not registered: the code may be used again */
    }
    pthread_mutex_unlock(&a->mu);
    sodium_memzero(key, sizeof key);
    if (rc != 0) return rc;
    *out = hq__device_json(a, &d);
    return 0;
}
