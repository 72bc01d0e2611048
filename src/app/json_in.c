/* SPDX-License-Identifier: MIT */
/*
 * json_in.c — strict readers for the JSON the API receives: each names the field at fault, so a
 * refusal says exactly what was wrong. Also the time and date formats of the API.
 *
 * Over HTTP a body has already passed the request schema of its route (src/http/req_schema.c,
 * generated from api/routes/): types, required members, closed objects, enums, lengths,
 * formats, patterns and ranges are refused there first, with the path of the value at fault.
 * These readers take the values out for the use cases and stay their second line: the use cases
 * are also called without HTTP (the command line, the unit tests, the fuzzer), and they hold the
 * rules a schema cannot say (one field against another, what must exist, the hall's settings).
 *
 * Lengths where people type Chinese count characters (Unicode code points), not bytes:
 * hq__in_text takes the limit in characters (the buffer must hold 4 bytes a character);
 * hq__in_str keeps the buffer as its limit and, refusing, says how many characters of the kind
 * given fit (a Chinese character takes 3 bytes of UTF-8, a Latin letter 1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app_int.h"

int hq__in_known(json_t *o, const char *const *allowed, struct hq_why *why)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        bool ok = false;
        for (const char *const *k = allowed; *k; k++)
            if (strcmp(*k, key) == 0) {
                ok = true;
                break;
            }
        if (!ok) return hq_fail(why, HQ_EINVAL, key, "%.40s: unknown field", key);
    }
    return 0;
}

size_t hq__utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) n++;
    return n;
}

/* The characters of s (len bytes of valid UTF-8) that fit whole in cap - 1 bytes. */
static size_t chars_fitting(const char *s, size_t len, size_t cap)
{
    size_t b = cap ? cap - 1 : 0;
    if (b > len) b = len;
    while (b > 0 && b < len && ((unsigned char)s[b] & 0xC0) == 0x80)
        b--;
    return hq__utf8_chars(s, b);
}

/* The string member key: 0 and *sp, *lenp set; 1 when absent or null and not required. */
static int get_str(json_t *o, const char *key, bool required, const char **sp, size_t *lenp,
                   struct hq_why *why)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    if (!v || json_is_null(v)) {
        if (required) return hq_fail(why, HQ_EINVAL, key, "%s: required", key);
        return 1;
    }
    if (!json_is_string(v)) return hq_fail(why, HQ_EINVAL, key, "%s: must be a string", key);
    *lenp = json_string_length(v);
    *sp = json_string_value(v);
    if (memchr(*sp, 0, *lenp))
        return hq_fail(why, HQ_EINVAL, key, "%s: must not contain NUL characters", key);
    return 0;
}

int hq__in_str(json_t *o, const char *key, bool required, char *out, size_t cap, struct hq_why *why)
{
    const char *s = NULL;
    size_t len = 0;
    int rc = get_str(o, key, required, &s, &len, why);
    if (rc) return rc < 0 ? rc : 0;
    if (len >= cap) /* said in characters of the kind given: Chinese takes 3 bytes a character */
        return hq_fail(why, HQ_EINVAL, key, "%s: at most %zu characters", key,
                       chars_fitting(s, len, cap));
    memcpy(out, s, len + 1);
    return 0;
}

int hq__in_text(json_t *o, const char *key, bool required, size_t max_chars, char *out, size_t cap,
                struct hq_why *why)
{
    const char *s = NULL;
    size_t len = 0;
    int rc = get_str(o, key, required, &s, &len, why);
    if (rc) return rc < 0 ? rc : 0;
    size_t n = hq__utf8_chars(s, len);
    if (n > max_chars || len >= cap)
        return hq_fail(why, HQ_EINVAL, key, "%s: at most %zu characters", key,
                       n > max_chars ? max_chars : chars_fitting(s, len, cap));
    memcpy(out, s, len + 1);
    return 0;
}

int hq__in_int(json_t *o, const char *key, bool required, int64_t min, int64_t max, int64_t *out,
               struct hq_why *why)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    if (!v || json_is_null(v)) {
        if (required) return hq_fail(why, HQ_EINVAL, key, "%s: required", key);
        return 0;
    }
    if (!json_is_integer(v)) return hq_fail(why, HQ_EINVAL, key, "%s: must be an integer", key);
    json_int_t n = json_integer_value(v);
    if (n < min || n > max)
        return hq_fail(why, HQ_EINVAL, key, "%s: must be between %lld and %lld", key,
                       (long long)min, (long long)max);
    *out = n;
    return 0;
}

int hq__in_bool(json_t *o, const char *key, bool required, bool *out, struct hq_why *why)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    if (!v || json_is_null(v)) {
        if (required) return hq_fail(why, HQ_EINVAL, key, "%s: required", key);
        return 0;
    }
    if (!json_is_boolean(v)) return hq_fail(why, HQ_EINVAL, key, "%s: must be true or false", key);
    *out = json_is_true(v);
    return 0;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int hq__parse_time(const char *s, int64_t *out)
{
    /* YYYY-MM-DDTHH:MM:SS(.fff)?(Z|±HH:MM) */
    int Y, M, D, h, m, sec;
    if (strlen(s) < 20 || digits(s, 4, &Y) || s[4] != '-' || digits(s + 5, 2, &M) || s[7] != '-' ||
        digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != ' ') || digits(s + 11, 2, &h) ||
        s[13] != ':' || digits(s + 14, 2, &m) || s[16] != ':' || digits(s + 17, 2, &sec))
        return -1;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    long off = 0;
    if (*p == 'Z' && p[1] == 0) {
        off = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh, om;
        if (digits(p + 1, 2, &oh) || digits(p + 4, 2, &om) || oh > 23 || om > 59) return -1;
        off = (oh * 3600L + om * 60L) * (*p == '-' ? -1 : 1);
    } else {
        return -1;
    }
    if (Y < 1970 || Y > 9999 || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
        return -1;
    struct tm tm = {.tm_year = Y - 1900,
                    .tm_mon = M - 1,
                    .tm_mday = D,
                    .tm_hour = h,
                    .tm_min = m,
                    .tm_sec = sec};
    time_t t = timegm(&tm);
    if (tm.tm_mday != D) /* 2026-02-31 normalised away */
        return -1;
    *out = (int64_t)t - off;
    return 0;
}

int hq__parse_date(const char *s, int32_t *out)
{
    int Y, M, D;
    if (strlen(s) != 10 || digits(s, 4, &Y) || s[4] != '-' || digits(s + 5, 2, &M) || s[7] != '-' ||
        digits(s + 8, 2, &D) || M < 1 || M > 12 || D < 1 || D > 31 || Y < 1970)
        return -1;
    struct tm tm = {.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = 12};
    timegm(&tm);
    if (tm.tm_mday != D) return -1;
    *out = Y * 10000 + M * 100 + D;
    return 0;
}

void hq__format_date(int32_t day, char *buf, size_t len)
{
    snprintf(buf, len, "%04d-%02d-%02d", day / 10000, (day / 100) % 100, day % 100);
}

int64_t hq__midnight(int32_t day, int plus_days)
{
    struct tm tm = {0};
    tm.tm_year = day / 10000 - 1900;
    tm.tm_mon = day / 100 % 100 - 1;
    tm.tm_mday = day % 100 + plus_days;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}
