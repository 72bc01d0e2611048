/* SPDX-License-Identifier: MIT */
/*
 * ticket.c — issuing tickets (numbering, quota, hours, validation), and the customer-side
 * transitions: cancel (while waiting) and requeue (a no-show waits again). Window-side
 * transitions live in window.c. A refused call changes nothing: all checks come first.
 */
#include <stdio.h>
#include <string.h>

#include "hq_core.h"

#define SEQ_MAX 99999 /* "AB99999" is the longest number that fits HQ_NUMBER_MAX */

void hq_format_number(char *buf, const char *code, int32_t seq)
{
    snprintf(buf, HQ_NUMBER_MAX, "%.2s%03d", code, (int)seq);
}

static bool valid_id(const char *id)
{
    if (!id) return false;
    size_t n = strnlen(id, HQ_ID_LEN + 1);
    if (n < 1 || n > HQ_ID_LEN) return false;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'z'))) return false;
    return true;
}

static bool valid_phone(const char *p)
{
    size_t n = strnlen(p, 21);
    if (n > 20) return false;
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || p[i] == '+' || p[i] == '-' || p[i] == ' '))
            return false;
    return true;
}

/* "opens again today at 13:30", "opens again on Monday at 08:30", "no opening hours set". */
static void hours_text(char *buf, size_t len, const struct hq_hours *hr, const struct hq_now *now)
{
    static const char *const names[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday"};
    int wd, minute;
    int32_t in = hq_hours_next_open(hr, now, &wd, &minute);
    if (in < 0) {
        snprintf(buf, len, "closed every day");
        return;
    }
    const char *when = in < 1440 - now->minute   ? "today"
                       : in < 2880 - now->minute ? "tomorrow"
                                                 : NULL;
    if (when)
        snprintf(buf, len, "opens %s at %02d:%02d", when, minute / 60, minute % 60);
    else
        snprintf(buf, len, "opens on %s at %02d:%02d", names[wd], minute / 60, minute % 60);
}

/* Issued today for service s (its daily sequence is exactly that count). */
static int32_t issued_today(const struct hq_service *s, int32_t day)
{
    return s->seq_day == day ? s->seq : 0;
}

int hq_ticket_issue(struct hq_hall *h, const struct hq_now *now, const char *id,
                    const struct hq_issue *in, struct hq_ticket **out, struct hq_why *why)
{
    hq_day_roll(h, now, false, NULL, NULL);
    if (h->conf.suspended)
        return hq_fail(why, HQ_ESUSPENDED, "", "ticketing is suspended: %s",
                       h->conf.suspend_reason[0] ? h->conf.suspend_reason : "emergency");
    if (!valid_id(id)) return hq_fail(why, HQ_EINTERNAL, "", "ticket id is not 1-32 of [0-9a-z]");
    if (hq_ticket_find(h, id)) return hq_fail(why, HQ_EINTERNAL, "", "ticket id already used");
    if (!in->service || !in->service[0])
        return hq_fail(why, HQ_EINVAL, "service", "service: required");
    struct hq_service *s = hq_service_find(h, in->service);
    if (!s)
        return hq_fail(why, HQ_EINVAL, "service", "service: no service with code '%.8s'",
                       in->service);
    if ((int)in->category < 0 || in->category >= HQ_CATEGORY_COUNT_)
        return hq_fail(why, HQ_EINVAL, "category",
                       "category: one of normal, priority, appointment");
    if ((int)in->channel < 0 || in->channel >= HQ_CHANNEL_COUNT_)
        return hq_fail(why, HQ_EINVAL, "channel", "channel: one of kiosk, guide, web, phone");
    if (in->phone && !valid_phone(in->phone))
        return hq_fail(why, HQ_EINVAL, "phone", "phone: at most 20 of digits, '+', '-' and spaces");
    if (in->n_next < 0 || in->n_next > HQ_NEXT_MAX)
        return hq_fail(why, HQ_EINVAL, "next_services", "next_services: at most %d", HQ_NEXT_MAX);
    for (int i = 0; i < in->n_next; i++) {
        const struct hq_service *ns = hq_service_find(h, in->next[i]);
        if (!ns)
            return hq_fail(why, HQ_EINVAL, "next_services",
                           "next_services: no service with code '%.8s'",
                           in->next[i] ? in->next[i] : "");
        if (!ns->enabled)
            return hq_fail(why, HQ_ECONFLICT, "next_services",
                           "next_services: service %s (%s) is disabled", ns->code, ns->name);
    }
    if (in->category == HQ_APPOINTMENT && in->appointment_at <= 0)
        return hq_fail(why, HQ_EINVAL, "appointment_at",
                       "appointment_at: required for an appointment ticket");
    if (!s->enabled)
        return hq_fail(why, HQ_ECONFLICT, "service", "service %s (%s) is disabled", s->code,
                       s->name);
    const struct hq_hours *hr = s->hours.has_hours ? &s->hours : &h->conf.hours;
    if (!hq_hours_is_open(hr, now)) {
        char txt[64];
        hours_text(txt, sizeof txt, hr, now);
        return hq_fail(why, HQ_ECONFLICT, "service", "service %s (%s) is outside its hours (%s)",
                       s->code, s->name, txt);
    }
    int32_t issued = issued_today(s, now->day);
    if (s->daily_quota > 0 && issued >= s->daily_quota)
        return hq_fail(why, HQ_ECONFLICT, "service",
                       "service %s (%s) has reached its daily quota of %d tickets", s->code,
                       s->name, (int)s->daily_quota);
    if (issued >= SEQ_MAX)
        return hq_fail(why, HQ_ECONFLICT, "service",
                       "service %s has issued %d tickets today, the most numbers allow", s->code,
                       SEQ_MAX);
    void *grown = hq__grow(h->tickets, &h->cap_tickets, h->n_tickets + 1, sizeof *h->tickets);
    if (!grown) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    h->tickets = grown;

    /* from here on nothing can fail */
    s->seq_day = now->day;
    s->seq = issued + 1;
    struct hq_ticket *t = &h->tickets[h->n_tickets++];
    memset(t, 0, sizeof *t);
    snprintf(t->id, sizeof t->id, "%s", id);
    hq_format_number(t->number, s->code, s->seq);
    t->day = now->day;
    t->seq = s->seq;
    memcpy(t->service, s->code, HQ_CODE_MAX);
    for (int i = 0; i < in->n_next; i++)
        snprintf(t->next[i], HQ_CODE_MAX, "%s", in->next[i]);
    t->n_next = in->n_next;
    t->category = in->category;
    t->channel = in->channel;
    t->status = HQ_WAITING;
    if (in->phone) snprintf(t->phone, sizeof t->phone, "%s", in->phone);
    t->issued_at = now->t;
    t->queued_at = now->t;
    t->appointment_at = in->category == HQ_APPOINTMENT ? in->appointment_at : 0;
    t->iseq = ++h->issue_seq;
    t->est_wait_s = -1;
    hq__index_appended(h);
    hq__order_enter(h, t);
    if (out) *out = t;
    return 0;
}

int hq_ticket_cancel(struct hq_hall *h, const struct hq_now *now, struct hq_ticket *t,
                     struct hq_why *why)
{
    if (t->status != HQ_WAITING)
        return hq_fail(why, HQ_ECONFLICT, "", "cancel: ticket %s is %s, not waiting", t->number,
                       hq_status_name(t->status));
    hq__order_leave(h, t);
    t->status = HQ_CANCELLED;
    t->finished_at = now->t;
    return 0;
}

int hq_ticket_move(struct hq_hall *h, struct hq_ticket *t, const char *service, struct hq_why *why)
{
    if (t->status != HQ_WAITING)
        return hq_fail(why, HQ_ECONFLICT, "", "move: ticket %s is %s, not waiting", t->number,
                       hq_status_name(t->status));
    const struct hq_service *s = service ? hq_service_find(h, service) : NULL;
    if (!s)
        return hq_fail(why, HQ_EINVAL, "service", "service: no service with code '%.8s'",
                       service ? service : "");
    if (strcmp(t->service, s->code) == 0)
        return hq_fail(why, HQ_EINVAL, "service", "service: ticket %s is already for service %s",
                       t->number, s->code);
    hq__order_leave(h, t);
    snprintf(t->service, sizeof t->service, "%s", s->code);
    hq__order_enter(h, t);
    return 0;
}

int hq_ticket_requeue(struct hq_hall *h, const struct hq_now *now, struct hq_ticket *t,
                      bool keep_place, struct hq_why *why)
{
    (void)h;
    if (t->status != HQ_NO_SHOW)
        return hq_fail(why, HQ_ECONFLICT, "", "requeue: ticket %s is %s, not no_show", t->number,
                       hq_status_name(t->status));
    if (t->day < now->day)
        return hq_fail(why, HQ_ECONFLICT, "", "requeue: ticket %s is from an earlier day",
                       t->number);
    t->status = HQ_WAITING;
    if (!keep_place) t->queued_at = now->t;
    t->window = 0;
    t->clerk[0] = '\0';
    t->calls = 0;
    t->called_at = t->started_at = t->finished_at = 0;
    t->recalled_at = 0;
    hq__order_enter(h, t);
    return 0;
}
