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

HQ_API(api_appointment_qr_png)
{
    json_t *b = NULL;
    int rc = hq_app_appointment_get(a, req->params[0], &b, why);
    if (rc) return rc;
    char url[768];
    hq__public_link(a, req, "/book.html?b=", json_string_value(json_object_get(b, "id")), url,
                    sizeof url);
    json_decref(b);
    return hq__reply_qr(res, url, why);
}

HQ_API(api_appointment_change)
{
    return hq_app_appointment_change(a, &req->actor, req->params[0], req->body, &res->json, why);
}

/* The ID card hand-over between `hallq idreader` and the kiosk page (docs/IDCARD.md). */
HQ_API(api_idcard_hold)
{
    return hq_app_idcard_hold(a, &req->actor, req->body, &res->json, why);
}

HQ_API(api_idcard_take)
{
    (void)req;
    return hq_app_idcard_take(a, &req->actor, &res->json, why);
}
