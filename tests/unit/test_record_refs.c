/* SPDX-License-Identifier: MIT */
/*
 * test_record_refs.c — hq__record_refs (record_refs.c) on a real SQLite file: the store documents
 * that name a service code or a staff member as text, the first kind in the table's order with
 * how many of its documents do; nested paths ("assessment.clerk") and arrays ("contacts[].name",
 * "improvements[].owner"); a person's name counts only where people are written by name; a
 * service code is not taken for a username, nor the other way round.
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

#include "app/app_int.h"
#include "app/hq_app.h"

struct fx {
    char dir[64];
    char db[128];
    struct hq_app *a;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/hq-refs-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/h.db", f->dir);
    struct hq_why why = {0};
    struct hq_app_options o = {.db = f->db};
    f->a = hq_app_open(&o, &why);
    assert_non_null(f->a);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    if (f->a) hq_app_close(f->a);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", f->dir);
    free(f);
    return 0;
}

static void put(struct hq_app *a, const char *kind, const char *key, const char *json)
{
    struct hq_why why = {0};
    struct hq_batch b;
    hq_batch_init(&b);
    assert_int_equal(hq_batch_doc(&b, kind, key, json, 1795741200), 0);
    pthread_mutex_lock(&a->mu);
    assert_int_equal(hq__app_commit_unlock(a, &b, &why), 0);
}

static void del(struct hq_app *a, const char *kind, const char *key)
{
    struct hq_why why = {0};
    struct hq_batch b;
    hq_batch_init(&b);
    assert_int_equal(hq_batch_doc_delete(&b, kind, key, 1795741200), 0);
    pthread_mutex_lock(&a->mu);
    assert_int_equal(hq__app_commit_unlock(a, &b, &why), 0);
}

static int refs(struct hq_app *a, bool service, const char *value, const char *name,
                struct hq_record_ref *r)
{
    struct hq_why why = {0};
    return hq__record_refs(a, service, value, name, r, &why);
}

static void nothing_names_a_fresh_record(void **state)
{
    struct fx *f = *state;
    struct hq_record_ref r;
    assert_int_equal(refs(f->a, false, "wang9", "王九", &r), 0);
    assert_int_equal(refs(f->a, true, "Z", NULL, &r), 0);
    assert_null(r.what);
}

static void the_first_kind_and_how_many(void **state)
{
    struct fx *f = *state;
    struct hq_record_ref r;
    put(f->a, "complaint", "c1", "{\"assessment\":{\"clerk\":\"wang9\",\"window\":3}}");
    assert_int_equal(refs(f->a, false, "wang9", "王九", &r), 1);
    assert_string_equal(r.what, "complaints");
    assert_int_equal(r.count, 1);
    /* training records come first in the table: they are named, with their count */
    put(f->a, "training", "t1", "{\"staff\":\"wang9\",\"course\":\"x\"}");
    put(f->a, "training", "t2", "{\"staff\":\"wang9\",\"course\":\"y\"}");
    put(f->a, "training", "t3", "{\"staff\":\"li\",\"course\":\"y\"}");
    assert_int_equal(refs(f->a, false, "wang9", "王九", &r), 1);
    assert_string_equal(r.what, "training records");
    assert_int_equal(r.count, 2);
    del(f->a, "training", "t1");
    del(f->a, "training", "t2");
    del(f->a, "complaint", "c1");
    assert_int_equal(refs(f->a, false, "wang9", "王九", &r), 0);
}

static void names_in_arrays_and_by_name_where_people_are_written(void **state)
{
    struct fx *f = *state;
    struct hq_record_ref r;
    /* a training record keyed by the name only does not name him (usernames there) */
    put(f->a, "training", "t9", "{\"staff\":\"王九\"}");
    assert_int_equal(refs(f->a, false, "wang9", "王九", &r), 0);
    put(f->a, "ops_incident", "i1",
        "{\"improvements\":[{\"owner\":\"张三\"},{\"owner\":\"王九\"}]}");
    assert_int_equal(refs(f->a, false, "wang9", "王九", &r), 1);
    assert_string_equal(r.what, "incident reports");
    assert_int_equal(refs(f->a, false, "wang9", NULL, &r), 0); /* without his name: not him */
    put(f->a, "ops_plan", "p1", "{\"contacts\":[{\"name\":\"wang9\",\"phone\":\"1\"}]}");
    assert_int_equal(refs(f->a, false, "wang9", NULL, &r), 1);
    assert_string_equal(r.what, "emergency plans");
    /* a malformed or oddly shaped document names nobody */
    put(f->a, "ops_plan", "p2", "{\"contacts\":\"wang9\"}");
    put(f->a, "case", "k1", "not json");
    assert_int_equal(refs(f->a, false, "wang9", NULL, &r), 1);
    assert_int_equal(r.count, 1);
}

static void services_and_usernames_apart(void **state)
{
    struct fx *f = *state;
    struct hq_record_ref r;
    put(f->a, "appointment", "a1", "{\"service\":\"E\",\"status\":\"cancelled\"}");
    put(f->a, "case", "k2", "{\"service\":\"F\",\"clerk\":\"e\"}");
    assert_int_equal(refs(f->a, true, "E", NULL, &r), 1);
    assert_string_equal(r.what, "bookings");
    assert_int_equal(refs(f->a, true, "F", NULL, &r), 1);
    assert_string_equal(r.what, "cases");
    assert_int_equal(refs(f->a, false, "E", NULL, &r), 0); /* "E" is a service there */
    assert_int_equal(refs(f->a, true, "e", NULL, &r), 0);  /* "e" is a clerk there */
    assert_int_equal(refs(f->a, false, "e", NULL, &r), 1);
    assert_string_equal(r.what, "cases");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(nothing_names_a_fresh_record, setup, teardown),
        cmocka_unit_test_setup_teardown(the_first_kind_and_how_many, setup, teardown),
        cmocka_unit_test_setup_teardown(names_in_arrays_and_by_name_where_people_are_written, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(services_and_usernames_apart, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
