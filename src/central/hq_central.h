/* SPDX-License-Identifier: MIT */
/*
 * hq_central.h — many halls, one picture: each hall ships its event log to a central PostgreSQL
 * database (head office), which keeps every hall's events side by side. Shipping is incremental,
 * in order, idempotent and resumable: the central side records, in the same transaction as a
 * batch of events, the last sequence number it holds for that hall, and every event is keyed by
 * (hall, seq), so a shipper killed mid-batch or a link cut at any moment neither loses nor counts
 * twice; the next run starts after what the central side committed. The hall never waits for
 * head office: shipping reads the hall's store through its own read-only handle.
 *
 * Ownership: hq_central_open returns a connection the caller closes with hq_central_close. The
 * local store is borrowed.
 */
#ifndef HQ_CENTRAL_H
#define HQ_CENTRAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/hq_core.h"

struct hq_store;
struct hq_central;

struct hq_central_stats {
    int64_t shipped;     /* events sent and committed by this call */
    int64_t central_seq; /* the last sequence number head office holds for the hall afterwards */
    int64_t local_seq;   /* the last sequence number of the hall's own log when it looked */
    int batches;
};

/* Connect to the central database (a postgresql:// URL) and create its tables if missing:
 * halls(hall, name, last_seq, local_seq, last_sync) and hall_events(hall, seq, t, actor, type,
 * data), primary key (hall, seq), with the indexes head office's views use. Each ship records
 * how far the hall's own log goes (local_seq) and the time (last_sync), even with nothing to ship:
 * the lag and a heartbeat. NULL and why filled when it cannot. */
struct hq_central *hq_central_open(const char *url, struct hq_why *why);
void hq_central_close(struct hq_central *c);

/* Ship the events of local after what head office holds for hall (1-64 characters of
 * [A-Za-z0-9_.-]), batch events per transaction (1-10000), until the local log is exhausted.
 * name: the hall's display name, recorded beside its id. 0, HQ_EINVAL (bad hall id), HQ_ESTORE
 * (local store) or HQ_EINTERNAL/HQ_ESTORE with why (central link down): what was committed
 * before the failure stays, and st says how far it got. */
int hq_central_ship(struct hq_central *c, struct hq_store *local, const char *hall,
                    const char *name, int batch, struct hq_central_stats *st, struct hq_why *why);

/* ---- head office's views (central_query.c) ----
 * Figures computed in SQL from the shipped events, in the time zone tz (an IANA name such as
 * "Asia/Shanghai"): a ticket is (hall, local day, number); its wait runs from ticket.issued to the
 * first ticket.called, its service from the first ticket.started to the first ticket.finished;
 * satisfaction is from evaluation.recorded (level 1-5; 1-2 is a bad review). Every answer is a
 * new JSON object the caller releases; NULL and why (HQ_EINVAL, HQ_ENOTFOUND, HQ_ESTORE) when not.
 * Call hq_central_views_prepare once after hq_central_open. */

int hq_central_views_prepare(struct hq_central *c, const char *tz, struct hq_why *why);
/* Today, every hall side by side: tickets issued, served, waiting, median wait and service,
 * windows open, bad-review share, last sync and lag; silent when not heard from in silent_s. */
json_t *hq_central_overview(struct hq_central *c, const char *tz, int silent_s, struct hq_why *why);
/* Days from..to (YYYY-MM-DD, at most 366 days): per hall and in total, tickets, waits, service
 * times, satisfaction and what the events tell of compliance (waits within target_s …). */
json_t *hq_central_period(struct hq_central *c, const char *tz, const char *from, const char *to,
                          int target_s, struct hq_why *why);
/* One hall over from..to: its services, windows and days. */
json_t *hq_central_hall(struct hq_central *c, const char *tz, const char *hall, const char *from,
                        const char *to, struct hq_why *why);
/* A YYYY-MM-DD period check shared by the above and the HTTP layer: 0 or HQ_EINVAL. */
int hq_central_check_period(const char *from, const char *to, struct hq_why *why);

#endif
