/* SPDX-License-Identifier: MIT */
/*
 * api_plan.c — the window plan over HTTP: GET /api/v1/plan (query parameters date, target_wait_s,
 * service_level, weeks), POST /api/v1/plan/what-if (JSON body), GET/PUT /api/v1/plan/holidays.
 * Thin callers of src/app/uc_plan.c: query strings become the JSON object the use case reads, a
 * malformed number is refused here naming its parameter.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

/* Put query parameter name into o as an integer or a number; absent: nothing. */
static int query_number(struct hq_req *req, json_t *o, const char *name, bool integer,
                        struct hq_why *why)
{
    const char *v = hq_req_query(req, name);
    if (!v) return 0;
    char *end = NULL;
    errno = 0;
    if (integer) {
        long long n = strtoll(v, &end, 10);
        if (!*v || *end || errno)
            return hq_fail(why, HQ_EINVAL, name, "%s must be an integer", name);
        json_object_set_new(o, name, json_integer(n));
    } else {
        double d = strtod(v, &end);
        if (!*v || *end || errno || !isfinite(d))
            return hq_fail(why, HQ_EINVAL, name, "%s must be a number", name);
        json_object_set_new(o, name, json_real(d));
    }
    return 0;
}

HQ_API(api_plan)
{
    json_t *in = json_object();
    const char *date = hq_req_query(req, "date");
    if (date) json_object_set_new(in, "date", json_string(date));
    int rc = query_number(req, in, "target_wait_s", true, why);
    if (!rc) rc = query_number(req, in, "service_level", false, why);
    if (!rc) rc = query_number(req, in, "weeks", true, why);
    if (!rc) rc = hq_app_plan(a, in, &res->json, why);
    json_decref(in);
    return rc;
}

HQ_API(api_plan_what_if)
{
    return hq_app_plan_what_if(a, req->body, &res->json, why);
}

HQ_API(api_plan_holidays_get)
{
    (void)req;
    return hq_app_plan_holidays_get(a, &res->json, why);
}

HQ_API(api_plan_holidays_put)
{
    return hq_app_plan_holidays_put(a, &req->actor, req->body, &res->json, why);
}
