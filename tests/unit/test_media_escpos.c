/* SPDX-License-Identifier: MIT */
/*
 * test_media_escpos.c — paper tickets (src/media/escpos.c) printed to a fake network printer: a
 * thread listening on 127.0.0.1 (port 0) that records every connection's bytes and answers the
 * DLE EOT 4 status query as told. The bytes are parsed back command by command (an unknown
 * command fails the test), the text lines converted from GB18030 to UTF-8 and checked, the QR
 * payload taken from the GS ( k store command. An offline printer (nothing listening) and a hung
 * one (accepts, never reads) give errors within the timeout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <iconv.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "media/hq_media.h"

static const struct hq_print_ticket TICKET = {
    .hall = "市民服务中心",
    .number = "A001",
    .service_zh = "社保办理",
    .service_en = "Social insurance",
    .ahead = 7,
    .wait_s = 610,
    .issued = "2024-05-06 09:31",
    .documents = {"身份证", "户口本 (原件)"},
    .n_documents = 2,
    .url = "http://hall.example/t/0123456789abcdef0123456789abcdef",
    .footer = "请留意叫号 Please listen for your number",
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the fake printer ---- */

#define CONN_MAX 4

struct fake {
    int lfd;
    char addr[64];
    int status_byte; /* answer to DLE EOT 4; -1 = never answer */
    bool never_read; /* accept and hold the connection without reading */
    int conns;       /* connections to serve, then the thread ends */
    unsigned char *got[CONN_MAX];
    size_t got_len[CONN_MAX];
    int n_got;
    int stop[2]; /* a byte written here releases a never_read connection */
    pthread_t th;
};

static void *fake_run(void *arg)
{
    struct fake *f = arg;
    for (int c = 0; c < f->conns && c < CONN_MAX; c++) {
        int fd = accept(f->lfd, NULL, NULL);
        if (fd < 0) break;
        unsigned char *buf = NULL;
        size_t len = 0;
        if (f->never_read) {
            struct pollfd p = {.fd = f->stop[0], .events = POLLIN};
            poll(&p, 1, 10000); /* hold it until the test is done */
        } else {
            unsigned char tmp[4096];
            for (;;) {
                ssize_t r = recv(fd, tmp, sizeof tmp, 0);
                if (r < 0 && errno == EINTR) continue;
                if (r <= 0) break;
                buf = realloc(buf, len + (size_t)r);
                memcpy(buf + len, tmp, (size_t)r);
                len += (size_t)r;
                if (len == 3 && !memcmp(buf, "\x10\x04\x04", 3) && f->status_byte >= 0) {
                    unsigned char s = (unsigned char)f->status_byte;
                    send(fd, &s, 1, MSG_NOSIGNAL);
                }
            }
        }
        close(fd);
        f->got[f->n_got] = buf;
        f->got_len[f->n_got++] = len;
    }
    return NULL;
}

static void fake_start(struct fake *f, int conns, int status_byte, bool never_read)
{
    memset(f, 0, sizeof *f);
    f->conns = conns;
    f->status_byte = status_byte;
    f->never_read = never_read;
    assert_int_equal(pipe(f->stop), 0);
    f->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(f->lfd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(f->lfd, (struct sockaddr *)&a, sizeof a), 0);
    if (never_read) {
        int small = 4096;
        setsockopt(f->lfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    }
    assert_int_equal(listen(f->lfd, 8), 0);
    socklen_t sl = sizeof a;
    assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&a, &sl), 0);
    snprintf(f->addr, sizeof f->addr, "127.0.0.1:%d", ntohs(a.sin_port));
    assert_int_equal(pthread_create(&f->th, NULL, fake_run, f), 0);
}

/* End the thread; what it recorded stays readable until fake_free. */
static void fake_stop(struct fake *f)
{
    assert_int_equal(write(f->stop[1], "x", 1), 1);
    shutdown(f->lfd, SHUT_RDWR); /* wakes accept() if fewer connections came */
    pthread_join(f->th, NULL);
    close(f->lfd);
    close(f->stop[0]);
    close(f->stop[1]);
}

static void fake_free(struct fake *f)
{
    for (int i = 0; i < f->n_got; i++)
        free(f->got[i]);
}

/* ---- an ESC/POS reader for the commands a ticket may contain ---- */

struct parsed {
    char lines[64][512];    /* UTF-8 */
    unsigned char size[64]; /* GS ! value when the line was printed */
    int n_lines;
    char qr[2048];
    int qr_model, qr_ec, qr_module, qr_printed;
    bool init, chinese_on, chinese_off, cut;
};

static void flush_line(struct parsed *p, const unsigned char *gb, size_t n, unsigned char size)
{
    assert_true(p->n_lines < 64);
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    assert_true(cd != (iconv_t)-1);
    char *in = (char *)gb, *out = p->lines[p->n_lines];
    size_t in_left = n, out_left = sizeof p->lines[0] - 1;
    if (iconv(cd, &in, &in_left, &out, &out_left) == (size_t)-1)
        fail_msg("line %d is not GB18030", p->n_lines);
    *out = 0;
    iconv_close(cd);
    p->size[p->n_lines++] = size;
}

static void escpos_parse(const unsigned char *b, size_t n, struct parsed *p)
{
    memset(p, 0, sizeof *p);
    unsigned char text[1024], size = 0;
    size_t tn = 0, i = 0;
    while (i < n) {
        unsigned char c = b[i];
        if (c == 0x0A) {
            flush_line(p, text, tn, size);
            tn = 0;
            i++;
        } else if (c == 0x1B) {
            assert_true(i + 1 < n);
            switch (b[i + 1]) {
            case '@':
                p->init = true;
                i += 2;
                break;
            case 'a':
            case 'E':
            case 'd':
                i += 3;
                break;
            default:
                fail_msg("unknown ESC %02x at %zu", b[i + 1], i);
            }
        } else if (c == 0x1C) {
            assert_true(i + 1 < n);
            if (b[i + 1] == '&')
                p->chinese_on = true;
            else if (b[i + 1] == '.')
                p->chinese_off = true;
            else
                fail_msg("unknown FS %02x", b[i + 1]);
            i += 2;
        } else if (c == 0x1D) {
            assert_true(i + 2 < n);
            if (b[i + 1] == '!') {
                size = b[i + 2];
                i += 3;
            } else if (b[i + 1] == 'V') {
                assert_int_equal(b[i + 2], 66);
                p->cut = true;
                i += 4;
            } else if (b[i + 1] == '(' && b[i + 2] == 'k') {
                assert_true(i + 7 < n);
                size_t plen = b[i + 3] | (size_t)b[i + 4] << 8;
                const unsigned char *d = b + i + 5;
                assert_true(i + 5 + plen <= n);
                assert_int_equal(d[0], 0x31); /* cn 49: QR code */
                switch (d[1]) {
                case 0x41:
                    p->qr_model = d[2];
                    break;
                case 0x43:
                    p->qr_module = d[2];
                    break;
                case 0x45:
                    p->qr_ec = d[2];
                    break;
                case 0x50:
                    assert_int_equal(d[2], 0x30);
                    assert_true(plen - 3 < sizeof p->qr);
                    memcpy(p->qr, d + 3, plen - 3);
                    p->qr[plen - 3] = 0;
                    break;
                case 0x51:
                    p->qr_printed++;
                    break;
                default:
                    fail_msg("unknown QR function %02x", d[1]);
                }
                i += 5 + plen;
            } else {
                fail_msg("unknown GS %02x", b[i + 1]);
            }
        } else if (c < 0x20) {
            fail_msg("unexpected control byte %02x at %zu", c, i);
        } else {
            assert_true(tn < sizeof text);
            text[tn++] = c;
            i++;
        }
    }
    assert_int_equal(tn, 0); /* every line ended */
}

static int find_line(const struct parsed *p, const char *needle)
{
    for (int i = 0; i < p->n_lines; i++)
        if (strstr(p->lines[i], needle)) return i;
    fail_msg("no line contains '%s'", needle);
    return -1;
}

static void check_ticket_bytes(const unsigned char *b, size_t n)
{
    struct parsed p;
    escpos_parse(b, n, &p);
    assert_true(p.init && p.chinese_on && p.chinese_off && p.cut);
    int hall = find_line(&p, "市民服务中心");
    assert_int_equal(p.size[hall], 0x11);
    int num = find_line(&p, "A001");
    assert_string_equal(p.lines[num], "A001");
    assert_int_equal(p.size[num], 0x44); /* large type: 5x5 */
    find_line(&p, "社保办理");
    find_line(&p, "Social insurance");
    find_line(&p, "前面还有 7 人");
    find_line(&p, "约 11 分钟");
    find_line(&p, "2024-05-06 09:31");
    find_line(&p, "1. 身份证");
    find_line(&p, "2. 户口本 (原件)");
    find_line(&p, "请留意叫号");
    assert_string_equal(p.qr, TICKET.url);
    assert_int_equal(p.qr_model, 0x32);
    assert_int_equal(p.qr_ec, 0x31);
    assert_int_equal(p.qr_module, 6);
    assert_int_equal(p.qr_printed, 1);
    /* GB18030 on the wire, not UTF-8: 市 is CA D0 in GB18030, E5 B8 82 in UTF-8 */
    assert_non_null(memmem(b, n, "\xCA\xD0\xC3\xF1", 4)); /* 市民 */
    assert_null(memmem(b, n, "\xE5\xB8\x82", 3));
}

static void test_bytes_parse_back(void **state)
{
    (void)state;
    unsigned char *b = NULL;
    size_t n = 0;
    struct hq_media_why why = {0};
    assert_int_equal(hq_escpos_ticket(&TICKET, NULL, &b, &n, &why), 0);
    check_ticket_bytes(b, n);
    free(b);
    /* options: no cut, other sizes */
    struct hq_escpos_options o = {.number_size = 8, .qr_module = 3, .no_cut = true};
    assert_int_equal(hq_escpos_ticket(&TICKET, &o, &b, &n, &why), 0);
    struct parsed p;
    escpos_parse(b, n, &p);
    assert_false(p.cut);
    assert_int_equal(p.size[find_line(&p, "A001")], 0x77);
    assert_int_equal(p.qr_module, 3);
    free(b);
}

static void test_print_to_fake_printer(void **state)
{
    (void)state;
    struct fake f;
    fake_start(&f, 2, 0x12, false); /* status query, then the ticket */
    unsigned char *b = NULL;
    size_t n = 0;
    struct hq_media_why why = {0};
    assert_int_equal(hq_escpos_ticket(&TICKET, NULL, &b, &n, &why), 0);
    int rc = hq_escpos_print(f.addr, b, n, 3000, &why);
    if (rc) fail_msg("print: %s", why.message);
    fake_stop(&f);
    assert_int_equal(f.n_got, 2);
    assert_int_equal(f.got_len[0], 3);
    assert_memory_equal(f.got[0], "\x10\x04\x04", 3);
    assert_int_equal(f.got_len[1], n);
    assert_memory_equal(f.got[1], b, n);
    check_ticket_bytes(f.got[1], f.got_len[1]);
    fake_free(&f);
    free(b);
}

static void test_printer_status(void **state)
{
    (void)state;
    struct fake f;
    struct hq_printer_status st;
    struct hq_media_why why = {0};
    fake_start(&f, 1, 0x12 | 0x0C, false);
    assert_int_equal(hq_escpos_status(f.addr, 2000, &st, &why), 0);
    fake_stop(&f);
    fake_free(&f);
    assert_true(st.paper_near_end);
    assert_false(st.paper_out);

    /* paper out: the ticket is not sent */
    fake_start(&f, 2, 0x12 | 0x60, false);
    double t0 = now_s();
    assert_int_equal(hq_escpos_print(f.addr, (const unsigned char *)"x", 1, 3000, &why),
                     HQ_MEDIA_EPAPER);
    assert_non_null(strstr(why.message, "paper out"));
    assert_true(now_s() - t0 < 1.5);
    fake_stop(&f);
    assert_int_equal(f.n_got, 1);
    fake_free(&f);

    /* a printer that does not answer status queries still gets the ticket */
    fake_start(&f, 2, -1, false);
    assert_int_equal(hq_escpos_print(f.addr, (const unsigned char *)"hello\n", 6, 1500, &why), 0);
    fake_stop(&f);
    assert_int_equal(f.n_got, 2);
    assert_int_equal(f.got_len[1], 6);
    assert_memory_equal(f.got[1], "hello\n", 6);
    fake_free(&f);
}

static void test_offline_printer(void **state)
{
    (void)state;
    /* a port nobody listens on: bind, read the port, close */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t sl = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &sl), 0);
    close(fd);
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", ntohs(a.sin_port));

    unsigned char *b = NULL;
    size_t n = 0;
    struct hq_media_why why = {0};
    assert_int_equal(hq_escpos_ticket(&TICKET, NULL, &b, &n, &why), 0);
    double t0 = now_s();
    assert_int_equal(hq_escpos_send(addr, b, n, 2000, &why), HQ_MEDIA_EOFFLINE);
    assert_true(now_s() - t0 < 3);
    assert_non_null(strstr(why.message, "refused"));
    assert_int_equal(hq_escpos_print(addr, b, n, 2000, &why), HQ_MEDIA_EOFFLINE);
    struct hq_printer_status st;
    assert_int_equal(hq_escpos_status(addr, 1000, &st, &why), HQ_MEDIA_EOFFLINE);
    assert_true(now_s() - t0 < 3);
    free(b);

    assert_int_equal(hq_escpos_send("nonsense:port", (const unsigned char *)"x", 1, 100, &why),
                     HQ_MEDIA_EINVAL);
    assert_int_equal(hq_escpos_send("host:70000", (const unsigned char *)"x", 1, 100, &why),
                     HQ_MEDIA_EINVAL);
    assert_int_equal(hq_escpos_send("", (const unsigned char *)"x", 1, 100, &why), HQ_MEDIA_EINVAL);
}

/* Accepts the connection and never reads: the write deadline must fire. */
static void test_hung_printer_times_out(void **state)
{
    (void)state;
    struct fake f;
    fake_start(&f, 1, -1, true);
    size_t n = 32u << 20;
    unsigned char *b = calloc(1, n);
    assert_non_null(b);
    struct hq_media_why why = {0};
    double t0 = now_s();
    assert_int_equal(hq_escpos_send(f.addr, b, n, 500, &why), HQ_MEDIA_EOFFLINE);
    double dt = now_s() - t0;
    if (dt < 0.4 || dt > 2) fail_msg("gave up after %.2f s", dt);
    assert_non_null(strstr(why.message, "stopped accepting"));
    free(b);
    fake_stop(&f);
    fake_free(&f);
}

static void test_to_file(void **state)
{
    (void)state;
    char path[] = "/tmp/hq-test-escpos-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unsigned char *b = NULL;
    size_t n = 0;
    struct hq_media_why why = {0};
    assert_int_equal(hq_escpos_ticket(&TICKET, NULL, &b, &n, &why), 0);
    assert_int_equal(hq_escpos_write_file(path, b, n, &why), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char *r = malloc(n + 1);
    assert_int_equal(fread(r, 1, n + 1, f), n);
    fclose(f);
    assert_memory_equal(r, b, n);
    unlink(path);
    free(r);
    free(b);
    assert_int_equal(
        hq_escpos_write_file("/nonexistent/dir/x", (const unsigned char *)"x", 1, &why),
        HQ_MEDIA_EIO);
}

static void test_refusals(void **state)
{
    (void)state;
    unsigned char *b = (unsigned char *)"untouched";
    size_t n = 3;
    struct hq_media_why why = {0};
    struct hq_print_ticket t = TICKET;
    t.hall = "大厅\x1b@"; /* an ESC smuggled in a name */
    assert_int_equal(hq_escpos_ticket(&t, NULL, &b, &n, &why), HQ_MEDIA_EINVAL);
    assert_non_null(strstr(why.message, "hall"));
    t = TICKET;
    t.documents[1] = "\xff\xfe";
    assert_int_equal(hq_escpos_ticket(&t, NULL, &b, &n, &why), HQ_MEDIA_EINVAL);
    assert_non_null(strstr(why.message, "documents[1]"));
    t = TICKET;
    t.number = "";
    assert_int_equal(hq_escpos_ticket(&t, NULL, &b, &n, &why), HQ_MEDIA_EINVAL);
    t = TICKET;
    t.n_documents = HQ_PRINT_DOCS_MAX + 1;
    assert_int_equal(hq_escpos_ticket(&t, NULL, &b, &n, &why), HQ_MEDIA_EINVAL);
    t = TICKET;
    t.footer = "a\nb";
    assert_int_equal(hq_escpos_ticket(&t, NULL, &b, &n, &why), HQ_MEDIA_EINVAL);
    struct hq_escpos_options o = {.number_size = 9};
    assert_int_equal(hq_escpos_ticket(&TICKET, &o, &b, &n, &why), HQ_MEDIA_EINVAL);
    assert_string_equal((char *)b, "untouched");
    assert_int_equal(n, 3);
    /* optional fields left out */
    t = (struct hq_print_ticket){.hall = "H", .number = "B2", .ahead = -1, .wait_s = -1};
    assert_int_equal(hq_escpos_ticket(&t, NULL, &b, &n, &why), 0);
    struct parsed p;
    escpos_parse(b, n, &p);
    assert_int_equal(p.qr_printed, 0);
    for (int i = 0; i < p.n_lines; i++)
        assert_null(strstr(p.lines[i], "ahead"));
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes_parse_back),
        cmocka_unit_test(test_print_to_fake_printer),
        cmocka_unit_test(test_printer_status),
        cmocka_unit_test(test_offline_printer),
        cmocka_unit_test(test_hung_printer_times_out),
        cmocka_unit_test(test_to_file),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
