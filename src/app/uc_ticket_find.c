/* SPDX-License-Identifier: MIT */
/*
 * uc_ticket_find.c — the staff ticket list with the filters of the counter and the guide desk
 * (GET /tickets?status=&service=&window=&q=):
 *   window=n  only waiting tickets of the services window n serves (its active list while open,
 *             else its configured list), in the order call-next at that window takes them (the
 *             call policy's score, ties by issue order), so the counter's 待叫号码 is the truth;
 *   q=…       a ticket number (A012, case-insensitive) or a phone number, or its last 4+ digits,
 *             matched here on the server; the answer shows the phone masked as every staff view.
 * Without window and q the answer is hq_app_tickets_list's.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_int.h"

struct ranked {
    const struct hq_ticket *t;
    int64_t score;
};

static int by_call_order(const void *x, const void *y)
{
    const struct ranked *a = x, *b = y;
    return hq_policy_order(a->score, a->t, b->score, b->t);
}

/* The digits of s, at most cap - 1 of them. */
static void digits_of(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    for (; s && *s && o + 1 < cap; s++)
        if (*s >= '0' && *s <= '9') out[o++] = *s;
    out[o] = '\0';
}

static bool matches(const struct hq_ticket *t, const char *q_up, const char *q_digits,
                    bool q_is_phone)
{
    if (strcmp(t->number, q_up) == 0) return true;
    if (!q_is_phone || !t->phone[0]) return false;
    char d[HQ_PHONE_MAX];
    digits_of(t->phone, d, sizeof d);
    size_t ld = strlen(d), lq = strlen(q_digits);
    return lq <= ld && strcmp(d + ld - lq, q_digits) == 0; /* the whole number or its end */
}

int hq_app_tickets_find(struct hq_app *a, const struct hq_actor *who, const char *status,
                        const char *service, const char *window, const char *q, json_t **out,
                        struct hq_why *why)
{
    bool by_window = window && window[0], by_q = q && q[0];
    if (!by_window && !by_q) return hq_app_tickets_list(a, who, status, service, out, why);
    int st = -1;
    if (status && status[0] && (st = hq_status_parse(status)) < 0)
        return hq_fail(why, HQ_EINVAL, "status",
                       "status: one of waiting, called, serving, done, no_show, cancelled, "
                       "expired");
    if (service && service[0] && !hq_valid_service_code(service))
        return hq_fail(why, HQ_EINVAL, "service", "service: a service code");
    long wn = 0;
    if (by_window) {
        char *end = NULL;
        wn = strtol(window, &end, 10);
        if (!end || *end || wn < 1 || wn > 100000)
            return hq_fail(why, HQ_EINVAL, "window", "window: a window number");
        if (st >= 0 && st != HQ_WAITING)
            return hq_fail(why, HQ_EINVAL, "window",
                           "window: lists the waiting tickets in call order (status=waiting)");
    }
    char q_up[HQ_NUMBER_MAX] = "", q_digits[HQ_PHONE_MAX] = "";
    bool q_is_phone = false;
    if (by_q) {
        size_t n = strlen(q);
        if (n > 20) return hq_fail(why, HQ_EINVAL, "q", "q: a ticket number or a phone number");
        for (size_t i = 0; i < n && i + 1 < sizeof q_up; i++)
            q_up[i] = (char)toupper((unsigned char)q[i]);
        digits_of(q, q_digits, sizeof q_digits);
        q_is_phone = strlen(q_digits) >= 4 && strspn(q, "0123456789 -+") == n;
    }
    struct hq_now now;
    hq_app_now(a, &now);
    pthread_mutex_lock(&a->mu);
    struct hq_window wcopy;
    if (by_window) {
        struct hq_window *w = hq_window_find(&a->hall, (int32_t)wn);
        if (!w) {
            pthread_mutex_unlock(&a->mu);
            return hq_fail(why, HQ_EINVAL, "window", "window: no window %ld", wn);
        }
        wcopy = *w;
        if (wcopy.state == HQ_WIN_CLOSED || wcopy.n_active == 0) { /* as if opened */
            wcopy.n_active = wcopy.n_services;
            memcpy(wcopy.active, wcopy.services, sizeof wcopy.active);
        }
    }
    struct ranked *r = malloc((a->hall.n_tickets + 1) * sizeof *r);
    if (!r) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    size_t n = 0;
    for (size_t i = 0; i < a->hall.n_tickets; i++) {
        const struct hq_ticket *t = &a->hall.tickets[i];
        if (by_window && t->status != HQ_WAITING) continue;
        if (st >= 0 && (int)t->status != st) continue;
        if (service && service[0] && strcmp(t->service, service) != 0) continue;
        if (by_q && !matches(t, q_up, q_digits, q_is_phone)) continue;
        int64_t score = 0;
        if (by_window &&
            (score = hq_policy_score(&a->hall.conf.policy, &wcopy, t, now.t)) == INT64_MIN)
            continue;
        r[n].t = t;
        r[n++].score = score;
    }
    if (by_window) qsort(r, n, sizeof *r, by_call_order);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, hq__ticket_json(a, &now, r[i].t, true));
    pthread_mutex_unlock(&a->mu);
    free(r);
    *out = arr;
    return 0;
}
