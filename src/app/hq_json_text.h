/* SPDX-License-Identifier: MIT */
/*
 * hq_json_text.h — the compact JSON text of a value the server built (json_text.c): the same bytes
 * as json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(real_precision)), at a fraction of its cost.
 * Used for every API answer and every event. The caller owns the text (free); NULL when jansson's
 * dump would fail too (a root that is not an array or object, a string that is not UTF-8, a real
 * that is not finite), when the value is
 * nested deeper than HQ_JSON_TEXT_MAX_DEPTH, or out of memory. real_precision 0 means 17 digits.
 */
#ifndef HQ_JSON_TEXT_H
#define HQ_JSON_TEXT_H

#include <jansson.h>

#define HQ_JSON_TEXT_MAX_DEPTH 2048 /* jansson parses no deeper */

char *hq_json_text(const json_t *v, int real_precision);

#endif
