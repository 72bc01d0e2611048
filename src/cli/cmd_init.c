/* SPDX-License-Identifier: MIT */
/* cmd_init.c — placeholder until the command lands. */
#include <stdio.h>

#include "hq_cli.h"

int cmd_init(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hallq init: not available yet\n");
    return 1;
}
