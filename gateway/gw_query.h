/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of the gateway library, one theme of it:
 * the read-only queries for front ends.
 * Part of the umbrella "gateway/gw.h", which is what other modules include; the themed
 * headers only keep each concern in a file of its own. Conventions as in gw.h.
 */
#ifndef GW_QUERY_H
#define GW_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "gateway/gw_db.h"

/* ---------------------------------------------------------------------------------------------
 * Queries for front ends (gateway/query.c): read-only, bounded, fast with 10,000 devices.
 */
struct gw_device_query {
    const char *text;   /* substring of name, address, vendor, model, serial or MAC; NULL = any */
    const char *status; /* exact device status; NULL = any */
    bool alerts_only;   /* only devices with active alerts */
    const char *sort;   /* a key gw_query_sort_valid() accepts; NULL = id */
    bool desc;
    int offset, limit; /* limit 1..1000, default 50 */
};
/* Returns: true when key is a sort key of the device query (id, name, address, status, vendor,
 * model, serial, priority, last_seen, page_count, alerts). */
bool gw_query_sort_valid(const char *key);
/* Returns: {"total", "offset", "limit", "items": [device with "alerts" and "supplies_low"
 * counts]}, or NULL on a database error. Caller json_decref()s. */
json_t *gw_query_devices(struct gw_db *db, const struct gw_device_query *q);
/* Returns: the dashboard's figures: devices total/online/with alerts, by status, supplies low,
 * the ten lowest supplies and newest active alerts, last poll. Caller json_decref()s. */
json_t *gw_query_dashboard(struct gw_db *db);
/* Returns: [[ts, value], ...] of counter name's history since since (at most 2000 newest),
 * ending with the current reading (counters_latest) when it is newer than the last history row. */
json_t *gw_query_counter_history(struct gw_db *db, int64_t device_id, const char *name,
                                 int64_t since);
/* Returns: the names of the counters with history for the device, "total" first. */
json_t *gw_query_counter_names(struct gw_db *db, int64_t device_id);
/* Returns: {"total", "offset", "limit", "items"} of audit records, newest first, whose fields
 * contain text (NULL = all). */
json_t *gw_query_audit(struct gw_db *db, const char *text, int offset, int limit);
/* Writes the whole audit log as CSV (RFC 4180, formulas defused). Returns: 0 or GW_E_DB. */
int gw_query_audit_csv(struct gw_db *db, FILE *out);
/* Returns: the highest alert id (0 when none). */
int64_t gw_query_alert_max_id(struct gw_db *db);
/* Returns: active alerts with an id above after_id, with their device's name and address;
 * *max_id is raised to the highest id returned. */
json_t *gw_query_alerts_after(struct gw_db *db, int64_t after_id, int64_t *max_id);

#endif
