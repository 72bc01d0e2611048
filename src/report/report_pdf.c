/* SPDX-License-Identifier: MIT */
/*
 * report_pdf.c — the period report as an A4 PDF drawn with cairo: Chinese and English headings,
 * the overview figures, a bar chart of the mean wait per hour of issue (with the 90th percentile
 * as a tick and the hall's target as a dashed line), a chart of the satisfaction levels with the
 * rate, its Wilson 95% interval and the index, then tables of services, windows and the staff
 * scorecards (pages added as needed). Text uses cairo's toy API with "Noto Sans CJK SC" named
 * explicitly: the toy API has no font fallback, and that family covers Chinese and Latin.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>

#include "report_int.h"

#define FONT "Noto Sans CJK SC"
#define PAGE_W 595.28
#define PAGE_H 841.89
#define MARGIN 42.0

struct pdf {
    cairo_t *cr;
    double y;
    int page;
    const struct hq_report *r;
};

static cairo_status_t write_cb(void *closure, const unsigned char *data, unsigned int length)
{
    struct hq__rbuf *b = closure;
    hq__rbuf_add(b, data, length);
    return b->ok ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static void font(cairo_t *cr, double size, bool bold)
{
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

/* Text at (x, baseline y); align 0 left, 1 right, 0.5 centre. Returns the width. */
static double text(cairo_t *cr, double x, double y, double size, bool bold, double align,
                   const char *s)
{
    font(cr, size, bold);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    cairo_move_to(cr, x - align * e.x_advance, y);
    cairo_show_text(cr, s);
    return e.x_advance;
}

static void footer(struct pdf *p)
{
    char t[96];
    snprintf(t, sizeof t, "hallq · %s — %s · %d", p->r->from, p->r->to, p->page);
    cairo_set_source_rgb(p->cr, 0.45, 0.45, 0.45);
    text(p->cr, PAGE_W / 2, PAGE_H - 20, 8, false, 0.5, t);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
}

static void new_page(struct pdf *p)
{
    footer(p);
    cairo_show_page(p->cr);
    p->page++;
    p->y = MARGIN;
}

static void need(struct pdf *p, double h)
{
    if (p->y + h > PAGE_H - MARGIN) new_page(p);
}

static void need_cb(void *ctx, double h)
{
    need(ctx, h);
}

static void heading(struct pdf *p, const char *zh, const char *en)
{
    need(p, 40);
    p->y += 22;
    cairo_set_source_rgb(p->cr, 0.1, 0.25, 0.5);
    double w = text(p->cr, MARGIN, p->y, 13, true, 0, zh);
    text(p->cr, MARGIN + w + 8, p->y, 11, false, 0, en);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    p->y += 6;
    cairo_set_line_width(p->cr, 0.6);
    cairo_move_to(p->cr, MARGIN, p->y);
    cairo_line_to(p->cr, PAGE_W - MARGIN, p->y);
    cairo_stroke(p->cr);
    p->y += 4;
}

static void fmt_value(char *buf, size_t len, enum hq__colkind k, double v, bool has)
{
    if (!has) {
        snprintf(buf, len, "—");
        return;
    }
    v = hq__round(k, v);
    switch (k) {
    case HQ_CK_INT:
        snprintf(buf, len, "%lld", (long long)llround(v));
        break;
    case HQ_CK_PCT:
        snprintf(buf, len, "%.1f%%", v * 100);
        break;
    default:
        snprintf(buf, len, "%.1f", v);
        break;
    }
}

static void overview(struct pdf *p)
{
    struct hq__kv rows[64];
    int n = hq__overview(p->r, rows, 64);
    /* two columns of figures; the hall, period and sources are drawn above and below */
    double col_w = (PAGE_W - 2 * MARGIN) / 2;
    int shown = 0;
    for (int i = 0; i < n; i++) {
        if (rows[i].kind == HQ_CK_TEXT || strcmp(rows[i].zh, "事件") == 0 ||
            strcmp(rows[i].zh, "评价原因") == 0)
            continue;
        double x = MARGIN + (shown % 2) * col_w;
        if (shown % 2 == 0) {
            need(p, 15);
            p->y += 15;
        }
        char v[64], label[160];
        fmt_value(v, sizeof v, rows[i].kind, rows[i].num, rows[i].has);
        snprintf(label, sizeof label, "%s %s", rows[i].zh, rows[i].en);
        text(p->cr, x, p->y, 8.5, false, 0, label);
        text(p->cr, x + col_w - 12, p->y, 9, true, 1, v);
        shown++;
    }
    p->y += 6;
}

/* Mean wait per hour of issue, 90th percentile ticks, target line. */
static void chart_wait(struct pdf *p)
{
    const struct hq_stats *s = p->r->stats;
    int first = -1, last = -1;
    double maxv = s->target_wait_s / 60.0;
    for (size_t h = 0; h < s->n_hours; h++)
        if (s->hours[h].wait.n > 0) {
            if (first < 0) first = (int)h;
            last = (int)h;
            maxv = fmax(maxv, s->hours[h].wait.p90 / 60);
        }
    heading(p, "各时段等候时间", "Waiting per hour of issue (minutes)");
    const double H = 170, L = MARGIN + 30, R = PAGE_W - MARGIN, T = p->y + 14, B = T + H;
    need(p, H + 40);
    cairo_t *cr = p->cr;
    if (first < 0) {
        p->y += 16;
        text(cr, MARGIN, p->y, 9, false, 0, "无数据 No data");
        return;
    }
    maxv = ceil(maxv / 5) * 5;
    if (maxv <= 0) maxv = 5;
    /* axes and grid */
    cairo_set_line_width(cr, 0.4);
    for (int k = 0; k <= 5; k++) {
        double v = maxv * k / 5, y = B - H * v / maxv;
        cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
        cairo_move_to(cr, L, y);
        cairo_line_to(cr, R, y);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        char t[16];
        snprintf(t, sizeof t, "%g", v);
        text(cr, L - 4, y + 3, 7.5, false, 1, t);
    }
    int n = last - first + 1;
    double cw = (R - L) / n;
    for (int h = first; h <= last; h++) {
        const struct hq_stats_group *g = &s->hours[h];
        double x = L + (h - first) * cw;
        if (g->wait.n > 0) {
            double bh = H * (g->wait.mean / 60) / maxv;
            bool over = g->wait.mean > s->target_wait_s;
            if (over)
                cairo_set_source_rgb(cr, 0.85, 0.35, 0.3);
            else
                cairo_set_source_rgb(cr, 0.25, 0.5, 0.8);
            cairo_rectangle(cr, x + cw * 0.18, B - bh, cw * 0.64, bh);
            cairo_fill(cr);
            double py = B - H * (g->wait.p90 / 60) / maxv;
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
            cairo_set_line_width(cr, 1.2);
            cairo_move_to(cr, x + cw * 0.3, py);
            cairo_line_to(cr, x + cw * 0.7, py);
            cairo_stroke(cr);
        }
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        text(cr, x + cw / 2, B + 11, 7.5, false, 0.5, g->key);
    }
    /* target */
    double ty = B - H * (s->target_wait_s / 60.0) / maxv;
    double dash[] = {4, 3};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_set_source_rgb(cr, 0.1, 0.6, 0.3);
    cairo_set_line_width(cr, 1);
    cairo_move_to(cr, L, ty);
    cairo_line_to(cr, R, ty);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.6);
    cairo_move_to(cr, L, T - 4);
    cairo_line_to(cr, L, B);
    cairo_line_to(cr, R, B);
    cairo_stroke(cr);
    p->y = B + 24;
    text(cr, MARGIN, p->y, 7.5, false, 0,
         "柱：平均等候（超过目标为红色）；横线：90%分位；虚线：等候目标 — Bars: mean wait (red "
         "above target); tick: 90th percentile; dashed: target");
    p->y += 4;
}

static void chart_satisfaction(struct pdf *p)
{
    const struct hq_stats_sat *s = &p->r->stats->total.sat;
    heading(p, "满意度", "Satisfaction by level");
    need(p, 5 * 18 + 30);
    cairo_t *cr = p->cr;
    int64_t maxn = 1;
    for (int i = 0; i < HQ_STATS_LEVELS; i++)
        if (s->levels[i] > maxn) maxn = s->levels[i];
    const double L = MARGIN + 150, W = PAGE_W - MARGIN - L - 70;
    static const double colour[5][3] = {
        {0.8, 0.2, 0.2}, {0.9, 0.5, 0.3}, {0.8, 0.7, 0.3}, {0.5, 0.75, 0.4}, {0.2, 0.6, 0.3}};
    for (int lv = 5; lv >= 1; lv--) {
        p->y += 18;
        char label[96], v[48];
        snprintf(label, sizeof label, "%d %s %s", lv, hq__level_zh(lv), hq__level_en(lv));
        text(cr, MARGIN, p->y, 8.5, false, 0, label);
        double bw = W * (double)s->levels[lv - 1] / (double)maxn;
        cairo_set_source_rgb(cr, colour[lv - 1][0], colour[lv - 1][1], colour[lv - 1][2]);
        cairo_rectangle(cr, L, p->y - 10, bw, 12);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        snprintf(v, sizeof v, "%lld (%.1f%%)", (long long)s->levels[lv - 1],
                 100 * hq__round(HQ_CK_PCT, s->n ? (double)s->levels[lv - 1] / (double)s->n : 0.0));
        text(cr, L + bw + 4, p->y, 8, false, 0, v);
    }
    p->y += 18;
    char line[256];
    if (s->n) {
        snprintf(
            line, sizeof line,
            "评价 %lld 条；满意率（4–5级）%.1f%%，95%% 置信区间 %.1f%%–%.1f%%；满意度指数 %.1f",
            (long long)s->n, 100 * hq__round(HQ_CK_PCT, s->rate),
            100 * hq__round(HQ_CK_PCT, s->rate_lo), 100 * hq__round(HQ_CK_PCT, s->rate_hi),
            hq__round(HQ_CK_NUM, s->index));
        text(cr, MARGIN, p->y, 8.5, true, 0, line);
        p->y += 12;
        snprintf(line, sizeof line,
                 "%lld evaluations; satisfaction rate (levels 4–5) %.1f%%, 95%% CI %.1f%%–%.1f%% "
                 "(Wilson); satisfaction index %.1f",
                 (long long)s->n, 100 * hq__round(HQ_CK_PCT, s->rate),
                 100 * hq__round(HQ_CK_PCT, s->rate_lo), 100 * hq__round(HQ_CK_PCT, s->rate_hi),
                 hq__round(HQ_CK_NUM, s->index));
        text(cr, MARGIN, p->y, 8, false, 0, line);
    } else {
        text(cr, MARGIN, p->y, 8.5, true, 0, "无评价 No evaluations");
    }
    const struct hq_stats *st = p->r->stats;
    if (st->n_reasons) {
        size_t used = (size_t)snprintf(line, sizeof line, "评价原因 Reasons given:");
        for (size_t i = 0; i < st->n_reasons && i < 6 && used < sizeof line; i++)
            used += (size_t)snprintf(line + used, sizeof line - used, "%s %s %lld", i ? " ·" : "",
                                     st->reasons[i].text, (long long)st->reasons[i].n);
        p->y += 13;
        text(cr, MARGIN, p->y, 8, false, 0, line);
    }
    p->y += 6;
}

/* A compact table of groups: short headers of their own (the page is narrow). */
static const struct {
    enum hq__col col;
    const char *zh, *en;
} pdf_cols[] = {
    {HQ_COL_NAME, "名称", "Name"},
    {HQ_COL_ISSUED, "取号/叫号", "Tickets"},
    {HQ_COL_SERVED, "办结", "Served"},
    {HQ_COL_NO_SHOW, "过号", "No-show"},
    {HQ_COL_WAIT_MEAN, "均等候", "Wait min"},
    {HQ_COL_WAIT_P90, "90%等候", "P90 min"},
    {HQ_COL_WITHIN, "目标内", "In target"},
    {HQ_COL_SVC_MEAN, "均办理", "Service min"},
    {HQ_COL_RATE, "满意率", "Satisfied"},
    {HQ_COL_INDEX, "指数", "Index"},
    {HQ_COL_COMPLAINTS, "投诉", "Complaints"},
};

static void table(struct pdf *p, enum hq__section sec, const struct hq_stats_group *g, size_t n,
                  bool scorecard, bool skip_empty)
{
    const int nc = (int)(sizeof pdf_cols / sizeof pdf_cols[0]);
    heading(p, hq__sec_zh[sec], hq__sec_en[sec]);
    const double W = PAGE_W - 2 * MARGIN, first_w = 104, sc_w = scorecard ? 34 : 0;
    const double cw = (W - first_w - 3 * sc_w) / (nc - 1);
    cairo_t *cr = p->cr;
    /* header: Chinese over English */
    need(p, 40);
    p->y += 11;
    double x = MARGIN;
    for (int c = 0; c < nc; c++) {
        double w = c == 0 ? first_w : cw, tx = c == 0 ? x : x + w - 2, al = c == 0 ? 0 : 1;
        text(cr, tx, p->y, 7, true, al, pdf_cols[c].zh);
        text(cr, tx, p->y + 8, 5.5, false, al, pdf_cols[c].en);
        x += w;
    }
    if (scorecard) {
        text(cr, x + sc_w - 2, p->y, 7, true, 1, "时长达标");
        text(cr, x + sc_w - 2, p->y + 8, 5.5, false, 1, "Time met");
        text(cr, x + 2 * sc_w - 2, p->y, 7, true, 1, "满意达标");
        text(cr, x + 2 * sc_w - 2, p->y + 8, 5.5, false, 1, "Rate met");
        text(cr, x + 3 * sc_w - 2, p->y, 7, true, 1, "等候达标");
        text(cr, x + 3 * sc_w - 2, p->y + 8, 5.5, false, 1, "Wait met");
    }
    p->y += 11;
    for (size_t i = 0; i < n; i++) {
        if (skip_empty && g[i].c.issued == 0 && g[i].sat.n == 0) continue;
        need(p, 13);
        p->y += 12;
        x = MARGIN;
        for (int c = 0; c < nc; c++) {
            const char *t;
            double v;
            char buf[160];
            bool has = hq__col_value(&g[i], pdf_cols[c].col, &t, &v);
            if (c == 0) {
                snprintf(buf, sizeof buf, "%s %s", g[i].key, t);
                text(cr, x, p->y, 7.5, false, 0, buf);
                x += first_w;
                continue;
            }
            fmt_value(buf, sizeof buf, hq__cols[pdf_cols[c].col].kind, v, has);
            text(cr, x + cw - 2, p->y, 7.5, false, 1, buf);
            x += cw;
        }
        if (scorecard) {
            const char *t;
            double v;
            hq__score_value(&g[i], HQ_SC_SVC_MET, &t, &v);
            text(cr, x + sc_w - 2, p->y, 7.5, false, 1, t);
            hq__score_value(&g[i], HQ_SC_SAT_MET, &t, &v);
            text(cr, x + 2 * sc_w - 2, p->y, 7.5, false, 1, t);
            hq__score_value(&g[i], HQ_SC_WAIT_MET, &t, &v);
            text(cr, x + 3 * sc_w - 2, p->y, 7.5, false, 1, t);
        }
        cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
        cairo_set_line_width(cr, 0.3);
        cairo_move_to(cr, MARGIN, p->y + 3);
        cairo_line_to(cr, PAGE_W - MARGIN, p->y + 3);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
    }
    p->y += 6;
}

int hq_report_pdf(const struct hq_report *r, unsigned char **out, size_t *len, struct hq_why *why)
{
    struct hq__rbuf b = {.ok = true};
    cairo_surface_t *surf = cairo_pdf_surface_create_for_stream(write_cb, &b, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE,
                                   "服务统计报表 Service statistics report");
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "hallq");
    cairo_t *cr = cairo_create(surf);
    struct pdf p = {.cr = cr, .y = MARGIN, .page = 1, .r = r};

    cairo_set_source_rgb(cr, 0, 0, 0);
    p.y += 16;
    text(cr, MARGIN, p.y, 18, true, 0, "服务统计报表");
    text(cr, PAGE_W - MARGIN, p.y, 12, false, 1, "Service statistics report");
    p.y += 18;
    char line[512];
    snprintf(line, sizeof line, "%s%s%s", r->hall_name ? r->hall_name : "",
             r->hall_name_en && r->hall_name_en[0] ? " · " : "",
             r->hall_name_en ? r->hall_name_en : "");
    text(cr, MARGIN, p.y, 10, false, 0, line);
    p.y += 14;
    snprintf(line, sizeof line, "统计期间 Period: %s — %s    生成 Generated: %s", r->from, r->to,
             r->generated_at ? r->generated_at : "");
    text(cr, MARGIN, p.y, 9, false, 0, line);

    heading(&p, "概览", "Overview");
    overview(&p);
    chart_wait(&p);
    chart_satisfaction(&p);
    const struct hq_stats *s = r->stats;
    table(&p, HQ_SEC_SERVICES, s->services, s->n_services, false, false);
    table(&p, HQ_SEC_WINDOWS, s->windows, s->n_windows, false, false);
    table(&p, HQ_SEC_STAFF, s->clerks, s->n_clerks, true, false);
    struct hq__pdf_cb cb = {cr, &p.y, need_cb, &p}; /* paused time, gap (report_survey.c) */
    if (hq__pdf_extra(&cb, r)) b.ok = false;
    if (r->trace && r->in) {
        heading(&p, "数据来源", "Sources (traceable to the event log)");
        need(&p, 30);
        p.y += 13;
        snprintf(line, sizeof line,
                 "%zu 张号票 ticket rows · %zu 条评价 evaluations · %zu 件投诉 complaints · "
                 "事件日志 event log #%lld – #%lld",
                 r->in->n_tickets, r->in->n_evals, r->in->n_complaints,
                 (long long)r->trace->first_seq, (long long)r->trace->last_seq);
        text(cr, MARGIN, p.y, 8, false, 0, line);
        for (int i = 0; i < r->trace->n_events; i++) {
            need(&p, 12);
            p.y += 11;
            snprintf(line, sizeof line, "%s: %lld", r->trace->events[i].type,
                     (long long)r->trace->events[i].n);
            text(cr, MARGIN + 12, p.y, 8, false, 0, line);
        }
    }
    footer(&p);
    return hq__pdf_end(cr, surf, &b, out, len, why);
}

/* The drawing helpers above for the other PDF documents of src/report (report_int.h). */
cairo_status_t hq__pdf_write(void *closure, const unsigned char *data, unsigned int length)
{
    return write_cb(closure, data, length);
}

int hq__pdf_end(cairo_t *cr, cairo_surface_t *surf, struct hq__rbuf *b, unsigned char **out,
                size_t *len, struct hq_why *why)
{
    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_finish(surf);
    cairo_status_t st = cairo_surface_status(surf);
    cairo_surface_destroy(surf);
    if (st != CAIRO_STATUS_SUCCESS || !b->ok) {
        free(b->data);
        return hq_fail(why, HQ_EINTERNAL, "", "pdf: %s",
                       b->ok ? cairo_status_to_string(st) : "too large or out of memory");
    }
    *out = b->data;
    *len = b->len;
    return 0;
}

double hq__pdf_text(cairo_t *cr, double x, double y, double size, bool bold, double align,
                    const char *s)
{
    return text(cr, x, y, size, bold, align, s);
}
