/* SPDX-License-Identifier: MIT */
/*
 * uc_audit.c — the audit log of staff actions (clause 4.5, docs/COMPLIANCE.md): GET
 * /api/v1/audit and /api/v1/audit.csv. The event log already records who did what and when (each
 * event's actor is the signed-in username, "" for the public and the system), so the audit log is
 * a filtered read of it from the read handle: by actor, by type (exact, or a prefix ending in
 * "."), by local days, paged. Staff actions only unless all is asked for. Customers' personal data
 * never appears: events carry none by design (ticket numbers, not ids; complaint code prefixes,
 * not contacts or content), and this file drops, whatever an event holds, any member whose name
 * says personal data (phone, id number, contact, content, name of a customer, comment, email).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../plan/hq_plan.h"
#include "app_int.h"
#include "hq_compliance.h"

#define AUDIT_MAX_DAYS 366
#define CSV_MAX_ROWS 100000

static const char *const personal[] = {
    "phone", "id_number",     "idcard",    "id_card", "contact",  "content", "comment",
    "email", "customer_name", "ticket_id", "token",   "password", NULL};

static json_t *scrub(json_t *o)
{
    if (!json_is_object(o)) return o;
    for (const char *const *k = personal; *k; k++)
        json_object_del(o, *k);
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) scrub(v);
    return o;
}

struct scan {
    struct hq_app *a;
    const struct hq_audit_query *q;
    int64_t total, offset, limit;
    json_t *rows;
};

static bool match(const struct hq_audit_query *q, const struct hq_event *e)
{
    if (!q->all && !e->actor[0]) return false;
    if (q->actor && *q->actor && strcmp(q->actor, e->actor) != 0) return false;
    if (q->type && *q->type) {
        size_t n = strlen(q->type);
        if (q->type[n - 1] == '.' ? strncmp(e->type, q->type, n) != 0
                                  : strcmp(e->type, q->type) != 0)
            return false;
    }
    return true;
}

static int on_event(void *ctx, const struct hq_event *e)
{
    struct scan *x = ctx;
    if (!match(x->q, e)) return 0;
    int64_t i = x->total++;
    if (i < x->offset || i >= x->offset + x->limit) return 0;
    json_t *d = scrub(json_loads(e->data ? e->data : "{}", 0, NULL));
    json_array_append_new(x->rows, json_pack("{s:I,s:o,s:s,s:s,s:o}", "seq", (json_int_t)e->seq,
                                             "at", hq__time_json(x->a, e->t), "actor", e->actor,
                                             "type", e->type, "data", d ? d : json_object()));
    return 0;
}

static int parse(struct hq_app *a, const struct hq_audit_query *q, int64_t *t0, int64_t *t1,
                 char fs[16], char ts[16], struct hq_why *why)
{
    struct hq_now now;
    hq_app_now(a, &now);
    int32_t f = now.day, t = now.day;
    if (q->from && *q->from && hq__parse_date(q->from, &f) != 0)
        return hq_fail(why, HQ_EINVAL, "from", "%s must be a date YYYY-MM-DD", "from");
    if (q->to && *q->to && hq__parse_date(q->to, &t) != 0)
        return hq_fail(why, HQ_EINVAL, "to", "%s must be a date YYYY-MM-DD", "to");
    if (q->from && *q->from && !(q->to && *q->to)) t = f > now.day ? f : now.day;
    if (f > t) return hq_fail(why, HQ_EINVAL, "to", "%s must not be before %s", "to", "from");
    if (hq_days_from_civil(t) - hq_days_from_civil(f) >= AUDIT_MAX_DAYS)
        return hq_fail(why, HQ_EINVAL, "to", "a period of at most %d days", AUDIT_MAX_DAYS);
    if (q->actor && *q->actor && !hq_valid_username(q->actor))
        return hq_fail(why, HQ_EINVAL, "actor", "actor: not a username");
    if (q->type && strlen(q->type) > 31)
        return hq_fail(why, HQ_EINVAL, "type", "type: at most %d characters", 31);
    *t0 = hq__midnight(f, 0);
    *t1 = hq__midnight(t, 1);
    hq__format_date(f, fs, 16);
    hq__format_date(t, ts, 16);
    return 0;
}

int hq_app_audit(struct hq_app *a, const struct hq_audit_query *q, json_t **out, struct hq_why *why)
{
    int64_t t0, t1;
    char fs[16], ts[16];
    int rc = parse(a, q, &t0, &t1, fs, ts, why);
    if (rc) return rc;
    if (q->offset < 0) return hq_fail(why, HQ_EINVAL, "offset", "offset: at least 0");
    if (q->limit < 0 || q->limit > 500)
        return hq_fail(why, HQ_EINVAL, "limit", "limit: from 1 to 500");
    struct scan x = {.a = a,
                     .q = q,
                     .offset = q->offset,
                     .limit = q->limit ? q->limit : 100,
                     .rows = json_array()};
    pthread_mutex_lock(&a->reader_mu);
    rc = a->reader->vt->events_between(a->reader, t0, t1, "", on_event, &x);
    pthread_mutex_unlock(&a->reader_mu);
    if (rc) {
        json_decref(x.rows);
        return hq_fail(why, HQ_ESTORE, "", "the history could not be read");
    }
    *out =
        json_pack("{s:s,s:s,s:I,s:I,s:I,s:o}", "from", fs, "to", ts, "total", (json_int_t)x.total,
                  "offset", (json_int_t)x.offset, "limit", (json_int_t)x.limit, "events", x.rows);
    return 0;
}

/* CSV field: quoted, quotes doubled; a leading = + - @ is prefixed with ' so that a spreadsheet
 * does not run it as a formula. */
static void csv_field(FILE *f, const char *s)
{
    fputc('"', f);
    if (*s == '=' || *s == '+' || *s == '-' || *s == '@') fputc('\'', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int hq_app_audit_csv(struct hq_app *a, const struct hq_audit_query *q, unsigned char **out,
                     size_t *len, struct hq_why *why)
{
    struct hq_audit_query all = *q;
    all.offset = 0;
    all.limit = CSV_MAX_ROWS;
    int64_t t0, t1;
    char fs[16], ts[16];
    int rc = parse(a, &all, &t0, &t1, fs, ts, why);
    if (rc) return rc;
    struct scan x = {.a = a, .q = &all, .offset = 0, .limit = CSV_MAX_ROWS, .rows = json_array()};
    pthread_mutex_lock(&a->reader_mu);
    rc = a->reader->vt->events_between(a->reader, t0, t1, "", on_event, &x);
    pthread_mutex_unlock(&a->reader_mu);
    if (rc) {
        json_decref(x.rows);
        return hq_fail(why, HQ_ESTORE, "", "the history could not be read");
    }
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) {
        json_decref(x.rows);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    fputs("\xEF\xBB\xBF序号 seq,时间 at,人员 actor,操作 type,内容 data\r\n", f);
    size_t i;
    json_t *r;
    json_array_foreach(x.rows, i, r)
    {
        char *d = json_dumps(json_object_get(r, "data"), JSON_COMPACT | JSON_SORT_KEYS);
        fprintf(f, "%lld,", (long long)json_integer_value(json_object_get(r, "seq")));
        csv_field(f, json_string_value(json_object_get(r, "at")) ?: "");
        fputc(',', f);
        csv_field(f, json_string_value(json_object_get(r, "actor")) ?: "");
        fputc(',', f);
        csv_field(f, json_string_value(json_object_get(r, "type")) ?: "");
        fputc(',', f);
        csv_field(f, d ? d : "{}");
        fputs("\r\n", f);
        free(d);
    }
    json_decref(x.rows);
    if (fclose(f) != 0 || !buf) {
        free(buf);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    *out = (unsigned char *)buf;
    *len = n;
    return 0;
}
