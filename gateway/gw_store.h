/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of the gateway library, one theme of it:
 * the store: credentials, the device registry, poll results and events.
 * Part of the umbrella "gateway/gw.h", which is what other modules include; the themed
 * headers only keep each concern in a file of its own. Conventions as in gw.h.
 */
#ifndef GW_STORE_H
#define GW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "gateway/gw_err.h"
#include "gateway/gw_model.h"
#include "gateway/gw_vault.h"
#include "gateway/gw_db.h"

/* SNMP credential sets, secrets stored only sealed by the vault. */
enum gw_snmp_version { GW_SNMP_V1 = 1, GW_SNMP_V2C = 2, GW_SNMP_V3 = 3 };
enum gw_sec_level { GW_SEC_NOAUTH = 1, GW_SEC_AUTHNOPRIV = 2, GW_SEC_AUTHPRIV = 3 };
struct gw_credential {
    int64_t id;
    char name[64];
    enum gw_snmp_version version;
    char *community;   /* secret, v1/v2c */
    char sec_name[64]; /* v3 */
    enum gw_sec_level sec_level;
    char auth_proto[16]; /* "MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512" */
    char *auth_pass;     /* secret */
    char priv_proto[16]; /* "DES", "AES", "AES-192", "AES-256" */
    char *priv_pass;     /* secret */
    char context[64];
};
/* Wipes and frees the secrets held by c. */
void gw_credential_cleanup(struct gw_credential *c);
/* Checks names, protocols and that the secrets a level needs are present and 1..256 bytes (v3
 * passphrases at least 8, as net-snmp requires). Returns: 0 or GW_E_INVAL naming the field. */
int gw_credential_check(const struct gw_credential *c, struct gw_errbuf *eb);
int gw_credential_add(struct gw_db *db, const struct gw_vault *v, struct gw_credential *c,
                      struct gw_errbuf *eb);
/* Loads by name (id <= 0) or by id, secrets decrypted. Caller runs gw_credential_cleanup(). */
int gw_credential_get(struct gw_db *db, const struct gw_vault *v, const char *name, int64_t id,
                      struct gw_credential *out, struct gw_errbuf *eb);
/* Returns: a JSON array of credential sets without any secret; caller json_decref()s. */
json_t *gw_credential_list(struct gw_db *db);
/* Refuses (GW_E_BUSY) while a device refers to it. */
int gw_credential_remove(struct gw_db *db, const char *name, struct gw_errbuf *eb);

/* Device registry. */
struct gw_device {
    int64_t id;
    char name[128];
    char address[256]; /* host name or IP literal */
    uint16_t port;     /* SNMP port, default 161 */
    int64_t credential_id;
    char credential[64]; /* name, filled by reads */
    char priority[8];    /* "high", "middle", "low" */
    char status[16];     /* "new", "ok", "unreachable", "auth_failed", "error" */
    int64_t last_seen;   /* last successful poll, 0 never */
    int64_t last_poll;
    char vendor[64], model[128], serial[64], mac[18], engine_id[66];
    bool has_page_count;
    uint64_t page_count_total;
    bool priority_pinned; /* set by an admin; the activity rating does not move it */
    double activity;      /* activity rating at activity_ts (see gw_activity_decay) */
    int64_t activity_ts;
    int64_t last_counter_poll; /* 0 never */
    char wsd_uuid[80];         /* WS-Discovery endpoint UUID, "" if never seen through WSD */
    char transport[8];         /* "snmp" (polled with the credential set) or "wsd" (WS-Print) */
    char wsd_xaddrs[512];      /* space-separated XAddrs a WSD device is polled at */
};
/* Validates and inserts; sets d->id. Returns: 0, GW_E_INVAL, GW_E_NOTFOUND (credential),
 * GW_E_EXISTS (same address and port). */
int gw_device_add(struct gw_db *db, struct gw_device *d, struct gw_errbuf *eb);
int gw_device_get(struct gw_db *db, int64_t id, struct gw_device *out);
int gw_device_remove(struct gw_db *db, int64_t id);
/* Calls cb for each device in id order; a non-zero return from cb stops and is returned. */
typedef int (*gw_device_cb)(const struct gw_device *d, void *arg);
int gw_device_foreach(struct gw_db *db, gw_device_cb cb, void *arg);
int gw_device_count(struct gw_db *db);
json_t *gw_device_to_json(const struct gw_device *d);
/* Pins the device's priority ("high", "middle", "low"), or with NULL hands it back to the
 * activity rating. Returns: 0, GW_E_INVAL, GW_E_NOTFOUND, GW_E_DB. */
int gw_device_set_priority(struct gw_db *db, int64_t id, const char *priority);
/* Moves a device to a new address (discovery found it there). Returns: 0, GW_E_INVAL,
 * GW_E_NOTFOUND, GW_E_EXISTS (another device has that address and port), GW_E_DB. */
int gw_device_set_address(struct gw_db *db, int64_t id, const char *address, uint16_t port);
/* Stores the WS-Discovery endpoint UUID discovery saw for the device ("" clears it).
 * Returns: 0, GW_E_INVAL (longer than 79 bytes), GW_E_NOTFOUND, GW_E_DB. */
int gw_device_set_wsd_uuid(struct gw_db *db, int64_t id, const char *uuid);
/* Sets how the poller reaches the device: "snmp" with credential_id (> 0; <= 0 keeps the
 * stored one), or "wsd" at xaddrs (space-separated http:// URLs; the credential set is then
 * not used). xaddrs NULL keeps the stored ones. Returns: 0, GW_E_INVAL, GW_E_NOTFOUND, GW_E_DB. */
int gw_device_set_transport(struct gw_db *db, int64_t id, const char *transport,
                            int64_t credential_id, const char *xaddrs);
/* Saves the scheduler's state of a device: its category (ignored while pinned), rating, and
 * the time of the last counter poll (0 keeps the stored one). */
int gw_device_save_schedule(struct gw_db *db, int64_t id, const char *priority, double activity,
                            int64_t activity_ts, int64_t last_counter_poll);
/* At most this many bad lines of one CSV import are listed. */
#define GW_IMPORT_MAX_ERRORS 1000
/* Imports a CSV (header: address,port,credential,name) in one transaction; on any bad row
 * nothing is imported. Every line is checked: each bad one is appended to errors [in,out] (when
 * not NULL; at most GW_IMPORT_MAX_ERRORS) as {"line", "error"}, and eb says "file:line: reason"
 * for a single bad line or "file: N bad lines, nothing imported; line L: reason" for more.
 * Returns: count imported, or < 0. */
int gw_device_import_csv(struct gw_db *db, FILE *in, const char *name, json_t *errors,
                         struct gw_errbuf *eb);

/* Stores a successful poll: identity, counter readings, supplies, alert set; a counter lower
 * than its last stored value becomes a "counter_regression" event and is not stored as the
 * meter. Returns: 0 or GW_E_DB. */
int gw_store_poll_ok(struct gw_db *db, int64_t device_id, const struct gw_model *m, int64_t now);
/* Records a failed poll with its new status ("unreachable", "auth_failed", "error"). */
int gw_store_poll_failed(struct gw_db *db, int64_t device_id, const char *status, int64_t now);
/* Device events (counter_regression, engine_id_shared, ...). detail may be NULL. */
int gw_event_add(struct gw_db *db, int64_t device_id, const char *kind, const char *detail,
                 int64_t now);
/* Returns: JSON array of the device's newest events (at most limit). */
json_t *gw_event_list(struct gw_db *db, int64_t device_id, int limit);
/* Returns: JSON object with the device's latest counters, supplies and active alerts. */
json_t *gw_store_device_state(struct gw_db *db, int64_t device_id);
/* Deletes counter readings older than days. */
int gw_store_prune(struct gw_db *db, int days, int64_t now);

#endif
