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
/* Key/value settings (runtime state, not configuration). buf gets "" when absent (returns
 * GW_E_NOTFOUND). */
int gw_setting_get(struct gw_db *db, const char *key, char *buf, size_t len);
int gw_setting_set(struct gw_db *db, const char *key, const char *value);

#endif
