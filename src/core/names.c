/* SPDX-License-Identifier: MIT */
/*
 * names.c — the API's strings for the core's enums, both ways. The strings are part of the HTTP
 * contract (API.md): changing one breaks clients. Out-of-range values name themselves "unknown".
 */
#include <string.h>

#include "hq_core.h"

static const char *const status_names[HQ_STATUS_COUNT_] = {
    "waiting", "called", "serving", "done", "no_show", "cancelled", "expired",
};
static const char *const category_names[HQ_CATEGORY_COUNT_] = {"normal", "priority", "appointment"};
static const char *const channel_names[HQ_CHANNEL_COUNT_] = {"kiosk", "guide", "web", "phone"};
static const char *const win_state_names[HQ_WIN_STATE_COUNT_] = {"closed", "open", "paused"};
static const char *const role_names[HQ_ROLE_COUNT_] = {"none", "admin", "manager", "clerk",
                                                       "guide"};

static const char *name_of(const char *const *names, int n, int v)
{
    return (v >= 0 && v < n) ? names[v] : "unknown";
}

static int parse_in(const char *const *names, int first, int n, const char *s)
{
    if (!s) return -1;
    for (int i = first; i < n; i++)
        if (strcmp(names[i], s) == 0) return i;
    return -1;
}

const char *hq_status_name(enum hq_status s)
{
    return name_of(status_names, HQ_STATUS_COUNT_, (int)s);
}
const char *hq_category_name(enum hq_category c)
{
    return name_of(category_names, HQ_CATEGORY_COUNT_, (int)c);
}
const char *hq_channel_name(enum hq_channel c)
{
    return name_of(channel_names, HQ_CHANNEL_COUNT_, (int)c);
}
const char *hq_win_state_name(enum hq_win_state s)
{
    return name_of(win_state_names, HQ_WIN_STATE_COUNT_, (int)s);
}
const char *hq_role_name(enum hq_role r)
{
    return name_of(role_names, HQ_ROLE_COUNT_, (int)r);
}

int hq_status_parse(const char *s)
{
    return parse_in(status_names, 0, HQ_STATUS_COUNT_, s);
}
int hq_category_parse(const char *s)
{
    return parse_in(category_names, 0, HQ_CATEGORY_COUNT_, s);
}
int hq_channel_parse(const char *s)
{
    return parse_in(channel_names, 0, HQ_CHANNEL_COUNT_, s);
}
/* "none" is not a role anyone can be given. */
int hq_role_parse(const char *s)
{
    return parse_in(role_names, 1, HQ_ROLE_COUNT_, s);
}
