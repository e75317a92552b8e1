/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Subcommands of the fleetgw program. The program (main.c, cmd_*.c, daemon.c, ctl.c,
 * poller.c) is the composition root: the only code that includes every module's header.
 * Each gw_cmd_* takes the arguments after the subcommand name (argv[0] is the subcommand) and
 * returns the process exit status.
 */
#ifndef GW_CLI_H
#define GW_CLI_H

#include "gateway/gw.h"

/* Exit statuses shared by all subcommands. */
#define GW_EXIT_OK        0
#define GW_EXIT_FAIL      1
#define GW_EXIT_USAGE     2
#define GW_EXIT_NORESPONSE 3
#define GW_EXIT_AUTH      4
#define GW_EXIT_SNMPERR   5

int gw_cmd_probe(int argc, char **argv);

/* Reads a secret: from the file path when given (first line, trailing newline dropped), else
 * from the terminal with echo off (prompt on stderr), else (stdin not a terminal) the first line
 * of stdin. Returns: a heap string the caller frees with gw_free_secret_str(), or NULL with a
 * message printed. */
char *gw_cli_read_secret(const char *file, const char *prompt);

#endif
