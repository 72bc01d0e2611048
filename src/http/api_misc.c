/* SPDX-License-Identifier: MIT */
/* api_misc.c — health, the OpenAPI document, sign-in, the hall settings and the display. */
#include <stdio.h>
#include <string.h>

#include "api.h"

HQ_API(api_health)
{
    (void)a;
    (void)req;
    (void)why;
    res->json = json_pack("{s:s}", "status", "ok");
    return 0;
}

HQ_API(api_openapi)
{
    (void)a;
    (void)req;
    const struct hq_asset *doc = hq_asset_find("/openapi.json");
    if (!doc) return hq_fail(why, HQ_ENOTFOUND, "", "the OpenAPI document is not built in");
    res->json = json_loadb((const char *)doc->data, doc->len, 0, NULL);
    return res->json ? 0 : hq_fail(why, HQ_EINTERNAL, "", "built-in openapi.json is invalid");
}

HQ_API(api_auth_login)
{
    const char *key;
    json_t *v;
    json_object_foreach(req->body, key, v)
    {
        if (strcmp(key, "username") != 0 && strcmp(key, "password") != 0)
            return hq_fail(why, HQ_EINVAL, key, "%.40s: unknown field", key);
    }
    json_t *u = json_object_get(req->body, "username"), *p = json_object_get(req->body, "password");
    if (!json_is_string(u))
        return hq_fail(why, HQ_EINVAL, "username", "username: required, a string");
    if (!json_is_string(p) || json_string_length(p) > 1024)
        return hq_fail(why, HQ_EINVAL, "password", "password: required, a string");
    json_t *out = NULL;
    int rc = hq_app_login(a, json_string_value(u), json_string_value(p), req->actor.ip, &out, why);
    if (rc) return rc;
    snprintf(res->set_cookie[0], sizeof res->set_cookie[0],
             "hq_session=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200",
             json_string_value(json_object_get(out, "token")));
    res->json = out;
    return 0;
}

HQ_API(api_auth_logout)
{
    int rc = hq_app_logout(a, req->token, why);
    if (rc) return rc;
    snprintf(res->set_cookie[0], sizeof res->set_cookie[0],
             "hq_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    res->json = json_pack("{s:b}", "ok", 1);
    return 0;
}

HQ_API(api_auth_me)
{
    (void)a;
    (void)why;
    res->json = json_pack("{s:s,s:s}", "username", req->actor.username, "role",
                          hq_role_name(req->actor.role));
    return 0;
}

HQ_API(api_hall_get)
{
    (void)req;
    (void)why;
    return hq_app_hall_get(a, &res->json);
}

HQ_API(api_hall_put)
{
    if (!req->body)
        return hq_fail(why, HQ_EINVAL, "", "a JSON object with the settings to change is required");
    return hq_app_hall_update(a, &req->actor, req->body, &res->json, why);
}

/* Managers act in an emergency without the admin's other settings: only these three fields. */
HQ_API(api_hall_emergency)
{
    if (!req->body)
        return hq_fail(why, HQ_EINVAL, "",
                       "a JSON object such as {\"suspended\":true,"
                       "\"suspend_reason\":\"…\"} is required");
    const char *key;
    json_t *v;
    json_object_foreach(req->body, key, v)
    {
        if (strcmp(key, "suspended") && strcmp(key, "suspend_reason") && strcmp(key, "carry_over"))
            return hq_fail(why, HQ_EINVAL, key,
                           "%.40s: unknown field (suspended, suspend_reason, carry_over)", key);
    }
    json_t *s = json_object_get(req->body, "suspended");
    const char *r = json_string_value(json_object_get(req->body, "suspend_reason"));
    if (json_is_true(s) && (!r || !r[0]))
        return hq_fail(
            why, HQ_EINVAL, "suspend_reason",
            "suspend_reason: say why ticketing is suspended (it is shown to the public)");
    return hq_app_hall_update(a, &req->actor, req->body, &res->json, why);
}

HQ_API(api_display)
{
    (void)req;
    (void)why;
    return hq_app_display(a, &res->json);
}

HQ_API(api_advice)
{
    (void)req;
    return hq_app_advice(a, &res->json, why);
}

HQ_API(api_devices_list)
{
    (void)req;
    (void)why;
    return hq_app_devices_list(a, &res->json);
}

HQ_API(api_devices_create)
{
    int rc = hq_app_device_register(a, &req->actor, req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}
