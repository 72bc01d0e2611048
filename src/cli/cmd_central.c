/* SPDX-License-Identifier: MIT */
/*
 * cmd_central.c — `hallq central serve`: head office's pages over the central PostgreSQL database
 * the halls ship to with `hallq sync` (src/central). Sign-in with the admins and managers of the
 * store named by --users (a database made by `hallq init`, or one hall's). Runs until SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central/central_http.h"
#include "cli_opts.h"
#include "hq_cli.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: hallq central serve --central postgresql://… --users FILE\n"
            "                           [--listen 127.0.0.1:8090] [--tz Asia/Shanghai]\n"
            "                           [--silent-s 900]\n\n"
            "Head office's pages: every hall's state today side by side, statistics and what the\n"
            "events tell of compliance across halls for a period, and one hall's services,\n"
            "windows and days, all computed by PostgreSQL from the events the halls ship with\n"
            "`hallq sync`. Sign-in: the active admins and managers of the hallq database --users\n"
            "(read at start). --tz: the zone of the halls' days; --silent-s: a hall whose shipper\n"
            "has not reported for this long is flagged.\n");
}

int cmd_central(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "serve") != 0) {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            usage(stdout);
            return 0;
        }
        usage(stderr);
        return 2;
    }
    static const char *const allowed[] = {"central", "users", "listen", "tz", "silent-s", NULL};
    struct hq_opts o;
    if (hq_opts_parse(&o, argc - 1, argv + 1, allowed, "central serve")) return 2;
    if (o.help) {
        usage(stdout);
        return 0;
    }
    const char *url = hq_opt(&o, "central", NULL), *users = hq_opt(&o, "users", NULL);
    int silent = atoi(hq_opt(&o, "silent-s", "900"));
    if (!url || !users || o.n_positional || silent < 10 || silent > 7 * 86400) {
        usage(stderr);
        return 2;
    }
    if (strncmp(users, "postgres", 8) != 0 && hq_cli_db_existing("central serve", users)) return 1;
    struct hq_why why = {0};
    struct hq_central_serve_opts so = {.url = url,
                                       .listen = hq_opt(&o, "listen", "127.0.0.1:8090"),
                                       .tz = hq_opt(&o, "tz", "Asia/Shanghai"),
                                       .silent_s = silent};
    if (hq_central_users_load(users, &so.users, &so.n_users, &why) != 0) {
        fprintf(stderr, "hallq central: %s\n", why.message);
        return 1;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    int rc = hq_central_serve(&so, &stop, &why);
    free(so.users);
    if (rc != 0) {
        fprintf(stderr, "hallq central: %s\n", why.message);
        return 1;
    }
    return 0;
}
