/* SPDX-License-Identifier: MIT */
/*
 * uc_calendar.c — the working-day calendar (API.md "Working-day calendar"): per year the holidays
 * (days without service, whatever the hours say) and the make-up working days (调休, a weekend day
 * served with Monday's hours). One document of kind "calendar" per year, keyed by the year,
 * written through the same batch and event path as every change. Appointment slots read it
 * (hq__calendar_load); the rules are in src/core/calendar.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/hq_booking.h"
#include "app_int.h"

static int parse_year(const char *s, int32_t *year, struct hq_why *why)
{
    char *end = NULL;
    long y = s ? strtol(s, &end, 10) : 0;
    if (!s || !*s || *end || strlen(s) != 4 || y < 1970 || y > 9999)
        return hq_fail(why, HQ_EINVAL, "year", "year: a year such as 2027");
    *year = (int32_t)y;
    return 0;
}

/* A list of "YYYY-MM-DD" into the calendar; HQ_EINVAL naming the list. */
static int parse_days(json_t *arr, bool workday, struct hq_calendar *c, struct hq_why *why)
{
    const char *field = workday ? "workdays" : "holidays";
    if (!arr || json_is_null(arr)) return 0;
    if (!json_is_array(arr) || json_array_size(arr) > HQ_CAL_MAX)
        return hq_fail(why, HQ_EINVAL, field, "%s: an array of at most %d dates YYYY-MM-DD", field,
                       HQ_CAL_MAX);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        int32_t d = 0;
        if (!json_is_string(v) || hq__parse_date(json_string_value(v), &d) != 0 ||
            !hq_day_valid(d) || hq_calendar_add(c, workday, d) != 0)
            return hq_fail(why, HQ_EINVAL, field, "%s: an array of at most %d dates YYYY-MM-DD",
                           field, HQ_CAL_MAX);
    }
    return 0;
}

static json_t *days_json(const int32_t *v, int n)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        char buf[16];
        hq__format_date(v[i], buf, sizeof buf);
        json_array_append_new(arr, json_string(buf));
    }
    return arr;
}

/* The stored lists of year added to c (nothing when none are stored). Takes reader_mu: call
 * without mu. */
static int load_year(struct hq_app *a, int32_t year, struct hq_calendar *c)
{
    char key[8], *text = NULL;
    snprintf(key, sizeof key, "%d", (int)year);
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->doc_get(a->reader, "calendar", key, &text);
    pthread_mutex_unlock(&a->reader_mu);
    if (rc != 0 || !text) {
        free(text);
        return 0;
    }
    json_t *d = json_loads(text, 0, NULL);
    free(text);
    struct hq_why why;
    if (d) {
        parse_days(json_object_get(d, "holidays"), false, c, &why);
        parse_days(json_object_get(d, "workdays"), true, c, &why);
    }
    json_decref(d);
    return 0;
}

int hq__calendar_load(struct hq_app *a, int32_t from_day, int32_t to_day, struct hq_calendar *c)
{
    hq_calendar_init(c);
    for (int32_t y = from_day / 10000; y <= to_day / 10000 && y <= from_day / 10000 + 1; y++)
        load_year(a, y, c);
    return 0;
}

static json_t *year_json(int32_t year, const struct hq_calendar *c)
{
    return json_pack("{s:i,s:o,s:o}", "year", (int)year, "holidays",
                     days_json(c->holidays, c->n_holidays), "workdays",
                     days_json(c->workdays, c->n_workdays));
}

int hq_app_calendar_get(struct hq_app *a, const char *year_s, json_t **out, struct hq_why *why)
{
    int32_t year = 0;
    int rc = parse_year(year_s, &year, why);
    if (rc) return rc;
    struct hq_calendar *c = malloc(sizeof *c);
    if (!c) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    hq_calendar_init(c);
    load_year(a, year, c);
    *out = year_json(year, c);
    free(c);
    return 0;
}

int hq_app_calendar_put(struct hq_app *a, const struct hq_actor *who, const char *year_s,
                        json_t *in, json_t **out, struct hq_why *why)
{
    static const char *const known[] = {"year", "holidays", "workdays", NULL};
    int32_t year = 0;
    int rc = parse_year(year_s, &year, why);
    if (rc) return rc;
    if (!in) return hq_fail(why, HQ_EINVAL, "holidays", "holidays: required");
    if ((rc = hq__in_known(in, known, why))) return rc;
    json_t *y = json_object_get(in, "year");
    if (y && !json_is_null(y) && (!json_is_integer(y) || json_integer_value(y) != year))
        return hq_fail(why, HQ_EINVAL, "year", "year: must be the year of the path, %d", (int)year);
    if (!json_is_array(json_object_get(in, "holidays")))
        return hq_fail(why, HQ_EINVAL, "holidays", "holidays: required");
    struct hq_calendar *c = malloc(sizeof *c);
    if (!c) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    hq_calendar_init(c);
    rc = parse_days(json_object_get(in, "holidays"), false, c, why);
    if (!rc) rc = parse_days(json_object_get(in, "workdays"), true, c, why);
    if (!rc) rc = hq_calendar_check(c, year, why);
    if (rc) {
        free(c);
        return rc;
    }
    json_t *doc = year_json(year, c);
    char *text = json_dumps(doc, JSON_COMPACT);
    char key[8];
    snprintf(key, sizeof key, "%d", (int)year);
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    hq_batch_doc(&b, "calendar", key, text ? text : "{}", hq_app_time(a));
    hq__app_event(a, &b, who->username, "calendar.updated",
                  json_pack("{s:i,s:i,s:i}", "year", (int)year, "holidays", c->n_holidays,
                            "workdays", c->n_workdays));
    free(text);
    free(c);
    rc = hq__app_commit_unlock(a, &b, why);
    if (rc) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return 0;
}
