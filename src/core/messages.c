/* SPDX-License-Identifier: MIT */
/*
 * messages.c — the message catalogue at work: finds the entry of an hq_fail format (a hash index
 * over messages_table.c, built once), tells whether the reason and parameters kept in a struct
 * hq_why still belong to its message, and writes the message in Simplified Chinese: the entry's
 * template with the parameters put in, the parameters that are words of the API (a ticket
 * status, a window action …) translated through the phrase table, or a general sentence for the
 * error code when the message has no entry. No allocation after the index, no I/O.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "hq_core.h"
#include "messages_int.h"

uint32_t hq__why_hash(const char *s);

#define SLOTS 2048           /* > 2 × entries: open addressing stays short */
static uint16_t slot[SLOTS]; /* index + 1, 0 = empty */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build(void)
{
    for (size_t i = 0; i < hq__msg_count && i + 1 < SLOTS / 2; i++) {
        uint32_t h = hq__why_hash(hq__msg_table[i].en) & (SLOTS - 1);
        while (slot[h]) {
            if (strcmp(hq__msg_table[slot[h] - 1].en, hq__msg_table[i].en) == 0) break;
            h = (h + 1) & (SLOTS - 1);
        }
        if (!slot[h]) slot[h] = (uint16_t)(i + 1);
    }
}

const struct hq_msg *hq_msg_find(const char *fmt)
{
    if (!fmt) return NULL;
    pthread_once(&once, build);
    uint32_t h = hq__why_hash(fmt) & (SLOTS - 1);
    while (slot[h]) {
        const struct hq_msg *m = &hq__msg_table[slot[h] - 1];
        if (m->en == fmt || strcmp(m->en, fmt) == 0) return m;
        h = (h + 1) & (SLOTS - 1);
    }
    return NULL;
}

const struct hq_msg *hq_msg_all(size_t *n)
{
    if (n) *n = hq__msg_count;
    return hq__msg_table;
}

static bool valid(const struct hq_why *why)
{
    return why && why->reason && why->zh && why->check == hq__why_hash(why->message);
}

const char *hq_why_reason(const struct hq_why *why)
{
    if (valid(why)) return why->reason;
    return hq_err_name(why && why->code < 0 ? why->code : HQ_EINTERNAL);
}

int hq_why_n_params(const struct hq_why *why)
{
    if (!valid(why)) return 0;
    return why->n_params < 0 ? 0 : why->n_params > HQ_WHY_PARAMS ? HQ_WHY_PARAMS : why->n_params;
}

/* General sentences, by -code. */
static const char *const general[HQ_ERR_COUNT_] = {
    [0] = "成功",
    [-HQ_EBADJSON] = "提交的内容不是有效的 JSON",
    [-HQ_EINVAL] = "填写的内容有误，请检查后重试",
    [-HQ_EUNAUTH] = "请先登录",
    [-HQ_EFORBIDDEN] = "无权进行此操作",
    [-HQ_ENOTFOUND] = "未找到所请求的内容",
    [-HQ_ECONFLICT] = "当前状态下不能进行此操作",
    [-HQ_ETOOLARGE] = "提交的内容过大",
    [-HQ_EMEDIA] = "不支持的请求格式",
    [-HQ_ERATE] = "操作过于频繁，请稍后再试",
    [-HQ_ESUSPENDED] = "服务暂停，请稍后再试",
    [-HQ_ESTORE] = "数据暂时无法保存，请稍后再试",
    [-HQ_EINTERNAL] = "系统内部错误，请稍后再试或联系管理员",
    [-HQ_ENOMETHOD] = "不支持此请求方法",
};

/* Parameters whose values are words of the API, said in Chinese through the phrase table. */
static bool translated(const char *name)
{
    static const char *const names[] = {"status",   "state",   "action", "step", "role",
                                        "category", "channel", "hint",   "what", "kind",
                                        "day",      "field",   "reason", NULL};
    for (const char *const *n = names; *n; n++)
        if (strcmp(*n, name) == 0) return true;
    return false;
}

/* The phrase for (name, en): one made for that parameter first, else one for any. */
static const char *phrase(const char *name, const char *en)
{
    const char *any = NULL;
    for (size_t i = 0; i < hq__phrase_count; i++) {
        const struct hq_phrase *p = &hq__phrase_table[i];
        if (strcmp(p->en, en) != 0) continue;
        if (!p->name)
            any = any ? any : p->zh;
        else if (strcmp(p->name, name) == 0)
            return p->zh;
    }
    return any;
}

/* Append n bytes of s to buf (len, *o), never cutting a UTF-8 sequence. */
static void put(char *buf, size_t len, size_t *o, const char *s, size_t n)
{
    if (*o + n >= len) {
        n = len - 1 - *o;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(buf + *o, s, n);
    *o += n;
    buf[*o] = '\0';
}

const char *hq_why_zh(const struct hq_why *why, char *buf, size_t len)
{
    if (!buf || len == 0) return buf;
    buf[0] = '\0';
    size_t o = 0;
    if (!valid(why)) {
        int code = why && why->code < 0 && why->code > -HQ_ERR_COUNT_ ? why->code : HQ_EINTERNAL;
        put(buf, len, &o, general[-code], strlen(general[-code]));
        return buf;
    }
    int np = hq_why_n_params(why);
    for (const char *s = why->zh; *s;) {
        const char *b = strchr(s, '{');
        const char *e = b ? strchr(b, '}') : NULL;
        if (!b || !e) {
            put(buf, len, &o, s, strlen(s));
            break;
        }
        put(buf, len, &o, s, (size_t)(b - s));
        size_t nl = (size_t)(e - b - 1);
        const char *v = NULL;
        for (int i = 0; i < np && !v; i++)
            if (why->params[i].name && strlen(why->params[i].name) == nl &&
                memcmp(why->params[i].name, b + 1, nl) == 0) {
                v = why->params[i].value;
                const char *z =
                    translated(why->params[i].name) ? phrase(why->params[i].name, v) : NULL;
                if (z) v = z;
            }
        if (v)
            put(buf, len, &o, v, strlen(v));
        else
            put(buf, len, &o, b, (size_t)(e - b + 1));
        s = e + 1;
    }
    return buf;
}
