/* SPDX-License-Identifier: MIT */
/*
 * json_out.c — the JSON views of the hall's records as API.md spells them. Public views never
 * carry a phone number; event payloads never carry a ticket id (the customer's secret).
 */
#include <stdio.h>
#include <string.h>

#include "app_int.h"

json_t *hq__time_json(struct hq_app *a, int64_t t)
{
    if (t == 0) return json_null();
    char buf[40];
    hq_app_format_time(a, t, buf, sizeof buf);
    return json_string(buf);
}

static json_t *code_array(const char (*codes)[HQ_CODE_MAX], int n)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, json_string(codes[i]));
    return arr;
}

/* {"mon":"08:30-12:00,13:30-17:30", …, "sat":null} or null (no hours: always open). */
static json_t *hq__hours_json(const struct hq_hours *h)
{
    static const char *days[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    if (!h->has_hours) return json_null();
    json_t *o = json_object();
    for (int d = 0; d < 7; d++) {
        char buf[16 * HQ_HOURS_RANGES] = "";
        size_t len = 0;
        for (int r = 0; r < h->n[d] && r < HQ_HOURS_RANGES; r++)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%02d:%02d-%02d:%02d",
                                    r ? "," : "", h->open[d][r] / 60, h->open[d][r] % 60,
                                    h->close[d][r] / 60, h->close[d][r] % 60);
        json_object_set_new(o, days[d], len ? json_string(buf) : json_null());
    }
    return o;
}

json_t *hq__service_json(const struct hq_service *s)
{
    json_t *docs = json_array();
    for (int i = 0; i < s->n_documents; i++)
        json_array_append_new(docs, json_string(s->documents[i]));
    return json_pack("{s:s,s:s,s:s,s:i,s:o,s:i,s:b,s:o,s:i}", "code", s->code, "name", s->name,
                     "name_en", s->name_en, "avg_service_s", (int)s->avg_service_s, "documents",
                     docs, "daily_quota", (int)s->daily_quota, "enabled", s->enabled, "hours",
                     hq__hours_json(&s->hours), "estimated_service_s",
                     (int)hq_service_time_estimate(s));
}

json_t *hq__window_json(struct hq_app *a, const struct hq_window *w)
{
    json_t *cur = json_null();
    if (w->current[0]) {
        struct hq_ticket *t = hq_ticket_find(&a->hall, w->current);
        if (t) {
            cur = json_object(); /* member by member: see ticket_json */
            json_object_set_new_nocheck(cur, "number", json_string(t->number));
            json_object_set_new_nocheck(cur, "service", json_string(t->service));
            json_object_set_new_nocheck(cur, "status", json_string(hq_status_name(t->status)));
            json_object_set_new_nocheck(cur, "calls", json_integer(t->calls));
        }
    }
    const struct hq_staff *st = w->clerk[0] ? hq_staff_find(&a->hall, w->clerk) : NULL;
    bool paused = w->state == HQ_WIN_PAUSED;
    json_t *o = json_object();
    json_object_set_new_nocheck(o, "number", json_integer(w->number));
    json_object_set_new_nocheck(o, "name", json_string(w->name));
    json_object_set_new_nocheck(o, "services", code_array(w->services, w->n_services));
    json_object_set_new_nocheck(o, "state", json_string(hq_win_state_name(w->state)));
    json_object_set_new_nocheck(o, "pause_reason",
                                paused ? json_string(w->pause_reason) : json_null());
    json_object_set_new_nocheck(o, "back_in_s",
                                paused && w->back_in_s ? json_integer(w->back_in_s) : json_null());
    json_object_set_new_nocheck(o, "clerk", w->clerk[0] ? json_string(w->clerk) : json_null());
    json_object_set_new_nocheck(o, "clerk_name", st ? json_string(st->name) : json_null());
    json_object_set_new_nocheck(o, "current", cur);
    json_object_set_new_nocheck(o, "active_services",
                                code_array(w->active, w->state == HQ_WIN_CLOSED ? 0 : w->n_active));
    json_object_set_new_nocheck(o, "paused_at", hq__time_json(a, paused ? w->paused_at : 0));
    return o;
}

json_t *hq__staff_json(const struct hq_staff *s)
{
    json_t *certs = json_array();
    for (int i = 0; i < s->n_certs; i++) {
        char d[16];
        hq__format_date(s->certs[i].expires_on, d, sizeof d);
        json_array_append_new(
            certs, json_pack("{s:s,s:s}", "service", s->certs[i].service, "expires_on", d));
    }
    return json_pack("{s:s,s:s,s:s,s:o,s:b}", "username", s->username, "name", s->name, "role",
                     hq_role_name(s->role), "certifications", certs, "active", s->active);
}

/* The figures of a waiting ticket's view, or has_estimate false. */
struct live {
    bool has_estimate, has_range;
    struct hq_estimate est;
    int64_t range_lo, range_hi;
};

static void live_figures(struct hq_app *a, const struct hq_now *now, const struct hq_ticket *t,
                         struct live *l)
{
    memset(l, 0, sizeof *l);
    /* the one estimate (docs/ESTIMATE.md): every page shows these figures */
    l->has_estimate = t->status == HQ_WAITING && hq_ticket_estimate(&a->hall, now, t, &l->est) == 0;
    l->has_range =
        l->has_estimate && hq__wait_range(a, t->service, l->est.wait_s, &l->range_lo, &l->range_hi);
}

/* The ticket's view from its parts: the service's name (NULL = no such service) and documents,
 * the live figures. Reads nothing else of the hall. */
static json_t *ticket_json(struct hq_app *a, const struct hq_ticket *t, const char *service_name,
                           int n_documents, const char (*documents)[HQ_NAME_MAX],
                           const struct live *l, bool staff_view)
{
    json_t *docs = json_array();
    for (int i = 0; i < n_documents; i++)
        json_array_append_new(docs, json_string(documents[i]));
    json_t *pos = json_null(), *ahead = json_null(), *wait = json_null(), *serving = json_null(),
           *range = json_null();
    if (l->has_estimate) {
        pos = json_integer(l->est.position);
        ahead = json_integer(l->est.ahead);
        wait = json_integer(l->est.wait_s);
        serving = json_integer(l->est.serving);
        if (l->has_range) {
            range = json_array();
            json_array_append_new(range, json_integer(l->range_lo));
            json_array_append_new(range, json_integer(l->range_hi));
        }
    }
    /* Member by member rather than with json_pack, whose reading of its format cost more than
     * the rest of the answer (issue 12); the same members in the same order. */
    json_t *o = json_object();
    json_object_set_new_nocheck(o, "id", json_string(t->id));
    json_object_set_new_nocheck(o, "number", json_string(t->number));
    json_object_set_new_nocheck(o, "service", json_string(t->service));
    json_object_set_new_nocheck(o, "service_name",
                                service_name ? json_string(service_name) : json_null());
    json_object_set_new_nocheck(o, "category", json_string(hq_category_name(t->category)));
    json_object_set_new_nocheck(o, "channel", json_string(hq_channel_name(t->channel)));
    json_object_set_new_nocheck(o, "status", json_string(hq_status_name(t->status)));
    json_object_set_new_nocheck(o, "issued_at", hq__time_json(a, t->issued_at));
    json_object_set_new_nocheck(o, "called_at", hq__time_json(a, t->called_at));
    json_object_set_new_nocheck(o, "started_at", hq__time_json(a, t->started_at));
    json_object_set_new_nocheck(o, "finished_at", hq__time_json(a, t->finished_at));
    json_object_set_new_nocheck(o, "window", t->window ? json_integer(t->window) : json_null());
    json_object_set_new_nocheck(o, "calls", json_integer(t->calls));
    json_object_set_new_nocheck(o, "position", pos);
    json_object_set_new_nocheck(o, "ahead", ahead);
    json_object_set_new_nocheck(o, "estimated_wait_s", wait);
    json_object_set_new_nocheck(o, "documents", docs);
    json_object_set_new_nocheck(o, "next_services", code_array(t->next, t->n_next));
    json_object_set_new_nocheck(o, "appointment_at", hq__time_json(a, t->appointment_at));
    json_object_set_new(o, "serving_windows", serving);
    json_object_set_new(o, "wait_range_s", range);
    if (staff_view) {
        char masked[HQ_PHONE_MAX];
        hq_mask_phone(masked, t->phone);
        json_object_set_new(o, "phone", t->phone[0] ? json_string(masked) : json_null());
        json_object_set_new(o, "clerk", t->clerk[0] ? json_string(t->clerk) : json_null());
        json_object_set_new(o, "queued_at", hq__time_json(a, t->queued_at));
    }
    return o;
}

json_t *hq__ticket_json(struct hq_app *a, const struct hq_now *now, const struct hq_ticket *t,
                        bool staff_view)
{
    const struct hq_service *svc = hq_service_find(&a->hall, t->service);
    struct live l;
    live_figures(a, now, t, &l);
    return ticket_json(a, t, svc ? svc->name : NULL, svc ? svc->n_documents : 0,
                       svc ? svc->documents : NULL, &l, staff_view);
}

void hq__ticket_view_take(struct hq_app *a, const struct hq_now *now, const struct hq_ticket *t,
                          struct hq__ticket_view *v)
{
    v->t = *t;
    const struct hq_service *svc = hq_service_find(&a->hall, t->service);
    v->has_service = svc != NULL;
    v->service_name[0] = 0;
    v->n_documents = 0;
    if (svc) {
        snprintf(v->service_name, sizeof v->service_name, "%s", svc->name);
        for (int i = 0; i < svc->n_documents && i < HQ_DOC_MAX; i++)
            snprintf(v->documents[v->n_documents++], HQ_NAME_MAX, "%s", svc->documents[i]);
    }
    struct live l;
    live_figures(a, now, t, &l);
    v->has_estimate = l.has_estimate;
    v->est = l.est;
    v->has_range = l.has_range;
    v->range_lo = l.range_lo;
    v->range_hi = l.range_hi;
}

json_t *hq__ticket_view_json(struct hq_app *a, const struct hq__ticket_view *v, bool staff_view)
{
    struct live l = {.has_estimate = v->has_estimate,
                     .has_range = v->has_range,
                     .est = v->est,
                     .range_lo = v->range_lo,
                     .range_hi = v->range_hi};
    return ticket_json(a, &v->t, v->has_service ? v->service_name : NULL, v->n_documents,
                       v->documents, &l, staff_view);
}

json_t *hq__ticket_event_json(const struct hq_ticket *t)
{
    json_t *o = json_object(); /* member by member: see ticket_json */
    json_object_set_new_nocheck(o, "number", json_string(t->number));
    json_object_set_new_nocheck(o, "service", json_string(t->service));
    json_object_set_new_nocheck(o, "category", json_string(hq_category_name(t->category)));
    json_object_set_new_nocheck(o, "status", json_string(hq_status_name(t->status)));
    json_object_set_new_nocheck(o, "window", t->window ? json_integer(t->window) : json_null());
    json_object_set_new_nocheck(o, "calls", json_integer(t->calls));
    return o;
}

json_t *hq__hall_json(struct hq_app *a)
{
    const struct hq_hall_conf *c = &a->hall.conf;
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:o,s:{s:i,s:i,s:i},s:i,s:b,s:s?}", "name", c->name, "name_en", c->name_en,
        "timezone", c->timezone, "hours", hq__hours_json(&c->hours), "policy", "boost_priority_s",
        (int)c->policy.boost_priority_s, "boost_appointment_s", (int)c->policy.boost_appointment_s,
        "boost_first_service_s", (int)c->policy.boost_first_service_s, "target_wait_s",
        (int)c->target_wait_s, "suspended", c->suspended, "suspend_reason",
        c->suspended ? c->suspend_reason : NULL);
    json_object_set_new(o, "carry_over", json_boolean(c->carry_over));
    json_object_set_new(o, "public_url",
                        a->public_url[0] ? json_string(a->public_url) : json_null());
    if (a->public_info)
        json_object_set(o, "public_info", a->public_info);
    else
        json_object_set_new(o, "public_info", json_object());
    return o;
}
