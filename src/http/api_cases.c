/* SPDX-License-Identifier: MIT */
/*
 * api_cases.c — the 好差评 closed loop over HTTP (docs/EVALUATION.md): the evaluation settings,
 * the cases bad reviews open, their steps, appeals and improvement actions. Thin callers of
 * src/app/uc_cases*.c; the role gates are the route table's (api/routes/190-199).
 */
#include "../app/hq_cases.h"
#include "api.h"

HQ_API(api_eval_settings_get)
{
    (void)req;
    (void)why;
    return hq_app_eval_settings_get(a, &res->json);
}

HQ_API(api_eval_settings_put)
{
    return hq_app_eval_settings_put(a, &req->actor, req->body, &res->json, why);
}

HQ_API(api_cases_list)
{
    return hq_app_cases_list(a, &req->actor, hq_req_query(req, "status"), &res->json, why);
}

HQ_API(api_case_get)
{
    return hq_app_case_get(a, &req->actor, req->params[0], &res->json, why);
}

HQ_API(api_case_step)
{
    return hq_app_case_action(a, &req->actor, req->params[0], req->params[1], req->body, &res->json,
                              why);
}

HQ_API(api_case_appeal)
{
    return hq_app_case_action(a, &req->actor, req->params[0], "appeal", req->body, &res->json, why);
}

HQ_API(api_case_decision)
{
    return hq_app_case_action(a, &req->actor, req->params[0], "decision", req->body, &res->json,
                              why);
}

HQ_API(api_eval_stages)
{
    return hq_app_eval_stages(a, req->params[0], &res->json, why);
}
