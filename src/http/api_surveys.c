/* SPDX-License-Identifier: MIT */
/*
 * api_surveys.c — satisfaction surveys and their gap analysis over HTTP (docs/SURVEYS.md; routes
 * in api/routes/200-surveys.json): questionnaires (defined by admins, versioned), the active one
 * per channel, answers (pad, tracking page, staff entry) and the analysis. Thin callers of
 * src/app/uc_surveys.c and uc_survey_analysis.c.
 */
#include "../app/hq_surveys.h"
#include "api.h"

HQ_API(api_questionnaires_list)
{
    (void)req;
    return hq_app_questionnaires_list(a, &res->json, why);
}

HQ_API(api_questionnaire_create)
{
    int rc = hq_app_questionnaire_create(a, &req->actor, req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}

HQ_API(api_questionnaire_get)
{
    return hq_app_questionnaire_get(a, req->params[0], &res->json, why);
}

HQ_API(api_questionnaire_update)
{
    return hq_app_questionnaire_update(a, &req->actor, req->params[0], req->body, &res->json, why);
}

HQ_API(api_questionnaire_version)
{
    int rc =
        hq_app_questionnaire_version(a, &req->actor, req->params[0], req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}

HQ_API(api_survey_active_get)
{
    return hq_app_survey_active_get(a, req->params[0], hq_req_query(req, "ticket"), &res->json,
                                    why);
}

HQ_API(api_survey_active_put)
{
    return hq_app_survey_active_put(a, &req->actor, req->params[0], req->body, &res->json, why);
}

HQ_API(api_survey_answer)
{
    int rc = hq_app_survey_answer(a, &req->actor, req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}

HQ_API(api_survey_answers_list)
{
    return hq_app_survey_answers_list(a, hq_req_query(req, "questionnaire"),
                                      hq_req_query(req, "from"), hq_req_query(req, "to"),
                                      hq_req_query(req, "limit"), &res->json, why);
}

HQ_API(api_survey_analysis)
{
    return hq_app_survey_analysis(a, hq_req_query(req, "questionnaire"), hq_req_query(req, "from"),
                                  hq_req_query(req, "to"), hq_req_query(req, "b_from"),
                                  hq_req_query(req, "b_to"), &res->json, why);
}
