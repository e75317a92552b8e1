/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Down messages: what the cloud sends on fleetgw/v1/{gid}/down in Manage mode. The parser is a
 * pure function (fuzzed by tests/fuzz/fuzz_down_msg.c) that checks, in the order
 * docs/uplink.md section 6 gives, size, JSON shape, addressee, expiry and type. Every message
 * gets an answer through the outbox and a line in the audit log, and nothing in it can make the
 * gateway do more than answer: version 1 runs only "ping"; the task runner is a later module
 * (security-requirements RT-1: an allowlist, no generic command task).
 *
 * A task id answered before is answered again from up_tasks, not run again (RT-2).
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "uplink/up_int.h"

static const char *const verdict_names[] = {"ok",           "too_large", "malformed",
                                            "unauthorized", "expired",   "unsupported"};

const char *up_down_verdict_name(enum up_down_verdict v)
{
    return (unsigned)v < sizeof verdict_names / sizeof verdict_names[0] ? verdict_names[v]
                                                                        : "malformed";
}

static bool id_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '_' && c != '-' && c != '.' && c != ':')
            return false;
    }
    return true;
}

/* "2026-11-22T08:00:00Z" only; anything else is malformed. Returns: 0 or -1. */
static int parse_iso(const char *s, int64_t *out)
{
    struct tm tm = {0};
    char tail = 0;
    if (!s || strlen(s) != 20 ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &tail) != 7 ||
        tail != 'Z')
        return -1;
    if (tm.tm_year < 1970 || tm.tm_year > 9999 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
        tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (int64_t)timegm(&tm);
    return 0;
}

static bool supported(const char *type)
{
    return strcmp(type, "ping") == 0;
}

enum up_down_verdict up_down_parse(const char *buf, size_t len, const char *gw_id, int64_t now,
                                   struct up_task *task, struct gw_errbuf *eb)
{
    json_error_t jerr;
    json_t *root, *v;
    const char *s;
    enum up_down_verdict verdict = UP_DOWN_OK;

    memset(task, 0, sizeof *task);
    if (len > UP_DOWN_MAX) {
        gw_errbuf_set(eb, GW_E_TOOBIG, "message of %zu bytes exceeds the limit of %d", len,
                      UP_DOWN_MAX);
        return UP_DOWN_TOO_LARGE;
    }
    /* JSON_REJECT_DUPLICATES: two "gw" keys must not let one pass the check and the other
     * decide. Strings with NUL are refused by default (no JSON_ALLOW_NUL), which keeps C strings
     * whole. */
    root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        gw_errbuf_set(eb, GW_E_PARSE, "not JSON: %.100s at line %d column %d", jerr.text, jerr.line,
                      jerr.column);
        return UP_DOWN_MALFORMED;
    }
    if (!json_is_object(root)) {
        gw_errbuf_set(eb, GW_E_PARSE, "not a JSON object");
        verdict = UP_DOWN_MALFORMED;
        goto out;
    }
    s = json_string_value(json_object_get(root, "id"));
    if (s && id_ok(s, sizeof task->id - 1))
        gw_strlcpy(task->id, s, sizeof task->id);
    v = json_object_get(root, "v");
    if (!json_is_integer(v) || json_integer_value(v) != 1) {
        gw_errbuf_set(eb, GW_E_PARSE, "\"v\" must be 1");
        verdict = UP_DOWN_MALFORMED;
        goto out;
    }
    if (!task->id[0]) {
        gw_errbuf_set(eb, GW_E_PARSE, "\"id\" must be 1..64 of A-Z a-z 0-9 _ . : -");
        verdict = UP_DOWN_MALFORMED;
        goto out;
    }
    s = json_string_value(json_object_get(root, "type"));
    if (!s || !id_ok(s, sizeof task->type - 1)) {
        gw_errbuf_set(eb, GW_E_PARSE, "\"type\" must be 1..32 of A-Z a-z 0-9 _ . : -");
        verdict = UP_DOWN_MALFORMED;
        goto out;
    }
    gw_strlcpy(task->type, s, sizeof task->type);
    v = json_object_get(root, "args");
    if (v && !json_is_object(v)) {
        gw_errbuf_set(eb, GW_E_PARSE, "\"args\" must be an object");
        verdict = UP_DOWN_MALFORMED;
        goto out;
    }
    v = json_object_get(root, "issued_at");
    if (v && parse_iso(json_string_value(v), &task->issued_at) < 0) {
        gw_errbuf_set(eb, GW_E_PARSE, "\"issued_at\" must be like 2026-01-31T23:59:59Z");
        verdict = UP_DOWN_MALFORMED;
        goto out;
    }
    v = json_object_get(root, "expires_at");
    if (v && parse_iso(json_string_value(v), &task->expires_at) < 0) {
        gw_errbuf_set(eb, GW_E_PARSE, "\"expires_at\" must be like 2026-01-31T23:59:59Z");
        verdict = UP_DOWN_MALFORMED;
        goto out;
    }
    v = json_object_get(root, "gw");
    if (v && (!json_is_string(v) || !gw_id || strcmp(json_string_value(v), gw_id) != 0)) {
        gw_errbuf_set(eb, GW_E_INVAL, "addressed to another gateway");
        verdict = UP_DOWN_UNAUTHORIZED;
        goto out;
    }
    if (task->expires_at && task->expires_at < now) {
        gw_errbuf_set(eb, GW_E_INVAL, "expired");
        verdict = UP_DOWN_EXPIRED;
        goto out;
    }
    if (!supported(task->type)) {
        gw_errbuf_set(eb, GW_E_INVAL, "task type '%s' is not supported", task->type);
        verdict = UP_DOWN_UNSUPPORTED;
        goto out;
    }
out:
    json_decref(root);
    return verdict;
}

/* Looks up an earlier answer. Returns: true with status copied when the task was answered. */
static bool answered(struct gw_db *db, const char *id, char *status, size_t len)
{
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (gw_db_prepare(db, "SELECT status FROM up_tasks WHERE task_id = ?1", &st) < 0) {
        sqlite3_finalize(st);
        return false;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        gw_strlcpy(status, (const char *)sqlite3_column_text(st, 0), len);
        found = true;
    }
    sqlite3_finalize(st);
    return found;
}

static void remember(struct gw_db *db, const char *id, const char *status)
{
    sqlite3_stmt *st = NULL;
    if (gw_db_prepare(db,
                      "INSERT OR REPLACE INTO up_tasks (task_id, received, status) "
                      "VALUES (?1, ?2, ?3)",
                      &st) == 0) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, gw_now());
        sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
}

void up__tasks_handle(struct gw_db *db, const char *gw_id, const void *payload, size_t len,
                      int64_t max_bytes)
{
    struct up_task t;
    struct gw_errbuf eb = {""};
    char prev[32], detail[400];
    enum up_down_verdict v = up_down_parse(payload, len, gw_id, gw_now(), &t, &eb);
    json_t *body;

    if (v == UP_DOWN_TOO_LARGE || v == UP_DOWN_MALFORMED || v == UP_DOWN_UNAUTHORIZED) {
        body = json_pack("{s:s, s:s, s:o}", "code", up_down_verdict_name(v), "message", eb.msg,
                         "task_id", t.id[0] ? json_string(t.id) : json_null());
        up__queue_put(db, "error", UP_PRIO_CONTROL, body, max_bytes);
        json_decref(body);
        snprintf(detail, sizeof detail, "task=%s verdict=%s: %s", t.id[0] ? t.id : "-",
                 up_down_verdict_name(v), eb.msg);
        gw_audit_add(db, "cloud", "uplink", "task.rejected", "refused", detail);
        gw_log_warn(UP, "down message rejected verdict=%s task=%s: %s", up_down_verdict_name(v),
                    t.id[0] ? t.id : "-", eb.msg);
        return;
    }
    if (answered(db, t.id, prev, sizeof prev)) {
        /* A QoS 1 redelivery: answer the same, run nothing. */
        body = json_pack("{s:s, s:s, s:b}", "task_id", t.id, "status", prev, "repeat", 1);
        up__queue_put(db, "task_result", UP_PRIO_CONTROL, body, max_bytes);
        json_decref(body);
        return;
    }
    switch (v) {
    case UP_DOWN_OK:
        /* Only "ping" is supported in version 1. */
        body =
            json_pack("{s:s, s:s, s:{s:b}}", "task_id", t.id, "status", "ok", "result", "pong", 1);
        break;
    case UP_DOWN_EXPIRED:
        body = json_pack("{s:s, s:s, s:{s:s, s:s}}", "task_id", t.id, "status", "expired", "error",
                         "code", "expired", "message", eb.msg);
        break;
    default:
        body = json_pack("{s:s, s:s, s:{s:s, s:s}}", "task_id", t.id, "status", "unsupported",
                         "error", "code", "unsupported_type", "message", eb.msg);
        break;
    }
    const char *status = json_string_value(json_object_get(body, "status"));
    remember(db, t.id, status);
    up__queue_put(db, "task_result", UP_PRIO_CONTROL, body, max_bytes);
    snprintf(detail, sizeof detail, "task=%s type=%s status=%s", t.id, t.type, status);
    gw_audit_add(db, "cloud", "uplink", "task.received", v == UP_DOWN_OK ? "ok" : "refused",
                 detail);
    json_decref(body);
}
