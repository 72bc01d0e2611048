/* SPDX-License-Identifier: MIT */
/*
 * hq_rollup.h — the statistics of a day folded into sums that merge (docs/STATS.md "Rollups"):
 * per group (the total, each service, window, clerk and hour of the day) the counts, the sums,
 * sums of squares and maxima of waiting and service times, fixed-bin histograms of both (bin
 * width HQ_ROLL_BIN_S) and the evaluation levels; per (window, clerk) the days a clerk called at
 * a window (the complaints are attributed by it); the evaluations' reasons; the event log's
 * counts. A period's figures are the merge of its days' rollups, finished against the hall's
 * names, targets and complaints by hq_roll_finish into the same struct hq_stats that
 * hq_stats_compute makes from the rows: counts, means, sums, maxima, satisfaction and the share
 * within the target (for a target that is a multiple of the bin width) are exact; medians and
 * p90 are within one bin width (HQ_ROLL_BIN_S seconds) of the exact figure.
 *
 * Pure: no I/O, no clock, no time zone (the caller gives each row's local day and hour).
 * Ownership: struct hq_roll owns its arrays (hq_roll_release).
 */
#ifndef HQ_ROLLUP_H
#define HQ_ROLLUP_H

#include "hq_stats.h"

#define HQ_ROLL_BIN_S 10  /* bin 0 holds 0 s; bin b ≥ 1 holds ((b−1)·10 s, b·10 s] */
#define HQ_ROLL_BINS 8641 /* up to 24 h; longer durations fall in the last bin */
#define HQ_ROLL_EVENT_TYPES 16

/* kinds of group */
#define HQ_ROLL_TOTAL 'T'
#define HQ_ROLL_SERVICE 'S'
#define HQ_ROLL_WINDOW 'W'
#define HQ_ROLL_CLERK 'C'
#define HQ_ROLL_HOUR 'H'
#define HQ_ROLL_WINCLERK 'X' /* key "window\tclerk", with its day: a clerk called there */

struct hq_roll_dist {
    int64_t n, sum, sumsq, max;
    int64_t *bins; /* counts per bin, nbins long (NULL when n == 0) */
    int32_t nbins;
};

struct hq_roll_served {
    char service[HQ_CODE_MAX];
    int64_t n; /* done tickets with a service time, for the clerk's target */
};

struct hq_roll_group {
    char kind;
    int32_t day; /* HQ_ROLL_WINCLERK only; 0 for the others */
    char key[HQ_STATS_KEY_MAX + 24];
    struct hq_stats_counts c;
    struct hq_roll_dist wait, service;
    int64_t levels[HQ_STATS_LEVELS];
    int64_t days;     /* days with a ticket called */
    int32_t last_day; /* while adding rows */
    struct hq_roll_served *served;
    size_t n_served, cap_served;
};

/* The estimated wait against the real one (uc_estimate.c's figures, summed): tickets with an
 * estimate, first stage, called: n, the sum of |called − issued − estimate| and how many were
 * within HQ_ROLL_EST_WITHIN_S. code "" = the hall. */
#define HQ_ROLL_EST_WITHIN_S 300
#define HQ_ROLL_EST_SERVICES 64
struct hq_roll_est {
    char code[HQ_CODE_MAX];
    int64_t n, abs_sum, within;
};

struct hq_roll_reason {
    char text[64];
    int64_t n, level_sum;
};

struct hq_roll {
    struct hq_roll_group *g;
    size_t n, cap;
    uint32_t *slots; /* open addressing: group index + 1, 0 = empty */
    size_t n_slots;
    struct hq_roll_reason *reasons;
    size_t n_reasons, cap_reasons;
    struct {
        char type[32];
        int64_t n;
    } events[HQ_ROLL_EVENT_TYPES];
    int n_events;
    int64_t first_seq, last_seq; /* 0 when none */
    int64_t n_tickets, n_evals;
    struct hq_roll_est est_all, est[HQ_ROLL_EST_SERVICES]; /* services in first-seen order */
    size_t n_est;
};

void hq_roll_init(struct hq_roll *r);
void hq_roll_release(struct hq_roll *r);

/* Add one row (a ticket's day and hour are in it). Tickets of one group must come in day order
 * (one day at a time). 0 or HQ_EINTERNAL (out of memory). */
int hq_roll_add_ticket(struct hq_roll *r, const struct hq_stats_ticket *t, int32_t target_wait_s);
int hq_roll_add_eval(struct hq_roll *r, const struct hq_stats_eval *e);
/* Count an event of the log (type, sequence number). */
void hq_roll_add_event(struct hq_roll *r, int64_t seq, const char *type);

/* The group of (kind, day, key), created empty when absent (NULL: out of memory). */
struct hq_roll_group *hq_roll_group(struct hq_roll *r, char kind, int32_t day, const char *key);
int hq_roll_dist_add(struct hq_roll_dist *d, int64_t v);
/* Add a bin's count (for decoders). */
int hq_roll_dist_add_bin(struct hq_roll_dist *d, int32_t bin, int64_t count);
int hq_roll_served_add(struct hq_roll_group *g, const char *service, int64_t n);
int hq_roll_reason_add(struct hq_roll *r, const char *text, int64_t n, int64_t level_sum);

/* Add to the estimate accuracy of service code (and the hall's). */
void hq_roll_est_add(struct hq_roll *r, const char *code, int64_t n, int64_t abs_sum,
                     int64_t within);

/* dst += src (src unchanged). 0 or HQ_EINTERNAL. */
int hq_roll_merge(struct hq_roll *dst, const struct hq_roll *src);

/* The figures of the merged rollup r: in gives the period, the targets, the names and the
 * complaints (its tickets and evaluations are not read). 0 or HQ_EINTERNAL; out released with
 * hq_stats_release. */
int hq_roll_finish(const struct hq_roll *r, const struct hq_stats_input *in, struct hq_stats *out);

/* Quantile q of the durations in d's histogram (type 7 over the bins' values spread evenly;
 * within HQ_ROLL_BIN_S of the exact figure). */
double hq_roll_quantile(const struct hq_roll_dist *d, double q);

#endif
