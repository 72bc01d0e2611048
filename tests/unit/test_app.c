/* SPDX-License-Identifier: MIT */
/*
 * test_app.c — the use-case layer on a real SQLite file with a fake clock: configuration, a
 * ticket's whole life through the window actions, who may do what, the events it commits, the
 * hall rebuilt exactly after reopening, and many threads committing at once (group commit).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app_int.h"
#include "app/hq_app.h"
#include "test_app_fixture.h"

struct fx {
    char dir[64];
    char db[128];
    struct fake clk;
    struct hq_app *a;
    struct hq_actor admin, clerk, guide, public;
};

static json_t *call_ok(int rc, json_t *out, const struct hq_why *why)
{
    ok(rc, why);
    assert_non_null(out);
    return out;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    afx_dir(f->dir, sizeof f->dir, f->db, sizeof f->db, "app");
    f->clk.t = 1795741200; /* 2026-11-27 09:00 +08:00 (a Friday) */
    f->a = afx_open(f->db, &f->clk);
    assert_non_null(f->a);
    afx_actor(&f->admin, HQ_ROLE_ADMIN, "admin");
    afx_actor(&f->clerk, HQ_ROLE_CLERK, "clerk1");
    afx_actor(&f->guide, HQ_ROLE_GUIDE, "guide1");
    snprintf(f->public.ip, sizeof f->public.ip, "10.0.0.9");

    struct hq_why why;
    json_t *out = NULL, *in;
    in = json_pack("{s:s,s:s,s:s,s:i,s:[s]}", "code", "A", "name", "社保业务", "name_en",
                   "Social security", "avg_service_s", 300, "documents", "身份证");
    ok(hq_app_service_create(f->a, &f->admin, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    in = json_pack("{s:s,s:s,s:i}", "code", "B", "name", "医保", "avg_service_s", 200);
    ok(hq_app_service_create(f->a, &f->admin, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    in = json_pack("{s:i,s:[s,s]}", "number", 1, "services", "A", "B");
    ok(hq_app_window_create(f->a, &f->admin, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    in = json_pack("{s:i,s:[s]}", "number", 2, "services", "B");
    ok(hq_app_window_create(f->a, &f->admin, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    in = json_pack("{s:s,s:s,s:s,s:s,s:[{s:s,s:s},{s:s,s:s}]}", "username", "clerk1", "name",
                   "王芳", "role", "clerk", "password", "secret-pass", "certifications", "service",
                   "A", "expires_on", "2030-01-01", "service", "B", "expires_on", "2030-01-01");
    ok(hq_app_staff_create(f->a, &f->admin, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
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

static json_t *issue(struct fx *f, const struct hq_actor *who, const char *svc, const char *cat,
                     const char *channel)
{
    struct hq_why why;
    json_t *out = NULL;
    json_t *in = json_pack("{s:s,s:s,s:s}", "service", svc, "category", cat, "channel", channel);
    int rc = hq_app_ticket_issue(f->a, who, in, &out, &why);
    json_decref(in);
    return call_ok(rc, out, &why);
}

static json_t *act(struct fx *f, const struct hq_actor *who, int w, const char *action, json_t *in)
{
    struct hq_why why;
    json_t *out = NULL;
    int rc = hq_app_window_action(f->a, who, w, action, in, &out, &why);
    json_decref(in);
    return call_ok(rc, out, &why);
}

static const char *str(json_t *o, const char *path1, const char *path2)
{
    json_t *v = json_object_get(o, path1);
    if (path2) v = json_object_get(v, path2);
    return json_string_value(v);
}

static void test_ticket_life(void **state)
{
    struct fx *f = *state;
    json_t *t = issue(f, &f->public, "A", "normal", "kiosk");
    assert_string_equal(str(t, "number", NULL), "A001");
    assert_string_equal(str(t, "status", NULL), "waiting");
    assert_int_equal(json_integer_value(json_object_get(t, "position")), 1);
    assert_true(json_is_integer(json_object_get(t, "estimated_wait_s")));
    assert_null(json_object_get(t, "phone"));
    char id[64];
    snprintf(id, sizeof id, "%s", str(t, "id", NULL));
    assert_int_equal(strlen(id), 32);
    json_decref(t);

    json_decref(act(f, &f->clerk, 1, "open", NULL));
    f->clk.t += 60;
    json_t *r = act(f, &f->clerk, 1, "call-next", NULL);
    assert_string_equal(str(r, "ticket", "number"), "A001");
    assert_string_equal(str(r, "ticket", "status"), "called");
    json_decref(r);
    /* a second call-next while one is current is a conflict */
    struct hq_why why;
    json_t *out = NULL;
    assert_int_equal(hq_app_window_action(f->a, &f->clerk, 1, "call-next", NULL, &out, &why),
                     HQ_ECONFLICT);
    json_decref(act(f, &f->clerk, 1, "recall", NULL));
    json_decref(act(f, &f->clerk, 1, "start", NULL));
    f->clk.t += 240;
    r = act(f, &f->clerk, 1, "finish", NULL);
    assert_string_equal(str(r, "ticket", "status"), "done");
    json_decref(r);

    /* the pad asks for it; one evaluation, a second is a conflict */
    assert_int_equal(hq_app_window_pending_eval(f->a, 1, &out, &why), 0);
    assert_string_equal(str(out, "ticket", NULL), id);
    json_decref(out);
    json_t *ev = json_pack("{s:s,s:i}", "ticket", id, "level", 5);
    ok(hq_app_evaluation_create(f->a, &f->public, ev, &out, &why), &why);
    json_decref(out);
    assert_int_equal(hq_app_evaluation_create(f->a, &f->public, ev, &out, &why), HQ_ECONFLICT);
    json_decref(ev);
    assert_int_equal(hq_app_window_pending_eval(f->a, 1, &out, &why), 0);
    assert_true(json_is_null(json_object_get(out, "ticket")));
    json_decref(out);

    /* reopen: the hall is rebuilt exactly */
    json_t *before = NULL, *after = NULL;
    ok(hq_app_tickets_list(f->a, &f->admin, NULL, NULL, &before, &why), &why);
    int64_t seq = hq_app_last_seq(f->a);
    assert_true(seq >= 8);
    hq_app_close(f->a);
    f->a = afx_open(f->db, &f->clk);
    assert_non_null(f->a);
    ok(hq_app_tickets_list(f->a, &f->admin, NULL, NULL, &after, &why), &why);
    assert_true(json_equal(before, after));
    assert_int_equal(hq_app_last_seq(f->a), seq);
    json_decref(before);
    json_decref(after);
    /* numbering continues, never repeats */
    t = issue(f, &f->public, "A", "normal", "web");
    assert_string_equal(str(t, "number", NULL), "A002");
    json_decref(t);
}

/* Ticket ids: 32 lowercase hex digits, all distinct, in issue order by their first 12 digits
 * (the time), so that the store's index of ids grows at its edge (issue 12); the other 20 are
 * random, so no id is guessed from another. */
/* RFC 3339 in the hall's zone (Asia/Shanghai here; the text is written without snprintf). */
static void test_format_time(void **state)
{
    struct fx *f = *state;
    char buf[64];
    hq_app_format_time(f->a, 1765102306, buf, sizeof buf); /* 2025-12-07T10:11:46Z */
    assert_string_equal(buf, "2025-12-07T18:11:46+08:00");
    hq_app_format_time(f->a, 946659600, buf, sizeof buf); /* 1999-12-31T17:00:00Z */
    assert_string_equal(buf, "2000-01-01T01:00:00+08:00");
    hq_app_format_time(f->a, 0, buf, sizeof buf);
    assert_string_equal(buf, "");
    hq_app_format_time(f->a, 1765102306, buf, 11); /* too short: cut, never overrun */
    assert_string_equal(buf, "2025-12-07");
}

static void test_ticket_ids(void **state)
{
    struct fx *f = *state;
    char ids[40][HQ_ID_LEN + 1];
    for (int i = 0; i < 40; i++) {
        json_t *t = issue(f, &f->public, "A", "normal", "kiosk");
        snprintf(ids[i], sizeof ids[i], "%s", str(t, "id", NULL));
        json_decref(t);
        assert_int_equal(strlen(ids[i]), HQ_ID_LEN);
        assert_int_equal(strspn(ids[i], "0123456789abcdef"), HQ_ID_LEN);
        if (i == 20) usleep(2000); /* a later millisecond: a strictly later prefix */
    }
    int rising = 0;
    for (int i = 1; i < 40; i++) {
        assert_true(strncmp(ids[i - 1], ids[i], 12) <= 0);
        rising += strncmp(ids[i - 1], ids[i], 12) < 0;
        for (int j = 0; j < i; j++) {
            assert_string_not_equal(ids[i], ids[j]);
            assert_string_not_equal(ids[i] + 12, ids[j] + 12);
        }
    }
    assert_true(rising >= 1);
}

static void test_permissions(void **state)
{
    struct fx *f = *state;
    struct hq_why why;
    json_t *out = NULL;
    json_t *in =
        json_pack("{s:s,s:s,s:s}", "service", "A", "category", "priority", "channel", "guide");
    assert_int_equal(hq_app_ticket_issue(f->a, &f->public, in, &out, &why), HQ_EUNAUTH);
    assert_int_equal(hq_app_ticket_issue(f->a, &f->clerk, in, &out, &why), HQ_EFORBIDDEN);
    ok(hq_app_ticket_issue(f->a, &f->guide, in, &out, &why), &why);
    json_decref(out);
    json_decref(in);
    /* a clerk acts only at his own window */
    struct hq_actor other = {.role = HQ_ROLE_CLERK};
    snprintf(other.username, sizeof other.username, "clerk9");
    json_decref(act(f, &f->clerk, 1, "open", NULL));
    assert_int_equal(hq_app_window_action(f->a, &other, 1, "call-next", NULL, &out, &why),
                     HQ_EFORBIDDEN);
    /* unknown fields, wrong types: refused, nothing changes */
    int64_t seq = hq_app_last_seq(f->a);
    in = json_pack("{s:s,s:i}", "service", "A", "colour", 3);
    assert_int_equal(hq_app_ticket_issue(f->a, &f->public, in, &out, &why), HQ_EINVAL);
    assert_string_equal(why.field, "colour");
    json_decref(in);
    in = json_pack("{s:i}", "service", 7);
    assert_int_equal(hq_app_ticket_issue(f->a, &f->public, in, &out, &why), HQ_EINVAL);
    assert_string_equal(why.field, "service");
    json_decref(in);
    in = json_pack("{s:s}", "service", "Z");
    assert_int_equal(hq_app_ticket_issue(f->a, &f->public, in, &out, &why), HQ_EINVAL);
    json_decref(in);
    assert_int_equal(hq_app_last_seq(f->a), seq);
}

static int find_signin(void *ctx, const struct hq_event *e)
{
    if (strcmp(e->type, "staff.signed_in") == 0) {
        assert_string_equal(e->actor, "clerk1"); /* the audit trail names who */
        assert_null(strstr(e->data, "clerk1"));  /* the public stream does not */
        (*(int *)ctx)++;
    }
    return 0;
}

/* hq_app_close while the ticker commits: a tick that rolls the day waits for the writer, so the
 * ticker must end before the writer does (it once hung `hallq demo` at its end). 300 opens and
 * closes with a tick every millisecond and a new day at every tick; a hang ends in CTest's
 * timeout. */
static int64_t day_per_call(void *ctx)
{
    return __atomic_add_fetch((int64_t *)ctx, 86400, __ATOMIC_RELAXED);
}

static void test_close_while_ticking(void **state)
{
    struct fx *f = *state;
    hq_app_close(f->a);
    f->a = NULL;
    int64_t t = f->clk.t;
    for (int i = 0; i < 300; i++) {
        struct hq_why why = {0};
        struct hq_app_options o = {.db = f->db, .clock = {day_per_call, &t}, .tick_ms = 1};
        struct hq_app *a = hq_app_open(&o, &why);
        if (!a) fail_msg("open: %s", why.message);
        usleep((useconds_t)(i % 7) * 300);
        hq_app_close(a);
    }
    f->a = afx_open(f->db, &f->clk);
    assert_non_null(f->a);
}

/* Many sessions, signed out in a mixed order (they are kept sorted for the binary search of
 * auth.c): each still found, or refused once signed out, also after a restart. */
static void test_many_sessions(void **state)
{
    struct fx *f = *state;
    struct hq_why why;
    enum { N = 24 };
    char tokens[N][80];
    for (int i = 0; i < N; i++) {
        json_t *out = NULL;
        ok(hq_app_login(f->a, "clerk1", "secret-pass", "1.2.3.4", &out, &why), &why);
        snprintf(tokens[i], sizeof tokens[i], "%s", str(out, "token", NULL));
        json_decref(out);
    }
    for (int i = 0; i < N; i += 3) /* the first, fourth, ...: from all over the sorted order */
        ok(hq_app_logout(f->a, tokens[i], &why), &why);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < N; i++) {
            struct hq_actor who = {0};
            int rc = hq_app_session(f->a, tokens[i], &who, NULL);
            if (i % 3 == 0) {
                assert_int_equal(rc, HQ_EUNAUTH);
            } else {
                assert_int_equal(rc, 0);
                assert_string_equal(who.username, "clerk1");
            }
        }
        hq_app_close(f->a);
        f->a = afx_open(f->db, &f->clk);
    }
}

static void test_login_and_sessions(void **state)
{
    struct fx *f = *state;
    struct hq_why why;
    json_t *out = NULL;
    assert_int_equal(hq_app_login(f->a, "clerk1", "wrong-pass", "1.2.3.4", &out, &why), HQ_EUNAUTH);
    assert_int_equal(hq_app_login(f->a, "nobody", "whatever", "1.2.3.4", &out, &why), HQ_EUNAUTH);
    ok(hq_app_login(f->a, "clerk1", "secret-pass", "1.2.3.4", &out, &why), &why);
    char token[80], csrf[80];
    snprintf(token, sizeof token, "%s", str(out, "token", NULL));
    snprintf(csrf, sizeof csrf, "%s", str(out, "csrf", NULL));
    assert_string_equal(str(out, "user", "role"), "clerk");
    json_decref(out);
    int signins = 0;
    assert_int_equal(hq_app_events_since(f->a, 0, 0, find_signin, &signins), 0);
    assert_int_equal(signins, 1);
    struct hq_actor who = {0};
    char got_csrf[65];
    assert_int_equal(hq_app_session(f->a, token, &who, got_csrf), 0);
    assert_string_equal(who.username, "clerk1");
    assert_string_equal(got_csrf, csrf);
    /* durable: survives a restart */
    hq_app_close(f->a);
    f->a = afx_open(f->db, &f->clk);
    memset(&who, 0, sizeof who);
    assert_int_equal(hq_app_session(f->a, token, &who, NULL), 0);
    assert_int_equal(who.role, HQ_ROLE_CLERK);
    /* expires, and the tick purges it from memory and the store */
    f->clk.t += 13 * 3600;
    assert_int_equal(hq_app_session(f->a, token, &who, NULL), HQ_EUNAUTH);
    hq__app_tick(f->a);
    assert_int_equal(f->a->n_sessions, 0);
    f->clk.t -= 13 * 3600;
    hq_app_close(f->a);
    f->a = afx_open(f->db, &f->clk);
    assert_int_equal(hq_app_session(f->a, token, &who, NULL), HQ_EUNAUTH); /* gone for good */
    assert_int_equal(hq_app_logout(f->a, token, &why), HQ_EUNAUTH);
    /* rate limit after repeated failures */
    int rc = 0;
    for (int i = 0; i < 8 && rc != HQ_ERATE; i++)
        rc = hq_app_login(f->a, "clerk1", "bad-bad-bad", "5.6.7.8", &out, &why);
    assert_int_equal(rc, HQ_ERATE);
}

struct issuer {
    struct fx *f;
    int n;
    char numbers[200][8];
};

static void *issue_many(void *arg)
{
    struct issuer *x = arg;
    for (int i = 0; i < x->n; i++) {
        struct hq_why why;
        json_t *out = NULL;
        json_t *in = json_pack("{s:s,s:s}", "service", "B", "channel", "guide");
        if (hq_app_ticket_issue(x->f->a, &x->f->guide, in, &out, &why) == 0) {
            snprintf(x->numbers[i], 8, "%s", json_string_value(json_object_get(out, "number")));
            json_decref(out);
        }
        json_decref(in);
    }
    return NULL;
}

static void test_group_commit_threads(void **state)
{
    struct fx *f = *state;
    enum { T = 8, N = 50 };
    struct issuer xs[T];
    pthread_t th[T];
    for (int i = 0; i < T; i++) {
        memset(&xs[i], 0, sizeof xs[i]);
        xs[i].f = f;
        xs[i].n = N;
        pthread_create(&th[i], NULL, issue_many, &xs[i]);
    }
    for (int i = 0; i < T; i++)
        pthread_join(th[i], NULL);
    /* T*N distinct numbers B001..B400 */
    char seen[T * N + 1];
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < T; i++)
        for (int k = 0; k < N; k++) {
            assert_int_equal(xs[i].numbers[k][0], 'B');
            int n = atoi(xs[i].numbers[k] + 1);
            assert_true(n >= 1 && n <= T * N);
            assert_false(seen[n]);
            seen[n] = 1;
        }
    struct hq_app_metrics m;
    hq_app_metrics(f->a, &m);
    assert_int_equal(m.tickets_by_status[HQ_WAITING], T * N);
    assert_true(m.batches_committed >= T * N);
}

/* ---- answers given later (hq_app_later, issue 12) ---- */

struct later_box {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int calls, failed;
    int rc[16];
    json_t *out[16];
    char message[16][300];
    pthread_t thread[16];
};

static void later_fn(void *ctx, int rc, json_t *out, const struct hq_why *why)
{
    struct later_box *x = ctx;
    pthread_mutex_lock(&x->mu);
    int i = x->calls++;
    if (rc < 0) x->failed++;
    if (i < 16) {
        x->rc[i] = rc;
        x->out[i] = out;
        x->thread[i] = pthread_self();
        if (rc < 0)
            snprintf(x->message[i], sizeof x->message[i], "%s", why ? why->message : "(no why)");
    } else {
        json_decref(out);
    }
    pthread_cond_broadcast(&x->cv);
    pthread_mutex_unlock(&x->mu);
}

/* Wait (without a time limit: CTest's timeout ends a hang) until n continuations ran. */
static void later_wait(struct later_box *x, int n)
{
    pthread_mutex_lock(&x->mu);
    while (x->calls < n)
        pthread_cond_wait(&x->cv, &x->mu);
    pthread_mutex_unlock(&x->mu);
}

static int issued_events(void *ctx, const struct hq_event *e)
{
    if (strcmp(e->type, "ticket.issued") == 0) (*(int *)ctx)++;
    return 0;
}

static void test_issue_answered_later(void **state)
{
    struct fx *f = *state;
    struct later_box x = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    struct hq_app_later k = {later_fn, &x};
    struct hq_why why;
    json_t *out = NULL;
    json_t *in = json_pack("{s:s,s:s}", "service", "A", "channel", "guide");
    assert_int_equal(hq_app_ticket_issue_later(f->a, &f->guide, in, &out, &why, &k), HQ_APP_LATER);
    assert_null(out);
    later_wait(&x, 1);
    assert_int_equal(x.rc[0], 0);
    assert_string_equal(str(x.out[0], "number", NULL), "A001");
    assert_string_equal(str(x.out[0], "status", NULL), "waiting");
    assert_false(pthread_equal(x.thread[0], pthread_self())); /* the writer answered */
    /* durable before the answer: the event is in the store's log */
    int n = 0;
    assert_int_equal(hq_app_events_since(f->a, 0, 0, issued_events, &n), 0);
    assert_int_equal(n, 1);
    json_decref(x.out[0]);
    /* a refusal is answered at once, as without a continuation */
    json_t *bad = json_pack("{s:s,s:s}", "service", "Z", "channel", "guide");
    int rc = hq_app_ticket_issue_later(f->a, &f->guide, bad, &out, &why, &k);
    assert_true(rc < 0);
    json_decref(bad);
    /* a device's issue (it may print) waits for its commit: answered now */
    struct hq_actor kiosk = {0};
    kiosk.device = true;
    snprintf(kiosk.device_name, sizeof kiosk.device_name, "kiosk-1");
    json_t *pub = json_pack("{s:s}", "service", "A");
    ok(hq_app_ticket_issue_later(f->a, &kiosk, pub, &out, &why, &k), &why);
    assert_string_equal(str(out, "number", NULL), "A002");
    json_decref(out);
    json_decref(pub);
    /* a window action answered later */
    ok(hq_app_window_action(f->a, &f->clerk, 1, "open", NULL, &out, &why), &why);
    json_decref(out);
    assert_int_equal(
        hq_app_window_action_later(f->a, &f->clerk, 1, "call-next", NULL, &out, &why, &k),
        HQ_APP_LATER);
    later_wait(&x, 2);
    assert_int_equal(x.calls, 2);
    assert_int_equal(x.rc[1], 0);
    assert_string_equal(str(x.out[1], "ticket", "number"), "A001");
    json_decref(x.out[1]);
    json_decref(in);
}

/* The replier answers a group while the writer commits the next (issue 12): a continuation that
 * is still running does not hold up the next commit. (It waits here on purpose, which a real
 * continuation must not do; with the answers on the writer's own thread it would wait in vain.) */
struct overlap {
    struct hq_app *a;
    int seen; /* ticket.issued events in the store while the first answer was being given */
    json_t *out;
};

static void overlap_fn(void *ctx, int rc, json_t *out, const struct hq_why *why)
{
    (void)why;
    struct overlap *o = ctx;
    assert_int_equal(rc, 0);
    o->out = out;
    for (int i = 0; i < 500 && o->seen < 2; i++) {
        o->seen = 0;
        hq_app_events_since(o->a, 0, 0, issued_events, &o->seen);
        if (o->seen < 2) usleep(10000);
    }
}

static void test_replier_overlaps_writer(void **state)
{
    struct fx *f = *state;
    struct overlap o = {.a = f->a};
    struct hq_app_later k1 = {overlap_fn, &o};
    struct later_box x = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    struct hq_app_later k2 = {later_fn, &x};
    struct hq_why why;
    json_t *out = NULL;
    json_t *in = json_pack("{s:s,s:s}", "service", "A", "channel", "guide");
    assert_int_equal(hq_app_ticket_issue_later(f->a, &f->guide, in, &out, &why, &k1), HQ_APP_LATER);
    /* the first is committed on its own before the second is queued */
    for (int n = 0; n < 1;) {
        hq_app_events_since(f->a, 0, 0, issued_events, &n);
        if (n < 1) usleep(1000);
    }
    assert_int_equal(hq_app_ticket_issue_later(f->a, &f->guide, in, &out, &why, &k2), HQ_APP_LATER);
    later_wait(&x, 1); /* answered after the first one, in commit order */
    assert_int_equal(o.seen, 2);
    assert_string_equal(str(o.out, "number", NULL), "A001");
    assert_string_equal(str(x.out[0], "number", NULL), "A002");
    json_decref(o.out);
    json_decref(x.out[0]);
    json_decref(in);
}

/* With nowait (an HTTP event thread), an issue never waits: HQ_APP_BUSY with nothing changed
 * while the hall lock is taken or the estimate's accuracy is due for its refresh, else answered
 * later; the public's rate limit still applies. */
static void test_issue_nowait(void **state)
{
    struct fx *f = *state;
    struct later_box x = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    struct hq_app_later k = {later_fn, &x, true};
    struct hq_why why;
    json_t *out = NULL;
    json_t *in = json_pack("{s:s,s:s}", "service", "A", "channel", "kiosk");
    /* the accuracy figure not computed yet: that reads the store */
    assert_int_equal(hq_app_ticket_issue_later(f->a, &f->public, in, &out, &why, &k), HQ_APP_BUSY);
    ok(hq_app_ticket_issue(f->a, &f->public, in, &out, &why), &why); /* a waiting thread: A001 */
    json_decref(out);
    out = NULL;
    /* the hall lock taken (by this thread here): busy, nothing changed */
    pthread_mutex_lock(&f->a->mu);
    assert_int_equal(hq_app_ticket_issue_later(f->a, &f->public, in, &out, &why, &k), HQ_APP_BUSY);
    pthread_mutex_unlock(&f->a->mu);
    assert_null(out);
    assert_int_equal(x.calls, 0);
    assert_int_equal(hq_app_ticket_issue_later(f->a, &f->public, in, &out, &why, &k), HQ_APP_LATER);
    later_wait(&x, 1);
    assert_int_equal(x.rc[0], 0);
    assert_string_equal(str(x.out[0], "number", NULL), "A002"); /* the busy one took no number */
    json_decref(x.out[0]);
    /* an ID number's issue and a device's wait for their commit: never on this thread */
    struct hq_actor kiosk = {0};
    kiosk.device = true;
    assert_int_equal(hq_app_ticket_issue_later(f->a, &kiosk, in, &out, &why, &k), HQ_APP_BUSY);
    /* the public's limit a minute (60 by default) counts the issues answered later too */
    int rc = 0, n = 2;
    while (n < 100 &&
           (rc = hq_app_ticket_issue_later(f->a, &f->public, in, &out, &why, &k)) == HQ_APP_LATER)
        n++;
    assert_int_equal(rc, HQ_ERATE);
    assert_int_equal(n, 60);
    later_wait(&x, 1 + 58);
    json_decref(in);
    for (int i = 1; i < x.calls && i < 16; i++)
        json_decref(x.out[i]);
    /* a window action the same way: busy with the hall lock taken, nothing called */
    ok(hq_app_window_action(f->a, &f->clerk, 1, "open", NULL, &out, &why), &why);
    json_decref(out);
    out = NULL;
    struct later_box y = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    struct hq_app_later kw = {later_fn, &y, true};
    pthread_mutex_lock(&f->a->mu);
    assert_int_equal(
        hq_app_window_action_later(f->a, &f->clerk, 1, "call-next", NULL, &out, &why, &kw),
        HQ_APP_BUSY);
    pthread_mutex_unlock(&f->a->mu);
    assert_null(out);
    assert_int_equal(
        hq_app_window_action_later(f->a, &f->clerk, 1, "call-next", NULL, &out, &why, &kw),
        HQ_APP_LATER);
    later_wait(&y, 1);
    assert_int_equal(y.rc[0], 0);
    assert_string_equal(str(y.out[0], "ticket", "number"), "A001"); /* the busy call took none */
    json_decref(y.out[0]);
    /* a refusal is answered at once */
    assert_int_equal(
        hq_app_window_action_later(f->a, &f->clerk, 2, "call-next", NULL, &out, &why, &kw),
        HQ_EFORBIDDEN);
}

/* A store whose commits fail while failing is set (the real one's other functions). */
static struct hq_store_vt failing_vt;
static const struct hq_store_vt *real_vt;
static _Atomic int failing;
static int failing_commit(struct hq_store *s, struct hq_batch *const *bs, size_t n,
                          struct hq_why *why)
{
    if (atomic_load(&failing)) return hq_fail(why, HQ_ESTORE, "", "disk full (test)");
    return real_vt->commit(s, bs, n, why);
}

struct later_issuer {
    struct fx *f;
    struct later_box *x;
    int rc;
};

static void *issue_one_later(void *arg)
{
    struct later_issuer *li = arg;
    struct hq_app_later k = {later_fn, li->x};
    struct hq_why why;
    json_t *out = NULL;
    json_t *in = json_pack("{s:s,s:s}", "service", "B", "channel", "guide");
    li->rc = hq_app_ticket_issue_later(li->f->a, &li->f->guide, in, &out, &why, &k);
    json_decref(in);
    json_decref(out);
    return NULL;
}

static void test_later_commit_fails(void **state)
{
    struct fx *f = *state;
    real_vt = f->a->store->vt;
    failing_vt = *real_vt;
    failing_vt.commit = failing_commit;
    f->a->store->vt = &failing_vt;
    atomic_store(&failing, 1);
    enum { T = 8 };
    struct later_box x = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    struct later_issuer li[T];
    pthread_t th[T];
    for (int i = 0; i < T; i++) {
        li[i] = (struct later_issuer){f, &x, 0};
        pthread_create(&th[i], NULL, issue_one_later, &li[i]);
    }
    /* and one caller waiting for its commit in the same failing queue */
    struct hq_why why;
    json_t *out = NULL;
    json_t *in = json_pack("{s:s,s:s}", "service", "B", "channel", "guide");
    int rc = hq_app_ticket_issue(f->a, &f->guide, in, &out, &why);
    assert_int_equal(rc, HQ_ESTORE);
    assert_null(out);
    for (int i = 0; i < T; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(li[i].rc, HQ_APP_LATER);
    }
    /* every caller gets its error, once */
    later_wait(&x, T);
    assert_int_equal(x.calls, T);
    assert_int_equal(x.failed, T);
    for (int i = 0; i < T; i++) {
        assert_int_equal(x.rc[i], HQ_ESTORE);
        assert_null(x.out[i]);
        assert_non_null(strstr(x.message[i], "disk full (test)"));
    }
    /* nothing of it kept: the hall was rebuilt from the store */
    struct hq_app_metrics m;
    hq_app_metrics(f->a, &m);
    assert_int_equal(m.tickets_by_status[HQ_WAITING], 0);
    /* the store back: issues go through again, numbered from the store's state */
    atomic_store(&failing, 0);
    ok(hq_app_ticket_issue(f->a, &f->guide, in, &out, &why), &why);
    assert_string_equal(str(out, "number", NULL), "B001");
    json_decref(out);
    json_decref(in);
    f->a->store->vt = real_vt;
}

/* Sessions are checked under their own lock (issue 12); a change of the staff member's role or
 * state is still seen by the very next check. */
static void test_session_sees_staff_changes(void **state)
{
    struct fx *f = *state;
    struct hq_why why;
    json_t *out = NULL;
    ok(hq_app_login(f->a, "clerk1", "secret-pass", "1.2.3.4", &out, &why), &why);
    char token[80];
    snprintf(token, sizeof token, "%s", str(out, "token", NULL));
    json_decref(out);
    struct hq_actor who = {0};
    assert_int_equal(hq_app_session(f->a, token, &who, NULL), 0);
    assert_int_equal(hq_app_session(f->a, token, &who, NULL), 0); /* from what was seen */
    assert_int_equal(who.role, HQ_ROLE_CLERK);
    json_t *in = json_pack("{s:s}", "role", "guide");
    ok(hq_app_staff_update(f->a, &f->admin, "clerk1", in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    memset(&who, 0, sizeof who);
    assert_int_equal(hq_app_session(f->a, token, &who, NULL), 0);
    assert_int_equal(who.role, HQ_ROLE_GUIDE);
    assert_string_equal(who.username, "clerk1");
    in = json_pack("{s:b}", "active", 0);
    ok(hq_app_staff_update(f->a, &f->admin, "clerk1", in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    assert_int_equal(hq_app_session(f->a, token, &who, NULL), HQ_EUNAUTH);
    assert_int_equal(hq_app_session(f->a, token, &who, NULL), HQ_EUNAUTH);
    in = json_pack("{s:b}", "active", 1);
    ok(hq_app_staff_update(f->a, &f->admin, "clerk1", in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    assert_int_equal(hq_app_session(f->a, token, &who, NULL), 0);
    ok(hq_app_logout(f->a, token, &why), &why);
    assert_int_equal(hq_app_session(f->a, token, &who, NULL), HQ_EUNAUTH);
}

static int64_t last_seen_seq;
static int count_event(void *ctx, const struct hq_event *e)
{
    int *n = ctx;
    assert_true(e->seq > last_seen_seq);
    last_seen_seq = e->seq;
    assert_null(strstr(e->data, "\"id\""));
    (*n)++;
    return 0;
}

static void test_events_log(void **state)
{
    struct fx *f = *state;
    json_t *t = issue(f, &f->public, "A", "normal", "kiosk");
    json_decref(t);
    int n = 0;
    last_seen_seq = 0;
    assert_int_equal(hq_app_events_since(f->a, 0, 0, count_event, &n), 0);
    assert_true(n >= 6);
    assert_int_equal(last_seen_seq, hq_app_last_seq(f->a));
}

static void test_day_roll_expires(void **state)
{
    struct fx *f = *state;
    json_t *t = issue(f, &f->public, "A", "normal", "kiosk");
    char id[64];
    snprintf(id, sizeof id, "%s", str(t, "id", NULL));
    json_decref(t);
    f->clk.t += 86400; /* the next day */
    t = issue(f, &f->public, "A", "normal", "kiosk");
    assert_string_equal(str(t, "number", NULL), "A001"); /* numbering restarts */
    json_decref(t);
    struct hq_why why;
    json_t *out = NULL;
    ok(hq_app_ticket_get(f->a, id, &out, &why), &why);
    assert_string_equal(str(out, "status", NULL), "expired");
    json_decref(out);
}

static int count_alerts(void *ctx, const struct hq_event *e)
{
    if (strcmp(e->type, "alert.crowding") == 0) {
        assert_non_null(strstr(e->data, "\"service\":\"A\""));
        (*(int *)ctx)++;
    }
    return 0;
}

static void test_crowding_advice_and_alert(void **state)
{
    struct fx *f = *state;
    json_decref(act(f, &f->clerk, 1, "open", NULL));
    for (int i = 0; i < 5; i++)
        json_decref(issue(f, &f->public, "A", "normal", "kiosk"));
    struct hq_why why;
    json_t *adv = NULL;
    ok(hq_app_advice(f->a, &adv, &why), &why);
    json_t *a0 = json_array_get(json_object_get(adv, "services"), 0);
    assert_string_equal(str(a0, "code", NULL), "A");
    /* 5 waiting × 300 s on one window = 1500 s > the 900 s target; but window 1 is the only one
     * that serves A: no window to open, and said so */
    assert_int_equal(json_integer_value(json_object_get(a0, "predicted_wait_s")), 1500);
    assert_string_equal(str(a0, "status", NULL), "crowded");
    assert_int_equal(json_integer_value(json_object_get(a0, "max_windows")), 1);
    assert_int_equal(json_integer_value(json_object_get(a0, "extra_windows")), 0);
    assert_true(json_is_true(json_object_get(a0, "capacity_short")));
    json_t *b0 = json_array_get(json_object_get(adv, "services"), 1);
    assert_string_equal(str(b0, "status", NULL), "ok");
    json_decref(adv);
    /* the tick raises one alert, and not again within ten minutes */
    hq__app_tick(f->a);
    hq__app_tick(f->a);
    int n = 0;
    assert_int_equal(hq_app_events_since(f->a, 0, 0, count_alerts, &n), 0);
    assert_int_equal(n, 1);
    f->clk.t += 601;
    hq__app_tick(f->a);
    n = 0;
    assert_int_equal(hq_app_events_since(f->a, 0, 0, count_alerts, &n), 0);
    assert_int_equal(n, 2);
}

static void test_complaints(void **state)
{
    struct fx *f = *state;
    struct hq_why why;
    json_t *out = NULL;
    json_t *in =
        json_pack("{s:s,s:s,s:s,s:b}", "channel", "web", "content", "等候太久 waited too long",
                  "contact", "13812345678", "needs_assistance", 1);
    ok(hq_app_complaint_create(f->a, &f->public, in, &out, &why), &why);
    char code[16];
    snprintf(code, sizeof code, "%s", str(out, "tracking_code", NULL));
    assert_int_equal(strlen(code), 10);
    json_decref(out);
    /* tracked by code, case-insensitively, with no personal data */
    for (char *p = code; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    ok(hq_app_complaint_track(f->a, code, &out, &why), &why);
    assert_string_equal(str(out, "status", NULL), "received");
    char *text = json_dumps(out, 0);
    assert_null(strstr(text, "13812345678"));
    assert_null(strstr(text, "waited too long"));
    free(text);
    json_decref(out);
    /* other channels are entered by staff */
    json_object_set_new(in, "channel", json_string("hotline"));
    assert_int_equal(hq_app_complaint_create(f->a, &f->public, in, &out, &why), HQ_EUNAUTH);
    json_object_set_new(in, "channel", json_string("web"));
    /* a flood from one address is refused */
    int rc = 0, n = 1;
    while (rc == 0 && n < 20) {
        rc = hq_app_complaint_create(f->a, &f->public, in, &out, &why);
        if (rc == 0) {
            json_decref(out);
            n++;
        }
    }
    assert_int_equal(rc, HQ_ERATE);
    assert_int_equal(n, 10);
    json_decref(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ticket_life, setup, teardown),
        cmocka_unit_test_setup_teardown(test_format_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ticket_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_and_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_while_ticking, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_commit_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_issue_answered_later, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replier_overlaps_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_issue_nowait, setup, teardown),
        cmocka_unit_test_setup_teardown(test_later_commit_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_sees_staff_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_day_roll_expires, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crowding_advice_and_alert, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complaints, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
