/* SPDX-License-Identifier: MIT */
/*
 * test_openapi.c — the OpenAPI document (web/openapi.json, served at /api/v1/openapi.json) and the
 * route table agree: every route is documented with its method, and every documented path is a
 * route (or the event stream, served by sse.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "http/hq_http.h"

static void test_routes_documented(void **state)
{
    (void)state;
    const struct hq_asset *doc = hq_asset_find("/openapi.json");
    assert_non_null(doc);
    json_error_t err;
    json_t *root = json_loadb((const char *)doc->data, doc->len, 0, &err);
    assert_non_null(root);
    json_t *paths = json_object_get(root, "paths");
    assert_true(json_is_object(paths));
    size_t n = 0;
    for (const struct hq_route *r = hq_routes; r->method; r++, n++) {
        assert_int_equal(strncmp(r->pattern, "/api/v1", 7), 0);
        json_t *p = json_object_get(paths, r->pattern + 7);
        char m[8] = {0};
        for (size_t i = 0; r->method[i] && i < 7; i++)
            m[i] = (char)tolower((unsigned char)r->method[i]);
        if (!p || !json_object_get(p, m))
            fail_msg("route %s %s is not in openapi.json", r->method, r->pattern);
        json_t *op = json_object_get(p, m);
        assert_true(json_is_object(json_object_get(op, "responses")));
        /* staff routes say how to authenticate */
        if (r->roles) assert_non_null(json_object_get(op, "security"));
    }
    const char *key;
    json_t *v;
    json_object_foreach(paths, key, v)
    {
        if (strcmp(key, "/events") == 0) continue;
        bool found = false;
        for (const struct hq_route *r = hq_routes; r->method; r++)
            found |= strcmp(r->pattern + 7, key) == 0;
        if (!found) fail_msg("openapi.json documents %s, which is no route", key);
    }
    assert_true(n >= 30);
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_routes_documented)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
