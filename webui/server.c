/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The HTTPS server: libwebsockets 4.1 on the daemon's libuv loop (LWS_SERVER_OPTION_LIBUV with
 * foreign_loops; Debian ships the uv glue as the libwebsockets-evlib-uv plugin), one vhost, one
 * protocol that serves static files, the JSON API and the events websocket.
 *
 * Every request passes the same gate before anything else: the Host header must name this
 * gateway (its host name, its addresses, localhost or a configured name), else 421, which
 * defeats DNS rebinding. Every answer this file writes carries the security headers (CSP
 * without inline script or style, HSTS, nosniff, Referrer-Policy, frame-ancestors 'none'), and
 * API answers Cache-Control: no-store. lws' own "best practices" header option is not used:
 * it sends a six-month HSTS and would duplicate the CSP.
 *
 * Only HTTP/1.1 is offered in ALPN: lws 4.1 exposes headers it does not know (X-CSRF-Token,
 * Sec-Fetch-Site) only on HTTP/1 connections, and both are part of the CSRF defence.
 *
 * Answers are built whole (they are small) and written from the writable callback, headers
 * first, then the body in chunks; a request whose answer depends on a password hash waits for
 * its job (auth.c) and is answered from the job's callback. Teardown follows lws' rule for
 * foreign loops: destroy, let the loop run dry, destroy again, run again.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libwebsockets.h>
#include <openssl/ssl.h>

#include "webui/ui_int.h"

#define CHUNK    (32 * 1024)
#define SWEEP_MS 5000
#define HDR_CSP                                                                                    \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src "  \
    "'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; "          \
    "frame-ancestors 'none'; object-src 'none'"
#define HDR_HSTS "max-age=31536000"
#define CIPHERS_TLS12                                                                              \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"     \
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
#define CIPHERS_TLS13 "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"

/* Per-connection data; libwebsockets owns (allocates and frees) it. */
struct ui__conn {
    struct ui__req *req;
    struct ui__ws *ws;
};

static const struct {
    const char *ext, *mime;
} mimes[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".json", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
};

/* ---------------------------------------------------------------------------------------------
 * Answers
 */

static void req_free(struct ui__req *r)
{
    if (!r)
        return;
    if (r->job)
        ui__job_orphan(r->job);
    if (r->body) {
        /* Bodies may hold passwords. */
        memset(r->body, 0, r->body_len);
        free(r->body);
    }
    free(r->resp);
    free(r);
}

static int add_hdr(struct lws *wsi, const char *name, const char *value, unsigned char **p,
                   unsigned char *end)
{
    return lws_add_http_header_by_name(wsi, (const unsigned char *)name,
                                       (const unsigned char *)value, (int)strlen(value), p, end);
}

/* The headers every answer carries. */
static int add_security_headers(struct lws *wsi, bool no_store, unsigned char **p,
                                unsigned char *end)
{
    return add_hdr(wsi, "content-security-policy:", HDR_CSP, p, end) ||
           add_hdr(wsi, "strict-transport-security:", HDR_HSTS, p, end) ||
           add_hdr(wsi, "x-content-type-options:", "nosniff", p, end) ||
           add_hdr(wsi, "referrer-policy:", "no-referrer", p, end) ||
           add_hdr(wsi, "x-frame-options:", "DENY", p, end) ||
           add_hdr(wsi, "cross-origin-opener-policy:", "same-origin", p, end) ||
           add_hdr(wsi, "cross-origin-resource-policy:", "same-origin", p, end) ||
           add_hdr(wsi, "cache-control:", no_store ? "no-store" : "no-cache", p, end);
}

/* Writes the next piece of r's answer. Returns: 0, 1 when the answer is complete, -1 to close. */
static int write_answer(struct ui__req *r)
{
    struct lws *wsi = r->wsi;
    if (!r->headers_sent) {
        /* Headers and the first piece of the body leave in one write: two small writes meet
         * Nagle and delayed ACK and cost the client 40 ms. */
        size_t first = r->resp_len < CHUNK ? r->resp_len : CHUNK;
        unsigned char *buf = gw_malloc(LWS_PRE + 4096 + first), *start = buf + LWS_PRE;
        unsigned char *p = start, *end = buf + LWS_PRE + 4096 - 1;
        bool last = first == r->resp_len;
        size_t n;
        int w;
        if (lws_add_http_common_headers(wsi, (unsigned)r->status, r->ctype, r->resp_len, &p, end) ||
            add_security_headers(wsi, true, &p, end) ||
            (r->cookie[0] && add_hdr(wsi, "set-cookie:", r->cookie, &p, end)) ||
            (r->disposition[0] && add_hdr(wsi, "content-disposition:", r->disposition, &p, end)) ||
            (r->retry_after[0] && add_hdr(wsi, "retry-after:", r->retry_after, &p, end)) ||
            (r->close_after && add_hdr(wsi, "connection:", "close", &p, end)) ||
            lws_finalize_http_header(wsi, &p, end)) {
            free(buf);
            return -1;
        }
        if (first)
            memcpy(p, r->resp, first);
        n = (size_t)(p - start) + first;
        w = lws_write(wsi, start, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP);
        free(buf);
        if (w < (int)n)
            return -1;
        r->headers_sent = true;
        r->resp_off = first;
        if (last)
            return 1;
        lws_callback_on_writable(wsi);
        return 0;
    }
    {
        size_t n = r->resp_len - r->resp_off;
        bool last = n <= CHUNK;
        unsigned char *buf;
        int w;
        if (!last)
            n = CHUNK;
        buf = gw_malloc(LWS_PRE + n);
        memcpy(buf + LWS_PRE, r->resp + r->resp_off, n);
        w = lws_write(wsi, buf + LWS_PRE, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP);
        free(buf);
        if (w < (int)n)
            return -1;
        r->resp_off += n;
        if (last)
            return 1;
        lws_callback_on_writable(wsi);
        return 0;
    }
}

/* ---------------------------------------------------------------------------------------------
 * Static files
 */

static const char *mime_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return NULL;
    for (size_t i = 0; i < sizeof mimes / sizeof mimes[0]; i++)
        if (strcmp(dot, mimes[i].ext) == 0)
            return mimes[i].mime;
    return NULL;
}

/* Returns: 0 when served (or being served), or the HTTP status to answer with. */
static int serve_static(struct ui__req *r, struct ui__conn *c)
{
    struct ui_server *s = r->srv;
    const char *path = strcmp(r->path, "/") == 0 ? "/index.html" : r->path;
    char full[PATH_MAX], real[PATH_MAX];
    unsigned char hdrs[2048], *p = hdrs, *end = hdrs + sizeof hdrs;
    const char *mime;
    struct stat st;
    int n;
    if (path[0] != '/' || strstr(path, "..") || strstr(path, "//"))
        return 400;
    for (const char *q = path; *q; q++) {
        if (!isalnum((unsigned char)*q) && !strchr("/._-", *q))
            return 404;
        /* No hidden files, no dot segments. */
        if (*q == '/' && q[1] == '.')
            return 404;
    }
    mime = mime_of(path);
    if (!mime)
        return 404;
    if ((size_t)snprintf(full, sizeof full, "%s%s", s->www, path) >= sizeof full)
        return 404;
    /* The resolved file must still be below www: no symlink leads out. */
    if (!realpath(full, real) || strncmp(real, s->www, strlen(s->www)) != 0 ||
        real[strlen(s->www)] != '/' || stat(real, &st) < 0 || !S_ISREG(st.st_mode))
        return 404;
    if (add_security_headers(r->wsi, false, &p, end))
        return 500;
    c->req = NULL;
    {
        struct lws *wsi = r->wsi;
        req_free(r);
        n = lws_serve_http_file(wsi, real, mime, (const char *)hdrs, (int)(p - hdrs));
        if (n < 0 || (n > 0 && lws_http_transaction_completed(wsi)))
            return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Requests
 */

static enum ui__method method_of(struct lws *wsi)
{
    if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI))
        return UI_GET;
    if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI))
        return UI_POST;
    if (lws_hdr_total_length(wsi, WSI_TOKEN_PUT_URI))
        return UI_PUT;
    if (lws_hdr_total_length(wsi, WSI_TOKEN_PATCH_URI))
        return UI_PATCH;
    if (lws_hdr_total_length(wsi, WSI_TOKEN_DELETE_URI))
        return UI_DELETE;
    return UI_OTHER;
}

static const char *text_for(int status)
{
    switch (status) {
    case 400:
        return "Bad request: the path is not allowed.";
    case 404:
        return "Not found.";
    case 405:
        return "This method is not allowed here.";
    case 413:
        return "The request body is too large.";
    case 414:
        return "The request path is too long.";
    case 421:
        return "This gateway does not answer to the host name in the request (Host header); "
               "use its address or a name listed in [webui] names.";
    default:
        return "The request could not be served.";
    }
}

static int on_http(struct ui_server *s, struct lws *wsi, struct ui__conn *c, const char *uri)
{
    struct ui__req *r = gw_calloc(1, sizeof *r);
    char cl[32] = "";
    req_free(c->req);
    c->req = r;
    r->srv = s;
    r->wsi = wsi;
    r->t0_ms = uv_now(s->loop);
    r->method = method_of(wsi);
    ui__peer(wsi, r->peer, sizeof r->peer);
    if (lws_hdr_copy(wsi, r->host, sizeof r->host, WSI_TOKEN_HOST) < 0)
        r->host[0] = '\0';
    if (!ui__host_allowed(s, r->host)) {
        gw_log_info(UI, "request refused: unknown Host source=%s", r->peer);
        r->close_after = true;
        ui__respond_error(r, 421, text_for(421));
        return 0;
    }
    if (gw_strlcpy(r->path, uri ? uri : "", sizeof r->path) >= sizeof r->path) {
        r->close_after = true;
        ui__respond_error(r, 414, text_for(414));
        return 0;
    }
    if (strncmp(r->path, "/api/", 5) != 0) {
        int st;
        if (r->method != UI_GET) {
            ui__respond_error(r, 405, text_for(405));
            return 0;
        }
        st = serve_static(r, c);
        if (st > 0)
            ui__respond_error(r, st, text_for(st));
        return st < 0 ? -1 : 0;
    }
    if (r->method == UI_POST || r->method == UI_PUT || r->method == UI_PATCH ||
        r->method == UI_DELETE) {
        long long n = 0;
        if (lws_hdr_copy(wsi, cl, sizeof cl, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0) {
            char *e;
            n = strtoll(cl, &e, 10);
            if (*e || n < 0)
                n = LLONG_MAX;
        }
        if (n > UI__DISCARD_MAX) {
            /* The body is not read: the connection cannot be reused. */
            r->close_after = true;
            ui__respond_error(r, 413, "The request body is larger than 64 KiB.");
            return 0;
        }
        if (n > UI__MAX_BODY) {
            /* Read and drop it first, so the client sees the answer rather than a reset. */
            r->body_too_big = true;
            r->close_after = true;
            r->body_expected = true;
            return 0;
        }
        if (n > 0 || lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0) {
            r->body_expected = true;
            return 0;
        }
    }
    ui__api_dispatch(r);
    return 0;
}

static int on_body(struct ui__req *r, const void *in, size_t len)
{
    if (!r || r->responded || r->body_too_big)
        return 0;
    if (r->body_len + len > UI__MAX_BODY) {
        r->body_too_big = true;
        r->close_after = true;
        ui__respond_error(r, 413, "The request body is larger than 64 KiB.");
        return 0;
    }
    r->body = gw_realloc(r->body, r->body_len + len + 1);
    memcpy(r->body + r->body_len, in, len);
    r->body_len += len;
    r->body[r->body_len] = '\0';
    return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    struct lws_context *ctx = lws_get_context(wsi);
    struct ui_server *s = ctx ? lws_context_user(ctx) : NULL;
    struct ui__conn *c = user;
    int rc;
    switch (reason) {
    case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
        /* lws hands every server vhost's SSL_CTX here while it sets the vhost up: kept, so an
         * uploaded certificate can replace the running one without a restart. */
        if (s)
            s->ssl_ctx = user;
        return 0;
    case LWS_CALLBACK_HTTP:
        if (!c || !s)
            return -1;
        return on_http(s, wsi, c, in);
    case LWS_CALLBACK_HTTP_BODY:
        return c ? on_body(c->req, in, len) : -1;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        if (c && c->req && !c->req->responded) {
            c->req->body_expected = false;
            if (c->req->body_too_big)
                ui__respond_error(c->req, 413, "The request body is larger than 64 KiB.");
            else
                ui__api_dispatch(c->req);
        }
        return 0;
    case LWS_CALLBACK_HTTP_WRITEABLE:
        if (!c || !c->req || !c->req->responded)
            return 0;
        rc = write_answer(c->req);
        if (rc == 0)
            return 0;
        if (rc < 0 || c->req->close_after || c->req->body_expected) {
            req_free(c->req);
            c->req = NULL;
            return -1;
        }
        req_free(c->req);
        c->req = NULL;
        return lws_http_transaction_completed(wsi) ? -1 : 0;
    case LWS_CALLBACK_HTTP_FILE_COMPLETION:
        return lws_http_transaction_completed(wsi) ? -1 : 0;
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
        if (c) {
            req_free(c->req);
            c->req = NULL;
        }
        break;
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return s ? ui__ws_filter(s, wsi) : -1;
    case LWS_CALLBACK_ESTABLISHED:
        if (s && c)
            ui__ws_established(s, wsi, &c->ws);
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return s && c ? ui__ws_writeable(s, wsi, &c->ws) : -1;
    case LWS_CALLBACK_RECEIVE:
        /* The events socket is one-way; what a client sends is ignored. */
        return 0;
    case LWS_CALLBACK_CLOSED:
        if (s && c)
            ui__ws_closed(s, &c->ws);
        return 0;
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
    {"fleetgw", callback, sizeof(struct ui__conn), 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* ---------------------------------------------------------------------------------------------
 * Start and stop
 */

static void lws_log(int level, const char *line)
{
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        n--;
    if (level & LLL_ERR)
        gw_log_err(UI, "libwebsockets: %.*s", (int)n, line);
    else
        gw_log_warn(UI, "libwebsockets: %.*s", (int)n, line);
}

static void on_sweep(uv_timer_t *t)
{
    ui__sessions_sweep(t->data);
    /* Sessions also end outside the sweep (another request, the CLI): their sockets close. */
    ui__ws_recheck(t->data);
}

static void sweep_closed(uv_handle_t *h)
{
    (void)h;
}

/* Everything the gateway's event bus carries (polls, alert changes, device changes and
 * states) goes to the websocket clients as it is. */
static void on_bus(const char *kind, json_t *payload, void *arg)
{
    ui_event_publish(arg, kind, payload);
}

static void server_release(struct ui_server *s)
{
    ui_blocklist_free();
    ui__auth_cleanup(s);
    ui__events_cleanup(s);
    ui__tls_cleanup(s);
    free(s->hosts);
    free(s);
}

int ui_server_start(struct uv_loop_s *loop, const struct gw_cfg *cfg, struct gw_db *db,
                    const struct ui_hooks *hooks, struct ui_server **out, struct gw_errbuf *eb)
{
    struct ui_server *s = gw_calloc(1, sizeof *s);
    struct lws_context_creation_info info;
    void *foreign[1] = {loop};
    char cert[1024], key[1024], www[1024];
    int rc;
    *out = NULL;
    s->loop = loop;
    s->sessions_ended = ui__ws_recheck;
    s->db = db;
    s->hooks = *hooks;
    s->cfg = *cfg;
    if (!gw_cfg_webui_cert(cfg, cert, sizeof cert) || !gw_cfg_webui_key(cfg, key, sizeof key) ||
        !gw_cfg_webui_www(cfg, www, sizeof www)) {
        free(s);
        return gw_errbuf_set(eb, GW_E_CONFIG, "webui: a path is too long");
    }
    if (!realpath(www, s->www)) {
        free(s);
        return gw_errbuf_set(eb, GW_E_CONFIG, "webui: www directory %s: %s", www, strerror(errno));
    }
    {
        struct gw_errbuf beb = {""};
        int n = ui_blocklist_load_default(cfg, &beb);
        if (n < 0)
            gw_log_warn(UI, "password blocklist not loaded, common passwords are not refused: %s",
                        beb.msg);
        else
            gw_log_info(UI, "password blocklist loaded entries=%d", n);
    }
    rc = ui__auth_init(s, eb);
    if (rc == 0)
        rc = ui__tls_ensure(cert, key, eb);
    if (rc < 0) {
        server_release(s);
        return rc;
    }
    if (ui_cert_fingerprint(cert, s->fingerprint, sizeof s->fingerprint) < 0)
        gw_strlcpy(s->fingerprint, "unknown", sizeof s->fingerprint);
    ui__hosts_build(s);

    memset(&info, 0, sizeof info);
    info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
                   LWS_SERVER_OPTION_VALIDATE_UTF8;
    info.foreign_loops = foreign;
    info.port = cfg->webui_port;
    info.iface = cfg->webui_listen[0] ? cfg->webui_listen : NULL;
    info.protocols = protocols;
    info.vhost_name = "fleetgw";
    info.server_string = "fleetgw";
    info.ssl_cert_filepath = cert;
    info.ssl_private_key_filepath = key;
    info.ssl_cipher_list = CIPHERS_TLS12;
    info.tls1_3_plus_cipher_list = CIPHERS_TLS13;
    info.ssl_options_set = SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 |
                           SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                           SSL_OP_CIPHER_SERVER_PREFERENCE;
    info.alpn = "http/1.1";
    info.max_http_header_data = 8192;
    info.timeout_secs = 10;
    info.keepalive_timeout = 30;
    info.user = s;
    info.pcontext = &s->ctx;
    /* lws_http_cookie_get() and friends log request headers at NOTICE: only warnings and
     * errors go to our log, so no session cookie ever does. */
    lws_set_log_level(LLL_ERR | LLL_WARN, lws_log);
    s->ctx = lws_create_context(&info);
    if (!s->ctx) {
        server_release(s);
        return gw_errbuf_set(eb, GW_E_INTERNAL,
                             "webui: cannot start the HTTPS server on port %d (port in use, or "
                             "the libwebsockets-evlib-uv package missing?)",
                             cfg->webui_port);
    }
    if (!s->ssl_ctx)
        gw_log_warn(UI, "TLS context not seen: an uploaded certificate applies after a restart");
    uv_timer_init(loop, &s->sweep);
    s->sweep.data = s;
    uv_timer_start(&s->sweep, on_sweep, SWEEP_MS, SWEEP_MS);
    s->sweep_started = true;
    s->bus_id = gw_bus_subscribe("", on_bus, s);
    snprintf(s->url, sizeof s->url, "https://%s:%d/",
             cfg->webui_listen[0] ? cfg->webui_listen : "localhost", cfg->webui_port);
    gw_log_notice(UI, "web UI listening port=%d www=%s cert=%s sha256=%s", cfg->webui_port, s->www,
                  cert, s->fingerprint);
    *out = s;
    return 0;
}

int ui_server_reload(struct ui_server *s, const struct gw_cfg *cfg)
{
    if (!s)
        return 0;
    s->cfg.webui_session_idle_s = cfg->webui_session_idle_s;
    s->cfg.webui_session_lifetime_s = cfg->webui_session_lifetime_s;
    gw_strlcpy(s->cfg.webui_names, cfg->webui_names, sizeof s->cfg.webui_names);
    ui__hosts_build(s);
    ui__security_load(s);
    return 0;
}

void ui_server_stop(struct ui_server *s)
{
    if (!s || s->stopping)
        return;
    s->stopping = true;
    if (s->bus_id > 0)
        gw_bus_unsubscribe(s->bus_id);
    s->bus_id = 0;
    if (s->sweep_started)
        uv_close((uv_handle_t *)&s->sweep, sweep_closed);
    if (s->ctx)
        lws_context_destroy(s->ctx);
}

void ui_server_free(struct ui_server *s)
{
    if (!s)
        return;
    ui_server_stop(s);
    /* With a foreign loop the first destroy only closes lws' handles; this one frees the
     * context, and lws clears s->ctx (pcontext) once its last handle has closed. */
    if (s->ctx) {
        lws_context_destroy(s->ctx);
        uv_run(s->loop, UV_RUN_DEFAULT);
    }
    if (s->ctx)
        gw_log_warn(UI, "libwebsockets context still allocated at exit");
    server_release(s);
}

void ui_server_status(struct ui_server *s, json_t *status)
{
    json_t *o;
    if (!s)
        return;
    o = json_pack("{s:s, s:i, s:s, s:i, s:i}", "url", s->url, "port", s->cfg.webui_port,
                  "fingerprint_sha256", s->fingerprint, "sessions", ui__session_count(s),
                  "websocket_clients", (int)s->ws_count);
    json_object_set_new(status, "webui", o);
}
