/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Model profiles: what a printer model answers, and which of those answers are replaced per
 * device.
 *
 * A profile is an snmprec recording loaded with snmpc_vbset_load_snmprec(), or the built-in
 * profile below, which is written in the same format and parsed by the same loader. The
 * recording is shared read-only by every device of that model; per-device values (serial, MAC,
 * sysName, uptime, counters, supply levels, status, alerts) are not copied into it but marked:
 * each entry of the sorted MIB view carries a "dyn" kind that the packet path resolves against
 * the device when it is read. That keeps a device at a few hundred bytes however large its
 * recording is, which is what lets one process serve ten thousand of them.
 *
 * Recordings differ in what they hold, so the build step adds placeholders for the objects the
 * simulator animates when a recording lacks them (sysUpTime, sysName, the printer's status and
 * error state, prtMarkerLifeCount, a serial number, a MAC, the snmpEngine group), and replaces
 * whatever prtAlertTable the recording had with one generated per device. Vendor counters of a
 * recording are found through the counter catalogue (snmp/counters.catalogue) and scaled with
 * the device's life count, so they stay consistent with it. The built-in profile knows its
 * Kyocera counters exactly and derives them from per-device page leaves instead.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tests/fleetsim/fleetsim.h"

/* ---------------------------------------------------------------------------------------------
 * The built-in profile: an invented Kyocera TASKalfa 2554ci colour MFP. The Kyocera counter
 * OIDs are those of snmp/counters.catalogue (enterprise 1347), typed INTEGER as the project's
 * demo recording (tests/data/snmprec/demo-kyocera.snmprec) has them. Values of dynamic objects
 * here are placeholders; the serial is the template device serials are made from.
 */
static const char builtin_rec[] =
    "1.3.6.1.2.1.1.1.0|4|KYOCERA Document Solutions Printing System\n"
    "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.1347.41\n"
    "1.3.6.1.2.1.1.3.0|67|0\n"
    "1.3.6.1.2.1.1.4.0|4|\n"
    "1.3.6.1.2.1.1.5.0|4|KM000000\n"
    "1.3.6.1.2.1.1.6.0|4|\n"
    "1.3.6.1.2.1.1.7.0|2|72\n"
    "1.3.6.1.2.1.2.1.0|2|1\n"
    "1.3.6.1.2.1.2.2.1.1.1|2|1\n"
    "1.3.6.1.2.1.2.2.1.2.1|4|Ethernet\n"
    "1.3.6.1.2.1.2.2.1.3.1|2|6\n"
    "1.3.6.1.2.1.2.2.1.4.1|2|1500\n"
    "1.3.6.1.2.1.2.2.1.5.1|66|1000000000\n"
    "1.3.6.1.2.1.2.2.1.6.1|4x|0017c8000000\n"
    "1.3.6.1.2.1.2.2.1.7.1|2|1\n"
    "1.3.6.1.2.1.2.2.1.8.1|2|1\n"
    "1.3.6.1.2.1.25.1.1.0|67|0\n"
    "1.3.6.1.2.1.25.2.2.0|2|2097152\n"
    "1.3.6.1.2.1.25.3.2.1.1.1|2|1\n"
    "1.3.6.1.2.1.25.3.2.1.2.1|6|1.3.6.1.2.1.25.3.1.5\n"
    "1.3.6.1.2.1.25.3.2.1.3.1|4|Kyocera TASKalfa 2554ci\n"
    "1.3.6.1.2.1.25.3.2.1.4.1|6|0.0\n"
    "1.3.6.1.2.1.25.3.2.1.5.1|2|2\n"
    "1.3.6.1.2.1.25.3.2.1.6.1|65|0\n"
    "1.3.6.1.2.1.25.3.5.1.1.1|2|3\n"
    "1.3.6.1.2.1.25.3.5.1.2.1|4x|0000\n"
    /* prtGeneralTable */
    "1.3.6.1.2.1.43.5.1.1.1.1|65|4\n"
    "1.3.6.1.2.1.43.5.1.1.2.1|2|1\n"
    "1.3.6.1.2.1.43.5.1.1.3.1|2|3\n"
    "1.3.6.1.2.1.43.5.1.1.4.1|4|\n"
    "1.3.6.1.2.1.43.5.1.1.5.1|4|\n"
    "1.3.6.1.2.1.43.5.1.1.6.1|2|1\n"
    "1.3.6.1.2.1.43.5.1.1.7.1|2|1\n"
    "1.3.6.1.2.1.43.5.1.1.8.1|2|1\n"
    "1.3.6.1.2.1.43.5.1.1.9.1|2|1\n"
    "1.3.6.1.2.1.43.5.1.1.10.1|2|1\n"
    "1.3.6.1.2.1.43.5.1.1.11.1|2|5\n"
    "1.3.6.1.2.1.43.5.1.1.12.1|2|40\n"
    "1.3.6.1.2.1.43.5.1.1.13.1|2|3\n"
    "1.3.6.1.2.1.43.5.1.1.16.1|4|TASKalfa 2554ci\n"
    "1.3.6.1.2.1.43.5.1.1.17.1|4|RVJ9400001\n"
    "1.3.6.1.2.1.43.5.1.1.18.1|65|0\n"
    "1.3.6.1.2.1.43.5.1.1.19.1|65|0\n"
    /* prtInputTable: two cassettes and the multi-purpose tray */
    "1.3.6.1.2.1.43.8.2.1.2.1.1|2|3\n"
    "1.3.6.1.2.1.43.8.2.1.2.1.2|2|3\n"
    "1.3.6.1.2.1.43.8.2.1.2.1.3|2|4\n"
    "1.3.6.1.2.1.43.8.2.1.3.1.1|2|4\n"
    "1.3.6.1.2.1.43.8.2.1.3.1.2|2|4\n"
    "1.3.6.1.2.1.43.8.2.1.3.1.3|2|4\n"
    "1.3.6.1.2.1.43.8.2.1.4.1.1|2|297000\n"
    "1.3.6.1.2.1.43.8.2.1.4.1.2|2|420000\n"
    "1.3.6.1.2.1.43.8.2.1.4.1.3|2|-1\n"
    "1.3.6.1.2.1.43.8.2.1.5.1.1|2|210000\n"
    "1.3.6.1.2.1.43.8.2.1.5.1.2|2|297000\n"
    "1.3.6.1.2.1.43.8.2.1.5.1.3|2|-1\n"
    "1.3.6.1.2.1.43.8.2.1.8.1.1|2|8\n"
    "1.3.6.1.2.1.43.8.2.1.8.1.2|2|8\n"
    "1.3.6.1.2.1.43.8.2.1.8.1.3|2|8\n"
    "1.3.6.1.2.1.43.8.2.1.9.1.1|2|500\n"
    "1.3.6.1.2.1.43.8.2.1.9.1.2|2|500\n"
    "1.3.6.1.2.1.43.8.2.1.9.1.3|2|100\n"
    "1.3.6.1.2.1.43.8.2.1.10.1.1|2|-3\n"
    "1.3.6.1.2.1.43.8.2.1.10.1.2|2|-3\n"
    "1.3.6.1.2.1.43.8.2.1.10.1.3|2|0\n"
    "1.3.6.1.2.1.43.8.2.1.11.1.1|2|0\n"
    "1.3.6.1.2.1.43.8.2.1.11.1.2|2|0\n"
    "1.3.6.1.2.1.43.8.2.1.11.1.3|2|0\n"
    "1.3.6.1.2.1.43.8.2.1.12.1.1|4|A4\n"
    "1.3.6.1.2.1.43.8.2.1.12.1.2|4|A3\n"
    "1.3.6.1.2.1.43.8.2.1.12.1.3|4|A4\n"
    "1.3.6.1.2.1.43.8.2.1.13.1.1|4|Cassette 1\n"
    "1.3.6.1.2.1.43.8.2.1.13.1.2|4|Cassette 2\n"
    "1.3.6.1.2.1.43.8.2.1.13.1.3|4|MP Tray\n"
    "1.3.6.1.2.1.43.8.2.1.14.1.1|4|Kyocera\n"
    "1.3.6.1.2.1.43.8.2.1.14.1.2|4|Kyocera\n"
    "1.3.6.1.2.1.43.8.2.1.14.1.3|4|Kyocera\n"
    "1.3.6.1.2.1.43.8.2.1.18.1.1|4|Cassette 1\n"
    "1.3.6.1.2.1.43.8.2.1.18.1.2|4|Cassette 2\n"
    "1.3.6.1.2.1.43.8.2.1.18.1.3|4|MP Tray\n"
    "1.3.6.1.2.1.43.8.2.1.21.1.1|4|stationery\n"
    "1.3.6.1.2.1.43.8.2.1.21.1.2|4|stationery\n"
    "1.3.6.1.2.1.43.8.2.1.21.1.3|4|stationery\n"
    "1.3.6.1.2.1.43.8.2.1.22.1.1|4|white\n"
    "1.3.6.1.2.1.43.8.2.1.22.1.2|4|white\n"
    "1.3.6.1.2.1.43.8.2.1.22.1.3|4|white\n"
    /* prtOutputTable */
    "1.3.6.1.2.1.43.9.2.1.2.1.1|2|4\n"
    "1.3.6.1.2.1.43.9.2.1.3.1.1|2|8\n"
    "1.3.6.1.2.1.43.9.2.1.4.1.1|2|250\n"
    "1.3.6.1.2.1.43.9.2.1.5.1.1|2|-3\n"
    "1.3.6.1.2.1.43.9.2.1.6.1.1|2|0\n"
    "1.3.6.1.2.1.43.9.2.1.7.1.1|4|Inner Tray\n"
    /* prtMarkerTable */
    "1.3.6.1.2.1.43.10.2.1.2.1.1|2|4\n"
    "1.3.6.1.2.1.43.10.2.1.3.1.1|2|7\n"
    "1.3.6.1.2.1.43.10.2.1.4.1.1|65|0\n"
    "1.3.6.1.2.1.43.10.2.1.5.1.1|65|0\n"
    "1.3.6.1.2.1.43.10.2.1.6.1.1|2|4\n"
    "1.3.6.1.2.1.43.10.2.1.7.1.1|2|0\n"
    "1.3.6.1.2.1.43.10.2.1.8.1.1|2|3\n"
    "1.3.6.1.2.1.43.10.2.1.9.1.1|2|600\n"
    "1.3.6.1.2.1.43.10.2.1.10.1.1|2|600\n"
    "1.3.6.1.2.1.43.10.2.1.11.1.1|2|2000\n"
    "1.3.6.1.2.1.43.10.2.1.12.1.1|2|2000\n"
    "1.3.6.1.2.1.43.10.2.1.13.1.1|2|2000\n"
    "1.3.6.1.2.1.43.10.2.1.14.1.1|2|2000\n"
    "1.3.6.1.2.1.43.10.2.1.15.1.1|2|0\n"
    /* prtMarkerSuppliesTable: four toners, the drum and the waste toner box */
    "1.3.6.1.2.1.43.11.1.1.2.1.1|2|1\n"
    "1.3.6.1.2.1.43.11.1.1.2.1.2|2|1\n"
    "1.3.6.1.2.1.43.11.1.1.2.1.3|2|1\n"
    "1.3.6.1.2.1.43.11.1.1.2.1.4|2|1\n"
    "1.3.6.1.2.1.43.11.1.1.2.1.5|2|1\n"
    "1.3.6.1.2.1.43.11.1.1.2.1.6|2|1\n"
    "1.3.6.1.2.1.43.11.1.1.3.1.1|2|1\n"
    "1.3.6.1.2.1.43.11.1.1.3.1.2|2|2\n"
    "1.3.6.1.2.1.43.11.1.1.3.1.3|2|3\n"
    "1.3.6.1.2.1.43.11.1.1.3.1.4|2|4\n"
    "1.3.6.1.2.1.43.11.1.1.3.1.5|2|0\n"
    "1.3.6.1.2.1.43.11.1.1.3.1.6|2|0\n"
    "1.3.6.1.2.1.43.11.1.1.4.1.1|2|3\n"
    "1.3.6.1.2.1.43.11.1.1.4.1.2|2|3\n"
    "1.3.6.1.2.1.43.11.1.1.4.1.3|2|3\n"
    "1.3.6.1.2.1.43.11.1.1.4.1.4|2|3\n"
    "1.3.6.1.2.1.43.11.1.1.4.1.5|2|3\n"
    "1.3.6.1.2.1.43.11.1.1.4.1.6|2|4\n"
    "1.3.6.1.2.1.43.11.1.1.5.1.1|2|3\n"
    "1.3.6.1.2.1.43.11.1.1.5.1.2|2|3\n"
    "1.3.6.1.2.1.43.11.1.1.5.1.3|2|3\n"
    "1.3.6.1.2.1.43.11.1.1.5.1.4|2|3\n"
    "1.3.6.1.2.1.43.11.1.1.5.1.5|2|9\n"
    "1.3.6.1.2.1.43.11.1.1.5.1.6|2|4\n"
    "1.3.6.1.2.1.43.11.1.1.6.1.1|4|TK-8345C\n"
    "1.3.6.1.2.1.43.11.1.1.6.1.2|4|TK-8345M\n"
    "1.3.6.1.2.1.43.11.1.1.6.1.3|4|TK-8345Y\n"
    "1.3.6.1.2.1.43.11.1.1.6.1.4|4|TK-8345K\n"
    "1.3.6.1.2.1.43.11.1.1.6.1.5|4|DK-8350\n"
    "1.3.6.1.2.1.43.11.1.1.6.1.6|4|Waste Toner Box\n"
    "1.3.6.1.2.1.43.11.1.1.7.1.1|2|19\n"
    "1.3.6.1.2.1.43.11.1.1.7.1.2|2|19\n"
    "1.3.6.1.2.1.43.11.1.1.7.1.3|2|19\n"
    "1.3.6.1.2.1.43.11.1.1.7.1.4|2|19\n"
    "1.3.6.1.2.1.43.11.1.1.7.1.5|2|19\n"
    "1.3.6.1.2.1.43.11.1.1.7.1.6|2|19\n"
    "1.3.6.1.2.1.43.11.1.1.8.1.1|2|100\n"
    "1.3.6.1.2.1.43.11.1.1.8.1.2|2|100\n"
    "1.3.6.1.2.1.43.11.1.1.8.1.3|2|100\n"
    "1.3.6.1.2.1.43.11.1.1.8.1.4|2|100\n"
    "1.3.6.1.2.1.43.11.1.1.8.1.5|2|100\n"
    "1.3.6.1.2.1.43.11.1.1.8.1.6|2|100\n"
    "1.3.6.1.2.1.43.11.1.1.9.1.1|2|100\n"
    "1.3.6.1.2.1.43.11.1.1.9.1.2|2|100\n"
    "1.3.6.1.2.1.43.11.1.1.9.1.3|2|100\n"
    "1.3.6.1.2.1.43.11.1.1.9.1.4|2|100\n"
    "1.3.6.1.2.1.43.11.1.1.9.1.5|2|100\n"
    "1.3.6.1.2.1.43.11.1.1.9.1.6|2|100\n"
    /* prtMarkerColorantTable */
    "1.3.6.1.2.1.43.12.1.1.2.1.1|2|1\n"
    "1.3.6.1.2.1.43.12.1.1.2.1.2|2|1\n"
    "1.3.6.1.2.1.43.12.1.1.2.1.3|2|1\n"
    "1.3.6.1.2.1.43.12.1.1.2.1.4|2|1\n"
    "1.3.6.1.2.1.43.12.1.1.3.1.1|2|3\n"
    "1.3.6.1.2.1.43.12.1.1.3.1.2|2|3\n"
    "1.3.6.1.2.1.43.12.1.1.3.1.3|2|3\n"
    "1.3.6.1.2.1.43.12.1.1.3.1.4|2|3\n"
    "1.3.6.1.2.1.43.12.1.1.4.1.1|4|cyan\n"
    "1.3.6.1.2.1.43.12.1.1.4.1.2|4|magenta\n"
    "1.3.6.1.2.1.43.12.1.1.4.1.3|4|yellow\n"
    "1.3.6.1.2.1.43.12.1.1.4.1.4|4|black\n"
    "1.3.6.1.2.1.43.12.1.1.5.1.1|2|256\n"
    "1.3.6.1.2.1.43.12.1.1.5.1.2|2|256\n"
    "1.3.6.1.2.1.43.12.1.1.5.1.3|2|256\n"
    "1.3.6.1.2.1.43.12.1.1.5.1.4|2|256\n"
    /* prtConsoleDisplayBufferTable */
    "1.3.6.1.2.1.43.16.5.1.2.1.1|4|Ready to print.\n"
    /* Kyocera private counters and identity (snmp/counters.catalogue, enterprise 1347) */
    "1.3.6.1.4.1.1347.42.3.1.1.1.1.1|2|0\n"
    "1.3.6.1.4.1.1347.42.3.1.1.1.1.2|2|0\n"
    "1.3.6.1.4.1.1347.42.3.1.1.1.1.4|2|0\n"
    "1.3.6.1.4.1.1347.42.3.1.2.1.1.1.1|2|0\n"
    "1.3.6.1.4.1.1347.42.3.1.2.1.1.1.2|2|0\n"
    "1.3.6.1.4.1.1347.42.3.1.2.1.1.1.3|2|0\n"
    "1.3.6.1.4.1.1347.42.3.1.2.1.1.2.1|2|0\n"
    "1.3.6.1.4.1.1347.42.3.1.2.1.1.2.2|2|0\n"
    "1.3.6.1.4.1.1347.42.3.1.2.1.1.2.3|2|0\n"
    "1.3.6.1.4.1.1347.42.3.1.2.1.1.4.1|2|0\n"
    "1.3.6.1.4.1.1347.42.3.1.3.1.1.2|2|0\n"
    "1.3.6.1.4.1.1347.42.3.1.3.1.1.4|2|0\n"
    "1.3.6.1.4.1.1347.42.3.1.4.1.1.1|2|0\n"
    "1.3.6.1.4.1.1347.43.5.1.1.1.1|4|TASKalfa 2554ci\n"
    "1.3.6.1.4.1.1347.43.5.1.1.28.1|4|RVJ9400001\n"
    "1.3.6.1.4.1.1347.43.5.4.1.5.1.1|4|2V7_2F00.004.212\n"
    "1.3.6.1.4.1.1347.43.10.1.1.12.1.1|2|0\n";

/* The first seven leaves (prints, copies, faxes) make up the life count. */
#define L(x)  (1u << (x))
#define PAGES 0x7fu

static const struct {
    const char *oid;
    uint16_t leaves;
} builtin_ctrs[] = {
    {"1.3.6.1.2.1.43.10.2.1.4.1.1", PAGES}, /* prtMarkerLifeCount: first, it is life_ctr */
    {"1.3.6.1.4.1.1347.43.10.1.1.12.1.1", PAGES},
    {"1.3.6.1.4.1.1347.42.3.1.1.1.1.1",
     L(T_LEAF_PRINT_MONO) | L(T_LEAF_PRINT_SINGLE) | L(T_LEAF_PRINT_FULL)},
    {"1.3.6.1.4.1.1347.42.3.1.1.1.1.2",
     L(T_LEAF_COPY_MONO) | L(T_LEAF_COPY_SINGLE) | L(T_LEAF_COPY_FULL)},
    {"1.3.6.1.4.1.1347.42.3.1.1.1.1.4", L(T_LEAF_FAX_MONO)},
    {"1.3.6.1.4.1.1347.42.3.1.2.1.1.1.1", L(T_LEAF_PRINT_MONO)},
    {"1.3.6.1.4.1.1347.42.3.1.2.1.1.1.2", L(T_LEAF_PRINT_SINGLE)},
    {"1.3.6.1.4.1.1347.42.3.1.2.1.1.1.3", L(T_LEAF_PRINT_FULL)},
    {"1.3.6.1.4.1.1347.42.3.1.2.1.1.2.1", L(T_LEAF_COPY_MONO)},
    {"1.3.6.1.4.1.1347.42.3.1.2.1.1.2.2", L(T_LEAF_COPY_SINGLE)},
    {"1.3.6.1.4.1.1347.42.3.1.2.1.1.2.3", L(T_LEAF_COPY_FULL)},
    {"1.3.6.1.4.1.1347.42.3.1.2.1.1.4.1", L(T_LEAF_FAX_MONO)},
    {"1.3.6.1.4.1.1347.42.3.1.3.1.1.2", L(T_LEAF_SCAN_COPY)},
    {"1.3.6.1.4.1.1347.42.3.1.3.1.1.4", L(T_LEAF_SCAN_FAX)},
    {"1.3.6.1.4.1.1347.42.3.1.4.1.1.1", L(T_LEAF_SCAN_OTHER)},
};

/* ---------------------------------------------------------------------------------------------
 * OIDs the build step looks for
 */
static const uint32_t o_sysobjectid[] = {1, 3, 6, 1, 2, 1, 1, 2, 0};
static const uint32_t o_sysuptime[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
static const uint32_t o_sysname[] = {1, 3, 6, 1, 2, 1, 1, 5, 0};
static const uint32_t o_ifphys[] = {1, 3, 6, 1, 2, 1, 2, 2, 1, 6};
static const uint32_t o_hruptime[] = {1, 3, 6, 1, 2, 1, 25, 1, 1, 0};
static const uint32_t o_hrdevtype[] = {1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 2};
static const uint32_t o_hrdevstatus[] = {1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 5};
static const uint32_t o_hrprinter_type[] = {1, 3, 6, 1, 2, 1, 25, 3, 1, 5};
static const uint32_t o_hrprtstatus[] = {1, 3, 6, 1, 2, 1, 25, 3, 5, 1, 1};
static const uint32_t o_hrerrstate[] = {1, 3, 6, 1, 2, 1, 25, 3, 5, 1, 2};
static const uint32_t o_prtgeneral[] = {1, 3, 6, 1, 2, 1, 43, 5, 1, 1};
static const uint32_t o_marker[] = {1, 3, 6, 1, 2, 1, 43, 10, 2, 1};
static const uint32_t o_supplies[] = {1, 3, 6, 1, 2, 1, 43, 11, 1, 1};
static const uint32_t o_colorant_value[] = {1, 3, 6, 1, 2, 1, 43, 12, 1, 1, 4};
static const uint32_t o_console[] = {1, 3, 6, 1, 2, 1, 43, 16, 5, 1, 2};
static const uint32_t o_alert_entry[] = {1, 3, 6, 1, 2, 1, 43, 18, 1, 1};
static const uint32_t o_engine[] = {1, 3, 6, 1, 6, 3, 10, 2, 1};
#define N(a) (sizeof(a) / sizeof((a)[0]))

struct oidbuf {
    uint32_t v[T_MAX_OID];
    size_t n;
};

/* Builds prefix.a.b... into o. */
static void mk(struct oidbuf *o, const uint32_t *prefix, size_t n, int nsub, ...)
{
    va_list ap;
    memcpy(o->v, prefix, n * sizeof *prefix);
    o->n = n;
    va_start(ap, nsub);
    for (int i = 0; i < nsub; i++)
        o->v[o->n++] = va_arg(ap, uint32_t);
    va_end(ap);
}

static bool oid_eq(const struct snmpc_vb *vb, const struct oidbuf *o)
{
    return snmpc_oid_cmp(vb->oid, vb->oid_len, o->v, o->n) == 0;
}

static const struct snmpc_vb *get(const struct t_profile *p, const struct oidbuf *o)
{
    return snmpc_vbset_get(&p->set, o->v, o->n);
}

static bool is_number(const struct snmpc_vb *vb)
{
    return vb && (vb->type == SNMPC_T_INTEGER || vb->type == SNMPC_T_COUNTER32 ||
                  vb->type == SNMPC_T_GAUGE32 || vb->type == SNMPC_T_COUNTER64);
}

/* BER tag of a varbind type; 0 for SNMPC_T_NOSUCH, which has no value to serve. */
uint8_t t_tag_of(enum snmpc_vtype t)
{
    switch (t) {
    case SNMPC_T_INTEGER:
        return T_BER_INT;
    case SNMPC_T_OCTETS:
        return T_BER_OCTETS;
    case SNMPC_T_OID:
        return T_BER_OID;
    case SNMPC_T_IPADDR:
        return T_BER_IPADDR;
    case SNMPC_T_COUNTER32:
        return T_BER_COUNTER32;
    case SNMPC_T_GAUGE32:
        return T_BER_GAUGE32;
    case SNMPC_T_TIMETICKS:
        return T_BER_TIMETICKS;
    case SNMPC_T_COUNTER64:
        return T_BER_COUNTER64;
    case SNMPC_T_OPAQUE:
        return T_BER_OPAQUE;
    case SNMPC_T_NULL:
        return T_BER_NULL;
    default:
        return 0;
    }
}

/* Adds a placeholder when the recording lacks the object. */
static int ensure(struct t_profile *p, const struct oidbuf *o, enum snmpc_vtype t, int64_t num,
                  const void *val, size_t len)
{
    if (get(p, o))
        return 0;
    return snmpc_vbset_add(&p->set, o->v, o->n, t, num, val, len);
}

static bool serial_usable(const struct snmpc_vb *vb)
{
    if (!vb || vb->type != SNMPC_T_OCTETS || vb->len < 4 || vb->len >= T_SERIAL_MAX)
        return false;
    if (vb->len == 9 && memcmp(vb->buf, "<private>", 9) == 0)
        return false;
    size_t alnum = 0;
    for (size_t i = 0; i < vb->len; i++) {
        if (!isprint(vb->buf[i]))
            return false;
        alnum += isalnum(vb->buf[i]) != 0;
    }
    /* Seven letters or digits give at least 10^7 serials, enough for T_MAX_DEVICES unique
     * ones (device.c varies them); a shorter recorded serial is not used as the template. */
    return alnum >= 7;
}

static uint32_t find_printer_index(const struct t_profile *p)
{
    size_t i = snmpc_vbset_lower_bound(&p->set, o_hrdevtype, N(o_hrdevtype));
    for (; i < p->set.n; i++) {
        const struct snmpc_vb *vb = &p->set.v[i];
        if (!snmpc_oid_has_prefix(vb->oid, vb->oid_len, o_hrdevtype, N(o_hrdevtype)))
            break;
        if (vb->oid_len == N(o_hrdevtype) + 1 && vb->type == SNMPC_T_OID &&
            snmpc_oid_cmp(vb->oidval, vb->len, o_hrprinter_type, N(o_hrprinter_type)) == 0)
            return vb->oid[vb->oid_len - 1];
    }
    i = snmpc_vbset_lower_bound(&p->set, o_hrprtstatus, N(o_hrprtstatus));
    if (i < p->set.n &&
        snmpc_oid_has_prefix(p->set.v[i].oid, p->set.v[i].oid_len, o_hrprtstatus,
                             N(o_hrprtstatus)) &&
        p->set.v[i].oid_len == N(o_hrprtstatus) + 1)
        return p->set.v[i].oid[N(o_hrprtstatus)];
    return 1;
}

static bool text_has(const struct snmpc_vb *vb, const char *word)
{
    if (!vb || vb->type != SNMPC_T_OCTETS)
        return false;
    size_t wl = strlen(word);
    for (size_t i = 0; i + wl <= vb->len; i++)
        if (strncasecmp((const char *)vb->buf + i, word, wl) == 0)
            return true;
    return false;
}

/* Decides how printing wears a supply: toners by colour, drums and waste boxes by every page,
 * staples and the like not at all. */
static void supply_usage(struct t_profile *p, struct t_supply *s, const struct snmpc_vb *desc,
                         const struct snmpc_vb *colorant)
{
    static const char *const colours[] = {"cyan", "magenta", "yellow", "colour", "color"};
    bool colour = false;
    for (size_t i = 0; i < N(colours); i++)
        if (text_has(colorant, colours[i]) || text_has(desc, colours[i]))
            colour = true;
    switch (s->type) {
    case 3:  /* toner */
    case 5:  /* ink */
    case 6:  /* inkCartridge */
    case 21: /* tonerCartridge */
        s->usage = colour ? T_USE_COLOUR : T_USE_ALL;
        s->yield = colour ? 9000 : 12000;
        break;
    case 9:  /* opc (drum) */
    case 10: /* developer */
        s->usage = colour ? T_USE_COLOUR : T_USE_ALL;
        s->yield = 60000;
        break;
    case 4: /* wasteToner */
    case 8: /* wasteInk */
        s->usage = T_USE_ALL;
        s->yield = 40000;
        break;
    case 15: /* fuser */
    case 18: /* cleanerUnit */
    case 20: /* transferUnit */
        s->usage = T_USE_ALL;
        s->yield = 150000;
        break;
    default:
        s->usage = T_USE_NONE;
        s->yield = 0;
        break;
    }
    if (s->usage == T_USE_COLOUR)
        p->colour = true;
}

static void find_supplies(struct t_profile *p)
{
    struct oidbuf pre, o;
    mk(&pre, o_supplies, N(o_supplies), 2, 9u, p->hr_index);
    size_t i = snmpc_vbset_lower_bound(&p->set, pre.v, pre.n);
    for (; i < p->set.n && p->nsup < T_MAX_SUPPLIES; i++) {
        const struct snmpc_vb *vb = &p->set.v[i];
        if (!snmpc_oid_has_prefix(vb->oid, vb->oid_len, pre.v, pre.n))
            break;
        if (vb->oid_len != pre.n + 1 || vb->type != SNMPC_T_INTEGER)
            continue;
        struct t_supply *s = &p->sup[p->nsup++];
        s->index = vb->oid[pre.n];
        s->level = (int32_t)vb->num;
        mk(&o, o_supplies, N(o_supplies), 3, 8u, p->hr_index, s->index);
        const struct snmpc_vb *x = get(p, &o);
        s->max = x && x->type == SNMPC_T_INTEGER ? (int32_t)x->num : -2;
        mk(&o, o_supplies, N(o_supplies), 3, 5u, p->hr_index, s->index);
        x = get(p, &o);
        s->type =
            x && x->type == SNMPC_T_INTEGER && x->num > 0 && x->num < 256 ? (uint8_t)x->num : 1;
        mk(&o, o_supplies, N(o_supplies), 3, 4u, p->hr_index, s->index);
        x = get(p, &o);
        s->klass =
            x && x->type == SNMPC_T_INTEGER && x->num > 0 && x->num < 256 ? (uint8_t)x->num : 3;
        mk(&o, o_supplies, N(o_supplies), 3, 6u, p->hr_index, s->index);
        const struct snmpc_vb *desc = get(p, &o);
        s->desc = desc && desc->type == SNMPC_T_OCTETS ? (const char *)desc->buf : "supply";
        mk(&o, o_supplies, N(o_supplies), 3, 3u, p->hr_index, s->index);
        x = get(p, &o);
        const struct snmpc_vb *colorant = NULL;
        if (x && x->type == SNMPC_T_INTEGER && x->num > 0 && x->num <= UINT32_MAX) {
            mk(&o, o_colorant_value, N(o_colorant_value), 2, p->hr_index, (uint32_t)x->num);
            colorant = get(p, &o);
        }
        supply_usage(p, s, desc, colorant);
    }
}

int t_profile_supply_slot(const struct t_profile *p, uint32_t index)
{
    for (size_t i = 0; i < p->nsup; i++)
        if (p->sup[i].index == index)
            return (int)i;
    return -1;
}

static int add_counter(struct t_profile *p, bool scaled, uint16_t leaves, uint64_t v0, uint8_t tag)
{
    if (p->nctr >= T_MAX_COUNTERS)
        return -1;
    struct t_counter *c = &p->ctr[p->nctr];
    c->scaled = scaled;
    c->leaves = leaves;
    c->v0 = v0;
    c->tag = tag;
    return (int)p->nctr++;
}

/* Returns: the catalogue counter spec for vb, or -1. */
static int catalogue_counter(struct t_profile *p, const struct snmpc_catalogue *cat,
                             const struct snmpc_vb *vb)
{
    size_t n = 0;
    const struct snmpc_cat_entry *ce = cat ? snmpc_catalogue_vendor(cat, p->enterprise, &n) : NULL;
    for (size_t i = 0; i < n; i++) {
        if (ce[i].role != SNMPC_ROLE_OTHER && ce[i].role != SNMPC_ROLE_TOTAL)
            continue;
        if (snmpc_oid_cmp(ce[i].oid, ce[i].oid_len, vb->oid, vb->oid_len) == 0)
            return add_counter(p, true, 0, vb->num < 0 ? 0 : (uint64_t)vb->num, t_tag_of(vb->type));
    }
    return -1;
}

static bool catalogue_is_serial(const struct t_profile *p, const struct snmpc_catalogue *cat,
                                const struct snmpc_vb *vb)
{
    size_t n = 0;
    const struct snmpc_cat_entry *ce = cat ? snmpc_catalogue_vendor(cat, p->enterprise, &n) : NULL;
    for (size_t i = 0; i < n; i++)
        if (ce[i].role == 2 /* SNMPC_ROLE_SERIAL, snmp/snmpc_int.h */ &&
            snmpc_oid_cmp(ce[i].oid, ce[i].oid_len, vb->oid, vb->oid_len) == 0)
            return true;
    return false;
}

static void push(struct t_profile *p, size_t *cap, const uint32_t *oid, size_t oid_len, uint8_t dyn,
                 uint16_t arg, const struct snmpc_vb *vb)
{
    if (p->n == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        p->e = gw_realloc(p->e, *cap * sizeof *p->e);
    }
    struct t_entry *e = &p->e[p->n++];
    e->oid = oid;
    e->oid_len = (uint16_t)oid_len;
    e->dyn = dyn;
    e->arg = arg;
    e->vb = vb;
}

/* Finds the serial inside a longer text. Returns: its offset, or -1. */
static long serial_offset(const struct t_profile *p, const struct snmpc_vb *vb)
{
    size_t sl = strlen(p->serial);
    if (sl < 6 || vb->type != SNMPC_T_OCTETS || vb->len <= sl || vb->len > 65535)
        return -1;
    for (size_t i = 0; i + sl <= vb->len; i++)
        if (memcmp(vb->buf + i, p->serial, sl) == 0)
            return (long)i;
    return -1;
}

static int build(struct t_profile *p, const struct snmpc_catalogue *cat, struct gw_errbuf *eb)
{
    struct oidbuf o;
    int rc;
    uint32_t hr;

    /* Identity of the model. */
    const struct snmpc_vb *vb = snmpc_vbset_get(&p->set, o_sysobjectid, N(o_sysobjectid));
    static const uint32_t ent[] = {1, 3, 6, 1, 4, 1};
    if (vb && vb->type == SNMPC_T_OID && vb->len > N(ent) &&
        snmpc_oid_has_prefix(vb->oidval, vb->len, ent, N(ent)))
        p->enterprise = vb->oidval[N(ent)];
    else
        p->enterprise = 1347;
    hr = p->hr_index = find_printer_index(p);

    /* The serial number template: Printer-MIB's, else the vendor's, else an invented one. */
    mk(&o, o_prtgeneral, N(o_prtgeneral), 2, 17u, hr);
    vb = get(p, &o);
    if (serial_usable(vb)) {
        memcpy(p->serial, vb->buf, vb->len);
        p->serial[vb->len] = '\0';
    } else {
        for (size_t i = 0; i < p->set.n && !p->serial[0]; i++)
            if (catalogue_is_serial(p, cat, &p->set.v[i]) && serial_usable(&p->set.v[i])) {
                memcpy(p->serial, p->set.v[i].buf, p->set.v[i].len);
                p->serial[p->set.v[i].len] = '\0';
            }
        if (!p->serial[0])
            gw_strlcpy(p->serial, "SIM0000000", sizeof p->serial);
    }

    /* The OUI of the recorded MAC, when it is a globally administered unicast one. */
    static const uint8_t kyocera_oui[3] = {0x00, 0x17, 0xc8};
    memcpy(p->oui, kyocera_oui, 3);
    size_t i = snmpc_vbset_lower_bound(&p->set, o_ifphys, N(o_ifphys));
    bool have_mac = false;
    for (; i < p->set.n; i++) {
        vb = &p->set.v[i];
        if (!snmpc_oid_has_prefix(vb->oid, vb->oid_len, o_ifphys, N(o_ifphys)))
            break;
        if (vb->type == SNMPC_T_OCTETS && vb->len == 6) {
            if (!have_mac && !(vb->buf[0] & 3) && (vb->buf[0] | vb->buf[1] | vb->buf[2]))
                memcpy(p->oui, vb->buf, 3);
            have_mac = true;
        }
    }

    mk(&o, o_marker, N(o_marker), 3, 4u, hr, 1u);
    vb = get(p, &o);
    p->life0 = is_number(vb) && vb->num > 0 ? (uint64_t)vb->num : 0;

    /* Placeholders for what every simulated device animates. */
    static const uint8_t zero_mac[6], zero_err[1];
    if ((rc = ensure(p, &(struct oidbuf){{1, 3, 6, 1, 2, 1, 1, 3, 0}, 9}, SNMPC_T_TIMETICKS, 0,
                     NULL, 0)) < 0 ||
        (rc = ensure(p, &(struct oidbuf){{1, 3, 6, 1, 2, 1, 1, 5, 0}, 9}, SNMPC_T_OCTETS, 0, "",
                     0)) < 0)
        goto fail;
    if (!have_mac) {
        mk(&o, o_ifphys, N(o_ifphys), 1, 1u);
        if ((rc = ensure(p, &o, SNMPC_T_OCTETS, 0, zero_mac, 6)) < 0)
            goto fail;
    }
    mk(&o, o_hrprtstatus, N(o_hrprtstatus), 1, hr);
    if ((rc = ensure(p, &o, SNMPC_T_INTEGER, 3, NULL, 0)) < 0)
        goto fail;
    mk(&o, o_hrerrstate, N(o_hrerrstate), 1, hr);
    if ((rc = ensure(p, &o, SNMPC_T_OCTETS, 0, zero_err, 1)) < 0)
        goto fail;
    mk(&o, o_prtgeneral, N(o_prtgeneral), 2, 17u, hr);
    if ((rc = ensure(p, &o, SNMPC_T_OCTETS, 0, p->serial, strlen(p->serial))) < 0)
        goto fail;
    mk(&o, o_marker, N(o_marker), 3, 4u, hr, 1u);
    if ((rc = ensure(p, &o, SNMPC_T_COUNTER32, 0, NULL, 0)) < 0)
        goto fail;
    for (uint32_t k = 1; k <= 4; k++) {
        mk(&o, o_engine, N(o_engine), 2, k, 0u);
        if ((rc = ensure(p, &o, k == 1 ? SNMPC_T_OCTETS : SNMPC_T_INTEGER, 0, "", 0)) < 0)
            goto fail;
    }

    /* Supplies and counters need the final set: adding reallocates it. */
    find_supplies(p);
    if (p->builtin) {
        for (size_t k = 0; k < N(builtin_ctrs); k++)
            add_counter(p, false, builtin_ctrs[k].leaves, 0, 0);
        p->life_ctr = 0;
        p->page_leaves = PAGES;
    } else {
        p->life_ctr = add_counter(p, false, 1, 0, T_BER_COUNTER32);
        p->page_leaves = 1;
    }

    /* The MIB view. */
    size_t cap = 0, nmac = 0;
    bool table_done = false;
    p->alert_oid = o_alert_entry;
    p->alert_oid_len = N(o_alert_entry);
    for (i = 0; i < p->set.n; i++) {
        vb = &p->set.v[i];
        if (!table_done &&
            snmpc_oid_cmp(vb->oid, vb->oid_len, o_alert_entry, N(o_alert_entry)) > 0) {
            push(p, &cap, o_alert_entry, N(o_alert_entry), T_DYN_ALERT_TABLE, 0, NULL);
            table_done = true;
        }
        /* Recorded alerts are replaced by the device's own. */
        if (snmpc_oid_has_prefix(vb->oid, vb->oid_len, o_alert_entry, N(o_alert_entry)))
            continue;
        if (!t_tag_of(vb->type))
            continue;
        uint8_t dyn = T_DYN_NONE;
        uint16_t arg = 0;
        const uint32_t *x = vb->oid;
        size_t xl = vb->oid_len;
        if (snmpc_oid_cmp(x, xl, o_sysuptime, N(o_sysuptime)) == 0 ||
            snmpc_oid_cmp(x, xl, o_hruptime, N(o_hruptime)) == 0) {
            dyn = T_DYN_UPTIME;
        } else if (snmpc_oid_cmp(x, xl, o_sysname, N(o_sysname)) == 0) {
            dyn = T_DYN_SYSNAME;
        } else if (snmpc_oid_has_prefix(x, xl, o_ifphys, N(o_ifphys)) && xl == N(o_ifphys) + 1 &&
                   vb->type == SNMPC_T_OCTETS && vb->len == 6 && nmac < 4) {
            dyn = T_DYN_MAC;
            arg = (uint16_t)nmac++;
        } else if (mk(&o, o_hrprtstatus, N(o_hrprtstatus), 1, hr), oid_eq(vb, &o)) {
            dyn = T_DYN_PRTSTATUS;
        } else if (mk(&o, o_hrerrstate, N(o_hrerrstate), 1, hr), oid_eq(vb, &o)) {
            dyn = T_DYN_ERRSTATE;
            p->errstate_len = vb->len >= 2 ? 2 : 1;
        } else if (mk(&o, o_hrdevstatus, N(o_hrdevstatus), 1, hr), oid_eq(vb, &o)) {
            dyn = T_DYN_DEVSTATUS;
        } else if (mk(&o, o_prtgeneral, N(o_prtgeneral), 2, 17u, hr), oid_eq(vb, &o)) {
            dyn = T_DYN_SERIAL;
        } else if (mk(&o, o_prtgeneral, N(o_prtgeneral), 2, 18u, hr), oid_eq(vb, &o)) {
            dyn = T_DYN_ALERTS_CRIT;
        } else if (mk(&o, o_prtgeneral, N(o_prtgeneral), 2, 19u, hr), oid_eq(vb, &o)) {
            dyn = T_DYN_ALERTS_ALL;
        } else if (mk(&o, o_marker, N(o_marker), 3, 4u, hr, 1u), oid_eq(vb, &o)) {
            dyn = T_DYN_COUNTER;
            arg = (uint16_t)p->life_ctr;
            p->ctr[p->life_ctr].tag = t_tag_of(vb->type);
        } else if (mk(&o, o_marker, N(o_marker), 3, 5u, hr, 1u), oid_eq(vb, &o)) {
            dyn = T_DYN_POWERON;
        } else if (mk(&o, o_console, N(o_console), 2, hr, 1u), oid_eq(vb, &o)) {
            dyn = T_DYN_CONSOLE;
        } else if (snmpc_oid_has_prefix(x, xl, o_engine, N(o_engine)) && xl == N(o_engine) + 2 &&
                   x[N(o_engine)] >= 1 && x[N(o_engine)] <= 4 && x[N(o_engine) + 1] == 0) {
            dyn = (uint8_t)(T_DYN_ENGINE_ID + x[N(o_engine)] - 1);
        } else if (mk(&o, o_supplies, N(o_supplies), 2, 9u, hr),
                   snmpc_oid_has_prefix(x, xl, o.v, o.n) && xl == o.n + 1 &&
                       t_profile_supply_slot(p, x[o.n]) >= 0) {
            dyn = T_DYN_LEVEL;
            arg = (uint16_t)t_profile_supply_slot(p, x[o.n]);
        } else if (p->builtin) {
            char txt[SNMPC_MAX_OID * 11];
            snmpc_oid_format(x, xl, txt, sizeof txt);
            for (size_t k = 1; k < N(builtin_ctrs); k++)
                if (strcmp(txt, builtin_ctrs[k].oid) == 0) {
                    dyn = T_DYN_COUNTER;
                    arg = (uint16_t)k;
                    p->ctr[k].tag = t_tag_of(vb->type);
                }
        } else if (is_number(vb)) {
            int c = catalogue_counter(p, cat, vb);
            if (c >= 0) {
                dyn = T_DYN_COUNTER;
                arg = (uint16_t)c;
            }
        }
        if (dyn == T_DYN_NONE && vb->type == SNMPC_T_OCTETS) {
            long off;
            if ((vb->len == strlen(p->serial) && memcmp(vb->buf, p->serial, vb->len) == 0) ||
                catalogue_is_serial(p, cat, vb)) {
                dyn = T_DYN_SERIAL;
            } else if ((off = serial_offset(p, vb)) >= 0) {
                dyn = T_DYN_SERIAL_IN;
                arg = (uint16_t)off;
            }
        }
        push(p, &cap, vb->oid, vb->oid_len, dyn, arg, vb);
    }
    if (!table_done)
        push(p, &cap, o_alert_entry, N(o_alert_entry), T_DYN_ALERT_TABLE, 0, NULL);
    if (!p->errstate_len)
        p->errstate_len = 1;

    /* Scaled counters follow the recorded life count; without one, the largest of them. */
    if (!p->life0)
        for (size_t k = 0; k < p->nctr; k++)
            if (p->ctr[k].scaled && p->ctr[k].v0 > p->life0)
                p->life0 = p->ctr[k].v0;
    return 0;
fail:
    return gw_errbuf_set(eb, rc, "%s: cannot add simulated objects: %s", p->name, gw_strerror(rc));
}

int t_profile_builtin(struct t_profile *p, struct gw_errbuf *eb)
{
    memset(p, 0, sizeof *p);
    snmpc_vbset_init(&p->set);
    gw_strlcpy(p->name, "builtin-kyocera", sizeof p->name);
    p->builtin = true;
    int rc = snmpc_vbset_parse_snmprec(&p->set, builtin_rec, sizeof builtin_rec - 1, p->name, eb);
    if (rc == 0)
        rc = build(p, NULL, eb);
    if (rc < 0)
        t_profile_cleanup(p);
    return rc;
}

int t_profile_load(struct t_profile *p, const char *path, const struct snmpc_catalogue *cat,
                   struct gw_errbuf *eb)
{
    memset(p, 0, sizeof *p);
    snmpc_vbset_init(&p->set);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    gw_strlcpy(p->name, base, sizeof p->name);
    char *dot = strstr(p->name, ".snmprec");
    if (dot)
        *dot = '\0';
    int rc = snmpc_vbset_load_snmprec(&p->set, path, eb);
    if (rc == 0)
        rc = build(p, cat, eb);
    if (rc < 0)
        t_profile_cleanup(p);
    return rc;
}

void t_profile_cleanup(struct t_profile *p)
{
    free(p->e);
    snmpc_vbset_cleanup(&p->set);
    memset(p, 0, sizeof *p);
}

size_t t_profile_lower_bound(const struct t_profile *p, const uint32_t *oid, size_t len)
{
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (snmpc_oid_cmp(p->e[mid].oid, p->e[mid].oid_len, oid, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
