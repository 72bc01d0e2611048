/* SPDX-License-Identifier: MIT */
/*
 * uc_surveys.c — satisfaction surveys (clause 9.1.3; docs/SURVEYS.md). An admin defines a
 * questionnaire: dimensions (环境 environment, 态度 attitude …), each answered with an importance
 * and a performance on a 5-point scale, and open questions with a length limit in characters.
 * A questionnaire is versioned: the latest version may be edited in place until its first answer;
 * after that only a new version changes it, so every answer keeps the wording it was given with.
 * One questionnaire is active per channel: the evaluation pad (pad), the tracking page after
 * service (web) and staff entering what customers said in return calls and interviews (staff).
 *
 * An answer is tagged with its method: pad (a registered device), web (the public, with the
 * ticket's id: once per ticket, after the service finished), phone or interview (entered by
 * staff). It carries no personal data: the ticket is kept only as a keyed hash (the document's
 * key), which is what refuses a second answer for the same ticket.
 *
 * Read-modify-write of the documents is serialised by smu (lock order smu → reader_mu → mu, as
 * uc_complaints.c does with cmu).
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app_int.h"
#include "hq_surveys.h"

#define MAX_DIMS 12
#define MAX_OPEN 5
#define ID_MAX 33
#define TITLE_CHARS 60
#define NAME_CHARS 20
#define NAME_EN_CHARS 40
#define QTEXT_CHARS 100
#define OPEN_DEFAULT_CHARS 200
#define OPEN_MAX_CHARS 500
#define ANSWER_WINDOW_S (7 * 24 * 3600)

static pthread_mutex_t smu = PTHREAD_MUTEX_INITIALIZER;

static const char *const channels[] = {"pad", "web", "staff", NULL};

static bool slug_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max) return false;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_' ||
              s[i] == '-'))
            return false;
    return true;
}

static bool channel_ok(const char *c)
{
    for (size_t i = 0; channels[i]; i++)
        if (c && strcmp(c, channels[i]) == 0) return true;
    return false;
}

static json_t *load_doc(struct hq_app *a, const char *kind, const char *key)
{
    char *text = NULL;
    pthread_mutex_lock(&a->reader_mu);
    int rc = a->reader->vt->doc_get(a->reader, kind, key, &text);
    pthread_mutex_unlock(&a->reader_mu);
    if (rc) return NULL;
    json_t *o = json_loads(text, 0, NULL);
    free(text);
    return o;
}

json_t *hq__questionnaire_load(struct hq_app *a, const char *id)
{
    if (!id || !slug_ok(id, ID_MAX - 1)) return NULL;
    return load_doc(a, "questionnaire", id);
}

static json_t *active_doc(struct hq_app *a)
{
    json_t *o = load_doc(a, "survey_setting", "active");
    if (!json_is_object(o)) {
        json_decref(o);
        o = json_object();
    }
    return o;
}

/* Commit docs (kind, key, JSON) as one batch. Call with no lock but smu. */
static int commit_docs(struct hq_app *a, const char *const *kinds, const char *const *keys,
                       json_t *const *docs, size_t n, int64_t t, struct hq_why *why)
{
    struct hq_batch b;
    hq_batch_init(&b);
    for (size_t i = 0; i < n; i++) {
        char *text = json_dumps(docs[i], JSON_COMPACT);
        if (!text) {
            hq_batch_release(&b);
            return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
        }
        hq_batch_doc(&b, kinds[i], keys[i], text, t);
        free(text);
    }
    pthread_mutex_lock(&a->mu);
    return hq__app_commit_unlock(a, &b, why);
}

/* ---- the definition ---- */

static int text_field(json_t *o, const char *key, bool required, size_t chars, json_t *dst,
                      struct hq_why *why)
{
    char buf[HQ_TEXT_CAP(QTEXT_CHARS * 2)] = "";
    int rc = hq__in_text(o, key, required, chars, buf, sizeof buf, why);
    if (rc) return rc;
    if (required && !buf[0]) return hq_fail(why, HQ_EINVAL, key, "%s: required", key);
    json_object_set_new(dst, key, json_string(buf));
    return 0;
}

/* Check a definition {title, title_en, dimensions, open_questions} into a new version object. */
static int parse_definition(json_t *in, int version, int64_t now, json_t **ver, json_t **titles,
                            struct hq_why *why)
{
    static const char *const known[] = {"id",         "title",          "title_en",
                                        "dimensions", "open_questions", NULL};
    static const char *const dknown[] = {"key", "name", "name_en", NULL};
    static const char *const oknown[] = {"key", "text", "text_en", "max_chars", NULL};
    int rc = hq__in_known(in, known, why);
    if (rc) return rc;
    json_t *t = json_object();
    rc = text_field(in, "title", true, TITLE_CHARS, t, why);
    if (!rc) rc = text_field(in, "title_en", false, TITLE_CHARS * 2, t, why);
    json_t *dims = json_object_get(in, "dimensions");
    json_t *opens = json_object_get(in, "open_questions");
    if (!rc &&
        (!json_is_array(dims) || json_array_size(dims) < 1 || json_array_size(dims) > MAX_DIMS))
        rc = hq_fail(why, HQ_EINVAL, "dimensions", "dimensions: an array of 1 to %d dimensions",
                     MAX_DIMS);
    if (!rc && opens && !json_is_null(opens) &&
        (!json_is_array(opens) || json_array_size(opens) > MAX_OPEN))
        rc = hq_fail(why, HQ_EINVAL, "open_questions",
                     "open_questions: an array of at most %d questions", MAX_OPEN);
    json_t *v = json_pack("{s:i,s:[],s:[],s:I}", "version", version, "dimensions", "open_questions",
                          "created_at", (json_int_t)now);
    json_t *dout = json_object_get(v, "dimensions"), *oout = json_object_get(v, "open_questions");
    size_t i;
    json_t *d;
    if (!rc) json_array_foreach(dims, i, d)
        {
            char key[32] = "";
            json_t *x = json_object();
            if (!json_is_object(d))
                rc = hq_fail(why, HQ_EINVAL, "dimensions", "dimensions[%zu]: an object", i);
            if (!rc) rc = hq__in_known(d, dknown, why);
            if (!rc) rc = hq__in_str(d, "key", true, key, sizeof key, why);
            if (!rc && !slug_ok(key, 24))
                rc = hq_fail(why, HQ_EINVAL, "dimensions",
                             "dimensions[%zu].key: 1 to 24 of a-z, 0-9, _ and -", i);
            for (size_t j = 0; !rc && j < json_array_size(dout); j++)
                if (strcmp(json_string_value(json_object_get(json_array_get(dout, j), "key")),
                           key) == 0)
                    rc = hq_fail(why, HQ_EINVAL, "dimensions", "dimensions: key %s twice", key);
            if (!rc) json_object_set_new(x, "key", json_string(key));
            if (!rc) rc = text_field(d, "name", true, NAME_CHARS, x, why);
            if (!rc) rc = text_field(d, "name_en", false, NAME_EN_CHARS, x, why);
            json_array_append_new(dout, x);
            if (rc) break;
        }
    if (!rc && json_is_array(opens)) json_array_foreach(opens, i, d)
        {
            char key[32] = "";
            int64_t maxc = OPEN_DEFAULT_CHARS;
            json_t *x = json_object();
            if (!json_is_object(d))
                rc = hq_fail(why, HQ_EINVAL, "open_questions", "open_questions[%zu]: an object", i);
            if (!rc) rc = hq__in_known(d, oknown, why);
            if (!rc) rc = hq__in_str(d, "key", true, key, sizeof key, why);
            if (!rc && !slug_ok(key, 24))
                rc = hq_fail(why, HQ_EINVAL, "open_questions",
                             "open_questions[%zu].key: 1 to 24 of a-z, 0-9, _ and -", i);
            for (size_t j = 0; !rc && j < json_array_size(oout); j++)
                if (strcmp(json_string_value(json_object_get(json_array_get(oout, j), "key")),
                           key) == 0)
                    rc = hq_fail(why, HQ_EINVAL, "open_questions", "open_questions: key %s twice",
                                 key);
            if (!rc) json_object_set_new(x, "key", json_string(key));
            if (!rc) rc = text_field(d, "text", true, QTEXT_CHARS, x, why);
            if (!rc) rc = text_field(d, "text_en", false, QTEXT_CHARS * 2, x, why);
            if (!rc) rc = hq__in_int(d, "max_chars", false, 1, OPEN_MAX_CHARS, &maxc, why);
            if (!rc) json_object_set_new(x, "max_chars", json_integer(maxc));
            json_array_append_new(oout, x);
            if (rc) break;
        }
    if (rc) {
        json_decref(t);
        json_decref(v);
        return rc;
    }
    *ver = v;
    *titles = t;
    return 0;
}

static json_t *latest(json_t *q)
{
    json_t *vs = json_object_get(q, "versions");
    return json_array_get(vs, json_array_size(vs) - 1);
}

static int64_t answers_of(json_t *q, int version)
{
    char k[16];
    snprintf(k, sizeof k, "%d", version);
    return json_integer_value(json_object_get(json_object_get(q, "answers"), k));
}

/* The public view of a questionnaire: its latest version (and the versions' numbers), with the
 * channels where it is active and its answers per version. */
static json_t *view(struct hq_app *a, json_t *q, json_t *active, bool all_versions)
{
    json_t *l = latest(q);
    int version = (int)json_integer_value(json_object_get(l, "version"));
    json_t *o =
        json_pack("{s:O,s:O,s:O,s:i,s:O,s:O,s:o,s:b,s:I,s:o,s:[]}", "id", json_object_get(q, "id"),
                  "title", json_object_get(q, "title"), "title_en", json_object_get(q, "title_en"),
                  "version", version, "dimensions", json_object_get(l, "dimensions"),
                  "open_questions", json_object_get(l, "open_questions"), "created_at",
                  hq__time_json(a, json_integer_value(json_object_get(l, "created_at"))), "in_use",
                  answers_of(q, version) > 0, "answers", (json_int_t)0, "answers_by_version",
                  json_object(), "active");
    int64_t total = 0;
    json_t *vs = json_object_get(q, "versions");
    size_t i;
    json_t *v;
    json_array_foreach(vs, i, v)
    {
        int n = (int)json_integer_value(json_object_get(v, "version"));
        char k[16];
        snprintf(k, sizeof k, "%d", n);
        total += answers_of(q, n);
        json_object_set_new(json_object_get(o, "answers_by_version"), k,
                            json_integer(answers_of(q, n)));
    }
    json_object_set_new(o, "answers", json_integer(total));
    for (size_t c = 0; channels[c]; c++) {
        const char *id = json_string_value(json_object_get(active, channels[c]));
        if (id && strcmp(id, json_string_value(json_object_get(q, "id"))) == 0)
            json_array_append_new(json_object_get(o, "active"), json_string(channels[c]));
    }
    if (all_versions) {
        json_t *arr = json_array();
        json_array_foreach(vs, i, v)
        {
            json_t *c = json_deep_copy(v);
            json_object_set_new(
                c, "created_at",
                hq__time_json(a, json_integer_value(json_object_get(v, "created_at"))));
            json_array_append_new(arr, c);
        }
        json_object_set_new(o, "versions", arr);
    }
    return o;
}

struct qlist {
    struct hq_app *a;
    json_t *arr, *active;
};

static int on_q(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)key;
    (void)t;
    struct qlist *l = ctx;
    json_t *q = json_loads(json, 0, NULL);
    if (q) json_array_append_new(l->arr, view(l->a, q, l->active, false));
    json_decref(q);
    return 0;
}

int hq_app_questionnaires_list(struct hq_app *a, json_t **out, struct hq_why *why)
{
    (void)why;
    struct qlist l = {a, json_array(), active_doc(a)};
    pthread_mutex_lock(&a->reader_mu);
    a->reader->vt->doc_list(a->reader, "questionnaire", 0, 0, 1000, on_q, &l);
    pthread_mutex_unlock(&a->reader_mu);
    json_decref(l.active);
    *out = l.arr;
    return 0;
}

int hq_app_questionnaire_get(struct hq_app *a, const char *id, json_t **out, struct hq_why *why)
{
    json_t *q = hq__questionnaire_load(a, id);
    if (!q) return hq_fail(why, HQ_ENOTFOUND, "", "no questionnaire %s", id ? id : "");
    json_t *act = active_doc(a);
    *out = view(a, q, act, true);
    json_decref(act);
    json_decref(q);
    return 0;
}

static int put_q(struct hq_app *a, json_t *q, int64_t t, struct hq_why *why)
{
    const char *kinds[] = {"questionnaire"};
    const char *keys[] = {json_string_value(json_object_get(q, "id"))};
    return commit_docs(a, kinds, keys, &q, 1, t, why);
}

int hq_app_questionnaire_create(struct hq_app *a, const struct hq_actor *who, json_t *in,
                                json_t **out, struct hq_why *why)
{
    (void)who;
    char id[ID_MAX] = "";
    int rc = hq__in_str(in, "id", true, id, sizeof id, why);
    if (rc) return rc;
    if (!slug_ok(id, ID_MAX - 1))
        return hq_fail(why, HQ_EINVAL, "id", "id: 1 to 32 of a-z, 0-9, _ and -");
    int64_t now = hq_app_time(a);
    json_t *ver = NULL, *titles = NULL;
    if ((rc = parse_definition(in, 1, now, &ver, &titles, why))) return rc;
    pthread_mutex_lock(&smu);
    json_t *old = hq__questionnaire_load(a, id);
    if (old) {
        json_decref(old);
        rc = hq_fail(why, HQ_ECONFLICT, "id", "questionnaire %s exists already", id);
    } else {
        json_t *q = json_pack("{s:s,s:O,s:O,s:[o],s:{}}", "id", id, "title",
                              json_object_get(titles, "title"), "title_en",
                              json_object_get(titles, "title_en"), "versions", ver, "answers");
        ver = NULL;
        rc = put_q(a, q, now, why);
        if (!rc) {
            json_t *act = active_doc(a);
            *out = view(a, q, act, true);
            json_decref(act);
        }
        json_decref(q);
    }
    pthread_mutex_unlock(&smu);
    json_decref(ver);
    json_decref(titles);
    return rc;
}

static int change(struct hq_app *a, const char *id, json_t *in, bool new_version, json_t **out,
                  struct hq_why *why)
{
    int64_t now = hq_app_time(a);
    pthread_mutex_lock(&smu);
    json_t *q = hq__questionnaire_load(a, id), *ver = NULL, *titles = NULL;
    int rc = 0;
    if (!q) rc = hq_fail(why, HQ_ENOTFOUND, "", "no questionnaire %s", id ? id : "");
    json_t *body_id = q ? json_object_get(in, "id") : NULL;
    if (!rc && body_id && !json_is_null(body_id) &&
        !(json_is_string(body_id) && strcmp(json_string_value(body_id), id) == 0))
        rc = hq_fail(why, HQ_EINVAL, "id", "id: the questionnaire's id cannot change");
    int version = q ? (int)json_integer_value(json_object_get(latest(q), "version")) : 0;
    if (!rc && !new_version && answers_of(q, version) > 0)
        rc = hq_fail(why, HQ_ECONFLICT, "",
                     "questionnaire %s version %d has answers: publish a new version instead of "
                     "editing it",
                     id, version);
    if (!rc)
        rc = parse_definition(in, new_version ? version + 1 : version, now, &ver, &titles, why);
    if (!rc) {
        json_object_set(q, "title", json_object_get(titles, "title"));
        json_object_set(q, "title_en", json_object_get(titles, "title_en"));
        json_t *vs = json_object_get(q, "versions");
        if (new_version)
            json_array_append_new(vs, ver);
        else
            json_array_set_new(vs, json_array_size(vs) - 1, ver);
        ver = NULL;
        rc = put_q(a, q, now, why);
        if (!rc) {
            json_t *act = active_doc(a);
            *out = view(a, q, act, true);
            json_decref(act);
        }
    }
    pthread_mutex_unlock(&smu);
    json_decref(q);
    json_decref(ver);
    json_decref(titles);
    return rc;
}

int hq_app_questionnaire_update(struct hq_app *a, const struct hq_actor *who, const char *id,
                                json_t *in, json_t **out, struct hq_why *why)
{
    (void)who;
    return change(a, id, in, false, out, why);
}

int hq_app_questionnaire_version(struct hq_app *a, const struct hq_actor *who, const char *id,
                                 json_t *in, json_t **out, struct hq_why *why)
{
    (void)who;
    return change(a, id, in, true, out, why);
}

/* ---- the active questionnaire per channel ---- */

/* The key of the answer given for a ticket: a keyed hash of its id (no way back to the ticket
 * from the answers). */
static void ticket_key(const char *ticket, char out[34])
{
    static const unsigned char salt[crypto_generichash_KEYBYTES] = "hallq survey answer per ticket";
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)ticket, strlen(ticket), salt,
                       sizeof salt);
    out[0] = 't';
    sodium_bin2hex(out + 1, 33, h, sizeof h);
}

int hq_app_survey_active_get(struct hq_app *a, const char *channel, const char *ticket,
                             json_t **out, struct hq_why *why)
{
    if (!channel_ok(channel))
        return hq_fail(why, HQ_EINVAL, "channel", "channel: pad, web or staff");
    if (ticket && strlen(ticket) > 63)
        return hq_fail(why, HQ_EINVAL, "ticket", "%s: at most %zu characters", "ticket",
                       (size_t)63);
    json_t *act = active_doc(a);
    const char *id = json_string_value(json_object_get(act, channel));
    json_t *q = id ? hq__questionnaire_load(a, id) : NULL;
    *out = json_pack("{s:s,s:o}", "channel", channel, "questionnaire",
                     q ? view(a, q, act, false) : json_null());
    if (ticket && *ticket) {
        char key[34];
        ticket_key(ticket, key);
        json_t *done = load_doc(a, "survey_answer", key);
        json_object_set_new(*out, "answered", json_boolean(done != NULL));
        json_decref(done);
    }
    json_decref(q);
    json_decref(act);
    return 0;
}

int hq_app_survey_active_put(struct hq_app *a, const struct hq_actor *who, const char *channel,
                             json_t *in, json_t **out, struct hq_why *why)
{
    (void)who;
    static const char *const known[] = {"questionnaire", NULL};
    if (!channel_ok(channel))
        return hq_fail(why, HQ_EINVAL, "channel", "channel: pad, web or staff");
    char id[ID_MAX] = "";
    int rc = hq__in_known(in, known, why);
    if (!rc) rc = hq__in_str(in, "questionnaire", false, id, sizeof id, why);
    if (rc) return rc;
    pthread_mutex_lock(&smu);
    json_t *q = id[0] ? hq__questionnaire_load(a, id) : NULL;
    if (id[0] && !q) {
        pthread_mutex_unlock(&smu);
        return hq_fail(why, HQ_EINVAL, "questionnaire", "questionnaire: no questionnaire %s", id);
    }
    json_t *act = active_doc(a);
    json_object_set_new(act, channel, id[0] ? json_string(id) : json_null());
    const char *kinds[] = {"survey_setting"}, *keys[] = {"active"};
    rc = commit_docs(a, kinds, keys, &act, 1, hq_app_time(a), why);
    if (!rc)
        *out = json_pack("{s:s,s:o}", "channel", channel, "questionnaire",
                         q ? view(a, q, act, false) : json_null());
    pthread_mutex_unlock(&smu);
    json_decref(q);
    json_decref(act);
    return rc;
}

/* ---- answers ---- */

static json_t *find_key(json_t *arr, const char *key)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
    {
        const char *k = json_string_value(json_object_get(x, "key"));
        if (k && strcmp(k, key) == 0) return x;
    }
    return NULL;
}

/* scores [{dimension, importance, performance}] and open [{question, text}] against version v
 * into doc. */
static int parse_answers(json_t *in, json_t *v, json_t *doc, struct hq_why *why)
{
    static const char *const sknown[] = {"dimension", "importance", "performance", NULL};
    static const char *const oknown[] = {"question", "text", NULL};
    json_t *scores = json_object_get(in, "scores"), *open = json_object_get(in, "open");
    if (scores && !json_is_null(scores) &&
        (!json_is_array(scores) || json_array_size(scores) > MAX_DIMS))
        return hq_fail(why, HQ_EINVAL, "scores", "scores: an array of at most %d answers",
                       MAX_DIMS);
    if (open && !json_is_null(open) && (!json_is_array(open) || json_array_size(open) > MAX_OPEN))
        return hq_fail(why, HQ_EINVAL, "open", "open: an array of at most %d answers", MAX_OPEN);
    json_t *sout = json_object(), *oout = json_object();
    json_object_set_new(doc, "scores", sout);
    json_object_set_new(doc, "open", oout);
    size_t i;
    json_t *s;
    int rc = 0;
    if (json_is_array(scores)) json_array_foreach(scores, i, s)
        {
            char dim[32] = "";
            int64_t imp = 0, perf = 0;
            if (!json_is_object(s))
                return hq_fail(why, HQ_EINVAL, "scores", "scores[%zu]: an object", i);
            if ((rc = hq__in_known(s, sknown, why))) return rc;
            if ((rc = hq__in_str(s, "dimension", true, dim, sizeof dim, why))) return rc;
            if (!find_key(json_object_get(v, "dimensions"), dim))
                return hq_fail(why, HQ_EINVAL, "scores",
                               "scores[%zu]: no dimension %s in this questionnaire", i, dim);
            if (json_object_get(sout, dim))
                return hq_fail(why, HQ_EINVAL, "scores", "scores: dimension %s twice", dim);
            if ((rc = hq__in_int(s, "importance", false, 1, 5, &imp, why))) return rc;
            if ((rc = hq__in_int(s, "performance", false, 1, 5, &perf, why))) return rc;
            if (!imp && !perf)
                return hq_fail(why, HQ_EINVAL, "scores",
                               "scores[%zu]: an importance or a performance from 1 to 5", i);
            json_t *x = json_object();
            if (imp) json_object_set_new(x, "i", json_integer(imp));
            if (perf) json_object_set_new(x, "p", json_integer(perf));
            json_object_set_new(sout, dim, x);
        }
    if (json_is_array(open)) json_array_foreach(open, i, s)
        {
            char q[32] = "";
            if (!json_is_object(s))
                return hq_fail(why, HQ_EINVAL, "open", "open[%zu]: an object", i);
            if ((rc = hq__in_known(s, oknown, why))) return rc;
            if ((rc = hq__in_str(s, "question", true, q, sizeof q, why))) return rc;
            json_t *def = find_key(json_object_get(v, "open_questions"), q);
            if (!def)
                return hq_fail(why, HQ_EINVAL, "open",
                               "open[%zu]: no open question %s in this questionnaire", i, q);
            int64_t maxc = json_integer_value(json_object_get(def, "max_chars"));
            json_t *t = json_object_get(s, "text");
            if (!json_is_string(t) ||
                hq__utf8_chars(json_string_value(t), json_string_length(t)) > (size_t)maxc)
                return hq_fail(why, HQ_EINVAL, "open", "open[%zu]: a text of at most %d characters",
                               i, (int)maxc);
            char *buf = malloc(HQ_TEXT_CAP(OPEN_MAX_CHARS));
            if (!buf) return hq_fail(why, HQ_EINTERNAL, "", "out of memory");
            rc = hq__in_text(s, "text", true, (size_t)maxc, buf, HQ_TEXT_CAP(OPEN_MAX_CHARS), why);
            if (!rc && buf[0]) json_object_set_new(oout, q, json_string(buf));
            free(buf);
            if (rc) return rc;
        }
    if (json_object_size(sout) == 0 && json_object_size(oout) == 0)
        return hq_fail(why, HQ_EINVAL, "scores", "scores: at least one score or open answer");
    return 0;
}

/* Method from the actor: a device answers on the pad, the public on the web (with a ticket),
 * staff enter phone and interview answers. */
static int pick_method(const struct hq_actor *who, const char *given, const char **method,
                       const char **channel, struct hq_why *why)
{
    if (who->device) {
        if (given[0] && strcmp(given, "pad") != 0)
            return hq_fail(why, HQ_EINVAL, "method", "method: a pad answers with method pad");
        *method = "pad";
        *channel = "pad";
        return 0;
    }
    if (who->role == HQ_ROLE_NONE) {
        if (strcmp(given, "phone") == 0 || strcmp(given, "interview") == 0)
            return hq_fail(why, HQ_EFORBIDDEN, "method",
                           "method %s: answers from return calls and interviews are entered by "
                           "staff",
                           given);
        if (given[0] && strcmp(given, "web") != 0)
            return hq_fail(why, HQ_EINVAL, "method", "method: pad, web, phone or interview");
        *method = "web";
        *channel = "web";
        return 0;
    }
    if (strcmp(given, "phone") != 0 && strcmp(given, "interview") != 0)
        return hq_fail(why, HQ_EINVAL, "method",
                       "method: staff enter answers with method phone or interview");
    *method = strcmp(given, "phone") == 0 ? "phone" : "interview";
    *channel = "staff";
    return 0;
}

int hq_app_survey_answer(struct hq_app *a, const struct hq_actor *who, json_t *in, json_t **out,
                         struct hq_why *why)
{
    static const char *const known[] = {"questionnaire", "version", "ticket", "method",
                                        "scores",        "open",    NULL};
    char qid[ID_MAX] = "", ticket[64] = "", given[16] = "";
    int64_t version = 0;
    const char *method = NULL, *channel = NULL;
    int rc = hq__in_known(in, known, why);
    if (!rc) rc = hq__in_str(in, "questionnaire", true, qid, sizeof qid, why);
    if (!rc) rc = hq__in_int(in, "version", true, 1, 1000000, &version, why);
    if (!rc) rc = hq__in_str(in, "ticket", false, ticket, sizeof ticket, why);
    if (!rc) rc = hq__in_str(in, "method", false, given, sizeof given, why);
    if (!rc) rc = pick_method(who, given, &method, &channel, why);
    if (rc) return rc;
    if (strcmp(channel, "staff") != 0 && !ticket[0])
        return hq_fail(why, HQ_EINVAL, "ticket", "ticket: the id of the ticket served");
    int64_t now = hq_app_time(a);
    struct hq_now hn;
    hq_app_now(a, &hn);
    pthread_mutex_lock(&smu);
    json_t *q = hq__questionnaire_load(a, qid), *act = active_doc(a), *doc = json_object();
    json_t *v = NULL;
    char key[40] = "";
    if (!q)
        rc = hq_fail(why, HQ_EINVAL, "questionnaire", "questionnaire: no questionnaire %s", qid);
    if (!rc) {
        v = latest(q);
        if (json_integer_value(json_object_get(v, "version")) != version)
            rc = hq_fail(why, HQ_ECONFLICT, "version",
                         "questionnaire %s has a newer version %d: reload it", qid,
                         (int)json_integer_value(json_object_get(v, "version")));
    }
    if (!rc && strcmp(channel, "staff") != 0) {
        const char *on = json_string_value(json_object_get(act, channel));
        if (!on || strcmp(on, qid) != 0)
            rc = hq_fail(why, HQ_ECONFLICT, "questionnaire",
                         "questionnaire %s is not the one asked on the %s now", qid, channel);
    }
    if (!rc && ticket[0]) {
        pthread_mutex_lock(&a->mu);
        struct hq_ticket *t = strlen(ticket) == HQ_ID_LEN ? hq_ticket_find(&a->hall, ticket) : NULL;
        int st = !t ? 1 : t->status != HQ_DONE ? 2 : now - t->finished_at > ANSWER_WINDOW_S ? 3 : 0;
        pthread_mutex_unlock(&a->mu);
        if (st == 1) rc = hq_fail(why, HQ_EINVAL, "ticket", "ticket: no such ticket");
        if (st == 2)
            rc = hq_fail(why, HQ_ECONFLICT, "ticket",
                         "a survey is answered after the service has finished");
        if (st == 3)
            rc = hq_fail(why, HQ_ECONFLICT, "ticket",
                         "the service finished more than 7 days ago: too late for the survey");
        if (!rc) {
            ticket_key(ticket, key);
            json_t *done = load_doc(a, "survey_answer", key);
            if (done)
                rc = hq_fail(why, HQ_ECONFLICT, "ticket",
                             "the survey has been answered for this ticket already");
            json_decref(done);
        }
    }
    if (!rc) rc = parse_answers(in, v, doc, why);
    if (!rc) {
        if (!key[0]) {
            unsigned char r[16];
            randombytes_buf(r, sizeof r);
            key[0] = 's';
            sodium_bin2hex(key + 1, 33, r, sizeof r);
        }
        json_object_set_new(doc, "questionnaire", json_string(qid));
        json_object_set_new(doc, "version", json_integer(version));
        json_object_set_new(doc, "method", json_string(method));
        json_object_set_new(doc, "day", json_integer(hn.day));
        json_object_set_new(doc, "created_at", json_integer(now));
        json_t *counts = json_object_get(q, "answers");
        if (!json_is_object(counts)) {
            counts = json_object();
            json_object_set_new(q, "answers", counts);
        }
        char vk[16];
        snprintf(vk, sizeof vk, "%d", (int)version);
        json_object_set_new(counts, vk, json_integer(answers_of(q, (int)version) + 1));
        const char *kinds[] = {"survey_answer", "questionnaire"};
        const char *keys[] = {key, qid};
        json_t *docs[] = {doc, q};
        rc = commit_docs(a, kinds, keys, docs, 2, now, why);
        if (!rc)
            *out = json_pack("{s:s,s:I,s:s,s:O,s:O,s:o}", "questionnaire", qid, "version",
                             (json_int_t)version, "method", method, "scores",
                             json_object_get(doc, "scores"), "open", json_object_get(doc, "open"),
                             "created_at", hq__time_json(a, now));
    }
    pthread_mutex_unlock(&smu);
    json_decref(q);
    json_decref(act);
    json_decref(doc);
    return rc;
}

struct alist {
    struct hq_app *a;
    json_t *arr;
    const char *qid;
};

static int on_answer(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)key;
    struct alist *l = ctx;
    json_t *o = json_loads(json, 0, NULL);
    if (!o) return 0;
    const char *q = json_string_value(json_object_get(o, "questionnaire"));
    if (!l->qid || (q && strcmp(q, l->qid) == 0)) {
        json_object_set_new(o, "created_at", hq__time_json(l->a, t));
        char d[16];
        hq__format_date((int32_t)json_integer_value(json_object_get(o, "day")), d, sizeof d);
        json_object_set_new(o, "day", json_string(d));
        json_array_append(l->arr, o);
    }
    json_decref(o);
    return 0;
}

int hq_app_survey_answers_list(struct hq_app *a, const char *questionnaire, const char *from,
                               const char *to, const char *limit, json_t **out, struct hq_why *why)
{
    int32_t f = 0, t = 0;
    if (from && *from && hq__parse_date(from, &f) != 0)
        return hq_fail(why, HQ_EINVAL, "from", "%s must be a date YYYY-MM-DD", "from");
    if (to && *to && hq__parse_date(to, &t) != 0)
        return hq_fail(why, HQ_EINVAL, "to", "%s must be a date YYYY-MM-DD", "to");
    if (questionnaire && strlen(questionnaire) > ID_MAX - 1)
        return hq_fail(why, HQ_EINVAL, "questionnaire", "%s: at most %zu characters",
                       "questionnaire", (size_t)(ID_MAX - 1));
    long max = 100;
    if (limit && *limit) {
        char *end = NULL;
        max = strtol(limit, &end, 10);
        if (*end || max < 1 || max > 1000)
            return hq_fail(why, HQ_EINVAL, "limit", "limit: 1 to 1000");
    }
    struct alist l = {a, json_array(), questionnaire && *questionnaire ? questionnaire : NULL};
    pthread_mutex_lock(&a->reader_mu);
    a->reader->vt->doc_list(a->reader, "survey_answer", f ? hq__midnight(f, 0) : 0,
                            t ? hq__midnight(t, 1) : 0, (size_t)max, on_answer, &l);
    pthread_mutex_unlock(&a->reader_mu);
    *out = l.arr;
    return 0;
}
