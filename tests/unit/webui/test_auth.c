/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Unit tests for webui/auth.c: the key under which failed logins are counted per source
 * address (IPv4 as it is, IPv4-mapped IPv6 as IPv4, other IPv6 by its /64).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "webui/ui_int.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void test_src_key(void **state)
{
    (void)state;
    static const struct {
        const char *in, *key;
    } cases[] = {
        {"192.0.2.7", "192.0.2.7"},
        {"127.0.0.1", "127.0.0.1"},
        {"::ffff:192.0.2.7", "192.0.2.7"},
        {"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
        {"2001:db8:1:2::1", "2001:db8:1:2::/64"},
        {"2001:db8:1:3::1", "2001:db8:1:3::/64"},
        {"fe80::1234:5678:9abc:def0", "fe80::/64"},
        {"::1", "::/64"},
        {"", ""},
        {"not-an-address", "not-an-address"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        char key[64];
        ui__src_key(cases[i].in, key, sizeof key);
        assert_string_equal(key, cases[i].key);
    }
}

/* Two hosts of one /64 share a key; neighbouring /64s do not. */
static void test_src_key_same_prefix(void **state)
{
    char a[64], b[64], c[64];
    (void)state;
    ui__src_key("2001:db8:aa:bb:1::1", a, sizeof a);
    ui__src_key("2001:db8:aa:bb:ffff:ffff:ffff:ffff", b, sizeof b);
    ui__src_key("2001:db8:aa:bc::1", c, sizeof c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_src_key),
        cmocka_unit_test(test_src_key_same_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
