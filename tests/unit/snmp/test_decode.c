/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Unit tests for snmp/decode.c.
 *
 * The pure helpers (supply states, error-state bits, type names, text sanitizing) are tested
 * with {input, expected} tables that cover every branch. The decoder itself is tested with
 * small hand-written walks (snmprec text) that isolate one rule each, and then against every
 * recorded walk in $FLEETGW_SHARED/testdata/snmprec, compared with the values a careful parser
 * found in it (NAME.expected.json). Where we disagree with that file on purpose, the case is
 * listed in fixture_exceptions[] with the reason, the value the fixture has and the value we
 * must produce; an exception that no longer matches anything fails the test, so the table
 * cannot go stale.
 */
#include "config.h"

#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "snmp/snmpc_int.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------------------------------------
 * Helpers
 */

static void load(struct snmpc_vbset *s, const char *text)
{
    struct gw_errbuf eb = {{0}};
    int rc;
    snmpc_vbset_init(s);
    rc = snmpc_vbset_parse_snmprec(s, text, strlen(text), "t", &eb);
    if (rc != 0)
        fail_msg("bad test walk: %s", eb.msg);
}

/* A small catalogue for the synthetic walks: enterprise 1347 with two billing totals, all
 * identity roles, and a counter. */
static const char test_catalogue[] =
    "vendor 1347 Kyocera\n"
    "oid 1347 total 1.3.6.1.4.1.1347.43.10.1.1.12.1.1 role=total priority=10\n"
    "oid 1347 total_b 1.3.6.1.4.1.1347.99.1.0 role=total priority=20\n"
    "oid 1347 print_total 1.3.6.1.4.1.1347.42.3.1.1.1.1.1\n"
    "oid 1347 model_devid 1.3.6.1.4.1.1347.99.2.0 role=model priority=50\n"
    "oid 1347 model 1.3.6.1.4.1.1347.43.5.1.1.1.1 role=model priority=10\n"
    "oid 1347 serial 1.3.6.1.4.1.1347.43.5.1.1.28.1 role=serial\n"
    "oid 1347 firmware 1.3.6.1.4.1.1347.43.5.4.1.5.1.1 role=firmware\n"
    "vendor 9999 Testco\n"
    "vendor 11 HP\n"
    "oid 11 model 1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.2.0 role=model\n"
    "oid 11 serial 1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.3.0 role=serial\n"
    "oid 11 firmware 1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.5.0 role=firmware\n";

static struct snmpc_catalogue *test_cat(void)
{
    struct snmpc_catalogue *c = NULL;
    struct gw_errbuf eb;
    if (snmpc_catalogue_parse(test_catalogue, strlen(test_catalogue), "test", &c, &eb) != 0)
        fail_msg("%s", eb.msg);
    return c;
}

/* Decodes text with the test catalogue into m (caller cleans up m). */
static void decode_text(const char *text, struct gw_model *m)
{
    struct snmpc_vbset s;
    struct snmpc_catalogue *c = test_cat();
    load(&s, text);
    gw_model_init(m);
    snmpc_model_decode(&s, c, m);
    snmpc_vbset_cleanup(&s);
    snmpc_catalogue_free(c);
}

#define KYO_OBJID "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.1347.41.2.1\n"

/* ---------------------------------------------------------------------------------------------
 * Pure helpers
 */

/* The model carries its maker once, in front (gw_model_identity_normalize()): tables below
 * name the product alone ("MFC-L2710DW") and this adds the decoded vendor ("Brother
 * MFC-L2710DW"). */
static bool model_is(const struct gw_model *m, const char *product)
{
    char want[sizeof m->model];
    if (!m->vendor[0] || !product[0])
        return strcmp(m->model, product) == 0;
    snprintf(want, sizeof want, "%s %s", m->vendor, product);
    return strcmp(m->model, want) == 0;
}

static void test_supply_state_table(void **state)
{
    static const struct {
        long level, max;
        enum gw_supply_state st;
        int pct;
    } cases[] = {
        /* Printer-MIB special levels are states, whatever the capacity. */
        {-1, 100, GW_SUPPLY_OTHER, -1},
        {-2, 100, GW_SUPPLY_UNKNOWN, -1},
        {-3, 100, GW_SUPPLY_SOME_REMAINING, -1}, /* not 50 */
        {-3, -2, GW_SUPPLY_SOME_REMAINING, -1},
        {-4, 100, GW_SUPPLY_IMPLAUSIBLE, -1},
        {LONG_MIN, 100, GW_SUPPLY_IMPLAUSIBLE, -1},
        /* Unknown or undefined capacity: no percentage, but 0 is still empty. */
        {50, -2, GW_SUPPLY_UNKNOWN, -1},
        {50, -1, GW_SUPPLY_UNKNOWN, -1},
        {50, 0, GW_SUPPLY_UNKNOWN, -1},
        {50, -7, GW_SUPPLY_UNKNOWN, -1},
        {0, -2, GW_SUPPLY_EMPTY, -1},
        /* Above capacity. */
        {101, 100, GW_SUPPLY_IMPLAUSIBLE, -1},
        {LONG_MAX, 1, GW_SUPPLY_IMPLAUSIBLE, -1},
        /* Percentages: rounded to nearest, never 0 while something is left; low at <= 10%
         * of capacity by the exact ratio. */
        {0, 100, GW_SUPPLY_EMPTY, 0},
        {0, 1, GW_SUPPLY_EMPTY, 0},
        {1, 1000, GW_SUPPLY_LOW, 1}, /* 0.1% shows as 1%, not 0% */
        {10, 100, GW_SUPPLY_LOW, 10},
        {11, 100, GW_SUPPLY_OK, 11},
        {55, 550, GW_SUPPLY_LOW, 10},     /* exactly 10% */
        {56, 550, GW_SUPPLY_OK, 10},      /* 10.18%: shows 10, is not low */
        {1005, 10000, GW_SUPPLY_OK, 10},  /* 10.05% */
        {67066, 90000, GW_SUPPLY_OK, 75}, /* 74.52 rounds up */
        {22050, 45000, GW_SUPPLY_OK, 49},
        {1, 3, GW_SUPPLY_OK, 33},
        {2, 3, GW_SUPPLY_OK, 67},
        {100, 100, GW_SUPPLY_OK, 100},
        {1, 1, GW_SUPPLY_OK, 100},
        {LONG_MAX, LONG_MAX, GW_SUPPLY_OK, 100}, /* no overflow in level * 100 */
        {LONG_MAX / 2, LONG_MAX, GW_SUPPLY_OK, 50},
        {LONG_MAX / 20, LONG_MAX, GW_SUPPLY_LOW, 5},
    };
    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        int pct = 12345;
        enum gw_supply_state st = snmpc_supply_state(cases[i].level, cases[i].max, &pct);
        if (st != cases[i].st || pct != cases[i].pct)
            fail_msg("case %zu (%ld/%ld): state %s pct %d, want %s %d", i, cases[i].level,
                     cases[i].max, gw_supply_state_name(st), pct, gw_supply_state_name(cases[i].st),
                     cases[i].pct);
    }
    /* percent may be NULL. */
    assert_int_equal(snmpc_supply_state(5, 100, NULL), GW_SUPPLY_LOW);
}

static void test_error_state_table(void **state)
{
    static const struct {
        unsigned char in[3];
        size_t len;
        uint32_t want;
        const char *name; /* gw_condition_name of the single bit, if one */
    } cases[] = {
        {{0}, 0, 0, NULL},
        {{0x00, 0x00}, 2, 0, NULL},
        {{0x80}, 1, GW_COND_LOW_PAPER, "low_paper"},
        {{0x40}, 1, GW_COND_NO_PAPER, "no_paper"},
        {{0x20}, 1, GW_COND_LOW_TONER, "low_toner"},
        {{0x10}, 1, GW_COND_NO_TONER, "no_toner"},
        {{0x08}, 1, GW_COND_DOOR_OPEN, "door_open"},
        {{0x04}, 1, GW_COND_JAMMED, "jammed"},
        {{0x02}, 1, GW_COND_OFFLINE, "offline"},
        {{0x01}, 1, GW_COND_SERVICE_REQUESTED, "service_requested"},
        {{0x00, 0x80}, 2, GW_COND_INPUT_TRAY_MISSING, "input_tray_missing"},
        {{0x00, 0x40}, 2, GW_COND_OUTPUT_TRAY_MISSING, "output_tray_missing"},
        {{0x00, 0x20}, 2, GW_COND_MARKER_SUPPLY_MISSING, "marker_supply_missing"},
        {{0x00, 0x10}, 2, GW_COND_OUTPUT_NEAR_FULL, "output_near_full"},
        {{0x00, 0x08}, 2, GW_COND_OUTPUT_FULL, "output_full"},
        {{0x00, 0x04}, 2, GW_COND_INPUT_TRAY_EMPTY, "input_tray_empty"},
        {{0x00, 0x02}, 2, GW_COND_OVERDUE_PREVENT_MAINT, "overdue_preventive_maintenance"},
        {{0x00, 0x01}, 2, 0, NULL}, /* bit 15 is not defined */
        {{0xff, 0xff}, 2, 0x7fff, NULL},
        {{0x81, 0x42},
         2,
         GW_COND_LOW_PAPER | GW_COND_SERVICE_REQUESTED | GW_COND_OUTPUT_TRAY_MISSING |
             GW_COND_OVERDUE_PREVENT_MAINT,
         NULL},
        {{0x00, 0x00, 0xff}, 3, 0, NULL}, /* octets past the second are ignored */
        {{0x80, 0x00, 0xff}, 3, GW_COND_LOW_PAPER, NULL},
    };
    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        uint32_t got = snmpc_error_state_decode(cases[i].in, cases[i].len);
        if (got != cases[i].want)
            fail_msg("case %zu: got 0x%x want 0x%x", i, got, cases[i].want);
        if (cases[i].name)
            assert_string_equal(gw_condition_name(got), cases[i].name);
    }
    assert_int_equal(snmpc_error_state_decode(NULL, 0), 0);
}

static void test_supply_type_names(void **state)
{
    static const char *const names[] = {
        "other",
        "unknown",
        "toner",
        "wasteToner",
        "ink",
        "inkCartridge",
        "inkRibbon",
        "wasteInk",
        "opc",
        "developer",
        "fuserOil",
        "solidWax",
        "ribbonWax",
        "wasteWax",
        "fuser",
        "coronaWire",
        "fuserOilWick",
        "cleanerUnit",
        "fuserCleaningPad",
        "transferUnit",
        "tonerCartridge",
        "fuserOiler",
        "water",
        "wasteWater",
        "glueWaterAdditive",
        "wastePaper",
        "bindingSupply",
        "bandingSupply",
        "stitchingWire",
        "shrinkWrap",
        "paperWrap",
        "staples",
        "inserts",
        "covers",
    };
    (void)state;
    assert_int_equal(NELEM(names), 34);
    for (long t = 1; t <= 34; t++)
        assert_string_equal(snmpc__supply_type_name(t), names[t - 1]);
    assert_string_equal(snmpc__supply_type_name(0), "other");
    assert_string_equal(snmpc__supply_type_name(35), "other");
    assert_string_equal(snmpc__supply_type_name(-1), "other");
    assert_string_equal(snmpc__supply_type_name(LONG_MAX), "other");
}

/* The other names of snmp/prtnames.c: codes back from names, and the prtInputTable
 * conventions at their edges (RFC 3805, IANA-PRINTER-MIB). */
static void test_prt_names(void **state)
{
    (void)state;
    for (long t = 1; t <= 34; t++)
        assert_int_equal(snmpc__supply_type_code(snmpc__supply_type_name(t)), t);
    assert_int_equal(snmpc__supply_type_code("toner"), 3);
    assert_int_equal(snmpc__supply_type_code("Toner"), 0);
    assert_int_equal(snmpc__supply_type_code(""), 0);
    assert_int_equal(snmpc__supply_type_code(NULL), 0);
    assert_string_equal(snmpc__input_type_name(1), "other");
    assert_string_equal(snmpc__input_type_name(5), "sheetFeedManual");
    assert_string_equal(snmpc__input_type_name(7), "continuousFanFold");
    assert_string_equal(snmpc__input_type_name(8), "other");
    assert_string_equal(snmpc__input_type_name(0), "other");
    assert_string_equal(snmpc__input_type_name(LONG_MIN), "other");
    assert_string_equal(snmpc__media_unit_name(3), "tenThousandthsOfInches");
    assert_string_equal(snmpc__media_unit_name(4), "micrometers");
    assert_string_equal(snmpc__media_unit_name(8), "other");
    assert_string_equal(snmpc__capacity_unit_name(2), "unknown");
    assert_string_equal(snmpc__capacity_unit_name(8), "sheets");
    assert_string_equal(snmpc__capacity_unit_name(19), "percent");
    assert_string_equal(snmpc__capacity_unit_name(5), "other");
    assert_string_equal(snmpc__capacity_unit_name(-1), "other");
}

static void test_text_decode_table(void **state)
{
    enum { E = SNMPC_TEXT_EMPTY, T = SNMPC_TEXT, B = SNMPC_TEXT_BINARY };
    static const struct {
        const char *in;
        size_t len;
        size_t outlen;
        int kind;
        const char *want;
    } cases[] = {
        {"Black Toner", 11, 128, T, "Black Toner"},
        {"abc\0\0\0", 6, 128, T, "abc"},                   /* NUL padding */
        {"abc\0 \0\0  ", 10, 128, T, "abc"},               /* NULs and blanks as padding */
        {"  abc \r\n", 8, 128, T, "abc"},                  /* blanks around */
        {"Line 1\r\nLine 2", 14, 128, T, "Line 1 Line 2"}, /* CR/LF inside: one blank */
        {"a\tb", 3, 128, T, "a b"},
        {"Caf\xc3\xa9", 5, 128, T, "Caf\xc3\xa9"}, /* valid UTF-8 kept */
        {"\xe2\x82\xac 5", 5, 128, T, "\xe2\x82\xac 5"},
        {"\xf0\x9f\x96\xa8", 4, 128, T, "\xf0\x9f\x96\xa8"}, /* 4-byte sequence */
        {"Caf\xe9", 4, 128, T, "Caf\xc3\xa9"},               /* Latin-1 */
        {"Gr\xfc\xdf"
         "e\0\0",
         7, 128, T,
         "Gr\xc3\xbc\xc3\x9f"
         "e"},                                              /* Latin-1, NUL padded */
        {"\xc0\xaf", 2, 128, T, "\xc3\x80\xc2\xaf"},        /* overlong: Latin-1 */
        {"\xed\xa0\x80x", 4, 128, T, "\xc3\xad\xc2\xa0 x"}, /* surrogate: Latin-1, C1 a blank */
        {"a\xc2\x85"
         "b",
         4, 128, T, "a b"}, /* U+0085 (NEL) is a line break */
        /* HP PML: symbol set 0x0115 (Roman-8) before the text */
        {"\x01\x15"
         "HP LaserJet MFP M130nw",
         24, 128, T, "HP LaserJet MFP M130nw"},
        {"\x00\x0e"
         "ISO text",
         10, 128, T, "ISO text"},
        {"\x01\x15"
         "20201023",
         10, 128, T, "20201023"},
        /* A partial Hex-STRING print from a recorded walk: 16 bytes, LF, "HH " pairs. */
        {"\x01\x15"
         "HP LaserJet MF\n50 20 4D 31 33 30 6E 77 ",
         41, 128, T, "HP LaserJet MFP M130nw"},
        /* the same shape with binary behind it stays binary */
        {"\x01\x15"
         "Toshiba\xf0\x02\x11\x9c\x6c\x0c\xf5\nEF A0 ",
         23, 128, B, "01 15 54 6F 73 68 69 62 61 F0 02 11 9C 6C 0C F5 EF A0"},
        /* not that shape: a line that is not all pairs is text */
        {"0123456789abcdef\n12 34 zz", 25, 128, T, "0123456789abcdef 12 34 zz"},
        /* binary: a control character inside */
        {"a\0b", 3, 128, B, "61 00 62"},
        {"a\x01\x1f\x7f"
         "b",
         5, 128, B, "61 01 1F 7F 62"},
        {"\x00\x00\x00\x10", 4, 128, B, "00 00 00 10"},
        {"\x00\x00\x00\x10", 4, 9, B, "00 00 00"},     /* whole pairs only */
        {"\xe9\xe9\xe9", 3, 5, T, "\xc3\xa9\xc3\xa9"}, /* truncation on a character boundary */
        {"abcdef", 6, 4, T, "abc"},
        {"abc", 3, 1, T, ""},
        {"\0\0\0", 3, 16, E, ""},
        {"\x01\x15", 2, 16, B, "01 15"},
        {"\x01\x15 ", 3, 16, B, "01 15"}, /* a prefix needs text behind it */
        {" \r\n", 3, 16, E, ""},
        {"", 0, 16, E, ""},
    };
    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        char out[128];
        size_t n = 99;
        int kind;
        memset(out, 'X', sizeof out);
        kind = snmpc__text_decode((const unsigned char *)cases[i].in, cases[i].len, out,
                                  cases[i].outlen, &n);
        if (cases[i].outlen == 1 && strcmp(out, "") == 0 && n == 0)
            continue; /* no room: nothing, whatever the kind */
        if (strcmp(out, cases[i].want) != 0 || n != strlen(cases[i].want) || kind != cases[i].kind)
            fail_msg("case %zu: got '%s' (%zu) kind %d", i, out, n, kind);
    }
    assert_int_equal(snmpc__text_decode((const unsigned char *)"x", 1, NULL, 0, NULL),
                     SNMPC_TEXT_EMPTY);
}

/* ---------------------------------------------------------------------------------------------
 * Identity
 */

static void test_identity_sources(void **state)
{
    static const char walk[] =
        "1.3.6.1.2.1.1.1.0|4x|4b594f43455241205441534b616c666120333532636900000000\n" KYO_OBJID
        "1.3.6.1.2.1.1.3.0|67|4294967295\n"
        "1.3.6.1.2.1.1.4.0|4|Ren\xe9 (IT)\n"
        "1.3.6.1.2.1.1.5.0|4|<private>\n"
        "1.3.6.1.2.1.1.6.0|4|Floor 3\n"
        /* interfaces: loopback first, then a zero MAC, a multicast one, then the real one */
        "1.3.6.1.2.1.2.2.1.3.1|2|24\n"
        "1.3.6.1.2.1.2.2.1.3.2|2|6\n"
        "1.3.6.1.2.1.2.2.1.3.3|2|6\n"
        "1.3.6.1.2.1.2.2.1.3.4|2|6\n"
        "1.3.6.1.2.1.2.2.1.6.1|4x|0a0000000001\n"
        "1.3.6.1.2.1.2.2.1.6.2|4x|000000000000\n"
        "1.3.6.1.2.1.2.2.1.6.3|4x|01005e000001\n"
        "1.3.6.1.2.1.2.2.1.6.4|4x|0017c8AABBCC\n"
        /* serial: prtGeneralSerialNumber is a placeholder, so the catalogue serial wins */
        "1.3.6.1.2.1.43.5.1.1.17.1|4|000000\n"
        "1.3.6.1.4.1.1347.43.5.1.1.28.1|4| vcf1234567 \n"
        /* model: priority 10 entry is empty, so the priority 50 device ID is used */
        "1.3.6.1.4.1.1347.43.5.1.1.1.1|4|\n"
        "1.3.6.1.4.1.1347.99.2.0|4|MFG:Kyocera;CMD:PJL;MDL:TASKalfa 352ci;CLS:PRINTER;\n"
        "1.3.6.1.4.1.1347.43.5.4.1.5.1.1|4|Firmware Ver.2S0_2000.004.203\n";
    struct gw_model m;
    (void)state;
    decode_text(walk, &m);
    assert_string_equal(m.sys_descr, "KYOCERA TASKalfa 352ci");
    assert_string_equal(m.sys_object_id, "1.3.6.1.4.1.1347.41.2.1");
    assert_int_equal(m.uptime_ticks, 4294967295u);
    assert_string_equal(m.sys_contact, "Ren\xc3\xa9 (IT)");
    assert_string_equal(m.sys_name, "<private>");
    assert_string_equal(m.sys_location, "Floor 3");
    assert_string_equal(m.vendor, "Kyocera");
    assert_string_equal(m.model, "Kyocera TASKalfa 352ci");
    assert_string_equal(m.serial, "VCF1234567");
    assert_string_equal(m.mac, "00:17:c8:aa:bb:cc");
    assert_string_equal(m.firmware, "2S0_2000.004.203");
    assert_true(m.is_printer);
    gw_model_cleanup(&m);
}

static void test_model_sources_table(void **state)
{
    static const struct {
        const char *walk;
        const char *model;
        const char *vendor;
    } cases[] = {
        /* hrDeviceDescr of the device typed hrDevicePrinter, not of index 1; " series" off */
        {"1.3.6.1.2.1.1.1.0|4|Brother NC-8300h, Firmware Ver.1.14\n"
         "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2435.2.3.9.1\n"
         "1.3.6.1.2.1.25.3.2.1.2.1|6|1.3.6.1.2.1.25.3.1.4\n"
         "1.3.6.1.2.1.25.3.2.1.2.2|6|1.3.6.1.2.1.25.3.1.5\n"
         "1.3.6.1.2.1.25.3.2.1.3.1|4|Ethernet Port\n"
         "1.3.6.1.2.1.25.3.2.1.3.2|4|Brother MFC-L2710DW series\n",
         "MFC-L2710DW", "Brother"},
        /* HP JetDirect: no printer device, PID field of sysDescr */
        {"1.3.6.1.2.1.1.1.0|4|HP ETHERNET MULTI-ENVIRONMENT,SN:CNB8F5R0QT,FN:1Q23N94,"
         "PID:HP LaserJet MFP M426fdw\n"
         "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.11.2.3.9.1\n",
         "LaserJet MFP M426fdw", "HP"},
        /* sysDescr up to ';' with a " version" tail cut */
        {"1.3.6.1.2.1.1.1.0|4|Samsung M4080FX; V11.01.03.04;Engine V1.00.06\n", "M4080FX",
         "Samsung"},
        {"1.3.6.1.2.1.1.1.0|4|Dell S5830dn version NH62.YS.N636 kernel 3.0.0\n", "S5830dn", "Dell"},
        /* a print server's sysDescr is not a model: fall back to hrDeviceDescr.1 */
        {"1.3.6.1.2.1.1.1.0|4|RICOH NETWORK PRINTER C model\n"
         "1.3.6.1.2.1.25.3.2.1.3.1|4|RICOH MP C3003\n",
         "MP C3003", "Ricoh"},
        /* unknown enterprise, no vendor word: nothing invented */
        {"1.3.6.1.2.1.1.1.0|4|Linux box 5.10, x86_64\n"
         "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10\n",
         "Linux box 5.10", ""},
        {"1.3.6.1.2.1.1.1.0|4|<private>\n", "", ""},
        {"", "", ""},
    };
    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct gw_model m;
        decode_text(cases[i].walk, &m);
        if (!model_is(&m, cases[i].model) || strcmp(m.vendor, cases[i].vendor) != 0)
            fail_msg("case %zu: model '%s' vendor '%s'", i, m.model, m.vendor);
        gw_model_cleanup(&m);
    }
}

/* A model cut from a long sysDescr ends on a character boundary (found by fuzz_decode: the
 * JSON lost its "model" key when the cut split a two-byte character). */
static void test_model_cut_utf8(void **state)
{
    char walk[512];
    char want[128];
    struct gw_model m;
    json_t *j;
    (void)state;
    memset(want, 'a', 126);
    want[126] = '\0';
    snprintf(walk, sizeof walk,
             "1.3.6.1.2.1.1.1.0|4|%s\xc3\xa9"
             "b\n",
             want);
    decode_text(walk, &m);
    assert_string_equal(m.model, want);
    j = gw_model_to_json(&m);
    assert_string_equal(json_string_value(json_object_get(j, "model")), want);
    json_decref(j);
    gw_model_cleanup(&m);
}

/* An HP LaserJet MFP M130nw showed its model as "HP LaserJet MF 50 20 4D 31 33 30 6E 77": its
 * PML model-name object starts with the symbol-set pair 01 15, so the value was printed as a
 * Hex-STRING, and the recorded walk kept that print's second line as text. Both the bytes the
 * device sends and that recorded form must give the model; a PML value that is really binary
 * must not become one. */
static void test_model_hp_pml_text(void **state)
{
#define HP_HEAD "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.11.2.3.9.1\n"
#define HP_PML  "1.3.6.1.4.1.11.2.3.9.4.2.1.1.3."
    static const struct {
        const char *walk;
        const char *model, *serial, *firmware;
    } cases[] = {
        {HP_HEAD HP_PML "2.0|4x|01154850204C617365724A6574204D4650204D3133306E77\n" HP_PML
                        "3.0|4x|0115564E4352433438313938\n" HP_PML "5.0|4x|01153230323031303233\n",
         "LaserJet MFP M130nw", "VNCRC48198", "20201023"},
        {HP_HEAD HP_PML "2.0|4x|01154850204C617365724A6574204D460a3530203230203444203331203333"
                        "20333020364520373720\n",
         "LaserJet MFP M130nw", "", ""},
        /* binary: not a model, so hrDeviceDescr is used */
        {HP_HEAD HP_PML "2.0|4x|0115546F7368696261F002119C6C0CF50a454620413020\n"
                        "1.3.6.1.2.1.25.3.2.1.3.1|4|HP LaserJet MFP M130nw\n",
         "LaserJet MFP M130nw", "", ""},
    };
    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct gw_model m;
        decode_text(cases[i].walk, &m);
        if (!model_is(&m, cases[i].model) || strcmp(m.serial, cases[i].serial) != 0 ||
            strcmp(m.firmware, cases[i].firmware) != 0)
            fail_msg("case %zu: model '%s' serial '%s' firmware '%s'", i, m.model, m.serial,
                     m.firmware);
        gw_model_cleanup(&m);
    }
#undef HP_HEAD
#undef HP_PML
}

static void test_serial_and_firmware_table(void **state)
{
    static const struct {
        const char *walk;
        const char *serial;
        const char *firmware;
    } cases[] = {
        /* prtGeneralSerialNumber first, NUL-padded */
        {KYO_OBJID "1.3.6.1.2.1.43.5.1.1.17.1|4x|41423132330000\n"
                   "1.3.6.1.4.1.1347.43.5.1.1.28.1|4|OTHER\n",
         "AB123", ""},
        /* "<private>" and binary serials are skipped */
        {KYO_OBJID "1.3.6.1.2.1.43.5.1.1.17.1|4|<private>\n"
                   "1.3.6.1.4.1.1347.43.5.1.1.28.1|4x|41420142\n",
         "", ""},
        /* an HP PML symbol-set prefix (0x0115, Roman-8) is not part of the serial */
        {KYO_OBJID "1.3.6.1.2.1.43.5.1.1.17.1|4|<private>\n"
                   "1.3.6.1.4.1.1347.43.5.1.1.28.1|4x|0115564E4352433438313938\n",
         "VNCRC48198", ""},
        /* HP sysDescr SN: field as the last resort */
        {"1.3.6.1.2.1.1.1.0|4|HP ETHERNET MULTI-ENVIRONMENT,SN:cnb8f5r0qt,FN:1Q23N94\n",
         "CNB8F5R0QT", ""},
        {"1.3.6.1.2.1.1.1.0|4|Samsung M4080FX; V11.01.03.04_02-27-2017;S/N \n", "",
         "V11.01.03.04_02-27-2017"},
        {"1.3.6.1.2.1.1.1.0|4|Brother NC-8300h, Firmware Ver.1.14  (14.11.06),MID 8C5\n", "",
         "1.14"},
        {KYO_OBJID "1.3.6.1.4.1.1347.43.5.4.1.5.1.1|4|Version: 3.2\n", "", "3.2"},
        {KYO_OBJID "1.3.6.1.4.1.1347.43.5.4.1.5.1.1|2|5\n", "", ""}, /* wrong type */
    };
    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct gw_model m;
        decode_text(cases[i].walk, &m);
        if (strcmp(m.serial, cases[i].serial) != 0 || strcmp(m.firmware, cases[i].firmware) != 0)
            fail_msg("case %zu: serial '%s' firmware '%s'", i, m.serial, m.firmware);
        gw_model_cleanup(&m);
    }
}

static void test_mac_text_form(void **state)
{
    struct gw_model m;
    (void)state;
    decode_text("1.3.6.1.2.1.2.2.1.6.1|4|\n"
                "1.3.6.1.2.1.2.2.1.6.2|4|00-11-22-AA-BB-CC\n",
                &m);
    assert_string_equal(m.mac, "00:11:22:aa:bb:cc");
    gw_model_cleanup(&m);
    decode_text("1.3.6.1.2.1.2.2.1.6.1|4x|ffffffffffff\n"
                "1.3.6.1.2.1.2.2.1.6.2|4x|0011223344\n",
                &m);
    assert_string_equal(m.mac, "");
    gw_model_cleanup(&m);
}

static void test_is_printer(void **state)
{
    struct gw_model m;
    (void)state;
    decode_text("1.3.6.1.2.1.1.1.0|4|router\n1.3.6.1.2.1.2.2.1.6.1|4x|001122334455\n", &m);
    assert_false(m.is_printer);
    gw_model_cleanup(&m);
    decode_text("1.3.6.1.2.1.43.5.1.1.17.1|4|X1\n", &m);
    assert_true(m.is_printer);
    gw_model_cleanup(&m);
    decode_text("1.3.6.1.2.1.25.3.2.1.2.4|6|1.3.6.1.2.1.25.3.1.5\n", &m);
    assert_true(m.is_printer);
    gw_model_cleanup(&m);
}

/* ---------------------------------------------------------------------------------------------
 * Counters and the billing total
 */

static void test_billing_rule_table(void **state)
{
    static const struct {
        const char *walk;
        bool has;
        uint64_t total;
        const char *source;
        const char *disagreement; /* NULL: no flag */
    } cases[] = {
        /* 1: lowest priority value among present totals wins */
        {KYO_OBJID "1.3.6.1.2.1.43.10.2.1.4.1.1|65|10050\n"
                   "1.3.6.1.4.1.1347.43.10.1.1.12.1.1|65|10000\n"
                   "1.3.6.1.4.1.1347.99.1.0|65|99\n",
         true, 10000, "total", NULL},
        /* the better total is missing: the next one */
        {KYO_OBJID "1.3.6.1.2.1.43.10.2.1.4.1.1|65|100\n"
                   "1.3.6.1.4.1.1347.99.1.0|65|99\n",
         true, 99, "total_b", NULL},
        /* no vendor total: prtMarkerLifeCount of marker 1 (not the sum) */
        {KYO_OBJID "1.3.6.1.2.1.43.10.2.1.4.1.1|65|5000\n"
                   "1.3.6.1.2.1.43.10.2.1.4.1.2|65|7000\n",
         true, 5000, "marker_life.1", NULL},
        /* marker 1 absent: the lowest marker of hrDeviceIndex 1 */
        {"1.3.6.1.2.1.43.10.2.1.4.1.3|65|700\n1.3.6.1.2.1.43.10.2.1.4.2.1|65|9\n", true, 700,
         "marker_life.3", NULL},
        /* 4% apart: tolerated */
        {KYO_OBJID "1.3.6.1.2.1.43.10.2.1.4.1.1|65|9600\n"
                   "1.3.6.1.4.1.1347.43.10.1.1.12.1.1|65|10000\n",
         true, 10000, "total", NULL},
        /* 10% apart: flagged */
        {KYO_OBJID "1.3.6.1.2.1.43.10.2.1.4.1.1|65|9000\n"
                   "1.3.6.1.4.1.1347.43.10.1.1.12.1.1|65|10000\n",
         true, 10000, "total", "total=10000 but prtMarkerLifeCount.1=9000 (differ by 1000)"},
        /* 50% apart but only 60 pages: tolerated (new device) */
        {KYO_OBJID "1.3.6.1.2.1.43.10.2.1.4.1.1|65|60\n"
                   "1.3.6.1.4.1.1347.43.10.1.1.12.1.1|65|120\n",
         true, 120, "total", NULL},
        {KYO_OBJID "1.3.6.1.2.1.43.10.2.1.4.1.1|65|20\n"
                   "1.3.6.1.4.1.1347.43.10.1.1.12.1.1|65|150\n",
         true, 150, "total", "total=150 but prtMarkerLifeCount.1=20 (differ by 130)"},
        /* absurd vendor total (> 10^10) is dropped, life count used */
        {KYO_OBJID "1.3.6.1.2.1.43.10.2.1.4.1.1|65|4242\n"
                   "1.3.6.1.4.1.1347.43.10.1.1.12.1.1|70|20000000000\n",
         true, 4242, "marker_life.1", NULL},
        /* negative and wrong-typed values are dropped; a digit string is a number */
        {KYO_OBJID "1.3.6.1.2.1.43.10.2.1.4.1.1|2|-5\n"
                   "1.3.6.1.4.1.1347.43.10.1.1.12.1.1|4|abc\n"
                   "1.3.6.1.4.1.1347.99.1.0|4| 12345\n",
         true, 12345, "total_b", NULL},
        {KYO_OBJID "1.3.6.1.2.1.43.10.2.1.4.1.1|6|1.3.6\n", false, 0, "", NULL},
        {KYO_OBJID "1.3.6.1.2.1.43.10.2.1.4.1.1|70|18446744073709551615\n", false, 0, "", NULL},
        {KYO_OBJID "1.3.6.1.2.1.43.10.2.1.4.1.1|70|10000000000\n", true, 10000000000ull,
         "marker_life.1", NULL},
        {"", false, 0, "", NULL},
    };
    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct gw_model m;
        decode_text(cases[i].walk, &m);
        if (m.has_page_count != cases[i].has || m.page_count_total != cases[i].total ||
            strcmp(m.page_count_source, cases[i].source) != 0)
            fail_msg("case %zu: has %d total %llu source '%s'", i, m.has_page_count,
                     (unsigned long long)m.page_count_total, m.page_count_source);
        if (cases[i].disagreement) {
            assert_true(m.counter_disagreement);
            assert_string_equal(m.disagreement, cases[i].disagreement);
        } else if (m.counter_disagreement) {
            fail_msg("case %zu: unexpected disagreement '%s'", i, m.disagreement);
        }
        gw_model_cleanup(&m);
    }
}

static void test_counter_list(void **state)
{
    struct gw_model m;
    const struct gw_counter *k;
    (void)state;
    decode_text(KYO_OBJID "1.3.6.1.2.1.43.10.2.1.4.1.1|65|100\n"
                          "1.3.6.1.2.1.43.10.2.1.4.2.7|65|3\n"
                          "1.3.6.1.2.1.43.10.2.1.4.1|65|1\n" /* malformed: no marker */
                          "1.3.6.1.4.1.1347.42.3.1.1.1.1.1|65|42\n"
                          "1.3.6.1.4.1.1347.43.5.1.1.28.1|4|SERIAL1\n", /* not a counter */
                &m);
    assert_int_equal(m.n_counters, 3);
    k = gw_model_counter(&m, "marker_life.1");
    assert_non_null(k);
    assert_int_equal(k->value, 100);
    assert_string_equal(k->oid, "1.3.6.1.2.1.43.10.2.1.4.1.1");
    k = gw_model_counter(&m, "marker_life.2.7");
    assert_non_null(k);
    assert_int_equal(k->value, 3);
    k = gw_model_counter(&m, "print_total");
    assert_non_null(k);
    assert_int_equal(k->value, 42);
    assert_string_equal(k->oid, "1.3.6.1.4.1.1347.42.3.1.1.1.1.1");
    assert_null(gw_model_counter(&m, "serial"));
    gw_model_cleanup(&m);

    /* Catalogue counters are only read for the device's own enterprise. */
    decode_text("1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.9999.1\n"
                "1.3.6.1.4.1.1347.42.3.1.1.1.1.1|65|42\n",
                &m);
    assert_int_equal(m.n_counters, 0);
    assert_string_equal(m.vendor, "Testco");
    gw_model_cleanup(&m);
}

/* ---------------------------------------------------------------------------------------------
 * Vendor counter tables
 */

/* Returns: the shipped catalogue ($FLEETGW_DATADIR, else snmp/); the test fails if it does
 * not load. Caller frees it. */
static struct snmpc_catalogue *shipped_catalogue(void)
{
    const char *datadir = getenv("FLEETGW_DATADIR");
    char path[1100];
    struct snmpc_catalogue *cat = NULL;
    struct gw_errbuf eb;

    snprintf(path, sizeof path, "%s/counters.catalogue", datadir ? datadir : "snmp");
    if (snmpc_catalogue_load(path, &cat, &eb) != 0)
        fail_msg("%s", eb.msg);
    return cat;
}

/* Decodes text with the shipped catalogue ($FLEETGW_DATADIR) into m (caller cleans up m). */
static void decode_shipped(const char *text, struct gw_model *m)
{
    struct snmpc_catalogue *cat = shipped_catalogue();
    struct snmpc_vbset s;

    load(&s, text);
    gw_model_init(m);
    snmpc_model_decode(&s, cat, m);
    snmpc_vbset_cleanup(&s);
    snmpc_catalogue_free(cat);
}

struct want_counter {
    const char *name, *oid;
    uint64_t value;
};

static void check_counters(const struct gw_model *m, const struct want_counter *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct gw_counter *k = gw_model_counter(m, w[i].name);
        if (!k)
            fail_msg("counter %s missing", w[i].name);
        if (strcmp(k->oid, w[i].oid) != 0 || k->value != w[i].value)
            fail_msg("counter %s: %s = %llu, want %s = %llu", w[i].name, k->oid,
                     (unsigned long long)k->value, w[i].oid, (unsigned long long)w[i].value);
    }
    if (m->n_counters != n) {
        for (size_t i = 0; i < m->n_counters; i++)
            print_message("  have %s %s\n", m->counters[i].name, m->counters[i].oid);
        fail_msg("%zu counters, want %zu", m->n_counters, n);
    }
}

#define SH  "1.3.6.1.4.1.2385.1.1.19.2.1."
#define SHV SH "3."
#define SHL SH "4."

/* A colour Sharp like the MX-3570N: its counter table has rows the recorded mono MX-M266NV
 * lacks. Every row is reported: known rows under the catalogue's names (by index, or by the
 * device's label), the others under "sharp_<label>". The billing total stays the life count. */
static void test_vtable_sharp(void **state)
{
    static const struct want_counter want[] = {
        {"marker_life.1", "1.3.6.1.2.1.43.10.2.1.4.1.1", 152000},
        {"print_total", SHV "1.4.60", 61000},
        {"print_mono", SHV "1.4.61", 41000},
        {"print_full_colour", SHV "1.4.63", 20000},
        {"copy_mono", SHV "4.4.61", 30000},
        {"copy_single_colour", SHV "4.4.62", 1200},
        {"copy_full_colour", SHV "4.4.63", 9800},
        {"total_mono", SHV "5.4.61", 71000},
        {"sharp_single_color_total_count", SHV "5.4.62", 1200},
        {"sharp_black_white_document_filing_print", SHV "7.4.61", 77},
        {"sharp_fax_receive_line1", SHV "9.4.80", 12},
        {"sharp_fax_receive_line1_2", SHV "9.4.81", 13},
        {"sharp_9_4_82", SHV "9.4.82", 5},
        {"sharp_9_4_83", SHV "9.4.83", 6},
        {"sharp_i_fax_send_count", SHV "9.4.84", 123},
    };
    struct gw_model m;
    (void)state;
    decode_shipped("1.3.6.1.2.1.1.1.0|4|SHARP MX-3570N\n"
                   "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2385.3.1.111.1.40\n"
                   "1.3.6.1.2.1.43.10.2.1.4.1.1|65|152000\n" SHV "1.4.60|65|61000\n" SHL
                   "1.4.60|4|Prints\n" SHV "1.4.61|65|41000\n" SHL
                   "1.4.61|4|Black & White Print Count\n" SHV "1.4.63|65|20000\n" SHL
                   "1.4.63|4|Full Color Print Count\n" SHV "4.4.61|65|30000\n" SHL
                   "4.4.61|4|Black & White Copy Count\n" SHV "4.4.62|65|1200\n" SHL
                   "4.4.62|4|Single Color Copy Count\n" SHV "4.4.63|65|9800\n" SHL
                   "4.4.63|4|Full Color Copy Count\n" SHV "5.4.61|65|71000\n" SHL
                   "5.4.61|4|Black & White Total Count\n" SHV "5.4.62|65|1200\n" SHL
                   "5.4.62|4|Single Color Total Count\n"
                   /* An absurd value is dropped, as everywhere. */
                   SHV "5.4.63|70|1099511627776\n" SHL "5.4.63|4|Full Color Total Count\n"
                   /* A long label is cut at a word boundary. */
                   SHV "7.4.61|65|77\n" SHL "7.4.61|4|Black & White Document Filing Print Count\n"
                   /* Two rows with one label, one without, one with a blank label, a
                    * counter sent as text, one that is not a number. */
                   SHV "9.4.80|65|12\n" SHL "9.4.80|4|Fax Receive Line1 \n" SHV "9.4.81|65|13\n" SHL
                   "9.4.81|4|Fax Receive Line1\n" SHV "9.4.82|65|5\n" SHV "9.4.83|65|6\n" SHL
                   "9.4.83|4| - \n" SHV "9.4.84|4|  123\n" SHL "9.4.84|4|I-Fax Send Count\n" SHV
                   "9.4.85|4|n/a\n" SHL "9.4.85|4|Broken\n"
                   /* Another column of the table is no counter. */
                   SH "5.1.4.60|65|999\n",
                   &m);
    check_counters(&m, want, NELEM(want));
    assert_true(m.has_page_count);
    assert_int_equal(m.page_count_total, 152000);
    assert_string_equal(m.page_count_source, "marker_life.1");
    assert_false(m.counter_disagreement);
    gw_model_cleanup(&m);

    /* The same table on another maker's device is not read. */
    decode_shipped("1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.1347.41.2.1\n" SHV "1.4.60|65|61000\n" SHL
                   "1.4.60|4|Prints\n",
                   &m);
    assert_int_equal(m.n_counters, 0);
    gw_model_cleanup(&m);
}

#define KM "1.3.6.1.4.1.18334.1.1.1.5.7.2."

/* Konica Minolta: the per-function counter table (count and large-size columns) and the scan
 * table, read whole; the billing total is still the role=total object. */
static void test_vtable_konica(void **state)
{
    static const struct want_counter want[] = {
        {"marker_life.1", "1.3.6.1.2.1.43.10.2.1.4.1.1", 5001},
        {"total", KM "1.1.0", 5000},
        {"duplex", KM "1.3.0", 800},
        {"scan_total", KM "1.5.0", 900},
        {"copy_mono", KM "2.1.5.1.1", 1000},
        {"print_mono", KM "2.1.5.1.2", 2000},
        {"copy_colour", KM "2.1.5.2.1", 300},
        {"print_colour", KM "2.1.5.2.2", 1500},
        {"copy_single_colour", KM "2.1.5.3.1", 20},
        {"konica_3_2", KM "2.1.5.3.2", 10},
        {"print_two_colour", KM "2.1.5.4.2", 7},
        {"print_mono_large", KM "2.1.7.1.2", 40},
        {"konica_large_4_1", KM "2.1.7.4.1", 2},
        {"konica_scan_1", KM "3.1.5.1", 850},
        {"scan_large", KM "3.1.6.1", 50},
        {"print_mono_scan_table", KM "3.1.7.1", 3},
        {"print_colour_scan_table", KM "3.1.11.1", 4},
    };
    struct gw_model m;
    (void)state;
    decode_shipped("1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.18334.1.1.1.2.1.117.2.2\n"
                   "1.3.6.1.2.1.43.10.2.1.4.1.1|65|5001\n" KM "1.1.0|2|5000\n" KM "1.3.0|2|800\n" KM
                   "1.5.0|2|900\n" KM "2.1.5.1.1|2|1000\n" KM "2.1.5.1.2|2|2000\n" KM
                   "2.1.5.2.1|2|300\n" KM "2.1.5.2.2|2|1500\n" KM "2.1.5.3.1|2|20\n" KM
                   "2.1.5.3.2|2|10\n" KM "2.1.5.4.2|2|7\n" KM "2.1.7.1.2|2|40\n" KM
                   "2.1.7.4.1|2|2\n" KM "2.1.6.1.1|2|-1\n" /* a column no table reads */
                   KM "3.1.5.1|2|850\n" KM "3.1.6.1|2|50\n" KM "3.1.7.1|2|3\n" KM "3.1.11.1|2|4\n",
                   &m);
    check_counters(&m, want, NELEM(want));
    assert_string_equal(m.page_count_source, "total");
    assert_int_equal(m.page_count_total, 5000);
    gw_model_cleanup(&m);
}

#define RE          "1.3.6.1.4.1.367.3.2.1.2.19.5.1."
#define RICOH_OBJID "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.367.1.1\n"

/* Ricoh's ricohEngCounterTable, read whole with the device's labels: without
 * ricohEngCounterTotal and prtMarkerLifeCount, the "Counter: Machine Total" row (role=total)
 * is the billing total; the second row with that label is a counter, never the total. */
static void test_vtable_ricoh(void **state)
{
    static const struct want_counter want[] = {
        {"machine_total", RE "9.1", 118722},
        {"ricoh_counter_print_total", RE "9.2", 118722},
        {"ricoh_counter_print_black_white", RE "9.3", 62846},
        {"machine_total_2", RE "9.5", 118723},
        {"ricoh_development_color", RE "9.8", 167628},
    };
    struct gw_model m;
    (void)state;

    decode_shipped(RICOH_OBJID
                   "1.3.6.1.2.1.1.1.0|4|RICOH MP C3003\n" RE "2.1|2|1\n" RE "2.2|2|2\n" RE
                   "5.1|4|Counter: Machine Total\n" RE "5.2|4|Counter:Print:Total\n" RE
                   "5.3|4|Counter:Print:Black & White\n" RE "5.5|4|Counter: Machine Total\n" RE
                   "5.8|4|Development: Color\n" RE "9.1|2|118722\n" RE "9.2|2|118722\n" RE
                   "9.3|2|62846\n" RE "9.5|2|118723\n" RE "9.8|2|167628\n",
                   &m);
    check_counters(&m, want, NELEM(want));
    assert_true(m.has_page_count);
    assert_int_equal(m.page_count_total, 118722);
    assert_string_equal(m.page_count_source, "machine_total");
    gw_model_cleanup(&m);

    /* ricohEngCounterTotal (priority 10) wins over the row (20); the row stays a counter. */
    decode_shipped(RICOH_OBJID "1.3.6.1.4.1.367.3.2.1.2.19.1.0|2|120000\n" RE
                               "5.1|4|Counter: Machine Total\n" RE "9.1|2|118722\n",
                   &m);
    assert_int_equal(m.page_count_total, 120000);
    assert_string_equal(m.page_count_source, "total");
    assert_non_null(gw_model_counter(&m, "machine_total"));
    gw_model_cleanup(&m);

    /* The row is a candidate only under its label: an unlabelled row 1 is a plain counter and
     * prtMarkerLifeCount is the total. */
    decode_shipped(RICOH_OBJID "1.3.6.1.2.1.43.10.2.1.4.1.1|65|500\n" RE "5.1|4|Printer: Color\n" RE
                               "9.1|2|118722\n",
                   &m);
    assert_int_equal(m.page_count_total, 500);
    assert_string_equal(m.page_count_source, "marker_life.1");
    assert_non_null(gw_model_counter(&m, "ricoh_printer_color"));
    gw_model_cleanup(&m);

    /* A row total that disagrees with prtMarkerLifeCount is flagged like an "oid" total. */
    decode_shipped(RICOH_OBJID "1.3.6.1.2.1.43.10.2.1.4.1.1|65|50000\n" RE
                               "5.1|4|Counter: Machine Total\n" RE "9.1|2|118722\n",
                   &m);
    assert_int_equal(m.page_count_total, 118722);
    assert_true(m.counter_disagreement);
    gw_model_cleanup(&m);
}

#define RT "1.3.6.1.4.1.367.3.2.1.2.24.1.1."
#define PS "1.3.6.1.2.1.43.11.1.1."
#define PC "1.3.6.1.2.1.43.12.1.1.4.1."

/* Ricoh's private toner table: the supplies of a device without Printer-MIB supplies (levels
 * in percent, -100 near empty, -3 some remaining, -2 unknown; colour from the type column). */
static void test_vsupplies_ricoh(void **state)
{
    struct gw_model m;
    (void)state;

    decode_shipped(RICOH_OBJID RT "2.1|4|Black Toner\n" RT "2.2|4|Cyan Toner\n" RT
                                  "2.3|4|Magenta Toner\n" RT "2.4|4|\n" RT "2.5|4|Waste\n" RT
                                  "3.4|4|Toner Gelb\n" RT "4.1|2|13\n" RT "4.2|2|10\n" RT
                                  "4.3|2|11\n" RT "4.4|2|12\n" RT "5.1|2|30\n" RT "5.2|2|-3\n" RT
                                  "5.3|2|-2\n" RT "5.4|2|-100\n" RT "5.5|2|0\n",
                   &m);
    assert_int_equal(m.n_supplies, 5);
    assert_int_equal(m.supplies[0].index, 1);
    assert_string_equal(m.supplies[0].description, "Black Toner");
    assert_string_equal(m.supplies[0].color, "black");
    assert_string_equal(m.supplies[0].type, "toner");
    assert_int_equal(m.supplies[0].percent, 30);
    assert_int_equal(m.supplies[0].state, GW_SUPPLY_OK);
    assert_int_equal(m.supplies[0].max_capacity, 100);
    assert_int_equal(m.supplies[1].state, GW_SUPPLY_SOME_REMAINING);
    assert_int_equal(m.supplies[1].percent, -1);
    assert_string_equal(m.supplies[1].color, "cyan");
    assert_int_equal(m.supplies[2].state, GW_SUPPLY_UNKNOWN);
    /* Near empty: low without a percentage; the localised name where the name is empty. */
    assert_int_equal(m.supplies[3].state, GW_SUPPLY_LOW);
    assert_int_equal(m.supplies[3].percent, -1);
    assert_int_equal(m.supplies[3].level_raw, -100);
    assert_string_equal(m.supplies[3].description, "Toner Gelb");
    assert_string_equal(m.supplies[3].color, "yellow");
    /* No type code: no colour; 0 % is empty. */
    assert_string_equal(m.supplies[4].color, "");
    assert_int_equal(m.supplies[4].state, GW_SUPPLY_EMPTY);
    assert_int_equal(m.supplies[4].percent, 0);
    gw_model_cleanup(&m);

    /* The table is only read for Ricoh devices. */
    decode_shipped("1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.11.2.3.9.1\n" RT "2.1|4|Black Toner\n" RT
                   "5.1|2|30\n",
                   &m);
    assert_int_equal(m.n_supplies, 0);
    gw_model_cleanup(&m);

    /* With Printer-MIB supplies, the vendor rows fill only an empty description and an unknown
     * level, paired by colour, never by index: Printer-MIB row 2 is the waste toner, row 3
     * the cyan toner (Ricoh's toner row 2). */
    decode_shipped(
        RICOH_OBJID PS
        "5.1.1|2|3\n" PS "5.1.2|2|4\n" PS "5.1.3|2|3\n" PS "5.1.4|2|3\n" PS "3.1.1|2|1\n" PS
        "3.1.2|2|0\n" PS "3.1.3|2|2\n" PS "3.1.4|2|3\n" PS "6.1.1|4|Toner Schwarz\n" PS
        "6.1.2|4|Resttoner\n" PS "6.1.3|4|\n" PS "6.1.4|4|\n" PS "8.1.1|2|-2\n" PS "8.1.2|2|-2\n" PS
        "8.1.3|2|-2\n" PS "8.1.4|2|100\n" PS "9.1.1|2|-2\n" PS "9.1.2|2|-3\n" PS "9.1.3|2|-2\n" PS
        "9.1.4|2|40\n" PC "1|4|black\n" PC "2|4|cyan\n" PC "3|4|magenta\n" RT
        "2.1|4|Black Toner\n" RT "2.2|4|Cyan Toner\n" RT "2.3|4|Magenta Toner\n" RT "4.1|2|13\n" RT
        "4.2|2|10\n" RT "4.3|2|11\n" RT "5.1|2|30\n" RT "5.2|2|-100\n" RT "5.3|2|80\n",
        &m);
    assert_int_equal(m.n_supplies, 4);
    /* Black: its own description kept, its unknown level filled. */
    assert_string_equal(m.supplies[0].description, "Toner Schwarz");
    assert_int_equal(m.supplies[0].percent, 30);
    assert_int_equal(m.supplies[0].state, GW_SUPPLY_OK);
    /* The waste toner (no colour) is left alone. */
    assert_string_equal(m.supplies[1].description, "Resttoner");
    assert_int_equal(m.supplies[1].state, GW_SUPPLY_SOME_REMAINING);
    /* Cyan at Printer-MIB index 3: description and level from Ricoh's cyan row (index 2). */
    assert_string_equal(m.supplies[2].description, "Cyan Toner");
    assert_int_equal(m.supplies[2].state, GW_SUPPLY_LOW);
    assert_int_equal(m.supplies[2].percent, -1);
    /* Magenta: its level is known (40 of 100), so only the empty description is filled. */
    assert_string_equal(m.supplies[3].description, "Magenta Toner");
    assert_int_equal(m.supplies[3].percent, 40);
    gw_model_cleanup(&m);

    /* Two vendor rows of one colour (mono black 3 and black 13): neither fills anything. */
    decode_shipped(RICOH_OBJID PS "5.1.1|2|3\n" PS "3.1.1|2|1\n" PS "6.1.1|4|\n" PS
                                  "9.1.1|2|-2\n" PC "1|4|black\n" RT "2.1|4|Black Toner\n" RT
                                  "2.2|4|Black Toner 2\n" RT "4.1|2|3\n" RT "4.2|2|13\n" RT
                                  "5.1|2|30\n" RT "5.2|2|60\n",
                   &m);
    assert_int_equal(m.n_supplies, 1);
    assert_string_equal(m.supplies[0].description, "");
    assert_int_equal(m.supplies[0].state, GW_SUPPLY_UNKNOWN);
    gw_model_cleanup(&m);
}

#define CA "1.3.6.1.4.1.1602.1.11.2.1.1."

/* Canon's labelled counter table, on an agent without sysObjectID: the maker starting sysDescr
 * stands for the enterprise. "Total 1" is a billing-total candidate after meter 101. */
static void test_vtable_canon(void **state)
{
    static const struct want_counter want[] = {
        {"marker_life.1", "1.3.6.1.2.1.43.10.2.1.4.1.1", 9026},
        {"total_1", CA "3.1", 9026},
        {"canon_copy_total_1", CA "3.17", 354},
        {"canon_print_total_1", CA "3.25", 8672},
        {"canon_60", CA "3.60", 5},
    };
    struct gw_model m;
    (void)state;

    decode_shipped("1.3.6.1.2.1.1.1.0|4|Canon MF642C/643C/644C /P\n"
                   "1.3.6.1.2.1.43.10.2.1.4.1.1|65|9026\n" CA "2.1|4|Total 1\n" CA
                   "2.17|4|Copy (Total 1)\n" CA "2.25|4|Print (Total 1)\n" CA "3.1|70|9026\n" CA
                   "3.17|70|354\n" CA "3.25|70|8672\n" CA "3.60|70|5\n",
                   &m);
    check_counters(&m, want, NELEM(want));
    assert_string_equal(m.vendor, "Canon");
    assert_string_equal(m.page_count_source, "total_1");
    assert_int_equal(m.page_count_total, 9026);
    gw_model_cleanup(&m);

    /* A sysDescr that names no maker: no vendor table is read. */
    decode_shipped("1.3.6.1.2.1.1.1.0|4|MF642C\n" CA "2.1|4|Total 1\n" CA "3.1|70|9026\n", &m);
    assert_int_equal(m.n_counters, 0);
    gw_model_cleanup(&m);
}

#define KY "1.3.6.1.4.1.1347.42.3.1."

/* Kyocera's five function counter tables, whole: the names of the former "oid" lines, and
 * the rows no source names by table and index. */
static void test_vtable_kyocera(void **state)
{
    static const struct want_counter want[] = {
        {"total", "1.3.6.1.4.1.1347.43.10.1.1.12.1.1", 76064},
        {"print_total", KY "1.1.1.1", 40600},
        {"copy_total", KY "1.1.1.2", 32971},
        {"kyocera_function_3", KY "1.1.1.3", 0},
        {"fax_total", KY "1.1.1.4", 2493},
        {"print_mono", KY "2.1.1.1.1", 14730},
        {"print_full_colour", KY "2.1.1.1.3", 25870},
        {"kyocera_colour_3_1", KY "2.1.1.3.1", 0},
        {"fax_mono", KY "2.1.1.4.1", 2493},
        {"kyocera_colour_4_2", KY "2.1.1.4.2", 0},
        {"kyocera_scan_1", KY "3.1.1.1", 0},
        {"scan_copy", KY "3.1.1.2", 10500},
        {"scan_other", KY "4.1.1.1", 219030},
        {"kyocera_fax_port_1_1", KY "5.1.1.1.1", 2493},
        {"kyocera_fax_port_1_2", KY "5.1.1.1.2", 0},
    };
    struct gw_model m;
    (void)state;

    decode_shipped(KYO_OBJID "1.3.6.1.4.1.1347.43.10.1.1.12.1.1|2|76064\n" KY "1.1.1.1|2|40600\n" KY
                             "1.1.1.2|2|32971\n" KY "1.1.1.3|2|0\n" KY "1.1.1.4|2|2493\n" KY
                             "2.1.1.1.1|2|14730\n" KY "2.1.1.1.3|2|25870\n" KY "2.1.1.3.1|2|0\n" KY
                             "2.1.1.4.1|2|2493\n" KY "2.1.1.4.2|2|0\n" KY "3.1.1.1|2|0\n" KY
                             "3.1.1.2|2|10500\n" KY "4.1.1.1|2|219030\n" KY "5.1.1.1.1|2|2493\n" KY
                             "5.1.1.1.2|2|0\n",
                   &m);
    check_counters(&m, want, NELEM(want));
    assert_string_equal(m.page_count_source, "total");
    gw_model_cleanup(&m);
}

#define XD "1.3.6.1.4.1.253.8.53.13.2.1.6."

/* Xerox xcmHrDevDetailValueInteger: the lifetime-usage rows (detail type 20) of the printer
 * (device 1) and the copier (device 11); other detail types are not counters. */
static void test_vtable_xerox(void **state)
{
    static const struct want_counter want[] = {
        {"total", XD "1.20.1", 50000},       {"print_colour", XD "1.20.33", 20000},
        {"print_mono", XD "1.20.34", 30000}, {"xerox_usage_7", XD "1.20.7", 12},
        {"copy_mono", XD "11.20.3", 900},    {"xerox_copy_usage_9", XD "11.20.9", 4},
    };
    struct gw_model m;
    (void)state;

    decode_shipped("1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.253.8.62.1.20.2.4.1.2.2\n" XD
                   "1.20.1|2|50000\n" XD "1.20.7|2|12\n" XD "1.20.33|2|20000\n" XD
                   "1.20.34|2|30000\n" XD
                   "1.255.1|2|6000\n" /* deviceSuppliesMaxCapacity: not a counter */
                   XD "1.256.1|2|3000\n" XD "11.20.3|2|900\n" XD "11.20.9|2|4\n" XD
                   "2.20.1|2|77\n", /* another device's usage: not read */
                   &m);
    check_counters(&m, want, NELEM(want));
    gw_model_cleanup(&m);
}

/* Zebra's odometer: an OCTET STRING whose leading number is the printed length in inches. */
static void test_zebra_odometer(void **state)
{
    static const struct want_counter want[] = {
        {"print_length_inches", "1.3.6.1.4.1.10642.200.17.3.0", 89667},
    };
    struct gw_model m;
    (void)state;

    decode_shipped("1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.10642.1.1\n"
                   "1.3.6.1.4.1.10642.200.17.3.0|4|89667 INCHES, 227775 CENTIMETERS\n",
                   &m);
    check_counters(&m, want, NELEM(want));
    assert_false(m.has_page_count); /* a length is never the billing total */
    gw_model_cleanup(&m);

    decode_shipped("1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.10642.1.1\n"
                   "1.3.6.1.4.1.10642.200.17.3.0|4|12.5 INCHES\n",
                   &m);
    assert_int_equal(m.n_counters, 0);
    gw_model_cleanup(&m);
    /* An integer syntax is not text: refused too. */
    decode_shipped("1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.10642.1.1\n"
                   "1.3.6.1.4.1.10642.200.17.3.0|2|12\n",
                   &m);
    assert_int_equal(m.n_counters, 0);
    gw_model_cleanup(&m);
}

/* prtMarkerLifeCount of the first prtMarkerTable row is a counter under its own OID, whatever
 * its index (here hrDeviceIndex 2, marker 3), and every other marker's too. */
static void test_marker_life_first_row(void **state)
{
    static const struct want_counter want[] = {
        {"marker_life.2.3", "1.3.6.1.2.1.43.10.2.1.4.2.3", 700},
        {"marker_life.2.4", "1.3.6.1.2.1.43.10.2.1.4.2.4", 710},
    };
    struct gw_model m;
    (void)state;

    decode_shipped("1.3.6.1.2.1.43.10.2.1.4.2.3|65|700\n1.3.6.1.2.1.43.10.2.1.4.2.4|65|710\n", &m);
    check_counters(&m, want, NELEM(want));
    gw_model_cleanup(&m);
}

#define HP "1.3.6.1.4.1.11.2.3.9.4.2.1."

/* HP LaserJet: the scanner and jam scalars, the per-media-size simplex/duplex tables (paper
 * size codes mapped, others by code) and the labelled jam-by-location table. */
static void test_vtable_hp(void **state)
{
    static const struct want_counter want[] = {
        {"total", HP "4.1.2.5.0", 12000},
        {"duplex", HP "4.1.2.22.0", 3000},
        {"jam_total", HP "4.1.2.34.0", 17},
        {"scan_adf_sheets", HP "2.2.1.20.0", 4000},
        {"scan_flatbed", HP "2.2.1.21.0", 600},
        {"scan_copy", HP "2.2.1.61.0", 2500},
        {"scan_flatbed_pages", HP "2.2.1.74.0", 2100},
        {"print_simplex_letter", HP "1.16.1.1.1.2", 100},
        {"print_simplex_a4", HP "1.16.1.1.1.26", 8000},
        {"hp_simplex_282", HP "1.16.1.1.1.282", 9},
        {"print_duplex_a4", HP "1.16.1.1.3.26", 1400},
        {"scan_simplex_a4", HP "1.16.2.1.1.26", 3100},
        {"hp_jam_13_a", HP "5.2.4.2.1.1", 11},
        {"hp_jam_13_b", HP "5.2.4.2.1.2", 6},
    };
    struct gw_model m;
    (void)state;
    decode_shipped("1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.11.2.3.9.1\n" HP "4.1.2.5.0|2|12000\n" HP
                   "4.1.2.22.0|2|3000\n" HP "4.1.2.34.0|2|17\n" HP "2.2.1.20.0|2|4000\n" HP
                   "2.2.1.21.0|2|600\n" HP "2.2.1.61.0|2|2500\n" HP "2.2.1.74.0|2|2100\n" HP
                   "1.16.1.1.1.2|2|100\n" HP "1.16.1.1.1.26|2|8000\n" HP "1.16.1.1.1.282|2|9\n" HP
                   "1.16.1.1.2.26|4|0.02\n" /* click charge: not a table the catalogue reads */
                   HP "1.16.1.1.3.26|2|1400\n" HP "1.16.2.1.1.26|2|3100\n" HP
                   "5.2.4.2.1.1|2|11\n" HP "5.2.4.2.2.1|4|13.A\n" HP "5.2.4.2.1.2|2|6\n" HP
                   "5.2.4.2.2.2|4|13.B\n",
                   &m);
    check_counters(&m, want, NELEM(want));
    assert_string_equal(m.page_count_source, "total");
    assert_int_equal(m.page_count_total, 12000);
    gw_model_cleanup(&m);
}

/* The naming rules on a small catalogue: catalogue names before derived ones, rows that are
 * also "oid" lines reported once, max_rows, over-long indexes. */
static void test_vtable_rules(void **state)
{
    static const char cat_text[] =
        "vendor 9999 Testco\n"
        "oid 9999 dup 1.3.6.1.4.1.9999.1.1.2.7\n"
        "table 9999 t 1.3.6.1.4.1.9999.1.1 value=2 label=3 prefix=p max_rows=5\n"
        "row 9999 t 5 p_alpha\n"
        "table 9999 u 1.3.6.1.4.1.9999.2.1 value=1\n"
        "table 9999 v 1.3.6.1.4.1.9999.0.1 value=1 prefix=q label=2\n" /* walked first */
        "table 9999 w 1.3.6.1.4.1.9999.3.1 value=1\n"
        "row 9999 w 1 q_beta\n";
    static const struct want_counter want[] = {
        {"dup", "1.3.6.1.4.1.9999.1.1.2.7", 70},
        /* A derived name never takes another table's catalogue name either. */
        {"q_beta", "1.3.6.1.4.1.9999.3.1.1.1", 31},
        {"q_beta_2", "1.3.6.1.4.1.9999.0.1.1.1", 11},
        {"p_alpha", "1.3.6.1.4.1.9999.1.1.2.5", 50},
        {"p_alpha_2", "1.3.6.1.4.1.9999.1.1.2.6", 60},
        {"p_8", "1.3.6.1.4.1.9999.1.1.2.8", 80},
        {"p_9_1", "1.3.6.1.4.1.9999.1.1.2.9.1", 91},
        {"u_1_2_3_4_5_6_7_8_9_10_11_12_13_14_15",
         "1.3.6.1.4.1.9999.2.1.1.1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16", 1},
    };
    struct snmpc_catalogue *cat = NULL;
    struct snmpc_vbset s;
    struct gw_errbuf eb;
    struct gw_model m;
    (void)state;

    assert_int_equal(snmpc_catalogue_parse(cat_text, strlen(cat_text), "t", &cat, &eb), 0);
    load(&s, "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.9999.7\n"
             "1.3.6.1.4.1.9999.0.1.1.1|65|11\n"
             "1.3.6.1.4.1.9999.0.1.2.1|4|Beta\n"
             "1.3.6.1.4.1.9999.3.1.1.1|65|31\n"
             "1.3.6.1.4.1.9999.1.1.2.5|65|50\n"
             "1.3.6.1.4.1.9999.1.1.2.6|65|60\n"
             "1.3.6.1.4.1.9999.1.1.3.6|4|Alpha\n" /* derives p_alpha, a catalogue name */
             "1.3.6.1.4.1.9999.1.1.2.7|65|70\n"   /* the "oid" line's object */
             "1.3.6.1.4.1.9999.1.1.3.7|4|Dup\n"
             "1.3.6.1.4.1.9999.1.1.2.8|65|80\n"
             "1.3.6.1.4.1.9999.1.1.2.9.1|65|91\n"
             "1.3.6.1.4.1.9999.1.1.2.10|65|100\n" /* the sixth row: beyond max_rows */
             "1.3.6.1.4.1.9999.2.1.1.1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16|65|1\n"
             "1.3.6.1.4.1.9999.2.1.1.1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17|65|2\n");
    gw_model_init(&m);
    snmpc_model_decode(&s, cat, &m);
    check_counters(&m, want, NELEM(want));
    assert_false(m.has_page_count); /* table rows are never the billing total */
    gw_model_cleanup(&m);

    /* Without a catalogue nothing vendor-specific is read, and no crash. */
    gw_model_init(&m);
    snmpc_model_decode(&s, NULL, &m);
    assert_int_equal(m.n_counters, 0);
    gw_model_cleanup(&m);
    snmpc_vbset_cleanup(&s);
    snmpc_catalogue_free(cat);
}

/* ---------------------------------------------------------------------------------------------
 * Supplies, status, alerts
 */

static void test_supplies(void **state)
{
    static const char walk[] =
        /* 1: cyan toner through the colorant table, Latin-1 description */
        "1.3.6.1.2.1.43.11.1.1.3.1.1|2|2\n"
        "1.3.6.1.2.1.43.11.1.1.5.1.1|2|3\n"
        "1.3.6.1.2.1.43.11.1.1.6.1.1|4x|546f6e657220636ff86c657572000000\n"
        "1.3.6.1.2.1.43.11.1.1.8.1.1|2|1000\n"
        "1.3.6.1.2.1.43.11.1.1.9.1.1|2|80\n"
        /* 2: waste toner, some remaining */
        "1.3.6.1.2.1.43.11.1.1.5.1.2|2|4\n"
        "1.3.6.1.2.1.43.11.1.1.6.1.2|4|Waste\n"
        "1.3.6.1.2.1.43.11.1.1.8.1.2|2|-2\n"
        "1.3.6.1.2.1.43.11.1.1.9.1.2|2|-3\n"
        /* 3: no type column, no level column, unknown colorant index */
        "1.3.6.1.2.1.43.11.1.1.3.1.3|2|9\n"
        "1.3.6.1.2.1.43.11.1.1.6.1.3|4|Drum\n"
        /* 4: only a class column: not a supply */
        "1.3.6.1.2.1.43.11.1.1.4.1.4|2|3\n"
        /* 5: vendor type number, level as text (wrong type), level above capacity */
        "1.3.6.1.2.1.43.11.1.1.5.1.5|2|99\n"
        "1.3.6.1.2.1.43.11.1.1.8.1.5|2|100\n"
        "1.3.6.1.2.1.43.11.1.1.9.1.5|4|50\n"
        "1.3.6.1.2.1.43.11.1.1.5.1.6|2|15\n"
        "1.3.6.1.2.1.43.11.1.1.8.1.6|2|100\n"
        "1.3.6.1.2.1.43.11.1.1.9.1.6|2|130\n"
        "1.3.6.1.2.1.43.12.1.1.4.1.2|4|cyan\n"
        /* input trays: name wins over description; description as fallback */
        "1.3.6.1.2.1.43.8.2.1.9.1.1|2|250\n"
        "1.3.6.1.2.1.43.8.2.1.10.1.1|2|25\n"
        "1.3.6.1.2.1.43.8.2.1.13.1.1|4|Tray 1\n"
        "1.3.6.1.2.1.43.8.2.1.18.1.1|4|Cassette 1 (A4)\n"
        "1.3.6.1.2.1.43.8.2.1.9.1.2|2|100\n"
        "1.3.6.1.2.1.43.8.2.1.10.1.2|2|0\n"
        "1.3.6.1.2.1.43.8.2.1.18.1.2|4|Bypass\n"
        "1.3.6.1.2.1.43.8.2.1.13.1.3|4|Name only\n";
    static const struct {
        int index;
        const char *type, *color, *descr;
        long level, max;
        int pct;
        enum gw_supply_state st;
    } want[] = {
        {1, "toner", "cyan", "Toner co\xc3\xb8leur", 80, 1000, 8, GW_SUPPLY_LOW},
        {2, "wasteToner", "", "Waste", -3, -2, -1, GW_SUPPLY_SOME_REMAINING},
        {3, "unknown", "", "Drum", -2, -2, -1, GW_SUPPLY_UNKNOWN},
        {5, "other", "", "", -2, 100, -1, GW_SUPPLY_UNKNOWN},
        {6, "fuser", "", "", 130, 100, -1, GW_SUPPLY_IMPLAUSIBLE},
    };
    struct gw_model m;
    (void)state;
    decode_text(walk, &m);
    assert_int_equal(m.n_supplies, NELEM(want));
    for (size_t i = 0; i < NELEM(want); i++) {
        const struct gw_supply *sp = &m.supplies[i];
        if (sp->index != want[i].index || strcmp(sp->type, want[i].type) != 0 ||
            strcmp(sp->color, want[i].color) != 0 || strcmp(sp->description, want[i].descr) != 0 ||
            sp->level_raw != want[i].level || sp->max_capacity != want[i].max ||
            sp->percent != want[i].pct || sp->state != want[i].st)
            fail_msg("supply %zu: %d %s %s '%s' %ld/%ld %d%% %s", i, sp->index, sp->type, sp->color,
                     sp->description, sp->level_raw, sp->max_capacity, sp->percent,
                     gw_supply_state_name(sp->state));
    }
    /* The input rows of the same walk are trays, not supplies: name wins over description,
     * description is the fallback, a row with only a name is a tray of unknown level. */
    assert_int_equal(m.n_trays, 3);
    assert_int_equal(m.trays[0].index, 1);
    assert_string_equal(m.trays[0].name, "Tray 1");
    assert_string_equal(m.trays[0].description, "Cassette 1 (A4)");
    assert_int_equal(m.trays[0].level_raw, 25);
    assert_int_equal(m.trays[0].percent, 10);
    assert_int_equal(m.trays[0].state, GW_SUPPLY_OK); /* a tray is never "low" */
    assert_string_equal(m.trays[1].name, "");
    assert_string_equal(m.trays[1].description, "Bypass");
    assert_int_equal(m.trays[1].state, GW_SUPPLY_EMPTY);
    assert_string_equal(m.trays[2].name, "Name only");
    assert_int_equal(m.trays[2].level_raw, -2);
    assert_int_equal(m.trays[2].state, GW_SUPPLY_UNKNOWN);
    gw_model_cleanup(&m);
}

/* prtInputTable as RFC 3805 defines it, every column we read, next to a marker supply with the
 * same index: the supply list holds the toner only, the trays hold what the standard says. */
static void test_trays(void **state)
{
    static const char walk[] =
        "1.3.6.1.2.1.43.11.1.1.5.1.1|2|3\n"
        "1.3.6.1.2.1.43.11.1.1.6.1.1|4|Black Toner\n"
        "1.3.6.1.2.1.43.11.1.1.8.1.1|2|100\n"
        "1.3.6.1.2.1.43.11.1.1.9.1.1|2|60\n"
        /* 1: removable cassette, A4 in micrometers, 250 of 500 sheets, idle */
        "1.3.6.1.2.1.43.8.2.1.2.1.1|2|3\n"
        "1.3.6.1.2.1.43.8.2.1.3.1.1|2|4\n"
        "1.3.6.1.2.1.43.8.2.1.4.1.1|2|297000\n"
        "1.3.6.1.2.1.43.8.2.1.5.1.1|2|210000\n"
        "1.3.6.1.2.1.43.8.2.1.8.1.1|2|8\n"
        "1.3.6.1.2.1.43.8.2.1.9.1.1|2|500\n"
        "1.3.6.1.2.1.43.8.2.1.10.1.1|2|250\n"
        "1.3.6.1.2.1.43.8.2.1.11.1.1|2|0\n"
        "1.3.6.1.2.1.43.8.2.1.12.1.1|4|A4\n"
        "1.3.6.1.2.1.43.8.2.1.13.1.1|4|Tray 1\n"
        "1.3.6.1.2.1.43.8.2.1.18.1.1|4|Cassette 1\n"
        "1.3.6.1.2.1.43.8.2.1.21.1.1|4|stationery\n"
        /* 2: manual feed, -3 "at least one sheet", unknown size, off-line with a critical alert
         * while transitioning (32 + 16 + 64), unit 1/10000 inch */
        "1.3.6.1.2.1.43.8.2.1.2.1.2|2|5\n"
        "1.3.6.1.2.1.43.8.2.1.3.1.2|2|3\n"
        "1.3.6.1.2.1.43.8.2.1.4.1.2|2|-2\n"
        "1.3.6.1.2.1.43.8.2.1.5.1.2|2|-1\n"
        "1.3.6.1.2.1.43.8.2.1.8.1.2|2|8\n"
        "1.3.6.1.2.1.43.8.2.1.9.1.2|2|100\n"
        "1.3.6.1.2.1.43.8.2.1.10.1.2|2|-3\n"
        "1.3.6.1.2.1.43.8.2.1.11.1.2|2|115\n"
        "1.3.6.1.2.1.43.8.2.1.13.1.2|4|MP Tray\n"
        /* 3: a roll in meters, capacity unknown (-2), 40 left; status out of range */
        "1.3.6.1.2.1.43.8.2.1.2.1.3|2|6\n"
        "1.3.6.1.2.1.43.8.2.1.8.1.3|2|17\n"
        "1.3.6.1.2.1.43.8.2.1.9.1.3|2|-2\n"
        "1.3.6.1.2.1.43.8.2.1.10.1.3|2|40\n"
        "1.3.6.1.2.1.43.8.2.1.11.1.3|2|300\n"
        /* 4: empty; 5: level other (-1); 6: above the capacity; 7: vendor type 99 */
        "1.3.6.1.2.1.43.8.2.1.9.1.4|2|250\n"
        "1.3.6.1.2.1.43.8.2.1.10.1.4|2|0\n"
        "1.3.6.1.2.1.43.8.2.1.9.1.5|2|250\n"
        "1.3.6.1.2.1.43.8.2.1.10.1.5|2|-1\n"
        "1.3.6.1.2.1.43.8.2.1.9.1.6|2|250\n"
        "1.3.6.1.2.1.43.8.2.1.10.1.6|2|300\n"
        "1.3.6.1.2.1.43.8.2.1.2.1.7|2|99\n"
        /* 8: only a media name: not enough to be a tray */
        "1.3.6.1.2.1.43.8.2.1.12.1.8|4|A3\n";
    struct gw_model m;
    char text[96];
    json_t *j, *t;
    (void)state;
    decode_text(walk, &m);
    assert_int_equal(m.n_supplies, 1);
    assert_string_equal(m.supplies[0].type, "toner");
    assert_int_equal(m.supplies[0].index, 1);
    assert_int_equal(m.n_trays, 7);

    assert_int_equal(m.trays[0].index, 1);
    assert_string_equal(m.trays[0].type, "sheetFeedAutoRemovableTray");
    assert_string_equal(m.trays[0].name, "Tray 1");
    assert_string_equal(m.trays[0].description, "Cassette 1");
    assert_string_equal(m.trays[0].media_name, "A4");
    assert_string_equal(m.trays[0].media_type, "stationery");
    assert_string_equal(m.trays[0].dim_unit, "micrometers");
    assert_int_equal(m.trays[0].media_feed, 297000);
    assert_int_equal(m.trays[0].media_xfeed, 210000);
    assert_string_equal(m.trays[0].capacity_unit, "sheets");
    assert_int_equal(m.trays[0].max_capacity, 500);
    assert_int_equal(m.trays[0].level_raw, 250);
    assert_int_equal(m.trays[0].percent, 50);
    assert_int_equal(m.trays[0].state, GW_SUPPLY_OK);
    assert_int_equal(m.trays[0].status, 0);
    assert_string_equal(gw_tray_level_text(&m.trays[0], text, sizeof text), "250 of 500 sheets");

    assert_string_equal(m.trays[1].type, "sheetFeedManual");
    assert_string_equal(m.trays[1].dim_unit, "tenThousandthsOfInches");
    assert_int_equal(m.trays[1].media_feed, -2);
    assert_int_equal(m.trays[1].media_xfeed, -1);
    assert_int_equal(m.trays[1].level_raw, -3);
    assert_int_equal(m.trays[1].percent, -1);
    assert_int_equal(m.trays[1].state, GW_SUPPLY_SOME_REMAINING);
    assert_int_equal(m.trays[1].status, 115);
    assert_string_equal(gw_tray_level_text(&m.trays[1], text, sizeof text), "some paper");

    assert_string_equal(m.trays[2].type, "continuousRoll");
    assert_string_equal(m.trays[2].capacity_unit, "meters");
    assert_int_equal(m.trays[2].percent, -1);
    assert_int_equal(m.trays[2].state, GW_SUPPLY_OK); /* 40 m is known paper */
    assert_int_equal(m.trays[2].status, -1);
    assert_string_equal(gw_tray_level_text(&m.trays[2], text, sizeof text), "40 meters");

    assert_int_equal(m.trays[3].state, GW_SUPPLY_EMPTY);
    assert_int_equal(m.trays[3].percent, 0);
    assert_string_equal(gw_tray_level_text(&m.trays[3], text, sizeof text), "empty");
    assert_int_equal(m.trays[4].state, GW_SUPPLY_OTHER);
    assert_string_equal(gw_tray_level_text(&m.trays[4], text, sizeof text), "level unknown");
    assert_int_equal(m.trays[5].state, GW_SUPPLY_IMPLAUSIBLE);
    assert_int_equal(m.trays[5].percent, -1);
    assert_string_equal(m.trays[6].type, "other");
    assert_int_equal(m.trays[6].level_raw, -2);
    assert_int_equal(m.trays[6].state, GW_SUPPLY_UNKNOWN);

    /* The JSON keeps trays out of "supplies" and decodes PrtSubUnitStatusTC. */
    j = gw_model_to_json(&m);
    assert_int_equal(json_array_size(json_object_get(j, "supplies")), 1);
    assert_int_equal(json_array_size(json_object_get(j, "trays")), 7);
    t = json_array_get(json_object_get(j, "trays"), 0);
    assert_string_equal(json_string_value(json_object_get(t, "level_text")), "250 of 500 sheets");
    assert_string_equal(json_string_value(json_object_get(t, "state")), "ok");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(t, "media_dimensions"), "feed")),
        297000);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(t, "status"), "availability")), "idle");
    t = json_object_get(json_array_get(json_object_get(j, "trays"), 1), "status");
    assert_string_equal(json_string_value(json_object_get(t, "availability")), "broken");
    assert_string_equal(json_string_value(json_object_get(t, "alerts")), "critical");
    assert_true(json_is_true(json_object_get(t, "offline")));
    assert_true(json_is_true(json_object_get(t, "transitioning")));
    assert_true(
        json_is_null(json_object_get(json_array_get(json_object_get(j, "trays"), 2), "status")));
    assert_true(json_is_null(
        json_object_get(json_array_get(json_object_get(j, "trays"), 3), "media_dimensions")));
    json_decref(j);
    gw_model_cleanup(&m);
}

static void test_status(void **state)
{
    static const struct {
        const char *walk;
        int dev, prt;
        uint32_t cond;
    } cases[] = {
        /* printer is hrDeviceIndex 3; index 1 values must not be used */
        {"1.3.6.1.2.1.25.3.2.1.2.3|6|1.3.6.1.2.1.25.3.1.5\n"
         "1.3.6.1.2.1.25.3.2.1.5.1|2|5\n"
         "1.3.6.1.2.1.25.3.2.1.5.3|2|3\n"
         "1.3.6.1.2.1.25.3.5.1.1.1|2|1\n"
         "1.3.6.1.2.1.25.3.5.1.1.3|2|4\n"
         "1.3.6.1.2.1.25.3.5.1.2.1|4x|ffff\n"
         "1.3.6.1.2.1.25.3.5.1.2.3|4x|0c00\n",
         3, 4, GW_COND_DOOR_OPEN | GW_COND_JAMMED},
        /* no hrDeviceType: the hrPrinterTable row tells the index */
        {"1.3.6.1.2.1.25.3.2.1.5.7|2|2\n"
         "1.3.6.1.2.1.25.3.5.1.1.7|2|3\n"
         "1.3.6.1.2.1.25.3.5.1.2.7|4x|8000\n",
         2, 3, GW_COND_LOW_PAPER},
        /* wrong types are ignored */
        {"1.3.6.1.2.1.25.3.2.1.5.1|4|2\n"
         "1.3.6.1.2.1.25.3.5.1.1.1|6|1.3\n"
         "1.3.6.1.2.1.25.3.5.1.2.1|2|255\n",
         0, 0, 0},
        {"", 0, 0, 0},
    };
    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct gw_model m;
        decode_text(cases[i].walk, &m);
        if (m.device_status != cases[i].dev || m.printer_status != cases[i].prt ||
            m.conditions != cases[i].cond)
            fail_msg("case %zu: dev %d prt %d cond 0x%x", i, m.device_status, m.printer_status,
                     m.conditions);
        gw_model_cleanup(&m);
    }
}

static void test_alerts(void **state)
{
    static const char walk[] =
        /* 1: complete */
        "1.3.6.1.2.1.43.18.1.1.2.1.1|2|4\n"
        "1.3.6.1.2.1.43.18.1.1.3.1.1|2|4\n"
        "1.3.6.1.2.1.43.18.1.1.4.1.1|2|5\n"
        "1.3.6.1.2.1.43.18.1.1.5.1.1|2|1\n"
        "1.3.6.1.2.1.43.18.1.1.6.1.1|2|13300\n"
        "1.3.6.1.2.1.43.18.1.1.7.1.1|2|808\n"
        "1.3.6.1.2.1.43.18.1.1.8.1.1|4x|436f7665722061206f75766572740000\n"
        "1.3.6.1.2.1.43.18.1.1.9.1.1|67|12345\n"
        /* 2: no severity: skipped */
        "1.3.6.1.2.1.43.18.1.1.7.1.2|2|1101\n"
        "1.3.6.1.2.1.43.18.1.1.8.1.2|4|orphan\n"
        /* 3: code of the wrong type: skipped */
        "1.3.6.1.2.1.43.18.1.1.2.1.3|2|3\n"
        "1.3.6.1.2.1.43.18.1.1.7.1.3|4|1101\n"
        /* 4: minimal (severity only) */
        "1.3.6.1.2.1.43.18.1.1.2.1.4|2|1\n"
        /* 5: code out of int range */
        "1.3.6.1.2.1.43.18.1.1.2.1.5|2|3\n"
        "1.3.6.1.2.1.43.18.1.1.7.1.5|65|4294967295\n";
    struct gw_model m;
    (void)state;
    decode_text(walk, &m);
    assert_int_equal(m.n_alerts, 2);
    assert_int_equal(m.alerts[0].index, 1);
    assert_int_equal(m.alerts[0].severity, 4);
    assert_int_equal(m.alerts[0].training, 4);
    assert_int_equal(m.alerts[0].group, 5);
    assert_int_equal(m.alerts[0].group_index, 1);
    assert_int_equal(m.alerts[0].location, 13300);
    assert_int_equal(m.alerts[0].code, 808);
    assert_string_equal(m.alerts[0].description, "Cover a ouvert");
    assert_int_equal(m.alerts[0].time_ticks, 12345);
    assert_int_equal(m.alerts[1].index, 4);
    assert_int_equal(m.alerts[1].severity, 1);
    assert_int_equal(m.alerts[1].code, 0);
    assert_string_equal(m.alerts[1].description, "");
    gw_model_cleanup(&m);
}

/* Huge tables are capped; the decoder allocates nothing per row beyond the caps. */
static void test_caps(void **state)
{
    struct snmpc_vbset s;
    struct gw_model m;
    uint32_t oid[16];
    size_t n = 0;
    (void)state;
    snmpc_vbset_init(&s);
    for (uint32_t i = 1; i <= 1000; i++) {
        static const uint32_t sup[] = {1, 3, 6, 1, 2, 1, 43, 11, 1, 1, 9, 1};
        static const uint32_t inp[] = {1, 3, 6, 1, 2, 1, 43, 8, 2, 1, 10, 1};
        static const uint32_t alr[] = {1, 3, 6, 1, 2, 1, 43, 18, 1, 1, 2, 1};
        static const uint32_t life[] = {1, 3, 6, 1, 2, 1, 43, 10, 2, 1, 4, 1};
        memcpy(oid, sup, sizeof sup);
        oid[12] = i;
        assert_int_equal(snmpc_vbset_add(&s, oid, 13, SNMPC_T_INTEGER, 5, NULL, 0), 0);
        memcpy(oid, inp, sizeof inp);
        assert_int_equal(snmpc_vbset_add(&s, oid, 13, SNMPC_T_INTEGER, 5, NULL, 0), 0);
        memcpy(oid, alr, sizeof alr);
        assert_int_equal(snmpc_vbset_add(&s, oid, 13, SNMPC_T_INTEGER, 3, NULL, 0), 0);
        memcpy(oid, life, sizeof life);
        assert_int_equal(snmpc_vbset_add(&s, oid, 13, SNMPC_T_COUNTER32, i, NULL, 0), 0);
    }
    gw_model_init(&m);
    snmpc_model_decode(&s, NULL, &m);
    assert_int_equal(m.n_supplies, SNMPC_MAX_SUPPLIES);
    for (size_t i = 0; i < m.n_supplies; i++)
        n += strcmp(m.supplies[i].type, "input") != 0;
    assert_int_equal(n, SNMPC_MAX_SUPPLIES); /* no tray among them */
    assert_int_equal(m.supplies[255].index, 256);
    assert_int_equal(m.n_trays, SNMPC_MAX_TRAYS);
    assert_int_equal(m.trays[SNMPC_MAX_TRAYS - 1].index, SNMPC_MAX_TRAYS);
    assert_int_equal(m.n_alerts, SNMPC_MAX_ALERTS);
    assert_int_equal(m.n_counters, SNMPC_MAX_COUNTERS);
    assert_int_equal(m.page_count_total, 1);
    gw_model_cleanup(&m);
    snmpc_vbset_cleanup(&s);
}

/* Every object the decoder reads, with the wrong type: nothing is filled in, nothing breaks,
 * and the JSON is complete (every string valid UTF-8). */
static void test_wrong_types(void **state)
{
    static const char *const oids[] = {
        "1.3.6.1.2.1.1.1.0",           "1.3.6.1.2.1.1.2.0",           "1.3.6.1.2.1.1.3.0",
        "1.3.6.1.2.1.1.5.0",           "1.3.6.1.2.1.2.2.1.3.1",       "1.3.6.1.2.1.2.2.1.6.1",
        "1.3.6.1.2.1.25.3.2.1.2.1",    "1.3.6.1.2.1.25.3.2.1.3.1",    "1.3.6.1.2.1.25.3.2.1.5.1",
        "1.3.6.1.2.1.25.3.5.1.1.1",    "1.3.6.1.2.1.25.3.5.1.2.1",    "1.3.6.1.2.1.43.5.1.1.17.1",
        "1.3.6.1.2.1.43.8.2.1.9.1.1",  "1.3.6.1.2.1.43.8.2.1.10.1.1", "1.3.6.1.2.1.43.8.2.1.13.1.1",
        "1.3.6.1.2.1.43.10.2.1.4.1.1", "1.3.6.1.2.1.43.11.1.1.3.1.1", "1.3.6.1.2.1.43.11.1.1.5.1.1",
        "1.3.6.1.2.1.43.11.1.1.6.1.1", "1.3.6.1.2.1.43.11.1.1.8.1.1", "1.3.6.1.2.1.43.11.1.1.9.1.1",
        "1.3.6.1.2.1.43.12.1.1.4.1.1", "1.3.6.1.2.1.43.18.1.1.2.1.1", "1.3.6.1.2.1.43.18.1.1.8.1.1",
        "1.3.6.1.2.1.43.18.1.1.9.1.1",
    };
    static const char *const values[] = {"|6|1.3.6.1.4.1.1347", "|64|1.2.3.4", "|5|", "|128|",
                                         "|68x|00ff",           "|4x|ff00fe"};
    (void)state;
    for (size_t v = 0; v < NELEM(values); v++) {
        char walk[4096] = "";
        struct gw_model m;
        json_t *j;
        for (size_t i = 0; i < NELEM(oids); i++) {
            size_t used = strlen(walk);
            snprintf(walk + used, sizeof walk - used, "%s%s\n", oids[i], values[v]);
        }
        decode_text(walk, &m);
        assert_int_equal(m.n_counters, 0);
        assert_int_equal(m.n_alerts, 0);
        assert_false(m.has_page_count);
        assert_int_equal(m.device_status, 0);
        assert_int_equal(m.uptime_ticks, 0);
        assert_string_equal(m.mac, "");
        assert_string_equal(m.serial, "");
        j = gw_model_to_json(&m);
        assert_non_null(j);
        assert_int_equal(json_object_size(j), 21);
        assert_int_equal(json_array_size(json_object_get(j, "supplies")), m.n_supplies);
        assert_int_equal(json_array_size(json_object_get(j, "trays")), m.n_trays);
        json_decref(j);
        gw_model_cleanup(&m);
    }
}

static void test_no_catalogue(void **state)
{
    struct snmpc_vbset s;
    struct gw_model m;
    (void)state;
    load(&s, "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2385.3.1\n"
             "1.3.6.1.2.1.43.10.2.1.4.1.1|65|77\n"
             "1.3.6.1.4.1.2385.1.1.19.2.1.3.1.4.60|65|5\n");
    gw_model_init(&m);
    snmpc_model_decode(&s, NULL, &m);
    assert_string_equal(m.vendor, "Sharp");
    assert_int_equal(m.n_counters, 1);
    assert_int_equal(m.page_count_total, 77);
    gw_model_cleanup(&m);
    snmpc_vbset_cleanup(&s);
}

/* ---------------------------------------------------------------------------------------------
 * Recorded walks against their expected.json
 */

/* A comparison where we disagree with the fixture on purpose. what: "serial", "model" or
 * "supply:<input|marker>:<index>:<field>" with field capacity, percent, type or description.
 * fixture: the fixture's value as text ("" for null). ours: what the decoder must produce. */
struct fixture_exception {
    const char *file;
    const char *what;
    const char *fixture;
    const char *ours;
    const char *reason;
    int used;
};

#define WHY_SOME                                                                                   \
    "prtInputCurrentLevel/prtMarkerSuppliesLevel -3 is RFC 3805's 'at least one "                  \
    "unit remains', a state (some_remaining), not 50%"
#define WHY_CAP "prtMarkerSuppliesMaxCapacity -2 is 'unknown'; the fixture substitutes 100"
#define WHY_PCT                                                                                    \
    "capacity is unknown (-2), so the level is not a percentage; the fixture "                     \
    "assumes it is"
#define WHY_SN                                                                                     \
    "the fixture has no serial, but sysDescr carries the JetDirect SN: field, "                    \
    "which is the printer's serial number"

static struct fixture_exception fixture_exceptions[] = {
    {"brother", "supply:marker:1:capacity", "100", "-2", WHY_CAP, 0},
    {"brother", "supply:marker:1:percent", "50", "-1", WHY_SOME, 0},
    {"brother", "supply:input:1:percent", "50", "-1", WHY_SOME, 0},
    {"brother", "supply:input:2:percent", "50", "-1", WHY_SOME, 0},
    {"brother", "supply:input:3:percent", "50", "-1", WHY_SOME, 0},
    {"canonprinter_tm", "supply:input:2:percent", "50", "-1", WHY_SOME, 0},
    {"dell-laser_s5830dn", "supply:input:2:percent", "50", "-1", WHY_SOME, 0},
    {"dell-laser_s5830dn", "supply:input:3:percent", "50", "-1", WHY_SOME, 0},
    {"fujifilmprinter_c7580", "supply:marker:5:capacity", "100", "-2", WHY_CAP, 0},
    {"fujifilmprinter_c7580", "supply:marker:5:percent", "50", "-1", WHY_SOME, 0},
    {"fujifilmprinter_c810", "supply:marker:5:capacity", "100", "-2", WHY_CAP, 0},
    {"fujifilmprinter_c810", "supply:marker:5:percent", "50", "-1", WHY_SOME, 0},
    {"jetdirect", "serial", "", "AAA0A00000", WHY_SN, 0},
    {"jetdirect_m252dw", "serial", "", "VNB3J99999", WHY_SN, 0},
    {"jetdirect_m252dw", "supply:input:2:percent", "50", "-1", WHY_SOME, 0},
    {"konica", "supply:marker:13:capacity", "100", "-2", WHY_CAP, 0},
    {"konica", "supply:marker:13:percent", "50", "-1", WHY_SOME, 0},
    {"konica_2", "supply:input:1:percent", "50", "-1", WHY_SOME, 0},
    {"sharp_mxm266nv", "supply:marker:2:capacity", "100", "-2", WHY_CAP, 0},
    {"sharp_mxm266nv", "supply:marker:2:percent", "100", "-1", WHY_PCT, 0},
    {"sharp_mxm266nv", "supply:marker:3:capacity", "100", "-2", WHY_CAP, 0},
    {"sharp_mxm266nv", "supply:marker:3:percent", "9", "-1", WHY_PCT, 0},
    {"sharp_mxm266nv", "supply:marker:4:capacity", "100", "-2", WHY_CAP, 0},
    {"sharp_mxm266nv", "supply:marker:4:percent", "9", "-1", WHY_PCT, 0},
    {"sharp_mxm266nv", "supply:input:2:percent", "50", "-1", WHY_SOME, 0},
};

/* Checks one value. Returns: number of failures (0 or 1), printing the reason. */
static int check(const char *file, const char *what, const char *fixture, const char *ours)
{
    for (size_t i = 0; i < NELEM(fixture_exceptions); i++) {
        struct fixture_exception *e = &fixture_exceptions[i];
        if (strcmp(e->file, file) != 0 || strcmp(e->what, what) != 0)
            continue;
        e->used++;
        if (strcmp(e->fixture, fixture) != 0) {
            print_message("%s %s: exception expects fixture '%s', file has '%s'\n", file, what,
                          e->fixture, fixture);
            return 1;
        }
        if (strcmp(e->ours, ours) != 0) {
            print_message("%s %s: decoded '%s', exception requires '%s'\n", file, what, ours,
                          e->ours);
            return 1;
        }
        return 0;
    }
    if (strcmp(fixture, ours) != 0) {
        print_message("%s %s: decoded '%s', fixture has '%s'\n", file, what, ours, fixture);
        return 1;
    }
    return 0;
}

/* The fixture writes "Color LaserJet M452nw" without the maker but "SHARP MX-M266NV" and "Dell
 * S5830dn" with it; the one model rule (gw_model_identity_normalize()) turns both into our
 * form, the maker once in front ("HP Color LaserJet M452nw", "Sharp MX-M266NV"), which still
 * ends with the fixture's text. */
static const char *fixture_model(const char *hardware, const char *vendor, char *buf, size_t len)
{
    struct gw_model f;
    gw_model_init(&f);
    gw_strlcpy(f.vendor, vendor, sizeof f.vendor);
    gw_strlcpy(f.model, hardware, sizeof f.model);
    gw_model_identity_normalize(&f);
    gw_strlcpy(buf, f.model, len);
    gw_model_cleanup(&f);
    return buf;
}

static bool is_mib_supply_type(const char *t)
{
    for (long i = 1; i <= 34; i++)
        if (strcmp(snmpc__supply_type_name(i), t) == 0)
            return true;
    return false;
}

static int compare_fixture(const char *dir, const char *base, const struct snmpc_catalogue *cat,
                           size_t *checks)
{
    char path[1400], fx[64], us[64];
    struct snmpc_vbset s;
    struct gw_errbuf eb;
    struct gw_model m;
    json_error_t jerr;
    json_t *exp, *dev, *sup, *sens;
    const char *v;
    int fails = 0;
    size_t nent;
    const struct snmpc_cat_entry *ent;
    uint32_t enterprise = 0;

    snprintf(path, sizeof path, "%s/%s.snmprec", dir, base);
    snmpc_vbset_init(&s);
    if (snmpc_vbset_load_snmprec(&s, path, &eb) != 0)
        fail_msg("%s", eb.msg);
    snprintf(path, sizeof path, "%s/%s.expected.json", dir, base);
    exp = json_load_file(path, 0, &jerr);
    if (!exp)
        fail_msg("%s: %s", path, jerr.text);
    gw_model_init(&m);
    snmpc_model_decode(&s, cat, &m);

    /* Identity. */
    dev = json_array_get(
        json_object_get(json_object_get(json_object_get(exp, "os"), "discovery"), "devices"), 0);
    v = json_string_value(json_object_get(dev, "serial"));
    fails += check(base, "serial", v ? v : "", m.serial);
    (*checks)++;
    v = json_string_value(json_object_get(dev, "hardware"));
    if (v) {
        char fm[128];
        fails += check(base, "model", fixture_model(v, m.vendor, fm, sizeof fm), m.model);
        (*checks)++;
    }
    if (sscanf(m.sys_object_id, "1.3.6.1.4.1.%u", &enterprise) != 1)
        enterprise = 0;

    /* Supplies, matched by kind (input tray or marker supply) and index. The fixture lists
     * trays among its supplies; we keep them apart: a tray must be in m.trays and never in
     * m.supplies. */
    for (size_t k = 0; k < m.n_supplies; k++) {
        if (strcmp(m.supplies[k].type, "input") == 0) {
            print_message("%s: an input tray among the supplies (index %d)\n", base,
                          m.supplies[k].index);
            fails++;
        }
    }

    sup = json_object_get(json_object_get(json_object_get(exp, "printer-supplies"), "discovery"),
                          "printer_supplies");
    for (size_t i = 0; i < json_array_size(sup); i++) {
        json_t *e = json_array_get(sup, i);
        const char *type = json_string_value(json_object_get(e, "supply_type"));
        const char *descr = json_string_value(json_object_get(e, "supply_descr"));
        int idx = (int)json_integer_value(json_object_get(e, "supply_index"));
        bool input = type && strcmp(type, "input") == 0;
        const char *kind = input ? "input" : "marker";
        const struct gw_supply *sp = NULL;
        const struct gw_tray *tr = NULL;
        const char *our_descr;
        long our_max;
        int our_pct;
        char what[96];

        if (input) {
            for (size_t k = 0; k < m.n_trays; k++)
                if (m.trays[k].index == idx)
                    tr = &m.trays[k];
        } else {
            for (size_t k = 0; k < m.n_supplies; k++)
                if (m.supplies[k].index == idx)
                    sp = &m.supplies[k];
        }
        if (!sp && !tr) {
            print_message("%s: %s %d not decoded\n", base, input ? "tray" : "supply", idx);
            fails++;
            continue;
        }
        if (sp && type && is_mib_supply_type(type)) {
            snprintf(what, sizeof what, "supply:%s:%d:type", kind, idx);
            fails += check(base, what, type, sp->type);
            (*checks)++;
        }
        /* The fixture names a tray by prtInputName, else prtInputDescription. */
        our_descr = sp ? sp->description : tr->name[0] ? tr->name : tr->description;
        our_max = sp ? sp->max_capacity : tr->max_capacity;
        our_pct = sp ? sp->percent : tr->percent;
        snprintf(what, sizeof what, "supply:%s:%d:description", kind, idx);
        fails += check(base, what, descr ? descr : "", our_descr);
        snprintf(what, sizeof what, "supply:%s:%d:capacity", kind, idx);
        snprintf(fx, sizeof fx, "%lld",
                 (long long)json_integer_value(json_object_get(e, "supply_capacity")));
        snprintf(us, sizeof us, "%ld", our_max);
        fails += check(base, what, fx, us);
        snprintf(what, sizeof what, "supply:%s:%d:percent", kind, idx);
        snprintf(fx, sizeof fx, "%lld",
                 (long long)json_integer_value(json_object_get(e, "supply_current")));
        snprintf(us, sizeof us, "%d", our_pct);
        fails += check(base, what, fx, us);
        (*checks) += 3;
    }

    /* Page counters: prtMarkerLifeCount and the catalogue's counters of this enterprise. */
    ent = snmpc_catalogue_vendor(cat, enterprise, &nent);
    sens =
        json_object_get(json_object_get(json_object_get(exp, "sensors"), "discovery"), "sensors");
    for (size_t i = 0; i < json_array_size(sens); i++) {
        json_t *e = json_array_get(sens, i);
        const char *cls = json_string_value(json_object_get(e, "sensor_class"));
        const char *oid = json_string_value(json_object_get(e, "sensor_oid"));
        bool ours = false;
        const struct gw_counter *k = NULL;
        char what[160];

        if (!cls || strcmp(cls, "count") != 0 || !oid)
            continue;
        if (*oid == '.')
            oid++;
        if (strncmp(oid, "1.3.6.1.2.1.43.10.2.1.4.", 24) == 0)
            ours = true;
        for (size_t c = 0; c < nent && !ours; c++) {
            char buf[160];
            ours = strcmp(snmpc_oid_format(ent[c].oid, ent[c].oid_len, buf, sizeof buf), oid) == 0;
        }
        if (!ours)
            continue;
        for (size_t c = 0; c < m.n_counters; c++)
            if (strcmp(m.counters[c].oid, oid) == 0)
                k = &m.counters[c];
        snprintf(what, sizeof what, "counter:%s", oid);
        snprintf(fx, sizeof fx, "%lld",
                 (long long)json_integer_value(json_object_get(e, "sensor_current")));
        if (k)
            snprintf(us, sizeof us, "%llu", (unsigned long long)k->value);
        else
            snprintf(us, sizeof us, "(missing)");
        fails += check(base, what, fx, us);
        (*checks)++;
    }

    json_decref(exp);
    gw_model_cleanup(&m);
    snmpc_vbset_cleanup(&s);
    return fails;
}

static void test_recorded_walks(void **state)
{
    const char *shared = getenv("FLEETGW_SHARED");
    char dir[1024];
    struct snmpc_catalogue *cat = NULL;
    struct dirent **names;
    int n, files = 0, fails = 0;
    size_t checks = 0;
    (void)state;

    if (!shared)
        shared = "../shared";
    snprintf(dir, sizeof dir, "%s/testdata/snmprec", shared);
    n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        print_message("skipping: %s not readable\n", dir);
        skip();
    }
    cat = shipped_catalogue();

    for (int i = 0; i < n; i++) {
        const char *nm = names[i]->d_name;
        size_t l = strlen(nm);
        if (l > 8 && strcmp(nm + l - 8, ".snmprec") == 0) {
            char base[256];
            snprintf(base, sizeof base, "%.*s", (int)(l - 8), nm);
            fails += compare_fixture(dir, base, cat, &checks);
            files++;
        }
        free(names[i]);
    }
    free(names);
    snmpc_catalogue_free(cat);

    for (size_t i = 0; i < NELEM(fixture_exceptions); i++)
        if (fixture_exceptions[i].used != 1) {
            print_message("exception %s %s used %d times (stale?)\n", fixture_exceptions[i].file,
                          fixture_exceptions[i].what, fixture_exceptions[i].used);
            fails++;
        }
    print_message("%d recordings, %zu values compared, %zu documented exceptions\n", files, checks,
                  NELEM(fixture_exceptions));
    assert_int_equal(files, 12);
    assert_true(checks > 150);
    assert_int_equal(fails, 0);
}

/* A walk and the identity the shipped catalogue must decode from it. */
struct ident_case {
    const char *walk;
    const char *vendor, *model, *serial, *firmware;
};

/* Decodes each case's walk with the shipped catalogue and fails naming the first case whose
 * vendor, model (see model_is()), serial or firmware differ. */
static void check_identity(const struct ident_case *cases, size_t n)
{
    struct snmpc_catalogue *cat = shipped_catalogue();

    for (size_t i = 0; i < n; i++) {
        struct snmpc_vbset s;
        struct gw_model m;
        load(&s, cases[i].walk);
        gw_model_init(&m);
        snmpc_model_decode(&s, cat, &m);
        if (strcmp(m.vendor, cases[i].vendor) != 0 || !model_is(&m, cases[i].model) ||
            strcmp(m.serial, cases[i].serial) != 0 || strcmp(m.firmware, cases[i].firmware) != 0)
            fail_msg("case %zu: vendor '%s' model '%s' serial '%s' firmware '%s'", i, m.vendor,
                     m.model, m.serial, m.firmware);
        gw_model_cleanup(&m);
        snmpc_vbset_cleanup(&s);
    }
    snmpc_catalogue_free(cat);
}

/* Identity from sysDescr alone, through the "sysdescr" patterns of the shipped catalogue: devices
 * that expose little more than sysDescr (each value as a public source shows it; the sources
 * are named beside the patterns in snmp/counters.catalogue). */
static void test_sysdescr_patterns_shipped(void **state)
{
#define SYS(objid, descr)                                                                          \
    "1.3.6.1.2.1.1.1.0|4|" descr "\n1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1." objid "\n"
    static const struct ident_case cases[] = {
        /* issue 15: an OKI MC873 behind an OkiLAN 9450g */
        {SYS("2001.1.1.1", "OKI OkiLAN 9450g Rev.01.05 10/100/1000BASE Ethernet PrintServer: "
                           "Attached to MC873 Rev.07.87 : Copyright (c) 2013 Oki Data "
                           "Corporation."),
         "OKI", "MC873", "", "07.87"},
        {SYS("2001.1.1.1", "OKI OkiLAN 8100e Rev.02.73 10/100BASE Ethernet PrintServer: "
                           "Attached to C3200n Rev.N2.14 : (C)2004 Oki Data Corporation"),
         "OKI", "C3200n", "", "N2.14"},
        {SYS("2001.1.1.1", "OKI OkiLAN B63e Rev.1.0.34 10/100BASE EthernetPrintServer Attached "
                           "to B6300 Rev.3.4.8"),
         "OKI", "B6300", "", "3.4.8"},
        /* HP JetDirect, both sysDescr forms */
        {SYS("11.2.3.9.1", "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM "
                           "JSI23900085,CIDATE 02/04/2020"),
         "HP", "", "", "JSI23900085"},
        {SYS("11.2.3.9.1", "HP ETHERNET MULTI-ENVIRONMENT,SN:CNB1234567,FN:1F31B6C,SVCID:26267,"
                           "PID:HP LaserJet Pro M402dne"),
         "HP", "LaserJet Pro M402dne", "CNB1234567", ""},
        {SYS("11.2.3.9.1", "HP ETHERNET MULTI-ENVIRONMENT;SN:CNB7654321;PID:HP OfficeJet 8010"),
         "HP", "OfficeJet 8010", "CNB7654321", ""},
        /* Brother's print server: firmware only, the NC model is no printer's */
        {SYS("2435.2.3.9.1", "Brother NC-8300h, Firmware Ver.1.14  (14.11.06),MID 8C5-F01,FID 2"),
         "Brother", "", "", "1.14"},
        /* Samsung: serial after "S/N"; an empty one is none */
        {SYS("236.11.5.11.62.1", "Samsung X7600GX; V11.01.05.15_06-24-2015;Engine V1.00.77 "
                                 "06-21-2015;NIC ;S/N 082MB1EG400002T"),
         "Samsung", "X7600GX", "082MB1EG400002T", "V11.01.05.15_06-24-2015"},
        /* Xerox and Fuji Xerox: the model is sysDescr up to the ';' (see the catalogue) */
        {SYS("253.8.62.1.20.2.4.1.1", "Xerox WorkCentre 5632 v1 Multifunction System; System "
                                      "Software 025.054.055.00060, ESS 061.060.03400"),
         "Xerox", "WorkCentre 5632 v1 Multifunction System", "", "025.054.055.00060"},
        {SYS("253.8.62.1.20.2.4.1.1", "Xerox WorkCentre 6515; System 65.31.81, Controller "
                                      "1.40.6, IOT 1.0.0"),
         "Xerox", "WorkCentre 6515", "", "65.31.81"},
        {SYS("297.1.11.93.1.35.34.7.1", "FUJI XEROX ApeosPort-VI C4471;ESS1.0.217,IOT 52.54.1"),
         "Fujifilm", "ApeosPort-VI C4471", "", "1.0.217"},
        /* Lexmark */
        {SYS("641.1.1.1", "Lexmark X792 version NH.HS2.N211La kernel 2.6.28.10.1 All-N-1"),
         "Lexmark", "X792", "", "NH.HS2.N211La"},
        /* Ricoh: the number before " / " is the firmware, not part of the model */
        {SYS("367.1.1", "RICOH Aficio AP3800C 1.12 / RICOH Network Printer C model / RICOH "
                        "Network Scanner C model"),
         "Ricoh", "Aficio AP3800C", "", "1.12"},
        {SYS("367.1.1", "RICOH Network Printer C model"), "Ricoh", "", "", ""},
        /* Canon */
        {SYS("1602.4.3", "Canon iR-ADV C5235 /P"), "Canon", "iR-ADV C5235", "", ""},
    };
    (void)state;

    check_identity(cases, NELEM(cases));
#undef SYS
}

/* Identity per vendor with the shipped catalogue: for each maker a minimal walk (sysObjectID,
 * sysDescr, the identity objects that maker answers) and the model, serial and firmware we
 * must report. The model must end with what LibreNMS reports for such a device (it reads the
 * same objects; /work/research notes its rules), unless the difference is our rule that the
 * model never carries the maker. Values: product names, device-ID layouts and sysDescr forms
 * as published (sources per case); serial numbers have each maker's published format. */
static void test_vendor_identity_table(void **state)
{
#define OBJID(o)  "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1." o "\n"
#define DESCR(d)  "1.3.6.1.2.1.1.1.0|4|" d "\n"
#define PRTSN(v)  "1.3.6.1.2.1.43.5.1.1.17.1|4|" v "\n"
#define ENT(o, v) "1.3.6.1.4.1." o "|4|" v "\n"
    static const struct ident_case cases[] = {
        /* 0 HP: gdStatusId's MDL wins over model-name (CUPS device IDs of HP printers, e.g.
         * "MFG:HP;MDL:HP Color LaserJet Pro M252dw;..."); prtGeneralSerialNumber before
         * serial-number; fw-rom-revision before the datecode. */
        {OBJID("11.2.3.9.1") DESCR("HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,"
                                   "EEPROM JSI23900085,CIDATE 02/04/2020") PRTSN("VNB3J12345")
             ENT("11.2.3.9.1.1.7.0", "MFG:HP;CMD:PJL,PCL,PCLXL,POSTSCRIPT,PWGRASTER;"
                                     "MDL:HP Color LaserJet Pro M252dw;CLS:PRINTER;"
                                     "DES:HP Color LaserJet Pro M252dw;")
                 ENT("11.2.3.9.4.2.1.1.3.2.0", "HP Color LaserJet 200 M252")
                     ENT("11.2.3.9.4.2.1.1.3.3.0", "VNB3J99999")
                         ENT("11.2.3.9.4.2.1.1.3.5.0", "20200204")
                             ENT("11.2.3.9.4.2.1.1.3.6.0", "2.0.3 - 20200204"),
         "HP", "Color LaserJet Pro M252dw", "VNB3J12345", "2.0.3 - 20200204"},
        /* 1 HP: MODEL: instead of MDL: (a public device-ID parser test), " series" dropped
         * from an inkjet's family name, serial-number when prtGeneralSerialNumber is empty. */
        {OBJID("11.2.3.9.1") PRTSN("")
             ENT("11.2.3.9.1.1.7.0", "MFG:HP;CMD:PCL3GUI,PJL,URF;MODEL:HP ENVY 5540 series;"
                                     "CLS:PRINTER;") ENT("11.2.3.9.4.2.1.1.3.3.0", "CN53F1K0ZZ")
                 ENT("11.2.3.9.4.2.1.1.3.5.0", "20150318"),
         "HP", "ENVY 5540", "CN53F1K0ZZ", "20150318"},
        /* 2 HP without gdStatusId: model-name, "Hewlett-Packard" removed. */
        {OBJID("11.2.3.9.1") ENT("11.2.3.9.4.2.1.1.3.2.0", "Hewlett-Packard LaserJet 4250"), "HP",
         "LaserJet 4250", "", ""},
        /* 3 OKI behind an OkiLAN card that also answers gdStatusId: its MDL, "OKI " removed. */
        {OBJID("2001.1.1.1.1") DESCR("OKI OkiLAN 9450g Rev.01.05 10/100/1000BASE Ethernet "
                                     "PrintServer: Attached to MC873 Rev.07.87 : Copyright (c) "
                                     "2013 Oki Data Corporation.") PRTSN("AK3A012345A0")
             ENT("11.2.3.9.1.1.7.0", "MFG:OKI DATA CORP;CMD:PCL,XPS,IBMPPR,EPSONFX,POSTSCRIPT,"
                                     "PCLXL,PDF;MDL:OKI MC873;CLS:PRINTER;"),
         "OKI", "MC873", "AK3A012345A0", "07.87"},
        /* 4 OKI, sysDescr only (Observium's OkiLAN example). */
        {OBJID("2001.1.1.1.1") DESCR("OKI OkiLAN 8100e Rev.02.73 10/100BASE Ethernet "
                                     "PrintServer: Attached to C3200n Rev.N2.14 : (C)2004 Oki "
                                     "Data Corporation"),
         "OKI", "C3200n", "", "N2.14"},
        /* 5 Brother: mDNS name without " series"; brInfoSerialNumber before
         * prtGeneralSerialNumber; brInfoDeviceRomVersion. */
        {OBJID("2435.2.3.9.1") DESCR("Brother NC-8300h, Firmware Ver.1.14  (14.11.06),MID "
                                     "8C5-F01,FID 2") PRTSN("E78216X5N000000")
             ENT("2435.2.3.9.4.2.1.5.5.1.0", "E78216X5N123456")
                 ENT("2435.2.4.3.2435.5.13.3.0", "Brother MFC-L2710DW series")
                     ENT("2435.2.3.9.1.1.7.0", "MFG:Brother;CMD:PJL,PCL,PCLXL,URF;MDL:MFC-L2710DW "
                                               "series;CLS:PRINTER;")
                         ENT("2435.2.3.9.4.2.1.5.5.17.0", "1.15")
                             ENT("2435.2.4.3.1240.6.5.0", "Firmware Ver.Q"),
         "Brother", "MFC-L2710DW", "E78216X5N123456", "1.15"},
        /* 6 Brother without an mDNS name: brieee1284id's MDL kept whole (the device ID of a
         * HL-L2350DW as CUPS prints it); brpsFirmwareDescription. */
        {OBJID("2435.2.3.9.1") ENT("2435.2.3.9.1.1.7.0", "MFG:Brother;CMD:PJL,PCL,PCLXL,URF;"
                                                         "MDL:HL-L2350DW series;CLS:PRINTER;")
             ENT("2435.2.3.9.4.2.1.5.5.1.0", "U63878M8N234567")
                 ENT("2435.2.4.3.1240.6.5.0", "Firmware Ver.1.23"),
         "Brother", "HL-L2350DW series", "U63878M8N234567", "1.23"},
        /* 7 Canon: canPdInfoProductName ("iR-ADV C5535", a public walk test) and version. */
        {OBJID("1602.4.7") DESCR("Canon iR-ADV C5535 /P") PRTSN("2VR01234")
             ENT("1602.1.1.1.1.0", "iR-ADV C5535") ENT("1602.1.1.1.4.0", "12.05"),
         "Canon", "iR-ADV C5535", "2VR01234", "12.05"},
        /* 8 Canon keeps " Series" in its product name. */
        {OBJID("1602.4.7") DESCR("Canon MF8500C Series /P") ENT("1602.1.1.1.1.0", "MF8500C Series"),
         "Canon", "MF8500C Series", "", ""},
        /* 9 Canon without sysObjectID (a walk that kept only sysDescr): the Canon pattern. */
        {DESCR("Canon MF642C/643C/644C /P"), "Canon", "MF642C/643C/644C", "", ""},
        /* 10 Dell built by Lexmark: prtgenPeripheralID's MODEL, maker removed. */
        {OBJID("674.10898.100.2.1.1") DESCR("Dell B2360dn Laser Printer version NH41.OP.N210 "
                                            "kernel 2.6.32 All-N-1") PRTSN("4513A3X7")
             ENT("641.2.1.2.1.3.1", "MANUFACTURER:Dell;COMMAND SET:PJL,PCL 6,"
                                    "PostScript;MODEL:Dell B2360dn Laser "
                                    "Printer;CLASS:Printer;"),
         "Dell", "B2360dn Laser Printer", "4513A3X7", "NH41.OP.N210"},
        /* 11 Dell built by Xerox: the xcmGenOptionValueString device ID. */
        {OBJID("674.10898.100.1.1.45")
             ENT("253.8.51.10.2.1.7.2.28110202", "MFG:Dell;CMD:PJL,PCL,PostScript;MDL:Dell 2150cn "
                                                 "Color Printer;CLS:Printer;"),
         "Dell", "2150cn Color Printer", "", ""},
        /* 12 FUJIFILM: sysDescr up to the ';' (LibreNMS's fujifilmprinter rule). */
        {OBJID("297.1.11.93.2.1.41.1") DESCR("FUJIFILM Apeos C3570;ESS1.2.5,IOT 10.10.0,FIN "
                                             "D6.8.0") PRTSN("572731"),
         "Fujifilm", "Apeos C3570", "572731", "1.2.5"},
        /* 13 Xerox: the 1284 device ID's MDL (Observium's Xerox poller example). */
        {OBJID("253.8.62.1.20.2.4.1.1") DESCR("Xerox Phaser 4510N; Net 39.56,ESS 200805061701")
             PRTSN("GTB123456")
                 ENT("253.8.51.1.2.1.20.1", "MFG:Xerox;CMD:Adobe PostScript 3,PCL;MDL:Phaser 4510N;"
                                            "CLS:Printer;DES:Xerox Phaser 4510 Laser Printer, "
                                            "PostScript 3, Letter/A4 Size"),
         "Xerox", "Phaser 4510N", "GTB123456", ""},
        /* 14 Xerox ID without MDL: DES, commas and all. */
        {OBJID("253.8.62.1.20.2.4.1.1")
             ENT("253.8.51.1.2.1.20.1", "MFG:Xerox;CMD:PCL;DES:Xerox Phaser 4510 Laser "
                                        "Printer, PostScript 3"),
         "Xerox", "Phaser 4510 Laser Printer, PostScript 3", "", ""},
        /* 15 Xerox built by Samsung: the Samsung model and firmware objects. */
        {OBJID("253.8.62.1.25.1.1.1") DESCR("Xerox Phaser 3320; V53.00.01.20 Jan-09-2014")
             ENT("236.11.5.1.1.1.1.0", "Phaser 3320") ENT("236.11.5.1.1.1.2.0", "V53.00.01.20"),
         "Xerox", "Phaser 3320", "", "V53.00.01.20"},
        /* 16 Konica Minolta: "KONICA MINOLTA " removed. */
        {OBJID("18334.1.1.1.2.1.2.1.1") PRTSN("A93E021012345")
             ENT("18334.1.1.1.1.6.2.1.0", "KONICA MINOLTA bizhub C300i")
                 ENT("18334.1.1.1.1.6.1.0", "G00-R7"),
         "Konica Minolta", "bizhub C300i", "A93E021012345", "G00-R7"},
        /* 17 Kyocera: kcprtSerialNumber before prtGeneralSerialNumber (values from the
         * comments of LibreNMS's old kyocera poller). */
        {OBJID("1347.41") DESCR("KYOCERA MITA Printing System") PRTSN("QUV0000000X")
             ENT("1347.43.5.1.1.1.1", "FS-1028MFP") ENT("1347.43.5.1.1.28.1", "QUV9600664")
                 ENT("1347.43.5.4.1.5.1.1", "2H9_2F00.002.002"),
         "Kyocera", "FS-1028MFP", "QUV9600664", "2H9_2F00.002.002"},
        /* 18 Lexmark: sysDescr when the private MIB is silent (GLPI's X792 walk). */
        {OBJID("641.1.1") DESCR("Lexmark X792 version NH.HS2.N211La kernel 2.6.28.10.1 All-N-1")
             PRTSN("7562M1123AB4C"),
         "Lexmark", "X792", "7562M1123AB4C", "NH.HS2.N211La"},
        /* 19 Ricoh: ricohSysName, ricohEngSerialNumber first. */
        {OBJID("367.1.1") DESCR("RICOH MP C3003 1.16 / RICOH Network Printer C model / RICOH "
                                "Network Scanner C model") PRTSN("E174M530000")
             ENT("367.3.2.1.1.1.1.0", "MP C3003") ENT("367.3.2.1.1.1.2.0", "1.16")
                 ENT("367.3.2.1.2.1.4.0", "E174M530012"),
         "Ricoh", "MP C3003", "E174M530012", "1.16"},
        /* 20 NRG (a Ricoh brand), sysDescr only. */
        {OBJID("367.1.1") DESCR("NRG MP C3003 1.16 / NRG Network Printer C model / NRG Network "
                                "Scanner C model"),
         "Ricoh", "MP C3003", "", "1.16"},
        /* 21 Samsung: model and serial from sysDescr (Observium's example). */
        {OBJID("236.11.5.11.62.1") DESCR("Samsung X7600GX; V11.01.05.15_06-24-2015;Engine "
                                         "V1.00.77 06-21-2015;NIC ;S/N 082MB1EG400002T"),
         "Samsung", "X7600GX", "082MB1EG400002T", "V11.01.05.15_06-24-2015"},
        /* 22 Samsung: " Series" dropped, as LibreNMS's samsungprinter does. */
        {OBJID("236.11.5.11.55.15") DESCR("Samsung SCX-4x28 Series; V2.00.01.04 AUG-02-2010;"
                                          "Engine V1.00.05;NIC V4.01.05(SCX-4x28);S/N "
                                          "Z5TYBAAZ900123R"),
         "Samsung", "SCX-4x28", "Z5TYBAAZ900123R", "V2.00.01.04"},
        /* 23 Sharp: the model object LibreNMS's sharp discovery reads. */
        {OBJID("2385.3.1.88") DESCR("SHARP MX-3570N") PRTSN("3506041700")
             ENT("2385.2.1.3.2.1.4.13501.1302.1", "MX-3570N") ENT("2385.2.1.1.2.1.2.1", "0702b000"),
         "Sharp", "MX-3570N", "3506041700", "0702b000"},
        /* 24 Zebra: ESI-MIB product number, serial and version; genSerialNumber first. */
        {OBJID("10642.1.1") DESCR("ZebraNet Wired PS ZBR3") PRTSN("XXXXXXXX") ENT(
             "683.1.4.0", "ZT410") ENT("683.1.5.0", "18J184601234") ENT("683.1.9.0", "V75.20.01Z"),
         "Zebra", "ZT410", "18J184601234", "V75.20.01Z"},
        /* 25 Zebra mobile printer: ZEBRA-QL-MIB product name only. */
        {OBJID("10642.200.19") ENT("10642.200.19.7.0", "QLn420"), "Zebra", "QLn420", "", ""},
        /* 26 Epson: the printer name and serial (a public walk test: "WF-C5790",
         * "X4PY123456"); sysDescr names only the network card. */
        {OBJID("1248.1.1.2.1.3.5.69.69.80.83.50") DESCR("EPSON Built-in 11b/g/n Print Server")
             ENT("1248.1.2.2.1.1.1.2.1", "WF-C5790") ENT("1248.1.2.2.1.1.1.5.1", "X4PY123456"),
         "Epson", "WF-C5790", "X4PY123456", ""},
        /* 27 Toshiba TEC: bcpDeviceModel, bcpProductNumber, bcpProductVersion (GLPI). */
        {OBJID("1129.1.2.1") DESCR("TEC B-EX4T1") ENT("1129.1.2.1.1.1.2.1.0", "B-EX4T1-GS12")
             ENT("1129.1.2.1.1.1.1.1.0", "2307Q000123") ENT("1129.1.2.1.1.1.1.2.0", "B1.3D"),
         "Toshiba", "B-EX4T1-GS12", "2307Q000123", "B1.3D"},
    };
    (void)state;

    check_identity(cases, NELEM(cases));
#undef OBJID
#undef DESCR
#undef PRTSN
#undef ENT
}

/* Spot checks of decoded recordings beyond what the fixtures hold. */
static void test_recorded_details(void **state)
{
    const char *shared = getenv("FLEETGW_SHARED");
    char path[1100];
    struct snmpc_catalogue *cat = NULL;
    struct snmpc_vbset s;
    struct gw_errbuf eb;
    struct gw_model m;
    (void)state;

    if (!shared)
        shared = "../shared";
    snprintf(path, sizeof path, "%s/testdata/snmprec/sharp_mxm266nv.snmprec", shared);
    if (access(path, R_OK) != 0) {
        print_message("skipping: %s not readable\n", path);
        skip();
    }
    snmpc_vbset_init(&s);
    assert_int_equal(snmpc_vbset_load_snmprec(&s, path, &eb), 0);
    cat = shipped_catalogue();
    gw_model_init(&m);
    snmpc_model_decode(&s, cat, &m);
    assert_string_equal(m.vendor, "Sharp");
    assert_string_equal(m.mac, "ac:a8:8e:25:69:6c");
    assert_string_equal(m.firmware, "1.04");
    assert_true(m.is_printer);
    assert_int_equal(m.device_status, 2);
    assert_int_equal(m.conditions, 0);
    /* Sharp has no single vendor total: billing falls back to the life count. */
    assert_true(m.has_page_count);
    assert_int_equal(m.page_count_total, 90474);
    assert_string_equal(m.page_count_source, "marker_life.1");
    assert_false(m.counter_disagreement);
    assert_int_equal(gw_model_counter(&m, "total_mono")->value, 90474);
    /* The whole counter table is read: each of its rows in the recording is a counter with
     * the recorded value. */
    {
        static const uint32_t col[] = {1, 3, 6, 1, 4, 1, 2385, 1, 1, 19, 2, 1, 3};
        size_t rows = 0;
        for (size_t i = snmpc_vbset_lower_bound(&s, col, NELEM(col));
             i < s.n && snmpc_oid_has_prefix(s.v[i].oid, s.v[i].oid_len, col, NELEM(col)); i++) {
            char oid[160];
            size_t k;
            snmpc_oid_format(s.v[i].oid, s.v[i].oid_len, oid, sizeof oid);
            for (k = 0; k < m.n_counters; k++)
                if (strcmp(m.counters[k].oid, oid) == 0)
                    break;
            if (k == m.n_counters)
                fail_msg("table row %s is no counter", oid);
            assert_int_equal(m.counters[k].value, s.v[i].num);
            rows++;
        }
        assert_int_equal(rows, 13);
    }
    gw_model_cleanup(&m);
    snmpc_vbset_cleanup(&s);

    snprintf(path, sizeof path, "%s/testdata/snmprec/samsungprinter_m4080fx.snmprec", shared);
    snmpc_vbset_init(&s);
    assert_int_equal(snmpc_vbset_load_snmprec(&s, path, &eb), 0);
    gw_model_init(&m);
    snmpc_model_decode(&s, cat, &m);
    assert_int_equal(m.conditions, GW_COND_LOW_PAPER); /* hrPrinterDetectedErrorState 80 00 */
    assert_int_equal(m.device_status, 3);
    assert_string_equal(m.model, "Samsung M4080FX");
    assert_string_equal(m.firmware, "V11.01.03.04_02-27-2017");
    gw_model_cleanup(&m);
    snmpc_vbset_cleanup(&s);
    snmpc_catalogue_free(cat);
}

/* The invented Kyocera walk in the repository (tests/data), so the Kyocera catalogue lines are
 * exercised even where the shared recordings are absent. */
static void test_demo_kyocera(void **state)
{
    const char *src = getenv("FLEETGW_SRCDIR");
    char path[1100];
    struct snmpc_catalogue *cat = NULL;
    struct snmpc_vbset s;
    struct gw_errbuf eb;
    struct gw_model m;
    const struct gw_counter *k;
    (void)state;

    snprintf(path, sizeof path, "%s/tests/data/snmprec/demo-kyocera.snmprec", src ? src : ".");
    if (access(path, R_OK) != 0) {
        print_message("skipping: %s not readable\n", path);
        skip();
    }
    snmpc_vbset_init(&s);
    if (snmpc_vbset_load_snmprec(&s, path, &eb) != 0)
        fail_msg("%s", eb.msg);
    cat = shipped_catalogue();
    gw_model_init(&m);
    snmpc_model_decode(&s, cat, &m);
    assert_string_equal(m.vendor, "Kyocera");
    assert_string_equal(m.model, "Kyocera ECOSYS M3145dn");
    assert_string_equal(m.serial, "DMO0000001");
    assert_string_equal(m.mac, "00:17:c8:a1:b2:c3");
    assert_true(m.has_page_count);
    assert_int_equal(m.page_count_total, 48211);
    assert_string_equal(m.page_count_source, "total"); /* kcprtMarkerServiceCount */
    assert_false(m.counter_disagreement);
    k = gw_model_counter(&m, "print_total");
    assert_non_null(k);
    assert_int_equal(k->value, 30122);
    assert_int_equal(gw_model_counter(&m, "copy_total")->value, 17012);
    assert_int_equal(gw_model_counter(&m, "fax_total")->value, 1077);
    assert_int_equal(gw_model_counter(&m, "copy_mono")->value, 17012);
    assert_int_equal(m.n_supplies, 2);
    assert_string_equal(m.supplies[0].description, "TK-3160");
    assert_string_equal(m.supplies[0].color, "black");
    assert_int_equal(m.supplies[0].percent, 8);
    assert_int_equal(m.supplies[0].state, GW_SUPPLY_LOW);
    assert_string_equal(m.supplies[1].type, "wasteToner");
    assert_int_equal(m.supplies[1].state, GW_SUPPLY_SOME_REMAINING);
    assert_int_equal(m.n_trays, 1);
    assert_string_equal(m.trays[0].name, "Cassette 1");
    assert_int_equal(m.device_status, 3);
    assert_int_equal(m.printer_status, 3);
    /* The walk's hrPrinterDetectedErrorState is 20 00: bit 2 of RFC 3805, lowToner. */
    assert_int_equal(m.conditions, GW_COND_LOW_TONER);
    assert_int_equal(m.n_alerts, 1);
    assert_int_equal(m.alerts[0].code, 1104); /* markerTonerAlmostEmpty */
    assert_int_equal(m.alerts[0].group, 11);
    assert_string_equal(m.alerts[0].description, "Toner is low.");
    assert_int_equal(m.alerts[0].time_ticks, 8600000);
    gw_model_cleanup(&m);
    snmpc_vbset_cleanup(&s);
    snmpc_catalogue_free(cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_supply_state_table),
        cmocka_unit_test(test_error_state_table),
        cmocka_unit_test(test_supply_type_names),
        cmocka_unit_test(test_prt_names),
        cmocka_unit_test(test_text_decode_table),
        cmocka_unit_test(test_identity_sources),
        cmocka_unit_test(test_model_sources_table),
        cmocka_unit_test(test_model_cut_utf8),
        cmocka_unit_test(test_model_hp_pml_text),
        cmocka_unit_test(test_sysdescr_patterns_shipped),
        cmocka_unit_test(test_vendor_identity_table),
        cmocka_unit_test(test_serial_and_firmware_table),
        cmocka_unit_test(test_mac_text_form),
        cmocka_unit_test(test_is_printer),
        cmocka_unit_test(test_billing_rule_table),
        cmocka_unit_test(test_counter_list),
        cmocka_unit_test(test_vtable_sharp),
        cmocka_unit_test(test_vtable_konica),
        cmocka_unit_test(test_vtable_hp),
        cmocka_unit_test(test_vtable_ricoh),
        cmocka_unit_test(test_vsupplies_ricoh),
        cmocka_unit_test(test_vtable_canon),
        cmocka_unit_test(test_vtable_kyocera),
        cmocka_unit_test(test_vtable_xerox),
        cmocka_unit_test(test_zebra_odometer),
        cmocka_unit_test(test_marker_life_first_row),
        cmocka_unit_test(test_vtable_rules),
        cmocka_unit_test(test_supplies),
        cmocka_unit_test(test_trays),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_alerts),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_no_catalogue),
        cmocka_unit_test(test_recorded_walks),
        cmocka_unit_test(test_recorded_details),
        cmocka_unit_test(test_demo_kyocera),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
