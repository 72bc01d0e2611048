/* SPDX-License-Identifier: MIT */
/*
 * bench_sqlite.c — raw SQLite durable commits per second on a given disk, the yardstick for the
 * server's figures (docs/PERFORMANCE.md): WAL, synchronous=FULL, one single-row INSERT per
 * transaction, as many as fit in the given number of seconds. Also times the same with 100 rows
 * per transaction, to show what group commit can gain.
 *
 *   bench_sqlite DIR [SECONDS]   prints "sqlite_commits_per_s N" and "sqlite_rows_per_s_batch100 N"
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "bench_sqlite: %s: %s\n", sql, err ? err : "?");
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

/* Insert rows in transactions of `per_tx` rows for `seconds`; returns rows per second or -1. */
static double run(sqlite3 *db, sqlite3_stmt *ins, int per_tx, double seconds)
{
    double t0 = now_s(), t = t0;
    long rows = 0;
    while (t - t0 < seconds) {
        if (exec(db, "BEGIN") != 0) return -1;
        for (int i = 0; i < per_tx; i++) {
            sqlite3_bind_int64(ins, 1, rows);
            sqlite3_bind_text(ins, 2, "{\"type\":\"ticket.issued\",\"number\":\"A001\"}", -1,
                              SQLITE_STATIC);
            if (sqlite3_step(ins) != SQLITE_DONE) {
                fprintf(stderr, "bench_sqlite: insert: %s\n", sqlite3_errmsg(db));
                return -1;
            }
            sqlite3_reset(ins);
            rows++;
        }
        if (exec(db, "COMMIT") != 0) return -1;
        t = now_s();
    }
    return (double)rows / (t - t0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_sqlite DIR [SECONDS]\n");
        return 2;
    }
    double seconds = argc > 2 ? atof(argv[2]) : 3.0;
    char path[4096];
    snprintf(path, sizeof path, "%s/bench-sqlite-%ld.db", argv[1], (long)getpid());
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        fprintf(stderr, "bench_sqlite: cannot open %s\n", path);
        return 1;
    }
    sqlite3_stmt *ins = NULL;
    int rc = 1;
    if (exec(db, "PRAGMA journal_mode=WAL") || exec(db, "PRAGMA synchronous=FULL") ||
        exec(db, "CREATE TABLE ev(seq INTEGER PRIMARY KEY, at INTEGER, data TEXT)"))
        goto out;
    if (sqlite3_prepare_v2(db, "INSERT INTO ev(at, data) VALUES(?, ?)", -1, &ins, NULL) !=
        SQLITE_OK)
        goto out;
    double single = run(db, ins, 1, seconds);
    double batch = run(db, ins, 100, seconds);
    if (single < 0 || batch < 0) goto out;
    printf("sqlite_commits_per_s %.0f\n", single);
    printf("sqlite_rows_per_s_batch100 %.0f\n", batch);
    rc = 0;
out:
    sqlite3_finalize(ins);
    sqlite3_close(db);
    char side[4200];
    remove(path);
    snprintf(side, sizeof side, "%s-wal", path);
    remove(side);
    snprintf(side, sizeof side, "%s-shm", path);
    remove(side);
    return rc;
}
