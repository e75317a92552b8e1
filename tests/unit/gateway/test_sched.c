/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Table 5 of the reference, every cell: for each device-count band (tested at both of its
 * edges), each priority category and both poll kinds, the interval the scheduler uses.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gateway/gw.h"

#define MIN  60u
#define HOUR 3600u

struct cell {
    int lo, hi;                 /* band edges */
    unsigned high, middle, low; /* expected seconds */
};

static const struct cell alert_cells[] = {
    {1, 25, 1 * MIN, 1 * MIN, 1 * MIN},
    {26, 100, 5 * MIN, 10 * MIN, 20 * MIN},
    {101, 300, 15 * MIN, 30 * MIN, 60 * MIN},
    {301, 1000, 60 * MIN, 120 * MIN, 240 * MIN},
    {1001, 2000, 120 * MIN, 240 * MIN, 480 * MIN},
    /* beyond the table: the 1,001-2,000 column applies (documented in gateway/sched.c) */
    {2001, 50000, 120 * MIN, 240 * MIN, 480 * MIN},
};

static const struct cell counter_cells[] = {
    {1, 25, 60 * MIN, 60 * MIN, 60 * MIN},
    {26, 100, 60 * MIN, 120 * MIN, 240 * MIN},
    {101, 200, 2 * HOUR, 4 * HOUR, 8 * HOUR},
    {201, 600, 6 * HOUR, 12 * HOUR, 24 * HOUR},
    /* x2 and x4 would exceed a day: "polling must be executed once a day" */
    {601, 1000, 12 * HOUR, 24 * HOUR, 24 * HOUR},
    {1001, 2000, 24 * HOUR, 24 * HOUR, 24 * HOUR},
    {2001, 50000, 24 * HOUR, 24 * HOUR, 24 * HOUR},
};

static void check(const struct cell *c, size_t n, unsigned (*fn)(int, enum gw_priority))
{
    for (size_t i = 0; i < n; i++) {
        const int edges[2] = {c[i].lo, c[i].hi};
        for (int e = 0; e < 2; e++) {
            assert_int_equal(fn(edges[e], GW_PRIO_HIGH), c[i].high);
            assert_int_equal(fn(edges[e], GW_PRIO_MIDDLE), c[i].middle);
            assert_int_equal(fn(edges[e], GW_PRIO_LOW), c[i].low);
        }
    }
}

static void test_alert_table(void **state)
{
    check(alert_cells, sizeof alert_cells / sizeof alert_cells[0], gw_sched_alert_interval);
}

static void test_counter_table(void **state)
{
    check(counter_cells, sizeof counter_cells / sizeof counter_cells[0], gw_sched_counter_interval);
}

static void test_priority_names(void **state)
{
    enum gw_priority p;
    assert_int_equal(gw_priority_parse("middle", &p), 0);
    assert_int_equal(p, GW_PRIO_MIDDLE);
    assert_string_equal(gw_priority_name(GW_PRIO_LOW), "low");
    assert_int_equal(gw_priority_parse("urgent", &p), GW_E_INVAL);
}

static void test_activity(void **state)
{
    /* A new device is high and, printing nothing, drifts to middle after a few days and to
     * low after about a week and a half. */
    assert_int_equal(gw_activity_priority(GW_ACTIVITY_NEW), GW_PRIO_HIGH);
    double d3 = gw_activity_decay(GW_ACTIVITY_NEW, 0, 3 * 24 * 3600);
    assert_true(d3 > 24.9 && d3 < 25.1); /* 200 / 2^3 */
    assert_int_equal(gw_activity_priority(gw_activity_decay(GW_ACTIVITY_NEW, 0, 4 * 86400)),
                     GW_PRIO_MIDDLE);
    assert_int_equal(gw_activity_priority(gw_activity_decay(GW_ACTIVITY_NEW, 0, 7 * 86400)),
                     GW_PRIO_LOW);
    /* One alert weighs as much as fifty pages. */
    assert_int_equal(gw_activity_priority(GW_ACTIVITY_ALERT), GW_PRIO_HIGH);
    assert_int_equal(gw_activity_priority(5), GW_PRIO_MIDDLE);
    assert_true(gw_activity_decay(10, 100, 50) == 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alert_table),
        cmocka_unit_test(test_counter_table),
        cmocka_unit_test(test_priority_names),
        cmocka_unit_test(test_activity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
