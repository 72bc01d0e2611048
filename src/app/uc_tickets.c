/* SPDX-License-Identifier: MIT */
/*
 * uc_tickets.c — use cases of tickets: issue (kiosk, guide, web, phone), read by the customer's
 * secret id, staff list, cancel, requeue. Who may issue what is decided here (API.md "Tickets");
 * the rules of the ticket itself are the core's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app_int.h"
#include "hq_appointments.h"
#include "media_hub.h"

static bool staff_issuer(enum hq_role r)
{
    return r == HQ_ROLE_GUIDE || r == HQ_ROLE_MANAGER || r == HQ_ROLE_ADMIN;
}

/* A mainland mobile number: 11 digits starting 13-19, with spaces or dashes between groups and an
 * optional +86 / 86 in front ("138 1234-5678", "+86 13812345678"). */
static int valid_phone(const char *p)
{
    char d[24];
    size_t n = 0;
    for (const char *c = p; *c; c++) {
        if (*c >= '0' && *c <= '9') {
            if (n + 1 >= sizeof d) return 0;
            d[n++] = *c;
        } else if (!(*c == '+' && c == p) && *c != '-' && *c != ' ')
            return 0;
    }
    d[n] = '\0';
    const char *m = (n == 13 && strncmp(d, "86", 2) == 0) ? d + 2 : d;
    return strlen(m) == 11 && m[0] == '1' && m[1] >= '3' && m[1] <= '9';
}

/* An appointment is for today (hall time zone) and not past its slot by more than this. */
#define HQ_APPT_LATE_S 1800

static int check_appointment(struct hq_app *a, int64_t at, struct hq_why *why)
{
    struct hq_now now;
    hq_app_now(a, &now);
    time_t tt = (time_t)at;
    struct tm tm;
    localtime_r(&tt, &tm);
    int32_t day = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    if (day != now.day)
        return hq_fail(why, HQ_EINVAL, "appointment_at",
                       "appointment_at: the slot must be today; a booking for another day is "
                       "checked in on that day");
    if (at < now.t - HQ_APPT_LATE_S)
        return hq_fail(why, HQ_EINVAL, "appointment_at",
                       "appointment_at: the slot began more than %d minutes ago",
                       HQ_APPT_LATE_S / 60);
    return 0;
}

static int issue(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                 struct hq_why *why, struct hq__idticket *idt, const struct hq_app_later *later);

int hq_app_ticket_issue(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                        struct hq_why *why)
{
    return hq_app_ticket_issue_later(a, who, in, out, why, NULL);
}

int hq_app_ticket_issue_later(struct hq_app *a, const struct hq_actor *who, json_t *in,
                              json_t **out, struct hq_why *why, const struct hq_app_later *later)
{
    /* A device's issue may print once durable (no lock held, may take seconds), and an ID
     * number's count stays locked until its commit: both wait for the commit on this thread. */
    if (who->device || json_object_get(in, "id_number")) {
        if (later && later->nowait) return HQ_APP_BUSY;
        later = NULL;
    }
    struct hq__idticket idt = {0};
    int rc = issue(a, who, in, out, why, &idt, later);
    hq__idnum_ticket_end(&idt);
    return rc;
}

/* The continuation of an issue answered later: the answer from the view copied under mu. */
struct issue_later {
    struct hq_app *a;
    struct hq_app_later k;
    bool staff;
    struct hq__ticket_view view;
};

static void issue_done(void *ctx, int rc, const struct hq_why *why)
{
    struct issue_later *il = ctx;
    json_t *out = rc == 0 ? hq__ticket_view_json(il->a, &il->view, il->staff) : NULL;
    il->k.fn(il->k.ctx, rc, out, why);
    free(il);
}

/* idt: an ID number given (刷身份证取号, idnum.c): validated, never kept; its hash in the batch. */
static int issue(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                 struct hq_why *why, struct hq__idticket *idt, const struct hq_app_later *later)
{
    static const char *const known[] = {"service",       "category",       "channel",   "phone",
                                        "next_services", "appointment_at", "id_number", NULL};
    char service[8] = "", category[16] = "normal", channel[16] = "kiosk", phone[32] = "",
         appt[40] = "", idgiven[32] = "", id18[19];
    int rc = hq__in_known(in, known, why);
    if (rc == 0) rc = hq__in_str(in, "service", true, service, sizeof service, why);
    if (rc == 0) rc = hq__in_str(in, "category", false, category, sizeof category, why);
    if (rc == 0) rc = hq__in_str(in, "channel", false, channel, sizeof channel, why);
    if (rc == 0) rc = hq__in_str(in, "phone", false, phone, sizeof phone, why);
    if (rc == 0) rc = hq__in_str(in, "appointment_at", false, appt, sizeof appt, why);
    if (rc == 0) rc = hq__in_str(in, "id_number", false, idgiven, sizeof idgiven, why);
    if (rc == 0 && idgiven[0]) rc = hq__idnum_parse(idgiven, id18, why);
    if (rc) return rc;
    struct hq_issue is = {0};
    is.service = service;
    int cat = hq_category_parse(category), ch = hq_channel_parse(channel);
    if (cat < 0)
        return hq_fail(why, HQ_EINVAL, "category",
                       "category: one of normal, priority, appointment");
    if (ch < 0)
        return hq_fail(why, HQ_EINVAL, "channel", "channel: one of kiosk, guide, web, phone");
    is.category = (enum hq_category)cat;
    is.channel = (enum hq_channel)ch;
    if (phone[0] && !valid_phone(phone))
        return hq_fail(why, HQ_EINVAL, "phone",
                       "phone: a mobile number of 11 digits starting 13-19, such as 13812345678");
    is.phone = phone[0] ? phone : NULL;
    if (appt[0] && hq__parse_time(appt, &is.appointment_at) != 0)
        return hq_fail(why, HQ_EINVAL, "appointment_at",
                       "appointment_at: an RFC 3339 time such as 2026-11-27T09:30:00+08:00");
    bool nowait = later && later->nowait; /* on an event thread: never wait (HQ_APP_BUSY) */
    if (appt[0] && cat == HQ_APPOINTMENT && nowait) return HQ_APP_BUSY;
    if (appt[0] && cat == HQ_APPOINTMENT && (rc = check_appointment(a, is.appointment_at, why)))
        return rc;
    json_t *next = json_object_get(in, "next_services");
    char nextbuf[HQ_NEXT_MAX][HQ_CODE_MAX];
    if (next && !json_is_null(next)) {
        if (!json_is_array(next) || json_array_size(next) > HQ_NEXT_MAX)
            return hq_fail(why, HQ_EINVAL, "next_services",
                           "next_services: an array of at most %d service codes", HQ_NEXT_MAX);
        size_t i;
        json_t *c;
        json_array_foreach(next, i, c)
        {
            if (!json_is_string(c) || !hq_valid_service_code(json_string_value(c)))
                return hq_fail(why, HQ_EINVAL, "next_services",
                               "next_services[%zu]: must be a service code", i);
            snprintf(nextbuf[i], HQ_CODE_MAX, "%s", json_string_value(c));
            is.next[i] = nextbuf[i];
        }
        is.n_next = (int)json_array_size(next);
    }
    /* Who may issue what: the public takes normal tickets at a kiosk or on the web. */
    bool public_kind = is.category == HQ_NORMAL && (is.channel == HQ_KIOSK || is.channel == HQ_WEB);
    if (!public_kind) {
        if (who->role == HQ_ROLE_NONE)
            return hq_fail(why, HQ_EUNAUTH, "",
                           "%s tickets from the %s channel are issued by a guide: sign in",
                           category, channel);
        if (!staff_issuer(who->role))
            return hq_fail(why, HQ_EFORBIDDEN, "",
                           "only a guide, manager or admin issues %s tickets", category);
    }
    if (!nowait && (rc = hq_app_rate_check(a, who, why))) return rc; /* nowait: under mu below */
    if (idgiven[0]) {
        rc = hq__idnum_ticket_begin(a, who, idgiven, service, idt, why);
        sodium_memzero(idgiven, sizeof idgiven);
        sodium_memzero(id18, sizeof id18);
        if (rc) return rc;
        if (idt->priority && is.category == HQ_NORMAL) is.category = HQ_PRIORITY;
    }
    if (!nowait) {
        hq__estacc_refresh(a, 300); /* the measured error behind wait_range_s, at most 5 min old */
    } else {
        /* its refresh reads the store: on a thread that may wait */
        int64_t at = __atomic_load_n(&a->estacc_at, __ATOMIC_RELAXED), t = hq_app_time(a);
        if (!at || t < at || t - at >= 300) return HQ_APP_BUSY;
    }

    char id[HQ_ID_LEN + 1];
    hq__ticket_id(id);
    struct hq_now now;
    hq_app_now(a, &now);
    /* the continuation, when answered later (allocated before anything changes) */
    struct issue_later *il = later ? malloc(sizeof *il) : NULL;
    if (nowait && !il) return HQ_APP_BUSY;
    struct hq_batch b;
    hq_batch_init(&b);
    if (!nowait) {
        pthread_mutex_lock(&a->mu);
    } else {
        if (pthread_mutex_trylock(&a->mu) != 0) {
            free(il);
            return HQ_APP_BUSY;
        }
        if ((rc = hq__rate_public_held(a, who, "issue", a->public_issue_per_min, "tickets", why))) {
            pthread_mutex_unlock(&a->mu);
            free(il);
            return rc;
        }
    }
    hq__roll(a, &now, &b);
    struct hq_ticket *t = NULL;
    rc = hq__unserved_check(a, service, why); /* the hall may refuse a service no window serves */
    if (rc == 0) rc = hq_ticket_issue(&a->hall, &now, id, &is, &t, why);
    if (rc) {
        free(il);
        /* A refusal changes nothing, but a day roll done on the way is still worth keeping. */
        if (b.n) {
            hq__app_keep_roll_unlock(a, &b, nowait);
            return rc;
        }
        pthread_mutex_unlock(&a->mu);
        hq_batch_release(&b);
        return rc;
    }
    /* The answer shows the hall at this moment (position, estimate): copied now, made into JSON
     * once mu is released, so other requests do not wait for that (issue 12). The estimate given
     * now is kept with the ticket: its error is measured once it is called. */
    struct hq__ticket_view view; /* ~2.6 KB: the default 8 MB thread stacks */
    hq__ticket_view_take(a, &now, t, &view);
    if (view.has_estimate) t->est_wait_s = view.est.wait_s;
    view.t.est_wait_s = t->est_wait_s;
    hq_batch_ticket_issued(&b, t);
    hq_batch_service(&b, hq_service_find(&a->hall, t->service));
    if (idt->locked) hq__idnum_ticket_add(idt, &b, t->id, t->service, now.t);
    hq__app_event(a, &b, who->username, "ticket.issued", hq__ticket_event_json(t));
    if (il) { /* answered by the writer once durable: this thread is free at once (issue 12) */
        il->a = a;
        il->k = *later;
        il->staff = who->role != HQ_ROLE_NONE;
        il->view = view;
        rc = hq__app_commit_later(a, &b, issue_done, il);
        if (rc == 0) return HQ_APP_LATER;
        free(il);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    rc = hq__app_commit_unlock(a, &b, why);
    if (rc == 0) {
        *out = hq__ticket_view_json(a, &view, who->role != HQ_ROLE_NONE);
        hq__media_after_issue(a, who, *out); /* durable first; a kiosk's printer, no lock held */
    }
    return rc;
}

static bool valid_id(const char *id)
{
    return strlen(id) == HQ_ID_LEN &&
           strspn(id, "0123456789abcdefghijklmnopqrstuvwxyz") == HQ_ID_LEN;
}

/* A ticket of an earlier day is no longer in memory: the read handle has it. Same view, without
 * the live figures (it is not waiting). */
static int ticket_from_store(struct hq_app *a, const struct hq_now *now, const char *id,
                             json_t **out, struct hq_why *why)
{
    struct hq_ticket t;
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->ticket_get(a->reader, id, &t);
    pthread_mutex_unlock(&a->reader_mu);
    if (rc == HQ_ENOTFOUND) return hq_fail(why, HQ_ENOTFOUND, "", "no such ticket");
    if (rc) return hq_fail(why, HQ_ESTORE, "", "store: cannot read the ticket");
    pthread_mutex_lock(&a->mu);
    struct hq_ticket *live = hq_ticket_find(&a->hall, id); /* loaded meanwhile? */
    if (live) t = *live;
    *out = hq__ticket_json(a, now, &t, false);
    pthread_mutex_unlock(&a->mu);
    static const char *const live_fields[] = {"position", "ahead", "estimated_wait_s",
                                              "serving_windows", "wait_range_s"};
    for (size_t i = 0; !live && i < sizeof live_fields / sizeof live_fields[0]; i++)
        json_object_set_new(*out, live_fields[i], json_null());
    return 0;
}

int hq_app_ticket_get(struct hq_app *a, const char *id, json_t **out, struct hq_why *why)
{
    struct hq_now now;
    hq_app_now(a, &now);
    if (!valid_id(id)) return hq_fail(why, HQ_ENOTFOUND, "", "no such ticket");
    hq__estacc_refresh(a, 300);
    pthread_mutex_lock(&a->mu);
    struct hq_ticket *t = hq_ticket_find(&a->hall, id);
    if (t) *out = hq__ticket_json(a, &now, t, false);
    pthread_mutex_unlock(&a->mu);
    return t ? 0 : ticket_from_store(a, &now, id, out, why);
}

int hq_app_tickets_list(struct hq_app *a, const struct hq_actor *who, const char *status,
                        const char *service, json_t **out, struct hq_why *why)
{
    (void)who;
    int st = -1;
    if (status && status[0] && (st = hq_status_parse(status)) < 0)
        return hq_fail(why, HQ_EINVAL, "status",
                       "status: one of waiting, called, serving, done, no_show, cancelled, "
                       "expired");
    if (service && service[0] && !hq_valid_service_code(service))
        return hq_fail(why, HQ_EINVAL, "service", "service: a service code");
    struct hq_now now;
    hq_app_now(a, &now);
    json_t *arr = json_array();
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; i < a->hall.n_tickets; i++) {
        const struct hq_ticket *t = &a->hall.tickets[i];
        if (st >= 0 && (int)t->status != st) continue;
        if (service && service[0] && strcmp(t->service, service) != 0) continue;
        json_array_append_new(arr, hq__ticket_json(a, &now, t, true));
    }
    pthread_mutex_unlock(&a->mu);
    *out = arr;
    return 0;
}

int hq_app_ticket_cancel(struct hq_app *a, const struct hq_actor *who, const char *id, json_t **out,
                         struct hq_why *why)
{
    struct hq_now now;
    hq_app_now(a, &now);
    pthread_mutex_lock(&a->mu);
    struct hq_ticket *t = strlen(id) == HQ_ID_LEN ? hq_ticket_find(&a->hall, id) : NULL;
    if (!t) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ENOTFOUND, "", "no such ticket");
    }
    int rc = hq_ticket_cancel(&a->hall, &now, t, why);
    if (rc) {
        pthread_mutex_unlock(&a->mu);
        return rc;
    }
    struct hq_batch b;
    hq_batch_init(&b);
    hq_batch_ticket(&b, t);
    hq__app_event(a, &b, who->username, "ticket.cancelled", hq__ticket_event_json(t));
    *out = hq__ticket_json(a, &now, t, false);
    rc = hq__app_commit_unlock(a, &b, why);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int hq_app_ticket_requeue(struct hq_app *a, const struct hq_actor *who, const char *id, json_t *in,
                          json_t **out, struct hq_why *why)
{
    static const char *const known[] = {"keep_place", NULL};
    bool keep = false;
    int rc = in ? hq__in_known(in, known, why) : 0;
    if (rc == 0 && in) rc = hq__in_bool(in, "keep_place", false, &keep, why);
    if (rc) return rc;
    struct hq_now now;
    hq_app_now(a, &now);
    pthread_mutex_lock(&a->mu);
    struct hq_ticket *t = hq_ticket_find(&a->hall, id);
    if (!t) /* staff may name the ticket by its number too */
        t = hq_ticket_find_number(&a->hall, now.day, id);
    if (!t) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ENOTFOUND, "", "no such ticket");
    }
    rc = hq_ticket_requeue(&a->hall, &now, t, keep, why);
    if (rc) {
        pthread_mutex_unlock(&a->mu);
        return rc;
    }
    struct hq_batch b;
    hq_batch_init(&b);
    hq_batch_ticket(&b, t);
    hq__app_event(a, &b, who->username, "ticket.requeued", hq__ticket_event_json(t));
    *out = hq__ticket_json(a, &now, t, true);
    rc = hq__app_commit_unlock(a, &b, why);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* Rejoin after a missed call (public, by the secret id): a no_show ticket waits again in its
 * original place, once, within the hall's grace public_info.rejoin.grace_s (default
 * HQ_REJOIN_GRACE_S; 0 turns rejoining off). The rejoin is remembered as a "rejoin" document keyed
 * by the ticket id, so it stays once-only across restarts. dry_run: only say whether it may. */
#define HQ_REJOIN_GRACE_S 600
#define HQ_REJOIN_GRACE_MAX 86400

static int64_t rejoin_grace(struct hq_app *a) /* under mu */
{
    json_t *v = a->public_info
                    ? json_object_get(json_object_get(a->public_info, "rejoin"), "grace_s")
                    : NULL;
    if (json_is_integer(v) && json_integer_value(v) >= 0 &&
        json_integer_value(v) <= HQ_REJOIN_GRACE_MAX)
        return (int64_t)json_integer_value(v);
    return HQ_REJOIN_GRACE_S;
}

int hq_app_ticket_rejoin(struct hq_app *a, const char *id, bool dry_run, json_t **out,
                         struct hq_why *why)
{
    if (strlen(id) != HQ_ID_LEN) return hq_fail(why, HQ_ENOTFOUND, "", "no such ticket");
    char *done = NULL; /* the rejoin document, read before mu (reader_mu nests inside nothing) */
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->doc_get(a->reader, "rejoin", id, &done);
    pthread_mutex_unlock(&a->reader_mu);
    bool rejoined = rc == 0 && done;
    free(done);
    rc = 0;
    struct hq_now now;
    hq_app_now(a, &now);
    pthread_mutex_lock(&a->mu);
    struct hq_ticket *t = hq_ticket_find(&a->hall, id);
    if (!t) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ENOTFOUND, "", "no such ticket");
    }
    int64_t grace = rejoin_grace(a);
    if (t->status != HQ_NO_SHOW)
        rc =
            hq_fail(why, HQ_ECONFLICT, "", "rejoin: ticket %s is %s; only a missed call can rejoin",
                    t->number, hq_status_name(t->status));
    else if (rejoined)
        rc = hq_fail(why, HQ_ECONFLICT, "",
                     "rejoin: ticket %s has rejoined once already; please take a new ticket",
                     t->number);
    else if (grace == 0 || now.t - t->finished_at > grace || t->day < now.day)
        rc = hq_fail(why, HQ_ECONFLICT, "",
                     "rejoin: ticket %s missed its call more than %d min ago; please take a new "
                     "ticket",
                     t->number, (int)((grace + 59) / 60));
    if (rc == 0 && dry_run) {
        *out =
            json_pack("{s:b,s:o}", "allowed", 1, "until", hq__time_json(a, t->finished_at + grace));
        pthread_mutex_unlock(&a->mu);
        return *out ? 0 : HQ_EINTERNAL;
    }
    if (rc == 0) rc = hq_ticket_requeue(&a->hall, &now, t, true, why);
    if (rc) {
        pthread_mutex_unlock(&a->mu);
        return rc;
    }
    struct hq_batch b;
    hq_batch_init(&b);
    hq_batch_ticket(&b, t);
    hq_batch_doc(&b, "rejoin", t->id, "{}", now.t);
    hq__app_event(a, &b, "", "ticket.requeued", hq__ticket_event_json(t));
    *out = hq__ticket_json(a, &now, t, false);
    rc = hq__app_commit_unlock(a, &b, why);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}
