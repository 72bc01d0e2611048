/* SPDX-License-Identifier: MIT */
/*
 * notify_body.c — the pure parts of notifications (docs/NOTIFY.md): the retry schedule, the
 * HMAC-SHA256 signature of a webhook body, the message text in Chinese and English, and the body
 * a receiver gets. No I/O, no clock, no lock: unit-tested in tests/unit/test_notify.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "notify.h"

static const char *const TYPES[] = {"ticket.near", "ticket.called", "appointment.booked",
                                    "appointment.reminder", NULL};

bool hq_notify_type_known(const char *type)
{
    for (const char *const *t = TYPES; *t; t++)
        if (strcmp(*t, type) == 0) return true;
    return false;
}

int64_t hq_notify_backoff_ms(int attempts, int64_t base_ms)
{
    if (base_ms < 1) base_ms = 1;
    if (attempts < 1) attempts = 1;
    int64_t d = base_ms;
    for (int i = 1; i < attempts && d < HQ_NOTIFY_MAX_DELAY_MS; i++)
        d *= 2;
    return d < HQ_NOTIFY_MAX_DELAY_MS ? d : HQ_NOTIFY_MAX_DELAY_MS;
}

void hq_notify_signature(const char *secret, const char *body, size_t len, char out[72])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, 65, mac, sizeof mac);
    sodium_memzero(&st, sizeof st);
}

static const char *jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

json_t *hq_notify_text(const char *type, json_t *ticket, json_t *appointment)
{
    char zh[512], en[512];
    const char *number = jstr(ticket, "number");
    json_t *win = json_object_get(ticket, "window");
    if (strcmp(type, "ticket.near") == 0) {
        long long ahead = (long long)json_integer_value(json_object_get(ticket, "ahead"));
        if (ahead > 0) {
            snprintf(zh, sizeof zh, "您的号码 %s 前面还有 %lld 位，请到大厅准备办理。", number,
                     ahead);
            snprintf(en, sizeof en, "Ticket %s: %lld ahead of you. Please come to the hall.",
                     number, ahead);
        } else {
            snprintf(zh, sizeof zh, "您的号码 %s 即将被叫到，请到大厅准备办理。", number);
            snprintf(en, sizeof en, "Ticket %s: you are next. Please come to the hall.", number);
        }
    } else if (strcmp(type, "ticket.called") == 0) {
        if (json_is_integer(win)) {
            long long w = (long long)json_integer_value(win);
            snprintf(zh, sizeof zh, "请 %s 号到 %lld 号窗口办理。", number, w);
            snprintf(en, sizeof en, "Ticket %s, please go to window %lld.", number, w);
        } else {
            snprintf(zh, sizeof zh, "请 %s 号到窗口办理。", number);
            snprintf(en, sizeof en, "Ticket %s, please go to the window.", number);
        }
    } else {
        /* appointments: the fields the booking gives, each shown only when present */
        const char *code = jstr(appointment, "code"), *slot = jstr(appointment, "slot"),
                   *service = jstr(appointment, "service");
        bool booked = strcmp(type, "appointment.booked") == 0;
        char zd[256] = "", ed[256] = "";
        if (*service || *slot)
            snprintf(zd, sizeof zd, "（%s%s%s）", service, *service && *slot ? " " : "", slot);
        if (*service || *slot)
            snprintf(ed, sizeof ed, " (%s%s%s)", service, *service && *slot ? " " : "", slot);
        snprintf(zh, sizeof zh, "%s%s%s%s%s",
                 booked ? "您已预约成功" : "预约提醒：您的预约即将开始", zd,
                 *code ? "，预约码 " : "", code, "。");
        snprintf(en, sizeof en, "%s%s%s%s.",
                 booked ? "Your appointment is booked" : "Reminder: your appointment is soon", ed,
                 *code ? ", code " : "", code);
    }
    return json_pack("{s:s,s:s}", "zh", zh, "en", en);
}

char *hq_notify_body(const char *id, const char *type, const char *at, const char *phone,
                     json_t *text, json_t *ticket, json_t *appointment)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:{s:s},s:O,s:O,s:O}", "id", id, "type", type, "at", at,
                          "to", "phone", phone, "text", text ? text : json_null(), "ticket",
                          ticket ? ticket : json_null(), "appointment",
                          appointment ? appointment : json_null());
    if (!o) return NULL;
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}
