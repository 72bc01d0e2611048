/* SPDX-License-Identifier: MIT */
/*
 * modules.c — the table of capabilities that hook into the app's life cycle (open, start, stop,
 * close, before each commit; struct hq__module in app_int.h), as git's table of builtins: app.c
 * walks it and names none of them. A new capability adds one line here.
 */
#include "app_int.h"

extern const struct hq__module hq__notify_module; /* uc_notify.c */
extern const struct hq__module hq__ops_module;    /* uc_ops_alert.c */

const struct hq__module *const hq__modules[] = {
    &hq__notify_module,
    &hq__ops_module,
    NULL,
};
