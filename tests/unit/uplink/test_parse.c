/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Unit tests for the uplink's parsers of outside input, table-driven: down messages (every
 * verdict and the message naming what is wrong), the HTTP proxy's reply to CONNECT, the proxy
 * URL and the broker endpoint list from the registration.
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

#include "uplink/up_int.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define NOW 1795305600 /* 2026-11-22T00:00:00Z */

static void test_down_messages(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        enum up_down_verdict v;
        const char *id, *msg; /* id read (may be ""), a part of the error message */
    } cases[] = {
        {"{\"v\":1,\"id\":\"t1\",\"type\":\"ping\"}", UP_DOWN_OK, "t1", ""},
        {"{\"v\":1,\"id\":\"t2\",\"type\":\"reboot\"}", UP_DOWN_UNSUPPORTED, "t2",
         "task type 'reboot' is not supported"},
        {"garbage{", UP_DOWN_MALFORMED, "", "not JSON"},
        {"", UP_DOWN_MALFORMED, "", "not JSON"},
        {"[1,2]", UP_DOWN_MALFORMED, "", "not a JSON object"},
        {"{\"v\":2,\"id\":\"t3\",\"type\":\"ping\"}", UP_DOWN_MALFORMED, "t3", "\"v\" must be 1"},
        {"{\"id\":\"t3\",\"type\":\"ping\"}", UP_DOWN_MALFORMED, "t3", "\"v\" must be 1"},
        {"{\"v\":1,\"type\":\"ping\"}", UP_DOWN_MALFORMED, "", "\"id\" must be"},
        {"{\"v\":1,\"id\":\"bad id!\",\"type\":\"ping\"}", UP_DOWN_MALFORMED, "", "\"id\" must be"},
        {"{\"v\":1,\"id\":\"t4\"}", UP_DOWN_MALFORMED, "t4", "\"type\" must be"},
        {"{\"v\":1,\"id\":\"t5\",\"type\":\"ping\",\"args\":[1]}", UP_DOWN_MALFORMED, "t5",
         "\"args\" must be an object"},
        {"{\"v\":1,\"id\":\"t6\",\"type\":\"ping\",\"expires_at\":\"tomorrow\"}", UP_DOWN_MALFORMED,
         "t6", "\"expires_at\" must be like"},
        {"{\"v\":1,\"id\":\"t7\",\"type\":\"ping\",\"id\":\"t8\"}", UP_DOWN_MALFORMED, "",
         "not JSON"}, /* duplicate key */
        {"{\"v\":1,\"id\":\"t9\",\"type\":\"ping\",\"gw\":\"gw-other\"}", UP_DOWN_UNAUTHORIZED,
         "t9", "addressed to another gateway"},
        {"{\"v\":1,\"id\":\"t10\",\"type\":\"ping\",\"gw\":\"gw-unit\"}", UP_DOWN_OK, "t10", ""},
        {"{\"v\":1,\"id\":\"t11\",\"type\":\"ping\",\"expires_at\":\"2001-01-01T00:00:00Z\"}",
         UP_DOWN_EXPIRED, "t11", "expired"},
        {"{\"v\":1,\"id\":\"t12\",\"type\":\"ping\",\"expires_at\":\"2030-01-01T00:00:00Z\"}",
         UP_DOWN_OK, "t12", ""},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct up_task t;
        struct gw_errbuf eb = {""};
        enum up_down_verdict v =
            up_down_parse(cases[i].in, strlen(cases[i].in), "gw-unit", NOW, &t, &eb);
        if (v != cases[i].v || strcmp(t.id, cases[i].id) != 0 || !strstr(eb.msg, cases[i].msg))
            fail_msg("%s: verdict %s id '%s' error '%s'", cases[i].in, up_down_verdict_name(v),
                     t.id, eb.msg);
    }
    /* Oversized: refused before it is parsed. */
    size_t big = UP_DOWN_MAX + 1;
    char *buf = malloc(big);
    memset(buf, ' ', big);
    struct up_task t;
    struct gw_errbuf eb = {""};
    assert_int_equal(up_down_parse(buf, big, "gw-unit", NOW, &t, &eb), UP_DOWN_TOO_LARGE);
    assert_non_null(strstr(eb.msg, "exceeds the limit of 65536"));
    free(buf);
    assert_string_equal(up_down_verdict_name(UP_DOWN_TOO_LARGE), "too_large");
    assert_string_equal(up_down_verdict_name(UP_DOWN_OK), "ok");
}

static void test_proxy_reply(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int rc; /* > 0: header length is strlen of the part before "|" */
        int status;
        const char *reason;
    } cases[] = {
        {"HTTP/1.1 200 Connection established\r\n\r\n", 1, 200, "Connection established"},
        {"HTTP/1.0 200 OK\r\nProxy-agent: x\r\n\r\n", 1, 200, "OK"},
        {"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n", 1, 407,
         "Proxy Authentication Required"},
        {"HTTP/1.1 403\r\n\r\n", 1, 403, ""},
        {"HTTP/1.1 200 OK\r\n", 0, 0, ""}, /* more to come */
        {"HTTP/1.1 2", 0, 0, ""},          /* more to come */
        {"SSH-2.0-OpenSSH\r\n\r\n", -1, 0, ""},
        {"HTTP/2 200 OK\r\n\r\n", -1, 0, ""},
        {"HTTP/1.1 2x0 OK\r\n\r\n", -1, 0, ""},
        {"HTTP/1.1 099 Low\r\n\r\n", -1, 0, ""},
        {"HTTP/1.1 200OK\r\n\r\n", -1, 0, ""},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        int status = 0;
        char reason[80] = "";
        size_t len = strlen(cases[i].in);
        int rc = up__proxy_reply_parse(cases[i].in, len, &status, reason, sizeof reason);
        bool ok = cases[i].rc > 0 ? rc == (int)len && status == cases[i].status &&
                                        strcmp(reason, cases[i].reason) == 0
                                  : (cases[i].rc == 0 ? rc == 0 : rc == GW_E_PARSE);
        if (!ok)
            fail_msg("%s: rc %d status %d reason '%s'", cases[i].in, rc, status, reason);
    }
    /* Bytes after the headers are the tunnel's, not the reply's. */
    int status;
    char reason[8];
    const char *withdata = "HTTP/1.1 200 OK\r\n\r\n\x16\x03\x01";
    assert_int_equal(
        up__proxy_reply_parse(withdata, strlen(withdata), &status, reason, sizeof reason), 19);
    /* Headers without an end, 8 KiB of them: refused, not waited for forever. */
    char *big = malloc(8200);
    memcpy(big, "HTTP/1.1 200 OK\r\n", 17);
    memset(big + 17, 'a', 8200 - 17);
    assert_int_equal(up__proxy_reply_parse(big, 8200, &status, reason, sizeof reason), GW_E_PARSE);
    free(big);
}

static void test_proxy_url(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int rc;
        const char *host;
        int port;
    } cases[] = {
        {"http://127.0.0.1:3128", 0, "127.0.0.1", 3128},
        {"http://proxy.example.com:8080/", 0, "proxy.example.com", 8080},
        {"proxy:3128", 0, "proxy", 3128},
        {"proxy", 0, "proxy", 1080},
        {"http://[::1]:3128", 0, "::1", 3128},
        {"https://proxy:443", GW_E_INVAL, "", 0},
        {"socks5://proxy:1080", GW_E_INVAL, "", 0},
        {"http://user:pw@proxy:3128", GW_E_INVAL, "", 0},
        {"http://proxy:0", GW_E_INVAL, "", 0},
        {"http://proxy:65536", GW_E_INVAL, "", 0},
        {"http://proxy:", GW_E_INVAL, "", 0},
        {"http://:3128", GW_E_INVAL, "", 0},
        {"http://[::1", GW_E_INVAL, "", 0},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        char host[256] = "";
        int port = 0;
        int rc = up__proxy_url_parse(cases[i].in, host, sizeof host, &port);
        if (rc != cases[i].rc ||
            (rc == 0 && (strcmp(host, cases[i].host) != 0 || port != cases[i].port)))
            fail_msg("%s: rc %d host '%s' port %d", cases[i].in, rc, host, port);
    }
}

static void test_broker_list(void **state)
{
    (void)state;
    struct up_endpoint ep[UP_ENDPOINTS_MAX];
    int n = up__broker_list_parse("mqtt.example.com:443/mqtt,mqtt.example.com:8883", ep, 4);
    assert_int_equal(n, 2);
    assert_string_equal(ep[0].host, "mqtt.example.com");
    assert_int_equal(ep[0].port, 443);
    assert_string_equal(ep[0].alpn, "mqtt");
    assert_int_equal(ep[1].port, 8883);
    assert_string_equal(ep[1].alpn, "");
    /* The old single form, IPv6, and entries that do not parse (skipped). */
    assert_int_equal(up__broker_list_parse("localhost:1883", ep, 4), 1);
    assert_int_equal(up__broker_list_parse("[::1]:8883", ep, 4), 1);
    assert_string_equal(ep[0].host, "::1");
    n = up__broker_list_parse("nohost,:8883,h:0,h:99999,h:x,ok:8883,,h:1/" /* empty alpn */, ep, 4);
    assert_int_equal(n, 2);
    assert_string_equal(ep[0].host, "ok");
    assert_string_equal(ep[1].host, "h");
    assert_int_equal(up__broker_list_parse("", ep, 4), 0);
    assert_int_equal(up__broker_list_parse("a:1,b:2,c:3,d:4,e:5", ep, 4), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_down_messages),
        cmocka_unit_test(test_proxy_reply),
        cmocka_unit_test(test_proxy_url),
        cmocka_unit_test(test_broker_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
