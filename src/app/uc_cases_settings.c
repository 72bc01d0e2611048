/* SPDX-License-Identifier: MIT */
/*
 * uc_cases_settings.c — the hall's evaluation settings (docs/EVALUATION.md): how long after a
 * stage finished its customer may still rate it (late rating from the tracking page, 24 h by
 * default), the level an unrated stage takes after N days (none by default) and the working days
 * a bad review's case has. One document setting/evaluation, read through the read handle when
 * needed (a few times a minute at most), written through the batch and event path. Also the one
 * place deadlines in working days are computed from the hall's calendar (hq__workdays_after: same
 * time of day; hq__workdays_end: the end of the due day, for the complaint acknowledgement), and
 * the periodic work of the closed loop (hq__cases_tick).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/hq_booking.h"
#include "app_int.h"
#include "hq_appointments.h"
#include "hq_cases.h"

#define LATE_DEFAULT_H 24
#define DEFAULT_AFTER_DAYS 7
#define CASE_WORKING_DAYS 5

static void defaults(struct hq_eval_settings *s)
{
    s->late_rating_h = LATE_DEFAULT_H;
    s->default_level = 0;
    s->default_after_days = DEFAULT_AFTER_DAYS;
    s->case_working_days = CASE_WORKING_DAYS;
}

static int geti(json_t *o, const char *k, int min, int max, int dflt)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v)) return dflt;
    json_int_t n = json_integer_value(v);
    return n < min || n > max ? dflt : (int)n;
}

static void from_json(json_t *o, struct hq_eval_settings *s)
{
    s->late_rating_h = geti(o, "late_rating_h", 1, 720, s->late_rating_h);
    s->default_level = json_is_null(json_object_get(o, "default_level"))
                           ? 0
                           : geti(o, "default_level", 1, 5, s->default_level);
    s->default_after_days = geti(o, "default_after_days", 1, 60, s->default_after_days);
    s->case_working_days = geti(o, "case_working_days", 1, 60, s->case_working_days);
}

void hq__eval_settings_read(struct hq_app *a, struct hq_eval_settings *s)
{
    defaults(s);
    char *text = NULL;
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->doc_get(a->reader, "setting", "evaluation", &text);
    pthread_mutex_unlock(&a->reader_mu);
    if (rc == 0 && text) {
        json_t *o = json_loads(text, 0, NULL);
        if (o) from_json(o, s);
        json_decref(o);
    }
    free(text);
}

static json_t *to_json(const struct hq_eval_settings *s)
{
    json_t *o = json_pack("{s:i,s:i,s:i}", "late_rating_h", s->late_rating_h, "default_after_days",
                          s->default_after_days, "case_working_days", s->case_working_days);
    json_object_set_new(o, "default_level",
                        s->default_level ? json_integer(s->default_level) : json_null());
    return o;
}

int hq_app_eval_settings_get(struct hq_app *a, json_t **out)
{
    struct hq_eval_settings s;
    hq__eval_settings_read(a, &s);
    *out = to_json(&s);
    return 0;
}

int hq_app_eval_settings_put(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                             struct hq_why *why)
{
    static const char *const known[] = {"late_rating_h", "default_level", "default_after_days",
                                        "case_working_days", NULL};
    if (!in) return hq_fail(why, HQ_EINVAL, "late_rating_h", "late_rating_h: required");
    int rc = hq__in_known(in, known, why);
    struct hq_eval_settings s;
    hq__eval_settings_read(a, &s);
    int64_t late = s.late_rating_h, lvl = s.default_level, after = s.default_after_days,
            days = s.case_working_days;
    if (!rc) rc = hq__in_int(in, "late_rating_h", false, 1, 720, &late, why);
    json_t *dl = json_object_get(in, "default_level");
    if (!rc && dl && json_is_null(dl))
        lvl = 0;
    else if (!rc)
        rc = hq__in_int(in, "default_level", false, 1, 5, &lvl, why);
    if (!rc) rc = hq__in_int(in, "default_after_days", false, 1, 60, &after, why);
    if (!rc) rc = hq__in_int(in, "case_working_days", false, 1, 60, &days, why);
    if (rc) return rc;
    s.late_rating_h = (int)late;
    s.default_level = (int)lvl;
    s.default_after_days = (int)after;
    s.case_working_days = (int)days;
    json_t *doc = to_json(&s);
    char *text = json_dumps(doc, JSON_COMPACT);
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    hq_batch_doc(&b, "setting", "evaluation", text ? text : "{}", hq_app_time(a));
    free(text);
    hq__app_event(a, &b, who->username, "evaluation.settings", json_deep_copy(doc));
    rc = hq__app_commit_unlock(a, &b, why);
    if (rc) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return 0;
}

int64_t hq__workdays_after(struct hq_app *a, int64_t t, int n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    int32_t day = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    struct hq_calendar *c = malloc(sizeof *c);
    if (!c) return t + (int64_t)n * 86400;
    hq__calendar_load(a, day, hq_day_plus(day, 365), c);
    int32_t due = hq_calendar_add_workdays(c, day, n);
    free(c);
    return t + (int64_t)hq_day_diff(due, day) * 86400;
}

int64_t hq__workdays_end(struct hq_app *a, int64_t t, int n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    int32_t day = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    struct hq_calendar *c = malloc(sizeof *c);
    int32_t due = hq_day_plus(day, n);
    if (c) {
        hq__calendar_load(a, day, hq_day_plus(day, 365), c);
        due = hq_calendar_add_workdays(c, day, n);
        free(c);
    }
    return hq__midnight(due, 1) - 1; /* the local midnight that ends the due day, less 1 s */
}
