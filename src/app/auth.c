/* SPDX-License-Identifier: MIT */
/*
 * auth.c — staff sign-in and sessions, registered devices and rate limits.
 *
 * Passwords are argon2id hashes (libsodium, INTERACTIVE limits); verifying one takes ~60 ms and
 * 64 MiB, so it runs outside the hall lock. A session token is 32 random bytes shown once to the
 * client; the store keeps only its BLAKE2b hash (a stolen database yields no live token). Sessions
 * are durable documents, so a restart signs nobody out. Unknown users are verified against a dummy
 * hash so that the answer takes the same time whether the user exists or not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app_int.h"
#include "media_hub.h"

#define LOGIN_MAX_FAILS 5
#define LOGIN_WINDOW_S (15 * 60)

static char dummy_hash[crypto_pwhash_STRBYTES];

/* ---- rate limits: a small table of fixed windows keyed by a string ---- */

static struct hq_rate *rate_slot(struct hq_app *a, const char *key)
{
    uint32_t h = 2166136261u;
    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    struct hq_rate *r = &a->rates[h % HQ_RATE_SLOTS];
    if (strcmp(r->key, key) != 0) {
        memset(r, 0, sizeof *r);
        snprintf(r->key, sizeof r->key, "%s", key);
    }
    return r;
}

int hq__rate_public(struct hq_app *a, const struct hq_actor *who, const char *kind, int per_min,
                    const char *what, struct hq_why *why)
{
    if (who->device || who->role != HQ_ROLE_NONE) return 0;
    char key[80];
    snprintf(key, sizeof key, "%s:%s", kind, who->ip);
    int64_t now = hq_app_time(a);
    pthread_mutex_lock(&a->mu);
    struct hq_rate *r = rate_slot(a, key);
    if (now - r->window_start >= 60) {
        r->window_start = now;
        r->count = 0;
    }
    int rc = 0;
    if (r->count >= per_min)
        rc = hq_fail(why, HQ_ERATE, "",
                     "too many %s from this address: at most %d a minute; please ask a guide", what,
                     per_min);
    else
        r->count++;
    pthread_mutex_unlock(&a->mu);
    return rc;
}

int hq_app_rate_check(struct hq_app *a, const struct hq_actor *who, struct hq_why *why)
{
    return hq__rate_public(a, who, "issue", a->public_issue_per_min, "tickets", why);
}

static bool login_blocked(struct hq_app *a, const char *key, int64_t now)
{
    struct hq_rate *r = rate_slot(a, key);
    if (now - r->window_start >= LOGIN_WINDOW_S) {
        r->window_start = now;
        r->count = 0;
    }
    return r->count >= LOGIN_MAX_FAILS;
}

static void login_failed(struct hq_app *a, const char *key)
{
    rate_slot(a, key)->count++;
}

/* ---- sessions ---- */

static int session_add(struct hq_app *a, const struct hq_session *s)
{
    if (a->n_sessions == a->cap_sessions) {
        size_t cap = a->cap_sessions ? a->cap_sessions * 2 : 64;
        struct hq_session *n = realloc(a->sessions, cap * sizeof *n);
        if (!n) return HQ_EINTERNAL;
        a->sessions = n;
        a->cap_sessions = cap;
    }
    a->sessions[a->n_sessions++] = *s;
    return 0;
}

static struct hq_session *session_find(struct hq_app *a, const char *key)
{
    for (size_t i = 0; i < a->n_sessions; i++)
        if (sodium_memcmp(a->sessions[i].key, key, 64) == 0) return &a->sessions[i];
    return NULL;
}

static void session_remove(struct hq_app *a, struct hq_session *s)
{
    size_t i = (size_t)(s - a->sessions);
    a->sessions[i] = a->sessions[--a->n_sessions];
}

struct load_ctx {
    struct hq_app *a;
    int64_t now;
    int rc;
};

static int load_session(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)t;
    struct load_ctx *c = ctx;
    json_t *o = json_loads(json, 0, NULL);
    if (!o) return 0;
    struct hq_session s = {0};
    snprintf(s.key, sizeof s.key, "%s", key);
    snprintf(s.username, sizeof s.username, "%s",
             json_string_value(json_object_get(o, "username")) ?: "");
    snprintf(s.csrf, sizeof s.csrf, "%s", json_string_value(json_object_get(o, "csrf")) ?: "");
    s.expires_at = json_integer_value(json_object_get(o, "expires_at"));
    json_decref(o);
    if (s.expires_at > c->now && strlen(s.key) == 64) c->rc = session_add(c->a, &s);
    return c->rc;
}

static int load_device(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)t;
    struct load_ctx *c = ctx;
    struct hq_app *a = c->a;
    json_t *o = json_loads(json, 0, NULL);
    if (!o) return 0;
    if (a->n_devices == a->cap_devices) {
        size_t cap = a->cap_devices ? a->cap_devices * 2 : 16;
        struct hq_device *n = realloc(a->devices, cap * sizeof *n);
        if (!n) {
            json_decref(o);
            return c->rc = HQ_EINTERNAL;
        }
        a->devices = n;
        a->cap_devices = cap;
    }
    struct hq_device *d = &a->devices[a->n_devices++];
    snprintf(d->key, sizeof d->key, "%s", key);
    snprintf(d->name, sizeof d->name, "%s", json_string_value(json_object_get(o, "name")) ?: "");
    const char *printer = json_string_value(json_object_get(o, "printer"));
    snprintf(d->printer, sizeof d->printer, "%s",
             printer && hq__printer_valid(printer) ? printer : "");
    json_decref(o);
    return 0;
}

int hq__auth_load(struct hq_app *a, struct hq_why *why)
{
    if (!dummy_hash[0] && crypto_pwhash_str(dummy_hash, "hallq-dummy-password", 20,
                                            crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                            crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return hq_fail(why, HQ_EINTERNAL, "", "cannot compute a password hash (out of memory?)");
    struct load_ctx c = {a, hq_app_time(a), 0};
    a->store->vt->doc_list(a->store, "session", 0, 0, 0, load_session, &c);
    if (c.rc == 0) a->store->vt->doc_list(a->store, "device", 0, 0, 0, load_device, &c);
    if (c.rc != 0) return hq_fail(why, c.rc, "", "cannot load sessions");
    return 0;
}

void hq__auth_release(struct hq_app *a)
{
    free(a->sessions);
    a->sessions = NULL;
    a->n_sessions = a->cap_sessions = 0;
    free(a->devices);
    a->devices = NULL;
    a->n_devices = a->cap_devices = 0;
}

int hq_app_login(struct hq_app *a, const char *username, const char *password, const char *ip,
                 json_t **out, struct hq_why *why)
{
    char ukey[80], ikey[80];
    snprintf(ukey, sizeof ukey, "login:u:%.40s", username);
    snprintf(ikey, sizeof ikey, "login:ip:%.60s", ip ? ip : "");
    int64_t now = hq_app_time(a);
    char hash[HQ_HASH_MAX] = "";
    struct hq_staff copy;
    bool found = false;

    pthread_mutex_lock(&a->mu);
    if (login_blocked(a, ukey, now) || login_blocked(a, ikey, now)) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ERATE, "",
                       "too many failed sign-ins: try again in 15 minutes / 登录失败次数过多");
    }
    struct hq_staff *s = hq_staff_find(&a->hall, username);
    if (s && s->active && s->pw_hash[0]) {
        copy = *s;
        snprintf(hash, sizeof hash, "%s", s->pw_hash);
        found = true;
    }
    pthread_mutex_unlock(&a->mu);

    bool ok = crypto_pwhash_str_verify(found ? hash : dummy_hash, password, strlen(password)) == 0;
    if (!found || !ok) {
        pthread_mutex_lock(&a->mu);
        login_failed(a, ukey);
        login_failed(a, ikey);
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_EUNAUTH, "", "wrong username or password / 用户名或密码错误");
    }

    char token[65], csrf[65];
    hq__random_hex(token, 32);
    hq__random_hex(csrf, 32);
    struct hq_session sess = {0};
    hq__hash_hex(token, sess.key);
    snprintf(sess.username, sizeof sess.username, "%s", copy.username);
    snprintf(sess.csrf, sizeof sess.csrf, "%s", csrf);
    sess.expires_at = now + HQ_SESSION_TTL_S;

    json_t *doc =
        json_pack("{s:s,s:s,s:I,s:I,s:s}", "username", sess.username, "csrf", csrf, "expires_at",
                  (json_int_t)sess.expires_at, "created_at", (json_int_t)now, "ip", ip ? ip : "");
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    struct hq_batch b;
    hq_batch_init(&b);
    int rc = text ? hq_batch_doc(&b, "session", sess.key, text, now) : HQ_EINTERNAL;
    free(text);
    if (rc != 0) {
        hq_batch_release(&b);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    pthread_mutex_lock(&a->mu);
    if (session_add(a, &sess) != 0) {
        pthread_mutex_unlock(&a->mu);
        hq_batch_release(&b);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    /* The audit trail: who signed in is the event's actor (the log), never in the stream's data. */
    hq__app_event(a, &b, copy.username, "staff.signed_in",
                  json_pack("{s:s}", "role", hq_role_name(copy.role)));
    rc = hq__app_commit_unlock(a, &b, why);
    if (rc != 0) {
        pthread_mutex_lock(&a->mu);
        struct hq_session *gone = session_find(a, sess.key);
        if (gone) session_remove(a, gone);
        pthread_mutex_unlock(&a->mu);
        return rc;
    }
    char exp[40];
    hq_app_format_time(a, sess.expires_at, exp, sizeof exp);
    *out = json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:s}}", "token", token, "csrf", csrf, "expires_at",
                     exp, "user", "username", copy.username, "name", copy.name, "role",
                     hq_role_name(copy.role));
    sodium_memzero(token, sizeof token);
    return 0;
}

void hq__sessions_purge(struct hq_app *a, int64_t now, struct hq_batch *b)
{
    for (size_t i = 0; i < a->n_sessions;) {
        if (a->sessions[i].expires_at > now) {
            i++;
            continue;
        }
        hq_batch_doc_delete(b, "session", a->sessions[i].key, now);
        session_remove(a, &a->sessions[i]); /* moves the last one here: look at i again */
    }
}

int hq_app_logout(struct hq_app *a, const char *token, struct hq_why *why)
{
    char key[65];
    hq__hash_hex(token, key);
    int64_t now = hq_app_time(a);
    pthread_mutex_lock(&a->mu);
    struct hq_session *s = session_find(a, key);
    if (!s) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_EUNAUTH, "", "not signed in");
    }
    char who[HQ_USER_MAX];
    snprintf(who, sizeof who, "%s", s->username);
    session_remove(a, s);
    struct hq_batch b;
    hq_batch_init(&b);
    hq_batch_doc_delete(&b, "session", key, now);
    hq__app_event(a, &b, who, "staff.signed_out", json_object());
    return hq__app_commit_unlock(a, &b, why);
}

int hq_app_session(struct hq_app *a, const char *token, struct hq_actor *out, char *csrf_out)
{
    if (!token || strlen(token) != 64) return HQ_EUNAUTH;
    char key[65];
    hq__hash_hex(token, key);
    int64_t now = hq_app_time(a);
    int rc = HQ_EUNAUTH;
    pthread_mutex_lock(&a->mu);
    struct hq_session *s = session_find(a, key);
    if (s && s->expires_at > now) {
        struct hq_staff *st = hq_staff_find(&a->hall, s->username);
        if (st && st->active) {
            snprintf(out->username, sizeof out->username, "%s", st->username);
            out->role = st->role;
            if (csrf_out) snprintf(csrf_out, 65, "%s", s->csrf);
            rc = 0;
        }
    }
    pthread_mutex_unlock(&a->mu);
    return rc;
}

int hq_app_device(struct hq_app *a, const char *key, struct hq_actor *out)
{
    if (!key || strlen(key) != 64) return HQ_EUNAUTH;
    char h[65];
    hq__hash_hex(key, h);
    int rc = HQ_EUNAUTH;
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; i < a->n_devices; i++)
        if (sodium_memcmp(a->devices[i].key, h, 64) == 0) {
            out->device = true;
            snprintf(out->device_name, sizeof out->device_name, "%s", a->devices[i].name);
            rc = 0;
            break;
        }
    pthread_mutex_unlock(&a->mu);
    return rc;
}

int hq_app_device_register(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                           struct hq_why *why)
{
    static const char *const known[] = {"name", "printer", NULL};
    char name[64] = "", printer[HQ_PRINTER_MAX] = "";
    int rc = hq__in_known(in, known, why);
    if (rc == 0) rc = hq__in_str(in, "name", true, name, sizeof name, why);
    if (rc == 0) rc = hq__in_str(in, "printer", false, printer, sizeof printer, why);
    if (rc != 0) return rc;
    if (!name[0]) return hq_fail(why, HQ_EINVAL, "name", "name: must not be empty");
    if (printer[0] && !hq__printer_valid(printer))
        return hq_fail(why, HQ_EINVAL, "printer",
                       "printer: an IPv4 address and port such as 192.168.1.50:9100, or "
                       "file:/absolute/path");
    char key[65];
    hq__random_hex(key, 32);
    struct hq_device d = {0};
    hq__hash_hex(key, d.key);
    snprintf(d.name, sizeof d.name, "%s", name);
    snprintf(d.printer, sizeof d.printer, "%s", printer);
    int64_t now = hq_app_time(a);
    json_t *doc = json_pack("{s:s,s:I,s:s?}", "name", name, "registered_at", (json_int_t)now,
                            "printer", printer[0] ? printer : NULL);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    struct hq_batch b;
    hq_batch_init(&b);
    if (!text || hq_batch_doc(&b, "device", d.key, text, now) != 0) {
        free(text);
        hq_batch_release(&b);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    free(text);
    pthread_mutex_lock(&a->mu);
    if (a->n_devices == a->cap_devices) {
        size_t cap = a->cap_devices ? a->cap_devices * 2 : 16;
        struct hq_device *n = realloc(a->devices, cap * sizeof *n);
        if (!n) {
            pthread_mutex_unlock(&a->mu);
            hq_batch_release(&b);
            return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        }
        a->devices = n;
        a->cap_devices = cap;
    }
    a->devices[a->n_devices++] = d;
    hq__app_event(a, &b, who->username, "device.registered", json_pack("{s:s}", "name", name));
    rc = hq__app_commit_unlock(a, &b, why);
    if (rc != 0) return rc;
    *out = json_pack("{s:s,s:s,s:s?}", "name", name, "key", key, "printer",
                     printer[0] ? printer : NULL);
    return 0;
}

/* Hash a password for storage (argon2id). 0 or HQ_EINTERNAL. Any thread; slow. */
int hq__password_hash(const char *password, char out[HQ_HASH_MAX])
{
    char buf[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(buf, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return HQ_EINTERNAL;
    snprintf(out, HQ_HASH_MAX, "%s", buf);
    return 0;
}

int hq_app_devices_list(struct hq_app *a, json_t **out)
{
    json_t *arr = json_array();
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; i < a->n_devices; i++) {
        const struct hq_device *d = &a->devices[i];
        /* The start of the key's hash tells devices apart; the key was shown only once. */
        char id[13];
        snprintf(id, sizeof id, "%.12s", d->key);
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s?}", "id", id, "name", d->name, "printer",
                                             d->printer[0] ? d->printer : NULL));
    }
    pthread_mutex_unlock(&a->mu);
    *out = arr;
    return 0;
}
