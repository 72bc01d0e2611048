/* SPDX-License-Identifier: MIT */
/*
 * routes.c — the API route table. It is generated at build time by tools/gen_api.c from the
 * declarative description in api/ (api/routes/NNN-<group>.json, one entry per route: method,
 * path, handler, roles, rate-limit class, request and response schemas, error codes, summaries
 * in Chinese and English, an example), which also gives the OpenAPI document served at
 * /api/v1/openapi.json and rendered at /api/docs. So the router, the role checks and the
 * document cannot disagree. The server dispatches from hq_routes (authentication and roles are
 * checked there, before the handler); /api/v1/events (SSE) is described in api/ but served by
 * sse.c.
 *
 * To add a route: write the handler (HQ_API(api_<name>) in an api_<resource>.c file, declared in
 * api.h), then add one entry to the right file of api/routes/ — copy a neighbour; the keys are
 * described in docs/API.md ("The route description") — and rebuild. Roles: "public", "staff", or
 * a list of "admin", "manager", "clerk", "guide", plus "device" for a registered device (then a
 * generated gate checks, as the server lets the request through as public). Every JSON request
 * body and JSON answer has a schema; shared shapes are components in api/openapi-base.json. The
 * API tests validate every answer against the served document, so an undocumented status or
 * field shape fails them.
 */
#include "api.h"
#include "hq_http.h"

#include "routes.gen.inc"
