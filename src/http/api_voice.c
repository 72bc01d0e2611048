/* SPDX-License-Identifier: MIT */
/*
 * api_voice.c — voice packs (uc_voicepack.c, docs/MEDIA.md): GET/PUT /voice (active pack, repeat,
 * chime), the packs (POST /voice/packs, GET/DELETE /voice/packs/{id}, GET …/export), their clips
 * (PUT/GET/DELETE /voice/packs/{id}/clips/{phrase}; the PUT body is the WAV itself) and GET
 * /voice/preview (an announcement as the hall would hear it). Admin only.
 */
#include <stdlib.h>
#include <string.h>

#include "../app/hq_voicepack.h"
#include "api.h"

HQ_API(api_voice_get)
{
    (void)req;
    return hq_app_voice_settings(a, &res->json, why);
}

HQ_API(api_voice_put)
{
    return hq_app_voice_settings_put(a, &req->actor, req->body, &res->json, why);
}

HQ_API(api_voice_pack_create)
{
    int rc = hq_app_voice_pack_create(a, &req->actor, req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}

HQ_API(api_voice_pack_get)
{
    return hq_app_voice_pack_get(a, req->params[0], &res->json, why);
}

HQ_API(api_voice_pack_delete)
{
    int rc = hq_app_voice_pack_delete(a, &req->actor, req->params[0], why);
    if (rc == 0) res->json = json_pack("{s:b,s:s}", "deleted", 1, "id", req->params[0]);
    return rc;
}

HQ_API(api_voice_pack_export)
{
    return hq_app_voice_pack_export(a, req->params[0], &res->json, why);
}

HQ_API(api_voice_clip_put)
{
    return hq_app_voice_clip_put(a, &req->actor, req->params[0], req->params[1],
                                 (const unsigned char *)req->raw_body, req->raw_len, &res->json,
                                 why);
}

static int wav_response(struct hq_res *res, unsigned char *wav, size_t len, const char *cache)
{
    res->body = (char *)wav;
    res->body_len = len;
    res->content_type = "audio/wav";
    res->cache_control = cache;
    return 0;
}

HQ_API(api_voice_clip_get)
{
    unsigned char *wav = NULL;
    size_t len = 0;
    int rc = hq_app_voice_clip_get(a, req->params[0], req->params[1], &wav, &len, why);
    return rc ? rc : wav_response(res, wav, len, "no-store");
}

HQ_API(api_voice_clip_delete)
{
    int rc = hq_app_voice_clip_delete(a, &req->actor, req->params[0], req->params[1], why);
    if (rc == 0) res->json = json_pack("{s:b,s:s}", "deleted", 1, "id", req->params[1]);
    return rc;
}

HQ_API(api_voice_preview)
{
    const char *number = hq_req_query(req, "number"), *w = hq_req_query(req, "window");
    char *end = NULL;
    long window = w ? strtol(w, &end, 10) : 0;
    if (!w || !*w || *end || window < 1 || window > 9999)
        return hq_fail(why, HQ_EINVAL, "window", "window: a number from 1 to 9999");
    unsigned char *wav = NULL;
    size_t len = 0;
    int rc = hq_app_voice_preview(a, number, (int32_t)window, &wav, &len, why);
    return rc ? rc : wav_response(res, wav, len, "no-store");
}
