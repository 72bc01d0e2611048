/* SPDX-License-Identifier: MIT */
/*
 * hq_voicepack.h — voice packs (uc_voicepack.c): a hall's own announcer recorded phrase by phrase
 * in the admin page, stored as store documents, one pack active per hall, with the repeat count
 * and the chime of announcements. Documents: kind "voice_pack" (key: the pack's id; name and the
 * list of recorded phrases), "voice_clip" (key "<pack>/<phrase>"; the normalised WAV in base64)
 * and "voice_setting" (key "hall": active pack, repeat, chime). Event voice.changed (no personal
 * data). docs/MEDIA.md "Voice packs".
 */
#ifndef HQ_VOICEPACK_H
#define HQ_VOICEPACK_H

#include "hq_app.h"

struct hq_voice_pack;

/* GET /voice: {"voice_on","active","repeat","chime","phrases":[{id,lang,text}],"packs":[…]}. */
int hq_app_voice_settings(struct hq_app *a, json_t **out, struct hq_why *why);
/* PUT /voice: {"active": id|null, "repeat": 1..3, "chime": bool}; applied to the running voice. */
int hq_app_voice_settings_put(struct hq_app *a, const struct hq_actor *who, json_t *in,
                              json_t **out, struct hq_why *why);
/* POST /voice/packs {"name"}: a new empty pack (at most 16). */
int hq_app_voice_pack_create(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                             struct hq_why *why);
/* GET /voice/packs/{id}: the pack with every phrase and whether it is recorded. */
int hq_app_voice_pack_get(struct hq_app *a, const char *id, json_t **out, struct hq_why *why);
/* DELETE /voice/packs/{id}: the pack and its clips (an active pack is deactivated). */
int hq_app_voice_pack_delete(struct hq_app *a, const struct hq_actor *who, const char *id,
                             struct hq_why *why);
/* PUT /voice/packs/{id}/clips/{phrase}: body a WAV (RIFF/WAVE 16-bit PCM, 8000..48000 Hz, 0.1..8
 * s); checked, converted, trimmed, normalised, stored. *out describes the saved clip. */
int hq_app_voice_clip_put(struct hq_app *a, const struct hq_actor *who, const char *id,
                          const char *phrase, const unsigned char *wav, size_t len, json_t **out,
                          struct hq_why *why);
/* GET /voice/packs/{id}/clips/{phrase}: the stored WAV (*wav malloc'd). */
int hq_app_voice_clip_get(struct hq_app *a, const char *id, const char *phrase, unsigned char **wav,
                          size_t *len, struct hq_why *why);
/* DELETE /voice/packs/{id}/clips/{phrase}. */
int hq_app_voice_clip_delete(struct hq_app *a, const struct hq_actor *who, const char *id,
                             const char *phrase, struct hq_why *why);
/* GET /voice/packs/{id}/export: {"format":"hallq-voice-pack-1","name","rate","clips":{phrase:
 * base64 WAV}} (the page imports it clip by clip). */
int hq_app_voice_pack_export(struct hq_app *a, const char *id, json_t **out, struct hq_why *why);
/* GET /voice/preview?number&window: an announcement as the hall would hear it (admin). */
int hq_app_voice_preview(struct hq_app *a, const char *number, int32_t window, unsigned char **wav,
                         size_t *len, struct hq_why *why);

/* Load the hall's voice settings and active pack from the store and give them to the running
 * voice (after hq_app_voice_start and after every change). No-op with voice off. */
void hq__voicepack_apply(struct hq_app *a);
/* uc_media.c: hand pack (owned; NULL = none), repeat and chime to the running voice, and forget
 * the announcements rendered for recent calls so they are said anew. HQ_ENOTFOUND with voice off
 * (pack freed). */
int hq__media_voice_live(struct hq_app *a, struct hq_voice_pack *pack, int repeat, bool chime);
/* uc_media.c: words of announcements taken from the pack and from espeak-ng since start (0, 0
 * with voice off). */
void hq__media_voice_counts(struct hq_app *a, uint64_t *from_pack, uint64_t *from_espeak);

#endif
