/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Unit tests of soap/model.c: soapc_model_decode(), WS-Print in the data model. A table of
 * {PrinterState, reasons} -> {hrPrinterStatus, hrDeviceStatus, conditions, alerts}, the
 * consumables as supplies, identity normalization, and the gap-filling rule discovery relies on
 * (what an SNMP reading put in the model is kept).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "soap/soapc.h"

static void info_init(struct soapc_device_info *in)
{
    memset(in, 0, sizeof *in);
    gw_strlcpy(in->manufacturer, "Simco", sizeof in->manufacturer);
    gw_strlcpy(in->model, "WSD Printer 9", sizeof in->model);
    gw_strlcpy(in->serial, "  WSD-0003 ", sizeof in->serial);
    gw_strlcpy(in->firmware, "1.0", sizeof in->firmware);
    gw_strlcpy(in->friendly_name, "front desk", sizeof in->friendly_name);
    in->is_printer = true;
    in->have_status = true;
}

static void test_state_table(void **state)
{
    static const struct {
        const char *printer_state, *reasons;
        int printer_status, device_status;
        uint32_t conditions;
        size_t n_alerts;
        int first_code;
    } cases[] = {
        {"Idle", "", 3, 2, 0, 0, 0},
        {"idle", "None", 3, 2, 0, 0, 0}, /* case-insensitive; unknown reason ignored */
        {"Processing", "", 4, 2, 0, 0, 0},
        {"Stopped", "MediaJam", 1, 5, GW_COND_JAMMED, 1, 8},
        {"Idle", "MarkerSupplyLow", 3, 3, GW_COND_LOW_TONER, 1, 1104},
        /* DoorOpen and CoverOpen are one condition: one alert. */
        {"Stopped", "DoorOpen CoverOpen\tMediaEmpty", 1, 5, GW_COND_DOOR_OPEN | GW_COND_NO_PAPER, 2,
         3},
        {"", "MediaJam", 0, 0, GW_COND_JAMMED, 1, 8}, /* no state: statuses stay unknown */
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct soapc_device_info in;
        struct gw_model m;
        info_init(&in);
        gw_strlcpy(in.printer_state, cases[i].printer_state, sizeof in.printer_state);
        gw_strlcpy(in.state_reasons, cases[i].reasons, sizeof in.state_reasons);
        gw_model_init(&m);
        soapc_model_decode(&in, &m);
        if (m.printer_status != cases[i].printer_status ||
            m.device_status != cases[i].device_status || m.conditions != cases[i].conditions ||
            m.n_alerts != cases[i].n_alerts)
            fail_msg("case %zu (%s/%s): status %d/%d conditions %#x alerts %zu", i,
                     cases[i].printer_state, cases[i].reasons, m.printer_status, m.device_status,
                     m.conditions, m.n_alerts);
        if (m.n_alerts) {
            assert_int_equal(m.alerts[0].code, cases[i].first_code);
            assert_true(m.alerts[0].index > 0);
            assert_non_null(gw_wsd_reason_find(m.alerts[0].description));
        }
        gw_model_cleanup(&m);
    }
}

static void test_identity(void **state)
{
    struct soapc_device_info in;
    struct gw_model m;
    (void)state;
    info_init(&in);
    gw_model_init(&m);
    soapc_model_decode(&in, &m);
    assert_string_equal(m.vendor, "Simco");
    assert_string_equal(m.model, "Simco WSD Printer 9");
    assert_string_equal(m.serial, "WSD-0003"); /* trimmed as an SNMP serial is */
    assert_string_equal(m.firmware, "1.0");
    assert_string_equal(m.sys_name, "front desk");
    assert_true(m.is_printer);
    assert_false(m.has_page_count); /* WS-Print has no counters */
    gw_model_cleanup(&m);

    /* A placeholder serial is no serial. */
    info_init(&in);
    gw_strlcpy(in.serial, "unknown", sizeof in.serial);
    gw_model_init(&m);
    soapc_model_decode(&in, &m);
    assert_string_equal(m.serial, "");
    gw_model_cleanup(&m);
}

static void test_supplies(void **state)
{
    static const struct {
        const char *type, *color, *name;
        int level;
        const char *want_type, *want_color, *want_desc;
        long want_raw;
        int want_pct;
        enum gw_supply_state want_state;
    } cases[] = {
        {"Toner", "Black", "Black toner", 80, "toner", "black", "Black toner", 80, 80,
         GW_SUPPLY_OK},
        {"Ink", "Cyan", "", 10, "ink", "cyan", "Ink", 10, 10, GW_SUPPLY_LOW},
        {"Drum", "", "Drum unit", 0, "opc", "", "Drum unit", 0, 0, GW_SUPPLY_EMPTY},
        {"WasteToner", "", "", -1, "wasteToner", "", "WasteToner", -2, -1, GW_SUPPLY_UNKNOWN},
        {"Staples", "", "Stapler", 101, "other", "", "Stapler", -2, -1, GW_SUPPLY_UNKNOWN},
    };
    struct soapc_device_info in;
    struct gw_model m;
    (void)state;
    info_init(&in);
    gw_strlcpy(in.printer_state, "Idle", sizeof in.printer_state);
    in.nsupplies = (int)(sizeof cases / sizeof cases[0]);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gw_strlcpy(in.supplies[i].type, cases[i].type, sizeof in.supplies[i].type);
        gw_strlcpy(in.supplies[i].color, cases[i].color, sizeof in.supplies[i].color);
        gw_strlcpy(in.supplies[i].name, cases[i].name, sizeof in.supplies[i].name);
        in.supplies[i].level = cases[i].level;
    }
    gw_model_init(&m);
    soapc_model_decode(&in, &m);
    assert_int_equal(m.n_supplies, sizeof cases / sizeof cases[0]);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct gw_supply *s = &m.supplies[i];
        assert_int_equal(s->index, (int)i + 1);
        assert_string_equal(s->type, cases[i].want_type);
        assert_string_equal(s->color, cases[i].want_color);
        assert_string_equal(s->description, cases[i].want_desc);
        assert_int_equal(s->max_capacity, 100);
        assert_int_equal(s->level_raw, cases[i].want_raw);
        assert_int_equal(s->percent, cases[i].want_pct);
        assert_int_equal(s->state, cases[i].want_state);
    }
    gw_model_cleanup(&m);

    /* A count beyond what the device list can hold is bounded. */
    info_init(&in);
    in.nsupplies = 1000;
    gw_model_init(&m);
    soapc_model_decode(&in, &m);
    assert_int_equal(m.n_supplies, SOAPC_MAX_SUPPLIES);
    gw_model_cleanup(&m);
}

/* Discovery decodes into the model an SNMP reading filled: SNMP's answers stay, WSD fills the
 * gaps. */
static void test_fills_gaps(void **state)
{
    struct soapc_device_info in;
    struct gw_model m;
    struct gw_supply *s;
    (void)state;
    info_init(&in);
    gw_strlcpy(in.printer_state, "Stopped", sizeof in.printer_state);
    gw_strlcpy(in.state_reasons, "MediaJam", sizeof in.state_reasons);
    in.nsupplies = 1;
    gw_strlcpy(in.supplies[0].type, "Toner", sizeof in.supplies[0].type);
    in.supplies[0].level = 50;
    gw_model_init(&m);
    gw_strlcpy(m.vendor, "Acme", sizeof m.vendor);
    gw_strlcpy(m.serial, "SNMP-1", sizeof m.serial);
    m.printer_status = 3;
    m.device_status = 2;
    s = gw_model_add_supply(&m);
    s->index = 7;
    soapc_model_decode(&in, &m);
    assert_string_equal(m.vendor, "Acme");
    assert_string_equal(m.serial, "SNMP-1");
    assert_string_equal(m.model,
                        "Acme WSD Printer 9"); /* a gap: filled, under the vendor SNMP named */
    assert_string_equal(m.sys_name, "front desk");
    assert_int_equal(m.printer_status, 3);
    assert_int_equal(m.device_status, 2);
    assert_int_equal(m.conditions, 0);
    assert_int_equal(m.n_alerts, 0);
    assert_int_equal(m.n_supplies, 1);
    assert_int_equal(m.supplies[0].index, 7);
    gw_model_cleanup(&m);

    /* A model that says nothing yet takes everything. */
    gw_model_init(&m);
    soapc_model_decode(&in, &m);
    assert_int_equal(m.device_status, 5);
    assert_int_equal(m.conditions, GW_COND_JAMMED);
    assert_int_equal(m.n_supplies, 1);
    gw_model_cleanup(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_table),
        cmocka_unit_test(test_identity),
        cmocka_unit_test(test_supplies),
        cmocka_unit_test(test_fills_gaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
