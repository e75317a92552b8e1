/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The web UI's tables (ui_users, ui_sessions, ui_settings) and their migrations. At the bottom
 * of the account files: the daemon migrates at start (auth.c), the CLI before it writes an
 * account without a daemon (users.c).
 */
#include "config.h"

#include "webui/ui_int.h"

static const struct gw_db_migration ui_migrations[] = {
    {1, "CREATE TABLE ui_users ("
        "  id INTEGER PRIMARY KEY,"
        "  name TEXT NOT NULL UNIQUE,"
        "  role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),"
        "  hash TEXT NOT NULL,"
        "  pw_changed INTEGER NOT NULL,"
        "  must_change INTEGER NOT NULL DEFAULT 0,"
        "  failed INTEGER NOT NULL DEFAULT 0,"
        "  locked_until INTEGER NOT NULL DEFAULT 0,"
        "  last_login INTEGER,"
        "  created INTEGER NOT NULL"
        ");"
        /* Only the SHA-256 of a session token is stored. */
        "CREATE TABLE ui_sessions ("
        "  token_hash TEXT PRIMARY KEY,"
        "  user_id INTEGER NOT NULL REFERENCES ui_users(id) ON DELETE CASCADE,"
        "  csrf TEXT NOT NULL,"
        "  created INTEGER NOT NULL,"
        "  last_seen INTEGER NOT NULL,"
        "  must_change INTEGER NOT NULL DEFAULT 0,"
        "  source TEXT NOT NULL DEFAULT ''"
        ") WITHOUT ROWID;"
        "CREATE INDEX ui_sessions_user ON ui_sessions(user_id);"
        /* Security settings an administrator changed on the settings page. */
        "CREATE TABLE ui_settings ("
        "  key TEXT PRIMARY KEY,"
        "  value INTEGER NOT NULL"
        ") WITHOUT ROWID;"},
    /* The devices page sorts by name by default; with 10,000 devices a sort per request costs
     * milliseconds on the loop, the index a few hundred microseconds. The index serves only
     * this module's query (gw_query_devices), so it is created with the module's tables. */
    {2, "CREATE INDEX IF NOT EXISTS ui_devices_name ON devices(name COLLATE NOCASE);"},
};

int ui_db_migrate(struct gw_db *db, struct gw_errbuf *eb)
{
    return gw_db_migrate_module(db, "ui", ui_migrations,
                                sizeof ui_migrations / sizeof ui_migrations[0], eb);
}
