/* SPDX-License-Identifier: MIT */
/*
 * hq_help.h — help requests (uc_help.c): a customer at a kiosk or an evaluation pad, or holding a
 * ticket, asks for a guide; a guide acknowledges and closes the request. Documents of kind "help";
 * events help.requested, help.acknowledged, help.closed (no personal data: the device's name, the
 * window, the ticket's number — never the ticket's id).
 */
#ifndef HQ_HELP_H
#define HQ_HELP_H

#include "hq_app.h"

/* POST /help: in = {"from":"kiosk"|"pad"|"ticket","ticket":id,"window":n}. A request from a
 * ticket needs its id; from a kiosk or pad a registered device. A request already open from the
 * same place (device and window, or ticket) is answered again (*created false) instead of a new
 * one. */
int hq_app_help_request(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                        bool *created, struct hq_why *why);
/* POST /help/{id}/ack and /close (action "ack" or "close"). */
int hq_app_help_action(struct hq_app *a, const struct hq_actor *who, const char *id,
                       const char *action, json_t **out, struct hq_why *why);
/* GET /help: the requests of today, newest first (staff view). */
int hq_app_help_list(struct hq_app *a, json_t **out, struct hq_why *why);
/* GET /help/{id}: public view of one request (the asker follows it). */
int hq_app_help_get(struct hq_app *a, const char *id, json_t **out, struct hq_why *why);
/* For GET /stats: {"count","acknowledged","closed","median_ack_s"} of the requests made on local
 * days [from, to] (yyyymmdd). */
json_t *hq__help_counts(struct hq_app *a, int32_t from, int32_t to);

/* GET /speech/{key} (uc_speech.c): the WAV of a fixed phrase or a service's name (key svc-<code>)
 * in the hall's voice, Chinese or English. HQ_ENOTFOUND for any other key or when the server runs
 * without voice. *wav malloc'd (caller frees). */
int hq_app_speech(struct hq_app *a, const char *key, bool en, unsigned char **wav, size_t *len,
                  struct hq_why *why);

#endif
