/* SPDX-License-Identifier: MIT */
/*
 * test_media_voicepack.c — voice packs in src/media (wav.c, voice_pack.c, the pack path of
 * voice.c and voice_clips.c): an uploaded WAV is checked (RIFF/WAVE, 16-bit PCM, 8000..48000 Hz,
 * 0.1..8 s; everything else refused with a message saying why), made a pack clip (mono, 22,050
 * Hz, leading/trailing silence trimmed to 30 ms, RMS brought to about -20 dBFS with the peak under
 * -1 dBFS), and an announcement assembled from a pack is exactly the chime, its gap, and the
 * repetitions of the line of clips joined by the planned gaps and pauses, with the words the pack
 * lacks said by the real espeak-ng.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/hq_media.h"
#include "media/media_int.h"

static void le16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* A WAV: silence_s of quiet noise (|x| <= 40), sound_s of a sine of amplitude amp at freq, then
 * silence_s again; every channel the same. format 1 = PCM. */
static unsigned char *make_wav(uint32_t rate, uint16_t ch, uint16_t bits, uint16_t format,
                               double silence_s, double sound_s, double amp, double freq,
                               size_t *len)
{
    size_t s1 = (size_t)(silence_s * rate), s2 = (size_t)(sound_s * rate);
    size_t frames = 2 * s1 + s2, bytes = frames * ch * (bits / 8u);
    unsigned char *b = calloc(1, 44 + bytes + 2);
    memcpy(b, "RIFF", 4);
    le32(b + 4, (uint32_t)(36 + bytes));
    memcpy(b + 8, "WAVEfmt ", 8);
    le32(b + 16, 16);
    le16(b + 20, format);
    le16(b + 22, ch);
    le32(b + 24, rate);
    le32(b + 28, rate * ch * (bits / 8u));
    le16(b + 32, (uint16_t)(ch * (bits / 8u)));
    le16(b + 34, bits);
    memcpy(b + 36, "data", 4);
    le32(b + 40, (uint32_t)bytes);
    if (bits == 16)
        for (size_t f = 0; f < frames; f++) {
            double v = (f * 7919 % 81) - 40.0; /* deterministic quiet noise */
            if (f >= s1 && f < s1 + s2) v = amp * sin(2 * M_PI * freq * (double)(f - s1) / rate);
            for (uint16_t c = 0; c < ch; c++)
                le16(b + 44 + 2 * (f * ch + c), (uint16_t)(int16_t)lround(v));
        }
    *len = 44 + bytes;
    return b;
}

static void expect_refused(const unsigned char *b, size_t n, const char *part)
{
    struct hq_media_why why = {0};
    unsigned char *out = NULL;
    size_t ol = 0;
    if (hq_wav_clip(b, n, HQ_WAV_CLIP_MAX_MS, &out, &ol, NULL, &why) == 0)
        fail_msg("accepted, expected a refusal saying '%s'", part);
    assert_int_equal(hq_wav_clip(b, n, HQ_WAV_CLIP_MAX_MS, &out, &ol, NULL, &why), HQ_MEDIA_EINVAL);
    assert_null(out);
    if (!strstr(why.message, part)) fail_msg("'%s' does not say '%s'", why.message, part);
}

static void test_wav_check_refusals(void **state)
{
    (void)state;
    size_t n;
    unsigned char *ok = make_wav(16000, 1, 16, 1, 0.1, 0.5, 8000, 440, &n);
    struct hq_wav_info info;
    assert_int_equal(hq_wav_check(ok, n, 100, 8000, &info, NULL), 0);
    assert_int_equal(info.rate, 16000);
    assert_int_equal(info.channels, 1);
    assert_int_equal(info.ms, 700);

    expect_refused((const unsigned char *)"hello, not audio", 16, "RIFF/WAVE");
    expect_refused(ok, 30, "RIFF/WAVE"); /* truncated header */
    unsigned char *bad = malloc(n);
    memcpy(bad, ok, n);
    memcpy(bad + 8, "AVI ", 4);
    expect_refused(bad, n, "RIFF/WAVE");
    memcpy(bad, ok, n);
    le16(bad + 20, 3); /* IEEE float */
    expect_refused(bad, n, "16-bit PCM");
    memcpy(bad, ok, n);
    le16(bad + 34, 24);
    expect_refused(bad, n, "16-bit PCM");
    memcpy(bad, ok, n);
    le16(bad + 22, 6); /* 5.1 */
    expect_refused(bad, n, "16-bit PCM");
    memcpy(bad, ok, n);
    memcpy(bad + 36, "junk", 4); /* no data chunk */
    expect_refused(bad, n, "data chunk");
    free(bad);
    free(ok);

    unsigned char *b = make_wav(96000, 1, 16, 1, 0, 0.5, 8000, 440, &n);
    expect_refused(b, n, "8000..48000");
    free(b);
    b = make_wav(6000, 1, 16, 1, 0, 0.5, 8000, 440, &n);
    expect_refused(b, n, "16-bit PCM"); /* under 8000 Hz: not even parsed */
    free(b);
    b = make_wav(16000, 1, 16, 1, 0, 0.05, 8000, 440, &n);
    expect_refused(b, n, "ms long");
    free(b);
    b = make_wav(16000, 1, 16, 1, 0, 8.5, 8000, 440, &n);
    expect_refused(b, n, "ms long");
    free(b);
    b = make_wav(16000, 1, 16, 1, 0.5, 0.5, 30, 440, &n); /* only noise */
    expect_refused(b, n, "no speech");
    free(b);
    b = make_wav(16000, 1, 16, 1, 0.5, 0.02, 8000, 440, &n); /* a click: 20 ms (+ 2 x 30) */
    expect_refused(b, n, "no speech");
    free(b);
}

/* 48 kHz stereo, 0.6 s of noise, 0.4 s of a quiet tone, 0.6 s of noise: a mono 22,050 Hz clip of
 * the tone and 30 ms each side, its RMS at the target. */
static void test_clip_trim_and_normalise(void **state)
{
    (void)state;
    size_t n, ol;
    unsigned char *in = make_wav(48000, 2, 16, 1, 0.6, 0.4, 1500, 300, &n);
    unsigned char *out = NULL;
    struct hq_wav_info info;
    struct hq_media_why why = {0};
    assert_int_equal(hq_wav_clip(in, n, HQ_WAV_CLIP_MAX_MS, &out, &ol, &info, &why), 0);
    assert_int_equal(info.rate, HQ_WAV_RATE);
    assert_int_equal(info.channels, 1);
    /* 400 ms + 2 x 30 ms kept, to the 10 ms window */
    if (info.ms < 450 || info.ms > 475) fail_msg("trimmed to %d ms", info.ms);
    if (info.rms < 3000 || info.rms > 3500) fail_msg("RMS %d, target 3300", info.rms);
    assert_true(info.peak <= 29200);
    struct hq_wav_info again;
    assert_int_equal(hq_wav_info(out, ol, &again), 0);
    assert_int_equal(again.frames, info.frames);
    assert_int_equal(again.rms, info.rms);
    assert_int_equal(ol, 44 + 2u * info.frames);
    free(out);
    free(in);

    /* a loud tone is brought down to the same loudness */
    in = make_wav(22050, 1, 16, 1, 0.2, 0.5, 32000, 200, &n);
    assert_int_equal(hq_wav_clip(in, n, HQ_WAV_CLIP_MAX_MS, &out, &ol, &info, NULL), 0);
    if (info.rms < 3000 || info.rms > 3500) fail_msg("RMS %d, target 3300", info.rms);
    assert_true(info.peak <= 29200);
    free(out);
    free(in);

    /* a whisper is raised at most 16 times (noise is not blown up) */
    in = make_wav(22050, 1, 16, 1, 0.2, 0.5, 250, 200, &n); /* RMS 177: 18.6x would be needed */
    assert_int_equal(hq_wav_clip(in, n, HQ_WAV_CLIP_MAX_MS, &out, &ol, &info, NULL), 0);
    if (info.rms < 2600 || info.rms > 2900) fail_msg("RMS %d, 16 x 177 expected", info.rms);
    free(out);
    free(in);
}

static void test_pack_tokens(void **state)
{
    (void)state;
    char w[64][96];
    int n = hq__clips_tokens(HQ__PACK_TEMPLATE_ZH, HQ__LANG_ZH, "A012", 12,
                             (enum hq_voice_numbers)(HQ_VOICE_DIGITS | HQ__TOK_PACK), w, 64);
    const char *zh[] = {"请", "A", "零", "一", "二", "号", "|", "到", "十", "二", "号窗口办理"};
    assert_int_equal(n, 11);
    for (int i = 0; i < n; i++)
        assert_string_equal(w[i], zh[i]);
    n = hq__clips_tokens(HQ__PACK_TEMPLATE_EN, HQ__LANG_EN, "B105", 12,
                         (enum hq_voice_numbers)(HQ_VOICE_DIGITS | HQ__TOK_PACK), w, 64);
    const char *en[] = {"Number", "B",  "one", "zero", "five", "|", "please go to window",
                        "one",    "two"};
    assert_int_equal(n, 9);
    for (int i = 0; i < n; i++)
        assert_string_equal(w[i], en[i]);
    /* every word of a pack template is a phrase of the list */
    size_t np;
    const struct hq_voice_phrase *ph = hq_voice_phrases(&np);
    assert_int_equal(np, 56);
    assert_string_equal(ph[0].lang, "zh");
    int found = 0;
    for (size_t i = 0; i < np; i++)
        found += !strcmp(ph[i].text, "号窗口办理") || !strcmp(ph[i].text, "please go to window") ||
                 !strcmp(ph[i].text, "Number") || !strcmp(ph[i].text, "请");
    assert_int_equal(found, 4);
    assert_non_null(hq_voice_phrase_find("letter-Q"));
    assert_null(hq_voice_phrase_find("zh-../x"));
}

/* A tone clip of ms at HQ_WAV_RATE made a pack clip (the trim keeps it whole: loud throughout). */
static unsigned char *tone_clip(int ms, double freq, size_t *len)
{
    size_t n;
    unsigned char *raw = make_wav(HQ_WAV_RATE, 1, 16, 1, 0, ms / 1000.0, 9000, freq, &n);
    unsigned char *out = NULL;
    assert_int_equal(hq_wav_clip(raw, n, HQ_WAV_CLIP_MAX_MS, &out, len, NULL, NULL), 0);
    free(raw);
    return out;
}

static void test_pack_add_refusals(void **state)
{
    (void)state;
    struct hq_voice_pack *p = hq_voice_pack_new();
    size_t n;
    unsigned char *c = tone_clip(200, 400, &n);
    assert_int_equal(hq_voice_pack_add(p, "zh-qing", c, n), 0);
    assert_int_equal(hq_voice_pack_add(p, "zh-qing", c, n), 0); /* replaced, still one */
    assert_int_equal(hq_voice_pack_count(p), 1);
    assert_int_equal(hq_voice_pack_add(p, "nope", c, n), HQ_MEDIA_EINVAL);
    size_t rn;
    unsigned char *raw = make_wav(16000, 1, 16, 1, 0, 0.2, 9000, 400, &rn); /* not 22,050 Hz */
    assert_int_equal(hq_voice_pack_add(p, "zh-hao", raw, rn), HQ_MEDIA_EINVAL);
    assert_int_equal(hq_voice_pack_count(p), 1);
    free(raw);
    free(c);
    hq_voice_pack_free(p);
}

/* 请 A012 号，到 3 号窗口办理 from a pack of 0.2-0.34 s tones without the letter A, twice, after
 * the chime: exactly chime + 250 ms + line + 300 ms + line, both lines the same bytes, the line
 * the tones joined by 20 ms gaps with 150 ms at the comma, plus espeak-ng's "A". */
static void test_pack_announcement_exact(void **state)
{
    (void)state;
    if (system("command -v espeak-ng >/dev/null 2>&1") != 0)
        fail_msg("espeak-ng not installed (scripts/setup.sh installs it)");
    struct hq_voice_options o = {.pause_ms = 300, .gap_ms = 20, .phrase_pause_ms = 150};
    struct hq_media_why why = {0};
    struct hq_voice *v = hq_voice_new(&o, &why);
    assert_non_null(v);
    const char *ids[] = {"zh-qing", "zh-0",   "zh-1", "zh-2",
                         "zh-hao",  "zh-dao", "zh-3", "zh-window"};
    const int ms[] = {200, 220, 240, 260, 280, 300, 320, 340};
    struct hq_voice_pack *p = hq_voice_pack_new();
    size_t tone_frames = 0;
    for (int i = 0; i < 8; i++) {
        size_t n;
        unsigned char *c = tone_clip(ms[i], 300 + 40 * i, &n);
        assert_int_equal(hq_voice_pack_add(p, ids[i], c, n), 0);
        tone_frames += (n - 44) / 2;
        free(c);
    }
    assert_int_equal(hq_voice_set_live(v, p, 2, true), 0);
    uint64_t job;
    assert_int_equal(hq_voice_request_ex(v, "A012", 3, HQ_VOICE_NO_ENGLISH, &job, &why), 0);
    unsigned char *wav = NULL;
    size_t len = 0;
    assert_int_equal(hq_voice_get(v, job, 60000, &wav, &len, &why), 0);
    uint64_t fp, fe;
    hq_voice_pack_stats(v, &fp, &fe);
    assert_int_equal(fp, 8); /* every word but the letter */
    assert_int_equal(fe, 1); /* "A" from espeak-ng */
    struct hq__pcm pcm;
    assert_int_equal(hq__wav_parse(wav, len, &pcm), 0);
    assert_int_equal(pcm.rate, HQ_WAV_RATE);
    size_t frames = pcm.len / 2, chime = hq__chime_frames(HQ_WAV_RATE);
    size_t gap = HQ_WAV_RATE * 250 / 1000, pause = HQ_WAV_RATE * 300 / 1000;
    assert_true(frames > chime + gap + pause);
    size_t rest = frames - chime - gap - pause;
    assert_int_equal(rest % 2, 0);
    size_t line = rest / 2;
    /* 9 clips: 7 gaps of 20 ms, one 150 ms pause (no gap right after it) */
    size_t planned = tone_frames + 7 * (HQ_WAV_RATE * 20 / 1000) + HQ_WAV_RATE * 150 / 1000;
    assert_true(line > planned); /* plus the letter */
    size_t letter = line - planned;
    if (letter < HQ_WAV_RATE / 20 || letter > HQ_WAV_RATE) fail_msg("letter %zu frames", letter);
    const unsigned char *l1 = pcm.data + 2 * (chime + gap), *l2 = l1 + 2 * (line + pause);
    assert_memory_equal(l1, l2, 2 * line);
    /* the chime is the generated tone, then silence */
    int16_t *ref = malloc(chime * sizeof *ref);
    assert_int_equal(hq__chime(HQ_WAV_RATE, ref, chime), chime);
    for (size_t i = 0; i < chime; i++)
        assert_int_equal((int16_t)(uint16_t)(pcm.data[2 * i] | pcm.data[2 * i + 1] << 8), ref[i]);
    for (size_t i = chime; i < chime + gap; i++)
        assert_int_equal(pcm.data[2 * i] | pcm.data[2 * i + 1], 0);
    free(ref);
    free(wav);

    /* no pack again: the voice's own templates, no chime, words from espeak-ng */
    assert_int_equal(hq_voice_set_live(v, NULL, 1, false), 0);
    assert_int_equal(hq_voice_request_ex(v, "A012", 3, HQ_VOICE_NO_ENGLISH, &job, &why), 0);
    assert_int_equal(hq_voice_get(v, job, 60000, &wav, &len, &why), 0);
    hq_voice_pack_stats(v, &fp, &fe);
    assert_int_equal(fp, 8);
    assert_true(fe > 1);
    free(wav);
    assert_int_equal(hq_voice_set_live(v, NULL, 4, false), HQ_MEDIA_EINVAL);
    hq_voice_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wav_check_refusals),
        cmocka_unit_test(test_clip_trim_and_normalise),
        cmocka_unit_test(test_pack_tokens),
        cmocka_unit_test(test_pack_add_refusals),
        cmocka_unit_test(test_pack_announcement_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
