/* SPDX-License-Identifier: MIT */
/*
 * fuzz_api_json.c — libFuzzer target for the API's JSON inputs: every handler of the route table
 * (src/http/api_*.c) and the use case behind it (src/app), called as the server calls them after
 * its own checks, on ONE app per process (a SQLite file under /dev/shm, a fake clock, a hall set
 * up at the first input: services A B C, windows 1 2 3, staff of every role, a registered kiosk,
 * tickets in every state, a notice and a complaint).
 *
 * Input layout (docs/FUZZING.md):
 *   byte 0  route: an index into `targets` below (method and pattern, stable across edits of the
 *           route table; an index past it picks hq_routes[] directly)
 *   byte 1  actor: bits 0-2 role (0 public, 1 admin, 2 manager, 3 clerk1, 4 guide, 5 clerk2),
 *           bit 3 a registered device, bits 4-5 the client address, bit 6 may hash a password,
 *           bit 7 call the handler even when the request schema refuses the body (the server's
 *           validator, src/http/req_schema.c, runs first and must refuse with 400 invalid_field
 *           and a catalogue sentence; the server then calls no handler)
 *   byte 2  clock: advance the fake clock by byte^2/4 seconds first (day rolls and expiry)
 *   then    one line per {param} of the pattern (raw bytes, as after URL decoding), then the
 *           body: empty (no body) or JSON, parsed like the server does (JSON_REJECT_DUPLICATES;
 *           NUL bytes, invalid JSON and non-objects are refused before any handler runs, so they
 *           end the input here).
 * Placeholders, in params and in any string value of the body, stand for secrets the fuzzer
 * cannot guess: "$T" the newest ticket id, "$W" a waiting one, "$D" a done one, "$X" a no-show,
 * "$C" a complaint's tracking code, "$N" a notice id.
 *
 * Checks after every call: the return is 0 or a negative enum hq_err, never HQ_EINTERNAL (500) or
 * HQ_ESTORE (the store refused a change the app had validated); a success carries an answer; the
 * answer (or the error body built from *why) serialises to JSON that parses again, the same bytes
 * from hq_json_text as from jansson's json_dumps; an answer to
 * the public never shows a ticket with a "phone" member; every committed event is JSON with a
 * strictly increasing sequence number, and a ticket event never carries a ticket id.
 *
 * Passwords: argon2id takes ~60 ms, so "password" members are dropped from staff bodies unless
 * bit 6 of byte 1 is set and the process has hashed fewer than 24 so far; sign-in (which always
 * verifies a hash) is not fuzzed here.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sanitizer/common_interface_defs.h>

#include "app/hq_json_text.h"
#include "http/api.h"
#include "http/hq_http.h"
#include "http/req_schema.h"

/* Ticket images and PDFs (reachable here) go through cairo and fontconfig, which keep caches
 * and leak a few hundred bytes per PDF font subset (tests/unit/test_media_ticket.c pins the exact
 * stacks; it needs slow full unwinding, too slow for fuzzing): leaks whose stacks run through
 * those two libraries are not the fuzzer's business. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\nleak:libcairo.so\n";
}

/* ---- the process's app ---- */

static struct hq_app *app;
static char dir[128];
static _Atomic int64_t clock_now = 1795741200; /* 2026-11-27 09:00 +08:00, a Friday */
static struct hq_actor actors[6];
static struct hq_actor device_actor;
static int hashes_left = 24;
static unsigned long inputs;

/* Secrets harvested from answers, for the placeholders. Under slots_mu (the event listener reads
 * the ticket ids from the writer thread). */
enum { S_T, S_W, S_D, S_X, S_C, S_N, S_COUNT };
static const char *const slot_names[S_COUNT] = {"$T", "$W", "$D", "$X", "$C", "$N"};
static char slots[S_COUNT][40];
#define RECENT_IDS 16
static char recent_ids[RECENT_IDS][HQ_ID_LEN + 1];
static size_t recent_next;
static pthread_mutex_t slots_mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t last_event_seq;

static int64_t fake_now(void *ctx)
{
    (void)ctx;
    return atomic_load(&clock_now);
}

static void remove_files(void);

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_api_json: %s: %s\n", what, detail ? detail : "");
    remove_files();
    abort();
}

static void remember_id(const char *id)
{
    if (!id || strlen(id) != HQ_ID_LEN) return;
    pthread_mutex_lock(&slots_mu);
    snprintf(recent_ids[recent_next++ % RECENT_IDS], HQ_ID_LEN + 1, "%s", id);
    pthread_mutex_unlock(&slots_mu);
}

/* Events: valid JSON, increasing sequence, no ticket id (the customer's secret). */
static void on_event(void *ctx, const struct hq_event *e)
{
    (void)ctx;
    if (e->seq <= last_event_seq) die("event sequence not increasing", e->type);
    last_event_seq = e->seq;
    if (e->data) {
        json_t *d = json_loads(e->data, 0, NULL);
        if (!d) die("event data is not JSON", e->data);
        json_decref(d);
        /* Only ticket events: staff may type anything (an id too) into a notice's text. */
        if (strncmp(e->type, "ticket.", 7) != 0) return;
        pthread_mutex_lock(&slots_mu);
        for (size_t i = 0; i < RECENT_IDS; i++)
            if (recent_ids[i][0] && strstr(e->data, recent_ids[i])) {
                pthread_mutex_unlock(&slots_mu);
                die("an event carries a ticket id", e->data);
            }
        pthread_mutex_unlock(&slots_mu);
    }
}

/* Remember ids from an answer: a ticket (top level or under "ticket"), a complaint, a notice. */
static void harvest(json_t *o, const char *pattern)
{
    if (!json_is_object(o)) return;
    json_t *t = json_object_get(o, "ticket");
    if (json_is_object(t)) o = t;
    const char *id = json_string_value(json_object_get(o, "id"));
    const char *status = json_string_value(json_object_get(o, "status"));
    const char *code = json_string_value(json_object_get(o, "tracking_code"));
    pthread_mutex_lock(&slots_mu);
    if (code) snprintf(slots[S_C], sizeof slots[S_C], "%s", code);
    if (id && !status && strstr(pattern, "notices"))
        snprintf(slots[S_N], sizeof slots[S_N], "%s", id);
    pthread_mutex_unlock(&slots_mu);
    if (!id || !status || strlen(id) != HQ_ID_LEN) return;
    remember_id(id);
    pthread_mutex_lock(&slots_mu);
    snprintf(slots[S_T], sizeof slots[S_T], "%s", id);
    int s = strcmp(status, "waiting") == 0   ? S_W
            : strcmp(status, "done") == 0    ? S_D
            : strcmp(status, "no_show") == 0 ? S_X
                                             : -1;
    if (s >= 0) snprintf(slots[s], sizeof slots[s], "%s", id);
    pthread_mutex_unlock(&slots_mu);
}

static const char *placeholder(const char *s)
{
    if (!s || s[0] != '$') return NULL;
    for (int i = 0; i < S_COUNT; i++)
        if (strcmp(s, slot_names[i]) == 0) return slots[i];
    return NULL;
}

/* Replace placeholder strings anywhere in v (depth-limited). */
static void substitute(json_t *v, int depth)
{
    if (depth > 6) return;
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            const char *r = json_is_string(x) ? placeholder(json_string_value(x)) : NULL;
            if (r)
                json_object_set_new(v, k, json_string(r));
            else
                substitute(x, depth + 1);
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *x = json_array_get(v, i);
            const char *r = json_is_string(x) ? placeholder(json_string_value(x)) : NULL;
            if (r)
                json_array_set_new(v, i, json_string(r));
            else
                substitute(x, depth + 1);
        }
    }
}

/* A ticket (an object with a "number") showing a "phone" member (public answers). */
static bool has_phone(json_t *v, int depth)
{
    if (depth > 16) return false;
    const char *k;
    json_t *x;
    if (json_is_object(v)) {
        if (json_object_get(v, "number") && json_object_get(v, "phone")) return true;
        json_object_foreach(v, k, x)
        {
            if (has_phone(x, depth + 1)) return true;
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_array_foreach(v, i, x)
        {
            if (has_phone(x, depth + 1)) return true;
        }
    }
    return false;
}

/* Call a use case for setup or repair; refusals are fine, a 500 is not. */
static json_t *call(int rc, json_t *in, json_t *out, const struct hq_why *why, const char *what)
{
    json_decref(in);
    if (rc == HQ_EINTERNAL || rc == HQ_ESTORE) die(what, why->message);
    if (rc == 0) harvest(out, what);
    return out;
}

static void act(const struct hq_actor *who, int win, const char *action, json_t *in)
{
    json_t *out = NULL;
    struct hq_why why = {0};
    int rc = hq_app_window_action(app, who, win, action, in, &out, &why);
    json_decref(call(rc, in, out, &why, action));
}

static void post(int (*fn)(struct hq_app *, const struct hq_actor *, json_t *, json_t **,
                           struct hq_why *),
                 const struct hq_actor *who, json_t *in, const char *what)
{
    json_t *out = NULL;
    struct hq_why why = {0};
    int rc = fn(app, who, in, &out, &why);
    json_decref(call(rc, in, out, &why, what));
}

/* On a crash: remove the database files (no system(): the process is dying). */
static void remove_files(void)
{
    static const char *const names[] = {"h.db", "h.db-wal", "h.db-shm", "h.db-journal"};
    char path[256];
    for (size_t i = 0; dir[0] && i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    if (dir[0]) rmdir(dir);
}

static void cleanup(void)
{
    if (app) hq_app_close(app);
    app = NULL;
    remove_files();
}

static void make_actor(struct hq_actor *a, enum hq_role role, const char *user)
{
    memset(a, 0, sizeof *a);
    a->role = role;
    snprintf(a->username, sizeof a->username, "%s", user);
    snprintf(a->ip, sizeof a->ip, "10.0.0.1");
}

static void setup(void)
{
    setenv("TZ", "Asia/Shanghai", 1);
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof dir, "%s/hq-fuzz-api-XXXXXX", base);
    if (!mkdtemp(dir)) die("mkdtemp", strerror(errno));
    char db[192];
    snprintf(db, sizeof db, "%s/h.db", dir);
    struct hq_why why = {0};
    struct hq_app_options o = {.db = db, .clock = {fake_now, NULL}};
    app = hq_app_open(&o, &why);
    if (!app) die("hq_app_open", why.message);
    atexit(cleanup);
    __sanitizer_set_death_callback(remove_files);
    hq_app_listen(app, on_event, NULL);

    make_actor(&actors[0], HQ_ROLE_NONE, "");
    make_actor(&actors[1], HQ_ROLE_ADMIN, "admin");
    make_actor(&actors[2], HQ_ROLE_MANAGER, "mgr1");
    make_actor(&actors[3], HQ_ROLE_CLERK, "clerk1");
    make_actor(&actors[4], HQ_ROLE_GUIDE, "guide1");
    make_actor(&actors[5], HQ_ROLE_CLERK, "clerk2");
    const struct hq_actor *admin = &actors[1];

    post(hq_app_service_create, admin,
         json_pack("{s:s,s:s,s:s,s:i,s:[s,s]}", "code", "A", "name", "社保业务", "name_en",
                   "Social security", "avg_service_s", 300, "documents", "身份证", "户口本"),
         "service A");
    post(hq_app_service_create, admin,
         json_pack("{s:s,s:s,s:i}", "code", "B", "name", "医保", "avg_service_s", 200),
         "service B");
    post(hq_app_service_create, admin,
         json_pack("{s:s,s:s,s:i,s:i}", "code", "C", "name", "公积金", "avg_service_s", 600,
                   "daily_quota", 40),
         "service C");
    post(hq_app_window_create, admin, json_pack("{s:i,s:[s,s]}", "number", 1, "services", "A", "B"),
         "window 1");
    post(hq_app_window_create, admin, json_pack("{s:i,s:[s]}", "number", 2, "services", "B"),
         "window 2");
    post(hq_app_window_create, admin,
         json_pack("{s:i,s:s,s:[s,s]}", "number", 3, "name", "3号窗口", "services", "C", "A"),
         "window 3");
    static const char *const staff[][3] = {{"admin", "管理员", "admin"},
                                           {"mgr1", "经理", "manager"},
                                           {"clerk1", "王芳", "clerk"},
                                           {"clerk2", "李娜", "clerk"},
                                           {"guide1", "引导员", "guide"}};
    for (size_t i = 0; i < sizeof staff / sizeof staff[0]; i++)
        post(hq_app_staff_create, admin,
             json_pack("{s:s,s:s,s:s,s:s,s:[{s:s,s:s},{s:s,s:s},{s:s,s:s}]}", "username",
                       staff[i][0], "name", staff[i][1], "role", staff[i][2], "password",
                       "fuzz-password", "certifications", "service", "A", "expires_on",
                       "2030-01-01", "service", "B", "expires_on", "2026-11-28", "service", "C",
                       "expires_on", "2030-01-01"),
             staff[i][0]);

    /* A registered kiosk: the device actor. */
    json_t *out = NULL;
    json_t *dev = json_pack("{s:s}", "name", "fuzz-kiosk");
    int rc = hq_app_device_register(app, admin, dev, &out, &why);
    json_decref(dev);
    if (rc == HQ_EINTERNAL) die("device", why.message);
    const char *key = json_string_value(json_object_get(out, "key"));
    if (!key || hq_app_device(app, key, &device_actor) != 0) {
        make_actor(&device_actor, HQ_ROLE_NONE, "");
        device_actor.device = true;
        snprintf(device_actor.device_name, sizeof device_actor.device_name, "fuzz-kiosk");
    }
    json_decref(out);

    /* Tickets in every state: done and evaluable, no-show, waiting, being served. */
    for (int i = 0; i < 6; i++)
        post(hq_app_ticket_issue, &actors[4],
             json_pack("{s:s,s:s,s:s,s:s}", "service", i % 3 == 2 ? "B" : "A", "category",
                       i == 1 ? "priority" : "normal", "channel", i == 3 ? "phone" : "guide",
                       "phone", "13812345678"),
             "issue");
    act(&actors[3], 1, "open", NULL);
    act(&actors[3], 1, "call-next", NULL);
    act(&actors[3], 1, "start", NULL);
    act(&actors[3], 1, "finish", NULL);
    act(&actors[3], 1, "call-next", NULL);
    act(&actors[3], 1, "no-show", NULL);
    act(&actors[3], 1, "call-next", NULL);
    act(&actors[5], 2, "open", NULL);
    post(hq_app_notice_post, &actors[2], json_pack("{s:s,s:s}", "text", "午休", "text_en", "Lunch"),
         "notices");
    post(hq_app_complaint_create, &actors[0],
         json_pack("{s:s,s:s}", "channel", "web", "content", "等了很久"), "complaint");
}

/* Every 128 inputs undo what would stall the fuzzer for good: a suspended or closed hall, a
 * disabled service, a clerk without certifications, windows left closed. */
static void repair(void)
{
    const struct hq_actor *admin = &actors[1];
    post(hq_app_hall_update, admin,
         json_pack("{s:b,s:n,s:s}", "suspended", 0, "hours", "name", "办事大厅"), "hall");
    static const char *const codes[] = {"A", "B", "C"};
    for (int i = 0; i < 3; i++) {
        json_t *out = NULL;
        struct hq_why why = {0};
        json_t *in = json_pack("{s:b,s:n}", "enabled", 1, "hours");
        int rc = hq_app_service_update(app, admin, codes[i], in, &out, &why);
        json_decref(call(rc, in, out, &why, "service repair"));
    }
    json_t *out = NULL;
    struct hq_why why = {0};
    json_t *in = json_pack("{s:s,s:b,s:[{s:s,s:s},{s:s,s:s}]}", "role", "clerk", "active", 1,
                           "certifications", "service", "A", "expires_on", "2099-01-01", "service",
                           "B", "expires_on", "2099-01-01");
    int rc = hq_app_staff_update(app, admin, "clerk1", in, &out, &why);
    json_decref(call(rc, in, out, &why, "staff repair"));
    act(&actors[3], 1, "open", NULL);
    act(&actors[3], 1, "resume", NULL);
}

/* ---- routes ---- */

/* The routes by method and pattern, in a fixed order so that seeds keep their meaning. */
static const struct {
    const char *method, *pattern;
} targets[] = {
    {"GET", "/api/v1/health"},
    {"GET", "/api/v1/openapi.json"},
    {"POST", "/api/v1/auth/logout"},
    {"GET", "/api/v1/auth/me"},
    {"GET", "/api/v1/hall"},
    {"PUT", "/api/v1/hall"},
    {"GET", "/api/v1/services"},
    {"POST", "/api/v1/services"},
    {"PUT", "/api/v1/services/{code}"},
    {"DELETE", "/api/v1/services/{code}"},
    {"GET", "/api/v1/windows"},
    {"POST", "/api/v1/windows"},
    {"GET", "/api/v1/windows/{n}"},
    {"PUT", "/api/v1/windows/{n}"},
    {"GET", "/api/v1/windows/{n}/pending-evaluation"},
    {"POST", "/api/v1/windows/{n}/{action}"},
    {"GET", "/api/v1/staff"},
    {"POST", "/api/v1/staff"},
    {"PUT", "/api/v1/staff/{username}"},
    {"POST", "/api/v1/devices"},
    {"POST", "/api/v1/tickets"},
    {"GET", "/api/v1/tickets"},
    {"GET", "/api/v1/tickets/{id}"},
    {"GET", "/api/v1/tickets/{id}/qr.svg"},
    {"POST", "/api/v1/tickets/{id}/cancel"},
    {"POST", "/api/v1/tickets/{id}/requeue"},
    {"GET", "/api/v1/display"},
    {"POST", "/api/v1/notices"},
    {"DELETE", "/api/v1/notices/{id}"},
    {"POST", "/api/v1/evaluations"},
    {"GET", "/api/v1/evaluations"},
    {"POST", "/api/v1/complaints"},
    {"GET", "/api/v1/complaints/track/{code}"},
    {"GET", "/api/v1/tickets/{id}/qr.png"},
    {"GET", "/api/v1/tickets/{id}/ticket.png"},
    {"GET", "/api/v1/tickets/{id}/ticket.pdf"},
    {"GET", "/api/v1/announcements"},
    {"GET", "/api/v1/advice"},
};
#define N_TARGETS (sizeof targets / sizeof targets[0])

static const struct hq_route *find_route(unsigned sel)
{
    size_t n_routes = 0;
    while (hq_routes[n_routes].pattern)
        n_routes++;
    sel %= (unsigned)(N_TARGETS + n_routes);
    if (sel >= N_TARGETS) return &hq_routes[sel - N_TARGETS];
    for (size_t i = 0; hq_routes[i].pattern; i++)
        if (strcmp(hq_routes[i].method, targets[sel].method) == 0 &&
            strcmp(hq_routes[i].pattern, targets[sel].pattern) == 0)
            return &hq_routes[i];
    return NULL; /* no longer in the table */
}

/* Take one line (a path parameter) off the input. false when the server could not have passed
 * it: empty, over 127 bytes, or holding '/' or NUL. */
static bool take_param(const uint8_t **p, const uint8_t *end, char out[128])
{
    const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
    size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
    if (n == 0 || n > 127 || memchr(*p, '/', n) || memchr(*p, '\0', n)) return false;
    memcpy(out, *p, n);
    out[n] = '\0';
    *p += n + (nl ? 1 : 0);
    const char *r = placeholder(out);
    if (r) {
        if (!r[0]) return false;
        snprintf(out, 128, "%s", r);
    }
    return true;
}

static int count_params(const char *pattern)
{
    int n = 0;
    for (; *pattern; pattern++)
        n += *pattern == '{';
    return n;
}

/* Drop a password unless this input may pay for hashing it. */
static void limit_passwords(json_t *body, bool may_hash)
{
    json_t *p = json_object_get(body, "password");
    if (!json_is_string(p) || json_string_length(p) < 8) return;
    if (may_hash && hashes_left > 0) {
        hashes_left--;
        return;
    }
    json_object_del(body, "password");
}

static void check_answer(const struct hq_route *rt, const struct hq_actor *who, int rc,
                         struct hq_res *res, struct hq_why *why, const char *input_desc)
{
    char detail[512];
    snprintf(detail, sizeof detail, "%s %s as %s: rc %d (%s) %s [%s]", rt->method, rt->pattern,
             hq_role_name(who->role), rc, rc < 0 ? hq_err_name(rc) : "ok", why->message,
             input_desc);
    if (rc > 0 || rc <= -HQ_ERR_COUNT_) die("handler returned no enum hq_err", detail);
    if (rc == HQ_EINTERNAL || (rc < 0 && hq_err_http_status(rc) == 500))
        die("500 internal error", detail);
    if (rc == HQ_ESTORE) die("the store refused a validated change (503)", detail);
    if (rc == 0 && !res->json && !res->body && res->status != 204)
        die("a success without an answer (the server sends 500)", detail);
    if (rc < 0) {
        why->code = rc;
        hq_res_error(res, why);
        if (!res->json) die("no error body", detail);
        if (res->status < 400 || (res->status >= 500 && res->status != 503))
            die("error status", detail);
    }
    if (res->json) {
        char *text = hq_json_text(res->json, 10); /* as the server writes it */
        if (!text) die("the answer does not serialise (the server sends 500)", detail);
        char *theirs = json_dumps(res->json, JSON_COMPACT | JSON_REAL_PRECISION(10));
        if (!theirs || strcmp(text, theirs) != 0)
            die("hq_json_text and json_dumps differ (src/app/json_text.c)", text);
        free(theirs);
        json_t *back = json_loads(text, 0, NULL);
        if (!back) die("the answer is not JSON", text);
        json_decref(back);
        free(text);
        if (who->role == HQ_ROLE_NONE && !strstr(rt->pattern, "openapi") && has_phone(res->json, 0))
            die("a phone number in an answer to the public", detail);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!app) setup();
    if (++inputs % 128 == 0) repair();
    if (size < 3) return 0;
    const struct hq_route *rt = find_route(data[0]);
    if (!rt || strcmp(rt->pattern, "/api/v1/auth/login") == 0) return 0;
    uint8_t ab = data[1];
    atomic_fetch_add(&clock_now, (int64_t)data[2] * data[2] / 4);
    const uint8_t *p = data + 3, *end = data + size;

    /* The actor, as the server's pipeline resolves it. */
    int role_sel = (ab & 7) % 6;
    struct hq_actor who = actors[role_sel];
    if (ab & 8) {
        if (role_sel == 0) {
            who = device_actor;
        } else {
            who.device = true;
            snprintf(who.device_name, sizeof who.device_name, "%s", device_actor.device_name);
        }
    }
    snprintf(who.ip, sizeof who.ip, "10.0.0.%d", 1 + ((ab >> 4) & 3));
    bool resolve = rt->roles != 0 || (rt->flags & HQ_RT_AUTH_OPTIONAL);
    if (!resolve) {
        char ip[64];
        snprintf(ip, sizeof ip, "%s", who.ip);
        memset(&who, 0, sizeof who);
        snprintf(who.ip, sizeof who.ip, "%s", ip);
    }
    if (rt->roles != 0 && !(rt->roles & HQ_R(who.role))) return 0; /* 401/403 before us */

    struct hq_req req;
    memset(&req, 0, sizeof req);
    req.method = rt->method;
    req.path = rt->pattern;
    req.actor = who;
    if (who.role != HQ_ROLE_NONE) snprintf(req.token, sizeof req.token, "fuzz-token");
    /* GET /tickets takes its filters from the query: two lines, status and service, here. */
    bool list = strcmp(rt->pattern, "/api/v1/tickets") == 0 && strcmp(rt->method, "GET") == 0;
    int np = list ? 2 : count_params(rt->pattern);
    for (int i = 0; i < np; i++) {
        if (list) {
            const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
            if (n > 127 || memchr(p, 0, n)) return 0;
            memcpy(req.params[i], p, n);
            req.params[i][n] = '\0';
            p += n + (nl ? 1 : 0);
        } else if (!take_param(&p, end, req.params[i])) {
            return 0;
        }
    }
    req.n_params = list ? 0 : np;

    json_t *body = NULL;
    if (p < end) {
        if (memchr(p, 0, (size_t)(end - p))) return 0; /* 400 bad_json */
        body = json_loadb((const char *)p, (size_t)(end - p), JSON_REJECT_DUPLICATES, NULL);
        if (!body) return 0;
        if (!json_is_object(body)) {
            json_decref(body);
            return 0;
        }
        pthread_mutex_lock(&slots_mu);
        substitute(body, 0);
        pthread_mutex_unlock(&slots_mu);
        if (strstr(rt->pattern, "/staff")) limit_passwords(body, ab & 0x40);
        /* The fuzzer's own devices never take the kiosk's name (nor its printer). */
        const char *dn = json_string_value(json_object_get(body, "name"));
        if (strstr(rt->pattern, "/devices") && dn && strcmp(dn, device_actor.device_name) == 0)
            json_object_set_new(body, "name", json_string("fuzz-other"));
    }
    req.body = body;

    struct hq_res res;
    memset(&res, 0, sizeof res);
    res.status = 200;
    struct hq_why why = {0};
    int rc;
    /* The server's request validator first (src/http/req_schema.c): a refusal is 400
     * invalid_field with a catalogue sentence; then, as the server does, no handler runs, unless
     * bit 7 of byte 1 asks for the handler anyway (its own checks stay a second line). */
    if (!list && !(rt->flags & HQ_RT_RAW_BODY)) {
        struct hq_why vwhy = {0};
        int vrc =
            hq_reqschema_check(rt->method, rt->pattern, req.params, req.n_params, body, &vwhy);
        if (vrc != 0) {
            if (vrc != HQ_EINVAL || !vwhy.message[0] || !vwhy.reason) {
                fprintf(stderr, "validator of %s %s: rc %d, message '%s', no catalogue line\n",
                        rt->method, rt->pattern, vrc, vwhy.message);
                abort();
            }
            if (!(ab & 0x80)) {
                json_decref(body);
                return 0;
            }
        }
    }
    if (list)
        rc = hq_app_tickets_list(app, &req.actor, req.params[0], req.params[1], &res.json, &why);
    else
        rc = rt->fn(app, &req, &res, &why);
    char desc[160];
    snprintf(desc, sizeof desc, "params '%.60s' '%.60s'", req.params[0], req.params[1]);
    if (rc == 0) harvest(res.json, rt->pattern);
    check_answer(rt, &req.actor, rc, &res, &why, desc);
    json_decref(res.json);
    free(res.body);
    json_decref(body);
    return 0;
}
