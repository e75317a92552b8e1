/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Device poller: keeps one SNMP session per registered device open on the loop and polls each
 * device every [poll] interval, storing readings through the store. This is the fixed-interval
 * poller of the gateway spine; the priority scheduler (Table 5 intervals, backoff) replaces its
 * timing later without changing the rest.
 *
 * Shape: a 250 ms tick walks the device array and starts polls that are due, bounded by
 * [snmp] max_in_flight. First polls are spread over min(interval, 30 s) so a fresh start does
 * not fire every device at once and a newcomer sees data within a minute. Failures are logged
 * once per state change (ok -> unreachable -> ok), not once per poll.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "gateway/cli.h"
#include "snmp/snmpc.h"

#define TICK_MS 250

struct pdev {
    struct gw_poller *poller;
    struct gw_device dev; /* registry snapshot */
    struct snmpc_session *sess;
    uv_getaddrinfo_t gai;
    char ip[64];
    uint64_t due_ms; /* loop time of the next poll */
    bool polling, resolving, closing, removed;
    bool engine_shared_reported;
    int fails;      /* consecutive failures */
    char state[16]; /* last state we logged */
};

struct gw_poller {
    struct gw_app *app;
    uv_timer_t tick;
    struct pdev **devs; /* sorted by device id */
    size_t n;
    unsigned in_flight;
    unsigned pending_close; /* sessions and lookups still closing */
    uint64_t polls_ok, polls_failed;
    bool stopping, tick_closed;
    json_t *engines; /* engine ID hex -> device id, to spot shared engine IDs */
    void (*stop_cb)(struct gw_app *app);
};

static void pdev_free(struct pdev *pd)
{
    free(pd);
}

static void maybe_stopped(struct gw_poller *p)
{
    if (p->stopping && p->tick_closed && p->pending_close == 0 && p->stop_cb) {
        void (*cb)(struct gw_app *) = p->stop_cb;
        struct gw_app *app = p->app;
        p->stop_cb = NULL;
        for (size_t i = 0; i < p->n; i++)
            pdev_free(p->devs[i]);
        free(p->devs);
        json_decref(p->engines);
        app->poller = NULL;
        free(p);
        cb(app);
    }
}

static void session_closed(void *arg)
{
    struct pdev *pd = arg;
    struct gw_poller *p = pd->poller;
    pd->closing = false;
    p->pending_close--;
    if (pd->removed)
        pdev_free(pd);
    maybe_stopped(p);
}

/* Closes the device's session (the poll in flight, if any, completes with -ECANCELED). */
static void pdev_close_session(struct pdev *pd)
{
    if (!pd->sess || pd->closing)
        return;
    pd->closing = true;
    pd->poller->pending_close++;
    snmpc_session_close(pd->sess, session_closed, pd);
    pd->sess = NULL;
}

/* Logs a device's state only when it changes; per-poll repeats stay silent. */
static void set_state(struct pdev *pd, const char *state, int err, const char *detail)
{
    if (strcmp(pd->state, state) == 0)
        return;
    if (strcmp(state, "ok") == 0)
        gw_log_notice(SNMP, "device polled device=%lld address=%s state=ok previous=%s",
                      (long long)pd->dev.id, pd->dev.address, pd->state[0] ? pd->state : "new");
    else
        gw_log_warn(SNMP, "device poll failed device=%lld address=%s state=%s err=\"%s\"%s%s",
                    (long long)pd->dev.id, pd->dev.address, state, gw_strerror(err),
                    detail && *detail ? " detail=" : "", detail ? detail : "");
    gw_strlcpy(pd->state, state, sizeof pd->state);
}

static const char *state_for(int status)
{
    switch (status) {
    case SNMPC_E_TIMEOUT:
        return "unreachable";
    case SNMPC_E_AUTH_USER:
    case SNMPC_E_AUTH_KEY:
    case SNMPC_E_PRIV_KEY:
    case SNMPC_E_TIME_WINDOW:
    case SNMPC_E_SECLEVEL:
        return "auth_failed";
    default:
        return "error";
    }
}

/* Two devices answering with one engine ID share net-snmp's per-engine USM state and confuse
 * each other's time windows; operators need to hear about it instead of seeing random timeouts. */
static void check_engine(struct pdev *pd, const char *engine_id)
{
    struct gw_poller *p = pd->poller;
    json_t *owner;
    if (!*engine_id)
        return;
    owner = json_object_get(p->engines, engine_id);
    if (!owner) {
        json_object_set_new(p->engines, engine_id, json_integer(pd->dev.id));
        return;
    }
    if (json_integer_value(owner) == pd->dev.id || pd->engine_shared_reported)
        return;
    char detail[256];
    snprintf(detail, sizeof detail, "{\"engine_id\":\"%s\",\"other_device\":%lld}", engine_id,
             (long long)json_integer_value(owner));
    gw_event_add(p->app->db, pd->dev.id, "engine_id_shared", detail, gw_now());
    gw_log_warn(SNMP, "devices share an SNMP engine ID device=%lld other=%lld engine_id=%s",
                (long long)pd->dev.id, (long long)json_integer_value(owner), engine_id);
    pd->engine_shared_reported = true;
}

static void poll_done(struct snmpc_session *s, int status, const struct snmpc_vbset *vbs,
                      const char *detail, void *arg)
{
    struct pdev *pd = arg;
    struct gw_poller *p = pd->poller;
    struct gw_app *app = p->app;
    pd->polling = false;
    p->in_flight--;
    if (status == -ECANCELED)
        return;
    pd->due_ms = uv_now(app->loop) + (uint64_t)app->cfg.poll_interval_s * 1000u;
    if (status == 0) {
        struct gw_model m;
        gw_model_init(&m);
        snmpc_model_decode(vbs, app->catalogue, &m);
        snmpc_session_engine_id(s, m.engine_id, sizeof m.engine_id);
        int rc = gw_store_poll_ok(app->db, pd->dev.id, &m, gw_now());
        if (rc < 0)
            gw_log_err_r(DB, rc, "storing poll failed device=%lld", (long long)pd->dev.id);
        check_engine(pd, m.engine_id);
        gw_model_cleanup(&m);
        p->polls_ok++;
        pd->fails = 0;
        set_state(pd, "ok", 0, NULL);
        return;
    }
    p->polls_failed++;
    pd->fails++;
    gw_store_poll_failed(app->db, pd->dev.id, state_for(status), gw_now());
    set_state(pd, state_for(status), status, detail);
    /* A host name may have moved to another address: re-resolve after repeated silence. */
    if (status == SNMPC_E_TIMEOUT && pd->fails % 3 == 0 && strcmp(pd->ip, pd->dev.address) != 0)
        pdev_close_session(pd);
}

static void start_poll(struct pdev *pd)
{
    struct gw_poller *p = pd->poller;
    int rc = snmpc_poll_start(pd->sess, SNMPC_POLL_FULL, p->app->catalogue, poll_done, pd);
    if (rc < 0) {
        gw_log_err_r(SNMP, rc, "cannot start poll device=%lld", (long long)pd->dev.id);
        pd->due_ms = uv_now(p->app->loop) + (uint64_t)p->app->cfg.poll_interval_s * 1000u;
        return;
    }
    pd->polling = true;
    p->in_flight++;
}

/* Opens the session from the sealed credential set and polls. Secrets live only for the call:
 * the session keeps its own copy (wiped on close). */
static void open_and_poll(struct pdev *pd)
{
    struct gw_app *app = pd->poller->app;
    struct gw_credential c;
    struct gw_errbuf eb = {""};
    int rc = gw_credential_get(app->db, app->vault, NULL, pd->dev.credential_id, &c, &eb);
    if (rc < 0) {
        set_state(pd, "error", rc, eb.msg);
        gw_store_poll_failed(app->db, pd->dev.id, "error", gw_now());
        pd->due_ms = uv_now(app->loop) + (uint64_t)app->cfg.poll_interval_s * 1000u;
        return;
    }
    struct snmpc_target t = {
        .host = pd->ip,
        .port = pd->dev.port,
        .version = c.version,
        .community = c.community,
        .sec_name = c.sec_name,
        .sec_level = c.sec_level,
        .auth_proto = c.auth_proto,
        .auth_pass = c.auth_pass,
        .priv_proto = c.priv_proto,
        .priv_pass = c.priv_pass,
        .context = c.context,
        .timeout_ms = (unsigned)app->cfg.snmp_timeout_ms,
        .retries = (unsigned)app->cfg.snmp_retries,
        .max_repetitions = (unsigned)app->cfg.snmp_max_repetitions,
    };
    /* Whole-poll deadline: a dozen exchanges at worst, so one slow device cannot hold a poll
     * slot for minutes. */
    t.deadline_ms = t.timeout_ms * (t.retries + 1) * 12;
    rc = snmpc_session_new(app->loop, &t, &pd->sess, &eb);
    gw_credential_cleanup(&c);
    if (rc < 0) {
        set_state(pd, "error", rc, eb.msg);
        gw_store_poll_failed(app->db, pd->dev.id, "error", gw_now());
        pd->due_ms = uv_now(app->loop) + (uint64_t)app->cfg.poll_interval_s * 1000u;
        return;
    }
    start_poll(pd);
}

static void resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    struct pdev *pd = req->data;
    struct gw_poller *p = pd->poller;
    pd->resolving = false;
    p->pending_close--;
    p->in_flight--;
    if (status == UV_ECANCELED || pd->removed || p->stopping) {
        uv_freeaddrinfo(res);
        if (pd->removed)
            pdev_free(pd);
        maybe_stopped(p);
        return;
    }
    if (status < 0 || !res) {
        gw_log_warn(SNMP, "cannot resolve device=%lld address=%s err=\"%s\"", (long long)pd->dev.id,
                    pd->dev.address, uv_strerror(status));
        gw_store_poll_failed(p->app->db, pd->dev.id, "unreachable", gw_now());
        pd->due_ms = uv_now(p->app->loop) + (uint64_t)p->app->cfg.poll_interval_s * 1000u;
        uv_freeaddrinfo(res);
        return;
    }
    uv_ip_name(res->ai_addr, pd->ip, sizeof pd->ip);
    uv_freeaddrinfo(res);
    open_and_poll(pd);
}

static bool is_ip_literal(const char *s)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static void due(struct pdev *pd)
{
    struct gw_poller *p = pd->poller;
    if (pd->sess) {
        start_poll(pd);
        return;
    }
    if (is_ip_literal(pd->dev.address)) {
        gw_strlcpy(pd->ip, pd->dev.address, sizeof pd->ip);
        open_and_poll(pd);
        return;
    }
    /* Host names resolve on libuv's thread pool, never on the loop. */
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM};
    pd->gai.data = pd;
    if (uv_getaddrinfo(p->app->loop, &pd->gai, resolved, pd->dev.address, NULL, &hints) == 0) {
        pd->resolving = true;
        p->pending_close++;
        p->in_flight++; /* a lookup holds a poll slot */
    }
}

static void on_tick(uv_timer_t *t)
{
    struct gw_poller *p = t->data;
    uint64_t now = uv_now(p->app->loop);
    unsigned max = (unsigned)p->app->cfg.snmp_max_in_flight;
    for (size_t i = 0; i < p->n && p->in_flight < max; i++) {
        struct pdev *pd = p->devs[i];
        if (pd->polling || pd->resolving || pd->closing || pd->due_ms > now)
            continue;
        due(pd);
    }
}

static struct pdev *pdev_new(struct gw_poller *p, const struct gw_device *d, uint64_t due_ms)
{
    struct pdev *pd = gw_calloc(1, sizeof *pd);
    pd->poller = p;
    pd->dev = *d;
    pd->due_ms = due_ms;
    return pd;
}

struct reload_ctx {
    struct gw_poller *p;
    struct pdev **next;
    size_t n, cap;
    size_t old_i;
    uint64_t now, spread_ms;
    size_t total;
};

/* Merges the registry (id order) with the current array (id order): keeps sessions of
 * unchanged devices, reopens changed ones, drops removed ones. */
static int reload_one(const struct gw_device *d, void *arg)
{
    struct reload_ctx *rc = arg;
    struct gw_poller *p = rc->p;
    struct pdev *pd = NULL;
    while (rc->old_i < p->n && p->devs[rc->old_i]->dev.id < d->id) {
        struct pdev *gone = p->devs[rc->old_i++];
        gone->removed = true;
        if (gone->sess)
            pdev_close_session(gone);
        else if (!gone->closing && !gone->resolving && !gone->polling)
            pdev_free(gone);
    }
    if (rc->old_i < p->n && p->devs[rc->old_i]->dev.id == d->id) {
        pd = p->devs[rc->old_i++];
        if (pd->dev.credential_id != d->credential_id || pd->dev.port != d->port ||
            strcmp(pd->dev.address, d->address) != 0)
            pdev_close_session(pd);
        pd->dev = *d;
    } else {
        uint64_t off = rc->total ? rc->spread_ms * rc->n / rc->total : 0;
        pd = pdev_new(p, d, rc->now + off);
    }
    if (rc->n == rc->cap) {
        rc->cap = rc->cap ? rc->cap * 2 : 64;
        rc->next = gw_realloc(rc->next, rc->cap * sizeof *rc->next);
    }
    rc->next[rc->n++] = pd;
    return 0;
}

int gw_poller_reload(struct gw_app *app)
{
    struct gw_poller *p = app->poller;
    struct reload_ctx rc = {.p = p};
    uint64_t interval_ms;
    int err;
    if (!p || p->stopping)
        return 0;
    interval_ms = (uint64_t)app->cfg.poll_interval_s * 1000u;
    rc.now = uv_now(app->loop);
    rc.spread_ms = interval_ms < 30000 ? interval_ms : 30000;
    rc.total = (size_t)gw_device_count(app->db);
    err = gw_device_foreach(app->db, reload_one, &rc);
    if (err < 0) {
        gw_log_err_r(DB, err, "cannot read the device registry");
        free(rc.next);
        return err;
    }
    /* Devices past the last registry id were removed. */
    struct gw_device sentinel = {.id = INT64_MAX};
    struct pdev **keep = rc.next;
    size_t keep_n = rc.n;
    rc.next = NULL;
    rc.n = rc.cap = 0;
    reload_one(&sentinel, &rc);
    pdev_free(rc.next[0]);
    free(rc.next);
    free(p->devs);
    p->devs = keep;
    p->n = keep_n;
    gw_log_info(GW, "device registry loaded devices=%zu", p->n);
    return 0;
}

int gw_poller_start(struct gw_app *app)
{
    struct gw_poller *p = gw_calloc(1, sizeof *p);
    p->app = app;
    p->engines = json_object();
    app->poller = p;
    uv_timer_init(app->loop, &p->tick);
    p->tick.data = p;
    gw_poller_reload(app);
    return uv_timer_start(&p->tick, on_tick, 0, TICK_MS);
}

static void tick_closed(uv_handle_t *h)
{
    struct gw_poller *p = h->data;
    p->tick_closed = true;
    maybe_stopped(p);
}

void gw_poller_stop(struct gw_app *app, void (*cb)(struct gw_app *app))
{
    struct gw_poller *p = app->poller;
    if (!p) {
        cb(app);
        return;
    }
    p->stopping = true;
    p->stop_cb = cb;
    for (size_t i = 0; i < p->n; i++) {
        struct pdev *pd = p->devs[i];
        if (pd->resolving)
            uv_cancel((uv_req_t *)&pd->gai);
        pdev_close_session(pd);
    }
    uv_close((uv_handle_t *)&p->tick, tick_closed);
}

void gw_poller_status(struct gw_app *app, json_t *st)
{
    struct gw_poller *p = app->poller;
    size_t unreachable = 0;
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->devs[i]->state, "unreachable") == 0)
            unreachable++;
    json_object_set_new(st, "polls_ok", json_integer((json_int_t)p->polls_ok));
    json_object_set_new(st, "polls_failed", json_integer((json_int_t)p->polls_failed));
    json_object_set_new(st, "polls_in_flight", json_integer(p->in_flight));
    json_object_set_new(st, "devices_unreachable", json_integer((json_int_t)unreachable));
    json_object_set_new(st, "poll_interval_s", json_integer(app->cfg.poll_interval_s));
}
