/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Unit tests for uplink/anon.c, table-driven: every kind of data the anonymization mode must
 * keep on site (IP addresses, subnet masks, default gateways, DNS servers, computer and host
 * names, sysName, sysLocation, sysContact and locations) as a key, inside free text and in
 * nested payloads; what must stay (MACs, serials, OIDs, versions, timestamps); the known
 * names of the fleet and the gateway's host name; and the boundary itself: a message put into
 * the outbox of an anonymized store comes out scrubbed, one of a normal store untouched.
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

#include "uptest.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define DEV_NAME "printer-floor3"
#define DEV_ADDR "10.20.30.40"
#define DEV_SYSN "KM-PRN-ACC-07"
#define DEV_LOC  "Building 7, Room 3.14"

static struct gw_db *fleet_db(char *dir)
{
    struct gw_db *db = uptest_db(dir, true);
    sqlite3 *h = gw_db_handle(db);
    assert_int_equal(sqlite3_exec(h,
                                  "INSERT INTO credentials (name, version, created) VALUES "
                                  "('c', 2, 0);"
                                  "INSERT INTO devices (name, address, credential_id, sys_name, "
                                  "sys_location, created) VALUES ('" DEV_NAME "', '" DEV_ADDR
                                  "', 1, '" DEV_SYSN "', '" DEV_LOC "', 0);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    return db;
}

static char *scrubbed(const struct up_anon *a, const char *in)
{
    json_error_t je;
    json_t *v = json_loads(in, 0, &je);
    if (!v)
        fail_msg("bad case JSON %s: %s", in, je.text);
    up__anon_json(a, v);
    char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(v);
    return s;
}

static void test_json_rules(void **state)
{
    (void)state;
    static const struct {
        const char *what, *in, *out;
    } cases[] = {
        /* keys that name addresses and places go, wherever they are */
        {"IP address key", "{\"address\":\"10.0.0.5\",\"serial\":\"X1\"}", "{\"serial\":\"X1\"}"},
        {"ip keys", "{\"ip\":\"10.0.0.5\",\"ip_address\":\"10.0.0.6\",\"addr\":\"x\"}", "{}"},
        {"subnet mask keys",
         "{\"netmask\":\"255.255.255.0\",\"mask\":\"255.255.0.0\","
         "\"subnet\":\"10.0.0.0/24\"}",
         "{}"},
        {"default gateway keys", "{\"gateway_ip\":\"10.0.0.1\",\"default_gateway\":\"10.0.0.1\"}",
         "{}"},
        {"DNS server keys", "{\"dns\":\"10.0.0.53\",\"dns_servers\":[\"10.0.0.53\"]}", "{}"},
        {"computer and host names",
         "{\"computer_name\":\"ACC-PC-12\",\"hostname\":\"gw-1\",\"host_name\":\"h\","
         "\"host\":\"h2\",\"fqdn\":\"gw-1.corp.example\",\"domain\":\"corp.example\"}",
         "{}"},
        {"sysName, sysLocation, sysContact",
         "{\"sys_name\":\"S\",\"sysname\":\"S\",\"sys_location\":\"L\",\"syslocation\":\"L\","
         "\"sys_contact\":\"C\",\"syscontact\":\"C\",\"location\":\"l\",\"contact\":\"c\","
         "\"name\":\"n\"}",
         "{}"},
        {"moved device's previous address", "{\"dev\":1,\"previous_address\":\"10.0.0.4\"}",
         "{\"dev\":1}"},
        {"nested in arrays and objects",
         "{\"devices\":[{\"dev\":1,\"address\":\"10.0.0.5\",\"c\":{\"total\":5}}]}",
         "{\"devices\":[{\"c\":{\"total\":5},\"dev\":1}]}"},
        /* IP literals anywhere in text */
        {"IPv4 in free text", "{\"description\":\"cannot reach 192.168.1.20 via 192.168.1.1\"}",
         "{\"description\":\"cannot reach <ip> via <ip>\"}"},
        {"IPv6 in free text", "{\"m\":\"peers fe80::1 and 2001:db8::5 down\"}",
         "{\"m\":\"peers <ip> and <ip> down\"}"},
        {"IPv4-mapped IPv6", "{\"m\":\"from ::ffff:10.1.2.3\"}", "{\"m\":\"from <ip>\"}"},
        {"subnet mask in text", "{\"m\":\"mask 255.255.255.0\"}", "{\"m\":\"mask <ip>\"}"},
        {"IP in an array of strings", "{\"s\":[\"10.9.9.9\",\"ok\"]}", "{\"s\":[\"<ip>\",\"ok\"]}"},
        /* what identifies devices to the cloud stays */
        {"MAC address stays", "{\"mac\":\"00:17:c8:aa:bb:01\"}", "{\"mac\":\"00:17:c8:aa:bb:01\"}"},
        {"OID stays", "{\"oid\":\"1.3.6.1.2.1.43.5\"}", "{\"oid\":\"1.3.6.1.2.1.43.5\"}"},
        {"version stays", "{\"version\":\"0.1.0\"}", "{\"version\":\"0.1.0\"}"},
        {"timestamp 'from' stays", "{\"from\":\"2026-11-21T08:00:00Z\"}",
         "{\"from\":\"2026-11-21T08:00:00Z\"}"},
        {"numbers stay", "{\"c\":{\"total\":123456},\"s\":[[\"toner\",\"black\",64,\"ok\"]]}",
         "{\"c\":{\"total\":123456},\"s\":[[\"toner\",\"black\",64,\"ok\"]]}"},
        /* the fleet's known names, in any string */
        {"device name in text", "{\"m\":\"" DEV_NAME " jammed\"}", "{\"m\":\"<redacted> jammed\"}"},
        {"sysName and sysLocation in text", "{\"m\":\"" DEV_SYSN " at " DEV_LOC "\"}",
         "{\"m\":\"<redacted> at <redacted>\"}"},
    };
    char dir[] = "/tmp/test_anon.XXXXXX";
    struct gw_db *db = fleet_db(dir);
    struct up_anon *a = up__anon_load(db);
    assert_non_null(a);
    for (size_t i = 0; i < NELEM(cases); i++) {
        char *s = scrubbed(a, cases[i].in);
        if (strcmp(s, cases[i].out) != 0)
            fail_msg("%s: %s gave %s, want %s", cases[i].what, cases[i].in, s, cases[i].out);
        free(s);
    }
    up__anon_free(a);
    uptest_db_close(db, dir);
}

static void test_text_and_hostname(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_anon.XXXXXX", host[256] = "", line[600];
    struct gw_db *db = fleet_db(dir);
    struct up_anon *a = up__anon_load(db);
    gethostname(host, sizeof host);
    host[sizeof host - 1] = '\0';
    snprintf(line, sizeof line,
             "2026-11-22T08:00:00Z admin device.add " DEV_ADDR " name=" DEV_NAME
             " on %s dns=10.0.0.53 gw=10.0.0.1 mask=255.255.252.0 loc=" DEV_LOC "\n",
             host);
    char *out = up__anon_text(a, line);
    const char *gone[] = {DEV_ADDR, DEV_NAME, DEV_LOC, "10.0.0.53", "10.0.0.1", "255.255.252.0"};
    for (size_t i = 0; i < NELEM(gone); i++)
        if (strstr(out, gone[i]))
            fail_msg("'%s' survived in %s", gone[i], out);
    if (strlen(host) >= 3 && strstr(out, host))
        fail_msg("the gateway's host name '%s' survived in %s", host, out);
    assert_non_null(strstr(out, "admin device.add "));
    assert_true(up__anon_has_ip("at 10.1.1.1 now"));
    assert_false(up__anon_has_ip("oid 1.3.6.1.2.1 and mac 00:17:c8:aa:bb:01"));
    free(out);
    up__anon_free(a);
    uptest_db_close(db, dir);
}

/* The boundary: up__queue_put scrubs in an anonymized store, and only there. */
static void test_outbox_boundary(void **state)
{
    (void)state;
    for (int anon = 0; anon < 2; anon++) {
        char dir[] = "/tmp/test_anon.XXXXXX";
        struct gw_db *db = anon ? fleet_db(dir) : uptest_db(dir, false);
        json_t *body = json_pack("{s:s, s:s, s:s}", "address", DEV_ADDR, "note", "jam at " DEV_NAME,
                                 "serial", "W5K1");
        assert_int_equal(up__queue_put(db, "alert", UP_PRIO_EVENT, body, 1 << 20), 0);
        /* The caller's body is not changed. */
        assert_string_equal(json_string_value(json_object_get(body, "address")), DEV_ADDR);
        json_decref(body);
        struct up_msg m;
        assert_int_equal(up__queue_peek(db, &m, 1, NULL, 0), 1);
        json_t *env = uptest_unseal(&m);
        json_t *b = json_object_get(env, "body");
        assert_string_equal(json_string_value(json_object_get(b, "serial")), "W5K1");
        if (anon) {
            assert_null(json_object_get(b, "address"));
            assert_string_equal(json_string_value(json_object_get(b, "note")), "jam at <redacted>");
        } else {
            assert_string_equal(json_string_value(json_object_get(b, "address")), DEV_ADDR);
            assert_null(up__anon_load(db));
        }
        json_decref(env);
        up__msg_cleanup(&m);
        uptest_db_close(db, dir);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_rules),
        cmocka_unit_test(test_text_and_hostname),
        cmocka_unit_test(test_outbox_boundary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
