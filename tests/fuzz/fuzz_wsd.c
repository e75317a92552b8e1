/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * libFuzzer target for the WS-Discovery and SOAP response parsers (soap/parse.c): the first
 * input byte selects soapc_parse_probe_matches(), soapc_parse_metadata() or
 * soapc_parse_printer_elements(); the rest is the XML. Beyond "does not crash" it checks the
 * parsers' promises: a failure is a negative code with a message; a success fills at most the
 * slots given, every string is NUL-terminated inside its field and valid UTF-8 (jansson's
 * json_string() accepts it, as --json and the API need), and so is the error message; supply
 * levels are -1..100 and at most SOAPC_MAX_SUPPLIES supplies are kept.
 *
 * parse.c and the soapcpp2-generated deserializers (soapC.c) are included rather than linked so
 * that they are compiled with -fsanitize=fuzzer and give libFuzzer coverage.
 */
#include "soap/parse.c"
#include "soapC.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* NUL-terminated inside the field, and valid UTF-8 for JSON. */
static bool text_ok(const char *f, size_t size)
{
    json_t *j;

    if (!memchr(f, '\0', size))
        return false;
    j = json_string(f);
    json_decref(j);
    return j != NULL;
}
#define FIELD_OK(f) text_ok((f), sizeof(f))

static void check_info(const struct soapc_device_info *d)
{
    if (!FIELD_OK(d->uuid) || !FIELD_OK(d->manufacturer) || !FIELD_OK(d->model) ||
        !FIELD_OK(d->serial) || !FIELD_OK(d->firmware) || !FIELD_OK(d->friendly_name) ||
        !FIELD_OK(d->presentation_url) || !FIELD_OK(d->model_number) || !FIELD_OK(d->print_url) ||
        !FIELD_OK(d->printer_state) || !FIELD_OK(d->state_reasons))
        abort();
    if (d->nsupplies < 0 || d->nsupplies > SOAPC_MAX_SUPPLIES)
        abort();
    for (int i = 0; i < d->nsupplies; i++) {
        const struct soapc_supply *s = &d->supplies[i];
        if (!FIELD_OK(s->name) || !FIELD_OK(s->color) || !FIELD_OK(s->type) || s->level < -1 ||
            s->level > 100)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gw_errbuf eb = {{0}};
    int rc;

    if (size < 1)
        return 0;
    const char *xml = (const char *)data + 1;
    size_t len = size - 1;
    switch (data[0] % 3) {
    case 0: {
        struct soapc_wsd_match m[3];
        char rel[80];
        memset(m, 0, sizeof(m));
        rc = soapc__parse_probe_matches(xml, len, m, 3, rel, sizeof(rel), &eb);
        if (rc > 3 || !FIELD_OK(rel))
            abort();
        for (int i = 0; i < rc; i++)
            if (!FIELD_OK(m[i].uuid) || !FIELD_OK(m[i].types) || !FIELD_OK(m[i].xaddrs) ||
                !m[i].uuid[0])
                abort();
        break;
    }
    case 1: {
        struct soapc_device_info d;
        memset(&d, 0, sizeof(d));
        rc = soapc_parse_metadata(xml, len, &d, &eb);
        check_info(&d);
        break;
    }
    default: {
        struct soapc_device_info d;
        memset(&d, 0, sizeof(d));
        rc = soapc_parse_printer_elements(xml, len, &d, &eb);
        check_info(&d);
        break;
    }
    }
    if (rc < 0 && (eb.msg[0] == '\0' || !FIELD_OK(eb.msg)))
        abort();
    return 0;
}
