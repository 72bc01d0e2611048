/* SPDX-License-Identifier: MIT */
/* cmd_serve.c — placeholder until the command lands. */
#include <stdio.h>

#include "hq_cli.h"

int cmd_serve(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hallq serve: not available yet\n");
    return 1;
}
