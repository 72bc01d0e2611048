/* SPDX-License-Identifier: MIT */
/*
 * wav.c — the WAV handling of voice packs: checking an uploaded clip (RIFF/WAVE, 16-bit PCM, a
 * sane rate and length), turning it into the pack's one format (mono, HQ_WAV_RATE Hz, 16-bit:
 * channels mixed, rate changed by linear interpolation), trimming its leading and trailing silence
 * (10 ms windows quieter than a threshold relative to the loudest window), evening out its
 * loudness (RMS brought to a target, the peak kept under -1 dBFS, the gain bounded so that a
 * near-silent clip is not blown up into noise), and the chime said before an announcement (two
 * decaying sine tones, made here: no audio file ships with hallq). The same normalising is applied
 * to espeak-ng's clips (voice_clips.c) so a pack's words and the fallback's sit at one loudness.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media_int.h"

#define TARGET_RMS 3300.0 /* about -20 dBFS */
#define PEAK_MAX 29200.0  /* about -1 dBFS */
#define GAIN_MAX 16.0
#define WIN_MS 10
#define KEEP_MS 30 /* kept around the first and last loud window */

static void put_le16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static int16_t sample_at(const unsigned char *p)
{
    return (int16_t)(uint16_t)(p[0] | p[1] << 8);
}

int hq__wav_write(const int16_t *s, size_t frames, uint32_t rate, unsigned char **out, size_t *len)
{
    size_t data = frames * 2;
    if (data > 0x7fffffffu) return HQ_MEDIA_EINVAL;
    unsigned char *b = malloc(44 + data + 1);
    if (!b) return HQ_MEDIA_ENOMEM;
    memcpy(b, "RIFF", 4);
    put_le32(b + 4, (uint32_t)(36 + data));
    memcpy(b + 8, "WAVEfmt ", 8);
    put_le32(b + 16, 16);
    put_le16(b + 20, 1);
    put_le16(b + 22, 1);
    put_le32(b + 24, rate);
    put_le32(b + 28, rate * 2);
    put_le16(b + 32, 2);
    put_le16(b + 34, 16);
    memcpy(b + 36, "data", 4);
    put_le32(b + 40, (uint32_t)data);
    for (size_t i = 0; i < frames; i++)
        put_le16(b + 44 + 2 * i, (uint16_t)s[i]);
    *out = b;
    *len = 44 + data;
    return 0;
}

static void stats(const int16_t *s, size_t n, struct hq_wav_info *info)
{
    double sum = 0;
    int peak = 0;
    for (size_t i = 0; i < n; i++) {
        int v = s[i] < 0 ? -s[i] : s[i];
        if (v > peak) peak = v;
        sum += (double)s[i] * s[i];
    }
    info->peak = peak;
    info->rms = n ? (int)lround(sqrt(sum / (double)n)) : 0;
}

int hq_wav_check(const unsigned char *b, size_t n, int min_ms, int max_ms, struct hq_wav_info *info,
                 struct hq_media_why *why)
{
    struct hq__pcm p;
    if (!b || n < 44 || memcmp(b, "RIFF", 4) || memcmp(b + 8, "WAVE", 4))
        return hq__media_fail(why, HQ_MEDIA_EINVAL, "wav: not a RIFF/WAVE file");
    if (hq__wav_parse(b, n, &p) != 0)
        return hq__media_fail(why, HQ_MEDIA_EINVAL,
                              "wav: not 16-bit PCM, mono or stereo, 8000..96000 Hz, with a data "
                              "chunk");
    if (p.rate < 8000 || p.rate > 48000)
        return hq__media_fail(why, HQ_MEDIA_EINVAL, "wav: sample rate %u Hz, must be 8000..48000",
                              p.rate);
    size_t frames = p.len / (2u * p.channels);
    long ms = (long)(frames * 1000 / p.rate);
    if (ms < min_ms || ms > max_ms)
        return hq__media_fail(why, HQ_MEDIA_EINVAL, "wav: %ld ms long, must be %d..%d ms", ms,
                              min_ms, max_ms);
    if (info) {
        info->channels = p.channels;
        info->rate = p.rate;
        info->frames = (uint32_t)frames;
        info->ms = (int)ms;
        info->peak = info->rms = 0;
    }
    return 0;
}

/* Mono samples at HQ_WAV_RATE from p (malloc'd, *frames set). */
static int16_t *to_mono_rate(const struct hq__pcm *p, size_t *frames)
{
    size_t in = p->len / (2u * p->channels);
    int16_t *mono = malloc((in ? in : 1) * sizeof *mono);
    if (!mono) return NULL;
    for (size_t i = 0; i < in; i++) {
        int sum = 0;
        for (uint16_t c = 0; c < p->channels; c++)
            sum += sample_at(p->data + 2 * (i * p->channels + c));
        mono[i] = (int16_t)(sum / p->channels);
    }
    if (p->rate == HQ_WAV_RATE) {
        *frames = in;
        return mono;
    }
    size_t out = (size_t)((uint64_t)in * HQ_WAV_RATE / p->rate);
    int16_t *r = malloc((out ? out : 1) * sizeof *r);
    if (!r) {
        free(mono);
        return NULL;
    }
    for (size_t i = 0; i < out; i++) {
        double pos = (double)i * p->rate / HQ_WAV_RATE;
        size_t k = (size_t)pos;
        double f = pos - (double)k;
        int a = mono[k < in ? k : in - 1], c = mono[k + 1 < in ? k + 1 : in - 1];
        r[i] = (int16_t)lround(a + (c - a) * f);
    }
    free(mono);
    *frames = out;
    return r;
}

void hq__pcm_trim(const int16_t *s, size_t n, uint32_t rate, size_t *from, size_t *to)
{
    size_t win = rate * WIN_MS / 1000, nw = win ? (n + win - 1) / win : 0;
    double loudest = 0;
    for (size_t w = 0; w < nw; w++) {
        double sum = 0;
        size_t a = w * win, e = a + win < n ? a + win : n;
        for (size_t i = a; i < e; i++)
            sum += (double)s[i] * s[i];
        double rms = sqrt(sum / (double)(e - a));
        if (rms > loudest) loudest = rms;
    }
    double threshold = loudest * 0.08; /* -22 dB under the loudest window */
    if (threshold < 164) threshold = 164;
    size_t first = nw, last = 0;
    for (size_t w = 0; w < nw; w++) {
        double sum = 0;
        size_t a = w * win, e = a + win < n ? a + win : n;
        for (size_t i = a; i < e; i++)
            sum += (double)s[i] * s[i];
        if (sqrt(sum / (double)(e - a)) >= threshold) {
            if (first == nw) first = w;
            last = w + 1;
        }
    }
    if (first == nw) {
        *from = *to = 0;
        return;
    }
    size_t keep = rate * KEEP_MS / 1000;
    size_t f = first * win, t = last * win < n ? last * win : n;
    *from = f > keep ? f - keep : 0;
    *to = t + keep < n ? t + keep : n;
}

void hq__pcm_normalise(int16_t *s, size_t n)
{
    struct hq_wav_info st;
    stats(s, n, &st);
    if (st.rms == 0 || st.peak == 0) return;
    double g = TARGET_RMS / st.rms;
    if (g * st.peak > PEAK_MAX) g = PEAK_MAX / st.peak;
    if (g > GAIN_MAX) g = GAIN_MAX;
    for (size_t i = 0; i < n; i++) {
        long v = lround(s[i] * g);
        s[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
    }
}

int hq_wav_clip(const unsigned char *b, size_t n, int max_ms, unsigned char **out, size_t *out_len,
                struct hq_wav_info *info, struct hq_media_why *why)
{
    struct hq_wav_info in;
    int rc = hq_wav_check(b, n, 100, max_ms, &in, why);
    if (rc) return rc;
    struct hq__pcm p;
    hq__wav_parse(b, n, &p);
    size_t frames = 0;
    int16_t *s = to_mono_rate(&p, &frames);
    if (!s) return hq__media_fail(why, HQ_MEDIA_ENOMEM, "wav: out of memory");
    size_t from, to;
    hq__pcm_trim(s, frames, HQ_WAV_RATE, &from, &to);
    if (to - from < HQ_WAV_RATE / 10) { /* under 100 ms of sound */
        free(s);
        return hq__media_fail(why, HQ_MEDIA_EINVAL,
                              "wav: no speech found (silence, or under 100 ms of sound)");
    }
    hq__pcm_normalise(s + from, to - from);
    struct hq_wav_info o = {.channels = 1, .rate = HQ_WAV_RATE, .frames = (uint32_t)(to - from)};
    o.ms = (int)((to - from) * 1000 / HQ_WAV_RATE);
    stats(s + from, to - from, &o);
    rc = hq__wav_write(s + from, to - from, HQ_WAV_RATE, out, out_len);
    free(s);
    if (rc) return hq__media_fail(why, rc, "wav: out of memory");
    if (info) *info = o;
    return 0;
}

int hq_wav_info(const unsigned char *b, size_t n, struct hq_wav_info *info)
{
    struct hq__pcm p;
    if (!b || !info || hq__wav_parse(b, n, &p) != 0) return HQ_MEDIA_EINVAL;
    size_t frames = p.len / (2u * p.channels);
    info->channels = p.channels;
    info->rate = p.rate;
    info->frames = (uint32_t)frames;
    info->ms = (int)(frames * 1000 / p.rate);
    int16_t *s = malloc((p.len / 2 + 1) * sizeof *s);
    if (!s) return HQ_MEDIA_ENOMEM;
    for (size_t i = 0; i < p.len / 2; i++)
        s[i] = sample_at(p.data + 2 * i);
    stats(s, p.len / 2, info);
    free(s);
    return 0;
}

size_t hq__chime(uint32_t rate, int16_t *out, size_t max)
{
    /* "ding-dong": E5 then C5, 350 ms each, exponential decay, a soft 5 ms attack */
    static const double freq[2] = {659.25, 523.25};
    size_t tone = (size_t)rate * 350 / 1000, n = 0;
    for (int t = 0; t < 2; t++)
        for (size_t i = 0; i < tone && n < max; i++, n++) {
            double x = (double)i / rate;
            double env = exp(-x * 6.0) * (x < 0.005 ? x / 0.005 : 1.0);
            double v = sin(2 * M_PI * freq[t] * x) + 0.3 * sin(4 * M_PI * freq[t] * x);
            out[n] = (int16_t)lround(v / 1.3 * env * 12000.0);
        }
    return n;
}

size_t hq__chime_frames(uint32_t rate)
{
    return 2 * ((size_t)rate * 350 / 1000);
}
