/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The outbox: every message for the cloud is committed here before any transport sees it, and
 * deleted only when the broker acknowledged it (PUBACK) or the HTTPS endpoint answered 2xx.
 * libmosquitto's own queue is RAM only and unbounded, so it cannot be the record of what is
 * owed; this table is (notes/library-integration.md 4.2).
 *
 * A message is stored finished: anonymized, wrapped in its envelope with an id and sequence
 * number fixed now, and gzip-compressed. A redelivery after a reconnect, a broker restart or a
 * crash therefore sends the same bytes with the same id, and the cloud de-duplicates on it.
 *
 * The outbox is bounded by bytes and age. Eviction takes the lowest priority first and, within
 * it, the oldest; each eviction is counted (settings up.evicted_total) and remembered as a gap
 * (up.gap) until a data_gap message describing it has been queued when the link is back.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>
#include <sqlite3.h>
#include <zlib.h>

#include "uplink/up_int.h"

static const struct gw_db_migration up_steps[] = {
    {1, "CREATE TABLE up_outbox ("
        "  id INTEGER PRIMARY KEY,"
        "  msg_id TEXT NOT NULL UNIQUE,"
        "  seq INTEGER NOT NULL,"
        "  kind TEXT NOT NULL,"
        "  prio INTEGER NOT NULL,"
        "  created INTEGER NOT NULL,"
        "  size INTEGER NOT NULL,"
        "  payload BLOB NOT NULL"
        ");"
        "CREATE INDEX up_outbox_evict ON up_outbox(prio, id);"
        /* Sealed secrets (token, proxy password), one row each; the vault binds a record to
         * this table, its name column and row 1. */
        "CREATE TABLE up_secrets ("
        "  name TEXT PRIMARY KEY,"
        "  blob BLOB NOT NULL"
        ") WITHOUT ROWID;"
        /* Answers to tasks, so a redelivered task is answered again, not run again. */
        "CREATE TABLE up_tasks ("
        "  task_id TEXT PRIMARY KEY,"
        "  received INTEGER NOT NULL,"
        "  status TEXT NOT NULL"
        ") WITHOUT ROWID;"},
    /* Events (alerts, device changes) waiting for their batch: committed at once, turned into
     * outbox messages when the batch window closes. */
    {2, "CREATE TABLE up_staged ("
        "  id INTEGER PRIMARY KEY,"
        "  kind TEXT NOT NULL,"
        "  body TEXT NOT NULL"
        ");"},
};

int up__queue_migrate(struct gw_db *db, struct gw_errbuf *eb)
{
    return gw_db_migrate_module(db, "up", up_steps, sizeof up_steps / sizeof up_steps[0], eb);
}

static int db_fail(struct gw_db *db, const char *what)
{
    gw_log_err(UP, "outbox %s failed: %s", what, sqlite3_errmsg(gw_db_handle(db)));
    return GW_E_DB;
}

int64_t up__setting_int(struct gw_db *db, const char *key, int64_t def)
{
    char buf[32];
    if (gw_setting_get(db, key, buf, sizeof buf) < 0 || !buf[0])
        return def;
    return strtoll(buf, NULL, 10);
}

int up__setting_set_int(struct gw_db *db, const char *key, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    return gw_setting_set(db, key, buf);
}

void up__random_id(char out[33])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    /* RAND_bytes only fails without an entropy source; a counter-free id would then collide,
     * so fall back to the clock mixed with the address of a stack object rather than abort. */
    if (RAND_bytes(b, sizeof b) != 1) {
        uint64_t t = (uint64_t)gw_now() ^ (uint64_t)(uintptr_t)&b;
        for (size_t i = 0; i < sizeof b; i++)
            b[i] = (unsigned char)(t >> ((i % 8) * 8)) ^ (unsigned char)i;
    }
    for (size_t i = 0; i < sizeof b; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[32] = '\0';
}

void up__queue_totals(struct gw_db *db, int64_t *messages, int64_t *bytes)
{
    sqlite3_stmt *st = NULL;
    *messages = *bytes = 0;
    if (gw_db_prepare(db, "SELECT count(*), coalesce(sum(size), 0) FROM up_outbox", &st) < 0) {
        sqlite3_finalize(st);
        return;
    }
    if (sqlite3_step(st) == SQLITE_ROW) {
        *messages = sqlite3_column_int64(st, 0);
        *bytes = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
}

/* Adds n evicted messages (seq range lo..hi, created t0..t1) to the counters and the pending
 * gap. Runs inside the caller's transaction. */
static int note_eviction(struct gw_db *db, int64_t n, int64_t lo, int64_t hi, int64_t t0,
                         int64_t t1)
{
    char buf[512];
    json_t *gap = NULL;
    int rc;
    if (n <= 0)
        return 0;
    if (gw_setting_get(db, UP_K_GAP, buf, sizeof buf) == 0 && buf[0])
        gap = json_loads(buf, 0, NULL);
    if (!json_is_object(gap)) {
        json_decref(gap);
        gap = json_pack("{s:I, s:I, s:I, s:I, s:I}", "count", (json_int_t)0, "from_seq",
                        (json_int_t)lo, "to_seq", (json_int_t)hi, "from_ts", (json_int_t)t0,
                        "to_ts", (json_int_t)t1);
    }
    json_object_set_new(gap, "count",
                        json_integer(json_integer_value(json_object_get(gap, "count")) + n));
    if (lo < json_integer_value(json_object_get(gap, "from_seq")))
        json_object_set_new(gap, "from_seq", json_integer(lo));
    if (hi > json_integer_value(json_object_get(gap, "to_seq")))
        json_object_set_new(gap, "to_seq", json_integer(hi));
    if (t0 < json_integer_value(json_object_get(gap, "from_ts")))
        json_object_set_new(gap, "from_ts", json_integer(t0));
    if (t1 > json_integer_value(json_object_get(gap, "to_ts")))
        json_object_set_new(gap, "to_ts", json_integer(t1));
    char *s = json_dumps(gap, JSON_COMPACT);
    json_decref(gap);
    rc = gw_setting_set(db, UP_K_GAP, s);
    free(s);
    if (rc == 0)
        rc = up__setting_set_int(db, UP_K_EVICTED, up__setting_int(db, UP_K_EVICTED, 0) + n);
    gw_log_warn(UP, "outbox full or too old, evicted messages=%lld seq=%lld..%lld", (long long)n,
                (long long)lo, (long long)hi);
    return rc;
}

/* Deletes the oldest rows of the lowest priority until need more bytes fit under max_bytes.
 * Runs inside the caller's transaction. */
static int evict_for(struct gw_db *db, int64_t need, int64_t max_bytes)
{
    int64_t msgs, bytes, n = 0, lo = INT64_MAX, hi = 0, t0 = INT64_MAX, t1 = 0;
    sqlite3_stmt *sel = NULL, *del = NULL;
    int rc = 0;
    up__queue_totals(db, &msgs, &bytes);
    if (bytes + need <= max_bytes)
        return 0;
    if (gw_db_prepare(db, "SELECT id, seq, created, size FROM up_outbox ORDER BY prio, id", &sel) <
            0 ||
        gw_db_prepare(db, "DELETE FROM up_outbox WHERE id = ?1", &del) < 0) {
        rc = db_fail(db, "eviction");
        goto out;
    }
    /* Collect first, delete after: deleting rows under a running SELECT is allowed in sqlite
     * but would make the scan order depend on it. */
    int64_t *rows = NULL;
    size_t nrows = 0, cap = 0;
    while (bytes + need > max_bytes && sqlite3_step(sel) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(sel, 1), created = sqlite3_column_int64(sel, 2);
        if (nrows == cap) {
            cap = cap ? cap * 2 : 64;
            rows = gw_realloc(rows, cap * sizeof *rows);
        }
        rows[nrows++] = sqlite3_column_int64(sel, 0);
        bytes -= sqlite3_column_int64(sel, 3);
        lo = seq < lo ? seq : lo;
        hi = seq > hi ? seq : hi;
        t0 = created < t0 ? created : t0;
        t1 = created > t1 ? created : t1;
        n++;
    }
    sqlite3_reset(sel);
    for (size_t i = 0; i < nrows && rc == 0; i++) {
        sqlite3_bind_int64(del, 1, rows[i]);
        if (sqlite3_step(del) != SQLITE_DONE)
            rc = db_fail(db, "eviction");
        sqlite3_reset(del);
    }
    free(rows);
    if (rc == 0)
        rc = note_eviction(db, n, lo, hi, t0, t1);
out:
    sqlite3_finalize(sel);
    sqlite3_finalize(del);
    return rc;
}

/* The envelope of docs/uplink.md section 5, serialized and compressed. */
static int seal(struct gw_db *db, const char *kind, json_t *body, const char *id, int64_t seq,
                unsigned char **out, size_t *outlen)
{
    char gwid[80] = "", ts[21];
    gw_setting_get(db, UP_K_GWID, gwid, sizeof gwid);
    json_t *env =
        json_pack("{s:i, s:s, s:I, s:s, s:s, s:s, s:O}", "v", 1, "id", id, "seq", (json_int_t)seq,
                  "gw", gwid, "kind", kind, "ts", gw_time_iso(gw_now(), ts), "body", body);
    char *text = json_dumps(env, JSON_COMPACT);
    json_decref(env);
    if (!text)
        return GW_E_INTERNAL;
    int rc = up__gzip(text, strlen(text), out, outlen);
    free(text);
    return rc;
}

int up__gzip(const void *in, size_t len, unsigned char **out, size_t *outlen)
{
    z_stream z = {0};
    /* windowBits 15 + 16 asks zlib for a gzip header and trailer. */
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return GW_E_INTERNAL;
    size_t cap = deflateBound(&z, (uLong)len) + 32;
    unsigned char *buf = gw_malloc(cap);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = buf;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(buf);
        return GW_E_INTERNAL;
    }
    *out = buf;
    *outlen = z.total_out;
    return 0;
}

int up__queue_put(struct gw_db *db, const char *kind, int prio, json_t *body, int64_t max_bytes)
{
    char id[33];
    unsigned char *data = NULL;
    size_t len = 0;
    sqlite3_stmt *st = NULL;
    int rc;

    /* The single anonymization boundary: nothing reaches the outbox, and so nothing reaches
     * the cloud, without passing here. The body is copied so callers keep what they passed. */
    json_t *b = json_deep_copy(body);
    const struct up_anon *a = up__anon_current(db);
    if (a)
        up__anon_json(a, b);
    up__random_id(id);
    rc = gw_db_begin(db);
    if (rc < 0) {
        json_decref(b);
        return rc;
    }
    int64_t seq = up__setting_int(db, UP_K_SEQ, 0) + 1;
    rc = seal(db, kind, b, id, seq, &data, &len);
    json_decref(b);
    if (rc == 0 && (int64_t)len > max_bytes) {
        gw_log_err(UP, "message larger than the whole outbox, dropped kind=%s bytes=%zu", kind,
                   len);
        rc = note_eviction(db, 1, seq, seq, gw_now(), gw_now());
        if (rc == 0)
            rc = up__setting_set_int(db, UP_K_SEQ, seq);
        if (rc == 0)
            rc = gw_db_commit(db);
        else
            gw_db_rollback(db);
        free(data);
        return rc < 0 ? rc : GW_E_TOOBIG;
    }
    if (rc == 0)
        rc = evict_for(db, (int64_t)len, max_bytes);
    if (rc == 0 && gw_db_prepare(db,
                                 "INSERT INTO up_outbox (msg_id, seq, kind, prio, created, size, "
                                 "payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                 &st) < 0)
        rc = db_fail(db, "insert");
    if (rc == 0) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, seq);
        sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, prio);
        sqlite3_bind_int64(st, 5, gw_now());
        sqlite3_bind_int64(st, 6, (int64_t)len);
        sqlite3_bind_blob(st, 7, data, (int)len, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_fail(db, "insert");
    }
    sqlite3_finalize(st);
    free(data);
    if (rc == 0)
        rc = up__setting_set_int(db, UP_K_SEQ, seq);
    if (rc == 0)
        rc = gw_db_commit(db);
    else
        gw_db_rollback(db);
    if (rc == 0)
        gw_log_debug(UP, "queued kind=%s seq=%lld bytes=%zu", kind, (long long)seq, len);
    return rc;
}

int up__queue_expire(struct gw_db *db, int64_t max_age_s, int64_t now)
{
    sqlite3_stmt *st = NULL;
    int64_t n = 0, lo = 0, hi = 0, t0 = 0, t1 = 0;
    int rc = gw_db_begin(db);
    if (rc < 0)
        return rc;
    if (gw_db_prepare(db,
                      "SELECT count(*), min(seq), max(seq), min(created), max(created) "
                      "FROM up_outbox WHERE created < ?1",
                      &st) < 0) {
        gw_db_rollback(db);
        return db_fail(db, "expiry");
    }
    sqlite3_bind_int64(st, 1, now - max_age_s);
    if (sqlite3_step(st) == SQLITE_ROW) {
        n = sqlite3_column_int64(st, 0);
        lo = sqlite3_column_int64(st, 1);
        hi = sqlite3_column_int64(st, 2);
        t0 = sqlite3_column_int64(st, 3);
        t1 = sqlite3_column_int64(st, 4);
    }
    sqlite3_finalize(st);
    if (n > 0) {
        char sql[96];
        snprintf(sql, sizeof sql, "DELETE FROM up_outbox WHERE created < %lld",
                 (long long)(now - max_age_s));
        if (sqlite3_exec(gw_db_handle(db), sql, NULL, NULL, NULL) != SQLITE_OK)
            rc = db_fail(db, "expiry");
        if (rc == 0)
            rc = note_eviction(db, n, lo, hi, t0, t1);
    }
    if (rc == 0)
        rc = gw_db_commit(db);
    else
        gw_db_rollback(db);
    return rc < 0 ? rc : (int)n;
}

int up__queue_gap_flush(struct gw_db *db, int64_t max_bytes)
{
    char buf[512], t0[21], t1[21];
    json_t *gap;
    int rc;
    if (gw_setting_get(db, UP_K_GAP, buf, sizeof buf) < 0 || !buf[0])
        return 0;
    gap = json_loads(buf, 0, NULL);
    if (!json_is_object(gap)) {
        json_decref(gap);
        gw_setting_set(db, UP_K_GAP, "");
        return 0;
    }
    json_t *body = json_pack(
        "{s:O, s:O, s:O, s:s, s:s, s:I}", "evicted", json_object_get(gap, "count"), "from_seq",
        json_object_get(gap, "from_seq"), "to_seq", json_object_get(gap, "to_seq"), "from_ts",
        gw_time_iso(json_integer_value(json_object_get(gap, "from_ts")), t0), "to_ts",
        gw_time_iso(json_integer_value(json_object_get(gap, "to_ts")), t1), "evicted_total",
        (json_int_t)up__setting_int(db, UP_K_EVICTED, 0));
    json_decref(gap);
    /* Clear first: a data_gap that is itself evicted later starts a new gap record. */
    rc = gw_setting_set(db, UP_K_GAP, "");
    if (rc == 0)
        rc = up__queue_put(db, "data_gap", UP_PRIO_CONTROL, body, max_bytes);
    json_decref(body);
    return rc < 0 ? rc : 1;
}

int up__queue_peek(struct gw_db *db, struct up_msg *out, int max, const int64_t *skip, int nskip)
{
    sqlite3_stmt *st = NULL;
    int n = 0;
    if (gw_db_prepare(db,
                      "SELECT id, msg_id, kind, payload FROM up_outbox "
                      "ORDER BY prio DESC, id LIMIT ?1",
                      &st) < 0)
        return db_fail(db, "read");
    sqlite3_bind_int(st, 1, max + nskip);
    while (n < max && sqlite3_step(st) == SQLITE_ROW) {
        int64_t row = sqlite3_column_int64(st, 0);
        bool busy = false;
        for (int i = 0; i < nskip && !busy; i++)
            busy = skip[i] == row;
        if (busy)
            continue;
        struct up_msg *m = &out[n++];
        memset(m, 0, sizeof *m);
        m->row = row;
        /* sqlite's pointers die at the next step: copy. */
        gw_strlcpy(m->id, (const char *)sqlite3_column_text(st, 1), sizeof m->id);
        gw_strlcpy(m->kind, (const char *)sqlite3_column_text(st, 2), sizeof m->kind);
        m->len = (size_t)sqlite3_column_bytes(st, 3);
        m->data = gw_malloc(m->len ? m->len : 1);
        memcpy(m->data, sqlite3_column_blob(st, 3), m->len);
    }
    sqlite3_finalize(st);
    return n;
}

void up__msg_cleanup(struct up_msg *m)
{
    GW_FREE(m->data);
    m->len = 0;
}

int up__queue_ack(struct gw_db *db, const int64_t *rows, int n)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (n <= 0)
        return 0;
    rc = gw_db_begin(db);
    if (rc < 0)
        return rc;
    if (gw_db_prepare(db, "DELETE FROM up_outbox WHERE id = ?1", &st) < 0)
        rc = db_fail(db, "delete");
    for (int i = 0; i < n && rc == 0; i++) {
        sqlite3_bind_int64(st, 1, rows[i]);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_fail(db, "delete");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (rc == 0)
        rc = up__setting_set_int(db, UP_K_LAST, gw_now());
    if (rc == 0)
        rc = gw_db_commit(db);
    else
        gw_db_rollback(db);
    return rc;
}

int up__secret_set(struct gw_db *db, const struct gw_vault *v, const char *name, const char *pt)
{
    sqlite3_stmt *st = NULL;
    unsigned char *blob = NULL;
    size_t len = 0;
    int rc;
    if (!pt) {
        if (gw_db_prepare(db, "DELETE FROM up_secrets WHERE name = ?1", &st) < 0)
            return db_fail(db, "secret delete");
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(db, "secret delete");
        sqlite3_finalize(st);
        return rc;
    }
    rc = gw_vault_seal(v, UP_TBL_SECRETS, name, 1, pt, strlen(pt), &blob, &len);
    if (rc < 0)
        return rc;
    if (gw_db_prepare(db, "INSERT OR REPLACE INTO up_secrets (name, blob) VALUES (?1, ?2)", &st) <
        0) {
        free(blob);
        return db_fail(db, "secret store");
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, blob, (int)len, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(db, "secret store");
    sqlite3_finalize(st);
    free(blob);
    return rc;
}

char *up_secret_get(struct gw_db *db, const struct gw_vault *v, const char *name)
{
    sqlite3_stmt *st = NULL;
    char *pt = NULL;
    size_t ptlen = 0;
    if (!v || gw_db_prepare(db, "SELECT blob FROM up_secrets WHERE name = ?1", &st) < 0) {
        sqlite3_finalize(st);
        return NULL;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        int rc = gw_vault_unseal(v, UP_TBL_SECRETS, name, 1, sqlite3_column_blob(st, 0),
                                 (size_t)sqlite3_column_bytes(st, 0), &pt, &ptlen);
        if (rc < 0) {
            gw_log_err_r(UP, rc, "cannot unseal secret=%s", name);
            pt = NULL;
        }
    }
    sqlite3_finalize(st);
    return pt;
}

int up__stage_put(struct gw_db *db, const char *kind, json_t *body)
{
    sqlite3_stmt *st = NULL;
    char *text = json_dumps(body, JSON_COMPACT);
    int rc = 0;
    if (!text)
        return GW_E_INTERNAL;
    if (gw_db_prepare(db, "INSERT INTO up_staged (kind, body) VALUES (?1, ?2)", &st) < 0)
        rc = db_fail(db, "staging");
    if (rc == 0) {
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_fail(db, "staging");
    }
    sqlite3_finalize(st);
    free(text);
    return rc;
}

int64_t up__stage_count(struct gw_db *db)
{
    sqlite3_stmt *st = NULL;
    int64_t n = 0;
    if (gw_db_prepare(db, "SELECT count(*) FROM up_staged", &st) == 0 &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Queues one batch: a single event keeps its own kind and body, more become "<kind>_batch"
 * with {"events": [...]} (docs/uplink.md section 5). */
static int stage_emit(struct gw_db *db, const char *kind, json_t *events, int64_t max_bytes)
{
    char bkind[24];
    int rc;
    if (json_array_size(events) == 1)
        return up__queue_put(db, kind, UP_PRIO_EVENT, json_array_get(events, 0), max_bytes);
    snprintf(bkind, sizeof bkind, "%s_batch", kind);
    json_t *body = json_pack("{s:O}", "events", events);
    rc = up__queue_put(db, bkind, UP_PRIO_EVENT, body, max_bytes);
    json_decref(body);
    return rc;
}

int up__stage_flush(struct gw_db *db, int max_events, int64_t max_bytes)
{
    sqlite3_stmt *st = NULL;
    int rc, queued = 0;
    /* Kinds in first-seen order, each with its pending events, at most max_events a message. */
    struct {
        char kind[16];
        json_t *events;
    } k[4];
    int nk = 0;
    if (max_events < 1)
        max_events = 1;
    rc = gw_db_begin(db);
    if (rc < 0)
        return rc;
    if (gw_db_prepare(db, "SELECT kind, body FROM up_staged ORDER BY id", &st) < 0)
        rc = db_fail(db, "staging");
    int step = SQLITE_DONE;
    while (rc >= 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(st, 0);
        json_t *body = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL);
        int i;
        if (!kind || !body)
            continue; /* unreadable row: dropped with the rest below */
        for (i = 0; i < nk && strcmp(k[i].kind, kind) != 0; i++)
            ;
        if (i == nk) {
            if (nk == (int)(sizeof k / sizeof k[0])) {
                json_decref(body);
                continue;
            }
            gw_strlcpy(k[nk].kind, kind, sizeof k[nk].kind);
            k[nk].events = json_array();
            nk++;
        }
        json_array_append_new(k[i].events, body);
        if ((int)json_array_size(k[i].events) >= max_events) {
            int r = stage_emit(db, k[i].kind, k[i].events, max_bytes);
            if (r < 0 && r != GW_E_TOOBIG)
                rc = r;
            queued++;
            json_array_clear(k[i].events);
        }
    }
    /* The DELETE below empties the whole table: only when every row was read. A read error
     * (I/O, corruption, interrupt) keeps the rows for the next flush. */
    if (rc >= 0 && step != SQLITE_DONE) {
        gw_log_err(UP, "staged events not read, kept for the next flush err=%s",
                   sqlite3_errmsg(gw_db_handle(db)));
        rc = GW_E_DB;
    }
    sqlite3_finalize(st);
    for (int i = 0; i < nk; i++) {
        if (rc >= 0 && json_array_size(k[i].events) > 0) {
            int r = stage_emit(db, k[i].kind, k[i].events, max_bytes);
            if (r < 0 && r != GW_E_TOOBIG)
                rc = r;
            queued++;
        }
        json_decref(k[i].events);
    }
    if (rc >= 0 &&
        sqlite3_exec(gw_db_handle(db), "DELETE FROM up_staged", NULL, NULL, NULL) != SQLITE_OK)
        rc = db_fail(db, "staging");
    if (rc >= 0)
        rc = gw_db_commit(db);
    else
        gw_db_rollback(db);
    return rc < 0 ? rc : queued;
}
