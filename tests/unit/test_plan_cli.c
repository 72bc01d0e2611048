/* SPDX-License-Identifier: MIT */
/*
 * test_plan_cli.c — `hallq erlang` and `hallq simulate` as real processes: the hallq binary next to
 * this test in the build directory is run with arguments, its JSON stdout parsed (jansson) and
 * compared with the library's figures; usage errors exit 2 with a message on stderr, failures
 * exit 1, --help exits 0; a seed gives byte-identical output.
 */
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "plan/hq_plan.h"

static char hallq[PATH_MAX];

struct run {
    int code;
    char out[8192];
    char err[8192];
};

static void slurp(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    lseek(fd, 0, SEEK_SET);
    for (;;) {
        ssize_t k = read(fd, buf + n, cap - 1 - n);
        if (k <= 0) break;
        n += (size_t)k;
        if (n == cap - 1) break;
    }
    buf[n] = '\0';
}

/* Run hallq with the NULL-terminated arguments after the program name. */
static void run(struct run *r, ...)
{
    const char *argv[32];
    int argc = 0;
    va_list ap;
    argv[argc++] = hallq;
    va_start(ap, r);
    for (const char *a; (a = va_arg(ap, const char *)) && argc < 31;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    char out_name[] = "/tmp/hq_plan_cli_outXXXXXX", err_name[] = "/tmp/hq_plan_cli_errXXXXXX";
    int out = mkstemp(out_name), err = mkstemp(err_name);
    assert_true(out >= 0 && err >= 0);
    unlink(out_name);
    unlink(err_name);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(out, 1);
        dup2(err, 2);
        execv(hallq, (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    r->code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    slurp(out, r->out, sizeof r->out);
    slurp(err, r->err, sizeof r->err);
    close(out);
    close(err);
}

static json_t *parse(const struct run *r)
{
    json_error_t e;
    json_t *j = json_loads(r->out, 0, &e);
    if (!j) fail_msg("not JSON (%s): %s / stderr: %s", e.text, r->out, r->err);
    return j;
}

static double num(json_t *j, const char *key)
{
    json_t *v = json_object_get(j, key);
    if (!json_is_number(v)) fail_msg("%s: not a number", key);
    return json_number_value(v);
}

static void test_erlang_windows(void **state)
{
    (void)state;
    struct run r;
    run(&r, "erlang", "--arrivals-per-hour", "200", "--service-s", "180", "--target-wait-s", "20",
        "--windows", "13", NULL);
    assert_int_equal(r.code, 0);
    json_t *j = parse(&r);
    struct hq_queue_figures f;
    hq_erlang_c_figures(200.0 / 3600, 180, 13, 20, &f, NULL);
    assert_true(fabs(num(j, "p_wait") - f.p_wait) < 1e-5);
    assert_true(fabs(num(j, "mean_wait_s") - f.mean_wait_s) < 1e-3);
    assert_true(fabs(num(j, "service_level") - f.service_level) < 1e-5);
    assert_int_equal((int)num(j, "windows"), 13);
    json_decref(j);
}

static void test_erlang_fewest_and_abandonment(void **state)
{
    (void)state;
    struct run r;
    run(&r, "erlang", "--arrivals-per-hour=200", "--service-s=180", "--target-wait-s=20",
        "--service-level=0.8", NULL);
    assert_int_equal(r.code, 0);
    json_t *j = parse(&r);
    assert_int_equal((int)num(j, "windows"), 14);
    assert_true(num(j, "service_level") >= 0.8);
    json_decref(j);

    run(&r, "erlang", "--arrivals-per-hour", "200", "--service-s", "180", "--target-wait-s", "20",
        "--windows", "10", "--patience-s", "300", NULL);
    assert_int_equal(r.code, 0);
    j = parse(&r);
    assert_true(num(j, "p_abandon") > 0 && num(j, "p_abandon") < 1);
    assert_true(json_is_true(json_object_get(j, "stable")));
    json_decref(j);
}

static void test_erlang_unstable(void **state)
{
    (void)state;
    struct run r;
    run(&r, "erlang", "--arrivals-per-hour", "200", "--service-s", "180", "--target-wait-s", "20",
        "--windows", "9", NULL);
    assert_int_equal(r.code, 0);
    json_t *j = parse(&r);
    assert_true(json_is_null(json_object_get(j, "mean_wait_s")));
    assert_true(json_is_false(json_object_get(j, "stable")));
    assert_true(num(j, "p_wait") == 1.0);
    json_decref(j);
}

static void test_erlang_usage(void **state)
{
    (void)state;
    struct run r;
    run(&r, "erlang", "--help", NULL);
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.out, "usage: hallq erlang"));
    run(&r, "erlang", "--arrivals-per-hour", "abc", "--service-s", "180", NULL);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "not a finite number"));
    run(&r, "erlang", "--arrivals-per-hour", "10", "--service-s", "-3", "--target-wait-s", "20",
        "--windows", "2", NULL);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "--service-s must be > 0"));
    assert_string_equal(r.out, "");
    run(&r, "erlang", "--arrivals-per-hour", "10", "--service-s", "60", "--target-wait-s", "20",
        NULL);
    assert_int_equal(r.code, 2);
    run(&r, "erlang", "--arrivals-per-hour", "10", "--service-s", "60", "--target-wait-s", "20",
        "--windows", "2.5", NULL);
    assert_int_equal(r.code, 2);
    run(&r, "erlang", "--arrivals-per-hour", "10", "--service-s", "60", "--target-wait-s", "20",
        "--service-level", "80", NULL);
    assert_int_equal(r.code, 2);
    run(&r, "erlang", "--arrivals-per-hour", "inf", "--service-s", "60", "--target-wait-s", "20",
        "--windows", "3", NULL);
    assert_int_equal(r.code, 2);
    run(&r, "erlang", "--bogus", NULL);
    assert_int_equal(r.code, 2);
    run(&r, "erlang", "--windows", NULL);
    assert_int_equal(r.code, 2);
    /* No answer: not reachable within 100000 windows -> 1. */
    run(&r, "erlang", "--arrivals-per-hour", "1e12", "--service-s", "60", "--target-wait-s", "20",
        "--service-level", "0.8", NULL);
    assert_int_equal(r.code, 1);
    assert_true(strlen(r.err) > 0);
}

static void test_simulate(void **state)
{
    (void)state;
    struct run a, b;
    run(&a, "simulate", "--arrivals-per-hour", "48", "--service-s", "300", "--target-wait-s", "120",
        "--windows", "5", "--hours", "300", "--warmup-h", "30", "--seed", "9", NULL);
    assert_int_equal(a.code, 0);
    run(&b, "simulate", "--arrivals-per-hour", "48", "--service-s", "300", "--target-wait-s", "120",
        "--windows", "5", "--hours", "300", "--warmup-h", "30", "--seed", "9", NULL);
    assert_string_equal(a.out, b.out);
    json_t *j = parse(&a);
    double arrivals = num(j, "arrivals");
    assert_true(fabs(arrivals - 48 * 270) < 5 * sqrt(48 * 270)); /* 30 h of warm-up excluded */
    assert_true(num(j, "served") == arrivals);
    assert_true(fabs(num(j, "p_wait") - 0.554) < 0.08);
    assert_true(num(j, "mean_wait_s") > 0 && num(j, "p90_wait_s") >= num(j, "p50_wait_s"));
    assert_true(num(j, "utilisation") > 0.7 && num(j, "utilisation") < 0.9);
    json_t *th = json_object_get(j, "theory");
    assert_true(json_is_object(th));
    assert_true(fabs(json_number_value(json_object_get(th, "p_wait")) - 0.5541) < 0.001);
    json_decref(j);

    run(&b, "simulate", "--arrivals-per-hour", "48", "--service-s", "300", "--target-wait-s", "120",
        "--windows", "5", "--hours", "300", "--warmup-h", "30", "--seed", "10", NULL);
    assert_int_equal(b.code, 0);
    assert_string_not_equal(a.out, b.out);

    /* --service-level picks the windows; patience reports abandonment. */
    run(&a, "simulate", "--arrivals-per-hour", "200", "--service-s", "180", "--target-wait-s", "20",
        "--service-level", "0.8", "--patience-s", "300", "--hours", "100", NULL);
    assert_int_equal(a.code, 0);
    j = parse(&a);
    assert_true(num(j, "windows") >= 10);
    assert_true(num(j, "abandoned") >= 0);
    json_decref(j);
}

static void test_simulate_errors(void **state)
{
    (void)state;
    struct run r;
    run(&r, "simulate", "--help", NULL);
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.out, "usage: hallq simulate"));
    run(&r, "simulate", "--arrivals-per-hour", "48", "--service-s", "300", "--target-wait-s", "120",
        "--windows", "5", "--seed", "-4", NULL);
    assert_int_equal(r.code, 2);
    run(&r, "simulate", "--arrivals-per-hour", "48", "--service-s", "300", "--target-wait-s", "120",
        "--windows", "5", "--hours", "0", NULL);
    assert_int_equal(r.code, 2);
    run(&r, "simulate", "--arrivals-per-hour", "48", "--service-s", "300", "--target-wait-s", "120",
        "--windows", "5", "--no-show", "1", NULL);
    assert_int_equal(r.code, 2);
    /* The queue grows without bound: refused with exit 1 and a reason. */
    run(&r, "simulate", "--arrivals-per-hour", "100000", "--service-s", "300", "--target-wait-s",
        "120", "--windows", "1", "--hours", "5", NULL);
    assert_int_equal(r.code, 1);
    assert_non_null(strstr(r.err, "queue grew"));
}

int main(void)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return 1;
    self[n] = '\0';
    snprintf(hallq, sizeof hallq, "%s/hallq", dirname(self));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_erlang_windows),
        cmocka_unit_test(test_erlang_fewest_and_abandonment),
        cmocka_unit_test(test_erlang_unstable),
        cmocka_unit_test(test_erlang_usage),
        cmocka_unit_test(test_simulate),
        cmocka_unit_test(test_simulate_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
