/* SPDX-License-Identifier: MIT */
/*
 * auth.c — staff sign-in and sessions, registered devices and rate limits.
 *
 * Passwords are argon2id hashes (libsodium, INTERACTIVE limits); verifying one takes ~60 ms and
 * 64 MiB, so it runs outside the hall lock. A session token is 32 random bytes shown once to the
 * client; the store keeps only its BLAKE2b hash (a stolen database yields no live token). Sessions
 * are durable documents, so a restart signs nobody out. Unknown users are verified against a dummy
 * hash so that the answer takes the same time whether the user exists or not. Failed sign-ins
 * are throttled per (user, address) and per address, never per user alone (see below).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app_int.h"
#include "media_hub.h"

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
    pthread_mutex_lock(&a->mu);
    int rc = hq__rate_public_held(a, who, kind, per_min, what, why);
    pthread_mutex_unlock(&a->mu);
    return rc;
}

int hq__rate_public_held(struct hq_app *a, const struct hq_actor *who, const char *kind,
                         int per_min, const char *what, struct hq_why *why)
{
    if (who->device || who->role != HQ_ROLE_NONE) return 0;
    char key[sizeof a->rates[0].key];
    snprintf(key, sizeof key, "%.15s:%.46s", kind, who->ip);
    int64_t now = hq_app_time(a);
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
    return rc;
}

int hq_app_rate_check(struct hq_app *a, const struct hq_actor *who, struct hq_why *why)
{
    return hq__rate_public(a, who, "issue", a->public_issue_per_min, "tickets", why);
}

/* ---- sign-in throttling ----
 *
 * Failed sign-ins are counted per (username, client address) and per client address, never per
 * user alone: a lock of the user's account against every address would let anyone lock any clerk
 * out by typing wrong passwords (a denial of service). So the right password from an address that
 * has not failed is never refused.
 *
 * (user, address): the first LOGIN_FREE_FAILS failures cost nothing (typos); each further one
 * makes that pair wait 2^(n - LOGIN_FREE_FAILS) s before its next attempt, up to
 * LOGIN_MAX_DELAY_S. Address: at most LOGIN_IP_MAX failures over all users in LOGIN_WINDOW_S,
 * then the address waits out the window (password spraying). A success clears its pair. Counts
 * are forgotten LOGIN_WINDOW_S after the last failure. An attempt counts as a failure while its
 * password is being verified, so parallel guesses are counted too. A refused attempt answers 429
 * with the seconds to wait (Retry-After). The tables are bounded (LOGIN_SLOTS entries each); when
 * full, the entry with the oldest failure that is not waiting out a delay gives way first. */
#define LOGIN_FREE_FAILS 3
#define LOGIN_MAX_DELAY_S (15 * 60)
#define LOGIN_IP_MAX 30
#define LOGIN_SLOTS 1024

struct login_entry {
    char key[112];
    int32_t fails;
    int64_t first_fail, last_fail;
    int64_t until; /* no attempt before this time */
};

struct hq_login_throttle {
    struct login_entry pair[LOGIN_SLOTS];
    struct login_entry ip[LOGIN_SLOTS];
};

static int slot_rank(const struct login_entry *e, int64_t now)
{
    return !e->key[0] ? 0 : e->until <= now ? 1 : 2;
}

/* a->mu held. Find key in tab, or make room for it (NULL only when create is false). */
static struct login_entry *login_entry(struct login_entry *tab, const char *key, int64_t now,
                                       bool create)
{
    struct login_entry *victim = NULL;
    for (size_t i = 0; i < LOGIN_SLOTS; i++) {
        struct login_entry *e = &tab[i];
        if (e->key[0] && now - e->last_fail >= LOGIN_WINDOW_S && now >= e->until)
            memset(e, 0, sizeof *e); /* forgotten */
        if (e->key[0] && strcmp(e->key, key) == 0) return e;
        if (!create) continue;
        /* prefer an empty slot, then one not waiting, then the oldest failure */
        if (!victim || slot_rank(e, now) < slot_rank(victim, now) ||
            (slot_rank(e, now) == slot_rank(victim, now) && e->last_fail < victim->last_fail))
            victim = e;
    }
    if (!victim) return NULL;
    memset(victim, 0, sizeof *victim);
    snprintf(victim->key, sizeof victim->key, "%s", key);
    return victim;
}

static int64_t pair_delay(int32_t fails)
{
    if (fails <= LOGIN_FREE_FAILS) return 0;
    int shift = fails - LOGIN_FREE_FAILS;
    return shift >= 10                        ? LOGIN_MAX_DELAY_S
           : (1 << shift) > LOGIN_MAX_DELAY_S ? LOGIN_MAX_DELAY_S
                                              : (1 << shift);
}

/* a->mu held. 0, or HQ_ERATE with the wait in why->retry_after_s. */
static int login_admit(struct hq_app *a, const char *pkey, const char *ikey, int64_t now,
                       struct hq_why *why)
{
    if (!a->logins) {
        a->logins = calloc(1, sizeof *a->logins);
        if (!a->logins) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    struct login_entry *p = login_entry(a->logins->pair, pkey, now, false);
    struct login_entry *i = login_entry(a->logins->ip, ikey, now, false);
    int64_t until = 0;
    bool pair_first = false;
    if (p && p->until > now) {
        until = p->until;
        pair_first = true;
    }
    if (i && i->until > now && i->until > until) {
        until = i->until;
        pair_first = false;
    }
    if (!until) return 0;
    int wait = (int)(until - now);
    if (pair_first)
        hq_fail(why, HQ_ERATE, "",
                "too many failed sign-ins for this user from this address: try again in %d s",
                wait);
    else
        hq_fail(why, HQ_ERATE, "", "too many failed sign-ins from this address: try again in %d s",
                wait);
    why->retry_after_s = wait;
    return HQ_ERATE;
}

/* a->mu held. Count an attempt as a failure (before the verify; login_succeeded undoes it). */
static void login_count(struct hq_app *a, const char *pkey, const char *ikey, int64_t now)
{
    struct login_entry *p = login_entry(a->logins->pair, pkey, now, true);
    struct login_entry *i = login_entry(a->logins->ip, ikey, now, true);
    if (p) {
        p->fails++;
        if (!p->first_fail) p->first_fail = now;
        p->last_fail = now;
        int64_t d = pair_delay(p->fails);
        if (d && now + d > p->until) p->until = now + d;
    }
    if (i) {
        if (!i->first_fail || now - i->first_fail >= LOGIN_WINDOW_S) {
            i->first_fail = now;
            i->fails = 0;
        }
        i->fails++;
        i->last_fail = now;
        if (i->fails >= LOGIN_IP_MAX) i->until = i->first_fail + LOGIN_WINDOW_S;
    }
}

/* a->mu held. The right password: the pair starts afresh; the address's count gives back this
 * attempt. */
static void login_succeeded(struct hq_app *a, const char *pkey, const char *ikey, int64_t now)
{
    struct login_entry *p = login_entry(a->logins->pair, pkey, now, false);
    if (p) memset(p, 0, sizeof *p);
    struct login_entry *i = login_entry(a->logins->ip, ikey, now, false);
    if (i && i->fails > 0 && i->until <= now) i->fails--;
}

/* ---- sessions ---- */

/* Sessions change under mu and smu (in that order); hq_app_session reads them under smu alone,
 * so the check of every staff request on the event threads never waits for a use case. They are
 * kept sorted by key, so that finding one is a binary search, not a look at each (issue 12: the
 * look at each was 3 % of a call's server time with a few dozen sessions). The key is a hash of
 * the token, so comparing it in variable time tells nothing of a token. */
static size_t session_pos(const struct hq_app *a, const char *key, bool *found)
{
    size_t lo = 0, hi = a->n_sessions;
    *found = false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(a->sessions[mid].key, key, 64);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int session_add(struct hq_app *a, const struct hq_session *s)
{
    int rc = 0;
    pthread_mutex_lock(&a->smu);
    if (a->n_sessions == a->cap_sessions) {
        size_t cap = a->cap_sessions ? a->cap_sessions * 2 : 64;
        struct hq_session *n = realloc(a->sessions, cap * sizeof *n);
        if (!n) {
            rc = HQ_EINTERNAL;
            goto out;
        }
        a->sessions = n;
        a->cap_sessions = cap;
    }
    bool found;
    size_t i = session_pos(a, s->key, &found);
    if (!found) {
        memmove(&a->sessions[i + 1], &a->sessions[i], (a->n_sessions - i) * sizeof *a->sessions);
        a->n_sessions++;
    }
    a->sessions[i] = *s;
    a->sessions[i].gen = 0;
out:
    pthread_mutex_unlock(&a->smu);
    return rc;
}

static struct hq_session *session_find(struct hq_app *a, const char *key)
{
    bool found;
    size_t i = session_pos(a, key, &found);
    return found ? &a->sessions[i] : NULL;
}

/* The ones after s move down by one: a loop over the sessions looks at s's place again. */
static void session_remove(struct hq_app *a, struct hq_session *s)
{
    pthread_mutex_lock(&a->smu);
    size_t i = (size_t)(s - a->sessions);
    memmove(&a->sessions[i], &a->sessions[i + 1], (a->n_sessions - i - 1) * sizeof *a->sessions);
    a->n_sessions--;
    pthread_mutex_unlock(&a->smu);
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
    hq__device_from_doc(&a->devices[a->n_devices++], key, o);
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
    free(a->logins);
    a->logins = NULL;
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
    char pkey[112], ikey[112];
    snprintf(pkey, sizeof pkey, "%.40s\n%.64s", username, ip ? ip : "");
    snprintf(ikey, sizeof ikey, "%.64s", ip ? ip : "");
    int64_t now = hq_app_time(a);
    char hash[HQ_HASH_MAX] = "";
    struct hq_staff copy;
    bool found = false;

    pthread_mutex_lock(&a->mu);
    int rc0 = login_admit(a, pkey, ikey, now, why);
    if (rc0 != 0) {
        pthread_mutex_unlock(&a->mu);
        return rc0;
    }
    login_count(a, pkey, ikey, now);
    struct hq_staff *s = hq_staff_find(&a->hall, username);
    if (s && s->active && s->pw_hash[0]) {
        copy = *s;
        snprintf(hash, sizeof hash, "%s", s->pw_hash);
        found = true;
    }
    pthread_mutex_unlock(&a->mu);

    bool ok = crypto_pwhash_str_verify(found ? hash : dummy_hash, password, strlen(password)) == 0;
    if (!found || !ok)
        return hq_fail(why, HQ_EUNAUTH, "", "wrong username or password / 用户名或密码错误");
    pthread_mutex_lock(&a->mu);
    login_succeeded(a, pkey, ikey, now);
    pthread_mutex_unlock(&a->mu);

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
        session_remove(a, &a->sessions[i]); /* the next one moves here: look at i again */
    }
}

/* branch retire: a retired staff member's sessions end at once (and stay ended if restored). */
void hq__sessions_end_user(struct hq_app *a, const char *username, int64_t now, struct hq_batch *b)
{
    for (size_t i = 0; i < a->n_sessions;) {
        if (strcmp(a->sessions[i].username, username) != 0) {
            i++;
            continue;
        }
        hq_batch_doc_delete(b, "session", a->sessions[i].key, now);
        session_remove(a, &a->sessions[i]); /* the next one moves here: look at i again */
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
    /* Mostly under smu alone: the staff member's role and state as last seen, unless a staff
     * change was queued since (staff_gen); then once under mu (issue 12). */
    bool again = false;
    pthread_mutex_lock(&a->smu);
    struct hq_session *s = session_find(a, key);
    if (s && s->expires_at > now) {
        if (s->gen != 0 && s->gen == atomic_load(&a->staff_gen)) {
            if (s->ok) {
                snprintf(out->username, sizeof out->username, "%s", s->username);
                out->role = (enum hq_role)s->role;
                if (csrf_out) snprintf(csrf_out, 65, "%s", s->csrf);
                rc = 0;
            }
        } else {
            again = true;
        }
    }
    pthread_mutex_unlock(&a->smu);
    if (!again) return rc;
    pthread_mutex_lock(&a->mu);
    pthread_mutex_lock(&a->smu);
    s = session_find(a, key);
    if (s && s->expires_at > now) {
        struct hq_staff *st = hq_staff_find(&a->hall, s->username);
        s->gen = atomic_load(&a->staff_gen); /* staff changes bump it under mu: not now */
        s->ok = st && st->active;
        s->role = st ? (int)st->role : 0;
        if (s->ok) {
            snprintf(out->username, sizeof out->username, "%s", st->username);
            out->role = st->role;
            if (csrf_out) snprintf(csrf_out, 65, "%s", s->csrf);
            rc = 0;
        }
    }
    pthread_mutex_unlock(&a->smu);
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
            if (a->devices[i].revoked_at) {
                rc = HQ_EFORBIDDEN; /* revoked: refused, not taken for the public */
                break;
            }
            a->devices[i].last_seen = hq_app_time(a);
            out->device = true;
            snprintf(out->device_name, sizeof out->device_name, "%s", a->devices[i].name);
            rc = 0;
            break;
        }
    pthread_mutex_unlock(&a->mu);
    return rc;
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
