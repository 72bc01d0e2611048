/* SPDX-License-Identifier: MIT */
/*
 * report_csv.c — the period report as one CSV file: UTF-8 with a byte-order mark (Excel then
 * reads the Chinese), CRLF line ends, RFC 4180 quoting, and sections one after another (概览
 * Overview, 业务 Services, 窗口 Windows, 人员 Staff, 时段 Hours, 评价 Evaluations), each a title
 * row
 * "# 概览 Overview", a header row with both languages, its rows and a blank line. Text a customer
 * typed (evaluation comments) that starts with = + - @ is prefixed with ' so that a spreadsheet
 * never runs it as a formula (CSV injection).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

static void field(struct hq__rbuf *b, const char *s, bool first, bool untrusted)
{
    if (!first) hq__rbuf_str(b, ",");
    if (!s) s = "";
    bool formula = untrusted && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
                                 s[0] == '\t' || s[0] == '\r');
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (!quote) {
        hq__rbuf_str(b, s);
        return;
    }
    hq__rbuf_str(b, "\"");
    if (formula) hq__rbuf_str(b, "'");
    for (const char *p = s; *p; p++) {
        if (*p == '"') hq__rbuf_str(b, "\"");
        hq__rbuf_add(b, p, 1);
    }
    hq__rbuf_str(b, "\"");
}

void hq__csv_field(struct hq__rbuf *b, const char *s, bool first, bool untrusted)
{
    field(b, s, first, untrusted);
}

static void number(struct hq__rbuf *b, enum hq__colkind k, double v, bool has)
{
    char tmp[48] = "";
    v = hq__round(k, v);
    if (has) {
        switch (k) {
        case HQ_CK_INT:
            snprintf(tmp, sizeof tmp, "%lld", (long long)llround(v));
            break;
        case HQ_CK_MIN:
            snprintf(tmp, sizeof tmp, "%.1f", v);
            break;
        case HQ_CK_PCT:
            snprintf(tmp, sizeof tmp, "%.1f%%", v * 100);
            break;
        default:
            snprintf(tmp, sizeof tmp, "%.1f", v);
            break;
        }
    }
    field(b, tmp, false, false);
}

static void eol(struct hq__rbuf *b)
{
    hq__rbuf_str(b, "\r\n");
}

static void title(struct hq__rbuf *b, enum hq__section s)
{
    char t[96];
    snprintf(t, sizeof t, "# %s %s", hq__sec_zh[s], hq__sec_en[s]);
    field(b, t, true, false);
    eol(b);
}

static void header(struct hq__rbuf *b, const struct hq__coldef *cols, int n, bool first)
{
    for (int i = 0; i < n; i++) {
        char t[128];
        snprintf(t, sizeof t, "%s %s", cols[i].zh, cols[i].en);
        field(b, t, first && i == 0, false);
    }
}

static void groups(struct hq__rbuf *b, enum hq__section sec, const struct hq_stats_group *g,
                   size_t n, bool scorecard, bool skip_empty)
{
    title(b, sec);
    header(b, hq__cols, HQ_COL_COUNT_, true);
    if (scorecard) header(b, hq__score_cols, HQ_SC_COUNT_, false);
    eol(b);
    for (size_t i = 0; i < n; i++) {
        if (skip_empty && g[i].c.issued == 0 && g[i].sat.n == 0) continue;
        for (int c = 0; c < HQ_COL_COUNT_; c++) {
            const char *text;
            double v;
            bool has = hq__col_value(&g[i], (enum hq__col)c, &text, &v);
            if (hq__cols[c].kind == HQ_CK_TEXT)
                field(b, text, c == 0, false);
            else
                number(b, hq__cols[c].kind, v, has);
        }
        for (int c = 0; scorecard && c < HQ_SC_COUNT_; c++) {
            const char *text;
            double v;
            bool has = hq__score_value(&g[i], (enum hq__scol)c, &text, &v);
            if (hq__score_cols[c].kind == HQ_CK_TEXT)
                field(b, text, false, false);
            else
                number(b, hq__score_cols[c].kind, v, has);
        }
        eol(b);
    }
    eol(b);
}

int hq_report_csv(const struct hq_report *r, unsigned char **out, size_t *len, struct hq_why *why)
{
    struct hq__rbuf b = {.ok = true};
    hq__rbuf_str(&b, "\xEF\xBB\xBF");
    struct hq__kv rows[64];
    int n = hq__overview(r, rows, 64);
    title(&b, HQ_SEC_OVERVIEW);
    field(&b, "项目 Item", true, false);
    field(&b, "English", false, false);
    field(&b, "数值 Value", false, false);
    eol(&b);
    for (int i = 0; i < n; i++) {
        field(&b, rows[i].zh, true, false);
        field(&b, rows[i].en, false, false);
        if (rows[i].kind == HQ_CK_TEXT)
            field(&b, rows[i].has ? rows[i].text : "", false, false);
        else
            number(&b, rows[i].kind, rows[i].num, rows[i].has);
        eol(&b);
    }
    eol(&b);
    const struct hq_stats *s = r->stats;
    groups(&b, HQ_SEC_SERVICES, s->services, s->n_services, false, false);
    groups(&b, HQ_SEC_WINDOWS, s->windows, s->n_windows, false, false);
    groups(&b, HQ_SEC_STAFF, s->clerks, s->n_clerks, true, false);
    groups(&b, HQ_SEC_HOURS, s->hours, s->n_hours, false, true);

    title(&b, HQ_SEC_EVALS);
    header(&b, hq__eval_cols, HQ_EVAL_COLS, true);
    eol(&b);
    for (size_t i = 0; r->in && i < r->in->n_evals; i++) {
        const struct hq_stats_eval *e = &r->in->evals[i];
        char day[16], at[32], lv[48], win[16];
        hq__rday(e->day, day, sizeof day);
        hq__rtime(r, e->created_at, at, sizeof at);
        snprintf(lv, sizeof lv, "%d %s", e->level, hq__level_zh(e->level));
        snprintf(win, sizeof win, "%d", (int)e->window);
        field(&b, day, true, false);
        field(&b, e->number, false, false);
        field(&b, e->service, false, false);
        field(&b, win, false, false);
        field(&b, e->clerk, false, false);
        field(&b, lv, false, false);
        field(&b, e->reasons, false, true);
        field(&b, e->comment, false, true);
        field(&b, at, false, false);
        eol(&b);
    }
    if (hq__csv_extra(&b, r)) b.ok = false; /* paused time, gap analysis (report_survey.c) */
    if (!b.ok) {
        free(b.data);
        return hq_fail(why, HQ_EINTERNAL, "", "report too large or out of memory");
    }
    *out = b.data;
    *len = b.len;
    return 0;
}
