/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Operations: the one table through which every front end (the CLI on the control socket, the
 * web UI's API routes, the uplink, and next the cloud's remote tasks) acts on the gateway and
 * its devices. Each module exports a table of struct gw_op rows (OpenSSH's monitor dispatch
 * table is the model): a name ("device.add"), the argument schema, what the operation may
 * touch, its audit action, the least role that may call it, and the handler. The program
 * (gateway/app/ctl.c) merges the tables into one sorted index; gw_op_exec() then does, once and
 * in one place for every caller: lookup, the role check, argument validation against the
 * schema (the error names the key), the audit record, and the wiping of secret arguments.
 *
 * Adding an operation is one row in the module's table and one handler in the same file.
 * Included by gateway/gw.h; loop thread only unless a function says otherwise.
 */
#ifndef GW_OP_H
#define GW_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct gw_db;
struct gw_vault;
struct gw_errbuf;

/* Who may call an operation: each role may do what the ones below it may. GW_ROLE_ROOT is
 * Unix root on the gateway itself (the control socket's peer uid 0, or the CLI run as root
 * without a daemon); only the CLI grants it, so a ROOT operation is "CLI only". */
enum gw_role { GW_ROLE_NONE, GW_ROLE_VIEWER, GW_ROLE_ADMIN, GW_ROLE_ROOT };

/* Where a call comes from. */
enum gw_op_source {
    GW_OP_SRC_CLI,    /* fleetgw subcommands, on the control socket or run locally */
    GW_OP_SRC_WEBUI,  /* the web UI's API routes, as the session's user */
    GW_OP_SRC_SYSTEM, /* the gateway itself (the uplink's daily discovery message) */
    GW_OP_SRC_CLOUD,  /* remote tasks from the cloud (issue 10) */
};

/* The identity that travels with each call. All borrowed for the call. */
struct gw_op_caller {
    enum gw_op_source kind;
    enum gw_role role;
    const char *user;   /* for the audit log: Unix user, web UI account, "system", "cloud" */
    const char *source; /* for the audit log: "cli", "webui 192.0.2.7", "uplink" */
};

/* What an operation may change. */
enum gw_op_touch {
    GW_OP_READ,    /* reads only */
    GW_OP_GATEWAY, /* changes the gateway's own state (settings, registration, accounts) */
    GW_OP_DEVICE,  /* changes devices or what is polled (registry, credentials, discovery) */
};

enum gw_op_type { GW_OP_T_STRING = 1, GW_OP_T_INT, GW_OP_T_BOOL, GW_OP_T_OBJECT, GW_OP_T_ARRAY };

/* gw_op_arg flags. */
#define GW_OP_REQUIRED 0x1u /* the key must be present */
#define GW_OP_SECRET   0x2u /* wiped in the request after the call; never in an error text */

/* One argument of an operation. Keys not in the schema are refused, except "cmd", the name. */
struct gw_op_arg {
    const char *key;
    enum gw_op_type type;
    unsigned flags;
    /* Limits, checked when max > min: an int's value, a string's length in bytes, an array's
     * number of elements. Both 0: no limit. */
    int64_t min, max;
};

struct gw_op_ctx;

/* A handler. args is the validated request (borrowed; "cmd" included). Returns: a new
 * reference to the reply, gw_reply_ok() or gw_reply_err() (never NULL). */
typedef json_t *(*gw_op_fn)(struct gw_op_ctx *ctx, json_t *args);

struct gw_op {
    const char *name; /* "<module>.<verb>", unique across all tables */
    const struct gw_op_arg *args;
    size_t n_args;
    enum gw_op_touch touch;
    const char *audit; /* the audit action (usually name); NULL: not audited */
    enum gw_role role; /* the least role that may call it */
    gw_op_fn fn;
};

/* A module's table, for gw_op_index_new(). */
struct gw_op_table {
    const char *module; /* for messages */
    const struct gw_op *ops;
    size_t n;
};

/* One call, as the handler sees it. */
struct gw_op_ctx {
    const struct gw_op *op;
    const struct gw_op_caller *caller;
    struct gw_db *db;
    struct gw_vault *vault;
    void *mod; /* the handle the front end gives for the op's module; see its table's header */
    /* The audit record the handler asked for (gw_op_audit()); private to gateway/op.c. */
    struct {
        const char *action, *result;
        char detail[320];
        bool has_detail, set, written;
    } audit;
};

/* Replies: {"ok": true} and {"ok": false, "error": msg, "code_name": .., "code": code}.
 * Returns: a new reference. */
json_t *gw_reply_ok(void);
json_t *gw_reply_err(int code, const char *msg);
json_t *gw_reply_errf(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns: the string value of key in o, or def when absent or not a string (borrowed). */
const char *gw_json_str(json_t *o, const char *key, const char *def);
/* Overwrites the string value of key in o (if any) with zeros: for secrets, before o is freed.
 * jansson owns the buffer; writing through the cast is the only way to wipe it. */
void gw_json_wipe(json_t *o, const char *key);

/* Asks for the op's audit record with result ("ok", "failed", "refused") and a detail (fmt may
 * be NULL for none). gw_op_exec() writes it once, after the handler returns, with the caller's
 * user and source. Handlers whose early refusals were never audited simply do not call it. */
void gw_op_audit(struct gw_op_ctx *ctx, const char *result, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same with another action than the op's (uplink.anonymize.on, ...). */
void gw_op_audit_as(struct gw_op_ctx *ctx, const char *action, const char *result, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));
/* Writes the requested record now instead of after the handler (for a handler that runs long,
 * so the record carries the time the operation began). It is still written only once. */
void gw_op_audit_flush(struct gw_op_ctx *ctx);

/* Checks one table: every op has a name "<a>.<b>" or a plain word, a handler, a role, a valid
 * touch, an audit action when it changes anything, arguments with a key, a type, sane limits
 * and no duplicate. Returns: 0, or GW_E_INVAL naming the op in eb. */
int gw_op_table_check(const struct gw_op *ops, size_t n, struct gw_errbuf *eb);

/* The merged, sorted index of several tables. */
struct gw_op_index;
/* Checks each table and merges them; a name in two tables is an error.
 * Returns: 0 with *out set (caller frees with gw_op_index_free()), or GW_E_INVAL. */
int gw_op_index_new(const struct gw_op_table *tables, size_t n, struct gw_op_index **out,
                    struct gw_errbuf *eb);
void gw_op_index_free(struct gw_op_index *idx);
/* Returns: the op called name (borrowed, NULL when none); *table is its table's position. */
const struct gw_op *gw_op_index_find(const struct gw_op_index *idx, const char *name,
                                     size_t *table);
/* Returns: the number of ops; gw_op_index_at(idx, i) is the i-th in name order. */
size_t gw_op_index_count(const struct gw_op_index *idx);
const struct gw_op *gw_op_index_at(const struct gw_op_index *idx, size_t i);

/* Executes req ({"cmd": name, args...}) for caller: finds the op, checks the role, validates
 * the arguments, runs the handler with mods[table] as ctx->mod, writes the audit record the
 * handler asked for, and wipes the op's secret arguments in req (every string of req when
 * it is refused before the handler runs). Errors: GW_E_PARSE (not an object), GW_E_INVAL
 * ("unknown command", "<op>: <key>: <reason>"), GW_E_PERM (role). Returns: a new reference. */
json_t *gw_op_exec(const struct gw_op_index *idx, void *const *mods, struct gw_db *db,
                   struct gw_vault *vault, const struct gw_op_caller *caller, json_t *req);

/* Returns: "viewer", "admin", "root" or "none". */
const char *gw_role_name(enum gw_role role);

#endif
