/* SPDX-License-Identifier: MIT */
/*
 * api_devices.c — setting a hall up from the pages: the device life cycle after registration
 * (uc_devices.c), pairing by code (uc_pairing.c), retired windows (uc_retire.c) and the set-up as
 * JSON (uc_config_io.c). Listing and registering devices by key stay in api_misc.c.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"

HQ_API(api_device_update)
{
    return hq_app_device_update(a, &req->actor, req->params[0], req->body, &res->json, why);
}

HQ_API(api_device_revoke)
{
    return hq_app_device_revoke(a, &req->actor, req->params[0], &res->json, why);
}

HQ_API(api_device_delete)
{
    int rc = hq_app_device_delete(a, &req->actor, req->params[0], why);
    if (rc == 0) res->json = json_pack("{s:b,s:s}", "deleted", 1, "id", req->params[0]);
    return rc;
}

HQ_API(api_device_test_print)
{
    return hq_app_device_test_print(a, req->params[0], &res->json, why);
}

HQ_API(api_pairing_start)
{
    int rc = hq_app_pairing_start(a, &req->actor, req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}

HQ_API(api_pairing_poll)
{
    (void)req;
    return hq_app_pairing_poll(a, req->params[0], &res->json, why);
}

HQ_API(api_pairing_accept)
{
    int rc = hq_app_pairing_accept(a, &req->actor, req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}

/* The QR code a waiting device shows: the admin page with its code, for a phone signed in as
 * admin. The code is not a secret (an admin must still accept it); the device's id is. */
HQ_API(api_pairing_qr_png)
{
    char code[7];
    int rc = hq_app_pairing_code(a, req->params[0], code, why);
    if (rc) return rc;
    char url[768];
    hq__public_link(a, req, "/admin?pair=", code, url, sizeof url);
    return hq__reply_qr(res, url, why);
}

/* Retired windows (uc_retire.c) — here beside the devices: both are the admin correcting what was
 * set up by mistake. */
HQ_API(api_windows_retired)
{
    (void)req;
    (void)why;
    return hq_app_windows_retired(a, &res->json);
}

HQ_API(api_window_retire)
{
    int rc = hq_app_window_retire(a, &req->actor, req->body, &res->json, why);
    if (rc == 0) res->status = 201;
    return rc;
}

static int window_number(const char *s, int32_t *out, struct hq_why *why)
{
    char *end = NULL;
    long n = strtol(s, &end, 10);
    if (!*s || *end || n < 1 || n > 99999)
        return hq_fail(why, HQ_ENOTFOUND, "", "no retired window %s", s);
    *out = (int32_t)n;
    return 0;
}

HQ_API(api_window_restore)
{
    int32_t n = 0;
    int rc = window_number(req->params[0], &n, why);
    return rc ? rc : hq_app_window_restore(a, &req->actor, n, &res->json, why);
}

HQ_API(api_window_delete)
{
    int32_t n = 0;
    int rc = window_number(req->params[0], &n, why);
    return rc ? rc : hq_app_window_delete(a, &req->actor, n, &res->json, why);
}

/* The hall's set-up as JSON (uc_config_io.c). */
HQ_API(api_config_export)
{
    (void)req;
    (void)why;
    return hq_app_config_export(a, &res->json);
}

HQ_API(api_config_import)
{
    const char *dry = hq_req_query(req, "dry_run");
    if (dry && strcmp(dry, "true") != 0 && strcmp(dry, "false") != 0)
        return hq_fail(why, HQ_EINVAL, "dry_run", "dry_run: true or false");
    return hq_app_config_import(a, &req->actor, req->body, dry && strcmp(dry, "true") == 0,
                                &res->json, why);
}
