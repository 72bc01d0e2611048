/* SPDX-License-Identifier: MIT */
/*
 * test_media_ticket.c — the ticket drawn with cairo (src/media/ticket_render.c), checked with
 * real readers: pdftotext finds the Chinese service name, hall, number and documents in the PDF,
 * pdffonts shows Noto Sans CJK embedded (not a fallback drawing boxes), pdfinfo gives an 80 mm
 * page; zbarimg decodes the tracking URL from the PNG. poppler-utils and zbar-tools are installed
 * by scripts/setup.sh: the tests fail without them.
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

#include "media/hq_media.h"
#include "test_media_fixture.h"

static const struct hq_print_ticket TICKET = {
    .hall = "市民服务中心",
    .number = "A001",
    .service_zh = "社保办理",
    .service_en = "Social insurance",
    .ahead = 7,
    .wait_s = 610,
    .issued = "2024-05-06 09:31",
    .documents = {"身份证", "户口本 (原件)"},
    .n_documents = 2,
    .url = "http://hall.example/t/0123456789abcdef0123456789abcdef",
    .footer = "请留意叫号 Please listen for your number",
};

/* cairo 1.16 leaks a few hundred bytes per PDF when it subsets an OpenType/CFF font (inside
 * cairo_surface_finish), and fontconfig keeps its configuration and a pattern per toy font face:
 * reproduced with a ten-line program that only shows Noto Sans CJK text in a PDF. Exactly those
 * stacks are suppressed for the sanitizer build; a surface or context this module forgets to
 * destroy is still reported (checked: dropping one cairo_surface_destroy fails the run). */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0"; /* full stacks through libcairo, for the suppressions */
}
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:cairo_surface_finish\nleak:cairo_toy_font_face_create\nleak:"
           "FcInitLoadConfigAndFonts\n";
}

static int setup(void **state)
{
    (void)state;
    return mfx_tmpdir("ticket");
}

static int teardown(void **state)
{
    (void)state;
    return mfx_rmdir();
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* Run a command, return its stdout (malloc'd, caller frees); stderr dropped. */
static char *run(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    size_t n;
    while ((n = fread(out + len, 1, cap - 1 - len, p)) > 0) {
        len += n;
        if (len == cap - 1) break;
    }
    out[len] = 0;
    pclose(p);
    return out;
}

static void test_pdf_text(void **state)
{
    (void)state;
    need_program("pdftotext");
    need_program("pdffonts");
    need_program("pdfinfo");
    unsigned char *pdf = NULL;
    size_t len = 0;
    struct hq_media_why why = {0};
    int rc = hq_ticket_pdf(&TICKET, &pdf, &len, &why);
    if (rc) fail_msg("pdf: %s", why.message);
    assert_memory_equal(pdf, "%PDF-", 5);
    char path[128], cmd[256];
    snprintf(path, sizeof path, "%s/ticket.pdf", tmpdir);
    write_file(path, pdf, len);
    free(pdf);

    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>/dev/null", path);
    char *txt = run(cmd);
    static const char *const want[] = {
        "社保办理", "A001",          "市民服务中心", "Social insurance", "身份证",
        "户口本",   "前面还有 7 人", "约 11 分钟",   "2024-05-06 09:31", "请留意叫号"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(txt, want[i])) fail_msg("'%s' not in the PDF text:\n%s", want[i], txt);
    free(txt);

    snprintf(cmd, sizeof cmd, "pdffonts '%s' 2>/dev/null", path);
    char *fonts = run(cmd);
    if (!strstr(fonts, "NotoSansCJK")) fail_msg("Noto Sans CJK not embedded:\n%s", fonts);
    free(fonts);

    snprintf(cmd, sizeof cmd, "pdfinfo '%s' 2>/dev/null", path);
    char *info = run(cmd);
    const char *ps = strstr(info, "Page size:");
    assert_non_null(ps);
    double w = 0, h = 0;
    assert_int_equal(sscanf(ps, "Page size: %lf x %lf", &w, &h), 2);
    if (w < 226 || w > 227.5) fail_msg("page width %.2f pt, want 80 mm = 226.77 pt", w);
    if (h < 226 || h > 1200) fail_msg("page height %.2f pt", h);
    int pages = 0;
    assert_non_null(strstr(info, "Pages:"));
    assert_int_equal(sscanf(strstr(info, "Pages:"), "Pages: %d", &pages), 1);
    assert_int_equal(pages, 1);
    free(info);
}

static void test_png_qr_decodes(void **state)
{
    (void)state;
    need_program("zbarimg");
    unsigned char *png = NULL;
    size_t len = 0;
    struct hq_media_why why = {0};
    int rc = hq_ticket_png(&TICKET, 0, &png, &len, &why);
    if (rc) fail_msg("png: %s", why.message);
    assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
    /* IHDR: width and height, big-endian, at offset 16 */
    uint32_t w = (uint32_t)png[16] << 24 | png[17] << 16 | png[18] << 8 | png[19];
    uint32_t h = (uint32_t)png[20] << 24 | png[21] << 16 | png[22] << 8 | png[23];
    assert_int_equal(w, 640); /* 80 mm at 8 px/mm */
    assert_true(h > 640 && h < 3000);
    char path[128], cmd[256];
    snprintf(path, sizeof path, "%s/ticket.png", tmpdir);
    write_file(path, png, len);
    free(png);
    snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s' 2>/dev/null", path);
    char *out = run(cmd);
    char *nl = strchr(out, '\n');
    if (nl) *nl = 0;
    assert_string_equal(out, TICKET.url);
    free(out);
}

/* Long texts wrap (the page grows, nothing is cut), a small scale still decodes. */
static void test_wrapping_and_scale(void **state)
{
    (void)state;
    struct hq_print_ticket t = TICKET;
    t.documents[0] = "居民身份证原件及复印件一份，如委托他人办理，还需提供委托书和受托人身份证原件";
    t.documents[1] = "A very long English requirement that certainly does not fit on one line "
                     "of an eighty millimetre ticket";
    unsigned char *a = NULL, *b = NULL;
    size_t la = 0, lb = 0;
    assert_int_equal(hq_ticket_pdf(&TICKET, &a, &la, NULL), 0);
    assert_int_equal(hq_ticket_pdf(&t, &b, &lb, NULL), 0);
    char pa[128], pb[128], cmd[512];
    snprintf(pa, sizeof pa, "%s/a.pdf", tmpdir);
    snprintf(pb, sizeof pb, "%s/b.pdf", tmpdir);
    write_file(pa, a, la);
    write_file(pb, b, lb);
    free(a);
    free(b);
    double ha = 0, hb = 0, w;
    snprintf(cmd, sizeof cmd, "pdfinfo '%s' 2>/dev/null", pa);
    char *ia = run(cmd);
    snprintf(cmd, sizeof cmd, "pdfinfo '%s' 2>/dev/null", pb);
    char *ib = run(cmd);
    assert_int_equal(sscanf(strstr(ia, "Page size:"), "Page size: %lf x %lf", &w, &ha), 2);
    assert_int_equal(sscanf(strstr(ib, "Page size:"), "Page size: %lf x %lf", &w, &hb), 2);
    free(ia);
    free(ib);
    assert_true(hb > ha + 20); /* at least two more lines */
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>/dev/null", pb);
    char *txt = run(cmd);
    assert_non_null(strstr(txt, "受托人身份证原件"));
    assert_non_null(strstr(txt, "eighty"));
    free(txt);

    unsigned char *png = NULL;
    size_t len = 0;
    assert_int_equal(hq_ticket_png(&t, 4, &png, &len, NULL), 0);
    snprintf(pa, sizeof pa, "%s/small.png", tmpdir);
    write_file(pa, png, len);
    free(png);
    snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s' 2>/dev/null", pa);
    char *out = run(cmd);
    assert_non_null(strstr(out, TICKET.url));
    free(out);
}

static void test_refusals(void **state)
{
    (void)state;
    unsigned char *out = (unsigned char *)"untouched";
    size_t len = 1;
    struct hq_media_why why = {0};
    struct hq_print_ticket t = TICKET;
    t.service_zh = "社保\x07";
    assert_int_equal(hq_ticket_pdf(&t, &out, &len, &why), HQ_MEDIA_EINVAL);
    assert_non_null(strstr(why.message, "service_zh"));
    assert_int_equal(hq_ticket_png(&TICKET, 1, &out, &len, &why), HQ_MEDIA_EINVAL);
    assert_int_equal(hq_ticket_png(NULL, 8, &out, &len, &why), HQ_MEDIA_EINVAL);
    assert_string_equal((char *)out, "untouched");
    /* without URL: no QR, still a ticket */
    t = TICKET;
    t.url = NULL;
    assert_int_equal(hq_ticket_png(&t, 8, &out, &len, &why), 0);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pdf_text),
        cmocka_unit_test(test_png_qr_decodes),
        cmocka_unit_test(test_wrapping_and_scale),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
