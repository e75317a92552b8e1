/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The SNMP driver of the scheduler: one snmp/ session per device, kept open between polls.
 *
 * A session is opened from the device's sealed credential set; the secrets live only for the
 * open (the session keeps its own copy, wiped on close). Host names resolve on libuv's thread
 * pool, never on the loop, and a lookup holds its poll slot. Each session holds a UDP socket,
 * so a fleet larger than the process's fd limit allows keeps only a budget of sessions open
 * (make_room()). A host name that stops answering is resolved again after three timeouts.
 *
 * The driver's per-device object (struct sdev) outlives the scheduler's hold on it: forget
 * and close start the session's close, and the object goes in the close callback.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "gateway/poll/gw_poll.h"
#include "snmp/snmpc.h"

struct snmp_drv;

struct sdev {
    struct snmp_drv *drv;
    struct gw_poll_dev *dev; /* while the scheduler holds it or a poll is in flight */
    struct snmpc_session *sess;
    uv_getaddrinfo_t *gai; /* while a host name resolves */
    char ip[64];
    bool polling, resolving, closing, forgotten;
    bool full;                         /* the kind of poll to start once the name is resolved */
    const struct snmpc_catalogue *cat; /* the poll in flight's, a reference until poll_done */
    int timeouts;                      /* consecutive */
    size_t slot;                       /* index in drv->all */
};

struct snmp_drv {
    struct gw_poll_driver base;
    uv_loop_t *loop;
    const struct gw_cfg *cfg;
    struct gw_db *db;
    struct gw_vault *vault;
    const struct snmpc_catalogue *cat; /* a reference, swapped by gw_poll_snmp_set_catalogue() */
    struct sdev **all;                 /* every live sdev, for the eviction hand */
    size_t n_all, cap_all;
    size_t evict_hand;     /* where the search for an idle session to close goes on */
    size_t open_sessions;  /* each holds a UDP socket */
    size_t session_budget; /* at most this many open, from the fd limit */
    unsigned pending;      /* sessions closing and lookups under way */
    bool closing;
    void (*closed)(void *arg);
    void *closed_arg;
};

static void list_add(struct snmp_drv *s, struct sdev *sd)
{
    if (s->n_all == s->cap_all) {
        s->cap_all = s->cap_all ? s->cap_all * 2 : 64;
        s->all = gw_realloc(s->all, s->cap_all * sizeof *s->all);
    }
    sd->slot = s->n_all;
    s->all[s->n_all++] = sd;
}

static void list_remove(struct snmp_drv *s, struct sdev *sd)
{
    struct sdev *last = s->all[--s->n_all];
    s->all[sd->slot] = last;
    last->slot = sd->slot;
}

static void maybe_closed(struct snmp_drv *s)
{
    if (!s->closing || s->pending || !s->closed)
        return;
    void (*cb)(void *) = s->closed;
    void *arg = s->closed_arg;
    s->closed = NULL;
    for (size_t i = 0; i < s->n_all; i++)
        free(s->all[i]);
    free(s->all);
    snmpc_catalogue_free(s->cat);
    free(s);
    cb(arg);
}

/* Frees an sdev nobody needs any more: forgotten, nothing in flight, nothing closing. */
static void sdev_maybe_free(struct sdev *sd)
{
    if (!sd->forgotten || sd->polling || sd->resolving || sd->closing || sd->sess)
        return;
    list_remove(sd->drv, sd);
    free(sd->gai);
    free(sd);
}

static void session_closed(void *arg)
{
    struct sdev *sd = arg;
    struct snmp_drv *s = sd->drv;
    sd->closing = false;
    s->pending--;
    sdev_maybe_free(sd);
    maybe_closed(s);
}

/* Closes the device's session (the poll in flight, if any, completes with -ECANCELED). */
static void close_session(struct sdev *sd)
{
    if (!sd->sess || sd->closing)
        return;
    sd->closing = true;
    sd->drv->pending++;
    sd->drv->open_sessions--;
    snmpc_session_close(sd->sess, session_closed, sd);
    sd->sess = NULL;
}

/* Hands a result to the scheduler; the sdev may be freed afterwards if it was forgotten. */
static void finish(struct sdev *sd, struct gw_poll_result *r)
{
    struct gw_poll_dev *d = sd->dev;
    sd->polling = false;
    if (sd->forgotten)
        sd->dev = NULL;
    gw_poll_done(d, r);
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

static void poll_done(struct snmpc_session *sess, int status, const struct snmpc_vbset *vbs,
                      const char *detail, void *arg)
{
    struct sdev *sd = arg;
    struct gw_poll_result r = {.status = status};
    const struct snmpc_catalogue *cat = sd->cat;
    bool moved = false;
    sd->cat = NULL;
    if (status == 0) {
        struct gw_model m;
        gw_model_init(&m);
        /* Decoded by the catalogue the poll started with, even if a reload came since. */
        snmpc_model_decode(vbs, cat, &m);
        snmpc_session_engine_id(sess, m.engine_id, sizeof m.engine_id);
        r.model = &m;
        sd->timeouts = 0;
        finish(sd, &r);
        gw_model_cleanup(&m);
        snmpc_catalogue_free(cat);
        sdev_maybe_free(sd);
        return;
    }
    snmpc_catalogue_free(cat);
    if (status != -ECANCELED) {
        r.state = state_for(status);
        gw_strlcpy(r.detail, detail ? detail : "", sizeof r.detail);
        sd->timeouts = status == SNMPC_E_TIMEOUT ? sd->timeouts + 1 : 0;
        /* A host name may have moved to another address: re-resolve after repeated silence. */
        moved = status == SNMPC_E_TIMEOUT && sd->timeouts % 3 == 0 && sd->dev &&
                strcmp(sd->ip, gw_poll_dev_target(sd->dev)->address) != 0;
    }
    finish(sd, &r);
    if (moved && !sd->forgotten)
        close_session(sd);
    sdev_maybe_free(sd);
}

/* A poll that could not start: the scheduler waits an alert interval (state NULL: only that,
 * the reason was logged here). Returns: rc. */
static int not_started(struct gw_poll_result *fail, int rc, const char *state, const char *why)
{
    fail->status = rc;
    fail->state = state;
    fail->deferred = true;
    gw_strlcpy(fail->detail, why ? why : "", sizeof fail->detail);
    return rc;
}

static int start_poll(struct sdev *sd, bool full, struct gw_poll_result *fail)
{
    int rc;
    sd->cat = snmpc_catalogue_ref(sd->drv->cat);
    rc = snmpc_poll_start(sd->sess, full ? SNMPC_POLL_FULL : SNMPC_POLL_STATUS, sd->cat, poll_done,
                          sd);
    if (rc < 0) {
        snmpc_catalogue_free(sd->cat);
        sd->cat = NULL;
        gw_log_err_r(SNMP, rc, "cannot start poll device=%lld",
                     (long long)gw_poll_dev_target(sd->dev)->id);
        return not_started(fail, rc, NULL, NULL);
    }
    sd->polling = true;
    return 0;
}

/* One UDP socket per open session: a fleet larger than the process's fd limit allows keeps
 * only session_budget sessions open. Before one more opens, the first idle session found by a
 * hand that moves round the fleet is closed; polls are spread over the interval, so the hand
 * mostly finds devices whose next poll is far off. Reopening costs an SNMPv3 device one engine
 * discovery exchange. */
static void make_room(struct snmp_drv *s)
{
    for (size_t tries = 0; s->open_sessions >= s->session_budget && tries < s->n_all; tries++) {
        struct sdev *sd = s->all[s->evict_hand++ % s->n_all];
        if (sd->sess && !sd->polling && !sd->closing)
            close_session(sd);
    }
}

/* Opens the session from the sealed credential set and polls. Secrets live only for the call:
 * the session keeps its own copy (wiped on close). */
static int open_and_poll(struct sdev *sd, bool full, struct gw_poll_result *fail)
{
    struct snmp_drv *s = sd->drv;
    const struct gw_poll_target *t = gw_poll_dev_target(sd->dev);
    struct gw_credential c;
    struct gw_errbuf eb = {""};
    int rc = gw_credential_get(s->db, s->vault, NULL, t->credential_id, &c, &eb);
    if (rc < 0)
        return not_started(fail, rc, "error", eb.msg);
    struct snmpc_target st = {
        .host = sd->ip,
        .port = t->port,
        .version = c.version,
        .community = c.community,
        .sec_name = c.sec_name,
        .sec_level = c.sec_level,
        .auth_proto = c.auth_proto,
        .auth_pass = c.auth_pass,
        .priv_proto = c.priv_proto,
        .priv_pass = c.priv_pass,
        .context = c.context,
        .timeout_ms = (unsigned)s->cfg->snmp_timeout_ms,
        .retries = (unsigned)s->cfg->snmp_retries,
        .max_repetitions = (unsigned)s->cfg->snmp_max_repetitions,
    };
    /* Whole-poll deadline: a dozen exchanges at worst, so one slow device cannot hold a poll
     * slot for minutes. */
    st.deadline_ms = st.timeout_ms * (st.retries + 1) * 12;
    make_room(s);
    rc = snmpc_session_new(s->loop, &st, &sd->sess, &eb);
    if (rc == 0)
        s->open_sessions++;
    gw_credential_cleanup(&c);
    if (rc < 0)
        return not_started(fail, rc, "error", eb.msg);
    return start_poll(sd, full, fail);
}

static void resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    struct sdev *sd = req->data;
    struct snmp_drv *s = sd->drv;
    struct gw_poll_result r = {.status = -ECANCELED};
    GW_FREE(sd->gai);
    sd->resolving = false;
    s->pending--;
    if (status == UV_ECANCELED || sd->forgotten || s->closing) {
        uv_freeaddrinfo(res);
        finish(sd, &r);
        sdev_maybe_free(sd);
        maybe_closed(s);
        return;
    }
    if (status < 0 || !res) {
        uv_freeaddrinfo(res);
        r.status = SNMPC_E_TIMEOUT;
        r.state = "unreachable";
        r.deferred = true;
        snprintf(r.detail, sizeof r.detail, "cannot resolve %s: %s",
                 gw_poll_dev_target(sd->dev)->address, uv_strerror(status));
        finish(sd, &r);
        return;
    }
    uv_ip_name(res->ai_addr, sd->ip, sizeof sd->ip);
    uv_freeaddrinfo(res);
    r.status = GW_E_INTERNAL;
    if (open_and_poll(sd, sd->full, &r) < 0)
        finish(sd, &r);
}

static bool is_ip_literal(const char *s)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static int drv_start(struct gw_poll_driver *drv, struct gw_poll_dev *d, bool full,
                     struct gw_poll_result *fail)
{
    struct snmp_drv *s = (struct snmp_drv *)drv;
    struct sdev *sd = gw_poll_dev_data(d);
    const char *address = gw_poll_dev_target(d)->address;
    if (!sd) {
        sd = gw_calloc(1, sizeof *sd);
        sd->drv = s;
        sd->dev = d;
        list_add(s, sd);
        gw_poll_dev_set_data(d, sd);
    }
    /* A session still closing (evicted, or its host name moved) is reopened once closed. */
    if (sd->closing)
        return GW_E_BUSY;
    if (sd->sess)
        return start_poll(sd, full, fail);
    if (is_ip_literal(address)) {
        gw_strlcpy(sd->ip, address, sizeof sd->ip);
        return open_and_poll(sd, full, fail);
    }
    /* Host names resolve on libuv's thread pool, never on the loop; the lookup holds the poll
     * slot. */
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM};
    sd->gai = gw_calloc(1, sizeof *sd->gai);
    sd->gai->data = sd;
    int rc = uv_getaddrinfo(s->loop, sd->gai, resolved, address, NULL, &hints);
    if (rc < 0) {
        GW_FREE(sd->gai);
        gw_log_err_r(SNMP, rc, "cannot resolve device=%lld", (long long)gw_poll_dev_target(d)->id);
        return not_started(fail, rc, NULL, NULL);
    }
    sd->resolving = true;
    sd->full = full;
    s->pending++;
    return 0;
}

static void drv_forget(struct gw_poll_driver *drv, struct gw_poll_dev *d)
{
    struct sdev *sd = gw_poll_dev_data(d);
    (void)drv;
    if (!sd)
        return;
    gw_poll_dev_set_data(d, NULL);
    sd->forgotten = true;
    if (!sd->polling && !sd->resolving)
        sd->dev = NULL;
    if (sd->resolving)
        uv_cancel((uv_req_t *)sd->gai);
    close_session(sd);
    sdev_maybe_free(sd);
}

static void drv_status(struct gw_poll_driver *drv, json_t *st)
{
    struct snmp_drv *s = (struct snmp_drv *)drv;
    json_object_set_new(st, "sessions_open", json_integer((json_int_t)s->open_sessions));
    json_object_set_new(st, "sessions_budget", json_integer((json_int_t)s->session_budget));
}

static void drv_close(struct gw_poll_driver *drv, void (*closed)(void *arg), void *arg)
{
    struct snmp_drv *s = (struct snmp_drv *)drv;
    s->closing = true;
    s->closed = closed;
    s->closed_arg = arg;
    for (size_t i = 0; i < s->n_all; i++) {
        struct sdev *sd = s->all[i];
        if (sd->resolving)
            uv_cancel((uv_req_t *)sd->gai);
        close_session(sd);
    }
    maybe_closed(s);
}

struct gw_poll_driver *gw_poll_snmp_new(uv_loop_t *loop, const struct gw_cfg *cfg, struct gw_db *db,
                                        struct gw_vault *vault, const struct snmpc_catalogue *cat)
{
    struct snmp_drv *s = gw_calloc(1, sizeof *s);
    struct rlimit rl;
    s->base = (struct gw_poll_driver){.name = "snmp",
                                      .start = drv_start,
                                      .forget = drv_forget,
                                      .status = drv_status,
                                      .close = drv_close};
    s->loop = loop;
    s->cfg = cfg;
    s->db = db;
    s->vault = vault;
    s->cat = snmpc_catalogue_ref(cat);
    /* Keep 512 descriptors for the store, the web UI, the uplink and the control socket. */
    s->session_budget = 65536;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        s->session_budget = rl.rlim_cur > 1024 ? (size_t)rl.rlim_cur - 512 : rl.rlim_cur / 2;
    return &s->base;
}

void gw_poll_snmp_set_catalogue(struct gw_poll_driver *drv, const struct snmpc_catalogue *cat)
{
    struct snmp_drv *s = (struct snmp_drv *)drv;
    const struct snmpc_catalogue *old = s->cat;
    /* Polls in flight keep the one they started with (sdev.cat); the next ones take this. */
    s->cat = snmpc_catalogue_ref(cat);
    snmpc_catalogue_free(old);
}
