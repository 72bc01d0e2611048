/* SPDX-License-Identifier: MIT */
/*
 * api_audit.c — the audit log of staff actions over HTTP (clause 4.5; managers and admins;
 * docs/COMPLIANCE.md): GET /api/v1/audit?actor&type&from&to&offset&limit (JSON, paged) and GET
 * /api/v1/audit.csv with the same filters (every match). Thin callers of src/app/uc_audit.c.
 */
#include <stdlib.h>
#include <string.h>

#include "../app/hq_compliance.h"
#include "api.h"

static int number(const char *s, const char *field, int64_t *out, struct hq_why *why)
{
    if (!s) return 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < 0 || v > 100000000)
        return hq_fail(why, HQ_EINVAL, field, "%s: must be an integer", field);
    *out = v;
    return 0;
}

static int query(struct hq_req *req, struct hq_audit_query *q, struct hq_why *why)
{
    memset(q, 0, sizeof *q);
    q->actor = hq_req_query(req, "actor");
    q->type = hq_req_query(req, "type");
    q->from = hq_req_query(req, "from");
    q->to = hq_req_query(req, "to");
    const char *all = hq_req_query(req, "all");
    q->all = all && (strcmp(all, "1") == 0 || strcmp(all, "true") == 0);
    if (all && !q->all && strcmp(all, "0") != 0 && strcmp(all, "false") != 0)
        return hq_fail(why, HQ_EINVAL, "all", "all: 1, true, 0 or false");
    int rc = number(hq_req_query(req, "offset"), "offset", &q->offset, why);
    if (!rc) rc = number(hq_req_query(req, "limit"), "limit", &q->limit, why);
    if (!rc && hq_req_query(req, "limit") && q->limit == 0)
        rc = hq_fail(why, HQ_EINVAL, "limit", "limit: from 1 to 500");
    return rc;
}

HQ_API(api_audit)
{
    struct hq_audit_query q;
    int rc = query(req, &q, why);
    return rc ? rc : hq_app_audit(a, &q, &res->json, why);
}

HQ_API(api_audit_csv)
{
    struct hq_audit_query q;
    int rc = query(req, &q, why);
    unsigned char *out = NULL;
    size_t len = 0;
    if (!rc) rc = hq_app_audit_csv(a, &q, &out, &len, why);
    if (rc) return rc;
    res->body = (char *)out;
    res->body_len = len;
    res->content_type = "text/csv; charset=utf-8";
    return 0;
}
