/* SPDX-License-Identifier: MIT */
/*
 * hq_appointments.h — the use cases of appointments (预约, uc_appointments.c) and of the
 * working-day calendar (uc_calendar.c), API.md "Appointments (预约) — the public face" and
 * "Working-day calendar"; docs/APPOINTMENTS.md. Same conventions as hq_app.h: inputs borrowed,
 * *out a new reference, refusals a negative hq_err with *why.
 */
#ifndef HQ_APPOINTMENTS_H
#define HQ_APPOINTMENTS_H

#include "hq_app.h"

struct hq_calendar;

/* GET /calendar/{year}: {"year","holidays":[dates],"workdays":[dates]} (empty when none stored);
 * PUT replaces the year's lists (admin). Refusals: HQ_EINVAL "year", "holidays", "workdays". */
int hq_app_calendar_get(struct hq_app *a, const char *year, json_t **out, struct hq_why *why);
int hq_app_calendar_put(struct hq_app *a, const struct hq_actor *who, const char *year, json_t *in,
                        json_t **out, struct hq_why *why);

/* The booking settings {slot_minutes, capacity, walk_in_share, horizon_days, limit_per_day,
 * limit_per_week, checkin_early_minutes, checkin_late_minutes, reminder_minutes, bookable}; put
 * sets the fields given. */
int hq_app_appointment_settings_get(struct hq_app *a, json_t **out);
int hq_app_appointment_settings_put(struct hq_app *a, const struct hq_actor *who, json_t *in,
                                    json_t **out, struct hq_why *why);
/* Bookable slots of a service on a date (public). */
int hq_app_appointment_slots(struct hq_app *a, const char *service, const char *date, json_t **out,
                             struct hq_why *why);
/* Book {service, start, phone, id_number} (public, rate limited; staff on a caller's behalf). */
int hq_app_appointment_book(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                            struct hq_why *why);
/* The booking by its secret id (public), and cancelling it while booked. */
int hq_app_appointment_get(struct hq_app *a, const char *id, json_t **out, struct hq_why *why);
int hq_app_appointment_cancel(struct hq_app *a, const struct hq_actor *who, const char *id,
                              json_t **out, struct hq_why *why);
/* Check in {code} (kiosk, guide, manager, admin): *out = the appointment ticket. */
int hq_app_appointment_checkin(struct hq_app *a, const struct hq_actor *who, json_t *in,
                               json_t **out, struct hq_why *why);
/* Staff list of a date (NULL = today) and service (NULL = all), phones masked, with counts. */
int hq_app_appointments_list(struct hq_app *a, const char *date, const char *service, json_t **out,
                             struct hq_why *why);

/* Change a booked booking in place (public with its secret id): {"start"} another slot of the same
 * service, the same checks as booking (slot offered, not full; the limits do not count the booking
 * itself); code and id kept; event appointment.changed. */
int hq_app_appointment_change(struct hq_app *a, const struct hq_actor *who, const char *id,
                              json_t *in, json_t **out, struct hq_why *why);

/* The ID card hand-over (idnum.c, docs/IDCARD.md), a registered device only: hold {"id_number"}
 * for this device at most 60 s → {"masked","expires_at"}; take it once → {"id_number","masked"}
 * (both null when nothing is held). */
int hq_app_idcard_hold(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                       struct hq_why *why);
int hq_app_idcard_take(struct hq_app *a, const struct hq_actor *who, json_t **out,
                       struct hq_why *why);

/* ---- internal to src/app ---- */
/* ID numbers (idnum.c): never kept in clear. */
#define HQ_IDHASH_LEN 32 /* hex characters of the keyed hash */
/* Validate a typed number (GB 11643) into its 18 characters; HQ_EINVAL "id_number" with the
 * reason. */
int hq__idnum_parse(const char *in, char out[19], struct hq_why *why);
/* The hall's keyed hash of a normalised number (the key made and stored once). */
int hq__idnum_hash(struct hq_app *a, const char *id18, char out[HQ_IDHASH_LEN + 1],
                   struct hq_why *why);
/* A ticket taken with an ID number: begin validates, hashes, decides the age rule (priority only
 * for a registered kiosk) and checks the daily limit of the service, holding a lock until end;
 * add puts the idticket document (the hash, never the number) into the ticket's batch. */
struct hq__idticket {
    char hash[HQ_IDHASH_LEN + 1];
    int32_t day;
    bool priority;
    bool locked;
};
int hq__idnum_ticket_begin(struct hq_app *a, const struct hq_actor *who, const char *given,
                           const char *service, struct hq__idticket *x, struct hq_why *why);
void hq__idnum_ticket_add(struct hq__idticket *x, struct hq_batch *b, const char *ticket_id,
                          const char *service, int64_t t);
void hq__idnum_ticket_end(struct hq__idticket *x);
/* public_info checks of PUT /hall: rejoin.grace_s (0-86400), notify.near (1-50), id_card
 * {priority_age 0|50-150, daily_limit 0-100, daily_limits {service: 0-100}}. */
int hq__bookid_settings_check(json_t *info, struct hq_why *why);
/* Under mu: the hall's ticket.near distance, public_info.notify.near (default 3). */
int hq__near_places(struct hq_app *a);
/* The calendars of the years of [from_day, to_day] (at most two) into *c; reader_mu, without mu. */
int hq__calendar_load(struct hq_app *a, int32_t from_day, int32_t to_day, struct hq_calendar *c);
/* Loader (at open): the booking settings into memory. */
int hq__appointments_load(struct hq_app *a, struct hq_why *why);
void hq__appointments_release(struct hq_app *a);
/* Tick work (without mu): bookings past their late window become missed; reminders due. */
void hq__appointments_tick(struct hq_app *a);
/* Under mu: is the service bookable. */
bool hq__appointments_bookable(struct hq_app *a, const char *code);
/* PUT /services/{code} {"bookable"}: validate (before the service changes) and apply (after). */
int hq__appointments_bookable_check(json_t *in, struct hq_why *why);
int hq__appointments_bookable_put(struct hq_app *a, const struct hq_actor *who, const char *code,
                                  json_t *in, struct hq_why *why);
/* Counts of bookings whose slot is on days [from, to]: {"booked","checked_in","missed",
 * "cancelled"} (reader_mu, without mu). */
json_t *hq__appointments_counts(struct hq_app *a, int32_t from, int32_t to);

#endif
