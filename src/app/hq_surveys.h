/* SPDX-License-Identifier: MIT */
/*
 * hq_surveys.h — satisfaction surveys (clause 9.1.3) and their gap analysis (9.1.4), and the
 * paused time of windows and clerks (5.3.6); docs/SURVEYS.md, docs/STATS.md. Questionnaires are
 * store documents (kind "questionnaire", key = id) with their versions; the active one per
 * channel (pad, web, staff) is one document (kind "survey_setting", key "active"); answers are
 * documents of kind "survey_answer" (no personal data: a ticket appears only as a keyed hash, to
 * refuse a second answer). uc_surveys.c, uc_survey_analysis.c, uc_pauses.c.
 */
#ifndef HQ_SURVEYS_H
#define HQ_SURVEYS_H

#include "hq_app.h"

int hq_app_questionnaires_list(struct hq_app *a, json_t **out, struct hq_why *why);
int hq_app_questionnaire_get(struct hq_app *a, const char *id, json_t **out, struct hq_why *why);
int hq_app_questionnaire_create(struct hq_app *a, const struct hq_actor *who, json_t *in,
                                json_t **out, struct hq_why *why);
/* Edit the latest version in place: refused (409) once it has answers. */
int hq_app_questionnaire_update(struct hq_app *a, const struct hq_actor *who, const char *id,
                                json_t *in, json_t **out, struct hq_why *why);
/* A new version (the old ones stay, with their answers). */
int hq_app_questionnaire_version(struct hq_app *a, const struct hq_actor *who, const char *id,
                                 json_t *in, json_t **out, struct hq_why *why);
/* The active questionnaire of a channel (pad, web, staff); ticket (may be NULL): whether it has
 * been answered for that ticket. */
int hq_app_survey_active_get(struct hq_app *a, const char *channel, const char *ticket,
                             json_t **out, struct hq_why *why);
int hq_app_survey_active_put(struct hq_app *a, const struct hq_actor *who, const char *channel,
                             json_t *in, json_t **out, struct hq_why *why);
int hq_app_survey_answer(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                         struct hq_why *why);
int hq_app_survey_answers_list(struct hq_app *a, const char *questionnaire, const char *from,
                               const char *to, const char *limit, json_t **out, struct hq_why *why);
/* Gap analysis of a questionnaire over [from, to], with the tests against [b_from, b_to] when
 * given. */
int hq_app_survey_analysis(struct hq_app *a, const char *questionnaire, const char *from,
                           const char *to, const char *b_from, const char *b_to, json_t **out,
                           struct hq_why *why);

/* ---- internal (app) ---- */
/* The questionnaire document of id, or NULL (reader handle; takes reader_mu). */
json_t *hq__questionnaire_load(struct hq_app *a, const char *id);
/* The paused time of windows and clerks over local days [from, to] (the "pauses" block of GET
 * /stats); now bounds a pause still running. */
json_t *hq__pauses_json(struct hq_app *a, int32_t from, int32_t to);
/* The gap analysis for the report files of [from, to]: the questionnaire asked on the pad (else
 * the web, else staff), compared with the as long period just before; NULL when none is active. */
json_t *hq__survey_report_gap(struct hq_app *a, int32_t from, int32_t to);

#endif
