/* SPDX-License-Identifier: MIT */
/*
 * test_sse_frames.c — the shared frame list behind the event streams (src/http/sse_frames.c):
 * many cursors reading one list at their own pace each get the exact byte stream pushed after they
 * joined, in order, whatever the size of their reads; a cursor's lag is what it has not read; a
 * frame is freed as soon as no cursor reaches it (the live count follows, and ASan finds any frame
 * leaked or freed twice); a cursor left far behind keeps its frames until released, as a dropped
 * stream's does in sse.c. And the fan-out's reads without the mutex: a copy of a cursor read
 * through iovecs up to a stop frame, advanced by sends of any size (partial ones included), gives
 * the same byte stream, never past the stop frame, and the cursor moved there afterwards holds the
 * right frames.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/sse_frames.h"

/* Frame i's bytes: "id: i\n" followed by i % 37 letters and a blank line (sizes vary). */
static size_t frame_text(int i, char *out, size_t cap)
{
    int n = snprintf(out, cap, "id: %d\ndata: ", i);
    for (int k = 0; k < i % 37; k++)
        out[n++] = (char)('a' + (i + k) % 26);
    out[n++] = '\n';
    out[n++] = '\n';
    return (size_t)n;
}

static void empty_list(void **st)
{
    (void)st;
    struct hq_sse_frames q;
    assert_int_equal(hq__sse_frames_init(&q), 0);
    assert_int_equal(q.live, 1); /* the empty frame to start from */
    struct hq_sse_cursor c;
    hq__sse_cursor_at_end(&c, &q);
    char buf[16];
    assert_int_equal(hq__sse_cursor_read(&c, buf, sizeof buf), 0);
    assert_int_equal(hq__sse_cursor_lag(&c, &q), 0);
    hq__sse_cursor_release(&c);
    assert_int_equal(hq__sse_cursor_lag(&c, &q), 0); /* released: not on the list */
    hq__sse_cursor_release(&c);                      /* twice is harmless */
    hq__sse_frames_release(&q);
}

enum { N_CURSORS = 40, N_FRAMES = 3000 };

static void many_cursors_each_get_the_whole_stream(void **st)
{
    (void)st;
    struct hq_sse_frames q;
    assert_int_equal(hq__sse_frames_init(&q), 0);
    /* the expected stream: every frame's bytes, concatenated, and where each frame starts */
    char *all = malloc((size_t)N_FRAMES * 64);
    size_t *start = malloc(sizeof *start * (N_FRAMES + 1));
    assert_non_null(all);
    assert_non_null(start);
    size_t total = 0;
    for (int i = 0; i < N_FRAMES; i++) {
        start[i] = total;
        total += frame_text(i, all + total, 64);
    }
    start[N_FRAMES] = total;

    struct {
        struct hq_sse_cursor c;
        int joined;  /* the first frame pushed after it joined */
        size_t got;  /* bytes read so far */
        char *bytes; /* what it read */
    } cur[N_CURSORS];
    for (int k = 0; k < N_CURSORS; k++) {
        cur[k].c.f = NULL;
        cur[k].joined = -1;
        cur[k].got = 0;
        cur[k].bytes = malloc(total);
        assert_non_null(cur[k].bytes);
    }
    unsigned seed = 12345;
    for (int i = 0; i < N_FRAMES; i++) {
        /* cursor k joins before frame k * 50 */
        for (int k = 0; k < N_CURSORS; k++) {
            if (cur[k].joined < 0 && i == k * 50) {
                hq__sse_cursor_at_end(&cur[k].c, &q);
                cur[k].joined = i;
            }
        }
        assert_int_equal(hq__sse_frames_push(&q, all + start[i], start[i + 1] - start[i]), 0);
        /* each joined cursor reads a random amount (often nothing, sometimes a lot), so the
         * list holds frames for the slowest one */
        for (int k = 0; k < N_CURSORS; k++) {
            if (cur[k].joined < 0) continue;
            seed = seed * 1103515245u + 12345u;
            size_t want = (seed >> 8) % 4 == 0 ? (seed >> 12) % 300 : 0;
            if (k == 0) want = 0; /* cursor 0 reads nothing until the end */
            size_t behind = start[i + 1] - start[cur[k].joined] - cur[k].got;
            assert_int_equal(hq__sse_cursor_lag(&cur[k].c, &q), behind);
            size_t n = hq__sse_cursor_read(&cur[k].c, cur[k].bytes + cur[k].got, want);
            assert_int_equal(n, want < behind ? want : behind);
            cur[k].got += n;
        }
    }
    /* cursor 0 has held every frame since the first */
    assert_int_equal(q.live, N_FRAMES + 1);
    for (int k = 0; k < N_CURSORS; k++) {
        size_t n;
        while ((n = hq__sse_cursor_read(&cur[k].c, cur[k].bytes + cur[k].got, 7)) > 0)
            cur[k].got += n;
        size_t from = start[cur[k].joined];
        assert_int_equal(cur[k].got, total - from);
        assert_memory_equal(cur[k].bytes, all + from, total - from);
        assert_int_equal(hq__sse_cursor_lag(&cur[k].c, &q), 0);
    }
    assert_int_equal(q.live, 1); /* all caught up: every frame but the newest is freed */
    for (int k = 0; k < N_CURSORS; k++) {
        hq__sse_cursor_release(&cur[k].c);
        free(cur[k].bytes);
    }
    assert_int_equal(q.live, 1); /* the list's own newest frame */
    hq__sse_frames_release(&q);
    assert_int_equal(q.live, 0);
    free(all);
    free(start);
}

/* A cursor that stops reading pins the frames after it; releasing it (a dropped stream) frees
 * them at once, while the other cursors keep theirs. */
static void a_dropped_cursor_frees_its_frames(void **st)
{
    (void)st;
    struct hq_sse_frames q;
    assert_int_equal(hq__sse_frames_init(&q), 0);
    struct hq_sse_cursor slow, fast, late;
    hq__sse_cursor_at_end(&slow, &q);
    hq__sse_cursor_at_end(&fast, &q);
    char text[64], buf[4096];
    for (int i = 0; i < 100; i++) {
        size_t n = frame_text(i, text, sizeof text);
        assert_int_equal(hq__sse_frames_push(&q, text, n), 0);
        assert_int_equal(hq__sse_cursor_read(&fast, buf, sizeof buf), n);
    }
    assert_int_equal(q.live, 101);
    assert_true(hq__sse_cursor_lag(&slow, &q) > 0);
    hq__sse_cursor_at_end(&late, &q); /* joins now: nothing to read */
    assert_int_equal(hq__sse_cursor_lag(&late, &q), 0);
    hq__sse_cursor_release(&slow);
    assert_int_equal(q.live, 1); /* fast and late stand on the newest frame */
    size_t n = frame_text(100, text, sizeof text);
    assert_int_equal(hq__sse_frames_push(&q, text, n), 0);
    assert_int_equal(q.live, 2);
    assert_int_equal(hq__sse_cursor_read(&late, buf, sizeof buf), n);
    assert_memory_equal(buf, text, n);
    hq__sse_cursor_release(&late);
    hq__sse_frames_release(&q);
    assert_int_equal(q.live, 2); /* fast still stands on the frame before the newest */
    assert_int_equal(hq__sse_cursor_read(&fast, buf, sizeof buf), n);
    assert_int_equal(q.live, 1);
    hq__sse_cursor_release(&fast);
    assert_int_equal(q.live, 0);
}

/* The fan-out's path: iovecs from a copy of the cursor, "sends" of odd sizes, then a move. */
static void direct_reads_give_the_same_stream(void **st)
{
    (void)st;
    struct hq_sse_frames q;
    assert_int_equal(hq__sse_frames_init(&q), 0);
    struct hq_sse_cursor c;
    hq__sse_cursor_at_end(&c, &q);
    char want[65536], got[65536], text[128];
    size_t wn = 0, gn = 0;
    unsigned seed = 7;
    for (int round = 0; round < 300; round++) {
        int k = 1 + round % 5; /* frames pushed before this send */
        for (int i = 0; i < k; i++) {
            size_t n = frame_text(round * 5 + i, text, sizeof text);
            assert_int_equal(hq__sse_frames_push(&q, text, n), 0);
            memcpy(want + wn, text, n);
            wn += n;
        }
        const struct hq_sse_frame *stop = hq__sse_frames_tail(&q);
        if (round % 3 == 0) { /* a frame pushed after the stop is not read in this round */
            size_t n = frame_text(100000 + round, text, sizeof text);
            assert_int_equal(hq__sse_frames_push(&q, text, n), 0);
            memcpy(want + wn, text, n);
            wn += n;
        }
        struct hq_sse_cursor pos = c;
        size_t before = gn;
        for (;;) {
            struct iovec iov[3];
            int m = hq__sse_pos_iov(&pos, stop, iov, 3);
            if (m == 0) break;
            size_t avail = 0;
            for (int i = 0; i < m; i++)
                avail += iov[i].iov_len;
            seed = seed * 1103515245u + 12345u;
            size_t take = 1 + (seed >> 8) % avail; /* a partial send, or all of it */
            size_t left = take;
            for (int i = 0; i < m && left; i++) {
                size_t l = iov[i].iov_len < left ? iov[i].iov_len : left;
                memcpy(got + gn, iov[i].iov_base, l);
                gn += l;
                left -= l;
            }
            hq__sse_pos_skip(&pos, stop, take);
            if (round % 7 == 0 && take < avail) break; /* the socket is full: stop mid-frame */
        }
        assert_true(gn >= before);
        hq__sse_cursor_move(&c, &pos);
        assert_memory_equal(got, want, gn);
        assert_int_equal(hq__sse_cursor_lag(&c, &q), wn - gn);
    }
    /* what is left, through the locked reader: the stream goes on from the exact byte */
    gn += hq__sse_cursor_read(&c, got + gn, sizeof got - gn);
    assert_int_equal(gn, wn);
    assert_memory_equal(got, want, wn);
    assert_int_equal(hq__sse_cursor_lag(&c, &q), 0);
    hq__sse_cursor_release(&c);
    assert_int_equal(q.live, 1); /* only the tail */
    hq__sse_frames_release(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_list),
        cmocka_unit_test(many_cursors_each_get_the_whole_stream),
        cmocka_unit_test(a_dropped_cursor_frees_its_frames),
        cmocka_unit_test(direct_reads_give_the_same_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
