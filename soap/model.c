/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * What a WSD device said, in the gateway's data model: the twin of snmp/'s snmpc_model_decode()
 * for WS-Print. The poller reads a WSD device through it, and discovery fills the gaps of an
 * SNMP identity with it, so a device reads alike whichever way it was seen.
 *
 * Identity comes from the DPWS metadata, normalized as an SNMP identity is (serial
 * placeholders dropped, maker and model by gw_model_identity_normalize()). PrinterState maps
 * onto hrPrinterStatus and hrDeviceStatus, PrinterStateReasons onto condition bits and the
 * Printer-MIB alerts an SNMP printer raises for the same condition (gw_wsd_reason_at()), and
 * consumables onto marker supplies with levels in percent. WS-Print has no page counters.
 *
 * Pure: no I/O, no gSOAP, so it links without the generated code (discovery's unit tests link
 * it next to their stand-in for the rest of soap/).
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "soap/soapc.h"

/* Printer-MIB prtMarkerSuppliesType names for WS-Print consumable types. */
static const char *supply_type(const char *t)
{
    static const char *const map[][2] = {{"Toner", "toner"}, {"Ink", "ink"},
                                         {"Drum", "opc"},    {"WasteToner", "wasteToner"},
                                         {"Fuser", "fuser"}, {"Developer", "developer"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcasecmp(t, map[i][0]) == 0)
            return map[i][1];
    return "other";
}

static void fill(char *dst, size_t size, const char *src)
{
    if (!dst[0])
        gw_strlcpy(dst, src, size);
}

static void decode_identity(const struct soapc_device_info *in, struct gw_model *m)
{
    fill(m->vendor, sizeof m->vendor, in->manufacturer);
    fill(m->model, sizeof m->model, in->model);
    if (!m->serial[0] &&
        gw_serial_normalize(in->serial, strlen(in->serial), m->serial, sizeof m->serial) < 0)
        m->serial[0] = '\0';
    fill(m->firmware, sizeof m->firmware, in->firmware);
    fill(m->sys_name, sizeof m->sys_name, in->friendly_name);
    gw_model_identity_normalize(m);
    m->is_printer |= in->is_printer;
}

/* hrPrinterStatus: other(1) idle(3) printing(4); hrDeviceStatus: running(2) warning(3)
 * down(5). WS-Print's Stopped is what a jam or an open cover does to a SNMP printer. */
static void decode_state(const struct soapc_device_info *in, struct gw_model *m)
{
    char reasons[sizeof in->state_reasons], *save = NULL;

    if (strcasecmp(in->printer_state, "Idle") == 0)
        m->printer_status = 3;
    else if (strcasecmp(in->printer_state, "Processing") == 0)
        m->printer_status = 4;
    else if (in->printer_state[0])
        m->printer_status = 1;
    gw_strlcpy(reasons, in->state_reasons, sizeof reasons);
    for (char *tok = strtok_r(reasons, " \t\r\n", &save); tok;
         tok = strtok_r(NULL, " \t\r\n", &save))
        for (size_t i = 0; gw_wsd_reason_at(i); i++) {
            const struct gw_wsd_reason *r = gw_wsd_reason_at(i);
            if (strcasecmp(tok, r->reason) != 0 || (m->conditions & r->cond))
                continue;
            struct gw_alert *a = gw_model_add_alert(m);
            m->conditions |= r->cond;
            a->index = (int)i + 1;
            a->code = r->code;
            a->group = r->group;
            a->severity = r->severity;
            /* The reason as the device said it; gw_alert_text() puts it in words. */
            gw_strlcpy(a->description, r->reason, sizeof a->description);
        }
    if (in->printer_state[0])
        m->device_status = strcasecmp(in->printer_state, "Stopped") == 0 ? 5
                           : m->conditions                               ? 3
                                                                         : 2;
}

static void decode_supplies(const struct soapc_device_info *in, struct gw_model *m)
{
    for (int i = 0; i < in->nsupplies && i < SOAPC_MAX_SUPPLIES; i++) {
        const struct soapc_supply *in_s = &in->supplies[i];
        struct gw_supply *su = gw_model_add_supply(m);
        su->index = i + 1;
        gw_strlcpy(su->type, supply_type(in_s->type), sizeof su->type);
        gw_strlcpy(su->color, in_s->color, sizeof su->color);
        for (char *c = su->color; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        gw_strlcpy(su->description, in_s->name[0] ? in_s->name : in_s->type,
                   sizeof su->description);
        /* WS-Print levels are percentages; "unknown" is Printer-MIB's -2. */
        su->max_capacity = 100;
        su->level_raw = in_s->level >= 0 && in_s->level <= 100 ? in_s->level : -2;
        su->state = gw_supply_state(su->level_raw, su->max_capacity, &su->percent);
    }
}

void soapc_model_decode(const struct soapc_device_info *in, struct gw_model *m)
{
    decode_identity(in, m);
    /* What another transport already read wins: a status or supplies of its own are kept
     * whole rather than mixed with WS-Print's. */
    if (!m->printer_status && !m->device_status && !m->conditions && !m->n_alerts)
        decode_state(in, m);
    if (!m->n_supplies)
        decode_supplies(in, m);
}
