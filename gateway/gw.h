/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of the gateway library (libgw.a): errors, memory, logging, configuration,
 * the normalized printer data model, the sqlite store, the secrets vault and the device
 * registry. Every other module builds on this header and on nothing else of the gateway.
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

/* ---------------------------------------------------------------------------------------------
 * Errors
 */

/* Returns: a static message for a gw_err code or a -errno value; never NULL. Any thread. */
const char *gw_strerror(int err);
/* Returns: the symbolic name ("SNMPC_E_TIMEOUT", "ENOENT"), or "UNKNOWN". Any thread. */
const char *gw_err_name(int err);

/* Caller-owned buffer that parse and validate functions fill with a message naming the bad
 * input. May be passed as NULL where the caller does not want the text. */
struct gw_errbuf {
    char msg[256];
};

/* Formats into eb (no-op when eb is NULL). Returns: code, so callers can write
 * `return gw_errbuf_set(eb, GW_E_INVAL, "...")`. */
int gw_errbuf_set(struct gw_errbuf *eb, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define GW_ASSERT(cond)                                                                            \
    do {                                                                                           \
        if (!(cond))                                                                               \
            gw__assert_fail(#cond, __FILE__, __LINE__);                                            \
    } while (0)
void gw__assert_fail(const char *expr, const char *file, int line) __attribute__((noreturn));

/* ---------------------------------------------------------------------------------------------
 * Memory: the allocation wrappers log and abort on OOM (systemd restarts the daemon).
 */
void *gw_malloc(size_t n);
void *gw_calloc(size_t nmemb, size_t size);
void *gw_realloc(void *p, size_t n);
char *gw_strdup(const char *s);
char *gw_strndup(const char *s, size_t n);
/* Wipes len bytes (OPENSSL_cleanse) then frees; NULL is a no-op. For keys and passwords. */
void gw_free_secret(void *p, size_t len);
/* Wipes and frees a NUL-terminated secret string; NULL is a no-op. */
void gw_free_secret_str(char *s);
#define GW_FREE(p)                                                                                 \
    do {                                                                                           \
        free(p);                                                                                   \
        (p) = NULL;                                                                                \
    } while (0)
/* Reads a whole regular file of at most max bytes into *out (NUL-terminated, caller frees).
 * Returns: 0, -errno, GW_E_TOOBIG (not a regular file, or larger than max); eb names the path. */
int gw_file_read(const char *path, size_t max, char **out, size_t *len, struct gw_errbuf *eb);
/* Copies src into dst[size] always NUL-terminated. Returns: strlen(src) (truncated if >= size). */
size_t gw_strlcpy(char *dst, const char *src, size_t size);
/* Returns: how many of the n bytes of the UTF-8 text s fit in a buffer of size bytes with its
 * NUL, cut on a character boundary (never inside a multi-byte character): n when all fit. */
size_t gw_utf8_fit(const char *s, size_t n, size_t size);

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

/* ---------------------------------------------------------------------------------------------
 * Time
 */
/* Wall clock, seconds since the epoch. */
int64_t gw_now(void);
/* Formats t as "2026-11-22T01:02:03Z" into buf[21]. Returns: buf. */
char *gw_time_iso(int64_t t, char buf[static 21]);

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

/* ---------------------------------------------------------------------------------------------
 * Normalized printer data model. Filled by snmp/ (and later soap/) from whatever protocol the
 * device speaks, stored by the store, printed by `fleetgw probe --json`.
 */
enum gw_supply_state {
    GW_SUPPLY_OK,
    GW_SUPPLY_LOW,
    GW_SUPPLY_EMPTY,
    GW_SUPPLY_SOME_REMAINING,
    GW_SUPPLY_UNKNOWN,
    GW_SUPPLY_OTHER,
    GW_SUPPLY_IMPLAUSIBLE
};
/* Returns: "ok", "low", "empty", "some_remaining", "unknown", "other", "implausible". */
const char *gw_supply_state_name(enum gw_supply_state s);

/* Printer conditions, in the bit order of hrPrinterDetectedErrorState (RFC 3805 errata). */
enum gw_condition {
    GW_COND_LOW_PAPER = 1u << 0,
    GW_COND_NO_PAPER = 1u << 1,
    GW_COND_LOW_TONER = 1u << 2,
    GW_COND_NO_TONER = 1u << 3,
    GW_COND_DOOR_OPEN = 1u << 4,
    GW_COND_JAMMED = 1u << 5,
    GW_COND_OFFLINE = 1u << 6,
    GW_COND_SERVICE_REQUESTED = 1u << 7,
    GW_COND_INPUT_TRAY_MISSING = 1u << 8,
    GW_COND_OUTPUT_TRAY_MISSING = 1u << 9,
    GW_COND_MARKER_SUPPLY_MISSING = 1u << 10,
    GW_COND_OUTPUT_NEAR_FULL = 1u << 11,
    GW_COND_OUTPUT_FULL = 1u << 12,
    GW_COND_INPUT_TRAY_EMPTY = 1u << 13,
    GW_COND_OVERDUE_PREVENT_MAINT = 1u << 14,
};
#define GW_COND_COUNT 15
/* Returns: the snake_case name of one condition bit ("door_open"), or NULL. */
const char *gw_condition_name(uint32_t bit);

struct gw_counter {
    char name[64]; /* catalogue name, e.g. "total", "copy_mono", "marker_life.1" */
    char oid[128]; /* numeric, dotted, no leading dot */
    uint64_t value;
};

/* A marker supply (prtMarkerSuppliesTable, or a WS-Print consumable). Input trays are not
 * supplies: they are struct gw_tray. */
struct gw_supply {
    int index;      /* prtMarkerSuppliesIndex */
    char type[32];  /* Printer-MIB prtMarkerSuppliesType name ("toner") */
    char color[32]; /* colorant value ("black"), "" if unknown */
    char description[128];
    long level_raw;    /* as read, including -1/-2/-3 */
    long max_capacity; /* as read, including -1/-2 */
    int percent;       /* 0..100, or -1 where not defined */
    enum gw_supply_state state;
};

/* An input tray (RFC 3805 prtInputTable, 1.3.6.1.2.1.43.8.2). Its level is paper in the tray,
 * not a consumable: trays are kept apart from supplies everywhere and never count as supplies
 * running low. Numbers keep Printer-MIB's special values: capacity -1 other, -2 unknown; level
 * -1 other, -2 unknown, -3 "at least one unit remains". */
struct gw_tray {
    int index;              /* prtInputIndex */
    char type[32];          /* PrtInputTypeTC name ("sheetFeedAutoRemovableTray"), "" if unread */
    char name[64];          /* prtInputName ("Tray 2"), "" if not read */
    char description[128];  /* prtInputDescription, "" if not read */
    char media_name[64];    /* prtInputMediaName ("A4"), "" if not read */
    char media_type[64];    /* prtInputMediaType ("stationery"), "" if not read */
    char dim_unit[32];      /* PrtMediaUnitTC name of the dimensions, "" if not read */
    long media_feed;        /* prtInputMediaDimFeedDirDeclared, -1 other, -2 unknown/unread */
    long media_xfeed;       /* prtInputMediaDimXFeedDirDeclared, likewise */
    char capacity_unit[32]; /* PrtCapacityUnitTC name ("sheets"), "" if not read */
    long max_capacity;      /* prtInputMaxCapacity as read (-2 when absent) */
    long level_raw;         /* prtInputCurrentLevel as read (-2 when absent) */
    int percent;            /* 0..100 of max_capacity, or -1 where not defined */
    enum gw_supply_state state; /* never GW_SUPPLY_LOW: see gw_tray_state() */
    int status;                 /* prtInputStatus (PrtSubUnitStatusTC 0..126), -1 if not read */
};

/* The state of a tray level: -1 other, -2 unknown, -3 some_remaining, 0 empty, a count up to
 * the capacity ok, other negatives or a count above a known capacity implausible. A tray is
 * never "low" (the printer says lowPaper itself). percent (may be NULL) gets 0..100 when the
 * capacity is known, else -1. Any thread. */
enum gw_supply_state gw_tray_state(long level, long max_capacity, int *percent);

struct gw_alert {
    int index;
    int severity; /* prtAlertSeverityLevel */
    int group;    /* prtAlertGroup */
    int group_index;
    int location;
    int code;            /* prtAlertCode */
    int training;        /* prtAlertTrainingLevel */
    uint32_t time_ticks; /* prtAlertTime */
    char description[256];
};

struct gw_model {
    char vendor[64];
    char model[128];
    char serial[64];
    char mac[18]; /* "00:11:22:aa:bb:cc", "" if unknown */
    char sys_descr[256];
    char sys_object_id[128];
    char sys_name[128];
    char sys_location[128];
    char sys_contact[128];
    char firmware[128];
    char engine_id[66]; /* hex, "" for v1/v2c */
    uint32_t uptime_ticks;
    bool has_page_count;
    uint64_t page_count_total;
    char page_count_source[64]; /* counter name the billing total came from */
    bool counter_disagreement;  /* vendor total and Printer-MIB life count differ */
    char disagreement[128];
    int device_status;   /* hrDeviceStatus, 0 if unknown */
    int printer_status;  /* hrPrinterStatus, 0 if unknown */
    uint32_t conditions; /* gw_condition bits */
    bool is_printer;     /* Printer-MIB or hrDeviceType printer seen */
    struct gw_counter *counters;
    size_t n_counters;
    struct gw_supply *supplies; /* marker supplies only */
    size_t n_supplies;
    struct gw_tray *trays; /* input trays */
    size_t n_trays;
    struct gw_alert *alerts;
    size_t n_alerts;
};

void gw_model_init(struct gw_model *m);
void gw_model_cleanup(struct gw_model *m);
/* Append a zeroed element and return it (valid until the next append). */
struct gw_counter *gw_model_add_counter(struct gw_model *m);
struct gw_supply *gw_model_add_supply(struct gw_model *m);
/* Its numbers start at -2 (unknown), percent and status at -1. */
struct gw_tray *gw_model_add_tray(struct gw_model *m);
struct gw_alert *gw_model_add_alert(struct gw_model *m);
/* Returns: the counter named name, or NULL. */
const struct gw_counter *gw_model_counter(const struct gw_model *m, const char *name);
/* Returns: a new JSON object in the `fleetgw probe --json` shape; caller json_decref()s. */
json_t *gw_model_to_json(const struct gw_model *m);
/* Writes what a person reads for a tray's level into buf: "250 of 500 sheets", "some paper"
 * (-3), "empty", "level unknown" (-1, -2). Returns: buf. */
const char *gw_tray_level_text(const struct gw_tray *t, char *buf, size_t len);
/* Returns: a new JSON object for one tray (the `trays[]` element of the probe and API JSON, see
 * docs/api.md); caller json_decref()s. */
json_t *gw_tray_to_json(const struct gw_tray *t);
/* Returns: a new JSON object for a Printer-MIB PrtSubUnitStatusTC value ({raw, availability,
 * alerts, offline, transitioning}), or JSON null for -1 (not read) and values out of range. */
json_t *gw_subunit_status_json(int v);
/* A WS-Print PrinterStateReason the data model can say: the condition bit and the Printer-MIB
 * alert (prtAlertCode, prtAlertGroup, prtAlertSeverityLevel) an SNMP printer would raise. */
struct gw_wsd_reason {
    const char *reason; /* "MarkerSupplyLow" */
    uint32_t cond;
    int code, group, severity;
};
/* Returns: the entry for a WS-Print reason (case-insensitive), or NULL. Any thread. */
const struct gw_wsd_reason *gw_wsd_reason_find(const char *reason);
/* Returns: the entry i of the WS-Print reason table (0-based), or NULL past its end. */
const struct gw_wsd_reason *gw_wsd_reason_at(size_t i);
/* Returns: the RFC 3805 PrtAlertCodeTC label of a prtAlertCode ("markerTonerAlmostEmpty"), or
 * NULL for a code the TC does not define. Any thread. */
const char *gw_alert_code_name(int code);
/* Writes a CamelCase label in words, first letter upper-case ("MarkerSupplyLow" -> "Marker
 * supply low", "printerNMSReset" -> "Printer NMS reset") into out [out] of size n.
 * Returns: out. */
char *gw_label_words(const char *label, char *out, size_t n);
/* Returns: the text a person reads for an alert: the device's own description, except where it
 * is a bare WS-Print reason (then that reason in words), or the RFC 3805 name of code in words
 * when there is no description; NULL when neither says anything. Writes into out [out]. */
const char *gw_alert_text(const char *description, int code, char *out, size_t n);

/* Sets "text" (gw_alert_text(), or null) and "code_text" (the RFC 3805 name of code in words,
 * or null) on the alert object o [in,out]. */
void gw_alert_json_text(json_t *o, const char *description, int code);
/* Names for status values; "unknown" for values out of range. */
const char *gw_device_status_name(int hr_device_status);
const char *gw_printer_status_name(int hr_printer_status);

/* Normalizes a MAC from raw bytes (6) or text ("00-11-22-AA-BB-CC", "0011.22aa.bbcc",
 * "001122aabbcc") into "00:11:22:aa:bb:cc". Returns: 0 or GW_E_PARSE. */
int gw_mac_from_bytes(const unsigned char *b, size_t len, char out[18]);
int gw_mac_normalize(const char *in, char out[18]);
/* Normalizes a serial: trims whitespace and NULs, upper-cases, drops placeholder values
 * ("", "0", "unknown", "n/a", "<private>", runs of one 0, X, * or F). Returns: 0, or GW_E_PARSE when
 * nothing usable remains (out is then ""). */
int gw_serial_normalize(const char *in, size_t len, char *out, size_t outlen);
/* The canonical maker name ("HP", "Konica Minolta", "Kyocera") for a vendor or manufacturer
 * string that is, or starts with, one of the spellings devices use ("Hewlett-Packard",
 * "KONICA MINOLTA", "KYOCERA Document Solutions Inc."), case-insensitively. Returns: a static
 * string, or NULL when the maker is not known. Any thread. */
const char *gw_maker_name(const char *text);
/* Removes the maker from a model name, the first step of the one model-name rule (see
 * gw_model_identity_normalize()). Rewrites model[len] in place: blanks collapsed and trimmed,
 * then leading words naming the maker removed, case-insensitively and repeatedly ("Brother
 * Brother MFC-L2710DW" -> "MFC-L2710DW"): vendor itself, and the spellings of its maker (see
 * gw_maker_name()). With an empty vendor, any known maker is removed. A name that is nothing
 * but a maker is kept. vendor may be NULL. Returns: the canonical maker removed (static), or
 * NULL if none. Any thread. */
const char *gw_model_name_normalize(const char *vendor, char *model, size_t len);
/* The one model-name rule, for a filled model whatever protocol filled it (SNMP decode,
 * WS-Discovery metadata): m->vendor becomes its canonical maker name when known
 * (gw_maker_name()), an empty vendor is set from the maker a model named, and m->model carries
 * the maker exactly once, in front, in that spelling ("Kyocera TASKalfa 2554ci", whether the
 * device said "TASKalfa 2554ci" or "KYOCERA TASKalfa 2554ci"). Show the model alone: it already
 * names its maker. Any thread. */
void gw_model_identity_normalize(struct gw_model *m);

/* ---------------------------------------------------------------------------------------------
 * Event bus: how modules hear about what happens elsewhere without depending on each other.
 * The poller, the control requests and discovery publish; the web UI's live view and the
 * uplink subscribe. Delivery is synchronous on the loop thread, in subscription order.
 *
 * Kinds and their JSON payloads (see docs/architecture.md):
 *   "poll"           {device_id, ok, kind: "full"|"status", status, error?}
 *   "alert.new"      {device_id, alert: {index, severity, group, code, description}}
 *   "alert.cleared"  {device_id, alert: {...}}
 *   "device.added"   {device_id, address}
 *   "device.removed" {device_id}
 *   "device.state"   {device_id, state, previous}
 *   "device.moved"   {device_id, from, address}
 *   "discovery.progress" {setting, state, done, total, ...} (discovery/, see docs/api.md)
 */
typedef void (*gw_bus_cb)(const char *kind, json_t *payload, void *arg);
/* Subscribes cb to kinds starting with prefix ("" for all). Returns: an id for
 * gw_bus_unsubscribe(), > 0. */
int gw_bus_subscribe(const char *prefix, gw_bus_cb cb, void *arg);
void gw_bus_unsubscribe(int id);
/* Delivers payload to every matching subscriber; takes ownership of payload (a new reference,
 * decref'd after delivery; subscribers that keep it json_incref()). */
void gw_bus_publish(const char *kind, json_t *payload);

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

/* ---------------------------------------------------------------------------------------------
 * Secrets vault: AES-256-GCM with a 256-bit key kept in a file outside the database.
 * Record format: version byte (1) | 12-byte random nonce | ciphertext | 16-byte tag; the
 * associated data binds a record to "table/column/row" so it cannot be moved to another row.
 */
struct gw_vault;
/* Creates a new key file (mode 0600, O_EXCL). Returns: 0, -EEXIST, -errno, GW_E_CRYPTO. */
int gw_vault_keygen(const char *path, struct gw_errbuf *eb);
/* Loads the key; refuses a file readable by group or others (GW_E_KEYPERM) or of the wrong
 * size (GW_E_CRYPTO). Caller frees with gw_vault_free(). */
int gw_vault_open(const char *path, struct gw_vault **out, struct gw_errbuf *eb);
void gw_vault_free(struct gw_vault *v);
/* Encrypts pt for (table, column, row). *out is malloc'ed, caller frees. */
int gw_vault_seal(const struct gw_vault *v, const char *table, const char *column, int64_t row,
                  const void *pt, size_t ptlen, unsigned char **out, size_t *outlen);
/* Decrypts; *pt is NUL-terminated (one extra byte), caller frees with gw_free_secret(*pt,
 * *ptlen). Returns: 0, GW_E_TAMPER (tag mismatch, wrong row, wrong key), GW_E_PARSE. */
int gw_vault_unseal(const struct gw_vault *v, const char *table, const char *column, int64_t row,
                    const unsigned char *blob, size_t bloblen, char **pt, size_t *ptlen);

/* ---------------------------------------------------------------------------------------------
 * Store: one sqlite connection (WAL) per process, versioned migrations.
 */
struct gw_db;
struct sqlite3;
/* Opens (creating) the database and applies pending migrations in one transaction each.
 * Returns: 0, GW_E_DB, GW_E_SCHEMA (file is from a newer fleetgw). */
int gw_db_open(const char *path, struct gw_db **out, struct gw_errbuf *eb);
void gw_db_close(struct gw_db *db);
/* Returns: the schema version the database is at. */
int gw_db_schema_version(struct gw_db *db);
/* Returns: the latest schema version this program knows. */
int gw_db_schema_latest(void);
/* Returns: the raw handle, for module-owned tables; borrowed, valid until gw_db_close(). */
struct sqlite3 *gw_db_handle(struct gw_db *db);
/* Schema steps of a module that owns tables of its own (named "<module>_..."), so modules
 * evolve their tables without editing the gateway's list. Versions start at 1 and only grow;
 * never edit a step that has shipped. */
struct gw_db_migration {
    int version;
    const char *sql;
};
/* Applies the steps above the module's recorded version (settings key "schema.<module>"), each
 * in its own transaction. Returns: 0, GW_E_DB, GW_E_SCHEMA (the database has a newer version of
 * the module's tables than this program knows). */
int gw_db_migrate_module(struct gw_db *db, const char *module, const struct gw_db_migration *steps,
                         size_t n, struct gw_errbuf *eb);
int gw_db_begin(struct gw_db *db);
int gw_db_commit(struct gw_db *db);
void gw_db_rollback(struct gw_db *db);
/* Key/value settings (runtime state, not configuration). buf gets "" when absent (returns
 * GW_E_NOTFOUND). */
int gw_setting_get(struct gw_db *db, const char *key, char *buf, size_t len);
int gw_setting_set(struct gw_db *db, const char *key, const char *value);

/* SNMP credential sets, secrets stored only sealed by the vault. */
enum gw_snmp_version { GW_SNMP_V1 = 1, GW_SNMP_V2C = 2, GW_SNMP_V3 = 3 };
enum gw_sec_level { GW_SEC_NOAUTH = 1, GW_SEC_AUTHNOPRIV = 2, GW_SEC_AUTHPRIV = 3 };
struct gw_credential {
    int64_t id;
    char name[64];
    enum gw_snmp_version version;
    char *community;   /* secret, v1/v2c */
    char sec_name[64]; /* v3 */
    enum gw_sec_level sec_level;
    char auth_proto[16]; /* "MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512" */
    char *auth_pass;     /* secret */
    char priv_proto[16]; /* "DES", "AES", "AES-192", "AES-256" */
    char *priv_pass;     /* secret */
    char context[64];
};
/* Wipes and frees the secrets held by c. */
void gw_credential_cleanup(struct gw_credential *c);
/* Checks names, protocols and that the secrets a level needs are present and 1..256 bytes (v3
 * passphrases at least 8, as net-snmp requires). Returns: 0 or GW_E_INVAL naming the field. */
int gw_credential_check(const struct gw_credential *c, struct gw_errbuf *eb);
int gw_credential_add(struct gw_db *db, const struct gw_vault *v, struct gw_credential *c,
                      struct gw_errbuf *eb);
/* Loads by name (id <= 0) or by id, secrets decrypted. Caller runs gw_credential_cleanup(). */
int gw_credential_get(struct gw_db *db, const struct gw_vault *v, const char *name, int64_t id,
                      struct gw_credential *out, struct gw_errbuf *eb);
/* Returns: a JSON array of credential sets without any secret; caller json_decref()s. */
json_t *gw_credential_list(struct gw_db *db);
/* Refuses (GW_E_BUSY) while a device refers to it. */
int gw_credential_remove(struct gw_db *db, const char *name, struct gw_errbuf *eb);

/* Device registry. */
struct gw_device {
    int64_t id;
    char name[128];
    char address[256]; /* host name or IP literal */
    uint16_t port;     /* SNMP port, default 161 */
    int64_t credential_id;
    char credential[64]; /* name, filled by reads */
    char priority[8];    /* "high", "middle", "low" */
    char status[16];     /* "new", "ok", "unreachable", "auth_failed", "error" */
    int64_t last_seen;   /* last successful poll, 0 never */
    int64_t last_poll;
    char vendor[64], model[128], serial[64], mac[18], engine_id[66];
    bool has_page_count;
    uint64_t page_count_total;
    bool priority_pinned; /* set by an admin; the activity rating does not move it */
    double activity;      /* activity rating at activity_ts (see gw_activity_decay) */
    int64_t activity_ts;
    int64_t last_counter_poll; /* 0 never */
    char wsd_uuid[80];         /* WS-Discovery endpoint UUID, "" if never seen through WSD */
    char transport[8];         /* "snmp" (polled with the credential set) or "wsd" (WS-Print) */
    char wsd_xaddrs[512];      /* space-separated XAddrs a WSD device is polled at */
};
/* Validates and inserts; sets d->id. Returns: 0, GW_E_INVAL, GW_E_NOTFOUND (credential),
 * GW_E_EXISTS (same address and port). */
int gw_device_add(struct gw_db *db, struct gw_device *d, struct gw_errbuf *eb);
int gw_device_get(struct gw_db *db, int64_t id, struct gw_device *out);
int gw_device_remove(struct gw_db *db, int64_t id);
/* Calls cb for each device in id order; a non-zero return from cb stops and is returned. */
typedef int (*gw_device_cb)(const struct gw_device *d, void *arg);
int gw_device_foreach(struct gw_db *db, gw_device_cb cb, void *arg);
int gw_device_count(struct gw_db *db);
json_t *gw_device_to_json(const struct gw_device *d);
/* Pins the device's priority ("high", "middle", "low"), or with NULL hands it back to the
 * activity rating. Returns: 0, GW_E_INVAL, GW_E_NOTFOUND, GW_E_DB. */
int gw_device_set_priority(struct gw_db *db, int64_t id, const char *priority);
/* Moves a device to a new address (discovery found it there). Returns: 0, GW_E_INVAL,
 * GW_E_NOTFOUND, GW_E_EXISTS (another device has that address and port), GW_E_DB. */
int gw_device_set_address(struct gw_db *db, int64_t id, const char *address, uint16_t port);
/* Stores the WS-Discovery endpoint UUID discovery saw for the device ("" clears it).
 * Returns: 0, GW_E_INVAL (longer than 79 bytes), GW_E_NOTFOUND, GW_E_DB. */
int gw_device_set_wsd_uuid(struct gw_db *db, int64_t id, const char *uuid);
/* Sets how the poller reaches the device: "snmp" with credential_id (> 0; <= 0 keeps the
 * stored one), or "wsd" at xaddrs (space-separated http:// URLs; the credential set is then
 * not used). xaddrs NULL keeps the stored ones. Returns: 0, GW_E_INVAL, GW_E_NOTFOUND, GW_E_DB. */
int gw_device_set_transport(struct gw_db *db, int64_t id, const char *transport,
                            int64_t credential_id, const char *xaddrs);
/* Saves the scheduler's state of a device: its category (ignored while pinned), rating, and
 * the time of the last counter poll (0 keeps the stored one). */
int gw_device_save_schedule(struct gw_db *db, int64_t id, const char *priority, double activity,
                            int64_t activity_ts, int64_t last_counter_poll);
/* At most this many bad lines of one CSV import are listed. */
#define GW_IMPORT_MAX_ERRORS 1000
/* Imports a CSV (header: address,port,credential,name) in one transaction; on any bad row
 * nothing is imported. Every line is checked: each bad one is appended to errors [in,out] (when
 * not NULL; at most GW_IMPORT_MAX_ERRORS) as {"line", "error"}, and eb says "file:line: reason"
 * for a single bad line or "file: N bad lines, nothing imported; line L: reason" for more.
 * Returns: count imported, or < 0. */
int gw_device_import_csv(struct gw_db *db, FILE *in, const char *name, json_t *errors,
                         struct gw_errbuf *eb);

/* Stores a successful poll: identity, counter readings, supplies, alert set; a counter lower
 * than its last stored value becomes a "counter_regression" event and is not stored as the
 * meter. Returns: 0 or GW_E_DB. */
int gw_store_poll_ok(struct gw_db *db, int64_t device_id, const struct gw_model *m, int64_t now);
/* Records a failed poll with its new status ("unreachable", "auth_failed", "error"). */
int gw_store_poll_failed(struct gw_db *db, int64_t device_id, const char *status, int64_t now);
/* Device events (counter_regression, engine_id_shared, ...). detail may be NULL. */
int gw_event_add(struct gw_db *db, int64_t device_id, const char *kind, const char *detail,
                 int64_t now);
/* Returns: JSON array of the device's newest events (at most limit). */
json_t *gw_event_list(struct gw_db *db, int64_t device_id, int limit);
/* Returns: JSON object with the device's latest counters, supplies and active alerts. */
json_t *gw_store_device_state(struct gw_db *db, int64_t device_id);
/* Deletes counter readings older than days. */
int gw_store_prune(struct gw_db *db, int days, int64_t now);

/* Audit log: each record hashes the previous one (SHA-256), so an edit breaks the chain. */
int gw_audit_add(struct gw_db *db, const char *user, const char *source, const char *action,
                 const char *result, const char *detail);
/* Returns: 0 when the whole chain verifies, GW_E_TAMPER naming the first bad record in eb. */
int gw_audit_verify(struct gw_db *db, struct gw_errbuf *eb);

/* ---------------------------------------------------------------------------------------------
 * Queries for front ends (gateway/query.c): read-only, bounded, fast with 10,000 devices.
 */
struct gw_device_query {
    const char *text;   /* substring of name, address, vendor, model, serial or MAC; NULL = any */
    const char *status; /* exact device status; NULL = any */
    bool alerts_only;   /* only devices with active alerts */
    const char *sort;   /* a key gw_query_sort_valid() accepts; NULL = id */
    bool desc;
    int offset, limit; /* limit 1..1000, default 50 */
};
/* Returns: true when key is a sort key of the device query (id, name, address, status, vendor,
 * model, serial, priority, last_seen, page_count, alerts). */
bool gw_query_sort_valid(const char *key);
/* Returns: {"total", "offset", "limit", "items": [device with "alerts" and "supplies_low"
 * counts]}, or NULL on a database error. Caller json_decref()s. */
json_t *gw_query_devices(struct gw_db *db, const struct gw_device_query *q);
/* Returns: the dashboard's figures: devices total/online/with alerts, by status, supplies low,
 * the ten lowest supplies and newest active alerts, last poll. Caller json_decref()s. */
json_t *gw_query_dashboard(struct gw_db *db);
/* Returns: [[ts, value], ...] of counter name's history since since (at most 2000 newest),
 * ending with the current reading (counters_latest) when it is newer than the last history row. */
json_t *gw_query_counter_history(struct gw_db *db, int64_t device_id, const char *name,
                                 int64_t since);
/* Returns: the names of the counters with history for the device, "total" first. */
json_t *gw_query_counter_names(struct gw_db *db, int64_t device_id);
/* Returns: {"total", "offset", "limit", "items"} of audit records, newest first, whose fields
 * contain text (NULL = all). */
json_t *gw_query_audit(struct gw_db *db, const char *text, int offset, int limit);
/* Writes the whole audit log as CSV (RFC 4180, formulas defused). Returns: 0 or GW_E_DB. */
int gw_query_audit_csv(struct gw_db *db, FILE *out);
/* Returns: the highest alert id (0 when none). */
int64_t gw_query_alert_max_id(struct gw_db *db);
/* Returns: active alerts with an id above after_id, with their device's name and address;
 * *max_id is raised to the highest id returned. */
json_t *gw_query_alerts_after(struct gw_db *db, int64_t after_id, int64_t *max_id);

#endif
