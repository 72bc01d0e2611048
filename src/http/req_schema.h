/* SPDX-License-Identifier: MIT */
/*
 * req_schema.h — the request schemas of the API as compact C tables, and their validator.
 *
 * tools/gen_api.c compiles the request body schema of every route of api/routes/ (and, for the
 * window and complaint actions, the schema of each action: the route's "x-request-per") into the
 * tables below, emitted into routes.gen.inc. The server runs hq_reqschema_check on every JSON
 * request body before the handler (req_schema.c), so what the document says a body must be is
 * what the server refuses: 400 invalid_field naming the field at fault as a path
 * ("services[1]", "certifications[0].expires_on").
 */
#ifndef HQ_REQ_SCHEMA_H
#define HQ_REQ_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>

#include "../core/hq_core.h"

/* JSON types of a node (JSON Schema "type"); 0 = any */
enum {
    HQ_RS_NULL = 1,
    HQ_RS_BOOL = 2,
    HQ_RS_INT = 4,
    HQ_RS_NUM = 8, /* any number, integers included */
    HQ_RS_STR = 16,
    HQ_RS_ARR = 32,
    HQ_RS_OBJ = 64,
};
enum { HQ_RS_FMT_NONE, HQ_RS_FMT_DATE, HQ_RS_FMT_DATE_TIME };
enum {
    HQ_RS_CLOSED = 1, /* additionalProperties: false */
    HQ_RS_UNIQUE = 2, /* uniqueItems: true */
    HQ_RS_HAS_MIN = 4,
    HQ_RS_HAS_MAX = 8,
    HQ_RS_XMIN = 16, /* the minimum is exclusive */
    HQ_RS_XMAX = 32,
    HQ_RS_ONE_OF = 64, /* alts: exactly one must match (else anyOf: at least one) */
};

struct hq_rs_prop {
    const char *name;
    int node;
    bool required;
};

struct hq_rs_enum {
    int type; /* HQ_RS_NULL, HQ_RS_BOOL, HQ_RS_INT or HQ_RS_STR */
    const char *s;
    long long i; /* the integer, or the boolean as 0/1 */
};

struct hq_rs_node {
    unsigned types, flags;
    int format;
    int pattern;                                          /* index into hq_rs_patterns, -1 none */
    long long min_len, max_len;                           /* in characters (code points), -1 none */
    long long min_items, max_items, min_props, max_props; /* -1 none */
    double min, max;                                      /* with HQ_RS_HAS_MIN / _MAX */
    const struct hq_rs_enum *enums;
    int n_enums;
    const char *enum_text; /* the allowed values for the message: "normal, priority" */
    const struct hq_rs_prop *props;
    int n_props;
    int additional; /* node of additionalProperties, -1 none */
    int names;      /* node of propertyNames, -1 none */
    int items;      /* node of items, -1 none */
    const int *alts;
    int n_alts;
};

/* A request schema of a route (method and pattern as in hq_routes); with param >= 0 it applies
 * when that path parameter (0-based) equals value: the schema of one action. */
struct hq_rs_route {
    const char *method, *pattern;
    int param;
    const char *value;
    int node;
    bool body_required; /* no body is checked as {} */
};

/* The tables (routes.gen.inc); hq_rs_routes ends with a zero entry. */
extern const struct hq_rs_node hq_rs_nodes[];
extern const struct hq_rs_route hq_rs_routes[];
extern const char *const hq_rs_patterns[];    /* POSIX extended regular expressions */
extern const char *const hq_rs_pattern_src[]; /* as the schema writes them */
extern const int hq_rs_n_patterns;

/* The schema of a request: NULL when the route has none. */
const struct hq_rs_route *hq_reqschema_find(const char *method, const char *pattern,
                                            char params[2][128], int n_params);

/* Check body (NULL: no body) against the request schema of the route. 0 or HQ_EINVAL (400
 * invalid_field) with why->field the path of the value at fault. */
int hq_reqschema_check(const char *method, const char *pattern, char params[2][128], int n_params,
                       json_t *body, struct hq_why *why);

/* Check a value against one node (tests and the fuzzer); path names the value in messages. */
int hq_reqschema_check_node(int node, json_t *v, const char *path, struct hq_why *why);

#endif
