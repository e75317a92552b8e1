/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The uplink's pure parsers of transport settings and replies: the proxy URL from the
 * configuration, the proxy's reply to CONNECT (outside input) and the broker endpoint list the
 * registration gave. No I/O here, so the fuzz target (tests/fuzz/fuzz_down_msg.c) can include
 * this file.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "uplink/up_int.h"

#define HDR_MAX 8192 /* the proxy's reply headers */

int up__proxy_reply_parse(const char *buf, size_t len, int *status, char *reason, size_t rlen)
{
    const char *end = NULL;
    for (size_t i = 0; i + 3 < len; i++) {
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
            end = buf + i + 4;
            break;
        }
    }
    if (!end)
        return len >= HDR_MAX ? GW_E_PARSE : 0;
    /* "HTTP/1.x SSS reason" */
    if (len < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || (buf[7] != '0' && buf[7] != '1') ||
        buf[8] != ' ')
        return GW_E_PARSE;
    int s = 0;
    for (int i = 9; i < 12; i++) {
        if (buf[i] < '0' || buf[i] > '9')
            return GW_E_PARSE;
        s = s * 10 + (buf[i] - '0');
    }
    if (s < 100 || (buf[12] != ' ' && buf[12] != '\r'))
        return GW_E_PARSE;
    *status = s;
    if (reason && rlen) {
        size_t k = 0;
        for (const char *p = buf + 12; p < end && *p != '\r' && k + 1 < rlen; p++) {
            if (p == buf + 12 && *p == ' ')
                continue;
            reason[k++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
        }
        reason[k] = '\0';
    }
    return (int)(end - buf);
}

int up__proxy_url_parse(const char *url, char *host, size_t hlen, int *port)
{
    const char *p = url;
    if (strncmp(p, "http://", 7) == 0)
        p += 7;
    else if (strstr(p, "://"))
        return GW_E_INVAL; /* https:// or socks proxies are not HTTP CONNECT proxies */
    const char *end = p + strcspn(p, "/");
    const char *colon = NULL;
    if (*p == '[') {
        const char *rb = memchr(p, ']', (size_t)(end - p));
        if (!rb)
            return GW_E_INVAL;
        if ((size_t)(rb - p - 1) >= hlen || rb == p + 1)
            return GW_E_INVAL;
        memcpy(host, p + 1, (size_t)(rb - p - 1));
        host[rb - p - 1] = '\0';
        colon = rb[1] == ':' ? rb + 1 : NULL;
    } else {
        colon = memchr(p, ':', (size_t)(end - p));
        const char *he = colon ? colon : end;
        if (he == p || (size_t)(he - p) >= hlen || memchr(p, '@', (size_t)(he - p)))
            return GW_E_INVAL;
        memcpy(host, p, (size_t)(he - p));
        host[he - p] = '\0';
    }
    *port = 1080;
    if (colon) {
        long v = 0;
        const char *q = colon + 1;
        if (q == end)
            return GW_E_INVAL;
        for (; q < end; q++) {
            if (*q < '0' || *q > '9' || (v = v * 10 + (*q - '0')) > 65535)
                return GW_E_INVAL;
        }
        if (v == 0)
            return GW_E_INVAL;
        *port = (int)v;
    }
    return 0;
}

int up__broker_list_parse(const char *s, struct up_endpoint *out, int max)
{
    int n = 0;
    while (s && *s && n < max) {
        size_t len = strcspn(s, ",");
        char item[320], *alpn, *colon;
        if (len < sizeof item) {
            memcpy(item, s, len);
            item[len] = '\0';
            alpn = strchr(item, '/');
            if (alpn)
                *alpn++ = '\0';
            colon = strrchr(item, ':');
            if (colon && colon != item) {
                *colon = '\0';
                char *end, *host = item;
                long port = strtol(colon + 1, &end, 10);
                size_t hl = strlen(host);
                if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
                    host[hl - 1] = '\0';
                    host++;
                    hl -= 2;
                }
                if (colon[1] && !*end && port > 0 && port < 65536 && hl > 0 &&
                    hl < sizeof out[n].host && strspn(host, ":[]") != hl &&
                    (!alpn || strlen(alpn) < sizeof out[n].alpn)) {
                    memcpy(out[n].host, host, hl + 1);
                    out[n].port = (int)port;
                    snprintf(out[n].alpn, sizeof out[n].alpn, "%s", alpn ? alpn : "");
                    n++;
                }
            }
        }
        s += len;
        if (*s == ',')
            s++;
    }
    return n;
}
