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

/* An attached IPv4 subnet: an interface's address and netmask (host order). */
struct disc_subnet {
    char name[16];
    uint32_t addr;
    uint32_t mask;
};

/* Returns: whether addr is inside one of the sorted, disjoint ranges r[0..n). */
bool disc__ranges_has(const struct disc_range *r, size_t n, uint32_t addr);
/* Splits the sorted, disjoint target ranges r[0..n) by the attached subnets nets[0..nnets):
 * *covered (gw_malloc'd, NULL when empty; sorted, disjoint, merged) gets the parts inside any
 * subnet, *ncovered their number, *count the addresses in them, and used[i] (nnets entries)
 * whether subnet i holds any target. */
void disc__wsd_split(const struct disc_range *r, size_t n, const struct disc_subnet *nets,
                     size_t nnets, struct disc_range **covered, size_t *ncovered, uint64_t *count,
                     bool *used);
/* Fills nets[0..max) with the up, multicast-capable IPv4 interfaces (getifaddrs).
 * Returns: how many, or a negative errno. */
int disc__mcast_subnets(struct disc_subnet *nets, size_t max);

#endif
