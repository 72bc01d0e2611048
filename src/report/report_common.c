/* SPDX-License-Identifier: MIT */
/*
 * report_common.c — what every report format shares: the bilingual labels of the sections and
 * columns, the value of each column of a group (durations in minutes, shares 0..1), the overview
 * rows (the period's key figures and their sources in the event log), a bounded byte buffer, and
 * the trace of the event log. One table, so that CSV, XLSX and PDF show the same figures.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_int.h"

void hq__rbuf_add(struct hq__rbuf *b, const void *p, size_t n)
{
    if (!b->ok) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        if (cap > HQ_REPORT_MAX_BYTES) {
            b->ok = false;
            return;
        }
        unsigned char *d = realloc(b->data, cap);
        if (!d) {
            b->ok = false;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}

void hq__rbuf_str(struct hq__rbuf *b, const char *s)
{
    hq__rbuf_add(b, s, strlen(s));
}

void hq__rbuf_printf(struct hq__rbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    hq__rbuf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

void hq_report_trace_add(struct hq_report_trace *tr, int64_t seq, const char *type)
{
    if (!tr->first_seq || seq < tr->first_seq) tr->first_seq = seq;
    if (seq > tr->last_seq) tr->last_seq = seq;
    for (int i = 0; i < tr->n_events; i++)
        if (strcmp(tr->events[i].type, type) == 0) {
            tr->events[i].n++;
            return;
        }
    if (tr->n_events == HQ_REPORT_MAX_EVENT_TYPES) return;
    snprintf(tr->events[tr->n_events].type, sizeof tr->events[0].type, "%s", type);
    tr->events[tr->n_events++].n = 1;
}

const char *const hq__sec_zh[HQ_SEC_COUNT_] = {"概览", "业务", "窗口", "人员",
                                               "时段", "评价", "明细"};
const char *const hq__sec_en[HQ_SEC_COUNT_] = {"Overview", "Services",    "Windows", "Staff",
                                               "Hours",    "Evaluations", "Tickets"};

const struct hq__coldef hq__cols[HQ_COL_COUNT_] = {
    [HQ_COL_KEY] = {"编号", "Key", HQ_CK_TEXT},
    [HQ_COL_NAME] = {"名称", "Name", HQ_CK_TEXT},
    [HQ_COL_ISSUED] = {"取号/叫号", "Issued/called", HQ_CK_INT},
    [HQ_COL_SERVED] = {"办结", "Served", HQ_CK_INT},
    [HQ_COL_NO_SHOW] = {"过号", "No-shows", HQ_CK_INT},
    [HQ_COL_CANCELLED] = {"取消", "Cancelled", HQ_CK_INT},
    [HQ_COL_EXPIRED] = {"作废", "Expired", HQ_CK_INT},
    [HQ_COL_WAIT_MEAN] = {"平均等候(分)", "Mean wait (min)", HQ_CK_MIN, "wait_mean_min"},
    [HQ_COL_WAIT_MEDIAN] = {"等候中位数(分)", "Median wait (min)", HQ_CK_MIN, "wait_median_min"},
    [HQ_COL_WAIT_P90] = {"90%等候(分)", "90th pct wait (min)", HQ_CK_MIN, "wait_p90_min"},
    [HQ_COL_WITHIN] = {"目标内叫号率", "Called within target", HQ_CK_PCT, "within_share"},
    [HQ_COL_SVC_MEAN] = {"平均办理(分)", "Mean service (min)", HQ_CK_MIN, "service_mean_min"},
    [HQ_COL_SVC_MEDIAN] = {"办理中位数(分)", "Median service (min)", HQ_CK_MIN,
                           "service_median_min"},
    [HQ_COL_SVC_P90] = {"90%办理(分)", "90th pct service (min)", HQ_CK_MIN, "service_p90_min"},
    [HQ_COL_EVALS] = {"评价数", "Evaluations", HQ_CK_INT},
    [HQ_COL_RATE] = {"满意率", "Satisfaction rate", HQ_CK_PCT, "rate"},
    [HQ_COL_RATE_LO] = {"满意率95%下限", "Rate 95% CI low", HQ_CK_PCT, "rate_lo"},
    [HQ_COL_RATE_HI] = {"满意率95%上限", "Rate 95% CI high", HQ_CK_PCT, "rate_hi"},
    [HQ_COL_INDEX] = {"满意度指数", "Satisfaction index", HQ_CK_NUM, "index"},
    [HQ_COL_COMPLAINTS] = {"投诉", "Complaints", HQ_CK_INT},
};

const struct hq__coldef hq__score_cols[HQ_SC_COUNT_] = {
    [HQ_SC_TARGET_SVC] = {"办理时长目标(分)", "Service time target (min)", HQ_CK_MIN,
                          "target_service_min"},
    [HQ_SC_SVC_MET] = {"时长达标", "Service time met", HQ_CK_TEXT},
    [HQ_SC_TARGET_SAT] = {"满意率目标", "Satisfaction target", HQ_CK_PCT},
    [HQ_SC_SAT_MET] = {"满意率达标", "Satisfaction met", HQ_CK_TEXT},
    [HQ_SC_WAIT_MET] = {"等候达标", "Waiting target met", HQ_CK_TEXT},
    [HQ_SC_DAYS] = {"出勤天数", "Days worked", HQ_CK_INT},
};

const struct hq__coldef hq__eval_cols[HQ_EVAL_COLS] = {
    {"日期", "Day", HQ_CK_TEXT},
    {"号码", "Number", HQ_CK_TEXT},
    {"业务", "Service", HQ_CK_TEXT},
    {"窗口", "Window", HQ_CK_INT},
    {"人员", "Clerk", HQ_CK_TEXT},
    {"评价", "Level", HQ_CK_INT},
    {"原因", "Reasons", HQ_CK_TEXT},
    {"意见", "Comment", HQ_CK_TEXT},
    {"评价时间", "Evaluated at", HQ_CK_TEXT},
};

const struct hq__coldef hq__ticket_cols[HQ_TICKET_COLS] = {
    {"日期", "Day", HQ_CK_TEXT},
    {"号码", "Number", HQ_CK_TEXT},
    {"业务", "Service", HQ_CK_TEXT},
    {"状态", "Status", HQ_CK_TEXT},
    {"取号时间", "Issued at", HQ_CK_TEXT},
    {"叫号时间", "Called at", HQ_CK_TEXT},
    {"开始办理", "Started at", HQ_CK_TEXT},
    {"办结时间", "Finished at", HQ_CK_TEXT},
    {"窗口", "Window", HQ_CK_INT},
    {"人员", "Clerk", HQ_CK_TEXT},
    {"等候(分)", "Wait (min)", HQ_CK_MIN},
};

double hq__round(enum hq__colkind k, double exact)
{
    if (!isfinite(exact)) return exact;
    switch (k) {
    case HQ_CK_INT:
        return (double)llround(exact);
    case HQ_CK_PCT:
        return round(exact * 1000) / 1000;
    case HQ_CK_MIN:
    case HQ_CK_NUM:
        return round(exact * 10) / 10;
    default:
        return exact;
    }
}

bool hq__col_value(const struct hq_stats_group *g, enum hq__col c, const char **text, double *num)
{
    *text = NULL;
    *num = 0;
    switch (c) {
    case HQ_COL_KEY:
        *text = g->key;
        return true;
    case HQ_COL_NAME:
        *text = hq__group_name(g);
        return true;
    case HQ_COL_ISSUED:
        *num = (double)g->c.issued;
        return true;
    case HQ_COL_SERVED:
        *num = (double)g->c.served;
        return true;
    case HQ_COL_NO_SHOW:
        *num = (double)g->c.no_show;
        return true;
    case HQ_COL_CANCELLED:
        *num = (double)g->c.cancelled;
        return true;
    case HQ_COL_EXPIRED:
        *num = (double)g->c.expired;
        return true;
    case HQ_COL_WAIT_MEAN:
        *num = g->wait.mean / 60;
        return g->wait.n > 0;
    case HQ_COL_WAIT_MEDIAN:
        *num = g->wait.median / 60;
        return g->wait.n > 0;
    case HQ_COL_WAIT_P90:
        *num = g->wait.p90 / 60;
        return g->wait.n > 0;
    case HQ_COL_WITHIN:
        *num = g->wait.within_share;
        return g->wait.n > 0;
    case HQ_COL_SVC_MEAN:
        *num = g->service.mean / 60;
        return g->service.n > 0;
    case HQ_COL_SVC_MEDIAN:
        *num = g->service.median / 60;
        return g->service.n > 0;
    case HQ_COL_SVC_P90:
        *num = g->service.p90 / 60;
        return g->service.n > 0;
    case HQ_COL_EVALS:
        *num = (double)g->sat.n;
        return true;
    case HQ_COL_RATE:
        *num = g->sat.rate;
        return g->sat.n > 0;
    case HQ_COL_RATE_LO:
        *num = g->sat.rate_lo;
        return g->sat.n > 0;
    case HQ_COL_RATE_HI:
        *num = g->sat.rate_hi;
        return g->sat.n > 0;
    case HQ_COL_INDEX:
        *num = g->sat.index;
        return g->sat.n > 0;
    case HQ_COL_COMPLAINTS:
        *num = (double)g->complaints;
        return true;
    default:
        return false;
    }
}

const char *hq__verdict_text(enum hq_stats_verdict v)
{
    switch (v) {
    case HQ_VERDICT_MET:
        return "是 yes";
    case HQ_VERDICT_NEAR:
        return "略超 near";
    case HQ_VERDICT_MISSED:
        return "否 no";
    default:
        return "—";
    }
}

bool hq__score_value(const struct hq_stats_group *g, enum hq__scol c, const char **text,
                     double *num)
{
    *text = NULL;
    *num = 0;
    switch (c) {
    case HQ_SC_TARGET_SVC:
        *num = g->score.target_service_s / 60;
        return g->service.n > 0;
    case HQ_SC_SVC_MET:
        *text = hq__verdict_text(g->score.service_verdict);
        return true;
    case HQ_SC_TARGET_SAT:
        *num = g->score.target_satisfaction;
        return true;
    case HQ_SC_SAT_MET:
        *text = hq__verdict_text(g->score.satisfaction_verdict);
        return true;
    case HQ_SC_WAIT_MET:
        *text = hq__verdict_text(g->score.wait_verdict);
        return true;
    case HQ_SC_DAYS:
        *num = g->score.days;
        return true;
    default:
        return false;
    }
}

static struct hq__kv *kv(struct hq__kv *rows, int *n, int max, const char *zh, const char *en,
                         enum hq__colkind kind)
{
    if (*n >= max) return NULL;
    struct hq__kv *r = &rows[(*n)++];
    memset(r, 0, sizeof *r);
    r->zh = zh;
    r->en = en;
    r->kind = kind;
    r->has = true;
    return r;
}

#define KV_NUM(zh, en, kind, v, present)                                                           \
    do {                                                                                           \
        struct hq__kv *r_ = kv(rows, &n, max, zh, en, kind);                                       \
        if (r_) {                                                                                  \
            r_->num = (v);                                                                         \
            r_->has = (present);                                                                   \
        }                                                                                          \
    } while (0)
#define KV_TEXT(zh, en, ...)                                                                       \
    do {                                                                                           \
        struct hq__kv *r_ = kv(rows, &n, max, zh, en, HQ_CK_TEXT);                                 \
        if (r_) snprintf(r_->text, sizeof r_->text, __VA_ARGS__);                                  \
    } while (0)

int hq__overview(const struct hq_report *r, struct hq__kv *rows, int max)
{
    int n = 0;
    const struct hq_stats *s = r->stats;
    const struct hq_stats_group *g = &s->total;
    KV_TEXT("服务大厅", "Hall", "%s%s%s", r->hall_name ? r->hall_name : "",
            r->hall_name_en && r->hall_name_en[0] ? " / " : "",
            r->hall_name_en ? r->hall_name_en : "");
    KV_TEXT("统计期间", "Period", "%s — %s", r->from, r->to);
    KV_TEXT("生成时间", "Generated at", "%s", r->generated_at ? r->generated_at : "");
    KV_NUM("取号数", "Tickets issued", HQ_CK_INT, (double)g->c.issued, true);
    KV_NUM("办结数", "Served", HQ_CK_INT, (double)g->c.served, true);
    KV_NUM("过号数", "No-shows", HQ_CK_INT, (double)g->c.no_show, true);
    KV_NUM("取消数", "Cancelled", HQ_CK_INT, (double)g->c.cancelled, true);
    KV_NUM("作废数", "Expired", HQ_CK_INT, (double)g->c.expired, true);
    KV_NUM("未完成", "Still open", HQ_CK_INT, (double)g->c.open, true);
    KV_NUM("平均等候(分)", "Mean wait (min)", HQ_CK_MIN, g->wait.mean / 60, g->wait.n > 0);
    KV_NUM("等候中位数(分)", "Median wait (min)", HQ_CK_MIN, g->wait.median / 60, g->wait.n > 0);
    KV_NUM("90%等候(分)", "90th percentile wait (min)", HQ_CK_MIN, g->wait.p90 / 60, g->wait.n > 0);
    KV_NUM("等候目标(分)", "Waiting target (min)", HQ_CK_MIN, s->target_wait_s / 60.0, true);
    KV_NUM("目标内叫号率", "Called within target", HQ_CK_PCT, g->wait.within_share, g->wait.n > 0);
    KV_NUM("平均办理(分)", "Mean service (min)", HQ_CK_MIN, g->service.mean / 60, g->service.n > 0);
    KV_NUM("办理中位数(分)", "Median service (min)", HQ_CK_MIN, g->service.median / 60,
           g->service.n > 0);
    KV_NUM("90%办理(分)", "90th percentile service (min)", HQ_CK_MIN, g->service.p90 / 60,
           g->service.n > 0);
    KV_NUM("评价数", "Evaluations", HQ_CK_INT, (double)g->sat.n, true);
    KV_NUM("参评率", "Share of served evaluated", HQ_CK_PCT,
           g->c.served ? (double)g->sat.n / (double)g->c.served : 0, g->c.served > 0);
    for (int lv = 5; lv >= 1; lv--) {
        struct hq__kv *rr = kv(rows, &n, max, hq__level_zh(lv), hq__level_en(lv), HQ_CK_INT);
        if (rr) rr->num = (double)g->sat.levels[lv - 1];
    }
    KV_NUM("满意率(4-5级)", "Satisfaction rate (levels 4-5)", HQ_CK_PCT, g->sat.rate, g->sat.n > 0);
    KV_TEXT("满意率95%置信区间", "Satisfaction rate, 95% CI (Wilson)", "%.1f%% – %.1f%%",
            100 * hq__round(HQ_CK_PCT, g->sat.rate_lo), 100 * hq__round(HQ_CK_PCT, g->sat.rate_hi));
    if (g->sat.n == 0) rows[n - 1].has = false;
    KV_NUM("满意度指数(0-100)", "Satisfaction index (0-100)", HQ_CK_NUM, g->sat.index,
           g->sat.n > 0);
    KV_NUM("投诉数", "Complaints", HQ_CK_INT, (double)g->complaints, true);
    for (size_t i = 0; i < s->n_reasons && i < 10; i++) {
        struct hq__kv *rr = kv(rows, &n, max, "评价原因", s->reasons[i].text, HQ_CK_INT);
        if (rr) rr->num = (double)s->reasons[i].n;
    }
    if (r->trace) {
        KV_TEXT("数据来源", "Sources",
                "%zu 张号票 tickets, %zu 条评价 evaluations, %zu 件投诉 complaints",
                r->in ? r->in->n_tickets : 0, r->in ? r->in->n_evals : 0,
                r->in ? r->in->n_complaints : 0);
        KV_TEXT("事件日志序号", "Event log sequence", "%lld – %lld", (long long)r->trace->first_seq,
                (long long)r->trace->last_seq);
        for (int i = 0; i < r->trace->n_events; i++) {
            struct hq__kv *rr = kv(rows, &n, max, "事件", r->trace->events[i].type, HQ_CK_INT);
            if (rr) rr->num = (double)r->trace->events[i].n;
        }
    }
    return n;
}

void hq__rtime(const struct hq_report *r, int64_t t, char *buf, size_t len)
{
    (void)r;
    if (t <= 0) {
        snprintf(buf, len, "%s", "");
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

void hq__rday(int32_t day, char *buf, size_t len)
{
    snprintf(buf, len, "%04d-%02d-%02d", (int)(day / 10000), (int)(day / 100 % 100),
             (int)(day % 100));
}

const char *hq__level_zh(int level)
{
    static const char *const zh[] = {"非常不满意", "不满意", "基本满意", "满意", "非常满意"};
    return level >= 1 && level <= 5 ? zh[level - 1] : "";
}

const char *hq__level_en(int level)
{
    static const char *const en[] = {"Very dissatisfied", "Dissatisfied", "Fairly satisfied",
                                     "Satisfied", "Very satisfied"};
    return level >= 1 && level <= 5 ? en[level - 1] : "";
}

const char *hq__status_zh(enum hq_status s)
{
    static const char *const zh[HQ_STATUS_COUNT_] = {"等候", "已叫号", "办理中", "办结",
                                                     "过号", "取消",   "作废"};
    return (int)s >= 0 && s < HQ_STATUS_COUNT_ ? zh[s] : "";
}

const char *hq__group_name(const struct hq_stats_group *g)
{
    return g->name[0] ? g->name : g->name_en[0] ? g->name_en : g->key;
}
