/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * t_gw: the state directory of the gateway unit tests (see t_gw.h).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "gateway/gw_int.h"
#include "tests/harness/t_gw.h"

int t_gw_open(char *dir, size_t dirsz, const char *tag, struct gw_db **db, struct gw_vault **v)
{
    struct gw_errbuf eb = {""};
    char path[128];
    snprintf(dir, dirsz, "/tmp/fleetgw-%s-XXXXXX", tag);
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/secrets.key", dir);
    if (v && (gw_vault_keygen(path, &eb) < 0 || gw_vault_open(path, v, &eb) < 0))
        return -1;
    snprintf(path, sizeof path, "%s/fleetgw.db", dir);
    if (db && gw_db_open(path, db, &eb) < 0)
        return -1;
    return 0;
}

int t_gw_close(const char *dir, struct gw_db *db, struct gw_vault *v)
{
    char cmd[128];
    gw_db_close(db);
    gw_vault_free(v);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) != 0 ? -1 : 0;
}

void t_gw_exec(struct gw_db *db, const char *sql)
{
    assert_int_equal(sqlite3_exec(gw_db_handle(db), sql, NULL, NULL, NULL), SQLITE_OK);
}

long long t_gw_query_int(struct gw_db *db, const char *sql)
{
    sqlite3_stmt *st;
    long long v = -1;
    assert_int_equal(sqlite3_prepare_v2(gw_db_handle(db), sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}
