/* SPDX-License-Identifier: MIT */
/* cmd_restore.c — `hallq restore --db DB FILE`: replace the database with a backup (server
 * stopped). */
#include <stdio.h>

#include "cli_opts.h"
#include "hq_cli.h"
#include "store/hq_store.h"

int cmd_restore(int argc, char **argv)
{
    static const char *const allowed[] = {"db", NULL};
    struct hq_opts o;
    if (hq_opts_parse(&o, argc, argv, allowed, "restore")) return 2;
    if (o.help) {
        printf("usage: hallq restore --db DB FILE\n\nReplace the database DB with the backup FILE "
               "(checked first). Stop the server before.\n");
        return 0;
    }
    const char *db = hq_opt(&o, "db", NULL);
    if (!db || o.n_positional != 1) {
        fprintf(stderr, "hallq restore: usage: hallq restore --db DB FILE\n");
        return 2;
    }
    struct hq_why why = {0};
    if (hq_store_restore(o.positional[0], db, &why) != 0) {
        fprintf(stderr, "hallq restore: %s\n", why.message);
        return 1;
    }
    printf("hallq: restored %s from %s\n", db, o.positional[0]);
    return 0;
}
