/* SPDX-License-Identifier: MIT */
/*
 * sim.c — a discrete-event simulation of the hall as hallq runs it. It must not re-implement any
 * rule of the hall: tickets are issued, called, started, finished, given up and marked no-show by
 * the core's own functions on a real struct hq_hall, so what it measures is what the call policy
 * of src/core/policy.c does, including its boosts and its tie-breaking.
 *
 * Design. The simulation owns the clock and the random source; the core owns the queue.
 *
 *   - Time is a double, in seconds from the start. The core sees whole seconds (struct hq_now.t =
 *     t0 + floor(time)), as in the server; waits are measured here in continuous time.
 *   - Events sit in a binary heap ordered by (time, sequence), so simultaneous events run in the
 *     order they were scheduled and a run is a pure function of the configuration and the seed.
 *     Kinds: an arrival of a service, a called customer coming to the window (start), the clerk
 *     giving up on one who does not come (no-show), the end of a service (finish), a customer
 *     giving up (cancel), a pause falling due, a resume, a window opening or closing.
 *   - Arrivals of each service are a non-stationary Poisson process with a rate constant within
 *     each hour: the next arrival is found by spending an Exp(1) amount of integrated rate hour by
 *     hour, which is exact (no thinning rejections).
 *   - A window is closed, idle, busy (a current ticket) or paused. The invariant that keeps the
 *     run fast: an idle window has no waiting ticket it could serve, because every window calls
 *     call-next the moment it becomes free. So an arrival of service s needs only one call-next,
 *     at the idle window serving s that has been idle longest; a finish needs one call-next at
 *     that window. Each call-next is the core's linear pick over the tickets in memory.
 *   - Memory and speed: the core's pick scans the tickets in memory, so finished tickets are
 *     dropped with hq_hall_forget_before. That needs a new day for the core, so the day the core
 *     is told moves on to the next date whenever nobody is waiting or called (the day roll inside
 *     hq_ticket_issue then expires nothing) and 64 or more tickets are in memory. Only ticket
 *     numbering notices; the call order does not (a later day is a later issue). A run keeps
 *     about a hundred tickets in memory, however long it is (unless the queue never empties).
 *   - Measures: for every counted arrival (issued after the warm-up), whether it was called at
 *     the instant it arrived, the time from its ticket to its first call, and how it ended; busy
 *     window time (call to finish or no-show) and available window time (open, not paused),
 *     both clipped to [warm-up, hours).
 * After the last arrival the windows keep working until the queue is empty, as a hall serves
 * everyone holding a ticket at closing time; tickets no open window can serve stay unserved.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_plan.h"

#define SIM_T0 1704096000LL /* 2024-01-01 08:00:00 UTC: the simulated clock's start */

enum ev_kind {
    EV_ARRIVAL, /* a: service index */
    EV_COME,    /* a: window index */
    EV_NOSHOW,  /* a: window index */
    EV_FINISH,  /* a: window index */
    EV_ABANDON, /* a: ticket record index */
    EV_PAUSE,   /* a: window index */
    EV_RESUME,  /* a: window index */
    EV_OPEN,    /* a: window index */
    EV_CLOSE,   /* a: window index */
};

struct ev {
    double t;
    uint64_t seq;
    int kind;
    long a;
};

struct heap {
    struct ev *v;
    size_t n, cap;
    uint64_t seq;
};

enum rec_state { R_WAITING, R_CALLED, R_SERVED, R_ABANDONED, R_NO_SHOW };

/* What the simulation remembers of each ticket (the core's copy may be forgotten). */
struct rec {
    double issued, called;
    int service;
    unsigned char state;
    unsigned char priority, counted, waited;
};

enum win_state { W_CLOSED, W_IDLE, W_BUSY, W_PAUSED };

struct win {
    int32_t number;
    int state;
    double idle_since;
    double busy_since; /* call time of the current ticket */
    long current;      /* record index of the current ticket, -1 */
    double avail_since;
    bool pause_due, close_due;
    double service_len; /* of the current ticket */
};

struct sim {
    const struct hq_sim_conf *conf;
    struct hq_hall hall;
    struct hq_rng rng;
    struct heap heap;
    struct win *win;
    bool *serves; /* [window][service] */
    struct rec *rec;
    size_t n_rec, cap_rec;
    double *busy_by_service; /* clipped busy seconds */
    double avail_total;      /* clipped available window seconds */
    double t_lo, t_hi;       /* the measured interval [warm-up, hours) in seconds */
    double now;
    double last_out;    /* when the last customer left (finish, no-show, gave up) */
    int32_t day;        /* the day the core is told (moves on only when quiet) */
    int64_t day_index;  /* the same, as days since 1970-01-01 */
    double epoch_start; /* when it last moved */
    long n_waiting, n_called, max_waiting, events; /* n_called: called, not yet come */
    struct hq_why *why;
};

/* ---- heap ---- */

static bool ev_before(const struct ev *a, const struct ev *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static int heap_push(struct heap *h, double t, int kind, long a)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 256;
        struct ev *g = realloc(h->v, cap * sizeof *g);
        if (!g) return HQ_EINTERNAL;
        h->v = g;
        h->cap = cap;
    }
    struct ev e = {t, h->seq++, kind, a};
    size_t i = h->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ev_before(&e, &h->v[p])) break;
        h->v[i] = h->v[p];
        i = p;
    }
    h->v[i] = e;
    return 0;
}

static struct ev heap_pop(struct heap *h)
{
    struct ev top = h->v[0], last = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const struct ev *mv = &last;
        if (l < h->n && ev_before(&h->v[l], mv)) {
            m = l;
            mv = &h->v[l];
        }
        if (r < h->n && ev_before(&h->v[r], mv)) m = r;
        if (m == i) break;
        h->v[i] = h->v[m];
        i = m;
    }
    if (h->n) h->v[i] = last;
    return top;
}

/* ---- the calendar (days since 1970 <-> yyyymmdd, Howard Hinnant's algorithm) ---- */

static int32_t civil_from_days(int64_t z, int *weekday)
{
    *weekday = (int)((z % 7 + 11) % 7); /* 1970-01-01 was a Thursday (4) */
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    return (int32_t)((y + (m <= 2)) * 10000 + m * 100 + d);
}

static struct hq_now sim_now(const struct sim *s)
{
    struct hq_now n;
    n.t = SIM_T0 + (int64_t)floor(s->now);
    int wd;
    (void)civil_from_days(n.t / 86400, &wd);
    n.day = s->day;
    n.minute = (int32_t)((n.t % 86400) / 60);
    n.weekday = wd;
    return n;
}

/* ---- measuring ---- */

static double clip(const struct sim *s, double a, double b)
{
    if (a < s->t_lo) a = s->t_lo;
    if (b > s->t_hi) b = s->t_hi;
    return b > a ? b - a : 0;
}

static void avail_start(struct sim *s, struct win *w)
{
    w->avail_since = s->now;
}

static void avail_stop(struct sim *s, struct win *w)
{
    s->avail_total += clip(s, w->avail_since, s->now);
}

/* ---- drawing ---- */

static double service_time(struct sim *s, int svc)
{
    const struct hq_sim_service *sv = &s->conf->services[svc];
    switch (sv->dist) {
    case HQ_DIST_LOGNORMAL:
        return hq_rng_lognormal(&s->rng, sv->mean_s, sv->cv);
    case HQ_DIST_EMPIRICAL: {
        uint64_t k = hq_rng_next(&s->rng) % (uint64_t)sv->n_samples;
        return sv->samples[k];
    }
    case HQ_DIST_EXP:
    default:
        return hq_rng_exp(&s->rng, sv->mean_s);
    }
}

/* The next arrival of service svc after time `from`, or INFINITY when none before the end. */
static double next_arrival(struct sim *s, int svc, double from)
{
    const struct hq_sim_service *sv = &s->conf->services[svc];
    double need = hq_rng_exp(&s->rng, 1.0), t = from, end = s->conf->hours * 3600.0;
    double period = s->conf->rate_period_s > 0 ? s->conf->rate_period_s : 3600.0;
    while (t < end) {
        long hour = (long)floor(t / period);
        double rate = sv->rate_per_hour[hour < sv->n_rates ? hour : sv->n_rates - 1] / 3600.0;
        double stop = (double)(hour + 1) * period;
        if (stop > end) stop = end;
        if (rate > 0 && rate * (stop - t) >= need) return t + need / rate;
        need -= rate * (stop - t);
        t = stop;
    }
    return INFINITY;
}

/* ---- the core, driven ---- */

static struct hq_window *core_window(struct sim *s, int wi)
{
    return hq_window_find(&s->hall, s->win[wi].number);
}

static long rec_of(const struct hq_ticket *t)
{
    return (long)strtoull(t->id, NULL, 16) - 1;
}

static int pass(struct sim *s, int rc, const char *what)
{
    /* The core refused something the simulation expected to work: a bug on one side. */
    if (rc && s->why && s->why->message[0] == '\0')
        hq_fail(s->why, rc, "", "simulation: the core refused %s", what);
    return rc;
}

static int window_call(struct sim *s, int wi);

static int window_free(struct sim *s, int wi)
{
    struct win *w = &s->win[wi];
    struct hq_now now = sim_now(s);
    w->current = -1;
    if (w->close_due) {
        w->close_due = false;
        int rc = hq_window_close(&s->hall, &now, core_window(s, wi), s->why);
        if (rc) return pass(s, rc, "close");
        avail_stop(s, w);
        w->state = W_CLOSED;
        return 0;
    }
    if (w->pause_due) {
        w->pause_due = false;
        int rc = hq_window_pause(&s->hall, &now, core_window(s, wi), "break",
                                 (int32_t)ceil(s->conf->pause_s), s->why);
        if (rc) return pass(s, rc, "pause");
        avail_stop(s, w);
        w->state = W_PAUSED;
        return heap_push(&s->heap, s->now + s->conf->pause_s, EV_RESUME, wi);
    }
    w->state = W_IDLE;
    w->idle_since = s->now;
    return window_call(s, wi);
}

/* call-next at an idle window; the window stays idle when nothing waits for it. */
static int window_call(struct sim *s, int wi)
{
    struct win *w = &s->win[wi];
    struct hq_now now = sim_now(s);
    struct hq_ticket *t = NULL;
    int rc = hq_window_call_next(&s->hall, &now, core_window(s, wi), &t, s->why);
    if (rc) return pass(s, rc, "call-next");
    if (!t) return 0;
    long r = rec_of(t);
    if (r < 0 || (size_t)r >= s->n_rec || s->rec[r].state != R_WAITING)
        return hq_fail(s->why, HQ_EINTERNAL, "", "simulation: call-next gave an unknown ticket");
    struct rec *rc_ = &s->rec[r];
    rc_->state = R_CALLED;
    rc_->called = s->now;
    s->n_waiting--;
    s->n_called++;
    w->state = W_BUSY;
    w->current = r;
    w->busy_since = s->now;
    if (s->conf->observer && s->conf->observer->called)
        s->conf->observer->called(s->conf->observer->ctx, r, s->now - rc_->issued);
    if (s->conf->no_show_p > 0 && hq_rng_uniform(&s->rng) < s->conf->no_show_p)
        return heap_push(&s->heap, s->now + s->conf->no_show_wait_s, EV_NOSHOW, wi);
    return heap_push(&s->heap, s->now + s->conf->walk_s, EV_COME, wi);
}

static void busy_done(struct sim *s, struct win *w)
{
    int svc = s->rec[w->current].service;
    s->busy_by_service[svc] += clip(s, w->busy_since, s->now);
}

static int on_arrival(struct sim *s, int svc)
{
    const struct hq_sim_conf *c = s->conf;
    if (s->n_rec == s->cap_rec) {
        size_t cap = s->cap_rec ? s->cap_rec * 2 : 1024;
        struct rec *g = realloc(s->rec, cap * sizeof *g);
        if (!g) return hq_fail(s->why, HQ_EINTERNAL, "", "out of memory");
        s->rec = g;
        s->cap_rec = cap;
    }
    long r = (long)s->n_rec++;
    struct rec *rc_ = &s->rec[r];
    memset(rc_, 0, sizeof *rc_);
    rc_->issued = s->now;
    rc_->service = svc;
    rc_->state = R_WAITING;
    rc_->counted = s->now >= s->t_lo;
    rc_->priority = c->priority_share > 0 && hq_rng_uniform(&s->rng) < c->priority_share;

    char id[HQ_ID_LEN + 1];
    snprintf(id, sizeof id, "%032" PRIx64, (uint64_t)r + 1);
    struct hq_issue in;
    memset(&in, 0, sizeof in);
    in.service = c->services[svc].code;
    in.category = rc_->priority ? HQ_PRIORITY : HQ_NORMAL;
    in.channel = HQ_KIOSK;
    struct hq_now now = sim_now(s);
    struct hq_ticket *t = NULL;
    int rc = hq_ticket_issue(&s->hall, &now, id, &in, &t, s->why);
    if (rc) return pass(s, rc, "a ticket");
    s->n_waiting++;
    if (s->n_waiting > s->max_waiting) s->max_waiting = s->n_waiting;
    if (c->observer && c->observer->issued)
        c->observer->issued(c->observer->ctx, r, svc, s->now, &s->hall, &now, t);
    if (s->n_waiting > HQ_SIM_MAX_LIVE)
        return hq_fail(s->why, HQ_ECONFLICT, "windows",
                       "the queue grew past %d waiting tickets after %.1f hours: the load is "
                       "beyond what the windows can serve",
                       HQ_SIM_MAX_LIVE, s->now / 3600.0);

    /* The idle window serving svc that has been idle longest calls. */
    int best = -1;
    for (int wi = 0; wi < c->n_windows; wi++) {
        if (s->win[wi].state != W_IDLE || !s->serves[(size_t)wi * c->n_services + svc]) continue;
        if (best < 0 || s->win[wi].idle_since < s->win[best].idle_since) best = wi;
    }
    if (best >= 0) {
        rc = window_call(s, best);
        if (rc) return rc;
    }
    rc_ = &s->rec[r];
    rc_->waited = rc_->state == R_WAITING;
    if (rc_->state == R_WAITING && c->services[svc].patience_s > 0) {
        rc = heap_push(&s->heap, s->now + hq_rng_exp(&s->rng, c->services[svc].patience_s),
                       EV_ABANDON, r);
        if (rc) return rc;
    }
    double next = next_arrival(s, svc, s->now);
    return isfinite(next) ? heap_push(&s->heap, next, EV_ARRIVAL, svc) : 0;
}

static int on_come(struct sim *s, int wi)
{
    struct win *w = &s->win[wi];
    struct hq_now now = sim_now(s);
    int rc = hq_window_start(&s->hall, &now, core_window(s, wi), NULL, s->why);
    if (rc) return pass(s, rc, "start");
    s->n_called--;
    double len = service_time(s, s->rec[w->current].service);
    w->service_len = len;
    return heap_push(&s->heap, s->now + len, EV_FINISH, wi);
}

static int on_finish(struct sim *s, int wi)
{
    struct win *w = &s->win[wi];
    struct hq_now now = sim_now(s);
    int rc = hq_window_finish(&s->hall, &now, core_window(s, wi), NULL, s->why);
    if (rc) return pass(s, rc, "finish");
    busy_done(s, w);
    s->rec[w->current].state = R_SERVED;
    s->last_out = s->now;
    return window_free(s, wi);
}

static int on_no_show(struct sim *s, int wi)
{
    struct win *w = &s->win[wi];
    struct hq_now now = sim_now(s);
    int rc = hq_window_no_show(&s->hall, &now, core_window(s, wi), NULL, s->why);
    if (rc) return pass(s, rc, "no-show");
    busy_done(s, w);
    s->rec[w->current].state = R_NO_SHOW;
    s->last_out = s->now;
    s->n_called--;
    return window_free(s, wi);
}

static int on_abandon(struct sim *s, long r)
{
    if (s->rec[r].state != R_WAITING) return 0;
    char id[HQ_ID_LEN + 1];
    snprintf(id, sizeof id, "%032" PRIx64, (uint64_t)r + 1);
    struct hq_ticket *t = hq_ticket_find(&s->hall, id);
    if (!t) return hq_fail(s->why, HQ_EINTERNAL, "", "simulation: a waiting ticket vanished");
    struct hq_now now = sim_now(s);
    int rc = hq_ticket_cancel(&s->hall, &now, t, s->why);
    if (rc) return pass(s, rc, "cancel");
    s->rec[r].state = R_ABANDONED;
    s->last_out = s->now;
    s->n_waiting--;
    return 0;
}

static int schedule_pause(struct sim *s, int wi)
{
    if (!(s->conf->pause_every_h > 0)) return 0;
    double at = s->now + hq_rng_exp(&s->rng, s->conf->pause_every_h * 3600.0);
    return at < s->conf->hours * 3600.0 ? heap_push(&s->heap, at, EV_PAUSE, wi) : 0;
}

static int on_pause(struct sim *s, int wi)
{
    struct win *w = &s->win[wi];
    if (w->state == W_CLOSED || w->state == W_PAUSED) return 0;
    w->pause_due = true;
    if (w->state == W_IDLE) return window_free(s, wi);
    return 0;
}

static int on_resume(struct sim *s, int wi)
{
    struct win *w = &s->win[wi];
    struct hq_now now = sim_now(s);
    int rc = hq_window_resume(&s->hall, &now, core_window(s, wi), s->why);
    if (rc) return pass(s, rc, "resume");
    avail_start(s, w);
    rc = schedule_pause(s, wi);
    if (rc) return rc;
    return window_free(s, wi);
}

static int on_open(struct sim *s, int wi)
{
    struct win *w = &s->win[wi];
    struct hq_now now = sim_now(s);
    char user[HQ_USER_MAX];
    snprintf(user, sizeof user, "sim%d", (int)w->number);
    int rc =
        hq_window_open(&s->hall, &now, core_window(s, wi), hq_staff_find(&s->hall, user), s->why);
    if (rc) return pass(s, rc, "open");
    avail_start(s, w);
    rc = schedule_pause(s, wi);
    if (rc) return rc;
    return window_free(s, wi);
}

static int on_close(struct sim *s, int wi)
{
    struct win *w = &s->win[wi];
    if (w->state == W_CLOSED) return 0;
    w->pause_due = false;
    w->close_due = true;
    if (w->state == W_IDLE) return window_free(s, wi);
    if (w->state == W_PAUSED) {
        /* Not back from the pause: the window closes when it would have resumed. */
        return 0;
    }
    return 0;
}

/* Move the core's day on (to the next date) when nobody waits or is called, at least 64
 * tickets are in memory and SIM_EPOCH_S of simulated time has passed since the last move (which
 * bounds the dates used: ten years of simulation end before the year 3500), then forget the
 * finished tickets:
 * the core's pick scans the tickets in memory, so this keeps a long run linear. The core's day is
 * bookkeeping here (numbering restarts, nothing else: there are no hours, quotas or expiries in a
 * simulated hall), and ordering is kept: a later day is a later issue. */
#define SIM_EPOCH_S 600.0
static void maybe_new_day(struct sim *s)
{
    if (s->n_waiting || s->n_called || s->hall.n_tickets < 64 ||
        s->now - s->epoch_start < SIM_EPOCH_S)
        return;
    int wd;
    s->epoch_start = s->now;
    s->day = civil_from_days(++s->day_index, &wd);
    hq_hall_forget_before(&s->hall, s->day);
}

/* ---- setting up ---- */

static int check_conf(const struct hq_sim_conf *c, struct hq_why *why)
{
    if (c->n_services < 1 || !c->services)
        return hq_fail(why, HQ_EINVAL, "services", "at least one service is needed");
    if (c->n_windows < 1 || !c->windows)
        return hq_fail(why, HQ_EINVAL, "windows", "at least one window is needed");
    if (!(c->hours > 0) || !isfinite(c->hours) || c->hours > 24.0 * 366 * 10)
        return hq_fail(why, HQ_EINVAL, "hours", "hours must be > 0 and at most ten years");
    if (!(c->warmup_h >= 0) || !(c->warmup_h < c->hours))
        return hq_fail(why, HQ_EINVAL, "warmup_h", "warm-up must be >= 0 and below the hours");
    if (!(c->target_wait_s >= 0) || !isfinite(c->target_wait_s))
        return hq_fail(why, HQ_EINVAL, "target_wait_s", "target wait must be >= 0");
    if (!(c->priority_share >= 0 && c->priority_share <= 1))
        return hq_fail(why, HQ_EINVAL, "priority_share", "priority share must be within 0..1");
    if (!(c->no_show_p >= 0 && c->no_show_p < 1))
        return hq_fail(why, HQ_EINVAL, "no_show", "no-show probability must be within [0, 1)");
    if (!(c->no_show_wait_s >= 0) || !isfinite(c->no_show_wait_s) || !(c->walk_s >= 0) ||
        !isfinite(c->walk_s))
        return hq_fail(why, HQ_EINVAL, "walk_s", "walk and no-show waits must be >= 0");
    if (!(c->pause_every_h >= 0) || !isfinite(c->pause_every_h) ||
        (c->pause_every_h > 0 && (!(c->pause_s > 0) || !isfinite(c->pause_s))))
        return hq_fail(why, HQ_EINVAL, "pause_s", "pauses need pause_every_h > 0 and pause_s > 0");
    if (!(c->rate_period_s >= 0) || !isfinite(c->rate_period_s))
        return hq_fail(why, HQ_EINVAL, "rate_period_s", "rate period must be >= 0");
    for (int i = 0; i < c->n_services; i++) {
        const struct hq_sim_service *sv = &c->services[i];
        if (!hq_valid_service_code(sv->code))
            return hq_fail(why, HQ_EINVAL, "services", "service %d: code must be 1-2 capitals", i);
        if (sv->n_rates < 1 || !sv->rate_per_hour)
            return hq_fail(why, HQ_EINVAL, "arrivals", "service %s: no arrival rates", sv->code);
        for (int k = 0; k < sv->n_rates; k++)
            if (!(sv->rate_per_hour[k] >= 0) || !isfinite(sv->rate_per_hour[k]))
                return hq_fail(why, HQ_EINVAL, "arrivals",
                               "service %s: arrival rates must be finite and >= 0", sv->code);
        if (sv->dist == HQ_DIST_EMPIRICAL) {
            if (sv->n_samples < 1 || !sv->samples)
                return hq_fail(why, HQ_EINVAL, "service_s", "service %s: no samples", sv->code);
            for (int k = 0; k < sv->n_samples; k++)
                if (!(sv->samples[k] > 0) || !isfinite(sv->samples[k]))
                    return hq_fail(why, HQ_EINVAL, "service_s", "service %s: samples must be > 0",
                                   sv->code);
        } else if (!(sv->mean_s > 0) || !isfinite(sv->mean_s) ||
                   (sv->dist == HQ_DIST_LOGNORMAL && (!(sv->cv > 0) || !isfinite(sv->cv)))) {
            return hq_fail(why, HQ_EINVAL, "service_s",
                           "service %s: mean service time (and cv) must be > 0", sv->code);
        }
        if (!(sv->patience_s >= 0) || !isfinite(sv->patience_s))
            return hq_fail(why, HQ_EINVAL, "patience_s", "service %s: patience must be >= 0",
                           sv->code);
    }
    for (int i = 0; i < c->n_windows; i++) {
        const struct hq_sim_window *w = &c->windows[i];
        if (!(w->open_h >= 0) || !(w->close_h >= 0) || (w->close_h > 0 && w->close_h <= w->open_h))
            return hq_fail(why, HQ_EINVAL, "windows", "window %d: open before it closes",
                           (int)w->number);
        if (w->n_services < 1)
            return hq_fail(why, HQ_EINVAL, "windows", "window %d: no services", (int)w->number);
    }
    return 0;
}

static double mean_of(const struct hq_sim_service *sv)
{
    if (sv->dist != HQ_DIST_EMPIRICAL) return sv->mean_s;
    double sum = 0;
    for (int k = 0; k < sv->n_samples; k++)
        sum += sv->samples[k];
    return sum / sv->n_samples;
}

static int build_hall(struct sim *s)
{
    const struct hq_sim_conf *c = s->conf;
    struct hq_hall *h = &s->hall;
    int rc;
    if (c->has_policy) h->conf.policy = c->policy;
    h->conf.hours.has_hours = false;
    for (int i = 0; i < c->n_services; i++) {
        struct hq_service sv;
        memset(&sv, 0, sizeof sv);
        memcpy(sv.code, c->services[i].code, HQ_CODE_MAX);
        snprintf(sv.name, sizeof sv.name, "Service %s", sv.code);
        double m = mean_of(&c->services[i]);
        sv.avg_service_s = m < 1 ? 1 : m > 86400 ? 86400 : (int32_t)lround(m);
        sv.enabled = true;
        if ((rc = hq_service_add(h, &sv, s->why))) return rc;
    }
    for (int i = 0; i < c->n_windows; i++) {
        const struct hq_sim_window *sw = &c->windows[i];
        struct hq_window w;
        memset(&w, 0, sizeof w);
        w.number = sw->number;
        snprintf(w.name, sizeof w.name, "Window %d", (int)sw->number);
        memcpy(w.services, sw->services, sizeof w.services);
        w.n_services = sw->n_services;
        if ((rc = hq_window_add(h, &w, s->why))) return rc;
        struct hq_staff st;
        memset(&st, 0, sizeof st);
        snprintf(st.username, sizeof st.username, "sim%d", (int)sw->number);
        snprintf(st.name, sizeof st.name, "Clerk %d", (int)sw->number);
        st.role = HQ_ROLE_CLERK;
        st.active = true;
        for (int k = 0; k < sw->n_services && k < HQ_CERT_MAX; k++) {
            memcpy(st.certs[k].service, sw->services[k], HQ_CODE_MAX);
            st.certs[k].expires_on = 99991231;
        }
        st.n_certs = sw->n_services < HQ_CERT_MAX ? sw->n_services : HQ_CERT_MAX;
        if ((rc = hq_staff_add(h, &st, s->why))) return rc;
        for (int k = 0; k < sw->n_services; k++)
            for (int j = 0; j < c->n_services; j++)
                if (strcmp(sw->services[k], c->services[j].code) == 0)
                    s->serves[(size_t)i * c->n_services + j] = true;
        s->win[i].number = sw->number;
        s->win[i].state = W_CLOSED;
        s->win[i].current = -1;
    }
    return 0;
}

/* ---- results ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const double *v, size_t n, double p)
{
    if (!n) return 0;
    size_t k = (size_t)ceil(p * (double)n);
    if (k < 1) k = 1;
    return v[k - 1];
}

/* Fill st from the counted records of service svc (-1: all). waits: scratch of n_rec doubles. */
static void summarise(const struct sim *s, int svc, struct hq_sim_stats *st, double *waits)
{
    size_t n_w = 0;
    long waited = 0, within = 0, n_pri = 0, n_norm = 0;
    double sum = 0, sum_pri = 0, sum_norm = 0;
    for (size_t i = 0; i < s->n_rec; i++) {
        const struct rec *r = &s->rec[i];
        if (!r->counted || (svc >= 0 && r->service != svc)) continue;
        st->arrivals++;
        if (r->priority) st->priority++;
        if (r->waited) waited++;
        if (r->state == R_SERVED) st->served++;
        if (r->state == R_ABANDONED) st->abandoned++;
        if (r->state == R_NO_SHOW) st->no_shows++;
        if (r->state == R_WAITING) st->unserved++;
        if (r->state == R_SERVED || r->state == R_NO_SHOW || r->state == R_CALLED) {
            double w = r->called - r->issued;
            waits[n_w++] = w;
            sum += w;
            if (w <= s->conf->target_wait_s) within++;
            if (r->priority) {
                sum_pri += w;
                n_pri++;
            } else {
                sum_norm += w;
                n_norm++;
            }
        }
    }
    qsort(waits, n_w, sizeof *waits, cmp_double);
    double n = (double)st->arrivals;
    st->p_wait = n > 0 ? (double)waited / n : 0;
    st->service_level = n > 0 ? (double)within / n : 0;
    st->mean_wait_s = n_w ? sum / (double)n_w : 0;
    st->mean_wait_priority_s = n_pri ? sum_pri / (double)n_pri : 0;
    st->mean_wait_normal_s = n_norm ? sum_norm / (double)n_norm : 0;
    st->p50_wait_s = pct(waits, n_w, 0.5);
    st->p90_wait_s = pct(waits, n_w, 0.9);
    double busy = 0;
    for (int k = 0; k < s->conf->n_services; k++)
        if (svc < 0 || k == svc) busy += s->busy_by_service[k];
    st->utilisation = s->avail_total > 0 ? busy / s->avail_total : 0;
}

/* ---- the run ---- */

int hq_sim_run(const struct hq_sim_conf *conf, struct hq_sim_result *out, struct hq_why *why)
{
    int rc = check_conf(conf, why);
    if (rc) return rc;
    struct sim s;
    memset(&s, 0, sizeof s);
    s.conf = conf;
    s.why = why;
    if (why) why->message[0] = '\0';
    hq_hall_init(&s.hall);
    hq_rng_seed(&s.rng, conf->seed);
    s.t_lo = conf->warmup_h * 3600.0;
    s.t_hi = conf->hours * 3600.0;
    int wd;
    s.day_index = SIM_T0 / 86400;
    s.day = civil_from_days(s.day_index, &wd);
    struct hq_sim_result res;
    memset(&res, 0, sizeof res);
    double *waits = NULL;

    s.win = calloc((size_t)conf->n_windows, sizeof *s.win);
    s.serves = calloc((size_t)conf->n_windows * (size_t)conf->n_services, sizeof *s.serves);
    s.busy_by_service = calloc((size_t)conf->n_services, sizeof *s.busy_by_service);
    res.per_service = calloc((size_t)conf->n_services, sizeof *res.per_service);
    if (!s.win || !s.serves || !s.busy_by_service || !res.per_service) {
        rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        goto out;
    }
    if ((rc = build_hall(&s))) goto out;

    for (int i = 0; i < conf->n_windows && !rc; i++)
        rc = heap_push(&s.heap, conf->windows[i].open_h * 3600.0, EV_OPEN, i);
    for (int i = 0; i < conf->n_windows && !rc; i++)
        if (conf->windows[i].close_h > 0)
            rc = heap_push(&s.heap, conf->windows[i].close_h * 3600.0, EV_CLOSE, i);
    for (int k = 0; k < conf->n_services && !rc; k++) {
        double t = next_arrival(&s, k, 0);
        if (isfinite(t)) rc = heap_push(&s.heap, t, EV_ARRIVAL, k);
    }
    if (rc) {
        rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        goto out;
    }

    while (s.heap.n && !rc) {
        struct ev e = heap_pop(&s.heap);
        s.now = e.t;
        s.events++;
        maybe_new_day(&s);
        switch (e.kind) {
        case EV_ARRIVAL:
            rc = on_arrival(&s, (int)e.a);
            break;
        case EV_COME:
            rc = on_come(&s, (int)e.a);
            break;
        case EV_NOSHOW:
            rc = on_no_show(&s, (int)e.a);
            break;
        case EV_FINISH:
            rc = on_finish(&s, (int)e.a);
            break;
        case EV_ABANDON:
            rc = on_abandon(&s, e.a);
            break;
        case EV_PAUSE:
            rc = on_pause(&s, (int)e.a);
            break;
        case EV_RESUME:
            rc = on_resume(&s, (int)e.a);
            break;
        case EV_OPEN:
            rc = on_open(&s, (int)e.a);
            break;
        case EV_CLOSE:
            rc = on_close(&s, (int)e.a);
            break;
        }
    }
    if (rc) goto out;
    for (int i = 0; i < conf->n_windows; i++)
        if (s.win[i].state == W_IDLE || s.win[i].state == W_BUSY) avail_stop(&s, &s.win[i]);

    waits = malloc((s.n_rec ? s.n_rec : 1) * sizeof *waits);
    if (!waits) {
        rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        goto out;
    }
    summarise(&s, -1, &res.overall, waits);
    for (int k = 0; k < conf->n_services; k++) {
        memcpy(res.per_service[k].code, conf->services[k].code, HQ_CODE_MAX);
        summarise(&s, k, &res.per_service[k], waits);
    }
    res.n_services = conf->n_services;
    res.end_h = s.last_out / 3600.0;
    res.max_waiting = s.max_waiting;
    res.events = s.events;
    *out = res;
    res.per_service = NULL;
out:
    free(waits);
    free(res.per_service);
    free(s.heap.v);
    free(s.win);
    free(s.serves);
    free(s.rec);
    free(s.busy_by_service);
    hq_hall_release(&s.hall);
    return rc;
}

void hq_sim_result_release(struct hq_sim_result *r)
{
    if (!r) return;
    free(r->per_service);
    r->per_service = NULL;
    r->n_services = 0;
}
