/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Read-only queries for front ends (the web UI's JSON API): a device page with filter, sort and
 * paging done by sqlite, the dashboard's figures, counter history for charts, the audit log
 * page and its CSV export, and the alerts that appeared since the last look; and the streaming
 * reads the uplink builds its payloads from (current state per device, audit records and events
 * after a cursor, the names the anonymizer removes), so no other module reads these tables.
 *
 * They must stay fast with 10,000 devices on the loop thread: the device page selects the ids
 * of one page first (sorting only ids and the sort key) and reads full rows for those alone;
 * active alert counts come from one grouped pass over the alerts index instead of a subquery
 * per row. Sort columns and directions come from a fixed table, never from request text.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gateway/gw_int.h"

static json_t *jtime(int64_t t)
{
    char buf[21];
    return t > 0 ? json_string(gw_time_iso(t, buf)) : json_null();
}

static json_t *jtext(sqlite3_stmt *st, int col)
{
    const char *s = (const char *)sqlite3_column_text(st, col);
    return json_string(s ? s : "");
}

/* Active alerts of d, from the alerts_device index; evaluated only where a row needs it. */
#define ALERT_COUNT "(SELECT count(*) FROM alerts x WHERE x.device_id = d.id AND x.active = 1)"

/* Sort keys the API accepts, and the SQL expression each stands for. Ties sort by id so a
 * page boundary is stable. */
static const struct {
    const char *key, *expr;
} sort_keys[] = {
    {"id", "d.id"},
    {"name", "d.name COLLATE NOCASE"},
    {"address", "d.address"},
    {"status", "d.status"},
    {"vendor", "d.vendor COLLATE NOCASE"},
    {"model", "d.model COLLATE NOCASE"},
    {"serial", "d.serial"},
    {"priority", "CASE d.priority WHEN 'high' THEN 0 WHEN 'middle' THEN 1 ELSE 2 END"},
    {"last_seen", "coalesce(d.last_seen, 0)"},
    {"page_count", "coalesce(d.page_count_total, -1)"},
    {"alerts", ALERT_COUNT},
};

bool gw_query_sort_valid(const char *key)
{
    for (size_t i = 0; i < sizeof sort_keys / sizeof sort_keys[0]; i++)
        if (strcmp(sort_keys[i].key, key) == 0)
            return true;
    return false;
}


/* ?1 text pattern (NULL: any), ?2 status (NULL: any), ?3 alerts only */
#define DEVICE_FILTER                                                                              \
    "WHERE (?1 IS NULL OR d.name LIKE ?1 ESCAPE '\\' OR d.address LIKE ?1 ESCAPE '\\' OR "         \
    "d.model LIKE ?1 ESCAPE '\\' OR d.vendor LIKE ?1 ESCAPE '\\' OR d.serial LIKE ?1 ESCAPE "      \
    "'\\' OR d.mac LIKE ?1 ESCAPE '\\') AND (?2 IS NULL OR d.status = ?2) AND "                    \
    "(?3 = 0 OR EXISTS (SELECT 1 FROM alerts x WHERE x.device_id = d.id AND x.active = 1)) "

/* "%text%" with LIKE's wildcards escaped, so a filter for "50%" finds "50%" only. */
static char *like_pattern(const char *text)
{
    size_t n = strlen(text);
    char *p = gw_malloc(2 * n + 3), *w = p;
    *w++ = '%';
    for (const char *r = text; *r; r++) {
        if (*r == '%' || *r == '_' || *r == '\\')
            *w++ = '\\';
        *w++ = *r;
    }
    *w++ = '%';
    *w = '\0';
    return p;
}

static void bind_filter(sqlite3_stmt *st, const char *pattern, const struct gw_device_query *q)
{
    gw_db_bind_text(st, 1, pattern);
    gw_db_bind_text(st, 2, q->status && *q->status ? q->status : NULL);
    sqlite3_bind_int(st, 3, q->alerts_only);
}

json_t *gw_query_devices(struct gw_db *db, const struct gw_device_query *q)
{
    const char *expr = "d.id";
    char sql[2048];
    char *pattern = q->text && *q->text ? like_pattern(q->text) : NULL;
    sqlite3_stmt *st = NULL;
    json_t *items = NULL, *out = NULL;
    int64_t total = 0;
    int limit = q->limit > 0 && q->limit <= 1000 ? q->limit : 50;
    int offset = q->offset > 0 ? q->offset : 0;
    for (size_t i = 0; i < sizeof sort_keys / sizeof sort_keys[0]; i++)
        if (q->sort && strcmp(sort_keys[i].key, q->sort) == 0)
            expr = sort_keys[i].expr;

    snprintf(sql, sizeof sql, "SELECT count(*) FROM devices d " DEVICE_FILTER);
    if (gw_db_prepare(db, sql, &st) < 0)
        goto out;
    bind_filter(st, pattern, q);
    if (sqlite3_step(st) == SQLITE_ROW)
        total = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);

    /* Page ids first, then the rows: the sorter holds (key, id) pairs, not whole rows, and
     * keeps only offset + limit of them. */
    snprintf(sql, sizeof sql,
             "WITH page AS (SELECT d.id AS id, %s AS k FROM devices d " DEVICE_FILTER
             "ORDER BY k %s, d.id %s LIMIT ?4 OFFSET ?5) "
             "SELECT d.id, d.name, d.address, d.port, c.name, d.priority, d.status, d.last_seen, "
             "d.last_poll, d.vendor, d.model, d.serial, d.mac, d.page_count_total, " ALERT_COUNT
             ", "
             "(SELECT count(*) FROM supplies s WHERE s.device_id = d.id AND s.state IN ('low', "
             "'empty')), d.transport FROM page JOIN devices d ON d.id = page.id JOIN credentials c "
             "ON c.id = "
             "d.credential_id ORDER BY page.k %s, page.id %s",
             expr, q->desc ? "DESC" : "ASC", q->desc ? "DESC" : "ASC", q->desc ? "DESC" : "ASC",
             q->desc ? "DESC" : "ASC");
    if (gw_db_prepare(db, sql, &st) < 0)
        goto out;
    bind_filter(st, pattern, q);
    sqlite3_bind_int(st, 4, limit);
    sqlite3_bind_int(st, 5, offset);
    items = json_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
        json_object_set_new(o, "name", jtext(st, 1));
        json_object_set_new(o, "address", jtext(st, 2));
        json_object_set_new(o, "port", json_integer(sqlite3_column_int(st, 3)));
        const char *transport = (const char *)sqlite3_column_text(st, 16);
        bool wsd = transport && strcmp(transport, "wsd") == 0;
        json_object_set_new(o, "transport", json_string(wsd ? "wsd" : "snmp"));
        /* A WSD device is not polled with a credential set (see gw_device_to_json). */
        json_object_set_new(o, "credential", wsd ? json_null() : jtext(st, 4));
        json_object_set_new(o, "priority", jtext(st, 5));
        json_object_set_new(o, "status", jtext(st, 6));
        json_object_set_new(o, "last_seen", jtime(sqlite3_column_int64(st, 7)));
        json_object_set_new(o, "last_poll", jtime(sqlite3_column_int64(st, 8)));
        json_object_set_new(o, "vendor", jtext(st, 9));
        json_object_set_new(o, "model", jtext(st, 10));
        json_object_set_new(o, "serial", jtext(st, 11));
        json_object_set_new(o, "mac", jtext(st, 12));
        json_object_set_new(o, "page_count_total",
                            sqlite3_column_type(st, 13) == SQLITE_NULL
                                ? json_null()
                                : json_integer(sqlite3_column_int64(st, 13)));
        json_object_set_new(o, "alerts", json_integer(sqlite3_column_int(st, 14)));
        json_object_set_new(o, "supplies_low", json_integer(sqlite3_column_int(st, 15)));
        json_array_append_new(items, o);
    }
    sqlite3_finalize(st);
    out = json_pack("{s:I, s:i, s:i, s:o}", "total", (json_int_t)total, "offset", offset, "limit",
                    limit, "items", items);
    items = NULL;
out:
    json_decref(items);
    free(pattern);
    return out;
}

static int64_t one_int(struct gw_db *db, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = 0;
    if (gw_db_prepare(db, sql, &st) < 0)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

json_t *gw_query_dashboard(struct gw_db *db)
{
    json_t *d = json_object(), *by = json_object(), *low = json_array(), *alerts = json_array();
    sqlite3_stmt *st;
    json_object_set_new(d, "devices_total",
                        json_integer(one_int(db, "SELECT count(*) FROM "
                                                 "devices")));
    json_object_set_new(d, "devices_online",
                        json_integer(one_int(db, "SELECT count(*) FROM devices WHERE status = "
                                                 "'ok'")));
    json_object_set_new(d, "devices_with_alerts",
                        json_integer(one_int(db, "SELECT count(DISTINCT device_id) FROM alerts "
                                                 "WHERE active = 1")));
    json_object_set_new(d, "supplies_low",
                        json_integer(one_int(db, "SELECT count(*) FROM supplies WHERE state IN "
                                                 "('low', 'empty')")));
    json_object_set_new(d, "devices_supplies_low",
                        json_integer(one_int(db, "SELECT count(DISTINCT device_id) FROM supplies "
                                                 "WHERE state IN ('low', 'empty')")));
    json_object_set_new(d, "last_poll",
                        jtime(one_int(db, "SELECT coalesce(max(last_poll), 0) FROM devices")));
    json_object_set_new(d, "devices_by_status", by);
    if (gw_db_prepare(db, "SELECT status, count(*) FROM devices GROUP BY status", &st) == 0) {
        while (sqlite3_step(st) == SQLITE_ROW)
            json_object_set_new(by, (const char *)sqlite3_column_text(st, 0),
                                json_integer(sqlite3_column_int64(st, 1)));
        sqlite3_finalize(st);
    }
    json_object_set_new(d, "low_supplies", low);
    if (gw_db_prepare(db,
                      "SELECT d.id, d.name, d.address, s.description, s.color, s.percent, "
                      "s.state FROM supplies s JOIN devices d ON d.id = s.device_id WHERE "
                      "s.state IN ('low', 'empty') ORDER BY s.state = 'empty' DESC, s.percent, "
                      "d.id LIMIT 10",
                      &st) == 0) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            int pct = sqlite3_column_int(st, 5);
            json_array_append_new(
                low, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "device_id",
                               (json_int_t)sqlite3_column_int64(st, 0), "name", jtext(st, 1),
                               "address", jtext(st, 2), "description", jtext(st, 3), "color",
                               jtext(st, 4), "percent", pct >= 0 ? json_integer(pct) : json_null(),
                               "state", jtext(st, 6)));
        }
        sqlite3_finalize(st);
    }
    json_object_set_new(d, "recent_alerts", alerts);
    if (gw_db_prepare(db,
                      "SELECT d.id, d.name, d.address, a.description, a.severity, a.first_seen, "
                      "a.code FROM alerts a JOIN devices d ON d.id = a.device_id "
                      "WHERE a.active = 1 ORDER BY a.first_seen DESC, a.id DESC LIMIT 10",
                      &st) == 0) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            json_t *o =
                json_pack("{s:I, s:o, s:o, s:o, s:i, s:o, s:i}", "device_id",
                          (json_int_t)sqlite3_column_int64(st, 0), "name", jtext(st, 1), "address",
                          jtext(st, 2), "description", jtext(st, 3), "severity",
                          sqlite3_column_int(st, 4), "first_seen",
                          jtime(sqlite3_column_int64(st, 5)), "code", sqlite3_column_int(st, 6));
            gw_alert_json_text(o, (const char *)sqlite3_column_text(st, 3),
                               sqlite3_column_int(st, 6));
            json_array_append_new(alerts, o);
        }
        sqlite3_finalize(st);
    }
    return d;
}

/* Prepares sql, whose ?1, ?2 and ?3 are a device id, a counter name and a start time, and
 * binds them. Returns: 0 with *st set (caller finalizes), or < 0. */
static int prepare_series(struct gw_db *db, const char *sql, int64_t device_id, const char *name,
                          int64_t since, sqlite3_stmt **st)
{
    int rc = gw_db_prepare(db, sql, st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(*st, 1, device_id);
    gw_db_bind_text(*st, 2, name);
    sqlite3_bind_int64(*st, 3, since);
    return 0;
}

/* A chart point [ts, value] from columns 0 and 1 of st's current row. */
static json_t *jpoint(sqlite3_stmt *st)
{
    return json_pack("[I, I]", (json_int_t)sqlite3_column_int64(st, 0),
                     (json_int_t)sqlite3_column_int64(st, 1));
}

json_t *gw_query_counter_history(struct gw_db *db, int64_t device_id, const char *name,
                                 int64_t since)
{
    json_t *pts = json_array();
    sqlite3_stmt *st;
    int64_t last_ts = 0;
    /* The newest 2000 readings at most (one per counter and hour: ~83 days). */
    if (prepare_series(db,
                       "SELECT ts, value FROM (SELECT ts, value FROM counter_readings WHERE "
                       "device_id = ?1 AND name = ?2 AND ts >= ?3 ORDER BY ts DESC LIMIT 2000) "
                       "ORDER BY ts",
                       device_id, name, since, &st) < 0)
        return pts;
    while (sqlite3_step(st) == SQLITE_ROW) {
        last_ts = sqlite3_column_int64(st, 0);
        json_array_append_new(pts, jpoint(st));
    }
    sqlite3_finalize(st);
    /* History rows are written at most once an hour (store.c), so they lag the meter: the
     * current reading from counters_latest ends the series, and a chart's last point is the
     * value the device page's table shows. */
    if (prepare_series(db,
                       "SELECT ts, value FROM counters_latest WHERE device_id = ?1 AND name = ?2 "
                       "AND ts >= ?3",
                       device_id, name, since, &st) < 0)
        return pts;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > last_ts)
        json_array_append_new(pts, jpoint(st));
    sqlite3_finalize(st);
    return pts;
}

#define AUDIT_FILTER                                                                               \
    "WHERE (?1 IS NULL OR user LIKE ?1 ESCAPE '\\' OR source LIKE ?1 ESCAPE '\\' OR action LIKE "  \
    "?1 ESCAPE '\\' OR result LIKE ?1 ESCAPE '\\' OR detail LIKE ?1 ESCAPE '\\') "

json_t *gw_query_audit(struct gw_db *db, const char *text, int offset, int limit)
{
    char *pattern = text && *text ? like_pattern(text) : NULL;
    json_t *items = json_array();
    sqlite3_stmt *st;
    int64_t total = 0;
    if (limit <= 0 || limit > 1000)
        limit = 100;
    if (offset < 0)
        offset = 0;
    if (gw_db_prepare(db, "SELECT count(*) FROM audit " AUDIT_FILTER, &st) == 0) {
        gw_db_bind_text(st, 1, pattern);
        if (sqlite3_step(st) == SQLITE_ROW)
            total = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (gw_db_prepare(db,
                      "SELECT id, ts, user, source, action, result, detail FROM audit " AUDIT_FILTER
                      "ORDER BY id DESC LIMIT ?2 OFFSET ?3",
                      &st) == 0) {
        gw_db_bind_text(st, 1, pattern);
        sqlite3_bind_int(st, 2, limit);
        sqlite3_bind_int(st, 3, offset);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(
                items,
                json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                          (json_int_t)sqlite3_column_int64(st, 0), "ts",
                          jtime(sqlite3_column_int64(st, 1)), "user", jtext(st, 2), "source",
                          jtext(st, 3), "action", jtext(st, 4), "result", jtext(st, 5), "detail",
                          sqlite3_column_type(st, 6) == SQLITE_NULL ? json_null() : jtext(st, 6)));
        sqlite3_finalize(st);
    }
    free(pattern);
    return json_pack("{s:I, s:i, s:i, s:o}", "total", (json_int_t)total, "offset", offset, "limit",
                     limit, "items", items);
}

/* One CSV field: quoted when needed, and a leading = + - @ defused with a quote character so a
 * spreadsheet does not run it as a formula. */
static void csv_field(FILE *out, const char *s, bool last)
{
    bool quote = strpbrk(s, ",\"\r\n") != NULL || (*s && strchr("=+-@\t", *s));
    if (quote)
        fputc('"', out);
    if (*s && strchr("=+-@\t", *s))
        fputc('\'', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    if (quote)
        fputc('"', out);
    fputs(last ? "\r\n" : ",", out);
}

int gw_query_audit_csv(struct gw_db *db, FILE *out)
{
    sqlite3_stmt *st;
    int rc = gw_db_prepare(db,
                           "SELECT id, ts, user, source, action, result, detail, hash FROM audit "
                           "ORDER BY id",
                           &st);
    if (rc < 0)
        return rc;
    fputs("id,time,user,source,action,result,detail,hash\r\n", out);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char id[24], ts[21];
        snprintf(id, sizeof id, "%lld", (long long)sqlite3_column_int64(st, 0));
        csv_field(out, id, false);
        csv_field(out, gw_time_iso(sqlite3_column_int64(st, 1), ts), false);
        for (int c = 2; c <= 7; c++) {
            const char *v = (const char *)sqlite3_column_text(st, c);
            csv_field(out, v ? v : "", c == 7);
        }
    }
    rc = rc == SQLITE_DONE ? 0 : gw_db_fail(db, rc, "exporting the audit log");
    sqlite3_finalize(st);
    return rc;
}

int64_t gw_query_alert_max_id(struct gw_db *db)
{
    return one_int(db, "SELECT coalesce(max(id), 0) FROM alerts");
}

json_t *gw_query_alerts_after(struct gw_db *db, int64_t after_id, int64_t *max_id)
{
    json_t *arr = json_array();
    sqlite3_stmt *st;
    if (gw_db_prepare(db,
                      "SELECT a.id, a.device_id, d.name, d.address, a.description, a.severity, "
                      "a.code, a.first_seen FROM alerts a JOIN devices d ON d.id = a.device_id "
                      "WHERE a.id > ?1 AND a.active = 1 ORDER BY a.id LIMIT 500",
                      &st) < 0)
        return arr;
    sqlite3_bind_int64(st, 1, after_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        if (max_id && id > *max_id)
            *max_id = id;
        json_array_append_new(
            arr, json_pack("{s:I, s:I, s:o, s:o, s:o, s:i, s:i, s:o}", "id", (json_int_t)id,
                           "device_id", (json_int_t)sqlite3_column_int64(st, 1), "name",
                           jtext(st, 2), "address", jtext(st, 3), "description", jtext(st, 4),
                           "severity", sqlite3_column_int(st, 5), "code", sqlite3_column_int(st, 6),
                           "first_seen", jtime(sqlite3_column_int64(st, 7))));
    }
    sqlite3_finalize(st);
    return arr;
}

json_t *gw_query_counter_names(struct gw_db *db, int64_t device_id)
{
    json_t *arr = json_array();
    sqlite3_stmt *st;
    if (gw_db_prepare(db,
                      "SELECT DISTINCT name FROM counter_readings WHERE device_id = ?1 ORDER BY "
                      "name = 'total' DESC, name",
                      &st) < 0)
        return arr;
    sqlite3_bind_int64(st, 1, device_id);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(arr, jtext(st, 0));
    sqlite3_finalize(st);
    return arr;
}

bool gw_query_credential_exists(struct gw_db *db, const char *name)
{
    sqlite3_stmt *st;
    bool found;
    if (gw_db_prepare(db, "SELECT 1 FROM credentials WHERE name = ?1", &st) < 0)
        return false;
    gw_db_bind_text(st, 1, name);
    found = gw_db_step(db, st, "looking up a credential set") == 1;
    sqlite3_finalize(st);
    return found;
}

/* The statements of gw_query_current_each(): prepared once and reset per device, since a
 * batch walks every device. */
enum { CUR_DEV, CUR_COUNTERS, CUR_SUPPLIES, CUR_TRAYS, CUR_N };
static const char *const current_sql[CUR_N] = {
    "SELECT id, serial, mac, vendor, model, status FROM devices ORDER BY id",
    "SELECT name, value FROM counters_latest WHERE device_id = ?1",
    "SELECT type, color, percent, state FROM supplies WHERE device_id = ?1 ORDER BY type, idx",
    /* clang's -Wstring-concatenation: one statement over two lines, on purpose. */
    ("SELECT CASE name WHEN '' THEN description ELSE name END, level_raw, max_capacity, state "
     "FROM trays WHERE device_id = ?1 ORDER BY idx"),
};

/* Steps one of a device's detail statements, calling the callback that fits it per row. */
static int current_rows(struct gw_db *db, int which, sqlite3_stmt *st, int64_t dev,
                        const struct gw_current_cbs *cbs, void *arg)
{
    int rc;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, dev);
    while ((rc = gw_db_step(db, st, "reading a device's current state")) == 1) {
        if (which == CUR_COUNTERS && cbs->counter)
            rc = cbs->counter(gw_db_column_text(st, 0), sqlite3_column_int64(st, 1), arg);
        else if (which == CUR_SUPPLIES && cbs->supply)
            rc = cbs->supply(gw_db_column_text(st, 0), gw_db_column_text(st, 1),
                             sqlite3_column_int(st, 2), gw_db_column_text(st, 3), arg);
        else if (which == CUR_TRAYS && cbs->tray)
            rc = cbs->tray(gw_db_column_text(st, 0), sqlite3_column_int64(st, 1),
                           sqlite3_column_int64(st, 2), gw_db_column_text(st, 3), arg);
        else
            rc = 0;
        if (rc != 0)
            return rc;
    }
    return rc;
}

int gw_query_current_each(struct gw_db *db, const struct gw_current_cbs *cbs, void *arg)
{
    sqlite3_stmt *st[CUR_N] = {NULL};
    int rc = 0;
    for (int i = 0; i < CUR_N && rc == 0; i++)
        rc = gw_db_prepare(db, current_sql[i], &st[i]);
    while (rc == 0 && (rc = gw_db_step(db, st[CUR_DEV], "reading devices")) == 1) {
        struct gw_current_device d = {
            .id = sqlite3_column_int64(st[CUR_DEV], 0),
            .serial = gw_db_column_text(st[CUR_DEV], 1),
            .mac = gw_db_column_text(st[CUR_DEV], 2),
            .vendor = gw_db_column_text(st[CUR_DEV], 3),
            .model = gw_db_column_text(st[CUR_DEV], 4),
            .status = gw_db_column_text(st[CUR_DEV], 5),
        };
        rc = cbs->device ? cbs->device(&d, arg) : 0;
        for (int i = CUR_COUNTERS; i < CUR_N && rc == 0; i++)
            rc = current_rows(db, i, st[i], d.id, cbs, arg);
        if (rc == 0 && cbs->device_end)
            rc = cbs->device_end(arg);
    }
    for (int i = 0; i < CUR_N; i++)
        sqlite3_finalize(st[i]);
    return rc;
}

/* Prepares a cursor query whose ?1 is the last id already read and ?2 the row limit.
 * Returns: 0, or <0 with *st NULL. */
static int prepare_after(struct gw_db *db, const char *sql, int64_t after_id, int limit,
                         sqlite3_stmt **st)
{
    int rc = gw_db_prepare(db, sql, st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(*st, 1, after_id);
    sqlite3_bind_int(*st, 2, limit);
    return 0;
}

int gw_query_audit_after(struct gw_db *db, int64_t after_id, int limit, gw_audit_row_cb cb,
                         void *arg)
{
    sqlite3_stmt *st;
    int rc = prepare_after(db,
                           "SELECT id, ts, user, source, action, result, detail FROM audit "
                           "WHERE id > ?1 ORDER BY id LIMIT ?2",
                           after_id, limit, &st);
    if (rc < 0)
        return rc;
    while ((rc = gw_db_step(db, st, "reading the audit log")) == 1) {
        struct gw_audit_row r = {
            .id = sqlite3_column_int64(st, 0),
            .ts = sqlite3_column_int64(st, 1),
            .user = gw_db_column_text(st, 2),
            .source = gw_db_column_text(st, 3),
            .action = gw_db_column_text(st, 4),
            .result = gw_db_column_text(st, 5),
            .detail = gw_db_column_text(st, 6),
        };
        rc = cb(&r, arg);
        if (rc != 0)
            break;
    }
    sqlite3_finalize(st);
    return rc;
}

int gw_query_events_after(struct gw_db *db, int64_t after_id, int limit, gw_event_row_cb cb,
                          void *arg)
{
    sqlite3_stmt *st;
    int rc = prepare_after(db,
                           "SELECT e.id, e.ts, coalesce(e.device_id, 0), e.kind, e.detail, "
                           "d.address FROM events e LEFT JOIN devices d ON d.id = e.device_id "
                           "WHERE e.id > ?1 ORDER BY e.id LIMIT ?2",
                           after_id, limit, &st);
    if (rc < 0)
        return rc;
    while ((rc = gw_db_step(db, st, "reading events")) == 1) {
        struct gw_event_row r = {
            .id = sqlite3_column_int64(st, 0),
            .ts = sqlite3_column_int64(st, 1),
            .device_id = sqlite3_column_int64(st, 2),
            .kind = gw_db_column_text(st, 3),
            .detail = gw_db_column_text(st, 4),
            .address = gw_db_column_text(st, 5),
        };
        rc = cb(&r, arg);
        if (rc != 0)
            break;
    }
    sqlite3_finalize(st);
    return rc;
}

int gw_query_device_site_names(struct gw_db *db, void (*cb)(const char *value, void *arg),
                               void *arg)
{
    sqlite3_stmt *st;
    int rc = gw_db_prepare(db, "SELECT address, name, sys_name, sys_location FROM devices", &st);
    if (rc < 0)
        return rc;
    while ((rc = gw_db_step(db, st, "reading device names")) == 1)
        for (int c = 0; c < 4; c++)
            cb(gw_db_column_text(st, c), arg);
    sqlite3_finalize(st);
    return rc;
}
