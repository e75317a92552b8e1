/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Unit tests for the WS-Discovery part of discovery/sweep.c, against fake_soapc.c (declared
 * WSD devices) and a UDP socket bound to the SNMP port that reads nothing, so every SNMP try
 * times out: WSD-only printers are reported once with their UUID and "found by wsd", other
 * WSD devices are not; SNMP and WSD packets share the pps limit; the multicast mode sends one
 * Probe and takes matches by source address; metadata reads stay within wsd_info_max; a stop
 * while reads are under way ends cleanly; no WSD socket means an SNMP-only sweep. The split of
 * the targets into what attached subnets cover (multicast) and the rest (directed Probes) is
 * checked table-driven.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "discovery/disc_int.h"
#include "tests/unit/discovery/fake_soapc.h"

#define A(c, d) (0x7f4d0000u | ((c) << 8) | (d)) /* 127.77.c.d */

struct seen {
    char address[16];
    char found_by[16];
    char how[16];
    char uuid[80];
    char serial[64];
    char model[128];
};

struct ctx {
    uv_loop_t loop;
    struct disc_sweep *sw;
    struct seen found[64];
    size_t nfound;
    int status;
    bool done;
    struct disc_progress p;
    size_t stop_after; /* stop at the n-th match, 0 = never */
};

static int snmp_sink;
static uint16_t snmp_port;
static struct gw_credential cred;

static void on_found(struct disc_sweep *sw, const struct disc_found *f, void *arg)
{
    struct ctx *c = arg;
    (void)sw;
    assert_true(c->nfound < 64);
    struct seen *s = &c->found[c->nfound++];
    gw_strlcpy(s->address, f->address, sizeof s->address);
    gw_strlcpy(s->found_by, f->found_by, sizeof s->found_by);
    gw_strlcpy(s->how, f->how, sizeof s->how);
    gw_strlcpy(s->uuid, f->uuid, sizeof s->uuid);
    gw_strlcpy(s->serial, f->model->serial, sizeof s->serial);
    gw_strlcpy(s->model, f->model->model, sizeof s->model);
}

static void on_done(struct disc_sweep *sw, int status, const struct disc_progress *p, void *arg)
{
    struct ctx *c = arg;
    (void)sw;
    c->status = status;
    c->p = *p;
    c->done = true;
    c->sw = NULL;
}

static void run_sweep(struct ctx *c, const char *spec, struct disc_sweep_opts *o)
{
    struct disc_targets t;
    struct gw_errbuf eb = {""};
    assert_int_equal(disc_targets_parse(&t, spec, NULL, 0, &eb), 0);
    o->targets = &t;
    o->creds = &cred;
    o->ncreds = 1;
    o->port = snmp_port;
    o->timeout_ms = o->timeout_ms ? o->timeout_ms : 300;
    o->found_cb = on_found;
    o->done_cb = on_done;
    o->arg = c;
    assert_int_equal(uv_loop_init(&c->loop), 0);
    assert_int_equal(disc_sweep_start(&c->loop, o, &c->sw), 0);
    uv_run(&c->loop, UV_RUN_DEFAULT);
    assert_true(c->done);
    assert_int_equal(uv_loop_close(&c->loop), 0);
    disc_targets_cleanup(&t);
}

static const struct seen *found_at(const struct ctx *c, const char *address)
{
    for (size_t i = 0; i < c->nfound; i++)
        if (strcmp(c->found[i].address, address) == 0)
            return &c->found[i];
    return NULL;
}

static void reset_fake(const struct t_wsd_dev *devs, size_t n)
{
    memset(&t_fake_wsd, 0, sizeof t_fake_wsd);
    t_fake_wsd.devs = devs;
    t_fake_wsd.ndevs = n;
    t_fake_wsd.match_delay_ms = 3;
    t_fake_wsd.info_ms = 5;
}

static const struct t_wsd_dev devs[] = {
    {A(0, 3), "urn:uuid:0003", "WSD-0003", true, 0, false},
    {A(0, 5), "urn:uuid:0005", "", false, 0, false},                 /* a PC */
    {A(0, 9), "urn:uuid:0009", "WSD-0009", true, -ETIMEDOUT, false}, /* metadata fails */
    {A(1, 1), "urn:uuid:0101", "WSD-0101", true, 0, true},           /* multicast only */
};

static void test_wsd_only(void **state)
{
    (void)state;
    struct ctx c = {0};
    reset_fake(devs, 4);
    t_fake_wsd.duplicate_matches = true;
    struct disc_sweep_opts o = {.wsd = true, .wsd_port = 13702, .pps = 2000};
    run_sweep(&c, "127.77.0.0/28", &o);
    assert_int_equal(c.status, 0);
    assert_int_equal(t_fake_wsd.port, 13702);
    assert_int_equal(t_fake_wsd.nunicast, 16);
    assert_int_equal(t_fake_wsd.nmulticast, 0);
    assert_int_equal(t_fake_wsd.opened, 1);
    assert_int_equal(t_fake_wsd.closed, 1);
    assert_int_equal(c.p.done, 16);
    assert_int_equal(c.p.total, 16);
    assert_int_equal(c.p.checkpoint, 16);
    assert_int_equal(c.p.packets, 32); /* 16 SNMP + 16 WSD */
    assert_int_equal(c.p.wsd_packets, 16);
    assert_int_equal(c.p.wsd_responders, 3); /* .3, .5 and .9 (duplicates counted once) */
    assert_int_equal(c.p.responders, 0);
    /* .3 with its metadata; .9 from its ProbeMatch types alone; not the PC. */
    assert_int_equal(c.nfound, 2);
    assert_int_equal(c.p.printers, 2);
    const struct seen *s = found_at(&c, "127.77.0.3");
    assert_non_null(s);
    assert_string_equal(s->found_by, "wsd");
    assert_string_equal(s->how, "wsd");
    assert_string_equal(s->uuid, "urn:uuid:0003");
    assert_string_equal(s->serial, "WSD-0003");
    assert_string_equal(s->model, "Simco WSD Printer 9");
    s = found_at(&c, "127.77.0.9");
    assert_non_null(s);
    assert_string_equal(s->uuid, "urn:uuid:0009");
    assert_string_equal(s->serial, "");
    assert_null(found_at(&c, "127.77.0.5"));
    assert_int_equal(t_fake_wsd.info_calls, 3);
    /* The host's lo carries no multicast: 127.77/16 is on no multicast subnet. */
    assert_string_equal(c.p.wsd_mode, "directed");
    assert_int_equal(c.p.wsd_multicast_addrs, 0);
    assert_int_equal(c.p.wsd_nif, 0);
}

/* The metadata goes through soapc_model_decode(), as the poller's does: a placeholder or padded
 * serial is normalized, never kept as the device's identity. */
static const struct t_wsd_dev odd_serials[] = {
    {A(0, 3), "urn:uuid:0003", "  unknown ", true, 0, false},
    {A(0, 4), "urn:uuid:0004", " WSD-0004\t", true, 0, false},
};

static void test_wsd_identity_normalized(void **state)
{
    (void)state;
    struct ctx c = {0};
    reset_fake(odd_serials, 2);
    struct disc_sweep_opts o = {.wsd = true, .wsd_port = 13702, .pps = 2000};
    run_sweep(&c, "127.77.0.0/29", &o);
    assert_int_equal(c.status, 0);
    assert_int_equal(c.p.printers, 2);
    const struct seen *s = found_at(&c, "127.77.0.3");
    assert_non_null(s);
    assert_string_equal(s->serial, "");
    assert_string_equal(s->model, "Simco WSD Printer 9");
    s = found_at(&c, "127.77.0.4");
    assert_non_null(s);
    assert_string_equal(s->serial, "WSD-0004");
}

static void test_pps_shared(void **state)
{
    (void)state;
    struct ctx c = {0};
    reset_fake(devs, 4);
    struct disc_sweep_opts o = {.wsd = true, .wsd_port = 13702, .pps = 100};
    run_sweep(&c, "127.77.2.0/26", &o); /* 64 addresses, 128 packets */
    assert_int_equal(c.status, 0);
    assert_int_equal(c.p.packets, 128);
    assert_int_equal(c.p.wsd_packets, 64);
    /* 128 packets at 100/s: at least ~1.27 s (the bucket starts with one token). */
    assert_true(c.p.elapsed_s >= 1.2);
    /* The Probes alone never run ahead of the limit: any 50 of them span >= 0.9 s. */
    for (size_t i = 50; i < t_fake_wsd.nunicast; i++)
        assert_true(t_fake_wsd.unicast_ms[i] - t_fake_wsd.unicast_ms[i - 50] >= 900);
    /* SNMP really went out: the sink received one GET per address. */
    char buf[2048];
    int n = 0;
    while (recv(snmp_sink, buf, sizeof buf, MSG_DONTWAIT) > 0)
        n++;
    assert_true(n >= 64);
}

static void test_multicast(void **state)
{
    (void)state;
    struct ctx c = {0};
    reset_fake(devs, 4);
    struct disc_sweep_opts o = {.wsd = true, .wsd_port = 13702, .pps = 2000};
    char ifaddr[16] = "127.0.0.1";
    o.wsd_interface = ifaddr;
    run_sweep(&c, "127.77.0.0/28, 127.77.1.1", &o);
    memset(ifaddr, 0, sizeof ifaddr); /* copied at start */
    assert_int_equal(c.status, 0);
    assert_int_equal(t_fake_wsd.nmulticast, 1);
    assert_int_equal(t_fake_wsd.nunicast, 0);
    assert_string_equal(t_fake_wsd.mcast_if, "127.0.0.1");
    assert_string_equal(t_fake_wsd.bind_addr, "127.0.0.1");
    assert_int_equal(c.p.wsd_packets, 1);
    assert_int_equal(c.p.packets, 17 + 1);
    /* .3, .9 and the multicast-only .1.1; matches from outside the targets are ignored. */
    assert_int_equal(c.nfound, 3);
    assert_non_null(found_at(&c, "127.77.1.1"));
    assert_string_equal(found_at(&c, "127.77.1.1")->found_by, "wsd");
    assert_string_equal(c.p.wsd_mode, "multicast");
    assert_int_equal(c.p.wsd_multicast_addrs, 17);
    assert_int_equal(c.p.wsd_nif, 1);
    assert_string_equal(c.p.wsd_if[0].address, "127.0.0.1");
    char text[256];
    assert_non_null(strstr(disc_progress_wsd_text(&c.p, text, sizeof text), "multicast via "));
    json_t *jo = json_object();
    disc_progress_wsd_json(&c.p, jo);
    assert_string_equal(json_string_value(json_object_get(jo, "wsd_mode")), "multicast");
    json_t *ifs = json_object_get(jo, "wsd_interfaces");
    assert_int_equal(json_array_size(ifs), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ifs, 0), "address")),
                        "127.0.0.1");
    json_decref(jo);
}

/* A resumed sweep sends its multicast Probe again and takes answers for the addresses left. */
static void test_multicast_resume(void **state)
{
    (void)state;
    struct ctx c = {0};
    reset_fake(devs, 4);
    struct disc_sweep_opts o = {.wsd = true, .wsd_port = 13702, .pps = 2000, .start_index = 8};
    o.wsd_interface = "127.0.0.1";
    run_sweep(&c, "127.77.0.0/28, 127.77.1.1", &o);
    assert_int_equal(c.status, 0);
    assert_int_equal(t_fake_wsd.nmulticast, 1);
    assert_int_equal(t_fake_wsd.nunicast, 0);
    assert_int_equal(c.p.done, 17);
    assert_int_equal(c.p.packets, 9 + 1); /* indexes 8..16 and the Probe */
    /* .3 lies before the resume point; .9 and .1.1 are found. */
    assert_int_equal(c.nfound, 2);
    assert_null(found_at(&c, "127.77.0.3"));
    assert_non_null(found_at(&c, "127.77.0.9"));
    assert_non_null(found_at(&c, "127.77.1.1"));
    assert_string_equal(c.p.wsd_mode, "multicast");
}

static const struct t_wsd_dev many[] = {
    {A(3, 1), "urn:uuid:1", "S1", true, 0, false}, {A(3, 2), "urn:uuid:2", "S2", true, 0, false},
    {A(3, 3), "urn:uuid:3", "S3", true, 0, false}, {A(3, 4), "urn:uuid:4", "S4", true, 0, false},
    {A(3, 5), "urn:uuid:5", "S5", true, 0, false}, {A(3, 6), "urn:uuid:6", "S6", true, 0, false},
    {A(3, 7), "urn:uuid:7", "S7", true, 0, false}, {A(3, 8), "urn:uuid:8", "S8", true, 0, false},
    {A(3, 9), "urn:uuid:9", "S9", true, 0, false}, {A(3, 10), "urn:uuid:a", "SA", true, 0, false},
};

static void test_info_bounded(void **state)
{
    (void)state;
    struct ctx c = {0};
    reset_fake(many, 10);
    t_fake_wsd.info_ms = 40;
    struct disc_sweep_opts o = {.wsd = true, .wsd_port = 13702, .pps = 5000, .wsd_info_max = 2};
    run_sweep(&c, "127.77.3.0/28", &o);
    assert_int_equal(c.status, 0);
    assert_int_equal(c.nfound, 10);
    assert_int_equal(t_fake_wsd.info_calls, 10);
    assert_int_equal(t_fake_wsd.info_peak, 2);
}

static void stop_soon(uv_timer_t *h)
{
    struct ctx *c = h->data;
    if (c->sw && t_fake_wsd.info_active > 0) {
        disc_sweep_stop(c->sw);
        uv_close((uv_handle_t *)h, NULL);
    }
}

static void test_stop_during_info(void **state)
{
    (void)state;
    struct ctx c = {0};
    reset_fake(many, 10);
    t_fake_wsd.info_ms = 200;
    struct disc_targets t;
    struct gw_errbuf eb = {""};
    assert_int_equal(disc_targets_parse(&t, "127.77.3.0/24", NULL, 0, &eb), 0);
    struct disc_sweep_opts o = {.targets = &t,
                                .creds = &cred,
                                .ncreds = 1,
                                .port = snmp_port,
                                .timeout_ms = 300,
                                .wsd = true,
                                .wsd_port = 13702,
                                .pps = 2000,
                                .found_cb = on_found,
                                .done_cb = on_done,
                                .arg = &c};
    uv_timer_t tm;
    assert_int_equal(uv_loop_init(&c.loop), 0);
    assert_int_equal(disc_sweep_start(&c.loop, &o, &c.sw), 0);
    uv_timer_init(&c.loop, &tm);
    tm.data = &c;
    uv_timer_start(&tm, stop_soon, 1, 1);
    uv_run(&c.loop, UV_RUN_DEFAULT);
    assert_true(c.done);
    assert_int_equal(c.status, -ECANCELED);
    assert_int_equal(t_fake_wsd.info_active, 0);
    assert_int_equal(t_fake_wsd.closed, 1);
    assert_int_equal(c.nfound, 0); /* nothing finished before the stop */
    assert_true(c.p.done < 256);
    assert_int_equal(uv_loop_close(&c.loop), 0);
    disc_targets_cleanup(&t);
}

static void test_no_wsd_socket(void **state)
{
    (void)state;
    struct ctx c = {0};
    reset_fake(devs, 4);
    t_fake_wsd.fail_new = true;
    struct disc_sweep_opts o = {.wsd = true, .pps = 2000};
    run_sweep(&c, "127.77.0.0/29", &o);
    assert_int_equal(c.status, 0);
    assert_int_equal(c.p.packets, 8);
    assert_int_equal(c.p.wsd_packets, 0);
    assert_int_equal(c.nfound, 0);
    assert_string_equal(c.p.wsd_mode, "off");
    /* And with WSD off the fake is never asked. */
    memset(&c, 0, sizeof c);
    reset_fake(devs, 4);
    struct disc_sweep_opts o2 = {.pps = 2000};
    run_sweep(&c, "127.77.0.0/29", &o2);
    assert_int_equal(t_fake_wsd.opened, 0);
    assert_int_equal(c.p.packets, 8);
}

/* The split of target ranges by attached subnets, table-driven. */
struct split_case {
    const char *name;
    const char *targets, *excludes;
    struct disc_subnet nets[3];
    size_t nnets;
    struct disc_range want[4]; /* covered ranges */
    size_t nwant;
    uint64_t count;
    bool used[3];
};

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static const struct split_case split_cases[] = {
    {"fully covered",
     "10.1.2.0/24",
     NULL,
     {{"eth0", IP(10, 1, 0, 5), 0xffff0000u}},
     1,
     {{IP(10, 1, 2, 0), IP(10, 1, 2, 255)}},
     1,
     256,
     {true}},
    {"partly covered",
     "10.1.0.200-10.1.1.10",
     NULL,
     {{"eth0", IP(10, 1, 1, 1), 0xffffff00u}},
     1,
     {{IP(10, 1, 1, 0), IP(10, 1, 1, 10)}},
     1,
     11,
     {true}},
    {"not covered",
     "192.168.5.0/24",
     NULL,
     {{"eth0", IP(10, 1, 1, 1), 0xffffff00u}},
     1,
     {{0, 0}},
     0,
     0,
     {false}},
    {"no interfaces", "10.1.1.0/24", NULL, {{"", 0, 0}}, 0, {{0, 0}}, 0, 0, {false}},
    {"excludes cut out",
     "10.1.1.0/24",
     "10.1.1.100-10.1.1.199",
     {{"eth0", IP(10, 1, 1, 1), 0xffffff00u}},
     1,
     {{IP(10, 1, 1, 0), IP(10, 1, 1, 99)}, {IP(10, 1, 1, 200), IP(10, 1, 1, 255)}},
     2,
     156,
     {true}},
    {"two interfaces, one unused",
     "10.1.1.0/25, 172.16.0.0/16",
     NULL,
     {{"eth0", IP(10, 1, 1, 1), 0xffffff00u},
      {"eth1", IP(10, 9, 0, 1), 0xffff0000u},
      {"wlan0", IP(172, 16, 4, 1), 0xfffffc00u}},
     3,
     {{IP(10, 1, 1, 0), IP(10, 1, 1, 127)}, {IP(172, 16, 4, 0), IP(172, 16, 7, 255)}},
     2,
     128 + 1024,
     {true, false, true}},
    {"overlapping subnets merge",
     "10.2.0.0/16",
     NULL,
     {{"eth0", IP(10, 2, 0, 1), 0xffffff00u}, {"br0", IP(10, 2, 0, 2), 0xfffffe00u}},
     2,
     {{IP(10, 2, 0, 0), IP(10, 2, 1, 255)}},
     1,
     512,
     {true, true}},
    {"covered range between uncovered ones",
     "10.0.0.1, 10.3.3.3, 10.9.9.9",
     NULL,
     {{"eth0", IP(10, 3, 3, 1), 0xffffff00u}},
     1,
     {{IP(10, 3, 3, 3), IP(10, 3, 3, 3)}},
     1,
     1,
     {true}},
};

static void test_split(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof split_cases / sizeof split_cases[0]; k++) {
        const struct split_case *sc = &split_cases[k];
        struct disc_targets t = {0};
        struct gw_errbuf eb = {""};
        assert_int_equal(
            disc_targets_parse(&t, sc->targets, sc->excludes, DISC_TARGETS_CONFIRMED, &eb), 0);
        struct disc_range *cov = NULL;
        size_t ncov = 99;
        uint64_t count = 99;
        bool used[3] = {true, true, true};
        disc__wsd_split(t.ranges, t.nranges, sc->nets, sc->nnets, &cov, &ncov, &count, used);
        if (ncov != sc->nwant || count != sc->count)
            fail_msg("%s: %zu ranges, %llu addresses", sc->name, ncov, (unsigned long long)count);
        for (size_t i = 0; i < ncov; i++)
            if (cov[i].first != sc->want[i].first || cov[i].last != sc->want[i].last)
                fail_msg("%s: range %zu differs", sc->name, i);
        for (size_t i = 0; i < sc->nnets; i++)
            if (used[i] != sc->used[i])
                fail_msg("%s: interface %zu used=%d", sc->name, i, used[i]);
        /* Every target address is covered exactly when it is inside a covered range. */
        for (uint64_t i = 0; i < t.count; i++) {
            uint32_t a = disc_targets_at(&t, i);
            bool in = false;
            for (size_t j = 0; j < sc->nnets; j++)
                in |= (a & sc->nets[j].mask) == (sc->nets[j].addr & sc->nets[j].mask);
            if (disc__ranges_has(cov, ncov, a) != in)
                fail_msg("%s: address index %llu", sc->name, (unsigned long long)i);
        }
        if (sc->excludes)
            assert_false(disc__ranges_has(cov, ncov, IP(10, 1, 1, 150)));
        free(cov);
        disc_targets_cleanup(&t);
    }
}

static int setup(void **state)
{
    (void)state;
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY)};
    socklen_t len = sizeof sin;
    snmp_sink = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(snmp_sink >= 0);
    assert_int_equal(bind(snmp_sink, (struct sockaddr *)&sin, sizeof sin), 0);
    assert_int_equal(getsockname(snmp_sink, (struct sockaddr *)&sin, &len), 0);
    snmp_port = ntohs(sin.sin_port);
    memset(&cred, 0, sizeof cred);
    gw_strlcpy(cred.name, "v2", sizeof cred.name);
    cred.version = GW_SNMP_V2C;
    cred.community = gw_strdup("public");
    snmpc_lib_init();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    snmpc_lib_shutdown();
    gw_credential_cleanup(&cred);
    close(snmp_sink);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* clang-format off */
        cmocka_unit_test(test_wsd_only),
        cmocka_unit_test(test_wsd_identity_normalized),
        cmocka_unit_test(test_pps_shared),
        cmocka_unit_test(test_multicast),
        cmocka_unit_test(test_info_bounded),
        cmocka_unit_test(test_stop_during_info),
        cmocka_unit_test(test_no_wsd_socket),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_multicast_resume),
        /* clang-format on */
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
