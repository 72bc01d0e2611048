/* SPDX-License-Identifier: MIT */
/*
 * hours.c — opening hours: per weekday one or more ranges [open, close) of local minutes (a lunch
 * break is two ranges), or none (closed), or no hours at all (always open). Whether the hall is
 * open at a moment, when it opens next (for the refusal that says so), the first opening and last
 * closing of a day (the plan's day, the day-end expiry). Pure functions of struct hq_hours.
 */
#include <string.h>

#include "hq_core.h"

void hq_hours_clear(struct hq_hours *h, bool has_hours)
{
    memset(h, 0, sizeof *h);
    h->has_hours = has_hours;
    for (int d = 0; d < 7; d++)
        for (int r = 0; r < HQ_HOURS_RANGES; r++)
            h->open[d][r] = h->close[d][r] = -1;
}

int hq_hours_add(struct hq_hours *h, int d, int open, int close)
{
    if (d < 0 || d > 6 || open < 0 || close > 1440 || open >= close) return -1;
    int n = h->n[d];
    if (n < 0 || n >= HQ_HOURS_RANGES) return -1;
    if (n > 0 && open <= h->close[d][n - 1]) return -1; /* ascending, not touching */
    h->open[d][n] = (int16_t)open;
    h->close[d][n] = (int16_t)close;
    h->n[d] = (int8_t)(n + 1);
    return 0;
}

bool hq_hours_is_open(const struct hq_hours *h, const struct hq_now *now)
{
    if (!h || !h->has_hours) return true;
    int d = now->weekday;
    if (d < 0 || d > 6) return false;
    for (int r = 0; r < h->n[d] && r < HQ_HOURS_RANGES; r++)
        if (now->minute >= h->open[d][r] && now->minute < h->close[d][r]) return true;
    return false;
}

int hq_hours_check(const struct hq_hours *h, const char *field, struct hq_why *why)
{
    if (!h->has_hours) return 0;
    for (int d = 0; d < 7; d++) {
        if (h->n[d] < 0 || h->n[d] > HQ_HOURS_RANGES)
            return hq_fail(why, HQ_EINVAL, field, "%s: weekday %d: %d ranges, at most %d", field, d,
                           (int)h->n[d], HQ_HOURS_RANGES);
        for (int r = 0; r < h->n[d]; r++) {
            int o = h->open[d][r], c = h->close[d][r];
            if (o < 0 || c > 1440 || o >= c || (r > 0 && o <= h->close[d][r - 1]))
                return hq_fail(why, HQ_EINVAL, field,
                               "%s: weekday %d: range %d (%d-%d minutes) is not within 0..1440, "
                               "opening before closing, after the range before it",
                               field, d, r + 1, o, c);
        }
    }
    return 0;
}

int hq_hours_last_close(const struct hq_hours *h, int d)
{
    if (d < 0 || d > 6 || h->n[d] <= 0) return -1;
    return h->close[d][h->n[d] - 1];
}

int hq_hours_first_open(const struct hq_hours *h, int d)
{
    if (d < 0 || d > 6 || h->n[d] <= 0) return -1;
    return h->open[d][0];
}

int32_t hq_hours_next_open(const struct hq_hours *h, const struct hq_now *now, int *weekday,
                           int *minute)
{
    if (weekday) *weekday = now->weekday;
    if (minute) *minute = now->minute;
    if (hq_hours_is_open(h, now)) return 0;
    if (now->weekday < 0 || now->weekday > 6) return -1;
    for (int k = 0; k <= 7; k++) {
        int d = (now->weekday + k) % 7;
        for (int r = 0; r < h->n[d] && r < HQ_HOURS_RANGES; r++) {
            int o = h->open[d][r];
            if (k == 0 && o <= now->minute) continue;
            if (weekday) *weekday = d;
            if (minute) *minute = o;
            return (int32_t)(k * 1440 + o - now->minute);
        }
    }
    return -1;
}
