/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Unit tests for soap/probe.c and soap/info.c on loopback: a responder on a uv_udp socket in the
 * same loop answers each Probe with a reply to somebody else's MessageID, a datagram that is not
 * XML, a stale reply, a reply to the MessageID a counter would give the next Probe, the right
 * reply sent from another address (127.0.0.2), and the right ProbeMatches; only the last may
 * reach the callback. The XAddr choice is checked with a case table (only http:// on the
 * responder's literal IPv4 address), and the info job for its error paths (no usable XAddr,
 * connection refused) and for running its callback exactly once.
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

#include "soap/soapc_int.h"

struct fixture {
    uv_loop_t loop;
    uv_udp_t resp, spoof;
    char ids[2][128];
    struct soap *soap;
    uint16_t port;
    int probes_seen;
    int matches;
    struct soapc_wsd_match last;
    struct soapc_probe *p;
    bool closed;
};

static void on_alloc(uv_handle_t *h, size_t sz, uv_buf_t *b)
{
    static char buf[65536];
    b->base = buf;
    b->len = sizeof(buf);
}

static void on_sent(uv_udp_send_t *r, int status)
{
    free(r);
}

static void send_from(uv_udp_t *h, const struct sockaddr *to, const char *x, size_t n)
{
    uv_udp_send_t *r = malloc(sizeof(*r) + n);
    char *copy = (char *)(r + 1);
    memcpy(copy, x, n);
    uv_buf_t b = uv_buf_init(copy, (unsigned)n);
    assert_int_equal(uv_udp_send(r, h, &b, 1, to, on_sent), 0);
}

static void send_to(struct fixture *f, const struct sockaddr *to, const char *x, size_t n)
{
    send_from(&f->resp, to, x, n);
}

static void reply_from(struct fixture *f, uv_udp_t *h, const struct sockaddr *to,
                       const char *relates, const char *uuid)
{
    struct wsdd__ProbeMatchesType pm;
    const char *xml;
    size_t len;

    soap_wsdd_init_ProbeMatches(f->soap, &pm);
    soap_wsdd_add_ProbeMatch(f->soap, &pm, uuid, "wprt:PrintDeviceType", NULL, NULL,
                             "http://127.0.0.1:1/x", 1);
    assert_int_equal(soapc__probe_matches_build(f->soap, relates, &pm, &xml, &len), 0);
    send_from(h, to, xml, len);
    soap_end(f->soap);
}

static void reply(struct fixture *f, const struct sockaddr *to, const char *relates,
                  const char *uuid)
{
    reply_from(f, &f->resp, to, relates, uuid);
}

static void on_probe(uv_udp_t *h, ssize_t n, const uv_buf_t *b, const struct sockaddr *from,
                     unsigned flags)
{
    struct fixture *f = h->data;
    char id[128], stale[128];
    const char *types;
    struct gw_errbuf eb = {{0}};

    if (n <= 0)
        return;
    assert_int_equal(soapc__probe_parse(f->soap, b->base, (size_t)n, id, sizeof(id), &types, &eb),
                     0);
    soap_end(f->soap);
    if (f->probes_seen < 2)
        gw_strlcpy(f->ids[f->probes_seen], id, sizeof(f->ids[0]));
    f->probes_seen++;
    /* 1: another client's Probe; 2: not XML; 3: a number never sent; 4: the ID a fixed prefix
     * plus a counter would give the next Probe (both Probes are sent before any reply); 5: the
     * right ID, but from 127.0.0.2, not the probed address; 6: ours, with the MessageID
     * upper-cased as some devices echo it. */
    reply(f, from, "urn:uuid:99999999-9999-4999-8999-999999999999",
          "urn:uuid:00000000-0000-4000-8000-000000000001");
    send_to(f, from, "not xml at all", 14);
    gw_strlcpy(stale, id, sizeof(stale));
    memcpy(stale + strlen(stale) - 12, "7fffffffffff", 12);
    reply(f, from, stale, "urn:uuid:00000000-0000-4000-8000-000000000002");
    gw_strlcpy(stale, id, sizeof(stale));
    snprintf(stale + strlen(stale) - 12, 13, "%012llx",
             strtoull(id + strlen(id) - 12, NULL, 16) + 1);
    reply(f, from, stale, "urn:uuid:00000000-0000-4000-8000-000000000004");
    reply_from(f, &f->spoof, from, id, "urn:uuid:00000000-0000-4000-8000-000000000005");
    for (char *c = id; *c; c++)
        if (*c >= 'a' && *c <= 'f')
            *c = (char)(*c - 'a' + 'A');
    reply(f, from, id, "urn:uuid:00000000-0000-4000-8000-000000000003");
}

static void on_closed(void *arg)
{
    struct fixture *f = arg;
    f->closed = true;
}

static void on_match(void *arg, const struct soapc_wsd_match *m)
{
    struct fixture *f = arg;
    f->matches++;
    f->last = *m;
}

static void on_stop(uv_timer_t *t)
{
    struct fixture *f = t->data;
    soapc_probe_close(f->p, on_closed, f);
    uv_close((uv_handle_t *)&f->resp, NULL);
    uv_close((uv_handle_t *)&f->spoof, NULL);
    uv_close((uv_handle_t *)t, NULL);
}

static void test_probe_matching(void **state)
{
    struct fixture f = {0};
    struct sockaddr_in a;
    int alen = sizeof(a);
    uv_timer_t stop;
    struct soapc_probe_opts o = {0};
    (void)state;

    assert_int_equal(uv_loop_init(&f.loop), 0);
    f.soap = soapc__ctx_new();
    uv_udp_init(&f.loop, &f.resp);
    f.resp.data = &f;
    uv_ip4_addr("127.0.0.1", 0, &a);
    assert_int_equal(uv_udp_bind(&f.resp, (struct sockaddr *)&a, 0), 0);
    uv_udp_getsockname(&f.resp, (struct sockaddr *)&a, &alen);
    f.port = ntohs(a.sin_port);
    uv_udp_recv_start(&f.resp, on_alloc, on_probe);
    uv_udp_init(&f.loop, &f.spoof);
    uv_ip4_addr("127.0.0.2", 0, &a);
    assert_int_equal(uv_udp_bind(&f.spoof, (struct sockaddr *)&a, 0), 0);

    o.port = f.port;
    o.bind_addr = "127.0.0.1";
    assert_int_equal(soapc_probe_new(&f.loop, &o, on_match, &f, &f.p), 0);
    assert_int_equal(soapc_probe_unicast(f.p, 0x7f000001), 0);
    assert_int_equal(soapc_probe_unicast(f.p, 0x7f000001), 0);
    assert_int_equal(soapc_probe_pending(f.p), 2);
    assert_int_equal(soapc_probe_multicast(f.p, "not-an-address"), GW_E_INVAL);
    uv_timer_init(&f.loop, &stop);
    stop.data = &f;
    uv_timer_start(&stop, on_stop, 500, 0);
    uv_run(&f.loop, UV_RUN_DEFAULT);

    assert_int_equal(f.probes_seen, 2);
    assert_int_equal(f.matches, 2); /* one good reply per Probe */
    /* No fixed prefix: the two MessageIDs differ before their last group. */
    assert_int_equal(strlen(f.ids[0]), 45);
    assert_memory_not_equal(f.ids[0], f.ids[1], 32);
    assert_string_equal(f.last.uuid, "urn:uuid:00000000-0000-4000-8000-000000000003");
    assert_int_equal(f.last.from, 0x7f000001);
    assert_true(f.closed);
    soapc__ctx_free(f.soap);
    assert_int_equal(uv_loop_close(&f.loop), 0);
}

static void test_probe_new_bad(void **state)
{
    uv_loop_t loop;
    struct soapc_probe *p = (struct soapc_probe *)&loop;
    struct soapc_probe_opts o = {.bind_addr = "127.0.0.300"};
    (void)state;

    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(soapc_probe_new(&loop, &o, on_match, NULL, &p), GW_E_INVAL);
    assert_null(p);
    assert_int_equal(uv_loop_close(&loop), 0);
}

struct info_res {
    int calls, status;
    struct soapc_device_info info;
};

static void on_info(void *arg, int status, const struct soapc_device_info *info)
{
    struct info_res *r = arg;
    r->calls++;
    r->status = status;
    r->info = *info;
}

static void test_info_errors(void **state)
{
    uv_loop_t loop;
    struct soapc_wsd_match m = {0};
    struct info_res r = {0};
    uv_tcp_t t;
    struct sockaddr_in a;
    int alen = sizeof(a);
    (void)state;

    assert_int_equal(uv_loop_init(&loop), 0);
    gw_strlcpy(m.uuid, "urn:uuid:00000000-0000-4000-8000-000000000001", sizeof(m.uuid));
    m.from = 0x7f000001;
    gw_strlcpy(m.xaddrs, "https://127.0.0.1/x urn:foo", sizeof(m.xaddrs));
    assert_int_equal(soapc_info_get(&loop, &m, 1000, on_info, &r), SOAPC_E_NO_XADDR);
    /* Another service on loopback, named by a ProbeMatch from 127.0.0.1: refused at once. */
    gw_strlcpy(m.xaddrs, "http://127.0.0.2:1/x http://localhost:1/x", sizeof(m.xaddrs));
    assert_int_equal(soapc_info_get(&loop, &m, 1000, on_info, &r), SOAPC_E_NO_XADDR);

    /* A port nobody listens on: bind one, note it, close it. */
    uv_tcp_init(&loop, &t);
    uv_ip4_addr("127.0.0.1", 0, &a);
    assert_int_equal(uv_tcp_bind(&t, (struct sockaddr *)&a, 0), 0);
    uv_tcp_getsockname(&t, (struct sockaddr *)&a, &alen);
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    snprintf(m.xaddrs, sizeof(m.xaddrs), "https://127.0.0.1/x http://127.0.0.1:%u/dev",
             ntohs(a.sin_port));
    assert_int_equal(soapc_info_get(&loop, &m, 1000, on_info, &r), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.status, -ECONNREFUSED);
    assert_string_equal(r.info.uuid, m.uuid);
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void test_xaddr_pick(void **state)
{
    static const struct {
        const char *xaddrs;
        uint32_t from;
        const char *url; /* NULL: refused */
        const char *why;
    } cases[] = {
        {"http://127.0.0.1:5357/dev", 0x7f000001, "http://127.0.0.1:5357/dev", NULL},
        {"HTTP://127.0.0.1/", 0x7f000001, "http://127.0.0.1:80/", NULL},
        {"http://127.0.0.1", 0x7f000001, "http://127.0.0.1:80", NULL},
        {"https://127.0.0.1/a  http://127.0.0.1:8080/b", 0x7f000001, "http://127.0.0.1:8080/b",
         NULL},
        {"http://127.0.0.2:5357/dev", 0x7f000001, NULL, "not the address the ProbeMatch came"},
        {"http://127.0.0.1:5357/dev", 0, NULL, "not the address"},
        {"http://localhost:5357/", 0x7f000001, NULL, "not a literal IPv4"},
        {"http://printer.example:80/", 0x7f000001, NULL, "not a literal IPv4"},
        {"http://127.0.0.1@10.1.1.1/", 0x7f000001, NULL, "bad URL after the host"},
        {"http://127.0.0.1:80@10.1.1.1/", 0x7f000001, NULL, "bad URL after the host"},
        {"http://127.0.0.1:99999/", 0x7f000001, NULL, "bad port"},
        {"http://127.0.0.1:0/", 0x7f000001, NULL, "bad port"},
        {"http://[::1]:80/", 0x7f000001, NULL, "not a literal IPv4"},
        {"http://127.1/", 0x7f000001, NULL, "not a literal IPv4"},
        {"http://127.0.0.1/\xe8\xa4\x87", 0x7f000001, NULL, "outside ASCII"},
        {"urn:foo", 0x7f000001, NULL, "not an http:// URL"},
        {"", 0x7f000001, NULL, "no XAddr"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct soapc_wsd_match m = {0};
        struct gw_errbuf eb = {{0}};
        char url[256] = "";
        gw_strlcpy(m.xaddrs, cases[i].xaddrs, sizeof(m.xaddrs));
        m.from = cases[i].from;
        int rc = soapc_xaddr_pick(&m, url, sizeof(url), &eb);
        if (cases[i].url) {
            assert_int_equal(rc, 0);
            assert_string_equal(url, cases[i].url);
        } else {
            assert_int_equal(rc, SOAPC_E_NO_XADDR);
            if (!strstr(eb.msg, cases[i].why))
                fail_msg("case %zu (%s): message '%s' lacks '%s'", i, cases[i].xaddrs, eb.msg,
                         cases[i].why);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_matching),
        cmocka_unit_test(test_probe_new_bad),
        cmocka_unit_test(test_info_errors),
        cmocka_unit_test(test_xaddr_pick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
