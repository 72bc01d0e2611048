/* SPDX-License-Identifier: MIT */
/*
 * cmd_compliance.c — `hallq compliance --db FILE --from D --to D [--format text|json|pdf]
 * [--out FILE]`: the compliance report of a period (docs/COMPLIANCE.md), the same report as GET
 * /api/v1/compliance: one entry per clause of DB13/T 1760-2013 that the hall's records can speak
 * to, with figures, a verdict and the records behind it. Reads the database only (safe while the
 * server runs) and writes the report to --out (written beside it and renamed) or stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/hq_compliance.h"
#include "cli_opts.h"
#include "hq_cli.h"

int cmd_compliance(int argc, char **argv)
{
    static const char *const allowed[] = {"db", "from", "to", "format", "out", NULL};
    struct hq_opts o;
    if (hq_opts_parse(&o, argc, argv, allowed, "compliance")) return 2;
    if (o.help) {
        printf("usage: hallq compliance --db FILE --from YYYY-MM-DD --to YYYY-MM-DD\n"
               "                        [--format text|json|pdf] [--out FILE]\n\n"
               "The compliance report of a period (at most 366 days) against DB13/T 1760-2013:\n"
               "per clause the records can speak to (4.7, 5.2.5, 5.3.6, 8.2.2, 8.2.4, 9.1.1,\n"
               "6.2/9.1 …) the figures, a verdict (met, partly_met, not_met, no_data) and the\n"
               "records behind it; the thresholds used are stated. text (default) and json go\n"
               "to stdout unless --out; pdf needs --out. Exit: 0 ok, 1 failure, 2 usage error.\n");
        return 0;
    }
    const char *db = hq_opt(&o, "db", NULL);
    const char *from = hq_opt(&o, "from", NULL), *to = hq_opt(&o, "to", NULL);
    const char *format = hq_opt(&o, "format", "text");
    const char *out = hq_opt(&o, "out", NULL);
    if (!db || !from || !to) {
        fprintf(stderr, "hallq compliance: --db FILE, --from and --to are required\n");
        return 2;
    }
    if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "pdf")) {
        fprintf(stderr, "hallq compliance: --format: text, json or pdf, not '%s'\n", format);
        return 2;
    }
    if (strcmp(format, "pdf") == 0 && (!out || strcmp(out, "-") == 0) && isatty(1)) {
        fprintf(stderr, "hallq compliance: --format pdf needs --out FILE\n");
        return 2;
    }
    if (hq_cli_db_existing("compliance", db)) return 1;
    struct hq_why why = {0};
    json_t *r = NULL;
    int rc = hq_compliance_from_db(db, from, to, &r, &why);
    unsigned char *data = NULL;
    size_t len = 0;
    if (rc == 0) rc = hq_compliance_render(r, format, &data, &len, &why);
    json_decref(r);
    if (rc) {
        fprintf(stderr, "hallq compliance: %s%s%s\n", why.field[0] ? why.field : "",
                why.field[0] ? ": " : "", why.message);
        return rc == HQ_EINVAL ? 2 : 1;
    }
    rc = hq_cli_write_out(out, data, len);
    free(data);
    if (rc) {
        fprintf(stderr, "hallq compliance: cannot write %s\n", out ? out : "stdout");
        return 1;
    }
    if (out && strcmp(out, "-") != 0)
        fprintf(stderr, "hallq compliance: wrote %s (%zu bytes)\n", out, len);
    return 0;
}
