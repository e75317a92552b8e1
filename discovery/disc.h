/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of discovery/ (libdisc.a): the target syntax admins type (IPv4 ranges, CIDR,
 * address plus subnet mask, host names, an exclude list) and the SNMP sweep engine that walks
 * those targets on the gateway's one libuv loop at a packets-per-second limit and reports the
 * printers it finds. Targets are kept as sorted, merged IPv4 intervals with the excludes already
 * subtracted, so a sweep position is a single index: that is what makes progress (done/total)
 * and resuming after a restart cheap.
 */
#ifndef DISC_H
#define DISC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "gateway/gw.h"
#include "snmp/snmpc.h"

/* ---------------------------------------------------------------------------------------------
 * Targets
 */

/* Addresses above this need DISC_TARGETS_CONFIRMED (a /16). */
#define DISC_TARGETS_MAX_UNCONFIRMED 65536u
/* Hard ceiling even when confirmed (a /8): bounds memory and sweep time. */
#define DISC_TARGETS_MAX 16777216u

/* Flags for disc_targets_parse(). */
#define DISC_TARGETS_CONFIRMED 0x1u /* the admin confirmed a sweep larger than a /16 */

/* Inclusive IPv4 interval, host byte order. */
struct disc_range {
    uint32_t first;
    uint32_t last;
};

struct disc_targets {
    struct disc_range *ranges; /* sorted, disjoint, non-adjacent, excludes removed */
    size_t nranges;
    char **hosts; /* host names, resolved when the sweep starts */
    size_t nhosts;
    uint64_t count; /* addresses in ranges (host names not counted) */
};

/* Parses a target list and an exclude list into t (which must be zeroed or cleaned up).
 * Items are separated by commas, semicolons or newlines; an item is an IPv4 address, a range
 * `A-B`, CIDR `A/N`, `A MASK` (dotted subnet mask after white space) or a host name. Excludes
 * use the same syntax without host names. Errors name the item by position and text, e.g.
 * "target 3: '10.0.0.300': octet out of range".
 * [out] t, [in] spec, [in] exclude (may be NULL), [in] flags DISC_TARGETS_*, [out] eb.
 * Returns: 0, DISC_E_TARGET (syntax, IPv6, empty), DISC_E_TOO_LARGE (needs confirmation or
 * beyond DISC_TARGETS_MAX). On failure t is left empty. Any thread. */
int disc_targets_parse(struct disc_targets *t, const char *spec, const char *exclude,
                       unsigned flags, struct gw_errbuf *eb);
/* Frees what disc_targets_parse() allocated; t is left empty and reusable. */
void disc_targets_cleanup(struct disc_targets *t);
/* Returns: the index-th address (host byte order) of t's ranges, index < t->count. */
uint32_t disc_targets_at(const struct disc_targets *t, uint64_t index);
/* Formats a host-order IPv4 address into buf (at least 16 bytes). Returns: buf. */
char *disc_addr_format(uint32_t addr, char *buf, size_t len);

#endif
