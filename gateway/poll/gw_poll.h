/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of the polling library (libgwpoll.a, prefix gw_poll_): a scheduler that
 * knows when each registered device is due and what to do with what a poll returned, and one
 * driver per transport that knows how to ask a device (SNMP through snmp/, WS-Print through
 * soap/). Only the fleetgw program (gateway/app/) uses it.
 *
 * The scheduler never names a transport: a device's registry transport ("snmp", "wsd") picks
 * the driver of that name, and a driver is a table of four calls (struct gw_poll_driver). It
 * takes its clock and its tick timer from struct gw_poll_clock, libuv's by default, so its
 * unit tests run with a fake clock and fake drivers, without a network.
 *
 * What the scheduler does (docs/architecture.md "Scheduling"): status and full polls at the
 * intervals of each device's category (gateway/sched.c's Table 5, or the fixed [poll]
 * intervals), first polls spread over min(alert interval, 60 s), due times that advance from
 * the previous due time with skipped intervals counted as missed, retries with doubling
 * backoff, at most [snmp] max_in_flight polls at once, the activity rating that moves devices
 * between categories, alert diffs, the store writes and bus events of every result, state
 * changes logged once, and one "first poll round" line after the start.
 *
 * Context: loop thread only.
 */
#ifndef GW_POLL_H
#define GW_POLL_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "gateway/gw.h"

struct snmpc_catalogue;
struct gw_poll;
struct gw_poll_dev;

/* Time and the tick timer. The default (NULL in struct gw_poll_env) is libuv's: uv_now() of
 * the loop, gw_now() and a uv_timer_t. */
struct gw_poll_clock {
    uint64_t (*now_ms)(void *arg); /* monotonic milliseconds */
    int64_t (*wall)(void *arg);    /* Unix time, seconds */
    /* Calls tick(data) every period_ms until timer_close. Returns: 0 or <0. */
    int (*timer_start)(void *arg, uint64_t period_ms, void (*tick)(void *data), void *data);
    /* Stops the timer; closed(data) runs once, later, on the loop. */
    void (*timer_close)(void *arg, void (*closed)(void *data), void *data);
    void *arg;
};

/* What a device is, as a driver needs it. Strings are valid while the driver holds the
 * device (from start to its gw_poll_done(), or until forget). */
struct gw_poll_target {
    int64_t id;
    const char *address; /* host name or IP literal */
    uint16_t port;
    int64_t credential_id;
    const char *wsd_uuid, *wsd_xaddrs;
};

/* A poll's outcome, from a driver. */
struct gw_poll_result {
    int status;             /* 0, -ECANCELED (dropped silently), or an error code */
    const char *state;      /* on error: "unreachable", "auth_failed" or "error"; NULL with
                          * deferred: only wait (logged by the driver) */
    bool deferred;          /* the poll could not start (credential, session, address): no
                          * backoff, the next try is an alert interval away */
    char detail[640];       /* on error: what the operator reads, "" if nothing to add */
    struct gw_model *model; /* status 0: what the device said (borrowed for the call) */
};

/* A transport. A driver is embedded first in its implementation's struct. */
struct gw_poll_driver {
    const char *name; /* the registry's transport name: "snmp", "wsd" */
    /* Starts a poll (full: identity, counters, supplies too). Returns 0: gw_poll_done() follows
     * exactly once, never from inside this call. GW_E_BUSY: nothing started, the device stays
     * due for the next tick. Other < 0: nothing started, *fail says why. */
    int (*start)(struct gw_poll_driver *drv, struct gw_poll_dev *d, bool full,
                 struct gw_poll_result *fail);
    /* Lets go of what the driver keeps for d (an open session): the device left or its
     * address, port, credential or transport changed. A poll in flight still ends with
     * gw_poll_done() (-ECANCELED where the transport can cancel). */
    void (*forget)(struct gw_poll_driver *drv, struct gw_poll_dev *d);
    /* Adds the driver's figures to a status object. May be NULL. */
    void (*status)(struct gw_poll_driver *drv, json_t *st);
    /* Cancels what it can and closes everything; closed(arg) runs once no gw_poll_done() is
     * left to come, then the driver's memory is freed. */
    void (*close)(struct gw_poll_driver *drv, void (*closed)(void *arg), void *arg);
};

struct gw_poll_env {
    uv_loop_t *loop;                   /* for the default clock; may be NULL with a clock */
    const struct gw_cfg *cfg;          /* borrowed until stopped, read at each use */
    struct gw_db *db;                  /* the registry and the store, borrowed until stopped */
    const struct gw_poll_clock *clock; /* copied; NULL: libuv's */
};

/* Creates the scheduler, reads the registry and starts the tick (the first polls follow on
 * their spread). [in] env, [in] drivers (n of them; the first is used for a transport no
 * driver names; takes ownership, also on failure), [out] out: set only on success.
 * Returns: 0, or < 0 (timer). Loop thread only. */
int gw_poll_new(const struct gw_poll_env *env, struct gw_poll_driver **drivers, size_t n,
                struct gw_poll **out);
/* Re-reads the registry: new devices start polling, removed ones stop (a poll in flight is
 * dropped), changed ones reopen. Returns: 0, or < 0 (the registry could not be read; the old
 * set stays). */
int gw_poll_reload(struct gw_poll *p);
/* Stops ticking, closes the drivers and frees p; cb(arg) runs once everything is closed. */
void gw_poll_stop(struct gw_poll *p, void (*cb)(void *arg), void *arg);
/* Adds the figures (polls_ok, polls_failed, polls_missed, ..., and each driver's) to st. */
void gw_poll_status(struct gw_poll *p, json_t *st);
/* Adds a device's schedule (priority, activity, next_poll, next_poll_kind, alert_interval_s,
 * counter_interval_s) to its JSON object (with "id"). Returns: false if p does not poll it. */
bool gw_poll_device_json(struct gw_poll *p, json_t *dev);
/* The status and full poll intervals, in ms, of a category in a fleet of n devices, from the
 * schedule cfg sets. Any thread. */
void gw_poll_intervals(const struct gw_cfg *cfg, size_t n, enum gw_priority prio,
                       uint64_t *alert_ms, uint64_t *counter_ms);
/* Runs the due polls as a tick would (what the timer calls; the fake clock's tests too). */
void gw_poll_tick(struct gw_poll *p);

/* For drivers: the device, and a slot for the driver's own per-device object. */
const struct gw_poll_target *gw_poll_dev_target(const struct gw_poll_dev *d);
void *gw_poll_dev_data(const struct gw_poll_dev *d);
void gw_poll_dev_set_data(struct gw_poll_dev *d, void *data);
/* A driver's end of a started poll. [in] r (borrowed). Returns: true if the result was used,
 * false if it was dropped (the device left, the scheduler is stopping, or -ECANCELED). */
bool gw_poll_done(struct gw_poll_dev *d, const struct gw_poll_result *r);

/* The SNMP driver: one snmp/ session per device, opened from its sealed credential set (the
 * secrets live only for the open), kept open within a budget from the process's fd limit,
 * host names resolved on libuv's pool. [in] loop, cfg, db, vault: borrowed until closed.
 * [in] cat: may be NULL; keeps a reference until closed or gw_poll_snmp_set_catalogue(); each
 * poll keeps a reference to the catalogue it started with until it is decoded.
 * Returns: the driver (never fails). Loop thread only. */
struct gw_poll_driver *gw_poll_snmp_new(uv_loop_t *loop, const struct gw_cfg *cfg, struct gw_db *db,
                                        struct gw_vault *vault, const struct snmpc_catalogue *cat);
/* Hands the SNMP driver a new catalogue (on reload): polls started from now use it, polls in
 * flight finish with theirs. [in,out] drv: a driver from gw_poll_snmp_new(), not closed.
 * [in] cat: may be NULL; keeps a reference until closed or the next call (the old one's
 * reference is dropped). Loop thread only. */
void gw_poll_snmp_set_catalogue(struct gw_poll_driver *drv, const struct snmpc_catalogue *cat);
/* The WSD driver: WS-Print status and consumables through soapc_info_get() on libuv's worker
 * pool, at most two at once. [in] loop, cfg: borrowed until closed. Returns: the driver. */
struct gw_poll_driver *gw_poll_wsd_new(uv_loop_t *loop, const struct gw_cfg *cfg);

#endif
