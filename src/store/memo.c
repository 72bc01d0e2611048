/* SPDX-License-Identifier: MIT */
/*
 * memo.c — the encoded text of a row's list-valued field, kept from the last time the same bytes
 * were encoded for the same field of the same row, so that a row written again with that field
 * unchanged is not encoded again: a service's documents and hours go with every ticket it issues
 * (its daily number is in its row), a window's lists with every call. jansson's encoding of those
 * was a fifth of the writer thread's work per ticket (issue 12).
 *
 * The memo compares the input's bytes exactly, so a hit is always the text the encoder would write;
 * the slot chosen by the row's key only decides what is kept. One memo per store handle, used by
 * its one thread (hq_store.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static struct hq__memo_slot *slot_for(struct hq__memo *m, const char *field, const char *key)
{
    uint32_t x = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)field; *p; p++)
        x = (x ^ *p) * 16777619u;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        x = (x ^ *p) * 16777619u;
    return &m->slot[x % HQ_MEMO_SLOTS];
}

/* text (malloc'd, or NULL) kept in the slot as the text of in; the slot's earlier text is freed.
 * Out of memory for the copy of in: text is still the slot's (freed with its next use), but it
 * matches nothing. */
static const char *keep(struct hq__memo_slot *s, const void *in, size_t len, char *text)
{
    if (!text) return NULL;
    free(s->in);
    free(s->text);
    s->in = malloc(len);
    s->len = s->in ? len : 0;
    if (s->in) memcpy(s->in, in, len);
    s->text = text;
    return text;
}

static const char *hit(const struct hq__memo_slot *s, const void *in, size_t len)
{
    return s->in && s->len == len && memcmp(s->in, in, len) == 0 ? s->text : NULL;
}

const char *hq__memo_strs(struct hq__memo *m, const char *field, const char *key, const char *base,
                          size_t stride, int n)
{
    if (n <= 0) return "[]"; /* what the encoder writes for no strings */
    struct hq__memo_slot *s = slot_for(m, field, key);
    size_t len = (size_t)n * stride;
    const char *t = hit(s, base, len);
    return t ? t : keep(s, base, len, hq__strs_encode(base, stride, n));
}

const char *hq__memo_hours(struct hq__memo *m, const char *field, const char *key,
                           const struct hq_hours *h)
{
    struct hq__memo_slot *s = slot_for(m, field, key);
    const char *t = hit(s, h, sizeof *h);
    return t ? t : keep(s, h, sizeof *h, hq__hours_encode(h));
}

void hq__memo_free(struct hq__memo *m)
{
    for (size_t i = 0; i < HQ_MEMO_SLOTS; i++) {
        free(m->slot[i].in);
        free(m->slot[i].text);
    }
    memset(m, 0, sizeof *m);
}
