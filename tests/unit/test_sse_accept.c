/* SPDX-License-Identifier: MIT */
/*
 * test_sse_accept.c — which daemon takes a new connection (src/http/accept_route.c): an event
 * stream's first head goes to the streams' daemon (small memory pool) only when it is exactly
 * GET /api/v1/events (a query allowed), nothing follows it, no body is announced, and its cost
 * in pool bytes (head + Cookie value + HQ_STREAM_RECORD per header, cookie and query argument)
 * is within HQ_STREAM_BUDGET and its length within HQ_STREAM_HEAD_MAX.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/server_int.h"

static bool routed(const char *h)
{
    size_t n = strlen(h);
    return hq__accept_is_stream(h, n, n);
}

static size_t cost(const char *h)
{
    size_t n = strlen(h);
    return hq__accept_stream_cost(h, n, n);
}

static void which_requests(void **st)
{
    (void)st;
    assert_true(routed("GET /api/v1/events HTTP/1.1\r\nHost: x\r\n\r\n"));
    assert_true(routed("GET /api/v1/events?last_event_id=42 HTTP/1.1\r\nHost: x\r\n\r\n"));
    assert_true(routed("GET /api/v1/events HTTP/1.0\r\n\r\n"));
    assert_true(routed("GET /api/v1/events HTTP/1.1\nHost: x\n\n")); /* bare LFs */
    assert_true(routed("GET /api/v1/events HTTP/1.1\r\nContent-Length: 0\r\n\r\n"));
    assert_false(routed("HEAD /api/v1/events HTTP/1.1\r\nHost: x\r\n\r\n"));
    assert_false(routed("POST /api/v1/events HTTP/1.1\r\nHost: x\r\n\r\n"));
    assert_false(routed("GET /api/v1/eventsx HTTP/1.1\r\nHost: x\r\n\r\n"));
    assert_false(routed("GET /api/v1/events/1 HTTP/1.1\r\nHost: x\r\n\r\n"));
    assert_false(routed("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n"));
    assert_false(routed("get /api/v1/events HTTP/1.1\r\nHost: x\r\n\r\n"));
    assert_false(routed("\r\nGET /api/v1/events HTTP/1.1\r\nHost: x\r\n\r\n"));
    assert_false(routed("GET /api/v1/events HTTP/2.0\r\nHost: x\r\n\r\n"));
    assert_false(routed("GET /api/v1/events HTTP/1.1\r\nContent-Length: 5\r\n\r\n"));
    assert_false(routed("GET /api/v1/events HTTP/1.1\r\ncontent-length: 01\r\n\r\n"));
    assert_false(routed("GET /api/v1/events HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"));
    assert_false(hq__accept_is_stream(NULL, 0, 0));
}

static void bytes_after_the_head(void **st)
{
    (void)st;
    const char h[] =
        "GET /api/v1/events HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/health HTTP/1.1\r\n";
    size_t head = strstr(h, "\r\n\r\n") + 4 - h;
    assert_true(hq__accept_is_stream(h, head, head));
    assert_false(hq__accept_is_stream(h, strlen(h), head)); /* a pipelined request follows */
}

static void the_cost(void **st)
{
    (void)st;
    const char *a = "GET /api/v1/events HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(cost(a), strlen(a) + HQ_STREAM_RECORD);
    const char *q = "GET /api/v1/events?a=1&b=2&c HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(cost(q), strlen(q) + 4 * HQ_STREAM_RECORD); /* 3 arguments, 1 header */
    const char *c = "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nCookie: a=1; b=2\r\n\r\n";
    /* two headers, two cookies, and the value "a=1; b=2" copied */
    assert_int_equal(cost(c), strlen(c) + 8 + 4 * HQ_STREAM_RECORD);
    assert_int_equal(cost("GET /api/v1/health HTTP/1.1\r\n\r\n"), SIZE_MAX);
}

/* A head of total bytes with k headers "X-Hnn: v…" (k >= 1). */
static char *make_head(int k, size_t total)
{
    char *h = malloc(total + 1);
    assert_non_null(h);
    size_t n = (size_t)snprintf(h, total + 1, "GET /api/v1/events HTTP/1.1\r\n");
    for (int i = 0; i < k; i++)
        n += (size_t)snprintf(h + n, total + 1 - n, "X-H%02d: v\r\n", i);
    assert_true(n + 2 <= total);
    /* pad the last header's value */
    size_t pad = total - n - 2;
    memmove(h + n - 2 + pad, h + n - 2, 2);
    memset(h + n - 2, 'v', pad);
    memcpy(h + total - 2, "\r\n", 2);
    h[total] = '\0';
    return h;
}

static void the_bounds(void **st)
{
    (void)st;
    /* few headers: the byte bound decides */
    char *h = make_head(1, HQ_STREAM_HEAD_MAX);
    assert_true(cost(h) <= HQ_STREAM_BUDGET);
    assert_true(routed(h));
    free(h);
    h = make_head(1, HQ_STREAM_HEAD_MAX + 1);
    assert_false(routed(h));
    free(h);
    /* many headers: the budget decides */
    int k = 30;
    size_t at = HQ_STREAM_BUDGET - (size_t)k * HQ_STREAM_RECORD;
    h = make_head(k, at);
    assert_int_equal(cost(h), HQ_STREAM_BUDGET);
    assert_true(routed(h));
    free(h);
    h = make_head(k, at + 1);
    assert_false(routed(h));
    free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(which_requests),
        cmocka_unit_test(bytes_after_the_head),
        cmocka_unit_test(the_cost),
        cmocka_unit_test(the_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
