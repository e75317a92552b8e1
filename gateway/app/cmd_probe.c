/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * `fleetgw probe`: poll one device now, without a configuration or database, and print what it
 * reports, as text or as the data model's JSON. The flags follow net-snmp's snmpget so that a
 * command line that works there works here; secrets can also come from files, so they need not
 * appear in argv (what does appear is overwritten once copied).
 *
 * It runs the daemon's own code path (a session on a private libuv loop, a FULL poll, the
 * decoder) so that a probe that succeeds predicts what the poller will see. The exit status
 * tells scripts what went wrong: see GW_EXIT_* in cli.h.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <uv.h>

#include "gateway/app/cli.h"
#include "snmp/snmpc.h"

struct probe_opts {
    bool json;
    double timeout_s;
    long retries;
    enum gw_snmp_version version;
    bool version_set;
    char *community;
    const char *community_file;
    const char *user;
    enum gw_sec_level level;
    bool level_set;
    const char *auth_proto, *priv_proto;
    char *auth_pass, *priv_pass;
    const char *auth_file, *priv_file;
    const char *context;
    const char *catalogue;
    const char *target;
    char host[256];
    uint16_t port;
};

struct probe_run {
    const struct snmpc_catalogue *cat;
    int status;
    char detail[256];
    struct gw_model m;
    bool decoded;
};

static void usage(FILE *out)
{
    fprintf(out, "usage: fleetgw probe [--json] [--timeout S] [--retries N] [-v 1|2c|3]\n"
                 "                     [-c COMMUNITY | --community-file FILE]\n"
                 "                     [-u USER] [-l noAuthNoPriv|authNoPriv|authPriv]\n"
                 "                     [-a MD5|SHA|SHA-224|SHA-256|SHA-384|SHA-512]\n"
                 "                     [-A PASSPHRASE | --auth-pass-file FILE]\n"
                 "                     [-x DES|AES|AES-192|AES-256] [-X PASSPHRASE | "
                 "--priv-pass-file FILE]\n"
                 "                     [-n CONTEXT] [--catalogue FILE] HOST[:PORT]\n"
                 "       fleetgw probe --wsd ADDR [--wsd-port PORT] [--timeout S] [--json]\n"
                 "\n"
                 "Polls one device now and prints its identity, counters, supplies, input trays "
                 "and alerts.\n"
                 "HOST is a name, an IPv4 address or an IPv6 address in brackets ([::1]:161).\n"
                 "Default: SNMPv2c, community \"public\", timeout 2 s, 1 retry.\n"
                 "Exit status: 0 ok, 2 usage, 3 no response, 4 SNMPv3 auth/privacy failure,\n"
                 "5 the device answered with an SNMP error, 1 other failure.\n");
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("fleetgw probe: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n(see fleetgw probe --help)\n", stderr);
    return GW_EXIT_USAGE;
}

static bool name_in(const char *s, const char *const *names)
{
    for (size_t i = 0; names[i]; i++)
        if (strcasecmp(s, names[i]) == 0)
            return true;
    return false;
}

/* Copies a secret given on the command line and blanks it in argv, so that it does not stay
 * visible in /proc/PID/cmdline for the whole run. */
static char *take_secret(char *arg)
{
    char *s = gw_strdup(arg);
    memset(arg, 'x', strlen(arg));
    return s;
}

/* Splits HOST[:PORT], [V6]:PORT or a bare IPv6 literal. */
static int parse_target(struct probe_opts *o)
{
    const char *t = o->target, *host = t, *port = NULL;
    size_t hlen = strlen(t);

    if (t[0] == '[') {
        const char *e = strchr(t, ']');
        if (!e)
            return usage_error("HOST: missing ']' in '%s'", t);
        host = t + 1;
        hlen = (size_t)(e - host);
        if (e[1] == ':')
            port = e + 2;
        else if (e[1])
            return usage_error("HOST: unexpected text after ']' in '%s'", t);
    } else {
        const char *c = strchr(t, ':');
        if (c && !strchr(c + 1, ':')) {
            hlen = (size_t)(c - t);
            port = c + 1;
        }
    }
    if (hlen == 0 || hlen >= sizeof o->host)
        return usage_error("HOST: empty or too long in '%s'", t);
    memcpy(o->host, host, hlen);
    o->host[hlen] = '\0';
    o->port = 161;
    if (port) {
        char *end;
        long p;
        errno = 0;
        p = strtol(port, &end, 10);
        if (!*port || *end || errno || p < 1 || p > 65535)
            return usage_error("PORT: '%s' is not a port number (1..65535)", port);
        o->port = (uint16_t)p;
    }
    return 0;
}

static int parse_args(struct probe_opts *o, int argc, char **argv)
{
    enum { O_JSON = 256, O_TIMEOUT, O_RETRIES, O_CAT, O_CFILE, O_AFILE, O_PFILE, O_HELP };
    static const struct option longopts[] = {
        {"json", no_argument, NULL, O_JSON},
        {"timeout", required_argument, NULL, O_TIMEOUT},
        {"retries", required_argument, NULL, O_RETRIES},
        {"catalogue", required_argument, NULL, O_CAT},
        {"community-file", required_argument, NULL, O_CFILE},
        {"auth-pass-file", required_argument, NULL, O_AFILE},
        {"priv-pass-file", required_argument, NULL, O_PFILE},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0},
    };
    static const char *const auth_names[] = {"MD5",    "SHA",     "SHA1",   "SHA-224",
                                             "SHA224", "SHA-256", "SHA256", "SHA-384",
                                             "SHA384", "SHA-512", "SHA512", NULL};
    static const char *const priv_names[] = {"DES",    "AES",     "AES-128", "AES128", "AES-192",
                                             "AES192", "AES-256", "AES256",  NULL};
    int c;
    char *end;

    o->timeout_s = 2.0;
    o->retries = 1;
    o->version = GW_SNMP_V2C;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":t:r:v:c:u:l:a:A:x:X:n:h", longopts, NULL)) != -1) {
        switch (c) {
        case O_JSON:
            o->json = true;
            break;
        case 't':
        case O_TIMEOUT:
            errno = 0;
            o->timeout_s = strtod(optarg, &end);
            if (!*optarg || *end || errno || !(o->timeout_s >= 0.01 && o->timeout_s <= 600))
                return usage_error("%s: '%s' is not a timeout in seconds (0.01..600)",
                                   c == 't' ? "-t" : "--timeout", optarg);
            break;
        case 'r':
        case O_RETRIES:
            errno = 0;
            o->retries = strtol(optarg, &end, 10);
            if (!*optarg || *end || errno || o->retries < 0 || o->retries > 20)
                return usage_error("%s: '%s' is not a retry count (0..20)",
                                   c == 'r' ? "-r" : "--retries", optarg);
            break;
        case 'v':
            if (strcmp(optarg, "1") == 0)
                o->version = GW_SNMP_V1;
            else if (strcmp(optarg, "2c") == 0 || strcmp(optarg, "2") == 0)
                o->version = GW_SNMP_V2C;
            else if (strcmp(optarg, "3") == 0)
                o->version = GW_SNMP_V3;
            else
                return usage_error("-v: unknown SNMP version '%s' (1, 2c, 3)", optarg);
            o->version_set = true;
            break;
        case 'c':
            gw_free_secret_str(o->community);
            o->community = take_secret(optarg);
            break;
        case O_CFILE:
            o->community_file = optarg;
            break;
        case 'u':
            if (!*optarg || strlen(optarg) > 63)
                return usage_error("-u: user name must be 1..63 characters");
            o->user = optarg;
            break;
        case 'l':
            if (strcasecmp(optarg, "noAuthNoPriv") == 0 || strcmp(optarg, "1") == 0)
                o->level = GW_SEC_NOAUTH;
            else if (strcasecmp(optarg, "authNoPriv") == 0 || strcmp(optarg, "2") == 0)
                o->level = GW_SEC_AUTHNOPRIV;
            else if (strcasecmp(optarg, "authPriv") == 0 || strcmp(optarg, "3") == 0)
                o->level = GW_SEC_AUTHPRIV;
            else
                return usage_error(
                    "-l: unknown security level '%s' (noAuthNoPriv, authNoPriv, authPriv)", optarg);
            o->level_set = true;
            break;
        case 'a':
            if (!name_in(optarg, auth_names))
                return usage_error(
                    "-a: unknown auth protocol '%s' (MD5, SHA, SHA-224, SHA-256, SHA-384, "
                    "SHA-512)",
                    optarg);
            o->auth_proto = optarg;
            break;
        case 'x':
            if (!name_in(optarg, priv_names))
                return usage_error("-x: unknown privacy protocol '%s' (DES, AES, AES-192, AES-256)",
                                   optarg);
            o->priv_proto = optarg;
            break;
        case 'A':
            gw_free_secret_str(o->auth_pass);
            o->auth_pass = take_secret(optarg);
            break;
        case O_AFILE:
            o->auth_file = optarg;
            break;
        case 'X':
            gw_free_secret_str(o->priv_pass);
            o->priv_pass = take_secret(optarg);
            break;
        case O_PFILE:
            o->priv_file = optarg;
            break;
        case 'n':
            if (strlen(optarg) > 63)
                return usage_error("-n: context name longer than 63 characters");
            o->context = optarg;
            break;
        case O_CAT:
            o->catalogue = optarg;
            break;
        case 'h':
        case O_HELP:
            usage(stdout);
            return -1;
        case ':':
            /* optopt is the short option letter, or a long option's value (>= 256). */
            if (optopt > 0 && optopt < 256)
                return usage_error("-%c: missing argument", optopt);
            return usage_error("%s: missing argument", argv[optind - 1]);
        default:
            if (optopt > 0 && optopt < 256)
                return usage_error("-%c: unknown option", optopt);
            return usage_error("%s: unknown option", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return usage_error("missing HOST");
    if (optind + 1 < argc)
        return usage_error("%s: unexpected argument (only one HOST)", argv[optind + 1]);
    o->target = argv[optind];

    /* A user name alone says SNMPv3, as with snmpget and a v3 default. */
    if (!o->version_set && o->user)
        o->version = GW_SNMP_V3;
    if (o->version != GW_SNMP_V3) {
        if (o->user || o->level_set || o->auth_pass || o->priv_pass || o->auth_file ||
            o->priv_file || o->context || o->auth_proto || o->priv_proto)
            return usage_error("-u, -l, -a, -A, -x, -X and -n need -v 3");
        if (o->community && o->community_file)
            return usage_error("-c and --community-file are exclusive");
    } else {
        if (o->community || o->community_file)
            return usage_error("-c: SNMPv3 uses -u and keys, not a community");
        if (!o->user)
            return usage_error("-u: SNMPv3 needs a user name");
        if (o->auth_pass && o->auth_file)
            return usage_error("-A and --auth-pass-file are exclusive");
        if (o->priv_pass && o->priv_file)
            return usage_error("-X and --priv-pass-file are exclusive");
        if (!o->level_set)
            o->level = (o->priv_pass || o->priv_file)   ? GW_SEC_AUTHPRIV
                       : (o->auth_pass || o->auth_file) ? GW_SEC_AUTHNOPRIV
                                                        : GW_SEC_NOAUTH;
        if (o->level >= GW_SEC_AUTHNOPRIV && !o->auth_pass && !o->auth_file)
            return usage_error("-A: security level %s needs an auth passphrase (-A or "
                               "--auth-pass-file)",
                               o->level == GW_SEC_AUTHPRIV ? "authPriv" : "authNoPriv");
        if (o->level == GW_SEC_AUTHPRIV && !o->priv_pass && !o->priv_file)
            return usage_error("-X: security level authPriv needs a privacy passphrase (-X or "
                               "--priv-pass-file)");
    }
    return parse_target(o);
}

/* Reads the secrets named by file options. Returns: 0 or GW_EXIT_USAGE (message printed). */
static int read_secret_files(struct probe_opts *o)
{
    if (o->community_file && !(o->community = gw_cli_read_secret(o->community_file, NULL)))
        return usage_error("--community-file: cannot read a community from %s", o->community_file);
    if (o->auth_file && !(o->auth_pass = gw_cli_read_secret(o->auth_file, NULL)))
        return usage_error("--auth-pass-file: cannot read a passphrase from %s", o->auth_file);
    if (o->priv_file && !(o->priv_pass = gw_cli_read_secret(o->priv_file, NULL)))
        return usage_error("--priv-pass-file: cannot read a passphrase from %s", o->priv_file);
    if (o->version == GW_SNMP_V3 && o->level >= GW_SEC_AUTHNOPRIV && strlen(o->auth_pass) < 8)
        return usage_error("-A: the auth passphrase must have at least 8 characters");
    if (o->version == GW_SNMP_V3 && o->level == GW_SEC_AUTHPRIV && strlen(o->priv_pass) < 8)
        return usage_error("-X: the privacy passphrase must have at least 8 characters");
    return 0;
}

/* Resolves o->host to a numeric address (first answer). Blocking is fine in a one-shot CLI. */
static int resolve(const struct probe_opts *o, char *addr, size_t len)
{
    struct addrinfo hints = {0}, *res = NULL;
    int rc;

    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    if ((rc = getaddrinfo(o->host, NULL, &hints, &res)) != 0) {
        fprintf(stderr, "fleetgw probe: cannot resolve %s: %s\n", o->host, gai_strerror(rc));
        return GW_EXIT_FAIL;
    }
    rc = getnameinfo(res->ai_addr, res->ai_addrlen, addr, (socklen_t)len, NULL, 0, NI_NUMERICHOST);
    freeaddrinfo(res);
    if (rc != 0) {
        fprintf(stderr, "fleetgw probe: cannot resolve %s: %s\n", o->host, gai_strerror(rc));
        return GW_EXIT_FAIL;
    }
    return 0;
}

static void on_closed(void *arg)
{
    (void)arg;
}

static void on_poll(struct snmpc_session *s, int status, const struct snmpc_vbset *vbs,
                    const char *detail, void *arg)
{
    struct probe_run *r = arg;

    r->status = status;
    if (detail)
        gw_strlcpy(r->detail, detail, sizeof r->detail);
    if (status == 0) {
        snmpc_model_decode(vbs, r->cat, &r->m);
        snmpc_session_engine_id(s, r->m.engine_id, sizeof r->m.engine_id);
        r->decoded = true;
    }
    snmpc_session_close(s, on_closed, NULL);
}

static int exit_for(int status)
{
    switch (status) {
    case 0:
        return GW_EXIT_OK;
    case SNMPC_E_TIMEOUT:
        return GW_EXIT_NORESPONSE;
    case SNMPC_E_AUTH_USER:
    case SNMPC_E_AUTH_KEY:
    case SNMPC_E_PRIV_KEY:
    case SNMPC_E_TIME_WINDOW:
    case SNMPC_E_SECLEVEL:
    case SNMPC_E_ENGINE:
        return GW_EXIT_AUTH;
    case SNMPC_E_PDU:
        return GW_EXIT_SNMPERR;
    default:
        return GW_EXIT_FAIL;
    }
}

static void print_uptime(uint32_t ticks)
{
    uint32_t s = ticks / 100;
    printf("%ud %02u:%02u:%02u", s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
}

static void field(const char *label, const char *v)
{
    if (v && *v)
        printf("  %-14s %s\n", label, v);
}

static void print_text(const struct probe_opts *o, const char *addr, const struct gw_model *m)
{
    char ep[300];
    snprintf(ep, sizeof ep, strchr(addr, ':') ? "[%s]:%u" : "%s:%u", addr, o->port);
    printf("Device %s (%s)\n", o->target, ep);
    field("vendor", m->vendor);
    field("model", m->model);
    field("serial", m->serial);
    field("mac", m->mac);
    field("description", m->sys_descr);
    field("object id", m->sys_object_id);
    field("name", m->sys_name);
    field("location", m->sys_location);
    field("contact", m->sys_contact);
    field("firmware", m->firmware);
    field("engine id", m->engine_id);
    printf("  %-14s ", "uptime");
    print_uptime(m->uptime_ticks);
    printf("\n  %-14s device %s, printer %s\n", "status", gw_device_status_name(m->device_status),
           gw_printer_status_name(m->printer_status));
    if (m->conditions) {
        printf("  %-14s", "conditions");
        for (int i = 0; i < GW_COND_COUNT; i++)
            if (m->conditions & (1u << i))
                printf(" %s", gw_condition_name(1u << i));
        printf("\n");
    }
    if (m->has_page_count)
        printf("  %-14s %llu (%s)\n", "page count", (unsigned long long)m->page_count_total,
               *m->page_count_source ? m->page_count_source : "?");
    else
        printf("  %-14s not reported\n", "page count");
    if (m->counter_disagreement)
        printf("  %-14s %s\n", "warning", m->disagreement);
    if (!m->is_printer)
        printf("\nThe device answered but shows no printer data (no Printer-MIB objects).\n");

    if (m->n_counters) {
        printf("\nCounters\n  %-28s %14s  %s\n", "NAME", "VALUE", "OID");
        for (size_t i = 0; i < m->n_counters; i++)
            printf("  %-28s %14llu  %s\n", m->counters[i].name,
                   (unsigned long long)m->counters[i].value, m->counters[i].oid);
    }
    if (m->n_supplies) {
        printf("\nSupplies\n");
        for (size_t i = 0; i < m->n_supplies; i++) {
            const struct gw_supply *s = &m->supplies[i];
            char bar[21];
            int fill = s->percent >= 0 ? (s->percent * 20 + 50) / 100 : 0;
            for (int k = 0; k < 20; k++)
                bar[k] = k < fill ? '#' : (s->percent >= 0 ? '-' : ' ');
            bar[20] = '\0';
            printf("  %3d %-10.10s %-32.32s [%s] ", s->index, s->type, s->description, bar);
            if (s->percent >= 0)
                printf("%3d%%", s->percent);
            else
                printf("  - ");
            printf("  %s\n", gw_supply_state_name(s->state));
        }
    }
    if (m->n_trays) {
        printf("\nInput trays\n");
        for (size_t i = 0; i < m->n_trays; i++) {
            const struct gw_tray *t = &m->trays[i];
            char level[96];
            printf("  %3d %-24.24s %-12.12s %s\n", t->index, t->name[0] ? t->name : t->description,
                   t->media_name, gw_tray_level_text(t, level, sizeof level));
        }
    }
    if (m->n_alerts) {
        printf("\nAlerts\n  %5s %8s %6s  %s\n", "INDEX", "SEVERITY", "CODE", "DESCRIPTION");
        for (size_t i = 0; i < m->n_alerts; i++) {
            const struct gw_alert *a = &m->alerts[i];
            static const char *const sev[] = {"?", "other", "?", "critical", "warning", "warning"};
            printf("  %5d %8s %6d  %s\n", a->index,
                   a->severity >= 0 && a->severity <= 5 ? sev[a->severity] : "?", a->code,
                   a->description);
        }
    }
}

static void print_error(const struct probe_opts *o, int status, const char *detail)
{
    fprintf(stderr, "fleetgw probe: %s: %s%s%s\n", o->target, gw_strerror(status),
            detail ? ": " : "", detail ? detail : "");
    if (o->json) {
        json_t *j = json_pack("{s:s, s:s, s:s?}", "error", gw_err_name(status), "message",
                              gw_strerror(status), "detail", detail);
        json_dumpf(j, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(j);
    }
}

static void opts_cleanup(struct probe_opts *o)
{
    gw_free_secret_str(o->community);
    gw_free_secret_str(o->auth_pass);
    gw_free_secret_str(o->priv_pass);
    o->community = o->auth_pass = o->priv_pass = NULL;
}

int gw_cmd_probe(const struct gw_opts *go, int argc, char **argv)
{
    struct probe_opts o = {0};
    struct probe_run run = {0};
    struct snmpc_catalogue *cat = NULL;
    struct snmpc_session *sess = NULL;
    struct snmpc_target t = {0};
    struct gw_errbuf eb = {{0}};
    char addr[INET6_ADDRSTRLEN + 8];
    char catpath[1024];
    uv_loop_t loop;
    int rc, ex;

    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--wsd") == 0 || strncmp(argv[i], "--wsd=", 6) == 0)
            return gw_cmd_probe_wsd(argc, argv);
    rc = parse_args(&o, argc, argv);
    if (rc == 0)
        rc = read_secret_files(&o);
    if (rc != 0) {
        opts_cleanup(&o);
        return rc < 0 ? GW_EXIT_OK : rc;
    }
    if ((rc = resolve(&o, addr, sizeof addr)) != 0) {
        opts_cleanup(&o);
        return rc;
    }

    if (o.catalogue) {
        gw_strlcpy(catpath, o.catalogue, sizeof catpath);
        if ((rc = snmpc_catalogue_load(catpath, &cat, &eb)) < 0) {
            fprintf(stderr, "fleetgw probe: --catalogue: %s\n", *eb.msg ? eb.msg : gw_strerror(rc));
            opts_cleanup(&o);
            return GW_EXIT_USAGE;
        }
    } else if (go->config_path) {
        /* A configuration named with -c is used whole: its catalogue, or its error. */
        struct gw_cfg cfg;
        if (gw_app_load_cfg(go, &cfg, NULL) < 0 || gw_app_load_catalogue(&cfg, &cat, &eb) < 0) {
            if (eb.msg[0])
                fprintf(stderr, "fleetgw: %s\n", eb.msg);
            opts_cleanup(&o);
            return GW_EXIT_FAIL;
        }
    } else {
        /* The default configuration when it can be read (the daemon's catalogue), else the
         * defaults: a diagnostic tool runs without a configuration too. */
        struct gw_cfg cfg;
        if (gw_app_load_cfg(go, &cfg, &eb) < 0)
            gw_cfg_defaults(&cfg);
        eb.msg[0] = '\0';
        if (gw_app_load_catalogue(&cfg, &cat, &eb) < 0) {
            fprintf(stderr,
                    "fleetgw probe: warning: no counter catalogue (%s); vendor counters "
                    "are not read\n",
                    eb.msg);
            cat = NULL;
        }
    }

    GW_ASSERT(uv_loop_init(&loop) == 0);
    snmpc_lib_init();
    t.host = addr;
    t.port = o.port;
    t.version = o.version;
    t.community = o.community ? o.community : "public";
    t.sec_name = o.user;
    t.sec_level = o.level;
    t.auth_proto = o.auth_proto ? o.auth_proto : "SHA";
    t.auth_pass = o.auth_pass;
    t.priv_proto = o.priv_proto ? o.priv_proto : "AES";
    t.priv_pass = o.priv_pass;
    t.context = o.context;
    t.timeout_ms = (unsigned)(o.timeout_s * 1000.0 + 0.5);
    t.retries = (unsigned)o.retries;
    rc = snmpc_session_new(&loop, &t, &sess, &eb);
    opts_cleanup(&o); /* the session holds derived keys only from here on */
    if (rc < 0) {
        fprintf(stderr, "fleetgw probe: %s: %s\n", o.target, *eb.msg ? eb.msg : gw_strerror(rc));
        ex = rc == SNMPC_E_PROTO || rc == GW_E_INVAL ? GW_EXIT_USAGE : GW_EXIT_FAIL;
        goto out;
    }
    gw_model_init(&run.m);
    run.cat = cat;
    if ((rc = snmpc_poll_start(sess, SNMPC_POLL_FULL, cat, on_poll, &run)) < 0) {
        fprintf(stderr, "fleetgw probe: %s: %s\n", o.target, gw_strerror(rc));
        snmpc_session_close(sess, on_closed, NULL);
        run.status = rc;
    }
    uv_run(&loop, UV_RUN_DEFAULT);

    ex = exit_for(run.status);
    if (run.status == 0) {
        if (*run.detail)
            fprintf(stderr, "fleetgw probe: note: %s\n", run.detail);
        if (o.json) {
            json_t *j = gw_model_to_json(&run.m);
            json_dumpf(j, stdout, JSON_INDENT(2));
            fputc('\n', stdout);
            json_decref(j);
            if (!run.m.is_printer)
                fprintf(stderr, "fleetgw probe: the device answered but shows no printer data\n");
        } else {
            print_text(&o, addr, &run.m);
        }
    } else if (rc >= 0) {
        print_error(&o, run.status, *run.detail ? run.detail : NULL);
    }
    gw_model_cleanup(&run.m);

out:
    if (uv_loop_close(&loop) != 0) {
        uv_run(&loop, UV_RUN_DEFAULT);
        GW_ASSERT(uv_loop_close(&loop) == 0);
    }
    snmpc_catalogue_free(cat);
    snmpc_lib_shutdown();
    if (fflush(stdout) != 0 && ex == GW_EXIT_OK)
        ex = GW_EXIT_FAIL;
    return ex;
}
