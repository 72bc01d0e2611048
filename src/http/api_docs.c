/* SPDX-License-Identifier: MIT */
/*
 * api_docs.c — GET /api/docs: the rendered API reference. It sends the browser to the page
 * web/api-docs.html, served like the other pages (with their Content-Security-Policy), which
 * renders /api/v1/openapi.json with Redoc's standalone bundle built into the binary: no network.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

HQ_API(api_docs)
{
    (void)a;
    (void)req;
    static const char page[] = "<!doctype html><meta charset=utf-8><title>API</title>"
                               "<a href=\"/api-docs.html\">API 参考 · API reference</a>\n";
    res->body = malloc(sizeof page);
    if (!res->body) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    memcpy(res->body, page, sizeof page);
    res->body_len = sizeof page - 1;
    res->content_type = "text/html; charset=utf-8";
    res->status = 302;
    res->cache_control = "no-cache";
    snprintf(res->location, sizeof res->location, "/api-docs.html");
    return 0;
}
