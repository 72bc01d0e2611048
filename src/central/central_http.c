/* SPDX-License-Identifier: MIT */
/*
 * central_http.c — the server of central_http.h: one libmicrohttpd thread answers the pages (the
 * built-in web assets, a short allow-list of them) and the JSON API over one PostgreSQL
 * connection, one request at a time (head office is a handful of people; the figures are
 * computed by PostgreSQL). Errors are the hall API's error body (code, message, message_zh,
 * field); nothing of the database's own messages reaches a page but "store_unavailable".
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "central_http.h"
#include "central_int.h"
#include "http/hq_http.h"
#include "http/server_int.h"
#include "hq_central.h"

#define SESSIONS 256
#define SESSION_S (12 * 3600)
#define BODY_MAX 4096
#define FAILS_MAX 10 /* failed sign-ins from one address per FAIL_WINDOW_S */
#define FAIL_WINDOW_S 900

static const char CSP[] = "default-src 'self'; img-src 'self' data:; style-src 'self' "
                          "'unsafe-inline'";

struct session {
    char token[65];
    char username[HQ_USER_MAX];
    enum hq_role role;
    time_t expires;
};

struct fails {
    char ip[48];
    int n;
    time_t since;
};

struct srv {
    const struct hq_central_serve_opts *o;
    struct hq_central *c;
    struct session sessions[SESSIONS];
    struct fails fails[64];
    char dummy[crypto_pwhash_STRBYTES];
};

struct rq {
    char body[BODY_MAX + 1];
    size_t len;
    bool too_big;
};

static enum MHD_Result send_json(struct MHD_Connection *conn, int status, json_t *j,
                                 const char *cookie)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!s) return MHD_NO;
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (cookie) MHD_add_response_header(r, "Set-Cookie", cookie);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, const struct hq_why *why)
{
    struct hq_why safe = *why;
    if (safe.code == HQ_ESTORE) { /* the database's own words stay in the server's log */
        fprintf(stderr, "hallq central: %s\n", why->message);
        hq_fail(&safe, HQ_ESTORE, "", "head office database unavailable");
    }
    return send_json(conn, hq_err_http_status(safe.code), hq__error_json(&safe), NULL);
}

static struct session *session_of(struct srv *s, struct MHD_Connection *conn)
{
    const char *tok = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "hqc");
    if (!tok || strlen(tok) != 64) return NULL;
    time_t now = time(NULL);
    for (int i = 0; i < SESSIONS; i++) {
        struct session *x = &s->sessions[i];
        if (x->token[0] && x->expires > now && sodium_memcmp(x->token, tok, 64) == 0) return x;
    }
    return NULL;
}

static struct fails *fails_of(struct srv *s, const char *ip)
{
    time_t now = time(NULL);
    struct fails *oldest = &s->fails[0];
    for (size_t i = 0; i < sizeof s->fails / sizeof s->fails[0]; i++) {
        struct fails *f = &s->fails[i];
        if (strcmp(f->ip, ip) == 0) {
            if (now - f->since > FAIL_WINDOW_S) f->n = 0, f->since = now;
            return f;
        }
        if (f->since < oldest->since) oldest = f;
    }
    snprintf(oldest->ip, sizeof oldest->ip, "%s", ip);
    oldest->n = 0;
    oldest->since = now;
    return oldest;
}

static void peer(struct MHD_Connection *conn, char *ip, size_t len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(ip, len, "?");
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip, (socklen_t)len);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ip, (socklen_t)len);
    }
}

static bool json_body(struct MHD_Connection *conn)
{
    const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    return ct && strncmp(ct, "application/json", 16) == 0 && (ct[16] == '\0' || ct[16] == ';');
}

static enum MHD_Result login(struct srv *s, struct MHD_Connection *conn, struct rq *q)
{
    struct hq_why w = {0}; /* a refusal */
    if (!json_body(conn))
        return (hq_fail(&w, HQ_EMEDIA, "", "Content-Type must be application/json"),
                send_error(conn, &w));
    json_error_t je;
    json_t *b = json_loadb(q->body, q->len, 0, &je);
    const char *user = NULL, *pw = NULL;
    if (!b || !json_is_object(b)) {
        json_decref(b);
        return (hq_fail(&w, HQ_EBADJSON, "", "request body: not valid JSON"), send_error(conn, &w));
    }
    const char *key;
    json_t *v;
    json_object_foreach(b, key, v)
    {
        if (strcmp(key, "username") == 0 && json_is_string(v))
            user = json_string_value(v);
        else if (strcmp(key, "password") == 0 && json_is_string(v))
            pw = json_string_value(v);
        else {
            struct hq_why why = {0};
            hq_fail(&why, HQ_EINVAL, "", "%.40s: unknown field", key);
            snprintf(why.field, sizeof why.field, "%s", key);
            json_decref(b);
            return send_error(conn, &why);
        }
    }
    if (!user || !pw || !user[0] || strlen(user) >= HQ_USER_MAX || strlen(pw) > 256) {
        /* the field is named before the body (which holds user) is released */
        bool bad_user = !user || !user[0] || strlen(user) >= HQ_USER_MAX;
        json_decref(b);
        return (hq_fail(&w, HQ_EINVAL, bad_user ? "username" : "password",
                        "username and password: both required"),
                send_error(conn, &w));
    }
    char ip[48];
    peer(conn, ip, sizeof ip);
    struct fails *f = fails_of(s, ip);
    if (f->n >= FAILS_MAX) {
        json_decref(b);
        struct hq_why why = {0};
        hq_fail(&why, HQ_ERATE, "", "too many failed sign-ins from this address: try again in %d s",
                (int)(FAIL_WINDOW_S - (time(NULL) - f->since)));
        return send_error(conn, &why);
    }
    const struct hq_central_user *u = NULL;
    for (size_t i = 0; i < s->o->n_users; i++)
        if (strcmp(s->o->users[i].username, user) == 0) u = &s->o->users[i];
    bool good = crypto_pwhash_str_verify(u ? u->pw_hash : s->dummy, pw, strlen(pw)) == 0 && u;
    json_decref(b);
    if (!good) {
        f->n++;
        return (hq_fail(&w, HQ_EUNAUTH, "", "wrong username or password / 用户名或密码错误"),
                send_error(conn, &w));
    }
    struct session *slot = &s->sessions[0];
    for (int i = 0; i < SESSIONS; i++)
        if (s->sessions[i].expires < slot->expires) slot = &s->sessions[i];
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(slot->token, sizeof slot->token, raw, sizeof raw);
    snprintf(slot->username, sizeof slot->username, "%s", u->username);
    slot->role = u->role;
    slot->expires = time(NULL) + SESSION_S;
    char cookie[160];
    snprintf(cookie, sizeof cookie, "hqc=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d",
             slot->token, SESSION_S);
    return send_json(conn, 200,
                     json_pack("{s:s,s:s}", "username", u->username, "role", hq_role_name(u->role)),
                     cookie);
}

/* A query parameter, or def when absent. */
static const char *arg(struct MHD_Connection *conn, const char *name, const char *def)
{
    const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
    return v ? v : def;
}

static void default_period(char *from, char *to, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(to, len, "%Y-%m-%d", &tm);
    now -= 29 * 86400;
    localtime_r(&now, &tm);
    strftime(from, len, "%Y-%m-%d", &tm);
}

static bool hall_ok(const char *h)
{
    size_t n = strlen(h);
    if (n < 1 || n > 64) return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", h[i]))
            return false;
    return true;
}

/* After a lost link, one reconnect (and the statements prepared again) before giving up. */
static json_t *with_retry(struct srv *s, int what, const char *a, const char *b, const char *c,
                          int n, struct hq_why *why)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        PGconn *pc = hq__central_conn(s->c);
        if (PQstatus(pc) != CONNECTION_OK) {
            PQreset(pc);
            if (PQstatus(pc) != CONNECTION_OK ||
                hq_central_views_prepare(s->c, s->o->tz, why) != 0) {
                hq_fail(why, HQ_ESTORE, "", "head office database unavailable");
                return NULL;
            }
        }
        json_t *j = what == 0   ? hq_central_overview(s->c, s->o->tz, n, why)
                    : what == 1 ? hq_central_period(s->c, s->o->tz, a, b, n, why)
                                : hq_central_hall(s->c, s->o->tz, c, a, b, why);
        if (j || why->code != HQ_ESTORE || PQstatus(pc) == CONNECTION_OK) return j;
    }
    return NULL;
}

static enum MHD_Result api(struct srv *s, struct MHD_Connection *conn, const char *method,
                           const char *url, struct rq *q)
{
    struct hq_why w = {0}; /* a refusal */
    bool get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
    if (strcmp(url, "/api/login") == 0) {
        if (!post)
            return (hq_fail(&w, HQ_ENOMETHOD, "", "method not allowed"), send_error(conn, &w));
        if (q->too_big)
            return (hq_fail(&w, HQ_ETOOLARGE, "", "request body too large"), send_error(conn, &w));
        return login(s, conn, q);
    }
    struct session *se = session_of(s, conn);
    if (strcmp(url, "/api/logout") == 0) {
        if (!post)
            return (hq_fail(&w, HQ_ENOMETHOD, "", "method not allowed"), send_error(conn, &w));
        if (!json_body(conn))
            return (hq_fail(&w, HQ_EMEDIA, "", "Content-Type must be application/json"),
                    send_error(conn, &w));
        if (se) memset(se, 0, sizeof *se);
        return send_json(conn, 200, json_object(),
                         "hqc=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    }
    bool known = strcmp(url, "/api/me") == 0 || strcmp(url, "/api/overview") == 0 ||
                 strcmp(url, "/api/stats") == 0 || strncmp(url, "/api/halls/", 11) == 0;
    if (!known) return (hq_fail(&w, HQ_ENOTFOUND, "", "no such route"), send_error(conn, &w));
    if (!get) return (hq_fail(&w, HQ_ENOMETHOD, "", "method not allowed"), send_error(conn, &w));
    if (!se) return (hq_fail(&w, HQ_EUNAUTH, "", "sign in first"), send_error(conn, &w));
    if (strcmp(url, "/api/me") == 0)
        return send_json(conn, 200,
                         json_pack("{s:s,s:s,s:s}", "username", se->username, "role",
                                   hq_role_name(se->role), "tz", s->o->tz),
                         NULL);
    struct hq_why why = {0};
    json_t *j = NULL;
    if (strcmp(url, "/api/overview") == 0) {
        j = with_retry(s, 0, NULL, NULL, NULL, s->o->silent_s, &why);
    } else {
        char dfrom[16], dto[16];
        default_period(dfrom, dto, sizeof dfrom);
        const char *from = arg(conn, "from", dfrom), *to = arg(conn, "to", dto);
        if (strcmp(url, "/api/stats") == 0) {
            const char *tm = arg(conn, "target_min", "30");
            char *end = NULL;
            long t = strtol(tm, &end, 10);
            if (!*tm || *end || t < 1 || t > 600)
                return (hq_fail(&w, HQ_EINVAL, "target_min", "target_min: 1-600 minutes"),
                        send_error(conn, &w));
            j = with_retry(s, 1, from, to, NULL, (int)t * 60, &why);
        } else {
            const char *hall = url + 11;
            if (!hall_ok(hall))
                return (
                    hq_fail(&w, HQ_EINVAL, "hall", "hall: 1-64 characters of A-Z, a-z, 0-9, _ . -"),
                    send_error(conn, &w));
            j = with_retry(s, 2, from, to, hall, 0, &why);
        }
    }
    if (!j) return send_error(conn, &why);
    return send_json(conn, 200, j, NULL);
}

/* The pages and the assets they use, nothing else of web/. */
static enum MHD_Result page(struct MHD_Connection *conn, const char *url)
{
    const char *file = url;
    if (strcmp(url, "/") == 0)
        file = "/central.html";
    else if (strcmp(url, "/hall") == 0)
        file = "/central_hall.html";
    bool allowed = strcmp(file, "/central.html") == 0 || strcmp(file, "/central_hall.html") == 0 ||
                   strcmp(file, "/css/hall.css") == 0 || strcmp(file, "/css/central.css") == 0 ||
                   strcmp(file, "/js/i18n.js") == 0 || strncmp(file, "/js/central", 11) == 0;
    const struct hq_asset *as = allowed && !strstr(file, "..") ? hq_asset_find(file) : NULL;
    if (!as) {
        static const char nf[] = "<!doctype html><meta charset=utf-8><title>Not found</title>"
                                 "<h1>Not found</h1><p><a href=\"/\">hallq</a></p>\n";
        struct MHD_Response *r =
            MHD_create_response_from_buffer(sizeof nf - 1, (void *)nf, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
        enum MHD_Result ret = MHD_queue_response(conn, 404, r);
        MHD_destroy_response(r);
        return ret;
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(as->len, (void *)as->data, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type",
                            as->content_type      ? as->content_type
                            : strstr(file, ".js") ? "text/javascript"
                                                  : "text/html; charset=utf-8");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    if (strstr(file, ".html")) MHD_add_response_header(r, "Content-Security-Policy", CSP);
    enum MHD_Result ret = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct srv *s = cls;
    struct rq *q = *con_cls;
    if (!q) {
        q = calloc(1, sizeof *q);
        if (!q) return MHD_NO;
        *con_cls = q;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (q->len + *upload_data_size > BODY_MAX)
            q->too_big = true;
        else {
            memcpy(q->body + q->len, upload_data, *upload_data_size);
            q->len += *upload_data_size;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (strncmp(url, "/api/", 5) == 0) return api(s, conn, method, url, q);
    struct hq_why w = {0};
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return (hq_fail(&w, HQ_ENOMETHOD, "", "method not allowed"), send_error(conn, &w));
    return page(conn, url);
}

static void on_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn, (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

int hq_central_serve(const struct hq_central_serve_opts *o, volatile sig_atomic_t *stop,
                     struct hq_why *why)
{
    if (sodium_init() < 0) return hq_fail(why, HQ_EINTERNAL, "", "libsodium failed to start");
    char host[128];
    const char *colon = strrchr(o->listen, ':');
    if (!colon || colon == o->listen || (size_t)(colon - o->listen) >= sizeof host)
        return hq_fail(why, HQ_EINVAL, "listen", "listen: HOST:PORT");
    snprintf(host, sizeof host, "%.*s", (int)(colon - o->listen), o->listen);
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV},
                    *ai = NULL;
    if (getaddrinfo(host, colon + 1, &hints, &ai) != 0 || !ai)
        return hq_fail(why, HQ_EINVAL, "listen", "listen: HOST:PORT");
    struct srv *s = calloc(1, sizeof *s);
    if (!s) {
        freeaddrinfo(ai);
        return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    }
    s->o = o;
    int rc = 0;
    if (crypto_pwhash_str(s->dummy, "hallq-central-dummy", 19, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        rc = hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    if (rc == 0 && !(s->c = hq_central_open(o->url, why))) rc = why->code;
    if (rc == 0) rc = hq_central_views_prepare(s->c, o->tz, why);
    struct MHD_Daemon *d = NULL;
    if (rc == 0) {
        unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
                         (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0);
        d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
                             MHD_OPTION_NOTIFY_COMPLETED, on_done, s, MHD_OPTION_CONNECTION_TIMEOUT,
                             30u, MHD_OPTION_CONNECTION_LIMIT, 256u, MHD_OPTION_END);
        if (!d) rc = hq_fail(why, HQ_EINVAL, "listen", "listen: cannot listen on %s", o->listen);
    }
    freeaddrinfo(ai);
    if (rc == 0) {
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        printf("hallq central: serving http://%s%s%s:%u (head office, %zu users, zone %s)\n",
               strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", di ? di->port : 0,
               o->n_users, o->tz);
        fflush(stdout);
        while (!*stop)
            usleep(200000);
        MHD_stop_daemon(d);
    }
    hq_central_close(s->c);
    sodium_memzero(s, sizeof *s);
    free(s);
    return rc;
}
