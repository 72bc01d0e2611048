/* SPDX-License-Identifier: MIT */
/*
 * hq_stats.h — the figures a manager sees (clauses 5.3.2, 6.2.3–6.2.5, 9.1.1, 9.1.4): tickets
 * issued, served, no-shows, cancelled and expired; waiting and service times (mean, median, p90,
 * the share called within the hall's target); satisfaction (counts per level, the rate of levels
 * 4–5 with a Wilson 95% interval, an index 0–100); per service, window, clerk and hour of the day;
 * staff scorecards against targets; and the tests that say whether two periods or two windows
 * really differ (two-proportion z test, Welch t test).
 *
 * Pure: no I/O, no clock, no time zone. The caller reads the store and fills struct
 * hq_stats_input with copies of the ticket rows and evaluation documents of the period (the
 * local hour of each is given by the caller); hq_stats_compute derives everything from them, so
 * every figure can be recomputed from the rows it names (docs/STATS.md).
 *
 * Definitions (docs/STATS.md has the reasons):
 * - waiting = called_at − queued_at, for every ticket that was called (served or not), stage 0
 *   only (a later stage's row does not keep its own queue time);
 * - service = finished_at − started_at, for done tickets;
 * - quantiles interpolate linearly between order statistics (type 7: numpy's default, Excel's
 *   PERCENTILE.INC);
 * - satisfaction rate = share of levels 4 and 5; index = (mean level − 1) / 4 × 100;
 * - tickets fall in the hour they were issued; evaluations in the hour given with them.
 *
 * Ownership: the input's arrays belong to the caller (hq_stats_input_release frees what the
 * helpers below allocated); struct hq_stats owns its group arrays (hq_stats_release).
 */
#ifndef HQ_STATS_H
#define HQ_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/hq_core.h"

#define HQ_STATS_LEVELS 5
#define HQ_STATS_Z95 1.959963984540054
#define HQ_STATS_KEY_MAX HQ_USER_MAX

/* ---- input ---- */
struct hq_stats_ticket {
    char number[HQ_NUMBER_MAX];
    int32_t day; /* yyyymmdd of issue */
    char service[HQ_CODE_MAX];
    enum hq_status status;
    enum hq_category category;
    int64_t issued_at, queued_at, called_at, started_at, finished_at; /* 0 = not yet */
    int32_t window;                                                   /* 0 = none */
    char clerk[HQ_USER_MAX];
    int32_t stage;
    int hour;           /* local hour of issue, 0..23 */
    int32_t est_wait_s; /* the estimate given at issue, -1 = none (rollups only) */
};

struct hq_stats_eval {
    char number[HQ_NUMBER_MAX];
    int32_t day; /* the ticket's day */
    char service[HQ_CODE_MAX];
    int32_t window;
    char clerk[HQ_USER_MAX];
    int level; /* 1..5; others are ignored */
    int64_t created_at;
    int32_t service_s;
    int hour;          /* local hour of created_at */
    char reasons[256]; /* joined with "; " */
    char *comment;     /* may be NULL; owned by the input (freed by hq_stats_input_release) */
};

struct hq_stats_complaint {
    int32_t window; /* the assessment's window, else the complainant's; 0 = none */
    int32_t day;    /* local day received */
    char status[24];
    char clerk[HQ_USER_MAX]; /* the clerk the assessment names; "" = none */
    bool unfounded;          /* the assessment found it not substantiated: against nobody */
};

/* A name for a key: a service (key = code, target_s = its avg_service_s), a window (key = its
 * number in decimal) or a staff member (key = username). */
struct hq_stats_name {
    char key[HQ_STATS_KEY_MAX];
    char name[HQ_NAME_MAX];
    char name_en[HQ_NAME_MAX];
    int32_t target_s;
};

struct hq_stats_input {
    int32_t day_from, day_to;   /* the period, inclusive */
    int32_t target_wait_s;      /* the hall's target (> 0) */
    double target_satisfaction; /* 0.9 when 0 */
    struct hq_stats_ticket *tickets;
    size_t n_tickets, cap_tickets;
    struct hq_stats_eval *evals;
    size_t n_evals, cap_evals;
    struct hq_stats_complaint *complaints;
    size_t n_complaints, cap_complaints;
    struct hq_stats_name *services, *windows, *staff;
    size_t n_services, n_windows, n_staff;
    size_t cap_services, cap_windows, cap_staff;
};

/* Zero everything. */
void hq_stats_input_init(struct hq_stats_input *in);
/* Free the arrays (and each evaluation's comment); the struct is left initialised. */
void hq_stats_input_release(struct hq_stats_input *in);
/* Append a copy (the comment of an evaluation is taken: the input owns it from here, also on
 * failure). Return 0 or HQ_EINTERNAL when out of memory. */
int hq_stats_add_ticket(struct hq_stats_input *in, const struct hq_stats_ticket *t);
int hq_stats_add_eval(struct hq_stats_input *in, struct hq_stats_eval *e);
int hq_stats_add_complaint(struct hq_stats_input *in, const struct hq_stats_complaint *c);
int hq_stats_add_service(struct hq_stats_input *in, const struct hq_stats_name *n);
int hq_stats_add_window(struct hq_stats_input *in, const struct hq_stats_name *n);
int hq_stats_add_staff(struct hq_stats_input *in, const struct hq_stats_name *n);

/* ---- results ---- */
/* A distribution of durations in seconds. n == 0: the other fields are 0. */
struct hq_stats_dist {
    int64_t n;
    double mean, sd, median, p90, max;
    int64_t within;      /* waits only: called within the target */
    double within_share; /* within / n */
};

struct hq_stats_sat {
    int64_t n;
    int64_t levels[HQ_STATS_LEVELS]; /* levels[0] = level 1 … levels[4] = level 5 */
    int64_t satisfied;               /* levels 4 and 5 */
    double rate, rate_lo, rate_hi;   /* Wilson 95% */
    double mean, sd;                 /* of the level */
    double index;                    /* (mean − 1) / 4 × 100 */
};

struct hq_stats_counts {
    int64_t issued; /* tickets in the group (services, hours, total); called ones for windows
                       and clerks */
    int64_t called, served, no_show, cancelled, expired, open; /* open: waiting/called/serving */
};
/* Add one ticket to the count its status says: served, no-show, cancelled, expired, else open
 * (stats.c; the rollups count the same way). */
void hq_stats_count_status(struct hq_stats_counts *c, enum hq_status status);

/* A figure against its target. A miss "matters" (MISSED) beyond a tolerance: for times, over the
 * target by more than 10% of it and at least 30 s (hq_stats_tolerance_s); for the satisfaction
 * rate, when even the upper end of its 95% interval is below the target. NEAR = over the target
 * within the tolerance. NONE = nothing measured. */
enum hq_stats_verdict { HQ_VERDICT_NONE = 0, HQ_VERDICT_MET, HQ_VERDICT_NEAR, HQ_VERDICT_MISSED };
#define HQ_STATS_TOL_SHARE 0.10
#define HQ_STATS_TOL_MIN_S 30.0
double hq_stats_tolerance_s(double target_s);

/* Scorecard of a clerk (6.2.4): his figures against targets. */
struct hq_stats_score {
    double target_service_s; /* mean of the avg_service_s of the services he served, weighted */
    bool service_met;        /* mean service time <= target (false without served tickets) */
    double target_satisfaction;
    bool satisfaction_met; /* rate >= target (false without evaluations) */
    int64_t complaints;    /* complaints naming him, or a window he served at that day */
    int32_t days;          /* days with at least one ticket called */
    enum hq_stats_verdict service_verdict, satisfaction_verdict, wait_verdict;
    int32_t target_wait_s; /* the hall's; his mean wait is that of the tickets he called */
    bool wait_met;         /* mean wait <= target (false without called tickets) */
};

struct hq_stats_group {
    char key[HQ_STATS_KEY_MAX]; /* service code, window number, username, "09" (hour), "" total */
    char name[HQ_NAME_MAX];     /* from the input's names, "" when unknown */
    char name_en[HQ_NAME_MAX];
    struct hq_stats_counts c;
    struct hq_stats_dist wait, service;
    struct hq_stats_sat sat;
    int64_t complaints;          /* windows and the total */
    struct hq_stats_score score; /* clerks only */
};

/* A reason customers gave with their evaluations (the pad offers them for levels 1–2). */
struct hq_stats_reason {
    char text[64];
    int64_t n;
    double mean_level; /* of the evaluations giving it */
};

struct hq_stats {
    int32_t day_from, day_to, target_wait_s;
    double target_satisfaction;
    struct hq_stats_group total;
    struct hq_stats_reason *reasons; /* most given first (then by text); evaluations' reasons
                                        split at "; " */
    size_t n_reasons;
    struct hq_stats_group *services, *windows, *clerks, *hours;
    size_t n_services, n_windows, n_clerks, n_hours; /* hours: 24, "00" … "23" */
};

/* Compute every figure from in. Services come in the input's order, then codes seen only in the
 * data; windows by number; clerks by username. Returns 0, or HQ_EINTERNAL (out of memory: *out
 * is then empty). out must be released with hq_stats_release. */
int hq_stats_compute(const struct hq_stats_input *in, struct hq_stats *out);
void hq_stats_release(struct hq_stats *s);

/* A group's figures that follow from its counts, distributions and sums: satisfaction rate,
 * interval, mean level, index and the scorecard (also for rollups, hq_rollup.h). level_sum and
 * level_sq: of the evaluations' levels; target_sum: the target service times of the tickets
 * served, summed. */
void hq_stats_group_finish(struct hq_stats_group *g, double level_sum, double level_sq,
                           double target_sum, double target_sat, int32_t target_wait);

/* The group of a key, or NULL. */
const struct hq_stats_group *hq_stats_find(const struct hq_stats_group *groups, size_t n,
                                           const char *key);

/* ---- the mathematics, exposed for tests and reuse ---- */
/* Quantile q in [0, 1] of sorted values (type 7). n == 0: 0. */
double hq_stats_quantile(const double *sorted, size_t n, double q);
/* Wilson score interval of x successes in n at the given z (n == 0: [0, 1]). */
void hq_stats_wilson(int64_t x, int64_t n, double z, double *lo, double *hi);
/* Standard normal CDF (erfc). */
double hq_stats_norm_cdf(double z);
/* Student's t CDF with df > 0 degrees of freedom (regularised incomplete beta). */
double hq_stats_t_cdf(double t, double df);
/* Regularised incomplete beta I_x(a, b), a, b > 0, x in [0, 1]. */
double hq_stats_betai(double a, double b, double x);

struct hq_stats_test {
    bool valid;       /* false when the data cannot support the test (n too small, no variance) */
    double diff;      /* a − b */
    double stat;      /* z or t */
    double df;        /* Welch only */
    double p;         /* two-sided */
    bool significant; /* p < 0.05 */
};
/* Two-proportion z test (pooled) of x1/n1 against x2/n2. */
void hq_stats_two_prop(int64_t x1, int64_t n1, int64_t x2, int64_t n2, struct hq_stats_test *out);
/* Welch's t test from means, standard deviations and sizes (each n >= 2). */
void hq_stats_welch(double m1, double sd1, int64_t n1, double m2, double sd2, int64_t n2,
                    struct hq_stats_test *out);

/* Two groups compared (9.1.4): satisfaction rate (z), mean level (Welch), mean wait (Welch). */
struct hq_stats_compare {
    struct hq_stats_test rate, level, wait;
};
void hq_stats_compare(const struct hq_stats_group *a, const struct hq_stats_group *b,
                      struct hq_stats_compare *out);

/* ---- surveys and gap analysis (9.1.3, 9.1.4): src/stats/stats_tests.c ---- */
/* Regularised upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a), a > 0, x >= 0 (series below
 * x < a + 1, continued fraction above). */
double hq_stats_gamma_q(double a, double x);
/* Upper tail of the chi-square distribution: P(X > x) with df degrees of freedom. */
double hq_stats_chi2_sf(double x, double df);
/* The t quantile t such that P(T <= t) = p, df > 0 (bisection on hq_stats_t_cdf). */
double hq_stats_t_quantile(double p, double df);

/* A mean with its 95% t interval: mean ± t(0.975, n−1) · sd / √n (n < 2: no interval). */
struct hq_stats_mean_ci {
    int64_t n;
    double mean, sd, lo, hi;
    bool has_ci;
};
/* From counts of a K-point scale: counts[0] = answers of 1 … counts[k-1] = answers of k. */
void hq_stats_mean_ci_levels(const int64_t *counts, size_t k, struct hq_stats_mean_ci *out);

/* Chi-square test of independence on an r × c table of counts (row-major); rows and columns
 * whose total is 0 are dropped first; no continuity correction. valid is false when fewer than
 * 2 rows or 2 columns are left. min_expected lets the caller warn below 5. */
struct hq_stats_chi2 {
    bool valid;
    double stat, df, p, min_expected;
    int64_t n;
};
void hq_stats_chi2_indep(const int64_t *table, size_t rows, size_t cols, struct hq_stats_chi2 *out);

/* Mann–Whitney U of two samples on a K-point ordinal scale given as counts per level (a[0] =
 * answers of level 1 …): U of sample a (U1 = R1 − n1(n1+1)/2), the normal approximation with
 * the tie correction and a continuity correction of 0.5 (scipy's mannwhitneyu with
 * method="asymptotic"), two-sided p. effect = U1 / (n1 n2): the probability that an answer of a
 * is above one of b (ties count half). valid is false when a side is empty or all answers tie. */
struct hq_stats_mwu {
    bool valid;
    double u, z, p, effect;
    int64_t n_a, n_b;
};
void hq_stats_mann_whitney_levels(const int64_t *a, const int64_t *b, size_t k,
                                  struct hq_stats_mwu *out);

/* Holm's step-down adjustment of n p-values: adj[i] = max over the sorted p(j), j <= rank(i), of
 * min(1, (n − j) p(j)) (0-based j). Reject at level alpha when adj[i] < alpha. */
void hq_stats_holm(const double *p, size_t n, double *adj);

/* Importance–performance analysis of one dimension. gap = importance − performance; the quadrant
 * is taken against the crosshair (the mean importance and mean performance of the dimensions):
 * CONCENTRATE (important, below par), KEEP (important, above par), LOW (neither), OVERKILL (not
 * so important, above par). */
enum hq_stats_quadrant {
    HQ_QUAD_NONE = 0,
    HQ_QUAD_CONCENTRATE,
    HQ_QUAD_KEEP,
    HQ_QUAD_LOW,
    HQ_QUAD_OVERKILL
};
const char *hq_stats_quadrant_name(enum hq_stats_quadrant q);
struct hq_stats_ipa {
    struct hq_stats_mean_ci importance, performance;
    double gap;
    enum hq_stats_quadrant quadrant;
    int rank; /* 1 = largest gap (among dimensions with answers), 0 = no answers */
};
/* n dimensions; imp and perf are n × k counts (row-major). cross_imp/cross_perf receive the
 * crosshair (may be NULL). */
void hq_stats_ipa(const int64_t *imp, const int64_t *perf, size_t n, size_t k,
                  struct hq_stats_ipa *out, double *cross_imp, double *cross_perf);

#endif
