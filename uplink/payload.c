/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Message bodies that are built from the store: the counters-and-supplies batch and the daily
 * log zips, plus the zip compressor for log files (gzip, for every envelope, is the outbox's).
 *
 * The counters batch is the uplink's bulk: its shape decides the bytes per device per day. It
 * therefore carries only current meters (not history), names each counter once per device, and
 * leaves repetition across devices (the same counter names, vendors and models) to gzip, which
 * removes most of it in a batch of hundreds of devices.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sqlite3.h>
#include <zip.h>

#include "uplink/up_int.h"

#define BATCH_DEVICES 500 /* devices per counters message; keeps one message well under 1 MB */

int up__zip_one(const char *name, const char *text, size_t len, unsigned char **out, size_t *outlen)
{
    zip_error_t ze;
    zip_source_t *src, *file;
    zip_t *za;
    zip_stat_t zs;
    int rc = GW_E_INTERNAL;

    zip_error_init(&ze);
    src = zip_source_buffer_create(NULL, 0, 0, &ze);
    if (!src)
        goto out;
    /* zip_close() would free the source; keep it to read the archive back. */
    zip_source_keep(src);
    za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    if (!za) {
        zip_source_free(src);
        goto out;
    }
    file = zip_source_buffer(za, text, len, 0);
    if (!file || zip_file_add(za, name, file, ZIP_FL_ENC_UTF_8) < 0) {
        zip_source_free(file);
        zip_discard(za);
        zip_source_free(src);
        goto out;
    }
    if (zip_close(za) < 0) {
        zip_discard(za);
        zip_source_free(src);
        goto out;
    }
    if (zip_source_stat(src, &zs) == 0 && zip_source_open(src) == 0) {
        unsigned char *buf = gw_malloc(zs.size ? zs.size : 1);
        zip_int64_t n = zip_source_read(src, buf, zs.size);
        zip_source_close(src);
        if (n == (zip_int64_t)zs.size) {
            *out = buf;
            *outlen = (size_t)n;
            rc = 0;
        } else {
            free(buf);
        }
    }
    zip_source_free(src);
out:
    zip_error_fini(&ze);
    return rc;
}

static json_t *supply_rows(sqlite3_stmt *st, int64_t dev)
{
    json_t *arr = json_array();
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, dev);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(
            arr, json_pack("[s, s, i, s]", (const char *)sqlite3_column_text(st, 0),
                           (const char *)sqlite3_column_text(st, 1), sqlite3_column_int(st, 2),
                           (const char *)sqlite3_column_text(st, 3)));
    return arr;
}

/* Trays are not supplies: [name, level, capacity, state] with Printer-MIB's numbers (level -3
 * "some paper", -2 unknown), so the cloud never mistakes one for a toner. */
static json_t *tray_rows(sqlite3_stmt *st, int64_t dev)
{
    json_t *arr = json_array();
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, dev);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(arr,
                              json_pack("[s, I, I, s]", (const char *)sqlite3_column_text(st, 0),
                                        (json_int_t)sqlite3_column_int64(st, 1),
                                        (json_int_t)sqlite3_column_int64(st, 2),
                                        (const char *)sqlite3_column_text(st, 3)));
    return arr;
}

static json_t *counter_map(sqlite3_stmt *st, int64_t dev)
{
    json_t *obj = json_object();
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, dev);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_object_set_new(obj, (const char *)sqlite3_column_text(st, 0),
                            json_integer(sqlite3_column_int64(st, 1)));
    return obj;
}

int up__collect_counters(struct gw_db *db, int64_t since, int64_t max_bytes)
{
    sqlite3 *h = gw_db_handle(db);
    sqlite3_stmt *dev = NULL, *cnt = NULL, *sup = NULL, *tray = NULL;
    json_t *devices = json_array();
    char from[21];
    int queued = 0, rc = 0;
    if (sqlite3_prepare_v2(h,
                           "SELECT id, serial, mac, vendor, model, status FROM devices "
                           "ORDER BY id",
                           -1, &dev, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(h, "SELECT name, value FROM counters_latest WHERE device_id = ?1", -1,
                           &cnt, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(h,
                           "SELECT type, color, percent, state FROM supplies "
                           "WHERE device_id = ?1 ORDER BY type, idx",
                           -1, &sup, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(h,
                           "SELECT CASE name WHEN '' THEN description ELSE name END, level_raw, "
                           "max_capacity, state FROM trays WHERE device_id = ?1 ORDER BY idx",
                           -1, &tray, NULL) != SQLITE_OK) {
        gw_log_err(UP, "counters batch query failed: %s", sqlite3_errmsg(h));
        rc = GW_E_DB;
        goto out;
    }
    gw_time_iso(since, from);
    for (;;) {
        int step = sqlite3_step(dev);
        if (step == SQLITE_ROW) {
            int64_t id = sqlite3_column_int64(dev, 0);
            json_t *d = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "dev", (json_int_t)id, "serial",
                                  (const char *)sqlite3_column_text(dev, 1), "mac",
                                  (const char *)sqlite3_column_text(dev, 2), "vendor",
                                  (const char *)sqlite3_column_text(dev, 3), "model",
                                  (const char *)sqlite3_column_text(dev, 4), "status",
                                  (const char *)sqlite3_column_text(dev, 5));
            json_object_set_new(d, "c", counter_map(cnt, id));
            json_object_set_new(d, "s", supply_rows(sup, id));
            json_object_set_new(d, "t", tray_rows(tray, id));
            json_array_append_new(devices, d);
        }
        if ((step != SQLITE_ROW && json_array_size(devices) > 0) ||
            json_array_size(devices) >= BATCH_DEVICES) {
            json_t *body = json_pack("{s:s, s:O}", "from", from, "devices", devices);
            rc = up__queue_put(db, "counters", UP_PRIO_DATA, body, max_bytes);
            json_decref(body);
            json_array_clear(devices);
            if (rc < 0 && rc != GW_E_TOOBIG)
                break;
            queued++;
        }
        if (step != SQLITE_ROW)
            break;
    }
out:
    sqlite3_finalize(dev);
    sqlite3_finalize(cnt);
    sqlite3_finalize(sup);
    sqlite3_finalize(tray);
    json_decref(devices);
    return rc < 0 && rc != GW_E_TOOBIG ? rc : queued;
}

/* Appends one log line; text fields are free text and may hold anything, the anonymizer gets
 * them after. */
static void line_add(char **buf, size_t *len, size_t *cap, const char *line)
{
    size_t n = strlen(line);
    if (*len + n + 2 > *cap) {
        *cap = (*len + n + 2) * 2;
        *buf = gw_realloc(*buf, *cap);
    }
    memcpy(*buf + *len, line, n);
    *len += n;
    (*buf)[(*len)++] = '\n';
    (*buf)[*len] = '\0';
}

static int queue_zip(struct gw_db *db, const char *file, const char *member, char *text, size_t len,
                     int records, int64_t max_bytes)
{
    const struct up_anon *a = up__anon_current(db);
    unsigned char *zip = NULL;
    size_t ziplen = 0;
    char *clean = a ? up__anon_text(a, text ? text : "") : NULL;
    const char *src = clean ? clean : (text ? text : "");
    int rc = up__zip_one(member, src, strlen(src), &zip, &ziplen);
    free(clean);
    (void)len;
    if (rc < 0)
        return rc;
    char *b64 = gw_malloc(4 * ((ziplen + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)b64, zip, (int)ziplen);
    free(zip);
    json_t *body = json_pack("{s:s, s:s, s:i}", "file", file, "zip_b64", b64, "records", records);
    free(b64);
    rc = up__queue_put(db, "logs", UP_PRIO_EVENT, body, max_bytes);
    json_decref(body);
    return rc;
}

int up__collect_logs(struct gw_db *db, int64_t max_bytes)
{
    sqlite3 *h = gw_db_handle(db);
    sqlite3_stmt *st = NULL;
    char *buf = NULL, line[2048], ts[21], file[64], day[21];
    size_t len = 0, cap = 0;
    int64_t cur, maxid;
    int n = 0, queued = 0, rc;

    gw_time_iso(gw_now(), day);
    snprintf(file, sizeof file, "audit-%.4s%.2s%.2s.zip", day, day + 5, day + 8);
    cur = up__setting_int(db, UP_K_AUDIT_CUR, 0);
    maxid = cur;
    if (sqlite3_prepare_v2(h,
                           "SELECT id, ts, user, source, action, result, coalesce(detail, '') "
                           "FROM audit WHERE id > ?1 ORDER BY id LIMIT 100000",
                           -1, &st, NULL) != SQLITE_OK)
        return GW_E_DB;
    sqlite3_bind_int64(st, 1, cur);
    while (sqlite3_step(st) == SQLITE_ROW) {
        maxid = sqlite3_column_int64(st, 0);
        snprintf(line, sizeof line, "%s id=%lld user=%s source=%s action=%s result=%s %s",
                 gw_time_iso(sqlite3_column_int64(st, 1), ts), (long long)maxid,
                 (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
                 (const char *)sqlite3_column_text(st, 4), (const char *)sqlite3_column_text(st, 5),
                 (const char *)sqlite3_column_text(st, 6));
        line_add(&buf, &len, &cap, line);
        n++;
    }
    sqlite3_finalize(st);
    rc = queue_zip(db, file, "audit.log", buf, len, n, max_bytes);
    if (rc == 0 || rc == GW_E_TOOBIG) {
        up__setting_set_int(db, UP_K_AUDIT_CUR, maxid);
        queued++;
    }
    free(buf);
    buf = NULL;
    len = cap = 0;
    n = 0;

    snprintf(file, sizeof file, "system-%.4s%.2s%.2s.zip", day, day + 5, day + 8);
    cur = up__setting_int(db, UP_K_EVENT_CUR, 0);
    maxid = cur;
    if (sqlite3_prepare_v2(h,
                           "SELECT e.id, e.ts, coalesce(e.device_id, 0), e.kind, "
                           "coalesce(e.detail, ''), coalesce(d.address, '') FROM events e "
                           "LEFT JOIN devices d ON d.id = e.device_id "
                           "WHERE e.id > ?1 ORDER BY e.id LIMIT 100000",
                           -1, &st, NULL) != SQLITE_OK)
        return GW_E_DB;
    sqlite3_bind_int64(st, 1, cur);
    while (sqlite3_step(st) == SQLITE_ROW) {
        maxid = sqlite3_column_int64(st, 0);
        snprintf(line, sizeof line, "%s device=%lld address=%s event=%s %s",
                 gw_time_iso(sqlite3_column_int64(st, 1), ts),
                 (long long)sqlite3_column_int64(st, 2), (const char *)sqlite3_column_text(st, 5),
                 (const char *)sqlite3_column_text(st, 3),
                 (const char *)sqlite3_column_text(st, 4));
        line_add(&buf, &len, &cap, line);
        n++;
    }
    sqlite3_finalize(st);
    rc = queue_zip(db, file, "system.log", buf, len, n, max_bytes);
    if (rc == 0 || rc == GW_E_TOOBIG) {
        up__setting_set_int(db, UP_K_EVENT_CUR, maxid);
        queued++;
    }
    free(buf);
    return rc < 0 && rc != GW_E_TOOBIG ? rc : queued;
}
