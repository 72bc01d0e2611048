/* SPDX-License-Identifier: MIT */
/*
 * report_compliance_pdf.c — the compliance report (DB13/T 1760-2013, docs/COMPLIANCE.md) as an A4
 * PDF drawn with cairo through the report's own helpers (report_pdf.c: stream writer, text in the
 * CJK font): a title block, the summary of verdicts, then per clause a coloured verdict badge, its
 * titles in Chinese and English, its figures and the evidence behind a verdict other than met,
 * and at the end the thresholds the verdicts were judged by. Pages are added as needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>

#include "report_int.h"

#define PAGE_W 595.28
#define PAGE_H 841.89
#define MARGIN 42.0
#define LINE_CHARS 110

struct cpdf {
    cairo_t *cr;
    double y;
    int page;
    const char *from, *to;
};

static void footer(struct cpdf *p)
{
    char t[128];
    snprintf(t, sizeof t, "hallq · 合规报告 compliance · %s — %s · %d", p->from, p->to, p->page);
    cairo_set_source_rgb(p->cr, 0.45, 0.45, 0.45);
    hq__pdf_text(p->cr, PAGE_W / 2, PAGE_H - 20, 8, false, 0.5, t);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
}

static void need(struct cpdf *p, double h)
{
    if (p->y + h <= PAGE_H - MARGIN) return;
    footer(p);
    cairo_show_page(p->cr);
    p->page++;
    p->y = MARGIN;
}

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void verdict_colour(const char *v, double rgb[3], const char **label)
{
    if (strcmp(v, "met") == 0) {
        rgb[0] = 0.16, rgb[1] = 0.55, rgb[2] = 0.25;
        *label = "符合 met";
    } else if (strcmp(v, "partly_met") == 0) {
        rgb[0] = 0.85, rgb[1] = 0.55, rgb[2] = 0.05;
        *label = "部分符合 partly met";
    } else if (strcmp(v, "not_met") == 0) {
        rgb[0] = 0.78, rgb[1] = 0.15, rgb[2] = 0.15;
        *label = "不符合 not met";
    } else {
        rgb[0] = rgb[1] = rgb[2] = 0.5;
        *label = "无数据 no data";
    }
}

/* One line of small text, cut to the line's width in characters (UTF-8 safe). */
static void line(struct cpdf *p, double x, double size, const char *s)
{
    char buf[LINE_CHARS * 4 + 8];
    size_t n = 0, chars = 0;
    while (s[n] && chars < LINE_CHARS && n < sizeof buf - 8) {
        n++;
        while ((s[n] & 0xC0) == 0x80)
            n++;
        chars++;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (s[n]) memcpy(buf + n, " …", sizeof " …");
    need(p, size + 4);
    p->y += size + 3;
    hq__pdf_text(p->cr, x, p->y, size, false, 0, buf);
}

static void figures(struct cpdf *p, json_t *figs, double x)
{
    char buf[512];
    size_t used = 0;
    const char *k;
    json_t *v;
    buf[0] = '\0';
    json_object_foreach(figs, k, v)
    {
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(4));
        char item[200];
        snprintf(item, sizeof item, "%s=%s", k, s ? s : "?");
        free(s);
        if (used + strlen(item) + 3 > 100 && used > 0) {
            line(p, x, 8, buf);
            used = 0;
            buf[0] = '\0';
        }
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", used ? " · " : "", item);
        if (used >= sizeof buf) used = sizeof buf - 1;
    }
    if (used) line(p, x, 8, buf);
}

static void clause(struct cpdf *p, json_t *c)
{
    cairo_t *cr = p->cr;
    need(p, 60);
    p->y += 18;
    double rgb[3];
    const char *label;
    verdict_colour(jstr(c, "verdict"), rgb, &label);
    cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
    cairo_rectangle(cr, PAGE_W - MARGIN - 110, p->y - 11, 110, 15);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    hq__pdf_text(cr, PAGE_W - MARGIN - 55, p->y, 9, true, 0.5, label);
    cairo_set_source_rgb(cr, 0.1, 0.25, 0.5);
    double w = hq__pdf_text(cr, MARGIN, p->y, 12, true, 0, jstr(c, "clause"));
    hq__pdf_text(cr, MARGIN + w + 8, p->y, 11, true, 0, jstr(c, "title"));
    cairo_set_source_rgb(cr, 0, 0, 0);
    line(p, MARGIN, 9, jstr(c, "title_en"));
    cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
    figures(p, json_object_get(c, "figures"), MARGIN + 8);
    cairo_set_source_rgb(cr, 0, 0, 0);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(c, "evidence"), i, e)
    {
        char buf[600];
        snprintf(buf, sizeof buf, "• %s %s — %s", jstr(e, "kind"), jstr(e, "id"), jstr(e, "note"));
        line(p, MARGIN + 12, 8, buf);
    }
    cairo_set_line_width(cr, 0.3);
    cairo_set_source_rgb(cr, 0.7, 0.7, 0.7);
    p->y += 5;
    cairo_move_to(cr, MARGIN, p->y);
    cairo_line_to(cr, PAGE_W - MARGIN, p->y);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
}

int hq_report_compliance_pdf(json_t *r, unsigned char **out, size_t *len, struct hq_why *why)
{
    struct hq__rbuf b = {.ok = true};
    cairo_surface_t *surf = cairo_pdf_surface_create_for_stream(hq__pdf_write, &b, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, "合规报告 Compliance report");
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "hallq");
    cairo_t *cr = cairo_create(surf);
    struct cpdf p = {
        .cr = cr, .y = MARGIN, .page = 1, .from = jstr(r, "from"), .to = jstr(r, "to")};
    json_t *hall = json_object_get(r, "hall");
    char buf[512];
    p.y += 16;
    hq__pdf_text(cr, MARGIN, p.y, 18, true, 0, "合规报告");
    hq__pdf_text(cr, PAGE_W - MARGIN, p.y, 12, false, 1, "Compliance report · DB13/T 1760-2013");
    p.y += 18;
    snprintf(buf, sizeof buf, "%s · %s", jstr(hall, "name"), jstr(hall, "name_en"));
    hq__pdf_text(cr, MARGIN, p.y, 10, false, 0, buf);
    p.y += 14;
    snprintf(buf, sizeof buf, "期间 Period: %s — %s    生成 Generated: %s", p.from, p.to,
             jstr(r, "generated_at"));
    hq__pdf_text(cr, MARGIN, p.y, 9, false, 0, buf);
    json_t *s = json_object_get(r, "summary");
    p.y += 14;
    snprintf(buf, sizeof buf,
             "符合 met %lld · 部分符合 partly met %lld · 不符合 not met %lld · 无数据 no data %lld",
             (long long)json_integer_value(json_object_get(s, "met")),
             (long long)json_integer_value(json_object_get(s, "partly_met")),
             (long long)json_integer_value(json_object_get(s, "not_met")),
             (long long)json_integer_value(json_object_get(s, "no_data")));
    hq__pdf_text(cr, MARGIN, p.y, 10, true, 0, buf);
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(r, "clauses"), i, c) clause(&p, c);
    need(&p, 40);
    p.y += 20;
    hq__pdf_text(cr, MARGIN, p.y, 11, true, 0, "阈值 Thresholds");
    figures(&p, json_object_get(r, "settings"), MARGIN + 8);
    footer(&p);
    return hq__pdf_end(cr, surf, &b, out, len, why);
}
