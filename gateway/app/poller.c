/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The daemon's poller: the polling library (gateway/poll/) with its two drivers, SNMP over the
 * app's credential vault and counter catalogue, and WSD. What the scheduler does is described
 * in gateway/poll/gw_poll.h and docs/architecture.md ("Scheduling").
 */
#include "config.h"

#include <stdlib.h>

#include "gateway/app/cli.h"
#include "gateway/poll/gw_poll.h"

struct gw_poller {
    struct gw_app *app;
    struct gw_poll *sched;
    struct gw_poll_driver *snmp; /* owned by sched */
    void (*stop_cb)(struct gw_app *app);
};

int gw_poller_start(struct gw_app *app)
{
    struct gw_poller *p = gw_calloc(1, sizeof *p);
    struct gw_poll_driver *drivers[] = {
        gw_poll_snmp_new(app->loop, &app->cfg, app->db, app->vault, app->catalogue),
        gw_poll_wsd_new(app->loop, &app->cfg),
    };
    struct gw_poll_env env = {.loop = app->loop, .cfg = &app->cfg, .db = app->db};
    int rc = gw_poll_new(&env, drivers, sizeof drivers / sizeof drivers[0], &p->sched);
    if (rc < 0) {
        free(p);
        return rc;
    }
    p->app = app;
    p->snmp = drivers[0];
    app->poller = p;
    return 0;
}

int gw_poller_reload(struct gw_app *app)
{
    return app->poller ? gw_poll_reload(app->poller->sched) : 0;
}

void gw_poller_set_catalogue(struct gw_app *app)
{
    if (app->poller)
        gw_poll_snmp_set_catalogue(app->poller->snmp, app->catalogue);
}

static void stopped(void *arg)
{
    struct gw_poller *p = arg;
    struct gw_app *app = p->app;
    void (*cb)(struct gw_app *) = p->stop_cb;
    free(p);
    cb(app);
}

void gw_poller_stop(struct gw_app *app, void (*cb)(struct gw_app *app))
{
    struct gw_poller *p = app->poller;
    if (!p) {
        cb(app);
        return;
    }
    app->poller = NULL;
    p->stop_cb = cb;
    gw_poll_stop(p->sched, stopped, p);
}

void gw_poller_status(struct gw_app *app, json_t *st)
{
    if (app->poller)
        gw_poll_status(app->poller->sched, st);
}

void gw_poller_device_json(struct gw_app *app, json_t *dev)
{
    uint64_t alert_ms, counter_ms;
    enum gw_priority prio = GW_PRIO_HIGH;
    if (app->poller && gw_poll_device_json(app->poller->sched, dev))
        return;
    /* Not polled here (no daemon): what the schedule would be, from the stored category. */
    gw_priority_parse(json_string_value(json_object_get(dev, "priority")), &prio);
    gw_poll_intervals(&app->cfg, (size_t)gw_device_count(app->db), prio, &alert_ms, &counter_ms);
    json_object_set_new(dev, "next_poll", json_null());
    json_object_set_new(dev, "alert_interval_s", json_integer((json_int_t)(alert_ms / 1000)));
    json_object_set_new(dev, "counter_interval_s", json_integer((json_int_t)(counter_ms / 1000)));
}
