/* SPDX-License-Identifier: MIT */
/*
 * test_json_text.c — hq_json_text writes the same bytes as jansson's json_dumps(JSON_COMPACT |
 * JSON_REAL_PRECISION(p)): over fixed hard cases (escapes, every control character, non-ASCII,
 * the edges of integers, reals that print as integers or with exponents, empty and nested
 * containers, keys with quotes) and over 20,000 random values; and it refuses what jansson refuses
 * (a string that is not UTF-8).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/hq_json_text.h"

static void same(const json_t *v, int precision)
{
    size_t flags = JSON_COMPACT | (precision ? JSON_REAL_PRECISION(precision) : 0);
    char *want = json_dumps(v, flags);
    char *got = hq_json_text(v, precision);
    if (!want) {
        assert_null(got);
        return;
    }
    if (!got) fail_msg("jansson: %s\nours:    NULL", want);
    if (strcmp(want, got) != 0) fail_msg("jansson: %s\nours:    %s", want, got);
    free(want);
    free(got);
}

static void test_fixed(void **state)
{
    (void)state;
    char ctl[40];
    for (int i = 0; i < 32; i++)
        ctl[i] = (char)(i + 1 < 32 ? i + 1 : '/');
    ctl[32] = 0;
    json_t *v = json_pack(
        "{s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:[],s:{},s:[[],{},[[[]]]],s:n,s:b,s:b,s:s}", "plain", "A001",
        "quote\"back\\slash", "\"\\/", "ctl", ctl, "中文", "综合业务 — 身份证 😀 \x7f", "max",
        (json_int_t)INT64_MAX, "min", (json_int_t)INT64_MIN, "zero", (json_int_t)0, "ea", "eo",
        "nest", "null", "t", 1, "f", 0, "", "");
    json_object_set_new(v, "nul", json_stringn("a\0b", 3));
    json_object_set_new(v, "key\nwith\"ctl", json_integer(-1));
    double reals[] = {0.0,     -0.0,    1.0,       -1.5,       0.1,      100.0,  1e21,
                      1e-7,    1.5e300, -2.5e-300, DBL_MAX,    DBL_MIN,  5e-324, 123456789012.0,
                      1.0 / 3, 2.0 / 3, 1e16,      12345678.9, 0.000123, 1e100,  7e-10};
    json_t *arr = json_array();
    for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++)
        json_array_append_new(arr, json_real(reals[i]));
    json_object_set_new(v, "reals", arr);
    for (int p = 0; p <= 17; p++)
        same(v, p);
    json_decref(v);
    same(json_null(), 0);
    json_t *e = json_object();
    same(e, 0);
    json_decref(e);
}

static unsigned rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xffffff;
}

/* A random string of valid UTF-8: ASCII (controls and quotes often), 2-, 3- and 4-byte forms. */
static json_t *random_string(unsigned *s)
{
    char b[64];
    size_t n = 0, len = rnd(s) % 12;
    for (size_t i = 0; i < len; i++) {
        unsigned k = rnd(s) % 10, cp;
        if (k < 3)
            cp = rnd(s) % 0x80;
        else if (k < 5)
            cp = "\"\\/\b\f\n\r\t\x01\x1f"[rnd(s) % 10];
        else if (k < 7)
            cp = 0x80 + rnd(s) % (0x800 - 0x80);
        else if (k < 9)
            do
                cp = 0x800 + rnd(s) % (0x10000 - 0x800);
            while (cp >= 0xD800 && cp <= 0xDFFF);
        else
            cp = 0x10000 + rnd(s) % (0x110000 - 0x10000);
        if (cp < 0x80) {
            b[n++] = (char)cp;
        } else if (cp < 0x800) {
            b[n++] = (char)(0xC0 | cp >> 6), b[n++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            b[n++] = (char)(0xE0 | cp >> 12), b[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            b[n++] = (char)(0x80 | (cp & 0x3F));
        } else {
            b[n++] = (char)(0xF0 | cp >> 18), b[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
            b[n++] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[n++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    return json_stringn(b, n);
}

static json_t *random_value(unsigned *s, int depth)
{
    switch (rnd(s) % (depth > 4 ? 6 : 8)) {
    case 0:
        return json_null();
    case 1:
        return json_boolean(rnd(s) & 1);
    case 2:
        return json_integer((json_int_t)rnd(s) * (json_int_t)rnd(s) - (json_int_t)(1 << 23));
    case 3: {
        double x = ((double)rnd(s) - (1 << 23)) / (double)(1 + rnd(s) % 1000);
        return json_real(rnd(s) % 4 == 0 ? x * 1e200 : rnd(s) % 4 == 0 ? x * 1e-200 : x);
    }
    case 4:
    case 5:
        return random_string(s);
    case 6: {
        json_t *a = json_array();
        for (unsigned i = 0, n = rnd(s) % 5; i < n; i++)
            json_array_append_new(a, random_value(s, depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (unsigned i = 0, n = rnd(s) % 5; i < n; i++) {
            json_t *k = random_string(s);
            json_object_set_new(o, json_string_value(k), random_value(s, depth + 1));
            json_decref(k);
        }
        return o;
    }
    }
}

static void test_random(void **state)
{
    (void)state;
    unsigned s = 12345;
    for (int i = 0; i < 20000; i++) {
        json_t *v = random_value(&s, 0), *w = json_array();
        json_array_append(w, v); /* a scalar at the root is refused by both: compare it inside */
        int p = i % 3 == 0 ? 10 : i % 3 == 1 ? 0 : 1 + (int)(rnd(&s) % 17);
        same(v, p);
        same(w, p);
        json_decref(w);
        json_decref(v);
    }
}

/* What jansson refuses to write, hq_json_text refuses too. */
static void test_refusals(void **state)
{
    (void)state;
    const char *bad[] = {"\xff", "\xc0\x80",  "a\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                         "\xc3", "ok\xe4\xb8"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *v = json_array();
        json_array_append_new(v, json_stringn_nocheck(bad[i], strlen(bad[i])));
        char *j = json_dumps(v, JSON_COMPACT);
        assert_null(j);
        assert_null(hq_json_text(v, 0));
        json_decref(v);
    }
    assert_null(hq_json_text(NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
