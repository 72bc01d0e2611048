/* SPDX-License-Identifier: MIT */
/*
 * hq_compliance.h — the compliance report (DB13/T 1760-2013 clause by clause, docs/COMPLIANCE.md),
 * the audit log of staff actions (4.5), and the staff records behind clauses 4.7 and 6.2: training
 * records, post responsibilities and targets, certification expiry alerts.
 *
 * The report is a table of clause sources: functions that read the period [from, to] (local days
 * "YYYY-MM-DD", inclusive) and append clause objects {"clause","id","title","title_en","verdict",
 * "figures","evidence"} to the array `clauses`. Each capability that can speak to a clause adds
 * one entry to hq_compliance_sources[] (uc_compliance.c) with this signature; a source that cannot
 * read its data appends its clause with verdict "no_data" and a figure saying why. Sources run on
 * the calling thread without any lock held and take what they need (reader_mu, mu) briefly.
 */
#ifndef HQ_COMPLIANCE_H
#define HQ_COMPLIANCE_H

#include <jansson.h>

#include "hq_app.h"

typedef void (*hq_compliance_source_fn)(struct hq_app *a, const char *from, const char *to,
                                        json_t *clauses);
extern const hq_compliance_source_fn hq_compliance_sources[]; /* NULL-terminated */

/* The sources of this branch (uc_compliance_clauses.c). */
void hq_compliance_service_quality(struct hq_app *a, const char *from, const char *to,
                                   json_t *clauses); /* 9.1.1, 6.2/9.1 satisfaction */
void hq_compliance_complaints(struct hq_app *a, const char *from, const char *to,
                              json_t *clauses); /* 8.2.2, 8.2.4 */
void hq_compliance_staff(struct hq_app *a, const char *from, const char *to,
                         json_t *clauses); /* 4.7 certified service, 4.7 training */
void hq_compliance_windows(struct hq_app *a, const char *from, const char *to,
                           json_t *clauses); /* 5.2.5 waits and windows, 5.3.6 pauses */

/* Helpers for sources. clause: a new clause object with verdict "no_data", empty figures and
 * evidence (caller appends it to clauses). evidence: append {"kind","id","note"}; at most
 * HQ_COMPLIANCE_EVIDENCE_MAX are kept, figures.evidence_total counts them all. */
#define HQ_COMPLIANCE_EVIDENCE_MAX 50
json_t *hq_compliance_clause(const char *clause, const char *id, const char *title,
                             const char *title_en);
void hq_compliance_evidence(json_t *clause, const char *kind, const char *id, const char *note);
void hq_compliance_verdict(json_t *clause, const char *verdict);

/* The thresholds (document compliance/settings, defaults filled in): new reference. */
json_t *hq_compliance_settings(struct hq_app *a);
double hq_compliance_setting(json_t *settings, const char *key);
int hq_app_compliance_settings_get(struct hq_app *a, json_t **out, struct hq_why *why);
int hq_app_compliance_settings_put(struct hq_app *a, const struct hq_actor *who, json_t *in,
                                   json_t **out, struct hq_why *why);

/* The report of [from, to] (at most max_days days, 0 = 366): {"from","to","hall","generated_at",
 * "settings","summary","clauses"}. Refusals: HQ_EINVAL (dates, from > to, too long). */
int hq_app_compliance(struct hq_app *a, const char *from, const char *to, int max_days,
                      json_t **out, struct hq_why *why);
/* The same from a database path without a running app (the CLI): its own read handle, the hall's
 * time zone, writes nothing. */
int hq_compliance_from_db(const char *db, const char *from, const char *to, json_t **out,
                          struct hq_why *why);
/* The report rendered: format "json", "text" or "pdf"; *out malloc'd (caller frees). */
int hq_compliance_render(json_t *report, const char *format, unsigned char **out, size_t *len,
                         struct hq_why *why);

/* ---- audit (uc_audit.c): the event log's staff actions without personal data ----
 * q: actor (exact username, "" = any staff member), type (exact type or a prefix ending in "."),
 * from/to (local days), offset, limit (1..500, default 100), all (true: public actions too).
 * *out = {"from","to","total","offset","limit","events":[{"seq","at","actor","type","data"}]}.
 * csv: the same rows (every match, at most 100000) as UTF-8 CSV with a BOM. */
struct hq_audit_query {
    const char *actor, *type, *from, *to;
    int64_t offset, limit;
    bool all;
};
int hq_app_audit(struct hq_app *a, const struct hq_audit_query *q, json_t **out,
                 struct hq_why *why);
int hq_app_audit_csv(struct hq_app *a, const struct hq_audit_query *q, unsigned char **out,
                     size_t *len, struct hq_why *why);

/* ---- staff records (uc_training.c) ----
 * Training record: {"id","staff","course","date","hours","certificate","result","created_by",
 * "created_at"}. list: staff NULL = everyone; *out = {"training":[…]} newest date first. */
int hq_app_training_list(struct hq_app *a, const char *staff, json_t **out, struct hq_why *why);
int hq_app_training_create(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                           struct hq_why *why);
int hq_app_training_update(struct hq_app *a, const struct hq_actor *who, const char *id, json_t *in,
                           json_t **out, struct hq_why *why);
int hq_app_training_delete(struct hq_app *a, const struct hq_actor *who, const char *id,
                           json_t **out, struct hq_why *why);
/* Post of a staff member: {"username","responsibilities","satisfaction_target" (null = the
 * hall's),"effective_satisfaction_target"}. */
int hq_app_post_get(struct hq_app *a, const char *username, json_t **out, struct hq_why *why);
int hq_app_post_put(struct hq_app *a, const struct hq_actor *who, const char *username, json_t *in,
                    json_t **out, struct hq_why *why);
/* Satisfaction target of a staff member: his post's, else the hall's (settings), else 0.9. */
double hq__staff_satisfaction_target(struct hq_app *a, const char *username);
/* Certifications expiring within days (0 = the setting cert_alert_days) or expired, of active
 * staff: {"days","today","certifications":[{"username","name","service","expires_on",
 * "days_left","expired"}]}. */
int hq_app_certifications_expiring(struct hq_app *a, int32_t days, json_t **out,
                                   struct hq_why *why);
/* Periodic: an alert.certification event once per certification and stage (expiring, expired). */
void hq__certifications_tick(struct hq_app *a);

#endif
