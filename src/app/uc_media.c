/* SPDX-License-Identifier: MIT */
/*
 * uc_media.c — the media library (src/media) wired into the running hall: call announcements,
 * ticket images and printing on a kiosk's printer. docs/MEDIA.md has the decisions.
 *
 * Voice. hq_app_voice_start creates one struct hq_voice and subscribes a listener. The listener
 * runs on the replier thread after each commit: on ticket.called and ticket.recalled it reads the
 * number and window from the event and only remembers number+window in a small ring — no speech
 * work at all on the call path. The announcement is rendered when a display first asks for it:
 * GET /announcements asks hq_app_announcement, which queues the job (hq_voice_request_ex, English
 * or not by the hall's public_info.voice.english), then serves the cached WAV or waits (on the
 * HTTP thread, never under a lock) for the job — about a millisecond, as announcements are
 * assembled from cached phrase clips (src/media/voice_clips.c). Only announcements of tickets
 * actually called to that window today are rendered, so the public cannot make the server run
 * espeak-ng for arbitrary texts.
 *
 * Voice packs (uc_voicepack.c) reach the voice through hq__media_voice_live: the pack, repeat
 * and chime go to hq_voice_set_live, and the recent calls forget their rendered announcement so
 * the next GET /announcements says them with the new voice.
 *
 * Printing. A registered device with a printer ("a.b.c.d:9100" or "file:/path") that issues a
 * ticket gets it printed after the ticket is durable, outside the hall lock, within ~3 s. The
 * ticket is never withdrawn: the response says {"print":{"ok":false,"error":…}} so the kiosk
 * shows it on screen, and a "device.alert" event tells the staff (at most one per device and
 * problem a minute).
 *
 * Locks: the hub's mu guards its ring and alert table only and is never held while calling into
 * the voice, the app or the network. The hall lock (a->mu) is held only to copy a ticket's fields.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../media/hq_media.h"
#include "app_int.h"
#include "hq_voicepack.h"
#include "media_hub.h"

#define RECENT_MAX 64
#define ALERTS_MAX 16
#define ALERT_REPEAT_S 60
#define PRINT_TIMEOUT_MS 3000

struct recent_call {
    char number[HQ_NUMBER_MAX];
    int32_t window;
    uint64_t job;
    char key[HQ_VOICE_KEY_SIZE];
};

struct device_alert {
    char device[64];
    char problem[32];
    int64_t at;
};

struct hq_media_hub {
    pthread_mutex_t mu;
    struct hq_voice *voice; /* NULL = voice off; set once before serving, freed at close */
    int listener;           /* hq_app_listen id, -1 none */
    struct recent_call recent[RECENT_MAX];
    size_t recent_next; /* ring position of the next entry */
    struct device_alert alerts[ALERTS_MAX];
    bool warned_no_url;
};

struct hq_media_hub *hq__media_new(void)
{
    struct hq_media_hub *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    pthread_mutex_init(&h->mu, NULL);
    h->listener = -1;
    return h;
}

void hq__media_free(struct hq_app *a, struct hq_media_hub *h)
{
    if (!h) return;
    if (h->listener >= 0) hq_app_unlisten(a, h->listener);
    hq_voice_free(h->voice);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

static struct hq_voice *hub_voice(struct hq_app *a)
{
    struct hq_media_hub *h = a->media;
    if (!h) return NULL;
    pthread_mutex_lock(&h->mu);
    struct hq_voice *v = h->voice;
    pthread_mutex_unlock(&h->mu);
    return v;
}

/* ---------------------------------------------------------------------------- announcements */

static void recent_put(struct hq_media_hub *h, const char *number, int32_t window, uint64_t job,
                       const char *key)
{
    pthread_mutex_lock(&h->mu);
    struct recent_call *slot = NULL;
    for (size_t i = 0; i < RECENT_MAX; i++)
        if (h->recent[i].number[0] && h->recent[i].window == window &&
            strcmp(h->recent[i].number, number) == 0)
            slot = &h->recent[i];
    if (!slot) {
        slot = &h->recent[h->recent_next];
        h->recent_next = (h->recent_next + 1) % RECENT_MAX;
    }
    snprintf(slot->number, sizeof slot->number, "%s", number);
    slot->window = window;
    slot->job = job;
    snprintf(slot->key, sizeof slot->key, "%s", key);
    pthread_mutex_unlock(&h->mu);
}

static bool recent_get(struct hq_media_hub *h, const char *number, int32_t window,
                       struct recent_call *out)
{
    bool found = false;
    pthread_mutex_lock(&h->mu);
    for (size_t i = 0; i < RECENT_MAX; i++)
        if (h->recent[i].number[0] && h->recent[i].window == window &&
            strcmp(h->recent[i].number, number) == 0) {
            *out = h->recent[i];
            found = true;
        }
    pthread_mutex_unlock(&h->mu);
    return found;
}

/* The hall's setting public_info.voice.english (default on): is the English line said? */
static bool voice_english(struct hq_app *a)
{
    pthread_mutex_lock(&a->mu);
    json_t *v = a->public_info
                    ? json_object_get(json_object_get(a->public_info, "voice"), "english")
                    : NULL;
    bool on = !json_is_false(v);
    pthread_mutex_unlock(&a->mu);
    return on;
}

/* Queue the announcement and remember it. Never waits for speech. */
static int announce(struct hq_app *a, struct hq_voice *v, const char *number, int32_t window,
                    uint64_t *job_out, struct hq_media_why *mw)
{
    uint64_t job = 0;
    int rc = hq_voice_request_ex(v, number, window, voice_english(a) ? 0 : HQ_VOICE_NO_ENGLISH,
                                 &job, mw);
    if (rc) return rc;
    char key[HQ_VOICE_KEY_SIZE] = "";
    if (hq_voice_job_key(v, job, key) != 0) key[0] = 0;
    recent_put(a->media, number, window, job, key);
    if (job_out) *job_out = job;
    return 0;
}

/* On the replier thread, after a commit: must not block. Only notes the call (job 0 = not yet
 * requested); the display's GET /announcements has it rendered. */
static void on_event(void *ctx, const struct hq_event *e)
{
    struct hq_app *a = ctx;
    if (strcmp(e->type, "ticket.called") != 0 && strcmp(e->type, "ticket.recalled") != 0) return;
    if (!hub_voice(a) || !e->data) return;
    json_t *d = json_loads(e->data, 0, NULL);
    const char *number = json_string_value(json_object_get(d, "number"));
    json_t *w = json_object_get(d, "window");
    if (number && json_is_integer(w) && hq_app_announcement_number_valid(number))
        recent_put(a->media, number, (int32_t)json_integer_value(w), 0, "");
    json_decref(d);
}

static int voice_error(int rc, const struct hq_media_why *mw, struct hq_why *why);

int hq_app_voice_start(struct hq_app *a, const struct hq_app_voice_options *o, struct hq_why *why)
{
    struct hq_media_hub *h = a->media;
    if (!h) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    if (hub_voice(a)) return hq_fail(why, HQ_ECONFLICT, "", "voice already started");
    struct hq_voice_options vo = {0};
    if (o) {
        vo.espeak = o->espeak;
        vo.template_zh = o->template_zh;
        vo.template_en = o->template_en;
        vo.numbers = o->natural_numbers ? HQ_VOICE_NATURAL : HQ_VOICE_DIGITS;
    }
    vo.prewarm = true; /* digits and fixed words synthesised while idle, before the first call */
    struct hq_media_why mw = {0};
    struct hq_voice *v = hq_voice_new(&vo, &mw);
    if (!v) return hq_fail(why, HQ_EINTERNAL, "", "%s", mw.message);
    pthread_mutex_lock(&h->mu);
    h->voice = v;
    pthread_mutex_unlock(&h->mu);
    h->listener = hq_app_listen(a, on_event, a);
    if (h->listener < 0) {
        pthread_mutex_lock(&h->mu);
        h->voice = NULL;
        pthread_mutex_unlock(&h->mu);
        hq_voice_free(v);
        return hq_fail(why, HQ_EINTERNAL, "", "no free listener slot for the voice");
    }
    hq__voicepack_apply(a); /* the hall's recorded pack, repeat and chime */
    return 0;
}

int hq__media_voice_live(struct hq_app *a, struct hq_voice_pack *pack, int repeat, bool chime)
{
    struct hq_voice *v = hub_voice(a);
    if (!v) {
        hq_voice_pack_free(pack);
        return HQ_ENOTFOUND;
    }
    if (hq_voice_set_live(v, pack, repeat, chime) != 0) return HQ_EINVAL;
    struct hq_media_hub *h = a->media;
    pthread_mutex_lock(&h->mu);
    for (size_t i = 0; i < RECENT_MAX; i++) {
        h->recent[i].job = 0;
        h->recent[i].key[0] = 0;
    }
    pthread_mutex_unlock(&h->mu);
    return 0;
}

void hq__media_voice_counts(struct hq_app *a, uint64_t *from_pack, uint64_t *from_espeak)
{
    struct hq_voice *v = hub_voice(a);
    *from_pack = *from_espeak = 0;
    if (v) hq_voice_pack_stats(v, from_pack, from_espeak);
}

int hq_app_voice_preview(struct hq_app *a, const char *number, int32_t window, unsigned char **wav,
                         size_t *len, struct hq_why *why)
{
    if (!number || !hq_app_announcement_number_valid(number))
        return hq_fail(why, HQ_EINVAL, "number",
                       "number: 1-2 capital letters then 3-5 digits, such as A001");
    if (window < 1 || window > 9999)
        return hq_fail(why, HQ_EINVAL, "window", "window: a number from 1 to 9999");
    struct hq_voice *v = hub_voice(a);
    if (!v) return hq_fail(why, HQ_ENOTFOUND, "", "voice announcements are off on this server");
    struct hq_media_why mw = {0};
    uint64_t job = 0;
    int rc = hq_voice_request_ex(v, number, window, voice_english(a) ? 0 : HQ_VOICE_NO_ENGLISH,
                                 &job, &mw);
    if (rc == 0) rc = hq_voice_get(v, job, 60000, wav, len, &mw);
    return rc == 0 ? 0 : voice_error(rc, &mw, why);
}

bool hq_app_voice_enabled(struct hq_app *a)
{
    return hub_voice(a) != NULL;
}

bool hq_app_announcement_number_valid(const char *n)
{
    size_t i = 0, j;
    while (n[i] >= 'A' && n[i] <= 'Z')
        i++;
    if (i < 1 || i > 2) return false;
    for (j = i; n[j] >= '0' && n[j] <= '9'; j++)
        ;
    return n[j] == 0 && j - i >= 3 && j - i <= 5;
}

/* Was number called to window today (so its announcement is a real one)? */
static bool called_today(struct hq_app *a, const char *number, int32_t window)
{
    struct hq_now now;
    hq_app_now(a, &now);
    pthread_mutex_lock(&a->mu);
    const struct hq_ticket *t = hq_ticket_find_number(&a->hall, now.day, number);
    bool ok = t && t->calls > 0 && t->window == window;
    pthread_mutex_unlock(&a->mu);
    return ok;
}

static int voice_error(int rc, const struct hq_media_why *mw, struct hq_why *why)
{
    if (rc == HQ_MEDIA_EPENDING)
        return hq_fail(why, HQ_APP_PENDING, "", "the announcement is still being rendered");
    if (rc == HQ_MEDIA_EBUSY)
        return hq_fail(why, HQ_APP_PENDING, "", "too many announcements queued: try again");
    return hq_fail(why, HQ_EINTERNAL, "", "voice: %s", mw->message);
}

int hq_app_announcement(struct hq_app *a, const char *number, int32_t window, int timeout_ms,
                        unsigned char **wav, size_t *len, struct hq_why *why)
{
    if (!number || !hq_app_announcement_number_valid(number))
        return hq_fail(why, HQ_EINVAL, "number",
                       "number: 1-2 capital letters then 3-5 digits, such as A001");
    if (window < 1 || window > 9999)
        return hq_fail(why, HQ_EINVAL, "window", "window: a number from 1 to 9999");
    struct hq_voice *v = hub_voice(a);
    if (!v) return hq_fail(why, HQ_ENOTFOUND, "", "voice announcements are off on this server");
    struct hq_media_why mw = {0};
    struct recent_call rc_;
    int rc;
    if (recent_get(a->media, number, window, &rc_)) {
        if (rc_.key[0] && hq_voice_cached(v, rc_.key, wav, len) == 0) return 0;
        if (rc_.job) {
            rc = hq_voice_get(v, rc_.job, timeout_ms, wav, len, &mw);
            if (rc == 0) return 0;
            if (rc != HQ_MEDIA_ENOTFOUND) return voice_error(rc, &mw, why);
        }
        /* not requested yet (the call only noted it), or forgotten: render it below */
    } else if (!called_today(a, number, window)) {
        return hq_fail(why, HQ_ENOTFOUND, "", "%s has not been called to window %d today", number,
                       (int)window);
    }
    uint64_t job = 0;
    rc = announce(a, v, number, window, &job, &mw);
    if (rc == 0) rc = hq_voice_get(v, job, timeout_ms, wav, len, &mw);
    return rc == 0 ? 0 : voice_error(rc, &mw, why);
}

/* ------------------------------------------------------------------------------ ticket views */

/* Everything printed on a ticket, copied out of the hall so rendering runs without the lock. */
struct ticket_view {
    char hall[HQ_NAME_MAX];
    char number[HQ_NUMBER_MAX];
    char service_zh[HQ_NAME_MAX];
    char service_en[HQ_NAME_MAX];
    char issued[40];
    char docs[HQ_DOC_MAX][HQ_NAME_MAX];
    int n_docs;
    int ahead, wait_s;
    bool no_window;
    int wait_lo_s, wait_hi_s;
    char url[768];
};

static int view_load(struct hq_app *a, const char *id, struct ticket_view *v, struct hq_why *why)
{
    memset(v, 0, sizeof *v);
    v->ahead = v->wait_s = -1;
    struct hq_now now;
    hq_app_now(a, &now);
    pthread_mutex_lock(&a->mu);
    struct hq_ticket *t = strlen(id) == HQ_ID_LEN ? hq_ticket_find(&a->hall, id) : NULL;
    if (!t) {
        pthread_mutex_unlock(&a->mu);
        return hq_fail(why, HQ_ENOTFOUND, "", "no such ticket");
    }
    const struct hq_hall_conf *c = &a->hall.conf;
    snprintf(v->hall, sizeof v->hall, "%s",
             c->name[0]      ? c->name
             : c->name_en[0] ? c->name_en
                             : "取号 Ticket");
    snprintf(v->number, sizeof v->number, "%s", t->number);
    const struct hq_service *s = hq_service_find(&a->hall, t->service);
    if (s) {
        snprintf(v->service_zh, sizeof v->service_zh, "%s", s->name);
        snprintf(v->service_en, sizeof v->service_en, "%s", s->name_en);
        for (int i = 0; i < s->n_documents && i < HQ_DOC_MAX && i < HQ_PRINT_DOCS_MAX; i++)
            snprintf(v->docs[v->n_docs++], sizeof v->docs[0], "%s", s->documents[i]);
    }
    if (t->status == HQ_WAITING) {
        struct hq_estimate e;
        if (hq_ticket_estimate(&a->hall, &now, t, &e) == 0) {
            v->ahead = e.ahead;
            v->wait_s = e.wait_s;
            /* as the ticket's JSON (API.md): serving_windows 0 and wait_range_s */
            v->no_window = e.serving == 0;
            json_t *range = hq__wait_range_json(a, t->service, e.wait_s);
            if (json_is_array(range) && json_array_size(range) == 2) {
                v->wait_lo_s = (int)json_integer_value(json_array_get(range, 0));
                v->wait_hi_s = (int)json_integer_value(json_array_get(range, 1));
            }
            json_decref(range);
        }
    }
    int64_t issued = t->issued_at;
    pthread_mutex_unlock(&a->mu);
    time_t tt = (time_t)issued;
    struct tm tm;
    if (issued && localtime_r(&tt, &tm))
        snprintf(v->issued, sizeof v->issued, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
    return 0;
}

static void view_ticket(const struct ticket_view *v, struct hq_print_ticket *t)
{
    memset(t, 0, sizeof *t);
    t->hall = v->hall;
    t->number = v->number;
    t->service_zh = v->service_zh;
    t->service_en = v->service_en;
    t->ahead = v->ahead;
    t->wait_s = v->wait_s;
    t->no_window = v->no_window;
    t->wait_lo_s = v->wait_lo_s;
    t->wait_hi_s = v->wait_hi_s;
    t->issued = v->issued;
    for (int i = 0; i < v->n_docs; i++)
        t->documents[i] = v->docs[i];
    t->n_documents = v->n_docs;
    t->url = v->url[0] ? v->url : NULL;
    t->footer = "请留意叫号 Please listen for your number";
}

int hq_app_ticket_image(struct hq_app *a, const char *id, const char *url,
                        enum hq_ticket_image kind, unsigned char **out, size_t *len,
                        struct hq_why *why)
{
    if (!id || !url || !url[0]) return hq_fail(why, HQ_EINVAL, "", "a ticket id and URL");
    struct ticket_view *v = malloc(sizeof *v);
    if (!v) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
    int rc = view_load(a, id, v, why);
    if (rc) goto out;
    snprintf(v->url, sizeof v->url, "%s", url);
    struct hq_print_ticket t;
    view_ticket(v, &t);
    struct hq_media_why mw = {0};
    int mrc;
    switch (kind) {
    case HQ_TICKET_IMAGE_QR_PNG:
        mrc = hq_qr_png(url, 8, out, len);
        snprintf(mw.message, sizeof mw.message, "%s", hq_media_err_name(mrc));
        break;
    case HQ_TICKET_IMAGE_PDF:
        mrc = hq_ticket_pdf(&t, out, len, &mw);
        break;
    case HQ_TICKET_IMAGE_PNG:
    default:
        mrc = hq_ticket_png(&t, 0, out, len, &mw);
        break;
    }
    if (mrc) rc = hq_fail(why, HQ_EINTERNAL, "", "cannot draw the ticket: %s", mw.message);
out:
    free(v);
    return rc;
}

/* ---------------------------------------------------------------------------------- printing */

bool hq__printer_valid(const char *s)
{
    if (!s) return false;
    size_t n = strlen(s);
    if (n == 0 || n >= HQ_PRINTER_MAX) return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) return false;
    if (strncmp(s, "file:", 5) == 0) {
        const char *p = s + 5;
        if (p[0] != '/' || p[1] == 0) return false;
        /* no ".." component */
        for (const char *q = p; (q = strstr(q, "..")) != NULL; q += 2)
            if (q[-1] == '/' && (q[2] == '/' || q[2] == 0)) return false;
        return true;
    }
    const char *colon = strchr(s, ':');
    if (!colon || colon == s || strchr(colon + 1, ':')) return false;
    char host[32];
    size_t hl = (size_t)(colon - s);
    if (hl >= sizeof host) return false;
    memcpy(host, s, hl);
    host[hl] = 0;
    struct in_addr ia;
    if (inet_pton(AF_INET, host, &ia) != 1) return false;
    const char *port = colon + 1;
    size_t pl = strlen(port);
    if (pl < 1 || pl > 5 || strspn(port, "0123456789") != pl) return false;
    long p = strtol(port, NULL, 10);
    return p >= 1 && p <= 65535;
}

/* The printer of the registered device called name ("" when none). The newest registration of a
 * name wins. */
static void device_printer(struct hq_app *a, const char *name, char *out, size_t cap)
{
    out[0] = 0;
    pthread_mutex_lock(&a->mu);
    for (size_t i = a->n_devices; i-- > 0;)
        if (strcmp(a->devices[i].name, name) == 0) {
            snprintf(out, cap, "%s", a->devices[i].printer);
            break;
        }
    pthread_mutex_unlock(&a->mu);
}

/* Commit a device.alert event, at most once a minute per device and problem. */
static void raise_alert(struct hq_app *a, const char *device, const char *problem,
                        const char *detail)
{
    int64_t now = hq_app_time(a);
    struct hq_media_hub *h = a->media;
    if (h) {
        bool recent = false;
        pthread_mutex_lock(&h->mu);
        struct device_alert *slot = &h->alerts[0];
        for (size_t i = 0; i < ALERTS_MAX; i++) {
            struct device_alert *x = &h->alerts[i];
            if (strcmp(x->device, device) == 0 && strcmp(x->problem, problem) == 0) {
                recent = now - x->at < ALERT_REPEAT_S;
                slot = x;
                break;
            }
            if (x->at < slot->at) slot = x;
        }
        if (!recent) {
            snprintf(slot->device, sizeof slot->device, "%s", device);
            snprintf(slot->problem, sizeof slot->problem, "%s", problem);
            slot->at = now;
        }
        pthread_mutex_unlock(&h->mu);
        if (recent) return;
    }
    struct hq_batch b;
    hq_batch_init(&b);
    struct hq_why why = {0};
    pthread_mutex_lock(&a->mu);
    hq__app_event(
        a, &b, "", "device.alert",
        json_pack("{s:s,s:s,s:s}", "device", device, "problem", problem, "detail", detail));
    if (hq__app_commit_unlock(a, &b, &why) != 0)
        fprintf(stderr, "t=%" PRId64 " level=error msg=\"cannot record the alert of %s: %s\"\n",
                now, device, why.message);
}

void hq__media_after_issue(struct hq_app *a, const struct hq_actor *who, json_t *ticket_json)
{
    if (!who || !who->device || !ticket_json) return;
    char printer[HQ_PRINTER_MAX];
    device_printer(a, who->device_name, printer, sizeof printer);
    if (!printer[0]) return;
    const char *id = json_string_value(json_object_get(ticket_json, "id"));
    struct ticket_view *v = malloc(sizeof *v);
    struct hq_media_why mw = {0};
    unsigned char *buf = NULL;
    size_t len = 0;
    int mrc = HQ_MEDIA_ENOMEM;
    struct hq_why why = {0};
    if (!v || !id) {
        snprintf(mw.message, sizeof mw.message, "out of memory");
        goto done;
    }
    if (view_load(a, id, v, &why) != 0) {
        mrc = HQ_MEDIA_EINVAL;
        snprintf(mw.message, sizeof mw.message, "%s", why.message);
        goto done;
    }
    const char *base = hq_app_public_url(a);
    if (base[0]) {
        snprintf(v->url, sizeof v->url, "%s/t/%s", base, id);
    } else if (a->media) {
        pthread_mutex_lock(&a->media->mu);
        bool warn = !a->media->warned_no_url;
        a->media->warned_no_url = true;
        pthread_mutex_unlock(&a->media->mu);
        if (warn)
            fprintf(stderr, "hallq: paper tickets are printed without a QR code: the server has "
                            "no --public-url for tracking links\n");
    }
    struct hq_print_ticket t;
    view_ticket(v, &t);
    mrc = hq_escpos_ticket(&t, NULL, &buf, &len, &mw);
    if (mrc) goto done;
    if (strncmp(printer, "file:", 5) == 0)
        mrc = hq_escpos_write_file(printer + 5, buf, len, &mw);
    else
        mrc = hq_escpos_print(printer, buf, len, PRINT_TIMEOUT_MS, &mw);
done:
    free(buf);
    free(v);
    if (mrc == 0) {
        json_object_set_new(ticket_json, "print", json_pack("{s:b}", "ok", 1));
        return;
    }
    const char *problem = mrc == HQ_MEDIA_EPAPER     ? "paper out"
                          : mrc == HQ_MEDIA_EOFFLINE ? "printer offline"
                                                     : "printer error";
    json_object_set_new(ticket_json, "print",
                        json_pack("{s:b,s:s,s:s}", "ok", 0, "problem", problem, "error",
                                  mw.message[0] ? mw.message : problem));
    raise_alert(a, who->device_name, problem, mw.message);
}
