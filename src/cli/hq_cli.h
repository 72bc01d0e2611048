/* SPDX-License-Identifier: MIT */
/*
 * hq_cli.h — the hallq commands, one file each (git's builtin/): cmd_<name>(argc, argv) gets the
 * arguments after the command name, prints to stdout/stderr and returns the process exit code
 * (0 ok, 1 failure, 2 usage error). main.c holds the dispatch table.
 */
#ifndef HQ_CLI_H
#define HQ_CLI_H

#include <stddef.h>

int cmd_init(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_erlang(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_central(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_idreader(int argc, char **argv);
int cmd_compliance(int argc, char **argv);
int cmd_stats(int argc, char **argv);

struct hq_app;
/* Create db with the admin user (cmd_init.c); with app_out the open app is handed over. */
int hq_cli_init_db(const char *db, struct hq_app **app_out);

/* cli_db.c: 0 when db (a SQLite path) is an existing, non-empty file, else 1 after printing why
 * and how to create one. PostgreSQL URLs pass. */
int hq_cli_db_existing(const char *cmd, const char *db);
/* cli_db.c: SQLite's quick check of db, bounded by limit_s seconds (0: skipped; over the bound: a
 * warning, and 0). 1 after printing the problem and the restore command when db is damaged. */
int hq_cli_db_quick_check(const char *cmd, const char *db, int limit_s);
/* cli_out.c: data written to stdout (path "-" or NULL) or to path, whole or not at all (written
 * beside it, fsynced, renamed). 0, or -1. */
int hq_cli_write_out(const char *path, const unsigned char *data, size_t len);

#endif
