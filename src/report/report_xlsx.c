/* SPDX-License-Identifier: MIT */
/*
 * report_xlsx.c — the period report as an Excel workbook (libxlsxwriter): sheets 概览 (overview),
 * 业务 (services), 窗口 (windows), 人员 (staff scorecards), 时段 (hours, with a column chart of
 * the mean wait), 评价 (every evaluation) and 明细 (every ticket row the figures come from), with
 * Chinese sheet names, bilingual bold headers, frozen header rows, minutes as 0.0 and shares as
 * 0.0%. Numbers are written as numbers (not text) so a manager can sum and chart them; text from
 * customers is always written as a string, never as a formula.
 *
 * libxlsxwriter writes to a file: the workbook goes to a private temporary file (mkstemps in
 * $TMPDIR or /tmp), is read back into memory and removed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "report_int.h"

struct fmts {
    lxw_format *head, *min, *pct, *num, *int_, *title;
};

static lxw_format *fmt_of(const struct fmts *f, enum hq__colkind k)
{
    switch (k) {
    case HQ_CK_MIN:
        return f->min;
    case HQ_CK_PCT:
        return f->pct;
    case HQ_CK_NUM:
        return f->num;
    case HQ_CK_INT:
        return f->int_;
    default:
        return NULL;
    }
}

static void header(lxw_worksheet *ws, int row, int col0, const struct hq__coldef *cols, int n,
                   const struct fmts *f)
{
    for (int i = 0; i < n; i++) {
        char t[128];
        snprintf(t, sizeof t, "%s\n%s", cols[i].zh, cols[i].en);
        worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)(col0 + i), t, f->head);
    }
}

static void cell(lxw_worksheet *ws, int row, int col, enum hq__colkind k, const char *text,
                 double v, bool has, const struct fmts *f)
{
    if (k == HQ_CK_TEXT)
        worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, text ? text : "", NULL);
    else if (has)
        worksheet_write_number(ws, (lxw_row_t)row, (lxw_col_t)col, hq__round(k, v), fmt_of(f, k));
}

static lxw_worksheet *group_sheet(lxw_workbook *wb, enum hq__section sec,
                                  const struct hq_stats_group *g, size_t n, bool scorecard,
                                  bool skip_empty, const struct fmts *f, int *rows_out)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, hq__sec_zh[sec]);
    if (!ws) return NULL;
    header(ws, 0, 0, hq__cols, HQ_COL_COUNT_, f);
    if (scorecard) header(ws, 0, HQ_COL_COUNT_, hq__score_cols, HQ_SC_COUNT_, f);
    worksheet_set_row(ws, 0, 32, NULL);
    worksheet_set_column(ws, 0, 0, 8, NULL);
    worksheet_set_column(ws, 1, 1, 18, NULL);
    worksheet_set_column(ws, 2, HQ_COL_COUNT_ + HQ_SC_COUNT_, 13, NULL);
    worksheet_freeze_panes(ws, 1, 2);
    int row = 1;
    for (size_t i = 0; i < n; i++) {
        if (skip_empty && g[i].c.issued == 0 && g[i].sat.n == 0) continue;
        for (int c = 0; c < HQ_COL_COUNT_; c++) {
            const char *text;
            double v;
            bool has = hq__col_value(&g[i], (enum hq__col)c, &text, &v);
            cell(ws, row, c, hq__cols[c].kind, text, v, has, f);
        }
        for (int c = 0; scorecard && c < HQ_SC_COUNT_; c++) {
            const char *text;
            double v;
            bool has = hq__score_value(&g[i], (enum hq__scol)c, &text, &v);
            cell(ws, row, HQ_COL_COUNT_ + c, hq__score_cols[c].kind, text, v, has, f);
        }
        row++;
    }
    if (rows_out) *rows_out = row - 1;
    return ws;
}

static int build(lxw_workbook *wb, const struct hq_report *r)
{
    struct fmts f;
    f.head = workbook_add_format(wb);
    format_set_bold(f.head);
    format_set_text_wrap(f.head);
    format_set_bg_color(f.head, 0xDDEBF7);
    format_set_border(f.head, LXW_BORDER_THIN);
    f.min = workbook_add_format(wb);
    format_set_num_format(f.min, "0.0");
    f.pct = workbook_add_format(wb);
    format_set_num_format(f.pct, "0.0%");
    f.num = workbook_add_format(wb);
    format_set_num_format(f.num, "0.0");
    f.int_ = workbook_add_format(wb);
    format_set_num_format(f.int_, "0");
    f.title = workbook_add_format(wb);
    format_set_bold(f.title);
    format_set_font_size(f.title, 14);

    /* 概览 */
    lxw_worksheet *ws = workbook_add_worksheet(wb, hq__sec_zh[HQ_SEC_OVERVIEW]);
    if (!ws) return -1;
    worksheet_write_string(ws, 0, 0, "服务统计报表 Service statistics report", f.title);
    worksheet_write_string(ws, 1, 0, "项目", f.head);
    worksheet_write_string(ws, 1, 1, "Item", f.head);
    worksheet_write_string(ws, 1, 2, "数值 Value", f.head);
    worksheet_set_column(ws, 0, 0, 22, NULL);
    worksheet_set_column(ws, 1, 1, 34, NULL);
    worksheet_set_column(ws, 2, 2, 40, NULL);
    struct hq__kv rows[64];
    int n = hq__overview(r, rows, 64);
    for (int i = 0; i < n; i++) {
        worksheet_write_string(ws, (lxw_row_t)(i + 2), 0, rows[i].zh, NULL);
        worksheet_write_string(ws, (lxw_row_t)(i + 2), 1, rows[i].en, NULL);
        cell(ws, i + 2, 2, rows[i].kind, rows[i].text, rows[i].num, rows[i].has, &f);
    }

    const struct hq_stats *s = r->stats;
    if (!group_sheet(wb, HQ_SEC_SERVICES, s->services, s->n_services, false, false, &f, NULL) ||
        !group_sheet(wb, HQ_SEC_WINDOWS, s->windows, s->n_windows, false, false, &f, NULL) ||
        !group_sheet(wb, HQ_SEC_STAFF, s->clerks, s->n_clerks, true, false, &f, NULL))
        return -1;
    int hour_rows = 0;
    lxw_worksheet *hs =
        group_sheet(wb, HQ_SEC_HOURS, s->hours, s->n_hours, false, true, &f, &hour_rows);
    if (!hs) return -1;
    if (hour_rows > 0) {
        lxw_chart *ch = workbook_add_chart(wb, LXW_CHART_COLUMN);
        lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
        chart_series_set_categories(se, hq__sec_zh[HQ_SEC_HOURS], 1, HQ_COL_KEY,
                                    (lxw_row_t)hour_rows, HQ_COL_KEY);
        chart_series_set_values(se, hq__sec_zh[HQ_SEC_HOURS], 1, HQ_COL_WAIT_MEAN,
                                (lxw_row_t)hour_rows, HQ_COL_WAIT_MEAN);
        chart_series_set_name(se, "平均等候(分) Mean wait (min)");
        chart_title_set_name(ch, "各时段平均等候 Mean wait per hour");
        chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
        worksheet_insert_chart(hs, (lxw_row_t)(hour_rows + 2), 1, ch);
    }

    /* 评价 */
    ws = workbook_add_worksheet(wb, hq__sec_zh[HQ_SEC_EVALS]);
    if (!ws) return -1;
    header(ws, 0, 0, hq__eval_cols, HQ_EVAL_COLS, &f);
    worksheet_set_row(ws, 0, 32, NULL);
    worksheet_set_column(ws, 0, 5, 11, NULL);
    worksheet_set_column(ws, 6, 7, 30, NULL);
    worksheet_set_column(ws, 8, 8, 20, NULL);
    worksheet_freeze_panes(ws, 1, 0);
    for (size_t i = 0; r->in && i < r->in->n_evals; i++) {
        const struct hq_stats_eval *e = &r->in->evals[i];
        lxw_row_t row = (lxw_row_t)(i + 1);
        char day[16], at[32];
        hq__rday(e->day, day, sizeof day);
        hq__rtime(r, e->created_at, at, sizeof at);
        worksheet_write_string(ws, row, 0, day, NULL);
        worksheet_write_string(ws, row, 1, e->number, NULL);
        worksheet_write_string(ws, row, 2, e->service, NULL);
        worksheet_write_number(ws, row, 3, e->window, f.int_);
        worksheet_write_string(ws, row, 4, e->clerk, NULL);
        worksheet_write_number(ws, row, 5, e->level, f.int_);
        worksheet_write_string(ws, row, 6, e->reasons, NULL);
        worksheet_write_string(ws, row, 7, e->comment ? e->comment : "", NULL);
        worksheet_write_string(ws, row, 8, at, NULL);
    }

    /* 明细 */
    ws = workbook_add_worksheet(wb, hq__sec_zh[HQ_SEC_TICKETS]);
    if (!ws) return -1;
    header(ws, 0, 0, hq__ticket_cols, HQ_TICKET_COLS, &f);
    worksheet_set_row(ws, 0, 32, NULL);
    worksheet_set_column(ws, 0, 3, 11, NULL);
    worksheet_set_column(ws, 4, 7, 20, NULL);
    worksheet_set_column(ws, 8, 10, 10, NULL);
    worksheet_freeze_panes(ws, 1, 0);
    for (size_t i = 0; r->in && i < r->in->n_tickets; i++) {
        const struct hq_stats_ticket *t = &r->in->tickets[i];
        lxw_row_t row = (lxw_row_t)(i + 1);
        char day[16], tm[4][32], st[48];
        hq__rday(t->day, day, sizeof day);
        hq__rtime(r, t->issued_at, tm[0], sizeof tm[0]);
        hq__rtime(r, t->called_at, tm[1], sizeof tm[1]);
        hq__rtime(r, t->started_at, tm[2], sizeof tm[2]);
        hq__rtime(r, t->finished_at, tm[3], sizeof tm[3]);
        snprintf(st, sizeof st, "%s %s", hq__status_zh(t->status), hq_status_name(t->status));
        worksheet_write_string(ws, row, 0, day, NULL);
        worksheet_write_string(ws, row, 1, t->number, NULL);
        worksheet_write_string(ws, row, 2, t->service, NULL);
        worksheet_write_string(ws, row, 3, st, NULL);
        for (int k = 0; k < 4; k++)
            worksheet_write_string(ws, row, (lxw_col_t)(4 + k), tm[k], NULL);
        if (t->window) worksheet_write_number(ws, row, 8, t->window, f.int_);
        worksheet_write_string(ws, row, 9, t->clerk, NULL);
        if (t->called_at > 0 && t->stage == 0 && t->called_at >= t->queued_at)
            worksheet_write_number(ws, row, 10,
                                   hq__round(HQ_CK_MIN, (double)(t->called_at - t->queued_at) / 60),
                                   f.min);
    }
    if (hq__xlsx_extra(wb, r)) return -1; /* paused time, gap analysis (report_survey.c) */
    return 0;
}

int hq_report_xlsx(const struct hq_report *r, unsigned char **out, size_t *len, struct hq_why *why)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    char path[512];
    snprintf(path, sizeof path, "%s/hallq-report-XXXXXX.xlsx", dir);
    int fd = mkstemps(path, 5);
    if (fd < 0) return hq_fail(why, HQ_EINTERNAL, "", "cannot create a temporary file in %s", dir);
    close(fd);
    int rc = HQ_EINTERNAL;
    unsigned char *data = NULL;
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = (char *)dir};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb) {
        hq_fail(why, HQ_EINTERNAL, "", "xlsx: cannot create the workbook");
        goto out;
    }
    lxw_doc_properties props = {.title = "服务统计报表 Service statistics report",
                                .author = "hallq",
                                .comments = "DB13/T 1760-2013 9.1.4"};
    workbook_set_properties(wb, &props);
    int built = build(wb, r);
    lxw_error e = workbook_close(wb); /* frees wb */
    if (built || e != LXW_NO_ERROR) {
        hq_fail(why, HQ_EINTERNAL, "", "xlsx: %s", e ? lxw_strerror(e) : "cannot add a sheet");
        goto out;
    }
    FILE *fp = fopen(path, "rb");
    struct stat sb;
    if (!fp || fstat(fileno(fp), &sb) != 0 || sb.st_size <= 0 ||
        (size_t)sb.st_size > HQ_REPORT_MAX_BYTES) {
        if (fp) fclose(fp);
        hq_fail(why, HQ_EINTERNAL, "", "xlsx: cannot read the workbook back");
        goto out;
    }
    data = malloc((size_t)sb.st_size);
    size_t got = data ? fread(data, 1, (size_t)sb.st_size, fp) : 0;
    fclose(fp);
    if (got != (size_t)sb.st_size) {
        hq_fail(why, HQ_EINTERNAL, "", "xlsx: short read");
        goto out;
    }
    *out = data;
    *len = got;
    data = NULL;
    rc = 0;
out:
    free(data);
    unlink(path);
    return rc;
}
