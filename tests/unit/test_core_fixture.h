/* SPDX-License-Identifier: MIT */
/*
 * test_core_fixture.h — helpers shared by the core's unit tests (tests/unit/test_core_*.c): a
 * fake clock that turns a calendar time into struct hq_now (the hall's zone is UTC here), and
 * one-line builders for services, windows, staff and tickets. Header-only, static functions.
 */
#ifndef TEST_CORE_FIXTURE_H
#define TEST_CORE_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/hq_core.h"

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static inline int64_t fx_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* struct hq_now for unix time t, the hall's zone being UTC. */
static inline struct hq_now fx_now_t(int64_t t)
{
    struct hq_now n;
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    n.t = t;
    n.day = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    n.minute = tm.tm_hour * 60 + tm.tm_min;
    n.weekday = tm.tm_wday;
    return n;
}

static inline struct hq_now fx_now(int y, int mo, int d, int hh, int mm)
{
    return fx_now_t(fx_days_from_civil(y, mo, d) * 86400 + hh * 3600 + mm * 60);
}

static inline void fx_service(struct hq_hall *h, const char *code, int32_t avg, int32_t quota)
{
    struct hq_service s;
    memset(&s, 0, sizeof s);
    snprintf(s.code, sizeof s.code, "%s", code);
    snprintf(s.name, sizeof s.name, "Service %s", code);
    s.avg_service_s = avg;
    s.daily_quota = quota;
    s.enabled = true;
    struct hq_why why;
    assert_int_equal(hq_service_add(h, &s, &why), 0);
}

/* services: a comma-free list of codes separated by spaces, e.g. "A B". */
static inline void fx_window(struct hq_hall *h, int32_t number, const char *services)
{
    struct hq_window w;
    memset(&w, 0, sizeof w);
    w.number = number;
    snprintf(w.name, sizeof w.name, "Window %d", (int)number);
    char buf[128];
    snprintf(buf, sizeof buf, "%s", services);
    for (char *p = buf; *p;) {
        while (*p == ' ')
            p++;
        if (!*p) break;
        char *e = p;
        while (*e && *e != ' ')
            e++;
        char c = *e;
        *e = '\0';
        snprintf(w.services[w.n_services++], HQ_CODE_MAX, "%.2s", p);
        *e = c;
        p = e;
    }
    struct hq_why why;
    assert_int_equal(hq_window_add(h, &w, &why), 0);
}

/* certs: codes separated by spaces, all expiring on expires. */
static inline void fx_staff(struct hq_hall *h, const char *user, enum hq_role role,
                            const char *certs, int32_t expires)
{
    struct hq_staff s;
    memset(&s, 0, sizeof s);
    snprintf(s.username, sizeof s.username, "%s", user);
    snprintf(s.name, sizeof s.name, "Staff %s", user);
    s.role = role;
    s.active = true;
    for (const char *p = certs; *p;) {
        while (*p == ' ')
            p++;
        if (!*p) break;
        int n = 0;
        while (p[n] && p[n] != ' ')
            n++;
        snprintf(s.certs[s.n_certs].service, HQ_CODE_MAX, "%.*s", n, p);
        s.certs[s.n_certs++].expires_on = expires;
        p += n;
    }
    struct hq_why why;
    assert_int_equal(hq_staff_add(h, &s, &why), 0);
}

static int fx_id_counter;

/* Issue a ticket; asserts success and returns a copy of its id in a static ring of buffers. */
static inline struct hq_ticket *fx_issue_cat(struct hq_hall *h, const struct hq_now *now,
                                             const char *service, enum hq_category cat)
{
    char id[HQ_ID_LEN + 1];
    snprintf(id, sizeof id, "id%08d", ++fx_id_counter);
    struct hq_issue in;
    memset(&in, 0, sizeof in);
    in.service = service;
    in.category = cat;
    in.channel = HQ_KIOSK;
    if (cat == HQ_APPOINTMENT) in.appointment_at = now->t;
    struct hq_ticket *t = NULL;
    struct hq_why why;
    int rc = hq_ticket_issue(h, now, id, &in, &t, &why);
    if (rc) fprintf(stderr, "issue %s: %s\n", service, why.message);
    assert_int_equal(rc, 0);
    assert_non_null(t);
    return t;
}

static inline struct hq_ticket *fx_issue(struct hq_hall *h, const struct hq_now *now,
                                         const char *service)
{
    return fx_issue_cat(h, now, service, HQ_NORMAL);
}

/* Open window n for user (asserts success). */
static inline struct hq_window *fx_open(struct hq_hall *h, const struct hq_now *now, int32_t n,
                                        const char *user)
{
    struct hq_window *w = hq_window_find(h, n);
    assert_non_null(w);
    struct hq_why why;
    int rc = hq_window_open(h, now, w, hq_staff_find(h, user), &why);
    if (rc) fprintf(stderr, "open %d: %s\n", (int)n, why.message);
    assert_int_equal(rc, 0);
    return w;
}

/* Ids survive the reallocation of the ticket array; pointers do not. A ring of copies. */
static inline const char *fx_keep(const struct hq_ticket *t)
{
    static char ring[256][HQ_ID_LEN + 1];
    static int next;
    char *d = ring[next++ % 256];
    snprintf(d, HQ_ID_LEN + 1, "%s", t->id);
    return d;
}

static inline struct hq_now fx_after(const struct hq_now *n, int64_t seconds)
{
    return fx_now_t(n->t + seconds);
}

#endif
