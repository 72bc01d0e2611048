/* SPDX-License-Identifier: MIT */
/*
 * err.c — the one table that maps enum hq_err to an HTTP status and an API error code, and
 * hq_fail, which fills a struct hq_why for a refusal: the English message, and from the message
 * catalogue (messages.c) the reason key and the parameters as named values, taken from the same
 * arguments by walking the format's conversions. No allocation, no I/O.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hq_core.h"

uint32_t hq__why_hash(const char *s);

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

uint32_t hq__why_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Cut s (NUL-terminated) so it ends on a whole UTF-8 sequence. */
static void utf8_trim(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0) return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (i - 1) < need) s[i - 1] = '\0';
}

/* One conversion of fmt at *p (just after '%'): its argument taken from ap and written into out
 * ("" for %n or a malformed spec). Advances *p past the spec. Returns false for "%%". */
static bool take_arg(const char **p, va_list *ap, char *out, size_t outsz)
{
    const char *s = *p;
    out[0] = '\0';
    if (*s == '%') {
        *p = s + 1;
        return false;
    }
    while (*s && strchr("-+ #0'", *s))
        s++;
    if (*s == '*') {
        (void)va_arg(*ap, int);
        s++;
    } else {
        while (*s >= '0' && *s <= '9')
            s++;
    }
    int prec = -1;
    if (*s == '.') {
        s++;
        prec = 0;
        if (*s == '*') {
            prec = va_arg(*ap, int);
            s++;
        } else {
            while (*s >= '0' && *s <= '9')
                prec = prec * 10 + (*s++ - '0');
        }
    }
    char len[3] = "";
    if (s[0] == 'h' || s[0] == 'l') {
        len[0] = *s++;
        if (*s == len[0]) len[1] = *s++;
    } else if (*s && strchr("zjtL", *s)) {
        len[0] = *s++;
    }
    char conv = *s ? *s++ : '\0';
    *p = s;
    switch (conv) {
    case 'd':
    case 'i': {
        long long v = len[0] == 'l' && len[1] == 'l' ? va_arg(*ap, long long)
                      : len[0] == 'l'                ? va_arg(*ap, long)
                      : len[0] == 'z'                ? (long long)va_arg(*ap, size_t)
                      : len[0] == 'j'                ? (long long)va_arg(*ap, intmax_t)
                      : len[0] == 't'                ? (long long)va_arg(*ap, ptrdiff_t)
                                                     : va_arg(*ap, int);
        snprintf(out, outsz, "%lld", v);
        break;
    }
    case 'u':
    case 'x':
    case 'X':
    case 'o': {
        unsigned long long v = len[0] == 'l' && len[1] == 'l' ? va_arg(*ap, unsigned long long)
                               : len[0] == 'l'                ? va_arg(*ap, unsigned long)
                               : len[0] == 'z'                ? va_arg(*ap, size_t)
                               : len[0] == 'j'                ? va_arg(*ap, uintmax_t)
                               : len[0] == 't' ? (unsigned long long)va_arg(*ap, ptrdiff_t)
                                               : va_arg(*ap, unsigned);
        snprintf(out, outsz,
                 conv == 'u'   ? "%llu"
                 : conv == 'o' ? "%llo"
                 : conv == 'x' ? "%llx"
                               : "%llX",
                 v);
        break;
    }
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
    case 'a':
    case 'A': {
        double v = len[0] == 'L' ? (double)va_arg(*ap, long double) : va_arg(*ap, double);
        char f[8] = {'%', '.', '*', conv, 0};
        snprintf(out, outsz, f, prec < 0 ? 6 : prec, v);
        break;
    }
    case 'c': {
        int c = va_arg(*ap, int);
        snprintf(out, outsz, "%c", (c >= 0x20 && c < 0x7f) ? c : '?');
        break;
    }
    case 's': {
        const char *v = va_arg(*ap, const char *);
        if (!v) v = "(null)";
        /* "%.8s" may bound a buffer without a NUL: never read past the precision */
        size_t n = prec >= 0 ? strnlen(v, (size_t)prec) : strlen(v);
        if (n >= outsz) n = outsz - 1;
        memcpy(out, v, n);
        out[n] = '\0';
        utf8_trim(out);
        break;
    }
    case 'p':
        snprintf(out, outsz, "%p", va_arg(*ap, void *));
        break;
    case 'n':
        (void)va_arg(*ap, int *); /* never written */
        break;
    default:
        break;
    }
    return true;
}

int hq_fail(struct hq_why *why, int code, const char *field, const char *fmt, ...)
{
    if (!why) return code;
    why->code = code;
    why->retry_after_s = 0;
    snprintf(why->field, sizeof why->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    va_list aq;
    va_copy(aq, ap);
    vsnprintf(why->message, sizeof why->message, fmt, ap);
    va_end(ap);
    why->reason = NULL;
    why->zh = NULL;
    why->n_params = 0;
    why->check = hq__why_hash(why->message);
    const struct hq_msg *m = fmt ? hq_msg_find(fmt) : NULL;
    if (m) {
        why->reason = m->reason;
        why->zh = m->zh;
        char scratch[HQ_WHY_VALUE_MAX];
        int i = 0;
        for (const char *p = strchr(fmt, '%'); p; p = strchr(p, '%')) {
            p++;
            const char *name = i < HQ_WHY_PARAMS ? m->params[i] : NULL;
            struct hq_why_param *pa = name ? &why->params[why->n_params] : NULL;
            if (!take_arg(&p, &aq, pa ? pa->value : scratch, HQ_WHY_VALUE_MAX)) continue;
            i++;
            if (!pa) continue;
            pa->name = name;
            why->n_params++;
        }
    }
    va_end(aq);
    return code;
}
