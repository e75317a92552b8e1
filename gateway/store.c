/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The store's tables above the connection: SNMP credential sets (secrets only as vault
 * records), the device registry with its CSV import, what polls return (identity, meters,
 * supplies, alerts), device events and pruning.
 *
 * Meters. counters_latest holds the current value of every counter of a device. A poll that
 * reports a value at or above it moves the meter; a lower value is never taken as the meter
 * (DESIGN.md: counters are monotonic), it becomes one "counter_regression" event per episode
 * and the meter stays until the device reports at least the old value again. History rows in
 * counter_readings are appended only when a value differs from the newest history row and
 * that row is at least an hour old (the first value is always recorded). An idle counter thus
 * costs no rows, a busy one at most 24 a day, and the history lags the meter by at most an
 * hour plus one poll interval; the exact current value is always in counters_latest.
 *
 * Everything a poll writes goes in one transaction, so a device's state is never half old and
 * half new.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gateway/gw_int.h"

#define READING_MIN_INTERVAL 3600
/* A CSV line longer than this is not a device row. */
#define CSV_MAX_LINE 4096
#define CSV_FIELDS   4

/* ---------------------------------------------------------------------------------------------
 * Credentials
 */

static const char *const auth_protos[] = {"MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"};
static const char *const priv_protos[] = {"DES", "AES", "AES-192", "AES-256"};
#define N_AUTH (sizeof auth_protos / sizeof auth_protos[0])
#define N_PRIV (sizeof priv_protos / sizeof priv_protos[0])

/* Returns: the canonical spelling of p in list (case-insensitive match), or NULL. */
static const char *proto_lookup(const char *const *list, size_t n, const char *p)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(list[i], p) == 0)
            return list[i];
    return NULL;
}

static bool is_name_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '.' || ch == '_' || ch == '-';
}

static bool valid_name(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max || !isalnum((unsigned char)s[0]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_name_char(s[i]))
            return false;
    return true;
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

/* Checks a secret that a level needs. Returns: 0 or GW_E_INVAL naming the field. */
static int check_secret(const char *field, const char *s, size_t min, struct gw_errbuf *eb)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0)
        return gw_errbuf_set(eb, GW_E_INVAL, "%s: missing", field);
    if (n < min)
        return gw_errbuf_set(eb, GW_E_INVAL, "%s: must be at least %zu characters", field, min);
    if (n > 256)
        return gw_errbuf_set(eb, GW_E_INVAL, "%s: must be at most 256 characters", field);
    return 0;
}

static const char *version_name(int v)
{
    return v == GW_SNMP_V1 ? "1" : v == GW_SNMP_V2C ? "2c" : v == GW_SNMP_V3 ? "3" : "?";
}

static const char *level_name(int l)
{
    return l == GW_SEC_NOAUTH       ? "noAuthNoPriv"
           : l == GW_SEC_AUTHNOPRIV ? "authNoPriv"
           : l == GW_SEC_AUTHPRIV   ? "authPriv"
                                    : "?";
}

void gw_credential_cleanup(struct gw_credential *c)
{
    if (!c)
        return;
    gw_free_secret_str(c->community);
    gw_free_secret_str(c->auth_pass);
    gw_free_secret_str(c->priv_pass);
    c->community = c->auth_pass = c->priv_pass = NULL;
}

int gw_credential_check(const struct gw_credential *c, struct gw_errbuf *eb)
{
    int rc;
    if (!valid_name(c->name, sizeof c->name - 1))
        return gw_errbuf_set(eb, GW_E_INVAL,
                             "name: must be 1..%zu letters, digits, '.', '_' or '-', starting "
                             "with a letter or digit",
                             sizeof c->name - 1);
    if (c->version == GW_SNMP_V1 || c->version == GW_SNMP_V2C)
        return check_secret("community", c->community, 1, eb);
    if (c->version != GW_SNMP_V3)
        return gw_errbuf_set(eb, GW_E_INVAL, "version: must be 1, 2c or 3");
    if (!c->sec_name[0])
        return gw_errbuf_set(eb, GW_E_INVAL, "sec_name: required for SNMPv3");
    if (has_control(c->sec_name))
        return gw_errbuf_set(eb, GW_E_INVAL, "sec_name: contains a control character");
    if (has_control(c->context))
        return gw_errbuf_set(eb, GW_E_INVAL, "context: contains a control character");
    if (c->sec_level < GW_SEC_NOAUTH || c->sec_level > GW_SEC_AUTHPRIV)
        return gw_errbuf_set(eb, GW_E_INVAL,
                             "sec_level: must be noAuthNoPriv, authNoPriv or authPriv");
    if (c->sec_level == GW_SEC_NOAUTH)
        return 0;
    if (!proto_lookup(auth_protos, N_AUTH, c->auth_proto))
        return gw_errbuf_set(eb, GW_E_INVAL,
                             "auth_proto: '%s' is not one of MD5, SHA, SHA-224, SHA-256, "
                             "SHA-384, SHA-512",
                             c->auth_proto);
    /* net-snmp refuses passphrases under 8 characters (USM_LENGTH_P_MIN). */
    rc = check_secret("auth_pass", c->auth_pass, 8, eb);
    if (rc < 0 || c->sec_level == GW_SEC_AUTHNOPRIV)
        return rc;
    if (!proto_lookup(priv_protos, N_PRIV, c->priv_proto))
        return gw_errbuf_set(eb, GW_E_INVAL,
                             "priv_proto: '%s' is not one of DES, AES, AES-192, AES-256",
                             c->priv_proto);
    return check_secret("priv_pass", c->priv_pass, 8, eb);
}

/* Seals secret (if any) into column of credential row id and stores it. */
static int store_secret(struct gw_db *db, const struct gw_vault *v, int64_t id, const char *column,
                        const char *secret)
{
    static const char *const sql[] = {
        "UPDATE credentials SET community = ?1 WHERE id = ?2",
        "UPDATE credentials SET auth_pass = ?1 WHERE id = ?2",
        "UPDATE credentials SET priv_pass = ?1 WHERE id = ?2",
    };
    unsigned char *rec;
    size_t reclen;
    sqlite3_stmt *st;
    int rc, which;
    if (!secret)
        return 0;
    which = strcmp(column, "community") == 0 ? 0 : strcmp(column, "auth_pass") == 0 ? 1 : 2;
    rc = gw_vault_seal(v, GW__TBL_CREDENTIALS, column, id, secret, strlen(secret), &rec, &reclen);
    if (rc < 0)
        return rc;
    rc = gw_db_prepare(db, sql[which], &st);
    if (rc == 0) {
        sqlite3_bind_blob(st, 1, rec, (int)reclen, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, id);
        rc = gw_db_step_done(db, st, "storing a sealed secret");
        sqlite3_finalize(st);
    }
    free(rec);
    return rc;
}

int gw_credential_add(struct gw_db *db, const struct gw_vault *v, struct gw_credential *c,
                      struct gw_errbuf *eb)
{
    bool v3 = c->version == GW_SNMP_V3;
    bool auth = v3 && c->sec_level >= GW_SEC_AUTHNOPRIV;
    bool priv = v3 && c->sec_level == GW_SEC_AUTHPRIV;
    sqlite3_stmt *st;
    int64_t id;
    int rc = gw_credential_check(c, eb);
    if (rc < 0)
        return rc;
    rc = gw_db_begin(db);
    if (rc < 0)
        return gw_errbuf_set(eb, rc, "cannot start a transaction");
    /* The row id is part of each secret's associated data, so the row comes first and the
     * secrets are sealed to it before the transaction commits. Only the fields the version and
     * level use are kept. */
    rc = gw_db_prepare(db,
                       "INSERT INTO credentials (name, version, sec_name, sec_level, "
                       "auth_proto, priv_proto, context, created) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                       &st);
    if (rc < 0)
        goto fail;
    gw_db_bind_text(st, 1, c->name);
    sqlite3_bind_int(st, 2, (int)c->version);
    gw_db_bind_text(st, 3, v3 ? c->sec_name : "");
    sqlite3_bind_int(st, 4, v3 ? (int)c->sec_level : 0);
    gw_db_bind_text(st, 5, auth ? proto_lookup(auth_protos, N_AUTH, c->auth_proto) : "");
    gw_db_bind_text(st, 6, priv ? proto_lookup(priv_protos, N_PRIV, c->priv_proto) : "");
    gw_db_bind_text(st, 7, v3 ? c->context : "");
    sqlite3_bind_int64(st, 8, gw_now());
    rc = gw_db_step_done(db, st, "adding a credential");
    sqlite3_finalize(st);
    if (rc == GW_E_EXISTS) {
        gw_errbuf_set(eb, rc, "name: credential '%s' already exists", c->name);
        goto fail;
    }
    if (rc < 0)
        goto fail;
    id = sqlite3_last_insert_rowid(gw_db_handle(db));
    rc = store_secret(db, v, id, "community", v3 ? NULL : c->community);
    if (rc == 0)
        rc = store_secret(db, v, id, "auth_pass", auth ? c->auth_pass : NULL);
    if (rc == 0)
        rc = store_secret(db, v, id, "priv_pass", priv ? c->priv_pass : NULL);
    if (rc == 0)
        rc = gw_db_commit(db);
    if (rc < 0)
        goto fail;
    c->id = id;
    return 0;

fail:
    gw_db_rollback(db);
    if (rc != GW_E_EXISTS)
        gw_errbuf_set(eb, rc, "cannot store credential '%s': %s", c->name, gw_strerror(rc));
    return rc;
}

/* Unseals column col of the row st is on into *out (NULL for a NULL column). */
static int load_secret(const struct gw_vault *v, sqlite3_stmt *st, int col, const char *column,
                       int64_t id, const char *name, char **out, struct gw_errbuf *eb)
{
    const void *blob = sqlite3_column_blob(st, col);
    size_t len = (size_t)sqlite3_column_bytes(st, col);
    size_t ptlen;
    int rc;
    *out = NULL;
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return 0;
    rc = gw_vault_unseal(v, GW__TBL_CREDENTIALS, column, id, blob, len, out, &ptlen);
    if (rc == GW_E_TAMPER)
        return gw_errbuf_set(eb, rc,
                             "credential '%s': %s failed authentication (wrong key file, or the "
                             "record was altered)",
                             name, column);
    if (rc < 0)
        return gw_errbuf_set(eb, rc, "credential '%s': %s cannot be decrypted: %s", name, column,
                             gw_strerror(rc));
    return 0;
}

int gw_credential_get(struct gw_db *db, const struct gw_vault *v, const char *name, int64_t id,
                      struct gw_credential *out, struct gw_errbuf *eb)
{
    static const char cols[] = "SELECT id, name, version, sec_name, sec_level, auth_proto, "
                               "priv_proto, context, community, auth_pass, priv_pass "
                               "FROM credentials WHERE ";
    char sql[256];
    sqlite3_stmt *st;
    int rc;
    memset(out, 0, sizeof *out);
    snprintf(sql, sizeof sql, "%s%s", cols, id > 0 ? "id = ?1" : "name = ?1");
    rc = gw_db_prepare(db, sql, &st);
    if (rc < 0)
        return gw_errbuf_set(eb, rc, "cannot read credentials");
    if (id > 0)
        sqlite3_bind_int64(st, 1, id);
    else
        gw_db_bind_text(st, 1, name ? name : "");
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return gw_errbuf_set(eb, gw_db_fail(db, rc, "reading a credential"),
                                 "cannot read credentials");
        if (id > 0)
            return gw_errbuf_set(eb, GW_E_NOTFOUND, "credential id %lld does not exist",
                                 (long long)id);
        return gw_errbuf_set(eb, GW_E_NOTFOUND, "credential '%s' does not exist", name ? name : "");
    }
    out->id = sqlite3_column_int64(st, 0);
    gw_db_column_copy(st, 1, out->name, sizeof out->name);
    out->version = (enum gw_snmp_version)sqlite3_column_int(st, 2);
    gw_db_column_copy(st, 3, out->sec_name, sizeof out->sec_name);
    out->sec_level = (enum gw_sec_level)sqlite3_column_int(st, 4);
    gw_db_column_copy(st, 5, out->auth_proto, sizeof out->auth_proto);
    gw_db_column_copy(st, 6, out->priv_proto, sizeof out->priv_proto);
    gw_db_column_copy(st, 7, out->context, sizeof out->context);
    rc = load_secret(v, st, 8, "community", out->id, out->name, &out->community, eb);
    if (rc == 0)
        rc = load_secret(v, st, 9, "auth_pass", out->id, out->name, &out->auth_pass, eb);
    if (rc == 0)
        rc = load_secret(v, st, 10, "priv_pass", out->id, out->name, &out->priv_pass, eb);
    sqlite3_finalize(st);
    if (rc < 0)
        gw_credential_cleanup(out);
    return rc;
}

json_t *gw_credential_list(struct gw_db *db)
{
    json_t *arr = json_array();
    sqlite3_stmt *st;
    if (gw_db_prepare(db,
                      "SELECT c.name, c.version, c.sec_name, c.sec_level, c.auth_proto, "
                      "c.priv_proto, c.context, "
                      "(SELECT count(*) FROM devices d WHERE d.credential_id = c.id) "
                      "FROM credentials c ORDER BY c.name",
                      &st) < 0)
        return arr;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int version = sqlite3_column_int(st, 1);
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string((const char *)sqlite3_column_text(st, 0)));
        json_object_set_new(o, "version", json_string(version_name(version)));
        json_object_set_new(o, "sec_name", json_string((const char *)sqlite3_column_text(st, 2)));
        json_object_set_new(o, "level",
                            version == GW_SNMP_V3
                                ? json_string(level_name(sqlite3_column_int(st, 3)))
                                : json_null());
        json_object_set_new(o, "auth_proto", json_string((const char *)sqlite3_column_text(st, 4)));
        json_object_set_new(o, "priv_proto", json_string((const char *)sqlite3_column_text(st, 5)));
        json_object_set_new(o, "context", json_string((const char *)sqlite3_column_text(st, 6)));
        json_object_set_new(o, "devices", json_integer(sqlite3_column_int64(st, 7)));
        json_array_append_new(arr, o);
    }
    sqlite3_finalize(st);
    return arr;
}

int gw_credential_remove(struct gw_db *db, const char *name, struct gw_errbuf *eb)
{
    sqlite3_stmt *st;
    int64_t id = 0, users = 0;
    int rc = gw_db_begin(db);
    if (rc < 0)
        return gw_errbuf_set(eb, rc, "cannot start a transaction");
    rc = gw_db_prepare(db,
                       "SELECT c.id, (SELECT count(*) FROM devices d WHERE d.credential_id = "
                       "c.id) FROM credentials c WHERE c.name = ?1",
                       &st);
    if (rc < 0)
        goto out;
    gw_db_bind_text(st, 1, name);
    if (sqlite3_step(st) == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        users = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (id == 0) {
        rc = gw_errbuf_set(eb, GW_E_NOTFOUND, "credential '%s' does not exist", name);
        goto out;
    }
    if (users > 0) {
        rc = gw_errbuf_set(eb, GW_E_BUSY, "credential '%s' is used by %lld device%s", name,
                           (long long)users, users == 1 ? "" : "s");
        goto out;
    }
    rc = gw_db_prepare(db, "DELETE FROM credentials WHERE id = ?1", &st);
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(st, 1, id);
    rc = gw_db_step_done(db, st, "removing a credential");
    sqlite3_finalize(st);
    if (rc == 0)
        rc = gw_db_commit(db);
out:
    if (rc < 0) {
        gw_db_rollback(db);
        if (rc != GW_E_NOTFOUND && rc != GW_E_BUSY)
            gw_errbuf_set(eb, rc, "cannot remove credential '%s': %s", name, gw_strerror(rc));
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Devices
 */

static bool valid_label(const char *s, size_t n)
{
    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-')
            return false;
    return true;
}

/* Normalizes an address (IP literal in its canonical text form, host name lower-case without a
 * trailing dot) so that duplicates are found however they are written. */
static int normalize_address(const char *in, char *out, size_t outlen, char *why, size_t whylen)
{
    unsigned char bin[sizeof(struct in6_addr)];
    char tmp[256];
    size_t n = strlen(in);
    bool numeric = true;
    if (n == 0) {
        snprintf(why, whylen, "address: missing");
        return GW_E_INVAL;
    }
    if (inet_pton(AF_INET, in, bin) == 1) {
        inet_ntop(AF_INET, bin, out, (socklen_t)outlen);
        return 0;
    }
    if (strchr(in, ':')) {
        if (inet_pton(AF_INET6, in, bin) == 1) {
            inet_ntop(AF_INET6, bin, out, (socklen_t)outlen);
            return 0;
        }
        snprintf(why, whylen, "address: '%.64s' is not a valid IPv6 address", in);
        return GW_E_INVAL;
    }
    if (n > 0 && in[n - 1] == '.')
        n--;
    if (n == 0 || n > 253 || n >= sizeof tmp) {
        snprintf(why, whylen, "address: '%.64s' is not a valid host name", in);
        return GW_E_INVAL;
    }
    for (size_t i = 0; i < n; i++)
        tmp[i] = (char)tolower((unsigned char)in[i]);
    tmp[n] = '\0';
    for (const char *p = tmp; *p;) {
        size_t l = strcspn(p, ".");
        if (!valid_label(p, l)) {
            snprintf(why, whylen, "address: '%.64s' is not a valid IP address or host name", in);
            return GW_E_INVAL;
        }
        for (size_t i = 0; i < l; i++)
            if (!isdigit((unsigned char)p[i]))
                numeric = false;
        p += l;
        if (*p == '.')
            p++;
    }
    /* "10.0.0.256" is a broken IPv4 address, not a host name made of numbers. */
    if (numeric) {
        snprintf(why, whylen, "address: '%.64s' is not a valid IPv4 address", in);
        return GW_E_INVAL;
    }
    gw_strlcpy(out, tmp, outlen);
    return 0;
}

/* Statements for inserting devices, prepared once for gw_device_add() and CSV imports. */
struct dev_ins {
    struct gw_db *db;
    sqlite3_stmt *cred;
    sqlite3_stmt *ins;
};

static int dev_ins_open(struct gw_db *db, struct dev_ins *di)
{
    di->db = db;
    di->cred = di->ins = NULL;
    if (gw_db_prepare(db, "SELECT id, name FROM credentials WHERE name = ?1 OR id = ?2",
                      &di->cred) < 0 ||
        gw_db_prepare(db,
                      "INSERT INTO devices (name, address, port, credential_id, priority, "
                      "created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                      &di->ins) < 0) {
        sqlite3_finalize(di->cred);
        return GW_E_DB;
    }
    return 0;
}

static void dev_ins_close(struct dev_ins *di)
{
    sqlite3_finalize(di->cred);
    sqlite3_finalize(di->ins);
}

/* Validates d, resolves its credential and inserts it; fills id, address (normalized),
 * credential, priority, status. Returns: 0, GW_E_INVAL, GW_E_NOTFOUND, GW_E_EXISTS, GW_E_DB
 * with the reason in why. */
static int dev_insert(struct dev_ins *di, struct gw_device *d, char *why, size_t whylen)
{
    char addr[sizeof d->address];
    int rc;
    if (d->port == 0)
        d->port = 161;
    rc = normalize_address(d->address, addr, sizeof addr, why, whylen);
    if (rc < 0)
        return rc;
    if (has_control(d->name)) {
        snprintf(why, whylen, "name: contains a control character");
        return GW_E_INVAL;
    }
    if (!d->priority[0])
        gw_strlcpy(d->priority, "high", sizeof d->priority);
    if (strcmp(d->priority, "high") != 0 && strcmp(d->priority, "middle") != 0 &&
        strcmp(d->priority, "low") != 0) {
        snprintf(why, whylen, "priority: must be high, middle or low");
        return GW_E_INVAL;
    }
    sqlite3_reset(di->cred);
    gw_db_bind_text(di->cred, 1, d->credential_id > 0 ? NULL : d->credential);
    sqlite3_bind_int64(di->cred, 2, d->credential_id);
    rc = sqlite3_step(di->cred);
    if (rc != SQLITE_ROW) {
        if (rc != SQLITE_DONE) {
            snprintf(why, whylen, "cannot read credentials");
            return gw_db_fail(di->db, rc, "looking up a credential");
        }
        if (d->credential_id > 0)
            snprintf(why, whylen, "credential: id %lld does not exist",
                     (long long)d->credential_id);
        else if (!d->credential[0])
            snprintf(why, whylen, "credential: missing");
        else
            snprintf(why, whylen, "credential: '%.64s' does not exist", d->credential);
        return GW_E_NOTFOUND;
    }
    d->credential_id = sqlite3_column_int64(di->cred, 0);
    gw_db_column_copy(di->cred, 1, d->credential, sizeof d->credential);
    sqlite3_reset(di->cred);

    sqlite3_reset(di->ins);
    gw_db_bind_text(di->ins, 1, d->name);
    gw_db_bind_text(di->ins, 2, addr);
    sqlite3_bind_int(di->ins, 3, d->port);
    sqlite3_bind_int64(di->ins, 4, d->credential_id);
    gw_db_bind_text(di->ins, 5, d->priority);
    sqlite3_bind_int64(di->ins, 6, gw_now());
    rc = gw_db_step_done(di->db, di->ins, "adding a device");
    sqlite3_reset(di->ins);
    if (rc == GW_E_EXISTS) {
        snprintf(why, whylen, "address: %.200s port %u is already registered", addr,
                 (unsigned)d->port);
        return rc;
    }
    if (rc < 0) {
        snprintf(why, whylen, "cannot store the device");
        return rc;
    }
    gw_strlcpy(d->address, addr, sizeof d->address);
    gw_strlcpy(d->status, "new", sizeof d->status);
    d->id = sqlite3_last_insert_rowid(gw_db_handle(di->db));
    return 0;
}

int gw_device_add(struct gw_db *db, struct gw_device *d, struct gw_errbuf *eb)
{
    struct dev_ins di;
    char why[256];
    int rc = gw_db_begin(db);
    if (rc < 0)
        return gw_errbuf_set(eb, rc, "cannot start a transaction");
    rc = dev_ins_open(db, &di);
    if (rc < 0) {
        gw_db_rollback(db);
        return gw_errbuf_set(eb, rc, "cannot prepare the device insert");
    }
    rc = dev_insert(&di, d, why, sizeof why);
    dev_ins_close(&di);
    if (rc == 0)
        rc = gw_db_commit(db);
    else
        gw_errbuf_set(eb, rc, "%s", why);
    if (rc < 0) {
        gw_db_rollback(db);
        d->id = 0;
    }
    return rc;
}

#define DEVICE_COLUMNS                                                                             \
    "SELECT d.id, d.name, d.address, d.port, d.credential_id, c.name, d.priority, d.status, "      \
    "d.last_seen, d.last_poll, d.vendor, d.model, d.serial, d.mac, d.engine_id, "                  \
    "d.page_count_total, d.priority_pinned, d.activity, d.activity_ts, d.last_counter_poll, "      \
    "d.wsd_uuid, d.transport, d.wsd_xaddrs FROM devices d JOIN credentials c "                     \
    "ON c.id = d.credential_id "

static void row_to_device(sqlite3_stmt *st, struct gw_device *d)
{
    memset(d, 0, sizeof *d);
    d->id = sqlite3_column_int64(st, 0);
    gw_db_column_copy(st, 1, d->name, sizeof d->name);
    gw_db_column_copy(st, 2, d->address, sizeof d->address);
    d->port = (uint16_t)sqlite3_column_int(st, 3);
    d->credential_id = sqlite3_column_int64(st, 4);
    gw_db_column_copy(st, 5, d->credential, sizeof d->credential);
    gw_db_column_copy(st, 6, d->priority, sizeof d->priority);
    gw_db_column_copy(st, 7, d->status, sizeof d->status);
    d->last_seen = sqlite3_column_int64(st, 8);
    d->last_poll = sqlite3_column_int64(st, 9);
    gw_db_column_copy(st, 10, d->vendor, sizeof d->vendor);
    gw_db_column_copy(st, 11, d->model, sizeof d->model);
    gw_db_column_copy(st, 12, d->serial, sizeof d->serial);
    gw_db_column_copy(st, 13, d->mac, sizeof d->mac);
    gw_db_column_copy(st, 14, d->engine_id, sizeof d->engine_id);
    d->has_page_count = sqlite3_column_type(st, 15) != SQLITE_NULL;
    d->page_count_total = (uint64_t)sqlite3_column_int64(st, 15);
    d->priority_pinned = sqlite3_column_int(st, 16) != 0;
    d->activity = sqlite3_column_double(st, 17);
    d->activity_ts = sqlite3_column_int64(st, 18);
    d->last_counter_poll = sqlite3_column_int64(st, 19);
    gw_db_column_copy(st, 20, d->wsd_uuid, sizeof d->wsd_uuid);
    gw_db_column_copy(st, 21, d->transport, sizeof d->transport);
    gw_db_column_copy(st, 22, d->wsd_xaddrs, sizeof d->wsd_xaddrs);
}

int gw_device_set_priority(struct gw_db *db, int64_t id, const char *priority)
{
    enum gw_priority p;
    sqlite3_stmt *st;
    int rc;
    if (priority && gw_priority_parse(priority, &p) < 0)
        return GW_E_INVAL;
    rc = gw_db_prepare(db,
                       priority ? "UPDATE devices SET priority = ?2, priority_pinned = 1 "
                                  "WHERE id = ?1"
                                : "UPDATE devices SET priority_pinned = 0 WHERE id = ?1",
                       &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    if (priority)
        gw_db_bind_text(st, 2, priority);
    rc = gw_db_step_done(db, st, "setting a device's priority");
    sqlite3_finalize(st);
    if (rc == 0 && sqlite3_changes(gw_db_handle(db)) == 0)
        rc = GW_E_NOTFOUND;
    return rc;
}

/* Runs sql (an UPDATE of one device: ?1 id, ?2 text, ?3 port when port > 0). Returns: 0,
 * GW_E_NOTFOUND, GW_E_EXISTS, GW_E_DB. */
static int device_update(struct gw_db *db, int64_t id, const char *sql, const char *text, int port,
                         const char *what)
{
    sqlite3_stmt *st;
    int rc = gw_db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    gw_db_bind_text(st, 2, text);
    if (port > 0)
        sqlite3_bind_int(st, 3, port);
    rc = gw_db_step_done(db, st, what);
    sqlite3_finalize(st);
    if (rc == 0 && sqlite3_changes(gw_db_handle(db)) == 0)
        rc = GW_E_NOTFOUND;
    return rc;
}

int gw_device_set_address(struct gw_db *db, int64_t id, const char *address, uint16_t port)
{
    if (!address || !*address || strlen(address) >= sizeof(((struct gw_device *)0)->address))
        return GW_E_INVAL;
    return device_update(db, id, "UPDATE devices SET address = ?2, port = ?3 WHERE id = ?1",
                         address, port ? port : 161, "changing a device's address");
}

int gw_device_set_wsd_uuid(struct gw_db *db, int64_t id, const char *uuid)
{
    if (!uuid || strlen(uuid) >= sizeof(((struct gw_device *)0)->wsd_uuid))
        return GW_E_INVAL;
    return device_update(db, id, "UPDATE devices SET wsd_uuid = ?2 WHERE id = ?1", uuid, 0,
                         "storing a device's WSD endpoint UUID");
}

int gw_device_set_transport(struct gw_db *db, int64_t id, const char *transport,
                            int64_t credential_id, const char *xaddrs)
{
    sqlite3_stmt *st;
    int rc;
    if (!transport || (strcmp(transport, "snmp") != 0 && strcmp(transport, "wsd") != 0) ||
        (xaddrs && strlen(xaddrs) >= sizeof(((struct gw_device *)0)->wsd_xaddrs)) ||
        (xaddrs && has_control(xaddrs)))
        return GW_E_INVAL;
    rc = gw_db_prepare(db,
                       "UPDATE devices SET transport = ?2, credential_id = CASE WHEN ?3 > 0 "
                       "THEN ?3 ELSE credential_id END, wsd_xaddrs = coalesce(?4, wsd_xaddrs) "
                       "WHERE id = ?1",
                       &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    gw_db_bind_text(st, 2, transport);
    sqlite3_bind_int64(st, 3, credential_id);
    if (xaddrs)
        gw_db_bind_text(st, 4, xaddrs);
    else
        sqlite3_bind_null(st, 4);
    rc = gw_db_step_done(db, st, "setting a device's transport");
    sqlite3_finalize(st);
    if (rc == 0 && sqlite3_changes(gw_db_handle(db)) == 0)
        rc = GW_E_NOTFOUND;
    return rc;
}

int gw_device_save_schedule(struct gw_db *db, int64_t id, const char *priority, double activity,
                            int64_t activity_ts, int64_t last_counter_poll)
{
    sqlite3_stmt *st;
    int rc = gw_db_prepare(
        db,
        "UPDATE devices SET activity = ?2, activity_ts = ?3,"
        " priority = CASE WHEN priority_pinned THEN priority ELSE ?4 END,"
        " last_counter_poll = CASE WHEN ?5 > 0 THEN ?5 ELSE last_counter_poll END WHERE id = ?1",
        &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_double(st, 2, activity);
    sqlite3_bind_int64(st, 3, activity_ts);
    gw_db_bind_text(st, 4, priority);
    sqlite3_bind_int64(st, 5, last_counter_poll);
    rc = gw_db_step_done(db, st, "saving a device's schedule");
    sqlite3_finalize(st);
    return rc;
}

int gw_device_get(struct gw_db *db, int64_t id, struct gw_device *out)
{
    sqlite3_stmt *st;
    int rc = gw_db_prepare(db, DEVICE_COLUMNS "WHERE d.id = ?1", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        row_to_device(st, out);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? GW_E_NOTFOUND : gw_db_fail(db, rc, "reading a device");
    }
    sqlite3_finalize(st);
    return rc;
}

int gw_device_remove(struct gw_db *db, int64_t id)
{
    sqlite3_stmt *st;
    int rc = gw_db_begin(db);
    if (rc < 0)
        return rc;
    /* Readings, meters, supplies, alerts and events go with it (ON DELETE CASCADE). */
    rc = gw_db_prepare(db, "DELETE FROM devices WHERE id = ?1", &st);
    if (rc == 0) {
        sqlite3_bind_int64(st, 1, id);
        rc = gw_db_step_done(db, st, "removing a device");
        sqlite3_finalize(st);
    }
    if (rc == 0 && sqlite3_changes(gw_db_handle(db)) == 0)
        rc = GW_E_NOTFOUND;
    if (rc == 0)
        rc = gw_db_commit(db);
    if (rc < 0)
        gw_db_rollback(db);
    return rc;
}

int gw_device_foreach(struct gw_db *db, gw_device_cb cb, void *arg)
{
    struct gw_device d;
    sqlite3_stmt *st;
    int rc = gw_db_prepare(db, DEVICE_COLUMNS "ORDER BY d.id", &st);
    int src;
    if (rc < 0)
        return rc;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        row_to_device(st, &d);
        rc = cb(&d, arg);
        if (rc != 0)
            break;
    }
    if (rc == 0 && src != SQLITE_DONE)
        rc = gw_db_fail(db, src, "listing devices");
    sqlite3_finalize(st);
    return rc;
}

int gw_device_count(struct gw_db *db)
{
    sqlite3_stmt *st;
    int n = 0;
    if (gw_db_prepare(db, "SELECT count(*) FROM devices", &st) < 0)
        return GW_E_DB;
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    else
        n = GW_E_DB;
    sqlite3_finalize(st);
    return n;
}

static json_t *json_time(int64_t t)
{
    char buf[21];
    return t > 0 ? json_string(gw_time_iso(t, buf)) : json_null();
}

json_t *gw_device_to_json(const struct gw_device *d)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(d->id));
    json_object_set_new(o, "name", json_string(d->name));
    json_object_set_new(o, "address", json_string(d->address));
    json_object_set_new(o, "port", json_integer(d->port));
    bool wsd = strcmp(d->transport, "wsd") == 0;
    /* A WSD device is not polled with a credential set: the stored one is only what a later
     * sweep starts from should the device answer SNMP. */
    json_object_set_new(o, "transport", json_string(wsd ? "wsd" : "snmp"));
    json_object_set_new(o, "credential", wsd ? json_null() : json_string(d->credential));
    json_object_set_new(o, "priority", json_string(d->priority));
    json_object_set_new(o, "priority_pinned", json_boolean(d->priority_pinned));
    json_object_set_new(o, "status", json_string(d->status));
    json_object_set_new(o, "last_seen", json_time(d->last_seen));
    json_object_set_new(o, "last_poll", json_time(d->last_poll));
    json_object_set_new(o, "vendor", json_string(d->vendor));
    json_object_set_new(o, "model", json_string(d->model));
    json_object_set_new(o, "serial", json_string(d->serial));
    json_object_set_new(o, "mac", json_string(d->mac));
    json_object_set_new(o, "engine_id", json_string(d->engine_id));
    json_object_set_new(o, "wsd_uuid", json_string(d->wsd_uuid));
    if (wsd) {
        json_object_set_new(o, "wsd_xaddrs", json_string(d->wsd_xaddrs));
        json_object_set_new(o, "counters_note", json_string("no counters (WSD only)"));
    }
    json_object_set_new(o, "page_count_total",
                        d->has_page_count ? json_integer((json_int_t)d->page_count_total)
                                          : json_null());
    return o;
}

/* ---------------------------------------------------------------------------------------------
 * CSV import
 */

static char *trim(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        *--e = '\0';
    return s;
}

/* Splits one CSV line in place (RFC 4180 quoting: "a, b" and "" for a quote inside quotes).
 * Returns: the number of fields, or -1 with the reason in why. */
static int csv_split(char *line, char **fields, int max, char *why, size_t whylen)
{
    char *r = line, *w = line;
    int n = 0;
    for (;;) {
        char *start;
        if (n == max) {
            snprintf(why, whylen, "expected %d fields (address,port,credential,name), found more",
                     max);
            return -1;
        }
        while (*r == ' ' || *r == '\t')
            r++;
        start = w;
        if (*r == '"') {
            r++;
            for (;;) {
                if (*r == '\0') {
                    snprintf(why, whylen, "unterminated quoted field");
                    return -1;
                }
                if (*r == '"' && r[1] == '"') {
                    *w++ = '"';
                    r += 2;
                } else if (*r == '"') {
                    r++;
                    break;
                } else {
                    *w++ = *r++;
                }
            }
            while (*r == ' ' || *r == '\t')
                r++;
            if (*r != ',' && *r != '\0') {
                snprintf(why, whylen, "text after a closing quote");
                return -1;
            }
        } else {
            while (*r != ',' && *r != '\0') {
                if (*r == '"') {
                    snprintf(why, whylen, "quote inside an unquoted field");
                    return -1;
                }
                *w++ = *r++;
            }
        }
        fields[n++] = start;
        if (*r == '\0') {
            *w = '\0';
            break;
        }
        r++; /* the comma */
        *w++ = '\0';
    }
    for (int i = 0; i < n; i++)
        fields[i] = trim(fields[i]);
    return n;
}

/* Reads one line into buf without its line end. Returns: length, -1 at EOF, -2 if too long. */
static long read_line(FILE *in, char *buf, size_t size)
{
    size_t n;
    if (!fgets(buf, (int)size, in))
        return -1;
    n = strlen(buf);
    if (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (!feof(in)) {
        int ch;
        /* Skip the rest so the caller can report this line and stop. */
        while ((ch = fgetc(in)) != EOF && ch != '\n')
            ;
        return -2;
    }
    if (n > 0 && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return (long)n;
}

static int import_row(struct dev_ins *di, char **f, char *why, size_t whylen)
{
    struct gw_device d = {0};
    long long port = 161;
    if (f[1][0]) {
        char *end;
        errno = 0;
        port = strtoll(f[1], &end, 10);
        if (!isdigit((unsigned char)f[1][0]) || *end || errno || port < 1 || port > 65535) {
            snprintf(why, whylen, "port: '%.16s' is not a port number (1..65535)", f[1]);
            return GW_E_INVAL;
        }
    }
    if (strlen(f[0]) >= sizeof d.address) {
        snprintf(why, whylen, "address: too long");
        return GW_E_INVAL;
    }
    if (strlen(f[2]) >= sizeof d.credential) {
        snprintf(why, whylen, "credential: '%.64s' does not exist", f[2]);
        return GW_E_NOTFOUND;
    }
    if (strlen(f[3]) >= sizeof d.name) {
        snprintf(why, whylen, "name: longer than %zu characters", sizeof d.name - 1);
        return GW_E_INVAL;
    }
    if (!f[2][0]) {
        snprintf(why, whylen, "credential: missing");
        return GW_E_INVAL;
    }
    gw_strlcpy(d.address, f[0], sizeof d.address);
    gw_strlcpy(d.credential, f[2], sizeof d.credential);
    gw_strlcpy(d.name, f[3], sizeof d.name);
    d.port = (uint16_t)port;
    return dev_insert(di, &d, why, whylen);
}

/* Notes one bad line: in errors (when given) and, for the first, in first/first_rc. */
static void import_bad(json_t *errors, int lineno, const char *why, int rc, int *bad,
                       int *first_line, int *first_rc, char *first, size_t firstlen)
{
    if (errors && json_array_size(errors) < GW_IMPORT_MAX_ERRORS)
        json_array_append_new(errors, json_pack("{s:i, s:s}", "line", lineno, "error", why));
    if ((*bad)++ == 0) {
        *first_line = lineno;
        *first_rc = rc;
        gw_strlcpy(first, why, firstlen);
    }
}

int gw_device_import_csv(struct gw_db *db, FILE *in, const char *name, json_t *errors,
                         struct gw_errbuf *eb)
{
    char *line = gw_malloc(CSV_MAX_LINE + 2);
    char why[200], first[200] = "";
    char *f[CSV_FIELDS];
    struct dev_ins di;
    int lineno = 0, count = 0, rc, bad = 0, first_line = 0, first_rc = 0;
    long n;
    name = name ? name : "<csv>";
    rc = gw_db_begin(db);
    if (rc < 0) {
        free(line);
        return gw_errbuf_set(eb, rc, "%s: cannot start a transaction", name);
    }
    rc = dev_ins_open(db, &di);
    if (rc < 0) {
        gw_db_rollback(db);
        free(line);
        return gw_errbuf_set(eb, rc, "%s: cannot prepare the device insert", name);
    }
    /* Every line is checked, so that one import names every bad line; any bad line rolls the
     * whole import back. */
    while ((n = read_line(in, line, CSV_MAX_LINE + 2)) != -1) {
        char *s = line;
        int nf;
        lineno++;
        if (n == -2 || n > CSV_MAX_LINE) {
            snprintf(why, sizeof why, "line is longer than %d characters", CSV_MAX_LINE);
            import_bad(errors, lineno, why, GW_E_INVAL, &bad, &first_line, &first_rc, first,
                       sizeof first);
            continue;
        }
        if (lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
            s += 3;
        if (!*trim(s) && lineno > 1)
            continue;
        nf = csv_split(s, f, CSV_FIELDS, why, sizeof why);
        if (lineno == 1) {
            if (nf != CSV_FIELDS || strcasecmp(f[0], "address") != 0 ||
                strcasecmp(f[1], "port") != 0 || strcasecmp(f[2], "credential") != 0 ||
                strcasecmp(f[3], "name") != 0) {
                if (errors)
                    json_array_append_new(
                        errors, json_pack("{s:i, s:s}", "line", 1, "error",
                                          "the header must be 'address,port,credential,name'"));
                rc = gw_errbuf_set(eb, GW_E_INVAL,
                                   "%s:1: the header must be 'address,port,credential,name'", name);
                goto fail;
            }
            continue;
        }
        if (nf >= 0 && nf != CSV_FIELDS) {
            snprintf(why, sizeof why, "expected %d fields (address,port,credential,name), found %d",
                     CSV_FIELDS, nf);
            nf = -1;
        }
        rc = nf < 0 ? GW_E_INVAL : import_row(&di, f, why, sizeof why);
        if (rc == GW_E_DB) {
            gw_errbuf_set(eb, rc, "%s:%d: %s", name, lineno, why);
            goto fail;
        }
        if (rc < 0) {
            import_bad(errors, lineno, why, rc, &bad, &first_line, &first_rc, first, sizeof first);
            continue;
        }
        count++;
    }
    if (ferror(in)) {
        rc = gw_errbuf_set(eb, -EIO, "%s: read error", name);
        goto fail;
    }
    if (lineno == 0) {
        rc = gw_errbuf_set(eb, GW_E_INVAL,
                           "%s: empty file, expected the header "
                           "'address,port,credential,name'",
                           name);
        goto fail;
    }
    if (bad == 1) {
        rc = gw_errbuf_set(eb, first_rc, "%s:%d: %s", name, first_line, first);
        goto fail;
    }
    if (bad > 1) {
        rc = gw_errbuf_set(eb, first_rc, "%s: %d bad lines, nothing imported; line %d: %s", name,
                           bad, first_line, first);
        goto fail;
    }
    dev_ins_close(&di);
    free(line);
    rc = gw_db_commit(db);
    if (rc < 0) {
        gw_db_rollback(db);
        return gw_errbuf_set(eb, rc, "%s: cannot commit the import", name);
    }
    gw_log_info(DB, "devices imported file=%s count=%d", name, count);
    return count;

fail:
    dev_ins_close(&di);
    free(line);
    gw_db_rollback(db);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Poll results
 */

static int update_identity(struct gw_db *db, int64_t id, const struct gw_model *m, int64_t now)
{
    /* Empty fields keep the stored value: a status-only poll reads no identity. */
    static const char sql[] =
        "UPDATE devices SET "
        "vendor = coalesce(nullif(?2, ''), vendor), model = coalesce(nullif(?3, ''), model), "
        "serial = coalesce(nullif(?4, ''), serial), mac = coalesce(nullif(?5, ''), mac), "
        "engine_id = coalesce(nullif(?6, ''), engine_id), "
        "sys_object_id = coalesce(nullif(?7, ''), sys_object_id), "
        "sys_descr = coalesce(nullif(?8, ''), sys_descr), "
        "sys_name = coalesce(nullif(?9, ''), sys_name), "
        "sys_location = coalesce(nullif(?10, ''), sys_location), "
        "firmware = coalesce(nullif(?11, ''), firmware), "
        "page_count_total = CASE WHEN ?12 AND (page_count_total IS NULL OR ?13 >= "
        "page_count_total) THEN ?13 ELSE page_count_total END, "
        "status = 'ok', last_seen = ?14, last_poll = ?14 WHERE id = ?1";
    sqlite3_stmt *st;
    int rc = gw_db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    gw_db_bind_text(st, 2, m->vendor);
    gw_db_bind_text(st, 3, m->model);
    gw_db_bind_text(st, 4, m->serial);
    gw_db_bind_text(st, 5, m->mac);
    gw_db_bind_text(st, 6, m->engine_id);
    gw_db_bind_text(st, 7, m->sys_object_id);
    gw_db_bind_text(st, 8, m->sys_descr);
    gw_db_bind_text(st, 9, m->sys_name);
    gw_db_bind_text(st, 10, m->sys_location);
    gw_db_bind_text(st, 11, m->firmware);
    sqlite3_bind_int(st, 12, m->has_page_count);
    sqlite3_bind_int64(st, 13, (int64_t)m->page_count_total);
    sqlite3_bind_int64(st, 14, now);
    rc = gw_db_step_done(db, st, "updating device identity");
    if (rc == 0 && sqlite3_changes(gw_db_handle(db)) == 0)
        rc = GW_E_NOTFOUND;
    sqlite3_finalize(st);
    return rc;
}

struct meter_stmts {
    sqlite3_stmt *get, *put, *reading, *flag;
};

static int regression_event(struct gw_db *db, int64_t id, const struct gw_counter *c,
                            uint64_t previous, int64_t now)
{
    json_t *o = json_pack("{s:s, s:s, s:I, s:I}", "name", c->name, "oid", c->oid, "previous",
                          (json_int_t)previous, "value", (json_int_t)c->value);
    char *detail = json_dumps(o, JSON_COMPACT);
    int rc = gw_event_add(db, id, "counter_regression", detail, now);
    gw_log_notice(DB, "counter regression device=%lld counter=%s previous=%llu value=%llu",
                  (long long)id, c->name, (unsigned long long)previous,
                  (unsigned long long)c->value);
    free(detail);
    json_decref(o);
    return rc;
}

static int store_counter(struct gw_db *db, struct meter_stmts *ms, int64_t id,
                         const struct gw_counter *c, int64_t now)
{
    bool have = false, regressed = false, append;
    uint64_t prev = 0, reading_value = 0;
    int64_t reading_ts = 0;
    int rc;
    sqlite3_reset(ms->get);
    sqlite3_bind_int64(ms->get, 1, id);
    gw_db_bind_text(ms->get, 2, c->name);
    rc = sqlite3_step(ms->get);
    if (rc == SQLITE_ROW) {
        have = true;
        prev = (uint64_t)sqlite3_column_int64(ms->get, 0);
        reading_ts = sqlite3_column_int64(ms->get, 1);
        reading_value = (uint64_t)sqlite3_column_int64(ms->get, 2);
        regressed = sqlite3_column_int(ms->get, 3) != 0;
    } else if (rc != SQLITE_DONE) {
        return gw_db_fail(db, rc, "reading a meter");
    }
    sqlite3_reset(ms->get);
    if (have && c->value < prev) {
        if (regressed)
            return 0;
        sqlite3_reset(ms->flag);
        sqlite3_bind_int64(ms->flag, 1, id);
        gw_db_bind_text(ms->flag, 2, c->name);
        rc = gw_db_step_done(db, ms->flag, "flagging a counter regression");
        sqlite3_reset(ms->flag);
        return rc < 0 ? rc : regression_event(db, id, c, prev, now);
    }
    append = !have || (c->value != reading_value && now - reading_ts >= READING_MIN_INTERVAL);
    sqlite3_reset(ms->put);
    sqlite3_bind_int64(ms->put, 1, id);
    gw_db_bind_text(ms->put, 2, c->name);
    gw_db_bind_text(ms->put, 3, c->oid);
    sqlite3_bind_int64(ms->put, 4, (int64_t)c->value);
    sqlite3_bind_int64(ms->put, 5, now);
    sqlite3_bind_int64(ms->put, 6, append ? now : reading_ts);
    sqlite3_bind_int64(ms->put, 7, (int64_t)(append ? c->value : reading_value));
    rc = gw_db_step_done(db, ms->put, "storing a meter");
    sqlite3_reset(ms->put);
    if (rc < 0 || !append)
        return rc;
    sqlite3_reset(ms->reading);
    sqlite3_bind_int64(ms->reading, 1, id);
    sqlite3_bind_int64(ms->reading, 2, now);
    gw_db_bind_text(ms->reading, 3, c->name);
    gw_db_bind_text(ms->reading, 4, c->oid);
    sqlite3_bind_int64(ms->reading, 5, (int64_t)c->value);
    rc = gw_db_step_done(db, ms->reading, "appending a counter reading");
    sqlite3_reset(ms->reading);
    return rc;
}

static int store_counters(struct gw_db *db, int64_t id, const struct gw_model *m, int64_t now)
{
    struct meter_stmts ms = {0};
    int rc = 0;
    if (m->n_counters == 0)
        return 0;
    if (gw_db_prepare(db,
                      "SELECT value, reading_ts, reading_value, regressed FROM counters_latest "
                      "WHERE device_id = ?1 AND name = ?2",
                      &ms.get) < 0 ||
        gw_db_prepare(db,
                      "INSERT INTO counters_latest (device_id, name, oid, value, ts, reading_ts, "
                      "reading_value, regressed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0) "
                      "ON CONFLICT (device_id, name) DO UPDATE SET oid = excluded.oid, "
                      "value = excluded.value, ts = excluded.ts, reading_ts = "
                      "excluded.reading_ts, reading_value = excluded.reading_value, "
                      "regressed = 0",
                      &ms.put) < 0 ||
        gw_db_prepare(db,
                      "INSERT INTO counter_readings (device_id, ts, name, oid, value) "
                      "VALUES (?1, ?2, ?3, ?4, ?5)",
                      &ms.reading) < 0 ||
        gw_db_prepare(db,
                      "UPDATE counters_latest SET regressed = 1 "
                      "WHERE device_id = ?1 AND name = ?2",
                      &ms.flag) < 0)
        rc = GW_E_DB;
    for (size_t i = 0; rc == 0 && i < m->n_counters; i++)
        rc = store_counter(db, &ms, id, &m->counters[i], now);
    sqlite3_finalize(ms.get);
    sqlite3_finalize(ms.put);
    sqlite3_finalize(ms.reading);
    sqlite3_finalize(ms.flag);
    return rc;
}

static int store_supplies(struct gw_db *db, int64_t id, const struct gw_model *m, int64_t now)
{
    sqlite3_stmt *del = NULL, *ins = NULL;
    int rc = gw_db_prepare(db, "DELETE FROM supplies WHERE device_id = ?1", &del);
    if (rc == 0)
        rc = gw_db_prepare(db,
                           "INSERT OR REPLACE INTO supplies (device_id, type, idx, color, "
                           "description, level_raw, max_capacity, percent, state, ts) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                           &ins);
    if (rc == 0) {
        sqlite3_bind_int64(del, 1, id);
        rc = gw_db_step_done(db, del, "replacing supplies");
    }
    for (size_t i = 0; rc == 0 && i < m->n_supplies; i++) {
        const struct gw_supply *s = &m->supplies[i];
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, id);
        gw_db_bind_text(ins, 2, s->type);
        sqlite3_bind_int(ins, 3, s->index);
        gw_db_bind_text(ins, 4, s->color);
        gw_db_bind_text(ins, 5, s->description);
        sqlite3_bind_int64(ins, 6, s->level_raw);
        sqlite3_bind_int64(ins, 7, s->max_capacity);
        sqlite3_bind_int(ins, 8, s->percent);
        gw_db_bind_text(ins, 9, gw_supply_state_name(s->state));
        sqlite3_bind_int64(ins, 10, now);
        rc = gw_db_step_done(db, ins, "storing a supply");
    }
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    return rc;
}

/* Trays are replaced as a whole by a poll that read the Printer-MIB tables (see
 * gw_store_poll_ok()). */
static int store_trays(struct gw_db *db, int64_t id, const struct gw_model *m, int64_t now)
{
    sqlite3_stmt *del = NULL, *ins = NULL;
    int rc = gw_db_prepare(db, "DELETE FROM trays WHERE device_id = ?1", &del);
    if (rc == 0)
        rc = gw_db_prepare(db,
                           "INSERT OR REPLACE INTO trays (device_id, idx, type, name, "
                           "description, media_name, media_type, dim_unit, media_feed, "
                           "media_xfeed, capacity_unit, max_capacity, level_raw, percent, state, "
                           "status, ts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                           "?12, ?13, ?14, ?15, ?16, ?17)",
                           &ins);
    if (rc == 0) {
        sqlite3_bind_int64(del, 1, id);
        rc = gw_db_step_done(db, del, "replacing trays");
    }
    for (size_t i = 0; rc == 0 && i < m->n_trays; i++) {
        const struct gw_tray *t = &m->trays[i];
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, id);
        sqlite3_bind_int(ins, 2, t->index);
        gw_db_bind_text(ins, 3, t->type);
        gw_db_bind_text(ins, 4, t->name);
        gw_db_bind_text(ins, 5, t->description);
        gw_db_bind_text(ins, 6, t->media_name);
        gw_db_bind_text(ins, 7, t->media_type);
        gw_db_bind_text(ins, 8, t->dim_unit);
        sqlite3_bind_int64(ins, 9, t->media_feed);
        sqlite3_bind_int64(ins, 10, t->media_xfeed);
        gw_db_bind_text(ins, 11, t->capacity_unit);
        sqlite3_bind_int64(ins, 12, t->max_capacity);
        sqlite3_bind_int64(ins, 13, t->level_raw);
        sqlite3_bind_int(ins, 14, t->percent);
        gw_db_bind_text(ins, 15, gw_supply_state_name(t->state));
        sqlite3_bind_int(ins, 16, t->status);
        sqlite3_bind_int64(ins, 17, now);
        rc = gw_db_step_done(db, ins, "storing a tray");
    }
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    return rc;
}

struct stored_alert {
    int64_t id;
    int idx, group, code;
    bool seen;
};

static bool alert_same(const struct gw_alert *a, int idx, int group, int code)
{
    return a->index == idx && a->group == group && a->code == code;
}

/* The alert table is the device's current set: matching active rows are refreshed (first_seen
 * kept), new ones inserted, and rows the device no longer reports become inactive history.
 * An alert is the same alert while its index, group and code stay the same. */
static int store_alerts(struct gw_db *db, int64_t id, const struct gw_model *m, int64_t now)
{
    sqlite3_stmt *sel = NULL, *upd = NULL, *ins = NULL, *off = NULL;
    struct stored_alert *sa = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    if (gw_db_prepare(db,
                      "SELECT id, idx, \"group\", code FROM alerts "
                      "WHERE device_id = ?1 AND active = 1",
                      &sel) < 0 ||
        gw_db_prepare(db,
                      "UPDATE alerts SET severity = ?2, group_index = ?3, location = ?4, "
                      "training = ?5, description = ?6, last_seen = ?7 WHERE id = ?1",
                      &upd) < 0 ||
        gw_db_prepare(db,
                      "INSERT INTO alerts (device_id, idx, severity, \"group\", group_index, "
                      "location, code, training, description, first_seen, last_seen, active) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, 1)",
                      &ins) < 0 ||
        gw_db_prepare(db, "UPDATE alerts SET active = 0 WHERE id = ?1", &off) < 0) {
        rc = GW_E_DB;
        goto out;
    }
    sqlite3_bind_int64(sel, 1, id);
    while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            sa = gw_realloc(sa, cap * sizeof *sa);
        }
        sa[n].id = sqlite3_column_int64(sel, 0);
        sa[n].idx = sqlite3_column_int(sel, 1);
        sa[n].group = sqlite3_column_int(sel, 2);
        sa[n].code = sqlite3_column_int(sel, 3);
        sa[n].seen = false;
        n++;
    }
    rc = rc == SQLITE_DONE ? 0 : gw_db_fail(db, rc, "reading alerts");
    for (size_t i = 0; rc == 0 && i < m->n_alerts; i++) {
        const struct gw_alert *a = &m->alerts[i];
        int64_t match = 0;
        bool dup = false;
        /* The same alert twice in one poll is stored once. */
        for (size_t j = 0; j < i && !dup; j++)
            dup = alert_same(&m->alerts[j], a->index, a->group, a->code);
        if (dup)
            continue;
        for (size_t j = 0; j < n && !match; j++) {
            if (!sa[j].seen && alert_same(a, sa[j].idx, sa[j].group, sa[j].code)) {
                sa[j].seen = true;
                match = sa[j].id;
            }
        }
        if (match) {
            sqlite3_reset(upd);
            sqlite3_bind_int64(upd, 1, match);
            sqlite3_bind_int(upd, 2, a->severity);
            sqlite3_bind_int(upd, 3, a->group_index);
            sqlite3_bind_int(upd, 4, a->location);
            sqlite3_bind_int(upd, 5, a->training);
            gw_db_bind_text(upd, 6, a->description);
            sqlite3_bind_int64(upd, 7, now);
            rc = gw_db_step_done(db, upd, "refreshing an alert");
        } else {
            sqlite3_reset(ins);
            sqlite3_bind_int64(ins, 1, id);
            sqlite3_bind_int(ins, 2, a->index);
            sqlite3_bind_int(ins, 3, a->severity);
            sqlite3_bind_int(ins, 4, a->group);
            sqlite3_bind_int(ins, 5, a->group_index);
            sqlite3_bind_int(ins, 6, a->location);
            sqlite3_bind_int(ins, 7, a->code);
            sqlite3_bind_int(ins, 8, a->training);
            gw_db_bind_text(ins, 9, a->description);
            sqlite3_bind_int64(ins, 10, now);
            rc = gw_db_step_done(db, ins, "adding an alert");
        }
    }
    for (size_t j = 0; rc == 0 && j < n; j++) {
        if (sa[j].seen)
            continue;
        sqlite3_reset(off);
        sqlite3_bind_int64(off, 1, sa[j].id);
        rc = gw_db_step_done(db, off, "clearing an alert");
    }
out:
    free(sa);
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    sqlite3_finalize(ins);
    sqlite3_finalize(off);
    return rc;
}

int gw_store_poll_ok(struct gw_db *db, int64_t device_id, const struct gw_model *m, int64_t now)
{
    int rc = gw_db_begin(db);
    if (rc < 0)
        return rc;
    rc = update_identity(db, device_id, m, now);
    if (rc == 0)
        rc = store_counters(db, device_id, m, now);
    /* A poll that read neither supplies nor trays (status-only polls never do) keeps the
     * stored ones; one that read either replaces both, so a tray that went away goes. */
    if (rc == 0 && (m->n_supplies || m->n_trays))
        rc = store_supplies(db, device_id, m, now);
    if (rc == 0 && (m->n_supplies || m->n_trays))
        rc = store_trays(db, device_id, m, now);
    if (rc == 0)
        rc = store_alerts(db, device_id, m, now);
    if (rc == 0)
        rc = gw_db_commit(db);
    if (rc < 0)
        gw_db_rollback(db);
    return rc;
}

int gw_store_poll_failed(struct gw_db *db, int64_t device_id, const char *status, int64_t now)
{
    sqlite3_stmt *st;
    int rc;
    if (!status || (strcmp(status, "unreachable") != 0 && strcmp(status, "auth_failed") != 0 &&
                    strcmp(status, "error") != 0))
        return GW_E_INVAL;
    rc = gw_db_prepare(db, "UPDATE devices SET status = ?2, last_poll = ?3 WHERE id = ?1", &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, device_id);
    gw_db_bind_text(st, 2, status);
    sqlite3_bind_int64(st, 3, now);
    rc = gw_db_step_done(db, st, "recording a failed poll");
    if (rc == 0 && sqlite3_changes(gw_db_handle(db)) == 0)
        rc = GW_E_NOTFOUND;
    sqlite3_finalize(st);
    return rc;
}

int gw_event_add(struct gw_db *db, int64_t device_id, const char *kind, const char *detail,
                 int64_t now)
{
    sqlite3_stmt *st;
    int rc;
    if (!kind || !*kind)
        return GW_E_INVAL;
    rc = gw_db_prepare(
        db, "INSERT INTO events (device_id, ts, kind, detail) VALUES (?1, ?2, ?3, ?4)", &st);
    if (rc < 0)
        return rc;
    /* Gateway-wide events have no device. */
    if (device_id > 0)
        sqlite3_bind_int64(st, 1, device_id);
    else
        sqlite3_bind_null(st, 1);
    sqlite3_bind_int64(st, 2, now);
    gw_db_bind_text(st, 3, kind);
    gw_db_bind_text(st, 4, detail);
    rc = gw_db_step_done(db, st, "adding an event");
    sqlite3_finalize(st);
    return rc;
}

/* Details are usually JSON objects (counter_regression); embed them as such, else as text. */
static json_t *detail_json(sqlite3_stmt *st, int col)
{
    const char *s = (const char *)sqlite3_column_text(st, col);
    json_t *v;
    if (!s)
        return json_null();
    v = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
    if (v && (json_is_object(v) || json_is_array(v)))
        return v;
    json_decref(v);
    return json_string(s);
}

json_t *gw_event_list(struct gw_db *db, int64_t device_id, int limit)
{
    json_t *arr = json_array();
    sqlite3_stmt *st;
    if (gw_db_prepare(db,
                      "SELECT id, ts, kind, detail FROM events WHERE device_id = ?1 "
                      "ORDER BY ts DESC, id DESC LIMIT ?2",
                      &st) < 0)
        return arr;
    sqlite3_bind_int64(st, 1, device_id);
    sqlite3_bind_int(st, 2, limit > 0 ? limit : 100);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
        json_object_set_new(o, "ts", json_time(sqlite3_column_int64(st, 1)));
        json_object_set_new(o, "kind", json_string((const char *)sqlite3_column_text(st, 2)));
        json_object_set_new(o, "detail", detail_json(st, 3));
        json_array_append_new(arr, o);
    }
    sqlite3_finalize(st);
    return arr;
}

/* A text column, "" for NULL. The pointer dies at the next step (see sqlite3_column_text). */
static const char *column_str(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? (const char *)t : "";
}

json_t *gw_store_device_state(struct gw_db *db, int64_t device_id)
{
    json_t *state = NULL, *counters, *supplies, *trays, *alerts;
    sqlite3_stmt *st = NULL;
    if (gw_db_prepare(db, "SELECT 1 FROM devices WHERE id = ?1", &st) < 0)
        return NULL;
    sqlite3_bind_int64(st, 1, device_id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return NULL;
    }
    sqlite3_finalize(st);
    state = json_object();
    counters = json_array();
    supplies = json_array();
    trays = json_array();
    alerts = json_array();
    json_object_set_new(state, "counters", counters);
    json_object_set_new(state, "supplies", supplies);
    json_object_set_new(state, "trays", trays);
    json_object_set_new(state, "alerts", alerts);

    if (gw_db_prepare(db,
                      "SELECT name, oid, value, ts FROM counters_latest WHERE device_id = ?1 "
                      "ORDER BY name",
                      &st) == 0) {
        sqlite3_bind_int64(st, 1, device_id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            json_t *o = json_object();
            json_object_set_new(o, "name", json_string((const char *)sqlite3_column_text(st, 0)));
            json_object_set_new(o, "oid", json_string((const char *)sqlite3_column_text(st, 1)));
            json_object_set_new(o, "value", json_integer(sqlite3_column_int64(st, 2)));
            json_object_set_new(o, "ts", json_time(sqlite3_column_int64(st, 3)));
            json_array_append_new(counters, o);
        }
        sqlite3_finalize(st);
    }
    if (gw_db_prepare(db,
                      "SELECT idx, type, color, description, level_raw, max_capacity, percent, "
                      "state, ts FROM supplies WHERE device_id = ?1 ORDER BY type, idx",
                      &st) == 0) {
        sqlite3_bind_int64(st, 1, device_id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            json_t *o = json_object();
            int pct = sqlite3_column_int(st, 6);
            json_object_set_new(o, "index", json_integer(sqlite3_column_int(st, 0)));
            json_object_set_new(o, "type", json_string((const char *)sqlite3_column_text(st, 1)));
            json_object_set_new(o, "color", json_string((const char *)sqlite3_column_text(st, 2)));
            json_object_set_new(o, "description",
                                json_string((const char *)sqlite3_column_text(st, 3)));
            json_object_set_new(o, "level_raw", json_integer(sqlite3_column_int64(st, 4)));
            json_object_set_new(o, "max_capacity", json_integer(sqlite3_column_int64(st, 5)));
            json_object_set_new(o, "percent", pct >= 0 ? json_integer(pct) : json_null());
            json_object_set_new(o, "state", json_string((const char *)sqlite3_column_text(st, 7)));
            json_object_set_new(o, "ts", json_time(sqlite3_column_int64(st, 8)));
            json_array_append_new(supplies, o);
        }
        sqlite3_finalize(st);
    }
    if (gw_db_prepare(db,
                      "SELECT idx, type, name, description, media_name, media_type, dim_unit, "
                      "media_feed, media_xfeed, capacity_unit, max_capacity, level_raw, "
                      "status, ts FROM trays WHERE device_id = ?1 ORDER BY idx",
                      &st) == 0) {
        sqlite3_bind_int64(st, 1, device_id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            /* Through the model's own JSON, so the API and `fleetgw probe --json` agree; the
             * state is recomputed from the stored numbers by the same rule. */
            struct gw_tray t;
            json_t *o;
            memset(&t, 0, sizeof t);
            t.index = sqlite3_column_int(st, 0);
            gw_strlcpy(t.type, column_str(st, 1), sizeof t.type);
            gw_strlcpy(t.name, column_str(st, 2), sizeof t.name);
            gw_strlcpy(t.description, column_str(st, 3), sizeof t.description);
            gw_strlcpy(t.media_name, column_str(st, 4), sizeof t.media_name);
            gw_strlcpy(t.media_type, column_str(st, 5), sizeof t.media_type);
            gw_strlcpy(t.dim_unit, column_str(st, 6), sizeof t.dim_unit);
            t.media_feed = (long)sqlite3_column_int64(st, 7);
            t.media_xfeed = (long)sqlite3_column_int64(st, 8);
            gw_strlcpy(t.capacity_unit, column_str(st, 9), sizeof t.capacity_unit);
            t.max_capacity = (long)sqlite3_column_int64(st, 10);
            t.level_raw = (long)sqlite3_column_int64(st, 11);
            t.status = sqlite3_column_int(st, 12);
            t.state = gw_tray_state(t.level_raw, t.max_capacity, &t.percent);
            o = gw_tray_to_json(&t);
            json_object_set_new(o, "ts", json_time(sqlite3_column_int64(st, 13)));
            json_array_append_new(trays, o);
        }
        sqlite3_finalize(st);
    }
    if (gw_db_prepare(db,
                      "SELECT idx, severity, \"group\", group_index, location, code, training, "
                      "description, first_seen, last_seen FROM alerts "
                      "WHERE device_id = ?1 AND active = 1 ORDER BY idx, id",
                      &st) == 0) {
        sqlite3_bind_int64(st, 1, device_id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            json_t *o = json_object();
            json_object_set_new(o, "index", json_integer(sqlite3_column_int(st, 0)));
            json_object_set_new(o, "severity", json_integer(sqlite3_column_int(st, 1)));
            json_object_set_new(o, "group", json_integer(sqlite3_column_int(st, 2)));
            json_object_set_new(o, "group_index", json_integer(sqlite3_column_int(st, 3)));
            json_object_set_new(o, "location", json_integer(sqlite3_column_int(st, 4)));
            json_object_set_new(o, "code", json_integer(sqlite3_column_int(st, 5)));
            json_object_set_new(o, "training", json_integer(sqlite3_column_int(st, 6)));
            json_object_set_new(o, "description",
                                json_string((const char *)sqlite3_column_text(st, 7)));
            json_object_set_new(o, "first_seen", json_time(sqlite3_column_int64(st, 8)));
            json_object_set_new(o, "last_seen", json_time(sqlite3_column_int64(st, 9)));
            gw_alert_json_text(o, (const char *)sqlite3_column_text(st, 7),
                               sqlite3_column_int(st, 5));
            json_array_append_new(alerts, o);
        }
        sqlite3_finalize(st);
    }
    return state;
}

/* Deletes in batches, each its own transaction, so a first prune after a long time does not
 * hold the write lock (and the loop) for one huge delete. */
static int prune_table(struct gw_db *db, const char *sql, int64_t cutoff)
{
    sqlite3_stmt *st;
    int rc, n;
    do {
        rc = gw_db_begin(db);
        if (rc < 0)
            return rc;
        rc = gw_db_prepare(db, sql, &st);
        if (rc == 0) {
            sqlite3_bind_int64(st, 1, cutoff);
            rc = gw_db_step_done(db, st, "pruning");
            sqlite3_finalize(st);
        }
        n = rc == 0 ? sqlite3_changes(gw_db_handle(db)) : 0;
        if (rc == 0)
            rc = gw_db_commit(db);
        if (rc < 0) {
            gw_db_rollback(db);
            return rc;
        }
    } while (n > 0);
    return 0;
}

int gw_store_prune(struct gw_db *db, int days, int64_t now)
{
    int64_t cutoff;
    int rc;
    if (days < 1)
        return GW_E_INVAL;
    cutoff = now - (int64_t)days * 86400;
    rc = prune_table(db,
                     "DELETE FROM counter_readings WHERE rowid IN (SELECT rowid FROM "
                     "counter_readings WHERE ts < ?1 LIMIT 20000)",
                     cutoff);
    if (rc == 0)
        rc = prune_table(db,
                         "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE ts < ?1 "
                         "LIMIT 20000)",
                         cutoff);
    if (rc == 0)
        rc = prune_table(db,
                         "DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE active = 0 "
                         "AND last_seen < ?1 LIMIT 20000)",
                         cutoff);
    return rc;
}
