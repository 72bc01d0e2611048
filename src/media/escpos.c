/* SPDX-License-Identifier: MIT */
/*
 * escpos.c — paper tickets for ESC/POS thermal printers (Epson TM-T88 and the many Chinese
 * 80 mm clones that follow it): the byte stream of one ticket, and its transport to a file or
 * device, or to a network printer over raw TCP (port 9100) with one deadline for connect, write
 * and close. Chinese text is sent in GB18030 (iconv) inside FS & Chinese mode, as these printers
 * expect; the QR code is the printer's own (GS ( k, model 2, level M), so it stays sharp.
 *
 * Every string was checked first (hq__media_ticket_check): valid UTF-8 without control characters,
 * so no field can smuggle a printer command. Nothing here blocks except the transport functions,
 * which callers run off the event loop. Whether a failed print withdraws the ticket or shows it on
 * screen is the kiosk's policy, not this file's (docs/MEDIA.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "media_int.h"

#define ESC 0x1B
#define GS 0x1D
#define FS 0x1C
#define DLE 0x10
#define EOT 0x04
#define LF 0x0A

/* ------------------------------------------------------------------ the byte stream */

/* Append UTF-8 s converted to GB18030. */
static int add_gb(struct hq__mbuf *b, iconv_t cd, const char *s)
{
    char out[1024];
    char *in = (char *)s;
    size_t in_left = strlen(s);
    iconv(cd, NULL, NULL, NULL, NULL);
    while (in_left > 0) {
        char *o = out;
        size_t o_left = sizeof out;
        size_t r = iconv(cd, &in, &in_left, &o, &o_left);
        hq__mbuf_add(b, out, sizeof out - o_left);
        if (r == (size_t)-1 && errno != E2BIG) return HQ_MEDIA_EINVAL;
    }
    return 0;
}

static void add_cmd(struct hq__mbuf *b, const unsigned char *c, size_t n)
{
    hq__mbuf_add(b, c, n);
}

static int add_line(struct hq__mbuf *b, iconv_t cd, const char *s)
{
    int rc = add_gb(b, cd, s);
    hq__mbuf_byte(b, LF);
    return rc;
}

bool hq__media_wait_line(const struct hq_print_ticket *t, char *buf, size_t len)
{
    if (t->no_window) { /* API.md: serving_windows 0 is said, not a minute figure */
        snprintf(buf, len, "当前无窗口办理 / No window is serving this now");
        return true;
    }
    if (t->wait_hi_s > 0 && t->wait_lo_s >= 0 && t->wait_lo_s <= t->wait_hi_s) {
        int lo = (t->wait_lo_s + 59) / 60, hi = (t->wait_hi_s + 59) / 60;
        if (lo < hi)
            snprintf(buf, len, "预计等待 约 %d–%d 分钟 / about %d–%d min", lo, hi, lo, hi);
        else
            snprintf(buf, len, "预计等待 约 %d 分钟 / about %d min", hi, hi);
        return true;
    }
    if (t->wait_s >= 0) {
        int min = (t->wait_s + 59) / 60;
        snprintf(buf, len, "预计等待 约 %d 分钟 / about %d min", min, min);
        return true;
    }
    return false;
}

int hq_escpos_ticket(const struct hq_print_ticket *t, const struct hq_escpos_options *opts,
                     unsigned char **out, size_t *len, struct hq_media_why *why)
{
    static const struct hq_escpos_options defaults;
    if (!out || !len) return hq__media_fail(why, HQ_MEDIA_EINVAL, "escpos: NULL argument");
    if (!opts) opts = &defaults;
    int size = opts->number_size ? opts->number_size : 5;
    int module = opts->qr_module ? opts->qr_module : 6;
    if (size < 1 || size > 8 || module < 1 || module > 16)
        return hq__media_fail(why, HQ_MEDIA_EINVAL, "escpos: number_size 1..8 and qr_module 1..16");
    int rc = hq__media_ticket_check(t, why);
    if (rc) return rc;
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    if (cd == (iconv_t)-1)
        return hq__media_fail(why, HQ_MEDIA_EIO, "escpos: iconv has no UTF-8 -> GB18030");

    struct hq__mbuf b;
    hq__mbuf_init(&b, 1u << 20);
    char line[512];
    rc = 0;
    add_cmd(&b, (const unsigned char[]){ESC, '@'}, 2);      /* initialise */
    add_cmd(&b, (const unsigned char[]){FS, '&'}, 2);       /* Chinese mode: GB18030 text */
    add_cmd(&b, (const unsigned char[]){ESC, 'a', 1}, 3);   /* centre */
    add_cmd(&b, (const unsigned char[]){GS, '!', 0x11}, 3); /* double width and height */
    rc |= add_line(&b, cd, t->hall);
    add_cmd(&b, (const unsigned char[]){GS, '!', 0x00}, 3);
    hq__mbuf_byte(&b, LF);
    unsigned char mag = (unsigned char)(((size - 1) << 4) | (size - 1));
    add_cmd(&b, (const unsigned char[]){ESC, 'E', 1, GS, '!', mag}, 6);
    rc |= add_line(&b, cd, t->number);
    add_cmd(&b, (const unsigned char[]){GS, '!', 0x00, ESC, 'E', 0}, 6);
    if (t->service_zh && *t->service_zh) {
        add_cmd(&b, (const unsigned char[]){GS, '!', 0x01}, 3); /* double height */
        rc |= add_line(&b, cd, t->service_zh);
        add_cmd(&b, (const unsigned char[]){GS, '!', 0x00}, 3);
    }
    if (t->service_en && *t->service_en) rc |= add_line(&b, cd, t->service_en);
    hq__mbuf_byte(&b, LF);
    add_cmd(&b, (const unsigned char[]){ESC, 'a', 0}, 3); /* left */
    if (t->ahead >= 0) {
        snprintf(line, sizeof line, "前面还有 %d 人 / %d ahead of you", t->ahead, t->ahead);
        rc |= add_line(&b, cd, line);
    }
    if (hq__media_wait_line(t, line, sizeof line)) rc |= add_line(&b, cd, line);
    if (t->issued && *t->issued) {
        snprintf(line, sizeof line, "取号时间 / Issued: %s", t->issued);
        rc |= add_line(&b, cd, line);
    }
    if (t->n_documents > 0) {
        rc |= add_line(&b, cd, "所需材料 / Documents:");
        for (int i = 0; i < t->n_documents; i++) {
            snprintf(line, sizeof line, " %d. %s", i + 1, t->documents[i]);
            rc |= add_line(&b, cd, line);
        }
    }
    if (t->url && *t->url) {
        size_t n = strlen(t->url) + 3;
        hq__mbuf_byte(&b, LF);
        add_cmd(&b, (const unsigned char[]){ESC, 'a', 1}, 3);
        /* GS ( k: model 2; module size; error correction M; store; print */
        add_cmd(&b, (const unsigned char[]){GS, '(', 'k', 4, 0, 0x31, 0x41, 0x32, 0x00}, 9);
        add_cmd(&b, (const unsigned char[]){GS, '(', 'k', 3, 0, 0x31, 0x43, (unsigned char)module},
                8);
        add_cmd(&b, (const unsigned char[]){GS, '(', 'k', 3, 0, 0x31, 0x45, 0x31}, 8);
        add_cmd(&b,
                (const unsigned char[]){GS, '(', 'k', (unsigned char)(n & 0xFF),
                                        (unsigned char)(n >> 8), 0x31, 0x50, 0x30},
                8);
        hq__mbuf_str(&b, t->url); /* bytes as they are: the QR payload is UTF-8 */
        add_cmd(&b, (const unsigned char[]){GS, '(', 'k', 3, 0, 0x31, 0x51, 0x30}, 8);
        hq__mbuf_byte(&b, LF);
    }
    if (t->footer && *t->footer) {
        add_cmd(&b, (const unsigned char[]){ESC, 'a', 1}, 3);
        rc |= add_line(&b, cd, t->footer);
    }
    add_cmd(&b, (const unsigned char[]){ESC, 'd', 4}, 3); /* feed past the cutter */
    add_cmd(&b, (const unsigned char[]){FS, '.'}, 2);     /* Chinese mode off */
    if (!opts->no_cut) add_cmd(&b, (const unsigned char[]){GS, 'V', 66, 0}, 4); /* partial cut */
    iconv_close(cd);
    if (rc) {
        hq__mbuf_release(&b);
        return hq__media_fail(why, HQ_MEDIA_EINVAL, "escpos: text not representable in GB18030");
    }
    if (!b.ok) {
        hq__mbuf_release(&b);
        return hq__media_fail(why, HQ_MEDIA_ENOMEM, "escpos: out of memory");
    }
    *out = b.data;
    *len = b.len;
    return 0;
}

/* ------------------------------------------------------------------ transport */

int hq_escpos_write_file(const char *path, const unsigned char *buf, size_t len,
                         struct hq_media_why *why)
{
    if (!path || (!buf && len))
        return hq__media_fail(why, HQ_MEDIA_EINVAL, "escpos: NULL argument");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return hq__media_fail(why, HQ_MEDIA_EIO, "%s: %s", path, strerror(errno));
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, buf + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            return hq__media_fail(why, HQ_MEDIA_EIO, "%s: write: %s", path, strerror(e));
        }
        off += (size_t)w;
    }
    if (close(fd) != 0) return hq__media_fail(why, HQ_MEDIA_EIO, "%s: %s", path, strerror(errno));
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Poll fd for events until deadline; 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0) return 0;
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) return 0;
        return 1;
    }
}

/* "host:port", "host" (9100), "[v6]:port", "[v6]", bare "v6". */
static int split_hostport(const char *hp, char *host, size_t host_size, char *port,
                          size_t port_size)
{
    if (!hp || !*hp || strlen(hp) >= host_size) return -1;
    const char *p;
    if (hp[0] == '[') {
        const char *end = strchr(hp, ']');
        if (!end || end == hp + 1) return -1;
        snprintf(host, host_size, "%.*s", (int)(end - hp - 1), hp + 1);
        p = end[1] == ':' ? end + 2 : (end[1] ? NULL : "9100");
        if (!p) return -1;
    } else {
        const char *colon = strchr(hp, ':');
        if (colon && strchr(colon + 1, ':')) { /* bare IPv6 address */
            snprintf(host, host_size, "%s", hp);
            p = "9100";
        } else if (colon) {
            snprintf(host, host_size, "%.*s", (int)(colon - hp), hp);
            p = colon + 1;
        } else {
            snprintf(host, host_size, "%s", hp);
            p = "9100";
        }
    }
    char *end;
    long n = strtol(p, &end, 10);
    if (!*host || *end || end == p || n < 1 || n > 65535) return -1;
    snprintf(port, port_size, "%ld", n);
    return 0;
}

/* Connect within the deadline: 0 and *out the socket, or an error with *why filled. */
static int dial(const char *hp, int64_t deadline, int *out, struct hq_media_why *why)
{
    char host[256], port[8];
    if (split_hostport(hp, host, sizeof host, port, sizeof port) != 0)
        return hq__media_fail(why, HQ_MEDIA_EINVAL, "printer: '%.100s' is not host:port",
                              hp ? hp : "(null)");
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *res = NULL;
    int e = getaddrinfo(host, port, &hints, &res);
    if (e != 0)
        return hq__media_fail(why, HQ_MEDIA_EOFFLINE, "printer %s: cannot resolve: %s", hp,
                              gai_strerror(e));
    int fd = -1, err = 0;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
        err = errno;
        if (err == EINPROGRESS) {
            int r = wait_fd(fd, POLLOUT, deadline);
            if (r > 0) {
                socklen_t sl = sizeof err;
                if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) == 0 && err == 0) break;
            } else {
                err = r == 0 ? ETIMEDOUT : errno;
            }
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        if (err == ETIMEDOUT)
            return hq__media_fail(why, HQ_MEDIA_EOFFLINE,
                                  "printer %s: no answer in time (offline?)", hp);
        return hq__media_fail(why, HQ_MEDIA_EOFFLINE, "printer %s: %s (offline?)", hp,
                              strerror(err));
    }
    *out = fd;
    return 0;
}

static int send_all(int fd, const char *hp, const unsigned char *buf, size_t len, int64_t deadline,
                    struct hq_media_why *why)
{
    size_t off = 0;
    while (off < len) {
        ssize_t w = send(fd, buf + off, len - off, MSG_NOSIGNAL);
        if (w > 0) {
            off += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int r = wait_fd(fd, POLLOUT, deadline);
            if (r > 0) continue;
            if (r == 0)
                return hq__media_fail(why, HQ_MEDIA_EOFFLINE,
                                      "printer %s: stopped accepting data (%zu of %zu bytes "
                                      "sent; paper jam or hung?)",
                                      hp, off, len);
        }
        return hq__media_fail(why, HQ_MEDIA_EOFFLINE, "printer %s: write: %s", hp, strerror(errno));
    }
    return 0;
}

static int clamp_timeout(int timeout_ms, int def)
{
    if (timeout_ms <= 0) return def;
    return timeout_ms > 600000 ? 600000 : timeout_ms;
}

int hq_escpos_send(const char *hostport, const unsigned char *buf, size_t len, int timeout_ms,
                   struct hq_media_why *why)
{
    if (!buf && len) return hq__media_fail(why, HQ_MEDIA_EINVAL, "escpos: NULL buffer");
    int64_t deadline = now_ms() + clamp_timeout(timeout_ms, 3000);
    int fd = -1;
    int rc = dial(hostport, deadline, &fd, why);
    if (rc) return rc;
    rc = send_all(fd, hostport, buf, len, deadline, why);
    if (rc == 0) {
        /* Half-close, then read until the printer closes (or a short while): closing with
         * unread status bytes pending could reset the connection and drop the ticket's tail. */
        shutdown(fd, SHUT_WR);
        int64_t linger = now_ms() + 1000;
        if (linger > deadline) linger = deadline;
        unsigned char tmp[256];
        while (wait_fd(fd, POLLIN, linger) > 0) {
            ssize_t r = recv(fd, tmp, sizeof tmp, 0);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
        }
    }
    close(fd);
    return rc;
}

/* connected: set when the TCP connection was made (the printer is there). */
static int status_query(const char *hostport, int timeout_ms, struct hq_printer_status *st,
                        bool *connected, struct hq_media_why *why)
{
    *connected = false;
    int64_t deadline = now_ms() + clamp_timeout(timeout_ms, 2000);
    int fd = -1;
    int rc = dial(hostport, deadline, &fd, why);
    if (rc) return rc;
    *connected = true;
    rc = send_all(fd, hostport, (const unsigned char[]){DLE, EOT, 4}, 3, deadline, why);
    if (rc == 0) {
        unsigned char c = 0;
        ssize_t r = -1;
        for (;;) {
            int w = wait_fd(fd, POLLIN, deadline);
            if (w <= 0) break;
            r = recv(fd, &c, 1, 0);
            if (r < 0 && errno == EINTR) continue;
            break;
        }
        if (r == 1) {
            st->raw = c;
            st->paper_near_end = (c & 0x0C) != 0;
            st->paper_out = (c & 0x60) != 0;
        } else {
            rc = hq__media_fail(why, HQ_MEDIA_EOFFLINE,
                                "printer %s: no answer to the status query (DLE EOT 4)", hostport);
        }
    }
    close(fd);
    return rc;
}

int hq_escpos_status(const char *hostport, int timeout_ms, struct hq_printer_status *st,
                     struct hq_media_why *why)
{
    if (!st) return hq__media_fail(why, HQ_MEDIA_EINVAL, "escpos: NULL argument");
    struct hq_printer_status s = {0};
    bool connected;
    int rc = status_query(hostport, timeout_ms, &s, &connected, why);
    if (rc == 0) *st = s;
    return rc;
}

int hq_escpos_print(const char *hostport, const unsigned char *buf, size_t len, int timeout_ms,
                    struct hq_media_why *why)
{
    int total = clamp_timeout(timeout_ms, 3000);
    int64_t start = now_ms();
    struct hq_printer_status st = {0};
    bool connected;
    int status_ms = total / 3 < 1000 ? total / 3 : 1000;
    int rc = status_query(hostport, status_ms > 0 ? status_ms : 1, &st, &connected, why);
    if (rc == HQ_MEDIA_EINVAL) return rc;
    if (rc != 0 && !connected) return rc; /* nobody there: do not try again */
    if (rc == 0 && st.paper_out)
        return hq__media_fail(why, HQ_MEDIA_EPAPER, "printer %s: paper out (status 0x%02x)",
                              hostport, st.raw);
    int left = total - (int)(now_ms() - start);
    return hq_escpos_send(hostport, buf, len, left > 100 ? left : 100, why);
}
