/* SPDX-License-Identifier: MIT */
/*
 * api_stats.c — statistics and reports over HTTP (managers and admins; docs/STATS.md): GET
 * /api/v1/stats?from=&to= (JSON), GET /api/v1/stats/compare (two periods a_from/a_to/b_from/b_to,
 * or two windows window_a/window_b in from/to), GET /api/v1/reports/day.csv|day.xlsx|day.pdf
 * ?date= (or from/to). Thin callers of src/app/uc_stats.c: the query becomes the use case's
 * arguments; the report's bytes become the body with their media type.
 *
 * Bounds, so that reports can never exhaust the server's memory (a period is computed with all
 * its tickets in memory, about 460 bytes each): at most hq__stats_limits(heavy) computations at
 * once (default 1; `hallq serve --heavy-reports`), others are answered 429 rate_limited with
 * Retry-After at once rather than queued; and over HTTP a period of at most max_days days
 * (default 93, a quarter; `--stats-max-days`), a longer one is refused 400 before anything is
 * read. Peak memory is then about heavy × 460 B × tickets in max_days days: ~200 MB for a hall
 * issuing 5,000 tickets a day. `hallq report` (one process, no server) takes up to 366 days.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "server_int.h"

#define HEAVY_RETRY_S 5

static _Atomic int heavy_max = 1, heavy_running, max_days = HQ_STATS_MAX_DAYS_DEFAULT;

void hq__stats_limits(int heavy, int days)
{
    atomic_store(&heavy_max, heavy > 0 ? heavy : 1);
    atomic_store(&max_days, days > 0 ? days : HQ_STATS_MAX_DAYS_DEFAULT);
}

int hq__heavy_enter(struct hq_why *why)
{
    int n = atomic_fetch_add(&heavy_running, 1);
    if (n < atomic_load(&heavy_max)) return 0;
    atomic_fetch_sub(&heavy_running, 1);
    hq_fail(why, HQ_ERATE, "",
            "another statistics or report computation is running: try again in a few seconds");
    why->retry_after_s = HEAVY_RETRY_S;
    return HQ_ERATE;
}

void hq__heavy_leave(void)
{
    atomic_fetch_sub(&heavy_running, 1);
}

/* Days since 1970-01-01 of a YYYY-MM-DD string, or INT64_MIN when it is not one. */
static int64_t day_number(const char *s)
{
    int y, m, d, n = 0;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
        m < 1 || m > 12 || d < 1 || d > 31)
        return INT64_MIN;
    y -= m <= 2; /* Howard Hinnant's days_from_civil */
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Refuse a period [from, to] longer than max_days (from alone is one day, as in the use case).
 * Dates that do not parse are left to the use case, which says what is wrong with them. */
static int check_period(struct hq_app *a, const char *from, const char *to, const char *tfield,
                        struct hq_why *why)
{
    if (!from || !*from) return 0;
    (void)a;
    int64_t f = day_number(from), t = to && *to ? day_number(to) : f;
    int lim = atomic_load(&max_days);
    if (f == INT64_MIN || t == INT64_MIN || t < f || t - f < lim) return 0;
    return hq_fail(why, HQ_EINVAL, tfield,
                   "over HTTP a period of at most %d days (the server's memory bound; `hallq "
                   "report` takes longer ones)",
                   lim);
}

HQ_API(api_stats)
{
    const char *from = hq_req_query(req, "from"), *to = hq_req_query(req, "to");
    int rc = check_period(a, from, to, "to", why);
    if (rc || (rc = hq__heavy_enter(why))) return rc;
    rc = hq_app_stats(a, from, to, &res->json, why);
    hq__heavy_leave();
    return rc;
}

HQ_API(api_stats_compare)
{
    static const char *const names[] = {"a_from", "a_to", "b_from",   "b_to",
                                        "from",   "to",   "window_a", "window_b"};
    int rc = check_period(a, hq_req_query(req, "a_from"), hq_req_query(req, "a_to"), "a_to", why);
    if (!rc)
        rc = check_period(a, hq_req_query(req, "b_from"), hq_req_query(req, "b_to"), "b_to", why);
    if (!rc) rc = check_period(a, hq_req_query(req, "from"), hq_req_query(req, "to"), "to", why);
    if (rc || (rc = hq__heavy_enter(why))) return rc;
    json_t *in = json_object();
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = hq_req_query(req, names[i]);
        if (v) json_object_set_new(in, names[i], json_string(v));
    }
    rc = hq_app_stats_compare(a, in, &res->json, why);
    json_decref(in);
    hq__heavy_leave();
    return rc;
}

static int report(struct hq_app *a, struct hq_req *req, struct hq_res *res, struct hq_why *why,
                  const char *format, const char *type)
{
    const char *date = hq_req_query(req, "date");
    const char *from = hq_req_query(req, "from"), *to = hq_req_query(req, "to");
    if (date && (from || to))
        return hq_fail(why, HQ_EINVAL, "date", "date, or from and to, not both");
    unsigned char *out = NULL;
    size_t len = 0;
    int rc = date ? 0 : check_period(a, from, to, "to", why);
    if (rc || (rc = hq__heavy_enter(why))) return rc;
    rc = hq_app_report(a, date ? date : from, date ? date : to, format, &out, &len, why);
    hq__heavy_leave();
    if (rc) return rc;
    res->body = (char *)out;
    res->body_len = len;
    res->content_type = type;
    return 0;
}

HQ_API(api_report_csv)
{
    return report(a, req, res, why, "csv", "text/csv; charset=utf-8");
}

HQ_API(api_report_xlsx)
{
    return report(a, req, res, why, "xlsx",
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
}

HQ_API(api_report_pdf)
{
    return report(a, req, res, why, "pdf", "application/pdf");
}
