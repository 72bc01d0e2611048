/* SPDX-License-Identifier: MIT */
/*
 * media_util.c — small pieces every file of src/media uses: error names and filling, a bounded
 * growable byte buffer (also a cairo write callback), and the validation of a ticket's strings
 * (valid UTF-8, no control characters, so nothing can inject printer commands or break a layout).
 * No I/O here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media_int.h"

const char *hq_media_err_name(int code)
{
    switch (code) {
    case HQ_MEDIA_OK:
        return "ok";
    case HQ_MEDIA_EINVAL:
        return "einval";
    case HQ_MEDIA_ENOMEM:
        return "enomem";
    case HQ_MEDIA_EPROGRAM:
        return "program";
    case HQ_MEDIA_EOFFLINE:
        return "offline";
    case HQ_MEDIA_EPAPER:
        return "paper_out";
    case HQ_MEDIA_EIO:
        return "io";
    case HQ_MEDIA_EBUSY:
        return "busy";
    case HQ_MEDIA_EPENDING:
        return "pending";
    case HQ_MEDIA_ENOTFOUND:
        return "not_found";
    case HQ_MEDIA_ECANCELLED:
        return "cancelled";
    default:
        return "unknown";
    }
}

int hq__media_fail(struct hq_media_why *why, int code, const char *fmt, ...)
{
    if (why) {
        va_list ap;
        va_start(ap, fmt);
        why->code = code;
        vsnprintf(why->message, sizeof why->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

void hq__mbuf_init(struct hq__mbuf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
    b->ok = true;
}

void hq__mbuf_add(struct hq__mbuf *b, const void *p, size_t n)
{
    if (!b->ok || n == 0) return;
    if (n > b->max - b->len) {
        b->ok = false;
        return;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        if (cap > b->max) cap = b->max;
        unsigned char *d = realloc(b->data, cap);
        if (!d) {
            b->ok = false;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void hq__mbuf_byte(struct hq__mbuf *b, unsigned char c)
{
    hq__mbuf_add(b, &c, 1);
}

void hq__mbuf_str(struct hq__mbuf *b, const char *s)
{
    hq__mbuf_add(b, s, strlen(s));
}

void hq__mbuf_release(struct hq__mbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

cairo_status_t hq__mbuf_cairo_write(void *closure, const unsigned char *data, unsigned int length)
{
    struct hq__mbuf *b = closure;
    hq__mbuf_add(b, data, length);
    return b->ok ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

bool hq__media_utf8_clean(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t c;
        int n;
        if (*p < 0x80) {
            c = *p;
            n = 0;
        } else if ((*p & 0xE0) == 0xC0) {
            c = *p & 0x1F;
            n = 1;
        } else if ((*p & 0xF0) == 0xE0) {
            c = *p & 0x0F;
            n = 2;
        } else if ((*p & 0xF8) == 0xF0) {
            c = *p & 0x07;
            n = 3;
        } else {
            return false;
        }
        p++;
        for (int i = 0; i < n; i++, p++) {
            if ((*p & 0xC0) != 0x80) return false;
            c = (c << 6) | (*p & 0x3F);
        }
        /* overlong forms, surrogates, beyond Unicode */
        if ((n == 1 && c < 0x80) || (n == 2 && c < 0x800) || (n == 3 && c < 0x10000) ||
            (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
            return false;
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) return false;
    }
    return true;
}

static int check_field(const char *name, const char *s, bool required, size_t max,
                       struct hq_media_why *why)
{
    if (!s || !*s) {
        if (required) return hq__media_fail(why, HQ_MEDIA_EINVAL, "%s: required", name);
        return 0;
    }
    if (strlen(s) > max)
        return hq__media_fail(why, HQ_MEDIA_EINVAL, "%s: longer than %zu bytes", name, max);
    if (!hq__media_utf8_clean(s))
        return hq__media_fail(why, HQ_MEDIA_EINVAL, "%s: invalid UTF-8 or a control character",
                              name);
    return 0;
}

int hq__media_ticket_check(const struct hq_print_ticket *t, struct hq_media_why *why)
{
    int rc;
    if (!t) return hq__media_fail(why, HQ_MEDIA_EINVAL, "ticket: NULL");
    if ((rc = check_field("hall", t->hall, true, 256, why)) ||
        (rc = check_field("number", t->number, true, 16, why)) ||
        (rc = check_field("service_zh", t->service_zh, false, 256, why)) ||
        (rc = check_field("service_en", t->service_en, false, 256, why)) ||
        (rc = check_field("issued", t->issued, false, 64, why)) ||
        (rc = check_field("url", t->url, false, HQ_QR_TEXT_MAX, why)) ||
        (rc = check_field("footer", t->footer, false, 512, why)))
        return rc;
    if (t->n_documents < 0 || t->n_documents > HQ_PRINT_DOCS_MAX)
        return hq__media_fail(why, HQ_MEDIA_EINVAL, "documents: %d given, at most %d",
                              t->n_documents, HQ_PRINT_DOCS_MAX);
    for (int i = 0; i < t->n_documents; i++) {
        char name[32];
        snprintf(name, sizeof name, "documents[%d]", i);
        if ((rc = check_field(name, t->documents[i], true, 256, why))) return rc;
    }
    return 0;
}
