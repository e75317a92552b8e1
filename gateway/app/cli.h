/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Subcommands of the fleetgw program. The program (main.c, cmd_*.c, daemon.c, ctl.c,
 * poller.c) is the composition root: the only code that includes every module's header.
 * Each gw_cmd_* takes the arguments after the subcommand name (argv[0] is the subcommand) and
 * returns the process exit status.
 */
#ifndef GW_CLI_H
#define GW_CLI_H

#include <stdbool.h>

#include "gateway/gw.h"
#include "discovery/disc.h"

/* Exit statuses shared by all subcommands. */
#define GW_EXIT_OK         0
#define GW_EXIT_FAIL       1
#define GW_EXIT_USAGE      2
#define GW_EXIT_NORESPONSE 3
#define GW_EXIT_AUTH       4
#define GW_EXIT_SNMPERR    5

struct snmpc_catalogue;
struct gw_poller;
struct gw_ctl;
struct up_ctx;

/* Global options given before the subcommand. */
struct gw_opts {
    const char *config_path; /* -c; NULL = default path, missing file allowed */
    const char *state_dir;   /* --state-dir overrides the config */
    bool foreground;
};

/* Everything a running fleetgw (daemon or one-shot CLI) holds. The CLI fills only cfg, db and
 * vault; the daemon fills all. */
struct gw_app {
    struct gw_cfg cfg;
    struct gw_db *db;
    struct gw_vault *vault;
    struct uv_loop_s *loop; /* NULL in the CLI */
    struct snmpc_catalogue *catalogue;
    struct gw_poller *poller;
    struct gw_ctl *ctl;
    struct up_ctx *up;     /* the running uplink, NULL in the CLI or when it did not start */
    struct disc_ctx *disc; /* the running discovery, likewise */
    /* ctx->mod of discovery's operations: disc and catalogue, set by gw_app_op_mods(). */
    struct disc_op_env disc_ops_env;
    int64_t started;
    bool daemon;
};

/* `fleetgw [-c CONFIG] probe`: the configuration's [snmp] catalogue is used unless --catalogue
 * names one. */
int gw_cmd_probe(const struct gw_opts *o, int argc, char **argv);
/* `fleetgw probe --wsd ADDR` (cmd_probe_wsd.c): WS-Discovery and SOAP instead of SNMP. */
int gw_cmd_probe_wsd(int argc, char **argv);
int gw_cmd_init(const struct gw_opts *o, int argc, char **argv);
int gw_cmd_device(const struct gw_opts *o, int argc, char **argv);
int gw_cmd_credential(const struct gw_opts *o, int argc, char **argv);
int gw_cmd_status(const struct gw_opts *o, int argc, char **argv);
int gw_cmd_audit(const struct gw_opts *o, int argc, char **argv);
/* `fleetgw discover ...` (cmd_discover.c). */
int gw_cmd_discover(const struct gw_opts *o, int argc, char **argv);
/* `fleetgw admin unlock|reset-password` (cmd_webui.c): web UI account recovery, root only. */
int gw_cmd_admin(const struct gw_opts *o, int argc, char **argv);
/* Creates the web UI administrator at `fleetgw init` unless it exists; the password comes from
 * password_file or the terminal (none on a non-terminal: a message says how to add it later).
 * Returns: 0 or <0 (message printed). */
int gw_webui_init_admin(struct gw_app *app, const char *password_file);
/* Adds the web UI's address and certificate fingerprint to a status reply. */
void gw_webui_status(const struct gw_cfg *cfg, json_t *status);
/* Uplink subcommands (cmd_uplink.c): register, unregister, mode, anonymize. */
int gw_cmd_register(const struct gw_opts *o, int argc, char **argv);
int gw_cmd_unregister(const struct gw_opts *o, int argc, char **argv);
int gw_cmd_mode(const struct gw_opts *o, int argc, char **argv);
int gw_cmd_anonymize(const struct gw_opts *o, int argc, char **argv);
/* Runs the daemon; check_only (-t) validates and exits, dump (-T) prints the config. */
int gw_cmd_daemon(const struct gw_opts *o, bool check_only, bool dump);

/* ---------------------------------------------------------------------------------------------
 * Start-up (app.c): what the daemon and every subcommand open before doing their work.
 */
/* The configuration file read when -c is not given (it may be absent: defaults apply). */
#define GW_DEFAULT_CONFIG "/etc/fleetgw/fleetgw.conf"

/* Loads the configuration for o (file, then --state-dir). The error goes to eb, or to stderr
 * when eb is NULL. Returns: 0 or <0. */
int gw_app_load_cfg(const struct gw_opts *o, struct gw_cfg *cfg, struct gw_errbuf *eb);
/* Loads the counter catalogue that cfg names (gw_cfg_catalogue()). A missing or broken file is
 * a configuration error, "file:line: snmp.catalogue: reason" in eb (": reason" after the file
 * alone when the option is not set in the file, "(defaults)" when there is no file). Returns:
 * 0, or <0 with *out NULL. */
int gw_app_load_catalogue(const struct gw_cfg *cfg, struct snmpc_catalogue **out,
                          struct gw_errbuf *eb);
/* Opens vault and store for a configured app. Prints the error. Returns: 0 or <0. */
int gw_app_open_store(struct gw_app *app);
void gw_app_close_store(struct gw_app *app);

/* Zeroes app, loads its configuration for o and opens vault and store: what a subcommand that
 * works on the store does first. Prints the error. Returns: 0, or <0 with nothing left open
 * (gw_app_close_store() is still safe to call). */
int gw_app_open(const struct gw_opts *o, struct gw_app *app);
/* Reads a secret: from the file path when given (first line, trailing newline dropped), else
 * from the terminal with echo off (prompt on stderr), else (stdin not a terminal) the first line
 * of stdin. Returns: a heap string the caller frees with gw_free_secret_str(), or NULL with a
 * message printed. */
char *gw_cli_read_secret(const char *file, const char *prompt);

/* ---------------------------------------------------------------------------------------------
 * Control requests (ctl.c).
 */
/* Control requests. One JSON object in, one out ({"ok":true,...} or {"ok":false,"error":..,
 * "code":..}). The daemon serves them on its control socket with its own store connection; the
 * CLI sends them there when the daemon runs, and otherwise executes them itself, so both paths
 * run the same code; so do the web UI and the uplink (through callbacks the daemon registers).
 * Each is an operation of the merged table (gateway/gw_op.h), run by gw_op_exec() for caller
 * (user, source and role; borrowed). Returns: new reference. */
json_t *gw_ctl_exec(struct gw_app *app, json_t *req, const struct gw_op_caller *caller);
/* The program's operation tables, in the order of gw_app_op_mods() (ops.c): the gateway's own
 * (status, device.*, credential.*, reload), the uplink's, discovery's and the web UI's.
 * Returns: the number written to out (at most max). Any thread. */
size_t gw_app_op_tables(struct gw_op_table *out, size_t max);
/* Fills mods[] with each table's module handle for app (ctx->mod of its handlers): app, the
 * running uplink (app->up, NULL in the CLI), &app->disc_ops_env (refreshed from app->disc and
 * app->catalogue) and NULL for the web UI. */
void gw_app_op_mods(struct gw_app *app, void **mods, size_t max);
/* Sends req to the daemon's control socket. Returns: the reply, or NULL with *err set
 * (GW_E_NOTRUNNING when nothing listens). */
json_t *gw_ctl_call(const struct gw_cfg *cfg, json_t *req, int *err);
/* CLI helper: call the daemon, or run locally when it is not running. Returns: reply or NULL
 * (message printed). */
json_t *gw_ctl_request(const struct gw_opts *o, json_t *req);
/* The exit status for a control reply: GW_EXIT_OK for {"ok":true}; else GW_EXIT_FAIL, with the
 * reply's error printed on stderr (nothing printed for a NULL reply, whose error is out). */
int gw_ctl_reply_status(json_t *r);
/* Runs req (gw_ctl_request()) and releases it and the reply: for a command that prints nothing
 * on success. Returns: gw_ctl_reply_status() of the reply. */
int gw_ctl_request_status(const struct gw_opts *o, json_t *req);
/* Starts/stops the control socket server on app->loop. */
int gw_ctl_start(struct gw_app *app, struct gw_errbuf *eb);
void gw_ctl_stop(struct gw_app *app);

/* The device poller: glue from the program to the polling library (gateway/poll/). */
int gw_poller_start(struct gw_app *app);
/* Re-reads the registry: new devices start polling, removed ones stop, changed ones reopen. */
int gw_poller_reload(struct gw_app *app);
/* Hands the SNMP driver app->catalogue (after a reload): polls in flight finish with the
 * catalogue they started with. The driver keeps its own reference. Loop thread only. */
void gw_poller_set_catalogue(struct gw_app *app);
/* Stops all polls; cb runs once every session is closed. */
void gw_poller_stop(struct gw_app *app, void (*cb)(struct gw_app *app));
/* Adds the poller's figures to a status object. */
void gw_poller_status(struct gw_app *app, json_t *status);
/* Adds a device's schedule (priority, alert_interval_s, counter_interval_s, next_poll) to its
 * JSON object, as the running scheduler has it, or as it would be when no daemon runs. */
void gw_poller_device_json(struct gw_app *app, json_t *device);

#endif
