/* SPDX-License-Identifier: MIT */
/*
 * test_pairing.c — devices paired by code on a real SQLite file with a fake clock: the key handed
 * over exactly once, a code that expired or was used refused, the public refused, a revoked key
 * refused at once and after reopening, and the device's role and printer kept across a restart.
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
#include "test_app_fixture.h"

struct fx {
    char dir[64];
    char db[128];
    struct fake clk;
    struct hq_app *a;
    struct hq_actor admin, public;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    afx_dir(f->dir, sizeof f->dir, f->db, sizeof f->db, "pair");
    f->clk.t = 1795741200; /* 2026-11-27 09:00 +08:00 */
    f->a = afx_open(f->db, &f->clk);
    assert_non_null(f->a);
    afx_actor(&f->admin, HQ_ROLE_ADMIN, "admin");
    snprintf(f->public.ip, sizeof f->public.ip, "10.0.0.9");
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

/* Start a pairing as the public from page; fills id and code. */
static void start(struct fx *f, const char *page, char id[33], char code[7])
{
    struct hq_why why = {0};
    json_t *in = json_pack("{s:s}", "page", page), *out = NULL;
    int rc = hq_app_pairing_start(f->a, &f->public, in, &out, &why);
    if (rc) fprintf(stderr, "start: %s\n", why.message);
    assert_int_equal(rc, 0);
    snprintf(id, 33, "%s", json_string_value(json_object_get(out, "id")));
    snprintf(code, 7, "%s", json_string_value(json_object_get(out, "code")));
    assert_int_equal(strlen(id), 32);
    assert_int_equal(strlen(code), 6);
    json_decref(in);
    json_decref(out);
}

static int accept_code(struct fx *f, const char *code, const char *role, json_t **out,
                       struct hq_why *why)
{
    json_t *in = json_pack("{s:s,s:s,s:s}", "code", code, "name", "东门取号机", "role", role);
    if (strcmp(role, "kiosk") == 0)
        json_object_set_new(in, "printer", json_string("file:/dev/null"));
    int rc = hq_app_pairing_accept(f->a, &f->admin, in, out, why);
    json_decref(in);
    return rc;
}

static void test_key_handed_over_once(void **state)
{
    struct fx *f = *state;
    char id[33], code[7];
    start(f, "/kiosk", id, code);
    struct hq_why why = {0};
    json_t *out = NULL;
    assert_int_equal(hq_app_pairing_poll(f->a, id, &out, &why), 0);
    assert_string_equal(json_string_value(json_object_get(out, "status")), "waiting");
    json_decref(out);
    out = NULL;
    assert_int_equal(accept_code(f, code, "kiosk", &out, &why), 0);
    assert_string_equal(json_string_value(json_object_get(out, "role")), "kiosk");
    assert_string_equal(json_string_value(json_object_get(out, "page")), "/kiosk");
    assert_null(json_object_get(out, "key")); /* the admin never sees the key */
    json_decref(out);
    out = NULL;
    /* The same code again: used. */
    assert_int_equal(accept_code(f, code, "kiosk", &out, &why), HQ_ECONFLICT);
    assert_string_equal(why.field, "code");
    char qr[7];
    assert_int_equal(hq_app_pairing_code(f->a, id, qr, &why), 0);
    assert_string_equal(qr, code);
    assert_int_equal(hq_app_pairing_poll(f->a, id, &out, &why), 0);
    assert_string_equal(json_string_value(json_object_get(out, "status")), "paired");
    char key[65];
    snprintf(key, sizeof key, "%s", json_string_value(json_object_get(out, "key")));
    assert_int_equal(strlen(key), 64);
    json_decref(out);
    out = NULL;
    /* Once only. */
    assert_int_equal(hq_app_pairing_poll(f->a, id, &out, &why), HQ_ENOTFOUND);
    struct hq_actor dev = {0};
    assert_int_equal(hq_app_device(f->a, key, &dev), 0);
    assert_true(dev.device);
    assert_string_equal(dev.device_name, "东门取号机");

    /* Revoked: refused at once, and after a restart; the role and printer survive it. */
    json_t *list = NULL;
    assert_int_equal(hq_app_devices_list(f->a, &list), 0);
    assert_int_equal(json_array_size(list), 1);
    char did[13];
    snprintf(did, sizeof did, "%s",
             json_string_value(json_object_get(json_array_get(list, 0), "id")));
    assert_non_null(json_string_value(json_object_get(json_array_get(list, 0), "last_seen")));
    json_decref(list);
    assert_int_equal(hq_app_device_delete(f->a, &f->admin, did, &why), HQ_ECONFLICT);
    assert_int_equal(hq_app_device_revoke(f->a, &f->admin, did, &out, &why), 0);
    assert_true(json_is_true(json_object_get(out, "revoked")));
    json_decref(out);
    out = NULL;
    assert_int_equal(hq_app_device(f->a, key, &dev), HQ_EFORBIDDEN);
    assert_int_equal(hq_app_device_revoke(f->a, &f->admin, did, &out, &why), HQ_ECONFLICT);
    hq_app_close(f->a);
    f->a = afx_open(f->db, &f->clk);
    assert_non_null(f->a);
    assert_int_equal(hq_app_device(f->a, key, &dev), HQ_EFORBIDDEN);
    assert_int_equal(hq_app_devices_list(f->a, &list), 0);
    json_t *d = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(d, "role")), "kiosk");
    assert_string_equal(json_string_value(json_object_get(d, "printer")), "file:/dev/null");
    assert_true(json_is_null(json_object_get(d, "last_seen")));
    json_decref(list);
    assert_int_equal(hq_app_device_delete(f->a, &f->admin, did, &why), 0);
    assert_int_equal(hq_app_devices_list(f->a, &list), 0);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    assert_int_equal(hq_app_device_delete(f->a, &f->admin, did, &why), HQ_ENOTFOUND);
}

static void test_code_expires(void **state)
{
    struct fx *f = *state;
    char id[33], code[7];
    start(f, "/display", id, code);
    f->clk.t += 601;
    struct hq_why why = {0};
    json_t *out = NULL;
    assert_int_equal(accept_code(f, code, "display", &out, &why), HQ_ENOTFOUND);
    assert_string_equal(why.field, "code");
    assert_int_equal(hq_app_pairing_poll(f->a, id, &out, &why), HQ_ENOTFOUND);
    /* A fresh one still works, and a key not fetched within ten more minutes is dropped. */
    start(f, "/display", id, code);
    assert_int_equal(accept_code(f, code, "display", &out, &why), 0);
    json_decref(out);
    f->clk.t += 601;
    assert_int_equal(hq_app_pairing_poll(f->a, id, &out, &why), HQ_ENOTFOUND);
}

static void test_refusals(void **state)
{
    struct fx *f = *state;
    struct hq_why why = {0};
    json_t *out = NULL;
    json_t *in = json_pack("{s:s}", "page", "/foo");
    assert_int_equal(hq_app_pairing_start(f->a, &f->public, in, &out, &why), HQ_EINVAL);
    assert_string_equal(why.field, "page");
    json_decref(in);
    char id[33], code[7];
    start(f, "/pad/1", id, code);
    /* A pad needs a window; a window that does not exist is refused; a display has none. */
    in = json_pack("{s:s,s:s,s:s}", "code", code, "name", "pad", "role", "pad");
    assert_int_equal(hq_app_pairing_accept(f->a, &f->admin, in, &out, &why), HQ_EINVAL);
    assert_string_equal(why.field, "window");
    json_object_set_new(in, "window", json_integer(42));
    assert_int_equal(hq_app_pairing_accept(f->a, &f->admin, in, &out, &why), HQ_EINVAL);
    assert_string_equal(why.field, "window");
    json_object_set_new(in, "role", json_string("display"));
    assert_int_equal(hq_app_pairing_accept(f->a, &f->admin, in, &out, &why), HQ_EINVAL);
    json_object_set_new(in, "role", json_string("printer"));
    assert_int_equal(hq_app_pairing_accept(f->a, &f->admin, in, &out, &why), HQ_EINVAL);
    assert_string_equal(why.field, "role");
    json_object_del(in, "window");
    json_object_set_new(in, "role", json_string("display"));
    json_object_set_new(in, "printer", json_string("127.0.0.1:9100"));
    assert_int_equal(hq_app_pairing_accept(f->a, &f->admin, in, &out, &why), HQ_EINVAL);
    assert_string_equal(why.field, "printer");
    json_object_set_new(in, "code", json_string("12345"));
    assert_int_equal(hq_app_pairing_accept(f->a, &f->admin, in, &out, &why), HQ_EINVAL);
    json_decref(in);
    /* Nothing was registered by any of those. */
    json_t *list = NULL;
    assert_int_equal(hq_app_devices_list(f->a, &list), 0);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    /* The public is rate limited: ten starts a minute from one address. */
    int refused = 0;
    for (int i = 0; i < 12; i++) {
        in = json_object();
        int rc = hq_app_pairing_start(f->a, &f->public, in, &out, &why);
        if (rc == 0)
            json_decref(out);
        else
            refused += rc == HQ_ERATE;
        json_decref(in);
        out = NULL;
    }
    assert_true(refused >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_key_handed_over_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_code_expires, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
