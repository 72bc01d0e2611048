/* SPDX-License-Identifier: MIT */
/*
 * test_plan_erlang.c — Erlang B/C/A (src/plan/erlang.c) against published table values, against an
 * independent textbook computation (the direct factorial formula in long double, fine for small
 * c), and against their own properties: monotone in c, finite for c = 500, the fewest windows
 * really being the fewest, Erlang A tending to Erlang C as patience grows, Little's law.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "plan/hq_plan.h"

/* Textbook Erlang C: (a^c/c! · c/(c-a)) / (sum_{k<c} a^k/k! + a^c/c! · c/(c-a)). */
static long double direct_erlang_c(long double a, int c)
{
    long double term = 1, sum = 0;
    for (int k = 0; k < c; k++) {
        sum += term;
        term *= a / (long double)(k + 1);
    }
    long double top = term * c / (c - a);
    return top / (sum + top);
}

static void assert_close(double got, double want, double rel)
{
    double err = fabs(got - want) / (fabs(want) > 1e-300 ? fabs(want) : 1);
    if (err > rel)
        fail_msg("got %.12g want %.12g (relative error %.3g > %.3g)", got, want, err, rel);
}

/* Published Erlang C tables (e.g. Cooper, Introduction to Queueing Theory, table of C(c, a)):
 * a = 10 Erlangs, c = 11..15. */
static void test_table_a10(void **state)
{
    (void)state;
    const double table[] = {0.6821, 0.4494, 0.2853, 0.1741, 0.1020};
    for (int c = 11; c <= 15; c++) {
        double got = hq_erlang_c(10.0, c);
        assert_true(fabs(got - table[c - 11]) < 0.00006);
        assert_close(got, (double)direct_erlang_c(10.0L, c), 1e-12);
    }
    assert_close(hq_erlang_c(2.0, 3), 4.0 / 9.0, 1e-14); /* exact rational case */
}

static void test_against_direct_formula(void **state)
{
    (void)state;
    for (int c = 1; c <= 60; c++)
        for (double rho = 0.05; rho < 0.999; rho += 0.07) {
            double a = rho * c;
            assert_close(hq_erlang_c(a, c), (double)direct_erlang_c(a, c), 1e-9);
        }
}

/* The call-centre example printed in most staffing guides: 100 calls per half hour, 180 s handling,
 * 80% answered within 20 s -> 14 agents, service level 88.8%, mean wait 7.8 s. */
static void test_textbook_staffing(void **state)
{
    (void)state;
    struct hq_queue_figures f;
    int c = hq_erlang_fewest(100.0 / 1800, 180, 20, 0.8, 0, 1000, &f, NULL);
    assert_int_equal(c, 14);
    assert_true(fabs(f.service_level - 0.8884) < 0.0005);
    assert_true(fabs(f.mean_wait_s - 7.836) < 0.01);
    assert_int_equal(hq_plan_windows_needed(100, 180, 20, 0.8), 14);
    /* 13 really is not enough. */
    assert_int_equal(hq_erlang_c_figures(100.0 / 1800, 180, 13, 20, &f, NULL), 0);
    assert_true(f.service_level < 0.8);
    assert_true(fabs(f.service_level - 0.7956) < 0.0005);
    assert_true(fabs(f.p_wait - 0.2853) < 0.0001);
}

static void test_large_c(void **state)
{
    (void)state;
    struct hq_queue_figures f;
    /* c = 500, a = 480: finite, and as a heavy-traffic check between 0 and 1. */
    assert_int_equal(hq_erlang_c_figures(480.0 / 300, 300, 500, 60, &f, NULL), 0);
    assert_true(f.stable);
    assert_true(isfinite(f.p_wait) && f.p_wait > 0.05 && f.p_wait < 0.6);
    assert_true(isfinite(f.mean_wait_s) && f.mean_wait_s > 0);
    assert_close(f.mean_wait_s, f.p_wait * 300 / 20, 1e-12);
    assert_true(f.service_level > 0 && f.service_level < 1);
    /* Halfin-Whitt: beta = (c - a)/sqrt(a); C ~ [1 + beta Phi(beta)/phi(beta)]^-1 roughly. */
    double beta = 20 / sqrt(480.0);
    double phi = exp(-beta * beta / 2) / sqrt(2 * M_PI), big_phi = 0.5 * erfc(-beta / sqrt(2));
    double hw = 1.0 / (1.0 + beta * big_phi / phi);
    assert_true(fabs(f.p_wait - hw) < 0.05);
    /* Extreme: 100000 windows, no overflow, no NaN. */
    double c1 = hq_erlang_c(99000, 100000), b1 = hq_erlang_b(99000, 100000);
    assert_true(isfinite(c1) && c1 >= 0 && c1 <= 1);
    assert_true(isfinite(b1) && b1 >= 0 && b1 <= 1);
    assert_true(hq_erlang_c(1e-9, 1000) < 1e-300 || hq_erlang_c(1e-9, 1000) == 0);
}

static void test_monotone(void **state)
{
    (void)state;
    for (double a = 0.5; a < 200; a *= 1.7) {
        double prev = 2, prev_w = INFINITY, prev_sl = -1;
        for (int c = (int)floor(a) + 1; c < (int)a + 40; c++) {
            struct hq_queue_figures f;
            assert_int_equal(hq_erlang_c_figures(a / 300, 300, c, 120, &f, NULL), 0);
            /* Strictly, until the figures saturate in double precision. */
            assert_true(f.p_wait < prev || f.p_wait < 1e-15);
            assert_true(f.mean_wait_s < prev_w || f.mean_wait_s < 1e-12);
            assert_true(f.service_level > prev_sl || f.service_level > 1 - 1e-15);
            prev = f.p_wait;
            prev_w = f.mean_wait_s;
            prev_sl = f.service_level;
        }
        /* More load, more waiting. */
        assert_true(hq_erlang_c(a, 300) <= hq_erlang_c(a * 1.1, 300));
    }
}

static void test_unstable(void **state)
{
    (void)state;
    struct hq_queue_figures f;
    assert_int_equal(hq_erlang_c_figures(12.0 / 300, 300, 10, 60, &f, NULL), 0);
    assert_false(f.stable);
    assert_true(f.p_wait == 1.0);
    assert_true(isinf(f.mean_wait_s));
    assert_true(f.service_level == 0.0);
    assert_true(hq_erlang_c(10, 10) == 1.0);
    /* The search still goes upwards past the unstable range. */
    int c = hq_erlang_fewest(12.0 / 300, 300, 60, 0.8, 0, 1000, &f, NULL);
    assert_true(c > 12);
    assert_true(f.stable && f.service_level >= 0.8);
}

static void test_fewest_is_fewest(void **state)
{
    (void)state;
    const double loads[] = {0.3, 1, 4.5, 10, 37, 120, 480};
    const double levels[] = {0.5, 0.8, 0.95};
    for (size_t i = 0; i < sizeof loads / sizeof loads[0]; i++)
        for (size_t j = 0; j < 3; j++) {
            struct hq_queue_figures f, g;
            double lam = loads[i] / 600;
            int c = hq_erlang_fewest(lam, 600, 300, levels[j], 0, 10000, &f, NULL);
            assert_true(c >= 1);
            assert_true(f.service_level >= levels[j]);
            if (c > 1) {
                assert_int_equal(hq_erlang_c_figures(lam, 600, c - 1, 300, &g, NULL), 0);
                assert_true(g.service_level < levels[j]);
            }
        }
    assert_int_equal(hq_plan_windows_needed(0, 300, 600, 0.8), 0);
    assert_true(hq_plan_windows_needed(-1, 300, 600, 0.8) < 0);
    assert_true(hq_plan_windows_needed(10, 0, 600, 0.8) < 0);
    assert_true(hq_plan_windows_needed(10, 300, 600, 1.0) < 0);
    assert_true(hq_plan_windows_needed(NAN, 300, 600, 0.8) < 0);
    /* Not reachable within max_c. */
    struct hq_why why;
    assert_int_equal(hq_erlang_fewest(100, 300, 10, 0.8, 0, 50, NULL, &why), HQ_ECONFLICT);
}

static void test_bad_input(void **state)
{
    (void)state;
    struct hq_queue_figures f;
    struct hq_why why;
    assert_int_equal(hq_erlang_c_figures(-1, 300, 3, 60, &f, &why), HQ_EINVAL);
    assert_string_equal(why.field, "arrivals");
    assert_int_equal(hq_erlang_c_figures(1, INFINITY, 3, 60, &f, &why), HQ_EINVAL);
    assert_string_equal(why.field, "service_s");
    assert_int_equal(hq_erlang_c_figures(1, 300, 0, 60, &f, &why), HQ_EINVAL);
    assert_string_equal(why.field, "windows");
    assert_int_equal(hq_erlang_c_figures(1, 300, 3, NAN, &f, &why), HQ_EINVAL);
    assert_int_equal(hq_erlang_a_figures(1, 300, 0, 3, 60, &f, &why), HQ_EINVAL);
    assert_string_equal(why.field, "patience_s");
    assert_true(isnan(hq_erlang_b(-1, 3)));
    assert_true(isnan(hq_erlang_c(1, 0)));
}

/* Erlang A with patience far beyond any wait is Erlang C. The case at 99% load keeps thousands of
 * states, most of them too far back to be called within the target: it checks that leaving those
 * out of the service-level computation changes nothing. */
static void test_erlang_a_limit(void **state)
{
    (void)state;
    const struct {
        double a;
        int c;
    } cases[] = {{2, 3}, {10, 12}, {10, 15}, {45, 50}, {95, 100}, {9.9, 10}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hq_queue_figures ec, ea;
        double lam = cases[i].a / 300;
        assert_int_equal(hq_erlang_c_figures(lam, 300, cases[i].c, 120, &ec, NULL), 0);
        assert_int_equal(hq_erlang_a_figures(lam, 300, 1e12, cases[i].c, 120, &ea, NULL), 0);
        assert_close(ea.p_wait, ec.p_wait, 1e-4);
        assert_close(ea.mean_wait_s, ec.mean_wait_s, 1e-4);
        assert_close(ea.service_level, ec.service_level, 1e-4);
        assert_true(ea.p_abandon < 1e-4);
    }
}

/* Internal consistency of Erlang A: abandonment from Little's law (theta·E[Lq]/lambda) equals
 * 1 - P(served) from the per-state survival; more patience, less abandonment; more windows, a
 * better service level; an overloaded hall stays finite. */
static void test_erlang_a_properties(void **state)
{
    (void)state;
    struct hq_queue_figures f, g;
    double lam = 12.0 / 300;
    assert_int_equal(hq_erlang_a_figures(lam, 300, 600, 10, 120, &f, NULL), 0);
    assert_true(f.stable);
    /* utilisation = served share · a / c, so served share = 1 - abandon. */
    assert_close(f.utilisation * 10 / 12, 1 - f.p_abandon, 1e-9);
    assert_true(f.p_abandon > 0.05 && f.p_abandon < 0.5);
    assert_true(f.service_level > 0 && f.service_level < 1);
    assert_true(f.mean_wait_all_s > 0 && isfinite(f.mean_wait_s));
    assert_int_equal(hq_erlang_a_figures(lam, 300, 1200, 10, 120, &g, NULL), 0);
    assert_true(g.p_abandon < f.p_abandon);
    double prev = -1;
    for (int c = 1; c < 25; c++) {
        assert_int_equal(hq_erlang_a_figures(lam, 300, 600, c, 120, &g, NULL), 0);
        assert_true(g.service_level > prev);
        prev = g.service_level;
    }
    /* Target 0: the share not waiting at all. */
    assert_int_equal(hq_erlang_a_figures(lam, 300, 600, 10, 0, &g, NULL), 0);
    assert_close(g.service_level, 1 - g.p_wait, 1e-12);
    /* Heavy overload, large c. */
    assert_int_equal(hq_erlang_a_figures(600.0 / 300, 300, 900, 500, 600, &g, NULL), 0);
    assert_true(isfinite(g.mean_wait_s) && g.p_wait > 0.99 && g.p_abandon > 0.1);
    /* Fewest windows with abandonment <= without (giving up shortens the queue). */
    int ca = hq_erlang_fewest(lam, 300, 120, 0.8, 600, 1000, &g, NULL);
    int cc = hq_erlang_fewest(lam, 300, 120, 0.8, 0, 1000, NULL, NULL);
    assert_true(ca >= 1 && ca <= cc);
    assert_true(g.service_level >= 0.8);
    assert_int_equal(hq_erlang_a_figures(lam, 300, 600, ca - 1, 120, &f, NULL), 0);
    assert_true(ca == 1 || f.service_level < 0.8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_a10),         cmocka_unit_test(test_against_direct_formula),
        cmocka_unit_test(test_textbook_staffing), cmocka_unit_test(test_large_c),
        cmocka_unit_test(test_monotone),          cmocka_unit_test(test_unstable),
        cmocka_unit_test(test_fewest_is_fewest),  cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_erlang_a_limit),    cmocka_unit_test(test_erlang_a_properties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
