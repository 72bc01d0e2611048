/* SPDX-License-Identifier: MIT */
/*
 * store_pg.c — the PostgreSQL back end (libpq). Not built yet: opening a postgresql:// URL fails
 * cleanly with a message, so a configuration that asks for it is refused at start, not at the
 * first commit.
 */
#include "store_int.h"

struct hq_store *hq__store_pg_open(const char *url, struct hq_why *why)
{
    (void)url;
    hq_fail(why, HQ_ESTORE, "db", "store: PostgreSQL back end not built yet");
    return NULL;
}
