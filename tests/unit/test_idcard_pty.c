/* SPDX-License-Identifier: MIT */
/*
 * test_idcard_pty.c — the real `hallq idreader` against an ID card reader simulated on a
 * pseudo-terminal (posix_openpt; the command opens a symlink standing for /dev/ttyUSB0) and a
 * stand-in for the kiosk's server on loopback that records what is handed over. In turn: no card
 * (nothing handed over), a card after garbage and a frame with a bad checksum on the line (handed
 * over once, with the device key, while it stays on the reader), a reader that stops answering
 * (time-outs, then the line is reopened), and an unplug (the pty closed; a new one appears under
 * the same name later and the next card gets through). The command's output never holds a number
 * in clear. Every wait has a generous deadline and no timing is asserted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "idcard/hq_idcard.h"

extern char **environ;

#define KEY "k-test-device-key"
#define ID1 "11010519491231002X"
#define ID2 "440301194003011235"
#define DEADLINE_MS 60000

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the kiosk's server: records the bodies and key headers of POSTs ---- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char posts[16][256];
static int n_posts;
static char out_text[32768]; /* the command's output */
static size_t out_len;
static int listen_fd;
static pid_t child; /* the command, stopped by the teardown when an assertion ends the test */

static void *server(void *arg)
{
    (void)arg;
    for (;;) {
        int c = accept(listen_fd, NULL, NULL);
        if (c < 0) return NULL;
        char req[4096];
        size_t n = 0;
        int64_t end = now_ms() + 10000;
        char *body = NULL;
        long want = -1;
        while (n < sizeof req - 1 && now_ms() < end) {
            ssize_t k = read(c, req + n, sizeof req - 1 - n);
            if (k <= 0) break;
            n += (size_t)k;
            req[n] = '\0';
            char *h = strstr(req, "\r\n\r\n");
            if (h && want < 0) {
                char *cl = strcasestr(req, "Content-Length:");
                want = cl ? strtol(cl + 15, NULL, 10) : 0;
                body = h + 4;
            }
            if (body && (long)(n - (size_t)(body - req)) >= want) break;
        }
        static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 "Content-Length: 2\r\nConnection: close\r\n\r\n{}";
        if (write(c, ok, sizeof ok - 1) < 0) {
        }
        close(c);
        pthread_mutex_lock(&mu);
        if (n_posts < 16 && body) {
            bool keyed = strstr(req, "X-Device-Key: " KEY "\r\n") != NULL;
            bool path = strncmp(req, "POST /api/v1/idcard/hold ", 25) == 0;
            snprintf(posts[n_posts++], sizeof posts[0], "%s%s%s", keyed ? "" : "NOKEY ",
                     path ? "" : "BADPATH ", body);
        }
        pthread_mutex_unlock(&mu);
    }
}

static void *out_reader(void *arg)
{
    int fd = *(int *)arg;
    char buf[512];
    ssize_t k;
    while ((k = read(fd, buf, sizeof buf)) > 0) {
        pthread_mutex_lock(&mu);
        if (out_len + (size_t)k < sizeof out_text) {
            memcpy(out_text + out_len, buf, (size_t)k);
            out_len += (size_t)k;
            out_text[out_len] = '\0';
        }
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

static int posts_now(void)
{
    pthread_mutex_lock(&mu);
    int n = n_posts;
    pthread_mutex_unlock(&mu);
    return n;
}

static int out_count(const char *s)
{
    int n = 0;
    pthread_mutex_lock(&mu);
    for (const char *p = out_text; (p = strstr(p, s)) != NULL; p += strlen(s))
        n++;
    pthread_mutex_unlock(&mu);
    return n;
}

/* ---- the simulated reader ---- */

struct reader {
    int master;
    uint8_t buf[256];
    size_t have;
    const char *card; /* the number on the reader, NULL = none */
    bool silent;      /* swallow commands, answer nothing */
    int garbage;      /* put garbage and a bad frame before the next answers */
    int finds;        /* FIND commands seen */
};

static int new_pty(const char *link)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC); /* not inherited by the command */
    assert_true(m >= 0);
    assert_int_equal(grantpt(m), 0);
    assert_int_equal(unlockpt(m), 0);
    struct termios t;
    if (tcgetattr(m, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(m, TCSANOW, &t);
    }
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.new", link);
    unlink(tmp);
    assert_int_equal(symlink(ptsname(m), tmp), 0);
    assert_int_equal(rename(tmp, link), 0);
    return m;
}

static void send_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return;
        p += k;
        n -= (size_t)k;
    }
}

static void answer(struct reader *r, uint8_t sw3, const uint8_t *data, size_t n)
{
    static uint8_t out[HQ_IDC_FRAME_MAX];
    if (r->garbage > 0) {
        static const uint8_t junk[] = {0x00, 0x13, 0xAA, 0xFF, 0x96, 0x69, 0xAA, 0xAA};
        send_all(r->master, junk, sizeof junk);
        size_t k = hq_idc_answer(0, 0, HQ_IDC_NO_CARD, NULL, 0, out, sizeof out);
        out[k - 1] ^= 0x33; /* a bad checksum: must be dropped, not taken as "no card" */
        send_all(r->master, out, k);
        r->garbage--;
    }
    size_t k = hq_idc_answer(0, 0, sw3, data, n, out, sizeof out);
    send_all(r->master, out, k);
}

static void card_text(const char *id, uint8_t *pay, size_t *n)
{
    uint8_t *text = pay + 4;
    memset(pay, 0, 4 + HQ_IDC_TEXT_LEN + 1024);
    pay[0] = 0x01; /* text 256, photo 1024 */
    pay[2] = 0x04;
    for (size_t i = 0; i < HQ_IDC_TEXT_LEN / 2; i++) { /* all spaces, then the fields */
        text[2 * i] = ' ';
    }
    static const uint16_t name[] = {0x674E, 0x56DB}; /* 李四 */
    for (int i = 0; i < 2; i++) {
        text[2 * i] = (uint8_t)name[i];
        text[2 * i + 1] = (uint8_t)(name[i] >> 8);
    }
    text[30] = '2';
    text[32] = '0';
    text[34] = '1';
    for (int i = 0; i < 8; i++)
        text[36 + 2 * i] = (uint8_t)id[6 + i];
    for (int i = 0; i < 18; i++)
        text[122 + 2 * i] = (uint8_t)id[i];
    *n = 4 + HQ_IDC_TEXT_LEN + 1024;
}

/* Serve commands until done() says so; false when the deadline passed first. */
static bool serve_until(struct reader *r, bool (*done)(void *), void *ctx)
{
    static uint8_t pay[4 + HQ_IDC_TEXT_LEN + 1024];
    int64_t end = now_ms() + DEADLINE_MS;
    while (!done(ctx)) {
        if (now_ms() > end) return false;
        struct pollfd p = {r->master, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0 || !(p.revents & POLLIN)) continue;
        ssize_t k = read(r->master, r->buf + r->have, sizeof r->buf - r->have);
        if (k <= 0) { /* the command closed the line (reopening): wait for it */
            struct timespec ts = {0, 20000000};
            nanosleep(&ts, NULL);
            continue;
        }
        r->have += (size_t)k;
        for (;;) {
            struct hq_idc_frame f;
            size_t used = 0;
            enum hq_idc_status s = hq_idc_decode(r->buf, r->have, 2, &f, &used);
            memmove(r->buf, r->buf + used, r->have - used);
            r->have -= used;
            if (s == HQ_IDC_NEED_MORE) break;
            if (s == HQ_IDC_BAD) continue;
            if (r->silent) continue;
            static const uint8_t z[8] = {0};
            if (f.head[0] == 0x20 && f.head[1] == 0x01) {
                r->finds++;
                answer(r, r->card ? HQ_IDC_FOUND : HQ_IDC_NO_CARD, z, r->card ? 4 : 0);
            } else if (f.head[0] == 0x20 && f.head[1] == 0x02) {
                answer(r, r->card ? HQ_IDC_OK : HQ_IDC_SELECT_FAILED, z, r->card ? 8 : 0);
            } else if (f.head[0] == 0x30 && f.head[1] == 0x01 && r->card) {
                size_t n = 0;
                card_text(r->card, pay, &n);
                answer(r, HQ_IDC_OK, pay, n);
            } else {
                answer(r, 0x41, NULL, 0); /* read failed */
            }
        }
    }
    return true;
}

static bool finds_at_least(void *ctx)
{
    struct reader *r = ctx;
    return r->finds >= 5;
}
static int want_posts, want_lines;
static const char *want_text;
static bool posts_reached(void *ctx)
{
    (void)ctx;
    return posts_now() >= want_posts;
}
static bool lines_reached(void *ctx)
{
    (void)ctx;
    return out_count(want_text) >= want_lines;
}

static void idreader_on_a_pty(void **st)
{
    (void)st;
    char dir[] = "/tmp/hq-idpty-XXXXXX", link[PATH_MAX], exe[PATH_MAX], bin[PATH_MAX], url[64];
    assert_non_null(mkdtemp(dir));
    snprintf(link, sizeof link, "%s/ttyUSB0", dir);
    ssize_t el = readlink("/proc/self/exe", exe, sizeof exe - 1);
    assert_true(el > 0);
    exe[el] = '\0';
    snprintf(bin, sizeof bin, "%s/hallq", dirname(exe));

    listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(listen_fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(listen_fd, 8), 0);
    getsockname(listen_fd, (struct sockaddr *)&sa, &sl);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(sa.sin_port));
    pthread_t srv, rd;
    pthread_create(&srv, NULL, server, NULL);

    struct reader r = {0};
    r.master = new_pty(link);
    int pipefd[2];
    assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
    char *argv[] = {
        bin, "idreader",  "--device", link,           "--kiosk-url", url, "--device-key",
        KEY, "--poll-ms", "50",       "--timeout-ms", "300",         NULL};
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, bin, &fa, NULL, argv, environ), 0);
    child = pid;
    posix_spawn_file_actions_destroy(&fa);
    close(pipefd[1]);
    pthread_create(&rd, NULL, out_reader, &pipefd[0]);

    /* 1. no card: it keeps looking, hands nothing over */
    assert_true(serve_until(&r, finds_at_least, &r));
    assert_int_equal(posts_now(), 0);

    /* 2. a card, with garbage and a bad frame on the line before each answer */
    r.card = ID1;
    r.garbage = 3;
    want_posts = 1;
    assert_true(serve_until(&r, posts_reached, NULL));
    pthread_mutex_lock(&mu);
    assert_string_equal(posts[0], "{\"id_number\":\"" ID1 "\"}");
    pthread_mutex_unlock(&mu);
    /* left on the reader, it is not handed over again */
    r.finds = 0;
    assert_true(serve_until(&r, finds_at_least, &r));
    assert_int_equal(posts_now(), 1);
    r.card = NULL;

    /* 3. the reader stops answering: time-outs, then the line is reopened */
    r.silent = true;
    want_text = "no answer from the reader: reopening";
    want_lines = 1;
    assert_true(serve_until(&r, lines_reached, NULL));
    assert_true(out_count("(time-out)") >= 2);
    r.silent = false;
    r.have = 0;
    r.finds = 0;
    assert_true(serve_until(&r, finds_at_least, &r)); /* answering again after the reopen */

    /* 4. unplugged: the pty is gone; it comes back under the same name; the next card gets in */
    int opens = out_count("reader open at");
    close(r.master);
    want_text = "the reader is gone";
    want_lines = 1;
    int64_t end = now_ms() + DEADLINE_MS;
    while (!lines_reached(NULL) && now_ms() < end) {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    assert_true(lines_reached(NULL));
    unlink(link); /* a while without the device */
    want_text = "waiting for the reader";
    while (!lines_reached(NULL) && now_ms() < end) {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    assert_true(lines_reached(NULL));
    r.master = new_pty(link);
    r.have = 0;
    r.card = ID2;
    want_posts = 2;
    assert_true(serve_until(&r, posts_reached, NULL));
    assert_true(out_count("reader open at") > opens);
    pthread_mutex_lock(&mu);
    assert_string_equal(posts[1], "{\"id_number\":\"" ID2 "\"}");
    pthread_mutex_unlock(&mu);

    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    child = 0;
    pthread_join(rd, NULL);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    /* the log shows masked numbers only */
    assert_null(strstr(out_text, ID1));
    assert_null(strstr(out_text, ID2));
    assert_non_null(strstr(out_text, "1101**********002X"));
    shutdown(listen_fd, SHUT_RDWR);
    close(listen_fd);
    pthread_join(srv, NULL);
    close(r.master);
    unlink(link);
    rmdir(dir);
}

static int stop_child(void **st)
{
    (void)st;
    if (child > 0) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        child = 0;
    }
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test_teardown(idreader_on_a_pty, stop_child)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
