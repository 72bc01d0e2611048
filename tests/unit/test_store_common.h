/* SPDX-License-Identifier: MIT */
/*
 * test_store_common.h — the store tests every back end must pass, included by
 * test_store_sqlite.c and test_store_pg.c: fixtures with every field set, exact field-by-field
 * comparisons, and the tests that speak only the interface (round trip, load filter, numbering
 * and recent times, a failing group rolls back whole, group commit, the event log, documents, a
 * reader beside the writer). The including file defines STORE_BACKEND (the expected vt->name),
 * provides struct fx's setup (fx->db is a path or a URL) and its own main().
 */
#ifndef TEST_STORE_COMMON_H
#define TEST_STORE_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/hq_core.h"
#include "store/hq_store.h"
#define DAY 20250310

struct fx {
    char dir[64];
    char db[256];
};

static struct hq_store *open_ok(const char *path)
{
    struct hq_why why = {0};
    struct hq_store *s = hq_store_open(path, &why);
    if (!s) fail_msg("open %s: %s", path, why.message);
    return s;
}

static void commit_ok(struct hq_store *s, struct hq_batch *b)
{
    struct hq_why why = {0};
    struct hq_batch *bs[1] = {b};
    int rc = s->vt->commit(s, bs, 1, &why);
    if (rc != 0) fail_msg("commit: %d %s", rc, why.message);
}

static void load_ok(struct hq_store *s, struct hq_hall *h, int32_t min_day, int64_t *last)
{
    struct hq_why why = {0};
    hq_hall_init(h);
    int rc = s->vt->load(s, h, min_day, last, &why);
    if (rc != 0) fail_msg("load: %d %s", rc, why.message);
}

/* ---- fixtures: one of everything, every field set to something not default ---- */

static void make_conf(struct hq_hall_conf *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", "浦东新区市民中心");
    snprintf(c->name_en, sizeof c->name_en, "%s", "Pudong Citizen Centre");
    snprintf(c->timezone, sizeof c->timezone, "%s", "Asia/Urumqi");
    hq_hours_clear(&c->hours, true);
    for (int d = 1; d < 7; d++) { /* a lunch break: two ranges a day; Sunday closed */
        assert_int_equal(hq_hours_add(&c->hours, d, 480 + d, 720), 0);
        assert_int_equal(hq_hours_add(&c->hours, d, 810, 1020 - d), 0);
    }
    c->policy.boost_priority_s = 1234;
    c->policy.boost_appointment_s = 4321;
    c->policy.boost_first_service_s = 77;
    c->suspended = true;
    snprintf(c->suspend_reason, sizeof c->suspend_reason, "%s", "停电 \"power\" cut\n");
    c->target_wait_s = 600;
    c->carry_over = true;
}

static void make_service(struct hq_service *s, const char *code, int seq)
{
    memset(s, 0, sizeof *s);
    snprintf(s->code, sizeof s->code, "%s", code);
    snprintf(s->name, sizeof s->name, "社保业务 %s", code);
    snprintf(s->name_en, sizeof s->name_en, "Social insurance %s", code);
    s->avg_service_s = 420;
    s->n_documents = 3;
    snprintf(s->documents[0], sizeof s->documents[0], "%s", "身份证");
    snprintf(s->documents[1], sizeof s->documents[1], "%s", "户口本");
    snprintf(s->documents[2], sizeof s->documents[2], "%s", "a \"quoted\", \\ name");
    s->daily_quota = 250;
    s->enabled = true;
    hq_hours_clear(&s->hours, false); /* the ranges must survive all the same */
    for (int d = 0; d < 7; d++)
        assert_int_equal(hq_hours_add(&s->hours, d, 540 + d, 720 + d), 0);
    s->seq_day = DAY;
    s->seq = seq;
}

static void make_window(struct hq_window *w, int32_t number)
{
    memset(w, 0, sizeof *w);
    w->number = number;
    snprintf(w->name, sizeof w->name, "%d号窗口", number);
    w->n_services = 2;
    snprintf(w->services[0], sizeof w->services[0], "%s", "B");
    snprintf(w->services[1], sizeof w->services[1], "%s", "AB");
    w->state = HQ_WIN_PAUSED;
    snprintf(w->pause_reason, sizeof w->pause_reason, "%s", "午休 lunch");
    w->paused_at = 1741570000;
    w->back_in_s = 900;
    snprintf(w->clerk, sizeof w->clerk, "%s", "li.na");
    snprintf(w->current, sizeof w->current, "%s", "0123456789abcdef0123456789abcdef");
    w->n_active = 1;
    snprintf(w->active[0], sizeof w->active[0], "%s", "AB");
    w->opened_at = 1741560000;
}

static void make_staff(struct hq_staff *s, const char *user)
{
    memset(s, 0, sizeof *s);
    snprintf(s->username, sizeof s->username, "%s", user);
    snprintf(s->name, sizeof s->name, "%s", "李娜");
    s->role = HQ_ROLE_CLERK;
    snprintf(s->pw_hash, sizeof s->pw_hash, "%s",
             "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA");
    s->n_certs = 2;
    snprintf(s->certs[0].service, sizeof s->certs[0].service, "%s", "AB");
    s->certs[0].expires_on = 20261231;
    snprintf(s->certs[1].service, sizeof s->certs[1].service, "%s", "B");
    s->certs[1].expires_on = 20250101;
    s->active = true;
}

static void make_ticket(struct hq_ticket *t, int i, const char *code, int32_t day, int32_t seq)
{
    memset(t, 0, sizeof *t);
    snprintf(t->id, sizeof t->id, "%032x", i + 1);
    hq_format_number(t->number, code, seq);
    t->day = day;
    t->seq = seq;
    snprintf(t->service, sizeof t->service, "%s", code);
    t->n_next = 2;
    snprintf(t->next[0], sizeof t->next[0], "%s", "B");
    snprintf(t->next[1], sizeof t->next[1], "%s", "AB");
    t->category = HQ_APPOINTMENT;
    t->channel = HQ_PHONE;
    t->status = HQ_SERVING;
    snprintf(t->phone, sizeof t->phone, "%s", "+86 138-1234-5678");
    t->issued_at = 1741570000 + i;
    t->queued_at = 1741570010 + i;
    t->appointment_at = 1741571000;
    t->called_at = 1741572000;
    t->started_at = 1741572060;
    t->finished_at = 0;
    t->window = 7;
    snprintf(t->clerk, sizeof t->clerk, "%s", "li.na");
    t->calls = 3;
    t->stage = 1;
    t->evaluated = true;
    t->iseq = 5000 + i;
    t->est_wait_s = 60 * (i + 1);
}

/* ---- exact comparisons, field by field ---- */

static void eq_hours(const struct hq_hours *a, const struct hq_hours *b)
{
    assert_int_equal(a->has_hours, b->has_hours);
    for (int d = 0; d < 7; d++) {
        assert_int_equal(a->n[d], b->n[d]);
        for (int r = 0; r < HQ_HOURS_RANGES; r++) {
            assert_int_equal(a->open[d][r], b->open[d][r]);
            assert_int_equal(a->close[d][r], b->close[d][r]);
        }
    }
}

static void eq_conf(const struct hq_hall_conf *a, const struct hq_hall_conf *b)
{
    assert_string_equal(a->name, b->name);
    assert_string_equal(a->name_en, b->name_en);
    assert_string_equal(a->timezone, b->timezone);
    eq_hours(&a->hours, &b->hours);
    assert_int_equal(a->policy.boost_priority_s, b->policy.boost_priority_s);
    assert_int_equal(a->policy.boost_appointment_s, b->policy.boost_appointment_s);
    assert_int_equal(a->policy.boost_first_service_s, b->policy.boost_first_service_s);
    assert_int_equal(a->suspended, b->suspended);
    assert_string_equal(a->suspend_reason, b->suspend_reason);
    assert_int_equal(a->target_wait_s, b->target_wait_s);
    assert_int_equal(a->carry_over, b->carry_over);
}

static void eq_service(const struct hq_service *a, const struct hq_service *b)
{
    assert_string_equal(a->code, b->code);
    assert_string_equal(a->name, b->name);
    assert_string_equal(a->name_en, b->name_en);
    assert_int_equal(a->avg_service_s, b->avg_service_s);
    assert_int_equal(a->n_documents, b->n_documents);
    for (int i = 0; i < a->n_documents; i++)
        assert_string_equal(a->documents[i], b->documents[i]);
    assert_int_equal(a->daily_quota, b->daily_quota);
    assert_int_equal(a->enabled, b->enabled);
    eq_hours(&a->hours, &b->hours);
    assert_int_equal(a->seq_day, b->seq_day);
    assert_int_equal(a->seq, b->seq);
}

static void eq_window(const struct hq_window *a, const struct hq_window *b)
{
    assert_int_equal(a->number, b->number);
    assert_string_equal(a->name, b->name);
    assert_int_equal(a->n_services, b->n_services);
    for (int i = 0; i < a->n_services; i++)
        assert_string_equal(a->services[i], b->services[i]);
    assert_int_equal(a->state, b->state);
    assert_string_equal(a->pause_reason, b->pause_reason);
    assert_int_equal(a->paused_at, b->paused_at);
    assert_int_equal(a->back_in_s, b->back_in_s);
    assert_string_equal(a->clerk, b->clerk);
    assert_string_equal(a->current, b->current);
    assert_int_equal(a->n_active, b->n_active);
    for (int i = 0; i < a->n_active; i++)
        assert_string_equal(a->active[i], b->active[i]);
    assert_int_equal(a->opened_at, b->opened_at);
}

static void eq_staff(const struct hq_staff *a, const struct hq_staff *b)
{
    assert_string_equal(a->username, b->username);
    assert_string_equal(a->name, b->name);
    assert_int_equal(a->role, b->role);
    assert_string_equal(a->pw_hash, b->pw_hash);
    assert_int_equal(a->n_certs, b->n_certs);
    for (int i = 0; i < a->n_certs; i++) {
        assert_string_equal(a->certs[i].service, b->certs[i].service);
        assert_int_equal(a->certs[i].expires_on, b->certs[i].expires_on);
    }
    assert_int_equal(a->active, b->active);
}

static void eq_ticket(const struct hq_ticket *a, const struct hq_ticket *b)
{
    assert_string_equal(a->id, b->id);
    assert_string_equal(a->number, b->number);
    assert_int_equal(a->day, b->day);
    assert_int_equal(a->seq, b->seq);
    assert_string_equal(a->service, b->service);
    assert_int_equal(a->n_next, b->n_next);
    for (int i = 0; i < a->n_next; i++)
        assert_string_equal(a->next[i], b->next[i]);
    assert_int_equal(a->category, b->category);
    assert_int_equal(a->channel, b->channel);
    assert_int_equal(a->status, b->status);
    assert_string_equal(a->phone, b->phone);
    assert_int_equal(a->issued_at, b->issued_at);
    assert_int_equal(a->queued_at, b->queued_at);
    assert_int_equal(a->appointment_at, b->appointment_at);
    assert_int_equal(a->called_at, b->called_at);
    assert_int_equal(a->started_at, b->started_at);
    assert_int_equal(a->finished_at, b->finished_at);
    assert_int_equal(a->window, b->window);
    assert_string_equal(a->clerk, b->clerk);
    assert_int_equal(a->calls, b->calls);
    assert_int_equal(a->stage, b->stage);
    assert_int_equal(a->evaluated, b->evaluated);
    assert_int_equal(a->iseq, b->iseq);
    assert_int_equal(a->est_wait_s, b->est_wait_s);
}

/* ---- round trip ---- */

/* Rows written again and again by one handle, their lists changed or not between writes (the
 * SQLite store keeps the text of unchanged lists, memo.c): each read back as last written. */
static void check_rows(const char *path, const struct hq_service *sv, const struct hq_window *w1,
                       const struct hq_window *w2)
{
    struct hq_store *r = open_ok(path);
    struct hq_hall h;
    int64_t last = 0;
    load_ok(r, &h, DAY, &last);
    assert_non_null(hq_service_find(&h, sv->code));
    eq_service(sv, hq_service_find(&h, sv->code));
    eq_window(w1, hq_window_find(&h, w1->number));
    eq_window(w2, hq_window_find(&h, w2->number));
    hq_hall_release(&h);
    hq_store_close(r);
}

static void test_rows_rewritten(void **state)
{
    struct fx *f = *state;
    struct hq_store *s = open_ok(f->db);
    struct hq_service sv;
    struct hq_window w1, w2;
    make_service(&sv, "A", 1);
    make_window(&w1, 1);
    make_window(&w2, 2);
    for (int step = 0; step < 9; step++) {
        sv.seq = step + 1; /* as with every ticket issued */
        if (step == 2) sv.n_documents = 1;
        if (step == 3) sv.n_documents = 0;
        if (step == 4) {
            sv.n_documents = 3;
            snprintf(sv.documents[1], sizeof sv.documents[1], "%s", "营业执照");
        }
        if (step == 5) assert_int_equal(hq_hours_add(&sv.hours, 3, 800, 900), 0);
        if (step == 6) hq_hours_clear(&sv.hours, true);
        if (step == 2 || step == 7) { /* the two windows swap their lists */
            struct hq_window t = w1;
            memcpy(w1.services, w2.services, sizeof w1.services);
            w1.n_services = w2.n_services;
            memcpy(w2.services, t.services, sizeof w2.services);
            w2.n_services = t.n_services;
        }
        if (step == 3) {
            w1.n_services = 1;
            snprintf(w1.services[0], sizeof w1.services[0], "%s", "C");
            w2.n_active = 0;
        }
        if (step == 5) {
            w2.n_active = 2;
            snprintf(w2.active[1], sizeof w2.active[1], "%s", "B");
        }
        struct hq_batch b;
        hq_batch_init(&b);
        assert_int_equal(hq_batch_service(&b, &sv), 0);
        assert_int_equal(hq_batch_window(&b, &w1), 0);
        assert_int_equal(hq_batch_window(&b, &w2), 0);
        commit_ok(s, &b);
        hq_batch_release(&b);
        check_rows(f->db, &sv, &w1, &w2);
    }
    hq_store_close(s);
}

static void test_round_trip(void **state)
{
    struct fx *fx = *state;
    struct hq_store *s = open_ok(fx->db);
    assert_string_equal(s->vt->name, STORE_BACKEND);
    struct hq_hall_conf conf;
    struct hq_service svc[2];
    struct hq_window win[2];
    struct hq_staff staff[2];
    struct hq_ticket tk[3];
    struct hq_batch b;
    hq_batch_init(&b);

    make_conf(&conf);
    make_service(&svc[0], "AB", 2);
    make_service(&svc[1], "B", 1);
    svc[1].enabled = false;
    svc[1].n_documents = 0;
    svc[1].hours.has_hours = true;
    svc[1].daily_quota = 0;
    make_window(&win[0], 12);
    make_window(&win[1], 3);
    win[1].state = HQ_WIN_CLOSED;
    win[1].n_services = 0;
    win[1].n_active = 0;
    win[1].clerk[0] = win[1].current[0] = 0;
    make_staff(&staff[0], "li.na");
    make_staff(&staff[1], "admin");
    staff[1].role = HQ_ROLE_ADMIN;
    staff[1].n_certs = 0;
    staff[1].active = false;
    make_ticket(&tk[0], 0, "AB", DAY, 1);
    make_ticket(&tk[1], 1, "AB", DAY, 2);
    tk[1].status = HQ_WAITING;
    tk[1].category = HQ_PRIORITY;
    tk[1].channel = HQ_GUIDE;
    tk[1].n_next = 0;
    tk[1].phone[0] = 0;
    tk[1].evaluated = false;
    make_ticket(&tk[2], 2, "B", DAY, 1);
    tk[2].status = HQ_NO_SHOW;
    tk[2].channel = HQ_WEB;
    tk[2].category = HQ_NORMAL;
    snprintf(tk[2].service, sizeof tk[2].service, "%s", "AB"); /* transferred */

    assert_int_equal(hq_batch_hall(&b, &conf), 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(hq_batch_service(&b, &svc[i]), 0);
        assert_int_equal(hq_batch_window(&b, &win[i]), 0);
        assert_int_equal(hq_batch_staff(&b, &staff[i]), 0);
    }
    for (int i = 0; i < 3; i++)
        assert_int_equal(hq_batch_ticket(&b, &tk[i]), 0);
    assert_int_equal(
        hq_batch_event(&b, 41, 1741570000, "li.na", "ticket.issued", "{\"number\":\"AB001\"}"), 0);
    assert_int_equal(hq_batch_event(&b, 42, 1741570001, NULL, "hall.updated", NULL), 0);
    commit_ok(s, &b);
    hq_batch_release(&b);
    assert_null(b.ops);
    assert_int_equal(b.n, 0);
    hq_store_close(s);

    /* A fresh handle on the file, as after a restart. */
    s = open_ok(fx->db);
    struct hq_hall h;
    int64_t last = -1;
    load_ok(s, &h, DAY, &last);
    assert_int_equal(last, 42);
    eq_conf(&conf, &h.conf);
    assert_int_equal(h.n_services, 2);
    eq_service(&svc[0], hq_service_find(&h, "AB"));
    eq_service(&svc[1], hq_service_find(&h, "B"));
    assert_string_equal(h.services[0].code, "AB"); /* creation order */
    assert_int_equal(h.n_windows, 2);
    eq_window(&win[0], hq_window_find(&h, 12));
    eq_window(&win[1], hq_window_find(&h, 3));
    assert_int_equal(h.n_staff, 2);
    eq_staff(&staff[0], hq_staff_find(&h, "li.na"));
    eq_staff(&staff[1], hq_staff_find(&h, "admin"));
    assert_string_equal(h.staff[0].username, "li.na");
    assert_int_equal(h.n_tickets, 3);
    for (int i = 0; i < 3; i++)
        eq_ticket(&tk[i], &h.tickets[i]); /* issue order */
    hq_hall_release(&h);

    /* Upserts replace; tickets_between gives every field back too. */
    tk[0].status = HQ_DONE;
    tk[0].finished_at = tk[0].started_at + 300;
    hq_batch_init(&b);
    assert_int_equal(hq_batch_ticket(&b, &tk[0]), 0);
    conf.suspended = false;
    conf.suspend_reason[0] = 0;
    assert_int_equal(hq_batch_hall(&b, &conf), 0);
    commit_ok(s, &b);
    hq_batch_release(&b);
    load_ok(s, &h, DAY, &last);
    eq_conf(&conf, &h.conf);
    eq_ticket(&tk[0], &h.tickets[0]);
    assert_int_equal(h.n_tickets, 3);
    hq_hall_release(&h);
    hq_store_close(s);
}

static int collect_tickets(void *ctx, const struct hq_ticket *t)
{
    struct hq_ticket *out = ctx;
    int i = 0;
    while (out[i].id[0])
        i++;
    out[i] = *t;
    return 0;
}

/* The ticket read back by id (hq_store ticket_get). */
static void get_ticket_ok(struct hq_store *s, const char *id, struct hq_ticket *out)
{
    memset(out, 0, sizeof *out);
    assert_int_equal(s->vt->ticket_get(s, id, out), 0);
}

static void put_one(struct hq_store *s, const struct hq_ticket *t, bool issued)
{
    struct hq_batch b;
    hq_batch_init(&b);
    assert_int_equal(issued ? hq_batch_ticket_issued(&b, t) : hq_batch_ticket(&b, t), 0);
    commit_ok(s, &b);
    hq_batch_release(&b);
}

/* A ticket's row through its life is the last ticket put, whichever way the back end writes it:
 * issued (op.fresh), then changed (called, moved to another service, finished), then put with
 * columns that never change in a ticket's life changed too (number, day, sequence, channel,
 * issue time and order: a put replaces the whole row), and an "issued" put of an id already
 * there (the hint is wrong: the row is still replaced, not doubled). */
static void test_ticket_life(void **state)
{
    struct fx *fx = *state;
    struct hq_store *s = open_ok(fx->db);
    struct hq_ticket t, got;
    make_ticket(&t, 0, "A", DAY, 1);
    t.status = HQ_WAITING;
    t.called_at = t.started_at = 0;
    t.window = 0;
    t.clerk[0] = '\0';
    t.calls = 0;
    put_one(s, &t, true);
    get_ticket_ok(s, t.id, &got);
    eq_ticket(&t, &got);

    t.status = HQ_CALLED;
    t.called_at = t.issued_at + 300;
    t.window = 3;
    snprintf(t.clerk, sizeof t.clerk, "%s", "wang.fang");
    t.calls = 1;
    put_one(s, &t, false);
    get_ticket_ok(s, t.id, &got);
    eq_ticket(&t, &got);

    snprintf(t.service, sizeof t.service, "%s", "B"); /* transferred */
    t.n_next = 0;
    t.status = HQ_DONE;
    t.category = HQ_PRIORITY;
    t.started_at = t.called_at + 20;
    t.finished_at = t.called_at + 400;
    t.stage = 2;
    t.evaluated = false;
    t.est_wait_s = 42;
    t.phone[0] = '\0';
    t.appointment_at = 0;
    t.queued_at = t.issued_at + 5;
    put_one(s, &t, false);
    get_ticket_ok(s, t.id, &got);
    eq_ticket(&t, &got);

    struct hq_ticket fixed[6];
    for (int k = 0; k < 6; k++)
        fixed[k] = t;
    hq_format_number(fixed[0].number, "A", 77);
    fixed[1].day = DAY - 1;
    fixed[2].seq = 77;
    fixed[3].channel = HQ_KIOSK;
    fixed[4].issued_at = t.issued_at - 60;
    fixed[5].iseq = t.iseq + 1000;
    for (int k = 0; k < 6; k++) {
        put_one(s, &fixed[k], false);
        get_ticket_ok(s, t.id, &got);
        eq_ticket(&fixed[k], &got);
    }

    t.status = HQ_NO_SHOW;
    t.calls = 2;
    put_one(s, &t, true);
    get_ticket_ok(s, t.id, &got);
    eq_ticket(&t, &got);
    struct hq_hall h;
    int64_t last;
    load_ok(s, &h, 0, &last);
    assert_int_equal(h.n_tickets, 1);
    eq_ticket(&t, &h.tickets[0]);
    hq_hall_release(&h);
    hq_store_close(s);
}

static void test_load_filter_and_between(void **state)
{
    struct fx *fx = *state;
    struct hq_store *s = open_ok(fx->db);
    struct hq_batch b;
    struct hq_ticket t;
    hq_batch_init(&b);
    /* yesterday: one done (forgotten), one still waiting (kept); today: one done (kept) */
    make_ticket(&t, 0, "A", DAY - 1, 1);
    t.status = HQ_DONE;
    hq_batch_ticket(&b, &t);
    make_ticket(&t, 1, "A", DAY - 1, 2);
    t.status = HQ_WAITING;
    hq_batch_ticket(&b, &t);
    make_ticket(&t, 2, "A", DAY, 1);
    t.status = HQ_CANCELLED;
    hq_batch_ticket(&b, &t);
    make_ticket(&t, 3, "A", DAY + 1, 1);
    t.status = HQ_EXPIRED;
    hq_batch_ticket(&b, &t);
    commit_ok(s, &b);
    hq_batch_release(&b);

    struct hq_hall h;
    int64_t last;
    load_ok(s, &h, DAY, &last);
    assert_int_equal(last, 0);
    assert_int_equal(h.n_tickets, 3);
    assert_int_equal(h.tickets[0].seq, 2);
    assert_int_equal(h.tickets[0].day, DAY - 1);
    assert_int_equal(h.tickets[1].day, DAY);
    assert_int_equal(h.tickets[2].day, DAY + 1);
    hq_hall_release(&h);

    struct hq_ticket got[8];
    memset(got, 0, sizeof got);
    assert_int_equal(s->vt->tickets_between(s, DAY - 1, DAY, collect_tickets, got), 0);
    assert_string_equal(got[0].number, "A001");
    assert_int_equal(got[0].day, DAY - 1);
    assert_int_equal(got[1].seq, 2);
    assert_int_equal(got[2].day, DAY);
    assert_int_equal(got[3].id[0], 0);
    hq_store_close(s);
}

/* Numbering never goes back even if a service row lags behind its tickets; recent service times
 * come back from finished tickets. */
static void test_numbering_and_recent(void **state)
{
    struct fx *fx = *state;
    struct hq_store *s = open_ok(fx->db);
    struct hq_batch b;
    struct hq_service a, c;
    struct hq_ticket t;
    hq_batch_init(&b);
    make_service(&a, "A", 3);
    make_service(&c, "C", 5);
    c.seq_day = DAY - 1;
    hq_batch_service(&b, &a);
    hq_batch_service(&b, &c);
    for (int i = 1; i <= 7; i++) {
        make_ticket(&t, i, "A", DAY, i);
        t.status = HQ_DONE;
        t.started_at = 1741572000 + i * 1000;
        t.finished_at = t.started_at + 100 * i;
        if (i == 7) /* A007 was transferred to C: it still counts for A */
            snprintf(t.service, sizeof t.service, "%s", "C");
        hq_batch_ticket(&b, &t);
    }
    make_ticket(&t, 20, "C", DAY, 2); /* C's row says yesterday; its tickets say today */
    t.status = HQ_WAITING;
    hq_batch_ticket(&b, &t);
    commit_ok(s, &b);
    hq_batch_release(&b);

    struct hq_hall h;
    int64_t last;
    load_ok(s, &h, 0, &last);
    struct hq_service *pa = hq_service_find(&h, "A"), *pc = hq_service_find(&h, "C");
    assert_int_equal(pa->seq_day, DAY);
    assert_int_equal(pa->seq, 7);
    assert_int_equal(pc->seq_day, DAY);
    assert_int_equal(pc->seq, 2);
    /* A's done tickets 1..6 (A007 is now C's): 100..600 s, newest last */
    assert_int_equal(pa->n_recent, 6);
    for (int i = 0; i < 6; i++)
        assert_int_equal(pa->recent[i], 100 * (i + 1));
    assert_int_equal(pc->n_recent, 1);
    assert_int_equal(pc->recent[0], 700);
    hq_hall_release(&h);
    hq_store_close(s);
}

/* ---- failures leave nothing behind ---- */

static void fill_batch(struct hq_batch *b, int base)
{
    struct hq_service v;
    struct hq_ticket t;
    struct hq_window w;
    make_service(&v, "A", base + 2);
    hq_batch_service(b, &v);
    make_ticket(&t, base, "A", DAY, base + 1);
    hq_batch_ticket_issued(b, &t);
    make_ticket(&t, base + 1, "A", DAY, base + 2);
    hq_batch_ticket(b, &t);
    make_window(&w, base + 1);
    hq_batch_window(b, &w);
    hq_batch_doc(b, "notice", "n1", "{\"text\":\"x\"}", 5);
    hq_batch_event(b, base + 1, 10, "", "ticket.issued", "{}");
}

static int count_events(void *ctx, const struct hq_event *e)
{
    (void)e;
    (*(int *)ctx)++;
    return 0;
}

static void assert_empty(struct hq_store *s)
{
    struct hq_hall h;
    int64_t last;
    int n = 0;
    char *json = NULL;
    load_ok(s, &h, 0, &last);
    assert_int_equal(last, 0);
    assert_int_equal(h.n_services + h.n_windows + h.n_staff + h.n_tickets, 0);
    hq_hall_release(&h);
    assert_int_equal(s->vt->events_since(s, 0, 0, count_events, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(s->vt->doc_get(s, "notice", "n1", &json), HQ_ENOTFOUND);
}

/* A real constraint failure in the second batch undoes the first: the log is append-only, so a
 * repeated sequence number is refused. */
static void test_constraint_failure_rolls_back_group(void **state)
{
    struct fx *fx = *state;
    struct hq_store *s = open_ok(fx->db);
    struct hq_batch b1, b2;
    hq_batch_init(&b1);
    hq_batch_init(&b2);
    fill_batch(&b1, 0);
    hq_batch_event(&b2, 1, 11, "", "ticket.called", "{}"); /* seq 1 again */
    struct hq_batch *bs[2] = {&b1, &b2};
    struct hq_why why = {0};
    assert_int_equal(s->vt->commit(s, bs, 2, &why), HQ_ESTORE);
    assert_non_null(strstr(why.message, "event"));
    assert_null(strstr(why.message, "SQLITE_"));
    assert_empty(s);
    /* The handle is still usable afterwards. */
    assert_int_equal(s->vt->commit(s, bs, 1, &why), 0);
    hq_batch_release(&b1);
    hq_batch_release(&b2);
    hq_store_close(s);
}

/* ---- group commit ---- */

static void test_group_commit(void **state)
{
    struct fx *fx = *state;
    struct hq_store *s = open_ok(fx->db);
    enum { N = 200 };
    struct hq_batch *bs[N], store_b[N];
    for (int i = 0; i < N; i++) {
        struct hq_ticket t;
        struct hq_service v;
        bs[i] = &store_b[i];
        hq_batch_init(bs[i]);
        make_ticket(&t, i, "A", DAY, i + 1);
        t.status = HQ_WAITING;
        make_service(&v, "A", i + 1);
        hq_batch_ticket(bs[i], &t);
        hq_batch_service(bs[i], &v);
        hq_batch_event(bs[i], i + 1, 1000 + i, "", "ticket.issued", "{}");
    }
    struct hq_why why = {0};
    assert_int_equal(s->vt->commit(s, bs, N, &why), 0);
    /* One transaction: the WAL grew by one commit record, so a second handle sees all or none;
     * check the outcome through another handle. */
    struct hq_store *r = open_ok(fx->db);
    struct hq_hall h;
    int64_t last;
    load_ok(r, &h, DAY, &last);
    assert_int_equal(last, N);
    assert_int_equal(h.n_tickets, N);
    assert_int_equal(hq_service_find(&h, "A")->seq, N);
    for (int i = 0; i < N; i++)
        assert_int_equal(h.tickets[i].seq, i + 1);
    hq_hall_release(&h);
    for (int i = 0; i < N; i++)
        hq_batch_release(bs[i]);
    /* Empty commits are fine and change nothing. */
    assert_int_equal(s->vt->commit(s, bs, N, &why), 0);
    assert_int_equal(s->vt->commit(s, NULL, 0, &why), 0);
    hq_store_close(r);
    hq_store_close(s);
}

/* ---- the event log ---- */

struct ev_acc {
    int64_t seqs[128];
    char types[128][32];
    char data[128][32];
    int n;
    int stop_after;
};

static int acc_event(void *ctx, const struct hq_event *e)
{
    struct ev_acc *a = ctx;
    a->seqs[a->n] = e->seq;
    snprintf(a->types[a->n], sizeof a->types[0], "%s", e->type);
    snprintf(a->data[a->n], sizeof a->data[0], "%s", e->data);
    a->n++;
    return a->stop_after && a->n >= a->stop_after;
}

static void test_events(void **state)
{
    struct fx *fx = *state;
    struct hq_store *s = open_ok(fx->db);
    struct hq_batch b;
    hq_batch_init(&b);
    /* 50 events, committed out of order within a batch: seq decides the order. */
    for (int i = 50; i >= 1; i--) {
        char data[32];
        snprintf(data, sizeof data, "{\"i\":%d}", i);
        hq_batch_event(&b, i, 1000 + i, i % 2 ? "clerk1" : "",
                       i % 3 ? "ticket.called" : "window.opened", data);
    }
    commit_ok(s, &b);
    hq_batch_release(&b);

    struct ev_acc a = {0};
    assert_int_equal(s->vt->events_since(s, 0, 10, acc_event, &a), 0);
    assert_int_equal(a.n, 10);
    for (int i = 0; i < 10; i++)
        assert_int_equal(a.seqs[i], i + 1);
    assert_string_equal(a.data[0], "{\"i\":1}");
    memset(&a, 0, sizeof a);
    assert_int_equal(s->vt->events_since(s, 45, 0, acc_event, &a), 0);
    assert_int_equal(a.n, 5);
    assert_int_equal(a.seqs[0], 46);
    assert_int_equal(a.seqs[4], 50);
    memset(&a, 0, sizeof a);
    assert_int_equal(s->vt->events_since(s, 50, 0, acc_event, &a), 0);
    assert_int_equal(a.n, 0);
    memset(&a, 0, sizeof a);
    a.stop_after = 3;
    assert_int_equal(s->vt->events_since(s, 0, 0, acc_event, &a), 0);
    assert_int_equal(a.n, 3);
    /* after the early stop the statement was reset: a new query starts fresh */
    memset(&a, 0, sizeof a);
    assert_int_equal(s->vt->events_since(s, 20, 2, acc_event, &a), 0);
    assert_int_equal(a.n, 2);
    assert_int_equal(a.seqs[0], 21);

    /* events_between: t in [1010, 1020) → seq 10..19; "window." → seq divisible by 3 */
    memset(&a, 0, sizeof a);
    assert_int_equal(s->vt->events_between(s, 1010, 1020, "", acc_event, &a), 0);
    assert_int_equal(a.n, 10);
    assert_int_equal(a.seqs[0], 10);
    assert_int_equal(a.seqs[9], 19);
    memset(&a, 0, sizeof a);
    assert_int_equal(s->vt->events_between(s, 1010, 1020, "window.", acc_event, &a), 0);
    assert_int_equal(a.n, 3); /* 12, 15, 18 */
    assert_int_equal(a.seqs[0], 12);
    assert_string_equal(a.types[2], "window.opened");
    memset(&a, 0, sizeof a);
    assert_int_equal(s->vt->events_between(s, 0, 5000, "ticket.%", acc_event, &a), 0);
    assert_int_equal(a.n, 0); /* a prefix, not a pattern */
    hq_store_close(s);
}

/* ---- documents ---- */

struct doc_acc {
    char keys[16][80];
    int64_t t[16];
    int n;
};

static int acc_doc(void *ctx, const char *key, const char *json, int64_t t)
{
    struct doc_acc *a = ctx;
    (void)json;
    snprintf(a->keys[a->n], sizeof a->keys[0], "%s", key);
    a->t[a->n++] = t;
    return 0;
}

static void test_docs(void **state)
{
    struct fx *fx = *state;
    struct hq_store *s = open_ok(fx->db);
    struct hq_batch b;
    char *json = NULL;
    hq_batch_init(&b);
    for (int i = 0; i < 10; i++) {
        char key[16], js[64];
        snprintf(key, sizeof key, "c%02d", i);
        snprintf(js, sizeof js, "{\"n\":%d,\"text\":\"投诉 %d\"}", i, i);
        hq_batch_doc(&b, "complaint", key, js, 100 + i);
    }
    hq_batch_doc(&b, "session", "c03", "{\"user\":\"x\"}", 105); /* same key, other kind */
    hq_batch_doc(&b, "complaint", "c05", "{\"n\":55}", 200);     /* overwritten later in batch */
    hq_batch_doc_delete(&b, "complaint", "c07", 300);
    hq_batch_doc_delete(&b, "complaint", "nope", 300); /* deleting nothing is fine */
    commit_ok(s, &b);
    hq_batch_release(&b);

    assert_int_equal(s->vt->doc_get(s, "complaint", "c05", &json), 0);
    assert_string_equal(json, "{\"n\":55}");
    free(json);
    json = NULL;
    assert_int_equal(s->vt->doc_get(s, "complaint", "c07", &json), HQ_ENOTFOUND);
    assert_null(json);
    assert_int_equal(s->vt->doc_get(s, "session", "c03", &json), 0);
    assert_string_equal(json, "{\"user\":\"x\"}");
    free(json);
    assert_int_equal(s->vt->doc_get(s, "complaint", "c03", &json), 0);
    assert_string_equal(json, "{\"n\":3,\"text\":\"投诉 3\"}");
    free(json);

    struct doc_acc a = {0};
    assert_int_equal(s->vt->doc_list(s, "complaint", 0, 0, 0, acc_doc, &a), 0);
    assert_int_equal(a.n, 9);              /* c07 deleted */
    assert_string_equal(a.keys[0], "c05"); /* newest first: t=200 */
    assert_int_equal(a.t[0], 200);
    assert_string_equal(a.keys[1], "c09");
    assert_string_equal(a.keys[8], "c00");
    memset(&a, 0, sizeof a);
    assert_int_equal(s->vt->doc_list(s, "complaint", 102, 106, 0, acc_doc, &a), 0);
    assert_int_equal(a.n, 3); /* c04, c03, c02 (c05 moved to 200) */
    assert_string_equal(a.keys[0], "c04");
    assert_string_equal(a.keys[2], "c02");
    memset(&a, 0, sizeof a);
    assert_int_equal(s->vt->doc_list(s, "complaint", 0, 0, 2, acc_doc, &a), 0);
    assert_int_equal(a.n, 2);
    memset(&a, 0, sizeof a);
    assert_int_equal(s->vt->doc_list(s, "evaluation", 0, 0, 0, acc_doc, &a), 0);
    assert_int_equal(a.n, 0);
    hq_store_close(s);
}

/* ---- a reader beside the writer ---- */

struct nested {
    struct hq_store *writer;
    int called;
    int rc;
};

static int commit_inside_read(void *ctx, const struct hq_event *e)
{
    struct nested *n = ctx;
    (void)e;
    if (n->called++ == 0) {
        struct hq_batch b;
        struct hq_why why = {0};
        hq_batch_init(&b);
        hq_batch_event(&b, 1000, 1, "", "x.y", "{}");
        struct hq_batch *bs[1] = {&b};
        n->rc = n->writer->vt->commit(n->writer, bs, 1, &why);
        hq_batch_release(&b);
    }
    return 0;
}

static void test_reader_beside_writer(void **state)
{
    struct fx *fx = *state;
    struct hq_store *w = open_ok(fx->db), *r = open_ok(fx->db);
    struct hq_batch b;
    hq_batch_init(&b);
    for (int i = 1; i <= 5; i++)
        hq_batch_event(&b, i, i, "", "a.b", "{}");
    commit_ok(w, &b);
    hq_batch_release(&b);
    /* The reader sees the writer's commit; and the writer commits while the reader is in the
     * middle of a read (WAL: no waiting, no busy error). The reader's snapshot does not change
     * under it. */
    struct nested n = {w, 0, -99};
    assert_int_equal(r->vt->events_since(r, 0, 0, commit_inside_read, &n), 0);
    assert_int_equal(n.rc, 0);
    assert_int_equal(n.called, 5);
    struct ev_acc a = {0};
    assert_int_equal(r->vt->events_since(r, 5, 0, acc_event, &a), 0);
    assert_int_equal(a.n, 1);
    assert_int_equal(a.seqs[0], 1000);
    hq_store_close(r);
    hq_store_close(w);
}

#endif
