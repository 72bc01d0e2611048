/* SPDX-License-Identifier: MIT */
/*
 * hq_core.h — the hall as data and rules. No I/O, no clock, no randomness of its own: time comes in
 * as a struct hq_now, ticket ids come in from the caller. Everything here is deterministic, so it
 * is tested exhaustively (tests/unit/test_core_*.c) and reused by the simulation (src/plan).
 *
 * Ownership: struct hq_hall owns every service, window, staff member and ticket in it (fixed-size
 * fields, or arrays grown by the hall). Pointers returned by lookups point into the hall and stay
 * valid until the next call that adds a ticket/service/window/staff (arrays may move): copy what
 * you keep. The hall is not thread-safe: its owner (src/app) serialises all access.
 *
 * Every operation that can be refused returns 0 or a negative enum hq_err code and, on refusal,
 * fills *why (a code, the input field at fault and a human message) and changes nothing.
 */
#ifndef HQ_CORE_H
#define HQ_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits: inputs longer than these are refused as invalid_field, never truncated. */
#define HQ_CODE_MAX 3     /* service code, 1-2 capital letters + NUL */
#define HQ_NAME_MAX 128   /* UTF-8 bytes incl. NUL */
#define HQ_TEXT_MAX 512   /* pause reasons, notices */
#define HQ_DOC_MAX 16     /* documents per service */
#define HQ_WIN_SVC_MAX 16 /* services per window */
#define HQ_NEXT_MAX 8     /* next_services of one ticket */
#define HQ_CERT_MAX 32    /* certifications per staff member */
#define HQ_ID_LEN 32      /* ticket ids: 32 lowercase hex chars */
#define HQ_USER_MAX 33    /* usernames: [a-z0-9_.-]{1,32} */
#define HQ_PHONE_MAX 24
#define HQ_NUMBER_MAX 8 /* "AB1234" */
#define HQ_HASH_MAX 128 /* argon2id encoded hash */

/* ---- errors (libuv style: 0 ok, negative failure; one table maps to HTTP, src/core/err.c) ---- */
enum hq_err {
    HQ_OK = 0,
    HQ_EBADJSON = -1,    /* 400 bad_json */
    HQ_EINVAL = -2,      /* 400 invalid_field */
    HQ_EUNAUTH = -3,     /* 401 unauthenticated */
    HQ_EFORBIDDEN = -4,  /* 403 forbidden */
    HQ_ENOTFOUND = -5,   /* 404 not_found */
    HQ_ECONFLICT = -6,   /* 409 conflict */
    HQ_ETOOLARGE = -7,   /* 413 payload_too_large */
    HQ_EMEDIA = -8,      /* 415 unsupported_media_type */
    HQ_ERATE = -9,       /* 429 rate_limited */
    HQ_ESUSPENDED = -10, /* 503 suspended */
    HQ_ESTORE = -11,     /* 503 store_unavailable: the change could not be made durable */
    HQ_EINTERNAL = -12,  /* 500 internal (a bug) */
    HQ_ENOMETHOD = -13,  /* 405 method_not_allowed */
    HQ_ERR_COUNT_ = 14
};

#define HQ_WHY_PARAMS 6     /* parameters of one message, at most */
#define HQ_WHY_VALUE_MAX 96 /* bytes of one parameter value incl. NUL (cut at a UTF-8 boundary) */
struct hq_why_param {
    const char *name; /* from the message catalogue: "window", "status" … */
    char value[HQ_WHY_VALUE_MAX];
};
struct hq_why {
    int code;          /* enum hq_err */
    char field[32];    /* input field at fault, "" if none */
    char message[256]; /* English, precise: "service: no service with code 'Z'" */
    /* Filled by hq_fail from the message catalogue (src/core/messages.c), so a page can say the
     * refusal in its own language. reason: a stable key such as "window.not_found", NULL when the
     * format has no catalogue entry; zh: the Chinese template with {name} placeholders; check: a
     * hash of message when they were filled (a message written by hand later voids them). */
    const char *reason;
    const char *zh;
    uint32_t check;
    int n_params;
    struct hq_why_param params[HQ_WHY_PARAMS];
    int retry_after_s; /* 429/503: seconds until a retry may succeed (Retry-After), 0 unknown */
};

/* Fill *why (may be NULL) and return code. printf-style English message; the format is looked
 * up in the message catalogue (messages.c) for the reason, the parameters and the Chinese. */
int hq_fail(struct hq_why *why, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int hq_err_http_status(int code);
const char *hq_err_name(int code); /* "invalid_field" … */

/* ---- the message catalogue (messages.c) ---- */
struct hq_msg {
    const char *en;                    /* the printf format exactly as hq_fail receives it */
    const char *reason;                /* stable key: "window.not_found" */
    const char *params[HQ_WHY_PARAMS]; /* names in the order of the conversions: {"window"} */
    const char *zh;                    /* Simplified Chinese with {name} placeholders */
};
/* The entry whose English format is fmt, or NULL. Thread-safe, O(1). */
const struct hq_msg *hq_msg_find(const char *fmt);
/* All entries (for the tests and tools); *n gets the count. */
const struct hq_msg *hq_msg_all(size_t *n);
/* The reason of *why: its catalogue key while valid, else the API code ("invalid_field"). */
const char *hq_why_reason(const struct hq_why *why);
/* Number of valid parameters of *why (0 when its reason is not valid). */
int hq_why_n_params(const struct hq_why *why);
/* The message of *why in Simplified Chinese into buf (always NUL-terminated, valid UTF-8):
 * the catalogue's template with the parameters put in (status names and such translated), or
 * a general sentence for the code when the message has no valid entry. Returns buf. */
const char *hq_why_zh(const struct hq_why *why, char *buf, size_t len);

/* ---- time, passed in ---- */
struct hq_now {
    int64_t t;       /* unix seconds */
    int32_t day;     /* local (hall time zone) date as yyyymmdd */
    int32_t minute;  /* local minute of the day 0..1439 */
    int32_t weekday; /* local weekday 0=Sunday..6 */
};

/* Opening hours: per weekday (0 = Sunday) up to HQ_HOURS_RANGES ranges [open, close) in local
 * minutes, ascending and not touching (a lunch break is two ranges); n[d] == 0: closed that day;
 * has_hours false: always open. Entries past n[d] are -1. */
#define HQ_HOURS_RANGES 4
struct hq_hours {
    bool has_hours;
    int8_t n[7];
    int16_t open[7][HQ_HOURS_RANGES];
    int16_t close[7][HQ_HOURS_RANGES];
};
/* Every day closed (has_hours true), or always open (has_hours false): the empty forms. */
void hq_hours_clear(struct hq_hours *h, bool has_hours);
/* Add [open, close) to day d; -1 when it does not fit (too many ranges, out of order, overlap). */
int hq_hours_add(struct hq_hours *h, int d, int open, int close);
bool hq_hours_is_open(const struct hq_hours *h, const struct hq_now *now);
/* Validate h (ranges in 0..1440, open < close, ascending, not touching); 0 or HQ_EINVAL. */
int hq_hours_check(const struct hq_hours *h, const char *field, struct hq_why *why);
/* Minutes from now until the hours next open (0 when open now; -1 when never: no day has a
 * range). Looks up to 8 days ahead; *weekday and *minute (may be NULL) receive when. */
int32_t hq_hours_next_open(const struct hq_hours *h, const struct hq_now *now, int *weekday,
                           int *minute);
/* The last close of weekday d (-1 when closed that day). */
int hq_hours_last_close(const struct hq_hours *h, int d);
/* The first open of weekday d (-1 when closed that day). */
int hq_hours_first_open(const struct hq_hours *h, int d);

/* ---- enums and their names (names are the API's strings) ---- */
enum hq_status {
    HQ_WAITING,
    HQ_CALLED,
    HQ_SERVING,
    HQ_DONE,
    HQ_NO_SHOW,
    HQ_CANCELLED,
    HQ_EXPIRED,
    HQ_STATUS_COUNT_
};
enum hq_category { HQ_NORMAL, HQ_PRIORITY, HQ_APPOINTMENT, HQ_CATEGORY_COUNT_ };
enum hq_channel { HQ_KIOSK, HQ_GUIDE, HQ_WEB, HQ_PHONE, HQ_CHANNEL_COUNT_ };
enum hq_win_state { HQ_WIN_CLOSED, HQ_WIN_OPEN, HQ_WIN_PAUSED, HQ_WIN_STATE_COUNT_ };
enum hq_role {
    HQ_ROLE_NONE,
    HQ_ROLE_ADMIN,
    HQ_ROLE_MANAGER,
    HQ_ROLE_CLERK,
    HQ_ROLE_GUIDE,
    HQ_ROLE_COUNT_
};

const char *hq_status_name(enum hq_status s);
const char *hq_category_name(enum hq_category c);
const char *hq_channel_name(enum hq_channel c);
const char *hq_win_state_name(enum hq_win_state s);
const char *hq_role_name(enum hq_role r);
/* Parse an API string; return the enum value or -1. */
int hq_status_parse(const char *s);
int hq_category_parse(const char *s);
int hq_channel_parse(const char *s);
int hq_role_parse(const char *s);

/* ---- the model ---- */
struct hq_service {
    char code[HQ_CODE_MAX];
    char name[HQ_NAME_MAX];
    char name_en[HQ_NAME_MAX];
    int32_t avg_service_s; /* configured average, > 0 */
    char documents[HQ_DOC_MAX][HQ_NAME_MAX];
    int n_documents;
    int32_t daily_quota; /* 0 = unlimited */
    bool enabled;
    struct hq_hours hours; /* has_hours false: the hall's hours apply */
    /* numbering: last sequence issued on seq_day (persisted with every ticket) */
    int32_t seq_day;
    int32_t seq;
    /* recent service times (seconds), newest last, for the estimate; filled on finish and load */
    int32_t recent[32];
    int n_recent;
};

struct hq_window {
    int32_t number; /* > 0 */
    char name[HQ_NAME_MAX];
    char services[HQ_WIN_SVC_MAX][HQ_CODE_MAX]; /* order of preference */
    int n_services;
    enum hq_win_state state;
    char pause_reason[HQ_TEXT_MAX];
    int64_t paused_at;           /* 0 when not paused */
    int32_t back_in_s;           /* 0 = not given */
    char clerk[HQ_USER_MAX];     /* "" when closed */
    char current[HQ_ID_LEN + 1]; /* id of the called/serving ticket, "" when none */
    /* while open: the services of the list the clerk is certified for, same order */
    char active[HQ_WIN_SVC_MAX][HQ_CODE_MAX];
    int n_active;
    int64_t opened_at;
};

struct hq_cert {
    char service[HQ_CODE_MAX];
    int32_t expires_on; /* yyyymmdd, valid through that day */
};

struct hq_staff {
    char username[HQ_USER_MAX];
    char name[HQ_NAME_MAX];
    enum hq_role role;
    char pw_hash[HQ_HASH_MAX]; /* argon2id encoded; never leaves the server */
    struct hq_cert certs[HQ_CERT_MAX];
    int n_certs;
    bool active;
};

struct hq_ticket {
    char id[HQ_ID_LEN + 1];     /* opaque, from the caller's random source */
    char number[HQ_NUMBER_MAX]; /* "A001" */
    int32_t day;                /* local day of issue, yyyymmdd */
    int32_t seq;
    char service[HQ_CODE_MAX];           /* the service it waits for / is served for now */
    char next[HQ_NEXT_MAX][HQ_CODE_MAX]; /* services still to come, in order */
    int n_next;
    enum hq_category category;
    enum hq_channel channel;
    enum hq_status status;
    char phone[HQ_PHONE_MAX]; /* personal: never in public output */
    int64_t issued_at;
    int64_t queued_at;      /* its place in time (issue; transfer keeps it) */
    int64_t appointment_at; /* 0 unless appointment */
    int64_t called_at, started_at, finished_at;
    int32_t window;          /* 0 = none */
    char clerk[HQ_USER_MAX]; /* who called/served it, "" */
    int32_t calls;
    int32_t stage;       /* 0 for the first service, +1 per finished service */
    bool evaluated;      /* an evaluation exists for its latest finish */
    int64_t recalled_at; /* last recall of the current call, 0 when none (called_at keeps the
                            first call, so waiting times stay honest) */
    int64_t iseq;        /* hall-wide issue sequence (1, 2 …, never reused, persisted): breaks
                            ties of equal time across services; 0 = not known (hand-made) */
    int32_t est_wait_s;  /* the estimated wait given when it was issued, -1 = none */
};

/* Call policy (API.md): score = seconds waited + category boost + service boost. */
struct hq_policy {
    int32_t boost_priority_s;      /* default 1800 */
    int32_t boost_appointment_s;   /* default 3600, once appointment_at has begun */
    int32_t boost_first_service_s; /* default 60, first service of the window's list */
};

/* The hall's own settings (persisted as one record). */
struct hq_hall_conf {
    char name[HQ_NAME_MAX];
    char name_en[HQ_NAME_MAX];
    char timezone[64]; /* IANA name, e.g. "Asia/Shanghai" */
    struct hq_hours hours;
    struct hq_policy policy;
    bool suspended; /* emergency: ticketing suspended (503) */
    char suspend_reason[HQ_TEXT_MAX];
    int32_t target_wait_s; /* crowding target, default 900 */
    /* Emergency (5.5): at day end the queue waits for the next opening instead of expiring, and
     * numbering continues after the carried tickets. */
    bool carry_over;
};

struct hq_hall {
    struct hq_hall_conf conf;
    int32_t day; /* the local day the hall last saw (day roll) */

    struct hq_service *services;
    size_t n_services, cap_services;
    struct hq_window *windows;
    size_t n_windows, cap_windows;
    struct hq_staff *staff;
    size_t n_staff, cap_staff;
    struct hq_ticket *tickets;
    size_t n_tickets, cap_tickets; /* in issue order */
    int64_t issue_seq;             /* the last iseq given (hq_ticket_issue) or loaded */

    /* Private to src/core: an open-addressing index id -> position in tickets, kept in step by
     * the core (issue, load, forget) and rebuilt on its own when tickets were appended behind its
     * back. Because of it a struct hq_hall must never be copied by assignment: use hq_hall_copy. */
    uint32_t *id_slots; /* position + 1; 0 = empty */
    size_t id_cap;      /* power of two, or 0 */
    size_t id_count;    /* tickets indexed */
    const struct hq_ticket *id_base;
    /* Private to src/core (order.c): the waiting tickets of each service in call order, so a
     * position and a waiting count are O(log n). Kept in step by the core's transitions; rebuilt
     * when the ticket array's length or the priority boost changed behind its back. */
    struct hq_order *order;
};

/* Lifecycle. _init sets defaults (policy, empty arrays); _release frees the arrays. */
void hq_hall_init(struct hq_hall *h);
void hq_hall_release(struct hq_hall *h);
/* Deep copy of src into dst (dst is initialised here; release it with hq_hall_release). Used by
 * the simulation to play "what if" on a copy. Returns 0 or HQ_EINTERNAL (out of memory; dst is
 * then empty but initialised). */
int hq_hall_copy(struct hq_hall *dst, const struct hq_hall *src);

/* Code that changed a ticket's status, service, queued_at, category, appointment_at, iseq, day,
 * seq or id by hand (not through this header's functions) calls this before the next position,
 * estimate or waiting count: the order index is rebuilt then. */
void hq_hall_reindex(struct hq_hall *h);

/* Lookups (NULL when absent). */
struct hq_service *hq_service_find(struct hq_hall *h, const char *code);
/* Take window number out of the hall (a retired window): it must be closed with nothing current
 * (HQ_ECONFLICT), else HQ_ENOTFOUND. *slot (may be NULL) gets the index it had in h->windows. */
int hq_window_remove(struct hq_hall *h, int32_t number, size_t *slot, struct hq_why *why);
struct hq_window *hq_window_find(struct hq_hall *h, int32_t number);
struct hq_staff *hq_staff_find(struct hq_hall *h, const char *username);
struct hq_ticket *hq_ticket_find(struct hq_hall *h, const char *id);
struct hq_ticket *hq_ticket_find_number(struct hq_hall *h, int32_t day, const char *number);

/* ---- configuration (validated; on refusal nothing changes) ---- */
/* Add (or, for _put, replace by key) a copy of *s. Validates code, names, avg > 0, quota >= 0.
 * _add refuses an existing key (HQ_ECONFLICT); _put refuses an absent one (HQ_ENOTFOUND), and keeps
 * the service's numbering (seq_day, seq) and recent service times. */
int hq_service_add(struct hq_hall *h, const struct hq_service *s, struct hq_why *why);
int hq_service_put(struct hq_hall *h, const struct hq_service *s, struct hq_why *why);
/* Windows: number > 0, services exist; _put keeps state/clerk/current of an existing window.
 * _add ignores the runtime fields of *w (the window starts closed). The array stays sorted by
 * number. _put of an open window recomputes its active list (certifications checked on h->day).
 * Staff: _put keeps the stored pw_hash when s->pw_hash is "". Certifications must name existing
 * services and valid dates. */
int hq_window_add(struct hq_hall *h, const struct hq_window *w, struct hq_why *why);
int hq_window_put(struct hq_hall *h, const struct hq_window *w, struct hq_why *why);
int hq_staff_add(struct hq_hall *h, const struct hq_staff *s, struct hq_why *why);
int hq_staff_put(struct hq_hall *h, const struct hq_staff *s, struct hq_why *why);
/* Validators shared with the HTTP layer. */
bool hq_valid_service_code(const char *code);
bool hq_valid_username(const char *u);
bool hq_cert_valid(const struct hq_staff *s, const char *service, int32_t day);

/* ---- tickets ---- */
struct hq_issue {
    const char *service;
    enum hq_category category;
    enum hq_channel channel;
    const char *phone; /* NULL or digits/+/-/space, <= 20 */
    const char *next[HQ_NEXT_MAX];
    int n_next;
    int64_t appointment_at; /* required for appointments */
};
/* Issue a ticket with the given id. Refuses (409) a disabled service, one outside its hours or the
 * hall's, one over its daily quota, and any ticket while the hall is suspended (503). Rolls the day
 * first (hq_day_roll). On success *out points at the new ticket.
 * Order of checks: suspended (503); id (1-32 of [0-9a-z], unused: else HQ_EINTERNAL, a caller
 * bug); service (400 "service"); category, channel, phone, next_services (400; a disabled next
 * service is 409), appointment_at (400, appointment only; ignored for other categories); then
 * disabled / hours / quota (409, field "service").
 * Day roll: issue rolls with on_expired NULL, so the caller cannot persist what it expires: the
 * app should call hq_day_roll (with its callback) before every change; then this roll is a no-op.
 * cancel: waiting -> cancelled (finished_at = now). requeue: no_show of today -> waiting. */
int hq_ticket_issue(struct hq_hall *h, const struct hq_now *now, const char *id,
                    const struct hq_issue *in, struct hq_ticket **out, struct hq_why *why);
int hq_ticket_cancel(struct hq_hall *h, const struct hq_now *now, struct hq_ticket *t,
                     struct hq_why *why);
/* A waiting ticket waits for another service from now on, keeping its number and its place in
 * time (a service switched off with customers waiting). HQ_ECONFLICT when it is not waiting,
 * HQ_EINVAL for an unknown service or its own. */
int hq_ticket_move(struct hq_hall *h, struct hq_ticket *t, const char *service, struct hq_why *why);
/* A no_show ticket waits again; queued_at = now unless keep_place. */
int hq_ticket_requeue(struct hq_hall *h, const struct hq_now *now, struct hq_ticket *t,
                      bool keep_place, struct hq_why *why);

/* Number formatting: "A001" … "A999", "A1000" …; buf >= HQ_NUMBER_MAX. */
void hq_format_number(char *buf, const char *code, int32_t seq);

/* ---- window actions (API.md "Windows: the clerk's actions") ----
 * clerk: the acting staff member (role already checked by the caller for "own window or manager").
 * *ticket_out (may be NULL) receives the ticket the action concerned, or NULL.
 * open: the window must be closed or already this staff member's (then only its active list is
 * recomputed); a staff member holds at most one open window (409); the active list is the
 * window's services he holds a certification for, valid on now->day; none: HQ_EFORBIDDEN. Every
 * role is treated alike: an admin or manager opening a window needs certifications too (the
 * standard's 持证上岗 does not exempt managers). Inactive staff: HQ_EFORBIDDEN.
 * call-next / call: window open (not closed, not paused) and without a current ticket, else 409;
 * call-next answers HQ_OK with ticket NULL when nothing waits, and never calls a ticket issued
 * before now->day. call: the number must be today's (404 "number"), waiting and of a service the
 * window serves (409). Both set called_at = now, calls = 1.
 * recall: the current ticket must be called (serving: 409); calls + 1, recalled_at = now
 * (called_at keeps the first call). start: called -> serving. finish: serving -> done, or ->
 * waiting for next[0] (list shifted, stage + 1, queued_at kept); records the service time. no-show:
 * called
 * -> no_show. transfer: called|serving -> waiting for service (400 "service" when unknown or the
 * same), queued_at kept. When a ticket goes back to waiting, window, clerk, calls and the
 * called/started/finished times are cleared (the event log keeps the history).
 * pause: reason 1..HQ_TEXT_MAX-1 bytes (400 "reason"), 0 <= back_in_s <= 86400 (400
 * "back_in_s"); window open without a current ticket (409). resume: paused -> open. close: open or
 * paused without a current ticket -> closed (clerk, active list and pause cleared). */
int hq_window_open(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                   const struct hq_staff *clerk, struct hq_why *why);
int hq_window_call_next(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                        struct hq_ticket **ticket_out, struct hq_why *why);
int hq_window_call_number(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                          const char *number, struct hq_ticket **ticket_out, struct hq_why *why);
int hq_window_recall(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                     struct hq_ticket **ticket_out, struct hq_why *why);
int hq_window_start(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                    struct hq_ticket **ticket_out, struct hq_why *why);
/* finish: done, or waits for its next service (keeping queued_at) when it has one. */
int hq_window_finish(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                     struct hq_ticket **ticket_out, struct hq_why *why);
int hq_window_no_show(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                      struct hq_ticket **ticket_out, struct hq_why *why);
int hq_window_transfer(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                       const char *service, struct hq_ticket **ticket_out, struct hq_why *why);
int hq_window_pause(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                    const char *reason, int32_t back_in_s, struct hq_why *why);
int hq_window_resume(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                     struct hq_why *why);
/* close: refused (409) while a ticket is current. */
int hq_window_close(struct hq_hall *h, const struct hq_now *now, struct hq_window *w,
                    struct hq_why *why);

/* ---- call policy ---- */
/* The score of a waiting ticket for a window (API.md); INT64_MIN when the window does not serve it
 * (not in its active list). Pure; used by call-next, position and the simulation. */
int64_t hq_policy_score(const struct hq_policy *p, const struct hq_window *w,
                        const struct hq_ticket *t, int64_t now);
/* The waiting ticket window w would call now, or NULL. Ties: earlier queued_at, then issue order
 * (iseq; (day, seq) when either is unknown). */
struct hq_ticket *hq_policy_pick(struct hq_hall *h, const struct hq_window *w, int64_t now);
/* The part of the score that does not depend on the window: seconds waited + category boost. */
int64_t hq_policy_base_score(const struct hq_policy *p, const struct hq_ticket *t, int64_t now);
/* Call order of two tickets with their scores: < 0 when a is called before b, > 0 after, 0 only
 * for the same ticket. Higher score first, then earlier queued_at, then lower iseq (issue order
 * across services; lower (day, seq) when either iseq is 0). */
int hq_policy_order(int64_t score_a, const struct hq_ticket *a, int64_t score_b,
                    const struct hq_ticket *b);

/* ---- position and estimated wait (docs/ESTIMATE.md) ---- */
struct hq_estimate {
    int32_t position; /* 1-based */
    int32_t ahead;    /* position - 1 */
    int32_t wait_s;   /* estimated seconds until called */
    int32_t serving;  /* open (not paused) windows serving the service now */
};
/* For a waiting ticket; HQ_ECONFLICT if t is not waiting. Position counts the waiting tickets of
 * t's service in the call order of a window whose first service it is; wait_s is the time until
 * the (ahead+1)-th of the windows serving the service (open or paused) is free, see
 * docs/ESTIMATE.md. */
int hq_ticket_estimate(struct hq_hall *h, const struct hq_now *now, const struct hq_ticket *t,
                       struct hq_estimate *out);
/* Mean of recent service times of a service (configured average when too few). */
int32_t hq_service_time_estimate(const struct hq_service *s);
void hq_service_record_time(struct hq_service *s, int32_t seconds);
int32_t hq_count_waiting(const struct hq_hall *h, const char *service);
/* The estimated wait of a customer who would take a normal ticket for `service` now, behind every
 * ticket waiting for it (same method as hq_ticket_estimate). *windows (may be NULL) receives how
 * many open or paused windows serve the service. */
int32_t hq_service_wait_next(struct hq_hall *h, const struct hq_now *now, const char *service,
                             int32_t *windows);
/* Open (not paused) windows whose active list holds service. */
int32_t hq_service_serving_windows(const struct hq_hall *h, const char *service);

/* ---- day end ---- */
/* Expire every ticket still waiting (or called) from a day before now->day, and those of today
 * when now is past today's closing time and expire_at_close is set. Calls on_expired (may be NULL)
 * for each ticket it expires, so the caller can persist it. Returns how many expired. */
int hq_day_roll(struct hq_hall *h, const struct hq_now *now, bool expire_at_close,
                void (*on_expired)(void *ctx, struct hq_ticket *t), void *ctx);
/* The scan runs only when the day changed or expire_at_close holds: "past today's closing time" is
 * the hall's hours (has_hours, today's close >= 0 and now->minute >= close); at close only waiting
 * tickets expire (a called one stays with its clerk). Expired tickets get finished_at = now; a
 * window whose current ticket expired has current cleared. Sets h->day (never backwards). */
/* Drop tickets in terminal states from days before `day` from memory (they stay in the store). */
void hq_hall_forget_before(struct hq_hall *h, int32_t day);

/* ---- loading (src/store rebuilds the hall with these; no validation of state transitions) ---- */
struct hq_ticket *hq_hall_load_ticket(struct hq_hall *h, const struct hq_ticket *t);
struct hq_window *hq_hall_load_window(struct hq_hall *h, const struct hq_window *w);
struct hq_service *hq_hall_load_service(struct hq_hall *h, const struct hq_service *s);
struct hq_staff *hq_hall_load_staff(struct hq_hall *h, const struct hq_staff *s);

/* ---- personal data ---- */
/* "13812345678" -> "138****5678"; short inputs become all stars. out >= HQ_PHONE_MAX. */
void hq_mask_phone(char *out, const char *phone);

/* ---- internal to src/core, shared between its files: not for other modules ---- */
/* Grow an array to hold need (>= 1) elements: the new array, or NULL (arr untouched). */
void *hq__grow(void *arr, size_t *cap, size_t need, size_t elem);
/* Keep the id index in step after appending h->tickets[h->n_tickets - 1]. */
void hq__index_appended(struct hq_hall *h);
/* The services of w's list that s holds a valid certification for on day, in w's order. */
void hq__window_active(const struct hq_window *w, const struct hq_staff *s, int32_t day,
                       char active[HQ_WIN_SVC_MAX][HQ_CODE_MAX], int *n_active);
/* The order index (order.c). _leave before a ticket stops waiting or its key fields change,
 * _enter after it (again) waits or was appended; both no-ops while the index is not kept. */
void hq__order_leave(struct hq_hall *h, struct hq_ticket *t);
void hq__order_enter(struct hq_hall *h, struct hq_ticket *t);
void hq__order_free(struct hq_hall *h);
/* false: the index is neither kept nor asked, every figure comes from the scans (bench_core's
 * "before"); true (the default): the index again, rebuilt at the next query. */
void hq__order_use(struct hq_hall *h, bool on);
/* Tickets of t's service waiting before t (hq_ticket_estimate's ahead) and the waiting count of
 * a service, from the index; -1 when only the scan can answer (t without iseq, bad code, no
 * memory). */
int32_t hq__order_ahead(struct hq_hall *h, const struct hq_ticket *t, int64_t now);
int32_t hq__order_count(struct hq_hall *h, const char *service);
/* The reference scans the index replaces (estimate.c), kept for the fallback and the tests. */
int32_t hq__ahead_scan(const struct hq_hall *h, const struct hq_ticket *t, int64_t now);
int32_t hq__count_waiting_scan(const struct hq_hall *h, const char *service);
/* call-next's pick: hq_policy_pick from the order index when it can answer (min_day INT32_MIN),
 * else the scan, ignoring tickets issued before min_day (they are about to expire). A ticket
 * changed by hand needs hq_hall_reindex before this sees it; hq_policy_pick always scans. */
struct hq_ticket *hq__policy_pick_day(struct hq_hall *h, const struct hq_window *w, int64_t now,
                                      int32_t min_day);
/* Call-next's pick from the index: the first ticket of each served service's tree and the
 * appointments set aside, O(services × log n). false when only the scan can answer (an index
 * off, out of memory or out of step with a ticket changed by hand, or a served ticket without
 * iseq); then *out is untouched. */
bool hq__order_pick(struct hq_hall *h, const struct hq_window *w, int64_t now,
                    struct hq_ticket **out);
/* The reference scan call-next's pick used before the index (policy.c), for the tests. */
struct hq_ticket *hq__policy_pick_scan(struct hq_hall *h, const struct hq_window *w, int64_t now,
                                       int32_t min_day);

#endif
