/* SPDX-License-Identifier: MIT */
/*
 * fuzz_time.c — libFuzzer target for the API's time and date parsers (src/app/json_in.c):
 * hq__parse_time (RFC 3339, "2026-11-27T09:00:00+08:00" or …Z, optional fraction) and
 * hq__parse_date ("YYYY-MM-DD"). The input, cut at its first NUL, is one string. Besides "no
 * crash, no UB", it checks round trips: a parsed time printed back as UTC (gmtime_r) parses to the
 * same second, and a parsed date prints back (hq__format_date) to exactly the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app_int.h"

static void check_time(const char *s)
{
    int64_t t = 0;
    if (hq__parse_time(s, &t) != 0) return;
    /* Accepted: years 1970..9999 with an offset up to ±23:59, so t lies within a day of that. */
    if (t < -86400 || t > 253402300799LL + 86400) {
        fprintf(stderr, "parse_time('%s') = %lld: out of the accepted range\n", s, (long long)t);
        abort();
    }
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) abort();
    if (tm.tm_year + 1900 < 1970 || tm.tm_year + 1900 > 9999)
        return; /* the offset moved it outside the printable range: nothing to round-trip */
    char buf[40];
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    int64_t back = 0;
    if (hq__parse_time(buf, &back) != 0 || back != t) {
        fprintf(stderr, "round trip: '%s' -> %lld -> '%s' -> %lld\n", s, (long long)t, buf,
                (long long)back);
        abort();
    }
    /* The same instant with an explicit offset parses to the same second. */
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d+00:00", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (hq__parse_time(buf, &back) != 0 || back != t) {
        fprintf(stderr, "offset round trip: '%s' -> %lld -> '%s'\n", s, (long long)t, buf);
        abort();
    }
}

static void check_date(const char *s)
{
    int32_t day = 0;
    if (hq__parse_date(s, &day) != 0) return;
    char buf[32];
    hq__format_date(day, buf, sizeof buf);
    if (strcmp(buf, s) != 0) {
        fprintf(stderr, "date round trip: '%s' -> %d -> '%s'\n", s, (int)day, buf);
        abort();
    }
    int32_t back = 0;
    if (hq__parse_date(buf, &back) != 0 || back != day) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    check_time(s);
    check_date(s);
    /* A date is a prefix of a time: also try the first ten bytes alone. */
    if (size > 10) {
        s[10] = '\0';
        check_date(s);
    }
    free(s);
    return 0;
}
