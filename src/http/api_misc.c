/* SPDX-License-Identifier: MIT */
/* api_misc.c — health and other small public endpoints. */
#include "api.h"

int api_health(struct hq_app *a, struct hq_req *req, struct hq_res *res, struct hq_why *why)
{
    (void)a;
    (void)req;
    (void)why;
    res->json = json_pack("{s:s}", "status", "ok");
    return 0;
}
