/* SPDX-License-Identifier: MIT */
/*
 * notify_send.c — one attempt at one delivery (docs/NOTIFY.md). Webhook: POST of the body with
 * libcurl, headers X-Hallq-Event, X-Hallq-Delivery and X-Hallq-Signature (sha256=<hex HMAC-SHA256
 * of the body with the notifier's secret>), no redirects, HQ_NOTIFY_TIMEOUT_S for the whole
 * exchange; a 2xx answer is delivery. Command: the program of argv run without a shell, the body
 * on its stdin, its output discarded, killed after HQ_NOTIFY_TIMEOUT_S; exit status 0 is delivery.
 * The error texts name a status or a reason, never the body (it holds the phone).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "notify_int.h"

static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void hq__notify_send_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, global_init);
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

static int progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt;
    (void)dn;
    (void)ut;
    (void)un;
    const volatile bool *stop = ctx;
    return *stop ? 1 : 0;
}

int hq__notify_webhook(const struct hq_notifier *n, const char *type, const char *id,
                       const char *body, const volatile bool *stop, char *err, size_t cap)
{
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, cap, "cannot start an HTTP client");
        return -1;
    }
    char sig[72], h1[96], h2[96], h3[128];
    hq_notify_signature(n->secret, body, strlen(body), sig);
    snprintf(h1, sizeof h1, "X-Hallq-Event: %s", type);
    snprintf(h2, sizeof h2, "X-Hallq-Delivery: %s", id);
    snprintf(h3, sizeof h3, "X-Hallq-Signature: %s", sig);
    struct curl_slist *hs = curl_slist_append(NULL, "Content-Type: application/json");
    hs = curl_slist_append(hs, h1);
    hs = curl_slist_append(hs, h2);
    hs = curl_slist_append(hs, h3);
    hs = curl_slist_append(hs, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, n->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)HQ_NOTIFY_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)HQ_NOTIFY_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "hallq");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)stop);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hs);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        snprintf(err, cap, "%s", curl_easy_strerror(rc));
        return -1;
    }
    if (status < 200 || status > 299) {
        snprintf(err, cap, "HTTP %ld", status);
        return -1;
    }
    return 0;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int hq__notify_command(const struct hq_notifier *n, const char *type, const char *id,
                       const char *body, const volatile bool *stop, char *err, size_t cap)
{
    char *argv[HQ_NOTIFY_ARGV_MAX + 1];
    for (int i = 0; i < n->argc; i++)
        argv[i] = (char *)n->argv[i];
    argv[n->argc] = NULL;
    char e_type[64], e_id[64], e_sig[96];
    snprintf(e_type, sizeof e_type, "HALLQ_EVENT=%s", type);
    snprintf(e_id, sizeof e_id, "HALLQ_DELIVERY=%s", id);
    char sig[72] = "";
    if (n->secret[0]) hq_notify_signature(n->secret, body, strlen(body), sig);
    snprintf(e_sig, sizeof e_sig, "HALLQ_SIGNATURE=%s", sig);
    char *envp[] = {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", e_type, e_id, e_sig, NULL};

    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        snprintf(err, cap, "pipe: %s", strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    posix_spawn_file_actions_addclosefrom_np(&fa, 3); /* server sockets stay in the server */
#endif
    posix_spawnattr_init(&attr);
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
    pid_t pid = -1;
    int e = posix_spawn(&pid, argv[0], &fa, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(fds[0]);
    if (e != 0) {
        close(fds[1]);
        snprintf(err, cap, "cannot run %s: %s", argv[0], strerror(e));
        return -1;
    }
    int64_t deadline = mono_ms() + HQ_NOTIFY_TIMEOUT_S * 1000;
    /* the body on stdin: non-blocking, so a program that never reads cannot hold us */
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    size_t len = strlen(body), off = 0;
    while (off < len && mono_ms() < deadline && !*stop) {
        ssize_t w = write(fds[1], body + off, len - off);
        if (w > 0) {
            off += (size_t)w;
        } else if (w < 0 && errno == EAGAIN) {
            struct pollfd p = {.fd = fds[1], .events = POLLOUT};
            poll(&p, 1, 50);
        } else if (!(w < 0 && errno == EINTR)) {
            break; /* EPIPE: it exited without reading all of it; its status says the rest */
        }
    }
    close(fds[1]);
    int status = 0;
    bool done = false, killed = false;
    while (!done) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid || (r < 0 && errno != EINTR)) {
            done = true;
        } else if (!killed && (mono_ms() >= deadline || *stop)) {
            kill(pid, SIGKILL);
            killed = true;
        } else {
            struct timespec ts = {0, 20 * 1000000};
            nanosleep(&ts, NULL);
        }
    }
    if (killed) {
        snprintf(err, cap, "%s did not finish within %d s", argv[0], HQ_NOTIFY_TIMEOUT_S);
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(err, cap, "%s exited with status %d", argv[0],
                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        return -1;
    }
    return 0;
}
