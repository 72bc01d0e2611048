/* SPDX-License-Identifier: MIT */
/*
 * test_http_limits.c — the bounds of the HTTP layer that need no server: the slots of heavy
 * statistics/report computations (at most N at once, the rest refused 429 with Retry-After, a
 * slot given back is taken again), Retry-After carried from a refusal into the answer, and the
 * door's check of a request head (the transport errors answered as JSON: 400, 413, 414, 431, 505).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/server_int.h"

static void heavy_slots(void **st)
{
    (void)st;
    struct hq_why why = {0};
    hq__stats_limits(1, 0);
    assert_int_equal(hq__heavy_enter(&why), 0);
    assert_int_equal(hq__heavy_enter(&why), HQ_ERATE);
    assert_int_equal(why.code, HQ_ERATE);
    assert_true(why.retry_after_s > 0);
    struct hq_res res = {0};
    hq_res_error(&res, &why);
    assert_int_equal(res.status, 429);
    assert_int_equal(res.retry_after_s, why.retry_after_s);
    json_decref(res.json);
    hq__heavy_leave();
    assert_int_equal(hq__heavy_enter(&why), 0);
    hq__heavy_leave();
    /* two at once when allowed */
    hq__stats_limits(2, 0);
    assert_int_equal(hq__heavy_enter(&why), 0);
    assert_int_equal(hq__heavy_enter(&why), 0);
    assert_int_equal(hq__heavy_enter(&why), HQ_ERATE);
    hq__heavy_leave();
    hq__heavy_leave();
    hq__stats_limits(1, 0);
}

static void retry_after_defaults(void **st)
{
    (void)st;
    struct hq_why why = {0};
    struct hq_res res = {0};
    hq_fail(&why, HQ_ERATE, "", "slow down");
    hq_res_error(&res, &why);
    assert_int_equal(res.retry_after_s, 60); /* every 429 says when */
    json_decref(res.json);
    res = (struct hq_res){0};
    hq_fail(&why, HQ_EINVAL, "x", "bad");
    hq_res_error(&res, &why);
    assert_int_equal(res.retry_after_s, 0);
    json_decref(res.json);
}

static int head(const char *s, struct hq_why *why)
{
    return hq__door_check_head(s, strlen(s), true, why);
}

static void door_heads(void **st)
{
    (void)st;
    struct hq_why w = {0};
    assert_int_equal(head("GET / HTTP/1.1\r\nHost: x\r\n\r\n", &w), 0);
    assert_int_equal(head("\r\nGET / HTTP/1.0\r\n\r\n", &w), 0);
    assert_int_equal(head("POST /a HTTP/1.1\r\nContent-Length: 12\r\n\r\n", &w), 0);
    assert_int_equal(head("POST /a HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n", &w),
                     0);
    assert_int_equal(head("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &w), 0);
    assert_int_equal(head("POST /a HTTP/1.1\r\nContent-Length: abc\r\n\r\n", &w), 400);
    assert_string_equal(w.field, "Content-Length");
    assert_int_equal(head("POST /a HTTP/1.1\r\nContent-Length: -1\r\n\r\n", &w), 400);
    assert_int_equal(head("POST /a HTTP/1.1\r\nContent-Length: \r\n\r\n", &w), 400);
    assert_int_equal(head("POST /a HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", &w),
                     400);
    assert_int_equal(head("POST /a HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n", &w),
                     413);
    assert_int_equal(w.code, HQ_ETOOLARGE);
    assert_int_equal(head("POST /a HTTP/1.1\r\nContent-Length: 9223372036854775808\r\n\r\n", &w),
                     413);
    assert_int_equal(
        head("POST /a HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", &w),
        400);
    assert_string_equal(w.field, "Transfer-Encoding");
    assert_int_equal(head("GET / HTTP/2.0\r\n\r\n", &w), 505);
    assert_int_equal(head("GET / HTTP/1.2\r\n\r\n", &w), 505);
    assert_int_equal(head("GET / HTTQ/1.1\r\n\r\n", &w), 400);
    assert_int_equal(head("GARBAGE\r\n\r\n", &w), 400);
    assert_int_equal(head("GET  / HTTP/1.1\r\n\r\n", &w), 400);
    assert_int_equal(head("G(T / HTTP/1.1\r\n\r\n", &w), 400);
    assert_int_equal(head("GET / HTTP/1.1\r\n folded\r\n\r\n", &w), 400);
    assert_int_equal(head("GET / HTTP/1.1\r\nNo colon\r\n\r\n", &w), 400);
    assert_int_equal(head("GET / HTTP/1.1\r\nBad Name: 1\r\n\r\n", &w), 400);
    /* sizes: a long request line is 414, an incomplete head over the limit 431 */
    static char big[9000];
    memcpy(big, "GET /", 5);
    memset(big + 5, 'a', sizeof big - 5);
    assert_int_equal(hq__door_check_head(big, sizeof big, false, &w), 414);
    static char hdr[8000];
    snprintf(hdr, sizeof hdr, "GET / HTTP/1.1\r\nX: ");
    size_t l = strlen(hdr);
    memset(hdr + l, 'b', sizeof hdr - l);
    assert_int_equal(hq__door_check_head(hdr, sizeof hdr, false, &w), 431);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(heavy_slots),
        cmocka_unit_test(retry_after_defaults),
        cmocka_unit_test(door_heads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
