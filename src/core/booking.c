/* SPDX-License-Identifier: MIT */
/*
 * booking.c — the rules of appointments (预约): the slots of a day from the service's and the
 * hall's hours (their intersection; a lunch break between two ranges makes no slot, a holiday of
 * the calendar none at all), a slot's capacity from the windows and the average service time or
 * as configured, the share kept for walk-ins, the limits per phone and ID number per day and per
 * week, the check-in window, missed bookings and the booking code. Pure (docs/APPOINTMENTS.md).
 */
#include <ctype.h>
#include <string.h>

#include "hq_booking.h"

/* The ranges of one weekday; an hours without ranges (has_hours false) is the whole day. */
static int day_ranges(const struct hq_hours *h, int wd, int16_t *open, int16_t *close)
{
    if (!h || !h->has_hours) {
        open[0] = 0;
        close[0] = 1440;
        return 1;
    }
    int n = h->n[wd] < 0 ? 0 : h->n[wd] > HQ_HOURS_RANGES ? HQ_HOURS_RANGES : h->n[wd];
    for (int r = 0; r < n; r++) {
        open[r] = h->open[wd][r];
        close[r] = h->close[wd][r];
    }
    return n;
}

int hq_booking_ranges(const struct hq_hours *svc, const struct hq_hours *hall, int wd,
                      int16_t *open, int16_t *close)
{
    if (wd < 0 || wd > 6) return 0;
    if ((!svc || !svc->has_hours) && (!hall || !hall->has_hours)) return 0;
    int16_t ao[HQ_HOURS_RANGES], ac[HQ_HOURS_RANGES], bo[HQ_HOURS_RANGES], bc[HQ_HOURS_RANGES];
    int na = day_ranges(svc, wd, ao, ac), nb = day_ranges(hall, wd, bo, bc), n = 0;
    for (int i = 0; i < na; i++)
        for (int j = 0; j < nb; j++) {
            int16_t o = ao[i] > bo[j] ? ao[i] : bo[j];
            int16_t c = ac[i] < bc[j] ? ac[i] : bc[j];
            if (o < c && n < 2 * HQ_HOURS_RANGES) {
                open[n] = o;
                close[n] = c;
                n++;
            }
        }
    /* both lists are ascending and disjoint, so the pairs come out ascending too */
    return n;
}

int hq_booking_slots(const struct hq_hours *svc, const struct hq_hours *hall,
                     const struct hq_calendar *cal, int32_t day, int slot_min, int32_t *starts,
                     int max)
{
    if (!hq_day_valid(day) || slot_min <= 0) return 0;
    int wd = hq_calendar_hours_weekday(cal, day);
    if (wd < 0) return 0;
    int16_t o[2 * HQ_HOURS_RANGES], c[2 * HQ_HOURS_RANGES];
    int nr = hq_booking_ranges(svc, hall, wd, o, c), n = 0;
    for (int r = 0; r < nr; r++)
        for (int m = o[r]; m + slot_min <= c[r] && n < max; m += slot_min)
            starts[n++] = m;
    return n;
}

int32_t hq_booking_capacity(int slot_min, int32_t avg_service_s, int32_t windows,
                            int32_t configured)
{
    if (configured > 0) return configured;
    if (windows <= 0 || slot_min <= 0) return 0;
    if (avg_service_s <= 0) avg_service_s = 1;
    int64_t cap = (int64_t)slot_min * 60 * windows / avg_service_s;
    if (cap < 1) cap = 1;
    return cap > 100000 ? 100000 : (int32_t)cap;
}

int32_t hq_booking_offered(int32_t capacity, int walk_in_pct)
{
    if (capacity <= 0) return 0;
    if (walk_in_pct < 0) walk_in_pct = 0;
    if (walk_in_pct > 100) walk_in_pct = 100;
    int32_t kept = (int32_t)(((int64_t)capacity * walk_in_pct + 99) / 100);
    return capacity - kept;
}

int hq_booking_limits(const struct hq_booking_rec *recs, size_t n, int32_t day, const char *phone,
                      const char *id_number, int per_day, int per_week, struct hq_why *why)
{
    int32_t w0 = hq_day_week_start(day), w1 = hq_day_plus(w0, 6);
    int pd = 0, pw = 0, id_d = 0, id_w = 0;
    bool use_id = id_number && *id_number;
    for (size_t i = 0; i < n; i++) {
        const struct hq_booking_rec *r = &recs[i];
        bool in_week = r->day >= w0 && r->day <= w1;
        if (!in_week) continue;
        if (phone && r->phone && strcmp(r->phone, phone) == 0) {
            pw++;
            pd += r->day == day;
        }
        if (use_id && r->id_number && strcmp(r->id_number, id_number) == 0) {
            id_w++;
            id_d += r->day == day;
        }
    }
    if (per_day > 0 && pd >= per_day)
        return hq_fail(why, HQ_ECONFLICT, "phone",
                       "phone: at most %d bookings a day for one phone number", per_day);
    if (per_week > 0 && pw >= per_week)
        return hq_fail(why, HQ_ECONFLICT, "phone",
                       "phone: at most %d bookings a week for one phone number", per_week);
    if (per_day > 0 && id_d >= per_day)
        return hq_fail(why, HQ_ECONFLICT, "id_number",
                       "id_number: at most %d bookings a day for one ID number", per_day);
    if (per_week > 0 && id_w >= per_week)
        return hq_fail(why, HQ_ECONFLICT, "id_number",
                       "id_number: at most %d bookings a week for one ID number", per_week);
    return 0;
}

int hq_booking_checkin_window(int64_t start, int64_t now, int early_min, int late_min)
{
    if (now < start - (int64_t)early_min * 60) return -1;
    if (now > start + (int64_t)late_min * 60) return 1;
    return 0;
}

bool hq_booking_is_missed(int64_t start, int64_t now, int late_min)
{
    return hq_booking_checkin_window(start, now, 0, late_min) > 0;
}

static const char ALPHABET[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"; /* 31: no 0, O, 1, I, L */

void hq_booking_code(const unsigned char rnd[HQ_BOOKING_CODE_LEN],
                     char out[HQ_BOOKING_CODE_LEN + 1])
{
    for (int i = 0; i < HQ_BOOKING_CODE_LEN; i++)
        out[i] = ALPHABET[rnd[i] % (sizeof ALPHABET - 1)];
    out[HQ_BOOKING_CODE_LEN] = '\0';
}

bool hq_booking_code_norm(const char *in, char out[HQ_BOOKING_CODE_LEN + 1])
{
    int n = 0;
    for (const char *p = in; *p; p++) {
        if (*p == ' ' || *p == '-') continue;
        char c = (char)toupper((unsigned char)*p);
        if (!strchr(ALPHABET, c) || c == '\0' || n >= HQ_BOOKING_CODE_LEN) return false;
        out[n++] = c;
    }
    out[n] = '\0';
    return n == HQ_BOOKING_CODE_LEN;
}
