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
    fclose(c);

    snprintf(path, sizeof path, "%s/openapi.json", argv[2]);
    where = path;
    if (json_dump_file(doc, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0)
        die("cannot write the document");
    json_decref(doc);
    fprintf(stderr, "gen_api: %d routes\n", count);
    return 0;
}
