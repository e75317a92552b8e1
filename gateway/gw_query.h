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

/* Returns: true when a credential set of that name exists (false also on a database error,
 * logged). */
bool gw_query_credential_exists(struct gw_db *db, const char *name);

/* Streaming reads for the uplink: rows go to callbacks one at a time, so a batch of 10,000
 * devices is never held twice. Every pointer in a row is borrowed for the callback only. A
 * callback's non-zero return stops the walk and is returned. */

/* A device with its current meters, supplies and input trays. */
struct gw_current_device {
    int64_t id;
    const char *serial, *mac, *vendor, *model, *status;
};
struct gw_current_cbs {
    int (*device)(const struct gw_current_device *d, void *arg); /* first, once per device */
    /* then the device's current meters (counters_latest, no particular order) */
    int (*counter)(const char *name, int64_t value, void *arg);
    /* then its marker supplies, by type and index; percent -1 where not defined */
    int (*supply)(const char *type, const char *color, int percent, const char *state, void *arg);
    /* then its input trays by index, name (the description when the name is empty) with
     * Printer-MIB's level and capacity numbers */
    int (*tray)(const char *name, int64_t level_raw, int64_t max_capacity, const char *state,
                void *arg);
    int (*device_end)(void *arg); /* last, once per device */
};
/* Walks every device in id order with its current state; any callback may be NULL.
 * Returns: 0, GW_E_DB (logged), or a callback's non-zero return. */
int gw_query_current_each(struct gw_db *db, const struct gw_current_cbs *cbs, void *arg);

/* An audit record as the uplink's log file carries it; detail is "" when there is none. */
struct gw_audit_row {
    int64_t id, ts;
    const char *user, *source, *action, *result, *detail;
};
typedef int (*gw_audit_row_cb)(const struct gw_audit_row *r, void *arg);
/* Calls cb for the audit records with an id above after_id, oldest first, at most limit.
 * Returns: 0, GW_E_DB (logged), or cb's non-zero return. */
int gw_query_audit_after(struct gw_db *db, int64_t after_id, int limit, gw_audit_row_cb cb,
                         void *arg);

/* A device event with its device's current address ("" when it has none, device_id 0 for a
 * gateway event); detail is "" when there is none. */
struct gw_event_row {
    int64_t id, ts, device_id;
    const char *kind, *detail, *address;
};
typedef int (*gw_event_row_cb)(const struct gw_event_row *r, void *arg);
/* Calls cb for the events with an id above after_id, oldest first, at most limit.
 * Returns: 0, GW_E_DB (logged), or cb's non-zero return. */
int gw_query_events_after(struct gw_db *db, int64_t after_id, int limit, gw_event_row_cb cb,
                          void *arg);

/* Calls cb with each device's address, name, sys_name and sys_location, in that order per
 * device: the values that name the site, which the anonymizer removes from payloads. NULL
 * columns are passed as "". Returns: 0 or GW_E_DB (logged). */
int gw_query_device_site_names(struct gw_db *db, void (*cb)(const char *value, void *arg),
                               void *arg);

#endif
