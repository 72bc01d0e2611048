/* SPDX-License-Identifier: MIT */
/*
 * fuzz_config.c — libFuzzer target for the command-line options and config files of hallq
 * (src/cli/cli_opts.c, compiled into this target since src/cli is not part of libhallq). The
 * input is written as a config file (on /dev/shm when it exists, so no disk I/O) and parsed by
 * hq_opts_parse with `hallq serve`'s flags, once alone and once with flags that override it.
 * Checks: no crash, leak or UB; at most HQ_OPT_MAX settings, each an allowed name with a
 * NUL-terminated value; a flag given on the command line wins over the file; and a file made only
 * of comments and blank lines sets nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/cli/cli_opts.c"

static const char *const allowed[] = {
    "db", "listen", "threads", "public-url", "static-dir", "public-issue-per-min", "help!", NULL};

static char cfg_path[256];
static FILE *devnull;

static void cleanup(void)
{
    if (cfg_path[0]) unlink(cfg_path);
}

static void init(void)
{
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(cfg_path, sizeof cfg_path, "%s/hq-fuzz-config-%ld.conf", dir, (long)getpid());
    devnull = fopen("/dev/null", "w");
    atexit(cleanup);
}

static bool is_allowed(const char *name)
{
    for (const char *const *a = allowed; *a; a++) {
        size_t l = strlen(*a);
        if ((*a)[l - 1] == '!') l--;
        if (strlen(name) == l && strncmp(*a, name, l) == 0) return true;
    }
    return false;
}

static void check(const struct hq_opts *o)
{
    if (o->n < 0 || o->n > HQ_OPT_MAX) abort();
    for (int i = 0; i < o->n; i++) {
        if (!o->name[i] || !is_allowed(o->name[i])) {
            fprintf(stderr, "setting %d has a name not allowed\n", i);
            abort();
        }
        if (o->value[i]) (void)strlen(o->value[i]);
    }
}

/* Every line blank or a comment ('#' after spaces and tabs)? */
static bool only_comments(const uint8_t *d, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && (d[j] == ' ' || d[j] == '\t'))
            j++;
        if (j < n && d[j] != '\n' && d[j] != '#') return false;
        while (j < n && d[j] != '\n')
            j++;
        i = j + 1;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!devnull) init();
    FILE *f = fopen(cfg_path, "w");
    if (!f) return 0;
    if (size) fwrite(data, 1, size, f);
    fclose(f);

    /* hq_opts_parse reports errors on stderr: silence the FILE (sanitizers write to fd 2). */
    FILE *saved = stderr;
    stderr = devnull;

    struct hq_opts *o = malloc(sizeof *o);
    char a0[] = "serve", a1[] = "--config", a3[] = "--db", a4[] = "/flag/wins.db";
    char *argv1[] = {a0, a1, cfg_path, NULL};
    int rc = hq_opts_parse(o, 3, argv1, allowed, "serve");
    stderr = saved;
    if (rc != 0 && rc != 2) abort();
    if (rc == 0) {
        check(o);
        if (o->n_positional != 0) abort();
        if (only_comments(data, size) && o->n != 0) {
            fprintf(stderr, "a file of comments and blank lines set %d option(s): '%s' = '%s'\n",
                    o->n, o->name[0], o->value[0] ? o->value[0] : "(null)");
            abort();
        }
    }

    char *argv2[] = {a0, a3, a4, a1, cfg_path, NULL};
    stderr = devnull;
    rc = hq_opts_parse(o, 5, argv2, allowed, "serve");
    stderr = saved;
    if (rc == 0) {
        check(o);
        const char *db = hq_opt(o, "db", NULL);
        if (!db || strcmp(db, "/flag/wins.db") != 0) {
            fprintf(stderr, "the --db flag lost to the file: db = '%s'\n", db ? db : "(null)");
            abort();
        }
    }
    free(o);
    return 0;
}
