/* SPDX-License-Identifier: MIT */
/*
 * test_plan_sim.c — the hall simulation (src/plan/sim.c) driving the real core: measured M/M/c and
 * M/M/c+M figures agree with Erlang C and Erlang A on long runs (tolerances stated per case), a
 * seed gives the same run twice, the core's call policy is honoured (priority tickets wait less;
 * windows call only their services), no-shows, pauses, non-stationary arrivals and unserved
 * services are counted, and bad configurations are refused.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan/hq_plan.h"

static double rate_a[1], rate_b[1];

static struct hq_sim_service svc(const char *code, double *rate, double per_hour, double mean_s)
{
    struct hq_sim_service s;
    memset(&s, 0, sizeof s);
    snprintf(s.code, sizeof s.code, "%s", code);
    *rate = per_hour;
    s.rate_per_hour = rate;
    s.n_rates = 1;
    s.dist = HQ_DIST_EXP;
    s.mean_s = mean_s;
    return s;
}

static void windows_for(struct hq_sim_window *w, int n, int first_number, const char *code)
{
    for (int i = 0; i < n; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].number = first_number + i;
        snprintf(w[i].services[0], HQ_CODE_MAX, "%s", code);
        w[i].n_services = 1;
    }
}

static struct hq_sim_conf mmc_conf(const struct hq_sim_service *s, const struct hq_sim_window *w,
                                   int c, double hours, uint64_t seed)
{
    struct hq_sim_conf conf;
    memset(&conf, 0, sizeof conf);
    conf.services = s;
    conf.n_services = 1;
    conf.windows = w;
    conf.n_windows = c;
    conf.hours = hours;
    conf.warmup_h = 20;
    conf.seed = seed;
    conf.target_wait_s = 120;
    return conf;
}

static void assert_rel(const char *what, double got, double want, double rel)
{
    double err = fabs(got - want) / fabs(want);
    print_message("    %-14s sim %10.5f  theory %10.5f  rel.err %.4f (tolerance %.3f)\n", what, got,
                  want, err, rel);
    if (err > rel) fail_msg("%s: %g vs %g, relative error %.4f > %.3f", what, got, want, err, rel);
}

static void assert_abs(const char *what, double got, double want, double tol)
{
    print_message("    %-14s sim %10.5f  theory %10.5f  abs.err %.4f (tolerance %.3f)\n", what, got,
                  want, fabs(got - want), tol);
    if (fabs(got - want) > tol)
        fail_msg("%s: %g vs %g, off by more than %.3f", what, got, want, tol);
}

/* M/M/c: four runs of 2000 hours per case (8000 hours pooled; the spread of one 2000-hour run's
 * mean wait is about 4% at 83% load, of the pooled mean about 2%): p_wait and mean wait within 5%
 * of Erlang C, service level and utilisation within 0.015. */
static void test_mmc_matches_erlang_c(void **state)
{
    (void)state;
    const struct {
        double per_hour, mean_s;
        int c;
        double hours;
    } cases[] = {
        {10, 300, 1, 2000}, {48, 300, 5, 2000}, {100, 300, 10, 2000}, {360, 300, 33, 2000}};
    struct hq_sim_window w[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hq_sim_service s = svc("A", rate_a, cases[i].per_hour, cases[i].mean_s);
        windows_for(w, cases[i].c, 1, "A");
        double p_wait = 0, mean = 0, sl = 0, util = 0;
        long arrivals = 0;
        for (int k = 0; k < 4; k++) {
            struct hq_sim_conf conf = mmc_conf(&s, w, cases[i].c, cases[i].hours, 100 * i + k);
            struct hq_sim_result r;
            struct hq_why why = {0};
            int rc = hq_sim_run(&conf, &r, &why);
            if (rc) fail_msg("sim: %s", why.message);
            assert_true(r.overall.arrivals > 0);
            assert_int_equal(r.overall.served, r.overall.arrivals);
            p_wait += r.overall.p_wait / 4;
            mean += r.overall.mean_wait_s / 4;
            sl += r.overall.service_level / 4;
            util += r.overall.utilisation / 4;
            arrivals += r.overall.arrivals;
            hq_sim_result_release(&r);
        }
        struct hq_queue_figures f;
        assert_int_equal(hq_erlang_c_figures(cases[i].per_hour / 3600, cases[i].mean_s, cases[i].c,
                                             120, &f, NULL),
                         0);
        print_message("  M/M/%d, a = %.2f Erlangs, %ld arrivals in %.0f hours\n", cases[i].c,
                      f.offered_load, arrivals, 4 * cases[i].hours);
        assert_rel("p_wait", p_wait, f.p_wait, 0.05);
        assert_rel("mean_wait_s", mean, f.mean_wait_s, 0.05);
        assert_abs("service_level", sl, f.service_level, 0.015);
        assert_abs("utilisation", util, f.utilisation, 0.015);
    }
}

/* M/M/c+M: abandonment and the service level within 0.015 of Erlang A, mean wait of the served
 * within 6%. */
static void test_mmcm_matches_erlang_a(void **state)
{
    (void)state;
    struct hq_sim_window w[16];
    struct hq_sim_service s = svc("A", rate_a, 130, 300); /* a = 10.8 on 10 windows: overloaded */
    s.patience_s = 600;
    windows_for(w, 10, 1, "A");
    struct hq_sim_conf conf = mmc_conf(&s, w, 10, 2000, 7);
    struct hq_sim_result r;
    struct hq_why why = {0};
    int rc = hq_sim_run(&conf, &r, &why);
    if (rc) fail_msg("sim: %s", why.message);
    struct hq_queue_figures f;
    assert_int_equal(hq_erlang_a_figures(130.0 / 3600, 300, 600, 10, 120, &f, NULL), 0);
    double abandon = (double)r.overall.abandoned / (double)r.overall.arrivals;
    assert_abs("p_abandon", abandon, f.p_abandon, 0.015);
    assert_abs("p_wait", r.overall.p_wait, f.p_wait, 0.015);
    assert_abs("service_level", r.overall.service_level, f.service_level, 0.015);
    assert_rel("mean_wait_s", r.overall.mean_wait_s, f.mean_wait_s, 0.06);
    assert_abs("utilisation", r.overall.utilisation, f.utilisation, 0.015);
    hq_sim_result_release(&r);
}

static void test_deterministic(void **state)
{
    (void)state;
    struct hq_sim_window w[8];
    struct hq_sim_service s = svc("A", rate_a, 80, 300);
    s.dist = HQ_DIST_LOGNORMAL;
    s.cv = 0.8;
    s.patience_s = 900;
    windows_for(w, 7, 1, "A");
    struct hq_sim_conf conf = mmc_conf(&s, w, 7, 100, 1234);
    conf.priority_share = 0.1;
    conf.no_show_p = 0.05;
    conf.no_show_wait_s = 60;
    conf.pause_every_h = 2;
    conf.pause_s = 600;
    struct hq_sim_result r1, r2, r3;
    assert_int_equal(hq_sim_run(&conf, &r1, NULL), 0);
    assert_int_equal(hq_sim_run(&conf, &r2, NULL), 0);
    conf.seed = 1235;
    assert_int_equal(hq_sim_run(&conf, &r3, NULL), 0);
    assert_memory_equal(&r1.overall, &r2.overall, sizeof r1.overall);
    assert_memory_equal(r1.per_service, r2.per_service, sizeof *r1.per_service);
    assert_true(r1.events == r2.events && r1.end_h == r2.end_h);
    assert_true(r1.overall.arrivals != r3.overall.arrivals ||
                r1.overall.mean_wait_s != r3.overall.mean_wait_s);
    hq_sim_result_release(&r1);
    hq_sim_result_release(&r2);
    hq_sim_result_release(&r3);
}

/* The core's policy: a priority ticket has an 1800 s head start, so under load it waits far less.
 * With the boost set to 0 by a custom policy, both categories wait alike. */
static void test_priority_waits_less(void **state)
{
    (void)state;
    struct hq_sim_window w[8];
    struct hq_sim_service s = svc("A", rate_a, 65, 300); /* a = 5.42 on 6 windows */
    windows_for(w, 6, 1, "A");
    struct hq_sim_conf conf = mmc_conf(&s, w, 6, 500, 99);
    conf.priority_share = 0.15;
    struct hq_sim_result r;
    assert_int_equal(hq_sim_run(&conf, &r, NULL), 0);
    print_message("    priority %.1f s, normal %.1f s (%ld priority of %ld)\n",
                  r.overall.mean_wait_priority_s, r.overall.mean_wait_normal_s, r.overall.priority,
                  r.overall.arrivals);
    assert_true(r.overall.priority > 0.12 * r.overall.arrivals);
    assert_true(r.overall.priority < 0.18 * r.overall.arrivals);
    assert_true(r.overall.mean_wait_normal_s > 300);
    assert_true(r.overall.mean_wait_priority_s < 0.25 * r.overall.mean_wait_normal_s);
    hq_sim_result_release(&r);

    conf.has_policy = true;
    conf.policy.boost_priority_s = 0;
    conf.policy.boost_appointment_s = 3600;
    conf.policy.boost_first_service_s = 60;
    assert_int_equal(hq_sim_run(&conf, &r, NULL), 0);
    double ratio = r.overall.mean_wait_priority_s / r.overall.mean_wait_normal_s;
    print_message("    without the boost: priority %.1f s, normal %.1f s\n",
                  r.overall.mean_wait_priority_s, r.overall.mean_wait_normal_s);
    assert_true(ratio > 0.75 && ratio < 1.3);
    hq_sim_result_release(&r);
}

/* Windows serve only their own services: A has 1 window, B has 3, so each is its own M/M/c.
 * Then one window serving [B, A] helps A when B is quiet: A waits less than alone. */
static void test_window_service_lists(void **state)
{
    (void)state;
    struct hq_sim_service s[2] = {svc("A", rate_a, 6, 300), svc("B", rate_b, 24, 300)};
    struct hq_sim_window w[4];
    windows_for(w, 1, 1, "A");
    windows_for(w + 1, 3, 2, "B");
    struct hq_sim_conf conf = mmc_conf(s, w, 4, 2000, 5);
    conf.n_services = 2;
    struct hq_sim_result r;
    assert_int_equal(hq_sim_run(&conf, &r, NULL), 0);
    assert_string_equal(r.per_service[0].code, "A");
    assert_string_equal(r.per_service[1].code, "B");
    struct hq_queue_figures fa, fb;
    hq_erlang_c_figures(6.0 / 3600, 300, 1, 120, &fa, NULL);
    hq_erlang_c_figures(24.0 / 3600, 300, 3, 120, &fb, NULL);
    assert_rel("A p_wait", r.per_service[0].p_wait, fa.p_wait, 0.05);
    assert_rel("B p_wait", r.per_service[1].p_wait, fb.p_wait, 0.05);
    assert_rel("A mean wait", r.per_service[0].mean_wait_s, fa.mean_wait_s, 0.08);
    assert_rel("B mean wait", r.per_service[1].mean_wait_s, fb.mean_wait_s, 0.08);
    /* Per-service utilisation is a share of all window time: A's 0.5 Erlang of 4 windows. */
    assert_abs("A utilisation", r.per_service[0].utilisation, 0.5 / 4, 0.01);
    assert_abs("utilisation", r.overall.utilisation, 2.5 / 4, 0.015);
    double alone = r.per_service[0].mean_wait_s;
    hq_sim_result_release(&r);

    snprintf(w[3].services[1], HQ_CODE_MAX, "A");
    w[3].n_services = 2;
    assert_int_equal(hq_sim_run(&conf, &r, NULL), 0);
    print_message("    A alone %.1f s, helped by window 4 %.1f s\n", alone,
                  r.per_service[0].mean_wait_s);
    assert_true(r.per_service[0].mean_wait_s < 0.7 * alone);
    hq_sim_result_release(&r);
}

static void test_no_shows_pauses_unserved(void **state)
{
    (void)state;
    struct hq_sim_service s[2] = {svc("A", rate_a, 40, 300), svc("C", rate_b, 5, 300)};
    struct hq_sim_window w[5];
    windows_for(w, 5, 1, "A"); /* nobody serves C */
    struct hq_sim_conf conf = mmc_conf(s, w, 5, 400, 11);
    conf.n_services = 2;
    conf.no_show_p = 0.1;
    conf.no_show_wait_s = 120;
    struct hq_sim_result r, p;
    struct hq_why why = {0};
    int rc = hq_sim_run(&conf, &r, &why);
    if (rc) fail_msg("sim: %s", why.message);
    const struct hq_sim_stats *a = &r.per_service[0], *c = &r.per_service[1];
    double ns = (double)a->no_shows / (double)a->arrivals;
    assert_abs("no-show share", ns, 0.1, 0.015);
    assert_int_equal(a->served + a->no_shows, a->arrivals);
    assert_true(c->arrivals > 0);
    assert_int_equal(c->unserved, c->arrivals);
    assert_int_equal(c->served, 0);
    assert_true(c->service_level == 0);

    /* Pauses take window time away: waits grow, utilisation of available time stays sane. */
    conf.pause_every_h = 1;
    conf.pause_s = 900;
    rc = hq_sim_run(&conf, &p, &why);
    if (rc) fail_msg("sim: %s", why.message);
    print_message("    mean wait %.1f s, with pauses %.1f s; utilisation %.3f / %.3f\n",
                  a->mean_wait_s, p.per_service[0].mean_wait_s, r.overall.utilisation,
                  p.overall.utilisation);
    assert_true(p.per_service[0].mean_wait_s > 1.5 * a->mean_wait_s);
    assert_true(p.overall.utilisation > r.overall.utilisation);
    assert_true(p.overall.utilisation < 1.0);
    hq_sim_result_release(&r);
    hq_sim_result_release(&p);
}

/* Arrivals follow the hourly rates: none in hour 0, ~1000 in hour 1. Empirical service times. */
static void test_nonstationary_and_empirical(void **state)
{
    (void)state;
    double rates[2] = {0, 1000};
    double samples[3] = {60, 120, 180};
    struct hq_sim_service s;
    memset(&s, 0, sizeof s);
    snprintf(s.code, sizeof s.code, "A");
    s.rate_per_hour = rates;
    s.n_rates = 2;
    s.dist = HQ_DIST_EMPIRICAL;
    s.samples = samples;
    s.n_samples = 3;
    struct hq_sim_window w[40];
    windows_for(w, 40, 1, "A");
    struct hq_sim_conf conf = mmc_conf(&s, w, 40, 2, 3);
    conf.warmup_h = 0;
    long total = 0;
    for (uint64_t seed = 1; seed <= 10; seed++) {
        conf.seed = seed;
        struct hq_sim_result r;
        assert_int_equal(hq_sim_run(&conf, &r, NULL), 0);
        total += r.overall.arrivals;
        /* Empty until hour 1; utilisation over 2 h of 40 windows: 1000 · 120 s / (2 · 40 · 3600).
         */
        assert_true(r.end_h >= 1.0 && r.end_h < 2.2);
        assert_abs("utilisation", r.overall.utilisation,
                   (double)r.overall.arrivals * 120 / (2 * 40 * 3600.0), 0.03);
        hq_sim_result_release(&r);
    }
    /* 10 runs of Poisson(1000): the sum is within 4 sigma (4 · 100) of 10000. */
    assert_true(labs(total - 10000) < 400);
}

static void test_bad_conf(void **state)
{
    (void)state;
    struct hq_sim_window w[1];
    struct hq_sim_service s = svc("A", rate_a, 10, 300);
    windows_for(w, 1, 1, "A");
    struct hq_sim_conf conf = mmc_conf(&s, w, 1, 10, 1);
    conf.warmup_h = 0;
    struct hq_sim_result r;
    struct hq_why why;
    conf.hours = 0;
    assert_int_equal(hq_sim_run(&conf, &r, &why), HQ_EINVAL);
    assert_string_equal(why.field, "hours");
    conf.hours = 10;
    s.mean_s = -1;
    assert_int_equal(hq_sim_run(&conf, &r, &why), HQ_EINVAL);
    s.mean_s = 300;
    snprintf(s.code, sizeof s.code, "a");
    assert_int_equal(hq_sim_run(&conf, &r, &why), HQ_EINVAL);
    snprintf(s.code, sizeof s.code, "A");
    snprintf(w[0].services[0], HQ_CODE_MAX, "Z"); /* a window with an unknown service */
    assert_int_equal(hq_sim_run(&conf, &r, &why), HQ_EINVAL);
    assert_string_equal(why.field, "services");
    snprintf(w[0].services[0], HQ_CODE_MAX, "A");
    conf.no_show_p = 1.5;
    assert_int_equal(hq_sim_run(&conf, &r, &why), HQ_EINVAL);
    conf.no_show_p = 0;
    /* Overload: the queue guard stops the run. */
    rate_a[0] = 100000;
    conf.hours = 5;
    assert_int_equal(hq_sim_run(&conf, &r, &why), HQ_ECONFLICT);
    rate_a[0] = 10;
    assert_int_equal(hq_sim_run(&conf, &r, &why), 0);
    hq_sim_result_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mmc_matches_erlang_c),
        cmocka_unit_test(test_mmcm_matches_erlang_a),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_priority_waits_less),
        cmocka_unit_test(test_window_service_lists),
        cmocka_unit_test(test_no_shows_pauses_unserved),
        cmocka_unit_test(test_nonstationary_and_empirical),
        cmocka_unit_test(test_bad_conf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
