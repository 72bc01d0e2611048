/* SPDX-License-Identifier: MIT */
/*
 * test_stats.c — src/stats against known answers: quantiles (numpy type 7), the Wilson interval
 * (Newcombe 1998, Table I), the normal and t CDFs (closed forms and table values), Welch's t test
 * (the Wikipedia example: t = −2.46, df = 24.99, p = 0.021), the two-proportion z test (R's
 * prop.test without correction: X² = 9.0909, p = 0.002569), and a hand-built day of tickets and
 * evaluations whose every figure is worked out by hand in the comments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/hq_stats.h"

#define near(a, b, eps)                                                                            \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (eps)))                                                             \
            fail_msg("%s = %.10g, expected %.10g (±%g)", #a, a_, b_, (double)(eps));               \
    } while (0)

static void test_quantiles(void **state)
{
    (void)state;
    double v[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    near(hq_stats_quantile(v, 10, 0.5), 5.5, 1e-12);
    near(hq_stats_quantile(v, 10, 0.9), 9.1, 1e-12);
    near(hq_stats_quantile(v, 10, 0), 1, 0);
    near(hq_stats_quantile(v, 10, 1), 10, 0);
    double w[] = {15, 20, 35, 40, 50}; /* numpy.percentile(w, 90) = 46, median 35 */
    near(hq_stats_quantile(w, 5, 0.9), 46, 1e-12);
    near(hq_stats_quantile(w, 5, 0.5), 35, 0);
    double one[] = {7};
    near(hq_stats_quantile(one, 1, 0.9), 7, 0);
    near(hq_stats_quantile(NULL, 0, 0.5), 0, 0);
}

static void test_wilson(void **state)
{
    (void)state;
    /* Newcombe, Statistics in Medicine 17 (1998) 857–872, Table I, method 3 */
    static const struct {
        int64_t x, n;
        double lo, hi;
    } cases[] = {{81, 263, 0.2553, 0.3662},
                 {15, 148, 0.0624, 0.1605},
                 {0, 20, 0.0, 0.1611},
                 {1, 29, 0.0061, 0.1718}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double lo, hi;
        hq_stats_wilson(cases[i].x, cases[i].n, HQ_STATS_Z95, &lo, &hi);
        near(lo, cases[i].lo, 5e-5);
        near(hi, cases[i].hi, 5e-5);
    }
    double lo, hi;
    hq_stats_wilson(29, 29, HQ_STATS_Z95, &lo, &hi);
    near(hi, 1, 0);
    near(lo, 0.8830302, 1e-6);
    hq_stats_wilson(0, 0, HQ_STATS_Z95, &lo, &hi);
    near(lo, 0, 0);
    near(hi, 1, 0);
}

static void test_cdfs(void **state)
{
    (void)state;
    near(hq_stats_norm_cdf(0), 0.5, 1e-15);
    near(hq_stats_norm_cdf(1.96), 0.9750021048517795, 1e-12);
    near(hq_stats_norm_cdf(-1), 0.15865525393145707, 1e-12);
    /* df = 1 is Cauchy: F(t) = 1/2 + atan(t)/π; df = 2: F(t) = 1/2 + t / (2 sqrt(2 + t²)) */
    near(hq_stats_t_cdf(1, 1), 0.75, 1e-12);
    near(hq_stats_t_cdf(-3, 1), 0.5 + atan(-3) / M_PI, 1e-12);
    near(hq_stats_t_cdf(2, 2), 0.5 + 2 / (2 * sqrt(6)), 1e-12);
    near(hq_stats_t_cdf(0, 7), 0.5, 1e-15);
    /* table values: two-sided 5% points */
    near(2 * hq_stats_t_cdf(-2.228, 10), 0.05, 2e-4);
    near(2 * hq_stats_t_cdf(-2.086, 20), 0.05, 2e-4);
    near(2 * hq_stats_t_cdf(-12.706, 1), 0.05, 2e-4);
    near(2 * hq_stats_t_cdf(-3.169, 10), 0.01, 1e-4);
    /* large df tends to the normal */
    near(hq_stats_t_cdf(1.96, 1e7), 0.9750021, 1e-6);
    near(hq_stats_betai(2, 3, 0.4), 0.5248, 1e-12); /* I_0.4(2,3) = 1 − (0.6⁴ + 4·0.4·0.6³) */
}

static void test_tests(void **state)
{
    (void)state;
    /* Welch: the Wikipedia example (A1, A2, 15 each) */
    static const double a1[] = {27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1,
                                21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4};
    static const double a2[] = {27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0,
                                24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4};
    double m[2] = {0}, sd[2] = {0};
    const double *xs[2] = {a1, a2};
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < 15; i++)
            m[k] += xs[k][i] / 15;
        for (int i = 0; i < 15; i++)
            sd[k] += (xs[k][i] - m[k]) * (xs[k][i] - m[k]) / 14;
        sd[k] = sqrt(sd[k]);
    }
    struct hq_stats_test t;
    hq_stats_welch(m[0], sd[0], 15, m[1], sd[1], 15, &t);
    assert_true(t.valid);
    near(t.stat, -2.455356, 1e-5);
    near(t.df, 24.98853, 1e-4);
    near(t.p, 0.021, 5e-4);
    assert_true(t.significant);
    hq_stats_welch(3, 0, 10, 3, 0, 10, &t);
    assert_false(t.valid);
    near(t.p, 1, 0);
    hq_stats_welch(3, 1, 1, 3, 1, 10, &t);
    assert_false(t.valid);

    /* z test: 35/50 against 20/50; R prop.test(c(35,20), c(50,50), correct=FALSE): X-squared =
     * 9.0909 (= z²), p-value = 0.002569 */
    hq_stats_two_prop(35, 50, 20, 50, &t);
    assert_true(t.valid);
    near(t.diff, 0.3, 1e-12);
    near(t.stat * t.stat, 100.0 / 11, 1e-9);
    near(t.p, 0.002569, 1e-6);
    assert_true(t.significant);
    hq_stats_two_prop(10, 10, 20, 20, &t); /* all satisfied on both sides */
    assert_false(t.valid);
    hq_stats_two_prop(10, 20, 0, 0, &t);
    assert_false(t.valid);
}

/* ---- a hand-built day ---- */

static struct hq_stats_ticket tk(const char *number, const char *svc, enum hq_status st,
                                 int64_t queued, int64_t called, int64_t started, int64_t finished,
                                 int32_t window, const char *clerk, int hour)
{
    struct hq_stats_ticket t = {0};
    snprintf(t.number, sizeof t.number, "%s", number);
    snprintf(t.service, sizeof t.service, "%s", svc);
    snprintf(t.clerk, sizeof t.clerk, "%s", clerk);
    t.day = 20261126;
    t.status = st;
    t.issued_at = t.queued_at = queued;
    t.called_at = called;
    t.started_at = started;
    t.finished_at = finished;
    t.window = window;
    t.hour = hour;
    return t;
}

static void add_eval(struct hq_stats_input *in, const char *number, const char *svc, int32_t window,
                     const char *clerk, int level, int hour)
{
    struct hq_stats_eval e = {0};
    snprintf(e.number, sizeof e.number, "%s", number);
    snprintf(e.service, sizeof e.service, "%s", svc);
    snprintf(e.clerk, sizeof e.clerk, "%s", clerk);
    e.day = 20261126;
    e.window = window;
    e.level = level;
    e.hour = hour;
    e.comment = strdup("好 good");
    assert_int_equal(hq_stats_add_eval(in, &e), 0);
    assert_null(e.comment);
}

static void build_day(struct hq_stats_input *in)
{
    hq_stats_input_init(in);
    in->day_from = in->day_to = 20261126;
    in->target_wait_s = 600;
    struct hq_stats_name sa = {"A", "社保", "Social security", 300};
    struct hq_stats_name sb = {"B", "医保", "Medical insurance", 200};
    struct hq_stats_name w1 = {"1", "1号窗口", "Window 1", 0};
    struct hq_stats_name w2 = {"2", "2号窗口", "Window 2", 0};
    struct hq_stats_name c1 = {"c1", "张三", "", 0};
    hq_stats_add_service(in, &sa);
    hq_stats_add_service(in, &sb);
    hq_stats_add_window(in, &w1);
    hq_stats_add_window(in, &w2);
    hq_stats_add_staff(in, &c1);
    const int64_t T = 1795600000; /* 09:00 local, say */
    /* A: waits 100, 300, 500, 900 (4 called; 3 within 600); service 200, 400, 300 (3 done) */
    struct hq_stats_ticket ts[] = {
        tk("A001", "A", HQ_DONE, T, T + 100, T + 110, T + 310, 1, "c1", 9),
        tk("A002", "A", HQ_DONE, T, T + 300, T + 310, T + 710, 1, "c1", 9),
        tk("A003", "A", HQ_DONE, T, T + 500, T + 520, T + 820, 1, "c1", 9),
        tk("A004", "A", HQ_NO_SHOW, T, T + 900, 0, 0, 1, "c1", 9),
        tk("A005", "A", HQ_CANCELLED, T, 0, 0, 0, 0, "", 10),
        tk("A006", "A", HQ_EXPIRED, T, 0, 0, 0, 0, "", 10),
        /* B: one done at window 2 by c2, wait 60, service 100; one still waiting */
        tk("B001", "B", HQ_DONE, T + 3600, T + 3660, T + 3670, T + 3770, 2, "c2", 10),
        tk("B002", "B", HQ_WAITING, T + 3600, 0, 0, 0, 0, "", 10),
    };
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++)
        assert_int_equal(hq_stats_add_ticket(in, &ts[i]), 0);
    /* evaluations: A by c1 at window 1: 5, 4, 2; B by c2 at window 2: 3 */
    add_eval(in, "A001", "A", 1, "c1", 5, 9);
    add_eval(in, "A002", "A", 1, "c1", 4, 9);
    add_eval(in, "A003", "A", 1, "c1", 2, 9);
    add_eval(in, "B001", "B", 2, "c2", 3, 10);
    snprintf(in->evals[2].reasons, sizeof in->evals[2].reasons, "等候时间长; 态度不好");
    snprintf(in->evals[3].reasons, sizeof in->evals[3].reasons, "等候时间长");
    /* complaints: one naming window 1 that day, one naming no window, one window 1 next day */
    struct hq_stats_complaint k1 = {1, 20261126, "received"}, k2 = {0, 20261126, "received"};
    struct hq_stats_complaint k3 = {1, 20261127, "received"}; /* window 1, a day c1 was not there */
    hq_stats_add_complaint(in, &k1);
    hq_stats_add_complaint(in, &k2);
    hq_stats_add_complaint(in, &k3);
}

static void test_day(void **state)
{
    (void)state;
    struct hq_stats_input in;
    build_day(&in);
    struct hq_stats s;
    assert_int_equal(hq_stats_compute(&in, &s), 0);

    /* total: 8 issued, 5 called, 4 served, 1 no-show, 1 cancelled, 1 expired, 1 open */
    const struct hq_stats_group *g = &s.total;
    assert_int_equal(g->c.issued, 8);
    assert_int_equal(g->c.called, 5);
    assert_int_equal(g->c.served, 4);
    assert_int_equal(g->c.no_show, 1);
    assert_int_equal(g->c.cancelled, 1);
    assert_int_equal(g->c.expired, 1);
    assert_int_equal(g->c.open, 1);
    /* waits 60, 100, 300, 500, 900: mean 372, median 300, p90 = 500 + 0.6·400 = 740; 4 within */
    assert_int_equal(g->wait.n, 5);
    near(g->wait.mean, 372, 1e-9);
    near(g->wait.median, 300, 1e-9);
    near(g->wait.p90, 740, 1e-9);
    near(g->wait.max, 900, 0);
    assert_int_equal(g->wait.within, 4);
    near(g->wait.within_share, 0.8, 1e-12);
    /* services 100, 200, 300, 400: mean 250, median 250, p90 = 300 + 0.7·100 = 370 */
    assert_int_equal(g->service.n, 4);
    near(g->service.mean, 250, 1e-9);
    near(g->service.median, 250, 1e-9);
    near(g->service.p90, 370, 1e-9);
    /* levels 5, 4, 2, 3: 2 satisfied of 4; mean 3.5, index 62.5; Wilson(2, 4) */
    assert_int_equal(g->sat.n, 4);
    assert_int_equal(g->sat.levels[4], 1);
    assert_int_equal(g->sat.levels[3], 1);
    assert_int_equal(g->sat.levels[2], 1);
    assert_int_equal(g->sat.levels[1], 1);
    assert_int_equal(g->sat.levels[0], 0);
    near(g->sat.rate, 0.5, 1e-12);
    near(g->sat.mean, 3.5, 1e-12);
    near(g->sat.index, 62.5, 1e-12);
    near(g->sat.sd, sqrt(5.0 / 3), 1e-12); /* deviations 1.5, .5, −1.5, −.5: 5 / 3 */
    near(g->sat.rate_lo, 0.15003898915214955, 1e-9);
    near(g->sat.rate_hi, 0.8499610108478504, 1e-9);
    assert_int_equal(g->complaints, 3);

    /* services in the input's order */
    assert_int_equal(s.n_services, 2);
    assert_string_equal(s.services[0].key, "A");
    assert_string_equal(s.services[0].name, "社保");
    assert_int_equal(s.services[0].c.issued, 6);
    assert_int_equal(s.services[0].wait.n, 4);
    near(s.services[0].wait.mean, 450, 1e-9);
    near(s.services[0].wait.median, 400, 1e-9);
    assert_int_equal(s.services[0].wait.within, 3);
    near(s.services[0].service.mean, 300, 1e-9);
    near(s.services[0].sat.rate, 2.0 / 3, 1e-12);
    assert_int_equal(s.services[1].c.issued, 2);
    assert_int_equal(s.services[1].c.open, 1);

    /* windows: 1 called 4 (3 served, 1 no-show), 2 called 1; complaint to window 1 */
    assert_int_equal(s.n_windows, 2);
    assert_string_equal(s.windows[0].key, "1");
    assert_string_equal(s.windows[0].name, "1号窗口");
    assert_int_equal(s.windows[0].c.called, 4);
    assert_int_equal(s.windows[0].c.served, 3);
    assert_int_equal(s.windows[0].c.no_show, 1);
    assert_int_equal(s.windows[0].complaints, 2);
    assert_int_equal(s.windows[1].c.called, 1);
    assert_int_equal(s.windows[1].complaints, 0);

    /* clerks: c1 served 3 A (mean 300 = target 300: met), satisfaction 2/3 < 90%: not met, one
     * complaint; c2 served 1 B in 100 s against 200: met; unknown name */
    assert_int_equal(s.n_clerks, 2);
    const struct hq_stats_group *c1 = hq_stats_find(s.clerks, s.n_clerks, "c1");
    const struct hq_stats_group *c2 = hq_stats_find(s.clerks, s.n_clerks, "c2");
    assert_non_null(c1);
    assert_non_null(c2);
    assert_string_equal(c1->name, "张三");
    assert_string_equal(c2->name, "");
    assert_int_equal(c1->c.served, 3);
    near(c1->score.target_service_s, 300, 1e-9);
    assert_true(c1->score.service_met);
    assert_false(c1->score.satisfaction_met);
    assert_int_equal(c1->score.complaints, 1);
    assert_int_equal(c1->score.days, 1);
    near(c2->score.target_service_s, 200, 1e-9);
    assert_true(c2->score.service_met);
    assert_false(c2->score.satisfaction_met); /* one evaluation of 3 */
    assert_int_equal(c2->score.complaints, 0);

    /* hours: 09 has the four called A tickets; 10 has four tickets */
    assert_int_equal(s.n_hours, 24);
    assert_int_equal(s.hours[9].c.issued, 4);
    near(s.hours[9].wait.mean, 450, 1e-9);
    assert_int_equal(s.hours[10].c.issued, 4);
    assert_int_equal(s.hours[10].sat.n, 1);
    assert_int_equal(s.hours[8].c.issued, 0);

    /* reasons, most given first: 等候时间长 (levels 2 and 3), 态度不好 (level 2) */
    assert_int_equal(s.n_reasons, 2);
    assert_string_equal(s.reasons[0].text, "等候时间长");
    assert_int_equal(s.reasons[0].n, 2);
    near(s.reasons[0].mean_level, 2.5, 1e-12);
    assert_string_equal(s.reasons[1].text, "态度不好");
    assert_int_equal(s.reasons[1].n, 1);

    /* compare window 1 with window 2: too few evaluations for Welch on window 2 */
    struct hq_stats_compare cmp;
    hq_stats_compare(&s.windows[0], &s.windows[1], &cmp);
    assert_true(cmp.rate.valid);
    near(cmp.rate.diff, 2.0 / 3, 1e-12);
    assert_false(cmp.level.valid);
    assert_false(cmp.wait.valid);

    hq_stats_release(&s);
    hq_stats_input_release(&in);
}

/* A complaint's assessment decides whom it counts against: the clerk and window it names (here
 * neither named by the complainant), nobody when unfounded; the total counts all. Scorecard
 * verdicts: over a target within the tolerance is "near", beyond it "missed". */
static void test_complaints_and_verdicts(void **state)
{
    (void)state;
    struct hq_stats_input in;
    build_day(&in);
    in.n_complaints = 0;
    struct hq_stats_complaint named = {2, 20261126, "assessed", "c2", false};
    struct hq_stats_complaint unfounded = {1, 20261126, "closed", "c1", true};
    struct hq_stats_complaint clerk_only = {0, 20261127, "assessed", "c1", false};
    hq_stats_add_complaint(&in, &named);
    hq_stats_add_complaint(&in, &unfounded);
    hq_stats_add_complaint(&in, &clerk_only);
    struct hq_stats s;
    assert_int_equal(hq_stats_compute(&in, &s), 0);
    assert_int_equal(s.total.complaints, 3);
    const struct hq_stats_group *c1 = hq_stats_find(s.clerks, s.n_clerks, "c1");
    const struct hq_stats_group *c2 = hq_stats_find(s.clerks, s.n_clerks, "c2");
    assert_int_equal(c2->score.complaints, 1);
    assert_int_equal(c2->complaints, 1);
    assert_int_equal(c1->score.complaints, 1); /* the clerk-only one; the unfounded one not */
    const struct hq_stats_group *w1 = hq_stats_find(s.windows, s.n_windows, "1");
    const struct hq_stats_group *w2 = hq_stats_find(s.windows, s.n_windows, "2");
    assert_int_equal(w1->complaints, 0);
    assert_int_equal(w2->complaints, 1);

    /* tolerance: 10% of the target, at least 30 s */
    near(hq_stats_tolerance_s(900), 90, 1e-9);
    near(hq_stats_tolerance_s(120), 30, 1e-9);
    /* c1: mean service <= its target: met; the waiting target of the hall judged per clerk */
    assert_int_equal(c1->score.service_verdict, HQ_VERDICT_MET);
    assert_int_equal(c1->score.target_wait_s, s.target_wait_s);
    assert_int_equal(c1->score.wait_verdict,
                     c1->wait.mean <= s.target_wait_s ? HQ_VERDICT_MET
                     : c1->wait.mean <= s.target_wait_s + hq_stats_tolerance_s(s.target_wait_s)
                         ? HQ_VERDICT_NEAR
                         : HQ_VERDICT_MISSED);
    /* satisfaction of c1: 2 of 3 satisfied (67%) against 90%: the interval reaches 90%: near */
    assert_int_equal(c1->score.satisfaction_verdict, HQ_VERDICT_NEAR);
    hq_stats_release(&s);

    /* a service time just over the target is near, far over is missed */
    for (size_t i = 0; i < in.n_tickets; i++)
        if (!strcmp(in.tickets[i].clerk, "c2") && in.tickets[i].finished_at)
            in.tickets[i].finished_at += 20; /* c2's target is 200 s: +20 s is within 30 s */
    assert_int_equal(hq_stats_compute(&in, &s), 0);
    c2 = hq_stats_find(s.clerks, s.n_clerks, "c2");
    if (c2->service.mean > 200)
        assert_int_equal(c2->score.service_verdict,
                         c2->service.mean <= 230 ? HQ_VERDICT_NEAR : HQ_VERDICT_MISSED);
    hq_stats_release(&s);
    for (size_t i = 0; i < in.n_tickets; i++)
        if (!strcmp(in.tickets[i].clerk, "c2") && in.tickets[i].finished_at)
            in.tickets[i].finished_at += 600;
    assert_int_equal(hq_stats_compute(&in, &s), 0);
    c2 = hq_stats_find(s.clerks, s.n_clerks, "c2");
    assert_int_equal(c2->score.service_verdict, HQ_VERDICT_MISSED);
    hq_stats_release(&s);
    hq_stats_input_release(&in);
}

static void test_empty(void **state)
{
    (void)state;
    struct hq_stats_input in;
    hq_stats_input_init(&in);
    struct hq_stats s;
    assert_int_equal(hq_stats_compute(&in, &s), 0);
    assert_int_equal(s.total.c.issued, 0);
    assert_int_equal(s.total.wait.n, 0);
    near(s.total.sat.rate, 0, 0);
    assert_int_equal(s.n_services, 0);
    assert_int_equal(s.n_hours, 24);
    assert_int_equal(s.target_wait_s, 900);
    near(s.target_satisfaction, 0.9, 0);
    hq_stats_release(&s);
    hq_stats_input_release(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantiles),
        cmocka_unit_test(test_wilson),
        cmocka_unit_test(test_cdfs),
        cmocka_unit_test(test_tests),
        cmocka_unit_test(test_day),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_complaints_and_verdicts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
