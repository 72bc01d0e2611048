/* SPDX-License-Identifier: MIT */
/*
 * cmd_report.c — `hallq report --db FILE [--date D | --from D --to D] --format csv|xlsx|pdf|json
 * --out FILE`: the statistics report of a day or a period (docs/STATS.md), the same bytes as GET
 * /api/v1/reports/day.{csv,xlsx,pdf}. Reads the database only (safe while the server runs). The
 * file is written beside its destination and renamed, so it appears whole or not at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/hq_app.h"
#include "cli_opts.h"
#include "hq_cli.h"

int cmd_report(int argc, char **argv)
{
    static const char *const allowed[] = {"db", "date", "from", "to", "format", "out", NULL};
    struct hq_opts o;
    if (hq_opts_parse(&o, argc, argv, allowed, "report")) return 2;
    if (o.help) {
        printf("usage: hallq report --db FILE [--date YYYY-MM-DD | --from D --to D]\n"
               "                    --format csv|xlsx|pdf|json --out FILE\n\n"
               "The statistics report of a day (default today) or a period of up to 366 days:\n"
               "tickets issued, served, no-shows; waiting and service times (mean, median, 90th\n"
               "percentile, share within the hall's target); satisfaction (rate with its 95%%\n"
               "interval, index); per service, window, clerk (scorecards) and hour; every\n"
               "evaluation. csv is UTF-8 with a BOM (Excel), xlsx has one sheet per section,\n"
               "pdf is A4 with charts, json is the answer of GET /api/v1/stats. --out - writes\n"
               "to stdout. Reads the database only. Exit: 0 ok, 1 failure, 2 usage error.\n");
        return 0;
    }
    const char *db = hq_opt(&o, "db", NULL);
    const char *format = hq_opt(&o, "format", NULL);
    const char *out = hq_opt(&o, "out", NULL);
    const char *date = hq_opt(&o, "date", NULL);
    const char *from = hq_opt(&o, "from", date);
    const char *to = hq_opt(&o, "to", date);
    if (!db || !format || !out) {
        fprintf(stderr, "hallq report: --db FILE, --format and --out FILE are required\n");
        return 2;
    }
    if (date && (hq_opt(&o, "from", NULL) || hq_opt(&o, "to", NULL))) {
        fprintf(stderr, "hallq report: --date or --from/--to, not both\n");
        return 2;
    }
    if (strcmp(format, "csv") && strcmp(format, "xlsx") && strcmp(format, "pdf") &&
        strcmp(format, "json")) {
        fprintf(stderr, "hallq report: --format: csv, xlsx, pdf or json, not '%s'\n", format);
        return 2;
    }
    if (hq_cli_db_existing("report", db)) return 1;
    unsigned char *data = NULL;
    size_t len = 0;
    struct hq_why why = {0};
    int rc = hq_report_from_db(db, from, to, format, &data, &len, &why);
    if (rc) {
        fprintf(stderr, "hallq report: %s%s%s\n", why.field[0] ? why.field : "",
                why.field[0] ? ": " : "", why.message);
        return rc == HQ_EINVAL ? 2 : 1;
    }
    rc = hq_cli_write_out(out, data, len);
    free(data);
    if (rc) {
        fprintf(stderr, "hallq report: cannot write %s\n", out);
        return 1;
    }
    if (strcmp(out, "-") != 0) fprintf(stderr, "hallq report: wrote %s (%zu bytes)\n", out, len);
    return 0;
}
