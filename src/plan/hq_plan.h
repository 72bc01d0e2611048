/* SPDX-License-Identifier: MIT */
/*
 * hq_plan.h — the queueing mathematics behind the window plan: Erlang C (M/M/c) and Erlang A
 * (M/M/c+M, customers who give up), the fewest windows for a target, a seeded random source, and a
 * discrete-event simulation of the hall that drives the real core (src/core) — the same call
 * policy code the server runs. Pure: no I/O, no clock, no global state; deterministic for a seed.
 * docs/PLANNING.md explains the model, its assumptions and its measured accuracy.
 *
 * Units: rates are per second unless the name says otherwise, durations in seconds (doubles).
 * Functions that can refuse return 0 (or a count) and a negative enum hq_err on refusal, fill
 * *why (may be NULL) and leave their outputs untouched.
 */
#ifndef HQ_PLAN_H
#define HQ_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/hq_core.h"

/* ---- Erlang B / C / A ---- */

/* Erlang B blocking probability for offered load a (Erlangs, >= 0) and c >= 0 servers, by the
 * stable recurrence B(0)=1, B(k)=a·B(k-1)/(k+a·B(k-1)). No overflow for any c. NAN on bad input. */
double hq_erlang_b(double a, int c);
/* Erlang C probability of waiting; 1 when a >= c (unstable), NAN on bad input. */
double hq_erlang_c(double a, int c);

/* The figures of one queue. Times in seconds. */
struct hq_queue_figures {
    int windows;          /* c */
    double offered_load;  /* a = lambda * service time, Erlangs */
    double utilisation;   /* share of window time busy: a/c (Erlang C), served load/c (Erlang A) */
    bool stable;          /* false: a >= c without abandonment: the queue grows without bound */
    double p_wait;        /* probability that an arrival waits at all (finds every window busy) */
    double mean_wait_s;   /* mean wait until called; of those served under Erlang A; INFINITY if
                             unstable */
    double service_level; /* share of arrivals called within target_s (Erlang A: those who give up
                             first count as failures); 0 if unstable */
    double target_s;      /* the target the service level refers to */
    /* Erlang A only (0 for Erlang C): */
    double p_abandon;       /* share of arrivals who give up before being called */
    double mean_wait_all_s; /* mean time in the queue of all arrivals, abandoners included */
};

/* Erlang C (M/M/c) figures: Poisson arrivals at lambda per second, exponential service of mean
 * service_s, c windows, one FCFS queue. lambda >= 0, service_s > 0, c >= 1, target_s >= 0.
 * Returns 0 and fills *out, or HQ_EINVAL. */
int hq_erlang_c_figures(double lambda, double service_s, int c, double target_s,
                        struct hq_queue_figures *out, struct hq_why *why);

/* Erlang A (M/M/c+M): as Erlang C, and each waiting customer gives up after an exponential
 * patience of mean patience_s (> 0, finite). Computed on the birth-death chain truncated where the
 * probability of a state falls below e^-40 (4e-18) of the mode's, past the mode (at most
 * HQ_ERLANG_A_MAX_QUEUE customers waiting; a load so high that more would be needed is refused with
 * HQ_EINVAL). Always stable. */
#define HQ_ERLANG_A_MAX_QUEUE 2000000
int hq_erlang_a_figures(double lambda, double service_s, double patience_s, int c, double target_s,
                        struct hq_queue_figures *out, struct hq_why *why);

/* The fewest windows c (1 <= c <= max_c) whose service level reaches `level` (0 < level < 1) for
 * target_s; patience_s 0 = Erlang C, > 0 = Erlang A. Returns c and fills *out (may be NULL) with
 * the figures for c, or a negative hq_err: HQ_EINVAL for bad input, HQ_ECONFLICT when even max_c
 * windows do not reach the level. lambda 0 gives 1 window. */
int hq_erlang_fewest(double lambda, double service_s, double target_s, double level,
                     double patience_s, int max_c, struct hq_queue_figures *out,
                     struct hq_why *why);

/* For the plan and live advice: the fewest windows (Erlang C) so that a share `level` of arrivals
 * is called within target_s, with arrivals_per_half_hour arriving (>= 0) and a mean service time
 * service_s. 0 when nothing arrives; a negative hq_err on bad input or beyond 100000 windows. */
int hq_plan_windows_needed(double arrivals_per_half_hour, double service_s, double target_s,
                           double level);

/* ---- seeded random source: xoshiro256** seeded by splitmix64 ---- */
struct hq_rng {
    uint64_t s[4];
};
void hq_rng_seed(struct hq_rng *r, uint64_t seed);
uint64_t hq_rng_next(struct hq_rng *r);
double hq_rng_uniform(struct hq_rng *r);          /* [0, 1), 53 bits */
double hq_rng_exp(struct hq_rng *r, double mean); /* exponential of the given mean */
double hq_rng_normal(struct hq_rng *r);           /* standard normal (polar method) */
double hq_rng_lognormal(struct hq_rng *r, double mean, double cv); /* by mean and cv (> 0) */

/* ---- the simulation ---- */
enum hq_sim_dist { HQ_DIST_EXP, HQ_DIST_LOGNORMAL, HQ_DIST_EMPIRICAL };

/* One service of the simulated hall. Pointers are borrowed for the duration of hq_sim_run. */
struct hq_sim_service {
    char code[HQ_CODE_MAX];
    /* Arrivals per hour, one rate per hour of the run from its start (a non-stationary Poisson
     * process, constant within each hour); hours past n_rates use the last rate. n_rates >= 1. */
    const double *rate_per_hour;
    int n_rates;
    enum hq_sim_dist dist;
    double mean_s;         /* exponential and lognormal: mean service time, > 0 */
    double cv;             /* lognormal: coefficient of variation, > 0 */
    const double *samples; /* empirical: service times observed (seconds, > 0) */
    int n_samples;
    double patience_s; /* 0 = customers never give up; > 0 = exponential patience mean */
};

/* One window: its services in order of preference; its clerk holds certifications for all of
 * them. Open from open_h to close_h hours after the start (close_h 0 = to the end). */
struct hq_sim_window {
    int32_t number;
    char services[HQ_WIN_SVC_MAX][HQ_CODE_MAX];
    int n_services;
    double open_h, close_h;
};

struct hq_sim_conf {
    const struct hq_sim_service *services;
    int n_services;
    const struct hq_sim_window *windows;
    int n_windows;
    double hours;    /* arrivals during [0, hours); the queue is then served to the end */
    double warmup_h; /* arrivals before this are served but not counted; busy time too */
    uint64_t seed;
    double target_wait_s;  /* for service_level */
    double priority_share; /* share of arrivals with a priority (green channel) ticket, 0..1 */
    double no_show_p;      /* probability that a called customer does not come, 0..1 */
    double no_show_wait_s; /* how long the clerk waits for a called customer who does not come */
    double walk_s;         /* time from call to the start of service for those who come */
    double pause_every_h;  /* 0 = no pauses; else each window pauses after exponential gaps of
                              this mean (working time), once its current customer is done */
    double pause_s;        /* length of a pause */
    bool has_policy;       /* false: the core's default call policy */
    struct hq_policy policy;
    /* Length of the period each rate_per_hour entry covers (the rates stay per hour): 0 = 3600,
     * 1800 for the half hours of a day plan. */
    double rate_period_s;
    const struct hq_sim_observer *observer; /* NULL = none; borrowed */
};

/* Watches a run ticket by ticket (the day plan's per-half-hour figures, the estimate's measured
 * accuracy). Called synchronously from hq_sim_run; either function may be NULL. */
struct hq_sim_observer {
    void *ctx;
    /* A ticket was issued (rec: its index in issue order from 0, t_s: seconds from the start),
     * before any window calls it: h and now are the core's hall and clock as the server would
     * see them at that instant. May read h (hq_ticket_estimate takes it non-const): must not
     * change it. */
    void (*issued)(void *ctx, long rec, int service, double t_s, struct hq_hall *h,
                   const struct hq_now *now, const struct hq_ticket *t);
    /* Ticket rec was called for the first time, wait_s after its issue. */
    void (*called)(void *ctx, long rec, double wait_s);
};

struct hq_sim_stats {
    char code[HQ_CODE_MAX]; /* "" for the whole hall */
    long arrivals;          /* counted arrivals (after the warm-up) */
    long served;            /* finished service */
    long abandoned;         /* gave up while waiting */
    long no_shows;          /* called but did not come */
    long unserved;          /* still waiting at the end: no open window served them */
    long priority;          /* priority tickets among arrivals */
    double p_wait;          /* share of arrivals not called at the instant they arrived */
    double mean_wait_s;     /* mean time from ticket to first call, over those called */
    double p50_wait_s, p90_wait_s;
    double mean_wait_priority_s, mean_wait_normal_s; /* over those called, by category */
    double service_level; /* share of arrivals called within target_wait_s */
    double utilisation;   /* busy window time (call to finish) for this service over the
                             available (open, not paused) window time, [warm-up, hours) */
};

/* Results: overall and one per service (in conf order). Owned by the caller: release with
 * hq_sim_result_release. */
struct hq_sim_result {
    struct hq_sim_stats overall;
    struct hq_sim_stats *per_service;
    int n_services;
    double end_h;     /* when the last customer left */
    long max_waiting; /* the longest queue seen (tickets waiting at once) */
    long events;      /* events processed */
};

/* Queue growth guard: a run with more tickets than this waiting at once is refused. Below the
 * core's 99999 numbers per service and day, so an overloaded run stops with this clear reason. */
#define HQ_SIM_MAX_LIVE 50000

/* Run the simulation. It builds a struct hq_hall with the services, windows and one clerk per
 * window, issues tickets with hq_ticket_issue, opens windows with hq_window_open and calls with
 * hq_window_call_next / start / finish / no_show / pause / resume — the core's own code. Returns 0
 * and fills *out, or a negative hq_err (HQ_EINVAL: bad configuration, field named in *why;
 * HQ_ECONFLICT: the queue grew past HQ_SIM_MAX_LIVE; or the core's refusal, passed on). */
int hq_sim_run(const struct hq_sim_conf *conf, struct hq_sim_result *out, struct hq_why *why);
void hq_sim_result_release(struct hq_sim_result *r);

/* ==== forecasting, the day plan and the estimate's accuracy (forecast.c, dayplan.c, estacc.c;
 * docs/PLANNING.md "Forecast" and "The day plan", docs/ESTIMATE.md "Measured accuracy") ==== */

#define HQ_SLOTS 48             /* half hours of a day; slot k starts at k·30 minutes local time */
#define HQ_PLAN_MAX_SERVICES 64 /* services a forecast or plan handles */

/* The calendar: yyyymmdd <-> days since 1970-01-01 (proleptic Gregorian), weekday 0 = Sunday. */
int64_t hq_days_from_civil(int32_t yyyymmdd);
int32_t hq_civil_from_days(int64_t days);
int hq_weekday_of(int32_t yyyymmdd);
bool hq_valid_day(int32_t yyyymmdd); /* a real date between 1970 and 9999 */

/* History: arrivals per service, day and half hour, on a contiguous range of days. A day with
 * no arrival at all is taken as closed (not a day of zero demand). Owns count (release). */
struct hq_history {
    int n_services;
    char codes[HQ_PLAN_MAX_SERVICES][HQ_CODE_MAX];
    int64_t day0; /* days since 1970 of the first day */
    int n_days;
    double *count; /* [day][service][slot] */
    long tickets;  /* arrivals added */
};
/* An empty history of the days [first_day, last_day] (yyyymmdd, at most 3660 days). */
int hq_history_init(struct hq_history *h, int32_t first_day, int32_t last_day, struct hq_why *why);
/* Count one arrival (n of them) of service at minute (0..1439) of day. Unknown services are added
 * (HQ_EINVAL past HQ_PLAN_MAX_SERVICES); days outside the range are ignored (returns 1). */
int hq_history_add(struct hq_history *h, const char *service, int32_t day, int minute, double n,
                   struct hq_why *why);
int hq_history_service(const struct hq_history *h, const char *code); /* index or -1 */
double hq_history_day_total(const struct hq_history *h, int64_t day_index);
void hq_history_release(struct hq_history *h);

/* A configured holiday: closed (as_weekday -1) or run as another weekday (0..6, e.g. a Saturday
 * worked as a Monday). */
struct hq_holiday {
    int32_t day;
    int as_weekday;
};

struct hq_forecast_options {
    int weeks;      /* history used for the profile, in weeks before the date: 0 = 8 */
    int trend_days; /* recent days compared with the profile for the trend: 0 = 14, < 0 none */
    const struct hq_holiday *holidays;
    int n_holidays;
};

/* Arrivals expected per service and half hour of one day. */
struct hq_forecast {
    int32_t day;
    int weekday;  /* the weekday it is forecast as (a holiday's as_weekday) */
    bool holiday; /* listed in the options' holidays */
    bool closed;  /* a closed holiday, or no day of this weekday in the history had arrivals */
    int n_services;
    char codes[HQ_PLAN_MAX_SERVICES][HQ_CODE_MAX];
    double arrivals[HQ_PLAN_MAX_SERVICES][HQ_SLOTS];
    double level[HQ_PLAN_MAX_SERVICES]; /* expected arrivals of the day before the trend */
    double trend[HQ_PLAN_MAX_SERVICES]; /* factor applied to the level (1 = none) */
    int days_weekday;                   /* open days of the same weekday the level comes from */
    int days_all;                       /* open days the time-of-day shape comes from */
};

/* Forecast day from the history strictly before it (days >= day are never looked at, so a
 * forecast of a past day is honest). The model (docs/PLANNING.md): a service's day level is the
 * mean arrivals of the open days of the same weekday in the last `weeks` weeks (all open days when
 * there are none), spread over the half hours by the service's time-of-day shape (pooled over all
 * open days of those weeks: a weekday changes how many come more than when), times a trend: the
 * arrivals of the last trend_days open days over what the profile gives for those days, shrunk
 * towards 1 by the amount of evidence and clamped to [0.5, 2]. Returns 0, or HQ_EINVAL (a day
 * before the history's first day + 1). */
int hq_forecast_day(const struct hq_history *h, int32_t day, const struct hq_forecast_options *o,
                    struct hq_forecast *out, struct hq_why *why);

/* The forecast's measured error on held-out days [first_day, last_day] (each forecast from the
 * days before it only; closed days and days without arrivals skipped). Counts are arrivals. */
struct hq_forecast_error {
    int days;                /* days evaluated */
    double actual_per_day;   /* mean arrivals per day, hall */
    double mae_slot;         /* mean |forecast - actual| per service and half hour (open hours) */
    double wape_slot;        /* Σ|forecast - actual| / Σ actual over service half hours */
    double poisson_mae_slot; /* what a forecast knowing the true rates would still miss by: the
                                mean E|N - λ| of Poisson counts at the forecast's λ */
    double wape_hall_slot;   /* the hall's total per half hour: Σ|err| / Σ actual */
    double mape_day_service; /* mean |err|/actual of daily totals per service (actual > 0) */
    double mape_day;         /* the same for the hall's daily total */
    double bias_day;         /* mean (forecast - actual)/actual of the hall's daily total */
    /* the naive forecast "the same weekday a week before", on the same days */
    double naive_wape_slot, naive_wape_hall_slot, naive_mape_day;
};
int hq_forecast_evaluate(const struct hq_history *h, int32_t first_day, int32_t last_day,
                         const struct hq_forecast_options *o, struct hq_forecast_error *out,
                         struct hq_why *why);

/* ---- the day plan ---- */

/* What the plan knows of a service besides its forecast (indexed as the forecast's codes). */
struct hq_plan_service {
    double service_s;      /* mean service time, start to finish (> 0) */
    const double *samples; /* observed service times for the simulation, or NULL: lognormal */
    int n_samples;
    double cv; /* lognormal cv when there are no samples; 0 = 0.6 */
};

struct hq_plan_conf {
    const struct hq_forecast *fc;
    struct hq_plan_service services[HQ_PLAN_MAX_SERVICES];
    /* The hall's windows: services that share a window are planned together as one group (the
     * connected components of "serves the same window"); a service no window serves is a group
     * of its own. NULL/0: every service its own group. */
    const struct hq_sim_window *windows;
    int n_windows;
    double target_wait_s; /* >= 0 */
    double level;         /* share called within the target, 0 < level < 1 */
    double walk_s;        /* call to start of service (the window is busy), >= 0 */
    double no_show_p;     /* share of called customers who do not come, [0, 1) */
    double no_show_wait_s;
    double priority_share;
    int reps;           /* simulated days per check: 0 = 20 */
    int max_iter;       /* adjustment rounds: 0 = 8 */
    uint64_t seed;      /* the simulation's; the plan is a pure function of its inputs */
    bool no_simulation; /* Erlang only */
};

/* One half hour of a pool of windows. */
struct hq_plan_slot {
    double arrivals;    /* forecast */
    double service_s;   /* window time per customer: arrival-weighted (walk + service, no-shows) */
    int windows_erlang; /* the fewest windows by Erlang C */
    int windows;        /* planned (or, in a what-if, given) */
    double erlang_level, erlang_mean_wait_s; /* Erlang C with `windows` (NAN: no arrivals) */
    long sim_arrivals;                       /* simulated arrivals in the slot, all reps */
    double sim_level, sim_mean_wait_s, sim_p90_wait_s; /* NAN when none arrived */
    bool capacity_short; /* the plan: windows_erlang > the pool's max_windows */
    bool missed;         /* the plan: the simulated level fell short of the target */
};

/* A set of windows serving the same services: a plan group, or a what-if entry. */
struct hq_pool {
    char name[64]; /* the services, comma-separated ("A,B,E") */
    int n_services;
    int services[HQ_WIN_SVC_MAX]; /* indices into the forecast */
    int windows[HQ_SLOTS];        /* input of hq_plan_simulate */
    int max_windows; /* the plan: the hall's windows that serve the pool (-1: no limit) */
    struct hq_plan_slot slot[HQ_SLOTS];
    /* the whole day, simulated: */
    long sim_arrivals;
    double sim_level, sim_mean_wait_s, sim_p90_wait_s;
};

/* The plan of a day. Large (about 300 KB): allocate it on the heap. */
struct hq_day_plan {
    int first_slot, last_slot; /* slots with forecast arrivals: [first, last]; -1 when none */
    int n_groups;
    struct hq_pool groups[HQ_PLAN_MAX_SERVICES];
    int group_of[HQ_PLAN_MAX_SERVICES];                /* service -> group */
    int windows_alone[HQ_PLAN_MAX_SERVICES][HQ_SLOTS]; /* Erlang C, as if it had its own windows */
    int iterations;                                    /* simulation rounds run */
    bool met; /* every half hour meets the level in the last simulation */
    double window_hours;
    int missed_slots;    /* half hours (of any group) that miss the target */
    bool capacity_short; /* some half hour needs more windows than the hall has for it */
};

/* Windows are never planned beyond what the hall has: when c->n_windows > 0, a group gets at most
 * the windows whose list holds one of its services (max_windows; windows_alone at most those that
 * serve the service), the half hours that would need more are marked capacity_short, and a half
 * hour whose simulated level stays short of the target is marked missed (met false), with its
 * expected waits.
 * The plan: per half hour and group the fewest windows by Erlang C (hq_plan_windows_needed with
 * the group's arrivals and mean window time per customer), then the day simulated `reps` times
 * with those windows (hq_sim_run: queues carry over between half hours, real service times,
 * priority, no-shows), and one more window wherever a half hour's simulated level falls short of
 * the target by more than its standard error; repeated up to max_iter rounds. Pure and
 * deterministic. Returns 0, or HQ_EINVAL (bad conf; a group of more than HQ_WIN_SVC_MAX
 * services), HQ_ECONFLICT (a half hour needs more than 100000 windows), or hq_sim_run's refusal. */
int hq_plan_day(const struct hq_plan_conf *c, struct hq_day_plan *out, struct hq_why *why);

/* What-if: simulate the day with the given pools open (pools[i].windows per half hour; pool
 * services disjoint) and fill their slot and day figures; erlang figures are filled too. Services
 * in no pool have no window (their arrivals are left out). Returns 0 or a negative hq_err. */
int hq_plan_simulate(const struct hq_plan_conf *c, struct hq_pool *pools, int n_pools,
                     struct hq_why *why);

/* ---- the accuracy of the core's estimated wait (docs/ESTIMATE.md) ---- */
struct hq_estimate_accuracy {
    long tickets; /* called tickets compared (after the warm-up) */
    double mean_actual_s, mean_estimate_s;
    double mae_s;                     /* mean |estimate - actual| */
    double bias_s;                    /* mean (estimate - actual): > 0 the estimate is too high */
    double rel_p50, rel_p80, rel_p90; /* percentiles of |estimate - actual| / max(actual, floor) */
    double abs_p80_s, abs_p90_s;      /* percentiles of |estimate - actual| */
    double within_2min;               /* share with |estimate - actual| <= 120 s */
};
/* Run the simulation conf (its observer is replaced) and compare, for every ticket issued after
 * the warm-up and later called, hq_ticket_estimate's wait_s at the instant of issue with the
 * actual time to the call. rel_floor_s (> 0) keeps the relative error of short waits finite. */
int hq_estimate_accuracy(const struct hq_sim_conf *conf, double rel_floor_s,
                         struct hq_estimate_accuracy *out, struct hq_why *why);

#endif
