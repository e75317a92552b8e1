/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Unit tests for discovery/run.c: the schedule and window syntax as case tables, and when a
 * schedule is due (daily at a time, every N hours, inside or outside a window), on local times
 * built with mktime; the WS-Discovery settings of `discover add` (defaults, checks, what list
 * and show return); a run on the CLI's private loop against WSD devices of fake_soapc.c, which
 * registers a WSD-only printer with its UUID and publishes `discovery.progress` every second
 * and at the end; the module handle, whose stop is awaited (callback once, loop closes), and
 * the operations on a running module given as ctx->mod. run.c is included to reach its static
 * schedule_due().
 */
#include "discovery/run.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/discovery/fake_soapc.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void test_schedule_syntax(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int rc, daily, every;
    } cases[] = {
        {"manual", 0, -1, 0},
        {"daily 02:30", 0, 150, 0},
        {"daily 23:59", 0, 1439, 0},
        {"every 6", 0, -1, 6},
        {"every 6h", 0, -1, 6},
        {"every 168", 0, -1, 168},
        {"daily 24:00", DISC_E_TARGET, -1, 0},
        {"daily 2:30", DISC_E_TARGET, -1, 0},
        {"every 0", DISC_E_TARGET, -1, 0},
        {"every 169", DISC_E_TARGET, -1, 0},
        {"every x", DISC_E_TARGET, -1, 0},
        {"weekly", DISC_E_TARGET, -1, 0},
        {"", DISC_E_TARGET, -1, 0},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        int d, e;
        int rc = disc__schedule_parse(cases[i].in, &d, &e);
        if (rc != cases[i].rc)
            fail_msg("case '%s': rc %d", cases[i].in, rc);
        if (rc == 0) {
            assert_int_equal(d, cases[i].daily);
            assert_int_equal(e, cases[i].every);
        }
    }
    int from, to;
    assert_int_equal(disc__window_parse("22:00-06:00", &from, &to), 0);
    assert_int_equal(from, 22 * 60);
    assert_int_equal(to, 6 * 60);
    assert_int_equal(disc__window_parse("22:00-22:00", &from, &to), -1);
    assert_int_equal(disc__window_parse("22:00-6:00", &from, &to), -1);
    assert_int_equal(disc__window_parse("25:00-06:00", &from, &to), -1);
}

static int64_t at(int hour, int min)
{
    struct tm tm = {.tm_year = 126,
                    .tm_mon = 10,
                    .tm_mday = 22,
                    .tm_hour = hour,
                    .tm_min = min,
                    .tm_isdst = -1};
    return (int64_t)mktime(&tm);
}

static void test_schedule_due(void **state)
{
    (void)state;
    static const struct {
        const char *schedule, *window;
        int last_h, last_m; /* -1: never ran */
        int now_h, now_m;
        bool due;
    } cases[] = {
        {"manual", "", -1, 0, 12, 0, false},
        {"daily 02:30", "", -1, 0, 2, 29, false},
        {"daily 02:30", "", -1, 0, 2, 30, true},
        {"daily 02:30", "", 2, 30, 9, 0, false}, /* already ran today */
        {"daily 02:30", "", 1, 0, 9, 0, true},   /* last run before today's time */
        {"every 6", "", -1, 0, 9, 0, true},
        {"every 6", "", 4, 0, 9, 59, false},
        {"every 6", "", 4, 0, 10, 0, true},
        {"every 1", "01:00-05:00", 0, 0, 9, 0, false}, /* outside the window */
        {"every 1", "01:00-05:00", 0, 0, 3, 0, true},
        {"every 1", "22:00-06:00", 0, 0, 23, 0, true}, /* window across midnight */
        {"every 1", "22:00-06:00", 0, 0, 12, 0, false},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        int64_t last = cases[i].last_h < 0 ? 0 : at(cases[i].last_h, cases[i].last_m);
        bool due = schedule_due(cases[i].schedule, cases[i].window, last,
                                at(cases[i].now_h, cases[i].now_m));
        if (due != cases[i].due)
            fail_msg("case %zu '%s' window '%s': due %d", i, cases[i].schedule, cases[i].window,
                     due);
    }
}

struct store {
    char dir[64];
    struct gw_db *db;
    struct gw_vault *v;
};

static void store_open(struct store *st)
{
    struct gw_errbuf eb = {""};
    char path[128];
    snprintf(st->dir, sizeof st->dir, "/tmp/test_run.XXXXXX");
    assert_non_null(mkdtemp(st->dir));
    snprintf(path, sizeof path, "%s/secrets.key", st->dir);
    assert_int_equal(gw_vault_keygen(path, &eb), 0);
    assert_int_equal(gw_vault_open(path, &st->v, &eb), 0);
    snprintf(path, sizeof path, "%s/fleetgw.db", st->dir);
    assert_int_equal(gw_db_open(path, &st->db, &eb), 0);
    struct gw_credential c = {.version = GW_SNMP_V2C};
    gw_strlcpy(c.name, "v2", sizeof c.name);
    c.community = gw_strdup("public");
    assert_int_equal(gw_credential_add(st->db, st->v, &c, &eb), 0);
    gw_credential_cleanup(&c);
}

static void store_close(struct store *st)
{
    char cmd[128];
    gw_db_close(st->db);
    gw_vault_free(st->v);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", st->dir);
    assert_int_equal(system(cmd), 0);
}

/* Runs req through the dispatcher with discovery's table, as the program does; mod is the
 * ctx->mod it gives (a struct disc_op_env *), NULL as in the CLI without a daemon. */
static json_t *exec_mod(struct store *st, struct disc_op_env *mod, json_t *req)
{
    static const struct gw_op_caller who = {GW_OP_SRC_CLI, GW_ROLE_ADMIN, "test", "unit"};
    const struct gw_op_table t = {"discovery", disc_ops, disc_n_ops};
    struct gw_op_index *idx;
    assert_int_equal(gw_op_index_new(&t, 1, &idx, NULL), 0);
    void *mods[] = {mod};
    json_t *r = gw_op_exec(idx, mods, st->db, st->v, &who, req);
    gw_op_index_free(idx);
    json_decref(req);
    return r;
}

static json_t *exec(struct store *st, json_t *req)
{
    return exec_mod(st, NULL, req);
}

static void test_wsd_settings(void **state)
{
    (void)state;
    struct store st;
    store_open(&st);
    static const struct {
        const char *json;
        const char *error; /* NULL: accepted */
    } cases[] = {
        {"{\"name\": \"a\", \"targets\": \"10.0.0.0/24\"}", NULL},
        {"{\"name\": \"b\", \"targets\": \"10.0.0.0/24\", \"wsd\": false}", NULL},
        {"{\"name\": \"c\", \"targets\": \"10.0.0.0/24\", \"wsd_interface\": \"10.0.0.5\","
         " \"wsd_port\": 13702}",
         NULL},
        {"{\"name\": \"d\", \"targets\": \"10.0.0.0/24\", \"wsd_interface\": \"10.0.0.300\"}",
         "wsd interface: '10.0.0.300': octet out of range"},
        {"{\"name\": \"e\", \"targets\": \"10.0.0.0/24\", \"wsd_interface\": \"eth0\"}",
         "wsd interface: 'eth0':"},
        {"{\"name\": \"f\", \"targets\": \"10.0.0.0/24\", \"wsd\": false,"
         " \"wsd_interface\": \"10.0.0.5\"}",
         "wsd interface: '10.0.0.5': WS-Discovery is off"},
        {"{\"name\": \"g\", \"targets\": \"10.0.0.0/24\", \"wsd\": \"yes\"}",
         "wsd: must be true or false"},
        {"{\"name\": \"h\", \"targets\": \"10.0.0.0/24\", \"wsd_port\": 70000}",
         "wsd port: must be 1..65535"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        json_t *req = json_loads(cases[i].json, 0, NULL);
        assert_non_null(req);
        json_object_set_new(req, "cmd", json_string("discover.add"));
        json_object_set_new(req, "credentials", json_pack("[s]", "v2"));
        json_t *r = exec(&st, req);
        const char *err = json_string_value(json_object_get(r, "error"));
        if (cases[i].error ? !err || !strstr(err, cases[i].error) : err != NULL)
            fail_msg("case %zu: error '%s'", i, err ? err : "(none)");
        json_decref(r);
    }
    json_t *r = exec(&st, json_pack("{s:s}", "cmd", "discover.list"));
    json_t *list = json_object_get(r, "settings");
    assert_int_equal(json_array_size(list), 3);
    static const struct {
        bool wsd;
        const char *ifaddr;
        int port;
    } want[] = {{true, "", 3702}, {false, "", 3702}, {true, "10.0.0.5", 13702}};
    for (size_t i = 0; i < 3; i++) {
        json_t *s = json_array_get(list, i);
        assert_int_equal(json_is_true(json_object_get(s, "wsd")), want[i].wsd);
        assert_string_equal(json_string_value(json_object_get(s, "wsd_interface")), want[i].ifaddr);
        assert_int_equal(json_integer_value(json_object_get(s, "wsd_port")), want[i].port);
    }
    json_decref(r);
    store_close(&st);
}

struct events {
    unsigned running, done;
    json_t *last;
};

static void on_event(const char *kind, json_t *payload, void *arg)
{
    struct events *ev = arg;
    assert_string_equal(kind, "discovery.progress");
    const char *state = json_string_value(json_object_get(payload, "state"));
    assert_non_null(state);
    assert_string_equal(json_string_value(json_object_get(payload, "setting")), "lab");
    if (strcmp(state, "running") == 0) {
        ev->running++;
        assert_true(json_is_null(json_object_get(payload, "finished")));
    } else {
        assert_string_equal(state, "done");
        ev->done++;
    }
    json_decref(ev->last);
    ev->last = json_incref(payload);
}

/* A UDP socket on a free port that reads nothing: every SNMP try sent to it times out.
 * Returns: the socket, its address in *sin. */
static int sink_socket(struct sockaddr_in *sin)
{
    socklen_t len = sizeof *sin;
    int sink = socket(AF_INET, SOCK_DGRAM, 0);
    *sin = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY)};
    assert_int_equal(bind(sink, (struct sockaddr *)sin, sizeof *sin), 0);
    assert_int_equal(getsockname(sink, (struct sockaddr *)sin, &len), 0);
    return sink;
}

static void test_run_wsd_progress(void **state)
{
    (void)state;
    struct store st;
    store_open(&st);
    /* SNMP goes to a socket that reads nothing: every SNMP try times out. */
    struct sockaddr_in sin;
    int sink = sink_socket(&sin);
    static const struct t_wsd_dev devs[] = {
        {0x7f4e0002, "urn:uuid:run-2", "WSD-RUN-2", true, 0, false}, /* 127.78.0.2 */
    };
    memset(&t_fake_wsd, 0, sizeof t_fake_wsd);
    t_fake_wsd.devs = devs;
    t_fake_wsd.ndevs = 1;
    t_fake_wsd.match_delay_ms = 2;
    t_fake_wsd.info_ms = 2;

    json_t *r =
        exec(&st, json_pack("{s:s, s:s, s:s, s:[s], s:i, s:i, s:b, s:i}", "cmd", "discover.add",
                            "name", "lab", "targets", "127.78.0.0/29", "credentials", "v2", "port",
                            ntohs(sin.sin_port), "pps", 10, "auto_register", 1, "wsd_port", 13702));
    assert_true(json_is_true(json_object_get(r, "ok")));
    json_decref(r);
    struct events ev = {0};
    int sub = gw_bus_subscribe("discovery.", on_event, &ev);
    r = exec(&st, json_pack("{s:s, s:s}", "cmd", "discover.run", "name", "lab"));
    gw_bus_unsubscribe(sub);
    assert_true(json_is_true(json_object_get(r, "ok")));
    /* 16 packets at 10/s: about 1.6 s, so at least one event while running, one at the end. */
    assert_true(ev.running >= 1);
    assert_int_equal(ev.done, 1);
    assert_int_equal(json_integer_value(json_object_get(ev.last, "done")), 8);
    assert_int_equal(json_integer_value(json_object_get(ev.last, "total")), 8);
    assert_int_equal(json_integer_value(json_object_get(ev.last, "printers")), 1);
    assert_int_equal(json_integer_value(json_object_get(ev.last, "packets")), 16);
    assert_int_equal(json_integer_value(json_object_get(ev.last, "wsd_packets")), 8);
    assert_int_equal(json_integer_value(json_object_get(ev.last, "wsd_responders")), 1);
    assert_int_equal(json_integer_value(json_object_get(ev.last, "registered")), 1);
    assert_true(json_is_integer(json_object_get(ev.last, "finished")));
    assert_true(json_is_real(json_object_get(ev.last, "eta_s")));
    /* The same figures as `discover show` for the finished run. */
    json_t *run = json_object_get(json_object_get(r, "setting"), "last_run");
    static const char *const keys[] = {"total",       "done",         "printers",      "packets",
                                       "wsd_packets", "registered",   "moved",         "checkpoint",
                                       "responders",  "resumed_from", "wsd_responders"};
    for (size_t i = 0; i < NELEM(keys); i++)
        if (!json_equal(json_object_get(run, keys[i]), json_object_get(ev.last, keys[i])))
            fail_msg("key %s differs between show and the event", keys[i]);
    json_t *printers = json_object_get(json_object_get(r, "setting"), "printers");
    assert_int_equal(json_array_size(printers), 1);
    json_t *p = json_array_get(printers, 0);
    assert_string_equal(json_string_value(json_object_get(p, "address")), "127.78.0.2");
    assert_string_equal(json_string_value(json_object_get(p, "found_by")), "wsd");
    assert_string_equal(json_string_value(json_object_get(p, "uuid")), "urn:uuid:run-2");
    assert_string_equal(json_string_value(json_object_get(p, "serial")), "WSD-RUN-2");
    struct gw_device d;
    assert_int_equal(gw_device_get(st.db, json_integer_value(json_object_get(p, "device_id")), &d),
                     0);
    assert_string_equal(d.wsd_uuid, "urn:uuid:run-2");
    assert_string_equal(d.address, "127.78.0.2");
    json_decref(r);
    json_decref(ev.last);
    close(sink);
    store_close(&st);
}

/* The module is a handle: started once, and stopping it is awaited. The stop callback runs
 * exactly once, after the schedule timer closed (not during disc_stop()), and the loop then
 * closes with no handle left; a NULL module stops at once. */
static void count_stop(void *arg)
{
    (*(int *)arg)++;
}

static void test_module_stop_awaited(void **state)
{
    (void)state;
    struct store st;
    struct gw_errbuf eb = {""};
    struct disc_ctx *m = (struct disc_ctx *)&st;
    uv_loop_t loop;
    int stopped = 0;
    store_open(&st);
    assert_int_equal(uv_loop_init(&loop), 0);
    struct disc_env env = {.loop = &loop, .db = st.db, .vault = st.v};
    assert_int_equal(disc_init(&env, &m, &eb), 0);
    assert_non_null(m);
    assert_int_equal(disc_start(m), 0);
    assert_int_equal(disc_start(m), GW_E_INVAL);
    json_t *status = json_object();
    disc_status(m, st.db, status);
    assert_non_null(json_object_get(status, "discovery"));
    json_decref(status);

    disc_stop(m, count_stop, &stopped);
    assert_int_equal(stopped, 0);
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(stopped, 1);
    assert_int_equal(uv_loop_close(&loop), 0);

    disc_stop(NULL, count_stop, &stopped);
    assert_int_equal(stopped, 2);
    store_close(&st);
}

/* The operations see the running module through ctx->mod (struct disc_op_env): discover.run
 * starts the sweep on the module's loop and returns at once, the running setting cannot be
 * removed or changed, show and status give its live figures; stopping the module interrupts it
 * (state 'running' stays, to resume at the next start). */
static void test_ops_on_running_module(void **state)
{
    (void)state;
    struct store st;
    struct gw_errbuf eb = {""};
    struct disc_ctx *m = NULL;
    uv_loop_t loop;
    int stopped = 0;
    store_open(&st);
    /* SNMP goes to a socket that reads nothing; no WSD device answers; 1 packet a second. */
    struct sockaddr_in sin;
    int sink = sink_socket(&sin);
    memset(&t_fake_wsd, 0, sizeof t_fake_wsd);
    json_t *r = exec(&st, json_pack("{s:s, s:s, s:s, s:[s], s:i, s:i, s:i}", "cmd", "discover.add",
                                    "name", "lab", "targets", "127.78.0.0/29", "credentials", "v2",
                                    "port", ntohs(sin.sin_port), "pps", 1, "wsd_port", 13702));
    assert_true(json_is_true(json_object_get(r, "ok")));
    json_decref(r);

    assert_int_equal(uv_loop_init(&loop), 0);
    /* As the daemon does. No shutdown here: the CLI run of test_run_wsd_progress, after this
     * test, ends the library (net-snmp leaks its MIB tables when initialised a second time). */
    snmpc_lib_init();
    struct disc_env env = {.loop = &loop, .db = st.db, .vault = st.v};
    assert_int_equal(disc_init(&env, &m, &eb), 0);
    assert_int_equal(disc_start(m), 0);
    struct disc_op_env mod = {.m = m};

    r = exec_mod(&st, &mod, json_pack("{s:s, s:s}", "cmd", "discover.run", "name", "lab"));
    assert_true(json_is_true(json_object_get(r, "ok")));
    assert_true(json_is_true(json_object_get(r, "started")));
    json_decref(r);
    r = exec_mod(&st, &mod, json_pack("{s:s, s:s}", "cmd", "discover.run", "name", "lab"));
    assert_int_equal(json_integer_value(json_object_get(r, "code")), GW_E_BUSY);
    json_decref(r);
    r = exec_mod(&st, &mod, json_pack("{s:s, s:s}", "cmd", "discover.remove", "name", "lab"));
    assert_int_equal(json_integer_value(json_object_get(r, "code")), GW_E_BUSY);
    json_decref(r);
    r = exec_mod(&st, &mod,
                 json_pack("{s:s, s:s, s:i}", "cmd", "discover.set", "name", "lab", "pps", 5));
    assert_int_equal(json_integer_value(json_object_get(r, "code")), GW_E_BUSY);
    json_decref(r);
    /* Live figures: only the running module has eta_s. */
    r = exec_mod(&st, &mod, json_pack("{s:s, s:s}", "cmd", "discover.show", "name", "lab"));
    json_t *run = json_object_get(json_object_get(r, "setting"), "last_run");
    assert_string_equal(json_string_value(json_object_get(run, "state")), "running");
    assert_true(json_is_real(json_object_get(run, "eta_s")));
    assert_int_equal(json_integer_value(json_object_get(run, "total")), 8);
    json_decref(r);
    r = exec_mod(&st, &mod, json_pack("{s:s}", "cmd", "discover.list"));
    run = json_object_get(json_array_get(json_object_get(r, "settings"), 0), "last_run");
    assert_true(json_is_real(json_object_get(run, "eta_s")));
    json_decref(r);
    json_t *status = json_object();
    disc_status(m, st.db, status);
    json_t *running = json_object_get(json_object_get(status, "discovery"), "running");
    assert_int_equal(json_array_size(running), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(running, 0), "name")),
                        "lab");
    json_decref(status);

    disc_stop(m, count_stop, &stopped);
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(stopped, 1);
    assert_int_equal(uv_loop_close(&loop), 0);
    /* Without the module (the CLI): the interrupted run is stored, with no live figures. */
    r = exec(&st, json_pack("{s:s, s:s}", "cmd", "discover.show", "name", "lab"));
    run = json_object_get(json_object_get(r, "setting"), "last_run");
    assert_string_equal(json_string_value(json_object_get(run, "state")), "running");
    assert_null(json_object_get(run, "eta_s"));
    json_decref(r);
    close(sink);
    store_close(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule_syntax),  cmocka_unit_test(test_schedule_due),
        cmocka_unit_test(test_wsd_settings),     cmocka_unit_test(test_ops_on_running_module),
        cmocka_unit_test(test_run_wsd_progress), cmocka_unit_test(test_module_stop_awaited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
