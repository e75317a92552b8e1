/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * libmosquitto on the daemon's libuv loop (notes/library-integration.md 4.1): the socket is
 * watched by a uv_poll_t that calls mosquitto_loop_read/write, and a 1 Hz uv_timer_t calls
 * mosquitto_loop_misc for keep-alive. Never mosquitto_loop_start(): one loop owns everything.
 *
 * Three traps shape this file:
 *  - connecting resolves the host with a blocking getaddrinfo() (also in the _async calls), and
 *    passing a pre-resolved IP would break SNI and host name verification. So the connect call
 *    runs in a libuv worker thread; while it runs the loop does not touch the mosquitto object
 *    (no poll, no timer, publishes wait in the outbox), and the after-work callback starts
 *    polling the new socket.
 *  - mosquitto_loop_write() does not advance a TLS handshake; until CONNACK a writable event
 *    also gets mosquitto_loop_read(), which does.
 *  - when libmosquitto closes its socket (error, keep-alive expiry) mosquitto_socket() turns
 *    -1; the poll is closed at once, before the fd number can be reused.
 * Each connection gets a fresh mosquitto object: its RAM queue of unacknowledged publishes
 * would otherwise resend beside the outbox, which is the record of what is owed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <openssl/crypto.h>

#include "uplink/up_int.h"

#define SESSION_EXPIRY (7 * 24 * 3600) /* keep subscriptions and tasks a week offline */
#define OFFLINE        "{\"v\":1,\"state\":\"offline\"}"

struct up_mqtt {
    uv_loop_t *loop;
    struct mosquitto *mosq;
    uv_poll_t *poll; /* heap: a reconnect must not reuse one that is still closing */
    uv_timer_t misc;
    uv_work_t work;
    bool working, connected, closing, lost, timer_closed;
    int work_rc;
    int refused; /* CONNACK reason when the broker refused */
    int pending_closes;
    struct up_mqtt_params p;
    struct up_mqtt_cbs cbs;
    void (*close_cb)(void *arg);
    void *close_arg;
};

static void lib_init(void)
{
    static bool done;
    if (!done) {
        mosquitto_lib_init();
        done = true;
    }
}

static void maybe_free(struct up_mqtt *m)
{
    if (!m->closing || m->working || m->pending_closes > 0 || !m->timer_closed)
        return;
    if (m->mosq)
        mosquitto_destroy(m->mosq);
    if (m->p.password)
        gw_free_secret_str(m->p.password);
    OPENSSL_cleanse(m->p.socks_pw, sizeof m->p.socks_pw);
    void (*cb)(void *) = m->close_cb;
    void *arg = m->close_arg;
    free(m);
    if (cb)
        cb(arg);
}

static void poll_closed(uv_handle_t *h)
{
    struct up_mqtt *m = h->data;
    free(h);
    m->pending_closes--;
    maybe_free(m);
}

static void poll_close(struct up_mqtt *m)
{
    if (!m->poll)
        return;
    uv_close((uv_handle_t *)m->poll, poll_closed);
    m->poll = NULL;
    m->pending_closes++;
}

/* The connection is gone: stop watching, tell the owner once. */
static void dropped(struct up_mqtt *m, int rc)
{
    char why[160];
    bool was = m->connected;
    poll_close(m);
    uv_timer_stop(&m->misc);
    m->connected = false;
    m->lost = false;
    if (m->refused)
        snprintf(why, sizeof why, "broker refused the connection: %s",
                 mosquitto_reason_string(m->refused));
    else
        snprintf(why, sizeof why, "%s", mosquitto_strerror(rc));
    if (!m->closing && m->cbs.disconnected)
        m->cbs.disconnected(m->cbs.arg, m->refused ? UP_E_BROKER : rc, why);
    (void)was;
}

static void on_poll(uv_poll_t *h, int status, int events);

static void rearm_poll(struct up_mqtt *m)
{
    if (m->closing || !m->poll)
        return;
    if (mosquitto_socket(m->mosq) < 0 || m->lost) {
        dropped(m, MOSQ_ERR_CONN_LOST);
        return;
    }
    int ev = UV_READABLE | (mosquitto_want_write(m->mosq) ? UV_WRITABLE : 0);
    uv_poll_start(m->poll, ev, on_poll);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    struct up_mqtt *m = h->data;
    int rc = MOSQ_ERR_SUCCESS;
    if (status < 0)
        events |= UV_READABLE; /* let libmosquitto read the error */
    if (events & UV_READABLE)
        rc = mosquitto_loop_read(m->mosq, 1);
    if (rc == MOSQ_ERR_SUCCESS && (events & UV_WRITABLE) && mosquitto_socket(m->mosq) >= 0) {
        rc = mosquitto_loop_write(m->mosq, 1);
        /* loop_write does not drive a pending TLS handshake; loop_read does. */
        if (rc == MOSQ_ERR_SUCCESS && !m->connected && mosquitto_socket(m->mosq) >= 0)
            rc = mosquitto_loop_read(m->mosq, 1);
    }
    if (rc != MOSQ_ERR_SUCCESS) {
        dropped(m, rc);
        return;
    }
    rearm_poll(m);
}

static void on_misc(uv_timer_t *t)
{
    struct up_mqtt *m = t->data;
    if (!m->poll)
        return;
    int rc = mosquitto_loop_misc(m->mosq);
    if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN) {
        dropped(m, rc);
        return;
    }
    rearm_poll(m);
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc, int flags,
                       const mosquitto_property *props)
{
    struct up_mqtt *m = obj;
    if (rc != 0) {
        m->refused = rc;
        m->lost = true;
        return;
    }
    m->refused = 0;
    m->connected = true;
    if (m->cbs.connected)
        m->cbs.connected(m->cbs.arg);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc,
                          const mosquitto_property *props)
{
    struct up_mqtt *m = obj;
    m->lost = true;
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid, int reason,
                       const mosquitto_property *props)
{
    struct up_mqtt *m = obj;
    /* A reason code of 0x80 or more is a refusal (quota, not authorized): not delivered. */
    if (m->cbs.acked)
        m->cbs.acked(m->cbs.arg, mid, reason < 0x80);
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg,
                       const mosquitto_property *props)
{
    struct up_mqtt *m = obj;
    /* libmosquitto frees msg when this returns; the handler copies what it keeps. */
    if (m->cbs.message)
        m->cbs.message(m->cbs.arg, msg->topic, msg->payload, (size_t)msg->payloadlen);
}

static void connect_work(uv_work_t *w)
{
    struct up_mqtt *m = w->data;
    mosquitto_property *props = NULL;
    if (!m->p.socks_port)
        mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, SESSION_EXPIRY);
    /* Blocking: DNS and the TCP connect happen here, off the loop. The socket is non-blocking
     * when this returns; the TLS handshake continues on the loop. */
    m->work_rc =
        mosquitto_connect_bind_v5(m->mosq, m->p.host, m->p.port, m->p.keepalive, NULL, props);
    mosquitto_property_free_all(&props);
}

static void connect_after(uv_work_t *w, int status)
{
    struct up_mqtt *m = w->data;
    m->working = false;
    if (m->closing) {
        maybe_free(m);
        return;
    }
    if (status < 0 || m->work_rc != MOSQ_ERR_SUCCESS) {
        if (m->cbs.disconnected)
            m->cbs.disconnected(m->cbs.arg, UP_E_UNREACHABLE,
                                status < 0 ? "cancelled"
                                           : (m->work_rc == MOSQ_ERR_ERRNO
                                                  ? "connect failed (network or TLS)"
                                                  : mosquitto_strerror(m->work_rc)));
        return;
    }
    int fd = mosquitto_socket(m->mosq);
    if (fd < 0) {
        if (m->cbs.disconnected)
            m->cbs.disconnected(m->cbs.arg, UP_E_UNREACHABLE, "no socket after connect");
        return;
    }
    m->poll = gw_calloc(1, sizeof *m->poll);
    uv_poll_init(m->loop, m->poll, fd);
    m->poll->data = m;
    uv_timer_start(&m->misc, on_misc, 1000, 1000);
    rearm_poll(m);
}

static int setup(struct up_mqtt *m)
{
    int rc;
    if (m->mosq)
        mosquitto_destroy(m->mosq);
    m->mosq = mosquitto_new(m->p.client_id, false /* persistent session */, m);
    if (!m->mosq)
        return GW_E_INTERNAL;
    /* Through the proxy relay (SOCKS5) libmosquitto sends CONNECT without the v5 properties,
     * so Session Expiry would be 0 and the broker would drop the session (and the tasks it
     * keeps) at every disconnect. MQTT 3.1.1 with clean session 0 keeps it without one. */
    mosquitto_int_option(m->mosq, MOSQ_OPT_PROTOCOL_VERSION,
                         m->p.socks_port ? MQTT_PROTOCOL_V311 : MQTT_PROTOCOL_V5);
    if (m->p.ca_file[0])
        rc = mosquitto_tls_set(m->mosq, m->p.ca_file, NULL, NULL, NULL, NULL);
    else {
        mosquitto_int_option(m->mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
        rc = mosquitto_tls_set(m->mosq, NULL, "/etc/ssl/certs", NULL, NULL, NULL);
    }
    if (rc == MOSQ_ERR_SUCCESS && m->p.alpn[0])
        rc = mosquitto_string_option(m->mosq, MOSQ_OPT_TLS_ALPN, m->p.alpn);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_tls_opts_set(m->mosq, 1 /* SSL_VERIFY_PEER */, "tlsv1.2", NULL);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_tls_insecure_set(m->mosq, false);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_username_pw_set(m->mosq, m->p.client_id, m->p.password);
    if (rc == MOSQ_ERR_SUCCESS && m->p.socks_port)
        rc = mosquitto_socks5_set(m->mosq, "127.0.0.1", m->p.socks_port, m->p.socks_user,
                                  m->p.socks_pw);
    if (rc == MOSQ_ERR_SUCCESS && m->p.will_topic[0])
        rc = mosquitto_will_set_v5(m->mosq, m->p.will_topic, (int)strlen(OFFLINE), OFFLINE, 1, true,
                                   NULL);
    if (rc != MOSQ_ERR_SUCCESS) {
        gw_log_err(UP, "mqtt setup failed: %s", mosquitto_strerror(rc));
        return UP_E_BROKER;
    }
    mosquitto_connect_v5_callback_set(m->mosq, on_connect);
    mosquitto_disconnect_v5_callback_set(m->mosq, on_disconnect);
    mosquitto_publish_v5_callback_set(m->mosq, on_publish);
    mosquitto_message_v5_callback_set(m->mosq, on_message);
    return 0;
}

int up__mqtt_new(uv_loop_t *loop, struct up_mqtt_params *p, const struct up_mqtt_cbs *cbs,
                 struct up_mqtt **out)
{
    struct up_mqtt *m = gw_calloc(1, sizeof *m);
    lib_init();
    m->loop = loop;
    m->p = *p;
    p->password = NULL; /* ours now */
    m->cbs = *cbs;
    uv_timer_init(loop, &m->misc);
    m->misc.data = m;
    m->work.data = m;
    *out = m;
    return 0;
}

int up__mqtt_connect(struct up_mqtt *m)
{
    int rc;
    if (m->working || m->closing || m->poll)
        return GW_E_BUSY;
    rc = setup(m);
    if (rc < 0)
        return rc;
    m->refused = 0;
    m->lost = false;
    m->working = true;
    rc = uv_queue_work(m->loop, &m->work, connect_work, connect_after);
    if (rc < 0)
        m->working = false;
    return rc;
}

int up__mqtt_set_endpoint(struct up_mqtt *m, const char *host, int port, const char *alpn)
{
    if (m->working || m->poll)
        return GW_E_BUSY;
    gw_strlcpy(m->p.host, host, sizeof m->p.host);
    m->p.port = port;
    gw_strlcpy(m->p.alpn, alpn ? alpn : "", sizeof m->p.alpn);
    return 0;
}

bool up__mqtt_is_connected(const struct up_mqtt *m)
{
    return m && m->connected;
}

int up__mqtt_publish(struct up_mqtt *m, const char *topic, const void *data, size_t len,
                     bool retain)
{
    int mid = 0;
    if (!m->connected || m->working)
        return UP_E_BROKER;
    int rc = mosquitto_publish_v5(m->mosq, &mid, topic, (int)len, data, 1, retain, NULL);
    if (rc != MOSQ_ERR_SUCCESS) {
        gw_log_warn(UP, "mqtt publish failed topic=%s: %s", topic, mosquitto_strerror(rc));
        return UP_E_BROKER;
    }
    /* In this mode publish writes at once and may leave a partial packet: watch for
     * writability. */
    rearm_poll(m);
    return mid;
}

int up__mqtt_subscribe(struct up_mqtt *m, const char *topic)
{
    if (!m->connected)
        return UP_E_BROKER;
    int rc = mosquitto_subscribe_v5(m->mosq, NULL, topic, 1, 0, NULL);
    rearm_poll(m);
    return rc == MOSQ_ERR_SUCCESS ? 0 : UP_E_BROKER;
}

static void timer_closed(uv_handle_t *h)
{
    struct up_mqtt *m = h->data;
    m->timer_closed = true;
    maybe_free(m);
}

void up__mqtt_close(struct up_mqtt *m, void (*cb)(void *arg), void *arg)
{
    if (!m) {
        if (cb)
            cb(arg);
        return;
    }
    m->close_cb = cb;
    m->close_arg = arg;
    if (m->connected && m->mosq) {
        /* MQTT 3.1.1 has no "disconnect with will": say "offline" ourselves first. */
        if (m->p.socks_port && m->p.will_topic[0])
            mosquitto_publish_v5(m->mosq, NULL, m->p.will_topic, (int)strlen(OFFLINE), OFFLINE, 1,
                                 true, NULL);
        /* 0x04 "disconnect with will": the broker publishes our retained "offline" state. */
        mosquitto_disconnect_v5(m->mosq, MQTT_RC_DISCONNECT_WITH_WILL_MSG, NULL);
    }
    m->closing = true;
    m->connected = false;
    poll_close(m);
    uv_timer_stop(&m->misc);
    uv_close((uv_handle_t *)&m->misc, timer_closed);
    /* A connect still running in the worker finishes first; connect_after frees then. */
}
