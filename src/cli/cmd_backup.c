/* SPDX-License-Identifier: MIT */
/* cmd_backup.c — placeholder until the command lands. */
#include <stdio.h>

#include "hq_cli.h"

int cmd_backup(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hallq backup: not available yet\n");
    return 1;
}
