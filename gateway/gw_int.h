/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Declarations shared between the gateway library's own files; not for other modules.
 */
#ifndef GW_INT_H
#define GW_INT_H

#include <sqlite3.h>

#include "gateway/gw.h"

#endif
