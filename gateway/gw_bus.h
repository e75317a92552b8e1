/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of the gateway library, one theme of it:
 * the event bus.
 * Part of the umbrella "gateway/gw.h", which is what other modules include; the themed
 * headers only keep each concern in a file of its own. Conventions as in gw.h.
 */
#ifndef GW_BUS_H
#define GW_BUS_H

#include <jansson.h>

/* ---------------------------------------------------------------------------------------------
 * Event bus: how modules hear about what happens elsewhere without depending on each other.
 * The poller, the control requests and discovery publish; the web UI's live view and the
 * uplink subscribe. Delivery is synchronous on the loop thread, in subscription order.
 *
 * Kinds and their JSON payloads (see docs/architecture.md):
 *   "poll"           {device_id, ok, kind: "full"|"status", status, error?}
 *   "alert.new"      {device_id, alert: {index, severity, group, code, description}}
 *   "alert.cleared"  {device_id, alert: {...}}
 *   "device.added"   {device_id, address}
 *   "device.removed" {device_id}
 *   "device.state"   {device_id, state, previous}
 *   "device.moved"   {device_id, from, address}
 *   "discovery.progress" {setting, state, done, total, ...} (discovery/, see docs/api.md)
 */
typedef void (*gw_bus_cb)(const char *kind, json_t *payload, void *arg);
/* Subscribes cb to kinds starting with prefix ("" for all). Returns: an id for
 * gw_bus_unsubscribe(), > 0. */
int gw_bus_subscribe(const char *prefix, gw_bus_cb cb, void *arg);
void gw_bus_unsubscribe(int id);
/* Delivers payload to every matching subscriber; takes ownership of payload (a new reference,
 * decref'd after delivery; subscribers that keep it json_incref()). */
void gw_bus_publish(const char *kind, json_t *payload);

#endif
