/* SPDX-License-Identifier: MIT */
/*
 * test_messages.c — the message catalogue (src/core/messages*.c). Every hq_fail format written
 * in src/ (found by reading the sources at test time, $HQ_SRC) must have an entry, and every
 * entry must agree with its format: one parameter name per conversion, only known {names} in the
 * Chinese, reasons that keep their parameters. Then hq_fail itself: reason, parameters and the
 * Chinese of real refusals, the translated words, the guard against a message rewritten by
 * hand, the JSON error body, and the character counts of json_in.c.
 */
#include <dirent.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/app_int.h"
#include "core/hq_core.h"
#include "http/server_int.h"

/* ---- the catalogue agrees with itself ---- */

static int conversions(const char *fmt)
{
    int n = 0;
    for (const char *p = strchr(fmt, '%'); p; p = strchr(p, '%')) {
        p++;
        if (*p == '%') {
            p++;
            continue;
        }
        n++;
    }
    return n;
}

static bool ident(const char *s, size_t n)
{
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_' || (i && s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

static bool has_param(const struct hq_msg *m, const char *name, size_t n)
{
    for (int i = 0; i < HQ_WHY_PARAMS && m->params[i]; i++)
        if (strlen(m->params[i]) == n && memcmp(m->params[i], name, n) == 0) return true;
    return false;
}

static bool has_cjk(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p >= 0xE4 && *p <= 0xE9) return true; /* U+4E00..U+9FFF lead bytes */
    return false;
}

static void catalogue_consistent(void **st)
{
    (void)st;
    size_t n;
    const struct hq_msg *t = hq_msg_all(&n);
    assert_true(n > 300);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const struct hq_msg *m = &t[i];
        int np = 0;
        while (np < HQ_WHY_PARAMS && m->params[np])
            np++;
        if (np != conversions(m->en)) {
            print_error("entry '%s': %d parameter names for %d conversions\n", m->en, np,
                        conversions(m->en));
            bad++;
        }
        for (int a = 0; a < np; a++) {
            if (!ident(m->params[a], strlen(m->params[a]))) {
                print_error("entry '%s': parameter name '%s'\n", m->en, m->params[a]);
                bad++;
            }
            for (int b = 0; b < a; b++)
                if (strcmp(m->params[a], m->params[b]) == 0) {
                    print_error("entry '%s': parameter '%s' twice\n", m->en, m->params[a]);
                    bad++;
                }
        }
        const char *dot = strchr(m->reason, '.');
        if (!dot || !ident(m->reason, (size_t)(dot - m->reason)) ||
            !ident(dot + 1, strlen(dot + 1))) {
            print_error("entry '%s': reason '%s' is not area.what\n", m->en, m->reason);
            bad++;
        }
        bool only_hint = strcmp(m->zh, "{hint}") == 0; /* the hint is translated */
        if ((!has_cjk(m->zh) && !only_hint) || strstr(m->zh, "%s") || strstr(m->zh, "%d")) {
            print_error("entry '%s': Chinese '%s'\n", m->en, m->zh);
            bad++;
        }
        for (const char *b = strchr(m->zh, '{'); b; b = strchr(b + 1, '{')) {
            const char *e = strchr(b, '}');
            if (e && ident(b + 1, (size_t)(e - b - 1)) &&
                !has_param(m, b + 1, (size_t)(e - b - 1))) {
                print_error("entry '%s': {%.*s} is no parameter\n", m->en, (int)(e - b - 1), b + 1);
                bad++;
            }
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(t[j].en, m->en) == 0) {
                print_error("entry '%s' twice\n", m->en);
                bad++;
            }
            if (strcmp(t[j].reason, m->reason) != 0) continue;
            for (int a = 0; a < HQ_WHY_PARAMS; a++) {
                const char *x = t[j].params[a], *y = m->params[a];
                if ((x || y) && (!x || !y || strcmp(x, y) != 0)) {
                    print_error("reason %s: parameters differ between '%s' and '%s'\n", m->reason,
                                t[j].en, m->en);
                    bad++;
                    break;
                }
            }
        }
        assert_ptr_equal(hq_msg_find(m->en)->en, m->en);
    }
    assert_int_equal(bad, 0);
}

/* ---- every hq_fail format in src/ has an entry ---- */

struct scan {
    int calls, missing, nonliteral;
};

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) b[n] = '\0';
    *len = (size_t)n;
    return b;
}

/* Skip a string or char literal starting at s[i] (the quote); returns the index after it. */
static size_t skip_lit(const char *s, size_t i)
{
    char q = s[i++];
    while (s[i] && s[i] != q) {
        if (s[i] == '\\' && s[i + 1]) i++;
        i++;
    }
    return s[i] ? i + 1 : i;
}

/* Decode one C string literal body s[a..b) (escapes) onto out. */
static size_t decode(const char *s, size_t a, size_t b, char *out, size_t o, size_t cap)
{
    for (size_t i = a; i < b && o + 1 < cap; i++) {
        char c = s[i];
        if (c == '\\' && i + 1 < b) {
            c = s[++i];
            c = c == 'n' ? '\n' : c == 't' ? '\t' : c == '0' ? '\0' : c;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return o;
}

static const struct {
    const char *name, *value;
} pri[] = {{"PRId64", PRId64}, {"PRIu64", PRIu64}, {"PRId32", PRId32},
           {"PRIu32", PRIu32}, {"PRIx64", PRIx64}, {"PRIi64", PRIi64}};

/* A line to complete and paste into the catalogue. */
static void print_skeleton(const char *fmt)
{
    char esc[2048];
    size_t o = 0;
    for (const char *p = fmt; *p && o + 3 < sizeof esc; p++) {
        if (*p == '"' || *p == '\\') esc[o++] = '\\';
        esc[o++] = *p == '\n' ? 'n' : *p;
    }
    esc[o] = '\0';
    char params[256] = "";
    size_t n = 0;
    for (int i = 0; i < conversions(fmt) && n + 8 < sizeof params; i++)
        n += (size_t)snprintf(params + n, sizeof params - n, "%s\"p%d\"", i ? ", " : "", i + 1);
    print_error("  add:    {\"%s\", \"area.what\", {%s}, \"中文 {p1}\"},\n", esc, params);
}

/* The argument text s[a..b) of the format: check each run of adjacent literals. */
static void check_format(const char *file, int line, const char *s, size_t a, size_t b,
                         struct scan *sc)
{
    char fmt[1024];
    size_t o = 0;
    bool in_run = false, any = false;
    for (size_t i = a; i <= b; i++) {
        bool end = i == b;
        if (!end && s[i] == '"') {
            size_t e = skip_lit(s, i);
            o = decode(s, i + 1, e - 1, fmt, in_run ? o : 0, sizeof fmt);
            in_run = true;
            i = e - 1;
            continue;
        }
        if (!end && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t')) continue;
        if (!end && in_run && strncmp(s + i, "PRI", 3) == 0) {
            bool ok = false;
            for (size_t k = 0; k < sizeof pri / sizeof pri[0]; k++) {
                size_t l = strlen(pri[k].name);
                if (strncmp(s + i, pri[k].name, l) == 0) {
                    o += (size_t)snprintf(fmt + o, sizeof fmt - o, "%s", pri[k].value);
                    i += l - 1;
                    ok = true;
                    break;
                }
            }
            if (ok) continue;
        }
        if (in_run) {
            any = true;
            if (!hq_msg_find(fmt)) {
                print_error("%s:%d: hq_fail format without a catalogue entry "
                            "(src/core/messages_table.c): \"%s\"\n",
                            file, line, fmt);
                print_skeleton(fmt);
                sc->missing++;
            }
            in_run = false;
            o = 0;
        }
    }
    if (!any) {
        print_error("%s:%d: hq_fail format is not a string literal\n", file, line);
        sc->nonliteral++;
    }
}

static void scan_file(const char *path, struct scan *sc)
{
    size_t len;
    char *s = slurp(path, &len);
    if (!s) return;
    int line = 1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n') line++;
        if (s[i] == '/' && s[i + 1] == '*') {
            char *e = strstr(s + i + 2, "*/");
            size_t to = e ? (size_t)(e - s) + 1 : len - 1;
            for (; i < to; i++)
                if (s[i] == '\n') line++;
            continue;
        }
        if (s[i] == '/' && s[i + 1] == '/') {
            while (i + 1 < len && s[i + 1] != '\n')
                i++;
            continue;
        }
        if (s[i] == '"' || s[i] == '\'') {
            size_t e = skip_lit(s, i) - 1;
            for (; i < e; i++)
                if (s[i] == '\n') line++;
            continue;
        }
        if (strncmp(s + i, "hq_fail", 7) != 0 || (i > 0 && (s[i - 1] == '_' || s[i - 1] == '.')))
            continue;
        size_t j = i + 7;
        while (s[j] == ' ' || s[j] == '\n')
            j++;
        if (s[j] != '(') continue;
        /* split the arguments at top-level commas */
        size_t arg_start[8] = {j + 1}, arg_end[8] = {0};
        int na = 0, depth = 0;
        size_t k = j + 1;
        for (; k < len; k++) {
            char c = s[k];
            if (c == '"' || c == '\'') {
                k = skip_lit(s, k) - 1;
                continue;
            }
            if (c == '(' || c == '[' || c == '{') depth++;
            if (c == ')' || c == ']' || c == '}') {
                if (depth == 0) break;
                depth--;
            }
            if (c == ',' && depth == 0 && na < 7) {
                arg_end[na++] = k;
                arg_start[na] = k + 1;
            }
        }
        arg_end[na++] = k;
        const char *first = s + arg_start[0];
        while (*first == ' ' || *first == '\n')
            first++;
        if (strncmp(first, "struct hq_why", 13) == 0) continue; /* the declaration */
        sc->calls++;
        if (na < 4) {
            print_error("%s:%d: hq_fail with %d arguments\n", path, line, na);
            sc->nonliteral++;
            continue;
        }
        check_format(path, line, s, arg_start[3], arg_end[3], sc);
    }
    free(s);
}

static void scan_dir(const char *dir, struct scan *sc)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat stt;
        if (stat(p, &stt) != 0) continue;
        size_t l = strlen(e->d_name);
        if (S_ISDIR(stt.st_mode))
            scan_dir(p, sc);
        else if (l > 2 &&
                 (strcmp(e->d_name + l - 2, ".c") == 0 || strcmp(e->d_name + l - 2, ".h") == 0))
            scan_file(p, sc);
    }
    closedir(d);
}

static void every_format_has_an_entry(void **st)
{
    (void)st;
    const char *root = getenv("HQ_SRC");
    if (!root) root = ".";
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/src", root);
    struct scan sc = {0};
    scan_dir(dir, &sc);
    assert_true(sc.calls > 300); /* the sources were found and read */
    assert_int_equal(sc.nonliteral, 0);
    assert_int_equal(sc.missing, 0);
}

/* The scanner itself sees a missing entry (else the test above could not fail). */
static void scanner_finds_a_missing_entry(void **st)
{
    (void)st;
    char path[] = "/tmp/hq_test_messages_XXXXXX.c";
    int fd = mkstemps(path, 2);
    assert_true(fd >= 0);
    const char *src = "/* hq_fail(why, 1, \"\", \"in a comment\") */\n"
                      "int f(struct hq_why *why) {\n"
                      "  hq_fail(why, HQ_EINVAL, \"x\", \"no window %d\", 3);\n"
                      "  return hq_fail(why, HQ_EINVAL, \"x\",\n"
                      "     \"no such \" \"catalogue %s entry\", \"a, b\");\n"
                      "}\n";
    assert_int_equal(write(fd, src, strlen(src)), (ssize_t)strlen(src));
    close(fd);
    struct scan sc = {0};
    scan_file(path, &sc);
    unlink(path);
    assert_int_equal(sc.calls, 2);
    assert_int_equal(sc.missing, 1);
    assert_int_equal(sc.nonliteral, 0);
}

/* ---- hq_fail fills reason, parameters and the Chinese ---- */

static const char *param(const struct hq_why *w, const char *name)
{
    for (int i = 0; i < hq_why_n_params(w); i++)
        if (strcmp(w->params[i].name, name) == 0) return w->params[i].value;
    return NULL;
}

static void fail_fills_reason_and_params(void **st)
{
    (void)st;
    struct hq_why w = {0};
    char zh[512];
    assert_int_equal(hq_fail(&w, HQ_ENOTFOUND, "", "no window %d", 7), HQ_ENOTFOUND);
    assert_string_equal(w.message, "no window 7");
    assert_string_equal(hq_why_reason(&w), "window.not_found");
    assert_int_equal(hq_why_n_params(&w), 1);
    assert_string_equal(param(&w, "window"), "7");
    assert_string_equal(hq_why_zh(&w, zh, sizeof zh), "没有 7 号窗口");

    /* a status word said in Chinese, a ticket number as it is */
    hq_fail(&w, HQ_ECONFLICT, "", "cancel: ticket %s is %s, not waiting", "A001", "called");
    assert_string_equal(hq_why_reason(&w), "ticket.cancel_not_waiting");
    assert_string_equal(param(&w, "status"), "called");
    assert_string_equal(hq_why_zh(&w, zh, sizeof zh),
                        "A001 号当前为“已叫号”，只有等候中的号才能取消");

    /* the same word, a different parameter: a window state, not a complaint status */
    hq_fail(&w, HQ_ECONFLICT, "", "resume: window %d is %s, not paused", 2, "closed");
    assert_string_equal(hq_why_zh(&w, zh, sizeof zh), "2 号窗口当前为“未开放”，并未暂停");

    /* %lld, precision, a field name translated */
    hq_fail(&w, HQ_EINVAL, "window", "%s: must be between %lld and %lld", "window", 1LL, 9999LL);
    assert_string_equal(param(&w, "min"), "1");
    assert_string_equal(param(&w, "max"), "9999");
    assert_string_equal(hq_why_zh(&w, zh, sizeof zh), "窗口号应在 1 到 9999 之间");
    hq_fail(&w, HQ_ENOTFOUND, "", "no service with code '%.8s'", "ABCDEFGHIJK");
    assert_string_equal(param(&w, "code"), "ABCDEFGH");

    /* %zu and %% */
    hq_fail(&w, HQ_EINVAL, "x", "%s: at most %zu characters", "category", (size_t)20);
    assert_string_equal(hq_why_zh(&w, zh, sizeof zh), "类别不能超过 20 个字");
    hq_fail(&w, HQ_EINVAL, "service_level",
            "service level must be a share strictly between 0 and 1 (0.8 = 80%%)");
    assert_int_equal(hq_why_n_params(&w), 0);
    assert_string_equal(hq_why_reason(&w), "erlang.level");

    /* four parameters, one left out of the Chinese; a %.1f */
    hq_fail(&w, HQ_EBADJSON, "", "invalid JSON at line %d, column %d (byte %d): %s", 3, 14, 40,
            "unexpected token");
    assert_int_equal(hq_why_n_params(&w), 4);
    assert_string_equal(param(&w, "detail"), "unexpected token");
    assert_string_equal(hq_why_zh(&w, zh, sizeof zh), "JSON 格式错误：第 3 行第 14 列");
    hq_fail(&w, HQ_ECONFLICT, "windows",
            "the queue grew past %d waiting tickets after %.1f hours: the load is beyond what "
            "the windows can serve",
            500, 2.5);
    assert_string_equal(param(&w, "hours"), "2.5");
}

static void fail_cuts_long_values_on_whole_characters(void **st)
{
    (void)st;
    struct hq_why w = {0};
    char big[400];
    for (int i = 0; i < 100; i++)
        memcpy(big + 3 * i, "窗", 3);
    big[300] = '\0';
    hq_fail(&w, HQ_ESUSPENDED, "", "ticketing is suspended: %s", big);
    const char *v = param(&w, "reason");
    assert_non_null(v);
    assert_true(strlen(v) < HQ_WHY_VALUE_MAX);
    assert_int_equal(strlen(v) % 3, 0); /* whole 3-byte characters only */
    char zh[64];
    hq_why_zh(&w, zh, sizeof zh); /* cut short: still whole characters */
    json_t *j = json_string(zh);
    assert_non_null(j);
    json_decref(j);
}

static void unknown_or_rewritten_messages_fall_back(void **st)
{
    (void)st;
    struct hq_why w = {0};
    char zh[256];
    /* not in the catalogue (a format built at run time would be) */
    char fmt[32];
    snprintf(fmt, sizeof fmt, "%s", "nothing like %d");
    hq_fail(&w, HQ_ECONFLICT, "", fmt, 1);
    assert_null(w.reason);
    assert_string_equal(hq_why_reason(&w), "conflict");
    assert_int_equal(hq_why_n_params(&w), 0);
    assert_string_equal(hq_why_zh(&w, zh, sizeof zh), "当前状态下不能进行此操作");
    /* a message written by hand after hq_fail: its reason no longer holds */
    hq_fail(&w, HQ_ENOTFOUND, "", "no window %d", 7);
    snprintf(w.message, sizeof w.message, "internal error");
    w.code = HQ_EINTERNAL;
    assert_string_equal(hq_why_reason(&w), "internal");
    assert_int_equal(hq_why_n_params(&w), 0);
    /* a NULL why and a why never filled */
    assert_int_equal(hq_fail(NULL, HQ_EINVAL, "", "no window %d", 1), HQ_EINVAL);
    struct hq_why z = {0};
    assert_string_equal(hq_why_reason(&z), "internal");
    assert_string_equal(hq_why_zh(NULL, zh, sizeof zh), "系统内部错误，请稍后再试或联系管理员");
}

/* ---- the JSON error body ---- */

static void error_body_carries_reason_params_and_chinese(void **st)
{
    (void)st;
    struct hq_why w = {0};
    hq_fail(&w, HQ_ECONFLICT, "number", "call: ticket %s is %s, not waiting", "B012", "done");
    json_t *j = hq__error_json(&w);
    json_t *e = json_object_get(j, "error");
    assert_string_equal(json_string_value(json_object_get(e, "code")), "conflict");
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        "call: ticket B012 is done, not waiting");
    assert_string_equal(json_string_value(json_object_get(e, "field")), "number");
    assert_string_equal(json_string_value(json_object_get(e, "reason")), "window.call_not_waiting");
    json_t *p = json_object_get(e, "params");
    assert_string_equal(json_string_value(json_object_get(p, "ticket")), "B012");
    assert_string_equal(json_string_value(json_object_get(p, "status")), "done");
    assert_string_equal(json_string_value(json_object_get(e, "message_zh")),
                        "B012 号当前为“已办结”，不在等候中");
    json_decref(j);

    /* a 500 shows no detail of the bug, in no language */
    hq_fail(&w, HQ_EINTERNAL, "", "voice: %s", "secret detail");
    j = hq__error_json(&w);
    e = json_object_get(j, "error");
    assert_string_equal(json_string_value(json_object_get(e, "reason")), "internal");
    assert_int_equal(json_object_size(json_object_get(e, "params")), 0);
    assert_null(strstr(json_string_value(json_object_get(e, "message_zh")), "secret"));
    json_decref(j);

    /* a parameter that is not UTF-8 is left out, the body stays valid */
    hq_fail(&w, HQ_ENOTFOUND, "", "no staff member '%.32s'", "a\xff\xfe");
    j = hq__error_json(&w);
    e = json_object_get(j, "error");
    assert_string_equal(json_string_value(json_object_get(e, "reason")), "staff.not_found");
    assert_null(json_object_get(json_object_get(e, "params"), "username"));
    assert_non_null(json_string_value(json_object_get(e, "message_zh")));
    json_decref(j);
    j = hq__error_json(NULL);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "reason")),
                        "internal");
    json_decref(j);
}

/* ---- lengths in characters ---- */

static void lengths_count_characters(void **st)
{
    (void)st;
    struct hq_why w = {0};
    /* 11 Chinese characters (33 bytes) */
    json_t *in = json_pack("{s:s}", "category", "服务态度与办事效率问题");
    char small[32], big[HQ_TEXT_CAP(20)];
    assert_int_equal(hq__in_str(in, "category", false, small, sizeof small, &w), HQ_EINVAL);
    assert_string_equal(w.message, "category: at most 10 characters");
    assert_int_equal(hq__in_text(in, "category", false, 20, big, sizeof big, &w), 0);
    assert_string_equal(big, "服务态度与办事效率问题");
    assert_int_equal(hq__in_text(in, "category", false, 11, big, sizeof big, &w), 0);
    assert_int_equal(hq__in_text(in, "category", false, 10, big, sizeof big, &w), HQ_EINVAL);
    assert_string_equal(w.message, "category: at most 10 characters");
    char zh[128];
    assert_string_equal(hq_why_zh(&w, zh, sizeof zh), "类别不能超过 10 个字");
    json_decref(in);
    /* Latin letters: one byte each */
    in = json_pack("{s:s}", "code", "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ");
    assert_int_equal(hq__in_str(in, "code", false, small, sizeof small, &w), HQ_EINVAL);
    assert_string_equal(w.message, "code: at most 31 characters");
    json_decref(in);
    assert_int_equal(hq__utf8_chars("a窗b", strlen("a窗b")), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(catalogue_consistent),
        cmocka_unit_test(every_format_has_an_entry),
        cmocka_unit_test(scanner_finds_a_missing_entry),
        cmocka_unit_test(fail_fills_reason_and_params),
        cmocka_unit_test(fail_cuts_long_values_on_whole_characters),
        cmocka_unit_test(unknown_or_rewritten_messages_fall_back),
        cmocka_unit_test(error_body_carries_reason_params_and_chinese),
        cmocka_unit_test(lengths_count_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
