/* SPDX-License-Identifier: MIT */
/*
 * main.c — the hallq command line: a dispatch table from command name to cmd_<name>(), as git.c.
 * Each command lives in its own file (cmd_<name>.c) and parses its own flags.
 */
#include <stdio.h>
#include <string.h>

#include "hq_cli.h"

struct cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
};

static const struct cmd commands[] = {
    {"init", cmd_init, "create a database and the first admin user"},
    {"demo", cmd_demo, "create a database with a realistic demo hall and a day of history"},
    {"serve", cmd_serve, "serve the HTTP API, the live events and the pages"},
    {"backup", cmd_backup, "copy the database to a file while it is in use"},
    {"restore", cmd_restore, "replace the database with a backup (server stopped)"},
    {"check", cmd_check, "check every page of the database (integrity check)"},
    {"sync", cmd_sync, "ship the event log to head office (PostgreSQL)"},
    {"central", cmd_central, "head office: serve every hall's figures from PostgreSQL"},
    {"config", cmd_config, "export or import the hall's set-up as JSON"},
    {"erlang", cmd_erlang, "Erlang C: waiting figures for a load and a number of windows"},
    {"simulate", cmd_simulate, "simulate the hall: the same figures, measured"},
    {"plan", cmd_plan, "the window plan for a date from the hall's history"},
    {"report", cmd_report, "the statistics report of a day or period: csv, xlsx, pdf, json"},
    {"idreader", cmd_idreader, "hand ID numbers read by this kiosk's card reader to the kiosk"},
    {"compliance", cmd_compliance, "the compliance report of a period: text, json, pdf"},
    {"stats", cmd_stats, "statistics of a period as JSON; --rebuild-rollups, --full-scan"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: hallq COMMAND [OPTIONS]   (hallq COMMAND --help for its options)\n\n"
               "hallq — service hall management to DB13/T 1760-2013.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "hallq: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
