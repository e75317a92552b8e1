/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The uplink's life on the loop: what goes up, when, and over which transport.
 *
 * Producers put messages into the outbox (queue.c): the event bus (alerts, device changes) at
 * once, a 1 Hz tick for the schedule (counters and supplies 1..4 times a day at a time spread
 * per gateway, logs and gateway state once a day, or every [uplink] force_interval for tests).
 * Consumers take them out again: in Monitor mode an upload round posts them over HTTPS from a
 * worker thread (libcurl blocks) after an alert or a scheduled collection; in Manage mode one
 * MQTT session (mqtt.c) publishes them with at most max_in_flight unacknowledged. A row leaves
 * the outbox only on PUBACK or a 2xx reply. Failures back off exponentially with jitter.
 *
 * All state is in one static struct: there is one uplink per process, and the control
 * functions must find the running one from ctl.c without a handle.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "uplink/up_int.h"

#define UPLOAD_BATCH 50
#define INFLIGHT_MAX 1000
#define STAGE_BATCH  500 /* events per alert/device batch message */

struct upload_job {
    char url[600];
    char *token;
    char ca[512], proxy[256], proxy_user[128];
    char *proxy_pw;
    struct up_msg msgs[UPLOAD_BATCH];
    int n;
    int64_t done[UPLOAD_BATCH];
    int ndone, ndropped;
    int rc;
    const char *reason;
    struct gw_errbuf eb;
};

/* The uplink module: everything it holds between up_init() and the end of up_stop(). One per
 * daemon, owned by the daemon through the handle, not a static singleton. */
struct up_ctx {
    struct up_env env;
    struct gw_cfg cfg;
    bool inited, started, stopping;
    uv_timer_t tick;
    bool tick_open;
    int bus_id;
    uint64_t flush_at; /* uv_now() ms when staged events are batched, 0 = none pending */
    int staged;        /* events staged since the last batch */
    /* transport state */
    struct up_mqtt *mqtt;
    bool mqtt_closing;
    struct up_relay *relay; /* MQTT through the HTTP proxy */
    int relay_closing;      /* relays still closing (one lingers up to 2 s) */
    bool proxy_failed;      /* the relay reported this attempt's failure */
    uint64_t next_attempt;  /* uv_now() ms */
    int backoff_s;
    struct {
        int mid;
        int64_t row;
    } inflight[INFLIGHT_MAX];
    int ninflight;
    int ep_idx, nendpoints; /* broker endpoint in use, count */
    int ep_failed;          /* endpoints failed in a row since the last session */
    bool session_up;        /* this connection reached CONNACK */
    char ep_in_use[320];
    uv_work_t work;
    struct upload_job *job;
    bool upload_wanted;
    int64_t last_expire;
    char gwid[80];
    up_stopped_cb stop_cb;
    void *stop_arg;
};

static int64_t maxb(struct up_ctx *u)
{
    return u->cfg.up_outbox_max_bytes;
}

int up_anon_enable(struct gw_db *db, const char *user)
{
    int rc = up__queue_migrate(db, NULL);
    if (rc == 0 && !up_anon_is_on(db))
        rc = gw_setting_set(db, UP_K_ANON, "1");
    gw_audit_add(db, user, "cli", "uplink.anonymize", rc ? "failed" : "ok", "on");
    return rc;
}

static bool registered(struct gw_db *db)
{
    char id[80] = "";
    return gw_setting_get(db, UP_K_GWID, id, sizeof id) == 0 && id[0];
}

static bool manage_mode(struct gw_db *db)
{
    char m[16] = "";
    gw_setting_get(db, UP_K_MODE, m, sizeof m);
    return strcmp(m, "manage") == 0;
}

/* Records a link problem once per change, in the log and the audit log. */
static void link_state(struct up_ctx *u, const char *state, const char *detail)
{
    char prev[32] = "";
    gw_setting_get(u->env.db, UP_K_LINK, prev, sizeof prev);
    if (strcmp(prev, state) == 0)
        return;
    gw_setting_set(u->env.db, UP_K_LINK, state);
    if (strcmp(state, "ok") == 0) {
        gw_log_notice(UP, "cloud link ok");
        gw_event_add(u->env.db, 0, "uplink.link_ok", NULL, gw_now());
        return;
    }
    gw_log_err(UP, "cloud link problem state=%s: %s", state, detail);
    gw_event_add(u->env.db, 0, "uplink.link_failed", state, gw_now());
    char action[48];
    snprintf(action, sizeof action, "uplink.%s", state);
    gw_audit_add(u->env.db, "system", "uplink", action, "failed", detail);
}

static void backoff_fail(struct up_ctx *u)
{
    unsigned r = 0;
    u->backoff_s = u->backoff_s ? u->backoff_s * 2 : 1;
    if (u->backoff_s > u->cfg.up_backoff_max_s)
        u->backoff_s = u->cfg.up_backoff_max_s;
    RAND_bytes((unsigned char *)&r, sizeof r);
    /* Equal jitter: half fixed, half random, so a cloud outage does not end in a stampede of
     * gateways reconnecting in the same second. */
    uint64_t ms = (uint64_t)u->backoff_s * 500 + r % ((uint64_t)u->backoff_s * 500 + 1);
    u->next_attempt = uv_now(u->env.loop) + ms;
}

static void backoff_ok(struct up_ctx *u)
{
    u->backoff_s = 0;
    u->next_attempt = 0;
}

/* ---------------------------------------------------------------------------------------------
 * Manage mode: MQTT
 */

static void topic_for(struct up_ctx *u, char *buf, size_t len, const char *kind)
{
    snprintf(buf, len, "fleetgw/v1/%s/up/%s", u->gwid, kind);
}

static void mqtt_pump(struct up_ctx *u)
{
    struct up_msg msgs[64];
    int64_t skip[INFLIGHT_MAX];
    if (!up__mqtt_is_connected(u->mqtt))
        return;
    while (u->ninflight < u->cfg.up_max_in_flight && u->ninflight < INFLIGHT_MAX) {
        int want = u->cfg.up_max_in_flight - u->ninflight;
        if (want > 64)
            want = 64;
        for (int i = 0; i < u->ninflight; i++)
            skip[i] = u->inflight[i].row;
        int n = up__queue_peek(u->env.db, msgs, want, skip, u->ninflight);
        if (n <= 0)
            return;
        for (int i = 0; i < n; i++) {
            char topic[160];
            topic_for(u, topic, sizeof topic, msgs[i].kind);
            int mid = up__mqtt_publish(u->mqtt, topic, msgs[i].data, msgs[i].len, false);
            if (mid > 0) {
                u->inflight[u->ninflight].mid = mid;
                u->inflight[u->ninflight].row = msgs[i].row;
                u->ninflight++;
            }
            up__msg_cleanup(&msgs[i]);
            if (mid <= 0) {
                for (int j = i + 1; j < n; j++)
                    up__msg_cleanup(&msgs[j]);
                return;
            }
        }
    }
}

static void on_mqtt_connected(void *arg)
{
    struct up_ctx *u = arg;
    char topic[160];
    static const char online[] = "{\"v\":1,\"state\":\"online\"}";
    gw_log_notice(UP, "mqtt connected gateway=%s broker=%s", u->gwid, u->ep_in_use);
    u->session_up = true;
    u->ep_failed = 0;
    backoff_ok(u);
    link_state(u, "ok", "");
    u->ninflight = 0;
    snprintf(topic, sizeof topic, "fleetgw/v1/%s/state", u->gwid);
    up__mqtt_publish(u->mqtt, topic, online, strlen(online), true);
    snprintf(topic, sizeof topic, "fleetgw/v1/%s/down", u->gwid);
    up__mqtt_subscribe(u->mqtt, topic);
    up__queue_gap_flush(u->env.db, maxb(u));
    mqtt_pump(u);
}

static void on_mqtt_disconnected(void *arg, int rc, const char *why)
{
    struct up_ctx *u = arg;
    gw_log_warn(UP, "mqtt disconnected gateway=%s: %s", u->gwid, why);
    u->ninflight = 0;
    if (u->proxy_failed)
        ; /* the relay already said why */
    else if (rc == UP_E_BROKER)
        link_state(u, "broker_refused", why);
    else
        link_state(u, "unreachable", why);
    u->proxy_failed = false;
    if (!u->session_up && u->nendpoints > 1) {
        /* This endpoint did not work (port 443 blocked, no ALPN front): try the next one at
         * once; the backoff starts when every endpoint failed. */
        u->ep_idx = (u->ep_idx + 1) % u->nendpoints;
        if (++u->ep_failed < u->nendpoints) {
            gw_log_notice(UP, "mqtt trying the next broker endpoint (%d of %d)", u->ep_idx + 1,
                          u->nendpoints);
            u->next_attempt = uv_now(u->env.loop) + 200;
            return;
        }
        u->ep_failed = 0;
    }
    u->session_up = false;
    backoff_fail(u);
}

static void on_mqtt_acked(void *arg, int mid, bool ok)
{
    struct up_ctx *u = arg;
    for (int i = 0; i < u->ninflight; i++) {
        if (u->inflight[i].mid != mid)
            continue;
        int64_t row = u->inflight[i].row;
        u->inflight[i] = u->inflight[--u->ninflight];
        if (ok)
            up__queue_ack(u->env.db, &row, 1);
        else
            gw_log_warn(UP, "broker refused a message row=%lld; kept for retry", (long long)row);
        break;
    }
    mqtt_pump(u);
}

static void on_mqtt_message(void *arg, const char *topic, const void *payload, size_t len)
{
    struct up_ctx *u = arg;
    char expect[160];
    snprintf(expect, sizeof expect, "fleetgw/v1/%s/down", u->gwid);
    if (strcmp(topic, expect) != 0) {
        gw_audit_add(u->env.db, "cloud", "uplink", "task.rejected", "refused",
                     "message on an unexpected topic");
        return;
    }
    up__tasks_handle(u->env.db, u->gwid, payload, len, maxb(u));
    mqtt_pump(u);
}

/* The end of up_stop(): once the timer, the upload job, the MQTT session and its relay are all
 * closed, u is freed and the stop callback runs, exactly once. Callers touch u no more after. */
static void maybe_stopped(struct up_ctx *u)
{
    up_stopped_cb cb;
    void *arg;
    if (!u->stopping || u->tick_open || u->job || u->mqtt_closing || u->relay_closing)
        return;
    cb = u->stop_cb;
    arg = u->stop_arg;
    /* The copied configuration holds the proxy password. */
    OPENSSL_cleanse(u, sizeof *u);
    free(u);
    if (cb)
        cb(arg);
}

static void mqtt_closed(void *arg)
{
    struct up_ctx *u = arg;
    u->mqtt_closing = false;
    maybe_stopped(u);
}

static void relay_closed(void *arg)
{
    struct up_ctx *u = arg;
    u->relay_closing--;
    maybe_stopped(u);
}

static void mqtt_drop(struct up_ctx *u)
{
    /* The session first: its goodbye (the "offline" state a 3.1.1 session publishes itself,
     * then DISCONNECT) is written into the relay, which passes it on before it closes. */
    if (u->mqtt) {
        u->mqtt_closing = true;
        up__mqtt_close(u->mqtt, mqtt_closed, u);
        u->mqtt = NULL;
        u->ninflight = 0;
    }
    if (u->relay) {
        u->relay_closing++;
        up__relay_close(u->relay, relay_closed, u);
        u->relay = NULL;
    }
}

/* The relay could not open a tunnel through the proxy: that is the reason the coming
 * disconnect reports, in the log and (once per change) the audit log. */
static void on_relay_fail(void *arg, const char *state, const char *why)
{
    struct up_ctx *u = arg;
    u->proxy_failed = true;
    link_state(u, state, why);
}

/* Starts the loopback relay when [uplink] proxy is set. Returns: 0 or < 0 (link state set). */
static int relay_ensure(struct up_ctx *u, struct up_mqtt_params *p)
{
    struct gw_errbuf eb = {""};
    const char *user, *pw;
    if (!u->cfg.up_proxy[0])
        return 0;
    if (!u->relay) {
        char *ppw = u->cfg.up_proxy_user[0]
                        ? up_secret_get(u->env.db, u->env.vault, "proxy_password")
                        : NULL;
        int rc = up__relay_start(u->env.loop, u->cfg.up_proxy, u->cfg.up_proxy_user, ppw,
                                 on_relay_fail, u, &u->relay, &eb);
        if (ppw)
            gw_free_secret_str(ppw);
        if (rc < 0) {
            link_state(u, rc == GW_E_INVAL ? "proxy_bad_config" : "proxy_unreachable", eb.msg);
            return rc;
        }
    }
    up__relay_socks(u->relay, &p->socks_port, &user, &pw);
    gw_strlcpy(p->socks_user, user, sizeof p->socks_user);
    gw_strlcpy(p->socks_pw, pw, sizeof p->socks_pw);
    return 0;
}

/* The broker endpoints from the registration, in preference order (443 with ALPN first when
 * the cloud offers it). Returns: the count, 0 when there are none (link state set). */
static int endpoints(struct up_ctx *u, struct up_endpoint *ep)
{
    char list[1200] = "";
    gw_setting_get(u->env.db, UP_K_BROKER, list, sizeof list);
    int n = up__broker_list_parse(list, ep, UP_ENDPOINTS_MAX);
    if (n == 0)
        link_state(u, "no_broker", "the registration named no MQTT broker");
    return n;
}

/* Points the (idle) session at endpoint u->ep_idx. */
static bool endpoint_select(struct up_ctx *u, struct up_mqtt_params *p)
{
    struct up_endpoint ep[UP_ENDPOINTS_MAX];
    int n = endpoints(u, ep);
    if (n == 0)
        return false;
    if (u->ep_idx >= n)
        u->ep_idx = 0;
    u->nendpoints = n;
    snprintf(u->ep_in_use, sizeof u->ep_in_use, "%.255s:%d%s%.31s", ep[u->ep_idx].host,
             ep[u->ep_idx].port, ep[u->ep_idx].alpn[0] ? "/" : "", ep[u->ep_idx].alpn);
    if (p) {
        gw_strlcpy(p->host, ep[u->ep_idx].host, sizeof p->host);
        p->port = ep[u->ep_idx].port;
        gw_strlcpy(p->alpn, ep[u->ep_idx].alpn, sizeof p->alpn);
    } else {
        up__mqtt_set_endpoint(u->mqtt, ep[u->ep_idx].host, ep[u->ep_idx].port, ep[u->ep_idx].alpn);
    }
    return true;
}

static void mqtt_ensure(struct up_ctx *u)
{
    char ca[1100] = "";
    struct up_mqtt_params p;
    struct up_mqtt_cbs cbs = {on_mqtt_connected, on_mqtt_disconnected, on_mqtt_acked,
                              on_mqtt_message, u};
    if (u->mqtt || u->mqtt_closing) {
        if (u->mqtt && !up__mqtt_is_connected(u->mqtt) && uv_now(u->env.loop) >= u->next_attempt) {
            if (!endpoint_select(u, NULL)) {
                backoff_fail(u);
                return;
            }
            int rc = up__mqtt_connect(u->mqtt);
            if (rc == 0)
                u->next_attempt = uv_now(u->env.loop) + 3600 * 1000; /* until the callback */
        }
        return;
    }
    if (uv_now(u->env.loop) < u->next_attempt)
        return;
    memset(&p, 0, sizeof p);
    if (!endpoint_select(u, &p)) {
        backoff_fail(u);
        return;
    }
    gw_strlcpy(p.client_id, u->gwid, sizeof p.client_id);
    p.password = up_secret_get(u->env.db, u->env.vault, "token");
    if (!p.password) {
        link_state(u, "no_token", "no registration token in the vault");
        backoff_fail(u);
        return;
    }
    /* The broker CA from the registration, written where libmosquitto can read it. */
    {
        char pem[16384] = "";
        if (gw_setting_get(u->env.db, "up.ca_pem", pem, sizeof pem) == 0 && pem[0]) {
            snprintf(ca, sizeof ca, "%s/uplink-ca.pem", u->cfg.state_dir);
            FILE *f = fopen(ca, "w");
            if (f) {
                fputs(pem, f);
                fclose(f);
            } else {
                ca[0] = '\0';
            }
        }
    }
    gw_strlcpy(p.ca_file, ca, sizeof p.ca_file);
    snprintf(p.will_topic, sizeof p.will_topic, "fleetgw/v1/%s/state", u->gwid);
    p.keepalive = u->cfg.up_keepalive_s;
    if (relay_ensure(u, &p) < 0) {
        gw_free_secret_str(p.password);
        backoff_fail(u);
        return;
    }
    up__mqtt_new(u->env.loop, &p, &cbs, &u->mqtt);
    if (up__mqtt_connect(u->mqtt) == 0)
        u->next_attempt = uv_now(u->env.loop) + 3600 * 1000;
    else
        backoff_fail(u);
}

/* ---------------------------------------------------------------------------------------------
 * Monitor mode: HTTPS upload rounds in a worker thread
 */

static void upload_work(uv_work_t *w)
{
    struct upload_job *j = w->data;
    struct up_http_reply rep;
    void *h = up__http_handle_new();
    j->rc = 0;
    for (int i = 0; i < j->n; i++) {
        struct up_http req = {.url = j->url,
                              .method = "POST",
                              .token = j->token,
                              .ca_file = j->ca,
                              .proxy = j->proxy,
                              .proxy_user = j->proxy_user,
                              .proxy_password = j->proxy_pw,
                              .content_encoding = "gzip",
                              .msg_id = j->msgs[i].id,
                              .body = j->msgs[i].data,
                              .body_len = j->msgs[i].len,
                              .curl = h};
        int rc = up__http_do(&req, &rep);
        if (rc < 0) {
            j->rc = rc;
            j->reason = rc == UP_E_TLS ? "tls_failed" : "unreachable";
            gw_errbuf_set(&j->eb, rc, "%s", rep.err);
            up__http_reply_cleanup(&rep);
            break;
        }
        if (rep.status >= 200 && rep.status < 300) {
            j->done[j->ndone++] = j->msgs[i].row;
        } else if (rep.status == 413) {
            /* The cloud will never take it: drop it, counted as evicted. */
            j->done[j->ndone++] = j->msgs[i].row;
            j->ndropped++;
        } else {
            j->rc = up__http_classify(&rep, &j->reason, &j->eb);
            if (rep.status == 403 || rep.status == 429 || rep.status >= 500)
                j->reason = "refused";
            up__http_reply_cleanup(&rep);
            break;
        }
        up__http_reply_cleanup(&rep);
    }
    up__http_handle_free(h);
}

static void job_free(struct upload_job *j)
{
    for (int i = 0; i < j->n; i++)
        up__msg_cleanup(&j->msgs[i]);
    gw_free_secret_str(j->token);
    gw_free_secret_str(j->proxy_pw);
    free(j);
}

static void upload_after(uv_work_t *w, int status)
{
    struct up_ctx *u = (struct up_ctx *)(void *)((char *)w - offsetof(struct up_ctx, work));
    struct upload_job *j = w->data;
    u->job = NULL;
    if (j->ndone)
        up__queue_ack(u->env.db, j->done, j->ndone);
    if (j->ndropped)
        up__setting_set_int(u->env.db, UP_K_EVICTED,
                            up__setting_int(u->env.db, UP_K_EVICTED, 0) + j->ndropped);
    if (j->rc < 0) {
        link_state(u, j->reason ? j->reason : "unreachable", j->eb.msg);
        backoff_fail(u);
    } else {
        link_state(u, "ok", "");
        backoff_ok(u);
        /* A full batch means more may be waiting; so do messages queued while it ran (an
         * alert batch must not wait for the next scheduled round). */
        u->upload_wanted = u->upload_wanted || j->n == UPLOAD_BATCH;
    }
    job_free(j);
    maybe_stopped(u);
}

static void upload_start(struct up_ctx *u)
{
    char url[512] = "";
    struct upload_job *j;
    if (u->job || uv_now(u->env.loop) < u->next_attempt)
        return;
    j = gw_calloc(1, sizeof *j);
    up__queue_gap_flush(u->env.db, maxb(u));
    j->n = up__queue_peek(u->env.db, j->msgs, UPLOAD_BATCH, NULL, 0);
    if (j->n <= 0) {
        free(j);
        u->upload_wanted = false;
        return;
    }
    gw_setting_get(u->env.db, UP_K_URL, url, sizeof url);
    snprintf(j->url, sizeof j->url, "%s/v1/gateways/%s/messages", url, u->gwid);
    j->token = up_secret_get(u->env.db, u->env.vault, "token");
    if (!j->token) {
        link_state(u, "no_token", "no registration token in the vault");
        job_free(j);
        backoff_fail(u);
        return;
    }
    gw_strlcpy(j->ca, u->cfg.up_ca_file, sizeof j->ca);
    gw_strlcpy(j->proxy, u->cfg.up_proxy, sizeof j->proxy);
    gw_strlcpy(j->proxy_user, u->cfg.up_proxy_user, sizeof j->proxy_user);
    if (u->cfg.up_proxy_user[0])
        j->proxy_pw = up_secret_get(u->env.db, u->env.vault, "proxy_password");
    u->work.data = j;
    u->job = j;
    u->upload_wanted = false;
    if (uv_queue_work(u->env.loop, &u->work, upload_work, upload_after) < 0) {
        u->job = NULL;
        job_free(j);
        backoff_fail(u);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Producers: schedule and bus
 */

/* The daily "discovery" message: the discovery settings as "discover.list" gives them (targets,
 * excludes, credential names, schedule, last run). Never from an anonymized gateway: targets
 * are addresses and subnets, and the anonymizer would leave nothing worth sending. */
static void discovery_message(struct up_ctx *u)
{
    if (up_anon_is_on(u->env.db) || !u->env.ctl)
        return;
    json_t *req = json_pack("{s:s}", "cmd", "discover.list");
    static const struct gw_op_caller system = {GW_OP_SRC_SYSTEM, GW_ROLE_ADMIN, "system", "uplink"};
    json_t *r = u->env.ctl(req, &system, u->env.ctl_arg);
    json_decref(req);
    json_t *settings = json_object_get(r, "settings");
    if (json_is_true(json_object_get(r, "ok")) && json_array_size(settings) > 0) {
        json_t *body = json_pack("{s:O}", "settings", settings);
        up__queue_put(u->env.db, "discovery", UP_PRIO_DATA, body, maxb(u));
        json_decref(body);
    }
    json_decref(r);
}

/* The next slot of a schedule with period seconds, offset by a per-gateway spread. */
static int64_t next_slot(struct up_ctx *u, int64_t now, int64_t period, unsigned salt)
{
    unsigned h = 2166136261u;
    for (const char *p = u->gwid; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    h ^= salt;
    int64_t off = (int64_t)(h % (unsigned)period);
    return ((now - off) / period + 1) * period + off;
}

static int64_t period_counters(struct up_ctx *u)
{
    return u->cfg.up_force_interval_s > 0 ? u->cfg.up_force_interval_s
                                          : 86400 / u->cfg.up_counters_per_day;
}

static int64_t period_logs(struct up_ctx *u)
{
    return u->cfg.up_force_interval_s > 0 ? u->cfg.up_force_interval_s : 86400;
}

static void gateway_message(struct up_ctx *u)
{
    int64_t msgs, bytes;
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    up__queue_totals(u->env.db, &msgs, &bytes);
    json_t *body = json_pack(
        "{s:s, s:s, s:b, s:i, s:I, s:I, s:s}", "version", PACKAGE_VERSION, "mode",
        manage_mode(u->env.db) ? "manage" : "monitor", "anonymized", up_anon_is_on(u->env.db),
        "devices", gw_device_count(u->env.db), "outbox_messages", (json_int_t)msgs, "evicted_total",
        (json_int_t)up__setting_int(u->env.db, UP_K_EVICTED, 0), "hostname", host);
    up__queue_put(u->env.db, "gateway", UP_PRIO_EVENT, body, maxb(u));
    json_decref(body);
}

static void schedule_check(struct up_ctx *u, int64_t now)
{
    int64_t next = up__setting_int(u->env.db, UP_K_NEXT_CNT, 0);
    bool want = false;
    if (next == 0 || next - now > period_counters(u)) {
        /* First run, or the schedule got shorter: plan from now. */
        up__setting_set_int(u->env.db, UP_K_NEXT_CNT, next_slot(u, now, period_counters(u), 0));
    } else if (now >= next) {
        up__anon_cache_drop(); /* names learned since the last reload must be known */
        int n = up__collect_counters(u->env.db, next - period_counters(u), maxb(u));
        gw_log_info(UP, "counters batch queued messages=%d", n);
        up__setting_set_int(u->env.db, UP_K_NEXT_CNT, next_slot(u, now, period_counters(u), 0));
        want = true;
    }
    next = up__setting_int(u->env.db, UP_K_NEXT_LOGS, 0);
    if (next == 0 || next - now > period_logs(u)) {
        up__setting_set_int(u->env.db, UP_K_NEXT_LOGS,
                            next_slot(u, now, period_logs(u), 0x5a5a5a5a));
    } else if (now >= next) {
        up__anon_cache_drop();
        up__collect_logs(u->env.db, maxb(u));
        gateway_message(u);
        discovery_message(u);
        up__setting_set_int(u->env.db, UP_K_NEXT_LOGS,
                            next_slot(u, now, period_logs(u), 0x5a5a5a5a));
        want = true;
    }
    if (want)
        u->upload_wanted = true;
}

/* Closes the batch window: staged events become outbox messages and go up. */
static void stage_flush(struct up_ctx *u)
{
    int n = up__stage_flush(u->env.db, STAGE_BATCH, maxb(u));
    if (n > 0)
        gw_log_info(UP, "events batched messages=%d", n);
    u->staged = 0;
    u->flush_at = 0;
    u->upload_wanted = true;
}

static void on_bus(const char *kind, json_t *payload, void *arg)
{
    struct up_ctx *u = arg;
    json_int_t dev = json_integer_value(json_object_get(payload, "device_id"));
    json_t *body = NULL;
    const char *mkind = "device";
    if (!registered(u->env.db))
        return;
    if (strcmp(kind, "alert.new") == 0 || strcmp(kind, "alert.cleared") == 0) {
        struct gw_device d;
        mkind = "alert";
        body = json_pack("{s:I, s:s, s:O}", "dev", dev, "event",
                         strcmp(kind, "alert.new") == 0 ? "new" : "cleared", "alert",
                         json_object_get(payload, "alert"));
        if (gw_device_get(u->env.db, dev, &d) == 0)
            json_object_set_new(body, "serial", json_string(d.serial));
    } else if (strcmp(kind, "device.added") == 0) {
        up__anon_cache_drop();
        body = json_pack("{s:I, s:s, s:O}", "dev", dev, "event", "added", "address",
                         json_object_get(payload, "address"));
    } else if (strcmp(kind, "device.removed") == 0) {
        body = json_pack("{s:I, s:s}", "dev", dev, "event", "removed");
    } else if (strcmp(kind, "device.moved") == 0) {
        up__anon_cache_drop(); /* the new address must be known to the anonymizer */
        body = json_pack("{s:I, s:s, s:O, s:O}", "dev", dev, "event", "moved", "address",
                         json_object_get(payload, "address"), "previous_address",
                         json_object_get(payload, "from"));
    } else if (strcmp(kind, "device.state") == 0) {
        body = json_pack("{s:I, s:s, s:O, s:O}", "dev", dev, "event", "state", "state",
                         json_object_get(payload, "state"), "previous",
                         json_object_get(payload, "previous"));
    }
    if (!body)
        return;
    json_object_set_new(body, "ts", json_integer(gw_now()));
    /* Committed now (staged); batched with what else comes within alert_delay, so the first
     * poll of a large fleet gives a few messages, not one per device. */
    up__stage_put(u->env.db, mkind, body);
    json_decref(body);
    if (++u->staged >= STAGE_BATCH)
        stage_flush(u);
    else if (!u->flush_at)
        u->flush_at = uv_now(u->env.loop) + (uint64_t)u->cfg.up_alert_delay_s * 1000;
}

static void mode_expiry(struct up_ctx *u, int64_t now)
{
    int64_t until = up__setting_int(u->env.db, UP_K_UNTIL, 0);
    if (until && now >= until && manage_mode(u->env.db)) {
        gw_setting_set(u->env.db, UP_K_MODE, "monitor");
        gw_setting_set(u->env.db, UP_K_UNTIL, "");
        gw_audit_add(u->env.db, "system", "uplink", "uplink.mode", "ok", "monitor (expired)");
        gw_log_notice(UP, "manage mode expired, back to monitor mode");
    }
}

static void on_tick(uv_timer_t *t)
{
    struct up_ctx *u = t->data;
    int64_t now = gw_now();
    uint64_t ms = uv_now(u->env.loop);
    if (u->stopping)
        return;
    if (now - u->last_expire >= 60) {
        u->last_expire = now;
        up__queue_expire(u->env.db, u->cfg.up_outbox_max_age_s, now);
    }
    if (!registered(u->env.db)) {
        mqtt_drop(u);
        return;
    }
    gw_setting_get(u->env.db, UP_K_GWID, u->gwid, sizeof u->gwid);
    mode_expiry(u, now);
    schedule_check(u, now);
    if (u->flush_at && ms >= u->flush_at)
        stage_flush(u);
    if (manage_mode(u->env.db)) {
        mqtt_ensure(u);
        mqtt_pump(u);
    } else {
        mqtt_drop(u);
        /* Retries after a failure wait for the backoff, then send what is queued. */
        int64_t msgs, bytes;
        if (!u->upload_wanted && u->next_attempt && ms >= u->next_attempt) {
            up__queue_totals(u->env.db, &msgs, &bytes);
            u->upload_wanted = msgs > 0;
        }
        if (u->upload_wanted)
            upload_start(u);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Lifecycle
 */

int up_init(const struct up_env *env, struct up_ctx **out, struct gw_errbuf *eb)
{
    struct up_ctx *u;
    int rc;
    *out = NULL;
    rc = up__queue_migrate(env->db, eb);
    if (rc < 0)
        return rc;
    u = gw_calloc(1, sizeof *u);
    u->env = *env;
    u->cfg = *env->cfg;
    up__http_global_init();
    bool on = up_anon_is_on(env->db);
    if ((u->cfg.up_anonymize == GW_ANON_NO && on) || (u->cfg.up_anonymize == GW_ANON_YES && !on)) {
        gw_log_err(UP,
                   "[uplink] anonymize = %s refused: anonymization is chosen only at 'fleetgw "
                   "init --anonymize' and stays %s",
                   on ? "no" : "yes", on ? "on" : "off");
        gw_audit_add(env->db, "system", "config",
                     on ? "uplink.anonymize.off" : "uplink.anonymize.on", "refused",
                     "[uplink] anonymize in the configuration file");
    }
    u->inited = true;
    *out = u;
    return 0;
}

int up_start(struct up_ctx *u)
{
    GW_ASSERT(u->inited);
    uv_timer_init(u->env.loop, &u->tick);
    u->tick.data = u;
    u->tick_open = true;
    uv_timer_start(&u->tick, on_tick, 1000, 1000);
    u->bus_id = gw_bus_subscribe("", on_bus, u);
    u->started = true;
    gw_setting_get(u->env.db, UP_K_GWID, u->gwid, sizeof u->gwid);
    /* Events staged before a crash go out with the first batch. */
    if (up__stage_count(u->env.db) > 0)
        u->flush_at = uv_now(u->env.loop) + 1000;
    gw_log_info(UP, "uplink started registered=%s mode=%s anonymized=%s", u->gwid[0] ? "yes" : "no",
                manage_mode(u->env.db) ? "manage" : "monitor",
                up_anon_is_on(u->env.db) ? "yes" : "no");
    return 0;
}

int up_reload(struct up_ctx *u, const struct gw_cfg *cfg)
{
    int keep = u->cfg.up_keepalive_s, anon = u->cfg.up_anonymize;
    bool proxy_changed = strcmp(u->cfg.up_proxy, cfg->up_proxy) != 0 ||
                         strcmp(u->cfg.up_proxy_user, cfg->up_proxy_user) != 0;
    u->cfg = *cfg;
    /* The MQTT session and its proxy relay start again with the new proxy. */
    if (proxy_changed && u->started && !u->stopping)
        mqtt_drop(u);
    u->cfg.up_keepalive_s = keep; /* not reloadable */
    u->cfg.up_anonymize = anon;
    u->env.cfg = cfg;
    return 0;
}

static void tick_closed(uv_handle_t *h)
{
    struct up_ctx *u = h->data;
    u->tick_open = false;
    maybe_stopped(u);
}

void up_stop(struct up_ctx *u, up_stopped_cb cb, void *arg)
{
    if (!u) {
        if (cb)
            cb(arg);
        return;
    }
    GW_ASSERT(!u->stopping);
    u->stopping = true;
    u->stop_cb = cb;
    u->stop_arg = arg;
    if (u->bus_id > 0)
        gw_bus_unsubscribe(u->bus_id);
    u->bus_id = 0;
    mqtt_drop(u);
    up__anon_cache_drop();
    if (u->tick_open) {
        uv_timer_stop(&u->tick);
        uv_close((uv_handle_t *)&u->tick, tick_closed);
        return;
    }
    maybe_stopped(u);
}

/* ---------------------------------------------------------------------------------------------
 * Status and control
 */

/* Returns: true when the running uplink u (NULL in the CLI) works on db. */
static bool running_on(struct up_ctx *u, struct gw_db *db)
{
    return u && u->started && !u->stopping && db == u->env.db;
}

void up_status(struct up_ctx *u, struct gw_db *db, json_t *status)
{
    char v[600], ts[21];
    int64_t msgs = 0, bytes = 0, last;
    bool reg = registered(db);
    up__queue_totals(db, &msgs, &bytes);
    last = up__setting_int(db, UP_K_LAST, 0);
    json_object_set_new(status, "mode", json_string(manage_mode(db) ? "manage" : "monitor"));
    json_object_set_new(status, "registered", json_boolean(reg));
    json_object_set_new(status, "connected",
                        json_boolean(running_on(u, db) && up__mqtt_is_connected(u->mqtt)));
    json_object_set_new(status, "outbox_messages", json_integer(msgs));
    json_object_set_new(status, "outbox_bytes", json_integer(bytes));
    json_object_set_new(status, "last_upload",
                        last ? json_string(gw_time_iso(last, ts)) : json_null());
    json_object_set_new(status, "evicted_total",
                        json_integer(up__setting_int(db, UP_K_EVICTED, 0)));
    json_t *o = json_object();
    json_object_set_new(o, "anonymized", json_boolean(up_anon_is_on(db)));
    if (gw_setting_get(db, UP_K_GWID, v, sizeof v) == 0 && v[0])
        json_object_set_new(o, "gateway_id", json_string(v));
    if (gw_setting_get(db, UP_K_STATUS, v, sizeof v) == 0 && v[0])
        json_object_set_new(o, "registration", json_string(v));
    if (gw_setting_get(db, UP_K_LINK, v, sizeof v) == 0 && v[0])
        json_object_set_new(o, "link", json_string(v));
    int64_t until = up__setting_int(db, UP_K_UNTIL, 0);
    if (until)
        json_object_set_new(o, "manage_until", json_string(gw_time_iso(until, ts)));
    json_t *eps = json_array();
    if (gw_setting_get(db, UP_K_URL, v, sizeof v) == 0 && v[0])
        json_array_append_new(eps, json_string(v));
    {
        char list[1200] = "";
        struct up_endpoint ep[UP_ENDPOINTS_MAX];
        gw_setting_get(db, UP_K_BROKER, list, sizeof list);
        int n = up__broker_list_parse(list, ep, UP_ENDPOINTS_MAX);
        for (int i = 0; i < n; i++) {
            snprintf(v, sizeof v, "%.255s:%d", ep[i].host, ep[i].port);
            json_array_append_new(eps, json_string(v));
        }
    }
    json_object_set_new(o, "endpoints", eps);
    if (running_on(u, db) && up__mqtt_is_connected(u->mqtt))
        json_object_set_new(o, "broker", json_string(u->ep_in_use));
    json_object_set_new(status, "uplink", o);
}

static const char *jstr(json_t *o, const char *k)
{
    return gw_json_str(o, k, "");
}

/* The uplink's tables exist before any of its operations runs, also in the CLI. */
static json_t *migrated(struct gw_db *db)
{
    int rc = up__queue_migrate(db, NULL);
    return rc < 0 ? gw_reply_err(rc, "cannot create the uplink's tables") : NULL;
}

static json_t *op_register(struct gw_op_ctx *ctx, json_t *req)
{
    struct up_ctx *u = ctx->mod;
    struct gw_db *db = ctx->db;
    char detail[300];
    json_t *r = migrated(db);
    if (r)
        return r;
    const char *result = jstr(req, "result");
    if (strcmp(result, "ok") != 0) {
        snprintf(detail, sizeof detail, "url=%.150s reason=%s: %.100s", jstr(req, "url"),
                 jstr(req, "reason"), jstr(req, "message"));
        gw_op_audit(ctx, "failed", "%s", detail);
        return gw_reply_ok();
    }
    const char *gid = jstr(req, "gateway_id");
    const char *token = jstr(req, "token");
    if (!*gid || strlen(gid) > 64 ||
        strspn(gid, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    "0123456789_-") != strlen(gid) ||
        strlen(token) < 8)
        return gw_reply_err(GW_E_INVAL, "registration reply lacks a valid gateway id or token");
    if (strlen(jstr(req, "proxy_password")) > UP_PROXY_PW_MAX) {
        snprintf(detail, sizeof detail,
                 "the proxy password is longer than the limit of %d bytes, not stored",
                 UP_PROXY_PW_MAX);
        return gw_reply_err(GW_E_INVAL, detail);
    }
    int rc = gw_db_begin(db);
    if (rc == 0)
        rc = up__secret_set(db, ctx->vault, "token", token);
    if (rc == 0 && *jstr(req, "proxy_password"))
        rc = up__secret_set(db, ctx->vault, "proxy_password", jstr(req, "proxy_password"));
    if (rc == 0)
        rc = gw_setting_set(db, UP_K_GWID, gid);
    if (rc == 0)
        rc = gw_setting_set(db, UP_K_URL, jstr(req, "url"));
    if (rc == 0)
        rc = gw_setting_set(db, UP_K_STATUS, jstr(req, "status"));
    if (rc == 0)
        rc = gw_setting_set(db, UP_K_BROKER, jstr(req, "broker"));
    if (rc == 0)
        rc = gw_setting_set(db, "up.ca_pem", jstr(req, "ca_pem"));
    if (rc == 0)
        rc = gw_setting_set(db, UP_K_LINK, "ok");
    if (rc == 0)
        rc = gw_db_commit(db);
    else
        gw_db_rollback(db);
    snprintf(detail, sizeof detail, "url=%.150s gateway=%s status=%s", jstr(req, "url"), gid,
             jstr(req, "status"));
    gw_op_audit(ctx, rc ? "failed" : "ok", "%s", detail);
    if (rc)
        return gw_reply_err(rc, "cannot store the registration");
    if (running_on(u, db)) {
        mqtt_drop(u);
        backoff_ok(u);
        gw_strlcpy(u->gwid, gid, sizeof u->gwid);
    }
    return gw_reply_ok();
}

static json_t *op_unregister(struct gw_op_ctx *ctx, json_t *req)
{
    static const char *const keys[] = {UP_K_GWID,   UP_K_URL,  UP_K_STATUS, UP_K_BROKER,
                                       "up.ca_pem", UP_K_LINK, UP_K_MODE,   UP_K_UNTIL};
    struct up_ctx *u = ctx->mod;
    struct gw_db *db = ctx->db;
    json_t *r = migrated(db);
    if (r)
        return r;
    int rc = up__secret_set(db, ctx->vault, "token", NULL);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && rc == 0; i++)
        rc = gw_setting_set(db, keys[i], "");
    gw_op_audit(ctx, rc ? "failed" : "ok", NULL);
    if (running_on(u, db)) {
        mqtt_drop(u);
        u->gwid[0] = '\0';
    }
    return rc ? gw_reply_err(rc, "cannot remove the registration") : gw_reply_ok();
}

static json_t *op_mode(struct gw_op_ctx *ctx, json_t *req)
{
    struct up_ctx *u = ctx->mod;
    struct gw_db *db = ctx->db;
    const char *mode = jstr(req, "mode");
    json_int_t until = json_integer_value(json_object_get(req, "until"));
    char ts[21];
    json_t *r = migrated(db);
    if (r)
        return r;
    if (strcmp(mode, "manage") != 0 && strcmp(mode, "monitor") != 0)
        return gw_reply_err(GW_E_INVAL, "mode: must be manage or monitor");
    if (strcmp(mode, "manage") == 0 && until && until <= gw_now())
        return gw_reply_err(GW_E_INVAL, "until: must be in the future");
    int rc = gw_setting_set(db, UP_K_MODE, mode);
    if (rc == 0)
        rc = strcmp(mode, "manage") == 0 && until ? up__setting_set_int(db, UP_K_UNTIL, until)
                                                  : gw_setting_set(db, UP_K_UNTIL, "");
    gw_op_audit(ctx, rc ? "failed" : "ok", "%s%s%s", mode, until ? " until " : "",
                until ? gw_time_iso(until, ts) : "");
    if (rc)
        return gw_reply_err(rc, "cannot store the mode");
    if (running_on(u, db))
        backoff_ok(u);
    return json_pack("{s:b, s:s, s:b}", "ok", 1, "mode", mode, "registered", registered(db));
}

static json_t *op_status(struct gw_op_ctx *ctx, json_t *req)
{
    json_t *r = migrated(ctx->db);
    if (r)
        return r;
    r = gw_reply_ok();
    up_status(ctx->mod, ctx->db, r);
    return r;
}

/* Anonymization is chosen at init and never changes: every request to change it, from the CLI
 * or the web UI, is refused and leaves a trace. */
static json_t *op_anonymize(struct gw_op_ctx *ctx, json_t *req)
{
    bool on = json_is_true(json_object_get(req, "on"));
    json_t *r = migrated(ctx->db);
    if (r)
        return r;
    gw_op_audit_as(ctx, on ? "uplink.anonymize.on" : "uplink.anonymize.off", "refused",
                   "anonymization is chosen only at fleetgw init");
    return gw_reply_err(UP_E_ANON, on ? "anonymization can only be chosen at 'fleetgw init "
                                        "--anonymize'"
                                      : "anonymization cannot be switched off");
}

static const struct gw_op_arg register_args[] = {
    {"result", GW_OP_T_STRING, GW_OP_REQUIRED, 0, 0},
    {"url", GW_OP_T_STRING, 0, 0, 0},
    {"reason", GW_OP_T_STRING, 0, 0, 0},
    {"message", GW_OP_T_STRING, 0, 0, 0},
    {"gateway_id", GW_OP_T_STRING, 0, 0, 0},
    {"token", GW_OP_T_STRING, GW_OP_SECRET, 0, 0},
    {"status", GW_OP_T_STRING, 0, 0, 0},
    {"broker", GW_OP_T_STRING, 0, 0, 0},
    {"ca_pem", GW_OP_T_STRING, 0, 0, 0},
    {"proxy_password", GW_OP_T_STRING, GW_OP_SECRET, 0, 0},
};
static const struct gw_op_arg mode_args[] = {
    {"mode", GW_OP_T_STRING, GW_OP_REQUIRED, 0, 0},
    {"until", GW_OP_T_INT, 0, 0, 0},
};
static const struct gw_op_arg anonymize_args[] = {
    {"on", GW_OP_T_BOOL, GW_OP_REQUIRED, 0, 0},
};

#define NARGS(a) (sizeof(a) / sizeof((a)[0]))

/* clang-format off */
const struct gw_op up_ops[] = {
    /* The outcome of `fleetgw register` (the exchange itself is the CLI's, never the loop's). */
    {"uplink.register", register_args, NARGS(register_args), GW_OP_GATEWAY, "uplink.register",
     GW_ROLE_ADMIN, op_register},
    {"uplink.unregister", NULL, 0, GW_OP_GATEWAY, "uplink.unregister", GW_ROLE_ADMIN,
     op_unregister},
    {"uplink.mode", mode_args, NARGS(mode_args), GW_OP_GATEWAY, "uplink.mode", GW_ROLE_ADMIN,
     op_mode},
    {"uplink.status", NULL, 0, GW_OP_READ, NULL, GW_ROLE_VIEWER, op_status},
    {"uplink.anonymize", anonymize_args, NARGS(anonymize_args), GW_OP_GATEWAY,
     "uplink.anonymize", GW_ROLE_ADMIN, op_anonymize},
};
/* clang-format on */
const size_t up_n_ops = NARGS(up_ops);
