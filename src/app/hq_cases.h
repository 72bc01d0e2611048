/* SPDX-License-Identifier: MIT */
/*
 * hq_cases.h — the 好差评 closed loop (docs/EVALUATION.md): the finished stages of every ticket
 * and their ratings (uc_cases_stages.c), the evaluation settings of the hall and the job that
 * gives unrated stages their default level (uc_cases_settings.c), the cases that a bad review
 * (levels 1-2) opens, their steps and appeals (uc_cases.c). Same conventions as hq_app.h: inputs
 * borrowed, *out a new reference, refusals a negative hq_err with *why.
 */
#ifndef HQ_CASES_H
#define HQ_CASES_H

#include "../store/hq_store.h"
#include "hq_app.h"

/* The hall's evaluation settings (document setting/evaluation). */
struct hq_eval_settings {
    int late_rating_h;      /* a stage may be rated this many hours after it finished (24) */
    int default_level;      /* 0 = none; else the level an unrated stage takes */
    int default_after_days; /* ... this many days after it finished (7) */
    int case_working_days;  /* a bad review's case is handled within this many working days (5) */
};

/* GET/PUT /evaluations/settings: {late_rating_h, default_level (null = none),
 * default_after_days, case_working_days}; put sets the fields given (admin). */
int hq_app_eval_settings_get(struct hq_app *a, json_t **out);
int hq_app_eval_settings_put(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                             struct hq_why *why);

/* GET /evaluations/stages/{id} (public: the id is the customer's secret): the finished stages of
 * the ticket, each {stage, service, window, finished_at, rated, defaulted, rate_until, rateable},
 * and the hall's late_rating_h. Never the level given, nor who served. */
int hq_app_eval_stages(struct hq_app *a, const char *id, json_t **out, struct hq_why *why);

/* Cases (manager, admin; a clerk reads and appeals his own). status: NULL/"" all, "open",
 * "closed", "overdue". */
int hq_app_cases_list(struct hq_app *a, const struct hq_actor *who, const char *status,
                      json_t **out, struct hq_why *why);
int hq_app_case_get(struct hq_app *a, const struct hq_actor *who, const char *id, json_t **out,
                    struct hq_why *why);
/* step: "callback", "verification", "rectification", "reply", "appeal", "decision",
 * "improvement". */
int hq_app_case_action(struct hq_app *a, const struct hq_actor *who, const char *id,
                       const char *step, json_t *in, json_t **out, struct hq_why *why);

/* ---- internal to src/app ---- */
void hq__eval_settings_read(struct hq_app *a, struct hq_eval_settings *s); /* reader_mu */
/* Under mu, from the finish of window action: the stage that ticket `before` (a copy taken just
 * before the finish) has finished is recorded (document stage/<id>:<n>) in b. */
void hq__stage_finished(struct hq_app *a, struct hq_batch *b, const struct hq_ticket *before,
                        int64_t now);
/* The stage document's key of ticket id's stage n. */
void hq__stage_key(const char *id, int stage, char *out, size_t cap);
/* Under mu: a case for the bad rating `eval` (its document, key ekey) into b; due = deadline. */
void hq__case_open(struct hq_app *a, struct hq_batch *b, json_t *eval, const char *ekey,
                   int64_t now, int64_t due);
/* A deadline n working days after t (same time of day), by the hall's calendar; reader_mu,
 * without mu. */
int64_t hq__workdays_after(struct hq_app *a, int64_t t, int n);
/* The end (23:59:59 local) of the n-th working day after t's day, by the hall's calendar: n = 1
 * is "by the end of the next working day". reader_mu, without mu. */
int64_t hq__workdays_end(struct hq_app *a, int64_t t, int n);
/* public_info.complaints.<key> when an integer in [1, max], else dflt (takes mu briefly). */
int hq__complaint_setting(struct hq_app *a, const char *key, int dflt, int max);
/* The complaint acknowledgement's working days: public_info.complaints.ack_working_days (1..30),
 * default 1 (uc_complaints.c). */
#define HQ_COMPLAINT_ACK_WORKING_DAYS 1
/* Every stage finished before now - N days and never rated takes the default level (reader_mu,
 * then mu; without mu). */
void hq__eval_default_run(struct hq_app *a, int64_t now);
/* Tick work (without mu): default ratings for unrated stages; overdue cases alert managers. */
void hq__cases_tick(struct hq_app *a);
/* GET /stats's evaluation_coverage block for days [from, to] (reader_mu, without mu). */
json_t *hq__eval_coverage_json(struct hq_app *a, int32_t from, int32_t to);

#endif
