/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Tests of the public sqlite helpers (gateway/db.c) and of the streaming queries other modules
 * read the gateway's tables through (gateway/query.c): what each row carries, the order, the
 * cursors and limits, NULL columns, and a callback that stops the walk.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gateway/gw_int.h"
#include "tests/harness/t_gw.h"

struct fixture {
    char dir[64];
    struct gw_db *db;
};

static int setup(void **state)
{
    struct fixture *f = gw_calloc(1, sizeof *f);
    if (t_gw_open(f->dir, sizeof f->dir, "query", &f->db, NULL) < 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    int rc = t_gw_close(f->dir, f->db, NULL);
    free(f);
    return rc;
}

/* Two devices (ids 1 and 2) on one credential set; device 2 has no state rows. */
static void fleet(struct fixture *f)
{
    t_gw_exec(f->db,
              "INSERT INTO credentials (id, name, version, created) VALUES (1, 'lan', 2, 0);"
              "INSERT INTO devices (id, name, address, credential_id, status, vendor, model, "
              "serial, mac, sys_name, sys_location, created) VALUES "
              "(1, 'front desk', '10.1.2.3', 1, 'ok', 'Ricoh', 'MP C3004', 'S1', "
              "'00:11:22:33:44:55', 'rc-front', 'Floor 2', 0),"
              "(2, '', '10.1.2.4', 1, 'new', '', '', '', '', '', '', 0);"
              "INSERT INTO counters_latest (device_id, name, oid, value, ts, reading_ts, "
              "reading_value) VALUES (1, 'total', '1.3', 9007199254740993, 5, 5, 1),"
              "(1, 'copy_mono', '1.4', 7, 5, 5, 7);"
              "INSERT INTO supplies (device_id, type, idx, color, description, level_raw, "
              "max_capacity, percent, state, ts) VALUES "
              "(1, 'toner', 2, 'cyan', 'C', 10, 100, 10, 'low', 5),"
              "(1, 'toner', 1, 'black', 'K', -3, 100, -1, 'some_remaining', 5),"
              "(1, 'drum', 1, '', 'D', 50, 100, 50, 'ok', 5);"
              "INSERT INTO trays (device_id, idx, name, description, max_capacity, level_raw, "
              "percent, state, ts) VALUES (1, 2, '', 'Bypass', 100, -3, -1, 'ok', 5),"
              "(1, 1, 'Tray 1', 'Cassette', 500, -2, -1, 'unknown', 5);");
}

static void test_helpers(void **state)
{
    struct fixture *f = *state;
    sqlite3_stmt *st = (sqlite3_stmt *)&st;
    char buf[8];
    /* A bad statement fails cleanly and leaves no statement behind. */
    assert_int_equal(gw_db_prepare(f->db, "SELECT nothing FROM nowhere", &st), GW_E_DB);
    assert_null(st);
    assert_int_equal(gw_db_run(f->db, st, "a failed prepare"), GW_E_DB);

    assert_int_equal(gw_db_prepare(f->db, "SELECT NULL, 'abcdefghij' UNION ALL SELECT 1, 2", &st),
                     0);
    assert_int_equal(gw_db_step(f->db, st, "test"), 1);
    assert_string_equal(gw_db_column_text(st, 0), "");
    gw_db_column_copy(st, 1, buf, sizeof buf);
    assert_string_equal(buf, "abcdefg");
    assert_int_equal(gw_db_step(f->db, st, "test"), 1);
    assert_int_equal(gw_db_step(f->db, st, "test"), 0);
    sqlite3_finalize(st);

    /* A NULL pointer binds NULL; a unique violation is GW_E_EXISTS; changes are counted. */
    assert_int_equal(gw_db_prepare(f->db, "INSERT INTO settings (key, value) VALUES (?1, ?2)", &st),
                     0);
    gw_db_bind_text(st, 1, "k");
    gw_db_bind_text(st, 2, NULL);
    assert_int_equal(gw_db_run(f->db, st, "a NOT NULL violation"), GW_E_DB);
    assert_int_equal(
        gw_db_prepare(f->db, "INSERT INTO settings (key, value) VALUES (?1, 'v')", &st), 0);
    gw_db_bind_text(st, 1, "k");
    assert_int_equal(gw_db_run(f->db, st, "an insert"), 0);
    assert_int_equal(gw_db_changes(f->db), 1);
    assert_int_equal(
        gw_db_prepare(f->db, "INSERT INTO settings (key, value) VALUES ('k', 'w')", &st), 0);
    assert_int_equal(gw_db_run(f->db, st, "a duplicate"), GW_E_EXISTS);
}

static void test_credential_exists(void **state)
{
    struct fixture *f = *state;
    assert_false(gw_query_credential_exists(f->db, "lan"));
    fleet(f);
    assert_true(gw_query_credential_exists(f->db, "lan"));
    assert_false(gw_query_credential_exists(f->db, "LAN"));
    assert_false(gw_query_credential_exists(f->db, "lan' OR '1'='1"));
}

/* Writes what the callbacks see as one line per call. */
struct trace {
    char text[2048];
    int devices, stop_after;
};

static void tr(struct trace *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tr(struct trace *t, const char *fmt, ...)
{
    size_t n = strlen(t->text);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->text + n, sizeof t->text - n, fmt, ap);
    va_end(ap);
}

static int cb_device(const struct gw_current_device *d, void *arg)
{
    struct trace *t = arg;
    tr(t, "dev %lld %s|%s|%s|%s|%s\n", (long long)d->id, d->serial, d->mac, d->vendor, d->model,
       d->status);
    return 0;
}

static int cb_counter(const char *name, int64_t value, void *arg)
{
    tr(arg, " c %s=%lld\n", name, (long long)value);
    return 0;
}

static int cb_supply(const char *type, const char *color, int percent, const char *state, void *arg)
{
    tr(arg, " s %s %s %d %s\n", type, color, percent, state);
    return 0;
}

static int cb_tray(const char *name, int64_t level, int64_t cap, const char *state, void *arg)
{
    tr(arg, " t %s %lld/%lld %s\n", name, (long long)level, (long long)cap, state);
    return 0;
}

static int cb_end(void *arg)
{
    struct trace *t = arg;
    tr(t, "end\n");
    return ++t->devices == t->stop_after ? 42 : 0;
}

static void test_current_each(void **state)
{
    struct fixture *f = *state;
    const struct gw_current_cbs cbs = {cb_device, cb_counter, cb_supply, cb_tray, cb_end};
    const struct gw_current_cbs only_devices = {.device = cb_device};
    struct trace t = {.text = ""};
    assert_int_equal(gw_query_current_each(f->db, &cbs, &t), 0);
    assert_string_equal(t.text, "");
    fleet(f);
    assert_int_equal(gw_query_current_each(f->db, &cbs, &t), 0);
    /* Counters in key order of the table; supplies by type then index; trays by index, the
     * description standing in for an empty name; 64-bit meters intact. */
    assert_string_equal(t.text, "dev 1 S1|00:11:22:33:44:55|Ricoh|MP C3004|ok\n"
                                " c copy_mono=7\n"
                                " c total=9007199254740993\n"
                                " s drum  50 ok\n"
                                " s toner black -1 some_remaining\n"
                                " s toner cyan 10 low\n"
                                " t Tray 1 -2/500 unknown\n"
                                " t Bypass -3/100 ok\n"
                                "end\n"
                                "dev 2 ||||new\n"
                                "end\n");
    /* A callback's return stops the walk and comes back. */
    memset(&t, 0, sizeof t);
    t.stop_after = 1;
    assert_int_equal(gw_query_current_each(f->db, &cbs, &t), 42);
    assert_null(strstr(t.text, "dev 2"));
    memset(&t, 0, sizeof t);
    assert_int_equal(gw_query_current_each(f->db, &only_devices, &t), 0);
    assert_string_equal(t.text, "dev 1 S1|00:11:22:33:44:55|Ricoh|MP C3004|ok\ndev 2 ||||new\n");
}

static int cb_audit(const struct gw_audit_row *r, void *arg)
{
    tr(arg, "%lld %lld %s %s %s %s [%s]\n", (long long)r->id, (long long)(r->ts > 0), r->user,
       r->source, r->action, r->result, r->detail);
    return 0;
}

static void test_audit_after(void **state)
{
    struct fixture *f = *state;
    struct trace t = {.text = ""};
    assert_int_equal(gw_audit_add(f->db, "admin", "cli", "device.add", "ok", "10.1.2.3"), 0);
    assert_int_equal(gw_audit_add(f->db, "admin", "cli", "device.remove", "ok", NULL), 0);
    assert_int_equal(gw_audit_add(f->db, "bob", "web", "login", "failed", "wrong password"), 0);
    assert_int_equal(gw_query_audit_after(f->db, 0, 100000, cb_audit, &t), 0);
    assert_string_equal(t.text, "1 1 admin cli device.add ok [10.1.2.3]\n"
                                "2 1 admin cli device.remove ok []\n"
                                "3 1 bob web login failed [wrong password]\n");
    memset(&t, 0, sizeof t);
    assert_int_equal(gw_query_audit_after(f->db, 1, 1, cb_audit, &t), 0);
    assert_string_equal(t.text, "2 1 admin cli device.remove ok []\n");
    memset(&t, 0, sizeof t);
    assert_int_equal(gw_query_audit_after(f->db, 3, 10, cb_audit, &t), 0);
    assert_string_equal(t.text, "");
}

static int cb_event(const struct gw_event_row *r, void *arg)
{
    tr(arg, "%lld %lld %lld %s %s [%s]\n", (long long)r->id, (long long)r->ts,
       (long long)r->device_id, r->address, r->kind, r->detail);
    return r->id == 2 ? -7 : 0;
}

static void test_events_after(void **state)
{
    struct fixture *f = *state;
    struct trace t = {.text = ""};
    fleet(f);
    assert_int_equal(gw_event_add(f->db, 1, "counter_regression", "total 10 -> 5", 100), 0);
    assert_int_equal(gw_event_add(f->db, 0, "gateway_start", NULL, 101), 0);
    assert_int_equal(gw_event_add(f->db, 2, "engine_id_shared", NULL, 102), 0);
    /* The callback stops at id 2; a gateway event has device 0 and no address. */
    assert_int_equal(gw_query_events_after(f->db, 0, 100000, cb_event, &t), -7);
    assert_string_equal(t.text, "1 100 1 10.1.2.3 counter_regression [total 10 -> 5]\n"
                                "2 101 0  gateway_start []\n");
    memset(&t, 0, sizeof t);
    assert_int_equal(gw_query_events_after(f->db, 2, 100000, cb_event, &t), 0);
    assert_string_equal(t.text, "3 102 2 10.1.2.4 engine_id_shared []\n");
}

static void cb_name(const char *value, void *arg)
{
    tr(arg, "%s;", value);
}

static void test_site_names(void **state)
{
    struct fixture *f = *state;
    struct trace t = {.text = ""};
    assert_int_equal(gw_query_device_site_names(f->db, cb_name, &t), 0);
    assert_string_equal(t.text, "");
    fleet(f);
    assert_int_equal(gw_query_device_site_names(f->db, cb_name, &t), 0);
    assert_string_equal(t.text, "10.1.2.3;front desk;rc-front;Floor 2;10.1.2.4;;;;");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_helpers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_credential_exists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_current_each, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_after, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_after, setup, teardown),
        cmocka_unit_test_setup_teardown(test_site_names, setup, teardown),
    };
    gw_log_set_level(LOG_CRIT);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
