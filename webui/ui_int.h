/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Declarations shared between the web UI's own files; not for other modules.
 *
 * server.c owns libwebsockets: connections, the Host and origin checks, security headers,
 * static files, request bodies and the response writer. api.c routes /api/v1/ requests,
 * auth.c, login.c, users.c, sessions.c, hashq.c and schema.c (each calling only those after it)
 * hold accounts, password hashing (on libuv's thread pool), sessions and login with its lockout
 * (see auth.c),
 * events.c the websocket clients, tls.c the self-signed certificate, json.c the body parser
 * that the fuzz target drives.
 */
#ifndef UI_INT_H
#define UI_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "webui/ui.h"

struct lws;
struct lws_context;

/* Request bodies above this are refused with 413 (the largest legitimate one, a credential
 * set or a settings object, is well under 1 KiB; a device CSV import is not offered here). */
#define UI__MAX_BODY (64 * 1024)
/* Larger bodies are read and dropped before the 413, up to this; beyond it the connection is
 * closed after the answer without reading them. */
#define UI__DISCARD_MAX (1024 * 1024)
/* Session token: 16 random bytes, sent as 32 hex digits; stored only as its SHA-256. */
#define UI__TOKEN_BYTES 16
#define UI__COOKIE      "__Host-fgw_sid"
/* Failed logins answer no sooner than this after the request arrived. */
#define UI__FAIL_DELAY_MS 1000
/* Password hashes computed at the same time at most (each takes 19 MiB). */
#define UI__MAX_HASHING 2
#define UI__EVENT_RING  128
/* Websocket close code (RFC 6455 private range) for "your session ended"; www/app.js knows it. */
#define UI__WS_SESSION_ENDED 4401
/* Failed logins from one source address: more than UI__SRC_MAX_FAILS within UI__SRC_WINDOW_S
 * seconds, whatever the user names, and every login from there is refused (429) for
 * UI__SRC_BLOCK_S seconds. Kept in memory for the UI__SRC_SLOTS most recent addresses. */
#define UI__SRC_MAX_FAILS 10
#define UI__SRC_WINDOW_S  600
#define UI__SRC_BLOCK_S   900
#define UI__SRC_SLOTS     256
/* Hash jobs waiting for one of the UI__MAX_HASHING places; more are refused with 503. */
#define UI__MAX_QUEUED 32
/* Sessions one account may hold at once; a new login ends the least recently used beyond. */
#define UI__MAX_USER_SESSIONS 5

enum ui__method { UI_GET, UI_POST, UI_PUT, UI_PATCH, UI_DELETE, UI_OTHER };

enum ui__role { UI_ROLE_VIEWER, UI_ROLE_ADMIN };

/* A validated login session (copied out of ui_sessions). */
struct ui__session {
    char token_hash[65];
    int64_t user_id;
    char user[65];
    enum ui__role role;
    char csrf[33];
    int64_t created, last_seen;
    bool must_change;
};

/* Runtime security settings: config defaults overridden by what an admin set in the UI. */
struct ui__security {
    int idle_s;
    int lifetime_s;
    int lockout_threshold;
    int lockout_s;
    /* Auto-upgrade time of day, gateway local time, in minutes after midnight; -1 when not
     * set. Stored only: the updater that reads it is a later issue. */
    int upgrade_min;
};

struct ui__job;

/* Login failures of one source address (see UI__SRC_MAX_FAILS). */
struct ui__src {
    char addr[64];
    int64_t first, last;     /* first failure of the window, most recent use */
    unsigned fails, refused; /* refused: since the last audit record about it */
    int64_t blocked_until, refused_audited;
};

/* One HTTP transaction, from the request line to the last byte of the answer. */
struct ui__req {
    struct ui_server *srv;
    struct lws *wsi;
    enum ui__method method;
    char path[512];
    char peer[64];
    char host[256];
    uint64_t t0_ms; /* loop time when the request arrived */
    char *body;
    size_t body_len;
    bool body_expected, body_too_big;
    bool authed;
    struct ui__session sess;
    struct ui__job *job; /* async work in progress (login); NULL otherwise */
    /* the answer */
    bool responded, headers_sent, close_after;
    int status;
    const char *ctype;
    char *resp;
    size_t resp_len, resp_off;
    char cookie[160];      /* Set-Cookie value, "" for none */
    char disposition[128]; /* Content-Disposition, "" for none */
    char retry_after[24];  /* Retry-After seconds, "" for none */
};

/* One events websocket client; lives in the connection's per-session data. */
struct ui__ws {
    struct ui__ws *next, *prev;
    struct lws *wsi;
    uint64_t seq; /* next event to send */
    char token_hash[65];
    char user[65];
    bool linked, hello_sent;
};

struct ui__event {
    uint64_t seq;
    char *text;
    size_t len;
};

struct ui_server {
    uv_loop_t *loop;
    struct gw_db *db;
    struct ui_hooks hooks;
    struct gw_cfg cfg;
    struct lws_context *ctx;
    void *ssl_ctx;  /* the vhost's SSL_CTX, for applying a new certificate at once */
    void *tls_pair; /* the uploaded certificate new connections get (tls.c), or NULL */
    char fingerprint[100];
    char url[300];
    char www[1024];
    /* Host names and addresses accepted in the Host header, lower-case, NUL-separated. */
    char *hosts;
    size_t hosts_len;
    struct ui__security sec;
    /* password hashing queue */
    unsigned hashing, queued;
    struct ui__job *queue_head, *queue_tail;
    struct ui__job *logins;       /* login attempts accepted and not yet answered */
    struct gw_log_limit busy_log; /* "hashing queue full" */
    char *dummy_hash; /* verified for unknown users, so they cost what a known one costs */
    struct ui__src src[UI__SRC_SLOTS];
    /* websocket clients and the event ring */
    struct ui__ws *ws_list;
    unsigned ws_count;
    uint64_t ev_seq;
    struct ui__event ev[UI__EVENT_RING];
    int bus_id; /* gateway event bus subscription */
    bool stopping;
    /* Called when sessions ended (logout, limit, an administrator), so that the websockets of
     * those sessions close. server.c sets it to ui__ws_recheck: auth.c, below events.c, calls
     * it without calling up. */
    void (*sessions_ended)(struct ui_server *s);
    uv_timer_t sweep; /* ends idle sessions and audits it */
    bool sweep_started;
};

/* Tells the web UI that sessions ended (see sessions_ended above). */
static inline void ui__sessions_ended(struct ui_server *s)
{
    if (s->sessions_ended)
        s->sessions_ended(s);
}

/* --- http.c --- */
/* Queues the answer and asks for a writable callback. Takes ownership of body (malloc'ed). */
void ui__respond(struct ui__req *r, int status, const char *ctype, char *body, size_t len);
/* Answers with a JSON value (decref'ed). */
void ui__respond_json(struct ui__req *r, int status, json_t *v);
/* Answers {"error": msg}. */
void ui__respond_error(struct ui__req *r, int status, const char *msg);
/* Copies the URL query argument name ("limit") into buf. Returns: true when present. */
bool ui__query_arg(struct ui__req *r, const char *name, char *buf, size_t len);
/* The client's address, IPv4-mapped addresses shown as IPv4. */
void ui__peer(struct lws *wsi, char *buf, size_t len);
/* (Re)reads the names and addresses this gateway answers to: localhost, its host name, [webui]
 * names and the addresses of its interfaces (an address added later needs a reload). */
void ui__hosts_build(struct ui_server *s);
/* Returns: true when host (a Host header value, port included) names this gateway. */
bool ui__host_allowed(struct ui_server *s, const char *host);

/* --- json.c --- */
/* Wipes the string members of a request body (passwords, keys) and frees it. NULL is a
 * no-op. */
void ui__json_wipe_free(json_t *body);
/* Parses a request body that must be one JSON object. Returns: the object (caller decrefs),
 * or NULL with a message for the client in err. */
json_t *ui__body_parse(const char *body, size_t len, char *err, size_t errlen);
/* Returns: the string member key when it is a string of 1..max bytes without control
 * characters, else NULL with "key: why" in err. */
const char *ui__json_str(json_t *o, const char *key, size_t max, char *err, size_t errlen);
/* Reads the integer member key within [min, max]. Returns: 0, or -1 with the reason in err. */
int ui__json_int(json_t *o, const char *key, long long min, long long max, long long *out,
                 char *err, size_t errlen);
/* Validates a security settings change (all members optional, unknown ones refused).
 * Returns: 0 with out updated, or -1 with the reason in err. */
int ui__security_from_json(json_t *o, struct ui__security *out, char *err, size_t errlen);

/* Checks a discovery setting body (POST/PUT /discovery) and builds the control request
 * discover.add from it; name_def is the name when the body has none (a change), NULL when it
 * must have one. Returns: the request (caller decrefs), or NULL with the reason in err and the
 * member it is about in *field (NULL for an unknown member). */
json_t *ui__discovery_from_json(json_t *body, const char *name_def, char *err, size_t errlen,
                                const char **field);

/* --- auth.c: security settings, start and stop (the tables: schema.c, ui_db_migrate) --- */
int ui__auth_init(struct ui_server *s, struct gw_errbuf *eb);
void ui__auth_cleanup(struct ui_server *s);
void ui__security_load(struct ui_server *s);
int ui__security_save(struct ui_server *s, const struct ui__security *sec);
const char *ui__role_name(enum ui__role r);

/* Longest account name. */
#define UI__NAME_MAX 64
/* Login accepts longer input than the policy allows, so the answer never tells the policy. */
#define UI__LOGIN_PW_MAX 1024
/* What a failed account or session statement is called in the log (gw_db_run). */
#define UI__SQL "web UI account statement"

/* --- hashq.c: argon2id hashing on libuv's thread pool, behind a bounded queue --- */
/* A handler that runs once the current password was confirmed (see ui__reauth). */
typedef void (*ui__then_fn)(struct ui__req *r, json_t *body, const char *arg);
/* One request's hash work; its passwords are wiped when it is freed. */
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
    char user[UI__NAME_MAX + 1];
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
/* Hashes pw into a PHC string. Any thread. Returns: heap string (caller frees), or NULL. */
char *ui__hash_password(const char *pw);
/* Returns: a new job for r that ends in done (on the loop); r->job points to it. */
struct ui__job *ui__job_new(struct ui__req *r, void (*done)(struct ui__job *));
/* Hands j to the thread pool, or queues it while UI__MAX_HASHING hashes run. */
void ui__job_start(struct ui__job *j);
/* Frees j (stops tracking it as a login) and wipes its secrets. */
void ui__job_free(struct ui__job *j);
/* Detaches j from its request (the answer is being given now). Returns: the request, or NULL
 * when the client has gone. */
struct ui__req *ui__job_take_req(struct ui__job *j);
/* Answers a failed login with 401 no sooner than UI__FAIL_DELAY_MS after the request, then
 * frees j. */
void ui__job_fail_later(struct ui__job *j);
/* Refuses r with 503 when the hashing queue is full. Returns: true when it did. */
bool ui__queue_full(struct ui__req *r);
/* The request's connection closed: the job must not answer it. */
void ui__job_orphan(struct ui__job *j);
/* Counts j as a login attempt in flight (ui_server.logins) until it is untracked or freed. */
void ui__login_track(struct ui__job *j);
/* Stops counting j as a login attempt in flight (no-op when it is not one). */
void ui__login_untrack(struct ui__job *j);

/* --- users.c: password policy and accounts --- */
/* An account as login and lockout read it. */
struct ui__user_row {
    int64_t id;
    char role[8];
    char *hash; /* caller frees */
    int failed;
    int64_t locked_until, pw_changed;
    bool must_change;
};
/* Returns: true with *u filled (u->hash to free) when the account exists. */
bool ui__user_load(struct gw_db *db, const char *name, struct ui__user_row *u);
/* Returns: true for 1 to UI__NAME_MAX letters, digits and . _ - @. */
bool ui__user_name_valid(const char *s);
/* POST /users (admin): creates a viewer account (hashing off the loop); answers later. */
void ui__user_create(struct ui__req *r, json_t *body);

/* --- sessions.c: session cookies, timeouts and their cap --- */
/* Looks the session cookie of r up and checks its timeouts (ending and auditing an expired
 * one). Returns: true with r->sess filled, or false. */
bool ui__session_check(struct ui__req *r);
/* Looks a session up from the raw cookie header. touch renews its idle clock: only for a
 * person's requests, never for a websocket or a page's background refresh. */
bool ui__session_lookup(struct ui_server *s, const char *cookie_header, const char *peer,
                        bool touch, struct ui__session *out);
/* Returns: true while the session with this token hash is still valid (no audit). */
bool ui__session_alive(struct ui_server *s, const char *token_hash);
/* Creates a session for user_id and puts its cookie into r (when not NULL), ending the least
 * recently used ones beyond UI__MAX_USER_SESSIONS. csrf_out gets its CSRF token.
 * Returns: 0 or < 0. */
int ui__session_create(struct ui_server *s, struct ui__req *r, int64_t user_id, bool must_change,
                       char csrf_out[33]);
/* Deletes the session with this token hash (no audit). */
void ui__session_delete(struct ui_server *s, const char *token_hash);
/* Ends every session of the account. Returns: 0 or GW_E_DB. */
int ui__sessions_end_user(struct gw_db *db, int64_t user_id);
/* Removes sessions that passed their timeouts, auditing each. */
void ui__sessions_sweep(struct ui_server *s);
int ui__session_count(struct ui_server *s);
/* GET /sessions: every session, newest use first, with an id (the first 16 hex digits of the
 * token's hash). */
json_t *ui__sessions_list(struct ui_server *s, const char *current_hash);
/* Ends the session with that id, audited as ended by user from source. Returns: 0,
 * GW_E_NOTFOUND. */
int ui__session_end(struct ui_server *s, const char *id, const char *user, const char *source);

/* --- login.c: login, lockout, source limits, re-authentication --- */
/* Writes the key under which logins from peer (an address as ui__peer() gives it) are counted
 * into out: IPv4 addresses as they are, IPv6 addresses by their /64 ("2001:db8:1:2::/64"),
 * since one host usually has a whole /64. Anything else is used as it is. */
void ui__src_key(const char *peer, char *out, size_t len);
/* POST /session: starts the login (hashing off the loop); answers later. */
void ui__login(struct ui__req *r, json_t *body);
void ui__logout(struct ui__req *r);
/* POST /session/password: verifies the current password, sets the new one. */
void ui__password_change(struct ui__req *r, json_t *body);
/* Re-authentication before a security change: verifies body's "current_password" against the
 * session's account off the loop, then runs then(r, body without current_password, arg) (or
 * answers 400 without it, 403 when wrong: that counts towards the lockout and is audited as a
 * failed action). arg (the path argument, may be NULL for "") is copied. */
void ui__reauth(struct ui__req *r, json_t *body, const char *arg, const char *action,
                ui__then_fn then);

/* --- api.c --- */
/* Routes an /api/v1/ request whose body (if any) has arrived. */
void ui__api_dispatch(struct ui__req *r);

/* --- events.c --- */
int ui__ws_filter(struct ui_server *s, struct lws *wsi);
void ui__ws_established(struct ui_server *s, struct lws *wsi, struct ui__ws **slot);
int ui__ws_writeable(struct ui_server *s, struct lws *wsi, struct ui__ws **slot);
void ui__ws_closed(struct ui_server *s, struct ui__ws **slot);
/* Has every websocket check its session now, so those whose session ended close. */
void ui__ws_recheck(struct ui_server *s);
void ui__events_cleanup(struct ui_server *s);

/* --- blocklist.c --- */
/* Returns: true when pw, or its core without added digits and symbols and with common letter
 * substitutions undone, is on the loaded blocklist. Any thread. */
bool ui__password_common(const char *pw);

/* --- tls.c --- */
/* Makes sure cert and key exist, generating a self-signed ECDSA P-256 pair for the host's
 * names and addresses when neither does. Returns: 0, GW_E_CONFIG, GW_E_CRYPTO, -errno. */
int ui__tls_ensure(const char *cert, const char *key, struct gw_errbuf *eb);
/* Checks an uploaded PEM certificate (optionally followed by its chain) and unencrypted PEM
 * key: both parse, the key is the certificate's, the certificate is valid now. Then writes
 * them, re-encoded, over key_path (mode 0600) and cert_path (0644), each atomically, and puts
 * the new certificate's SHA-256 fingerprint in fp (at least 96 bytes). Returns: 0, GW_E_INVAL
 * (a sentence for a person in eb), GW_E_CRYPTO, -errno. */
int ui__tls_install(const char *cert_path, const char *key_path, const char *cert_pem,
                    const char *key_pem, char *fp, size_t fplen, struct gw_errbuf *eb);
/* Puts the certificate (with its chain) and key at these paths into the running server
 * (s->ssl_ctx), replacing the old pair, whatever its key type, only when the new one loads
 * and matches: new connections use it, open ones keep theirs. Returns: 0, GW_E_INTERNAL (no
 * context), GW_E_CRYPTO. Loop thread only. */
int ui__tls_apply(struct ui_server *s, const char *cert_path, const char *key_path,
                  struct gw_errbuf *eb);
/* Frees what ui__tls_apply() keeps; only once the TLS context is gone. */
void ui__tls_cleanup(struct ui_server *s);

/* --- misc --- */
/* Fills buf with n random bytes (OpenSSL's CSPRNG). Returns: 0 or GW_E_CRYPTO. */
int ui__random(void *buf, size_t n);
/* Hex of SHA-256(data). */
void ui__sha256_hex(const void *data, size_t len, char out[65]);
void ui__hex(const unsigned char *in, size_t n, char *out);

#endif
