/* SPDX-License-Identifier: MIT */
/*
 * calendar.c — days and the working-day calendar: date arithmetic on yyyymmdd (days from the civil
 * date, H. Hinnant's algorithm), the holidays (days without service, whatever the hours say) and
 * the make-up working days (调休: a Saturday or Sunday served with Monday's hours), whether a day
 * is a working day and a deadline counted in working days. Pure; the lists come from the caller.
 */
#include <stdio.h>
#include <string.h>

#include "hq_booking.h"

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int32_t civil_from_days(int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    return (int32_t)(y * 10000 + m * 100 + d);
}

bool hq_day_valid(int32_t day)
{
    int y = day / 10000, m = day / 100 % 100, d = day % 100;
    if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int max = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    return d <= max;
}

static int64_t serial(int32_t day)
{
    return days_from_civil(day / 10000, day / 100 % 100, day % 100);
}

int hq_day_weekday(int32_t day)
{
    int64_t z = serial(day); /* 1970-01-01 was a Thursday */
    return (int)(((z % 7) + 11) % 7);
}

int32_t hq_day_plus(int32_t day, int n)
{
    return civil_from_days(serial(day) + n);
}

int32_t hq_day_week_start(int32_t day)
{
    return hq_day_plus(day, -((hq_day_weekday(day) + 6) % 7));
}

int32_t hq_day_diff(int32_t a, int32_t b)
{
    return (int32_t)(serial(a) - serial(b));
}

void hq_calendar_init(struct hq_calendar *c)
{
    memset(c, 0, sizeof *c);
}

static bool has(const int32_t *v, int n, int32_t day)
{
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (v[mid] == day) return true;
        if (v[mid] < day)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return false;
}

int hq_calendar_add(struct hq_calendar *c, bool workday, int32_t day)
{
    int32_t *v = workday ? c->workdays : c->holidays;
    int *n = workday ? &c->n_workdays : &c->n_holidays;
    if (!hq_day_valid(day)) return -1;
    if (has(v, *n, day)) return 0;
    if (*n >= 2 * HQ_CAL_MAX) return -1;
    int i = *n;
    while (i > 0 && v[i - 1] > day) {
        v[i] = v[i - 1];
        i--;
    }
    v[i] = day;
    (*n)++;
    return 0;
}

int hq_calendar_check(const struct hq_calendar *c, int32_t year, struct hq_why *why)
{
    if (c->n_holidays > HQ_CAL_MAX || c->n_workdays > HQ_CAL_MAX)
        return hq_fail(why, HQ_EINVAL, "holidays", "holidays: at most %d days a year", HQ_CAL_MAX);
    for (int i = 0; i < c->n_holidays; i++)
        if (c->holidays[i] / 10000 != year)
            return hq_fail(why, HQ_EINVAL, "holidays", "holidays: %d is not in %d",
                           (int)c->holidays[i], (int)year);
    for (int i = 0; i < c->n_workdays; i++) {
        int32_t d = c->workdays[i];
        if (d / 10000 != year)
            return hq_fail(why, HQ_EINVAL, "workdays", "workdays: %d is not in %d", (int)d,
                           (int)year);
        int wd = hq_day_weekday(d);
        if (wd != 0 && wd != 6)
            return hq_fail(why, HQ_EINVAL, "workdays",
                           "workdays: %d is not a Saturday or Sunday (a make-up working day falls "
                           "on a weekend)",
                           (int)d);
        if (has(c->holidays, c->n_holidays, d))
            return hq_fail(why, HQ_EINVAL, "workdays", "workdays: %d is also a holiday", (int)d);
    }
    return 0;
}

int hq_calendar_hours_weekday(const struct hq_calendar *c, int32_t day)
{
    if (c && has(c->holidays, c->n_holidays, day)) return -1;
    if (c && has(c->workdays, c->n_workdays, day)) return 1;
    return hq_day_weekday(day);
}

bool hq_calendar_is_workday(const struct hq_calendar *c, int32_t day)
{
    int wd = hq_calendar_hours_weekday(c, day);
    return wd >= 1 && wd <= 5;
}

int32_t hq_calendar_add_workdays(const struct hq_calendar *c, int32_t day, int n)
{
    int32_t d = day;
    for (int k = 0; n > 0 && k < 3 * 366; k++) {
        d = hq_day_plus(d, 1);
        if (hq_calendar_is_workday(c, d)) n--;
    }
    return n > 0 ? hq_day_plus(day, n) : d;
}
