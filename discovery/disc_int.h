/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Private declarations shared by the files of discovery/ and its unit tests.
 */
#ifndef DISC_INT_H
#define DISC_INT_H

#include <stdio.h>

#include "discovery/disc.h"

/* Parses exactly four dotted decimal octets from s[0..len). Returns: 0, or DISC_E_TARGET with
 * *why set to a static reason. */
int disc__ipv4_parse(const char *s, size_t len, uint32_t *out, const char **why);

/* Schedule "manual" | "daily HH:MM" | "every N" (hours): *daily_min 0..1439 or -1, *every_h
 * 1..168 or 0. Returns: 0 or DISC_E_TARGET. */
int disc__schedule_parse(const char *s, int *daily_min, int *every_h);
/* Window "HH:MM-HH:MM" in local time, may wrap midnight. Returns: 0 or -1. */
int disc__window_parse(const char *s, int *from, int *to);

#endif
