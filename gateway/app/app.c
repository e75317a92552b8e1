/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Start-up code every part of the program shares: loading the configuration (the file, then
 * --state-dir), the counter catalogue, the vault and store, and reading a secret from a file or
 * the terminal. The daemon, the control requests run locally and each subcommand open what they
 * need through these functions, so a configuration or store error reads the same everywhere and
 * no subcommand repeats the sequence.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "gateway/app/cli.h"
#include "snmp/snmpc.h"

int gw_app_load_cfg(const struct gw_opts *o, struct gw_cfg *cfg, struct gw_errbuf *eb)
{
    struct gw_errbuf local = {""};
    struct gw_errbuf *e = eb ? eb : &local;
    const char *path = o->config_path ? o->config_path : GW_DEFAULT_CONFIG;
    int rc;
    gw_cfg_defaults(cfg);
    rc = gw_cfg_load(path, cfg, e);
    /* The default file may be absent (a fresh install runs on defaults); a named one may not. */
    if (rc == -ENOENT && !o->config_path)
        rc = 0;
    if (rc < 0) {
        if (!e->msg[0])
            gw_errbuf_set(e, rc, "%s: %s", path, gw_strerror(rc));
        if (!eb)
            fprintf(stderr, "fleetgw: %s\n", e->msg);
        return rc;
    }
    if (o->state_dir)
        gw_strlcpy(cfg->state_dir, o->state_dir, sizeof cfg->state_dir);
    return 0;
}

int gw_app_load_catalogue(const struct gw_cfg *cfg, struct snmpc_catalogue **out,
                          struct gw_errbuf *eb)
{
    struct gw_errbuf local = {""};
    char path[1024], where[1100];
    int rc;

    *out = NULL;
    if (!gw_cfg_catalogue(cfg, path, sizeof path)) {
        rc = GW_E_CONFIG;
        gw_strlcpy(local.msg, "path too long", sizeof local.msg);
    } else {
        rc = snmpc_catalogue_load(path, out, &local);
    }
    if (rc >= 0)
        return 0;
    /* Name the option, and where it was set, as any other configuration error does. */
    if (cfg->snmp_catalogue_line > 0)
        snprintf(where, sizeof where, "%s:%d", cfg->path, cfg->snmp_catalogue_line);
    else
        snprintf(where, sizeof where, "%s", cfg->path[0] ? cfg->path : "(defaults)");
    if (local.msg[0] && strstr(local.msg, path))
        gw_errbuf_set(eb, GW_E_CONFIG, "%s: snmp.catalogue: %s", where, local.msg);
    else
        gw_errbuf_set(eb, GW_E_CONFIG, "%s: snmp.catalogue: %s: %s", where, path,
                      local.msg[0] ? local.msg : gw_strerror(rc));
    return rc;
}

int gw_app_open_store(struct gw_app *app)
{
    struct gw_errbuf eb = {""};
    char path[1024];
    int rc;
    gw_cfg_key_file(&app->cfg, path, sizeof path);
    rc = gw_vault_open(path, &app->vault, &eb);
    if (rc == -ENOENT) {
        fprintf(stderr, "fleetgw: no secrets key at %s: run 'fleetgw init' first\n", path);
        return rc;
    }
    if (rc < 0) {
        fprintf(stderr, "fleetgw: %s\n", eb.msg[0] ? eb.msg : gw_strerror(rc));
        return rc;
    }
    gw_cfg_db_file(&app->cfg, path, sizeof path);
    rc = gw_db_open(path, &app->db, &eb);
    if (rc < 0) {
        fprintf(stderr, "fleetgw: %s: %s\n", path, eb.msg[0] ? eb.msg : gw_strerror(rc));
        gw_vault_free(app->vault);
        app->vault = NULL;
        return rc;
    }
    return 0;
}

void gw_app_close_store(struct gw_app *app)
{
    gw_db_close(app->db);
    gw_vault_free(app->vault);
    app->db = NULL;
    app->vault = NULL;
}

int gw_app_open(const struct gw_opts *o, struct gw_app *app)
{
    int rc;
    memset(app, 0, sizeof *app);
    rc = gw_app_load_cfg(o, &app->cfg, NULL);
    if (rc < 0)
        return rc;
    return gw_app_open_store(app);
}

/* Reads one line, dropping the trailing newline; refuses an empty secret. */
static char *read_line(FILE *f, const char *what)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, f);
    if (n < 0) {
        fprintf(stderr, "fleetgw: no %s given\n", what);
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (n == 0) {
        fprintf(stderr, "fleetgw: %s is empty\n", what);
        gw_free_secret(line, cap);
        return NULL;
    }
    char *s = gw_strdup(line);
    gw_free_secret(line, cap);
    return s;
}

char *gw_cli_read_secret(const char *file, const char *prompt)
{
    if (file) {
        FILE *f = fopen(file, "r");
        char *s;
        if (!f) {
            fprintf(stderr, "fleetgw: cannot read %s: %s\n", file, strerror(errno));
            return NULL;
        }
        s = read_line(f, file);
        fclose(f);
        return s;
    }
    if (isatty(STDIN_FILENO)) {
        struct termios old, noecho;
        char *s;
        fprintf(stderr, "%s: ", prompt);
        fflush(stderr);
        if (tcgetattr(STDIN_FILENO, &old) == 0) {
            noecho = old;
            noecho.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho);
        }
        s = read_line(stdin, prompt);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
        return s;
    }
    return read_line(stdin, prompt);
}
