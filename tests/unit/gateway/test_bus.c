/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Event bus: prefix matching, delivery order, unsubscribing from inside a callback, and that
 * the payload reference is released after delivery (LSan in the ASan build sees a leak).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gateway/gw.h"

struct rec {
    char log[256];
    int self_id;
};

static void record(const char *kind, json_t *payload, void *arg)
{
    struct rec *r = arg;
    size_t n = strlen(r->log);
    snprintf(r->log + n, sizeof r->log - n, "%s=%lld;", kind,
             (long long)json_integer_value(json_object_get(payload, "v")));
}

static void once(const char *kind, json_t *payload, void *arg)
{
    struct rec *r = arg;
    record(kind, payload, arg);
    gw_bus_unsubscribe(r->self_id);
}

static void test_prefix_and_order(void **state)
{
    struct rec all = {0}, alerts = {0};
    int a = gw_bus_subscribe("", record, &all);
    int b = gw_bus_subscribe("alert.", record, &alerts);
    gw_bus_publish("alert.new", json_pack("{s:i}", "v", 1));
    gw_bus_publish("poll", json_pack("{s:i}", "v", 2));
    gw_bus_publish("alert.cleared", json_pack("{s:i}", "v", 3));
    assert_string_equal(all.log, "alert.new=1;poll=2;alert.cleared=3;");
    assert_string_equal(alerts.log, "alert.new=1;alert.cleared=3;");
    gw_bus_unsubscribe(a);
    gw_bus_unsubscribe(b);
    gw_bus_publish("poll", json_pack("{s:i}", "v", 4));
    assert_string_equal(all.log, "alert.new=1;poll=2;alert.cleared=3;");
}

static void test_unsubscribe_in_callback(void **state)
{
    struct rec first = {0}, second = {0};
    first.self_id = gw_bus_subscribe("", once, &first);
    int b = gw_bus_subscribe("", record, &second);
    gw_bus_publish("poll", json_pack("{s:i}", "v", 1));
    gw_bus_publish("poll", json_pack("{s:i}", "v", 2));
    /* The subscriber after the one that left still gets every event. */
    assert_string_equal(first.log, "poll=1;");
    assert_string_equal(second.log, "poll=1;poll=2;");
    gw_bus_unsubscribe(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefix_and_order),
        cmocka_unit_test(test_unsubscribe_in_callback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
