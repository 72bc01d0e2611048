/* SPDX-License-Identifier: MIT */
/*
 * local_time.c — localtime_r through a small memo, per thread, of the minutes last converted.
 *
 * Why: glibc's localtime_r takes a process-wide lock and walks the zone's rules on every call; an
 * answer with a ticket writes three to five times, and that was 4 % of a window action's work
 * (callgrind, issue 12). Within one minute, local time is UTC plus a constant unless a zone
 * transition or a leap second falls inside it, so a minute is memoised only when its first and
 * last second convert to the same offset, the same local minute, second 0 and second 59. The memo
 * is keyed by the TZ variable's text as well: every place that changes the zone sets TZ and calls
 * tzset() (hallq sets it from the hall's settings when a store is opened).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hq_local_time.h"

#define SLOTS 8                /* direct-mapped by minute: an answer's times span a few minutes */
#define FAR ((int64_t)1 << 50) /* beyond any year localtime_r gives; no overflow below */

struct slot {
    bool ok;
    int64_t minute;  /* floor(t / 60) */
    struct tm start; /* the local time of minute * 60 */
};

struct memo {
    char tz[64]; /* the TZ text the slots were made under ("" for unset) */
    struct slot slot[SLOTS];
};

static _Thread_local struct memo memo;

static bool same_minute(const struct tm *a, const struct tm *b)
{
    return a->tm_gmtoff == b->tm_gmtoff && a->tm_isdst == b->tm_isdst && a->tm_min == b->tm_min &&
           a->tm_hour == b->tm_hour && a->tm_mday == b->tm_mday && a->tm_mon == b->tm_mon &&
           a->tm_year == b->tm_year;
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
    int64_t minute = t / 60 - (t % 60 < 0); /* floor */
    int sec = (int)(t - minute * 60);
    struct slot *s = &memo.slot[(uint64_t)minute % SLOTS];
    if (s->ok && s->minute == minute) {
        *out = s->start;
        out->tm_sec = sec;
        return true;
    }
    struct tm first, last;
    time_t t0 = (time_t)(minute * 60), t1 = t0 + 59;
    s->ok = localtime_r(&t0, &first) && localtime_r(&t1, &last) && first.tm_sec == 0 &&
            last.tm_sec == 59 && same_minute(&first, &last);
    if (s->ok) {
        s->minute = minute;
        s->start = first;
        *out = first;
        out->tm_sec = sec;
        return true;
    }
    time_t tt = (time_t)t;
    return localtime_r(&tt, out) != NULL;
}
