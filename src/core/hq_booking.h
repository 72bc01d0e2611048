/* SPDX-License-Identifier: MIT */
/*
 * hq_booking.h — the pure rules of appointments (预约) and of the working-day calendar: which days
 * are served (holidays, make-up working days 调休), the bookable slots of a day from a service's
 * and the hall's opening hours (several ranges a day: a lunch break makes no slot), the capacity of
 * a slot and the share kept for walk-ins, the limits per phone or ID number per day and per week
 * (against number touts, 号贩子), the check-in window and when a booking is missed, the booking
 * code. No I/O and no clock: days are yyyymmdd, times unix seconds, all passed in
 * (src/core/booking.c, src/core/calendar.c; docs/APPOINTMENTS.md).
 */
#ifndef HQ_BOOKING_H
#define HQ_BOOKING_H

#include "hq_core.h"

/* ---- days (proleptic Gregorian, yyyymmdd) ---- */
bool hq_day_valid(int32_t day);
int hq_day_weekday(int32_t day);           /* 0 = Sunday .. 6 */
int32_t hq_day_plus(int32_t day, int n);   /* day + n days (n may be negative) */
int32_t hq_day_week_start(int32_t day);    /* the Monday of day's week */
int32_t hq_day_diff(int32_t a, int32_t b); /* a - b in days */

/* ---- the working-day calendar ---- */
#define HQ_CAL_MAX 400 /* holidays (and workdays) of one year, at most */
struct hq_calendar {
    int32_t holidays[2 * HQ_CAL_MAX]; /* sorted; may span two years (a booking horizon) */
    int n_holidays;
    int32_t workdays[2 * HQ_CAL_MAX]; /* make-up working days (调休) on a weekend, sorted */
    int n_workdays;
};
void hq_calendar_init(struct hq_calendar *c);
/* Add one day to a list (kept sorted, duplicates dropped); -1 when full or invalid. */
int hq_calendar_add(struct hq_calendar *c, bool workday, int32_t day);
/* Check one year's lists as PUT /calendar/{year} receives them: every day valid and in year, no
 * day in both lists, every workday a Saturday or Sunday. 0 or HQ_EINVAL (field "holidays" or
 * "workdays"). */
int hq_calendar_check(const struct hq_calendar *c, int32_t year, struct hq_why *why);
/* The weekday whose hours apply on day: -1 on a holiday, Monday (1) on a make-up working day,
 * else day's own weekday. */
int hq_calendar_hours_weekday(const struct hq_calendar *c, int32_t day);
/* Is day a working day: not a holiday, and Monday to Friday or a make-up working day. */
bool hq_calendar_is_workday(const struct hq_calendar *c, int32_t day);
/* day plus n working days (n >= 0; at most 3 years ahead, else the plain day + n). */
int32_t hq_calendar_add_workdays(const struct hq_calendar *c, int32_t day, int n);

/* ---- slots ---- */
#define HQ_SLOTS_MAX 288 /* five-minute slots of a whole day */
/* The ranges [open, close) of weekday wd in both the service's hours and the hall's (each
 * without hours = always open): their intersection into open/close (room for 2 *
 * HQ_HOURS_RANGES). Returns how many; 0 when both have no hours (nothing to book against). */
int hq_booking_ranges(const struct hq_hours *svc, const struct hq_hours *hall, int wd,
                      int16_t *open, int16_t *close);
/* The slot starts (local minutes) of day: slot_min-long slots laid from each range's opening, a
 * slot never crossing a range's closing (so none over a lunch break); none on a holiday. Returns
 * how many (at most max). */
int hq_booking_slots(const struct hq_hours *svc, const struct hq_hours *hall,
                     const struct hq_calendar *cal, int32_t day, int slot_min, int32_t *starts,
                     int max);
/* Places of one slot: configured (> 0) as given, else the customers the windows serving the
 * service finish in slot_min at its average service time (at least 1 when a window serves it, 0
 * when none does). */
int32_t hq_booking_capacity(int slot_min, int32_t avg_service_s, int32_t windows,
                            int32_t configured);
/* The bookable part of a capacity: what is left once walk_in_pct percent (rounded up) is kept for
 * walk-ins, who never see it offered. */
int32_t hq_booking_offered(int32_t capacity, int walk_in_pct);

/* ---- limits per phone / ID number ---- */
struct hq_booking_rec {
    int32_t day;           /* the slot's local day */
    const char *phone;     /* digits */
    const char *id_number; /* the keyed hash of the ID number, "" when none */
};
/* Would one more booking on day for phone (and id_number, "" when none) stay within per_day and
 * per_week (Monday to Sunday of day; 0 = no limit)? recs: the live bookings (not cancelled).
 * 0, or HQ_ECONFLICT with field "phone" or "id_number". */
int hq_booking_limits(const struct hq_booking_rec *recs, size_t n, int32_t day, const char *phone,
                      const char *id_number, int per_day, int per_week, struct hq_why *why);
/* The one counting rule behind both anti-tout limits: bookings (as hq_booking_limits) and tickets
 * taken with an ID number (recs: that service's tickets with an ID; only per_day of id_number,
 * phone unused). The ID number is its keyed hash everywhere (never the number itself). */
enum hq_limit_of { HQ_LIMIT_BOOKINGS, HQ_LIMIT_TICKETS };
int hq_limits_check(enum hq_limit_of of, const struct hq_booking_rec *recs, size_t n, int32_t day,
                    const char *phone, const char *id_number, int per_day, int per_week,
                    struct hq_why *why);

/* ---- resident ID numbers (GB 11643: 6 area digits, birth yyyymmdd, 3 order digits, check) ---- */
#define HQ_IDNUM_LEN 18
/* The check character (0-9 or X) of the first 17 digits (ISO 7064 MOD 11-2). */
char hq_idnum_check_char(const char *first17);
/* Normalise a typed number into its 18 characters (x → X; a 15-digit first-generation number
 * gets its century and check digit) and validate it: HQ_IDNUM_OK, or what is wrong. */
enum hq_idnum_bad { HQ_IDNUM_OK, HQ_IDNUM_LENGTH, HQ_IDNUM_CHARS, HQ_IDNUM_BIRTH, HQ_IDNUM_CHECK };
enum hq_idnum_bad hq_idnum_norm(const char *in, char out[HQ_IDNUM_LEN + 1]);
/* The birth date yyyymmdd of a normalised number. */
int32_t hq_idnum_birth(const char *id);
/* Whole years from birth to today (both yyyymmdd); -1 when birth is not a date or after today. */
int hq_idnum_age(int32_t birth, int32_t today);
/* Masked for staff: the first 4 and last 4 characters, 10 stars between (4403**********1233);
 * all stars for anything that is not 18 characters. */
void hq_idnum_mask(char out[HQ_IDNUM_LEN + 1], const char *id);

/* ---- check-in ---- */
/* Where now stands against the check-in window [start - early_min, start + late_min]: 0 inside,
 * -1 before it opens, 1 after it closed. */
int hq_booking_checkin_window(int64_t start, int64_t now, int early_min, int late_min);
/* A booking still `booked` is missed once its late window has closed. */
bool hq_booking_is_missed(int64_t start, int64_t now, int late_min);

/* ---- codes ---- */
#define HQ_BOOKING_CODE_LEN 6
/* The booking code of 6 random bytes: 6 characters of an alphabet without 0/O/1/I/L. */
void hq_booking_code(const unsigned char rnd[HQ_BOOKING_CODE_LEN],
                     char out[HQ_BOOKING_CODE_LEN + 1]);
/* Normalise a typed code (capitals, spaces and dashes dropped) into out; false when it cannot be
 * one. */
bool hq_booking_code_norm(const char *in, char out[HQ_BOOKING_CODE_LEN + 1]);

#endif
