/* SPDX-License-Identifier: MIT */
/*
 * central_int.h — private to src/central: the connection behind a struct hq_central, shared by
 * the shipper (ship.c) and head office's views (central_query.c, central_http.c).
 */
#ifndef HQ_CENTRAL_INT_H
#define HQ_CENTRAL_INT_H

#include <libpq-fe.h>

struct hq_central {
    PGconn *conn;
};

PGconn *hq__central_conn(struct hq_central *c);

#endif
