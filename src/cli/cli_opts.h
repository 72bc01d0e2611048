/* SPDX-License-Identifier: MIT */
/*
 * cli_opts.h — the flags of the hallq commands: `--name value` or `--name=value`, read after the
 * settings of a `--config FILE` (lines `name = value`, `#` comments), so flags win over the file.
 * Values point into argv or into the struct's own storage; nothing to free but the struct.
 */
#ifndef HQ_CLI_OPTS_H
#define HQ_CLI_OPTS_H

#include <stdbool.h>

#define HQ_OPT_MAX 24

struct hq_opts {
    int n;
    const char *name[HQ_OPT_MAX];
    const char *value[HQ_OPT_MAX];
    char store[HQ_OPT_MAX][2][256]; /* copies of config-file settings */
    const char *positional[4];
    int n_positional;
    bool help;
};

/* Parse argv (argv[0] is the command name). allowed: NULL-terminated flag names without "--";
 * flags taking no value are listed with a trailing '!' ("help!"). Returns 0, or 2 after printing
 * the error to stderr. */
int hq_opts_parse(struct hq_opts *o, int argc, char **argv, const char *const *allowed,
                  const char *cmd);
/* The value of a flag, or def. */
const char *hq_opt(const struct hq_opts *o, const char *name, const char *def);

#endif
