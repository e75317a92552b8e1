/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of the web UI library (libui.a): the HTTPS server on port 9797 with its
 * static pages, JSON API under /api/v1/ and live events websocket, and the local accounts
 * (argon2id passwords, lockout, sessions) that guard it.
 *
 * The library depends on the gateway library only. Administrative actions that the program
 * carries out for every front end (device and credential changes) reach it through the
 * callbacks in struct ui_hooks, which the program registers: calls go up the stack only that
 * way. Unless a function says otherwise it is for the loop thread only, arguments are borrowed
 * for the call and int returns are 0 or a negative gw_err / -errno code.
 */
#ifndef UI_H
#define UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/gw.h"

struct uv_loop_s;
struct ui_server;

/* The program's side of the web UI. Every callback runs on the loop thread. */
struct ui_hooks {
    /* Executes an operation (the control protocol's JSON, gateway/gw_op.h) for caller (the
     * session's user and role, source "webui <address>"), with validation, role check and
     * audit, exactly as the CLI's requests are executed. Returns: a new reference to the
     * reply ({"ok":true,...} or {"ok":false,"error":...}). */
    json_t *(*ctl)(json_t *req, const struct gw_op_caller *caller, void *arg);
    /* Adds the running gateway's figures (polls, uptime) to status, an object. May be NULL. */
    void (*status)(json_t *status, void *arg);
    void *arg;
};

/* Starts the HTTPS server on loop: creates the module's tables if needed, generates a
 * self-signed certificate when none exists (its fingerprint is logged), and listens on
 * [webui] port. db and hooks must outlive the server.
 * Returns: 0 with *out set; GW_E_CONFIG (bad certificate, no www dir), GW_E_CRYPTO,
 * GW_E_DB, GW_E_INTERNAL (libwebsockets could not start: port in use, evlib-uv plugin
 * missing), with the reason in eb. On failure the loop may still hold closing handles of
 * libwebsockets: run it before closing it. */
int ui_server_start(struct uv_loop_s *loop, const struct gw_cfg *cfg, struct gw_db *db,
                    const struct ui_hooks *hooks, struct ui_server **out, struct gw_errbuf *eb);
/* Applies the reloadable [webui] options (session timeouts, names). Returns: 0. */
int ui_server_reload(struct ui_server *s, const struct gw_cfg *cfg);
/* Begins the shutdown: closes the listener, websockets and connections, and releases the
 * libuv handles of libwebsockets asynchronously. NULL is a no-op. */
void ui_server_stop(struct ui_server *s);
/* Completes the shutdown after the loop ran dry following ui_server_stop(); the caller runs
 * the loop once more afterwards (libwebsockets closes its last handles then) and only then
 * closes it. Frees s. NULL is a no-op. */
void ui_server_free(struct ui_server *s);
/* Adds the server's state (url, certificate fingerprint, sessions, websocket clients) to
 * status under "webui". */
void ui_server_status(struct ui_server *s, json_t *status);
/* Sends {"type": type, "ts": now, "data": data} to every websocket client whose session is
 * valid. data is borrowed (serialised at once). NULL s is a no-op. */
void ui_event_publish(struct ui_server *s, const char *type, json_t *data);

/* ---------------------------------------------------------------------------------------------
 * Accounts, for the CLI (`fleetgw init`, `fleetgw admin ...`) as much as for the server. They
 * work on any open store; hashing blocks for about 0.1 s (the server runs it off the loop).
 */
#define UI_ADMIN_USER "admin"

/* Creates or upgrades the module's tables (ui_users, ui_sessions, ui_settings). Any thread
 * that owns db. Returns: 0, GW_E_DB, GW_E_SCHEMA. */
int ui_db_migrate(struct gw_db *db, struct gw_errbuf *eb);
/* Checks the password policy: 8 to 64 characters, at least one digit, one upper-case and one
 * lower-case letter and one symbol, and not on (or made from an entry of) the blocklist. Returns: 0 or GW_E_INVAL with a sentence for a person in
 * eb. Any thread. */
int ui_password_check(const char *password, struct gw_errbuf *eb);
/* Loads the common-password blocklist (one entry a line, '#' comments) that
 * ui_password_check() consults, replacing any loaded before. Call before any thread checks
 * passwords. Returns: the number of entries, -errno, GW_E_PARSE (with file:line in eb). */
int ui_blocklist_load(const char *path, struct gw_errbuf *eb);
/* Loads common-passwords.txt from beside the web UI's www directory ([webui] www_dir, else
 * $FLEETGW_DATADIR/www or the install's). Returns: as ui_blocklist_load(). */
int ui_blocklist_load_default(const struct gw_cfg *cfg, struct gw_errbuf *eb);
void ui_blocklist_free(void);
/* Returns: the number of blocklist entries loaded (0 when none: the check is then off). */
size_t ui_blocklist_size(void);
/* Returns: true when the account exists. */
bool ui_user_exists(struct gw_db *db, const char *name);
/* Sets name's password (after the policy check), creating the account with role ("admin" or
 * "viewer") when it does not exist; clears the lockout, marks the password fresh and ends all
 * of the account's sessions. Returns: 0, GW_E_INVAL (policy, name, role), GW_E_CRYPTO,
 * GW_E_DB. */
int ui_user_set_password(struct gw_db *db, const char *name, const char *role, const char *password,
                         struct gw_errbuf *eb);
/* Checks password against the policy and hashes it (argon2id, about 0.1 s). Any thread.
 * Returns: 0 with *out set to the PHC string (caller frees with gw_free_secret_str()), or
 * GW_E_INVAL (policy; a sentence for a person in eb), GW_E_CRYPTO. */
int ui_password_hash(const char *password, char **out, struct gw_errbuf *eb);
/* ui_user_set_password() with a hash ui_password_hash() made, so that a program can hash
 * where it runs and let the daemon store it. Returns: 0, GW_E_INVAL (name, role, not an
 * argon2id PHC string), GW_E_DB. */
int ui_user_set_hash(struct gw_db *db, const char *name, const char *role, const char *phc,
                     struct gw_errbuf *eb);
/* Clears the lockout and failure count of name. Returns: 0, GW_E_NOTFOUND, GW_E_DB. */
int ui_user_unlock(struct gw_db *db, const char *name);
/* Writes the SHA-256 fingerprint of the PEM certificate at path as "AB:CD:..." (95 bytes and
 * the NUL). Any thread. Returns: 0, -errno, GW_E_CRYPTO. */
int ui_cert_fingerprint(const char *path, char *out, size_t len);

/* The web UI's operations (gateway/gw_op.h, webui/ops.c): admin.unlock {user} and
 * admin.reset-password {user, hash}, account recovery for root on the gateway only
 * (GW_ROLE_ROOT). ctx->mod is unused. */
extern const struct gw_op ui_ops[];
extern const size_t ui_n_ops;

#endif
