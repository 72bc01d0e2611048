/* SPDX-License-Identifier: MIT */
/*
 * cmd_check.c — `hallq check --db FILE`: SQLite's full integrity check of the database (every
 * page, every index against its table), each problem printed; exit 0 when the file is sound, 1
 * when it is damaged or cannot be read. `hallq serve` runs only the quicker, bounded quick check
 * at start; this is the thorough one, best run with the server stopped or on a backup.
 */
#include <stdio.h>

#include "cli_opts.h"
#include "hq_cli.h"
#include "store/hq_store.h"

static void print_problem(void *ctx, const char *problem)
{
    (void)ctx;
    printf("  %s\n", problem);
}

int cmd_check(int argc, char **argv)
{
    static const char *const allowed[] = {"db", NULL};
    struct hq_opts o;
    if (hq_opts_parse(&o, argc, argv, allowed, "check")) return 2;
    if (o.help) {
        printf("usage: hallq check --db FILE\n\n"
               "Run SQLite's full integrity check on the database FILE (every page, every index\n"
               "against its table) and print what it finds. Exit status 0 when the file is\n"
               "sound, 1 when it is damaged or cannot be read: then restore the latest backup\n"
               "with `hallq restore --db FILE BACKUP-FILE` (server stopped). `hallq serve` runs\n"
               "the quicker quick check at every start (--check-seconds).\n");
        return 0;
    }
    const char *db = hq_opt(&o, "db", NULL);
    if (!db || o.n_positional) {
        fprintf(stderr, "hallq check: usage: hallq check --db FILE\n");
        return 2;
    }
    if (hq_cli_db_existing("check", db)) return 1;
    struct hq_why why = {0};
    int rc = hq_store_check(db, true, 0, print_problem, NULL, &why);
    if (rc != 0) {
        fprintf(stderr,
                "hallq check: %s\nRestore the latest backup with `hallq restore --db %s "
                "BACKUP-FILE` (the server stopped).\n",
                why.message, db);
        return 1;
    }
    printf("hallq: %s is sound (integrity check ok)\n", db);
    return 0;
}
