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
 * once on the real surface. No I/O.
 *
 * Memory. A PDF embeds a subset of the font, and cairo's CFF subsetter reads the whole CFF table
 * of the face (Noto Sans CJK: ~15 MB) and builds tables over its 65,000 glyphs: ~20 MB for each
 * render, and the face's file pages on top. Renders on many worker threads at once, each on its
 * own malloc arena that keeps what it freed (and cairo's font caches pinning pages in each), took
 * the server from 38 MB to 380 MB. So: one face only (the regular weight; bold is drawn as the
 * same text twice, 0.3 % of the size apart, which pdftotext reads back once), and every render
 * runs on one thread of its own (the caller waits), so all of cairo's memory lives in one arena,
 * one render at a time; after each the freed memory is given back to the system (malloc_trim).
 * A ticket takes ~35 ms, so kiosks queue for little.
 */
#include <malloc.h>
#include <math.h>
#include <pthread.h>
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

/* ---- the render thread: callers hand it one job at a time and wait for it ---- */

static pthread_mutex_t render_mu = PTHREAD_MUTEX_INITIALIZER; /* one caller at a time */
static pthread_mutex_t job_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t job_cv = PTHREAD_COND_INITIALIZER;
static pthread_once_t render_once = PTHREAD_ONCE_INIT;
static bool render_thread_ok;
static void (*job_fn)(void *);
static void *job_arg;
static uint64_t job_posted, job_done;

static void *render_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&job_mu);
    for (;;) {
        while (job_done == job_posted)
            pthread_cond_wait(&job_cv, &job_mu);
        void (*fn)(void *) = job_fn;
        void *arg = job_arg;
        pthread_mutex_unlock(&job_mu);
        fn(arg);
        malloc_trim(0);
        pthread_mutex_lock(&job_mu);
        job_done++;
        pthread_cond_broadcast(&job_cv);
    }
    return NULL;
}

static void render_start(void)
{
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    render_thread_ok = pthread_create(&t, &at, render_main, NULL) == 0;
    pthread_attr_destroy(&at);
}

/* Run fn(arg) on the render thread and wait for it (on this thread when none could start). */
static void on_render_thread(void (*fn)(void *), void *arg)
{
    pthread_once(&render_once, render_start);
    pthread_mutex_lock(&render_mu);
    if (!render_thread_ok) {
        fn(arg);
        malloc_trim(0);
        pthread_mutex_unlock(&render_mu);
        return;
    }
    pthread_mutex_lock(&job_mu);
    job_fn = fn;
    job_arg = arg;
    uint64_t mine = ++job_posted;
    pthread_cond_broadcast(&job_cv);
    while (job_done < mine)
        pthread_cond_wait(&job_cv, &job_mu);
    pthread_mutex_unlock(&job_mu);
    pthread_mutex_unlock(&render_mu);
}

/* Draw s wrapped to the text width, centred or left-aligned, size in mm. */
static void text(struct lay *l, const char *s, double size, bool bold, bool center)
{
    cairo_t *cr = l->cr;
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
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
        double x = center ? (PAGE_W - w) / 2 : MARGIN;
        cairo_move_to(cr, x, l->y);
        cairo_show_text(cr, line);
        if (bold) { /* the one face, drawn again a hair to the right */
            cairo_move_to(cr, x + size * 0.03, l->y);
            cairo_show_text(cr, line);
        }
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
    if (hq__media_wait_line(t, buf, sizeof buf)) text(l, buf, 3.6, false, false);
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

struct png_job {
    const struct hq_print_ticket *t;
    int px_per_mm;
    QRcode *qr;
    unsigned char **out;
    size_t *len;
    struct hq_media_why *why;
    int rc;
};

static void png_run(void *arg)
{
    struct png_job *j = arg;
    int px_per_mm = j->px_per_mm;
    double h = measure(j->t, j->qr, px_per_mm);
    int wpx = (int)(PAGE_W * px_per_mm), hpx = (int)ceil(h * px_per_mm);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, wpx, hpx);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, px_per_mm, px_per_mm);
    struct lay l = {.cr = cr, .px_mm = px_per_mm};
    layout(&l, j->t, j->qr);
    struct hq__mbuf b;
    hq__mbuf_init(&b, 64u << 20);
    j->rc = finish(cr, s, &b, true, j->out, j->len, j->why);
}

static void pdf_run(void *arg)
{
    struct png_job *j = arg;
    const double px_mm = 8; /* QR modules on a 203 dpi grid, as printed */
    double h = measure(j->t, j->qr, px_mm);
    struct hq__mbuf b;
    hq__mbuf_init(&b, 64u << 20);
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(hq__mbuf_cairo_write, &b,
                                                             PAGE_W * PT_PER_MM, h * PT_PER_MM);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, j->t->number);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "hallq");
    cairo_t *cr = cairo_create(s);
    cairo_scale(cr, PT_PER_MM, PT_PER_MM);
    struct lay l = {.cr = cr, .px_mm = px_mm};
    layout(&l, j->t, j->qr);
    j->rc = finish(cr, s, &b, false, j->out, j->len, j->why);
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
    struct png_job j = {t, px_per_mm, qr, out, len, why, 0};
    on_render_thread(png_run, &j);
    if (qr) QRcode_free(qr);
    return j.rc;
}

int hq_ticket_pdf(const struct hq_print_ticket *t, unsigned char **out, size_t *len,
                  struct hq_media_why *why)
{
    if (!out || !len) return hq__media_fail(why, HQ_MEDIA_EINVAL, "ticket: NULL argument");
    QRcode *qr = NULL;
    int rc = prepare(t, &qr, why);
    if (rc) return rc;
    struct png_job j = {t, 0, qr, out, len, why, 0};
    on_render_thread(pdf_run, &j);
    if (qr) QRcode_free(qr);
    return j.rc;
}
