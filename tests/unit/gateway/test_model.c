/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Unit tests for gateway/model.c: the identity normalizers that device matching relies on (MAC
 * and serial, as {input, expected} tables), the name tables, the model arrays and the JSON shape
 * of `fleetgw probe --json`.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gateway/gw.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void test_mac_normalize_table(void **state)
{
    static const struct {
        const char *in;
        int rc;
        const char *out;
    } cases[] = {
        {"00:11:22:aa:bb:cc", 0, "00:11:22:aa:bb:cc"},
        {"00-11-22-AA-BB-CC", 0, "00:11:22:aa:bb:cc"},
        {"0011.22aa.bbcc", 0, "00:11:22:aa:bb:cc"},
        {"001122AABBCC", 0, "00:11:22:aa:bb:cc"},
        {"00 11 22 aa bb cc", 0, "00:11:22:aa:bb:cc"},
        {"00:11:22:aa:bb:cc:", 0, "00:11:22:aa:bb:cc"},
        {"0:11:22:aa:bb:cc", GW_E_PARSE, ""},     /* odd digit count */
        {"00:11:22:aa:bb", GW_E_PARSE, ""},       /* 5 bytes */
        {"00:11:22:aa:bb:cc:dd", GW_E_PARSE, ""}, /* 7 bytes */
        {"00:11:22:aa:bb:cg", GW_E_PARSE, ""},
        {"0x0011223344", GW_E_PARSE, ""},
        {"00:00:00:00:00:00", GW_E_PARSE, ""}, /* not an address */
        {"ff:ff:ff:ff:ff:ff", GW_E_PARSE, ""}, /* broadcast */
        {"", GW_E_PARSE, ""},
    };
    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        char out[18];
        int rc;
        memset(out, 'X', sizeof out);
        rc = gw_mac_normalize(cases[i].in, out);
        if (rc != cases[i].rc || strcmp(out, cases[i].out) != 0)
            fail_msg("case %zu '%s': rc %d out '%s'", i, cases[i].in, rc, out);
    }
}

static void test_mac_from_bytes_table(void **state)
{
    static const struct {
        unsigned char b[7];
        size_t len;
        int rc;
        const char *out;
    } cases[] = {
        {{0xac, 0xa8, 0x8e, 0x25, 0x69, 0x6c}, 6, 0, "ac:a8:8e:25:69:6c"},
        {{0x00, 0x00, 0x00, 0x00, 0x00, 0x01}, 6, 0, "00:00:00:00:00:01"},
        {{0}, 6, GW_E_PARSE, ""},
        {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 6, GW_E_PARSE, ""},
        {{0x00, 0x11, 0x22, 0x33, 0x44}, 5, GW_E_PARSE, ""},
        {{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66}, 7, GW_E_PARSE, ""},
        {{0}, 0, GW_E_PARSE, ""},
    };
    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        char out[18];
        int rc;
        memset(out, 'X', sizeof out);
        rc = gw_mac_from_bytes(cases[i].b, cases[i].len, out);
        if (rc != cases[i].rc || strcmp(out, cases[i].out) != 0)
            fail_msg("case %zu: rc %d out '%s'", i, rc, out);
    }
}

static void test_serial_normalize_table(void **state)
{
    static const struct {
        const char *in;
        size_t len;
        size_t outlen;
        int rc;
        const char *out;
    } cases[] = {
        {"0505571100", 10, 64, 0, "0505571100"},
        {"vcf1234567", 10, 64, 0, "VCF1234567"},
        {"  7XQ1R92-132-13 \t", 18, 64, 0, "7XQ1R92-132-13"},
        {"AB12\0junk", 9, 64, 0, "AB12"}, /* a NUL ends the value */
        {"AB12\0\0\0\0", 8, 64, 0, "AB12"},
        {"ABCDEF", 6, 4, 0, "ABC"},  /* truncated to the buffer */
        {"ABCDEF", 3, 64, 0, "ABC"}, /* len, not strlen, bounds the input */
        {"", 0, 64, GW_E_PARSE, ""},
        {"   ", 3, 64, GW_E_PARSE, ""},
        {"\0\0\0", 3, 64, GW_E_PARSE, ""},
        {"AB\x01"
         "CD",
         5, 64, GW_E_PARSE, ""},               /* control character */
        {"AB\xc3\xa9", 4, 64, GW_E_PARSE, ""}, /* not ASCII */
        {"0", 1, 64, GW_E_PARSE, ""},
        {"Unknown", 7, 64, GW_E_PARSE, ""},
        {"N/A", 3, 64, GW_E_PARSE, ""},
        {"na", 2, 64, GW_E_PARSE, ""},
        {"None", 4, 64, GW_E_PARSE, ""},
        {"<private>", 9, 64, GW_E_PARSE, ""},
        {"Serial", 6, 64, GW_E_PARSE, ""},
        {"Not Available", 13, 64, GW_E_PARSE, ""},
        {"-", 1, 64, GW_E_PARSE, ""},
        {"0000000000", 10, 64, GW_E_PARSE, ""},
        {"XXXXXXXX", 8, 64, GW_E_PARSE, ""},
        {"xxxx", 4, 64, GW_E_PARSE, ""},
        {"********", 8, 64, GW_E_PARSE, ""},
        {"ffffffff", 8, 64, GW_E_PARSE, ""},
        {"AB", 2, 1, GW_E_PARSE, ""}, /* no room for a value */
        /* gw.h says "all-same-character" values are dropped, but model.c only drops runs of
         * 0, X, * and F; other runs pass. Kept here as observed behaviour so a change is
         * noticed; see the report to the owner of gateway/model.c. */
        {"AAAAAAAA", 8, 64, 0, "AAAAAAAA"},
        {"11111111", 8, 64, 0, "11111111"},
    };
    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        char out[64];
        int rc;
        memset(out, 'X', sizeof out);
        rc = gw_serial_normalize(cases[i].in, cases[i].len, out, cases[i].outlen);
        if (rc != cases[i].rc || (cases[i].outlen && strcmp(out, cases[i].out) != 0))
            fail_msg("case %zu: rc %d out '%.*s'", i, rc, (int)cases[i].outlen, out);
    }
    assert_int_equal(gw_serial_normalize(NULL, 5, (char[8]){0}, 8), GW_E_PARSE);
}

static void test_model_name_normalize_table(void **state)
{
    static const struct {
        const char *vendor, *in, *want, *removed;
    } cases[] = {
        /* the reports: the maker repeated in front of the model */
        {"Brother", "Brother MFC-L2710DW", "MFC-L2710DW", "Brother"},
        {"Brother", "Brother Brother MFC-L2710DW", "MFC-L2710DW", "Brother"},
        {"HP", "HP Color LaserJet M452nw", "Color LaserJet M452nw", "HP"},
        {"HP", "HP HP Color LaserJet", "Color LaserJet", "HP"},
        {"Konica Minolta", "Konica Minolta bizhub 25e", "bizhub 25e", "Konica Minolta"},
        {"Konica Minolta", "KONICA MINOLTA Konica Minolta bizhub 25e", "bizhub 25e",
         "Konica Minolta"},
        {"Kyocera", "Kyocera TASKalfa 2554ci", "TASKalfa 2554ci", "Kyocera"},
        {"Kyocera", "TASKalfa 2554ci", "TASKalfa 2554ci", NULL},
        {"Kyocera", "KYOCERA Document Solutions ECOSYS M2040dn", "ECOSYS M2040dn", "Kyocera"},
        /* aliases of the vendor's maker, case-insensitively */
        {"HP", "Hewlett-Packard LaserJet 4250", "LaserJet 4250", "HP"},
        {"Hewlett-Packard", "hp LaserJet 4250", "LaserJet 4250", "HP"},
        {"Fujifilm", "FUJI XEROX ApeosPort-VI C4471", "ApeosPort-VI C4471", "Fujifilm"},
        {"Fujifilm", "FUJIFILM Apeos C7580", "Apeos C7580", "Fujifilm"},
        {"Sharp", "SHARP MX-M266NV", "MX-M266NV", "Sharp"},
        {"Ricoh", "RICOH MP C3003", "MP C3003", "Ricoh"},
        /* blanks collapsed and trimmed */
        {"Brother", "  Brother   MFC-L2710DW  ", "MFC-L2710DW", "Brother"},
        {"Canon", "Canon\tiR-ADV  C5235", "iR-ADV C5235", "Canon"},
        /* another maker's name, a brand or a word that only starts like a maker stays */
        {"HP", "Samsung X4300", "Samsung X4300", NULL},
        {"Konica Minolta", "Develop ineo+ 280", "Develop ineo+ 280", NULL},
        {"Konica Minolta", "MINOLTA-QMS magicolor 2300", "MINOLTA-QMS magicolor 2300", NULL},
        {"HP", "HPE Switch", "HPE Switch", NULL},
        /* an unknown vendor is removed as written; no vendor: any known maker */
        {"Testco", "Testco T-100", "T-100", NULL},
        {"", "Brother HL-L2350DW", "HL-L2350DW", "Brother"},
        {NULL, "EPSON WF-C5790 Series", "WF-C5790 Series", "Epson"},
        {"", "Linux box 5.10", "Linux box 5.10", NULL},
        /* the maker alone is the name: kept */
        {"HP", "HP", "HP", NULL},
        {"Brother", "Brother ", "Brother", NULL},
        {"HP", "", "", NULL},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[128];
        const char *r;
        gw_strlcpy(buf, cases[i].in, sizeof buf);
        r = gw_model_name_normalize(cases[i].vendor, buf, sizeof buf);
        if (strcmp(buf, cases[i].want) != 0 || (r == NULL) != (cases[i].removed == NULL) ||
            (r && strcmp(r, cases[i].removed) != 0))
            fail_msg("case %zu: '%s' -> '%s' removed %s", i, cases[i].in, buf, r ? r : "NULL");
    }
}

static void test_maker_and_identity(void **state)
{
    static const struct {
        const char *in, *want;
    } makers[] = {
        {"Hewlett-Packard", "HP"},
        {"HP", "HP"},
        {"KONICA MINOLTA", "Konica Minolta"},
        {"Brother Industries, Ltd.", "Brother"},
        {"KYOCERA Document Solutions Inc.", "Kyocera"},
        {"Canon Inc.", "Canon"},
        {"Xerox Corporation", "Xerox"},
        {"HPE", NULL},
        {"Acme", NULL},
        {"", NULL},
    };
    /* Vendor and model as an object or WS-Discovery metadata gave them, and what
     * gw_model_identity_normalize() makes of them (want_vendor NULL: not checked). */
    static const struct {
        const char *vendor, *model, *want_vendor, *want_model;
    } ids[] = {
        /* The vendor becomes the maker's name, and the model carries it once, in front, in
         * that spelling. */
        {"Hewlett-Packard", "HP Color LaserJet MFP M477fdw", "HP", "HP Color LaserJet MFP M477fdw"},
        /* No vendor: the model's maker fills it. */
        {"", "Kyocera TASKalfa 2554ci", "Kyocera", "Kyocera TASKalfa 2554ci"},
        /* An unknown vendor is kept as it is. */
        {"Acme  Printers", "Acme Printers P1", "Acme Printers", "Acme Printers P1"},
        /* Whichever object named it, one model is one name ("Kyocera TASKalfa 2554ci" and
         * "TASKalfa 2554ci" were two); a doubled maker is said once. */
        {"KYOCERA Document Solutions Inc.", "TASKalfa 2554ci", NULL, "Kyocera TASKalfa 2554ci"},
        {"Brother", "Brother Brother MFC-L2710DW", NULL, "Brother MFC-L2710DW"},
        {"SHARP", "SHARP MX-M266NV", "Sharp", "Sharp MX-M266NV"},
        /* A name that is only the maker stays one word. */
        {"HP", "HP", NULL, "HP"},
    };
    struct gw_model m;
    (void)state;
    for (size_t i = 0; i < sizeof makers / sizeof makers[0]; i++) {
        const char *r = gw_maker_name(makers[i].in);
        if ((r == NULL) != (makers[i].want == NULL) || (r && strcmp(r, makers[i].want) != 0))
            fail_msg("maker %zu: '%s' -> %s", i, makers[i].in, r ? r : "NULL");
    }
    assert_null(gw_maker_name(NULL));

    gw_model_init(&m);
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        gw_strlcpy(m.vendor, ids[i].vendor, sizeof m.vendor);
        gw_strlcpy(m.model, ids[i].model, sizeof m.model);
        gw_model_identity_normalize(&m);
        if ((ids[i].want_vendor && strcmp(m.vendor, ids[i].want_vendor) != 0) ||
            strcmp(m.model, ids[i].want_model) != 0)
            fail_msg("identity %zu: '%s' '%s' -> '%s' '%s'", i, ids[i].vendor, ids[i].model,
                     m.vendor, m.model);
    }
    gw_model_cleanup(&m);
}

/* The maker put in front of a long model cuts the model on a character boundary: the model is
 * UTF-8 and goes into JSON (found by fuzz_decode: a Latin-1 model of 0xff bytes, converted to
 * two-byte characters, lost its "model" key). */
static void test_identity_cut_utf8(void **state)
{
    struct gw_model m;
    json_t *s;
    (void)state;
    assert_int_equal(gw_utf8_fit("ab", 2, 3), 2);
    assert_int_equal(gw_utf8_fit("ab", 2, 2), 1);
    assert_int_equal(gw_utf8_fit("a\xc3\xa9", 3, 3), 1); /* not half of the e-acute */
    assert_int_equal(gw_utf8_fit("a\xc3\xa9", 3, 4), 3);
    assert_int_equal(gw_utf8_fit("x", 1, 0), 0);
    gw_model_init(&m);
    gw_strlcpy(m.vendor, "Kyocera", sizeof m.vendor);
    for (size_t i = 0; i + 2 < sizeof m.model; i += 2)
        memcpy(m.model + i, "\xc3\xbf", 2);
    gw_model_identity_normalize(&m);
    assert_true(strlen(m.model) < sizeof m.model);
    assert_memory_equal(m.model, "Kyocera \xc3\xbf", 10);
    s = json_string(m.model); /* NULL for invalid UTF-8 */
    assert_non_null(s);
    json_decref(s);
    gw_model_cleanup(&m);
}

static void test_names(void **state)
{
    static const char *const cond[GW_COND_COUNT] = {
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
    static const struct {
        enum gw_supply_state st;
        const char *name;
    } states[] = {
        {GW_SUPPLY_OK, "ok"},
        {GW_SUPPLY_LOW, "low"},
        {GW_SUPPLY_EMPTY, "empty"},
        {GW_SUPPLY_SOME_REMAINING, "some_remaining"},
        {GW_SUPPLY_UNKNOWN, "unknown"},
        {GW_SUPPLY_OTHER, "other"},
        {GW_SUPPLY_IMPLAUSIBLE, "implausible"},
        {(enum gw_supply_state)99, "unknown"},
    };
    static const struct {
        int v;
        const char *dev, *prt;
    } status[] = {
        {0, "unknown", "unknown"}, {1, "unknown", "other"},    {2, "running", "unknown"},
        {3, "warning", "idle"},    {4, "testing", "printing"}, {5, "down", "warmup"},
        {6, "unknown", "unknown"}, {-1, "unknown", "unknown"},
    };
    (void)state;
    for (int i = 0; i < GW_COND_COUNT; i++)
        assert_string_equal(gw_condition_name(1u << i), cond[i]);
    assert_null(gw_condition_name(0));
    assert_null(gw_condition_name(1u << 15));
    assert_null(gw_condition_name(GW_COND_LOW_PAPER | GW_COND_NO_PAPER));
    for (size_t i = 0; i < NELEM(states); i++)
        assert_string_equal(gw_supply_state_name(states[i].st), states[i].name);
    for (size_t i = 0; i < NELEM(status); i++) {
        assert_string_equal(gw_device_status_name(status[i].v), status[i].dev);
        assert_string_equal(gw_printer_status_name(status[i].v), status[i].prt);
    }
}

/* Appends keep earlier elements and zero new ones, across the array's regrowth points. */
static void test_model_arrays(void **state)
{
    struct gw_model m;
    (void)state;
    gw_model_init(&m);
    for (int i = 0; i < 100; i++) {
        struct gw_counter *c = gw_model_add_counter(&m);
        struct gw_supply *s = gw_model_add_supply(&m);
        struct gw_alert *a = gw_model_add_alert(&m);
        assert_int_equal(c->value, 0);
        assert_string_equal(c->name, "");
        assert_int_equal(s->percent, -1); /* "not defined" until set */
        assert_int_equal(s->index, 0);
        assert_int_equal(a->code, 0);
        snprintf(c->name, sizeof c->name, "c%d", i);
        c->value = (uint64_t)i * 1000;
        s->index = i;
        a->index = i;
    }
    assert_int_equal(m.n_counters, 100);
    assert_int_equal(m.n_supplies, 100);
    assert_int_equal(m.n_alerts, 100);
    for (int i = 0; i < 100; i++) {
        char name[16];
        snprintf(name, sizeof name, "c%d", i);
        assert_int_equal(gw_model_counter(&m, name)->value, (uint64_t)i * 1000);
        assert_int_equal(m.supplies[i].index, i);
        assert_int_equal(m.alerts[i].index, i);
    }
    assert_null(gw_model_counter(&m, "c100"));
    gw_model_cleanup(&m);
    assert_null(m.counters);
    assert_int_equal(m.n_supplies, 0);
}

static void test_model_json(void **state)
{
    struct gw_model m;
    struct gw_supply *s;
    struct gw_counter *c;
    struct gw_alert *a;
    json_t *j, *x;
    (void)state;

    gw_model_init(&m);
    j = gw_model_to_json(&m);
    /* Empty strings are null, so "not reported" differs from a value. */
    assert_true(json_is_null(json_object_get(j, "vendor")));
    assert_true(json_is_null(json_object_get(j, "page_count_total")));
    assert_true(json_is_null(json_object_get(j, "counter_disagreement")));
    assert_false(json_is_true(json_object_get(j, "is_printer")));
    assert_int_equal(json_object_size(j), 21);
    assert_int_equal(json_array_size(json_object_get(j, "trays")), 0);
    json_decref(j);

    gw_strlcpy(m.vendor, "Sharp", sizeof m.vendor);
    gw_strlcpy(m.serial, "0505571100", sizeof m.serial);
    m.is_printer = true;
    m.has_page_count = true;
    m.page_count_total = 10000000000ull;
    gw_strlcpy(m.page_count_source, "marker_life.1", sizeof m.page_count_source);
    m.counter_disagreement = true;
    gw_strlcpy(m.disagreement, "total=1 but prtMarkerLifeCount.1=900", sizeof m.disagreement);
    m.device_status = 3;
    m.printer_status = 4;
    m.conditions = GW_COND_LOW_PAPER | GW_COND_JAMMED;
    c = gw_model_add_counter(&m);
    gw_strlcpy(c->name, "total", sizeof c->name);
    gw_strlcpy(c->oid, "1.3.6.1.4.1.1347.43.10.1.1.12.1.1", sizeof c->oid);
    c->value = 48211;
    s = gw_model_add_supply(&m);
    s->index = 2;
    gw_strlcpy(s->type, "wasteToner", sizeof s->type);
    gw_strlcpy(s->description, "Waste", sizeof s->description);
    s->level_raw = -3;
    s->max_capacity = -2;
    s->state = GW_SUPPLY_SOME_REMAINING;
    s = gw_model_add_supply(&m);
    s->index = 1;
    gw_strlcpy(s->type, "toner", sizeof s->type);
    gw_strlcpy(s->color, "black", sizeof s->color);
    s->level_raw = 8;
    s->max_capacity = 100;
    s->percent = 8;
    s->state = GW_SUPPLY_LOW;
    a = gw_model_add_alert(&m);
    a->index = 1;
    a->code = 1101;
    a->time_ticks = 4294967295u;
    gw_strlcpy(a->description, "Toner is low.", sizeof a->description);

    {
        struct gw_tray *t = gw_model_add_tray(&m);
        assert_int_equal(t->level_raw, -2);
        assert_int_equal(t->status, -1);
        t->index = 1; /* the same index as the toner: a different table */
        gw_strlcpy(t->name, "MP Tray", sizeof t->name);
        gw_strlcpy(t->capacity_unit, "sheets", sizeof t->capacity_unit);
        t->max_capacity = 100;
        t->level_raw = 0;
        t->state = gw_tray_state(t->level_raw, t->max_capacity, &t->percent);
        t->status = 8;
    }
    j = gw_model_to_json(&m);
    assert_int_equal(json_array_size(json_object_get(j, "supplies")), 2);
    x = json_array_get(json_object_get(j, "trays"), 0);
    assert_int_equal(json_integer_value(json_object_get(x, "index")), 1);
    assert_string_equal(json_string_value(json_object_get(x, "name")), "MP Tray");
    assert_true(json_is_null(json_object_get(x, "description")));
    assert_true(json_is_null(json_object_get(x, "media_dimensions")));
    assert_int_equal(json_integer_value(json_object_get(x, "percent")), 0);
    assert_string_equal(json_string_value(json_object_get(x, "state")), "empty");
    assert_string_equal(json_string_value(json_object_get(x, "level_text")), "empty");
    assert_string_equal(json_string_value(json_object_get(json_object_get(x, "status"), "alerts")),
                        "non_critical");
    assert_string_equal(json_string_value(json_object_get(j, "vendor")), "Sharp");
    assert_true(json_is_true(json_object_get(j, "is_printer")));
    assert_int_equal(json_integer_value(json_object_get(j, "page_count_total")), 10000000000ll);
    assert_string_equal(json_string_value(json_object_get(j, "counter_disagreement")),
                        "total=1 but prtMarkerLifeCount.1=900");
    x = json_array_get(json_object_get(j, "counters"), 0);
    assert_string_equal(json_string_value(json_object_get(x, "name")), "total");
    assert_int_equal(json_integer_value(json_object_get(x, "value")), 48211);
    x = json_array_get(json_object_get(j, "supplies"), 0);
    assert_true(json_is_null(json_object_get(x, "percent")));
    assert_true(json_is_null(json_object_get(x, "color")));
    assert_string_equal(json_string_value(json_object_get(x, "state")), "some_remaining");
    assert_int_equal(json_integer_value(json_object_get(x, "level_raw")), -3);
    x = json_array_get(json_object_get(j, "supplies"), 1);
    assert_int_equal(json_integer_value(json_object_get(x, "percent")), 8);
    assert_string_equal(json_string_value(json_object_get(x, "color")), "black");
    x = json_object_get(j, "status");
    assert_string_equal(json_string_value(json_object_get(x, "device")), "warning");
    assert_string_equal(json_string_value(json_object_get(x, "printer")), "printing");
    x = json_object_get(x, "conditions");
    assert_int_equal(json_array_size(x), 2);
    assert_string_equal(json_string_value(json_array_get(x, 0)), "low_paper");
    assert_string_equal(json_string_value(json_array_get(x, 1)), "jammed");
    x = json_array_get(json_object_get(j, "alerts"), 0);
    assert_int_equal(json_integer_value(json_object_get(x, "time_ticks")), 4294967295ll);
    assert_string_equal(json_string_value(json_object_get(x, "description")), "Toner is low.");
    json_decref(j);
    gw_model_cleanup(&m);
}

/* prtInputCurrentLevel against prtInputMaxCapacity (RFC 3805): the special values are states,
 * paper in a tray is never "low", a count without a capacity is still paper. */
static void test_tray_state_table(void **state)
{
    static const struct {
        long level, max;
        enum gw_supply_state st;
        int pct;
        const char *text;
    } cases[] = {
        {250, 500, GW_SUPPLY_OK, 50, "250 of 500 sheets"},
        {1, 500, GW_SUPPLY_OK, 1, "1 of 500 sheets"},    /* never 0 % while a sheet is left */
        {25, 250, GW_SUPPLY_OK, 10, "25 of 250 sheets"}, /* 10 %: a supply would be "low" */
        {500, 500, GW_SUPPLY_OK, 100, "500 of 500 sheets"},
        {0, 500, GW_SUPPLY_EMPTY, 0, "empty"},
        {0, -2, GW_SUPPLY_EMPTY, -1, "empty"},
        {80, -2, GW_SUPPLY_OK, -1, "80 sheets"},
        {80, -1, GW_SUPPLY_OK, -1, "80 sheets"},
        {-1, 500, GW_SUPPLY_OTHER, -1, "level unknown"},
        {-2, 500, GW_SUPPLY_UNKNOWN, -1, "level unknown"},
        {-3, 500, GW_SUPPLY_SOME_REMAINING, -1, "some paper"},
        {-3, -2, GW_SUPPLY_SOME_REMAINING, -1, "some paper"},
        {-4, 500, GW_SUPPLY_IMPLAUSIBLE, -1, "level -4 (implausible)"},
        {600, 500, GW_SUPPLY_IMPLAUSIBLE, -1, "600 of 500 sheets (implausible)"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct gw_tray t;
        char text[96];
        memset(&t, 0, sizeof t);
        t.level_raw = cases[i].level;
        t.max_capacity = cases[i].max;
        gw_strlcpy(t.capacity_unit, "sheets", sizeof t.capacity_unit);
        t.state = gw_tray_state(t.level_raw, t.max_capacity, &t.percent);
        if (t.state != cases[i].st || t.percent != cases[i].pct ||
            strcmp(gw_tray_level_text(&t, text, sizeof text), cases[i].text) != 0)
            fail_msg("case %zu (%ld/%ld): %s %d%% '%s'", i, cases[i].level, cases[i].max,
                     gw_supply_state_name(t.state), t.percent, text);
    }
    assert_int_equal(gw_tray_state(5, 10, NULL), GW_SUPPLY_OK);
}

/* Alerts in words: WS-Print reasons and RFC 3805 prtAlertCode labels. */
static void test_alert_text_table(void **state)
{
    static const struct {
        const char *description;
        int code;
        const char *text, *code_text;
    } cases[] = {
        {"MarkerSupplyLow", 1104, "Marker supply low", "Marker toner almost empty"},
        {"markersupplylow", 1104, "Marker supply low", "Marker toner almost empty"},
        {"MediaJam", 8, "Media jam", "Jam"},
        {"MarkerSupplyMissing", 1115, "Marker supply missing", "Marker toner cartridge missing"},
        {"Paper jam in tray 2", 8, "Paper jam in tray 2", "Jam"},
        {"", 505, "Printer NMS reset", "Printer NMS reset"},
        {"", 1111, "Marker opc life almost over", "Marker opc life almost over"},
        {NULL, 1801, "Alert removal of binary change entry",
         "Alert removal of binary change entry"},
        {"", 4242, NULL, NULL},
        {"SomethingNew", 0, "SomethingNew", NULL},
    };
    char buf[64], small[8];
    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++) {
        json_t *o = json_object();
        gw_alert_json_text(o, cases[i].description, cases[i].code);
        if (cases[i].text)
            assert_string_equal(json_string_value(json_object_get(o, "text")), cases[i].text);
        else
            assert_true(json_is_null(json_object_get(o, "text")));
        if (cases[i].code_text)
            assert_string_equal(json_string_value(json_object_get(o, "code_text")),
                                cases[i].code_text);
        else
            assert_true(json_is_null(json_object_get(o, "code_text")));
        json_decref(o);
    }
    /* Every WS-Print reason maps to a code the RFC names. */
    for (size_t i = 0; gw_wsd_reason_at(i); i++)
        assert_non_null(gw_alert_code_name(gw_wsd_reason_at(i)->code));
    assert_ptr_equal(gw_wsd_reason_find("coveropen"), gw_wsd_reason_at(2));
    assert_null(gw_wsd_reason_find(NULL));
    assert_null(gw_alert_text("", 0, buf, sizeof buf));
    /* Truncated, never overrun. */
    assert_string_equal(gw_label_words("markerTonerAlmostEmpty", small, sizeof small), "Marker");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mac_normalize_table),
        cmocka_unit_test(test_mac_from_bytes_table),
        cmocka_unit_test(test_serial_normalize_table),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_model_arrays),
        cmocka_unit_test(test_model_json),
        cmocka_unit_test(test_model_name_normalize_table),
        cmocka_unit_test(test_maker_and_identity),
        cmocka_unit_test(test_identity_cut_utf8),
        cmocka_unit_test(test_tray_state_table),
        cmocka_unit_test(test_alert_text_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
