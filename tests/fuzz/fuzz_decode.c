/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * libFuzzer target for the SNMP decoding layer: snmpsim text, a binary varbind stream, and the
 * counter catalogue grammar.
 *
 * Every input is used twice. As text it goes through snmpc_vbset_parse_snmprec(), which is what
 * a recording or a hand-written walk takes. As a binary stream it becomes varbinds directly, so
 * that the decoder sees types and values no recording would contain; the stream format (below)
 * starts each OID from a table of the prefixes the decoder reads, so the fuzzer reaches the
 * table code without having to guess 1.3.6.1.2.1.43 byte by byte. Both sets are decoded with
 * the shipped catalogue ($FLEETGW_DATADIR/counters.catalogue, else a small built-in one) and
 * turned into JSON, and the result is checked: every string must be valid UTF-8 (the JSON would
 * otherwise lose keys), tables must respect their caps, percentages their range, counter names
 * must be unique and made of [a-z0-9_.]. An input that starts with "#cat\n" is parsed as a
 * catalogue instead; when it parses, its structure is checked, a small walk with rows under
 * every vendor table and supply table it declares is decoded with it (the billing total must
 * be one of the counters), and its sysdescr patterns are matched
 * against sample texts.
 *
 * Binary stream, repeated until the input ends:
 *   byte   prefix selector (index into prefixes[], modulo its size)
 *   byte   n: number of extra sub-identifiers (0..7, n & 7)
 *   n x    sub-identifier as a base-128 varint (high bit = more), at most 5 bytes
 *   byte   type (enum snmpc_vtype, modulo 11)
 *   value  numeric types: 8 bytes little-endian; OCTETS/IPADDR/OPAQUE: length byte then bytes;
 *          OID: count byte (0..31) then that many varints; NULL/NOSUCH: nothing.
 */
/* The decoding layer is included rather than linked from libsnmpc.a so that it is compiled
 * with this target's -fsanitize=fuzzer flags: libFuzzer only sees coverage in instrumented
 * code (as fuzz_cfg.c does for cfg.c). */
#include "snmp/vbset.c"
#include "snmp/prtnames.c"
#include "snmp/catalogue.c"
#include "snmp/descr.c"
#include "snmp/decode.c"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct snmpc_catalogue *cat;

static const char builtin_catalogue[] =
    "vendor 1347 Kyocera\n"
    "oid 1347 total 1.3.6.1.4.1.1347.43.10.1.1.12.1.1 role=total priority=10\n"
    "oid 1347 print_total 1.3.6.1.4.1.1347.42.3.1.1.1.1.1\n"
    "oid 1347 model 1.3.6.1.4.1.1347.43.5.1.1.1.1 role=model\n"
    "oid 1347 serial 1.3.6.1.4.1.1347.43.5.1.1.28.1 role=serial\n"
    "oid 1347 firmware 1.3.6.1.4.1.1347.43.5.4.1.5.1.1 role=firmware\n"
    "vendor 2385 Sharp\n"
    "table 2385 sharp 1.3.6.1.4.1.2385.1.1.19.2.1 value=3 label=4 max_rows=64\n"
    "row 2385 sharp 1.4.61 print_mono\n"
    "row 2385 sharp label:full_color_copy_count copy_full_colour\n"
    "vendor 367 Ricoh\n"
    "table 367 eng 1.3.6.1.4.1.367.3.2.1.2.19.5.1 value=9 label=5 prefix=ricoh\n"
    "row 367 eng label:counter_machine_total machine_total role=total priority=20\n"
    "supplies 367 toner 1.3.6.1.4.1.367.3.2.1.2.24.1.1 level=5 descr=2 descr_alt=3 colour=4 "
    "colours=3:black,10:cyan,11:magenta,12:yellow,13:black type=toner near_empty=-100\n"
    "vendor 10642 Zebra\n"
    "oid 10642 print_length_inches 1.3.6.1.4.1.10642.200.17.3.0 text=leading_number\n";

/* OID prefixes the decoder reads; the stream appends sub-identifiers to one of them. */
static const struct {
    uint32_t oid[16];
    size_t len;
} prefixes[] = {
    {{1, 3, 6, 1, 2, 1, 1}, 7},                          /* system */
    {{1, 3, 6, 1, 2, 1, 2, 2, 1, 3}, 10},                /* ifType */
    {{1, 3, 6, 1, 2, 1, 2, 2, 1, 6}, 10},                /* ifPhysAddress */
    {{1, 3, 6, 1, 2, 1, 25, 3, 2, 1}, 10},               /* hrDeviceEntry */
    {{1, 3, 6, 1, 2, 1, 25, 3, 1}, 9},                   /* hrDeviceTypes */
    {{1, 3, 6, 1, 2, 1, 25, 3, 5, 1}, 10},               /* hrPrinterEntry */
    {{1, 3, 6, 1, 2, 1, 43, 5, 1, 1}, 10},               /* prtGeneralEntry */
    {{1, 3, 6, 1, 2, 1, 43, 8, 2, 1}, 10},               /* prtInputEntry */
    {{1, 3, 6, 1, 2, 1, 43, 10, 2, 1}, 10},              /* prtMarkerEntry */
    {{1, 3, 6, 1, 2, 1, 43, 11, 1, 1}, 10},              /* prtMarkerSuppliesEntry */
    {{1, 3, 6, 1, 2, 1, 43, 12, 1, 1}, 10},              /* prtMarkerColorantEntry */
    {{1, 3, 6, 1, 2, 1, 43, 18, 1, 1}, 10},              /* prtAlertEntry */
    {{1, 3, 6, 1, 4, 1}, 6},                             /* enterprises */
    {{1, 3, 6, 1, 4, 1, 1347, 43, 10, 1, 1, 12}, 12},    /* kcprtMarkerServiceCount */
    {{1, 3, 6, 1, 4, 1, 1347, 43, 5, 1, 1}, 11},         /* kcprtGeneralEntry */
    {{1, 3, 6, 1, 4, 1, 2385, 1, 1, 19, 2, 1, 3}, 13},   /* Sharp counters */
    {{1, 3, 6, 1, 4, 1, 2385, 1, 1, 19, 2, 1, 4}, 13},   /* Sharp labels */
    {{1, 3, 6, 1, 4, 1, 18334, 1, 1, 1, 5, 7, 2}, 13},   /* Konica Minolta counters */
    {{1, 3, 6, 1, 4, 1, 11, 2, 3, 9, 4, 2, 1}, 13},      /* HP netPML device */
    {{1, 3, 6, 1, 4, 1, 367, 3, 2, 1, 2, 19, 5, 1}, 14}, /* Ricoh counter table */
    {{1, 3, 6, 1, 4, 1, 367, 3, 2, 1, 2, 24, 1, 1}, 14}, /* Ricoh toner table */
    {{1, 3, 6, 1, 4, 1, 10642, 200, 17, 3}, 10},         /* Zebra odometer */
    {{0}, 0},                                            /* anything */
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *dir = getenv("FLEETGW_DATADIR");
    struct gw_errbuf eb;
    (void)argc;
    (void)argv;
    if (dir) {
        char path[1024];
        snprintf(path, sizeof path, "%s/counters.catalogue", dir);
        if (snmpc_catalogue_load(path, &cat, &eb) == 0)
            return 0;
        fprintf(stderr, "fuzz_decode: %s; using the built-in catalogue\n", eb.msg);
    }
    if (snmpc_catalogue_parse(builtin_catalogue, strlen(builtin_catalogue), "builtin", &cat, &eb) !=
        0)
        abort();
    return 0;
}

static bool get_varint(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 5; i++) {
        if (*p >= end)
            return false;
        v = v << 7 | (**p & 0x7f);
        if (!(*(*p)++ & 0x80)) {
            *out = v;
            return true;
        }
    }
    *out = v;
    return true;
}

static void binary_to_vbset(const uint8_t *data, size_t size, struct snmpc_vbset *s)
{
    const uint8_t *p = data, *end = data + size;

    while (p + 2 <= end) {
        uint32_t oid[SNMPC_MAX_OID], ov[32];
        size_t sel = p[0] % NELEM(prefixes), n = p[1] & 7, len = prefixes[sel].len;
        enum snmpc_vtype type;
        int64_t num = 0;
        const void *val = NULL;
        size_t vlen = 0;

        p += 2;
        memcpy(oid, prefixes[sel].oid, len * sizeof *oid);
        for (size_t i = 0; i < n; i++)
            if (!get_varint(&p, end, &oid[len++]))
                return;
        if (p >= end)
            return;
        type = (enum snmpc_vtype)(*p++ % 11);
        switch (type) {
        case SNMPC_T_OCTETS:
        case SNMPC_T_IPADDR:
        case SNMPC_T_OPAQUE:
            if (p >= end)
                return;
            vlen = *p++;
            if ((size_t)(end - p) < vlen)
                vlen = (size_t)(end - p);
            val = p;
            p += vlen;
            break;
        case SNMPC_T_OID:
            if (p >= end)
                return;
            vlen = *p++ & 31;
            for (size_t i = 0; i < vlen; i++)
                if (!get_varint(&p, end, &ov[i]))
                    return;
            val = ov;
            break;
        case SNMPC_T_NULL:
        case SNMPC_T_NOSUCH:
            break;
        default:
            if (end - p < 8)
                return;
            for (int i = 7; i >= 0; i--)
                num = (int64_t)((uint64_t)num << 8 | p[i]);
            p += 8;
            break;
        }
        /* An empty OID or a full set is refused by the set, as a bad PDU would be. */
        (void)snmpc_vbset_add(s, oid, len, type, num, val, vlen);
    }
}

static void check_text(const char *s, size_t size)
{
    if (strnlen(s, size) >= size)
        abort();
}

static void decode_and_check(const struct snmpc_vbset *s)
{
    struct gw_model m;
    json_t *j;

    gw_model_init(&m);
    snmpc_model_decode(s, cat, &m);

    check_text(m.vendor, sizeof m.vendor);
    check_text(m.model, sizeof m.model);
    check_text(m.serial, sizeof m.serial);
    check_text(m.mac, sizeof m.mac);
    check_text(m.firmware, sizeof m.firmware);
    check_text(m.disagreement, sizeof m.disagreement);
    if (m.n_supplies > SNMPC_MAX_SUPPLIES || m.n_alerts > SNMPC_MAX_ALERTS ||
        m.n_counters > SNMPC_MAX_COUNTERS)
        abort();
    if (m.has_page_count && m.page_count_total > SNMPC_COUNTER_MAX)
        abort();
    /* The billing total is one of the counters, under the name it was reported as. */
    if (m.has_page_count) {
        const struct gw_counter *k = gw_model_counter(&m, m.page_count_source);
        if (!k || k->value != m.page_count_total)
            abort();
    }
    for (size_t i = 0; i < m.n_supplies; i++) {
        const struct gw_supply *sp = &m.supplies[i];
        if (sp->percent < -1 || sp->percent > 100)
            abort();
        if (sp->percent >= 0 && sp->max_capacity <= 0)
            abort();
        if ((sp->level_raw == -3) != (sp->state == GW_SUPPLY_SOME_REMAINING))
            abort();
    }
    for (size_t i = 0; i < m.n_counters; i++) {
        const char *name = m.counters[i].name;
        if (m.counters[i].value > SNMPC_COUNTER_MAX || !name[0] ||
            strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_.") != strlen(name))
            abort();
        for (size_t k = 0; k < i; k++)
            if (strcmp(m.counters[k].name, name) == 0)
                abort();
    }

    /* jansson refuses invalid UTF-8 by returning NULL, which would drop keys or entries. */
    j = gw_model_to_json(&m);
    /* 21 keys since the model has its own "trays" list. */
    if (!j || json_object_size(j) != 21 ||
        json_array_size(json_object_get(j, "supplies")) != m.n_supplies ||
        json_array_size(json_object_get(j, "trays")) != m.n_trays ||
        json_array_size(json_object_get(j, "alerts")) != m.n_alerts ||
        json_array_size(json_object_get(j, "counters")) != m.n_counters ||
        (m.model[0] && !json_is_string(json_object_get(j, "model"))) ||
        (m.sys_descr[0] && !json_is_string(json_object_get(j, "sys_descr"))) ||
        (m.sys_name[0] && !json_is_string(json_object_get(j, "sys_name"))) ||
        (m.sys_location[0] && !json_is_string(json_object_get(j, "sys_location"))) ||
        (m.sys_contact[0] && !json_is_string(json_object_get(j, "sys_contact"))) ||
        (m.firmware[0] && !json_is_string(json_object_get(j, "firmware"))))
        abort();
    json_decref(j);
    gw_model_cleanup(&m);
}

/* A parsed catalogue's supply tables: each is in its vendor's subtree with distinct columns,
 * and rows under them (levels of every kind, names, colour codes) go into s. */
static void add_supply_rows(const struct snmpc_catalogue *c, struct snmpc_vbset *s)
{
    static const long levels[] = {30, -100, -3, -2, 101, 0, -1};
    size_t ns;
    const struct snmpc_cat_supplies *sp = snmpc__catalogue_supplies(c, &ns);

    for (size_t i = 0; i < ns; i++) {
        const uint32_t cols[4] = {sp[i].level_col, sp[i].descr_col, sp[i].descr_alt_col,
                                  sp[i].colour_col};
        uint32_t oid[SNMPC_MAX_OID];
        if (!snmpc_vendor_name(c, sp[i].enterprise) || sp[i].level_col == 0 ||
            sp[i].max_rows == 0 || sp[i].max_rows > SNMPC_MAX_SUPPLIES || sp[i].base_len < 8 ||
            sp[i].base[6] != sp[i].enterprise || sp[i].ncolours > SNMPC_SUPPLY_MAX_COLOURS ||
            (sp[i].ncolours && !sp[i].colour_col) || snmpc__supply_type_code(sp[i].type) == 0 ||
            sp[i].base_len + 1 + SNMPC_CAT_MAX_INDEX > SNMPC_MAX_OID)
            abort();
        for (size_t a = 0; a < 4; a++)
            for (size_t b = a + 1; b < 4; b++)
                if (cols[a] && cols[a] == cols[b])
                    abort();
        memcpy(oid, sp[i].base, sp[i].base_len * sizeof *oid);
        for (uint32_t r = 1; r <= NELEM(levels); r++) {
            oid[sp[i].base_len + 1] = r;
            oid[sp[i].base_len] = sp[i].level_col;
            (void)snmpc_vbset_add(s, oid, sp[i].base_len + 2, SNMPC_T_INTEGER, levels[r - 1], NULL,
                                  0);
            if (sp[i].descr_col) {
                oid[sp[i].base_len] = sp[i].descr_col;
                (void)snmpc_vbset_add(s, oid, sp[i].base_len + 2, SNMPC_T_OCTETS, 0,
                                      r == 2 ? "" : "Black Toner", r == 2 ? 0 : 11);
            }
            if (sp[i].colour_col) {
                oid[sp[i].base_len] = sp[i].colour_col;
                (void)snmpc_vbset_add(s, oid, sp[i].base_len + 2, SNMPC_T_INTEGER,
                                      sp[i].ncolours ? sp[i].colours[r % sp[i].ncolours].code : 3,
                                      NULL, 0);
            }
        }
    }
}

/* A parsed catalogue's tables: each is in its vendor's subtree with distinct columns, and a walk
 * with labelled rows under every one of them decodes within the caps, with valid names. */
static void check_tables(struct snmpc_catalogue *c)
{
    static const char *const labels[] = {"Prints", "", "Prints", "\xff\xfe", "a b c d e f g h i j"};
    struct snmpc_catalogue *keep = cat;
    struct snmpc_vbset s;
    size_t nt;
    const struct snmpc_cat_table *t = snmpc__catalogue_tables(c, &nt);

    snmpc_vbset_init(&s);
    s.max = 4096;
    for (size_t i = 0; i < nt; i++) {
        uint32_t oid[SNMPC_MAX_OID];
        if (!snmpc_vendor_name(c, t[i].enterprise) || t[i].value_col == 0 ||
            t[i].value_col == t[i].label_col || !t[i].prefix[0] || t[i].max_rows == 0 ||
            t[i].max_rows > SNMPC_VTABLE_MAX_ROWS || t[i].base_len < 8 ||
            t[i].base[6] != t[i].enterprise ||
            t[i].base_len + 1 + SNMPC_CAT_MAX_INDEX > SNMPC_MAX_OID)
            abort();
        memcpy(oid, t[i].base, t[i].base_len * sizeof *oid);
        for (uint32_t r = 1; r <= NELEM(labels); r++) {
            oid[t[i].base_len] = t[i].value_col;
            oid[t[i].base_len + 1] = r;
            (void)snmpc_vbset_add(&s, oid, t[i].base_len + 2, SNMPC_T_COUNTER32, r, NULL, 0);
            if (!t[i].label_col)
                continue;
            oid[t[i].base_len] = t[i].label_col;
            (void)snmpc_vbset_add(&s, oid, t[i].base_len + 2, SNMPC_T_OCTETS, 0, labels[r - 1],
                                  strlen(labels[r - 1]));
        }
    }
    add_supply_rows(c, &s);
    /* Decode as each enterprise the tables belong to. */
    cat = c;
    for (size_t i = 0; i < nt && i < 8; i++) {
        const uint32_t sys_oid[] = {1, 3, 6, 1, 2, 1, 1, 2, 0};
        const uint32_t val[] = {1, 3, 6, 1, 4, 1, t[i].enterprise, 1};
        (void)snmpc_vbset_add(&s, sys_oid, NELEM(sys_oid), SNMPC_T_OID, 0, val, NELEM(val));
        decode_and_check(&s);
    }
    {
        size_t ns;
        const struct snmpc_cat_supplies *sp = snmpc__catalogue_supplies(c, &ns);
        for (size_t i = 0; i < ns && i < 4; i++) {
            const uint32_t sys_oid[] = {1, 3, 6, 1, 2, 1, 1, 2, 0};
            const uint32_t val[] = {1, 3, 6, 1, 4, 1, sp[i].enterprise, 1};
            (void)snmpc_vbset_add(&s, sys_oid, NELEM(sys_oid), SNMPC_T_OID, 0, val, NELEM(val));
            decode_and_check(&s);
        }
    }
    cat = keep;
    snmpc_vbset_cleanup(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snmpc_vbset s;
    struct gw_errbuf eb;

    if (size >= 5 && memcmp(data, "#cat\n", 5) == 0) {
        struct snmpc_catalogue *c = NULL;
        int rc = snmpc_catalogue_parse((const char *)data, size, "fuzz", &c, &eb);
        if ((rc == 0) != (c != NULL))
            abort();
        if (c) {
            size_t n, total = 0;
            /* Entries are grouped by enterprise and each names a declared vendor. */
            for (uint32_t ent = 0; ent < 64; ent++) {
                const struct snmpc_cat_entry *e = snmpc_catalogue_vendor(c, ent, &n);
                for (size_t k = 0; k < n; k++)
                    if (e[k].enterprise != ent || !snmpc_vendor_name(c, ent))
                        abort();
                total += n;
            }
            if (total > snmpc__catalogue_size(c))
                abort();
            check_tables(c);
            /* Whatever the sysdescr patterns are, matching stays bounded and its output is a
             * NUL-terminated part of the text. */
            {
                static const char *const texts[] = {
                    "HP ETHERNET MULTI-ENVIRONMENT,SN:CNB1234567,PID:HP LaserJet",
                    "OKI OkiLAN 9450g Rev.01.05 PrintServer: Attached to MC873 Rev.07.87 :", ""};
                const struct snmpc__descr_set *set = snmpc__catalogue_descr(c);
                char out[16];
                if (set->n > SNMPC_DESCR_MAX)
                    abort();
                for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++)
                    for (int role = SNMPC_ROLE_SERIAL; role <= SNMPC_ROLE_FIRMWARE; role++)
                        if (snmpc__descr_match(set, true, 11, role, texts[t], out, sizeof out) &&
                            (strlen(out) >= sizeof out || !strstr(texts[t], out)))
                            abort();
            }
        }
        snmpc_catalogue_free(c);
        return 0;
    }

    snmpc_vbset_init(&s);
    s.max = 4096;
    (void)snmpc_vbset_parse_snmprec(&s, (const char *)data, size, "fuzz", &eb);
    decode_and_check(&s);
    snmpc_vbset_cleanup(&s);

    snmpc_vbset_init(&s);
    s.max = 4096;
    binary_to_vbset(data, size, &s);
    decode_and_check(&s);
    snmpc_vbset_cleanup(&s);
    return 0;
}
