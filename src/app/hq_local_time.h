/* SPDX-License-Identifier: MIT */
/*
 * hq_local_time.h — localtime_r(t) in the process's zone, memoised per thread by hour
 * (local_time.c): the same struct tm, at a fraction of the cost when the hour was seen before.
 * false when localtime_r fails (a time out of range). Whoever changes TZ calls tzset() before the
 * next conversion, as for localtime_r.
 */
#ifndef HQ_LOCAL_TIME_H
#define HQ_LOCAL_TIME_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

bool hq_local_time(int64_t t, struct tm *out);

#endif
