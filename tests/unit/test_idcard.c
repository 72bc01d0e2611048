/* SPDX-License-Identifier: MIT */
/*
 * test_idcard.c — the frame codec of second-generation ID card readers (src/idcard/): the XOR
 * checksum, commands and answers byte for byte, decoding from a stream with garbage before a frame,
 * a bad checksum, a frame cut short (read in pieces), an impossible length, and the fixed UCS-2LE
 * fields of a card's base text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "idcard/hq_idcard.h"

static void checksum_and_command(void **st)
{
    (void)st;
    uint8_t out[32];
    /* find card: AA AA AA 96 69 00 03 20 01 22 (LEN 3: cmd, para, chk; 00^03^20^01 = 22) */
    static const uint8_t find[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x22};
    size_t n = hq_idc_command(HQ_IDC_FIND, NULL, 0, out, sizeof out);
    assert_int_equal(n, sizeof find);
    assert_memory_equal(out, find, sizeof find);
    static const uint8_t sel[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x02, 0x21};
    assert_int_equal(hq_idc_command(HQ_IDC_SELECT, NULL, 0, out, sizeof out), sizeof sel);
    assert_memory_equal(out, sel, sizeof sel);
    static const uint8_t rd[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x30, 0x01, 0x32};
    assert_int_equal(hq_idc_command(HQ_IDC_READ, NULL, 0, out, sizeof out), sizeof rd);
    assert_memory_equal(out, rd, sizeof rd);
    /* the answer "found": 00 00 9F and four zero bytes; LEN 8 */
    static const uint8_t z[4] = {0};
    n = hq_idc_answer(0, 0, HQ_IDC_FOUND, z, 4, out, sizeof out);
    assert_int_equal(n, 15);
    assert_int_equal(out[6], 8);
    assert_int_equal(out[14], hq_idc_xor(out + 5, 9));
    assert_int_equal(out[14], 0x08 ^ 0x9F);
    assert_int_equal(hq_idc_command(HQ_IDC_FIND, NULL, 0, out, 9), 0); /* does not fit */
    assert_int_equal(hq_idc_xor(NULL, 0), 0);
}

static void decode_stream(void **st)
{
    (void)st;
    uint8_t buf[64], f1[32];
    static const uint8_t data[8] = {0};
    size_t n1 = hq_idc_answer(0, 0, HQ_IDC_OK, data, 8, f1, sizeof f1), used = 0;
    struct hq_idc_frame f;
    /* garbage first, including a false preamble start */
    static const uint8_t junk[] = {0x00, 0xFF, 0xAA, 0x13, 0xAA, 0xAA, 0x00};
    memcpy(buf, junk, sizeof junk);
    memcpy(buf + sizeof junk, f1, n1);
    size_t n = sizeof junk + n1, off = 0;
    enum hq_idc_status s;
    int bad = 0;
    while ((s = hq_idc_decode(buf + off, n - off, 3, &f, &used)) == HQ_IDC_BAD) {
        assert_true(used > 0);
        off += used;
        bad++;
    }
    assert_int_equal(s, HQ_IDC_FRAME);
    assert_true(bad >= 1);
    assert_int_equal(off, sizeof junk);
    assert_int_equal(used, n1);
    assert_int_equal(f.head[2], HQ_IDC_OK);
    assert_int_equal(f.len, 8);

    /* short reads: every prefix of a frame asks for more, the whole is one frame */
    for (size_t k = 0; k < n1; k++)
        assert_int_equal(hq_idc_decode(f1, k, 3, &f, &used), HQ_IDC_NEED_MORE);
    assert_int_equal(hq_idc_decode(f1, n1, 3, &f, &used), HQ_IDC_FRAME);

    /* a bad checksum: the whole frame is dropped, then the next good one is found */
    memcpy(buf, f1, n1);
    buf[n1 - 1] ^= 0x5A;
    memcpy(buf + n1, f1, n1);
    assert_int_equal(hq_idc_decode(buf, 2 * n1, 3, &f, &used), HQ_IDC_BAD);
    assert_int_equal(used, n1);
    assert_int_equal(hq_idc_decode(buf + used, n1, 3, &f, &used), HQ_IDC_FRAME);

    /* a length no frame has (too short for its head, or beyond the maximum): resync by one byte */
    uint8_t odd[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x01, 0x00};
    assert_int_equal(hq_idc_decode(odd, sizeof odd, 3, &f, &used), HQ_IDC_BAD);
    assert_int_equal(used, 1);
    uint8_t big[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0xFF, 0xFF};
    assert_int_equal(hq_idc_decode(big, sizeof big, 3, &f, &used), HQ_IDC_BAD);
    /* a command frame decodes with a head of 2 */
    size_t nc = hq_idc_command(HQ_IDC_READ, NULL, 0, buf, sizeof buf);
    assert_int_equal(hq_idc_decode(buf, nc, 2, &f, &used), HQ_IDC_FRAME);
    assert_int_equal(f.head[0], 0x30);
    assert_int_equal(f.head[1], 0x01);
    assert_int_equal(f.len, 0);
}

/* UCS-2LE of an ASCII or BMP string into a fixed field padded with spaces. */
static void put(uint8_t *p, size_t bytes, const unsigned *chars, size_t n)
{
    for (size_t i = 0; i < bytes / 2; i++) {
        unsigned c = i < n ? chars[i] : ' ';
        p[2 * i] = (uint8_t)c;
        p[2 * i + 1] = (uint8_t)(c >> 8);
    }
}

static void put_ascii(uint8_t *p, size_t bytes, const char *s)
{
    unsigned c[64];
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        c[i] = (unsigned char)s[i];
    put(p, bytes, c, n);
}

static void base_text(void **st)
{
    (void)st;
    uint8_t text[HQ_IDC_TEXT_LEN];
    memset(text, 0, sizeof text);
    static const unsigned name[] = {0x5F20, 0x4E09}; /* 张三 */
    put(text, 30, name, 2);
    put_ascii(text + 30, 2, "1");
    put_ascii(text + 32, 4, "01");
    put_ascii(text + 36, 16, "19491231");
    static const unsigned addr[] = {0x5317, 0x4EAC}; /* 北京 */
    put(text + 52, 70, addr, 2);
    put_ascii(text + 122, 36, "11010519491231002X");
    struct hq_idc_person p;
    assert_true(hq_idc_parse_text(text, sizeof text, &p));
    assert_string_equal(p.name, "张三");
    assert_string_equal(p.sex, "1");
    assert_string_equal(p.nation, "01");
    assert_string_equal(p.birth, "19491231");
    assert_string_equal(p.address, "北京");
    assert_string_equal(p.id_number, "11010519491231002X");
    assert_false(hq_idc_parse_text(text, 100, &p)); /* short */
    put_ascii(text + 122, 36, "1101051949123100");  /* 16 characters */
    assert_false(hq_idc_parse_text(text, sizeof text, &p));
    assert_string_equal(p.id_number, "");

    /* the READ answer's payload: text length, photo length, text, photo */
    uint8_t pay[4 + HQ_IDC_TEXT_LEN + 8];
    pay[0] = 0x01;
    pay[1] = 0x00;
    pay[2] = 0x00;
    pay[3] = 0x08;
    const uint8_t *t = NULL;
    size_t tl = 0;
    assert_true(hq_idc_read_payload(pay, sizeof pay, &t, &tl));
    assert_ptr_equal(t, pay + 4);
    assert_int_equal(tl, 256);
    assert_false(hq_idc_read_payload(pay, sizeof pay - 1, &t, &tl)); /* photo cut short */
    assert_false(hq_idc_read_payload(pay, 3, &t, &tl));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(checksum_and_command),
        cmocka_unit_test(decode_stream),
        cmocka_unit_test(base_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
