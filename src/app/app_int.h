/* SPDX-License-Identifier: MIT */
/*
 * app_int.h — internals shared by the files of src/app (not for callers: they use hq_app.h).
 *
 * Locks, always taken in this order: mu (the hall and everything in memory) → qmu (the commit
 * queue) → lmu (listeners). reader_mu guards the read-only store handle and nests inside nothing.
 */
#ifndef HQ_APP_INT_H
#define HQ_APP_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <semaphore.h>

#include "hq_app.h"

#define HQ_SESSION_TTL_S (12 * 3600)
#define HQ_MAX_LISTENERS 16
#define HQ_MAX_NOTICES 32
#define HQ_RATE_SLOTS 256

struct hq_session {
    char key[65]; /* hex BLAKE2b-256 of the token: the token itself is never stored */
    char username[HQ_USER_MAX];
    char csrf[65];
    int64_t expires_at;
    /* What hq_app_session saw of the staff member (role, active) at staff_gen gen (0: not yet):
     * checked again under mu only when a staff change was queued since (issue 12). */
    int64_t gen;
    int role;
    bool ok;
};

#define HQ_PRINTER_MAX 128
struct hq_device {
    char key[65]; /* hex hash of the device key */
    char name[64];
    char printer[HQ_PRINTER_MAX]; /* "a.b.c.d:9100", "file:/path" or "" (uc_media.c) */
    char role[16];    /* kiosk | display | window_display | pad; "" = registered without one */
    int32_t window;   /* the window of a pad or window display, else 0 */
    int32_t paper_mm; /* a kiosk printer's paper: 58 or 80 (0 = 80) */
    int64_t registered_at;
    int64_t revoked_at; /* 0 = in service; a revoked key is refused at once (uc_devices.c) */
    int64_t last_seen;  /* last request with its key since start (memory only), 0 = none */
};

/* A device waiting to be paired (uc_pairing.c): it shows code, the admin types it. */
#define HQ_MAX_PAIRINGS 64
struct hq_pairing {
    char id[33];    /* the waiting device's secret handle (it polls with it) */
    char code[7];   /* six digits, unique among the live pairings */
    char asked[64]; /* the device page it was opened as ("/pad/2"), "" if none */
    int64_t expires_at;
    char key[65];  /* the new device key in clear once accepted (handed over once), else "" */
    char page[64]; /* where the device goes once paired */
    char name[64];
};

struct hq_notice {
    char id[17];
    char text[HQ_TEXT_MAX];
    char text_en[HQ_TEXT_MAX];
    int64_t posted_at;
    int64_t expires_at; /* 0 = until cleared */
};

/* The last finished ticket of a window, for its evaluation pad; cleared (into `gone`) when the
 * window calls its next ticket or closes. */
struct hq_pad {
    char ticket[HQ_ID_LEN + 1];
    char gone[HQ_ID_LEN + 1]; /* the ticket the pad stopped asking about */
    char number[HQ_NUMBER_MAX];
    int32_t stage;
    int64_t finished_at;
};

struct hq_rate {
    char key[64];
    int64_t window_start;
    int32_t count;
    int64_t blocked_until;
};

/* A batch waiting for the writer. */
struct hq_pending {
    struct hq_batch batch;
    int result; /* 1 = waiting, 0 = committed, < 0 failed */
    struct hq_why why;
    struct hq_pending *next;
    sem_t done; /* posted once by the replier after it set result (and why) */
    /* The asynchronous form (hq__app_commit_later): the replier calls then(then_ctx, result, why)
     * instead of posting done, and frees the pending batch itself. */
    void (*then)(void *ctx, int rc, const struct hq_why *why);
    void *then_ctx;
    /* On the first batch of a group the writer has finished, for the replier (under qmu): the
     * next finished group, the batches queued behind a failed group (failed with it), and the
     * group's result (0 committed, else HQ_ESTORE). */
    struct hq_pending *next_group, *rest;
    int group_rc;
};

struct hq_listener {
    hq_listener_fn fn;
    void *ctx;
};

/* The measured error of the estimate given at issue (uc_estimate.c, docs/ESTIMATE.md): over the
 * hall and per service, n, mean absolute error, share within 5 minutes, and the 10th/90th
 * percentiles of the relative residual (actual - estimate) / max(estimate, 300 s). */
#define HQ_ESTACC_SERVICES 64
#define HQ_ESTACC_MIN_N 20 /* fewer tickets: no range */
struct hq_estacc_group {
    char code[HQ_CODE_MAX]; /* "" for the hall */
    int64_t n;
    double mae_s, within_5min_share, q_low, q_high;
};
struct hq_estacc {
    int32_t from, to; /* days, inclusive */
    struct hq_estacc_group all;
    struct hq_estacc_group services[HQ_ESTACC_SERVICES];
    size_t n_services;
};

struct hq_app {
    pthread_mutex_t mu;
    struct hq_hall hall;
    struct hq_store *store; /* the writer thread's handle (and load at start) */
    struct hq_clock clock;
    int64_t last_seq;    /* last sequence number given to an event (under mu) */
    int64_t durable_seq; /* last committed (under qmu) */
    char public_url[256];
    bool refuse_unserved; /* setting unserved_tickets "refuse": no ticket without a window */
    int32_t public_issue_per_min;

    /* in-memory records, loaded at open (under mu) */
    struct hq_session *sessions; /* changed under mu AND smu; hq_app_session reads under smu */
    size_t n_sessions, cap_sessions;
    pthread_mutex_t smu;       /* the sessions, so that checking one never waits for mu */
    _Atomic int64_t staff_gen; /* bumped (under mu) with every staff change queued */
    struct hq_device *devices;
    size_t n_devices, cap_devices;
    struct hq_pairing pairings[HQ_MAX_PAIRINGS]; /* uc_pairing.c */
    json_t *retired_windows;  /* number → the retired window (uc_retire.c), owned */
    json_t *retired_services; /* code → {code,name,retired_at,retired_by} (branch retire), owned */
    json_t *retired_staff;    /* username → {username,name,role,retired_at,retired_by}, owned */
    size_t n_pairings;
    struct hq_notice notices[HQ_MAX_NOTICES];
    size_t n_notices;
    struct hq_pad *pads; /* indexed by window slot (same as hall.windows) — grown with it */
    size_t n_pads;
    json_t *public_info; /* owned */
    struct hq_rate rates[HQ_RATE_SLOTS];
    struct hq_login_throttle *logins; /* failed sign-ins by (user, address) and address (auth.c) */
    int64_t *alerted;                 /* last alert.crowding per service index (uc_advice.c) */
    size_t n_alerted;
    struct hq_estacc estacc; /* the last 28 days, for wait_range_s (under mu) */
    int64_t estacc_at;       /* when it was computed, 0 = never (under reader_mu) */

    /* commit queue */
    pthread_mutex_t qmu;
    pthread_cond_t qcv; /* writer waits for work */
    struct hq_pending *qhead, *qtail;
    bool stopping;        /* the writer ends once the queue is empty */
    bool ticker_stopping; /* the ticker ends (hq_app_close stops it before the writer) */
    int32_t tick_ms;      /* the ticker's period */
    bool writer_idle;     /* the writer waits on qcv for work */
    pthread_t writer;
    /* groups the writer has committed (or failed), in commit order, for the replier thread to
     * hand to the listeners and callers while the writer commits the next group (qmu) */
    struct hq_pending *dhead, *dtail; /* first batches of the groups, linked by next_group */
    pthread_cond_t dcv;               /* the replier waits for work */
    bool replier_idle;                /* the replier waits on dcv */
    bool writer_stopped; /* the writer has ended: the replier ends once dhead is empty */
    pthread_t replier;
    pthread_t ticker;
    pthread_cond_t tickcv;

    /* listeners (lmu) */
    pthread_mutex_t lmu;
    struct hq_listener listeners[HQ_MAX_LISTENERS];

    /* the read handle for replay and history (reader_mu) */
    pthread_mutex_t reader_mu;
    struct hq_store *reader;

    /* metrics (qmu) */
    struct hq_app_metrics m;

    json_t
        *appt_conf; /* booking settings document (uc_appointments.c), under mu; NULL = defaults */

    /* voice, printing (uc_media.c; media_hub.h); NULL = media off */
    struct hq_media_hub *media;

    /* notifiers and their delivery thread (uc_notify.c, notify_outbox.c); a module (below) */
    struct hq_notify *notify;
};

/* A capability that needs the app's life cycle registers in the table of modules.c instead of
 * app.c calling it by name. Every member may be NULL. open: after the hall and records are loaded,
 * before any thread runs; start: once the writer runs; stop: before the writer stops (a module's
 * thread may still commit until then); close: frees, also after a failed open.
 * before_commit: under mu, for every batch just before it is queued (may add ops to it). */
struct hq__module {
    const char *name;
    int (*open)(struct hq_app *a, struct hq_why *why);
    int (*start)(struct hq_app *a, struct hq_why *why);
    void (*stop)(struct hq_app *a);
    void (*close)(struct hq_app *a);
    void (*before_commit)(struct hq_app *a, struct hq_batch *b);
};
extern const struct hq__module *const hq__modules[]; /* NULL-terminated (modules.c) */

/* Commit b and wait until it is durable. Call with mu HELD: the batch's events get their sequence
 * numbers and the batch is queued in the order of the changes, then mu is released while waiting.
 * mu is NOT held on return. Returns 0, or HQ_ESTORE after which the hall has been rebuilt from the
 * store (the change is lost, and said so). Takes the contents of b (b is left empty). */
int hq__app_commit_unlock(struct hq_app *a, struct hq_batch *b, struct hq_why *why);
/* The same without waiting (issue 12): with mu HELD, queue b and release mu; the writer calls
 * then(ctx, 0, NULL) once b is durable, or then(ctx, HQ_ESTORE, why) when its commit failed,
 * exactly once, on the replier thread, after the events were handed to the listeners. then must
 * not block, take mu or commit. Returns 0 (queued), or HQ_EINTERNAL (out of memory: mu released,
 * nothing queued, then not called; the hall keeps the change until the next failure rebuilds it,
 * as with a failed commit the caller must report it). */
int hq__app_commit_later(struct hq_app *a, struct hq_batch *b,
                         void (*then)(void *ctx, int rc, const struct hq_why *why), void *ctx);

/* A refusal made after a day roll (b holds the roll), with mu HELD: the roll is still worth
 * keeping. Queue b and release mu; wait for its commit unless nowait (then nobody waits for it). */
void hq__app_keep_roll_unlock(struct hq_app *a, struct hq_batch *b, bool nowait);

/* Add an event (seq assigned at commit) whose data is the JSON object `data` (stolen). */
int hq__app_event(struct hq_app *a, struct hq_batch *b, const char *actor, const char *type,
                  json_t *data);

/* JSON views (json_out.c). staff_view adds masked phone and clerk names. */
json_t *hq__ticket_json(struct hq_app *a, const struct hq_now *now, const struct hq_ticket *t,
                        bool staff_view);
/* The same view in two steps, so that a use case builds the JSON after releasing mu: take copies
 * the ticket and everything its view reads from the hall at that moment (service name and
 * documents, position, estimate, wait range; under mu); json builds hq__ticket_json's object
 * from the copy (without mu). hq__ticket_json is take then json. */
struct hq__ticket_view {
    struct hq_ticket t;
    bool has_service;
    char service_name[HQ_NAME_MAX];
    int n_documents;
    char documents[HQ_DOC_MAX][HQ_NAME_MAX];
    bool has_estimate; /* waiting, with an estimate */
    struct hq_estimate est;
    bool has_range;
    int64_t range_lo, range_hi;
};
void hq__ticket_view_take(struct hq_app *a, const struct hq_now *now, const struct hq_ticket *t,
                          struct hq__ticket_view *v);
json_t *hq__ticket_view_json(struct hq_app *a, const struct hq__ticket_view *v, bool staff_view);
json_t *hq__window_json(struct hq_app *a, const struct hq_window *w);
json_t *hq__service_json(const struct hq_service *s);
json_t *hq__staff_json(const struct hq_staff *s);
json_t *hq__hall_json(struct hq_app *a);
json_t *hq__time_json(struct hq_app *a, int64_t t); /* RFC 3339 string or null */
/* Event payloads: no ids, no personal data. */
json_t *hq__ticket_event_json(const struct hq_ticket *t);

/* JSON inputs (json_in.c): strict field readers. Each returns 0 or HQ_EINVAL with *why naming
 * the field. `required` false: absent or null leaves *out unchanged. */
int hq__in_str(json_t *o, const char *key, bool required, char *out, size_t cap,
               struct hq_why *why);
/* Text typed by people: at most max_chars Unicode characters (and cap - 1 bytes; make cap at
 * least HQ_TEXT_CAP(max_chars)). */
#define HQ_TEXT_CAP(max_chars) ((max_chars)*4 + 1)
int hq__in_text(json_t *o, const char *key, bool required, size_t max_chars, char *out, size_t cap,
                struct hq_why *why);
/* Unicode characters (code points) in len bytes of valid UTF-8. */
size_t hq__utf8_chars(const char *s, size_t len);

/* Complaint categories (complaint_categories.c): the hall's list, public_info.complaints.
 * categories [{"zh","en"}], or the default list. */
#define HQ_CATEGORY_CHARS 40                        /* characters of one name */
#define HQ_CATEGORY_MAX 32                          /* names in the list */
json_t *hq__complaint_categories(struct hq_app *a); /* new reference; takes mu */
/* Refuse a public_info whose complaint settings are off: complaints.categories not such a list,
 * or a deadline (complaints.ack_working_days, resolve_working_days) out of range. */
int hq__complaint_settings_check(json_t *info, struct hq_why *why);
/* given (Chinese or English name) -> the Chinese name into out, or HQ_EINVAL. Takes mu. */
int hq__complaint_category_pick(struct hq_app *a, const char *given, char *out, size_t cap,
                                struct hq_why *why);
int hq__in_int(json_t *o, const char *key, bool required, int64_t min, int64_t max, int64_t *out,
               struct hq_why *why);
int hq__in_bool(json_t *o, const char *key, bool required, bool *out, struct hq_why *why);
/* Refuse members not in the NULL-terminated list. */
int hq__in_known(json_t *o, const char *const *allowed, struct hq_why *why);
/* Parse an RFC 3339 time ("2026-11-27T09:00:00+08:00" or …Z) to unix seconds. */
int hq__parse_time(const char *s, int64_t *out);
/* "YYYY-MM-DD" <-> yyyymmdd */
int hq__parse_date(const char *s, int32_t *out);
void hq__format_date(int32_t day, char *buf, size_t len);
/* Local midnight of yyyymmdd + plus_days, unix seconds (the process runs in the hall's zone). */
int64_t hq__midnight(int32_t day, int plus_days);
/* The store documents of kind with times in [from, to) (to 0: no upper bound), at most max (0:
 * all), newest first, parsed: a new JSON array. Takes reader_mu. */
json_t *hq__docs_list(struct hq_app *a, const char *kind, int64_t from, int64_t to, size_t max);

/* Random hex string of 2*nbytes chars (libsodium). */
void hq__random_hex(char *out, size_t nbytes);
/* A new ticket's id (HQ_ID_LEN hex digits): time-ordered, then random (app.c). */
void hq__ticket_id(char out[HQ_ID_LEN + 1]);
/* Hex BLAKE2b-256 of s into out[65]. */
void hq__hash_hex(const char *s, char *out);

/* Which window index (0-based in hall.windows) a window pointer is. */
size_t hq__window_index(struct hq_app *a, const struct hq_window *w);
struct hq_pad *hq__pad(struct hq_app *a, const struct hq_window *w);

/* Hall loaded: rebuild the in-memory records from the store (auth.c, feedback.c). */
int hq__auth_load(struct hq_app *a, struct hq_why *why);
int hq__records_load(struct hq_app *a, struct hq_why *why);
void hq__auth_release(struct hq_app *a);

int hq__password_hash(const char *password, char out[HQ_HASH_MAX]);
int hq__roll(struct hq_app *a, const struct hq_now *now, struct hq_batch *b);

/* Public rate limit: at most per_min requests of this kind a minute from one address (staff and
 * registered devices are exempt). HQ_ERATE with a message naming `what`. Takes mu. */
int hq__rate_public(struct hq_app *a, const struct hq_actor *who, const char *kind, int per_min,
                    const char *what, struct hq_why *why);
/* The same with mu held. */
int hq__rate_public_held(struct hq_app *a, const struct hq_actor *who, const char *kind,
                         int per_min, const char *what, struct hq_why *why);

/* Devices (uc_devices.c). role_valid: kiosk|display|window_display|pad; page: the device page of
 * a role ("" for none); from_doc: d from its stored document; parse: {name, role, window, printer,
 * paper_mm} with the rules between them (known: the allowed keys); add: store d (its key already
 * hashed) with a device.registered event by actor; json: the device as GET /devices shows it. */
bool hq__device_role_valid(const char *role);
bool hq__device_role_has_window(const char *role);
void hq__device_page(const char *role, int32_t window, char *out, size_t cap);
void hq__device_from_doc(struct hq_device *d, const char *key, json_t *o);
int hq__device_parse(struct hq_app *a, json_t *in, const char *const *known, struct hq_device *d,
                     struct hq_why *why);
int hq__device_add(struct hq_app *a, const char *actor, const struct hq_device *d,
                   struct hq_why *why);
json_t *hq__device_json(struct hq_app *a, const struct hq_device *d);

/* The configuration's input checks (uc_config.c), shared by the single-record routes and the
 * configuration import (uc_config_io.c). create: a new record (its key and required fields must
 * be given); otherwise *rec holds the current values and only given fields change. staff: the
 * password (if any) into password. hall: name, name_en, timezone, hours, target_wait_s, policy
 * and public_info into *conf (and *info_text_out, the public information as stored, malloc'd or
 * NULL). 0 or a refusal naming the field. */
int hq__service_parse(json_t *in, struct hq_service *s, bool create, struct hq_why *why);
/* "hours" of PUT /hall, /services (hours_in.c); a refusal names hours.<day> */
int hq__hours_parse(json_t *v, struct hq_hours *out, struct hq_why *why);
/* Under mu: 409 when the hall refuses tickets no open window serves (uc_config.c) */
int hq__unserved_check(struct hq_app *a, const char *service, struct hq_why *why);
int hq__window_parse(json_t *in, struct hq_window *w, bool create, struct hq_why *why);
int hq__staff_parse(json_t *in, struct hq_staff *s, bool create, char *password, size_t pcap,
                    struct hq_why *why);
int hq__hall_parse(json_t *in, struct hq_hall_conf *conf, char **info_text_out, struct hq_why *why);

/* Retired windows (uc_retire.c): load at open; under mu, is number retired? */
int hq__retire_load(struct hq_app *a, struct hq_why *why);
bool hq__window_retired(struct hq_app *a, int32_t number);
struct hq_stats_input;
/* Under mu: the retired windows' names into statistics' input (their history stays counted). */
int hq__retired_window_names(struct hq_app *a, struct hq_stats_input *in);

/* Under mu: drop expired sessions from memory and the store (auth.c). */
void hq__sessions_purge(struct hq_app *a, int64_t now, struct hq_batch *b);
/* Under mu: end every session of username (memory and store; branch retire). */
void hq__sessions_end_user(struct hq_app *a, const char *username, int64_t now, struct hq_batch *b);

/* Retired services and staff (uc_retire_records.c, branch retire): they stay in the hall, switched
 * off / off duty, so tickets, statistics and reports keep their names; every list and page leaves
 * them out. Load at open; under mu, is it retired? */
int hq__retired_records_load(struct hq_app *a, struct hq_why *why);
bool hq__service_retired(struct hq_app *a, const char *code);
bool hq__staff_retired(struct hq_app *a, const char *username);
/* Under mu: forget a retired record deleted for good, its document deleted in b. */
int hq__retired_forget(struct hq_app *a, struct hq_batch *b, bool service, const char *key,
                       int64_t now);
/* Under mu: a service switched off while customers wait for it (uc_config.c): 409 until
 * waiting_action says keep or transfer (transfer_to); the transfers go into b. */
int hq__service_off(struct hq_app *a, const struct hq_actor *who, const char *code, json_t *in,
                    struct hq_batch *b, struct hq_why *why);

/* The first kind of store document naming a service code (service) or a staff member (value the
 * username, name the person's name) as text (record_refs.c): 1 and *out filled, 0 none, < 0 the
 * store failed (why set). Not under mu (it takes reader_mu). */
struct hq_record_ref {
    const char *what; /* "training records" … (a "kind" phrase of the message catalogue) */
    int count;
};
int hq__record_refs(struct hq_app *a, bool service, const char *value, const char *name,
                    struct hq_record_ref *out, struct hq_why *why);

/* Under mu: crowding alerts into b (uc_advice.c). */
void hq__crowding_check(struct hq_app *a, const struct hq_now *now, struct hq_batch *b);

/* The estimate's measured error (uc_estimate.c). compute: days [from, to] from store s (the
 * caller holds whatever guards s). refresh: the last 28 days into a->estacc when older than
 * max_age_s; call WITHOUT mu (takes reader_mu, then mu). period_json: {"n","mae_s",
 * "within_5min_share","services":[{"code","n","mae_s","within_5min_share"}]} of [from, to] from
 * the read handle (takes reader_mu; without mu). wait_range: under mu, [low, high] for an estimate
 * of service, or json null without enough history. */
int hq__estacc_compute(struct hq_store *s, int32_t from, int32_t to, struct hq_estacc *out);
void hq__estacc_refresh(struct hq_app *a, int max_age_s);
json_t *hq__estacc_json(const struct hq_estacc *e);
json_t *hq__estacc_period_json(struct hq_app *a, int32_t from, int32_t to);
json_t *hq__wait_range_json(struct hq_app *a, const char *service, int32_t est_s);
bool hq__wait_range(struct hq_app *a, const char *service, int32_t est_s, int64_t *lo, int64_t *hi);
/* yyyymmdd plus n days (n may be negative). */
int32_t hq__day_add(int32_t day, int n);

/* The admin's public URL (doc setting/public_url) into a->public_url unless already set
 * (uc_config.c). */
void hq__public_url_load(struct hq_app *a);

/* Periodic work under mu: day roll, expiries, crowding (uc_tick.c). Returns after commit. Then the
 * registered tick work of the capabilities (uc_tick.c's table), without mu. */
void hq__app_tick(struct hq_app *a);

#endif
