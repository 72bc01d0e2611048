/* SPDX-License-Identifier: MIT */
/*
 * uc_compliance_clauses.c — the clause sources of the compliance report that this hall's own
 * records can speak to (docs/COMPLIANCE.md): 4.7 (every ticket served by a clerk certified for its
 * service on that day; training hours per clerk), 5.2.5 (waits within the hall's target; crowding
 * advice followed by an opened window), 5.3.6 (every pause with a reason; long pauses), 8.2.2
 * (complaints acknowledged within their limit), 8.2.4 (reopened complaints handled again), 9.1.1
 * (share of finished tickets evaluated) and 6.2 / 9.1 (satisfaction against the hall's and each
 * clerk's target). Each reads the period from the store's read handle (ticket rows, documents,
 * the event log) and copies what it needs of the hall under mu; evidence names the records —
 * tickets by date and number (never their secret ids), complaints by tracking code, windows by
 * number, staff by username, events by sequence number.
 */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../stats/hq_stats.h"
#include "app_int.h"
#include "hq_compliance.h"

/* ---- shared ---- */

struct period {
    int32_t from, to;
    int64_t t0, t1; /* local midnight of from, of the day after to */
};

static bool period(const char *from, const char *to, struct period *p)
{
    if (hq__parse_date(from, &p->from) || hq__parse_date(to, &p->to)) return false;
    p->t0 = hq__midnight(p->from, 0);
    p->t1 = hq__midnight(p->to, 1);
    return true;
}

static void ticket_ref(char *buf, size_t len, int32_t day, const char *number)
{
    char d[16];
    hq__format_date(day, d, sizeof d);
    snprintf(buf, len, "%s/%s", d, number);
}

static void clock_text(struct hq_app *a, int64_t t, char *buf, size_t len)
{
    char full[48];
    hq_app_format_time(a, t, full, sizeof full);
    /* "2026-12-07T10:05:00+08:00" -> "2026-12-07 10:05" */
    snprintf(buf, len, "%.10s %.5s", full, strlen(full) > 11 ? full + 11 : "");
}

static double share(int64_t x, int64_t n)
{
    return n > 0 ? round((double)x / (double)n * 10000.0) / 10000.0 : 0;
}

static void fig_i(json_t *c, const char *k, int64_t v)
{
    json_object_set_new(json_object_get(c, "figures"), k, json_integer(v));
}

static void fig_r(json_t *c, const char *k, double v)
{
    json_object_set_new(json_object_get(c, "figures"), k, json_real(v));
}

static void fig_s(json_t *c, const char *k, const char *v)
{
    json_object_set_new(json_object_get(c, "figures"), k, json_string(v));
}

static void add(json_t *clauses, json_t *c)
{
    json_array_append_new(clauses, c);
}

static void unreadable(json_t *c)
{
    fig_s(c, "problem", "the history could not be read");
}

/* Staff copied from the hall (under mu). */
struct staff_copy {
    struct hq_staff *s;
    size_t n;
};

static void staff_copy(struct hq_app *a, struct staff_copy *out)
{
    pthread_mutex_lock(&a->mu);
    out->n = a->hall.n_staff;
    out->s = out->n ? malloc(out->n * sizeof *out->s) : NULL;
    if (out->s)
        memcpy(out->s, a->hall.staff, out->n * sizeof *out->s);
    else
        out->n = 0;
    pthread_mutex_unlock(&a->mu);
}

static const struct hq_staff *staff_find(const struct staff_copy *c, const char *u)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->s[i].username, u) == 0) return &c->s[i];
    return NULL;
}

/* ---- 4.7: served by a certified clerk; training ---- */

struct cert_scan {
    struct hq_app *a;
    const struct staff_copy *staff;
    json_t *c;
    int64_t served, bad;
    json_t *clerks; /* usernames with a fault */
};

static int on_cert_ticket(void *ctx, const struct hq_ticket *t)
{
    struct cert_scan *x = ctx;
    if (!t->clerk[0] || t->started_at <= 0) return 0;
    x->served++;
    const struct hq_staff *s = staff_find(x->staff, t->clerk);
    char why[160] = "";
    if (!s) {
        snprintf(why, sizeof why, "no staff record for %s", t->clerk);
    } else {
        const struct hq_cert *cert = NULL;
        for (int i = 0; i < s->n_certs; i++)
            if (strcmp(s->certs[i].service, t->service) == 0) cert = &s->certs[i];
        if (!cert) {
            snprintf(why, sizeof why, "%s holds no certification for %s", t->clerk, t->service);
        } else if (cert->expires_on < t->day) {
            char d[16];
            hq__format_date(cert->expires_on, d, sizeof d);
            snprintf(why, sizeof why, "%s's certification for %s expired on %s", t->clerk,
                     t->service, d);
        }
    }
    if (!why[0]) return 0;
    x->bad++;
    json_object_set_new(x->clerks, t->clerk, json_true());
    char ref[48], note[256], at[32];
    ticket_ref(ref, sizeof ref, t->day, t->number);
    clock_text(x->a, t->started_at, at, sizeof at);
    snprintf(note, sizeof note, "served %s at window %d, %s: %s", at, (int)t->window, t->service,
             why);
    hq_compliance_evidence(x->c, "ticket", ref, note);
    return 0;
}

struct training_sum {
    int32_t from_day, to_day;
    json_t *hours; /* username -> hours in the year to the period's end */
    int64_t records;
};

static int on_training(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)key;
    (void)t;
    struct training_sum *x = ctx;
    json_t *o = json_loads(json, 0, NULL);
    if (!o) return 0;
    int32_t day = 0;
    const char *d = json_string_value(json_object_get(o, "date"));
    const char *u = json_string_value(json_object_get(o, "staff"));
    if (d && u && hq__parse_date(d, &day) == 0 && day >= x->from_day && day <= x->to_day) {
        x->records++;
        double h = json_number_value(json_object_get(x->hours, u));
        json_object_set_new(x->hours, u,
                            json_real(h + json_number_value(json_object_get(o, "hours"))));
    }
    json_decref(o);
    return 0;
}

void hq_compliance_staff(struct hq_app *a, const char *from, const char *to, json_t *clauses)
{
    json_t *c =
        hq_compliance_clause("4.7", "4.7-certified", "持证上岗：每笔业务由持有效证书的人员办理",
                             "Every service by a clerk certified for it at the time");
    json_t *tr = hq_compliance_clause("4.7", "4.7-training", "人员培训与证书有效",
                                      "Training records and valid certifications of each clerk");
    struct period p;
    struct staff_copy sc = {0};
    if (!period(from, to, &p)) {
        unreadable(c);
        add(clauses, c);
        add(clauses, tr);
        return;
    }
    staff_copy(a, &sc);
    json_t *settings = hq_compliance_settings(a);
    struct cert_scan x = {.a = a, .staff = &sc, .c = c, .clerks = json_object()};
    struct training_sum ts = {
        .from_day = hq__day_add(p.to, -364), .to_day = p.to, .hours = json_object()};
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->tickets_between(a->reader, p.from, p.to, on_cert_ticket, &x);
    int rc2 = a->reader->vt->doc_list(a->reader, "training", 0, 0, 0, on_training, &ts);
    pthread_mutex_unlock(&a->reader_mu);

    fig_i(c, "served_tickets", x.served);
    fig_i(c, "served_uncertified", x.bad);
    fig_i(c, "clerks_involved", (int64_t)json_object_size(x.clerks));
    fig_s(c, "basis", "certifications as recorded now, checked against each ticket's day");
    if (rc)
        unreadable(c);
    else if (x.served > 0)
        hq_compliance_verdict(c, x.bad ? "not_met" : "met");

    /* training and certificates of active clerks */
    double min_h = hq_compliance_setting(settings, "training_hours_min");
    int32_t alert_days = (int32_t)hq_compliance_setting(settings, "cert_alert_days");
    int64_t clerks = 0, below = 0, expired = 0, expiring = 0;
    double total_h = 0;
    for (size_t i = 0; i < sc.n; i++) {
        const struct hq_staff *s = &sc.s[i];
        if (!s->active || s->role != HQ_ROLE_CLERK) continue;
        clerks++;
        double h = json_number_value(json_object_get(ts.hours, s->username));
        total_h += h;
        char note[256];
        if (h < min_h) {
            below++;
            snprintf(note, sizeof note,
                     "%.1f h of training recorded in the year to %s (minimum %.1f)", h, to, min_h);
            hq_compliance_evidence(tr, "staff", s->username, note);
        }
        for (int k = 0; k < s->n_certs; k++) {
            char d[16];
            hq__format_date(s->certs[k].expires_on, d, sizeof d);
            if (s->certs[k].expires_on < p.to) {
                expired++;
                snprintf(note, sizeof note, "certification for %s expired on %s",
                         s->certs[k].service, d);
                hq_compliance_evidence(tr, "staff", s->username, note);
            } else if (s->certs[k].expires_on <= hq__day_add(p.to, alert_days)) {
                expiring++;
                snprintf(note, sizeof note, "certification for %s expires on %s",
                         s->certs[k].service, d);
                hq_compliance_evidence(tr, "staff", s->username, note);
            }
        }
    }
    fig_i(tr, "clerks", clerks);
    fig_i(tr, "training_records", ts.records);
    fig_r(tr, "training_hours", round(total_h * 10) / 10);
    fig_r(tr, "hours_min", min_h);
    fig_i(tr, "clerks_below_min", below);
    fig_i(tr, "certifications_expired", expired);
    fig_i(tr, "certifications_expiring", expiring);
    if (rc2)
        unreadable(tr);
    else if (clerks == 0 || (ts.records == 0 && expired == 0 && expiring == 0))
        fig_s(tr, "problem", clerks ? "no training records kept" : "no clerks");
    else if (below == clerks && clerks > 0 && min_h > 0)
        hq_compliance_verdict(tr, "not_met");
    else if (below || expired || expiring)
        hq_compliance_verdict(tr, "partly_met");
    else
        hq_compliance_verdict(tr, "met");
    add(clauses, c);
    add(clauses, tr);
    json_decref(x.clerks);
    json_decref(ts.hours);
    json_decref(settings);
    free(sc.s);
}

/* ---- 5.2.5 and 5.3.6 ---- */

#define MAX_PAUSES 4096
struct open_pause {
    int32_t window;
    int64_t at, seq;
    char actor[HQ_USER_MAX];
    char reason[128];
};

struct alert {
    int64_t seq, t;
    char service[HQ_CODE_MAX];
    int64_t extra;
};

struct win_scan {
    struct hq_app *a;
    int32_t target_s;
    int64_t waits, within, tickets;
    json_t *wc; /* 5.2.5 */
    json_t *pc; /* 5.3.6 */
    struct open_pause *open;
    size_t n_open;
    struct alert *alerts;
    size_t n_alerts, cap_alerts;
    int64_t *opens; /* times of window.opened / window.resumed */
    size_t n_opens, cap_opens;
    int64_t pauses, blank, long_pauses, pause_long_s, period_end;
};

static int on_wait_ticket(void *ctx, const struct hq_ticket *t)
{
    struct win_scan *x = ctx;
    x->tickets++;
    if (t->called_at <= 0) return 0;
    x->waits++;
    int64_t start = t->queued_at ? t->queued_at : t->issued_at;
    if (t->called_at - start <= x->target_s) x->within++;
    return 0;
}

static bool blank(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (!isspace((unsigned char)*s)) n++;
    return n == 0;
}

static void pause_end(struct win_scan *x, size_t i, int64_t end)
{
    struct open_pause *op = &x->open[i];
    int64_t d = end - op->at;
    char id[16], note[320], at[32];
    snprintf(id, sizeof id, "%d", (int)op->window);
    clock_text(x->a, op->at, at, sizeof at);
    if (blank(op->reason)) {
        x->blank++;
        snprintf(note, sizeof note, "paused %s by %s for %lld min without a reason (event #%lld)",
                 at, op->actor[0] ? op->actor : "?", (long long)(d + 59) / 60, (long long)op->seq);
        hq_compliance_evidence(x->pc, "window", id, note);
    } else if (d > x->pause_long_s) {
        x->long_pauses++;
        snprintf(note, sizeof note, "paused %s by %s for %lld min: %s (event #%lld)", at,
                 op->actor[0] ? op->actor : "?", (long long)(d + 59) / 60, op->reason,
                 (long long)op->seq);
        hq_compliance_evidence(x->pc, "window", id, note);
    }
    x->open[i] = x->open[--x->n_open];
}

static int on_win_event(void *ctx, const struct hq_event *e)
{
    struct win_scan *x = ctx;
    json_t *d = json_loads(e->data ? e->data : "{}", 0, NULL);
    int32_t w = (int32_t)json_integer_value(json_object_get(d, "window"));
    if (strncmp(e->type, "window.", 7) == 0 && w > 0) {
        for (size_t i = 0; i < x->n_open; i++)
            if (x->open[i].window == w) {
                pause_end(x, i, e->t);
                break;
            }
        if (strcmp(e->type, "window.paused") == 0 && x->n_open < MAX_PAUSES) {
            struct open_pause *op = &x->open[x->n_open++];
            memset(op, 0, sizeof *op);
            op->window = w;
            op->at = e->t;
            op->seq = e->seq;
            snprintf(op->actor, sizeof op->actor, "%s", e->actor);
            const char *r = json_string_value(json_object_get(d, "reason"));
            snprintf(op->reason, sizeof op->reason, "%s", r ? r : "");
            x->pauses++;
        }
        if (strcmp(e->type, "window.opened") == 0 || strcmp(e->type, "window.resumed") == 0) {
            if (x->n_opens == x->cap_opens) {
                size_t cap = x->cap_opens ? x->cap_opens * 2 : 64;
                int64_t *p = realloc(x->opens, cap * sizeof *p);
                if (p) {
                    x->opens = p;
                    x->cap_opens = cap;
                }
            }
            if (x->n_opens < x->cap_opens) x->opens[x->n_opens++] = e->t;
        }
    } else if (strcmp(e->type, "alert.crowding") == 0) {
        int64_t extra = json_integer_value(json_object_get(d, "extra_windows"));
        if (extra > 0) {
            if (x->n_alerts == x->cap_alerts) {
                size_t cap = x->cap_alerts ? x->cap_alerts * 2 : 64;
                struct alert *p = realloc(x->alerts, cap * sizeof *p);
                if (p) {
                    x->alerts = p;
                    x->cap_alerts = cap;
                }
            }
            if (x->n_alerts < x->cap_alerts) {
                struct alert *al = &x->alerts[x->n_alerts++];
                al->seq = e->seq;
                al->t = e->t;
                al->extra = extra;
                snprintf(al->service, sizeof al->service, "%s",
                         json_string_value(json_object_get(d, "service")) ?: "");
            }
        }
    }
    json_decref(d);
    return 0;
}

void hq_compliance_windows(struct hq_app *a, const char *from, const char *to, json_t *clauses)
{
    json_t *wc = hq_compliance_clause("5.2.5", "5.2.5", "等候时间达标，按需求调整窗口",
                                      "Waits within target; windows adjusted to demand");
    json_t *pc = hq_compliance_clause("5.3.6", "5.3.6", "暂停服务说明原因",
                                      "Every pause of a window with its reason");
    struct period p;
    if (!period(from, to, &p)) {
        unreadable(wc);
        add(clauses, wc);
        add(clauses, pc);
        return;
    }
    json_t *settings = hq_compliance_settings(a);
    struct win_scan x = {.a = a, .wc = wc, .pc = pc};
    pthread_mutex_lock(&a->mu);
    x.target_s = a->hall.conf.target_wait_s > 0 ? a->hall.conf.target_wait_s : 900;
    pthread_mutex_unlock(&a->mu);
    x.pause_long_s = (int64_t)hq_compliance_setting(settings, "pause_long_s");
    int64_t response_s = (int64_t)hq_compliance_setting(settings, "alert_response_s");
    x.open = calloc(MAX_PAUSES, sizeof *x.open);
    int rc = x.open ? 0 : HQ_EINTERNAL;
    pthread_mutex_lock(&a->reader_mu);
    if (!rc) rc = a->reader->vt->tickets_between(a->reader, p.from, p.to, on_wait_ticket, &x);
    if (!rc) rc = a->reader->vt->events_between(a->reader, p.t0, p.t1, "", on_win_event, &x);
    pthread_mutex_unlock(&a->reader_mu);
    int64_t end = hq_app_time(a) < p.t1 ? hq_app_time(a) : p.t1;
    while (x.n_open)
        pause_end(&x, 0, end);

    /* 5.2.5 */
    double sh = share(x.within, x.waits);
    fig_i(wc, "called_tickets", x.waits);
    fig_i(wc, "within_target", x.within);
    fig_r(wc, "within_share", sh);
    fig_i(wc, "target_wait_s", x.target_s);
    int64_t unanswered = 0;
    for (size_t i = 0; i < x.n_alerts; i++) {
        bool opened = false;
        for (size_t k = 0; k < x.n_opens && !opened; k++)
            opened = x.opens[k] >= x.alerts[i].t && x.opens[k] <= x.alerts[i].t + response_s;
        if (opened) continue;
        unanswered++;
        char id[24], note[256], at[32];
        snprintf(id, sizeof id, "%lld", (long long)x.alerts[i].seq);
        clock_text(a, x.alerts[i].t, at, sizeof at);
        snprintf(note, sizeof note,
                 "%s: crowding advice for %s to open %lld more window(s); none opened within %lld "
                 "min",
                 at, x.alerts[i].service, (long long)x.alerts[i].extra, (long long)response_s / 60);
        hq_compliance_evidence(wc, "event", id, note);
    }
    fig_i(wc, "crowding_alerts", (int64_t)x.n_alerts);
    fig_i(wc, "alerts_without_window", unanswered);
    double met = hq_compliance_setting(settings, "wait_within_met");
    double partly = hq_compliance_setting(settings, "wait_within_partly");
    if (rc)
        unreadable(wc);
    else if (x.waits > 0) {
        if (sh >= met && unanswered == 0)
            hq_compliance_verdict(wc, "met");
        else if (sh >= partly)
            hq_compliance_verdict(wc, "partly_met");
        else
            hq_compliance_verdict(wc, "not_met");
    }

    /* 5.3.6 */
    fig_i(pc, "pauses", x.pauses);
    fig_i(pc, "without_reason", x.blank);
    fig_i(pc, "long_pauses", x.long_pauses);
    fig_i(pc, "long_pause_s", x.pause_long_s);
    if (rc)
        unreadable(pc);
    else if (x.pauses > 0)
        hq_compliance_verdict(pc, x.blank ? "not_met" : x.long_pauses ? "partly_met" : "met");
    add(clauses, wc);
    add(clauses, pc);
    free(x.open);
    free(x.alerts);
    free(x.opens);
    json_decref(settings);
}

/* ---- 8.2.2 and 8.2.4 ---- */

struct cpl_scan {
    struct hq_app *a;
    struct period p;
    int64_t now, ack_limit_s;
    int64_t received, on_time, late, pending;
    int64_t reopened, handled, waiting, overdue;
    json_t *ac, *rc;
};

static int64_t jint(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static int on_complaint(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)t;
    struct cpl_scan *x = ctx;
    json_t *d = json_loads(json, 0, NULL);
    if (!d) return 0;
    const char *code = json_string_value(json_object_get(d, "tracking_code"));
    if (!code) code = key;
    int64_t rcv = jint(d, "received_at");
    char note[256], at[32];
    if (rcv >= x->p.t0 && rcv < x->p.t1) {
        x->received++;
        int64_t due = x->ack_limit_s > 0 ? rcv + x->ack_limit_s : jint(d, "acknowledge_by");
        int64_t ack = jint(d, "acknowledged_at");
        clock_text(x->a, rcv, at, sizeof at);
        if (ack > 0 && ack <= due) {
            x->on_time++;
        } else if (ack > 0) {
            x->late++;
            snprintf(note, sizeof note, "received %s, acknowledged %lld min after its limit", at,
                     (long long)(ack - due + 59) / 60);
            hq_compliance_evidence(x->ac, "complaint", code, note);
        } else if (x->now > due) {
            x->late++;
            snprintf(note, sizeof note, "received %s, still not acknowledged (limit passed)", at);
            hq_compliance_evidence(x->ac, "complaint", code, note);
        } else {
            x->pending++;
        }
    }
    /* reopened in the period: a history entry that set the status to reopened */
    bool reopened = false;
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(d, "history"), i, h)
    {
        int64_t hat = jint(h, "at");
        const char *st = json_string_value(json_object_get(h, "status"));
        if (st && strcmp(st, "reopened") == 0 && hat >= x->p.t0 && hat < x->p.t1) reopened = true;
    }
    if (reopened) {
        x->reopened++;
        const char *status = json_string_value(json_object_get(d, "status"));
        if (status && strcmp(status, "reopened") != 0) {
            x->handled++;
        } else {
            int64_t by = jint(d, "resolve_by");
            bool late = by > 0 && x->now > by;
            if (late)
                x->overdue++;
            else
                x->waiting++;
            char due[32];
            clock_text(x->a, by, due, sizeof due);
            snprintf(note, sizeof note, "reopened (%lld time(s)), not handled again%s%s",
                     (long long)jint(d, "reopen_count"), late ? ": overdue since " : "; due ",
                     by > 0 ? due : "?");
            hq_compliance_evidence(x->rc, "complaint", code, note);
        }
    }
    json_decref(d);
    return 0;
}

void hq_compliance_complaints(struct hq_app *a, const char *from, const char *to, json_t *clauses)
{
    json_t *ac = hq_compliance_clause("8.2.2", "8.2.2", "投诉在时限内受理答复",
                                      "Complaints acknowledged within the limit");
    json_t *rc_ = hq_compliance_clause("8.2.4", "8.2.4", "对处理结果不满意的投诉重新处理",
                                       "Reopened complaints handled again");
    struct cpl_scan x = {.a = a, .ac = ac, .rc = rc_, .now = hq_app_time(a)};
    if (!period(from, to, &x.p)) {
        unreadable(ac);
        add(clauses, ac);
        add(clauses, rc_);
        return;
    }
    json_t *settings = hq_compliance_settings(a);
    x.ack_limit_s = (int64_t)hq_compliance_setting(settings, "ack_limit_s");
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->doc_list(a->reader, "complaint", 0, 0, 0, on_complaint, &x);
    pthread_mutex_unlock(&a->reader_mu);
    fig_i(ac, "received", x.received);
    fig_i(ac, "acknowledged_on_time", x.on_time);
    fig_i(ac, "late", x.late);
    fig_i(ac, "pending", x.pending);
    fig_r(ac, "on_time_share", share(x.on_time, x.on_time + x.late));
    fig_s(ac, "limit",
          x.ack_limit_s > 0 ? "the hall's ack_limit_s" : "each complaint's acknowledge_by");
    double partly = hq_compliance_setting(settings, "ack_on_time_partly");
    if (rc)
        unreadable(ac);
    else if (x.on_time + x.late > 0)
        hq_compliance_verdict(ac, x.late == 0                                      ? "met"
                                  : share(x.on_time, x.on_time + x.late) >= partly ? "partly_met"
                                                                                   : "not_met");
    fig_i(rc_, "reopened", x.reopened);
    fig_i(rc_, "handled_again", x.handled);
    fig_i(rc_, "waiting_within_limit", x.waiting);
    fig_i(rc_, "overdue", x.overdue);
    if (rc)
        unreadable(rc_);
    else if (x.reopened > 0)
        hq_compliance_verdict(rc_, x.overdue ? "not_met" : x.waiting ? "partly_met" : "met");
    add(clauses, ac);
    add(clauses, rc_);
    json_decref(settings);
}

/* ---- 9.1.1 and 6.2 / 9.1 ---- */

struct win_cov {
    int32_t window;
    int64_t done, rated;
};

struct quality_scan {
    int32_t from, to;
    int64_t done, rated, evals, satisfied;
    struct win_cov w[256];
    size_t nw;
    json_t *clerks; /* username -> [n, satisfied] */
};

static int on_done_ticket(void *ctx, const struct hq_ticket *t)
{
    struct quality_scan *x = ctx;
    if (t->status != HQ_DONE) return 0;
    x->done++;
    if (t->evaluated) x->rated++;
    size_t i = 0;
    while (i < x->nw && x->w[i].window != t->window)
        i++;
    if (i == x->nw && x->nw < 256) x->w[x->nw++] = (struct win_cov){.window = t->window};
    if (i < x->nw) {
        x->w[i].done++;
        if (t->evaluated) x->w[i].rated++;
    }
    return 0;
}

static int on_eval(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)key;
    (void)t;
    struct quality_scan *x = ctx;
    json_t *o = json_loads(json, 0, NULL);
    if (!o) return 0;
    int32_t day = (int32_t)jint(o, "day");
    if (day >= x->from && day <= x->to) {
        int64_t level = jint(o, "level");
        x->evals++;
        if (level >= 4) x->satisfied++;
        const char *u = json_string_value(json_object_get(o, "clerk"));
        if (u && *u) {
            json_t *e = json_object_get(x->clerks, u);
            if (!e) {
                e = json_pack("[i,i]", 0, 0);
                json_object_set_new(x->clerks, u, e);
            }
            json_array_set_new(e, 0, json_integer(json_integer_value(json_array_get(e, 0)) + 1));
            json_array_set_new(
                e, 1, json_integer(json_integer_value(json_array_get(e, 1)) + (level >= 4)));
        }
    }
    json_decref(o);
    return 0;
}

void hq_compliance_service_quality(struct hq_app *a, const char *from, const char *to,
                                   json_t *clauses)
{
    json_t *cc = hq_compliance_clause("9.1.1", "9.1.1", "一事一评：办结业务的评价覆盖率",
                                      "Evaluation coverage: share of finished tickets rated");
    json_t *sc = hq_compliance_clause("6.2/9.1", "6.2-satisfaction", "满意率达到目标",
                                      "Satisfaction against the target");
    struct period p;
    if (!period(from, to, &p)) {
        unreadable(cc);
        add(clauses, cc);
        add(clauses, sc);
        return;
    }
    json_t *settings = hq_compliance_settings(a);
    struct quality_scan *x = calloc(1, sizeof *x);
    if (!x) {
        unreadable(cc);
        add(clauses, cc);
        add(clauses, sc);
        json_decref(settings);
        return;
    }
    x->from = p.from;
    x->to = p.to;
    x->clerks = json_object();
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->tickets_between(a->reader, p.from, p.to, on_done_ticket, x);
    if (!rc)
        rc = a->reader->vt->doc_list(a->reader, "evaluation", p.t0, hq__midnight(p.to, 2), 0,
                                     on_eval, x);
    pthread_mutex_unlock(&a->reader_mu);

    double cov = share(x->rated, x->done);
    double met = hq_compliance_setting(settings, "eval_coverage_met");
    double partly = hq_compliance_setting(settings, "eval_coverage_partly");
    fig_i(cc, "finished", x->done);
    fig_i(cc, "rated", x->rated);
    fig_r(cc, "coverage", cov);
    fig_r(cc, "coverage_met", met);
    for (size_t i = 0; i < x->nw; i++) {
        double wc = share(x->w[i].rated, x->w[i].done);
        if (wc >= met || x->w[i].window <= 0) continue;
        char id[16], note[160];
        snprintf(id, sizeof id, "%d", (int)x->w[i].window);
        snprintf(note, sizeof note, "%lld of %lld finished tickets rated (%.1f%%)",
                 (long long)x->w[i].rated, (long long)x->w[i].done, wc * 100);
        hq_compliance_evidence(cc, "window", id, note);
    }
    if (rc)
        unreadable(cc);
    else if (x->done > 0)
        hq_compliance_verdict(cc, cov >= met ? "met" : cov >= partly ? "partly_met" : "not_met");

    double target = hq_compliance_setting(settings, "satisfaction_target");
    double rate = share(x->satisfied, x->evals), lo = 0, hi = 1;
    hq_stats_wilson(x->satisfied, x->evals, 1.959964, &lo, &hi);
    fig_i(sc, "evaluations", x->evals);
    fig_i(sc, "satisfied", x->satisfied);
    fig_r(sc, "rate", rate);
    fig_r(sc, "rate_ci95_high", round(hi * 10000) / 10000);
    fig_r(sc, "target", target);
    const char *u;
    json_t *e;
    int64_t below = 0;
    json_object_foreach(x->clerks, u, e)
    {
        int64_t n = json_integer_value(json_array_get(e, 0));
        int64_t s = json_integer_value(json_array_get(e, 1));
        double t = hq__staff_satisfaction_target(a, u);
        double l2, h2;
        hq_stats_wilson(s, n, 1.959964, &l2, &h2);
        if (n == 0 || h2 >= t) continue;
        below++;
        char note[160];
        snprintf(note, sizeof note, "%.1f%% satisfied of %lld evaluations; target %.1f%%",
                 share(s, n) * 100, (long long)n, t * 100);
        hq_compliance_evidence(sc, "staff", u, note);
    }
    fig_i(sc, "clerks_below_target", below);
    if (rc)
        unreadable(sc);
    else if (x->evals > 0)
        hq_compliance_verdict(sc, rate >= target && below == 0 ? "met"
                                  : hi >= target               ? "partly_met"
                                                               : "not_met");
    add(clauses, cc);
    add(clauses, sc);
    json_decref(x->clerks);
    free(x);
    json_decref(settings);
}
