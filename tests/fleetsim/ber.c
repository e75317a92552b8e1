/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The simulator's own BER codec for SNMP messages.
 *
 * Decoding is a cursor over the datagram: every read checks the remaining length first, and
 * anything SNMP never needs (multi-byte tags, indefinite or 5+ octet lengths, oversized
 * integers, sub-ids above 2^32-1) is rejected rather than interpreted, so malformed packets are
 * dropped and counted instead of reaching the MIB view. No allocation happens here: decoded
 * strings point into the packet and OIDs go into the caller's fixed arrays.
 *
 * Encoding runs back to front (see struct t_benc): a sequence's content is written before its
 * header, so each length is known when it is written and comes out minimal, with no second
 * pass and no memmove. That also keeps the offset of msgAuthenticationParameters from the end
 * of the message fixed while the headers in front of it are added, which is what the HMAC
 * step in usm.c relies on.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tests/fleetsim/fleetsim.h"

int t_ber_tl(struct t_ber *b, uint8_t *tag, size_t *len)
{
    if (b->end - b->p < 2)
        return -1;
    uint8_t t = *b->p++;
    /* High-tag-number form: SNMP never uses it. */
    if ((t & 0x1f) == 0x1f)
        return -1;
    uint8_t l = *b->p++;
    size_t n;
    if (l < 0x80) {
        n = l;
    } else {
        size_t k = l & 0x7f;
        /* 0x80 is the indefinite form, which BER forbids for primitive types and SNMP never
         * sends; more than four length octets would exceed any datagram. */
        if (k == 0 || k > 4 || (size_t)(b->end - b->p) < k)
            return -1;
        n = 0;
        for (size_t i = 0; i < k; i++)
            n = (n << 8) | *b->p++;
    }
    if (n > (size_t)(b->end - b->p))
        return -1;
    *tag = t;
    *len = n;
    return 0;
}

int t_ber_any(struct t_ber *b, uint8_t *tag, const uint8_t **p, size_t *len)
{
    if (t_ber_tl(b, tag, len) < 0)
        return -1;
    *p = b->p;
    b->p += *len;
    return 0;
}

int t_ber_enter(struct t_ber *b, uint8_t tag, struct t_ber *inner)
{
    uint8_t t;
    size_t n;
    if (t_ber_tl(b, &t, &n) < 0 || t != tag)
        return -1;
    inner->p = b->p;
    inner->end = b->p + n;
    b->p += n;
    return 0;
}

int t_ber_int(struct t_ber *b, uint8_t tag, int64_t *v)
{
    uint8_t t;
    size_t n;
    if (t_ber_tl(b, &t, &n) < 0 || t != tag || n < 1 || n > 8)
        return -1;
    /* Sign-extend from the first octet, then shift in the rest. */
    uint64_t x = (b->p[0] & 0x80) ? UINT64_MAX : 0;
    for (size_t i = 0; i < n; i++)
        x = (x << 8) | b->p[i];
    b->p += n;
    *v = (int64_t)x;
    return 0;
}

int t_ber_uint(struct t_ber *b, uint8_t tag, uint64_t *v)
{
    uint8_t t;
    size_t n;
    if (t_ber_tl(b, &t, &n) < 0 || t != tag || n < 1 || n > 9)
        return -1;
    /* A ninth octet is only allowed as the leading zero that keeps a 64-bit value positive. */
    if (n == 9 && b->p[0] != 0)
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++)
        x = (x << 8) | b->p[i];
    b->p += n;
    *v = x;
    return 0;
}

int t_ber_octets(struct t_ber *b, uint8_t tag, const uint8_t **p, size_t *len)
{
    uint8_t t;
    if (t_ber_any(b, &t, p, len) < 0 || t != tag)
        return -1;
    return 0;
}

int t_ber_oid(struct t_ber *b, uint32_t *oid, size_t max, size_t *len)
{
    uint8_t t;
    size_t n;
    if (t_ber_tl(b, &t, &n) < 0 || t != T_BER_OID || n < 1 || max < 2)
        return -1;
    const uint8_t *p = b->p, *end = b->p + n;
    b->p = end;
    size_t k = 0;
    while (p < end) {
        uint64_t x = 0;
        /* A leading 0x80 octet is a non-minimal sub-id: not valid BER for OIDs. */
        if (*p == 0x80)
            return -1;
        for (;;) {
            if (p >= end)
                return -1;
            uint8_t c = *p++;
            x = (x << 7) | (c & 0x7f);
            if (x > UINT32_MAX + 80ull)
                return -1;
            if (!(c & 0x80))
                break;
        }
        if (k == 0) {
            /* The first encoded sub-id carries two arcs: 40 * first + second. */
            uint32_t first = x < 40 ? 0 : x < 80 ? 1 : 2;
            uint64_t second = x - 40ull * first;
            if (second > UINT32_MAX)
                return -1;
            oid[k++] = first;
            oid[k++] = (uint32_t)second;
        } else {
            if (x > UINT32_MAX || k >= max)
                return -1;
            oid[k++] = (uint32_t)x;
        }
    }
    *len = k;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Encoder
 */
void t_benc_init(struct t_benc *e, uint8_t *buf, size_t cap)
{
    e->buf = buf;
    e->cap = cap;
    e->pos = cap;
    e->err = false;
}

static uint8_t *reserve(struct t_benc *e, size_t n)
{
    if (e->err || n > e->pos) {
        e->err = true;
        return NULL;
    }
    e->pos -= n;
    return e->buf + e->pos;
}

void t_benc_raw(struct t_benc *e, const void *p, size_t n)
{
    uint8_t *d = reserve(e, n);
    if (d && n)
        memcpy(d, p, n);
}

size_t t_ber_size_hdr(size_t len)
{
    if (len < 0x80)
        return 2;
    if (len < 0x100)
        return 3;
    if (len < 0x10000)
        return 4;
    if (len < 0x1000000)
        return 5;
    return 6;
}

void t_benc_tl(struct t_benc *e, uint8_t tag, size_t len)
{
    size_t h = t_ber_size_hdr(len);
    uint8_t *d = reserve(e, h);
    if (!d)
        return;
    d[0] = tag;
    if (h == 2) {
        d[1] = (uint8_t)len;
        return;
    }
    d[1] = (uint8_t)(0x80 | (h - 2));
    for (size_t i = h - 1; i >= 2; i--) {
        d[i] = (uint8_t)len;
        len >>= 8;
    }
}

void t_benc_seq(struct t_benc *e, uint8_t tag, size_t mark)
{
    if (e->err)
        return;
    t_benc_tl(e, tag, t_benc_len(e) - mark);
}

size_t t_ber_size_int(int64_t v)
{
    size_t n = 1;
    /* Count octets until the rest is pure sign extension of the top bit of the last octet. */
    while (n < 8) {
        int64_t lim = (int64_t)1 << (8 * n - 1);
        if (v >= -lim && v < lim)
            break;
        n++;
    }
    return n;
}

void t_benc_int(struct t_benc *e, uint8_t tag, int64_t v)
{
    size_t n = t_ber_size_int(v);
    uint8_t *d = reserve(e, n);
    if (!d)
        return;
    uint64_t x = (uint64_t)v;
    for (size_t i = n; i-- > 0;) {
        d[i] = (uint8_t)x;
        x >>= 8;
    }
    t_benc_tl(e, tag, n);
}

size_t t_ber_size_uint(uint64_t v)
{
    size_t n = 1;
    /* One more octet when the top bit is set, so the value does not read as negative. */
    while (n < 9 && (n == 8 ? (v >> 63) != 0 : (v >> (8 * n - 1)) != 0))
        n++;
    return n;
}

void t_benc_uint(struct t_benc *e, uint8_t tag, uint64_t v)
{
    size_t n = t_ber_size_uint(v);
    uint8_t *d = reserve(e, n);
    if (!d)
        return;
    for (size_t i = n; i-- > 0;) {
        d[i] = (uint8_t)v;
        v >>= 8;
    }
    t_benc_tl(e, tag, n);
}

void t_benc_octets(struct t_benc *e, uint8_t tag, const void *p, size_t n)
{
    t_benc_raw(e, p, n);
    t_benc_tl(e, tag, n);
}

static size_t subid_size(uint64_t x)
{
    size_t n = 1;
    while (x >= 0x80) {
        x >>= 7;
        n++;
    }
    return n;
}

static size_t oid_content_size(const uint32_t *oid, size_t n)
{
    if (n < 2)
        return 1;
    size_t s = subid_size(40ull * oid[0] + oid[1]);
    for (size_t i = 2; i < n; i++)
        s += subid_size(oid[i]);
    return s;
}

size_t t_ber_size_oid(const uint32_t *oid, size_t n)
{
    size_t c = oid_content_size(oid, n);
    return t_ber_size_hdr(c) + c;
}

static void put_subid(uint8_t **p, uint64_t x)
{
    size_t n = subid_size(x);
    for (size_t i = n; i-- > 0;) {
        (*p)[i] = (uint8_t)((x & 0x7f) | (i == n - 1 ? 0 : 0x80));
        x >>= 7;
    }
    *p += n;
}

void t_benc_oid(struct t_benc *e, const uint32_t *oid, size_t n)
{
    size_t c = oid_content_size(oid, n);
    uint8_t *d = reserve(e, c);
    if (!d)
        return;
    if (n < 2) {
        /* Not a valid OID value; encode what there is (0.0 for an empty one). */
        d[0] = n == 1 ? (uint8_t)(oid[0] < 3 ? 40 * oid[0] : 0) : 0;
    } else {
        uint8_t *p = d;
        put_subid(&p, 40ull * oid[0] + oid[1]);
        for (size_t i = 2; i < n; i++)
            put_subid(&p, oid[i]);
    }
    t_benc_tl(e, T_BER_OID, c);
}

size_t t_ber_size_val(const struct t_val *v)
{
    size_t c;
    switch (v->tag) {
    case T_BER_INT:
        c = t_ber_size_int(v->num);
        break;
    case T_BER_COUNTER32:
    case T_BER_GAUGE32:
    case T_BER_TIMETICKS:
    case T_BER_COUNTER64:
        c = t_ber_size_uint((uint64_t)v->num);
        break;
    case T_BER_OID:
        c = oid_content_size(v->oidval, v->len);
        break;
    case T_BER_NULL:
    case T_BER_NOSUCHOBJECT:
    case T_BER_NOSUCHINSTANCE:
    case T_BER_ENDOFMIBVIEW:
        c = 0;
        break;
    default:
        c = v->len;
        break;
    }
    return t_ber_size_hdr(c) + c;
}

void t_benc_val(struct t_benc *e, const struct t_val *v)
{
    switch (v->tag) {
    case T_BER_INT:
        t_benc_int(e, v->tag, v->num);
        break;
    case T_BER_COUNTER32:
    case T_BER_GAUGE32:
    case T_BER_TIMETICKS:
        t_benc_uint(e, v->tag, (uint64_t)v->num & 0xffffffffu);
        break;
    case T_BER_COUNTER64:
        t_benc_uint(e, v->tag, (uint64_t)v->num);
        break;
    case T_BER_OID:
        t_benc_oid(e, v->oidval, v->len);
        break;
    case T_BER_NULL:
    case T_BER_NOSUCHOBJECT:
    case T_BER_NOSUCHINSTANCE:
    case T_BER_ENDOFMIBVIEW:
        t_benc_tl(e, v->tag, 0);
        break;
    default:
        t_benc_octets(e, v->tag, v->buf, v->len);
        break;
    }
}

/* ---------------------------------------------------------------------------------------------
 * Messages
 */
static int decode_value(struct t_ber *b, struct t_val *v)
{
    uint8_t tag;
    const uint8_t *p;
    size_t len;
    struct t_ber save = *b;
    if (t_ber_any(b, &tag, &p, &len) < 0)
        return -1;
    if (!v)
        return 0;
    memset(v, 0, sizeof *v);
    v->tag = tag;
    v->buf = p;
    v->len = len;
    switch (tag) {
    case T_BER_INT: {
        struct t_ber c = save;
        return t_ber_int(&c, tag, &v->num);
    }
    case T_BER_COUNTER32:
    case T_BER_GAUGE32:
    case T_BER_TIMETICKS:
    case T_BER_COUNTER64: {
        struct t_ber c = save;
        uint64_t u;
        if (t_ber_uint(&c, tag, &u) < 0)
            return -1;
        v->num = (int64_t)u;
        return 0;
    }
    default:
        return 0;
    }
}

static int decode_pdu(struct t_ber *b, struct t_msg *m)
{
    uint8_t tag;
    size_t len;
    struct t_ber pdu, vbl;
    if (t_ber_tl(b, &tag, &len) < 0)
        return -1;
    /* PDUs are context-specific constructed tags 0..8. */
    if (tag < T_PDU_GET || tag > T_PDU_REPORT)
        return -1;
    pdu.p = b->p;
    pdu.end = b->p + len;
    b->p += len;
    m->pdu_type = tag;
    if (tag == T_PDU_TRAP1)
        return -1; /* an SNMPv1 trap has another layout, and agents do not take traps */
    if (t_ber_int(&pdu, T_BER_INT, &m->req_id) < 0 ||
        t_ber_int(&pdu, T_BER_INT, &m->err_status) < 0 ||
        t_ber_int(&pdu, T_BER_INT, &m->err_index) < 0 || t_ber_enter(&pdu, T_BER_SEQ, &vbl) < 0)
        return -1;
    if (m->req_id < INT32_MIN || m->req_id > INT32_MAX)
        return -1;
    m->nvb = 0;
    m->too_many_vbs = false;
    while (vbl.p < vbl.end) {
        struct t_ber vb;
        if (t_ber_enter(&vbl, T_BER_SEQ, &vb) < 0)
            return -1;
        if (m->nvb >= m->vb_cap) {
            /* Keep checking the syntax but stop storing; the caller answers tooBig. */
            uint32_t scratch[T_MAX_OID];
            size_t n;
            if (t_ber_oid(&vb, scratch, T_MAX_OID, &n) < 0 || decode_value(&vb, NULL) < 0 ||
                vb.p != vb.end)
                return -1;
            m->too_many_vbs = true;
            continue;
        }
        struct t_reqvb *r = &m->vb[m->nvb];
        if (t_ber_oid(&vb, r->oid, T_MAX_OID, &r->oid_len) < 0 ||
            decode_value(&vb, m->vals ? &m->vals[m->nvb] : NULL) < 0 || vb.p != vb.end)
            return -1;
        m->nvb++;
    }
    m->has_pdu = true;
    return 0;
}

int t_scoped_decode(const uint8_t *p, size_t len, struct t_msg *m)
{
    struct t_ber b = {p, p + len}, sp;
    if (t_ber_enter(&b, T_BER_SEQ, &sp) < 0 ||
        t_ber_octets(&sp, T_BER_OCTETS, &m->ctx_engine, &m->ctx_engine_len) < 0 ||
        t_ber_octets(&sp, T_BER_OCTETS, &m->ctx_name, &m->ctx_name_len) < 0 ||
        decode_pdu(&sp, m) < 0 || sp.p != sp.end)
        return -1;
    return 0;
}

static int decode_usm(const uint8_t *p, size_t len, struct t_msg *m)
{
    struct t_ber b = {p, p + len}, s;
    if (t_ber_enter(&b, T_BER_SEQ, &s) < 0 || b.p != b.end ||
        t_ber_octets(&s, T_BER_OCTETS, &m->engine_id, &m->engine_id_len) < 0 ||
        t_ber_int(&s, T_BER_INT, &m->boots) < 0 || t_ber_int(&s, T_BER_INT, &m->time) < 0 ||
        t_ber_octets(&s, T_BER_OCTETS, &m->user, &m->user_len) < 0 ||
        t_ber_octets(&s, T_BER_OCTETS, &m->auth_params, &m->auth_params_len) < 0 ||
        t_ber_octets(&s, T_BER_OCTETS, &m->priv_params, &m->priv_params_len) < 0 || s.p != s.end)
        return -1;
    /* RFC 3414 bounds: boots and time are 0..2^31-1, the engine ID 5..32 octets (or empty in
     * discovery), the user name at most 32 octets. */
    if (m->boots < 0 || m->boots > INT32_MAX || m->time < 0 || m->time > INT32_MAX ||
        m->engine_id_len > 32 || m->user_len > 32)
        return -1;
    return 0;
}

int t_msg_decode(const uint8_t *pkt, size_t len, struct t_msg *m)
{
    struct t_ber b = {pkt, pkt + len}, msg;
    struct t_reqvb *vb = m->vb;
    struct t_val *vals = m->vals;
    size_t cap = m->vb_cap;
    memset(m, 0, sizeof *m);
    m->vb = vb;
    m->vals = vals;
    m->vb_cap = cap;
    if (t_ber_enter(&b, T_BER_SEQ, &msg) < 0 || b.p != b.end ||
        t_ber_int(&msg, T_BER_INT, &m->version) < 0)
        return -1;
    if (m->version == 0 || m->version == 1) {
        if (t_ber_octets(&msg, T_BER_OCTETS, &m->community, &m->community_len) < 0 ||
            decode_pdu(&msg, m) < 0 || msg.p != msg.end)
            return -1;
        return 0;
    }
    if (m->version != 3)
        return 0; /* the caller counts unknown versions */
    struct t_ber g;
    const uint8_t *flags, *sec;
    size_t flags_len, sec_len;
    if (t_ber_enter(&msg, T_BER_SEQ, &g) < 0 || t_ber_int(&g, T_BER_INT, &m->msg_id) < 0 ||
        t_ber_int(&g, T_BER_INT, &m->msg_max_size) < 0 ||
        t_ber_octets(&g, T_BER_OCTETS, &flags, &flags_len) < 0 ||
        t_ber_int(&g, T_BER_INT, &m->sec_model) < 0 || g.p != g.end || flags_len != 1 ||
        m->msg_id < 0 || m->msg_id > INT32_MAX || m->msg_max_size < 484 ||
        m->msg_max_size > INT32_MAX)
        return -1;
    m->flags = flags[0];
    if (t_ber_octets(&msg, T_BER_OCTETS, &sec, &sec_len) < 0)
        return -1;
    /* The security parameters are only USM's when the model says so (checked by the caller);
     * decode them anyway, as any other model is dropped. */
    if (m->sec_model == 3 && decode_usm(sec, sec_len, m) < 0)
        return -1;
    uint8_t tag;
    if (t_ber_any(&msg, &tag, &m->data, &m->data_len) < 0 || msg.p != msg.end)
        return -1;
    if (tag == T_BER_OCTETS) {
        m->encrypted = true;
        return 0;
    }
    if (tag != T_BER_SEQ)
        return -1;
    /* Plaintext: the data is the scoped PDU's SEQUENCE content. */
    struct t_ber sp = {m->data, m->data + m->data_len};
    if (t_ber_octets(&sp, T_BER_OCTETS, &m->ctx_engine, &m->ctx_engine_len) < 0 ||
        t_ber_octets(&sp, T_BER_OCTETS, &m->ctx_name, &m->ctx_name_len) < 0 ||
        decode_pdu(&sp, m) < 0 || sp.p != sp.end)
        return -1;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Text forms shared by the simulator and the load generator
 */
char *t_addr_format(uint32_t a, char buf[static 16])
{
    snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
    return buf;
}

int t_addr_parse(const char *text, uint32_t *addr)
{
    uint32_t a = 0;
    const char *p = text;
    for (int k = 0; k < 4; k++) {
        unsigned v = 0;
        int digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(*p++ - '0');
            digits++;
        }
        if (digits == 0 || digits > 3 || v > 255)
            return -1;
        a = (a << 8) | v;
        if (k < 3 && *p++ != '.')
            return -1;
    }
    if (*p)
        return -1;
    *addr = a;
    return 0;
}

char *t_hex(const uint8_t *p, size_t len, char *buf)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        buf[2 * i] = hx[p[i] >> 4];
        buf[2 * i + 1] = hx[p[i] & 15];
    }
    buf[2 * len] = '\0';
    return buf;
}
