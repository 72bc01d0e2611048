/* SPDX-License-Identifier: MIT */
/*
 * sse_frames.h — the shared, reference-counted list of serialised event frames behind the event
 * streams (sse.c). An event is formatted once into a frame appended to the list; every stream
 * keeps a cursor (a frame and an offset in it) instead of a private copy of the bytes.
 *
 * A frame is kept alive by references: the list's tail (the newest frame), the frame before it
 * (its `next` link), and every cursor standing on it. A frame that no cursor reaches any more is
 * freed at once, and the frames after it follow as soon as nothing else holds them, so memory is
 * bounded by the oldest cursor's backlog, which sse.c caps by dropping that stream.
 *
 * Not thread-safe: the caller (the hub) holds its mutex around every call. A cursor must be
 * released before its list.
 */
#ifndef HQ_HTTP_SSE_FRAMES_H
#define HQ_HTTP_SSE_FRAMES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct hq_sse_frame;

struct hq_sse_frames {
    struct hq_sse_frame *tail; /* never NULL after init: an empty frame to start from */
    uint64_t end;              /* bytes pushed since init: the stream position after the tail */
    size_t live;               /* frames allocated and not yet freed (for /metrics and tests) */
};

struct hq_sse_cursor {
    struct hq_sse_frame *f; /* NULL: not on the list */
    size_t off;             /* bytes of f already read */
};

/* 0, or -1 when memory is short. */
int hq__sse_frames_init(struct hq_sse_frames *q);
/* Drop the list's own reference; frames still under cursors stay until those are released. */
void hq__sse_frames_release(struct hq_sse_frames *q);
/* Append a frame holding a copy of p[0..n). 0, or -1 when memory is short (list unchanged). */
int hq__sse_frames_push(struct hq_sse_frames *q, const char *p, size_t n);

/* Stand c on the end of q: it will read every frame pushed from now on. c must be released. */
void hq__sse_cursor_at_end(struct hq_sse_cursor *c, struct hq_sse_frames *q);
/* Leave the list (no-op when not on it); frames nobody else reaches are freed. */
void hq__sse_cursor_release(struct hq_sse_cursor *c);
/* Bytes pushed to q that c has not read yet (0 when c is not on the list). */
uint64_t hq__sse_cursor_lag(const struct hq_sse_cursor *c, const struct hq_sse_frames *q);
/* Copy up to max unread bytes into out, across as many frames as fit, and advance. Returns the
 * number of bytes copied (0: nothing to read). */
size_t hq__sse_cursor_read(struct hq_sse_cursor *c, char *out, size_t max);

/* ---- reading without the mutex (sse.c's fan-out) ----
 * A thread that owns a stream for a while (the stream's cursor cannot move or be released
 * meanwhile) may read the frames from a copy of its cursor up to the end of `stop`, a frame that
 * was the list's tail when the caller last held the mutex: frames before `stop` have their next
 * link set for good, and only the tail's link is written by a push. These three never change a
 * reference count; hq__sse_cursor_move (mutex held) then moves the real cursor. */

/* The list's newest frame (mutex held): the `stop` for the calls below. */
const struct hq_sse_frame *hq__sse_frames_tail(const struct hq_sse_frames *q);
/* Up to max iovecs over the unread bytes from pos to the end of stop; returns how many. */
int hq__sse_pos_iov(const struct hq_sse_cursor *pos, const struct hq_sse_frame *stop,
                    struct iovec *iov, int max);
/* Advance pos by n bytes (n at most what hq__sse_pos_iov offered, summed over calls). */
void hq__sse_pos_skip(struct hq_sse_cursor *pos, const struct hq_sse_frame *stop, size_t n);
/* Stand cursor c where pos is (mutex held): a reference on the new frame, the old one dropped. */
void hq__sse_cursor_move(struct hq_sse_cursor *c, const struct hq_sse_cursor *pos);

#endif
