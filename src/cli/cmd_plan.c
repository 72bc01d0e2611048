/* SPDX-License-Identifier: MIT */
/*
 * cmd_plan.c — `hallq plan --db FILE [--date D] [--target-wait-s T] [--service-level L]
 * [--weeks N] [--holidays LIST] [--what-if JSON]`: the window plan of a day from the hall's
 * history, printed as the JSON of GET /api/v1/plan (or, with --what-if, of POST
 * /api/v1/plan/what-if). Reads the database only (safe while the server runs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/hq_app.h"
#include "cli_opts.h"
#include "hq_cli.h"

static int number(const char *flag, const char *v, bool integer, json_t *in, const char *key)
{
    char *end = NULL;
    double d = strtod(v, &end);
    if (!*v || *end || (integer && d != (double)(long long)d)) {
        fprintf(stderr, "hallq plan: --%s: not %s: '%s'\n", flag,
                integer ? "an integer" : "a number", v);
        return 2;
    }
    json_object_set_new(in, key, integer ? json_integer((json_int_t)d) : json_real(d));
    return 0;
}

/* "2026-10-01=closed,2026-10-11=mon" -> [{"date","as"}] */
static json_t *holidays(const char *list)
{
    json_t *arr = json_array();
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(p, '=');
        if (eq) *eq = '\0';
        json_array_append_new(arr, json_pack("{s:s,s:s}", "date", p, "as", eq ? eq + 1 : "closed"));
    }
    return arr;
}

int cmd_plan(int argc, char **argv)
{
    static const char *const allowed[] = {"db",    "date",     "target-wait-s", "service-level",
                                          "weeks", "holidays", "what-if",       NULL};
    struct hq_opts o;
    if (hq_opts_parse(&o, argc, argv, allowed, "plan")) return 2;
    if (o.help) {
        printf(
            "usage: hallq plan --db FILE [--date YYYY-MM-DD] [--target-wait-s T]\n"
            "                  [--service-level L] [--weeks N] [--holidays LIST]\n"
            "                  [--what-if JSON]\n\n"
            "The window plan of a day from the hall's history, as JSON (the answer of\n"
            "GET /api/v1/plan): forecast arrivals per service and half hour, the windows each\n"
            "group of services sharing windows needs so that a share L (default 0.8) is\n"
            "called within T seconds (default the hall's target), by Erlang C and checked by\n"
            "simulation, with the predicted service level and waits, and the forecast's error\n"
            "on the last four weeks. --date defaults to today; --weeks of history (default 8).\n"
            "--holidays 2026-10-01=closed,2026-10-11=mon adds to the stored holidays.\n"
            "--what-if '{\"windows\":{\"A,B\":4}}' prints the simulated waits with those windows\n"
            "(POST /api/v1/plan/what-if). Exit: 0 ok, 1 failure, 2 usage error.\n");
        return 0;
    }
    const char *db = hq_opt(&o, "db", NULL);
    if (!db) {
        fprintf(stderr, "hallq plan: --db FILE is required\n");
        return 2;
    }
    if (hq_cli_db_existing("plan", db)) return 1;
    json_t *in = NULL;
    const char *wi = hq_opt(&o, "what-if", NULL);
    if (wi) {
        json_error_t err;
        in = json_loads(wi, 0, &err);
        if (!json_is_object(in)) {
            fprintf(stderr, "hallq plan: --what-if: a JSON object is expected: %s\n", err.text);
            json_decref(in);
            return 2;
        }
    } else {
        in = json_object();
    }
    const char *v;
    int rc = 0;
    if ((v = hq_opt(&o, "date", NULL))) json_object_set_new(in, "date", json_string(v));
    if (!rc && (v = hq_opt(&o, "target-wait-s", NULL)))
        rc = number("target-wait-s", v, true, in, "target_wait_s");
    if (!rc && (v = hq_opt(&o, "service-level", NULL)))
        rc = number("service-level", v, false, in, "service_level");
    if (!rc && (v = hq_opt(&o, "weeks", NULL))) rc = number("weeks", v, true, in, "weeks");
    if (!rc && (v = hq_opt(&o, "holidays", NULL))) json_object_set_new(in, "holidays", holidays(v));
    if (rc) {
        json_decref(in);
        return rc;
    }
    json_t *out = NULL;
    struct hq_why why = {0};
    rc = hq_plan_from_db(db, in, wi != NULL, &out, &why);
    json_decref(in);
    if (rc) {
        fprintf(stderr, "hallq plan: %s%s%s\n", why.field[0] ? why.field : "",
                why.field[0] ? ": " : "", why.message);
        return rc == HQ_EINVAL ? 2 : 1;
    }
    char *text = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(6));
    json_decref(out);
    if (!text) return 1;
    printf("%s\n", text);
    free(text);
    return 0;
}
