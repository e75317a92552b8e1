/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Unit tests of the scheduler (gateway/poll/sched.c, result.c) with a fake clock and fake
 * drivers: no loop, no network. The registry and the store are a real sqlite database in a
 * temporary directory. The fake timer ticks every 250 ms of fake time; a fake driver records
 * the polls it is asked for and the test ends them when it likes (ok, failed, cancelled).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gateway/poll/gw_poll.h"
#include "tests/harness/t_gw.h"

#define T0 1800000000 /* 2027-01-15T08:00:00Z */

/* ---------------------------------------------------------------------------------------------
 * Fake clock
 */
struct fake_clock {
    uint64_t now;
    void (*tick)(void *);
    void *tick_data;
    void (*closed)(void *);
    void *closed_data;
    bool running;
};

static uint64_t fc_now(void *arg)
{
    return ((struct fake_clock *)arg)->now;
}

static int64_t fc_wall(void *arg)
{
    return T0 + (int64_t)(((struct fake_clock *)arg)->now / 1000);
}

static int fc_start(void *arg, uint64_t period_ms, void (*tick)(void *), void *data)
{
    struct fake_clock *c = arg;
    assert_int_equal(period_ms, 250);
    c->tick = tick;
    c->tick_data = data;
    c->running = true;
    return 0;
}

/* Closing is asynchronous, as uv_close(): the callback runs at the next fc_run(). */
static void fc_close(void *arg, void (*closed)(void *), void *data)
{
    struct fake_clock *c = arg;
    c->running = false;
    c->closed = closed;
    c->closed_data = data;
}

static void fc_run_closed(struct fake_clock *c)
{
    if (c->closed) {
        void (*cb)(void *) = c->closed;
        c->closed = NULL;
        cb(c->closed_data);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Fake driver
 */
#define MAX_STARTS 512

struct start {
    int64_t id;
    bool full;
    uint64_t at;
    struct gw_poll_dev *dev;
    bool open; /* not ended yet */
};

struct fake_drv {
    struct gw_poll_driver base;
    unsigned cap;   /* GW_E_BUSY at this many in flight; 0 = no cap */
    int fail_start; /* start fails with this (a credential that cannot be read) */
    unsigned in_flight;
    struct start starts[MAX_STARTS];
    size_t n_starts;
    int forgets;
    int64_t last_forgotten;
    bool closed;
    int *freed; /* counts drivers freed */
};

static int fd_start(struct gw_poll_driver *drv, struct gw_poll_dev *d, bool full,
                    struct gw_poll_result *fail)
{
    struct fake_drv *f = (struct fake_drv *)drv;
    if (f->cap && f->in_flight >= f->cap)
        return GW_E_BUSY;
    if (f->fail_start) {
        fail->status = f->fail_start;
        fail->state = "error";
        fail->deferred = true;
        gw_strlcpy(fail->detail, "cannot read the credential", sizeof fail->detail);
        return f->fail_start;
    }
    assert_true(f->n_starts < MAX_STARTS);
    f->starts[f->n_starts++] = (struct start){gw_poll_dev_target(d)->id, full, 0, d, true};
    f->in_flight++;
    return 0;
}

static void fd_forget(struct gw_poll_driver *drv, struct gw_poll_dev *d)
{
    struct fake_drv *f = (struct fake_drv *)drv;
    f->forgets++;
    f->last_forgotten = gw_poll_dev_target(d)->id;
}

static void fd_status(struct gw_poll_driver *drv, json_t *st)
{
    struct fake_drv *f = (struct fake_drv *)drv;
    char key[32];
    snprintf(key, sizeof key, "%s_in_flight", f->base.name);
    json_object_set_new(st, key, json_integer(f->in_flight));
}

static bool end_poll(struct fake_drv *f, struct start *s, int status, struct gw_model *m)
{
    struct gw_poll_result r = {.status = status, .model = m};
    s->open = false;
    f->in_flight--;
    if (status < 0 && status != -ECANCELED) {
        r.state = status == GW_E_NOTRUNNING ? "unreachable" : "error";
        gw_strlcpy(r.detail, "fake", sizeof r.detail);
    }
    return gw_poll_done(s->dev, &r);
}

/* Stop: every poll in flight ends cancelled, then the driver is gone. */
static void fd_close(struct gw_poll_driver *drv, void (*closed)(void *), void *arg)
{
    struct fake_drv *f = (struct fake_drv *)drv;
    for (size_t i = 0; i < f->n_starts; i++)
        if (f->starts[i].open)
            end_poll(f, &f->starts[i], -ECANCELED, NULL);
    f->closed = true;
    closed(arg);
}

/* ---------------------------------------------------------------------------------------------
 * Fixture
 */
struct fixture {
    char dir[64];
    struct gw_db *db;
    struct gw_vault *v;
    struct gw_cfg cfg;
    struct fake_clock clock;
    struct fake_drv snmp, wsd;
    struct gw_poll *p;
    int stopped;
    int64_t ids[64];
    size_t n_ids;
};

static int setup(void **state)
{
    struct fixture *f = gw_calloc(1, sizeof *f);
    struct gw_errbuf eb = {""};
    struct gw_credential c = {0};
    if (t_gw_open(f->dir, sizeof f->dir, "poll", &f->db, &f->v) < 0)
        return -1;
    gw_strlcpy(c.name, "c", sizeof c.name);
    c.version = GW_SNMP_V2C;
    c.community = gw_strdup("public");
    if (gw_credential_add(f->db, f->v, &c, &eb) != 0)
        return -1;
    gw_credential_cleanup(&c);
    gw_cfg_defaults(&f->cfg);
    f->cfg.poll_schedule = GW_SCHEDULE_FIXED;
    f->cfg.poll_alert_interval_s = 60;
    f->cfg.poll_interval_s = 3600;
    f->cfg.snmp_max_in_flight = 64;
    f->snmp.base = (struct gw_poll_driver){"snmp", fd_start, fd_forget, fd_status, fd_close};
    f->wsd.base = (struct gw_poll_driver){"wsd", fd_start, fd_forget, fd_status, fd_close};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    int rc = t_gw_close(f->dir, f->db, f->v);
    free(f);
    return rc;
}

static int64_t add_device(struct fixture *f, const char *addr)
{
    struct gw_device d = {0};
    struct gw_errbuf eb = {""};
    gw_strlcpy(d.address, addr, sizeof d.address);
    gw_strlcpy(d.credential, "c", sizeof d.credential);
    if (gw_device_add(f->db, &d, &eb) != 0)
        fail_msg("%s", eb.msg);
    f->ids[f->n_ids++] = d.id;
    return d.id;
}

static void add_devices(struct fixture *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char addr[32];
        snprintf(addr, sizeof addr, "127.0.%zu.%zu", i / 200, i % 200 + 1);
        add_device(f, addr);
    }
}

static void start(struct fixture *f)
{
    struct gw_poll_clock clock = {fc_now, fc_wall, fc_start, fc_close, &f->clock};
    struct gw_poll_env env = {.cfg = &f->cfg, .db = f->db, .clock = &clock};
    struct gw_poll_driver *drivers[] = {&f->snmp.base, &f->wsd.base};
    assert_int_equal(gw_poll_new(&env, drivers, 2, &f->p), 0);
    assert_true(f->clock.running);
    gw_poll_tick(f->p); /* libuv's timer fires at once too */
}

static void on_stopped(void *arg)
{
    ((struct fixture *)arg)->stopped++;
}

static void stop(struct fixture *f)
{
    gw_poll_stop(f->p, on_stopped, f);
    assert_int_equal(f->stopped, 0); /* the timer closes asynchronously */
    fc_run_closed(&f->clock);
    assert_int_equal(f->stopped, 1);
    assert_true(f->snmp.closed && f->wsd.closed);
    f->p = NULL;
}

/* Advances fake time by ms, ticking every 250 ms; with auto_ok every poll started ends ok at
 * once (after the tick that started it). */
static void advance(struct fixture *f, uint64_t ms, bool auto_ok)
{
    for (uint64_t t = 0; t < ms; t += 250) {
        f->clock.now += 250;
        f->clock.tick(f->clock.tick_data);
        for (size_t i = 0; auto_ok && i < f->snmp.n_starts; i++)
            if (f->snmp.starts[i].open) {
                struct gw_model m;
                gw_model_init(&m);
                assert_true(end_poll(&f->snmp, &f->snmp.starts[i], 0, &m));
                gw_model_cleanup(&m);
            }
    }
}

/* Start times are recorded by the driver without a time: fill them in from the clock. */
static void stamp(struct fixture *f)
{
    for (size_t i = 0; i < f->snmp.n_starts; i++)
        if (!f->snmp.starts[i].at)
            f->snmp.starts[i].at = f->clock.now ? f->clock.now : 1;
    for (size_t i = 0; i < f->wsd.n_starts; i++)
        if (!f->wsd.starts[i].at)
            f->wsd.starts[i].at = f->clock.now ? f->clock.now : 1;
}

static void advance_stamped(struct fixture *f, uint64_t ms, bool auto_ok)
{
    for (uint64_t t = 0; t < ms; t += 250) {
        advance(f, 250, false);
        stamp(f);
        if (auto_ok)
            for (size_t i = 0; i < f->snmp.n_starts; i++)
                if (f->snmp.starts[i].open) {
                    struct gw_model m;
                    gw_model_init(&m);
                    end_poll(&f->snmp, &f->snmp.starts[i], 0, &m);
                    gw_model_cleanup(&m);
                }
    }
}

static struct start *open_start(struct fake_drv *d, int64_t id)
{
    for (size_t i = 0; i < d->n_starts; i++)
        if (d->starts[i].open && d->starts[i].id == id)
            return &d->starts[i];
    return NULL;
}

static json_int_t figure(struct fixture *f, const char *key)
{
    json_t *st = json_object();
    gw_poll_status(f->p, st);
    json_int_t v = json_integer_value(json_object_get(st, key));
    json_decref(st);
    return v;
}

static uint64_t expected_spread(int64_t id, uint64_t span)
{
    return ((uint64_t)id * 11400714819323198485ull >> 11) % span;
}

/* ---------------------------------------------------------------------------------------------
 * Tests
 */

/* First polls fall at each device's own point of the first minute (a full poll each), never
 * all at once. */
static void test_spread(void **state)
{
    struct fixture *f = *state;
    size_t per_tick[241] = {0};
    add_devices(f, 20);
    start(f);
    stamp(f);
    advance_stamped(f, 60000, true);
    assert_int_equal(f->snmp.n_starts, 20);
    for (size_t i = 0; i < f->snmp.n_starts; i++) {
        const struct start *s = &f->snmp.starts[i];
        uint64_t due = expected_spread(s->id, 60000);
        uint64_t at = s->at == 1 ? 0 : s->at;
        assert_true(s->full);
        /* The first tick at or after its point. */
        if (at < due || at >= due + 250)
            fail_msg("device %lld due %llu started %llu", (long long)s->id, (unsigned long long)due,
                     (unsigned long long)at);
        per_tick[at / 250]++;
    }
    for (size_t k = 0; k < 241; k++)
        assert_true(per_tick[k] <= 2);
    assert_int_equal(figure(f, "polls_ok"), 20);
    assert_int_equal(figure(f, "polls_full"), 20);
    stop(f);
}

/* A due time advances from the previous due time, not from when the poll ended; status polls
 * between full polls. */
static void test_advance_and_kinds(void **state)
{
    struct fixture *f = *state;
    int64_t id;
    f->cfg.poll_interval_s = 180; /* full every third status interval */
    id = add_device(f, "127.0.0.1");
    start(f);
    uint64_t due = expected_spread(id, 60000);
    advance_stamped(f, due + 250, false);
    struct start *s = open_start(&f->snmp, id);
    assert_non_null(s);
    assert_true(s->full);
    /* Ends 5 s late. */
    advance(f, 5000, false);
    struct gw_model m;
    gw_model_init(&m);
    assert_true(end_poll(&f->snmp, s, 0, &m));
    gw_model_cleanup(&m);
    json_t *dj = json_pack("{s:I}", "id", (json_int_t)id);
    assert_true(gw_poll_device_json(f->p, dj));
    assert_string_equal(json_string_value(json_object_get(dj, "next_poll_kind")), "status");
    assert_int_equal(json_integer_value(json_object_get(dj, "alert_interval_s")), 60);
    assert_int_equal(json_integer_value(json_object_get(dj, "counter_interval_s")), 180);
    json_decref(dj);
    advance_stamped(f, 200000, true);
    /* Starts at due + k * 60 s: full at k = 0, 3; status otherwise. */
    assert_true(f->snmp.n_starts >= 4);
    for (size_t k = 0; k < 4; k++) {
        uint64_t want = due + k * 60000;
        const struct start *sk = &f->snmp.starts[k];
        if (sk->at < want || sk->at >= want + 250)
            fail_msg("poll %zu at %llu, want %llu", k, (unsigned long long)sk->at,
                     (unsigned long long)want);
        assert_int_equal(sk->full, k % 3 == 0);
    }
    assert_int_equal(figure(f, "polls_missed"), 0);
    stop(f);
}

/* A poll that holds its device past whole intervals: those intervals are missed, and the next
 * poll keeps its place in the spread. */
static void test_missed(void **state)
{
    struct fixture *f = *state;
    int64_t id = add_device(f, "127.0.0.1");
    start(f);
    uint64_t due = expected_spread(id, 60000);
    advance_stamped(f, due + 250, false);
    struct start *s = open_start(&f->snmp, id);
    assert_non_null(s);
    advance(f, 200000, false); /* held 200 s */
    assert_int_equal(f->snmp.n_starts, 1);
    struct gw_model m;
    gw_model_init(&m);
    assert_true(end_poll(&f->snmp, s, 0, &m));
    gw_model_cleanup(&m);
    /* due + 60, + 120, + 180 passed: three missed; the next at due + 240 s. */
    assert_int_equal(figure(f, "polls_missed"), 3);
    uint64_t ended = f->clock.now;
    advance_stamped(f, due + 240000 - ended + 250, false);
    assert_int_equal(f->snmp.n_starts, 2);
    assert_true(f->snmp.starts[1].at >= due + 240000 && f->snmp.starts[1].at < due + 240250);
    stop(f);
}

/* Failures retry after an eighth of the alert interval, doubling up to the alert interval; the
 * state is stored once; an ok poll ends the backoff. */
static void test_backoff(void **state)
{
    struct fixture *f = *state;
    int64_t id = add_device(f, "127.0.0.1");
    static const uint64_t gaps[] = {7500, 15000, 30000, 60000, 60000};
    struct gw_device d;
    start(f);
    advance_stamped(f, expected_spread(id, 60000) + 250, false);
    for (size_t k = 0; k <= sizeof gaps / sizeof gaps[0]; k++) {
        struct start *s = open_start(&f->snmp, id);
        assert_non_null(s);
        uint64_t ended = f->clock.now;
        if (k == sizeof gaps / sizeof gaps[0]) {
            struct gw_model m;
            gw_model_init(&m);
            assert_true(end_poll(&f->snmp, s, 0, &m));
            gw_model_cleanup(&m);
            break;
        }
        assert_true(end_poll(&f->snmp, s, GW_E_NOTRUNNING, NULL));
        assert_int_equal(gw_device_get(f->db, id, &d), 0);
        assert_string_equal(d.status, "unreachable");
        advance_stamped(f, gaps[k] + 250, false);
        s = open_start(&f->snmp, id);
        assert_non_null(s);
        if (s->at - ended != gaps[k])
            fail_msg("retry %zu after %llu ms, want %llu", k, (unsigned long long)(s->at - ended),
                     (unsigned long long)gaps[k]);
        /* The first retry comes before the counter poll was due: it is a full poll since the
         * failed one was. */
        assert_true(s->full);
    }
    assert_int_equal(figure(f, "polls_failed"), 5);
    assert_int_equal(figure(f, "devices_unreachable"), 0);
    assert_int_equal(gw_device_get(f->db, id, &d), 0);
    assert_string_equal(d.status, "ok");
    stop(f);
}

/* At most [snmp] max_in_flight polls at once; a driver that is busy leaves its device due. */
static void test_in_flight_cap(void **state)
{
    struct fixture *f = *state;
    f->cfg.snmp_max_in_flight = 3;
    add_devices(f, 10);
    start(f);
    advance_stamped(f, 60000, false);
    assert_int_equal(f->snmp.n_starts, 3);
    assert_int_equal(figure(f, "polls_in_flight"), 3);
    struct gw_model m;
    gw_model_init(&m);
    assert_true(end_poll(&f->snmp, &f->snmp.starts[0], 0, &m));
    advance_stamped(f, 250, false);
    assert_int_equal(f->snmp.n_starts, 4);
    /* The WSD driver takes one at a time. */
    f->wsd.cap = 1;
    assert_int_equal(gw_device_set_transport(f->db, f->ids[8], "wsd", 0, "http://127.0.0.9/d"), 0);
    assert_int_equal(gw_device_set_transport(f->db, f->ids[9], "wsd", 0, "http://127.0.0.10/d"), 0);
    for (size_t i = 1; i < 4; i++)
        assert_true(end_poll(&f->snmp, &f->snmp.starts[i], 0, &m));
    f->cfg.snmp_max_in_flight = 64;
    assert_int_equal(gw_poll_reload(f->p), 0);
    assert_true(f->snmp.forgets >= 2); /* moved to another transport */
    advance_stamped(f, 250, false);
    assert_int_equal(f->wsd.n_starts, 1);
    assert_true(f->wsd.starts[0].full); /* moved transport: a full poll at once */
    advance_stamped(f, 1000, false);
    assert_int_equal(f->wsd.n_starts, 1);
    assert_true(end_poll(&f->wsd, &f->wsd.starts[0], 0, &m));
    advance_stamped(f, 250, false);
    assert_int_equal(f->wsd.n_starts, 2);
    json_t *st = json_object();
    gw_poll_status(f->p, st);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(st, "devices_by_transport"), "wsd")), 2);
    assert_int_equal(json_integer_value(json_object_get(st, "wsd_in_flight")), 1);
    json_decref(st);
    gw_model_cleanup(&m);
    stop(f);
}

static int count_alerts;

static void on_alert(const char *kind, json_t *payload, void *arg)
{
    (void)payload;
    (void)arg;
    if (strcmp(kind, "alert.new") == 0)
        count_alerts++;
}

/* The activity rating moves a device between categories (Table 5, more than 25 devices): a
 * low device that prints and raises an alert becomes high and is polled within its new,
 * shorter interval, not after its old one; a pinned one stays. */
static void test_priority_change(void **state)
{
    struct fixture *f = *state;
    struct gw_device d;
    f->cfg.poll_schedule = GW_SCHEDULE_TABLE5;
    add_devices(f, 30);
    int64_t busy = f->ids[0], pinned = f->ids[1];
    assert_int_equal(gw_device_save_schedule(f->db, busy, "low", 0.0, T0, 0), 0);
    assert_int_equal(gw_device_set_priority(f->db, pinned, "low"), 0);
    start(f);
    json_t *dj = json_pack("{s:I}", "id", (json_int_t)busy);
    assert_true(gw_poll_device_json(f->p, dj));
    assert_string_equal(json_string_value(json_object_get(dj, "priority")), "low");
    assert_int_equal(json_integer_value(json_object_get(dj, "alert_interval_s")), 1200);
    json_decref(dj);
    int sub = gw_bus_subscribe("alert.", on_alert, NULL);
    count_alerts = 0;
    /* First poll: the page count is learnt. */
    advance_stamped(f, 60000, false);
    struct start *s = open_start(&f->snmp, busy);
    assert_non_null(s);
    struct gw_model m;
    gw_model_init(&m);
    m.has_page_count = true;
    m.page_count_total = 1000;
    assert_true(end_poll(&f->snmp, s, 0, &m));
    gw_model_cleanup(&m);
    for (size_t i = 0; i < f->snmp.n_starts; i++)
        if (f->snmp.starts[i].open)
            end_poll(&f->snmp, &f->snmp.starts[i], GW_E_NOTRUNNING, NULL);
    /* The next (status) poll of the low device, 1200 s on: 30 pages and a new alert. */
    advance_stamped(f, 1200000, false);
    s = open_start(&f->snmp, busy);
    assert_non_null(s);
    gw_model_init(&m);
    m.has_page_count = true;
    m.page_count_total = 1030;
    struct gw_alert *a = gw_model_add_alert(&m);
    a->index = 1;
    a->code = 8;
    gw_strlcpy(a->description, "jam", sizeof a->description);
    assert_true(end_poll(&f->snmp, s, 0, &m));
    gw_model_cleanup(&m);
    assert_int_equal(count_alerts, 1); /* not in the previous poll's list: news */
    dj = json_pack("{s:I}", "id", (json_int_t)busy);
    assert_true(gw_poll_device_json(f->p, dj));
    assert_string_equal(json_string_value(json_object_get(dj, "priority")), "high");
    assert_int_equal(json_integer_value(json_object_get(dj, "alert_interval_s")), 300);
    json_decref(dj);
    assert_int_equal(gw_device_get(f->db, busy, &d), 0);
    assert_string_equal(d.priority, "high");
    /* Polled within its new interval, not its old one. */
    size_t before = f->snmp.n_starts;
    for (size_t i = 0; i < f->snmp.n_starts; i++)
        if (f->snmp.starts[i].open)
            end_poll(&f->snmp, &f->snmp.starts[i], GW_E_NOTRUNNING, NULL);
    bool seen = false;
    for (int k = 0; k < 1200 && !seen; k++) {
        advance_stamped(f, 250, false);
        for (size_t i = before; i < f->snmp.n_starts; i++) {
            struct start *si = &f->snmp.starts[i];
            if (si->open && si->id != busy)
                end_poll(&f->snmp, si, GW_E_NOTRUNNING, NULL);
            seen |= si->id == busy;
        }
    }
    assert_true(seen);
    dj = json_pack("{s:I}", "id", (json_int_t)pinned);
    assert_true(gw_poll_device_json(f->p, dj));
    assert_string_equal(json_string_value(json_object_get(dj, "priority")), "low");
    json_decref(dj);
    gw_bus_unsubscribe(sub);
    stop(f);
}

/* A device removed while its poll is in flight: the driver lets go, the late result is
 * dropped; a device added meanwhile is polled within the minute. */
static void test_add_remove_mid_flight(void **state)
{
    struct fixture *f = *state;
    struct gw_device d;
    int64_t gone = add_device(f, "127.0.0.1");
    int64_t stays = add_device(f, "127.0.0.2");
    start(f);
    advance_stamped(f, 60000, false);
    struct start *sg = open_start(&f->snmp, gone), *ss = open_start(&f->snmp, stays);
    assert_non_null(sg);
    assert_non_null(ss);
    assert_int_equal(gw_device_remove(f->db, gone), 0);
    int64_t added = add_device(f, "127.0.0.3");
    assert_int_equal(gw_poll_reload(f->p), 0);
    assert_int_equal(f->snmp.forgets, 1);
    assert_int_equal(f->snmp.last_forgotten, gone);
    assert_int_equal(figure(f, "polls_in_flight"), 2);
    assert_false(end_poll(&f->snmp, sg, GW_E_NOTRUNNING, NULL)); /* dropped */
    assert_int_equal(figure(f, "polls_failed"), 0);
    assert_int_equal(figure(f, "polls_in_flight"), 1);
    json_t *dj = json_pack("{s:I}", "id", (json_int_t)gone);
    assert_false(gw_poll_device_json(f->p, dj));
    json_decref(dj);
    advance_stamped(f, 60000, false);
    assert_non_null(open_start(&f->snmp, added));
    struct gw_model m;
    gw_model_init(&m);
    assert_true(end_poll(&f->snmp, ss, 0, &m));
    gw_model_cleanup(&m);
    assert_int_equal(gw_device_get(f->db, stays, &d), 0);
    assert_string_equal(d.status, "ok");
    /* A changed address: the driver lets go of the device's session, polling goes on. */
    int before = f->snmp.forgets;
    assert_int_equal(gw_device_set_address(f->db, stays, "127.0.0.4", 161), 0);
    assert_int_equal(gw_poll_reload(f->p), 0);
    assert_int_equal(f->snmp.forgets, before + 1);
    assert_int_equal(f->snmp.last_forgotten, stays);
    assert_int_equal(figure(f, "polls_in_flight"), 1);
    stop(f); /* the added device's poll ends cancelled */
    assert_int_equal(f->snmp.in_flight, 0);
}

/* Reload keeps the schedule of unchanged devices; a reload that changes nothing starts nothing. */
static void test_reload(void **state)
{
    struct fixture *f = *state;
    add_devices(f, 5);
    start(f);
    advance_stamped(f, 60000, true);
    assert_int_equal(f->snmp.n_starts, 5);
    char before[5][32];
    for (size_t i = 0; i < 5; i++) {
        json_t *dj = json_pack("{s:I}", "id", (json_int_t)f->ids[i]);
        assert_true(gw_poll_device_json(f->p, dj));
        gw_strlcpy(before[i], json_string_value(json_object_get(dj, "next_poll")), 32);
        json_decref(dj);
    }
    assert_int_equal(gw_poll_reload(f->p), 0);
    assert_int_equal(f->snmp.forgets, 0);
    for (size_t i = 0; i < 5; i++) {
        json_t *dj = json_pack("{s:I}", "id", (json_int_t)f->ids[i]);
        assert_true(gw_poll_device_json(f->p, dj));
        assert_string_equal(json_string_value(json_object_get(dj, "next_poll")), before[i]);
        json_decref(dj);
    }
    /* A fixed interval changed in the configuration applies to the next due time. */
    f->cfg.poll_alert_interval_s = 120;
    advance_stamped(f, 60000, true);
    assert_int_equal(f->snmp.n_starts, 10); /* the due times set before the change */
    advance_stamped(f, 60000, true);
    assert_int_equal(f->snmp.n_starts, 10);
    advance_stamped(f, 60000, true);
    assert_int_equal(f->snmp.n_starts, 15);
    stop(f);
}

/* A poll that cannot start (credential, session, address) sets the state and waits a whole
 * alert interval, without backoff; nothing is in flight meanwhile. */
static void test_start_failure(void **state)
{
    struct fixture *f = *state;
    struct gw_device d;
    int64_t id = add_device(f, "127.0.0.1");
    f->snmp.fail_start = GW_E_NOTFOUND;
    start(f);
    uint64_t due = expected_spread(id, 60000);
    advance_stamped(f, due + 250, false);
    uint64_t failed_at = (due + 249) / 250 * 250;
    assert_int_equal(f->snmp.n_starts, 0);
    assert_int_equal(figure(f, "polls_in_flight"), 0);
    assert_int_equal(figure(f, "polls_failed"), 0); /* no poll ran */
    assert_int_equal(gw_device_get(f->db, id, &d), 0);
    assert_string_equal(d.status, "error");
    f->snmp.fail_start = 0;
    advance_stamped(f, failed_at + 60000 - f->clock.now - 250, false);
    assert_int_equal(f->snmp.n_starts, 0);
    advance_stamped(f, 250, false);
    assert_int_equal(f->snmp.n_starts, 1);
    assert_true(f->snmp.starts[0].full);
    stop(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_spread, setup, teardown),
        cmocka_unit_test_setup_teardown(test_advance_and_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backoff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_flight_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_priority_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_remove_mid_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_failure, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
