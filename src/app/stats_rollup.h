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

/* ---- the sections of GET /stats that other modules keep (docs/STATS.md "Rollups") ----
 * evaluation_coverage (uc_cases_stages.c), pauses (uc_pauses.c), help_requests (uc_help.c) and
 * appointments (uc_appointments.c) as sums that add up day by day: one JSON object
 * {"coverage":{…},"pauses":{…},"help":{…},"appointments":{…}} whose leaves are integers (added)
 * or arrays of integers (joined). Each module folds the rows of days [from, to] into it (the
 * caller holds st's lock; now ends the pauses still running) and finishes its block from it. */
int hq__eval_coverage_fold(struct hq_store *st, int32_t from, int32_t to, json_t *sums);
json_t *hq__eval_coverage_finish(json_t *sums);
int hq__pauses_fold(struct hq_store *st, int32_t from, int32_t to, int64_t now, json_t *sums);
json_t *hq__pauses_finish(const struct hq_hall *h, json_t *sums); /* h names windows, clerks */
int hq__help_fold(struct hq_store *st, int32_t from, int32_t to, json_t *sums);
json_t *hq__help_finish(json_t *sums);
int hq__appointments_fold(struct hq_store *st, int32_t from, int32_t to, json_t *sums);
json_t *hq__appointments_finish(json_t *sums);
/* The four from the rows of [from, to] into sums (mu, may be NULL, guards st): 0 or -1. */
int hq__sections_fold(struct hq_store *st, pthread_mutex_t *mu, int32_t from, int32_t to,
                      int64_t now, json_t *sums);
/* Add a day's sums to into: 0, or -1 (into unchanged) when day is not of their shape. */
int hq__sections_add(json_t *into, json_t *day);
/* The four blocks of GET /stats from sums, set into out ("evaluation_coverage", "pauses",
 * "help_requests", "appointments"); h (locked by the caller) names windows and clerks. */
void hq__sections_json(const struct hq_hall *h, json_t *sums, json_t *out);
struct hq_app;
/* A record that the figures of day `day` (0: none) or of the local day of time t (0: none)
 * count has changed: when that day is closed, its rollup document is deleted in b (made again
 * from the rows when next asked for). */
void hq__rollup_drop(struct hq_app *a, struct hq_batch *b, int32_t day, int64_t t);

/* The rollup document of one day's roll and sections (malloc'd JSON text), NULL when out of
 * memory. */
char *hq__rollup_encode(int32_t day, const struct hq_roll *r, json_t *sections);
/* Add a rollup document (as hq__rollup_encode writes it) to into and its sections to
 * into_sections (may be NULL): 0, or -1 when it is not one (nothing added). */
int hq__rollup_decode(const char *json, struct hq_roll *into, json_t *into_sections);
/* Fold the rows of one day (tickets, evaluations, the log's ticket events; the sections into
 * sections, may be NULL) into out. now ends the pauses still running. */
int hq__rollup_day_build(struct hq_store *st, pthread_mutex_t *mu, int32_t day,
                         int32_t target_wait_s, int64_t now, struct hq_roll *out, json_t *sections,
                         struct hq_why *why);
/* Merge into out and sections the days [from, to]: a closed day (<= closed_to) from its document
 * when there is a valid one, every other day from its rows; the closed days computed from rows
 * are added to writes (may be NULL). mu (may be NULL) guards st. */
int hq__rollup_period(struct hq_store *st, pthread_mutex_t *mu, int32_t from, int32_t to,
                      int32_t closed_to, int32_t target_wait_s, int64_t now, struct hq_roll *out,
                      json_t *sections, struct hq__rollup_writes *writes, struct hq_why *why);
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
