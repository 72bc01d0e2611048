/* SPDX-License-Identifier: MIT */
/*
 * test_store_crash.c — a crash loses nothing acknowledged. A child process issues tickets in a
 * loop (numbering from what load() gave it, 1 to 4 tickets per group commit, the service row
 * written only now and then so load() must derive numbering from the tickets) and writes each
 * ticket number to a pipe only after commit() returned. The parent SIGKILLs it at a random moment,
 * reopens the store and checks: every acknowledged ticket is there, the day's numbers run 1..n
 * with no gap and no repeat, one event per ticket, and no number is acknowledged twice across
 * rounds. A kill is a process crash, not a power cut: the kernel keeps what was written; the
 * fsync half of durability is SQLite's (synchronous=FULL) and is not simulated here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/hq_core.h"
#include "store/hq_store.h"

#define DAY 20250311
#define ROUNDS 20
#define MAX_ACK 200000

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb;
    (void)flag;
    (void)f;
    return remove(p);
}

static void make_ticket(struct hq_ticket *t, int32_t seq, int64_t now)
{
    memset(t, 0, sizeof *t);
    snprintf(t->id, sizeof t->id, "%032x", (unsigned)seq);
    hq_format_number(t->number, "A", seq);
    t->day = DAY;
    t->seq = seq;
    snprintf(t->service, sizeof t->service, "%s", "A");
    t->status = HQ_WAITING;
    t->issued_at = t->queued_at = now;
}

/* The child: never returns. Exit codes other than by SIGKILL are failures the parent reports. */
static void child(const char *db, int fd, unsigned seed)
{
    struct hq_why why = {0};
    struct hq_store *s = hq_store_open(db, &why);
    struct hq_hall h;
    int64_t last_seq = 0;
    if (!s) _exit(10);
    hq_hall_init(&h);
    if (s->vt->load(s, &h, DAY, &last_seq, &why) != 0) _exit(11);
    struct hq_service *svc = hq_service_find(&h, "A");
    if (!svc) _exit(12);
    struct hq_service v = *svc;
    int32_t seq = v.seq_day == DAY ? v.seq : 0;
    srand(seed);
    for (;;) {
        struct hq_batch b[4], *bs[4];
        int n = 1 + rand() % 4;
        int32_t first = seq + 1;
        for (int i = 0; i < n; i++) {
            struct hq_ticket t;
            bs[i] = &b[i];
            hq_batch_init(&b[i]);
            seq++;
            make_ticket(&t, seq, 1741650000 + seq);
            hq_batch_ticket(&b[i], &t);
            if (seq % 3 == 0) {
                v.seq_day = DAY;
                v.seq = seq;
                hq_batch_service(&b[i], &v);
            }
            hq_batch_event(&b[i], ++last_seq, t.issued_at, "", "ticket.issued", "{}");
        }
        int rc = s->vt->commit(s, bs, (size_t)n, &why);
        for (int i = 0; i < n; i++)
            hq_batch_release(&b[i]);
        if (rc != 0) _exit(13);
        for (int32_t k = first; k <= seq; k++)
            if (write(fd, &k, sizeof k) != (ssize_t)sizeof k) _exit(14);
    }
}

static void test_crash_loses_nothing_acknowledged(void **state)
{
    (void)state;
    char dir[64], db[128];
    snprintf(dir, sizeof dir, "/tmp/hq-crash-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/hall.db", dir);
    unsigned seed = (unsigned)time(NULL);
    fprintf(stderr, "crash test seed %u\n", seed);
    srand(seed);

    /* The hall: one service, nothing issued yet. */
    struct hq_why why = {0};
    struct hq_store *s = hq_store_open(db, &why);
    assert_non_null(s);
    struct hq_service v;
    memset(&v, 0, sizeof v);
    snprintf(v.code, sizeof v.code, "%s", "A");
    snprintf(v.name, sizeof v.name, "%s", "综合");
    v.avg_service_s = 300;
    v.enabled = true;
    struct hq_batch b;
    hq_batch_init(&b);
    hq_batch_service(&b, &v);
    struct hq_batch *bs[1] = {&b};
    assert_int_equal(s->vt->commit(s, bs, 1, &why), 0);
    hq_batch_release(&b);
    hq_store_close(s); /* no SQLite handle may cross a fork */

    static unsigned char acked[MAX_ACK];
    memset(acked, 0, sizeof acked);
    int total_acked = 0, killed_mid_run = 0;
    for (int round = 0; round < ROUNDS; round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            child(db, fds[1], seed + (unsigned)round);
        }
        close(fds[1]);
        usleep((useconds_t)(5000 + rand() % 120000));
        kill(pid, SIGKILL);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (WIFEXITED(status))
            fail_msg("round %d: child exited with %d instead of being killed", round,
                     WEXITSTATUS(status));
        killed_mid_run += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
        int32_t k;
        int round_acked = 0;
        while (read(fds[0], &k, sizeof k) == (ssize_t)sizeof k) {
            assert_true(k > 0 && k < MAX_ACK);
            if (acked[k]) fail_msg("round %d: number A%03d acknowledged twice", round, k);
            acked[k] = 1;
            round_acked++;
        }
        close(fds[0]);
        total_acked += round_acked;

        /* Reopen as a restarted server would and check. */
        s = hq_store_open(db, &why);
        if (!s) fail_msg("round %d: reopen: %s", round, why.message);
        struct hq_hall h;
        int64_t last_seq = -1;
        hq_hall_init(&h);
        if (s->vt->load(s, &h, DAY, &last_seq, &why) != 0)
            fail_msg("round %d: load: %s", round, why.message);
        static unsigned char seen[MAX_ACK];
        memset(seen, 0, sizeof seen);
        int32_t max = 0;
        for (size_t i = 0; i < h.n_tickets; i++) {
            const struct hq_ticket *t = &h.tickets[i];
            char num[HQ_NUMBER_MAX];
            assert_true(t->seq > 0 && t->seq < MAX_ACK);
            if (seen[t->seq]) fail_msg("round %d: number %s stored twice", round, t->number);
            seen[t->seq] = 1;
            hq_format_number(num, "A", t->seq);
            assert_string_equal(num, t->number);
            if (t->seq > max) max = t->seq;
        }
        for (int32_t i = 1; i < MAX_ACK; i++)
            if (acked[i] && !seen[i]) fail_msg("round %d: acknowledged A%03d is lost", round, i);
        assert_int_equal((int32_t)h.n_tickets, max); /* 1..max, no gap */
        assert_int_equal(last_seq, max);             /* one event per ticket, same commit */
        struct hq_service *pa = hq_service_find(&h, "A");
        assert_non_null(pa);
        if (max > 0) {
            assert_int_equal(pa->seq_day, DAY);
            assert_int_equal(pa->seq, max); /* the next child continues after it */
        }
        hq_hall_release(&h);
        hq_store_close(s);
    }
    fprintf(stderr, "crash test: %d rounds, %d killed mid-run, %d tickets acknowledged\n", ROUNDS,
            killed_mid_run, total_acked);
    assert_int_equal(killed_mid_run, ROUNDS);
    assert_true(total_acked > ROUNDS);
    nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_loses_nothing_acknowledged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
