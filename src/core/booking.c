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
    return hq_limits_check(HQ_LIMIT_BOOKINGS, recs, n, day, phone, id_number, per_day, per_week,
                           why);
}

int hq_limits_check(enum hq_limit_of of, const struct hq_booking_rec *recs, size_t n, int32_t day,
                    const char *phone, const char *id_number, int per_day, int per_week,
                    struct hq_why *why)
{
    int32_t w0 = hq_day_week_start(day), w1 = hq_day_plus(w0, 6);
    int pd = 0, pw = 0, id_d = 0, id_w = 0;
    bool use_phone = phone && *phone, use_id = id_number && *id_number;
    for (size_t i = 0; i < n; i++) {
        const struct hq_booking_rec *r = &recs[i];
        bool in_week = r->day >= w0 && r->day <= w1;
        if (!in_week) continue;
        if (use_phone && r->phone && strcmp(r->phone, phone) == 0) {
            pw++;
            pd += r->day == day;
        }
        if (use_id && r->id_number && strcmp(r->id_number, id_number) == 0) {
            id_w++;
            id_d += r->day == day;
        }
    }
    if (of == HQ_LIMIT_TICKETS) {
        if (per_day > 0 && id_d >= per_day)
            return hq_fail(why, HQ_ECONFLICT, "id_number",
                           "id_number: at most %d tickets of this service a day for one ID number",
                           per_day);
        return 0;
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

/* ---- resident ID numbers (GB 11643-1999) ---- */

static const int ID_WEIGHTS[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char ID_CHECK[] = "10X98765432"; /* sum mod 11 → check character */

char hq_idnum_check_char(const char *first17)
{
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (first17[i] - '0') * ID_WEIGHTS[i];
    return ID_CHECK[sum % 11];
}

/* A birth date yyyymmdd from 1800 on (hq_day_valid starts at 1970). */
static bool birth_ok(int32_t b)
{
    int y = b / 10000, m = b / 100 % 100, d = b % 100;
    if (y < 1800 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return d <= mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

enum hq_idnum_bad hq_idnum_norm(const char *in, char out[HQ_IDNUM_LEN + 1])
{
    size_t n = in ? strlen(in) : 0;
    if (n != 18 && n != 15) return HQ_IDNUM_LENGTH;
    for (size_t i = 0; i < n; i++) {
        bool last = i == 17;
        if (!isdigit((unsigned char)in[i]) && !(last && (in[i] == 'x' || in[i] == 'X')))
            return HQ_IDNUM_CHARS;
    }
    if (n == 15) { /* the first generation: no century, no check digit */
        memcpy(out, in, 6);
        out[6] = '1';
        out[7] = '9';
        memcpy(out + 8, in + 6, 9);
        out[17] = hq_idnum_check_char(out);
    } else {
        memcpy(out, in, 17);
        out[17] = (char)toupper((unsigned char)in[17]);
    }
    out[HQ_IDNUM_LEN] = '\0';
    if (!birth_ok(hq_idnum_birth(out))) return HQ_IDNUM_BIRTH;
    if (out[17] != hq_idnum_check_char(out)) return HQ_IDNUM_CHECK;
    return HQ_IDNUM_OK;
}

int32_t hq_idnum_birth(const char *id)
{
    int32_t b = 0;
    for (int i = 6; i < 14; i++)
        b = b * 10 + (id[i] - '0');
    return b;
}

int hq_idnum_age(int32_t birth, int32_t today)
{
    if (!birth_ok(birth) || today < birth) return -1;
    return (today / 10000 - birth / 10000) - ((today % 10000) < (birth % 10000));
}

void hq_idnum_mask(char out[HQ_IDNUM_LEN + 1], const char *id)
{
    size_t n = id ? strlen(id) : 0;
    for (size_t i = 0; i < HQ_IDNUM_LEN; i++)
        out[i] = '*';
    out[HQ_IDNUM_LEN] = '\0';
    if (n != HQ_IDNUM_LEN) return;
    memcpy(out, id, 4);
    memcpy(out + 14, id + 14, 4);
}
