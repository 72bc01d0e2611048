/* SPDX-License-Identifier: MIT */
/*
 * test_app_media.c — the media wiring of the app (uc_media.c) on a real SQLite file: a call is
 * never delayed by speech (espeak-ng made slow by a wrapper script that sleeps first), the
 * announcement is ready afterwards, calls are announced in order, only tickets called to that
 * window are announced, voice off says so, and which printer addresses a device may have.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/app_int.h"
#include "app/hq_app.h"
#include "app/media_hub.h"
#include "test_app_fixture.h"

/* The wrapper sleeps this long before each espeak-ng run (two runs per announcement). */
#define SLOW_S 1

struct fx {
    char dir[64];
    char db[128];
    char espeak[128];
    struct fake clk;
    struct hq_app *a;
    struct hq_actor admin, clerk, clerk2, public;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    afx_dir(f->dir, sizeof f->dir, f->db, sizeof f->db, "appmedia");
    snprintf(f->espeak, sizeof f->espeak, "%s/slow-espeak", f->dir);
    FILE *s = fopen(f->espeak, "w");
    assert_non_null(s);
    fprintf(s, "#!/bin/sh\nsleep %d\nexec espeak-ng \"$@\"\n", SLOW_S);
    fclose(s);
    assert_int_equal(chmod(f->espeak, 0755), 0);
    f->clk.t = 1795741200; /* 2026-11-27 09:00 +08:00 (a Friday) */
    f->a = afx_open(f->db, &f->clk);
    assert_non_null(f->a);
    afx_actor(&f->admin, HQ_ROLE_ADMIN, "admin");
    f->clerk.role = f->clerk2.role = HQ_ROLE_CLERK;
    snprintf(f->clerk.username, sizeof f->clerk.username, "clerk1");
    snprintf(f->clerk2.username, sizeof f->clerk2.username, "clerk2");
    snprintf(f->public.ip, sizeof f->public.ip, "10.0.0.9");

    afx_create(f->a, &f->admin, hq_app_service_create,
               json_pack("{s:s,s:s,s:s,s:i,s:[s]}", "code", "A", "name", "社保业务", "name_en",
                         "Social security", "avg_service_s", 300, "documents", "身份证"));
    afx_create(f->a, &f->admin, hq_app_window_create,
               json_pack("{s:i,s:[s]}", "number", 1, "services", "A"));
    afx_create(f->a, &f->admin, hq_app_window_create,
               json_pack("{s:i,s:[s]}", "number", 2, "services", "A"));
    for (int i = 1; i <= 2; i++)
        afx_create(f->a, &f->admin, hq_app_staff_create,
                   json_pack("{s:s,s:s,s:s,s:s,s:[{s:s,s:s}]}", "username",
                             i == 1 ? "clerk1" : "clerk2", "name", "王芳", "role", "clerk",
                             "password", "secret-pass", "certifications", "service", "A",
                             "expires_on", "2030-01-01"));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    afx_close(f->a, f->dir);
    free(f);
    return 0;
}

static void issue(struct fx *f)
{
    struct hq_why why = {0};
    json_t *out = NULL;
    json_t *in = json_pack("{s:s}", "service", "A");
    ok(hq_app_ticket_issue(f->a, &f->public, in, &out, &why), &why);
    json_decref(in);
    assert_null(json_object_get(out, "print")); /* not a device: nothing printed */
    json_decref(out);
}

/* A window action; returns how long it took (ms) and the called number in number (>= 8). */
static int64_t action(struct fx *f, const struct hq_actor *who, int w, const char *act,
                      char *number)
{
    struct hq_why why = {0};
    json_t *out = NULL;
    int64_t t0 = now_ms();
    ok(hq_app_window_action(f->a, who, w, act, NULL, &out, &why), &why);
    int64_t ms = now_ms() - t0;
    const char *n = json_string_value(json_object_get(json_object_get(out, "ticket"), "number"));
    if (number) snprintf(number, HQ_NUMBER_MAX, "%s", n ? n : "");
    json_decref(out);
    return ms;
}

static void start_voice(struct fx *f)
{
    struct hq_why why = {0};
    struct hq_app_voice_options vo = {.espeak = f->espeak};
    ok(hq_app_voice_start(f->a, &vo, &why), &why);
    assert_true(hq_app_voice_enabled(f->a));
}

static void test_call_not_delayed_by_speech(void **state)
{
    struct fx *f = *state;
    start_voice(f);
    action(f, &f->clerk, 1, "open", NULL);
    action(f, &f->clerk2, 2, "open", NULL);
    issue(f);
    issue(f);
    char n1[HQ_NUMBER_MAX], n2[HQ_NUMBER_MAX];
    int64_t t0 = now_ms();
    int64_t ms1 = action(f, &f->clerk, 1, "call-next", n1);
    int64_t ms2 = action(f, &f->clerk2, 2, "call-next", n2);
    /* each announcement takes >= 2 s to render here; the calls must not wait for it */
    assert_true(ms1 < 500);
    assert_true(ms2 < 500);
    assert_string_not_equal(n1, n2);

    unsigned char *wav = NULL;
    size_t len = 0;
    struct hq_why why = {0};
    /* not ready yet: a short wait says so rather than blocking */
    assert_int_equal(hq_app_announcement(f->a, n1, 1, 10, &wav, &len, &why), HQ_APP_PENDING);
    ok(hq_app_announcement(f->a, n1, 1, 30000, &wav, &len, &why), &why);
    int64_t first = now_ms() - t0;
    assert_true(first >= 2 * SLOW_S * 1000 - 100); /* rendered after the call, not during it */
    assert_true(len > 44 + 44100);                 /* more than a second of 22 kHz 16-bit audio */
    assert_memory_equal(wav, "RIFF", 4);
    free(wav);
    /* in order: the second is ready one render later */
    ok(hq_app_announcement(f->a, n2, 2, 30000, &wav, &len, &why), &why);
    assert_true(now_ms() - t0 >= 4 * SLOW_S * 1000 - 200);
    assert_memory_equal(wav, "RIFF", 4);
    free(wav);
    /* again: from the cache, at once */
    int64_t t1 = now_ms();
    ok(hq_app_announcement(f->a, n1, 1, 0, &wav, &len, &why), &why);
    assert_true(now_ms() - t1 < 200);
    free(wav);
}

static void test_only_real_calls(void **state)
{
    struct fx *f = *state;
    struct hq_why why = {0};
    unsigned char *wav = NULL;
    size_t len = 0;
    /* voice off */
    assert_false(hq_app_voice_enabled(f->a));
    assert_int_equal(hq_app_announcement(f->a, "A001", 1, 0, &wav, &len, &why), HQ_ENOTFOUND);
    start_voice(f);
    assert_int_equal(hq_app_announcement(f->a, "a001", 1, 0, &wav, &len, &why), HQ_EINVAL);
    assert_string_equal(why.field, "number");
    assert_int_equal(hq_app_announcement(f->a, "A001", 0, 0, &wav, &len, &why), HQ_EINVAL);
    assert_string_equal(why.field, "window");
    assert_int_equal(hq_app_announcement(f->a, "A001", 1, 0, &wav, &len, &why), HQ_ENOTFOUND);
    action(f, &f->clerk, 1, "open", NULL);
    issue(f);
    char n[HQ_NUMBER_MAX];
    action(f, &f->clerk, 1, "call-next", n);
    /* called to window 1, not 2 */
    assert_int_equal(hq_app_announcement(f->a, n, 2, 0, &wav, &len, &why), HQ_ENOTFOUND);
    ok(hq_app_announcement(f->a, n, 1, 30000, &wav, &len, &why), &why);
    free(wav);
}

static void test_printer_addresses(void **state)
{
    (void)state;
    const char *good[] = {"192.168.1.50:9100", "127.0.0.1:1", "10.0.0.5:65535", "file:/dev/usb/lp0",
                          "file:/tmp/a..b/x"};
    const char *bad[] = {"",
                         "printer.local:9100",
                         "10.0.0.5",
                         "10.0.0.5:0",
                         "10.0.0.5:65536",
                         "10.0.0.5:9100x",
                         ":9100",
                         "[::1]:9100",
                         "1.2.3:9100",
                         "file:relative",
                         "file:/",
                         "file:/tmp/../etc/x",
                         "file:/..",
                         "10.0.0.5:9100\n",
                         "file:/tmp/\x1b"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_true(hq__printer_valid(good[i]));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (hq__printer_valid(bad[i])) fprintf(stderr, "accepted: %s\n", bad[i]);
        assert_false(hq__printer_valid(bad[i]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_call_not_delayed_by_speech, setup, teardown),
        cmocka_unit_test_setup_teardown(test_only_real_calls, setup, teardown),
        cmocka_unit_test(test_printer_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
