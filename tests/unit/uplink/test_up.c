/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The uplink module as a handle (uplink/up.c): up_init() makes it, up_start() runs it on a loop,
 * and up_stop() is awaited: its callback runs exactly once, after the timer closed (not during
 * the call), and the loop then closes with no handle left. A NULL handle (the uplink did not
 * start) stops at once, and the status works with or without a running uplink.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>
#include <uv.h>

#include "uplink/up.h"
#include "tests/unit/uplink/uptest.h"

static void count_stop(void *arg)
{
    (*(int *)arg)++;
}

static void test_stop_awaited(void **state)
{
    char dir[] = "/tmp/test_up.XXXXXX";
    struct gw_db *db = uptest_db(dir, false);
    struct gw_errbuf eb = {""};
    struct gw_cfg cfg;
    struct up_ctx *u = (struct up_ctx *)&cfg;
    uv_loop_t loop;
    int stopped = 0;
    json_t *status;
    (void)state;

    gw_cfg_defaults(&cfg);
    assert_int_equal(uv_loop_init(&loop), 0);
    struct up_env env = {.loop = &loop, .db = db, .cfg = &cfg};
    assert_int_equal(up_init(&env, &u, &eb), 0);
    assert_non_null(u);
    assert_int_equal(up_start(u), 0);
    assert_int_equal(up_reload(u, &cfg), 0);

    status = json_object();
    up_status(u, db, status);
    assert_true(json_is_false(json_object_get(status, "connected")));
    json_decref(status);

    up_stop(u, count_stop, &stopped);
    assert_int_equal(stopped, 0);
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(stopped, 1);
    assert_int_equal(uv_loop_close(&loop), 0);

    up_stop(NULL, count_stop, &stopped);
    assert_int_equal(stopped, 2);
    status = json_object();
    up_status(NULL, db, status);
    assert_true(json_is_true(json_object_get(status, "registered")));
    json_decref(status);
    uptest_db_close(db, dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stop_awaited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
