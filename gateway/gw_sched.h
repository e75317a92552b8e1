/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of the gateway library, one theme of it:
 * the scheduling policy.
 * Part of the umbrella "gateway/gw.h", which is what other modules include; the themed
 * headers only keep each concern in a file of its own. Conventions as in gw.h.
 */
#ifndef GW_SCHED_H
#define GW_SCHED_H

#include <stdint.h>

/* ---------------------------------------------------------------------------------------------
 * Scheduling policy: the polling intervals of the reference's Table 5 by fleet size and
 * priority category, and the activity rating that moves devices between categories.
 */
enum gw_priority { GW_PRIO_HIGH, GW_PRIO_MIDDLE, GW_PRIO_LOW };
/* Returns: "high", "middle", "low". */
const char *gw_priority_name(enum gw_priority p);
/* Returns: 0, or GW_E_INVAL for anything but high/middle/low. */
int gw_priority_parse(const char *s, enum gw_priority *out);
/* Returns: seconds between alert (status) polls for one device in a fleet of ndevices. */
unsigned gw_sched_alert_interval(int ndevices, enum gw_priority p);
/* Returns: seconds between counter/consumables polls; never more than one day. */
unsigned gw_sched_counter_interval(int ndevices, enum gw_priority p);

/* Activity rating: points that halve every 24 hours. Pages printed add 1 point each, a new
 * alert adds GW_ACTIVITY_ALERT points; a new device starts at GW_ACTIVITY_NEW so it is polled as
 * high priority until its history says otherwise. */
#define GW_ACTIVITY_ALERT    50.0
#define GW_ACTIVITY_NEW      200.0
#define GW_ACTIVITY_HIGH     20.0 /* at or above: high */
#define GW_ACTIVITY_MIDDLE   2.0  /* at or above: middle; below: low */
#define GW_ACTIVITY_HALFLIFE (24 * 3600)
/* Returns: the rating decayed from (score at time at) to now. */
double gw_activity_decay(double score, int64_t at, int64_t now);
/* Returns: the category a rating falls in. */
enum gw_priority gw_activity_priority(double score);

#endif
