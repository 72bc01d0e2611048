/* SPDX-License-Identifier: MIT */
/*
 * test_app_estimate.c — the live accuracy of the estimated wait (src/app/uc_estimate.c) on tickets
 * written to a real SQLite store: what counts (called, first service, with a stored estimate, in
 * the period), the mean absolute error, the share within ±5 minutes, per service and for the hall,
 * and the range a new estimate gets from the measured residuals (per service from 20 tickets, else
 * the hall's, else none); the day arithmetic behind "the last 28 days".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"

#define DAY 20261201
static char dir[64], db[128];
static int next_id;

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb;
    (void)flag;
    (void)f;
    return remove(p);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/hq-estacc-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/hall.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* A ticket of service code on day, issued at 9:00 + i min, promised est, called after actual
 * seconds (actual < 0: never called). */
static void add(struct hq_batch *b, const char *code, int32_t day, int32_t est, int actual,
                int stage)
{
    struct hq_ticket t;
    memset(&t, 0, sizeof t);
    int i = next_id++;
    snprintf(t.id, sizeof t.id, "%032x", i + 1);
    snprintf(t.service, sizeof t.service, "%s", code);
    hq_format_number(t.number, code, i + 1);
    t.day = day;
    t.seq = i + 1;
    t.issued_at = t.queued_at = 1764550800 + i * 60;
    t.est_wait_s = est;
    t.stage = stage;
    t.iseq = i + 1;
    if (actual >= 0) {
        t.status = HQ_DONE;
        t.called_at = t.issued_at + actual;
        t.started_at = t.called_at + 30;
        t.finished_at = t.started_at + 300;
    } else {
        t.status = HQ_CANCELLED;
        t.finished_at = t.issued_at + 100;
    }
    assert_int_equal(hq_batch_ticket(b, &t), 0);
}

static struct hq_store *store_with(void (*fill)(struct hq_batch *b))
{
    struct hq_why why = {0};
    struct hq_store *s = hq_store_open(db, &why);
    assert_non_null(s);
    struct hq_batch b;
    hq_batch_init(&b);
    fill(&b);
    struct hq_batch *bs[1] = {&b};
    assert_int_equal(s->vt->commit(s, bs, 1, &why), 0);
    hq_batch_release(&b);
    return s;
}

static void fill_mixed(struct hq_batch *b)
{
    /* A: errors 0, +120, -240, +600 (s) → MAE 240, within 5 min: 3 of 4 */
    add(b, "A", DAY, 300, 300, 0);
    add(b, "A", DAY, 300, 420, 0);
    add(b, "A", DAY, 600, 360, 0);
    add(b, "A", DAY, 0, 600, 0);
    /* B: one, error -60 */
    add(b, "B", DAY + 1, 120, 60, 0);
    /* not counted: no estimate, a later stage, never called, another period */
    add(b, "A", DAY, -1, 100, 0);
    add(b, "A", DAY, 300, 5000, 1);
    add(b, "A", DAY, 300, -1, 0);
    add(b, "A", DAY + 5, 300, 5000, 0);
}

static void test_measure(void **state)
{
    (void)state;
    struct hq_store *s = store_with(fill_mixed);
    struct hq_estacc e;
    assert_int_equal(hq__estacc_compute(s, DAY, DAY + 1, &e), 0);
    assert_int_equal(e.all.n, 5);
    assert_true(fabs(e.all.mae_s - (0 + 120 + 240 + 600 + 60) / 5.0) < 1e-9);
    assert_true(fabs(e.all.within_5min_share - 4 / 5.0) < 1e-9);
    assert_int_equal(e.n_services, 2);
    const struct hq_estacc_group *a =
        strcmp(e.services[0].code, "A") == 0 ? &e.services[0] : &e.services[1];
    assert_string_equal(a->code, "A");
    assert_int_equal(a->n, 4);
    assert_true(fabs(a->mae_s - 240) < 1e-9);
    assert_true(fabs(a->within_5min_share - 0.75) < 1e-9);
    /* relative residuals of A: 0/300, 120/300, -240/600, 600/300 → sorted -0.4, 0, 0.4, 2 */
    assert_true(fabs(a->q_low - (-0.4 + 0.3 * 0.4)) < 1e-9); /* p10: -0.4 + 0.3·(0 - -0.4) */
    assert_true(fabs(a->q_high - (0.4 + 0.7 * 1.6)) < 1e-9); /* p90: 0.4 + 0.7·(2 - 0.4) */
    json_t *j = hq__estacc_json(&e);
    assert_int_equal(json_integer_value(json_object_get(j, "n")), 5);
    assert_int_equal(json_integer_value(json_object_get(j, "mae_s")), 204);
    assert_true(fabs(json_real_value(json_object_get(j, "within_5min_share")) - 0.8) < 1e-9);
    json_t *sv = json_object_get(j, "services");
    assert_int_equal(json_array_size(sv), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(sv, 0), "code")), "A");
    assert_string_equal(json_string_value(json_object_get(j, "from")), "2026-12-01");
    json_decref(j);
    /* an empty period: n 0, the figures null */
    assert_int_equal(hq__estacc_compute(s, DAY - 10, DAY - 5, &e), 0);
    j = hq__estacc_json(&e);
    assert_int_equal(json_integer_value(json_object_get(j, "n")), 0);
    assert_true(json_is_null(json_object_get(j, "mae_s")));
    json_decref(j);
    hq_store_close(s);
}

/* 30 tickets of A, each called 20% later than promised (600 s promised, 720 s real), and 5 of
 * B called exactly: A gets its own range, B (too few) the hall's. */
static void fill_biased(struct hq_batch *b)
{
    for (int i = 0; i < 30; i++)
        add(b, "A", DAY, 600, 720 + (i % 3) * 60, 0);
    for (int i = 0; i < 5; i++)
        add(b, "B", DAY, 600, 600, 0);
}

static void test_range(void **state)
{
    (void)state;
    struct hq_store *s = store_with(fill_biased);
    struct hq_app *a = calloc(1, sizeof *a);
    assert_int_equal(hq__estacc_compute(s, DAY, DAY, &a->estacc), 0);
    /* A: residuals 120, 180, 240 on 600 → r 0.2 .. 0.4; an estimate of 1000 s → [1200, 1400]
     * rounded out to minutes, the low end brought down to the estimate */
    json_t *r = hq__wait_range_json(a, "A", 1000);
    assert_true(json_is_array(r));
    json_int_t lo = json_integer_value(json_array_get(r, 0)),
               hi = json_integer_value(json_array_get(r, 1));
    assert_int_equal(lo, 960); /* min(1200, 1000) floored to a minute */
    assert_int_equal(hi, 1440);
    json_decref(r);
    /* short estimates scale by 300 s, not by themselves: 0 s → [0, 0.4·300 = 120] */
    r = hq__wait_range_json(a, "A", 0);
    assert_int_equal(json_integer_value(json_array_get(r, 0)), 0);
    assert_int_equal(json_integer_value(json_array_get(r, 1)), 120);
    json_decref(r);
    /* B has 5 tickets: the hall's residuals (35 tickets) stand in */
    r = hq__wait_range_json(a, "B", 600);
    assert_true(json_is_array(r));
    assert_true(json_integer_value(json_array_get(r, 1)) > 600);
    json_decref(r);
    /* too little history anywhere: no range */
    memset(&a->estacc, 0, sizeof a->estacc);
    a->estacc.all.n = HQ_ESTACC_MIN_N - 1;
    r = hq__wait_range_json(a, "A", 600);
    assert_true(json_is_null(r));
    json_decref(r);
    free(a);
    hq_store_close(s);
}

static void test_day_add(void **state)
{
    (void)state;
    assert_int_equal(hq__day_add(20261201, -27), 20261104);
    assert_int_equal(hq__day_add(20240301, -1), 20240229);
    assert_int_equal(hq__day_add(20231231, 1), 20240101);
    assert_int_equal(hq__day_add(20250301, -1), 20250228);
    assert_int_equal(hq__day_add(20261206, 0), 20261206);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_measure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_range, setup, teardown),
        cmocka_unit_test(test_day_add),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
