/* SPDX-License-Identifier: MIT */
/*
 * uc_voicepack.c — voice packs recorded in the admin page (hq_voicepack.h, docs/MEDIA.md): packs,
 * their clips and the hall's voice settings kept as store documents, so they are as durable as
 * the rest of the hall (same transaction, same backup, both back ends). An uploaded clip is
 * checked and made a pack clip by src/media (hq_wav_clip: mono 22,050 Hz 16-bit, trimmed,
 * normalised) before anything is stored; a bad WAV is a 400 and changes nothing. After every
 * change the active pack is rebuilt from the store and handed to the running voice.
 *
 * Locks: vmu serialises this file's read-modify-write of a pack document and its commit (the
 * store reads take reader_mu, the commit takes mu); never held while calling the voice. amu makes
 * the loads of the active pack and their hand-over to the voice one at a time, so the last change
 * is the one the voice keeps.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../media/hq_media.h"
#include "app_int.h"
#include "hq_voicepack.h"

#define PACKS_MAX 16
#define NAME_CHARS 40

static pthread_mutex_t vmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t amu = PTHREAD_MUTEX_INITIALIZER; /* one apply at a time, in order */

static json_t *doc_load(struct hq_app *a, const char *kind, const char *key)
{
    char *text = NULL;
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->doc_get(a->reader, kind, key, &text);
    pthread_mutex_unlock(&a->reader_mu);
    json_t *o = rc == 0 && text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return o;
}

static bool id_valid(const char *id)
{
    return id && strlen(id) == 16 && strspn(id, "0123456789abcdef") == 16;
}

static json_t *pack_load(struct hq_app *a, const char *id, struct hq_why *why)
{
    json_t *p = id_valid(id) ? doc_load(a, "voice_pack", id) : NULL;
    if (!p) hq_fail(why, HQ_ENOTFOUND, "", "no such voice pack");
    return p;
}

/* The settings document, defaults filled. */
static json_t *settings_load(struct hq_app *a)
{
    json_t *s = doc_load(a, "voice_setting", "hall");
    if (!json_is_object(s)) {
        json_decref(s);
        s = json_pack("{s:n,s:i,s:b}", "active", "repeat", 1, "chime", 0); /* issue 21: short */
    }
    return s;
}

/* Commit the batch with a voice.changed event {action, pack, phrase}. */
static int commit(struct hq_app *a, struct hq_batch *b, const struct hq_actor *who,
                  const char *action, const char *pack, const char *phrase, struct hq_why *why)
{
    pthread_mutex_lock(&a->mu);
    hq__app_event(a, b, who ? who->username : "", "voice.changed",
                  json_pack("{s:s,s:s,s:s}", "action", action, "pack", pack ? pack : "", "phrase",
                            phrase ? phrase : ""));
    return hq__app_commit_unlock(a, b, why);
}

static int put_doc(struct hq_batch *b, const char *kind, const char *key, json_t *o, int64_t t)
{
    char *text = json_dumps(o, JSON_COMPACT);
    int rc = text ? hq_batch_doc(b, kind, key, text, t) : HQ_EINTERNAL;
    free(text);
    return rc;
}

/* ------------------------------------------------------------------------------------ views */

static json_t *pack_view(struct hq_app *a, json_t *p, const char *active, bool phrases)
{
    size_t n;
    const struct hq_voice_phrase *ph = hq_voice_phrases(&n);
    json_t *clips = json_object_get(p, "clips");
    const char *id = json_string_value(json_object_get(p, "id"));
    json_t *o = json_pack(
        "{s:s,s:s,s:o,s:o,s:i,s:i,s:b}", "id", id, "name",
        json_string_value(json_object_get(p, "name")), "created_at",
        hq__time_json(a, json_integer_value(json_object_get(p, "created_at"))), "updated_at",
        hq__time_json(a, json_integer_value(json_object_get(p, "updated_at"))), "recorded",
        (int)json_object_size(clips), "total", (int)n, "active", active && strcmp(active, id) == 0);
    if (!o || !phrases) return o;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_object_get(clips, ph[i].id);
        json_t *e = json_pack("{s:s,s:s,s:s,s:b}", "id", ph[i].id, "lang", ph[i].lang, "text",
                              ph[i].text, "recorded", c != NULL);
        json_object_set_new(e, "ms", c ? json_incref(json_object_get(c, "ms")) : json_null());
        json_array_append_new(arr, e);
    }
    json_object_set_new(o, "phrases", arr);
    return o;
}

static json_t *packs_all(struct hq_app *a)
{
    return hq__docs_list(a, "voice_pack", 0, 0, 0);
}

int hq_app_voice_settings(struct hq_app *a, json_t **out, struct hq_why *why)
{
    json_t *s = settings_load(a), *packs = packs_all(a), *list = json_array(),
           *phrases = json_array();
    const char *active = json_string_value(json_object_get(s, "active"));
    size_t i, n;
    json_t *p;
    json_array_foreach(packs, i, p) json_array_append_new(list, pack_view(a, p, active, false));
    const struct hq_voice_phrase *ph = hq_voice_phrases(&n);
    for (i = 0; i < n; i++)
        json_array_append_new(phrases, json_pack("{s:s,s:s,s:s}", "id", ph[i].id, "lang",
                                                 ph[i].lang, "text", ph[i].text));
    *out = json_pack("{s:b,s:O,s:O,s:O,s:o,s:o,s:i}", "voice_on", hq_app_voice_enabled(a), "active",
                     json_object_get(s, "active"), "repeat", json_object_get(s, "repeat"), "chime",
                     json_object_get(s, "chime"), "phrases", phrases, "packs", list, "rate",
                     HQ_WAV_RATE);
    uint64_t fp, fe;
    hq__media_voice_counts(a, &fp, &fe);
    json_object_set_new(
        *out, "words",
        json_pack("{s:I,s:I}", "from_pack", (json_int_t)fp, "from_espeak", (json_int_t)fe));
    json_decref(s);
    json_decref(packs);
    return *out ? 0 : hq_fail(why, HQ_EINTERNAL, "", "out of memory");
}

int hq_app_voice_settings_put(struct hq_app *a, const struct hq_actor *who, json_t *in,
                              json_t **out, struct hq_why *why)
{
    static const char *const known[] = {"active", "repeat", "chime", NULL};
    if (!json_is_object(in)) return hq_fail(why, HQ_EINVAL, "", "an object is expected");
    int rc = hq__in_known(in, known, why);
    if (rc) return rc;
    pthread_mutex_lock(&vmu);
    json_t *s = settings_load(a);
    int64_t repeat = json_integer_value(json_object_get(s, "repeat"));
    bool chime = json_is_true(json_object_get(s, "chime"));
    rc = hq__in_int(in, "repeat", false, 1, 3, &repeat, why);
    if (rc == 0) rc = hq__in_bool(in, "chime", false, &chime, why);
    json_t *act = json_object_get(in, "active");
    if (rc == 0 && act && !json_is_null(act)) {
        json_t *p = json_is_string(act) ? doc_load(a, "voice_pack", json_string_value(act)) : NULL;
        if (!p || !id_valid(json_string_value(act)))
            rc = hq_fail(why, HQ_EINVAL, "active", "active: the id of a voice pack, or null");
        json_decref(p);
    }
    if (rc == 0) {
        if (json_object_get(in, "active")) json_object_set(s, "active", act);
        json_object_set_new(s, "repeat", json_integer(repeat));
        json_object_set_new(s, "chime", json_boolean(chime));
        struct hq_batch b;
        hq_batch_init(&b);
        rc = put_doc(&b, "voice_setting", "hall", s, hq_app_time(a));
        if (rc) {
            hq_batch_release(&b);
            rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        } else {
            rc = commit(a, &b, who, "settings", json_string_value(json_object_get(s, "active")),
                        NULL, why);
        }
    }
    json_decref(s);
    pthread_mutex_unlock(&vmu);
    if (rc) return rc;
    hq__voicepack_apply(a);
    return hq_app_voice_settings(a, out, why);
}

int hq_app_voice_pack_create(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                             struct hq_why *why)
{
    static const char *const known[] = {"name", NULL};
    char name[HQ_TEXT_CAP(NAME_CHARS)] = "";
    if (!json_is_object(in)) return hq_fail(why, HQ_EINVAL, "", "an object is expected");
    int rc = hq__in_known(in, known, why);
    if (rc == 0) rc = hq__in_text(in, "name", true, NAME_CHARS, name, sizeof name, why);
    if (rc == 0 && !name[0]) rc = hq_fail(why, HQ_EINVAL, "name", "name: required");
    if (rc) return rc;
    pthread_mutex_lock(&vmu);
    json_t *packs = packs_all(a);
    size_t count = json_array_size(packs);
    json_decref(packs);
    if (count >= PACKS_MAX) {
        pthread_mutex_unlock(&vmu);
        return hq_fail(why, HQ_ECONFLICT, "", "at most %d voice packs: delete one first",
                       PACKS_MAX);
    }
    char id[17];
    hq__random_hex(id, 8);
    int64_t now = hq_app_time(a);
    json_t *p = json_pack("{s:s,s:s,s:I,s:I,s:{}}", "id", id, "name", name, "created_at",
                          (json_int_t)now, "updated_at", (json_int_t)now, "clips");
    struct hq_batch b;
    hq_batch_init(&b);
    rc = put_doc(&b, "voice_pack", id, p, now);
    if (rc) {
        hq_batch_release(&b);
        rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    } else {
        rc = commit(a, &b, who, "pack_created", id, NULL, why);
    }
    pthread_mutex_unlock(&vmu);
    if (rc == 0) *out = pack_view(a, p, NULL, true);
    json_decref(p);
    return rc;
}

int hq_app_voice_pack_get(struct hq_app *a, const char *id, json_t **out, struct hq_why *why)
{
    json_t *p = pack_load(a, id, why);
    if (!p) return HQ_ENOTFOUND;
    json_t *s = settings_load(a);
    *out = pack_view(a, p, json_string_value(json_object_get(s, "active")), true);
    json_decref(s);
    json_decref(p);
    return 0;
}

int hq_app_voice_pack_delete(struct hq_app *a, const struct hq_actor *who, const char *id,
                             struct hq_why *why)
{
    pthread_mutex_lock(&vmu);
    json_t *p = pack_load(a, id, why);
    if (!p) {
        pthread_mutex_unlock(&vmu);
        return HQ_ENOTFOUND;
    }
    int64_t now = hq_app_time(a);
    struct hq_batch b;
    hq_batch_init(&b);
    const char *k;
    json_t *v;
    int rc = hq_batch_doc_delete(&b, "voice_pack", id, now);
    json_object_foreach(json_object_get(p, "clips"), k, v)
    {
        char key[80];
        snprintf(key, sizeof key, "%s/%s", id, k);
        if (rc == 0) rc = hq_batch_doc_delete(&b, "voice_clip", key, now);
    }
    json_t *s = settings_load(a);
    if (rc == 0 && json_is_string(json_object_get(s, "active")) &&
        strcmp(json_string_value(json_object_get(s, "active")), id) == 0) {
        json_object_set_new(s, "active", json_null());
        rc = put_doc(&b, "voice_setting", "hall", s, now);
    }
    json_decref(s);
    if (rc) {
        hq_batch_release(&b);
        rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    } else {
        rc = commit(a, &b, who, "pack_deleted", id, NULL, why);
    }
    json_decref(p);
    pthread_mutex_unlock(&vmu);
    if (rc == 0) hq__voicepack_apply(a);
    return rc;
}

/* ------------------------------------------------------------------------------------ clips */

static const struct hq_voice_phrase *phrase_of(const char *phrase, struct hq_why *why)
{
    const struct hq_voice_phrase *ph = hq_voice_phrase_find(phrase);
    if (!ph) hq_fail(why, HQ_ENOTFOUND, "", "no such phrase");
    return ph;
}

static bool active_is(struct hq_app *a, const char *id)
{
    json_t *s = settings_load(a);
    const char *act = json_string_value(json_object_get(s, "active"));
    bool yes = act && strcmp(act, id) == 0;
    json_decref(s);
    return yes;
}

int hq_app_voice_clip_put(struct hq_app *a, const struct hq_actor *who, const char *id,
                          const char *phrase, const unsigned char *wav, size_t len, json_t **out,
                          struct hq_why *why)
{
    if (!phrase_of(phrase, why)) return HQ_ENOTFOUND;
    if (!wav || len == 0)
        return hq_fail(why, HQ_EINVAL, "", "the body must be a WAV file (audio/wav)");
    unsigned char *clip = NULL;
    size_t clip_len = 0;
    struct hq_wav_info info;
    struct hq_media_why mw = {0};
    if (hq_wav_clip(wav, len, HQ_WAV_CLIP_MAX_MS, &clip, &clip_len, &info, &mw) != 0)
        return hq_fail(why, HQ_EINVAL, "", "audio: %s", mw.message);
    size_t b64_cap = sodium_base64_ENCODED_LEN(clip_len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(b64_cap);
    if (!b64) {
        free(clip);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    sodium_bin2base64(b64, b64_cap, clip, clip_len, sodium_base64_VARIANT_ORIGINAL);
    free(clip);
    pthread_mutex_lock(&vmu);
    json_t *p = pack_load(a, id, why);
    int rc = HQ_ENOTFOUND;
    if (p) {
        int64_t now = hq_app_time(a);
        json_t *meta = json_pack("{s:i,s:i,s:i,s:I}", "ms", info.ms, "peak", info.peak, "rms",
                                 info.rms, "saved_at", (json_int_t)now);
        json_t *doc = json_pack("{s:s,s:s,s:s}", "pack", id, "phrase", phrase, "wav", b64);
        json_object_update(doc, meta);
        json_object_set(json_object_get(p, "clips"), phrase, meta);
        json_object_set_new(p, "updated_at", json_integer(now));
        char key[80];
        snprintf(key, sizeof key, "%s/%s", id, phrase);
        struct hq_batch b;
        hq_batch_init(&b);
        rc = put_doc(&b, "voice_clip", key, doc, now);
        if (rc == 0)
            rc = put_doc(&b, "voice_pack", id, p,
                         json_integer_value(json_object_get(p, "created_at")));
        if (rc) {
            hq_batch_release(&b);
            rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        } else {
            rc = commit(a, &b, who, "clip_saved", id, phrase, why);
        }
        size_t total;
        hq_voice_phrases(&total);
        if (rc == 0)
            *out = json_pack("{s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:i}", "pack", id, "phrase", phrase,
                             "ms", info.ms, "rate", HQ_WAV_RATE, "peak", info.peak, "rms", info.rms,
                             "recorded", (int)json_object_size(json_object_get(p, "clips")),
                             "total", (int)total);
        json_decref(meta);
        json_decref(doc);
        json_decref(p);
    }
    pthread_mutex_unlock(&vmu);
    free(b64);
    if (rc == 0 && active_is(a, id)) hq__voicepack_apply(a);
    return rc;
}

/* The stored WAV of a clip document (*wav malloc'd), or -1. */
static int clip_bytes(json_t *doc, unsigned char **wav, size_t *len)
{
    const char *b64 = json_string_value(json_object_get(doc, "wav"));
    if (!b64) return -1;
    size_t cap = strlen(b64) / 4 * 3 + 3;
    unsigned char *buf = malloc(cap);
    if (!buf) return -1;
    if (sodium_base642bin(buf, cap, b64, strlen(b64), NULL, len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(buf);
        return -1;
    }
    *wav = buf;
    return 0;
}

int hq_app_voice_clip_get(struct hq_app *a, const char *id, const char *phrase, unsigned char **wav,
                          size_t *len, struct hq_why *why)
{
    if (!phrase_of(phrase, why)) return HQ_ENOTFOUND;
    if (!id_valid(id)) return hq_fail(why, HQ_ENOTFOUND, "", "no such voice pack");
    char key[80];
    snprintf(key, sizeof key, "%s/%s", id, phrase);
    json_t *doc = doc_load(a, "voice_clip", key);
    int rc = doc ? clip_bytes(doc, wav, len) : -1;
    json_decref(doc);
    return rc == 0 ? 0 : hq_fail(why, HQ_ENOTFOUND, "", "that phrase is not recorded");
}

int hq_app_voice_clip_delete(struct hq_app *a, const struct hq_actor *who, const char *id,
                             const char *phrase, struct hq_why *why)
{
    if (!phrase_of(phrase, why)) return HQ_ENOTFOUND;
    pthread_mutex_lock(&vmu);
    json_t *p = pack_load(a, id, why);
    int rc = HQ_ENOTFOUND;
    if (p && !json_object_get(json_object_get(p, "clips"), phrase)) {
        hq_fail(why, HQ_ENOTFOUND, "", "that phrase is not recorded");
    } else if (p) {
        int64_t now = hq_app_time(a);
        json_object_del(json_object_get(p, "clips"), phrase);
        json_object_set_new(p, "updated_at", json_integer(now));
        char key[80];
        snprintf(key, sizeof key, "%s/%s", id, phrase);
        struct hq_batch b;
        hq_batch_init(&b);
        rc = hq_batch_doc_delete(&b, "voice_clip", key, now);
        if (rc == 0)
            rc = put_doc(&b, "voice_pack", id, p,
                         json_integer_value(json_object_get(p, "created_at")));
        if (rc) {
            hq_batch_release(&b);
            rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        } else {
            rc = commit(a, &b, who, "clip_deleted", id, phrase, why);
        }
    }
    json_decref(p);
    pthread_mutex_unlock(&vmu);
    if (rc == 0 && active_is(a, id)) hq__voicepack_apply(a);
    return rc;
}

int hq_app_voice_pack_export(struct hq_app *a, const char *id, json_t **out, struct hq_why *why)
{
    json_t *p = pack_load(a, id, why);
    if (!p) return HQ_ENOTFOUND;
    json_t *clips = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(p, "clips"), k, v)
    {
        char key[80];
        snprintf(key, sizeof key, "%s/%s", id, k);
        json_t *doc = doc_load(a, "voice_clip", key);
        json_t *w = json_object_get(doc, "wav");
        if (json_is_string(w)) json_object_set(clips, k, w);
        json_decref(doc);
    }
    *out = json_pack("{s:s,s:O,s:i,s:s,s:o}", "format", "hallq-voice-pack-1", "name",
                     json_object_get(p, "name"), "rate", HQ_WAV_RATE, "encoding",
                     "WAV, mono, 16-bit PCM, base64", "clips", clips);
    json_decref(p);
    return *out ? 0 : hq_fail(why, HQ_EINTERNAL, "", "out of memory");
}

/* ------------------------------------------------------------------------------ the voice */

void hq__voicepack_apply(struct hq_app *a)
{
    if (!hq_app_voice_enabled(a)) return;
    pthread_mutex_lock(&amu);
    json_t *s = settings_load(a);
    int repeat = (int)json_integer_value(json_object_get(s, "repeat"));
    bool chime = json_is_true(json_object_get(s, "chime"));
    const char *active = json_string_value(json_object_get(s, "active"));
    struct hq_voice_pack *pack = NULL;
    json_t *p = active && id_valid(active) ? doc_load(a, "voice_pack", active) : NULL;
    if (p) {
        pack = hq_voice_pack_new();
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(p, "clips"), k, v)
        {
            char key[80];
            snprintf(key, sizeof key, "%s/%s", active, k);
            json_t *doc = doc_load(a, "voice_clip", key);
            unsigned char *wav = NULL;
            size_t len = 0;
            if (pack && doc && clip_bytes(doc, &wav, &len) == 0)
                hq_voice_pack_add(pack, k, wav, len);
            free(wav);
            json_decref(doc);
        }
        json_decref(p);
    }
    hq__media_voice_live(a, pack, repeat >= 1 && repeat <= 3 ? repeat : 1, chime);
    pthread_mutex_unlock(&amu);
    json_decref(s);
}
