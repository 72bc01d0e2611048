/* SPDX-License-Identifier: MIT */
/* cmd_erlang.c — placeholder until the command lands. */
#include <stdio.h>

#include "hq_cli.h"

int cmd_erlang(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hallq erlang: not available yet\n");
    return 1;
}
