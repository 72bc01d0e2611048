/* SPDX-License-Identifier: MIT */
/*
 * http_util.c — small pure helpers of the HTTP layer: route pattern matching with {param}
 * segments (URL-decoded, refused when a parameter would carry '/', NUL or more than 127 bytes),
 * request header and query look-ups, the JSON error body of API.md, a bounded byte buffer, and the
 * masking of secrets (ticket ids, tracking codes) in logged paths. No I/O, no global state.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server_int.h"

/* ---- bounded buffer ---- */

void hq__buf_init(struct hq_buf *b, size_t max)
{
    b->p = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

void hq__buf_release(struct hq_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

int hq__buf_add(struct hq_buf *b, const void *p, size_t n)
{
    if (b->max && (n > b->max || b->len > b->max - n)) return -1;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        if (b->max && cap > b->max + 1) cap = b->max + 1;
        char *q = realloc(b->p, cap);
        if (!q) return -1;
        b->p = q;
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int hq__buf_printf(struct hq_buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return -1;
    if ((size_t)n < sizeof small) return hq__buf_add(b, small, (size_t)n);
    char *big = malloc((size_t)n + 1);
    if (!big) return -1;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = hq__buf_add(b, big, (size_t)n);
    free(big);
    return rc;
}

/* ---- URL decoding and route matching ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int hq__url_decode(const char *src, size_t n, char *out, size_t outsz)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = src[i];
        if (c == '%') {
            if (i + 2 >= n) return -1;
            int h = hexval(src[i + 1]), l = hexval(src[i + 2]);
            if (h < 0 || l < 0) return -1;
            c = (char)(h * 16 + l);
            i += 2;
        }
        if (c == '\0') return -1;
        if (o + 1 >= outsz) return -1;
        out[o++] = c;
    }
    if (o >= outsz) return -1;
    out[o] = '\0';
    return (int)o;
}

bool hq_route_match(const char *pattern, const char *path, char params[2][128], int *n_params)
{
    int np = 0;
    const char *p = pattern, *s = path;
    char tmp[2][128];
    if (!pattern || !path) return false;
    for (;;) {
        if (*p != '/' || *s != '/') return false;
        p++;
        s++;
        const char *pe = strchr(p, '/');
        const char *se = strchr(s, '/');
        size_t pl = pe ? (size_t)(pe - p) : strlen(p);
        size_t sl = se ? (size_t)(se - s) : strlen(s);
        if (pl >= 2 && p[0] == '{' && p[pl - 1] == '}') {
            if (np >= 2 || sl == 0) return false;
            int n = hq__url_decode(s, sl, tmp[np], sizeof tmp[np]);
            if (n <= 0 || n > 127 || memchr(tmp[np], '/', (size_t)n)) return false;
            np++;
        } else {
            char dec[256];
            int n = hq__url_decode(s, sl, dec, sizeof dec);
            if (n < 0 || (size_t)n != pl || memcmp(dec, p, pl) != 0) return false;
        }
        p += pl;
        s += sl;
        if (!*p && !*s) break;
        if (!*p || !*s) return false;
    }
    for (int i = 0; i < np; i++)
        memcpy(params[i], tmp[i], sizeof tmp[i]);
    *n_params = np;
    return true;
}

/* ---- request look-ups ---- */

const char *hq_req_header(const struct hq_req *r, const char *name)
{
    if (!r || !r->conn || !name) return NULL;
    return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_HEADER_KIND, name);
}

const char *hq_req_query(const struct hq_req *r, const char *name)
{
    if (!r || !r->conn || !name) return NULL;
    return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_GET_ARGUMENT_KIND,
                                       name);
}

bool hq__is_json_type(const char *ct)
{
    if (!ct) return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    static const char want[] = "application/json";
    if (strncasecmp(ct, want, sizeof want - 1) != 0) return false;
    ct += sizeof want - 1;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}

/* ---- errors ---- */

/* {"error":{"code","message","field"?,"reason","params","message_zh"}}: code, message (English)
 * and field as ever; reason, params and message_zh from the message catalogue (src/core/
 * messages.c) so a page says the refusal in its own language. A 500 never shows the details
 * of the bug: the general sentence only. */
json_t *hq__error_json(const struct hq_why *why)
{
    int code = why && why->code < 0 ? why->code : HQ_EINTERNAL;
    const char *msg = why && why->message[0] ? why->message : hq_err_name(code);
    bool bug = hq_err_http_status(code) == 500;
    json_t *err = json_object();
    json_object_set_new(err, "code", json_string(hq_err_name(code)));
    json_t *m = json_string(msg);
    if (!m) /* a message that is not valid UTF-8: never echo it */
        m = json_string(hq_err_name(code));
    json_object_set_new(err, "message", m);
    if (why && why->field[0]) {
        json_t *f = json_string(why->field);
        if (f) json_object_set_new(err, "field", f);
    }
    json_t *params = json_object();
    int n = bug ? 0 : hq_why_n_params(why);
    for (int i = 0; i < n; i++) {
        json_t *v = json_string(why->params[i].value);
        if (v) json_object_set_new(params, why->params[i].name, v);
    }
    struct hq_why plain = {.code = code};
    const struct hq_why *src = bug || !why ? &plain : why;
    json_object_set_new(err, "reason", json_string(hq_why_reason(src)));
    json_object_set_new(err, "params", params);
    char zh[512];
    json_t *z = json_string(hq_why_zh(src, zh, sizeof zh));
    if (!z) { /* a parameter that was not valid UTF-8: the general sentence */
        plain.code = code;
        z = json_string(hq_why_zh(&plain, zh, sizeof zh));
    }
    json_object_set_new(err, "message_zh", z);
    return json_pack("{s:o}", "error", err);
}

void hq_res_error(struct hq_res *res, const struct hq_why *why)
{
    int code = why && why->code < 0 ? why->code : HQ_EINTERNAL;
    json_decref(res->json);
    res->json = hq__error_json(why);
    free(res->body);
    res->body = NULL;
    res->body_len = 0;
    res->content_type = NULL;
    res->status = hq_err_http_status(code);
    /* 429 and 503 always say when to come back (RFC 9110 10.2.3); a minute unless told. */
    res->retry_after_s = why && why->retry_after_s > 0 ? why->retry_after_s : 0;
    if (!res->retry_after_s && (res->status == 429 || code == HQ_ESUSPENDED))
        res->retry_after_s = 60;
}

/* ---- log masking ---- */

void hq__log_path(const char *path, char *out, size_t outsz)
{
    size_t o = 0;
    bool mask_next = false;
    const char *s = path;
    if (outsz == 0) return;
    while (*s && o + 1 < outsz) {
        if (*s != '/') { /* only at the start of a relative or empty path */
            out[o++] = *s++;
            continue;
        }
        out[o++] = *s++;
        const char *e = strchr(s, '/');
        size_t seg = e ? (size_t)(e - s) : strlen(s), l = seg;
        if (mask_next && l > 4) {
            if (o + 4 + 3 >= outsz) break;
            memcpy(out + o, s, 4);
            o += 4;
            memcpy(out + o, "\xe2\x80\xa6", 3); /* … */
            o += 3;
        } else {
            if (o + l >= outsz) l = outsz - o - 1;
            memcpy(out + o, s, l);
            o += l;
        }
        mask_next = (seg == 1 && s[0] == 't') || (seg == 7 && memcmp(s, "tickets", 7) == 0) ||
                    (seg == 5 && memcmp(s, "track", 5) == 0);
        s += seg;
    }
    out[o] = '\0';
}
