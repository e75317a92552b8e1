/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The anonymizer. In a gateway initialised with `fleetgw init --anonymize`, no payload may carry
 * an IP address, subnet mask, default gateway, DNS server, computer or host name, or the
 * sysName/sysLocation/sysContact of the gateway or a device (reference white paper, "Data
 * anonymization mode"). The rule is enforced at one place: up__queue_put() passes every message
 * body through up__anon_json() before it is stored, and logs are scrubbed as text before they
 * are zipped, so a new message kind cannot forget it.
 *
 * Three layers, because any one alone leaks:
 *  - keys that name such data are dropped wherever they occur ("address", "sys_location", ...);
 *  - IPv4 and IPv6 literals are replaced in every string (free text such as audit details and
 *    printer alert descriptions mentions addresses);
 *  - every value the site is known to hold (device addresses, names, sysName, sysLocation, the
 *    gateway's host name) is replaced wherever it appears as a substring.
 * MAC addresses and serial numbers stay: the cloud identifies devices by them, and the white
 * paper's list does not include them.
 */
#include "config.h"

#include <ctype.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "uplink/up_int.h"

#define REDACTED "<redacted>"
#define IPMARK   "<ip>"

struct up_anon {
    char **needles; /* longest first, so a name that contains another goes whole */
    size_t n, cap;
};

static const char *const drop_keys[] = {
    "address",     "addr",         "ip",
    "ip_address",  "host",         "hostname",
    "host_name",   "name",         "sys_name",
    "sysname",     "sys_location", "syslocation",
    "sys_contact", "syscontact",   "location",
    "contact",     "mask",         "netmask",
    "subnet",      "gateway_ip",   "default_gateway",
    "dns",         "dns_servers",  "computer_name",
    "fqdn",        "domain",       "previous_address",
};

static bool is_drop_key(const char *k)
{
    for (size_t i = 0; i < sizeof drop_keys / sizeof drop_keys[0]; i++)
        if (strcasecmp(k, drop_keys[i]) == 0)
            return true;
    return false;
}

static void add_needle(struct up_anon *a, const char *s)
{
    /* Very short values ("1", "A") would redact half of every payload; IP literals are caught
     * by the pattern scan anyway. */
    if (!s || strlen(s) < 3)
        return;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->needles[i], s) == 0)
            return;
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 64;
        a->needles = gw_realloc(a->needles, a->cap * sizeof *a->needles);
    }
    a->needles[a->n++] = gw_strdup(s);
}

static int by_length_desc(const void *x, const void *y)
{
    size_t a = strlen(*(char *const *)x), b = strlen(*(char *const *)y);
    return a < b ? 1 : a > b ? -1 : 0;
}

bool up_anon_is_on(struct gw_db *db)
{
    char v[8] = "";
    return gw_setting_get(db, UP_K_ANON, v, sizeof v) == 0 && strcmp(v, "1") == 0;
}

static void needle_cb(const char *value, void *arg)
{
    add_needle(arg, value);
}

struct up_anon *up__anon_load(struct gw_db *db)
{
    struct up_anon *a;
    char host[256];
    if (db && !up_anon_is_on(db))
        return NULL;
    a = gw_calloc(1, sizeof *a);
    if (gethostname(host, sizeof host) == 0) {
        host[sizeof host - 1] = '\0';
        add_needle(a, host);
        /* The short name as well as the FQDN. */
        char *dot = strchr(host, '.');
        if (dot) {
            *dot = '\0';
            add_needle(a, host);
        }
    }
    struct ifaddrs *ifs = NULL, *i;
    if (getifaddrs(&ifs) == 0) {
        for (i = ifs; i; i = i->ifa_next) {
            char buf[NI_MAXHOST];
            if (!i->ifa_addr ||
                (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
                continue;
            if (getnameinfo(i->ifa_addr,
                            i->ifa_addr->sa_family == AF_INET ? sizeof(struct sockaddr_in)
                                                              : sizeof(struct sockaddr_in6),
                            buf, sizeof buf, NULL, 0, NI_NUMERICHOST) == 0)
                add_needle(a, buf);
        }
        freeifaddrs(ifs);
    }
    if (db)
        gw_query_device_site_names(db, needle_cb, a);
    if (a->n)
        qsort(a->needles, a->n, sizeof *a->needles, by_length_desc);
    return a;
}

void up__anon_free(struct up_anon *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        free(a->needles[i]);
    free(a->needles);
    free(a);
}

/* --- IP literal scanning --- */

static bool hexc(char c)
{
    return isxdigit((unsigned char)c) != 0;
}

/* Length of a dotted-quad IPv4 literal at s (each part 0..255), 0 if none. */
static size_t ipv4_at(const char *s)
{
    const char *p = s;
    for (int part = 0; part < 4; part++) {
        int v = 0, digits = 0;
        while (isdigit((unsigned char)*p) && digits < 4) {
            v = v * 10 + (*p - '0');
            p++;
            digits++;
        }
        if (digits == 0 || digits > 3 || v > 255)
            return 0;
        if (part < 3) {
            if (*p != '.')
                return 0;
            p++;
        }
    }
    /* A longer dotted run is an OID or a version number, not an address. */
    if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1])))
        return 0;
    return (size_t)(p - s);
}

/* Length of an IPv6 literal at s, 0 if none. A run of hex digits and colons counts when it has
 * "::" or eight groups; six two-digit groups are a MAC address and stay. An embedded IPv4 tail
 * (::ffff:10.0.0.1) is included. */
static size_t ipv6_at(const char *s)
{
    const char *p = s;
    int groups = 0, colons = 0, glen = 0, maxglen = 0;
    bool dbl = false;
    while (hexc(*p) || *p == ':') {
        if (*p == ':') {
            if (p[1] == ':')
                dbl = true;
            colons++;
            if (glen)
                groups++;
            glen = 0;
        } else {
            glen++;
            if (glen > maxglen)
                maxglen = glen;
        }
        p++;
    }
    if (glen)
        groups++;
    if (colons < 2 || maxglen > 4)
        return 0;
    if (*p == '.') {
        /* Back up to the start of the last group and try an IPv4 tail. */
        const char *q = p;
        while (q > s && q[-1] != ':')
            q--;
        size_t v4 = ipv4_at(q);
        if (v4)
            return (size_t)(q - s) + v4;
    }
    if (!dbl && groups == 6 && colons == 5 && maxglen == 2)
        return 0; /* MAC */
    if (dbl || groups == 8)
        return (size_t)(p - s);
    return 0;
}

/* Does position i of s start a token (not inside a longer hex/number run)? */
static bool token_start(const char *s, size_t i)
{
    if (i == 0)
        return true;
    char c = s[i - 1];
    return !(hexc(c) || c == ':' || c == '.');
}

bool up__anon_has_ip(const char *s)
{
    for (size_t i = 0; s[i]; i++)
        if (token_start(s, i) && (ipv4_at(s + i) || ipv6_at(s + i)))
            return true;
    return false;
}

struct sbuf {
    char *p;
    size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = gw_realloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

char *up__anon_text(const struct up_anon *a, const char *text)
{
    struct sbuf out = {0};
    size_t tl = strlen(text);
    sb_add(&out, "", 0);
    for (size_t i = 0; i < tl;) {
        size_t n = 0;
        if (token_start(text, i)) {
            n = ipv4_at(text + i);
            if (!n)
                n = ipv6_at(text + i);
            if (n) {
                sb_add(&out, IPMARK, strlen(IPMARK));
                i += n;
                continue;
            }
        }
        bool hit = false;
        for (size_t k = 0; a && k < a->n; k++) {
            size_t nl = strlen(a->needles[k]);
            if (nl <= tl - i && memcmp(text + i, a->needles[k], nl) == 0) {
                sb_add(&out, REDACTED, strlen(REDACTED));
                i += nl;
                hit = true;
                break;
            }
        }
        if (hit)
            continue;
        /* Copy up to the next character where a match could start. */
        size_t j = i + 1;
        sb_add(&out, text + i, j - i);
        i = j;
    }
    return out.p;
}

/* Cheap test before the copying scan: most strings (counter names, states) hold nothing. */
static bool needs_scrub(const struct up_anon *a, const char *s)
{
    size_t sl = strlen(s);
    if (up__anon_has_ip(s))
        return true;
    for (size_t k = 0; a && k < a->n; k++) {
        size_t nl = strlen(a->needles[k]);
        if (nl <= sl && memmem(s, sl, a->needles[k], nl))
            return true;
    }
    return false;
}

void up__anon_json(const struct up_anon *a, json_t *v)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        void *tmp;
        json_object_foreach_safe(v, tmp, k, x)
        {
            if (is_drop_key(k)) {
                json_object_del(v, k);
                continue;
            }
            /* A zip's text was scrubbed by up__anon_text() before it was zipped (payload.c);
             * scanning its base64 could only corrupt it. */
            if (strcmp(k, "zip_b64") == 0)
                continue;
            if (json_is_string(x) && needs_scrub(a, json_string_value(x))) {
                char *s = up__anon_text(a, json_string_value(x));
                json_object_set_new(v, k, json_string(s));
                free(s);
            } else {
                up__anon_json(a, x);
            }
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *x = json_array_get(v, i);
            if (json_is_string(x) && needs_scrub(a, json_string_value(x))) {
                char *s = up__anon_text(a, json_string_value(x));
                json_array_set_new(v, i, json_string(s));
                free(s);
            } else {
                up__anon_json(a, x);
            }
        }
    }
}

/* The anonymizer's view of the fleet, reloaded at most once a minute (and on demand). */
static struct up_anon *anon_cache;
static int64_t anon_loaded;

const struct up_anon *up__anon_current(struct gw_db *db)
{
    int64_t now = gw_now();
    if (anon_loaded && now - anon_loaded < 60)
        return anon_cache;
    up__anon_free(anon_cache);
    anon_cache = up__anon_load(db);
    anon_loaded = now;
    return anon_cache;
}

void up__anon_cache_drop(void)
{
    up__anon_free(anon_cache);
    anon_cache = NULL;
    anon_loaded = 0;
}
