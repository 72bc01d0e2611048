/* SPDX-License-Identifier: MIT */
/* api_feedback.c — notices, evaluations and complaints. */
#include <stdlib.h>

#include "api.h"

HQ_API(api_notices_create)
{
    if (!req->body) return hq_fail(why, HQ_EINVAL, "text", "text: required");
    int rc = hq_app_notice_post(a, &req->actor, req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}

HQ_API(api_notice_delete)
{
    return hq_app_notice_clear(a, &req->actor, req->params[0], &res->json, why);
}

HQ_API(api_evaluations_create)
{
    if (!req->body) return hq_fail(why, HQ_EINVAL, "ticket", "ticket: required");
    int rc = hq_app_evaluation_create(a, &req->actor, req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}

HQ_API(api_evaluations_list)
{
    const char *lim = hq_req_query(req, "limit");
    long n = 100;
    if (lim) {
        char *end = NULL;
        n = strtol(lim, &end, 10);
        if (!*lim || *end || n < 1 || n > 1000)
            return hq_fail(why, HQ_EINVAL, "limit", "limit: an integer from 1 to 1000");
    }
    return hq_app_evaluations_list(a, 0, 0, (size_t)n, &res->json, why);
}

HQ_API(api_complaints_create)
{
    if (!req->body) return hq_fail(why, HQ_EINVAL, "content", "content: required");
    int rc = hq_app_complaint_create(a, &req->actor, req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}

HQ_API(api_complaint_track)
{
    return hq_app_complaint_track(a, req->params[0], &res->json, why);
}
