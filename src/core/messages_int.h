/* SPDX-License-Identifier: MIT */
/*
 * messages_int.h — the data of the message catalogue (messages_table.c) as messages.c and the
 * tests see it.
 */
#ifndef HQ_MESSAGES_INT_H
#define HQ_MESSAGES_INT_H

#include <stddef.h>

#include "hq_core.h"

/* A word of the API said in Chinese when it is the value of a translated parameter ("status",
 * "action", "field" …). name: the parameter it applies to, NULL for any of them. */
struct hq_phrase {
    const char *name;
    const char *en;
    const char *zh;
};

extern const struct hq_msg hq__msg_table[];
extern const size_t hq__msg_count;
extern const struct hq_phrase hq__phrase_table[];
extern const size_t hq__phrase_count;

#endif
