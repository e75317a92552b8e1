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
 * WS-Discovery (soap/) runs beside SNMP on the same slots. WS-Discovery is made for multicast on
 * the local segment, so target addresses inside the subnet of one of the gateway's up,
 * multicast-capable IPv4 interfaces are covered by a multicast Probe out of that interface, sent
 * 3 times MCAST_SPACING_MS apart (WS-Discovery's UDP retransmission), and get no directed Probe;
 * the ProbeMatches are kept by source address (only target addresses). Every other address gets
 * one directed Probe. All Probes are paced by the same token bucket as SNMP, so SNMP and WSD
 * packets together stay at pps. When the admin names an interface, one multicast Probe out of it
 * covers every target. Addresses covered by multicast wait for the last Probe's answers before
 * they are finished. A ProbeMatch leads to a metadata read (soapc_info_get on libuv's
 * worker pool, at most wsd_info_max at once). An address is finished when both its SNMP tries
 * and its WSD part (no match within wsd_timeout_ms, or the metadata read returned) are done;
 * only then is it reported, once, with SNMP's and WSD's findings merged, so a printer that
 * answers both is one printer "found by snmp+wsd".
 *
 * Progress is the number of finished addresses plus a checkpoint: every index below it is
 * finished. Slots finish out of order, so the checkpoint is the lowest index still in flight;
 * a resume from it repeats at most max_in_flight addresses.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "discovery/disc_int.h"
#include "soap/soapc.h"

#define TICK_MS 5
/* Responders to a multicast Probe wait up to 500 ms (APP_MAX_DELAY) before answering. */
#define MCAST_DELAY_MS   500
#define MCAST_MAX        8192 /* multicast ProbeMatches kept per sweep */
#define MCAST_ROUNDS     3    /* multicast Probes per interface (automatic mode) */
#define MCAST_SPACING_MS 750

enum wsd_state {
    WSD_NONE,    /* no WSD part (off, or already done) */
    WSD_SEND,    /* needs a token to send its directed Probe */
    WSD_WAIT,    /* waiting for a ProbeMatch until wsd_deadline */
    WSD_MATCHED, /* has a ProbeMatch, waits for a metadata read to be free */
    WSD_FETCH,   /* metadata read under way */
};

struct slot {
    struct disc_sweep *sw;
    bool busy;    /* holds an address */
    bool waiting; /* needs a token to try its next credential */
    bool closing; /* its session is being closed */
    bool answered;
    bool finished;  /* no more credentials to try */
    bool snmp_done; /* no more SNMP for this address */
    uint64_t index;
    uint32_t addr;
    size_t cred_i;
    struct snmpc_session *sess;
    /* What the address said: SNMP identity (any agent that answered a poll), WSD match and
     * metadata. Heap, only while held; reported and freed when the address is finished. */
    struct gw_model *model;
    size_t model_cred;
    enum wsd_state wsd;
    bool mcast_wait; /* WSD_WAIT for the multicast Probes' answers (deadline: mcast_until) */
    uint64_t wsd_deadline;
    struct soapc_wsd_match *match;
    struct soapc_device_info *info;
};

/* A ProbeMatch of the multicast Probe, by source address. */
struct mcast_match {
    uint32_t addr;
    struct soapc_wsd_match m;
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
    /* WS-Discovery */
    struct soapc_probe *probe; /* NULL without WSD (or when it could not open) */
    bool wsd_on;               /* the Probe socket opened */
    uint64_t hosts_failed;     /* host name targets that did not resolve */
    char wsd_if[16];
    bool mcast_all; /* the admin named an interface: one multicast Probe covers everything */
    /* Interfaces the multicast Probes go out of; none: no target is covered by multicast. */
    struct disc_subnet nets[DISC_WSD_IF_MAX];
    unsigned nnets;
    struct disc_range *cov; /* target ranges covered by multicast (automatic mode) */
    size_t ncov;
    unsigned mcast_rounds;  /* rounds to send */
    unsigned mcast_sent;    /* Probes sent (rounds x nnets) */
    uint64_t mcast_next;    /* when the next round is due */
    uint64_t mcast_until;   /* multicast matches are awaited until then (once all are sent) */
    struct mcast_match *mm; /* multicast matches received, sorted by address */
    size_t nmm;
    unsigned info_active; /* soapc_info_get() calls whose callback is still due */
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
    snmpc_catalogue_free(sw->o.cat);
    free(sw->slots);
    free(sw->hosts);
    free(sw->mm);
    free(sw->cov);
    free(sw);
}

static void end_now(struct disc_sweep *sw)
{
    uv_timer_stop(&sw->timer);
    uv_close((uv_handle_t *)&sw->timer, on_timer_closed);
}

static void on_probe_closed(void *arg)
{
    end_now(arg);
}

/* Ends the sweep once nothing is in flight and nothing is left (or it was stopped). */
static void maybe_end(struct disc_sweep *sw)
{
    if (sw->ending || sw->busy > 0 || sw->resolving > 0 || sw->info_active > 0)
        return;
    if (!sw->stopping && sw->cursor < sw->p.total)
        return;
    sw->ending = true;
    sw->status = sw->stopping ? -ECANCELED : 0;
    if (sw->probe) {
        struct soapc_probe *p = sw->probe;
        sw->probe = NULL;
        soapc_probe_close(p, on_probe_closed, sw);
    } else {
        end_now(sw);
    }
}

static bool types_say_printer(const char *types)
{
    return types && strcasestr(types, "print") != NULL;
}

/* Reports what the finished address said, merged: SNMP identity first, WSD filling gaps. */
static void slot_report(struct slot *sl)
{
    struct disc_sweep *sw = sl->sw;
    bool wsd_printer =
        sl->match && (sl->info ? sl->info->is_printer || types_say_printer(sl->match->types)
                               : types_say_printer(sl->match->types));
    bool snmp_printer = sl->model && sl->model->is_printer;
    if (!snmp_printer && !wsd_printer)
        return;
    struct gw_model wm;
    struct gw_model *m = sl->model;
    if (!m) {
        gw_model_init(&wm);
        m = &wm;
    }
    /* The WSD metadata and print service fill what SNMP did not say. */
    if (sl->info)
        soapc_model_decode(sl->info, m);
    m->is_printer = true;
    char addr[16];
    const struct gw_credential *c = sl->model ? &sw->o.creds[sl->model_cred] : NULL;
    struct disc_found f = {
        .addr = sl->addr,
        .address = disc_addr_format(sl->addr, addr, sizeof addr),
        .credential_index = c ? sl->model_cred : 0,
        .credential = c ? c->name : "",
        .how = c ? how_name(c->version) : "wsd",
        .found_by = !sl->match  ? "snmp"
                    : sl->model ? "snmp+wsd"
                                : "wsd",
        .uuid = sl->match ? sl->match->uuid : "",
        .xaddrs = sl->match ? sl->match->xaddrs : "",
        .model = m,
    };
    sw->p.printers++;
    if (sw->o.found_cb)
        sw->o.found_cb(sw, &f, sw->o.arg);
    if (m == &wm)
        gw_model_cleanup(&wm);
}

static void slot_release(struct slot *sl)
{
    struct disc_sweep *sw = sl->sw;
    if (!sw->stopping)
        slot_report(sl);
    if (sl->model) {
        gw_model_cleanup(sl->model);
        GW_FREE(sl->model);
    }
    GW_FREE(sl->match);
    GW_FREE(sl->info);
    sl->busy = false;
    sl->waiting = false;
    sw->busy--;
    sw->p.done++;
    update_checkpoint(sw);
    maybe_end(sw);
}

/* Releases the slot once both its SNMP and its WSD part are done. */
static void slot_maybe_release(struct slot *sl)
{
    if (sl->busy && sl->snmp_done && sl->wsd == WSD_NONE)
        slot_release(sl);
}

static void on_closed(void *arg)
{
    struct slot *sl = arg;
    sl->sess = NULL;
    sl->closing = false;
    if (sl->finished || sl->sw->stopping || ++sl->cred_i >= sl->sw->o.ncreds) {
        sl->snmp_done = true;
        slot_maybe_release(sl);
    } else {
        sl->waiting = true; /* the timer gives it a token for the next credential */
    }
}

static void on_info(void *arg, int status, const struct soapc_device_info *info)
{
    struct slot *sl = arg;
    struct disc_sweep *sw = sl->sw;
    sw->info_active--;
    if (status == 0) {
        sl->info = gw_malloc(sizeof(*sl->info));
        *sl->info = *info;
    } else {
        unsigned suppressed;
        char addr[16];
        if (gw_log_limit(&sw->log_limit, uv_now(sw->loop), &suppressed))
            gw_log_info(DISC, "wsd metadata read failed address=%s err=%s suppressed=%u",
                        disc_addr_format(sl->addr, addr, sizeof addr), gw_strerror(status),
                        suppressed);
    }
    sl->wsd = WSD_NONE;
    slot_maybe_release(sl);
    maybe_end(sw); /* a stopped sweep waits for every metadata read */
}

/* Starts the metadata read of a matched slot when one is free. */
static void slot_fetch(struct slot *sl)
{
    struct disc_sweep *sw = sl->sw;
    if (sw->info_active >= sw->o.wsd_info_max)
        return;
    /* soap/'s own timeout (5 s per step): a printer that answered is worth the wait. */
    if (soapc_info_get(sw->loop, sl->match, 0, on_info, sl) == 0) {
        sw->info_active++;
        sl->wsd = WSD_FETCH;
        return;
    }
    /* No usable XAddr: the ProbeMatch alone is what WSD says. */
    sl->wsd = WSD_NONE;
    slot_maybe_release(sl);
}

static void slot_matched(struct slot *sl, const struct soapc_wsd_match *m)
{
    sl->match = gw_malloc(sizeof(*sl->match));
    *sl->match = *m;
    sl->sw->p.wsd_responders++;
    sl->wsd = WSD_MATCHED;
    slot_fetch(sl);
}

/* Returns: the index of the first multicast match at or above addr. */
static size_t mcast_pos(const struct disc_sweep *sw, uint32_t addr)
{
    size_t lo = 0, hi = sw->nmm;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sw->mm[mid].addr < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const struct mcast_match *mcast_find(const struct disc_sweep *sw, uint32_t addr)
{
    size_t i = mcast_pos(sw, addr);
    return i < sw->nmm && sw->mm[i].addr == addr ? &sw->mm[i] : NULL;
}

static bool in_nets(const struct disc_sweep *sw, uint32_t addr)
{
    for (unsigned i = 0; i < sw->nnets; i++)
        if ((addr & sw->nets[i].mask) == (sw->nets[i].addr & sw->nets[i].mask))
            return true;
    return false;
}

/* Returns: whether the address at index is covered by the multicast Probes. */
static bool mcast_covers(const struct disc_sweep *sw, uint64_t index, uint32_t addr)
{
    if (sw->nnets == 0)
        return false;
    if (sw->mcast_all)
        return true;
    if (index < sw->o.targets->count)
        return disc__ranges_has(sw->cov, sw->ncov, addr);
    return in_nets(sw, addr); /* a host name target */
}

/* Returns: whether a multicast ProbeMatch from addr is one the sweep takes: an address of the
 * targets (excludes removed) that the multicast Probes cover. */
static bool mcast_wanted(const struct disc_sweep *sw, uint32_t addr)
{
    const struct disc_targets *t = sw->o.targets;
    if (disc__ranges_has(t->ranges, t->nranges, addr))
        return mcast_covers(sw, 0, addr);
    for (size_t i = 0; i < t->nhosts; i++)
        if (sw->hosts[i].state == HOST_OK && sw->hosts[i].addr == addr)
            return mcast_covers(sw, t->count + i, addr);
    return false;
}

static void on_match(void *arg, const struct soapc_wsd_match *m)
{
    struct disc_sweep *sw = arg;
    if (sw->stopping || !m->uuid[0])
        return;
    if (sw->nnets > 0 && mcast_wanted(sw, m->from)) {
        /* Kept for addresses the sweep reaches later; the first match of an address wins. */
        size_t at = mcast_pos(sw, m->from);
        if ((at < sw->nmm && sw->mm[at].addr == m->from) || sw->nmm >= MCAST_MAX)
            return;
        sw->mm = gw_realloc(sw->mm, (sw->nmm + 1) * sizeof(*sw->mm));
        memmove(&sw->mm[at + 1], &sw->mm[at], (sw->nmm - at) * sizeof(*sw->mm));
        sw->mm[at].addr = m->from;
        sw->mm[at].m = *m;
        sw->nmm++;
    }
    /* Duplicates (a device answering twice, or a match after the wait) are dropped: only a
     * slot still waiting takes it. */
    for (unsigned i = 0; i < sw->nslots; i++) {
        struct slot *sl = &sw->slots[i];
        if (sl->busy && sl->addr == m->from && sl->wsd == WSD_WAIT) {
            slot_matched(sl, m);
            return;
        }
    }
}

/* Sends sl's directed Probe. Takes one token. */
static void slot_probe(struct slot *sl)
{
    struct disc_sweep *sw = sl->sw;
    sw->tokens -= 1.0;
    sw->p.packets++;
    sw->p.wsd_packets++;
    int rc = soapc_probe_unicast(sw->probe, sl->addr);
    if (rc < 0) {
        unsigned suppressed;
        char addr[16];
        if (gw_log_limit(&sw->log_limit, uv_now(sw->loop), &suppressed))
            gw_log_info(DISC, "wsd probe not sent address=%s err=%s suppressed=%u",
                        disc_addr_format(sl->addr, addr, sizeof addr), gw_strerror(rc), suppressed);
        sl->wsd = WSD_NONE;
        slot_maybe_release(sl);
        return;
    }
    sl->wsd = WSD_WAIT;
    sl->wsd_deadline = uv_now(sw->loop) + sw->o.wsd_timeout_ms;
}

static bool mcast_done(const struct disc_sweep *sw)
{
    return sw->mcast_sent >= sw->mcast_rounds * sw->nnets;
}

/* Sends the multicast Probes that are due, one token each: every interface once per round. */
static void mcast_tick(struct disc_sweep *sw, uint64_t now)
{
    while (!mcast_done(sw) && now >= sw->mcast_next && sw->tokens >= 1.0) {
        const struct disc_subnet *n = &sw->nets[sw->mcast_sent % sw->nnets];
        char ifaddr[16];
        disc_addr_format(n->addr, ifaddr, sizeof ifaddr);
        sw->tokens -= 1.0;
        sw->p.packets++;
        sw->p.wsd_packets++;
        int rc = soapc_probe_multicast(sw->probe, ifaddr);
        if (rc < 0)
            gw_log_warn(DISC, "wsd multicast probe failed interface=%s address=%s err=%s", n->name,
                        ifaddr, gw_strerror(rc));
        sw->mcast_sent++;
        if (sw->mcast_sent % sw->nnets == 0)
            sw->mcast_next = now + MCAST_SPACING_MS;
        if (mcast_done(sw))
            sw->mcast_until = now + sw->o.wsd_timeout_ms + MCAST_DELAY_MS;
    }
}

/* The WSD part of a new address. */
static void slot_wsd_begin(struct slot *sl)
{
    struct disc_sweep *sw = sl->sw;
    sl->wsd = WSD_NONE;
    if (!sw->probe)
        return;
    if (!mcast_covers(sw, sl->index, sl->addr)) {
        sl->wsd = WSD_SEND;
        return;
    }
    const struct mcast_match *mm = mcast_find(sw, sl->addr);
    if (mm) {
        slot_matched(sl, &mm->m);
    } else if (!mcast_done(sw) || uv_now(sw->loop) < sw->mcast_until) {
        sl->wsd = WSD_WAIT;
        sl->mcast_wait = true;
    }
}

/* WSD work the timer does: sends due Probes (with tokens), starts queued metadata reads and
 * ends waits that timed out. */
static void wsd_tick(struct disc_sweep *sw, uint64_t now)
{
    if (sw->nnets > 0)
        mcast_tick(sw, now);
    bool mdone = mcast_done(sw);
    for (unsigned i = 0; i < sw->nslots; i++) {
        struct slot *sl = &sw->slots[i];
        if (!sl->busy)
            continue;
        if (sl->wsd == WSD_SEND && sw->tokens >= 1.0)
            slot_probe(sl);
        else if (sl->wsd == WSD_MATCHED)
            slot_fetch(sl);
        else if (sl->wsd == WSD_WAIT &&
                 (sl->mcast_wait ? mdone && now >= sw->mcast_until : now >= sl->wsd_deadline)) {
            sl->wsd = WSD_NONE;
            slot_maybe_release(sl);
        }
    }
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
        /* Kept until the address's WSD part is done too; reported then (slot_report). */
        if (!sl->model) {
            sl->model = gw_malloc(sizeof(*sl->model));
            gw_model_init(sl->model);
            snmpc_model_decode(vbs, sw->o.cat, sl->model);
            snmpc_session_engine_id(s, sl->model->engine_id, sizeof sl->model->engine_id);
            sl->model_cred = sl->cred_i;
        }
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
    if (sw->probe)
        wsd_tick(sw, now);

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
        slot_wsd_begin(sl);
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
        if (mcast_covers(sw, sw->o.targets->count + i, h->addr) && !sw->mcast_all)
            sw->p.wsd_multicast_addrs++;
    }
    if (h->state == HOST_FAILED)
        sw->hosts_failed++;
    if (h->state == HOST_FAILED && status != UV_ECANCELED) {
        gw_log_warn(DISC, "sweep target not resolved host=%s err=%s", sw->o.targets->hosts[i],
                    status ? uv_strerror(status) : "no IPv4 address");
    }
    uv_freeaddrinfo(res);
    sw->resolving--;
    maybe_end(sw);
}

bool disc__ranges_has(const struct disc_range *r, size_t n, uint32_t addr)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r[mid].last < addr)
            lo = mid + 1;
        else if (r[mid].first > addr)
            hi = mid;
        else
            return true;
    }
    return false;
}

static int range_cmp(const void *a, const void *b)
{
    const struct disc_range *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first;
}

void disc__wsd_split(const struct disc_range *r, size_t n, const struct disc_subnet *nets,
                     size_t nnets, struct disc_range **covered, size_t *ncovered, uint64_t *count,
                     bool *used)
{
    struct disc_range *out = NULL;
    size_t nout = 0, cap = 0;
    for (size_t j = 0; j < nnets; j++) {
        uint32_t lo = nets[j].addr & nets[j].mask, hi = lo | ~nets[j].mask;
        used[j] = false;
        for (size_t i = 0; i < n; i++) {
            if (r[i].last < lo || r[i].first > hi)
                continue;
            if (nout == cap) {
                cap = cap ? cap * 2 : 8;
                out = gw_realloc(out, cap * sizeof(*out));
            }
            out[nout].first = r[i].first > lo ? r[i].first : lo;
            out[nout++].last = r[i].last < hi ? r[i].last : hi;
            used[j] = true;
        }
    }
    /* Subnets may overlap (two interfaces on one subnet): sort and merge. */
    if (nout > 1)
        qsort(out, nout, sizeof(*out), range_cmp);
    size_t m = 0;
    *count = 0;
    for (size_t i = 0; i < nout; i++) {
        if (m > 0 && out[i].first <= out[m - 1].last) {
            if (out[i].last > out[m - 1].last)
                out[m - 1].last = out[i].last;
        } else {
            out[m++] = out[i];
        }
    }
    for (size_t i = 0; i < m; i++)
        *count += (uint64_t)out[i].last - out[i].first + 1;
    *covered = m ? out : NULL;
    if (!m)
        free(out);
    *ncovered = m;
}

int disc__mcast_subnets(struct disc_subnet *nets, size_t max)
{
    struct ifaddrs *ifa;
    if (getifaddrs(&ifa) < 0)
        return -errno;
    size_t n = 0;
    for (struct ifaddrs *i = ifa; i && n < max; i = i->ifa_next) {
        if (!i->ifa_addr || !i->ifa_netmask || i->ifa_addr->sa_family != AF_INET ||
            !(i->ifa_flags & IFF_UP) || !(i->ifa_flags & IFF_MULTICAST))
            continue;
        struct sockaddr_in a, m;
        memcpy(&a, i->ifa_addr, sizeof a);
        memcpy(&m, i->ifa_netmask, sizeof m);
        if (m.sin_addr.s_addr == 0)
            continue; /* no subnet to speak of */
        gw_strlcpy(nets[n].name, i->ifa_name, sizeof nets[n].name);
        nets[n].addr = ntohl(a.sin_addr.s_addr);
        nets[n].mask = ntohl(m.sin_addr.s_addr);
        n++;
    }
    freeifaddrs(ifa);
    return (int)n;
}

static unsigned mask_prefix(uint32_t mask)
{
    unsigned n = 0;
    while (n < 32 && (mask & (0x80000000u >> n)))
        n++;
    return n;
}

/* Decides how WS-Discovery is done: which targets multicast covers and out of which
 * interfaces. */
static void wsd_plan(struct disc_sweep *sw)
{
    const struct disc_targets *t = sw->o.targets;
    struct disc_subnet all[DISC_WSD_IF_MAX];
    int n = disc__mcast_subnets(all, DISC_WSD_IF_MAX);
    if (n < 0) {
        gw_log_warn(DISC, "wsd interfaces not listed, directed probes only err=%s", gw_strerror(n));
        n = 0;
    }
    if (sw->wsd_if[0]) {
        uint32_t a = 0;
        const char *why;
        (void)disc_addr_parse(sw->wsd_if, &a, &why); /* checked by the caller */
        struct disc_subnet *d = &sw->nets[0];
        memset(d, 0, sizeof(*d));
        d->addr = a;
        for (int i = 0; i < n; i++)
            if (all[i].addr == a)
                *d = all[i];
        sw->nnets = 1;
        sw->mcast_all = true;
        sw->mcast_rounds = 1;
        sw->p.wsd_multicast_addrs = t->count + t->nhosts;
    } else if (n > 0) {
        bool used[DISC_WSD_IF_MAX];
        disc__wsd_split(t->ranges, t->nranges, all, (size_t)n, &sw->cov, &sw->ncov,
                        &sw->p.wsd_multicast_addrs, used);
        for (int i = 0; i < n; i++)
            if (used[i])
                sw->nets[sw->nnets++] = all[i];
        sw->mcast_rounds = MCAST_ROUNDS;
    }
    char list[DISC_WSD_IF_MAX * 40] = "";
    for (unsigned i = 0; i < sw->nnets; i++) {
        struct disc_wsd_if *w = &sw->p.wsd_if[i];
        gw_strlcpy(w->name, sw->nets[i].name, sizeof w->name);
        disc_addr_format(sw->nets[i].addr, w->address, sizeof w->address);
        w->prefix = mask_prefix(sw->nets[i].mask);
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s/%s/%u", i ? "," : "", w->name, w->address,
                 w->prefix);
    }
    sw->p.wsd_nif = sw->nnets;
    gw_log_info(DISC, "wsd plan multicast_addrs=%llu total=%llu interfaces=%s",
                (unsigned long long)sw->p.wsd_multicast_addrs,
                (unsigned long long)(t->count + t->nhosts), sw->nnets ? list : "none");
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
    sw->o.cat = snmpc_catalogue_ref(o->cat);
    if (!sw->o.pps)
        sw->o.pps = 500;
    if (!sw->o.timeout_ms)
        sw->o.timeout_ms = 1000;
    if (!sw->o.max_in_flight)
        sw->o.max_in_flight = default_in_flight(sw->o.pps, sw->o.timeout_ms);
    if (!sw->o.deadline_ms)
        sw->o.deadline_ms = 15000;
    if (!sw->o.wsd_port)
        sw->o.wsd_port = SOAPC_WSD_PORT;
    if (!sw->o.wsd_timeout_ms)
        sw->o.wsd_timeout_ms = sw->o.timeout_ms;
    if (!sw->o.wsd_info_max)
        sw->o.wsd_info_max = 4;
    if (o->wsd_interface)
        gw_strlcpy(sw->wsd_if, o->wsd_interface, sizeof sw->wsd_if);
    sw->o.wsd_interface = NULL; /* copied into wsd_if */
    if (sw->o.wsd) {
        struct soapc_probe_opts po = {
            .port = sw->o.wsd_port,
            .bind_addr = sw->wsd_if[0] ? sw->wsd_if : NULL,
        };
        int rc = soapc_probe_new(loop, &po, on_match, sw, &sw->probe);
        if (rc < 0)
            gw_log_warn(DISC, "wsd probe socket not opened, sweeping with SNMP only err=%s",
                        gw_strerror(rc));
        sw->wsd_on = sw->probe != NULL;
    }
    sw->nslots = sw->o.max_in_flight;
    sw->slots = gw_calloc(sw->nslots, sizeof(*sw->slots));
    sw->log_limit.interval_ms = 60000;
    sw->p.total = o->targets->count + o->targets->nhosts;
    if (sw->wsd_on)
        wsd_plan(sw);
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
        /* A metadata read under way cannot be cancelled: its callback releases the slot. */
        if (sl->wsd != WSD_FETCH)
            sl->wsd = WSD_NONE;
        if (sl->sess && !sl->closing) {
            sl->closing = true;
            snmpc_session_close(sl->sess, on_closed, sl);
        } else if (!sl->sess && (sl->waiting || sl->snmp_done)) {
            sl->snmp_done = true;
            slot_maybe_release(sl);
        }
    }
    maybe_end(sw);
}

void disc_sweep_progress(const struct disc_sweep *sw, struct disc_progress *p)
{
    *p = sw->p;
    uint64_t known = p->total - sw->hosts_failed;
    p->wsd_mode = !sw->wsd_on                       ? "off"
                  : p->wsd_multicast_addrs == 0     ? "directed"
                  : p->wsd_multicast_addrs >= known ? "multicast"
                                                    : "mixed";
    uint64_t now = uv_now(sw->loop);
    p->elapsed_s = (double)(now - sw->started_ms) / 1000.0;
    uint64_t fresh = p->done - sw->o.start_index;
    p->eta_s = fresh > 0 && p->total > p->done
                   ? p->elapsed_s * (double)(p->total - p->done) / (double)fresh
                   : (p->total == p->done ? 0 : -1);
}

void disc_progress_wsd_json(const struct disc_progress *p, json_t *o)
{
    json_t *a = json_array();
    for (unsigned i = 0; i < p->wsd_nif && i < DISC_WSD_IF_MAX; i++)
        json_array_append_new(a,
                              json_pack("{s:s, s:s, s:i}", "name", p->wsd_if[i].name, "address",
                                        p->wsd_if[i].address, "prefix", (int)p->wsd_if[i].prefix));
    json_object_set_new(o, "wsd_mode", json_string(p->wsd_mode ? p->wsd_mode : "off"));
    json_object_set_new(o, "wsd_interfaces", a);
}

char *disc_progress_wsd_text(const struct disc_progress *p, char *buf, size_t len)
{
    size_t l = (size_t)snprintf(buf, len, "%s", p->wsd_mode ? p->wsd_mode : "off");
    for (unsigned i = 0; i < p->wsd_nif && i < DISC_WSD_IF_MAX && l < len; i++) {
        const struct disc_wsd_if *w = &p->wsd_if[i];
        l += (size_t)snprintf(buf + l, len - l, "%s%s%s%s", i ? ", " : " via ", w->name,
                              w->name[0] ? " " : "", w->address);
        if (w->prefix && l < len)
            l += (size_t)snprintf(buf + l, len - l, "/%u", w->prefix);
    }
    return buf;
}
