/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The sqlite connection and the schema. There is exactly one connection per process: Debian's
 * sqlite 3.40 has the WAL-reset race that needs two connections to strike, and one connection
 * on the loop thread needs no locking (hence SQLITE_OPEN_NOMUTEX). WAL with synchronous=NORMAL
 * survives a crash of the process with every commit; a power loss may roll back the last
 * commits but never corrupts the file.
 *
 * The schema is a list of migrations, each a block of SQL applied in its own BEGIN IMMEDIATE
 * transaction together with the new PRAGMA user_version, so a crash leaves the database at one
 * version or the next and never between. A database whose version is newer than this program
 * knows is refused rather than used: an older binary cannot know what a newer schema means.
 *
 * Transactions nest: the outermost gw_db_begin() is BEGIN IMMEDIATE (a write transaction from
 * the start, so it never fails half-way with SQLITE_BUSY on a read-to-write upgrade), inner
 * ones are savepoints. That lets store functions that are atomic on their own (a credential
 * add, an audit record) also run inside a caller's larger transaction.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/gw_int.h"

/* "FLGW": marks the file as ours so a stray sqlite file is not migrated into a fleetgw one. */
#define GW_DB_APPLICATION_ID 0x464c4757

struct gw_db {
    sqlite3 *h;
    int depth; /* open gw_db_begin() levels */
};

struct migration {
    int version;
    const char *sql;
};

/* Append new migrations at the end; never edit one that has shipped. Counter values are
 * unsigned 64-bit in the program and stored bit-for-bit in sqlite's signed INTEGER. */
static const struct migration migrations[] = {
    {1, "CREATE TABLE settings ("
        "  key TEXT PRIMARY KEY,"
        "  value TEXT NOT NULL"
        ") WITHOUT ROWID;"

        /* SNMP credential sets. community, auth_pass and priv_pass hold vault records (never
         * plaintext), sealed to their own table, column and row id. */
        "CREATE TABLE credentials ("
        "  id INTEGER PRIMARY KEY,"
        "  name TEXT NOT NULL UNIQUE,"
        "  version INTEGER NOT NULL CHECK (version IN (1, 2, 3)),"
        "  sec_name TEXT NOT NULL DEFAULT '',"
        "  sec_level INTEGER NOT NULL DEFAULT 0,"
        "  auth_proto TEXT NOT NULL DEFAULT '',"
        "  priv_proto TEXT NOT NULL DEFAULT '',"
        "  context TEXT NOT NULL DEFAULT '',"
        "  community BLOB,"
        "  auth_pass BLOB,"
        "  priv_pass BLOB,"
        "  created INTEGER NOT NULL"
        ");"

        "CREATE TABLE devices ("
        "  id INTEGER PRIMARY KEY,"
        "  name TEXT NOT NULL DEFAULT '',"
        "  address TEXT NOT NULL,"
        "  port INTEGER NOT NULL DEFAULT 161 CHECK (port BETWEEN 1 AND 65535),"
        "  credential_id INTEGER NOT NULL REFERENCES credentials(id),"
        "  priority TEXT NOT NULL DEFAULT 'high' CHECK (priority IN ('high', 'middle', 'low')),"
        "  priority_pinned INTEGER NOT NULL DEFAULT 0,"
        "  status TEXT NOT NULL DEFAULT 'new',"
        "  vendor TEXT NOT NULL DEFAULT '',"
        "  model TEXT NOT NULL DEFAULT '',"
        "  serial TEXT NOT NULL DEFAULT '',"
        "  mac TEXT NOT NULL DEFAULT '',"
        "  engine_id TEXT NOT NULL DEFAULT '',"
        "  sys_object_id TEXT NOT NULL DEFAULT '',"
        "  sys_descr TEXT NOT NULL DEFAULT '',"
        "  sys_name TEXT NOT NULL DEFAULT '',"
        "  sys_location TEXT NOT NULL DEFAULT '',"
        "  firmware TEXT NOT NULL DEFAULT '',"
        "  last_seen INTEGER,"
        "  last_poll INTEGER,"
        "  page_count_total INTEGER,"
        "  created INTEGER NOT NULL,"
        "  UNIQUE (address, port)"
        ");"
        "CREATE INDEX devices_credential ON devices(credential_id);"
        "CREATE INDEX devices_serial ON devices(serial, mac);"

        /* Meter history: a row when a value changed, at most one per counter and hour (see
         * store.c), so an idle counter costs nothing and a busy one 24 rows a day. */
        "CREATE TABLE counter_readings ("
        "  device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,"
        "  ts INTEGER NOT NULL,"
        "  name TEXT NOT NULL,"
        "  oid TEXT NOT NULL,"
        "  value INTEGER NOT NULL"
        ");"
        "CREATE INDEX counter_readings_device ON counter_readings(device_id, name, ts);"
        "CREATE INDEX counter_readings_ts ON counter_readings(ts);"

        /* The current meter per counter. reading_ts and reading_value describe the newest
         * history row, regressed is set while the device reports less than the meter (one
         * event per regression, not one per poll). */
        "CREATE TABLE counters_latest ("
        "  device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,"
        "  name TEXT NOT NULL,"
        "  oid TEXT NOT NULL,"
        "  value INTEGER NOT NULL,"
        "  ts INTEGER NOT NULL,"
        "  reading_ts INTEGER NOT NULL,"
        "  reading_value INTEGER NOT NULL,"
        "  regressed INTEGER NOT NULL DEFAULT 0,"
        "  PRIMARY KEY (device_id, name)"
        ") WITHOUT ROWID;"

        "CREATE TABLE supplies ("
        "  device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,"
        "  type TEXT NOT NULL,"
        "  idx INTEGER NOT NULL,"
        "  color TEXT NOT NULL DEFAULT '',"
        "  description TEXT NOT NULL DEFAULT '',"
        "  level_raw INTEGER NOT NULL,"
        "  max_capacity INTEGER NOT NULL,"
        "  percent INTEGER NOT NULL,"
        "  state TEXT NOT NULL,"
        "  ts INTEGER NOT NULL,"
        "  PRIMARY KEY (device_id, type, idx)"
        ") WITHOUT ROWID;"

        /* Printer-MIB alerts; an alert that disappears from the device stays as inactive
         * history. "group" is quoted because it is an SQL keyword. */
        "CREATE TABLE alerts ("
        "  id INTEGER PRIMARY KEY,"
        "  device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,"
        "  idx INTEGER NOT NULL,"
        "  severity INTEGER NOT NULL,"
        "  \"group\" INTEGER NOT NULL,"
        "  group_index INTEGER NOT NULL DEFAULT 0,"
        "  location INTEGER NOT NULL DEFAULT 0,"
        "  code INTEGER NOT NULL,"
        "  training INTEGER NOT NULL DEFAULT 0,"
        "  description TEXT NOT NULL DEFAULT '',"
        "  first_seen INTEGER NOT NULL,"
        "  last_seen INTEGER NOT NULL,"
        "  active INTEGER NOT NULL DEFAULT 1"
        ");"
        "CREATE INDEX alerts_device ON alerts(device_id, active);"
        "CREATE INDEX alerts_last_seen ON alerts(last_seen) WHERE active = 0;"

        "CREATE TABLE events ("
        "  id INTEGER PRIMARY KEY,"
        "  device_id INTEGER REFERENCES devices(id) ON DELETE CASCADE,"
        "  ts INTEGER NOT NULL,"
        "  kind TEXT NOT NULL,"
        "  detail TEXT"
        ");"
        "CREATE INDEX events_device ON events(device_id, ts);"
        "CREATE INDEX events_ts ON events(ts);"

        /* AUTOINCREMENT so an id is never reused after the newest record is deleted: the chain
         * names records by id. */
        "CREATE TABLE audit ("
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
        "  ts INTEGER NOT NULL,"
        "  user TEXT NOT NULL,"
        "  source TEXT NOT NULL,"
        "  action TEXT NOT NULL,"
        "  result TEXT NOT NULL,"
        "  detail TEXT,"
        "  prev_hash TEXT NOT NULL,"
        "  hash TEXT NOT NULL"
        ");"},
    /* Scheduling state (priority scheduler): the activity rating and when it was computed,
     * and when counters were last read, so a restart keeps each device's cadence instead of
     * polling everything at once. New and existing devices start at the "new device" rating
     * (GW_ACTIVITY_NEW), i.e. high priority. */
    {2, "ALTER TABLE devices ADD COLUMN activity REAL NOT NULL DEFAULT 200.0;"
        "ALTER TABLE devices ADD COLUMN activity_ts INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE devices ADD COLUMN last_counter_poll INTEGER;"},
    /* The WS-Discovery endpoint UUID ("urn:uuid:..."), a secondary identity key next to the
     * engine ID: discovery matches a device found through WSD by it. */
    {3, "ALTER TABLE devices ADD COLUMN wsd_uuid TEXT NOT NULL DEFAULT '';"
        "CREATE INDEX devices_wsd_uuid ON devices(wsd_uuid);"},
    /* How the poller reaches a device: SNMP with its credential set, or WS-Print over the
     * WSD XAddrs discovery matched (a printer that answers only WS-Discovery). */
    {4, "ALTER TABLE devices ADD COLUMN transport TEXT NOT NULL DEFAULT 'snmp' "
        "CHECK (transport IN ('snmp', 'wsd'));"
        "ALTER TABLE devices ADD COLUMN wsd_xaddrs TEXT NOT NULL DEFAULT '';"},
    /* Input trays (prtInputTable) were stored as supplies of type 'input', under the same
     * index numbers as the marker supplies. They get their own table; the rows move there
     * (their one text column was prtInputName, else prtInputDescription) and leave supplies,
     * so every count of supplies running low counts marker supplies only. A tray is never
     * "low": such a state becomes "ok". -1 is "not read" for status. */
    {5, "CREATE TABLE trays ("
        "  device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,"
        "  idx INTEGER NOT NULL,"
        "  type TEXT NOT NULL DEFAULT '',"
        "  name TEXT NOT NULL DEFAULT '',"
        "  description TEXT NOT NULL DEFAULT '',"
        "  media_name TEXT NOT NULL DEFAULT '',"
        "  media_type TEXT NOT NULL DEFAULT '',"
        "  dim_unit TEXT NOT NULL DEFAULT '',"
        "  media_feed INTEGER NOT NULL DEFAULT -2,"
        "  media_xfeed INTEGER NOT NULL DEFAULT -2,"
        "  capacity_unit TEXT NOT NULL DEFAULT '',"
        "  max_capacity INTEGER NOT NULL,"
        "  level_raw INTEGER NOT NULL,"
        "  percent INTEGER NOT NULL,"
        "  state TEXT NOT NULL,"
        "  status INTEGER NOT NULL DEFAULT -1,"
        "  ts INTEGER NOT NULL,"
        "  PRIMARY KEY (device_id, idx)"
        ") WITHOUT ROWID;"
        "INSERT OR REPLACE INTO trays (device_id, idx, name, max_capacity, level_raw, percent, "
        "  state, ts) "
        "SELECT device_id, idx, description, max_capacity, level_raw, percent, "
        "  CASE state WHEN 'low' THEN 'ok' ELSE state END, ts "
        "FROM supplies WHERE type = 'input';"
        "DELETE FROM supplies WHERE type = 'input';"},
};

#define N_MIGRATIONS (sizeof migrations / sizeof migrations[0])

int gw_db_schema_latest(void)
{
    return migrations[N_MIGRATIONS - 1].version;
}

int gw_db_fail(struct gw_db *db, int sqlite_rc, const char *what)
{
    int primary = sqlite_rc & 0xff;
    if (sqlite_rc == SQLITE_CONSTRAINT_UNIQUE || sqlite_rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return GW_E_EXISTS;
    gw_log_err(DB, "%s failed: %s (%s)", what, db && db->h ? sqlite3_errmsg(db->h) : "-",
               sqlite3_errstr(primary));
    return GW_E_DB;
}

int gw_db_prepare(struct gw_db *db, const char *sql, sqlite3_stmt **st)
{
    int rc = sqlite3_prepare_v2(db->h, sql, -1, st, NULL);
    if (rc != SQLITE_OK) {
        *st = NULL;
        gw_log_err(DB, "prepare failed: %s sql=\"%.60s\"", sqlite3_errmsg(db->h), sql);
        return GW_E_DB;
    }
    return 0;
}

int gw_db_exec(struct gw_db *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        gw_log_err(DB, "exec failed: %s sql=\"%.60s\"", msg ? msg : sqlite3_errstr(rc), sql);
        sqlite3_free(msg);
        return GW_E_DB;
    }
    return 0;
}

int gw_db_step_done(struct gw_db *db, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return 0;
    return gw_db_fail(db, sqlite3_extended_errcode(db->h), what);
}

int gw_db_step(struct gw_db *db, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return gw_db_fail(db, sqlite3_extended_errcode(db->h), what);
}

int gw_db_run(struct gw_db *db, sqlite3_stmt *st, const char *what)
{
    int rc;
    if (!st)
        return GW_E_DB;
    rc = gw_db_step_done(db, st, what);
    sqlite3_finalize(st);
    return rc;
}

int gw_db_changes(struct gw_db *db)
{
    return sqlite3_changes(db->h);
}

int gw_db_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
    if (!s)
        return sqlite3_bind_null(st, idx);
    return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

const char *gw_db_column_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? (const char *)t : "";
}

void gw_db_column_copy(sqlite3_stmt *st, int col, char *buf, size_t len)
{
    gw_strlcpy(buf, gw_db_column_text(st, col), len);
}

/* Returns: the integer a one-row, one-column pragma or query yields, or -1. */
static long long query_int(struct gw_db *db, const char *sql)
{
    sqlite3_stmt *st;
    long long v = -1;
    if (gw_db_prepare(db, sql, &st) < 0)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

int gw_db_schema_version(struct gw_db *db)
{
    return (int)query_int(db, "PRAGMA user_version");
}

struct sqlite3 *gw_db_handle(struct gw_db *db)
{
    return db->h;
}

int gw_db_begin(struct gw_db *db)
{
    char sql[40];
    int rc;
    if (db->depth == 0) {
        rc = gw_db_exec(db, "BEGIN IMMEDIATE");
    } else {
        snprintf(sql, sizeof sql, "SAVEPOINT gw_sp%d", db->depth);
        rc = gw_db_exec(db, sql);
    }
    if (rc == 0)
        db->depth++;
    return rc;
}

int gw_db_commit(struct gw_db *db)
{
    char sql[40];
    int rc;
    GW_ASSERT(db->depth > 0);
    if (db->depth == 1) {
        rc = gw_db_exec(db, "COMMIT");
    } else {
        snprintf(sql, sizeof sql, "RELEASE gw_sp%d", db->depth - 1);
        rc = gw_db_exec(db, sql);
    }
    /* A failed COMMIT leaves the transaction open (SQLITE_BUSY) or already rolled back; either
     * way the caller's gw_db_rollback() closes this level. */
    if (rc == 0)
        db->depth--;
    return rc;
}

void gw_db_rollback(struct gw_db *db)
{
    char sql[80];
    GW_ASSERT(db->depth > 0);
    /* Some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM) make sqlite roll back the whole
     * transaction by itself; then there is nothing left to undo at any level. */
    if (!sqlite3_get_autocommit(db->h)) {
        if (db->depth == 1) {
            gw_db_exec(db, "ROLLBACK");
        } else {
            snprintf(sql, sizeof sql, "ROLLBACK TO gw_sp%d; RELEASE gw_sp%d", db->depth - 1,
                     db->depth - 1);
            gw_db_exec(db, sql);
        }
    }
    db->depth--;
}

static int migrate(struct gw_db *db, const char *path, struct gw_errbuf *eb)
{
    for (size_t i = 0; i < N_MIGRATIONS; i++) {
        const struct migration *m = &migrations[i];
        char sql[64];
        int rc;
        if (gw_db_begin(db) < 0)
            return gw_errbuf_set(eb, GW_E_DB, "%s: cannot start a transaction: %s", path,
                                 sqlite3_errmsg(db->h));
        /* Read the version inside the write transaction: another process (the CLI while the
         * daemon starts) may have migrated in the meantime. */
        if (gw_db_schema_version(db) >= m->version) {
            gw_db_rollback(db);
            continue;
        }
        rc = gw_db_exec(db, m->sql);
        if (rc == 0 && m->version == 1) {
            snprintf(sql, sizeof sql, "PRAGMA application_id = %d", GW_DB_APPLICATION_ID);
            rc = gw_db_exec(db, sql);
        }
        if (rc == 0) {
            snprintf(sql, sizeof sql, "PRAGMA user_version = %d", m->version);
            rc = gw_db_exec(db, sql);
        }
        if (rc == 0)
            rc = gw_db_commit(db);
        if (rc < 0) {
            gw_errbuf_set(eb, GW_E_DB, "%s: migration to schema version %d failed: %s", path,
                          m->version, sqlite3_errmsg(db->h));
            gw_db_rollback(db);
            return GW_E_DB;
        }
        gw_log_info(DB, "database migrated path=%s schema_version=%d", path, m->version);
    }
    return 0;
}

/* Refuses files that are not ours or come from a newer fleetgw, before anything is written. */
static int check_schema(struct gw_db *db, const char *path, struct gw_errbuf *eb)
{
    long long ver = query_int(db, "PRAGMA user_version");
    long long app = query_int(db, "PRAGMA application_id");
    if (ver < 0 || app < 0)
        return gw_errbuf_set(eb, GW_E_DB, "%s: cannot read the schema version: %s", path,
                             sqlite3_errmsg(db->h));
    if (app != GW_DB_APPLICATION_ID && (app != 0 || ver != 0))
        return gw_errbuf_set(eb, GW_E_SCHEMA,
                             "%s is not a fleetgw database (application_id %lld, user_version "
                             "%lld)",
                             path, app, ver);
    if (ver > gw_db_schema_latest())
        return gw_errbuf_set(eb, GW_E_SCHEMA,
                             "%s has schema version %lld but this fleetgw knows versions up to "
                             "%d; run the newer fleetgw or restore a backup",
                             path, ver, gw_db_schema_latest());
    return 0;
}

int gw_db_open(const char *path, struct gw_db **out, struct gw_errbuf *eb)
{
    struct gw_db *db = gw_calloc(1, sizeof *db);
    char *mode = NULL;
    sqlite3_stmt *st = NULL;
    int rc;
    *out = NULL;
    rc = sqlite3_open_v2(path, &db->h,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        gw_errbuf_set(eb, GW_E_DB, "cannot open database %s: %s", path,
                      db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(db->h, 1);
    sqlite3_busy_timeout(db->h, 5000);
    rc = check_schema(db, path, eb);
    if (rc < 0)
        goto fail_rc;
    if (gw_db_exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL") < 0) {
        gw_errbuf_set(eb, GW_E_DB, "%s: cannot set pragmas: %s", path, sqlite3_errmsg(db->h));
        goto fail;
    }
    /* journal_mode answers with the mode now in force; an in-memory database stays "memory",
     * anything else that is not WAL means the directory cannot hold the -wal/-shm files. */
    if (gw_db_prepare(db, "PRAGMA journal_mode = WAL", &st) < 0 || sqlite3_step(st) != SQLITE_ROW) {
        gw_errbuf_set(eb, GW_E_DB, "%s: cannot switch to WAL: %s", path, sqlite3_errmsg(db->h));
        goto fail;
    }
    mode = gw_strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    st = NULL;
    if (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0)
        gw_log_warn(DB, "database is not in WAL mode path=%s journal_mode=%s", path, mode);
    free(mode);
    rc = migrate(db, path, eb);
    if (rc < 0)
        goto fail_rc;
    *out = db;
    return 0;

fail:
    rc = GW_E_DB;
fail_rc:
    sqlite3_finalize(st);
    sqlite3_close(db->h);
    free(db);
    return rc;
}

void gw_db_close(struct gw_db *db)
{
    int rc;
    if (!db)
        return;
    if (db->depth > 0) {
        gw_log_err(DB, "closing the database inside a transaction depth=%d, rolling back",
                   db->depth);
        while (db->depth > 0)
            gw_db_rollback(db);
    }
    rc = sqlite3_close(db->h);
    /* SQLITE_BUSY here means a statement was not finalized: a bug worth a loud line, and the
     * connection is then freed when the last statement goes. */
    if (rc != SQLITE_OK) {
        gw_log_err(DB, "closing the database: %s", sqlite3_errstr(rc));
        sqlite3_close_v2(db->h);
    }
    free(db);
}

int gw_setting_get(struct gw_db *db, const char *key, char *buf, size_t len)
{
    sqlite3_stmt *st;
    int rc;
    if (len)
        buf[0] = '\0';
    rc = gw_db_prepare(db, "SELECT value FROM settings WHERE key = ?1", &st);
    if (rc < 0)
        return rc;
    gw_db_bind_text(st, 1, key);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        gw_db_column_copy(st, 0, buf, len);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = GW_E_NOTFOUND;
    } else {
        rc = gw_db_fail(db, rc, "reading a setting");
    }
    sqlite3_finalize(st);
    return rc;
}

int gw_setting_set(struct gw_db *db, const char *key, const char *value)
{
    sqlite3_stmt *st;
    int rc = gw_db_prepare(db,
                           "INSERT INTO settings (key, value) VALUES (?1, ?2) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           &st);
    if (rc < 0)
        return rc;
    gw_db_bind_text(st, 1, key);
    gw_db_bind_text(st, 2, value ? value : "");
    rc = gw_db_step_done(db, st, "writing a setting");
    sqlite3_finalize(st);
    return rc;
}

int gw_db_migrate_module(struct gw_db *db, const char *module, const struct gw_db_migration *steps,
                         size_t n, struct gw_errbuf *eb)
{
    char key[80], val[32];
    snprintf(key, sizeof key, "schema.%s", module);
    for (size_t i = 0; i < n; i++) {
        long cur = 0;
        int rc = gw_db_begin(db);
        if (rc < 0)
            return gw_errbuf_set(eb, GW_E_DB, "%s tables: cannot start a transaction", module);
        /* Read inside the write transaction: another process may have migrated meanwhile. */
        if (gw_setting_get(db, key, val, sizeof val) == 0)
            cur = strtol(val, NULL, 10);
        if (i == 0 && cur > steps[n - 1].version) {
            gw_db_rollback(db);
            return gw_errbuf_set(eb, GW_E_SCHEMA,
                                 "%s tables are at version %ld, newer than this program's %d",
                                 module, cur, steps[n - 1].version);
        }
        if (cur >= steps[i].version) {
            gw_db_rollback(db);
            continue;
        }
        snprintf(val, sizeof val, "%d", steps[i].version);
        rc = gw_db_exec(db, steps[i].sql);
        if (rc == 0)
            rc = gw_setting_set(db, key, val);
        if (rc == 0)
            rc = gw_db_commit(db);
        if (rc < 0) {
            gw_db_rollback(db);
            return gw_errbuf_set(eb, GW_E_DB, "%s tables: migration to version %d failed: %s",
                                 module, steps[i].version, sqlite3_errmsg(db->h));
        }
        gw_log_info(DB, "module tables migrated module=%s version=%d", module, steps[i].version);
    }
    return 0;
}
