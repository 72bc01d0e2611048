/* SPDX-License-Identifier: MIT */
/*
 * test_store_sqlite.c — the SQLite store against real files in a fresh temporary directory:
 * every field of every entity survives commit + load; a commit that fails at any statement leaves
 * nothing behind (fault injection at every step, and a real constraint failure); many batches
 * commit as one; the event log's order and limits; documents; online backup while another handle
 * writes; restore refuses what is not a hallq database and installs one that is; reopening is
 * idempotent; a second handle reads while the first writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/hq_core.h"
#include "store/hq_store.h"

#define DAY 20250310

struct fx {
    char dir[64];
    char db[128];
};

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb;
    (void)flag;
    (void)f;
    return remove(p);
}

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/hq-store-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->db, sizeof fx->db, "%s/hall.db", fx->dir);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    nftw(fx->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    free(fx);
    return 0;
}

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
    c->hours.has_hours = true;
    for (int d = 0; d < 7; d++) {
        c->hours.open[d] = (int16_t)(480 + d);
        c->hours.close[d] = (int16_t)(1020 - d);
    }
    c->hours.open[0] = c->hours.close[0] = -1;
    c->policy.boost_priority_s = 1234;
    c->policy.boost_appointment_s = 4321;
    c->policy.boost_first_service_s = 77;
    c->suspended = true;
    snprintf(c->suspend_reason, sizeof c->suspend_reason, "%s", "停电 \"power\" cut\n");
    c->target_wait_s = 600;
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
    s->hours.has_hours = false; /* the numbers must survive all the same */
    for (int d = 0; d < 7; d++) {
        s->hours.open[d] = (int16_t)(540 + d);
        s->hours.close[d] = (int16_t)(720 + d);
    }
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
}

/* ---- exact comparisons, field by field ---- */

static void eq_hours(const struct hq_hours *a, const struct hq_hours *b)
{
    assert_int_equal(a->has_hours, b->has_hours);
    for (int d = 0; d < 7; d++) {
        assert_int_equal(a->open[d], b->open[d]);
        assert_int_equal(a->close[d], b->close[d]);
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
}

/* ---- round trip ---- */

static void test_round_trip(void **state)
{
    struct fx *fx = *state;
    struct hq_store *s = open_ok(fx->db);
    assert_string_equal(s->vt->name, "sqlite");
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
    hq_batch_ticket(b, &t);
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

static void test_fault_at_every_step(void **state)
{
    struct fx *fx = *state;
    struct hq_store *s = open_ok(fx->db);
    struct hq_batch b1, b2;
    hq_batch_init(&b1);
    hq_batch_init(&b2);
    fill_batch(&b1, 0);
    fill_batch(&b2, 100);
    struct hq_batch *bs[2] = {&b1, &b2};
    size_t steps = b1.n + b2.n + 2; /* BEGIN, the ops, COMMIT */
    for (size_t n = 1; n <= steps; n++) {
        struct hq_why why = {0};
        hq_store_sqlite_fail_after(s, (int)n);
        assert_int_equal(s->vt->commit(s, bs, 2, &why), HQ_ESTORE);
        assert_int_equal(why.code, HQ_ESTORE);
        assert_true(strncmp(why.message, "store: ", 7) == 0);
        hq_store_sqlite_fail_after(s, 0);
        assert_empty(s);
    }
    /* Past the last step the fault never fires: everything is there. */
    hq_store_sqlite_fail_after(s, (int)steps + 1);
    struct hq_why why = {0};
    assert_int_equal(s->vt->commit(s, bs, 2, &why), 0);
    hq_store_sqlite_fail_after(s, 0);
    struct hq_hall h;
    int64_t last;
    load_ok(s, &h, 0, &last);
    assert_int_equal(last, 101);
    assert_int_equal(h.n_tickets, 4);
    hq_hall_release(&h);
    hq_batch_release(&b1);
    hq_batch_release(&b2);
    hq_store_close(s);
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

static void test_batch_refuses_bad_input(void **state)
{
    (void)state;
    struct hq_batch b;
    char big[200];
    memset(big, 'k', sizeof big - 1);
    big[sizeof big - 1] = 0;
    hq_batch_init(&b);
    assert_int_equal(hq_batch_doc(&b, "session", big, "{}", 1), HQ_EINVAL);
    assert_int_equal(hq_batch_doc(&b, big, "k", "{}", 1), HQ_EINVAL);
    assert_int_equal(hq_batch_doc(&b, "session", "k", NULL, 1), HQ_EINVAL);
    assert_int_equal(hq_batch_event(&b, 1, 1, big, "x", "{}"), HQ_EINVAL);
    assert_int_equal(hq_batch_event(&b, 1, 1, "", big, "{}"), HQ_EINVAL);
    assert_int_equal(b.n, 0);
    /* Inputs are copied: changing them afterwards changes nothing in the batch. */
    char json[16] = "{\"a\":1}";
    assert_int_equal(hq_batch_doc(&b, "session", "k", json, 1), 0);
    json[2] = 'b';
    assert_string_equal(b.ops[0].u.doc.json, "{\"a\":1}");
    for (int i = 0; i < 1000; i++)
        assert_int_equal(hq_batch_event(&b, i, i, "x", "y", "{}"), 0);
    assert_int_equal(b.n, 1001);
    hq_batch_release(&b);
    hq_batch_release(&b); /* idempotent */
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

/* ---- backup and restore ---- */

struct writer_arg {
    const char *db;
    volatile int stop;
    int committed;
};

static void *writer_thread(void *p)
{
    struct writer_arg *wa = p;
    struct hq_why why = {0};
    struct hq_store *s = hq_store_open(wa->db, &why);
    if (!s) return NULL;
    for (int i = 1; !wa->stop && i < 100000; i++) {
        struct hq_batch b;
        struct hq_ticket t;
        struct hq_service v;
        hq_batch_init(&b);
        make_ticket(&t, i, "A", DAY, i);
        make_service(&v, "A", i);
        hq_batch_ticket(&b, &t);
        hq_batch_service(&b, &v);
        hq_batch_event(&b, i, i, "", "ticket.issued", "{}");
        struct hq_batch *bs[1] = {&b};
        int rc = s->vt->commit(s, bs, 1, &why);
        hq_batch_release(&b);
        if (rc != 0) break;
        wa->committed = i;
    }
    hq_store_close(s);
    return NULL;
}

/* A backup is a consistent snapshot: tickets == events == the service's seq. */
static void check_snapshot(const char *path, int min_count)
{
    struct hq_store *s = open_ok(path);
    struct hq_hall h;
    int64_t last;
    load_ok(s, &h, 0, &last);
    assert_true(last >= min_count);
    assert_int_equal((int64_t)h.n_tickets, last);
    if (last > 0) assert_int_equal(hq_service_find(&h, "A")->seq, last);
    hq_hall_release(&h);
    hq_store_close(s);
}

static void test_backup_while_writing(void **state)
{
    struct fx *fx = *state;
    char bk[160];
    snprintf(bk, sizeof bk, "%s/backup.db", fx->dir);
    struct hq_store *s = open_ok(fx->db); /* creates the schema before the writer starts */
    struct writer_arg wa = {fx->db, 0, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, writer_thread, &wa), 0);
    while (wa.committed < 20)
        usleep(1000);
    int before = 0;
    for (int round = 0; round < 5; round++) {
        struct hq_why why = {0};
        before = wa.committed;
        int rc = s->vt->backup(s, bk, &why);
        if (rc != 0) fail_msg("backup: %s", why.message);
        check_snapshot(bk, before);
        usleep(5000);
    }
    wa.stop = 1;
    pthread_join(th, NULL);
    assert_true(wa.committed > before);
    /* the backup is one self-contained file */
    char side[200];
    snprintf(side, sizeof side, "%s-wal", bk);
    assert_int_equal(access(side, F_OK), -1);
    hq_store_close(s);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_restore(void **state)
{
    struct fx *fx = *state;
    char bk[160], junk[160], foreign[160], side[200];
    struct hq_why why = {0};
    snprintf(bk, sizeof bk, "%s/backup.db", fx->dir);
    snprintf(junk, sizeof junk, "%s/junk.db", fx->dir);
    snprintf(foreign, sizeof foreign, "%s/foreign.db", fx->dir);

    /* The live database: tickets 1..3; the backup taken at 2. */
    struct hq_store *s = open_ok(fx->db);
    for (int i = 1; i <= 3; i++) {
        struct hq_batch b;
        struct hq_ticket t;
        struct hq_service v;
        hq_batch_init(&b);
        make_ticket(&t, i, "A", DAY, i);
        make_service(&v, "A", i);
        hq_batch_ticket(&b, &t);
        hq_batch_service(&b, &v);
        hq_batch_event(&b, i, i, "", "ticket.issued", "{}");
        commit_ok(s, &b);
        hq_batch_release(&b);
        if (i == 2) assert_int_equal(s->vt->backup(s, bk, &why), 0);
    }
    hq_store_close(s);

    /* Not a database, a database that is not ours, nothing at all: refused, dst untouched. */
    write_file(junk, "this is not a database, only some text that is long enough to look like "
                     "one for a moment ..............................................\n");
    assert_int_equal(hq_store_restore(junk, fx->db, &why), HQ_EINVAL);
    assert_true(strlen(why.message) > 0);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(foreign, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1)", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(hq_store_restore(foreign, fx->db, &why), HQ_EINVAL);
    assert_non_null(strstr(why.message, "not a hallq database"));
    char missing[200];
    snprintf(missing, sizeof missing, "%s/missing.db", fx->dir);
    assert_int_equal(hq_store_restore(missing, fx->db, &why), HQ_EINVAL);
    check_snapshot(fx->db, 3);
    struct hq_store *t = open_ok(fx->db);
    struct hq_hall h;
    int64_t last;
    load_ok(t, &h, 0, &last);
    assert_int_equal(last, 3);
    hq_hall_release(&h);
    hq_store_close(t);

    /* Leave a stale -wal beside the destination, as a crashed server would. */
    snprintf(side, sizeof side, "%s-wal", fx->db);
    write_file(side, "stale");
    assert_int_equal(hq_store_restore(bk, fx->db, &why), 0);
    assert_int_equal(access(side, F_OK), -1);
    t = open_ok(fx->db);
    load_ok(t, &h, 0, &last);
    assert_int_equal(last, 2);
    assert_int_equal(h.n_tickets, 2);
    assert_int_equal(hq_service_find(&h, "A")->seq, 2);
    hq_hall_release(&h);
    hq_store_close(t);
    /* the opened foreign database is refused by open as well */
    assert_null(hq_store_open(foreign, &why));
    assert_int_equal(why.code, HQ_ESTORE);
}

/* ---- migrations ---- */

static int pragma_int(const char *path, const char *pragma)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int v = -1;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, pragma, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void test_migrations_idempotent(void **state)
{
    struct fx *fx = *state;
    struct hq_store *s = open_ok(fx->db);
    struct hq_batch b;
    struct hq_service v;
    hq_batch_init(&b);
    make_service(&v, "Q", 9);
    hq_batch_service(&b, &v);
    commit_ok(s, &b);
    hq_batch_release(&b);
    hq_store_close(s);
    for (int i = 0; i < 3; i++) {
        s = open_ok(fx->db);
        hq_store_close(s);
    }
    assert_int_equal(pragma_int(fx->db, "PRAGMA user_version"), HQ_SCHEMA_VERSION);
    assert_int_equal(pragma_int(fx->db, "PRAGMA application_id"), 0x686c7131);
    assert_int_equal(pragma_int(fx->db, "SELECT count(*) FROM sqlite_schema WHERE type='table'"),
                     7);
    assert_int_equal(pragma_int(fx->db, "SELECT seq FROM services WHERE code='Q'"), 9);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
    char *mode = NULL;
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    mode = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    assert_string_equal(mode, "wal");
    free(mode);
    /* A file from a newer hallq is refused, not downgraded. */
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    struct hq_why why = {0};
    assert_null(hq_store_open(fx->db, &why));
    assert_non_null(strstr(why.message, "newer"));
}

static void test_open_errors(void **state)
{
    struct fx *fx = *state;
    struct hq_why why = {0};
    char path[200];
    assert_null(hq_store_open("postgresql://u@127.0.0.1:1/none?connect_timeout=1", &why));
    assert_int_equal(why.code, HQ_ESTORE);
    memset(&why, 0, sizeof why);
    snprintf(path, sizeof path, "%s/no/such/dir/x.db", fx->dir);
    assert_null(hq_store_open(path, &why));
    assert_int_equal(why.code, HQ_ESTORE);
    assert_null(hq_store_open("", &why));
    snprintf(path, sizeof path, "%s/text.db", fx->dir);
    write_file(path, "hello, I am a text file and not a database at all, sorry about that......"
                     "...........................................................\n");
    assert_null(hq_store_open(path, &why));
    assert_int_equal(why.code, HQ_ESTORE);
    hq_store_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_filter_and_between, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbering_and_recent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fault_at_every_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_constraint_failure_rolls_back_group, setup, teardown),
        cmocka_unit_test(test_batch_refuses_bad_input),
        cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_docs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_beside_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_while_writing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrations_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
