/* SPDX-License-Identifier: MIT */
/*
 * report_int.h — shared by the files of src/report only: the bilingual labels every format uses
 * (one table, so CSV, XLSX and PDF say the same thing) and a bounded growable byte buffer.
 */
#ifndef HQ_REPORT_INT_H
#define HQ_REPORT_INT_H

#include "hq_report.h"

#define HQ_REPORT_MAX_BYTES (64u * 1024 * 1024)

/* A growable byte buffer refusing to grow past HQ_REPORT_MAX_BYTES (ok turns false). */
struct hq__rbuf {
    unsigned char *data;
    size_t len, cap;
    bool ok;
};
void hq__rbuf_add(struct hq__rbuf *b, const void *p, size_t n);
void hq__rbuf_str(struct hq__rbuf *b, const char *s);
void hq__rbuf_printf(struct hq__rbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Columns of a group table: the same in every format. */
enum hq__col {
    HQ_COL_KEY,
    HQ_COL_NAME,
    HQ_COL_ISSUED,
    HQ_COL_SERVED,
    HQ_COL_NO_SHOW,
    HQ_COL_CANCELLED,
    HQ_COL_EXPIRED,
    HQ_COL_WAIT_MEAN,
    HQ_COL_WAIT_MEDIAN,
    HQ_COL_WAIT_P90,
    HQ_COL_WITHIN,
    HQ_COL_SVC_MEAN,
    HQ_COL_SVC_MEDIAN,
    HQ_COL_SVC_P90,
    HQ_COL_EVALS,
    HQ_COL_RATE,
    HQ_COL_RATE_LO,
    HQ_COL_RATE_HI,
    HQ_COL_INDEX,
    HQ_COL_COMPLAINTS,
    HQ_COL_COUNT_
};
/* The kind of value in a column: how it is formatted. */
enum hq__colkind { HQ_CK_TEXT, HQ_CK_INT, HQ_CK_MIN, HQ_CK_PCT, HQ_CK_NUM };
struct hq__coldef {
    const char *zh, *en;
    enum hq__colkind kind;
    const char *id; /* the key of the column in the JSON's "display" object (NULL: not there) */
};
/* The one rounding for display, used by every output (the JSON's "display" values the page shows,
 * CSV, XLSX, PDF): each figure is rounded once, from its exact value. Minutes and other numbers
 * to 0.1, shares to 0.1 % (0.001), counts to whole numbers; text is not touched. */
double hq__round(enum hq__colkind k, double exact);
extern const struct hq__coldef hq__cols[HQ_COL_COUNT_];
/* The value of column c of group g: *text for text columns, else *num; false when there is
 * nothing to show (no samples). Minutes for HQ_CK_MIN, a share 0..1 for HQ_CK_PCT. */
bool hq__col_value(const struct hq_stats_group *g, enum hq__col c, const char **text, double *num);

/* The sheets/sections, their Chinese and English titles. */
enum hq__section {
    HQ_SEC_OVERVIEW,
    HQ_SEC_SERVICES,
    HQ_SEC_WINDOWS,
    HQ_SEC_STAFF,
    HQ_SEC_HOURS,
    HQ_SEC_EVALS,
    HQ_SEC_TICKETS,
    HQ_SEC_COUNT_
};
extern const char *const hq__sec_zh[HQ_SEC_COUNT_];
extern const char *const hq__sec_en[HQ_SEC_COUNT_];

/* Staff scorecard columns (after the group columns). */
enum hq__scol {
    HQ_SC_TARGET_SVC,
    HQ_SC_SVC_MET,
    HQ_SC_TARGET_SAT,
    HQ_SC_SAT_MET,
    HQ_SC_WAIT_MET,
    HQ_SC_DAYS,
    HQ_SC_COUNT_
};
extern const struct hq__coldef hq__score_cols[HQ_SC_COUNT_];
bool hq__score_value(const struct hq_stats_group *g, enum hq__scol c, const char **text,
                     double *num);
/* A verdict in both languages: "是 yes", "略超 near" (within the tolerance), "否 no", "—". */
const char *hq__verdict_text(enum hq_stats_verdict v);

/* Overview rows: label and value (text or number of a kind). */
struct hq__kv {
    const char *zh, *en;
    enum hq__colkind kind;
    double num;
    char text[160];
    bool has;
};
/* Fill up to max overview rows; returns how many. */
int hq__overview(const struct hq_report *r, struct hq__kv *rows, int max);

/* Evaluation and ticket list columns. */
#define HQ_EVAL_COLS 9
extern const struct hq__coldef hq__eval_cols[HQ_EVAL_COLS];
#define HQ_TICKET_COLS 11
extern const struct hq__coldef hq__ticket_cols[HQ_TICKET_COLS];

/* "2026-11-26 09:03:00" local time; "" for 0. */
void hq__rtime(const struct hq_report *r, int64_t t, char *buf, size_t len);
/* yyyymmdd -> "YYYY-MM-DD" */
void hq__rday(int32_t day, char *buf, size_t len);
/* Chinese / English names of a level 1..5 and of a ticket status. */
const char *hq__level_zh(int level);
const char *hq__level_en(int level);
const char *hq__status_zh(enum hq_status s);
/* The display name of a group: name, else name_en, else key. */
const char *hq__group_name(const struct hq_stats_group *g);

/* PDF drawing shared by the PDF documents (report_pdf.c): cairo's stream writer into a struct
 * hq__rbuf, and text at (x, baseline y) in the report's font (align 0 left, 1 right, 0.5 centre;
 * returns the width). hq__pdf_end ends the last page, frees cr and surf, and hands over the
 * bytes (0), or frees them (HQ_EINTERNAL). Only for files that include <cairo.h>. */
#ifdef CAIRO_H
cairo_status_t hq__pdf_write(void *closure, const unsigned char *data, unsigned int length);
int hq__pdf_end(cairo_t *cr, cairo_surface_t *surf, struct hq__rbuf *b, unsigned char **out,
                size_t *len, struct hq_why *why);
double hq__pdf_text(cairo_t *cr, double x, double y, double size, bool bold, double align,
                    const char *s);
#endif
/* report_survey.c: the sections of paused time, of the surveys' gap analysis, of the evaluation
 * coverage and of the help requests (r->pauses, r->gap, r->coverage, r->help; nothing when all
 * are NULL). Each returns 0, or -1 when out of memory. */
void hq__csv_field(struct hq__rbuf *b, const char *s, bool first, bool untrusted);
int hq__csv_extra(struct hq__rbuf *b, const struct hq_report *r);
struct lxw_workbook;
int hq__xlsx_extra(struct lxw_workbook *wb, const struct hq_report *r);
struct _cairo;
struct hq__pdf_cb {
    struct _cairo *cr;
    double *y;                              /* the current baseline */
    void (*need)(void *ctx, double height); /* a new page when height does not fit */
    void *ctx;
};
int hq__pdf_extra(struct hq__pdf_cb *cb, const struct hq_report *r);

#endif
