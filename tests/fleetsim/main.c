/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * fleetsim's command line. Every flag is checked before anything starts, and a bad flag or
 * value ends the program with exit status 2 and a message that names it, so a test that
 * mistypes an option fails at once instead of waiting for a "ready" that never comes. Errors
 * at run time (a port in use, a device that does not answer the start-up probe) exit with 1.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/fleetsim/fleetsim.h"

#ifndef FLEETSIM_CATALOGUE
#define FLEETSIM_CATALOGUE ""
#endif
/* The source tree's catalogue, used when --catalogue is not given and the file is there. */
static const char default_catalogue[] = FLEETSIM_CATALOGUE;

static const char usage_text[] =
    "usage: fleetsim [options]\n"
    "  --devices N            devices to simulate, 1..1000000 (default 10)\n"
    "  --base-address ADDR    address of device 0 in 127.0.0.0/8; the others follow\n"
    "                         consecutively (default 127.20.0.1)\n"
    "  --port PORT            UDP port every device answers on (default 161)\n"
    "  --community C          SNMPv1/v2c community (default public)\n"
    "  --v3-user U            SNMPv3 user name\n"
    "  --v3-auth-key K        its authentication password (8+ characters)\n"
    "  --v3-priv-key K        its privacy password (8+ characters)\n"
    "  --v3-auth-proto P      MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512 (default SHA)\n"
    "  --v3-priv-proto P      AES (AES-128-CFB, the default and only choice)\n"
    "  --profiles DIR         serve the *.snmprec recordings in DIR (device i gets the i-th\n"
    "                         in name order, round robin); default: the built-in profile\n"
    "  --catalogue FILE       counter catalogue naming vendor counters of recordings\n"
    "  --seed S               seed for identities and behaviour (default 1)\n"
    "  --events-per-hour R    random events per device and hour, 0 disables (default 2)\n"
    "  --page-rate F          multiplies every device's printing rate (default 1)\n"
    "  --max-msg-size N       response size limit in octets, 484..65507 (default 1472)\n"
    "  --control PATH         UNIX socket for control commands (see README.md)\n"
    "  --wsd                  WS-Discovery responder and SOAP endpoint on every device\n"
    "  --wsd-port PORT        UDP port of WS-Discovery (default 3702)\n"
    "  --soap-port PORT       TCP port of the SOAP endpoint (default 5357)\n"
    "  --snmp-off LIST        devices (indices, e.g. 3,7,10-12) with SNMP disabled\n"
    "  --snmp-off-fraction F  fraction 0..1 of devices, chosen by --seed, with SNMP disabled\n"
    "  -v, --verbose          more messages on stderr (twice: every event)\n"
    "  -h, --help             this text\n"
    "Prints \"ready\" on stdout once every device answers.\n";

static int bad(const char *flag, const char *value, const char *why)
{
    fprintf(stderr, "fleetsim: %s: '%s' %s\n", flag, value, why);
    return 2;
}

static bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    if (!*s || *s == '-' || *s == '+' || *s == ' ')
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static bool parse_double(const char *s, double min, double max, double *out)
{
    char *end;
    if (!*s)
        return false;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !(v >= min && v <= max))
        return false;
    *out = v;
    return true;
}

enum {
    O_DEVICES = 256,
    O_BASE,
    O_PORT,
    O_COMMUNITY,
    O_USER,
    O_AUTHKEY,
    O_PRIVKEY,
    O_AUTHPROTO,
    O_PRIVPROTO,
    O_PROFILES,
    O_CATALOGUE,
    O_SEED,
    O_EVENTS,
    O_PAGERATE,
    O_MAXMSG,
    O_CONTROL,
    O_WSD,
    O_WSDPORT,
    O_SOAPPORT,
    O_SNMPOFF,
    O_SNMPOFFFRAC
};

static const struct option longopts[] = {
    {"devices", required_argument, NULL, O_DEVICES},
    {"base-address", required_argument, NULL, O_BASE},
    {"port", required_argument, NULL, O_PORT},
    {"community", required_argument, NULL, O_COMMUNITY},
    {"v3-user", required_argument, NULL, O_USER},
    {"v3-auth-key", required_argument, NULL, O_AUTHKEY},
    {"v3-priv-key", required_argument, NULL, O_PRIVKEY},
    {"v3-auth-proto", required_argument, NULL, O_AUTHPROTO},
    {"v3-priv-proto", required_argument, NULL, O_PRIVPROTO},
    {"profiles", required_argument, NULL, O_PROFILES},
    {"catalogue", required_argument, NULL, O_CATALOGUE},
    {"seed", required_argument, NULL, O_SEED},
    {"events-per-hour", required_argument, NULL, O_EVENTS},
    {"page-rate", required_argument, NULL, O_PAGERATE},
    {"max-msg-size", required_argument, NULL, O_MAXMSG},
    {"control", required_argument, NULL, O_CONTROL},
    {"wsd", no_argument, NULL, O_WSD},
    {"wsd-port", required_argument, NULL, O_WSDPORT},
    {"soap-port", required_argument, NULL, O_SOAPPORT},
    {"snmp-off", required_argument, NULL, O_SNMPOFF},
    {"snmp-off-fraction", required_argument, NULL, O_SNMPOFFFRAC},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int parse_args(int argc, char **argv, struct t_opts *o)
{
    uint64_t v;
    const char *base = "127.20.0.1";
    const char *auth_proto = "SHA";
    bool catalogue_given = false;
    memset(o, 0, sizeof *o);
    o->devices = 10;
    o->port = 161;
    o->community = "public";
    o->seed = 1;
    o->events_per_hour = 2;
    o->page_rate = 1;
    o->max_msg = T_DEFAULT_MSG;
    o->wsd_port = 3702;
    o->soap_port = 5357;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
        const char *flag = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
        switch (c) {
        case O_DEVICES:
            if (!parse_u64(optarg, 1, T_MAX_DEVICES, &v))
                return bad("--devices", optarg, "is not a number 1..1000000");
            o->devices = (uint32_t)v;
            break;
        case O_BASE:
            base = optarg;
            break;
        case O_PORT:
            if (!parse_u64(optarg, 1, 65535, &v))
                return bad("--port", optarg, "is not a port number 1..65535");
            o->port = (uint16_t)v;
            break;
        case O_COMMUNITY:
            if (!*optarg || strlen(optarg) > 255)
                return bad("--community", optarg, "must be 1..255 characters");
            o->community = optarg;
            break;
        case O_USER:
            if (!*optarg || strlen(optarg) > 32)
                return bad("--v3-user", optarg, "must be 1..32 characters");
            o->v3_user = optarg;
            break;
        case O_AUTHKEY:
            if (strlen(optarg) < 8)
                return bad("--v3-auth-key", "...", "is shorter than 8 characters (RFC 3414)");
            o->auth_key = optarg;
            break;
        case O_PRIVKEY:
            if (strlen(optarg) < 8)
                return bad("--v3-priv-key", "...", "is shorter than 8 characters (RFC 3414)");
            o->priv_key = optarg;
            break;
        case O_AUTHPROTO:
            auth_proto = optarg;
            break;
        case O_PRIVPROTO:
            if (strcasecmp(optarg, "AES") != 0 && strcasecmp(optarg, "AES-128") != 0 &&
                strcasecmp(optarg, "AES128") != 0)
                return bad("--v3-priv-proto", optarg, "is not supported (only AES)");
            break;
        case O_PROFILES:
            o->profiles = optarg;
            break;
        case O_CATALOGUE:
            o->catalogue = optarg;
            catalogue_given = true;
            break;
        case O_SEED:
            if (!parse_u64(optarg, 0, UINT64_MAX, &v))
                return bad("--seed", optarg, "is not an unsigned 64-bit number");
            o->seed = v;
            break;
        case O_EVENTS:
            if (!parse_double(optarg, 0, 3600, &o->events_per_hour))
                return bad("--events-per-hour", optarg, "is not a number 0..3600");
            break;
        case O_PAGERATE:
            if (!parse_double(optarg, 0, 10000, &o->page_rate))
                return bad("--page-rate", optarg, "is not a number 0..10000");
            break;
        case O_MAXMSG:
            if (!parse_u64(optarg, 484, T_TX_MAX, &v))
                return bad("--max-msg-size", optarg, "is not a number 484..65507");
            o->max_msg = (size_t)v;
            break;
        case O_CONTROL:
            if (!*optarg || strlen(optarg) >= sizeof(((struct sockaddr_un *)0)->sun_path))
                return bad("--control", optarg, "is empty or too long for a UNIX socket path");
            o->control = optarg;
            break;
        case O_WSD:
            o->wsd = true;
            break;
        case O_WSDPORT:
            if (!parse_u64(optarg, 1, 65535, &v))
                return bad("--wsd-port", optarg, "is not a port number 1..65535");
            o->wsd_port = (uint16_t)v;
            break;
        case O_SOAPPORT:
            if (!parse_u64(optarg, 1, 65535, &v))
                return bad("--soap-port", optarg, "is not a port number 1..65535");
            o->soap_port = (uint16_t)v;
            break;
        case O_SNMPOFF:
            o->snmp_off_list = optarg;
            break;
        case O_SNMPOFFFRAC:
            if (!parse_double(optarg, 0, 1, &o->snmp_off_fraction))
                return bad("--snmp-off-fraction", optarg, "is not a number 0..1");
            break;
        case 'v':
            o->verbose++;
            break;
        case 'h':
            fputs(usage_text, stdout);
            exit(0);
        case ':':
            fprintf(stderr, "fleetsim: %s needs a value\n", flag);
            return 2;
        default:
            fprintf(stderr, "fleetsim: unknown option '%s' (see --help)\n", flag);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "fleetsim: unexpected argument '%s' (see --help)\n", argv[optind]);
        return 2;
    }
    uint32_t b;
    if (t_addr_parse(base, &b) < 0)
        return bad("--base-address", base, "is not an IPv4 address");
    if (!t_is_loopback(b) || (b & 0xffffff) == 0)
        return bad("--base-address", base, "is not a host address in 127.0.0.0/8");
    /* The last device must stay below 127.255.255.255, the loopback broadcast address. */
    if ((uint64_t)b + o->devices - 1 > 0x7ffffffeull) {
        char msg[96];
        snprintf(msg, sizeof msg, "leaves no room for %" PRIu32 " devices inside 127.0.0.0/8",
                 o->devices);
        return bad("--base-address", base, msg);
    }
    o->base = b;
    o->auth = t_auth_find(auth_proto);
    if (!o->auth)
        return bad("--v3-auth-proto", auth_proto,
                   "is not one of MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512");
    if ((o->auth_key || o->priv_key) && !o->v3_user) {
        fprintf(stderr, "fleetsim: --v3-auth-key and --v3-priv-key need --v3-user\n");
        return 2;
    }
    if (o->priv_key && !o->auth_key) {
        fprintf(stderr, "fleetsim: --v3-priv-key needs --v3-auth-key (no privacy without "
                        "authentication)\n");
        return 2;
    }
    if ((o->snmp_off_list || o->snmp_off_fraction > 0) && !o->wsd) {
        fprintf(stderr, "fleetsim: --snmp-off and --snmp-off-fraction need --wsd (a device "
                        "without SNMP is found only through WS-Discovery)\n");
        return 2;
    }
    if (!catalogue_given && default_catalogue[0] && access(default_catalogue, R_OK) == 0)
        o->catalogue = default_catalogue;
    return 0;
}

int main(int argc, char **argv)
{
    struct t_opts opt;
    struct t_sim sim;
    struct gw_errbuf eb = {{0}};
    int rc = parse_args(argc, argv, &opt);
    if (rc)
        return rc;
    /* A control client that goes away must not kill the simulator with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    rc = t_sim_init(&sim, &opt, &eb);
    if (rc < 0) {
        fprintf(stderr, "fleetsim: %s\n", eb.msg[0] ? eb.msg : gw_strerror(rc));
        t_sim_cleanup(&sim);
        /* Profiles and the catalogue are command-line values too. */
        return rc == GW_E_CRYPTO ? 1 : 2;
    }
    t_log(&sim, 1, "%zu devices, %zu profiles, base %s port %u", sim.ndev, sim.nprof,
          t_addr_format(opt.base, (char[16]){0}), opt.port);
    uv_loop_t *loop = uv_default_loop();
    rc = t_sim_start(&sim, loop, &eb);
    if (rc < 0) {
        fprintf(stderr, "fleetsim: %s\n", eb.msg[0] ? eb.msg : gw_strerror(rc));
        sim.exit_code = 1;
        t_sim_stop(&sim);
    }
    uv_run(loop, UV_RUN_DEFAULT);
    int code = sim.exit_code;
    t_sim_cleanup(&sim);
    uv_loop_close(loop);
    return code;
}
