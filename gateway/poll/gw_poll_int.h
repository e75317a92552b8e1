/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Private declarations of the polling library, shared by the scheduler (sched.c) and what it
 * does with results (result.c). Drivers see only gw_poll.h.
 */
#ifndef GW_POLL_INT_H
#define GW_POLL_INT_H

#include "gateway/poll/gw_poll.h"

#define GW_POLL_TICK_MS          250
#define GW_POLL_FIRST_SPREAD_MS  60000u
#define GW_POLL_BACKOFF_BASE_MS  10000u
#define GW_POLL_LATENESS_SAMPLES 4096
#define GW_POLL_MAX_ALERT_KEYS   32

struct gw_poll_dev {
    struct gw_poll *poll;
    struct gw_poll_driver *drv; /* the transport's driver */
    struct gw_poll_target t;    /* strings owned by the device */
    bool priority_pinned;
    bool has_page_count;
    uint64_t page_count_total;
    void *drv_data;          /* the driver's per-device object */
    uint64_t alert_due_ms;   /* clock time of the next status poll */
    uint64_t counter_due_ms; /* clock time of the next full poll */
    bool busy;               /* a driver holds it: from start to gw_poll_done() */
    bool removed, full;
    bool forgetting; /* inside the driver's forget */
    bool engine_shared_reported;
    int fails;      /* consecutive failures */
    char state[16]; /* last state logged */
    enum gw_priority prio;
    double activity; /* rating at activity_ts */
    int64_t activity_ts;
    bool seen_alerts; /* alerts holds a previous poll's alerts */
    size_t n_alerts;
    struct {
        int index, code;
    } alerts[GW_POLL_MAX_ALERT_KEYS];
};

struct gw_poll {
    struct gw_poll_env env;
    struct gw_poll_clock clock;
    uv_timer_t *uv_timer; /* the default clock's timer */
    void (*uv_tick)(void *data), *uv_tick_data;
    void (*uv_closed)(void *data), *uv_closed_data;
    struct gw_poll_driver **drivers;
    size_t n_drivers, drivers_open;
    struct gw_poll_dev **devs; /* sorted by device id */
    size_t n;
    unsigned in_flight;
    uint64_t polls_ok, polls_failed, polls_missed, polls_full;
    uint32_t lateness[GW_POLL_LATENESS_SAMPLES]; /* ring of poll start lateness, ms */
    size_t n_lateness, lateness_pos;
    bool stopping, tick_closed;
    bool first_round_done; /* every device has had its first result since the start */
    uint64_t start_ms;     /* clock time of gw_poll_new() */
    json_t *engines;       /* engine ID hex -> device id, to spot shared engine IDs */
    void (*stop_cb)(void *arg);
    void *stop_arg;
};

static inline uint64_t gw_poll__now(const struct gw_poll *p)
{
    return p->clock.now_ms(p->clock.arg);
}

static inline int64_t gw_poll__wall(const struct gw_poll *p)
{
    return p->clock.wall(p->clock.arg);
}

/* result.c: the device's state, logged when it changes (and the first round summed up). */
void gw_poll__set_state(struct gw_poll_dev *d, const char *state, int err, const char *detail);
/* result.c: stores a successful poll, checks the engine ID, diffs alerts and rates the
 * activity (which may move the device to another category and its due times closer). */
void gw_poll__store_ok(struct gw_poll_dev *d, struct gw_model *m, int64_t wall);

#endif
