/* SPDX-License-Identifier: MIT */
/*
 * cmd_demo.c — `hallq demo --db FILE`: a realistic demo hall. Eight services, twelve windows,
 * clerks with certifications, a guide and a manager, and yesterday's history made the way a real
 * day is made: customers arrive (a morning and an afternoon peak), clerks call, serve and finish,
 * some do not show up, most evaluate. Everything goes through the same use cases as the API, on a
 * clock that the demo moves, so the event log, the statistics and the plan see a real day.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/hq_app.h"
#include "app/hq_appointments.h"
#include "cli_opts.h"
#include "hq_cli.h"

struct fake_clock {
    int64_t t;
};

static int64_t fake_now(void *ctx)
{
    return ((struct fake_clock *)ctx)->t;
}

static uint64_t rng_state = 0x5eed2013u;

static double rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

static double exp_rand(double mean)
{
    return -mean * log(1.0 - rnd());
}

static const struct {
    const char *code, *name, *name_en;
    int avg_s;
    double per_hour; /* mean arrivals per hour */
    const char *docs[3];
} services[] = {
    {"A", "社保业务", "Social security", 300, 14, {"身份证", "社保卡", NULL}},
    {"B", "医保业务", "Medical insurance", 240, 12, {"身份证", "医保卡", NULL}},
    {"C", "税务登记", "Tax registration", 420, 8, {"身份证", "营业执照", "公章"}},
    {"D", "不动产登记", "Real estate registration", 600, 6, {"身份证", "不动产权证书", "购房合同"}},
    {"E", "户籍办理", "Household registration", 360, 7, {"身份证", "户口簿", NULL}},
    {"F", "公积金业务", "Housing provident fund", 300, 9, {"身份证", "银行卡", NULL}},
    {"G", "营业执照", "Business licence", 480, 5, {"身份证", "名称核准通知书", NULL}},
    {"H", "综合咨询", "General enquiries", 120, 10, {NULL, NULL, NULL}},
};
#define N_SERVICES (sizeof services / sizeof services[0])

static const char *const window_services[12] = {"A,B", "A,B", "B,A", "C,G", "C,G", "D",
                                                "D,E", "E,A", "F",   "F,B", "G,C", "H,A"};
static const char *const clerk_names[12] = {"王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊",
                                            "赵敏", "黄强", "周婷", "吴军", "徐丽", "孙涛"};

static int check(int rc, const struct hq_why *why, const char *what)
{
    if (rc != 0) fprintf(stderr, "hallq demo: %s: %s\n", what, why->message);
    return rc;
}

static json_t *split_codes(const char *list)
{
    json_t *arr = json_array();
    char buf[64];
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save))
        json_array_append_new(arr, json_string(p));
    return arr;
}

/* Real hours (Monday to Friday, with a lunch break), or none (--always-open: tests and demos at
 * any hour of any day). */
static json_t *demo_hours(bool always_open)
{
    if (always_open) return json_null();
    const char *day = "08:30-12:00,13:30-17:30";
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:n,s:n}", "mon", day, "tue", day, "wed", day, "thu",
                     day, "fri", day, "sat", "sun");
}

static int configure(struct hq_app *a, const struct hq_actor *admin, bool always_open)
{
    struct hq_why why;
    json_t *out = NULL;
    json_t *complaints = json_pack(
        "{s:[s,s,s,s,s],s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "channels", "hotline", "web",
        "box", "letter", "in_person", "phone", "0311-12345", "web", "/complaints", "department",
        "服务中心督查室", "department_en", "Supervision Office of the Centre", "address",
        "大厅东侧 2 号服务台", "procedure",
        "受理 → 1 个工作日内答复受理 → 调查核实 → 5 "
        "个工作日内书面答复处理结果；对结果不满意可申请复核",
        "procedure_en",
        "Received → acknowledged within 1 working day → investigated → written answer within 5 "
        "working days; you may ask for a review if not satisfied",
        "time_limits", "1 个工作日内答复受理，处理结果 5 个工作日内", "time_limits_en",
        "acknowledgement within 1 working day, result within 5 working days", "assist",
        "残疾人、语言不通者可到 2 号服务台由工作人员协助登记", "assist_en",
        "Customers with disabilities or language barriers: staff at desk 2 record it for you");
    json_t *hall = json_pack(
        "{s:s,s:s,s:o,s:i,s:{s:o,s:s,s:s}}", "name", "石家庄市政务服务中心", "name_en",
        "Shijiazhuang Government Service Centre", "hours", demo_hours(always_open), "target_wait_s",
        900, "public_info", "complaints", complaints, "licence", "冀政服〔2013〕1760号", "opening",
        always_open ? "全天开放 (演示) / open at all hours (demo)"
                    : "周一至周五 08:30-12:00, 13:30-17:30 / Mon-Fri 08:30-12:00, 13:30-17:30");
    int rc = hq_app_hall_update(a, admin, hall, &out, &why);
    json_decref(hall);
    json_decref(out);
    if (check(rc, &why, "hall settings")) return rc;
    for (size_t i = 0; i < N_SERVICES; i++) {
        json_t *docs = json_array();
        for (int d = 0; d < 3 && services[i].docs[d]; d++)
            json_array_append_new(docs, json_string(services[i].docs[d]));
        json_t *s =
            json_pack("{s:s,s:s,s:s,s:i,s:o,s:i}", "code", services[i].code, "name",
                      services[i].name, "name_en", services[i].name_en, "avg_service_s",
                      services[i].avg_s, "documents", docs, "daily_quota", i == 3 ? 120 : 0);
        rc = hq_app_service_create(a, admin, s, &out, &why);
        json_decref(s);
        json_decref(out);
        if (check(rc, &why, services[i].code)) return rc;
    }
    for (int w = 0; w < 12; w++) {
        char name[32];
        snprintf(name, sizeof name, "%d号窗口", w + 1);
        json_t *win = json_pack("{s:i,s:s,s:o}", "number", w + 1, "name", name, "services",
                                split_codes(window_services[w]));
        rc = hq_app_window_create(a, admin, win, &out, &why);
        json_decref(win);
        json_decref(out);
        if (check(rc, &why, "window")) return rc;
    }
    /* Staff: a clerk per window certified for that window's services (one expired on purpose,
     * to show the rule), a guide and a manager. Demo password for all: demo1234. */
    for (int w = 0; w < 12; w++) {
        char user[16];
        snprintf(user, sizeof user, "clerk%02d", w + 1);
        json_t *certs = json_array();
        json_t *codes = split_codes(window_services[w]);
        size_t k;
        json_t *c;
        json_array_foreach(codes, k, c)
        {
            json_array_append_new(certs,
                                  json_pack("{s:O,s:s}", "service", c, "expires_on",
                                            (w == 7 && k == 1) ? "2024-12-31" : "2028-06-30"));
        }
        json_decref(codes);
        json_t *s = json_pack("{s:s,s:s,s:s,s:s,s:o}", "username", user, "name", clerk_names[w],
                              "role", "clerk", "password", "demo1234", "certifications", certs);
        rc = hq_app_staff_create(a, admin, s, &out, &why);
        json_decref(s);
        json_decref(out);
        if (check(rc, &why, user)) return rc;
    }
    static const char *const others[][3] = {{"guide1", "引导员 刘敏", "guide"},
                                            {"manager1", "值班长 郑刚", "manager"}};
    for (int i = 0; i < 2; i++) {
        json_t *s = json_pack("{s:s,s:s,s:s,s:s}", "username", others[i][0], "name", others[i][1],
                              "role", others[i][2], "password", "demo1234");
        rc = hq_app_staff_create(a, admin, s, &out, &why);
        json_decref(s);
        json_decref(out);
        if (check(rc, &why, others[i][0])) return rc;
    }
    return 0;
}

/* The arrival rate profile of a day: peaks at 9:30-11:00 and 14:30-16:00. */
static double profile(int minute)
{
    double h = minute / 60.0;
    if (h < 8.5 || h >= 17.5) return 0;
    if (h < 9.5) return 0.8;
    if (h < 11.0) return 1.5;
    if (h < 13.5) return 0.7;
    if (h < 14.5) return 1.0;
    if (h < 16.0) return 1.4;
    return 0.8;
}

struct win_sim {
    struct hq_actor clerk;
    int phase; /* 0 idle, 1 called (waiting for the customer), 2 serving */
    int64_t next_at;
};

static int history(struct hq_app *a, struct fake_clock *clk, int64_t day_start)
{
    struct hq_why why;
    json_t *out = NULL;
    struct win_sim ws[12];
    memset(ws, 0, sizeof ws);
    struct hq_actor public = {0};
    snprintf(public.ip, sizeof public.ip, "demo-kiosk");
    public.device = true;
    struct hq_actor guide = {.role = HQ_ROLE_GUIDE};
    snprintf(guide.username, sizeof guide.username, "guide1");
    int issued = 0, done = 0;
    /* Fewer customers at the weekend, most on Monday: the weekday profile the forecast learns. */
    static const double weekday_factor[7] = {0.35, 1.25, 1.0, 0.95, 1.0, 1.1, 0.55};
    time_t ds = (time_t)day_start;
    struct tm dtm;
    localtime_r(&ds, &dtm);
    double wf = weekday_factor[dtm.tm_wday];
    clk->t = day_start + 8 * 3600 + 25 * 60;
    for (int w = 0; w < 12; w++) {
        snprintf(ws[w].clerk.username, sizeof ws[w].clerk.username, "clerk%02d", w + 1);
        ws[w].clerk.role = HQ_ROLE_CLERK;
        if (hq_app_window_action(a, &ws[w].clerk, w + 1, "open", NULL, &out, &why) == 0)
            json_decref(out);
    }
    const int step = 15;
    for (int64_t t = day_start + 8 * 3600 + 30 * 60; t < day_start + 18 * 3600; t += step) {
        clk->t = t;
        int minute = (int)((t - day_start) / 60);
        for (size_t s = 0; s < N_SERVICES; s++) {
            double lambda = services[s].per_hour * wf * profile(minute) * step / 3600.0;
            if (rnd() < lambda) {
                bool prio = rnd() < 0.08;
                json_t *in =
                    json_pack("{s:s,s:s,s:s}", "service", services[s].code, "category",
                              prio ? "priority" : "normal", "channel", prio ? "guide" : "kiosk");
                if (hq_app_ticket_issue(a, prio ? &guide : &public, in, &out, &why) == 0) {
                    json_decref(out);
                    issued++;
                }
                json_decref(in);
            }
        }
        for (int w = 0; w < 12; w++) {
            struct win_sim *x = &ws[w];
            if (t < x->next_at) continue;
            const char *action = x->phase == 0 ? "call-next" : x->phase == 1 ? "start" : "finish";
            bool no_show = x->phase == 1 && rnd() < 0.04;
            if (no_show) action = "no-show";
            if (hq_app_window_action(a, &x->clerk, w + 1, action, NULL, &out, &why) != 0) {
                x->next_at = t + 30;
                continue;
            }
            json_t *tk = json_object_get(out, "ticket");
            if (x->phase == 0) {
                if (json_is_object(tk)) {
                    x->phase = 1;
                    x->next_at = t + 15 + (int64_t)(rnd() * 45);
                } else {
                    x->next_at = t + 30;
                }
            } else if (x->phase == 1) {
                if (no_show) {
                    x->phase = 0;
                    x->next_at = t + 10;
                } else {
                    const char *svc = json_string_value(json_object_get(tk, "service"));
                    int avg = 300;
                    for (size_t s = 0; s < N_SERVICES; s++)
                        if (svc && strcmp(svc, services[s].code) == 0) avg = services[s].avg_s;
                    /* lognormal-ish service time around the service's average */
                    double d = exp_rand(avg * 0.35) + avg * 0.65;
                    x->phase = 2;
                    x->next_at = t + (int64_t)d;
                }
            } else {
                x->phase = 0;
                x->next_at = t + 5 + (int64_t)(rnd() * 20);
                done++;
                const char *num = json_string_value(json_object_get(tk, "number"));
                const char *id = json_string_value(json_object_get(tk, "id"));
                if (id && num && rnd() < 0.75) {
                    double r = rnd();
                    int level = r < 0.62 ? 5 : r < 0.86 ? 4 : r < 0.95 ? 3 : r < 0.985 ? 2 : 1;
                    json_t *ev =
                        json_pack("{s:s,s:i,s:[]}", "ticket", id, "level", level, "reasons");
                    if (level <= 2)
                        json_array_append_new(json_object_get(ev, "reasons"),
                                              json_string(rnd() < 0.5 ? "等候时间长 long wait"
                                                                      : "流程繁琐 complicated"));
                    json_t *eo = NULL;
                    if (hq_app_evaluation_create(a, &public, ev, &eo, &why) == 0) json_decref(eo);
                    json_decref(ev);
                }
            }
            json_decref(out);
        }
    }
    for (int w = 0; w < 12; w++) {
        if (ws[w].phase == 1 &&
            hq_app_window_action(a, &ws[w].clerk, w + 1, "no-show", NULL, &out, &why) == 0)
            json_decref(out);
        if (ws[w].phase == 2 &&
            hq_app_window_action(a, &ws[w].clerk, w + 1, "finish", NULL, &out, &why) == 0)
            json_decref(out);
        if (hq_app_window_action(a, &ws[w].clerk, w + 1, "close", NULL, &out, &why) == 0)
            json_decref(out);
    }
    printf("hallq demo: history of %04d-%02d-%02d: %d tickets issued, %d served%s\n",
           dtm.tm_year + 1900, dtm.tm_mon + 1, dtm.tm_mday, issued, done,
           issued ? "" : " (the hall is closed that day)");
    return 0;
}

/* A kiosk and the evaluation pads are registered devices; print their addresses once. */
static int register_devices(struct hq_app *a, const struct hq_actor *admin)
{
    struct hq_why why;
    printf("hallq demo: devices (keys are shown only now):\n");
    for (int i = 0; i <= 12; i++) {
        char name[32];
        if (i == 0)
            snprintf(name, sizeof name, "kiosk-1");
        else
            snprintf(name, sizeof name, "pad-%d", i);
        json_t *in = json_pack("{s:s}", "name", name), *out = NULL;
        int rc = hq_app_device_register(a, admin, in, &out, &why);
        json_decref(in);
        if (check(rc, &why, name)) return rc;
        const char *key = json_string_value(json_object_get(out, "key"));
        if (i == 0)
            printf("  /kiosk?device=%s\n", key);
        else
            printf("  /pad/%d?device=%s\n", i, key);
        json_decref(out);
    }
    return 0;
}

/* The national working-day calendar of the current year (docs/EVALUATION.md says where it comes
 * from): holidays and make-up working days (调休), as the State Council publishes them each
 * November. Years not listed here get none (set them on the admin page, 日历 tab). */
static const struct {
    int year;
    const char *json;
} national[] = {
    /* 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04) */
    {2026, "{\"holidays\":[\"2026-01-01\",\"2026-01-02\",\"2026-01-03\",\"2026-02-15\","
           "\"2026-02-16\",\"2026-02-17\",\"2026-02-18\",\"2026-02-19\",\"2026-02-20\","
           "\"2026-02-21\",\"2026-02-22\",\"2026-02-23\",\"2026-04-04\",\"2026-04-05\","
           "\"2026-04-06\",\"2026-05-01\",\"2026-05-02\",\"2026-05-03\",\"2026-05-04\","
           "\"2026-05-05\",\"2026-06-19\",\"2026-06-20\",\"2026-06-21\",\"2026-09-25\","
           "\"2026-09-26\",\"2026-09-27\",\"2026-10-01\",\"2026-10-02\",\"2026-10-03\","
           "\"2026-10-04\",\"2026-10-05\",\"2026-10-06\",\"2026-10-07\"],\"workdays\":["
           "\"2026-01-04\",\"2026-02-14\",\"2026-02-28\",\"2026-05-09\",\"2026-09-20\","
           "\"2026-10-10\"]}"},
};

static int demo_calendar(struct hq_app *a, const struct hq_actor *admin, int year)
{
    for (size_t i = 0; i < sizeof national / sizeof national[0]; i++) {
        if (national[i].year != year) continue;
        struct hq_why why = {0};
        char ys[8];
        snprintf(ys, sizeof ys, "%d", year);
        json_t *in = json_loads(national[i].json, 0, NULL), *out = NULL;
        int rc = in ? hq_app_calendar_put(a, admin, ys, in, &out, &why) : -1;
        json_decref(in);
        json_decref(out);
        if (rc) fprintf(stderr, "hallq demo: calendar %d: %s\n", year, why.message);
        return rc;
    }
    printf("hallq demo: no national calendar of %d is built in: set its holidays on the admin "
           "page\n",
           year);
    return 0;
}

int cmd_demo(int argc, char **argv)
{
    static const char *const allowed[] = {"db", "history-days", "always-open!", NULL};
    struct hq_opts o;
    if (hq_opts_parse(&o, argc, argv, allowed, "demo")) return 2;
    if (o.help) {
        printf("usage: hallq demo --db FILE [--history-days N] [--always-open]\n\n"
               "Create FILE with a realistic demo hall: 8 services, 12 windows, 12 clerks\n"
               "(clerk01..clerk12), guide1 and manager1 (demo password demo1234), and N days of\n"
               "history before today (default 28, for the forecast). The hall opens Monday to\n"
               "Friday 08:30-12:00 and 13:30-17:30 (no history at the weekend); --always-open\n"
               "gives it no hours (open at any time, history every day). admin's password as for\n"
               "hallq init.\n");
        return 0;
    }
    const char *db = hq_opt(&o, "db", NULL);
    int days = atoi(hq_opt(&o, "history-days", "28"));
    if (!db) {
        fprintf(stderr, "hallq demo: --db FILE is required\n");
        return 2;
    }
    if (days < 0 || days > 60) {
        fprintf(stderr, "hallq demo: --history-days must be 0..60\n");
        return 2;
    }
    if (hq_cli_init_db(db, NULL) != 0) return 1;
    /* Local midnight `days` days ago, in the hall's zone (the default Asia/Shanghai). */
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    int64_t today = (int64_t)mktime(&tm);
    struct fake_clock clk = {today - (int64_t)days * 86400 + 8 * 3600};
    struct hq_why why = {0};
    struct hq_app_options ao = {.db = db, .clock = {fake_now, &clk}};
    struct hq_app *a = hq_app_open(&ao, &why);
    if (!a) {
        fprintf(stderr, "hallq demo: %s\n", why.message);
        return 1;
    }
    struct hq_actor admin = {.role = HQ_ROLE_ADMIN};
    snprintf(admin.username, sizeof admin.username, "admin");
    int rc = configure(a, &admin, hq_opt(&o, "always-open", NULL) != NULL);
    if (rc == 0) rc = demo_calendar(a, &admin, tm.tm_year + 1900);
    for (int d = days; rc == 0 && d >= 1; d--)
        rc = history(a, &clk, today - (int64_t)d * 86400);
    if (rc == 0) rc = register_devices(a, &admin);
    hq_app_close(a);
    if (rc) return 1;
    printf("hallq demo: %s is ready: hallq serve --db %s\n", db, db);
    return 0;
}
