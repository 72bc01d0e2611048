/* SPDX-License-Identifier: MIT */
/*
 * window.c — the clerk's actions at a window (API.md): open, call-next, call a number, recall,
 * start, finish, no-show, transfer, pause, resume, close. Each checks the window's and the
 * ticket's state first and refuses an illegal transition with HQ_ECONFLICT and a reason naming
 * the window and the ticket; only then does it change anything.
 *
 * Window states: closed -> open (clerk bound) <-> paused; open/paused -> closed. A window holds at
 * most one current ticket (called or serving), only while open; pause and close wait until it is
 * gone. Ticket states driven here: waiting -> called -> serving -> done | waiting (next service);
 * called -> no_show; called|serving -> waiting (transfer).
 */
#include <stdio.h>
#include <string.h>

#include "hq_core.h"

/* The window's current ticket, or NULL when it has none (or its reference is stale). */
static struct hq_ticket *current_ticket(struct hq_hall *h, const struct hq_window *w)
{
    if (!w->current[0]) return NULL;
    struct hq_ticket *t = hq_ticket_find(h, w->current);
    if (!t || (t->status != HQ_CALLED && t->status != HQ_SERVING) || t->window != w->number)
        return NULL;
    return t;
}

static bool serves(const struct hq_window *w, const char *service)
{
    for (int i = 0; i < w->n_active && i < HQ_WIN_SVC_MAX; i++)
        if (strcmp(w->active[i], service) == 0) return true;
    return false;
}

static void set_out(struct hq_ticket **out, struct hq_ticket *t)
{
    if (out) *out = t;
}

/* Refuse unless w is open (not closed, not paused). */
static int need_open(const struct hq_window *w, const char *action, struct hq_why *why)
{
    if (w->state == HQ_WIN_CLOSED)
        return hq_fail(why, HQ_ECONFLICT, "", "%s: window %d is closed", action, (int)w->number);
    if (w->state == HQ_WIN_PAUSED)
        return hq_fail(why, HQ_ECONFLICT, "", "%s: window %d is paused", action, (int)w->number);
    return 0;
}

/* A waiting ticket becomes the current called ticket of w. */
static void call_ticket(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                        struct hq_ticket *t)
{
    hq__order_leave(h, t);
    t->status = HQ_CALLED;
    t->called_at = now->t;
    t->recalled_at = 0;
    t->started_at = 0;
    t->finished_at = 0;
    t->window = w->number;
    memcpy(t->clerk, w->clerk, sizeof t->clerk);
    t->calls = 1;
    memcpy(w->current, t->id, sizeof w->current);
}

/* The current ticket leaves the window and waits (again) for service, keeping queued_at. */
static void back_to_waiting(struct hq_hall *h, struct hq_window *w, struct hq_ticket *t,
                            const char *service)
{
    hq__order_leave(h, t); /* not waiting now: a no-op, unless it was changed by hand */
    snprintf(t->service, sizeof t->service, "%s", service);
    t->status = HQ_WAITING;
    t->window = 0;
    t->clerk[0] = '\0';
    t->calls = 0;
    t->called_at = t->started_at = t->finished_at = t->recalled_at = 0;
    w->current[0] = '\0';
    hq__order_enter(h, t);
}

int hq_window_open(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                   const struct hq_staff *clerk, struct hq_why *why)
{
    if (!clerk || !clerk->username[0])
        return hq_fail(why, HQ_EFORBIDDEN, "", "open: no staff member to bind to window %d",
                       (int)w->number);
    if (!clerk->active)
        return hq_fail(why, HQ_EFORBIDDEN, "", "open: staff member %s is not active",
                       clerk->username);
    if (w->state != HQ_WIN_CLOSED && strcmp(w->clerk, clerk->username) != 0)
        return hq_fail(why, HQ_ECONFLICT, "", "open: window %d is already open for %s",
                       (int)w->number, w->clerk);
    for (size_t i = 0; i < h->n_windows; i++) {
        const struct hq_window *o = &h->windows[i];
        if (o != w && o->state != HQ_WIN_CLOSED && strcmp(o->clerk, clerk->username) == 0)
            return hq_fail(why, HQ_ECONFLICT, "",
                           "open: %s already holds window %d; close it first", clerk->username,
                           (int)o->number);
    }
    char active[HQ_WIN_SVC_MAX][HQ_CODE_MAX];
    int n_active = 0;
    hq__window_active(w, clerk, now->day, active, &n_active);
    if (n_active == 0)
        return hq_fail(why, HQ_EFORBIDDEN, "",
                       "open: %s holds no valid certification for any service of window %d",
                       clerk->username, (int)w->number);
    memcpy(w->active, active, sizeof w->active);
    w->n_active = n_active;
    if (w->state == HQ_WIN_CLOSED) {
        /* a re-open by the same clerk keeps the window's state (paused, current ticket) */
        w->state = HQ_WIN_OPEN;
        snprintf(w->clerk, sizeof w->clerk, "%s", clerk->username);
        w->opened_at = now->t;
        w->pause_reason[0] = '\0';
        w->paused_at = 0;
        w->back_in_s = 0;
        w->current[0] = '\0';
    }
    return 0;
}

int hq_window_call_next(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                        struct hq_ticket **ticket_out, struct hq_why *why)
{
    int rc = need_open(w, "call-next", why);
    if (rc) return rc;
    struct hq_ticket *cur = current_ticket(h, w);
    if (cur)
        return hq_fail(why, HQ_ECONFLICT, "",
                       "call-next: window %d still has ticket %s (%s); finish, mark no-show or "
                       "transfer it first",
                       (int)w->number, cur->number, hq_status_name(cur->status));
    /* Earlier days' waiting tickets expire first (unless carried over); what still waits after
     * the roll — carried over, or transferred after midnight — is called like any other. */
    hq_day_roll(h, now, false, NULL, NULL);
    w->current[0] = '\0'; /* a stale reference (ticket expired or forgotten) */
    struct hq_ticket *t = hq__policy_pick_day(h, w, now->t, INT32_MIN);
    if (t) call_ticket(h, now, w, t);
    set_out(ticket_out, t);
    return 0;
}

int hq_window_call_number(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                          const char *number, struct hq_ticket **ticket_out, struct hq_why *why)
{
    if (!number || !number[0] || strnlen(number, HQ_NUMBER_MAX) >= HQ_NUMBER_MAX)
        return hq_fail(why, HQ_EINVAL, "number", "number: a ticket number such as A005");
    int rc = need_open(w, "call", why);
    if (rc) return rc;
    struct hq_ticket *cur = current_ticket(h, w);
    if (cur)
        return hq_fail(why, HQ_ECONFLICT, "", "call: window %d still has ticket %s (%s)",
                       (int)w->number, cur->number, hq_status_name(cur->status));
    struct hq_ticket *t = hq_ticket_find_number(h, now->day, number);
    for (size_t i = 0; !t && h->conf.carry_over && i < h->n_tickets; i++)
        if (h->tickets[i].status == HQ_WAITING && strcmp(h->tickets[i].number, number) == 0)
            t = &h->tickets[i]; /* a ticket carried over from an earlier day */
    if (!t) return hq_fail(why, HQ_ENOTFOUND, "number", "number: no ticket %s today", number);
    if (t->status != HQ_WAITING)
        return hq_fail(why, HQ_ECONFLICT, "number", "call: ticket %s is %s, not waiting", t->number,
                       hq_status_name(t->status));
    if (!serves(w, t->service))
        return hq_fail(why, HQ_ECONFLICT, "number",
                       "call: ticket %s waits for service %s, which window %d does not serve",
                       t->number, t->service, (int)w->number);
    w->current[0] = '\0';
    call_ticket(h, now, w, t);
    set_out(ticket_out, t);
    return 0;
}

int hq_window_recall(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                     struct hq_ticket **ticket_out, struct hq_why *why)
{
    struct hq_ticket *t = current_ticket(h, w);
    if (!t)
        return hq_fail(why, HQ_ECONFLICT, "", "recall: window %d has no called ticket",
                       (int)w->number);
    if (t->status != HQ_CALLED)
        return hq_fail(why, HQ_ECONFLICT, "", "recall: ticket %s is already being served",
                       t->number);
    t->calls++;
    t->recalled_at = now->t;
    set_out(ticket_out, t);
    return 0;
}

int hq_window_start(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                    struct hq_ticket **ticket_out, struct hq_why *why)
{
    struct hq_ticket *t = current_ticket(h, w);
    if (!t)
        return hq_fail(why, HQ_ECONFLICT, "", "start: window %d has no called ticket",
                       (int)w->number);
    if (t->status != HQ_CALLED)
        return hq_fail(why, HQ_ECONFLICT, "", "start: ticket %s is already being served",
                       t->number);
    t->status = HQ_SERVING;
    t->started_at = now->t;
    set_out(ticket_out, t);
    return 0;
}

int hq_window_finish(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                     struct hq_ticket **ticket_out, struct hq_why *why)
{
    struct hq_ticket *t = current_ticket(h, w);
    if (!t || t->status != HQ_SERVING)
        return hq_fail(why, HQ_ECONFLICT, "", "finish: window %d has no ticket being served%s",
                       (int)w->number, t ? " (the called customer has not started)" : "");
    int64_t took = now->t - t->started_at;
    struct hq_service *s = hq_service_find(h, t->service);
    if (s && took >= 0 && took <= 86400) hq_service_record_time(s, (int32_t)took);
    t->evaluated = false;
    if (t->n_next > 0) {
        char next[HQ_CODE_MAX];
        memcpy(next, t->next[0], sizeof next);
        memmove(t->next[0], t->next[1], (size_t)(t->n_next - 1) * sizeof t->next[0]);
        t->n_next--;
        memset(t->next[t->n_next], 0, sizeof t->next[0]);
        t->stage++;
        back_to_waiting(h, w, t, next);
    } else {
        t->status = HQ_DONE;
        t->finished_at = now->t;
        w->current[0] = '\0';
    }
    set_out(ticket_out, t);
    return 0;
}

int hq_window_no_show(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                      struct hq_ticket **ticket_out, struct hq_why *why)
{
    struct hq_ticket *t = current_ticket(h, w);
    if (!t)
        return hq_fail(why, HQ_ECONFLICT, "", "no-show: window %d has no called ticket",
                       (int)w->number);
    if (t->status != HQ_CALLED)
        return hq_fail(why, HQ_ECONFLICT, "",
                       "no-show: ticket %s is being served; the customer came", t->number);
    t->status = HQ_NO_SHOW;
    t->finished_at = now->t;
    w->current[0] = '\0';
    set_out(ticket_out, t);
    return 0;
}

int hq_window_transfer(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                       const char *service, struct hq_ticket **ticket_out, struct hq_why *why)
{
    (void)now;
    if (!service || !service[0]) return hq_fail(why, HQ_EINVAL, "service", "service: required");
    const struct hq_service *s = hq_service_find(h, service);
    if (!s)
        return hq_fail(why, HQ_EINVAL, "service", "service: no service with code '%.8s'", service);
    struct hq_ticket *t = current_ticket(h, w);
    if (!t)
        return hq_fail(why, HQ_ECONFLICT, "", "transfer: window %d has no current ticket",
                       (int)w->number);
    if (strcmp(t->service, s->code) == 0)
        return hq_fail(why, HQ_EINVAL, "service", "service: ticket %s is already for service %s",
                       t->number, s->code);
    back_to_waiting(h, w, t, s->code);
    set_out(ticket_out, t);
    return 0;
}

int hq_window_pause(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                    const char *reason, int32_t back_in_s, struct hq_why *why)
{
    if (!reason || !reason[0])
        return hq_fail(why, HQ_EINVAL, "reason", "reason: required (clause 5.3.6)");
    if (strnlen(reason, HQ_TEXT_MAX) >= HQ_TEXT_MAX)
        return hq_fail(why, HQ_EINVAL, "reason", "reason: at most %d bytes", HQ_TEXT_MAX - 1);
    if (back_in_s < 0 || back_in_s > 86400)
        return hq_fail(why, HQ_EINVAL, "back_in_s", "back_in_s: 0 to 86400 seconds, not %d",
                       (int)back_in_s);
    int rc = need_open(w, "pause", why);
    if (rc) return rc;
    struct hq_ticket *cur = current_ticket(h, w);
    if (cur)
        return hq_fail(why, HQ_ECONFLICT, "",
                       "pause: window %d still has ticket %s; finish it first", (int)w->number,
                       cur->number);
    w->current[0] = '\0';
    w->state = HQ_WIN_PAUSED;
    snprintf(w->pause_reason, sizeof w->pause_reason, "%s", reason);
    w->paused_at = now->t;
    w->back_in_s = back_in_s;
    return 0;
}

int hq_window_resume(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                     struct hq_why *why)
{
    (void)h;
    (void)now;
    if (w->state != HQ_WIN_PAUSED)
        return hq_fail(why, HQ_ECONFLICT, "", "resume: window %d is %s, not paused", (int)w->number,
                       hq_win_state_name(w->state));
    w->state = HQ_WIN_OPEN;
    w->pause_reason[0] = '\0';
    w->paused_at = 0;
    w->back_in_s = 0;
    return 0;
}

int hq_window_close(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                    struct hq_why *why)
{
    (void)now;
    if (w->state == HQ_WIN_CLOSED)
        return hq_fail(why, HQ_ECONFLICT, "", "close: window %d is already closed", (int)w->number);
    struct hq_ticket *cur = current_ticket(h, w);
    if (cur)
        return hq_fail(why, HQ_ECONFLICT, "",
                       "close: window %d still has ticket %s; finish it first", (int)w->number,
                       cur->number);
    w->state = HQ_WIN_CLOSED;
    w->clerk[0] = '\0';
    w->current[0] = '\0';
    w->n_active = 0;
    memset(w->active, 0, sizeof w->active);
    w->pause_reason[0] = '\0';
    w->paused_at = 0;
    w->back_in_s = 0;
    w->opened_at = 0;
    return 0;
}
