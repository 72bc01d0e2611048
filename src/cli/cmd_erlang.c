/* SPDX-License-Identifier: MIT */
/*
 * cmd_erlang.c — `hallq erlang`: the Erlang C (or, with --patience-s, Erlang A) figures for a load
 * and a number of windows, or the fewest windows meeting a service level, as JSON on stdout.
 * Arithmetic only (src/plan/erlang.c): no database, no network.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_cli.h"
#include "plan/hq_plan.h"

static const char usage_text[] =
    "usage: hallq erlang --arrivals-per-hour R --service-s S --target-wait-s T\n"
    "                    [--windows C] [--service-level L] [--patience-s P]\n"
    "\n"
    "Waiting figures of a queue served by C windows (Erlang C: Poisson arrivals, exponential\n"
    "service, one queue; with --patience-s, Erlang A: customers give up after an exponential\n"
    "patience of mean P seconds).\n"
    "\n"
    "  --arrivals-per-hour R  arrivals per hour (>= 0)\n"
    "  --service-s S          mean service time in seconds (> 0)\n"
    "  --target-wait-s T      the wait target in seconds (>= 0) for the service level\n"
    "  --windows C            windows open (integer >= 1); without it, --service-level is needed\n"
    "  --service-level L      share to be called within T, 0 < L < 1 (0.8 = 80%); without\n"
    "                         --windows: the fewest windows meeting it, and their figures\n"
    "  --patience-s P         mean patience (> 0): Erlang A, also reports abandonment\n"
    "\n"
    "Prints JSON: windows, p_wait, mean_wait_s (null when the load is at or above capacity),\n"
    "service_level, utilisation, stable; with --patience-s also p_abandon and mean_wait_all_s.\n"
    "Exit 0 ok, 1 no answer (e.g. no number of windows up to 100000 reaches L), 2 usage error.\n";

#define MAX_WINDOWS 100000

/* Parse a finite number; 0 or -1 after printing why. */
static int parse_num(const char *flag, const char *s, double *out)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v)) {
        fprintf(stderr, "hallq erlang: %s: '%s' is not a finite number\n", flag, s);
        return -1;
    }
    *out = v;
    return 0;
}

/* A JSON number, or null when not finite. */
static void put_num(const char *key, double v, bool comma)
{
    if (isfinite(v))
        printf("\"%s\":%.6g%s", key, v, comma ? "," : "");
    else
        printf("\"%s\":null%s", key, comma ? "," : "");
}

static void print_figures(const struct hq_queue_figures *f, bool erlang_a)
{
    printf("\"windows\":%d,", f->windows);
    put_num("offered_load", f->offered_load, true);
    printf("\"stable\":%s,", f->stable ? "true" : "false");
    put_num("p_wait", f->p_wait, true);
    put_num("mean_wait_s", f->mean_wait_s, true);
    put_num("service_level", f->service_level, true);
    if (erlang_a) {
        put_num("p_abandon", f->p_abandon, true);
        put_num("mean_wait_all_s", f->mean_wait_all_s, true);
    }
    put_num("utilisation", f->utilisation, false);
}

int cmd_erlang(int argc, char **argv)
{
    double rate = NAN, service = NAN, target = NAN, windows = NAN, level = NAN, patience = NAN;
    static const char *flags[] = {"--arrivals-per-hour", "--service-s",     "--target-wait-s",
                                  "--windows",           "--service-level", "--patience-s"};
    double *slots[] = {&rate, &service, &target, &windows, &level, &patience};

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = NULL;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        size_t k, n_flags = sizeof flags / sizeof flags[0];
        for (k = 0; k < n_flags; k++) {
            size_t len = strlen(flags[k]);
            if (strncmp(arg, flags[k], len) == 0 && (arg[len] == '\0' || arg[len] == '=')) {
                val = arg[len] == '=' ? arg + len + 1 : (i + 1 < argc ? argv[++i] : NULL);
                break;
            }
        }
        if (k == n_flags) {
            fprintf(stderr, "hallq erlang: unknown option '%s'\n\n%s", arg, usage_text);
            return 2;
        }
        if (!val) {
            fprintf(stderr, "hallq erlang: %s needs a value\n", flags[k]);
            return 2;
        }
        if (parse_num(flags[k], val, slots[k])) return 2;
    }

    const char *missing = isnan(rate)      ? "--arrivals-per-hour"
                          : isnan(service) ? "--service-s"
                          : isnan(target)  ? "--target-wait-s"
                                           : NULL;
    if (missing) {
        fprintf(stderr, "hallq erlang: %s is required\n\n%s", missing, usage_text);
        return 2;
    }
    if (isnan(windows) && isnan(level)) {
        fprintf(stderr, "hallq erlang: give --windows, --service-level or both\n\n%s", usage_text);
        return 2;
    }
    if (rate < 0) {
        fprintf(stderr, "hallq erlang: --arrivals-per-hour must be >= 0\n");
        return 2;
    }
    if (service <= 0) {
        fprintf(stderr, "hallq erlang: --service-s must be > 0\n");
        return 2;
    }
    if (target < 0) {
        fprintf(stderr, "hallq erlang: --target-wait-s must be >= 0\n");
        return 2;
    }
    if (!isnan(windows) && (windows < 1 || windows > MAX_WINDOWS || windows != floor(windows))) {
        fprintf(stderr, "hallq erlang: --windows must be a whole number from 1 to %d\n",
                MAX_WINDOWS);
        return 2;
    }
    if (!isnan(level) && !(level > 0 && level < 1)) {
        fprintf(stderr, "hallq erlang: --service-level must be a share strictly between 0 and 1 "
                        "(0.8 = 80%%)\n");
        return 2;
    }
    if (!isnan(patience) && !(patience > 0)) {
        fprintf(stderr, "hallq erlang: --patience-s must be > 0\n");
        return 2;
    }

    bool erlang_a = !isnan(patience);
    double lambda = rate / 3600.0, pat = erlang_a ? patience : 0;
    struct hq_queue_figures f, need;
    struct hq_why why = {0};
    int needed = 0, rc;

    if (!isnan(level)) {
        needed = hq_erlang_fewest(lambda, service, target, level, pat, MAX_WINDOWS, &need, &why);
        if (needed < 0) {
            fprintf(stderr, "hallq erlang: %s\n", why.message);
            return 1;
        }
    }
    if (!isnan(windows)) {
        rc = erlang_a ? hq_erlang_a_figures(lambda, service, pat, (int)windows, target, &f, &why)
                      : hq_erlang_c_figures(lambda, service, (int)windows, target, &f, &why);
        if (rc) {
            fprintf(stderr, "hallq erlang: %s\n", why.message);
            return 1;
        }
    } else {
        f = need;
    }

    printf("{\"model\":\"%s\",", erlang_a ? "erlang_a" : "erlang_c");
    put_num("arrivals_per_hour", rate, true);
    put_num("service_s", service, true);
    put_num("target_wait_s", target, true);
    if (erlang_a) put_num("patience_s", patience, true);
    if (!isnan(level)) {
        put_num("service_level_target", level, true);
        printf("\"windows_needed\":%d,", needed);
        if (!isnan(windows))
            printf("\"meets_service_level\":%s,", f.service_level >= level ? "true" : "false");
    }
    print_figures(&f, erlang_a);
    if (!f.stable)
        printf(",\"note\":\"the load (%.6g Erlangs) is at or above the capacity of %d windows: "
               "the queue grows without bound\"",
               f.offered_load, f.windows);
    printf("}\n");
    return 0;
}
