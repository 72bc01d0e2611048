/* SPDX-License-Identifier: MIT */
/*
 * req_schema.c — the request validator: checks a JSON request body against the request schema
 * of its route, as tools/gen_api.c compiled it from api/routes/ into hq_rs_nodes (see
 * req_schema.h). The server calls it on every request body before the handler, so the body a
 * handler sees has the types, required members, enums, lengths (in characters), formats,
 * patterns, ranges and closed objects the OpenAPI document promises; the handlers keep only the
 * rules a schema cannot say (one field against another, a service that must exist …).
 *
 * A refusal is 400 invalid_field with the path of the value at fault in `field` ("name",
 * "services[1]", "certifications[0].expires_on") and a sentence of the message catalogue. The
 * first fault found is reported: members in the schema's order, then unknown members.
 */
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "req_schema.h"

static regex_t *compiled;
static pthread_once_t compile_once = PTHREAD_ONCE_INIT;

static void compile_patterns(void)
{
    static regex_t rx[256];
    int n = hq_rs_n_patterns < 256 ? hq_rs_n_patterns : 256;
    for (int i = 0; i < n; i++)
        if (regcomp(&rx[i], hq_rs_patterns[i], REG_EXTENDED | REG_NOSUB) != 0)
            memset(&rx[i], 0, sizeof rx[i]); /* gen_api compiled it already: cannot happen */
    compiled = rx;
}

const struct hq_rs_route *hq_reqschema_find(const char *method, const char *pattern,
                                            char params[2][128], int n_params)
{
    for (const struct hq_rs_route *r = hq_rs_routes; r->method; r++) {
        if (strcmp(r->pattern, pattern) != 0 || strcmp(r->method, method) != 0) continue;
        if (r->param < 0) return r;
        if (r->param < n_params && strcmp(params[r->param], r->value) == 0) return r;
    }
    return NULL;
}

static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) n++;
    return n;
}

static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* RFC 3339 full-date: YYYY-MM-DD, a real day of the Gregorian calendar. */
static bool is_date(const char *s)
{
    if (strlen(s) < 10 || s[4] != '-' || s[7] != '-') return false;
    int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
    if (y < 0 || m < 1 || m > 12 || d < 1) return false;
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= (m == 2 && !leap ? 28 : days[m - 1]);
}

/* RFC 3339 date-time: full-date "T" HH:MM:SS[.frac] (Z | ±HH:MM); 't' and ' ' taken for T. */
static bool is_date_time(const char *s)
{
    if (strlen(s) < 20 || !is_date(s) || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
        return false;
    const char *t = s + 11;
    int h = num(t, 2), mi = num(t + 3, 2), se = num(t + 6, 2);
    if (t[2] != ':' || t[5] != ':' || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
        return false;
    const char *p = t + 8;
    if (*p == '.') {
        if (p[1] < '0' || p[1] > '9') return false;
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    }
    if ((*p == 'Z' || *p == 'z') && !p[1]) return true;
    if ((*p != '+' && *p != '-') || strlen(p) != 6 || p[3] != ':') return false;
    int oh = num(p + 1, 2), om = num(p + 4, 2);
    return oh >= 0 && oh <= 23 && om >= 0 && om <= 59;
}

static unsigned kind_of(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_NULL:
        return HQ_RS_NULL;
    case JSON_TRUE:
    case JSON_FALSE:
        return HQ_RS_BOOL;
    case JSON_INTEGER:
        return HQ_RS_INT;
    case JSON_REAL:
        return HQ_RS_NUM;
    case JSON_STRING:
        return HQ_RS_STR;
    case JSON_ARRAY:
        return HQ_RS_ARR;
    default:
        return HQ_RS_OBJ;
    }
}

static int type_error(unsigned types, const char *p, struct hq_why *why)
{
    switch (types & ~(unsigned)HQ_RS_NULL) {
    case HQ_RS_STR:
        return hq_fail(why, HQ_EINVAL, p, "%s: must be a string", p);
    case HQ_RS_INT:
        return hq_fail(why, HQ_EINVAL, p, "%s: must be an integer", p);
    case HQ_RS_INT | HQ_RS_NUM:
        return hq_fail(why, HQ_EINVAL, p, "%s: must be a number", p);
    case HQ_RS_BOOL:
        return hq_fail(why, HQ_EINVAL, p, "%s: must be true or false", p);
    case HQ_RS_OBJ:
        return hq_fail(why, HQ_EINVAL, p, "%s: must be an object", p);
    case HQ_RS_ARR:
        return hq_fail(why, HQ_EINVAL, p, "%s: must be an array", p);
    case 0:
        return hq_fail(why, HQ_EINVAL, p, "%s: must be null", p);
    default:
        return hq_fail(why, HQ_EINVAL, p, "%s: has the wrong type", p);
    }
}

static bool in_enum(const struct hq_rs_node *n, json_t *v)
{
    for (int i = 0; i < n->n_enums; i++) {
        const struct hq_rs_enum *e = &n->enums[i];
        if (e->type == HQ_RS_NULL && json_is_null(v)) return true;
        if (e->type == HQ_RS_BOOL && json_is_boolean(v) && json_is_true(v) == (e->i != 0))
            return true;
        if (e->type == HQ_RS_INT && json_is_integer(v) && json_integer_value(v) == e->i)
            return true;
        if (e->type == HQ_RS_STR && json_is_string(v) && strlen(e->s) == json_string_length(v) &&
            memcmp(e->s, json_string_value(v), json_string_length(v)) == 0)
            return true;
    }
    return false;
}

static int check(int node, json_t *v, const char *p, int depth, struct hq_why *why);

static int check_string(const struct hq_rs_node *n, json_t *v, const char *p, struct hq_why *why)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (n->min_len >= 0 || n->max_len >= 0) {
        size_t c = utf8_chars(s, len);
        if (n->max_len >= 0 && c > (size_t)n->max_len)
            return hq_fail(why, HQ_EINVAL, p, "%s: at most %zu characters", p, (size_t)n->max_len);
        if (n->min_len >= 0 && c < (size_t)n->min_len)
            return n->min_len == 1 ? hq_fail(why, HQ_EINVAL, p, "%s: must not be empty", p)
                                   : hq_fail(why, HQ_EINVAL, p, "%s: at least %zu characters", p,
                                             (size_t)n->min_len);
    }
    if (n->format == HQ_RS_FMT_DATE && (strlen(s) != 10 || !is_date(s)))
        return hq_fail(why, HQ_EINVAL, p, "%s: must be a date (YYYY-MM-DD)", p);
    if (n->format == HQ_RS_FMT_DATE_TIME && (strlen(s) != len || !is_date_time(s)))
        return hq_fail(why, HQ_EINVAL, p,
                       "%s: must be a date and time (RFC 3339, such as 2026-03-02T09:30:00+08:00)",
                       p);
    if (n->pattern >= 0) {
        pthread_once(&compile_once, compile_patterns);
        const regex_t *rx = n->pattern < 256 ? &compiled[n->pattern] : NULL;
        /* a NUL inside the string would hide its tail from regexec: refuse it too */
        if (!rx || strlen(s) != len || regexec(rx, s, 0, NULL, 0) != 0)
            return hq_fail(why, HQ_EINVAL, p, "%s: must match %s", p,
                           hq_rs_pattern_src[n->pattern]);
    }
    return 0;
}

static int check_number(const struct hq_rs_node *n, json_t *v, const char *p, struct hq_why *why)
{
    double x = json_number_value(v);
    bool lo = (n->flags & HQ_RS_HAS_MIN) && ((n->flags & HQ_RS_XMIN) ? x <= n->min : x < n->min);
    bool hi = (n->flags & HQ_RS_HAS_MAX) && ((n->flags & HQ_RS_XMAX) ? x >= n->max : x > n->max);
    if (!lo && !hi) return 0;
    unsigned both = HQ_RS_HAS_MIN | HQ_RS_HAS_MAX;
    if ((n->flags & (both | HQ_RS_XMIN | HQ_RS_XMAX)) == both && !(n->types & HQ_RS_NUM) &&
        fabs(n->min) < 9e15 && fabs(n->max) < 9e15)
        return hq_fail(why, HQ_EINVAL, p, "%s: must be between %lld and %lld", p, (long long)n->min,
                       (long long)n->max);
    if (lo)
        return (n->flags & HQ_RS_XMIN)
                   ? hq_fail(why, HQ_EINVAL, p, "%s: must be more than %g", p, n->min)
                   : hq_fail(why, HQ_EINVAL, p, "%s: must be at least %g", p, n->min);
    return (n->flags & HQ_RS_XMAX)
               ? hq_fail(why, HQ_EINVAL, p, "%s: must be less than %g", p, n->max)
               : hq_fail(why, HQ_EINVAL, p, "%s: must be at most %g", p, n->max);
}

static int check_array(const struct hq_rs_node *n, json_t *v, const char *p, int depth,
                       struct hq_why *why)
{
    size_t size = json_array_size(v);
    if (n->max_items >= 0 && size > (size_t)n->max_items)
        return hq_fail(why, HQ_EINVAL, p, "%s: at most %zu items", p, (size_t)n->max_items);
    if (n->min_items >= 0 && size < (size_t)n->min_items)
        return hq_fail(why, HQ_EINVAL, p, "%s: at least %zu items", p, (size_t)n->min_items);
    char sub[256];
    for (size_t i = 0; i < size; i++) {
        json_t *item = json_array_get(v, i);
        snprintf(sub, sizeof sub, "%s[%zu]", p, i);
        if (n->items >= 0) {
            int rc = check(n->items, item, sub, depth + 1, why);
            if (rc) return rc;
        }
        if (n->flags & HQ_RS_UNIQUE) /* quadratic: arrays with unique items are short */
            for (size_t j = 0; j < i; j++)
                if (json_equal(json_array_get(v, j), item))
                    return hq_fail(why, HQ_EINVAL, sub, "%s: repeats an earlier item", sub);
    }
    return 0;
}

static const struct hq_rs_prop *prop_of(const struct hq_rs_node *n, const char *key)
{
    for (int i = 0; i < n->n_props; i++)
        if (strcmp(n->props[i].name, key) == 0) return &n->props[i];
    return NULL;
}

/* out = p.name (name alone when p is empty), cut to cap - 1 bytes as snprintf would: without
 * snprintf, which was most of the cost of checking a body (issue 12). */
static void path_join(char *out, size_t cap, const char *p, const char *name)
{
    size_t o = 0;
    for (const char *q = p; *q && o + 1 < cap; q++)
        out[o++] = *q;
    if (p[0] && o + 1 < cap) out[o++] = '.';
    for (const char *q = name; *q && o + 1 < cap; q++)
        out[o++] = *q;
    out[o] = 0;
}

static int check_object(const struct hq_rs_node *n, json_t *v, const char *p, int depth,
                        struct hq_why *why)
{
    char sub[256];
    for (int i = 0; i < n->n_props; i++) {
        const struct hq_rs_prop *pr = &n->props[i];
        json_t *m = json_object_get(v, pr->name);
        if (!m && !pr->required) continue;
        path_join(sub, sizeof sub, p, pr->name);
        if (!m) return hq_fail(why, HQ_EINVAL, sub, "%s: required", sub);
        int rc = check(pr->node, m, sub, depth + 1, why);
        if (rc) return rc;
    }
    const char *key;
    json_t *m;
    json_object_foreach(v, key, m)
    {
        if (prop_of(n, key)) continue;
        path_join(sub, sizeof sub, p, key);
        if (n->flags & HQ_RS_CLOSED)
            return hq_fail(why, HQ_EINVAL, sub, "%.40s: unknown field", sub);
        int rc = 0;
        if (n->names >= 0) {
            json_t *name = json_string(key);
            rc = name ? check(n->names, name, sub, depth + 1, why)
                      : hq_fail(why, HQ_EINVAL, sub, "%s: must be a string", sub);
            json_decref(name);
        }
        if (!rc && n->additional >= 0) rc = check(n->additional, m, sub, depth + 1, why);
        if (rc) return rc;
    }
    size_t size = json_object_size(v);
    const char *name = p[0] ? p : "body";
    if (n->min_props >= 0 && size < (size_t)n->min_props)
        return hq_fail(why, HQ_EINVAL, p, "%s: at least %zu members", name, (size_t)n->min_props);
    if (n->max_props >= 0 && size > (size_t)n->max_props)
        return hq_fail(why, HQ_EINVAL, p, "%s: at most %zu members", name, (size_t)n->max_props);
    return 0;
}

static int check_alts(const struct hq_rs_node *n, json_t *v, const char *p, int depth,
                      struct hq_why *why)
{
    int matched = 0, typed = -1, n_typed = 0;
    for (int i = 0; i < n->n_alts; i++) {
        struct hq_why scratch = {0};
        if (check(n->alts[i], v, p, depth + 1, &scratch) == 0) matched++;
        unsigned t = hq_rs_nodes[n->alts[i]].types, k = kind_of(v);
        if (!t || (t & k) || (k == HQ_RS_INT && (t & HQ_RS_NUM))) typed = i, n_typed++;
    }
    if (matched == 1 || (matched > 1 && !(n->flags & HQ_RS_ONE_OF))) return 0;
    const char *name = p[0] ? p : "body";
    if (matched > 1)
        return hq_fail(why, HQ_EINVAL, p, "%s: matches more than one of its allowed forms", name);
    if (n_typed == 1) return check(n->alts[typed], v, p, depth + 1, why); /* the one it meant */
    return hq_fail(why, HQ_EINVAL, p, "%s: matches none of its allowed forms", name);
}

static int check(int node, json_t *v, const char *p, int depth, struct hq_why *why)
{
    const struct hq_rs_node *n = &hq_rs_nodes[node];
    const char *name = p[0] ? p : "body";
    unsigned k = kind_of(v);
    if (depth > 64) return hq_fail(why, HQ_EINVAL, p, "%s: nested too deep", name);
    if (n->types && !(n->types & k)) return type_error(n->types, name, why);
    if (n->n_enums && !in_enum(n, v))
        return hq_fail(why, HQ_EINVAL, p, "%s: must be one of %s", name, n->enum_text);
    int rc = 0;
    if (k == HQ_RS_STR)
        rc = check_string(n, v, name, why);
    else if (k == HQ_RS_INT || k == HQ_RS_NUM)
        rc = check_number(n, v, name, why);
    else if (k == HQ_RS_ARR)
        rc = check_array(n, v, p, depth, why);
    else if (k == HQ_RS_OBJ)
        rc = check_object(n, v, p, depth, why);
    if (!rc && n->n_alts) rc = check_alts(n, v, p, depth, why);
    return rc;
}

int hq_reqschema_check_node(int node, json_t *v, const char *path, struct hq_why *why)
{
    return check(node, v, path ? path : "", 0, why);
}

int hq_reqschema_check(const char *method, const char *pattern, char params[2][128], int n_params,
                       json_t *body, struct hq_why *why)
{
    const struct hq_rs_route *r = hq_reqschema_find(method, pattern, params, n_params);
    if (!r) return 0;
    if (body) return check(r->node, body, "", 0, why);
    if (!r->body_required) return 0;
    json_t *empty = json_object();
    int rc = check(r->node, empty, "", 0, why);
    json_decref(empty);
    return rc;
}
