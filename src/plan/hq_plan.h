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

#endif
