/* SPDX-License-Identifier: MIT */
/*
 * test_plan_forecast.c — the arrival forecast (src/plan/forecast.c): the calendar, the weekday ×
 * time-of-day model on a synthetic history drawn from known Poisson rates (so the right answer is
 * known), closed weekdays, holidays, the trend, that a forecast never looks at its own day or
 * later, and the measured error on held-out days against the Poisson noise floor and the naive
 * "same weekday last week" forecast.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan/hq_plan.h"

/* True rates: arrivals per half hour of service s on weekday w in slot k. Closed on Sunday. */
static const double weekday_factor[7] = {0, 1.3, 1.0, 1.0, 0.95, 1.1, 0.5};

static double true_rate(int s, int w, int k, double growth)
{
    if (k < 17 || k >= 35) return 0; /* 8:30 .. 17:30 */
    double base = s == 0 ? 10 : 4;
    double shape = (k >= 19 && k < 22) || (k >= 29 && k < 32) ? 1.6 : (k >= 24 && k < 27) ? 0.6 : 1;
    return base * shape * weekday_factor[w] * growth;
}

static int poisson(struct hq_rng *r, double lambda)
{
    int n = 0;
    double t = hq_rng_exp(r, 1.0);
    while (t < lambda) {
        n++;
        t += hq_rng_exp(r, 1.0);
    }
    return n;
}

/* Fill h with days [first, first + n_days) drawn from true_rate; growth applies from day
 * growth_from (index) on. */
static void synth(struct hq_history *h, int32_t first, int n_days, uint64_t seed, int growth_from,
                  double growth)
{
    struct hq_why why;
    int64_t z0 = hq_days_from_civil(first);
    int32_t last = hq_civil_from_days(z0 + n_days - 1);
    assert_int_equal(hq_history_init(h, first, last, &why), 0);
    struct hq_rng r;
    hq_rng_seed(&r, seed);
    /* both services exist from the start, whatever is drawn */
    assert_int_equal(hq_history_add(h, "A", 19000101, 0, 1, &why), 1);
    assert_int_equal(hq_history_add(h, "B", 19000101, 0, 1, &why), 1);
    for (int d = 0; d < n_days; d++) {
        int32_t day = hq_civil_from_days(z0 + d);
        int w = hq_weekday_of(day);
        for (int s = 0; s < 2; s++)
            for (int k = 0; k < HQ_SLOTS; k++) {
                int n = poisson(&r, true_rate(s, w, k, d >= growth_from ? growth : 1));
                if (n)
                    assert_int_equal(hq_history_add(h, s ? "B" : "A", day, k * 30 + 7, n, &why), 0);
            }
    }
}

static void test_calendar(void **state)
{
    (void)state;
    assert_int_equal(hq_days_from_civil(19700101), 0);
    assert_int_equal(hq_civil_from_days(0), 19700101);
    assert_int_equal(hq_weekday_of(19700101), 4);
    assert_int_equal(hq_weekday_of(20240101), 1); /* a Monday */
    assert_int_equal(hq_weekday_of(20260927), 0); /* a Sunday */
    assert_int_equal(hq_civil_from_days(hq_days_from_civil(20240229) + 1), 20240301);
    assert_int_equal(hq_civil_from_days(hq_days_from_civil(20231231) + 1), 20240101);
    assert_true(hq_valid_day(20240229));
    assert_false(hq_valid_day(20230229));
    assert_false(hq_valid_day(20240230));
    assert_false(hq_valid_day(20241301));
    assert_false(hq_valid_day(0));
    for (int64_t z = 19000; z < 19000 + 800; z++)
        assert_int_equal(hq_days_from_civil(hq_civil_from_days(z)), z);
}

static void test_history_refusals(void **state)
{
    (void)state;
    struct hq_history h;
    struct hq_why why;
    assert_int_equal(hq_history_init(&h, 20240110, 20240101, &why), HQ_EINVAL);
    assert_int_equal(hq_history_init(&h, 20240101, 20240131, &why), 0);
    assert_int_equal(hq_history_add(&h, "a", 20240102, 600, 1, &why), HQ_EINVAL);
    assert_int_equal(hq_history_add(&h, "A", 20240102, 1440, 1, &why), HQ_EINVAL);
    assert_int_equal(hq_history_add(&h, "A", 20240102, 600, NAN, &why), HQ_EINVAL);
    assert_int_equal(hq_history_add(&h, "A", 20240201, 600, 1, &why), 1); /* outside: ignored */
    assert_int_equal(hq_history_add(&h, "A", 20240102, 600, 3, &why), 0);
    assert_int_equal(h.tickets, 3);
    assert_true(hq_history_day_total(&h, hq_days_from_civil(20240102)) == 3);
    struct hq_forecast fc;
    assert_int_equal(hq_forecast_day(&h, 20240101, NULL, &fc, &why), HQ_EINVAL);
    assert_string_equal(why.field, "date");
    assert_int_equal(hq_forecast_day(&h, 20240231, NULL, &fc, &why), HQ_EINVAL);
    hq_history_release(&h);
}

static double day_sum(const struct hq_forecast *fc, int s)
{
    double t = 0;
    for (int k = 0; k < HQ_SLOTS; k++)
        t += fc->arrivals[s][k];
    return t;
}

static double true_day(int s, int w)
{
    double t = 0;
    for (int k = 0; k < HQ_SLOTS; k++)
        t += true_rate(s, w, k, 1);
    return t;
}

static void test_forecast_matches_truth(void **state)
{
    (void)state;
    struct hq_history h;
    struct hq_why why;
    synth(&h, 20240101, 12 * 7, 11, 1 << 30, 1);
    struct hq_forecast *fc = malloc(sizeof *fc);
    /* 2024-03-25 is a Monday right after the history */
    assert_int_equal(hq_forecast_day(&h, 20240325, NULL, fc, &why), 0);
    assert_int_equal(fc->weekday, 1);
    assert_false(fc->closed);
    assert_int_equal(fc->days_weekday, 8);
    int a = hq_history_service(&h, "A"), b = hq_history_service(&h, "B");
    /* the day level within 8% of the truth (8 Mondays of ~300 arrivals: sd ~2%) */
    assert_true(fabs(day_sum(fc, a) / true_day(0, 1) - 1) < 0.08);
    assert_true(fabs(day_sum(fc, b) / true_day(1, 1) - 1) < 0.10);
    /* the shape: nothing before opening, the peak above the lunch dip */
    assert_true(fc->arrivals[a][10] == 0);
    assert_true(fc->arrivals[a][20] > 1.3 * fc->arrivals[a][25]);
    /* each half hour within 15% of the truth for the busy service */
    for (int k = 17; k < 35; k++)
        assert_true(fabs(fc->arrivals[a][k] / true_rate(0, 1, k, 1) - 1) < 0.15);
    /* Sunday: never any arrivals in the history -> closed */
    assert_int_equal(hq_forecast_day(&h, 20240324, NULL, fc, &why), 0);
    assert_true(fc->closed);
    assert_true(day_sum(fc, a) == 0);
    free(fc);
    hq_history_release(&h);
}

static void test_no_look_ahead(void **state)
{
    (void)state;
    struct hq_history h;
    struct hq_why why;
    synth(&h, 20240101, 10 * 7, 5, 1 << 30, 1);
    struct hq_forecast *f1 = malloc(sizeof *f1), *f2 = malloc(sizeof *f2);
    assert_int_equal(hq_forecast_day(&h, 20240219, NULL, f1, &why), 0);
    /* a crowd on the day itself and after it changes nothing */
    for (int d = 0; d < 7; d++)
        assert_int_equal(hq_history_add(&h, "A",
                                        hq_civil_from_days(hq_days_from_civil(20240219) + d), 600,
                                        500, &why),
                         0);
    assert_int_equal(hq_forecast_day(&h, 20240219, NULL, f2, &why), 0);
    assert_memory_equal(f1->arrivals, f2->arrivals, sizeof f1->arrivals);
    /* the day after sees it */
    assert_int_equal(hq_forecast_day(&h, 20240220, NULL, f2, &why), 0);
    assert_true(f2->trend[hq_history_service(&h, "A")] > 1.05);
    free(f1);
    free(f2);
    hq_history_release(&h);
}

static void test_holidays(void **state)
{
    (void)state;
    struct hq_history h;
    struct hq_why why;
    synth(&h, 20240101, 10 * 7, 7, 1 << 30, 1);
    struct hq_holiday hol[] = {{20240311, -1}, {20240316, 1}, {20240310, 5}};
    struct hq_forecast_options o = {.holidays = hol, .n_holidays = 3};
    struct hq_forecast *fc = malloc(sizeof *fc);
    int a = hq_history_service(&h, "A");
    /* a closed Monday */
    assert_int_equal(hq_forecast_day(&h, 20240311, &o, fc, &why), 0);
    assert_true(fc->holiday);
    assert_true(fc->closed);
    assert_true(day_sum(fc, a) == 0);
    /* a Saturday worked as a Monday: a Monday's level, not a Saturday's */
    assert_int_equal(hq_forecast_day(&h, 20240316, &o, fc, &why), 0);
    assert_int_equal(fc->weekday, 1);
    assert_true(fabs(day_sum(fc, a) / true_day(0, 1) - 1) < 0.1);
    /* a Sunday (closed in the history) worked as a Friday opens */
    assert_int_equal(hq_forecast_day(&h, 20240310, &o, fc, &why), 0);
    assert_false(fc->closed);
    assert_true(fabs(day_sum(fc, a) / true_day(0, 5) - 1) < 0.1);
    free(fc);
    hq_history_release(&h);
}

static void test_trend(void **state)
{
    (void)state;
    struct hq_history h;
    struct hq_why why;
    /* 10 weeks, the last 3 at 1.4 times the demand */
    synth(&h, 20240101, 10 * 7, 9, 7 * 7, 1.4);
    struct hq_forecast *fc = malloc(sizeof *fc), *flat = malloc(sizeof *flat);
    struct hq_forecast_options none = {.trend_days = -1};
    int a = hq_history_service(&h, "A");
    assert_int_equal(hq_forecast_day(&h, 20240311, NULL, fc, &why), 0);
    assert_int_equal(hq_forecast_day(&h, 20240311, &none, flat, &why), 0);
    assert_true(fc->trend[a] > 1.15 && fc->trend[a] <= 1.5);
    assert_true(flat->trend[a] == 1);
    double truth = true_day(0, 1) * 1.4;
    /* with the trend the forecast is closer to the new level than without */
    assert_true(fabs(day_sum(fc, a) - truth) < fabs(day_sum(flat, a) - truth));
    free(fc);
    free(flat);
    hq_history_release(&h);
}

static void test_new_hall(void **state)
{
    (void)state;
    /* hallq in use since Monday 2024-01-01 (empty weeks before): a Saturday not yet seen is not
     * "closed on Saturdays", it gets the level of the days seen */
    struct hq_history h;
    struct hq_why why;
    assert_int_equal(hq_history_init(&h, 20231101, 20240104, &why), 0);
    for (int d = 0; d < 4; d++)
        assert_int_equal(hq_history_add(&h, "A", 20240101 + d, 600, 10 + 2 * d, &why), 0);
    struct hq_forecast fc;
    assert_int_equal(hq_forecast_day(&h, 20240106, NULL, &fc, &why), 0);
    assert_false(fc.closed);
    assert_int_equal(fc.days_weekday, 0);
    assert_int_equal(fc.days_all, 4);
    assert_true(fabs(fc.level[0] - 13) < 1e-9);
    assert_true(fc.arrivals[0][20] > 0);
    hq_history_release(&h);
}

static void test_measured_error(void **state)
{
    (void)state;
    struct hq_history h;
    struct hq_why why;
    synth(&h, 20240101, 16 * 7, 21, 1 << 30, 1);
    struct hq_forecast_error e;
    /* hold out the last four weeks, each day forecast from the days before it */
    assert_int_equal(hq_forecast_evaluate(&h, 20240325, 20240421, NULL, &e, &why), 0);
    print_message("forecast on held-out synthetic days: %d days, %.0f arrivals/day; per service "
                  "half hour MAE %.2f (Poisson floor %.2f), WAPE %.3f (naive %.3f); hall half "
                  "hour WAPE %.3f (naive %.3f); day MAPE %.3f (naive %.3f), bias %+.3f\n",
                  e.days, e.actual_per_day, e.mae_slot, e.poisson_mae_slot, e.wape_slot,
                  e.naive_wape_slot, e.wape_hall_slot, e.naive_wape_hall_slot, e.mape_day,
                  e.naive_mape_day, e.bias_day);
    assert_int_equal(e.days, 24); /* 28 days less 4 Sundays */
    /* The forecast cannot beat the Poisson noise of the counts; it should come within 15% of it,
     * and clearly beat "the same weekday last week", which carries a whole day's noise. */
    assert_true(e.mae_slot < 1.15 * e.poisson_mae_slot);
    assert_true(e.mae_slot > 0.85 * e.poisson_mae_slot);
    assert_true(e.wape_slot < 0.85 * e.naive_wape_slot);
    assert_true(e.mape_day < 0.06);
    assert_true(fabs(e.bias_day) < 0.03);
    hq_history_release(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calendar),
        cmocka_unit_test(test_history_refusals),
        cmocka_unit_test(test_forecast_matches_truth),
        cmocka_unit_test(test_no_look_ahead),
        cmocka_unit_test(test_holidays),
        cmocka_unit_test(test_trend),
        cmocka_unit_test(test_new_hall),
        cmocka_unit_test(test_measured_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
