/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The SNMP sweep engine. It runs on the gateway's one libuv loop with a fixed array of probe
 * slots (max_in_flight) and a pacing timer, so sweeping tens of thousands of addresses costs
 * one timer, at most max_in_flight snmpc sessions (one UDP socket each) and no thread per host.
 *
 * Pacing: a token bucket refilled by the timer at pps; each credential try of an address
 * takes one token, because each try starts with exactly one packet (a GET for v1/v2c, the
 * engine-discovery request for v3). The packets that follow on an address that answered (the
 * identity poll of a responder) are not paced: they go to a host that is known to be there.
 *
 * Credentials are tried in the admin's order. A v3 try that times out ends the address: an
 * SNMP agent answers engine discovery whatever the user, so silence means nothing is there.
 * v1/v2c agents stay silent on a wrong community, so a v1/v2c timeout moves on to the next
 * credential. An error answer (unknown user, wrong digest) counts the address as a responder
 * and moves on too.
 *
 * Host name targets resolve on libuv's thread pool when the sweep starts and are swept after
 * the ranges, each at a fixed index (a name that does not resolve counts as done).
 *
 * Progress is the number of finished addresses plus a checkpoint: every index below it is
 * finished. Slots finish out of order, so the checkpoint is the lowest index still in flight;
 * a resume from it repeats at most max_in_flight addresses.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "discovery/disc_int.h"

#define TICK_MS 5

struct slot {
    struct disc_sweep *sw;
    bool busy;    /* holds an address */
    bool waiting; /* needs a token to try its next credential */
    bool closing; /* its session is being closed */
    bool answered;
    bool finished; /* no more credentials to try */
    uint64_t index;
    uint32_t addr;
    size_t cred_i;
    struct snmpc_session *sess;
};

/* A host name target, resolved on libuv's thread pool when the sweep starts. */
struct host {
    struct disc_sweep *sw;
    uv_getaddrinfo_t req;
    enum { HOST_PENDING, HOST_OK, HOST_FAILED } state;
    uint32_t addr;
};

struct disc_sweep {
    uv_loop_t *loop;
    struct host *hosts; /* one per targets->hosts[], swept after the ranges */
    unsigned resolving;
    struct disc_sweep_opts o;
    uv_timer_t timer;
    struct slot *slots;
    unsigned nslots;
    unsigned busy;
    uint64_t cursor; /* next index to start */
    double tokens;
    uint64_t last_refill;
    uint64_t started_ms;
    bool stopping;
    bool ending;
    int status;
    struct disc_progress p;
    struct gw_log_limit log_limit;
};

static const char *how_name(enum gw_snmp_version v)
{
    return v == GW_SNMP_V1 ? "snmp-v1" : v == GW_SNMP_V3 ? "snmp-v3" : "snmp-v2c";
}

static void update_checkpoint(struct disc_sweep *sw)
{
    uint64_t low = sw->cursor;
    for (unsigned i = 0; i < sw->nslots; i++)
        if (sw->slots[i].busy && sw->slots[i].index < low)
            low = sw->slots[i].index;
    sw->p.checkpoint = low;
}

static void on_timer_closed(uv_handle_t *h)
{
    struct disc_sweep *sw = h->data;
    disc_sweep_progress(sw, &sw->p);
    sw->o.done_cb(sw, sw->status, &sw->p, sw->o.arg);
    free(sw->slots);
    free(sw->hosts);
    free(sw);
}

/* Ends the sweep once nothing is in flight and nothing is left (or it was stopped). */
static void maybe_end(struct disc_sweep *sw)
{
    if (sw->ending || sw->busy > 0 || sw->resolving > 0)
        return;
    if (!sw->stopping && sw->cursor < sw->p.total)
        return;
    sw->ending = true;
    sw->status = sw->stopping ? -ECANCELED : 0;
    uv_timer_stop(&sw->timer);
    uv_close((uv_handle_t *)&sw->timer, on_timer_closed);
}

static void slot_release(struct slot *sl)
{
    struct disc_sweep *sw = sl->sw;
    sl->busy = false;
    sl->waiting = false;
    sw->busy--;
    sw->p.done++;
    update_checkpoint(sw);
    maybe_end(sw);
}

static void on_closed(void *arg)
{
    struct slot *sl = arg;
    sl->sess = NULL;
    sl->closing = false;
    if (sl->finished || sl->sw->stopping || ++sl->cred_i >= sl->sw->o.ncreds)
        slot_release(sl);
    else
        sl->waiting = true; /* the timer gives it a token for the next credential */
}

static void on_poll(struct snmpc_session *s, int status, const struct snmpc_vbset *vbs,
                    const char *detail, void *arg)
{
    struct slot *sl = arg;
    struct disc_sweep *sw = sl->sw;
    const struct gw_credential *c = &sw->o.creds[sl->cred_i];
    (void)detail;

    if (status == 0) {
        sl->finished = true;
        if (!sl->answered) {
            sl->answered = true;
            sw->p.responders++;
        }
        struct gw_model m;
        gw_model_init(&m);
        snmpc_model_decode(vbs, sw->o.cat, &m);
        snmpc_session_engine_id(s, m.engine_id, sizeof m.engine_id);
        if (m.is_printer) {
            char addr[16];
            struct disc_found f = {
                .addr = sl->addr,
                .address = disc_addr_format(sl->addr, addr, sizeof addr),
                .credential_index = sl->cred_i,
                .credential = c->name,
                .how = how_name(c->version),
                .model = &m,
            };
            sw->p.printers++;
            if (sw->o.found_cb)
                sw->o.found_cb(sw, &f, sw->o.arg);
        }
        gw_model_cleanup(&m);
    } else if (status == SNMPC_E_TIMEOUT) {
        /* Silence after engine discovery means no agent; v1/v2c silence may be a wrong
         * community. */
        if (c->version == GW_SNMP_V3)
            sl->finished = true;
    } else if (status == -ECANCELED) {
        sl->finished = true;
    } else {
        if (!sl->answered) {
            sl->answered = true;
            sw->p.responders++;
        }
    }
    if (sl->closing)
        return; /* disc_sweep_stop() is already closing this session */
    sl->closing = true;
    snmpc_session_close(s, on_closed, sl);
}

/* Starts the current credential's try on sl. Takes one token. */
static void slot_try(struct slot *sl)
{
    struct disc_sweep *sw = sl->sw;
    const struct gw_credential *c = &sw->o.creds[sl->cred_i];
    char addr[16];
    struct gw_errbuf eb = {""};
    struct snmpc_target t = {
        .host = disc_addr_format(sl->addr, addr, sizeof addr),
        .port = sw->o.port,
        .version = c->version,
        .community = c->community,
        .sec_name = c->sec_name,
        .sec_level = c->sec_level,
        .auth_proto = c->auth_proto,
        .auth_pass = c->auth_pass,
        .priv_proto = c->priv_proto,
        .priv_pass = c->priv_pass,
        .context = c->context,
        .timeout_ms = sw->o.timeout_ms,
        .retries = 0,
        .deadline_ms = sw->o.deadline_ms,
    };
    sl->waiting = false;
    sw->tokens -= 1.0;
    sw->p.packets++;
    int rc = snmpc_session_new(sw->loop, &t, &sl->sess, &eb);
    if (rc == 0) {
        rc = snmpc_poll_start(sl->sess, SNMPC_POLL_FULL, sw->o.cat, on_poll, sl);
        if (rc == 0)
            return;
        sl->closing = true;
        sl->finished = true;
        gw_log_warn(DISC, "sweep poll start failed address=%s err=%s", addr, gw_strerror(rc));
        snmpc_session_close(sl->sess, on_closed, sl);
        return;
    }
    /* A session that cannot open for this credential (bad protocol name) will not open for
     * any address: skip the credential rather than the address. */
    unsigned suppressed;
    if (gw_log_limit(&sw->log_limit, uv_now(sw->loop), &suppressed))
        gw_log_warn(DISC, "sweep session failed address=%s credential=%s err=%s suppressed=%u",
                    addr, c->name, eb.msg[0] ? eb.msg : gw_strerror(rc), suppressed);
    sl->sess = NULL;
    on_closed(sl);
}

static void on_tick(uv_timer_t *h)
{
    struct disc_sweep *sw = h->data;
    uint64_t now = uv_now(sw->loop);
    double burst = sw->o.pps / 50.0 + 1.0;
    sw->tokens += (double)(now - sw->last_refill) * sw->o.pps / 1000.0;
    if (sw->tokens > burst)
        sw->tokens = burst;
    sw->last_refill = now;
    if (sw->stopping)
        return;

    /* Addresses already under way go first: they finish sooner and move the checkpoint. */
    for (unsigned i = 0; i < sw->nslots && sw->tokens >= 1.0; i++)
        if (sw->slots[i].busy && sw->slots[i].waiting)
            slot_try(&sw->slots[i]);
    for (unsigned i = 0; i < sw->nslots && sw->tokens >= 1.0 && sw->cursor < sw->p.total; i++) {
        struct slot *sl = &sw->slots[i];
        uint32_t addr;
        if (sl->busy)
            continue;
        if (sw->cursor < sw->o.targets->count) {
            addr = disc_targets_at(sw->o.targets, sw->cursor);
        } else {
            /* Host names come last, in the order given; wait for a pending resolve so the
             * index order (and so the checkpoint) stays the same across a resume. */
            const struct host *hs = &sw->hosts[sw->cursor - sw->o.targets->count];
            if (hs->state == HOST_PENDING)
                break;
            if (hs->state == HOST_FAILED) {
                sw->cursor++;
                sw->p.done++;
                i--; /* the slot is still free */
                continue;
            }
            addr = hs->addr;
        }
        memset(sl, 0, sizeof(*sl));
        sl->sw = sw;
        sl->busy = true;
        sl->index = sw->cursor++;
        sl->addr = addr;
        sw->busy++;
        slot_try(sl);
    }
    update_checkpoint(sw);
    maybe_end(sw);
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    struct host *h = req->data;
    struct disc_sweep *sw = h->sw;
    size_t i = (size_t)(h - sw->hosts);
    h->state = HOST_FAILED;
    if (status == 0 && res && res->ai_family == AF_INET) {
        struct sockaddr_in sin;
        memcpy(&sin, res->ai_addr, sizeof sin); /* ai_addr is only byte-aligned as declared */
        h->addr = ntohl(sin.sin_addr.s_addr);
        h->state = HOST_OK;
    } else if (status != UV_ECANCELED) {
        gw_log_warn(DISC, "sweep target not resolved host=%s err=%s", sw->o.targets->hosts[i],
                    status ? uv_strerror(status) : "no IPv4 address");
    }
    uv_freeaddrinfo(res);
    sw->resolving--;
    maybe_end(sw);
}

/* A silent address holds its slot for the whole timeout, so reaching pps needs about
 * pps x timeout slots; each slot is one UDP socket, so stay well inside the fd limit. */
static unsigned default_in_flight(unsigned pps, unsigned timeout_ms)
{
    uint64_t want = (uint64_t)pps * timeout_ms / 1000 * 5 / 4 + 16;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        uint64_t room = rl.rlim_cur > 256 ? rl.rlim_cur - 128 : rl.rlim_cur / 2;
        if (want > room)
            want = room;
    }
    if (want < 16)
        want = 16;
    return want > 65536 ? 65536 : (unsigned)want;
}

int disc_sweep_start(uv_loop_t *loop, const struct disc_sweep_opts *o, struct disc_sweep **out)
{
    *out = NULL;
    if (!o->done_cb || !o->targets || o->ncreds == 0 ||
        o->start_index > o->targets->count + o->targets->nhosts)
        return GW_E_INVAL;
    struct disc_sweep *sw = gw_calloc(1, sizeof(*sw));
    sw->loop = loop;
    sw->o = *o;
    if (!sw->o.pps)
        sw->o.pps = 500;
    if (!sw->o.timeout_ms)
        sw->o.timeout_ms = 1000;
    if (!sw->o.max_in_flight)
        sw->o.max_in_flight = default_in_flight(sw->o.pps, sw->o.timeout_ms);
    if (!sw->o.deadline_ms)
        sw->o.deadline_ms = 15000;
    sw->nslots = sw->o.max_in_flight;
    sw->slots = gw_calloc(sw->nslots, sizeof(*sw->slots));
    sw->log_limit.interval_ms = 60000;
    sw->p.total = o->targets->count + o->targets->nhosts;
    sw->hosts = gw_calloc(o->targets->nhosts ? o->targets->nhosts : 1, sizeof(*sw->hosts));
    for (size_t i = 0; i < o->targets->nhosts; i++) {
        struct host *h = &sw->hosts[i];
        struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM};
        h->sw = sw;
        h->req.data = h;
        if (uv_getaddrinfo(loop, &h->req, on_resolved, o->targets->hosts[i], NULL, &hints) == 0)
            sw->resolving++;
        else
            h->state = HOST_FAILED;
    }
    sw->cursor = o->start_index;
    sw->p.done = o->start_index;
    sw->p.checkpoint = o->start_index;
    sw->started_ms = uv_now(loop);
    sw->last_refill = sw->started_ms;
    sw->tokens = 1.0;
    GW_ASSERT(uv_timer_init(loop, &sw->timer) == 0);
    sw->timer.data = sw;
    GW_ASSERT(uv_timer_start(&sw->timer, on_tick, 0, TICK_MS) == 0);
    *out = sw;
    return 0;
}

void disc_sweep_stop(struct disc_sweep *sw)
{
    if (sw->stopping)
        return;
    sw->stopping = true;
    for (size_t i = 0; i < sw->o.targets->nhosts; i++)
        if (sw->hosts[i].state == HOST_PENDING)
            uv_cancel((uv_req_t *)&sw->hosts[i].req);
    for (unsigned i = 0; i < sw->nslots; i++) {
        struct slot *sl = &sw->slots[i];
        if (!sl->busy)
            continue;
        if (sl->sess && !sl->closing) {
            sl->closing = true;
            snmpc_session_close(sl->sess, on_closed, sl);
        } else if (!sl->sess && sl->waiting) {
            slot_release(sl);
        }
    }
    maybe_end(sw);
}

void disc_sweep_progress(const struct disc_sweep *sw, struct disc_progress *p)
{
    *p = sw->p;
    uint64_t now = uv_now(sw->loop);
    p->elapsed_s = (double)(now - sw->started_ms) / 1000.0;
    uint64_t fresh = p->done - sw->o.start_index;
    p->eta_s = fresh > 0 && p->total > p->done
                   ? p->elapsed_s * (double)(p->total - p->done) / (double)fresh
                   : (p->total == p->done ? 0 : -1);
}
