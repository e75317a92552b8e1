/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of the gateway library, one theme of it:
 * configuration.
 * Part of the umbrella "gateway/gw.h", which is what other modules include; the themed
 * headers only keep each concern in a file of its own. Conventions as in gw.h.
 */
#ifndef GW_CFG_H
#define GW_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gateway/gw_err.h"

/* ---------------------------------------------------------------------------------------------
 * Configuration: one strict INI file. The option table (gateway/cfg.c) is the only place that
 * holds defaults; docs/fleetgw.conf.5 documents the same table and a unit test keeps them equal.
 */
enum gw_opt_type {
    GW_OPT_BOOL,
    GW_OPT_INT,
    GW_OPT_DURATION,
    GW_OPT_STRING,
    GW_OPT_ENUM,
    GW_OPT_PATH
};
#define GW_OPT_RELOADABLE 0x1u
#define GW_OPT_SECRET     0x2u
/* Duration stored in milliseconds; min, max are then in milliseconds too (added for
 * snmp.timeout, whose range starts below one second). */
#define GW_OPT_MILLIS 0x4u

struct gw_opt {
    const char *section;
    const char *key;
    enum gw_opt_type type;
    const char *def;                /* default as it would be written in the file */
    long long min, max;             /* int/duration range (durations in seconds) */
    unsigned flags;                 /* GW_OPT_* */
    const char *const *enum_values; /* NULL-terminated, for GW_OPT_ENUM */
    size_t offset;                  /* into struct gw_cfg */
    size_t size;                    /* for strings: buffer size */
    const char *help;
};

#define GW_SCHEDULE_TABLE5 0 /* intervals of the reference's Table 5 (gw_sched_*) */
#define GW_SCHEDULE_FIXED  1 /* [poll] interval and alert_interval for every device */

#define GW_ANON_FROM_INIT 0 /* [uplink] anonymize: as fleetgw init chose */
#define GW_ANON_YES       1
#define GW_ANON_NO        2

struct gw_cfg {
    char path[1024]; /* the file this came from, "" for built-in defaults */
    /* [gateway] */
    char state_dir[512];
    char key_file[512]; /* "" means <state_dir>/secrets.key */
    int log_level;      /* syslog priority */
    char log_debug[128];
    char control_socket[512]; /* "" means <state_dir>/control.sock */
    /* [snmp] */
    int snmp_timeout_ms;
    int snmp_retries;
    int snmp_max_in_flight;
    int snmp_max_repetitions;
    char snmp_catalogue[512]; /* "" means counters.catalogue in the data directory */
    int snmp_catalogue_line;  /* line of path that set it, 0 if not set there */
    /* [poll] */
    int poll_schedule; /* GW_SCHEDULE_* */
    int poll_interval_s;
    int poll_alert_interval_s;
    int poll_retention_days;
    /* [webui] */
    bool webui_enabled;
    int webui_port;
    char webui_listen[128];       /* "" = every IPv4 and IPv6 address */
    char webui_tls_cert[512];     /* "" means <state_dir>/webui.crt */
    char webui_tls_key[512];      /* "" means <state_dir>/webui.key */
    char webui_www_dir[512];      /* "" means <datadir>/www */
    int webui_session_idle_s;     /* idle timeout of a login session */
    int webui_session_lifetime_s; /* absolute lifetime of a login session */
    char webui_names[256];        /* extra Host names, comma-separated */
    /* [uplink] */
    int up_counters_per_day;
    int up_force_interval_s; /* 0 = the daily schedule */
    int up_alert_delay_s;
    int up_keepalive_s;
    int up_backoff_max_s;
    int up_outbox_max_age_s;
    int up_outbox_max_bytes;
    int up_max_in_flight;
    char up_ca_file[512];
    char up_proxy[256];
    char up_proxy_user[128];
    int up_anonymize; /* GW_ANON_* */
};

/* Returns: the option table and its length via *n. */
const struct gw_opt *gw_cfg_options(size_t *n);
/* Fills cfg with the table's defaults. */
void gw_cfg_defaults(struct gw_cfg *cfg);
/* Parses path over the defaults. An unknown key, bad value, out-of-range value, duplicate key or
 * syntax error fails with "file:line: key: reason" in eb. Returns: 0, -errno (cannot read),
 * GW_E_CONFIG. */
int gw_cfg_load(const char *path, struct gw_cfg *cfg, struct gw_errbuf *eb);
/* Same from a string (for tests and fuzzing); name is used in messages. */
int gw_cfg_parse(const char *text, size_t len, const char *name, struct gw_cfg *cfg,
                 struct gw_errbuf *eb);
/* Writes the effective configuration as INI, secrets as <redacted>. */
void gw_cfg_dump(const struct gw_cfg *cfg, FILE *out);
/* Returns: true if a non-reloadable option differs between a and b; *key gets its name. */
bool gw_cfg_needs_restart(const struct gw_cfg *a, const struct gw_cfg *b, const char **key);
/* Resolves derived paths (key_file, control_socket) into buf. */
const char *gw_cfg_key_file(const struct gw_cfg *cfg, char *buf, size_t len);
const char *gw_cfg_control_socket(const struct gw_cfg *cfg, char *buf, size_t len);
const char *gw_cfg_db_file(const struct gw_cfg *cfg, char *buf, size_t len);
/* The counter catalogue path: the option, else $FLEETGW_DATADIR/counters.catalogue, else (a
 * binary run from its build tree) the source tree's snmp/counters.catalogue, else the installed
 * <pkgdatadir>/counters.catalogue. */
const char *gw_cfg_catalogue(const struct gw_cfg *cfg, char *buf, size_t len);
/* The web UI's certificate, key and static file directory: the option, else the default
 * (<state_dir>/webui.crt, <state_dir>/webui.key, and www by the catalogue's rule: the source
 * tree's webui/www from a build tree). */
const char *gw_cfg_webui_cert(const struct gw_cfg *cfg, char *buf, size_t len);
const char *gw_cfg_webui_key(const struct gw_cfg *cfg, char *buf, size_t len);
const char *gw_cfg_webui_www(const struct gw_cfg *cfg, char *buf, size_t len);

#endif
