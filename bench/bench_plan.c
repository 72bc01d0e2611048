/* SPDX-License-Identifier: MIT */
/*
 * bench_plan.c — how fast the plan module is. Times the simulation of one working day of a
 * 60-window hall (six services, windows with a first service and a helper service, an hourly
 * arrival profile with two peaks, lognormal service times, 5% priority tickets, 3% no-shows,
 * pauses) through the real core, and the Erlang C/A evaluations the plan makes per half hour.
 * `bench_plan --accuracy` also prints the simulation-versus-Erlang table of docs/PLANNING.md.
 * Timings go to stdout as text; no test depends on them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plan/hq_plan.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#define N_SVC 6
#define N_HOURS 9 /* 08:00-17:00 */
static const char *const codes[N_SVC] = {"A", "B", "C", "D", "E", "F"};
static const double mean_s[N_SVC] = {300, 420, 600, 360, 240, 180};
static const int n_win[N_SVC] = {14, 10, 10, 8, 8, 10};
static const double profile[N_HOURS] = {0.6, 0.9, 1.0, 0.95, 0.7, 0.6, 0.85, 0.95, 0.7};

static double rates[N_SVC][N_HOURS];
static struct hq_sim_service svcs[N_SVC];
static struct hq_sim_window wins[60];

static void build_hall(struct hq_sim_conf *conf, uint64_t seed)
{
    int w = 0;
    for (int s = 0; s < N_SVC; s++) {
        /* Peak load 85% of the service's own windows. */
        double peak = 0.85 * n_win[s] * 3600.0 / mean_s[s];
        for (int h = 0; h < N_HOURS; h++)
            rates[s][h] = peak * profile[h];
        memset(&svcs[s], 0, sizeof svcs[s]);
        snprintf(svcs[s].code, sizeof svcs[s].code, "%s", codes[s]);
        svcs[s].rate_per_hour = rates[s];
        svcs[s].n_rates = N_HOURS;
        svcs[s].dist = HQ_DIST_LOGNORMAL;
        svcs[s].mean_s = mean_s[s];
        svcs[s].cv = 0.7;
        svcs[s].patience_s = 3600;
        for (int k = 0; k < n_win[s]; k++, w++) {
            memset(&wins[w], 0, sizeof wins[w]);
            wins[w].number = w + 1;
            snprintf(wins[w].services[0], HQ_CODE_MAX, "%s", codes[s]);
            snprintf(wins[w].services[1], HQ_CODE_MAX, "%s", codes[(s + 1) % N_SVC]);
            wins[w].n_services = 2;
        }
    }
    memset(conf, 0, sizeof *conf);
    conf->services = svcs;
    conf->n_services = N_SVC;
    conf->windows = wins;
    conf->n_windows = w;
    conf->hours = N_HOURS;
    conf->seed = seed;
    conf->target_wait_s = 600;
    conf->priority_share = 0.05;
    conf->no_show_p = 0.03;
    conf->no_show_wait_s = 60;
    conf->walk_s = 20;
    conf->pause_every_h = 3;
    conf->pause_s = 600;
}

static int bench_day(void)
{
    enum { RUNS = 30 };
    double ms[RUNS];
    struct hq_sim_result r;
    struct hq_sim_conf conf;
    for (int i = 0; i < RUNS; i++) {
        build_hall(&conf, (uint64_t)i + 1);
        struct hq_why why = {0};
        double t0 = now_ms();
        if (hq_sim_run(&conf, &r, &why)) {
            fprintf(stderr, "bench_plan: %s\n", why.message);
            return 1;
        }
        ms[i] = now_ms() - t0;
        if (i < RUNS - 1) hq_sim_result_release(&r);
    }
    qsort(ms, RUNS, sizeof *ms, cmp_double);
    printf("simulation: one day (%d h) of a %d-window hall, %d services, through the real core\n",
           N_HOURS, conf.n_windows, N_SVC);
    printf("  %ld arrivals, %ld events, last customer out at %.2f h, longest queue %ld\n",
           r.overall.arrivals, r.events, r.end_h, r.max_waiting);
    printf("  time per day: min %.1f ms, median %.1f ms, max %.1f ms (%d runs)\n", ms[0],
           ms[RUNS / 2], ms[RUNS - 1], RUNS);
    printf("  %-4s %8s %8s %9s %9s %9s %8s %8s\n", "svc", "arrived", "served", "mean_w_s",
           "p90_w_s", "within10m", "abandon", "util");
    for (int k = 0; k <= r.n_services; k++) {
        const struct hq_sim_stats *s = k < r.n_services ? &r.per_service[k] : &r.overall;
        printf("  %-4s %8ld %8ld %9.1f %9.1f %9.3f %8ld %8.3f\n",
               k < r.n_services ? s->code : "all", s->arrivals, s->served, s->mean_wait_s,
               s->p90_wait_s, s->service_level, s->abandoned, s->utilisation);
    }
    hq_sim_result_release(&r);
    return 0;
}

static void bench_erlang(void)
{
    /* A plan: 24 half hours x 20 service groups, fewest windows each. */
    double t0 = now_ms();
    long total = 0;
    for (int rep = 0; rep < 10; rep++)
        for (int hh = 0; hh < 24; hh++)
            for (int g = 0; g < 20; g++)
                total += hq_plan_windows_needed(20.0 + 7 * g + hh, 180.0 + 30 * g, 600, 0.8);
    double ms = (now_ms() - t0) / 10;
    printf("erlang C: fewest windows for 480 (half hour, group) cells: %.3f ms per plan "
           "(checksum %ld)\n",
           ms, total);
    t0 = now_ms();
    struct hq_queue_figures f;
    for (int i = 0; i < 100; i++)
        hq_erlang_a_figures(480.0 / 300, 300, 900, 500, 600, &f, NULL);
    printf("erlang A: c = 500, a = 480: %.3f ms per evaluation\n", (now_ms() - t0) / 100);
    t0 = now_ms();
    int c = hq_erlang_fewest(200.0 / 3600, 300, 600, 0.8, 600, 10000, &f, NULL);
    printf("erlang A: fewest windows (a = 16.7, patience 600 s): %d in %.3f ms\n", c,
           now_ms() - t0);
}

/* Simulation against Erlang C and Erlang A: 4 runs x 2000 h per row, means of the runs. */
static void accuracy(void)
{
    const struct {
        double per_hour, mean_s, patience_s;
        int c;
    } rows[] = {{10, 300, 0, 1},   {48, 300, 0, 5},     {100, 300, 0, 10},  {180, 300, 0, 16},
                {360, 300, 0, 33}, {130, 300, 600, 10}, {400, 300, 900, 30}};
    printf("\n| model | c | a (Erl) | p_wait theory | p_wait sim | mean wait theory (s) | "
           "mean wait sim (s) | within 120 s theory | within 120 s sim | abandon theory | "
           "abandon sim |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        double rate = rows[i].per_hour;
        struct hq_sim_service s;
        memset(&s, 0, sizeof s);
        snprintf(s.code, sizeof s.code, "A");
        s.rate_per_hour = &rate;
        s.n_rates = 1;
        s.mean_s = rows[i].mean_s;
        s.patience_s = rows[i].patience_s;
        struct hq_sim_window *w = calloc((size_t)rows[i].c, sizeof *w);
        if (!w) return;
        for (int k = 0; k < rows[i].c; k++) {
            w[k].number = k + 1;
            snprintf(w[k].services[0], HQ_CODE_MAX, "A");
            w[k].n_services = 1;
        }
        double pw = 0, mw = 0, sl = 0, ab = 0;
        for (int k = 0; k < 4; k++) {
            struct hq_sim_conf conf;
            memset(&conf, 0, sizeof conf);
            conf.services = &s;
            conf.n_services = 1;
            conf.windows = w;
            conf.n_windows = rows[i].c;
            conf.hours = 2000;
            conf.warmup_h = 20;
            conf.seed = 1000 * i + k;
            conf.target_wait_s = 120;
            struct hq_sim_result r;
            if (hq_sim_run(&conf, &r, NULL)) continue;
            pw += r.overall.p_wait / 4;
            mw += r.overall.mean_wait_s / 4;
            sl += r.overall.service_level / 4;
            ab += (double)r.overall.abandoned / (double)r.overall.arrivals / 4;
            hq_sim_result_release(&r);
        }
        free(w);
        struct hq_queue_figures f;
        double lam = rate / 3600;
        if (rows[i].patience_s > 0)
            hq_erlang_a_figures(lam, rows[i].mean_s, rows[i].patience_s, rows[i].c, 120, &f, NULL);
        else
            hq_erlang_c_figures(lam, rows[i].mean_s, rows[i].c, 120, &f, NULL);
        printf("| %s | %d | %.2f | %.4f | %.4f | %.1f | %.1f | %.4f | %.4f | %.4f | %.4f |\n",
               rows[i].patience_s > 0 ? "M/M/c+M" : "M/M/c", rows[i].c, f.offered_load, f.p_wait,
               pw, f.mean_wait_s, mw, f.service_level, sl, f.p_abandon, ab);
    }
}

int main(int argc, char **argv)
{
    if (bench_day()) return 1;
    bench_erlang();
    if (argc > 1 && strcmp(argv[1], "--accuracy") == 0) accuracy();
    return 0;
}
