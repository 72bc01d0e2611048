/* SPDX-License-Identifier: MIT */
/*
 * api_calendar.c — the working-day calendar over HTTP (API.md "Working-day calendar"): a year's
 * holidays and make-up working days, read by anyone, replaced by the admin. Thin callers of
 * src/app/uc_calendar.c.
 */
#include "../app/hq_appointments.h"
#include "api.h"

HQ_API(api_calendar_get)
{
    return hq_app_calendar_get(a, req->params[0], &res->json, why);
}

HQ_API(api_calendar_put)
{
    return hq_app_calendar_put(a, &req->actor, req->params[0], req->body, &res->json, why);
}
