/* SPDX-License-Identifier: MIT */
/*
 * voice.c — call announcements as WAV, rendered off the hot path.
 *
 * Design. hq_voice_request() only fills the two texts (templates, numbers as people say them),
 * hashes them with every voice setting into a cache key and appends a job to a ring; it never
 * waits for speech. One worker thread takes jobs strictly in id order (FIFO): a cache hit costs a
 * reference count, a miss assembles the announcement from phrase clips (voice_clips.c): each word
 * (letter, digit, window number, fixed word of a template) is synthesised once by the espeak-ng
 * PROGRAM (libespeak-ng is GPL-3, so it is never linked) with posix_spawnp — text as one argv
 * element after "--", no shell, stdin and stdout on /dev/null, stderr captured for the error
 * message, a deadline after which the process is killed — and kept; the announcement is, for each
 * repetition, the Chinese line, a pause, the English line (unless the job says no English), a
 * pause (none after the last line). While idle and asked to (prewarm), the worker makes the clips
 * of the digits and the templates' words before any call. Jobs complete and on_done fires in
 * request order, so the display can play them one after the other.
 *
 * Memory. Rendered WAVs are reference-counted blobs shared by the LRU cache (cache_max entries)
 * and by the finished jobs still remembered (jobs_kept); at ~44 KB per second of speech the
 * defaults keep at most ~64 announcements, about 20 MB.
 *
 * Voice packs. hq_voice_set_live gives the voice a recorded pack (voice_pack.c), a repeat count and
 * a chime: each job takes a reference to the pack current when it was requested, and the worker,
 * when a job's pack differs from the one its clip table was filled from, empties the table. With
 * a pack, the lines are the pack's templates; a word is the pack's clip when it has one, else
 * espeak-ng's. The chime (wav.c) comes first, then 250 ms of silence.
 *
 * Locking: one mutex guards the ring, the cache and the counters; the worker drops it while
 * espeak-ng runs and while on_done runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "media_int.h"

extern char **environ;

#define DEF_TEMPLATE_ZH "{number}号，请到{window}号窗口"
#define DEF_TEMPLATE_EN "{number}, window {window}"
#define LINE_MAX 1024       /* bytes of one spoken line */
#define TEMPLATE_MAX 512    /* bytes of a template */
#define WAV_MAX (64u << 20) /* one espeak-ng output or one joined announcement */
#define HQ__WARM_MAX 64     /* words of the prewarm samples of one language */

/* ------------------------------------------------------------------ numbers and texts */

static const char *const ZH_DIGIT[10] = {"零", "一", "二", "三", "四",
                                         "五", "六", "七", "八", "九"};

/* Split "AB012" into letters and digits; 1-2 capital letters, then 1-7 digits. */
static int split_number(const char *number, size_t *n_letters, size_t *n_digits)
{
    if (!number) return HQ_MEDIA_EINVAL;
    size_t i = 0;
    while (number[i] >= 'A' && number[i] <= 'Z')
        i++;
    size_t j = i;
    while (number[j] >= '0' && number[j] <= '9')
        j++;
    if (i < 1 || i > 2 || j - i < 1 || j - i > 7 || number[j]) return HQ_MEDIA_EINVAL;
    *n_letters = i;
    *n_digits = j - i;
    return 0;
}

/* Append s to out[size] at *pos; false when it does not fit. */
static bool put(char *out, size_t size, size_t *pos, const char *s)
{
    size_t n = strlen(s);
    if (*pos + n >= size) return false;
    memcpy(out + *pos, s, n + 1);
    *pos += n;
    return true;
}

/* 0..9999, no leading 一 dropping, 两 before 千. *pos advanced. */
static bool zh_section(uint32_t n, char *out, size_t size, size_t *pos)
{
    static const char *const UNIT[4] = {"", "十", "百", "千"};
    static const uint32_t POW[4] = {1, 10, 100, 1000};
    bool any = false, zero = false;
    for (int p = 3; p >= 0; p--) {
        uint32_t d = n / POW[p] % 10;
        if (d == 0) {
            if (any) zero = true;
            continue;
        }
        if (zero && !put(out, size, pos, "零")) return false;
        zero = false;
        const char *digit = (d == 2 && p == 3) ? "两" : ZH_DIGIT[d];
        if (!put(out, size, pos, digit) || !put(out, size, pos, UNIT[p])) return false;
        any = true;
    }
    return true;
}

int hq_voice_zh_integer(uint32_t n, char *out, size_t size)
{
    if (!out || size == 0 || n > 99999999u) return HQ_MEDIA_EINVAL;
    size_t pos = 0;
    out[0] = 0;
    bool ok = true;
    if (n == 0) {
        ok = put(out, size, &pos, "零");
    } else {
        uint32_t high = n / 10000, low = n % 10000;
        if (high) {
            if (high == 2)
                ok = put(out, size, &pos, "两");
            else
                ok = zh_section(high, out, size, &pos);
            ok = ok && put(out, size, &pos, "万");
            if (ok && low && low < 1000) ok = put(out, size, &pos, "零");
        }
        if (ok && low) ok = zh_section(low, out, size, &pos);
        /* 10..19 at the head of the number are said 十, 十五, not 一十五 (also 十五万) */
        uint32_t head = high ? high : low;
        if (ok && head >= 10 && head <= 19) memmove(out, out + 3, pos - 3 + 1);
    }
    if (!ok) {
        out[0] = 0;
        return HQ_MEDIA_EINVAL;
    }
    return 0;
}

int hq_voice_number_zh(const char *number, enum hq_voice_numbers mode, char *out, size_t size)
{
    size_t nl, nd, pos = 0;
    if (!out || size == 0 || split_number(number, &nl, &nd)) return HQ_MEDIA_EINVAL;
    out[0] = 0;
    /* letters one by one, each followed by a space: "AB" would be read as the English "ab" */
    for (size_t i = 0; i < nl; i++) {
        char l[3] = {number[i], ' ', 0};
        if (!put(out, size, &pos, l)) goto small;
    }
    if (mode == HQ_VOICE_NATURAL) {
        uint32_t n = (uint32_t)strtoul(number + nl, NULL, 10);
        char tmp[128];
        if (hq_voice_zh_integer(n, tmp, sizeof tmp) || !put(out, size, &pos, tmp)) goto small;
    } else {
        for (size_t i = 0; i < nd; i++)
            if (!put(out, size, &pos, ZH_DIGIT[number[nl + i] - '0'])) goto small;
    }
    return 0;
small:
    out[0] = 0;
    return HQ_MEDIA_EINVAL;
}

int hq_voice_number_en(const char *number, enum hq_voice_numbers mode, char *out, size_t size)
{
    size_t nl, nd, pos = 0;
    if (!out || size == 0 || split_number(number, &nl, &nd)) return HQ_MEDIA_EINVAL;
    out[0] = 0;
    char tmp[32];
    if (mode == HQ_VOICE_NATURAL) {
        snprintf(tmp, sizeof tmp, "%.*s%lu", (int)nl, number, strtoul(number + nl, NULL, 10));
        if (!put(out, size, &pos, tmp)) goto small;
    } else {
        /* "A0 0 1": the letter glued to the first digit, or espeak-ng says the article "a" */
        snprintf(tmp, sizeof tmp, "%.*s", (int)nl + 1, number);
        if (!put(out, size, &pos, tmp)) goto small;
        for (size_t i = 1; i < nd; i++) {
            char d[3] = {' ', number[nl + i], 0};
            if (!put(out, size, &pos, d)) goto small;
        }
    }
    return 0;
small:
    out[0] = 0;
    return HQ_MEDIA_EINVAL;
}

/* Fill {number} and {window} in tpl; other text is copied as is. */
static int fill_template(const char *tpl, const char *number, const char *window, char *out,
                         size_t size)
{
    size_t pos = 0;
    out[0] = 0;
    for (const char *p = tpl; *p;) {
        if (strncmp(p, "{number}", 8) == 0) {
            if (!put(out, size, &pos, number)) return HQ_MEDIA_EINVAL;
            p += 8;
        } else if (strncmp(p, "{window}", 8) == 0) {
            if (!put(out, size, &pos, window)) return HQ_MEDIA_EINVAL;
            p += 8;
        } else {
            if (pos + 1 >= size) return HQ_MEDIA_EINVAL;
            out[pos++] = *p++;
            out[pos] = 0;
        }
    }
    return 0;
}

int hq_voice_text(const struct hq_voice_options *opts, const char *number, int window, char *zh,
                  size_t zh_size, char *en, size_t en_size)
{
    static const struct hq_voice_options defaults;
    if (!opts) opts = &defaults;
    if (window < 1 || window > 9999) return HQ_MEDIA_EINVAL;
    if ((zh && zh_size == 0) || (en && en_size == 0)) return HQ_MEDIA_EINVAL;
    char num[128], win[64];
    if (zh) {
        const char *tpl = opts->template_zh ? opts->template_zh : DEF_TEMPLATE_ZH;
        if (hq_voice_number_zh(number, opts->numbers, num, sizeof num) ||
            hq_voice_zh_integer((uint32_t)window, win, sizeof win) ||
            fill_template(tpl, num, win, zh, zh_size)) {
            zh[0] = 0;
            return HQ_MEDIA_EINVAL;
        }
    }
    if (en) {
        const char *tpl = opts->template_en ? opts->template_en : DEF_TEMPLATE_EN;
        snprintf(win, sizeof win, "%d", window);
        if (hq_voice_number_en(number, opts->numbers, num, sizeof num) ||
            fill_template(tpl, num, win, en, en_size)) {
            en[0] = 0;
            if (zh) zh[0] = 0;
            return HQ_MEDIA_EINVAL;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ WAV */

static uint32_t le32(const unsigned char *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static void put_le16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

/* Parse a RIFF/WAVE file of 16-bit PCM. The data chunk may claim more than there is (a streamed
 * header): it is clamped to the bytes present. */
int hq__wav_parse(const unsigned char *b, size_t n, struct hq__pcm *out)
{
    if (n < 12 || memcmp(b, "RIFF", 4) || memcmp(b + 8, "WAVE", 4)) return -1;
    bool have_fmt = false;
    size_t off = 12;
    while (off + 8 <= n) {
        uint32_t sz = le32(b + off + 4);
        const unsigned char *body = b + off + 8;
        size_t avail = n - off - 8;
        if (!memcmp(b + off, "fmt ", 4)) {
            if (sz < 16 || avail < 16) return -1;
            uint16_t format = le16(body);
            if (format != 1 && format != 0xFFFE) return -1;
            out->channels = le16(body + 2);
            out->rate = le32(body + 4);
            if (le16(body + 14) != 16 || out->channels < 1 || out->channels > 2 ||
                out->rate < 8000 || out->rate > 96000)
                return -1;
            have_fmt = true;
        } else if (!memcmp(b + off, "data", 4)) {
            if (!have_fmt) return -1;
            out->data = body;
            out->len = sz < avail ? sz : avail;
            out->len -= out->len % (2u * out->channels);
            return 0;
        }
        if (sz > avail) return -1;
        off += 8 + sz + (sz & 1);
    }
    return -1;
}

static void wav_header(unsigned char h[44], uint16_t channels, uint32_t rate, uint32_t data_len)
{
    memcpy(h, "RIFF", 4);
    put_le32(h + 4, 36 + data_len);
    memcpy(h + 8, "WAVEfmt ", 8);
    put_le32(h + 16, 16);
    put_le16(h + 20, 1);
    put_le16(h + 22, channels);
    put_le32(h + 24, rate);
    put_le32(h + 28, rate * channels * 2);
    put_le16(h + 32, (uint16_t)(channels * 2));
    put_le16(h + 34, 16);
    memcpy(h + 36, "data", 4);
    put_le32(h + 40, data_len);
}

/* ------------------------------------------------------------------ the voice */

struct blob {
    int refs; /* under v->mu */
    size_t len;
    unsigned char data[];
};

struct cache_ent {
    char key[HQ_VOICE_KEY_SIZE];
    char *ident; /* settings + texts, compared in full: a hash collision can never mix audio */
    struct blob *wav;
    uint64_t used;
};

enum { JOB_QUEUED = 1, JOB_DONE = 2 };

struct job {
    uint64_t id; /* 0 = slot never used */
    int state;
    int status;
    char key[HQ_VOICE_KEY_SIZE];
    char *ident;
    char number[16];
    int window;
    bool english;
    struct hq_voice_pack *pack; /* a reference, or NULL: espeak-ng only */
    int repeat;
    bool chime;
    struct blob *wav;
    char error[200];
};

struct hq_voice {
    /* settings, copied */
    char *espeak, *template_zh, *template_en, *voice_zh, *voice_en, *tmp_dir;
    struct hq_voice_options o; /* string fields point at the copies above */

    pthread_mutex_t mu;
    pthread_cond_t work, done;
    pthread_t worker;
    bool stop;

    struct job *ring;
    size_t ring_n;
    uint64_t next_id, next_run; /* jobs [next_run, next_id) are pending */

    struct cache_ent *cache;
    size_t cache_n;
    uint64_t tick;

    struct hq__clips *clips; /* the worker's only */
    int warm_next[2];        /* prewarm: next word of the Chinese and English samples */

    struct hq_voice_stats st;
    struct hq_voice_pack *live_pack; /* under mu: what new jobs use */
    int live_repeat;                 /* 0 = o.repeat */
    bool live_chime;
    struct hq_voice_pack *clips_pack; /* the worker's: the pack its clip table was filled from */
    uint64_t from_pack, from_espeak;  /* under mu */
};

static void blob_unref(struct blob *b)
{
    if (b && --b->refs == 0) free(b);
}

/* 128-bit key from two FNV-1a 64 passes with different offset bases, as lowercase hex. */
static void make_key(const char *s, char key[HQ_VOICE_KEY_SIZE])
{
    uint64_t h1 = 0xcbf29ce484222325ull, h2 = 0x84222325cbf29ce4ull ^ 0x9e3779b97f4a7c15ull;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h1 = (h1 ^ *p) * 0x100000001b3ull;
        h2 = (h2 ^ (unsigned char)(*p + 0x5b)) * 0x100000001b3ull;
    }
    snprintf(key, HQ_VOICE_KEY_SIZE, "%016llx%016llx", (unsigned long long)h1,
             (unsigned long long)h2);
}

static bool program_found(const char *prog)
{
    if (strchr(prog, '/')) return access(prog, X_OK) == 0;
    const char *path = getenv("PATH");
    if (!path) path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *end = strchr(path, ':');
        size_t n = end ? (size_t)(end - path) : strlen(path);
        char full[4096];
        size_t pl = strlen(prog);
        if (n > 0 && n + pl + 2 <= sizeof full) {
            memcpy(full, path, n);
            full[n] = '/';
            memcpy(full + n + 1, prog, pl + 1);
            if (access(full, X_OK) == 0) return true;
        }
        if (!end) break;
        path = end + 1;
    }
    return false;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int read_file(const char *path, unsigned char **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct hq__mbuf b;
    hq__mbuf_init(&b, WAV_MAX);
    unsigned char tmp[65536];
    for (;;) {
        ssize_t r = read(fd, tmp, sizeof tmp);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) b.ok = false;
        if (r <= 0) break;
        hq__mbuf_add(&b, tmp, (size_t)r);
    }
    close(fd);
    if (!b.ok) {
        hq__mbuf_release(&b);
        return -1;
    }
    *out = b.data;
    *len = b.len;
    return 0;
}

/* Run espeak-ng for one line into a WAV file and read it. Called without the lock. */
static int run_espeak(struct hq_voice *v, const char *voice, const char *text, unsigned char **wav,
                      size_t *wav_len, char *err, size_t err_size)
{
    int rc = HQ_MEDIA_EPROGRAM;
    char path[4096], speed[16];
    int pipefd[2] = {-1, -1};
    pid_t pid = -1;
    bool fa_init = false, attr_init = false;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;

    snprintf(path, sizeof path, "%s/hq-voice-XXXXXX.wav", v->tmp_dir);
    int fd = mkstemps(path, 4);
    if (fd < 0) {
        snprintf(err, err_size, "voice: cannot create a temporary file in %s: %s", v->tmp_dir,
                 strerror(errno));
        path[0] = 0;
        rc = HQ_MEDIA_EIO;
        goto out;
    }
    close(fd);
    snprintf(speed, sizeof speed, "%d", v->o.speed);
    char *argv[] = {v->espeak, "-v", (char *)voice, "-s",         speed,
                    "-w",      path, "--",          (char *)text, NULL};

    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        snprintf(err, err_size, "voice: pipe: %s", strerror(errno));
        goto out;
    }
    posix_spawn_file_actions_init(&fa);
    fa_init = true;
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    posix_spawn_file_actions_addclosefrom_np(&fa, 3); /* server sockets stay in the server */
#endif
    posix_spawnattr_init(&attr);
    attr_init = true;
    sigset_t none, def;
    sigemptyset(&none);
    sigemptyset(&def);
    sigaddset(&def, SIGPIPE);
    sigaddset(&def, SIGINT);
    sigaddset(&def, SIGTERM);
    sigaddset(&def, SIGCHLD);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &def);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pthread_mutex_lock(&v->mu);
    v->st.processes++;
    pthread_mutex_unlock(&v->mu);
    int e = posix_spawnp(&pid, v->espeak, &fa, &attr, argv, environ);
    close(pipefd[1]);
    pipefd[1] = -1;
    if (e != 0) {
        pid = -1;
        snprintf(err, err_size, "voice: cannot run %s: %s%s", v->espeak, strerror(e),
                 e == ENOENT ? " (install the espeak-ng package)" : "");
        goto out;
    }

    /* collect stderr until EOF or the deadline */
    char msg[160] = "";
    size_t msg_len = 0;
    int64_t deadline = now_ms() + v->o.timeout_ms;
    bool timed_out = false;
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        struct pollfd p = {.fd = pipefd[0], .events = POLLIN};
        int pr = poll(&p, 1, (int)left);
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) continue;
        char tmp[256];
        ssize_t r = read(pipefd[0], tmp, sizeof tmp);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        size_t take = (size_t)r;
        if (take > sizeof msg - 1 - msg_len) take = sizeof msg - 1 - msg_len;
        memcpy(msg + msg_len, tmp, take);
        msg_len += take;
        msg[msg_len] = 0;
    }
    if (timed_out) kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    pid = -1;
    for (char *c = msg; *c; c++)
        if (*c == '\n' || *c == '\r') *c = ' ';
    if (timed_out) {
        snprintf(err, err_size, "voice: %s did not finish within %d ms (killed)", v->espeak,
                 v->o.timeout_ms);
        goto out;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(err, err_size, "voice: %s failed (%s %d): %s", v->espeak,
                 WIFEXITED(status) ? "exit status" : "signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
                 msg[0] ? msg : "no message");
        goto out;
    }
    if (read_file(path, wav, wav_len) != 0) {
        snprintf(err, err_size, "voice: cannot read the WAV %s wrote", v->espeak);
        rc = HQ_MEDIA_EIO;
        goto out;
    }
    rc = 0;
out:
    if (pipefd[0] >= 0) close(pipefd[0]);
    if (pipefd[1] >= 0) close(pipefd[1]);
    if (fa_init) posix_spawn_file_actions_destroy(&fa);
    if (attr_init) posix_spawnattr_destroy(&attr);
    if (path[0]) unlink(path);
    return rc;
}

/* The synthesiser of clips: espeak-ng in the language's voice. Worker thread, no lock. */
static int synth(void *ctx, int lang, const char *text, unsigned char **wav, size_t *len, char *err,
                 size_t err_size)
{
    struct hq_voice *v = ctx;
    pthread_mutex_lock(&v->mu);
    v->from_espeak++;
    pthread_mutex_unlock(&v->mu);
    return run_espeak(v, lang == HQ__LANG_ZH ? v->voice_zh : v->voice_en, text, wav, len, err,
                      err_size);
}

/* The clip of a word in the pack the clip table is filled from. Worker thread, no lock. */
static const unsigned char *pack_clip(void *ctx, int lang, const char *text, size_t *len)
{
    struct hq_voice *v = ctx;
    const unsigned char *clip = hq__pack_find(v->clips_pack, lang, text, len);
    if (clip) {
        pthread_mutex_lock(&v->mu);
        v->from_pack++;
        pthread_mutex_unlock(&v->mu);
    }
    return clip;
}

/* Assemble the announcement from the clips: for each repetition the Chinese line, a pause, the
 * English line (when wanted), a pause (none after the last line). Worker thread, no lock. */
static int render(struct hq_voice *v, const struct job *j, struct blob **out, char *err,
                  size_t err_size)
{
    const char *tpl[2] = {j->pack ? HQ__PACK_TEMPLATE_ZH : v->template_zh,
                          !j->english ? ""
                          : j->pack   ? HQ__PACK_TEMPLATE_EN
                                      : v->template_en};
    int mode = (int)v->o.numbers | (j->pack ? HQ__TOK_PACK : 0);
    int repeat = j->repeat;
    struct hq__mbuf line[2];
    int rc = 0, lines = 0;
    struct blob *b = NULL;
    for (int i = 0; i < 2; i++) {
        hq__mbuf_init(&line[i], WAV_MAX);
        if (!tpl[i][0] || rc) continue;
        rc = hq__clips_line(v->clips, i == 0 ? HQ__LANG_ZH : HQ__LANG_EN, tpl[i], j->number,
                            j->window, (enum hq_voice_numbers)mode, v->o.gap_ms,
                            v->o.phrase_pause_ms, &line[i], err, err_size);
        if (rc == 0 && line[i].len) lines++;
    }
    if (rc) goto out;
    rc = HQ_MEDIA_EIO;
    if (lines == 0) {
        snprintf(err, err_size, "voice: both templates are empty");
        rc = HQ_MEDIA_EINVAL;
        goto out;
    }
    uint16_t channels;
    uint32_t rate;
    hq__clips_format(v->clips, &channels, &rate);
    size_t frame = 2u * channels;
    size_t pause = (size_t)((uint64_t)rate * (uint64_t)v->o.pause_ms / 1000) * frame;
    size_t total = 0, parts = (size_t)repeat * (size_t)lines;
    size_t chime = j->chime ? hq__chime_frames(rate) : 0;
    size_t chime_gap = j->chime ? (size_t)rate * 250 / 1000 * frame : 0;
    for (int r = 0; r < repeat; r++)
        for (int i = 0; i < 2; i++)
            total += line[i].len;
    total += pause * (parts - 1) + chime * frame + chime_gap;
    if (total > WAV_MAX - 44) {
        snprintf(err, err_size, "voice: announcement longer than %u bytes", WAV_MAX);
        goto out;
    }
    b = malloc(sizeof *b + 44 + total);
    if (!b) {
        snprintf(err, err_size, "voice: out of memory");
        rc = HQ_MEDIA_ENOMEM;
        goto out;
    }
    b->refs = 1;
    b->len = 44 + total;
    wav_header(b->data, channels, rate, (uint32_t)total);
    unsigned char *p = b->data + 44;
    if (chime) {
        int16_t *tone = malloc(chime * sizeof *tone);
        size_t made = tone ? hq__chime(rate, tone, chime) : 0;
        for (size_t f = 0; f < chime; f++)
            for (uint16_t c = 0; c < channels; c++) {
                uint16_t u = (uint16_t)(f < made ? tone[f] : 0);
                *p++ = (unsigned char)(u & 0xff);
                *p++ = (unsigned char)(u >> 8);
            }
        free(tone);
        memset(p, 0, chime_gap);
        p += chime_gap;
    }
    size_t done = 0;
    for (int r = 0; r < repeat; r++) {
        for (int i = 0; i < 2; i++) {
            if (!line[i].len) continue;
            memcpy(p, line[i].data, line[i].len);
            p += line[i].len;
            if (++done < parts) {
                memset(p, 0, pause);
                p += pause;
            }
        }
    }
    *out = b;
    b = NULL;
    rc = 0;
out:
    hq__mbuf_release(&line[0]);
    hq__mbuf_release(&line[1]);
    free(b);
    return rc;
}

/* under the lock */
static struct cache_ent *cache_find(struct hq_voice *v, const char *key, const char *ident)
{
    for (size_t i = 0; i < v->cache_n; i++) {
        struct cache_ent *c = &v->cache[i];
        if (c->wav && !strcmp(c->key, key) && (!ident || !strcmp(c->ident, ident))) {
            c->used = ++v->tick;
            return c;
        }
    }
    return NULL;
}

/* under the lock; takes a new reference to b (or none when out of memory) */
static void cache_put(struct hq_voice *v, const char *key, const char *ident, struct blob *b)
{
    char *id = strdup(ident);
    if (!id) return;
    struct cache_ent *victim = &v->cache[0];
    for (size_t i = 0; i < v->cache_n; i++) {
        if (!v->cache[i].wav) {
            victim = &v->cache[i];
            break;
        }
        if (v->cache[i].used < victim->used) victim = &v->cache[i];
    }
    blob_unref(victim->wav);
    free(victim->ident);
    snprintf(victim->key, sizeof victim->key, "%s", key);
    victim->ident = id;
    victim->wav = b;
    b->refs++;
    victim->used = ++v->tick;
}

static void job_clear(struct job *j)
{
    hq__pack_unref(j->pack);
    free(j->ident);
    blob_unref(j->wav);
    memset(j, 0, sizeof *j);
}

/* Idle and asked to: synthesise the next clip of the warm list (digits, the templates' fixed
 * words) so the first calls of the day are assembled without a process. Under the lock; drops
 * it while espeak-ng runs. false when there is nothing left to warm. */
static bool warm_one(struct hq_voice *v)
{
    static const char *const sample[] = {"A0123456", "A789"};
    if (v->live_pack) return false; /* a pack's words are copies; its gaps are said on demand */
    for (int lang = 0; lang < 2; lang++) {
        const char *tpl = lang == 0 ? v->template_zh : v->template_en;
        int total = 0;
        char words[HQ__WARM_MAX][96];
        for (int k = 0; k < 2 && tpl[0]; k++) {
            int n = hq__clips_tokens(tpl, lang, sample[k], 1, v->o.numbers, words + total,
                                     HQ__WARM_MAX - total);
            if (n > 0) total += n;
        }
        while (v->warm_next[lang] < total) {
            const char *w = words[v->warm_next[lang]++];
            if (strcmp(w, "|") == 0) continue;
            char word[96], err[200];
            snprintf(word, sizeof word, "%s", w);
            uint64_t made = hq__clips_synthesised(v->clips);
            pthread_mutex_unlock(&v->mu);
            hq__clips_warm(v->clips, lang, word, err, sizeof err);
            pthread_mutex_lock(&v->mu);
            v->st.clips += hq__clips_synthesised(v->clips) - made;
            return true;
        }
    }
    return false;
}

static void *worker(void *arg)
{
    struct hq_voice *v = arg;
    pthread_mutex_lock(&v->mu);
    while (!v->stop) {
        if (v->next_run == v->next_id) {
            if (v->o.prewarm && warm_one(v)) continue;
            pthread_cond_wait(&v->work, &v->mu);
            continue;
        }
        uint64_t id = v->next_run;
        struct job *j = &v->ring[id % v->ring_n];
        int status = 0;
        struct cache_ent *c = cache_find(v, j->key, j->ident);
        if (c) {
            j->wav = c->wav;
            j->wav->refs++;
            v->st.hits++;
        } else {
            /* the slot stays ours while the job is pending: its strings are stable unlocked */
            struct blob *b = NULL;
            char err[sizeof j->error] = "";
            if (j->pack != v->clips_pack) { /* another pack (or none): its clips, not these */
                hq__pack_unref(v->clips_pack);
                v->clips_pack = hq__pack_ref(j->pack);
                hq__clips_flush(v->clips);
                v->warm_next[0] = v->warm_next[1] = 0;
            }
            pthread_mutex_unlock(&v->mu);
            uint64_t made = hq__clips_synthesised(v->clips);
            status = render(v, j, &b, err, sizeof err);
            made = hq__clips_synthesised(v->clips) - made;
            pthread_mutex_lock(&v->mu);
            v->st.clips += made;
            if (status == 0) {
                cache_put(v, j->key, j->ident, b);
                j->wav = b; /* our reference */
                v->st.renders++;
            } else {
                memcpy(j->error, err, sizeof err);
                v->st.failures++;
            }
        }
        j->status = status;
        j->state = JOB_DONE;
        v->next_run++;
        pthread_cond_broadcast(&v->done);
        if (v->o.on_done) {
            pthread_mutex_unlock(&v->mu);
            v->o.on_done(v->o.on_done_arg, id, status);
            pthread_mutex_lock(&v->mu);
        }
    }
    /* stopping: drop what is still queued */
    for (; v->next_run < v->next_id; v->next_run++) {
        struct job *j = &v->ring[v->next_run % v->ring_n];
        j->status = HQ_MEDIA_ECANCELLED;
        j->state = JOB_DONE;
        snprintf(j->error, sizeof j->error, "voice: stopped before this job was rendered");
    }
    pthread_cond_broadcast(&v->done);
    pthread_mutex_unlock(&v->mu);
    return NULL;
}

static void voice_release(struct hq_voice *v)
{
    if (v->ring)
        for (size_t i = 0; i < v->ring_n; i++)
            job_clear(&v->ring[i]);
    if (v->cache)
        for (size_t i = 0; i < v->cache_n; i++) {
            blob_unref(v->cache[i].wav);
            free(v->cache[i].ident);
        }
    hq__pack_unref(v->live_pack);
    hq__pack_unref(v->clips_pack);
    free(v->ring);
    free(v->cache);
    free(v->espeak);
    free(v->template_zh);
    free(v->template_en);
    free(v->voice_zh);
    free(v->voice_en);
    free(v->tmp_dir);
    hq__clips_free(v->clips);
    free(v);
}

static bool voice_name_ok(const char *s)
{
    if (!*s || strlen(s) > 64 || s[0] == '-') return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '+' || *p == '/'))
            return false;
    return true;
}

struct hq_voice *hq_voice_new(const struct hq_voice_options *opts, struct hq_media_why *why)
{
    static const struct hq_voice_options defaults;
    if (!opts) opts = &defaults;
    struct hq_voice_options o = *opts;
    if (o.speed == 0) o.speed = 190;
    if (o.repeat == 0) o.repeat = 1;
    if (o.pause_ms == 0) o.pause_ms = 300;
    if (o.pause_ms < 0) o.pause_ms = 0;
    if (o.gap_ms == 0) o.gap_ms = 20;
    if (o.gap_ms < 0) o.gap_ms = 0;
    if (o.phrase_pause_ms == 0) o.phrase_pause_ms = 150;
    if (o.phrase_pause_ms < 0) o.phrase_pause_ms = 0;
    if (o.clips_max == 0) o.clips_max = 256;
    if (o.queue_max == 0) o.queue_max = 256;
    if (o.jobs_kept == 0) o.jobs_kept = 32;
    if (o.cache_max == 0) o.cache_max = 32;
    if (o.timeout_ms == 0) o.timeout_ms = 20000;
    if (o.speed < 80 || o.speed > 450) {
        hq__media_fail(why, HQ_MEDIA_EINVAL, "voice.speed: %d, must be 80..450", o.speed);
        return NULL;
    }
    if (o.gap_ms > 1000 || o.phrase_pause_ms > 2000 || o.clips_max < 16 || o.clips_max > 100000) {
        hq__media_fail(why, HQ_MEDIA_EINVAL,
                       "voice: gap_ms ..1000, phrase_pause_ms ..2000, clips_max 16..100000");
        return NULL;
    }
    if (o.repeat < 1 || o.repeat > 5 || o.pause_ms > 3000 || o.queue_max < 1 ||
        o.queue_max > 100000 || o.jobs_kept < 1 || o.jobs_kept > 100000 || o.cache_max < 1 ||
        o.cache_max > 100000 || o.timeout_ms < 100 || o.timeout_ms > 600000) {
        hq__media_fail(why, HQ_MEDIA_EINVAL,
                       "voice: repeat 1..5, pause_ms ..3000, queue_max/jobs_kept/cache_max "
                       "1..100000, timeout_ms 100..600000");
        return NULL;
    }
    const char *tz = o.template_zh ? o.template_zh : DEF_TEMPLATE_ZH;
    const char *te = o.template_en ? o.template_en : DEF_TEMPLATE_EN;
    if (strlen(tz) > TEMPLATE_MAX || strlen(te) > TEMPLATE_MAX || !hq__media_utf8_clean(tz) ||
        !hq__media_utf8_clean(te)) {
        hq__media_fail(why, HQ_MEDIA_EINVAL,
                       "voice.template: at most %d bytes of UTF-8 without control characters",
                       TEMPLATE_MAX);
        return NULL;
    }
    if (!*tz && !*te) {
        hq__media_fail(why, HQ_MEDIA_EINVAL, "voice.template: both templates are empty");
        return NULL;
    }
    const char *vz = o.voice_zh ? o.voice_zh : "cmn-latn-pinyin";
    const char *ve = o.voice_en ? o.voice_en : "en";
    if (!voice_name_ok(vz) || !voice_name_ok(ve)) {
        hq__media_fail(why, HQ_MEDIA_EINVAL, "voice.voice: not an espeak-ng voice name");
        return NULL;
    }
    const char *prog = o.espeak ? o.espeak : "espeak-ng";
    if (!*prog || !program_found(prog)) {
        hq__media_fail(why, HQ_MEDIA_EPROGRAM,
                       "voice: program '%s' not found or not executable (install the espeak-ng "
                       "package, or run without voice)",
                       prog);
        return NULL;
    }
    const char *tmp = o.tmp_dir ? o.tmp_dir : getenv("TMPDIR");
    if (!tmp || !*tmp) tmp = "/tmp";

    struct hq_voice *v = calloc(1, sizeof *v);
    if (!v) goto nomem;
    v->espeak = strdup(prog);
    v->template_zh = strdup(tz);
    v->template_en = strdup(te);
    v->voice_zh = strdup(vz);
    v->voice_en = strdup(ve);
    v->tmp_dir = strdup(tmp);
    v->ring_n = (size_t)o.queue_max + (size_t)o.jobs_kept;
    v->ring = calloc(v->ring_n, sizeof *v->ring);
    v->cache_n = (size_t)o.cache_max;
    v->cache = calloc(v->cache_n, sizeof *v->cache);
    v->clips = hq__clips_new((size_t)o.clips_max, synth, v);
    if (v->clips) hq__clips_set_lookup(v->clips, pack_clip);
    if (!v->espeak || !v->template_zh || !v->template_en || !v->voice_zh || !v->voice_en ||
        !v->tmp_dir || !v->ring || !v->cache || !v->clips)
        goto nomem;
    o.espeak = v->espeak;
    o.template_zh = v->template_zh;
    o.template_en = v->template_en;
    o.voice_zh = v->voice_zh;
    o.voice_en = v->voice_en;
    o.tmp_dir = v->tmp_dir;
    v->o = o;
    v->next_id = v->next_run = 1;
    pthread_mutex_init(&v->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&v->work, &ca);
    pthread_cond_init(&v->done, &ca);
    pthread_condattr_destroy(&ca);
    int e = pthread_create(&v->worker, NULL, worker, v);
    if (e != 0) {
        pthread_cond_destroy(&v->work);
        pthread_cond_destroy(&v->done);
        pthread_mutex_destroy(&v->mu);
        voice_release(v);
        hq__media_fail(why, HQ_MEDIA_ENOMEM, "voice: cannot start the worker thread: %s",
                       strerror(e));
        return NULL;
    }
    return v;
nomem:
    if (v) voice_release(v);
    hq__media_fail(why, HQ_MEDIA_ENOMEM, "voice: out of memory");
    return NULL;
}

static int request_job(struct hq_voice *v, const struct hq_voice_options *to, const char *number,
                       int window, unsigned flags, struct hq_voice_pack *pack, int repeat,
                       bool chime, uint64_t *job, struct hq_media_why *why);

int hq_voice_request(struct hq_voice *v, const char *number, int window, uint64_t *job,
                     struct hq_media_why *why)
{
    return hq_voice_request_ex(v, number, window, 0, job, why);
}

int hq_voice_request_ex(struct hq_voice *v, const char *number, int window, unsigned flags,
                        uint64_t *job, struct hq_media_why *why)
{
    if (!v || !job) return hq__media_fail(why, HQ_MEDIA_EINVAL, "voice: NULL argument");
    pthread_mutex_lock(&v->mu);
    struct hq_voice_pack *pack = hq__pack_ref(v->live_pack);
    int repeat = v->live_repeat ? v->live_repeat : v->o.repeat;
    bool chime = v->live_chime;
    pthread_mutex_unlock(&v->mu);
    struct hq_voice_options to = v->o;
    if (pack) {
        to.template_zh = HQ__PACK_TEMPLATE_ZH;
        to.template_en = HQ__PACK_TEMPLATE_EN;
    }
    int rc = request_job(v, &to, number, window, flags, pack, repeat, chime, job, why);
    if (rc) {
        pthread_mutex_lock(&v->mu);
        hq__pack_unref(pack);
        pthread_mutex_unlock(&v->mu);
    }
    return rc;
}

/* Queue a job; on success the job owns the reference to pack. */
static int request_job(struct hq_voice *v, const struct hq_voice_options *to, const char *number,
                       int window, unsigned flags, struct hq_voice_pack *pack, int repeat,
                       bool chime, uint64_t *job, struct hq_media_why *why)
{
    char zh[LINE_MAX], en[LINE_MAX];
    if (hq_voice_text(to, number, window, zh, sizeof zh, en, sizeof en))
        return hq__media_fail(why, HQ_MEDIA_EINVAL,
                              "voice: number '%.16s' (1-2 capital letters, 1-7 digits) or window "
                              "%d (1..9999) invalid, or line longer than %d bytes",
                              number ? number : "(null)", window, LINE_MAX - 1);
    bool english = !(flags & HQ_VOICE_NO_ENGLISH) && to->template_en[0];
    if (!english && !to->template_zh[0])
        return hq__media_fail(why, HQ_MEDIA_EINVAL,
                              "voice: no Chinese template and English is off: nothing to say");
    size_t n = strlen(v->espeak) + strlen(v->voice_zh) + strlen(v->voice_en) + strlen(zh) +
               strlen(en) + 128;
    char *ident = malloc(n);
    if (!ident) return hq__media_fail(why, HQ_MEDIA_ENOMEM, "voice: out of memory");
    snprintf(ident, n,
             "hq-voice-3\x1f%s\x1f%s\x1f%s\x1f%d\x1f%d\x1f%d\x1f%d\x1f%d\x1f%llu\x1f%d\x1f%s"
             "\x1f%s",
             v->espeak, v->voice_zh, v->voice_en, v->o.speed, repeat, v->o.pause_ms, v->o.gap_ms,
             v->o.phrase_pause_ms, (unsigned long long)hq__pack_gen(pack), chime ? 1 : 0, zh,
             english ? en : "");

    pthread_mutex_lock(&v->mu);
    if (v->next_id - v->next_run >= (uint64_t)v->o.queue_max) {
        pthread_mutex_unlock(&v->mu);
        free(ident);
        return hq__media_fail(why, HQ_MEDIA_EBUSY, "voice: %d announcements already queued",
                              v->o.queue_max);
    }
    uint64_t id = v->next_id++;
    struct job *j = &v->ring[id % v->ring_n];
    job_clear(j); /* a finished job older than jobs_kept */
    j->id = id;
    j->state = JOB_QUEUED;
    snprintf(j->number, sizeof j->number, "%s", number);
    j->window = window;
    j->english = english;
    j->pack = pack;
    j->repeat = repeat;
    j->chime = chime;
    j->ident = ident;
    make_key(ident, j->key);
    v->st.requests++;
    pthread_cond_signal(&v->work);
    pthread_mutex_unlock(&v->mu);
    *job = id;
    return 0;
}

/* under the lock: the job's slot, or NULL when unknown/forgotten */
static struct job *find_job(struct hq_voice *v, uint64_t id)
{
    if (id == 0 || id >= v->next_id) return NULL;
    struct job *j = &v->ring[id % v->ring_n];
    return j->id == id ? j : NULL;
}

int hq_voice_get(struct hq_voice *v, uint64_t job, int timeout_ms, unsigned char **wav, size_t *len,
                 struct hq_media_why *why)
{
    if (!v || !wav || !len) return hq__media_fail(why, HQ_MEDIA_EINVAL, "voice: NULL argument");
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    if (timeout_ms > 0) {
        deadline.tv_sec += timeout_ms / 1000;
        deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
    }
    int rc;
    pthread_mutex_lock(&v->mu);
    struct job *j;
    for (;;) {
        j = find_job(v, job);
        if (!j) {
            rc = hq__media_fail(why, HQ_MEDIA_ENOTFOUND, "voice: no job %llu (or forgotten)",
                                (unsigned long long)job);
            goto out;
        }
        if (j->state == JOB_DONE) break;
        if (timeout_ms == 0) goto pending;
        if (timeout_ms < 0) {
            pthread_cond_wait(&v->done, &v->mu);
        } else if (pthread_cond_timedwait(&v->done, &v->mu, &deadline) == ETIMEDOUT) {
            j = find_job(v, job);
            if (j && j->state == JOB_DONE) break;
            goto pending;
        }
    }
    if (j->status != 0) {
        rc = hq__media_fail(why, j->status, "%s", j->error);
        goto out;
    }
    unsigned char *copy = malloc(j->wav->len);
    if (!copy) {
        rc = hq__media_fail(why, HQ_MEDIA_ENOMEM, "voice: out of memory");
        goto out;
    }
    memcpy(copy, j->wav->data, j->wav->len);
    *wav = copy;
    *len = j->wav->len;
    rc = 0;
    goto out;
pending:
    rc = hq__media_fail(why, HQ_MEDIA_EPENDING, "voice: job %llu not rendered yet",
                        (unsigned long long)job);
out:
    pthread_mutex_unlock(&v->mu);
    return rc;
}

int hq_voice_job_key(struct hq_voice *v, uint64_t job, char key[HQ_VOICE_KEY_SIZE])
{
    if (!v || !key) return HQ_MEDIA_EINVAL;
    pthread_mutex_lock(&v->mu);
    struct job *j = find_job(v, job);
    if (j) memcpy(key, j->key, HQ_VOICE_KEY_SIZE);
    pthread_mutex_unlock(&v->mu);
    return j ? 0 : HQ_MEDIA_ENOTFOUND;
}

int hq_voice_cached(struct hq_voice *v, const char *key, unsigned char **wav, size_t *len)
{
    if (!v || !key || !wav || !len || strlen(key) != HQ_VOICE_KEY_SIZE - 1) return HQ_MEDIA_EINVAL;
    int rc = HQ_MEDIA_ENOTFOUND;
    pthread_mutex_lock(&v->mu);
    struct cache_ent *c = cache_find(v, key, NULL);
    if (c) {
        unsigned char *copy = malloc(c->wav->len);
        if (!copy) {
            rc = HQ_MEDIA_ENOMEM;
        } else {
            memcpy(copy, c->wav->data, c->wav->len);
            *wav = copy;
            *len = c->wav->len;
            rc = 0;
        }
    }
    pthread_mutex_unlock(&v->mu);
    return rc;
}

int hq_voice_set_live(struct hq_voice *v, struct hq_voice_pack *pack, int repeat, bool chime)
{
    if (!v || repeat < 0 || repeat > 3) {
        hq_voice_pack_free(pack);
        return HQ_MEDIA_EINVAL;
    }
    pthread_mutex_lock(&v->mu);
    struct hq_voice_pack *old = v->live_pack;
    v->live_pack = hq__pack_ref(pack); /* gives it its generation; the caller's reference: */
    hq__pack_unref(pack);              /* passes to the voice (never the last one here) */
    v->live_repeat = repeat;
    v->live_chime = chime;
    hq__pack_unref(old);
    pthread_cond_signal(&v->work); /* prewarm may resume without a pack */
    pthread_mutex_unlock(&v->mu);
    return 0;
}

void hq_voice_pack_stats(struct hq_voice *v, uint64_t *from_pack, uint64_t *from_espeak)
{
    pthread_mutex_lock(&v->mu);
    *from_pack = v->from_pack;
    *from_espeak = v->from_espeak;
    pthread_mutex_unlock(&v->mu);
}

void hq_voice_stats(struct hq_voice *v, struct hq_voice_stats *out)
{
    pthread_mutex_lock(&v->mu);
    *out = v->st;
    out->pending = v->next_id - v->next_run;
    pthread_mutex_unlock(&v->mu);
}

void hq_voice_free(struct hq_voice *v)
{
    if (!v) return;
    pthread_mutex_lock(&v->mu);
    v->stop = true;
    pthread_cond_broadcast(&v->work);
    pthread_mutex_unlock(&v->mu);
    pthread_join(v->worker, NULL);
    pthread_cond_destroy(&v->work);
    pthread_cond_destroy(&v->done);
    pthread_mutex_destroy(&v->mu);
    voice_release(v);
}
