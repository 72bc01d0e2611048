/* SPDX-License-Identifier: MIT */
/*
 * notify.h — notifiers (docs/NOTIFY.md): the hall's webhook and command notifiers, the durable
 * outbox of deliveries and the one function other use cases call to send a message to a
 * customer's phone through them (hq__notify_enqueue). Notifiers are the only place a phone number
 * leaves hallq.
 *
 * Deliveries are documents ("notify.out", delivery id) written in the SAME batch as the change
 * that causes them, so a delivery exists exactly when its change is durable; a delivery thread
 * sends them (webhook: POST with an HMAC-SHA256 signature; command: the body on stdin) and
 * deletes each one once a receiver took it (2xx, or exit status 0), retrying the rest with
 * growing delays for at least 24 h.
 */
#ifndef HQ_NOTIFY_H
#define HQ_NOTIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hq_app.h"

/* ---- for other use cases (appointments …) ---- */

/* Call with the hall lock (mu) HELD, while filling batch b for a change: adds one outbox document
 * to b for every notifier subscribed to `type` ("ticket.near", "ticket.called",
 * "appointment.booked", "appointment.reminder"). The delivery exists once b is committed, and
 * never if it is not. phone: the customer's number (required; nothing is queued without one).
 * ticket: the body's "ticket" object ({"number","service","ahead","window"}) or NULL (null);
 * appointment: the body's "appointment" object or NULL (null). Both are STOLEN: the function
 * takes the references, on success and on failure alike. The message text is built from them
 * (docs/NOTIFY.md says which fields it reads). Returns how many deliveries were queued (0 when
 * no notifier wants type), or HQ_EINTERNAL (out of memory; b may hold some of them). */
int hq__notify_enqueue(struct hq_app *a, struct hq_batch *b, const char *type, const char *phone,
                       json_t *ticket, json_t *appointment);

/* ---- use cases of the routes /notifiers (admin; the secret is never read back) ---- */
int hq_app_notifiers_list(struct hq_app *a, json_t **out, struct hq_why *why);
int hq_app_notifier_create(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                           struct hq_why *why);
int hq_app_notifier_update(struct hq_app *a, const struct hq_actor *who, const char *id, json_t *in,
                           json_t **out, struct hq_why *why);
int hq_app_notifier_delete(struct hq_app *a, const struct hq_actor *who, const char *id,
                           json_t **out, struct hq_why *why);

/* ---- pure parts (notify_body.c), unit-tested ---- */

#define HQ_NOTIFY_TIMEOUT_S 10                    /* no answer within this: retried */
#define HQ_NOTIFY_GIVE_UP_MS (25 * 3600 * 1000LL) /* retried for at least 24 h */
#define HQ_NOTIFY_MAX_DELAY_MS (3600 * 1000LL)    /* never more than an hour between tries */

/* Milliseconds to wait after the attempts-th failed attempt (1, 2 …): base, 2 base, 4 base …,
 * at most HQ_NOTIFY_MAX_DELAY_MS. base_ms 10,000 in service. */
int64_t hq_notify_backoff_ms(int attempts, int64_t base_ms);

/* "sha256=" + hex HMAC-SHA256 of body[0..len) with the secret into out[7 + 64 + 1]. */
void hq_notify_signature(const char *secret, const char *body, size_t len, char out[72]);

/* The message text of a delivery: {"zh","en"} for type with its ticket or appointment object
 * (borrowed, may be NULL). New reference. */
json_t *hq_notify_text(const char *type, json_t *ticket, json_t *appointment);

/* The body as the receiver gets it (API.md): {"id","type","at","to":{"phone"},"text",
 * "ticket","appointment"}, compact JSON text (malloc'd; caller frees), NULL on out of memory.
 * ticket/appointment/text borrowed, NULL = null. */
char *hq_notify_body(const char *id, const char *type, const char *at, const char *phone,
                     json_t *text, json_t *ticket, json_t *appointment);

/* Whether type is one of the four event types a notifier can subscribe to. */
bool hq_notify_type_known(const char *type);

#endif
