/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Store tests: credential validation and sealing (the raw database never holds a secret),
 * the device registry and its CSV import (all or nothing, and fast), and what polls write:
 * identity, meters that never go backwards, history growth, supplies, the alert lifecycle,
 * events and pruning.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "gateway/gw_int.h"
#include "tests/harness/t_gw.h"

#define T0 1800000000 /* 2027-01-15T08:00:00Z */

struct fixture {
    char dir[64];
    struct gw_db *db;
    struct gw_vault *v;
};

static int setup(void **state)
{
    struct fixture *f = gw_calloc(1, sizeof *f);
    if (t_gw_open(f->dir, sizeof f->dir, "store", &f->db, &f->v) < 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    int rc = t_gw_close(f->dir, f->db, f->v);
    free(f);
    return rc;
}

static int64_t add_v2c(struct fixture *f, const char *name, const char *community)
{
    struct gw_credential c = {.version = GW_SNMP_V2C};
    struct gw_errbuf eb = {""};
    gw_strlcpy(c.name, name, sizeof c.name);
    c.community = gw_strdup(community);
    assert_int_equal(gw_credential_add(f->db, f->v, &c, &eb), 0);
    gw_credential_cleanup(&c);
    assert_true(c.id > 0);
    return c.id;
}

static int64_t add_v3(struct fixture *f, const char *name)
{
    struct gw_credential c = {.version = GW_SNMP_V3, .sec_level = GW_SEC_AUTHPRIV};
    struct gw_errbuf eb = {""};
    gw_strlcpy(c.name, name, sizeof c.name);
    gw_strlcpy(c.sec_name, "monitor", sizeof c.sec_name);
    gw_strlcpy(c.auth_proto, "sha-256", sizeof c.auth_proto);
    gw_strlcpy(c.priv_proto, "AES", sizeof c.priv_proto);
    gw_strlcpy(c.context, "ctx", sizeof c.context);
    c.auth_pass = gw_strdup("Auth-Passphrase-7731");
    c.priv_pass = gw_strdup("Priv-Passphrase-9904");
    if (gw_credential_add(f->db, f->v, &c, &eb) != 0) {
        print_error("%s\n", eb.msg);
        fail();
    }
    gw_credential_cleanup(&c);
    return c.id;
}

static int64_t add_device(struct fixture *f, const char *addr, const char *cred)
{
    struct gw_device d = {0};
    struct gw_errbuf eb = {""};
    gw_strlcpy(d.address, addr, sizeof d.address);
    gw_strlcpy(d.credential, cred, sizeof d.credential);
    if (gw_device_add(f->db, &d, &eb) != 0) {
        print_error("%s\n", eb.msg);
        fail();
    }
    return d.id;
}

/* ---------------------------------------------------------------------------------------------
 * Credentials
 */

struct cred_case {
    int version, level;
    const char *name, *community, *sec_name, *auth_proto, *auth_pass, *priv_proto, *priv_pass;
    int rc;
    const char *msg;
};

static const struct cred_case cred_cases[] = {
    {2, 0, "office", "public", "", "", NULL, "", NULL, 0, ""},
    {1, 0, "v1", "x", "", "", NULL, "", NULL, 0, ""},
    {3, GW_SEC_NOAUTH, "v3n", NULL, "u", "", NULL, "", NULL, 0, ""},
    {3, GW_SEC_AUTHNOPRIV, "v3a", NULL, "u", "MD5", "12345678", "", NULL, 0, ""},
    {3, GW_SEC_AUTHPRIV, "v3p", NULL, "u", "SHA-512", "12345678", "AES-256", "abcdefgh", 0, ""},
    {2, 0, "", "public", "", "", NULL, "", NULL, GW_E_INVAL,
     "name: must be 1..63 letters, digits, '.', '_' or '-', starting with a letter or digit"},
    {2, 0, "a,b", "public", "", "", NULL, "", NULL, GW_E_INVAL,
     "name: must be 1..63 letters, digits, '.', '_' or '-', starting with a letter or digit"},
    {2, 0, "-x", "public", "", "", NULL, "", NULL, GW_E_INVAL,
     "name: must be 1..63 letters, digits, '.', '_' or '-', starting with a letter or digit"},
    {4, 0, "x", "public", "", "", NULL, "", NULL, GW_E_INVAL, "version: must be 1, 2c or 3"},
    {2, 0, "x", NULL, "", "", NULL, "", NULL, GW_E_INVAL, "community: missing"},
    {2, 0, "x", "", "", "", NULL, "", NULL, GW_E_INVAL, "community: missing"},
    {3, GW_SEC_NOAUTH, "x", NULL, "", "", NULL, "", NULL, GW_E_INVAL,
     "sec_name: required for SNMPv3"},
    {3, 0, "x", NULL, "u", "", NULL, "", NULL, GW_E_INVAL,
     "sec_level: must be noAuthNoPriv, authNoPriv or authPriv"},
    {3, GW_SEC_AUTHNOPRIV, "x", NULL, "u", "SHA1", "12345678", "", NULL, GW_E_INVAL,
     "auth_proto: 'SHA1' is not one of MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512"},
    {3, GW_SEC_AUTHNOPRIV, "x", NULL, "u", "SHA", NULL, "", NULL, GW_E_INVAL, "auth_pass: missing"},
    {3, GW_SEC_AUTHNOPRIV, "x", NULL, "u", "SHA", "1234567", "", NULL, GW_E_INVAL,
     "auth_pass: must be at least 8 characters"},
    {3, GW_SEC_AUTHPRIV, "x", NULL, "u", "SHA", "12345678", "3DES", "abcdefgh", GW_E_INVAL,
     "priv_proto: '3DES' is not one of DES, AES, AES-192, AES-256"},
    {3, GW_SEC_AUTHPRIV, "x", NULL, "u", "SHA", "12345678", "AES", "short", GW_E_INVAL,
     "priv_pass: must be at least 8 characters"},
};

static void test_credential_check(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cred_cases / sizeof cred_cases[0]; i++) {
        const struct cred_case *k = &cred_cases[i];
        struct gw_credential c = {.version = k->version, .sec_level = k->level};
        struct gw_errbuf eb = {""};
        int rc;
        gw_strlcpy(c.name, k->name, sizeof c.name);
        gw_strlcpy(c.sec_name, k->sec_name, sizeof c.sec_name);
        gw_strlcpy(c.auth_proto, k->auth_proto, sizeof c.auth_proto);
        gw_strlcpy(c.priv_proto, k->priv_proto, sizeof c.priv_proto);
        c.community = (char *)k->community;
        c.auth_pass = (char *)k->auth_pass;
        c.priv_pass = (char *)k->priv_pass;
        rc = gw_credential_check(&c, &eb);
        if (rc != k->rc || strcmp(eb.msg, k->msg) != 0) {
            print_error("case %zu: rc %d msg '%s', want %d '%s'\n", i, rc, eb.msg, k->rc, k->msg);
            fail();
        }
    }
    {
        /* 257 bytes is one too many. */
        struct gw_credential c = {.name = "x", .version = GW_SNMP_V2C};
        struct gw_errbuf eb = {""};
        char big[258];
        memset(big, 'c', 257);
        big[257] = '\0';
        c.community = big;
        assert_int_equal(gw_credential_check(&c, &eb), GW_E_INVAL);
        assert_string_equal(eb.msg, "community: must be at most 256 characters");
        big[256] = '\0';
        assert_int_equal(gw_credential_check(&c, &eb), 0);
    }
}

/* The passphrases must not appear anywhere in the database file's credential rows. */
static void test_credentials_sealed(void **state)
{
    struct fixture *f = *state;
    static const char *const secrets[] = {"Auth-Passphrase-7731", "Priv-Passphrase-9904",
                                          "community-s3cr3t"};
    struct gw_credential c;
    struct gw_errbuf eb = {""};
    sqlite3_stmt *st;
    int64_t id3 = add_v3(f, "v3"), id2 = add_v2c(f, "v2", "community-s3cr3t");
    int rows = 0;
    assert_int_equal(sqlite3_prepare_v2(gw_db_handle(f->db),
                                        "SELECT community, auth_pass, priv_pass, name, sec_name, "
                                        "auth_proto, priv_proto, context FROM credentials",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        rows++;
        for (int col = 0; col < 8; col++) {
            const void *b = sqlite3_column_blob(st, col);
            size_t n = (size_t)sqlite3_column_bytes(st, col);
            for (size_t s = 0; s < 3; s++)
                assert_null(b ? memmem(b, n, secrets[s], strlen(secrets[s])) : NULL);
            if (col < 3 && b)
                assert_int_equal(((const unsigned char *)b)[0], 0x01); /* vault record */
        }
    }
    sqlite3_finalize(st);
    assert_int_equal(rows, 2);
    /* v2c rows hold no v3 secrets, v3 rows no community. */
    assert_int_equal(t_gw_query_int(f->db,
                                    "SELECT count(*) FROM credentials WHERE name = 'v2' AND "
                                    "auth_pass IS NULL AND priv_pass IS NULL AND community IS NOT "
                                    "NULL"),
                     1);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM credentials WHERE name = 'v3' AND "
                                           "community IS NULL"),
                     1);

    assert_int_equal(gw_credential_get(f->db, f->v, "v3", 0, &c, &eb), 0);
    assert_int_equal(c.id, id3);
    assert_int_equal(c.version, GW_SNMP_V3);
    assert_int_equal(c.sec_level, GW_SEC_AUTHPRIV);
    assert_string_equal(c.sec_name, "monitor");
    assert_string_equal(c.auth_proto, "SHA-256"); /* canonical spelling */
    assert_string_equal(c.priv_proto, "AES");
    assert_string_equal(c.context, "ctx");
    assert_string_equal(c.auth_pass, "Auth-Passphrase-7731");
    assert_string_equal(c.priv_pass, "Priv-Passphrase-9904");
    assert_null(c.community);
    gw_credential_cleanup(&c);
    assert_null(c.auth_pass);
    assert_int_equal(gw_credential_get(f->db, f->v, NULL, id2, &c, &eb), 0);
    assert_string_equal(c.name, "v2");
    assert_string_equal(c.community, "community-s3cr3t");
    gw_credential_cleanup(&c);

    assert_int_equal(gw_credential_get(f->db, f->v, "nope", 0, &c, &eb), GW_E_NOTFOUND);
    assert_string_equal(eb.msg, "credential 'nope' does not exist");
    assert_int_equal(gw_credential_get(f->db, f->v, NULL, 999, &c, &eb), GW_E_NOTFOUND);
}

static void test_credential_tamper(void **state)
{
    struct fixture *f = *state;
    struct gw_credential c;
    struct gw_errbuf eb = {""};
    add_v2c(f, "a", "community-a");
    add_v2c(f, "b", "community-b");
    /* A record copied to another row is refused like a forged one. */
    t_gw_exec(f->db, "UPDATE credentials SET community = (SELECT community FROM credentials WHERE "
                     "name = 'a') WHERE name = 'b'");
    assert_int_equal(gw_credential_get(f->db, f->v, "b", 0, &c, &eb), GW_E_TAMPER);
    assert_string_equal(eb.msg, "credential 'b': community failed authentication (wrong key "
                                "file, or the record was altered)");
    assert_null(c.community);
    t_gw_exec(f->db, "UPDATE credentials SET community = x'01' || substr(community, 2, 20) || "
                     "x'00' || substr(community, 23) WHERE name = 'a'");
    assert_int_equal(gw_credential_get(f->db, f->v, "a", 0, &c, &eb), GW_E_TAMPER);
}

static void test_credential_list_remove(void **state)
{
    struct fixture *f = *state;
    struct gw_errbuf eb = {""};
    json_t *list, *o;
    char *text;
    int64_t dev;
    add_v3(f, "v3");
    add_v2c(f, "v2", "community-s3cr3t");
    dev = add_device(f, "10.0.0.1", "v3");
    add_device(f, "10.0.0.2", "v3");

    list = gw_credential_list(f->db);
    assert_int_equal(json_array_size(list), 2);
    text = json_dumps(list, JSON_SORT_KEYS);
    assert_null(strstr(text, "Passphrase"));
    assert_null(strstr(text, "s3cr3t"));
    free(text);
    o = json_array_get(list, 1); /* sorted by name: v2, v3 */
    assert_string_equal(json_string_value(json_object_get(o, "name")), "v3");
    assert_string_equal(json_string_value(json_object_get(o, "version")), "3");
    assert_string_equal(json_string_value(json_object_get(o, "sec_name")), "monitor");
    assert_string_equal(json_string_value(json_object_get(o, "level")), "authPriv");
    assert_string_equal(json_string_value(json_object_get(o, "auth_proto")), "SHA-256");
    assert_string_equal(json_string_value(json_object_get(o, "priv_proto")), "AES");
    assert_string_equal(json_string_value(json_object_get(o, "context")), "ctx");
    assert_int_equal(json_integer_value(json_object_get(o, "devices")), 2);
    o = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(o, "version")), "2c");
    assert_true(json_is_null(json_object_get(o, "level")));
    assert_int_equal(json_integer_value(json_object_get(o, "devices")), 0);
    json_decref(list);

    assert_int_equal(gw_credential_remove(f->db, "v3", &eb), GW_E_BUSY);
    assert_string_equal(eb.msg, "credential 'v3' is used by 2 devices");
    assert_int_equal(gw_device_remove(f->db, dev), 0);
    assert_int_equal(gw_credential_remove(f->db, "v3", &eb), GW_E_BUSY);
    assert_string_equal(eb.msg, "credential 'v3' is used by 1 device");
    assert_int_equal(gw_credential_remove(f->db, "v2", &eb), 0);
    assert_int_equal(gw_credential_remove(f->db, "v2", &eb), GW_E_NOTFOUND);
    assert_string_equal(eb.msg, "credential 'v2' does not exist");

    {
        struct gw_credential c = {.name = "v3", .version = GW_SNMP_V2C};
        c.community = gw_strdup("xxxx");
        assert_int_equal(gw_credential_add(f->db, f->v, &c, &eb), GW_E_EXISTS);
        assert_string_equal(eb.msg, "name: credential 'v3' already exists");
        gw_credential_cleanup(&c);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Devices
 */

static void test_device_add_get(void **state)
{
    struct fixture *f = *state;
    struct gw_device d = {0}, g;
    struct gw_errbuf eb = {""};
    json_t *j;
    int64_t cid = add_v2c(f, "office", "public");
    gw_strlcpy(d.address, "Printer-3.Example.COM.", sizeof d.address);
    gw_strlcpy(d.name, "3rd floor", sizeof d.name);
    gw_strlcpy(d.credential, "office", sizeof d.credential);
    assert_int_equal(gw_device_add(f->db, &d, &eb), 0);
    assert_true(d.id > 0);
    assert_string_equal(d.address, "printer-3.example.com");
    assert_int_equal(d.port, 161);
    assert_int_equal(d.credential_id, cid);
    assert_int_equal(gw_device_get(f->db, d.id, &g), 0);
    assert_string_equal(g.address, "printer-3.example.com");
    assert_string_equal(g.name, "3rd floor");
    assert_string_equal(g.credential, "office");
    assert_string_equal(g.priority, "high");
    assert_string_equal(g.status, "new");
    assert_int_equal(g.last_seen, 0);
    assert_false(g.has_page_count);
    assert_int_equal(gw_device_get(f->db, 9999, &g), GW_E_NOTFOUND);

    j = gw_device_to_json(&g);
    assert_int_equal(json_integer_value(json_object_get(j, "id")), d.id);
    assert_string_equal(json_string_value(json_object_get(j, "address")), "printer-3.example.com");
    assert_int_equal(json_integer_value(json_object_get(j, "port")), 161);
    assert_string_equal(json_string_value(json_object_get(j, "credential")), "office");
    assert_string_equal(json_string_value(json_object_get(j, "status")), "new");
    assert_true(json_is_null(json_object_get(j, "last_seen")));
    assert_true(json_is_null(json_object_get(j, "last_poll")));
    assert_true(json_is_null(json_object_get(j, "page_count_total")));
    for (const char *const *k = (const char *const[]){"name", "priority", "vendor", "model",
                                                      "serial", "mac", "engine_id", NULL};
         *k; k++)
        assert_non_null(json_object_get(j, *k));
    json_decref(j);

    /* By credential id too, and an explicit port. */
    memset(&d, 0, sizeof d);
    gw_strlcpy(d.address, "2001:DB8::0001", sizeof d.address);
    d.credential_id = cid;
    d.port = 1161;
    assert_int_equal(gw_device_add(f->db, &d, &eb), 0);
    assert_string_equal(d.address, "2001:db8::1");
    assert_string_equal(d.credential, "office");
    assert_int_equal(gw_device_count(f->db), 2);
}

static void test_device_transport(void **state)
{
    struct fixture *f = *state;
    struct gw_device g;
    json_t *j;
    int64_t c1 = add_v2c(f, "one", "public"), c2 = add_v2c(f, "two", "private");
    int64_t id = add_device(f, "127.0.0.9", "one");
    assert_int_equal(gw_device_get(f->db, id, &g), 0);
    assert_string_equal(g.transport, "snmp");
    assert_string_equal(g.wsd_xaddrs, "");
    j = gw_device_to_json(&g);
    assert_string_equal(json_string_value(json_object_get(j, "transport")), "snmp");
    assert_null(json_object_get(j, "counters_note"));
    json_decref(j);

    assert_int_equal(gw_device_set_transport(f->db, id, "wsd", 0, "http://127.0.0.9:5357/x"), 0);
    assert_int_equal(gw_device_get(f->db, id, &g), 0);
    assert_string_equal(g.transport, "wsd");
    assert_string_equal(g.wsd_xaddrs, "http://127.0.0.9:5357/x");
    assert_int_equal(g.credential_id, c1);
    j = gw_device_to_json(&g);
    assert_string_equal(json_string_value(json_object_get(j, "transport")), "wsd");
    assert_true(json_is_null(json_object_get(j, "credential")));
    assert_string_equal(json_string_value(json_object_get(j, "wsd_xaddrs")),
                        "http://127.0.0.9:5357/x");
    json_decref(j);

    /* Back to SNMP with another credential set; the XAddrs are kept. */
    assert_int_equal(gw_device_set_transport(f->db, id, "snmp", c2, NULL), 0);
    assert_int_equal(gw_device_get(f->db, id, &g), 0);
    assert_string_equal(g.transport, "snmp");
    assert_string_equal(g.credential, "two");
    assert_string_equal(g.wsd_xaddrs, "http://127.0.0.9:5357/x");

    assert_int_equal(gw_device_set_transport(f->db, id, "ipp", 0, NULL), GW_E_INVAL);
    assert_int_equal(gw_device_set_transport(f->db, id, "wsd", 0, "http://a/\x01"), GW_E_INVAL);
    assert_int_equal(gw_device_set_transport(f->db, 9999, "wsd", 0, NULL), GW_E_NOTFOUND);
    assert_int_equal(gw_device_set_transport(f->db, id, "snmp", 9999, NULL), GW_E_DB);
}

static void test_device_duplicate(void **state)
{
    struct fixture *f = *state;
    static const char *const same[] = {"printer.lan", "PRINTER.LAN", "printer.lan."};
    struct gw_errbuf eb = {""};
    add_v2c(f, "c", "public");
    add_device(f, "printer.lan", "c");
    add_device(f, "::1", "c");
    for (size_t i = 0; i < 3; i++) {
        struct gw_device d = {.port = 161};
        gw_strlcpy(d.address, same[i], sizeof d.address);
        gw_strlcpy(d.credential, "c", sizeof d.credential);
        assert_int_equal(gw_device_add(f->db, &d, &eb), GW_E_EXISTS);
        assert_string_equal(eb.msg, "address: printer.lan port 161 is already registered");
        assert_int_equal(d.id, 0);
    }
    {
        struct gw_device d = {.port = 161};
        gw_strlcpy(d.address, "0:0:0:0:0:0:0:1", sizeof d.address);
        gw_strlcpy(d.credential, "c", sizeof d.credential);
        assert_int_equal(gw_device_add(f->db, &d, &eb), GW_E_EXISTS);
        d.port = 162; /* another port is another device */
        assert_int_equal(gw_device_add(f->db, &d, &eb), 0);
    }
    assert_int_equal(gw_device_count(f->db), 3);
}

static void test_device_invalid(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *addr, *cred, *prio;
        int rc;
        const char *msg;
    } bad[] = {
        {"", "c", "", GW_E_INVAL, "address: missing"},
        {"10.0.0.256", "c", "", GW_E_INVAL, "address: '10.0.0.256' is not a valid IPv4 address"},
        {"1.2.3", "c", "", GW_E_INVAL, "address: '1.2.3' is not a valid IPv4 address"},
        {"fe80::1%eth0", "c", "", GW_E_INVAL,
         "address: 'fe80::1%eth0' is not a valid IPv6 address"},
        {"a..b", "c", "", GW_E_INVAL, "address: 'a..b' is not a valid IP address or host name"},
        {"-a.b", "c", "", GW_E_INVAL, "address: '-a.b' is not a valid IP address or host name"},
        {"a_b", "c", "", GW_E_INVAL, "address: 'a_b' is not a valid IP address or host name"},
        {"a b", "c", "", GW_E_INVAL, "address: 'a b' is not a valid IP address or host name"},
        {"h", "nope", "", GW_E_NOTFOUND, "credential: 'nope' does not exist"},
        {"h", "", "", GW_E_NOTFOUND, "credential: missing"},
        {"h", "c", "urgent", GW_E_INVAL, "priority: must be high, middle or low"},
    };
    struct gw_errbuf eb = {""};
    add_v2c(f, "c", "public");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct gw_device d = {0};
        int rc;
        gw_strlcpy(d.address, bad[i].addr, sizeof d.address);
        gw_strlcpy(d.credential, bad[i].cred, sizeof d.credential);
        gw_strlcpy(d.priority, bad[i].prio, sizeof d.priority);
        rc = gw_device_add(f->db, &d, &eb);
        if (rc != bad[i].rc || strcmp(eb.msg, bad[i].msg) != 0) {
            print_error("case %zu: rc %d '%s'\n", i, rc, eb.msg);
            fail();
        }
    }
    {
        /* A 64-character label is one too long; 63 is fine. */
        char name[80];
        memset(name, 'a', 64);
        memcpy(name + 64, ".lan", 5);
        struct gw_device d = {0};
        gw_strlcpy(d.address, name, sizeof d.address);
        gw_strlcpy(d.credential, "c", sizeof d.credential);
        assert_int_equal(gw_device_add(f->db, &d, &eb), GW_E_INVAL);
        gw_strlcpy(d.address, name + 1, sizeof d.address);
        assert_int_equal(gw_device_add(f->db, &d, &eb), 0);
    }
    assert_int_equal(gw_device_count(f->db), 1);
}

static int collect(const struct gw_device *d, void *arg)
{
    int64_t *ids = arg;
    ids[++ids[0]] = d->id;
    return d->id == ids[99] ? 7 : 0;
}

static void test_device_foreach(void **state)
{
    struct fixture *f = *state;
    int64_t ids[100] = {0}, a, b, c;
    add_v2c(f, "c", "public");
    a = add_device(f, "h1", "c");
    b = add_device(f, "h2", "c");
    c = add_device(f, "h3", "c");
    assert_int_equal(gw_device_foreach(f->db, collect, ids), 0);
    assert_int_equal(ids[0], 3);
    assert_int_equal(ids[1], a);
    assert_int_equal(ids[2], b);
    assert_int_equal(ids[3], c);
    memset(ids, 0, sizeof ids);
    ids[99] = b; /* stop there with 7 */
    assert_int_equal(gw_device_foreach(f->db, collect, ids), 7);
    assert_int_equal(ids[0], 2);
}

/* ---------------------------------------------------------------------------------------------
 * CSV import
 */

static int import_text(struct fixture *f, const char *text, struct gw_errbuf *eb)
{
    FILE *in = fmemopen((void *)text, strlen(text), "r");
    int n;
    assert_non_null(in);
    n = gw_device_import_csv(f->db, in, "devices.csv", NULL, eb);
    fclose(in);
    return n;
}

static void test_csv_good(void **state)
{
    struct fixture *f = *state;
    struct gw_errbuf eb = {""};
    struct gw_device d;
    add_v2c(f, "office", "public");
    add_v2c(f, "lab", "private");
    assert_int_equal(import_text(f,
                                 "\xef\xbb\xbf"
                                 "Address,Port,Credential,Name\r\n"
                                 "10.1.0.1,,office,\r\n"
                                 "\r\n"
                                 " 10.1.0.2 , 1161 , lab , \"Lab, 2nd floor \"\"B\"\"\"\r\n"
                                 "printer.lan,161,office,Reception",
                                 &eb),
                     3);
    assert_int_equal(gw_device_count(f->db), 3);
    assert_int_equal(gw_device_get(f->db, 2, &d), 0);
    assert_string_equal(d.address, "10.1.0.2");
    assert_int_equal(d.port, 1161);
    assert_string_equal(d.credential, "lab");
    assert_string_equal(d.name, "Lab, 2nd floor \"B\"");
    assert_int_equal(gw_device_get(f->db, 1, &d), 0);
    assert_int_equal(d.port, 161);
    assert_string_equal(d.name, "");
    /* Only a header: nothing to import, not an error. */
    assert_int_equal(import_text(f, "address,port,credential,name\n", &eb), 0);
}

static void test_csv_bad(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"", "devices.csv: empty file, expected the header 'address,port,credential,name'"},
        {"ip,port,cred,name\n", "devices.csv:1: the header must be 'address,port,credential,name'"},
        {"address,port,credential\n",
         "devices.csv:1: the header must be 'address,port,credential,name'"},
        {"address,port,credential,name\n10.2.0.1,,c,\n10.2.0.2,0,c,\n",
         "devices.csv:3: port: '0' is not a port number (1..65535)"},
        {"address,port,credential,name\n10.2.0.1,70000,c,\n",
         "devices.csv:2: port: '70000' is not a port number (1..65535)"},
        {"address,port,credential,name\n10.2.0.1,-5,c,\n",
         "devices.csv:2: port: '-5' is not a port number (1..65535)"},
        {"address,port,credential,name\n10.2.0.1,,nope,\n",
         "devices.csv:2: credential: 'nope' does not exist"},
        {"address,port,credential,name\n10.2.0.1,,,\n", "devices.csv:2: credential: missing"},
        {"address,port,credential,name\n10.2.0.1,,c\n",
         "devices.csv:2: expected 4 fields (address,port,credential,name), found 3"},
        {"address,port,credential,name\n10.2.0.1,,c,x,y\n",
         "devices.csv:2: expected 4 fields (address,port,credential,name), found more"},
        {"address,port,credential,name\n10.2.0.1,,c,\"open\n",
         "devices.csv:2: unterminated quoted field"},
        {"address,port,credential,name\n10.2.0.1,,c,a\"b\n",
         "devices.csv:2: quote inside an unquoted field"},
        {"address,port,credential,name\n10.2.0.999,,c,\n",
         "devices.csv:2: address: '10.2.0.999' is not a valid IPv4 address"},
        {"address,port,credential,name\n10.2.0.1,,c,\n10.2.0.2,,c,\n10.2.0.1,161,c,\n",
         "devices.csv:4: address: 10.2.0.1 port 161 is already registered"},
        {"address,port,credential,name\n10.9.9.9,,c,\n",
         "devices.csv:2: address: 10.9.9.9 port 161 is already registered"},
    };
    struct gw_errbuf eb = {""};
    add_v2c(f, "c", "public");
    add_device(f, "10.9.9.9", "c");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int n = import_text(f, bad[i].text, &eb);
        if (n >= 0 || strcmp(eb.msg, bad[i].msg) != 0) {
            print_error("case %zu: %d '%s'\n", i, n, eb.msg);
            fail();
        }
        /* Nothing from a bad file stays. */
        assert_int_equal(gw_device_count(f->db), 1);
    }
    {
        /* An over-long line. */
        char *text = gw_malloc(6000);
        int n;
        size_t l;
        snprintf(text, 6000, "address,port,credential,name\n10.3.0.1,,c,x\n10.3.0.2,,c,");
        l = strlen(text);
        memset(text + l, 'n', 5000);
        text[l + 5000] = '\0';
        n = import_text(f, text, &eb);
        assert_true(n < 0);
        assert_string_equal(eb.msg, "devices.csv:3: line is longer than 4096 characters");
        assert_int_equal(gw_device_count(f->db), 1);
        free(text);
    }
    {
        /* Every bad line is reported, good lines between them are not imported. */
        static const char text[] = "address,port,credential,name\n"
                                   "10.4.0.1,0,c,\n"
                                   "10.4.0.2,,c,fine\n"
                                   "10.4.0.3,,nope,\n"
                                   "\n"
                                   "10.4.0.999,,c,\n";
        FILE *in = fmemopen((void *)text, strlen(text), "r");
        json_t *errors = json_array();
        int n = gw_device_import_csv(f->db, in, "devices.csv", errors, &eb);
        fclose(in);
        assert_true(n < 0);
        assert_int_equal(json_array_size(errors), 3);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(errors, 0), "line")), 2);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(errors, 1), "line")), 4);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(errors, 2), "line")), 6);
        assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 1), "error")),
                            "credential: 'nope' does not exist");
        assert_string_equal(eb.msg, "devices.csv: 3 bad lines, nothing imported; line 2: port: "
                                    "'0' is not a port number (1..65535)");
        assert_int_equal(gw_device_count(f->db), 1);
        json_decref(errors);
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_csv_10k(void **state)
{
    struct fixture *f = *state;
    struct gw_errbuf eb = {""};
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    double t;
    int n;
    add_v2c(f, "c", "public");
    fputs("address,port,credential,name\n", m);
    for (int i = 0; i < 10000; i++)
        fprintf(m, "10.%d.%d.%d,%s,c,printer %d\n", i / 65536, (i / 256) % 256, i % 256,
                i % 3 ? "161" : "", i);
    fclose(m);
    t = now_s();
    n = import_text(f, text, &eb);
    t = now_s() - t;
    if (n != 10000) {
        print_error("%s\n", eb.msg);
        fail();
    }
    print_message("csv import: 10000 rows in %.3f s\n", t);
    assert_int_equal(gw_device_count(f->db), 10000);
    /* Generous bound; it takes well under a second on the CI machine. */
    assert_true(t < 10.0);
    /* A bad last row rolls all 10000 back. */
    t_gw_exec(f->db, "DELETE FROM devices");
    {
        size_t l = strlen(text);
        char *bad = gw_malloc(l + 32);
        memcpy(bad, text, l);
        memcpy(bad + l, "10.0.0.0,,nope,\n", 17);
        t = now_s();
        n = import_text(f, bad, &eb);
        t = now_s() - t;
        assert_true(n < 0);
        assert_string_equal(eb.msg, "devices.csv:10002: credential: 'nope' does not exist");
        print_message("csv import: 10000 rows then a bad one, rolled back in %.3f s\n", t);
        assert_int_equal(gw_device_count(f->db), 0);
        free(bad);
    }
    free(text);
}

/* ---------------------------------------------------------------------------------------------
 * Poll results
 */

static void set_counter(struct gw_model *m, const char *name, uint64_t value)
{
    struct gw_counter *c = gw_model_add_counter(m);
    gw_strlcpy(c->name, name, sizeof c->name);
    snprintf(c->oid, sizeof c->oid, "1.3.6.1.2.1.43.10.2.1.4.1.%zu", m->n_counters);
    c->value = value;
}

static void model_one(struct gw_model *m, uint64_t total)
{
    gw_model_init(m);
    gw_strlcpy(m->vendor, "HP", sizeof m->vendor);
    gw_strlcpy(m->model, "LaserJet M507", sizeof m->model);
    gw_strlcpy(m->serial, "PHB1234567", sizeof m->serial);
    gw_strlcpy(m->mac, "00:11:22:aa:bb:cc", sizeof m->mac);
    m->has_page_count = true;
    m->page_count_total = total;
    set_counter(m, "total", total);
}

static long long meter(struct fixture *f, const char *name)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT value FROM counters_latest WHERE name = '%s'", name);
    return t_gw_query_int(f->db, sql);
}

static void test_poll_identity(void **state)
{
    struct fixture *f = *state;
    struct gw_model m;
    struct gw_device d;
    int64_t id;
    add_v2c(f, "c", "public");
    id = add_device(f, "10.0.0.1", "c");
    model_one(&m, 1000);
    gw_strlcpy(m.engine_id, "80001f8880e9630000d61ff449", sizeof m.engine_id);
    assert_int_equal(gw_store_poll_ok(f->db, id, &m, T0), 0);
    gw_model_cleanup(&m);
    assert_int_equal(gw_device_get(f->db, id, &d), 0);
    assert_string_equal(d.status, "ok");
    assert_int_equal(d.last_seen, T0);
    assert_int_equal(d.last_poll, T0);
    assert_string_equal(d.vendor, "HP");
    assert_string_equal(d.serial, "PHB1234567");
    assert_string_equal(d.engine_id, "80001f8880e9630000d61ff449");
    assert_true(d.has_page_count);
    assert_int_equal(d.page_count_total, 1000);

    /* A failed poll changes status and last_poll only. */
    assert_int_equal(gw_store_poll_failed(f->db, id, "unreachable", T0 + 300), 0);
    assert_int_equal(gw_device_get(f->db, id, &d), 0);
    assert_string_equal(d.status, "unreachable");
    assert_int_equal(d.last_seen, T0);
    assert_int_equal(d.last_poll, T0 + 300);
    {
        json_t *j = gw_device_to_json(&d);
        assert_string_equal(json_string_value(json_object_get(j, "last_seen")),
                            "2027-01-15T08:00:00Z");
        assert_string_equal(json_string_value(json_object_get(j, "last_poll")),
                            "2027-01-15T08:05:00Z");
        assert_int_equal(json_integer_value(json_object_get(j, "page_count_total")), 1000);
        json_decref(j);
    }
    assert_int_equal(gw_store_poll_failed(f->db, id, "bogus", T0), GW_E_INVAL);
    assert_int_equal(gw_store_poll_failed(f->db, 999, "error", T0), GW_E_NOTFOUND);

    /* A status-only poll (no identity, no counters, no supplies) keeps what was known. */
    gw_model_init(&m);
    assert_int_equal(gw_store_poll_ok(f->db, id, &m, T0 + 600), 0);
    gw_model_cleanup(&m);
    assert_int_equal(gw_device_get(f->db, id, &d), 0);
    assert_string_equal(d.status, "ok");
    assert_string_equal(d.vendor, "HP");
    assert_int_equal(d.page_count_total, 1000);
    assert_int_equal(meter(f, "total"), 1000);
    model_one(&m, 1);
    assert_int_equal(gw_store_poll_ok(f->db, 999, &m, T0), GW_E_NOTFOUND);
    gw_model_cleanup(&m);
}

static void test_counter_regression(void **state)
{
    struct fixture *f = *state;
    struct gw_model m;
    struct gw_device d;
    json_t *ev, *detail;
    int64_t id;
    add_v2c(f, "c", "public");
    id = add_device(f, "10.0.0.1", "c");
    model_one(&m, 5000);
    assert_int_equal(gw_store_poll_ok(f->db, id, &m, T0), 0);
    gw_model_cleanup(&m);

    model_one(&m, 4000);
    assert_int_equal(gw_store_poll_ok(f->db, id, &m, T0 + 300), 0);
    gw_model_cleanup(&m);
    assert_int_equal(meter(f, "total"), 5000); /* the meter is not replaced */
    assert_int_equal(gw_device_get(f->db, id, &d), 0);
    assert_int_equal(d.page_count_total, 5000);
    ev = gw_event_list(f->db, id, 10);
    assert_int_equal(json_array_size(ev), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "kind")),
                        "counter_regression");
    detail = json_object_get(json_array_get(ev, 0), "detail");
    assert_string_equal(json_string_value(json_object_get(detail, "name")), "total");
    assert_string_equal(json_string_value(json_object_get(detail, "oid")),
                        "1.3.6.1.2.1.43.10.2.1.4.1.1");
    assert_int_equal(json_integer_value(json_object_get(detail, "previous")), 5000);
    assert_int_equal(json_integer_value(json_object_get(detail, "value")), 4000);
    json_decref(ev);

    /* Still low on the next polls: no new event per poll. */
    model_one(&m, 4010);
    assert_int_equal(gw_store_poll_ok(f->db, id, &m, T0 + 600), 0);
    gw_model_cleanup(&m);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM events"), 1);
    assert_int_equal(meter(f, "total"), 5000);

    /* Back at or above the meter: it moves again, and a new drop is a new event. */
    model_one(&m, 5000);
    assert_int_equal(gw_store_poll_ok(f->db, id, &m, T0 + 900), 0);
    gw_model_cleanup(&m);
    model_one(&m, 6000);
    assert_int_equal(gw_store_poll_ok(f->db, id, &m, T0 + 1200), 0);
    gw_model_cleanup(&m);
    assert_int_equal(meter(f, "total"), 6000);
    model_one(&m, 10);
    assert_int_equal(gw_store_poll_ok(f->db, id, &m, T0 + 1500), 0);
    gw_model_cleanup(&m);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM events WHERE kind = "
                                           "'counter_regression'"),
                     2);
    assert_int_equal(meter(f, "total"), 6000);
}

static void test_counter_history(void **state)
{
    struct fixture *f = *state;
    static const struct {
        int64_t t;
        uint64_t v;
        int rows; /* history rows after the poll */
    } polls[] = {
        {T0, 100, 1},        /* first value: recorded */
        {T0 + 300, 100, 1},  /* unchanged: nothing */
        {T0 + 600, 120, 1},  /* changed, but the last row is younger than an hour */
        {T0 + 3600, 120, 2}, /* an hour on, differs from the last row: recorded */
        {T0 + 7200, 120, 2}, /* idle for an hour: nothing */
        {T0 + 7300, 130, 3}, /* changed, last row is an hour old: recorded */
        {T0 + 7400, 131, 3},
    };
    struct gw_model m;
    int64_t id;
    add_v2c(f, "c", "public");
    id = add_device(f, "10.0.0.1", "c");
    for (size_t i = 0; i < sizeof polls / sizeof polls[0]; i++) {
        model_one(&m, polls[i].v);
        assert_int_equal(gw_store_poll_ok(f->db, id, &m, polls[i].t), 0);
        gw_model_cleanup(&m);
        assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM counter_readings"),
                         polls[i].rows);
        assert_int_equal(meter(f, "total"), (long long)polls[i].v);
    }
    assert_int_equal(t_gw_query_int(f->db, "SELECT max(value) FROM counter_readings"), 130);

    /* Large unsigned values survive the signed INTEGER column. */
    gw_model_init(&m);
    set_counter(&m, "big", UINT64_C(0xfffffffffffffff0));
    assert_int_equal(gw_store_poll_ok(f->db, id, &m, T0 + 8000), 0);
    gw_model_cleanup(&m);
    gw_model_init(&m);
    set_counter(&m, "big", UINT64_C(0xfffffffffffffff1));
    assert_int_equal(gw_store_poll_ok(f->db, id, &m, T0 + 8300), 0);
    gw_model_cleanup(&m);
    assert_int_equal((uint64_t)meter(f, "big"), UINT64_C(0xfffffffffffffff1));
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM events"), 0);
}

static struct gw_supply *supply(struct gw_model *m, const char *type, int idx, int pct)
{
    struct gw_supply *s = gw_model_add_supply(m);
    gw_strlcpy(s->type, type, sizeof s->type);
    gw_strlcpy(s->color, "black", sizeof s->color);
    s->index = idx;
    s->level_raw = pct;
    s->max_capacity = 100;
    s->percent = pct;
    s->state = pct < 0 ? GW_SUPPLY_SOME_REMAINING : GW_SUPPLY_OK;
    return s;
}

static void alert(struct gw_model *m, int idx, int code, const char *text)
{
    struct gw_alert *a = gw_model_add_alert(m);
    a->index = idx;
    a->severity = 3;
    a->group = 5;
    a->code = code;
    gw_strlcpy(a->description, text, sizeof a->description);
}

static void test_supplies_state(void **state)
{
    struct fixture *f = *state;
    struct gw_model m;
    json_t *st, *arr;
    int64_t id;
    add_v2c(f, "c", "public");
    id = add_device(f, "10.0.0.1", "c");
    model_one(&m, 10);
    supply(&m, "toner", 1, 80);
    supply(&m, "toner", 2, -3);
    supply(&m, "toner", 2, 50); /* a duplicate index: the last wins */
    assert_int_equal(gw_store_poll_ok(f->db, id, &m, T0), 0);
    gw_model_cleanup(&m);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM supplies"), 2);

    model_one(&m, 20);
    supply(&m, "toner", 1, 75);
    supply(&m, "drum", 1, -3);
    alert(&m, 1, 1101, "Door open");
    assert_int_equal(gw_store_poll_ok(f->db, id, &m, T0 + 300), 0);
    gw_model_cleanup(&m);

    st = gw_store_device_state(f->db, id);
    assert_non_null(st);
    arr = json_object_get(st, "counters");
    assert_int_equal(json_array_size(arr), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 0), "value")), 20);
    arr = json_object_get(st, "supplies");
    assert_int_equal(json_array_size(arr), 2); /* replaced: toner 2 is gone */
    assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "type")), "drum");
    assert_true(json_is_null(json_object_get(json_array_get(arr, 0), "percent")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "state")),
                        "some_remaining");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 1), "percent")), 75);
    arr = json_object_get(st, "alerts");
    assert_int_equal(json_array_size(arr), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "description")),
                        "Door open");
    json_decref(st);
    assert_null(gw_store_device_state(f->db, 999));
}

static void test_alert_lifecycle(void **state)
{
    struct fixture *f = *state;
    struct gw_model m;
    int64_t id;
    add_v2c(f, "c", "public");
    id = add_device(f, "10.0.0.1", "c");

    model_one(&m, 1);
    alert(&m, 1, 1101, "Door open");
    alert(&m, 2, 808, "Toner low");
    assert_int_equal(gw_store_poll_ok(f->db, id, &m, T0), 0);
    gw_model_cleanup(&m);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM alerts WHERE active = 1"), 2);

    /* Door still open, toner alert gone, a jam appears. */
    model_one(&m, 1);
    alert(&m, 1, 1101, "Door open (front)");
    alert(&m, 3, 8, "Jam");
    alert(&m, 3, 8, "Jam"); /* reported twice: stored once */
    assert_int_equal(gw_store_poll_ok(f->db, id, &m, T0 + 300), 0);
    gw_model_cleanup(&m);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM alerts"), 3);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM alerts WHERE active = 1"), 2);
    assert_int_equal(t_gw_query_int(f->db, "SELECT first_seen FROM alerts WHERE code = 1101"), T0);
    assert_int_equal(t_gw_query_int(f->db, "SELECT last_seen FROM alerts WHERE code = 1101"),
                     T0 + 300);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM alerts WHERE code = 1101 AND "
                                           "description = 'Door open (front)'"),
                     1);
    assert_int_equal(t_gw_query_int(f->db, "SELECT active FROM alerts WHERE code = 808"), 0);
    assert_int_equal(t_gw_query_int(f->db, "SELECT last_seen FROM alerts WHERE code = 808"), T0);

    /* The toner alert comes back: a new occurrence, the old one stays history. */
    model_one(&m, 1);
    alert(&m, 2, 808, "Toner low");
    assert_int_equal(gw_store_poll_ok(f->db, id, &m, T0 + 600), 0);
    gw_model_cleanup(&m);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM alerts WHERE code = 808"), 2);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM alerts WHERE active = 1"), 1);
    assert_int_equal(
        t_gw_query_int(f->db, "SELECT first_seen FROM alerts WHERE code = 808 AND active = 1"),
        T0 + 600);

    /* No alerts at all: everything clears. */
    model_one(&m, 1);
    assert_int_equal(gw_store_poll_ok(f->db, id, &m, T0 + 900), 0);
    gw_model_cleanup(&m);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM alerts WHERE active = 1"), 0);
}

static void test_events(void **state)
{
    struct fixture *f = *state;
    json_t *ev;
    int64_t id;
    add_v2c(f, "c", "public");
    id = add_device(f, "10.0.0.1", "c");
    assert_int_equal(gw_event_add(f->db, id, "engine_id_shared", "{\"other_device\":2}", T0), 0);
    assert_int_equal(gw_event_add(f->db, id, "note", "plain text", T0 + 10), 0);
    assert_int_equal(gw_event_add(f->db, id, "nothing", NULL, T0 + 20), 0);
    assert_int_equal(gw_event_add(f->db, 0, "gateway_started", NULL, T0), 0);
    assert_int_equal(gw_event_add(f->db, id, "", NULL, T0), GW_E_INVAL);
    ev = gw_event_list(f->db, id, 2);
    assert_int_equal(json_array_size(ev), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "kind")),
                        "nothing");
    assert_true(json_is_null(json_object_get(json_array_get(ev, 0), "detail")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 1), "detail")),
                        "plain text");
    assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 1), "ts")),
                        "2027-01-15T08:00:10Z");
    json_decref(ev);
    ev = gw_event_list(f->db, id, 10);
    assert_int_equal(json_array_size(ev), 3);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_array_get(ev, 2), "detail"), "other_device")),
                     2);
    json_decref(ev);
}

static struct gw_tray *tray(struct gw_model *m, int idx, const char *name, long level, long max)
{
    struct gw_tray *t = gw_model_add_tray(m);
    t->index = idx;
    gw_strlcpy(t->name, name, sizeof t->name);
    gw_strlcpy(t->type, "sheetFeedAutoRemovableTray", sizeof t->type);
    gw_strlcpy(t->capacity_unit, "sheets", sizeof t->capacity_unit);
    t->level_raw = level;
    t->max_capacity = max;
    t->state = gw_tray_state(level, max, &t->percent);
    return t;
}

/* Trays round-trip through their own table, apart from the supplies with the same indexes; a
 * status-only poll keeps them, a full poll without them drops them; an empty tray is not a
 * supply running low on the dashboard. */
static void test_trays(void **state)
{
    struct fixture *f = *state;
    struct gw_model m;
    struct gw_tray *t;
    json_t *st, *arr, *x;
    int64_t id;
    add_v2c(f, "c", "public");
    id = add_device(f, "10.0.0.1", "c");
    model_one(&m, 10);
    supply(&m, "toner", 1, 80);
    t = tray(&m, 1, "Cassette 1", 250, 500);
    gw_strlcpy(t->description, "Paper cassette 1", sizeof t->description);
    gw_strlcpy(t->media_name, "A4", sizeof t->media_name);
    gw_strlcpy(t->media_type, "stationery", sizeof t->media_type);
    gw_strlcpy(t->dim_unit, "micrometers", sizeof t->dim_unit);
    t->media_feed = 297000;
    t->media_xfeed = 210000;
    t->status = 0;
    tray(&m, 2, "MP Tray", 0, 100);
    tray(&m, 3, "Cassette 2", -3, 500);
    assert_int_equal(gw_store_poll_ok(f->db, id, &m, T0), 0);
    gw_model_cleanup(&m);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM supplies"), 1);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM trays"), 3);

    st = gw_store_device_state(f->db, id);
    arr = json_object_get(st, "supplies");
    assert_int_equal(json_array_size(arr), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "type")),
                        "toner");
    arr = json_object_get(st, "trays");
    assert_int_equal(json_array_size(arr), 3);
    x = json_array_get(arr, 0);
    assert_int_equal(json_integer_value(json_object_get(x, "index")), 1);
    assert_string_equal(json_string_value(json_object_get(x, "name")), "Cassette 1");
    assert_string_equal(json_string_value(json_object_get(x, "description")), "Paper cassette 1");
    assert_string_equal(json_string_value(json_object_get(x, "type")),
                        "sheetFeedAutoRemovableTray");
    assert_string_equal(json_string_value(json_object_get(x, "media_name")), "A4");
    assert_string_equal(json_string_value(json_object_get(x, "media_type")), "stationery");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(x, "media_dimensions"), "xfeed")),
        210000);
    assert_int_equal(json_integer_value(json_object_get(x, "max_capacity")), 500);
    assert_int_equal(json_integer_value(json_object_get(x, "level_raw")), 250);
    assert_int_equal(json_integer_value(json_object_get(x, "percent")), 50);
    assert_string_equal(json_string_value(json_object_get(x, "state")), "ok");
    assert_string_equal(json_string_value(json_object_get(x, "level_text")), "250 of 500 sheets");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(x, "status"), "availability")), "idle");
    assert_string_equal(json_string_value(json_object_get(x, "ts")), "2027-01-15T08:00:00Z");
    x = json_array_get(arr, 1);
    assert_string_equal(json_string_value(json_object_get(x, "state")), "empty");
    assert_true(json_is_null(json_object_get(x, "status")));
    assert_true(json_is_null(json_object_get(x, "media_dimensions")));
    x = json_array_get(arr, 2);
    assert_string_equal(json_string_value(json_object_get(x, "state")), "some_remaining");
    assert_string_equal(json_string_value(json_object_get(x, "level_text")), "some paper");
    json_decref(st);

    /* The empty MP tray is no supply running low. */
    st = gw_query_dashboard(f->db);
    assert_int_equal(json_integer_value(json_object_get(st, "supplies_low")), 0);
    assert_int_equal(json_integer_value(json_object_get(st, "devices_supplies_low")), 0);
    assert_int_equal(json_array_size(json_object_get(st, "low_supplies")), 0);
    json_decref(st);

    /* A status-only poll keeps both lists. */
    model_one(&m, 10);
    assert_int_equal(gw_store_poll_ok(f->db, id, &m, T0 + 60), 0);
    gw_model_cleanup(&m);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM trays"), 3);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM supplies"), 1);

    /* A full poll replaces them: one tray left, and the toner goes too. */
    model_one(&m, 10);
    tray(&m, 2, "MP Tray", 50, 100);
    assert_int_equal(gw_store_poll_ok(f->db, id, &m, T0 + 120), 0);
    gw_model_cleanup(&m);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM trays"), 1);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM supplies"), 0);
    assert_int_equal(t_gw_query_int(f->db, "SELECT level_raw FROM trays WHERE idx = 2"), 50);
}

static void test_remove_cascades(void **state)
{
    struct fixture *f = *state;
    struct gw_model m;
    int64_t id, keep;
    add_v2c(f, "c", "public");
    id = add_device(f, "10.0.0.1", "c");
    keep = add_device(f, "10.0.0.2", "c");
    for (int64_t dev = id; dev <= keep; dev++) {
        model_one(&m, 100);
        supply(&m, "toner", 1, 50);
        tray(&m, 1, "Tray 1", 100, 250);
        alert(&m, 1, 1101, "Door open");
        assert_int_equal(gw_store_poll_ok(f->db, dev, &m, T0), 0);
        gw_model_cleanup(&m);
        assert_int_equal(gw_event_add(f->db, dev, "x", NULL, T0), 0);
    }
    assert_int_equal(gw_device_remove(f->db, id), 0);
    assert_int_equal(gw_device_remove(f->db, id), GW_E_NOTFOUND);
    static const char *const tables[] = {"counter_readings", "counters_latest", "supplies", "trays",
                                         "alerts",           "events"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE device_id = %lld", tables[i],
                 (long long)id);
        assert_int_equal(t_gw_query_int(f->db, sql), 0);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE device_id = %lld", tables[i],
                 (long long)keep);
        assert_int_equal(t_gw_query_int(f->db, sql), 1);
    }
}

static void test_prune(void **state)
{
    struct fixture *f = *state;
    struct gw_model m;
    int64_t id;
    add_v2c(f, "c", "public");
    id = add_device(f, "10.0.0.1", "c");
    /* 40 days of hourly changes. */
    for (int h = 0; h < 40 * 24; h++) {
        model_one(&m, (uint64_t)h * 10);
        if (h == 0)
            alert(&m, 1, 1, "old");
        assert_int_equal(gw_store_poll_ok(f->db, id, &m, T0 + h * 3600), 0);
        gw_model_cleanup(&m);
    }
    assert_int_equal(gw_event_add(f->db, id, "old", NULL, T0), 0);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM counter_readings"), 40 * 24);
    assert_int_equal(gw_store_prune(f->db, 30, T0 + 40 * 86400), 0);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM counter_readings"), 30 * 24);
    assert_int_equal(t_gw_query_int(f->db, "SELECT min(ts) FROM counter_readings"),
                     T0 + 10 * 86400);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM events"), 0);
    assert_int_equal(t_gw_query_int(f->db, "SELECT count(*) FROM alerts"), 0);
    /* The meter itself is never pruned. */
    assert_int_equal(meter(f, "total"), (40 * 24 - 1) * 10);
    assert_int_equal(gw_store_prune(f->db, 0, T0), GW_E_INVAL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_credential_check),
        T(test_credentials_sealed),
        T(test_credential_tamper),
        T(test_credential_list_remove),
        T(test_device_add_get),
        T(test_device_transport),
        T(test_device_duplicate),
        T(test_device_invalid),
        T(test_device_foreach),
        T(test_csv_good),
        T(test_csv_bad),
        T(test_csv_10k),
        T(test_poll_identity),
        T(test_counter_regression),
        T(test_counter_history),
        T(test_supplies_state),
        T(test_trays),
        T(test_alert_lifecycle),
        T(test_events),
        T(test_remove_cascades),
        T(test_prune),
    };
    gw_log_set_level(LOG_CRIT);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
