/* SPDX-License-Identifier: MIT */
/* cmd_demo.c — placeholder until the command lands. */
#include <stdio.h>

#include "hq_cli.h"

int cmd_demo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hallq demo: not available yet\n");
    return 1;
}
