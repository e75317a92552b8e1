/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * What the uplink's unit tests share: a fresh store in a temporary directory with the uplink's
 * tables, and reading an outbox message back (gunzip + JSON).
 */
#ifndef UPTEST_H
#define UPTEST_H

#include <jansson.h>
#include <sqlite3.h>
#include <zlib.h>

#include "uplink/up_int.h"

static inline struct gw_db *uptest_db(char dir[], bool anonymized)
{
    char path[96];
    struct gw_db *db = NULL;
    struct gw_errbuf eb = {""};
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/db", dir);
    assert_int_equal(gw_db_open(path, &db, &eb), 0);
    assert_int_equal(up__queue_migrate(db, &eb), 0);
    assert_int_equal(gw_setting_set(db, UP_K_GWID, "gw-unit"), 0);
    if (anonymized)
        assert_int_equal(up_anon_enable(db, "test"), 0);
    up__anon_cache_drop();
    return db;
}

static inline void uptest_db_close(struct gw_db *db, const char *dir)
{
    char cmd[128];
    up__anon_cache_drop();
    gw_db_close(db);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* The envelope of an outbox message, decompressed and parsed. */
static inline json_t *uptest_unseal(const struct up_msg *m)
{
    z_stream z = {0};
    size_t cap = 1 << 22;
    unsigned char *buf = malloc(cap);
    assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = m->data;
    z.avail_in = (uInt)m->len;
    z.next_out = buf;
    z.avail_out = (uInt)cap;
    assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
    json_t *j = json_loadb((const char *)buf, z.total_out, 0, NULL);
    inflateEnd(&z);
    free(buf);
    assert_non_null(j);
    return j;
}

#endif
