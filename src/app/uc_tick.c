/* SPDX-License-Identifier: MIT */
/*
 * uc_tick.c — the hall's periodic work: the day roll (tickets still waiting from an earlier day, or
 * after closing time, become `expired`: kept and reported, never dropped), and forgetting the
 * finished tickets of earlier days from memory (they stay in the store).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app_int.h"
#include "hq_appointments.h"
#include "hq_cases.h"
#include "hq_compliance.h"
#include "hq_ops.h"
#include "stats_rollup.h"

/* The capabilities' periodic work, run after the hall's own at every tick, without mu (DESIGN.md
 * "Growing it": a new one adds a line here). */
static void (*const tick_work[])(struct hq_app *) = {
    hq__appointments_tick, hq__ops_tick, hq__certifications_tick, /* uc_training.c */
    hq__cases_tick,        /* default ratings, overdue bad-review cases */
    hq__stats_rollup_tick, /* speed: the daily statistics rollup of a closed day */
};

static void run_tick_work(struct hq_app *a)
{
    for (size_t i = 0; i < sizeof tick_work / sizeof tick_work[0]; i++)
        tick_work[i](a);
}

struct roll_ctx {
    struct hq_app *a;
    struct hq_batch *b;
};

static void on_expired(void *ctx, struct hq_ticket *t)
{
    struct roll_ctx *c = ctx;
    hq_batch_ticket(c->b, t);
    /* expired at day end, or (emergency carry-over) a called ticket waiting again */
    hq__app_event(c->a, c->b, "", t->status == HQ_EXPIRED ? "ticket.expired" : "ticket.requeued",
                  hq__ticket_event_json(t));
}

/* Under mu. Adds what the roll changed to b. Returns how many tickets expired. */
int hq__roll(struct hq_app *a, const struct hq_now *now, struct hq_batch *b)
{
    struct roll_ctx c = {a, b};
    int32_t prev = a->hall.day;
    int n = hq_day_roll(&a->hall, now, true, on_expired, &c);
    if (n > 0)
        for (size_t i = 0; i < a->hall.n_windows; i++)
            hq_batch_window(b, &a->hall.windows[i]);
    if (prev != a->hall.day && a->hall.conf.carry_over)
        for (size_t i = 0; i < a->hall.n_services; i++) /* numbering moved to the new day */
            hq_batch_service(b, &a->hall.services[i]);
    if (prev != a->hall.day && prev != 0) {
        /* Keep yesterday's tickets (evaluations are accepted for 24 h), forget older ones. */
        time_t y = (time_t)(now->t - 86400);
        struct tm tm;
        localtime_r(&y, &tm);
        hq_hall_forget_before(&a->hall,
                              (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
    }
    return n;
}

void hq__app_tick(struct hq_app *a)
{
    struct hq_now now;
    hq_app_now(a, &now);
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    hq__roll(a, &now, &b);
    hq__crowding_check(a, &now, &b);
    hq__sessions_purge(a, now.t, &b);
    if (b.n == 0) {
        pthread_mutex_unlock(&a->mu);
        hq_batch_release(&b);
        run_tick_work(a);
        return;
    }
    struct hq_why why;
    if (hq__app_commit_unlock(a, &b, &why) != 0)
        fprintf(stderr, "hallq: day roll not committed: %s\n", why.message);
    run_tick_work(a);
}
