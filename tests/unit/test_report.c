/* SPDX-License-Identifier: MIT */
/*
 * test_report.c — src/report on a small hand-built period, read back by real tools: the CSV (BOM,
 * sections, quoting, a customer's "=cmd" comment neutralised), the XLSX through `unzip -p`
 * (Chinese sheet names in xl/workbook.xml, the data in xl/sharedStrings.xml and numbers in the
 * sheets), the PDF through `pdftotext` (Chinese and English headings, the figures), and the JSON
 * (nulls where nothing was measured, the compare tests).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/hq_report.h"

/* cairo 1.16 leaks while subsetting fonts for a PDF and fontconfig keeps its configuration (see
 * test_media_ticket.c, docs/MEDIA.md): exactly those stacks are suppressed; anything else is still
 * reported. */
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

static char tmpdir[64];

struct fixture {
    struct hq_stats_input in;
    struct hq_stats stats;
    struct hq_report_trace trace;
    struct hq_report rep;
};

static struct hq_stats_ticket tk(const char *number, const char *svc, enum hq_status st, int64_t q,
                                 int64_t called, int64_t started, int64_t fin, int32_t window,
                                 const char *clerk)
{
    struct hq_stats_ticket t = {0};
    snprintf(t.number, sizeof t.number, "%s", number);
    snprintf(t.service, sizeof t.service, "%s", svc);
    snprintf(t.clerk, sizeof t.clerk, "%s", clerk);
    t.day = 20261126;
    t.status = st;
    t.issued_at = t.queued_at = q;
    t.called_at = called;
    t.started_at = started;
    t.finished_at = fin;
    t.window = window;
    t.hour = 9;
    return t;
}

static int setup(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hq-test-report-XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    struct fixture *f = calloc(1, sizeof *f);
    struct hq_stats_input *in = &f->in;
    hq_stats_input_init(in);
    in->day_from = in->day_to = 20261126;
    in->target_wait_s = 600;
    struct hq_stats_name sa = {"A", "社保业务", "Social security", 300};
    struct hq_stats_name w1 = {"1", "1号窗口", "", 0};
    struct hq_stats_name c1 = {"clerk1", "张三", "", 0};
    hq_stats_add_service(in, &sa);
    hq_stats_add_window(in, &w1);
    hq_stats_add_staff(in, &c1);
    const int64_t T = 1795600000;
    struct hq_stats_ticket ts[] = {
        tk("A001", "A", HQ_DONE, T, T + 120, T + 130, T + 430, 1, "clerk1"),
        tk("A002", "A", HQ_DONE, T, T + 240, T + 250, T + 490, 1, "clerk1"),
        tk("A003", "A", HQ_NO_SHOW, T, T + 900, 0, 0, 1, "clerk1"),
        tk("A004", "A", HQ_CANCELLED, T, 0, 0, 0, 0, ""),
    };
    for (size_t i = 0; i < 4; i++)
        hq_stats_add_ticket(in, &ts[i]);
    struct hq_stats_eval e = {.day = 20261126, .window = 1, .level = 5, .hour = 9};
    snprintf(e.number, sizeof e.number, "A001");
    snprintf(e.service, sizeof e.service, "A");
    snprintf(e.clerk, sizeof e.clerk, "clerk1");
    snprintf(e.reasons, sizeof e.reasons, "态度好; 效率高");
    e.created_at = T + 500;
    e.comment = strdup("=HYPERLINK(\"http://x\",\"点我\"), 很好");
    hq_stats_add_eval(in, &e);
    struct hq_stats_eval e2 = e;
    snprintf(e2.number, sizeof e2.number, "A002");
    e2.level = 2;
    e2.comment = NULL;
    e2.reasons[0] = 0;
    hq_stats_add_eval(in, &e2);
    if (hq_stats_compute(in, &f->stats)) return -1;
    hq_report_trace_add(&f->trace, 101, "ticket.issued");
    hq_report_trace_add(&f->trace, 102, "ticket.called");
    hq_report_trace_add(&f->trace, 103, "ticket.issued");
    f->rep = (struct hq_report){.stats = &f->stats,
                                .in = in,
                                .trace = &f->trace,
                                .hall_name = "测试大厅",
                                .hall_name_en = "Test hall",
                                .from = "2026-11-26",
                                .to = "2026-11-26",
                                .generated_at = "2026-11-27 08:00:00"};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    hq_stats_release(&f->stats);
    hq_stats_input_release(&f->in);
    free(f);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static char *run(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (n + 1 == cap) buf = realloc(buf, cap *= 2);
    }
    buf[n] = 0;
    assert_int_equal(pclose(p), 0);
    return buf;
}

static void save(const char *name, const unsigned char *data, size_t len, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    fclose(fp);
}

static void test_trace(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(f->trace.first_seq, 101);
    assert_int_equal(f->trace.last_seq, 103);
    assert_int_equal(f->trace.n_events, 2);
    assert_string_equal(f->trace.events[0].type, "ticket.issued");
    assert_int_equal(f->trace.events[0].n, 2);
}

static void test_csv(void **state)
{
    struct fixture *f = *state;
    unsigned char *out = NULL;
    size_t len = 0;
    struct hq_why why = {0};
    assert_int_equal(hq_report_csv(&f->rep, &out, &len, &why), 0);
    assert_true(len > 3);
    assert_memory_equal(out, "\xEF\xBB\xBF", 3);
    char *s = strndup((const char *)out + 3, len - 3);
    assert_non_null(strstr(s, "# 概览 Overview\r\n"));
    assert_non_null(strstr(s, "取号数,Tickets issued,4\r\n"));
    assert_non_null(strstr(s, "办结数,Served,2\r\n"));
    /* waits 120, 240, 900: mean 420 s = 7.0 min; 2 of 3 within 600 s */
    assert_non_null(strstr(s, "平均等候(分),Mean wait (min),7.0\r\n"));
    assert_non_null(strstr(s, "目标内叫号率,Called within target,66.7%\r\n"));
    assert_non_null(strstr(s, "满意率(4-5级),Satisfaction rate (levels 4-5),50.0%\r\n"));
    assert_non_null(strstr(s, "事件,ticket.issued,2\r\n"));
    assert_non_null(strstr(s, "评价原因,态度好,1\r\n"));
    assert_non_null(strstr(s, "# 业务 Services\r\n"));
    assert_non_null(strstr(s, "\r\nA,社保业务,4,2,1,1,0,7.0,"));
    assert_non_null(strstr(s, "# 人员 Staff\r\n"));
    assert_non_null(strstr(s, "\r\nclerk1,张三,3,2,1,"));
    /* the customer's comment: quoted, inner quotes doubled, and never a formula */
    assert_non_null(strstr(s, ",\"'=HYPERLINK(\"\"http://x\"\",\"\"点我\"\"), 很好\","));
    assert_null(strstr(s, ",=HYPERLINK"));
    assert_non_null(strstr(s, "2026-11-26,A001,A,1,clerk1,5 非常满意,态度好; 效率高,"));
    free(s);
    free(out);
}

static void test_xlsx(void **state)
{
    struct fixture *f = *state;
    unsigned char *out = NULL;
    size_t len = 0;
    struct hq_why why = {0};
    assert_int_equal(hq_report_xlsx(&f->rep, &out, &len, &why), 0);
    assert_memory_equal(out, "PK", 2);
    char path[256], cmd[512];
    save("r.xlsx", out, len, path, sizeof path);
    free(out);
    snprintf(cmd, sizeof cmd, "unzip -p '%s' xl/workbook.xml", path);
    char *wb = run(cmd);
    const char *sheets[] = {"概览", "业务", "窗口", "人员", "时段", "评价", "明细"};
    for (size_t i = 0; i < sizeof sheets / sizeof sheets[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "name=\"%s\"", sheets[i]);
        if (!strstr(wb, want)) fail_msg("sheet %s missing in %s", sheets[i], wb);
    }
    free(wb);
    snprintf(cmd, sizeof cmd, "unzip -p '%s' xl/sharedStrings.xml", path);
    char *ss = run(cmd);
    assert_non_null(strstr(ss, "测试大厅 / Test hall"));
    assert_non_null(strstr(ss, "社保业务"));
    assert_non_null(strstr(ss, "张三"));
    assert_non_null(strstr(ss, "态度好; 效率高"));
    /* the comment is a string, not a formula */
    assert_non_null(strstr(ss, "=HYPERLINK("));
    free(ss);
    /* numbers are numbers: the services sheet (sheet2) has issued 4 as a value */
    snprintf(cmd, sizeof cmd, "unzip -p '%s' xl/worksheets/sheet2.xml", path);
    char *s2 = run(cmd);
    assert_non_null(strstr(s2, "<v>4</v>"));
    assert_null(strstr(s2, "<f>"));
    free(s2);
    snprintf(cmd, sizeof cmd, "unzip -p '%s' xl/worksheets/sheet6.xml", path);
    char *s6 = run(cmd);
    assert_null(strstr(s6, "<f>")); /* the evaluations sheet holds no formula */
    free(s6);
}

static void test_pdf(void **state)
{
    struct fixture *f = *state;
    unsigned char *out = NULL;
    size_t len = 0;
    struct hq_why why = {0};
    assert_int_equal(hq_report_pdf(&f->rep, &out, &len, &why), 0);
    assert_memory_equal(out, "%PDF-", 5);
    char path[256], cmd[512];
    save("r.pdf", out, len, path, sizeof path);
    free(out);
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' -", path);
    char *t = run(cmd);
    const char *want[] = {"服务统计报表",   "Service statistics report",
                          "测试大厅",       "概览",
                          "各时段等候时间", "满意度",
                          "业务",           "人员",
                          "张三",           "社保业务",
                          "数据来源",       "ticket.issued: 2"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(t, want[i])) fail_msg("PDF text lacks '%s':\n%s", want[i], t);
    free(t);
}

static void test_json(void **state)
{
    struct fixture *f = *state;
    json_t *j = hq_report_json(&f->rep);
    assert_non_null(j);
    json_t *total = json_object_get(j, "total");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(total, "counts"), "issued")), 4);
    json_t *wait = json_object_get(total, "wait");
    assert_true(json_number_value(json_object_get(wait, "mean_s")) == 420);
    assert_true(json_number_value(json_object_get(wait, "median_s")) == 240);
    json_t *sat = json_object_get(total, "satisfaction");
    assert_true(json_real_value(json_object_get(sat, "rate")) == 0.5);
    assert_true(json_is_array(json_object_get(sat, "rate_ci95")));
    /* hours: only the one with tickets */
    assert_int_equal(json_array_size(json_object_get(j, "hours")), 1);
    /* a window nobody served: nulls, not zeros */
    json_t *svc = json_object_get(json_array_get(json_object_get(j, "staff"), 0), "scorecard");
    assert_non_null(svc);
    assert_true(json_number_value(json_object_get(svc, "target_service_s")) == 300);
    json_t *rs = json_object_get(j, "reasons");
    assert_int_equal(json_array_size(rs), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rs, 0), "reason")),
                        "态度好");
    json_t *src = json_object_get(j, "source");
    assert_int_equal(json_integer_value(json_object_get(src, "tickets")), 4);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(src, "events"), "ticket.issued")), 2);
    json_decref(j);

    struct hq_stats_group empty = {0};
    json_t *g = hq_report_group_json(&empty, false);
    assert_true(json_is_null(json_object_get(json_object_get(g, "wait"), "mean_s")));
    assert_true(json_is_null(json_object_get(json_object_get(g, "satisfaction"), "rate")));
    json_decref(g);

    struct hq_stats_compare c;
    hq_stats_compare(&f->stats.total, &empty, &c);
    json_t *cj = hq_report_compare_json(&c);
    assert_false(json_is_true(json_object_get(json_object_get(cj, "satisfaction_rate"), "valid")));
    assert_true(json_is_null(json_object_get(json_object_get(cj, "mean_wait"), "p")));
    json_decref(cj);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace), cmocka_unit_test(test_csv),  cmocka_unit_test(test_xlsx),
        cmocka_unit_test(test_pdf),   cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
