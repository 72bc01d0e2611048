/* SPDX-License-Identifier: MIT */
/*
 * gen_api — build tool: reads the declarative API description in api/ (api/openapi-base.json with
 * the shared components, api/routes/NN-*.json with one entry per route) and writes
 *   OUT/routes.gen.inc  the C route table the server dispatches from (method, pattern, handler,
 *                       roles, flags, rate-limit class, summaries) plus the role gates of routes
 *                       that devices may use, included by src/http/routes.c;
 *   OUT/openapi.json    the OpenAPI 3.1 document served at /api/v1/openapi.json and rendered at
 *                       /api/docs: paths, roles, request and response schemas, error codes.
 * So the router, the role checks and the document cannot disagree. It refuses (exit 1, with the
 * file and route named) an entry it cannot read whole: an unknown key, role, rate class or error
 * code, a path parameter without a schema, a route without a 2xx answer.
 * Usage: gen_api API_DIR OUT_DIR
 */
#include <dirent.h>
#include <jansson.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *where = "";

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "gen_api: %s: ", where);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fflush(NULL);
    _exit(1); /* a fatal refusal of a build tool: no cleanup of what was half built */
}

static json_t *load(const char *path)
{
    json_error_t e;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
    if (!j) {
        fprintf(stderr, "gen_api: %s:%d: %s\n", path, e.line, e.text);
        fflush(NULL);
        _exit(1);
    }
    return j;
}

static const char *str(json_t *o, const char *key, bool required)
{
    json_t *v = json_object_get(o, key);
    if (!v) {
        if (required) die("\"%s\" is required", key);
        return NULL;
    }
    if (!json_is_string(v)) die("\"%s\" must be a string", key);
    return json_string_value(v);
}

/* ---- roles, rate classes, error codes ---- */

static const struct {
    const char *name, *c;
} ROLES[] = {
    {"admin", "HQ_R(HQ_ROLE_ADMIN)"},
    {"manager", "HQ_R(HQ_ROLE_MANAGER)"},
    {"clerk", "HQ_R(HQ_ROLE_CLERK)"},
    {"guide", "HQ_R(HQ_ROLE_GUIDE)"},
};
static const char *const RATES[] = {"none", "login", "issue", "complaint", "verdict"};
static const char *const RATES_C[] = {"HQ_RL_NONE", "HQ_RL_LOGIN", "HQ_RL_ISSUE", "HQ_RL_COMPLAINT",
                                      "HQ_RL_VERDICT"};
static const struct {
    const char *code;
    int status;
} CODES[] = {
    {"bad_json", 400},          {"invalid_field", 400},     {"unauthenticated", 401},
    {"forbidden", 403},         {"not_found", 404},         {"method_not_allowed", 405},
    {"conflict", 409},          {"payload_too_large", 413}, {"unsupported_media_type", 415},
    {"rate_limited", 429},      {"internal", 500},          {"suspended", 503},
    {"store_unavailable", 503},
};

/* components.responses of the document: one shared error answer per status and set of codes */
static json_t *shared_errors;

static int code_index(const char *code)
{
    for (size_t i = 0; i < sizeof CODES / sizeof CODES[0]; i++)
        if (strcmp(CODES[i].code, code) == 0) return (int)i;
    return -1;
}

static int code_status(const char *code)
{
    for (size_t i = 0; i < sizeof CODES / sizeof CODES[0]; i++)
        if (strcmp(CODES[i].code, code) == 0) return CODES[i].status;
    die("unknown error code \"%s\"", code);
    return 0;
}

/* The role names of an entry, expanded ("staff" = the four staff roles) and checked. */
struct roles {
    bool pub, device, role[4];
};

static struct roles read_roles(json_t *route)
{
    struct roles r = {0};
    json_t *a = json_object_get(route, "roles"), *v;
    size_t i;
    if (!json_is_array(a) || json_array_size(a) == 0) die("\"roles\" must be a non-empty array");
    json_array_foreach(a, i, v)
    {
        const char *s = json_string_value(v);
        if (!s) die("roles are strings");
        if (strcmp(s, "public") == 0)
            r.pub = true;
        else if (strcmp(s, "device") == 0)
            r.device = true;
        else if (strcmp(s, "staff") == 0)
            r.role[0] = r.role[1] = r.role[2] = r.role[3] = true;
        else {
            bool found = false;
            for (size_t k = 0; k < 4; k++)
                if (strcmp(ROLES[k].name, s) == 0) r.role[k] = found = true;
            if (!found) die("unknown role \"%s\"", s);
        }
    }
    if (r.pub && json_array_size(a) != 1) die("\"public\" stands alone in \"roles\"");
    if (r.device && !(r.role[0] || r.role[1] || r.role[2] || r.role[3]))
        die("\"device\" goes with at least one staff role");
    return r;
}

static void roles_c(const struct roles *r, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t k = 0; k < 4; k++)
        if (r->role[k]) {
            size_t l = strlen(out);
            snprintf(out + l, cap - l, "%s%s", l ? " | " : "", ROLES[k].c);
        }
    if (!out[0]) snprintf(out, cap, "0");
}

static json_t *roles_json(const struct roles *r)
{
    json_t *a = json_array();
    if (r->pub) json_array_append_new(a, json_string("public"));
    if (r->device) json_array_append_new(a, json_string("device"));
    for (size_t k = 0; k < 4; k++)
        if (r->role[k]) json_array_append_new(a, json_string(ROLES[k].name));
    return a;
}

/* ---- C output ---- */

static void c_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if (*s == '\n')
            fputs("\\n", f);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

/* ---- OpenAPI output ---- */

static json_t *error_response(const char *desc, json_t *codes)
{
    json_t *one = json_pack("{s:{s:{s:{s:{s:O}}}}}", "properties", "error", "properties", "code",
                            "enum", codes);
    json_t *schema = json_pack("{s:[{s:s},o]}", "allOf", "$ref", "#/components/schemas/Error", one);
    return json_pack("{s:s,s:{s:{s:o}}}", "description", desc, "content", "application/json",
                     "schema", schema);
}

static void add_code(json_t *errs, const char *code)
{
    char st[8];
    snprintf(st, sizeof st, "%d", code_status(code));
    json_t *a = json_object_get(errs, st);
    if (!a) json_object_set_new(errs, st, a = json_array());
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) if (strcmp(json_string_value(v), code) == 0) return;
    json_array_append_new(a, json_string(code));
}

static const char *const ROUTE_KEYS[] = {
    "method",  "path",        "handler", "roles",    "auth",  "raw_body", "rate",
    "summary", "description", "tag",     "params",   "query", "request",  "responses",
    "example", "served_by",   "headers", "document", NULL};

static void check_keys(json_t *o, const char *const *allowed)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (strncmp(k, "x-", 2) == 0) continue;
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            ok |= strcmp(*a, k) == 0;
        if (!ok) die("unknown key \"%s\"", k);
    }
}

static const char *staff_text(const struct roles *r)
{
    static char buf[128];
    buf[0] = '\0';
    for (size_t k = 0; k < 4; k++)
        if (r->role[k]) {
            size_t l = strlen(buf);
            snprintf(buf + l, sizeof buf - l, "%s%s", l ? ", " : "", ROLES[k].name);
        }
    return buf;
}

static const char *role_text(const struct roles *r)
{
    static char buf[256];
    if (r->pub) return "public (no sign-in)";
    buf[0] = '\0';
    if (r->device) snprintf(buf, sizeof buf, "a registered device (X-Device-Key)");
    for (size_t k = 0; k < 4; k++)
        if (r->role[k]) {
            size_t l = strlen(buf);
            snprintf(buf + l, sizeof buf - l, "%s%s", l ? ", " : "", ROLES[k].name);
        }
    return buf;
}

static json_t *operation(json_t *route, const struct roles *r, int rate)
{
    json_t *op = json_object();
    json_t *sum = json_object_get(route, "summary");
    if (!json_is_object(sum)) die("\"summary\" is required: {\"zh\": …, \"en\": …}");
    const char *zh = str(sum, "zh", true), *en = str(sum, "en", true);
    size_t sl = strlen(zh) + strlen(en) + 8;
    char *s = malloc(sl);
    snprintf(s, sl, "%s · %s", zh, en);
    json_object_set_new(op, "summary", json_string(s));
    free(s);
    const char *handler = str(route, "handler", false);
    const char *served = str(route, "served_by", false);
    if (!handler && !served) die("a route has a \"handler\" or says where it is \"served_by\"");
    json_object_set_new(op, "operationId",
                        json_string(handler ? handler : str(route, "x-operation", true)));
    const char *tag = str(route, "tag", true);
    json_object_set_new(op, "tags", json_pack("[s]", tag));
    const char *desc = str(route, "description", false);
    const char *sep = desc ? "\n\n" : "";
    size_t dl = (desc ? strlen(desc) : 0) + 600;
    char *d = malloc(dl);
    snprintf(d, dl, "%s%s**Roles:** %s.%s", desc ? desc : "", sep, role_text(r),
             rate ? " **Rate limited** per client address (staff and registered devices exempt)."
                  : "");
    json_object_set_new(op, "description", json_string(d));
    free(d);
    json_object_set_new(op, "x-roles", roles_json(r));
    json_object_set_new(op, "x-rate-limit", json_string(RATES[rate]));
    json_object_set_new(op, "x-summary", json_pack("{s:s,s:s}", "zh", zh, "en", en));
    if (!r->pub) {
        json_t *sec = json_pack("[{s:[]},{s:[]}]", "bearer", "cookie");
        if (r->device) json_array_append_new(sec, json_pack("{s:[]}", "deviceKey"));
        json_object_set_new(op, "security", sec);
    } else if (json_is_true(json_object_get(route, "auth")) ||
               (json_is_string(json_object_get(route, "auth")) &&
                strcmp(str(route, "auth", false), "optional") == 0)) {
        json_object_set_new(
            op, "security",
            json_pack("[{},{s:[]},{s:[]},{s:[]}]", "bearer", "cookie", "deviceKey"));
    }

    /* parameters: every {name} of the path, then the query */
    json_t *params = json_array();
    json_t *pdefs = json_object_get(route, "params");
    const char *path = str(route, "path", true);
    for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        if (!e) die("unclosed { in the path");
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(e - p - 1), p + 1);
        json_t *def = json_object_get(pdefs, name);
        if (!json_is_object(def)) die("path parameter {%s} needs an entry in \"params\"", name);
        json_t *prm = json_pack("{s:s,s:s,s:b}", "name", name, "in", "path", "required", 1);
        json_object_update(prm, def);
        json_array_append_new(params, prm);
    }
    json_t *q = json_object_get(route, "query"), *v;
    size_t i;
    json_array_foreach(q, i, v)
    {
        json_t *prm = json_pack("{s:s}", "in", "query");
        json_object_update(prm, v);
        json_array_append_new(params, prm);
    }
    json_t *hdrs = json_object_get(route, "headers");
    json_array_foreach(hdrs, i, v)
    {
        json_t *prm = json_pack("{s:s}", "in", "header");
        json_object_update(prm, v);
        json_array_append_new(params, prm);
    }
    if (json_array_size(params))
        json_object_set_new(op, "parameters", params);
    else
        json_decref(params);

    json_t *example = json_object_get(route, "example");
    json_t *req = json_object_get(route, "request");
    bool body = false;
    if (req) {
        body = true;
        json_t *schema = json_object_get(req, "schema");
        if (!schema) die("\"request\" needs a \"schema\"");
        json_t *media = json_pack("{s:O}", "schema", schema);
        if (json_object_get(example, "request"))
            json_object_set(media, "example", json_object_get(example, "request"));
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b,s:{s:o}}", "required",
                                      json_is_true(json_object_get(req, "required")), "content",
                                      "application/json", media));
    }

    /* responses: the declared ones, then the errors every route of its kind can answer */
    json_t *resp = json_object(), *errs = json_object();
    json_t *decl = json_object_get(route, "responses");
    const char *st;
    bool ok = false;
    if (!json_is_object(decl)) die("\"responses\" is required");
    json_object_foreach(decl, st, v)
    {
        if (json_is_array(v)) { /* error codes */
            json_array_foreach(v, i, q)
            {
                if (code_status(json_string_value(q)) != atoi(st))
                    die("code %s does not go with status %s", json_string_value(q), st);
                add_code(errs, json_string_value(q));
            }
            continue;
        }
        if (st[0] == '2' || st[0] == '3') ok = true;
        json_t *out = json_object();
        const char *rd = str(v, "description", false);
        json_object_set_new(out, "description", json_string(rd ? rd : "OK"));
        json_t *hd = json_object_get(v, "headers");
        if (hd) json_object_set(out, "headers", hd);
        json_t *sch = json_object_get(v, "schema");
        json_t *content = json_object_get(v, "content");
        if (sch) {
            json_t *media = json_pack("{s:O}", "schema", sch);
            if (st[0] == '2' && json_object_get(example, "response"))
                json_object_set(media, "example", json_object_get(example, "response"));
            json_object_set_new(out, "content", json_pack("{s:o}", "application/json", media));
        } else if (content) {
            json_object_set(out, "content", content);
        }
        json_object_set_new(resp, st, out);
    }
    if (!ok) die("no 2xx answer in \"responses\"");
    add_code(errs, "payload_too_large");
    add_code(errs, "bad_json");
    add_code(errs, "unsupported_media_type");
    add_code(errs, "store_unavailable");
    if (body || json_object_get(route, "params") || json_object_get(route, "query"))
        add_code(errs, "invalid_field");
    if (!r->pub) {
        add_code(errs, "unauthenticated");
        add_code(errs, "forbidden");
    }
    if (rate) add_code(errs, "rate_limited");
    json_object_foreach(errs, st, v)
    {
        /* codes in the table's order, so one set of codes has one name */
        json_t *sorted_codes = json_array();
        char desc2[512] = "Refused, nothing changed:", name[512];
        snprintf(name, sizeof name, "Error%s", st);
        for (size_t ci = 0; ci < sizeof CODES / sizeof CODES[0]; ci++) {
            size_t k;
            json_t *c;
            json_array_foreach(v, k, c) if (code_index(json_string_value(c)) == (int)ci)
            {
                size_t l = strlen(desc2);
                snprintf(desc2 + l, sizeof desc2 - l, "%s `%s`",
                         json_array_size(sorted_codes) ? "," : "", CODES[ci].code);
                l = strlen(name);
                snprintf(name + l, sizeof name - l, "_%s", CODES[ci].code);
                json_array_append_new(sorted_codes, json_string(CODES[ci].code));
            }
        }
        if (!json_object_get(shared_errors, name))
            json_object_set_new(shared_errors, name, error_response(desc2, sorted_codes));
        json_decref(sorted_codes);
        char target[600];
        snprintf(target, sizeof target, "#/components/responses/%s", name);
        json_object_set_new(resp, st, json_pack("{s:s}", "$ref", target));
    }
    json_decref(errs);
    /* sorted statuses read better */
    json_t *sorted = json_object();
    for (int code = 100; code < 600; code++) {
        char k[8];
        snprintf(k, sizeof k, "%d", code);
        json_t *x = json_object_get(resp, k);
        if (x) json_object_set(sorted, k, x);
    }
    json_decref(resp);
    json_object_set_new(op, "responses", sorted);

    const char *key;
    json_object_foreach(route, key,
                        v) if (strncmp(key, "x-", 2) == 0 && strcmp(key, "x-operation") != 0)
        json_object_set(op, key, v);
    return op;
}

/* ---- request validation tables (src/http/req_schema.h) ----
 * Each request body schema (after $ref and allOf) becomes nodes of hq_rs_nodes: types, enum,
 * string lengths in characters, format, pattern, number bounds, array and object rules, oneOf /
 * anyOf. A keyword the validator does not implement stops the build, so nothing a schema says
 * goes unchecked. */

enum { HQ_FMT_DATE = 1, HQ_FMT_DATE_TIME = 2 };
enum { T_NULL = 1, T_BOOL = 2, T_INT = 4, T_NUM = 8, T_STR = 16, T_ARR = 32, T_OBJ = 64 };

static json_t *schemas; /* components.schemas of the base document */
static char **rs_node;  /* the C initialiser of each node, by index */
static size_t rs_n, rs_cap;
static FILE *rs_aux;    /* arrays the nodes point to */
static json_t *rs_pat;  /* [posix, source] of each pattern */
static FILE *rs_routes; /* entries of hq_rs_routes */
static int rs_seq;

struct gnode {
    unsigned types;
    bool typed, closed, unique, has_min, has_max, xmin, xmax;
    int format;
    const char *pattern;
    long long min_len, max_len, min_items, max_items, min_props, max_props;
    double min, max;
    json_t *enums;      /* array or NULL */
    json_t *props;      /* name -> array of the schemas that describe it */
    json_t *required;   /* names */
    json_t *allowed;    /* names a closed part allows (intersection), NULL = no closed part */
    json_t *additional; /* array of schemas */
    json_t *names;      /* array of schemas */
    json_t *items;      /* array of schemas */
    json_t *alts;       /* array of schemas */
    bool one_of;
};

static const char *const ANNOTATIONS[] = {"description", "title",     "example",  "examples",
                                          "default",     "writeOnly", "readOnly", "deprecated",
                                          "$comment",    "$schema",   NULL};

static unsigned type_bit(const char *t)
{
    static const char *const names[] = {"null",   "boolean", "integer", "number",
                                        "string", "array",   "object"};
    for (unsigned i = 0; i < 7; i++)
        if (strcmp(names[i], t) == 0) return 1u << i;
    die("request schema: unknown type \"%s\"", t);
    return 0;
}

static void lbound(long long *dst, json_t *v, bool is_min, const char *kw)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        die("request schema: \"%s\" must be a non-negative integer", kw);
    long long n = json_integer_value(v);
    if (*dst < 0 || (is_min ? n > *dst : n < *dst)) *dst = n;
}

static void nbound(struct gnode *g, json_t *v, bool is_min, bool excl, const char *kw)
{
    if (!json_is_number(v)) die("request schema: \"%s\" must be a number", kw);
    double n = json_number_value(v);
    if (is_min) {
        if (!g->has_min || n > g->min || (n == g->min && excl)) g->min = n, g->xmin = excl;
        g->has_min = true;
    } else {
        if (!g->has_max || n < g->max || (n == g->max && excl)) g->max = n, g->xmax = excl;
        g->has_max = true;
    }
}

static void add_schema(json_t **list, json_t *s)
{
    if (!*list) *list = json_array();
    json_array_append(*list, s);
}

/* Fold one schema into g (allOf semantics: every part must hold). */
static void apply(struct gnode *g, json_t *s, const char *at, int depth)
{
    if (depth > 32) die("request schema at %s: $ref/allOf nested too deep (a cycle?)", at);
    if (json_is_true(s)) return;
    if (!json_is_object(s)) die("request schema at %s: a schema must be an object", at);
    const char *k;
    json_t *v;
    json_object_foreach(s, k, v)
    {
        bool ann = strncmp(k, "x-", 2) == 0;
        for (const char *const *a = ANNOTATIONS; *a && !ann; a++)
            ann = strcmp(*a, k) == 0;
        if (ann) continue;
        if (strcmp(k, "$ref") == 0) {
            const char *ref = json_string_value(v);
            const char *pre = "#/components/schemas/";
            if (!ref || strncmp(ref, pre, strlen(pre)) != 0)
                die("request schema at %s: $ref \"%s\" is not #/components/schemas/…", at,
                    ref ? ref : "?");
            json_t *target = json_object_get(schemas, ref + strlen(pre));
            if (!target) die("request schema at %s: no component %s", at, ref);
            apply(g, target, ref, depth + 1);
        } else if (strcmp(k, "allOf") == 0) {
            size_t i;
            json_t *p;
            if (!json_is_array(v)) die("request schema at %s: allOf is an array", at);
            json_array_foreach(v, i, p) apply(g, p, at, depth + 1);
        } else if (strcmp(k, "oneOf") == 0 || strcmp(k, "anyOf") == 0) {
            if (g->alts) die("request schema at %s: two oneOf/anyOf in one schema", at);
            if (!json_is_array(v) || !json_array_size(v))
                die("request schema at %s: %s is a non-empty array", at, k);
            g->alts = json_incref(v);
            g->one_of = k[1] == 'n';
        } else if (strcmp(k, "type") == 0) {
            unsigned m = 0;
            if (json_is_string(v))
                m = type_bit(json_string_value(v));
            else if (json_is_array(v)) {
                size_t i;
                json_t *t;
                json_array_foreach(v, i, t)
                {
                    if (!json_is_string(t)) die("request schema at %s: type names are strings", at);
                    m |= type_bit(json_string_value(t));
                }
            } else
                die("request schema at %s: \"type\" is a string or an array", at);
            if (m & T_NUM) m |= T_INT;
            g->types = g->typed ? g->types & m : m;
            g->typed = true;
        } else if (strcmp(k, "nullable") == 0) {
            if (json_is_true(v) && g->typed) g->types |= T_NULL;
        } else if (strcmp(k, "enum") == 0 || strcmp(k, "const") == 0) {
            json_t *e = k[0] == 'c' ? json_pack("[O]", v) : json_incref(v);
            if (!json_is_array(e) || !json_array_size(e))
                die("request schema at %s: enum is a non-empty array", at);
            size_t i;
            json_t *x;
            json_array_foreach(e, i, x) if (!json_is_string(x) && !json_is_null(x) &&
                                            !json_is_integer(x) && !json_is_boolean(x))
                die("request schema at %s: enum values must be strings, integers, booleans or "
                    "null (the validator compares no others)",
                    at);
            if (g->enums && !json_equal(g->enums, e))
                die("request schema at %s: two different enums for one value", at);
            json_decref(g->enums);
            g->enums = e;
        } else if (strcmp(k, "minLength") == 0 || strcmp(k, "maxLength") == 0) {
            lbound(k[1] == 'i' ? &g->min_len : &g->max_len, v, k[1] == 'i', k);
        } else if (strcmp(k, "minItems") == 0 || strcmp(k, "maxItems") == 0) {
            lbound(k[1] == 'i' ? &g->min_items : &g->max_items, v, k[1] == 'i', k);
        } else if (strcmp(k, "minProperties") == 0 || strcmp(k, "maxProperties") == 0) {
            lbound(k[1] == 'i' ? &g->min_props : &g->max_props, v, k[1] == 'i', k);
        } else if (strcmp(k, "minimum") == 0 || strcmp(k, "maximum") == 0) {
            nbound(g, v, k[1] == 'i', false, k);
        } else if (strcmp(k, "exclusiveMinimum") == 0 || strcmp(k, "exclusiveMaximum") == 0) {
            nbound(g, v, k[10] == 'i', true, k);
        } else if (strcmp(k, "uniqueItems") == 0) {
            g->unique |= json_is_true(v);
        } else if (strcmp(k, "format") == 0) {
            const char *f = json_string_value(v);
            int fmt = f && strcmp(f, "date") == 0        ? HQ_FMT_DATE
                      : f && strcmp(f, "date-time") == 0 ? HQ_FMT_DATE_TIME
                                                         : -1;
            if (fmt < 0)
                die("request schema at %s: format \"%s\" is not checked by the request validator "
                    "(date and date-time are; or use a pattern)",
                    at, f ? f : "?");
            if (g->format && g->format != fmt) die("request schema at %s: two formats", at);
            g->format = fmt;
        } else if (strcmp(k, "pattern") == 0) {
            const char *p = json_string_value(v);
            if (!p) die("request schema at %s: pattern is a string", at);
            if (g->pattern && strcmp(g->pattern, p) != 0)
                die("request schema at %s: two patterns for one value", at);
            g->pattern = p;
        } else if (strcmp(k, "properties") == 0) {
            const char *name;
            json_t *ps;
            if (!json_is_object(v)) die("request schema at %s: properties is an object", at);
            json_object_foreach(v, name, ps)
            {
                json_t *list = json_object_get(g->props, name);
                if (!list) json_object_set_new(g->props, name, list = json_array());
                json_array_append(list, ps);
            }
        } else if (strcmp(k, "required") == 0) {
            size_t i;
            json_t *r;
            if (!json_is_array(v)) die("request schema at %s: required is an array", at);
            json_array_foreach(v, i, r)
            {
                if (!json_is_string(r)) die("request schema at %s: required names are strings", at);
                json_array_append(g->required, r);
            }
        } else if (strcmp(k, "additionalProperties") == 0) {
            if (json_is_false(v)) {
                /* this part allows only its own properties */
                json_t *mine = json_object(), *own = json_object_get(s, "properties");
                const char *name;
                json_t *x;
                json_object_foreach(own, name, x) json_object_set_new(mine, name, json_true());
                if (g->allowed) {
                    json_t *both = json_object();
                    json_object_foreach(g->allowed, name, x) if (json_object_get(mine, name))
                        json_object_set_new(both, name, json_true());
                    json_decref(g->allowed);
                    json_decref(mine);
                    mine = both;
                }
                g->allowed = mine;
                g->closed = true;
            } else if (!json_is_true(v)) {
                if (g->additional)
                    die("request schema at %s: two additionalProperties schemas", at);
                add_schema(&g->additional, v);
            }
        } else if (strcmp(k, "propertyNames") == 0) {
            add_schema(&g->names, v);
        } else if (strcmp(k, "items") == 0) {
            if (!json_is_object(v) && !json_is_boolean(v))
                die("request schema at %s: items is one schema (prefixItems is not supported)", at);
            add_schema(&g->items, v);
        } else {
            die("request schema at %s: \"%s\" is not supported by the request validator "
                "(tools/gen_api.c): a schema it cannot check would go unchecked",
                at, k);
        }
    }
}

static int compile(json_t *parts, const char *at);

static int compile_one(json_t *s, const char *at)
{
    json_t *a = json_pack("[O]", s);
    int n = compile(a, at);
    json_decref(a);
    return n;
}

/* ECMA-262 (JSON Schema) regular expression to POSIX extended, for the subset patterns use. */
static char *ere(const char *src, const char *at)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    bool br = false;
    for (const char *p = src; *p; p++) {
        char c = *p;
        if (c == '\\') {
            char e = *++p;
            const char *cls = e == 'd' || e == 'D'   ? "0-9"
                              : e == 's' || e == 'S' ? "[:space:]"
                              : e == 'w' || e == 'W' ? "[:alnum:]_"
                                                     : NULL;
            if (cls && (e == 'd' || e == 's' || e == 'w')) {
                fprintf(f, br ? "%s" : "[%s]", cls);
            } else if (cls) {
                if (br) die("pattern %s at %s: \\%c inside [...] is not supported", src, at, e);
                fprintf(f, "[^%s]", cls);
            } else if (e && strchr(".^$|?*+()[]{}/-", e)) {
                if (br && strchr("]^-", e))
                    die("pattern %s at %s: an escaped %c inside [...] is not supported", src, at,
                        e);
                if (br || e == '/' || e == '-')
                    fputc(e, f);
                else
                    fprintf(f, "\\%c", e);
            } else {
                die("pattern %s at %s: \\%c is not supported by the request validator", src, at,
                    e ? e : ' ');
            }
            continue;
        }
        if (br) {
            if (c == ']') br = false;
            fputc(c, f);
            continue;
        }
        if (c == '[') {
            br = true;
            fputc(c, f);
            if (p[1] == '^') fputc(*++p, f);
            if (p[1] == ']') die("pattern %s at %s: [] or [^] is not supported", src, at);
            continue;
        }
        if (c == '(' && p[1] == '?')
            die("pattern %s at %s: (?…) groups are not supported", src, at);
        if (strchr("*+?}", c) && p[1] == '?')
            die("pattern %s at %s: lazy quantifiers are not supported", src, at);
        fputc(c, f);
    }
    fclose(f);
    if (br) die("pattern %s at %s: unclosed [", src, at);
    regex_t rx;
    if (regcomp(&rx, out, REG_EXTENDED | REG_NOSUB) != 0)
        die("pattern %s at %s: not a regular expression the server can compile (as %s)", src, at,
            out);
    regfree(&rx);
    return out;
}

static void c_str_or_null(FILE *f, const char *s)
{
    if (s)
        c_string(f, s);
    else
        fputs("NULL", f);
}

static int new_node(void)
{
    if (rs_n == rs_cap) {
        rs_cap = rs_cap ? rs_cap * 2 : 256;
        rs_node = realloc(rs_node, rs_cap * sizeof *rs_node);
        if (!rs_node) die("out of memory");
    }
    rs_node[rs_n] = NULL;
    return (int)rs_n++;
}

/* Compile the conjunction of parts into a node; returns its index. */
static int compile(json_t *parts, const char *at)
{
    struct gnode g = {.min_len = -1,
                      .max_len = -1,
                      .min_items = -1,
                      .max_items = -1,
                      .min_props = -1,
                      .max_props = -1};
    g.props = json_object();
    g.required = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(parts, i, p) apply(&g, p, at, 0);
    int me = new_node(), seq = rs_seq++;
    char sub[512];

    /* properties */
    const char *name;
    json_t *list;
    if (g.allowed) {
        json_object_foreach(g.props, name, list) if (!json_object_get(g.allowed, name))
            die("request schema at %s: property \"%s\" is refused by a closed part of an allOf", at,
                name);
        if (g.additional)
            die("request schema at %s: additionalProperties both false and a schema", at);
    }
    json_array_foreach(g.required, i, p) if (!json_object_get(g.props, json_string_value(p)))
    {
        if (g.closed)
            die("request schema at %s: \"%s\" is required but not allowed", at,
                json_string_value(p));
        json_object_set_new(g.props, json_string_value(p), json_array());
    }
    size_t np = json_object_size(g.props);
    int *pnode = np ? calloc(np, sizeof *pnode) : NULL;
    size_t k = 0;
    json_object_foreach(g.props, name, list)
    {
        snprintf(sub, sizeof sub, "%s/%s", at, name);
        pnode[k++] = json_array_size(list) ? compile(list, sub) : compile_one(json_true(), sub);
    }
    if (np) {
        fprintf(rs_aux, "static const struct hq_rs_prop rs_p%d[] = {\n", seq);
        k = 0;
        json_object_foreach(g.props, name, list)
        {
            bool req = false;
            size_t j;
            json_t *r;
            json_array_foreach(g.required, j, r) req |= strcmp(json_string_value(r), name) == 0;
            fputs("    {", rs_aux);
            c_string(rs_aux, name);
            fprintf(rs_aux, ", %d, %s},\n", pnode[k++], req ? "true" : "false");
        }
        fputs("};\n", rs_aux);
    }
    free(pnode);
    snprintf(sub, sizeof sub, "%s/additionalProperties", at);
    int additional = g.additional ? compile(g.additional, sub) : -1;
    snprintf(sub, sizeof sub, "%s/propertyNames", at);
    int names = g.names ? compile(g.names, sub) : -1;
    snprintf(sub, sizeof sub, "%s/items", at);
    int items = g.items ? compile(g.items, sub) : -1;
    size_t na = json_array_size(g.alts);
    if (na) {
        int *an = calloc(na, sizeof *an);
        json_array_foreach(g.alts, i, p)
        {
            snprintf(sub, sizeof sub, "%s/%s/%zu", at, g.one_of ? "oneOf" : "anyOf", i);
            an[i] = compile_one(p, sub);
        }
        fprintf(rs_aux, "static const int rs_a%d[] = {", seq);
        for (i = 0; i < na; i++)
            fprintf(rs_aux, "%s%d", i ? ", " : "", an[i]);
        fputs("};\n", rs_aux);
        free(an);
    }
    char *etext = NULL;
    size_t ne = json_array_size(g.enums);
    if (ne) {
        size_t el = 0;
        FILE *t = open_memstream(&etext, &el);
        fprintf(rs_aux, "static const struct hq_rs_enum rs_e%d[] = {\n", seq);
        json_array_foreach(g.enums, i, p)
        {
            if (json_is_string(p)) {
                fputs("    {HQ_RS_STR, ", rs_aux);
                c_string(rs_aux, json_string_value(p));
                fputs(", 0},\n", rs_aux);
                fprintf(t, "%s%s", i ? ", " : "", json_string_value(p));
            } else if (json_is_null(p)) {
                fputs("    {HQ_RS_NULL, NULL, 0},\n", rs_aux);
                fprintf(t, "%snull", i ? ", " : "");
            } else if (json_is_boolean(p)) {
                fprintf(rs_aux, "    {HQ_RS_BOOL, NULL, %d},\n", json_is_true(p));
                fprintf(t, "%s%s", i ? ", " : "", json_is_true(p) ? "true" : "false");
            } else {
                fprintf(rs_aux, "    {HQ_RS_INT, NULL, %lldLL},\n",
                        (long long)json_integer_value(p));
                fprintf(t, "%s%lld", i ? ", " : "", (long long)json_integer_value(p));
            }
        }
        fputs("};\n", rs_aux);
        fclose(t);
    }
    int pat = -1;
    if (g.pattern) {
        json_array_foreach(rs_pat, i, p) if (strcmp(json_string_value(json_array_get(p, 1)),
                                                    g.pattern) == 0) pat = (int)i;
        if (pat < 0) {
            char *posix = ere(g.pattern, at);
            pat = (int)json_array_size(rs_pat);
            json_array_append_new(rs_pat, json_pack("[s,s]", posix, g.pattern));
            free(posix);
        }
    }
    if (g.has_min && g.has_max && (g.min > g.max))
        die("request schema at %s: minimum above maximum", at);

    char *text = NULL;
    size_t tl = 0;
    FILE *f = open_memstream(&text, &tl);
    fprintf(f,
            "    /* %d %s */ {0x%x, 0x%x, %d, %d, %lld, %lld, %lld, %lld, %lld, %lld, %.17g, "
            "%.17g, ",
            me, at, g.typed ? g.types : 0u,
            (g.closed ? 1u : 0u) | (g.unique ? 2u : 0u) | (g.has_min ? 4u : 0u) |
                (g.has_max ? 8u : 0u) | (g.xmin ? 16u : 0u) | (g.xmax ? 32u : 0u) |
                (g.one_of ? 64u : 0u),
            g.format, pat, g.min_len, g.max_len, g.min_items, g.max_items, g.min_props, g.max_props,
            g.has_min ? g.min : 0.0, g.has_max ? g.max : 0.0);
    if (ne)
        fprintf(f, "rs_e%d, %zu, ", seq, ne);
    else
        fputs("NULL, 0, ", f);
    c_str_or_null(f, etext);
    if (np)
        fprintf(f, ", rs_p%d, %zu, ", seq, np);
    else
        fputs(", NULL, 0, ", f);
    fprintf(f, "%d, %d, %d, ", additional, names, items);
    if (na)
        fprintf(f, "rs_a%d, %zu},\n", seq, na);
    else
        fputs("NULL, 0},\n", f);
    fclose(f);
    free(etext);
    rs_node[me] = text;
    json_decref(g.props);
    json_decref(g.required);
    json_decref(g.allowed);
    json_decref(g.additional);
    json_decref(g.names);
    json_decref(g.items);
    json_decref(g.alts);
    json_decref(g.enums);
    return me;
}

/* The request schema(s) of one route into hq_rs_routes. */
static void request_tables(json_t *route, const char *method, const char *pat)
{
    json_t *req = json_object_get(route, "request");
    json_t *per = json_object_get(route, "x-request-per");
    if (per && !req) die("\"x-request-per\" goes with a \"request\"");
    if (!req) return;
    json_t *schema = json_object_get(req, "schema");
    char at[512];
    if (!per) {
        snprintf(at, sizeof at, "%s %s", method, pat);
        int node = compile_one(schema, at);
        fprintf(rs_routes, "    {\"%s\", \"%s\", -1, NULL, %d, %s},\n", method, pat, node,
                json_is_true(json_object_get(req, "required")) ? "true" : "false");
        return;
    }
    /* one schema per value of a path parameter: {"param": "action", "schemas": {value: schema}} */
    const char *param = str(per, "param", true);
    json_t *by = json_object_get(per, "schemas");
    if (!json_is_object(by)) die("\"x-request-per\" needs \"schemas\": {value: schema}");
    int index = -1, n = 0;
    for (const char *p = strchr(pat, '{'); p; p = strchr(p + 1, '{'), n++) {
        size_t l = strlen(param);
        if (strncmp(p + 1, param, l) == 0 && p[1 + l] == '}') index = n;
    }
    if (index < 0) die("\"x-request-per\": no {%s} in the path", param);
    json_t *en = json_object_get(
        json_object_get(json_object_get(json_object_get(route, "params"), param), "schema"),
        "enum");
    if (!json_is_array(en)) die("\"x-request-per\": the parameter {%s} needs an enum", param);
    size_t i;
    json_t *v;
    json_array_foreach(en, i, v)
    {
        const char *val = json_string_value(v);
        if (!val || !json_object_get(by, val))
            die("\"x-request-per\": no schema for {%s} = %s", param, val ? val : "?");
    }
    const char *val;
    json_object_foreach(by, val, v)
    {
        bool listed = false;
        size_t j;
        json_t *e;
        json_array_foreach(en, j, e) listed |=
            json_is_string(e) && strcmp(json_string_value(e), val) == 0;
        if (!listed) die("\"x-request-per\": %s is not in the enum of {%s}", val, param);
        snprintf(at, sizeof at, "%s %s (%s %s)", method, pat, param, val);
        int node = compile_one(v, at);
        fprintf(rs_routes, "    {\"%s\", \"%s\", %d, ", method, pat, index);
        c_string(rs_routes, val);
        fprintf(rs_routes, ", %d, true},\n", node);
    }
}

static void request_tables_write(FILE *c, const char *aux, const char *routes)
{
    fputs("\n/* ---- request schemas (src/http/req_schema.h) ---- */\n", c);
    fputs(aux, c);
    fputs("const struct hq_rs_node hq_rs_nodes[] = {\n", c);
    for (size_t i = 0; i < rs_n; i++)
        fputs(rs_node[i], c);
    fputs("};\nconst struct hq_rs_route hq_rs_routes[] = {\n", c);
    fputs(routes, c);
    fputs("    {0},\n};\nconst char *const hq_rs_patterns[] = {\n", c);
    size_t i;
    json_t *p;
    json_array_foreach(rs_pat, i, p)
    {
        fputs("    ", c);
        c_string(c, json_string_value(json_array_get(p, 0)));
        fputs(",\n", c);
    }
    fputs("    NULL,\n};\nconst char *const hq_rs_pattern_src[] = {\n", c);
    json_array_foreach(rs_pat, i, p)
    {
        fputs("    ", c);
        c_string(c, json_string_value(json_array_get(p, 1)));
        fputs(",\n", c);
    }
    fprintf(c, "    NULL,\n};\nconst int hq_rs_n_patterns = %zu;\n", json_array_size(rs_pat));
}

/* ---- main ---- */

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: gen_api API_DIR OUT_DIR\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/openapi-base.json", argv[1]);
    where = path;
    json_t *doc = load(path);
    json_t *paths = json_object();
    json_object_set_new(doc, "paths", paths);
    shared_errors = json_object();
    json_t *components = json_object_get(doc, "components");
    if (!json_is_object(components)) die("\"components\" is required");
    json_object_set_new(components, "responses", shared_errors);
    schemas = json_object_get(components, "schemas");
    rs_pat = json_array();
    char *rs_aux_text = NULL, *rs_routes_text = NULL;
    size_t rs_aux_len = 0, rs_routes_len = 0;
    rs_aux = open_memstream(&rs_aux_text, &rs_aux_len);
    rs_routes = open_memstream(&rs_routes_text, &rs_routes_len);

    snprintf(path, sizeof path, "%s/routes", argv[1]);
    DIR *dir = opendir(path);
    if (!dir) die("cannot open %s", path);
    char *names[256];
    size_t n = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0 && n < 256)
            names[n++] = strdup(e->d_name);
    }
    closedir(dir);
    qsort(names, n, sizeof names[0], cmp);

    snprintf(path, sizeof path, "%s/routes.gen.inc", argv[2]);
    FILE *c = fopen(path, "w");
    if (!c) die("cannot write %s", path);
    fprintf(c, "/* generated by tools/gen_api.c from the JSON files of api/: do not edit */\n");
    fprintf(c, "#include \"http/req_schema.h\"\n");
    char *table = NULL;
    size_t table_len = 0;
    FILE *t = open_memstream(&table, &table_len);
    int count = 0;
    for (size_t k = 0; k < n; k++) {
        char file[4096];
        snprintf(file, sizeof file, "%s/routes/%s", argv[1], names[k]);
        where = file;
        json_t *list = load(file);
        if (!json_is_array(list)) die("a route file holds an array of routes");
        size_t i;
        json_t *route;
        json_array_foreach(list, i, route)
        {
            char w[4600];
            snprintf(w, sizeof w, "%s: route %zu (%s %s)", file, i,
                     json_string_value(json_object_get(route, "method")),
                     json_string_value(json_object_get(route, "path")));
            where = w;
            check_keys(route, ROUTE_KEYS);
            const char *method = str(route, "method", true), *pat = str(route, "path", true);
            if (strncmp(pat, "/api/v1/", 8) != 0 && strcmp(pat, "/api/docs") != 0)
                die("paths start with /api/v1/");
            struct roles r = read_roles(route);
            const char *rate_s = str(route, "rate", false);
            int rate = 0;
            if (rate_s) {
                rate = -1;
                for (int q = 0; q < 5; q++)
                    if (strcmp(RATES[q], rate_s) == 0) rate = q;
                if (rate < 0) die("unknown rate class \"%s\"", rate_s);
            }
            char lower[8] = {0};
            for (int q = 0; method[q] && q < 7; q++)
                lower[q] = (char)(method[q] | 0x20);
            const char *rel = strncmp(pat, "/api/v1", 7) == 0 ? pat + 7 : pat;
            /* "document": false keeps a route (the reference page) out of the API document */
            if (!json_is_false(json_object_get(route, "document"))) {
                json_t *item = json_object_get(paths, rel);
                if (!item) json_object_set_new(paths, rel, item = json_object());
                if (json_object_get(item, lower)) die("two routes with the same method and path");
                json_object_set_new(item, lower, operation(route, &r, rate));
            }

            request_tables(route, method, pat);
            const char *handler = str(route, "handler", false);
            if (!handler) continue; /* served outside the table (the event stream) */
            char mask[256];
            roles_c(&r, mask, sizeof mask);
            bool optional = r.pub && json_object_get(route, "auth") &&
                            strcmp(str(route, "auth", false), "optional") == 0;
            const char *fn = handler;
            char gate[160];
            if (r.device) {
                /* The server lets it through as public with the actor resolved; the gate admits a
                 * registered device or one of the staff roles, as the document says. */
                snprintf(gate, sizeof gate, "gate_%s", handler);
                fn = gate;
                fprintf(c,
                        "HQ_API(%s);\nstatic HQ_API(%s)\n{\n"
                        "    if (!req->actor.device && !((%s) & HQ_R(req->actor.role)))\n"
                        "        return hq_fail(why, req->actor.role == HQ_ROLE_NONE ? HQ_EUNAUTH "
                        ": HQ_EFORBIDDEN, \"\",\n"
                        "                       \"a registered device (X-Device-Key) or a sign-in "
                        "as %s is required\");\n"
                        "    return %s(a, req, res, why);\n}\n",
                        handler, gate, mask, staff_text(&r), handler);
            } else {
                fprintf(c, "HQ_API(%s);\n", handler);
            }
            fprintf(t, "    {\"%s\", \"%s\", %s, %s, %s%s, ", method, pat, fn,
                    r.device ? "0" : mask, optional || r.device ? "HQ_RT_AUTH_OPTIONAL" : "0",
                    json_is_true(json_object_get(route, "raw_body")) ? " | HQ_RT_RAW_BODY" : "");
            json_t *sum = json_object_get(route, "summary");
            c_string(t, str(sum, "en", true));
            fputs(", ", t);
            c_string(t, str(sum, "zh", true));
            fprintf(t, ", %s, %s%s},\n", RATES_C[rate], mask, r.device ? " | HQ_R_DEVICE" : "");
            count++;
        }
        json_decref(list);
        free(names[k]);
    }
    fclose(t);
    fprintf(c, "\nconst struct hq_route hq_routes[] = {\n%s    {0},\n};\n", table);
    free(table);
    fclose(rs_aux);
    fclose(rs_routes);
    request_tables_write(c, rs_aux_text, rs_routes_text);
    free(rs_aux_text);
    free(rs_routes_text);
    fclose(c);

    snprintf(path, sizeof path, "%s/openapi.json", argv[2]);
    where = path;
    if (json_dump_file(doc, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0)
        die("cannot write the document");
    json_decref(doc);
    fprintf(stderr, "gen_api: %d routes\n", count);
    return 0;
}
