/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * MQTT through an HTTP proxy. libmosquitto can tunnel only through SOCKS5, and has no call that
 * adopts a socket someone else connected. So the uplink runs a SOCKS5 server of its own on the
 * loop, on 127.0.0.1 at a port the kernel picks, for exactly one client: the uplink's own
 * mosquitto object, which proves itself with a user name and password made at random when the
 * relay starts (RFC 1929). For each connection the relay reads the SOCKS5 request (the broker's
 * host name and port, unresolved), opens a TCP connection to the HTTP proxy, asks it for
 * "CONNECT host:port" with basic authentication, and when the proxy answers 2xx, answers the
 * SOCKS5 request and copies bytes both ways until either side closes.
 *
 * Why SOCKS5 and not a plain port forward: libmosquitto still connects "to" the broker's host
 * name, so TLS keeps SNI and host name verification of the real broker, and the name is
 * resolved by the proxy, never locally (the single point of outgoing connection). The tunnel
 * carries TLS end to end: the relay sees only ciphertext after the proxy's reply.
 *
 * A proxy failure (unreachable, 407, other refusals, a reply that is not HTTP) is reported to
 * the owner once per connection with a state name and a message for the administrator; the
 * SOCKS5 client then gets a failure reply and libmosquitto a connection error.
 *
 * The listener is local but open to every local user, so it admits at most MAX_TUNNELS
 * connections at a time (its one client needs one, two during a reconnect) and closes one that
 * has not authenticated within HANDSHAKE_MS. An end of stream on one side of a tunnel shuts the
 * other side's writing once what is queued for it is written (TCP half-close); the tunnel
 * closes when both sides have ended. Failure replies, too, are written out before the close.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "uplink/up_int.h"

#define HDR_MAX      8192   /* the proxy's reply headers */
#define QUEUE_MAX    262144 /* bytes waiting to be written before the other side stops reading */
#define MAX_TUNNELS  2      /* connections at a time; one client, two during a reconnect */
#define HANDSHAKE_MS 5000   /* to authenticate and send the SOCKS5 request */
#define LINGER_MS    2000   /* to write out a failure reply, or pass on a session's last bytes */

/* C_FLUSH: a reply is being written out before the close; nothing more is read. */
enum cstate { C_GREET, C_AUTH, C_REQUEST, C_PROXY, C_SPLICE, C_FLUSH, C_DEAD };

struct conn {
    struct up_relay *r;
    struct conn *next;
    uv_tcp_t cli, prx;
    uv_timer_t timer; /* handshake, flush and linger deadline */
    uv_shutdown_t shut_cli, shut_prx;
    bool cli_eof, prx_eof;             /* that side's read ended */
    bool cli_shut_done, prx_shut_done; /* our writing to that side was shut down */
    bool prx_open;
    int open; /* handles not yet closed */
    enum cstate st;
    char in[HDR_MAX + 1];
    size_t inlen;
    char host[256];
    int port;
    uv_getaddrinfo_t gai;
    uv_connect_t creq;
    bool gai_busy, connect_busy;
    bool cli_paused, prx_paused; /* reading stopped for back-pressure */
};

struct up_relay {
    uv_loop_t *loop;
    uv_tcp_t srv;
    bool srv_open;
    int port;
    char proxy_host[256];
    int proxy_port;
    char *auth_b64; /* "user:password" in base64, NULL without proxy_user; wiped on free */
    char proxy_user[128];
    char socks_user[33], socks_pw[33];
    struct conn *conns;
    struct gw_log_limit lim; /* warnings about local clients */
    bool closing;
    up_relay_fail_cb fail;
    void *arg;
    void (*close_cb)(void *arg);
    void *close_arg;
};

struct wreq {
    uv_write_t w;
    struct conn *c;
    uv_stream_t *src; /* read side to restart when the queue drains */
    size_t wipe;      /* bytes of data to wipe before the free (credentials), or 0 */
    char data[];
};

static void relay_maybe_free(struct up_relay *r)
{
    if (!r->closing || r->srv_open || r->conns)
        return;
    if (r->auth_b64) {
        OPENSSL_cleanse(r->auth_b64, strlen(r->auth_b64));
        free(r->auth_b64);
    }
    OPENSSL_cleanse(r->socks_pw, sizeof r->socks_pw);
    void (*cb)(void *) = r->close_cb;
    void *arg = r->close_arg;
    free(r);
    if (cb)
        cb(arg);
}

static void conn_unlink(struct conn *c)
{
    struct conn **pp = &c->r->conns;
    while (*pp && *pp != c)
        pp = &(*pp)->next;
    if (*pp)
        *pp = c->next;
}

static void conn_handle_closed(uv_handle_t *h)
{
    struct conn *c = h->data;
    if (--c->open > 0 || c->gai_busy || c->connect_busy)
        return;
    struct up_relay *r = c->r;
    conn_unlink(c);
    free(c);
    relay_maybe_free(r);
}

static void conn_close(struct conn *c)
{
    if (c->st == C_DEAD)
        return;
    c->st = C_DEAD;
    if (c->gai_busy)
        uv_cancel((uv_req_t *)&c->gai);
    if (!uv_is_closing((uv_handle_t *)&c->timer))
        uv_close((uv_handle_t *)&c->timer, conn_handle_closed);
    if (!uv_is_closing((uv_handle_t *)&c->cli))
        uv_close((uv_handle_t *)&c->cli, conn_handle_closed);
    if (c->prx_open && !uv_is_closing((uv_handle_t *)&c->prx))
        uv_close((uv_handle_t *)&c->prx, conn_handle_closed);
}

/* A request in flight (getaddrinfo, connect) ended on a dead connection: free it now if its
 * handles are gone. */
static void conn_req_done(struct conn *c)
{
    if (c->st == C_DEAD && c->open == 0 && !c->gai_busy && !c->connect_busy) {
        struct up_relay *r = c->r;
        conn_unlink(c);
        free(c);
        relay_maybe_free(r);
    }
}

static void fail(struct conn *c, const char *state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void warn_local(struct up_relay *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Problems with local clients, rate-limited: anyone on the host can connect. */
static void warn_local(struct up_relay *r, const char *fmt, ...)
{
    char what[160];
    unsigned suppressed = 0;
    if (!gw_log_limit(&r->lim, uv_now(r->loop), &suppressed))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    gw_log_warn(UP, "mqtt proxy relay: %s suppressed=%u", what, suppressed);
}

static void on_timer(uv_timer_t *t)
{
    struct conn *c = t->data;
    if (c->st == C_DEAD)
        return;
    if (c->st < C_PROXY)
        warn_local(c->r, "a local client did not authenticate within %d s, closed",
                   HANDSHAKE_MS / 1000);
    conn_close(c);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    struct conn *c = req->data;
    if (c->st == C_DEAD)
        return; /* cancelled by the close */
    if (status < 0 || c->st == C_FLUSH) {
        conn_close(c);
        return;
    }
    if (req == &c->shut_cli)
        c->cli_shut_done = true;
    else
        c->prx_shut_done = true;
    /* Both ways ended; or the relay is closing and the client's last bytes reached the proxy. */
    if ((c->cli_shut_done && c->prx_shut_done) || (c->r->closing && c->prx_shut_done))
        conn_close(c);
}

/* Writes out what is queued for the client (a failure reply), then closes. */
static void flush_close(struct conn *c)
{
    if (c->st == C_DEAD || c->st == C_FLUSH)
        return;
    c->st = C_FLUSH;
    uv_read_stop((uv_stream_t *)&c->cli);
    if (c->prx_open && !uv_is_closing((uv_handle_t *)&c->prx))
        uv_close((uv_handle_t *)&c->prx, conn_handle_closed);
    uv_timer_start(&c->timer, on_timer, LINGER_MS, 0);
    c->shut_cli.data = c;
    if (uv_shutdown(&c->shut_cli, (uv_stream_t *)&c->cli, on_shutdown) < 0)
        conn_close(c);
}

/* End of stream from one side of a tunnel: stop reading it and shut the other side's writing
 * once its queue is written (uv_shutdown waits for queued writes). */
static void half_close(struct conn *c, bool from_cli)
{
    uv_stream_t *a = from_cli ? (uv_stream_t *)&c->cli : (uv_stream_t *)&c->prx;
    uv_stream_t *b = from_cli ? (uv_stream_t *)&c->prx : (uv_stream_t *)&c->cli;
    uv_shutdown_t *req = from_cli ? &c->shut_prx : &c->shut_cli;
    if (from_cli)
        c->cli_eof = true;
    else
        c->prx_eof = true;
    uv_read_stop(a);
    req->data = c;
    if (uv_shutdown(req, b, on_shutdown) < 0)
        conn_close(c);
}

static void on_cli_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);
static void on_prx_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);
static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf);

/* Back-pressure: src stopped reading while its peer had QUEUE_MAX bytes to write; it reads
 * again once that queue is down to half. */
static void resume(struct conn *c, uv_stream_t *src)
{
    bool cli = src == (uv_stream_t *)&c->cli;
    bool *paused = cli ? &c->cli_paused : &c->prx_paused;
    if (!*paused || (cli ? c->cli_eof : c->prx_eof))
        return;
    *paused = false;
    uv_read_start(src, alloc_cb, cli ? on_cli_read : on_prx_read);
}

static void on_written(uv_write_t *w, int status)
{
    struct wreq *q = (struct wreq *)w;
    struct conn *c = q->c;
    uv_stream_t *dst = w->handle;
    if (status < 0 && c->st != C_DEAD)
        conn_close(c);
    else if (q->src && c->st == C_SPLICE && dst->write_queue_size < QUEUE_MAX / 2)
        resume(c, q->src);
    if (q->wipe)
        OPENSSL_cleanse(q->data, q->wipe);
    free(q);
}

/* wipe: the data holds credentials; the queued copy is wiped once written. */
static void conn_write_x(struct conn *c, uv_stream_t *dst, uv_stream_t *src, const void *data,
                         size_t len, bool wipe)
{
    struct wreq *q = gw_malloc(sizeof *q + len);
    uv_buf_t b = uv_buf_init(q->data, (unsigned)len);
    memcpy(q->data, data, len);
    q->c = c;
    q->src = src;
    q->wipe = wipe ? len : 0;
    if (uv_write(&q->w, dst, &b, 1, on_written) < 0) {
        if (q->wipe)
            OPENSSL_cleanse(q->data, q->wipe);
        free(q);
        conn_close(c);
        return;
    }
    if (src && dst->write_queue_size >= QUEUE_MAX) {
        if (src == (uv_stream_t *)&c->cli)
            c->cli_paused = true;
        else
            c->prx_paused = true;
        uv_read_stop(src);
    }
}

static void conn_write(struct conn *c, uv_stream_t *dst, uv_stream_t *src, const void *data,
                       size_t len)
{
    conn_write_x(c, dst, src, data, len, false);
}

/* SOCKS5 reply with code rep (0 = success). */
static void socks_reply(struct conn *c, unsigned char rep)
{
    static const unsigned char tail[] = {0, 1, 0, 0, 0, 0, 0, 0};
    unsigned char b[10] = {5, rep};
    memcpy(b + 2, tail, sizeof tail);
    conn_write(c, (uv_stream_t *)&c->cli, NULL, b, sizeof b);
}

static void fail(struct conn *c, const char *state, const char *fmt, ...)
{
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    gw_log_warn(UP, "mqtt proxy tunnel failed: %s", why);
    if (c->r->fail && !c->r->closing)
        c->r->fail(c->r->arg, state, why);
    if (c->st == C_DEAD || c->st == C_FLUSH)
        return;
    socks_reply(c, 5 /* connection refused */);
    /* uv_close would drop the reply if it is still queued: write it out first. */
    flush_close(c);
}

static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    static char slab[65536];
    (void)h;
    (void)hint;
    *buf = uv_buf_init(slab, sizeof slab);
}

static void on_prx_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct conn *c = s->data;
    if (c->st == C_DEAD || c->st == C_FLUSH)
        return;
    if (n < 0) {
        if (c->st == C_PROXY)
            fail(c, "proxy_bad_reply",
                 "the HTTP proxy %s:%d closed the connection before "
                 "answering CONNECT %s:%d",
                 c->r->proxy_host, c->r->proxy_port, c->host, c->port);
        else if (n == UV_EOF)
            half_close(c, false);
        else
            conn_close(c);
        return;
    }
    if (n == 0)
        return;
    if (c->st == C_SPLICE) {
        conn_write(c, (uv_stream_t *)&c->cli, s, buf->base, (size_t)n);
        return;
    }
    /* C_PROXY: collect the reply headers. */
    size_t take = (size_t)n;
    if (take > HDR_MAX - c->inlen)
        take = HDR_MAX - c->inlen;
    memcpy(c->in + c->inlen, buf->base, take);
    c->inlen += take;
    int status = 0;
    char reason[80] = "";
    int hl = up__proxy_reply_parse(c->in, c->inlen, &status, reason, sizeof reason);
    if (hl == 0)
        return;
    if (hl < 0) {
        fail(c, "proxy_bad_reply", "the HTTP proxy %s:%d did not answer CONNECT with HTTP",
             c->r->proxy_host, c->r->proxy_port);
        return;
    }
    /* 407 is the standard answer; some proxies (tinyproxy) answer a CONNECT 401. */
    if (status == 407 || status == 401) {
        fail(c, "proxy_auth_failed",
             "the HTTP proxy %s:%d refused the credentials of proxy user '%s' (%d %s): set the "
             "right proxy password (fleetgw register --proxy-password-file)",
             c->r->proxy_host, c->r->proxy_port, c->r->proxy_user, status, reason);
        return;
    }
    if (status < 200 || status > 299) {
        fail(c, "proxy_refused", "the HTTP proxy %s:%d refused CONNECT %s:%d (%d %s)",
             c->r->proxy_host, c->r->proxy_port, c->host, c->port, status, reason);
        return;
    }
    c->st = C_SPLICE;
    socks_reply(c, 0);
    if ((size_t)hl < c->inlen) /* bytes from the broker that came with the reply */
        conn_write(c, (uv_stream_t *)&c->cli, NULL, c->in + hl, c->inlen - (size_t)hl);
    c->inlen = 0;
    uv_read_start((uv_stream_t *)&c->cli, alloc_cb, on_cli_read);
}

/* The CONNECT request, sized from what goes in; NULL if it does not fit (cannot happen unless
 * the sizes below are wrong). The caller wipes and frees it: it holds the credentials. */
static char *connect_request(const struct conn *c, size_t *len, size_t *cap)
{
    const char *auth = c->r->auth_b64;
    const char *lb = strchr(c->host, ':') ? "[" : "", *rb = *lb ? "]" : "";
    /* "CONNECT [h]:65535 HTTP/1.1\r\n" 27 + "Host: [h]:65535\r\n" 16 + "\r\n" 2 + NUL, and
     * "Proxy-Authorization: Basic a\r\n" 29: 64 and 32 leave room. */
    size_t need = 64 + 2 * strlen(c->host) + (auth ? 32 + strlen(auth) : 0);
    char *hdr = gw_malloc(need);
    int n =
        snprintf(hdr, need, "CONNECT %s%s%s:%d HTTP/1.1\r\nHost: %s%s%s:%d\r\n%s%s%s\r\n", lb,
                 c->host, rb, c->port, lb, c->host, rb, c->port,
                 auth ? "Proxy-Authorization: Basic " : "", auth ? auth : "", auth ? "\r\n" : "");
    *cap = need;
    if (n < 0 || (size_t)n >= need) {
        OPENSSL_cleanse(hdr, need);
        free(hdr);
        return NULL;
    }
    *len = (size_t)n;
    return hdr;
}

static void on_prx_connected(uv_connect_t *req, int status)
{
    struct conn *c = req->data;
    size_t n, cap;
    c->connect_busy = false;
    if (c->st == C_DEAD || c->st == C_FLUSH) {
        conn_req_done(c);
        return;
    }
    if (status < 0) {
        fail(c, "proxy_unreachable", "cannot connect to the HTTP proxy %s:%d: %s", c->r->proxy_host,
             c->r->proxy_port, uv_strerror(status));
        return;
    }
    char *hdr = connect_request(c, &n, &cap);
    if (!hdr) {
        fail(c, "proxy_bad_config",
             "cannot build the CONNECT request for %s:%d to the HTTP proxy %s:%d", c->host, c->port,
             c->r->proxy_host, c->r->proxy_port);
        return;
    }
    conn_write_x(c, (uv_stream_t *)&c->prx, NULL, hdr, n, true);
    OPENSSL_cleanse(hdr, cap);
    free(hdr);
    if (c->st == C_DEAD)
        return;
    c->st = C_PROXY;
    c->inlen = 0;
    uv_read_start((uv_stream_t *)&c->prx, alloc_cb, on_prx_read);
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    struct conn *c = req->data;
    c->gai_busy = false;
    if (c->st == C_DEAD || c->st == C_FLUSH || status < 0) {
        if (c->st != C_DEAD && c->st != C_FLUSH)
            fail(c, "proxy_unreachable", "cannot resolve the HTTP proxy '%s': %s", c->r->proxy_host,
                 uv_strerror(status));
        uv_freeaddrinfo(res);
        conn_req_done(c);
        return;
    }
    uv_tcp_init(c->r->loop, &c->prx);
    c->prx.data = c;
    c->prx_open = true;
    c->open++;
    c->creq.data = c;
    int rc = uv_tcp_connect(&c->creq, &c->prx, res->ai_addr, on_prx_connected);
    uv_freeaddrinfo(res);
    if (rc < 0) {
        fail(c, "proxy_unreachable", "cannot connect to the HTTP proxy %s:%d: %s", c->r->proxy_host,
             c->r->proxy_port, uv_strerror(rc));
        return;
    }
    c->connect_busy = true;
}

/* Consumes the SOCKS5 handshake in c->in; returns false when the connection was closed. */
static bool socks_step(struct conn *c)
{
    const unsigned char *b = (const unsigned char *)c->in;
    size_t n = c->inlen, used;
    for (;;) {
        if (c->st == C_GREET) {
            if (n < 2 || n < 2u + b[1])
                return true;
            bool userpass = false;
            for (unsigned i = 0; i < b[1]; i++)
                userpass |= b[2 + i] == 2;
            if (b[0] != 5 || !userpass) {
                static const unsigned char no[] = {5, 0xff};
                conn_write(c, (uv_stream_t *)&c->cli, NULL, no, sizeof no);
                flush_close(c);
                return false;
            }
            static const unsigned char up[] = {5, 2};
            conn_write(c, (uv_stream_t *)&c->cli, NULL, up, sizeof up);
            used = 2u + b[1];
            c->st = C_AUTH;
        } else if (c->st == C_AUTH) {
            if (n < 2 || n < 3u + b[1] || n < 3u + b[1] + b[2 + b[1]])
                return true;
            size_t ul = b[1], pl = b[2 + ul];
            bool ok = b[0] == 1 && ul == strlen(c->r->socks_user) && pl == strlen(c->r->socks_pw) &&
                      CRYPTO_memcmp(b + 2, c->r->socks_user, ul) == 0 &&
                      CRYPTO_memcmp(b + 3 + ul, c->r->socks_pw, pl) == 0;
            unsigned char rep[2] = {1, ok ? 0 : 1};
            conn_write(c, (uv_stream_t *)&c->cli, NULL, rep, sizeof rep);
            if (!ok) {
                warn_local(c->r, "a local client failed to authenticate");
                flush_close(c);
                return false;
            }
            used = 3 + ul + pl;
            c->st = C_REQUEST;
        } else if (c->st == C_REQUEST) {
            if (n < 5)
                return true;
            size_t al;
            if (b[3] == 1)
                al = 4;
            else if (b[3] == 4)
                al = 16;
            else if (b[3] == 3)
                al = 1u + b[4];
            else
                al = 0;
            if (b[0] != 5 || b[1] != 1 || al == 0) {
                socks_reply(c, 7 /* command not supported */);
                flush_close(c);
                return false;
            }
            if (n < 4 + al + 2)
                return true;
            uv_timer_stop(&c->timer); /* authenticated, request complete */
            if (b[3] == 3) {
                /* The name goes into the CONNECT line: no CR, LF, space or other control. */
                bool clean = b[4] > 0;
                for (unsigned i = 0; i < b[4]; i++)
                    clean &= b[5 + i] > 0x20 && b[5 + i] != 0x7f;
                if (!clean) {
                    fail(c, "proxy_bad_config",
                         "the broker host name has control characters or spaces: not sent to the "
                         "HTTP proxy %s:%d",
                         c->r->proxy_host, c->r->proxy_port);
                    return false;
                }
                memcpy(c->host, b + 5, b[4]);
                c->host[b[4]] = '\0';
            } else {
                uv_inet_ntop(b[3] == 1 ? AF_INET : AF_INET6, b + 4, c->host, sizeof c->host);
            }
            c->port = (b[4 + al] << 8) | b[5 + al];
            used = 4 + al + 2;
            memmove(c->in, c->in + used, n - used);
            c->inlen = n - used;
            /* Wait for the proxy; the client says nothing until it has our reply. */
            uv_read_stop((uv_stream_t *)&c->cli);
            struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
            char port[8];
            snprintf(port, sizeof port, "%d", c->r->proxy_port);
            c->gai.data = c;
            c->st = C_PROXY;
            if (uv_getaddrinfo(c->r->loop, &c->gai, on_resolved, c->r->proxy_host, port, &hints) <
                0) {
                fail(c, "proxy_unreachable", "cannot resolve the HTTP proxy '%s'",
                     c->r->proxy_host);
                return false;
            }
            c->gai_busy = true;
            return true;
        } else {
            return true;
        }
        memmove(c->in, c->in + used, n - used);
        c->inlen = n -= used;
    }
}

static void on_cli_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct conn *c = s->data;
    if (c->st == C_DEAD || c->st == C_FLUSH)
        return;
    if (n < 0) {
        if (c->st == C_SPLICE && n == UV_EOF)
            half_close(c, true);
        else
            conn_close(c);
        return;
    }
    if (n == 0)
        return;
    if (c->st == C_SPLICE) {
        conn_write(c, (uv_stream_t *)&c->prx, s, buf->base, (size_t)n);
        return;
    }
    if (c->st == C_PROXY || c->inlen + (size_t)n > 600) {
        conn_close(c); /* a SOCKS5 handshake is short; nothing comes before our reply */
        return;
    }
    memcpy(c->in + c->inlen, buf->base, (size_t)n);
    c->inlen += (size_t)n;
    socks_step(c);
}

static void on_accept(uv_stream_t *srv, int status)
{
    struct up_relay *r = srv->data;
    if (status < 0 || r->closing)
        return;
    int live = 0;
    for (struct conn *o = r->conns; o; o = o->next)
        live += o->st != C_DEAD && o->st != C_FLUSH;
    struct conn *c = gw_calloc(1, sizeof *c);
    c->r = r;
    uv_tcp_init(r->loop, &c->cli);
    c->cli.data = c;
    uv_timer_init(r->loop, &c->timer);
    c->timer.data = c;
    c->open = 2;
    c->next = r->conns;
    r->conns = c;
    /* Accept even when full: a connection left in the backlog would stop the listener. */
    if (uv_accept(srv, (uv_stream_t *)&c->cli) < 0) {
        conn_close(c);
        return;
    }
    if (live >= MAX_TUNNELS) {
        warn_local(r, "connection refused, %d tunnels open already", live);
        conn_close(c);
        return;
    }
    uv_timer_start(&c->timer, on_timer, HANDSHAKE_MS, 0);
    uv_read_start((uv_stream_t *)&c->cli, alloc_cb, on_cli_read);
}

int up__relay_start(uv_loop_t *loop, const char *proxy_url, const char *proxy_user,
                    const char *proxy_password, up_relay_fail_cb fail_cb, void *arg,
                    struct up_relay **out, struct gw_errbuf *eb)
{
    struct up_relay *r;
    struct sockaddr_in sa;
    int rc;
    if (proxy_password && strlen(proxy_password) > UP_PROXY_PW_MAX) {
        gw_errbuf_set(eb, GW_E_INVAL,
                      "the proxy password is %zu bytes, longer than the limit of %d bytes",
                      strlen(proxy_password), UP_PROXY_PW_MAX);
        return GW_E_INVAL;
    }
    r = gw_calloc(1, sizeof *r);
    r->lim.interval_ms = 60000;
    if (up__proxy_url_parse(proxy_url, r->proxy_host, sizeof r->proxy_host, &r->proxy_port) < 0) {
        free(r);
        gw_errbuf_set(eb, GW_E_INVAL, "[uplink] proxy '%s': not an http://host:port URL",
                      proxy_url);
        return GW_E_INVAL;
    }
    r->loop = loop;
    r->fail = fail_cb;
    r->arg = arg;
    gw_strlcpy(r->proxy_user, proxy_user ? proxy_user : "", sizeof r->proxy_user);
    if (proxy_user && *proxy_user) {
        size_t ul = strlen(proxy_user), pl = proxy_password ? strlen(proxy_password) : 0;
        char *plain = gw_malloc(ul + pl + 2);
        memcpy(plain, proxy_user, ul);
        plain[ul] = ':';
        memcpy(plain + ul + 1, proxy_password ? proxy_password : "", pl);
        r->auth_b64 = gw_malloc(4 * ((ul + pl + 1 + 2) / 3) + 1);
        EVP_EncodeBlock((unsigned char *)r->auth_b64, (unsigned char *)plain, (int)(ul + pl + 1));
        OPENSSL_cleanse(plain, ul + pl + 1);
        free(plain);
    }
    up__random_id(r->socks_user);
    up__random_id(r->socks_pw);
    uv_tcp_init(loop, &r->srv);
    r->srv.data = r;
    r->srv_open = true;
    uv_ip4_addr("127.0.0.1", 0, &sa);
    rc = uv_tcp_bind(&r->srv, (const struct sockaddr *)&sa, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&r->srv, 4, on_accept);
    if (rc == 0) {
        struct sockaddr_storage ss;
        int len = sizeof ss;
        rc = uv_tcp_getsockname(&r->srv, (struct sockaddr *)&ss, &len);
        r->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    }
    if (rc < 0) {
        gw_errbuf_set(eb, UP_E_UNREACHABLE, "cannot open the loopback relay for the MQTT proxy: %s",
                      uv_strerror(rc));
        up__relay_close(r, NULL, NULL);
        return UP_E_UNREACHABLE;
    }
    *out = r;
    return 0;
}

void up__relay_socks(const struct up_relay *r, int *port, const char **user, const char **pw)
{
    *port = r->port;
    *user = r->socks_user;
    *pw = r->socks_pw;
}

static void srv_closed(uv_handle_t *h)
{
    struct up_relay *r = h->data;
    r->srv_open = false;
    relay_maybe_free(r);
}

void up__relay_close(struct up_relay *r, void (*cb)(void *arg), void *arg)
{
    if (!r) {
        if (cb)
            cb(arg);
        return;
    }
    r->closing = true;
    r->close_cb = cb;
    r->close_arg = arg;
    for (struct conn *c = r->conns, *next; c; c = next) {
        next = c->next;
        /* A tunnel carries what its client wrote last (the session's "offline" and DISCONNECT)
         * to the proxy: it closes when the client has closed and that is written, or at the
         * deadline. */
        if (c->st == C_SPLICE && !c->prx_shut_done)
            uv_timer_start(&c->timer, on_timer, LINGER_MS, 0);
        else if (c->st != C_FLUSH)
            conn_close(c);
    }
    uv_close((uv_handle_t *)&r->srv, srv_closed);
}
