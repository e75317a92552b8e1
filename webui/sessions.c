/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Login sessions: 16 random bytes as 32 hex digits in the __Host-fgw_sid cookie (Secure,
 * HttpOnly, SameSite=Strict, Path=/); the database holds only its SHA-256, so a copy of the
 * database lets nobody in. Each has a CSRF token the pages send in X-CSRF-Token. Idle timeout
 * and absolute lifetime are checked on every request and by a sweep timer, which also audits the
 * end of inactive sessions. A new token is issued at every login and password change; logout,
 * password change and reset end the account's sessions. An account has at most
 * UI__MAX_USER_SESSIONS; a new one ends the least recently used.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <sqlite3.h>

#include "webui/ui_int.h"

int ui__sessions_end_user(struct gw_db *db, int64_t user_id)
{
    sqlite3_stmt *st;
    gw_db_prepare(db, "DELETE FROM ui_sessions WHERE user_id = ?1", &st);
    if (st)
        sqlite3_bind_int64(st, 1, user_id);
    return gw_db_run(db, st, UI__SQL);
}

/* Finds the session cookie's value in a Cookie header. Returns: true with the 32 hex digits
 * in tok. */
static bool cookie_token(const char *hdr, char tok[2 * UI__TOKEN_BYTES + 1])
{
    const char *p = hdr;
    size_t nl = strlen(UI__COOKIE);
    while (p && *p) {
        while (*p == ' ' || *p == ';')
            p++;
        if (strncmp(p, UI__COOKIE, nl) == 0 && p[nl] == '=') {
            const char *v = p + nl + 1;
            size_t n = strcspn(v, "; ");
            if (n != 2 * UI__TOKEN_BYTES)
                return false;
            for (size_t i = 0; i < n; i++)
                if (!isxdigit((unsigned char)v[i]))
                    return false;
            memcpy(tok, v, n);
            tok[n] = '\0';
            return true;
        }
        p = strchr(p, ';');
    }
    return false;
}

void ui__session_delete(struct ui_server *s, const char *token_hash)
{
    sqlite3_stmt *st;
    gw_db_prepare(s->db, "DELETE FROM ui_sessions WHERE token_hash = ?1", &st);
    if (st)
        gw_db_bind_text(st, 1, token_hash);
    gw_db_run(s->db, st, UI__SQL);
}

/* Ends a session that outlived a timeout, with its audit record. */
static void session_expire(struct ui_server *s, const char *token_hash, const char *user,
                           const char *source, const char *reason)
{
    ui__session_delete(s, token_hash);
    gw_audit_add(s->db, user, source, "session.terminated", "ok", reason);
}

static const char *expired_reason(struct ui_server *s, int64_t created, int64_t last_seen,
                                  int64_t now)
{
    /* Times have one-second resolution: ">" never ends a session before its full time. */
    if (now - last_seen > s->sec.idle_s)
        return "inactivity";
    if (now - created > s->sec.lifetime_s)
        return "lifetime";
    return NULL;
}

bool ui__session_lookup(struct ui_server *s, const char *cookie_header, const char *peer,
                        bool touch, struct ui__session *out)
{
    char tok[2 * UI__TOKEN_BYTES + 1], th[65], src[64];
    sqlite3_stmt *st;
    int64_t now = gw_now();
    const char *why;
    bool ok = false;
    if (!cookie_header || !cookie_token(cookie_header, tok))
        return false;
    ui__sha256_hex(tok, strlen(tok), th);
    OPENSSL_cleanse(tok, sizeof tok);
    if (gw_db_prepare(s->db,
                      "SELECT s.user_id, u.name, u.role, s.csrf, s.created, s.last_seen, "
                      "s.must_change, s.source FROM ui_sessions s JOIN ui_users u ON u.id = "
                      "s.user_id WHERE s.token_hash = ?1",
                      &st) < 0)
        return false;
    gw_db_bind_text(st, 1, th);
    if (sqlite3_step(st) == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        memcpy(out->token_hash, th, sizeof th);
        out->user_id = sqlite3_column_int64(st, 0);
        gw_db_column_copy(st, 1, out->user, sizeof out->user);
        out->role = strcmp((const char *)sqlite3_column_text(st, 2), "admin") == 0 ? UI_ROLE_ADMIN
                                                                                   : UI_ROLE_VIEWER;
        gw_db_column_copy(st, 3, out->csrf, sizeof out->csrf);
        out->created = sqlite3_column_int64(st, 4);
        out->last_seen = sqlite3_column_int64(st, 5);
        out->must_change = sqlite3_column_int(st, 6) != 0;
        gw_db_column_copy(st, 7, src, sizeof src);
        ok = true;
    }
    sqlite3_finalize(st);
    if (!ok)
        return false;
    why = expired_reason(s, out->created, out->last_seen, now);
    if (why) {
        session_expire(s, th, out->user, peer && *peer ? peer : src, why);
        return false;
    }
    /* One write per second at most: the idle clock has second resolution. */
    if (touch && now != out->last_seen) {
        gw_db_prepare(s->db, "UPDATE ui_sessions SET last_seen = ?2 WHERE token_hash = ?1", &st);
        if (st) {
            gw_db_bind_text(st, 1, th);
            sqlite3_bind_int64(st, 2, now);
        }
        gw_db_run(s->db, st, UI__SQL);
        out->last_seen = now;
    }
    return true;
}

bool ui__session_alive(struct ui_server *s, const char *token_hash)
{
    sqlite3_stmt *st;
    gw_db_prepare(s->db,
                  "SELECT created, last_seen FROM ui_sessions "
                  "WHERE token_hash = ?1",
                  &st);
    bool ok = false;
    if (!st)
        return false;
    gw_db_bind_text(st, 1, token_hash);
    if (sqlite3_step(st) == SQLITE_ROW)
        ok = !expired_reason(s, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), gw_now());
    sqlite3_finalize(st);
    return ok;
}

void ui__sessions_sweep(struct ui_server *s)
{
    int64_t now = gw_now();
    struct {
        char th[65], user[65], src[64];
        const char *why;
    } gone[32];
    int n = 0;
    sqlite3_stmt *st;
    if (gw_db_prepare(s->db,
                      "SELECT s.token_hash, u.name, s.source, s.created, "
                      "s.last_seen FROM ui_sessions s JOIN ui_users u ON u.id = "
                      "s.user_id WHERE s.last_seen < ?1 OR s.created < ?2",
                      &st) < 0)
        return;
    sqlite3_bind_int64(st, 1, now - s->sec.idle_s);
    sqlite3_bind_int64(st, 2, now - s->sec.lifetime_s);
    while (n < 32 && sqlite3_step(st) == SQLITE_ROW) {
        gw_db_column_copy(st, 0, gone[n].th, sizeof gone[n].th);
        gw_db_column_copy(st, 1, gone[n].user, sizeof gone[n].user);
        gw_db_column_copy(st, 2, gone[n].src, sizeof gone[n].src);
        gone[n].why =
            expired_reason(s, sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4), now);
        n++;
    }
    sqlite3_finalize(st);
    for (int i = 0; i < n; i++)
        if (gone[i].why)
            session_expire(s, gone[i].th, gone[i].user, gone[i].src, gone[i].why);
}

int ui__session_count(struct ui_server *s)
{
    sqlite3_stmt *st;
    gw_db_prepare(s->db, "SELECT count(*) FROM ui_sessions", &st);
    int n = 0;
    if (!st)
        return 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

static json_t *iso_or_null(int64_t t)
{
    char buf[21];
    return t > 0 ? json_string(gw_time_iso(t, buf)) : json_null();
}

json_t *ui__sessions_list(struct ui_server *s, const char *current_hash)
{
    sqlite3_stmt *st;
    gw_db_prepare(s->db,
                  "SELECT s.token_hash, u.name, u.role, s.source, s.created, "
                  "s.last_seen FROM ui_sessions s JOIN ui_users u ON u.id = "
                  "s.user_id ORDER BY s.last_seen DESC, s.created DESC",
                  &st);
    json_t *arr = json_array();
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        const char *th = (const char *)sqlite3_column_text(st, 0);
        int64_t created = sqlite3_column_int64(st, 4), seen = sqlite3_column_int64(st, 5);
        int64_t idle_end = seen + s->sec.idle_s, life_end = created + s->sec.lifetime_s;
        char id[17];
        gw_strlcpy(id, th ? th : "", sizeof id);
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b}", "id", id, "user",
                           (const char *)sqlite3_column_text(st, 1), "role",
                           (const char *)sqlite3_column_text(st, 2), "source",
                           (const char *)sqlite3_column_text(st, 3), "created",
                           iso_or_null(created), "last_seen", iso_or_null(seen), "expires",
                           iso_or_null(idle_end < life_end ? idle_end : life_end), "current",
                           th && current_hash && strcmp(th, current_hash) == 0));
    }
    sqlite3_finalize(st);
    return json_pack("{s:o, s:i}", "sessions", arr, "max_per_user", UI__MAX_USER_SESSIONS);
}

int ui__session_end(struct ui_server *s, const char *id, const char *user, const char *source)
{
    char th[65] = "", owner[65] = "", detail[160];
    sqlite3_stmt *st;
    size_t n = strlen(id);
    if (n != 16 || strspn(id, "0123456789abcdef") != n)
        return GW_E_NOTFOUND;
    if (gw_db_prepare(s->db,
                      "SELECT s.token_hash, u.name FROM ui_sessions s JOIN ui_users u ON u.id = "
                      "s.user_id WHERE substr(s.token_hash, 1, 16) = ?1",
                      &st) < 0)
        return GW_E_DB;
    gw_db_bind_text(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        gw_db_column_copy(st, 0, th, sizeof th);
        gw_db_column_copy(st, 1, owner, sizeof owner);
    }
    sqlite3_finalize(st);
    if (!th[0])
        return GW_E_NOTFOUND;
    ui__session_delete(s, th);
    snprintf(detail, sizeof detail, "session of %s ended by an administrator", owner);
    gw_audit_add(s->db, user, source, "session.terminated", "ok", detail);
    ui__sessions_ended(s);
    return 0;
}

/* Keeps user_id below UI__MAX_USER_SESSIONS sessions before one more is made: the least
 * recently used go, each audited. */
static void sessions_cap(struct ui_server *s, int64_t user_id)
{
    char gone[UI__MAX_USER_SESSIONS + 8][65], src[UI__MAX_USER_SESSIONS + 8][64], user[65] = "";
    int n = 0, excess;
    sqlite3_stmt *st;
    if (gw_db_prepare(s->db,
                      "SELECT s.token_hash, s.source, u.name FROM ui_sessions s "
                      "JOIN ui_users u ON u.id = s.user_id WHERE s.user_id = ?1 "
                      "ORDER BY s.last_seen ASC, s.created ASC",
                      &st) < 0)
        return;
    sqlite3_bind_int64(st, 1, user_id);
    while (n < (int)(sizeof gone / sizeof gone[0]) && sqlite3_step(st) == SQLITE_ROW) {
        gw_db_column_copy(st, 0, gone[n], sizeof gone[n]);
        gw_db_column_copy(st, 1, src[n], sizeof src[n]);
        gw_db_column_copy(st, 2, user, sizeof user);
        n++;
    }
    sqlite3_finalize(st);
    excess = n - (UI__MAX_USER_SESSIONS - 1);
    for (int i = 0; i < excess; i++) {
        char detail[96];
        ui__session_delete(s, gone[i]);
        snprintf(detail, sizeof detail, "session limit: at most %d per account, oldest ended",
                 UI__MAX_USER_SESSIONS);
        gw_audit_add(s->db, user, src[i], "session.terminated", "ok", detail);
    }
    if (excess > 0)
        ui__sessions_ended(s);
}

/* Creates a session for user_id and puts its cookie into r. Returns: 0 or <0. */
int ui__session_create(struct ui_server *s, struct ui__req *r, int64_t user_id, bool must_change,
                       char csrf_out[33])
{
    unsigned char tok[UI__TOKEN_BYTES], cs[16];
    char hex[2 * UI__TOKEN_BYTES + 1], th[65];
    int64_t now = gw_now();
    sqlite3_stmt *st;
    int rc;
    if (ui__random(tok, sizeof tok) < 0 || ui__random(cs, sizeof cs) < 0)
        return GW_E_CRYPTO;
    ui__hex(tok, sizeof tok, hex);
    ui__hex(cs, sizeof cs, csrf_out);
    ui__sha256_hex(hex, strlen(hex), th);
    sessions_cap(s, user_id);
    gw_db_prepare(s->db,
                  "INSERT INTO ui_sessions (token_hash, user_id, csrf, created, last_seen, "
                  "must_change, source) VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)",
                  &st);
    if (st) {
        gw_db_bind_text(st, 1, th);
        sqlite3_bind_int64(st, 2, user_id);
        gw_db_bind_text(st, 3, csrf_out);
        sqlite3_bind_int64(st, 4, now);
        sqlite3_bind_int(st, 5, must_change);
        gw_db_bind_text(st, 6, r ? r->peer : "");
    }
    rc = gw_db_run(s->db, st, UI__SQL);
    if (rc == 0 && r)
        snprintf(r->cookie, sizeof r->cookie,
                 UI__COOKIE "=%s; Path=/; Secure; HttpOnly; SameSite=Strict", hex);
    OPENSSL_cleanse(hex, sizeof hex);
    OPENSSL_cleanse(tok, sizeof tok);
    return rc;
}
