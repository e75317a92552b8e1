/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Varbind sets and the snmpsim recording loader.
 *
 * A poll collects a few hundred to a few thousand varbinds, mostly in OID order because walks
 * return them that way. The set is therefore a plain array kept sorted by OID: an add that
 * arrives in order is an append after one binary search, lookups are binary searches, and a
 * table is iterated by finding its prefix with snmpc_vbset_lower_bound() and walking forward
 * while snmpc_oid_has_prefix() holds. No tree, no hashing: the data is small and read once.
 *
 * Values are copied in and bounded (SNMPC_MAX_OCTETS per value, snmpc_vbset.max varbinds), so
 * that a hostile agent or recording costs at most a known amount of memory.
 *
 * The recording parser reads snmpsim's "OID|tag|value" text. Recordings come from real printers
 * and from other tools, so it accepts tag suffixes (4x = hex value, other letters ignored) and
 * "<private>" placeholders, but anything it cannot represent is an error naming file:line.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snmp/snmpc_int.h"

void snmpc_vbset_init(struct snmpc_vbset *s)
{
    memset(s, 0, sizeof *s);
}

static void vb_free_value(struct snmpc_vb *vb)
{
    GW_FREE(vb->buf);
    GW_FREE(vb->oidval);
}

static void vb_free(struct snmpc_vb *vb)
{
    vb_free_value(vb);
    GW_FREE(vb->oid);
}

void snmpc_vbset_cleanup(struct snmpc_vbset *s)
{
    for (size_t i = 0; i < s->n; i++)
        vb_free(&s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

int snmpc_oid_cmp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    /* A prefix sorts before its extensions, which is what a GETNEXT walk returns. */
    if (alen == blen)
        return 0;
    return alen < blen ? -1 : 1;
}

bool snmpc_oid_has_prefix(const uint32_t *oid, size_t oid_len, const uint32_t *prefix,
                          size_t prefix_len)
{
    if (oid_len < prefix_len)
        return false;
    for (size_t i = 0; i < prefix_len; i++)
        if (oid[i] != prefix[i])
            return false;
    return true;
}

size_t snmpc_vbset_lower_bound(const struct snmpc_vbset *s, const uint32_t *prefix, size_t len)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (snmpc_oid_cmp(s->v[mid].oid, s->v[mid].oid_len, prefix, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct snmpc_vb *snmpc_vbset_get(const struct snmpc_vbset *s, const uint32_t *oid,
                                       size_t oid_len)
{
    size_t i = snmpc_vbset_lower_bound(s, oid, oid_len);
    if (i < s->n && snmpc_oid_cmp(s->v[i].oid, s->v[i].oid_len, oid, oid_len) == 0)
        return &s->v[i];
    return NULL;
}

/* Copies the value into vb. On failure vb is untouched, so a replace never loses the old value
 * half-way. */
static int vb_set_value(struct snmpc_vb *vb, enum snmpc_vtype type, int64_t num, const void *val,
                        size_t len)
{
    unsigned char *buf = NULL;
    uint32_t *oidval = NULL;
    size_t vlen = 0;

    switch (type) {
    case SNMPC_T_OCTETS:
    case SNMPC_T_IPADDR:
    case SNMPC_T_OPAQUE:
        if (len > SNMPC_MAX_OCTETS)
            return GW_E_TOOBIG;
        if (len && !val)
            return GW_E_INVAL;
        /* The NUL past len lets callers print text values without copying them again. */
        buf = gw_malloc(len + 1);
        if (len)
            memcpy(buf, val, len);
        buf[len] = '\0';
        vlen = len;
        num = 0;
        break;
    case SNMPC_T_OID:
        if (len > SNMPC_MAX_OID || (len && !val))
            return GW_E_INVAL;
        oidval = gw_malloc((len ? len : 1) * sizeof *oidval);
        if (len)
            memcpy(oidval, val, len * sizeof *oidval);
        vlen = len;
        num = 0;
        break;
    case SNMPC_T_INTEGER:
    case SNMPC_T_COUNTER32:
    case SNMPC_T_GAUGE32:
    case SNMPC_T_TIMETICKS:
    case SNMPC_T_COUNTER64:
        break;
    case SNMPC_T_NULL:
    case SNMPC_T_NOSUCH:
        num = 0;
        break;
    default:
        return GW_E_INVAL;
    }
    vb_free_value(vb);
    vb->type = type;
    vb->num = num;
    vb->buf = buf;
    vb->oidval = oidval;
    vb->len = vlen;
    return 0;
}

int snmpc_vbset_add(struct snmpc_vbset *s, const uint32_t *oid, size_t oid_len,
                    enum snmpc_vtype type, int64_t num, const void *val, size_t len)
{
    size_t max = s->max ? s->max : SNMPC_VBSET_MAX;
    size_t i;
    struct snmpc_vb tmp;
    int rc;

    if (!oid || oid_len == 0 || oid_len > SNMPC_MAX_OID)
        return GW_E_INVAL;
    i = snmpc_vbset_lower_bound(s, oid, oid_len);
    if (i < s->n && snmpc_oid_cmp(s->v[i].oid, s->v[i].oid_len, oid, oid_len) == 0)
        return vb_set_value(&s->v[i], type, num, val, len);
    if (s->n >= max)
        return GW_E_TOOBIG;

    memset(&tmp, 0, sizeof tmp);
    rc = vb_set_value(&tmp, type, num, val, len);
    if (rc < 0)
        return rc;
    tmp.oid = gw_malloc(oid_len * sizeof *oid);
    memcpy(tmp.oid, oid, oid_len * sizeof *oid);
    tmp.oid_len = oid_len;

    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        if (cap > max)
            cap = max;
        s->v = gw_realloc(s->v, cap * sizeof *s->v);
        s->cap = cap;
    }
    if (i < s->n)
        memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof *s->v);
    s->v[i] = tmp;
    s->n++;
    return 0;
}

int snmpc_oid_parse(const char *text, uint32_t *oid, size_t max)
{
    const char *p = text;
    size_t n = 0;

    if (!p)
        return GW_E_PARSE;
    if (*p == '.')
        p++;
    if (*p == '\0')
        return GW_E_PARSE;
    for (;;) {
        uint64_t v = 0;
        const char *start = p;
        while (*p >= '0' && *p <= '9') {
            v = v * 10 + (uint64_t)(*p - '0');
            if (v > UINT32_MAX)
                return GW_E_PARSE;
            p++;
        }
        if (p == start || n >= max)
            return GW_E_PARSE;
        oid[n++] = (uint32_t)v;
        if (*p == '\0')
            break;
        if (*p != '.')
            return GW_E_PARSE;
        p++;
    }
    return n > INT_MAX ? GW_E_PARSE : (int)n;
}

char *snmpc_oid_format(const uint32_t *oid, size_t len, char *buf, size_t buflen)
{
    size_t used = 0;

    if (buflen == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < len; i++) {
        int w = snprintf(buf + used, buflen - used, i ? ".%" PRIu32 : "%" PRIu32, oid[i]);
        if (w < 0 || (size_t)w >= buflen - used) {
            /* Never leave half a sub-identifier: a truncated OID that still parses would name
             * a different object. */
            buf[used] = '\0';
            break;
        }
        used += (size_t)w;
    }
    return buf;
}

/* ---------------------------------------------------------------------------------------------
 * snmpsim recordings
 */

/* Parses a decimal integer of the whole string within [min, max]. */
static bool parse_int64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
    bool neg = false;
    uint64_t v = 0, limit;
    size_t i = 0;

    if (len && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i++;
    }
    if (i == len)
        return false;
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (v > (limit - (uint64_t)(s[i] - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (neg) {
        int64_t r = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
        if (r < min)
            return false;
        *out = r;
    } else {
        if ((int64_t)v > max)
            return false;
        *out = (int64_t)v;
    }
    return true;
}

static bool parse_uint64(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes hex text into out (len / 2 bytes). Returns: byte count, or -1. */
static long hex_decode(const char *s, size_t len, unsigned char *out)
{
    if (len % 2)
        return -1;
    for (size_t i = 0; i < len; i += 2) {
        int hi = hexval(s[i]), lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i / 2] = (unsigned char)(hi << 4 | lo);
    }
    return (long)(len / 2);
}

/* Formats "name:line: reason" into eb. */
static int rec_error(struct gw_errbuf *eb, int rc, const char *name, size_t line,
                     const char *reason)
{
    return gw_errbuf_set(eb, rc, "%s:%zu: %s", name, line, reason);
}

/* The value text "<private>" stands for a value removed when the walk was recorded. */
static bool is_private(const char *v, size_t len)
{
    return len == 9 && memcmp(v, "<private>", 9) == 0;
}

/* Parses one "OID|tag|value" line (without the newline) into s. */
static int rec_line(struct snmpc_vbset *s, const char *l, size_t len, const char *name, size_t line,
                    struct gw_errbuf *eb)
{
    const char *bar1, *bar2, *val;
    char oidtxt[SNMPC_MAX_OID * 11 + 2];
    uint32_t oid[SNMPC_MAX_OID];
    size_t oidlen, taglen, vlen, tagdigits = 0;
    unsigned long tag = 0;
    bool hex = false;
    int n, rc = 0;

    bar1 = memchr(l, '|', len);
    if (!bar1)
        return rec_error(eb, GW_E_PARSE, name, line, "expected OID|tag|value");
    bar2 = memchr(bar1 + 1, '|', len - (size_t)(bar1 + 1 - l));
    if (!bar2)
        return rec_error(eb, GW_E_PARSE, name, line, "expected OID|tag|value");
    oidlen = (size_t)(bar1 - l);
    if (oidlen == 0 || oidlen >= sizeof oidtxt)
        return rec_error(eb, GW_E_PARSE, name, line, "bad OID");
    memcpy(oidtxt, l, oidlen);
    oidtxt[oidlen] = '\0';
    n = snmpc_oid_parse(oidtxt, oid, SNMPC_MAX_OID);
    if (n < 0)
        return rec_error(eb, GW_E_PARSE, name, line, "bad OID");

    /* Tag: decimal type number, then optional letters. 'x' means the value is hex; snmpsim
     * uses other letters for encodings we do not need ("e"), so they are accepted and the
     * value is taken as written. ':' introduces a variation module, which has no static
     * value to record. */
    taglen = (size_t)(bar2 - bar1 - 1);
    while (tagdigits < taglen && bar1[1 + tagdigits] >= '0' && bar1[1 + tagdigits] <= '9') {
        if (tagdigits >= 4)
            return rec_error(eb, GW_E_PARSE, name, line, "bad type tag");
        tag = tag * 10 + (unsigned long)(bar1[1 + tagdigits] - '0');
        tagdigits++;
    }
    if (tagdigits == 0)
        return rec_error(eb, GW_E_PARSE, name, line, "bad type tag");
    for (size_t i = tagdigits; i < taglen; i++) {
        char c = bar1[1 + i];
        if (c == 'x')
            hex = true;
        else if (c == ':')
            return rec_error(eb, GW_E_PARSE, name, line, "variation modules are not supported");
        else if (!(c >= 'a' && c <= 'z'))
            return rec_error(eb, GW_E_PARSE, name, line, "bad type tag");
    }

    val = bar2 + 1;
    vlen = len - (size_t)(val - l);

    if (is_private(val, vlen)) {
        /* A scrubbed text keeps its placeholder (callers show it as recorded); a scrubbed
         * number has no value we could store, so the object is left out. */
        if (tag == 4)
            rc = snmpc_vbset_add(s, oid, (size_t)n, SNMPC_T_OCTETS, 0, val, vlen);
        goto added;
    }

    switch (tag) {
    case 2: {
        int64_t v;
        if (hex || !parse_int64(val, vlen, INT32_MIN, INT32_MAX, &v))
            return rec_error(eb, GW_E_PARSE, name, line, "bad Integer32 value");
        rc = snmpc_vbset_add(s, oid, (size_t)n, SNMPC_T_INTEGER, v, NULL, 0);
        break;
    }
    case 4:
    case 68: {
        enum snmpc_vtype t = tag == 4 ? SNMPC_T_OCTETS : SNMPC_T_OPAQUE;
        if (hex) {
            unsigned char *b;
            long bl;
            if (vlen / 2 > SNMPC_MAX_OCTETS)
                return rec_error(eb, GW_E_TOOBIG, name, line, "value too long");
            b = gw_malloc(vlen / 2 + 1);
            bl = hex_decode(val, vlen, b);
            if (bl < 0) {
                free(b);
                return rec_error(eb, GW_E_PARSE, name, line, "bad hex value");
            }
            rc = snmpc_vbset_add(s, oid, (size_t)n, t, 0, b, (size_t)bl);
            free(b);
        } else {
            if (vlen > SNMPC_MAX_OCTETS)
                return rec_error(eb, GW_E_TOOBIG, name, line, "value too long");
            rc = snmpc_vbset_add(s, oid, (size_t)n, t, 0, val, vlen);
        }
        break;
    }
    case 5:
        rc = snmpc_vbset_add(s, oid, (size_t)n, SNMPC_T_NULL, 0, NULL, 0);
        break;
    case 6: {
        uint32_t ov[SNMPC_MAX_OID];
        char tmp[SNMPC_MAX_OID * 11 + 2];
        int on;
        if (hex || vlen == 0 || vlen >= sizeof tmp)
            return rec_error(eb, GW_E_PARSE, name, line, "bad OID value");
        memcpy(tmp, val, vlen);
        tmp[vlen] = '\0';
        on = snmpc_oid_parse(tmp, ov, SNMPC_MAX_OID);
        if (on < 0)
            return rec_error(eb, GW_E_PARSE, name, line, "bad OID value");
        rc = snmpc_vbset_add(s, oid, (size_t)n, SNMPC_T_OID, 0, ov, (size_t)on);
        break;
    }
    case 64: {
        unsigned char ip[4];
        if (hex) {
            if (vlen != 8 || hex_decode(val, vlen, ip) != 4)
                return rec_error(eb, GW_E_PARSE, name, line, "bad IpAddress value");
        } else {
            size_t i = 0;
            for (int k = 0; k < 4; k++) {
                size_t st = i;
                int64_t oct;
                while (i < vlen && val[i] != '.')
                    i++;
                if (!parse_int64(val + st, i - st, 0, 255, &oct) || (k < 3 && i >= vlen) ||
                    (k == 3 && i != vlen) || val[st] == '-' || val[st] == '+')
                    return rec_error(eb, GW_E_PARSE, name, line, "bad IpAddress value");
                ip[k] = (unsigned char)oct;
                i++;
            }
        }
        rc = snmpc_vbset_add(s, oid, (size_t)n, SNMPC_T_IPADDR, 0, ip, 4);
        break;
    }
    case 65:
    case 66:
    case 67: {
        uint64_t v;
        enum snmpc_vtype t = tag == 65   ? SNMPC_T_COUNTER32
                             : tag == 66 ? SNMPC_T_GAUGE32
                                         : SNMPC_T_TIMETICKS;
        if (hex || !parse_uint64(val, vlen, &v) || v > UINT32_MAX)
            return rec_error(eb, GW_E_PARSE, name, line, "bad 32-bit unsigned value");
        rc = snmpc_vbset_add(s, oid, (size_t)n, t, (int64_t)v, NULL, 0);
        break;
    }
    case 70: {
        uint64_t v;
        if (hex || !parse_uint64(val, vlen, &v))
            return rec_error(eb, GW_E_PARSE, name, line, "bad Counter64 value");
        /* Counter64 travels as the same 64 bits in the signed field (snmpc.h). */
        rc = snmpc_vbset_add(s, oid, (size_t)n, SNMPC_T_COUNTER64, (int64_t)v, NULL, 0);
        break;
    }
    case 128:
    case 129:
    case 130:
        rc = snmpc_vbset_add(s, oid, (size_t)n, SNMPC_T_NOSUCH, 0, NULL, 0);
        break;
    default: {
        char msg[48];
        snprintf(msg, sizeof msg, "unknown type tag %lu", tag);
        return rec_error(eb, GW_E_PARSE, name, line, msg);
    }
    }
added:
    if (rc == GW_E_TOOBIG)
        return rec_error(eb, rc, name, line, "too many varbinds or value too long");
    if (rc < 0)
        return rec_error(eb, rc, name, line, gw_strerror(rc));
    return 0;
}

int snmpc_vbset_parse_snmprec(struct snmpc_vbset *s, const char *text, size_t len, const char *name,
                              struct gw_errbuf *eb)
{
    size_t pos = 0, line = 0;

    if (!name)
        name = "<snmprec>";
    if (!text && len)
        return gw_errbuf_set(eb, GW_E_INVAL, "%s: no text", name);
    while (pos < len) {
        const char *l = text + pos, *nl = memchr(l, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - l) : len - pos;
        int rc;

        pos += ll + (nl ? 1 : 0);
        line++;
        if (ll && l[ll - 1] == '\r')
            ll--;
        if (ll == 0 || l[0] == '#')
            continue;
        rc = rec_line(s, l, ll, name, line, eb);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int snmpc_vbset_load_snmprec(struct snmpc_vbset *s, const char *path, struct gw_errbuf *eb)
{
    char *text;
    size_t len;
    int rc = gw_file_read(path, SNMPC_MAX_FILE, &text, &len, eb);
    if (rc < 0)
        return rc;
    rc = snmpc_vbset_parse_snmprec(s, text, len, path, eb);
    free(text);
    return rc;
}
