/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * libFuzzer target for the discovery target parser (disc_targets_parse). Beyond "does not
 * crash", it checks the parser's promises: a failure leaves the targets empty with a message;
 * a success yields sorted, disjoint, non-adjacent ranges whose sizes add up to count, within the
 * limits. The input is split at the first NUL into spec and exclude list.
 *
 * targets.c is included rather than linked so that it is compiled with -fsanitize=fuzzer.
 */
#include "discovery/targets.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 2);
    if (!buf)
        abort();
    memcpy(buf, data, size);
    buf[size] = '\0';
    buf[size + 1] = '\0';
    const char *spec = buf;
    const char *exclude = buf + strlen(buf) + 1;
    unsigned flags = size > 0 && (data[0] & 1) ? DISC_TARGETS_CONFIRMED : 0;

    struct disc_targets t;
    struct gw_errbuf eb = {{0}};
    int rc = disc_targets_parse(&t, spec, exclude, flags, &eb);
    if (rc != 0) {
        if (t.ranges || t.hosts || t.count || eb.msg[0] == '\0')
            abort();
    } else {
        uint64_t n = 0;
        for (size_t i = 0; i < t.nranges; i++) {
            if (t.ranges[i].last < t.ranges[i].first)
                abort();
            if (i > 0 && (uint64_t)t.ranges[i - 1].last + 1 >= t.ranges[i].first)
                abort();
            n += (uint64_t)t.ranges[i].last - t.ranges[i].first + 1;
        }
        if (n != t.count || n > DISC_TARGETS_MAX)
            abort();
        if (n > DISC_TARGETS_MAX_UNCONFIRMED && !(flags & DISC_TARGETS_CONFIRMED))
            abort();
        if (n > 0 && (disc_targets_at(&t, 0) != t.ranges[0].first ||
                      disc_targets_at(&t, n - 1) != t.ranges[t.nranges - 1].last))
            abort();
    }
    disc_targets_cleanup(&t);
    free(buf);
    return 0;
}
