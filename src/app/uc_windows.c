/* SPDX-License-Identifier: MIT */
/*
 * uc_windows.c — the clerk's actions at a window (API.md "Windows: the clerk's actions"): who may
 * act (the clerk at his own window; a manager or admin at any), the input of each action, and the
 * event each emits. The core decides whether the action is allowed in the current state.
 *
 * The evaluation pad of a window asks about the window's last finished ticket only until the
 * window calls its next customer or closes: then the pad is cleared (and remembers the ticket it
 * dropped, so that the pad's late answer for it is refused rather than credited to the wrong
 * customer, see hq_app_evaluation_create). `undo-no-show {"number"}` puts a ticket this window
 * marked no-show less than HQ_UNDO_NO_SHOW_S ago back in its original place (a requeue that keeps
 * the place), for a clerk who pressed 过号 by mistake.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_int.h"
#include "hq_cases.h"

/* How long after 过号 the clerk may take it back (undo-no-show). */
#define HQ_UNDO_NO_SHOW_S 120

static bool is_boss(enum hq_role r)
{
    return r == HQ_ROLE_MANAGER || r == HQ_ROLE_ADMIN;
}

/* The window called its next customer or closed: its pad stops asking about the last finish. */
static void pad_move_on(struct hq_app *a, const struct hq_window *w)
{
    struct hq_pad *pad = hq__pad(a, w);
    if (!pad || !pad->ticket[0]) return;
    snprintf(pad->gone, sizeof pad->gone, "%s", pad->ticket);
    pad->ticket[0] = '\0';
    pad->number[0] = '\0';
}

/* 过号 taken back: the ticket this window marked no-show moments ago waits in its old place. */
static int undo_no_show(struct hq_app *a, const struct hq_now *now, struct hq_window *w,
                        const char *number, struct hq_ticket **out, struct hq_why *why)
{
    struct hq_ticket *t = hq_ticket_find_number(&a->hall, now->day, number);
    if (!t || t->status != HQ_NO_SHOW || t->window != w->number)
        return hq_fail(why, HQ_ECONFLICT, "number",
                       "undo-no-show: ticket %.8s was not marked no-show at window %d", number,
                       (int)w->number);
    if (now->t - t->finished_at > HQ_UNDO_NO_SHOW_S)
        return hq_fail(why, HQ_ECONFLICT, "number",
                       "undo-no-show: ticket %s was marked no-show more than %d s ago; a guide "
                       "can requeue it",
                       t->number, HQ_UNDO_NO_SHOW_S);
    int rc = hq_ticket_requeue(&a->hall, now, t, true, why);
    if (rc == 0) *out = t;
    return rc;
}

int hq_app_window_action(struct hq_app *a, const struct hq_actor *who, int32_t number,
                         const char *action, json_t *in, json_t **out, struct hq_why *why)
{
    return hq_app_window_action_later(a, who, number, action, in, out, why, NULL);
}

/* The continuation of an action answered later: the answer from what was copied under mu. */
struct action_later {
    struct hq_app *a;
    struct hq_app_later k;
    json_t *win;
    bool has_ticket;
    struct hq__ticket_view tv;
};

static void action_done(void *ctx, int rc, const struct hq_why *why)
{
    struct action_later *al = ctx;
    json_t *out = NULL;
    if (rc == 0) {
        out = json_object();
        json_object_set_new_nocheck(out, "window", al->win);
        json_object_set_new_nocheck(out, "ticket",
                                    al->has_ticket ? hq__ticket_view_json(al->a, &al->tv, true)
                                                   : json_null());
    } else {
        json_decref(al->win);
    }
    al->k.fn(al->k.ctx, rc, out, why);
    free(al);
}

int hq_app_window_action_later(struct hq_app *a, const struct hq_actor *who, int32_t number,
                               const char *action, json_t *in, json_t **out, struct hq_why *why,
                               const struct hq_app_later *later)
{
    static const char *const k_call[] = {"number", NULL}, *const k_transfer[] = {"service", NULL},
                             *const k_pause[] = {"reason", "back_in_s", NULL},
                             *const k_none[] = {NULL};
    char arg[HQ_TEXT_MAX] = "";
    int64_t back_in = 0;
    int rc = 0;
    const char *const *known = k_none;
    if (strcmp(action, "call") == 0)
        known = k_call;
    else if (strcmp(action, "transfer") == 0)
        known = k_transfer;
    else if (strcmp(action, "pause") == 0)
        known = k_pause;
    else if (strcmp(action, "undo-no-show") == 0)
        known = k_call;
    else if (strcmp(action, "open") && strcmp(action, "call-next") && strcmp(action, "recall") &&
             strcmp(action, "start") && strcmp(action, "finish") && strcmp(action, "no-show") &&
             strcmp(action, "resume") && strcmp(action, "close"))
        return hq_fail(why, HQ_ENOTFOUND, "", "no window action '%.20s'", action);
    if (in && (rc = hq__in_known(in, known, why))) return rc;
    if (known == k_call)
        rc = hq__in_str(in, "number", true, arg, HQ_NUMBER_MAX, why);
    else if (known == k_transfer)
        rc = hq__in_str(in, "service", true, arg, HQ_CODE_MAX, why);
    else if (known == k_pause) {
        rc = hq__in_str(in, "reason", true, arg, sizeof arg, why);
        if (rc == 0) rc = hq__in_int(in, "back_in_s", false, 0, 86400, &back_in, why);
        if (rc == 0 && !arg[0])
            rc = hq_fail(why, HQ_EINVAL, "reason", "reason: say why the window pauses");
    }
    if (rc) return rc;

    /* the continuation, when answered later (allocated before anything changes); nowait: on an
     * event thread, which never waits (HQ_APP_BUSY, nothing changed, when the hall lock is taken)
     */
    bool nowait = later && later->nowait;
    struct action_later *al = later ? malloc(sizeof *al) : NULL;
    if (nowait && !al) return HQ_APP_BUSY;
    struct hq_now now;
    hq_app_now(a, &now);
    struct hq_batch b;
    hq_batch_init(&b);
    if (!nowait) {
        pthread_mutex_lock(&a->mu);
    } else if (pthread_mutex_trylock(&a->mu) != 0) {
        free(al);
        return HQ_APP_BUSY;
    }
    struct hq_window *w = hq_window_find(&a->hall, number);
    if (!w) {
        pthread_mutex_unlock(&a->mu);
        free(al);
        return hq_fail(why, HQ_ENOTFOUND, "", "no window %d", number);
    }
    bool own = w->clerk[0] && strcmp(w->clerk, who->username) == 0;
    if (!is_boss(who->role)) {
        if (strcmp(action, "open") == 0 ? (w->clerk[0] && !own) : !own) {
            pthread_mutex_unlock(&a->mu);
            free(al);
            return hq_fail(why, HQ_EFORBIDDEN, "", "window %d is not yours: %s", number,
                           w->clerk[0] ? "another clerk has it open" : "open it first");
        }
    }
    hq__roll(a, &now, &b);
    struct hq_ticket *t = NULL;
    const char *event = NULL;
    json_t *data = NULL;
    char from[HQ_CODE_MAX] = "";
    int32_t finished_stage = 0;
    if (w->current[0]) {
        struct hq_ticket *c = hq_ticket_find(&a->hall, w->current);
        if (c) snprintf(from, sizeof from, "%s", c->service);
    }
    if (strcmp(action, "open") == 0) {
        struct hq_staff *st = hq_staff_find(&a->hall, who->username);
        rc = st ? hq_window_open(&a->hall, &now, w, st, why)
                : hq_fail(why, HQ_EFORBIDDEN, "", "only staff members open windows");
        event = "window.opened";
    } else if (strcmp(action, "call-next") == 0) {
        rc = hq_window_call_next(&a->hall, &now, w, &t, why);
        event = "ticket.called";
    } else if (strcmp(action, "call") == 0) {
        rc = hq_window_call_number(&a->hall, &now, w, arg, &t, why);
        event = "ticket.called";
    } else if (strcmp(action, "recall") == 0) {
        rc = hq_window_recall(&a->hall, &now, w, &t, why);
        event = "ticket.recalled";
    } else if (strcmp(action, "start") == 0) {
        rc = hq_window_start(&a->hall, &now, w, &t, why);
        event = "ticket.started";
    } else if (strcmp(action, "finish") == 0) {
        struct hq_ticket *cur = w->current[0] ? hq_ticket_find(&a->hall, w->current) : NULL;
        struct hq_ticket before = cur ? *cur : (struct hq_ticket){0};
        rc = hq_window_finish(&a->hall, &now, w, &t, why);
        if (rc == 0 && cur) hq__stage_finished(a, &b, &before, now.t); /* hq_cases.h */
        finished_stage = (int32_t)before.stage;
        event = "ticket.finished";
    } else if (strcmp(action, "no-show") == 0) {
        rc = hq_window_no_show(&a->hall, &now, w, &t, why);
        event = "ticket.no_show";
    } else if (strcmp(action, "transfer") == 0) {
        rc = hq_window_transfer(&a->hall, &now, w, arg, &t, why);
        event = "ticket.transferred";
    } else if (strcmp(action, "undo-no-show") == 0) {
        rc = undo_no_show(a, &now, w, arg, &t, why);
        event = "ticket.requeued";
    } else if (strcmp(action, "pause") == 0) {
        rc = hq_window_pause(&a->hall, &now, w, arg, (int32_t)back_in, why);
        event = "window.paused";
    } else if (strcmp(action, "resume") == 0) {
        rc = hq_window_resume(&a->hall, &now, w, why);
        event = "window.resumed";
    } else {
        rc = hq_window_close(&a->hall, &now, w, why);
        event = "window.closed";
    }
    if (rc) {
        free(al);
        if (b.n) { /* a day roll on the way */
            hq__app_keep_roll_unlock(a, &b, nowait);
            return rc;
        }
        pthread_mutex_unlock(&a->mu);
        hq_batch_release(&b);
        return rc;
    }
    if (strncmp(event, "ticket.", 7) == 0 && !t && al && b.n) {
        /* call-next with nobody waiting after a day roll: answered once the roll is durable */
        al->a = a;
        al->k = *later;
        al->has_ticket = false;
        al->win = hq__window_json(a, w);
        if (hq__app_commit_later(a, &b, action_done, al) == 0) return HQ_APP_LATER;
        json_decref(al->win);
        free(al);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    if (strncmp(event, "ticket.", 7) == 0 && !t) {
        free(al);
        /* call-next with nobody waiting: nothing changed. */
        *out = json_pack("{s:o,s:n}", "window", hq__window_json(a, w), "ticket");
        if (b.n) {
            rc = hq__app_commit_unlock(a, &b, why);
            if (rc) {
                json_decref(*out);
                *out = NULL;
            }
            return rc;
        }
        pthread_mutex_unlock(&a->mu);
        hq_batch_release(&b);
        return 0;
    }
    if ((t && strcmp(event, "ticket.called") == 0) || strcmp(event, "window.closed") == 0)
        pad_move_on(a, w);
    if (t) {
        data = hq__ticket_event_json(t);
        if (strcmp(event, "ticket.requeued") == 0) json_object_set_new(data, "undo", json_true());
        json_object_set_new(data, "window", json_integer(number));
        json_object_set_new(data, "window_name", json_string(w->name));
        if (strcmp(event, "ticket.transferred") == 0) {
            json_object_set_new(data, "from", json_string(from));
            json_object_set_new(data, "to", json_string(t->service));
        }
        if (strcmp(event, "ticket.finished") == 0) {
            struct hq_pad *pad = hq__pad(a, w);
            if (pad) {
                pad->gone[0] = '\0';
                snprintf(pad->ticket, sizeof pad->ticket, "%s", t->id);
                snprintf(pad->number, sizeof pad->number, "%s", t->number);
                pad->stage = finished_stage; /* the stage just finished */
                pad->finished_at = now.t;
            }
            if (t->status == HQ_WAITING)
                json_object_set_new(data, "next_service", json_string(t->service));
        }
        hq_batch_ticket(&b, t);
    } else {
        data = json_pack("{s:i,s:s,s:s}", "window", number, "state", hq_win_state_name(w->state),
                         "window_name", w->name);
        if (w->state == HQ_WIN_PAUSED) {
            json_object_set_new(data, "reason", json_string(w->pause_reason));
            json_object_set_new(data, "back_in_s",
                                w->back_in_s ? json_integer(w->back_in_s) : json_null());
        }
    }
    hq_batch_window(&b, w);
    hq__app_event(a, &b, who->username, event, data);
    /* The answer shows the hall at this moment; the ticket's part is copied now and made into
     * JSON once mu is released (t is not touched after that; issue 12). */
    if (al) { /* answered by the writer once durable: this thread is free at once (issue 12) */
        al->a = a;
        al->k = *later;
        al->has_ticket = t != NULL;
        if (t) hq__ticket_view_take(a, &now, t, &al->tv);
        al->win = hq__window_json(a, w);
        rc = hq__app_commit_later(a, &b, action_done, al);
        if (rc == 0) return HQ_APP_LATER;
        json_decref(al->win);
        free(al);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    struct hq__ticket_view tv;
    if (t) hq__ticket_view_take(a, &now, t, &tv);
    json_t *win = hq__window_json(a, w);
    rc = hq__app_commit_unlock(a, &b, why);
    if (rc) {
        json_decref(win);
        return rc;
    }
    *out = json_pack("{s:o,s:o}", "window", win, "ticket",
                     t ? hq__ticket_view_json(a, &tv, true) : json_null());
    return 0;
}

int hq_app_window_pending_eval(struct hq_app *a, int32_t number, json_t **out, struct hq_why *why)
{
    int64_t now = hq_app_time(a);
    pthread_mutex_lock(&a->mu);
    struct hq_window *w = hq_window_find(&a->hall, number);
    if (!w) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ENOTFOUND, "", "no window %d", number);
    }
    struct hq_pad *pad = hq__pad(a, w);
    struct hq_ticket *t = pad && pad->ticket[0] ? hq_ticket_find(&a->hall, pad->ticket) : NULL;
    /* The pad asks for 10 minutes after the finish, once. */
    if (t && !t->evaluated && now - pad->finished_at <= 600)
        *out = json_pack("{s:s,s:s,s:i,s:i}", "ticket", t->id, "number", t->number, "window",
                         number, "stage", (int)pad->stage);
    else
        *out = json_pack("{s:n,s:n,s:i}", "ticket", "number", "window", number);
    pthread_mutex_unlock(&a->mu);
    return 0;
}
