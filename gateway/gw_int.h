/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Declarations shared between the gateway library's own files; not for other modules.
 *
 * The store is split over db.c (connection, migrations, transactions, settings, and the
 * prepare/bind/step helpers every module uses, declared in gw.h), store.c (credentials,
 * devices, poll results, events), query.c (read-only queries) and audit.c (hash-chained audit
 * log).
 */
#ifndef GW_INT_H
#define GW_INT_H

#include <sqlite3.h>

#include "gateway/gw.h"

/* Schema version 1 table names, used as the vault's associated data for sealed columns. */
#define GW__TBL_CREDENTIALS "credentials"

#endif
