/* SPDX-License-Identifier: MIT */
/*
 * hq_ops.h — the operations records of a hall (docs/OPERATIONS.md; DB13/T 1760 clauses 5.5, 7.1,
 * 7.2, 7.4): emergency plans, drill and risk-assessment schedules with their records, incidents
 * tied to the hall's suspension of ticketing, the facility register with maintenance and
 * inspection logs, device heartbeats, the public information (licences, prices, hours), the
 * overdue alerts of the tick, and the clause checks of the compliance report. Same conventions as
 * hq_app.h: inputs borrowed, *out a new reference, refusals a negative hq_err with *why and
 * nothing changed. Every record is a store document (kinds "ops_plan", "ops_schedule",
 * "ops_incident", "ops_facility"; settings "ops_info", "ops_settings").
 */
#ifndef HQ_OPS_H
#define HQ_OPS_H

#include "hq_app.h"

/* Emergency plans (5.5.2). save: id NULL creates {type,title,trigger,steps,roles,contacts,
 * review_by}, else sets the fields given. review {next_review_by, note}: a review held today. */
int hq_app_ops_plans_list(struct hq_app *a, json_t **out, struct hq_why *why);
int hq_app_ops_plan_get(struct hq_app *a, const char *id, json_t **out, struct hq_why *why);
int hq_app_ops_plan_save(struct hq_app *a, const struct hq_actor *who, const char *id, json_t *in,
                         json_t **out, struct hq_why *why);
int hq_app_ops_plan_delete(struct hq_app *a, const struct hq_actor *who, const char *id,
                           json_t **out, struct hq_why *why);
int hq_app_ops_plan_review(struct hq_app *a, const struct hq_actor *who, const char *id, json_t *in,
                           json_t **out, struct hq_why *why);

/* Drill and risk-assessment schedules (5.5.3): {kind:"drill"|"risk_assessment",title,plan,
 * interval_days,start}; record {date,participants,findings} appends one held drill. */
int hq_app_ops_schedules_list(struct hq_app *a, json_t **out, struct hq_why *why);
int hq_app_ops_schedule_save(struct hq_app *a, const struct hq_actor *who, const char *id,
                             json_t *in, json_t **out, struct hq_why *why);
int hq_app_ops_schedule_delete(struct hq_app *a, const struct hq_actor *who, const char *id,
                               json_t **out, struct hq_why *why);
int hq_app_ops_schedule_record(struct hq_app *a, const struct hq_actor *who, const char *id,
                               json_t *in, json_t **out, struct hq_why *why);

/* Incidents (5.5.4–5.5.7). open {plan,title,severity,description,suspend,suspend_reason};
 * action: "arrive" {name,role,arrived_at}, "note" {text}, "suspend" {suspend_reason}, "restore"
 * {note}, "close" {note}, "review" {cause,measures,course,result,lessons,improvements:[{title,
 * owner,due}]}. Steps out of order: HQ_ECONFLICT. */
int hq_app_ops_incidents_list(struct hq_app *a, const char *status, json_t **out,
                              struct hq_why *why);
int hq_app_ops_incident_get(struct hq_app *a, const char *id, json_t **out, struct hq_why *why);
int hq_app_ops_incident_open(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                             struct hq_why *why);
int hq_app_ops_incident_action(struct hq_app *a, const struct hq_actor *who, const char *id,
                               const char *action, json_t *in, json_t **out, struct hq_why *why);

/* The facility register (7.1.3, 7.4.1): {name,kind,location,device,maintenance_days,
 * inspection_days,start}; log {type:"maintenance"|"inspection",date,result,note}. */
int hq_app_ops_facilities_list(struct hq_app *a, json_t **out, struct hq_why *why);
int hq_app_ops_facility_save(struct hq_app *a, const struct hq_actor *who, const char *id,
                             json_t *in, json_t **out, struct hq_why *why);
int hq_app_ops_facility_delete(struct hq_app *a, const struct hq_actor *who, const char *id,
                               json_t **out, struct hq_why *why);
int hq_app_ops_facility_log(struct hq_app *a, const struct hq_actor *who, const char *id,
                            json_t *in, json_t **out, struct hq_why *why);

/* A registered device says it is alive (X-Device-Key); staff: HQ_EFORBIDDEN. */
int hq_app_ops_heartbeat(struct hq_app *a, const struct hq_actor *who, json_t **out,
                         struct hq_why *why);
/* Settings {device_silent_s}; the counts of overdue items for the manager page. */
int hq_app_ops_settings_get(struct hq_app *a, json_t **out, struct hq_why *why);
int hq_app_ops_settings_put(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                            struct hq_why *why);
int hq_app_ops_overview(struct hq_app *a, json_t **out, struct hq_why *why);

/* Public information (7.1.8, 7.2.1): {hall, hours, licences, prices, hours_note, notes}. */
int hq_app_ops_info_get(struct hq_app *a, json_t **out, struct hq_why *why);
int hq_app_ops_info_put(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                        struct hq_why *why);

/* Ticketing was suspended or resumed by POST /hall/emergency or PUT /hall (uc_config.c, after its
 * commit): every open incident records it (suspended_at, or resumed_at for one that suspended it),
 * so its downtime is the hall's. Without mu. */
void hq__ops_hall_changed(struct hq_app *a, const struct hq_actor *who, bool suspended,
                          const char *reason);

/* The overdue alerts (tick_work of uc_tick.c, without mu): an "ops.alert" event per overdue plan
 * review, drill, risk assessment, maintenance, inspection and silent device, once a day each. */
void hq__ops_tick(struct hq_app *a);

/* The clause checks of the compliance report for local days [from, to] (YYYY-MM-DD, inclusive):
 * appends {"clause","title","title_en","verdict","figures","evidence"} objects for 5.5.2, 5.5.3,
 * 5.5.4, 5.5.6, 5.5.7, 7.1.3, 7.1.8, 7.2.1 and 7.4.1 to the array clauses. Bad dates: nothing. */
void hq_ops_compliance(struct hq_app *a, const char *from, const char *to, json_t *clauses);

/* ---- internals shared by the uc_ops*.c files ---- */
#define HQ_OPS_LIST_MAX 2000
/* Serialises read-modify-write of ops documents (lock order: ops → reader_mu → mu). */
void hq__ops_lock(void);
void hq__ops_unlock(void);
const char *hq__ops_str(json_t *o, const char *k);        /* "" when absent */
int64_t hq__ops_int(json_t *o, const char *k);            /* 0 when absent */
bool hq__ops_id_ok(const char *id);                       /* 16 lower-case hex */
json_t *hq__ops_list(struct hq_app *a, const char *kind); /* newest first, new array */
int hq__ops_load(struct hq_app *a, const char *kind, const char *id, const char *what, json_t **out,
                 struct hq_why *why);
/* Store d under (kind, id) with event type/data (stolen) in one commit. */
int hq__ops_commit(struct hq_app *a, const struct hq_actor *who, const char *kind, const char *id,
                   json_t *d, const char *type, json_t *data, struct hq_why *why);
int32_t hq__ops_today(struct hq_app *a);
int32_t hq__ops_day_of(struct hq_app *a, int64_t t); /* local yyyymmdd of t */
/* A date member "YYYY-MM-DD" into *out (unchanged when absent/null and not required). */
int hq__ops_in_date(json_t *o, const char *key, bool required, int32_t *out, struct hq_why *why);
/* The next due day of a chain that starts at start and repeats every interval days, reset by
 * every entry of log (with "date") whose "type" is type (NULL: every entry). 0 when interval 0. */
int32_t hq__ops_next_due(int32_t start, int interval, json_t *log, const char *type);
/* Walk the chain over [from, end]: entries held late and a due missed by end, added as evidence
 * {kind, id, note}; returns the count of faults. held counts entries within the period. */
int hq__ops_chain_faults(int32_t start, int interval, json_t *log, const char *type, int32_t from,
                         int32_t end, const char *kind, const char *id, const char *title,
                         json_t *evidence, int *held);
/* Seconds since a device's last heartbeat (since the app opened when never), -1 unknown device. */
int64_t hq__ops_device_silent_s(struct hq_app *a, const char *device_id);
int64_t hq__ops_silent_limit_s(struct hq_app *a);
/* A facility's staff view (due days, overdue flags, a linked device's silence). */
json_t *hq__ops_facility_view(struct hq_app *a, json_t *d, int32_t today);
/* The stored public information document (an empty one when none), new reference. */
json_t *hq__ops_info_doc(struct hq_app *a);
/* The strict reader of a record's fields: one table per record, NULL key ends it. */
#define HQ_OPS_LIST_ITEMS 50
enum hq_ops_ftype {
    HQ_OPS_F_TEXT,
    HQ_OPS_F_ENUM,
    HQ_OPS_F_DATE,
    HQ_OPS_F_INT,
    HQ_OPS_F_BOOL,
    HQ_OPS_F_TEXTS,  /* a list of texts */
    HQ_OPS_F_OBJECTS /* a list of objects with the text members sub */
};
struct hq_ops_field {
    const char *key;
    enum hq_ops_ftype type;
    bool required;
    int min, max;           /* characters (texts) or the range (integers) */
    const char *const *sub; /* one-of values, or the members of listed objects */
    const char *hint;       /* the one-of values for the refusal */
};
/* Check every member of in against spec (unknown ones refused; creating: required ones must be
 * there) and set them into d; on refusal d is unchanged. */
int hq__ops_read(json_t *in, const struct hq_ops_field *spec, bool creating, json_t *d,
                 struct hq_why *why);
/* Suspend (reason) or resume the hall's ticketing in batch b, as POST /hall/emergency would;
 * under mu. */
void hq__ops_hall_suspend(struct hq_app *a, struct hq_batch *b, const char *actor, bool on,
                          const char *reason);

#endif
