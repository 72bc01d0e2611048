/* SPDX-License-Identifier: MIT */
/*
 * json_text.c — the compact JSON text of a jansson value: the same bytes as jansson's
 * json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(p)), written without its check for loops.
 *
 * Why: jansson 2.14 checks each array and object it dumps for a loop by printing the container's
 * address with snprintf into a hashtable of the containers open above it. A window action's answer
 * (about ten containers) cost 88,000 instructions to dump, a quarter of the server's work for the
 * request (callgrind, issue 12). The values dumped here are trees the server has just built, with
 * no value shared by two parents, so the loop check is replaced by a depth limit. jansson still
 * builds every value and parses every input; tests/unit/test_json_text.c holds the two dumps equal
 * over many random values, and the fuzzer over every parsed input.
 *
 * What jansson's dump refuses is refused here: a string that is not UTF-8, a real that is not
 * finite, nesting deeper than HQ_JSON_TEXT_MAX_DEPTH (jansson: a loop); the answer is then NULL.
 */
#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_json_text.h"

struct out {
    char *p;
    size_t n, cap;
    bool bad;
};

static bool grow(struct out *o, size_t n)
{
    size_t cap = o->cap ? o->cap : 1024;
    while (o->n + n + 1 > cap)
        cap *= 2;
    char *p = realloc(o->p, cap);
    if (!p) {
        o->bad = true;
        return false;
    }
    o->p = p;
    o->cap = cap;
    return true;
}

static inline void put(struct out *o, const char *s, size_t n)
{
    if (o->bad || (o->n + n + 1 > o->cap && !grow(o, n))) return;
    memcpy(o->p + o->n, s, n);
    o->n += n;
}

static inline void put_c(struct out *o, char c)
{
    if (o->bad || (o->n + 2 > o->cap && !grow(o, 1))) return;
    o->p[o->n++] = c;
}

/* The length of the valid UTF-8 sequence at s (n bytes left) and its code point, or 0 (RFC 3629:
 * no overlong form, no surrogate, nothing above U+10FFFF; as jansson's utf8_check_full). */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, min = 0x80, c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, min = 0x800, c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return len;
}

/* A JSON string: \" \\ and the control characters escaped as jansson does (\b \f \n \r \t, else
 * \u00XX in capitals); everything else, '/' and non-ASCII included, as it is. */
static void put_string(struct out *o, const char *str, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s = (const unsigned char *)str;
    put_c(o, '"');
    size_t run = 0; /* bytes at s that need no escape, not yet written */
    for (size_t i = 0; i < len && !o->bad;) {
        unsigned char c = s[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') { /* plain ASCII: most of it */
            run++;
            i++;
            continue;
        }
        unsigned cp;
        size_t k = utf8_seq(s + i, len - i, &cp);
        if (!k) {
            o->bad = true;
            return;
        }
        if (cp >= 0x20 && cp != '"' && cp != '\\') {
            run += k;
            i += k;
            continue;
        }
        put(o, (const char *)s + i - run, run);
        run = 0;
        char esc[6] = {'\\', 0};
        size_t en = 2;
        switch (cp) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[1] = 'u', esc[2] = '0', esc[3] = '0', esc[4] = hex[cp >> 4], esc[5] = hex[cp & 15];
            en = 6;
        }
        put(o, esc, en);
        i += k;
    }
    put(o, (const char *)s + len - run, run);
    put_c(o, '"');
}

/* As jansson's jsonp_dtostr: "%.*g", the locale's decimal point as '.', ".0" added when the text
 * would read as an integer, and the exponent without '+' or leading zeros. */
static void put_real(struct out *o, double x, int precision)
{
    if (!isfinite(x)) {
        o->bad = true;
        return;
    }
    char b[64];
    int n = snprintf(b, sizeof b, "%.*g", precision ? precision : 17, x);
    if (n < 0 || (size_t)n >= sizeof b - 3) {
        o->bad = true;
        return;
    }
    const char *dp = localeconv()->decimal_point;
    if (dp && dp[0] && dp[0] != '.')
        for (char *c = b; *c; c++)
            if (*c == dp[0]) *c = '.';
    size_t len = (size_t)n;
    if (!strchr(b, '.') && !strchr(b, 'e')) {
        memcpy(b + len, ".0", 3);
        len += 2;
    }
    char *e = strchr(b, 'e');
    if (e) {
        char *start = e + 1, *end = start + 1;
        if (*start == '-') start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, len - (size_t)(end - b) + 1);
            len -= (size_t)(end - start);
        }
    }
    put(o, b, len);
}

static void put_value(struct out *o, const json_t *v, int precision, int depth)
{
    if (o->bad) return;
    if (!v || depth > HQ_JSON_TEXT_MAX_DEPTH) {
        o->bad = true;
        return;
    }
    char b[32];
    switch (json_typeof(v)) {
    case JSON_NULL:
        put(o, "null", 4);
        break;
    case JSON_TRUE:
        put(o, "true", 4);
        break;
    case JSON_FALSE:
        put(o, "false", 5);
        break;
    case JSON_INTEGER: { /* the digits by hand: snprintf was most of an answer's cost */
        json_int_t x = json_integer_value(v);
        unsigned long long u = x < 0 ? 0ull - (unsigned long long)x : (unsigned long long)x;
        char *e = b + sizeof b, *p = e;
        do
            *--p = (char)('0' + u % 10);
        while (u /= 10);
        if (x < 0) *--p = '-';
        put(o, p, (size_t)(e - p));
        break;
    }
    case JSON_REAL:
        put_real(o, json_real_value(v), precision);
        break;
    case JSON_STRING:
        put_string(o, json_string_value(v), json_string_length(v));
        break;
    case JSON_ARRAY: {
        put_c(o, '[');
        size_t n = json_array_size(v);
        for (size_t i = 0; i < n && !o->bad; i++) {
            if (i) put_c(o, ',');
            put_value(o, json_array_get(v, i), precision, depth + 1);
        }
        put_c(o, ']');
        break;
    }
    case JSON_OBJECT: {
        put_c(o, '{');
        bool first = true;
        for (void *it = json_object_iter((json_t *)v); it && !o->bad;
             it = json_object_iter_next((json_t *)v, it)) {
            if (!first) put_c(o, ',');
            first = false;
            put_string(o, json_object_iter_key(it), json_object_iter_key_len(it));
            put_c(o, ':');
            put_value(o, json_object_iter_value(it), precision, depth + 1);
        }
        put_c(o, '}');
        break;
    }
    }
}

char *hq_json_text(const json_t *v, int real_precision)
{
    if (!json_is_object(v) && !json_is_array(v)) return NULL; /* as json_dumps without ENCODE_ANY */
    struct out o = {0};
    put_value(&o, v, real_precision, 0);
    if (o.bad || !o.p) {
        free(o.p);
        return NULL;
    }
    o.p[o.n] = 0;
    return o.p;
}
