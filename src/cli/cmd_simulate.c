/* SPDX-License-Identifier: MIT */
/*
 * cmd_simulate.c — `hallq simulate`: the figures of `hallq erlang`, measured by the hall simulation
 * (src/plan/sim.c, which drives the real core and its call policy) for one service served by C
 * identical windows: M/M/c by default, M/M/c+M with --patience-s, lognormal service with
 * --service-cv, plus priority tickets, no-shows and pauses on request. JSON on stdout, with the
 * Erlang figures of the same load alongside for comparison. No database, no network.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_cli.h"
#include "plan/hq_plan.h"

static const char usage_text[] =
    "usage: hallq simulate --arrivals-per-hour R --service-s S --target-wait-s T\n"
    "                      [--windows C | --service-level L] [--hours H] [--seed N]\n"
    "                      [--patience-s P] [--service-cv V] [--warmup-h W]\n"
    "                      [--priority-share Q] [--no-show P] [--pause-every-h E --pause-s D]\n"
    "\n"
    "Simulates one service served by C windows with hallq's own queue code and call policy:\n"
    "Poisson arrivals, exponential service (lognormal with --service-cv), and measures what\n"
    "`hallq erlang` computes.\n"
    "\n"
    "  --arrivals-per-hour R  arrivals per hour (>= 0)\n"
    "  --service-s S          mean service time in seconds (> 0)\n"
    "  --target-wait-s T      the wait target in seconds (>= 0) for the service level\n"
    "  --windows C            windows open (whole number 1..10000)\n"
    "  --service-level L      without --windows: simulate the fewest windows that Erlang C\n"
    "                         (Erlang A with --patience-s) says meet L, 0 < L < 1\n"
    "  --hours H              simulated hours of arrivals (default 1000; at most 87840)\n"
    "  --seed N               random seed, 0..2^64-1 (default 1): same seed, same result\n"
    "  --patience-s P         customers give up after an exponential patience of mean P (> 0)\n"
    "  --service-cv V         lognormal service times with coefficient of variation V (> 0)\n"
    "  --warmup-h W           hours not counted at the start (default: a tenth of H, at most 24)\n"
    "  --priority-share Q     share of priority (green channel) tickets, 0..1 (default 0)\n"
    "  --no-show P            probability a called customer does not come, 0..1 (default 0);\n"
    "                         the clerk waits 60 s for him\n"
    "  --pause-every-h E      each window pauses after exponential working gaps of mean E hours\n"
    "  --pause-s D            ... for D seconds\n"
    "\n"
    "Prints JSON: windows, hours, seed, arrivals, served, p_wait, mean_wait_s, p50_wait_s,\n"
    "p90_wait_s, service_level, utilisation (abandoned, p_abandon with --patience-s; no_shows;\n"
    "priority waits with --priority-share) and \"theory\": the Erlang figures for the same load.\n"
    "Exit 0 ok, 1 the simulation could not run (e.g. the queue grew without bound), 2 usage.\n";

enum {
    F_RATE,
    F_SERVICE,
    F_TARGET,
    F_WINDOWS,
    F_LEVEL,
    F_HOURS,
    F_SEED,
    F_PATIENCE,
    F_CV,
    F_WARMUP,
    F_PRIORITY,
    F_NOSHOW,
    F_PAUSE_EVERY,
    F_PAUSE_S,
    F_COUNT
};
static const char *const flag_names[F_COUNT] = {
    "--arrivals-per-hour", "--service-s", "--target-wait-s",  "--windows",
    "--service-level",     "--hours",     "--seed",           "--patience-s",
    "--service-cv",        "--warmup-h",  "--priority-share", "--no-show",
    "--pause-every-h",     "--pause-s"};

/* Print "hallq simulate: <message>" to stderr; the exit code of a usage error. */
static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "hallq simulate: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    return 2;
}

static void put_num(const char *key, double v, bool comma)
{
    if (isfinite(v))
        printf("\"%s\":%.6g%s", key, v, comma ? "," : "");
    else
        printf("\"%s\":null%s", key, comma ? "," : "");
}

int cmd_simulate(int argc, char **argv)
{
    double v[F_COUNT];
    bool seen[F_COUNT] = {false};
    uint64_t seed = 1;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = NULL;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        int k;
        for (k = 0; k < F_COUNT; k++) {
            size_t len = strlen(flag_names[k]);
            if (strncmp(arg, flag_names[k], len) == 0 && (arg[len] == '\0' || arg[len] == '=')) {
                val = arg[len] == '=' ? arg + len + 1 : (i + 1 < argc ? argv[++i] : NULL);
                break;
            }
        }
        if (k == F_COUNT) {
            fprintf(stderr, "hallq simulate: unknown option '%s'\n\n%s", arg, usage_text);
            return 2;
        }
        if (!val) return usage_error("%s needs a value", flag_names[k]);
        char *end = NULL;
        if (k == F_SEED) {
            errno = 0;
            unsigned long long s = strtoull(val, &end, 10);
            if (end == val || *end || errno || val[0] == '-' || val[0] == '+')
                return usage_error("--seed: '%s' is not a whole number 0..2^64-1", val);
            seed = (uint64_t)s;
            v[k] = 0;
        } else {
            v[k] = strtod(val, &end);
            if (end == val || *end || !isfinite(v[k]))
                return usage_error("%s: '%s' is not a finite number", flag_names[k], val);
        }
        seen[k] = true;
    }

    for (int k = F_RATE; k <= F_TARGET; k++)
        if (!seen[k]) {
            fprintf(stderr, "hallq simulate: %s is required\n\n%s", flag_names[k], usage_text);
            return 2;
        }
    if (!seen[F_WINDOWS] && !seen[F_LEVEL]) {
        fprintf(stderr, "hallq simulate: give --windows or --service-level\n\n%s", usage_text);
        return 2;
    }
    double rate = v[F_RATE], service = v[F_SERVICE], target = v[F_TARGET];
    double hours = seen[F_HOURS] ? v[F_HOURS] : 1000;
    if (rate < 0) return usage_error("--arrivals-per-hour must be >= 0");
    if (service <= 0) return usage_error("--service-s must be > 0");
    if (target < 0) return usage_error("--target-wait-s must be >= 0");
    if (seen[F_WINDOWS] &&
        (v[F_WINDOWS] < 1 || v[F_WINDOWS] > 10000 || v[F_WINDOWS] != floor(v[F_WINDOWS])))
        return usage_error("--windows must be a whole number from 1 to 10000");
    if (seen[F_LEVEL] && !(v[F_LEVEL] > 0 && v[F_LEVEL] < 1))
        return usage_error("--service-level must be a share strictly between 0 and 1");
    if (!(hours > 0 && hours <= 87840))
        return usage_error("--hours must be > 0 and at most 87840 (ten years)");
    if (seen[F_PATIENCE] && !(v[F_PATIENCE] > 0)) return usage_error("--patience-s must be > 0");
    if (seen[F_CV] && !(v[F_CV] > 0)) return usage_error("--service-cv must be > 0");
    double warmup = seen[F_WARMUP] ? v[F_WARMUP] : fmin(hours / 10, 24);
    if (!(warmup >= 0 && warmup < hours))
        return usage_error("--warmup-h must be >= 0 and below --hours");
    if (seen[F_PRIORITY] && !(v[F_PRIORITY] >= 0 && v[F_PRIORITY] <= 1))
        return usage_error("--priority-share must be between 0 and 1");
    if (seen[F_NOSHOW] && !(v[F_NOSHOW] >= 0 && v[F_NOSHOW] < 1))
        return usage_error("--no-show must be >= 0 and below 1");
    if (seen[F_PAUSE_EVERY] != seen[F_PAUSE_S])
        return usage_error("--pause-every-h and --pause-s go together");
    if (seen[F_PAUSE_EVERY] && !(v[F_PAUSE_EVERY] > 0 && v[F_PAUSE_S] > 0))
        return usage_error("--pause-every-h and --pause-s must be > 0");

    double lambda = rate / 3600.0, patience = seen[F_PATIENCE] ? v[F_PATIENCE] : 0;
    struct hq_why why = {0};
    struct hq_queue_figures theory;
    int windows = seen[F_WINDOWS] ? (int)v[F_WINDOWS] : 0, needed = 0, rc;
    if (seen[F_LEVEL]) {
        needed =
            hq_erlang_fewest(lambda, service, target, v[F_LEVEL], patience, 10000, &theory, &why);
        if (needed < 0) {
            fprintf(stderr, "hallq simulate: %s\n", why.message);
            return 1;
        }
        if (!windows) windows = needed;
    }
    rc = patience > 0
             ? hq_erlang_a_figures(lambda, service, patience, windows, target, &theory, &why)
             : hq_erlang_c_figures(lambda, service, windows, target, &theory, &why);
    if (rc) {
        fprintf(stderr, "hallq simulate: %s\n", why.message);
        return 1;
    }

    struct hq_sim_service svc;
    memset(&svc, 0, sizeof svc);
    snprintf(svc.code, sizeof svc.code, "A");
    svc.rate_per_hour = &rate;
    svc.n_rates = 1;
    svc.dist = seen[F_CV] ? HQ_DIST_LOGNORMAL : HQ_DIST_EXP;
    svc.mean_s = service;
    svc.cv = seen[F_CV] ? v[F_CV] : 0;
    svc.patience_s = patience;
    struct hq_sim_window *win = calloc((size_t)windows, sizeof *win);
    if (!win) {
        fprintf(stderr, "hallq simulate: out of memory\n");
        return 1;
    }
    for (int i = 0; i < windows; i++) {
        win[i].number = i + 1;
        snprintf(win[i].services[0], HQ_CODE_MAX, "A");
        win[i].n_services = 1;
    }
    struct hq_sim_conf conf;
    memset(&conf, 0, sizeof conf);
    conf.services = &svc;
    conf.n_services = 1;
    conf.windows = win;
    conf.n_windows = windows;
    conf.hours = hours;
    conf.warmup_h = warmup;
    conf.seed = seed;
    conf.target_wait_s = target;
    conf.priority_share = seen[F_PRIORITY] ? v[F_PRIORITY] : 0;
    conf.no_show_p = seen[F_NOSHOW] ? v[F_NOSHOW] : 0;
    conf.no_show_wait_s = 60;
    conf.pause_every_h = seen[F_PAUSE_EVERY] ? v[F_PAUSE_EVERY] : 0;
    conf.pause_s = seen[F_PAUSE_S] ? v[F_PAUSE_S] : 0;

    struct hq_sim_result r;
    rc = hq_sim_run(&conf, &r, &why);
    free(win);
    if (rc) {
        fprintf(stderr, "hallq simulate: %s\n", why.message);
        return 1;
    }
    const struct hq_sim_stats *o = &r.overall;
    printf("{\"model\":\"simulation\",");
    put_num("arrivals_per_hour", rate, true);
    put_num("service_s", service, true);
    put_num("target_wait_s", target, true);
    if (patience > 0) put_num("patience_s", patience, true);
    if (seen[F_LEVEL]) {
        put_num("service_level_target", v[F_LEVEL], true);
        printf("\"windows_needed\":%d,", needed);
    }
    printf("\"windows\":%d,", windows);
    put_num("hours", hours, true);
    put_num("warmup_h", warmup, true);
    printf("\"seed\":%llu,", (unsigned long long)seed);
    printf("\"arrivals\":%ld,\"served\":%ld,", o->arrivals, o->served);
    put_num("p_wait", o->p_wait, true);
    put_num("mean_wait_s", o->mean_wait_s, true);
    put_num("p50_wait_s", o->p50_wait_s, true);
    put_num("p90_wait_s", o->p90_wait_s, true);
    put_num("service_level", o->service_level, true);
    put_num("utilisation", o->utilisation, true);
    if (patience > 0) {
        printf("\"abandoned\":%ld,", o->abandoned);
        put_num("p_abandon", o->arrivals ? (double)o->abandoned / (double)o->arrivals : 0, true);
    }
    if (conf.no_show_p > 0) printf("\"no_shows\":%ld,", o->no_shows);
    if (conf.priority_share > 0) {
        printf("\"priority\":%ld,", o->priority);
        put_num("mean_wait_priority_s", o->mean_wait_priority_s, true);
        put_num("mean_wait_normal_s", o->mean_wait_normal_s, true);
    }
    printf("\"max_waiting\":%ld,", r.max_waiting);
    printf("\"theory\":{\"model\":\"%s\",\"stable\":%s,", patience > 0 ? "erlang_a" : "erlang_c",
           theory.stable ? "true" : "false");
    put_num("p_wait", theory.p_wait, true);
    put_num("mean_wait_s", theory.mean_wait_s, true);
    put_num("service_level", theory.service_level, true);
    if (patience > 0) put_num("p_abandon", theory.p_abandon, true);
    put_num("utilisation", theory.utilisation, false);
    printf("}}\n");
    hq_sim_result_release(&r);
    return 0;
}
