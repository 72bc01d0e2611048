/* SPDX-License-Identifier: MIT */
/*
 * api_retired.c — retired services and staff (uc_retire_records.c, routes in
 * api/routes/300-services-retired.json and 301-staff-retired.json): their lists, retire (201) and
 * restore. Deleting them for good is api_records.c's. The path parameter is checked by the
 * route's pattern before the handler runs.
 */
#include "api.h"

HQ_API(api_services_retired)
{
    (void)req;
    (void)why;
    return hq_app_services_retired(a, &res->json);
}

HQ_API(api_service_retire)
{
    int rc = hq_app_service_retire(a, &req->actor, req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}

HQ_API(api_service_restore)
{
    return hq_app_service_restore(a, &req->actor, req->params[0], &res->json, why);
}

HQ_API(api_staff_retired)
{
    (void)req;
    (void)why;
    return hq_app_staff_retired(a, &res->json);
}

HQ_API(api_staff_retire)
{
    int rc = hq_app_staff_retire(a, &req->actor, req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}

HQ_API(api_staff_restore)
{
    return hq_app_staff_restore(a, &req->actor, req->params[0], &res->json, why);
}
