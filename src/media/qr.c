/* SPDX-License-Identifier: MIT */
/*
 * qr.c — QR codes with libqrencode: 8-bit mode, error correction level M (a tracking URL of ~50
 * characters is a 33x33 code), a 4-module quiet zone as the standard asks. Output as an SVG
 * document (one path, vector, for the kiosk and tracking pages) or a PNG drawn on a cairo image
 * surface and encoded in memory. Also the drawing routine the ticket renderer reuses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media_int.h"

#define QUIET 4

QRcode *hq__media_qr_encode(const char *text)
{
    if (!text || !*text || strlen(text) > HQ_QR_TEXT_MAX) return NULL;
    return QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
}

void hq__media_qr_draw(cairo_t *cr, const QRcode *qr, double x, double y, double m)
{
    for (int r = 0; r < qr->width; r++) {
        for (int c = 0; c < qr->width; c++) {
            if (!(qr->data[r * qr->width + c] & 1)) continue;
            /* merge horizontal runs: fewer rectangles, no hairline seams */
            int c0 = c;
            while (c + 1 < qr->width && (qr->data[r * qr->width + c + 1] & 1))
                c++;
            cairo_rectangle(cr, x + c0 * m, y + r * m, (c - c0 + 1) * m, m);
        }
    }
    cairo_fill(cr);
}

int hq_qr_svg(const char *text, char **svg_out)
{
    if (!svg_out) return HQ_MEDIA_EINVAL;
    if (!text || !*text || strlen(text) > HQ_QR_TEXT_MAX) return HQ_MEDIA_EINVAL;
    QRcode *qr = hq__media_qr_encode(text);
    if (!qr) return HQ_MEDIA_EIO;
    int rc = HQ_MEDIA_ENOMEM;
    int size = qr->width + 2 * QUIET;
    struct hq__mbuf b;
    hq__mbuf_init(&b, 4u << 20);
    char tmp[192];
    snprintf(tmp, sizeof tmp,
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
             "shape-rendering=\"crispEdges\">\n",
             size, size);
    hq__mbuf_str(&b, tmp);
    snprintf(tmp, sizeof tmp, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n<path d=\"", size,
             size);
    hq__mbuf_str(&b, tmp);
    for (int r = 0; r < qr->width; r++) {
        for (int c = 0; c < qr->width; c++) {
            if (!(qr->data[r * qr->width + c] & 1)) continue;
            int c0 = c;
            while (c + 1 < qr->width && (qr->data[r * qr->width + c + 1] & 1))
                c++;
            snprintf(tmp, sizeof tmp, "M%d %dh%dv1h-%dz", c0 + QUIET, r + QUIET, c - c0 + 1,
                     c - c0 + 1);
            hq__mbuf_str(&b, tmp);
        }
    }
    hq__mbuf_str(&b, "\" fill=\"#000\"/>\n</svg>\n");
    hq__mbuf_byte(&b, 0);
    if (!b.ok) goto out;
    *svg_out = (char *)b.data;
    b.data = NULL;
    rc = 0;
out:
    hq__mbuf_release(&b);
    QRcode_free(qr);
    return rc;
}

int hq_qr_png(const char *text, int scale, unsigned char **png, size_t *len)
{
    if (!png || !len || scale < 1 || scale > 64) return HQ_MEDIA_EINVAL;
    if (!text || !*text || strlen(text) > HQ_QR_TEXT_MAX) return HQ_MEDIA_EINVAL;
    QRcode *qr = hq__media_qr_encode(text);
    if (!qr) return HQ_MEDIA_EIO;
    int rc = HQ_MEDIA_EIO;
    int px = (qr->width + 2 * QUIET) * scale;
    struct hq__mbuf b;
    hq__mbuf_init(&b, 64u << 20);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, px, px);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    hq__media_qr_draw(cr, qr, QUIET * scale, QUIET * scale, scale);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) goto out;
    cairo_surface_flush(s);
    if (cairo_surface_write_to_png_stream(s, hq__mbuf_cairo_write, &b) != CAIRO_STATUS_SUCCESS) {
        rc = b.ok ? HQ_MEDIA_EIO : HQ_MEDIA_ENOMEM;
        goto out;
    }
    *png = b.data;
    *len = b.len;
    b.data = NULL;
    rc = 0;
out:
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    hq__mbuf_release(&b);
    QRcode_free(qr);
    return rc;
}
