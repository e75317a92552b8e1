/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Target syntax for discovery. The parser is strict and names the offending item, because the
 * admin typed it and must be able to fix it from the message alone. Parsing produces a sorted,
 * merged list of IPv4 intervals with the excludes already cut out, so the sweep can address
 * every target by one index (progress and resume are then a single number) and never needs a
 * per-address table, even for a /8.
 *
 * Tokens that contain only digits and dots are IPv4 attempts and get IPv4 errors; a token with
 * a colon is an IPv6 literal, recognised and refused with its own message (the SNMP sweep is
 * IPv4 only for now); anything else must be a valid host name.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "discovery/disc_int.h"

#define ITEM_MAX 256

struct rangevec {
    struct disc_range *v;
    size_t n, cap;
};

static void rv_push(struct rangevec *rv, uint32_t first, uint32_t last)
{
    if (rv->n == rv->cap) {
        rv->cap = rv->cap ? rv->cap * 2 : 16;
        rv->v = gw_realloc(rv->v, rv->cap * sizeof(*rv->v));
    }
    rv->v[rv->n].first = first;
    rv->v[rv->n].last = last;
    rv->n++;
}

static int range_cmp(const void *a, const void *b)
{
    const struct disc_range *x = a, *y = b;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    return 0;
}

/* Sorts and merges overlapping or adjacent intervals in place. */
static void rv_normalize(struct rangevec *rv)
{
    if (rv->n < 2)
        return;
    qsort(rv->v, rv->n, sizeof(*rv->v), range_cmp);
    size_t o = 0;
    for (size_t i = 1; i < rv->n; i++) {
        struct disc_range *cur = &rv->v[o];
        /* Adjacent intervals merge too; the +1 cannot overflow because of the first test. */
        if (cur->last == UINT32_MAX || rv->v[i].first <= cur->last + 1) {
            if (rv->v[i].last > cur->last)
                cur->last = rv->v[i].last;
        } else {
            rv->v[++o] = rv->v[i];
        }
    }
    rv->n = o + 1;
}

/* Parses a dotted quad (exactly four decimal octets). Returns: 0 or DISC_E_TARGET with why. */
int disc__ipv4_parse(const char *s, size_t len, uint32_t *out, const char **why)
{
    uint32_t addr = 0;
    size_t i = 0;
    for (int oct = 0; oct < 4; oct++) {
        if (oct > 0) {
            if (i >= len || s[i] != '.') {
                *why = "expected four octets";
                return DISC_E_TARGET;
            }
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < len && isdigit((unsigned char)s[i])) {
            v = v * 10 + (unsigned)(s[i] - '0');
            if (v > 255) {
                *why = "octet out of range";
                return DISC_E_TARGET;
            }
            i++;
        }
        if (i == start) {
            *why = i < len && s[i] != '.' ? "not an IPv4 address" : "expected four octets";
            return DISC_E_TARGET;
        }
        if (i - start > 3) {
            *why = "octet out of range";
            return DISC_E_TARGET;
        }
        addr = addr << 8 | v;
    }
    if (i != len) {
        *why = s[i] == '.' ? "expected four octets" : "not an IPv4 address";
        return DISC_E_TARGET;
    }
    *out = addr;
    return 0;
}

static bool is_ipv4_like(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)s[i]) && s[i] != '.')
            return false;
    return len > 0;
}

/* RFC 1123 host name: labels of letters, digits and hyphens, 1..63 each, 253 in all. */
static bool is_hostname(const char *s, size_t len)
{
    if (len == 0 || len > 253)
        return false;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return false;
            label = 0;
            continue;
        }
        if (!isalnum((unsigned char)c) && c != '-')
            return false;
        if (c == '-' && label == 0)
            return false;
        if (++label > 63)
            return false;
    }
    /* A trailing dot (fully qualified) is fine; the loop already refused empty labels. */
    return s[len - 1] != '-';
}

/* Parses one item (already trimmed, no separators) into rv or hosts. */
static int parse_item(const char *what, unsigned no, const char *s, size_t len, bool allow_host,
                      struct rangevec *rv, char ***hosts, size_t *nhosts, struct gw_errbuf *eb)
{
    const char *why = NULL;
    uint32_t a, b;
    int rc;

    if (memchr(s, ':', len))
        return gw_errbuf_set(eb, DISC_E_TARGET,
                             "%s %u: '%.*s': IPv6 is not supported by the SNMP sweep yet", what, no,
                             (int)len, s);

    const char *dash = memchr(s, '-', len);
    const char *slash = memchr(s, '/', len);
    const char *space = NULL;
    for (size_t i = 0; i < len; i++)
        if (s[i] == ' ' || s[i] == '\t') {
            space = s + i;
            break;
        }

    if (slash) {
        rc = disc__ipv4_parse(s, (size_t)(slash - s), &a, &why);
        if (rc == 0) {
            const char *p = slash + 1;
            size_t plen = len - (size_t)(p - s);
            unsigned bits = 0;
            if (plen == 0 || plen > 2) {
                why = "prefix length must be 0..32";
                goto bad;
            }
            for (size_t i = 0; i < plen; i++) {
                if (!isdigit((unsigned char)p[i])) {
                    why = "prefix length must be 0..32";
                    goto bad;
                }
                bits = bits * 10 + (unsigned)(p[i] - '0');
            }
            if (bits > 32) {
                why = "prefix length must be 0..32";
                goto bad;
            }
            uint32_t mask = bits == 0 ? 0 : UINT32_MAX << (32 - bits);
            /* A network with host bits set is taken as that network: admins paste an
             * interface address with its prefix, and the intent is clear. */
            rv_push(rv, a & mask, (a & mask) | ~mask);
            return 0;
        }
        goto bad;
    }
    if (space) {
        const char *m = space;
        while (m < s + len && (*m == ' ' || *m == '\t'))
            m++;
        rc = disc__ipv4_parse(s, (size_t)(space - s), &a, &why);
        if (rc != 0)
            goto bad;
        uint32_t mask;
        rc = disc__ipv4_parse(m, len - (size_t)(m - s), &mask, &why);
        if (rc != 0) {
            why = "expected a subnet mask after the address";
            goto bad;
        }
        /* A valid mask is ones followed by zeros: ~mask + 1 is then a power of two (or 0). */
        uint32_t inv = ~mask;
        if ((inv & (inv + 1)) != 0) {
            why = "subnet mask is not contiguous";
            goto bad;
        }
        rv_push(rv, a & mask, (a & mask) | inv);
        return 0;
    }
    if (dash && is_ipv4_like(s, (size_t)(dash - s))) {
        rc = disc__ipv4_parse(s, (size_t)(dash - s), &a, &why);
        if (rc != 0)
            goto bad;
        const char *p = dash + 1;
        size_t plen = len - (size_t)(p - s);
        if (plen > 0 && plen <= 3 && is_ipv4_like(p, plen) && !memchr(p, '.', plen)) {
            /* Short form 10.0.0.10-200: the last octet only. */
            unsigned v = 0;
            for (size_t i = 0; i < plen; i++)
                v = v * 10 + (unsigned)(p[i] - '0');
            if (v > 255) {
                why = "octet out of range";
                goto bad;
            }
            b = (a & 0xffffff00u) | v;
        } else {
            rc = disc__ipv4_parse(p, plen, &b, &why);
            if (rc != 0)
                goto bad;
        }
        if (b < a) {
            why = "range end is before its start";
            goto bad;
        }
        rv_push(rv, a, b);
        return 0;
    }
    if (is_ipv4_like(s, len)) {
        rc = disc__ipv4_parse(s, len, &a, &why);
        if (rc != 0)
            goto bad;
        rv_push(rv, a, a);
        return 0;
    }
    if (!allow_host) {
        why = "host names cannot be excluded";
        goto bad;
    }
    if (!is_hostname(s, len)) {
        why = "not an address, range, network or host name";
        goto bad;
    }
    *hosts = gw_realloc(*hosts, (*nhosts + 1) * sizeof(**hosts));
    (*hosts)[(*nhosts)++] = gw_strndup(s, len);
    return 0;
bad:
    return gw_errbuf_set(eb, DISC_E_TARGET, "%s %u: '%.*s': %s", what, no,
                         (int)(len > 64 ? 64 : len), s, why);
}

static bool is_sep(char c)
{
    return c == ',' || c == ';' || c == '\n' || c == '\r';
}

static int parse_list(const char *what, const char *spec, bool allow_host, struct rangevec *rv,
                      char ***hosts, size_t *nhosts, unsigned *nitems, struct gw_errbuf *eb)
{
    unsigned no = 0;
    const char *p = spec;
    *nitems = 0;
    while (p && *p) {
        const char *start = p;
        while (*p && !is_sep(*p))
            p++;
        const char *end = p;
        if (*p)
            p++;
        while (start < end && isspace((unsigned char)*start))
            start++;
        while (end > start && isspace((unsigned char)end[-1]))
            end--;
        if (start == end)
            continue; /* empty items (trailing comma, blank line) are harmless */
        no++;
        if ((size_t)(end - start) > ITEM_MAX)
            return gw_errbuf_set(eb, DISC_E_TARGET, "%s %u: '%.32s...': too long", what, no, start);
        int rc =
            parse_item(what, no, start, (size_t)(end - start), allow_host, rv, hosts, nhosts, eb);
        if (rc != 0)
            return rc;
    }
    *nitems = no;
    return 0;
}

/* Removes the (normalized) excludes from the (normalized) includes. */
static void subtract(struct rangevec *inc, const struct rangevec *exc)
{
    struct rangevec out = {0};
    size_t j = 0;
    for (size_t i = 0; i < inc->n; i++) {
        uint64_t first = inc->v[i].first;
        uint64_t last = inc->v[i].last;
        while (j < exc->n && exc->v[j].last < first)
            j++;
        for (size_t k = j; k < exc->n && exc->v[k].first <= last && first <= last; k++) {
            if (exc->v[k].first > first)
                rv_push(&out, (uint32_t)first, exc->v[k].first - 1);
            first = (uint64_t)exc->v[k].last + 1;
        }
        if (first <= last)
            rv_push(&out, (uint32_t)first, (uint32_t)last);
    }
    free(inc->v);
    *inc = out;
}

void disc_targets_cleanup(struct disc_targets *t)
{
    if (!t)
        return;
    free(t->ranges);
    for (size_t i = 0; i < t->nhosts; i++)
        free(t->hosts[i]);
    free(t->hosts);
    memset(t, 0, sizeof(*t));
}

int disc_targets_parse(struct disc_targets *t, const char *spec, const char *exclude,
                       unsigned flags, struct gw_errbuf *eb)
{
    struct rangevec inc = {0}, exc = {0};
    char **hosts = NULL;
    size_t nhosts = 0;
    unsigned nitems = 0, nexc = 0;
    int rc;

    memset(t, 0, sizeof(*t));
    rc = parse_list("target", spec, true, &inc, &hosts, &nhosts, &nitems, eb);
    if (rc == 0)
        rc = parse_list("exclude", exclude, false, &exc, NULL, NULL, &nexc, eb);
    if (rc == 0 && nitems == 0)
        rc = gw_errbuf_set(eb, DISC_E_TARGET, "no targets given");
    if (rc != 0)
        goto fail;

    rv_normalize(&inc);
    rv_normalize(&exc);
    subtract(&inc, &exc);

    uint64_t count = 0;
    for (size_t i = 0; i < inc.n; i++)
        count += (uint64_t)inc.v[i].last - inc.v[i].first + 1;
    if (count > DISC_TARGETS_MAX) {
        rc = gw_errbuf_set(eb, DISC_E_TOO_LARGE,
                           "targets hold %llu addresses, more than the limit of %u (a /8)",
                           (unsigned long long)count, DISC_TARGETS_MAX);
        goto fail;
    }
    if (count > DISC_TARGETS_MAX_UNCONFIRMED && !(flags & DISC_TARGETS_CONFIRMED)) {
        rc = gw_errbuf_set(eb, DISC_E_TOO_LARGE,
                           "targets hold %llu addresses, more than a /16 (%u): confirm to sweep",
                           (unsigned long long)count, DISC_TARGETS_MAX_UNCONFIRMED);
        goto fail;
    }
    t->ranges = inc.v;
    t->nranges = inc.n;
    t->hosts = hosts;
    t->nhosts = nhosts;
    t->count = count;
    free(exc.v);
    return 0;
fail:
    free(inc.v);
    free(exc.v);
    for (size_t i = 0; i < nhosts; i++)
        free(hosts[i]);
    free(hosts);
    return rc;
}

uint32_t disc_targets_at(const struct disc_targets *t, uint64_t index)
{
    GW_ASSERT(index < t->count);
    /* Linear in the number of ranges, which admins keep small; the sweep walks forward with its
     * own cursor and calls this only to resume. */
    for (size_t i = 0; i < t->nranges; i++) {
        uint64_t n = (uint64_t)t->ranges[i].last - t->ranges[i].first + 1;
        if (index < n)
            return t->ranges[i].first + (uint32_t)index;
        index -= n;
    }
    GW_ASSERT(!"index beyond targets");
    return 0;
}

char *disc_addr_format(uint32_t addr, char *buf, size_t len)
{
    snprintf(buf, len, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff,
             addr & 0xff);
    return buf;
}

int disc_addr_parse(const char *s, uint32_t *out, const char **why)
{
    return disc__ipv4_parse(s, strlen(s), out, why);
}
