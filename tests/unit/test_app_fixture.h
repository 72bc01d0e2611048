/* SPDX-License-Identifier: MIT */
/*
 * test_app_fixture.h — helpers shared by the unit tests of the use-case layer
 * (tests/unit/test_app.c, test_cases.c, test_complaints.c …): a fake clock the app reads (the test
 * sets clk.t), a fresh temporary folder with the database path in it (the process in the hall's
 * zone, Asia/Shanghai), opening the app on that SQLite file with the fake clock, closing it and
 * removing the folder, actors, and `ok` to assert that a use case was not refused. Header-only,
 * static functions.
 */
#ifndef TEST_APP_FIXTURE_H
#define TEST_APP_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/hq_app.h"

/* The fake clock: seconds since the epoch, set by the test. */
struct fake {
    int64_t t;
};

static inline int64_t fake_now(void *ctx)
{
    return ((struct fake *)ctx)->t;
}

/* A fresh folder /tmp/hq-<tag>-XXXXXX into dir and its database path <dir>/h.db into db; sets
 * TZ to the hall's zone (Asia/Shanghai) for the process. */
static inline void afx_dir(char *dir, size_t dir_cap, char *db, size_t db_cap, const char *tag)
{
    snprintf(dir, dir_cap, "/tmp/hq-%s-XXXXXX", tag);
    assert_non_null(mkdtemp(dir));
    snprintf(db, db_cap, "%s/h.db", dir);
    setenv("TZ", "Asia/Shanghai", 1);
}

/* The app on db with the fake clock clk, or NULL (the reason on stderr). */
static inline struct hq_app *afx_open(const char *db, struct fake *clk)
{
    struct hq_why why = {0};
    struct hq_app_options o = {.db = db, .clock = {fake_now, clk}};
    struct hq_app *a = hq_app_open(&o, &why);
    if (!a) fprintf(stderr, "open: %s\n", why.message);
    return a;
}

/* Close the app (when open) and remove the folder afx_dir made. */
static inline void afx_close(struct hq_app *a, const char *dir)
{
    if (a) hq_app_close(a);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* A signed-in actor: role and user name. */
static inline void afx_actor(struct hq_actor *who, enum hq_role role, const char *username)
{
    who->role = role;
    snprintf(who->username, sizeof who->username, "%s", username);
}

/* Assert that a use case returned 0 (else its reason on stderr). */
static inline void ok(int rc, const struct hq_why *why)
{
    if (rc != 0) fprintf(stderr, "unexpected refusal %d: %s\n", rc, why->message);
    assert_int_equal(rc, 0);
}

/* A use case taking (app, actor, body, answer, why): the creating ones of the admin's set-up. */
typedef int (*afx_uc)(struct hq_app *, const struct hq_actor *, json_t *, json_t **,
                      struct hq_why *);

/* Run fn as who with the body in (taken), asserting success; the answer is dropped. */
static inline void afx_create(struct hq_app *a, const struct hq_actor *who, afx_uc fn, json_t *in)
{
    struct hq_why why = {0};
    json_t *out = NULL;
    ok(fn(a, who, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
}

#endif
