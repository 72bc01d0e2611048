/* SPDX-License-Identifier: MIT */
/* api_config.c — services, windows (including the clerk's actions) and staff. */
#include <stdlib.h>
#include <string.h>

#include "api.h"

/* A window number from the path: 1..9999, digits only, else 404. */
static int window_number(const struct hq_req *req, int32_t *out, struct hq_why *why)
{
    const char *s = req->params[0];
    size_t n = strlen(s);
    if (n == 0 || n > 4 || strspn(s, "0123456789") != n || atoi(s) == 0)
        return hq_fail(why, HQ_ENOTFOUND, "", "no window '%.8s'", s);
    *out = atoi(s);
    return 0;
}

static json_t *body_or_empty(struct hq_req *req)
{
    return req->body ? req->body : NULL;
}

HQ_API(api_services_list)
{
    (void)req;
    (void)why;
    return hq_app_services_list(a, &res->json);
}

HQ_API(api_service_create)
{
    if (!req->body)
        return hq_fail(why, HQ_EINVAL, "", "a JSON object describing the service is required");
    int rc = hq_app_service_create(a, &req->actor, req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}

HQ_API(api_service_update)
{
    if (!req->body)
        return hq_fail(why, HQ_EINVAL, "", "a JSON object with the fields to change is required");
    return hq_app_service_update(a, &req->actor, req->params[0], req->body, &res->json, why);
}

HQ_API(api_service_delete)
{
    return hq_app_service_disable(a, &req->actor, req->params[0], &res->json, why);
}

HQ_API(api_windows_list)
{
    (void)req;
    (void)why;
    return hq_app_windows_list(a, &res->json);
}

HQ_API(api_window_get)
{
    int32_t n = 0;
    int rc = window_number(req, &n, why);
    return rc ? rc : hq_app_window_get(a, n, &res->json, why);
}

HQ_API(api_window_create)
{
    if (!req->body)
        return hq_fail(why, HQ_EINVAL, "", "a JSON object describing the window is required");
    int rc = hq_app_window_create(a, &req->actor, req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}

HQ_API(api_window_update)
{
    int32_t n = 0;
    int rc = window_number(req, &n, why);
    if (rc) return rc;
    if (!req->body)
        return hq_fail(why, HQ_EINVAL, "", "a JSON object with the fields to change is required");
    return hq_app_window_update(a, &req->actor, n, req->body, &res->json, why);
}

HQ_API(api_window_action)
{
    int32_t n = 0;
    int rc = window_number(req, &n, why);
    if (rc) return rc;
    return hq_app_window_action_later(a, &req->actor, n, req->params[1], body_or_empty(req),
                                      &res->json, why, req->later);
}

HQ_API(api_window_pending_eval)
{
    int32_t n = 0;
    int rc = window_number(req, &n, why);
    if (rc) return rc;
    /* device or staff: checked by the gate generated from api/routes (routes.c) */
    return hq_app_window_pending_eval(a, n, &res->json, why);
}

HQ_API(api_staff_list)
{
    return hq_app_staff_list(a, &req->actor, &res->json, why);
}

HQ_API(api_staff_create)
{
    if (!req->body)
        return hq_fail(why, HQ_EINVAL, "", "a JSON object describing the staff member is required");
    int rc = hq_app_staff_create(a, &req->actor, req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}

HQ_API(api_staff_update)
{
    if (!req->body)
        return hq_fail(why, HQ_EINVAL, "", "a JSON object with the fields to change is required");
    return hq_app_staff_update(a, &req->actor, req->params[0], req->body, &res->json, why);
}
