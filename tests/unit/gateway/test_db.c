/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Database tests: a fresh file migrates to the latest schema with every table, reopening is
 * idempotent, a newer or foreign database is refused untouched, pragmas are in force, nested
 * transactions commit and roll back per level, settings work.
 */
#include "config.h"

#include <errno.h>
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
    char path[128];
};

static int setup(void **state)
{
    struct fixture *f = gw_calloc(1, sizeof *f);
    if (t_gw_open(f->dir, sizeof f->dir, "db", NULL, NULL) < 0)
        return -1;
    snprintf(f->path, sizeof f->path, "%s/fleetgw.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    int rc = t_gw_close(f->dir, NULL, NULL);
    free(f);
    return rc;
}

static void test_fresh_migrate(void **state)
{
    struct fixture *f = *state;
    static const char *const tables[] = {
        "devices", "credentials", "counter_readings", "counters_latest", "supplies",
        "alerts",  "events",      "settings",         "audit",           "trays"};
    struct gw_errbuf eb = {""};
    struct gw_db *db = NULL;
    char sql[128];
    assert_int_equal(gw_db_open(f->path, &db, &eb), 0);
    assert_non_null(db);
    assert_true(gw_db_schema_latest() >= 1);
    assert_int_equal(gw_db_schema_version(db), gw_db_schema_latest());
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'",
                 tables[i]);
        assert_int_equal(t_gw_query_int(db, sql), 1);
    }
    /* The connection settings the store relies on. */
    assert_int_equal(t_gw_query_int(db, "PRAGMA foreign_keys"), 1);
    assert_int_equal(t_gw_query_int(db, "PRAGMA synchronous"), 1); /* NORMAL */
    assert_int_equal(t_gw_query_int(db, "PRAGMA busy_timeout"), 5000);
    {
        sqlite3_stmt *st;
        sqlite3_prepare_v2(gw_db_handle(db), "PRAGMA journal_mode", -1, &st, NULL);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
        sqlite3_finalize(st);
    }
    gw_db_close(db);
    gw_db_close(NULL);
}

/* Schema 5: a database of schema 4 with input trays stored as supplies of type 'input' comes
 * out with them in trays and only marker supplies left in supplies; a tray is never "low". */
static void test_migrate_trays(void **state)
{
    struct fixture *f = *state;
    struct gw_errbuf eb = {""};
    struct gw_db *db = NULL;
    sqlite3 *h;
    sqlite3_stmt *st;
    assert_int_equal(gw_db_open(f->path, &db, &eb), 0);
    h = gw_db_handle(db);
    /* Back to what schema 4 looked like, with what the old decoder stored. */
    assert_int_equal(
        sqlite3_exec(h,
                     "DROP TABLE trays;"
                     "INSERT INTO credentials (id, name, version, created) VALUES (1, 'c', 2, 0);"
                     "INSERT INTO devices (id, address, credential_id, created) "
                     "  VALUES (7, '10.0.0.7', 1, 0);"
                     "INSERT INTO supplies VALUES (7, 'toner', 1, 'black', 'Black', 8, 100, 8, "
                     "  'low', 100);"
                     "INSERT INTO supplies VALUES (7, 'input', 1, '', 'Cassette 1', 25, 250, 10, "
                     "  'low', 100);"
                     "INSERT INTO supplies VALUES (7, 'input', 2, '', 'MP Tray', 0, 100, 0, "
                     "  'empty', 100);"
                     "INSERT INTO supplies VALUES (7, 'input', 3, '', 'Cassette 2', -3, 500, -1, "
                     "  'some_remaining', 100);"
                     "PRAGMA user_version = 4;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    gw_db_close(db);
    db = NULL;
    assert_int_equal(gw_db_open(f->path, &db, &eb), 0);
    assert_int_equal(gw_db_schema_version(db), gw_db_schema_latest());
    assert_true(gw_db_schema_latest() >= 5);
    assert_int_equal(t_gw_query_int(db, "SELECT count(*) FROM supplies WHERE type = 'input'"), 0);
    assert_int_equal(t_gw_query_int(db, "SELECT count(*) FROM supplies WHERE type = 'toner'"), 1);
    assert_int_equal(t_gw_query_int(db, "SELECT count(*) FROM trays WHERE device_id = 7"), 3);
    assert_int_equal(sqlite3_prepare_v2(gw_db_handle(db),
                                        "SELECT idx, name, level_raw, max_capacity, percent, "
                                        "state, status, ts FROM trays ORDER BY idx",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    assert_string_equal((const char *)sqlite3_column_text(st, 1), "Cassette 1");
    assert_int_equal(sqlite3_column_int(st, 2), 25);
    assert_int_equal(sqlite3_column_int(st, 3), 250);
    assert_int_equal(sqlite3_column_int(st, 4), 10);
    assert_string_equal((const char *)sqlite3_column_text(st, 5), "ok"); /* was "low" */
    assert_int_equal(sqlite3_column_int(st, 6), -1);
    assert_int_equal(sqlite3_column_int(st, 7), 100);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 5), "empty");
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 5), "some_remaining");
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    /* The marker supply kept its own state. */
    assert_int_equal(t_gw_query_int(db, "SELECT count(*) FROM supplies WHERE state = 'low'"), 1);
    gw_db_close(db);
}

static void test_reopen_idempotent(void **state)
{
    struct fixture *f = *state;
    struct gw_errbuf eb = {""};
    struct gw_db *db;
    char buf[32];
    assert_int_equal(gw_db_open(f->path, &db, &eb), 0);
    assert_int_equal(gw_setting_set(db, "k", "v1"), 0);
    gw_db_close(db);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(gw_db_open(f->path, &db, &eb), 0);
        assert_int_equal(gw_db_schema_version(db), gw_db_schema_latest());
        assert_int_equal(gw_setting_get(db, "k", buf, sizeof buf), 0);
        assert_string_equal(buf, "v1");
        gw_db_close(db);
    }
}

static void test_newer_schema_refused(void **state)
{
    struct fixture *f = *state;
    struct gw_errbuf eb = {""};
    struct gw_db *db = (struct gw_db *)1;
    char expect[256];
    sqlite3 *h;
    assert_int_equal(gw_db_open(f->path, &db, &eb), 0);
    gw_db_close(db);
    assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    assert_int_equal(gw_db_open(f->path, &db, &eb), GW_E_SCHEMA);
    assert_null(db);
    snprintf(expect, sizeof expect,
             "%s has schema version 99 but this fleetgw knows versions up to %d; run the newer "
             "fleetgw or restore a backup",
             f->path, gw_db_schema_latest());
    assert_string_equal(eb.msg, expect);
    /* Refused untouched: still at 99. */
    assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
    {
        sqlite3_stmt *st;
        sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), 99);
        sqlite3_finalize(st);
    }
    sqlite3_close(h);
}

static void test_foreign_refused(void **state)
{
    struct fixture *f = *state;
    struct gw_errbuf eb = {""};
    struct gw_db *db;
    char path[160];
    sqlite3 *h;
    FILE *fp;
    snprintf(path, sizeof path, "%s/other.db", f->dir);
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(h, "CREATE TABLE x (a); PRAGMA user_version = 1", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(h);
    assert_int_equal(gw_db_open(path, &db, &eb), GW_E_SCHEMA);
    assert_non_null(strstr(eb.msg, "is not a fleetgw database"));

    snprintf(path, sizeof path, "%s/garbage.db", f->dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    for (int i = 0; i < 200; i++)
        fputs("this is not an sqlite file ", fp);
    fclose(fp);
    assert_int_equal(gw_db_open(path, &db, &eb), GW_E_DB);

    snprintf(path, sizeof path, "%s/no/such/dir/x.db", f->dir);
    assert_int_equal(gw_db_open(path, &db, &eb), GW_E_DB);
    assert_non_null(strstr(eb.msg, "cannot open database"));
}

static int count_settings(struct gw_db *db)
{
    return (int)t_gw_query_int(db, "SELECT count(*) FROM settings");
}

static void test_transactions(void **state)
{
    struct fixture *f = *state;
    struct gw_errbuf eb = {""};
    struct gw_db *db;
    assert_int_equal(gw_db_open(f->path, &db, &eb), 0);
    assert_int_equal(gw_db_exec(db, "DELETE FROM settings"), 0);

    assert_int_equal(gw_db_begin(db), 0);
    assert_int_equal(gw_setting_set(db, "a", "1"), 0);
    assert_int_equal(gw_db_begin(db), 0); /* savepoint */
    assert_int_equal(gw_setting_set(db, "b", "2"), 0);
    gw_db_rollback(db); /* only b goes */
    assert_int_equal(gw_db_begin(db), 0);
    assert_int_equal(gw_setting_set(db, "c", "3"), 0);
    assert_int_equal(gw_db_commit(db), 0);
    assert_int_equal(gw_db_commit(db), 0);
    assert_int_equal(count_settings(db), 2);

    assert_int_equal(gw_db_begin(db), 0);
    assert_int_equal(gw_setting_set(db, "d", "4"), 0);
    assert_int_equal(gw_db_begin(db), 0);
    assert_int_equal(gw_setting_set(db, "e", "5"), 0);
    assert_int_equal(gw_db_commit(db), 0);
    gw_db_rollback(db); /* the outer rollback takes the committed inner level too */
    assert_int_equal(count_settings(db), 2);

    /* Closing inside a transaction rolls it back. */
    assert_int_equal(gw_db_begin(db), 0);
    assert_int_equal(gw_setting_set(db, "f", "6"), 0);
    gw_db_close(db);
    assert_int_equal(gw_db_open(f->path, &db, &eb), 0);
    assert_int_equal(count_settings(db), 2);
    gw_db_close(db);
}

static void test_settings(void **state)
{
    struct fixture *f = *state;
    struct gw_errbuf eb = {""};
    struct gw_db *db;
    char buf[8];
    assert_int_equal(gw_db_open(f->path, &db, &eb), 0);
    memcpy(buf, "junk", 5);
    assert_int_equal(gw_setting_get(db, "absent", buf, sizeof buf), GW_E_NOTFOUND);
    assert_string_equal(buf, "");
    assert_int_equal(gw_setting_set(db, "mode", "monitor"), 0);
    assert_int_equal(gw_setting_set(db, "mode", "manage-long-value"), 0);
    assert_int_equal(gw_setting_get(db, "mode", buf, sizeof buf), 0);
    assert_string_equal(buf, "manage-"); /* truncated to the buffer */
    gw_db_close(db);
}

/* Foreign keys are enforced: a device cannot name a credential that does not exist. */
static void test_foreign_keys(void **state)
{
    struct fixture *f = *state;
    struct gw_errbuf eb = {""};
    struct gw_db *db;
    assert_int_equal(gw_db_open(f->path, &db, &eb), 0);
    assert_int_not_equal(sqlite3_exec(gw_db_handle(db),
                                      "INSERT INTO devices (address, credential_id, created) "
                                      "VALUES ('h', 999, 0)",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    gw_db_close(db);
}

/* Module-owned tables: steps apply once, in order, survive a reopen, a failing step leaves the
 * module at its last good version, and a newer module schema is refused. */
static void test_module_migrations(void **state)
{
    struct fixture *f = *state;
    struct gw_db *db;
    struct gw_errbuf eb = {""};
    char val[16];
    static const struct gw_db_migration v2[] = {
        {1, "CREATE TABLE ui_users (id INTEGER PRIMARY KEY, name TEXT)"},
        {2, "ALTER TABLE ui_users ADD COLUMN role TEXT"},
    };
    static const struct gw_db_migration bad[] = {
        {1, "CREATE TABLE ui_users (id INTEGER PRIMARY KEY, name TEXT)"},
        {2, "ALTER TABLE ui_users ADD COLUMN role TEXT"},
        {3, "CREATE TABLE ui_broken (x"},
    };
    assert_int_equal(gw_db_open(f->path, &db, &eb), 0);
    assert_int_equal(gw_db_migrate_module(db, "ui", v2, 1, &eb), 0);
    assert_int_equal(gw_setting_get(db, "schema.ui", val, sizeof val), 0);
    assert_string_equal(val, "1");
    assert_int_equal(gw_db_migrate_module(db, "ui", v2, 2, &eb), 0);
    assert_int_equal(gw_db_migrate_module(db, "ui", v2, 2, &eb), 0); /* idempotent */
    assert_int_equal(t_gw_query_int(db, "SELECT count(*) FROM pragma_table_info('ui_users')"), 3);
    assert_int_equal(gw_db_migrate_module(db, "ui", bad, 3, &eb), GW_E_DB);
    assert_non_null(strstr(eb.msg, "ui tables: migration to version 3 failed"));
    assert_int_equal(gw_setting_get(db, "schema.ui", val, sizeof val), 0);
    assert_string_equal(val, "2");
    assert_int_equal(
        t_gw_query_int(db, "SELECT count(*) FROM sqlite_master WHERE name='ui_broken'"), 0);
    /* A program that knows only version 1 must not run on version 2 tables. */
    assert_int_equal(gw_db_migrate_module(db, "ui", v2, 1, &eb), GW_E_SCHEMA);
    assert_non_null(strstr(eb.msg, "newer"));
    gw_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fresh_migrate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_trays, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_module_migrations, setup, teardown),
    };
    gw_log_set_level(LOG_CRIT);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
