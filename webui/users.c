/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Local accounts of the web UI: the password policy, and creating accounts or replacing their
 * password (blocking, for the CLI: `fleetgw admin reset-password`, `fleetgw user ...`), and
 * unlocking them; a new viewer account from the users page (hashed off the loop, hashq.c).
 * A password change ends every session of the account.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "webui/ui_int.h"

/* ---------------------------------------------------------------------------------------------
 * Password policy
 */

/* Counts UTF-8 characters; returns -1 for invalid UTF-8. */
static long utf8_chars(const char *s)
{
    long n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int extra = *p < 0x80             ? 0
                    : (*p & 0xe0) == 0xc0 ? 1
                    : (*p & 0xf0) == 0xe0 ? 2
                    : (*p & 0xf8) == 0xf0 ? 3
                                          : -1;
        if (extra < 0)
            return -1;
        p++;
        for (int i = 0; i < extra; i++, p++)
            if ((*p & 0xc0) != 0x80)
                return -1;
        n++;
    }
    return n;
}

int ui_password_check(const char *pw, struct gw_errbuf *eb)
{
    bool digit = false, upper = false, lower = false, symbol = false;
    long n = pw ? utf8_chars(pw) : -1;
    if (n < 0)
        return gw_errbuf_set(eb, GW_E_INVAL, "The password is not valid UTF-8 text.");
    if (n < 8 || n > 64)
        return gw_errbuf_set(eb, GW_E_INVAL,
                             "The password must be 8 to 64 characters long (it has %ld).", n);
    for (const unsigned char *p = (const unsigned char *)pw; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return gw_errbuf_set(eb, GW_E_INVAL,
                                 "The password must not contain control characters.");
        if (isdigit(*p))
            digit = true;
        else if (*p >= 'A' && *p <= 'Z')
            upper = true;
        else if (*p >= 'a' && *p <= 'z')
            lower = true;
        else
            symbol = true;
    }
    if (!digit || !upper || !lower || !symbol)
        return gw_errbuf_set(eb, GW_E_INVAL,
                             "The password needs at least one digit, one upper-case letter, one "
                             "lower-case letter and one symbol (missing: %s%s%s%s).",
                             digit ? "" : "digit ", upper ? "" : "upper-case ",
                             lower ? "" : "lower-case ", symbol ? "" : "symbol");
    if (ui__password_common(pw))
        return gw_errbuf_set(eb, GW_E_INVAL,
                             "This password is too common: it is, or is made from, one of the "
                             "passwords attackers try first. Choose another.");
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Accounts (blocking; the CLI's entry points)
 */

bool ui_user_exists(struct gw_db *db, const char *name)
{
    sqlite3_stmt *st;
    gw_db_prepare(db, "SELECT 1 FROM ui_users WHERE name = ?1", &st);
    bool found;
    if (!st)
        return false;
    gw_db_bind_text(st, 1, name);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

bool ui__user_name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > UI__NAME_MAX)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-' && *s != '@')
            return false;
    return true;
}

static int64_t user_id_of(struct gw_db *db, const char *name)
{
    sqlite3_stmt *st;
    gw_db_prepare(db, "SELECT id FROM ui_users WHERE name = ?1", &st);
    int64_t id = 0;
    if (!st)
        return 0;
    gw_db_bind_text(st, 1, name);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return id;
}

/* Stores a computed hash: creates the account or replaces its password. */
static int store_password(struct gw_db *db, const char *name, const char *role, const char *hash)
{
    int64_t now = gw_now(), id;
    sqlite3_stmt *st;
    int rc = gw_db_begin(db);
    if (rc < 0)
        return rc;
    gw_db_prepare(db,
                  "INSERT INTO ui_users (name, role, hash, pw_changed, created) "
                  "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (name) DO UPDATE SET hash = ?3, "
                  "pw_changed = ?4, must_change = 0, failed = 0, locked_until = 0",
                  &st);
    if (st) {
        gw_db_bind_text(st, 1, name);
        gw_db_bind_text(st, 2, role);
        gw_db_bind_text(st, 3, hash);
        sqlite3_bind_int64(st, 4, now);
    }
    rc = gw_db_run(db, st, UI__SQL);
    id = rc == 0 ? user_id_of(db, name) : 0;
    if (rc == 0)
        rc = ui__sessions_end_user(db, id);
    if (rc == 0)
        rc = gw_db_commit(db);
    if (rc < 0)
        gw_db_rollback(db);
    return rc;
}

int ui_password_hash(const char *password, char **out, struct gw_errbuf *eb)
{
    int rc = ui_password_check(password, eb);
    *out = NULL;
    if (rc < 0)
        return rc;
    *out = ui__hash_password(password);
    if (!*out)
        return gw_errbuf_set(eb, GW_E_CRYPTO, "cannot hash the password");
    return 0;
}

int ui_user_set_hash(struct gw_db *db, const char *name, const char *role, const char *phc,
                     struct gw_errbuf *eb)
{
    int rc;
    if (!ui__user_name_valid(name))
        return gw_errbuf_set(eb, GW_E_INVAL, "user name: 1 to 64 letters, digits, . _ - @");
    if (strcmp(role, "admin") != 0 && strcmp(role, "viewer") != 0)
        return gw_errbuf_set(eb, GW_E_INVAL, "role: must be admin or viewer");
    /* Only our own kind of hash: argon2id in PHC form, nothing that would verify anything. */
    if (!phc || strncmp(phc, "$argon2id$v=19$m=", 17) != 0 || strlen(phc) > 256 ||
        strspn(phc, "$=,+/0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") !=
            strlen(phc))
        return gw_errbuf_set(eb, GW_E_INVAL, "password hash: not an argon2id PHC string");
    rc = ui_db_migrate(db, eb);
    if (rc < 0)
        return rc;
    rc = store_password(db, name, role, phc);
    if (rc < 0)
        return gw_errbuf_set(eb, rc, "cannot store the password");
    return 0;
}

int ui_user_set_password(struct gw_db *db, const char *name, const char *role, const char *password,
                         struct gw_errbuf *eb)
{
    char *hash;
    int rc;
    if (!ui__user_name_valid(name))
        return gw_errbuf_set(eb, GW_E_INVAL, "user name: 1 to 64 letters, digits, . _ - @");
    rc = ui_password_hash(password, &hash, eb);
    if (rc < 0)
        return rc;
    rc = ui_user_set_hash(db, name, role, hash, eb);
    gw_free_secret_str(hash);
    return rc;
}

int ui_user_unlock(struct gw_db *db, const char *name)
{
    sqlite3_stmt *st;
    gw_db_prepare(db, "UPDATE ui_users SET failed = 0, locked_until = 0 WHERE name = ?1", &st);
    int rc;
    if (st)
        gw_db_bind_text(st, 1, name);
    rc = gw_db_run(db, st, UI__SQL);
    if (rc == 0 && gw_db_changes(db) == 0)
        rc = GW_E_NOTFOUND;
    return rc;
}

bool ui__user_load(struct gw_db *db, const char *name, struct ui__user_row *u)
{
    sqlite3_stmt *st;
    gw_db_prepare(db,
                  "SELECT id, role, hash, failed, locked_until, pw_changed, "
                  "must_change FROM ui_users WHERE name = ?1",
                  &st);
    bool found = false;
    memset(u, 0, sizeof *u);
    if (!st)
        return false;
    gw_db_bind_text(st, 1, name);
    if (sqlite3_step(st) == SQLITE_ROW) {
        u->id = sqlite3_column_int64(st, 0);
        gw_db_column_copy(st, 1, u->role, sizeof u->role);
        u->hash = gw_strdup((const char *)sqlite3_column_text(st, 2));
        u->failed = sqlite3_column_int(st, 3);
        u->locked_until = sqlite3_column_int64(st, 4);
        u->pw_changed = sqlite3_column_int64(st, 5);
        u->must_change = sqlite3_column_int(st, 6) != 0;
        found = true;
    }
    sqlite3_finalize(st);
    return found;
}

static void create_done(struct ui__job *j)
{
    struct ui_server *s = j->srv;
    struct ui__req *r = ui__job_take_req(j);
    int rc = j->rc;
    if (rc == 0) {
        sqlite3_stmt *st;
        gw_db_prepare(s->db,
                      "INSERT INTO ui_users (name, role, hash, pw_changed, "
                      "created) VALUES (?1, ?2, ?3, ?4, ?4)",
                      &st);
        if (st) {
            gw_db_bind_text(st, 1, j->user);
            gw_db_bind_text(st, 2, j->role);
            gw_db_bind_text(st, 3, j->new_hash);
            sqlite3_bind_int64(st, 4, gw_now());
        }
        rc = gw_db_run(s->db, st, UI__SQL);
    }
    /* j->peer holds "admin-user@address" for this job: who created the account. */
    gw_audit_add(s->db, j->peer, r ? r->peer : "", "user.create", rc < 0 ? "failed" : "ok",
                 j->user);
    if (r) {
        if (rc < 0)
            ui__respond_error(r, 409, "The account could not be created (the name may be taken).");
        else
            ui__respond_json(r, 201, json_pack("{s:s, s:s}", "name", j->user, "role", j->role));
    }
    ui__job_free(j);
}

/* POST /users (admin): {"name", "password", "role": "viewer"}. */
void ui__user_create(struct ui__req *r, json_t *body)
{
    struct gw_errbuf eb = {""};
    char err[160];
    const char *name = ui__json_str(body, "name", UI__NAME_MAX, err, sizeof err);
    const char *pw =
        name ? ui__json_str(body, "password", UI__LOGIN_PW_MAX, err, sizeof err) : NULL;
    const char *role = json_string_value(json_object_get(body, "role"));
    struct ui__job *j;
    if (!name || !pw) {
        ui__respond_error(r, 400, err);
        return;
    }
    if (!ui__user_name_valid(name)) {
        ui__respond_error(r, 400, "name: use 1 to 64 letters, digits and . _ - @");
        return;
    }
    if (role && strcmp(role, "viewer") != 0) {
        ui__respond_error(r, 400, "role: administrators can create viewer accounts only");
        return;
    }
    if (ui_password_check(pw, &eb) < 0) {
        ui__respond_error(r, 400, eb.msg);
        return;
    }
    if (ui_user_exists(r->srv->db, name)) {
        ui__respond_error(r, 409, "An account with this name exists already.");
        return;
    }
    if (ui__queue_full(r))
        return;
    j = ui__job_new(r, create_done);
    gw_strlcpy(j->user, name, sizeof j->user);
    gw_strlcpy(j->role, "viewer", sizeof j->role);
    gw_strlcpy(j->peer, r->sess.user, sizeof j->peer);
    j->new_password = gw_strdup(pw);
    ui__job_start(j);
}
