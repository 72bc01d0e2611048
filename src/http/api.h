/* SPDX-License-Identifier: MIT */
/* api.h — the handlers of the route table (routes.c), one group per api_<resource>.c file. */
#ifndef HQ_API_H
#define HQ_API_H

#include "hq_http.h"

int api_health(struct hq_app *a, struct hq_req *req, struct hq_res *res, struct hq_why *why);

#endif
