/* SPDX-License-Identifier: MIT */
/*
 * test_req_schema.c — the request validator (src/http/req_schema.c) on the tables tools/gen_api.c
 * compiled from api/routes/: every route with a request body in the document has a schema the
 * server checks; each rule of the schema subset (types, null, required, closed objects, enums,
 * lengths in characters, date and date-time, patterns, integer and exclusive number bounds, array
 * items and sizes, unique items, propertyNames, minProperties, oneOf) refuses with 400
 * invalid_field, the path of the value at fault and a catalogue sentence; the window and
 * complaint actions are checked against the schema of their own action.
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
#include "http/req_schema.h"

/* Check body (JSON text, NULL = no body) against the schema of method pattern (with the path
 * parameters p0, p1); returns the result, *why filled. */
static int run(const char *method, const char *pattern, const char *p0, const char *p1,
               const char *body, struct hq_why *why)
{
    char params[2][128] = {{0}};
    snprintf(params[0], sizeof params[0], "%s", p0 ? p0 : "");
    snprintf(params[1], sizeof params[1], "%s", p1 ? p1 : "");
    json_t *b = NULL;
    if (body) {
        json_error_t e;
        b = json_loads(body, 0, &e);
        if (!b) fail_msg("bad test JSON %s: %s", body, e.text);
    }
    *why = (struct hq_why){0};
    int rc = hq_reqschema_check(method, pattern, params, (p0 ? 1 : 0) + (p1 ? 1 : 0), b, why);
    json_decref(b);
    return rc;
}

static const char *show(const char *body)
{
    return body ? body : "(none)";
}

#define OK(m, pat, p0, p1, body)                                                                   \
    do {                                                                                           \
        struct hq_why w_;                                                                          \
        if (run(m, pat, p0, p1, body, &w_) != 0)                                                   \
            fail_msg("%s %s %s refused: %s", m, pat, show(body), w_.message);                      \
    } while (0)

#define REFUSED(m, pat, p0, p1, body, field_, reason_)                                             \
    do {                                                                                           \
        struct hq_why w_;                                                                          \
        int rc_ = run(m, pat, p0, p1, body, &w_);                                                  \
        if (rc_ != HQ_EINVAL) fail_msg("%s %s %s accepted", m, pat, show(body));                   \
        if (strcmp(w_.field, field_) != 0)                                                         \
            fail_msg("%s: field %s, expected %s (%s)", show(body), w_.field, field_, w_.message);  \
        if (!w_.reason || strcmp(w_.reason, reason_) != 0)                                         \
            fail_msg("%s: reason %s, expected %s (%s)", show(body),                                \
                     w_.reason ? w_.reason : "(none)", reason_, w_.message);                       \
        assert_non_null(w_.zh);                                                                    \
    } while (0)

static void test_every_body_has_a_schema(void **state)
{
    (void)state;
    const struct hq_asset *doc = hq_asset_find("/openapi.json");
    assert_non_null(doc);
    json_error_t err;
    json_t *root = json_loadb((const char *)doc->data, doc->len, 0, &err);
    assert_non_null(root);
    json_t *paths = json_object_get(root, "paths");
    size_t with_body = 0;
    for (const struct hq_route *r = hq_routes; r->method; r++) {
        if (strncmp(r->pattern, "/api/v1", 7) != 0) continue;
        char m[8] = {0};
        for (size_t i = 0; r->method[i] && i < 7; i++)
            m[i] = (char)tolower((unsigned char)r->method[i]);
        json_t *op = json_object_get(json_object_get(paths, r->pattern + 7), m);
        if (!json_object_get(op, "requestBody")) continue;
        with_body++;
        bool found = false;
        for (const struct hq_rs_route *s = hq_rs_routes; s->method; s++)
            found |= strcmp(s->method, r->method) == 0 && strcmp(s->pattern, r->pattern) == 0;
        if (!found)
            fail_msg("%s %s has a request body but no schema to check", r->method, r->pattern);
    }
    assert_true(with_body >= 20);
    json_decref(root);
}

static void test_types_and_objects(void **state)
{
    (void)state;
    const char *W = "/api/v1/windows";
    OK("POST", W, NULL, NULL, "{\"number\":3,\"name\":\"3号窗口\",\"services\":[\"A\",\"B\"]}");
    OK("POST", W, NULL, NULL, "{\"number\":3,\"name\":null,\"services\":null}");
    REFUSED("POST", W, NULL, NULL, "{\"name\":\"x\"}", "number", "input.required");
    REFUSED("POST", W, NULL, NULL, NULL, "number", "input.required"); /* no body: as {} */
    REFUSED("POST", W, NULL, NULL, "{\"number\":\"3\"}", "number", "input.not_integer");
    REFUSED("POST", W, NULL, NULL, "{\"number\":3.5}", "number", "input.not_integer");
    REFUSED("POST", W, NULL, NULL, "{\"number\":null}", "number", "input.not_integer");
    REFUSED("POST", W, NULL, NULL, "{\"number\":0}", "number", "input.out_of_range");
    REFUSED("POST", W, NULL, NULL, "{\"number\":10000}", "number", "input.out_of_range");
    REFUSED("POST", W, NULL, NULL, "{\"number\":3,\"colour\":1}", "colour", "input.unknown_field");
    REFUSED("POST", W, NULL, NULL, "{\"number\":3,\"services\":\"A\"}", "services",
            "input.not_array");
    REFUSED("POST", W, NULL, NULL, "{\"number\":3,\"services\":[\"A\",\"b\"]}", "services[1]",
            "input.pattern");
    REFUSED("POST", W, NULL, NULL, "{\"number\":3,\"name\":true}", "name", "input.not_string");
    /* lengths in characters: 127 Chinese characters (381 bytes) fit, 128 do not */
    char body[1024] = "{\"number\":3,\"name\":\"";
    for (int i = 0; i < 127; i++)
        strcat(body, "窗");
    strcat(body, "\"}");
    OK("POST", W, NULL, NULL, body);
    body[strlen(body) - 2] = '\0';
    strcat(body, "窗\"}");
    REFUSED("POST", W, NULL, NULL, body, "name", "input.too_long");
    /* nested objects and their paths; a closed nested object */
    const char *H = "/api/v1/hall";
    OK("PUT", H, NULL, NULL,
       "{\"policy\":{\"boost_priority_s\":0},\"hours\":{\"mon\":\"08:30-12:00,13:30-17:30\"}}");
    REFUSED("PUT", H, NULL, NULL, "{\"policy\":{\"boost_vip_s\":1}}", "policy.boost_vip_s",
            "input.unknown_field");
    REFUSED("PUT", H, NULL, NULL, "{\"policy\":{\"boost_priority_s\":-1}}",
            "policy.boost_priority_s", "input.out_of_range");
    /* a day's ranges are read by the handler (hours_in.c), which names the range at fault */
    OK("PUT", H, NULL, NULL, "{\"hours\":{\"mon\":\"8-12\"}}");
    REFUSED("PUT", H, NULL, NULL, "{\"hours\":{\"funday\":\"08:00-09:00\"}}", "hours.funday",
            "input.unknown_field");
    REFUSED("PUT", H, NULL, NULL, "{\"policy\":[]}", "policy", "input.not_object");
    OK("PUT", H, NULL, NULL, "{\"public_info\":{\"any\":[1,{\"free\":true}]}}");
}

static void test_formats_enums_arrays(void **state)
{
    (void)state;
    const char *S = "/api/v1/staff";
    const char *ok = "{\"username\":\"u1\",\"name\":\"张三\",\"role\":\"clerk\",\"password\":"
                     "\"long-enough\",\"certifications\":[{\"service\":\"A\",\"expires_on\":"
                     "\"2028-02-29\"}]}";
    OK("POST", S, NULL, NULL, ok);
    REFUSED("POST", S, NULL, NULL,
            "{\"username\":\"u1\",\"name\":\"x\",\"role\":\"boss\",\"password\":\"long-enough\"}",
            "role", "input.not_in_enum");
    REFUSED("POST", S, NULL, NULL,
            "{\"username\":\"u1\",\"name\":\"x\",\"role\":\"clerk\",\"password\":\"short\"}",
            "password", "input.too_short");
    REFUSED("POST", S, NULL, NULL,
            "{\"username\":\"u1\",\"name\":\"\",\"role\":\"clerk\",\"password\":\"long-enough\"}",
            "name", "input.empty");
    REFUSED("POST", S, NULL, NULL,
            "{\"username\":\"u1\",\"name\":\"x\",\"role\":\"clerk\",\"password\":\"long-enough\","
            "\"certifications\":[{\"service\":\"A\",\"expires_on\":\"2027-02-29\"}]}",
            "certifications[0].expires_on", "input.not_date");
    REFUSED("POST", S, NULL, NULL,
            "{\"username\":\"u1\",\"name\":\"x\",\"role\":\"clerk\",\"password\":\"long-enough\","
            "\"certifications\":[{\"service\":\"A\"}]}",
            "certifications[0].expires_on", "input.required");
    /* date-time */
    const char *T = "/api/v1/tickets";
    OK("POST", T, NULL, NULL,
       "{\"service\":\"A\",\"appointment_at\":\"2026-03-02T09:30:00+08:00\"}");
    OK("POST", T, NULL, NULL, "{\"service\":\"A\",\"appointment_at\":\"2026-03-02T01:30:00.5Z\"}");
    REFUSED("POST", T, NULL, NULL, "{\"service\":\"A\",\"appointment_at\":\"2026-03-02 09:30\"}",
            "appointment_at", "input.not_date_time");
    REFUSED("POST", T, NULL, NULL,
            "{\"service\":\"A\",\"appointment_at\":\"2026-13-02T09:30:00Z\"}", "appointment_at",
            "input.not_date_time");
    REFUSED("POST", T, NULL, NULL, "{\"service\":\"A\",\"category\":\"vip\"}", "category",
            "input.not_in_enum");
    /* arrays: minItems, uniqueItems, item enums; a pattern with \s */
    const char *N = "/api/v1/notifiers";
    OK("POST", N, NULL, NULL,
       "{\"kind\":\"webhook\",\"url\":\"https://example.org/h\",\"events\":[\"ticket.near\"]}");
    REFUSED("POST", N, NULL, NULL, "{\"kind\":\"webhook\",\"events\":[]}", "events",
            "input.too_few_items");
    REFUSED("POST", N, NULL, NULL,
            "{\"kind\":\"webhook\",\"events\":[\"ticket.near\",\"ticket.near\"]}", "events[1]",
            "input.repeated_item");
    REFUSED("POST", N, NULL, NULL, "{\"kind\":\"webhook\",\"events\":[\"ticket.lost\"]}",
            "events[0]", "input.not_in_enum");
    REFUSED("POST", N, NULL, NULL,
            "{\"kind\":\"webhook\",\"url\":\"https://a b\",\"events\":[\"ticket.near\"]}", "url",
            "input.pattern");
}

static void test_maps_and_one_of(void **state)
{
    (void)state;
    const char *P = "/api/v1/plan/what-if";
    OK("POST", P, NULL, NULL, "{\"windows\":{\"A\":2,\"B,C\":[1,2,3]},\"service_level\":0.8}");
    REFUSED("POST", P, NULL, NULL, "{\"windows\":{}}", "windows", "input.too_few_members");
    REFUSED("POST", P, NULL, NULL, "{\"windows\":{\"a\":1}}", "windows.a", "input.pattern");
    REFUSED("POST", P, NULL, NULL, "{\"windows\":{\"A\":[1,-1]}}", "windows.A[1]",
            "input.out_of_range");
    REFUSED("POST", P, NULL, NULL, "{\"windows\":{\"A\":\"2\"}}", "windows.A", "input.no_form");
    REFUSED("POST", P, NULL, NULL, "{\"windows\":{\"A\":1},\"service_level\":0}", "service_level",
            "input.above");
    REFUSED("POST", P, NULL, NULL, "{\"windows\":{\"A\":1},\"service_level\":1}", "service_level",
            "input.below");
    REFUSED("POST", P, NULL, NULL, "{\"windows\":{\"A\":1},\"holidays\":[{\"date\":\"2026-1-1\"}]}",
            "holidays[0].date", "input.not_date");
}

static void test_one_schema_per_action(void **state)
{
    (void)state;
    const char *A = "/api/v1/windows/{n}/{action}";
    OK("POST", A, "1", "call", "{\"number\":\"A005\"}");
    REFUSED("POST", A, "1", "call", NULL, "number", "input.required");
    REFUSED("POST", A, "1", "call", "{\"service\":\"B\"}", "number", "input.required");
    REFUSED("POST", A, "1", "undo-no-show", "{}", "number", "input.required");
    OK("POST", A, "1", "transfer", "{\"service\":\"B\"}");
    REFUSED("POST", A, "1", "transfer", "{\"service\":\"B\",\"number\":\"A005\"}", "number",
            "input.unknown_field");
    OK("POST", A, "1", "pause", "{\"reason\":\"午休\",\"back_in_s\":600}");
    REFUSED("POST", A, "1", "pause", "{\"back_in_s\":600}", "reason", "input.required");
    REFUSED("POST", A, "1", "pause", "{\"reason\":\"x\",\"back_in_s\":-5}", "back_in_s",
            "input.out_of_range");
    OK("POST", A, "1", "open", NULL);
    OK("POST", A, "1", "open", "{}");
    REFUSED("POST", A, "1", "open", "{\"number\":\"A005\"}", "number", "input.unknown_field");
    OK("POST", A, "1", "no-such-action", "{\"x\":1}"); /* the handler answers 404 */
    const char *C = "/api/v1/complaints/{code}/{action}";
    OK("POST", C, "K1", "verdict", "{\"satisfied\":true,\"comment\":\"好\"}");
    REFUSED("POST", C, "K1", "verdict", "{\"comment\":\"x\"}", "satisfied", "input.required");
    REFUSED("POST", C, "K1", "acknowledge", "{\"satisfied\":true}", "satisfied",
            "input.unknown_field");
    OK("POST", C, "K1", "assess", "{\"window\":2,\"substantiated\":false}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_body_has_a_schema), cmocka_unit_test(test_types_and_objects),
        cmocka_unit_test(test_formats_enums_arrays),    cmocka_unit_test(test_maps_and_one_of),
        cmocka_unit_test(test_one_schema_per_action),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
