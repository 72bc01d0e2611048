/* SPDX-License-Identifier: MIT */
/*
 * test_stats_rollup.c — the daily rollups (src/stats/rollup.c) against the full scan
 * (hq_stats_compute, the reference): three weeks of random tickets, evaluations with reasons and
 * complaints (naming a clerk, only a window, unfounded) folded one day at a time and merged must
 * give exactly the same counts, means, maxima, shares within the target, satisfaction, reasons,
 * complaints and scorecards, standard deviations to rounding, and medians and p90 within one bin
 * width (HQ_ROLL_BIN_S); the histogram quantile on known values; the share within a target that is
 * not a multiple of the bin width stays within one bin's count.
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

#include "app/stats_rollup.h"
#include "stats/hq_rollup.h"
#include "stats/hq_stats.h"

#define near(a, b, eps)                                                                            \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (eps)))                                                             \
            fail_msg("%s = %.10g, expected %.10g (±%g)", #a, a_, b_, (double)(eps));               \
    } while (0)

static uint64_t rs = 0x12345678u;
static int rnd(int n)
{
    rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
    return (int)((rs >> 33) % (uint64_t)n);
}

static const char *const services[] = {"A", "B", "C", "D"};
static const char *const clerks[] = {"li", "wang", "zhang", "zhao", "chen"};
static const char *const reasons[] = {"等候时间长", "态度", "效率低"};

/* Three weeks (days 20261101..21), tickets in day order, evaluations of some. */
static void make_input(struct hq_stats_input *in, int32_t target_wait)
{
    hq_stats_input_init(in);
    in->day_from = 20261101;
    in->day_to = 20261121;
    in->target_wait_s = target_wait;
    for (int i = 0; i < 3; i++) { /* D is seen only in the data */
        struct hq_stats_name n = {.target_s = 200 + 60 * i};
        snprintf(n.key, sizeof n.key, "%s", services[i]);
        snprintf(n.name, sizeof n.name, "业务%s", services[i]);
        assert_int_equal(hq_stats_add_service(in, &n), 0);
    }
    for (int w = 1; w <= 6; w++) {
        struct hq_stats_name n = {0};
        snprintf(n.key, sizeof n.key, "%d", w);
        snprintf(n.name, sizeof n.name, "%d号窗口", w);
        assert_int_equal(hq_stats_add_window(in, &n), 0);
    }
    for (int32_t day = 20261101; day <= 20261121; day++) {
        int64_t base = 1800000000 + (int64_t)(day - 20261101) * 86400;
        int n = 40 + rnd(60);
        for (int i = 0; i < n; i++) {
            struct hq_stats_ticket t = {0};
            snprintf(t.number, sizeof t.number, "A%03d", i);
            t.day = day;
            snprintf(t.service, sizeof t.service, "%s", services[rnd(4)]);
            t.hour = 8 + rnd(9);
            t.issued_at = t.queued_at = base + t.hour * 3600 + rnd(3600);
            t.stage = rnd(10) == 0 ? 1 : 0;
            int fate = rnd(20);
            t.category = (enum hq_category)rnd(3);
            if (fate == 0) {
                t.status = HQ_CANCELLED;
            } else if (fate == 1) {
                t.status = HQ_EXPIRED;
            } else {
                t.called_at = t.queued_at + rnd(2400);
                t.window = 1 + rnd(7); /* window 7 is not among the names */
                snprintf(t.clerk, sizeof t.clerk, "%s", clerks[rnd(5)]);
                if (fate == 2) {
                    t.status = HQ_NO_SHOW;
                } else if (fate == 3) {
                    t.status = HQ_SERVING;
                    t.started_at = t.called_at + 30;
                } else {
                    t.status = HQ_DONE;
                    t.started_at = t.called_at + rnd(60);
                    t.finished_at = t.started_at + 60 + rnd(900);
                }
            }
            assert_int_equal(hq_stats_add_ticket(in, &t), 0);
            if (t.status == HQ_DONE && rnd(3)) {
                struct hq_stats_eval e = {0};
                snprintf(e.number, sizeof e.number, "%s", t.number);
                e.day = day;
                snprintf(e.service, sizeof e.service, "%s", t.service);
                e.window = t.window;
                snprintf(e.clerk, sizeof e.clerk, "%s", t.clerk);
                e.level = 1 + rnd(5);
                e.hour = t.hour + rnd(2);
                if (e.level <= 2)
                    snprintf(e.reasons, sizeof e.reasons, "%s; %s", reasons[rnd(3)],
                             reasons[rnd(3)]);
                assert_int_equal(hq_stats_add_eval(in, &e), 0);
            }
        }
    }
    struct hq_stats_complaint c1 = {.window = 2, .day = 20261103};
    struct hq_stats_complaint c2 = {.window = 3, .day = 20261110};
    snprintf(c2.clerk, sizeof c2.clerk, "wang");
    struct hq_stats_complaint c3 = {.window = 4, .day = 20261111, .unfounded = true};
    assert_int_equal(hq_stats_add_complaint(in, &c1), 0);
    assert_int_equal(hq_stats_add_complaint(in, &c2), 0);
    assert_int_equal(hq_stats_add_complaint(in, &c3), 0);
}

/* Fold in's rows one day at a time, merging the days; with docs through each day's document. */
static void roll_days(const struct hq_stats_input *in, struct hq_roll *all, bool docs)
{
    hq_roll_init(all);
    for (int32_t day = in->day_from; day <= in->day_to; day++) {
        struct hq_roll one;
        hq_roll_init(&one);
        for (size_t i = 0; i < in->n_tickets; i++)
            if (in->tickets[i].day == day)
                assert_int_equal(hq_roll_add_ticket(&one, &in->tickets[i], in->target_wait_s), 0);
        for (size_t i = 0; i < in->n_evals; i++)
            if (in->evals[i].day == day) assert_int_equal(hq_roll_add_eval(&one, &in->evals[i]), 0);
        if (docs) {
            char *text = hq__rollup_encode(day, &one, NULL);
            assert_non_null(text);
            assert_int_equal(hq__rollup_decode(text, all, NULL), 0);
            free(text);
        } else {
            assert_int_equal(hq_roll_merge(all, &one), 0);
        }
        hq_roll_release(&one);
    }
}

static void same_dist(const struct hq_stats_dist *a, const struct hq_stats_dist *b,
                      bool exact_within)
{
    assert_int_equal(a->n, b->n);
    assert_true(a->mean == b->mean);
    assert_true(a->max == b->max);
    near(a->sd, b->sd, 1e-9 * (1 + b->sd));
    near(a->median, b->median, HQ_ROLL_BIN_S);
    near(a->p90, b->p90, HQ_ROLL_BIN_S);
    if (exact_within) {
        assert_int_equal(a->within, b->within);
        assert_true(a->within_share == b->within_share);
    }
}

static void same_group(const struct hq_stats_group *a, const struct hq_stats_group *b,
                       bool exact_within)
{
    assert_string_equal(a->key, b->key);
    assert_string_equal(a->name, b->name);
    assert_memory_equal(&a->c, &b->c, sizeof a->c);
    same_dist(&a->wait, &b->wait, exact_within);
    same_dist(&a->service, &b->service, true);
    assert_memory_equal(&a->sat, &b->sat, sizeof a->sat);
    assert_int_equal(a->complaints, b->complaints);
    const struct hq_stats_score *x = &a->score, *y = &b->score;
    assert_true(x->target_service_s == y->target_service_s);
    assert_int_equal(x->service_met, y->service_met);
    assert_int_equal(x->satisfaction_met, y->satisfaction_met);
    assert_int_equal(x->complaints, y->complaints);
    assert_int_equal(x->days, y->days);
    assert_int_equal(x->service_verdict, y->service_verdict);
    assert_int_equal(x->satisfaction_verdict, y->satisfaction_verdict);
    assert_int_equal(x->wait_verdict, y->wait_verdict);
    assert_int_equal(x->wait_met, y->wait_met);
}

static void same_groups(const struct hq_stats_group *a, size_t na, const struct hq_stats_group *b,
                        size_t nb, bool exact_within)
{
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++)
        same_group(&a[i], &b[i], exact_within);
}

static void check_against_full_scan(int32_t target_wait, bool docs)
{
    struct hq_stats_input in;
    make_input(&in, target_wait);
    struct hq_stats full, rolled;
    assert_int_equal(hq_stats_compute(&in, &full), 0);
    struct hq_roll all;
    roll_days(&in, &all, docs);
    assert_int_equal(all.n_tickets, (int64_t)in.n_tickets);
    assert_int_equal(all.n_evals, (int64_t)in.n_evals);
    assert_int_equal(hq_roll_finish(&all, &in, &rolled), 0);
    bool exact = target_wait % HQ_ROLL_BIN_S == 0;
    same_group(&rolled.total, &full.total, exact);
    same_groups(rolled.services, rolled.n_services, full.services, full.n_services, exact);
    same_groups(rolled.windows, rolled.n_windows, full.windows, full.n_windows, exact);
    same_groups(rolled.clerks, rolled.n_clerks, full.clerks, full.n_clerks, exact);
    same_groups(rolled.hours, rolled.n_hours, full.hours, full.n_hours, exact);
    assert_int_equal(rolled.n_reasons, full.n_reasons);
    for (size_t i = 0; i < full.n_reasons; i++) {
        assert_string_equal(rolled.reasons[i].text, full.reasons[i].text);
        assert_int_equal(rolled.reasons[i].n, full.reasons[i].n);
        assert_true(rolled.reasons[i].mean_level == full.reasons[i].mean_level);
    }
    if (!exact) { /* within one bin's count of the exact share */
        int64_t d = rolled.total.wait.within - full.total.wait.within;
        assert_true(d >= -full.total.wait.n / 10 && d <= full.total.wait.n / 10);
    }
    /* the data really exercise the figures */
    assert_true(full.total.wait.n > 500);
    assert_true(full.total.sat.n > 100);
    assert_true(full.n_reasons == 3);
    assert_true(full.total.complaints == 3);
    assert_true(full.n_services == 4 && full.n_windows == 7 && full.n_clerks == 5);
    hq_stats_release(&full);
    hq_stats_release(&rolled);
    hq_roll_release(&all);
    hq_stats_input_release(&in);
}

static void test_equals_full_scan(void **state)
{
    (void)state;
    check_against_full_scan(900, false);
}

static void test_documents_round_trip(void **state)
{
    (void)state;
    check_against_full_scan(900, true);
    struct hq_roll r;
    hq_roll_init(&r);
    assert_int_equal(hq__rollup_decode("{\"v\":2,\"bin_s\":10,\"groups\":[[\"T\"]]}", &r, NULL),
                     -1);
    assert_int_equal(hq__rollup_decode("{\"v\":3,\"bin_s\":10,\"groups\":[[\"T\"]]}", &r, NULL),
                     -1);
    assert_int_equal(hq__rollup_decode("{\"v\":3,\"bin_s\":10,\"groups\":\"AQ==\"}", &r, NULL), -1);
    assert_int_equal(hq__rollup_decode("{\"v\":3,\"bin_s\":10,\"groups\":\"A*A=\"}", &r, NULL), -1);
    assert_int_equal(hq__rollup_decode("{\"v\":99,\"bin_s\":10}", &r, NULL), -1);
    assert_int_equal(hq__rollup_decode("not json", &r, NULL), -1);
    hq_roll_release(&r);
}

/* A document decodes to the very roll it was made from (encoded again: the same text), and a
 * document whose groups are cut short or altered anywhere is refused without changing the roll
 * it was to be added to (the period's sums are decoded into directly). */
static void test_documents_exact_and_atomic(void **state)
{
    (void)state;
    struct hq_stats_input in;
    make_input(&in, 900);
    struct hq_roll day, back, two;
    hq_roll_init(&day);
    for (size_t i = 0; i < in.n_tickets; i++)
        assert_int_equal(hq_roll_add_ticket(&day, &in.tickets[i], in.target_wait_s), 0);
    for (size_t i = 0; i < in.n_evals; i++)
        assert_int_equal(hq_roll_add_eval(&day, &in.evals[i]), 0);
    char *text = hq__rollup_encode(in.day_from, &day, NULL);
    assert_non_null(text);
    hq_roll_init(&back);
    assert_int_equal(hq__rollup_decode(text, &back, NULL), 0);
    char *again = hq__rollup_encode(in.day_from, &back, NULL);
    assert_string_equal(again, text);
    free(again);
    /* twice: the sums of two such days */
    hq_roll_init(&two);
    assert_int_equal(hq__rollup_decode(text, &two, NULL), 0);
    assert_int_equal(hq__rollup_decode(text, &two, NULL), 0);
    char *twice = hq__rollup_encode(in.day_from, &two, NULL);
    assert_true(two.n_tickets == 2 * day.n_tickets && two.g[0].c.issued == 2 * day.g[0].c.issued);
    /* the groups' base64 cut short or with one character changed: refused, back unchanged */
    char *g = strstr(text, "\"groups\":\"");
    assert_non_null(g);
    g += strlen("\"groups\":\"");
    size_t glen = strcspn(g, "\"");
    assert_true(glen > 1000);
    int refused = 0, tried = 0;
    for (size_t cut = 0; cut < glen; cut += 1 + cut / 8, tried++) {
        char *bad = strdup(text);
        size_t at = (size_t)(g - text);
        if (tried % 2 == 0) { /* cut: keep the first `cut` characters, 4-aligned */
            size_t keep = cut & ~(size_t)3;
            memmove(bad + at + keep, bad + at + glen, strlen(bad + at + glen) + 1);
        } else { /* one character replaced by another base64 character */
            bad[at + cut] = bad[at + cut] == 'A' ? 'B' : 'A';
        }
        struct hq_roll r;
        hq_roll_init(&r);
        assert_int_equal(hq__rollup_decode(text, &r, NULL), 0);
        int rc = hq__rollup_decode(bad, &r, NULL);
        char *after = hq__rollup_encode(in.day_from, &r, NULL);
        if (rc != 0) {
            refused++;
            assert_string_equal(after, text); /* nothing of the bad document was added */
        }
        free(after);
        hq_roll_release(&r);
        free(bad);
    }
    /* every cut is refused; a changed count may still be a valid document */
    assert_true(refused >= tried / 2);
    free(twice);
    free(text);
    hq_roll_release(&two);
    hq_roll_release(&back);
    hq_roll_release(&day);
    hq_stats_input_release(&in);
}

/* A document of another layout than the writer's (spaces, the long strings in another order, a
 * nested member also called "groups" before the real one) decodes to the same roll: the quick
 * path that leaves the long strings out of the JSON parse takes only the top-level members, and
 * whatever it cannot be sure of is parsed whole. A quote inside the groups' text is refused. */
static void test_documents_other_layouts(void **state)
{
    (void)state;
    struct hq_stats_input in;
    make_input(&in, 300);
    struct hq_roll day;
    hq_roll_init(&day);
    for (size_t i = 0; i < in.n_tickets; i++)
        assert_int_equal(hq_roll_add_ticket(&day, &in.tickets[i], in.target_wait_s), 0);
    char *text = hq__rollup_encode(in.day_from, &day, NULL);
    assert_non_null(text);
    json_t *o = json_loads(text, 0, NULL);
    assert_non_null(o);
    char *layouts[4];
    layouts[0] = json_dumps(o, JSON_INDENT(1)); /* "groups": "…" with a space */
    json_t *swapped = json_object(), *decoy = json_object();
    json_object_set(swapped, "sections", json_object_get(o, "sections"));
    json_object_set_new(decoy, "x", json_pack("{s:s,s:s}", "groups", "AQ==", "sections", ""));
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (strcmp(k, "sections") != 0) json_object_set(swapped, k, v);
        json_object_set(decoy, k, v);
    }
    layouts[1] = json_dumps(swapped, JSON_COMPACT); /* sections before groups */
    layouts[2] = json_dumps(decoy, JSON_COMPACT);   /* "x":{"groups":"AQ==",…} first */
    assert_true(strstr(layouts[2], "\"groups\":\"AQ==\"") < strstr(layouts[2], "\"tickets\""));
    layouts[3] = strdup(text);
    for (int i = 0; i < 4; i++) {
        assert_non_null(layouts[i]);
        struct hq_roll r;
        hq_roll_init(&r);
        assert_int_equal(hq__rollup_decode(layouts[i], &r, NULL), 0);
        char *back = hq__rollup_encode(in.day_from, &r, NULL);
        assert_string_equal(back, text);
        free(back);
        hq_roll_release(&r);
    }
    /* an escaped quote in the groups' text: not base64, refused, nothing added */
    char *g = strstr(layouts[3], "\"groups\":\"") + strlen("\"groups\":\"");
    size_t at = (size_t)(g - layouts[3]) + 8;
    char *bad = malloc(strlen(layouts[3]) + 3);
    memcpy(bad, layouts[3], at);
    memcpy(bad + at, "\\\"", 2);
    strcpy(bad + at + 2, layouts[3] + at);
    struct hq_roll r;
    hq_roll_init(&r);
    assert_int_equal(hq__rollup_decode(bad, &r, NULL), -1);
    assert_int_equal(r.n_tickets, 0);
    hq_roll_release(&r);
    free(bad);
    for (int i = 0; i < 4; i++)
        free(layouts[i]);
    json_decref(swapped);
    json_decref(decoy);
    json_decref(o);
    free(text);
    hq_roll_release(&day);
    hq_stats_input_release(&in);
}

static void test_target_off_the_bins(void **state)
{
    (void)state;
    check_against_full_scan(905, false);
}

static void test_quantile_bins(void **state)
{
    (void)state;
    struct hq_roll_dist d = {0};
    /* 0, 1..10 in bin 1, 95 in bin 10 */
    int64_t v[] = {0, 3, 7, 10, 95};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(hq_roll_dist_add(&d, v[i]), 0);
    assert_int_equal(d.bins[0], 1);
    assert_int_equal(d.bins[1], 3);
    assert_int_equal(d.bins[10], 1);
    assert_int_equal(d.max, 95);
    /* exact type-7 median 7, p90 = 10 + 0.6 × 85 = 61 */
    near(hq_roll_quantile(&d, 0.5), 7, HQ_ROLL_BIN_S);
    near(hq_roll_quantile(&d, 0.9), 61, HQ_ROLL_BIN_S);
    near(hq_roll_quantile(&d, 0), 0, 0);
    near(hq_roll_quantile(&d, 1), 95, HQ_ROLL_BIN_S);
    /* beyond a day: the last bin, the maximum exact */
    assert_int_equal(hq_roll_dist_add(&d, 200000), 0);
    assert_int_equal(d.max, 200000);
    free(d.bins);
    struct hq_roll_dist e = {0};
    near(hq_roll_quantile(&e, 0.5), 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equals_full_scan),
        cmocka_unit_test(test_target_off_the_bins),
        cmocka_unit_test(test_documents_round_trip),
        cmocka_unit_test(test_documents_exact_and_atomic),
        cmocka_unit_test(test_documents_other_layouts),
        cmocka_unit_test(test_quantile_bins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
