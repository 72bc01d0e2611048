/* SPDX-License-Identifier: MIT */
/*
 * api_complaints.c — complaint handling and improvement actions over HTTP (docs/COMPLAINTS.md):
 * the staff list and view of complaints, the staff actions, the complainant's verdict by tracking
 * code, and improvement actions. Thin callers of src/app/uc_complaints.c; roles are checked by the
 * server from the route table before these run.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"

HQ_API(api_complaints_list)
{
    const char *status = hq_req_query(req, "status");
    const char *overdue = hq_req_query(req, "overdue");
    const char *lim = hq_req_query(req, "limit");
    bool only_overdue = false;
    if (overdue) {
        if (strcmp(overdue, "true") == 0 || strcmp(overdue, "1") == 0)
            only_overdue = true;
        else if (strcmp(overdue, "false") != 0 && strcmp(overdue, "0") != 0 && *overdue)
            return hq_fail(why, HQ_EINVAL, "overdue", "overdue: true or false");
    }
    long n = 0;
    if (lim) {
        char *end = NULL;
        n = strtol(lim, &end, 10);
        if (!*lim || *end || n < 1 || n > 5000)
            return hq_fail(why, HQ_EINVAL, "limit", "limit: an integer from 1 to 5000");
    }
    return hq_app_complaints_list(a, status, only_overdue, (size_t)n, &res->json, why);
}

HQ_API(api_complaint_get)
{
    return hq_app_complaint_get(a, req->params[0], &res->json, why);
}

HQ_API(api_complaint_action)
{
    return hq_app_complaint_action(a, &req->actor, req->params[0], req->params[1], req->body,
                                   &res->json, why);
}

HQ_API(api_complaint_verdict)
{
    if (!req->body) return hq_fail(why, HQ_EINVAL, "satisfied", "satisfied: required");
    return hq_app_complaint_verdict(a, &req->actor, req->params[0], req->body, &res->json, why);
}

HQ_API(api_improvements_list)
{
    return hq_app_improvements_list(a, hq_req_query(req, "status"), &res->json, why);
}

HQ_API(api_improvement_create)
{
    int rc = hq_app_improvement_create(a, &req->actor, req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}

HQ_API(api_improvement_close)
{
    return hq_app_improvement_close(a, &req->actor, req->params[0], req->body, &res->json, why);
}
