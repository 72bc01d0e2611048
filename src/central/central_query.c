/* SPDX-License-Identifier: MIT */
/*
 * central_query.c — head office's figures, aggregated in SQL on the central PostgreSQL database
 * from the events the halls shipped (hall_events), with prepared statements only. A ticket is
 * the group (hall, local day, number) of its ticket.* events; waits, service times, the last
 * status and the window that finished it come from that group. Counts are per hall and in total
 * (GROUPING SETS); medians and percentiles of the total are over every ticket of every hall, not
 * an average of the halls' medians. Rows become JSON objects keyed by column name, numbers typed
 * by the column's type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "central_int.h"
#include "hq_central.h"

/* The period [f, u) in epoch seconds from $2..$3 (dates) in zone $1, and the tickets in it. */
#define PERIOD_CTE                                                                                 \
    "b AS (SELECT extract(epoch FROM ($2::date)::timestamp AT TIME ZONE $1)::bigint AS f,"         \
    " extract(epoch FROM ($3::date + 1)::timestamp AT TIME ZONE $1)::bigint AS u),"

#define TICKETS_CTE(HALLCOND)                                                                      \
    "tk AS (SELECT e.hall, (to_timestamp(e.t) AT TIME ZONE $1)::date AS day,"                      \
    " e.data->>'number' AS num,"                                                                   \
    " min(e.t) FILTER (WHERE e.type = 'ticket.issued') AS issued,"                                 \
    " min(e.t) FILTER (WHERE e.type = 'ticket.called') AS called,"                                 \
    " min(e.t) FILTER (WHERE e.type = 'ticket.started') AS started,"                               \
    " min(e.t) FILTER (WHERE e.type = 'ticket.finished') AS finished,"                             \
    " (array_agg(e.data->>'status' ORDER BY e.seq DESC))[1] AS status,"                            \
    " (array_agg(e.data->>'service' ORDER BY e.seq))[1] AS service,"                               \
    " (array_agg(e.data->>'window' ORDER BY e.seq DESC) FILTER (WHERE e.type ="                    \
    " 'ticket.finished'))[1] AS win"                                                               \
    " FROM hall_events e, b WHERE e.type = ANY ('{ticket.issued,ticket.called,ticket.started,"     \
    "ticket.finished,ticket.no_show,ticket.cancelled,ticket.expired,ticket.requeued,"              \
    "ticket.transferred,ticket.recalled}'::text[]) AND e.t >= b.f AND e.t < b.u " HALLCOND         \
    " GROUP BY 1, 2, 3),"

/* The same tickets for a period over many halls, without the ordered aggregates (status,
 * service, window), so PostgreSQL can hash them instead of sorting every event: the last status
 * is told only for no-shows (the last event of the ticket is its ticket.no_show). */
#define TICKETS_LIGHT_CTE                                                                          \
    "tk AS (SELECT e.hall, (to_timestamp(e.t) AT TIME ZONE $1)::date AS day,"                      \
    " e.data->>'number' AS num,"                                                                   \
    " min(e.t) FILTER (WHERE e.type = 'ticket.issued') AS issued,"                                 \
    " min(e.t) FILTER (WHERE e.type = 'ticket.called') AS called,"                                 \
    " min(e.t) FILTER (WHERE e.type = 'ticket.started') AS started,"                               \
    " min(e.t) FILTER (WHERE e.type = 'ticket.finished') AS finished,"                             \
    " CASE WHEN max(e.seq) FILTER (WHERE e.type = 'ticket.no_show') = max(e.seq) THEN"             \
    " 'no_show' END AS status"                                                                     \
    " FROM hall_events e, b WHERE e.type = ANY ('{ticket.issued,ticket.called,ticket.started,"     \
    "ticket.finished,ticket.no_show,ticket.cancelled,ticket.expired,ticket.requeued,"              \
    "ticket.transferred,ticket.recalled}'::text[]) AND e.t >= b.f AND e.t < b.u"                   \
    " GROUP BY 1, 2, 3),"

/* The figures of a group of tickets (used with GROUP BY). */
#define TICKET_FIGURES                                                                             \
    " count(issued) AS tickets, count(*) FILTER (WHERE issued IS NOT NULL AND finished IS NOT"     \
    " NULL) AS served,"                                                                            \
    " count(*) FILTER (WHERE issued IS NOT NULL AND status = 'waiting') AS waiting,"               \
    " count(*) FILTER (WHERE issued IS NOT NULL AND status = 'no_show') AS no_show,"               \
    " round(percentile_cont(0.5) WITHIN GROUP (ORDER BY called - issued) FILTER (WHERE called >="  \
    " issued)) ::bigint AS median_wait_s,"                                                         \
    " round(avg(called - issued) FILTER (WHERE called >= issued))::bigint AS mean_wait_s,"         \
    " round(percentile_cont(0.9) WITHIN GROUP (ORDER BY called - issued) FILTER (WHERE called >="  \
    " issued))::bigint AS p90_wait_s,"                                                             \
    " count(*) FILTER (WHERE called >= issued) AS waited,"                                         \
    " round(percentile_cont(0.5) WITHIN GROUP (ORDER BY finished - started) FILTER (WHERE"         \
    " finished >= started))::bigint AS median_service_s,"                                          \
    " round(avg(finished - started) FILTER (WHERE finished >= started))::bigint AS"                \
    " mean_service_s"

#define SAT_CTE(HALLCOND, GROUPING)                                                                \
    "s AS (SELECT hall, count(*) AS rated, round(avg(lv), 2)::float8 AS mean_level,"               \
    " count(*) FILTER (WHERE lv >= 4) AS good, count(*) FILTER (WHERE lv <= 2) AS bad " GROUPING   \
    " FROM (SELECT e.hall, (e.data->>'level')::int AS lv FROM hall_events e, b WHERE e.type ="     \
    " 'evaluation.recorded' AND e.t >= b.f AND e.t < b.u " HALLCOND ") x"

static const char SQL_PERIOD[] =
    "WITH " PERIOD_CTE TICKETS_LIGHT_CTE "k AS (SELECT hall, GROUPING(hall) AS g," TICKET_FIGURES
    ", count(*) FILTER (WHERE called >= issued AND called - issued <= $4::int) AS within_target"
    " FROM tk GROUP BY GROUPING SETS ((hall), ()))," SAT_CTE(
        "", ", GROUPING(hall) AS g") " GROUP BY GROUPING SETS ((hall), ())),"
                                     "o AS (SELECT e.hall, GROUPING(e.hall) AS g,"
                                     " count(*) FILTER (WHERE e.type = 'complaint.received') AS "
                                     "complaints,"
                                     " count(*) FILTER (WHERE e.type = 'case.opened') AS "
                                     "cases_opened,"
                                     " count(*) FILTER (WHERE e.type = 'alert.case_overdue') AS "
                                     "cases_overdue,"
                                     " count(*) FILTER (WHERE e.type = 'help.requested') AS "
                                     "help_requests,"
                                     " count(*) FILTER (WHERE e.type = 'ops.incident' AND "
                                     "e.data->>'action' = 'open') AS incidents,"
                                     " count(*) FILTER (WHERE e.type = 'hall.suspended') AS "
                                     "suspensions,"
                                     " count(*) FILTER (WHERE e.type = 'alert.certification') AS "
                                     "certification_alerts,"
                                     " count(*) FILTER (WHERE e.type = 'alert.crowding') AS "
                                     "crowding_alerts"
                                     " FROM hall_events e, b WHERE e.type = ANY "
                                     "('{complaint.received,case.opened,"
                                     "alert.case_overdue,help.requested,ops.incident,hall."
                                     "suspended,alert.certification,"
                                     "alert.crowding}'::text[]) AND e.t >= b.f AND e.t < b.u GROUP "
                                     "BY GROUPING SETS ((e.hall), ())),"
                                     "r AS (SELECT h.hall, h.name, 0 AS g FROM halls h UNION ALL "
                                     "SELECT NULL, NULL, 1)"
                                     " SELECT r.hall, r.name, coalesce(k.tickets, 0) AS tickets, "
                                     "coalesce(k.served, 0) AS served,"
                                     " coalesce(k.no_show, 0) AS no_show, k.median_wait_s, "
                                     "k.mean_wait_s, k.p90_wait_s,"
                                     " coalesce(k.waited, 0) AS waited, coalesce(k.within_target, "
                                     "0) AS within_target,"
                                     " k.median_service_s, k.mean_service_s, coalesce(s.rated, 0) "
                                     "AS rated, s.mean_level,"
                                     " coalesce(s.good, 0) AS good, coalesce(s.bad, 0) AS bad,"
                                     " coalesce(o.complaints, 0) AS complaints, "
                                     "coalesce(o.cases_opened, 0) AS cases_opened,"
                                     " coalesce(o.cases_overdue, 0) AS cases_overdue, "
                                     "coalesce(o.help_requests, 0) AS"
                                     " help_requests, coalesce(o.incidents, 0) AS incidents, "
                                     "coalesce(o.suspensions, 0) AS"
                                     " suspensions, coalesce(o.certification_alerts, 0) AS "
                                     "certification_alerts,"
                                     " coalesce(o.crowding_alerts, 0) AS crowding_alerts"
                                     " FROM r LEFT JOIN k ON k.g = r.g AND (r.g = 1 OR k.hall = "
                                     "r.hall)"
                                     " LEFT JOIN s ON s.g = r.g AND (r.g = 1 OR s.hall = r.hall)"
                                     " LEFT JOIN o ON o.g = r.g AND (r.g = 1 OR o.hall = r.hall)"
                                     " ORDER BY r.g, r.hall";

/* Today in zone $1 ($2 = $3 = today's date, given by the caller's own clock through SQL). */
static const char SQL_OVERVIEW[] =
    "WITH d AS (SELECT (now() AT TIME ZONE $1)::date AS today),"
    "b AS (SELECT extract(epoch FROM d.today::timestamp AT TIME ZONE $1)::bigint AS f,"
    " extract(epoch FROM (d.today + 1)::timestamp AT TIME ZONE $1)::bigint AS u FROM "
    "d)," TICKETS_CTE(
        "") "k AS (SELECT hall, GROUPING(hall) AS g," TICKET_FIGURES
            " FROM tk GROUP BY GROUPING SETS ((hall), ()))," SAT_CTE(
                "", ", GROUPING(hall) AS g") " GROUP BY GROUPING SETS ((hall), ())),"
                                             "w AS (SELECT hall, GROUPING(hall) AS g, count(*) "
                                             "FILTER (WHERE state = 'open') AS"
                                             " windows_open, count(*) FILTER (WHERE state = "
                                             "'paused') AS windows_paused FROM (SELECT"
                                             " DISTINCT ON (e.hall, e.data->>'window') e.hall, "
                                             "e.data->>'state' AS state FROM hall_events e,"
                                             " b WHERE e.type = ANY "
                                             "('{window.opened,window.closed,window.paused,window."
                                             "resumed}'::text[])"
                                             " AND e.t >= b.f AND e.t < b.u ORDER BY e.hall, "
                                             "e.data->>'window', e.seq DESC) x"
                                             " GROUP BY GROUPING SETS ((hall), ())),"
                                             "r AS (SELECT h.hall, h.name, 0 AS g, h.last_seq, "
                                             "h.local_seq, h.last_sync FROM halls h"
                                             " UNION ALL SELECT NULL, NULL, 1, NULL, NULL, NULL)"
                                             " SELECT r.hall, r.name, (SELECT today FROM d)::text "
                                             "AS today,"
                                             " coalesce(k.tickets, 0) AS tickets, "
                                             "coalesce(k.served, 0) AS served,"
                                             " coalesce(k.waiting, 0) AS waiting, k.median_wait_s, "
                                             "k.median_service_s,"
                                             " coalesce(w.windows_open, 0) AS windows_open, "
                                             "coalesce(w.windows_paused, 0) AS"
                                             " windows_paused, coalesce(s.rated, 0) AS rated, "
                                             "coalesce(s.bad, 0) AS bad, s.mean_level,"
                                             " r.last_seq, to_char(r.last_sync AT TIME ZONE 'UTC', "
                                             "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS"
                                             " last_sync, greatest(r.local_seq - r.last_seq, 0) AS "
                                             "lag_events,"
                                             " floor(extract(epoch FROM now() - "
                                             "r.last_sync))::bigint AS lag_s,"
                                             " (SELECT x.t FROM hall_events x WHERE x.hall = "
                                             "r.hall ORDER BY x.seq DESC LIMIT 1) AS"
                                             " newest_event_t,"
                                             " (r.g = 0 AND (r.last_sync IS NULL OR now() - "
                                             "r.last_sync > make_interval(secs =>"
                                             " $2::int))) AS silent"
                                             " FROM r LEFT JOIN k ON k.g = r.g AND (r.g = 1 OR "
                                             "k.hall = r.hall)"
                                             " LEFT JOIN s ON s.g = r.g AND (r.g = 1 OR s.hall = "
                                             "r.hall)"
                                             " LEFT JOIN w ON w.g = r.g AND (r.g = 1 OR w.hall = "
                                             "r.hall)"
                                             " ORDER BY r.g, r.hall";

static const char SQL_HALL_SERVICES[] = "WITH " PERIOD_CTE TICKETS_CTE(
    "AND e.hall = $4") "z AS (SELECT 1)"
                       " SELECT service," TICKET_FIGURES
                       " FROM tk WHERE service IS NOT NULL GROUP BY service"
                       " ORDER BY service";

static const char SQL_HALL_WINDOWS[] = "WITH " PERIOD_CTE TICKETS_CTE(
    "AND e.hall = $4") "z AS (SELECT 1)"
                       " SELECT win::int AS window, count(*) AS served,"
                       " round(percentile_cont(0.5) WITHIN GROUP (ORDER BY finished - started) "
                       "FILTER (WHERE"
                       " finished >= started))::bigint AS median_service_s,"
                       " round(avg(finished - started) FILTER (WHERE finished >= started))::bigint "
                       "AS"
                       " mean_service_s FROM tk WHERE win IS NOT NULL GROUP BY win::int ORDER BY 1";

static const char SQL_HALL_DAYS[] = "WITH " PERIOD_CTE TICKETS_CTE(
    "AND e.hall = $4") "k AS (SELECT day," TICKET_FIGURES " FROM tk GROUP BY day),"
                       "s AS (SELECT (to_timestamp(e.t) AT TIME ZONE $1)::date AS day, count(*) AS "
                       "rated,"
                       " round(avg((e.data->>'level')::int), 2)::float8 AS mean_level,"
                       " count(*) FILTER (WHERE (e.data->>'level')::int <= 2) AS bad FROM "
                       "hall_events e, b"
                       " WHERE e.type = 'evaluation.recorded' AND e.t >= b.f AND e.t < b.u AND "
                       "e.hall = $4"
                       " GROUP BY 1)"
                       " SELECT coalesce(k.day, s.day)::text AS day, coalesce(k.tickets, 0) AS "
                       "tickets,"
                       " coalesce(k.served, 0) AS served, coalesce(k.no_show, 0) AS no_show, "
                       "k.median_wait_s,"
                       " k.mean_wait_s, k.median_service_s, coalesce(s.rated, 0) AS rated, "
                       "s.mean_level,"
                       " coalesce(s.bad, 0) AS bad FROM k FULL JOIN s ON s.day = k.day ORDER BY 1";

static const char SQL_HALL_ONE[] =
    "SELECT hall, name, last_seq, to_char(last_sync AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS last_sync FROM halls WHERE hall = $1";

static int q_fail(struct hq_central *c, struct hq_why *why)
{
    char msg[200];
    snprintf(msg, sizeof msg, "%s", PQerrorMessage(c->conn));
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = 0;
    return hq_fail(why, HQ_ESTORE, "", "head office database: %s: %s", "cannot read", msg);
}

int hq_central_views_prepare(struct hq_central *c, const char *tz, struct hq_why *why)
{
    static const struct {
        const char *name, *sql;
        int n;
    } st[] = {{"v_period", SQL_PERIOD, 4},
              {"v_overview", SQL_OVERVIEW, 2},
              {"v_services", SQL_HALL_SERVICES, 4},
              {"v_windows", SQL_HALL_WINDOWS, 4},
              {"v_days", SQL_HALL_DAYS, 4},
              {"v_one", SQL_HALL_ONE, 1},
              {"v_tz", "SELECT now() AT TIME ZONE $1", 1}};
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++) {
        PGresult *r = PQprepare(c->conn, st[i].name, st[i].sql, st[i].n, NULL);
        bool good = r && PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!good) return q_fail(c, why);
    }
    /* a period's tickets of hundreds of halls are grouped in memory rather than on disk */
    PGresult *wm = PQexec(c->conn, "SET work_mem = '64MB'");
    PQclear(wm);
    const char *v[1] = {tz};
    PGresult *r = PQexecPrepared(c->conn, "v_tz", 1, v, NULL, NULL, 0);
    bool good = r && PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    if (!good)
        return hq_fail(why, HQ_EINVAL, "tz", "tz: '%s' is not a time zone PostgreSQL knows", tz);
    return 0;
}

/* A cell as JSON by its column's type: integers, floats, booleans, text; NULL as null. */
static json_t *cell(PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col)) return json_null();
    const char *v = PQgetvalue(r, row, col);
    switch (PQftype(r, col)) {
    case 20: /* int8 */
    case 21: /* int2 */
    case 23: /* int4 */
        return json_integer(strtoll(v, NULL, 10));
    case 700:  /* float4 */
    case 701:  /* float8 */
    case 1700: /* numeric */
        return json_real(strtod(v, NULL));
    case 16: /* bool */
        return json_boolean(v[0] == 't');
    default:
        return json_string(v);
    }
}

static json_t *row_obj(PGresult *r, int row, int from_col)
{
    json_t *o = json_object();
    for (int col = from_col; col < PQnfields(r); col++)
        json_object_set_new(o, PQfname(r, col), cell(r, row, col));
    return o;
}

static PGresult *run(struct hq_central *c, const char *stmt, int n, const char *const *v,
                     struct hq_why *why)
{
    PGresult *r = PQexecPrepared(c->conn, stmt, n, v, NULL, NULL, 0);
    if (r && PQresultStatus(r) == PGRES_TUPLES_OK) return r;
    PQclear(r);
    q_fail(c, why);
    return NULL;
}

static bool parse_date(const char *s, struct tm *tm)
{
    int y, m, d;
    char extra;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3) return false;
    if (s[4] != '-' || s[7] != '-' || y < 2000 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    memset(tm, 0, sizeof *tm);
    tm->tm_year = y - 1900;
    tm->tm_mon = m - 1;
    tm->tm_mday = d;
    tm->tm_hour = 12;
    time_t t = timegm(tm);
    struct tm back;
    gmtime_r(&t, &back);
    return back.tm_mday == d && back.tm_mon == m - 1; /* 2026-02-30 is no date */
}

int hq_central_check_period(const char *from, const char *to, struct hq_why *why)
{
    struct tm a, b;
    if (!parse_date(from, &a)) return hq_fail(why, HQ_EINVAL, "from", "from: a date YYYY-MM-DD");
    if (!parse_date(to, &b)) return hq_fail(why, HQ_EINVAL, "to", "to: a date YYYY-MM-DD");
    double days = difftime(timegm(&b), timegm(&a)) / 86400.0;
    if (days < 0) return hq_fail(why, HQ_EINVAL, "to", "to: not before from");
    if (days > 365) return hq_fail(why, HQ_EINVAL, "to", "to: a period of at most %d days", 366);
    return 0;
}

/* Rows with a hall id go to halls; the row whose hall is NULL is the total. */
static json_t *split_halls(PGresult *r)
{
    json_t *halls = json_array(), *totals = json_object();
    for (int i = 0; i < PQntuples(r); i++) {
        if (PQgetisnull(r, i, 0)) {
            json_decref(totals);
            totals = row_obj(r, i, 2);
        } else {
            json_array_append_new(halls, row_obj(r, i, 0));
        }
    }
    return json_pack("{s:o,s:o}", "halls", halls, "totals", totals);
}

json_t *hq_central_overview(struct hq_central *c, const char *tz, int silent_s, struct hq_why *why)
{
    char s[16];
    snprintf(s, sizeof s, "%d", silent_s);
    const char *v[2] = {tz, s};
    PGresult *r = run(c, "v_overview", 2, v, why);
    if (!r) return NULL;
    json_t *out = split_halls(r);
    json_object_set_new(out, "today", json_string(PQntuples(r) ? PQgetvalue(r, 0, 2) : ""));
    json_object_set_new(out, "tz", json_string(tz));
    json_object_set_new(out, "silent_after_s", json_integer(silent_s));
    json_object_del(json_object_get(out, "totals"), "today");
    size_t i;
    json_t *h;
    int silent = 0;
    json_array_foreach(json_object_get(out, "halls"), i, h)
    {
        json_object_del(h, "today");
        silent += json_is_true(json_object_get(h, "silent"));
    }
    json_t *tot = json_object_get(out, "totals");
    json_object_set_new(tot, "silent", json_integer(silent));
    json_object_set_new(tot, "halls",
                        json_integer((json_int_t)json_array_size(json_object_get(out, "halls"))));
    for (const char *const *k = (const char *const[]){"last_seq", "last_sync", "lag_events",
                                                      "lag_s", "newest_event_t", NULL};
         *k; k++)
        json_object_del(tot, *k);
    PQclear(r);
    return out;
}

json_t *hq_central_period(struct hq_central *c, const char *tz, const char *from, const char *to,
                          int target_s, struct hq_why *why)
{
    if (hq_central_check_period(from, to, why) != 0) return NULL;
    char ts[16];
    snprintf(ts, sizeof ts, "%d", target_s);
    const char *v[4] = {tz, from, to, ts};
    PGresult *r = run(c, "v_period", 4, v, why);
    if (!r) return NULL;
    json_t *out = split_halls(r);
    PQclear(r);
    json_object_set_new(out, "from", json_string(from));
    json_object_set_new(out, "to", json_string(to));
    json_object_set_new(out, "target_wait_s", json_integer(target_s));
    return out;
}

static json_t *rows(PGresult *r)
{
    json_t *a = json_array();
    for (int i = 0; i < PQntuples(r); i++)
        json_array_append_new(a, row_obj(r, i, 0));
    PQclear(r);
    return a;
}

json_t *hq_central_hall(struct hq_central *c, const char *tz, const char *hall, const char *from,
                        const char *to, struct hq_why *why)
{
    if (hq_central_check_period(from, to, why) != 0) return NULL;
    const char *one[1] = {hall};
    PGresult *r = run(c, "v_one", 1, one, why);
    if (!r) return NULL;
    if (PQntuples(r) != 1) {
        PQclear(r);
        hq_fail(why, HQ_ENOTFOUND, "hall", "hall: no hall '%s' at head office", hall);
        return NULL;
    }
    json_t *out = row_obj(r, 0, 0);
    PQclear(r);
    const char *v[4] = {tz, from, to, hall};
    static const char *const parts[][2] = {
        {"services", "v_services"}, {"windows", "v_windows"}, {"days", "v_days"}};
    for (size_t i = 0; i < 3; i++) {
        PGresult *pr = run(c, parts[i][1], 4, v, why);
        if (!pr) {
            json_decref(out);
            return NULL;
        }
        json_object_set_new(out, parts[i][0], rows(pr));
    }
    json_object_set_new(out, "from", json_string(from));
    json_object_set_new(out, "to", json_string(to));
    return out;
}
