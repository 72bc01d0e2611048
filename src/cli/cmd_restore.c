/* SPDX-License-Identifier: MIT */
/* cmd_restore.c — placeholder until the command lands. */
#include <stdio.h>

#include "hq_cli.h"

int cmd_restore(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hallq restore: not available yet\n");
    return 1;
}
