/* SPDX-License-Identifier: MIT */
/*
 * test_plan_day.c — the day plan and what-if (src/plan/dayplan.c): service groups from shared
 * windows, Erlang C per half hour, the simulation check raising windows where the queue carried
 * over from a peak breaks the target, what-if answering with worse waits for fewer windows,
 * determinism, and refusals.
 */
#include <math.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan/hq_plan.h"

static struct hq_forecast *forecast3(void)
{
    struct hq_forecast *fc = calloc(1, sizeof *fc);
    fc->day = 20240325;
    fc->weekday = 1;
    fc->n_services = 3;
    snprintf(fc->codes[0], HQ_CODE_MAX, "A");
    snprintf(fc->codes[1], HQ_CODE_MAX, "B");
    snprintf(fc->codes[2], HQ_CODE_MAX, "C");
    for (int k = 18; k < 34; k++) {
        fc->arrivals[0][k] = 20;
        fc->arrivals[1][k] = 6;
        fc->arrivals[2][k] = 8;
    }
    /* a sharp peak of A at 10:00-10:30 */
    fc->arrivals[0][20] = 45;
    return fc;
}

static void conf_init(struct hq_plan_conf *c, const struct hq_forecast *fc,
                      const struct hq_sim_window *w, int n_w)
{
    memset(c, 0, sizeof *c);
    c->fc = fc;
    c->services[0].service_s = 300;
    c->services[1].service_s = 240;
    c->services[2].service_s = 420;
    c->windows = w;
    c->n_windows = n_w;
    c->target_wait_s = 600;
    c->level = 0.8;
    c->walk_s = 20;
    c->seed = 1;
}

/* Two groups (A,B and C) with windows enough for any half hour of forecast3: the plan is never
 * held back by the hall here (test_capacity is about that). */
#define BIG_HALL 24
static struct hq_sim_window hall_windows[BIG_HALL];

static void big_hall(void)
{
    for (int i = 0; i < BIG_HALL; i++) {
        struct hq_sim_window *w = &hall_windows[i];
        memset(w, 0, sizeof *w);
        w->number = i + 1;
        if (i == 0 || i >= 3) { /* 1, 4..15: A and B; 2: B; 3, 16..24: C */
            bool c = i >= 15;
            snprintf(w->services[0], HQ_CODE_MAX, "%s", c ? "C" : "A");
            if (!c) snprintf(w->services[1], HQ_CODE_MAX, "B");
            w->n_services = c ? 1 : 2;
        } else {
            snprintf(w->services[0], HQ_CODE_MAX, "%s", i == 1 ? "B" : "C");
            w->n_services = 1;
        }
    }
}

static void test_groups_and_erlang(void **state)
{
    (void)state;
    struct hq_forecast *fc = forecast3();
    struct hq_plan_conf c;
    conf_init(&c, fc, hall_windows, BIG_HALL);
    c.no_simulation = true;
    struct hq_day_plan *p = malloc(sizeof *p);
    struct hq_why why;
    assert_int_equal(hq_plan_day(&c, p, &why), 0);
    assert_int_equal(p->n_groups, 2);
    assert_string_equal(p->groups[0].name, "A,B");
    assert_string_equal(p->groups[1].name, "C");
    assert_int_equal(p->group_of[1], 0);
    assert_int_equal(p->group_of[2], 1);
    assert_int_equal(p->first_slot, 18);
    assert_int_equal(p->last_slot, 33);
    /* slot 19: A 20 + B 6 per half hour; window time per customer is the arrival-weighted
     * walk + service */
    const struct hq_plan_slot *s = &p->groups[0].slot[19];
    assert_true(s->arrivals == 26);
    assert_true(fabs(s->service_s - (20 * 320.0 + 6 * 260.0) / 26) < 1e-9);
    assert_int_equal(s->windows_erlang, hq_plan_windows_needed(26, s->service_s, 600, 0.8));
    assert_int_equal(s->windows, s->windows_erlang);
    assert_true(s->erlang_level >= 0.8);
    assert_int_equal(p->groups[0].slot[10].windows, 0);
    /* the peak needs more */
    assert_true(p->groups[0].slot[20].windows > p->groups[0].slot[19].windows);
    /* alone: A by itself needs fewer than the group, B a window of its own */
    assert_true(p->windows_alone[0][19] <= s->windows);
    assert_true(p->windows_alone[1][19] >= 1);
    assert_true(p->window_hours > 0);
    assert_int_equal(p->groups[0].max_windows, 14);
    assert_int_equal(p->groups[1].max_windows, 10);
    assert_false(p->capacity_short);
    assert_true(p->met);
    free(p);
    free(fc);
}

/* The hall of three windows (1: A,B; 2: B; 3: C): never more windows than it has, and the half
 * hours it cannot serve in time are said to miss the target, with their waits. */
static void test_capacity(void **state)
{
    (void)state;
    static const struct hq_sim_window small[] = {
        {.number = 1, .services = {"A", "B"}, .n_services = 2},
        {.number = 2, .services = {"B"}, .n_services = 1},
        {.number = 3, .services = {"C"}, .n_services = 1},
    };
    struct hq_forecast *fc = forecast3();
    struct hq_plan_conf c;
    conf_init(&c, fc, small, 3);
    c.reps = 4;
    struct hq_day_plan *p = malloc(sizeof *p);
    struct hq_why why = {0};
    assert_int_equal(hq_plan_day(&c, p, &why), 0);
    assert_int_equal(p->groups[0].max_windows, 2);
    assert_int_equal(p->groups[1].max_windows, 1);
    bool short_seen = false, missed_seen = false;
    for (int g = 0; g < p->n_groups; g++)
        for (int k = 0; k < HQ_SLOTS; k++) {
            const struct hq_plan_slot *s = &p->groups[g].slot[k];
            assert_true(p->groups[g].windows[k] <= p->groups[g].max_windows);
            short_seen |= s->capacity_short;
            if (s->missed) {
                missed_seen = true;
                assert_true(s->sim_level < 0.8);
                assert_true(s->sim_mean_wait_s > 0);
            }
        }
    /* per service alone: never more than the windows serving it (A: 1, B: 2, C: 1) */
    for (int k = 0; k < HQ_SLOTS; k++) {
        assert_true(p->windows_alone[0][k] <= 1);
        assert_true(p->windows_alone[1][k] <= 2);
        assert_true(p->windows_alone[2][k] <= 1);
    }
    assert_true(short_seen && p->capacity_short);
    assert_true(missed_seen);
    assert_false(p->met);
    assert_true(p->missed_slots > 0);
    /* Erlang only: capacity short is not met either */
    c.no_simulation = true;
    assert_int_equal(hq_plan_day(&c, p, &why), 0);
    assert_true(p->capacity_short);
    assert_false(p->met);
    free(p);
    free(fc);
}

static void test_simulation_check(void **state)
{
    (void)state;
    struct hq_forecast *fc = forecast3();
    struct hq_plan_conf c;
    conf_init(&c, fc, hall_windows, BIG_HALL);
    /* A's service times from "history": mostly 150 s, one in twenty takes 3150 s (mean 300 s,
     * cv 2.2). Erlang C assumes exponential times (cv 1) and so promises too much. */
    double heavy[20];
    for (int i = 0; i < 20; i++)
        heavy[i] = i == 0 ? 3150 : 150;
    c.services[0].samples = heavy;
    c.services[0].n_samples = 20;
    c.level = 0.9;
    c.target_wait_s = 300;
    struct hq_day_plan *p = malloc(sizeof *p), *q = malloc(sizeof *q);
    struct hq_why why = {0};
    assert_int_equal(hq_plan_day(&c, p, &why), 0);
    assert_true(p->iterations >= 1);
    assert_true(p->met);
    bool raised = false;
    for (int g = 0; g < p->n_groups; g++)
        for (int k = p->first_slot; k <= p->last_slot; k++) {
            const struct hq_plan_slot *s = &p->groups[g].slot[k];
            assert_true(s->windows >= s->windows_erlang);
            raised |= s->windows > s->windows_erlang;
            assert_true(s->sim_arrivals > 0);
            /* what the simulation measured meets the level up to its standard error */
            double se = sqrt(0.9 * 0.1 / (double)s->sim_arrivals);
            assert_true(s->sim_level >= 0.9 - se - 1e-12);
            assert_true(isfinite(s->sim_mean_wait_s) && s->sim_mean_wait_s >= 0);
            assert_true(s->sim_p90_wait_s >= 0);
        }
    /* Heavy-tailed service times and the queue A's peak leaves behind: Erlang per half hour
     * knows neither, the simulation does and adds windows. */
    assert_true(raised);
    print_message("plan: %d rounds, group A,B windows at 10:00 %d (Erlang %d), 10:30 %d (Erlang "
                  "%d); %.1f window hours\n",
                  p->iterations, p->groups[0].slot[20].windows,
                  p->groups[0].slot[20].windows_erlang, p->groups[0].slot[21].windows,
                  p->groups[0].slot[21].windows_erlang, p->window_hours);
    /* deterministic */
    assert_int_equal(hq_plan_day(&c, q, &why), 0);
    for (int g = 0; g < p->n_groups; g++)
        assert_memory_equal(p->groups[g].windows, q->groups[g].windows,
                            sizeof p->groups[g].windows);
    free(p);
    free(q);
    free(fc);
}

static void test_what_if(void **state)
{
    (void)state;
    struct hq_forecast *fc = forecast3();
    struct hq_plan_conf c;
    conf_init(&c, fc, hall_windows, BIG_HALL);
    struct hq_day_plan *p = malloc(sizeof *p);
    struct hq_why why = {0};
    assert_int_equal(hq_plan_day(&c, p, &why), 0);
    /* the plan's own windows, then one window fewer everywhere for A,B */
    struct hq_pool *pools = calloc(2, sizeof *pools);
    pools[0] = p->groups[0];
    pools[1] = p->groups[1];
    assert_int_equal(hq_plan_simulate(&c, pools, 2, &why), 0);
    double lvl_plan = pools[0].sim_level, wait_plan = pools[0].sim_mean_wait_s;
    assert_true(fabs(lvl_plan - p->groups[0].sim_level) < 1e-12); /* same seeds, same answer */
    for (int k = 0; k < HQ_SLOTS; k++)
        if (pools[0].windows[k] > 1) pools[0].windows[k]--;
    assert_int_equal(hq_plan_simulate(&c, pools, 2, &why), 0);
    assert_true(pools[0].sim_level < lvl_plan - 0.05);
    assert_true(pools[0].sim_mean_wait_s > wait_plan * 1.5);
    /* C is untouched */
    assert_true(fabs(pools[1].sim_level - p->groups[1].sim_level) < 0.05);
    /* a constant 2 windows for C alone: stable but slow (8 × 420 s per half hour ≈ 1.9 Erlangs) */
    for (int k = 0; k < HQ_SLOTS; k++)
        pools[1].windows[k] = 2;
    assert_int_equal(hq_plan_simulate(&c, pools + 1, 1, &why), 0);
    assert_true(pools[1].sim_level < 0.5);
    /* no window at all: nobody is served in time */
    for (int k = 0; k < HQ_SLOTS; k++)
        pools[1].windows[k] = 0;
    assert_int_equal(hq_plan_simulate(&c, pools + 1, 1, &why), 0);
    assert_true(pools[1].slot[20].sim_level == 0);
    /* refusals */
    pools[1].windows[20] = -1;
    assert_int_equal(hq_plan_simulate(&c, pools + 1, 1, &why), HQ_EINVAL);
    assert_string_equal(why.field, "windows");
    c.level = 1;
    assert_int_equal(hq_plan_day(&c, p, &why), HQ_EINVAL);
    assert_string_equal(why.field, "service_level");
    c.level = 0.8;
    c.target_wait_s = -1;
    assert_int_equal(hq_plan_day(&c, p, &why), HQ_EINVAL);
    assert_string_equal(why.field, "target_wait_s");
    free(pools);
    free(p);
    free(fc);
}

static void test_closed_day(void **state)
{
    (void)state;
    struct hq_forecast *fc = forecast3();
    for (int s = 0; s < 3; s++)
        for (int k = 0; k < HQ_SLOTS; k++)
            fc->arrivals[s][k] = 0;
    fc->closed = true;
    struct hq_plan_conf c;
    conf_init(&c, fc, hall_windows, BIG_HALL);
    struct hq_day_plan *p = malloc(sizeof *p);
    struct hq_why why;
    assert_int_equal(hq_plan_day(&c, p, &why), 0);
    assert_int_equal(p->first_slot, -1);
    assert_true(p->window_hours == 0);
    free(p);
    free(fc);
}

int main(void)
{
    big_hall();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_groups_and_erlang), cmocka_unit_test(test_simulation_check),
        cmocka_unit_test(test_what_if),           cmocka_unit_test(test_closed_day),
        cmocka_unit_test(test_capacity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
