/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * libFuzzer target for the uplink's down-message parser (up_down_parse), the first code that
 * reads what arrives from the cloud on fleetgw/v1/{gid}/down. Beyond "does not crash", it checks
 * the parser's promises: every input gets one of the verdicts, an accepted task has a valid id
 * and type, and the error text is always a terminated string.
 *
 * The same input also goes to the HTTP proxy's CONNECT reply parser and the proxy URL parser
 * (proxyparse.c), the other uplink code that reads outside input.
 *
 * tasks.c is included so that it is compiled with this target's -fsanitize=fuzzer flags:
 * libFuzzer only sees coverage in instrumented code.
 */
#include "uplink/tasks.c"
#include "uplink/proxyparse.c"

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

    int status = 0;
    char reason[80];
    int hl = up__proxy_reply_parse((const char *)data, size, &status, reason, sizeof reason);
    if (hl > (int)size || (hl > 0 && (status < 100 || status > 999 || !memchr(reason, 0, 80))))
        abort();
    char *url = malloc(size + 1), host[256];
    int port = 0;
    memcpy(url, data, size);
    url[size] = '\0';
    if (up__proxy_url_parse(url, host, sizeof host, &port) == 0 &&
        (port < 1 || port > 65535 || !memchr(host, 0, sizeof host) || !host[0]))
        abort();
    free(url);
    return 0;
}
