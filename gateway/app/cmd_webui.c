/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Web UI account recovery on the box itself: `fleetgw admin unlock` and `fleetgw admin
 * reset-password`, and the administrator that `fleetgw init` creates. They are the way back in
 * when the only administrator is locked out (3 failures lock for 30 minutes, which anyone on
 * the LAN can trigger) or has forgotten the password, so they are for root only. While the
 * daemon runs they are operations (admin.unlock, admin.reset-password, webui/ops.c) that the
 * daemon, the only writer of the database, carries out; their role is root, which only the CLI
 * grants, never the web UI. Without a daemon the command runs the same operation itself.
 * The new password is checked and hashed by the command itself: only the argon2id hash
 * crosses the socket and the daemon's loop never spends the 0.1 s hashing takes. Each use is
 * audited with the Unix user who ran it.
 */
#include "config.h"

#include <getopt.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gateway/app/cli.h"
#include "webui/ui.h"

static const char *unix_user(void)
{
    struct passwd *pw = getpwuid(getuid());
    return pw ? pw->pw_name : "unknown";
}

/* Reads a new password: from file, or asked twice on a terminal. Returns: heap string (free
 * with gw_free_secret_str) or NULL with a message printed. */
static void load_blocklist(const struct gw_cfg *cfg)
{
    struct gw_errbuf eb = {""};
    if (ui_blocklist_load_default(cfg, &eb) < 0)
        fprintf(stderr, "fleetgw: warning: common passwords are not refused: %s\n", eb.msg);
}

static char *read_new_password(const char *file, const char *user)
{
    char prompt[128], *a, *b;
    snprintf(prompt, sizeof prompt, "New web UI password for %s", user);
    a = gw_cli_read_secret(file, prompt);
    if (!a || file || !isatty(STDIN_FILENO))
        return a;
    b = gw_cli_read_secret(NULL, "Repeat the password");
    if (!b || strcmp(a, b) != 0) {
        if (b)
            fprintf(stderr, "fleetgw: the passwords differ\n");
        gw_free_secret_str(a);
        gw_free_secret_str(b);
        return NULL;
    }
    gw_free_secret_str(b);
    return a;
}

int gw_webui_init_admin(struct gw_app *app, const char *password_file)
{
    struct gw_errbuf eb = {""};
    char *pw;
    int rc = ui_db_migrate(app->db, &eb);
    if (rc < 0) {
        fprintf(stderr, "fleetgw: %s\n", eb.msg);
        return rc;
    }
    if (ui_user_exists(app->db, UI_ADMIN_USER)) {
        printf("web UI administrator '%s' exists, kept\n", UI_ADMIN_USER);
        return 0;
    }
    if (!password_file && !isatty(STDIN_FILENO)) {
        printf("no web UI administrator created: run 'fleetgw admin reset-password' or init "
               "with --admin-password-file\n");
        return 0;
    }
    load_blocklist(&app->cfg);
    pw = read_new_password(password_file, UI_ADMIN_USER);
    if (!pw)
        return GW_E_INVAL;
    rc = ui_user_set_password(app->db, UI_ADMIN_USER, "admin", pw, &eb);
    gw_free_secret_str(pw);
    gw_audit_add(app->db, unix_user(), "cli", "user.create", rc < 0 ? "failed" : "ok",
                 UI_ADMIN_USER);
    if (rc < 0) {
        fprintf(stderr, "fleetgw: %s\n", eb.msg[0] ? eb.msg : gw_strerror(rc));
        return rc;
    }
    printf("created web UI administrator '%s'\n", UI_ADMIN_USER);
    return 0;
}

void gw_webui_status(const struct gw_cfg *cfg, json_t *status)
{
    char cert[1024], fp[100], url[200];
    if (!cfg->webui_enabled) {
        json_object_set_new(status, "webui", json_pack("{s:b}", "enabled", 0));
        return;
    }
    snprintf(url, sizeof url, "https://%s:%d/", cfg->webui_listen[0] ? cfg->webui_listen : "<host>",
             cfg->webui_port);
    if (!gw_cfg_webui_cert(cfg, cert, sizeof cert) || ui_cert_fingerprint(cert, fp, sizeof fp) < 0)
        gw_strlcpy(fp, "no certificate yet (made at the daemon's first start)", sizeof fp);
    json_object_set_new(
        status, "webui",
        json_pack("{s:b, s:s, s:s}", "enabled", 1, "url", url, "fingerprint_sha256", fp));
}

static void admin_usage(FILE *out)
{
    fprintf(out, "usage: fleetgw admin unlock [USER]\n"
                 "       fleetgw admin reset-password [--password-file FILE] [USER]\n"
                 "Recovers web UI access on the gateway itself (root only). USER defaults to\n"
                 "'admin'. unlock clears a lockout after failed logins; reset-password sets a new\n"
                 "password (from FILE, or asked twice on the terminal), clears the lockout and\n"
                 "ends the account's sessions; for 'admin' it creates the account if missing.\n"
                 "A running daemon carries the change out; otherwise the database is changed\n"
                 "directly.\n");
}

int gw_cmd_admin(const struct gw_opts *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"password-file", required_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *sub = argc > 1 ? argv[1] : "", *file = NULL, *user = UI_ADMIN_USER;
    struct gw_app app = {0};
    struct gw_errbuf eb = {""};
    json_t *req, *rep;
    char *hash = NULL;
    int c, rc, err = 0;
    bool direct = false;
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        admin_usage(stdout);
        return GW_EXIT_OK;
    }
    if (strcmp(sub, "unlock") != 0 && strcmp(sub, "reset-password") != 0) {
        admin_usage(stderr);
        return GW_EXIT_USAGE;
    }
    optind = 0; /* argv[1] is the subcommand; 0 makes GNU getopt start afresh */
    while ((c = getopt_long(argc - 1, argv + 1, "h", longopts, NULL)) != -1) {
        if (c == 'P' && strcmp(sub, "reset-password") == 0)
            file = optarg;
        else if (c == 'h') {
            admin_usage(stdout);
            return GW_EXIT_OK;
        } else {
            admin_usage(stderr);
            return GW_EXIT_USAGE;
        }
    }
    if (optind + 1 < argc - 1) {
        admin_usage(stderr);
        return GW_EXIT_USAGE;
    }
    if (optind + 1 == argc - 1)
        user = argv[optind + 1];
    /* Recovery bypasses every web UI control, so only the box's administrator may use it. */
    if (geteuid() != 0) {
        fprintf(stderr, "fleetgw admin: must be run as root\n");
        return GW_EXIT_AUTH;
    }
    if (gw_app_load_cfg(o, &app.cfg, NULL) < 0)
        return GW_EXIT_FAIL;
    req = json_pack("{s:s, s:s}", "cmd",
                    strcmp(sub, "unlock") == 0 ? "admin.unlock" : "admin.reset-password", "user",
                    user);
    if (strcmp(sub, "reset-password") == 0) {
        char *pw;
        load_blocklist(&app.cfg);
        pw = read_new_password(file, user);
        rc = pw ? ui_password_hash(pw, &hash, &eb) : GW_E_INVAL;
        gw_free_secret_str(pw);
        if (rc < 0) {
            if (eb.msg[0])
                fprintf(stderr, "fleetgw: %s\n", eb.msg);
            json_decref(req);
            return GW_EXIT_FAIL;
        }
        json_object_set_new(req, "hash", json_string(hash));
    }
    rep = gw_ctl_call(&app.cfg, req, &err);
    if (!rep && err == GW_E_NOTRUNNING) {
        direct = true;
        if (gw_app_open_store(&app) < 0) {
            json_decref(req);
            gw_free_secret_str(hash);
            return GW_EXIT_FAIL;
        }
        /* Root was checked above: the same operation the daemon would run. */
        struct gw_op_caller who = {GW_OP_SRC_CLI, GW_ROLE_ROOT, unix_user(), "cli"};
        rep = gw_ctl_exec(&app, req, &who);
        gw_app_close_store(&app);
    }
    json_decref(req);
    gw_free_secret_str(hash);
    if (!rep) {
        fprintf(stderr, "fleetgw: control socket: %s\n", gw_strerror(err));
        return GW_EXIT_FAIL;
    }
    rc = json_is_true(json_object_get(rep, "ok")) ? 0 : GW_E_INTERNAL;
    if (rc < 0)
        fprintf(stderr, "fleetgw: %s\n", json_string_value(json_object_get(rep, "error")));
    else if (strcmp(sub, "unlock") == 0)
        printf("web UI account '%s' unlocked%s\n", user, direct ? "" : " (by the running daemon)");
    else
        printf("web UI password of '%s' set; its sessions ended and its lockout cleared%s\n", user,
               direct ? "" : " (by the running daemon)");
    json_decref(rep);
    return rc < 0 ? GW_EXIT_FAIL : GW_EXIT_OK;
}
