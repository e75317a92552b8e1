/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of the gateway library, one theme of it:
 * the sqlite store: connection, migrations, transactions, settings.
 * Part of the umbrella "gateway/gw.h", which is what other modules include; the themed
 * headers only keep each concern in a file of its own. Conventions as in gw.h.
 */
#ifndef GW_DB_H
#define GW_DB_H

#include <stddef.h>

#include "gateway/gw_err.h"

/* ---------------------------------------------------------------------------------------------
 * Store: one sqlite connection (WAL) per process, versioned migrations.
 */
struct gw_db;
struct sqlite3;
/* Opens (creating) the database and applies pending migrations in one transaction each.
 * Returns: 0, GW_E_DB, GW_E_SCHEMA (file is from a newer fleetgw). */
int gw_db_open(const char *path, struct gw_db **out, struct gw_errbuf *eb);
void gw_db_close(struct gw_db *db);
/* Returns: the schema version the database is at. */
int gw_db_schema_version(struct gw_db *db);
/* Returns: the latest schema version this program knows. */
int gw_db_schema_latest(void);
/* Returns: the raw handle, for module-owned tables; borrowed, valid until gw_db_close(). */
struct sqlite3 *gw_db_handle(struct gw_db *db);
/* Schema steps of a module that owns tables of its own (named "<module>_..."), so modules
 * evolve their tables without editing the gateway's list. Versions start at 1 and only grow;
 * never edit a step that has shipped. */
struct gw_db_migration {
    int version;
    const char *sql;
};
/* Applies the steps above the module's recorded version (settings key "schema.<module>"), each
 * in its own transaction. Returns: 0, GW_E_DB, GW_E_SCHEMA (the database has a newer version of
 * the module's tables than this program knows). */
int gw_db_migrate_module(struct gw_db *db, const char *module, const struct gw_db_migration *steps,
                         size_t n, struct gw_errbuf *eb);
int gw_db_begin(struct gw_db *db);
int gw_db_commit(struct gw_db *db);
void gw_db_rollback(struct gw_db *db);

/* The sqlite helpers of every module, for the tables it owns (its own migrations): SQL that
 * reads or writes another module's tables goes through that module's functions instead
 * (tools/checksrc.sh checks it). They map SQLITE_* codes to GW_E_* and log the sqlite message
 * the same way everywhere, at the module edge (STYLE.md §3). sqlite3.h declares the statement
 * type; callers bind other types and read columns with sqlite's own calls. */
struct sqlite3_stmt;
/* Prepares sql [in] on db's connection. Logs the sqlite message with the start of the SQL.
 * Returns: 0 or GW_E_DB (*st [out] is then NULL). Caller finalizes *st (sqlite3_finalize()). */
int gw_db_prepare(struct gw_db *db, const char *sql, struct sqlite3_stmt **st);
/* Runs one or more statements without results. Returns: 0 or GW_E_DB (logged). */
int gw_db_exec(struct gw_db *db, const char *sql);
/* Logs a failed sqlite call (what names it) with the connection's message.
 * Returns: GW_E_DB, or GW_E_EXISTS for a UNIQUE/PRIMARY KEY constraint violation (not logged). */
int gw_db_fail(struct gw_db *db, int sqlite_rc, const char *what);
/* Steps st once. Returns: 1 with a row to read, 0 when done, GW_E_EXISTS, GW_E_DB (logged,
 * naming what). */
int gw_db_step(struct gw_db *db, struct sqlite3_stmt *st, const char *what);
/* Steps a statement that returns no row (a row counts as done too).
 * Returns: 0, GW_E_EXISTS, GW_E_DB. */
int gw_db_step_done(struct gw_db *db, struct sqlite3_stmt *st, const char *what);
/* Steps st once and finalizes it (takes ownership, also on failure). A NULL st (its prepare
 * failed and was logged) gives GW_E_DB, so `gw_db_prepare(); bind; gw_db_run()` needs one
 * check. Returns: 0, GW_E_EXISTS, GW_E_DB. */
int gw_db_run(struct gw_db *db, struct sqlite3_stmt *st, const char *what);
/* Returns: the rows changed by the connection's last INSERT, UPDATE or DELETE. */
int gw_db_changes(struct gw_db *db);
/* Binds s [in] (copied) at idx, or NULL for a NULL pointer. Returns: the sqlite code. */
int gw_db_bind_text(struct sqlite3_stmt *st, int idx, const char *s);
/* Returns: column col as text, "" for NULL; borrowed, dies at the next step, reset or
 * finalize of st. */
const char *gw_db_column_text(struct sqlite3_stmt *st, int col);
/* Copies column col as text into buf (truncated, "" for NULL): what a caller keeps past the
 * next step. */
void gw_db_column_copy(struct sqlite3_stmt *st, int col, char *buf, size_t len);
/* Key/value settings (runtime state, not configuration). buf gets "" when absent (returns
 * GW_E_NOTFOUND). */
int gw_setting_get(struct gw_db *db, const char *key, char *buf, size_t len);
int gw_setting_set(struct gw_db *db, const char *key, const char *value);

#endif
