/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Local accounts and login sessions of the web UI.
 *
 * Passwords: argon2id (libargon2; OpenSSL 3.0 has no Argon2), 19 MiB, 2 passes, 1 lane, 16-byte
 * salt from the CSPRNG, stored as the PHC string. A hash takes ~70 ms and 19 MiB, so the
 * server computes it on libuv's thread pool, at most UI__MAX_HASHING at a time (more wait in a
 * queue): a login flood costs memory and CPU in bounded amounts and never stalls the loop.
 *
 * Lockout (the product rule, reference's Table 7): N consecutive failures (default 3) lock the
 * account for a period (default 30 min). Counter and expiry live in ui_users, so a restart
 * keeps the lock. While locked no hash is computed and the answer is the same as for a wrong
 * password or an unknown user: the same status, the same body, and no sooner than
 * UI__FAIL_DELAY_MS after the request arrived. An unknown user is verified against a dummy
 * hash so it costs what a known one costs. The database effects of an attempt are applied even
 * when the client has gone away, so disconnecting early does not dodge the counter.
 *
 * Sessions: 16 random bytes as 32 hex digits in the __Host-fgw_sid cookie (Secure, HttpOnly,
 * SameSite=Strict, Path=/); the database holds only its SHA-256, so a copy of the database
 * lets nobody in. Each has a CSRF token the pages send in X-CSRF-Token. Idle timeout and
 * absolute lifetime are checked on every request and by a sweep timer, which also audits the
 * end of inactive sessions. A new token is issued at every login and password change; logout,
 * password change and reset end the account's sessions.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>
#include <openssl/crypto.h>
#include <sqlite3.h>

#include "webui/ui_int.h"

#define ARGON2_T     2
#define ARGON2_M_KIB 19456
#define ARGON2_P     1
#define SALT_BYTES   16
#define HASH_BYTES   32
#define PW_MAX_AGE   (365 * 86400)
#define LOCKOUT_N    3
#define LOCKOUT_S    (30 * 60)
#define UI_NAME_MAX  64
/* Login accepts longer input than the policy allows, so the answer never tells the policy. */
#define LOGIN_PW_MAX 1024

/* What a failed statement is called in the log (gw_db_run). */
#define UI_SQL "web UI account statement"

static const char generic_fail[] =
    "Login failed: wrong user name or password, or the account is locked.";

static const struct gw_db_migration ui_migrations[] = {
    {1, "CREATE TABLE ui_users ("
        "  id INTEGER PRIMARY KEY,"
        "  name TEXT NOT NULL UNIQUE,"
        "  role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),"
        "  hash TEXT NOT NULL,"
        "  pw_changed INTEGER NOT NULL,"
        "  must_change INTEGER NOT NULL DEFAULT 0,"
        "  failed INTEGER NOT NULL DEFAULT 0,"
        "  locked_until INTEGER NOT NULL DEFAULT 0,"
        "  last_login INTEGER,"
        "  created INTEGER NOT NULL"
        ");"
        /* Only the SHA-256 of a session token is stored. */
        "CREATE TABLE ui_sessions ("
        "  token_hash TEXT PRIMARY KEY,"
        "  user_id INTEGER NOT NULL REFERENCES ui_users(id) ON DELETE CASCADE,"
        "  csrf TEXT NOT NULL,"
        "  created INTEGER NOT NULL,"
        "  last_seen INTEGER NOT NULL,"
        "  must_change INTEGER NOT NULL DEFAULT 0,"
        "  source TEXT NOT NULL DEFAULT ''"
        ") WITHOUT ROWID;"
        "CREATE INDEX ui_sessions_user ON ui_sessions(user_id);"
        /* Security settings an administrator changed on the settings page. */
        "CREATE TABLE ui_settings ("
        "  key TEXT PRIMARY KEY,"
        "  value INTEGER NOT NULL"
        ") WITHOUT ROWID;"},
    /* The devices page sorts by name by default; with 10,000 devices a sort per request costs
     * milliseconds on the loop, the index a few hundred microseconds. The index serves only
     * this module's query (gw_query_devices), so it is created with the module's tables. */
    {2, "CREATE INDEX IF NOT EXISTS ui_devices_name ON devices(name COLLATE NOCASE);"},
};

struct ui__job {
    struct ui_server *srv;
    struct ui__req *req; /* NULL once the client went away */
    void (*done)(struct ui__job *j);
    /* Runs on the loop right before the hash: returns false to skip it (done runs at once). */
    bool (*precheck)(struct ui__job *j);
    uv_work_t work;
    uv_timer_t delay;
    struct ui__job *next;
    /* inputs */
    char *verify_hash; /* PHC string to check password against, or NULL */
    char *password;
    char *new_password; /* hashed into new_hash when set (and the check passed) */
    /* outputs */
    bool verified, hashed; /* hashed: the password was checked at all */
    bool src_refused;      /* the source address was blocked when the hash was due */
    int64_t src_wait;      /* then: for how many more seconds */
    char *new_hash;
    int rc;
    /* context */
    char user[UI_NAME_MAX + 1];
    char role[8];
    int64_t user_id;
    bool known, locked, must_change;
    char peer[64];
    char srckey[64];               /* login: ui__src_key() of peer */
    struct ui__job *lnext, *lprev; /* login: in ui_server.logins until answered */
    bool tracked;
    /* re-authentication: what runs after it, with the body it gets */
    ui__then_fn then;
    json_t *then_body;
    char then_arg[256];
    char action[40];
};

const char *ui__role_name(enum ui__role r)
{
    return r == UI_ROLE_ADMIN ? "admin" : "viewer";
}

int ui_db_migrate(struct gw_db *db, struct gw_errbuf *eb)
{
    return gw_db_migrate_module(db, "ui", ui_migrations,
                                sizeof ui_migrations / sizeof ui_migrations[0], eb);
}

/* ---------------------------------------------------------------------------------------------
 * Password policy and hashing
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

/* Hashes pw into a PHC string. Any thread. Returns: heap string or NULL. */
static char *hash_password(const char *pw)
{
    unsigned char salt[SALT_BYTES];
    size_t len =
        argon2_encodedlen(ARGON2_T, ARGON2_M_KIB, ARGON2_P, SALT_BYTES, HASH_BYTES, Argon2_id);
    char *enc = gw_malloc(len + 1);
    if (ui__random(salt, sizeof salt) < 0 ||
        argon2id_hash_encoded(ARGON2_T, ARGON2_M_KIB, ARGON2_P, pw, strlen(pw), salt, sizeof salt,
                              HASH_BYTES, enc, len + 1) != ARGON2_OK) {
        free(enc);
        return NULL;
    }
    return enc;
}

static bool verify_password(const char *enc, const char *pw)
{
    return enc && pw && argon2id_verify(enc, pw, strlen(pw)) == ARGON2_OK;
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

static bool valid_user_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > UI_NAME_MAX)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-' && *s != '@')
            return false;
    return true;
}

static int end_user_sessions(struct gw_db *db, int64_t user_id)
{
    sqlite3_stmt *st;
    gw_db_prepare(db, "DELETE FROM ui_sessions WHERE user_id = ?1", &st);
    if (st)
        sqlite3_bind_int64(st, 1, user_id);
    return gw_db_run(db, st, UI_SQL);
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
    rc = gw_db_run(db, st, UI_SQL);
    id = rc == 0 ? user_id_of(db, name) : 0;
    if (rc == 0)
        rc = end_user_sessions(db, id);
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
    *out = hash_password(password);
    if (!*out)
        return gw_errbuf_set(eb, GW_E_CRYPTO, "cannot hash the password");
    return 0;
}

int ui_user_set_hash(struct gw_db *db, const char *name, const char *role, const char *phc,
                     struct gw_errbuf *eb)
{
    int rc;
    if (!valid_user_name(name))
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
    if (!valid_user_name(name))
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
    rc = gw_db_run(db, st, UI_SQL);
    if (rc == 0 && gw_db_changes(db) == 0)
        rc = GW_E_NOTFOUND;
    return rc;
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
        rc = gw_db_run(s->db, st, UI_SQL);
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
        rc = gw_db_run(s->db, st, UI_SQL);
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
 * Sessions
 */

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

static void session_delete(struct ui_server *s, const char *token_hash)
{
    sqlite3_stmt *st;
    gw_db_prepare(s->db, "DELETE FROM ui_sessions WHERE token_hash = ?1", &st);
    if (st)
        gw_db_bind_text(st, 1, token_hash);
    gw_db_run(s->db, st, UI_SQL);
}

/* Ends a session that outlived a timeout, with its audit record. */
static void session_expire(struct ui_server *s, const char *token_hash, const char *user,
                           const char *source, const char *reason)
{
    session_delete(s, token_hash);
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
        gw_db_run(s->db, st, UI_SQL);
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
    session_delete(s, th);
    snprintf(detail, sizeof detail, "session of %s ended by an administrator", owner);
    gw_audit_add(s->db, user, source, "session.terminated", "ok", detail);
    ui__ws_recheck(s);
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
        session_delete(s, gone[i]);
        snprintf(detail, sizeof detail, "session limit: at most %d per account, oldest ended",
                 UI__MAX_USER_SESSIONS);
        gw_audit_add(s->db, user, src[i], "session.terminated", "ok", detail);
    }
    if (excess > 0)
        ui__ws_recheck(s);
}

/* Creates a session for user_id and puts its cookie into r. Returns: 0 or <0. */
static int session_create(struct ui_server *s, struct ui__req *r, int64_t user_id, bool must_change,
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
    rc = gw_db_run(s->db, st, UI_SQL);
    if (rc == 0 && r)
        snprintf(r->cookie, sizeof r->cookie,
                 UI__COOKIE "=%s; Path=/; Secure; HttpOnly; SameSite=Strict", hex);
    OPENSSL_cleanse(hex, sizeof hex);
    OPENSSL_cleanse(tok, sizeof tok);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Hash jobs on libuv's thread pool
 */

static void login_untrack(struct ui__job *j);

static void job_free(struct ui__job *j)
{
    login_untrack(j);
    gw_free_secret_str(j->password);
    gw_free_secret_str(j->new_password);
    gw_free_secret_str(j->new_hash);
    free(j->verify_hash);
    ui__json_wipe_free(j->then_body);
    free(j);
}

static void job_work(uv_work_t *w)
{
    struct ui__job *j = w->data;
    j->hashed = true;
    j->verified = j->verify_hash ? verify_password(j->verify_hash, j->password) : true;
    if (j->verified && j->new_password) {
        j->new_hash = hash_password(j->new_password);
        if (!j->new_hash)
            j->rc = GW_E_CRYPTO;
    }
}

static void job_after(uv_work_t *w, int status);

/* Hands j to the thread pool now, unless its precheck says the hash is not to be done. */
static void job_run(struct ui__job *j)
{
    struct ui_server *s = j->srv;
    if (j->precheck && !j->precheck(j)) {
        j->done(j);
        return;
    }
    s->hashing++;
    j->work.data = j;
    if (uv_queue_work(s->loop, &j->work, job_work, job_after) < 0) {
        s->hashing--;
        j->rc = GW_E_INTERNAL;
        j->done(j);
    }
}

/* Starts queued jobs while there is room. */
static void queue_pump(struct ui_server *s)
{
    while (s->queue_head && !s->stopping && s->hashing < UI__MAX_HASHING) {
        struct ui__job *next = s->queue_head;
        s->queue_head = next->next;
        if (!s->queue_head)
            s->queue_tail = NULL;
        s->queued--;
        job_run(next);
    }
}

static void job_after(uv_work_t *w, int status)
{
    struct ui__job *j = w->data;
    struct ui_server *s = j->srv;
    s->hashing--;
    if (status < 0)
        j->rc = status;
    /* The result first: a failure it counts (a lock it sets) is seen by the next precheck. */
    j->done(j);
    queue_pump(s);
}

static void job_start(struct ui__job *j)
{
    struct ui_server *s = j->srv;
    if (s->hashing >= UI__MAX_HASHING || s->queue_head) {
        j->next = NULL;
        if (s->queue_tail)
            s->queue_tail->next = j;
        else
            s->queue_head = j;
        s->queue_tail = j;
        s->queued++;
        return;
    }
    job_run(j);
}

/* Refuses r with 503 when the hashing queue is full. Returns: true when it did. */
static bool queue_full(struct ui__req *r)
{
    if (r->srv->queued < UI__MAX_QUEUED)
        return false;
    {
        unsigned n = 0;
        if (gw_log_limit(&r->srv->busy_log, uv_now(r->srv->loop), &n))
            gw_log_warn(UI,
                        "password hashing queue full, request refused source=%s "
                        "suppressed=%u",
                        r->peer, n);
    }
    snprintf(r->retry_after, sizeof r->retry_after, "%d", 5);
    ui__respond_error(r, 503,
                      "The gateway is busy checking passwords: try again in a few "
                      "seconds.");
    return true;
}

void ui__job_orphan(struct ui__job *j)
{
    j->req = NULL;
}

static struct ui__job *job_new(struct ui__req *r, void (*done)(struct ui__job *))
{
    struct ui__job *j = gw_calloc(1, sizeof *j);
    j->srv = r->srv;
    j->req = r;
    j->done = done;
    gw_strlcpy(j->peer, r->peer, sizeof j->peer);
    r->job = j;
    return j;
}

/* Detaches the job from its request (the answer is being given now). Returns: the request,
 * or NULL when the client has gone. */
static struct ui__req *job_take_req(struct ui__job *j)
{
    struct ui__req *r = j->req;
    if (r)
        r->job = NULL;
    j->req = NULL;
    return r;
}

static void delay_closed(uv_handle_t *h)
{
    job_free(h->data);
}

static void delay_fired(uv_timer_t *t)
{
    struct ui__job *j = t->data;
    struct ui__req *r = job_take_req(j);
    if (r)
        ui__respond_error(r, 401, generic_fail);
    uv_close((uv_handle_t *)&j->delay, delay_closed);
}

/* Answers a failed login no sooner than UI__FAIL_DELAY_MS after the request. */
static void fail_later(struct ui__job *j)
{
    struct ui_server *s = j->srv;
    uint64_t now = uv_now(s->loop), due = j->req ? j->req->t0_ms + UI__FAIL_DELAY_MS : now;
    uv_timer_init(s->loop, &j->delay);
    j->delay.data = j;
    uv_timer_start(&j->delay, delay_fired, due > now ? due - now : 0, 0);
}

/* ---------------------------------------------------------------------------------------------
 * Login
 */

struct user_row {
    int64_t id;
    char role[8];
    char *hash;
    int failed;
    int64_t locked_until, pw_changed;
    bool must_change;
};

static bool user_load(struct gw_db *db, const char *name, struct user_row *u)
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

/* ---------------------------------------------------------------------------------------------
 * Login attempts in flight: accepted, not yet answered. An attempt is a guess from the moment
 * it is accepted, so the limits below count these besides the failures already seen;
 * otherwise a burst sent at once would all be accepted before the first failure is counted.
 */

static void login_track(struct ui__job *j)
{
    struct ui_server *s = j->srv;
    j->lprev = NULL;
    j->lnext = s->logins;
    if (s->logins)
        s->logins->lprev = j;
    s->logins = j;
    j->tracked = true;
}

static void login_untrack(struct ui__job *j)
{
    if (!j->tracked)
        return;
    if (j->lprev)
        j->lprev->lnext = j->lnext;
    else
        j->srv->logins = j->lnext;
    if (j->lnext)
        j->lnext->lprev = j->lprev;
    j->tracked = false;
}

/* Returns: the attempts in flight from source key (when not NULL), or else against user_id. */
static unsigned login_inflight(struct ui_server *s, const char *key, int64_t user_id)
{
    unsigned n = 0;
    for (struct ui__job *j = s->logins; j; j = j->lnext)
        if (key ? strcmp(j->srckey, key) == 0 : (j->known && j->user_id == user_id))
            n++;
    return n;
}

/* Returns: true when u is locked, or would be once the checks in flight against it failed;
 * no more are checked at once than the lockout leaves. */
static bool account_closed(struct ui_server *s, const struct user_row *u)
{
    return u->locked_until > gw_now() ||
           u->failed + (int)login_inflight(s, NULL, u->id) >= s->sec.lockout_threshold;
}

/* ---------------------------------------------------------------------------------------------
 * Failed logins per source address: the account lockout stops guessing one account's
 * password, this stops one address from guessing across many accounts (and from locking them
 * all out one after the other).
 */

void ui__src_key(const char *peer, char *out, size_t len)
{
    struct in6_addr a6;
    char txt[INET6_ADDRSTRLEN];
    gw_strlcpy(out, peer, len);
    if (inet_pton(AF_INET6, peer, &a6) != 1)
        return;
    if (IN6_IS_ADDR_V4MAPPED(&a6)) {
        if (inet_ntop(AF_INET, &a6.s6_addr[12], txt, sizeof txt))
            gw_strlcpy(out, txt, len);
        return;
    }
    memset(&a6.s6_addr[8], 0, 8);
    if (inet_ntop(AF_INET6, &a6, txt, sizeof txt))
        snprintf(out, len, "%s/64", txt);
}

/* Returns: the slot of key, a new one when create is set, or NULL. A new slot takes the least
 * recently used one that is neither blocked nor has attempts in flight: evicting a blocked
 * address would lift its block. When every slot is taken so, there is none (NULL). */
static struct ui__src *src_slot(struct ui_server *s, const char *key, bool create)
{
    struct ui__src *oldest = NULL;
    int64_t now = gw_now();
    for (size_t i = 0; i < UI__SRC_SLOTS; i++) {
        struct ui__src *e = &s->src[i];
        if (e->addr[0] && strcmp(e->addr, key) == 0)
            return e;
        if (e->blocked_until > now || (e->addr[0] && login_inflight(s, e->addr, 0) > 0))
            continue;
        if (!oldest || e->last < oldest->last)
            oldest = e;
    }
    if (!create || !oldest)
        return NULL;
    memset(oldest, 0, sizeof *oldest);
    gw_strlcpy(oldest->addr, key, sizeof oldest->addr);
    return oldest;
}

/* Returns: the seconds for which logins from addr are refused, or 0. The refusals are
 * audited once a minute per address with their count, so that a flood of them cannot flood
 * the audit log too. */
static int64_t src_blocked(struct ui_server *s, const char *addr, const char *user)
{
    struct ui__src *e = src_slot(s, addr, false);
    int64_t now = gw_now();
    if (!e || e->blocked_until <= now)
        return 0;
    e->refused++;
    e->last = now;
    if (now - e->refused_audited >= 60) {
        char detail[256];
        snprintf(detail, sizeof detail,
                 "too many failed logins from this address: %u login(s) refused, the last as "
                 "'%.64s'",
                 e->refused, user);
        gw_audit_add(s->db, user, addr, "login", "failed", detail);
        e->refused = 0;
        e->refused_audited = now;
    }
    return e->blocked_until - now;
}

static void src_failed(struct ui_server *s, const char *addr, const char *user)
{
    struct ui__src *e = src_slot(s, addr, true);
    int64_t now = gw_now();
    char detail[256];
    if (!e)
        return; /* ui__login refuses logins it could not count */
    if (now - e->first > UI__SRC_WINDOW_S) {
        e->first = now;
        e->fails = 0;
    }
    e->fails++;
    e->last = now;
    if (e->fails <= UI__SRC_MAX_FAILS || e->blocked_until > now)
        return;
    e->blocked_until = now + UI__SRC_BLOCK_S;
    e->refused = 0;
    snprintf(detail, sizeof detail,
             "%u failed logins from this address within %d min (last as '%.64s'); logins from it "
             "refused for %d min",
             e->fails, UI__SRC_WINDOW_S / 60, user, UI__SRC_BLOCK_S / 60);
    gw_log_warn(UI, "login rate limit source=%s failures=%u", addr, e->fails);
    gw_audit_add(s->db, "-", addr, "login.ratelimited", "ok", detail);
}

/* Counts a failed attempt against a known, unlocked account; locks it at the threshold. */
static void count_failure(struct ui_server *s, struct ui__job *j)
{
    struct user_row u;
    sqlite3_stmt *st;
    if (!user_load(s->db, j->user, &u))
        return;
    free(u.hash);
    u.failed++;
    if (u.failed >= s->sec.lockout_threshold) {
        char detail[96];
        gw_db_prepare(s->db, "UPDATE ui_users SET failed = 0, locked_until = ?2 WHERE id = ?1",
                      &st);
        if (st) {
            sqlite3_bind_int64(st, 1, u.id);
            sqlite3_bind_int64(st, 2, gw_now() + s->sec.lockout_s);
        }
        gw_db_run(s->db, st, UI_SQL);
        snprintf(detail, sizeof detail, "%d consecutive failures, locked for %d min", u.failed,
                 s->sec.lockout_s / 60);
        gw_log_warn(UI, "account locked user=%s source=%s", j->user, j->peer);
        gw_audit_add(s->db, j->user, j->peer, "account.locked", "ok", detail);
        return;
    }
    gw_db_prepare(s->db, "UPDATE ui_users SET failed = ?2 WHERE id = ?1", &st);
    if (st) {
        sqlite3_bind_int64(st, 1, u.id);
        sqlite3_bind_int(st, 2, u.failed);
    }
    gw_db_run(s->db, st, UI_SQL);
}

/* Answers r with 429 for wait_s more seconds of the source block. */
static void respond_src_blocked(struct ui__req *r, int64_t wait_s)
{
    char msg[160];
    snprintf(msg, sizeof msg,
             "Too many failed logins from your address: try again in %lld minutes.",
             (long long)(wait_s + 59) / 60);
    snprintf(r->retry_after, sizeof r->retry_after, "%lld", (long long)wait_s);
    ui__respond_error(r, 429, msg);
}

/* Returns: true when the account is locked now, as the database says. */
static bool account_locked_now(struct ui_server *s, const char *name)
{
    struct user_row u;
    bool locked;
    if (!user_load(s->db, name, &u))
        return false;
    free(u.hash);
    locked = u.locked_until > gw_now();
    return locked;
}

/* Precheck of the jobs that check the password of a known account: a lock set while the job
 * waited in the queue means no check at all. */
static bool account_precheck(struct ui__job *j)
{
    if (!j->req)
        return false; /* nobody waits for the answer: no guess is evaluated */
    j->locked = account_locked_now(j->srv, j->user);
    return !j->locked;
}

/* Right before the hash: the state may have changed while the attempt waited in the queue. */
static bool login_precheck(struct ui__job *j)
{
    if (!j->req)
        return false;
    j->src_wait = src_blocked(j->srv, j->srckey, j->user);
    if (j->src_wait > 0) {
        j->src_refused = true;
        return false;
    }
    return !j->known || account_precheck(j);
}

static void login_done(struct ui__job *j)
{
    struct ui_server *s = j->srv;
    struct ui__req *r;
    char csrf[33];
    json_t *reply;
    sqlite3_stmt *st;
    int64_t wait_s = 0;
    login_untrack(j);
    if (!j->hashed && !j->locked && !j->src_refused && j->rc == 0) {
        /* Skipped before the hash because the client went away: nothing was tried. */
        gw_log_debug(UI, "login skipped, client gone user=%s source=%s", j->user, j->peer);
        job_free(j);
        return;
    }
    /* Another attempt may have locked the account, or blocked the source, meanwhile: the
     * state at arrival no longer counts, and a lock set since then is never lifted here. */
    if (j->known && !j->locked && account_locked_now(s, j->user))
        j->locked = true;
    if (j->src_refused)
        wait_s = j->src_wait;
    else if (j->verified && j->rc == 0 && !j->locked)
        wait_s = src_blocked(s, j->srckey, j->user);
    if (wait_s > 0) {
        r = job_take_req(j);
        if (r)
            respond_src_blocked(r, wait_s);
        job_free(j);
        return;
    }
    if (j->locked || !j->known || !j->verified || j->rc < 0) {
        if (j->known && !j->locked && j->rc == 0 && j->hashed)
            count_failure(s, j);
        src_failed(s, j->srckey, j->user);
        gw_audit_add(s->db, j->user, j->peer, "login", "failed",
                     j->locked  ? "account locked"
                     : j->known ? "wrong password"
                                : "unknown user");
        fail_later(j);
        return;
    }
    gw_db_prepare(s->db,
                  "UPDATE ui_users SET failed = 0, locked_until = 0, last_login = ?2 "
                  "WHERE id = ?1 AND locked_until <= ?2",
                  &st);
    if (st) {
        sqlite3_bind_int64(st, 1, j->user_id);
        sqlite3_bind_int64(st, 2, gw_now());
    }
    gw_db_run(s->db, st, UI_SQL);
    r = job_take_req(j);
    if (!r) {
        /* Nobody to hand a session to; the attempt still counts as a good login. */
        gw_audit_add(s->db, j->user, j->peer, "login", "ok", "client went away");
        job_free(j);
        return;
    }
    /* A cookie the browser still had is replaced, never reused (no session fixation). */
    if (r->authed)
        session_delete(s, r->sess.token_hash);
    if (session_create(s, r, j->user_id, j->must_change, csrf) < 0) {
        ui__respond_error(r, 500, "The session could not be created; see the gateway's log.");
        job_free(j);
        return;
    }
    gw_audit_add(s->db, j->user, j->peer, "login", "ok",
                 j->must_change ? "password expired, must change" : NULL);
    reply = json_pack("{s:s, s:s, s:s, s:b, s:i, s:i}", "user", j->user, "role", j->role, "csrf",
                      csrf, "must_change", j->must_change, "idle_timeout_s", s->sec.idle_s,
                      "lifetime_s", s->sec.lifetime_s);
    ui__respond_json(r, 200, reply);
    job_free(j);
}

void ui__login(struct ui__req *r, json_t *body)
{
    struct ui_server *s = r->srv;
    char err[160], key[64];
    const char *name = ui__json_str(body, "username", UI_NAME_MAX, err, sizeof err);
    const char *pw = name ? ui__json_str(body, "password", LOGIN_PW_MAX, err, sizeof err) : NULL;
    struct ui__src *e;
    struct user_row u;
    struct ui__job *j;
    unsigned fails = 0;
    int64_t wait_s;
    if (!name || !pw) {
        ui__respond_error(r, 400, err);
        return;
    }
    ui__src_key(r->peer, key, sizeof key);
    /* Refused before any hashing: the limit must not become a CPU lever either. */
    wait_s = src_blocked(s, key, name);
    if (wait_s > 0) {
        respond_src_blocked(r, wait_s);
        return;
    }
    /* Failures seen plus attempts in flight: a burst must not outrun the limit. An address
     * that cannot be counted (every slot holds a blocked one) is refused too. */
    e = src_slot(s, key, true);
    if (e && gw_now() - e->first <= UI__SRC_WINDOW_S)
        fails = e->fails;
    if (!e || fails + login_inflight(s, key, 0) >= UI__SRC_MAX_FAILS + 1) {
        snprintf(r->retry_after, sizeof r->retry_after, "%d", 60);
        ui__respond_error(r, 429,
                          "Too many logins from your address at once: try again in a "
                          "minute.");
        return;
    }
    e->last = gw_now();
    if (queue_full(r))
        return;
    j = job_new(r, login_done);
    j->precheck = login_precheck;
    gw_strlcpy(j->user, name, sizeof j->user);
    gw_strlcpy(j->srckey, key, sizeof j->srckey);
    j->password = gw_strdup(pw);
    if (user_load(s->db, name, &u)) {
        j->known = true;
        j->user_id = u.id;
        gw_strlcpy(j->role, u.role, sizeof j->role);
        j->verify_hash = u.hash;
        /* Attempts in flight count as failures to come: no more are checked at once than
         * the lockout leaves. */
        j->locked = account_closed(s, &u);
        j->must_change = u.must_change || gw_now() - u.pw_changed > PW_MAX_AGE;
    } else {
        j->verify_hash = gw_strdup(s->dummy_hash);
    }
    if (j->locked) {
        /* No hash for a locked account: the lock must not become a CPU lever. */
        login_done(j);
        return;
    }
    login_track(j);
    job_start(j);
}

void ui__logout(struct ui__req *r)
{
    session_delete(r->srv, r->sess.token_hash);
    gw_audit_add(r->srv->db, r->sess.user, r->peer, "logout", "ok", NULL);
    ui__ws_recheck(r->srv);
    snprintf(r->cookie, sizeof r->cookie,
             UI__COOKIE "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
    ui__respond_json(r, 200, json_pack("{s:b}", "ok", 1));
}

/* ---------------------------------------------------------------------------------------------
 * Password change (own account) and new accounts
 */

/* Ends a current-password job that must not go on: skipped (client gone) or the account
 * locked, before the hash or since. Returns: true when it did (j is freed). */
static bool reauth_refused(struct ui__job *j, const char *action)
{
    struct ui_server *s = j->srv;
    struct ui__req *r;
    if (j->hashed && j->rc == 0 && !account_locked_now(s, j->user))
        return false;
    if (j->hashed && j->rc < 0)
        return false;
    if (!j->hashed && !j->locked && j->rc == 0) {
        job_free(j);
        return true;
    }
    r = job_take_req(j);
    gw_audit_add(s->db, j->user, j->peer, action, "failed", "account locked");
    if (r)
        ui__respond_error(r, 403, "The current password is wrong: the change was not made.");
    job_free(j);
    return true;
}

/* Ends a current-password job whose check failed: the wrong password counts as a failure
 * (403 wrong_msg), a hashing error does not (500 error_msg). Returns: true when it did (j is
 * freed). */
static bool reauth_failed(struct ui__job *j, const char *action, const char *wrong_msg,
                          const char *error_msg)
{
    struct ui__req *r;
    if (j->verified && j->rc == 0)
        return false;
    if (j->rc == 0)
        count_failure(j->srv, j);
    gw_audit_add(j->srv->db, j->user, j->peer, action, "failed",
                 j->rc < 0 ? "hashing failed" : "wrong current password");
    r = job_take_req(j);
    if (r)
        ui__respond_error(r, j->rc < 0 ? 500 : 403, j->rc < 0 ? error_msg : wrong_msg);
    job_free(j);
    return true;
}

static void change_done(struct ui__job *j)
{
    struct ui_server *s = j->srv;
    struct ui__req *r;
    char csrf[33];
    sqlite3_stmt *st;
    int rc;
    if (reauth_refused(j, "password.change") ||
        reauth_failed(j, "password.change", "The current password is wrong.",
                      "The current password is wrong."))
        return;
    rc = gw_db_begin(s->db);
    st = NULL;
    if (rc == 0)
        gw_db_prepare(s->db,
                      "UPDATE ui_users SET hash = ?2, pw_changed = ?3, must_change = 0, "
                      "failed = 0 WHERE id = ?1",
                      &st);
    if (st) {
        sqlite3_bind_int64(st, 1, j->user_id);
        gw_db_bind_text(st, 2, j->new_hash);
        sqlite3_bind_int64(st, 3, gw_now());
    }
    rc = gw_db_run(s->db, st, UI_SQL);
    /* Every session of the account ends, this one included; this client gets a new one. */
    if (rc == 0)
        rc = end_user_sessions(s->db, j->user_id);
    if (rc == 0)
        rc = gw_db_commit(s->db);
    if (rc < 0)
        gw_db_rollback(s->db);
    gw_audit_add(s->db, j->user, j->peer, "password.change", rc < 0 ? "failed" : "ok",
                 rc < 0 ? "database error" : "all sessions ended");
    r = job_take_req(j);
    if (r) {
        if (rc < 0 || session_create(s, r, j->user_id, false, csrf) < 0)
            ui__respond_error(r, 500, "The password could not be changed; see the gateway's log.");
        else
            ui__respond_json(r, 200,
                             json_pack("{s:s, s:s, s:s, s:b}", "user", j->user, "role", j->role,
                                       "csrf", csrf, "must_change", 0));
    }
    job_free(j);
}

void ui__password_change(struct ui__req *r, json_t *body)
{
    struct ui_server *s = r->srv;
    struct gw_errbuf eb = {""};
    char err[160];
    const char *cur = ui__json_str(body, "current", LOGIN_PW_MAX, err, sizeof err);
    const char *nw = cur ? ui__json_str(body, "new", LOGIN_PW_MAX, err, sizeof err) : NULL;
    struct user_row u;
    struct ui__job *j;
    if (!cur || !nw) {
        ui__respond_error(r, 400, err);
        return;
    }
    if (ui_password_check(nw, &eb) < 0) {
        ui__respond_error(r, 400, eb.msg);
        return;
    }
    if (strcmp(cur, nw) == 0) {
        ui__respond_error(r, 400, "The new password must differ from the current one.");
        return;
    }
    if (queue_full(r))
        return;
    if (!user_load(s->db, r->sess.user, &u)) {
        ui__respond_error(r, 401, "The session's account no longer exists.");
        return;
    }
    j = job_new(r, change_done);
    gw_strlcpy(j->user, r->sess.user, sizeof j->user);
    gw_strlcpy(j->role, u.role, sizeof j->role);
    j->user_id = u.id;
    j->known = true;
    j->verify_hash = u.hash;
    j->password = gw_strdup(cur);
    j->new_password = gw_strdup(nw);
    j->precheck = account_precheck;
    job_start(j);
}

static void reauth_done(struct ui__job *j)
{
    struct ui_server *s = j->srv;
    struct ui__req *r;
    if (reauth_refused(j, j->action) ||
        reauth_failed(j, j->action, "The current password is wrong: the change was not made.",
                      "The password could not be checked; see the log."))
        return;
    r = job_take_req(j);
    /* The right current password ends a run of failures, as a good login does (never a lock
     * set since). */
    sqlite3_stmt *st;
    gw_db_prepare(s->db, "UPDATE ui_users SET failed = 0 WHERE id = ?1 AND locked_until <= ?2",
                  &st);
    if (st) {
        sqlite3_bind_int64(st, 1, j->user_id);
        sqlite3_bind_int64(st, 2, gw_now());
    }
    gw_db_run(s->db, st, UI_SQL);
    if (r)
        j->then(r, j->then_body, j->then_arg);
    job_free(j);
}

void ui__reauth(struct ui__req *r, json_t *body, const char *arg, const char *action,
                ui__then_fn then)
{
    struct ui_server *s = r->srv;
    char err[160];
    const char *cur = ui__json_str(body, "current_password", LOGIN_PW_MAX, err, sizeof err);
    json_t *v;
    struct user_row u;
    struct ui__job *j;
    if (!cur) {
        ui__respond_error(r, 400,
                          "current_password: enter your current password to confirm this change");
        return;
    }
    if (!user_load(s->db, r->sess.user, &u)) {
        ui__respond_error(r, 401, "The session's account no longer exists.");
        return;
    }
    /* A locked account gets no password checks, or a stolen session would be a way round the
     * lockout; checks in flight count as failures to come, as for logins. */
    if (account_closed(s, &u)) {
        free(u.hash);
        gw_audit_add(s->db, r->sess.user, r->peer, action, "failed", "account locked");
        ui__respond_error(r, 403, "The current password is wrong: the change was not made.");
        return;
    }
    if (queue_full(r)) {
        free(u.hash);
        return;
    }
    j = job_new(r, reauth_done);
    gw_strlcpy(j->user, r->sess.user, sizeof j->user);
    gw_strlcpy(j->role, u.role, sizeof j->role);
    gw_strlcpy(j->action, action, sizeof j->action);
    gw_strlcpy(j->then_arg, arg ? arg : "", sizeof j->then_arg);
    j->user_id = u.id;
    j->known = true;
    j->verify_hash = u.hash;
    j->password = gw_strdup(cur);
    j->then = then;
    j->then_body = json_deep_copy(body);
    v = json_object_get(j->then_body, "current_password");
    OPENSSL_cleanse((char *)json_string_value(v), json_string_length(v));
    json_object_del(j->then_body, "current_password");
    j->precheck = account_precheck;
    login_track(j);
    job_start(j);
}

static void create_done(struct ui__job *j)
{
    struct ui_server *s = j->srv;
    struct ui__req *r = job_take_req(j);
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
        rc = gw_db_run(s->db, st, UI_SQL);
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
    job_free(j);
}

/* POST /users (admin): {"name", "password", "role": "viewer"}. */
void ui__user_create(struct ui__req *r, json_t *body)
{
    struct gw_errbuf eb = {""};
    char err[160];
    const char *name = ui__json_str(body, "name", UI_NAME_MAX, err, sizeof err);
    const char *pw = name ? ui__json_str(body, "password", LOGIN_PW_MAX, err, sizeof err) : NULL;
    const char *role = json_string_value(json_object_get(body, "role"));
    struct ui__job *j;
    if (!name || !pw) {
        ui__respond_error(r, 400, err);
        return;
    }
    if (!valid_user_name(name)) {
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
    if (queue_full(r))
        return;
    j = job_new(r, create_done);
    gw_strlcpy(j->user, name, sizeof j->user);
    gw_strlcpy(j->role, "viewer", sizeof j->role);
    gw_strlcpy(j->peer, r->sess.user, sizeof j->peer);
    j->new_password = gw_strdup(pw);
    job_start(j);
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
    s->dummy_hash = hash_password(pw);
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
        login_untrack(j);
        job_free(j);
    }
    s->queue_tail = NULL;
    s->queued = 0;
    free(s->dummy_hash);
    s->dummy_hash = NULL;
}
