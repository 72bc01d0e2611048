/* SPDX-License-Identifier: MIT */
/*
 * hq_report.h — the statistics of a period (src/stats) rendered for people and programs: JSON
 * (the API's answer), CSV (UTF-8 with a BOM so Excel reads the Chinese), XLSX (libxlsxwriter;
 * sheets 概览 · 业务 · 窗口 · 人员 · 时段 · 评价 · 明细, with number formats) and PDF (cairo, A4,
 * Chinese and English headings, a bar chart of the waiting per hour and a satisfaction chart,
 * font "Noto Sans CJK SC" named explicitly because cairo's toy text API has no fallback).
 *
 * Every report carries its sources — how many ticket rows and evaluations it was computed from,
 * the event log's counts per ticket event type and sequence range over the same period — and
 * lists the evaluations and the tickets themselves, so any figure can be traced back to the rows
 * and the rows to the events in the log (docs/STATS.md).
 *
 * Threads: every function is reentrant. Ownership: inputs are borrowed; *out is malloc'd and the
 * caller frees it (JSON: json_decref). Errors: 0, or a negative enum hq_err with *why.
 */
#ifndef HQ_REPORT_H
#define HQ_REPORT_H

#include <jansson.h>

#include "../stats/hq_stats.h"

#define HQ_REPORT_MAX_EVENT_TYPES 16

/* What the event log holds for the period (traceability). */
struct hq_report_trace {
    int64_t first_seq, last_seq; /* 0 when none */
    struct {
        char type[32];
        int64_t n;
    } events[HQ_REPORT_MAX_EVENT_TYPES];
    int n_events;
};

struct hq_report {
    const struct hq_stats *stats;
    const struct hq_stats_input *in; /* its tickets and evaluations are listed */
    const struct hq_report_trace *trace;
    const char *hall_name, *hall_name_en;
    const char *from, *to;    /* "YYYY-MM-DD" */
    const char *generated_at; /* shown as is */
    /* Optional blocks (NULL: left out), JSON as the API gives them: the "pauses" block of GET
     * /stats and the answer of GET /surveys/analysis; written by report_survey.c. */
    const json_t *pauses, *gap;
    /* The "evaluation_coverage" and "help_requests" blocks of GET /stats (NULL: left out). */
    const json_t *coverage, *help;
};
/* Times in the reports are local (the process's TZ, which the app sets to the hall's zone). */

/* Count an event of type into the trace (for hq_event callbacks). */
void hq_report_trace_add(struct hq_report_trace *tr, int64_t seq, const char *type);

/* The answer of GET /api/v1/stats (docs/STATS.md). NULL when out of memory. */
json_t *hq_report_json(const struct hq_report *r);
/* One group as the API shows it (also used by the comparison). */
json_t *hq_report_group_json(const struct hq_stats_group *g, bool scorecard);
/* The tests of a comparison as JSON. */
json_t *hq_report_compare_json(const struct hq_stats_compare *c);
/* The same with, per test, which side is better in the figure's direction ("better": "a", "b",
 * "same", null when the test is not valid; "higher_is_better") and each side's n. */
json_t *hq_report_compare_groups_json(const struct hq_stats_compare *c,
                                      const struct hq_stats_group *a,
                                      const struct hq_stats_group *b);

int hq_report_csv(const struct hq_report *r, unsigned char **out, size_t *len, struct hq_why *why);
/* XLSX: written through a temporary file in $TMPDIR (or /tmp), read back and removed. */
int hq_report_xlsx(const struct hq_report *r, unsigned char **out, size_t *len, struct hq_why *why);
int hq_report_pdf(const struct hq_report *r, unsigned char **out, size_t *len, struct hq_why *why);

/* The compliance report (src/app/hq_compliance.h's JSON) as an A4 PDF: one block per clause with
 * its coloured verdict, figures and evidence (report_compliance_pdf.c). */
int hq_report_compliance_pdf(json_t *report, unsigned char **out, size_t *len, struct hq_why *why);

#endif
