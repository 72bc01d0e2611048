/* SPDX-License-Identifier: MIT */
/*
 * test_local_time.c — hq_local_time gives exactly what localtime_r gives (every field, the zone's
 * name too) in zones with daylight saving (New York, London, Sao Paulo of 2018), a half-hour
 * change (Lord Howe), offsets of whole, half and three-quarter hours without changes (Shanghai,
 * Kolkata, Kathmandu), an old offset that is not whole minutes (Shanghai's local mean time before
 * 1901, +08:05:43), leap seconds (right/UTC) and a change 30 s into a minute (a POSIX rule): every
 * second around each change, random times over 68 years and over the days around a change; and
 * after TZ changes, the new zone's answer, not the memo of the old one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/hq_local_time.h"

static void use_zone(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

static void same_at(int64_t t)
{
    struct tm want, got;
    time_t tt = (time_t)t;
    assert_non_null(localtime_r(&tt, &want));
    memset(&got, 0x5a, sizeof got);
    assert_true(hq_local_time(t, &got));
    if (want.tm_sec != got.tm_sec || want.tm_min != got.tm_min || want.tm_hour != got.tm_hour ||
        want.tm_mday != got.tm_mday || want.tm_mon != got.tm_mon || want.tm_year != got.tm_year ||
        want.tm_wday != got.tm_wday || want.tm_yday != got.tm_yday ||
        want.tm_isdst != got.tm_isdst || want.tm_gmtoff != got.tm_gmtoff ||
        strcmp(want.tm_zone, got.tm_zone) != 0)
        fail_msg("TZ=%s t=%lld: want %04d-%02d-%02d %02d:%02d:%02d %+ld %s, got %04d-%02d-%02d "
                 "%02d:%02d:%02d %+ld %s",
                 getenv("TZ"), (long long)t, want.tm_year + 1900, want.tm_mon + 1, want.tm_mday,
                 want.tm_hour, want.tm_min, want.tm_sec, want.tm_gmtoff, want.tm_zone,
                 got.tm_year + 1900, got.tm_mon + 1, got.tm_mday, got.tm_hour, got.tm_min,
                 got.tm_sec, got.tm_gmtoff, got.tm_zone);
}

/* Every second from t - span to t + span, twice: the second pass answers from the memo. */
static void around(int64_t t, int span)
{
    for (int pass = 0; pass < 2; pass++)
        for (int64_t x = t - span; x <= t + span; x++)
            same_at(x);
}

static void test_zones(void **state)
{
    (void)state;
    struct {
        const char *tz;
        int64_t changes[4];
    } zones[] = {
        {"America/New_York", {1741503600, 1762063200, 0, 0}},    /* 2025-03-09, 2025-11-02 */
        {"Europe/London", {1743296400, 1761440400, 0, 0}},       /* 2025-03-30, 2025-10-26 */
        {"America/Sao_Paulo", {1541300400, 1550368800, 0, 0}},   /* 2018-11-04, 2019-02-17 */
        {"Australia/Lord_Howe", {1743865200, 1759588200, 0, 0}}, /* 2025-04-06, 2025-10-05 */
        {"Asia/Shanghai", {1741570000, 0, 0, 0}},
        {"Asia/Shanghai", {-2177481943, -2177481600, 0, 0}}, /* LMT +08:05:43 until 1901 */
        {"Asia/Kolkata", {1741570000, 0, 0, 0}},       /* +05:30: local hours start mid-hour */
        {"Asia/Kathmandu", {1741570000, 0, 0, 0}},     /* +05:45 */
        {"right/UTC", {1483228826, 1435708825, 0, 0}}, /* leap seconds 2016, 2015 */
        /* changes 30 s into a minute (POSIX rules; 2025-03-09, 2025-11-02) */
        {"AAA0BBB,M3.2.0/2:00:30,M11.1.0/2:00:30", {1741485630, 1762045230, 0, 0}},
    };
    srand(12);
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zones[i].tz);
        if (!strchr(zones[i].tz, ','))
            assert_int_equal(access(path, R_OK), 0); /* tzdata: scripts/setup.sh */
        use_zone(zones[i].tz);
        for (int k = 0; k < 4 && zones[i].changes[k]; k++)
            around(zones[i].changes[k], 3 * 3600);
        for (int k = 0; k < 20000; k++) { /* 1970 … 2038, and again from the memo */
            int64_t t = (int64_t)((unsigned)rand() % 2147483647u);
            same_at(t);
            same_at(t + 1);
        }
        for (int k = 0; k < 20000; k++) /* a few days around the first change: memo hits */
            same_at(zones[i].changes[0] + (int64_t)((unsigned)rand() % (4 * 86400)) - 2 * 86400);
        same_at(0);
        same_at(-1);
        same_at(-61);
    }
    use_zone("Asia/Shanghai");
}

/* A memo made under one zone is not used under another. */
static void test_zone_change(void **state)
{
    (void)state;
    struct tm tm;
    use_zone("Asia/Shanghai");
    assert_true(hq_local_time(1741570000, &tm));
    assert_int_equal(tm.tm_gmtoff, 8 * 3600);
    use_zone("Europe/London");
    assert_true(hq_local_time(1741570000, &tm));
    assert_int_equal(tm.tm_gmtoff, 0);
    use_zone("UTC");
    same_at(1741570000);
    unsetenv("TZ");
    tzset();
    same_at(1741570000);
    use_zone("Asia/Shanghai");
    assert_true(hq_local_time(1741570000, &tm));
    assert_int_equal(tm.tm_gmtoff, 8 * 3600);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zones),
        cmocka_unit_test(test_zone_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
