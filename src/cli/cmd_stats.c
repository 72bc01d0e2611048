/* SPDX-License-Identifier: MIT */
/*
 * cmd_stats.c — `hallq stats --db FILE [--from D --to D] [--full-scan | --rebuild-rollups]`:
 * the statistics of a period as GET /api/v1/stats answers them, printed as JSON; with
 * --full-scan computed from every ticket row (the reference the daily rollups are checked
 * against); with --rebuild-rollups the daily rollup documents of the closed days written again
 * from the rows (docs/STATS.md "Rollups"). Safe while the server runs (SQLite WAL).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/hq_app.h"
#include "app/stats_rollup.h"
#include "cli_opts.h"
#include "hq_cli.h"

int cmd_stats(int argc, char **argv)
{
    static const char *const allowed[] = {"db", "from", "to", "full-scan!", "rebuild-rollups!",
                                          NULL};
    struct hq_opts o;
    if (hq_opts_parse(&o, argc, argv, allowed, "stats")) return 2;
    if (o.help) {
        printf("usage: hallq stats --db FILE [--from YYYY-MM-DD --to YYYY-MM-DD]\n"
               "                   [--full-scan | --rebuild-rollups]\n\n"
               "Prints the statistics of a period (default today) as GET /api/v1/stats answers\n"
               "them. Closed days (before yesterday) come from daily rollups, made from the rows\n"
               "on first use. --full-scan computes from every ticket row instead (the reference).\n"
               "--rebuild-rollups writes the rollups of the closed days again (default: the last\n"
               "400 days) and prints how many. Exit: 0 ok, 1 failure, 2 usage error.\n");
        return 0;
    }
    const char *db = hq_opt(&o, "db", NULL);
    const char *from = hq_opt(&o, "from", NULL), *to = hq_opt(&o, "to", NULL);
    bool full = hq_opt(&o, "full-scan", NULL) != NULL;
    bool rebuild = hq_opt(&o, "rebuild-rollups", NULL) != NULL;
    if (!db) {
        fprintf(stderr, "hallq stats: --db FILE is required\n");
        return 2;
    }
    if (full && rebuild) {
        fprintf(stderr, "hallq stats: --full-scan or --rebuild-rollups, not both\n");
        return 2;
    }
    if (hq_cli_db_existing("stats", db)) return 1;
    struct hq_why why = {0};
    int rc;
    if (rebuild) {
        int days = 0;
        rc = hq_stats_rebuild_rollups(db, from, to, &days, &why);
        if (rc == 0) printf("%d days\n", days);
    } else {
        unsigned char *data = NULL;
        size_t len = 0;
        int read_days[2] = {0, 0};
        rc = hq_stats_from_db(db, from, to, full, read_days, &data, &len, &why);
        if (rc == 0) {
            fwrite(data, 1, len, stdout);
            putchar('\n');
            if (!full)
                fprintf(stderr, "hallq stats: %d days from rollups, %d from rows\n", read_days[0],
                        read_days[1]);
        }
        free(data);
    }
    if (rc) {
        fprintf(stderr, "hallq stats: %s%s%s\n", why.field[0] ? why.field : "",
                why.field[0] ? ": " : "", why.message);
        return rc == HQ_EINVAL ? 2 : 1;
    }
    return 0;
}
