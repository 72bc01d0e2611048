/* SPDX-License-Identifier: MIT */
/* api_tickets.c — tickets: take, read, list, QR code, cancel, requeue. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "media/hq_media.h"

HQ_API(api_tickets_create)
{
    if (!req->body) return hq_fail(why, HQ_EINVAL, "service", "service: required");
    res->status = 201; /* kept for an answer given later; an error replaces it */
    return hq_app_ticket_issue_later(a, &req->actor, req->body, &res->json, why, req->later);
}

HQ_API(api_tickets_list)
{
    /* window= (call order at that window) and q= (number or phone): uc_ticket_find.c */
    return hq_app_tickets_find(a, &req->actor, hq_req_query(req, "status"),
                               hq_req_query(req, "service"), hq_req_query(req, "window"),
                               hq_req_query(req, "q"), &res->json, why);
}

HQ_API(api_ticket_get)
{
    return hq_app_ticket_get(a, req->params[0], &res->json, why);
}

HQ_API(api_ticket_qr)
{
    json_t *t = NULL;
    int rc = hq_app_ticket_get(a, req->params[0], &t, why);
    if (rc) return rc;
    json_decref(t);
    char url[768];
    hq__public_link(a, req, "/t/", req->params[0], url, sizeof url);
    char *svg = NULL;
    if (hq_qr_svg(url, &svg) != 0) return hq_fail(why, HQ_EINTERNAL, "", "cannot draw the QR code");
    res->body = svg;
    res->body_len = strlen(svg);
    res->content_type = "image/svg+xml";
    return 0;
}

HQ_API(api_ticket_cancel)
{
    return hq_app_ticket_cancel(a, &req->actor, req->params[0], &res->json, why);
}

HQ_API(api_ticket_requeue)
{
    return hq_app_ticket_requeue(a, &req->actor, req->params[0], req->body, &res->json, why);
}

HQ_API(api_ticket_rejoin)
{
    return hq_app_ticket_rejoin(a, req->params[0], false, &res->json, why);
}

HQ_API(api_ticket_rejoin_check)
{
    return hq_app_ticket_rejoin(a, req->params[0], true, &res->json, why);
}
