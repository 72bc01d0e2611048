/* SPDX-License-Identifier: MIT */
/*
 * local_time.c — localtime_r through a small memo, per thread, of the hours last converted.
 *
 * Why: glibc's localtime_r takes a process-wide lock and walks the zone's rules on every call; an
 * answer with a ticket writes three to five times (issue, call, estimated call), and that was 4 %
 * of a window action's work (callgrind, issue 12). Within one UTC hour, local time is UTC plus a
 * constant unless a zone change or a leap second falls inside it, so an hour is memoised only when
 * its first and last second convert to the same offset and 3,599 local seconds apart; a time in it
 * is then the first second's local time plus the seconds since. The memo is keyed by the TZ
 * variable's text as well: every place that changes the zone sets TZ and calls tzset() (hallq sets
 * it from the hall's settings when a store is opened).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hq_local_time.h"

#define SLOTS 8 /* direct-mapped by hour: an answer's times (estimates too) span a few hours */
#define FAR ((int64_t)1 << 50) /* beyond any year localtime_r gives; no overflow below */

struct slot {
    bool ok;
    int64_t hour;        /* floor(t / 3600): the UTC hour this slot converts */
    struct tm first;     /* the local time of hour * 3600 */
    struct tm last;      /* the local time of hour * 3600 + 3599 */
    int32_t first_tod_s; /* first's time of day in seconds */
};

struct memo {
    char tz[64]; /* the TZ text the slots were made under ("" for unset) */
    struct slot slot[SLOTS];
};

static _Thread_local struct memo memo;

static int32_t tod(const struct tm *t)
{
    return t->tm_hour * 3600 + t->tm_min * 60 + t->tm_sec;
}

/* One offset all through the hour, and its local seconds run on one by one: no zone change and no
 * leap second inside (two changes that cancel out within an hour: never in the zone database). */
static bool steady(const struct tm *first, const struct tm *last)
{
    if (first->tm_gmtoff != last->tm_gmtoff || first->tm_isdst != last->tm_isdst) return false;
    int32_t span = tod(last) - tod(first);
    if (last->tm_mday != first->tm_mday) span += 86400;
    return span == 3599;
}

bool hq_local_time(int64_t t, struct tm *out)
{
    const char *tz = getenv("TZ");
    if (!tz) tz = "";
    size_t tz_len = strlen(tz);
    if (tz_len >= sizeof memo.tz || t < -FAR || t > FAR) { /* not memoised */
        time_t tt = (time_t)t;
        return localtime_r(&tt, out) != NULL;
    }
    if (strcmp(memo.tz, tz) != 0) {
        memset(&memo, 0, sizeof memo);
        memcpy(memo.tz, tz, tz_len + 1);
    }
    int64_t hour = t / 3600 - (t % 3600 < 0); /* floor */
    struct slot *s = &memo.slot[(uint64_t)hour % SLOTS];
    if (!s->ok || s->hour != hour) {
        time_t t0 = (time_t)(hour * 3600), t1 = t0 + 3599;
        s->ok = localtime_r(&t0, &s->first) && localtime_r(&t1, &s->last) &&
                steady(&s->first, &s->last);
        if (!s->ok) {
            time_t tt = (time_t)t;
            return localtime_r(&tt, out) != NULL;
        }
        s->hour = hour;
        s->first_tod_s = tod(&s->first);
    }
    int32_t x = s->first_tod_s + (int32_t)(t - hour * 3600); /* < 86400 + 3600 */
    if (x < 86400) {
        *out = s->first;
    } else { /* past local midnight: last's date */
        *out = s->last;
        x -= 86400;
    }
    out->tm_hour = x / 3600;
    out->tm_min = x / 60 % 60;
    out->tm_sec = x % 60;
    return true;
}
