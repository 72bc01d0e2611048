/* SPDX-License-Identifier: MIT */
/*
 * hours_in.c — opening hours as the API takes them (the hall's in PUT /hall, a service's in
 * PUT /services/{code}, both in a configuration import): null (always open; for a service, the
 * hall's hours) or {"mon":"08:30-12:00,13:30-17:30", "sat":null, …}, one or more ranges a day,
 * in order and not overlapping; a day absent or null is closed. Input is read whole or refused,
 * and a refusal says where: field "hours.tue", the range's number, its text and, for a
 * misspelt range, the character at fault — so a page can mark the row and the range.
 */
#include <stdio.h>
#include <string.h>

#include "app_int.h"

static const char *const day_names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The 1-based position of the first character of s[0..n) that does not fit "HH:MM-HH:MM", or 0
 * when the shape is right (the values are checked after). */
static int shape_fault(const char *s, size_t n)
{
    static const char shape[] = "99:99-99:99";
    for (size_t i = 0; i < n; i++) {
        if (i >= sizeof shape - 1) return (int)i + 1;
        bool ok = shape[i] == '9' ? digit(s[i]) : s[i] == shape[i];
        if (!ok) return (int)i + 1;
    }
    return n < sizeof shape - 1 ? (int)n + 1 : 0;
}

/* The number of characters (not bytes) in the first n bytes of UTF-8 s. */
static int chars(const char *s, size_t n)
{
    int c = 0;
    for (size_t i = 0; i < n && s[i]; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* "HH:MM" at s (shape already checked) → minutes, -1 when not a time of day 00:00 … 24:00. */
static int minutes(const char *s)
{
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 24 || m > 59 || (h == 24 && m != 0)) return -1;
    return h * 60 + m;
}

/* One day's text into day d of h; on refusal, why names hours.<key>, the range and the fault. */
static int parse_day(const char *key, const char *s, struct hq_hours *h, int d, struct hq_why *why)
{
    char field[16];
    snprintf(field, sizeof field, "hours.%s", key);
    size_t len = strlen(s);
    if (len == 0)
        return hq_fail(why, HQ_EINVAL, field,
                       "hours.%s: empty: give ranges such as 08:30-12:00,13:30-17:30, or null for "
                       "a closed day",
                       key);
    int r = 0;
    for (size_t i = 0; i <= len; r++) {
        size_t n = strcspn(s + i, ",");
        char text[32];
        size_t cut = n < 24 ? n : 24; /* the range as typed, never cut inside a character */
        while (cut < n && cut > 0 && ((unsigned char)s[i + cut] & 0xC0) == 0x80)
            cut--;
        snprintf(text, sizeof text, "%.*s", (int)cut, s + i);
        if (r >= HQ_HOURS_RANGES)
            return hq_fail(why, HQ_EINVAL, field, "hours.%s: at most %d ranges a day", key,
                           HQ_HOURS_RANGES);
        int bad = shape_fault(s + i, n);
        if (bad)
            return hq_fail(
                why, HQ_EINVAL, field,
                "hours.%s: range %d '%s': character %d does not fit HH:MM-HH:MM (24-hour "
                "clock; ranges separated by commas)",
                key, r + 1, text, chars(s, i + (size_t)bad - 1) + 1);
        int o = minutes(s + i), c = minutes(s + i + 6);
        if (o < 0 || c < 0)
            return hq_fail(why, HQ_EINVAL, field,
                           "hours.%s: range %d '%s': %.5s is not a time of day (00:00 to 24:00)",
                           key, r + 1, text, o < 0 ? s + i : s + i + 6);
        if (c <= o)
            return hq_fail(why, HQ_EINVAL, field,
                           "hours.%s: range %d '%s' does not end after it starts", key, r + 1,
                           text);
        if (r > 0 && o <= h->close[d][r - 1])
            return hq_fail(why, HQ_EINVAL, field,
                           "hours.%s: range %d '%s' starts before range %d ends: give the ranges "
                           "in order, not overlapping",
                           key, r + 1, text, r);
        if (hq_hours_add(h, d, o, c) != 0) /* cannot happen after the checks above */
            return hq_fail(why, HQ_EINVAL, field, "hours.%s: at most %d ranges a day", key,
                           HQ_HOURS_RANGES);
        i += n + 1;
    }
    return 0;
}

int hq__hours_parse(json_t *v, struct hq_hours *out, struct hq_why *why)
{
    if (json_is_null(v)) {
        hq_hours_clear(out, false);
        return 0;
    }
    if (!json_is_object(v))
        return hq_fail(
            why, HQ_EINVAL, "hours",
            "hours: must be null or an object like {\"mon\":\"08:30-12:00,13:30-17:30\"}");
    struct hq_hours h;
    hq_hours_clear(&h, true);
    /* days in the week's order, so the first fault reported is the first one on the page */
    static const int order[7] = {1, 2, 3, 4, 5, 6, 0};
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val)
    {
        bool known = false;
        for (int i = 0; i < 7; i++)
            known = known || strcmp(key, day_names[i]) == 0;
        if (!known) {
            char field[64];
            snprintf(field, sizeof field, "hours.%.40s", key);
            return hq_fail(why, HQ_EINVAL, field, "hours: unknown day '%.20s' (mon … sun)", key);
        }
    }
    for (int k = 0; k < 7; k++) {
        int d = order[k];
        val = json_object_get(v, day_names[d]);
        if (!val || json_is_null(val)) continue;
        const char *s = json_string_value(val);
        if (!s) {
            char field[16];
            snprintf(field, sizeof field, "hours.%s", day_names[d]);
            return hq_fail(
                why, HQ_EINVAL, field,
                "hours.%s: must be a string of ranges such as \"08:30-12:00,13:30-17:30\", "
                "or null for a closed day",
                day_names[d]);
        }
        int rc = parse_day(day_names[d], s, &h, d, why);
        if (rc) return rc;
    }
    *out = h;
    return 0;
}
