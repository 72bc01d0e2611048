/* SPDX-License-Identifier: MIT */
/*
 * bench_core.c — how long the core's scans over the tickets in memory take: a ticket's position
 * and estimated wait (hq_ticket_estimate, in every answer that shows a waiting ticket), the next
 * ticket of a window (call-next's pick: the scan hq__policy_pick_scan and the order index's
 * hq__policy_pick_day) and the waiting count (hq_count_waiting). A scan is one pass over every
 * ticket of the hall, so its cost grows with the tickets in memory; this prints microseconds per
 * call and nanoseconds per ticket for halls of 1,000 to 40,000 tickets in two shapes: all waiting
 * for one service (what `make bench`'s issue run builds up) and a day's mix (four services, three
 * in four tickets already done). Issuing goes through hq_ticket_issue; the mix is made by setting
 * statuses directly (then hq_hall_reindex), which is fine for timing and nothing else.
 *
 * The second table is the cost of one issue as the server answers it: hq_ticket_issue, the new
 * ticket's position and estimate (hq_ticket_estimate) and the service's waiting count, on a hall
 * with 1,000 to 40,000 tickets already waiting, "before" with the order index switched off (the
 * scans, as the core did before src/core/order.c) and "after" with it, in the same run. Timings
 * go to stdout; no test depends on them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hq_core.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static const char *const codes[] = {"A", "B", "C", "D"};

static struct hq_now at(int64_t t)
{
    /* 2026-01-05 (a Monday) in UTC, t seconds after midnight; one day only */
    struct hq_now n = {.t = 1767571200 + t, .day = 20260105, .weekday = 1};
    n.minute = (int32_t)(t / 60);
    return n;
}

static int build(struct hq_hall *h, int n, bool mixed)
{
    struct hq_why why;
    hq_hall_init(h);
    for (int s = 0; s < 4; s++) {
        struct hq_service sv;
        memset(&sv, 0, sizeof sv);
        snprintf(sv.code, sizeof sv.code, "%s", codes[s]);
        snprintf(sv.name, sizeof sv.name, "Service %s", codes[s]);
        sv.avg_service_s = 300;
        sv.enabled = true;
        if (hq_service_add(h, &sv, &why)) goto fail;
    }
    struct hq_staff st;
    memset(&st, 0, sizeof st);
    snprintf(st.username, sizeof st.username, "clerk");
    snprintf(st.name, sizeof st.name, "clerk");
    st.role = HQ_ROLE_CLERK;
    st.active = true;
    for (int s = 0; s < 4; s++) {
        snprintf(st.certs[s].service, HQ_CODE_MAX, "%s", codes[s]);
        st.certs[s].expires_on = 20991231;
    }
    st.n_certs = 4;
    if (hq_staff_add(h, &st, &why)) goto fail;
    struct hq_window w;
    memset(&w, 0, sizeof w);
    w.number = 1;
    snprintf(w.name, sizeof w.name, "1");
    for (int s = 0; s < 4; s++)
        snprintf(w.services[s], HQ_CODE_MAX, "%s", codes[(s + 1) % 4]);
    w.n_services = 4;
    if (hq_window_add(h, &w, &why)) goto fail;
    struct hq_now t0 = at(1);
    if (hq_window_open(h, &t0, hq_window_find(h, 1), hq_staff_find(h, "clerk"), &why)) goto fail;
    for (int i = 0; i < n; i++) {
        char id[HQ_ID_LEN + 1];
        snprintf(id, sizeof id, "%032x", i + 1);
        struct hq_issue in = {.service = mixed ? codes[i % 4] : "A",
                              .category = i % 20 == 0 ? HQ_PRIORITY : HQ_NORMAL,
                              .channel = HQ_KIOSK};
        struct hq_now t = at(1 + i / 2); /* two a second */
        struct hq_ticket *tk;
        if (hq_ticket_issue(h, &t, id, &in, &tk, &why)) goto fail;
    }
    if (mixed)
        for (int i = 0; i < n * 3 / 4; i++)
            h->tickets[i].status = HQ_DONE;
    hq_hall_reindex(h);
    return 0;
fail:
    fprintf(stderr, "bench_core: %s\n", why.message);
    return 1;
}

static void run(int n, bool mixed)
{
    struct hq_hall h;
    if (build(&h, n, mixed)) exit(1);
    struct hq_now now = at(1 + n / 2 + 60);
    const struct hq_ticket *last = &h.tickets[h.n_tickets - 1];
    const struct hq_window *w = hq_window_find(&h, 1);
    int reps = 2000000 / n + 5;
    struct hq_estimate e = {0};
    long sink = 0;
    hq_ticket_estimate(&h, &now, last, &e); /* builds the order index once, outside the timing */

    double t = now_ns();
    for (int r = 0; r < reps; r++) {
        hq_ticket_estimate(&h, &now, last, &e);
        sink += e.position;
    }
    double est = (now_ns() - t) / reps;
    t = now_ns();
    for (int r = 0; r < reps; r++)
        sink += hq__policy_pick_scan(&h, w, now.t, INT32_MIN) != NULL;
    double pick = (now_ns() - t) / reps;
    t = now_ns();
    for (int r = 0; r < reps; r++)
        sink += hq__policy_pick_day(&h, w, now.t, INT32_MIN) != NULL;
    double ipick = (now_ns() - t) / reps;
    t = now_ns();
    for (int r = 0; r < reps; r++)
        sink += hq_count_waiting(&h, last->service);
    double cnt = (now_ns() - t) / reps;
    printf("| %s | %d | %d | %.1f | %.2f | %.1f | %.2f | %.2f | %.1f | %.2f |\n",
           mixed ? "4 services, 3/4 done" : "all waiting, one service", n, e.position, est / 1e3,
           est / n, pick / 1e3, pick / n, ipick / 1e3, cnt / 1e3, cnt / n);
    if (sink == 42) puts(""); /* keep the loops */
    hq_hall_release(&h);
}

/* Microseconds per issue (issue + the new ticket's estimate + the waiting count) for `more`
 * issues on top of n waiting tickets of service A; index on or off. */
static double issue_cost(int n, int more, bool index)
{
    struct hq_hall h;
    if (build(&h, n, false)) exit(1);
    hq__order_use(&h, index);
    struct hq_why why;
    struct hq_estimate e = {0};
    long sink = hq_count_waiting(&h, "A"); /* builds the index (after), outside the timing */
    double t0 = now_ns();
    for (int i = 0; i < more; i++) {
        char id[HQ_ID_LEN + 1];
        snprintf(id, sizeof id, "%032x", n + i + 1);
        struct hq_issue in = {
            .service = "A", .category = i % 20 == 0 ? HQ_PRIORITY : HQ_NORMAL, .channel = HQ_KIOSK};
        struct hq_now t = at(1 + (n + i) / 2);
        struct hq_ticket *tk;
        if (hq_ticket_issue(&h, &t, id, &in, &tk, &why)) {
            fprintf(stderr, "bench_core: %s\n", why.message);
            exit(1);
        }
        hq_ticket_estimate(&h, &t, tk, &e);
        sink += e.position + hq_count_waiting(&h, "A");
    }
    double us = (now_ns() - t0) / more / 1e3;
    if (sink == 42) puts("");
    hq_hall_release(&h);
    return us;
}

int main(void)
{
    printf("core: microseconds per call (us) and nanoseconds per ticket in memory (ns/t); the "
           "estimate "
           "and the count\ncome from the order index (src/core/order.c); call-next's pick both "
           "ways: the scan (hq_policy_pick)\nand the index (hq__policy_pick_day, what call-next "
           "uses)\n\n");
    printf("| hall | tickets | position of the last | estimate us | ns/t | pick scan us | ns/t | "
           "pick index us | count us | ns/t |\n|---|---|---|---|---|---|---|---|---|---|\n");
    const int sizes[] = {1000, 10000, 40000};
    for (int m = 0; m < 2; m++)
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
            run(sizes[i], m == 1);

    printf("\nissue cost: microseconds per issue (hq_ticket_issue + the new ticket's estimate + "
           "the waiting count),\n500 issues on top of the tickets already waiting for the "
           "service, best of 3; before = scans (index off), after = order index\n\n");
    printf("| waiting | before us | after us | before / after |\n|---|---|---|---|\n");
    const int waiting[] = {1000, 10000, 40000};
    double first_before = 0, first_after = 0, before = 0, after = 0;
    for (size_t i = 0; i < sizeof waiting / sizeof waiting[0]; i++) {
        /* best of three: other work shares the machine */
        before = after = 1e30;
        for (int r = 0; r < 3; r++) {
            double b = issue_cost(waiting[i], 500, false), a = issue_cost(waiting[i], 500, true);
            before = b < before ? b : before;
            after = a < after ? a : after;
        }
        if (i == 0) {
            first_before = before;
            first_after = after;
        }
        printf("| %d | %.2f | %.2f | %.1fx |\n", waiting[i], before, after, before / after);
    }
    printf("\n40k / 1k waiting: before %.1fx the cost, after %.2fx\n", before / first_before,
           after / first_after);
    return 0;
}
