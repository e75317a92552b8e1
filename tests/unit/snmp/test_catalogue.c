/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Unit tests for snmp/catalogue.c: the catalogue grammar (good and bad lines, exact messages),
 * per-enterprise lookup, vendor names, and a check of the shipped snmp/counters.catalogue
 * (found through $FLEETGW_DATADIR, which make check points at the source snmp/ directory).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "snmp/snmpc_int.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static struct snmpc_catalogue *parse_ok(const char *text)
{
    struct snmpc_catalogue *c = NULL;
    struct gw_errbuf eb = {{0}};
    int rc = snmpc_catalogue_parse(text, strlen(text), "t.cat", &c, &eb);
    if (rc != 0)
        fail_msg("parse failed: %d %s", rc, eb.msg);
    return c;
}

/* A catalogue text that must be refused, and the message it must get. */
struct bad_case {
    const char *text;
    const char *msg;
};

/* Parses each case as "t.cat": it must fail with SNMPC_E_CATALOGUE, leave no catalogue and
 * give the case's message (with prefix, a message that starts with it, for the part that
 * comes from the C library). */
static void check_bad(const struct bad_case *cases, size_t n, bool prefix)
{
    for (size_t i = 0; i < n; i++) {
        struct snmpc_catalogue *c = (struct snmpc_catalogue *)1;
        struct gw_errbuf eb = {{0}};
        int rc = snmpc_catalogue_parse(cases[i].text, strlen(cases[i].text), "t.cat", &c, &eb);
        bool same = prefix ? strncmp(eb.msg, cases[i].msg, strlen(cases[i].msg)) == 0
                           : strcmp(eb.msg, cases[i].msg) == 0;
        if (rc != SNMPC_E_CATALOGUE || !same)
            fail_msg("case %zu: rc %d msg '%s'\n  want '%s'", i, rc, eb.msg, cases[i].msg);
        assert_null(c);
    }
}

static void test_parse_good(void **state)
{
    static const char text[] =
        "# comment line\n"
        "\n"
        "   # indented comment\n"
        "vendor 2385 Sharp\n"
        "vendor 1347 Kyocera Document Solutions   # trailing comment\r\n"
        "oid 1347 total 1.3.6.1.4.1.1347.43.10.1.1.12.1.1 role=total priority=10\n"
        "oid 2385 print_total 1.3.6.1.4.1.2385.1.1.19.2.1.3.1.4.60\n"
        "oid 1347 serial\t1.3.6.1.4.1.1347.43.5.1.1.28.1  priority=5 role=serial # c\n"
        "oid 1347 print_mono 1.3.6.1.4.1.1347.42.3.1.2.1.1.1.1 role=counter\n"
        "oid 1347 model 1.3.6.1.4.1.1347.43.5.1.1.1.1 series=keep role=model priority=7\n"
        "oid 1347 fw 1.3.6.1.4.1.1347.43.5.4.1.5.1.1 role=firmware priority=0\n"
        "oid 2385 x_1000 1.3.6.1.4.1.2385.9 priority=1000"; /* no final newline */
    struct snmpc_catalogue *c = parse_ok(text);
    const struct snmpc_cat_entry *e;
    size_t n;
    (void)state;

    assert_int_equal(snmpc__catalogue_size(c), 7);
    e = snmpc_catalogue_vendor(c, 1347, &n);
    assert_int_equal(n, 5);
    /* File order is kept within one enterprise. */
    assert_string_equal(e[0].name, "total");
    assert_int_equal(e[0].role, SNMPC_ROLE_TOTAL);
    assert_int_equal(e[0].priority, 10);
    assert_int_equal(e[0].oid_len, 14);
    assert_int_equal(e[0].oid[13], 1);
    assert_string_equal(e[0].vendor, "Kyocera Document Solutions");
    assert_string_equal(e[1].name, "serial");
    assert_int_equal(e[1].role, SNMPC_ROLE_SERIAL);
    assert_int_equal(e[1].priority, 5);
    assert_string_equal(e[2].name, "print_mono");
    assert_int_equal(e[2].role, SNMPC_ROLE_OTHER);
    assert_int_equal(e[2].priority, 100); /* default */
    assert_int_equal(e[3].role, SNMPC_ROLE_MODEL);
    assert_true(e[3].keep_series);
    assert_false(e[0].keep_series);
    assert_int_equal(e[4].role, SNMPC_ROLE_FIRMWARE);
    assert_int_equal(e[4].priority, 0);
    e = snmpc_catalogue_vendor(c, 2385, &n);
    assert_int_equal(n, 2);
    assert_string_equal(e[0].name, "print_total");
    assert_string_equal(e[0].vendor, "Sharp");
    assert_string_equal(e[1].name, "x_1000");
    assert_int_equal(e[1].priority, 1000);
    assert_null(snmpc_catalogue_vendor(c, 1, &n));
    assert_int_equal(n, 0);
    assert_null(snmpc_catalogue_vendor(c, 99999, &n));
    assert_null(snmpc_catalogue_vendor(NULL, 1347, &n));
    assert_int_equal(n, 0);

    /* The file's vendor names win over the built-in list; others still resolve. */
    assert_string_equal(snmpc_vendor_name(c, 1347), "Kyocera Document Solutions");
    assert_string_equal(snmpc_vendor_name(c, 2385), "Sharp");
    assert_string_equal(snmpc_vendor_name(c, 11), "HP");
    assert_null(snmpc_vendor_name(c, 8072));
    snmpc_catalogue_free(c);
    snmpc_catalogue_free(NULL);
}

static void test_parse_empty(void **state)
{
    struct snmpc_catalogue *c = parse_ok("# nothing\n\n");
    size_t n = 7;
    (void)state;
    assert_int_equal(snmpc__catalogue_size(c), 0);
    assert_null(snmpc_catalogue_vendor(c, 11, &n));
    assert_int_equal(n, 0);
    snmpc_catalogue_free(c);
    c = parse_ok("");
    snmpc_catalogue_free(c);
}

/* Entries of several enterprises given out of order end up grouped, file order kept. */
static void test_grouping(void **state)
{
    static const char text[] = "vendor 3 C\nvendor 1 A\nvendor 2 B\n"
                               "oid 3 c1 1.3.6.1.4.1.3.1\n"
                               "oid 1 a1 1.3.6.1.4.1.1.1\n"
                               "oid 3 c2 1.3.6.1.4.1.3.2\n"
                               "oid 2 b1 1.3.6.1.4.1.2.1\n"
                               "oid 1 a2 1.3.6.1.4.1.1.2\n"
                               "oid 3 c3 1.3.6.1.4.1.3.3\n";
    static const struct {
        uint32_t ent;
        const char *names[3];
        size_t n;
    } want[] = {{1, {"a1", "a2"}, 2}, {2, {"b1"}, 1}, {3, {"c1", "c2", "c3"}, 3}};
    struct snmpc_catalogue *c = parse_ok(text);
    (void)state;
    for (size_t i = 0; i < NELEM(want); i++) {
        size_t n;
        const struct snmpc_cat_entry *e = snmpc_catalogue_vendor(c, want[i].ent, &n);
        assert_int_equal(n, want[i].n);
        for (size_t k = 0; k < n; k++)
            assert_string_equal(e[k].name, want[i].names[k]);
    }
    snmpc_catalogue_free(c);
}

/* Bad input: every line type and option, with the exact message an admin would see. */
static void test_parse_bad_table(void **state)
{
    static const struct bad_case cases[] = {
        {"frobnicate 1 2",
         "t.cat:1: unknown keyword 'frobnicate' (vendor, oid, table, row, supplies, sysdescr)"},
        {"VENDOR 11 HP",
         "t.cat:1: unknown keyword 'VENDOR' (vendor, oid, table, row, supplies, sysdescr)"},
        {"vendor 11", "t.cat:1: vendor: expected 'vendor <enterprise> <name>'"},
        {"vendor x HP", "t.cat:1: vendor: bad enterprise number 'x'"},
        {"vendor 0 HP", "t.cat:1: vendor: bad enterprise number '0'"},
        {"vendor 4294967296 HP", "t.cat:1: vendor: bad enterprise number '4294967296'"},
        {"vendor 11 An extremely long vendor name here",
         "t.cat:1: vendor: name longer than 31 characters"},
        {"vendor 11 H\xc3\xa9", "t.cat:1: vendor: name must be printable ASCII"},
        {"vendor 11 HP\nvendor 11 HP", "t.cat:2: vendor: enterprise 11 declared twice"},
        {"vendor 11 HP\noid 11 total", "t.cat:2: oid: expected 'oid <enterprise> <name> <oid> "
                                       "[options]'"},
        {"oid 11 total 1.3.6.1.4.1.11.1", "t.cat:1: oid: enterprise 11 has no vendor line "
                                          "before it"},
        {"vendor 11 HP\noid -11 total 1.3.6.1.4.1.11.1",
         "t.cat:2: oid: bad enterprise number '-11'"},
        {"vendor 11 HP\noid 11 Total 1.3.6.1.4.1.11.1",
         "t.cat:2: oid: bad name 'Total' (lower-case letters, digits and _, at most 63, not "
         "marker_life*)"},
        {"vendor 11 HP\noid 11 marker_life_1 1.3.6.1.4.1.11.1",
         "t.cat:2: oid: bad name 'marker_life_1' (lower-case letters, digits and _, at most 63, "
         "not marker_life*)"},
        {"vendor 11 HP\noid 11 a.b 1.3.6.1.4.1.11.1",
         "t.cat:2: oid: bad name 'a.b' (lower-case letters, digits and _, at most 63, not "
         "marker_life*)"},
        {"vendor 11 HP\noid 11 total 1.3.6.1.4.1.11.x", "t.cat:2: oid: bad OID '1.3.6.1.4.1.11.x'"},
        {"vendor 11 HP\noid 11 total .1.3.6.1.4.1.11.1",
         "t.cat:2: oid: bad OID '.1.3.6.1.4.1.11.1'"},
        {"vendor 11 HP\noid 11 total 1.3.6.1", "t.cat:2: oid: bad OID '1.3.6.1'"},
        {"vendor 11 HP\noid 11 total 1.3.6.1.4.1.11.1 role=billing",
         "t.cat:2: oid: unknown role 'billing' (counter, total, serial, model, firmware)"},
        {"vendor 11 HP\noid 11 total 1.3.6.1.4.1.11.1 role=total role=total",
         "t.cat:2: oid: option role given twice"},
        {"vendor 11 HP\noid 11 total 1.3.6.1.4.1.11.1 priority=1001",
         "t.cat:2: oid: priority '1001' is not 0..1000"},
        {"vendor 11 HP\noid 11 total 1.3.6.1.4.1.11.1 priority=-1",
         "t.cat:2: oid: priority '-1' is not 0..1000"},
        {"vendor 11 HP\noid 11 total 1.3.6.1.4.1.11.1 priority=1 priority=2",
         "t.cat:2: oid: option priority given twice"},
        {"vendor 11 HP\noid 11 total 1.3.6.1.4.1.11.1 role=",
         "t.cat:2: oid: unknown option 'role='"},
        {"vendor 11 HP\noid 11 total 1.3.6.1.4.1.11.1 colour=black",
         "t.cat:2: oid: unknown option 'colour=black'"},
        {"vendor 11 HP\noid 11 total 1.3.6.1.4.1.11.1 role=model priority=1 series=keep x",
         "t.cat:2: oid: too many fields"},
        {"vendor 11 HP\noid 11 m 1.3.6.1.4.1.11.1 role=model series=maybe",
         "t.cat:2: oid: series 'maybe' is not keep or drop"},
        {"vendor 11 HP\noid 11 m 1.3.6.1.4.1.11.1 role=model series=keep series=drop",
         "t.cat:2: oid: option series given twice"},
        {"vendor 11 HP\noid 11 s 1.3.6.1.4.1.11.1 role=serial series=keep",
         "t.cat:2: oid: option series is for role=model only"},
        {"vendor 11 HP\noid 11 s 1.3.6.1.4.1.11.1 series=drop",
         "t.cat:2: oid: option series is for role=model only"},
        {"vendor 11 HP\noid 11 a 1.3.6.1.4.1.11.1\noid 11 a 1.3.6.1.4.1.11.2",
         "t.cat:3: oid: duplicate name 'a' for this enterprise"},
        {"vendor 11 HP\noid 11 a 1.3.6.1.4.1.11.1\noid 11 b 1.3.6.1.4.1.11.1",
         "t.cat:3: oid: duplicate OID '1.3.6.1.4.1.11.1' for this enterprise"},
        {"vendor 11 HP\n\x01", "t.cat:2: control character in line"},
    };
    (void)state;
    check_bad(cases, NELEM(cases), false);
}

static void test_parse_limits(void **state)
{
    struct snmpc_catalogue *c = NULL;
    struct gw_errbuf eb;
    char *text, *p;
    size_t cap = 200 * (SNMPC_CAT_MAX_ENTRIES + 2);
    (void)state;

    /* A line over 1024 characters. */
    text = malloc(2000);
    memset(text, ' ', 1500);
    memcpy(text, "vendor 11 HP", 12);
    text[1500] = '\0';
    assert_int_equal(snmpc_catalogue_parse(text, strlen(text), "t.cat", &c, &eb),
                     SNMPC_E_CATALOGUE);
    assert_string_equal(eb.msg, "t.cat:1: line longer than 1024 characters");
    free(text);

    /* An embedded NUL. */
    assert_int_equal(snmpc_catalogue_parse("vendor 11 HP\0x", 14, "t.cat", &c, &eb),
                     SNMPC_E_CATALOGUE);
    assert_string_equal(eb.msg, "t.cat:1: control character in line");

    /* One entry more than the maximum. */
    text = malloc(cap);
    p = text + snprintf(text, cap, "vendor 11 HP\n");
    for (unsigned i = 0; i <= SNMPC_CAT_MAX_ENTRIES; i++)
        p += snprintf(p, cap - (size_t)(p - text), "oid 11 c%u 1.3.6.1.4.1.11.%u\n", i, i);
    assert_int_equal(snmpc_catalogue_parse(text, strlen(text), "t.cat", &c, &eb),
                     SNMPC_E_CATALOGUE);
    assert_string_equal(eb.msg, "t.cat:4098: too many entries (at most 4096)");
    assert_null(c);
    free(text);

    assert_int_equal(snmpc_catalogue_load("/nonexistent/counters.catalogue", &c, &eb), -ENOENT);
    assert_string_equal(eb.msg, "/nonexistent/counters.catalogue: No such file or directory");
    assert_null(c);
}

static void test_vendor_names(void **state)
{
    static const struct {
        uint32_t ent;
        const char *name;
    } builtin[] = {
        {11, "HP"},      {236, "Samsung"}, {253, "Xerox"},    {297, "Fujifilm"},
        {367, "Ricoh"},  {641, "Lexmark"}, {674, "Dell"},     {1347, "Kyocera"},
        {1602, "Canon"}, {2385, "Sharp"},  {2435, "Brother"}, {18334, "Konica Minolta"},
        {8072, NULL},    {0, NULL},
    };
    static const struct {
        const char *text;
        const char *vendor;
        uint32_t ent;
    } text[] = {
        {"SHARP MX-M266NV", "Sharp", 2385},
        {"KONICA MINOLTA bizhub C3110", "Konica Minolta", 18334},
        {"Konica Minolta bizhub 25e", "Konica Minolta", 18334},
        {"HP ETHERNET MULTI-ENVIRONMENT,SN:X", "HP", 11},
        {"Hewlett-Packard LaserJet 4", "HP", 11},
        {"FUJI XEROX ApeosPort-VI C4471;ESS1.0", "Fujifilm", 297},
        {"  Brother NC-8300h", "Brother", 2435},
        {"Canon MF642C/643C/644C /P", "Canon", 1602},
        {"Sharpie", NULL, 0}, /* whole words only */
        {"Linux printserver 5.10", NULL, 0},
        {"", NULL, 0},
    };
    (void)state;
    for (size_t i = 0; i < NELEM(builtin); i++) {
        const char *n = snmpc_vendor_name(NULL, builtin[i].ent);
        if (builtin[i].name)
            assert_string_equal(n, builtin[i].name);
        else
            assert_null(n);
    }
    for (size_t i = 0; i < NELEM(text); i++) {
        const char *v = snmpc__vendor_from_text(NULL, text[i].text);
        uint32_t ent = 7;
        if (!text[i].vendor ? v != NULL : (!v || strcmp(v, text[i].vendor) != 0))
            fail_msg("case %zu '%s': got %s", i, text[i].text, v ? v : "(null)");
        v = snmpc__vendor_from_text_ent(NULL, text[i].text, &ent);
        if (ent != text[i].ent || (text[i].vendor && (!v || strcmp(v, text[i].vendor) != 0)))
            fail_msg("case %zu '%s': enterprise %u", i, text[i].text, (unsigned)ent);
    }
    assert_null(snmpc__vendor_from_text(NULL, NULL));
}

/* The shipped catalogue loads and says what its comments say for the main vendors. */
static void test_shipped_catalogue(void **state)
{
    static const struct {
        uint32_t ent;
        const char *name;
        const char *oid;
        int role;
    } want[] = {
        {1347, "total", "1.3.6.1.4.1.1347.43.10.1.1.12.1.1", SNMPC_ROLE_TOTAL},
        {11, "jam_total", "1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.34.0", SNMPC_ROLE_OTHER},
        {11, "scan_flatbed_pages", "1.3.6.1.4.1.11.2.3.9.4.2.1.2.2.1.74.0", SNMPC_ROLE_OTHER},
        {18334, "scan_total", "1.3.6.1.4.1.18334.1.1.1.5.7.2.1.5.0", SNMPC_ROLE_OTHER},
        {10642, "print_length_inches", "1.3.6.1.4.1.10642.200.17.3.0", SNMPC_ROLE_OTHER},
        {1347, "serial", "1.3.6.1.4.1.1347.43.5.1.1.28.1", SNMPC_ROLE_SERIAL},
        {11, "total", "1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.5.0", SNMPC_ROLE_TOTAL},
        {367, "total", "1.3.6.1.4.1.367.3.2.1.2.19.1.0", SNMPC_ROLE_TOTAL},
        {18334, "total", "1.3.6.1.4.1.18334.1.1.1.5.7.2.1.1.0", SNMPC_ROLE_TOTAL},
        {1602, "total", "1.3.6.1.4.1.1602.1.11.1.3.1.4.101", SNMPC_ROLE_TOTAL},
        {2435, "serial", "1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.1.0", SNMPC_ROLE_SERIAL},
        {253, "total", "1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.1", SNMPC_ROLE_TOTAL},
        {641, "total", "1.3.6.1.4.1.641.2.1.5.1.0", SNMPC_ROLE_TOTAL},
        {674, "model", "1.3.6.1.4.1.674.10898.100.2.1.2.1.3.1", SNMPC_ROLE_MODEL},
    };
    const char *dir = getenv("FLEETGW_DATADIR");
    char path[1024];
    struct snmpc_catalogue *c = NULL;
    struct gw_errbuf eb;
    int rc;
    (void)state;

    snprintf(path, sizeof path, "%s/counters.catalogue", dir ? dir : "snmp");
    rc = snmpc_catalogue_load(path, &c, &eb);
    if (rc != 0)
        fail_msg("%s", eb.msg);
    assert_true(snmpc__catalogue_size(c) >= 50);
    for (size_t i = 0; i < NELEM(want); i++) {
        size_t n, k;
        const struct snmpc_cat_entry *e = snmpc_catalogue_vendor(c, want[i].ent, &n);
        char buf[160];
        for (k = 0; k < n; k++)
            if (strcmp(e[k].name, want[i].name) == 0)
                break;
        if (k == n)
            fail_msg("no %s for enterprise %u", want[i].name, want[i].ent);
        assert_string_equal(snmpc_oid_format(e[k].oid, e[k].oid_len, buf, sizeof buf), want[i].oid);
        assert_int_equal(e[k].role, want[i].role);
    }
    /* Every enterprise with a billing total has exactly one entry at the best priority, so
     * the choice never depends on file order. */
    for (uint32_t ent = 1; ent < 50000; ent++) {
        size_t n, best = 0;
        int bp = 1001;
        const struct snmpc_cat_entry *e = snmpc_catalogue_vendor(c, ent, &n);
        for (size_t k = 0; k < n; k++) {
            assert_int_equal(e[k].enterprise, ent);
            assert_non_null(snmpc_vendor_name(c, ent));
            if (e[k].role != SNMPC_ROLE_TOTAL)
                continue;
            if (e[k].priority < bp) {
                bp = e[k].priority;
                best = 1;
            } else if (e[k].priority == bp) {
                best++;
            }
        }
        assert_true(best <= 1);
    }
    assert_string_equal(snmpc_vendor_name(c, 1347), "Kyocera");
    assert_string_equal(snmpc_vendor_name(c, 18334), "Konica Minolta");

    /* The vendor tables: Sharp's labelled table and its known rows, Konica Minolta's and HP's
     * counter tables. */
    {
        static const struct {
            uint32_t ent;
            const char *table;
            const char *base;
            uint32_t value, label;
            const char *prefix;
        } tw[] = {
            {2385, "sharp", "1.3.6.1.4.1.2385.1.1.19.2.1", 3, 4, "sharp"},
            {18334, "counters", "1.3.6.1.4.1.18334.1.1.1.5.7.2.2.1", 5, 0, "konica"},
            {18334, "large", "1.3.6.1.4.1.18334.1.1.1.5.7.2.2.1", 7, 0, "konica_large"},
            {11, "simplex", "1.3.6.1.4.1.11.2.3.9.4.2.1.1.16.1.1", 1, 0, "hp_simplex"},
            {11, "jams", "1.3.6.1.4.1.11.2.3.9.4.2.1.5.2.4.2", 1, 2, "hp_jam"},
            {367, "eng", "1.3.6.1.4.1.367.3.2.1.2.19.5.1", 9, 5, "ricoh"},
            {1602, "meters", "1.3.6.1.4.1.1602.1.11.2.1.1", 3, 2, "canon"},
            {1347, "function", "1.3.6.1.4.1.1347.42.3.1.1.1", 1, 0, "kyocera_function"},
            {1347, "colour", "1.3.6.1.4.1.1347.42.3.1.2.1", 1, 0, "kyocera_colour"},
            {1347, "scan", "1.3.6.1.4.1.1347.42.3.1.3.1", 1, 0, "kyocera_scan"},
            {1347, "scan_send", "1.3.6.1.4.1.1347.42.3.1.4.1", 1, 0, "kyocera_scan_send"},
            {1347, "fax_port", "1.3.6.1.4.1.1347.42.3.1.5.1", 1, 0, "kyocera_fax_port"},
            {253, "usage", "1.3.6.1.4.1.253.8.53.13.2.1.6.1", 20, 0, "xerox_usage"},
            {18334, "scan_c11", "1.3.6.1.4.1.18334.1.1.1.5.7.2.3.1", 11, 0, "konica_scan_c11"},
        };
        static const struct {
            uint32_t ent;
            const char *table;
            uint32_t idx[3];
            size_t len;
            const char *label, *name;
        } rw[] = {
            {2385, "sharp", {5, 4, 61}, 3, NULL, "total_mono"},
            {2385, "sharp", {1, 4, 60}, 3, "prints", "print_total"},
            {2385, "sharp", {9, 9, 99}, 3, "full_color_copy_count", "copy_full_colour"},
            {2385, "sharp", {9, 9, 99}, 3, "no_such_label", NULL},
            {18334, "counters", {2, 2}, 2, NULL, "print_colour"},
            {18334, "counters", {4, 2}, 2, NULL, "print_two_colour"},
            {11, "simplex", {26}, 1, NULL, "print_simplex_a4"},
            {11, "simplex", {4}, 1, NULL, NULL},
            /* Kyocera's former "oid" lines keep their names as rows. */
            {1347, "function", {1}, 1, NULL, "print_total"},
            {1347, "colour", {2, 3}, 2, NULL, "copy_full_colour"},
            {1347, "scan_send", {1}, 1, NULL, "scan_other"},
            {1347, "function", {3}, 1, NULL, NULL},
            {367, "eng", {1}, 1, "counter_machine_total", "machine_total"},
            {1602, "meters", {1}, 1, "total_1", "total_1"},
        };
        size_t nt;
        const struct snmpc_cat_table *t = snmpc__catalogue_tables(c, &nt);
        assert_true(nt >= NELEM(tw));
        for (size_t i = 0; i < NELEM(tw); i++) {
            size_t k;
            char buf[160];
            for (k = 0; k < nt; k++)
                if (t[k].enterprise == tw[i].ent && strcmp(t[k].name, tw[i].table) == 0)
                    break;
            if (k == nt)
                fail_msg("no table %s for enterprise %u", tw[i].table, tw[i].ent);
            assert_string_equal(snmpc_oid_format(t[k].base, t[k].base_len, buf, sizeof buf),
                                tw[i].base);
            assert_int_equal(t[k].value_col, tw[i].value);
            assert_int_equal(t[k].label_col, tw[i].label);
            assert_string_equal(t[k].prefix, tw[i].prefix);
        }
        for (size_t i = 0; i < NELEM(rw); i++) {
            size_t k;
            const char *got;
            for (k = 0; k < nt; k++)
                if (t[k].enterprise == rw[i].ent && strcmp(t[k].name, rw[i].table) == 0)
                    break;
            assert_true(k < nt);
            got = snmpc__catalogue_row_name(c, &t[k], rw[i].idx, rw[i].len, rw[i].label);
            if (rw[i].name ? !got || strcmp(got, rw[i].name) != 0 : got != NULL)
                fail_msg("row case %zu: got %s", i, got ? got : "(null)");
        }
    }
    /* Ricoh's toner table, and the Zebra odometer read out of its text. */
    {
        size_t ns, k, n;
        const struct snmpc_cat_supplies *sp = snmpc__catalogue_supplies(c, &ns);
        const struct snmpc_cat_entry *e = snmpc_catalogue_vendor(c, 10642, &n);
        char buf[160];
        for (k = 0; k < ns; k++)
            if (sp[k].enterprise == 367 && strcmp(sp[k].name, "toner") == 0)
                break;
        assert_true(k < ns);
        assert_string_equal(snmpc_oid_format(sp[k].base, sp[k].base_len, buf, sizeof buf),
                            "1.3.6.1.4.1.367.3.2.1.2.24.1.1");
        assert_int_equal(sp[k].level_col, 5);
        assert_int_equal(sp[k].descr_col, 2);
        assert_int_equal(sp[k].descr_alt_col, 3);
        assert_int_equal(sp[k].colour_col, 4);
        assert_int_equal(sp[k].ncolours, 5);
        assert_string_equal(sp[k].type, "toner");
        assert_true(sp[k].have_near_empty);
        assert_int_equal(sp[k].near_empty, -100);
        for (k = 0; k < n; k++)
            if (strcmp(e[k].name, "print_length_inches") == 0)
                break;
        assert_true(k < n);
        assert_true(e[k].leading_number);
        assert_int_equal(e[k].role, SNMPC_ROLE_OTHER);
    }
    snmpc_catalogue_free(c);
}

/* "table" and "row" lines: what they declare, and lookups by index and by label. */
static void test_table_good(void **state)
{
    static const char text[] =
        "vendor 2385 Sharp\n"
        "vendor 11 HP\n"
        "table 2385 sharp 1.3.6.1.4.1.2385.1.1.19.2.1 value=3 label=4 # comment\n"
        "row 2385 sharp 1.4.61 print_mono\n"
        "row 2385 sharp label:full_color_copy_count copy_full_colour\n"
        "row 2385 sharp label:prints print_by_label\n"
        "row 2385 sharp 1.4.60 print_total\n"
        "table 11 t 1.3.6.1.4.1.11.2.3 max_rows=1000 prefix=hp_x value=1\n"
        "row 11 t 7 seven\n"
        "oid 2385 firmware 1.3.6.1.4.1.2385.2.1.1.2.1.2.1 role=firmware\n";
    struct snmpc_catalogue *c = parse_ok(text);
    const struct snmpc_cat_table *t;
    const uint32_t i61[] = {1, 4, 61}, i60[] = {1, 4, 60}, i99[] = {9, 9, 99}, i7[] = {7};
    size_t n;
    (void)state;

    t = snmpc__catalogue_tables(c, &n);
    assert_int_equal(n, 2);
    assert_int_equal(t[0].enterprise, 2385);
    assert_string_equal(t[0].name, "sharp");
    assert_string_equal(t[0].prefix, "sharp"); /* default: the table name */
    assert_int_equal(t[0].base_len, 12);
    assert_int_equal(t[0].value_col, 3);
    assert_int_equal(t[0].label_col, 4);
    assert_int_equal(t[0].max_rows, SNMPC_VTABLE_DEFAULT_ROWS);
    assert_string_equal(t[1].prefix, "hp_x");
    assert_int_equal(t[1].label_col, 0);
    assert_int_equal(t[1].max_rows, 1000);

    assert_string_equal(snmpc__catalogue_row_name(c, &t[0], i61, 3, NULL), "print_mono");
    assert_string_equal(snmpc__catalogue_row_name(c, &t[0], i61, 3, "whatever"), "print_mono");
    /* An index match wins over a label match. */
    assert_string_equal(snmpc__catalogue_row_name(c, &t[0], i60, 3, "prints"), "print_total");
    assert_string_equal(snmpc__catalogue_row_name(c, &t[0], i99, 3, "prints"), "print_by_label");
    assert_string_equal(snmpc__catalogue_row_name(c, &t[0], i99, 3, "full_color_copy_count"),
                        "copy_full_colour");
    assert_null(snmpc__catalogue_row_name(c, &t[0], i99, 3, ""));
    assert_null(snmpc__catalogue_row_name(c, &t[0], i99, 3, NULL));
    assert_null(snmpc__catalogue_row_name(c, &t[0], i61, 2, NULL)); /* shorter index */
    /* Rows belong to their table only. */
    assert_string_equal(snmpc__catalogue_row_name(c, &t[1], i7, 1, NULL), "seven");
    assert_null(snmpc__catalogue_row_name(c, &t[0], i7, 1, NULL));
    assert_null(snmpc__catalogue_row_name(NULL, &t[0], i61, 3, NULL));
    /* Tables do not count as "oid" entries. */
    assert_int_equal(snmpc__catalogue_size(c), 1);
    snmpc_catalogue_free(c);

    t = snmpc__catalogue_tables(NULL, &n);
    assert_null(t);
    assert_int_equal(n, 0);
}

#define TB        "vendor 11 HP\ntable 11 t 1.3.6.1.4.1.11.1 value=1"
#define TL        "vendor 11 HP\ntable 11 t 1.3.6.1.4.1.11.1 value=1 label=2"
#define NAMERULE  "(a lower-case letter, then letters, digits and _, at most 20)"
#define INDEXRULE "(1 to 16 numbers joined by '.', or label:<slug>)"
#define SLUGRULE  "(lower-case letters and digits joined by single _)"

static void test_table_bad(void **state)
{
    static const struct bad_case cases[] = {
        {"vendor 11 HP\ntable 11 t 1.3.6.1.4.1.11.1",
         "t.cat:2: table: expected 'table <enterprise> <name> <entry-oid> value=<column> "
         "[options]'"},
        {"table 11 t 1.3.6.1.4.1.11.1 value=1",
         "t.cat:1: table: enterprise 11 has no vendor line before it"},
        {"vendor 11 HP\ntable x t 1.3.6.1.4.1.11.1 value=1",
         "t.cat:2: table: bad enterprise number 'x'"},
        {"vendor 11 HP\ntable 11 T 1.3.6.1.4.1.11.1 value=1",
         "t.cat:2: table: bad name 'T' " NAMERULE},
        {"vendor 11 HP\ntable 11 _t 1.3.6.1.4.1.11.1 value=1",
         "t.cat:2: table: bad name '_t' " NAMERULE},
        {"vendor 11 HP\ntable 11 abcdefghijklmnopqrstu 1.3.6.1.4.1.11.1 value=1",
         "t.cat:2: table: bad name 'abcdefghijklmnopqrstu' " NAMERULE},
        {"vendor 11 HP\ntable 11 marker_life 1.3.6.1.4.1.11.1 value=1",
         "t.cat:2: table: bad name 'marker_life' " NAMERULE},
        {"vendor 11 HP\ntable 11 t 1.3.6.1.4.1.11.x value=1",
         "t.cat:2: table: bad OID '1.3.6.1.4.1.11.x'"},
        {"vendor 11 HP\ntable 11 t .1.3.6.1.4.1.11.1 value=1",
         "t.cat:2: table: bad OID '.1.3.6.1.4.1.11.1'"},
        {"vendor 11 HP\ntable 11 t 1.3.6.1.4.1.12.1 value=1",
         "t.cat:2: table: OID '1.3.6.1.4.1.12.1' is not in enterprise 11's subtree"},
        {"vendor 11 HP\ntable 11 t 1.3.6.1.2.1.43.10 value=1",
         "t.cat:2: table: OID '1.3.6.1.2.1.43.10' is not in enterprise 11's subtree"},
        {"vendor 11 HP\ntable 11 t 1.3.6.1.4.1.11 value=1",
         "t.cat:2: table: OID '1.3.6.1.4.1.11' is not in enterprise 11's subtree"},
        {"vendor 11 HP\ntable 11 t 1.3.6.1.4.1.11.1 label=2",
         "t.cat:2: table: value=<column> missing"},
        {"vendor 11 HP\ntable 11 t 1.3.6.1.4.1.11.1 value=0",
         "t.cat:2: table: value column '0' is not a number > 0"},
        {TB " label=x", "t.cat:2: table: label column 'x' is not a number > 0"},
        {TB " value=2", "t.cat:2: table: option value given twice"},
        {"vendor 11 HP\ntable 11 t 1.3.6.1.4.1.11.1 value=3 label=3",
         "t.cat:2: table: label and value are the same column"},
        {TB " prefix=Hp", "t.cat:2: table: bad prefix 'Hp' " NAMERULE},
        {TB " prefix=a prefix=b", "t.cat:2: table: option prefix given twice"},
        {TB " max_rows=0", "t.cat:2: table: max_rows '0' is not 1..1000"},
        {TB " max_rows=1001", "t.cat:2: table: max_rows '1001' is not 1..1000"},
        {TB " max_rows=1 max_rows=2", "t.cat:2: table: option max_rows given twice"},
        {TB " colour=red", "t.cat:2: table: unknown option 'colour=red'"},
        {TB " label", "t.cat:2: table: unknown option 'label'"},
        {TB " =3", "t.cat:2: table: unknown option '=3'"},
        {TB " label=2 prefix=p max_rows=2 x", "t.cat:2: table: too many fields"},
        {TB "\ntable 11 t 1.3.6.1.4.1.11.2 value=1",
         "t.cat:3: table: duplicate name 't' for this enterprise"},
        {TB "\ntable 11 b 1.3.6.1.4.1.11.1 value=1",
         "t.cat:3: table: column 1 of '1.3.6.1.4.1.11.1' is already table 't' of this "
         "enterprise"},
        {"vendor 11 HP\nrow 11 t 1 a", "t.cat:2: row: no table 't' of enterprise 11 before it"},
        {TB "\nrow 11 t 1",
         "t.cat:3: row: expected 'row <enterprise> <table> <index>|label:<slug> <name>'"},
        {TB "\nrow 11 t 1 a b", "t.cat:3: row: unknown option 'b'"},
        {TB "\nrow 11 t 1 a role=total priority=1 x", "t.cat:3: row: too many fields"},
        {TB "\nrow 11 t 1 a role=serial", "t.cat:3: row: unknown role 'serial' (counter, total)"},
        {TB "\nrow 11 t 1 a role=total role=total", "t.cat:3: row: option role given twice"},
        {TB "\nrow 11 t 1 a role=total priority=1001",
         "t.cat:3: row: priority '1001' is not 0..1000"},
        {TB "\nrow 11 t 1 a priority=1 priority=2", "t.cat:3: row: option priority given twice"},
        {TB "\nrow 11 t 1 a priority=5", "t.cat:3: row: priority is only for role=total"},
        {TB "\nrow 11 t 1 a role=counter priority=5",
         "t.cat:3: row: priority is only for role=total"},
        {TB "\nrow 0 t 1 a", "t.cat:3: row: bad enterprise number '0'"},
        {"vendor 12 X\n" TB "\nrow 12 t 1 a",
         "t.cat:4: row: no table 't' of enterprise 12 before it"},
        {TB "\nrow 11 t 1.x a", "t.cat:3: row: bad index '1.x' " INDEXRULE},
        {TB "\nrow 11 t .1 a", "t.cat:3: row: bad index '.1' " INDEXRULE},
        {TB "\nrow 11 t 1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17 a",
         "t.cat:3: row: bad index '1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17' " INDEXRULE},
        {TB "\nrow 11 t label:x a", "t.cat:3: row: table 't' has no label column"},
        {TL "\nrow 11 t label:Prints a", "t.cat:3: row: bad label slug 'Prints' " SLUGRULE},
        {TL "\nrow 11 t label:a__b a", "t.cat:3: row: bad label slug 'a__b' " SLUGRULE},
        {TL "\nrow 11 t label:_a a", "t.cat:3: row: bad label slug '_a' " SLUGRULE},
        {TL "\nrow 11 t label: a", "t.cat:3: row: bad index 'label:' " INDEXRULE},
        {TB "\nrow 11 t 1 Bad",
         "t.cat:3: row: bad name 'Bad' (lower-case letters, digits and _, at most 63, not "
         "marker_life*)"},
        {TB "\nrow 11 t 1 marker_life_x",
         "t.cat:3: row: bad name 'marker_life_x' (lower-case letters, digits and _, at most 63, "
         "not marker_life*)"},
        {TB "\nrow 11 t 1.2 a\nrow 11 t 1.2 b", "t.cat:4: row: '1.2' of table 't' mapped twice"},
        {TL "\nrow 11 t label:ab a\nrow 11 t label:ab b",
         "t.cat:4: row: 'label:ab' of table 't' mapped twice"},
        {TB "\ntable 11 u 1.3.6.1.4.1.11.1 value=2\nrow 11 t 1 a\nrow 11 u 1 a",
         "t.cat:5: row: duplicate name 'a' for this enterprise"},
        /* A row name may not repeat an "oid" name, whichever line comes first. */
        {TB "\nrow 11 t 1 duplex\noid 11 duplex 1.3.6.1.4.1.11.5.0",
         "t.cat:3: row: name 'duplex' is also an oid line of this enterprise"},
        {"vendor 11 HP\noid 11 duplex 1.3.6.1.4.1.11.5.0\ntable 11 t 1.3.6.1.4.1.11.1 value=1\n"
         "row 11 t 1 duplex",
         "t.cat:4: row: name 'duplex' is also an oid line of this enterprise"},
    };
    (void)state;
    check_bad(cases, NELEM(cases), false);
}

/* "row ... role=total": the billing-total candidate and its priority. */
static void test_row_total(void **state)
{
    static const char text[] = "vendor 367 Ricoh\n"
                               "table 367 eng 1.3.6.1.4.1.367.3.2.1.2.19.5.1 value=9 label=5\n"
                               "row 367 eng label:counter_machine_total machine_total role=total "
                               "priority=20\n"
                               "row 367 eng 7 seven role=total\n"
                               "row 367 eng 8 eight role=counter\n"
                               "row 367 eng 9 nine\n";
    struct snmpc_catalogue *c = parse_ok(text);
    const uint32_t i1[] = {1}, i7[] = {7}, i8[] = {8}, i9[] = {9};
    size_t n;
    const struct snmpc_cat_table *t = snmpc__catalogue_tables(c, &n);
    int prio = 0;
    (void)state;

    assert_int_equal(n, 1);
    assert_string_equal(snmpc__catalogue_row_find(c, t, i1, 1, "counter_machine_total", &prio),
                        "machine_total");
    assert_int_equal(prio, 20);
    assert_string_equal(snmpc__catalogue_row_find(c, t, i7, 1, NULL, &prio), "seven");
    assert_int_equal(prio, 100); /* the default priority */
    assert_string_equal(snmpc__catalogue_row_find(c, t, i8, 1, NULL, &prio), "eight");
    assert_int_equal(prio, -1);
    assert_string_equal(snmpc__catalogue_row_find(c, t, i9, 1, NULL, &prio), "nine");
    assert_int_equal(prio, -1);
    prio = 0;
    assert_null(snmpc__catalogue_row_find(c, t, i1, 1, "other", &prio));
    assert_int_equal(prio, -1);
    /* The index wins over the label, with its own role. */
    assert_string_equal(snmpc__catalogue_row_find(c, t, i9, 1, "counter_machine_total", &prio),
                        "nine");
    assert_int_equal(prio, -1);
    assert_string_equal(snmpc__catalogue_row_find(c, t, i7, 1, NULL, NULL), "seven");
    snmpc_catalogue_free(c);
}

#define SP "vendor 367 Ricoh\nsupplies 367 s 1.3.6.1.4.1.367.3.2.1.2.24.1.1"
#define COLOURRULE                                                                                 \
    "(<code>:<name>,... with lower-case names of at most 15 letters, codes once, at most 16)"

/* "supplies" lines: what they declare, and what is refused. */
static void test_supplies_statement(void **state)
{
    static const struct bad_case bad[] = {
        {SP, "t.cat:2: supplies: expected 'supplies <enterprise> <name> <entry-oid> "
             "level=<column> [options]'"},
        {SP " descr=2", "t.cat:2: supplies: level=<column> missing"},
        {"supplies 367 s 1.3.6.1.4.1.367.1 level=5",
         "t.cat:1: supplies: enterprise 367 has no vendor line before it"},
        {"vendor 367 Ricoh\nsupplies 367 S 1.3.6.1.4.1.367.1 level=5",
         "t.cat:2: supplies: bad name 'S' (a lower-case letter, then letters, digits and _, at "
         "most 20)"},
        {"vendor 367 Ricoh\nsupplies 367 s 1.3.6.1.4.1.11.1 level=5",
         "t.cat:2: supplies: OID '1.3.6.1.4.1.11.1' is not in enterprise 367's subtree"},
        {"vendor 367 Ricoh\nsupplies 367 s x level=5", "t.cat:2: supplies: bad OID 'x'"},
        {SP " level=0", "t.cat:2: supplies: level column '0' is not a number > 0"},
        {SP " level=5 level=6", "t.cat:2: supplies: option level given twice"},
        {SP " level=5 descr=5", "t.cat:2: supplies: column 5 given twice"},
        {SP " level=5 colours=3:black", "t.cat:2: supplies: colours= needs colour=<column>"},
        {SP " level=5 colour=4 colours=3:Black",
         "t.cat:2: supplies: bad colours '3:Black' " COLOURRULE},
        {SP " level=5 colour=4 colours=3:black,3:cyan",
         "t.cat:2: supplies: bad colours '3:black,3:cyan' " COLOURRULE},
        {SP " level=5 colour=4 colours=3:black,",
         "t.cat:2: supplies: bad colours '3:black,' " COLOURRULE},
        {SP " level=5 colour=4 colours=x:black",
         "t.cat:2: supplies: bad colours 'x:black' " COLOURRULE},
        {SP " level=5 colour=4 colours=3", "t.cat:2: supplies: bad colours '3' " COLOURRULE},
        {SP " level=5 type=tonner",
         "t.cat:2: supplies: unknown type 'tonner' (an RFC 3805 PrtMarkerSuppliesTypeTC name, "
         "such as toner)"},
        {SP " level=5 near_empty=-2",
         "t.cat:2: supplies: near_empty '-2' must be a number below -3 or above 100"},
        {SP " level=5 near_empty=50",
         "t.cat:2: supplies: near_empty '50' must be a number below -3 or above 100"},
        {SP " level=5 near_empty=-x",
         "t.cat:2: supplies: near_empty '-x' must be a number below -3 or above 100"},
        {SP " level=5 max_rows=257", "t.cat:2: supplies: max_rows '257' is not 1..256"},
        {SP " level=5 units=percent", "t.cat:2: supplies: unknown option 'units=percent'"},
        {SP " level=5\nsupplies 367 s 1.3.6.1.4.1.367.2 level=5",
         "t.cat:3: supplies: duplicate name 's' for this enterprise"},
        {SP " level=1 descr=2 descr_alt=3 colour=4 colours=1:a type=toner near_empty=-100 "
            "max_rows=3 x",
         "t.cat:2: supplies: too many fields"},
    };
    struct snmpc_catalogue *c;
    const struct snmpc_cat_supplies *sp;
    size_t n;
    (void)state;

    c = parse_ok(SP " level=5 descr=2 descr_alt=3 colour=4 "
                    "colours=3:black,10:cyan,11:magenta,12:yellow,13:black type=toner "
                    "near_empty=-100 max_rows=8 # Ricoh\n"
                    "supplies 367 ink 1.3.6.1.4.1.367.9.1 level=2\n");
    sp = snmpc__catalogue_supplies(c, &n);
    assert_int_equal(n, 2);
    assert_string_equal(sp[0].name, "s");
    assert_int_equal(sp[0].base_len, 14);
    assert_int_equal(sp[0].level_col, 5);
    assert_int_equal(sp[0].descr_col, 2);
    assert_int_equal(sp[0].descr_alt_col, 3);
    assert_int_equal(sp[0].colour_col, 4);
    assert_int_equal(sp[0].ncolours, 5);
    assert_int_equal(sp[0].colours[1].code, 10);
    assert_string_equal(sp[0].colours[1].name, "cyan");
    assert_int_equal(sp[0].colours[4].code, 13);
    assert_string_equal(sp[0].colours[4].name, "black");
    assert_string_equal(sp[0].type, "toner");
    assert_true(sp[0].have_near_empty);
    assert_int_equal(sp[0].near_empty, -100);
    assert_int_equal(sp[0].max_rows, 8);
    /* Defaults. */
    assert_int_equal(sp[1].descr_col, 0);
    assert_int_equal(sp[1].colour_col, 0);
    assert_string_equal(sp[1].type, "other");
    assert_false(sp[1].have_near_empty);
    assert_int_equal(sp[1].max_rows, SNMPC_SUPPLY_DEFAULT_ROWS);
    /* Supply tables are neither entries nor counter tables. */
    assert_int_equal(snmpc__catalogue_size(c), 0);
    assert_null(snmpc__catalogue_tables(c, &n));
    snmpc_catalogue_free(c);
    assert_null(snmpc__catalogue_supplies(NULL, &n));
    assert_int_equal(n, 0);
    check_bad(bad, NELEM(bad), false);
}

/* "oid ... text=leading_number" and the number it reads. */
static void test_leading_number(void **state)
{
    static const struct {
        const char *in;
        bool ok;
        uint64_t v;
    } cases[] = {
        {"89667 INCHES, 227775 CENTIMETERS", true, 89667},
        {"  42", true, 42},
        {"0 IN", true, 0},
        {"10000000000", true, 10000000000ull},
        {"10000000001", false, 0}, /* above SNMPC_COUNTER_MAX */
        {"123456789012", false, 0},
        {"12.5 INCHES", false, 0},
        {"1,234 INCHES", false, 0},
        {"INCHES 12", false, 0},
        {"", false, 0},
        {"-5", false, 0},
    };
    struct snmpc_catalogue *c;
    struct gw_errbuf eb = {{0}};
    const char *bad1 = "vendor 10642 Zebra\noid 10642 a 1.3.6.1.4.1.10642.1.0 text=decimal";
    const char *bad2 = "vendor 10642 Zebra\noid 10642 a 1.3.6.1.4.1.10642.1.0 role=total "
                       "text=leading_number";
    const char *bad3 = "vendor 10642 Zebra\noid 10642 a 1.3.6.1.4.1.10642.1.0 "
                       "text=leading_number text=leading_number";
    size_t n;
    const struct snmpc_cat_entry *e;
    (void)state;

    for (size_t i = 0; i < NELEM(cases); i++) {
        uint64_t v = 7;
        bool ok =
            snmpc__leading_number((const unsigned char *)cases[i].in, strlen(cases[i].in), &v);
        if (ok != cases[i].ok || (ok && v != cases[i].v))
            fail_msg("case %zu '%s': %d %llu", i, cases[i].in, ok, (unsigned long long)v);
    }
    c = parse_ok("vendor 10642 Zebra\noid 10642 a 1.3.6.1.4.1.10642.1.0 text=leading_number\n"
                 "oid 10642 b 1.3.6.1.4.1.10642.2.0\n");
    e = snmpc_catalogue_vendor(c, 10642, &n);
    assert_int_equal(n, 2);
    assert_true(e[0].leading_number);
    assert_false(e[1].leading_number);
    snmpc_catalogue_free(c);
    assert_int_equal(snmpc_catalogue_parse(bad1, strlen(bad1), "t.cat", &c, &eb),
                     SNMPC_E_CATALOGUE);
    assert_string_equal(eb.msg, "t.cat:2: oid: unknown text format 'decimal' (leading_number)");
    assert_int_equal(snmpc_catalogue_parse(bad2, strlen(bad2), "t.cat", &c, &eb),
                     SNMPC_E_CATALOGUE);
    assert_string_equal(eb.msg, "t.cat:2: oid: text=leading_number is only for role=counter");
    assert_int_equal(snmpc_catalogue_parse(bad3, strlen(bad3), "t.cat", &c, &eb),
                     SNMPC_E_CATALOGUE);
    assert_string_equal(eb.msg, "t.cat:2: oid: option text given twice");
}

/* The enterprise of the vendor that starts a sysDescr, for agents without sysObjectID. */
static void test_enterprise_from_text(void **state)
{
    uint32_t ent = 5;
    (void)state;
    assert_string_equal(snmpc__vendor_from_text_ent(NULL, "Canon MF642C/643C/644C /P", &ent),
                        "Canon");
    assert_int_equal(ent, 1602);
    assert_non_null(snmpc__vendor_from_text_ent(NULL, "  KONICA MINOLTA bizhub C258", &ent));
    assert_int_equal(ent, 18334);
    assert_non_null(snmpc__vendor_from_text_ent(NULL, "Hewlett-Packard LaserJet", &ent));
    assert_int_equal(ent, 11);
    assert_null(snmpc__vendor_from_text_ent(NULL, "Canonical Linux", &ent));
    assert_int_equal(ent, 0);
    assert_null(snmpc__vendor_from_text_ent(NULL, NULL, &ent));
}

static void test_table_limits(void **state)
{
    struct snmpc_catalogue *c = NULL;
    struct gw_errbuf eb;
    size_t cap = 100 * (SNMPC_CAT_MAX_ROWS + 2);
    char *text = malloc(cap), *p;
    (void)state;

    p = text + snprintf(text, cap, "vendor 11 HP\n");
    for (unsigned i = 0; i <= SNMPC_CAT_MAX_TABLES; i++)
        p +=
            snprintf(p, cap - (size_t)(p - text), "table 11 t%u 1.3.6.1.4.1.11.%u value=1\n", i, i);
    assert_int_equal(snmpc_catalogue_parse(text, strlen(text), "t.cat", &c, &eb),
                     SNMPC_E_CATALOGUE);
    assert_string_equal(eb.msg, "t.cat:258: too many tables (at most 256)");
    assert_null(c);

    p = text + snprintf(text, cap, "vendor 11 HP\ntable 11 t 1.3.6.1.4.1.11.1 value=1\n");
    for (unsigned i = 0; i <= SNMPC_CAT_MAX_ROWS; i++)
        p += snprintf(p, cap - (size_t)(p - text), "row 11 t %u r%u\n", i, i);
    assert_int_equal(snmpc_catalogue_parse(text, strlen(text), "t.cat", &c, &eb),
                     SNMPC_E_CATALOGUE);
    assert_string_equal(eb.msg, "t.cat:4099: too many rows (at most 4096)");
    assert_null(c);
    free(text);
}

static void test_slug(void **state)
{
    static const struct {
        const char *in;
        size_t outlen;
        const char *out;
    } cases[] = {
        {"Black & White Print Count", 64, "black_white_print_count"},
        {"Scan to E-mail/FTP", 64, "scan_to_e_mail_ftp"},
        {"  Prints  ", 64, "prints"},
        {"Full Color Scanner Count", 64, "full_color_scanner_count"},
        {"Fax Receive Line1  ", 64, "fax_receive_line1"},
        {"Farbe \xc3\xbc", 64, "farbe"}, /* non-ASCII bytes separate words */
        {"\xc3\xa4rger", 64, "rger"},
        {"&&&", 64, ""},
        {"", 64, ""},
        {"abc def", 4, "abc"},
        {"abc def", 7, "abc"}, /* "abc_de" would cut a word: cut at the boundary */
        {"abc def", 8, "abc_def"},
        {"abcdefgh", 4, "abc"}, /* one word: cut inside it */
        {"a b", 3, "a"},
        {"x", 1, ""},
    };
    char out[64] = "zzz";
    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        size_t n = snmpc__slug(cases[i].in, out, cases[i].outlen);
        if (strcmp(out, cases[i].out) != 0 || n != strlen(cases[i].out))
            fail_msg("case %zu '%s': got '%s' (%zu)", i, cases[i].in, out, n);
    }
    assert_int_equal(snmpc__slug(NULL, out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(snmpc__slug("abc", out, 0), 0);
}

/* "sysdescr" lines: what is accepted, how it matches, and every error as "file:line: reason". */
static void test_sysdescr_statement(void **state)
{
    static const struct bad_case bad[] = {
        {"sysdescr", "t.cat:1: sysdescr: expected 'sysdescr <enterprise> <role> <regex>'"},
        {"sysdescr 11", "t.cat:1: sysdescr: expected 'sysdescr <enterprise> <role> <regex>'"},
        {"sysdescr 11 model", "t.cat:1: sysdescr: missing regular expression"},
        {"sysdescr 11 model # only a comment", "t.cat:1: sysdescr: missing regular expression"},
        {"sysdescr x model SN:(.*)", "t.cat:1: sysdescr: bad enterprise number 'x'"},
        {"sysdescr -1 model SN:(.*)", "t.cat:1: sysdescr: bad enterprise number '-1'"},
        {"sysdescr 4294967296 model SN:(.*)",
         "t.cat:1: sysdescr: bad enterprise number '4294967296'"},
        {"sysdescr 11 total SN:(.*)",
         "t.cat:1: sysdescr: unknown role (model, serial, firmware) 'total'"},
        {"sysdescr 11 serial SN:.*", "t.cat:1: sysdescr: the expression needs exactly one "
                                     "capture group"},
        {"sysdescr 11 serial (S)N:(.*)", "t.cat:1: sysdescr: the expression needs exactly one "
                                         "capture group"},
        {"sysdescr 11 serial SN:(a{1,200})",
         "t.cat:1: sysdescr: interval expressions ('{') are not allowed"},
        /* found by fuzz_decode: each '+' doubles glibc's compiled program */
        {"sysdescr 11 serial SN:(a+++++++++++++++++++++++++++++++++++++++++)",
         "t.cat:1: sysdescr: more than 8 '+' in the expression"},
        {"\n\nsysdescr 11 serial SN:(.*", "t.cat:3: sysdescr: bad regular expression: "},
        {"sysdescr 11 serial "
         "(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa)",
         "t.cat:1: sysdescr: regular expression longer than 160 characters"},
    };
    struct snmpc_catalogue *c = NULL;
    struct gw_errbuf eb;
    const struct snmpc__descr_set *set;
    char out[32];
    static const char good[] =
        "vendor 11 HP\n"
        "sysdescr 11 serial [,;] *SN:([^,;]+)   # a comment, with a # inside\n"
        "sysdescr 0  model  ^Acme ([^ ]+)#not a comment\n"
        "sysdescr 11 model  ,PID:([^,;]*)\n";
    (void)state;
    check_bad(bad, NELEM(bad), true);

    assert_int_equal(snmpc_catalogue_parse(good, strlen(good), "t.cat", &c, &eb), 0);
    set = snmpc__catalogue_descr(c);
    assert_int_equal(set->n, 3);
    /* The enterprise's own pattern, case-insensitively, capture trimmed. */
    assert_true(snmpc__descr_match(set, true, 11, SNMPC_ROLE_SERIAL,
                                   "HP ETHERNET MULTI-ENVIRONMENT,sn: CNB1234567 ,FN:X", out,
                                   sizeof out));
    assert_string_equal(out, "CNB1234567");
    /* Not for another enterprise, and not without one. */
    assert_false(
        snmpc__descr_match(set, true, 12, SNMPC_ROLE_SERIAL, "x,SN:CNB1234567", out, sizeof out));
    assert_false(
        snmpc__descr_match(set, false, 0, SNMPC_ROLE_SERIAL, "x,SN:CNB1234567", out, sizeof out));
    /* Enterprise 0 is for any device, after the device's own: an empty capture does not count. */
    assert_true(snmpc__descr_match(set, true, 11, SNMPC_ROLE_MODEL,
                                   "Acme P-1#not a comment,PID:", out, sizeof out));
    assert_string_equal(out, "P-1");
    assert_true(snmpc__descr_match(set, false, 0, SNMPC_ROLE_MODEL, "acme Z9#NOT A COMMENT", out,
                                   sizeof out));
    assert_string_equal(out, "Z9");
    /* Cut to the buffer. */
    assert_true(snmpc__descr_match(set, true, 11, SNMPC_ROLE_SERIAL, "a,SN:ABCDEFGHIJ", out, 5));
    assert_string_equal(out, "ABCD");
    assert_false(snmpc__descr_match(set, true, 11, SNMPC_ROLE_FIRMWARE, "a,SN:X", out, sizeof out));
    assert_false(snmpc__descr_match(NULL, true, 11, SNMPC_ROLE_SERIAL, "a,SN:X", out, sizeof out));
    snmpc_catalogue_free(c);
}

/* A catalogue lives while any holder has a reference: each snmpc_catalogue_free() drops one,
 * and only the last frees it (under ASan a use of a freed catalogue would abort here). */
static void test_refcount(void **state)
{
    struct snmpc_catalogue *c =
        parse_ok("vendor 11 HP\noid 11 total 1.3.6.1.4.1.11.1 role=total\n");
    const struct snmpc_catalogue *held, *again;
    size_t n = 0;
    (void)state;
    assert_int_equal(snmpc__catalogue_refs(c), 1);
    held = snmpc_catalogue_ref(c);
    assert_ptr_equal(held, c);
    again = snmpc_catalogue_ref(held);
    assert_ptr_equal(again, c);
    assert_int_equal(snmpc__catalogue_refs(c), 3);
    /* The loader's reference goes first, as a reload does: the holders still read it. */
    snmpc_catalogue_free(c);
    assert_int_equal(snmpc__catalogue_refs(held), 2);
    assert_non_null(snmpc_catalogue_vendor(held, 11, &n));
    assert_int_equal(n, 1);
    assert_string_equal(snmpc_vendor_name(held, 11), "HP");
    snmpc_catalogue_free(again);
    assert_int_equal(snmpc__catalogue_refs(held), 1);
    assert_non_null(snmpc_catalogue_vendor(held, 11, &n));
    assert_int_equal(n, 1);
    snmpc_catalogue_free(held);
    /* NULL takes and drops nothing. */
    assert_null(snmpc_catalogue_ref(NULL));
    assert_int_equal(snmpc__catalogue_refs(NULL), 0);
    snmpc_catalogue_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_empty),
        cmocka_unit_test(test_refcount),
        cmocka_unit_test(test_grouping),
        cmocka_unit_test(test_parse_bad_table),
        cmocka_unit_test(test_parse_limits),
        cmocka_unit_test(test_vendor_names),
        cmocka_unit_test(test_shipped_catalogue),
        cmocka_unit_test(test_sysdescr_statement),
        cmocka_unit_test(test_table_good),
        cmocka_unit_test(test_table_bad),
        cmocka_unit_test(test_table_limits),
        cmocka_unit_test(test_row_total),
        cmocka_unit_test(test_supplies_statement),
        cmocka_unit_test(test_leading_number),
        cmocka_unit_test(test_enterprise_from_text),
        cmocka_unit_test(test_slug),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
