/* SPDX-License-Identifier: MIT */
/*
 * test_core_windows.c — the clerk's actions at a window: open (certifications, expiry, one window
 * per clerk), every legal transition of window and ticket, and every illegal one refused with
 * 409 and no change; transfer keeping the ticket's place; multi-service tickets; pause/resume;
 * configuration of windows and staff.
 */
#include "test_core_fixture.h"

static struct hq_hall H;
static struct hq_now NOW;

static int setup(void **state)
{
    (void)state;
    hq_hall_init(&H);
    fx_service(&H, "A", 300, 0);
    fx_service(&H, "B", 600, 0);
    fx_service(&H, "C", 120, 0);
    fx_window(&H, 1, "A B");
    fx_window(&H, 2, "B C");
    fx_window(&H, 3, "C");
    fx_staff(&H, "li", HQ_ROLE_CLERK, "A B", 20261231);
    fx_staff(&H, "wang", HQ_ROLE_CLERK, "B C", 20261231);
    fx_staff(&H, "boss", HQ_ROLE_MANAGER, "", 20261231);
    NOW = fx_now(2026, 3, 2, 9, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hq_hall_release(&H);
    return 0;
}

/* Snapshot of everything an action may change, to prove refusals change nothing. */
struct snap {
    struct hq_window w[3];
    struct hq_ticket t[16];
    size_t n;
};
static void take(struct snap *s)
{
    memset(s, 0, sizeof *s);
    memcpy(s->w, H.windows, sizeof s->w);
    s->n = H.n_tickets < 16 ? H.n_tickets : 16;
    if (s->n) memcpy(s->t, H.tickets, s->n * sizeof s->t[0]);
}
static void same(const struct snap *s)
{
    struct snap now;
    take(&now);
    assert_int_equal(now.n, s->n);
    assert_memory_equal(now.w, s->w, sizeof s->w);
    assert_memory_equal(now.t, s->t, s->n * sizeof s->t[0]);
}

static void test_open(void **state)
{
    (void)state;
    struct hq_why why;
    struct hq_window *w1 = hq_window_find(&H, 1);
    struct hq_window *w3 = hq_window_find(&H, 3);
    struct snap s;
    take(&s);
    /* li holds A and B; window 3 serves only C */
    assert_int_equal(hq_window_open(&H, &NOW, w3, hq_staff_find(&H, "li"), &why), HQ_EFORBIDDEN);
    assert_non_null(strstr(why.message, "certification"));
    assert_int_equal(hq_err_http_status(why.code), 403);
    /* a manager needs certifications too */
    assert_int_equal(hq_window_open(&H, &NOW, w1, hq_staff_find(&H, "boss"), &why), HQ_EFORBIDDEN);
    assert_int_equal(hq_window_open(&H, &NOW, w1, NULL, &why), HQ_EFORBIDDEN);
    same(&s);

    assert_int_equal(hq_window_open(&H, &NOW, w1, hq_staff_find(&H, "li"), &why), 0);
    assert_int_equal(w1->state, HQ_WIN_OPEN);
    assert_string_equal(w1->clerk, "li");
    assert_int_equal(w1->n_active, 2);
    assert_string_equal(w1->active[0], "A");
    assert_string_equal(w1->active[1], "B");
    assert_int_equal(w1->opened_at, NOW.t);
    /* re-open by the same clerk: fine, nothing else changes */
    assert_int_equal(hq_window_open(&H, &NOW, w1, hq_staff_find(&H, "li"), &why), 0);
    assert_int_equal(w1->state, HQ_WIN_OPEN);
    /* someone else at li's window: 409 */
    take(&s);
    assert_int_equal(hq_window_open(&H, &NOW, w1, hq_staff_find(&H, "wang"), &why), HQ_ECONFLICT);
    assert_non_null(strstr(why.message, "li"));
    /* li at a second window: 409 */
    assert_int_equal(hq_window_open(&H, &NOW, hq_window_find(&H, 2), hq_staff_find(&H, "li"), &why),
                     HQ_ECONFLICT);
    assert_non_null(strstr(why.message, "window 1"));
    same(&s);
    /* partial certification: wang at window 1 (A B) serves only B */
    assert_int_equal(hq_window_close(&H, &NOW, w1, &why), 0);
    assert_int_equal(hq_window_open(&H, &NOW, w1, hq_staff_find(&H, "wang"), &why), 0);
    assert_int_equal(w1->n_active, 1);
    assert_string_equal(w1->active[0], "B");
    /* inactive staff */
    hq_window_close(&H, &NOW, w1, &why);
    hq_staff_find(&H, "wang")->active = false;
    assert_int_equal(hq_window_open(&H, &NOW, w1, hq_staff_find(&H, "wang"), &why), HQ_EFORBIDDEN);
}

static void test_cert_expiry(void **state)
{
    (void)state;
    struct hq_why why;
    struct hq_staff *li = hq_staff_find(&H, "li");
    li->certs[0].expires_on = 20260301; /* A expired yesterday */
    li->certs[1].expires_on = 20260302; /* B valid through today */
    assert_false(hq_cert_valid(li, "A", 20260302));
    assert_true(hq_cert_valid(li, "A", 20260301));
    assert_true(hq_cert_valid(li, "B", 20260302));
    assert_false(hq_cert_valid(li, "B", 20260303));
    assert_false(hq_cert_valid(li, "C", 20200101));
    struct hq_window *w1 = hq_window_find(&H, 1);
    assert_int_equal(hq_window_open(&H, &NOW, w1, li, &why), 0);
    assert_int_equal(w1->n_active, 1);
    assert_string_equal(w1->active[0], "B");
    /* an A ticket is not called there; a B one is */
    fx_issue(&H, &NOW, "A");
    struct hq_ticket *t = NULL;
    assert_int_equal(hq_window_call_next(&H, &NOW, w1, &t, &why), 0);
    assert_null(t);
    assert_int_equal(hq_window_call_number(&H, &NOW, w1, "A001", &t, &why), HQ_ECONFLICT);
    fx_issue(&H, &NOW, "B");
    assert_int_equal(hq_window_call_next(&H, &NOW, w1, &t, &why), 0);
    assert_string_equal(t->number, "B001");
    assert_int_equal(hq_window_no_show(&H, &NOW, w1, NULL, &why), 0);
    assert_int_equal(hq_window_close(&H, &NOW, w1, &why), 0);
    /* tomorrow nothing is valid */
    struct hq_now tomorrow = fx_after(&NOW, 86400);
    assert_int_equal(hq_window_open(&H, &tomorrow, w1, li, &why), HQ_EFORBIDDEN);
}

static void test_full_cycle(void **state)
{
    (void)state;
    struct hq_why why;
    struct hq_window *w = fx_open(&H, &NOW, 1, "li");
    const char *a1 = fx_keep(fx_issue(&H, &NOW, "A"));
    struct hq_now t1 = fx_after(&NOW, 60);
    struct hq_ticket *t = NULL;
    assert_int_equal(hq_window_call_next(&H, &t1, w, &t, &why), 0);
    assert_string_equal(t->id, a1);
    assert_int_equal(t->status, HQ_CALLED);
    assert_int_equal(t->called_at, t1.t);
    assert_int_equal(t->window, 1);
    assert_string_equal(t->clerk, "li");
    assert_int_equal(t->calls, 1);
    assert_string_equal(w->current, a1);

    struct hq_now t2 = fx_after(&NOW, 90);
    assert_int_equal(hq_window_recall(&H, &t2, w, &t, &why), 0);
    assert_int_equal(t->calls, 2);
    assert_int_equal(t->called_at, t1.t);
    assert_int_equal(t->recalled_at, t2.t);

    struct hq_now t3 = fx_after(&NOW, 120);
    assert_int_equal(hq_window_start(&H, &t3, w, &t, &why), 0);
    assert_int_equal(t->status, HQ_SERVING);
    assert_int_equal(t->started_at, t3.t);

    struct snap s;
    take(&s);
    assert_int_equal(hq_window_recall(&H, &t3, w, &t, &why), HQ_ECONFLICT);
    assert_int_equal(hq_window_start(&H, &t3, w, &t, &why), HQ_ECONFLICT);
    assert_int_equal(hq_window_no_show(&H, &t3, w, &t, &why), HQ_ECONFLICT);
    assert_int_equal(hq_window_call_next(&H, &t3, w, &t, &why), HQ_ECONFLICT);
    assert_non_null(strstr(why.message, "A001"));
    assert_int_equal(hq_window_call_number(&H, &t3, w, "A001", &t, &why), HQ_ECONFLICT);
    assert_int_equal(hq_window_pause(&H, &t3, w, "lunch", 0, &why), HQ_ECONFLICT);
    assert_int_equal(hq_window_close(&H, &t3, w, &why), HQ_ECONFLICT);
    assert_int_equal(hq_window_resume(&H, &t3, w, &why), HQ_ECONFLICT);
    same(&s);

    struct hq_now t4 = fx_after(&NOW, 420);
    assert_int_equal(hq_window_finish(&H, &t4, w, &t, &why), 0);
    assert_int_equal(t->status, HQ_DONE);
    assert_int_equal(t->finished_at, t4.t);
    assert_int_equal(t->window, 1);
    assert_string_equal(w->current, "");
    struct hq_service *sa = hq_service_find(&H, "A");
    assert_int_equal(sa->n_recent, 1);
    assert_int_equal(sa->recent[0], 300);

    take(&s);
    assert_int_equal(hq_window_finish(&H, &t4, w, &t, &why), HQ_ECONFLICT);
    assert_string_equal(why.message, "finish: window 1 has no ticket being served");
    assert_int_equal(hq_window_start(&H, &t4, w, &t, &why), HQ_ECONFLICT);
    assert_int_equal(hq_window_recall(&H, &t4, w, &t, &why), HQ_ECONFLICT);
    assert_int_equal(hq_window_no_show(&H, &t4, w, &t, &why), HQ_ECONFLICT);
    assert_int_equal(hq_window_transfer(&H, &t4, w, "B", &t, &why), HQ_ECONFLICT);
    same(&s);
    /* nothing waits: ok, no ticket */
    t = (struct hq_ticket *)1;
    assert_int_equal(hq_window_call_next(&H, &t4, w, &t, &why), 0);
    assert_null(t);
    /* a done ticket cannot be cancelled */
    assert_int_equal(hq_ticket_cancel(&H, &t4, hq_ticket_find(&H, a1), &why), HQ_ECONFLICT);
}

static void test_finish_needs_start(void **state)
{
    (void)state;
    struct hq_why why;
    struct hq_window *w = fx_open(&H, &NOW, 1, "li");
    fx_issue(&H, &NOW, "A");
    struct hq_ticket *t = NULL;
    assert_int_equal(hq_window_call_next(&H, &NOW, w, &t, &why), 0);
    assert_int_equal(hq_window_finish(&H, &NOW, w, &t, &why), HQ_ECONFLICT);
    assert_non_null(strstr(why.message, "not started"));
    assert_int_equal(t->status, HQ_CALLED);
    /* a called ticket cannot be cancelled by the customer */
    assert_int_equal(hq_ticket_cancel(&H, &NOW, t, &why), HQ_ECONFLICT);
}

static void test_no_show_and_requeue(void **state)
{
    (void)state;
    struct hq_why why;
    struct hq_window *w = fx_open(&H, &NOW, 1, "li");
    const char *a1 = fx_keep(fx_issue(&H, &NOW, "A"));
    struct hq_now t5 = fx_after(&NOW, 300);
    fx_issue(&H, &t5, "A");
    struct hq_ticket *t = NULL;
    assert_int_equal(hq_window_call_next(&H, &t5, w, &t, &why), 0);
    assert_string_equal(t->id, a1);
    struct hq_now t6 = fx_after(&NOW, 400);
    assert_int_equal(hq_window_no_show(&H, &t6, w, &t, &why), 0);
    assert_int_equal(t->status, HQ_NO_SHOW);
    assert_string_equal(w->current, "");
    /* requeued from now: goes behind A002 */
    assert_int_equal(hq_ticket_requeue(&H, &t6, hq_ticket_find(&H, a1), false, &why), 0);
    assert_int_equal(hq_window_call_next(&H, &t6, w, &t, &why), 0);
    assert_string_equal(t->number, "A002");
    assert_int_equal(hq_window_no_show(&H, &t6, w, &t, &why), 0);
    assert_int_equal(hq_window_call_next(&H, &t6, w, &t, &why), 0);
    assert_string_equal(t->number, "A001");
    assert_int_equal(t->calls, 1);
}

static void test_call_number(void **state)
{
    (void)state;
    struct hq_why why;
    struct hq_window *w = fx_open(&H, &NOW, 1, "li");
    fx_issue(&H, &NOW, "A");
    fx_issue(&H, &NOW, "A");
    fx_issue(&H, &NOW, "C");
    struct hq_ticket *t = NULL;
    struct snap s;
    take(&s);
    assert_int_equal(hq_window_call_number(&H, &NOW, w, "A009", &t, &why), HQ_ENOTFOUND);
    assert_string_equal(why.field, "number");
    assert_int_equal(hq_window_call_number(&H, &NOW, w, "", &t, &why), HQ_EINVAL);
    assert_int_equal(hq_window_call_number(&H, &NOW, w, NULL, &t, &why), HQ_EINVAL);
    assert_int_equal(hq_window_call_number(&H, &NOW, w, "C001", &t, &why), HQ_ECONFLICT);
    assert_non_null(strstr(why.message, "does not serve"));
    same(&s);
    assert_int_equal(hq_window_call_number(&H, &NOW, w, "A002", &t, &why), 0);
    assert_string_equal(t->number, "A002");
    assert_int_equal(t->status, HQ_CALLED);
    assert_int_equal(hq_window_no_show(&H, &NOW, w, &t, &why), 0);
    assert_int_equal(hq_window_call_number(&H, &NOW, w, "A002", &t, &why), HQ_ECONFLICT);
    assert_non_null(strstr(why.message, "no_show"));
    /* yesterday's number is not today's */
    struct hq_now tomorrow = fx_after(&NOW, 86400);
    assert_int_equal(hq_window_call_number(&H, &tomorrow, w, "A001", &t, &why), HQ_ENOTFOUND);
}

static void test_closed_and_paused(void **state)
{
    (void)state;
    struct hq_why why;
    struct hq_window *w = hq_window_find(&H, 1);
    fx_issue(&H, &NOW, "A");
    struct hq_ticket *t = NULL;
    struct snap s;
    take(&s);
    assert_int_equal(hq_window_call_next(&H, &NOW, w, &t, &why), HQ_ECONFLICT);
    assert_string_equal(why.message, "call-next: window 1 is closed");
    assert_int_equal(hq_window_call_number(&H, &NOW, w, "A001", &t, &why), HQ_ECONFLICT);
    assert_int_equal(hq_window_pause(&H, &NOW, w, "x", 0, &why), HQ_ECONFLICT);
    assert_int_equal(hq_window_resume(&H, &NOW, w, &why), HQ_ECONFLICT);
    assert_int_equal(hq_window_close(&H, &NOW, w, &why), HQ_ECONFLICT);
    assert_int_equal(hq_window_recall(&H, &NOW, w, &t, &why), HQ_ECONFLICT);
    same(&s);

    fx_open(&H, &NOW, 1, "li");
    take(&s);
    assert_int_equal(hq_window_pause(&H, &NOW, w, "", 0, &why), HQ_EINVAL);
    assert_string_equal(why.field, "reason");
    assert_int_equal(hq_window_pause(&H, &NOW, w, NULL, 0, &why), HQ_EINVAL);
    assert_int_equal(hq_window_pause(&H, &NOW, w, "x", -1, &why), HQ_EINVAL);
    assert_string_equal(why.field, "back_in_s");
    char big[HQ_TEXT_MAX + 1];
    memset(big, 'r', HQ_TEXT_MAX);
    big[HQ_TEXT_MAX] = '\0';
    assert_int_equal(hq_window_pause(&H, &NOW, w, big, 0, &why), HQ_EINVAL);
    same(&s);
    big[HQ_TEXT_MAX - 1] = '\0'; /* the longest reason that fits */
    assert_int_equal(hq_window_pause(&H, &NOW, w, big, 0, &why), 0);
    assert_int_equal(hq_window_resume(&H, &NOW, w, &why), 0);

    struct hq_now t1 = fx_after(&NOW, 30);
    assert_int_equal(hq_window_pause(&H, &t1, w, "去取材料 fetching forms", 600, &why), 0);
    assert_int_equal(w->state, HQ_WIN_PAUSED);
    assert_string_equal(w->pause_reason, "去取材料 fetching forms");
    assert_int_equal(w->back_in_s, 600);
    assert_int_equal(w->paused_at, t1.t);
    take(&s);
    assert_int_equal(hq_window_call_next(&H, &t1, w, &t, &why), HQ_ECONFLICT);
    assert_string_equal(why.message, "call-next: window 1 is paused");
    assert_int_equal(hq_window_pause(&H, &t1, w, "again", 0, &why), HQ_ECONFLICT);
    same(&s);
    assert_int_equal(hq_window_resume(&H, &t1, w, &why), 0);
    assert_int_equal(w->state, HQ_WIN_OPEN);
    assert_string_equal(w->pause_reason, "");
    assert_int_equal(w->paused_at, 0);
    assert_int_equal(w->back_in_s, 0);
    assert_int_equal(hq_window_resume(&H, &t1, w, &why), HQ_ECONFLICT);

    /* close from paused */
    assert_int_equal(hq_window_pause(&H, &t1, w, "end of shift", 0, &why), 0);
    assert_int_equal(hq_window_close(&H, &t1, w, &why), 0);
    assert_int_equal(w->state, HQ_WIN_CLOSED);
    assert_string_equal(w->clerk, "");
    assert_int_equal(w->n_active, 0);
    assert_string_equal(w->pause_reason, "");
    /* li may now open another window */
    fx_open(&H, &t1, 2, "li");
}

static void test_transfer_keeps_place(void **state)
{
    (void)state;
    struct hq_why why;
    struct hq_window *w1 = fx_open(&H, &NOW, 1, "li");
    const char *a1 = fx_keep(fx_issue(&H, &NOW, "A"));
    struct hq_now later = fx_after(&NOW, 600);
    fx_issue(&H, &later, "B");
    fx_issue(&H, &later, "B");
    struct hq_ticket *t = NULL;
    assert_int_equal(hq_window_call_number(&H, &later, w1, "A001", &t, &why), 0);
    assert_int_equal(hq_window_start(&H, &later, w1, &t, &why), 0);
    struct snap s;
    take(&s);
    assert_int_equal(hq_window_transfer(&H, &later, w1, "Z", &t, &why), HQ_EINVAL);
    assert_string_equal(why.field, "service");
    assert_int_equal(hq_window_transfer(&H, &later, w1, "A", &t, &why), HQ_EINVAL);
    assert_int_equal(hq_window_transfer(&H, &later, w1, NULL, &t, &why), HQ_EINVAL);
    same(&s);
    struct hq_now t2 = fx_after(&NOW, 900);
    assert_int_equal(hq_window_transfer(&H, &t2, w1, "B", &t, &why), 0);
    assert_string_equal(t->id, a1);
    assert_string_equal(t->number, "A001");
    assert_string_equal(t->service, "B");
    assert_int_equal(t->status, HQ_WAITING);
    assert_int_equal(t->queued_at, NOW.t);
    assert_int_equal(t->window, 0);
    assert_int_equal(t->started_at, 0);
    assert_string_equal(w1->current, "");
    /* it keeps its place: first of the B queue, ahead of B001 and B002 */
    struct hq_estimate e;
    assert_int_equal(hq_ticket_estimate(&H, &t2, hq_ticket_find(&H, a1), &e), 0);
    assert_int_equal(e.position, 1);
    struct hq_window *w2 = fx_open(&H, &t2, 2, "wang");
    assert_int_equal(hq_window_call_next(&H, &t2, w2, &t, &why), 0);
    assert_string_equal(t->number, "A001");
    /* transfer while called (not started) works too */
    assert_int_equal(hq_window_transfer(&H, &t2, w2, "C", &t, &why), 0);
    assert_string_equal(t->service, "C");
    assert_int_equal(hq_window_call_next(&H, &t2, w2, &t, &why), 0);
    /* window 2 serves B first: B's +60 s does not beat A001's ten extra minutes in C */
    assert_string_equal(t->number, "A001");
}

static void test_multi_service(void **state)
{
    (void)state;
    struct hq_why why;
    struct hq_issue in = {.service = "A", .category = HQ_NORMAL, .channel = HQ_GUIDE};
    in.next[0] = "B";
    in.next[1] = "C";
    in.n_next = 2;
    struct hq_ticket *t = NULL;
    assert_int_equal(hq_ticket_issue(&H, &NOW, "multi", &in, &t, &why), 0);
    struct hq_now later = fx_after(&NOW, 300);
    fx_issue(&H, &later, "B"); /* B001, issued after the multi ticket */
    struct hq_window *w1 = fx_open(&H, &later, 1, "li");
    assert_int_equal(hq_window_call_next(&H, &later, w1, &t, &why), 0);
    assert_string_equal(t->id, "multi");
    assert_int_equal(hq_window_start(&H, &later, w1, &t, &why), 0);
    struct hq_now t2 = fx_after(&NOW, 700);
    assert_int_equal(hq_window_finish(&H, &t2, w1, &t, &why), 0);
    assert_int_equal(t->status, HQ_WAITING);
    assert_string_equal(t->service, "B");
    assert_int_equal(t->n_next, 1);
    assert_string_equal(t->next[0], "C");
    assert_int_equal(t->stage, 1);
    assert_int_equal(t->queued_at, NOW.t);
    assert_string_equal(w1->current, "");
    assert_int_equal(hq_service_find(&H, "A")->n_recent, 1);
    /* next B call: the multi ticket again, before B001 */
    assert_int_equal(hq_window_call_next(&H, &t2, w1, &t, &why), 0);
    assert_string_equal(t->id, "multi");
    assert_int_equal(hq_window_start(&H, &t2, w1, &t, &why), 0);
    assert_int_equal(hq_window_finish(&H, &t2, w1, &t, &why), 0);
    assert_string_equal(t->service, "C");
    assert_int_equal(t->n_next, 0);
    assert_int_equal(t->stage, 2);
    struct hq_window *w3 = fx_open(&H, &t2, 3, "wang");
    assert_int_equal(hq_window_call_next(&H, &t2, w3, &t, &why), 0);
    assert_string_equal(t->id, "multi");
    assert_int_equal(hq_window_start(&H, &t2, w3, &t, &why), 0);
    assert_int_equal(hq_window_finish(&H, &t2, w3, &t, &why), 0);
    assert_int_equal(t->status, HQ_DONE);
    assert_int_equal(t->window, 3);
    assert_int_equal(t->stage, 2);
    assert_string_equal(t->number, "A001");
}

static void test_two_windows_never_same_ticket(void **state)
{
    (void)state;
    struct hq_why why;
    struct hq_window *w1 = fx_open(&H, &NOW, 1, "li");
    struct hq_window *w2 = fx_open(&H, &NOW, 2, "wang");
    fx_issue(&H, &NOW, "B");
    struct hq_ticket *t1 = NULL, *t2 = NULL;
    assert_int_equal(hq_window_call_next(&H, &NOW, w1, &t1, &why), 0);
    assert_int_equal(hq_window_call_next(&H, &NOW, w2, &t2, &why), 0);
    assert_non_null(t1);
    assert_null(t2);
    assert_null(hq_policy_pick(&H, w2, NOW.t));
}

static void test_config(void **state)
{
    (void)state;
    struct hq_why why;
    struct hq_window w;
    memset(&w, 0, sizeof w);
    w.number = 0;
    assert_int_equal(hq_window_add(&H, &w, &why), HQ_EINVAL);
    assert_string_equal(why.field, "number");
    w.number = 4;
    w.n_services = 1;
    snprintf(w.services[0], HQ_CODE_MAX, "Q");
    assert_int_equal(hq_window_add(&H, &w, &why), HQ_EINVAL);
    assert_string_equal(why.field, "services");
    w.n_services = 2;
    snprintf(w.services[0], HQ_CODE_MAX, "A");
    snprintf(w.services[1], HQ_CODE_MAX, "A");
    assert_int_equal(hq_window_add(&H, &w, &why), HQ_EINVAL);
    w.n_services = 1;
    w.state = HQ_WIN_OPEN; /* runtime fields of the input are ignored */
    snprintf(w.clerk, sizeof w.clerk, "li");
    assert_int_equal(hq_window_add(&H, &w, &why), 0);
    assert_int_equal(hq_window_find(&H, 4)->state, HQ_WIN_CLOSED);
    assert_string_equal(hq_window_find(&H, 4)->clerk, "");
    assert_int_equal(hq_window_add(&H, &w, &why), HQ_ECONFLICT);
    /* sorted by number */
    w.number = 0;
    w.number = 2;
    assert_int_equal(hq_window_add(&H, &w, &why), HQ_ECONFLICT);
    for (size_t i = 1; i < H.n_windows; i++)
        assert_true(H.windows[i - 1].number < H.windows[i].number);
    /* put keeps runtime state and recomputes the active list */
    fx_open(&H, &NOW, 1, "li");
    struct hq_window p = *hq_window_find(&H, 1);
    p.state = HQ_WIN_CLOSED;
    p.n_services = 2;
    snprintf(p.services[0], HQ_CODE_MAX, "B");
    snprintf(p.services[1], HQ_CODE_MAX, "C");
    H.day = NOW.day;
    assert_int_equal(hq_window_put(&H, &p, &why), 0);
    struct hq_window *w1 = hq_window_find(&H, 1);
    assert_int_equal(w1->state, HQ_WIN_OPEN);
    assert_string_equal(w1->clerk, "li");
    assert_int_equal(w1->n_active, 1);
    assert_string_equal(w1->active[0], "B");
    p.number = 77;
    assert_int_equal(hq_window_put(&H, &p, &why), HQ_ENOTFOUND);

    /* services */
    struct hq_service s = *hq_service_find(&H, "A");
    s.avg_service_s = 0;
    assert_int_equal(hq_service_add(&H, &s, &why), HQ_EINVAL);
    assert_string_equal(why.field, "avg_service_s");
    s.avg_service_s = 60;
    assert_int_equal(hq_service_add(&H, &s, &why), HQ_ECONFLICT);
    snprintf(s.code, sizeof s.code, "a");
    assert_int_equal(hq_service_add(&H, &s, &why), HQ_EINVAL);
    assert_string_equal(why.field, "code");
    snprintf(s.code, sizeof s.code, "AB");
    s.daily_quota = -1;
    assert_int_equal(hq_service_add(&H, &s, &why), HQ_EINVAL);
    s.daily_quota = 0;
    s.name[0] = '\0';
    assert_int_equal(hq_service_add(&H, &s, &why), HQ_EINVAL);
    assert_string_equal(why.field, "name");
    snprintf(s.name, sizeof s.name, "n");
    s.n_documents = 1;
    s.documents[0][0] = '\0';
    assert_int_equal(hq_service_add(&H, &s, &why), HQ_EINVAL);
    assert_string_equal(why.field, "documents");
    snprintf(s.documents[0], sizeof s.documents[0], "身份证");
    memset(s.name_en, 'x', sizeof s.name_en); /* not terminated */
    assert_int_equal(hq_service_add(&H, &s, &why), HQ_EINVAL);
    s.name_en[0] = '\0';
    assert_int_equal(hq_service_add(&H, &s, &why), 0);
    assert_int_equal(hq_service_put(&H, &s, &why), 0);
    snprintf(s.code, sizeof s.code, "XY");
    assert_int_equal(hq_service_put(&H, &s, &why), HQ_ENOTFOUND);
    assert_true(hq_valid_service_code("AB"));
    assert_false(hq_valid_service_code("ABC"));
    assert_false(hq_valid_service_code(""));
    assert_false(hq_valid_service_code("1"));
    assert_false(hq_valid_service_code(NULL));

    /* staff */
    struct hq_staff st = *hq_staff_find(&H, "li");
    assert_int_equal(hq_staff_add(&H, &st, &why), HQ_ECONFLICT);
    snprintf(st.username, sizeof st.username, "Li");
    assert_int_equal(hq_staff_add(&H, &st, &why), HQ_EINVAL);
    assert_string_equal(why.field, "username");
    snprintf(st.username, sizeof st.username, "zhao.k-1_x");
    st.role = HQ_ROLE_NONE;
    assert_int_equal(hq_staff_add(&H, &st, &why), HQ_EINVAL);
    assert_string_equal(why.field, "role");
    st.role = HQ_ROLE_CLERK;
    st.certs[0].expires_on = 20260230;
    assert_int_equal(hq_staff_add(&H, &st, &why), HQ_EINVAL);
    assert_string_equal(why.field, "certifications");
    st.certs[0].expires_on = 20280229;
    snprintf(st.certs[1].service, HQ_CODE_MAX, "Q");
    assert_int_equal(hq_staff_add(&H, &st, &why), HQ_EINVAL);
    snprintf(st.certs[1].service, HQ_CODE_MAX, "B");
    snprintf(st.pw_hash, sizeof st.pw_hash, "$argon2id$x");
    assert_int_equal(hq_staff_add(&H, &st, &why), 0);
    st.pw_hash[0] = '\0';
    snprintf(st.name, sizeof st.name, "Zhao K.");
    assert_int_equal(hq_staff_put(&H, &st, &why), 0);
    assert_string_equal(hq_staff_find(&H, "zhao.k-1_x")->pw_hash, "$argon2id$x");
    assert_string_equal(hq_staff_find(&H, "zhao.k-1_x")->name, "Zhao K.");
    snprintf(st.username, sizeof st.username, "nobody");
    assert_int_equal(hq_staff_put(&H, &st, &why), HQ_ENOTFOUND);
    assert_false(hq_valid_username(""));
    assert_false(hq_valid_username("a b"));
    assert_false(hq_valid_username("abcdefghijabcdefghijabcdefghijabc"));
    assert_true(hq_valid_username("abcdefghijabcdefghijabcdefghijab"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_open),
        T(test_cert_expiry),
        T(test_full_cycle),
        T(test_finish_needs_start),
        T(test_no_show_and_requeue),
        T(test_call_number),
        T(test_closed_and_paused),
        T(test_transfer_keeps_place),
        T(test_multi_service),
        T(test_two_windows_never_same_ticket),
        T(test_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
