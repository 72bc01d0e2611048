/* SPDX-License-Identifier: MIT */
/*
 * voice_pack.c — the phrases of a recorded voice pack and the pack itself: a table of at most one
 * clip (a WAV made by hq_wav_clip: mono, HQ_WAV_RATE Hz, 16-bit) per phrase. The phrase list is
 * what the pack's templates (HQ__PACK_TEMPLATE_ZH/EN in media_int.h) are cut into by
 * voice_clips.c: the fixed words, the digits and numerals used by ticket and window numbers in
 * Mandarin, the digits in English, and the letters (said once, by their names, used in both
 * languages). A pack given to a voice is shared by the jobs that use it (reference counted under
 * the voice's lock) and never changes after that: a changed pack is a new pack.
 */
#include <stdlib.h>
#include <string.h>

#include "media_int.h"

static const struct hq_voice_phrase PHRASES[] = {
    {"zh-qing", "zh", "请"},       {"zh-hao", "zh", "号"},
    {"zh-dao", "zh", "到"},        {"zh-window", "zh", "号窗口办理"},
    {"zh-0", "zh", "零"},          {"zh-1", "zh", "一"},
    {"zh-2", "zh", "二"},          {"zh-3", "zh", "三"},
    {"zh-4", "zh", "四"},          {"zh-5", "zh", "五"},
    {"zh-6", "zh", "六"},          {"zh-7", "zh", "七"},
    {"zh-8", "zh", "八"},          {"zh-9", "zh", "九"},
    {"zh-10", "zh", "十"},         {"zh-100", "zh", "百"},
    {"zh-1000", "zh", "千"},       {"zh-liang", "zh", "两"},
    {"letter-A", "letter", "A"},   {"letter-B", "letter", "B"},
    {"letter-C", "letter", "C"},   {"letter-D", "letter", "D"},
    {"letter-E", "letter", "E"},   {"letter-F", "letter", "F"},
    {"letter-G", "letter", "G"},   {"letter-H", "letter", "H"},
    {"letter-I", "letter", "I"},   {"letter-J", "letter", "J"},
    {"letter-K", "letter", "K"},   {"letter-L", "letter", "L"},
    {"letter-M", "letter", "M"},   {"letter-N", "letter", "N"},
    {"letter-O", "letter", "O"},   {"letter-P", "letter", "P"},
    {"letter-Q", "letter", "Q"},   {"letter-R", "letter", "R"},
    {"letter-S", "letter", "S"},   {"letter-T", "letter", "T"},
    {"letter-U", "letter", "U"},   {"letter-V", "letter", "V"},
    {"letter-W", "letter", "W"},   {"letter-X", "letter", "X"},
    {"letter-Y", "letter", "Y"},   {"letter-Z", "letter", "Z"},
    {"en-number", "en", "Number"}, {"en-window", "en", "please go to window"},
    {"en-0", "en", "zero"},        {"en-1", "en", "one"},
    {"en-2", "en", "two"},         {"en-3", "en", "three"},
    {"en-4", "en", "four"},        {"en-5", "en", "five"},
    {"en-6", "en", "six"},         {"en-7", "en", "seven"},
    {"en-8", "en", "eight"},       {"en-9", "en", "nine"},
};
#define N_PHRASES (sizeof PHRASES / sizeof PHRASES[0])

struct hq_voice_pack {
    int refs;
    uint64_t gen;
    size_t count;
    struct {
        unsigned char *wav;
        size_t len;
    } clip[N_PHRASES];
};

static uint64_t next_gen = 1; /* atomically incremented: packs of all voices get distinct gens */

const struct hq_voice_phrase *hq_voice_phrases(size_t *n)
{
    *n = N_PHRASES;
    return PHRASES;
}

static int phrase_index(const char *id)
{
    for (size_t i = 0; id && i < N_PHRASES; i++)
        if (strcmp(PHRASES[i].id, id) == 0) return (int)i;
    return -1;
}

const struct hq_voice_phrase *hq_voice_phrase_find(const char *id)
{
    int i = phrase_index(id);
    return i < 0 ? NULL : &PHRASES[i];
}

struct hq_voice_pack *hq_voice_pack_new(void)
{
    struct hq_voice_pack *p = calloc(1, sizeof *p);
    if (p) p->refs = 1;
    return p;
}

int hq_voice_pack_add(struct hq_voice_pack *p, const char *id, const unsigned char *wav, size_t len)
{
    int i = phrase_index(id);
    struct hq_wav_info info;
    if (!p || i < 0 || hq_wav_info(wav, len, &info) != 0 || info.channels != 1 ||
        info.rate != HQ_WAV_RATE)
        return HQ_MEDIA_EINVAL;
    unsigned char *copy = malloc(len);
    if (!copy) return HQ_MEDIA_ENOMEM;
    memcpy(copy, wav, len);
    if (!p->clip[i].wav) p->count++;
    free(p->clip[i].wav);
    p->clip[i].wav = copy;
    p->clip[i].len = len;
    return 0;
}

size_t hq_voice_pack_count(const struct hq_voice_pack *p)
{
    return p ? p->count : 0;
}

void hq_voice_pack_free(struct hq_voice_pack *p)
{
    if (!p) return;
    for (size_t i = 0; i < N_PHRASES; i++)
        free(p->clip[i].wav);
    free(p);
}

const unsigned char *hq__pack_find(const struct hq_voice_pack *p, int lang, const char *text,
                                   size_t *len)
{
    if (!p) return NULL;
    bool letter = text[0] >= 'A' && text[0] <= 'Z' && text[1] == 0;
    const char *want = letter ? "letter" : lang == HQ__LANG_ZH ? "zh" : "en";
    for (size_t i = 0; i < N_PHRASES; i++)
        if (p->clip[i].wav && strcmp(PHRASES[i].lang, want) == 0 &&
            strcmp(PHRASES[i].text, text) == 0) {
            *len = p->clip[i].len;
            return p->clip[i].wav;
        }
    return NULL;
}

struct hq_voice_pack *hq__pack_ref(struct hq_voice_pack *p)
{
    if (p) {
        if (!p->gen) p->gen = __atomic_fetch_add(&next_gen, 1, __ATOMIC_RELAXED);
        p->refs++;
    }
    return p;
}

void hq__pack_unref(struct hq_voice_pack *p)
{
    if (p && --p->refs == 0) hq_voice_pack_free(p);
}

uint64_t hq__pack_gen(const struct hq_voice_pack *p)
{
    return p ? p->gen : 0;
}
