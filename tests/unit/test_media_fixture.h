/* SPDX-License-Identifier: MIT */
/*
 * test_media_fixture.h — helpers shared by the media unit tests that write files and read them
 * back with real tools (tests/unit/test_media_qr.c, test_media_ticket.c, test_media_voice.c): a
 * temporary folder per test (tmpdir, made and removed by the cmocka setup and teardown) and
 * need_program, failing clearly when a decoder is not installed. Header-only, static functions.
 */
#ifndef TEST_MEDIA_FIXTURE_H
#define TEST_MEDIA_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>

static char tmpdir[64];

/* A fresh folder /tmp/hq-test-<tag>-XXXXXX into tmpdir: 0, or -1 (for a cmocka setup). */
static inline int mfx_tmpdir(const char *tag)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hq-test-%s-XXXXXX", tag);
    return mkdtemp(tmpdir) ? 0 : -1;
}

/* Remove tmpdir and what is in it: 0, or -1 (for a cmocka teardown). */
static inline int mfx_rmdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Fail the test unless the program is on the PATH. */
static inline void need_program(const char *name)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
    if (system(cmd) != 0) fail_msg("%s not installed (scripts/setup.sh installs it)", name);
}

#endif
