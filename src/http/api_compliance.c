/* SPDX-License-Identifier: MIT */
/*
 * api_compliance.c — the compliance report and the staff records over HTTP (managers and admins;
 * docs/COMPLIANCE.md): GET /api/v1/compliance?from&to (JSON), GET /api/v1/compliance.pdf
 * (the same as an A4 PDF), GET/PUT /api/v1/compliance/settings, training records (GET/POST
 * /api/v1/training, PUT/DELETE /api/v1/training/{id}), posts (GET/PUT
 * /api/v1/staff/{username}/post) and GET /api/v1/certifications/expiring?days=. Thin callers of
 * src/app (hq_compliance.h). The report shares the statistics' bounds (api_stats.c): one heavy
 * computation at a time (429 with Retry-After otherwise) and, over HTTP, a period of at most
 * HQ_STATS_MAX_DAYS_DEFAULT (93) days.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../app/hq_compliance.h"
#include "api.h"
#include "server_int.h"

static int report(struct hq_app *a, struct hq_req *req, struct hq_res *res, struct hq_why *why,
                  const char *format)
{
    const char *from = hq_req_query(req, "from"), *to = hq_req_query(req, "to");
    int rc = hq__heavy_enter(why);
    if (rc) return rc;
    json_t *r = NULL;
    rc = hq_app_compliance(a, from, to, HQ_STATS_MAX_DAYS_DEFAULT, &r, why);
    hq__heavy_leave();
    if (rc) return rc;
    if (strcmp(format, "json") == 0) {
        res->json = r;
        return 0;
    }
    unsigned char *out = NULL;
    size_t len = 0;
    rc = hq_compliance_render(r, format, &out, &len, why);
    json_decref(r);
    if (rc) return rc;
    res->body = (char *)out;
    res->body_len = len;
    res->content_type =
        strcmp(format, "pdf") == 0 ? "application/pdf" : "text/plain; charset=utf-8";
    return 0;
}

HQ_API(api_compliance)
{
    return report(a, req, res, why, "json");
}

HQ_API(api_compliance_pdf)
{
    return report(a, req, res, why, "pdf");
}

HQ_API(api_compliance_settings_get)
{
    (void)req;
    return hq_app_compliance_settings_get(a, &res->json, why);
}

HQ_API(api_compliance_settings_put)
{
    return hq_app_compliance_settings_put(a, &req->actor, req->body, &res->json, why);
}

HQ_API(api_training_list)
{
    return hq_app_training_list(a, hq_req_query(req, "staff"), &res->json, why);
}

HQ_API(api_training_create)
{
    int rc = hq_app_training_create(a, &req->actor, req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}

HQ_API(api_training_update)
{
    return hq_app_training_update(a, &req->actor, req->params[0], req->body, &res->json, why);
}

HQ_API(api_training_delete)
{
    return hq_app_training_delete(a, &req->actor, req->params[0], &res->json, why);
}

HQ_API(api_post_get)
{
    return hq_app_post_get(a, req->params[0], &res->json, why);
}

HQ_API(api_post_put)
{
    return hq_app_post_put(a, &req->actor, req->params[0], req->body, &res->json, why);
}

HQ_API(api_certifications_expiring)
{
    const char *d = hq_req_query(req, "days");
    long days = 0;
    if (d) {
        char *end = NULL;
        days = strtol(d, &end, 10);
        if (!*d || *end || days < 1 || days > 3650)
            return hq_fail(why, HQ_EINVAL, "days", "days: must be between %lld and %lld", 1LL,
                           3650LL);
    }
    return hq_app_certifications_expiring(a, (int32_t)days, &res->json, why);
}
