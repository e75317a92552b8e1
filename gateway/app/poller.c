/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Device poller and scheduler: keeps one SNMP session per registered device open on the loop
 * and polls each device at the intervals of its priority category.
 *
 * Two kinds of poll: a status poll reads only the cheap status and alert objects, a full poll
 * also reads identity, counters and supplies. With [poll] schedule = table5 the intervals come
 * from the reference's Table 5 (gw_sched_*: by fleet size and high/middle/low category); with
 * schedule = fixed every device uses [poll] alert_interval and interval. A device's category
 * follows its activity rating (pages printed, new alerts weighing fifty pages, halving every
 * 24 h) unless an admin pinned it.
 *
 * Timing: a 250 ms tick walks the device array and starts polls that are due, bounded by
 * [snmp] max_in_flight. Each device's first poll falls at a point of min(alert interval, 60 s)
 * fixed by its id, so a start never fires every device at once and a newcomer sees data within
 * a minute; afterwards each due time advances by the interval from the previous due time, not
 * from when the poll ran, so the spread is kept. A poll that starts more than one interval late
 * is counted as missed. An unreachable device is retried after an eighth of its alert interval
 * (10 s at most), then after twice as long each time, up to its alert interval. Failures are logged once per state change, not once per poll.
 * The first results after the start are summed up in one "first poll round" line (failures
 * still named one by one).
 *
 * Transports: a device registered as "wsd" (it answers only WS-Discovery) is polled at the same
 * cadence through soapc_info_get (DPWS metadata + WS-Print GetPrinterElements, blocking gSOAP on
 * libuv's worker pool), at most WSD_MAX_IN_FLIGHT at once since that pool has four threads shared
 * with sqlite and hashing. Every WSD poll reads everything WS-Print has (identity, state,
 * consumables); it maps PrinterState/Reasons onto the data model's status, conditions and
 * alerts, and consumables onto supplies. WS-Print has no counters.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include <uv.h>

#include "gateway/app/cli.h"
#include "snmp/snmpc.h"
#include "soap/soapc.h"

#define TICK_MS          250
#define FIRST_SPREAD_MS  60000u
#define BACKOFF_BASE_MS  10000u
#define LATENESS_SAMPLES 4096
#define MAX_ALERT_KEYS   32
/* SOAP polls block a worker-pool thread each; the pool has four, shared with sqlite and hashing. */
#define WSD_MAX_IN_FLIGHT 2

struct pdev {
    struct gw_poller *poller;
    struct { /* what polling needs of the registry entry */
        int64_t id;
        char *address;
        uint16_t port;
        int64_t credential_id;
        bool priority_pinned;
        bool wsd; /* polled over WS-Print */
        char *wsd_uuid, *wsd_xaddrs;
        bool has_page_count;
        uint64_t page_count_total;
    } dev;
    struct snmpc_session *sess;
    uv_getaddrinfo_t *gai; /* while a host name resolves */
    char ip[64];
    uint64_t alert_due_ms;   /* loop time of the next status poll */
    uint64_t counter_due_ms; /* loop time of the next full poll */
    uint64_t started_ms;     /* when the running poll started */
    bool polling, resolving, closing, removed, full;
    bool engine_shared_reported;
    int fails;      /* consecutive failures */
    char state[16]; /* last state we logged */
    enum gw_priority prio;
    double activity; /* rating at activity_ts */
    int64_t activity_ts;
    bool seen_alerts; /* alerts holds a previous poll's alerts */
    size_t n_alerts;
    struct {
        int index, code;
    } alerts[MAX_ALERT_KEYS];
};

struct gw_poller {
    struct gw_app *app;
    uv_timer_t tick;
    struct pdev **devs; /* sorted by device id */
    size_t n;
    unsigned in_flight;
    unsigned soap_in_flight; /* WSD polls on the worker pool */
    unsigned pending_close;  /* sessions and lookups still closing */
    size_t open_sessions;    /* each holds a UDP socket */
    size_t session_budget;   /* at most this many open, from the fd limit */
    size_t evict_hand;       /* where the search for an idle session to close goes on */
    uint64_t polls_ok, polls_failed, polls_missed, polls_full, polls_wsd;
    uint32_t lateness[LATENESS_SAMPLES]; /* ring of poll start lateness, ms */
    size_t n_lateness, lateness_pos;
    bool stopping, tick_closed;
    bool first_round_done; /* every device has had its first result since the start */
    uint64_t start_ms;     /* loop time of gw_poller_start() */
    json_t *engines;       /* engine ID hex -> device id, to spot shared engine IDs */
    void (*stop_cb)(struct gw_app *app);
};

/* Returns: the device's status and full poll intervals in ms, for its category and the fleet
 * size, or the fixed ones. */
static void intervals(const struct gw_poller *p, enum gw_priority prio, uint64_t *alert_ms,
                      uint64_t *counter_ms)
{
    const struct gw_cfg *cfg = &p->app->cfg;
    unsigned a, c;
    if (cfg->poll_schedule == GW_SCHEDULE_FIXED) {
        a = (unsigned)cfg->poll_alert_interval_s;
        c = (unsigned)cfg->poll_interval_s;
    } else {
        a = gw_sched_alert_interval((int)p->n, prio);
        c = gw_sched_counter_interval((int)p->n, prio);
    }
    *alert_ms = (uint64_t)a * 1000u;
    *counter_ms = (uint64_t)c * 1000u;
}

/* A fixed point in [0, span) per device: Fibonacci hashing spreads consecutive ids evenly. */
static uint64_t spread(int64_t id, uint64_t span)
{
    uint64_t h = (uint64_t)id * 11400714819323198485ull;
    return span ? (h >> 11) % span : 0;
}

static void pdev_free(struct pdev *pd)
{
    free(pd->dev.wsd_uuid);
    free(pd->dev.wsd_xaddrs);
    free(pd->dev.address);
    free(pd->gai);
    free(pd);
}

/* Takes the registry entry's fields polling uses; keeps what the poller has seen since. */
static void pdev_set(struct pdev *pd, const struct gw_device *d)
{
    if (!pd->dev.address || strcmp(pd->dev.address, d->address) != 0) {
        free(pd->dev.address);
        pd->dev.address = gw_strdup(d->address);
    }
    pd->dev.id = d->id;
    pd->dev.port = d->port;
    pd->dev.wsd = strcmp(d->transport, "wsd") == 0;
    free(pd->dev.wsd_uuid);
    free(pd->dev.wsd_xaddrs);
    pd->dev.wsd_uuid = gw_strdup(d->wsd_uuid);
    pd->dev.wsd_xaddrs = gw_strdup(d->wsd_xaddrs);
    pd->dev.credential_id = d->credential_id;
    pd->dev.priority_pinned = d->priority_pinned;
    if (d->has_page_count &&
        (!pd->dev.has_page_count || d->page_count_total > pd->dev.page_count_total)) {
        pd->dev.has_page_count = true;
        pd->dev.page_count_total = d->page_count_total;
    }
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
    pd->poller->open_sessions--;
    snmpc_session_close(pd->sess, session_closed, pd);
    pd->sess = NULL;
}

/* Once every device has a first result after the start, one line sums the round up: a fleet
 * of hundreds would otherwise start with one "device polled" line each. Failures are still
 * named one by one as they happen; devices added later are logged as before. */
static void first_round_check(struct gw_poller *p)
{
    static const char *const states[] = {"ok", "unreachable", "auth_failed", "error"};
    size_t count[sizeof states / sizeof states[0] + 1] = {0}, n = 0;
    char line[256];
    int len;
    for (size_t i = 0; i < p->n; i++) {
        const struct pdev *pd = p->devs[i];
        size_t k = 0;
        if (pd->removed)
            continue;
        if (!pd->state[0])
            return;
        while (k < sizeof states / sizeof states[0] && strcmp(pd->state, states[k]) != 0)
            k++;
        count[k]++;
        n++;
    }
    p->first_round_done = true;
    len = snprintf(line, sizeof line, "first poll round: %zu device%s, %zu ok", n,
                   n == 1 ? "" : "s", count[0]);
    for (size_t k = 1; k <= sizeof states / sizeof states[0]; k++)
        if (count[k] && len > 0 && (size_t)len < sizeof line)
            len += snprintf(line + len, sizeof line - (size_t)len, ", %zu %s", count[k],
                            k < sizeof states / sizeof states[0] ? states[k] : "other");
    gw_log_notice(SNMP, "%s seconds=%llu", line,
                  (unsigned long long)((uv_now(p->app->loop) - p->start_ms + 500) / 1000));
}

/* Logs a device's state only when it changes; per-poll repeats stay silent. */
static void set_state(struct pdev *pd, const char *state, int err, const char *detail)
{
    struct gw_poller *p = pd->poller;
    bool first_round = !pd->state[0] && !p->first_round_done;
    if (strcmp(pd->state, state) == 0)
        return;
    if (strcmp(state, "ok") == 0 && first_round)
        gw_log_debug(SNMP,
                     "device polled device=%lld address=%s transport=%s state=ok previous=new",
                     (long long)pd->dev.id, pd->dev.address, pd->dev.wsd ? "wsd" : "snmp");
    else if (strcmp(state, "ok") == 0)
        gw_log_notice(SNMP,
                      "device polled device=%lld address=%s transport=%s state=ok previous=%s",
                      (long long)pd->dev.id, pd->dev.address, pd->dev.wsd ? "wsd" : "snmp",
                      pd->state[0] ? pd->state : "new");
    else
        gw_log_warn(SNMP,
                    "device poll failed device=%lld address=%s transport=%s state=%s "
                    "err=\"%s\"%s%s",
                    (long long)pd->dev.id, pd->dev.address, pd->dev.wsd ? "wsd" : "snmp", state,
                    gw_strerror(err), detail && *detail ? " detail=" : "", detail ? detail : "");
    gw_bus_publish("device.state",
                   json_pack("{s:I, s:s, s:s}", "device_id", (json_int_t)pd->dev.id, "state", state,
                             "previous", pd->state[0] ? pd->state : "new"));
    gw_strlcpy(pd->state, state, sizeof pd->state);
    if (first_round)
        first_round_check(p);
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

static json_t *alert_json(int64_t device_id, const struct gw_alert *a, int index, int code)
{
    json_t *o =
        a ? json_pack("{s:i, s:i, s:i, s:i, s:s}", "index", a->index, "severity", a->severity,
                      "group", a->group, "code", a->code, "description", a->description)
          : json_pack("{s:i, s:i}", "index", index, "code", code);
    return json_pack("{s:I, s:o}", "device_id", (json_int_t)device_id, "alert", o);
}

/* Compares this poll's alerts with the previous poll's: publishes the new and the cleared ones
 * and returns how many are new. The first poll of a device only learns: its standing alerts
 * are not news. */
static unsigned diff_alerts(struct pdev *pd, const struct gw_model *m)
{
    unsigned fresh = 0;
    size_t n = m->n_alerts < MAX_ALERT_KEYS ? m->n_alerts : MAX_ALERT_KEYS;
    for (size_t i = 0; i < n; i++) {
        bool known = false;
        for (size_t j = 0; j < pd->n_alerts; j++)
            known |= pd->alerts[j].index == m->alerts[i].index &&
                     pd->alerts[j].code == m->alerts[i].code;
        if (!known && pd->seen_alerts) {
            fresh++;
            gw_bus_publish("alert.new", alert_json(pd->dev.id, &m->alerts[i], 0, 0));
        }
    }
    for (size_t j = 0; j < pd->n_alerts; j++) {
        bool still = false;
        for (size_t i = 0; i < n; i++)
            still |= pd->alerts[j].index == m->alerts[i].index &&
                     pd->alerts[j].code == m->alerts[i].code;
        if (!still)
            gw_bus_publish("alert.cleared",
                           alert_json(pd->dev.id, NULL, pd->alerts[j].index, pd->alerts[j].code));
    }
    for (size_t i = 0; i < n; i++) {
        pd->alerts[i].index = m->alerts[i].index;
        pd->alerts[i].code = m->alerts[i].code;
    }
    pd->n_alerts = n;
    pd->seen_alerts = true;
    return fresh;
}

/* Updates the activity rating from this poll and moves the device between categories. */
static void rate_activity(struct pdev *pd, const struct gw_model *m, int64_t now)
{
    double pages = 0;
    unsigned alerts = diff_alerts(pd, m);
    enum gw_priority before = pd->prio;
    if (m->has_page_count) {
        if (pd->dev.has_page_count && m->page_count_total > pd->dev.page_count_total)
            pages = (double)(m->page_count_total - pd->dev.page_count_total);
        pd->dev.has_page_count = true;
        if (m->page_count_total > pd->dev.page_count_total)
            pd->dev.page_count_total = m->page_count_total;
    }
    pd->activity =
        gw_activity_decay(pd->activity, pd->activity_ts, now) + pages + alerts * GW_ACTIVITY_ALERT;
    pd->activity_ts = now;
    if (!pd->dev.priority_pinned)
        pd->prio = gw_activity_priority(pd->activity);
    if (pd->prio != before) {
        uint64_t alert_ms, counter_ms, loop_now = uv_now(pd->poller->app->loop);
        gw_log_info(GW, "device priority changed device=%lld from=%s to=%s activity=%.1f",
                    (long long)pd->dev.id, gw_priority_name(before), gw_priority_name(pd->prio),
                    pd->activity);
        /* A device that became busier must not wait out its old, longer interval. */
        intervals(pd->poller, pd->prio, &alert_ms, &counter_ms);
        if (pd->alert_due_ms > loop_now + alert_ms)
            pd->alert_due_ms = loop_now + alert_ms;
        if (pd->counter_due_ms > loop_now + counter_ms)
            pd->counter_due_ms = loop_now + counter_ms;
    }
    if (pd->full || pd->prio != before || alerts)
        gw_device_save_schedule(pd->poller->app->db, pd->dev.id, gw_priority_name(pd->prio),
                                pd->activity, now, pd->full ? now : 0);
}

/* Moves a due time on by whole intervals from where it was, so polls keep their place in the
 * spread; intervals that passed without a poll are counted as missed. */
static uint64_t advance(struct gw_poller *p, uint64_t due, uint64_t interval, uint64_t now)
{
    due += interval;
    if (due <= now) {
        uint64_t skipped = (now - due) / interval + 1;
        p->polls_missed += skipped;
        due += skipped * interval;
    }
    return due;
}

/* Stores a successful poll's model and moves the schedule on. */
static void poll_ok(struct pdev *pd, struct gw_model *m)
{
    struct gw_poller *p = pd->poller;
    struct gw_app *app = p->app;
    uint64_t now = uv_now(app->loop), alert_ms, counter_ms;
    int64_t wall = gw_now();
    intervals(p, pd->prio, &alert_ms, &counter_ms);
    int rc = gw_store_poll_ok(app->db, pd->dev.id, m, wall);
    if (rc < 0)
        gw_log_err_r(DB, rc, "storing poll failed device=%lld", (long long)pd->dev.id);
    check_engine(pd, m->engine_id);
    rate_activity(pd, m, wall);
    p->polls_ok++;
    pd->fails = 0;
    gw_bus_publish("poll",
                   json_pack("{s:I, s:b, s:s, s:s}", "device_id", (json_int_t)pd->dev.id, "ok", 1,
                             "kind", pd->full ? "full" : "status", "status", "ok"));
    pd->alert_due_ms = advance(p, pd->alert_due_ms, alert_ms, now);
    if (pd->full) {
        p->polls_full++;
        pd->counter_due_ms = advance(p, pd->counter_due_ms, counter_ms, now);
    }
    set_state(pd, "ok", 0, NULL);
}

/* Records a failed poll (state "unreachable", "auth_failed" or "error") and schedules the
 * retry with backoff. */
static void poll_failed(struct pdev *pd, const char *state, int status, const char *detail)
{
    struct gw_poller *p = pd->poller;
    struct gw_app *app = p->app;
    uint64_t now = uv_now(app->loop), alert_ms, counter_ms;
    intervals(p, pd->prio, &alert_ms, &counter_ms);
    p->polls_failed++;
    pd->fails++;
    /* Retry sooner than a full interval, backing off: an eighth of the alert interval (at most
     * 10 s), then doubling up to the alert interval. A counter poll that was due moves to the retry,
     * which is then a full poll. */
    uint64_t base = alert_ms / 8 < BACKOFF_BASE_MS ? alert_ms / 8 : BACKOFF_BASE_MS;
    uint64_t backoff = base << (pd->fails < 16 ? pd->fails - 1 : 15);
    pd->alert_due_ms = now + (backoff < alert_ms ? backoff : alert_ms);
    if (pd->counter_due_ms < pd->alert_due_ms)
        pd->counter_due_ms = pd->alert_due_ms; /* the retry is then a full poll */
    gw_store_poll_failed(app->db, pd->dev.id, state, gw_now());
    gw_bus_publish("poll",
                   json_pack("{s:I, s:b, s:s, s:s, s:s}", "device_id", (json_int_t)pd->dev.id, "ok",
                             0, "kind", pd->full ? "full" : "status", "status", state, "error",
                             gw_strerror(status)));
    set_state(pd, state, status, detail);
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
    if (status == 0) {
        struct gw_model m;
        gw_model_init(&m);
        snmpc_model_decode(vbs, app->catalogue, &m);
        snmpc_session_engine_id(s, m.engine_id, sizeof m.engine_id);
        poll_ok(pd, &m);
        gw_model_cleanup(&m);
        return;
    }
    poll_failed(pd, state_for(status), status, detail);
    /* A host name may have moved to another address: re-resolve after repeated silence. */
    if (status == SNMPC_E_TIMEOUT && pd->fails % 3 == 0 && strcmp(pd->ip, pd->dev.address) != 0)
        pdev_close_session(pd);
}

static void note_lateness(struct gw_poller *p, uint64_t late_ms)
{
    p->lateness[p->lateness_pos] = late_ms > UINT32_MAX ? UINT32_MAX : (uint32_t)late_ms;
    p->lateness_pos = (p->lateness_pos + 1) % LATENESS_SAMPLES;
    if (p->n_lateness < LATENESS_SAMPLES)
        p->n_lateness++;
}

/* A poll that cannot even start (credential, session or XAddr error) waits an alert interval. */
static void defer(struct pdev *pd, const char *status, int err, const char *why)
{
    struct gw_app *app = pd->poller->app;
    uint64_t alert_ms, counter_ms;
    set_state(pd, status, err, why);
    gw_store_poll_failed(app->db, pd->dev.id, status, gw_now());
    intervals(pd->poller, pd->prio, &alert_ms, &counter_ms);
    pd->alert_due_ms = uv_now(app->loop) + alert_ms;
}

/* Counts a poll that has started (SNMP or WSD): its lateness, and a poll slot. */
static void poll_started(struct pdev *pd, uint64_t now)
{
    uint64_t due = pd->full ? pd->counter_due_ms : pd->alert_due_ms;
    note_lateness(pd->poller, now > due ? now - due : 0);
    pd->started_ms = now;
    pd->polling = true;
    pd->poller->in_flight++;
}

/* ---------------------------------------------------------------------------------------------
 * WSD devices: WS-Print status and consumables through soapc_info_get.
 */

/* A failed metadata read. Besides silence and refused connections, a SOAP fault or an HTTP
 * error from the device's own endpoint (its UUID path at its address) means the endpoint is
 * not there any more (printer gone, address taken by another host): unreachable too, as for an
 * SNMP device that stopped answering. Garbage in an answer is an error. */
static const char *wsd_state_for(int status)
{
    switch (status) {
    case SOAPC_E_FAULT:
    case SOAPC_E_HTTP:
    case SOAPC_E_TIMEOUT:
    case SOAPC_E_NO_XADDR:
    case -ETIMEDOUT:
    case -ECONNREFUSED:
    case -ECONNRESET:
    case -EHOSTUNREACH:
    case -ENETUNREACH:
        return "unreachable";
    default:
        return "error";
    }
}

static void wsd_done(void *arg, int status, const struct soapc_device_info *info)
{
    struct pdev *pd = arg;
    struct gw_poller *p = pd->poller;
    pd->polling = false;
    p->in_flight--;
    p->soap_in_flight--;
    p->pending_close--;
    /* The call cannot be cancelled: a device removed or a poller stopped meanwhile only drops
     * the answer. */
    if (pd->removed || p->stopping) {
        if (pd->removed)
            pdev_free(pd);
        maybe_stopped(p);
        return;
    }
    p->polls_wsd++;
    if (status == 0 && info->is_printer && !info->have_status) {
        poll_failed(pd, "error", SOAPC_E_NO_ELEMENTS, "GetPrinterElements gave no PrinterStatus");
        return;
    }
    if (status < 0) {
        char detail[600];
        snprintf(detail, sizeof detail, "xaddrs=%s", pd->dev.wsd_xaddrs);
        poll_failed(pd, wsd_state_for(status), status, detail);
        return;
    }
    struct gw_model m;
    gw_model_init(&m);
    soapc_model_decode(info, &m);
    poll_ok(pd, &m);
    gw_model_cleanup(&m);
}

/* Starts a WSD poll; at most WSD_MAX_IN_FLIGHT run at once, a device over the bound stays due
 * and the next tick tries again. */
static void start_wsd_poll(struct pdev *pd)
{
    struct gw_poller *p = pd->poller;
    struct gw_app *app = p->app;
    struct soapc_wsd_match m = {0};
    if (p->soap_in_flight >= WSD_MAX_IN_FLIGHT)
        return;
    gw_strlcpy(m.uuid, pd->dev.wsd_uuid, sizeof m.uuid);
    gw_strlcpy(m.xaddrs, pd->dev.wsd_xaddrs, sizeof m.xaddrs);
    /* soap/ calls only an XAddr on the address the device answered from: its registered one. */
    struct in_addr ia;
    if (pd->dev.address && inet_pton(AF_INET, pd->dev.address, &ia) == 1)
        m.from = ntohl(ia.s_addr);
    /* The SNMP timeout bounds each connect, send and receive of the SOAP exchange too. */
    unsigned timeout_ms =
        (unsigned)app->cfg.snmp_timeout_ms * ((unsigned)app->cfg.snmp_retries + 1);
    int rc = soapc_info_get(app->loop, &m, timeout_ms, wsd_done, pd);
    if (rc < 0) {
        char why[600];
        snprintf(why, sizeof why, "no usable XAddr in \"%s\" on the device's address %s",
                 pd->dev.wsd_xaddrs, pd->dev.address ? pd->dev.address : "-");
        defer(pd, "error", rc, why);
        return;
    }
    poll_started(pd, uv_now(app->loop));
    p->soap_in_flight++;
    p->pending_close++; /* the stop waits for the callback */
}

static void start_poll(struct pdev *pd)
{
    struct gw_poller *p = pd->poller;
    uint64_t now = uv_now(p->app->loop);
    int rc = snmpc_poll_start(pd->sess, pd->full ? SNMPC_POLL_FULL : SNMPC_POLL_STATUS,
                              p->app->catalogue, poll_done, pd);
    if (rc < 0) {
        uint64_t alert_ms, counter_ms;
        gw_log_err_r(SNMP, rc, "cannot start poll device=%lld", (long long)pd->dev.id);
        intervals(p, pd->prio, &alert_ms, &counter_ms);
        pd->alert_due_ms = now + alert_ms;
        return;
    }
    poll_started(pd, now);
}

/* One UDP socket per open session: a fleet larger than the process's fd limit allows keeps
 * only session_budget sessions open. Before one more opens, the first idle session found by a
 * hand that moves round the fleet is closed; polls are spread over the interval, so the hand
 * mostly finds devices whose next poll is far off. Reopening costs an SNMPv3 device one engine
 * discovery exchange. */
static void make_room(struct gw_poller *p)
{
    for (size_t tries = 0; p->open_sessions >= p->session_budget && tries < p->n; tries++) {
        struct pdev *pd = p->devs[p->evict_hand++ % p->n];
        if (pd->sess && !pd->polling && !pd->closing)
            pdev_close_session(pd);
    }
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
        defer(pd, "error", rc, eb.msg);
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
    make_room(pd->poller);
    rc = snmpc_session_new(app->loop, &t, &pd->sess, &eb);
    if (rc == 0)
        pd->poller->open_sessions++;
    gw_credential_cleanup(&c);
    if (rc < 0) {
        defer(pd, "error", rc, eb.msg);
        return;
    }
    start_poll(pd);
}

static void resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    struct pdev *pd = req->data;
    struct gw_poller *p = pd->poller;
    GW_FREE(pd->gai);
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
        char why[512];
        snprintf(why, sizeof why, "cannot resolve %s: %s", pd->dev.address, uv_strerror(status));
        uv_freeaddrinfo(res);
        defer(pd, "unreachable", SNMPC_E_TIMEOUT, why);
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

static void due(struct pdev *pd, uint64_t now)
{
    struct gw_poller *p = pd->poller;
    /* A full poll reads the status objects too, so a due full poll covers a due status poll. */
    pd->full = pd->counter_due_ms <= now;
    if (pd->dev.wsd) {
        start_wsd_poll(pd);
        return;
    }
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
    pd->gai = gw_calloc(1, sizeof *pd->gai);
    pd->gai->data = pd;
    if (uv_getaddrinfo(p->app->loop, pd->gai, resolved, pd->dev.address, NULL, &hints) == 0) {
        pd->resolving = true;
        p->pending_close++;
        p->in_flight++; /* a lookup holds a poll slot */
    } else {
        GW_FREE(pd->gai);
    }
}

static void on_tick(uv_timer_t *t)
{
    struct gw_poller *p = t->data;
    uint64_t now = uv_now(p->app->loop);
    unsigned max = (unsigned)p->app->cfg.snmp_max_in_flight;
    for (size_t i = 0; i < p->n && p->in_flight < max; i++) {
        struct pdev *pd = p->devs[i];
        if (pd->polling || pd->resolving || pd->closing)
            continue;
        if (pd->alert_due_ms <= now || pd->counter_due_ms <= now)
            due(pd, now);
    }
}

/* First due times of a device joining the poller: its status poll at its own point of the first
 * minute (or alert interval), its full poll then too unless the store says counters were read
 * recently, in which case it keeps that cadence across the restart. */
static struct pdev *pdev_new(struct gw_poller *p, const struct gw_device *d, uint64_t now,
                             int64_t wall)
{
    struct pdev *pd = gw_calloc(1, sizeof *pd);
    uint64_t alert_ms, counter_ms, first;
    pd->poller = p;
    pdev_set(pd, d);
    pd->activity = d->activity;
    pd->activity_ts = d->activity_ts ? d->activity_ts : wall;
    if (gw_priority_parse(d->priority, &pd->prio) < 0)
        pd->prio = GW_PRIO_HIGH;
    intervals(p, pd->prio, &alert_ms, &counter_ms);
    first = now + spread(d->id, alert_ms < FIRST_SPREAD_MS ? alert_ms : FIRST_SPREAD_MS);
    pd->alert_due_ms = first;
    pd->counter_due_ms = first;
    if (d->last_counter_poll > 0) {
        int64_t next = d->last_counter_poll + (int64_t)(counter_ms / 1000u) - wall;
        if (next > 0)
            pd->counter_due_ms = now + (uint64_t)next * 1000u;
    }
    return pd;
}

struct reload_ctx {
    struct gw_poller *p;
    struct pdev **next;
    size_t n, cap;
    size_t old_i;
    uint64_t now;
    int64_t wall;
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
        bool moved_transport = pd->dev.wsd != (strcmp(d->transport, "wsd") == 0);
        if (pd->dev.credential_id != d->credential_id || pd->dev.port != d->port ||
            strcmp(pd->dev.address, d->address) != 0 || moved_transport)
            pdev_close_session(pd);
        /* Another transport reads other things (SNMP: counters): a full poll at once, at the
         * next tick, then the usual cadence from there. */
        if (moved_transport) {
            pd->alert_due_ms = pd->counter_due_ms = rc->now;
            pd->fails = 0;
        }
        pdev_set(pd, d);
        if (d->priority_pinned)
            gw_priority_parse(d->priority, &pd->prio);
        else
            pd->prio =
                gw_activity_priority(gw_activity_decay(pd->activity, pd->activity_ts, rc->wall));
    } else {
        pd = pdev_new(p, d, rc->now, rc->wall);
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
    int err;
    if (!p || p->stopping)
        return 0;
    rc.now = uv_now(app->loop);
    rc.wall = gw_now();
    err = gw_device_foreach(app->db, reload_one, &rc);
    if (err < 0) {
        gw_log_err_r(DB, err, "cannot read the device registry");
        free(rc.next);
        return err;
    }
    /* Devices past the last registry id were removed. */
    struct gw_device sentinel = {.id = INT64_MAX, .priority = "high"};
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
    gw_log_info(GW, "device registry loaded devices=%zu schedule=%s", p->n,
                app->cfg.poll_schedule == GW_SCHEDULE_FIXED ? "fixed" : "table5");
    return 0;
}

int gw_poller_start(struct gw_app *app)
{
    struct gw_poller *p = gw_calloc(1, sizeof *p);
    struct rlimit rl;
    p->app = app;
    /* Keep 512 descriptors for the store, the web UI, the uplink and the control socket. */
    p->session_budget = 65536;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        p->session_budget = rl.rlim_cur > 1024 ? (size_t)rl.rlim_cur - 512 : rl.rlim_cur / 2;
    p->engines = json_object();
    app->poller = p;
    uv_timer_init(app->loop, &p->tick);
    p->tick.data = p;
    p->start_ms = uv_now(app->loop);
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
            uv_cancel((uv_req_t *)pd->gai);
        pdev_close_session(pd);
    }
    uv_close((uv_handle_t *)&p->tick, tick_closed);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

void gw_poller_status(struct gw_app *app, json_t *st)
{
    struct gw_poller *p = app->poller;
    size_t unreachable = 0, by_prio[3] = {0}, wsd = 0;
    uint32_t p99 = 0;
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->devs[i]->state, "unreachable") == 0)
            unreachable++;
        by_prio[p->devs[i]->prio]++;
        wsd += p->devs[i]->dev.wsd;
    }
    if (p->n_lateness) {
        uint32_t *tmp = gw_malloc(p->n_lateness * sizeof *tmp);
        memcpy(tmp, p->lateness, p->n_lateness * sizeof *tmp);
        qsort(tmp, p->n_lateness, sizeof *tmp, cmp_u32);
        p99 = tmp[(p->n_lateness * 99) / 100 < p->n_lateness ? (p->n_lateness * 99) / 100
                                                             : p->n_lateness - 1];
        free(tmp);
    }
    json_object_set_new(
        st, "schedule",
        json_string(app->cfg.poll_schedule == GW_SCHEDULE_FIXED ? "fixed" : "table5"));
    json_object_set_new(st, "polls_ok", json_integer((json_int_t)p->polls_ok));
    json_object_set_new(st, "polls_failed", json_integer((json_int_t)p->polls_failed));
    json_object_set_new(st, "polls_full", json_integer((json_int_t)p->polls_full));
    json_object_set_new(st, "polls_missed", json_integer((json_int_t)p->polls_missed));
    json_object_set_new(st, "polls_in_flight", json_integer(p->in_flight));
    json_object_set_new(st, "polls_wsd", json_integer((json_int_t)p->polls_wsd));
    json_object_set_new(st, "wsd_polls_in_flight", json_integer(p->soap_in_flight));
    json_object_set_new(
        st, "devices_by_transport",
        json_pack("{s:I, s:I}", "snmp", (json_int_t)(p->n - wsd), "wsd", (json_int_t)wsd));
    json_object_set_new(st, "sessions_open", json_integer((json_int_t)p->open_sessions));
    json_object_set_new(st, "sessions_budget", json_integer((json_int_t)p->session_budget));
    json_object_set_new(st, "poll_lateness_p99_ms", json_integer(p99));
    json_object_set_new(st, "devices_unreachable", json_integer((json_int_t)unreachable));
    json_object_set_new(st, "devices_by_priority",
                        json_pack("{s:I, s:I, s:I}", "high", (json_int_t)by_prio[GW_PRIO_HIGH],
                                  "middle", (json_int_t)by_prio[GW_PRIO_MIDDLE], "low",
                                  (json_int_t)by_prio[GW_PRIO_LOW]));
}

void gw_poller_device_json(struct gw_app *app, json_t *dev)
{
    struct gw_poller *p = app->poller;
    json_int_t id = json_integer_value(json_object_get(dev, "id"));
    uint64_t alert_ms, counter_ms;
    enum gw_priority prio = GW_PRIO_HIGH;
    struct pdev *pd = NULL;
    if (p) {
        size_t lo = 0, hi = p->n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (p->devs[mid]->dev.id < id)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < p->n && p->devs[lo]->dev.id == id)
            pd = p->devs[lo];
    }
    if (pd) {
        uint64_t now = uv_now(app->loop);
        uint64_t next =
            pd->alert_due_ms < pd->counter_due_ms ? pd->alert_due_ms : pd->counter_due_ms;
        char buf[21];
        prio = pd->prio;
        intervals(p, prio, &alert_ms, &counter_ms);
        json_object_set_new(dev, "priority", json_string(gw_priority_name(prio)));
        json_object_set_new(dev, "activity",
                            json_real(gw_activity_decay(pd->activity, pd->activity_ts, gw_now())));
        json_object_set_new(dev, "next_poll",
                            json_string(gw_time_iso(
                                gw_now() + (next > now ? (int64_t)(next - now) / 1000 : 0), buf)));
        json_object_set_new(
            dev, "next_poll_kind",
            json_string(pd->counter_due_ms <= pd->alert_due_ms ? "full" : "status"));
    } else {
        /* No daemon: what the schedule would be, from the stored category. */
        struct gw_poller tmp = {.app = app, .n = (size_t)gw_device_count(app->db)};
        gw_priority_parse(json_string_value(json_object_get(dev, "priority")), &prio);
        intervals(&tmp, prio, &alert_ms, &counter_ms);
        json_object_set_new(dev, "next_poll", json_null());
    }
    json_object_set_new(dev, "alert_interval_s", json_integer((json_int_t)(alert_ms / 1000)));
    json_object_set_new(dev, "counter_interval_s", json_integer((json_int_t)(counter_ms / 1000)));
}
