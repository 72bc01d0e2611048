/* SPDX-License-Identifier: MIT */
/*
 * complaint_categories.c — the hall's list of complaint categories. A hall setting,
 * public_info.complaints.categories (PUT /hall), an array of {"zh","en"} names; without it a
 * default list. The category given when a complaint is assessed must be one of them (its
 * Chinese or English name, stored as the Chinese one), so the statistics group like with like.
 * Names count characters, not bytes: at most HQ_CATEGORY_CHARS each. hq__complaint_settings_check
 * refuses a bad list and the complaint deadlines (working days) out of range.
 */
#include <string.h>
#include <strings.h>

#include "app_int.h"

static const char *const defaults[][2] = {
    {"服务态度", "Attitude of staff"},        {"办事效率", "Speed of service"},
    {"业务办理", "Handling of the case"},     {"政策规定", "Rules and policies"},
    {"排队秩序", "Queueing and calling"},     {"环境设施", "Premises and facilities"},
    {"廉洁纪律", "Integrity and discipline"}, {"其他", "Other"},
};

/* The configured array (borrowed, caller holds a->mu) or NULL. */
static json_t *configured(struct hq_app *a)
{
    json_t *v = a->public_info
                    ? json_object_get(json_object_get(a->public_info, "complaints"), "categories")
                    : NULL;
    return json_is_array(v) && json_array_size(v) > 0 ? v : NULL;
}

json_t *hq__complaint_categories(struct hq_app *a)
{
    pthread_mutex_lock(&a->mu);
    json_t *v = configured(a);
    json_t *out = v ? json_deep_copy(v) : NULL;
    pthread_mutex_unlock(&a->mu);
    if (out) return out;
    out = json_array();
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        json_array_append_new(out,
                              json_pack("{s:s,s:s}", "zh", defaults[i][0], "en", defaults[i][1]));
    return out;
}

static bool name_ok(json_t *v, bool required)
{
    if (!v) return !required;
    if (!json_is_string(v)) return false;
    const char *s = json_string_value(v);
    size_t len = json_string_length(v), n = hq__utf8_chars(s, len);
    return (n > 0 || !required) && n <= HQ_CATEGORY_CHARS && !memchr(s, 0, len);
}

/* The complaint deadlines in working days, when given: whole numbers in range, never dropped in
 * silence (an out-of-range figure would otherwise fall back to the default unnoticed). */
static int deadline_days_check(json_t *complaints, struct hq_why *why)
{
    static const struct {
        const char *key;
        int max;
    } days[] = {{"ack_working_days", 30}, {"resolve_working_days", 60}};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        json_t *v = json_object_get(complaints, days[i].key);
        if (!v || json_is_null(v)) continue;
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > days[i].max)
            return hq_fail(why, HQ_EINVAL, "public_info",
                           "complaints.%s: a whole number of working days from 1 to %d",
                           days[i].key, days[i].max);
    }
    return 0;
}

int hq__complaint_settings_check(json_t *info, struct hq_why *why)
{
    json_t *complaints = info ? json_object_get(info, "complaints") : NULL;
    int rc = json_is_object(complaints) ? deadline_days_check(complaints, why) : 0;
    if (rc) return rc;
    json_t *v = complaints ? json_object_get(complaints, "categories") : NULL;
    if (!v || json_is_null(v)) return 0;
    if (!json_is_array(v) || json_array_size(v) > HQ_CATEGORY_MAX)
        return hq_fail(why, HQ_EINVAL, "public_info",
                       "complaints.categories: an array of at most %d {zh, en}", HQ_CATEGORY_MAX);
    size_t i;
    json_t *c;
    json_array_foreach(v, i, c)
    {
        if (!json_is_object(c) || !name_ok(json_object_get(c, "zh"), true) ||
            !name_ok(json_object_get(c, "en"), false))
            return hq_fail(why, HQ_EINVAL, "public_info",
                           "complaints.categories[%zu]: needs zh (1 to %d characters) and may "
                           "have en (at most %d characters)",
                           i, HQ_CATEGORY_CHARS, HQ_CATEGORY_CHARS);
        for (size_t j = 0; j < i; j++)
            if (strcmp(json_string_value(json_object_get(json_array_get(v, j), "zh")),
                       json_string_value(json_object_get(c, "zh"))) == 0)
                return hq_fail(why, HQ_EINVAL, "public_info",
                               "complaints.categories: '%.60s' listed twice",
                               json_string_value(json_object_get(c, "zh")));
    }
    return 0;
}

int hq__complaint_category_pick(struct hq_app *a, const char *given, char *out, size_t cap,
                                struct hq_why *why)
{
    json_t *list = hq__complaint_categories(a);
    size_t i;
    json_t *c;
    int rc = HQ_EINVAL;
    json_array_foreach(list, i, c)
    {
        const char *zh = json_string_value(json_object_get(c, "zh"));
        const char *en = json_string_value(json_object_get(c, "en"));
        if (zh && (strcmp(zh, given) == 0 || (en && *en && strcasecmp(en, given) == 0)) &&
            strlen(zh) < cap) {
            memcpy(out, zh, strlen(zh) + 1);
            rc = 0;
            break;
        }
    }
    json_decref(list);
    if (rc)
        return hq_fail(why, HQ_EINVAL, "category",
                       "category: '%.60s' is not one of the hall's complaint categories", given);
    return 0;
}
