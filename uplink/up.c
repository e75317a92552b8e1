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

static struct {
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
    void (*stop_cb)(void *arg);
    void *stop_arg;
} U;

static int64_t maxb(void)
{
    return U.cfg.up_outbox_max_bytes;
}

bool up_anon_is_on(struct gw_db *db)
{
    char v[8] = "";
    return gw_setting_get(db, UP_K_ANON, v, sizeof v) == 0 && strcmp(v, "1") == 0;
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
static void link_state(const char *state, const char *detail)
{
    char prev[32] = "";
    gw_setting_get(U.env.db, UP_K_LINK, prev, sizeof prev);
    if (strcmp(prev, state) == 0)
        return;
    gw_setting_set(U.env.db, UP_K_LINK, state);
    if (strcmp(state, "ok") == 0) {
        gw_log_notice(UP, "cloud link ok");
        gw_event_add(U.env.db, 0, "uplink.link_ok", NULL, gw_now());
        return;
    }
    gw_log_err(UP, "cloud link problem state=%s: %s", state, detail);
    gw_event_add(U.env.db, 0, "uplink.link_failed", state, gw_now());
    char action[48];
    snprintf(action, sizeof action, "uplink.%s", state);
    gw_audit_add(U.env.db, "system", "uplink", action, "failed", detail);
}

static void backoff_fail(void)
{
    unsigned r = 0;
    U.backoff_s = U.backoff_s ? U.backoff_s * 2 : 1;
    if (U.backoff_s > U.cfg.up_backoff_max_s)
        U.backoff_s = U.cfg.up_backoff_max_s;
    RAND_bytes((unsigned char *)&r, sizeof r);
    /* Equal jitter: half fixed, half random, so a cloud outage does not end in a stampede of
     * gateways reconnecting in the same second. */
    uint64_t ms = (uint64_t)U.backoff_s * 500 + r % ((uint64_t)U.backoff_s * 500 + 1);
    U.next_attempt = uv_now(U.env.loop) + ms;
}

static void backoff_ok(void)
{
    U.backoff_s = 0;
    U.next_attempt = 0;
}

/* ---------------------------------------------------------------------------------------------
 * Manage mode: MQTT
 */

static void topic_for(char *buf, size_t len, const char *kind)
{
    snprintf(buf, len, "fleetgw/v1/%s/up/%s", U.gwid, kind);
}

static void mqtt_pump(void)
{
    struct up_msg msgs[64];
    int64_t skip[INFLIGHT_MAX];
    if (!up__mqtt_is_connected(U.mqtt))
        return;
    while (U.ninflight < U.cfg.up_max_in_flight && U.ninflight < INFLIGHT_MAX) {
        int want = U.cfg.up_max_in_flight - U.ninflight;
        if (want > 64)
            want = 64;
        for (int i = 0; i < U.ninflight; i++)
            skip[i] = U.inflight[i].row;
        int n = up__queue_peek(U.env.db, msgs, want, skip, U.ninflight);
        if (n <= 0)
            return;
        for (int i = 0; i < n; i++) {
            char topic[160];
            topic_for(topic, sizeof topic, msgs[i].kind);
            int mid = up__mqtt_publish(U.mqtt, topic, msgs[i].data, msgs[i].len, false);
            if (mid > 0) {
                U.inflight[U.ninflight].mid = mid;
                U.inflight[U.ninflight].row = msgs[i].row;
                U.ninflight++;
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
    char topic[160];
    static const char online[] = "{\"v\":1,\"state\":\"online\"}";
    gw_log_notice(UP, "mqtt connected gateway=%s broker=%s", U.gwid, U.ep_in_use);
    U.session_up = true;
    U.ep_failed = 0;
    backoff_ok();
    link_state("ok", "");
    U.ninflight = 0;
    snprintf(topic, sizeof topic, "fleetgw/v1/%s/state", U.gwid);
    up__mqtt_publish(U.mqtt, topic, online, strlen(online), true);
    snprintf(topic, sizeof topic, "fleetgw/v1/%s/down", U.gwid);
    up__mqtt_subscribe(U.mqtt, topic);
    up__queue_gap_flush(U.env.db, maxb());
    mqtt_pump();
}

static void on_mqtt_disconnected(void *arg, int rc, const char *why)
{
    gw_log_warn(UP, "mqtt disconnected gateway=%s: %s", U.gwid, why);
    U.ninflight = 0;
    if (U.proxy_failed)
        ; /* the relay already said why */
    else if (rc == UP_E_BROKER)
        link_state("broker_refused", why);
    else
        link_state("unreachable", why);
    U.proxy_failed = false;
    if (!U.session_up && U.nendpoints > 1) {
        /* This endpoint did not work (port 443 blocked, no ALPN front): try the next one at
         * once; the backoff starts when every endpoint failed. */
        U.ep_idx = (U.ep_idx + 1) % U.nendpoints;
        if (++U.ep_failed < U.nendpoints) {
            gw_log_notice(UP, "mqtt trying the next broker endpoint (%d of %d)", U.ep_idx + 1,
                          U.nendpoints);
            U.next_attempt = uv_now(U.env.loop) + 200;
            return;
        }
        U.ep_failed = 0;
    }
    U.session_up = false;
    backoff_fail();
}

static void on_mqtt_acked(void *arg, int mid, bool ok)
{
    for (int i = 0; i < U.ninflight; i++) {
        if (U.inflight[i].mid != mid)
            continue;
        int64_t row = U.inflight[i].row;
        U.inflight[i] = U.inflight[--U.ninflight];
        if (ok)
            up__queue_ack(U.env.db, &row, 1);
        else
            gw_log_warn(UP, "broker refused a message row=%lld; kept for retry", (long long)row);
        break;
    }
    mqtt_pump();
}

static void on_mqtt_message(void *arg, const char *topic, const void *payload, size_t len)
{
    char expect[160];
    snprintf(expect, sizeof expect, "fleetgw/v1/%s/down", U.gwid);
    if (strcmp(topic, expect) != 0) {
        gw_audit_add(U.env.db, "cloud", "uplink", "task.rejected", "refused",
                     "message on an unexpected topic");
        return;
    }
    up__tasks_handle(U.env.db, U.gwid, payload, len, maxb());
    mqtt_pump();
}

static void maybe_stopped(void)
{
    if (U.stopping && !U.tick_open && !U.job && !U.mqtt_closing && !U.relay_closing && U.stop_cb) {
        void (*cb)(void *) = U.stop_cb;
        U.stop_cb = NULL;
        cb(U.stop_arg);
    }
}

static void mqtt_closed(void *arg)
{
    U.mqtt_closing = false;
    maybe_stopped();
}

static void relay_closed(void *arg)
{
    U.relay_closing--;
    maybe_stopped();
}

static void mqtt_drop(void)
{
    /* The session first: its goodbye (the "offline" state a 3.1.1 session publishes itself,
     * then DISCONNECT) is written into the relay, which passes it on before it closes. */
    if (U.mqtt) {
        U.mqtt_closing = true;
        up__mqtt_close(U.mqtt, mqtt_closed, NULL);
        U.mqtt = NULL;
        U.ninflight = 0;
    }
    if (U.relay) {
        U.relay_closing++;
        up__relay_close(U.relay, relay_closed, NULL);
        U.relay = NULL;
    }
}

/* The relay could not open a tunnel through the proxy: that is the reason the coming
 * disconnect reports, in the log and (once per change) the audit log. */
static void on_relay_fail(void *arg, const char *state, const char *why)
{
    U.proxy_failed = true;
    link_state(state, why);
}

/* Starts the loopback relay when [uplink] proxy is set. Returns: 0 or < 0 (link state set). */
static int relay_ensure(struct up_mqtt_params *p)
{
    struct gw_errbuf eb = {""};
    const char *user, *pw;
    if (!U.cfg.up_proxy[0])
        return 0;
    if (!U.relay) {
        char *ppw =
            U.cfg.up_proxy_user[0] ? up_secret_get(U.env.db, U.env.vault, "proxy_password") : NULL;
        int rc = up__relay_start(U.env.loop, U.cfg.up_proxy, U.cfg.up_proxy_user, ppw,
                                 on_relay_fail, NULL, &U.relay, &eb);
        if (ppw)
            gw_free_secret_str(ppw);
        if (rc < 0) {
            link_state(rc == GW_E_INVAL ? "proxy_bad_config" : "proxy_unreachable", eb.msg);
            return rc;
        }
    }
    up__relay_socks(U.relay, &p->socks_port, &user, &pw);
    gw_strlcpy(p->socks_user, user, sizeof p->socks_user);
    gw_strlcpy(p->socks_pw, pw, sizeof p->socks_pw);
    return 0;
}

/* The broker endpoints from the registration, in preference order (443 with ALPN first when
 * the cloud offers it). Returns: the count, 0 when there are none (link state set). */
static int endpoints(struct up_endpoint *ep)
{
    char list[1200] = "";
    gw_setting_get(U.env.db, UP_K_BROKER, list, sizeof list);
    int n = up__broker_list_parse(list, ep, UP_ENDPOINTS_MAX);
    if (n == 0)
        link_state("no_broker", "the registration named no MQTT broker");
    return n;
}

/* Points the (idle) session at endpoint U.ep_idx. */
static bool endpoint_select(struct up_mqtt_params *p)
{
    struct up_endpoint ep[UP_ENDPOINTS_MAX];
    int n = endpoints(ep);
    if (n == 0)
        return false;
    if (U.ep_idx >= n)
        U.ep_idx = 0;
    U.nendpoints = n;
    snprintf(U.ep_in_use, sizeof U.ep_in_use, "%.255s:%d%s%.31s", ep[U.ep_idx].host,
             ep[U.ep_idx].port, ep[U.ep_idx].alpn[0] ? "/" : "", ep[U.ep_idx].alpn);
    if (p) {
        gw_strlcpy(p->host, ep[U.ep_idx].host, sizeof p->host);
        p->port = ep[U.ep_idx].port;
        gw_strlcpy(p->alpn, ep[U.ep_idx].alpn, sizeof p->alpn);
    } else {
        up__mqtt_set_endpoint(U.mqtt, ep[U.ep_idx].host, ep[U.ep_idx].port, ep[U.ep_idx].alpn);
    }
    return true;
}

static void mqtt_ensure(void)
{
    char ca[1100] = "";
    struct up_mqtt_params p;
    struct up_mqtt_cbs cbs = {on_mqtt_connected, on_mqtt_disconnected, on_mqtt_acked,
                              on_mqtt_message, NULL};
    if (U.mqtt || U.mqtt_closing) {
        if (U.mqtt && !up__mqtt_is_connected(U.mqtt) && uv_now(U.env.loop) >= U.next_attempt) {
            if (!endpoint_select(NULL)) {
                backoff_fail();
                return;
            }
            int rc = up__mqtt_connect(U.mqtt);
            if (rc == 0)
                U.next_attempt = uv_now(U.env.loop) + 3600 * 1000; /* until the callback */
        }
        return;
    }
    if (uv_now(U.env.loop) < U.next_attempt)
        return;
    memset(&p, 0, sizeof p);
    if (!endpoint_select(&p)) {
        backoff_fail();
        return;
    }
    gw_strlcpy(p.client_id, U.gwid, sizeof p.client_id);
    p.password = up_secret_get(U.env.db, U.env.vault, "token");
    if (!p.password) {
        link_state("no_token", "no registration token in the vault");
        backoff_fail();
        return;
    }
    /* The broker CA from the registration, written where libmosquitto can read it. */
    {
        char pem[16384] = "";
        if (gw_setting_get(U.env.db, "up.ca_pem", pem, sizeof pem) == 0 && pem[0]) {
            snprintf(ca, sizeof ca, "%s/uplink-ca.pem", U.cfg.state_dir);
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
    snprintf(p.will_topic, sizeof p.will_topic, "fleetgw/v1/%s/state", U.gwid);
    p.keepalive = U.cfg.up_keepalive_s;
    if (relay_ensure(&p) < 0) {
        gw_free_secret_str(p.password);
        backoff_fail();
        return;
    }
    up__mqtt_new(U.env.loop, &p, &cbs, &U.mqtt);
    if (up__mqtt_connect(U.mqtt) == 0)
        U.next_attempt = uv_now(U.env.loop) + 3600 * 1000;
    else
        backoff_fail();
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
    struct upload_job *j = w->data;
    U.job = NULL;
    if (j->ndone)
        up__queue_ack(U.env.db, j->done, j->ndone);
    if (j->ndropped)
        up__setting_set_int(U.env.db, UP_K_EVICTED,
                            up__setting_int(U.env.db, UP_K_EVICTED, 0) + j->ndropped);
    if (j->rc < 0) {
        link_state(j->reason ? j->reason : "unreachable", j->eb.msg);
        backoff_fail();
    } else {
        link_state("ok", "");
        backoff_ok();
        /* A full batch means more may be waiting; so do messages queued while it ran (an
         * alert batch must not wait for the next scheduled round). */
        U.upload_wanted = U.upload_wanted || j->n == UPLOAD_BATCH;
    }
    job_free(j);
    maybe_stopped();
}

static void upload_start(void)
{
    char url[512] = "";
    struct upload_job *j;
    if (U.job || uv_now(U.env.loop) < U.next_attempt)
        return;
    j = gw_calloc(1, sizeof *j);
    up__queue_gap_flush(U.env.db, maxb());
    j->n = up__queue_peek(U.env.db, j->msgs, UPLOAD_BATCH, NULL, 0);
    if (j->n <= 0) {
        free(j);
        U.upload_wanted = false;
        return;
    }
    gw_setting_get(U.env.db, UP_K_URL, url, sizeof url);
    snprintf(j->url, sizeof j->url, "%s/v1/gateways/%s/messages", url, U.gwid);
    j->token = up_secret_get(U.env.db, U.env.vault, "token");
    if (!j->token) {
        link_state("no_token", "no registration token in the vault");
        job_free(j);
        backoff_fail();
        return;
    }
    gw_strlcpy(j->ca, U.cfg.up_ca_file, sizeof j->ca);
    gw_strlcpy(j->proxy, U.cfg.up_proxy, sizeof j->proxy);
    gw_strlcpy(j->proxy_user, U.cfg.up_proxy_user, sizeof j->proxy_user);
    if (U.cfg.up_proxy_user[0])
        j->proxy_pw = up_secret_get(U.env.db, U.env.vault, "proxy_password");
    U.work.data = j;
    U.job = j;
    U.upload_wanted = false;
    if (uv_queue_work(U.env.loop, &U.work, upload_work, upload_after) < 0) {
        U.job = NULL;
        job_free(j);
        backoff_fail();
    }
}

/* ---------------------------------------------------------------------------------------------
 * Producers: schedule and bus
 */

/* The daily "discovery" message: the discovery settings as "discover.list" gives them (targets,
 * excludes, credential names, schedule, last run). Never from an anonymized gateway: targets
 * are addresses and subnets, and the anonymizer would leave nothing worth sending. */
static void discovery_message(void)
{
    if (up_anon_is_on(U.env.db) || !U.env.ctl)
        return;
    json_t *req = json_pack("{s:s}", "cmd", "discover.list");
    static const struct gw_op_caller system = {GW_OP_SRC_SYSTEM, GW_ROLE_ADMIN, "system", "uplink"};
    json_t *r = U.env.ctl(req, &system, U.env.ctl_arg);
    json_decref(req);
    json_t *settings = json_object_get(r, "settings");
    if (json_is_true(json_object_get(r, "ok")) && json_array_size(settings) > 0) {
        json_t *body = json_pack("{s:O}", "settings", settings);
        up__queue_put(U.env.db, "discovery", UP_PRIO_DATA, body, maxb());
        json_decref(body);
    }
    json_decref(r);
}

/* The next slot of a schedule with period seconds, offset by a per-gateway spread. */
static int64_t next_slot(int64_t now, int64_t period, unsigned salt)
{
    unsigned h = 2166136261u;
    for (const char *p = U.gwid; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    h ^= salt;
    int64_t off = (int64_t)(h % (unsigned)period);
    return ((now - off) / period + 1) * period + off;
}

static int64_t period_counters(void)
{
    return U.cfg.up_force_interval_s > 0 ? U.cfg.up_force_interval_s
                                         : 86400 / U.cfg.up_counters_per_day;
}

static int64_t period_logs(void)
{
    return U.cfg.up_force_interval_s > 0 ? U.cfg.up_force_interval_s : 86400;
}

static void gateway_message(void)
{
    int64_t msgs, bytes;
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    up__queue_totals(U.env.db, &msgs, &bytes);
    json_t *body = json_pack(
        "{s:s, s:s, s:b, s:i, s:I, s:I, s:s}", "version", PACKAGE_VERSION, "mode",
        manage_mode(U.env.db) ? "manage" : "monitor", "anonymized", up_anon_is_on(U.env.db),
        "devices", gw_device_count(U.env.db), "outbox_messages", (json_int_t)msgs, "evicted_total",
        (json_int_t)up__setting_int(U.env.db, UP_K_EVICTED, 0), "hostname", host);
    up__queue_put(U.env.db, "gateway", UP_PRIO_EVENT, body, maxb());
    json_decref(body);
}

static void schedule_check(int64_t now)
{
    int64_t next = up__setting_int(U.env.db, UP_K_NEXT_CNT, 0);
    bool want = false;
    if (next == 0 || next - now > period_counters()) {
        /* First run, or the schedule got shorter: plan from now. */
        up__setting_set_int(U.env.db, UP_K_NEXT_CNT, next_slot(now, period_counters(), 0));
    } else if (now >= next) {
        up__anon_cache_drop(); /* names learned since the last reload must be known */
        int n = up__collect_counters(U.env.db, next - period_counters(), maxb());
        gw_log_info(UP, "counters batch queued messages=%d", n);
        up__setting_set_int(U.env.db, UP_K_NEXT_CNT, next_slot(now, period_counters(), 0));
        want = true;
    }
    next = up__setting_int(U.env.db, UP_K_NEXT_LOGS, 0);
    if (next == 0 || next - now > period_logs()) {
        up__setting_set_int(U.env.db, UP_K_NEXT_LOGS, next_slot(now, period_logs(), 0x5a5a5a5a));
    } else if (now >= next) {
        up__anon_cache_drop();
        up__collect_logs(U.env.db, maxb());
        gateway_message();
        discovery_message();
        up__setting_set_int(U.env.db, UP_K_NEXT_LOGS, next_slot(now, period_logs(), 0x5a5a5a5a));
        want = true;
    }
    if (want)
        U.upload_wanted = true;
}

/* Closes the batch window: staged events become outbox messages and go up. */
static void stage_flush(void)
{
    int n = up__stage_flush(U.env.db, STAGE_BATCH, maxb());
    if (n > 0)
        gw_log_info(UP, "events batched messages=%d", n);
    U.staged = 0;
    U.flush_at = 0;
    U.upload_wanted = true;
}

static void on_bus(const char *kind, json_t *payload, void *arg)
{
    json_int_t dev = json_integer_value(json_object_get(payload, "device_id"));
    json_t *body = NULL;
    const char *mkind = "device";
    if (!registered(U.env.db))
        return;
    if (strcmp(kind, "alert.new") == 0 || strcmp(kind, "alert.cleared") == 0) {
        struct gw_device d;
        mkind = "alert";
        body = json_pack("{s:I, s:s, s:O}", "dev", dev, "event",
                         strcmp(kind, "alert.new") == 0 ? "new" : "cleared", "alert",
                         json_object_get(payload, "alert"));
        if (gw_device_get(U.env.db, dev, &d) == 0)
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
    up__stage_put(U.env.db, mkind, body);
    json_decref(body);
    if (++U.staged >= STAGE_BATCH)
        stage_flush();
    else if (!U.flush_at)
        U.flush_at = uv_now(U.env.loop) + (uint64_t)U.cfg.up_alert_delay_s * 1000;
}

static void mode_expiry(int64_t now)
{
    int64_t until = up__setting_int(U.env.db, UP_K_UNTIL, 0);
    if (until && now >= until && manage_mode(U.env.db)) {
        gw_setting_set(U.env.db, UP_K_MODE, "monitor");
        gw_setting_set(U.env.db, UP_K_UNTIL, "");
        gw_audit_add(U.env.db, "system", "uplink", "uplink.mode", "ok", "monitor (expired)");
        gw_log_notice(UP, "manage mode expired, back to monitor mode");
    }
}

static void on_tick(uv_timer_t *t)
{
    int64_t now = gw_now();
    uint64_t ms = uv_now(U.env.loop);
    if (U.stopping)
        return;
    if (now - U.last_expire >= 60) {
        U.last_expire = now;
        up__queue_expire(U.env.db, U.cfg.up_outbox_max_age_s, now);
    }
    if (!registered(U.env.db)) {
        mqtt_drop();
        return;
    }
    gw_setting_get(U.env.db, UP_K_GWID, U.gwid, sizeof U.gwid);
    mode_expiry(now);
    schedule_check(now);
    if (U.flush_at && ms >= U.flush_at)
        stage_flush();
    if (manage_mode(U.env.db)) {
        mqtt_ensure();
        mqtt_pump();
    } else {
        mqtt_drop();
        /* Retries after a failure wait for the backoff, then send what is queued. */
        int64_t msgs, bytes;
        if (!U.upload_wanted && U.next_attempt && ms >= U.next_attempt) {
            up__queue_totals(U.env.db, &msgs, &bytes);
            U.upload_wanted = msgs > 0;
        }
        if (U.upload_wanted)
            upload_start();
    }
}

/* ---------------------------------------------------------------------------------------------
 * Lifecycle
 */

int up_init(const struct up_env *env, struct gw_errbuf *eb)
{
    int rc;
    U.env = *env;
    U.cfg = *env->cfg;
    rc = up__queue_migrate(env->db, eb);
    if (rc < 0)
        return rc;
    up__http_global_init();
    bool on = up_anon_is_on(env->db);
    if ((U.cfg.up_anonymize == GW_ANON_NO && on) || (U.cfg.up_anonymize == GW_ANON_YES && !on)) {
        gw_log_err(UP,
                   "[uplink] anonymize = %s refused: anonymization is chosen only at 'fleetgw "
                   "init --anonymize' and stays %s",
                   on ? "no" : "yes", on ? "on" : "off");
        gw_audit_add(env->db, "system", "config",
                     on ? "uplink.anonymize.off" : "uplink.anonymize.on", "refused",
                     "[uplink] anonymize in the configuration file");
    }
    U.inited = true;
    return 0;
}

int up_start(void)
{
    GW_ASSERT(U.inited);
    uv_timer_init(U.env.loop, &U.tick);
    U.tick_open = true;
    uv_timer_start(&U.tick, on_tick, 1000, 1000);
    U.bus_id = gw_bus_subscribe("", on_bus, NULL);
    U.started = true;
    gw_setting_get(U.env.db, UP_K_GWID, U.gwid, sizeof U.gwid);
    /* Events staged before a crash go out with the first batch. */
    if (up__stage_count(U.env.db) > 0)
        U.flush_at = uv_now(U.env.loop) + 1000;
    gw_log_info(UP, "uplink started registered=%s mode=%s anonymized=%s", U.gwid[0] ? "yes" : "no",
                manage_mode(U.env.db) ? "manage" : "monitor",
                up_anon_is_on(U.env.db) ? "yes" : "no");
    return 0;
}

int up_reload(const struct gw_cfg *cfg)
{
    int keep = U.cfg.up_keepalive_s, anon = U.cfg.up_anonymize;
    bool proxy_changed = strcmp(U.cfg.up_proxy, cfg->up_proxy) != 0 ||
                         strcmp(U.cfg.up_proxy_user, cfg->up_proxy_user) != 0;
    U.cfg = *cfg;
    /* The MQTT session and its proxy relay start again with the new proxy. */
    if (proxy_changed && U.started && !U.stopping)
        mqtt_drop();
    U.cfg.up_keepalive_s = keep; /* not reloadable */
    U.cfg.up_anonymize = anon;
    U.env.cfg = cfg;
    return 0;
}

static void tick_closed(uv_handle_t *h)
{
    U.tick_open = false;
    maybe_stopped();
}

void up_stop(void (*cb)(void *arg), void *arg)
{
    U.stopping = true;
    U.stop_cb = cb;
    U.stop_arg = arg;
    if (U.bus_id > 0)
        gw_bus_unsubscribe(U.bus_id);
    U.bus_id = 0;
    mqtt_drop();
    up__anon_cache_drop();
    if (U.tick_open) {
        uv_timer_stop(&U.tick);
        uv_close((uv_handle_t *)&U.tick, tick_closed);
        return;
    }
    maybe_stopped();
}

/* ---------------------------------------------------------------------------------------------
 * Status and control
 */

void up_status(struct gw_db *db, json_t *status)
{
    char v[600], ts[21];
    int64_t msgs = 0, bytes = 0, last;
    bool reg = registered(db);
    up__queue_totals(db, &msgs, &bytes);
    last = up__setting_int(db, UP_K_LAST, 0);
    json_object_set_new(status, "mode", json_string(manage_mode(db) ? "manage" : "monitor"));
    json_object_set_new(status, "registered", json_boolean(reg));
    json_object_set_new(status, "connected",
                        json_boolean(U.started && db == U.env.db && up__mqtt_is_connected(U.mqtt)));
    json_object_set_new(status, "outbox_messages", json_integer(msgs));
    json_object_set_new(status, "outbox_bytes", json_integer(bytes));
    json_object_set_new(status, "last_upload",
                        last ? json_string(gw_time_iso(last, ts)) : json_null());
    json_object_set_new(status, "evicted_total",
                        json_integer(up__setting_int(db, UP_K_EVICTED, 0)));
    json_t *u = json_object();
    json_object_set_new(u, "anonymized", json_boolean(up_anon_is_on(db)));
    if (gw_setting_get(db, UP_K_GWID, v, sizeof v) == 0 && v[0])
        json_object_set_new(u, "gateway_id", json_string(v));
    if (gw_setting_get(db, UP_K_STATUS, v, sizeof v) == 0 && v[0])
        json_object_set_new(u, "registration", json_string(v));
    if (gw_setting_get(db, UP_K_LINK, v, sizeof v) == 0 && v[0])
        json_object_set_new(u, "link", json_string(v));
    int64_t until = up__setting_int(db, UP_K_UNTIL, 0);
    if (until)
        json_object_set_new(u, "manage_until", json_string(gw_time_iso(until, ts)));
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
    json_object_set_new(u, "endpoints", eps);
    if (U.started && db == U.env.db && up__mqtt_is_connected(U.mqtt))
        json_object_set_new(u, "broker", json_string(U.ep_in_use));
    json_object_set_new(status, "uplink", u);
}

static const char *jstr(json_t *o, const char *k)
{
    return gw_json_str(o, k, "");
}

static bool running_on(struct gw_db *db)
{
    return U.started && !U.stopping && db == U.env.db;
}

/* The uplink's tables exist before any of its operations runs, also in the CLI. */
static json_t *migrated(struct gw_db *db)
{
    int rc = up__queue_migrate(db, NULL);
    return rc < 0 ? gw_reply_err(rc, "cannot create the uplink's tables") : NULL;
}

static json_t *op_register(struct gw_op_ctx *ctx, json_t *req)
{
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
    if (running_on(db)) {
        mqtt_drop();
        backoff_ok();
        gw_strlcpy(U.gwid, gid, sizeof U.gwid);
    }
    return gw_reply_ok();
}

static json_t *op_unregister(struct gw_op_ctx *ctx, json_t *req)
{
    static const char *const keys[] = {UP_K_GWID,   UP_K_URL,  UP_K_STATUS, UP_K_BROKER,
                                       "up.ca_pem", UP_K_LINK, UP_K_MODE,   UP_K_UNTIL};
    struct gw_db *db = ctx->db;
    json_t *r = migrated(db);
    if (r)
        return r;
    int rc = up__secret_set(db, ctx->vault, "token", NULL);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && rc == 0; i++)
        rc = gw_setting_set(db, keys[i], "");
    gw_op_audit(ctx, rc ? "failed" : "ok", NULL);
    if (running_on(db)) {
        mqtt_drop();
        U.gwid[0] = '\0';
    }
    return rc ? gw_reply_err(rc, "cannot remove the registration") : gw_reply_ok();
}

static json_t *op_mode(struct gw_op_ctx *ctx, json_t *req)
{
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
    if (running_on(db))
        backoff_ok();
    return json_pack("{s:b, s:s, s:b}", "ok", 1, "mode", mode, "registered", registered(db));
}

static json_t *op_status(struct gw_op_ctx *ctx, json_t *req)
{
    json_t *r = migrated(ctx->db);
    if (r)
        return r;
    r = gw_reply_ok();
    up_status(ctx->db, r);
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
