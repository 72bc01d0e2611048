/* SPDX-License-Identifier: MIT */
/* cmd_simulate.c — placeholder until the command lands. */
#include <stdio.h>

#include "hq_cli.h"

int cmd_simulate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hallq simulate: not available yet\n");
    return 1;
}
