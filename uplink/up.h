/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of the uplink (libup.a): registration with a cloud fleet manager, the
 * Monitor and Manage connection modes, the sqlite outbox that loses nothing, the anonymizer
 * every payload passes through, and the intake of tasks from the cloud. The protocol is
 * docs/uplink.md.
 *
 * The running uplink is a handle, struct up_ctx, that the daemon creates with up_init() and
 * passes to up_start(), up_reload() and up_stop() on its loop thread; no state is static. Its
 * operations (up_ops) and up_status() take the handle (ctx->mod) or NULL: they also work without
 * a running uplink, on a store the CLI opened, so the CLI and the daemon share their code.
 * Unless a function says otherwise it is for the loop thread only.
 */
#ifndef UP_H
#define UP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "gateway/gw.h"

struct uv_loop_s;

/* What the uplink borrows from the daemon; all pointers must outlive up_stop()'s callback. */
struct up_env {
    struct uv_loop_s *loop;
    struct gw_db *db;
    const struct gw_vault *vault;
    const struct gw_cfg *cfg; /* replaced by up_reload() */
    /* The daemon's operations, for what other modules own (the daily "discovery" message
     * reads "discover.list" as user "system"); NULL when there is none. Returns a new
     * reference. */
    json_t *(*ctl)(json_t *req, const struct gw_op_caller *caller, void *arg);
    void *ctl_arg;
};

/* The running uplink (up.c). */
struct up_ctx;
/* Called once when up_stop() has closed everything. */
typedef void (*up_stopped_cb)(void *arg);

/* Creates the uplink's tables, checks the [uplink] anonymize option against the choice made at
 * init (a conflict is refused, logged and audited; it never switches anonymization off), and
 * makes the handle.
 * [in] env: copied; its pointers are kept until up_stop()'s callback.
 * [out] out: the handle, set only on success; up_stop() frees it.
 * Returns: 0, GW_E_DB, GW_E_SCHEMA. */
int up_init(const struct up_env *env, struct up_ctx **out, struct gw_errbuf *eb);
/* Subscribes to the event bus and starts the schedule and, when registered, the mode's
 * transport. Returns: 0. */
int up_start(struct up_ctx *u);
/* Takes the new configuration (borrowed until the next reload or stop). Returns: 0. */
int up_reload(struct up_ctx *u, const struct gw_cfg *cfg);
/* Stops: unsubscribes, closes the MQTT session, its relay and the timer, waits for an upload in
 * flight, then frees u and runs cb(arg) exactly once (also when up_start() never ran; at once
 * when u is NULL). u must not be used after this call. cb may be NULL. */
void up_stop(struct up_ctx *u, up_stopped_cb cb, void *arg);

/* Adds mode, registered, connected, outbox_messages, outbox_bytes, last_upload, evicted_total
 * and an "uplink" object with details to status. u is the running uplink or NULL. */
void up_status(struct up_ctx *u, struct gw_db *db, json_t *status);

/* The uplink's operations (gateway/gw_op.h): uplink.register (the outcome of `fleetgw
 * register`), uplink.unregister, uplink.mode, uplink.status, uplink.anonymize. They work on
 * ctx->db, on the running uplink ctx->mod (struct up_ctx *) when there is one, NULL in the CLI. */
extern const struct gw_op up_ops[];
extern const size_t up_n_ops;

/* Turns anonymization on for good (fleetgw init --anonymize) and audits it. Returns: 0, GW_E_DB. */
int up_anon_enable(struct gw_db *db, const char *user);
/* Returns: true when fleetgw init chose anonymization for this store. */
bool up_anon_is_on(struct gw_db *db);

/* Registration exchange, blocking: for the CLI only, never on the loop. */
struct up_reg_req {
    const char *url;         /* base URL, https:// only */
    const char *access_code; /* required */
    const char *user;        /* NULL for a pending registration */
    const char *password;    /* NULL unless user */
    const char *ca_file;     /* NULL or "" = system CAs */
    const char *proxy;       /* NULL or "" = direct */
    const char *proxy_user;
    const char *proxy_password;
    bool anonymized;
    int devices;
};
/* Registers; on success *reply is the cloud's reply object (gateway_id, token, status,
 * broker, ca_pem, endpoints), caller json_decref()s. On failure eb holds a message for an
 * administrator and *reason a short code for the audit log ("bad_access_code",
 * "access_code_expired", "bad_credentials", "clock_skew", "tls_failed", "unreachable",
 * "bad_reply", "refused").
 * Returns: 0, UP_E_ACCESS_CODE, UP_E_CREDENTIALS, UP_E_CLOCK_SKEW, UP_E_TLS, UP_E_HTTP,
 * UP_E_TOKEN_EXPIRED, GW_E_PARSE. */
int up_register_http(const struct up_reg_req *r, json_t **reply, const char **reason,
                     struct gw_errbuf *eb);
/* Tells the cloud the registration ends (DELETE). Returns: 0 or UP_E_*; eb as above. */
int up_unregister_http(const char *url, const char *gateway_id, const char *token,
                       const char *ca_file, const char *proxy, const char *proxy_user,
                       const char *proxy_password, struct gw_errbuf *eb);

/* Reads the sealed token or proxy password ("token", "proxy_password") from the store.
 * Returns: a string the caller frees with gw_free_secret_str(), or NULL when absent. */
char *up_secret_get(struct gw_db *db, const struct gw_vault *v, const char *name);

/* A task from the cloud's down topic, validated (see docs/uplink.md section 6). */
#define UP_DOWN_MAX 65536
struct up_task {
    char id[65];
    char type[33];
    int64_t issued_at, expires_at; /* 0 when absent */
};
/* What went wrong with a down message, as sent back in the reply. */
enum up_down_verdict {
    UP_DOWN_OK,
    UP_DOWN_TOO_LARGE,
    UP_DOWN_MALFORMED,
    UP_DOWN_UNAUTHORIZED,
    UP_DOWN_EXPIRED,
    UP_DOWN_UNSUPPORTED
};
/* Parses and checks one down message; pure (no I/O), for the fuzzer too. gw_id is this
 * gateway's id, now the wall clock. *task is filled as far as the message could be read (id
 * may be "" when it could not). eb gets the reason. Returns: the verdict. Any thread. */
enum up_down_verdict up_down_parse(const char *buf, size_t len, const char *gw_id, int64_t now,
                                   struct up_task *task, struct gw_errbuf *eb);
/* Returns: the reply code ("too_large", "malformed", ...), "ok" for UP_DOWN_OK. */
const char *up_down_verdict_name(enum up_down_verdict v);

#endif
