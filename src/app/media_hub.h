/* SPDX-License-Identifier: MIT */
/*
 * media_hub.h — internals of the app's media wiring (uc_media.c), shared with app.c (open/close),
 * auth.c (a device's printer address) and uc_tickets.c (printing after issue). Callers outside
 * src/app use the hq_app_* media functions declared in hq_app.h.
 *
 * The hub is the app's media state: the voice (NULL when voice is off), the listener that turns
 * ticket.called/recalled events into announcement requests, the recent calls (number, window →
 * voice job and cache key) that GET /announcements serves, and the last device alerts (so a dead
 * printer raises one alert a minute, not one per ticket).
 */
#ifndef HQ_MEDIA_HUB_H
#define HQ_MEDIA_HUB_H

#include <stdbool.h>

#include "hq_app.h"

struct hq_media_hub;

/* Create the hub with voice off (hq_app_open). Returns NULL on out of memory: every media function
 * then behaves as with voice off. */
struct hq_media_hub *hq__media_new(void);
/* Unsubscribe, stop the voice worker, free everything (hq_app_close, after the writer has
 * stopped). NULL is a no-op. */
void hq__media_free(struct hq_app *a, struct hq_media_hub *h);

/* A printer address a device may be registered with: "a.b.c.d:port" (IPv4, port 1..65535) or
 * "file:/absolute/path" (a file or device such as /dev/usb/lp0; no ".." component). */
bool hq__printer_valid(const char *s);

/* After a ticket was issued and made durable (uc_tickets.c, mu NOT held): when the issuer is a
 * registered device with a printer, print the ticket (ESC/POS, at most ~3 s) and set
 * ticket_json["print"] = {"ok":true} or {"ok":false,"error":"…"}; on failure also commit a
 * "device.alert" event {"device","problem","detail"}. The ticket is never withdrawn. Blocks the
 * calling thread while printing: never call it with the hall lock held. */
void hq__media_after_issue(struct hq_app *a, const struct hq_actor *who, json_t *ticket_json);

#endif
