/* SPDX-License-Identifier: MIT */
/* cli_opts.c — flags and config file of the hallq commands (see cli_opts.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cli_opts.h"

static const char *find_allowed(const char *const *allowed, const char *name, size_t len,
                                bool *takes_value)
{
    for (const char *const *a = allowed; *a; a++) {
        size_t al = strlen(*a);
        bool flag = al && (*a)[al - 1] == '!';
        if (flag) al--;
        if (al == len && strncmp(*a, name, len) == 0) {
            *takes_value = !flag;
            return *a;
        }
    }
    return NULL;
}

static void set(struct hq_opts *o, const char *name, size_t len, const char *value)
{
    for (int i = 0; i < o->n; i++)
        if (strlen(o->name[i]) == len && strncmp(o->name[i], name, len) == 0) {
            o->value[i] = value;
            return;
        }
    if (o->n < HQ_OPT_MAX) {
        snprintf(o->store[o->n][0], sizeof o->store[0][0], "%.*s", (int)len, name);
        o->name[o->n] = o->store[o->n][0];
        o->value[o->n] = value;
        o->n++;
    }
}

static int read_config(struct hq_opts *o, const char *path, const char *const *allowed,
                       const char *cmd)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "hallq %s: cannot read config file %s\n", cmd, path);
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int lineno = 0;
    while ((got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        /* whole lines only: a NUL byte would hide the rest of its line from the parse */
        if (memchr(line, '\0', (size_t)got)) {
            fprintf(stderr, "hallq %s: %s:%d: NUL byte in the line\n", cmd, path, lineno);
            free(line);
            fclose(f);
            return 2;
        }
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '#' || *p == '\n' || *p == 0) continue;
        char *eq = strchr(p, '=');
        if (!eq) {
            fprintf(stderr, "hallq %s: %s:%d: expected 'name = value'\n", cmd, path, lineno);
            free(line);
            fclose(f);
            return 2;
        }
        char *ke = eq;
        while (ke > p && (ke[-1] == ' ' || ke[-1] == '\t'))
            ke--;
        char *v = eq + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        size_t vl = strcspn(v, "\r\n");
        while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
            vl--;
        bool tv;
        if (!find_allowed(allowed, p, (size_t)(ke - p), &tv) || !tv) {
            fprintf(stderr, "hallq %s: %s:%d: unknown setting '%.*s'\n", cmd, path, lineno,
                    (int)(ke - p), p);
            free(line);
            fclose(f);
            return 2;
        }
        if (vl >= sizeof o->store[0][1]) {
            fprintf(stderr, "hallq %s: %s:%d: value longer than %zu bytes\n", cmd, path, lineno,
                    sizeof o->store[0][1] - 1);
            free(line);
            fclose(f);
            return 2;
        }
        if (o->n >= HQ_OPT_MAX) break;
        int i = o->n;
        set(o, p, (size_t)(ke - p), NULL);
        for (i = 0; i < o->n; i++)
            if (strlen(o->name[i]) == (size_t)(ke - p) && strncmp(o->name[i], p, ke - p) == 0)
                break;
        snprintf(o->store[i][1], sizeof o->store[i][1], "%.*s", (int)vl, v);
        o->value[i] = o->store[i][1];
    }
    free(line);
    fclose(f);
    return 0;
}

int hq_opts_parse(struct hq_opts *o, int argc, char **argv, const char *const *allowed,
                  const char *cmd)
{
    memset(o, 0, sizeof *o);
    /* The config file first, so that flags override it. */
    for (int i = 1; i < argc; i++) {
        const char *cfg = NULL;
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            cfg = argv[i + 1];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            cfg = argv[i] + 9;
        if (cfg) {
            int rc = read_config(o, cfg, allowed, cmd);
            if (rc) return rc;
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            o->help = true;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0) {
            if (o->n_positional < 4) {
                o->positional[o->n_positional++] = arg;
                continue;
            }
            fprintf(stderr, "hallq %s: too many arguments\n", cmd);
            return 2;
        }
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        if (len == 6 && strncmp(name, "config", 6) == 0) {
            if (!eq) i++;
            continue;
        }
        bool takes;
        if (!find_allowed(allowed, name, len, &takes)) {
            fprintf(stderr, "hallq %s: unknown option '--%.*s' (see hallq %s --help)\n", cmd,
                    (int)len, name, cmd);
            return 2;
        }
        const char *value = "1";
        if (takes) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else {
                fprintf(stderr, "hallq %s: option '--%.*s' needs a value\n", cmd, (int)len, name);
                return 2;
            }
        }
        set(o, name, len, value);
    }
    return 0;
}

const char *hq_opt(const struct hq_opts *o, const char *name, const char *def)
{
    for (int i = 0; i < o->n; i++)
        if (strcmp(o->name[i], name) == 0 && o->value[i]) return o->value[i];
    return def;
}
