/* SPDX-License-Identifier: MIT */
/*
 * test_media_wait.c — the wait line of the printed ticket follows API.md: when no open window
 * serves the ticket's service (serving_windows 0) the ticket says 当前无窗口办理 / No window is
 * serving this now instead of a minute figure; with a known range (wait_range_s) it prints the
 * range, 约 10–20 分钟; otherwise the estimate; nothing when unknown. Checked on the line itself,
 * in the ESC/POS bytes (GB18030) and in the PDF's text.
 */
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media/media_int.h"

/* cairo and fontconfig keep caches for the life of the process (test_media_ticket.c explains and
 * pins the stacks): suppressed for the sanitizer build. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0";
}
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:cairo_surface_finish\nleak:cairo_toy_font_face_create\nleak:"
           "FcInitLoadConfigAndFonts\n";
}

static struct hq_print_ticket base(void)
{
    struct hq_print_ticket t = {.hall = "市民服务中心",
                                .number = "A001",
                                .service_zh = "社保办理",
                                .service_en = "Social insurance",
                                .ahead = 3,
                                .wait_s = 610,
                                .issued = "2024-05-06 09:31"};
    return t;
}

static void lines(void **st)
{
    (void)st;
    char buf[256];
    struct hq_print_ticket t = base();
    assert_true(hq__media_wait_line(&t, buf, sizeof buf));
    assert_string_equal(buf, "预计等待 约 11 分钟 / about 11 min");
    t.wait_lo_s = 600;
    t.wait_hi_s = 1200;
    assert_true(hq__media_wait_line(&t, buf, sizeof buf));
    assert_string_equal(buf, "预计等待 约 10–20 分钟 / about 10–20 min");
    t.wait_lo_s = t.wait_hi_s = 600;
    assert_true(hq__media_wait_line(&t, buf, sizeof buf));
    assert_string_equal(buf, "预计等待 约 10 分钟 / about 10 min");
    t.no_window = true;
    assert_true(hq__media_wait_line(&t, buf, sizeof buf));
    assert_string_equal(buf, "当前无窗口办理 / No window is serving this now");
    assert_null(strstr(buf, "分钟"));
    struct hq_print_ticket u = base();
    u.wait_s = -1;
    assert_false(hq__media_wait_line(&u, buf, sizeof buf));
}

/* Does the GB18030 form of utf8 occur in the bytes? */
static bool has_gb(const unsigned char *p, size_t n, const char *utf8)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    char in[256], out[256];
    snprintf(in, sizeof in, "%s", utf8);
    char *ip = in, *op = out;
    size_t il = strlen(in), ol = sizeof out;
    assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
    iconv_close(cd);
    size_t m = sizeof out - ol;
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(p + i, out, m) == 0) return true;
    return false;
}

static void escpos_says_it(void **st)
{
    (void)st;
    struct hq_print_ticket t = base();
    t.no_window = true;
    unsigned char *out = NULL;
    size_t len = 0;
    struct hq_media_why why = {0};
    assert_int_equal(hq_escpos_ticket(&t, NULL, &out, &len, &why), 0);
    assert_true(has_gb(out, len, "当前无窗口办理"));
    assert_false(has_gb(out, len, "预计等待"));
    free(out);
    t = base();
    t.wait_lo_s = 600;
    t.wait_hi_s = 1200;
    assert_int_equal(hq_escpos_ticket(&t, NULL, &out, &len, &why), 0);
    assert_true(has_gb(out, len, "约 10–20 分钟"));
    free(out);
}

static char *pdf_text(const unsigned char *pdf, size_t len)
{
    char path[] = "/tmp/hq-wait-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_int_equal(fwrite(pdf, 1, len, f), len);
    fclose(f);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 %s -", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    static char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, p);
    text[n] = 0;
    pclose(p);
    remove(path);
    return text;
}

static void pdf_says_it(void **st)
{
    (void)st;
    struct hq_print_ticket t = base();
    t.no_window = true;
    unsigned char *out = NULL;
    size_t len = 0;
    struct hq_media_why why = {0};
    assert_int_equal(hq_ticket_pdf(&t, &out, &len, &why), 0);
    char *text = pdf_text(out, len);
    free(out);
    assert_non_null(strstr(text, "当前无窗口办理"));
    assert_null(strstr(text, "分钟"));
    assert_non_null(strstr(text, "A001")); /* the bold number is read once */
    assert_null(strstr(text, "A001A001"));
    t = base();
    t.wait_lo_s = 600;
    t.wait_hi_s = 1200;
    assert_int_equal(hq_ticket_pdf(&t, &out, &len, &why), 0);
    text = pdf_text(out, len);
    free(out);
    assert_non_null(strstr(text, "10–20"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines),
        cmocka_unit_test(escpos_says_it),
        cmocka_unit_test(pdf_says_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
