/* SPDX-License-Identifier: MIT */
/*
 * api_records.c — records deleted for good: a service or a staff member created by mistake, while
 * nothing refers to it (uc_retire.c says what does, with 409). The path parameter is checked by
 * the route's pattern before the handler runs.
 */
#include "api.h"

HQ_API(api_service_delete_forever)
{
    return hq_app_service_delete_forever(a, &req->actor, req->params[0], &res->json, why);
}

HQ_API(api_staff_delete_forever)
{
    return hq_app_staff_delete_forever(a, &req->actor, req->params[0], &res->json, why);
}
