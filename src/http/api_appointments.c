/* SPDX-License-Identifier: MIT */
/*
 * api_appointments.c — appointments (预约) over HTTP (API.md "Appointments (预约) — the public
 * face", docs/APPOINTMENTS.md): slots, booking, the customer's view and cancel, check-in, the staff
 * list and the booking settings. Thin callers of src/app/uc_appointments.c; roles and the public
 * rate limit class are checked by the server from the route table before these run.
 */
#include <stdio.h>
#include <string.h>

#include "../app/hq_appointments.h"
#include "../media/hq_media.h"
#include "api.h"

HQ_API(api_appointment_slots)
{
    return hq_app_appointment_slots(a, hq_req_query(req, "service"), hq_req_query(req, "date"),
                                    &res->json, why);
}

HQ_API(api_appointment_book)
{
    int rc = hq_app_appointment_book(a, &req->actor, req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}

HQ_API(api_appointment_get)
{
    return hq_app_appointment_get(a, req->params[0], &res->json, why);
}

HQ_API(api_appointment_cancel)
{
    return hq_app_appointment_cancel(a, &req->actor, req->params[0], &res->json, why);
}

HQ_API(api_appointment_checkin)
{
    int rc = hq_app_appointment_checkin(a, &req->actor, req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}

HQ_API(api_appointments_list)
{
    return hq_app_appointments_list(a, hq_req_query(req, "date"), hq_req_query(req, "service"),
                                    &res->json, why);
}

HQ_API(api_appointment_settings_get)
{
    (void)req;
    (void)why;
    return hq_app_appointment_settings_get(a, &res->json);
}

HQ_API(api_appointment_settings_put)
{
    return hq_app_appointment_settings_put(a, &req->actor, req->body, &res->json, why);
}

/* The booking page's link of booking id: the configured public base, else the address the client
 * used (as the tickets' tracking link). */
static void booking_url(struct hq_app *a, const struct hq_req *req, const char *id, char *url,
                        size_t cap)
{
    const char *base = hq_app_public_url(a);
    const char *host = hq_req_header(req, "Host");
    if (!host || !host[0] || strlen(host) > 255 ||
        strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") !=
            strlen(host))
        host = "127.0.0.1";
    if (base[0])
        snprintf(url, cap, "%s/book.html?b=%s", base, id);
    else
        snprintf(url, cap, "http://%s/book.html?b=%s", host, id);
}

HQ_API(api_appointment_qr_png)
{
    json_t *b = NULL;
    int rc = hq_app_appointment_get(a, req->params[0], &b, why);
    if (rc) return rc;
    char url[768];
    booking_url(a, req, json_string_value(json_object_get(b, "id")), url, sizeof url);
    json_decref(b);
    unsigned char *png = NULL;
    size_t len = 0;
    if (hq_qr_png(url, 8, &png, &len) != 0)
        return hq_fail(why, HQ_EINTERNAL, "", "cannot draw the QR code");
    res->body = (char *)png;
    res->body_len = len;
    res->content_type = "image/png";
    return 0;
}
