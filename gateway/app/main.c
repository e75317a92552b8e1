/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * fleetgw entry point: global options, then either the daemon (no subcommand) or one of the
 * administrative subcommands. Global options come before the subcommand because subcommands
 * reuse net-snmp's short flags (`probe -c COMMUNITY`).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gateway/app/cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: fleetgw [-f] [-c CONFIG] [--state-dir DIR] [-t | -T]\n"
            "       fleetgw [-c CONFIG] [--state-dir DIR] COMMAND [ARGS]\n"
            "\n"
            "Without a command, runs the gateway daemon in the foreground.\n"
            "  -c, --config PATH   configuration file (default /etc/fleetgw/fleetgw.conf)\n"
            "      --state-dir DIR state directory (default from the config, /var/lib/fleetgw)\n"
            "  -f, --foreground    accepted for compatibility; the daemon never forks\n"
            "  -t                  check the configuration and exit\n"
            "  -T                  print the effective configuration (secrets redacted)\n"
            "  -V, --version       print the version\n"
            "\n"
            "Commands:\n"
            "  init [--admin-password-file F]  create the state dir, secrets key, database\n"
            "                            and the web UI administrator\n"
            "  probe [OPTS] HOST[:PORT]  poll one device now and print what it reports\n"
            "  credential add|list|remove  manage SNMP credential sets\n"
            "  device add|import|list|show|remove  manage the device registry\n"
            "  discover run --target SPEC  sweep addresses for SNMP printers\n"
            "  status [--json]           state of the running daemon\n"
            "  audit verify              check the audit log\n"
            "  register --url URL --access-code CODE  register with the cloud\n"
            "  unregister                end the cloud registration, wipe the token\n"
            "  mode manage [--until T] | monitor  the cloud connection mode\n"
            "  admin unlock|reset-password  recover web UI access (root only)\n"
            "\n"
            "Each command has --help.\n");
}

/* Returns: whether a command's arguments ask for help ("--help" or "-h" before any "--"). The
 * answer is the command's usage, printed before any configuration, state directory or database
 * is opened, so that it works before `fleetgw init` and whatever the other arguments are. */
static bool wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return false;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    }
    return false;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"state-dir", required_argument, NULL, 'S'},
        {"foreground", no_argument, NULL, 'f'},   {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    struct gw_opts o = {0};
    bool check = false, dump = false;
    int c;

    gw_log_init("fleetgw");
    /* '+' stops at the first non-option: the subcommand and its own flags follow. */
    while ((c = getopt_long(argc, argv, "+c:fhtTV", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            o.config_path = optarg;
            break;
        case 'S':
            o.state_dir = optarg;
            break;
        case 'f':
            o.foreground = true;
            break;
        case 't':
            check = true;
            break;
        case 'T':
            dump = true;
            break;
        case 'V':
            printf("fleetgw %s\n", PACKAGE_VERSION);
            return GW_EXIT_OK;
        case 'h':
            usage(stdout);
            return GW_EXIT_OK;
        default:
            usage(stderr);
            return GW_EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return gw_cmd_daemon(&o, check, dump);

    const char *cmd = argv[optind];
    int sargc = argc - optind;
    char **sargv = argv + optind;
    /* `fleetgw device add --help` and the like: every command prints its usage for
     * `COMMAND --help` without touching the state (each command's usage names its subcommands). */
    char help_flag[] = "--help";
    char *help_argv[] = {argv[optind], help_flag, NULL};
    if (sargc > 1 && wants_help(sargc, sargv)) {
        sargc = 2;
        sargv = help_argv;
    }
    /* Each subcommand runs its own getopt over sargv; 0 makes GNU getopt start afresh. Only
     * warnings and errors are logged: a command's output is its answer, not a log. */
    optind = 0;
    gw_log_set_level(LOG_WARNING);
    if (strcmp(cmd, "probe") == 0)
        return gw_cmd_probe(&o, sargc, sargv);
    if (strcmp(cmd, "init") == 0)
        return gw_cmd_init(&o, sargc, sargv);
    if (strcmp(cmd, "device") == 0)
        return gw_cmd_device(&o, sargc, sargv);
    if (strcmp(cmd, "credential") == 0)
        return gw_cmd_credential(&o, sargc, sargv);
    if (strcmp(cmd, "status") == 0)
        return gw_cmd_status(&o, sargc, sargv);
    if (strcmp(cmd, "audit") == 0)
        return gw_cmd_audit(&o, sargc, sargv);
    if (strcmp(cmd, "discover") == 0)
        return gw_cmd_discover(&o, sargc, sargv);
    if (strcmp(cmd, "admin") == 0)
        return gw_cmd_admin(&o, sargc, sargv);
    if (strcmp(cmd, "register") == 0)
        return gw_cmd_register(&o, sargc, sargv);
    if (strcmp(cmd, "unregister") == 0)
        return gw_cmd_unregister(&o, sargc, sargv);
    if (strcmp(cmd, "mode") == 0)
        return gw_cmd_mode(&o, sargc, sargv);
    if (strcmp(cmd, "anonymize") == 0)
        return gw_cmd_anonymize(&o, sargc, sargv);
    if (strcmp(cmd, "help") == 0) {
        usage(stdout);
        return GW_EXIT_OK;
    }
    fprintf(stderr, "fleetgw: unknown command '%s'\n", cmd);
    usage(stderr);
    return GW_EXIT_USAGE;
}
