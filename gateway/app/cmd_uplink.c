/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Uplink subcommands: register, unregister, mode, anonymize. The HTTPS exchange with the cloud
 * happens here, in the CLI process, so its errors reach the administrator at once; what follows
 * from it (token sealed in the vault, settings, audit record) is a control request that the
 * daemon executes when it runs, through its single store connection, and the CLI otherwise.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gateway/app/cli.h"
#include "uplink/up.h"

/* Returns: the uplink's status object from the daemon or the store; NULL on failure. */
static json_t *uplink_status(const struct gw_opts *o)
{
    json_t *req = json_pack("{s:s}", "cmd", "uplink.status");
    json_t *r = gw_ctl_request(o, req);
    json_decref(req);
    return r;
}

static void register_usage(FILE *out)
{
    fprintf(out,
            "usage: fleetgw register --url URL --access-code CODE [--user USER "
            "--password-file FILE]\n"
            "                        [--ca-file FILE] [--proxy-password-file FILE]\n"
            "Registers the gateway with a cloud fleet manager. With the access code alone the\n"
            "cloud registers it as pending; with a user and password it may be managed at once.\n"
            "The password is read from FILE or the terminal, never from the command line.\n");
}

/* The broker endpoints of a registration reply as stored in up.broker:
 * "host:port[/alpn],..." in the cloud's order of preference ("brokers"), or the one "broker". */
static void broker_list(json_t *reply, char *out, size_t len)
{
    json_t *list = json_object_get(reply, "brokers"), *b;
    size_t i, n = 0;
    out[0] = '\0';
    if (!json_is_array(list) || json_array_size(list) == 0) {
        list = json_array();
        json_array_append(list, json_object_get(reply, "broker"));
    } else {
        json_incref(list);
    }
    json_array_foreach(list, i, b)
    {
        const char *host = json_string_value(json_object_get(b, "host"));
        const char *alpn = json_string_value(json_object_get(b, "alpn"));
        json_int_t port = json_integer_value(json_object_get(b, "port"));
        if (!host || !*host || strpbrk(host, ",/ ") || port <= 0 || port > 65535 ||
            (alpn && strpbrk(alpn, ",/ ")))
            continue;
        int w = snprintf(out + n, len - n, "%s%s%s%s:%lld%s%s", n ? "," : "",
                         strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "",
                         (long long)port, alpn && *alpn ? "/" : "", alpn && *alpn ? alpn : "");
        if (w < 0 || (size_t)w >= len - n) {
            out[n] = '\0';
            break;
        }
        n += (size_t)w;
    }
    json_decref(list);
}

int gw_cmd_register(const struct gw_opts *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"url", required_argument, NULL, 'u'},
        {"access-code", required_argument, NULL, 'a'},
        {"user", required_argument, NULL, 'U'},
        {"password-file", required_argument, NULL, 'p'},
        {"ca-file", required_argument, NULL, 'C'},
        {"proxy-password-file", required_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct up_reg_req rr = {0};
    const char *pwfile = NULL, *proxy_pw_file = NULL, *reason = "";
    char *password = NULL, *proxy_pw = NULL, broker[1200] = "";
    struct gw_cfg cfg;
    struct gw_errbuf eb = {""};
    json_t *reply = NULL, *st, *req, *r;
    int c, rc, status;

    while ((c = getopt_long(argc, argv, "u:a:U:p:C:P:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'u':
            rr.url = optarg;
            break;
        case 'a':
            rr.access_code = optarg;
            break;
        case 'U':
            rr.user = optarg;
            break;
        case 'p':
            pwfile = optarg;
            break;
        case 'C':
            rr.ca_file = optarg;
            break;
        case 'P':
            proxy_pw_file = optarg;
            break;
        case 'h':
            register_usage(stdout);
            return GW_EXIT_OK;
        default:
            register_usage(stderr);
            return GW_EXIT_USAGE;
        }
    }
    if (!rr.url || !rr.access_code || optind < argc) {
        register_usage(stderr);
        return GW_EXIT_USAGE;
    }
    if (gw_app_load_cfg(o, &cfg, NULL) < 0)
        return GW_EXIT_FAIL;
    if (!rr.ca_file && cfg.up_ca_file[0])
        rr.ca_file = cfg.up_ca_file;
    rr.proxy = cfg.up_proxy;
    rr.proxy_user = cfg.up_proxy_user;
    st = uplink_status(o);
    if (!st || !json_is_true(json_object_get(st, "ok"))) {
        json_decref(st);
        return GW_EXIT_FAIL;
    }
    rr.anonymized = json_is_true(json_object_get(json_object_get(st, "uplink"), "anonymized"));
    json_decref(st);
    if (rr.user) {
        password = gw_cli_read_secret(pwfile, "cloud password");
        if (!password)
            return GW_EXIT_FAIL;
        rr.password = password;
    }
    if (proxy_pw_file) {
        proxy_pw = gw_cli_read_secret(proxy_pw_file, "proxy password");
        if (!proxy_pw) {
            gw_free_secret_str(password);
            return GW_EXIT_FAIL;
        }
        rr.proxy_password = proxy_pw;
    }
    rc = up_register_http(&rr, &reply, &reason, &eb);
    gw_free_secret_str(password);
    if (rc < 0) {
        req = json_pack("{s:s, s:s, s:s, s:s, s:s}", "cmd", "uplink.register", "result", "failed",
                        "reason", reason, "message", eb.msg, "url", rr.url);
        json_decref(gw_ctl_request(o, req));
        json_decref(req);
        gw_free_secret_str(proxy_pw);
        fprintf(stderr, "fleetgw register: %s\n", eb.msg);
        return GW_EXIT_FAIL;
    }
    broker_list(reply, broker, sizeof broker);
    const char *gid = json_string_value(json_object_get(reply, "gateway_id"));
    const char *regst = json_string_value(json_object_get(reply, "status"));
    const char *ca = json_string_value(json_object_get(reply, "ca_pem"));
    req = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "cmd", "uplink.register", "result",
                    "ok", "url", rr.url, "gateway_id", gid, "token",
                    json_string_value(json_object_get(reply, "token")), "status",
                    regst ? regst : "pending", "broker", broker, "ca_pem", ca ? ca : "");
    if (proxy_pw)
        json_object_set_new(req, "proxy_password", json_string(proxy_pw));
    gw_free_secret_str(proxy_pw);
    r = gw_ctl_request(o, req);
    /* The request held the token and the proxy password: wipe them before it is freed (the
     * daemon wipes only its own copy). */
    gw_json_wipe(req, "token");
    gw_json_wipe(req, "proxy_password");
    json_decref(req);
    status = gw_ctl_reply_status(r);
    json_decref(r);
    if (status == GW_EXIT_OK) {
        printf("registered gateway %s: %s%s\n", gid, regst ? regst : "pending",
               regst && strcmp(regst, "pending") == 0
                   ? " (an authorised user must approve it in the cloud)"
                   : "");
        if (broker[0])
            printf("endpoints to allow: %s, %s\n", rr.url, broker);
    }
    gw_json_wipe(reply, "token");
    json_decref(reply);
    return status;
}

int gw_cmd_unregister(const struct gw_opts *o, int argc, char **argv)
{
    struct gw_app app = {0};
    struct gw_errbuf eb = {""};
    char url[512] = "", gid[80] = "";
    json_t *req, *r;
    if (argc > 1) {
        bool help = strcmp(argv[1], "--help") == 0;
        fprintf(help ? stdout : stderr, "usage: fleetgw unregister\n"
                                        "Ends the registration with the cloud and wipes the "
                                        "token, also when the cloud cannot be reached.\n");
        return help ? GW_EXIT_OK : GW_EXIT_USAGE;
    }
    json_t *st = uplink_status(o);
    if (!st)
        return GW_EXIT_FAIL;
    json_t *u = json_object_get(st, "uplink");
    gw_strlcpy(gid, json_string_value(json_object_get(u, "gateway_id")) ?: "", sizeof gid);
    gw_strlcpy(url, json_string_value(json_array_get(json_object_get(u, "endpoints"), 0)) ?: "",
               sizeof url);
    json_decref(st);
    if (!gid[0]) {
        fprintf(stderr, "fleetgw unregister: the gateway is not registered\n");
        return GW_EXIT_FAIL;
    }
    /* The token is read from the store only when no daemon holds it: telling the cloud is a
     * courtesy, wiping the token here is what matters. */
    if (gw_app_load_cfg(o, &app.cfg, NULL) == 0) {
        int err = 0;
        json_t *ping = json_pack("{s:s}", "cmd", "status");
        json_t *pr = gw_ctl_call(&app.cfg, ping, &err);
        json_decref(ping);
        json_decref(pr);
        if (!pr && err == GW_E_NOTRUNNING && gw_app_open_store(&app) == 0) {
            char *token = up_secret_get(app.db, app.vault, "token");
            char *ppw = up_secret_get(app.db, app.vault, "proxy_password");
            if (token && up_unregister_http(url, gid, token, app.cfg.up_ca_file, app.cfg.up_proxy,
                                            app.cfg.up_proxy_user, ppw, &eb) < 0)
                fprintf(stderr,
                        "fleetgw unregister: %s (the local registration is removed "
                        "anyway)\n",
                        eb.msg);
            gw_free_secret_str(token);
            gw_free_secret_str(ppw);
            gw_app_close_store(&app);
        }
    }
    req = json_pack("{s:s}", "cmd", "uplink.unregister");
    r = gw_ctl_request(o, req);
    json_decref(req);
    int status = gw_ctl_reply_status(r);
    json_decref(r);
    if (status == GW_EXIT_OK)
        printf("unregistered gateway %s; token wiped\n", gid);
    return status;
}

/* "2026-11-22T08:00:00Z", "2026-11-22 08:00", or "+2h"/"+30m"/"+1d" from now. */
static int parse_until(const char *s, int64_t *out)
{
    struct tm tm = {0};
    char *end;
    if (s[0] == '+') {
        long v = strtol(s + 1, &end, 10);
        long mult = *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400 : 0;
        if (v <= 0 || !mult || end[1])
            return -1;
        *out = gw_now() + (int64_t)v * mult;
        return 0;
    }
    end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!end || *end) {
        memset(&tm, 0, sizeof tm);
        end = strptime(s, "%Y-%m-%d %H:%M", &tm);
    }
    if (!end || *end)
        return -1;
    *out = (int64_t)timegm(&tm);
    return 0;
}

int gw_cmd_mode(const struct gw_opts *o, int argc, char **argv)
{
    int64_t until = 0;
    if (argc < 2 || (strcmp(argv[1], "manage") != 0 && strcmp(argv[1], "monitor") != 0)) {
        bool help = argc > 1 && strcmp(argv[1], "--help") == 0;
        fprintf(help ? stdout : stderr,
                "usage: fleetgw mode manage [--until TIME] | monitor\n"
                "manage: one persistent MQTT session; the cloud can send tasks.\n"
                "monitor: uploads over HTTPS only; the cloud cannot reach the gateway.\n"
                "TIME is 2026-11-22T18:00:00Z (UTC) or +30m, +8h, +2d from now; then the\n"
                "gateway goes back to monitor mode by itself.\n");
        return help ? GW_EXIT_OK : GW_EXIT_USAGE;
    }
    if (argc == 4 && strcmp(argv[1], "manage") == 0 && strcmp(argv[2], "--until") == 0) {
        if (parse_until(argv[3], &until) < 0 || until <= gw_now()) {
            fprintf(stderr, "fleetgw mode: --until '%s' is not a future time\n", argv[3]);
            return GW_EXIT_USAGE;
        }
    } else if (argc != 2) {
        fprintf(stderr, "fleetgw mode: unexpected argument '%s'\n", argv[2]);
        return GW_EXIT_USAGE;
    }
    json_t *req = json_pack("{s:s, s:s, s:I}", "cmd", "uplink.mode", "mode", argv[1], "until",
                            (json_int_t)until);
    json_t *r = gw_ctl_request(o, req);
    json_decref(req);
    int status = gw_ctl_reply_status(r);
    if (status == GW_EXIT_OK) {
        printf("mode %s%s\n", argv[1], until ? " (until the time given)" : "");
        if (!json_is_true(json_object_get(r, "registered")))
            printf("note: the gateway is not registered yet; nothing is sent until it is\n");
    }
    json_decref(r);
    return status;
}

int gw_cmd_anonymize(const struct gw_opts *o, int argc, char **argv)
{
    bool help = argc == 2 && strcmp(argv[1], "--help") == 0;
    if (argc != 2 || (strcmp(argv[1], "on") != 0 && strcmp(argv[1], "off") != 0)) {
        fprintf(help ? stdout : stderr,
                "usage: fleetgw anonymize on|off\n"
                "Anonymization is chosen only by 'fleetgw init --anonymize'; this\n"
                "command exists to say so (and the attempt is audited).\n");
        return help ? GW_EXIT_OK : GW_EXIT_USAGE;
    }
    return gw_ctl_request_status(
        o, json_pack("{s:s, s:b}", "cmd", "uplink.anonymize", "on", strcmp(argv[1], "on") == 0));
}
