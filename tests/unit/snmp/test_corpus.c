/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Table-level corpus test for snmp/decode.c: the published SNMP tables of real printers in
 * tests/data/corpus-tables (string tables from other tools' unit tests, where no whole walk
 * exists) are decoded in process and compared, value by value, with their NAME.expected.json
 * (schema "fleetgw-corpus/1", see tests/data/snmprec/README.md). The recordings of
 * tests/data/snmprec are decoded the same way, so a decoder change shows its effect on the
 * whole corpus without an agent (and under ASan). The same checks as
 * tests/integration/test_12_corpus.py; an accuracy line per field is printed at the end.
 */
#include "config.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "snmp/snmpc_int.h"

#define NELEM(a)   (sizeof(a) / sizeof((a)[0]))
#define MAX_FIELDS 16

struct tally {
    const char *field;
    int passed, total;
};

static struct tally tallies[MAX_FIELDS];
static int devices, devices_right;

static struct tally *tally_of(const char *field)
{
    for (size_t i = 0; i < NELEM(tallies); i++) {
        if (!tallies[i].field)
            tallies[i].field = field;
        if (strcmp(tallies[i].field, field) == 0)
            return &tallies[i];
    }
    fail_msg("more than %d check fields", MAX_FIELDS);
    return NULL;
}

/* Counts one check; prints it when it failed. Returns: ok. */
static bool check(const char *dev, const char *field, bool ok, const char *fmt, ...)
{
    struct tally *t = tally_of(field);
    va_list ap;
    t->total++;
    if (ok) {
        t->passed++;
        return true;
    }
    print_message("%s: ", dev);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    print_message("\n");
    return false;
}

/* JSON values equal, with null and a missing member alike. */
static bool same(json_t *a, json_t *b)
{
    if (!a || json_is_null(a))
        return !b || json_is_null(b);
    return b && json_equal(a, b);
}

static char *show(json_t *v)
{
    static char buf[4][160];
    static int n;
    char *out = buf[n++ % 4];
    char *s = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
    snprintf(out, sizeof buf[0], "%s", s ? s : "null");
    free(s);
    return out;
}

static json_t *find_index(json_t *arr, json_int_t idx)
{
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        const char *type = json_string_value(json_object_get(e, "type"));
        if (json_integer_value(json_object_get(e, "index")) == idx &&
            !(type && strcmp(type, "input") == 0))
            return e;
    }
    return NULL;
}

static json_t *find_counter(json_t *arr, const char *oid)
{
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        const char *o = json_string_value(json_object_get(e, "oid"));
        if (o && strcmp(o, oid) == 0)
            return e;
    }
    return NULL;
}

/* Returns: the number of failed checks of one device. */
static int compare(const char *dev, json_t *exp, json_t *got)
{
    static const char *const ident[] = {"vendor", "model", "serial"};
    static const char *const keys[][2] = {{"description", "description"},   {"color", "color"},
                                          {"max_capacity", "max_capacity"}, {"level", "level_raw"},
                                          {"percent", "percent"},           {"state", "state"}};
    static const char *const fields[] = {"supply.description",  "supply.color",
                                         "supply.max_capacity", "supply.level",
                                         "supply.percent",      "supply.state"};
    json_t *e = json_object_get(exp, "expect");
    json_t *supplies = json_object_get(got, "supplies");
    json_t *esup = json_object_get(e, "supplies");
    json_t *v;
    size_t i;
    int bad = 0;

    assert_non_null(e);
    for (size_t k = 0; k < NELEM(ident); k++) {
        v = json_object_get(e, ident[k]);
        if (v && !json_is_null(v))
            bad += !check(dev, ident[k], same(v, json_object_get(got, ident[k])), "%s %s != %s",
                          ident[k], show(json_object_get(got, ident[k])), show(v));
    }
    bad += !check(dev, "supplies.count", json_array_size(supplies) == json_array_size(esup),
                  "%zu supplies reported, %zu marker supplies expected", json_array_size(supplies),
                  json_array_size(esup));
    json_array_foreach(esup, i, v)
    {
        json_int_t idx = json_integer_value(json_object_get(v, "index"));
        json_t *o = find_index(supplies, idx);
        for (size_t k = 0; k < NELEM(keys); k++) {
            json_t *want = json_object_get(v, keys[k][0]);
            json_t *have = o ? json_object_get(o, keys[k][1]) : NULL;
            if (!want)
                continue;
            bad += !check(dev, fields[k], o && same(want, have), "supply %lld %s %s != %s",
                          (long long)idx, keys[k][0], o ? show(have) : "missing", show(want));
        }
    }
    json_array_foreach(json_object_get(e, "counters"), i, v)
    {
        const char *oid = json_string_value(json_object_get(v, "oid"));
        json_t *c = find_counter(json_object_get(got, "counters"), oid ? oid : "");
        json_t *want = json_object_get(v, "value");
        bad +=
            !check(dev, "counter", c && same(want, json_object_get(c, "value")),
                   "counter %s (%s) %s != %s", oid, json_string_value(json_object_get(v, "what")),
                   c ? show(json_object_get(c, "value")) : "missing", show(want));
    }
    v = json_object_get(e, "page_count_total");
    if (v && !json_is_null(v))
        bad += !check(dev, "page_count_total", same(v, json_object_get(got, "page_count_total")),
                      "page_count_total %s != %s", show(json_object_get(got, "page_count_total")),
                      show(v));
    return bad;
}

/* Decodes and compares every NAME.snmprec with a NAME.expected.json in dir. Returns: the
 * number of devices with a failed check; *n counts the devices. */
static int run_dir(const char *dir, const struct snmpc_catalogue *cat, int *n)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int failed = 0;

    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        const char *suffix = ".expected.json";
        char path[1400], name[256];
        json_error_t je;
        json_t *exp, *got;
        struct snmpc_vbset s;
        struct gw_errbuf eb = {{0}};
        struct gw_model m;
        int bad;

        if (len <= strlen(suffix) || strcmp(de->d_name + len - strlen(suffix), suffix) != 0 ||
            len - strlen(suffix) >= sizeof name)
            continue;
        snprintf(name, sizeof name, "%.*s", (int)(len - strlen(suffix)), de->d_name);
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        exp = json_load_file(path, 0, &je);
        if (!exp)
            fail_msg("%s:%d: %s", path, je.line, je.text);
        assert_string_equal(json_string_value(json_object_get(exp, "schema")), "fleetgw-corpus/1");
        snprintf(path, sizeof path, "%s/%s.snmprec", dir, name);
        snmpc_vbset_init(&s);
        if (snmpc_vbset_load_snmprec(&s, path, &eb) != 0)
            fail_msg("%s", eb.msg);
        gw_model_init(&m);
        snmpc_model_decode(&s, cat, &m);
        got = gw_model_to_json(&m);
        bad = compare(name, exp, got);
        (*n)++;
        failed += bad > 0;
        json_decref(got);
        json_decref(exp);
        gw_model_cleanup(&m);
        snmpc_vbset_cleanup(&s);
    }
    closedir(d);
    return failed;
}

static void test_corpus(void **state)
{
    const char *src = getenv("FLEETGW_SRCDIR");
    const char *datadir = getenv("FLEETGW_DATADIR");
    struct snmpc_catalogue *cat = NULL;
    struct gw_errbuf eb = {{0}};
    char path[1100];
    int n_tables = 0, n_rec = 0, failed, passed = 0, total = 0;
    (void)state;

    snprintf(path, sizeof path, "%s/tests/data/corpus-tables", src ? src : ".");
    if (access(path, R_OK) != 0) {
        print_message("skipping: %s not readable (set FLEETGW_SRCDIR)\n", path);
        skip();
    }
    snprintf(path, sizeof path, "%s/counters.catalogue", datadir ? datadir : "snmp");
    if (snmpc_catalogue_load(path, &cat, &eb) != 0)
        fail_msg("%s", eb.msg);
    snprintf(path, sizeof path, "%s/tests/data/corpus-tables", src ? src : ".");
    failed = run_dir(path, cat, &n_tables);
    snprintf(path, sizeof path, "%s/tests/data/snmprec", src ? src : ".");
    failed += run_dir(path, cat, &n_rec);
    snmpc_catalogue_free(cat);

    devices = n_tables + n_rec;
    devices_right = devices - failed;
    for (size_t i = 0; i < NELEM(tallies) && tallies[i].field; i++) {
        passed += tallies[i].passed;
        total += tallies[i].total;
    }
    print_message("corpus accuracy (decoder, in process): %d devices (%d tables, %d recordings), "
                  "%d fully right, checks %d/%d;",
                  devices, n_tables, n_rec, devices_right, passed, total);
    for (size_t i = 0; i < NELEM(tallies) && tallies[i].field; i++)
        print_message(" %s %d/%d", tallies[i].field, tallies[i].passed, tallies[i].total);
    print_message("\n");
    assert_true(n_tables > 0);
    assert_int_equal(failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
