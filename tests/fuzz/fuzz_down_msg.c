/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * libFuzzer target for the uplink's down-message parser (up_down_parse), the first code that
 * reads what arrives from the cloud on fleetgw/v1/{gid}/down. Beyond "does not crash", it checks
 * the parser's promises: every input gets one of the verdicts, an accepted task has a valid id
 * and type, and the error text is always a terminated string.
 *
 * tasks.c is included so that it is compiled with this target's -fsanitize=fuzzer flags:
 * libFuzzer only sees coverage in instrumented code.
 */
#include "uplink/tasks.c"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct up_task t;
    struct gw_errbuf eb = {""};
    /* A fixed clock keeps runs reproducible; 2026-11-22T00:00:00Z. */
    enum up_down_verdict v =
        up_down_parse((const char *)data, size, "gw-fuzz", 1795305600, &t, &eb);
    if (v > UP_DOWN_UNSUPPORTED)
        abort();
    if (memchr(eb.msg, '\0', sizeof eb.msg) == NULL)
        abort();
    if (v == UP_DOWN_OK || v == UP_DOWN_UNSUPPORTED || v == UP_DOWN_EXPIRED) {
        if (!id_ok(t.id, sizeof t.id - 1) || !id_ok(t.type, sizeof t.type - 1))
            abort();
    }
    if (v == UP_DOWN_OK && strcmp(t.type, "ping") != 0)
        abort();
    return 0;
}
