/* SPDX-License-Identifier: MIT */
/*
 * stats_rollup.h — app-internal: the daily rollup documents of the statistics (stats_rollup.c)
 * and what uc_stats.c lends them (reading a period's rows).
 */
#ifndef HQ_STATS_ROLLUP_H
#define HQ_STATS_ROLLUP_H

#include <pthread.h>

#include "../report/hq_report.h"
#include "../stats/hq_rollup.h"
#include "../store/hq_store.h"

#define HQ_ROLLUP_KIND "stats_day"
#define HQ_ROLLUP_WRITES_MAX 400
/* Days before today − HQ_ROLLUP_CLOSED_AFTER are closed: their rows no longer change. */
#define HQ_ROLLUP_CLOSED_AFTER 2

/* Rollup documents made while reading a period, to be written once the reader is released. */
struct hq__rollup_writes {
    int32_t day[HQ_ROLLUP_WRITES_MAX];
    char *json[HQ_ROLLUP_WRITES_MAX];
    size_t n;
    int days_from_docs, days_from_rows; /* how the period was read */
};
void hq__rollup_writes_release(struct hq__rollup_writes *w);
/* Add the documents of w to b. 0 or HQ_EINTERNAL. */
int hq__rollup_batch(struct hq_batch *b, const struct hq__rollup_writes *w);

/* The rollup document of one day's roll (malloc'd JSON text), NULL when out of memory. */
char *hq__rollup_encode(int32_t day, const struct hq_roll *r);
/* Add a rollup document (as hq__rollup_encode writes it) to into: 0, or -1 when it is not one. */
int hq__rollup_decode(const char *json, struct hq_roll *into);
/* Fold the rows of one day (tickets, evaluations, the log's ticket events) into out. */
int hq__rollup_day_build(struct hq_store *st, pthread_mutex_t *mu, int32_t day,
                         int32_t target_wait_s, struct hq_roll *out, struct hq_why *why);
/* Merge into out the days [from, to]: a closed day (<= closed_to) from its document when there is
 * a valid one, every other day from its rows; the closed days computed from rows are added to
 * writes (may be NULL). mu (may be NULL) guards st. */
int hq__rollup_period(struct hq_store *st, pthread_mutex_t *mu, int32_t from, int32_t to,
                      int32_t closed_to, int32_t target_wait_s, struct hq_roll *out,
                      struct hq__rollup_writes *writes, struct hq_why *why);
struct hq_app;
/* Write w's documents through the app's writer (a failure only means they are made again). */
void hq__rollup_write_app(struct hq_app *a, const struct hq__rollup_writes *w);
/* Periodic work (uc_tick.c): once a day has closed, write its rollup if it has none. */
void hq__stats_rollup_tick(struct hq_app *a);
/* The event counts of r as a report's trace. */
void hq__rollup_trace(const struct hq_roll *r, struct hq_report_trace *tr);

/* uc_stats.c: the rows of days [from, to] (tickets, evaluations, the log's ticket events;
 * complaints too). */
int hq__stats_gather_rows(struct hq_store *st, pthread_mutex_t *mu, int32_t from, int32_t to,
                          struct hq_stats_input *in, struct hq_report_trace *trace,
                          struct hq_why *why);

/* For the CLI (`hallq stats`): the statistics of a database as GET /api/v1/stats answers them
 * (full_scan: from every row, the reference; read_days, may be NULL: the days read from rollup
 * documents and from rows), and the rollups of the closed days of [from, to]
 * (NULL: the last 400 days) written again; *days = how many. */
int hq_stats_from_db(const char *db, const char *from, const char *to, bool full_scan,
                     int read_days[2], unsigned char **out, size_t *len, struct hq_why *why);
int hq_stats_rebuild_rollups(const char *db, const char *from, const char *to, int *days,
                             struct hq_why *why);

#endif
