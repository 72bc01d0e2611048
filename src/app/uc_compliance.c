/* SPDX-License-Identifier: MIT */
/*
 * uc_compliance.c — the compliance report (docs/COMPLIANCE.md): GET /api/v1/compliance, GET
 * /api/v1/compliance.pdf and `hallq compliance`. The report is the table of clause sources below:
 * each source reads the period and appends its clauses (hq_compliance.h); this file checks the
 * period, runs the sources in order, adds the thresholds used and a summary of the verdicts, and
 * renders the result as JSON, plain text or PDF (src/report). Also the thresholds themselves: one
 * document (kind "compliance", key "settings") of the hall, defaults filled in on read, stated in
 * every report. Nothing here writes but the settings.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../plan/hq_plan.h"
#include "../report/hq_report.h"
#include "app_int.h"
#include "hq_compliance.h"
#include "hq_ops.h"

/* The clause sources, in the report's order. A capability adds one line (hq_compliance.h). */
const hq_compliance_source_fn hq_compliance_sources[] = {
    hq_compliance_staff,           /* 4.7 */
    hq_compliance_windows,         /* 5.2.5, 5.3.6 */
    hq_compliance_complaints,      /* 8.2.2, 8.2.4 */
    hq_compliance_service_quality, /* 9.1.1, 6.2 / 9.1 */
    hq_ops_compliance, /* emergencies, facilities, public information (5.5.x, 7.x): uc_ops */
    NULL,
};

#define MAX_DAYS 366

/* ---- clause helpers ---- */

json_t *hq_compliance_clause(const char *clause, const char *id, const char *title,
                             const char *title_en)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:{},s:[]}", "clause", clause, "id", id ? id : clause,
                     "title", title, "title_en", title_en, "verdict", "no_data", "figures",
                     "evidence");
}

void hq_compliance_evidence(json_t *clause, const char *kind, const char *id, const char *note)
{
    json_t *figs = json_object_get(clause, "figures");
    json_int_t total = json_integer_value(json_object_get(figs, "evidence_total")) + 1;
    json_object_set_new(figs, "evidence_total", json_integer(total));
    json_t *ev = json_object_get(clause, "evidence");
    if (json_array_size(ev) >= HQ_COMPLIANCE_EVIDENCE_MAX) return;
    json_array_append_new(
        ev, json_pack("{s:s,s:s,s:s}", "kind", kind, "id", id ? id : "", "note", note ? note : ""));
}

void hq_compliance_verdict(json_t *clause, const char *verdict)
{
    json_object_set_new(clause, "verdict", json_string(verdict));
}

/* ---- thresholds ---- */

struct setting {
    const char *key;
    double def, min, max;
    const char *zh, *en;
};

static const struct setting settings[] = {
    {"eval_coverage_met", 0.7, 0, 1, "评价覆盖率达标线", "evaluation coverage: met at"},
    {"eval_coverage_partly", 0.4, 0, 1, "评价覆盖率部分达标线", "evaluation coverage: partly at"},
    {"satisfaction_target", 0.9, 0, 1, "满意率目标", "satisfaction target"},
    {"ack_limit_s", 0, 0, 604800, "投诉受理时限（秒，0 为每件投诉自身时限）",
     "complaint acknowledgement limit (s; 0 = each complaint's own acknowledge_by)"},
    {"ack_on_time_partly", 0.8, 0, 1, "按时受理率部分达标线",
     "complaints acknowledged on time: partly at"},
    {"wait_within_met", 0.8, 0, 1, "目标内等候占比达标线", "waits within target: met at"},
    {"wait_within_partly", 0.6, 0, 1, "目标内等候占比部分达标线", "waits within target: partly at"},
    {"alert_response_s", 1800, 60, 86400, "拥挤提示后开窗时限（秒）",
     "a window opened within (s) of crowding advice"},
    {"pause_long_s", 1800, 60, 86400, "长时间暂停（秒）", "a long pause (s)"},
    {"training_hours_min", 8, 0, 2000, "每人每年培训学时下限",
     "training hours per clerk in the year to the period's end"},
    {"cert_alert_days", 30, 1, 365, "证书到期提前提醒（天）",
     "certification expiry alert ahead (days)"},
};
#define N_SETTINGS (sizeof settings / sizeof settings[0])

json_t *hq_compliance_settings(struct hq_app *a)
{
    char *text = NULL;
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->doc_get(a->reader, "compliance", "settings", &text);
    pthread_mutex_unlock(&a->reader_mu);
    json_t *stored = rc == 0 && text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    json_t *o = json_object();
    for (size_t i = 0; i < N_SETTINGS; i++) {
        json_t *v = json_object_get(stored, settings[i].key);
        double d = json_is_number(v) ? json_number_value(v) : settings[i].def;
        json_object_set_new(o, settings[i].key, json_real(d));
    }
    json_decref(stored);
    return o;
}

double hq_compliance_setting(json_t *s, const char *key)
{
    json_t *v = json_object_get(s, key);
    if (json_is_number(v)) return json_number_value(v);
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (strcmp(settings[i].key, key) == 0) return settings[i].def;
    return 0;
}

int hq_app_compliance_settings_get(struct hq_app *a, json_t **out, struct hq_why *why)
{
    (void)why;
    *out = hq_compliance_settings(a);
    return 0;
}

int hq_app_compliance_settings_put(struct hq_app *a, const struct hq_actor *who, json_t *in,
                                   json_t **out, struct hq_why *why)
{
    if (!json_is_object(in)) return hq_fail(why, HQ_EINVAL, "", "an object is expected");
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v)
    {
        size_t i = 0;
        while (i < N_SETTINGS && strcmp(settings[i].key, key) != 0)
            i++;
        if (i == N_SETTINGS) return hq_fail(why, HQ_EINVAL, key, "%s: unknown field", key);
        if (!json_is_number(v) || json_number_value(v) < settings[i].min ||
            json_number_value(v) > settings[i].max)
            return hq_fail(why, HQ_EINVAL, key, "%s: a number from %g to %g", key, settings[i].min,
                           settings[i].max);
    }
    json_t *merged = hq_compliance_settings(a);
    json_object_update(merged, in);
    char *text = json_dumps(merged, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text) {
        json_decref(merged);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    struct hq_batch b;
    hq_batch_init(&b);
    pthread_mutex_lock(&a->mu);
    int64_t now = hq_app_time(a);
    int rc = hq_batch_doc(&b, "compliance", "settings", text, now);
    if (rc == 0)
        rc = hq__app_event(a, &b, who->username, "compliance.settings", json_deep_copy(merged));
    free(text);
    if (rc) {
        pthread_mutex_unlock(&a->mu);
        hq_batch_release(&b);
        json_decref(merged);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    rc = hq__app_commit_unlock(a, &b, why);
    if (rc) {
        json_decref(merged);
        return rc;
    }
    *out = merged;
    return 0;
}

/* ---- the report ---- */

int hq_app_compliance(struct hq_app *a, const char *from, const char *to, int max_days,
                      json_t **out, struct hq_why *why)
{
    int32_t f, t;
    if (!from || hq__parse_date(from, &f) != 0)
        return hq_fail(why, HQ_EINVAL, "from", "%s must be a date YYYY-MM-DD", "from");
    if (!to || hq__parse_date(to, &t) != 0)
        return hq_fail(why, HQ_EINVAL, "to", "%s must be a date YYYY-MM-DD", "to");
    if (f > t) return hq_fail(why, HQ_EINVAL, "to", "%s must not be before %s", "to", "from");
    int lim = max_days > 0 && max_days < MAX_DAYS ? max_days : MAX_DAYS;
    if (hq_days_from_civil(t) - hq_days_from_civil(f) >= lim)
        return hq_fail(why, HQ_EINVAL, "to", "a period of at most %d days", lim);
    char fs[16], ts[16], gen[48];
    hq__format_date(f, fs, sizeof fs);
    hq__format_date(t, ts, sizeof ts);
    hq_app_format_time(a, hq_app_time(a), gen, sizeof gen);
    json_t *clauses = json_array();
    for (const hq_compliance_source_fn *s = hq_compliance_sources; *s; s++)
        (*s)(a, fs, ts, clauses);
    size_t k;
    json_t *x;
    json_array_foreach(clauses, k, x) if (!json_object_get(x, "id")) /* a source without ids */
        json_object_set(x, "id", json_object_get(x, "clause"));
    json_t *sum =
        json_pack("{s:i,s:i,s:i,s:i}", "met", 0, "partly_met", 0, "not_met", 0, "no_data", 0);
    size_t i;
    json_t *c;
    json_array_foreach(clauses, i, c)
    {
        const char *v = json_string_value(json_object_get(c, "verdict"));
        json_t *n = v ? json_object_get(sum, v) : NULL;
        if (n) json_object_set_new(sum, v, json_integer(json_integer_value(n) + 1));
    }
    pthread_mutex_lock(&a->mu);
    json_t *hall =
        json_pack("{s:s,s:s}", "name", a->hall.conf.name, "name_en", a->hall.conf.name_en);
    pthread_mutex_unlock(&a->mu);
    *out = json_pack("{s:s,s:s,s:o,s:s,s:o,s:o,s:o}", "from", fs, "to", ts, "hall", hall,
                     "generated_at", gen, "settings", hq_compliance_settings(a), "summary", sum,
                     "clauses", clauses);
    if (!*out) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    return 0;
}

/* ---- rendering ---- */

static const char *verdict_label(const char *v)
{
    if (!v) return "?";
    if (strcmp(v, "met") == 0) return "符合 met";
    if (strcmp(v, "partly_met") == 0) return "部分符合 partly met";
    if (strcmp(v, "not_met") == 0) return "不符合 NOT MET";
    return "无数据 no data";
}

struct sbuf {
    char *p;
    size_t len, cap;
    bool ok;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(struct sbuf *b, const char *fmt, ...)
{
    if (!b->ok) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->ok = false;
            return;
        }
        if (b->p && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap ? b->cap * 2 : 4096) + (size_t)n;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->ok = false;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

static void figures_text(struct sbuf *b, json_t *figs)
{
    const char *k;
    json_t *v;
    json_object_foreach(figs, k, v)
    {
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(4));
        sb_add(b, "    %s: %s\n", k, s ? s : "?");
        free(s);
    }
}

static int render_text(json_t *r, unsigned char **out, size_t *len, struct hq_why *why)
{
    struct sbuf b = {.ok = true};
    json_t *hall = json_object_get(r, "hall");
    sb_add(&b, "合规报告 Compliance report (DB13/T 1760-2013)\n%s %s\n",
           json_string_value(json_object_get(hall, "name")) ?: "",
           json_string_value(json_object_get(hall, "name_en")) ?: "");
    sb_add(&b, "期间 Period: %s — %s    生成 Generated: %s\n\n",
           json_string_value(json_object_get(r, "from")) ?: "",
           json_string_value(json_object_get(r, "to")) ?: "",
           json_string_value(json_object_get(r, "generated_at")) ?: "");
    size_t i, j;
    json_t *c, *e;
    json_array_foreach(json_object_get(r, "clauses"), i, c)
    {
        sb_add(&b, "[%s] %s %s — %s\n", json_string_value(json_object_get(c, "clause")) ?: "",
               json_string_value(json_object_get(c, "title")) ?: "",
               json_string_value(json_object_get(c, "title_en")) ?: "",
               verdict_label(json_string_value(json_object_get(c, "verdict"))));
        figures_text(&b, json_object_get(c, "figures"));
        json_array_foreach(json_object_get(c, "evidence"), j, e)
        {
            sb_add(&b, "    - %s %s: %s\n", json_string_value(json_object_get(e, "kind")) ?: "",
                   json_string_value(json_object_get(e, "id")) ?: "",
                   json_string_value(json_object_get(e, "note")) ?: "");
        }
        sb_add(&b, "\n");
    }
    sb_add(&b, "阈值 Thresholds:\n");
    figures_text(&b, json_object_get(r, "settings"));
    if (!b.ok) {
        free(b.p);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    *out = (unsigned char *)b.p;
    *len = b.len;
    return 0;
}

int hq_compliance_render(json_t *report, const char *format, unsigned char **out, size_t *len,
                         struct hq_why *why)
{
    if (strcmp(format, "json") == 0) {
        char *s = json_dumps(report, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
        if (!s) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        *out = (unsigned char *)s;
        *len = strlen(s);
        return 0;
    }
    if (strcmp(format, "text") == 0) return render_text(report, out, len, why);
    if (strcmp(format, "pdf") == 0) return hq_report_compliance_pdf(report, out, len, why);
    return hq_fail(why, HQ_EINVAL, "format", "format: text, json or pdf");
}

/* ---- the report from a database path, without a running app (the CLI) ---- */

static int64_t real_now(void *ctx)
{
    (void)ctx;
    return (int64_t)time(NULL);
}

int hq_compliance_from_db(const char *db, const char *from, const char *to, json_t **out,
                          struct hq_why *why)
{
    struct hq_store *st = hq_store_open(db, why);
    if (!st) return why && why->code ? why->code : HQ_ESTORE;
    struct hq_app *a = calloc(1, sizeof *a);
    if (!a) {
        hq_store_close(st);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    pthread_mutex_init(&a->mu, NULL);
    pthread_mutex_init(&a->reader_mu, NULL);
    hq_hall_init(&a->hall);
    a->reader = st;
    a->clock = (struct hq_clock){real_now, NULL};
    int64_t last_seq = 0;
    /* settings, services, windows and staff; tickets only from the far future (none) */
    int rc = st->vt->load(st, &a->hall, 99999999, &last_seq, why);
    if (rc == 0) {
        if (a->hall.conf.timezone[0]) setenv("TZ", a->hall.conf.timezone, 1);
        tzset();
        rc = hq_app_compliance(a, from, to, 0, out, why);
    }
    hq_hall_release(&a->hall);
    hq_store_close(st);
    pthread_mutex_destroy(&a->mu);
    pthread_mutex_destroy(&a->reader_mu);
    free(a);
    return rc;
}
