/* SPDX-License-Identifier: MIT */
/*
 * test_media_qr.c — QR codes (src/media/qr.c) checked with a real decoder: the PNG is written to
 * a temporary file and read back by zbarimg (zbar-tools, installed by scripts/setup.sh: the test
 * fails, not skips, without it); the SVG's path is parsed back into modules, painted and decoded
 * the same way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cairo.h>

#include "media/hq_media.h"
#include "test_media_fixture.h"

static const char *URL = "http://hall.example/t/0123456789abcdef0123456789abcdef";

static int setup(void **state)
{
    (void)state;
    return mfx_tmpdir("qr");
}

static int teardown(void **state)
{
    (void)state;
    return mfx_rmdir();
}

/* Decode a PNG file with zbarimg; returns the first line of its output (static buffer). */
static const char *zbar_decode(const char *path)
{
    static char out[2048];
    char cmd[512];
    need_program("zbarimg");
    snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s' 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = 0;
    pclose(p);
    char *nl = strchr(out, '\n');
    if (nl) *nl = 0;
    return out;
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void test_png_decodes(void **state)
{
    (void)state;
    unsigned char *png = NULL;
    size_t len = 0;
    assert_int_equal(hq_qr_png(URL, 4, &png, &len), 0);
    assert_true(len > 100);
    assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
    char path[128];
    snprintf(path, sizeof path, "%s/qr.png", tmpdir);
    write_file(path, png, len);
    free(png);
    assert_string_equal(zbar_decode(path), URL);
}

static void test_png_utf8_payload(void **state)
{
    (void)state;
    const char *text = "http://hall.example/t/abc?hall=市民服务中心";
    unsigned char *png = NULL;
    size_t len = 0;
    assert_int_equal(hq_qr_png(text, 3, &png, &len), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/qr8.png", tmpdir);
    write_file(path, png, len);
    free(png);
    assert_string_equal(zbar_decode(path), text);
}

/* Parse the SVG's "M x yhNv1h-Nz" runs back into a picture and decode it. */
static void test_svg_decodes(void **state)
{
    (void)state;
    char *svg = NULL;
    assert_int_equal(hq_qr_svg(URL, &svg), 0);
    assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    int size = 0;
    const char *vb = strstr(svg, "viewBox=\"0 0 ");
    assert_non_null(vb);
    assert_int_equal(sscanf(vb, "viewBox=\"0 0 %d", &size), 1);
    assert_int_equal(size, 33 + 8); /* a 54-char URL at level M: version 4, 33 modules + quiet */
    const char *d = strstr(svg, "<path d=\"");
    assert_non_null(d);
    d += 9;
    int scale = 4, runs = 0;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, size * scale, size * scale);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    while (*d == 'M') {
        int x, y, w, w2, used = 0;
        assert_int_equal(sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &w, &w2, &used), 4);
        assert_int_equal(w, w2);
        assert_true(x >= 4 && y >= 4 && x + w <= size - 4 && y < size - 4);
        cairo_rectangle(cr, x * scale, y * scale, w * scale, scale);
        d += used;
        runs++;
    }
    assert_true(*d == '"');
    assert_true(runs > 50);
    cairo_fill(cr);
    char path[128];
    snprintf(path, sizeof path, "%s/svg.png", tmpdir);
    assert_int_equal(cairo_surface_write_to_png(s, path), CAIRO_STATUS_SUCCESS);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    free(svg);
    assert_string_equal(zbar_decode(path), URL);
}

static void test_refusals(void **state)
{
    (void)state;
    unsigned char *png = (unsigned char *)"untouched";
    size_t len = 7;
    char *svg = (char *)"untouched";
    assert_int_equal(hq_qr_png("", 4, &png, &len), HQ_MEDIA_EINVAL);
    assert_int_equal(hq_qr_png(NULL, 4, &png, &len), HQ_MEDIA_EINVAL);
    assert_int_equal(hq_qr_png(URL, 0, &png, &len), HQ_MEDIA_EINVAL);
    assert_int_equal(hq_qr_png(URL, 65, &png, &len), HQ_MEDIA_EINVAL);
    assert_int_equal(hq_qr_svg("", &svg), HQ_MEDIA_EINVAL);
    char *big = malloc(HQ_QR_TEXT_MAX + 2);
    assert_non_null(big);
    memset(big, 'x', HQ_QR_TEXT_MAX + 1);
    big[HQ_QR_TEXT_MAX + 1] = 0;
    assert_int_equal(hq_qr_svg(big, &svg), HQ_MEDIA_EINVAL);
    free(big);
    /* out-parameters untouched on failure */
    assert_string_equal((char *)png, "untouched");
    assert_int_equal(len, 7);
    assert_string_equal(svg, "untouched");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_decodes),
        cmocka_unit_test(test_png_utf8_payload),
        cmocka_unit_test(test_svg_decodes),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
