/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of the gateway library, one theme of it:
 * the normalized printer data model.
 * Part of the umbrella "gateway/gw.h", which is what other modules include; the themed
 * headers only keep each concern in a file of its own. Conventions as in gw.h.
 */
#ifndef GW_MODEL_H
#define GW_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

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
/* A marker supply at or below this percentage of its capacity is "low". */
#define GW_SUPPLY_LOW_PCT 10
/* The state of a marker supply level (RFC 3805 prtMarkerSuppliesLevel: -1 other, -2 unknown,
 * -3 some_remaining) against its capacity (-1 other, -2 unknown); percent (may be NULL) gets
 * 0..100, or -1 where not defined. Both transports use it: snmp/ for Printer-MIB supplies,
 * soap/ for WS-Print consumables (levels in percent). Any thread. */
enum gw_supply_state gw_supply_state(long level, long max_capacity, int *percent);

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

#endif
