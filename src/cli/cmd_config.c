/* SPDX-License-Identifier: MIT */
/*
 * cmd_config.c — `hallq config export|import`: a hall's set-up as one JSON file (uc_config_io.c),
 * so a second hall starts from the first one's. Export writes it to --out or stdout; import reads
 * --file, prints what it would change (created, updated, unchanged) and, unless --dry-run, applies
 * all of it or nothing. Run it with the server stopped, or use the admin page (the same use case
 * over HTTP) while it runs.
 */
#include <stdio.h>
#include <string.h>

#include "app/hq_app.h"
#include "cli_opts.h"
#include "hq_cli.h"

static void usage(FILE *f)
{
    fprintf(
        f, "usage: hallq config export --db FILE [--out FILE.json]\n"
           "       hallq config import --db FILE --file FILE.json [--dry-run]\n\n"
           "Export the hall's set-up (hall, hours, public information, services, windows, staff\n"
           "with certifications; never passwords, devices or customers) as JSON, or import one:\n"
           "import prints each change (create, update, unchanged) and applies all of it or\n"
           "nothing; --dry-run only prints. Staff created by an import need a password set on the\n"
           "admin page before they can sign in. Run it with the server stopped.\n");
}

int cmd_config(int argc, char **argv)
{
    static const char *const allowed[] = {"db", "out", "file", "dry-run!", NULL};
    struct hq_opts o;
    if (hq_opts_parse(&o, argc, argv, allowed, "config")) return 2;
    if (o.help) {
        usage(stdout);
        return 0;
    }
    const char *db = hq_opt(&o, "db", NULL);
    const char *verb = o.n_positional == 1 ? o.positional[0] : NULL;
    if (!db || !verb || (strcmp(verb, "export") != 0 && strcmp(verb, "import") != 0)) {
        usage(stderr);
        return 2;
    }
    bool import = strcmp(verb, "import") == 0;
    const char *file = hq_opt(&o, "file", NULL);
    if (import && !file) {
        fprintf(stderr, "hallq config import: --file FILE.json is required\n");
        return 2;
    }
    if (hq_cli_db_existing("config", db)) return 1;
    struct hq_why why = {0};
    json_t *in = NULL;
    if (import) {
        json_error_t je;
        in = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
        if (!in || !json_is_object(in)) {
            fprintf(stderr, "hallq config import: %s: not a JSON object (line %d: %s)\n", file,
                    je.line, je.text);
            json_decref(in);
            return 1;
        }
    }
    struct hq_app_options ao = {.db = db};
    struct hq_app *a = hq_app_open(&ao, &why);
    if (!a) {
        fprintf(stderr, "hallq config: %s\n", why.message);
        json_decref(in);
        return 1;
    }
    int status = 0;
    json_t *out = NULL;
    if (!import) {
        hq_app_config_export(a, &out);
        const char *path = hq_opt(&o, "out", NULL);
        int rc = path ? json_dump_file(out, path, JSON_INDENT(2) | JSON_SORT_KEYS)
                      : json_dumpf(out, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
        if (!path) putchar('\n');
        if (rc != 0) {
            fprintf(stderr, "hallq config export: cannot write %s\n", path ? path : "stdout");
            status = 1;
        } else if (path) {
            printf("hallq: the set-up of %s written to %s\n", db, path);
        }
    } else {
        struct hq_actor admin = {.role = HQ_ROLE_ADMIN};
        snprintf(admin.username, sizeof admin.username, "admin");
        bool dry = hq_opt(&o, "dry-run", NULL) != NULL;
        if (hq_app_config_import(a, &admin, in, dry, &out, &why) != 0) {
            fprintf(stderr, "hallq config import: %s%s%s\nNothing was changed.\n",
                    why.field[0] ? why.field : "", why.field[0] ? ": " : "", why.message);
            status = 1;
        } else {
            size_t i;
            json_t *c;
            json_array_foreach(json_object_get(out, "changes"), i, c)
                printf("  %-9s %-8s %s\n", json_string_value(json_object_get(c, "action")),
                       json_string_value(json_object_get(c, "kind")),
                       json_string_value(json_object_get(c, "key")));
            json_t *np = json_object_get(out, "needs_password");
            if (json_array_size(np)) {
                printf("Set a password on the admin page for:");
                json_array_foreach(np, i, c) printf(" %s", json_string_value(c));
                printf("\n");
            }
            printf(json_is_true(json_object_get(out, "applied"))
                       ? "hallq: imported into %s\n"
                       : "hallq: nothing written to %s (--dry-run, or nothing to change)\n",
                   db);
        }
    }
    json_decref(out);
    json_decref(in);
    hq_app_close(a);
    return status;
}
