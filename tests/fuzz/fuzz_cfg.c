/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * libFuzzer target for the configuration parser (gw_cfg_parse). Beyond "does not crash", it
 * checks the parser's promises: a failure leaves the configuration untouched and names the
 * file and a line; a success dumps (gw_cfg_dump) to text that parses again to the same dump.
 * Build with CC=clang ./configure --enable-fuzz; see tests/fuzz/README.md.
 *
 * cfg.c is included rather than linked from libgw.a so that it is compiled with this target's
 * -fsanitize=fuzzer flags: libFuzzer only sees coverage in instrumented code.
 */
#include "gateway/cfg.c"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *dump(const struct gw_cfg *cfg, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        abort();
    gw_cfg_dump(cfg, f);
    fclose(f);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    struct gw_cfg cfg, before, again;
    struct gw_errbuf eb = {""};
    char *d1, *d2;
    size_t l1, l2;
    int rc;
    if (!init) {
        /* Quiet, and a fixed data dir so dumps do not depend on the environment. */
        gw_log_set_level(LOG_CRIT);
        setenv("FLEETGW_DATADIR", "/usr/share/fleetgw", 1);
        init = true;
    }
    memset(&cfg, 0x5a, sizeof cfg);
    before = cfg;
    rc = gw_cfg_parse((const char *)data, size, "fuzz.conf", &cfg, &eb);
    if (rc != 0) {
        if (rc != GW_E_CONFIG || strncmp(eb.msg, "fuzz.conf:", 10) != 0 ||
            memcmp(&cfg, &before, sizeof cfg) != 0)
            abort();
        return 0;
    }
    d1 = dump(&cfg, &l1);
    rc = gw_cfg_parse(d1, l1, "fuzz.conf", &again, &eb);
    /* A long state_dir can make a derived path in the dump longer than a line may be. */
    if (rc != 0 && !strstr(eb.msg, "line is longer than"))
        abort();
    if (rc == 0) {
        d2 = dump(&again, &l2);
        if (l1 != l2 || memcmp(d1, d2, l1) != 0)
            abort();
        free(d2);
    }
    free(d1);
    return 0;
}
