/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of the gateway library, one theme of it:
 * the hash-chained audit log.
 * Part of the umbrella "gateway/gw.h", which is what other modules include; the themed
 * headers only keep each concern in a file of its own. Conventions as in gw.h.
 */
#ifndef GW_AUDIT_H
#define GW_AUDIT_H

#include "gateway/gw_err.h"
#include "gateway/gw_db.h"

/* Audit log: each record hashes the previous one (SHA-256), so an edit breaks the chain. */
int gw_audit_add(struct gw_db *db, const char *user, const char *source, const char *action,
                 const char *result, const char *detail);
/* Returns: 0 when the whole chain verifies, GW_E_TAMPER naming the first bad record in eb. */
int gw_audit_verify(struct gw_db *db, struct gw_errbuf *eb);

#endif
