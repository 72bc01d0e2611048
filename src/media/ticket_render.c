/* SPDX-License-Identifier: MIT */
/*
 * ticket_render.c — the paper ticket drawn with cairo, as PNG (kiosks with a screen only, the
 * "printing failed" fallback) and PDF (docs, printing from a browser): 80 mm wide like the thermal
 * roll, as tall as the content, same fields and order as escpos.c, the QR code drawn as vector
 * modules (whole pixels in the PNG so it decodes reliably).
 *
 * cairo's toy text API has no font fallback, so the family is named explicitly ("Noto Sans CJK
 * SC", Debian fonts-noto-cjk, covers Chinese and Latin); long lines wrap by measured width, at a
 * space when there is one. Layout runs twice: once on a recording surface to learn the height,
 * once on the real surface. Reentrant; no I/O.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>

#include "media_int.h"

#define FONT "Noto Sans CJK SC"
#define PAGE_W 80.0  /* mm */
#define MARGIN 4.0   /* mm */
#define QR_SIDE 36.0 /* mm, largest */
#define PT_PER_MM (72.0 / 25.4)

struct lay {
    cairo_t *cr;
    double y;     /* mm from the top, baseline of the next line minus its ascent */
    double px_mm; /* device pixels per mm, for pixel-aligned QR modules */
};

static size_t u8len(unsigned char c)
{
    return c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
}

static double advance(cairo_t *cr, const char *s, size_t n)
{
    char tmp[1024];
    if (n >= sizeof tmp) n = sizeof tmp - 1;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    cairo_text_extents_t e;
    cairo_text_extents(cr, tmp, &e);
    return e.x_advance;
}

/* Draw s wrapped to the text width, centred or left-aligned, size in mm. */
static void text(struct lay *l, const char *s, double size, bool bold, bool center)
{
    cairo_t *cr = l->cr;
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    double max = PAGE_W - 2 * MARGIN;
    const char *p = s;
    while (*p) {
        size_t fit = 0, space = 0, i = 0;
        while (p[i]) {
            size_t n = u8len((unsigned char)p[i]);
            if (i + n > 1000 || (fit > 0 && advance(cr, p, i + n) > max)) break;
            if (p[i] == ' ' && i > 0) space = i;
            i += n;
            fit = i;
        }
        size_t cut = fit, next = fit;
        if (p[fit] && space > 0) { /* break at the last space that fits */
            cut = space;
            next = space + 1;
        }
        char line[1024];
        memcpy(line, p, cut);
        line[cut] = 0;
        double w = advance(cr, line, cut);
        l->y += fe.ascent;
        cairo_move_to(cr, center ? (PAGE_W - w) / 2 : MARGIN, l->y);
        cairo_show_text(cr, line);
        l->y += fe.descent + size * 0.15;
        p += next;
    }
}

static void rule(struct lay *l)
{
    l->y += 1.5;
    cairo_save(l->cr);
    double dash[] = {1.0, 1.0};
    cairo_set_dash(l->cr, dash, 2, 0);
    cairo_set_line_width(l->cr, 0.25);
    cairo_move_to(l->cr, MARGIN, l->y);
    cairo_line_to(l->cr, PAGE_W - MARGIN, l->y);
    cairo_stroke(l->cr);
    cairo_restore(l->cr);
    l->y += 2.0;
}

static void layout(struct lay *l, const struct hq_print_ticket *t, const QRcode *qr)
{
    cairo_t *cr = l->cr;
    char buf[512];
    cairo_set_source_rgb(cr, 0, 0, 0);
    l->y = MARGIN;
    text(l, t->hall, 5.0, true, true);
    l->y += 2;
    text(l, t->number, 20.0, true, true);
    if (t->service_zh && *t->service_zh) text(l, t->service_zh, 6.0, false, true);
    if (t->service_en && *t->service_en) text(l, t->service_en, 3.8, false, true);
    rule(l);
    if (t->ahead >= 0) {
        snprintf(buf, sizeof buf, "前面还有 %d 人 / %d ahead of you", t->ahead, t->ahead);
        text(l, buf, 3.6, false, false);
    }
    if (t->wait_s >= 0) {
        int min = (t->wait_s + 59) / 60;
        snprintf(buf, sizeof buf, "预计等待 约 %d 分钟 / about %d min", min, min);
        text(l, buf, 3.6, false, false);
    }
    if (t->issued && *t->issued) {
        snprintf(buf, sizeof buf, "取号时间 / Issued: %s", t->issued);
        text(l, buf, 3.6, false, false);
    }
    if (t->n_documents > 0) {
        text(l, "所需材料 / Documents:", 3.6, true, false);
        for (int i = 0; i < t->n_documents; i++) {
            snprintf(buf, sizeof buf, " %d. %s", i + 1, t->documents[i]);
            text(l, buf, 3.6, false, false);
        }
    }
    if (qr) {
        /* module size: a whole number of device pixels, the code at most QR_SIDE wide */
        double px = floor(QR_SIDE * l->px_mm / qr->width);
        if (px < 1) px = 1;
        double m = px / l->px_mm;
        double side = m * qr->width;
        double x = round((PAGE_W - side) / 2 * l->px_mm) / l->px_mm;
        l->y = ceil((l->y + 4 * m) * l->px_mm) / l->px_mm; /* quiet zone above */
        cairo_save(cr);
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
        hq__media_qr_draw(cr, qr, x, l->y, m);
        cairo_restore(cr);
        l->y += side + 4 * m;
    }
    if (t->footer && *t->footer) text(l, t->footer, 3.4, false, true);
    l->y += MARGIN;
}

/* Lay the ticket out on a throw-away recording surface to learn its height in mm. */
static double measure(const struct hq_print_ticket *t, const QRcode *qr, double px_mm)
{
    cairo_surface_t *s = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, NULL);
    cairo_t *cr = cairo_create(s);
    struct lay l = {.cr = cr, .px_mm = px_mm};
    layout(&l, t, qr);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    return l.y;
}

static int prepare(const struct hq_print_ticket *t, QRcode **qr, struct hq_media_why *why)
{
    int rc = hq__media_ticket_check(t, why);
    if (rc) return rc;
    *qr = NULL;
    if (t->url && *t->url) {
        *qr = hq__media_qr_encode(t->url);
        if (!*qr) return hq__media_fail(why, HQ_MEDIA_EIO, "ticket: cannot encode the URL as QR");
    }
    return 0;
}

static int finish(cairo_t *cr, cairo_surface_t *s, struct hq__mbuf *b, bool png,
                  unsigned char **out, size_t *len, struct hq_media_why *why)
{
    int rc = 0;
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        rc = hq__media_fail(why, HQ_MEDIA_EIO, "ticket: cairo: %s",
                            cairo_status_to_string(cairo_status(cr)));
    }
    cairo_destroy(cr);
    if (rc == 0 && png) {
        cairo_surface_flush(s);
        if (cairo_surface_write_to_png_stream(s, hq__mbuf_cairo_write, b) != CAIRO_STATUS_SUCCESS)
            rc = hq__media_fail(why, b->ok ? HQ_MEDIA_EIO : HQ_MEDIA_ENOMEM,
                                "ticket: PNG encoding failed");
    }
    cairo_surface_finish(s); /* the PDF is written out here */
    if (rc == 0 && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        rc = hq__media_fail(why, b->ok ? HQ_MEDIA_EIO : HQ_MEDIA_ENOMEM, "ticket: cairo: %s",
                            cairo_status_to_string(cairo_surface_status(s)));
    cairo_surface_destroy(s);
    if (rc == 0 && !b->ok) rc = hq__media_fail(why, HQ_MEDIA_ENOMEM, "ticket: out of memory");
    if (rc == 0) {
        *out = b->data;
        *len = b->len;
        b->data = NULL;
    }
    hq__mbuf_release(b);
    return rc;
}

int hq_ticket_png(const struct hq_print_ticket *t, int px_per_mm, unsigned char **out, size_t *len,
                  struct hq_media_why *why)
{
    if (!out || !len) return hq__media_fail(why, HQ_MEDIA_EINVAL, "ticket: NULL argument");
    if (px_per_mm == 0) px_per_mm = 8;
    if (px_per_mm < 2 || px_per_mm > 40)
        return hq__media_fail(why, HQ_MEDIA_EINVAL, "ticket: px_per_mm %d, must be 2..40",
                              px_per_mm);
    QRcode *qr = NULL;
    int rc = prepare(t, &qr, why);
    if (rc) return rc;
    double h = measure(t, qr, px_per_mm);
    int wpx = (int)(PAGE_W * px_per_mm), hpx = (int)ceil(h * px_per_mm);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, wpx, hpx);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, px_per_mm, px_per_mm);
    struct lay l = {.cr = cr, .px_mm = px_per_mm};
    layout(&l, t, qr);
    struct hq__mbuf b;
    hq__mbuf_init(&b, 64u << 20);
    rc = finish(cr, s, &b, true, out, len, why);
    if (qr) QRcode_free(qr);
    return rc;
}

int hq_ticket_pdf(const struct hq_print_ticket *t, unsigned char **out, size_t *len,
                  struct hq_media_why *why)
{
    if (!out || !len) return hq__media_fail(why, HQ_MEDIA_EINVAL, "ticket: NULL argument");
    QRcode *qr = NULL;
    int rc = prepare(t, &qr, why);
    if (rc) return rc;
    const double px_mm = 8; /* QR modules on a 203 dpi grid, as printed */
    double h = measure(t, qr, px_mm);
    struct hq__mbuf b;
    hq__mbuf_init(&b, 64u << 20);
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(hq__mbuf_cairo_write, &b,
                                                             PAGE_W * PT_PER_MM, h * PT_PER_MM);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, t->number);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "hallq");
    cairo_t *cr = cairo_create(s);
    cairo_scale(cr, PT_PER_MM, PT_PER_MM);
    struct lay l = {.cr = cr, .px_mm = px_mm};
    layout(&l, t, qr);
    rc = finish(cr, s, &b, false, out, len, why);
    if (qr) QRcode_free(qr);
    return rc;
}
