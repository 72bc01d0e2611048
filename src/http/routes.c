/* SPDX-License-Identifier: MIT */
/*
 * routes.c — the API route table: method, pattern, handler, roles, flags and a summary. The server
 * dispatches from it and the OpenAPI test checks docs/openapi.json against it. Handlers live in
 * api_*.c and are thin callers of src/app.
 */
#include "hq_http.h"
#include "api.h"

#define STAFF HQ_R_STAFF
#define ADMIN HQ_R(HQ_ROLE_ADMIN)
#define MGR (HQ_R(HQ_ROLE_ADMIN) | HQ_R(HQ_ROLE_MANAGER))

const struct hq_route hq_routes[] = {
    {"GET", "/api/v1/health", api_health, 0, 0, "Liveness"},
    {NULL, NULL, NULL, 0, 0, NULL},
};
