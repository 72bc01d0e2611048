/* SPDX-License-Identifier: MIT */
/*
 * record_refs.c — which store documents name a service or a staff member as text, for the
 * delete-for-good of services and staff (uc_retire.c): a record is deleted only while nothing
 * refers to it. The tickets, windows, certifications and bookability are looked at by
 * uc_retire.c; this file looks at the low-volume documents (hq_store.h "documents"), one table
 * row per place a code or a username is written: bookings, cases, evaluations and their stages,
 * tickets taken with an ID card, certification alerts (services); training records, cases,
 * complaint assessments, improvement measures, emergency plans' contacts and incident reports'
 * measures, evaluations, stages, certification alerts (people; an owner or a contact may be
 * written as the username or as the person's name). Surveys (questionnaires and answers), the
 * window plan (only holidays are stored) and the schedules of drills name neither: answers point
 * to a ticket, which is looked at already.
 *
 * hq__record_refs scans the kinds in the table's order and stops at the first kind with a
 * document naming the record: the refusal names that kind and how many of its documents do.
 * A rare admin action: one pass per kind on the read handle.
 */
#include <stdio.h>
#include <string.h>

#include "app_int.h"

enum { REF_SERVICE = 1, REF_USERNAME = 2, REF_PERSON = 4 };

struct place {
    const char *kind; /* the store document kind */
    const char *path; /* "a.b", a "[]" segment walks an array: "contacts[].name" */
    int of;           /* what the value there is: REF_* bits */
    const char *what; /* the kind in the refusal, plural ("training records") */
};

static const struct place places[] = {
    {"appointment", "service", REF_SERVICE, "bookings"},
    {"case", "service", REF_SERVICE, "cases"},
    {"evaluation", "service", REF_SERVICE, "evaluations"},
    {"stage", "service", REF_SERVICE, "service stages"},
    {"idticket", "service", REF_SERVICE, "ID card tickets"},
    {"certalert", "service", REF_SERVICE, "certification alerts"},
    {"training", "staff", REF_USERNAME, "training records"},
    {"ops_plan", "contacts[].name", REF_USERNAME | REF_PERSON, "emergency plans"},
    {"case", "clerk", REF_USERNAME, "cases"},
    {"complaint", "assessment.clerk", REF_USERNAME, "complaints"},
    {"improvement", "owner", REF_USERNAME | REF_PERSON, "improvement measures"},
    {"ops_incident", "improvements[].owner", REF_USERNAME | REF_PERSON, "incident reports"},
    {"evaluation", "clerk", REF_USERNAME, "evaluations"},
    {"stage", "clerk", REF_USERNAME, "service stages"},
    {"certalert", "username", REF_USERNAME, "certification alerts"},
};

struct scan {
    const struct place *p;
    const char *value; /* the code or the username */
    const char *name;  /* the person's name, or NULL */
    int count;
};

static bool same(const struct scan *s, json_t *v)
{
    const char *t = json_string_value(v);
    if (!t || !t[0]) return false;
    if (strcmp(t, s->value) == 0) return true;
    return (s->p->of & REF_PERSON) && s->name && s->name[0] && strcmp(t, s->name) == 0;
}

/* Does the value at path (of length n) under o name the record? */
static bool names_at(const struct scan *s, json_t *o, const char *path)
{
    const char *dot = strchr(path, '.');
    size_t n = dot ? (size_t)(dot - path) : strlen(path);
    bool arr = n > 2 && path[n - 2] == '[' && path[n - 1] == ']';
    char key[48];
    snprintf(key, sizeof key, "%.*s", (int)(arr ? n - 2 : n), path);
    json_t *v = json_object_get(o, key);
    if (!v) return false;
    if (!arr) return dot ? names_at(s, v, dot + 1) : same(s, v);
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        if (dot ? names_at(s, e, dot + 1) : same(s, e)) return true;
    }
    return false;
}

static int on_doc(void *ctx, const char *key, const char *json, int64_t t)
{
    (void)key;
    (void)t;
    struct scan *s = ctx;
    json_t *o = json_loads(json, 0, NULL);
    if (o && names_at(s, o, s->p->path)) s->count++;
    json_decref(o);
    return 0;
}

int hq__record_refs(struct hq_app *a, bool service, const char *value, const char *name,
                    struct hq_record_ref *out, struct hq_why *why)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
        const struct place *p = &places[i];
        if (!(p->of & (service ? REF_SERVICE : REF_USERNAME))) continue;
        struct scan s = {p, value, name, 0};
        pthread_mutex_lock(&a->reader_mu);
        int rc = a->reader->vt->doc_list(a->reader, p->kind, 0, 0, 0, on_doc, &s);
        pthread_mutex_unlock(&a->reader_mu);
        if (rc < 0) return hq_fail(why, HQ_ESTORE, "", "cannot read the stored records");
        if (s.count > 0) {
            out->what = p->what;
            out->count = s.count;
            return 1;
        }
    }
    return 0;
}
