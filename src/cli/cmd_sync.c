/* SPDX-License-Identifier: MIT */
/*
 * cmd_sync.c — `hallq sync`: ship this hall's event log to head office's PostgreSQL database
 * (src/central). One pass by default: everything not yet shipped, then exit 0. With --follow it
 * keeps shipping every --interval-s seconds until SIGTERM/SIGINT, and a link that is down is
 * retried with growing delays (up to 5 minutes) while the hall serves on: the hall never waits.
 * It reads the hall's database through its own handle, beside a running `hallq serve`.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "central/hq_central.h"
#include "cli_opts.h"
#include "hq_cli.h"
#include "store/hq_store.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: hallq sync --db FILE --central postgresql://… --hall ID [--name NAME]\n"
            "                  [--batch 1000] [--follow] [--interval-s 5]\n\n"
            "Ship the hall's event log to head office's PostgreSQL database: every event not yet\n"
            "there, in order, in batches of --batch per transaction. Safe to stop or kill at any\n"
            "moment and to run again: nothing is lost or counted twice. --hall names this hall at\n"
            "head office (1-64 of A-Z a-z 0-9 _ . -). With --follow it keeps shipping until\n"
            "SIGTERM, retrying a link that is down; without, it ships once and exits (1 when head\n"
            "office cannot be reached).\n");
}

int cmd_sync(int argc, char **argv)
{
    static const char *const allowed[] = {"db",    "central", "hall",       "name",
                                          "batch", "follow!", "interval-s", NULL};
    struct hq_opts o;
    if (hq_opts_parse(&o, argc, argv, allowed, "sync")) return 2;
    if (o.help) {
        usage(stdout);
        return 0;
    }
    const char *db = hq_opt(&o, "db", NULL), *url = hq_opt(&o, "central", NULL);
    const char *hall = hq_opt(&o, "hall", NULL), *name = hq_opt(&o, "name", "");
    int batch = atoi(hq_opt(&o, "batch", "1000"));
    int interval = atoi(hq_opt(&o, "interval-s", "5"));
    bool follow = hq_opt(&o, "follow", NULL) != NULL;
    if (!db || !url || !hall || o.n_positional || interval < 1 || interval > 3600) {
        usage(stderr);
        return 2;
    }
    if (strncmp(db, "postgres", 8) != 0 && hq_cli_db_existing("sync", db)) return 1;
    struct hq_why why = {0};
    struct hq_store *local = hq_store_open(db, &why);
    if (!local) {
        fprintf(stderr, "hallq sync: %s\n", why.message);
        return 1;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    int status = 0, delay = interval;
    struct hq_central *c = NULL;
    while (!stop) {
        if (!c) c = hq_central_open(url, &why);
        struct hq_central_stats st = {0};
        int rc = c ? hq_central_ship(c, local, hall, name, batch, &st, &why) : HQ_ESTORE;
        if (rc == 0) {
            if (st.shipped || !follow)
                printf("hallq sync: %s: shipped %lld events in %d batches; head office holds up "
                       "to %lld\n",
                       hall, (long long)st.shipped, st.batches, (long long)st.central_seq);
            fflush(stdout);
            delay = interval;
        } else {
            fprintf(stderr, "hallq sync: %s (shipped %lld events before)\n", why.message,
                    (long long)st.shipped);
            fflush(stderr);
            hq_central_close(c); /* reconnect next time */
            c = NULL;
            if (rc == HQ_EINVAL || rc == HQ_ECONFLICT || !follow) {
                status = 1;
                break;
            }
            delay = delay * 2 > 300 ? 300 : delay * 2;
        }
        if (!follow) break;
        for (int i = 0; i < delay && !stop; i++)
            sleep(1);
    }
    hq_central_close(c);
    hq_store_close(local);
    return status;
}
