/* SPDX-License-Identifier: MIT */
/*
 * codec.c — the JSON text forms of list-valued fields, shared by the SQLite and PostgreSQL back
 * ends: hours as {"on":bool,"days":[[[open,close],…] × 7]} (the ranges of each day, Sunday first,
 * kept even when "on" is false, so a row round-trips exactly; the schema 1-2 form
 * {"on","open":[7],"close":[7]} with one range a day is still read), string lists as ["A","B"],
 * certifications as
 * [{"service":"A","expires_on":20251231}]. Decoding refuses anything that would not fit the
 * fixed-size fields of the core's structs.
 */
#include <jansson.h>
#include <string.h>

#include "store_int.h"

int hq__copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

int hq__win_state_parse(const char *s)
{
    for (int i = 0; i < HQ_WIN_STATE_COUNT_; i++)
        if (strcmp(s, hq_win_state_name((enum hq_win_state)i)) == 0) return i;
    return -1;
}

static char *dump(json_t *j)
{
    char *txt = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return txt;
}

char *hq__hours_encode(const struct hq_hours *h)
{
    json_t *days = json_array();
    for (int d = 0; d < 7 && days; d++) {
        json_t *day = json_array();
        for (int r = 0; r < h->n[d] && r < HQ_HOURS_RANGES && day; r++)
            json_array_append_new(day, json_pack("[i,i]", (int)h->open[d][r], (int)h->close[d][r]));
        json_array_append_new(days, day);
    }
    return dump(json_pack("{s:b,s:o}", "on", h->has_hours, "days", days));
}

static bool int16_ok(json_t *v)
{
    return json_is_integer(v) && json_integer_value(v) >= INT16_MIN &&
           json_integer_value(v) <= INT16_MAX;
}

/* Schema 1-2 form: {"on","open":[7],"close":[7]}, one range a day, -1/-1 closed. */
static int hours_decode_v1(json_t *j, int on, struct hq_hours *h)
{
    json_t *open, *close;
    if (json_unpack(j, "{s:o,s:o}", "open", &open, "close", &close) != 0 || !json_is_array(open) ||
        !json_is_array(close) || json_array_size(open) != 7 || json_array_size(close) != 7)
        return -1;
    hq_hours_clear(h, on != 0);
    for (size_t i = 0; i < 7; i++) {
        json_t *o = json_array_get(open, i), *c = json_array_get(close, i);
        if (!int16_ok(o) || !int16_ok(c)) return -1;
        int ov = (int)json_integer_value(o), cv = (int)json_integer_value(c);
        if (ov < 0 && cv < 0) continue;
        if (hq_hours_add(h, (int)i, ov, cv) != 0) return -1;
    }
    return 0;
}

int hq__hours_decode(const char *txt, struct hq_hours *out)
{
    json_t *j = json_loads(txt, JSON_REJECT_DUPLICATES, NULL);
    json_t *days;
    int on, rc = -1;
    struct hq_hours h;
    if (!j || json_unpack(j, "{s:b}", "on", &on) != 0) goto out;
    days = json_object_get(j, "days");
    if (!days) {
        if (hours_decode_v1(j, on, &h) != 0) goto out;
    } else {
        if (!json_is_array(days) || json_array_size(days) != 7) goto out;
        hq_hours_clear(&h, on != 0);
        for (size_t d = 0; d < 7; d++) {
            json_t *day = json_array_get(days, d), *r;
            size_t k;
            if (!json_is_array(day) || json_array_size(day) > HQ_HOURS_RANGES) goto out;
            json_array_foreach(day, k, r)
            {
                if (!json_is_array(r) || json_array_size(r) != 2 ||
                    !int16_ok(json_array_get(r, 0)) || !int16_ok(json_array_get(r, 1)) ||
                    hq_hours_add(&h, (int)d, (int)json_integer_value(json_array_get(r, 0)),
                                 (int)json_integer_value(json_array_get(r, 1))) != 0)
                    goto out;
            }
        }
    }
    *out = h;
    rc = 0;
out:
    json_decref(j);
    return rc;
}

char *hq__strs_encode(const char *base, size_t stride, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n && a; i++) {
        json_t *s = json_string(base + (size_t)i * stride);
        if (!s || json_array_append_new(a, s) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return dump(a);
}

int hq__strs_decode(const char *txt, char *base, size_t stride, int max, int *n)
{
    json_t *a = json_loads(txt, 0, NULL);
    int rc = -1;
    if (!json_is_array(a) || json_array_size(a) > (size_t)max) goto out;
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *s = json_array_get(a, i);
        if (!json_is_string(s) || strlen(json_string_value(s)) != json_string_length(s) ||
            hq__copy_str(base + i * stride, stride, json_string_value(s)) != 0)
            goto out;
    }
    *n = (int)json_array_size(a);
    rc = 0;
out:
    json_decref(a);
    return rc;
}

char *hq__certs_encode(const struct hq_cert *c, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n && a; i++) {
        json_t *o =
            json_pack("{s:s,s:i}", "service", c[i].service, "expires_on", (int)c[i].expires_on);
        if (!o || json_array_append_new(a, o) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return dump(a);
}

int hq__certs_decode(const char *txt, struct hq_cert *out, int max, int *n)
{
    json_t *a = json_loads(txt, 0, NULL);
    int rc = -1;
    if (!json_is_array(a) || json_array_size(a) > (size_t)max) goto out;
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *svc;
        json_int_t exp;
        if (json_unpack(json_array_get(a, i), "{s:s,s:I}", "service", &svc, "expires_on", &exp) !=
                0 ||
            exp < INT32_MIN || exp > INT32_MAX ||
            hq__copy_str(out[i].service, sizeof out[i].service, svc) != 0)
            goto out;
        out[i].expires_on = (int32_t)exp;
    }
    *n = (int)json_array_size(a);
    rc = 0;
out:
    json_decref(a);
    return rc;
}
