/* SPDX-License-Identifier: MIT */
/*
 * test_openapi.c — the OpenAPI document (generated from api/, served at /api/v1/openapi.json) and
 * the route table agree: every route is documented with its method, and every documented path is a
 * route (or the event stream, served by sse.c); the roles it states are the server's. Both are
 * generated from api/ (tools/gen_api.c): this checks the generator.
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
        if (strcmp(r->pattern, "/api/docs") == 0) continue; /* the reference page, not the API */
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
        /* the roles the document states are the ones the server checks (issue 11, item 6) */
        unsigned doc_roles = 0;
        bool pub = false;
        size_t i;
        json_t *role;
        json_array_foreach(json_object_get(op, "x-roles"), i, role)
        {
            const char *s = json_string_value(role);
            if (strcmp(s, "public") == 0) pub = true;
            if (strcmp(s, "device") == 0) doc_roles |= HQ_R_DEVICE;
            if (strcmp(s, "admin") == 0) doc_roles |= HQ_R(HQ_ROLE_ADMIN);
            if (strcmp(s, "manager") == 0) doc_roles |= HQ_R(HQ_ROLE_MANAGER);
            if (strcmp(s, "clerk") == 0) doc_roles |= HQ_R(HQ_ROLE_CLERK);
            if (strcmp(s, "guide") == 0) doc_roles |= HQ_R(HQ_ROLE_GUIDE);
        }
        if (doc_roles != r->all_roles || pub != (r->all_roles == 0))
            fail_msg("%s %s: the document says roles %#x, the server checks %#x", r->method,
                     r->pattern, doc_roles, r->all_roles);
        /* the rate-limit class and the summaries are the table's */
        static const char *const rates[] = {"none", "login", "issue", "complaint", "verdict"};
        assert_true(r->rate < sizeof rates / sizeof rates[0]);
        assert_string_equal(json_string_value(json_object_get(op, "x-rate-limit")), rates[r->rate]);
        json_t *sum = json_object_get(op, "x-summary");
        assert_string_equal(json_string_value(json_object_get(sum, "en")), r->summary);
        assert_string_equal(json_string_value(json_object_get(sum, "zh")), r->summary_zh);
        if (r->rate) assert_non_null(json_object_get(json_object_get(op, "responses"), "429"));
        /* a route only devices and staff may use is gated, or the server would let the public in */
        if (r->all_roles & HQ_R_DEVICE) assert_true(r->flags & HQ_RT_AUTH_OPTIONAL);
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
