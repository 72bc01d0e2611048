/* SPDX-License-Identifier: MIT */
/*
 * err.c — the one table that maps enum hq_err to an HTTP status and an API error code, and
 * hq_fail, which fills a struct hq_why for a refusal. No allocation, no I/O.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hq_core.h"

static const struct {
    int status;
    const char *name;
} err_table[HQ_ERR_COUNT_] = {
    [0] = {200, "ok"},
    [-HQ_EBADJSON] = {400, "bad_json"},
    [-HQ_EINVAL] = {400, "invalid_field"},
    [-HQ_EUNAUTH] = {401, "unauthenticated"},
    [-HQ_EFORBIDDEN] = {403, "forbidden"},
    [-HQ_ENOTFOUND] = {404, "not_found"},
    [-HQ_ECONFLICT] = {409, "conflict"},
    [-HQ_ETOOLARGE] = {413, "payload_too_large"},
    [-HQ_EMEDIA] = {415, "unsupported_media_type"},
    [-HQ_ERATE] = {429, "rate_limited"},
    [-HQ_ESUSPENDED] = {503, "suspended"},
    [-HQ_ESTORE] = {503, "store_unavailable"},
    [-HQ_EINTERNAL] = {500, "internal"},
    [-HQ_ENOMETHOD] = {405, "method_not_allowed"},
};

int hq_err_http_status(int code)
{
    if (code > 0 || code <= -HQ_ERR_COUNT_) return 500;
    return err_table[-code].status;
}

const char *hq_err_name(int code)
{
    if (code > 0 || code <= -HQ_ERR_COUNT_) return "internal";
    return err_table[-code].name;
}

int hq_fail(struct hq_why *why, int code, const char *field, const char *fmt, ...)
{
    if (!why) return code;
    why->code = code;
    why->retry_after_s = 0;
    snprintf(why->field, sizeof why->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why->message, sizeof why->message, fmt, ap);
    va_end(ap);
    return code;
}
