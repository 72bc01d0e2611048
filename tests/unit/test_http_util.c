/* SPDX-License-Identifier: MIT */
/*
 * test_http_util.c — the HTTP layer's pure helpers: route matching with {param} segments and URL
 * decoding (and what it must refuse), the JSON error body of API.md, the Content-Type check, the
 * bounded buffer and the masking of secrets in logged paths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/server_int.h"

static void match_literals(void **st)
{
    (void)st;
    char p[2][128];
    int n = -1;
    assert_true(hq_route_match("/api/v1/health", "/api/v1/health", p, &n));
    assert_int_equal(n, 0);
    assert_false(hq_route_match("/api/v1/health", "/api/v1/healthz", p, &n));
    assert_false(hq_route_match("/api/v1/health", "/api/v1/health/", p, &n));
    assert_false(hq_route_match("/api/v1/health", "/api/v1", p, &n));
    assert_false(hq_route_match("/api/v1/health", "/api/v1/heal", p, &n));
    assert_false(hq_route_match("/api/v1/health", "api/v1/health", p, &n));
    assert_false(hq_route_match("/api/v1/health", "", p, &n));
    /* an encoded literal is still that literal */
    assert_true(hq_route_match("/api/v1/health", "/api/v1/%68ealth", p, &n));
}

static void match_params(void **st)
{
    (void)st;
    char p[2][128];
    int n = -1;
    assert_true(
        hq_route_match("/api/v1/windows/{n}/{action}", "/api/v1/windows/3/call-next", p, &n));
    assert_int_equal(n, 2);
    assert_string_equal(p[0], "3");
    assert_string_equal(p[1], "call-next");

    assert_true(hq_route_match("/api/v1/staff/{u}", "/api/v1/staff/li%2Ewei", p, &n));
    assert_int_equal(n, 1);
    assert_string_equal(p[0], "li.wei");
    /* UTF-8 decoded */
    assert_true(hq_route_match("/api/v1/x/{c}", "/api/v1/x/%E4%B8%AD", p, &n));
    assert_string_equal(p[0], "\xe4\xb8\xad");

    /* empty, missing or extra segments */
    assert_false(hq_route_match("/api/v1/staff/{u}", "/api/v1/staff/", p, &n));
    assert_false(hq_route_match("/api/v1/staff/{u}", "/api/v1/staff", p, &n));
    assert_false(hq_route_match("/api/v1/staff/{u}", "/api/v1/staff/a/b", p, &n));
    assert_false(hq_route_match("/api/v1/windows/{n}/{action}", "/api/v1/windows/3", p, &n));
}

static void match_refusals(void **st)
{
    (void)st;
    char p[2][128];
    int n = 0;
    /* a '/' smuggled in through %2F, a NUL, a bad escape */
    assert_false(hq_route_match("/api/v1/tickets/{id}", "/api/v1/tickets/a%2Fb", p, &n));
    assert_false(hq_route_match("/api/v1/tickets/{id}", "/api/v1/tickets/a%2fb", p, &n));
    assert_false(hq_route_match("/api/v1/tickets/{id}", "/api/v1/tickets/a%00b", p, &n));
    assert_false(hq_route_match("/api/v1/tickets/{id}", "/api/v1/tickets/a%zzb", p, &n));
    assert_false(hq_route_match("/api/v1/tickets/{id}", "/api/v1/tickets/a%4", p, &n));
    assert_false(hq_route_match("/api/v1/tickets/{id}", "/api/v1/tickets/%", p, &n));
    /* 127 bytes fit, 128 do not (raw and encoded) */
    char path[600], id[300];
    memset(id, 'a', 127);
    id[127] = '\0';
    snprintf(path, sizeof path, "/api/v1/tickets/%s", id);
    assert_true(hq_route_match("/api/v1/tickets/{id}", path, p, &n));
    assert_int_equal(strlen(p[0]), 127);
    memset(id, 'a', 128);
    id[128] = '\0';
    snprintf(path, sizeof path, "/api/v1/tickets/%s", id);
    assert_false(hq_route_match("/api/v1/tickets/{id}", path, p, &n));
    char enc[500] = "/api/v1/tickets/";
    for (int i = 0; i < 128; i++)
        memcpy(enc + strlen(enc), "%41", 4);
    assert_false(hq_route_match("/api/v1/tickets/{id}", enc, p, &n));
    /* a failed match leaves params untouched */
    memcpy(p[0], "keep", 5);
    assert_false(hq_route_match("/api/v1/a/{x}/b", "/api/v1/a/zz/c", p, &n));
    assert_string_equal(p[0], "keep");
}

static void decode(void **st)
{
    (void)st;
    char out[8];
    assert_int_equal(hq__url_decode("a%20b", 5, out, sizeof out), 3);
    assert_string_equal(out, "a b");
    assert_int_equal(hq__url_decode("a+b", 3, out, sizeof out), 3);
    assert_string_equal(out, "a+b");
    assert_int_equal(hq__url_decode("1234567", 7, out, sizeof out), 7);
    assert_int_equal(hq__url_decode("12345678", 8, out, sizeof out), -1);
    assert_int_equal(hq__url_decode("%0", 2, out, sizeof out), -1);
    assert_int_equal(hq__url_decode("", 0, out, sizeof out), 0);
}

static json_t *error_of(int code, const char *field, const char *msg)
{
    struct hq_why why = {0};
    hq_fail(&why, code, field, "%s", msg);
    struct hq_res res = {.status = 200};
    res.body = strdup("stale");
    res.body_len = 5;
    hq_res_error(&res, &why);
    assert_null(res.body);
    assert_int_equal(res.status, hq_err_http_status(code));
    return res.json;
}

static void error_bodies(void **st)
{
    (void)st;
    json_t *j = error_of(HQ_EINVAL, "service", "service: no service with code 'Z'");
    json_t *e = json_object_get(j, "error");
    assert_non_null(e);
    assert_int_equal(json_object_size(j), 1);
    assert_string_equal(json_string_value(json_object_get(e, "code")), "invalid_field");
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        "service: no service with code 'Z'");
    assert_string_equal(json_string_value(json_object_get(e, "field")), "service");
    json_decref(j);

    /* no field: no "field" key */
    struct {
        int code, status;
        const char *name;
    } table[] = {{HQ_EBADJSON, 400, "bad_json"},
                 {HQ_EUNAUTH, 401, "unauthenticated"},
                 {HQ_EFORBIDDEN, 403, "forbidden"},
                 {HQ_ENOTFOUND, 404, "not_found"},
                 {HQ_ENOMETHOD, 405, "method_not_allowed"},
                 {HQ_ECONFLICT, 409, "conflict"},
                 {HQ_ETOOLARGE, 413, "payload_too_large"},
                 {HQ_EMEDIA, 415, "unsupported_media_type"},
                 {HQ_ERATE, 429, "rate_limited"},
                 {HQ_ESUSPENDED, 503, "suspended"}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        struct hq_res res = {0};
        struct hq_why why = {0};
        hq_fail(&why, table[i].code, "", "because");
        hq_res_error(&res, &why);
        assert_int_equal(res.status, table[i].status);
        e = json_object_get(res.json, "error");
        assert_string_equal(json_string_value(json_object_get(e, "code")), table[i].name);
        assert_string_equal(json_string_value(json_object_get(e, "message")), "because");
        assert_null(json_object_get(e, "field"));
        json_decref(res.json);
    }

    /* a message that is not UTF-8 is never echoed, yet the body stays valid */
    j = error_of(HQ_EINVAL, "", "bad \xff byte");
    e = json_object_get(j, "error");
    assert_string_equal(json_string_value(json_object_get(e, "message")), "invalid_field");
    json_decref(j);

    /* an empty why (a bug) is an internal error, not a crash */
    struct hq_res res = {0};
    struct hq_why none = {0};
    hq_res_error(&res, &none);
    assert_int_equal(res.status, 500);
    json_decref(res.json);
}

static void json_types(void **st)
{
    (void)st;
    assert_true(hq__is_json_type("application/json"));
    assert_true(hq__is_json_type("application/json; charset=utf-8"));
    assert_true(hq__is_json_type("Application/JSON;charset=UTF-8"));
    assert_true(hq__is_json_type(" application/json "));
    assert_false(hq__is_json_type(NULL));
    assert_false(hq__is_json_type(""));
    assert_false(hq__is_json_type("text/plain"));
    assert_false(hq__is_json_type("application/jsonp"));
    assert_false(hq__is_json_type("application/x-www-form-urlencoded"));
    assert_false(hq__is_json_type("multipart/form-data; boundary=x"));
}

static void log_masking(void **st)
{
    (void)st;
    char out[256];
    hq__log_path("/api/v1/tickets/0123456789abcdef0123456789abcdef", out, sizeof out);
    assert_string_equal(out, "/api/v1/tickets/0123\xe2\x80\xa6");
    hq__log_path("/api/v1/tickets/0123456789abcdef0123456789abcdef/cancel", out, sizeof out);
    assert_string_equal(out, "/api/v1/tickets/0123\xe2\x80\xa6/cancel");
    hq__log_path("/t/0123456789abcdef0123456789abcdef", out, sizeof out);
    assert_string_equal(out, "/t/0123\xe2\x80\xa6");
    hq__log_path("/api/v1/complaints/track/QX7K2M9P", out, sizeof out);
    assert_string_equal(out, "/api/v1/complaints/track/QX7K\xe2\x80\xa6");
    hq__log_path("/api/v1/tickets", out, sizeof out);
    assert_string_equal(out, "/api/v1/tickets");
    hq__log_path("/api/v1/windows/3/call-next", out, sizeof out);
    assert_string_equal(out, "/api/v1/windows/3/call-next");
    hq__log_path("/kiosk", out, sizeof out);
    assert_string_equal(out, "/kiosk");
    /* tiny buffers never overflow */
    char small[6];
    hq__log_path("/api/v1/tickets/0123456789", small, sizeof small);
    assert_true(strlen(small) < sizeof small);
}

static void bounded_buffer(void **st)
{
    (void)st;
    struct hq_buf b;
    hq__buf_init(&b, 10);
    assert_int_equal(hq__buf_add(&b, "0123456789", 10), 0);
    assert_int_equal(b.len, 10);
    assert_int_equal(hq__buf_add(&b, "x", 1), -1);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.p, "0123456789");
    hq__buf_release(&b);
    hq__buf_init(&b, 0);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(hq__buf_printf(&b, "%04d", i), 0);
    assert_int_equal(b.len, 4000);
    assert_memory_equal(b.p + 3996, "0999", 4);
    char big[2000];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(hq__buf_printf(&b, "%s", big), 0);
    assert_int_equal(b.len, 4000 + sizeof big - 1);
    hq__buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(match_literals), cmocka_unit_test(match_params),
        cmocka_unit_test(match_refusals), cmocka_unit_test(decode),
        cmocka_unit_test(error_bodies),   cmocka_unit_test(json_types),
        cmocka_unit_test(log_masking),    cmocka_unit_test(bounded_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
