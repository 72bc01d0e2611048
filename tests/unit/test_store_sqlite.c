/* SPDX-License-Identifier: MIT */
/*
 * test_store_sqlite.c — the SQLite store against real files in a fresh temporary directory:
 * every field of every entity survives commit + load; a commit that fails at any statement leaves
 * nothing behind (fault injection at every step, and a real constraint failure); many batches
 * commit as one; the event log's order and limits; documents; online backup while another handle
 * writes; restore refuses what is not a hallq database and installs one that is; reopening is
 * idempotent; a second handle reads while the first writes.
 */
#define STORE_BACKEND "sqlite"
#include "test_store_common.h"

#include <ftw.h>
#include <pthread.h>
#include <sqlite3.h>

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb;
    (void)flag;
    (void)f;
    return remove(p);
}

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/hq-store-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->db, sizeof fx->db, "%s/hall.db", fx->dir);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    nftw(fx->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    free(fx);
    return 0;
}

static void test_fault_at_every_step(void **state)
{
    struct fx *fx = *state;
    struct hq_store *s = open_ok(fx->db);
    struct hq_batch b1, b2;
    hq_batch_init(&b1);
    hq_batch_init(&b2);
    fill_batch(&b1, 0);
    fill_batch(&b2, 100);
    struct hq_batch *bs[2] = {&b1, &b2};
    /* BEGIN, the ops, COMMIT; and a ticket not marked as just issued is first updated in place
     * (no row here), then upserted: one step more for each (fill_batch puts one of each kind). */
    size_t steps = b1.n + b2.n + 2 + 2;
    for (size_t n = 1; n <= steps; n++) {
        struct hq_why why = {0};
        hq_store_sqlite_fail_after(s, (int)n);
        assert_int_equal(s->vt->commit(s, bs, 2, &why), HQ_ESTORE);
        assert_int_equal(why.code, HQ_ESTORE);
        assert_true(strncmp(why.message, "store: ", 7) == 0);
        hq_store_sqlite_fail_after(s, 0);
        assert_empty(s);
    }
    /* Past the last step the fault never fires: everything is there. */
    hq_store_sqlite_fail_after(s, (int)steps + 1);
    struct hq_why why = {0};
    assert_int_equal(s->vt->commit(s, bs, 2, &why), 0);
    hq_store_sqlite_fail_after(s, 0);
    struct hq_hall h;
    int64_t last;
    load_ok(s, &h, 0, &last);
    assert_int_equal(last, 101);
    assert_int_equal(h.n_tickets, 4);
    hq_hall_release(&h);
    hq_batch_release(&b1);
    hq_batch_release(&b2);
    hq_store_close(s);
}

static void test_batch_refuses_bad_input(void **state)
{
    (void)state;
    struct hq_batch b;
    char big[200];
    memset(big, 'k', sizeof big - 1);
    big[sizeof big - 1] = 0;
    hq_batch_init(&b);
    assert_int_equal(hq_batch_doc(&b, "session", big, "{}", 1), HQ_EINVAL);
    assert_int_equal(hq_batch_doc(&b, big, "k", "{}", 1), HQ_EINVAL);
    assert_int_equal(hq_batch_doc(&b, "session", "k", NULL, 1), HQ_EINVAL);
    assert_int_equal(hq_batch_event(&b, 1, 1, big, "x", "{}"), HQ_EINVAL);
    assert_int_equal(hq_batch_event(&b, 1, 1, "", big, "{}"), HQ_EINVAL);
    assert_int_equal(b.n, 0);
    /* Inputs are copied: changing them afterwards changes nothing in the batch. */
    char json[16] = "{\"a\":1}";
    assert_int_equal(hq_batch_doc(&b, "session", "k", json, 1), 0);
    json[2] = 'b';
    assert_string_equal(b.ops[0].u.doc.json, "{\"a\":1}");
    for (int i = 0; i < 1000; i++)
        assert_int_equal(hq_batch_event(&b, i, i, "x", "y", "{}"), 0);
    assert_int_equal(b.n, 1001);
    hq_batch_release(&b);
    hq_batch_release(&b); /* idempotent */
}

/* ---- backup and restore ---- */

struct writer_arg {
    const char *db;
    volatile int stop;
    int committed;
};

static void *writer_thread(void *p)
{
    struct writer_arg *wa = p;
    struct hq_why why = {0};
    struct hq_store *s = hq_store_open(wa->db, &why);
    if (!s) return NULL;
    for (int i = 1; !wa->stop && i < 100000; i++) {
        struct hq_batch b;
        struct hq_ticket t;
        struct hq_service v;
        hq_batch_init(&b);
        make_ticket(&t, i, "A", DAY, i);
        make_service(&v, "A", i);
        hq_batch_ticket(&b, &t);
        hq_batch_service(&b, &v);
        hq_batch_event(&b, i, i, "", "ticket.issued", "{}");
        struct hq_batch *bs[1] = {&b};
        int rc = s->vt->commit(s, bs, 1, &why);
        hq_batch_release(&b);
        if (rc != 0) break;
        wa->committed = i;
    }
    hq_store_close(s);
    return NULL;
}

/* A backup is a consistent snapshot: tickets == events == the service's seq. */
static void check_snapshot(const char *path, int min_count)
{
    struct hq_store *s = open_ok(path);
    struct hq_hall h;
    int64_t last;
    load_ok(s, &h, 0, &last);
    assert_true(last >= min_count);
    assert_int_equal((int64_t)h.n_tickets, last);
    if (last > 0) assert_int_equal(hq_service_find(&h, "A")->seq, last);
    hq_hall_release(&h);
    hq_store_close(s);
}

static void test_backup_while_writing(void **state)
{
    struct fx *fx = *state;
    char bk[160];
    snprintf(bk, sizeof bk, "%s/backup.db", fx->dir);
    struct hq_store *s = open_ok(fx->db); /* creates the schema before the writer starts */
    struct writer_arg wa = {fx->db, 0, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, writer_thread, &wa), 0);
    while (wa.committed < 20)
        usleep(1000);
    int before = 0;
    for (int round = 0; round < 5; round++) {
        struct hq_why why = {0};
        before = wa.committed;
        int rc = s->vt->backup(s, bk, &why);
        if (rc != 0) fail_msg("backup: %s", why.message);
        check_snapshot(bk, before);
        usleep(5000);
    }
    wa.stop = 1;
    pthread_join(th, NULL);
    assert_true(wa.committed > before);
    /* the backup is one self-contained file */
    char side[200];
    snprintf(side, sizeof side, "%s-wal", bk);
    assert_int_equal(access(side, F_OK), -1);
    hq_store_close(s);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_restore(void **state)
{
    struct fx *fx = *state;
    char bk[160], junk[160], foreign[160], side[300];
    struct hq_why why = {0};
    snprintf(bk, sizeof bk, "%s/backup.db", fx->dir);
    snprintf(junk, sizeof junk, "%s/junk.db", fx->dir);
    snprintf(foreign, sizeof foreign, "%s/foreign.db", fx->dir);

    /* The live database: tickets 1..3; the backup taken at 2. */
    struct hq_store *s = open_ok(fx->db);
    for (int i = 1; i <= 3; i++) {
        struct hq_batch b;
        struct hq_ticket t;
        struct hq_service v;
        hq_batch_init(&b);
        make_ticket(&t, i, "A", DAY, i);
        make_service(&v, "A", i);
        hq_batch_ticket(&b, &t);
        hq_batch_service(&b, &v);
        hq_batch_event(&b, i, i, "", "ticket.issued", "{}");
        commit_ok(s, &b);
        hq_batch_release(&b);
        if (i == 2) assert_int_equal(s->vt->backup(s, bk, &why), 0);
    }
    hq_store_close(s);

    /* Not a database, a database that is not ours, nothing at all: refused, dst untouched. */
    write_file(junk, "this is not a database, only some text that is long enough to look like "
                     "one for a moment ..............................................\n");
    assert_int_equal(hq_store_restore(junk, fx->db, &why), HQ_EINVAL);
    assert_true(strlen(why.message) > 0);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(foreign, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1)", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(hq_store_restore(foreign, fx->db, &why), HQ_EINVAL);
    assert_non_null(strstr(why.message, "not a hallq database"));
    char missing[200];
    snprintf(missing, sizeof missing, "%s/missing.db", fx->dir);
    assert_int_equal(hq_store_restore(missing, fx->db, &why), HQ_EINVAL);
    check_snapshot(fx->db, 3);
    struct hq_store *t = open_ok(fx->db);
    struct hq_hall h;
    int64_t last;
    load_ok(t, &h, 0, &last);
    assert_int_equal(last, 3);
    hq_hall_release(&h);
    hq_store_close(t);

    /* Leave a stale -wal beside the destination, as a crashed server would. */
    snprintf(side, sizeof side, "%s-wal", fx->db);
    write_file(side, "stale");
    assert_int_equal(hq_store_restore(bk, fx->db, &why), 0);
    assert_int_equal(access(side, F_OK), -1);
    t = open_ok(fx->db);
    load_ok(t, &h, 0, &last);
    assert_int_equal(last, 2);
    assert_int_equal(h.n_tickets, 2);
    assert_int_equal(hq_service_find(&h, "A")->seq, 2);
    hq_hall_release(&h);
    hq_store_close(t);
    /* Restoring to a path where nothing was before works too. */
    char fresh[200];
    snprintf(fresh, sizeof fresh, "%s/fresh.db", fx->dir);
    assert_int_equal(hq_store_restore(bk, fresh, &why), 0);
    check_snapshot(fresh, 2);
    /* the opened foreign database is refused by open as well */
    assert_null(hq_store_open(foreign, &why));
    assert_int_equal(why.code, HQ_ESTORE);
}

/* ---- migrations ---- */

static int pragma_int(const char *path, const char *pragma)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int v = -1;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, pragma, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void test_migrations_idempotent(void **state)
{
    struct fx *fx = *state;
    struct hq_store *s = open_ok(fx->db);
    struct hq_batch b;
    struct hq_service v;
    hq_batch_init(&b);
    make_service(&v, "Q", 9);
    hq_batch_service(&b, &v);
    commit_ok(s, &b);
    hq_batch_release(&b);
    hq_store_close(s);
    for (int i = 0; i < 3; i++) {
        s = open_ok(fx->db);
        hq_store_close(s);
    }
    assert_int_equal(pragma_int(fx->db, "PRAGMA user_version"), HQ_SCHEMA_VERSION);
    assert_int_equal(pragma_int(fx->db, "PRAGMA application_id"), 0x686c7131);
    assert_int_equal(pragma_int(fx->db, "SELECT count(*) FROM sqlite_schema WHERE type='table'"),
                     7);
    assert_int_equal(pragma_int(fx->db, "SELECT seq FROM services WHERE code='Q'"), 9);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
    char *mode = NULL;
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    mode = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    assert_string_equal(mode, "wal");
    free(mode);
    /* A file from a newer hallq is refused, not downgraded. */
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    struct hq_why why = {0};
    assert_null(hq_store_open(fx->db, &why));
    assert_non_null(strstr(why.message, "newer"));
}

/* A schema-2 file (before the issue sequence, one range of hours a day) opens: migration 3 gives
 * existing tickets their rowid as issue sequence and no stored estimate, and the old hours form is
 * still read; a past ticket is found by id. */
static void test_migration_3(void **state)
{
    struct fx *fx = *state;
    struct hq_store *s = open_ok(fx->db);
    struct hq_batch b;
    struct hq_service v;
    struct hq_ticket t;
    hq_batch_init(&b);
    make_service(&v, "A", 3);
    hq_batch_service(&b, &v);
    for (int i = 0; i < 3; i++) {
        make_ticket(&t, i, "A", DAY - 1, i + 1);
        t.status = HQ_DONE;
        hq_batch_ticket(&b, &t);
    }
    commit_ok(s, &b);
    hq_batch_release(&b);
    hq_store_close(s);
    /* back to schema 2 by hand */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "DROP INDEX tickets_iseq;"
                                  "ALTER TABLE tickets DROP COLUMN iseq;"
                                  "ALTER TABLE tickets DROP COLUMN est_wait_s;"
                                  "UPDATE services SET hours = '{\"on\":true,\"open\":[-1,510,510,"
                                  "510,510,510,-1],\"close\":[-1,1050,1050,1050,1050,1050,-1]}';"
                                  "PRAGMA user_version=2;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    s = open_ok(fx->db);
    assert_int_equal(pragma_int(fx->db, "PRAGMA user_version"), HQ_SCHEMA_VERSION);
    struct hq_hall h;
    hq_hall_init(&h);
    int64_t last;
    load_ok(s, &h, DAY - 1, &last);
    assert_int_equal(h.n_tickets, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(h.tickets[i].iseq, (int64_t)i + 1);
        assert_int_equal(h.tickets[i].est_wait_s, -1);
    }
    assert_int_equal(h.issue_seq, 3);
    const struct hq_service *a = hq_service_find(&h, "A");
    assert_true(a->hours.has_hours);
    assert_int_equal(a->hours.n[0], 0);
    assert_int_equal(a->hours.n[1], 1);
    assert_int_equal(a->hours.open[1][0], 510);
    assert_int_equal(a->hours.close[1][0], 1050);
    /* the issue sequence is rebuilt from every stored ticket, also those not loaded */
    hq_hall_release(&h);
    hq_hall_init(&h);
    load_ok(s, &h, DAY + 5, &last);
    assert_int_equal(h.n_tickets, 0);
    assert_int_equal(h.issue_seq, 3);
    hq_hall_release(&h);
    /* one ticket by id, of any day */
    char id[HQ_ID_LEN + 1];
    snprintf(id, sizeof id, "%032x", 2);
    assert_int_equal(s->vt->ticket_get(s, id, &t), 0);
    assert_string_equal(t.number, "A002");
    assert_int_equal(t.iseq, 2);
    assert_int_equal(s->vt->ticket_get(s, "nosuchticket", &t), HQ_ENOTFOUND);
    hq_store_close(s);
}

static void test_open_errors(void **state)
{
    struct fx *fx = *state;
    struct hq_why why = {0};
    char path[200];
    assert_null(hq_store_open("postgresql://u@127.0.0.1:1/none?connect_timeout=1", &why));
    assert_int_equal(why.code, HQ_ESTORE);
    memset(&why, 0, sizeof why);
    snprintf(path, sizeof path, "%s/no/such/dir/x.db", fx->dir);
    assert_null(hq_store_open(path, &why));
    assert_int_equal(why.code, HQ_ESTORE);
    assert_null(hq_store_open("", &why));
    snprintf(path, sizeof path, "%s/text.db", fx->dir);
    write_file(path, "hello, I am a text file and not a database at all, sorry about that......"
                     "...........................................................\n");
    assert_null(hq_store_open(path, &why));
    assert_int_equal(why.code, HQ_ESTORE);
    hq_store_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_rewritten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ticket_life, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_filter_and_between, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbering_and_recent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fault_at_every_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_constraint_failure_rolls_back_group, setup, teardown),
        cmocka_unit_test(test_batch_refuses_bad_input),
        cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_docs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_beside_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_while_writing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrations_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_3, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
