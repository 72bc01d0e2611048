/* SPDX-License-Identifier: MIT */
/*
 * test_stats_rollup_sections.c — the blocks of GET /stats that other modules keep
 * (evaluation_coverage, pauses, help_requests, appointments) from the daily rollups against the
 * same blocks computed from every row of the period (the modules' own functions, the reference):
 * twelve days of random stages, ratings (some excluded by an upheld appeal), default ratings,
 * pauses (one across midnight, one never resumed, one ended by another pause), help requests and
 * bookings, written into a real SQLite store, read with a fake clock; the closed days from their
 * rollup documents (first made from the rows, then read back), the live ones from rows — equal
 * exactly. Then what changes a closed day after its rollup was written — a late rating, the
 * default-rating job, a help request acknowledged, a booking marked missed — must drop that
 * day's document: the figures still equal the rows' (and moved).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/hq_appointments.h"
#include "app/hq_cases.h"
#include "app/hq_help.h"
#include "app/hq_surveys.h"
#include "app/stats_rollup.h"
#include "store/hq_store.h"

#define FRI_1113_15H 1794553200 /* 2026-11-13 15:00 +08:00: days up to 11-11 are closed */
#define FROM "2026-11-02"
#define TO "2026-11-13"

struct fake {
    int64_t t;
};
static int64_t fake_now(void *ctx)
{
    return ((struct fake *)ctx)->t;
}

struct fx {
    char dir[64];
    char db[128];
    struct fake clk;
    struct hq_app *a;
    struct hq_actor admin, mgr, public;
    char late_ticket[HQ_ID_LEN + 1]; /* served on 11-10, not rated */
    char open_help[17];              /* asked on 11-09, still open */
};

static uint64_t rs = 0x5ec710115ULL;
static int rnd(int n)
{
    rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
    return (int)((rs >> 33) % (uint64_t)n);
}

static void ok(int rc, const struct hq_why *why)
{
    if (rc != 0) fprintf(stderr, "unexpected refusal %d: %s\n", rc, why->message);
    assert_int_equal(rc, 0);
}

static struct hq_app *open_app(struct fx *f)
{
    struct hq_why why = {0};
    struct hq_app_options o = {.db = f->db, .clock = {fake_now, &f->clk}};
    struct hq_app *a = hq_app_open(&o, &why);
    if (!a) fprintf(stderr, "open: %s\n", why.message);
    return a;
}

static int64_t midnight(int32_t day)
{
    struct tm tm = {0};
    tm.tm_year = day / 10000 - 1900;
    tm.tm_mon = day / 100 % 100 - 1;
    tm.tm_mday = day % 100;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

static void doc(struct hq_batch *b, const char *kind, const char *key, int64_t t, json_t *o)
{
    char *text = json_dumps(o, JSON_COMPACT);
    assert_non_null(text);
    assert_int_equal(hq_batch_doc(b, kind, key, text, t), 0);
    free(text);
    json_decref(o);
}

static void event(struct hq_batch *b, int64_t *seq, int64_t t, const char *actor, const char *type,
                  int window, const char *reason)
{
    char data[128];
    if (reason)
        snprintf(data, sizeof data, "{\"window\":%d,\"reason\":\"%s\"}", window, reason);
    else
        snprintf(data, sizeof data, "{\"window\":%d}", window);
    assert_int_equal(hq_batch_event(b, ++*seq, t, actor, type, data), 0);
}

/* Days 11-02 .. 11-13 of rows, written straight into the store. */
static void write_history(struct fx *f)
{
    struct hq_why why = {0};
    struct hq_store *st = hq_store_open(f->db, &why);
    assert_non_null(st);
    struct hq_hall h;
    hq_hall_init(&h);
    int64_t seq = 0;
    ok(st->vt->load(st, &h, 99999999, &seq, &why), &why);
    hq_hall_release(&h);
    struct hq_batch b;
    hq_batch_init(&b);
    static const char *const clerks[] = {"c1", "c2", ""};
    static const char *const reasons[] = {"休息", "会议", "培训"};
    static const char *const booking[] = {"booked", "checked_in", "missed", "cancelled", "other"};
    doc(&b, "setting", "evaluation", 1,
        json_pack("{s:i,s:i,s:i}", "late_rating_h", 720, "default_level", 3, "default_after_days",
                  2));
    int n = 0;
    for (int32_t day = 20261102; day <= 20261113; day++, n++) {
        int64_t m = midnight(day);
        /* stages, rated, defaulted, excluded or not rated */
        for (int j = 0; j < 6 + rnd(8); j++) {
            char id[HQ_ID_LEN + 1], key[80];
            snprintf(id, sizeof id, "%08d%024d", (int)day, j);
            snprintf(key, sizeof key, "%s:0", id);
            int w = 1 + rnd(3);
            const char *clerk = clerks[rnd(3)];
            /* the last of a day finishes after midnight: a stage counts on its finishing day */
            int64_t fin = j == 0 && n % 4 == 1 ? m + 86400 + 600 : m + 9 * 3600 + j * 900;
            if (fin > FRI_1113_15H) continue;
            doc(&b, "stage", key, fin,
                json_pack("{s:s,s:s,s:i,s:i,s:s,s:i,s:s,s:I,s:I,s:i}", "ticket", id, "number",
                          "A001", "day", (int)day, "stage", 0, "service", "A", "window", w, "clerk",
                          clerk, "started_at", (json_int_t)(fin - 300), "finished_at",
                          (json_int_t)fin, "service_s", 300));
            int fate = rnd(10);
            if (fate < 4) {
                json_t *e = json_pack("{s:s,s:i,s:i,s:s,s:i,s:I}", "ticket", id, "day", (int)day,
                                      "window", w, "clerk", clerk, "level", 1 + rnd(5),
                                      "created_at", (json_int_t)(fin + 60));
                if (fate == 0) json_object_set_new(e, "excluded", json_true());
                doc(&b, "evaluation", key, fin + 60, e);
            } else if (fate < 6 && day <= 20261108) {
                doc(&b, "evaluation_default", key, fin + 3 * 86400,
                    json_pack("{s:s,s:i,s:i,s:b}", "ticket", id, "day", (int)day, "level", 3,
                              "default", 1));
            }
        }
        /* pauses: windows 1-3 once or twice a day */
        for (int w = 1; w <= 3; w++)
            for (int k = 0; k < 1 + rnd(2); k++) {
                int64_t at = m + (10 + 4 * k) * 3600 + rnd(3000);
                if (at > FRI_1113_15H) continue;
                event(&b, &seq, at, clerks[rnd(2)], "window.paused", w, reasons[rnd(3)]);
                if (w == 3 && n % 5 == 2) /* a new reason: the first pause ends here */
                    event(&b, &seq, at + 300, "c2", "window.paused", w, reasons[rnd(3)]);
                const char *end = rnd(3) ? "window.resumed" : "window.closed";
                if (at + 600 + rnd(1800) < FRI_1113_15H)
                    event(&b, &seq, at + 600 + rnd(1800), "c1", end, w, NULL);
            }
        if (n % 3 == 0) { /* at 23:00, ended the next morning */
            event(&b, &seq, m + 23 * 3600, "c1", "window.paused", 2, "加班");
            event(&b, &seq, m + 86400 + 3 * 3600, "c1", "window.resumed", 2, NULL);
        }
        if (day == 20261105) /* never resumed: counted to the end of the next day */
            event(&b, &seq, m + 16 * 3600, "c2", "window.paused", 4, "故障");
        /* help requests */
        for (int j = 0; j < 2 + rnd(3); j++) {
            char id[17];
            snprintf(id, sizeof id, "%08d%08d", (int)day, j);
            int64_t at = m + 9 * 3600 + j * 1800;
            if (at > FRI_1113_15H) continue;
            int st_i = rnd(3);
            if (day == 20261109 && j == 0) {
                st_i = 0;
                snprintf(f->open_help, sizeof f->open_help, "%s", id);
            }
            const char *status = st_i == 0 ? "open" : st_i == 1 ? "acknowledged" : "closed";
            doc(&b, "help", id, at,
                json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:i,s:s,s:I,s:I,s:s,s:I,s:s}", "id", id,
                          "source", "kiosk", "place", "kiosk1", "window", 0, "number", "",
                          "service", "", "day", (int)day, "status", status, "requested_at",
                          (json_int_t)at, "acknowledged_at",
                          (json_int_t)(st_i ? at + 30 + rnd(300) : 0), "acknowledged_by", "",
                          "closed_at", (json_int_t)(st_i == 2 ? at + 900 : 0), "closed_by", ""));
        }
        /* bookings; on 11-10 one still "booked" (the tick will mark it missed) */
        for (int j = 0; j < 3 + rnd(3); j++) {
            char id[HQ_ID_LEN + 1];
            snprintf(id, sizeof id, "%08d%024d", (int)day, 900 + j);
            int64_t at = m + 10 * 3600 + j * 1800;
            const char *status = day == 20261110 && j == 0 ? "booked" : booking[1 + rnd(4)];
            doc(&b, "appointment", id, at,
                json_pack("{s:s,s:s,s:s,s:I,s:I,s:s,s:s}", "id", id, "code", "123456", "service",
                          "A", "start", (json_int_t)at, "end", (json_int_t)(at + 1800), "status",
                          status, "phone", ""));
        }
    }
    /* a served ticket of 11-10 nobody rated yet (a late rating comes) */
    struct hq_ticket t;
    memset(&t, 0, sizeof t);
    snprintf(t.id, sizeof t.id, "%s", "20261110000000000000000000000777");
    snprintf(f->late_ticket, sizeof f->late_ticket, "%s", t.id);
    snprintf(t.number, sizeof t.number, "A777");
    snprintf(t.service, sizeof t.service, "A");
    snprintf(t.clerk, sizeof t.clerk, "c1");
    t.day = 20261110;
    t.status = HQ_DONE;
    t.window = 1;
    t.issued_at = t.queued_at = midnight(20261110) + 15 * 3600;
    t.called_at = t.issued_at + 60;
    t.started_at = t.called_at + 10;
    t.finished_at = t.started_at + 300;
    assert_int_equal(hq_batch_ticket(&b, &t), 0);
    char key[80];
    snprintf(key, sizeof key, "%s:0", t.id);
    doc(&b, "stage", key, t.finished_at,
        json_pack("{s:s,s:s,s:i,s:i,s:s,s:i,s:s,s:I,s:I,s:i}", "ticket", t.id, "number", t.number,
                  "day", (int)t.day, "stage", 0, "service", "A", "window", 1, "clerk", "c1",
                  "started_at", (json_int_t)t.started_at, "finished_at", (json_int_t)t.finished_at,
                  "service_s", 300));
    struct hq_batch *bp = &b;
    ok(st->vt->commit(st, &bp, 1, &why), &why);
    hq_batch_release(&b);
    hq_store_close(st);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/hq-secroll-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/h.db", f->dir);
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    f->clk.t = FRI_1113_15H;
    f->admin.role = HQ_ROLE_ADMIN;
    snprintf(f->admin.username, sizeof f->admin.username, "admin");
    f->mgr.role = HQ_ROLE_MANAGER;
    snprintf(f->mgr.username, sizeof f->mgr.username, "manager1");
    snprintf(f->public.ip, sizeof f->public.ip, "10.0.0.9");
    /* the hall (services, windows), then the rows, then the app that reads them */
    f->a = open_app(f);
    assert_non_null(f->a);
    struct hq_why why;
    const char *bodies[] = {"{\"code\":\"A\",\"name\":\"社保\",\"avg_service_s\":300}",
                            "{\"number\":1,\"services\":[\"A\"]}",
                            "{\"number\":2,\"services\":[\"A\"]}",
                            "{\"number\":3,\"services\":[\"A\"]}"};
    for (int i = 0; i < 4; i++) {
        json_t *in = json_loads(bodies[i], 0, NULL), *out = NULL;
        ok(i == 0 ? hq_app_service_create(f->a, &f->admin, in, &out, &why)
                  : hq_app_window_create(f->a, &f->admin, in, &out, &why),
           &why);
        json_decref(in);
        json_decref(out);
    }
    hq_app_close(f->a);
    write_history(f);
    f->a = open_app(f);
    assert_non_null(f->a);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    if (f->a) hq_app_close(f->a);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static bool rollup_with_sections(struct fx *f, const char *key)
{
    struct hq_why why = {0};
    struct hq_store *st = hq_store_open(f->db, &why);
    assert_non_null(st);
    char *text = NULL;
    struct hq_roll r;
    hq_roll_init(&r);
    json_t *sec = json_object();
    bool found = st->vt->doc_get(st, HQ_ROLLUP_KIND, key, &text) == 0 && text &&
                 hq__rollup_decode(text, &r, sec) == 0 && json_object_get(sec, "coverage") &&
                 json_object_get(sec, "pauses") && json_object_get(sec, "help") &&
                 json_object_get(sec, "appointments");
    json_decref(sec);
    hq_roll_release(&r);
    free(text);
    hq_store_close(st);
    return found;
}

static void same(json_t *got, json_t *want, const char *what)
{
    if (!json_equal(got, want)) {
        char *g = json_dumps(got, JSON_SORT_KEYS), *w = json_dumps(want, JSON_SORT_KEYS);
        fail_msg("%s from the rollups:\n%s\nfrom the rows:\n%s", what, g, w);
        free(g);
        free(w);
    }
}

/* GET /stats's four blocks for [from, to] against the modules' figures from every row. */
static json_t *check_period(struct fx *f, const char *from, const char *to)
{
    struct hq_why why = {0};
    json_t *out = NULL;
    ok(hq_app_stats(f->a, from, to, &out, &why), &why);
    int32_t d0 = (int32_t)(atoi(from) * 10000 + atoi(from + 5) * 100 + atoi(from + 8));
    int32_t d1 = (int32_t)(atoi(to) * 10000 + atoi(to + 5) * 100 + atoi(to + 8));
    json_t *cov = hq__eval_coverage_json(f->a, d0, d1), *pa = hq__pauses_json(f->a, d0, d1),
           *he = hq__help_counts(f->a, d0, d1), *ap = hq__appointments_counts(f->a, d0, d1);
    same(json_object_get(out, "evaluation_coverage"), cov, "evaluation_coverage");
    same(json_object_get(out, "pauses"), pa, "pauses");
    same(json_object_get(out, "help_requests"), he, "help_requests");
    same(json_object_get(out, "appointments"), ap, "appointments");
    json_decref(cov);
    json_decref(pa);
    json_decref(he);
    json_decref(ap);
    return out;
}

static json_int_t num(json_t *o, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *x = o;
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save))
        x = json_object_get(x, k);
    return json_integer_value(x);
}

static void test_sections_equal_rows(void **state)
{
    struct fx *f = *state;
    json_t *first = check_period(f, FROM, TO); /* closed days made from rows, written */
    assert_true(rollup_with_sections(f, "20261104"));
    assert_true(rollup_with_sections(f, "20261111"));
    assert_false(rollup_with_sections(f, "20261112")); /* yesterday: not closed */
    json_t *again = check_period(f, FROM, TO);         /* now read from the documents */
    same(again, first, "the second answer");
    /* not trivial: every block has figures */
    assert_true(num(again, "evaluation_coverage.stages") > 60);
    assert_true(num(again, "evaluation_coverage.rated") > 10);
    assert_true(num(again, "evaluation_coverage.defaulted") > 3);
    assert_true(num(again, "evaluation_coverage.excluded") > 0);
    assert_true(num(again, "pauses.total.n") > 30);
    assert_true(num(again, "help_requests.acknowledged") > 5);
    assert_true(num(again, "appointments.checked_in") > 3);
    json_decref(first);
    json_decref(again);
    /* periods cut elsewhere, from the same documents */
    json_decref(check_period(f, "2026-11-04", "2026-11-12"));
    json_decref(check_period(f, "2026-11-05", "2026-11-05"));
    /* the pause never resumed on 11-05 16:00 counts to the end of 11-06: 32 h */
    json_t *one = check_period(f, "2026-11-05", "2026-11-06");
    json_t *wins = json_object_get(json_object_get(one, "pauses"), "windows");
    bool seen = false;
    for (size_t i = 0; i < json_array_size(wins); i++) {
        json_t *w = json_array_get(wins, i);
        if (json_integer_value(json_object_get(w, "window")) != 4) continue;
        assert_int_equal(json_integer_value(json_object_get(w, "total_s")), 32 * 3600);
        seen = true;
    }
    assert_true(seen);
    json_decref(one);
}

/* What changes a closed day after its rollup was written must drop the document: otherwise the
 * rollup's old figures would differ from the rows' (check_period fails). */
static void test_changes_drop_rollups(void **state)
{
    struct fx *f = *state;
    struct hq_why why = {0};
    json_t *before = check_period(f, FROM, TO);
    assert_true(rollup_with_sections(f, "20261110"));
    assert_true(rollup_with_sections(f, "20261109"));

    /* a late rating (the hall allows 720 h) of a stage of 11-10 */
    json_t *in = json_pack("{s:s,s:i,s:i}", "ticket", f->late_ticket, "level", 4, "stage", 0),
           *out = NULL;
    ok(hq_app_evaluation_create(f->a, &f->public, in, &out, &why), &why);
    json_decref(in);
    json_decref(out);
    json_t *after = check_period(f, FROM, TO);
    assert_int_equal(num(after, "evaluation_coverage.rated"),
                     num(before, "evaluation_coverage.rated") + 1);
    assert_int_equal(num(after, "total.satisfaction.n"), num(before, "total.satisfaction.n") + 1);
    json_decref(before);
    before = after;

    /* the default-rating job: the unrated stages of two days ago and before */
    hq__eval_default_run(f->a, f->clk.t);
    after = check_period(f, FROM, TO);
    assert_true(num(after, "evaluation_coverage.defaulted") >
                num(before, "evaluation_coverage.defaulted"));
    json_decref(before);
    before = after;

    /* a help request of 11-09 acknowledged four days later */
    ok(hq_app_help_action(f->a, &f->mgr, f->open_help, "ack", &out, &why), &why);
    json_decref(out);
    after = check_period(f, FROM, TO);
    assert_int_equal(num(after, "help_requests.acknowledged"),
                     num(before, "help_requests.acknowledged") + 1);
    json_decref(before);
    before = after;

    /* the booking of 11-10 still "booked" is marked missed by the tick */
    hq__appointments_tick(f->a);
    after = check_period(f, FROM, TO);
    assert_int_equal(num(after, "appointments.missed"), num(before, "appointments.missed") + 1);
    json_decref(before);
    json_decref(after);
}

/* A document of another shape is not added: its day comes from the rows. */
static void test_bad_sections_refused(void **state)
{
    (void)state;
    json_t *into = json_pack("{s:{s:I}}", "help", "count", (json_int_t)2);
    json_t *bad = json_pack("{s:{s:s}}", "help", "count", "x");
    assert_int_equal(hq__sections_add(into, bad), -1);
    json_t *clash = json_pack("{s:{s:{}}}", "help", "count");
    assert_int_equal(hq__sections_add(into, clash), -1);
    json_t *fine =
        json_pack("{s:{s:I,s:[I]}}", "help", "count", (json_int_t)3, "acks", (json_int_t)40);
    assert_int_equal(hq__sections_add(into, fine), 0);
    assert_int_equal(num(into, "help.count"), 5);
    assert_int_equal(json_array_size(json_object_get(json_object_get(into, "help"), "acks")), 1);
    /* through a document: read back exactly; cut short or of another shape, refused whole */
    struct hq_roll r;
    hq_roll_init(&r);
    char *text = hq__rollup_encode(20261105, &r, into);
    assert_non_null(text);
    json_t *back = json_object();
    assert_int_equal(hq__rollup_decode(text, &r, back), 0);
    assert_true(json_equal(back, into));
    json_t *o = json_loads(text, 0, NULL);
    const char *s64 = json_string_value(json_object_get(o, "sections"));
    assert_non_null(s64);
    char cut[256];
    snprintf(cut, sizeof cut, "%.*s", (int)strlen(s64) - 4, s64);
    json_object_set_new(o, "sections", json_string(cut));
    char *bad_doc = json_dumps(o, JSON_COMPACT);
    assert_int_equal(hq__rollup_decode(bad_doc, &r, back), -1);
    assert_true(json_equal(back, into)); /* nothing added */
    json_object_set_new(o, "sections", json_pack("{s:{s:I}}", "help", "count", (json_int_t)1));
    free(bad_doc);
    bad_doc = json_dumps(o, JSON_COMPACT);
    assert_int_equal(hq__rollup_decode(bad_doc, &r, back), -1); /* format 4 sections are bytes */
    free(bad_doc);
    json_decref(o);
    json_decref(back);
    free(text);
    hq_roll_release(&r);
    json_decref(into);
    json_decref(bad);
    json_decref(clash);
    json_decref(fine);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sections_equal_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changes_drop_rollups, setup, teardown),
        cmocka_unit_test(test_bad_sections_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
