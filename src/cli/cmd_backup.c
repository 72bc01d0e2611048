/* SPDX-License-Identifier: MIT */
/* cmd_backup.c — `hallq backup --db DB FILE`: an online copy of the database, safe while serving.
 */
#include <stdio.h>

#include "cli_opts.h"
#include "hq_cli.h"
#include "store/hq_store.h"

int cmd_backup(int argc, char **argv)
{
    static const char *const allowed[] = {"db", NULL};
    struct hq_opts o;
    if (hq_opts_parse(&o, argc, argv, allowed, "backup")) return 2;
    if (o.help) {
        printf("usage: hallq backup --db DB FILE\n\nCopy the database DB to FILE while hallq may "
               "be serving it (SQLite online backup).\n");
        return 0;
    }
    const char *db = hq_opt(&o, "db", NULL);
    if (!db || o.n_positional != 1) {
        fprintf(stderr, "hallq backup: usage: hallq backup --db DB FILE\n");
        return 2;
    }
    if (hq_cli_db_existing("backup", db)) return 1;
    struct hq_why why = {0};
    struct hq_store *s = hq_store_open(db, &why);
    if (!s) {
        fprintf(stderr, "hallq backup: cannot open %s: %s\n", db, why.message);
        return 1;
    }
    int rc = s->vt->backup(s, o.positional[0], &why);
    hq_store_close(s);
    if (rc) {
        fprintf(stderr, "hallq backup: %s\n", why.message);
        return 1;
    }
    printf("hallq: backed up %s to %s\n", db, o.positional[0]);
    return 0;
}
