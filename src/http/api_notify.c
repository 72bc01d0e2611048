/* SPDX-License-Identifier: MIT */
/*
 * api_notify.c — the notifiers over HTTP (docs/NOTIFY.md): list, create, change and delete the
 * hall's webhook and command notifiers (admin; the route table checks the role). Thin callers of
 * src/app/uc_notify.c; the secret is never in an answer.
 */
#include "../app/notify.h"
#include "api.h"

HQ_API(api_notifiers_list)
{
    (void)req;
    return hq_app_notifiers_list(a, &res->json, why);
}

HQ_API(api_notifier_create)
{
    if (!req->body) return hq_fail(why, HQ_EINVAL, "kind", "kind: webhook or command");
    int rc = hq_app_notifier_create(a, &req->actor, req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}

HQ_API(api_notifier_update)
{
    if (!req->body) return hq_fail(why, HQ_EINVAL, "kind", "kind: webhook or command");
    return hq_app_notifier_update(a, &req->actor, req->params[0], req->body, &res->json, why);
}

HQ_API(api_notifier_delete)
{
    return hq_app_notifier_delete(a, &req->actor, req->params[0], &res->json, why);
}
