/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Unit tests for snmp/vbset.c: OID parsing and formatting, the sorted varbind set and the
 * snmpsim recording parser. Parsers are tested with {input, expected} case tables; error cases
 * check the exact "file:line: reason" text, because that text is what an admin sees.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "snmp/snmpc_int.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void test_oid_parse_table(void **state)
{
    static const struct {
        const char *in;
        int n; /* expected count, or GW_E_PARSE */
        uint32_t oid[9];
    } cases[] = {
        {"1.3.6.1.2.1.1.1.0", 9, {1, 3, 6, 1, 2, 1, 1, 1, 0}},
        {".1.3.6", 3, {1, 3, 6}},
        {"0", 1, {0}},
        {"0.0", 2, {0, 0}},
        {"1.4294967295", 2, {1, 4294967295u}},
        {"", GW_E_PARSE, {0}},
        {".", GW_E_PARSE, {0}},
        {"1..3", GW_E_PARSE, {0}},
        {"1.3.", GW_E_PARSE, {0}},
        {"..1", GW_E_PARSE, {0}},
        {"1.4294967296", GW_E_PARSE, {0}},
        {"1.99999999999999999999", GW_E_PARSE, {0}},
        {"1.-3", GW_E_PARSE, {0}},
        {"1.3a", GW_E_PARSE, {0}},
        {" 1.3", GW_E_PARSE, {0}},
        {"1.2.3.4.5.6.7.8.9.10", GW_E_PARSE, {0}}, /* more than max (9) */
    };
    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        uint32_t oid[9];
        int n = snmpc_oid_parse(cases[i].in, oid, 9);
        if (n != cases[i].n)
            fail_msg("case %zu '%s': got %d want %d", i, cases[i].in, n, cases[i].n);
        for (int k = 0; k < n; k++)
            assert_int_equal(oid[k], cases[i].oid[k]);
    }
    assert_int_equal(snmpc_oid_parse(NULL, NULL, 0), GW_E_PARSE);
}

static void test_oid_format(void **state)
{
    static const uint32_t oid[] = {1, 3, 6, 1, 4, 1, 4294967295u, 0};
    char buf[64], small[12];
    (void)state;
    assert_string_equal(snmpc_oid_format(oid, NELEM(oid), buf, sizeof buf),
                        "1.3.6.1.4.1.4294967295.0");
    assert_string_equal(snmpc_oid_format(oid, 0, buf, sizeof buf), "");
    /* Truncation never leaves half a sub-identifier. */
    assert_string_equal(snmpc_oid_format(oid, NELEM(oid), small, sizeof small), "1.3.6.1.4.1");
    assert_ptr_equal(snmpc_oid_format(oid, NELEM(oid), small, 0), small);
}

static void test_oid_cmp_prefix(void **state)
{
    static const uint32_t a[] = {1, 3, 6, 1}, b[] = {1, 3, 6, 1, 0}, c[] = {1, 3, 7};
    static const uint32_t big[] = {1, 3, 4294967295u};
    (void)state;
    assert_int_equal(snmpc_oid_cmp(a, 4, a, 4), 0);
    assert_true(snmpc_oid_cmp(a, 4, b, 5) < 0); /* prefix first */
    assert_true(snmpc_oid_cmp(b, 5, a, 4) > 0);
    assert_true(snmpc_oid_cmp(b, 5, c, 3) < 0);
    assert_true(snmpc_oid_cmp(big, 3, c, 3) > 0); /* unsigned comparison */
    assert_true(snmpc_oid_has_prefix(b, 5, a, 4));
    assert_true(snmpc_oid_has_prefix(a, 4, a, 4));
    assert_false(snmpc_oid_has_prefix(a, 4, b, 5));
    assert_false(snmpc_oid_has_prefix(c, 3, a, 4));
    assert_true(snmpc_oid_has_prefix(c, 3, a, 0));
}

/* Inserts OIDs in a scrambled order and checks the set is sorted and searchable. */
static void test_vbset_sorted(void **state)
{
    struct snmpc_vbset s;
    uint32_t oid[4] = {1, 3, 0, 0};
    (void)state;
    snmpc_vbset_init(&s);
    for (uint32_t i = 0; i < 500; i++) {
        uint32_t k = (i * 7919u) % 500u;
        oid[2] = k / 10;
        oid[3] = k % 10;
        assert_int_equal(snmpc_vbset_add(&s, oid, 4, SNMPC_T_INTEGER, (int64_t)k, NULL, 0), 0);
    }
    assert_int_equal(s.n, 500);
    for (size_t i = 1; i < s.n; i++)
        assert_true(snmpc_oid_cmp(s.v[i - 1].oid, s.v[i - 1].oid_len, s.v[i].oid, s.v[i].oid_len) <
                    0);
    for (uint32_t k = 0; k < 500; k++) {
        const struct snmpc_vb *vb;
        oid[2] = k / 10;
        oid[3] = k % 10;
        vb = snmpc_vbset_get(&s, oid, 4);
        assert_non_null(vb);
        assert_int_equal(vb->num, k);
    }
    /* lower_bound of a prefix is the first row of that subtree. */
    oid[2] = 17;
    assert_int_equal(snmpc_vbset_lower_bound(&s, oid, 3), 170);
    oid[2] = 50;
    assert_int_equal(snmpc_vbset_lower_bound(&s, oid, 3), 500);
    oid[2] = 60;
    assert_null(snmpc_vbset_get(&s, oid, 4));
    snmpc_vbset_cleanup(&s);
    assert_int_equal(s.n, 0);
    assert_null(s.v);
}

static void test_vbset_values_and_replace(void **state)
{
    struct snmpc_vbset s;
    static const uint32_t oid[] = {1, 3, 6, 1, 2, 1, 1, 1, 0};
    static const uint32_t val[] = {1, 3, 6, 1, 4, 1, 1347};
    const struct snmpc_vb *vb;
    (void)state;
    snmpc_vbset_init(&s);
    assert_int_equal(snmpc_vbset_add(&s, oid, 9, SNMPC_T_OCTETS, 0, "ab\0c", 4), 0);
    vb = snmpc_vbset_get(&s, oid, 9);
    assert_int_equal(vb->type, SNMPC_T_OCTETS);
    assert_int_equal(vb->len, 4);
    assert_memory_equal(vb->buf, "ab\0c", 5); /* NUL added past len */
    /* Replace with another type: the old buffer is freed (ASan/valgrind check this). */
    assert_int_equal(snmpc_vbset_add(&s, oid, 9, SNMPC_T_OID, 0, val, NELEM(val)), 0);
    assert_int_equal(s.n, 1);
    vb = snmpc_vbset_get(&s, oid, 9);
    assert_int_equal(vb->type, SNMPC_T_OID);
    assert_int_equal(vb->len, 7);
    assert_null(vb->buf);
    assert_int_equal(vb->oidval[6], 1347);
    assert_int_equal(snmpc_vbset_add(&s, oid, 9, SNMPC_T_COUNTER64, (int64_t)UINT64_MAX, NULL, 0),
                     0);
    vb = snmpc_vbset_get(&s, oid, 9);
    assert_int_equal((uint64_t)vb->num, UINT64_MAX);
    assert_null(vb->oidval);
    assert_int_equal(snmpc_vbset_add(&s, oid, 9, SNMPC_T_OCTETS, 0, "", 0), 0);
    vb = snmpc_vbset_get(&s, oid, 9);
    assert_int_equal(vb->len, 0);
    assert_string_equal((const char *)vb->buf, "");
    snmpc_vbset_cleanup(&s);
}

static void test_vbset_limits(void **state)
{
    struct snmpc_vbset s;
    uint32_t oid[SNMPC_MAX_OID + 1];
    unsigned char *big;
    (void)state;
    memset(oid, 0, sizeof oid);
    oid[0] = 1;
    snmpc_vbset_init(&s);
    s.max = 3;
    assert_int_equal(snmpc_vbset_add(&s, oid, 0, SNMPC_T_NULL, 0, NULL, 0), GW_E_INVAL);
    assert_int_equal(snmpc_vbset_add(&s, NULL, 3, SNMPC_T_NULL, 0, NULL, 0), GW_E_INVAL);
    assert_int_equal(snmpc_vbset_add(&s, oid, SNMPC_MAX_OID + 1, SNMPC_T_NULL, 0, NULL, 0),
                     GW_E_INVAL);
    assert_int_equal(snmpc_vbset_add(&s, oid, SNMPC_MAX_OID, SNMPC_T_NULL, 0, NULL, 0), 0);
    assert_int_equal(snmpc_vbset_add(&s, oid, 1, SNMPC_T_OCTETS, 0, NULL, 5), GW_E_INVAL);
    assert_int_equal(snmpc_vbset_add(&s, oid, 1, SNMPC_T_OID, 0, oid, SNMPC_MAX_OID + 1),
                     GW_E_INVAL);
    big = calloc(1, SNMPC_MAX_OCTETS + 1);
    assert_int_equal(snmpc_vbset_add(&s, oid, 1, SNMPC_T_OCTETS, 0, big, SNMPC_MAX_OCTETS + 1),
                     GW_E_TOOBIG);
    assert_int_equal(snmpc_vbset_add(&s, oid, 1, SNMPC_T_OCTETS, 0, big, SNMPC_MAX_OCTETS), 0);
    free(big);
    assert_int_equal(snmpc_vbset_add(&s, oid, 2, SNMPC_T_INTEGER, 1, NULL, 0), 0);
    assert_int_equal(s.n, 3);
    assert_int_equal(snmpc_vbset_add(&s, oid, 3, SNMPC_T_INTEGER, 1, NULL, 0), GW_E_TOOBIG);
    /* Replacing in a full set is still allowed. */
    assert_int_equal(snmpc_vbset_add(&s, oid, 2, SNMPC_T_INTEGER, 7, NULL, 0), 0);
    assert_int_equal(snmpc_vbset_get(&s, oid, 2)->num, 7);
    assert_int_equal(snmpc_vbset_add(&s, oid, 2, (enum snmpc_vtype)99, 7, NULL, 0), GW_E_INVAL);
    assert_int_equal(snmpc_vbset_get(&s, oid, 2)->num, 7);
    snmpc_vbset_cleanup(&s);
}

/* Good recording lines: each yields one varbind of the given type and value. */
static void test_snmprec_good_table(void **state)
{
    static const struct {
        const char *line;
        enum snmpc_vtype type;
        int64_t num;
        const char *bytes; /* OCTETS/IPADDR/OPAQUE content, or OID value as text */
        size_t len;
    } cases[] = {
        {"1.3.6.1.2.1.1.1.0|4|SHARP MX-M266NV", SNMPC_T_OCTETS, 0, "SHARP MX-M266NV", 15},
        {"1.3.6.1.2.1.1.1.0|4|", SNMPC_T_OCTETS, 0, "", 0},
        {"1.3.6.1.2.1.1.1.0|4|a|b|c", SNMPC_T_OCTETS, 0, "a|b|c", 5},
        {"1.3.6.1.2.1.1.1.0|4x|aca88e25696c", SNMPC_T_OCTETS, 0, "\xac\xa8\x8e\x25\x69\x6c", 6},
        {"1.3.6.1.2.1.1.1.0|4x|41FF00", SNMPC_T_OCTETS, 0, "A\xff\0", 3},
        {"1.3.6.1.2.1.1.1.0|4e|text kept", SNMPC_T_OCTETS, 0, "text kept", 9},
        {"1.3.6.1.2.1.1.4.0|4|<private>", SNMPC_T_OCTETS, 0, "<private>", 9},
        {"1.3.6.1.2.1.1.4.0|4x|<private>", SNMPC_T_OCTETS, 0, "<private>", 9},
        {".1.3.6.1.2.1.1.7.0|2|-2147483648", SNMPC_T_INTEGER, INT32_MIN, NULL, 0},
        {"1.3.6.1.2.1.1.7.0|2|2147483647", SNMPC_T_INTEGER, INT32_MAX, NULL, 0},
        {"1.3.6.1.2.1.1.7.0|2|-3", SNMPC_T_INTEGER, -3, NULL, 0},
        {"1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2385.3.1.111.1.26", SNMPC_T_OID, 0,
         "1.3.6.1.4.1.2385.3.1.111.1.26", 0},
        {"1.3.6.1.2.1.25.3.2.1.4.1|6|0.0", SNMPC_T_OID, 0, "0.0", 0},
        {"1.3.6.1.2.1.4.20.1.1.127.0.0.1|64|127.0.0.1", SNMPC_T_IPADDR, 0, "\x7f\0\0\x01", 4},
        {"1.3.6.1.2.1.4.20.1.1.1|64x|c0a80001", SNMPC_T_IPADDR, 0, "\xc0\xa8\0\x01", 4},
        {"1.3.6.1.2.1.2.2.1.10.1|65|4294967295", SNMPC_T_COUNTER32, 4294967295LL, NULL, 0},
        {"1.3.6.1.2.1.2.2.1.5.1|66|1000000000", SNMPC_T_GAUGE32, 1000000000, NULL, 0},
        {"1.3.6.1.2.1.1.3.0|67|25162878", SNMPC_T_TIMETICKS, 25162878, NULL, 0},
        {"1.3.6.1.2.1.31.1.1.1.6.1|70|18446744073709551615", SNMPC_T_COUNTER64, -1, NULL, 0},
        {"1.3.6.1.2.1.4.22.1.2|5|", SNMPC_T_NULL, 0, NULL, 0},
        {"1.3.6.1.2.1.4.22.1.2|68x|0102", SNMPC_T_OPAQUE, 0, "\x01\x02", 2},
        {"1.3.6.1.2.1.4.22.1.2|129|", SNMPC_T_NOSUCH, 0, NULL, 0},
        {"1.3.6.1.2.1.1.1.0|4|crlf\r", SNMPC_T_OCTETS, 0, "crlf", 4},
    };
    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct snmpc_vbset s;
        struct gw_errbuf eb = {{0}};
        const struct snmpc_vb *vb;
        int rc;

        snmpc_vbset_init(&s);
        rc = snmpc_vbset_parse_snmprec(&s, cases[i].line, strlen(cases[i].line), "t", &eb);
        if (rc != 0)
            fail_msg("case %zu '%s': rc %d %s", i, cases[i].line, rc, eb.msg);
        assert_int_equal(s.n, 1);
        vb = &s.v[0];
        if (vb->type != cases[i].type)
            fail_msg("case %zu: type %d want %d", i, vb->type, cases[i].type);
        if (cases[i].type == SNMPC_T_OID) {
            char buf[128];
            assert_string_equal(snmpc_oid_format(vb->oidval, vb->len, buf, sizeof buf),
                                cases[i].bytes);
        } else if (cases[i].bytes) {
            assert_int_equal(vb->len, cases[i].len);
            assert_memory_equal(vb->buf, cases[i].bytes, cases[i].len);
        } else {
            assert_int_equal(vb->num, cases[i].num);
        }
        snmpc_vbset_cleanup(&s);
    }
}

/* Bad lines: exact messages, with the line number of the bad line. */
static void test_snmprec_bad_table(void **state)
{
    static const struct {
        const char *text;
        int rc;
        const char *msg;
    } cases[] = {
        {"no bars here", GW_E_PARSE, "rec:1: expected OID|tag|value"},
        {"1.3.6|4", GW_E_PARSE, "rec:1: expected OID|tag|value"},
        {"# c\n\n1.3.6|2|1\nx.1|2|1", GW_E_PARSE, "rec:4: bad OID"},
        {"|4|x", GW_E_PARSE, "rec:1: bad OID"},
        {"1.3.6||x", GW_E_PARSE, "rec:1: bad type tag"},
        {"1.3.6|x4|x", GW_E_PARSE, "rec:1: bad type tag"},
        {"1.3.6|4X|41", GW_E_PARSE, "rec:1: bad type tag"},
        {"1.3.6|12345|1", GW_E_PARSE, "rec:1: bad type tag"},
        {"1.3.6|2:numeric|min=1", GW_E_PARSE, "rec:1: variation modules are not supported"},
        {"1.3.6|3|1", GW_E_PARSE, "rec:1: unknown type tag 3"},
        {"1.3.6|2|abc", GW_E_PARSE, "rec:1: bad Integer32 value"},
        {"1.3.6|2|", GW_E_PARSE, "rec:1: bad Integer32 value"},
        {"1.3.6|2|2147483648", GW_E_PARSE, "rec:1: bad Integer32 value"},
        {"1.3.6|2|-2147483649", GW_E_PARSE, "rec:1: bad Integer32 value"},
        {"1.3.6|2x|01", GW_E_PARSE, "rec:1: bad Integer32 value"},
        {"1.3.6|4x|abc", GW_E_PARSE, "rec:1: bad hex value"},
        {"1.3.6|4x|zz", GW_E_PARSE, "rec:1: bad hex value"},
        {"1.3.6|6|", GW_E_PARSE, "rec:1: bad OID value"},
        {"1.3.6|6|1..2", GW_E_PARSE, "rec:1: bad OID value"},
        {"1.3.6|64|1.2.3", GW_E_PARSE, "rec:1: bad IpAddress value"},
        {"1.3.6|64|1.2.3.256", GW_E_PARSE, "rec:1: bad IpAddress value"},
        {"1.3.6|64|1.2.3.4.5", GW_E_PARSE, "rec:1: bad IpAddress value"},
        {"1.3.6|64|1.2.3.-4", GW_E_PARSE, "rec:1: bad IpAddress value"},
        {"1.3.6|64x|0102", GW_E_PARSE, "rec:1: bad IpAddress value"},
        {"1.3.6|65|-1", GW_E_PARSE, "rec:1: bad 32-bit unsigned value"},
        {"1.3.6|66|4294967296", GW_E_PARSE, "rec:1: bad 32-bit unsigned value"},
        {"1.3.6|67|", GW_E_PARSE, "rec:1: bad 32-bit unsigned value"},
        {"1.3.6|70|18446744073709551616", GW_E_PARSE, "rec:1: bad Counter64 value"},
        {"1.3.6|70|1.5", GW_E_PARSE, "rec:1: bad Counter64 value"},
    };
    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct snmpc_vbset s;
        struct gw_errbuf eb = {{0}};
        int rc;
        snmpc_vbset_init(&s);
        rc = snmpc_vbset_parse_snmprec(&s, cases[i].text, strlen(cases[i].text), "rec", &eb);
        if (rc != cases[i].rc || strcmp(eb.msg, cases[i].msg) != 0)
            fail_msg("case %zu: rc %d msg '%s', want %d '%s'", i, rc, eb.msg, cases[i].rc,
                     cases[i].msg);
        snmpc_vbset_cleanup(&s);
    }
}

static void test_snmprec_private_numbers_and_duplicates(void **state)
{
    static const char text[] = "1.3.6.1.2.1.1.3.0|67|<private>\n"
                               "1.3.6.1.2.1.1.5.0|4|first\n"
                               "1.3.6.1.2.1.1.5.0|4|second\n"
                               "1.3.6.1.2.1.1.1.0|4|descr"; /* no final newline */
    static const uint32_t up[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
    static const uint32_t name[] = {1, 3, 6, 1, 2, 1, 1, 5, 0};
    struct snmpc_vbset s;
    struct gw_errbuf eb;
    (void)state;
    snmpc_vbset_init(&s);
    assert_int_equal(snmpc_vbset_parse_snmprec(&s, text, strlen(text), NULL, &eb), 0);
    /* A scrubbed number is left out; a later duplicate replaces the earlier value. */
    assert_null(snmpc_vbset_get(&s, up, NELEM(up)));
    assert_int_equal(s.n, 2);
    assert_string_equal((const char *)snmpc_vbset_get(&s, name, NELEM(name))->buf, "second");
    snmpc_vbset_cleanup(&s);
}

static void test_snmprec_set_full(void **state)
{
    static const char text[] = "1.1|2|1\n1.2|2|2\n1.3|2|3\n";
    struct snmpc_vbset s;
    struct gw_errbuf eb;
    (void)state;
    snmpc_vbset_init(&s);
    s.max = 2;
    assert_int_equal(snmpc_vbset_parse_snmprec(&s, text, strlen(text), "f", &eb), GW_E_TOOBIG);
    assert_string_equal(eb.msg, "f:3: too many varbinds or value too long");
    snmpc_vbset_cleanup(&s);
}

static void test_snmprec_load_file(void **state)
{
    char path[] = "/tmp/fleetgw-test-vbset-XXXXXX";
    static const char text[] = "1.3.6.1.2.1.1.1.0|4|hello\n1.3.6.1.2.1.1.3.0|67|42\n";
    struct snmpc_vbset s;
    struct gw_errbuf eb;
    int fd;
    (void)state;

    snmpc_vbset_init(&s);
    assert_int_equal(snmpc_vbset_load_snmprec(&s, "/nonexistent/x.snmprec", &eb), -ENOENT);
    assert_string_equal(eb.msg, "/nonexistent/x.snmprec: No such file or directory");
    assert_int_equal(snmpc_vbset_load_snmprec(&s, "/tmp", &eb), GW_E_TOOBIG);

    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    assert_int_equal(snmpc_vbset_load_snmprec(&s, path, &eb), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.v[1].num, 42);
    snmpc_vbset_cleanup(&s);

    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "1.3|2|x\n", 8), 8);
    close(fd);
    snmpc_vbset_init(&s);
    assert_int_equal(snmpc_vbset_load_snmprec(&s, path, &eb), GW_E_PARSE);
    {
        char want[128];
        snprintf(want, sizeof want, "%s:1: bad Integer32 value", path);
        assert_string_equal(eb.msg, want);
    }
    snmpc_vbset_cleanup(&s);
    unlink(path);
}

/* Every shared recording parses (the decoder tests compare their content). */
static void test_snmprec_shared_recordings(void **state)
{
    static const char *const names[] = {
        "brother",
        "canonprinter_tm",
        "dell-laser_s5830dn",
        "fujifilmprinter_c7580",
        "fujifilmprinter_c810",
        "jetdirect",
        "jetdirect_m252dw",
        "konica",
        "konica_2",
        "samsungprinter_m4080fx",
        "sharp_mxm266nv",
        "xerox_apeosport",
    };
    const char *shared = getenv("FLEETGW_SHARED");
    char path[1024];
    (void)state;
    if (!shared)
        shared = "../shared";
    snprintf(path, sizeof path, "%s/testdata/snmprec", shared);
    if (access(path, R_OK) != 0) {
        print_message("skipping: %s not found\n", path);
        skip();
    }
    for (size_t i = 0; i < NELEM(names); i++) {
        struct snmpc_vbset s;
        struct gw_errbuf eb;
        int rc;
        snprintf(path, sizeof path, "%s/testdata/snmprec/%s.snmprec", shared, names[i]);
        snmpc_vbset_init(&s);
        rc = snmpc_vbset_load_snmprec(&s, path, &eb);
        if (rc != 0)
            fail_msg("%s", eb.msg);
        assert_true(s.n >= 3);
        snmpc_vbset_cleanup(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oid_parse_table),
        cmocka_unit_test(test_oid_format),
        cmocka_unit_test(test_oid_cmp_prefix),
        cmocka_unit_test(test_vbset_sorted),
        cmocka_unit_test(test_vbset_values_and_replace),
        cmocka_unit_test(test_vbset_limits),
        cmocka_unit_test(test_snmprec_good_table),
        cmocka_unit_test(test_snmprec_bad_table),
        cmocka_unit_test(test_snmprec_private_numbers_and_duplicates),
        cmocka_unit_test(test_snmprec_set_full),
        cmocka_unit_test(test_snmprec_load_file),
        cmocka_unit_test(test_snmprec_shared_recordings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
