/* SPDX-License-Identifier: MIT */
/*
 * uc_notify.c — notifiers (docs/NOTIFY.md): the admin's list of webhook and command notifiers
 * (documents "notifier", kept in memory under mu), and the triggers that put deliveries into the
 * outbox in the same batch as the change that causes them: ticket.called when a ticket with a
 * phone is called, ticket.near (once per ticket and notifier) when such a ticket is the
 * notifier's `near` places or fewer from the front, and hq__notify_enqueue for other use cases
 * (appointments). The triggers run as the module's before_commit hook (modules.c), so the use
 * cases that move the queue need no line for it. The delivery thread is in notify_outbox.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_appointments.h"
#include "notify_int.h"

static const struct {
    const char *name;
    unsigned bit;
} EVENTS[] = {{"ticket.near", HQ_NEV_NEAR},
              {"ticket.called", HQ_NEV_CALLED},
              {"appointment.booked", HQ_NEV_BOOKED},
              {"appointment.reminder", HQ_NEV_REMINDER}};
#define N_EVENTS (sizeof EVENTS / sizeof EVENTS[0])

static unsigned event_bit(const char *type)
{
    for (size_t i = 0; i < N_EVENTS; i++)
        if (strcmp(EVENTS[i].name, type) == 0) return EVENTS[i].bit;
    return 0;
}

/* ---- notifiers as JSON ---- */

/* Under mu: the distance of ticket.near for n — its own `near` when one was set, else the hall's
 * public_info.notify.near (API.md: the hall's configured number of places, default 3). */
static int near_of(struct hq_app *a, const struct hq_notifier *n)
{
    return n->near ? n->near : hq__near_places(a);
}

static json_t *notifier_json(struct hq_app *a, const struct hq_notifier *n, bool with_secret)
{
    json_t *ev = json_array();
    for (size_t i = 0; i < N_EVENTS; i++)
        if (n->events & EVENTS[i].bit) json_array_append_new(ev, json_string(EVENTS[i].name));
    json_t *argv = json_null();
    if (!n->webhook) {
        argv = json_array();
        for (int i = 0; i < n->argc; i++)
            json_array_append_new(argv, json_string(n->argv[i]));
    }
    json_t *o = json_pack("{s:s,s:s,s:o,s:o,s:o,s:i,s:b,s:I}", "id", n->id, "kind",
                          n->webhook ? "webhook" : "command", "url",
                          n->webhook ? json_string(n->url) : json_null(), "argv", argv, "events",
                          ev, "near", near_of(a, n), "secret_set", n->secret[0] != '\0',
                          "created_at", (json_int_t)n->created_at);
    if (o && with_secret && n->secret[0]) json_object_set_new(o, "secret", json_string(n->secret));
    if (o && with_secret && !n->near) json_object_del(o, "near"); /* stored: follows the hall */
    return o;
}

/* Read a notifier from a JSON object over *n (fields absent keep their value). */
static int notifier_read(json_t *in, struct hq_notifier *n, bool creating, struct hq_why *why)
{
    static const char *const known[] = {"kind", "url", "secret", "argv", "events", "near", NULL};
    int rc = hq__in_known(in, known, why);
    if (rc) return rc;
    char kind[16] = "";
    if (hq__in_str(in, "kind", creating, kind, sizeof kind, why) != 0 ||
        (kind[0] && strcmp(kind, "webhook") != 0 && strcmp(kind, "command") != 0))
        return hq_fail(why, HQ_EINVAL, "kind", "kind: webhook or command");
    if (kind[0]) {
        bool webhook = strcmp(kind, "webhook") == 0;
        if (!creating && webhook != n->webhook)
            return hq_fail(why, HQ_EINVAL, "kind",
                           "kind: a notifier's kind cannot change; delete it and create another");
        n->webhook = webhook;
    }
    json_t *v = json_object_get(in, "url");
    if (v && !json_is_null(v)) {
        const char *u = json_string_value(v);
        size_t len = u ? strlen(u) : 0;
        bool ok = u && len == json_string_length(v) && len < HQ_NOTIFY_URL_MAX &&
                  ((strncmp(u, "http://", 7) == 0 && len > 7) ||
                   (strncmp(u, "https://", 8) == 0 && len > 8));
        for (size_t i = 0; ok && i < len; i++)
            ok = (unsigned char)u[i] > 0x20 && u[i] != 0x7f;
        if (!ok)
            return hq_fail(why, HQ_EINVAL, "url",
                           "url: an http:// or https:// URL of at most 512 characters");
        snprintf(n->url, sizeof n->url, "%s", u);
    }
    v = json_object_get(in, "secret");
    if (v && !json_is_null(v)) {
        const char *s = json_string_value(v);
        size_t len = s ? strlen(s) : 0;
        if (!s || len == 0 || len != json_string_length(v) || len >= HQ_NOTIFY_SECRET_MAX)
            return hq_fail(why, HQ_EINVAL, "secret", "secret: a string of 1 to 256 bytes");
        snprintf(n->secret, sizeof n->secret, "%s", s);
    }
    v = json_object_get(in, "argv");
    if (v && !json_is_null(v)) {
        bool ok =
            json_is_array(v) && json_array_size(v) >= 1 && json_array_size(v) <= HQ_NOTIFY_ARGV_MAX;
        size_t i;
        json_t *s;
        json_array_foreach(v, i, s)
        {
            const char *x = json_string_value(s);
            if (!ok) break;
            ok = x && strlen(x) == json_string_length(s) && strlen(x) < HQ_NOTIFY_ARG_MAX &&
                 (i > 0 || (x[0] == '/' && x[1]));
        }
        if (!ok)
            return hq_fail(why, HQ_EINVAL, "argv",
                           "argv: 1 to 16 strings of at most 255 bytes, the first the program's "
                           "absolute path");
        n->argc = (int)json_array_size(v);
        json_array_foreach(v, i, s)
            snprintf(n->argv[i], HQ_NOTIFY_ARG_MAX, "%s", json_string_value(s));
    }
    v = json_object_get(in, "events");
    if (v || creating) {
        unsigned bits = 0;
        bool ok = json_is_array(v) && json_array_size(v) >= 1;
        size_t i;
        json_t *s;
        json_array_foreach(v, i, s)
        {
            unsigned bit = json_is_string(s) ? event_bit(json_string_value(s)) : 0;
            if (!bit || (bits & bit)) ok = false;
            bits |= bit;
        }
        if (!ok)
            return hq_fail(why, HQ_EINVAL, "events",
                           "events: a non-empty list of ticket.near, ticket.called, "
                           "appointment.booked and appointment.reminder, each at most once");
        n->events = bits;
    }
    int64_t near = n->near; /* 0: the hall's distance */
    if ((rc = hq__in_int(in, "near", false, 1, 50, &near, why))) return rc;
    n->near = (int)near;
    /* the whole must make sense for its kind */
    if (n->webhook) {
        if (n->argc) return hq_fail(why, HQ_EINVAL, "argv", "argv: only for a command notifier");
        if (!n->url[0])
            return hq_fail(why, HQ_EINVAL, "url",
                           "url: an http:// or https:// URL of at most 512 characters");
        if (!n->secret[0])
            return hq_fail(why, HQ_EINVAL, "secret", "secret: a string of 1 to 256 bytes");
    } else {
        if (n->url[0]) return hq_fail(why, HQ_EINVAL, "url", "url: only for a webhook notifier");
        if (!n->argc)
            return hq_fail(why, HQ_EINVAL, "argv",
                           "argv: 1 to 16 strings of at most 255 bytes, the first the program's "
                           "absolute path");
    }
    return 0;
}

static struct hq_notifier *find(struct hq_notify *nt, const char *id)
{
    for (size_t i = 0; nt && i < nt->n; i++)
        if (strcmp(nt->list[i].id, id) == 0) return &nt->list[i];
    return NULL;
}

bool hq__notifier_get(struct hq_app *a, const char *id, struct hq_notifier *out)
{
    struct hq_notifier *n = find(a->notify, id);
    if (n) *out = *n;
    return n != NULL;
}

/* ---- the near marks: who already got ticket.near (under mu) ---- */

static bool marked(struct hq_notify *nt, const char *ticket, const char *notifier)
{
    for (size_t i = 0; i < nt->n_marks; i++)
        if (strcmp(nt->marks[i].ticket, ticket) == 0 &&
            strcmp(nt->marks[i].notifier, notifier) == 0)
            return true;
    return false;
}

static void mark(struct hq_notify *nt, const char *ticket, const char *notifier)
{
    if (nt->n_marks == nt->cap_marks) {
        size_t cap = nt->cap_marks ? nt->cap_marks * 2 : 64;
        struct hq_near_mark *m = realloc(nt->marks, cap * sizeof *m);
        if (!m) return;
        nt->marks = m;
        nt->cap_marks = cap;
    }
    struct hq_near_mark *m = &nt->marks[nt->n_marks++];
    snprintf(m->ticket, sizeof m->ticket, "%s", ticket);
    snprintf(m->notifier, sizeof m->notifier, "%s", notifier);
}

/* Forget marks of tickets that no longer wait (and of notifiers that are gone). */
static void marks_prune(struct hq_app *a)
{
    struct hq_notify *nt = a->notify;
    size_t k = 0;
    for (size_t i = 0; i < nt->n_marks; i++) {
        struct hq_ticket *t = hq_ticket_find(&a->hall, nt->marks[i].ticket);
        if (t && t->status == HQ_WAITING && find(nt, nt->marks[i].notifier))
            nt->marks[k++] = nt->marks[i];
    }
    nt->n_marks = k;
}

/* Mark, without sending, every waiting ticket already within n's distance: the state after a
 * restart or when a notifier is created or changed (their moment has passed or been sent). */
static void marks_settle(struct hq_app *a, const struct hq_notifier *n)
{
    if (!(n->events & HQ_NEV_NEAR)) return;
    struct hq_now now;
    hq_app_now(a, &now);
    for (size_t i = 0; i < a->hall.n_tickets; i++) {
        struct hq_ticket *t = &a->hall.tickets[i];
        struct hq_estimate e;
        if (t->status != HQ_WAITING || !t->phone[0] || marked(a->notify, t->id, n->id)) continue;
        if (hq_ticket_estimate(&a->hall, &now, t, &e) == 0 && e.ahead <= near_of(a, n))
            mark(a->notify, t->id, n->id);
    }
}

/* ---- the outbox ---- */

static int enqueue_one(struct hq_app *a, struct hq_batch *b, const struct hq_notifier *n,
                       const char *type, const char *phone, json_t *ticket, json_t *appointment)
{
    char id[33], at[40];
    hq__random_hex(id, 16);
    int64_t t = hq_app_time(a);
    hq_app_format_time(a, t, at, sizeof at);
    json_t *text = hq_notify_text(type, ticket, appointment);
    char *body = hq_notify_body(id, type, at, phone, text, ticket, appointment);
    json_decref(text);
    if (!body) return HQ_EINTERNAL;
    json_t *doc =
        json_pack("{s:s,s:s,s:s,s:i,s:I,s:I}", "notifier", n->id, "type", type, "body", body,
                  "attempts", 0, "next_ms", (json_int_t)0, "created_ms", (json_int_t)t * 1000);
    free(body);
    char *text_doc = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    int rc = text_doc ? hq_batch_doc(b, HQ_NOTIFY_DOC, id, text_doc, t) : HQ_EINTERNAL;
    free(text_doc);
    if (rc == 0) { /* wake the delivery thread once this batch's events are committed */
        struct hq_notify *nt = a->notify;
        pthread_mutex_lock(&nt->nmu);
        if (!nt->armed_min) nt->armed_min = a->last_seq + 1;
        nt->armed_max = a->last_seq + 1;
        pthread_mutex_unlock(&nt->nmu);
    }
    return rc;
}

int hq__notify_enqueue(struct hq_app *a, struct hq_batch *b, const char *type, const char *phone,
                       json_t *ticket, json_t *appointment)
{
    int count = 0;
    unsigned bit = event_bit(type);
    struct hq_notify *nt = a->notify;
    for (size_t i = 0; nt && bit && phone && phone[0] && i < nt->n; i++) {
        if (!(nt->list[i].events & bit)) continue;
        if (enqueue_one(a, b, &nt->list[i], type, phone, ticket, appointment) != 0) {
            count = HQ_EINTERNAL;
            break;
        }
        count++;
    }
    json_decref(ticket);
    json_decref(appointment);
    return count;
}

static json_t *ticket_obj(const struct hq_ticket *t, int ahead)
{
    return json_pack("{s:s,s:s,s:i,s:o}", "number", t->number, "service", t->service, "ahead",
                     ahead, "window", t->window ? json_integer(t->window) : json_null());
}

/* ticket.called for each ticket a batch calls (its event names the number; its row the phone). */
static void trigger_called(struct hq_app *a, struct hq_batch *b, size_t n0)
{
    for (size_t i = 0; i < n0; i++) {
        if (b->ops[i].kind != HQ_OP_EVENT || strcmp(b->ops[i].u.event.type, "ticket.called") != 0)
            continue;
        json_t *d = json_loads(b->ops[i].u.event.data, 0, NULL);
        const char *number = json_string_value(json_object_get(d, "number"));
        for (size_t k = 0; number && k < n0; k++) {
            const struct hq_ticket *t = &b->ops[k].u.ticket;
            if (b->ops[k].kind != HQ_OP_TICKET || t->status != HQ_CALLED || !t->phone[0] ||
                strcmp(t->number, number) != 0)
                continue;
            char phone[HQ_PHONE_MAX];
            snprintf(phone, sizeof phone, "%s", t->phone); /* b->ops may move while adding */
            hq__notify_enqueue(a, b, "ticket.called", phone, ticket_obj(t, 0), NULL);
            break;
        }
        json_decref(d);
    }
}

/* ticket.near: every waiting ticket with a phone now within a notifier's distance, once. */
static void trigger_near(struct hq_app *a, struct hq_batch *b)
{
    struct hq_notify *nt = a->notify;
    bool any = false;
    for (size_t k = 0; k < nt->n; k++)
        any |= (nt->list[k].events & HQ_NEV_NEAR) != 0;
    if (!any) return;
    marks_prune(a);
    struct hq_now now;
    hq_app_now(a, &now);
    for (size_t i = 0; i < a->hall.n_tickets; i++) {
        struct hq_ticket *t = &a->hall.tickets[i];
        if (t->status != HQ_WAITING || !t->phone[0]) continue;
        bool have = false;
        struct hq_estimate e;
        for (size_t k = 0; k < nt->n; k++) {
            const struct hq_notifier *n = &nt->list[k];
            if (!(n->events & HQ_NEV_NEAR) || marked(nt, t->id, n->id)) continue;
            if (!have && hq_ticket_estimate(&a->hall, &now, t, &e) != 0) break;
            have = true;
            if (e.ahead > near_of(a, n)) continue;
            json_t *obj = ticket_obj(t, e.ahead);
            if (obj && enqueue_one(a, b, n, "ticket.near", t->phone, obj, NULL) == 0)
                mark(nt, t->id, n->id);
            json_decref(obj);
        }
    }
}

static void before_commit(struct hq_app *a, struct hq_batch *b)
{
    if (!a->notify || a->notify->n == 0) return;
    size_t n0 = b->n;
    bool tickets = false;
    for (size_t i = 0; i < n0 && !tickets; i++)
        tickets = b->ops[i].kind == HQ_OP_TICKET;
    if (!tickets) return;
    trigger_called(a, b, n0);
    trigger_near(a, b);
}

/* ---- use cases ---- */

int hq_app_notifiers_list(struct hq_app *a, json_t **out, struct hq_why *why)
{
    (void)why;
    json_t *arr = json_array();
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; a->notify && i < a->notify->n; i++)
        json_array_append_new(arr, notifier_json(a, &a->notify->list[i], false));
    pthread_mutex_unlock(&a->mu);
    *out = arr;
    return 0;
}

/* Under mu: commit n's document (or its deletion) and unlock. */
static int commit_notifier(struct hq_app *a, const struct hq_notifier *n, bool del,
                           struct hq_why *why)
{
    struct hq_batch b;
    hq_batch_init(&b);
    int64_t t = hq_app_time(a);
    int rc;
    if (del) {
        rc = hq_batch_doc_delete(&b, "notifier", n->id, t);
    } else {
        json_t *o = notifier_json(a, n, true);
        char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
        rc = s ? hq_batch_doc(&b, "notifier", n->id, s, n->created_at) : HQ_EINTERNAL;
        free(s);
    }
    if (rc) {
        pthread_mutex_unlock(&a->mu);
        hq_batch_release(&b);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    return hq__app_commit_unlock(a, &b, why);
}

int hq_app_notifier_create(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                           struct hq_why *why)
{
    (void)who;
    struct hq_notifier n = {0};
    n.webhook = true;
    int rc = notifier_read(in, &n, true, why);
    if (rc) return rc;
    hq__random_hex(n.id, 8);
    n.created_at = hq_app_time(a);
    pthread_mutex_lock(&a->mu);
    struct hq_notify *nt = a->notify;
    if (nt->n >= HQ_NOTIFIERS_MAX) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ECONFLICT, "", "at most %d notifiers", HQ_NOTIFIERS_MAX);
    }
    nt->list[nt->n++] = n;
    marks_settle(a, &n);
    *out = notifier_json(a, &n, false);
    rc = commit_notifier(a, &n, false, why);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int hq_app_notifier_update(struct hq_app *a, const struct hq_actor *who, const char *id, json_t *in,
                           json_t **out, struct hq_why *why)
{
    (void)who;
    pthread_mutex_lock(&a->mu);
    struct hq_notifier *cur = find(a->notify, id);
    if (!cur) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ENOTFOUND, "", "no notifier %s", id);
    }
    struct hq_notifier n = *cur;
    int rc = notifier_read(in, &n, false, why);
    if (rc) {
        pthread_mutex_unlock(&a->mu);
        return rc;
    }
    *cur = n;
    marks_settle(a, &n);
    *out = notifier_json(a, &n, false);
    rc = commit_notifier(a, &n, false, why);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int hq_app_notifier_delete(struct hq_app *a, const struct hq_actor *who, const char *id,
                           json_t **out, struct hq_why *why)
{
    (void)who;
    pthread_mutex_lock(&a->mu);
    struct hq_notify *nt = a->notify;
    struct hq_notifier *cur = find(nt, id);
    if (!cur) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ENOTFOUND, "", "no notifier %s", id);
    }
    struct hq_notifier n = *cur;
    *cur = nt->list[--nt->n];
    *out = json_pack("{s:s,s:b}", "id", n.id, "deleted", 1);
    int rc = commit_notifier(a, &n, true, why);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* ---- the module ---- */

static int load_one(void *ctx, const char *key, const char *json, int64_t t)
{
    struct hq_app *a = ctx;
    struct hq_notify *nt = a->notify;
    (void)t;
    json_t *o = json_loads(json, 0, NULL);
    struct hq_notifier n = {0};
    struct hq_why why;
    const char *kind = json_string_value(json_object_get(o, "kind"));
    n.webhook = !kind || strcmp(kind, "command") != 0;
    n.created_at = (int64_t)json_integer_value(json_object_get(o, "created_at"));
    if (o) {
        json_object_del(o, "id");
        json_object_del(o, "secret_set");
        json_object_del(o, "created_at");
    }
    if (o && nt->n < HQ_NOTIFIERS_MAX && notifier_read(o, &n, true, &why) == 0) {
        snprintf(n.id, sizeof n.id, "%s", key);
        nt->list[nt->n++] = n;
    } else {
        fprintf(stderr, "hallq: notifier %s not loaded: unreadable\n", key);
    }
    json_decref(o);
    return 0;
}

static int notify_open(struct hq_app *a, struct hq_why *why)
{
    struct hq_notify *nt = calloc(1, sizeof *nt);
    if (nt) nt->list = calloc(HQ_NOTIFIERS_MAX, sizeof *nt->list);
    if (!nt || !nt->list) {
        free(nt);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    pthread_mutex_init(&nt->nmu, NULL);
    pthread_cond_init(&nt->ncv, NULL);
    nt->listener = -1;
    const char *base = getenv("HALLQ_NOTIFY_RETRY_MS"); /* tests: a short first retry delay */
    nt->base_ms = base && atoll(base) > 0 ? atoll(base) : 10000;
    a->notify = nt;
    a->store->vt->doc_list(a->store, "notifier", 0, 0, 0, load_one, a);
    for (size_t i = 0; i < nt->n; i++)
        marks_settle(a, &nt->list[i]);
    hq__notify_send_init();
    return 0;
}

static void notify_close(struct hq_app *a)
{
    struct hq_notify *nt = a->notify;
    if (!nt) return;
    pthread_mutex_destroy(&nt->nmu);
    pthread_cond_destroy(&nt->ncv);
    free(nt->list);
    free(nt->marks);
    free(nt);
    a->notify = NULL;
}

const struct hq__module hq__notify_module = {
    .name = "notify",
    .open = notify_open,
    .start = hq__notify_outbox_start,
    .stop = hq__notify_outbox_stop,
    .close = notify_close,
    .before_commit = before_commit,
};
