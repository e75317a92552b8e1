/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Turns the varbinds of a poll into the normalized printer model (struct gw_model).
 *
 * Everything here is a pure function of the varbind set and the catalogue, so the unit tests
 * feed it recorded walks and the fuzzer feeds it garbage. Devices lie in every possible way
 * (wrong types, strings padded with NULs, Latin-1 text, -3 levels, counters of 2^32-1), so each
 * value is checked for type and range before it is used, and a bad value is skipped rather
 * than guessed. Tables are capped (SNMPC_MAX_SUPPLIES, SNMPC_MAX_ALERTS, SNMPC_MAX_COUNTERS)
 * whatever the agent sends.
 *
 * Sources, in order of preference:
 *   vendor    catalogue/built-in name of the sysObjectID enterprise, else a vendor name that
 *             starts sysDescr.
 *   model     the catalogue's role=model objects (by priority; an IEEE 1284 device ID yields
 *             its MDL:, else MODEL:, DES:, DESCRIPTION: field, fields split on ';' only),
 *             hrDeviceDescr of the device whose hrDeviceType is hrDevicePrinter, the
 *             catalogue's "sysdescr ... model" patterns, a model found in sysDescr (HP "PID:"
 *             field, else the text before the first ',' or ';' unless it describes a print
 *             server), hrDeviceDescr.1.
 *             A trailing " series" is dropped, except from role=model objects marked
 *             series=keep (see gateway/model.c for why it depends on the source); then
 *             gw_model_identity_normalize() removes the maker from the model (the vendor is
 *             its own field).
 *   serial    the catalogue's role=serial objects with a priority below 50 (a vendor's own
 *             serial object that it and other tools prefer: Brother, Kyocera, Ricoh, Zebra),
 *             prtGeneralSerialNumber, the other role=serial objects, its "sysdescr ...
 *             serial" patterns, the HP "SN:" field of sysDescr (built in, for a missing
 *             catalogue); each normalized with gw_serial_normalize() (trimmed, upper-case,
 *             nothing else changed; placeholders skipped).
 *   patterns  "sysdescr" patterns of the sysObjectID's maker, or, when the sysObjectID names
 *             no maker we know (or is missing), of the maker that starts sysDescr; then those
 *             for any device.
 *   MAC       the first ifPhysAddress (ifIndex order) that is 6 bytes, not all-zero or
 *             all-ones, not multicast and not on a softwareLoopback interface.
 *   firmware  best effort: the catalogue's role=firmware objects, its "sysdescr ... firmware"
 *             patterns, else "version X",
 *             "Firmware Ver.X" or a "; V1.2.3" field in sysDescr. Prefixes such as
 *             "Firmware Ver." are removed.
 *
 * Billing total rule (also in snmp/README.md):
 *   1. The catalogue role=total candidate of the device's enterprise with the lowest priority
 *      value that the device answered with a valid number: an "oid" line, or a vendor table
 *      row whose "row" line says role=total (oid lines first on a tie, then file order; of
 *      two rows with one label, the first in index order).
 *   2. Otherwise prtMarkerLifeCount of the lowest marker index of hrDeviceIndex 1 (marker 1 on
 *      every printer we have seen). Markers are not summed: on multi-marker engines every
 *      marker counts the same sheets passing through the one paper path, so a sum would count
 *      them several times.
 *   When both a vendor total (1) and that life count exist and differ by more than
 *   SNMPC_DISAGREE_PCT percent of the larger one and by more than SNMPC_DISAGREE_MIN_PAGES
 *   pages, counter_disagreement is set with a text naming both values. Small differences are
 *   normal (vendors count pages, impressions or A3-as-two differently, and the two counters
 *   are sampled a few milliseconds apart); a large one points at a replaced controller, a
 *   counter reset or a wrong catalogue entry, which a human should look at before billing.
 *   Counter values outside 0..SNMPC_COUNTER_MAX (10^10) are dropped as corrupt.
 *
 * Vendor counter tables (catalogue "table" lines): each table of the device's enterprise is
 * read whole, up to its max_rows. A row the catalogue maps ("row" lines, by index first, then
 * by the slug of the device's label) is reported under the catalogue's name; any other row
 * under "<prefix>_<label slug>", or "<prefix>_<index>" without a label, so that a model the
 * catalogue has never seen still reports every counter it has. Names are made unique with
 * "_2", "_3", ... Table rows whose OID is also an "oid" line are reported once, by that line.
 * Only a row mapped by a "row ... role=total" line can be the billing total.
 *
 * The enterprise is sysObjectID's, else that of the maker starting sysDescr (an agent whose
 * view hides sysObjectID), so that the vendor's objects and tables are still read.
 *
 * Text: every OCTET STRING read as text goes through snmpc__text_decode() (padding, HP PML
 * symbol-set prefixes, UTF-8 or Latin-1; binary shown as hex, never used as an identity).
 *
 * Supplies: prtMarkerSuppliesTable rows with a description, capacity or level; levels are
 * interpreted by snmpc_supply_state(). Vendor supply tables (catalogue "supplies" lines) are
 * the supplies of a device without Printer-MIB supplies, and otherwise only fill an empty
 * description or an unknown level of the Printer-MIB supply of the same type and colour. Input trays (prtInputTable) are not supplies: they are
 * decoded into m->trays (type, name, description, media, capacity unit, capacity, level,
 * status; levels by gw_tray_state()), so a consumer keyed by supply index never meets a tray.
 */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "snmp/snmpc_int.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* prtGeneralSerialNumber ranks as this priority among the catalogue's role=serial objects. */
#define SERIAL_PRT_PRIORITY 50

/* Object identifiers, as prefixes without instance. */
static const uint32_t OID_SYSTEM[] = {1, 3, 6, 1, 2, 1, 1};                   /* + n.0 */
static const uint32_t OID_IF_TYPE[] = {1, 3, 6, 1, 2, 1, 2, 2, 1, 3};         /* ifType */
static const uint32_t OID_IF_PHYS[] = {1, 3, 6, 1, 2, 1, 2, 2, 1, 6};         /* ifPhysAddress */
static const uint32_t OID_HR_DEV_TYPE[] = {1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 2}; /* hrDeviceType */
static const uint32_t OID_HR_DEV_DESCR[] = {1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 3};
static const uint32_t OID_HR_DEV_STATUS[] = {1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 5};
static const uint32_t OID_HR_PRINTER[] = {1, 3, 6, 1, 2, 1, 25, 3, 5, 1}; /* hrPrinterEntry */
static const uint32_t OID_HR_DEVICE_PRINTER[] = {1, 3, 6, 1, 2, 1, 25, 3, 1, 5};
static const uint32_t OID_PRINTER_MIB[] = {1, 3, 6, 1, 2, 1, 43};
static const uint32_t OID_PRT_SERIAL[] = {1, 3, 6, 1, 2, 1, 43, 5, 1, 1, 17};
static const uint32_t OID_PRT_INPUT[] = {1, 3, 6, 1, 2, 1, 43, 8, 2, 1};
static const uint32_t OID_PRT_LIFE[] = {1, 3, 6, 1, 2, 1, 43, 10, 2, 1, 4};
static const uint32_t OID_PRT_SUPPLIES[] = {1, 3, 6, 1, 2, 1, 43, 11, 1, 1};
static const uint32_t OID_PRT_COLORANT_VALUE[] = {1, 3, 6, 1, 2, 1, 43, 12, 1, 1, 4};
static const uint32_t OID_PRT_ALERT[] = {1, 3, 6, 1, 2, 1, 43, 18, 1, 1};
static const uint32_t OID_ENTERPRISES[] = {1, 3, 6, 1, 4, 1};

/* ---------------------------------------------------------------------------------------------
 * Small helpers
 */

/* Looks up prefix + up to three sub-identifiers. */
static const struct snmpc_vb *get3(const struct snmpc_vbset *s, const uint32_t *prefix, size_t plen,
                                   size_t n, uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t oid[SNMPC_MAX_OID];
    uint32_t sfx[3] = {a, b, c};
    if (plen + n > SNMPC_MAX_OID)
        return NULL;
    memcpy(oid, prefix, plen * sizeof *oid);
    memcpy(oid + plen, sfx, n * sizeof *oid);
    return snmpc_vbset_get(s, oid, plen + n);
}

/* A numeric value of any integer syntax. Counter64 above LONG_MAX is refused. */
static bool vb_long(const struct snmpc_vb *vb, long *out)
{
    if (!vb)
        return false;
    switch (vb->type) {
    case SNMPC_T_INTEGER:
    case SNMPC_T_COUNTER32:
    case SNMPC_T_GAUGE32:
    case SNMPC_T_TIMETICKS:
        if (vb->num < LONG_MIN || vb->num > LONG_MAX)
            return false;
        *out = (long)vb->num;
        return true;
    case SNMPC_T_COUNTER64:
        if (vb->num < 0)
            return false;
        *out = (long)vb->num;
        return true;
    default:
        return false;
    }
}

static bool vb_int(const struct snmpc_vb *vb, int *out)
{
    long v;
    if (!vb_long(vb, &v) || v < INT_MIN || v > INT_MAX)
        return false;
    *out = (int)v;
    return true;
}

/* A page counter: any unsigned integer syntax, or an OCTET STRING of decimal digits (some
 * vendor agents return counters as text). Refuses negative and absurd values. */
static bool vb_counter(const struct snmpc_vb *vb, uint64_t *out)
{
    uint64_t v = 0;
    if (!vb)
        return false;
    switch (vb->type) {
    case SNMPC_T_INTEGER:
    case SNMPC_T_COUNTER32:
    case SNMPC_T_GAUGE32:
        if (vb->num < 0)
            return false;
        v = (uint64_t)vb->num;
        break;
    case SNMPC_T_COUNTER64:
        v = (uint64_t)vb->num;
        break;
    case SNMPC_T_OCTETS: {
        size_t i = 0, n = vb->len;
        /* Text counters may carry blanks or NUL padding; digits in between are the value. */
        while (i < n && vb->buf[i] == ' ')
            i++;
        while (n > i && (vb->buf[n - 1] == ' ' || vb->buf[n - 1] == '\0'))
            n--;
        if (i == n || n - i > 11)
            return false;
        for (; i < n; i++) {
            if (vb->buf[i] < '0' || vb->buf[i] > '9')
                return false;
            v = v * 10 + (uint64_t)(vb->buf[i] - '0');
        }
        break;
    }
    default:
        return false;
    }
    if (v > SNMPC_COUNTER_MAX)
        return false;
    *out = v;
    return true;
}

/* A displayed text value (descriptions, sys* objects): text as UTF-8, binary as its hex pairs.
 * Returns: true when something is left. */
static bool vb_text(const struct snmpc_vb *vb, char *out, size_t outlen)
{
    if (outlen)
        out[0] = '\0';
    if (!vb || vb->type != SNMPC_T_OCTETS || !outlen)
        return false;
    return snmpc__text_decode(vb->buf, vb->len, out, outlen, NULL) != SNMPC_TEXT_EMPTY;
}

/* An identity value (model, serial, firmware): text only, since the hex of a binary value is
 * no name. Returns: true when text is left. */
static bool vb_ident(const struct snmpc_vb *vb, char *out, size_t outlen)
{
    if (outlen)
        out[0] = '\0';
    if (!vb || vb->type != SNMPC_T_OCTETS || !outlen)
        return false;
    if (snmpc__text_decode(vb->buf, vb->len, out, outlen, NULL) == SNMPC_TEXT)
        return true;
    out[0] = '\0';
    return false;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Trims blanks in place. */
static void trim(char *s)
{
    size_t a = 0, n = strlen(s);
    while (n && is_blank(s[n - 1]))
        n--;
    while (a < n && is_blank(s[a]))
        a++;
    memmove(s, s + a, n - a);
    s[n - a] = '\0';
}

/* Finds needle case-insensitively. */
static const char *find_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return hay;
    return NULL;
}

/* Copies n bytes of the valid UTF-8 text src into out[outlen], shortened to a character
 * boundary when it does not fit, so that a cut never leaves half a character behind. */
static void copy_text(char *out, size_t outlen, const char *src, size_t n)
{
    n = gw_utf8_fit(src, n, outlen);
    memcpy(out, src, n);
    out[n] = '\0';
}

/* Copies the value of field key (e.g. "PID:") from a "k:v,k:v" or "k:v;k:v" list, up to the
 * next ',' or ';'. */
static bool field_value(const char *text, const char *key, char *out, size_t outlen)
{
    const char *p = text;
    size_t klen = strlen(key), n;

    for (;;) {
        p = find_ci(p, key);
        if (!p)
            return false;
        /* Only at the start or after a separator, so "SN:" does not match inside "PSN:". */
        if (p == text || p[-1] == ',' || p[-1] == ';' || is_blank(p[-1]))
            break;
        p += klen;
    }
    p += klen;
    n = strcspn(p, ",;");
    copy_text(out, outlen, p, n);
    trim(out);
    return out[0] != '\0';
}

/* ---------------------------------------------------------------------------------------------
 * Text sanitizing
 */

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. Rejects overlong forms,
 * surrogates and code points above U+10FFFF, as jansson does. */
static size_t utf8_seq(const unsigned char *p, size_t len, uint32_t *cp)
{
    uint32_t c = p[0];
    size_t n;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        c &= 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        c &= 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        c &= 0x07;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (p[i] & 0x3f);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10ffff ||
        (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

static bool valid_utf8(const unsigned char *p, size_t len)
{
    uint32_t cp;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq(p + i, len - i, &cp);
        if (!n)
            return false;
        i += n;
    }
    return true;
}

static bool is_hexdigit(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

static unsigned hexnib(unsigned char c)
{
    return c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
}

/* Repairs a value that went through net-snmp's Hex-STRING print and back only in part: walks
 * recorded from snmpwalk output carry such values as their first printed line (16 bytes)
 * turned back into bytes, then a line feed and the remaining lines still as printed, "HH "
 * pairs, at most 16 to a line. No agent sends this shape, so it is recognised exactly (16
 * bytes, LF, nothing but pair lines) and the pairs become bytes again in buf.
 * Returns: the repaired length, or 0 when in does not have that shape. */
static size_t repair_hex_dump(const unsigned char *in, size_t len, unsigned char *buf, size_t cap)
{
    size_t i = 17, o = 16, pairs = 0;

    if (len < 20 || in[16] != '\n' || cap < 16)
        return 0;
    memcpy(buf, in, 16);
    while (i < len) {
        if (in[i] == '\n' && pairs > 0) {
            pairs = 0;
            i++;
            continue;
        }
        if (i + 1 >= len || !is_hexdigit(in[i]) || !is_hexdigit(in[i + 1]) || ++pairs > 16 ||
            o >= cap)
            return 0;
        buf[o++] = (unsigned char)(hexnib(in[i]) << 4 | hexnib(in[i + 1]));
        i += 2;
        if (i < len && in[i] == ' ')
            i++;
        else if (i < len && in[i] != '\n')
            return 0;
    }
    return o;
}

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Appends code point cp as UTF-8 if it fits with the terminating NUL. Returns: false if not. */
static bool put_utf8(char *out, size_t outlen, size_t *o, uint32_t cp)
{
    unsigned char enc[4];
    size_t el;

    if (cp < 0x80) {
        enc[0] = (unsigned char)cp;
        el = 1;
    } else if (cp < 0x800) {
        enc[0] = (unsigned char)(0xc0 | cp >> 6);
        enc[1] = (unsigned char)(0x80 | (cp & 0x3f));
        el = 2;
    } else if (cp < 0x10000) {
        enc[0] = (unsigned char)(0xe0 | cp >> 12);
        enc[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        enc[2] = (unsigned char)(0x80 | (cp & 0x3f));
        el = 3;
    } else {
        enc[0] = (unsigned char)(0xf0 | cp >> 18);
        enc[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        enc[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        enc[3] = (unsigned char)(0x80 | (cp & 0x3f));
        el = 4;
    }
    if (*o + el >= outlen)
        return false;
    memcpy(out + *o, enc, el);
    *o += el;
    return true;
}

/* Writes in as upper-case hex pairs separated by blanks, whole pairs only. */
static size_t put_hex(const unsigned char *in, size_t len, char *out, size_t outlen)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        size_t need = (i ? 1 : 0) + 2;
        if (o + need >= outlen)
            break;
        if (i)
            out[o++] = ' ';
        out[o++] = hex[in[i] >> 4];
        out[o++] = hex[in[i] & 0xf];
    }
    out[o] = '\0';
    return o;
}

int snmpc__text_decode(const unsigned char *in, size_t len, char *out, size_t outlen, size_t *outn)
{
    unsigned char fixed[SNMPC_TEXT_REPAIR_MAX];
    size_t o = 0, i = 0, n;
    bool utf8, gap = false;

    if (outn)
        *outn = 0;
    if (outlen == 0)
        return SNMPC_TEXT_EMPTY;
    out[0] = '\0';
    if (!in)
        return SNMPC_TEXT_EMPTY;
    if ((n = repair_hex_dump(in, len, fixed, sizeof fixed)) > 0) {
        in = fixed;
        len = n;
    }
    /* Agents pad fixed-size fields with NULs or blanks: a NUL followed only by padding ends
     * the text. */
    while (len && (in[len - 1] == '\0' || is_ws(in[len - 1])))
        len--;
    /* HP's PML objects (the LaserJet MIBs under 11.2.3.9.4.2) prefix a string with its PCL
     * symbol set number, two bytes big-endian (number * 32 + letter - 64: 0x0115 is "8U",
     * Roman-8; 0x000E is "0N", ISO 8859-1). A first byte below 4 is never text, so such a
     * pair is skipped when text follows. */
    if (len > 2 && in[0] < 4)
        i = 2;
    while (i < len && is_ws(in[i]))
        i++;
    if (i == len)
        return SNMPC_TEXT_EMPTY;
    /* Binary: a control character other than TAB, CR and LF (or DEL) left inside. */
    for (size_t k = i; k < len; k++)
        if ((in[k] < 0x20 && !is_ws(in[k])) || in[k] == 0x7f) {
            n = put_hex(in, len, out, outlen);
            if (outn)
                *outn = n;
            return SNMPC_TEXT_BINARY;
        }
    utf8 = valid_utf8(in + i, len - i);
    while (i < len) {
        uint32_t cp;

        if (utf8) {
            i += utf8_seq(in + i, len - i, &cp);
        } else {
            /* Not UTF-8: printers that do not speak UTF-8 send ISO 8859-1. */
            cp = in[i++];
        }
        /* Line breaks and tabs become one blank; C1 controls (U+0080..U+009F) too. */
        if (cp < 0x20 || (cp >= 0x80 && cp < 0xa0)) {
            gap = true;
            continue;
        }
        if (gap) {
            gap = false;
            if (!put_utf8(out, outlen, &o, ' '))
                break;
        }
        if (!put_utf8(out, outlen, &o, cp))
            break;
    }
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    if (outn)
        *outn = o;
    return o ? SNMPC_TEXT : SNMPC_TEXT_EMPTY;
}

/* ---------------------------------------------------------------------------------------------
 * Supply states and printer conditions
 */

bool snmpc__leading_number(const unsigned char *buf, size_t len, uint64_t *out)
{
    size_t i = 0, d;
    uint64_t v = 0;

    while (i < len && buf[i] == ' ')
        i++;
    for (d = 0; i < len && buf[i] >= '0' && buf[i] <= '9'; i++, d++) {
        if (d == 11)
            return false;
        v = v * 10 + (uint64_t)(buf[i] - '0');
    }
    /* "12.5 INCHES" or "1,234" would be read wrong as 12 or 1: refused, not guessed. */
    if (d == 0 || (i < len && (buf[i] == '.' || buf[i] == ',')) || v > SNMPC_COUNTER_MAX)
        return false;
    *out = v;
    return true;
}

enum gw_supply_state snmpc_supply_state(long level, long max_capacity, int *percent)
{
    return gw_supply_state(level, max_capacity, percent);
}

uint32_t snmpc_error_state_decode(const unsigned char *buf, size_t len)
{
    uint32_t out = 0;
    /* hrPrinterDetectedErrorState is a BITS string: bit 0 is the most significant bit of the
     * first octet (lowPaper), bit 15 the least significant of the second. RFC 3805 errata
     * define bits 0..15; gw_condition uses the same numbering for 0..14 (15 is unused). Extra
     * octets from future revisions are ignored. */
    for (unsigned bit = 0; bit < GW_COND_COUNT; bit++) {
        size_t byte = bit / 8;
        if (byte >= len)
            break;
        if (buf[byte] & (0x80u >> (bit % 8)))
            out |= 1u << bit;
    }
    return out;
}

/* ---------------------------------------------------------------------------------------------
 * Table row keys
 */

struct rowkey {
    uint32_t dev, idx;
};

static int key_cmp(const struct rowkey *a, uint32_t dev, uint32_t idx)
{
    if (a->dev != dev)
        return a->dev < dev ? -1 : 1;
    if (a->idx != idx)
        return a->idx < idx ? -1 : 1;
    return 0;
}

/* Collects the distinct (hrDeviceIndex, row index) pairs of a table whose entry OID is
 * prefix, from columns colmin..colmax, sorted, at most cap of them. Returns: the count. */
static size_t collect_keys(const struct snmpc_vbset *s, const uint32_t *prefix, size_t plen,
                           uint32_t colmin, uint32_t colmax, struct rowkey *keys, size_t cap)
{
    size_t n = 0;
    for (size_t i = snmpc_vbset_lower_bound(s, prefix, plen); i < s->n; i++) {
        const struct snmpc_vb *vb = &s->v[i];
        uint32_t dev, idx;
        size_t lo = 0, hi = n;

        if (!snmpc_oid_has_prefix(vb->oid, vb->oid_len, prefix, plen))
            break;
        if (vb->oid_len != plen + 3 || vb->oid[plen] < colmin || vb->oid[plen] > colmax)
            continue;
        dev = vb->oid[plen + 1];
        idx = vb->oid[plen + 2];
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (key_cmp(&keys[mid], dev, idx) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < n && key_cmp(&keys[lo], dev, idx) == 0)
            continue;
        if (n == cap)
            continue;
        memmove(&keys[lo + 1], &keys[lo], (n - lo) * sizeof *keys);
        keys[lo].dev = dev;
        keys[lo].idx = idx;
        n++;
    }
    return n;
}

/* ---------------------------------------------------------------------------------------------
 * Identity
 */

struct ctx {
    const struct snmpc_vbset *s;
    const struct snmpc_catalogue *cat;
    struct gw_model *m;
    bool have_ent;
    uint32_t enterprise;
    const struct snmpc_cat_entry *ce; /* the enterprise's catalogue entries */
    size_t nce;
    uint32_t printer_idx; /* hrDeviceIndex of the hrDevicePrinter device, 0 if none */
    /* The billing-total candidate with the lowest priority so far (see decode_total()). */
    bool have_best;
    int best_prio;
    uint64_t best_value;
    char best_name[64];
    bool have_life;
    uint64_t life_value;
    uint32_t life_marker;
    uint32_t status_idx; /* index for hrDeviceStatus / hrPrinterTable */
    bool descr_text;     /* sysDescr is text (not binary), so identity may be read from it */
    bool have_pat_ent;   /* pat_ent is set */
    uint32_t pat_ent;    /* whose "sysdescr" patterns are tried first (see decode_identity) */
};

/* Catalogue entries of one role in priority order, ties in file order. Returns: count. */
static size_t role_entries(const struct ctx *c, int role, const struct snmpc_cat_entry **out,
                           size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nce && n < cap; i++) {
        size_t j = n;
        if (c->ce[i].role != role)
            continue;
        while (j > 0 && out[j - 1]->priority > c->ce[i].priority) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = &c->ce[i];
        n++;
    }
    return n;
}

/* The catalogue's sysDescr patterns of role (the device's enterprise first, then any device).
 * Only a text sysDescr is searched. Returns: true with the capture in out. */
static bool descr_pattern(const struct ctx *c, int role, char *out, size_t outlen)
{
    if (!c->descr_text)
        return false;
    return snmpc__descr_match(snmpc__catalogue_descr(c->cat), c->have_pat_ent, c->pat_ent, role,
                              c->m->sys_descr, out, outlen);
}

/* Finds key ("MDL:") as a field of an IEEE 1284 device ID: at the start or after a ';',
 * blanks allowed before it. Returns: the text after the key, or NULL. */
static const char *devid_key(const char *id, const char *key)
{
    size_t klen = strlen(key);
    for (const char *p = id; p; p = strchr(p, ';')) {
        if (*p == ';')
            p++;
        while (is_blank(*p))
            p++;
        if (strncasecmp(p, key, klen) == 0)
            return p + klen;
    }
    return NULL;
}

/* The value of key in an IEEE 1284 device ID, up to the next ';' (the ID separates fields
 * with ';' only, so a ',' belongs to the value: "DES:Xerox Phaser 4510, PostScript 3"),
 * trimmed. Returns: true if it is not empty. */
static bool devid_field(const char *id, const char *key, char *out, size_t outlen)
{
    const char *v = devid_key(id, key);
    if (!v)
        return false;
    copy_text(out, outlen, v, strcspn(v, ";"));
    trim(out);
    return out[0] != '\0';
}

/* True when s is an IEEE 1284 device ID rather than a name: one of the ID's keys is a field. */
static bool is_device_id(const char *s)
{
    static const char *const keys[] = {
        "MDL:", "MODEL:", "MFG:", "MANUFACTURER:", "CMD:", "COMMAND SET:"};
    for (size_t i = 0; i < NELEM(keys); i++)
        if (devid_key(s, keys[i]))
            return true;
    return false;
}

/* Cleans a model name: an IEEE 1284 device ID yields its MDL, else MODEL, else DES, else
 * DESCRIPTION field (the order the ID's own definition gives the model's abbreviations); a
 * trailing " series" is dropped unless keep_series. Returns: true if a usable name is left. */
static bool clean_model(char *s, size_t len, bool keep_series)
{
    static const char *const fields[] = {"MDL:", "MODEL:", "DES:", "DESCRIPTION:"};
    char tmp[sizeof((struct gw_model *)0)->model];

    if (is_device_id(s)) {
        size_t i;
        for (i = 0; i < NELEM(fields); i++)
            if (devid_field(s, fields[i], tmp, sizeof tmp))
                break;
        if (i == NELEM(fields))
            return false;
        gw_strlcpy(s, tmp, len);
    }
    trim(s);
    if (!keep_series) {
        size_t n = strlen(s);
        if (n > 7 && strcasecmp(s + n - 7, " series") == 0) {
            s[n - 7] = '\0';
            trim(s);
        }
    }
    return s[0] && strcmp(s, "<private>") != 0 && strcasecmp(s, "unknown") != 0;
}

/* A model from sysDescr, or false when sysDescr only describes a network card. */
static bool model_from_sysdescr(const char *d, char *out, size_t outlen)
{
    static const char *const not_a_printer[] = {"ETHERNET", "JETDIRECT", "NETWORK PRINTER",
                                                "PRINT SERVER", "NC-"};
    const char *v;
    size_t n;

    if (!d[0])
        return false;
    if (field_value(d, "PID:", out, outlen))
        return true;
    n = strcspn(d, ",;");
    copy_text(out, outlen, d, n);
    v = find_ci(out, " version ");
    if (v)
        out[v - out] = '\0';
    trim(out);
    for (size_t i = 0; i < NELEM(not_a_printer); i++)
        if (find_ci(out, not_a_printer[i]))
            return false;
    return out[0] != '\0';
}

static void decode_model(struct ctx *c)
{
    struct gw_model *m = c->m;
    const struct snmpc_cat_entry *e[16];
    size_t ne = role_entries(c, SNMPC_ROLE_MODEL, e, NELEM(e));

    for (size_t i = 0; i < ne; i++)
        if (vb_ident(snmpc_vbset_get(c->s, e[i]->oid, e[i]->oid_len), m->model, sizeof m->model) &&
            clean_model(m->model, sizeof m->model, e[i]->keep_series))
            return;
    if (c->printer_idx &&
        vb_ident(get3(c->s, OID_HR_DEV_DESCR, NELEM(OID_HR_DEV_DESCR), 1, c->printer_idx, 0, 0),
                 m->model, sizeof m->model) &&
        clean_model(m->model, sizeof m->model, false))
        return;
    if (descr_pattern(c, SNMPC_ROLE_MODEL, m->model, sizeof m->model) &&
        clean_model(m->model, sizeof m->model, false))
        return;
    if (c->descr_text && model_from_sysdescr(m->sys_descr, m->model, sizeof m->model) &&
        clean_model(m->model, sizeof m->model, false))
        return;
    if (vb_ident(get3(c->s, OID_HR_DEV_DESCR, NELEM(OID_HR_DEV_DESCR), 1, 1, 0, 0), m->model,
                 sizeof m->model) &&
        clean_model(m->model, sizeof m->model, false))
        return;
    m->model[0] = '\0';
}

/* Serial candidate: the value as text (so padding, a PML prefix and Latin-1 are handled as
 * everywhere else), then gw_serial_normalize(). */
static bool try_serial(struct gw_model *m, const struct snmpc_vb *vb)
{
    char text[sizeof m->serial * 2];
    if (!vb_ident(vb, text, sizeof text))
        return false;
    return gw_serial_normalize(text, strlen(text), m->serial, sizeof m->serial) == 0;
}

static void decode_serial(struct ctx *c)
{
    struct gw_model *m = c->m;
    const struct snmpc_cat_entry *e[16];
    size_t ne;
    char tmp[64];

    /* A vendor's own serial object with a priority below SERIAL_PRT_PRIORITY comes before
     * prtGeneralSerialNumber (see the header comment). */
    ne = role_entries(c, SNMPC_ROLE_SERIAL, e, NELEM(e));
    for (size_t i = 0; i < ne && e[i]->priority < SERIAL_PRT_PRIORITY; i++)
        if (try_serial(m, snmpc_vbset_get(c->s, e[i]->oid, e[i]->oid_len)))
            return;
    for (size_t i = snmpc_vbset_lower_bound(c->s, OID_PRT_SERIAL, NELEM(OID_PRT_SERIAL));
         i < c->s->n; i++) {
        const struct snmpc_vb *vb = &c->s->v[i];
        if (!snmpc_oid_has_prefix(vb->oid, vb->oid_len, OID_PRT_SERIAL, NELEM(OID_PRT_SERIAL)))
            break;
        if (vb->oid_len == NELEM(OID_PRT_SERIAL) + 1 && try_serial(m, vb))
            return;
    }
    for (size_t i = 0; i < ne; i++)
        if (e[i]->priority >= SERIAL_PRT_PRIORITY &&
            try_serial(m, snmpc_vbset_get(c->s, e[i]->oid, e[i]->oid_len)))
            return;
    if (descr_pattern(c, SNMPC_ROLE_SERIAL, tmp, sizeof tmp) &&
        gw_serial_normalize(tmp, strlen(tmp), m->serial, sizeof m->serial) == 0)
        return;
    /* Built in, for a missing catalogue: HP JetDirect "...,SN:XXXXXXXXXX,FN:...". */
    if (c->descr_text && field_value(m->sys_descr, "SN:", tmp, sizeof tmp) &&
        gw_serial_normalize(tmp, strlen(tmp), m->serial, sizeof m->serial) == 0)
        return;
    m->serial[0] = '\0';
}

/* Removes "Firmware", "Ver.", "Version" prefixes: "Firmware Ver.Q" -> "Q". */
static void clean_firmware(char *s)
{
    static const char *const prefixes[] = {"firmware", "version", "ver.", "ver"};
    bool again = true;
    trim(s);
    while (again) {
        again = false;
        for (size_t i = 0; i < NELEM(prefixes); i++) {
            size_t n = strlen(prefixes[i]);
            if (strncasecmp(s, prefixes[i], n) == 0 && s[n] != '\0' &&
                (s[n] == ' ' || s[n] == ':' || s[n] == '.' || prefixes[i][n - 1] == '.')) {
                memmove(s, s + n, strlen(s + n) + 1);
                while (*s == ' ' || *s == ':')
                    memmove(s, s + 1, strlen(s));
                again = true;
                break;
            }
        }
    }
    trim(s);
}

static bool firmware_from_sysdescr(const char *d, char *out, size_t outlen)
{
    const char *p;
    size_t n;

    if ((p = find_ci(d, "Firmware Ver.")) != NULL)
        p += 13;
    else if ((p = find_ci(d, " version ")) != NULL)
        p += 9;
    else if ((p = strstr(d, "; V")) != NULL && p[3] >= '0' && p[3] <= '9')
        p += 2;
    else
        return false;
    n = strcspn(p, " ,;");
    if (n == 0)
        return false;
    copy_text(out, outlen, p, n);
    return out[0] != '\0';
}

static void decode_firmware(struct ctx *c)
{
    struct gw_model *m = c->m;
    const struct snmpc_cat_entry *e[16];
    size_t ne = role_entries(c, SNMPC_ROLE_FIRMWARE, e, NELEM(e));

    for (size_t i = 0; i < ne; i++)
        if (vb_ident(snmpc_vbset_get(c->s, e[i]->oid, e[i]->oid_len), m->firmware,
                     sizeof m->firmware)) {
            clean_firmware(m->firmware);
            if (m->firmware[0] && strcmp(m->firmware, "<private>") != 0)
                return;
        }
    if (descr_pattern(c, SNMPC_ROLE_FIRMWARE, m->firmware, sizeof m->firmware)) {
        clean_firmware(m->firmware);
        if (m->firmware[0])
            return;
    }
    if (c->descr_text && firmware_from_sysdescr(m->sys_descr, m->firmware, sizeof m->firmware)) {
        clean_firmware(m->firmware);
        if (m->firmware[0])
            return;
    }
    m->firmware[0] = '\0';
}

static void decode_mac(struct ctx *c)
{
    const struct snmpc_vbset *s = c->s;

    for (size_t i = snmpc_vbset_lower_bound(s, OID_IF_PHYS, NELEM(OID_IF_PHYS)); i < s->n; i++) {
        const struct snmpc_vb *vb = &s->v[i];
        int iftype;
        char text[32];

        if (!snmpc_oid_has_prefix(vb->oid, vb->oid_len, OID_IF_PHYS, NELEM(OID_IF_PHYS)))
            break;
        if (vb->oid_len != NELEM(OID_IF_PHYS) + 1 || vb->type != SNMPC_T_OCTETS)
            continue;
        /* ifType 24 is softwareLoopback (IANAifType-MIB). */
        if (vb_int(get3(s, OID_IF_TYPE, NELEM(OID_IF_TYPE), 1, vb->oid[NELEM(OID_IF_PHYS)], 0, 0),
                   &iftype) &&
            iftype == 24)
            continue;
        if (vb->len == 6) {
            if (vb->buf[0] & 1) /* group (multicast) address: not an interface's own */
                continue;
            if (gw_mac_from_bytes(vb->buf, 6, c->m->mac) == 0)
                return;
            continue;
        }
        /* A few agents answer with the text form. */
        if (vb->len >= 12 && vb->len <= 17 &&
            snmpc__text_decode(vb->buf, vb->len, text, sizeof text, NULL) == SNMPC_TEXT &&
            gw_mac_normalize(text, c->m->mac) == 0) {
            unsigned first = 0;
            if (sscanf(c->m->mac, "%2x", &first) == 1 && !(first & 1))
                return;
        }
        c->m->mac[0] = '\0';
    }
    c->m->mac[0] = '\0';
}

/* Finds the printer's hrDeviceIndex: the first device typed hrDevicePrinter, else the first
 * row of hrPrinterTable (which only printers have), else 1. */
static void find_printer(struct ctx *c)
{
    const struct snmpc_vbset *s = c->s;

    for (size_t i = snmpc_vbset_lower_bound(s, OID_HR_DEV_TYPE, NELEM(OID_HR_DEV_TYPE)); i < s->n;
         i++) {
        const struct snmpc_vb *vb = &s->v[i];
        if (!snmpc_oid_has_prefix(vb->oid, vb->oid_len, OID_HR_DEV_TYPE, NELEM(OID_HR_DEV_TYPE)))
            break;
        if (vb->oid_len == NELEM(OID_HR_DEV_TYPE) + 1 && vb->type == SNMPC_T_OID &&
            snmpc_oid_cmp(vb->oidval, vb->len, OID_HR_DEVICE_PRINTER,
                          NELEM(OID_HR_DEVICE_PRINTER)) == 0 &&
            vb->oid[NELEM(OID_HR_DEV_TYPE)] != 0) {
            c->printer_idx = vb->oid[NELEM(OID_HR_DEV_TYPE)];
            c->status_idx = c->printer_idx;
            return;
        }
    }
    for (size_t i = snmpc_vbset_lower_bound(s, OID_HR_PRINTER, NELEM(OID_HR_PRINTER)); i < s->n;
         i++) {
        const struct snmpc_vb *vb = &s->v[i];
        if (!snmpc_oid_has_prefix(vb->oid, vb->oid_len, OID_HR_PRINTER, NELEM(OID_HR_PRINTER)))
            break;
        if (vb->oid_len == NELEM(OID_HR_PRINTER) + 2 && vb->oid[NELEM(OID_HR_PRINTER) + 1]) {
            c->status_idx = vb->oid[NELEM(OID_HR_PRINTER) + 1];
            return;
        }
    }
    c->status_idx = 1;
}

static void decode_identity(struct ctx *c)
{
    struct gw_model *m = c->m;
    const struct snmpc_vbset *s = c->s;
    const struct snmpc_vb *vb;
    long up;
    const char *vendor = NULL;

    vb = get3(s, OID_SYSTEM, NELEM(OID_SYSTEM), 2, 1, 0, 0);
    /* sysDescr is shown whatever it holds, but only text is searched for identity. */
    if (vb && vb->type == SNMPC_T_OCTETS)
        c->descr_text = snmpc__text_decode(vb->buf, vb->len, m->sys_descr, sizeof m->sys_descr,
                                           NULL) == SNMPC_TEXT;
    vb = get3(s, OID_SYSTEM, NELEM(OID_SYSTEM), 2, 2, 0, 0);
    if (vb && vb->type == SNMPC_T_OID && vb->len > 0) {
        snmpc_oid_format(vb->oidval, vb->len, m->sys_object_id, sizeof m->sys_object_id);
        if (vb->len > NELEM(OID_ENTERPRISES) &&
            snmpc_oid_has_prefix(vb->oidval, vb->len, OID_ENTERPRISES, NELEM(OID_ENTERPRISES))) {
            c->have_ent = true;
            c->enterprise = vb->oidval[NELEM(OID_ENTERPRISES)];
        }
    }
    if (vb_long(get3(s, OID_SYSTEM, NELEM(OID_SYSTEM), 2, 3, 0, 0), &up) && up >= 0 &&
        (unsigned long)up <= UINT32_MAX)
        m->uptime_ticks = (uint32_t)up;
    vb_text(get3(s, OID_SYSTEM, NELEM(OID_SYSTEM), 2, 4, 0, 0), m->sys_contact,
            sizeof m->sys_contact);
    vb_text(get3(s, OID_SYSTEM, NELEM(OID_SYSTEM), 2, 5, 0, 0), m->sys_name, sizeof m->sys_name);
    vb_text(get3(s, OID_SYSTEM, NELEM(OID_SYSTEM), 2, 6, 0, 0), m->sys_location,
            sizeof m->sys_location);

    if (c->have_ent) {
        vendor = snmpc_vendor_name(c->cat, c->enterprise);
        c->ce = snmpc_catalogue_vendor(c->cat, c->enterprise, &c->nce);
    }
    /* The sysDescr patterns tried first are those of the sysObjectID's maker; when the
     * sysObjectID names no maker we know (or is missing, as in walks that only kept a few
     * objects), those of the maker that sysDescr names ("Canon MF642C/643C/644C /P"). */
    if (vendor) {
        c->have_pat_ent = true;
        c->pat_ent = c->enterprise;
    }
    if (!vendor) {
        uint32_t ent = 0;
        vendor = snmpc__vendor_from_text_ent(c->cat, m->sys_descr, &ent);
        c->have_pat_ent = ent != 0;
        c->pat_ent = ent;
        /* No enterprise in sysObjectID (an agent whose view hides it): the maker that starts
         * sysDescr stands for it, so that its vendor objects and tables are read (poll.c
         * does the same). */
        if (vendor && ent && !c->have_ent && c->descr_text) {
            c->have_ent = true;
            c->enterprise = ent;
            c->ce = snmpc_catalogue_vendor(c->cat, c->enterprise, &c->nce);
        }
    }
    if (vendor)
        gw_strlcpy(m->vendor, vendor, sizeof m->vendor);

    find_printer(c);
    {
        size_t i = snmpc_vbset_lower_bound(s, OID_PRINTER_MIB, NELEM(OID_PRINTER_MIB));
        m->is_printer = c->printer_idx != 0 ||
                        (i < s->n && snmpc_oid_has_prefix(s->v[i].oid, s->v[i].oid_len,
                                                          OID_PRINTER_MIB, NELEM(OID_PRINTER_MIB)));
    }
    decode_model(c);
    gw_model_identity_normalize(m);
    decode_serial(c);
    decode_firmware(c);
    decode_mac(c);
}

/* ---------------------------------------------------------------------------------------------
 * Counters and the billing total
 */

static struct gw_counter *add_counter(struct gw_model *m, const char *name, const uint32_t *oid,
                                      size_t oid_len, uint64_t value)
{
    struct gw_counter *k;
    if (m->n_counters >= SNMPC_MAX_COUNTERS)
        return NULL;
    k = gw_model_add_counter(m);
    gw_strlcpy(k->name, name, sizeof k->name);
    snmpc_oid_format(oid, oid_len, k->oid, sizeof k->oid);
    k->value = value;
    return k;
}

/* Offers a billing-total candidate: the lowest priority wins, the first offered on a tie
 * (catalogue "oid" lines are offered before table rows, each in file order). */
static void offer_total(struct ctx *c, const char *name, int prio, uint64_t value)
{
    if (c->have_best && prio >= c->best_prio)
        return;
    c->have_best = true;
    c->best_prio = prio;
    c->best_value = value;
    gw_strlcpy(c->best_name, name, sizeof c->best_name);
}

static void decode_counters(struct ctx *c)
{
    const struct snmpc_vbset *s = c->s;
    struct gw_model *m = c->m;

    for (size_t i = snmpc_vbset_lower_bound(s, OID_PRT_LIFE, NELEM(OID_PRT_LIFE)); i < s->n; i++) {
        const struct snmpc_vb *vb = &s->v[i];
        uint32_t dev, marker;
        uint64_t v;
        char name[64];

        if (!snmpc_oid_has_prefix(vb->oid, vb->oid_len, OID_PRT_LIFE, NELEM(OID_PRT_LIFE)))
            break;
        if (vb->oid_len != NELEM(OID_PRT_LIFE) + 2 || !vb_counter(vb, &v))
            continue;
        dev = vb->oid[NELEM(OID_PRT_LIFE)];
        marker = vb->oid[NELEM(OID_PRT_LIFE) + 1];
        if (dev == 1)
            snprintf(name, sizeof name, "marker_life.%" PRIu32, marker);
        else
            snprintf(name, sizeof name, "marker_life.%" PRIu32 ".%" PRIu32, dev, marker);
        if (!add_counter(m, name, vb->oid, vb->oid_len, v))
            break;
        /* The set is sorted, so the first of hrDeviceIndex 1 is its lowest marker. */
        if (dev == 1 && !c->have_life) {
            c->have_life = true;
            c->life_value = v;
            c->life_marker = marker;
        }
    }

    for (size_t i = 0; i < c->nce; i++) {
        const struct snmpc_cat_entry *e = &c->ce[i];
        const struct snmpc_vb *vb;
        uint64_t v;
        if (e->role != SNMPC_ROLE_OTHER && e->role != SNMPC_ROLE_TOTAL)
            continue;
        vb = snmpc_vbset_get(s, e->oid, e->oid_len);
        if (e->leading_number
                ? !vb || vb->type != SNMPC_T_OCTETS || !snmpc__leading_number(vb->buf, vb->len, &v)
                : !vb_counter(vb, &v))
            continue;
        if (!add_counter(m, e->name, e->oid, e->oid_len, v))
            break;
        if (e->role == SNMPC_ROLE_TOTAL)
            offer_total(c, e->name, e->priority, v);
    }
}

/* The billing total, once every counter (catalogue objects and table rows) is read. */
static void decode_total(struct ctx *c)
{
    struct gw_model *m = c->m;
    const uint64_t best_value = c->best_value, life_value = c->life_value;

    if (c->have_best) {
        m->has_page_count = true;
        m->page_count_total = best_value;
        gw_strlcpy(m->page_count_source, c->best_name, sizeof m->page_count_source);
        if (c->have_life) {
            uint64_t hi = best_value > life_value ? best_value : life_value;
            uint64_t diff =
                best_value > life_value ? best_value - life_value : life_value - best_value;
            if (diff > SNMPC_DISAGREE_MIN_PAGES && diff * 100 > hi * SNMPC_DISAGREE_PCT) {
                m->counter_disagreement = true;
                snprintf(m->disagreement, sizeof m->disagreement,
                         "%.40s=%" PRIu64 " but prtMarkerLifeCount.%" PRIu32 "=%" PRIu64
                         " (differ by %" PRIu64 ")",
                         c->best_name, best_value, c->life_marker, life_value, diff);
            }
        }
    } else if (c->have_life) {
        m->has_page_count = true;
        m->page_count_total = life_value;
        snprintf(m->page_count_source, sizeof m->page_count_source, "marker_life.%" PRIu32,
                 c->life_marker);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Vendor counter tables
 */

/* One row of a vendor table as read, before it is named. */
struct vrow {
    const struct snmpc_vb *vb;
    uint64_t value;
    const char *mapped; /* the catalogue's name for the row, or NULL */
    int total_prio;     /* a mapped row that is a billing-total candidate: its priority; -1 */
    char slug[SNMPC_VTABLE_SLUG_MAX + 1];
};

/* True when oid is one of the enterprise's "oid" lines: that object is already a counter. */
static bool is_catalogue_oid(const struct ctx *c, const uint32_t *oid, size_t len)
{
    for (size_t i = 0; i < c->nce; i++)
        if (snmpc_oid_cmp(c->ce[i].oid, c->ce[i].oid_len, oid, len) == 0)
            return true;
    return false;
}

/* Adds a counter under name, or under name_2 .. name_99 when that name is taken (a device
 * that labels two rows alike, or a derived name that meets a catalogue name). */
static struct gw_counter *add_counter_unique(struct gw_model *m, const char *name,
                                             const struct snmpc_vb *vb, uint64_t value)
{
    char buf[sizeof((struct gw_counter *)0)->name];

    if (!gw_model_counter(m, name))
        return add_counter(m, name, vb->oid, vb->oid_len, value);
    for (int k = 2; k < 100; k++) {
        snprintf(buf, sizeof buf, "%.59s_%d", name, k);
        if (!gw_model_counter(m, buf))
            return add_counter(m, buf, vb->oid, vb->oid_len, value);
    }
    return NULL;
}

/* Reads the rows of t; adds those the catalogue maps (mapped) or the others (!mapped). */
static void decode_vtable(struct ctx *c, const struct snmpc_cat_table *t, bool mapped)
{
    const struct snmpc_vbset *s = c->s;
    uint32_t col[SNMPC_MAX_OID], lab[SNMPC_MAX_OID];
    const size_t pl = t->base_len + 1;
    struct vrow *rows;
    size_t nrows = 0, seen = 0;

    if (pl + SNMPC_CAT_MAX_INDEX > SNMPC_MAX_OID || t->max_rows == 0)
        return;
    memcpy(col, t->base, t->base_len * sizeof *col);
    col[t->base_len] = t->value_col;
    memcpy(lab, t->base, t->base_len * sizeof *lab);
    lab[t->base_len] = t->label_col;
    rows = gw_calloc(t->max_rows, sizeof *rows);

    /* Every varbind of the column counts towards max_rows, as in the poll's walk. */
    for (size_t i = snmpc_vbset_lower_bound(s, col, pl); i < s->n && seen < t->max_rows; i++) {
        const struct snmpc_vb *vb = &s->v[i];
        struct vrow *r = &rows[nrows];
        size_t ilen;

        if (!snmpc_oid_has_prefix(vb->oid, vb->oid_len, col, pl))
            break;
        seen++;
        ilen = vb->oid_len - pl;
        if (ilen == 0 || ilen > SNMPC_CAT_MAX_INDEX || !vb_counter(vb, &r->value) ||
            is_catalogue_oid(c, vb->oid, vb->oid_len))
            continue;
        r->vb = vb;
        if (t->label_col) {
            char text[128];
            memcpy(lab + pl, vb->oid + pl, ilen * sizeof *lab);
            if (vb_text(snmpc_vbset_get(s, lab, pl + ilen), text, sizeof text))
                snmpc__slug(text, r->slug, sizeof r->slug);
        }
        r->mapped =
            snmpc__catalogue_row_find(c->cat, t, vb->oid + pl, ilen, r->slug, &r->total_prio);
        nrows++;
    }

    for (size_t i = 0; i < nrows; i++) {
        char name[sizeof((struct gw_counter *)0)->name];
        const struct snmpc_vb *vb = rows[i].vb;

        if (mapped && rows[i].mapped) {
            const struct gw_counter *k =
                add_counter_unique(c->m, rows[i].mapped, vb, rows[i].value);
            /* A row the catalogue marks role=total competes with the "oid" totals; rows come
             * in index order, so of two rows with one label the first wins a tie. */
            if (k && rows[i].total_prio >= 0)
                offer_total(c, k->name, rows[i].total_prio, rows[i].value);
        }
        if (mapped || rows[i].mapped)
            continue;
        if (!rows[i].slug[0]) {
            /* No label: the index names the row ("1_4_60"). */
            size_t n = 0;
            for (size_t k = pl; k < vb->oid_len && n + 1 < sizeof rows[i].slug; k++) {
                int w = snprintf(rows[i].slug + n, sizeof rows[i].slug - n, "%s%" PRIu32,
                                 k > pl ? "_" : "", vb->oid[k]);
                if (w < 0 || (size_t)w >= sizeof rows[i].slug - n) {
                    rows[i].slug[n] = '\0';
                    break;
                }
                n += (size_t)w;
            }
        }
        snprintf(name, sizeof name, "%s_%s", t->prefix, rows[i].slug);
        add_counter_unique(c->m, name, vb, rows[i].value);
    }
    free(rows);
}

/* Every vendor table of the device's enterprise, whole: rows the catalogue maps under its
 * names, the others under names derived from the device's own label (or the row index), so
 * that nothing the printer counts is dropped. A row is a billing-total candidate only when its
 * "row" line says role=total (decode_total()); derived rows never are. */
static void decode_vtables(struct ctx *c)
{
    size_t n;
    const struct snmpc_cat_table *t = snmpc__catalogue_tables(c->cat, &n);

    if (!c->have_ent)
        return;
    /* Rows the catalogue names first, in every table, so that a name derived from a device's
     * label can never take a catalogue name away from its row. */
    for (int pass = 1; pass >= 0; pass--)
        for (size_t i = 0; i < n; i++)
            if (t[i].enterprise == c->enterprise)
                decode_vtable(c, &t[i], pass == 1);
}

/* ---------------------------------------------------------------------------------------------
 * Supplies
 */

static void decode_marker_supplies(struct ctx *c)
{
    const struct snmpc_vbset *s = c->s;
    struct gw_model *m = c->m;
    const size_t pl = NELEM(OID_PRT_SUPPLIES);
    struct rowkey keys[SNMPC_MAX_SUPPLIES];
    size_t nk = collect_keys(s, OID_PRT_SUPPLIES, pl, 2, 9, keys, NELEM(keys));

    for (size_t k = 0; k < nk && m->n_supplies < SNMPC_MAX_SUPPLIES; k++) {
        uint32_t dev = keys[k].dev, idx = keys[k].idx;
        const struct snmpc_vb *descr = get3(s, OID_PRT_SUPPLIES, pl, 3, 6, dev, idx);
        long level, max, type, ci;
        bool have_level = vb_long(get3(s, OID_PRT_SUPPLIES, pl, 3, 9, dev, idx), &level);
        bool have_max = vb_long(get3(s, OID_PRT_SUPPLIES, pl, 3, 8, dev, idx), &max);
        struct gw_supply *sp;

        if (idx > INT_MAX ||
            (!have_level && !have_max && (!descr || descr->type != SNMPC_T_OCTETS)))
            continue;
        sp = gw_model_add_supply(m);
        sp->index = (int)idx;
        if (vb_long(get3(s, OID_PRT_SUPPLIES, pl, 3, 5, dev, idx), &type))
            gw_strlcpy(sp->type, snmpc__supply_type_name(type), sizeof sp->type);
        else
            gw_strlcpy(sp->type, "unknown", sizeof sp->type);
        vb_text(descr, sp->description, sizeof sp->description);
        if (vb_long(get3(s, OID_PRT_SUPPLIES, pl, 3, 3, dev, idx), &ci) && ci > 0 &&
            ci <= (long)UINT32_MAX)
            vb_text(get3(s, OID_PRT_COLORANT_VALUE, NELEM(OID_PRT_COLORANT_VALUE), 2, dev,
                         (uint32_t)ci, 0),
                    sp->color, sizeof sp->color);
        /* A missing column reads as unknown(-2), which is what the agent would have said. */
        sp->level_raw = have_level ? level : -2;
        sp->max_capacity = have_max ? max : -2;
        sp->state = snmpc_supply_state(sp->level_raw, sp->max_capacity, &sp->percent);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Vendor supply tables (catalogue "supplies" lines)
 */

/* One row of a vendor supply table as read. */
struct vsupply {
    uint32_t index;
    long level;
    char colour[16]; /* "" when the table has no colour column or the code is not mapped */
    char descr[128];
};

/* State and percentage of a vendor level: a percentage of a full unit, the RFC 3805 special
 * values, and the table's "near empty" code (low, no percentage). */
static void vsupply_state(const struct snmpc_cat_supplies *t, long level, struct gw_supply *sp)
{
    sp->level_raw = level;
    sp->max_capacity = 100;
    if (t->have_near_empty && level == t->near_empty) {
        sp->state = GW_SUPPLY_LOW;
        sp->percent = -1;
        return;
    }
    sp->state = snmpc_supply_state(level, 100, &sp->percent);
}

/* Reads the rows of t (at most t->max_rows varbinds of its level column) into rows[t->max_rows].
 * Returns: the count. */
static size_t vsupply_rows(const struct ctx *c, const struct snmpc_cat_supplies *t,
                           struct vsupply *rows)
{
    const struct snmpc_vbset *s = c->s;
    uint32_t col[SNMPC_MAX_OID], oth[SNMPC_MAX_OID];
    const size_t pl = t->base_len + 1;
    size_t n = 0, seen = 0;

    if (pl + SNMPC_CAT_MAX_INDEX > SNMPC_MAX_OID)
        return 0;
    memcpy(col, t->base, t->base_len * sizeof *col);
    col[t->base_len] = t->level_col;
    memcpy(oth, t->base, t->base_len * sizeof *oth);
    for (size_t i = snmpc_vbset_lower_bound(s, col, pl); i < s->n && seen < t->max_rows; i++) {
        const struct snmpc_vb *vb = &s->v[i];
        const size_t ilen = vb->oid_len - pl;
        struct vsupply *r = &rows[n];
        long code;

        if (!snmpc_oid_has_prefix(vb->oid, vb->oid_len, col, pl))
            break;
        seen++;
        if (ilen == 0 || ilen > SNMPC_CAT_MAX_INDEX || vb->oid[vb->oid_len - 1] > INT_MAX ||
            vb->type != SNMPC_T_INTEGER || !vb_long(vb, &r->level))
            continue;
        memset(r->colour, 0, sizeof r->colour);
        r->descr[0] = '\0';
        r->index = vb->oid[vb->oid_len - 1];
        memcpy(oth + pl, vb->oid + pl, ilen * sizeof *oth);
        if (t->descr_col) {
            oth[t->base_len] = t->descr_col;
            vb_text(snmpc_vbset_get(s, oth, pl + ilen), r->descr, sizeof r->descr);
        }
        if (!r->descr[0] && t->descr_alt_col) {
            oth[t->base_len] = t->descr_alt_col;
            vb_text(snmpc_vbset_get(s, oth, pl + ilen), r->descr, sizeof r->descr);
        }
        if (t->colour_col) {
            oth[t->base_len] = t->colour_col;
            if (vb_long(snmpc_vbset_get(s, oth, pl + ilen), &code))
                for (size_t k = 0; k < t->ncolours; k++)
                    if (t->colours[k].code == code)
                        gw_strlcpy(r->colour, t->colours[k].name, sizeof r->colour);
        }
        n++;
    }
    return n;
}

/* Fills Printer-MIB supply gaps from a vendor row: only where exactly one Printer-MIB supply
 * of the table's type has the row's colour and no other row of the table has that colour. The
 * index is not used to pair them: a Printer-MIB table numbers waste toner and drums among the
 * toners (a Ricoh shows "Resttoner" at index 2), a toner table does not. */
static void vsupply_fill(struct ctx *c, const struct snmpc_cat_supplies *t,
                         const struct vsupply *rows, size_t n, size_t n_prt)
{
    struct gw_model *m = c->m;

    for (size_t i = 0; i < n; i++) {
        struct gw_supply *match = NULL;
        size_t same = 0;

        if (!rows[i].colour[0])
            continue;
        for (size_t k = 0; k < n; k++)
            same += strcmp(rows[k].colour, rows[i].colour) == 0;
        if (same != 1)
            continue;
        for (size_t k = 0; k < n_prt; k++) {
            struct gw_supply *sp = &m->supplies[k];
            if (strcmp(sp->type, t->type) != 0 || strcasecmp(sp->color, rows[i].colour) != 0)
                continue;
            if (match) {
                match = NULL;
                break;
            }
            match = sp;
        }
        if (!match)
            continue;
        if (!match->description[0])
            gw_strlcpy(match->description, rows[i].descr, sizeof match->description);
        if (match->level_raw == -2 && rows[i].level != -2)
            vsupply_state(t, rows[i].level, match);
    }
}

/* The vendor supply tables of the device's enterprise. A device without Printer-MIB supplies
 * reports their rows as its supplies; otherwise they only fill an empty description or an
 * unknown level of the same supply (vsupply_fill()). */
static void decode_vsupplies(struct ctx *c)
{
    struct gw_model *m = c->m;
    const size_t n_prt = m->n_supplies;
    size_t nt;
    const struct snmpc_cat_supplies *t = snmpc__catalogue_supplies(c->cat, &nt);

    if (!c->have_ent)
        return;
    for (size_t i = 0; i < nt; i++) {
        struct vsupply *rows;
        size_t n;

        if (t[i].enterprise != c->enterprise || t[i].max_rows == 0)
            continue;
        rows = gw_calloc(t[i].max_rows, sizeof *rows);
        n = vsupply_rows(c, &t[i], rows);
        if (n_prt) {
            vsupply_fill(c, &t[i], rows, n, n_prt);
        } else {
            for (size_t k = 0; k < n && m->n_supplies < SNMPC_MAX_SUPPLIES; k++) {
                struct gw_supply *sp = gw_model_add_supply(m);
                sp->index = (int)rows[k].index;
                gw_strlcpy(sp->type, t[i].type, sizeof sp->type);
                gw_strlcpy(sp->color, rows[k].colour, sizeof sp->color);
                gw_strlcpy(sp->description, rows[k].descr, sizeof sp->description);
                vsupply_state(&t[i], rows[k].level, sp);
            }
        }
        free(rows);
    }
}

/* prtInputTable: every row the agent has is an input sub-unit (a tray, the manual feed, a
 * roll). A row counts when one of the columns that describe a tray (type, capacity, level,
 * name, description) is there with the right syntax. Trays are not supplies: they go to
 * m->trays, with levels interpreted by gw_tray_state(). */
static void decode_input_trays(struct ctx *c)
{
    const struct snmpc_vbset *s = c->s;
    struct gw_model *m = c->m;
    const size_t pl = NELEM(OID_PRT_INPUT);
    struct rowkey keys[SNMPC_MAX_TRAYS];
    size_t nk = collect_keys(s, OID_PRT_INPUT, pl, 2, 22, keys, NELEM(keys));

    for (size_t k = 0; k < nk && m->n_trays < SNMPC_MAX_TRAYS; k++) {
        uint32_t dev = keys[k].dev, idx = keys[k].idx;
        long level = -2, max = -2, type = 0, v;
        char name[sizeof m->trays->name], descr[sizeof m->trays->description];
        bool have_level = vb_long(get3(s, OID_PRT_INPUT, pl, 3, 10, dev, idx), &level);
        bool have_max = vb_long(get3(s, OID_PRT_INPUT, pl, 3, 9, dev, idx), &max);
        bool have_type = vb_long(get3(s, OID_PRT_INPUT, pl, 3, 2, dev, idx), &type);
        bool have_name = vb_text(get3(s, OID_PRT_INPUT, pl, 3, 13, dev, idx), name, sizeof name);
        bool have_descr = vb_text(get3(s, OID_PRT_INPUT, pl, 3, 18, dev, idx), descr, sizeof descr);
        struct gw_tray *t;

        if (idx > INT_MAX || (!have_level && !have_max && !have_type && !have_name && !have_descr))
            continue;
        t = gw_model_add_tray(m);
        t->index = (int)idx;
        if (have_type)
            gw_strlcpy(t->type, snmpc__input_type_name(type), sizeof t->type);
        if (have_name)
            gw_strlcpy(t->name, name, sizeof t->name);
        if (have_descr)
            gw_strlcpy(t->description, descr, sizeof t->description);
        vb_text(get3(s, OID_PRT_INPUT, pl, 3, 12, dev, idx), t->media_name, sizeof t->media_name);
        vb_text(get3(s, OID_PRT_INPUT, pl, 3, 21, dev, idx), t->media_type, sizeof t->media_type);
        if (vb_long(get3(s, OID_PRT_INPUT, pl, 3, 3, dev, idx), &v))
            gw_strlcpy(t->dim_unit, snmpc__media_unit_name(v), sizeof t->dim_unit);
        /* Dimensions: -1 other, -2 unknown; anything else negative is not a size. */
        if (vb_long(get3(s, OID_PRT_INPUT, pl, 3, 4, dev, idx), &v) && v >= -2)
            t->media_feed = v;
        if (vb_long(get3(s, OID_PRT_INPUT, pl, 3, 5, dev, idx), &v) && v >= -2)
            t->media_xfeed = v;
        if (vb_long(get3(s, OID_PRT_INPUT, pl, 3, 8, dev, idx), &v))
            gw_strlcpy(t->capacity_unit, snmpc__capacity_unit_name(v), sizeof t->capacity_unit);
        /* PrtSubUnitStatusTC is 0..126; other values are not a status. */
        if (vb_long(get3(s, OID_PRT_INPUT, pl, 3, 11, dev, idx), &v) && v >= 0 && v <= 126)
            t->status = (int)v;
        /* A missing column reads as unknown(-2), which is what the agent would have said. */
        t->level_raw = have_level ? level : -2;
        t->max_capacity = have_max ? max : -2;
        t->state = gw_tray_state(t->level_raw, t->max_capacity, &t->percent);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Status and alerts
 */

static void decode_status(struct ctx *c)
{
    const struct snmpc_vbset *s = c->s;
    struct gw_model *m = c->m;
    const struct snmpc_vb *vb;
    int v;

    if (vb_int(get3(s, OID_HR_DEV_STATUS, NELEM(OID_HR_DEV_STATUS), 1, c->status_idx, 0, 0), &v))
        m->device_status = v;
    if (vb_int(get3(s, OID_HR_PRINTER, NELEM(OID_HR_PRINTER), 2, 1, c->status_idx, 0), &v))
        m->printer_status = v;
    vb = get3(s, OID_HR_PRINTER, NELEM(OID_HR_PRINTER), 2, 2, c->status_idx, 0);
    if (vb && vb->type == SNMPC_T_OCTETS)
        m->conditions = snmpc_error_state_decode(vb->buf, vb->len);
}

/* An optional integer column: absent is 0, present but not an int makes the row malformed. */
static bool alert_int(const struct snmpc_vbset *s, uint32_t col, uint32_t dev, uint32_t idx,
                      int *out)
{
    const struct snmpc_vb *vb = get3(s, OID_PRT_ALERT, NELEM(OID_PRT_ALERT), 3, col, dev, idx);
    *out = 0;
    if (!vb)
        return true;
    return vb_int(vb, out);
}

static void decode_alerts(struct ctx *c)
{
    const struct snmpc_vbset *s = c->s;
    struct gw_model *m = c->m;
    const size_t pl = NELEM(OID_PRT_ALERT);
    struct rowkey keys[SNMPC_MAX_ALERTS];
    size_t nk = collect_keys(s, OID_PRT_ALERT, pl, 2, 9, keys, NELEM(keys));

    for (size_t k = 0; k < nk; k++) {
        uint32_t dev = keys[k].dev, idx = keys[k].idx;
        int sev, training, group, gidx, loc, code;
        long t = 0;
        const struct snmpc_vb *tvb = get3(s, OID_PRT_ALERT, pl, 3, 9, dev, idx);
        struct gw_alert *a;

        /* prtAlertSeverityLevel is mandatory; without it (or with a wrong type anywhere) the
         * row is not an alert we can report truthfully. */
        if (idx > INT_MAX || !vb_int(get3(s, OID_PRT_ALERT, pl, 3, 2, dev, idx), &sev) ||
            !alert_int(s, 3, dev, idx, &training) || !alert_int(s, 4, dev, idx, &group) ||
            !alert_int(s, 5, dev, idx, &gidx) || !alert_int(s, 6, dev, idx, &loc) ||
            !alert_int(s, 7, dev, idx, &code))
            continue;
        if (tvb && (!vb_long(tvb, &t) || t < 0 || (unsigned long)t > UINT32_MAX))
            continue;
        a = gw_model_add_alert(m);
        a->index = (int)idx;
        a->severity = sev;
        a->training = training;
        a->group = group;
        a->group_index = gidx;
        a->location = loc;
        a->code = code;
        a->time_ticks = (uint32_t)t;
        vb_text(get3(s, OID_PRT_ALERT, pl, 3, 8, dev, idx), a->description, sizeof a->description);
    }
}

void snmpc_model_decode(const struct snmpc_vbset *s, const struct snmpc_catalogue *cat,
                        struct gw_model *m)
{
    struct ctx c;

    memset(&c, 0, sizeof c);
    c.s = s;
    c.cat = cat;
    c.m = m;
    decode_identity(&c);
    decode_counters(&c);
    decode_vtables(&c);
    decode_total(&c);
    decode_marker_supplies(&c);
    decode_vsupplies(&c);
    decode_input_trays(&c);
    decode_status(&c);
    decode_alerts(&c);
}
