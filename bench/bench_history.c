/* SPDX-License-Identifier: MIT */
/*
 * bench_history.c — a year of realistic history written straight into a hallq store (not over
 * HTTP), for the statistics benchmark (docs/PERFORMANCE.md "Statistics"): on a database made by
 * `hallq demo`, it adds windows and clerks up to W of each (copies of the demo's first window
 * and first clerk) and then, for every weekday of the DAYS days ending three days ago, about
 * TICKETS / weekdays tickets: issued over the opening hours with a morning and an afternoon peak,
 * spread over the demo's services, each called at a window by its clerk after an exponential
 * wait (mean 7 min), served for its service's average time times a random factor (0.4–1.8), some
 * no-shows, cancellations and expiries, the estimate given at issue within ±40% of the wait; half
 * of the served ones evaluated (mostly satisfied, a few with reasons), a tenth of the others
 * given the default rating a week later; one `ticket.issued` event per ticket. Also what the
 * other blocks of GET /stats read: a `stage` document per served ticket (its finished stage),
 * two pauses a day per window (window.paused with a reason, window.resumed 3–20 minutes later),
 * 20 help requests a day (most acknowledged, most closed) and 150 appointments a day (booked,
 * checked in, missed or cancelled). Writes 50,000 rows per transaction.
 *
 *   bench_history DB [TICKETS=10000000] [DAYS=365] [WINDOWS=80]
 *   prints "history_tickets N", "history_evaluations N", "history_stages N",
 *   "history_seconds S"
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/hq_store.h"

static uint64_t rs = 0x2013da7e5eedULL;
static double rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (double)(rs >> 11) / 9007199254740992.0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t midnight(int64_t days_ago, int32_t *day, int *wday)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    tm.tm_mday -= (int)days_ago;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    *day = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    *wday = tm.tm_wday;
    return (int64_t)t;
}

/* Seconds after midnight of an arrival: 08:30–12:00 and 13:30–17:30, peaks at 9:30 and 14:30. */
static int arrival(void)
{
    for (;;) {
        int s = 8 * 3600 + 1800 + (int)(rnd() * 9 * 3600);
        if (s >= 12 * 3600 && s < 13 * 3600 + 1800) continue;
        double peak = s < 12 * 3600 ? fabs(s - 9.5 * 3600) : fabs(s - 14.5 * 3600);
        if (rnd() < 0.45 + 0.55 * exp(-peak / 5400.0)) return s;
    }
}

/* One day's pauses (two a window), help requests and appointments into b. */
static int other_blocks(struct hq_batch *b, int64_t m, int32_t day, int windows, int64_t *seq)
{
    static const char *const reasons[] = {"休息 break", "会议 meeting", "系统故障 system"};
    static const char *const status[] = {"checked_in", "checked_in", "checked_in", "missed",
                                         "cancelled"};
    char data[160], key[40];
    for (int w = 1; w <= windows; w++)
        for (int k = 0; k < 2; k++) {
            int64_t at = m + (k ? 14 * 3600 : 10 * 3600) + (int64_t)(rnd() * 5400);
            char actor[16];
            snprintf(actor, sizeof actor, "bw%03d", w);
            snprintf(data, sizeof data, "{\"window\":%d,\"reason\":\"%s\"}", w,
                     reasons[(int)(rnd() * 3) % 3]);
            if (hq_batch_event(b, ++*seq, at, actor, "window.paused", data)) return 1;
            snprintf(data, sizeof data, "{\"window\":%d}", w);
            if (hq_batch_event(b, ++*seq, at + 180 + (int64_t)(rnd() * 1020), actor,
                               "window.resumed", data))
                return 1;
        }
    for (int i = 0; i < 20; i++) {
        int64_t at = m + 8 * 3600 + 1800 + (int64_t)(rnd() * 9 * 3600);
        bool ack = rnd() < 0.9, closed = ack && rnd() < 0.8;
        snprintf(key, sizeof key, "%08x%08x", (unsigned)day, (unsigned)i);
        char doc[400];
        snprintf(doc, sizeof doc,
                 "{\"id\":\"%s\",\"source\":\"kiosk\",\"place\":\"kiosk\",\"window\":0,"
                 "\"number\":\"\",\"service\":\"\",\"day\":%d,\"status\":\"%s\","
                 "\"requested_at\":%lld,\"acknowledged_at\":%lld,\"acknowledged_by\":\"\","
                 "\"closed_at\":%lld,\"closed_by\":\"\"}",
                 key, (int)day,
                 closed ? "closed"
                 : ack  ? "acknowledged"
                        : "open",
                 (long long)at, ack ? (long long)(at + 20 + (int64_t)(rnd() * 200)) : 0LL,
                 closed ? (long long)(at + 600) : 0LL);
        if (hq_batch_doc(b, "help", key, doc, at)) return 1;
    }
    for (int i = 0; i < 150; i++) {
        int64_t at = m + 9 * 3600 + (int64_t)(rnd() * 16) * 1800;
        snprintf(key, sizeof key, "%08x%024x", (unsigned)day, (unsigned)i);
        char doc[200];
        snprintf(doc, sizeof doc,
                 "{\"id\":\"%s\",\"service\":\"A\",\"start\":%lld,\"end\":%lld,"
                 "\"status\":\"%s\"}",
                 key, (long long)at, (long long)(at + 1800), status[(int)(rnd() * 5) % 5]);
        if (hq_batch_doc(b, "appointment", key, doc, at)) return 1;
    }
    return 0;
}

static int commit(struct hq_store *st, struct hq_batch *b)
{
    struct hq_batch *bp = b;
    struct hq_why why = {0};
    int rc = st->vt->commit(st, &bp, 1, &why);
    if (rc) fprintf(stderr, "bench_history: commit: %s\n", why.message);
    hq_batch_release(b);
    hq_batch_init(b);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_history DB [TICKETS] [DAYS] [WINDOWS]\n");
        return 2;
    }
    long long total = argc > 2 ? atoll(argv[2]) : 10000000LL;
    int days = argc > 3 ? atoi(argv[3]) : 365;
    int windows = argc > 4 ? atoi(argv[4]) : 80;
    struct hq_why why = {0};
    struct hq_store *st = hq_store_open(argv[1], &why);
    if (!st) {
        fprintf(stderr, "bench_history: %s\n", why.message);
        return 1;
    }
    struct hq_hall h;
    hq_hall_init(&h);
    int64_t seq = 0;
    if (st->vt->load(st, &h, 99999999, &seq, &why) || !h.n_services || !h.n_windows) {
        fprintf(stderr, "bench_history: not a demo hall (hallq demo --db FILE first)\n");
        return 1;
    }
    if (h.conf.timezone[0]) setenv("TZ", h.conf.timezone, 1);
    tzset();
    const struct hq_staff *clerk0 = NULL;
    for (size_t i = 0; i < h.n_staff && !clerk0; i++)
        if (h.staff[i].n_certs > 0) clerk0 = &h.staff[i];
    if (!clerk0) clerk0 = &h.staff[0];
    double t0 = now_s();
    struct hq_batch b;
    hq_batch_init(&b);
    /* windows 1..W, window w served by clerk "bw<w>" */
    for (int w = 1; w <= windows; w++) {
        struct hq_window win = h.windows[(size_t)(w - 1) % h.n_windows];
        win.number = w;
        snprintf(win.name, sizeof win.name, "%d号窗口", w);
        win.state = HQ_WIN_CLOSED;
        win.clerk[0] = win.current[0] = 0;
        win.n_active = 0;
        struct hq_staff s = *clerk0;
        snprintf(s.username, sizeof s.username, "bw%03d", w);
        snprintf(s.name, sizeof s.name, "工作人员%d", w);
        if (hq_batch_window(&b, &win) || hq_batch_staff(&b, &s)) return 1;
    }
    if (commit(st, &b)) return 1;

    int weekdays = 0;
    for (int d = 3; d < days + 3; d++) {
        int32_t day;
        int wd;
        midnight(d, &day, &wd);
        weekdays += wd >= 1 && wd <= 5;
    }
    long long per_day = weekdays ? total / weekdays : 0, n_tickets = 0, n_evals = 0, n_stages = 0;
    int64_t iseq = 1000000000;
    static const char *const why_bad[] = {"等候时间长 long wait", "态度不好 attitude",
                                          "办理慢 slow"};
    for (int d = days + 2; d >= 3; d--) {
        int32_t day;
        int wd;
        int64_t m = midnight(d, &day, &wd);
        if (wd < 1 || wd > 5) continue;
        int counter[64] = {0};
        if (other_blocks(&b, m, day, windows, &seq)) return 1;
        for (long long i = 0; i < per_day; i++) {
            struct hq_ticket t;
            memset(&t, 0, sizeof t);
            size_t si = (size_t)(rnd() * (double)h.n_services) % h.n_services;
            const struct hq_service *sv = &h.services[si];
            int w = 1 + (int)(rnd() * windows) % windows;
            snprintf(t.id, sizeof t.id, "%016llx%016llx", (unsigned long long)day,
                     (unsigned long long)++iseq);
            int nr = ++counter[si % 64];
            snprintf(t.number, sizeof t.number, "%.2s%04d", sv->code, nr % 10000);
            t.day = day;
            t.seq = nr;
            snprintf(t.service, sizeof t.service, "%s", sv->code);
            t.category = rnd() < 0.08 ? HQ_PRIORITY : HQ_NORMAL;
            t.channel = rnd() < 0.7 ? HQ_KIOSK : HQ_WEB;
            t.issued_at = t.queued_at = m + arrival();
            t.iseq = iseq;
            t.est_wait_s = -1;
            double fate = rnd();
            if (fate < 0.02) {
                t.status = HQ_CANCELLED;
            } else if (fate < 0.035) {
                t.status = HQ_EXPIRED;
            } else {
                double wait = -420.0 * log(1.0 - rnd());
                t.est_wait_s = (int32_t)(wait * (0.6 + 0.8 * rnd()));
                t.called_at = t.queued_at + (int64_t)fmin(wait, 3 * 3600.0);
                t.window = w;
                snprintf(t.clerk, sizeof t.clerk, "bw%03d", w);
                t.calls = 1;
                if (fate < 0.07) {
                    t.status = HQ_NO_SHOW;
                } else {
                    t.status = HQ_DONE;
                    t.started_at = t.called_at + 5 + (int64_t)(rnd() * 40);
                    double avg = sv->avg_service_s > 0 ? sv->avg_service_s : 300;
                    t.finished_at = t.started_at + (int64_t)(avg * (0.4 + 1.4 * rnd()));
                }
            }
            if (hq_batch_ticket(&b, &t)) return 1;
            char data[96];
            snprintf(data, sizeof data, "{\"number\":\"%s\",\"service\":\"%s\"}", t.number,
                     t.service);
            if (hq_batch_event(&b, ++seq, t.issued_at, "", "ticket.issued", data)) return 1;
            n_tickets++;
            char key[80];
            snprintf(key, sizeof key, "%s:0", t.id);
            if (t.status == HQ_DONE) {
                char doc[400];
                snprintf(doc, sizeof doc,
                         "{\"ticket\":\"%s\",\"number\":\"%s\",\"day\":%d,\"stage\":0,"
                         "\"service\":\"%s\",\"window\":%d,\"clerk\":\"%s\",\"started_at\":%lld,"
                         "\"finished_at\":%lld,\"service_s\":%lld}",
                         t.id, t.number, (int)day, t.service, (int)t.window, t.clerk,
                         (long long)t.started_at, (long long)t.finished_at,
                         (long long)(t.finished_at - t.started_at));
                if (hq_batch_doc(&b, "stage", key, doc, t.finished_at)) return 1;
                n_stages++;
            }
            bool rated = false;
            if (t.status == HQ_DONE && rnd() < 0.5) {
                rated = true;
                double u = rnd();
                int level = u < 0.02 ? 1 : u < 0.05 ? 2 : u < 0.12 ? 3 : u < 0.45 ? 4 : 5;
                char doc[512];
                snprintf(doc, sizeof doc,
                         "{\"ticket\":\"%s\",\"number\":\"%s\",\"day\":%d,\"service\":\"%s\","
                         "\"window\":%d,\"clerk\":\"%s\",\"level\":%d,\"reasons\":[%s%s%s],"
                         "\"comment\":\"\",\"created_at\":%lld,\"service_s\":%lld,"
                         "\"channel\":\"pad\"}",
                         t.id, t.number, (int)day, t.service, (int)t.window, t.clerk, level,
                         level <= 2 ? "\"" : "", level <= 2 ? why_bad[(int)(rnd() * 3) % 3] : "",
                         level <= 2 ? "\"" : "", (long long)(t.finished_at + 20),
                         (long long)(t.finished_at - t.started_at));
                if (hq_batch_doc(&b, "evaluation", key, doc, t.finished_at + 20)) return 1;
                n_evals++;
            }
            if (t.status == HQ_DONE && !rated && rnd() < 0.1) {
                char doc[200];
                snprintf(doc, sizeof doc,
                         "{\"ticket\":\"%s\",\"day\":%d,\"window\":%d,\"clerk\":\"%s\","
                         "\"level\":5,\"default\":true,\"channel\":\"default\"}",
                         t.id, (int)day, (int)t.window, t.clerk);
                if (hq_batch_doc(&b, "evaluation_default", key, doc, t.finished_at + 7 * 86400))
                    return 1;
            }
            if (b.n >= 50000 && commit(st, &b)) return 1;
        }
    }
    if (b.n && commit(st, &b)) return 1;
    hq_batch_release(&b);
    hq_hall_release(&h);
    hq_store_close(st);
    printf("history_tickets %lld\nhistory_evaluations %lld\nhistory_stages %lld\n"
           "history_seconds %.1f\n",
           n_tickets, n_evals, n_stages, now_s() - t0);
    return 0;
}
