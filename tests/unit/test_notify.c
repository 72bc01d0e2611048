/* SPDX-License-Identifier: MIT */
/*
 * test_notify.c — the pure parts of notifications (src/app/notify_body.c): the retry schedule,
 * the HMAC-SHA256 signature against RFC 4231's vectors, the message text and the body a receiver
 * gets; then hq__notify_enqueue on a real app: one outbox document per subscribed notifier in the
 * caller's batch, nothing for other types or without a phone, the JSON it is given consumed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/app_int.h"
#include "app/notify.h"

static void backoff_grows_to_an_hour_and_covers_a_day(void **state)
{
    (void)state;
    assert_int_equal(hq_notify_backoff_ms(1, 10000), 10000);
    assert_int_equal(hq_notify_backoff_ms(2, 10000), 20000);
    assert_int_equal(hq_notify_backoff_ms(3, 10000), 40000);
    assert_int_equal(hq_notify_backoff_ms(0, 10000), 10000);
    assert_int_equal(hq_notify_backoff_ms(100000, 10000), HQ_NOTIFY_MAX_DELAY_MS);
    /* tried until the give-up age: the attempts then span more than 24 h */
    int64_t elapsed = 0, prev = 0;
    int n = 0;
    while (elapsed < HQ_NOTIFY_GIVE_UP_MS) {
        int64_t d = hq_notify_backoff_ms(++n, 10000);
        assert_true(d >= prev);
        assert_true(d <= HQ_NOTIFY_MAX_DELAY_MS);
        prev = d;
        elapsed += d;
    }
    assert_true(elapsed >= 24 * 3600 * 1000LL);
    assert_true(n > 24 && n < 60);
}

static void signature_matches_rfc4231(void **state)
{
    (void)state;
    char sig[72];
    const char *data = "what do ya want for nothing?";
    hq_notify_signature("Jefe", data, strlen(data), sig);
    assert_string_equal(sig,
                        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    char key[21];
    memset(key, 0x0b, 20);
    key[20] = 0;
    hq_notify_signature(key, "Hi There", 8, sig);
    assert_string_equal(sig,
                        "sha256=b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    /* only the given length is signed */
    char sig2[72];
    hq_notify_signature(key, "Hi There and more", 8, sig2);
    assert_string_equal(sig, sig2);
}

static void text_names_number_places_and_window(void **state)
{
    (void)state;
    json_t *t =
        json_pack("{s:s,s:s,s:i,s:n}", "number", "A012", "service", "A", "ahead", 3, "window");
    json_t *x = hq_notify_text("ticket.near", t, NULL);
    const char *zh = json_string_value(json_object_get(x, "zh"));
    const char *en = json_string_value(json_object_get(x, "en"));
    assert_non_null(strstr(zh, "A012"));
    assert_non_null(strstr(zh, "3"));
    assert_non_null(strstr(en, "A012"));
    assert_non_null(strstr(en, "3 ahead"));
    json_decref(x);
    json_object_set_new(t, "window", json_integer(7));
    x = hq_notify_text("ticket.called", t, NULL);
    assert_non_null(strstr(json_string_value(json_object_get(x, "zh")), "7 号窗口"));
    assert_non_null(strstr(json_string_value(json_object_get(x, "en")), "window 7"));
    json_decref(x);
    json_t *ap = json_pack("{s:s,s:s}", "code", "K7Q2", "slot", "2026-11-27T09:30:00+08:00");
    x = hq_notify_text("appointment.booked", NULL, ap);
    assert_non_null(strstr(json_string_value(json_object_get(x, "zh")), "K7Q2"));
    assert_non_null(strstr(json_string_value(json_object_get(x, "en")), "09:30"));
    json_decref(x);
    x = hq_notify_text("appointment.reminder", NULL, NULL); /* nothing known: still a sentence */
    assert_true(strlen(json_string_value(json_object_get(x, "en"))) > 10);
    json_decref(x);
    json_decref(ap);
    json_decref(t);
}

static void body_has_the_fields_of_the_api_in_order(void **state)
{
    (void)state;
    json_t *t =
        json_pack("{s:s,s:s,s:i,s:n}", "number", "A012", "service", "A", "ahead", 3, "window");
    json_t *text = json_pack("{s:s,s:s}", "zh", "中", "en", "en");
    char *b = hq_notify_body("d1", "ticket.near", "2026-11-27T09:00:00+08:00", "13812345678", text,
                             t, NULL);
    assert_string_equal(b,
                        "{\"id\":\"d1\",\"type\":\"ticket.near\",\"at\":\"2026-11-27T09:00:00+08:"
                        "00\",\"to\":{\"phone\":\"13812345678\"},\"text\":{\"zh\":\"中\",\"en\":"
                        "\"en\"},\"ticket\":{\"number\":\"A012\",\"service\":\"A\",\"ahead\":3,"
                        "\"window\":null},\"appointment\":null}");
    free(b);
    assert_int_equal(t->refcount, 1); /* borrowed */
    json_decref(text);
    json_decref(t);
    assert_true(hq_notify_type_known("appointment.reminder"));
    assert_false(hq_notify_type_known("ticket.issued"));
}

/* ---- hq__notify_enqueue on a real app ---- */

static void enqueue_adds_one_document_per_subscriber(void **state)
{
    (void)state;
    char dir[] = "/tmp/hq-notify-XXXXXX", db[128];
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/h.db", dir);
    struct hq_why why = {0};
    struct hq_app_options o = {.db = db};
    struct hq_app *a = hq_app_open(&o, &why);
    assert_non_null(a);
    struct hq_actor admin = {.role = HQ_ROLE_ADMIN};
    snprintf(admin.username, sizeof admin.username, "admin");
    json_t *out = NULL;
    /* a far, never-answering notifier: deliveries made below are never committed anyway */
    json_t *in = json_pack("{s:s,s:[s],s:[s,s]}", "kind", "command", "argv", "/bin/false", "events",
                           "appointment.booked", "ticket.called");
    assert_int_equal(hq_app_notifier_create(a, &admin, in, &out, &why), 0);
    json_decref(in);
    json_decref(out);
    in = json_pack("{s:s,s:s,s:s,s:[s]}", "kind", "webhook", "url", "http://127.0.0.1:9/", "secret",
                   "k", "events", "appointment.booked");
    assert_int_equal(hq_app_notifier_create(a, &admin, in, &out, &why), 0);
    json_decref(in);
    json_decref(out);

    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    json_t *ap = json_pack("{s:s}", "code", "K7Q2");
    json_incref(ap); /* one reference is the function's */
    assert_int_equal(hq__notify_enqueue(a, &b, "appointment.booked", "13812345678", NULL, ap), 2);
    assert_int_equal(ap->refcount, 1);
    json_decref(ap);
    assert_int_equal(
        hq__notify_enqueue(a, &b, "appointment.reminder", "13812345678", NULL, json_object()), 0);
    assert_int_equal(hq__notify_enqueue(a, &b, "appointment.booked", "", NULL, NULL), 0);
    pthread_mutex_unlock(&a->mu);
    assert_int_equal(b.n, 2);
    for (size_t i = 0; i < b.n; i++) {
        assert_int_equal(b.ops[i].kind, HQ_OP_DOC);
        assert_string_equal(b.ops[i].u.doc.kind, "notify.out");
        json_t *d = json_loads(b.ops[i].u.doc.json, 0, NULL);
        assert_non_null(d);
        assert_string_equal(json_string_value(json_object_get(d, "type")), "appointment.booked");
        json_t *body = json_loads(json_string_value(json_object_get(d, "body")), 0, NULL);
        assert_non_null(body);
        assert_string_equal(json_string_value(json_object_get(body, "id")), b.ops[i].u.doc.key);
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(body, "to"), "phone")),
            "13812345678");
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(body, "appointment"), "code")),
            "K7Q2");
        assert_true(json_is_null(json_object_get(body, "ticket")));
        json_decref(body);
        json_decref(d);
    }
    hq_batch_release(&b);
    hq_app_close(a);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(backoff_grows_to_an_hour_and_covers_a_day),
        cmocka_unit_test(signature_matches_rfc4231),
        cmocka_unit_test(text_names_number_places_and_window),
        cmocka_unit_test(body_has_the_fields_of_the_api_in_order),
        cmocka_unit_test(enqueue_adds_one_document_per_subscriber),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
