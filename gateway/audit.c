/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The audit log: who did what, from where, with which result. Each record stores the hash of
 * the previous one and its own hash, SHA-256 over the previous hash and the record's canonical
 * form, so editing, deleting or reordering a record breaks the chain from that record on and
 * gw_audit_verify() names the first bad one. The newest id and hash are also kept in the
 * settings table, which makes cutting records off the end visible too.
 *
 * This makes tampering evident, not impossible: whoever can write the database can rebuild the
 * whole chain. Every record is therefore also logged on the AUDIT group (journald), a second
 * copy outside the database.
 *
 * Canonical form: the decimal id and ts, then user, source, action, result and detail, each as
 * "<byte length>:<bytes>" (detail NULL as "-"), separated by '\n'. Length prefixes keep
 * ("ab", "c") and ("a", "bc") apart.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "gateway/gw_int.h"

#define HASH_HEX 64
#define HEAD_KEY "audit.head"

static const char genesis[HASH_HEX + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

static void field(EVP_MD_CTX *md, const char *s)
{
    char len[24];
    if (!s) {
        EVP_DigestUpdate(md, "-\n", 2);
        return;
    }
    snprintf(len, sizeof len, "%zu:", strlen(s));
    EVP_DigestUpdate(md, len, strlen(len));
    EVP_DigestUpdate(md, s, strlen(s));
    EVP_DigestUpdate(md, "\n", 1);
}

/* Computes the record hash as lower-case hex into out. Returns: 0 or GW_E_CRYPTO. */
static int record_hash(const char *prev, int64_t id, int64_t ts, const char *user,
                       const char *source, const char *action, const char *result,
                       const char *detail, char out[HASH_HEX + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char dig[32];
    unsigned int diglen = 0;
    char num[48];
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
    if (ok) {
        EVP_DigestUpdate(md, prev, strlen(prev));
        snprintf(num, sizeof num, "\n%lld\n%lld\n", (long long)id, (long long)ts);
        EVP_DigestUpdate(md, num, strlen(num));
        field(md, user);
        field(md, source);
        field(md, action);
        field(md, result);
        field(md, detail);
        ok = EVP_DigestFinal_ex(md, dig, &diglen) == 1 && diglen == sizeof dig;
    }
    EVP_MD_CTX_free(md);
    if (!ok)
        return GW_E_CRYPTO;
    for (size_t i = 0; i < sizeof dig; i++) {
        out[2 * i] = hex[dig[i] >> 4];
        out[2 * i + 1] = hex[dig[i] & 0xf];
    }
    out[HASH_HEX] = '\0';
    return 0;
}

int gw_audit_add(struct gw_db *db, const char *user, const char *source, const char *action,
                 const char *result, const char *detail)
{
    char prev[HASH_HEX + 1], hash[HASH_HEX + 1], head[HASH_HEX + 32];
    sqlite3_stmt *st = NULL;
    int64_t ts = gw_now(), id;
    int rc;
    user = user ? user : "";
    source = source ? source : "";
    action = action ? action : "";
    result = result ? result : "";
    /* The log line goes out even when the database write fails: an action must not vanish
     * from the record because the disk was full. */
    gw_log_notice(AUDIT, "user=%s source=%s action=%s result=%s detail=%s", user, source, action,
                  result, detail ? detail : "-");
    rc = gw_db_begin(db);
    if (rc < 0)
        return rc;
    memcpy(prev, genesis, sizeof prev);
    rc = gw_db_prepare(db, "SELECT hash FROM audit ORDER BY id DESC LIMIT 1", &st);
    if (rc < 0)
        goto fail;
    if (sqlite3_step(st) == SQLITE_ROW)
        gw_db_column_copy(st, 0, prev, sizeof prev);
    sqlite3_finalize(st);
    /* The id is part of the hash, so insert first, then hash and fill in. */
    rc = gw_db_prepare(db,
                       "INSERT INTO audit (ts, user, source, action, result, detail, prev_hash, "
                       "hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '')",
                       &st);
    if (rc < 0)
        goto fail;
    sqlite3_bind_int64(st, 1, ts);
    gw_db_bind_text(st, 2, user);
    gw_db_bind_text(st, 3, source);
    gw_db_bind_text(st, 4, action);
    gw_db_bind_text(st, 5, result);
    gw_db_bind_text(st, 6, detail);
    gw_db_bind_text(st, 7, prev);
    rc = gw_db_step_done(db, st, "adding an audit record");
    sqlite3_finalize(st);
    if (rc < 0)
        goto fail;
    id = sqlite3_last_insert_rowid(gw_db_handle(db));
    rc = record_hash(prev, id, ts, user, source, action, result, detail, hash);
    if (rc < 0)
        goto fail;
    rc = gw_db_prepare(db, "UPDATE audit SET hash = ?2 WHERE id = ?1", &st);
    if (rc < 0)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    gw_db_bind_text(st, 2, hash);
    rc = gw_db_step_done(db, st, "sealing an audit record");
    sqlite3_finalize(st);
    snprintf(head, sizeof head, "%lld:%s", (long long)id, hash);
    if (rc == 0)
        rc = gw_setting_set(db, HEAD_KEY, head);
    if (rc == 0)
        rc = gw_db_commit(db);
    if (rc < 0)
        goto fail;
    return 0;

fail:
    gw_db_rollback(db);
    gw_log_err_r(AUDIT, rc, "audit record not stored action=%s", action);
    return rc;
}

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

int gw_audit_verify(struct gw_db *db, struct gw_errbuf *eb)
{
    char prev[HASH_HEX + 1], hash[HASH_HEX + 1], head[HASH_HEX + 32], want[HASH_HEX + 32];
    sqlite3_stmt *st;
    int64_t last_id = 0, n = 0;
    long long head_id;
    int rc, src;
    memcpy(prev, genesis, sizeof prev);
    rc = gw_db_prepare(db,
                       "SELECT id, ts, user, source, action, result, detail, prev_hash, hash "
                       "FROM audit ORDER BY id",
                       &st);
    if (rc < 0)
        return gw_errbuf_set(eb, rc, "cannot read the audit log");
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        const char *stored_prev = col(st, 7), *stored = col(st, 8);
        if (!stored_prev || strcmp(stored_prev, prev) != 0) {
            rc = gw_errbuf_set(eb, GW_E_TAMPER,
                               "audit record %lld does not follow %s (a record before it was "
                               "removed, reordered or edited)",
                               (long long)id, n ? "the record before it" : "the start of the log");
            break;
        }
        rc = record_hash(prev, id, sqlite3_column_int64(st, 1), col(st, 2), col(st, 3), col(st, 4),
                         col(st, 5), col(st, 6), hash);
        if (rc < 0) {
            gw_errbuf_set(eb, rc, "cannot hash audit record %lld", (long long)id);
            break;
        }
        if (!stored || strcmp(stored, hash) != 0) {
            rc = gw_errbuf_set(eb, GW_E_TAMPER,
                               "audit record %lld does not match its hash (it was edited)",
                               (long long)id);
            break;
        }
        memcpy(prev, hash, sizeof prev);
        last_id = id;
        n++;
    }
    if (rc == 0 && src != SQLITE_DONE)
        rc = gw_errbuf_set(eb, gw_db_fail(db, src, "reading the audit log"),
                           "cannot read the audit log");
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    /* The chain cannot show records cut off its end; the head stored with every add can. */
    rc = gw_setting_get(db, HEAD_KEY, head, sizeof head);
    if (rc == GW_E_NOTFOUND && n == 0)
        return 0;
    snprintf(want, sizeof want, "%lld:%s", (long long)last_id, prev);
    if (rc == 0 && strcmp(head, want) == 0)
        return 0;
    head_id = rc == 0 ? strtoll(head, NULL, 10) : 0;
    if (head_id > last_id)
        return gw_errbuf_set(eb, GW_E_TAMPER,
                             "audit record %lld is missing: the log ends at record %lld but "
                             "record %lld was written (records were removed from the end)",
                             (long long)last_id + 1, (long long)last_id, head_id);
    return gw_errbuf_set(eb, GW_E_TAMPER,
                         "audit record %lld does not match the recorded head of the log (the "
                         "chain was rewritten or the head removed)",
                         (long long)last_id);
}
