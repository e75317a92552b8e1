/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Declarations shared between the gateway library's own files; not for other modules.
 *
 * The store is split over db.c (connection, migrations, transactions, settings), store.c
 * (credentials, devices, poll results, events) and audit.c (hash-chained audit log). They share
 * the small sqlite helpers below so that every file maps SQLITE_* codes to GW_E_DB and logs the
 * sqlite message the same way, at the module edge, as STYLE.md §3 asks.
 */
#ifndef GW_INT_H
#define GW_INT_H

#include <sqlite3.h>

#include "gateway/gw.h"

/* Schema version 1 table names, used as the vault's associated data for sealed columns. */
#define GW__TBL_CREDENTIALS "credentials"

/* Prepares sql on db's connection. Logs the sqlite message on failure.
 * Returns: 0 or GW_E_DB (*st is then NULL). Caller finalizes *st. */
int gw__db_prepare(struct gw_db *db, const char *sql, sqlite3_stmt **st);
/* Runs one or more statements without results. Returns: 0 or GW_E_DB (logged). */
int gw__db_exec(struct gw_db *db, const char *sql);
/* Logs a failed sqlite call (what names it) with the connection's message.
 * Returns: GW_E_DB, or GW_E_EXISTS for a UNIQUE/PRIMARY KEY constraint violation. */
int gw__db_fail(struct gw_db *db, int sqlite_rc, const char *what);
/* Steps a statement that returns no row. Returns: 0, GW_E_EXISTS, GW_E_DB. */
int gw__db_step_done(struct gw_db *db, sqlite3_stmt *st, const char *what);

/* Binds text, binding NULL for a NULL pointer. Returns: the sqlite code. */
int gw__bind_text(sqlite3_stmt *st, int idx, const char *s);
/* Copies column col as text into buf (truncated, "" for NULL). The sqlite pointer dies at the
 * next step, reset or finalize, so callers keep only the copy. */
void gw__column_copy(sqlite3_stmt *st, int col, char *buf, size_t len);

#endif
