/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of the gateway library, one theme of it:
 * time.
 * Part of the umbrella "gateway/gw.h", which is what other modules include; the themed
 * headers only keep each concern in a file of its own. Conventions as in gw.h.
 */
#ifndef GW_TIME_H
#define GW_TIME_H

#include <stdint.h>

/* ---------------------------------------------------------------------------------------------
 * Time
 */
/* Wall clock, seconds since the epoch. */
int64_t gw_now(void);
/* Formats t as "2026-11-22T01:02:03Z" into buf[21]. Returns: buf. */
char *gw_time_iso(int64_t t, char buf[static 21]);

#endif
