/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Unit tests for discovery/targets.c. The parser gets {input, expected} case tables: accepted
 * specs with the address count and first/last address they must yield, and refused specs with
 * the exact message, because that message is all the admin sees.
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

#include "discovery/disc_int.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void test_accepted(void **state)
{
    (void)state;
    static const struct {
        const char *spec, *exclude;
        unsigned flags;
        uint64_t count;
        size_t nranges, nhosts;
        const char *first, *last;
    } cases[] = {
        {"10.0.0.1", NULL, 0, 1, 1, 0, "10.0.0.1", "10.0.0.1"},
        {"10.0.0.10-10.0.0.200", NULL, 0, 191, 1, 0, "10.0.0.10", "10.0.0.200"},
        {"10.0.0.10-200", NULL, 0, 191, 1, 0, "10.0.0.10", "10.0.0.200"},
        {"10.0.0.0/22", NULL, 0, 1024, 1, 0, "10.0.0.0", "10.0.3.255"},
        {"10.0.1.7/22", NULL, 0, 1024, 1, 0, "10.0.0.0", "10.0.3.255"},
        {"10.0.0.0 255.255.252.0", NULL, 0, 1024, 1, 0, "10.0.0.0", "10.0.3.255"},
        {"10.0.0.0\t255.255.255.0", NULL, 0, 256, 1, 0, "10.0.0.0", "10.0.0.255"},
        {"10.0.0.5/32", NULL, 0, 1, 1, 0, "10.0.0.5", "10.0.0.5"},
        {"10.0.0.0/16", NULL, 0, 65536, 1, 0, "10.0.0.0", "10.0.255.255"},
        {"10.0.0.0/15", NULL, DISC_TARGETS_CONFIRMED, 131072, 1, 0, "10.0.0.0", "10.1.255.255"},
        /* overlapping and adjacent items merge */
        {"10.0.0.0/24, 10.0.0.128-10.0.1.10;10.0.1.11", NULL, 0, 268, 1, 0, "10.0.0.0",
         "10.0.1.11"},
        {" 10.0.0.1 ,, 10.0.0.3\n\n", NULL, 0, 2, 2, 0, "10.0.0.1", "10.0.0.3"},
        /* excludes cut holes and edges */
        {"10.0.0.0/24", "10.0.0.0, 10.0.0.255, 10.0.0.100-10.0.0.109", 0, 244, 2, 0, "10.0.0.1",
         "10.0.0.254"},
        {"10.0.0.0/24", "10.0.0.0/25", 0, 128, 1, 0, "10.0.0.128", "10.0.0.255"},
        /* excludes make a large spec small enough */
        {"10.0.0.0/15", "10.1.0.0/16", 0, 65536, 1, 0, "10.0.0.0", "10.0.255.255"},
        {"printer-1.example.com, 10.0.0.1", NULL, 0, 1, 1, 1, "10.0.0.1", "10.0.0.1"},
        {"255.255.255.255, 0.0.0.0", NULL, 0, 2, 2, 0, "0.0.0.0", "255.255.255.255"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct disc_targets t;
        struct gw_errbuf eb = {{0}};
        char a[16], b[16];
        int rc = disc_targets_parse(&t, cases[i].spec, cases[i].exclude, cases[i].flags, &eb);
        if (rc != 0)
            fail_msg("case %zu '%s': %s", i, cases[i].spec, eb.msg);
        assert_int_equal(t.count, cases[i].count);
        assert_int_equal(t.nranges, cases[i].nranges);
        assert_int_equal(t.nhosts, cases[i].nhosts);
        if (t.count) {
            assert_string_equal(disc_addr_format(disc_targets_at(&t, 0), a, sizeof(a)),
                                cases[i].first);
            assert_string_equal(disc_addr_format(disc_targets_at(&t, t.count - 1), b, sizeof(b)),
                                cases[i].last);
        }
        disc_targets_cleanup(&t);
    }
}

static void test_refused(void **state)
{
    (void)state;
    static const struct {
        const char *spec, *exclude;
        int rc;
        const char *msg;
    } cases[] = {
        {"10.0.0.1, 10.0.0.2, 10.0.0.300", NULL, DISC_E_TARGET,
         "target 3: '10.0.0.300': octet out of range"},
        {"10.0.0", NULL, DISC_E_TARGET, "target 1: '10.0.0': expected four octets"},
        {"10.0.0.1.5", NULL, DISC_E_TARGET, "target 1: '10.0.0.1.5': expected four octets"},
        {"10.0.0.0/33", NULL, DISC_E_TARGET,
         "target 1: '10.0.0.0/33': prefix length must be 0..32"},
        {"10.0.0.0/x", NULL, DISC_E_TARGET, "target 1: '10.0.0.0/x': prefix length must be 0..32"},
        {"10.0.0.9-10.0.0.1", NULL, DISC_E_TARGET,
         "target 1: '10.0.0.9-10.0.0.1': range end is before its start"},
        {"10.0.0.1-300", NULL, DISC_E_TARGET, "target 1: '10.0.0.1-300': octet out of range"},
        {"10.0.0.0 255.0.255.0", NULL, DISC_E_TARGET,
         "target 1: '10.0.0.0 255.0.255.0': subnet mask is not contiguous"},
        {"10.0.0.0 foo", NULL, DISC_E_TARGET,
         "target 1: '10.0.0.0 foo': expected a subnet mask after the address"},
        {"fe80::1", NULL, DISC_E_TARGET,
         "target 1: 'fe80::1': IPv6 is not supported by the SNMP sweep yet"},
        {"10.0.0.1, 2001:db8::/64", NULL, DISC_E_TARGET,
         "target 2: '2001:db8::/64': IPv6 is not supported by the SNMP sweep yet"},
        {"bad_host", NULL, DISC_E_TARGET,
         "target 1: 'bad_host': not an address, range, network or host name"},
        {"-bad.example", NULL, DISC_E_TARGET,
         "target 1: '-bad.example': not an address, range, network or host name"},
        {"10.0.0.0/24", "printer.lan", DISC_E_TARGET,
         "exclude 1: 'printer.lan': host names cannot be excluded"},
        {"10.0.0.0/24", "10.0.0.256", DISC_E_TARGET, "exclude 1: '10.0.0.256': octet out of range"},
        {"", NULL, DISC_E_TARGET, "no targets given"},
        {" , ;", NULL, DISC_E_TARGET, "no targets given"},
        {"10.0.0.0/15", NULL, DISC_E_TOO_LARGE,
         "targets hold 131072 addresses, more than a /16 (65536): confirm to sweep"},
        {"0.0.0.0/0", NULL, DISC_E_TOO_LARGE,
         "targets hold 4294967296 addresses, more than the limit of 16777216 (a /8)"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct disc_targets t;
        struct gw_errbuf eb = {{0}};
        int rc = disc_targets_parse(&t, cases[i].spec, cases[i].exclude, 0, &eb);
        if (rc != cases[i].rc)
            fail_msg("case %zu '%s': rc %d, want %d (%s)", i, cases[i].spec, rc, cases[i].rc,
                     eb.msg);
        assert_string_equal(eb.msg, cases[i].msg);
        assert_null(t.ranges);
        assert_int_equal(t.count, 0);
    }
}

static void test_at_walks_every_range(void **state)
{
    (void)state;
    struct disc_targets t;
    char buf[16];
    assert_int_equal(
        disc_targets_parse(&t, "127.0.0.1-127.0.0.3, 127.0.1.0/31", "127.0.0.2", 0, NULL), 0);
    static const char *const want[] = {"127.0.0.1", "127.0.0.3", "127.0.1.0", "127.0.1.1"};
    assert_int_equal(t.count, NELEM(want));
    for (size_t i = 0; i < NELEM(want); i++)
        assert_string_equal(disc_addr_format(disc_targets_at(&t, i), buf, sizeof(buf)), want[i]);
    disc_targets_cleanup(&t);
    disc_targets_cleanup(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_at_walks_every_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
