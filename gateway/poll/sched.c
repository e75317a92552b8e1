/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The scheduler: when each registered device is polled, by which driver, and how many at once.
 *
 * Two kinds of poll: a status poll reads only the cheap status and alert objects, a full poll
 * also reads identity, counters and supplies. With [poll] schedule = table5 the intervals come
 * from the reference's Table 5 (gw_sched_*: by fleet size and high/middle/low category); with
 * schedule = fixed every device uses [poll] alert_interval and interval. A device's category
 * follows its activity rating (result.c) unless an admin pinned it.
 *
 * Timing: a 250 ms tick walks the device array and starts polls that are due, bounded by
 * [snmp] max_in_flight. Each device's first poll falls at a point of min(alert interval, 60 s)
 * fixed by its id, so a start never fires every device at once and a newcomer sees data within
 * a minute; afterwards each due time advances by the interval from the previous due time, not
 * from when the poll ran, so the spread is kept. A poll that starts more than one interval late
 * is counted as missed. A failed device is retried after an eighth of its alert interval (10 s
 * at most), then after twice as long each time, up to its alert interval.
 *
 * The scheduler knows no transport: a device's registry transport picks the driver of that
 * name (gw_poll.h), which may say it is busy (the device stays due) and ends every poll it
 * started with one gw_poll_done(). Time comes from struct gw_poll_clock, so the unit tests
 * (tests/unit/poll/) drive it with a fake clock.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/poll/gw_poll_int.h"

/* ---------------------------------------------------------------------------------------------
 * The default clock: libuv's loop time and a uv_timer_t.
 */
static uint64_t uv_clock_now(void *arg)
{
    return uv_now(((struct gw_poll *)arg)->env.loop);
}

static int64_t uv_clock_wall(void *arg)
{
    (void)arg;
    return gw_now();
}

static void uv_clock_fired(uv_timer_t *t)
{
    struct gw_poll *p = t->data;
    p->uv_tick(p->uv_tick_data);
}

static int uv_clock_start(void *arg, uint64_t period_ms, void (*tick)(void *), void *data)
{
    struct gw_poll *p = arg;
    p->uv_timer = gw_calloc(1, sizeof *p->uv_timer);
    uv_timer_init(p->env.loop, p->uv_timer);
    p->uv_timer->data = p;
    p->uv_tick = tick;
    p->uv_tick_data = data;
    return uv_timer_start(p->uv_timer, uv_clock_fired, 0, period_ms);
}

static void uv_clock_handle_closed(uv_handle_t *h)
{
    struct gw_poll *p = h->data;
    free(h);
    p->uv_closed(p->uv_closed_data);
}

static void uv_clock_close(void *arg, void (*closed)(void *), void *data)
{
    struct gw_poll *p = arg;
    p->uv_closed = closed;
    p->uv_closed_data = data;
    uv_close((uv_handle_t *)p->uv_timer, uv_clock_handle_closed);
    p->uv_timer = NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Devices
 */
void gw_poll_intervals(const struct gw_cfg *cfg, size_t n, enum gw_priority prio,
                       uint64_t *alert_ms, uint64_t *counter_ms)
{
    unsigned a, c;
    if (cfg->poll_schedule == GW_SCHEDULE_FIXED) {
        a = (unsigned)cfg->poll_alert_interval_s;
        c = (unsigned)cfg->poll_interval_s;
    } else {
        a = gw_sched_alert_interval((int)n, prio);
        c = gw_sched_counter_interval((int)n, prio);
    }
    *alert_ms = (uint64_t)a * 1000u;
    *counter_ms = (uint64_t)c * 1000u;
}

static void intervals(const struct gw_poll_dev *d, uint64_t *alert_ms, uint64_t *counter_ms)
{
    gw_poll_intervals(d->poll->env.cfg, d->poll->n, d->prio, alert_ms, counter_ms);
}

/* A fixed point in [0, span) per device: Fibonacci hashing spreads consecutive ids evenly. */
static uint64_t spread(int64_t id, uint64_t span)
{
    uint64_t h = (uint64_t)id * 11400714819323198485ull;
    return span ? (h >> 11) % span : 0;
}

const struct gw_poll_target *gw_poll_dev_target(const struct gw_poll_dev *d)
{
    return &d->t;
}

void *gw_poll_dev_data(const struct gw_poll_dev *d)
{
    return d->drv_data;
}

void gw_poll_dev_set_data(struct gw_poll_dev *d, void *data)
{
    d->drv_data = data;
}

static void dev_free(struct gw_poll_dev *d)
{
    free((char *)d->t.address);
    free((char *)d->t.wsd_uuid);
    free((char *)d->t.wsd_xaddrs);
    free(d);
}

static struct gw_poll_driver *driver_for(const struct gw_poll *p, const char *transport)
{
    for (size_t i = 0; i < p->n_drivers; i++)
        if (strcmp(p->drivers[i]->name, transport) == 0)
            return p->drivers[i];
    return p->drivers[0];
}

/* The driver lets go of what it keeps for the device (its session). */
static void dev_forget(struct gw_poll_dev *d)
{
    d->drv->forget(d->drv, d);
}

static void replace(const char **s, const char *v)
{
    free((char *)*s);
    *s = gw_strdup(v);
}

/* Takes the registry entry's fields polling uses; keeps what the scheduler has seen since. */
static void dev_set(struct gw_poll_dev *d, const struct gw_device *r)
{
    if (!d->t.address || strcmp(d->t.address, r->address) != 0)
        replace(&d->t.address, r->address);
    d->t.id = r->id;
    d->t.port = r->port;
    d->drv = driver_for(d->poll, r->transport);
    replace(&d->t.wsd_uuid, r->wsd_uuid);
    replace(&d->t.wsd_xaddrs, r->wsd_xaddrs);
    d->t.credential_id = r->credential_id;
    d->priority_pinned = r->priority_pinned;
    if (r->has_page_count && (!d->has_page_count || r->page_count_total > d->page_count_total)) {
        d->has_page_count = true;
        d->page_count_total = r->page_count_total;
    }
}

static void maybe_stopped(struct gw_poll *p)
{
    if (!p->stopping || !p->tick_closed || p->drivers_open || p->in_flight || !p->stop_cb)
        return;
    void (*cb)(void *) = p->stop_cb;
    void *arg = p->stop_arg;
    p->stop_cb = NULL;
    for (size_t i = 0; i < p->n; i++)
        dev_free(p->devs[i]);
    free(p->devs);
    free(p->drivers);
    json_decref(p->engines);
    free(p);
    cb(arg);
}

/* ---------------------------------------------------------------------------------------------
 * Results
 */

/* Moves a due time on by whole intervals from where it was, so polls keep their place in the
 * spread; intervals that passed without a poll are counted as missed. */
static uint64_t advance(struct gw_poll *p, uint64_t due, uint64_t interval, uint64_t now)
{
    due += interval;
    if (due <= now) {
        uint64_t skipped = (now - due) / interval + 1;
        p->polls_missed += skipped;
        due += skipped * interval;
    }
    return due;
}

/* Moves the schedule on and stores a successful poll's model. */
static void poll_ok(struct gw_poll_dev *d, struct gw_model *m)
{
    struct gw_poll *p = d->poll;
    uint64_t now = gw_poll__now(p), alert_ms, counter_ms;
    intervals(d, &alert_ms, &counter_ms);
    p->polls_ok++;
    d->fails = 0;
    d->alert_due_ms = advance(p, d->alert_due_ms, alert_ms, now);
    if (d->full) {
        p->polls_full++;
        d->counter_due_ms = advance(p, d->counter_due_ms, counter_ms, now);
    }
    /* After the advance: a device this result makes busier has its next due times pulled in
     * to its new intervals, instead of waiting out the old interval once more. */
    gw_poll__store_ok(d, m, gw_poll__wall(p));
    gw_bus_publish("poll", json_pack("{s:I, s:b, s:s, s:s}", "device_id", (json_int_t)d->t.id, "ok",
                                     1, "kind", d->full ? "full" : "status", "status", "ok"));
    gw_poll__set_state(d, "ok", 0, NULL);
}

/* Records a failed poll (state "unreachable", "auth_failed" or "error") and schedules the
 * retry with backoff. */
static void poll_failed(struct gw_poll_dev *d, const char *state, int status, const char *detail)
{
    struct gw_poll *p = d->poll;
    uint64_t now = gw_poll__now(p), alert_ms, counter_ms;
    intervals(d, &alert_ms, &counter_ms);
    p->polls_failed++;
    d->fails++;
    /* Retry sooner than a full interval, backing off: an eighth of the alert interval (at most
     * 10 s), then doubling up to the alert interval. A counter poll that was due moves to the
     * retry, which is then a full poll. */
    uint64_t base = alert_ms / 8 < GW_POLL_BACKOFF_BASE_MS ? alert_ms / 8 : GW_POLL_BACKOFF_BASE_MS;
    uint64_t backoff = base << (d->fails < 16 ? d->fails - 1 : 15);
    d->alert_due_ms = now + (backoff < alert_ms ? backoff : alert_ms);
    if (d->counter_due_ms < d->alert_due_ms)
        d->counter_due_ms = d->alert_due_ms; /* the retry is then a full poll */
    gw_store_poll_failed(p->env.db, d->t.id, state, gw_poll__wall(p));
    gw_bus_publish("poll", json_pack("{s:I, s:b, s:s, s:s, s:s}", "device_id", (json_int_t)d->t.id,
                                     "ok", 0, "kind", d->full ? "full" : "status", "status", state,
                                     "error", gw_strerror(status)));
    gw_poll__set_state(d, state, status, detail);
}

/* A poll that could not start (credential, session, address) waits an alert interval, without
 * backoff; with no state only the wait (the driver logged why). */
static void defer(struct gw_poll_dev *d, const struct gw_poll_result *r)
{
    struct gw_poll *p = d->poll;
    uint64_t alert_ms, counter_ms;
    if (r->state) {
        gw_poll__set_state(d, r->state, r->status, r->detail);
        gw_store_poll_failed(p->env.db, d->t.id, r->state, gw_poll__wall(p));
    }
    intervals(d, &alert_ms, &counter_ms);
    d->alert_due_ms = gw_poll__now(p) + alert_ms;
    /* A full poll that was due waits too (the retry is then a full poll): left in the past, it
     * would make the device due again at the next tick. */
    if (d->counter_due_ms < d->alert_due_ms)
        d->counter_due_ms = d->alert_due_ms;
}

bool gw_poll_done(struct gw_poll_dev *d, const struct gw_poll_result *r)
{
    struct gw_poll *p = d->poll;
    GW_ASSERT(d->busy && p->in_flight > 0);
    d->busy = false;
    p->in_flight--;
    if (d->removed || p->stopping || r->status == -ECANCELED) {
        if (d->removed && !d->forgetting)
            dev_free(d);
        maybe_stopped(p);
        return false;
    }
    if (r->status == 0 && r->model)
        poll_ok(d, r->model);
    else if (r->deferred)
        defer(d, r);
    else
        poll_failed(d, r->state ? r->state : "error", r->status, r->detail);
    return true;
}

/* ---------------------------------------------------------------------------------------------
 * The tick
 */
static void note_lateness(struct gw_poll *p, uint64_t late_ms)
{
    p->lateness[p->lateness_pos] = late_ms > UINT32_MAX ? UINT32_MAX : (uint32_t)late_ms;
    p->lateness_pos = (p->lateness_pos + 1) % GW_POLL_LATENESS_SAMPLES;
    if (p->n_lateness < GW_POLL_LATENESS_SAMPLES)
        p->n_lateness++;
}

static void due(struct gw_poll_dev *d, uint64_t now)
{
    struct gw_poll *p = d->poll;
    struct gw_poll_result fail = {.status = GW_E_INTERNAL, .state = "error"};
    /* A full poll reads the status objects too, so a due full poll covers a due status poll. */
    d->full = d->counter_due_ms <= now;
    int rc = d->drv->start(d->drv, d, d->full, &fail);
    if (rc == GW_E_BUSY)
        return;
    if (rc < 0) {
        defer(d, &fail);
        return;
    }
    uint64_t at = d->full ? d->counter_due_ms : d->alert_due_ms;
    note_lateness(p, now > at ? now - at : 0);
    d->busy = true;
    p->in_flight++;
}

void gw_poll_tick(struct gw_poll *p)
{
    uint64_t now = gw_poll__now(p);
    unsigned max = (unsigned)p->env.cfg->snmp_max_in_flight;
    if (p->stopping)
        return;
    for (size_t i = 0; i < p->n && p->in_flight < max; i++) {
        struct gw_poll_dev *d = p->devs[i];
        if (d->busy)
            continue;
        if (d->alert_due_ms <= now || d->counter_due_ms <= now)
            due(d, now);
    }
}

static void on_tick(void *data)
{
    gw_poll_tick(data);
}

/* ---------------------------------------------------------------------------------------------
 * The registry
 */

/* First due times of a device joining the scheduler: its status poll at its own point of the
 * first minute (or alert interval), its full poll then too unless the store says counters were
 * read recently, in which case it keeps that cadence across the restart. */
static struct gw_poll_dev *dev_new(struct gw_poll *p, const struct gw_device *r, uint64_t now,
                                   int64_t wall)
{
    struct gw_poll_dev *d = gw_calloc(1, sizeof *d);
    uint64_t alert_ms, counter_ms, first;
    d->poll = p;
    dev_set(d, r);
    d->activity = r->activity;
    d->activity_ts = r->activity_ts ? r->activity_ts : wall;
    if (gw_priority_parse(r->priority, &d->prio) < 0)
        d->prio = GW_PRIO_HIGH;
    intervals(d, &alert_ms, &counter_ms);
    first = now +
            spread(r->id, alert_ms < GW_POLL_FIRST_SPREAD_MS ? alert_ms : GW_POLL_FIRST_SPREAD_MS);
    d->alert_due_ms = first;
    d->counter_due_ms = first;
    if (r->last_counter_poll > 0) {
        int64_t next = r->last_counter_poll + (int64_t)(counter_ms / 1000u) - wall;
        if (next > 0)
            d->counter_due_ms = now + (uint64_t)next * 1000u;
    }
    return d;
}

struct reload_ctx {
    struct gw_poll *p;
    struct gw_poll_dev **next;
    size_t n, cap;
    size_t old_i;
    uint64_t now;
    int64_t wall;
};

/* A device that left: its driver lets go; a poll in flight is dropped when it ends. */
static void dev_remove(struct gw_poll_dev *d)
{
    d->removed = true;
    /* A driver may end the poll in flight from inside forget: gw_poll_done() leaves the free
     * to us then. */
    d->forgetting = true;
    dev_forget(d);
    d->forgetting = false;
    if (!d->busy)
        dev_free(d);
}

/* Merges the registry (id order) with the current array (id order): keeps drivers' state of
 * unchanged devices, lets go of changed ones, drops removed ones. */
static int reload_one(const struct gw_device *r, void *arg)
{
    struct reload_ctx *rc = arg;
    struct gw_poll *p = rc->p;
    struct gw_poll_dev *d = NULL;
    while (rc->old_i < p->n && p->devs[rc->old_i]->t.id < r->id)
        dev_remove(p->devs[rc->old_i++]);
    if (rc->old_i < p->n && p->devs[rc->old_i]->t.id == r->id) {
        d = p->devs[rc->old_i++];
        bool moved_transport = d->drv != driver_for(p, r->transport);
        if (d->t.credential_id != r->credential_id || d->t.port != r->port ||
            strcmp(d->t.address, r->address) != 0 || moved_transport)
            dev_forget(d);
        /* Another transport reads other things (SNMP: counters): a full poll at once, at the
         * next tick, then the usual cadence from there. */
        if (moved_transport) {
            d->alert_due_ms = d->counter_due_ms = rc->now;
            d->fails = 0;
        }
        dev_set(d, r);
        if (r->priority_pinned)
            gw_priority_parse(r->priority, &d->prio);
        else
            d->prio =
                gw_activity_priority(gw_activity_decay(d->activity, d->activity_ts, rc->wall));
    } else {
        d = dev_new(p, r, rc->now, rc->wall);
    }
    if (rc->n == rc->cap) {
        rc->cap = rc->cap ? rc->cap * 2 : 64;
        rc->next = gw_realloc(rc->next, rc->cap * sizeof *rc->next);
    }
    rc->next[rc->n++] = d;
    return 0;
}

int gw_poll_reload(struct gw_poll *p)
{
    struct reload_ctx rc = {.p = p};
    int err;
    if (!p || p->stopping)
        return 0;
    rc.now = gw_poll__now(p);
    rc.wall = gw_poll__wall(p);
    err = gw_device_foreach(p->env.db, reload_one, &rc);
    if (err < 0) {
        gw_log_err_r(DB, err, "cannot read the device registry");
        free(rc.next);
        return err;
    }
    /* Devices past the last registry id were removed. */
    while (rc.old_i < p->n)
        dev_remove(p->devs[rc.old_i++]);
    free(p->devs);
    p->devs = rc.next;
    p->n = rc.n;
    gw_log_info(GW, "device registry loaded devices=%zu schedule=%s", p->n,
                p->env.cfg->poll_schedule == GW_SCHEDULE_FIXED ? "fixed" : "table5");
    return 0;
}

int gw_poll_new(const struct gw_poll_env *env, struct gw_poll_driver **drivers, size_t n,
                struct gw_poll **out)
{
    struct gw_poll *p = gw_calloc(1, sizeof *p);
    int rc;
    *out = NULL;
    GW_ASSERT(n > 0);
    p->env = *env;
    if (env->clock) {
        p->clock = *env->clock;
    } else {
        p->clock = (struct gw_poll_clock){.now_ms = uv_clock_now,
                                          .wall = uv_clock_wall,
                                          .timer_start = uv_clock_start,
                                          .timer_close = uv_clock_close,
                                          .arg = p};
    }
    p->env.clock = NULL;
    p->drivers = gw_calloc(n, sizeof *p->drivers);
    memcpy(p->drivers, drivers, n * sizeof *drivers);
    p->n_drivers = p->drivers_open = n;
    p->engines = json_object();
    p->start_ms = gw_poll__now(p);
    gw_poll_reload(p);
    rc = p->clock.timer_start(p->clock.arg, GW_POLL_TICK_MS, on_tick, p);
    if (rc < 0) {
        gw_log_err_r(GW, rc, "cannot start the poll timer");
        gw_poll_stop(p, NULL, NULL);
        return rc;
    }
    *out = p;
    return 0;
}

static void tick_closed(void *data)
{
    struct gw_poll *p = data;
    p->tick_closed = true;
    maybe_stopped(p);
}

static void driver_closed(void *arg)
{
    struct gw_poll *p = arg;
    p->drivers_open--;
    maybe_stopped(p);
}

static void stopped_nothing(void *arg)
{
    (void)arg;
}

void gw_poll_stop(struct gw_poll *p, void (*cb)(void *arg), void *arg)
{
    p->stopping = true;
    p->stop_cb = cb ? cb : stopped_nothing;
    p->stop_arg = arg;
    p->clock.timer_close(p->clock.arg, tick_closed, p);
    for (size_t i = 0; i < p->n_drivers; i++)
        p->drivers[i]->close(p->drivers[i], driver_closed, p);
}

/* ---------------------------------------------------------------------------------------------
 * Figures
 */
static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

void gw_poll_status(struct gw_poll *p, json_t *st)
{
    size_t unreachable = 0, by_prio[3] = {0};
    uint32_t p99 = 0;
    json_t *by_transport = json_object();
    for (size_t k = 0; k < p->n_drivers; k++) {
        size_t count = 0;
        for (size_t i = 0; i < p->n; i++)
            count += p->devs[i]->drv == p->drivers[k];
        json_object_set_new(by_transport, p->drivers[k]->name, json_integer((json_int_t)count));
    }
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->devs[i]->state, "unreachable") == 0)
            unreachable++;
        by_prio[p->devs[i]->prio]++;
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
        json_string(p->env.cfg->poll_schedule == GW_SCHEDULE_FIXED ? "fixed" : "table5"));
    json_object_set_new(st, "polls_ok", json_integer((json_int_t)p->polls_ok));
    json_object_set_new(st, "polls_failed", json_integer((json_int_t)p->polls_failed));
    json_object_set_new(st, "polls_full", json_integer((json_int_t)p->polls_full));
    json_object_set_new(st, "polls_missed", json_integer((json_int_t)p->polls_missed));
    json_object_set_new(st, "polls_in_flight", json_integer(p->in_flight));
    for (size_t k = 0; k < p->n_drivers; k++)
        if (p->drivers[k]->status)
            p->drivers[k]->status(p->drivers[k], st);
    json_object_set_new(st, "devices_by_transport", by_transport);
    json_object_set_new(st, "poll_lateness_p99_ms", json_integer(p99));
    json_object_set_new(st, "devices_unreachable", json_integer((json_int_t)unreachable));
    json_object_set_new(st, "devices_by_priority",
                        json_pack("{s:I, s:I, s:I}", "high", (json_int_t)by_prio[GW_PRIO_HIGH],
                                  "middle", (json_int_t)by_prio[GW_PRIO_MIDDLE], "low",
                                  (json_int_t)by_prio[GW_PRIO_LOW]));
}

bool gw_poll_device_json(struct gw_poll *p, json_t *dev)
{
    json_int_t id = json_integer_value(json_object_get(dev, "id"));
    uint64_t alert_ms, counter_ms, now, next;
    struct gw_poll_dev *d;
    size_t lo = 0, hi = p->n;
    char buf[21];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (p->devs[mid]->t.id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= p->n || p->devs[lo]->t.id != id)
        return false;
    d = p->devs[lo];
    now = gw_poll__now(p);
    next = d->alert_due_ms < d->counter_due_ms ? d->alert_due_ms : d->counter_due_ms;
    intervals(d, &alert_ms, &counter_ms);
    json_object_set_new(dev, "priority", json_string(gw_priority_name(d->prio)));
    json_object_set_new(
        dev, "activity",
        json_real(gw_activity_decay(d->activity, d->activity_ts, gw_poll__wall(p))));
    json_object_set_new(
        dev, "next_poll",
        json_string(
            gw_time_iso(gw_poll__wall(p) + (next > now ? (int64_t)(next - now) / 1000 : 0), buf)));
    json_object_set_new(dev, "next_poll_kind",
                        json_string(d->counter_due_ms <= d->alert_due_ms ? "full" : "status"));
    json_object_set_new(dev, "alert_interval_s", json_integer((json_int_t)(alert_ms / 1000)));
    json_object_set_new(dev, "counter_interval_s", json_integer((json_int_t)(counter_ms / 1000)));
    return true;
}
