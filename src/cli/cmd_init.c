/* SPDX-License-Identifier: MIT */
/*
 * cmd_init.c — `hallq init --db FILE`: create the database and the first user, `admin`, whose
 * password comes from HALLQ_ADMIN_PASSWORD (generated and printed once when unset). Refuses to
 * touch a database that already has staff.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app/app_int.h"
#include "cli_opts.h"
#include "hq_cli.h"

struct init_ctx {
    const char *hash;
};

static int init_tx(void *ctx, struct hq_hall *h, const struct hq_now *now, struct hq_batch *b,
                   struct hq_why *why)
{
    (void)now;
    struct init_ctx *c = ctx;
    if (h->n_staff > 0)
        return hq_fail(why, HQ_ECONFLICT, "", "the database is initialised already (it has staff)");
    if (!h->conf.name[0]) {
        snprintf(h->conf.name, sizeof h->conf.name, "%s", "政务服务大厅");
        snprintf(h->conf.name_en, sizeof h->conf.name_en, "%s", "Government Service Hall");
    }
    struct hq_staff s;
    memset(&s, 0, sizeof s);
    snprintf(s.username, sizeof s.username, "admin");
    snprintf(s.name, sizeof s.name, "系统管理员 Administrator");
    s.role = HQ_ROLE_ADMIN;
    s.active = true;
    snprintf(s.pw_hash, sizeof s.pw_hash, "%s", c->hash);
    int rc = hq_staff_add(h, &s, why);
    if (rc) return rc;
    hq_batch_hall(b, &h->conf);
    hq_batch_staff(b, hq_staff_find(h, "admin"));
    return hq_batch_event(b, 0, 0, "admin", "hall.initialised", "{}");
}

int hq_cli_init_db(const char *db, struct hq_app **app_out)
{
    const char *pw = getenv("HALLQ_ADMIN_PASSWORD");
    char generated[25];
    bool gen = !pw || !pw[0];
    if (gen) {
        static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679";
        if (sodium_init() < 0) return 1;
        for (int i = 0; i < 20; i++)
            generated[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
        generated[20] = 0;
        pw = generated;
    } else if (strlen(pw) < 8) {
        fprintf(stderr, "hallq init: HALLQ_ADMIN_PASSWORD must have at least 8 characters\n");
        return 1;
    }
    struct hq_why why = {0};
    struct hq_app_options ao = {.db = db};
    struct hq_app *a = hq_app_open(&ao, &why);
    if (!a) {
        fprintf(stderr, "hallq init: cannot open %s: %s\n", db, why.message);
        return 1;
    }
    char hash[HQ_HASH_MAX];
    if (hq__password_hash(pw, hash) != 0) {
        fprintf(stderr, "hallq init: cannot hash the password (out of memory)\n");
        hq_app_close(a);
        return 1;
    }
    struct init_ctx c = {hash};
    if (hq_app_transact(a, "admin", init_tx, &c, &why) != 0) {
        fprintf(stderr, "hallq init: %s: %s\n", db, why.message);
        hq_app_close(a);
        return 1;
    }
    if (gen)
        printf("hallq: created %s; user admin, password %s (shown once: write it down)\n", db,
               generated);
    else
        printf("hallq: created %s; user admin, password from HALLQ_ADMIN_PASSWORD\n", db);
    sodium_memzero(generated, sizeof generated);
    if (app_out)
        *app_out = a;
    else
        hq_app_close(a);
    return 0;
}

int cmd_init(int argc, char **argv)
{
    static const char *const allowed[] = {"db", NULL};
    struct hq_opts o;
    if (hq_opts_parse(&o, argc, argv, allowed, "init")) return 2;
    if (o.help) {
        printf("usage: hallq init --db FILE [--config FILE]\n\n"
               "Create the database FILE and the user admin. The password is read from the\n"
               "environment variable HALLQ_ADMIN_PASSWORD (at least 8 characters); when it is\n"
               "unset one is generated and printed once.\n");
        return 0;
    }
    const char *db = hq_opt(&o, "db", NULL);
    if (!db) {
        fprintf(stderr, "hallq init: --db FILE is required\n");
        return 2;
    }
    return hq_cli_init_db(db, NULL);
}
