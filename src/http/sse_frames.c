/* SPDX-License-Identifier: MIT */
/*
 * sse_frames.c — the shared list of serialised event frames (see sse_frames.h). Each frame
 * records its position in the byte stream of the list, so a cursor's backlog is one subtraction,
 * and carries the list's live-frame counter so that a frame freed through a cursor is counted.
 */
#include <stdlib.h>
#include <string.h>

#include "sse_frames.h"

struct hq_sse_frame {
    struct hq_sse_frame *next; /* the newer frame; this link holds a reference on it */
    size_t *live;              /* the list's counter of frames */
    uint64_t pos;              /* stream position of data[0] */
    size_t refs;
    size_t len;
    char data[];
};

static struct hq_sse_frame *frame_new(size_t *live, uint64_t pos, const char *p, size_t n)
{
    struct hq_sse_frame *f = malloc(sizeof *f + n);
    if (!f) return NULL;
    f->next = NULL;
    f->live = live;
    f->pos = pos;
    f->refs = 1;
    f->len = n;
    if (n) memcpy(f->data, p, n);
    (*live)++;
    return f;
}

static void frame_ref(struct hq_sse_frame *f)
{
    f->refs++;
}

/* Drop one reference; a frame left without any is freed, and with it its link to the next one. */
static void frame_unref(struct hq_sse_frame *f)
{
    while (f && --f->refs == 0) {
        struct hq_sse_frame *next = f->next;
        (*f->live)--;
        free(f);
        f = next;
    }
}

int hq__sse_frames_init(struct hq_sse_frames *q)
{
    q->end = 0;
    q->live = 0;
    q->tail = frame_new(&q->live, 0, NULL, 0);
    return q->tail ? 0 : -1;
}

void hq__sse_frames_release(struct hq_sse_frames *q)
{
    frame_unref(q->tail);
    q->tail = NULL;
}

int hq__sse_frames_push(struct hq_sse_frames *q, const char *p, size_t n)
{
    struct hq_sse_frame *f = frame_new(&q->live, q->end, p, n);
    if (!f) return -1;
    frame_ref(f); /* one for the old tail's link, one for the list's tail */
    struct hq_sse_frame *old = q->tail;
    old->next = f;
    q->tail = f;
    q->end += n;
    frame_unref(old);
    return 0;
}

void hq__sse_cursor_at_end(struct hq_sse_cursor *c, struct hq_sse_frames *q)
{
    frame_ref(q->tail);
    c->f = q->tail;
    c->off = q->tail->len;
}

void hq__sse_cursor_release(struct hq_sse_cursor *c)
{
    frame_unref(c->f);
    c->f = NULL;
    c->off = 0;
}

uint64_t hq__sse_cursor_lag(const struct hq_sse_cursor *c, const struct hq_sse_frames *q)
{
    return c->f ? q->end - (c->f->pos + c->off) : 0;
}

size_t hq__sse_cursor_read(struct hq_sse_cursor *c, char *out, size_t max)
{
    size_t n = 0;
    while (c->f && n < max) {
        struct hq_sse_frame *f = c->f;
        if (c->off == f->len) {
            if (!f->next) break;
            frame_ref(f->next);
            c->f = f->next;
            c->off = 0;
            frame_unref(f);
            continue;
        }
        size_t k = f->len - c->off;
        if (k > max - n) k = max - n;
        memcpy(out + n, f->data + c->off, k);
        c->off += k;
        n += k;
    }
    return n;
}

const struct hq_sse_frame *hq__sse_frames_tail(const struct hq_sse_frames *q)
{
    return q->tail;
}

int hq__sse_pos_iov(const struct hq_sse_cursor *pos, const struct hq_sse_frame *stop,
                    struct iovec *iov, int max)
{
    int n = 0;
    const struct hq_sse_frame *f = pos->f;
    size_t off = pos->off;
    while (f && n < max) {
        if (off < f->len) {
            iov[n].iov_base = (char *)f->data + off;
            iov[n].iov_len = f->len - off;
            n++;
        }
        if (f == stop) break;
        f = f->next;
        off = 0;
    }
    return n;
}

void hq__sse_pos_skip(struct hq_sse_cursor *pos, const struct hq_sse_frame *stop, size_t n)
{
    while (pos->f) {
        size_t k = pos->f->len - pos->off;
        if (n < k || pos->f == stop || !pos->f->next) {
            pos->off += n < k ? n : k;
            return;
        }
        n -= k;
        pos->f = pos->f->next;
        pos->off = 0;
    }
}

void hq__sse_cursor_move(struct hq_sse_cursor *c, const struct hq_sse_cursor *pos)
{
    if (c->f == pos->f) {
        c->off = pos->off;
        return;
    }
    frame_ref(pos->f);
    frame_unref(c->f);
    c->f = pos->f;
    c->off = pos->off;
}
