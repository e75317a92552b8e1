/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The web UI's accounts and sessions: the security settings an administrator can change, and
 * start and stop. The rest lives in five files, one concern each, in layers: a file calls only
 * those below it (tools/filecircles.sh), and this one is on top.
 *  - login.c: login, logout, lockout, per-address limits, password change and re-authentication;
 *  - users.c: password policy and the accounts (the CLI's blocking entry points, new viewers);
 *  - sessions.c: session cookies, timeouts, the per-account cap, listing and ending them;
 *  - hashq.c: argon2id hashing on libuv's thread pool, behind a bounded queue, and the list of
 *    login attempts in flight that its jobs are linked into;
 *  - schema.c: the module's tables (ui_users, ui_sessions, ui_settings) and their migrations.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <sqlite3.h>

#include "webui/ui_int.h"

#define LOCKOUT_N 3
#define LOCKOUT_S (30 * 60)

const char *ui__role_name(enum ui__role r)
{
    return r == UI_ROLE_ADMIN ? "admin" : "viewer";
}

/* ---------------------------------------------------------------------------------------------
 * Security settings
 */

void ui__security_load(struct ui_server *s)
{
    sqlite3_stmt *st;
    s->sec.idle_s = s->cfg.webui_session_idle_s;
    s->sec.lifetime_s = s->cfg.webui_session_lifetime_s;
    s->sec.lockout_threshold = LOCKOUT_N;
    s->sec.lockout_s = LOCKOUT_S;
    s->sec.upgrade_min = -1;
    if (gw_db_prepare(s->db, "SELECT key, value FROM ui_settings", &st) < 0)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        int v = sqlite3_column_int(st, 1);
        if (k && strcmp(k, "auto_upgrade_time") == 0) {
            /* Kept as the "HH:MM" an administrator typed; "" when cleared. */
            const char *t = (const char *)sqlite3_column_text(st, 1);
            int hh, mm;
            if (t && sscanf(t, "%2d:%2d", &hh, &mm) == 2 && hh >= 0 && hh < 24 && mm >= 0 &&
                mm < 60)
                s->sec.upgrade_min = hh * 60 + mm;
            continue;
        }
        if (!k || v <= 0)
            continue;
        if (strcmp(k, "idle_s") == 0)
            s->sec.idle_s = v;
        else if (strcmp(k, "lockout_threshold") == 0)
            s->sec.lockout_threshold = v;
        else if (strcmp(k, "lockout_s") == 0)
            s->sec.lockout_s = v;
    }
    sqlite3_finalize(st);
}

int ui__security_save(struct ui_server *s, const struct ui__security *sec)
{
    static const char *const keys[] = {"idle_s", "lockout_threshold", "lockout_s"};
    int vals[] = {sec->idle_s, sec->lockout_threshold, sec->lockout_s};
    int rc = gw_db_begin(s->db);
    for (size_t i = 0; rc == 0 && i < 3; i++) {
        sqlite3_stmt *st;
        gw_db_prepare(s->db,
                      "INSERT OR REPLACE INTO ui_settings (key, value) "
                      "VALUES (?1, ?2)",
                      &st);
        if (st) {
            gw_db_bind_text(st, 1, keys[i]);
            sqlite3_bind_int(st, 2, vals[i]);
        }
        rc = gw_db_run(s->db, st, UI__SQL);
    }
    if (rc == 0) {
        char hhmm[16] = "";
        sqlite3_stmt *st;
        gw_db_prepare(s->db,
                      "INSERT OR REPLACE INTO ui_settings (key, value) "
                      "VALUES ('auto_upgrade_time', ?1)",
                      &st);
        if (sec->upgrade_min >= 0)
            snprintf(hhmm, sizeof hhmm, "%02d:%02d", sec->upgrade_min / 60, sec->upgrade_min % 60);
        if (st)
            gw_db_bind_text(st, 1, hhmm);
        rc = gw_db_run(s->db, st, UI__SQL);
    }
    if (rc == 0)
        rc = gw_db_commit(s->db);
    if (rc < 0) {
        gw_db_rollback(s->db);
        return rc;
    }
    s->sec = *sec;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Module start and stop
 */

int ui__auth_init(struct ui_server *s, struct gw_errbuf *eb)
{
    unsigned char rnd[24];
    char pw[49];
    int rc = ui_db_migrate(s->db, eb);
    if (rc < 0)
        return rc;
    ui__security_load(s);
    s->busy_log.interval_ms = 60000;
    /* A random password nobody knows; computing its hash once here costs one hash at start. */
    if (ui__random(rnd, sizeof rnd) < 0)
        return gw_errbuf_set(eb, GW_E_CRYPTO, "no random bytes");
    ui__hex(rnd, sizeof rnd, pw);
    s->dummy_hash = ui__hash_password(pw);
    OPENSSL_cleanse(pw, sizeof pw);
    if (!s->dummy_hash)
        return gw_errbuf_set(eb, GW_E_CRYPTO, "cannot compute a password hash");
    if (!ui_user_exists(s->db, UI_ADMIN_USER))
        gw_log_warn(UI, "no administrator account: create it with 'fleetgw admin "
                        "reset-password'");
    return 0;
}

void ui__auth_cleanup(struct ui_server *s)
{
    /* Queued jobs never started: they have no libuv request to wait for. */
    while (s->queue_head) {
        struct ui__job *j = s->queue_head;
        s->queue_head = j->next;
        ui__login_untrack(j);
        ui__job_free(j);
    }
    s->queue_tail = NULL;
    s->queued = 0;
    free(s->dummy_hash);
    s->dummy_hash = NULL;
}
