/* SPDX-License-Identifier: MIT */
/*
 * report_survey.c — the report sections of paused time (clause 5.3.6), of the surveys' gap
 * analysis (9.1.4), of the evaluation coverage (9.1.1) and of the help requests in CSV, XLSX and
 * PDF (docs/STATS.md). The app gives them as the JSON blocks of the API (r->pauses,
 * r->coverage, r->help: the "pauses", "evaluation_coverage" and "help_requests" blocks of GET
 * /stats; r->gap: the answer of GET /surveys/analysis with its comparison); here they become
 * tables — 暂停 Paused time, 差距分析 Gap analysis, 显著性检验 Significance tests, 评价覆盖
 * Evaluation coverage, 求助 Help requests — built once and written by each format, so the three
 * files say the same thing. Means on the 1–5 scale to 0.01, minutes to 0.1, p-values to 4
 * significant digits. Text typed by people (pause reasons, names) is written as untrusted (CSV
 * injection guard) and as string cells.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <xlsxwriter.h>

#include "report_int.h"

#define XT_COLS 12
#define DEC_P (-2) /* a p-value: 4 significant digits */
#define DEC_TEXT (-1)

struct xcell {
    char text[192];
    double num;
    int dec;
    bool has, untrusted;
};

struct xtable {
    const char *zh, *en, *sheet;
    char note[512];
    int ncols;
    const char *hz[XT_COLS], *he[XT_COLS];
    double w[XT_COLS]; /* relative widths for the PDF */
    struct xcell *cells;
    int nrows, cap;
};

struct xtables {
    struct xtable t[5];
    int n;
};

static struct xcell *row_new(struct xtable *t)
{
    if (t->nrows == t->cap) {
        int cap = t->cap ? t->cap * 2 : 16;
        struct xcell *c = realloc(t->cells, (size_t)cap * XT_COLS * sizeof *c);
        if (!c) return NULL;
        t->cells = c;
        t->cap = cap;
    }
    struct xcell *r = &t->cells[(size_t)t->nrows++ * XT_COLS];
    memset(r, 0, XT_COLS * sizeof *r);
    for (int i = 0; i < XT_COLS; i++)
        r[i].dec = DEC_TEXT;
    return r;
}

static void ctext(struct xcell *c, const char *s, bool untrusted)
{
    snprintf(c->text, sizeof c->text, "%s", s ? s : "");
    c->dec = DEC_TEXT;
    c->has = true;
    c->untrusted = untrusted;
}

static void cnum(struct xcell *c, json_t *v, int dec)
{
    c->dec = dec;
    c->has = json_is_number(v);
    c->num = json_number_value(v);
    if (!c->has) return;
    if (dec == DEC_P)
        snprintf(c->text, sizeof c->text, "%.4g", c->num);
    else
        snprintf(c->text, sizeof c->text, "%.*f", dec, c->num);
}

static const char *js(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k)) ?: "";
}

static void reasons_text(json_t *acc, char *buf, size_t cap)
{
    size_t i, used = 0;
    json_t *r;
    buf[0] = '\0';
    json_array_foreach(json_object_get(acc, "by_reason"), i, r)
    {
        const char *why = js(r, "reason");
        int n = snprintf(buf + used, cap - used, "%s%s %lld 次 %.1f 分钟", i ? "; " : "",
                         why[0] ? why : "未说明",
                         (long long)json_integer_value(json_object_get(r, "n")),
                         (double)json_integer_value(json_object_get(r, "total_s")) / 60);
        if (n < 0 || (size_t)n >= cap - used) break;
        used += (size_t)n;
    }
}

static int pauses_table(json_t *p, struct xtable *t)
{
    static const char *hz[] = {"类别", "对象", "次数", "时长（分钟）", "原因"};
    static const char *he[] = {"Kind", "Who", "Pauses", "Minutes", "Reasons"};
    static const double w[] = {1, 2, 1, 1.2, 5};
    t->zh = "暂停服务时长";
    t->en = "Paused time";
    t->sheet = "暂停";
    t->ncols = 5;
    for (int i = 0; i < 5; i++) {
        t->hz[i] = hz[i];
        t->he[i] = he[i];
        t->w[i] = w[i];
    }
    json_t *tot = json_object_get(p, "total");
    char rs[160];
    reasons_text(tot, rs, sizeof rs);
    snprintf(t->note, sizeof t->note,
             "合计 Total %lld 次 pauses, %.1f 分钟 min（仍在暂停 still paused: %lld）; %s",
             (long long)json_integer_value(json_object_get(tot, "n")),
             (double)json_integer_value(json_object_get(tot, "total_s")) / 60,
             (long long)json_integer_value(json_object_get(p, "running")), rs);
    for (int k = 0; k < 2; k++) {
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(p, k ? "staff" : "windows"), i, x)
        {
            struct xcell *c = row_new(t);
            if (!c) return -1;
            char who[128];
            if (k)
                snprintf(who, sizeof who, "%s (%s)", js(x, "name"), js(x, "username"));
            else
                snprintf(who, sizeof who, "%lld %s",
                         (long long)json_integer_value(json_object_get(x, "window")),
                         js(x, "name"));
            ctext(&c[0], k ? "人员 staff" : "窗口 window", false);
            ctext(&c[1], who, true);
            cnum(&c[2], json_object_get(x, "n"), 0);
            json_t *m = json_real((double)json_integer_value(json_object_get(x, "total_s")) / 60);
            cnum(&c[3], m, 1);
            json_decref(m);
            char r[192];
            reasons_text(x, r, sizeof r);
            ctext(&c[4], r, true);
        }
    }
    return 0;
}

static const char *quadrant_zh(const char *q)
{
    if (strcmp(q, "concentrate") == 0) return "重点改进 concentrate";
    if (strcmp(q, "keep") == 0) return "继续保持 keep";
    if (strcmp(q, "low_priority") == 0) return "次要 low priority";
    if (strcmp(q, "possible_overkill") == 0) return "可能过度 overkill";
    return "—";
}

static int gap_table(json_t *g, struct xtable *t)
{
    static const char *hz[] = {"维度", "重要程度", "下限", "上限", "n",    "表现",
                               "下限", "上限",     "n",    "差距", "象限", "排名"};
    static const char *he[] = {"Dimension", "Importance", "lo", "hi",  "n",        "Performance",
                               "lo",        "hi",         "n",  "Gap", "Quadrant", "Rank"};
    static const double w[] = {1.6, 1.1, 0.8, 0.8, 0.6, 1.1, 0.8, 0.8, 0.6, 0.8, 2.0, 0.6};
    t->zh = "满意度差距分析";
    t->en = "Gap analysis";
    t->sheet = "差距分析";
    t->ncols = 12;
    for (int i = 0; i < 12; i++) {
        t->hz[i] = hz[i];
        t->he[i] = he[i];
        t->w[i] = w[i];
    }
    json_t *q = json_object_get(g, "questionnaire"), *m = json_object_get(g, "methods");
    char below[256] = "";
    size_t i, used = 0;
    json_t *k;
    json_array_foreach(json_object_get(g, "furthest_below"), i, k)
    {
        const char *key = json_string_value(k);
        const char *name = key;
        size_t j;
        json_t *d;
        json_array_foreach(json_object_get(g, "dimensions"), j,
                           d) if (strcmp(js(d, "key"), key) == 0) name = js(d, "name");
        int n = snprintf(below + used, sizeof below - used, "%s%s", i ? "、" : "", name);
        if (n < 0 || (size_t)n >= sizeof below - used) break;
        used += (size_t)n;
    }
    snprintf(t->note, sizeof t->note,
             "问卷 Questionnaire: %s v%lld · 答卷 answers %lld (pad %lld, web %lld, phone %lld, "
             "interview %lld) · 95%% t 区间 interval · 差距 gap = 重要程度 importance − 表现 "
             "performance · 最需改进 furthest below: %s",
             js(q, "title"), (long long)json_integer_value(json_object_get(q, "version")),
             (long long)json_integer_value(json_object_get(g, "answers")),
             (long long)json_integer_value(json_object_get(m, "pad")),
             (long long)json_integer_value(json_object_get(m, "web")),
             (long long)json_integer_value(json_object_get(m, "phone")),
             (long long)json_integer_value(json_object_get(m, "interview")),
             below[0] ? below : "—");
    json_t *d;
    json_array_foreach(json_object_get(g, "dimensions"), i, d)
    {
        struct xcell *c = row_new(t);
        if (!c) return -1;
        char name[128];
        snprintf(name, sizeof name, "%s %s", js(d, "name"), js(d, "name_en"));
        ctext(&c[0], name, true);
        for (int a = 0; a < 2; a++) {
            json_t *mm = json_object_get(d, a ? "performance" : "importance");
            json_t *ci = json_object_get(mm, "ci95");
            cnum(&c[1 + 4 * a], json_object_get(mm, "mean"), 2);
            cnum(&c[2 + 4 * a], json_array_get(ci, 0), 2);
            cnum(&c[3 + 4 * a], json_array_get(ci, 1), 2);
            cnum(&c[4 + 4 * a], json_object_get(mm, "n"), 0);
        }
        cnum(&c[9], json_object_get(d, "gap"), 2);
        ctext(&c[10], quadrant_zh(js(d, "quadrant")), false);
        cnum(&c[11], json_object_get(d, "rank"), 0);
    }
    return 0;
}

static int tests_table(json_t *g, json_t *cmp, struct xtable *t)
{
    static const char *hz[] = {"检验",   "维度", "方面",   "n A", "n B",
                               "统计量", "p",    "Holm p", "结论"};
    static const char *he[] = {"Test",      "Dimension", "Aspect", "n A",    "n B",
                               "Statistic", "p",         "Holm p", "Verdict"};
    static const double w[] = {1.4, 1.4, 1.6, 0.5, 0.5, 0.9, 0.8, 0.8, 2.3};
    t->zh = "显著性检验";
    t->en = "Significance tests";
    t->sheet = "显著性检验";
    t->ncols = 9;
    for (int i = 0; i < 9; i++) {
        t->hz[i] = hz[i];
        t->he[i] = he[i];
        t->w[i] = w[i];
    }
    snprintf(t->note, sizeof t->note,
             "本期间 A (%s — %s) 对比 B compared with (%s — %s); Mann–Whitney U 正态近似（含结与"
             "连续性校正）normal approximation with tie and continuity corrections, Holm 校正 "
             "corrected, α = 0.05; 卡方 chi-square 单独一项 alone, uncorrected",
             js(g, "from"), js(g, "to"), js(cmp, "b_from"), js(cmp, "b_to"));
    json_t *ev = json_object_get(cmp, "evaluation_levels");
    struct xcell *c = row_new(t);
    if (!c) return -1;
    bool valid = json_is_true(json_object_get(ev, "valid"));
    ctext(&c[0], "卡方 chi-square", false);
    ctext(&c[1], "评价等级 levels", false);
    ctext(&c[2], "—", false);
    long long na = 0, nb = 0;
    for (int l = 0; l < 5; l++) {
        na += json_integer_value(json_array_get(json_object_get(ev, "levels_a"), (size_t)l));
        nb += json_integer_value(json_array_get(json_object_get(ev, "levels_b"), (size_t)l));
    }
    json_t *ja = json_integer(na), *jb = json_integer(nb);
    cnum(&c[3], ja, 0);
    cnum(&c[4], jb, 0);
    json_decref(ja);
    json_decref(jb);
    cnum(&c[5], json_object_get(ev, "chi2"), 3);
    cnum(&c[6], json_object_get(ev, "p"), DEC_P);
    ctext(&c[8],
          !valid                                             ? "数据不足 too little data"
          : json_is_true(json_object_get(ev, "significant")) ? "差异显著 significant"
                                                             : "不显著 not significant",
          false);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(cmp, "dimensions"), i, x)
    {
        c = row_new(t);
        if (!c) return -1;
        bool v = json_is_true(json_object_get(x, "valid"));
        const char *hi = js(x, "higher");
        const char *aspect = js(x, "aspect");
        ctext(&c[0], "Mann–Whitney U", false);
        ctext(&c[1], js(x, "dimension"), false);
        ctext(&c[2],
              strcmp(aspect, "performance") == 0 ? "表现 performance" : "重要程度 importance",
              false);
        cnum(&c[3], json_object_get(x, "n_a"), 0);
        cnum(&c[4], json_object_get(x, "n_b"), 0);
        if (v) {
            cnum(&c[5], json_object_get(x, "u"), 1);
            cnum(&c[6], json_object_get(x, "p"), DEC_P);
            cnum(&c[7], json_object_get(x, "p_holm"), DEC_P);
        }
        ctext(&c[8],
              !v                                                 ? "数据不足 too little data"
              : !json_is_true(json_object_get(x, "significant")) ? "不显著 not significant"
              : strcmp(hi, "a") == 0 ? "显著，A 较高 significant, A higher"
              : strcmp(hi, "b") == 0 ? "显著，B 较高 significant, B higher"
                                     : "差异显著 significant",
              false);
    }
    return 0;
}

static void table_head(struct xtable *t, int n, const char *const *hz, const char *const *he,
                       const double *w)
{
    t->ncols = n;
    for (int i = 0; i < n; i++) {
        t->hz[i] = hz[i];
        t->he[i] = he[i];
        t->w[i] = w[i];
    }
}

/* One row of the coverage table: kind, who, then the counts and the share of the block g. */
static int coverage_row(struct xtable *t, const char *kind, const char *who, bool untrusted,
                        json_t *g)
{
    static const char *const k[] = {"stages", "rated", "defaulted", "unrated", "excluded"};
    struct xcell *c = row_new(t);
    if (!c) return -1;
    ctext(&c[0], kind, false);
    ctext(&c[1], who, untrusted);
    for (int i = 0; i < 5; i++)
        cnum(&c[2 + i], json_object_get(g, k[i]), 0);
    cnum(&c[7], json_object_get(g, "coverage"), 3);
    return 0;
}

/* 9.1.1 every transaction rated: finished stages rated by their customers, given the default
 * level after N days (apart: not a real rating), unrated, excluded by an upheld appeal. */
static int coverage_table(json_t *cv, struct xtable *t)
{
    static const char *const hz[] = {"类别",     "对象",   "办结环节", "已评价",
                                     "默认评价", "未评价", "申诉排除", "评价覆盖率"};
    static const char *const he[] = {"Kind",      "Who",     "Stages",   "Rated",
                                     "Defaulted", "Unrated", "Excluded", "Coverage"};
    static const double w[] = {1.2, 2, 1, 1, 1, 1, 1, 1.1};
    t->zh = "评价覆盖";
    t->en = "Evaluation coverage";
    t->sheet = "评价覆盖";
    table_head(t, 8, hz, he, w);
    snprintf(
        t->note, sizeof t->note,
        "覆盖率 = 客户已评价 / 办结环节；默认评价（N 天未评）单列，不计入真实评价；申诉成立的评价"
        "已排除。Coverage = rated by the customer / finished stages; default ratings (unrated "
        "after N days) are counted apart, not as real ratings; ratings excluded by an upheld "
        "appeal are counted apart.");
    if (coverage_row(t, "合计 total", "", false, cv)) return -1;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(cv, "by_window"), i, x)
    {
        char who[32];
        snprintf(who, sizeof who, "%lld",
                 (long long)json_integer_value(json_object_get(x, "window")));
        if (coverage_row(t, "窗口 window", who, false, x)) return -1;
    }
    json_array_foreach(json_object_get(cv, "by_clerk"), i, x)
    {
        if (coverage_row(t, "人员 staff", js(x, "clerk"), true, x)) return -1;
    }
    return 0;
}

/* Help requests (the ask-for-help button, 4.4): asked, acknowledged by a guide, closed, and the
 * median time to acknowledge. */
static int help_table(json_t *hp, struct xtable *t)
{
    static const char *const hz[] = {"求助次数", "已响应", "已关闭", "响应时间中位数（分钟）"};
    static const char *const he[] = {"Requests", "Acknowledged", "Closed",
                                     "Median time to acknowledge (min)"};
    static const double w[] = {1, 1, 1, 2};
    t->zh = "求助";
    t->en = "Help requests";
    t->sheet = "求助";
    table_head(t, 4, hz, he, w);
    snprintf(t->note, sizeof t->note,
             "客户按“求助”按钮的次数及引导员响应情况 Requests from the ask-for-help button and how "
             "guides answered them");
    struct xcell *c = row_new(t);
    if (!c) return -1;
    cnum(&c[0], json_object_get(hp, "count"), 0);
    cnum(&c[1], json_object_get(hp, "acknowledged"), 0);
    cnum(&c[2], json_object_get(hp, "closed"), 0);
    json_t *med = json_object_get(hp, "median_ack_s");
    json_t *m = json_is_number(med) ? json_real(json_number_value(med) / 60) : json_null();
    cnum(&c[3], m, 1);
    json_decref(m);
    return 0;
}

static void tables_free(struct xtables *x)
{
    for (int i = 0; i < x->n; i++)
        free(x->t[i].cells);
}

static int tables_build(const struct hq_report *r, struct xtables *x)
{
    memset(x, 0, sizeof *x);
    int rc = 0;
    if (r->pauses && json_is_object(r->pauses))
        rc = pauses_table((json_t *)r->pauses, &x->t[x->n++]);
    if (!rc && r->gap && json_is_object(r->gap)) {
        rc = gap_table((json_t *)r->gap, &x->t[x->n++]);
        json_t *cmp = json_object_get(r->gap, "comparison");
        if (!rc && json_is_object(cmp)) rc = tests_table((json_t *)r->gap, cmp, &x->t[x->n++]);
    }
    if (!rc && r->coverage && json_is_object(r->coverage))
        rc = coverage_table((json_t *)r->coverage, &x->t[x->n++]);
    if (!rc && r->help && json_is_object(r->help))
        rc = help_table((json_t *)r->help, &x->t[x->n++]);
    if (rc) tables_free(x);
    return rc;
}

/* ---- CSV ---- */

int hq__csv_extra(struct hq__rbuf *b, const struct hq_report *r)
{
    struct xtables x;
    if (tables_build(r, &x)) return -1;
    if (x.n) hq__rbuf_str(b, "\r\n"); /* the section before (the evaluations) ends here */
    for (int k = 0; k < x.n; k++) {
        const struct xtable *t = &x.t[k];
        char line[256];
        snprintf(line, sizeof line, "# %s %s", t->zh, t->en);
        hq__csv_field(b, line, true, false);
        hq__rbuf_str(b, "\r\n");
        if (t->note[0]) {
            hq__csv_field(b, t->note, true, true);
            hq__rbuf_str(b, "\r\n");
        }
        for (int i = 0; i < t->ncols; i++) {
            snprintf(line, sizeof line, "%s %s", t->hz[i], t->he[i]);
            hq__csv_field(b, line, i == 0, false);
        }
        hq__rbuf_str(b, "\r\n");
        for (int rr = 0; rr < t->nrows; rr++) {
            const struct xcell *c = &t->cells[(size_t)rr * XT_COLS];
            for (int i = 0; i < t->ncols; i++)
                hq__csv_field(b, c[i].has ? c[i].text : "", i == 0, c[i].untrusted);
            hq__rbuf_str(b, "\r\n");
        }
        hq__rbuf_str(b, "\r\n");
    }
    tables_free(&x);
    return 0;
}

/* ---- XLSX ---- */

int hq__xlsx_extra(lxw_workbook *wb, const struct hq_report *r)
{
    struct xtables x;
    if (tables_build(r, &x)) return -1;
    lxw_format *head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_text_wrap(head);
    lxw_format *fd[4];
    static const char *nf[4] = {"0", "0.0", "0.00", "0.000"};
    for (int i = 0; i < 4; i++) {
        fd[i] = workbook_add_format(wb);
        format_set_num_format(fd[i], nf[i]);
    }
    lxw_format *fp = workbook_add_format(wb);
    format_set_num_format(fp, "0.0000");
    int rc = 0;
    for (int k = 0; k < x.n && !rc; k++) {
        const struct xtable *t = &x.t[k];
        lxw_worksheet *ws = workbook_add_worksheet(wb, t->sheet);
        if (!ws) {
            rc = -1;
            break;
        }
        worksheet_write_string(ws, 0, 0, t->note, NULL);
        for (int i = 0; i < t->ncols; i++) {
            char h[128];
            snprintf(h, sizeof h, "%s\n%s", t->hz[i], t->he[i]);
            worksheet_write_string(ws, 1, (lxw_col_t)i, h, head);
        }
        worksheet_set_row(ws, 1, 32, NULL);
        worksheet_set_column(ws, 0, 1, 22, NULL);
        worksheet_set_column(ws, 2, (lxw_col_t)(t->ncols - 1), 12, NULL);
        worksheet_freeze_panes(ws, 2, 1);
        for (int rr = 0; rr < t->nrows; rr++) {
            const struct xcell *c = &t->cells[(size_t)rr * XT_COLS];
            for (int i = 0; i < t->ncols; i++) {
                if (!c[i].has) continue;
                lxw_row_t row = (lxw_row_t)(rr + 2);
                if (c[i].dec == DEC_TEXT)
                    worksheet_write_string(ws, row, (lxw_col_t)i, c[i].text, NULL);
                else
                    worksheet_write_number(ws, row, (lxw_col_t)i, c[i].num,
                                           c[i].dec == DEC_P ? fp
                                                             : fd[c[i].dec > 3 ? 3 : c[i].dec]);
            }
        }
    }
    tables_free(&x);
    return rc;
}

/* ---- PDF ---- */

#define PDF_FONT "Noto Sans CJK SC"
#define PDF_W 595.28
#define PDF_M 42.0

static void pdf_text(cairo_t *cr, double x, double y, double size, bool bold, const char *s,
                     double maxw)
{
    cairo_select_font_face(cr, PDF_FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_save(cr);
    if (maxw > 0) {
        cairo_rectangle(cr, x, y - size * 1.2, maxw, size * 1.6);
        cairo_clip(cr);
    }
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, s);
    cairo_restore(cr);
}

/* A long note wrapped at about chars per line (by UTF-8 characters). */
static void pdf_note(struct hq__pdf_cb *cb, const char *s)
{
    const size_t per = 70;
    const char *p = s;
    while (*p) {
        const char *q = p;
        size_t n = 0;
        while (*q && n < per) {
            q++;
            while ((*q & 0xC0) == 0x80)
                q++;
            n++;
        }
        char line[512];
        size_t len = (size_t)(q - p) < sizeof line - 1 ? (size_t)(q - p) : sizeof line - 1;
        memcpy(line, p, len);
        line[len] = '\0';
        cb->need(cb->ctx, 12);
        *cb->y += 11;
        pdf_text(cb->cr, PDF_M, *cb->y, 8, false, line, 0);
        p = q;
    }
}

static void pdf_heading(struct hq__pdf_cb *cb, const char *zh, const char *en)
{
    cb->need(cb->ctx, 40);
    *cb->y += 22;
    cairo_set_source_rgb(cb->cr, 0.1, 0.25, 0.5);
    pdf_text(cb->cr, PDF_M, *cb->y, 13, true, zh, 0);
    cairo_text_extents_t e;
    cairo_text_extents(cb->cr, zh, &e);
    pdf_text(cb->cr, PDF_M + e.x_advance + 8, *cb->y, 11, false, en, 0);
    cairo_set_source_rgb(cb->cr, 0, 0, 0);
    *cb->y += 6;
    cairo_set_line_width(cb->cr, 0.6);
    cairo_move_to(cb->cr, PDF_M, *cb->y);
    cairo_line_to(cb->cr, PDF_W - PDF_M, *cb->y);
    cairo_stroke(cb->cr);
    *cb->y += 4;
}

/* Importance and performance per dimension as bars on the 1–5 scale, with the t intervals. */
static void pdf_gap_chart(struct hq__pdf_cb *cb, json_t *g)
{
    json_t *dims = json_object_get(g, "dimensions");
    size_t n = json_array_size(dims);
    if (!n) return;
    const double rowh = 26, L = PDF_M + 90, R = PDF_W - PDF_M - 70;
    cb->need(cb->ctx, (double)n * rowh + 40);
    cairo_t *cr = cb->cr;
    double y0 = *cb->y + 10;
    for (int v = 0; v <= 5; v++) {
        double x = L + (R - L) * v / 5;
        cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
        cairo_set_line_width(cr, 0.4);
        cairo_move_to(cr, x, y0);
        cairo_line_to(cr, x, y0 + (double)n * rowh);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        char t[4];
        snprintf(t, sizeof t, "%d", v);
        pdf_text(cr, x - 2, y0 + (double)n * rowh + 10, 7, false, t, 0);
    }
    size_t i;
    json_t *d;
    json_array_foreach(dims, i, d)
    {
        double y = y0 + (double)i * rowh;
        pdf_text(cr, PDF_M, y + 14, 9, false, js(d, "name"), 85);
        for (int a = 0; a < 2; a++) {
            json_t *m = json_object_get(d, a ? "performance" : "importance");
            json_t *mean = json_object_get(m, "mean");
            if (!json_is_number(mean)) continue;
            double by = y + 3 + a * 10;
            if (a)
                cairo_set_source_rgb(cr, 0.42, 0.66, 0.31);
            else
                cairo_set_source_rgb(cr, 0.23, 0.44, 0.71);
            cairo_rectangle(cr, L, by, (R - L) * json_number_value(mean) / 5, 8);
            cairo_fill(cr);
            json_t *ci = json_object_get(m, "ci95");
            if (json_is_array(ci)) {
                double lo = fmax(0, json_number_value(json_array_get(ci, 0)));
                double hi = fmin(5, json_number_value(json_array_get(ci, 1)));
                cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
                cairo_set_line_width(cr, 0.8);
                cairo_move_to(cr, L + (R - L) * lo / 5, by + 4);
                cairo_line_to(cr, L + (R - L) * hi / 5, by + 4);
                cairo_stroke(cr);
            }
        }
        json_t *gap = json_object_get(d, "gap");
        if (json_is_number(gap)) {
            char t[48];
            snprintf(t, sizeof t, "差距 gap %+.2f", json_number_value(gap));
            if (json_number_value(gap) > 0)
                cairo_set_source_rgb(cr, 0.69, 0, 0.13);
            else
                cairo_set_source_rgb(cr, 0, 0, 0);
            pdf_text(cr, R + 6, y + 14, 8, json_number_value(gap) > 0, t, 0);
        }
        cairo_set_source_rgb(cr, 0, 0, 0);
    }
    *cb->y = y0 + (double)n * rowh + 26;
    cairo_set_source_rgb(cr, 0.23, 0.44, 0.71);
    cairo_rectangle(cr, PDF_M, *cb->y - 6, 10, 6);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    pdf_text(cr, PDF_M + 14, *cb->y, 8, false, "重要程度 importance", 0);
    cairo_set_source_rgb(cr, 0.42, 0.66, 0.31);
    cairo_rectangle(cr, PDF_M + 120, *cb->y - 6, 10, 6);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    pdf_text(cr, PDF_M + 134, *cb->y, 8, false, "表现 performance   — 95% t 区间 interval", 0);
    *cb->y += 6;
}

static void pdf_table(struct hq__pdf_cb *cb, const struct xtable *t)
{
    double total = 0, x[XT_COLS + 1];
    for (int i = 0; i < t->ncols; i++)
        total += t->w[i];
    x[0] = PDF_M;
    for (int i = 0; i < t->ncols; i++)
        x[i + 1] = x[i] + (PDF_W - 2 * PDF_M) * t->w[i] / total;
    cb->need(cb->ctx, 40);
    *cb->y += 12;
    for (int i = 0; i < t->ncols; i++)
        pdf_text(cb->cr, x[i] + 2, *cb->y, 7.5, true, t->hz[i], x[i + 1] - x[i] - 3);
    *cb->y += 9;
    for (int i = 0; i < t->ncols; i++)
        pdf_text(cb->cr, x[i] + 2, *cb->y, 6.5, false, t->he[i], x[i + 1] - x[i] - 3);
    *cb->y += 3;
    for (int rr = 0; rr < t->nrows; rr++) {
        cb->need(cb->ctx, 12);
        *cb->y += 11;
        const struct xcell *c = &t->cells[(size_t)rr * XT_COLS];
        for (int i = 0; i < t->ncols; i++)
            pdf_text(cb->cr, x[i] + 2, *cb->y, 7.5, false, c[i].has ? c[i].text : "—",
                     x[i + 1] - x[i] - 3);
    }
}

int hq__pdf_extra(struct hq__pdf_cb *cb, const struct hq_report *r)
{
    struct xtables x;
    if (tables_build(r, &x)) return -1;
    for (int k = 0; k < x.n; k++) {
        const struct xtable *t = &x.t[k];
        pdf_heading(cb, t->zh, t->en);
        if (t->note[0]) pdf_note(cb, t->note);
        if (strcmp(t->sheet, "差距分析") == 0) pdf_gap_chart(cb, (json_t *)r->gap);
        pdf_table(cb, t);
    }
    tables_free(&x);
    return 0;
}
