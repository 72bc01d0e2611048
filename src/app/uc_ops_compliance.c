/* SPDX-License-Identifier: MIT */
/*
 * uc_ops_compliance.c — the clauses of DB13/T 1760 that the operations records speak to, for the
 * compliance report (API.md "Compliance"; docs/OPERATIONS.md lists the rules). Each check reads the
 * records as stored and judges local days [from, to], counted up to today at most (a due day after
 * the period's end, or after today, is not missed yet):
 *
 *   5.5.2  emergency plans exist and each was reviewed by its review date
 *   5.5.3  drills and risk assessments held within their interval (late or missed ones named)
 *   5.5.4  incidents of the period: someone in charge on site, the response time
 *   5.5.6  incidents restored, the downtime of ticketing
 *   5.5.7  incidents reviewed after the event (cause, measures, course, result)
 *   7.1.3  facilities maintained and inspected on schedule; devices alive (today only)
 *   7.1.8  prices of supporting services on public view
 *   7.2.1  licences (none expired) and opening hours on public view
 *   7.4.1  fire and emergency equipment registered and inspected on schedule
 *
 * Verdicts: met (nothing wrong), partly_met (some records at fault), not_met (all of them, or a
 * record the clause requires is missing), no_data (nothing the clause could be judged on).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_int.h"
#include "hq_ops.h"

static void clause(json_t *clauses, const char *num, const char *zh, const char *en,
                   const char *verdict, json_t *figures, json_t *evidence)
{
    json_array_append_new(clauses, json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "clause", num, "title",
                                             zh, "title_en", en, "verdict", verdict, "figures",
                                             figures, "evidence", evidence));
}

/* n records judged, bad of them at fault; empty: the verdict when there are none. */
static const char *verdict(int64_t n, int64_t bad, const char *empty)
{
    if (n == 0) return empty;
    if (bad == 0) return "met";
    return bad >= n ? "not_met" : "partly_met";
}

static void evid(json_t *ev, const char *kind, const char *id, const char *note)
{
    json_array_append_new(ev, json_pack("{s:s,s:s,s:s}", "kind", kind, "id", id, "note", note));
}

static int32_t day_str(const char *s)
{
    int32_t d = 0;
    return hq__parse_date(s, &d) == 0 ? d : 0;
}

struct period {
    int32_t from, to, end, today;
};

/* Created, or started (a schedule's start day may be earlier), by the period's last day. */
static bool existed(struct hq_app *a, json_t *d, const struct period *p)
{
    int64_t t = hq__ops_int(d, "t");
    int32_t start = day_str(hq__ops_str(d, "start"));
    return !t || hq__ops_day_of(a, t) <= p->to || (start && start <= p->to);
}

static void plans_clause(struct hq_app *a, const struct period *p, json_t *clauses)
{
    json_t *docs = hq__ops_list(a, "ops_plan"), *ev = json_array(), *d;
    int64_t n = 0, bad = 0, reviewed = 0, late = 0, overdue = 0;
    size_t i, j;
    char note[512];
    json_array_foreach(docs, i, d)
    {
        if (!existed(a, d, p)) continue;
        n++;
        bool fault = false;
        const char *title = hq__ops_str(d, "title"), *id = hq__ops_str(d, "id");
        int32_t due_at_end = day_str(hq__ops_str(d, "review_by")), first_after = 0;
        json_t *r;
        json_array_foreach(json_object_get(d, "reviews"), j, r)
        {
            int32_t day = day_str(hq__ops_str(r, "date")), due = day_str(hq__ops_str(r, "due"));
            if (day > p->end && (!first_after || day < first_after)) {
                first_after = day;
                due_at_end = due;
            }
            if (day < p->from || day > p->end) continue;
            reviewed++;
            if (due && day > due) {
                late++;
                fault = true;
                snprintf(note, sizeof note, "%s：%s 评审，应于 %s 前 / reviewed %s, due %s", title,
                         hq__ops_str(r, "date"), hq__ops_str(r, "due"), hq__ops_str(r, "date"),
                         hq__ops_str(r, "due"));
                evid(ev, "plan", id, note);
            }
        }
        if (due_at_end && due_at_end < p->end) {
            char dd[16];
            hq__format_date(due_at_end, dd, sizeof dd);
            overdue++;
            fault = true;
            snprintf(note, sizeof note, "%s：应于 %s 前评审，未评审 / review due %s, not held",
                     title, dd, dd);
            evid(ev, "plan", id, note);
        }
        bad += fault;
    }
    json_decref(docs);
    if (n == 0) evid(ev, "plan", "", "没有应急预案 / no emergency plan");
    clause(clauses, "5.5.2", "制定应急预案并按期评审", "Emergency plans in place and reviewed",
           verdict(n, bad, "not_met"),
           json_pack("{s:I,s:I,s:I,s:I}", "plans", (json_int_t)n, "reviews_held",
                     (json_int_t)reviewed, "late_reviews", (json_int_t)late, "overdue_reviews",
                     (json_int_t)overdue),
           ev);
}

static void schedules_clause(struct hq_app *a, const struct period *p, json_t *clauses)
{
    json_t *docs = hq__ops_list(a, "ops_schedule"), *ev = json_array(), *d;
    int64_t n = 0, bad = 0, drills = 0, risks = 0, faults = 0;
    int held = 0;
    size_t i;
    json_array_foreach(docs, i, d)
    {
        if (!existed(a, d, p)) continue;
        n++;
        const char *kind = hq__ops_str(d, "kind");
        if (strcmp(kind, "drill") == 0)
            drills++;
        else
            risks++;
        int f = hq__ops_chain_faults(day_str(hq__ops_str(d, "start")),
                                     (int)hq__ops_int(d, "interval_days"),
                                     json_object_get(d, "records"), NULL, p->from, p->end, kind,
                                     hq__ops_str(d, "id"), hq__ops_str(d, "title"), ev, &held);
        faults += f;
        bad += f > 0;
    }
    json_decref(docs);
    if (n == 0)
        evid(ev, "drill", "", "没有演练或风险评估计划 / no drill or risk assessment schedule");
    clause(clauses, "5.5.3", "应急演练按计划开展", "Drills held as planned",
           verdict(n, bad, "not_met"),
           json_pack("{s:I,s:I,s:I,s:i,s:I}", "schedules", (json_int_t)n, "drill_schedules",
                     (json_int_t)drills, "risk_assessment_schedules", (json_int_t)risks, "held",
                     held, "late_or_missed", (json_int_t)faults),
           ev);
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static void incidents_clauses(struct hq_app *a, const struct period *p, json_t *clauses)
{
    json_t *docs = hq__ops_list(a, "ops_incident"), *d;
    json_t *ev4 = json_array(), *ev6 = json_array(), *ev7 = json_array();
    int64_t n = 0, on_site = 0, restored = 0, suspended = 0, down_total = 0, down_max = 0,
            reviewed = 0, improvements = 0;
    size_t i, cap = json_array_size(docs);
    int64_t *resp = calloc(cap ? cap : 1, sizeof *resp);
    size_t n_resp = 0;
    char note[512];
    json_array_foreach(docs, i, d)
    {
        int64_t opened = 0;
        if (hq__parse_time(hq__ops_str(d, "opened_at"), &opened) != 0) continue;
        int32_t day = hq__ops_day_of(a, opened);
        if (day < p->from || day > p->to) continue;
        n++;
        const char *id = hq__ops_str(d, "id"), *title = hq__ops_str(d, "title"),
                   *st = hq__ops_str(d, "status");
        int64_t best = -1;
        size_t j;
        json_t *e;
        json_array_foreach(json_object_get(d, "on_site"), j, e)
        {
            int64_t r = hq__ops_int(e, "response_s");
            if (best < 0 || r < best) best = r;
        }
        if (best >= 0) {
            on_site++;
            if (resp) resp[n_resp++] = best;
        } else {
            snprintf(note, sizeof note, "%s：无负责人到场记录 / nobody recorded on site", title);
            evid(ev4, "incident", id, note);
        }
        suspended += json_is_true(json_object_get(d, "suspended"));
        if (strcmp(st, "open") != 0) {
            restored++;
            int64_t dt = hq__ops_int(d, "downtime_s");
            down_total += dt;
            if (dt > down_max) down_max = dt;
        } else {
            snprintf(note, sizeof note, "%s：未记录恢复 / restoration not recorded", title);
            evid(ev6, "incident", id, note);
        }
        improvements += (int64_t)json_array_size(json_object_get(d, "improvements"));
        if (strcmp(st, "reviewed") == 0) {
            reviewed++;
        } else {
            snprintf(note, sizeof note, "%s：未做事后评估（%s） / no after-action review (%s)",
                     title, st, st);
            evid(ev7, "incident", id, note);
        }
    }
    json_decref(docs);
    if (resp) qsort(resp, n_resp, sizeof *resp, cmp_i64);
    json_t *f4 =
        json_pack("{s:I,s:I}", "incidents", (json_int_t)n, "on_site_recorded", (json_int_t)on_site);
    json_object_set_new(f4, "response_s_median",
                        n_resp ? json_integer(resp[n_resp / 2]) : json_null());
    json_object_set_new(f4, "response_s_max",
                        n_resp ? json_integer(resp[n_resp - 1]) : json_null());
    free(resp);
    clause(clauses, "5.5.4", "负责人到场、启动预案", "Head on site, plan started",
           verdict(n, n - on_site, "no_data"), f4, ev4);
    clause(clauses, "5.5.6", "尽快恢复服务", "Service restored",
           verdict(n, n - restored, "no_data"),
           json_pack("{s:I,s:I,s:I,s:I,s:I}", "incidents", (json_int_t)n, "restored",
                     (json_int_t)restored, "ticketing_suspended", (json_int_t)suspended,
                     "downtime_s_total", (json_int_t)down_total, "downtime_s_max",
                     (json_int_t)down_max),
           ev6);
    clause(clauses, "5.5.7", "事后评估（原因、措施、经过、结果）",
           "After-action review (cause, measures, course, result)",
           verdict(n, n - reviewed, "no_data"),
           json_pack("{s:I,s:I,s:I}", "incidents", (json_int_t)n, "reviewed", (json_int_t)reviewed,
                     "improvements", (json_int_t)improvements),
           ev7);
}

static void facilities_clauses(struct hq_app *a, const struct period *p, json_t *clauses)
{
    json_t *docs = hq__ops_list(a, "ops_facility"), *ev = json_array(), *ev4 = json_array(), *d;
    int64_t n = 0, scheduled = 0, bad = 0, faults = 0, silent = 0, eq = 0, eq_bad = 0;
    int done_m = 0, done_i = 0, eq_held = 0;
    size_t i;
    char note[512];
    int64_t limit = hq__ops_silent_limit_s(a);
    json_array_foreach(docs, i, d)
    {
        if (!existed(a, d, p)) continue;
        n++;
        const char *id = hq__ops_str(d, "id"), *name = hq__ops_str(d, "name"),
                   *kind = hq__ops_str(d, "kind");
        int32_t start = day_str(hq__ops_str(d, "start"));
        int md = (int)hq__ops_int(d, "maintenance_days"),
            id_ = (int)hq__ops_int(d, "inspection_days");
        json_t *log = json_object_get(d, "log");
        int f = 0;
        if (md > 0 || id_ > 0) scheduled++;
        f += hq__ops_chain_faults(start, md, log, "maintenance", p->from, p->end, "facility", id,
                                  name, ev, &done_m);
        f += hq__ops_chain_faults(start, id_, log, "inspection", p->from, p->end, "facility", id,
                                  name, ev, &done_i);
        const char *dev = hq__ops_str(d, "device");
        if (*dev && p->end == p->today) {
            int64_t s = hq__ops_device_silent_s(a, dev);
            if (s > limit) {
                silent++;
                f++;
                snprintf(note, sizeof note, "%s：设备已 %lld 秒无心跳 / device silent for %lld s",
                         name, (long long)s, (long long)s);
                evid(ev, "device", dev, note);
            }
        }
        faults += f;
        bad += f > 0;
        if (strcmp(kind, "fire_equipment") == 0 || strcmp(kind, "emergency_equipment") == 0) {
            eq++;
            int g = 0;
            if (id_ <= 0) {
                g = 1;
                snprintf(note, sizeof note, "%s：没有检查周期 / no inspection schedule", name);
                evid(ev4, "facility", id, note);
            } else {
                g = hq__ops_chain_faults(start, id_, log, "inspection", p->from, p->end, "facility",
                                         id, name, ev4, &eq_held);
            }
            eq_bad += g > 0;
        }
    }
    json_decref(docs);
    clause(clauses, "7.1.3", "设施设备按期维护", "Facilities maintained on schedule",
           verdict(scheduled + silent ? n : 0, bad, "no_data"),
           json_pack("{s:I,s:I,s:i,s:i,s:I,s:I}", "facilities", (json_int_t)n, "scheduled",
                     (json_int_t)scheduled, "maintenance_done", done_m, "inspections_done", done_i,
                     "late_or_missed", (json_int_t)(faults - silent), "devices_silent",
                     (json_int_t)silent),
           ev);
    if (n > 0 && eq == 0)
        evid(ev4, "facility", "",
             "未登记消防及应急设备 / no fire or emergency equipment registered");
    clause(clauses, "7.4.1", "消防及应急设施完好并定期检查",
           "Fire and emergency equipment inspected", verdict(eq, eq_bad, n ? "not_met" : "no_data"),
           json_pack("{s:I,s:I,s:i}", "equipment", (json_int_t)eq, "at_fault", (json_int_t)eq_bad,
                     "inspections_done", eq_held),
           ev4);
}

static void info_clauses(struct hq_app *a, const struct period *p, json_t *clauses)
{
    json_t *info = NULL;
    struct hq_why why;
    if (hq_app_ops_info_get(a, &info, &why) != 0) return;
    json_t *lic = json_object_get(info, "licences"), *prices = json_object_get(info, "prices");
    size_t np = json_array_size(prices), nl = json_array_size(lic), i;
    clause(clauses, "7.1.8", "辅助服务明码标价", "Prices of supporting services on view",
           np ? "met" : "no_data", json_pack("{s:I}", "prices", (json_int_t)np),
           np ? json_array()
              : json_pack("[{s:s,s:s,s:s}]", "kind", "info", "id", "prices", "note",
                          "未公示辅助服务价格 / no prices published"));
    json_t *ev = json_array(), *l;
    int64_t expired = 0;
    char note[512];
    json_array_foreach(lic, i, l)
    {
        int32_t until = day_str(hq__ops_str(l, "valid_until"));
        if (until && until < p->end) {
            expired++;
            snprintf(note, sizeof note, "%s：%s 已过期 / expired %s", hq__ops_str(l, "name"),
                     hq__ops_str(l, "valid_until"), hq__ops_str(l, "valid_until"));
            evid(ev, "licence", hq__ops_str(l, "number"), note);
        }
    }
    json_t *hours = json_object_get(info, "hours");
    bool has_hours = (hours && !json_is_null(hours)) || *hq__ops_str(info, "hours_note");
    if (!nl) evid(ev, "info", "licences", "未公示证照 / no licences published");
    if (!has_hours) evid(ev, "info", "hours", "未公示办公时间 / no opening hours published");
    int64_t parts = 2, bad = (nl == 0 || expired > 0) + !has_hours;
    clause(clauses, "7.2.1", "公示证照、名称、办公时间", "Licences, name and hours on view",
           verdict(parts, bad, "no_data"),
           json_pack("{s:I,s:I,s:b}", "licences", (json_int_t)nl, "expired", (json_int_t)expired,
                     "hours", has_hours),
           ev);
    json_decref(info);
}

void hq_ops_compliance(struct hq_app *a, const char *from, const char *to, json_t *clauses)
{
    struct period p;
    if (!from || !to || !json_is_array(clauses) || hq__parse_date(from, &p.from) != 0 ||
        hq__parse_date(to, &p.to) != 0 || p.from > p.to)
        return;
    p.today = hq__ops_today(a);
    p.end = p.to < p.today ? p.to : p.today;
    plans_clause(a, &p, clauses);
    schedules_clause(a, &p, clauses);
    incidents_clauses(a, &p, clauses);
    facilities_clauses(a, &p, clauses);
    info_clauses(a, &p, clauses);
}
