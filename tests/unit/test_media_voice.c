/* SPDX-License-Identifier: MIT */
/*
 * test_media_voice.c — voice announcements (src/media/voice.c) with the real espeak-ng program:
 * numbers read as people say them (tables), the WAV is non-silent speech of plausible length
 * (parsed here and cross-checked with sox), repetitions join exactly, a cache hit returns the same
 * bytes without starting espeak-ng (counted by a wrapper script), concurrent requests complete in
 * FIFO order, and a missing, failing or hanging program gives an error, never a crash or a hang.
 * espeak-ng and sox are installed by scripts/setup.sh: the tests fail without them.
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "media/hq_media.h"
#include "media/media_int.h"
#include "test_media_fixture.h"

static int setup(void **state)
{
    (void)state;
    return mfx_tmpdir("voice");
}

static int teardown(void **state)
{
    (void)state;
    return mfx_rmdir();
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A shell script in tmpdir, made executable; returns its path (static buffer per name). */
static const char *script(const char *name, const char *body)
{
    static char paths[8][128];
    static int n;
    char *path = paths[n++ % 8];
    snprintf(path, 128, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n%s\n", body);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, 0755), 0);
    return path;
}

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    int n = 0, c;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

/* ---- number reading ---- */

static void test_zh_integer(void **state)
{
    (void)state;
    static const struct {
        uint32_t n;
        const char *s;
    } cases[] = {
        {0, "零"},
        {1, "一"},
        {2, "二"},
        {10, "十"},
        {11, "十一"},
        {15, "十五"},
        {20, "二十"},
        {99, "九十九"},
        {100, "一百"},
        {101, "一百零一"},
        {110, "一百一十"},
        {111, "一百一十一"},
        {200, "二百"},
        {999, "九百九十九"},
        {1000, "一千"},
        {1001, "一千零一"},
        {1010, "一千零一十"},
        {1100, "一千一百"},
        {2000, "两千"},
        {2019, "两千零一十九"},
        {9999, "九千九百九十九"},
        {10000, "一万"},
        {10001, "一万零一"},
        {12000, "一万两千"},
        {20000, "两万"},
        {100000, "十万"},
        {150000, "十五万"},
        {1000100, "一百万零一百"},
        {99999999, "九千九百九十九万九千九百九十九"},
    };
    char out[128];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(hq_voice_zh_integer(cases[i].n, out, sizeof out), 0);
        if (strcmp(out, cases[i].s) != 0)
            fail_msg("%u: got %s, want %s", cases[i].n, out, cases[i].s);
    }
    assert_int_equal(hq_voice_zh_integer(100000000u, out, sizeof out), HQ_MEDIA_EINVAL);
    assert_int_equal(hq_voice_zh_integer(1001, out, 7), HQ_MEDIA_EINVAL); /* too small */
}

static void test_number_reading(void **state)
{
    (void)state;
    static const struct {
        const char *number;
        const char *zh_digits, *zh_natural, *en_digits, *en_natural;
    } cases[] = {
        {"A001", "A 零零一", "A 一", "A0 0 1", "A1"},
        {"A010", "A 零一零", "A 十", "A0 1 0", "A10"},
        {"B120", "B 一二零", "B 一百二十", "B1 2 0", "B120"},
        {"C1005", "C 一零零五", "C 一千零五", "C1 0 0 5", "C1005"},
        {"AB20", "A B 二零", "A B 二十", "AB2 0", "AB20"},
        {"Z0", "Z 零", "Z 零", "Z0", "Z0"},
    };
    char out[128];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(hq_voice_number_zh(cases[i].number, HQ_VOICE_DIGITS, out, sizeof out), 0);
        assert_string_equal(out, cases[i].zh_digits);
        assert_int_equal(hq_voice_number_zh(cases[i].number, HQ_VOICE_NATURAL, out, sizeof out), 0);
        assert_string_equal(out, cases[i].zh_natural);
        assert_int_equal(hq_voice_number_en(cases[i].number, HQ_VOICE_DIGITS, out, sizeof out), 0);
        assert_string_equal(out, cases[i].en_digits);
        assert_int_equal(hq_voice_number_en(cases[i].number, HQ_VOICE_NATURAL, out, sizeof out), 0);
        assert_string_equal(out, cases[i].en_natural);
    }
    static const char *const bad[] = {"",          "001", "a001", "ABC1", "A",
                                      "A12345678", "A-1", "A1 ",  "A1B",  "Ａ1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(hq_voice_number_zh(bad[i], HQ_VOICE_DIGITS, out, sizeof out),
                         HQ_MEDIA_EINVAL);
        assert_int_equal(hq_voice_number_en(bad[i], HQ_VOICE_NATURAL, out, sizeof out),
                         HQ_MEDIA_EINVAL);
    }
    assert_int_equal(hq_voice_number_zh(NULL, HQ_VOICE_DIGITS, out, sizeof out), HQ_MEDIA_EINVAL);
    assert_int_equal(hq_voice_number_zh("A001", HQ_VOICE_DIGITS, out, 8), HQ_MEDIA_EINVAL);
}

static void test_text_templates(void **state)
{
    (void)state;
    char zh[256], en[256];
    assert_int_equal(hq_voice_text(NULL, "A001", 3, zh, sizeof zh, en, sizeof en), 0);
    assert_string_equal(zh, "A 零零一号，请到三号窗口");
    assert_string_equal(en, "A0 0 1, window 3");

    struct hq_voice_options o = {.numbers = HQ_VOICE_NATURAL};
    assert_int_equal(hq_voice_text(&o, "B012", 12, zh, sizeof zh, en, sizeof en), 0);
    assert_string_equal(zh, "B 十二号，请到十二号窗口");
    assert_string_equal(en, "B12, window 12");

    o.template_zh = "{number}号，{window}号窗口，{unknown}";
    o.template_en = "";
    assert_int_equal(hq_voice_text(&o, "A7", 2, zh, sizeof zh, en, sizeof en), 0);
    assert_string_equal(zh, "A 七号，二号窗口，{unknown}");
    assert_string_equal(en, "");

    assert_int_equal(hq_voice_text(NULL, "A001", 0, zh, sizeof zh, en, sizeof en), HQ_MEDIA_EINVAL);
    assert_int_equal(hq_voice_text(NULL, "A001", 10000, zh, sizeof zh, NULL, 0), HQ_MEDIA_EINVAL);
    assert_int_equal(hq_voice_text(NULL, "A001", 3, zh, 10, NULL, 0), HQ_MEDIA_EINVAL);
}

/* ---- WAV checks, independent of the library's own parser ---- */

struct wav_info {
    unsigned rate, channels, bits;
    size_t samples; /* per channel */
    double seconds, rms;
    const unsigned char *data;
    size_t data_len;
};

static uint32_t le32(const unsigned char *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wav_check(const unsigned char *w, size_t len, struct wav_info *out)
{
    assert_true(len > 44);
    assert_memory_equal(w, "RIFF", 4);
    assert_int_equal(le32(w + 4), len - 8);
    assert_memory_equal(w + 8, "WAVEfmt ", 8);
    assert_int_equal(w[20] | w[21] << 8, 1); /* PCM */
    out->channels = w[22] | w[23] << 8;
    out->rate = le32(w + 24);
    out->bits = w[34] | w[35] << 8;
    assert_memory_equal(w + 36, "data", 4);
    out->data_len = le32(w + 40);
    assert_int_equal(out->data_len, len - 44);
    assert_int_equal(out->bits, 16);
    assert_true(out->channels == 1 || out->channels == 2);
    assert_true(out->rate >= 8000 && out->rate <= 48000);
    out->data = w + 44;
    out->samples = out->data_len / (2 * out->channels);
    out->seconds = (double)out->samples / out->rate;
    double sum = 0;
    for (size_t i = 0; i + 1 < out->data_len; i += 2) {
        int16_t s = (int16_t)(w[44 + i] | w[44 + i + 1] << 8);
        sum += (double)s * s;
    }
    out->rms = sqrt(sum / (double)(out->data_len / 2));
}

/* sox's own reading of the file: length in seconds and RMS amplitude (0..1). */
static void sox_stat(const unsigned char *w, size_t len, double *seconds, double *rms)
{
    need_program("sox");
    char path[128], cmd[256], line[256];
    snprintf(path, sizeof path, "%s/stat.wav", tmpdir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(w, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    snprintf(cmd, sizeof cmd, "sox '%s' -n stat 2>&1", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    *seconds = *rms = -1;
    while (fgets(line, sizeof line, p)) {
        sscanf(line, "Length (seconds): %lf", seconds);
        sscanf(line, "RMS     amplitude: %lf", rms);
    }
    assert_int_equal(pclose(p), 0);
}

static struct hq_voice *voice_or_fail(const struct hq_voice_options *o)
{
    struct hq_media_why why = {0};
    struct hq_voice *v = hq_voice_new(o, &why);
    if (!v) fail_msg("hq_voice_new: %s", why.message);
    return v;
}

static void get_or_fail(struct hq_voice *v, uint64_t job, unsigned char **wav, size_t *len)
{
    struct hq_media_why why = {0};
    int rc = hq_voice_get(v, job, 60000, wav, len, &why);
    if (rc)
        fail_msg("hq_voice_get(%llu): %s: %s", (unsigned long long)job, hq_media_err_name(rc),
                 why.message);
}

static void test_render_is_speech(void **state)
{
    (void)state;
    need_program("espeak-ng");
    struct hq_voice *v = voice_or_fail(NULL);
    uint64_t job = 0;
    assert_int_equal(hq_voice_request(v, "A001", 3, &job, NULL), 0);
    assert_true(job > 0);
    unsigned char *wav = NULL;
    size_t len = 0;
    get_or_fail(v, job, &wav, &len);
    struct wav_info wi;
    wav_check(wav, len, &wi);
    /* two short lines of speech: ~3 s and ~2 s */
    if (wi.seconds < 1 || wi.seconds > 7) fail_msg("duration %.2f s", wi.seconds);
    if (wi.rms < 500) fail_msg("RMS %.1f: silent?", wi.rms);
    /* speech has pauses and loud parts: not a constant tone nor noise */
    size_t frames = wi.samples / (wi.rate / 50), quiet = 0;
    for (size_t f = 0; f < frames; f++) {
        double s2 = 0;
        size_t n = wi.rate / 50;
        for (size_t i = 0; i < n; i++) {
            int16_t s = (int16_t)(wi.data[2 * (f * n + i)] | wi.data[2 * (f * n + i) + 1] << 8);
            s2 += (double)s * s;
        }
        if (sqrt(s2 / n) < 100) quiet++;
    }
    double quiet_share = (double)quiet / frames;
    if (quiet_share < 0.05 || quiet_share > 0.7) fail_msg("quiet share %.2f", quiet_share);
    double sox_s, sox_rms;
    sox_stat(wav, len, &sox_s, &sox_rms);
    assert_true(fabs(sox_s - wi.seconds) < 0.01);
    if (sox_rms < 0.015) fail_msg("sox RMS amplitude %.4f", sox_rms);
    free(wav);

    struct hq_voice_stats st;
    hq_voice_stats(v, &st);
    assert_int_equal(st.requests, 1);
    assert_int_equal(st.renders, 1);
    /* one espeak-ng run per phrase clip: zh A 零 一 号 请到 三 号窗口, en A zero one window 3 */
    assert_int_equal(st.clips, 12);
    assert_int_equal(st.processes, 12);
    assert_int_equal(st.pending, 0);
    hq_voice_free(v);
}

/* repeat=2 is exactly zh+pause+en+pause+zh+pause+en: the PCM is joined, not re-rendered. */
static void test_repeat_joins_exactly(void **state)
{
    (void)state;
    struct hq_voice_options o = {.pause_ms = 500};
    struct hq_voice *v1 = voice_or_fail(&o);
    o.repeat = 2;
    struct hq_voice *v2 = voice_or_fail(&o);
    uint64_t j1, j2;
    assert_int_equal(hq_voice_request(v1, "C15", 7, &j1, NULL), 0);
    assert_int_equal(hq_voice_request(v2, "C15", 7, &j2, NULL), 0);
    unsigned char *w1, *w2;
    size_t l1, l2;
    get_or_fail(v1, j1, &w1, &l1);
    get_or_fail(v2, j2, &w2, &l2);
    struct wav_info a, b;
    wav_check(w1, l1, &a);
    wav_check(w2, l2, &b);
    size_t pause = (size_t)a.rate / 2 * 2 * a.channels;
    assert_int_equal(b.data_len, 2 * a.data_len + pause);
    assert_memory_equal(b.data, a.data, a.data_len);
    assert_memory_equal(b.data + a.data_len + pause, a.data, a.data_len);
    free(w1);
    free(w2);
    hq_voice_free(v1);
    hq_voice_free(v2);
}

static void test_cache_hit_same_bytes_no_process(void **state)
{
    (void)state;
    need_program("espeak-ng");
    char counter[128], body[512];
    snprintf(counter, sizeof counter, "%s/count", tmpdir);
    snprintf(body, sizeof body, "echo run >> '%s'\nexec espeak-ng \"$@\"", counter);
    struct hq_voice_options o = {.espeak = script("counting-espeak", body)};
    struct hq_voice *v = voice_or_fail(&o);
    uint64_t j1, j2, j3;
    unsigned char *w1, *w2, *w3, *w4;
    size_t l1, l2, l3, l4;
    assert_int_equal(hq_voice_request(v, "B007", 4, &j1, NULL), 0);
    get_or_fail(v, j1, &w1, &l1);
    /* zh B 零 七 号 请到 四 号窗口, en B zero seven window 4 */
    assert_int_equal(count_lines(counter), 12);
    assert_int_equal(hq_voice_request(v, "B007", 4, &j2, NULL), 0);
    get_or_fail(v, j2, &w2, &l2);
    assert_true(j2 > j1);
    assert_int_equal(l1, l2);
    assert_memory_equal(w1, w2, l1);
    assert_int_equal(count_lines(counter), 12); /* espeak-ng not run again */
    /* another window is another text: only the window's clips are new (五, 5) */
    assert_int_equal(hq_voice_request(v, "B007", 5, &j3, NULL), 0);
    get_or_fail(v, j3, &w3, &l3);
    assert_int_equal(count_lines(counter), 14);
    assert_true(l3 != l1 || memcmp(w1, w3, l1) != 0);

    char k1[HQ_VOICE_KEY_SIZE], k2[HQ_VOICE_KEY_SIZE], k3[HQ_VOICE_KEY_SIZE];
    assert_int_equal(hq_voice_job_key(v, j1, k1), 0);
    assert_int_equal(hq_voice_job_key(v, j2, k2), 0);
    assert_int_equal(hq_voice_job_key(v, j3, k3), 0);
    assert_string_equal(k1, k2);
    assert_string_not_equal(k1, k3);
    assert_int_equal(strlen(k1), 32);
    assert_int_equal(hq_voice_cached(v, k1, &w4, &l4), 0);
    assert_int_equal(l4, l1);
    assert_memory_equal(w4, w1, l1);
    assert_int_equal(hq_voice_cached(v, "0123456789abcdef0123456789abcdef", &w4, &l4),
                     HQ_MEDIA_ENOTFOUND);
    assert_int_equal(hq_voice_job_key(v, 999, k1), HQ_MEDIA_ENOTFOUND);

    struct hq_voice_stats st;
    hq_voice_stats(v, &st);
    assert_int_equal(st.requests, 3);
    assert_int_equal(st.renders, 2);
    assert_int_equal(st.hits, 1);
    assert_int_equal(st.processes, 14);
    free(w1);
    free(w2);
    free(w3);
    free(w4);
    hq_voice_free(v);
}

/* ---- FIFO under concurrency ---- */

#define THREADS 4
#define PER_THREAD 12

struct fifo {
    pthread_mutex_t mu;
    uint64_t order[THREADS * PER_THREAD + 8];
    int status[THREADS * PER_THREAD + 8];
    int n;
    struct hq_voice *v;
    double max_request_s;
};

static void on_done(void *arg, uint64_t job, int status)
{
    struct fifo *f = arg;
    pthread_mutex_lock(&f->mu);
    if (f->n < THREADS * PER_THREAD + 8) {
        f->status[f->n] = status;
        f->order[f->n++] = job;
    }
    pthread_mutex_unlock(&f->mu);
}

struct client {
    struct fifo *f;
    int t;
    uint64_t jobs[PER_THREAD];
};

static void *client(void *arg)
{
    struct client *c = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        char number[16];
        /* some numbers repeat across threads: cache hits mixed with renders */
        snprintf(number, sizeof number, "%c%03d", 'A' + c->t % 2, i * 7 + c->t);
        double t0 = now_s();
        if (hq_voice_request(c->f->v, number, 1 + i % 9, &c->jobs[i], NULL) != 0) return c;
        double dt = now_s() - t0;
        pthread_mutex_lock(&c->f->mu);
        if (dt > c->f->max_request_s) c->f->max_request_s = dt;
        pthread_mutex_unlock(&c->f->mu);
    }
    return NULL;
}

static void test_concurrent_fifo(void **state)
{
    (void)state;
    struct fifo f = {.n = 0};
    pthread_mutex_init(&f.mu, NULL);
    struct hq_voice_options o = {
        .on_done = on_done, .on_done_arg = &f, .speed = 300, .template_en = ""};
    f.v = voice_or_fail(&o);
    pthread_t th[THREADS];
    struct client cl[THREADS];
    for (int t = 0; t < THREADS; t++) {
        cl[t] = (struct client){.f = &f, .t = t};
        assert_int_equal(pthread_create(&th[t], NULL, client, &cl[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        void *r;
        assert_int_equal(pthread_join(th[t], &r), 0);
        assert_null(r);
        for (int i = 1; i < PER_THREAD; i++)
            assert_true(cl[t].jobs[i] > cl[t].jobs[i - 1]);
    }
    /* requests never wait for speech (generous bound for loaded CI machines; the strict check
     * with a slow program is in test_queue_limits_and_refusals) */
    if (f.max_request_s > 0.5) fail_msg("a request took %.3f s", f.max_request_s);
    /* wait for every job, in an arbitrary order */
    for (int t = THREADS - 1; t >= 0; t--)
        for (int i = PER_THREAD - 1; i >= 0; i--) {
            unsigned char *w;
            size_t l;
            get_or_fail(f.v, cl[t].jobs[i], &w, &l);
            struct wav_info wi;
            wav_check(w, l, &wi);
            assert_true(wi.seconds > 0.5);
            free(w);
        }
    hq_voice_free(f.v); /* joins the worker: every on_done has returned */
    assert_int_equal(f.n, THREADS * PER_THREAD);
    for (int k = 0; k < f.n; k++) {
        assert_int_equal(f.order[k], (uint64_t)k + 1); /* completed in request order */
        assert_int_equal(f.status[k], 0);
    }
    pthread_mutex_destroy(&f.mu);
}

/* ---- failures ---- */

static void test_missing_program(void **state)
{
    (void)state;
    struct hq_media_why why = {0};
    struct hq_voice_options o = {.espeak = "/nonexistent/espeak-ng"};
    assert_null(hq_voice_new(&o, &why));
    assert_int_equal(why.code, HQ_MEDIA_EPROGRAM);
    assert_non_null(strstr(why.message, "/nonexistent/espeak-ng"));
    o.espeak = "hq-no-such-espeak-program";
    assert_null(hq_voice_new(&o, &why));
    assert_int_equal(why.code, HQ_MEDIA_EPROGRAM);
    assert_non_null(strstr(why.message, "espeak-ng package"));
    o.espeak = NULL;
    o.speed = 20;
    assert_null(hq_voice_new(&o, &why));
    assert_int_equal(why.code, HQ_MEDIA_EINVAL);
    o.speed = 0;
    o.voice_zh = "-x";
    assert_null(hq_voice_new(&o, &why));
    assert_int_equal(why.code, HQ_MEDIA_EINVAL);
}

static void test_failing_and_hanging_program(void **state)
{
    (void)state;
    struct hq_media_why why = {0};
    struct hq_voice_options o = {.espeak =
                                     script("failing", "echo 'boom: no voice data' >&2\nexit 3")};
    struct hq_voice *v = voice_or_fail(&o);
    uint64_t job;
    unsigned char *w = NULL;
    size_t l = 0;
    assert_int_equal(hq_voice_request(v, "A001", 1, &job, NULL), 0);
    assert_int_equal(hq_voice_get(v, job, 10000, &w, &l, &why), HQ_MEDIA_EPROGRAM);
    assert_null(w);
    assert_non_null(strstr(why.message, "boom: no voice data"));
    assert_non_null(strstr(why.message, "exit status 3"));
    struct hq_voice_stats st;
    hq_voice_stats(v, &st);
    assert_int_equal(st.failures, 1);
    hq_voice_free(v);

    o.espeak = script("hanging", "exec sleep 30");
    o.timeout_ms = 300;
    v = voice_or_fail(&o);
    double t0 = now_s();
    assert_int_equal(hq_voice_request(v, "A001", 1, &job, NULL), 0);
    assert_int_equal(hq_voice_get(v, job, 10000, &w, &l, &why), HQ_MEDIA_EPROGRAM);
    assert_true(now_s() - t0 < 3);
    assert_non_null(strstr(why.message, "did not finish"));
    hq_voice_free(v);
}

static void test_queue_limits_and_refusals(void **state)
{
    (void)state;
    struct hq_media_why why = {0};
    struct hq_voice_options o = {.espeak = script("slow", "sleep 0.3\nexec espeak-ng \"$@\""),
                                 .queue_max = 2,
                                 .jobs_kept = 1};
    struct hq_voice *v = voice_or_fail(&o);
    uint64_t j1, j2, j3 = 0;
    double t0 = now_s();
    assert_int_equal(hq_voice_request(v, "A1", 1, &j1, NULL), 0);
    assert_int_equal(hq_voice_request(v, "A2", 1, &j2, NULL), 0);
    assert_true(now_s() - t0 < 0.25); /* each render takes > 0.6 s here: nobody waited */
    assert_int_equal(hq_voice_request(v, "A3", 1, &j3, &why), HQ_MEDIA_EBUSY);
    assert_int_equal(why.code, HQ_MEDIA_EBUSY);
    unsigned char *w = NULL;
    size_t l = 0;
    assert_int_equal(hq_voice_get(v, j2, 0, &w, &l, NULL), HQ_MEDIA_EPENDING);
    assert_int_equal(hq_voice_get(v, j2, 50, &w, &l, NULL), HQ_MEDIA_EPENDING);
    assert_int_equal(hq_voice_get(v, 12345, 0, &w, &l, NULL), HQ_MEDIA_ENOTFOUND);
    assert_int_equal(hq_voice_get(v, 0, 0, &w, &l, NULL), HQ_MEDIA_ENOTFOUND);
    get_or_fail(v, j2, &w, &l);
    free(w);
    /* ring = queue_max + jobs_kept = 3: job 1 is forgotten once job 4 exists */
    uint64_t j4, j5;
    assert_int_equal(hq_voice_request(v, "A4", 1, &j4, NULL), 0);
    assert_int_equal(j4, 3);
    assert_int_equal(hq_voice_request(v, "A5", 1, &j5, NULL), 0);
    assert_int_equal(hq_voice_get(v, j1, 0, &w, &l, NULL), HQ_MEDIA_ENOTFOUND);
    assert_int_equal(hq_voice_request(v, "a1", 1, &j3, &why), HQ_MEDIA_EINVAL);
    assert_int_equal(hq_voice_request(v, "A1", 0, &j3, &why), HQ_MEDIA_EINVAL);
    assert_int_equal(hq_voice_request(v, NULL, 1, &j3, &why), HQ_MEDIA_EINVAL);
    /* freeing with work queued: the current job finishes, the rest is dropped, nothing leaks */
    hq_voice_free(v);
}

/* ---- phrase clips (voice_clips.c) ---- */

static void test_tokens(void **state)
{
    (void)state;
    char w[64][96];
    int n = hq__clips_tokens("{number}号，请到{window}号窗口", HQ__LANG_ZH, "A001", 12,
                             HQ_VOICE_DIGITS, w, 64);
    const char *want[] = {"A", "零", "零", "一", "号", "|", "请到", "十二", "号窗口"};
    assert_int_equal(n, 9);
    for (int i = 0; i < n; i++)
        assert_string_equal(w[i], want[i]);
    n = hq__clips_tokens("{number}, window {window}", HQ__LANG_EN, "AB07", 3, HQ_VOICE_DIGITS, w,
                         64);
    const char *want_en[] = {"A", "B", "zero", "seven", "|", "window", "3"};
    assert_int_equal(n, 7);
    for (int i = 0; i < n; i++)
        assert_string_equal(w[i], want_en[i]);
    n = hq__clips_tokens("{number}号。", HQ__LANG_ZH, "C1005", 1, HQ_VOICE_NATURAL, w, 64);
    const char *want_nat[] = {"C", "一", "千", "零", "五", "号"}; /* trailing pause dropped */
    assert_int_equal(n, 6);
    for (int i = 0; i < n; i++)
        assert_string_equal(w[i], want_nat[i]);
    assert_int_equal(
        hq__clips_tokens("{number}", HQ__LANG_ZH, "A0000001", 1, HQ_VOICE_DIGITS, w, 4), -1);
}

/* A fake synthesiser: per byte of text 10 ms of a loud square wave, with 50 ms of silence before
 * and 70 ms after (as espeak-ng pads its output); counts its calls. 8 kHz mono. */
static int fake_calls;
static int fake_synth(void *ctx, int lang, const char *text, unsigned char **wav, size_t *len,
                      char *err, size_t err_size)
{
    (void)ctx;
    (void)lang;
    (void)err;
    (void)err_size;
    fake_calls++;
    size_t loud = strlen(text) * 80, frames = 400 + loud + 560;
    unsigned char *b = calloc(1, 44 + 2 * frames);
    memcpy(b, "RIFF", 4);
    uint32_t v = (uint32_t)(36 + 2 * frames);
    memcpy(b + 4, &v, 4);
    memcpy(b + 8, "WAVEfmt ", 8);
    b[16] = 16;
    b[20] = 1;
    b[22] = 1;
    v = 8000;
    memcpy(b + 24, &v, 4);
    v = 16000;
    memcpy(b + 28, &v, 4);
    b[32] = 2;
    b[34] = 16;
    memcpy(b + 36, "data", 4);
    v = (uint32_t)(2 * frames);
    memcpy(b + 40, &v, 4);
    for (size_t f = 400; f < 400 + loud; f++) {
        int16_t s = (f / 4) % 2 ? 8000 : -8000;
        b[44 + 2 * f] = (unsigned char)((uint16_t)s & 0xff);
        b[44 + 2 * f + 1] = (unsigned char)((uint16_t)s >> 8);
    }
    *wav = b;
    *len = 44 + 2 * frames;
    return 0;
}

/* The line is exactly the trimmed clips (sound + 8 ms kept each side) joined by the gap, a pause
 * at the comma; each distinct word is synthesised once, ever. */
static void test_clip_assembly_exact(void **state)
{
    (void)state;
    fake_calls = 0;
    struct hq__clips *c = hq__clips_new(16, fake_synth, NULL);
    assert_non_null(c);
    struct hq__mbuf out;
    hq__mbuf_init(&out, 1u << 24);
    char err[200] = "";
    assert_int_equal(hq__clips_line(c, HQ__LANG_ZH, "{number}号，请到{window}号窗口", "A001", 3,
                                    HQ_VOICE_DIGITS, 30, 180, &out, err, sizeof err),
                     0);
    /* words: A 零 零 一 号 | 请到 三 号窗口 — 7 distinct */
    assert_int_equal(fake_calls, 7);
    const char *words[] = {"A", "零", "零", "一", "号", "请到", "三", "号窗口"};
    size_t frames = 0;
    for (int i = 0; i < 8; i++)
        frames += strlen(words[i]) * 80 + 2 * 64; /* sound + 8 ms at 8 kHz each side */
    frames += 6 * 240 + 1440; /* gaps of 30 ms between clips, 180 ms at the comma */
    assert_int_equal(out.len, 2 * frames);
    /* the same line again: no new clip, the same bytes */
    struct hq__mbuf again;
    hq__mbuf_init(&again, 1u << 24);
    assert_int_equal(hq__clips_line(c, HQ__LANG_ZH, "{number}号，请到{window}号窗口", "A001", 3,
                                    HQ_VOICE_DIGITS, 30, 180, &again, err, sizeof err),
                     0);
    assert_int_equal(fake_calls, 7);
    assert_int_equal(again.len, out.len);
    assert_memory_equal(again.data, out.data, out.len);
    /* more distinct words than the table holds: evicted and made again, still correct */
    hq__mbuf_release(&again);
    hq__mbuf_init(&again, 1u << 24);
    assert_int_equal(hq__clips_line(c, HQ__LANG_EN, "a b c d e f g h i j k l m n o p q r {number}",
                                    "A1", 1, HQ_VOICE_DIGITS, 0, 0, &again, err, sizeof err),
                     0);
    assert_int_equal(again.len, 2 * (19 * (80 + 128) + (240 + 128))); /* ..., "A", "one" */
    hq__mbuf_release(&again);
    hq__mbuf_release(&out);
    hq__clips_free(c);
}

/* The Chinese announcement of a call is short: under 4 s by the WAV header and by sox; English
 * off gives exactly the Chinese line. */
static void test_short_announcement_and_english_off(void **state)
{
    (void)state;
    need_program("espeak-ng");
    struct hq_voice *v = voice_or_fail(NULL);
    struct hq_voice_options zo = {.template_en = ""};
    struct hq_voice *vz = voice_or_fail(&zo);
    uint64_t j_both, j_zh, j_ref;
    assert_int_equal(hq_voice_request(v, "A001", 3, &j_both, NULL), 0);
    assert_int_equal(hq_voice_request_ex(v, "A001", 3, HQ_VOICE_NO_ENGLISH, &j_zh, NULL), 0);
    assert_int_equal(hq_voice_request(vz, "A001", 3, &j_ref, NULL), 0);
    unsigned char *wb, *wz, *wr;
    size_t lb, lz, lr;
    get_or_fail(v, j_both, &wb, &lb);
    get_or_fail(v, j_zh, &wz, &lz);
    get_or_fail(vz, j_ref, &wr, &lr);
    struct wav_info ib, iz;
    wav_check(wb, lb, &ib);
    wav_check(wz, lz, &iz);
    double sox_s, sox_rms;
    sox_stat(wz, lz, &sox_s, &sox_rms);
    print_message("zh announcement %.2f s (sox %.2f s), zh+en %.2f s\n", iz.seconds, sox_s,
                  ib.seconds);
    if (iz.seconds < 1.2 || iz.seconds >= 4.0) fail_msg("Chinese line %.2f s", iz.seconds);
    assert_true(fabs(sox_s - iz.seconds) < 0.01);
    if (sox_rms < 0.015) fail_msg("sox RMS amplitude %.4f", sox_rms);
    assert_true(ib.seconds > iz.seconds + 0.8); /* the English line follows */
    assert_int_equal(lz, lr);                   /* English off = no English template */
    assert_memory_equal(wz, wr, lz);
    char k1[HQ_VOICE_KEY_SIZE], k2[HQ_VOICE_KEY_SIZE];
    assert_int_equal(hq_voice_job_key(v, j_both, k1), 0);
    assert_int_equal(hq_voice_job_key(v, j_zh, k2), 0);
    assert_string_not_equal(k1, k2);
    free(wb);
    free(wz);
    free(wr);
    hq_voice_free(v);
    hq_voice_free(vz);
}

/* prewarm: while idle the digits and fixed words are made; a call then runs no process. */
static void test_prewarm(void **state)
{
    (void)state;
    need_program("espeak-ng");
    char counter[128], body[512];
    snprintf(counter, sizeof counter, "%s/count-warm", tmpdir);
    snprintf(body, sizeof body, "echo run >> '%s'\nexec espeak-ng \"$@\"", counter);
    struct hq_voice_options o = {.espeak = script("warm-espeak", body), .prewarm = true};
    struct hq_voice *v = voice_or_fail(&o);
    /* zh: A, 10 digits, 号, 请到, 号窗口 (window 1 is the digit 一); en: A, 10 digits, window, 1 */
    struct hq_voice_stats st;
    double t0 = now_s();
    do {
        usleep(20000);
        hq_voice_stats(v, &st);
    } while (st.clips < 27 && now_s() - t0 < 60);
    assert_int_equal(st.clips, 27);
    int before = count_lines(counter);
    assert_int_equal(before, 27);
    uint64_t job;
    unsigned char *w;
    size_t l;
    assert_int_equal(hq_voice_request(v, "A987", 1, &job, NULL), 0);
    get_or_fail(v, job, &w, &l);
    free(w);
    assert_int_equal(count_lines(counter), before);
    hq_voice_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zh_integer),
        cmocka_unit_test(test_number_reading),
        cmocka_unit_test(test_text_templates),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_clip_assembly_exact),
        cmocka_unit_test(test_render_is_speech),
        cmocka_unit_test(test_short_announcement_and_english_off),
        cmocka_unit_test(test_prewarm),
        cmocka_unit_test(test_repeat_joins_exactly),
        cmocka_unit_test(test_cache_hit_same_bytes_no_process),
        cmocka_unit_test(test_concurrent_fifo),
        cmocka_unit_test(test_missing_program),
        cmocka_unit_test(test_failing_and_hanging_program),
        cmocka_unit_test(test_queue_limits_and_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
