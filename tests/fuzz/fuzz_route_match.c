/* SPDX-License-Identifier: MIT */
/*
 * fuzz_route_match.c — libFuzzer target for the request-path helpers of src/http/http_util.c:
 * hq_route_match against every pattern of hq_routes (and the page patterns the server uses),
 * hq__url_decode, hq__log_path and hq__is_json_type. The input, cut at its first NUL (a path from
 * libmicrohttpd never holds one), is the path. Checks, for every successful match: as many
 * parameters as the pattern has {…} parts, each non-empty, NUL-terminated within 127 bytes and
 * free of '/' and NUL; and the path has exactly as many raw '/' as the pattern (a literal segment
 * must decode to the pattern's, so an encoded %2F can never stand for a separator). hq__log_path
 * must write a NUL-terminated string within any output size; hq__url_decode must respect its
 * output size and never produce a NUL.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/server_int.h"

static const char *const page_patterns[] = {"/window/{n}", "/pad/{n}", "/t/{id}", NULL};

static size_t count(const char *s, char c)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

static void check_match(const char *pattern, const char *path)
{
    char params[2][128];
    int np = -1;
    memset(params, 0x5a, sizeof params); /* no NUL anywhere: an unterminated param shows */
    if (!hq_route_match(pattern, path, params, &np)) return;
    int want = (int)count(pattern, '{');
    if (np != want) {
        fprintf(stderr, "'%s' ~ '%s': %d params, pattern has %d\n", path, pattern, np, want);
        abort();
    }
    for (int i = 0; i < np; i++) {
        const char *e = memchr(params[i], '\0', sizeof params[i]);
        if (!e || e - params[i] > 127 || e == params[i] || memchr(params[i], '/', e - params[i])) {
            fprintf(stderr, "'%s' ~ '%s': bad param %d\n", path, pattern, i);
            abort();
        }
    }
    if (count(path, '/') != count(pattern, '/')) {
        fprintf(stderr, "'%s' ~ '%s': separators differ\n", path, pattern);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = malloc(size + 1);
    if (!path) return 0;
    memcpy(path, data, size);
    path[size] = '\0';
    size_t len = strlen(path);

    for (size_t i = 0; hq_routes[i].pattern; i++)
        check_match(hq_routes[i].pattern, path);
    for (size_t i = 0; page_patterns[i]; i++)
        check_match(page_patterns[i], path);

    /* URL decoding into outputs of several sizes (exact-size heap buffers: ASan sees overruns). */
    static const size_t sizes[] = {1, 2, 8, 128, 4097};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        char *out = malloc(sizes[k]);
        if (!out) break;
        int n = hq__url_decode(path, len, out, sizes[k]);
        if (n >= 0 && ((size_t)n >= sizes[k] || out[n] != '\0' || strlen(out) != (size_t)n)) {
            fprintf(stderr, "url_decode: length %d in %zu bytes\n", n, sizes[k]);
            abort();
        }
        if (n > 0 && (size_t)n > len) abort(); /* decoding never lengthens */
        free(out);
    }

    /* Log masking: any output size from 1, the result NUL-terminated inside it. */
    size_t outsz = size ? (size_t)data[0] % 64 + 1 : 1;
    for (int round = 0; round < 2; round++) {
        char *out = malloc(outsz);
        if (!out) break;
        hq__log_path(path, out, outsz);
        if (!memchr(out, '\0', outsz)) abort();
        free(out);
        outsz = len + 8;
    }

    (void)hq__is_json_type(path);
    free(path);
    return 0;
}
