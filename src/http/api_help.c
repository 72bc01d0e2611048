/* SPDX-License-Identifier: MIT */
/*
 * api_help.c — help requests (uc_help.c): POST /help from a kiosk, a pad or a ticket holder,
 * GET /help/{id} for the asker, and the guide's GET /help, POST /help/{id}/ack and /close; GET
 * /speech/{key}, the large-type mode's buttons read aloud (uc_speech.c).
 */
#include <string.h>

#include "../app/hq_help.h"
#include "api.h"

HQ_API(api_help_create)
{
    bool created = false;
    int rc = hq_app_help_request(a, &req->actor, req->body, &res->json, &created, why);
    if (rc == 0) res->status = created ? 201 : 200;
    return rc;
}

HQ_API(api_help_get)
{
    return hq_app_help_get(a, req->params[0], &res->json, why);
}

HQ_API(api_help_list)
{
    (void)req;
    return hq_app_help_list(a, &res->json, why);
}

HQ_API(api_help_ack)
{
    return hq_app_help_action(a, &req->actor, req->params[0], "ack", &res->json, why);
}

HQ_API(api_help_close)
{
    return hq_app_help_action(a, &req->actor, req->params[0], "close", &res->json, why);
}

HQ_API(api_speech)
{
    const char *lang = hq_req_query(req, "lang");
    if (lang && strcmp(lang, "zh") != 0 && strcmp(lang, "en") != 0)
        return hq_fail(why, HQ_EINVAL, "lang", "lang: zh or en");
    unsigned char *wav = NULL;
    size_t len = 0;
    int rc = hq_app_speech(a, req->params[0], lang && strcmp(lang, "en") == 0, &wav, &len, why);
    if (rc) return rc;
    res->body = (char *)wav;
    res->body_len = len;
    res->content_type = "audio/wav";
    res->cache_control = "public, max-age=3600";
    return 0;
}
