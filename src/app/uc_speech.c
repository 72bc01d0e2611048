/* SPDX-License-Identifier: MIT */
/*
 * uc_speech.c — short fixed phrases in the hall's voice for the large-type mode's "read buttons
 * aloud" (issue 18; web/js/largetype.js): GET /api/v1/speech/{key}. Only a whitelist is ever
 * spoken — the fixed phrases below and the names of the hall's services (key svc-<code>) — never
 * text from the request. Rendered by the espeak-ng program as the call announcements are (only
 * when the server runs with voice), with the text as one argv element (no shell), into a private
 * temporary file, killed after SPEECH_TIMEOUT_MS; kept in a small cache (SPEECH_CACHE entries,
 * replaced round robin) keyed by the text, so a renamed service is said anew.
 */
#include <errno.h>
#include <fcntl.h>
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

#include "app_int.h"
#include "hq_help.h"

extern char **environ;

#define SPEECH_CACHE 64
#define SPEECH_TIMEOUT_MS 15000
#define SPEECH_MAX_BYTES (4u << 20)

static const struct {
    const char *key, *zh, *en;
} phrases[] = {
    {"large_type", "长辈模式", "Large type"},
    {"read_aloud", "按键朗读", "Read buttons aloud"},
    {"more", "更多业务", "More services"},
    {"help", "请求帮助", "Ask for help"},
    {"done", "完成", "Done"},
    {"choose", "请选择您要办理的业务", "Please choose your service"},
};

struct entry {
    char text[HQ_NAME_MAX];
    bool en;
    unsigned char *wav;
    size_t len;
};

static pthread_mutex_t smu = PTHREAD_MUTEX_INITIALIZER;
static struct entry cache[SPEECH_CACHE];
static size_t next_slot;

/* The words of key in the language, or HQ_ENOTFOUND. */
static int phrase_of(struct hq_app *a, const char *key, bool en, char *out, size_t cap,
                     struct hq_why *why)
{
    for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
        if (strcmp(phrases[i].key, key) == 0) {
            snprintf(out, cap, "%s", en ? phrases[i].en : phrases[i].zh);
            return 0;
        }
    if (strncmp(key, "svc-", 4) == 0 && hq_valid_service_code(key + 4)) {
        int rc = HQ_ENOTFOUND;
        pthread_mutex_lock(&a->mu);
        const struct hq_service *s = hq_service_find(&a->hall, key + 4);
        if (s) {
            snprintf(out, cap, "%s", en && s->name_en[0] ? s->name_en : s->name);
            rc = 0;
        }
        pthread_mutex_unlock(&a->mu);
        if (rc == 0) return 0;
    }
    return hq_fail(why, HQ_ENOTFOUND, "", "no such phrase");
}

/* espeak-ng -v voice -w tmp -- text; the file's bytes into *wav. 0 or -1. */
static int synth(const char *text, bool en, unsigned char **wav, size_t *len)
{
    const char *dir = getenv("TMPDIR");
    char path[256];
    snprintf(path, sizeof path, "%s/hallq-speech-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    close(fd);
    char *argv[] = {
        "espeak-ng",  "-v", en ? "en" : "cmn-latn-pinyin", "-s", "150", "-w", path, "--",
        (char *)text, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    pid_t pid;
    int e = posix_spawnp(&pid, "espeak-ng", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    int rc = -1;
    if (e == 0) {
        int status = 0, waited = 0;
        pid_t w;
        while ((w = waitpid(pid, &status, WNOHANG)) == 0 && waited < SPEECH_TIMEOUT_MS) {
            struct timespec ts = {0, 20 * 1000000L};
            nanosleep(&ts, NULL);
            waited += 20;
        }
        if (w == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
        } else if (w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            FILE *f = fopen(path, "rb");
            struct stat st;
            if (f && fstat(fileno(f), &st) == 0 && st.st_size > 44 &&
                (size_t)st.st_size <= SPEECH_MAX_BYTES) {
                *wav = malloc((size_t)st.st_size);
                if (*wav && fread(*wav, 1, (size_t)st.st_size, f) == (size_t)st.st_size) {
                    *len = (size_t)st.st_size;
                    rc = 0;
                } else {
                    free(*wav);
                    *wav = NULL;
                }
            }
            if (f) fclose(f);
        }
    }
    unlink(path);
    return rc;
}

int hq_app_speech(struct hq_app *a, const char *key, bool en, unsigned char **wav, size_t *len,
                  struct hq_why *why)
{
    if (!hq_app_voice_enabled(a))
        return hq_fail(why, HQ_ENOTFOUND, "", "voice announcements are off on this server");
    char text[HQ_NAME_MAX];
    int rc = phrase_of(a, key, en, text, sizeof text, why);
    if (rc) return rc;
    pthread_mutex_lock(&smu);
    for (size_t i = 0; i < SPEECH_CACHE; i++)
        if (cache[i].wav && cache[i].en == en && strcmp(cache[i].text, text) == 0) {
            *wav = malloc(cache[i].len);
            if (*wav) memcpy(*wav, cache[i].wav, cache[i].len);
            *len = cache[i].len;
            pthread_mutex_unlock(&smu);
            return *wav ? 0 : hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        }
    pthread_mutex_unlock(&smu);
    unsigned char *fresh = NULL;
    size_t n = 0;
    if (synth(text, en, &fresh, &n) != 0)
        return hq_fail(why, HQ_EINTERNAL, "", "voice: the phrase could not be rendered");
    *wav = malloc(n);
    if (!*wav) {
        free(fresh);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    memcpy(*wav, fresh, n);
    *len = n;
    pthread_mutex_lock(&smu);
    struct entry *slot = &cache[next_slot++ % SPEECH_CACHE];
    free(slot->wav);
    snprintf(slot->text, sizeof slot->text, "%s", text);
    slot->en = en;
    slot->wav = fresh;
    slot->len = n;
    pthread_mutex_unlock(&smu);
    return 0;
}
