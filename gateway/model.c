/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The normalized printer data model: one shape for what any protocol reads from a device, its
 * JSON form (the `fleetgw probe --json` contract, also what the store and later the uplink
 * consume), and the identity normalizers (MAC, serial, maker and model names) that device
 * matching and display rely on.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gateway/gw.h"

const char *gw_supply_state_name(enum gw_supply_state s)
{
    static const char *const names[] = {"ok",      "low",   "empty",      "some_remaining",
                                        "unknown", "other", "implausible"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

enum gw_supply_state gw_tray_state(long level, long max_capacity, int *percent)
{
    enum gw_supply_state st;
    int pct = -1;

    /* RFC 3805 prtInputCurrentLevel: -1 other, -2 unknown, -3 "at least one unit remains";
     * prtInputMaxCapacity: -1 other, -2 unknown. Unlike a marker supply, paper in a tray with
     * no known capacity is still a known amount, so a positive count is "ok" either way. */
    if (level == -1)
        st = GW_SUPPLY_OTHER;
    else if (level == -2)
        st = GW_SUPPLY_UNKNOWN;
    else if (level == -3)
        st = GW_SUPPLY_SOME_REMAINING;
    else if (level < 0 || (max_capacity > 0 && level > max_capacity))
        st = GW_SUPPLY_IMPLAUSIBLE;
    else
        st = level == 0 ? GW_SUPPLY_EMPTY : GW_SUPPLY_OK;
    if (level >= 0 && max_capacity > 0 && level <= max_capacity) {
        /* As for supplies: rounded, and never 0 while a sheet is left. */
        pct = (int)(((__int128)level * 100 + max_capacity / 2) / max_capacity);
        if (level > 0 && pct == 0)
            pct = 1;
    }
    if (percent)
        *percent = pct;
    return st;
}

enum gw_supply_state gw_supply_state(long level, long max_capacity, int *percent)
{
    enum gw_supply_state st;
    int pct = -1;

    /* RFC 3805 prtMarkerSuppliesLevel / prtInputCurrentLevel: -1 other, -2 unknown,
     * -3 "at least one unit remains". These are states, never percentages. */
    if (level == -1) {
        st = GW_SUPPLY_OTHER;
    } else if (level == -2) {
        st = GW_SUPPLY_UNKNOWN;
    } else if (level == -3) {
        st = GW_SUPPLY_SOME_REMAINING;
    } else if (level < 0) {
        st = GW_SUPPLY_IMPLAUSIBLE;
    } else if (max_capacity <= 0) {
        /* Capacity -1 (other) or -2 (unknown): no percentage. A level of 0 is still empty
         * whatever the capacity, which matters for out-of-paper alerts. */
        st = level == 0 ? GW_SUPPLY_EMPTY : GW_SUPPLY_UNKNOWN;
    } else if (level > max_capacity) {
        st = GW_SUPPLY_IMPLAUSIBLE;
    } else {
        /* Rounded to the nearest percent, as printer panels show it, but never 0 while
         * something is left, so that 0% always means empty. Thresholds use the exact ratio. */
        pct = (int)(((__int128)level * 100 + max_capacity / 2) / max_capacity);
        if (level > 0 && pct == 0)
            pct = 1;
        if (level == 0)
            st = GW_SUPPLY_EMPTY;
        else if ((__int128)level * 100 <= (__int128)max_capacity * GW_SUPPLY_LOW_PCT)
            st = GW_SUPPLY_LOW;
        else
            st = GW_SUPPLY_OK;
    }
    if (percent)
        *percent = pct;
    return st;
}

/* WS-Print PrinterStateReasons (the WS-Print v1.0 schema's names) and the Printer-MIB alert an
 * SNMP printer raises for the same condition (RFC 3805 PrtAlertCodeTC and PrtAlertGroupTC), so
 * alerts, low-supply views and the uplink treat both transports alike. */
static const struct gw_wsd_reason wsd_reasons[] = {
    {"MediaJam", GW_COND_JAMMED, 8, 13, 3},
    {"DoorOpen", GW_COND_DOOR_OPEN, 3, 6, 3},
    {"CoverOpen", GW_COND_DOOR_OPEN, 3, 6, 3},
    {"MarkerSupplyEmpty", GW_COND_NO_TONER, 1101, 11, 3},
    {"MarkerSupplyLow", GW_COND_LOW_TONER, 1104, 11, 4},
    /* markerTonerCartridgeMissing: 1108 would be markerWasteInkReceptacleAlmostFull. */
    {"MarkerSupplyMissing", GW_COND_MARKER_SUPPLY_MISSING, 1115, 11, 3},
    {"MediaEmpty", GW_COND_NO_PAPER, 808, 8, 3},
    {"MediaLow", GW_COND_LOW_PAPER, 807, 8, 4},
    {"MediaNeeded", GW_COND_NO_PAPER, 808, 8, 3},
    {"InputTrayMissing", GW_COND_INPUT_TRAY_MISSING, 801, 8, 3},
    {"OutputAreaFull", GW_COND_OUTPUT_FULL, 903, 9, 3},
    {"OutputAreaAlmostFull", GW_COND_OUTPUT_NEAR_FULL, 902, 9, 4},
    {"OutputTrayMissing", GW_COND_OUTPUT_TRAY_MISSING, 901, 9, 3},
    {"ServiceRequested", GW_COND_SERVICE_REQUESTED, 1, 5, 3},
};

const struct gw_wsd_reason *gw_wsd_reason_find(const char *reason)
{
    for (size_t i = 0; reason && i < sizeof wsd_reasons / sizeof wsd_reasons[0]; i++)
        if (strcasecmp(reason, wsd_reasons[i].reason) == 0)
            return &wsd_reasons[i];
    return NULL;
}

const struct gw_wsd_reason *gw_wsd_reason_at(size_t i)
{
    return i < sizeof wsd_reasons / sizeof wsd_reasons[0] ? &wsd_reasons[i] : NULL;
}

/* RFC 3805 (Printer-MIB v2) PrtAlertCodeTC, in its order. */
static const struct {
    int code;
    const char *name;
} alert_codes[] = {
    {1, "other"},
    {2, "unknown"},
    {3, "coverOpen"},
    {4, "coverClosed"},
    {5, "interlockOpen"},
    {6, "interlockClosed"},
    {7, "configurationChange"},
    {8, "jam"},
    {9, "subunitMissing"},
    {10, "subunitLifeAlmostOver"},
    {11, "subunitLifeOver"},
    {12, "subunitAlmostEmpty"},
    {13, "subunitEmpty"},
    {14, "subunitAlmostFull"},
    {15, "subunitFull"},
    {16, "subunitNearLimit"},
    {17, "subunitAtLimit"},
    {18, "subunitOpened"},
    {19, "subunitClosed"},
    {20, "subunitTurnedOn"},
    {21, "subunitTurnedOff"},
    {22, "subunitOffline"},
    {23, "subunitPowerSaver"},
    {24, "subunitWarmingUp"},
    {25, "subunitAdded"},
    {26, "subunitRemoved"},
    {27, "subunitResourceAdded"},
    {28, "subunitResourceRemoved"},
    {29, "subunitRecoverableFailure"},
    {30, "subunitUnrecoverableFailure"},
    {31, "subunitRecoverableStorageError"},
    {32, "subunitUnrecoverableStorageError"},
    {33, "subunitMotorFailure"},
    {34, "subunitMemoryExhausted"},
    {35, "subunitUnderTemperature"},
    {36, "subunitOverTemperature"},
    {37, "subunitTimingFailure"},
    {38, "subunitThermistorFailure"},
    {501, "doorOpen"},
    {502, "doorClosed"},
    {503, "powerUp"},
    {504, "powerDown"},
    {505, "printerNMSReset"},
    {506, "printerManualReset"},
    {507, "printerReadyToPrint"},
    {801, "inputMediaTrayMissing"},
    {802, "inputMediaSizeChange"},
    {803, "inputMediaWeightChange"},
    {804, "inputMediaTypeChange"},
    {805, "inputMediaColorChange"},
    {806, "inputMediaFormPartsChange"},
    {807, "inputMediaSupplyLow"},
    {808, "inputMediaSupplyEmpty"},
    {809, "inputMediaChangeRequest"},
    {810, "inputManualInputRequest"},
    {811, "inputTrayPositionFailure"},
    {812, "inputTrayElevationFailure"},
    {813, "inputCannotFeedSizeSelected"},
    {901, "outputMediaTrayMissing"},
    {902, "outputMediaTrayAlmostFull"},
    {903, "outputMediaTrayFull"},
    {904, "outputMailboxSelectFailure"},
    {1001, "markerFuserUnderTemperature"},
    {1002, "markerFuserOverTemperature"},
    {1003, "markerFuserTimingFailure"},
    {1004, "markerFuserThermistorFailure"},
    {1005, "markerAdjustingPrintQuality"},
    {1101, "markerTonerEmpty"},
    {1102, "markerInkEmpty"},
    {1103, "markerPrintRibbonEmpty"},
    {1104, "markerTonerAlmostEmpty"},
    {1105, "markerInkAlmostEmpty"},
    {1106, "markerPrintRibbonAlmostEmpty"},
    {1107, "markerWasteTonerReceptacleAlmostFull"},
    {1108, "markerWasteInkReceptacleAlmostFull"},
    {1109, "markerWasteTonerReceptacleFull"},
    {1110, "markerWasteInkReceptacleFull"},
    {1111, "markerOpcLifeAlmostOver"},
    {1112, "markerOpcLifeOver"},
    {1113, "markerDeveloperAlmostEmpty"},
    {1114, "markerDeveloperEmpty"},
    {1115, "markerTonerCartridgeMissing"},
    {1301, "mediaPathMediaTrayMissing"},
    {1302, "mediaPathMediaTrayAlmostFull"},
    {1303, "mediaPathMediaTrayFull"},
    {1304, "mediaPathCannotDuplexMediaSelected"},
    {1501, "interpreterMemoryIncrease"},
    {1502, "interpreterMemoryDecrease"},
    {1503, "interpreterCartridgeAdded"},
    {1504, "interpreterCartridgeDeleted"},
    {1505, "interpreterResourceAdded"},
    {1506, "interpreterResourceDeleted"},
    {1507, "interpreterResourceUnavailable"},
    {1509, "interpreterComplexPageEncountered"},
    {1801, "alertRemovalOfBinaryChangeEntry"},
};

const char *gw_alert_code_name(int code)
{
    for (size_t i = 0; i < sizeof alert_codes / sizeof alert_codes[0]; i++)
        if (alert_codes[i].code == code)
            return alert_codes[i].name;
    return NULL;
}

char *gw_label_words(const char *label, char *out, size_t n)
{
    size_t o = 0;
    if (n == 0)
        return out;
    for (size_t i = 0; label[i] && o + 2 < n; i++) {
        unsigned char c = (unsigned char)label[i], next = (unsigned char)label[i + 1];
        bool upper = isupper(c);
        /* A word starts at an upper-case letter after a lower-case one, or at the last letter
         * of an acronym that a lower-case letter follows ("NMSReset": "NMS", "Reset"). */
        bool starts = i > 0 && upper &&
                      (islower((unsigned char)label[i - 1]) ||
                       (isupper((unsigned char)label[i - 1]) && islower(next)));
        bool acronym = upper && ((next && isupper(next)) ||
                                 (i > 0 && isupper((unsigned char)label[i - 1]) && !islower(next)));
        if (starts)
            out[o++] = ' ';
        if (o == 0)
            out[o++] = (char)toupper(c);
        else
            out[o++] = acronym ? (char)c : (char)tolower(c);
    }
    out[o] = '\0';
    return out;
}

const char *gw_alert_text(const char *description, int code, char *out, size_t n)
{
    const struct gw_wsd_reason *r = gw_wsd_reason_find(description);
    const char *name;
    if (r)
        return gw_label_words(r->reason, out, n);
    if (description && *description) {
        gw_strlcpy(out, description, n);
        return out;
    }
    name = gw_alert_code_name(code);
    return name ? gw_label_words(name, out, n) : NULL;
}

void gw_alert_json_text(json_t *o, const char *description, int code)
{
    char buf[256];
    const char *text = gw_alert_text(description, code, buf, sizeof buf);
    const char *name = gw_alert_code_name(code);
    json_object_set_new(o, "text", text ? json_string(text) : json_null());
    json_object_set_new(o, "code_text",
                        name ? json_string(gw_label_words(name, buf, sizeof buf)) : json_null());
}

const char *gw_condition_name(uint32_t bit)
{
    static const char *const names[GW_COND_COUNT] = {
        "low_paper",
        "no_paper",
        "low_toner",
        "no_toner",
        "door_open",
        "jammed",
        "offline",
        "service_requested",
        "input_tray_missing",
        "output_tray_missing",
        "marker_supply_missing",
        "output_near_full",
        "output_full",
        "input_tray_empty",
        "overdue_preventive_maintenance",
    };
    for (int i = 0; i < GW_COND_COUNT; i++)
        if (bit == (1u << i))
            return names[i];
    return NULL;
}

const char *gw_device_status_name(int v)
{
    static const char *const names[] = {"unknown", "unknown", "running",
                                        "warning", "testing", "down"};
    return v >= 0 && v <= 5 ? names[v] : "unknown";
}

const char *gw_printer_status_name(int v)
{
    static const char *const names[] = {"unknown", "other",    "unknown",
                                        "idle",    "printing", "warmup"};
    return v >= 0 && v <= 5 ? names[v] : "unknown";
}

void gw_model_init(struct gw_model *m)
{
    memset(m, 0, sizeof *m);
}

void gw_model_cleanup(struct gw_model *m)
{
    free(m->counters);
    free(m->supplies);
    free(m->trays);
    free(m->alerts);
    memset(m, 0, sizeof *m);
}

/* Grows a model array by one zeroed element. Capacity is implicit: 4, then doubling each time
 * the count reaches a power of two, so appends stay amortized O(1) without a capacity field. */
static void *append(void *arr, size_t *n, size_t elem)
{
    if (*n == 0)
        arr = gw_realloc(arr, 4 * elem);
    else if (*n >= 4 && (*n & (*n - 1)) == 0)
        arr = gw_realloc(arr, 2 * *n * elem);
    memset((char *)arr + *n * elem, 0, elem);
    (*n)++;
    return arr;
}

struct gw_counter *gw_model_add_counter(struct gw_model *m)
{
    m->counters = append(m->counters, &m->n_counters, sizeof *m->counters);
    return &m->counters[m->n_counters - 1];
}

struct gw_supply *gw_model_add_supply(struct gw_model *m)
{
    m->supplies = append(m->supplies, &m->n_supplies, sizeof *m->supplies);
    m->supplies[m->n_supplies - 1].percent = -1;
    return &m->supplies[m->n_supplies - 1];
}

struct gw_tray *gw_model_add_tray(struct gw_model *m)
{
    struct gw_tray *t;
    m->trays = append(m->trays, &m->n_trays, sizeof *m->trays);
    t = &m->trays[m->n_trays - 1];
    t->media_feed = t->media_xfeed = -2;
    t->max_capacity = t->level_raw = -2;
    t->percent = -1;
    t->status = -1;
    t->state = GW_SUPPLY_UNKNOWN;
    return t;
}

struct gw_alert *gw_model_add_alert(struct gw_model *m)
{
    m->alerts = append(m->alerts, &m->n_alerts, sizeof *m->alerts);
    return &m->alerts[m->n_alerts - 1];
}

const struct gw_counter *gw_model_counter(const struct gw_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_counters; i++)
        if (strcmp(m->counters[i].name, name) == 0)
            return &m->counters[i];
    return NULL;
}

/* Empty strings become JSON null, so consumers can tell "not reported" from a value. */
static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

const char *gw_tray_level_text(const struct gw_tray *t, char *buf, size_t len)
{
    /* Levels count in prtInputCapacityUnit, almost always sheets; an unread unit says nothing. */
    const char *unit = t->capacity_unit[0] && strcmp(t->capacity_unit, "other") != 0 &&
                               strcmp(t->capacity_unit, "unknown") != 0
                           ? t->capacity_unit
                           : "";
    switch (t->state) {
    case GW_SUPPLY_EMPTY:
        snprintf(buf, len, "empty");
        break;
    case GW_SUPPLY_SOME_REMAINING:
        snprintf(buf, len, "some paper");
        break;
    case GW_SUPPLY_OTHER:
    case GW_SUPPLY_UNKNOWN:
        snprintf(buf, len, "level unknown");
        break;
    default:
        if (t->level_raw < 0)
            snprintf(buf, len, "level %ld (implausible)", t->level_raw);
        else if (t->max_capacity > 0)
            snprintf(buf, len, "%ld of %ld%s%s%s", t->level_raw, t->max_capacity, *unit ? " " : "",
                     unit, t->state == GW_SUPPLY_IMPLAUSIBLE ? " (implausible)" : "");
        else
            snprintf(buf, len, "%ld%s%s", t->level_raw, *unit ? " " : "", unit);
        break;
    }
    return buf;
}

/* RFC 3805 PrtSubUnitStatusTC: the low three bits are the availability, then bit values 8
 * (non-critical alerts), 16 (critical alerts), 32 (intended state off-line) and 64
 * (transitioning). Returns: null for a value outside 0..126 or not read. */
json_t *gw_subunit_status_json(int v)
{
    static const char *const avail[8] = {"idle",   "on_request", "standby", "broken",
                                         "active", "unknown",    "busy",    "unknown"};
    if (v < 0 || v > 126)
        return json_null();
    return json_pack("{s:i, s:s, s:s, s:b, s:b}", "raw", v, "availability", avail[v & 7], "alerts",
                     (v & 16)  ? "critical"
                     : (v & 8) ? "non_critical"
                               : "none",
                     "offline", (v & 32) != 0, "transitioning", (v & 64) != 0);
}

json_t *gw_tray_to_json(const struct gw_tray *t)
{
    json_t *dims = json_null();
    if (t->media_feed >= 0 || t->media_xfeed >= 0 || t->dim_unit[0])
        dims = json_pack("{s:I, s:I, s:o}", "feed", (json_int_t)t->media_feed, "xfeed",
                         (json_int_t)t->media_xfeed, "unit", str_or_null(t->dim_unit));
    char text[96];
    return json_pack(
        "{s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:o, s:s, s:s, s:o}", "index", t->index,
        "name", str_or_null(t->name), "description", str_or_null(t->description), "type",
        str_or_null(t->type), "media_name", str_or_null(t->media_name), "media_type",
        str_or_null(t->media_type), "media_dimensions", dims, "capacity_unit",
        str_or_null(t->capacity_unit), "max_capacity", (json_int_t)t->max_capacity, "level_raw",
        (json_int_t)t->level_raw, "percent",
        t->percent >= 0 ? json_integer(t->percent) : json_null(), "state",
        gw_supply_state_name(t->state), "level_text", gw_tray_level_text(t, text, sizeof text),
        "status", gw_subunit_status_json(t->status));
}

json_t *gw_model_to_json(const struct gw_model *m)
{
    json_t *o = json_object();
    json_t *counters = json_array(), *supplies = json_array(), *alerts = json_array();
    json_t *conds = json_array();

    json_object_set_new(o, "vendor", str_or_null(m->vendor));
    json_object_set_new(o, "model", str_or_null(m->model));
    json_object_set_new(o, "serial", str_or_null(m->serial));
    json_object_set_new(o, "mac", str_or_null(m->mac));
    json_object_set_new(o, "sys_descr", str_or_null(m->sys_descr));
    json_object_set_new(o, "sys_object_id", str_or_null(m->sys_object_id));
    json_object_set_new(o, "sys_name", str_or_null(m->sys_name));
    json_object_set_new(o, "sys_location", str_or_null(m->sys_location));
    json_object_set_new(o, "sys_contact", str_or_null(m->sys_contact));
    json_object_set_new(o, "firmware", str_or_null(m->firmware));
    json_object_set_new(o, "engine_id", str_or_null(m->engine_id));
    json_object_set_new(o, "uptime_ticks", json_integer(m->uptime_ticks));
    json_object_set_new(o, "is_printer", json_boolean(m->is_printer));
    json_object_set_new(o, "page_count_total",
                        m->has_page_count ? json_integer((json_int_t)m->page_count_total)
                                          : json_null());
    json_object_set_new(o, "page_count_source", str_or_null(m->page_count_source));
    json_object_set_new(o, "counter_disagreement",
                        m->counter_disagreement ? json_string(m->disagreement) : json_null());

    for (size_t i = 0; i < m->n_counters; i++) {
        const struct gw_counter *c = &m->counters[i];
        json_array_append_new(counters, json_pack("{s:s, s:I, s:s}", "name", c->name, "value",
                                                  (json_int_t)c->value, "oid", c->oid));
    }
    json_object_set_new(o, "counters", counters);

    for (size_t i = 0; i < m->n_supplies; i++) {
        const struct gw_supply *s = &m->supplies[i];
        json_t *js = json_pack("{s:i, s:s, s:o, s:s, s:I, s:I, s:o, s:s}", "index", s->index,
                               "type", s->type, "color", str_or_null(s->color), "description",
                               s->description, "level_raw", (json_int_t)s->level_raw,
                               "max_capacity", (json_int_t)s->max_capacity, "percent",
                               s->percent >= 0 ? json_integer(s->percent) : json_null(), "state",
                               gw_supply_state_name(s->state));
        json_array_append_new(supplies, js);
    }
    json_object_set_new(o, "supplies", supplies);

    json_t *trays = json_array();
    for (size_t i = 0; i < m->n_trays; i++)
        json_array_append_new(trays, gw_tray_to_json(&m->trays[i]));
    json_object_set_new(o, "trays", trays);

    for (int i = 0; i < GW_COND_COUNT; i++)
        if (m->conditions & (1u << i))
            json_array_append_new(conds, json_string(gw_condition_name(1u << i)));
    json_object_set_new(o, "status",
                        json_pack("{s:s, s:i, s:s, s:i, s:o}", "device",
                                  gw_device_status_name(m->device_status), "device_raw",
                                  m->device_status, "printer",
                                  gw_printer_status_name(m->printer_status), "printer_raw",
                                  m->printer_status, "conditions", conds));

    for (size_t i = 0; i < m->n_alerts; i++) {
        const struct gw_alert *a = &m->alerts[i];
        json_array_append_new(alerts,
                              json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:I, s:s}", "index",
                                        a->index, "severity", a->severity, "group", a->group,
                                        "group_index", a->group_index, "location", a->location,
                                        "code", a->code, "training", a->training, "time_ticks",
                                        (json_int_t)a->time_ticks, "description", a->description));
    }
    json_object_set_new(o, "alerts", alerts);
    return o;
}

int gw_mac_from_bytes(const unsigned char *b, size_t len, char out[18])
{
    bool all_zero = true, all_ff = true;
    out[0] = '\0';
    if (len != 6)
        return GW_E_PARSE;
    for (size_t i = 0; i < 6; i++) {
        all_zero &= b[i] == 0;
        all_ff &= b[i] == 0xff;
    }
    if (all_zero || all_ff)
        return GW_E_PARSE;
    snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
    return 0;
}

int gw_mac_normalize(const char *in, char out[18])
{
    unsigned char b[6];
    size_t nd = 0;
    int hi = -1;
    out[0] = '\0';
    for (const char *p = in; *p; p++) {
        int v;
        if (*p == ':' || *p == '-' || *p == '.' || *p == ' ')
            continue;
        if (!isxdigit((unsigned char)*p))
            return GW_E_PARSE;
        v = isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10);
        if (hi < 0) {
            hi = v;
            continue;
        }
        if (nd == 6)
            return GW_E_PARSE;
        b[nd++] = (unsigned char)(hi << 4 | v);
        hi = -1;
    }
    if (hi >= 0 || nd != 6)
        return GW_E_PARSE;
    return gw_mac_from_bytes(b, 6, out);
}

int gw_serial_normalize(const char *in, size_t len, char *out, size_t outlen)
{
    static const char *const placeholders[] = {
        "0", "unknown", "n/a", "na", "none", "<private>", "serial", "not available", "-"};
    size_t a = 0, b = len, n;
    bool same = true;
    if (outlen)
        out[0] = '\0';
    if (!in || outlen < 2)
        return GW_E_PARSE;
    /* Some agents pad with NULs or spaces; a NUL inside the value ends it. */
    for (size_t i = 0; i < len; i++)
        if (in[i] == '\0') {
            b = i;
            break;
        }
    while (a < b && isspace((unsigned char)in[a]))
        a++;
    while (b > a && isspace((unsigned char)in[b - 1]))
        b--;
    n = b - a;
    if (n == 0)
        return GW_E_PARSE;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[a + i];
        if (c < 0x20 || c > 0x7e)
            return GW_E_PARSE;
        if (c != (unsigned char)in[a])
            same = false;
    }
    if (n >= outlen)
        n = outlen - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)toupper((unsigned char)in[a + i]);
    out[n] = '\0';
    for (size_t i = 0; i < sizeof placeholders / sizeof placeholders[0]; i++)
        if (strcasecmp(out, placeholders[i]) == 0) {
            out[0] = '\0';
            return GW_E_PARSE;
        }
    if (same && n > 1 && (out[0] == '0' || out[0] == 'X' || out[0] == '*' || out[0] == 'F')) {
        out[0] = '\0';
        return GW_E_PARSE;
    }
    return 0;
}

/* Printer makers and the spellings devices use for them in sysDescr, hrDeviceDescr, vendor
 * model objects and WS-Discovery metadata. Where one spelling starts another, the longer one
 * comes first, so that "KONICA MINOLTA" is removed whole, not as "KONICA". */
static const struct {
    const char *alias, *maker;
} makers[] = {
    {"Hewlett-Packard", "HP"},
    {"Hewlett Packard", "HP"},
    {"HP Inc.", "HP"},
    {"HP", "HP"},
    {"KONICA MINOLTA", "Konica Minolta"},
    {"Konica-Minolta", "Konica Minolta"},
    {"KONICA", "Konica Minolta"},
    {"MINOLTA", "Konica Minolta"},
    {"KYOCERA Document Solutions", "Kyocera"},
    {"KYOCERA MITA", "Kyocera"},
    {"KYOCERA", "Kyocera"},
    {"Brother Industries", "Brother"},
    {"Brother", "Brother"},
    {"FUJIFILM Business Innovation", "Fujifilm"},
    {"FUJI XEROX", "Fujifilm"},
    {"FUJIFILM", "Fujifilm"},
    {"Xerox", "Xerox"},
    {"Canon Inc.", "Canon"},
    {"Canon", "Canon"},
    {"RICOH", "Ricoh"},
    {"SHARP", "Sharp"},
    {"Lexmark International", "Lexmark"},
    {"Lexmark", "Lexmark"},
    {"Samsung Electronics", "Samsung"},
    {"Samsung", "Samsung"},
    {"Dell", "Dell"},
    {"TOSHIBA TEC", "Toshiba"},
    {"TOSHIBA", "Toshiba"},
    {"Seiko Epson", "Epson"},
    {"EPSON", "Epson"},
    {"OKI DATA", "OKI"},
    {"OKI", "OKI"},
    {"Zebra Technologies", "Zebra"},
    {"Zebra", "Zebra"},
    {"Pantum", "Pantum"},
};

/* Length of word at the start of s when it is followed by a blank or the end (so "HP" does
 * not match "HPE" and "MINOLTA" does not match "MINOLTA-QMS"), else 0. */
static size_t leading_word(const char *s, const char *word)
{
    size_t n = strlen(word);
    if (n == 0 || strncasecmp(s, word, n) != 0)
        return 0;
    return s[n] == '\0' || s[n] == ' ' ? n : 0;
}

const char *gw_maker_name(const char *text)
{
    if (!text)
        return NULL;
    while (*text == ' ' || *text == '\t')
        text++;
    for (size_t i = 0; i < sizeof makers / sizeof makers[0]; i++)
        if (leading_word(text, makers[i].alias) ||
            (strncasecmp(text, makers[i].alias, strlen(makers[i].alias)) == 0 &&
             (text[strlen(makers[i].alias)] == ',' || text[strlen(makers[i].alias)] == '.')))
            return makers[i].maker;
    return NULL;
}

/* Collapses runs of blanks (and tabs) into one blank and trims both ends, in place. */
static void collapse_blanks(char *s)
{
    size_t o = 0;
    bool blank = false;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == ' ' || s[i] == '\t') {
            blank = o > 0;
            continue;
        }
        if (blank)
            s[o++] = ' ';
        blank = false;
        s[o++] = s[i];
    }
    s[o] = '\0';
}

/* What the rule does not do, decided with issue 15 (models must stay comparable with what
 * other monitoring tools report, and end with it):
 *   - It keeps a trailing " series". Whether " series" is part of a product's name depends on
 *     the object it came from, so the SNMP decoder decides per source (snmp/decode.c,
 *     clean_model(), and the catalogue's series=keep): it drops it from names that append a
 *     driver family to the product (Brother's mDNS name "MFC-L2710DW series", HP's device IDs
 *     "ENVY 5540 series", hrDeviceDescr, Samsung's sysDescr), as LibreNMS does for those, and
 *     keeps it where the vendor's product-name object includes it as the name (Canon's
 *     canPdInfoProductName) or where the device ID is taken whole by the other tools (Brother's
 *     brieee1284id, Xerox's and Dell's device IDs). WS-Discovery names are used as the device
 *     gives them.
 *   - The maker is removed here and put back once, in front and in its canonical spelling, by
 *     gw_model_identity_normalize(): "Dell S5830dn", "Brother MFC-L2710DW", "Sharp MX-M266NV".
 *     So the model ends with the product name whether a tool keeps the maker (Dell's
 *     "MODEL:Dell S5830dn") or not (Brother's "MFC-L2710DW"), and never repeats it. */
const char *gw_model_name_normalize(const char *vendor, char *model, size_t len)
{
    const char *maker = vendor && *vendor ? gw_maker_name(vendor) : NULL;
    const char *removed = NULL;
    bool any = !vendor || !*vendor;

    if (!model || len == 0)
        return NULL;
    model[len - 1] = '\0';
    collapse_blanks(model);
    /* A few rounds cover "KONICA MINOLTA Konica Minolta bizhub"; each removes a word or more,
     * so this ends anyway. */
    for (int round = 0; round < 4; round++) {
        size_t n = vendor && *vendor ? leading_word(model, vendor) : 0;
        const char *m = n ? maker : NULL;

        /* The longest spelling wins: "KYOCERA Document Solutions" over the vendor "Kyocera". */
        for (size_t i = 0; i < sizeof makers / sizeof makers[0]; i++) {
            size_t k;
            if (!any && (!maker || strcmp(makers[i].maker, maker) != 0))
                continue;
            if ((k = leading_word(model, makers[i].alias)) > n) {
                n = k;
                m = makers[i].maker;
            }
        }
        /* Nothing left after the maker: the name is the maker's, keep it. */
        if (n == 0 || model[n] == '\0')
            break;
        memmove(model, model + n + 1, strlen(model + n + 1) + 1);
        removed = m;
    }
    return removed;
}

void gw_model_identity_normalize(struct gw_model *m)
{
    const char *maker = gw_maker_name(m->vendor);
    const char *removed;
    char rest[sizeof m->model];

    collapse_blanks(m->vendor);
    if (maker && m->vendor[0])
        gw_strlcpy(m->vendor, maker, sizeof m->vendor);
    removed = gw_model_name_normalize(m->vendor, m->model, sizeof m->model);
    if (!m->vendor[0] && removed)
        gw_strlcpy(m->vendor, removed, sizeof m->vendor);
    /* The maker once, in front, in its canonical spelling: every device of a model shows the
     * same name whichever object named it, and the name still ends with what the device and
     * other tools call the product ("MFC-L2710DW", "SHARP MX-M266NV" alike). */
    if (m->vendor[0] && m->model[0] && !leading_word(m->model, m->vendor)) {
        /* Cut at the buffer like every other text field of the model, on a character
         * boundary: the model is UTF-8 and goes into JSON. */
        size_t n = strlen(m->vendor), k;
        gw_strlcpy(rest, m->model, sizeof rest);
        gw_strlcpy(m->model, m->vendor, sizeof m->model);
        if (n + 1 < sizeof m->model) {
            m->model[n] = ' ';
            k = gw_utf8_fit(rest, strlen(rest), sizeof m->model - n - 1);
            memcpy(m->model + n + 1, rest, k);
            m->model[n + 1 + k] = '\0';
        }
    }
}
