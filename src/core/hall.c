/* SPDX-License-Identifier: MIT */
/*
 * hall.c — the hall as a container: lifecycle, lookups (with the id index of tickets), validated
 * configuration of services, windows and staff, loading from the store, the day roll and
 * forgetting old tickets. Pure: no I/O, no clock (time comes in), no randomness. A refused call
 * changes nothing: every check runs before the first write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_core.h"

/* ---- small helpers ---- */

/* A fixed-size text field is acceptable when it is NUL-terminated inside its buffer and, unless
 * allow_empty, not empty. */
static bool text_ok(const char *buf, size_t size, bool allow_empty)
{
    if (!memchr(buf, '\0', size)) return false;
    return allow_empty || buf[0] != '\0';
}

void *hq__grow(void *arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap && arr) return arr;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / elem) return NULL;
        ncap *= 2;
    }
    void *p = realloc(arr, ncap * elem);
    if (!p) return NULL;
    *cap = ncap;
    return p;
}

static bool valid_day(int32_t d)
{
    static const int mdays[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = d / 10000, m = d / 100 % 100, dd = d % 100;
    if (y < 1970 || y > 9999 || m < 1 || m > 12 || dd < 1 || dd > mdays[m]) return false;
    if (m == 2 && dd == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return false;
    return true;
}

/* ---- lifecycle ---- */

void hq_hall_init(struct hq_hall *h)
{
    memset(h, 0, sizeof *h);
    snprintf(h->conf.timezone, sizeof h->conf.timezone, "%s", "Asia/Shanghai");
    h->conf.policy.boost_priority_s = 1800;
    h->conf.policy.boost_appointment_s = 3600;
    h->conf.policy.boost_first_service_s = 60;
    h->conf.target_wait_s = 900;
    hq_hours_clear(&h->conf.hours, false);
}

static void index_clear(struct hq_hall *h)
{
    free(h->id_slots);
    h->id_slots = NULL;
    h->id_cap = h->id_count = 0;
    h->id_base = NULL;
}

void hq_hall_release(struct hq_hall *h)
{
    free(h->services);
    free(h->windows);
    free(h->staff);
    free(h->tickets);
    index_clear(h);
    hq__order_free(h);
    h->services = NULL;
    h->windows = NULL;
    h->staff = NULL;
    h->tickets = NULL;
    h->n_services = h->cap_services = h->n_windows = h->cap_windows = 0;
    h->n_staff = h->cap_staff = h->n_tickets = h->cap_tickets = 0;
}

static void *dup_array(const void *src, size_t n, size_t elem, size_t *cap)
{
    *cap = 0;
    if (n == 0) return NULL;
    void *p = malloc(n * elem);
    if (p) {
        memcpy(p, src, n * elem);
        *cap = n;
    }
    return p;
}

int hq_hall_copy(struct hq_hall *dst, const struct hq_hall *src)
{
    hq_hall_init(dst);
    dst->conf = src->conf;
    dst->day = src->day;
    dst->issue_seq = src->issue_seq;
    dst->services =
        dup_array(src->services, src->n_services, sizeof *src->services, &dst->cap_services);
    dst->windows = dup_array(src->windows, src->n_windows, sizeof *src->windows, &dst->cap_windows);
    dst->staff = dup_array(src->staff, src->n_staff, sizeof *src->staff, &dst->cap_staff);
    dst->tickets = dup_array(src->tickets, src->n_tickets, sizeof *src->tickets, &dst->cap_tickets);
    if ((src->n_services && !dst->services) || (src->n_windows && !dst->windows) ||
        (src->n_staff && !dst->staff) || (src->n_tickets && !dst->tickets)) {
        hq_hall_release(dst);
        hq_hall_init(dst);
        return HQ_EINTERNAL;
    }
    dst->n_services = src->n_services;
    dst->n_windows = src->n_windows;
    dst->n_staff = src->n_staff;
    dst->n_tickets = src->n_tickets;
    return 0;
}

/* ---- the id index of tickets: open addressing, linear probing, FNV-1a ---- */

static uint32_t id_hash(const char *id)
{
    uint32_t x = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        x = (x ^ *p) * 16777619u;
    return x;
}

static void index_put(struct hq_hall *h, size_t pos)
{
    size_t mask = h->id_cap - 1;
    size_t i = id_hash(h->tickets[pos].id) & mask;
    while (h->id_slots[i] != 0)
        i = (i + 1) & mask;
    h->id_slots[i] = (uint32_t)(pos + 1);
    h->id_count++;
}

static bool index_rebuild(struct hq_hall *h)
{
    index_clear(h);
    if (h->n_tickets >= UINT32_MAX / 4) return false;
    size_t cap = 64;
    while (cap < h->n_tickets * 2)
        cap *= 2;
    h->id_slots = calloc(cap, sizeof *h->id_slots);
    if (!h->id_slots) return false;
    h->id_cap = cap;
    for (size_t i = 0; i < h->n_tickets; i++)
        index_put(h, i);
    h->id_base = h->tickets;
    return true;
}

static bool index_fresh(const struct hq_hall *h)
{
    return h->id_slots && h->id_base == h->tickets && h->id_count == h->n_tickets;
}

/* After h->tickets[n_tickets - 1] was appended. A failed rebuild leaves the index stale; lookups
 * then fall back to a scan. */
void hq__index_appended(struct hq_hall *h)
{
    if (h->id_slots && h->id_base == h->tickets && h->id_count + 1 == h->n_tickets &&
        h->n_tickets * 2 <= h->id_cap)
        index_put(h, h->n_tickets - 1);
    else
        index_rebuild(h);
}

/* ---- lookups ---- */

struct hq_service *hq_service_find(struct hq_hall *h, const char *code)
{
    if (!code) return NULL;
    for (size_t i = 0; i < h->n_services; i++)
        if (strcmp(h->services[i].code, code) == 0) return &h->services[i];
    return NULL;
}

struct hq_window *hq_window_find(struct hq_hall *h, int32_t number)
{
    for (size_t i = 0; i < h->n_windows; i++)
        if (h->windows[i].number == number) return &h->windows[i];
    return NULL;
}

struct hq_staff *hq_staff_find(struct hq_hall *h, const char *username)
{
    if (!username) return NULL;
    for (size_t i = 0; i < h->n_staff; i++)
        if (strcmp(h->staff[i].username, username) == 0) return &h->staff[i];
    return NULL;
}

struct hq_ticket *hq_ticket_find(struct hq_hall *h, const char *id)
{
    if (!id || !id[0] || strlen(id) > HQ_ID_LEN) return NULL;
    if (!index_fresh(h) && !index_rebuild(h)) {
        for (size_t i = 0; i < h->n_tickets; i++)
            if (strcmp(h->tickets[i].id, id) == 0) return &h->tickets[i];
        return NULL;
    }
    size_t mask = h->id_cap - 1;
    for (size_t i = id_hash(id) & mask;; i = (i + 1) & mask) {
        uint32_t s = h->id_slots[i];
        if (s == 0) return NULL;
        if (s <= h->n_tickets && strcmp(h->tickets[s - 1].id, id) == 0) return &h->tickets[s - 1];
    }
}

struct hq_ticket *hq_ticket_find_number(struct hq_hall *h, int32_t day, const char *number)
{
    if (!number) return NULL;
    for (size_t i = h->n_tickets; i-- > 0;) {
        struct hq_ticket *t = &h->tickets[i];
        if (t->day == day && strcmp(t->number, number) == 0) return t;
    }
    return NULL;
}

/* ---- validators ---- */

bool hq_valid_service_code(const char *code)
{
    if (!code) return false;
    size_t n = strnlen(code, HQ_CODE_MAX);
    if (n < 1 || n > HQ_CODE_MAX - 1) return false;
    for (size_t i = 0; i < n; i++)
        if (code[i] < 'A' || code[i] > 'Z') return false;
    return true;
}

bool hq_valid_username(const char *u)
{
    if (!u) return false;
    size_t n = strnlen(u, HQ_USER_MAX);
    if (n < 1 || n > HQ_USER_MAX - 1) return false;
    for (size_t i = 0; i < n; i++) {
        char c = u[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
            return false;
    }
    return true;
}

bool hq_cert_valid(const struct hq_staff *s, const char *service, int32_t day)
{
    if (!s || !service) return false;
    for (int i = 0; i < s->n_certs && i < HQ_CERT_MAX; i++)
        if (strcmp(s->certs[i].service, service) == 0 && s->certs[i].expires_on >= day) return true;
    return false;
}

/* ---- services ---- */

static int check_service(const struct hq_service *s, struct hq_why *why)
{
    if (!text_ok(s->code, sizeof s->code, false) || !hq_valid_service_code(s->code))
        return hq_fail(why, HQ_EINVAL, "code", "code: must be 1 or 2 capital letters A-Z");
    if (!text_ok(s->name, sizeof s->name, false))
        return hq_fail(why, HQ_EINVAL, "name", "name: required, at most %d bytes", HQ_NAME_MAX - 1);
    if (!text_ok(s->name_en, sizeof s->name_en, true))
        return hq_fail(why, HQ_EINVAL, "name_en", "name_en: at most %d bytes", HQ_NAME_MAX - 1);
    if (s->avg_service_s <= 0 || s->avg_service_s > 86400)
        return hq_fail(why, HQ_EINVAL, "avg_service_s",
                       "avg_service_s: must be between 1 and 86400 seconds, not %d",
                       (int)s->avg_service_s);
    if (s->daily_quota < 0)
        return hq_fail(why, HQ_EINVAL, "daily_quota",
                       "daily_quota: must be 0 (unlimited) or more, not %d", (int)s->daily_quota);
    if (s->n_documents < 0 || s->n_documents > HQ_DOC_MAX)
        return hq_fail(why, HQ_EINVAL, "documents", "documents: at most %d entries", HQ_DOC_MAX);
    for (int i = 0; i < s->n_documents; i++)
        if (!text_ok(s->documents[i], sizeof s->documents[i], false))
            return hq_fail(why, HQ_EINVAL, "documents", "documents: entry %d must be 1 to %d bytes",
                           i, HQ_NAME_MAX - 1);
    return hq_hours_check(&s->hours, "hours", why);
}

int hq_service_add(struct hq_hall *h, const struct hq_service *s, struct hq_why *why)
{
    int rc = check_service(s, why);
    if (rc) return rc;
    if (hq_service_find(h, s->code))
        return hq_fail(why, HQ_ECONFLICT, "code", "code: service '%s' already exists", s->code);
    void *grown = hq__grow(h->services, &h->cap_services, h->n_services + 1, sizeof *h->services);
    if (!grown) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    h->services = grown;
    struct hq_service *d = &h->services[h->n_services++];
    *d = *s;
    d->seq_day = 0;
    d->seq = 0;
    d->n_recent = 0;
    memset(d->recent, 0, sizeof d->recent);
    return 0;
}

int hq_service_put(struct hq_hall *h, const struct hq_service *s, struct hq_why *why)
{
    int rc = check_service(s, why);
    if (rc) return rc;
    struct hq_service *d = hq_service_find(h, s->code);
    if (!d) return hq_fail(why, HQ_ENOTFOUND, "code", "no service with code '%s'", s->code);
    struct hq_service keep = *d;
    *d = *s;
    d->seq_day = keep.seq_day;
    d->seq = keep.seq;
    d->n_recent = keep.n_recent;
    memcpy(d->recent, keep.recent, sizeof d->recent);
    return 0;
}

/* ---- windows ---- */

static int check_window(struct hq_hall *h, const struct hq_window *w, struct hq_why *why)
{
    if (w->number <= 0 || w->number > 9999)
        return hq_fail(why, HQ_EINVAL, "number", "number: must be between 1 and 9999, not %d",
                       (int)w->number);
    if (!text_ok(w->name, sizeof w->name, true))
        return hq_fail(why, HQ_EINVAL, "name", "name: at most %d bytes", HQ_NAME_MAX - 1);
    if (w->n_services < 0 || w->n_services > HQ_WIN_SVC_MAX)
        return hq_fail(why, HQ_EINVAL, "services", "services: at most %d", HQ_WIN_SVC_MAX);
    for (int i = 0; i < w->n_services; i++) {
        const char *c = w->services[i];
        if (!text_ok(c, HQ_CODE_MAX, false) || !hq_service_find(h, c))
            return hq_fail(why, HQ_EINVAL, "services", "services: no service with code '%.2s'",
                           text_ok(c, HQ_CODE_MAX, true) ? c : "?");
        for (int j = 0; j < i; j++)
            if (strcmp(w->services[j], c) == 0)
                return hq_fail(why, HQ_EINVAL, "services", "services: '%s' listed twice", c);
    }
    return 0;
}

/* The services of w's list that staff s may serve on day: the window's active list. */
static void compute_active(const struct hq_window *w, const struct hq_staff *s, int32_t day,
                           char active[HQ_WIN_SVC_MAX][HQ_CODE_MAX], int *n_active)
{
    int n = 0;
    for (int i = 0; i < w->n_services; i++)
        if (hq_cert_valid(s, w->services[i], day)) memcpy(active[n++], w->services[i], HQ_CODE_MAX);
    *n_active = n;
}

void hq__window_active(const struct hq_window *w, const struct hq_staff *s, int32_t day,
                       char active[HQ_WIN_SVC_MAX][HQ_CODE_MAX], int *n_active)
{
    compute_active(w, s, day, active, n_active);
}

static void window_reset_runtime(struct hq_window *d)
{
    d->state = HQ_WIN_CLOSED;
    d->pause_reason[0] = '\0';
    d->paused_at = 0;
    d->back_in_s = 0;
    d->clerk[0] = '\0';
    d->current[0] = '\0';
    d->n_active = 0;
    memset(d->active, 0, sizeof d->active);
    d->opened_at = 0;
}

int hq_window_add(struct hq_hall *h, const struct hq_window *w, struct hq_why *why)
{
    int rc = check_window(h, w, why);
    if (rc) return rc;
    if (hq_window_find(h, w->number))
        return hq_fail(why, HQ_ECONFLICT, "number", "number: window %d already exists",
                       (int)w->number);
    void *grown = hq__grow(h->windows, &h->cap_windows, h->n_windows + 1, sizeof *h->windows);
    if (!grown) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    h->windows = grown;
    /* keep the array sorted by number */
    size_t at = h->n_windows;
    while (at > 0 && h->windows[at - 1].number > w->number)
        at--;
    memmove(&h->windows[at + 1], &h->windows[at], (h->n_windows - at) * sizeof *h->windows);
    h->n_windows++;
    struct hq_window *d = &h->windows[at];
    *d = *w;
    window_reset_runtime(d);
    return 0;
}

int hq_window_remove(struct hq_hall *h, int32_t number, size_t *slot, struct hq_why *why)
{
    struct hq_window *w = hq_window_find(h, number);
    if (!w) return hq_fail(why, HQ_ENOTFOUND, "", "no window %d", (int)number);
    if (w->state != HQ_WIN_CLOSED || w->current[0])
        return hq_fail(why, HQ_ECONFLICT, "", "window %d is in use: close it first", (int)number);
    size_t at = (size_t)(w - h->windows);
    memmove(&h->windows[at], &h->windows[at + 1], (h->n_windows - at - 1) * sizeof *h->windows);
    h->n_windows--;
    if (slot) *slot = at;
    return 0;
}

int hq_window_put(struct hq_hall *h, const struct hq_window *w, struct hq_why *why)
{
    int rc = check_window(h, w, why);
    if (rc) return rc;
    struct hq_window *d = hq_window_find(h, w->number);
    if (!d) return hq_fail(why, HQ_ENOTFOUND, "number", "no window %d", (int)w->number);
    struct hq_window keep = *d;
    *d = *w;
    d->state = keep.state;
    memcpy(d->pause_reason, keep.pause_reason, sizeof d->pause_reason);
    d->paused_at = keep.paused_at;
    d->back_in_s = keep.back_in_s;
    memcpy(d->clerk, keep.clerk, sizeof d->clerk);
    memcpy(d->current, keep.current, sizeof d->current);
    d->opened_at = keep.opened_at;
    if (d->state != HQ_WIN_CLOSED) {
        /* the clerk keeps serving what the new list and his certifications allow */
        compute_active(d, hq_staff_find(h, d->clerk), h->day, d->active, &d->n_active);
    } else {
        d->n_active = 0;
        memset(d->active, 0, sizeof d->active);
    }
    return 0;
}

/* ---- staff ---- */

static int check_staff(struct hq_hall *h, const struct hq_staff *s, struct hq_why *why)
{
    if (!text_ok(s->username, sizeof s->username, false) || !hq_valid_username(s->username))
        return hq_fail(why, HQ_EINVAL, "username",
                       "username: 1 to 32 of lowercase letters, digits, '_', '.', '-'");
    if (!text_ok(s->name, sizeof s->name, false))
        return hq_fail(why, HQ_EINVAL, "name", "name: required, at most %d bytes", HQ_NAME_MAX - 1);
    if (s->role <= HQ_ROLE_NONE || s->role >= HQ_ROLE_COUNT_)
        return hq_fail(why, HQ_EINVAL, "role", "role: one of admin, manager, clerk, guide");
    if (!text_ok(s->pw_hash, sizeof s->pw_hash, true))
        return hq_fail(why, HQ_EINVAL, "password", "password: hash too long");
    if (s->n_certs < 0 || s->n_certs > HQ_CERT_MAX)
        return hq_fail(why, HQ_EINVAL, "certifications", "certifications: at most %d", HQ_CERT_MAX);
    for (int i = 0; i < s->n_certs; i++) {
        const struct hq_cert *c = &s->certs[i];
        if (!text_ok(c->service, sizeof c->service, false) || !hq_service_find(h, c->service))
            return hq_fail(why, HQ_EINVAL, "certifications",
                           "certifications: no service with code '%.2s'",
                           text_ok(c->service, sizeof c->service, true) ? c->service : "?");
        if (!valid_day(c->expires_on))
            return hq_fail(why, HQ_EINVAL, "certifications",
                           "certifications: expires_on %d is not a date", (int)c->expires_on);
    }
    return 0;
}

int hq_staff_add(struct hq_hall *h, const struct hq_staff *s, struct hq_why *why)
{
    int rc = check_staff(h, s, why);
    if (rc) return rc;
    if (hq_staff_find(h, s->username))
        return hq_fail(why, HQ_ECONFLICT, "username", "username: '%s' already exists", s->username);
    void *grown = hq__grow(h->staff, &h->cap_staff, h->n_staff + 1, sizeof *h->staff);
    if (!grown) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    h->staff = grown;
    h->staff[h->n_staff++] = *s;
    return 0;
}

int hq_staff_put(struct hq_hall *h, const struct hq_staff *s, struct hq_why *why)
{
    int rc = check_staff(h, s, why);
    if (rc) return rc;
    struct hq_staff *d = hq_staff_find(h, s->username);
    if (!d) return hq_fail(why, HQ_ENOTFOUND, "username", "no staff member '%s'", s->username);
    char hash[HQ_HASH_MAX];
    memcpy(hash, d->pw_hash, sizeof hash);
    *d = *s;
    if (!s->pw_hash[0]) memcpy(d->pw_hash, hash, sizeof hash);
    return 0;
}

/* ---- loading ---- */

/* Numbering never goes back: a loaded ticket moves its service's sequence forward. */
static void bump_seq(struct hq_service *s, const struct hq_ticket *t)
{
    if (!s || strncmp(t->number, s->code, strlen(s->code)) != 0) return;
    if (t->day > s->seq_day) {
        s->seq_day = t->day;
        s->seq = t->seq;
    } else if (t->day == s->seq_day && t->seq > s->seq) {
        s->seq = t->seq;
    }
}

/* The service whose code prefixes the ticket's number (the service it was issued for). */
static struct hq_service *issuing_service(struct hq_hall *h, const struct hq_ticket *t)
{
    char code[HQ_CODE_MAX] = {0};
    for (int i = 0; i < HQ_CODE_MAX - 1 && t->number[i] >= 'A' && t->number[i] <= 'Z'; i++)
        code[i] = t->number[i];
    return hq_service_find(h, code);
}

struct hq_ticket *hq_hall_load_ticket(struct hq_hall *h, const struct hq_ticket *t)
{
    struct hq_ticket *d = hq_ticket_find(h, t->id);
    if (!d) {
        void *grown = hq__grow(h->tickets, &h->cap_tickets, h->n_tickets + 1, sizeof *h->tickets);
        if (!grown) return NULL;
        h->tickets = grown;
        d = &h->tickets[h->n_tickets++];
        *d = *t;
        hq__index_appended(h);
    } else {
        hq__order_leave(h, d);
        *d = *t;
    }
    bump_seq(issuing_service(h, d), d);
    /* The issue sequence never goes back; a ticket without one (hand-made, or from a store that
     * did not know it) gets the next, so loading in issue order keeps the order. */
    if (d->iseq <= 0)
        d->iseq = ++h->issue_seq;
    else if (d->iseq > h->issue_seq)
        h->issue_seq = d->iseq;
    hq__order_enter(h, d);
    return d;
}

struct hq_window *hq_hall_load_window(struct hq_hall *h, const struct hq_window *w)
{
    struct hq_window *d = hq_window_find(h, w->number);
    if (!d) {
        void *grown = hq__grow(h->windows, &h->cap_windows, h->n_windows + 1, sizeof *h->windows);
        if (!grown) return NULL;
        h->windows = grown;
        size_t at = h->n_windows;
        while (at > 0 && h->windows[at - 1].number > w->number)
            at--;
        memmove(&h->windows[at + 1], &h->windows[at], (h->n_windows - at) * sizeof *h->windows);
        h->n_windows++;
        d = &h->windows[at];
    }
    *d = *w;
    return d;
}

struct hq_service *hq_hall_load_service(struct hq_hall *h, const struct hq_service *s)
{
    struct hq_service *d = hq_service_find(h, s->code);
    if (!d) {
        void *grown =
            hq__grow(h->services, &h->cap_services, h->n_services + 1, sizeof *h->services);
        if (!grown) return NULL;
        h->services = grown;
        d = &h->services[h->n_services++];
    }
    *d = *s;
    for (size_t i = 0; i < h->n_tickets; i++)
        if (issuing_service(h, &h->tickets[i]) == d) bump_seq(d, &h->tickets[i]);
    return d;
}

struct hq_staff *hq_hall_load_staff(struct hq_hall *h, const struct hq_staff *s)
{
    struct hq_staff *d = hq_staff_find(h, s->username);
    if (!d) {
        void *grown = hq__grow(h->staff, &h->cap_staff, h->n_staff + 1, sizeof *h->staff);
        if (!grown) return NULL;
        h->staff = grown;
        d = &h->staff[h->n_staff++];
    }
    *d = *s;
    return d;
}

/* ---- day end ---- */

static bool past_close(const struct hq_hours *hours, const struct hq_now *now)
{
    if (!hours->has_hours || now->weekday < 0 || now->weekday > 6) return false;
    int c = hq_hours_last_close(hours, now->weekday);
    return c >= 0 && now->minute >= c;
}

int hq_day_roll(struct hq_hall *h, const struct hq_now *now, bool expire_at_close,
                void (*on_expired)(void *ctx, struct hq_ticket *t), void *ctx)
{
    bool new_day = now->day > h->day;
    bool at_close = expire_at_close && past_close(&h->conf.hours, now);
    if (!new_day && !at_close) return 0;
    int n = 0;
    if (h->conf.carry_over) {
        /* Emergency carry-over: nothing expires. A called ticket of an earlier day waits again
         * (its window was left mid-call), and each service's numbering moves to the new day
         * where it stands, so new numbers follow the carried ones and never repeat them. */
        for (size_t i = 0; new_day && i < h->n_tickets; i++) {
            struct hq_ticket *t = &h->tickets[i];
            if (t->day >= now->day || t->status != HQ_CALLED) continue;
            struct hq_window *w = hq_window_find(h, t->window);
            if (w && strcmp(w->current, t->id) == 0) w->current[0] = '\0';
            t->status = HQ_WAITING;
            t->window = 0;
            hq__order_enter(h, t);
            n++;
            if (on_expired) on_expired(ctx, t);
        }
        for (size_t i = 0; new_day && i < h->n_services; i++)
            if (h->services[i].seq_day < now->day && h->services[i].seq > 0)
                h->services[i].seq_day = now->day;
        if (new_day) h->day = now->day;
        return n;
    }
    for (size_t i = 0; i < h->n_tickets; i++) {
        struct hq_ticket *t = &h->tickets[i];
        bool old = t->day < now->day && (t->status == HQ_WAITING || t->status == HQ_CALLED);
        bool today = at_close && t->day == now->day && t->status == HQ_WAITING;
        if (!old && !today) continue;
        if (t->status == HQ_CALLED) {
            struct hq_window *w = hq_window_find(h, t->window);
            if (w && strcmp(w->current, t->id) == 0) w->current[0] = '\0';
        }
        hq__order_leave(h, t);
        t->status = HQ_EXPIRED;
        t->finished_at = now->t;
        n++;
        if (on_expired) on_expired(ctx, t);
    }
    if (new_day) h->day = now->day;
    return n;
}

static bool terminal(enum hq_status s)
{
    return s == HQ_DONE || s == HQ_NO_SHOW || s == HQ_CANCELLED || s == HQ_EXPIRED;
}

void hq_hall_forget_before(struct hq_hall *h, int32_t day)
{
    size_t o = 0;
    for (size_t i = 0; i < h->n_tickets; i++) {
        const struct hq_ticket *t = &h->tickets[i];
        if (t->day < day && terminal(t->status)) continue;
        if (o != i) h->tickets[o] = *t;
        o++;
    }
    if (o != h->n_tickets) {
        h->n_tickets = o;
        index_rebuild(h);
        hq_hall_reindex(h); /* positions moved */
    }
}
