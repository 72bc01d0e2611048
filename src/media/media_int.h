/* SPDX-License-Identifier: MIT */
/*
 * media_int.h — helpers shared by the files of src/media and by nothing else (all named hq__m…,
 * as the library links into one static archive with the other modules): error filling, a
 * growable byte buffer with a ceiling, the QR encoder wrapper drawn by both qr.c and
 * ticket_render.c, and the ticket validation shared by escpos.c and ticket_render.c.
 */
#ifndef HQ_MEDIA_INT_H
#define HQ_MEDIA_INT_H

#include <cairo.h>
#include <qrencode.h>

#include "hq_media.h"

/* Fill *why (may be NULL) and return code. */
int hq__media_fail(struct hq_media_why *why, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A growable byte buffer refusing to grow past max (then ok becomes false and stays false). */
struct hq__mbuf {
    unsigned char *data;
    size_t len, cap, max;
    bool ok;
};
void hq__mbuf_init(struct hq__mbuf *b, size_t max);
void hq__mbuf_add(struct hq__mbuf *b, const void *p, size_t n);
void hq__mbuf_byte(struct hq__mbuf *b, unsigned char c);
void hq__mbuf_str(struct hq__mbuf *b, const char *s);
void hq__mbuf_release(struct hq__mbuf *b);
/* cairo_write_func_t appending to a struct hq__mbuf. */
cairo_status_t hq__mbuf_cairo_write(void *closure, const unsigned char *data, unsigned int length);

/* Encode text as a QR code (8-bit, level M). NULL on invalid input (empty, > HQ_QR_TEXT_MAX) or
 * failure. Free with QRcode_free. */
QRcode *hq__media_qr_encode(const char *text);
/* Fill the dark modules of qr with the current source, module size m user units, top-left at
 * (x, y) (quiet zone not included). */
void hq__media_qr_draw(cairo_t *cr, const QRcode *qr, double x, double y, double m);

/* Check a ticket: required fields, valid UTF-8 without control characters, document count. */
int hq__media_ticket_check(const struct hq_print_ticket *t, struct hq_media_why *why);
/* true when s is valid UTF-8 without C0/C1 control characters or DEL. */
bool hq__media_utf8_clean(const char *s);

#endif
