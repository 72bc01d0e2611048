/* SPDX-License-Identifier: MIT */
/*
 * accept_route.c — which libmicrohttpd daemon takes a new connection. The server runs two
 * (server.c): the main daemon, whose connections get an 8 KiB memory pool (a request head of up to
 * 7 KiB, any route), and the streams' daemon, whose connections get HQ_STREAM_POOL bytes: an event
 * stream holds its connection for hours and libmicrohttpd 0.9.75 touches the whole pool of every
 * connection, so the pool is most of what a stream costs (docs/PERFORMANCE.md "Display streams").
 *
 * The door (door.c) holds every new connection until the head of its first request is in (peeked
 * with MSG_PEEK, with its time-out and its per-address and total caps) and then asks this file.
 * A connection goes to the streams' daemon only when everything it has sent is one head that
 * libmicrohttpd can parse in the small pool and serve as a stream:
 *
 *  - the request line is `GET /api/v1/events` with or without a query, HTTP/1.x;
 *  - the whole head is at most HQ_STREAM_HEAD_MAX bytes, and its cost at most HQ_STREAM_BUDGET:
 *    the head, plus the Cookie header's value (libmicrohttpd copies it to split the cookies), plus
 *    HQ_STREAM_RECORD for each header, cookie and query argument (libmicrohttpd's records of them,
 *    all in the pool). Measured with libmicrohttpd 0.9.75 and a 4 KiB pool: heads of cost up to
 *    3,796 were served and the cheapest that failed cost 3,892 (docs/PERFORMANCE.md); beyond,
 *    libmicrohttpd refuses the head (431, turned into the JSON error by the door's refusal hook)
 *    or, worse, closes the connection without an answer when the answer's own head does not fit
 *    any more. The budget keeps a margin below that;
 *  - nothing follows the head (no pipelined request, no body) and no header announces a body
 *    (Content-Length other than 0, Transfer-Encoding).
 *
 * Anything else goes to the main daemon, which serves it as before: an events request with a head
 * too big for the small pool is still a stream, only with the 8 KiB pool. The streams' daemon
 * answers exactly one request per connection (server.c sends Connection: close there), so a
 * kept-alive connection never brings it a second request that the door did not look at.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <stdint.h>
#include <strings.h>

#include "server_int.h"

static const char EVENTS[] = "GET /api/v1/events";

/* Header line [p, p+n) (no CR/LF) named name? Then *v, *vl: its value, blanks trimmed. */
static bool header_is(const char *p, size_t n, const char *name, const char **v, size_t *vl)
{
    size_t k = strlen(name);
    if (n <= k || p[k] != ':' || strncasecmp(p, name, k) != 0) return false;
    const char *b = p + k + 1, *e = p + n;
    while (b < e && (*b == ' ' || *b == '\t'))
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    *v = b;
    *vl = (size_t)(e - b);
    return true;
}

static size_t count_char(const char *p, size_t n, char c)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += p[i] == c;
    return k;
}

size_t hq__accept_stream_cost(const char *buf, size_t n, size_t head_len)
{
    if (!buf || head_len == 0 || head_len != n) return SIZE_MAX;
    size_t el = sizeof EVENTS - 1;
    if (n <= el || memcmp(buf, EVENTS, el) != 0 || (buf[el] != ' ' && buf[el] != '?'))
        return SIZE_MAX;
    const char *lf = memchr(buf, '\n', n);
    if (!lf) return SIZE_MAX;
    size_t ll = (size_t)(lf - buf);
    if (ll && buf[ll - 1] == '\r') ll--;
    if (ll < el + 9 || memcmp(buf + ll - 9, " HTTP/1.", 8) != 0) return SIZE_MAX;
    /* libmicrohttpd keeps a record per header, per cookie and per query argument in the pool,
     * and a copy of the Cookie header's value */
    size_t records = 0, copied = 0;
    if (buf[el] == '?') records += 1 + count_char(buf + el, ll - 9 - el, '&');
    for (const char *p = lf + 1, *end = buf + n; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *next = nl ? nl + 1 : end;
        size_t l = (size_t)((nl ? nl : end) - p);
        if (l && p[l - 1] == '\r') l--;
        if (l == 0) break; /* the empty line ending the head */
        const char *v;
        size_t vl;
        if (header_is(p, l, "Transfer-Encoding", &v, &vl)) return SIZE_MAX;
        if (header_is(p, l, "Content-Length", &v, &vl) && strspn(v, "0") < vl) return SIZE_MAX;
        records++;
        if (header_is(p, l, "Cookie", &v, &vl)) {
            records += 1 + count_char(v, vl, ';');
            copied += vl;
        }
        p = next;
    }
    return head_len + copied + records * HQ_STREAM_RECORD;
}

bool hq__accept_is_stream(const char *buf, size_t n, size_t head_len)
{
    return head_len <= HQ_STREAM_HEAD_MAX &&
           hq__accept_stream_cost(buf, n, head_len) <= HQ_STREAM_BUDGET;
}
