/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Unit tests for discovery/merge.c: the normalizers and the identity rules as case tables (a
 * registry, a found device, the expected kind and registry row), then disc_merge_apply()
 * against a real store in a temporary directory: a moved printer keeps its id and gets its
 * new address and a device_moved event; printers sharing an engine ID stay two devices; a
 * second sweep registers nothing twice.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "discovery/disc_int.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void test_normalize(void **state)
{
    (void)state;
    static const struct {
        const char *in, *serial, *mac;
    } cases[] = {
        {"00:11:22:AA:BB:CC", "001122AABBCC", "00:11:22:aa:bb:cc"},
        {"00-11-22-aa-bb-cc", "001122AABBCC", "00:11:22:aa:bb:cc"},
        {"0011.22aa.bbcc", "001122AABBCC", "00:11:22:aa:bb:cc"},
        {"001122aabbcc", "001122AABBCC", "00:11:22:aa:bb:cc"},
        {"00:00:00:00:00:00", "000000000000", ""},
        {"00:11:22:aa:bb", "001122AABB", ""},
        {"00:11:22:aa:bb:cc:dd", "001122AABBCCDD", ""},
        {"rvb-311 2401", "RVB3112401", ""},
        {"", "", ""},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        char s[64], m[18];
        disc_serial_normalize(cases[i].in, s, sizeof s);
        disc_mac_normalize(cases[i].in, m, sizeof m);
        assert_string_equal(s, cases[i].serial);
        assert_string_equal(m, cases[i].mac);
    }
}

static void test_match_rules(void **state)
{
    (void)state;
    static const struct disc_ident reg[] = {
        {1, "RVB001", "00:17:c8:00:00:01", "8000054303001", "10.0.0.1", 161, NULL},
        {2, "RVB002", "00:17:c8:00:00:02", "80000543030ff", "10.0.0.2", 161, NULL},
        {3, "RVB003", "00:17:c8:00:00:03", "80000543030ff", "10.0.0.3", 161,
         NULL},                                                     /* shared engine */
        {4, "", "", "", "10.0.0.4", 161, NULL},                     /* never polled */
        {5, "", "00:17:c8:00:00:05", "", "10.0.0.5", 161, NULL},    /* MAC only */
        {6, "RVB006", "", "", "10.0.0.6", 161, NULL},               /* serial only */
        {7, "", "", "800005430307", "10.0.0.7", 161, NULL},         /* engine only */
        {8, "WSD008", "", "", "10.0.1.8", 161, "urn:uuid:0000-08"}, /* WSD only */
        {9, "", "", "", "10.0.1.9", 161, "urn:uuid:0000-09"},       /* UUID only */
        {10, "RVB010", "00:17:c8:00:00:0a", "80000543030aa", "10.0.1.10", 161,
         NULL},                                             /* SNMP only */
        {11, "", "", "", "10.0.1.11", 161, "urn:uuid:dup"}, /* shared UUID */
        {12, "", "", "", "10.0.1.12", 161, "urn:uuid:dup"},
    };
    static const struct {
        const char *what;
        struct disc_ident found;
        enum disc_merge_kind kind;
        int64_t id;
    } cases[] = {
        {"same serial and MAC, same address",
         {0, "RVB001", "00:17:C8:00:00:01", "", "10.0.0.1", 0, NULL},
         DISC_MERGE_SAME,
         1},
        {"serial written differently",
         {0, "rvb-001", "00-17-c8-00-00-01", "", "10.0.0.1", 161, NULL},
         DISC_MERGE_SAME,
         1},
        {"moved",
         {0, "RVB001", "00:17:c8:00:00:01", "8000054303001", "10.0.9.9", 161, NULL},
         DISC_MERGE_MOVED,
         1},
        {"other port is another address",
         {0, "RVB001", "00:17:c8:00:00:01", "", "10.0.0.1", 1161, NULL},
         DISC_MERGE_MOVED,
         1},
        {"same serial, other MAC: another device",
         {0, "RVB001", "00:17:c8:00:00:99", "", "10.0.0.1", 161, NULL},
         DISC_MERGE_NEW,
         0},
        {"shared engine ID, other serial: new device",
         {0, "RVB009", "00:17:c8:00:00:09", "80000543030ff", "10.0.0.9", 161, NULL},
         DISC_MERGE_NEW,
         0},
        {"shared engine ID, own serial: the right one",
         {0, "RVB003", "00:17:c8:00:00:03", "80000543030ff", "10.0.0.2", 161, NULL},
         DISC_MERGE_MOVED,
         3},
        {"no serial or MAC, ambiguous engine ID: new",
         {0, "", "", "80000543030ff", "10.0.0.10", 161, NULL},
         DISC_MERGE_NEW,
         0},
        {"no serial or MAC, unique engine ID: matched",
         {0, "", "", "800005430307", "10.0.1.7", 161, NULL},
         DISC_MERGE_MOVED,
         7},
        {"registered by address, first seen",
         {0, "RVB004", "00:17:c8:00:00:04", "", "10.0.0.4", 161, NULL},
         DISC_MERGE_SAME,
         4},
        {"MAC only on the registry side",
         {0, "XYZ", "00:17:c8:00:00:05", "", "10.0.5.5", 161, NULL},
         DISC_MERGE_MOVED,
         5},
        {"serial only on the registry side",
         {0, "RVB006", "00:17:c8:00:00:06", "", "10.0.0.6", 161, NULL},
         DISC_MERGE_SAME,
         6},
        {"unknown everything",
         {0, "NEW1", "00:17:c8:00:01:00", "", "10.0.0.1", 161, NULL},
         DISC_MERGE_NEW,
         0},
        {"nothing known at a registered address of a polled device",
         {0, "", "", "", "10.0.0.1", 161, NULL},
         DISC_MERGE_NEW,
         0},
        {"WSD: same UUID, same address",
         {0, "", "", "", "10.0.1.9", 161, "urn:uuid:0000-09"},
         DISC_MERGE_SAME,
         9},
        {"WSD: UUID written in upper case",
         {0, "", "", "", "10.0.1.9", 161, "URN:UUID:0000-09"},
         DISC_MERGE_SAME,
         9},
        {"WSD: same UUID at another address is a move",
         {0, "", "", "", "10.0.3.9", 161, "urn:uuid:0000-09"},
         DISC_MERGE_MOVED,
         9},
        {"WSD: same UUID, serial that differs: another device",
         {0, "OTHER", "", "", "10.0.3.8", 161, "urn:uuid:0000-08"},
         DISC_MERGE_NEW,
         0},
        {"WSD: serial match wins over a new UUID",
         {0, "wsd-008", "", "", "10.0.4.8", 161, "urn:uuid:ffff"},
         DISC_MERGE_MOVED,
         8},
        {"SNMP finds a WSD-registered device by serial",
         {0, "WSD008", "00:17:c8:00:00:08", "8000054303008", "10.0.1.8", 161, NULL},
         DISC_MERGE_SAME,
         8},
        {"SNMP at the address of a UUID-only device: compatible, same",
         {0, "RVB099", "00:17:c8:00:00:99", "8000054303099", "10.0.1.9", 161, NULL},
         DISC_MERGE_SAME,
         9},
        {"SNMP elsewhere does not take a UUID-only device",
         {0, "RVB099", "00:17:c8:00:00:99", "8000054303099", "10.0.9.99", 161, NULL},
         DISC_MERGE_NEW,
         0},
        {"WSD only, no serial, at the address of an SNMP device: compatible, same",
         {0, "", "", "", "10.0.1.10", 161, "urn:uuid:0000-0a"},
         DISC_MERGE_SAME,
         10},
        {"WSD with the same serial as an SNMP device: same",
         {0, "RVB010", "", "", "10.0.1.10", 161, "urn:uuid:0000-0a"},
         DISC_MERGE_SAME,
         10},
        {"WSD with another serial at an SNMP device's address: new",
         {0, "RVB011", "", "", "10.0.1.10", 161, "urn:uuid:0000-0b"},
         DISC_MERGE_NEW,
         0},
        {"WSD with another UUID at a UUID-only device's address: new",
         {0, "", "", "", "10.0.1.9", 161, "urn:uuid:0000-99"},
         DISC_MERGE_NEW,
         0},
        {"shared UUID elsewhere: ambiguous, new",
         {0, "", "", "", "10.0.7.7", 161, "urn:uuid:dup"},
         DISC_MERGE_NEW,
         0},
        {"shared UUID at one of their addresses: that one",
         {0, "", "", "", "10.0.1.12", 161, "urn:uuid:dup"},
         DISC_MERGE_SAME,
         12},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        size_t idx = SIZE_MAX;
        enum disc_merge_kind k = disc_merge_match(reg, NELEM(reg), &cases[i].found, &idx);
        if (k != cases[i].kind)
            fail_msg("case '%s': kind %d, want %d", cases[i].what, k, cases[i].kind);
        if (k != DISC_MERGE_NEW && reg[idx].id != cases[i].id)
            fail_msg("case '%s': device %lld, want %lld", cases[i].what, (long long)reg[idx].id,
                     (long long)cases[i].id);
    }
}

static struct gw_model mk(const char *serial, const char *mac, const char *engine)
{
    struct gw_model m;
    gw_model_init(&m);
    gw_strlcpy(m.serial, serial, sizeof m.serial);
    gw_strlcpy(m.mac, mac, sizeof m.mac);
    gw_strlcpy(m.engine_id, engine, sizeof m.engine_id);
    gw_strlcpy(m.model, "Sim 1", sizeof m.model);
    m.is_printer = true;
    return m;
}

static int count_devices(const struct gw_device *d, void *arg)
{
    (void)d;
    ++*(int *)arg;
    return 0;
}

static void test_apply_store(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_merge.XXXXXX", path[64];
    struct gw_db *db;
    struct gw_errbuf eb = {""};
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/db", dir);
    assert_int_equal(gw_db_open(path, &db, &eb), 0);
    assert_int_equal(
        sqlite3_exec((sqlite3 *)gw_db_handle(db),
                     "INSERT INTO credentials (name, version, created) VALUES ('c', 2, 0)", NULL,
                     NULL, NULL),
        0);
    int64_t cred = 1;

    struct gw_model a = mk("RVB001", "00:17:c8:00:00:01", "80000543030ff");
    struct gw_model b = mk("RVB002", "00:17:c8:00:00:02", "80000543030ff"); /* same engine */
    struct disc_found fa = {.address = "127.9.0.1", .model = &a};
    struct disc_found fb = {.address = "127.9.0.2", .model = &b};
    struct disc_merge_result r;

    assert_int_equal(disc_merge_apply(db, &fa, 1161, cred, true, &r), 0);
    assert_true(r.registered);
    int64_t ida = r.device_id;
    assert_int_equal(disc_merge_apply(db, &fb, 1161, cred, true, &r), 0);
    assert_true(r.registered);
    assert_true(r.device_id != ida);
    /* Again: nothing new. */
    assert_int_equal(disc_merge_apply(db, &fa, 1161, cred, true, &r), 0);
    assert_int_equal(r.kind, DISC_MERGE_SAME);
    assert_false(r.registered);
    /* a moves. */
    fa.address = "127.9.0.77";
    assert_int_equal(disc_merge_apply(db, &fa, 1161, cred, true, &r), 0);
    assert_int_equal(r.kind, DISC_MERGE_MOVED);
    assert_int_equal(r.device_id, ida);
    struct gw_device d;
    assert_int_equal(gw_device_get(db, ida, &d), 0);
    assert_string_equal(d.address, "127.9.0.77");
    json_t *ev = gw_event_list(db, ida, 10);
    assert_int_equal(json_array_size(ev), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "kind")),
                        "device_moved");
    json_decref(ev);
    int n = 0;
    gw_device_foreach(db, count_devices, &n);
    assert_int_equal(n, 2);
    /* Without auto-register a new printer is only reported. */
    struct gw_model c = mk("RVB003", "00:17:c8:00:00:03", "");
    struct disc_found fc = {.address = "127.9.0.3", .model = &c};
    assert_int_equal(disc_merge_apply(db, &fc, 1161, cred, false, &r), 0);
    assert_int_equal(r.kind, DISC_MERGE_NEW);
    assert_false(r.registered);
    n = 0;
    gw_device_foreach(db, count_devices, &n);
    assert_int_equal(n, 2);

    /* A WSD-only printer is registered with its UUID; SNMP later finds it (serial, MAC) at
     * the same address: the same device, and its UUID stays. */
    struct gw_model w = mk("WSD-42", "", "");
    struct disc_found fw = {.address = "127.9.0.42",
                            .model = &w,
                            .how = "wsd",
                            .found_by = "wsd",
                            .uuid = "urn:uuid:42",
                            .xaddrs = "http://127.9.0.42:5357/42"};
    assert_int_equal(disc_merge_apply(db, &fw, 1161, cred, true, &r), 0);
    assert_true(r.registered);
    int64_t idw = r.device_id;
    assert_int_equal(gw_device_get(db, idw, &d), 0);
    assert_string_equal(d.wsd_uuid, "urn:uuid:42");
    assert_string_equal(d.serial, "WSD-42");
    /* ... as a WSD device, polled at its XAddrs. */
    assert_string_equal(d.transport, "wsd");
    assert_string_equal(d.wsd_xaddrs, "http://127.9.0.42:5357/42");
    json_t *dj = gw_device_to_json(&d);
    assert_string_equal(json_string_value(json_object_get(dj, "transport")), "wsd");
    assert_true(json_is_null(json_object_get(dj, "credential")));
    assert_string_equal(json_string_value(json_object_get(dj, "counters_note")),
                        "no counters (WSD only)");
    json_decref(dj);
    /* Found again through WSD at other XAddrs: the XAddrs follow. */
    fw.xaddrs = "http://127.9.0.42:5358/42";
    assert_int_equal(disc_merge_apply(db, &fw, 1161, cred, true, &r), 0);
    assert_int_equal(r.kind, DISC_MERGE_SAME);
    assert_true(r.transport);
    assert_int_equal(gw_device_get(db, idw, &d), 0);
    assert_string_equal(d.wsd_xaddrs, "http://127.9.0.42:5358/42");
    struct gw_model ws = mk("wsd42", "00:17:c8:00:00:42", "8000054303042");
    struct disc_found fs = {.address = "127.9.0.42", .model = &ws, .found_by = "snmp"};
    assert_int_equal(disc_merge_apply(db, &fs, 1161, cred, true, &r), 0);
    assert_int_equal(r.kind, DISC_MERGE_SAME);
    assert_int_equal(r.device_id, idw);
    /* SNMP answers now: polled over SNMP from here on. */
    assert_true(r.transport);
    assert_int_equal(gw_device_get(db, idw, &d), 0);
    assert_string_equal(d.transport, "snmp");
    assert_int_equal(d.credential_id, cred);
    /* It moves and shows up through WSD only, without a serial: found by its UUID. */
    gw_strlcpy(w.serial, "", sizeof w.serial);
    fw.address = "127.9.0.43";
    assert_int_equal(disc_merge_apply(db, &fw, 1161, cred, true, &r), 0);
    assert_int_equal(r.kind, DISC_MERGE_MOVED);
    assert_int_equal(r.device_id, idw);
    assert_int_equal(gw_device_get(db, idw, &d), 0);
    assert_string_equal(d.address, "127.9.0.43");
    /* Seen through WSD only, it stays an SNMP device: SNMP may be down for a while. */
    assert_string_equal(d.transport, "snmp");
    assert_false(r.transport);
    /* An SNMP-registered device later seen with a UUID keeps it. */
    struct disc_found fau = {.address = "127.9.0.77", .model = &a, .uuid = "urn:uuid:a"};
    assert_int_equal(disc_merge_apply(db, &fau, 1161, cred, true, &r), 0);
    assert_int_equal(r.kind, DISC_MERGE_SAME);
    assert_int_equal(gw_device_get(db, ida, &d), 0);
    assert_string_equal(d.wsd_uuid, "urn:uuid:a");
    n = 0;
    gw_device_foreach(db, count_devices, &n);
    assert_int_equal(n, 3);

    gw_model_cleanup(&w);
    gw_model_cleanup(&ws);
    gw_model_cleanup(&a);
    gw_model_cleanup(&b);
    gw_model_cleanup(&c);
    gw_db_close(db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_match_rules),
        cmocka_unit_test(test_apply_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
