/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * `fleetgw discover ...`: discovery from the command line. `discover run --target SPEC` runs a
 * one-off SNMP sweep in this process on its own loop and prints the printers found; it only
 * reads credentials from the store, so it works whether or not the daemon runs, and a long
 * sweep never holds the daemon's control socket. The engine is discovery/sweep.c.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <jansson.h>
#include <uv.h>

#include "gateway/app/cli.h"
#include "snmp/snmpc.h"
#include "discovery/disc.h"

#define MAX_CREDS 16

struct run {
    json_t *printers;
    bool json;
    bool progress;
    int status;
    struct disc_progress p;
    struct disc_sweep *sw;
    uv_timer_t tick;
    uv_signal_t sigint, sigterm;
};

static void usage(FILE *f)
{
    fprintf(
        f, "usage: fleetgw discover add NAME --target SPEC [--exclude SPEC] --credential NAME...\n"
           "                            [--schedule manual|'daily HH:MM'|'every N']\n"
           "                            [--window HH:MM-HH:MM] [--pps N] [--port PORT]\n"
           "                            [--auto-register|--no-auto-register] [--yes]\n"
           "                            [--wsd|--no-wsd] [--wsd-interface ADDR] [--wsd-port PORT]\n"
           "       fleetgw discover set NAME [any option of add]: changes only those options\n"
           "       fleetgw discover list|show NAME|remove NAME [--json]\n"
           "       fleetgw discover run NAME [--progress] [--json]\n"
           "       fleetgw discover run --target SPEC [--exclude SPEC] [--credential NAME]...\n"
           "                            [--port PORT] [--pps N] [--timeout MS]\n"
           "                            [--max-in-flight N] [--yes] [--progress] [--json]\n"
           "                            [--wsd|--no-wsd] [--wsd-interface ADDR] [--wsd-port PORT]\n"
           "  SPEC: comma-separated IPv4 addresses, ranges (A-B), CIDR (A/N),\n"
           "        'A MASK' and host names; more than a /16 needs --yes\n"
           "  without --credential every stored credential set is tried, in name order\n"
           "  WS-Discovery is on by default: addresses on the subnet of an up, multicast\n"
           "  interface get multicast Probes out of it (3 times), the others a directed\n"
           "  Probe each; --wsd-interface ADDR: one multicast Probe out of that interface\n");
}

static void print_progress(const struct disc_progress *p)
{
    fprintf(stderr,
            "progress done=%llu total=%llu responders=%llu printers=%llu packets=%llu "
            "wsd_responders=%llu elapsed=%.1fs eta=%.0fs wsd_mode=%s\n",
            (unsigned long long)p->done, (unsigned long long)p->total,
            (unsigned long long)p->responders, (unsigned long long)p->printers,
            (unsigned long long)p->packets, (unsigned long long)p->wsd_responders, p->elapsed_s,
            p->eta_s, p->wsd_mode ? p->wsd_mode : "off");
}

static void on_found(struct disc_sweep *sw, const struct disc_found *f, void *arg)
{
    struct run *r = arg;
    (void)sw;
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "address", f->address,
                  "serial", f->model->serial, "vendor", f->model->vendor, "model", f->model->model,
                  "mac", f->model->mac, "engine_id", f->model->engine_id, "how", f->how,
                  "credential", f->credential ? f->credential : "", "uuid", f->uuid ? f->uuid : "",
                  "found_by", f->found_by ? f->found_by : "snmp");
    json_array_append_new(r->printers, o);
    if (!r->json)
        printf("%-15s %-20s %-17s %s (%s, %s)\n", f->address, f->model->serial, f->model->mac,
               f->model->model, f->found_by ? f->found_by : f->how,
               f->credential && *f->credential ? f->credential : "-");
}

static void on_done(struct disc_sweep *sw, int status, const struct disc_progress *p, void *arg)
{
    struct run *r = arg;
    (void)sw;
    r->status = status;
    r->p = *p;
    r->sw = NULL;
    uv_close((uv_handle_t *)&r->tick, NULL);
    uv_close((uv_handle_t *)&r->sigint, NULL);
    uv_close((uv_handle_t *)&r->sigterm, NULL);
}

static void on_tick(uv_timer_t *h)
{
    struct run *r = h->data;
    struct disc_progress p;
    if (!r->sw)
        return;
    disc_sweep_progress(r->sw, &p);
    print_progress(&p);
}

static void on_signal(uv_signal_t *h, int sig)
{
    struct run *r = h->data;
    (void)sig;
    if (r->sw)
        disc_sweep_stop(r->sw);
}

/* Loads credential sets by name, or all of them when none is named. Returns: count or <0. */
static int load_creds(struct gw_app *app, char **names, int nnames, struct gw_credential *out)
{
    struct gw_errbuf eb = {""};
    int n = 0;
    json_t *all = NULL;
    if (nnames == 0) {
        all = gw_credential_list(app->db);
        size_t i;
        json_t *c;
        json_array_foreach(all, i, c)
        {
            if (n == MAX_CREDS)
                break;
            const char *name = json_string_value(json_object_get(c, "name"));
            if (name && gw_credential_get(app->db, app->vault, name, 0, &out[n], &eb) == 0)
                n++;
        }
        json_decref(all);
        if (n == 0)
            fprintf(stderr, "fleetgw discover: no credential sets stored: add one with "
                            "'fleetgw credential add'\n");
        return n > 0 ? n : GW_E_NOTFOUND;
    }
    for (int i = 0; i < nnames; i++) {
        int rc = gw_credential_get(app->db, app->vault, names[i], 0, &out[n], &eb);
        if (rc < 0) {
            fprintf(stderr, "fleetgw discover: credential '%s': %s\n", names[i],
                    eb.msg[0] ? eb.msg : gw_strerror(rc));
            for (int k = 0; k < n; k++)
                gw_credential_cleanup(&out[k]);
            return rc;
        }
        n++;
    }
    return n;
}

/* The targets' sentence (shared with the web UI, which shows a checkbox) says "confirm";
 * on the command line that is --yes. Returns: the hint to append, or "". */
static const char *confirm_hint(int code, const char *msg)
{
    return code == DISC_E_TOO_LARGE && msg && strstr(msg, "confirm") ? " (add --yes)" : "";
}

/* The options of what to sweep and how, which "discover run" and "discover add|set" share.
 * Each command's table starts with SWEEP_LONGOPTS and goes on with its own options from
 * O_SWEEP_END, in the order of their values (cmd_run names an option by its index). */
enum {
    O_TARGET = 256,
    O_EXCLUDE,
    O_CRED,
    O_PORT,
    O_PPS,
    O_YES,
    O_WSD,
    O_NO_WSD,
    O_WSD_IF,
    O_WSD_PORT,
    O_SWEEP_END
};
/* clang-format off */
#define SWEEP_LONGOPTS \
    {"target", required_argument, NULL, O_TARGET}, \
    {"exclude", required_argument, NULL, O_EXCLUDE}, \
    {"credential", required_argument, NULL, O_CRED}, \
    {"port", required_argument, NULL, O_PORT}, \
    {"pps", required_argument, NULL, O_PPS}, \
    {"yes", no_argument, NULL, O_YES}, \
    {"wsd", no_argument, NULL, O_WSD}, \
    {"no-wsd", no_argument, NULL, O_NO_WSD}, \
    {"wsd-interface", required_argument, NULL, O_WSD_IF}, \
    {"wsd-port", required_argument, NULL, O_WSD_PORT}
/* clang-format on */

static int cmd_run(const struct gw_opts *go, int argc, char **argv)
{
    enum { O_TIMEOUT = O_SWEEP_END, O_INFLIGHT, O_PROGRESS, O_JSON, O_HELP };
    static const struct option longopts[] = {
        SWEEP_LONGOPTS,
        {"timeout", required_argument, NULL, O_TIMEOUT},
        {"max-in-flight", required_argument, NULL, O_INFLIGHT},
        {"progress", no_argument, NULL, O_PROGRESS},
        {"json", no_argument, NULL, O_JSON},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0},
    };
    char *spec = NULL, *exclude = NULL;
    bool wsd = true;
    const char *wsd_if = NULL;
    unsigned long wsd_port = 0;
    char *names[MAX_CREDS];
    int nnames = 0, opt;
    unsigned long port = 0, pps = 0, timeout = 0, inflight = 0;
    unsigned flags = 0;
    struct run r = {0};
    int ex = GW_EXIT_FAIL;

    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        char *end = NULL;
        switch (opt) {
        case O_TARGET:
        case O_EXCLUDE: {
            /* Repeated options add items, as if joined by commas. */
            char **dst = opt == O_TARGET ? &spec : &exclude;
            size_t old = *dst ? strlen(*dst) : 0;
            *dst = gw_realloc(*dst, old + strlen(optarg) + 2);
            if (old)
                (*dst)[old++] = ',';
            memcpy(*dst + old, optarg, strlen(optarg) + 1);
            break;
        }
        case O_CRED:
            if (nnames == MAX_CREDS) {
                fprintf(stderr, "fleetgw discover: at most %d credentials\n", MAX_CREDS);
                goto usage;
            }
            names[nnames++] = optarg;
            break;
        case O_PORT:
        case O_WSD_PORT:
        case O_PPS:
        case O_TIMEOUT:
        case O_INFLIGHT: {
            unsigned long v = strtoul(optarg, &end, 10);
            unsigned long max = opt == O_PORT || opt == O_WSD_PORT ? 65535
                                : opt == O_PPS                     ? 100000
                                                                   : 600000;
            if (!*optarg || *end || v == 0 || v > max) {
                fprintf(stderr, "fleetgw discover: --%s: '%s': expected 1..%lu\n",
                        longopts[opt - O_TARGET].name, optarg, max);
                goto usage;
            }
            *(opt == O_PORT       ? &port
              : opt == O_WSD_PORT ? &wsd_port
              : opt == O_PPS      ? &pps
              : opt == O_TIMEOUT  ? &timeout
                                  : &inflight) = v;
            break;
        }
        case O_YES:
            flags |= DISC_TARGETS_CONFIRMED;
            break;
        case O_PROGRESS:
            r.progress = true;
            break;
        case O_JSON:
            r.json = true;
            break;
        case O_HELP:
            usage(stdout);
            free(spec);
            free(exclude);
            return GW_EXIT_OK;
        case O_WSD:
        case O_NO_WSD:
            wsd = opt == O_WSD;
            break;
        case O_WSD_IF: {
            uint32_t a;
            const char *why;
            if (disc_addr_parse(optarg, &a, &why) < 0) {
                fprintf(stderr, "fleetgw discover: --wsd-interface: '%s': %s\n", optarg, why);
                goto usage;
            }
            wsd_if = optarg;
            break;
        }
        default:
            goto usage;
        }
    }
    if (!spec || optind < argc)
        goto usage;
    if (wsd_if && !wsd) {
        fprintf(stderr, "fleetgw discover: --wsd-interface: WS-Discovery is off (--no-wsd)\n");
        goto usage;
    }

    struct disc_targets t;
    struct gw_errbuf eb = {""};
    int rc = disc_targets_parse(&t, spec, exclude, flags, &eb);
    free(spec);
    free(exclude);
    spec = exclude = NULL;
    if (rc < 0) {
        fprintf(stderr, "fleetgw discover: %s%s\n", eb.msg, confirm_hint(rc, eb.msg));
        return GW_EXIT_USAGE;
    }

    struct gw_app app = {0};
    struct gw_credential creds[MAX_CREDS];
    struct snmpc_catalogue *cat = NULL;
    int ncreds = 0;
    if (gw_app_open(go, &app) < 0) {
        disc_targets_cleanup(&t);
        return GW_EXIT_FAIL;
    }
    ncreds = load_creds(&app, names, nnames, creds);
    gw_app_close_store(&app);
    if (ncreds < 0) {
        disc_targets_cleanup(&t);
        return GW_EXIT_FAIL;
    }
    /* Without the catalogue identities lose vendor objects and sysDescr patterns: say so, but
     * sweep anyway with what the standard MIBs give. */
    if (gw_app_load_catalogue(&app.cfg, &cat, &eb) < 0)
        fprintf(stderr, "fleetgw discover: warning: %s\n", eb.msg);

    /* Each address in flight holds one UDP socket: allow as many as the hard limit does. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    uv_loop_t loop;
    GW_ASSERT(uv_loop_init(&loop) == 0);
    snmpc_lib_init();
    r.printers = json_array();
    struct disc_sweep_opts so = {
        .targets = &t,
        .creds = creds,
        .ncreds = (size_t)ncreds,
        .cat = cat,
        .port = (uint16_t)port,
        .pps = (unsigned)pps,
        .max_in_flight = (unsigned)inflight,
        .timeout_ms = (unsigned)timeout,
        .wsd = wsd,
        .wsd_port = (uint16_t)wsd_port,
        .wsd_interface = wsd_if,
        .found_cb = on_found,
        .done_cb = on_done,
        .arg = &r,
    };
    GW_ASSERT(uv_timer_init(&loop, &r.tick) == 0);
    r.tick.data = &r;
    GW_ASSERT(uv_signal_init(&loop, &r.sigint) == 0);
    GW_ASSERT(uv_signal_init(&loop, &r.sigterm) == 0);
    r.sigint.data = r.sigterm.data = &r;
    rc = t.count + t.nhosts > 0 ? disc_sweep_start(&loop, &so, &r.sw) : GW_E_INVAL;
    if (rc < 0) {
        fprintf(stderr, "fleetgw discover: %s\n",
                t.count + t.nhosts ? gw_strerror(rc) : "no addresses left after the excludes");
        uv_close((uv_handle_t *)&r.tick, NULL);
        uv_close((uv_handle_t *)&r.sigint, NULL);
        uv_close((uv_handle_t *)&r.sigterm, NULL);
        r.status = rc;
    } else {
        uv_signal_start(&r.sigint, on_signal, SIGINT);
        uv_signal_start(&r.sigterm, on_signal, SIGTERM);
        if (r.progress)
            uv_timer_start(&r.tick, on_tick, 1000, 1000);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop) != 0) {
        uv_run(&loop, UV_RUN_DEFAULT);
        GW_ASSERT(uv_loop_close(&loop) == 0);
    }
    snmpc_lib_shutdown();
    snmpc_catalogue_free(cat);
    for (int i = 0; i < ncreds; i++)
        gw_credential_cleanup(&creds[i]);
    disc_targets_cleanup(&t);

    if (rc == 0) {
        if (r.progress)
            print_progress(&r.p);
        if (r.json) {
            json_t *o = json_pack(
                "{s:O, s:{s:I, s:I, s:I, s:I, s:I, s:f, s:b}}", "printers", r.printers, "sweep",
                "total", (json_int_t)r.p.total, "done", (json_int_t)r.p.done, "responders",
                (json_int_t)r.p.responders, "printers", (json_int_t)r.p.printers, "packets",
                (json_int_t)r.p.packets, "elapsed_s", r.p.elapsed_s, "complete", r.status == 0);
            json_t *sw = json_object_get(o, "sweep");
            json_object_set_new(sw, "wsd_packets", json_integer((json_int_t)r.p.wsd_packets));
            json_object_set_new(sw, "wsd_responders", json_integer((json_int_t)r.p.wsd_responders));
            disc_progress_wsd_json(&r.p, sw);
            json_dumpf(o, stdout, JSON_INDENT(2));
            fputc('\n', stdout);
            json_decref(o);
        }
        if (!r.json) {
            char how[DISC_WSD_IF_MAX * 48];
            printf("WS-Discovery: %s\n", disc_progress_wsd_text(&r.p, how, sizeof how));
        }
        ex = r.status == 0 ? GW_EXIT_OK : GW_EXIT_FAIL;
    }
    json_decref(r.printers);
    return ex;
usage:
    free(spec);
    free(exclude);
    usage(stderr);
    return GW_EXIT_USAGE;
}

static void print_json(json_t *v)
{
    json_dumpf(v, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
}

static void print_setting(json_t *s)
{
    json_t *run = json_object_get(s, "last_run");
    char *creds = json_dumps(json_object_get(s, "credentials"), JSON_COMPACT);
    const char *wif = json_string_value(json_object_get(s, "wsd_interface"));
    printf("%-16s targets=%s schedule='%s' pps=%lld credentials=%s wsd=%s",
           json_string_value(json_object_get(s, "name")),
           json_string_value(json_object_get(s, "targets")),
           json_string_value(json_object_get(s, "schedule")),
           (long long)json_integer_value(json_object_get(s, "pps")), creds ? creds : "[]",
           !json_is_true(json_object_get(s, "wsd")) ? "off"
           : wif && *wif                            ? wif
                                                    : "auto");
    free(creds);
    if (json_is_object(run))
        printf(" last=%s done=%lld/%lld printers=%lld",
               json_string_value(json_object_get(run, "state")),
               (long long)json_integer_value(json_object_get(run, "done")),
               (long long)json_integer_value(json_object_get(run, "total")),
               (long long)json_integer_value(json_object_get(run, "printers")));
    const char *wm =
        json_is_object(run) ? json_string_value(json_object_get(run, "wsd_mode")) : NULL;
    if (wm && *wm)
        printf(" wsd_mode=%s", wm);
    printf("\n");
}

static void print_printers(json_t *arr)
{
    size_t i;
    json_t *p;
    json_array_foreach(arr, i, p)
    {
        const char *cred = json_string_value(json_object_get(p, "credential"));
        printf("%-15s %-20s %-17s %s (%s, %s)\n", json_string_value(json_object_get(p, "address")),
               json_string_value(json_object_get(p, "serial")),
               json_string_value(json_object_get(p, "mac")),
               json_string_value(json_object_get(p, "model")),
               json_string_value(json_object_get(p, "found_by")), cred && *cred ? cred : "-");
    }
}

static int request(const struct gw_opts *o, json_t *req, json_t **out)
{
    json_t *r = gw_ctl_request(o, req);
    json_decref(req);
    if (!r)
        return GW_EXIT_FAIL;
    if (!json_is_true(json_object_get(r, "ok"))) {
        int code = (int)json_integer_value(json_object_get(r, "code"));
        const char *msg = json_string_value(json_object_get(r, "error"));
        fprintf(stderr, "fleetgw discover: %s%s\n", msg ? msg : "failed", confirm_hint(code, msg));
        json_decref(r);
        return code == GW_E_INVAL || code == DISC_E_TARGET || code == DISC_E_TOO_LARGE
                   ? GW_EXIT_USAGE
                   : GW_EXIT_FAIL;
    }
    *out = r;
    return GW_EXIT_OK;
}

static int cmd_add(const struct gw_opts *go, int argc, char **argv)
{
    enum { O_SCHEDULE = O_SWEEP_END, O_WINDOW, O_AUTO, O_NO_AUTO };
    static const struct option longopts[] = {
        SWEEP_LONGOPTS,
        {"schedule", required_argument, NULL, O_SCHEDULE},
        {"window", required_argument, NULL, O_WINDOW},
        {"auto-register", no_argument, NULL, O_AUTO},
        {"no-auto-register", no_argument, NULL, O_NO_AUTO},
        {NULL, 0, NULL, 0},
    };
    if (argc < 2 || argv[1][0] == '-') {
        usage(stderr);
        return GW_EXIT_USAGE;
    }
    /* add: a whole new setting; set: only the options given change (a list option given
     * replaces the stored list). */
    bool set = strcmp(argv[0], "set") == 0;
    json_t *req = set ? json_pack("{s:s, s:s}", "cmd", "discover.set", "name", argv[1])
                      : json_pack("{s:s, s:s, s:s, s:s, s:[]}", "cmd", "discover.add", "name",
                                  argv[1], "targets", "", "excludes", "", "credentials");
    bool given[2] = {false, false}; /* --target, --exclude seen in this command line */
    int opt;
    /* NAME takes the place of the program name, so getopt starts afresh after it. */
    optind = 0;
    while ((opt = getopt_long(argc - 1, argv + 1, "", longopts, NULL)) != -1) {
        const char *key = NULL;
        switch (opt) {
        case O_TARGET:
        case O_EXCLUDE: {
            key = opt == O_TARGET ? "targets" : "excludes";
            if (!given[opt != O_TARGET]) {
                json_object_set_new(req, key, json_string(""));
                given[opt != O_TARGET] = true;
            }
            const char *old = json_string_value(json_object_get(req, key));
            size_t n = strlen(old) + strlen(optarg) + 2;
            char *v = gw_malloc(n);
            snprintf(v, n, "%s%s%s", old, *old ? "," : "", optarg);
            json_object_set_new(req, key, json_string(v));
            free(v);
            break;
        }
        case O_CRED:
            if (!json_is_array(json_object_get(req, "credentials")))
                json_object_set_new(req, "credentials", json_array());
            json_array_append_new(json_object_get(req, "credentials"), json_string(optarg));
            break;
        case O_SCHEDULE:
            json_object_set_new(req, "schedule", json_string(optarg));
            break;
        case O_WINDOW:
            json_object_set_new(req, "window", json_string(optarg));
            break;
        case O_PPS:
        case O_PORT:
        case O_WSD_PORT: {
            char *end;
            const char *k = opt == O_PORT ? "port" : opt == O_PPS ? "pps" : "wsd_port";
            long v = strtol(optarg, &end, 10);
            if (!*optarg || *end || v <= 0 || v > (opt == O_PPS ? 100000 : 65535)) {
                fprintf(stderr, "fleetgw discover: --%s: '%s': out of range\n",
                        opt == O_WSD_PORT ? "wsd-port" : k, optarg);
                json_decref(req);
                return GW_EXIT_USAGE;
            }
            json_object_set_new(req, k, json_integer(v));
            break;
        }
        case O_WSD:
        case O_NO_WSD:
            json_object_set_new(req, "wsd", json_boolean(opt == O_WSD));
            break;
        case O_WSD_IF:
            json_object_set_new(req, "wsd_interface", json_string(optarg));
            break;
        case O_AUTO:
        case O_NO_AUTO:
            json_object_set_new(req, "auto_register", json_boolean(opt == O_AUTO));
            break;
        case O_YES:
            json_object_set_new(req, "confirmed", json_true());
            break;
        default:
            json_decref(req);
            usage(stderr);
            return GW_EXIT_USAGE;
        }
    }
    json_t *r;
    int ex = request(go, req, &r);
    if (ex == GW_EXIT_OK) {
        printf("discovery setting '%s' %s\n", argv[1], set ? "changed" : "stored");
        json_decref(r);
    }
    return ex;
}

static int cmd_named(const struct gw_opts *go, int argc, char **argv)
{
    bool as_json = false, progress = false;
    const char *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else if (strcmp(argv[i], "--progress") == 0 && strcmp(argv[0], "run") == 0)
            progress = true;
        else if (argv[i][0] != '-' && !name && strcmp(argv[0], "list") != 0)
            name = argv[i];
        else {
            usage(stderr);
            return GW_EXIT_USAGE;
        }
    }
    if (!name && strcmp(argv[0], "list") != 0) {
        usage(stderr);
        return GW_EXIT_USAGE;
    }
    char cmd[32];
    snprintf(cmd, sizeof cmd, "discover.%s", argv[0]);
    json_t *r, *req = json_pack("{s:s}", "cmd", cmd);
    if (name)
        json_object_set_new(req, "name", json_string(name));
    /* Only a run takes --progress: operations refuse arguments they do not know. */
    if (strcmp(argv[0], "run") == 0)
        json_object_set_new(req, "progress", json_boolean(progress));
    int ex = request(go, req, &r);
    if (ex != GW_EXIT_OK)
        return ex;
    if (strcmp(argv[0], "run") == 0 && json_is_true(json_object_get(r, "started"))) {
        /* The daemon runs the sweep: follow it until it ends. */
        for (;;) {
            json_decref(r);
            sleep(1);
            ex = request(go, json_pack("{s:s, s:s}", "cmd", "discover.show", "name", name), &r);
            if (ex != GW_EXIT_OK)
                return ex;
            json_t *run = json_object_get(json_object_get(r, "setting"), "last_run");
            if (progress && json_is_object(run))
                fprintf(stderr,
                        "progress name=%s done=%lld total=%lld responders=%lld printers=%lld "
                        "eta=%.0fs\n",
                        name, (long long)json_integer_value(json_object_get(run, "done")),
                        (long long)json_integer_value(json_object_get(run, "total")),
                        (long long)json_integer_value(json_object_get(run, "responders")),
                        (long long)json_integer_value(json_object_get(run, "printers")),
                        json_number_value(json_object_get(run, "eta_s")));
            const char *state = json_string_value(json_object_get(run, "state"));
            if (!state || strcmp(state, "running") != 0)
                break;
        }
    }
    json_object_del(r, "ok");
    if (as_json) {
        print_json(strcmp(argv[0], "list") == 0    ? json_object_get(r, "settings")
                   : json_object_get(r, "setting") ? json_object_get(r, "setting")
                                                   : r);
    } else if (strcmp(argv[0], "list") == 0) {
        size_t i;
        json_t *s;
        json_array_foreach(json_object_get(r, "settings"), i, s) print_setting(s);
    } else if (json_object_get(r, "setting")) {
        print_setting(json_object_get(r, "setting"));
        print_printers(json_object_get(json_object_get(r, "setting"), "printers"));
    } else {
        printf("discovery setting '%s' removed\n", name);
    }
    json_decref(r);
    return GW_EXIT_OK;
}

int gw_cmd_discover(const struct gw_opts *o, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? GW_EXIT_USAGE : GW_EXIT_OK;
    }
    if (strcmp(argv[1], "run") == 0 && argc > 2 && argv[2][0] != '-')
        return cmd_named(o, argc - 1, argv + 1);
    if (strcmp(argv[1], "run") == 0)
        return cmd_run(o, argc - 1, argv + 1);
    if (strcmp(argv[1], "add") == 0 || strcmp(argv[1], "set") == 0)
        return cmd_add(o, argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0 || strcmp(argv[1], "show") == 0 ||
        strcmp(argv[1], "remove") == 0)
        return cmd_named(o, argc - 1, argv + 1);
    fprintf(stderr, "fleetgw discover: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return GW_EXIT_USAGE;
}
