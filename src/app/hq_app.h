/* SPDX-License-Identifier: MIT */
/*
 * hq_app.h — the use cases: the one path every change takes. Load what is needed, let the core
 * decide, commit the change with its event through the store (group commit, durable before the
 * call returns), then publish the event to listeners (the SSE hub). HTTP handlers and CLI commands
 * are thin callers of these functions, so both behave the same.
 *
 * Threads: every function is safe to call from any thread. One mutex guards the hall; a writer
 * thread commits queued batches together (many callers share one fsync) and wakes the callers.
 * Inputs are jansson objects as the API receives them (borrowed); outputs are new json_t
 * snapshots the caller owns (json_decref). On refusal: a negative enum hq_err, *why filled, and
 * nothing changed.
 */
#ifndef HQ_APP_H
#define HQ_APP_H

#include <jansson.h>

#include "../core/hq_core.h"
#include "../store/hq_store.h"

struct hq_app;

/* Who acts. role HQ_ROLE_NONE = the public (kiosk, phone, web). */
struct hq_actor {
    char username[HQ_USER_MAX];
    enum hq_role role;
    char ip[64];
    bool device; /* a registered device (exempt from the public rate limit) */
    char device_name[64];
};

/* Clock: seconds since the epoch. Tests pass a fake one; NULL now = the real clock. */
struct hq_clock {
    int64_t (*now)(void *ctx);
    void *ctx;
};

struct hq_app_options {
    const char *db; /* path or postgresql:// URL */
    struct hq_clock clock;
    const char *public_url;       /* base of tracking URLs in QR codes, e.g. http://hall.example */
    int32_t public_issue_per_min; /* per address, default 60 */
    int32_t tick_ms;              /* the ticker's period (day roll, purges), default 5000 */
};

/* Open the store, rebuild the hall, start the writer thread. NULL and *why on failure. */
struct hq_app *hq_app_open(const struct hq_app_options *o, struct hq_why *why);
/* Stop the writer (after committing what is queued) and free everything. */
void hq_app_close(struct hq_app *a);

/* Current time through the app's clock, and its local breakdown in the hall's time zone. */
int64_t hq_app_time(struct hq_app *a);
void hq_app_now(struct hq_app *a, struct hq_now *out);
/* RFC 3339 with the hall's offset; buf >= 32. t == 0 writes "" (the JSON layer makes it null). */
void hq_app_format_time(struct hq_app *a, int64_t t, char *buf, size_t len);

/* The configured public base URL of tracking links ("" when unset: use the request's Host). */
const char *hq_app_public_url(struct hq_app *a);

/* ---- live events ---- */
/* Called on the replier thread after each commit, in sequence order. Must not block or call back
 * into the app. Returns a listener id for hq_app_unlisten. */
typedef void (*hq_listener_fn)(void *ctx, const struct hq_event *e);
int hq_app_listen(struct hq_app *a, hq_listener_fn fn, void *ctx);
void hq_app_unlisten(struct hq_app *a, int id);
int64_t hq_app_last_seq(struct hq_app *a);
/* Replay from the durable log (own read handle; any thread). */
int hq_app_events_since(struct hq_app *a, int64_t after, size_t max, hq_event_cb cb, void *ctx);

/* ---- sign-in ---- */
/* Verify (argon2id, off the hall lock), create a durable session. *out =
 * {"token","csrf","expires_at","user":{"username","name","role"}}. Refusals: HQ_EUNAUTH (wrong
 * user or password, same message for both), HQ_ERATE (too many failures for this user or ip). */
int hq_app_login(struct hq_app *a, const char *username, const char *password, const char *ip,
                 json_t **out, struct hq_why *why);
int hq_app_logout(struct hq_app *a, const char *token, struct hq_why *why);
/* Resolve a token to an actor; *csrf_out (may be NULL, >= 65 bytes) receives the session's CSRF
 * token. HQ_EUNAUTH when unknown or expired. */
int hq_app_session(struct hq_app *a, const char *token, struct hq_actor *out, char *csrf_out);
/* A registered device key (kiosk): fills out->device and notes the device was seen. HQ_EUNAUTH
 * when unknown, HQ_EFORBIDDEN when the device was revoked. */
int hq_app_device(struct hq_app *a, const char *key, struct hq_actor *out);
/* Public rate limit for ticket issuing; HQ_ERATE when over. */
int hq_app_rate_check(struct hq_app *a, const struct hq_actor *who, struct hq_why *why);

/* ---- API use cases (../shared/API.md). params are path parts as strings. ---- */
int hq_app_services_list(struct hq_app *a, json_t **out);
int hq_app_service_create(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                          struct hq_why *why);
int hq_app_service_update(struct hq_app *a, const struct hq_actor *who, const char *code,
                          json_t *in, json_t **out, struct hq_why *why);
int hq_app_service_disable(struct hq_app *a, const struct hq_actor *who, const char *code,
                           json_t **out, struct hq_why *why);

int hq_app_windows_list(struct hq_app *a, json_t **out);
int hq_app_window_get(struct hq_app *a, int32_t number, json_t **out, struct hq_why *why);
int hq_app_window_create(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                         struct hq_why *why);
int hq_app_window_update(struct hq_app *a, const struct hq_actor *who, int32_t number, json_t *in,
                         json_t **out, struct hq_why *why);
/* action: "open", "call-next", "call", "recall", "start", "finish", "no-show", "transfer",
 * "pause", "resume", "close". *out = {"window":…,"ticket":…}. */
int hq_app_window_action(struct hq_app *a, const struct hq_actor *who, int32_t number,
                         const char *action, json_t *in, json_t **out, struct hq_why *why);
/* The same, answered later when later is not NULL (struct hq_app_later below). */
struct hq_app_later;
int hq_app_window_action_later(struct hq_app *a, const struct hq_actor *who, int32_t number,
                               const char *action, json_t *in, json_t **out, struct hq_why *why,
                               const struct hq_app_later *later);

int hq_app_staff_list(struct hq_app *a, const struct hq_actor *who, json_t **out,
                      struct hq_why *why);
int hq_app_staff_create(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                        struct hq_why *why);
int hq_app_staff_update(struct hq_app *a, const struct hq_actor *who, const char *username,
                        json_t *in, json_t **out, struct hq_why *why);

int hq_app_ticket_issue(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                        struct hq_why *why);

/* An answer given later (issue 12): a use case given one may queue its change and return
 * HQ_APP_LATER at once instead of waiting for the commit; fn(ctx, 0, out, NULL) is then called
 * once the change is durable (out: the answer, owned by fn), or fn(ctx, rc, NULL, why) when the
 * commit failed: exactly once, on the group commit's replier thread. fn must not block, take an app
 * lock or call the app. Any other return is the answer as without it (fn not called). */
#define HQ_APP_LATER 1
/* With nowait, the caller is a thread that must never wait (an HTTP event thread): the use case
 * returns HQ_APP_BUSY, having changed nothing, whenever it would have to wait for a lock, the
 * store or a device; the caller then calls it again from a thread that may wait. */
#define HQ_APP_BUSY 2
struct hq_app_later {
    void (*fn)(void *ctx, int rc, json_t *out, const struct hq_why *why);
    void *ctx;
    bool nowait;
};
/* hq_app_ticket_issue, answered later when later is not NULL (not for issues that print on a
 * device's printer or take an ID number: those wait for their commit). */
int hq_app_ticket_issue_later(struct hq_app *a, const struct hq_actor *who, json_t *in,
                              json_t **out, struct hq_why *why, const struct hq_app_later *later);
/* Public view of one ticket by its secret id (no phone). */
int hq_app_ticket_get(struct hq_app *a, const char *id, json_t **out, struct hq_why *why);
/* Staff list; status/service filters may be NULL. */
int hq_app_tickets_list(struct hq_app *a, const struct hq_actor *who, const char *status,
                        const char *service, json_t **out, struct hq_why *why);
/* Staff list with the counter's and the guide's filters (uc_ticket_find.c): window = the waiting
 * tickets of window n in call-next order, q = a ticket number or (the end of) a phone number. */
int hq_app_tickets_find(struct hq_app *a, const struct hq_actor *who, const char *status,
                        const char *service, const char *window, const char *q, json_t **out,
                        struct hq_why *why);
int hq_app_ticket_cancel(struct hq_app *a, const struct hq_actor *who, const char *id, json_t **out,
                         struct hq_why *why);
int hq_app_ticket_requeue(struct hq_app *a, const struct hq_actor *who, const char *id, json_t *in,
                          json_t **out, struct hq_why *why);
/* A no-show rejoins in its old place, once, within public_info.rejoin.grace_s (default 600 s);
 * dry_run answers {"allowed":true,"until"} or the same refusal without changing anything. */
int hq_app_ticket_rejoin(struct hq_app *a, const char *id, bool dry_run, json_t **out,
                         struct hq_why *why);

int hq_app_display(struct hq_app *a, json_t **out);
int hq_app_notice_post(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                       struct hq_why *why);
int hq_app_notice_clear(struct hq_app *a, const struct hq_actor *who, const char *id, json_t **out,
                        struct hq_why *why);

/* The evaluation pad of window n: {"ticket": id or null, "number", "window"} — the ticket
 * finished there in the last 10 minutes and not yet evaluated. For registered devices and staff. */
int hq_app_window_pending_eval(struct hq_app *a, int32_t number, json_t **out, struct hq_why *why);
/* Register a device (kiosk, pad, display) {name, role, window, printer, paper_mm}: *out = the
 * device with its "key", shown only this once (uc_devices.c). */
int hq_app_device_register(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                           struct hq_why *why);
/* Registered devices: [{"id","name","role","window","page","printer","paper_mm","last_seen",
 * "revoked",…}] (never their keys). */
int hq_app_devices_list(struct hq_app *a, json_t **out);
/* PUT {name, window, printer, paper_mm}; revoke (its key is refused from now on); delete (only a
 * revoked one); a test slip on the device's printer: *out = {"ok", "problem"}. id: GET's "id". */
int hq_app_device_update(struct hq_app *a, const struct hq_actor *who, const char *id, json_t *in,
                         json_t **out, struct hq_why *why);
int hq_app_device_revoke(struct hq_app *a, const struct hq_actor *who, const char *id, json_t **out,
                         struct hq_why *why);
int hq_app_device_delete(struct hq_app *a, const struct hq_actor *who, const char *id,
                         struct hq_why *why);
/* The hall's set-up as JSON (uc_config_io.c): export {format, version, hall, services, windows,
 * staff} (no passwords, devices or customers); import such a document, all or nothing:
 * *out = {"changes":[{"kind","key","action":"create|update|unchanged"}], "needs_password":[…],
 * "applied"}; dry_run (or nothing to change) writes nothing. */
int hq_app_config_export(struct hq_app *a, json_t **out);
int hq_app_config_import(struct hq_app *a, const struct hq_actor *who, json_t *in, bool dry_run,
                         json_t **out, struct hq_why *why);

/* Retired windows (uc_retire.c): list; retire {"number"} (closed, no device on it: out of every
 * list, history kept); restore; delete for good (only one that never served a ticket). */
int hq_app_windows_retired(struct hq_app *a, json_t **out);
int hq_app_window_retire(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                         struct hq_why *why);
int hq_app_window_restore(struct hq_app *a, const struct hq_actor *who, int32_t number,
                          json_t **out, struct hq_why *why);
int hq_app_window_delete(struct hq_app *a, const struct hq_actor *who, int32_t number, json_t **out,
                         struct hq_why *why);
int hq_app_device_test_print(struct hq_app *a, const char *id, json_t **out, struct hq_why *why);
/* Services and staff deleted for good while nothing refers to them (uc_retire.c); else 409. */
int hq_app_service_delete_forever(struct hq_app *a, const struct hq_actor *who, const char *code,
                                  json_t **out, struct hq_why *why);
int hq_app_staff_delete_forever(struct hq_app *a, const struct hq_actor *who, const char *username,
                                json_t **out, struct hq_why *why);

/* Retired services and staff (uc_retire_records.c, branch retire): lists; retire {"code",
 * "waiting_action", "transfer_to"} / {"username"} (out of every list and page, history kept; 409
 * with a field while something still needs them); restore (back switched off / off duty). */
int hq_app_services_retired(struct hq_app *a, json_t **out);
int hq_app_staff_retired(struct hq_app *a, json_t **out);
int hq_app_service_retire(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                          struct hq_why *why);
int hq_app_staff_retire(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                        struct hq_why *why);
int hq_app_service_restore(struct hq_app *a, const struct hq_actor *who, const char *code,
                           json_t **out, struct hq_why *why);
int hq_app_staff_restore(struct hq_app *a, const struct hq_actor *who, const char *username,
                         json_t **out, struct hq_why *why);

/* Pairing (uc_pairing.c). A device page without a key asks for a code: start {"page"} (public)
 * → {"id" (its secret), "code" (six digits to show), "expires_at"}; the device polls with its id:
 * {"status":"waiting"} until an admin accepts the code {code, name, role, window, printer,
 * paper_mm} (→ the new device), then once {"status":"paired","key","page","name"}; after that,
 * or after ten minutes, the id is unknown (404). */
int hq_app_pairing_start(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                         struct hq_why *why);
int hq_app_pairing_poll(struct hq_app *a, const char *id, json_t **out, struct hq_why *why);
/* The code of a live pairing, without handing anything over (its QR code). 0 or HQ_ENOTFOUND. */
int hq_app_pairing_code(struct hq_app *a, const char *id, char code[7], struct hq_why *why);
int hq_app_pairing_accept(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                          struct hq_why *why);
/* Recent evaluations, newest first (t in [from, to), to = 0 no bound), without ticket ids. */
int hq_app_evaluations_list(struct hq_app *a, int64_t from, int64_t to, size_t max, json_t **out,
                            struct hq_why *why);
int hq_app_evaluation_create(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                             struct hq_why *why);
int hq_app_complaint_create(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                            struct hq_why *why);
int hq_app_complaint_track(struct hq_app *a, const char *code, json_t **out, struct hq_why *why);
/* Complaint handling (uc_complaints.c, docs/COMPLAINTS.md; clauses 8.2, 9.2.1). list: newest
 * first, status NULL/"" = all, "open" = not closed; *out = {"complaints":[summary without contact],
 * "open","escalated","overdue":{"acknowledge","resolve"}}. get: the staff view with contact,
 * content, internal notes, overdue flags and the allowed "actions". action: "acknowledge" {note},
 * "assess" {category,severity,window,clerk,substantiated,note,internal_note}, "resolve" {result,
 * measures,internal_note}, "verdict" {satisfied,comment,escalate}, "close" {note,internal_note},
 * "escalate" {reason,to,note}; in may be NULL; *out = the staff view. Refusals: HQ_ENOTFOUND,
 * HQ_EINVAL (a required note missing), HQ_ECONFLICT (not possible in this status). verdict: the
 * complainant's, by tracking code (public, rate-limited); *out = the public tracking view. */
int hq_app_complaints_list(struct hq_app *a, const char *status, bool overdue_only, size_t max,
                           json_t **out, struct hq_why *why);
int hq_app_complaint_get(struct hq_app *a, const char *code, json_t **out, struct hq_why *why);
int hq_app_complaint_action(struct hq_app *a, const struct hq_actor *who, const char *code,
                            const char *action, json_t *in, json_t **out, struct hq_why *why);
int hq_app_complaint_verdict(struct hq_app *a, const struct hq_actor *who, const char *code,
                             json_t *in, json_t **out, struct hq_why *why);
/* Improvement actions: {"improvements":[…],"open","overdue"} (status NULL, "open" or "done");
 * create {source,complaint?,ref?,title,owner,due?} (from a complaint: resolved or closed, else
 * HQ_ECONFLICT); close {result?} (HQ_ECONFLICT when done already). */
int hq_app_improvements_list(struct hq_app *a, const char *status, json_t **out,
                             struct hq_why *why);
int hq_app_improvement_create(struct hq_app *a, const struct hq_actor *who, json_t *in,
                              json_t **out, struct hq_why *why);
int hq_app_improvement_close(struct hq_app *a, const struct hq_actor *who, const char *id,
                             json_t *in, json_t **out, struct hq_why *why);

int hq_app_hall_get(struct hq_app *a, json_t **out);
int hq_app_hall_update(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                       struct hq_why *why);

/* Live advice (5.2.3, 5.2.5): per service the waiting count, open windows, the predicted wait of
 * a customer arriving now, status ok/crowded/idle with a suggestion in both languages, and the
 * idle windows. */
int hq_app_advice(struct hq_app *a, json_t **out, struct hq_why *why);

/* The window plan of a day (uc_plan.c, docs/PLANNING.md). in (may be NULL): {"date":
 * "YYYY-MM-DD" (default today), "target_wait_s" (default the hall's), "service_level" (0.8),
 * "weeks" (of history, 8), "holidays": [{"date","as":"closed"|"mon".."sun"}] (added to the stored
 * ones)}. *out: forecast arrivals per service and half hour, windows needed per service group
 * (Erlang C, checked by simulation) and the predicted service level and waits. what_if adds
 * "windows": {"A": n or [per half hour of the plan's slots], "A,B": …}; services left out keep
 * their group's planned windows; *out = the simulated waits per pool. Computed outside the hall
 * lock; reads the store's read handle. */
int hq_app_plan(struct hq_app *a, json_t *in, json_t **out, struct hq_why *why);
int hq_app_plan_what_if(struct hq_app *a, json_t *in, json_t **out, struct hq_why *why);
/* The holidays the plan knows: {"holidays":[{"date","as"}]}; put replaces the list. */
int hq_app_plan_holidays_get(struct hq_app *a, json_t **out, struct hq_why *why);
int hq_app_plan_holidays_put(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                             struct hq_why *why);
/* The same as hq_app_plan / _what_if from a database path without a running app (the CLI): opens
 * its own store handle, takes the hall's time zone, writes nothing. */
int hq_plan_from_db(const char *db, json_t *in, bool what_if, json_t **out, struct hq_why *why);

/* ---- statistics and reports (uc_stats.c, docs/STATS.md) ---- */
/* The figures of local days [from, to] ("YYYY-MM-DD", inclusive; NULL = today, one of them = that
 * day; at most 366 days) from the read handle: *out = the JSON of GET /api/v1/stats. */
int hq_app_stats(struct hq_app *a, const char *from, const char *to, json_t **out,
                 struct hq_why *why);
/* Two periods {"a_from","a_to","b_from","b_to"} or two windows {"from","to","window_a",
 * "window_b"} compared: figures of each and the z / Welch t tests. */
int hq_app_stats_compare(struct hq_app *a, json_t *in, json_t **out, struct hq_why *why);
/* The report of [from, to] as format "csv", "xlsx", "pdf" or "json"; *out malloc'd (caller
 * frees). hq_report_from_db does the same from a database path without a running app (the CLI:
 * own read handle, the hall's time zone, writes nothing). */
int hq_app_report(struct hq_app *a, const char *from, const char *to, const char *format,
                  unsigned char **out, size_t *len, struct hq_why *why);
int hq_report_from_db(const char *db, const char *from, const char *to, const char *format,
                      unsigned char **out, size_t *len, struct hq_why *why);

/* Metrics snapshot for /metrics: tickets by state, last seq, commit batch histogram. */
struct hq_app_metrics {
    int64_t tickets_by_status[HQ_STATUS_COUNT_];
    int64_t last_seq;
    int64_t commits;
    int64_t batches_committed;
    int64_t batch_size_hist[8]; /* 1, 2, 4, 8, 16, 32, 64, >64 batches per transaction */
};
void hq_app_metrics(struct hq_app *a, struct hq_app_metrics *out);

/* ---- direct access for the CLI (init, demo): run fn with the hall locked, then commit the
 * batch it filled and publish. fn returns 0 or a negative hq_err (then nothing is committed). */
typedef int (*hq_app_tx_fn)(void *ctx, struct hq_hall *h, const struct hq_now *now,
                            struct hq_batch *b, struct hq_why *why);
int hq_app_transact(struct hq_app *a, const char *actor, hq_app_tx_fn fn, void *ctx,
                    struct hq_why *why);

/* ---- media (uc_media.c, docs/MEDIA.md): call announcements, ticket images, printing ---- */
struct hq_app_voice_options {
    const char *espeak;      /* program; NULL = "espeak-ng" (PATH) */
    bool natural_numbers;    /* A001 said "A 一" / "A1" rather than "A 零零一" / "A0 0 1" */
    const char *template_zh; /* NULL = the default, see hq_media.h */
    const char *template_en;
};
/* Start voice announcements: create the voice worker and subscribe a listener that queues an
 * announcement on every ticket.called / ticket.recalled (never delaying the call). Once, after
 * hq_app_open, before serving. Returns 0, or a negative hq_err with *why (espeak-ng missing: the
 * app then simply has no voice). hq_app_close stops it. */
int hq_app_voice_start(struct hq_app *a, const struct hq_app_voice_options *o, struct hq_why *why);
bool hq_app_voice_enabled(struct hq_app *a);
/* 1-2 capital letters then 3-5 digits ("A001"). */
bool hq_app_announcement_number_valid(const char *number);

#define HQ_APP_PENDING 1 /* returned (with *why) when audio is not rendered in time */
/* The WAV announcing number at window, for tickets called to that window today. Waits up to
 * timeout_ms (on the calling thread, no lock held) for the render. *wav is malloc'd (caller
 * frees). Returns 0; HQ_EINVAL (number/window field); HQ_ENOTFOUND (voice off, or never called
 * there today); HQ_APP_PENDING (still rendering, or queue full); HQ_EINTERNAL (espeak-ng failed,
 * its message in *why). */
int hq_app_announcement(struct hq_app *a, const char *number, int32_t window, int timeout_ms,
                        unsigned char **wav, size_t *len, struct hq_why *why);

enum hq_ticket_image { HQ_TICKET_IMAGE_PNG, HQ_TICKET_IMAGE_PDF, HQ_TICKET_IMAGE_QR_PNG };
/* The ticket with secret id drawn as PNG/PDF (hall, number, service zh/en, people ahead, wait,
 * issue time, documents, QR of url), or only the QR code of url as PNG. *out is malloc'd (caller
 * frees). Returns 0, HQ_ENOTFOUND or HQ_EINTERNAL. Renders outside the hall lock. */
int hq_app_ticket_image(struct hq_app *a, const char *id, const char *url,
                        enum hq_ticket_image kind, unsigned char **out, size_t *len,
                        struct hq_why *why);

#endif
