/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The web UI's operations (gateway/gw_op.h): account recovery on the box itself, admin.unlock
 * {user} and admin.reset-password {user, hash}. They are the way back in when the only
 * administrator is locked out or has forgotten the password, so their role is GW_ROLE_ROOT,
 * which only the CLI run by root grants: the web UI can never call them. The new password is
 * checked and hashed by `fleetgw admin` itself; only the argon2id hash reaches the operation,
 * a secret wiped after the call.
 */
#include "config.h"

#include <string.h>

#include "webui/ui_int.h"

/* The reply account recovery has always given: {"ok": false, "error", "code"}. */
static json_t *reply(int rc, const struct gw_errbuf *eb)
{
    char msg[200];
    if (rc == 0)
        return gw_reply_ok();
    snprintf(msg, sizeof msg, "%.199s", eb->msg[0] ? eb->msg : gw_strerror(rc));
    return json_pack("{s:b, s:s, s:i}", "ok", 0, "error", msg, "code", rc);
}

static json_t *op_unlock(struct gw_op_ctx *ctx, json_t *req)
{
    const char *user = gw_json_str(req, "user", "");
    struct gw_errbuf eb = {""};
    int rc = ui_db_migrate(ctx->db, &eb);
    if (rc < 0)
        return reply(rc, &eb);
    rc = ui_user_unlock(ctx->db, user);
    gw_op_audit(ctx, rc < 0 ? "failed" : "ok", "%s", user);
    if (rc == GW_E_NOTFOUND)
        gw_errbuf_set(&eb, rc, "no such web UI account '%s'", user);
    return reply(rc, &eb);
}

static json_t *op_reset_password(struct gw_op_ctx *ctx, json_t *req)
{
    const char *user = gw_json_str(req, "user", "");
    const char *hash = gw_json_str(req, "hash", "");
    struct gw_errbuf eb = {""};
    int rc = ui_db_migrate(ctx->db, &eb);
    if (rc < 0)
        return reply(rc, &eb);
    if (strcmp(user, UI_ADMIN_USER) != 0 && !ui_user_exists(ctx->db, user))
        rc = gw_errbuf_set(&eb, GW_E_NOTFOUND, "no such web UI account '%s'", user);
    else
        rc = ui_user_set_hash(ctx->db, user, "admin", hash, &eb);
    gw_op_audit(ctx, rc < 0 ? "failed" : "ok", "%s", user);
    return reply(rc, &eb);
}

static const struct gw_op_arg unlock_args[] = {
    {"user", GW_OP_T_STRING, GW_OP_REQUIRED, 0, 0},
};
static const struct gw_op_arg reset_args[] = {
    {"user", GW_OP_T_STRING, GW_OP_REQUIRED, 0, 0},
    {"hash", GW_OP_T_STRING, GW_OP_REQUIRED | GW_OP_SECRET, 0, 0},
};

#define NARGS(a) (sizeof(a) / sizeof((a)[0]))

/* clang-format off */
const struct gw_op ui_ops[] = {
    {"admin.unlock", unlock_args, NARGS(unlock_args), GW_OP_GATEWAY, "account.unlocked",
     GW_ROLE_ROOT, op_unlock},
    {"admin.reset-password", reset_args, NARGS(reset_args), GW_OP_GATEWAY, "password.reset",
     GW_ROLE_ROOT, op_reset_password},
};
/* clang-format on */
const size_t ui_n_ops = NARGS(ui_ops);
