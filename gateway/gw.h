/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of the gateway library (libgw.a), the umbrella every other module includes:
 * errors, memory, logging, configuration, the normalized printer data model, the sqlite store,
 * the secrets vault, the device registry, the audit log, queries, the bus and the scheduling
 * policy. Each theme has a header of its own (gw_<theme>.h) that this one includes; modules
 * include only this one and build on nothing else of the gateway.
 *
 * Unless a function says otherwise it is for the loop thread only, arguments are borrowed for
 * the call, and int returns are 0 on success or a negative gw_err / -errno code.
 */
#ifndef GW_H
#define GW_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <syslog.h>

#include <jansson.h>

#include "gateway/gw_err.h"
#include "gateway/gw_mem.h"
#include "gateway/gw_log.h"
#include "gateway/gw_time.h"
#include "gateway/gw_cfg.h"
#include "gateway/gw_model.h"
#include "gateway/gw_bus.h"
#include "gateway/gw_sched.h"
#include "gateway/gw_vault.h"
#include "gateway/gw_db.h"
#include "gateway/gw_store.h"
#include "gateway/gw_audit.h"
#include "gateway/gw_query.h"

/* Operations (gateway/gw_op.h): the one table of what front ends may do. */
#include "gateway/gw_op.h"

#endif
