/* SPDX-License-Identifier: MIT */
/*
 * cli_db.c — the database checks the commands share before they open a hall. Only `hallq init`
 * and `hallq demo` create a database; every other command refuses a SQLite path that does not
 * exist or is an empty file (a typo in --db would otherwise serve an empty hall with no admin),
 * and `hallq serve` refuses a file that fails SQLite's quick check (see hq_cli_db_quick_check).
 * PostgreSQL URLs are left to the store.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hq_cli.h"
#include "store/hq_store.h"

static bool is_pg(const char *db)
{
    return strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0;
}

int hq_cli_db_existing(const char *cmd, const char *db)
{
    if (is_pg(db)) return 0;
    const char *path = strncmp(db, "sqlite://", 9) == 0 ? db + 9 : db;
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            fprintf(stderr,
                    "hallq %s: %s does not exist. Create a hall with `hallq init --db %s` (or "
                    "`hallq demo --db %s`), or give the path of an existing database.\n",
                    cmd, path, path, path);
        else
            fprintf(stderr, "hallq %s: cannot use %s: %s\n", cmd, path, strerror(errno));
        return 1;
    }
    if (!S_ISREG(st.st_mode)) {
        fprintf(stderr, "hallq %s: %s is not a regular file\n", cmd, path);
        return 1;
    }
    if (st.st_size == 0) {
        fprintf(stderr,
                "hallq %s: %s is an empty file (0 bytes), not a hallq database. Create a hall "
                "with `hallq init --db %s`, or restore a backup with `hallq restore --db %s "
                "BACKUP`.\n",
                cmd, path, path, path);
        return 1;
    }
    return 0;
}

int hq_cli_db_quick_check(const char *cmd, const char *db, int limit_s)
{
    if (limit_s <= 0) return 0;
    struct hq_why why = {0};
    int rc = hq_store_check(db, false, limit_s * 1000, NULL, NULL, &why);
    if (rc == 1) {
        fprintf(stderr,
                "hallq %s: warning: %s; serving without it (run `hallq check --db %s` with the "
                "server stopped)\n",
                cmd, why.message, db);
        return 0;
    }
    if (rc == 0) return 0;
    fprintf(stderr,
            "hallq %s: refusing to serve %s: %s.\n"
            "Restore the latest backup with `hallq restore --db %s BACKUP-FILE` (the server "
            "stopped), then start again; `hallq check --db %s` lists every problem.\n",
            cmd, db, why.message, db, db);
    return 1;
}
