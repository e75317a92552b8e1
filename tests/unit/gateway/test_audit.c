/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Audit log tests: the chain verifies, and each kind of edit made directly in sqlite (a field,
 * a hash, a deleted record in the middle or at the end, reordered ids) breaks it at the right
 * record. Records added inside a caller's transaction follow that transaction. Includes
 * audit.c to recompute a hash the way someone rewriting a record would.
 */
#include "gateway/audit.c"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/harness/t_gw.h"

struct fixture {
    char dir[64];
    struct gw_db *db;
};

static int setup(void **state)
{
    struct fixture *f = gw_calloc(1, sizeof *f);
    if (t_gw_open(f->dir, sizeof f->dir, "audit", &f->db, NULL) < 0)
        return -1;
    /* Five records, one with a NULL detail. */
    if (gw_audit_add(f->db, "root", "cli", "init", "ok", "/var/lib/fleetgw") < 0 ||
        gw_audit_add(f->db, "admin", "webui", "login", "ok", NULL) < 0 ||
        gw_audit_add(f->db, "admin", "webui", "credential.add", "ok", "office") < 0 ||
        gw_audit_add(f->db, "uid=1000", "cli", "device.add", "failed", "10.0.0.1") < 0 ||
        gw_audit_add(f->db, "cloud", "uplink", "task.reboot", "ok", "device=7") < 0)
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

static void expect_broken(struct fixture *f, const char *msg)
{
    struct gw_errbuf eb = {""};
    assert_int_equal(gw_audit_verify(f->db, &eb), GW_E_TAMPER);
    assert_string_equal(eb.msg, msg);
}

static void test_chain_verifies(void **state)
{
    struct fixture *f = *state;
    struct gw_errbuf eb = {""};
    sqlite3_stmt *st;
    char prev[65] = "0000000000000000000000000000000000000000000000000000000000000000";
    int rows = 0;
    assert_int_equal(gw_audit_verify(f->db, &eb), 0);
    /* Each record links to the one before; hashes are 64 hex digits. */
    assert_int_equal(sqlite3_prepare_v2(gw_db_handle(f->db),
                                        "SELECT prev_hash, hash FROM audit ORDER BY id", -1, &st,
                                        NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *h = (const char *)sqlite3_column_text(st, 1);
        assert_string_equal((const char *)sqlite3_column_text(st, 0), prev);
        assert_int_equal(strlen(h), 64);
        assert_int_equal(strspn(h, "0123456789abcdef"), 64);
        gw_strlcpy(prev, h, sizeof prev);
        rows++;
    }
    sqlite3_finalize(st);
    assert_int_equal(rows, 5);
    assert_int_equal(gw_audit_add(f->db, "a", "b", "c", "d", "e"), 0);
    assert_int_equal(gw_audit_verify(f->db, &eb), 0);
}

static void test_empty_log(void **state)
{
    struct gw_errbuf eb = {""};
    struct gw_db *db;
    char dir[] = "/tmp/fleetgw-audit-empty-XXXXXX", path[96];
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/fleetgw.db", dir);
    assert_int_equal(gw_db_open(path, &db, &eb), 0);
    assert_int_equal(gw_audit_verify(db, &eb), 0);
    gw_db_close(db);
    unlink(path);
    snprintf(path, sizeof path, "%s/fleetgw.db-wal", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/fleetgw.db-shm", dir);
    unlink(path);
    assert_int_equal(rmdir(dir), 0);
}

static void test_edit_field(void **state)
{
    struct fixture *f = *state;
    t_gw_exec(f->db, "UPDATE audit SET result = 'ok' WHERE id = 4");
    expect_broken(f, "audit record 4 does not match its hash (it was edited)");
}

static void test_edit_detail_null(void **state)
{
    struct fixture *f = *state;
    /* NULL and "" are different details. */
    t_gw_exec(f->db, "UPDATE audit SET detail = '' WHERE id = 2");
    expect_broken(f, "audit record 2 does not match its hash (it was edited)");
}

static void test_edit_ts(void **state)
{
    struct fixture *f = *state;
    t_gw_exec(f->db, "UPDATE audit SET ts = ts + 1 WHERE id = 1");
    expect_broken(f, "audit record 1 does not match its hash (it was edited)");
}

/* Whoever edits a record and recomputes its hash moves the break to the next record. */
static void test_edit_and_rehash(void **state)
{
    struct fixture *f = *state;
    char hash[HASH_HEX + 1], sql[256];
    sqlite3_stmt *st;
    t_gw_exec(f->db, "UPDATE audit SET action = 'nothing happened' WHERE id = 3");
    assert_int_equal(sqlite3_prepare_v2(gw_db_handle(f->db),
                                        "SELECT prev_hash, ts, user, source, action, result, "
                                        "detail FROM audit WHERE id = 3",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(
        record_hash(
            (const char *)sqlite3_column_text(st, 0), 3, sqlite3_column_int64(st, 1),
            (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
            (const char *)sqlite3_column_text(st, 4), (const char *)sqlite3_column_text(st, 5),
            (const char *)sqlite3_column_text(st, 6), hash),
        0);
    sqlite3_finalize(st);
    snprintf(sql, sizeof sql, "UPDATE audit SET hash = '%s' WHERE id = 3", hash);
    t_gw_exec(f->db, sql);
    expect_broken(f, "audit record 4 does not follow the record before it (a record before it "
                     "was removed, reordered or edited)");
}

static void test_delete_middle(void **state)
{
    struct fixture *f = *state;
    t_gw_exec(f->db, "DELETE FROM audit WHERE id = 3");
    expect_broken(f, "audit record 4 does not follow the record before it (a record before it "
                     "was removed, reordered or edited)");
}

static void test_delete_first(void **state)
{
    struct fixture *f = *state;
    t_gw_exec(f->db, "DELETE FROM audit WHERE id = 1");
    expect_broken(f, "audit record 2 does not follow the start of the log (a record before it "
                     "was removed, reordered or edited)");
}

static void test_delete_last(void **state)
{
    struct fixture *f = *state;
    t_gw_exec(f->db, "DELETE FROM audit WHERE id = 5");
    expect_broken(f, "audit record 5 is missing: the log ends at record 4 but record 5 was "
                     "written (records were removed from the end)");
}

static void test_delete_all(void **state)
{
    struct fixture *f = *state;
    t_gw_exec(f->db, "DELETE FROM audit");
    expect_broken(f, "audit record 1 is missing: the log ends at record 0 but record 5 was "
                     "written (records were removed from the end)");
}

static void test_reorder(void **state)
{
    struct fixture *f = *state;
    t_gw_exec(f->db,
              "UPDATE audit SET id = 100 WHERE id = 2; UPDATE audit SET id = 2 WHERE id = 3; "
              "UPDATE audit SET id = 3 WHERE id = 100");
    expect_broken(f, "audit record 2 does not follow the record before it (a record before it "
                     "was removed, reordered or edited)");
}

/* Inside a caller's transaction the record shares its fate. */
static void test_in_transaction(void **state)
{
    struct fixture *f = *state;
    struct gw_errbuf eb = {""};
    assert_int_equal(gw_db_begin(f->db), 0);
    assert_int_equal(gw_audit_add(f->db, "u", "cli", "x", "ok", NULL), 0);
    gw_db_rollback(f->db);
    assert_int_equal(gw_audit_verify(f->db, &eb), 0);
    assert_int_equal(gw_db_begin(f->db), 0);
    assert_int_equal(gw_audit_add(f->db, "u", "cli", "y", "ok", NULL), 0);
    assert_int_equal(gw_db_commit(f->db), 0);
    assert_int_equal(gw_audit_verify(f->db, &eb), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_chain_verifies), T(test_edit_field),      T(test_edit_detail_null),
        T(test_edit_ts),        T(test_edit_and_rehash), T(test_delete_middle),
        T(test_delete_first),   T(test_delete_last),     T(test_delete_all),
        T(test_reorder),        T(test_in_transaction),  cmocka_unit_test(test_empty_log),
    };
    gw_log_set_level(LOG_CRIT);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
