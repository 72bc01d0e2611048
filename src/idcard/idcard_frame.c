/* SPDX-License-Identifier: MIT */
/*
 * idcard_frame.c — frames of the ID card reader protocol (hq_idcard.h): encoding commands and
 * answers, finding a frame in a byte stream that may hold garbage or be cut short, the XOR
 * checksum, and the fixed UCS-2LE fields of a card's base text. Pure.
 */
#include <string.h>

#include "hq_idcard.h"

uint8_t hq_idc_xor(const uint8_t *p, size_t n)
{
    uint8_t x = 0;
    for (size_t i = 0; i < n; i++)
        x ^= p[i];
    return x;
}

static size_t encode(const uint8_t *head, size_t head_len, const uint8_t *data, size_t n,
                     uint8_t *out, size_t cap)
{
    size_t len = head_len + n + 1; /* what LEN counts */
    size_t total = HQ_IDC_PREAMBLE_LEN + 2 + len;
    if (len > 0xFFFF || total > cap || (n && !data)) return 0;
    memcpy(out, HQ_IDC_PREAMBLE, HQ_IDC_PREAMBLE_LEN);
    out[5] = (uint8_t)(len >> 8);
    out[6] = (uint8_t)len;
    memcpy(out + 7, head, head_len);
    if (n) memcpy(out + 7 + head_len, data, n);
    out[total - 1] = hq_idc_xor(out + 5, total - 1 - 5);
    return total;
}

size_t hq_idc_command(uint8_t cmd, uint8_t para, const uint8_t *data, size_t n, uint8_t *out,
                      size_t cap)
{
    const uint8_t head[2] = {cmd, para};
    return encode(head, 2, data, n, out, cap);
}

size_t hq_idc_answer(uint8_t sw1, uint8_t sw2, uint8_t sw3, const uint8_t *data, size_t n,
                     uint8_t *out, size_t cap)
{
    const uint8_t head[3] = {sw1, sw2, sw3};
    return encode(head, 3, data, n, out, cap);
}

/* Where the preamble (or a prefix of it at the end of buf) starts; n when nowhere. */
static size_t find_preamble(const uint8_t *buf, size_t n)
{
    const uint8_t *pre = (const uint8_t *)HQ_IDC_PREAMBLE;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < HQ_IDC_PREAMBLE_LEN && i + k < n && buf[i + k] == pre[k])
            k++;
        if (k == HQ_IDC_PREAMBLE_LEN || i + k == n) return i;
    }
    return n;
}

enum hq_idc_status hq_idc_decode(const uint8_t *buf, size_t n, size_t head_len,
                                 struct hq_idc_frame *f, size_t *used)
{
    *used = 0;
    size_t at = find_preamble(buf, n);
    if (at > 0) { /* garbage before a (possible) frame */
        *used = at;
        return HQ_IDC_BAD;
    }
    if (n < HQ_IDC_PREAMBLE_LEN + 2) return HQ_IDC_NEED_MORE;
    size_t len = (size_t)buf[5] << 8 | buf[6];
    if (len < head_len + 1 || HQ_IDC_PREAMBLE_LEN + 2 + len > HQ_IDC_FRAME_MAX) {
        *used = 1; /* not a frame after all: resynchronise after this byte */
        return HQ_IDC_BAD;
    }
    size_t total = HQ_IDC_PREAMBLE_LEN + 2 + len;
    if (n < total) return HQ_IDC_NEED_MORE;
    if (hq_idc_xor(buf + 5, total - 1 - 5) != buf[total - 1]) {
        *used = total;
        return HQ_IDC_BAD;
    }
    memset(f, 0, sizeof *f);
    memcpy(f->head, buf + 7, head_len);
    f->data = buf + 7 + head_len;
    f->len = len - head_len - 1;
    *used = total;
    return HQ_IDC_FRAME;
}

bool hq_idc_read_payload(const uint8_t *data, size_t n, const uint8_t **text, size_t *text_len)
{
    if (n < 4) return false;
    size_t tl = (size_t)data[0] << 8 | data[1], pl = (size_t)data[2] << 8 | data[3];
    if (4 + tl + pl > n || tl < HQ_IDC_TEXT_LEN) return false;
    *text = data + 4;
    *text_len = tl;
    return true;
}

/* One UCS-2LE field of `bytes` bytes into UTF-8 (at most cap - 1 bytes), trailing spaces cut. */
static void field(const uint8_t *p, size_t bytes, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i + 1 < bytes; i += 2) {
        unsigned c = (unsigned)p[i] | (unsigned)p[i + 1] << 8;
        if (c == 0) break;
        char u[3];
        size_t k;
        if (c < 0x80) {
            u[0] = (char)c;
            k = 1;
        } else if (c < 0x800) {
            u[0] = (char)(0xC0 | c >> 6);
            u[1] = (char)(0x80 | (c & 0x3F));
            k = 2;
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            u[0] = '?'; /* a surrogate: not in the card's character set */
            k = 1;
        } else {
            u[0] = (char)(0xE0 | c >> 12);
            u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
            u[2] = (char)(0x80 | (c & 0x3F));
            k = 3;
        }
        if (o + k >= cap) break;
        memcpy(out + o, u, k);
        o += k;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

static bool digits(const char *s, size_t n, bool x_last)
{
    if (strlen(s) != n) return false;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] >= '0' && s[i] <= '9') && !(x_last && i == n - 1 && s[i] == 'X')) return false;
    return true;
}

bool hq_idc_parse_text(const uint8_t *text, size_t n, struct hq_idc_person *p)
{
    memset(p, 0, sizeof *p);
    if (!text || n < HQ_IDC_TEXT_LEN) return false;
    field(text, 30, p->name, sizeof p->name);
    field(text + 30, 2, p->sex, sizeof p->sex);
    field(text + 32, 4, p->nation, sizeof p->nation);
    field(text + 36, 16, p->birth, sizeof p->birth);
    field(text + 52, 70, p->address, sizeof p->address);
    field(text + 122, 36, p->id_number, sizeof p->id_number);
    if (!digits(p->birth, 8, false) || !digits(p->id_number, 18, true) ||
        !digits(p->sex, 1, false)) {
        memset(p, 0, sizeof *p);
        return false;
    }
    return true;
}
