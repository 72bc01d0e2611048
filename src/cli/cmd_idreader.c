/* SPDX-License-Identifier: MIT */
/*
 * cmd_idreader.c — `hallq idreader`: runs beside a kiosk, polls its second-generation ID card
 * reader on a serial line (115200 8N1; find card, select, read the base text: src/idcard/) and
 * hands the number read to that kiosk: POST /api/v1/idcard/hold with the kiosk's own device key,
 * where the kiosk page takes it once within 60 s and sends it with the next ticket
 * (docs/IDCARD.md). Every answer has a time-out; a reader that stops answering or is unplugged is
 * closed and opened again until it is back. The number is never printed or logged: only masked.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "cli_opts.h"
#include "core/hq_booking.h"
#include "hq_cli.h"
#include "idcard/hq_idcard.h"

static const char usage_text[] =
    "usage: hallq idreader --device /dev/ttyUSB0 --kiosk-url http://127.0.0.1:8080\n"
    "                      --device-key KEY [--poll-ms 500] [--timeout-ms 1000]\n"
    "\n"
    "Reads resident ID cards from a second-generation ID card reader on a serial line\n"
    "(115200 8N1) and hands each number to the kiosk of this machine: it is held for that\n"
    "kiosk (its device key) for at most 60 s, and the kiosk page attaches it to the next ticket.\n"
    "The number is never printed; the log shows it masked (4403**********1233).\n"
    "\n"
    "  --device PATH       the reader's serial device (reopened after an unplug)\n"
    "  --kiosk-url URL     where hallq serves (the kiosk's own server)\n"
    "  --device-key KEY    the kiosk's device key (POST /devices); or env HALLQ_DEVICE_KEY\n"
    "  --poll-ms N         pause between two looks for a card (50-10000, default 500)\n"
    "  --timeout-ms N      wait at most this long for an answer (50-60000, default 1000)\n"
    "\n"
    "Runs until stopped (SIGINT, SIGTERM). Exit 2 on a usage error.\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (!stop && nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static void say(const char *fmt, const char *arg)
{
    printf("hallq idreader: ");
    printf(fmt, arg);
    printf("\n");
    fflush(stdout);
}

/* Open and set up the line: raw, 115200 8N1, no flow control. -1 when it cannot be opened. */
static int open_line(const char *path)
{
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -1;
    struct termios t;
    if (tcgetattr(fd, &t) == 0) {
        cfmakeraw(&t);
        cfsetispeed(&t, B115200);
        cfsetospeed(&t, B115200);
        t.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS | CSIZE);
        t.c_cflag |= CS8 | CLOCAL | CREAD;
        t.c_cc[VMIN] = 0;
        t.c_cc[VTIME] = 0;
        tcsetattr(fd, TCSANOW, &t);
    }
    tcflush(fd, TCIOFLUSH);
    return fd;
}

enum xfer { XFER_OK, XFER_TIMEOUT, XFER_GONE };

/* Send a command and wait for one good answer frame (garbage and bad frames skipped). */
static enum xfer transact(int fd, uint8_t cmd, uint8_t para, int timeout_ms, uint8_t *buf,
                          size_t cap, struct hq_idc_frame *f)
{
    uint8_t out[16];
    size_t n = hq_idc_command(cmd, para, NULL, 0, out, sizeof out), off = 0;
    tcflush(fd, TCIFLUSH); /* a late answer to an earlier command is not this one's */
    for (size_t w = 0; w < n;) {
        ssize_t k = write(fd, out + w, n - w);
        if (k < 0 && errno != EAGAIN && errno != EINTR) return XFER_GONE;
        if (k > 0) w += (size_t)k;
    }
    size_t have = 0;
    int64_t deadline = mono_ms() + timeout_ms;
    for (;;) {
        size_t used = 0;
        enum hq_idc_status st = hq_idc_decode(buf + off, have - off, 3, f, &used);
        off += used;
        if (st == HQ_IDC_FRAME) return XFER_OK;
        if (st == HQ_IDC_BAD) continue;
        if (off > 0) { /* keep what may be the start of a frame at the front */
            memmove(buf, buf + off, have - off);
            have -= off;
            off = 0;
        }
        if (have == cap) have = 0; /* no frame is this long: drop it all */
        int left = (int)(deadline - mono_ms());
        if (left <= 0 || stop) return XFER_TIMEOUT;
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, left);
        if (r < 0 && errno != EINTR) return XFER_GONE;
        if (r <= 0) continue;
        if (p.revents & (POLLERR | POLLNVAL)) return XFER_GONE;
        ssize_t k = read(fd, buf + have, cap - have);
        if (k > 0)
            have += (size_t)k;
        else if (k == 0 || (errno != EAGAIN && errno != EINTR))
            return XFER_GONE; /* EIO: the reader was unplugged (or the pty's other end closed) */
        else if (p.revents & POLLHUP)
            return XFER_GONE;
    }
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

/* POST the number to the kiosk's hold route; 0 on a 2xx answer. */
static int hand_over(const char *url_base, const char *key, const char *id, long *status)
{
    char url[512], body[64], hdr[300];
    snprintf(url, sizeof url, "%s/api/v1/idcard/hold", url_base);
    snprintf(body, sizeof body, "{\"id_number\":\"%s\"}", id);
    snprintf(hdr, sizeof hdr, "X-Device-Key: %s", key);
    CURL *c = curl_easy_init();
    if (!c) return -1;
    struct curl_slist *hs = curl_slist_append(NULL, "Content-Type: application/json");
    hs = curl_slist_append(hs, hdr);
    hs = curl_slist_append(hs, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c);
    *status = 0;
    if (rc == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(hs);
    curl_easy_cleanup(c);
    sodium_memzero(body, sizeof body);
    return rc == CURLE_OK && *status >= 200 && *status < 300 ? 0 : -1;
}

static int int_opt(const struct hq_opts *o, const char *name, int def, int min, int max)
{
    const char *s = hq_opt(o, name, NULL);
    if (!s) return def;
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < min || v > max) {
        fprintf(stderr, "hallq idreader: --%s: a whole number from %d to %d\n", name, min, max);
        return -1;
    }
    return (int)v;
}

/* One look for a card: 1 a number read into id, 0 no card, -1 no answer, -2 the line is gone. */
static int read_card(int fd, int timeout_ms, char id[HQ_IDNUM_LEN + 1])
{
    static uint8_t buf[HQ_IDC_FRAME_MAX];
    struct hq_idc_frame f;
    static const uint8_t steps[3][3] = {
        {HQ_IDC_FIND, HQ_IDC_FOUND}, {HQ_IDC_SELECT, HQ_IDC_OK}, {HQ_IDC_READ, HQ_IDC_OK}};
    for (int s = 0; s < 3; s++) {
        enum xfer x = transact(fd, steps[s][0], steps[s][1], timeout_ms, buf, sizeof buf, &f);
        if (x == XFER_GONE) return -2;
        if (x == XFER_TIMEOUT) return -1;
        if (f.head[2] != steps[s][2]) return 0; /* no card, or taken away between the steps */
    }
    const uint8_t *text = NULL;
    size_t tl = 0;
    struct hq_idc_person p;
    int rc = 0;
    char norm[HQ_IDNUM_LEN + 1];
    if (hq_idc_read_payload(f.data, f.len, &text, &tl) && hq_idc_parse_text(text, tl, &p)) {
        if (hq_idnum_norm(p.id_number, norm) == HQ_IDNUM_OK) {
            memcpy(id, norm, sizeof norm);
            rc = 1;
        } else {
            say("%s", "a card was read but its number is not valid (check digit); ignored");
        }
    } else {
        say("%s", "a card's text could not be decoded; ignored");
    }
    sodium_memzero(&p, sizeof p);
    sodium_memzero(norm, sizeof norm);
    sodium_memzero(buf, sizeof buf);
    return rc;
}

int cmd_idreader(int argc, char **argv)
{
    static const char *const allowed[] = {"device",     "kiosk-url", "device-key", "poll-ms",
                                          "timeout-ms", "config",    "help!",      NULL};
    struct hq_opts o;
    if (hq_opts_parse(&o, argc, argv, allowed, "idreader")) return 2;
    if (o.help) {
        fputs(usage_text, stdout);
        return 0;
    }
    const char *dev = hq_opt(&o, "device", NULL), *base = hq_opt(&o, "kiosk-url", NULL);
    const char *key = hq_opt(&o, "device-key", getenv("HALLQ_DEVICE_KEY"));
    int poll_ms = int_opt(&o, "poll-ms", 500, 50, 10000);
    int timeout_ms = int_opt(&o, "timeout-ms", 1000, 50, 60000);
    if (!dev || !base || !key || !*key || poll_ms < 0 || timeout_ms < 0) {
        fputs(usage_text, stderr);
        return 2;
    }
    if (strlen(base) > 400 || strlen(key) > 200) {
        fprintf(stderr, "hallq idreader: --kiosk-url or --device-key too long\n");
        return 2;
    }
    if (sodium_init() < 0) return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int fd = -1, silent = 0;
    bool told_missing = false;
    char last[HQ_IDNUM_LEN + 1] = ""; /* the card on the reader now: handed over once */
    while (!stop) {
        if (fd < 0) {
            fd = open_line(dev);
            if (fd < 0) {
                if (!told_missing) say("waiting for the reader at %s", dev);
                told_missing = true;
                sleep_ms(1000);
                continue;
            }
            told_missing = false;
            silent = 0;
            say("reader open at %s", dev);
        }
        char id[HQ_IDNUM_LEN + 1] = "";
        int r = read_card(fd, timeout_ms, id);
        if (r == -2 || (r == -1 && ++silent >= 3)) {
            say("%s", r == -2 ? "the reader is gone (unplugged?): reopening"
                              : "no answer from the reader: reopening");
            close(fd);
            fd = -1;
            last[0] = '\0';
            sleep_ms(poll_ms);
            continue;
        }
        if (r == -1) {
            say("%s", "no answer from the reader (time-out)");
            continue;
        }
        silent = 0;
        if (r == 0) last[0] = '\0';
        if (r == 1 && strcmp(id, last) != 0) {
            char masked[HQ_IDNUM_LEN + 1];
            long status = 0;
            hq_idnum_mask(masked, id);
            if (hand_over(base, key, id, &status) == 0) {
                memcpy(last, id, sizeof last);
                say("card %s handed to the kiosk", masked);
            } else {
                char why[48];
                snprintf(why, sizeof why, "HTTP %ld", status);
                say("the kiosk did not take the card (%s); will retry", status ? why : "no answer");
            }
        }
        sodium_memzero(id, sizeof id);
        sleep_ms(poll_ms);
    }
    if (fd >= 0) close(fd);
    sodium_memzero(last, sizeof last);
    curl_global_cleanup();
    return 0;
}
