/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Administrative subcommands: init, credential, device, status, audit. They parse arguments,
 * read secrets from files or the terminal (never only from argv), and turn each action into a
 * control request (ctl.c) so the daemon carries it out when it runs.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gateway/app/cli.h"
#include "snmp/snmpc.h"
#include "uplink/up.h"

static void print_json(json_t *v)
{
    json_dumpf(v, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
    fputc('\n', stdout);
}

int gw_cmd_init(const struct gw_opts *o, int argc, char **argv)
{
    struct gw_app app = {0};
    struct gw_errbuf eb = {""};
    char path[1024];
    const char *admin_pw_file = NULL;
    bool anonymize = false;
    int rc;
    if (argc > 1 && strcmp(argv[1], "--anonymize") == 0) {
        anonymize = true;
        argc--;
        argv++;
    }
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: fleetgw [-c CONFIG] [--state-dir DIR] init [--anonymize] "
               "[--admin-password-file F]\n"
               "--anonymize: nothing sent to the cloud carries addresses, host names or\n"
               "locations; chosen once, it can never be switched off.\n"
               "Creates the state directory (mode 0700), the secrets key (mode 0600), the\n"
               "database and the web UI administrator 'admin' (password from F, or asked on\n"
               "the terminal). Running it again keeps an existing key, database and account.\n");
        return GW_EXIT_OK;
    }
    if (argc > 2 && strcmp(argv[1], "--admin-password-file") == 0) {
        admin_pw_file = argv[2];
        argc -= 2;
        argv += 2;
    }
    if (argc > 1) {
        fprintf(stderr, "fleetgw init: unexpected argument '%s'\n", argv[1]);
        return GW_EXIT_USAGE;
    }
    if (gw_app_load_cfg(o, &app.cfg, NULL) < 0)
        return GW_EXIT_FAIL;
    if (mkdir(app.cfg.state_dir, 0700) < 0 && errno != EEXIST) {
        fprintf(stderr, "fleetgw: cannot create %s: %s\n", app.cfg.state_dir, strerror(errno));
        return GW_EXIT_FAIL;
    }
    gw_cfg_key_file(&app.cfg, path, sizeof path);
    rc = gw_vault_keygen(path, &eb);
    if (rc == -EEXIST)
        printf("secrets key %s exists, kept\n", path);
    else if (rc < 0) {
        fprintf(stderr, "fleetgw: %s\n", eb.msg[0] ? eb.msg : gw_strerror(rc));
        return GW_EXIT_FAIL;
    } else
        printf("created secrets key %s\n", path);
    if (gw_app_open_store(&app) < 0)
        return GW_EXIT_FAIL;
    gw_audit_add(app.db, "root", "cli", "init", "ok", app.cfg.state_dir);
    if (anonymize && up_anon_enable(app.db, "root") < 0) {
        gw_app_close_store(&app);
        return GW_EXIT_FAIL;
    }
    if (up_anon_is_on(app.db))
        printf("anonymization is on (chosen at init; it cannot be switched off)\n");
    if (gw_webui_init_admin(&app, admin_pw_file) < 0) {
        gw_app_close_store(&app);
        return GW_EXIT_FAIL;
    }
    printf("database %s at schema version %d\n", gw_cfg_db_file(&app.cfg, path, sizeof path),
           gw_db_schema_version(app.db));
    gw_app_close_store(&app);
    return GW_EXIT_OK;
}

/* --- credential --- */

static void credential_usage(FILE *out)
{
    fprintf(out,
            "usage: fleetgw credential add NAME -v 1|2c [--community-file FILE]\n"
            "       fleetgw credential add NAME -v 3 -u USER [-l LEVEL] [-a PROTO] [-x PROTO]\n"
            "                              [--auth-pass-file FILE] [--priv-pass-file FILE]\n"
            "                              [-n CONTEXT]\n"
            "       fleetgw credential list [--json]\n"
            "       fleetgw credential remove NAME\n"
            "Secrets are read from the named file, or asked for on the terminal (or read from\n"
            "standard input); they are stored encrypted and never shown again.\n"
            "LEVEL: noAuthNoPriv, authNoPriv, authPriv (default). PROTO: auth MD5, SHA,\n"
            "SHA-224, SHA-256 (default), SHA-384, SHA-512; priv DES, AES (default), AES-192,\n"
            "AES-256.\n");
}

static int credential_add(const struct gw_opts *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"community-file", required_argument, NULL, 'C'},
        {"auth-pass-file", required_argument, NULL, 'P'},
        {"priv-pass-file", required_argument, NULL, 'Q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *version = "2c", *user = NULL, *level = "authPriv", *aproto = "SHA-256";
    const char *pproto = "AES", *context = NULL, *cfile = NULL, *afile = NULL, *pfile = NULL;
    char *secret;
    json_t *req, *r;
    int c, st;
    optind = 0; /* argv[0] is "add"; 0 makes GNU getopt reinitialize its state */
    while ((c = getopt_long(argc, argv, "v:u:l:a:x:n:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'v':
            version = optarg;
            break;
        case 'u':
            user = optarg;
            break;
        case 'l':
            level = optarg;
            break;
        case 'a':
            aproto = optarg;
            break;
        case 'x':
            pproto = optarg;
            break;
        case 'n':
            context = optarg;
            break;
        case 'C':
            cfile = optarg;
            break;
        case 'P':
            afile = optarg;
            break;
        case 'Q':
            pfile = optarg;
            break;
        case 'h':
            credential_usage(stdout);
            return GW_EXIT_OK;
        default:
            credential_usage(stderr);
            return GW_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "fleetgw credential add: give exactly one NAME\n");
        return GW_EXIT_USAGE;
    }
    req = json_pack("{s:s, s:s, s:s}", "cmd", "credential.add", "name", argv[optind], "version",
                    version);
    if (strcmp(version, "3") == 0) {
        json_object_set_new(req, "sec_name", json_string(user ? user : ""));
        json_object_set_new(req, "sec_level", json_string(level));
        if (context)
            json_object_set_new(req, "context", json_string(context));
        if (strcasecmp(level, "noAuthNoPriv") != 0) {
            json_object_set_new(req, "auth_proto", json_string(aproto));
            if (!(secret = gw_cli_read_secret(afile, "SNMPv3 authentication passphrase")))
                goto fail;
            json_object_set_new(req, "auth_pass", json_string(secret));
            gw_free_secret_str(secret);
        }
        if (strcasecmp(level, "authPriv") == 0) {
            json_object_set_new(req, "priv_proto", json_string(pproto));
            if (!(secret = gw_cli_read_secret(pfile, "SNMPv3 privacy passphrase")))
                goto fail;
            json_object_set_new(req, "priv_pass", json_string(secret));
            gw_free_secret_str(secret);
        }
    } else {
        if (!(secret = gw_cli_read_secret(cfile, "SNMP community")))
            goto fail;
        json_object_set_new(req, "community", json_string(secret));
        gw_free_secret_str(secret);
    }
    r = gw_ctl_request(o, req);
    st = gw_ctl_reply_status(r);
    if (st == GW_EXIT_OK)
        printf("credential set '%s' stored\n", argv[optind]);
    json_decref(r);
    json_decref(req);
    return st;
fail:
    json_decref(req);
    return GW_EXIT_FAIL;
}

int gw_cmd_credential(const struct gw_opts *o, int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : "";
    json_t *r = NULL;
    int st;
    if (strcmp(sub, "add") == 0)
        return credential_add(o, argc - 1, argv + 1);
    if (strcmp(sub, "list") == 0) {
        bool js = argc > 2 && strcmp(argv[2], "--json") == 0;
        json_t *req = json_pack("{s:s}", "cmd", "credential.list");
        r = gw_ctl_request(o, req);
        json_decref(req);
        st = gw_ctl_reply_status(r);
        if (st == GW_EXIT_OK) {
            json_t *list = json_object_get(r, "credentials"), *c;
            size_t i;
            if (js)
                print_json(list);
            else {
                printf("%-20s %-4s %-16s %-12s %-8s %-8s\n", "NAME", "VER", "USER", "LEVEL", "AUTH",
                       "PRIV");
                json_array_foreach(list, i, c)
                {
                    const char *u = json_string_value(json_object_get(c, "sec_name"));
                    const char *l = json_string_value(json_object_get(c, "level"));
                    const char *a = json_string_value(json_object_get(c, "auth_proto"));
                    const char *p = json_string_value(json_object_get(c, "priv_proto"));
                    printf("%-20s %-4s %-16s %-12s %-8s %-8s\n",
                           json_string_value(json_object_get(c, "name")),
                           json_string_value(json_object_get(c, "version")), u ? u : "-",
                           l ? l : "-", a ? a : "-", p ? p : "-");
                }
            }
        }
        json_decref(r);
        return st;
    }
    if (strcmp(sub, "remove") == 0 && argc == 3) {
        return gw_ctl_request_status(
            o, json_pack("{s:s, s:s}", "cmd", "credential.remove", "name", argv[2]));
    }
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        credential_usage(stdout);
        return GW_EXIT_OK;
    }
    credential_usage(stderr);
    return GW_EXIT_USAGE;
}

/* --- device --- */

static void device_usage(FILE *out)
{
    fprintf(out,
            "usage: fleetgw device add ADDRESS[:PORT] --credential NAME [--name NAME]\n"
            "       fleetgw device import FILE.csv\n"
            "       fleetgw device list [--json]\n"
            "       fleetgw device show ID [--json]\n"
            "       fleetgw device set ID --priority high|middle|low|auto\n"
            "       fleetgw device remove ID\n"
            "ADDRESS is an IPv4/IPv6 literal (IPv6 with a port as [addr]:port) or a host name.\n"
            "CSV import: a header line 'address,port,credential,name', then one device per\n"
            "line; port (default 161) and name may be empty; credential names a set created\n"
            "with 'fleetgw credential add'. The import is one transaction: a bad line imports\n"
            "nothing and names the line.\n"
            "--priority pins the device's polling priority; auto hands it back to the\n"
            "activity rating (pages printed and alerts raise it, idleness lowers it).\n");
}

/* Splits "host:port", "[v6]:port", "v6" into address and port. Returns: 0 or -1. */
static int split_address(const char *in, char *addr, size_t len, long *port)
{
    const char *colon = strrchr(in, ':');
    *port = 161;
    if (in[0] == '[') {
        const char *end = strchr(in, ']');
        if (!end || (size_t)(end - in - 1) >= len)
            return -1;
        memcpy(addr, in + 1, (size_t)(end - in - 1));
        addr[end - in - 1] = '\0';
        if (end[1] == ':') {
            char *e;
            *port = strtol(end + 2, &e, 10);
            return *e || *port < 1 || *port > 65535 ? -1 : 0;
        }
        return end[1] ? -1 : 0;
    }
    if (colon && strchr(in, ':') == colon) {
        char *e;
        if ((size_t)(colon - in) >= len)
            return -1;
        memcpy(addr, in, (size_t)(colon - in));
        addr[colon - in] = '\0';
        *port = strtol(colon + 1, &e, 10);
        return *e || *port < 1 || *port > 65535 ? -1 : 0;
    }
    return gw_strlcpy(addr, in, len) >= len ? -1 : 0;
}

static int device_add(const struct gw_opts *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"credential", required_argument, NULL, 'C'},
        {"name", required_argument, NULL, 'N'},
        {NULL, 0, NULL, 0},
    };
    const char *cred = NULL, *name = "";
    char addr[256];
    long port;
    json_t *req, *r;
    int c, st;
    optind = 0; /* argv[0] is "add"; 0 makes GNU getopt reinitialize its state */
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c == 'C')
            cred = optarg;
        else if (c == 'N')
            name = optarg;
        else {
            device_usage(stderr);
            return GW_EXIT_USAGE;
        }
    }
    if (optind != argc - 1 || !cred) {
        fprintf(stderr, "fleetgw device add: give one ADDRESS and --credential NAME\n");
        return GW_EXIT_USAGE;
    }
    if (split_address(argv[optind], addr, sizeof addr, &port) < 0) {
        fprintf(stderr, "fleetgw device add: bad address '%s'\n", argv[optind]);
        return GW_EXIT_USAGE;
    }
    req = json_pack("{s:s, s:s, s:i, s:s, s:s}", "cmd", "device.add", "address", addr, "port",
                    (int)port, "credential", cred, "name", name);
    r = gw_ctl_request(o, req);
    json_decref(req);
    st = gw_ctl_reply_status(r);
    if (st == GW_EXIT_OK)
        printf("device %lld added\n",
               (long long)json_integer_value(json_object_get(json_object_get(r, "device"), "id")));
    json_decref(r);
    return st;
}

static const char *js(json_t *o, const char *k);

static int device_import(const struct gw_opts *o, const char *path)
{
    FILE *f = fopen(path, "r");
    char *text = NULL;
    size_t len = 0;
    json_t *req, *r;
    int st;
    if (!f) {
        fprintf(stderr, "fleetgw: cannot read %s: %s\n", path, strerror(errno));
        return GW_EXIT_FAIL;
    }
    FILE *mem = open_memstream(&text, &len);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, mem);
    fclose(f);
    fclose(mem);
    req = json_pack("{s:s, s:s, s:s}", "cmd", "device.import", "name", path, "csv", text);
    free(text);
    if (!req) {
        fprintf(stderr, "fleetgw: %s is not valid UTF-8 text\n", path);
        return GW_EXIT_FAIL;
    }
    r = gw_ctl_request(o, req);
    json_decref(req);
    st = gw_ctl_reply_status(r);
    if (st == GW_EXIT_OK)
        printf("imported %lld devices\n",
               (long long)json_integer_value(json_object_get(r, "imported")));
    else {
        /* The message names the first bad line; every one follows, to be fixed in one go. */
        json_t *errors = json_object_get(r, "errors"), *e;
        size_t i;
        if (json_array_size(errors) > 1)
            json_array_foreach(errors, i, e)
                fprintf(stderr, "%s:%lld: %s\n", path,
                        (long long)json_integer_value(json_object_get(e, "line")), js(e, "error"));
    }
    json_decref(r);
    return st;
}

static const char *js(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "-";
}

/* `device list` columns: widths come from the data, text columns are cut at LIST_MAX_COLS
 * characters with an ellipsis so one long model name cannot push every row out of line. */
#define LIST_MAX_COLS 32
enum {
    COL_ID,
    COL_NAME,
    COL_ADDRESS,
    COL_STATUS,
    COL_PRIO,
    COL_MODEL,
    COL_SERIAL,
    COL_PAGES,
    COL_NEXT,
    N_COLS
};
static const char *const list_heads[N_COLS] = {"ID",    "NAME",   "ADDRESS", "STATUS",   "PRIO",
                                               "MODEL", "SERIAL", "PAGES",   "NEXT POLL"};

/* Returns: the characters (UTF-8 code points) of s, the columns a terminal gives it. */
static size_t text_cols(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Copies s into out, cut to max characters ending in an ellipsis when longer. */
static void fit(const char *s, size_t max, char *out, size_t outlen)
{
    size_t cols = 0, i = 0;
    if (text_cols(s) <= max) {
        gw_strlcpy(out, s, outlen);
        return;
    }
    for (; s[i]; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && cols++ == max - 1)
            break;
    snprintf(out, outlen, "%.*s\u2026", (int)i, s);
}

/* Fills the cells of one device row. */
static void device_cells(json_t *d, char cells[N_COLS][LIST_MAX_COLS * 4 + 8])
{
    json_t *pc = json_object_get(d, "page_count_total");
    const char *a = js(d, "address");
    char where[300];
    size_t size = LIST_MAX_COLS * 4 + 8;
    snprintf(cells[COL_ID], size, "%lld", (long long)json_integer_value(json_object_get(d, "id")));
    fit(json_string_length(json_object_get(d, "name")) ? js(d, "name") : "-", LIST_MAX_COLS,
        cells[COL_NAME], size);
    /* A WSD device has no SNMP port to show. */
    if (strcmp(js(d, "transport"), "wsd") == 0)
        snprintf(where, sizeof where, "%s (wsd)", a);
    else
        snprintf(where, sizeof where, strchr(a, ':') ? "[%s]:%lld" : "%s:%lld", a,
                 (long long)json_integer_value(json_object_get(d, "port")));
    fit(where, LIST_MAX_COLS + 16, cells[COL_ADDRESS], size);
    fit(js(d, "status"), LIST_MAX_COLS, cells[COL_STATUS], size);
    fit(js(d, "priority"), LIST_MAX_COLS, cells[COL_PRIO], size);
    fit(json_string_length(json_object_get(d, "model")) ? js(d, "model") : "-", LIST_MAX_COLS,
        cells[COL_MODEL], size);
    fit(json_string_length(json_object_get(d, "serial")) ? js(d, "serial") : "-", LIST_MAX_COLS,
        cells[COL_SERIAL], size);
    if (json_is_integer(pc))
        snprintf(cells[COL_PAGES], size, "%lld", (long long)json_integer_value(pc));
    else
        gw_strlcpy(cells[COL_PAGES], "-", size);
    fit(js(d, "next_poll"), LIST_MAX_COLS, cells[COL_NEXT], size);
}

static void print_row(const char *const *cells, const size_t *width)
{
    for (int c = 0; c < N_COLS; c++) {
        size_t pad = width[c] - text_cols(cells[c]);
        if (c == COL_PAGES || c == COL_ID) /* numbers right-aligned */
            printf("%*s%s", (int)pad, "", cells[c]);
        else if (c == N_COLS - 1)
            fputs(cells[c], stdout);
        else
            printf("%s%*s", cells[c], (int)pad, "");
        if (c < N_COLS - 1)
            fputs("  ", stdout);
    }
    putchar('\n');
}

static void print_device_table(json_t *list)
{
    char cells[N_COLS][LIST_MAX_COLS * 4 + 8];
    const char *row[N_COLS];
    size_t width[N_COLS], i;
    json_t *d;
    for (int c = 0; c < N_COLS; c++) {
        width[c] = text_cols(list_heads[c]);
        row[c] = cells[c];
    }
    json_array_foreach(list, i, d)
    {
        device_cells(d, cells);
        for (int c = 0; c < N_COLS; c++)
            if (text_cols(cells[c]) > width[c])
                width[c] = text_cols(cells[c]);
    }
    print_row(list_heads, width);
    json_array_foreach(list, i, d)
    {
        device_cells(d, cells);
        print_row(row, width);
    }
}

static int device_list(const struct gw_opts *o, bool as_json)
{
    json_t *req = json_pack("{s:s}", "cmd", "device.list");
    json_t *r = gw_ctl_request(o, req);
    int st = gw_ctl_reply_status(r);
    json_decref(req);
    if (st == GW_EXIT_OK) {
        json_t *list = json_object_get(r, "devices");
        if (as_json)
            print_json(list);
        else
            print_device_table(list);
    }
    json_decref(r);
    return st;
}

static int parse_id(const char *s, long long *id)
{
    char *e;
    errno = 0;
    *id = strtoll(s, &e, 10);
    return errno || *e || *id <= 0 ? -1 : 0;
}

static int device_show(const struct gw_opts *o, const char *ids, bool as_json)
{
    long long id;
    json_t *req, *r;
    int st;
    if (parse_id(ids, &id) < 0) {
        fprintf(stderr, "fleetgw device show: bad ID '%s'\n", ids);
        return GW_EXIT_USAGE;
    }
    req = json_pack("{s:s, s:I}", "cmd", "device.show", "id", (json_int_t)id);
    r = gw_ctl_request(o, req);
    json_decref(req);
    st = gw_ctl_reply_status(r);
    if (st == GW_EXIT_OK) {
        json_object_del(r, "ok");
        if (as_json)
            print_json(r);
        else {
            json_t *d = json_object_get(r, "device"), *state = json_object_get(r, "state"), *x;
            size_t i;
            const char *keys[] = {"address",  "name",      "transport", "credential", "status",
                                  "vendor",   "model",     "serial",    "mac",        "engine_id",
                                  "wsd_uuid", "last_seen", "last_poll"};
            printf("%-12s %lld\n", "id", (long long)json_integer_value(json_object_get(d, "id")));
            for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
                printf("%-12s %s\n", keys[k], js(d, keys[k]));
                /* The SNMP port; a WSD device is reached at its XAddrs instead. */
                if (k == 0 && strcmp(js(d, "transport"), "wsd") != 0)
                    printf("%-12s %lld\n", "port",
                           (long long)json_integer_value(json_object_get(d, "port")));
            }
            if (json_object_get(d, "wsd_xaddrs"))
                printf("%-12s %s\n", "wsd_xaddrs", js(d, "wsd_xaddrs"));
            printf("counters:%s%s\n", json_object_get(d, "counters_note") ? " " : "",
                   json_object_get(d, "counters_note") ? js(d, "counters_note") : "");
            json_array_foreach(json_object_get(state, "counters"), i, x)
                printf("  %-28s %12lld  %s\n", js(x, "name"),
                       (long long)json_integer_value(json_object_get(x, "value")), js(x, "oid"));
            printf("supplies:\n");
            json_array_foreach(json_object_get(state, "supplies"), i, x)
            {
                json_t *pct = json_object_get(x, "percent");
                char ps[8] = "-";
                if (json_is_integer(pct))
                    snprintf(ps, sizeof ps, "%lld%%", (long long)json_integer_value(pct));
                printf("  %-36s %-14s %5s\n", js(x, "description"), js(x, "state"), ps);
            }
            if (json_array_size(json_object_get(state, "trays"))) {
                printf("input trays:\n");
                json_array_foreach(json_object_get(state, "trays"), i, x) printf(
                    "  %-36s %s\n",
                    js(x, json_is_string(json_object_get(x, "name")) ? "name" : "description"),
                    js(x, "level_text"));
            }
            printf("alerts:\n");
            json_array_foreach(json_object_get(state, "alerts"), i, x)
            {
                /* In words (gw_alert_text()), then the Printer-MIB code's name. */
                json_t *code_text = json_object_get(x, "code_text");
                printf("  %s", json_is_string(json_object_get(x, "text")) ? js(x, "text")
                                                                          : js(x, "description"));
                if (json_is_string(code_text) &&
                    strcmp(json_string_value(code_text), js(x, "text")) != 0)
                    printf(" (%s)", json_string_value(code_text));
                putchar('\n');
            }
            printf("events:\n");
            json_array_foreach(json_object_get(r, "events"), i, x)
                printf("  %s %s %s\n", js(x, "ts"), js(x, "kind"), js(x, "detail"));
        }
    }
    json_decref(r);
    return st;
}

static int device_set(const struct gw_opts *o, int argc, char **argv)
{
    long long id;
    if (argc != 4 || strcmp(argv[2], "--priority") != 0) {
        device_usage(stderr);
        return GW_EXIT_USAGE;
    }
    if (parse_id(argv[1], &id) < 0) {
        fprintf(stderr, "fleetgw device set: bad ID '%s'\n", argv[1]);
        return GW_EXIT_USAGE;
    }
    return gw_ctl_request_status(o, json_pack("{s:s, s:I, s:s}", "cmd", "device.set", "id",
                                              (json_int_t)id, "priority", argv[3]));
}

int gw_cmd_device(const struct gw_opts *o, int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : "";
    bool as_json = argc > 2 && strcmp(argv[argc - 1], "--json") == 0;
    if (strcmp(sub, "add") == 0)
        return device_add(o, argc - 1, argv + 1);
    if (strcmp(sub, "import") == 0 && argc == 3)
        return device_import(o, argv[2]);
    if (strcmp(sub, "list") == 0 && argc <= 3)
        return device_list(o, as_json);
    if (strcmp(sub, "show") == 0 && (argc == 3 || (argc == 4 && as_json)))
        return device_show(o, argv[2], as_json);
    if (strcmp(sub, "set") == 0)
        return device_set(o, argc - 1, argv + 1);
    if (strcmp(sub, "remove") == 0 && argc == 3) {
        long long id;
        if (parse_id(argv[2], &id) < 0) {
            fprintf(stderr, "fleetgw device remove: bad ID '%s'\n", argv[2]);
            return GW_EXIT_USAGE;
        }
        return gw_ctl_request_status(
            o, json_pack("{s:s, s:I}", "cmd", "device.remove", "id", (json_int_t)id));
    }
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        device_usage(stdout);
        return GW_EXIT_OK;
    }
    device_usage(stderr);
    return GW_EXIT_USAGE;
}

/* --- status, audit --- */

/* Prints a status value as text, one "key value" line per scalar: strings without JSON
 * quotes, null as "-", nested objects as "key.member", arrays of scalars joined by ", ". */
static void print_text(const char *prefix, json_t *v)
{
    char key[128];
    const char *k;
    json_t *m;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, k, m)
        {
            snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", k);
            print_text(key, m);
        }
        return;
    }
    printf("%-28s ", prefix);
    if (json_is_array(v)) {
        bool scalars = true;
        json_array_foreach(v, i, m) scalars &= !json_is_object(m) && !json_is_array(m);
        if (!scalars) {
            putchar('\n');
            json_array_foreach(v, i, m)
            {
                snprintf(key, sizeof key, "%s[%zu]", prefix, i);
                print_text(key, m);
            }
            return;
        }
        if (json_array_size(v) == 0)
            fputs("-", stdout);
        json_array_foreach(v, i, m)
        {
            if (i)
                fputs(", ", stdout);
            if (json_is_string(m))
                fputs(json_string_value(m), stdout);
            else {
                char *s = json_dumps(m, JSON_COMPACT | JSON_ENCODE_ANY);
                fputs(s ? s : "?", stdout);
                free(s);
            }
        }
        putchar('\n');
        return;
    }
    if (json_is_string(v))
        printf("%s\n", json_string_value(v));
    else if (json_is_null(v))
        printf("-\n");
    else {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        printf("%s\n", s ? s : "?");
        free(s);
    }
}

int gw_cmd_status(const struct gw_opts *o, int argc, char **argv)
{
    bool as_json = argc > 1 && strcmp(argv[1], "--json") == 0;
    struct gw_cfg cfg;
    json_t *req, *r;
    int err = 0;
    if (argc > 1 && !as_json) {
        printf("usage: fleetgw status [--json]\n");
        return strcmp(argv[1], "--help") == 0 ? GW_EXIT_OK : GW_EXIT_USAGE;
    }
    if (gw_app_load_cfg(o, &cfg, NULL) < 0)
        return GW_EXIT_FAIL;
    req = json_pack("{s:s}", "cmd", "status");
    r = gw_ctl_call(&cfg, req, &err);
    json_decref(req);
    if (!r) {
        /* Say where we looked: a daemon started with another -c listens elsewhere. */
        char sock[512];
        gw_cfg_control_socket(&cfg, sock, sizeof sock);
        if (as_json) {
            json_t *j = json_pack("{s:b, s:s, s:s}", "running", false, "error", gw_strerror(err),
                                  "socket", sock);
            print_json(j);
            json_decref(j);
        }
        fprintf(stderr, "fleetgw: no daemon answers on the control socket %s: %s\n", sock,
                gw_strerror(err));
        if (!o->config_path)
            fprintf(stderr,
                    "fleetgw: that socket comes from %s%s; for a daemon started with "
                    "another configuration, give it with -c CONFIG\n",
                    GW_DEFAULT_CONFIG, cfg.path[0] ? "" : " (absent: the defaults)");
        return GW_EXIT_FAIL;
    }
    json_object_del(r, "ok");
    gw_webui_status(&cfg, r);
    if (as_json)
        print_json(r);
    else
        print_text("", r);
    json_decref(r);
    return GW_EXIT_OK;
}

int gw_cmd_audit(const struct gw_opts *o, int argc, char **argv)
{
    struct gw_app app = {0};
    struct gw_errbuf eb = {""};
    int rc;
    if (argc != 2 || strcmp(argv[1], "verify") != 0) {
        fprintf(argc == 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr,
                "usage: fleetgw audit verify\n"
                "Checks the hash chain of the audit log; exit 0 when intact.\n");
        return argc == 2 && strcmp(argv[1], "--help") == 0 ? GW_EXIT_OK : GW_EXIT_USAGE;
    }
    if (gw_app_open(o, &app) < 0)
        return GW_EXIT_FAIL;
    rc = gw_audit_verify(app.db, &eb);
    gw_app_close_store(&app);
    if (rc) {
        fprintf(stderr, "fleetgw: audit log: %s\n", eb.msg[0] ? eb.msg : gw_strerror(rc));
        return GW_EXIT_FAIL;
    }
    printf("audit log intact\n");
    return GW_EXIT_OK;
}
