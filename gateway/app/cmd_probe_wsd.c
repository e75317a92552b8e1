/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * `fleetgw probe --wsd ADDR`: finds one device through WS-Discovery and prints what its SOAP
 * services say (identity from the DPWS metadata, printer status and consumables from WS-Print).
 * It runs the module's own code path on a private libuv loop: a directed Probe from a uv_udp
 * socket (resent twice within the timeout, as UDP may lose it), the first ProbeMatch whose
 * source is ADDR, then soapc_info_get() on the worker pool.
 *
 * With ADDR 239.255.255.250 it sends the Probe to the WS-Discovery multicast group instead (out
 * of --interface, default route otherwise) and lists every device that answers within the
 * timeout, de-duplicated by endpoint reference, without asking them for metadata.
 *
 * Exit status: 0 ok, 2 usage, 3 no ProbeMatch or no SOAP answer, 1 other failure (a SOAP
 * fault, malformed XML, no usable XAddr).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <uv.h>

#include "discovery/disc.h"
#include "gateway/app/cli.h"
#include "soap/soapc.h"

#define MAX_FOUND 4096

struct wsd_run {
    uv_loop_t *loop;
    bool multicast;
    const char *ifaddr;
    struct soapc_wsd_match *found; /* multicast: distinct matches */
    int nfound;
    struct soapc_probe *probe;
    uv_timer_t timer;
    uint32_t addr;
    unsigned timeout_ms;
    int sends;
    bool matched, done;
    int status;
    struct soapc_wsd_match m;
    struct soapc_device_info info;
    struct gw_errbuf eb; /* detail of a refused XAddr */
};

static void wsd_usage(FILE *out)
{
    fprintf(out, "usage: fleetgw probe --wsd ADDR [--wsd-port PORT] [--timeout S] [--json]\n"
                 "       fleetgw probe --wsd 239.255.255.250 [--interface IFADDR] [--wsd-port "
                 "PORT]\n"
                 "                     [--timeout S] [--json]\n"
                 "\n"
                 "Sends a WS-Discovery Probe to the IPv4 address ADDR, then asks the device\n"
                 "for its metadata (WS-Transfer Get) and, for a printer, its status and\n"
                 "consumables (WS-Print GetPrinterElements). Default port 3702, timeout 3 s.\n"
                 "To the multicast group, it lists every device that answers.\n"
                 "Exit status: 0 ok, 2 usage, 3 no response, 1 other failure.\n");
}

static void close_all(struct wsd_run *r)
{
    if (r->probe) {
        soapc_probe_close(r->probe, NULL, NULL);
        r->probe = NULL;
    }
    if (!uv_is_closing((uv_handle_t *)&r->timer))
        uv_close((uv_handle_t *)&r->timer, NULL);
}

/* Gives the metadata's maker and model the rule every identity follows (gw_model_identity_normalize()), so that
 * --wsd shows what the registry and the SNMP probe show. */
static void normalize_identity(struct soapc_device_info *i)
{
    struct gw_model m;

    gw_model_init(&m);
    gw_strlcpy(m.vendor, i->manufacturer, sizeof m.vendor);
    gw_strlcpy(m.model, i->model, sizeof m.model);
    gw_model_identity_normalize(&m);
    gw_strlcpy(i->manufacturer, m.vendor, sizeof i->manufacturer);
    gw_strlcpy(i->model, m.model, sizeof i->model);
    gw_model_cleanup(&m);
}

static void on_info(void *arg, int status, const struct soapc_device_info *info)
{
    struct wsd_run *r = arg;

    r->status = status;
    r->info = *info;
    normalize_identity(&r->info);
    r->done = true;
    close_all(r);
}

static void on_match(void *arg, const struct soapc_wsd_match *m)
{
    struct wsd_run *r = arg;
    int rc;

    if (r->multicast) {
        for (int i = 0; i < r->nfound; i++)
            if (strcmp(r->found[i].uuid, m->uuid) == 0)
                return;
        if (r->nfound < MAX_FOUND)
            r->found[r->nfound++] = *m;
        return;
    }
    /* Directed Probe: only the addressed device's answer counts. */
    if (r->matched || m->from != r->addr)
        return;
    r->matched = true;
    r->m = *m;
    uv_timer_stop(&r->timer);
    rc = soapc_info_get(r->loop, m, r->timeout_ms, on_info, r);
    if (rc < 0) {
        char url[256];
        (void)soapc_xaddr_pick(m, url, sizeof(url), &r->eb); /* says which XAddr and why */
        r->status = rc;
        r->done = true;
        close_all(r);
    }
}

static void on_timer(uv_timer_t *t)
{
    struct wsd_run *r = t->data;

    if (r->sends < 3) {
        int rc = r->multicast ? soapc_probe_multicast(r->probe, r->ifaddr)
                              : soapc_probe_unicast(r->probe, r->addr);
        if (rc < 0) {
            r->status = rc;
            r->done = true;
            close_all(r);
            return;
        }
        r->sends++;
        uv_timer_start(&r->timer, on_timer, r->timeout_ms / 3 ? r->timeout_ms / 3 : 1, 0);
        return;
    }
    r->status = r->multicast && r->nfound > 0 ? 0 : SOAPC_E_TIMEOUT;
    r->done = true;
    close_all(r);
}

/* Prints o as indented JSON on stdout and releases it. */
static void print_json(json_t *o)
{
    json_dumpf(o, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(o);
}

/* The ProbeMatch part of both JSON shapes; a = m->from formatted. */
static json_t *match_json(const struct soapc_wsd_match *m, const char *a)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:I}", "address", a, "uuid", m->uuid, "types", m->types,
                     "xaddrs", m->xaddrs, "metadata_version", (json_int_t)m->metadata_version);
}

static void print_found(const struct wsd_run *r, bool json)
{
    json_t *arr = json_array();

    for (int i = 0; i < r->nfound; i++) {
        const struct soapc_wsd_match *m = &r->found[i];
        char a[INET_ADDRSTRLEN];
        disc_addr_format(m->from, a, sizeof a);
        if (json)
            json_array_append_new(arr, match_json(m, a));
        else
            printf("%-15s %s %s\n", a, m->uuid, m->xaddrs);
    }
    if (json)
        print_json(json_pack("{s:o}", "matches", arr));
    else
        json_decref(arr);
}

static void text_field(const char *label, const char *v)
{
    if (v && *v)
        printf("%-18s %s\n", label, v);
}

static void print_text(const struct wsd_run *r)
{
    const struct soapc_device_info *i = &r->info;
    char a[INET_ADDRSTRLEN];

    text_field("address", disc_addr_format(r->m.from, a, sizeof a));
    text_field("uuid", r->m.uuid);
    text_field("types", r->m.types);
    text_field("xaddrs", r->m.xaddrs);
    printf("%-18s %u\n", "metadata version", r->m.metadata_version);
    text_field("manufacturer", i->manufacturer);
    text_field("model", i->model);
    text_field("model number", i->model_number);
    text_field("serial", i->serial);
    text_field("firmware", i->firmware);
    text_field("friendly name", i->friendly_name);
    text_field("presentation url", i->presentation_url);
    printf("%-18s %s\n", "printer", i->is_printer ? "yes" : "no");
    text_field("print service", i->print_url);
    if (i->have_status) {
        text_field("state", i->printer_state);
        text_field("state reasons", i->state_reasons);
    }
    for (int k = 0; k < i->nsupplies; k++) {
        const struct soapc_supply *s = &i->supplies[k];
        char lvl[16];
        if (s->level >= 0)
            snprintf(lvl, sizeof lvl, "%d%%", s->level);
        else
            gw_strlcpy(lvl, "unknown", sizeof lvl);
        printf("supply             %s [%s%s%s] %s\n", s->name, s->type, s->color[0] ? ", " : "",
               s->color, lvl);
    }
}

static json_t *to_json(const struct wsd_run *r)
{
    const struct soapc_device_info *i = &r->info;
    char a[INET_ADDRSTRLEN];
    json_t *sup = json_array();
    json_t *o = match_json(&r->m, disc_addr_format(r->m.from, a, sizeof a));

    for (int k = 0; k < i->nsupplies; k++) {
        const struct soapc_supply *s = &i->supplies[k];
        json_array_append_new(sup, json_pack("{s:s,s:s,s:s,s:i}", "name", s->name, "color",
                                             s->color, "type", s->type, "level", s->level));
    }
    json_object_set_new(o, "manufacturer", json_string(i->manufacturer));
    json_object_set_new(o, "model", json_string(i->model));
    json_object_set_new(o, "model_number", json_string(i->model_number));
    json_object_set_new(o, "serial", json_string(i->serial));
    json_object_set_new(o, "firmware", json_string(i->firmware));
    json_object_set_new(o, "friendly_name", json_string(i->friendly_name));
    json_object_set_new(o, "presentation_url", json_string(i->presentation_url));
    json_object_set_new(o, "is_printer", json_boolean(i->is_printer));
    json_object_set_new(o, "print_url", json_string(i->print_url));
    if (i->have_status)
        json_object_set_new(
            o, "status",
            json_pack("{s:s,s:s}", "state", i->printer_state, "reasons", i->state_reasons));
    else
        json_object_set_new(o, "status", json_null());
    json_object_set_new(o, "supplies", sup);
    return o;
}

int gw_cmd_probe_wsd(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"wsd", required_argument, NULL, 'w'},
        {"wsd-port", required_argument, NULL, 'p'},
        {"timeout", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {"interface", required_argument, NULL, 'i'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct wsd_run r = {0};
    struct soapc_probe_opts po = {0};
    const char *target = NULL;
    bool json = false;
    double timeout_s = 3;
    unsigned long port = SOAPC_WSD_PORT;
    uv_loop_t loop;
    char *end;
    int c, rc;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'w':
            target = optarg;
            break;
        case 'p':
            errno = 0;
            port = strtoul(optarg, &end, 10);
            if (errno || *end || !*optarg || port == 0 || port > 65535) {
                fprintf(stderr, "fleetgw probe: --wsd-port: '%s' is not a port 1..65535\n", optarg);
                return GW_EXIT_USAGE;
            }
            break;
        case 't':
            errno = 0;
            timeout_s = strtod(optarg, &end);
            if (errno || *end || !*optarg || !(timeout_s >= 0.1 && timeout_s <= 600)) {
                fprintf(stderr, "fleetgw probe: --timeout: '%s' is not 0.1..600 seconds\n", optarg);
                return GW_EXIT_USAGE;
            }
            break;
        case 'j':
            json = true;
            break;
        case 'i': {
            struct in_addr ifa;
            if (inet_pton(AF_INET, optarg, &ifa) != 1) {
                fprintf(stderr, "fleetgw probe: --interface: '%s' is not an IPv4 address\n",
                        optarg);
                return GW_EXIT_USAGE;
            }
            r.ifaddr = optarg;
            break;
        }
        case 'h':
            wsd_usage(stdout);
            return GW_EXIT_OK;
        default:
            fprintf(stderr,
                    "fleetgw probe: option '%s' is unknown or lacks its value with "
                    "--wsd\n",
                    argv[optind - 1]);
            wsd_usage(stderr);
            return GW_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "fleetgw probe: unexpected argument '%s' with --wsd\n", argv[optind]);
        return GW_EXIT_USAGE;
    }
    struct in_addr ia;
    if (!target || inet_pton(AF_INET, target, &ia) != 1) {
        struct in6_addr i6;
        fprintf(stderr, "fleetgw probe: --wsd: '%s' is not an IPv4 address%s\n",
                target ? target : "",
                target && inet_pton(AF_INET6, target, &i6) == 1
                    ? " (IPv6 WS-Discovery is not supported yet)"
                    : "");
        return GW_EXIT_USAGE;
    }
    r.addr = ntohl(ia.s_addr);
    r.timeout_ms = (unsigned)(timeout_s * 1000);
    r.multicast = r.addr == 0xeffffffau; /* 239.255.255.250 */
    if (r.ifaddr && !r.multicast) {
        fprintf(stderr, "fleetgw probe: --interface goes with --wsd %s only\n", SOAPC_WSD_MCAST);
        return GW_EXIT_USAGE;
    }
    if (r.multicast)
        r.found = gw_calloc(MAX_FOUND, sizeof(*r.found));

    rc = uv_loop_init(&loop);
    if (rc < 0) {
        fprintf(stderr, "fleetgw probe: cannot make an event loop: %s\n", gw_strerror(rc));
        free(r.found);
        return GW_EXIT_FAIL;
    }
    r.loop = &loop;
    po.port = (uint16_t)port;
    rc = soapc_probe_new(&loop, &po, on_match, &r, &r.probe);
    if (rc < 0) {
        fprintf(stderr, "fleetgw probe: cannot open a UDP socket: %s\n", gw_strerror(rc));
        uv_run(&loop, UV_RUN_DEFAULT); /* a half-made probe is released through the loop */
        GW_ASSERT(uv_loop_close(&loop) == 0);
        free(r.found);
        return GW_EXIT_FAIL;
    }
    uv_timer_init(&loop, &r.timer);
    r.timer.data = &r;
    uv_timer_start(&r.timer, on_timer, 0, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    GW_ASSERT(uv_loop_close(&loop) == 0);

    if (r.multicast) {
        if (r.nfound == 0 && !json)
            fprintf(stderr, "fleetgw probe: no WS-Discovery answer to a multicast Probe\n");
        else
            print_found(&r, json);
        free(r.found);
        return r.nfound ? GW_EXIT_OK : GW_EXIT_NORESPONSE;
    }
    if (r.status < 0) {
        const char *what = r.matched ? "SOAP request to" : "no WS-Discovery answer from";
        if (json) {
            json_t *o =
                json_pack("{s:s,s:s,s:s,s:b}", "address", target, "error", gw_strerror(r.status),
                          "code", gw_err_name(r.status), "matched", r.matched);
            if (r.eb.msg[0])
                json_object_set_new(o, "detail", json_string(r.eb.msg));
            print_json(o);
        } else {
            fprintf(stderr, "fleetgw probe: %s %s: %s%s%s\n", what, target, gw_strerror(r.status),
                    r.eb.msg[0] ? ": " : "", r.eb.msg);
        }
        return r.status == SOAPC_E_TIMEOUT || r.status == -ECONNREFUSED || r.status == -EHOSTUNREACH
                   ? GW_EXIT_NORESPONSE
                   : GW_EXIT_FAIL;
    }
    if (json)
        print_json(to_json(&r));
    else
        print_text(&r);
    return GW_EXIT_OK;
}
