/* SPDX-License-Identifier: MIT */
/*
 * api_media.c — what the hall says and shows: call announcements as WAV for the display page, the
 * ticket's QR code as PNG and the whole ticket as PNG/PDF for kiosks with a screen only. Thin
 * callers of the media use cases (src/app/uc_media.c); all public (a ticket by its secret id).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../media/hq_media.h"
#include "api.h"

#define ANNOUNCE_WAIT_MS 5000

/* A public link to path + id (a ticket's tracking page, a booking's page): the configured public
 * base (PUT /hall public_url), else the address the client used (its Host header, when it is a
 * plain host[:port]; 127.0.0.1 otherwise). Declared in api.h; used by every QR code. */
void hq__public_link(struct hq_app *a, const struct hq_req *req, const char *path, const char *id,
                     char *url, size_t cap)
{
    const char *base = hq_app_public_url(a);
    const char *host = hq_req_header(req, "Host");
    if (!host || !host[0] || strlen(host) > 255 ||
        strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") !=
            strlen(host))
        host = "127.0.0.1";
    if (base[0])
        snprintf(url, cap, "%s%s%s", base, path, id);
    else
        snprintf(url, cap, "http://%s%s%s", host, path, id);
}

int hq__reply_qr(struct hq_res *res, const char *url, struct hq_why *why)
{
    unsigned char *png = NULL;
    size_t len = 0;
    if (hq_qr_png(url, 8, &png, &len) != 0)
        return hq_fail(why, HQ_EINTERNAL, "", "cannot draw the QR code");
    res->body = (char *)png;
    res->body_len = len;
    res->content_type = "image/png";
    return 0;
}

static int image(struct hq_app *a, struct hq_req *req, struct hq_res *res, struct hq_why *why,
                 enum hq_ticket_image kind, const char *type)
{
    char url[768];
    hq__public_link(a, req, "/t/", req->params[0], url, sizeof url);
    unsigned char *out = NULL;
    size_t len = 0;
    int rc = hq_app_ticket_image(a, req->params[0], url, kind, &out, &len, why);
    if (rc) return rc;
    res->body = (char *)out;
    res->body_len = len;
    res->content_type = type;
    return 0;
}

HQ_API(api_ticket_qr_png)
{
    return image(a, req, res, why, HQ_TICKET_IMAGE_QR_PNG, "image/png");
}

HQ_API(api_ticket_png)
{
    return image(a, req, res, why, HQ_TICKET_IMAGE_PNG, "image/png");
}

HQ_API(api_ticket_pdf)
{
    return image(a, req, res, why, HQ_TICKET_IMAGE_PDF, "application/pdf");
}

/* 503 {"error":{"code":"not_ready",…}}: the audio is still being rendered; try again. */
static int not_ready(struct hq_res *res, const struct hq_why *why)
{
    res->status = 503;
    res->json = json_pack("{s:{s:s,s:s}}", "error", "code", "not_ready", "message", why->message);
    return 0;
}

HQ_API(api_announcement)
{
    const char *number = hq_req_query(req, "number");
    const char *window = hq_req_query(req, "window");
    if (!number || !hq_app_announcement_number_valid(number))
        return hq_fail(why, HQ_EINVAL, "number",
                       "number: 1-2 capital letters then 3-5 digits, such as A001");
    if (!window || !window[0] || strlen(window) > 4 ||
        strspn(window, "0123456789") != strlen(window) || window[0] == '0')
        return hq_fail(why, HQ_EINVAL, "window", "window: a number from 1 to 9999");
    unsigned char *wav = NULL;
    size_t len = 0;
    int rc =
        hq_app_announcement(a, number, (int32_t)atoi(window), ANNOUNCE_WAIT_MS, &wav, &len, why);
    if (rc == HQ_APP_PENDING) return not_ready(res, why);
    if (rc) return rc;
    res->body = (char *)wav;
    res->body_len = len;
    res->content_type = "audio/wav";
    res->cache_control = "public, max-age=86400";
    return 0;
}
