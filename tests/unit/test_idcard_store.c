/* SPDX-License-Identifier: MIT */
/*
 * test_idcard_store.c — ID numbers in the store (src/app/idnum.c, uc_appointments.c): the keyed
 * hash is stable for one hall (its key made once and kept across a restart), differs between
 * numbers and between halls, and a booking stored by an older version with the number in clear has
 * it replaced by its hash (and the masked form staff may see) at the app's first tick.
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
#include "app/hq_appointments.h"

static struct hq_app *open_db(const char *db)
{
    struct hq_why why = {0};
    struct hq_app_options o = {.db = db};
    struct hq_app *a = hq_app_open(&o, &why);
    if (!a) fprintf(stderr, "open: %s\n", why.message);
    assert_non_null(a);
    return a;
}

static void hash_and_scrub(void **st)
{
    (void)st;
    char dir[] = "/tmp/hq-idstore-XXXXXX", db[128], db2[128];
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/h.db", dir);
    snprintf(db2, sizeof db2, "%s/other.db", dir);
    struct hq_why why;
    char h1[HQ_IDHASH_LEN + 1], h1b[HQ_IDHASH_LEN + 1], h2[HQ_IDHASH_LEN + 1],
        h3[HQ_IDHASH_LEN + 1];

    struct hq_app *a = open_db(db);
    assert_int_equal(hq__idnum_hash(a, "11010519491231002X", h1, &why), 0);
    assert_int_equal(strlen(h1), HQ_IDHASH_LEN);
    assert_int_equal(hq__idnum_hash(a, "440301195503011236", h2, &why), 0);
    assert_string_not_equal(h1, h2);
    assert_null(strstr(h1, "1101"));

    /* a booking as an older version stored it: the number in clear */
    const char *old = "{\"id\":\"0123456789abcdef0123456789abcdef\",\"code\":\"K7Q2MX\","
                      "\"service\":\"A\",\"start\":1795741200,\"end\":1795743000,\"status\":"
                      "\"booked\",\"phone\":\"13800000000\",\"id_number\":\"11010519491231002X\"}";
    struct hq_batch b;
    hq_batch_init(&b);
    hq_batch_doc(&b, "appointment", "0123456789abcdef0123456789abcdef", old, 1795741200);
    pthread_mutex_lock(&a->mu);
    assert_int_equal(hq__app_commit_unlock(a, &b, &why), 0);
    hq__appointments_tick(a);
    char *text = NULL;
    assert_int_equal(
        a->store->vt->doc_get(a->store, "appointment", "0123456789abcdef0123456789abcdef", &text),
        0);
    assert_null(strstr(text, "11010519491231002X"));
    assert_null(strstr(text, "\"id_number\""));
    json_t *d = json_loads(text, 0, NULL);
    free(text);
    assert_string_equal(json_string_value(json_object_get(d, "id_hash")), h1);
    assert_string_equal(json_string_value(json_object_get(d, "code")), "K7Q2MX");
    assert_string_equal(json_string_value(json_object_get(d, "id_masked")), "1101**********002X");
    json_decref(d);
    hq_app_close(a);

    /* the key survives a restart: the same hash */
    a = open_db(db);
    assert_int_equal(hq__idnum_hash(a, "11010519491231002X", h1b, &why), 0);
    assert_string_equal(h1, h1b);
    hq_app_close(a);
    /* another hall, another key */
    a = open_db(db2);
    assert_int_equal(hq__idnum_hash(a, "11010519491231002X", h3, &why), 0);
    assert_string_not_equal(h1, h3);
    hq_app_close(a);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(hash_and_scrub)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
