/* SPDX-License-Identifier: MIT */
/*
 * voice_clips.c — call announcements assembled from cached phrase clips.
 *
 * An announcement line is cut into tokens: each letter of the ticket number, each digit (or, for
 * natural numbers, each Chinese numeral character), the window number as one word, and the fixed
 * words of the template between the placeholders (split at punctuation, which becomes a short
 * pause). Every token is synthesised once by the caller's synth function (espeak-ng in voice.c),
 * its leading and trailing silence trimmed, and kept in a bounded LRU table; a line is then only a
 * concatenation of cached PCM with short gaps. So after the first few calls of a day an
 * announcement costs a memcpy of ~100 KB instead of two espeak-ng processes, and a short template
 * ("A001号，请到3号窗口") is said in about 3 s instead of 8.
 *
 * Each clip's loudness is evened out when it is made (hq__pcm_normalise, wav.c), so words from a
 * recorded voice pack and from espeak-ng sit at one level. With HQ__TOK_PACK (a voice pack is
 * active) the template's fixed text is cut at punctuation only (a pack records "please go to
 * window" as one phrase) and the window number is said with the pack's words: numeral by numeral
 * in Chinese (十 二), digit by digit in English (one two).
 *
 * Threads: a struct hq__clips is used by one thread at a time (the voice's worker).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media_int.h"

#define CLIP_TEXT_MAX 96
#define TRIM_THRESHOLD 164 /* |sample| below 0.5% of full scale counts as silence */
#define TRIM_KEEP_MS 8     /* kept before the first and after the last loud sample */

struct clip {
    int lang;
    char text[CLIP_TEXT_MAX];
    unsigned char *pcm; /* 16-bit little-endian samples; NULL = free slot */
    size_t bytes;
    uint64_t used;
};

struct hq__clips {
    hq__clip_synth_fn synth;
    hq__clip_lookup_fn lookup; /* a recorded pack's clip, taken as it is; NULL = none */
    void *ctx;
    struct clip *tab;
    size_t n;
    uint64_t tick;
    uint16_t channels; /* 0 until the first clip */
    uint32_t rate;
    uint64_t synthesised; /* clips made (synth calls that succeeded) */
};

static const char *const ZH_DIGIT[10] = {"零", "一", "二", "三", "四",
                                         "五", "六", "七", "八", "九"};
static const char *const EN_DIGIT[10] = {"zero", "one", "two",   "three", "four",
                                         "five", "six", "seven", "eight", "nine"};

struct hq__clips *hq__clips_new(size_t max, hq__clip_synth_fn synth, void *ctx)
{
    if (max < 16 || !synth) return NULL;
    struct hq__clips *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->tab = calloc(max, sizeof *c->tab);
    if (!c->tab) {
        free(c);
        return NULL;
    }
    c->n = max;
    c->synth = synth;
    c->ctx = ctx;
    return c;
}

void hq__clips_free(struct hq__clips *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++)
        free(c->tab[i].pcm);
    free(c->tab);
    free(c);
}

void hq__clips_set_lookup(struct hq__clips *c, hq__clip_lookup_fn lookup)
{
    c->lookup = lookup;
}

uint64_t hq__clips_synthesised(const struct hq__clips *c)
{
    return c ? c->synthesised : 0;
}

void hq__clips_flush(struct hq__clips *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->tab[i].pcm);
        c->tab[i].pcm = NULL;
        c->tab[i].used = 0;
    }
}

void hq__clips_format(const struct hq__clips *c, uint16_t *channels, uint32_t *rate)
{
    *channels = c->channels;
    *rate = c->rate;
}

static bool loud(const unsigned char *p)
{
    int v = (int16_t)(uint16_t)(p[0] | p[1] << 8);
    return v > TRIM_THRESHOLD || v < -TRIM_THRESHOLD;
}

/* The frames [*from, *to) that are not leading or trailing silence (whole frames). */
static void trim(const unsigned char *s, size_t frames, uint16_t ch, uint32_t rate, size_t *from,
                 size_t *to)
{
    size_t first = frames, last = 0;
    for (size_t f = 0; f < frames; f++)
        for (uint16_t k = 0; k < ch; k++)
            if (loud(s + 2 * ((size_t)f * ch + k))) {
                if (first == frames) first = f;
                last = f + 1;
            }
    if (first == frames) { /* all silence: keep nothing */
        *from = *to = 0;
        return;
    }
    size_t keep = (size_t)rate * TRIM_KEEP_MS / 1000;
    *from = first > keep ? first - keep : 0;
    *to = last + keep < frames ? last + keep : frames;
}

/* under no lock (one thread): the clip of text, synthesised on a miss. */
static const struct clip *clip_get(struct hq__clips *c, int lang, const char *text, char *err,
                                   size_t err_size, int *rc)
{
    struct clip *victim = &c->tab[0];
    for (size_t i = 0; i < c->n; i++) {
        struct clip *e = &c->tab[i];
        if (e->pcm && e->lang == lang && strcmp(e->text, text) == 0) {
            e->used = ++c->tick;
            return e;
        }
        if (!victim->pcm) continue;
        if (!e->pcm || e->used < victim->used) victim = e;
    }
    if (strlen(text) >= CLIP_TEXT_MAX) {
        snprintf(err, err_size, "voice: phrase longer than %d bytes", CLIP_TEXT_MAX - 1);
        *rc = HQ_MEDIA_EINVAL;
        return NULL;
    }
    unsigned char *wav = NULL;
    size_t len = 0;
    /* a pack's clip was trimmed and normalised when it was saved: taken whole */
    const unsigned char *rec = c->lookup ? c->lookup(c->ctx, lang, text, &len) : NULL;
    if (rec) {
        wav = malloc(len);
        if (!wav) {
            *rc = HQ_MEDIA_ENOMEM;
            snprintf(err, err_size, "voice: out of memory");
            return NULL;
        }
        memcpy(wav, rec, len);
    } else {
        *rc = c->synth(c->ctx, lang, text, &wav, &len, err, err_size);
        if (*rc) return NULL;
    }
    struct hq__pcm p;
    if (hq__wav_parse(wav, len, &p) != 0) {
        free(wav);
        snprintf(err, err_size, "voice: the synthesiser wrote a WAV that is not 16-bit PCM");
        *rc = HQ_MEDIA_EIO;
        return NULL;
    }
    if (c->channels && (p.channels != c->channels || p.rate != c->rate)) {
        free(wav);
        snprintf(err, err_size, "voice: the voices give different formats (%u Hz x%u, %u Hz x%u)",
                 c->rate, c->channels, p.rate, p.channels);
        *rc = HQ_MEDIA_EIO;
        return NULL;
    }
    size_t frame = 2u * p.channels, frames = p.len / frame, from = 0, to = frames;
    if (!rec) trim(p.data, frames, p.channels, p.rate, &from, &to);
    if (to == from) { /* a phrase said as silence: keep one frame so it counts as present */
        from = 0;
        to = frames ? 1 : 0;
    }
    unsigned char *all = malloc((to - from) * frame + 1);
    if (!all) {
        free(wav);
        *rc = HQ_MEDIA_ENOMEM;
        snprintf(err, err_size, "voice: out of memory");
        return NULL;
    }
    memcpy(all, p.data + from * frame, (to - from) * frame);
    free(wav);
    size_t ns = (to - from) * p.channels;
    int16_t *lin = rec ? NULL : malloc((ns ? ns : 1) * sizeof *lin);
    if (lin) { /* even out the loudness; out of memory: keep the clip as it is */
        for (size_t i = 0; i < ns; i++)
            lin[i] = (int16_t)(uint16_t)(all[2 * i] | all[2 * i + 1] << 8);
        hq__pcm_normalise(lin, ns);
        for (size_t i = 0; i < ns; i++) {
            all[2 * i] = (unsigned char)((uint16_t)lin[i] & 0xff);
            all[2 * i + 1] = (unsigned char)((uint16_t)lin[i] >> 8);
        }
        free(lin);
    }
    c->channels = p.channels;
    c->rate = p.rate;
    free(victim->pcm);
    victim->lang = lang;
    snprintf(victim->text, sizeof victim->text, "%s", text);
    victim->pcm = all;
    victim->bytes = (to - from) * frame;
    victim->used = ++c->tick;
    if (!rec) c->synthesised++;
    return victim;
}

int hq__clips_warm(struct hq__clips *c, int lang, const char *word, char *err, size_t err_size)
{
    int rc = 0;
    return clip_get(c, lang, word, err, err_size, &rc) ? 0 : rc;
}

/* ---- tokens of a line ---- */

enum tok_kind { TOK_WORD, TOK_PAUSE };
struct tok {
    enum tok_kind kind;
    char text[CLIP_TEXT_MAX];
};
#define TOKS_MAX 64

struct toks {
    struct tok t[TOKS_MAX];
    int n;
    bool over;
};

static void tok_word(struct toks *ts, const char *s, size_t n)
{
    if (n == 0) return;
    if (ts->n == TOKS_MAX || n >= CLIP_TEXT_MAX) {
        ts->over = true;
        return;
    }
    ts->t[ts->n].kind = TOK_WORD;
    memcpy(ts->t[ts->n].text, s, n);
    ts->t[ts->n].text[n] = 0;
    ts->n++;
}

static void tok_pause(struct toks *ts)
{
    if (ts->n == 0 || ts->t[ts->n - 1].kind == TOK_PAUSE) return;
    if (ts->n == TOKS_MAX) {
        ts->over = true;
        return;
    }
    ts->t[ts->n++].kind = TOK_PAUSE;
}

/* Length of a separator at p (punctuation that is a pause, or a space), 0 if none. */
static size_t separator(const char *p, bool *pause)
{
    static const char *const SEP[] = {"，", "。", "、", "；", "：", "！", "？",
                                      ",",  ".",  ";",  ":",  "!",  "?",  NULL};
    *pause = true;
    for (int i = 0; SEP[i]; i++)
        if (strncmp(p, SEP[i], strlen(SEP[i])) == 0) return strlen(SEP[i]);
    *pause = false;
    return *p == ' ' ? 1 : 0;
}

/* A word without its leading and trailing spaces. */
static void tok_trimmed(struct toks *ts, const char *s, size_t n)
{
    while (n && *s == ' ') {
        s++;
        n--;
    }
    while (n && s[n - 1] == ' ')
        n--;
    tok_word(ts, s, n);
}

static void tok_literal(struct toks *ts, const char *s, size_t n, bool pack)
{
    size_t start = 0;
    for (size_t i = 0; i < n;) {
        bool pause;
        size_t sl = separator(s + i, &pause);
        if (pack && sl && !pause) sl = 0; /* a pack's phrase keeps its spaces */
        if (sl == 0 || i + sl > n) {
            i++;
            continue;
        }
        tok_trimmed(ts, s + start, i - start);
        if (pause) tok_pause(ts);
        i += sl;
        start = i;
    }
    tok_trimmed(ts, s + start, n - start);
}

static void tok_number(struct toks *ts, int lang, const char *number, enum hq_voice_numbers mode)
{
    size_t nl = 0;
    while (number[nl] >= 'A' && number[nl] <= 'Z')
        tok_word(ts, number + nl++, 1);
    const char *digits = number + nl;
    if (mode == HQ_VOICE_DIGITS) {
        for (const char *d = digits; *d; d++) {
            const char *w = lang == HQ__LANG_ZH ? ZH_DIGIT[*d - '0'] : EN_DIGIT[*d - '0'];
            tok_word(ts, w, strlen(w));
        }
        return;
    }
    uint32_t n = (uint32_t)strtoul(digits, NULL, 10);
    if (lang == HQ__LANG_EN) {
        char tmp[16];
        int k = snprintf(tmp, sizeof tmp, "%u", n);
        tok_word(ts, tmp, (size_t)k);
        return;
    }
    char zh[128];
    if (hq_voice_zh_integer(n, zh, sizeof zh)) {
        ts->over = true;
        return;
    }
    for (const char *p = zh; *p;) { /* one numeral (a 3-byte UTF-8 character) a clip */
        size_t cl = ((unsigned char)*p >= 0xE0) ? 3 : 1;
        tok_word(ts, p, cl);
        p += cl;
    }
}

static void tok_window(struct toks *ts, int lang, int window, bool pack)
{
    char tmp[64];
    if (pack && lang == HQ__LANG_EN) {
        snprintf(tmp, sizeof tmp, "%d", window);
        for (const char *d = tmp; *d; d++)
            tok_word(ts, EN_DIGIT[*d - '0'], strlen(EN_DIGIT[*d - '0']));
        return;
    }
    if (pack) {
        if (hq_voice_zh_integer((uint32_t)window, tmp, sizeof tmp)) {
            ts->over = true;
            return;
        }
        for (const char *p = tmp; *p; p += 3)
            tok_word(ts, p, 3);
        return;
    }
    if (lang == HQ__LANG_ZH) {
        if (hq_voice_zh_integer((uint32_t)window, tmp, sizeof tmp)) {
            ts->over = true;
            return;
        }
    } else {
        snprintf(tmp, sizeof tmp, "%d", window);
    }
    tok_word(ts, tmp, strlen(tmp));
}

int hq__clips_tokens(const char *tpl, int lang, const char *number, int window,
                     enum hq_voice_numbers mode, char words[][96], int max)
{
    struct toks ts = {.n = 0};
    bool pack = (mode & HQ__TOK_PACK) != 0;
    mode = (enum hq_voice_numbers)(mode & ~HQ__TOK_PACK);
    const char *lit = tpl;
    for (const char *p = tpl; *p;) {
        bool is_num = strncmp(p, "{number}", 8) == 0, is_win = strncmp(p, "{window}", 8) == 0;
        if (!is_num && !is_win) {
            p++;
            continue;
        }
        tok_literal(&ts, lit, (size_t)(p - lit), pack);
        if (is_num)
            tok_number(&ts, lang, number, mode);
        else
            tok_window(&ts, lang, window, pack);
        p += 8;
        lit = p;
    }
    tok_literal(&ts, lit, strlen(lit), pack);
    if (ts.over) return -1;
    while (ts.n > 0 && ts.t[ts.n - 1].kind == TOK_PAUSE)
        ts.n--;
    int k = 0;
    for (int i = 0; i < ts.n && k < max; i++)
        snprintf(words[k++], 96, "%s", ts.t[i].kind == TOK_PAUSE ? "|" : ts.t[i].text);
    return ts.n > max ? -1 : k;
}

int hq__clips_line(struct hq__clips *c, int lang, const char *tpl, const char *number, int window,
                   enum hq_voice_numbers mode, int gap_ms, int pause_ms, struct hq__mbuf *out,
                   char *err, size_t err_size)
{
    char words[TOKS_MAX][96];
    int n = hq__clips_tokens(tpl, lang, number, window, mode, words, TOKS_MAX);
    if (n < 0) {
        snprintf(err, err_size, "voice: the announcement has too many or too long words");
        return HQ_MEDIA_EINVAL;
    }
    static const unsigned char zero[4096];
    bool first = true;
    for (int i = 0; i < n; i++) {
        /* the format is known once a clip exists: the first word is never a pause */
        size_t frame = 2u * c->channels;
        size_t gap = (size_t)c->rate * (size_t)gap_ms / 1000 * frame;
        size_t pause = (size_t)c->rate * (size_t)pause_ms / 1000 * frame;
        size_t silence = first ? 0 : strcmp(words[i], "|") == 0 ? pause : gap;
        if (strcmp(words[i], "|") == 0) {
            for (size_t z = 0; z < silence; z += sizeof zero)
                hq__mbuf_add(out, zero, silence - z < sizeof zero ? silence - z : sizeof zero);
            first = true; /* no extra gap right after a pause */
            continue;
        }
        int rc = 0;
        const struct clip *cl = clip_get(c, lang, words[i], err, err_size, &rc);
        if (!cl) return rc;
        for (size_t z = 0; z < silence; z += sizeof zero)
            hq__mbuf_add(out, zero, silence - z < sizeof zero ? silence - z : sizeof zero);
        hq__mbuf_add(out, cl->pcm, cl->bytes);
        first = false;
    }
    if (!out->ok) {
        snprintf(err, err_size, "voice: announcement too long or out of memory");
        return HQ_MEDIA_ENOMEM;
    }
    return 0;
}
