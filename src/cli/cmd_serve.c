/* SPDX-License-Identifier: MIT */
/*
 * cmd_serve.c — `hallq serve --db FILE --listen HOST:PORT`: open the hall and serve the API, the
 * live events and the pages until SIGTERM or SIGINT, then stop cleanly (within 10 s).
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/hq_app.h"
#include "cli_opts.h"
#include "hq_cli.h"
#include "http/hq_http.h"

static volatile int stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

/* The host part of "HOST:PORT", "[v6]:PORT" or a URL's authority; out "" when none. */
static void host_of(const char *hostport, char *out, size_t cap)
{
    const char *p = strstr(hostport, "://");
    p = p ? p + 3 : hostport;
    size_t n;
    if (*p == '[') {
        p++;
        n = strcspn(p, "]");
    } else {
        n = strcspn(p, ":/");
    }
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), p);
}

static bool loopback(const char *host)
{
    return strncmp(host, "127.", 4) == 0 || strcmp(host, "localhost") == 0 ||
           strcmp(host, "::1") == 0 || strcmp(host, "ip6-localhost") == 0;
}

/* The first IPv4 address of an interface that is up and not loopback, "" when none. */
static void lan_address(char *out, size_t cap)
{
    struct ifaddrs *ifs = NULL, *i;
    out[0] = '\0';
    if (getifaddrs(&ifs) != 0) return;
    for (i = ifs; i && !out[0]; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
        const struct in_addr *a =
            &((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr;
        if ((ntohl(a->s_addr) >> 24) == 127) continue;
        inet_ntop(AF_INET, a, out, (socklen_t)cap);
    }
    freeifaddrs(ifs);
}

/* Say which base the tracking links and QR codes use, and warn (stderr) when phones cannot reach
 * it: a loopback address. docs/DEPLOYMENT.md says how to set it up. */
static void print_public_url(struct hq_app *a, const char *listen)
{
    const char *pub = hq_app_public_url(a);
    char host[256], lan[64];
    lan_address(lan, sizeof lan);
    const char *port = strrchr(listen, ':');
    if (pub[0]) {
        printf("hallq: public URL for tracking links and QR codes: %s\n", pub);
        host_of(pub, host, sizeof host);
        if (loopback(host))
            fprintf(stderr,
                    "hallq: warning: the public URL %s is a loopback address: phones cannot open "
                    "its tracking links or QR codes; set the hall's address (--public-url or the "
                    "admin page), e.g. http://%s%s (docs/DEPLOYMENT.md)\n",
                    pub, lan[0] ? lan : "<LAN address>", port ? port : "");
        fflush(stdout);
        return;
    }
    host_of(listen, host, sizeof host);
    printf("hallq: public URL for tracking links and QR codes: not set, the address each device "
           "uses (http://%s)\n",
           listen);
    if (loopback(host))
        fprintf(stderr,
                "hallq: warning: listening on the loopback address %s and no public URL set: "
                "tracking links and QR codes would point at it and phones cannot open them; "
                "listen on the LAN (--listen 0.0.0.0%s) and set --public-url http://%s%s or the "
                "admin page's public URL (docs/DEPLOYMENT.md)\n",
                host, port ? port : ":8080", lan[0] ? lan : "<LAN address>", port ? port : "");
    else if (lan[0])
        printf("hallq: phones on the LAN can reach http://%s%s\n", lan, port ? port : "");
    fflush(stdout);
}

int cmd_serve(int argc, char **argv)
{
    static const char *const allowed[] = {"db",
                                          "listen",
                                          "threads",
                                          "public-url",
                                          "static-dir",
                                          "public-issue-per-min",
                                          "voice",
                                          "voice-numbers",
                                          "check-seconds",
                                          "max-conns-per-ip",
                                          "heavy-reports",
                                          NULL};
    struct hq_opts o;
    if (hq_opts_parse(&o, argc, argv, allowed, "serve")) return 2;
    if (o.help) {
        printf(
            "usage: hallq serve --db FILE [--listen HOST:PORT] [--threads N]\n"
            "                  [--public-url URL] [--static-dir DIR]\n"
            "                  [--public-issue-per-min N] [--config FILE]\n"
            "                  [--voice on|off] [--voice-numbers digits|natural]\n"
            "                  [--check-seconds N] [--max-conns-per-ip N] [--heavy-reports N]\n\n"
            "Serve the HTTP API (/api/v1), live events and the pages. --listen defaults to\n"
            "127.0.0.1:8080 (port 0 picks a free port); the URL is printed when ready.\n"
            "--public-url is the base of the tracking links in QR codes. --static-dir serves\n"
            "the pages from a directory instead of the built-in copy (development).\n"
            "--voice: call announcements with the espeak-ng program (default on when it is\n"
            "installed); --voice-numbers: A001 said digit by digit or as a number.\n"
            "--threads: the worker threads that run API handlers (default 64; the event\n"
            "threads are one per CPU), so a slow printer or a commit never holds others.\n"
            "--check-seconds: SQLite's quick check of the database at start, at most N s\n"
            "(default 30; 0 skips it); a damaged file is refused (see `hallq check`).\n"
            "--max-conns-per-ip: open connections one client address may hold (default\n"
            "256; event streams count too); more are closed at once, so one client cannot\n"
            "take the server from the others.\n"
            "--heavy-reports: statistics and report computations run at once (default 1);\n"
            "more are answered 503 with Retry-After.\n"
            "The database must exist (hallq init or hallq demo create one).\n"
            "Stops cleanly on SIGTERM or SIGINT.\n");
        return 0;
    }
    const char *db = hq_opt(&o, "db", NULL);
    if (!db) {
        fprintf(stderr, "hallq serve: --db FILE is required\n");
        return 2;
    }
    int threads = atoi(hq_opt(&o, "threads", "64"));
    int per_min = atoi(hq_opt(&o, "public-issue-per-min", "60"));
    if (threads < 1 || threads > 256 || per_min < 1) {
        fprintf(stderr, "hallq serve: --threads must be 1..256, --public-issue-per-min >= 1\n");
        return 2;
    }
    int check_s = atoi(hq_opt(&o, "check-seconds", "30"));
    int per_ip = atoi(hq_opt(&o, "max-conns-per-ip", "256"));
    int heavy = atoi(hq_opt(&o, "heavy-reports", "1"));
    if (check_s < 0 || per_ip < 1 || heavy < 1 || heavy > 64) {
        fprintf(stderr, "hallq serve: --check-seconds >= 0, --max-conns-per-ip >= 1, "
                        "--heavy-reports 1..64\n");
        return 2;
    }
    const char *voice = hq_opt(&o, "voice", "auto"), *vnum = hq_opt(&o, "voice-numbers", "digits");
    if ((strcmp(voice, "on") && strcmp(voice, "off") && strcmp(voice, "auto")) ||
        (strcmp(vnum, "digits") && strcmp(vnum, "natural"))) {
        fprintf(stderr, "hallq serve: --voice on|off, --voice-numbers digits|natural\n");
        return 2;
    }
    if (hq_cli_db_existing("serve", db) || hq_cli_db_quick_check("serve", db, check_s)) return 1;
    struct hq_why why = {0};
    struct hq_app_options ao = {
        .db = db, .public_url = hq_opt(&o, "public-url", ""), .public_issue_per_min = per_min};
    struct hq_app *a = hq_app_open(&ao, &why);
    if (!a) {
        fprintf(stderr, "hallq serve: cannot open %s: %s\n", db, why.message);
        return 1;
    }
    struct hq_app_voice_options vo = {.natural_numbers = strcmp(vnum, "natural") == 0};
    if (strcmp(voice, "off") != 0 && hq_app_voice_start(a, &vo, &why) != 0)
        fprintf(stderr, "hallq: running without voice announcements: %s\n", why.message);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    print_public_url(a, hq_opt(&o, "listen", "127.0.0.1:8080"));
    struct hq_server_options so = {.listen = hq_opt(&o, "listen", "127.0.0.1:8080"),
                                   .threads = threads,
                                   .max_conns_per_ip = per_ip,
                                   .heavy_reports = heavy,
                                   .static_dir = hq_opt(&o, "static-dir", NULL)};
    int rc = hq_serve(a, &so, &stop_flag, &why);
    hq_app_close(a);
    if (rc) {
        fprintf(stderr, "hallq serve: %s\n", why.message);
        return 1;
    }
    fprintf(stderr, "hallq: stopped\n");
    return 0;
}
