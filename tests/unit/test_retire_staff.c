/* SPDX-License-Identifier: MIT */
/*
 * test_retire_staff.c — the refusals of retiring a staff member (uc_retire_records.c) that the
 * HTTP API cannot reach: the last active admin of a hall is never retired, whoever asks (a
 * command-line or system actor that is not itself one of the hall's admins, as here). A retired
 * admin does not count as another admin, and a second active admin lets the first one go. The API
 * tests (tests/api/retire_records.test.mjs) hold the refusals an admin can meet.
 */
#include "test_app_fixture.h"

struct fx {
    char dir[64];
    char db[128];
    struct fake clk;
    struct hq_app *a;
    struct hq_actor root; /* an admin actor that is not one of the hall's staff */
};

static json_t *staff(const char *username, const char *role)
{
    return json_pack("{s:s,s:s,s:s,s:s}", "username", username, "name", username, "role", role,
                     "password", "secret-pass");
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    afx_dir(f->dir, sizeof f->dir, f->db, sizeof f->db, "retire-staff");
    f->clk.t = 1795741200; /* 2026-11-27 09:00 +08:00 */
    f->a = afx_open(f->db, &f->clk);
    assert_non_null(f->a);
    afx_actor(&f->root, HQ_ROLE_ADMIN, "root");
    afx_create(f->a, &f->root, hq_app_staff_create, staff("boss", "admin"));
    afx_create(f->a, &f->root, hq_app_staff_create, staff("clerk1", "clerk"));
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

static int retire(struct fx *f, const char *username, struct hq_why *why)
{
    json_t *in = json_pack("{s:s}", "username", username), *out = NULL;
    int rc = hq_app_staff_retire(f->a, &f->root, in, &out, why);
    json_decref(in);
    json_decref(out);
    return rc;
}

/* True when username is on the list of retired staff. */
static bool is_retired(struct fx *f, const char *username)
{
    json_t *out = NULL;
    assert_int_equal(hq_app_staff_retired(f->a, &out), 0);
    json_t *items = json_is_array(out) ? out : json_object_get(out, "items");
    bool found = false;
    size_t i;
    json_t *r;
    json_array_foreach(items, i, r)
    {
        found = found || strcmp(json_string_value(json_object_get(r, "username")), username) == 0;
    }
    json_decref(out);
    return found;
}

static void test_last_active_admin_stays(void **state)
{
    struct fx *f = *state;
    struct hq_why why = {0};
    assert_int_equal(retire(f, "boss", &why), HQ_ECONFLICT);
    assert_string_equal(why.field, "username");
    assert_non_null(strstr(why.message, "'boss' is the last active admin"));
    assert_string_equal(why.reason, "retire.last_admin");
    assert_false(is_retired(f, "boss"));
    /* a clerk is not an admin: retiring one changes nothing about this */
    why = (struct hq_why){0};
    ok(retire(f, "clerk1", &why), &why);
    assert_true(is_retired(f, "clerk1"));
    assert_int_equal(retire(f, "boss", &why), HQ_ECONFLICT);
}

static void test_retired_admin_is_not_another(void **state)
{
    struct fx *f = *state;
    struct hq_why why = {0};
    afx_create(f->a, &f->root, hq_app_staff_create, staff("boss2", "admin"));
    ok(retire(f, "boss2", &why), &why); /* boss is still there */
    assert_true(is_retired(f, "boss2"));
    why = (struct hq_why){0};
    assert_int_equal(retire(f, "boss", &why), HQ_ECONFLICT);
    assert_string_equal(why.reason, "retire.last_admin");
    assert_false(is_retired(f, "boss"));
}

static void test_second_admin_lets_first_go(void **state)
{
    struct fx *f = *state;
    struct hq_why why = {0};
    afx_create(f->a, &f->root, hq_app_staff_create, staff("boss2", "admin"));
    ok(retire(f, "boss", &why), &why);
    assert_true(is_retired(f, "boss"));
    /* and now boss2 is the last one */
    assert_int_equal(retire(f, "boss2", &why), HQ_ECONFLICT);
    assert_string_equal(why.reason, "retire.last_admin");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_last_active_admin_stays, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retired_admin_is_not_another, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_admin_lets_first_go, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
