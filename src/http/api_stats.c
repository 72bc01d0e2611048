/* SPDX-License-Identifier: MIT */
/*
 * api_stats.c — statistics and reports over HTTP (managers and admins; docs/STATS.md): GET
 * /api/v1/stats?from=&to= (JSON), GET /api/v1/stats/compare (two periods a_from/a_to/b_from/b_to,
 * or two windows window_a/window_b in from/to), GET /api/v1/reports/day.csv|day.xlsx|day.pdf
 * ?date= (or from/to). Thin callers of src/app/uc_stats.c: the query becomes the use case's
 * arguments; the report's bytes become the body with their media type.
 */
#include <string.h>

#include "api.h"

HQ_API(api_stats)
{
    return hq_app_stats(a, hq_req_query(req, "from"), hq_req_query(req, "to"), &res->json, why);
}

HQ_API(api_stats_compare)
{
    static const char *const names[] = {"a_from", "a_to", "b_from",   "b_to",
                                        "from",   "to",   "window_a", "window_b"};
    json_t *in = json_object();
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = hq_req_query(req, names[i]);
        if (v) json_object_set_new(in, names[i], json_string(v));
    }
    int rc = hq_app_stats_compare(a, in, &res->json, why);
    json_decref(in);
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
    int rc = hq_app_report(a, date ? date : from, date ? date : to, format, &out, &len, why);
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
