/* SPDX-License-Identifier: MIT */
/* cmd_plan.c — placeholder until the command lands. */
#include <stdio.h>

#include "hq_cli.h"

int cmd_plan(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hallq plan: not available yet\n");
    return 1;
}
