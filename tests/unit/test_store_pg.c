/* SPDX-License-Identifier: MIT */
/*
 * test_store_pg.c — the PostgreSQL back end against a real PostgreSQL 15 started for the test:
 * initdb in a temporary directory (as the postgres user when run as root, since initdb refuses
 * root), a server on 127.0.0.1 and a free port, one fresh schema per test. It runs the same
 * interface tests as SQLite (test_store_common.h), then what is PostgreSQL's own: concurrent first
 * opens race for the migration, a dropped connection is reset on the next call, backup is refused,
 * an unreachable server is a clean HQ_ESTORE. Skips (exit 0, saying why) only when the PostgreSQL
 * binaries are not installed.
 */
#define STORE_BACKEND "postgresql"
#include "test_store_common.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define PG_BIN "/usr/lib/postgresql/15/bin"

static struct {
    char dir[64];
    char base_url[128];
    char as[48]; /* "runuser -u postgres -- " when root */
    int port;
    int next_db;
    bool up;
} srv;

static int free_port(void)
{
    struct sockaddr_in a = {0};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0) close(fd);
    return port;
}

static int sh(const char *cmd)
{
    int rc = system(cmd);
    if (rc != 0) fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
    return rc;
}

static void server_stop(void)
{
    char cmd[512];
    if (srv.up) {
        snprintf(cmd, sizeof cmd, "%s" PG_BIN "/pg_ctl -D %s/data -m fast -w stop >/dev/null",
                 srv.as, srv.dir);
        sh(cmd);
        srv.up = false;
    }
    if (srv.dir[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf %s", srv.dir);
        sh(cmd);
    }
}

static int server_start(void)
{
    char cmd[1024];
    snprintf(srv.dir, sizeof srv.dir, "/tmp/hq-pg-XXXXXX");
    if (!mkdtemp(srv.dir)) return -1;
    if (geteuid() == 0) {
        struct passwd *pw = getpwnam("postgres");
        if (!pw || chown(srv.dir, pw->pw_uid, pw->pw_gid) != 0) {
            fprintf(stderr, "running as root and there is no postgres user to run initdb\n");
            return -1;
        }
        snprintf(srv.as, sizeof srv.as, "runuser -u postgres -- ");
    }
    chmod(srv.dir, 0700);
    snprintf(cmd, sizeof cmd,
             "%s" PG_BIN "/initdb -D %s/data -A trust -U postgres -E UTF8 --locale=C --no-sync "
             ">%s/initdb.log 2>&1",
             srv.as, srv.dir, srv.dir);
    if (sh(cmd) != 0) return -1;
    for (int attempt = 0; attempt < 3 && !srv.up; attempt++) {
        srv.port = free_port();
        snprintf(cmd, sizeof cmd,
                 "%s" PG_BIN "/pg_ctl -D %s/data -l %s/server.log -w -t 30 -o "
                 "\"-h 127.0.0.1 -p %d -k %s -c fsync=on -c synchronous_commit=on\" start "
                 ">/dev/null",
                 srv.as, srv.dir, srv.dir, srv.port, srv.dir);
        srv.up = sh(cmd) == 0;
    }
    if (!srv.up) return -1;
    snprintf(srv.base_url, sizeof srv.base_url, "postgresql://postgres@127.0.0.1:%d", srv.port);
    return 0;
}

/* A fresh schema for each test (cheaper than a database: no checkpoint, no template copy); fx->db
 * is a URL whose search_path puts the store's tables there. */
static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof *fx);
    char url[200], sql[64];
    assert_non_null(fx);
    snprintf(url, sizeof url, "%s/postgres", srv.base_url);
    PGconn *c = PQconnectdb(url);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    snprintf(sql, sizeof sql, "CREATE SCHEMA hq_t%d", ++srv.next_db);
    PGresult *r = PQexec(c, sql);
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    PQfinish(c);
    snprintf(fx->db, sizeof fx->db, "%s/postgres?options=-c%%20search_path%%3Dhq_t%d", srv.base_url,
             srv.next_db);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static int scalar(const char *url, const char *sql)
{
    PGconn *c = PQconnectdb(url);
    int v = -1;
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) v = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    PQfinish(c);
    return v;
}

struct opener {
    const char *url;
    int ok;
};

static void *open_thread(void *p)
{
    struct opener *o = p;
    struct hq_why why = {0};
    struct hq_store *s = hq_store_open(o->url, &why);
    o->ok = s != NULL;
    if (!s) fprintf(stderr, "open: %s\n", why.message);
    hq_store_close(s);
    return NULL;
}

static void test_pg_migrations(void **state)
{
    struct fx *fx = *state;
    /* Four servers starting at once on an empty database: one migrates, the others wait. */
    pthread_t th[4];
    struct opener o[4];
    for (int i = 0; i < 4; i++) {
        o[i].url = fx->db;
        o[i].ok = 0;
        assert_int_equal(pthread_create(&th[i], NULL, open_thread, &o[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_true(o[i].ok);
    }
    struct hq_store *s = open_ok(fx->db);
    assert_string_equal(s->vt->name, "postgresql");
    hq_store_close(s);
    assert_int_equal(scalar(fx->db, "SELECT max(version) FROM hallq_schema"), HQ_SCHEMA_VERSION);
    assert_int_equal(scalar(fx->db, "SELECT count(*) FROM hallq_schema"), 1);
    assert_int_equal(scalar(fx->db, "SELECT count(*) FROM information_schema.tables"
                                    " WHERE table_schema = current_schema()"),
                     8);
    /* A database from a newer hallq is refused. */
    PGconn *c = PQconnectdb(fx->db);
    PQclear(PQexec(c, "UPDATE hallq_schema SET version = 99"));
    PQfinish(c);
    struct hq_why why = {0};
    assert_null(hq_store_open(fx->db, &why));
    assert_non_null(strstr(why.message, "newer"));
}

static void test_pg_reconnect(void **state)
{
    struct fx *fx = *state;
    struct hq_store *s = open_ok(fx->db);
    struct hq_batch b;
    struct hq_why why = {0};
    struct hq_batch *bs[1] = {&b};
    hq_batch_init(&b);
    hq_batch_event(&b, 1, 1, "", "a.b", "{}");
    commit_ok(s, &b);
    hq_batch_release(&b);
    /* Someone (a restart, a DBA) ends our session. */
    assert_true(scalar(fx->db,
                       "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                       " WHERE datname = current_database() AND pid <> pg_backend_pid()") >= 1);
    hq_batch_init(&b);
    hq_batch_event(&b, 2, 2, "", "a.b", "{}");
    int rc = s->vt->commit(s, bs, 1, &why);
    if (rc != 0) { /* the first call may find the connection gone; the next one resets it */
        assert_int_equal(rc, HQ_ESTORE);
        assert_true(strlen(why.message) > 0);
        assert_int_equal(s->vt->commit(s, bs, 1, &why), 0);
    }
    hq_batch_release(&b);
    struct hq_hall h;
    int64_t last;
    load_ok(s, &h, 0, &last);
    assert_int_equal(last, 2);
    hq_hall_release(&h);
    /* backup belongs to pg_dump */
    assert_int_equal(s->vt->backup(s, "/tmp/nowhere.db", &why), HQ_EINVAL);
    hq_store_close(s);
}

static void test_pg_unreachable(void **state)
{
    (void)state;
    char url[128];
    struct hq_why why = {0};
    snprintf(url, sizeof url, "postgresql://postgres@127.0.0.1:%d/x?connect_timeout=2",
             free_port());
    assert_null(hq_store_open(url, &why));
    assert_int_equal(why.code, HQ_ESTORE);
    assert_non_null(strstr(why.message, "cannot connect"));
    assert_int_not_equal(why.message[strlen(why.message) - 1], '\n');
}

int main(void)
{
    if (access(PG_BIN "/initdb", X_OK) != 0 || access(PG_BIN "/pg_ctl", X_OK) != 0) {
        printf("SKIP test_store_pg: PostgreSQL 15 is not installed (%s/initdb not found)\n",
               PG_BIN);
        return 0;
    }
    if (server_start() != 0) {
        fprintf(stderr, "cannot start PostgreSQL (logs in %s)\n", srv.dir);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_rewritten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ticket_life, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_filter_and_between, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbering_and_recent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_constraint_failure_rolls_back_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_docs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_beside_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_migrations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_reconnect, setup, teardown),
        cmocka_unit_test(test_pg_unreachable),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    server_stop();
    return rc;
}
