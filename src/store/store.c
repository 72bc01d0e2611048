/* SPDX-License-Identifier: MIT */
/*
 * store.c — the front of the store: picks a back end from the URL (curl's vtls dispatch) and
 * forwards close and restore. It holds no state of its own and never touches a database itself.
 */
#include <string.h>

#include "store_int.h"

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

struct hq_store *hq_store_open(const char *url, struct hq_why *why)
{
    if (!url || !url[0]) {
        hq_fail(why, HQ_EINVAL, "db", "store: no database given");
        return NULL;
    }
    if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://"))
        return hq__store_pg_open(url, why);
    if (has_prefix(url, "sqlite://")) url += strlen("sqlite://");
    return hq__store_sqlite_open(url, why);
}

void hq_store_close(struct hq_store *s)
{
    if (s) s->vt->close(s);
}

int hq_store_restore(const char *src, const char *dst, struct hq_why *why)
{
    if (!src || !dst || !src[0] || !dst[0])
        return hq_fail(why, HQ_EINVAL, "", "store: restore needs a source and a destination");
    if (has_prefix(dst, "postgresql://") || has_prefix(dst, "postgres://"))
        return hq_fail(why, HQ_EINVAL, "", "store: restore a PostgreSQL database with pg_restore");
    if (has_prefix(dst, "sqlite://")) dst += strlen("sqlite://");
    return hq__store_sqlite_restore(src, dst, why);
}

int hq_store_check(const char *url, bool full, int limit_ms, hq_check_cb cb, void *ctx,
                   struct hq_why *why)
{
    if (!url || !url[0]) return hq_fail(why, HQ_EINVAL, "db", "store: no database given");
    if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://"))
        return 0; /* PostgreSQL checks its own pages (amcheck, data checksums) */
    if (has_prefix(url, "sqlite://")) url += strlen("sqlite://");
    return hq__store_sqlite_check(url, full, limit_ms, cb, ctx, why);
}
