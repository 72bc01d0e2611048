/* SPDX-License-Identifier: MIT */
/*
 * cli_out.c — writing a command's output file (hallq report, hallq compliance): to stdout for
 * "-" (or no path), else beside the destination (path.tmp-PID), flushed, fsynced and renamed over
 * it, so the file appears whole or not at all; the temporary file is removed on failure.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hq_cli.h"

int hq_cli_write_out(const char *path, const unsigned char *data, size_t len)
{
    if (!path || strcmp(path, "-") == 0) return fwrite(data, 1, len, stdout) == len ? 0 : -1;
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof tmp) return -1;
    FILE *f = fopen(tmp, "wb");
    if (!f) return -1;
    bool ok = fwrite(data, 1, len, f) == len;
    ok = fflush(f) == 0 && ok;
    ok = fsync(fileno(f)) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}
