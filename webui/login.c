/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Login, lockout and re-authentication.
 *
 * Lockout (the product rule, reference's Table 7): N consecutive failures (default 3) lock the
 * account for a period (default 30 min). Counter and expiry live in ui_users, so a restart
 * keeps the lock. While locked no hash is computed and the answer is the same as for a wrong
 * password or an unknown user: the same status, the same body, and no sooner than
 * UI__FAIL_DELAY_MS after the request arrived. An unknown user is verified against a dummy
 * hash so it costs what a known one costs. The database effects of an attempt are applied even
 * when the client has gone away, so disconnecting early does not dodge the counter.
 *
 * Failed logins are also counted per source address (UI__SRC_*), and attempts in flight count
 * as failures to come, so a burst cannot outrun either limit. Password changes and security
 * changes confirm the current password the same way, against the same lockout.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <sqlite3.h>

#include "webui/ui_int.h"

#define PW_MAX_AGE (365 * 86400)

/* ---------------------------------------------------------------------------------------------
 * Login attempts in flight: accepted, not yet answered. An attempt is a guess from the moment
 * it is accepted, so the limits below count these besides the failures already seen;
 * otherwise a burst sent at once would all be accepted before the first failure is counted.
 * The list (ui_server.logins) is kept by hashq.c, which frees the jobs it links.
 */

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
static bool account_closed(struct ui_server *s, const struct ui__user_row *u)
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
    struct ui__user_row u;
    sqlite3_stmt *st;
    if (!ui__user_load(s->db, j->user, &u))
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
        gw_db_run(s->db, st, UI__SQL);
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
    gw_db_run(s->db, st, UI__SQL);
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
    struct ui__user_row u;
    bool locked;
    if (!ui__user_load(s->db, name, &u))
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
    ui__login_untrack(j);
    if (!j->hashed && !j->locked && !j->src_refused && j->rc == 0) {
        /* Skipped before the hash because the client went away: nothing was tried. */
        gw_log_debug(UI, "login skipped, client gone user=%s source=%s", j->user, j->peer);
        ui__job_free(j);
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
        r = ui__job_take_req(j);
        if (r)
            respond_src_blocked(r, wait_s);
        ui__job_free(j);
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
        ui__job_fail_later(j);
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
    gw_db_run(s->db, st, UI__SQL);
    r = ui__job_take_req(j);
    if (!r) {
        /* Nobody to hand a session to; the attempt still counts as a good login. */
        gw_audit_add(s->db, j->user, j->peer, "login", "ok", "client went away");
        ui__job_free(j);
        return;
    }
    /* A cookie the browser still had is replaced, never reused (no session fixation). */
    if (r->authed)
        ui__session_delete(s, r->sess.token_hash);
    if (ui__session_create(s, r, j->user_id, j->must_change, csrf) < 0) {
        ui__respond_error(r, 500, "The session could not be created; see the gateway's log.");
        ui__job_free(j);
        return;
    }
    gw_audit_add(s->db, j->user, j->peer, "login", "ok",
                 j->must_change ? "password expired, must change" : NULL);
    reply = json_pack("{s:s, s:s, s:s, s:b, s:i, s:i}", "user", j->user, "role", j->role, "csrf",
                      csrf, "must_change", j->must_change, "idle_timeout_s", s->sec.idle_s,
                      "lifetime_s", s->sec.lifetime_s);
    ui__respond_json(r, 200, reply);
    ui__job_free(j);
}

void ui__login(struct ui__req *r, json_t *body)
{
    struct ui_server *s = r->srv;
    char err[160], key[64];
    const char *name = ui__json_str(body, "username", UI__NAME_MAX, err, sizeof err);
    const char *pw =
        name ? ui__json_str(body, "password", UI__LOGIN_PW_MAX, err, sizeof err) : NULL;
    struct ui__src *e;
    struct ui__user_row u;
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
    if (ui__queue_full(r))
        return;
    j = ui__job_new(r, login_done);
    j->precheck = login_precheck;
    gw_strlcpy(j->user, name, sizeof j->user);
    gw_strlcpy(j->srckey, key, sizeof j->srckey);
    j->password = gw_strdup(pw);
    if (ui__user_load(s->db, name, &u)) {
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
    ui__login_track(j);
    ui__job_start(j);
}

void ui__logout(struct ui__req *r)
{
    ui__session_delete(r->srv, r->sess.token_hash);
    gw_audit_add(r->srv->db, r->sess.user, r->peer, "logout", "ok", NULL);
    ui__sessions_ended(r->srv);
    snprintf(r->cookie, sizeof r->cookie,
             UI__COOKIE "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
    ui__respond_json(r, 200, json_pack("{s:b}", "ok", 1));
}

/* ---------------------------------------------------------------------------------------------
 * Password change (own account) and re-authentication
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
        ui__job_free(j);
        return true;
    }
    r = ui__job_take_req(j);
    gw_audit_add(s->db, j->user, j->peer, action, "failed", "account locked");
    if (r)
        ui__respond_error(r, 403, "The current password is wrong: the change was not made.");
    ui__job_free(j);
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
    r = ui__job_take_req(j);
    if (r)
        ui__respond_error(r, j->rc < 0 ? 500 : 403, j->rc < 0 ? error_msg : wrong_msg);
    ui__job_free(j);
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
    rc = gw_db_run(s->db, st, UI__SQL);
    /* Every session of the account ends, this one included; this client gets a new one. */
    if (rc == 0)
        rc = ui__sessions_end_user(s->db, j->user_id);
    if (rc == 0)
        rc = gw_db_commit(s->db);
    if (rc < 0)
        gw_db_rollback(s->db);
    gw_audit_add(s->db, j->user, j->peer, "password.change", rc < 0 ? "failed" : "ok",
                 rc < 0 ? "database error" : "all sessions ended");
    r = ui__job_take_req(j);
    if (r) {
        if (rc < 0 || ui__session_create(s, r, j->user_id, false, csrf) < 0)
            ui__respond_error(r, 500, "The password could not be changed; see the gateway's log.");
        else
            ui__respond_json(r, 200,
                             json_pack("{s:s, s:s, s:s, s:b}", "user", j->user, "role", j->role,
                                       "csrf", csrf, "must_change", 0));
    }
    ui__job_free(j);
}

void ui__password_change(struct ui__req *r, json_t *body)
{
    struct ui_server *s = r->srv;
    struct gw_errbuf eb = {""};
    char err[160];
    const char *cur = ui__json_str(body, "current", UI__LOGIN_PW_MAX, err, sizeof err);
    const char *nw = cur ? ui__json_str(body, "new", UI__LOGIN_PW_MAX, err, sizeof err) : NULL;
    struct ui__user_row u;
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
    if (ui__queue_full(r))
        return;
    if (!ui__user_load(s->db, r->sess.user, &u)) {
        ui__respond_error(r, 401, "The session's account no longer exists.");
        return;
    }
    j = ui__job_new(r, change_done);
    gw_strlcpy(j->user, r->sess.user, sizeof j->user);
    gw_strlcpy(j->role, u.role, sizeof j->role);
    j->user_id = u.id;
    j->known = true;
    j->verify_hash = u.hash;
    j->password = gw_strdup(cur);
    j->new_password = gw_strdup(nw);
    j->precheck = account_precheck;
    ui__job_start(j);
}

static void reauth_done(struct ui__job *j)
{
    struct ui_server *s = j->srv;
    struct ui__req *r;
    if (reauth_refused(j, j->action) ||
        reauth_failed(j, j->action, "The current password is wrong: the change was not made.",
                      "The password could not be checked; see the log."))
        return;
    r = ui__job_take_req(j);
    /* The right current password ends a run of failures, as a good login does (never a lock
     * set since). */
    sqlite3_stmt *st;
    gw_db_prepare(s->db, "UPDATE ui_users SET failed = 0 WHERE id = ?1 AND locked_until <= ?2",
                  &st);
    if (st) {
        sqlite3_bind_int64(st, 1, j->user_id);
        sqlite3_bind_int64(st, 2, gw_now());
    }
    gw_db_run(s->db, st, UI__SQL);
    if (r)
        j->then(r, j->then_body, j->then_arg);
    ui__job_free(j);
}

void ui__reauth(struct ui__req *r, json_t *body, const char *arg, const char *action,
                ui__then_fn then)
{
    struct ui_server *s = r->srv;
    char err[160];
    const char *cur = ui__json_str(body, "current_password", UI__LOGIN_PW_MAX, err, sizeof err);
    json_t *v;
    struct ui__user_row u;
    struct ui__job *j;
    if (!cur) {
        ui__respond_error(r, 400,
                          "current_password: enter your current password to confirm this change");
        return;
    }
    if (!ui__user_load(s->db, r->sess.user, &u)) {
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
    if (ui__queue_full(r)) {
        free(u.hash);
        return;
    }
    j = ui__job_new(r, reauth_done);
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
    ui__login_track(j);
    ui__job_start(j);
}
