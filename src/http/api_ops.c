/* SPDX-License-Identifier: MIT */
/*
 * api_ops.c — the operations records over HTTP (docs/OPERATIONS.md): emergency plans, drill and
 * risk-assessment schedules, incidents and their steps, the facility register and its log, device
 * heartbeats, the settings and overview of the records, and the hall's public information. Thin
 * callers of src/app/uc_ops*.c; roles are checked by the server from the route table first.
 */
#include "../app/hq_ops.h"
#include "api.h"

#define CREATED(call)                                                                              \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_ == 0) res->status = 201;                                                           \
        return rc_;                                                                                \
    } while (0)

HQ_API(api_ops_plans_list)
{
    (void)req;
    return hq_app_ops_plans_list(a, &res->json, why);
}

HQ_API(api_ops_plan_create)
{
    CREATED(hq_app_ops_plan_save(a, &req->actor, NULL, req->body, &res->json, why));
}

HQ_API(api_ops_plan_get)
{
    return hq_app_ops_plan_get(a, req->params[0], &res->json, why);
}

HQ_API(api_ops_plan_update)
{
    return hq_app_ops_plan_save(a, &req->actor, req->params[0], req->body, &res->json, why);
}

HQ_API(api_ops_plan_delete)
{
    return hq_app_ops_plan_delete(a, &req->actor, req->params[0], &res->json, why);
}

HQ_API(api_ops_plan_review)
{
    return hq_app_ops_plan_review(a, &req->actor, req->params[0], req->body, &res->json, why);
}

HQ_API(api_ops_schedules_list)
{
    (void)req;
    return hq_app_ops_schedules_list(a, &res->json, why);
}

HQ_API(api_ops_schedule_create)
{
    CREATED(hq_app_ops_schedule_save(a, &req->actor, NULL, req->body, &res->json, why));
}

HQ_API(api_ops_schedule_update)
{
    return hq_app_ops_schedule_save(a, &req->actor, req->params[0], req->body, &res->json, why);
}

HQ_API(api_ops_schedule_delete)
{
    return hq_app_ops_schedule_delete(a, &req->actor, req->params[0], &res->json, why);
}

HQ_API(api_ops_schedule_record)
{
    CREATED(hq_app_ops_schedule_record(a, &req->actor, req->params[0], req->body, &res->json, why));
}

HQ_API(api_ops_incidents_list)
{
    return hq_app_ops_incidents_list(a, hq_req_query(req, "status"), &res->json, why);
}

HQ_API(api_ops_incident_open)
{
    CREATED(hq_app_ops_incident_open(a, &req->actor, req->body, &res->json, why));
}

HQ_API(api_ops_incident_get)
{
    return hq_app_ops_incident_get(a, req->params[0], &res->json, why);
}

HQ_API(api_ops_incident_action)
{
    return hq_app_ops_incident_action(a, &req->actor, req->params[0], req->params[1], req->body,
                                      &res->json, why);
}

HQ_API(api_ops_facilities_list)
{
    (void)req;
    return hq_app_ops_facilities_list(a, &res->json, why);
}

HQ_API(api_ops_facility_create)
{
    CREATED(hq_app_ops_facility_save(a, &req->actor, NULL, req->body, &res->json, why));
}

HQ_API(api_ops_facility_update)
{
    return hq_app_ops_facility_save(a, &req->actor, req->params[0], req->body, &res->json, why);
}

HQ_API(api_ops_facility_delete)
{
    return hq_app_ops_facility_delete(a, &req->actor, req->params[0], &res->json, why);
}

HQ_API(api_ops_facility_log)
{
    CREATED(hq_app_ops_facility_log(a, &req->actor, req->params[0], req->body, &res->json, why));
}

HQ_API(api_ops_heartbeat)
{
    return hq_app_ops_heartbeat(a, &req->actor, &res->json, why);
}

HQ_API(api_ops_settings_get)
{
    (void)req;
    return hq_app_ops_settings_get(a, &res->json, why);
}

HQ_API(api_ops_settings_put)
{
    return hq_app_ops_settings_put(a, &req->actor, req->body, &res->json, why);
}

HQ_API(api_ops_overview)
{
    (void)req;
    return hq_app_ops_overview(a, &res->json, why);
}

HQ_API(api_info_get)
{
    (void)req;
    return hq_app_ops_info_get(a, &res->json, why);
}

HQ_API(api_info_put)
{
    return hq_app_ops_info_put(a, &req->actor, req->body, &res->json, why);
}
