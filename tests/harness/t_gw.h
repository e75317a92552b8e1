/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * t_gw: the state directory the gateway unit tests share. One call makes a fresh directory
 * /tmp/fleetgw-<tag>-XXXXXX and, on request, opens a vault (new key secrets.key) and the
 * database fleetgw.db in it; one call closes both and removes the directory. Two cmocka
 * assertions on the database: a statement that must run and a number read back.
 */
#ifndef T_GW_H
#define T_GW_H

#include <stddef.h>

struct gw_db;
struct gw_vault;

/* Makes the directory into dir (dirsz bytes, 64 are plenty). If v is not NULL, writes a new
 * vault key and opens it into *v; if db is not NULL, opens the database into *db. Returns 0,
 * or -1 with nothing to undo but what t_gw_close() undoes. */
int t_gw_open(char *dir, size_t dirsz, const char *tag, struct gw_db **db, struct gw_vault **v);

/* Closes db and frees v (either may be NULL), then removes dir. Returns 0, or -1 if the
 * directory could not be removed. */
int t_gw_close(const char *dir, struct gw_db *db, struct gw_vault *v);

/* Runs sql (any number of statements) on db's connection as it is; fails the test on an error. */
void t_gw_exec(struct gw_db *db, const char *sql);
/* Returns: the first column of the first row of sql as a number, -1 when there is no row. */
long long t_gw_query_int(struct gw_db *db, const char *sql);

#endif
