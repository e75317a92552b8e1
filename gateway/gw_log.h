/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of the gateway library, one theme of it:
 * logging.
 * Part of the umbrella "gateway/gw.h", which is what other modules include; the themed
 * headers only keep each concern in a file of its own. Conventions as in gw.h.
 */
#ifndef GW_LOG_H
#define GW_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

#include "gateway/gw_err.h"

/* ---------------------------------------------------------------------------------------------
 * Logging
 */
enum gw_log_group {
    GW_LOG_GW,
    GW_LOG_CFG,
    GW_LOG_DB,
    GW_LOG_DISC,
    GW_LOG_SNMP,
    GW_LOG_SOAP,
    GW_LOG_UP,
    GW_LOG_UI,
    GW_LOG_AUDIT,
    GW_LOG_NGROUPS
};

/* Chooses journald when JOURNAL_STREAM is set, stderr with ISO timestamps otherwise. */
void gw_log_init(const char *ident);
/* Messages above prio (syslog numbering) are dropped, except debug for groups in the mask. */
void gw_log_set_level(int prio);
/* Parses "snmp,up" (or "all") into debug groups. Returns: 0, or GW_E_INVAL naming the bad
 * group in eb. */
int gw_log_set_debug(const char *groups, struct gw_errbuf *eb);
const char *gw_log_group_name(enum gw_log_group g);
bool gw_log_enabled(int prio, enum gw_log_group g);
void gw__log(int prio, enum gw_log_group g, int err, const char *file, int line, const char *func,
             const char *fmt, ...) __attribute__((format(printf, 7, 8)));

#define GW__LOG(prio, grp, err, ...)                                                               \
    do {                                                                                           \
        if (gw_log_enabled(prio, GW_LOG_##grp))                                                    \
            gw__log(prio, GW_LOG_##grp, err, __FILE__, __LINE__, __func__, __VA_ARGS__);           \
    } while (0)
#define gw_log_err(grp, ...)    GW__LOG(LOG_ERR, grp, 0, __VA_ARGS__)
#define gw_log_warn(grp, ...)   GW__LOG(LOG_WARNING, grp, 0, __VA_ARGS__)
#define gw_log_notice(grp, ...) GW__LOG(LOG_NOTICE, grp, 0, __VA_ARGS__)
#define gw_log_info(grp, ...)   GW__LOG(LOG_INFO, grp, 0, __VA_ARGS__)
#define gw_log_debug(grp, ...)  GW__LOG(LOG_DEBUG, grp, 0, __VA_ARGS__)
/* The _r forms append " err=<gw_strerror(rc)>". */
#define gw_log_err_r(grp, rc, ...)  GW__LOG(LOG_ERR, grp, rc, __VA_ARGS__)
#define gw_log_warn_r(grp, rc, ...) GW__LOG(LOG_WARNING, grp, rc, __VA_ARGS__)

/* Records kept in memory for gw_log_recent(). */
#define GW_LOG_RECENT_LINES 2000
/* Copies the most recent records (at most GW_LOG_RECENT_LINES, oldest first), one line each
 * as "<ISO time> <priority> <group>: <message>\n", whatever the output (journald or stderr).
 * Returns: the NUL-terminated text, its length in *len; caller frees with free(). Any thread. */
char *gw_log_recent(size_t *len);

/* Rate limit for repeated messages: at most one line per interval_ms. Embed and zero-init with
 * the interval set. gw_log_limit() returns true when the caller should log now; *suppressed is
 * set to how many calls were swallowed since the last logged one. */
struct gw_log_limit {
    uint64_t interval_ms;
    uint64_t last_ms;
    unsigned suppressed;
};
bool gw_log_limit(struct gw_log_limit *lim, uint64_t now_ms, unsigned *suppressed);

#endif
