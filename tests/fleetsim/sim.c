/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The simulator proper: the MIB view each device answers from, SNMP PDU processing for v1,
 * v2c and v3/USM, and the UDP front end.
 *
 * Packet path. One UDP socket bound to 0.0.0.0:PORT receives for every address of 127.0.0.0/8
 * (Linux delivers the whole loopback net locally). IP_PKTINFO tells which device a datagram was
 * sent to, and the reply goes out with that address as its source (ipi_spec_dst), so each
 * device looks like its own host. Anything whose source or destination lies outside 127/8 is
 * dropped, and the socket is also bound to the loopback interface where the kernel allows it,
 * so the simulator never answers off-box. Datagrams are read and written in batches with
 * recvmmsg/sendmmsg from a uv_poll_t (libuv's own UDP handle cannot pass control messages),
 * which keeps the per-packet system-call cost low enough for tens of thousands of SNMPv3
 * requests a second on one core.
 *
 * The MIB view of a device is its profile's sorted entry array (profile.c) with dynamic
 * entries resolved against the device (device.c) at read time, plus the generated alert
 * table. GET is a binary search, GETNEXT a binary search and a step; GETBULK repeats GETNEXT
 * within the response size limit and truncates at the varbind that would not fit.
 *
 * SNMPv3 follows RFC 3414 3.2 in order: engine ID (discovery), user, security level, digest,
 * time window, decryption. Failures are counted and answered with the matching usmStats
 * Report when the request is reportable: unauthenticated, except the time-window Report,
 * which is authenticated so the requester can trust the boots and time it carries.
 *
 * Start-up ends with a probe: a second socket sends a v2c GET to every device address and
 * waits for each reply to come back from that very address. Only then is "ready" printed, so
 * a test that waits for it knows every device answers.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "tests/fleetsim/fleetsim.h"

#define BATCH 64

/* ---------------------------------------------------------------------------------------------
 * Helpers
 */
void t_log(const struct t_sim *sim, int level, const char *fmt, ...)
{
    if (sim && level > sim->opt.verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("fleetsim: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---------------------------------------------------------------------------------------------
 * Address table: open addressing with linear probing and backward-shift deletion, so that
 * moving devices around never leaves tombstones behind.
 */
static size_t home(const struct t_sim *sim, uint32_t addr)
{
    return (size_t)((addr * 2654435761u) ^ (addr >> 16)) & sim->hmask;
}

struct t_dev *t_sim_find(const struct t_sim *sim, uint32_t addr)
{
    if (!sim->htab)
        return NULL;
    for (size_t i = home(sim, addr);; i = (i + 1) & sim->hmask) {
        uint32_t v = sim->htab[i];
        if (!v)
            return NULL;
        if (sim->dev[v - 1].addr == addr)
            return &sim->dev[v - 1];
    }
}

static void htab_insert(struct t_sim *sim, struct t_dev *d)
{
    size_t i = home(sim, d->addr);
    while (sim->htab[i])
        i = (i + 1) & sim->hmask;
    sim->htab[i] = d->index + 1;
}

static void htab_remove(struct t_sim *sim, struct t_dev *d)
{
    size_t i = home(sim, d->addr);
    while (sim->htab[i] != d->index + 1) {
        GW_ASSERT(sim->htab[i]);
        i = (i + 1) & sim->hmask;
    }
    size_t j = i;
    for (;;) {
        j = (j + 1) & sim->hmask;
        if (!sim->htab[j])
            break;
        size_t k = home(sim, sim->dev[sim->htab[j] - 1].addr);
        /* Move the entry at j into the hole at i unless its home lies cyclically in (i, j]. */
        bool stays = i <= j ? (k > i && k <= j) : (k > i || k <= j);
        if (!stays) {
            sim->htab[i] = sim->htab[j];
            i = j;
        }
    }
    sim->htab[i] = 0;
}

int t_sim_move(struct t_sim *sim, struct t_dev *d, uint32_t addr)
{
    if (!t_is_loopback(addr) || (addr & 0xffffff) == 0 || (addr & 0xffffff) == 0xffffff)
        return GW_E_INVAL;
    struct t_dev *o = t_sim_find(sim, addr);
    if (o)
        return o == d ? 0 : GW_E_EXISTS;
    htab_remove(sim, d);
    d->addr = addr;
    htab_insert(sim, d);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Per-request scratch: dynamic values and generated OIDs live here until the reply is sent.
 */
static uint8_t arena[1 << 19];
static size_t arena_used;

static void *arena_alloc(size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if (n > sizeof arena - arena_used)
        return NULL;
    void *p = arena + arena_used;
    arena_used += n;
    return p;
}

struct rvb {
    const uint32_t *oid;
    size_t oid_len;
    struct t_val v;
};
static struct rvb rvb[T_MAX_RESP_VB];
static struct t_reqvb req_vb[T_MAX_VB];

/* Values a profile holds as text (and anything unknown) are served as OCTET STRINGs. */
static uint8_t vtag(const struct snmpc_vb *vb)
{
    uint8_t t = t_tag_of(vb->type);
    return t ? t : T_BER_OCTETS;
}

static bool set_text(struct t_val *v, const void *p, size_t n)
{
    uint8_t *b = arena_alloc(n ? n : 1);
    if (!b)
        return false;
    memcpy(b, p, n);
    v->tag = T_BER_OCTETS;
    v->buf = b;
    v->len = n;
    return true;
}

/* Clamps a counter into what its SNMP type can carry. */
static int64_t fit(uint8_t tag, uint64_t x)
{
    switch (tag) {
    case T_BER_INT:
        return x > INT32_MAX ? INT32_MAX : (int64_t)x;
    case T_BER_GAUGE32:
        return x > UINT32_MAX ? UINT32_MAX : (int64_t)x;
    case T_BER_COUNTER32:
        return (int64_t)(x & 0xffffffffu); /* wraps, as a Counter32 does */
    default:
        return (int64_t)x;
    }
}

static bool resolve(struct t_sim *sim, const struct t_dev *d, const struct t_entry *e,
                    struct t_val *v)
{
    const struct t_profile *p = &sim->prof[d->profile];
    const struct snmpc_vb *vb = e->vb;
    memset(v, 0, sizeof *v);
    v->tag = vtag(vb);
    v->num = vb->num;
    v->buf = vb->buf;
    v->len = vb->len;
    v->oidval = vb->oidval;
    switch (e->dyn) {
    case T_DYN_UPTIME:
        v->tag = T_BER_TIMETICKS;
        v->num = t_dev_uptime(sim, d);
        break;
    case T_DYN_SYSNAME: {
        char name[32];
        const char *pre = p->enterprise == 1347   ? "KM"
                          : p->enterprise == 11   ? "NPI"
                          : p->enterprise == 2435 ? "BRN"
                                                  : "PRN";
        snprintf(name, sizeof name, "%s%02X%02X%02X", pre, d->mac[3], d->mac[4], d->mac[5]);
        return set_text(v, name, strlen(name));
    }
    case T_DYN_SERIAL:
        return set_text(v, d->serial, strlen(d->serial));
    case T_DYN_SERIAL_IN: {
        size_t sl = strlen(d->serial);
        if (!set_text(v, vb->buf, vb->len))
            return false;
        if ((size_t)e->arg + sl <= vb->len)
            memcpy((uint8_t *)v->buf + e->arg, d->serial, sl);
        break;
    }
    case T_DYN_MAC: {
        uint8_t mac[6];
        memcpy(mac, d->mac, 6);
        mac[5] = (uint8_t)(mac[5] + e->arg);
        return set_text(v, mac, 6);
    }
    case T_DYN_COUNTER:
        v->tag = p->ctr[e->arg].tag ? p->ctr[e->arg].tag : v->tag;
        v->num = fit(v->tag, t_dev_counter(sim, d, e->arg));
        break;
    case T_DYN_POWERON: {
        uint64_t life = t_dev_life(sim, d);
        v->num = fit(v->tag, life > d->life_at_boot ? life - d->life_at_boot : 0);
        break;
    }
    case T_DYN_LEVEL:
        v->tag = T_BER_INT;
        v->num = t_dev_level(sim, d, e->arg);
        break;
    case T_DYN_ERRSTATE: {
        uint8_t b[2];
        size_t n = t_dev_errstate(sim, d, b);
        return set_text(v, b, n);
    }
    case T_DYN_PRTSTATUS:
        v->tag = T_BER_INT;
        v->num = t_dev_prtstatus(sim, d);
        break;
    case T_DYN_DEVSTATUS:
        v->tag = T_BER_INT;
        v->num = t_dev_devstatus(sim, d);
        break;
    case T_DYN_ALERTS_CRIT:
        v->num = fit(v->tag, d->alerts_crit);
        break;
    case T_DYN_ALERTS_ALL:
        v->num = fit(v->tag, d->alerts_all);
        break;
    case T_DYN_CONSOLE: {
        const char *t = t_dev_console(sim, d);
        v->tag = T_BER_OCTETS;
        v->buf = (const uint8_t *)t;
        v->len = strlen(t);
        break;
    }
    case T_DYN_ENGINE_ID:
        v->tag = T_BER_OCTETS;
        v->buf = d->engine_id;
        v->len = d->engine_len;
        break;
    case T_DYN_ENGINE_BOOTS:
        v->tag = T_BER_INT;
        v->num = d->boots;
        break;
    case T_DYN_ENGINE_TIME:
        v->tag = T_BER_INT;
        v->num = t_dev_engine_time(sim, d);
        break;
    case T_DYN_ENGINE_MAXSIZE:
        v->tag = T_BER_INT;
        v->num = T_RX_MAX;
        break;
    default:
        break;
    }
    return true;
}

/* The alert table: rows prtAlertEntry.<col>.<hrDeviceIndex>.<prtAlertIndex>, columns 2..9
 * (prtAlertIndex itself is not-accessible). */
static bool alert_row(struct t_sim *sim, const struct t_dev *d, const struct t_entry *e,
                      uint32_t col, const struct t_alert *a, struct rvb *out)
{
    uint32_t *o = arena_alloc((e->oid_len + 3) * sizeof *o);
    char *text = arena_alloc(96);
    if (!o || !text)
        return false;
    memcpy(o, e->oid, e->oid_len * sizeof *o);
    o[e->oid_len] = col;
    o[e->oid_len + 1] = sim->prof[d->profile].hr_index;
    o[e->oid_len + 2] = a->index;
    out->oid = o;
    out->oid_len = e->oid_len + 3u;
    t_dev_alert_value(sim, d, a, col, &out->v, text, 96);
    return true;
}

/* Returns: 1 with the first row after oid in out, 0 when there is none, -1 out of scratch. */
static int table_next(struct t_sim *sim, const struct t_dev *d, const struct t_entry *e,
                      const uint32_t *oid, size_t len, struct rvb *out)
{
    uint32_t row[T_MAX_OID];
    size_t pl = e->oid_len;
    memcpy(row, e->oid, pl * sizeof *row);
    row[pl + 1] = sim->prof[d->profile].hr_index;
    for (uint32_t col = 2; col <= 9; col++) {
        row[pl] = col;
        for (size_t i = 0; i < d->nalert; i++) {
            row[pl + 2] = d->alert[i].index;
            if (snmpc_oid_cmp(row, pl + 3, oid, len) > 0)
                return alert_row(sim, d, e, col, &d->alert[i], out) ? 1 : -1;
        }
    }
    return 0;
}

/* Outcome of a lookup: 0 found, -1 out of scratch, or a v2 exception tag. */
static int view_get(struct t_sim *sim, const struct t_dev *d, const uint32_t *oid, size_t len,
                    struct rvb *out)
{
    const struct t_profile *p = &sim->prof[d->profile];
    size_t i = t_profile_lower_bound(p, oid, len);
    out->oid = oid;
    out->oid_len = len;
    if (i < p->n && p->e[i].dyn != T_DYN_ALERT_TABLE &&
        snmpc_oid_cmp(p->e[i].oid, p->e[i].oid_len, oid, len) == 0)
        return resolve(sim, d, &p->e[i], &out->v) ? 0 : -1;
    if (i > 0 && p->e[i - 1].dyn == T_DYN_ALERT_TABLE &&
        snmpc_oid_has_prefix(oid, len, p->e[i - 1].oid, p->e[i - 1].oid_len)) {
        const struct t_entry *e = &p->e[i - 1];
        size_t pl = e->oid_len;
        if (len == pl + 3 && oid[pl] >= 2 && oid[pl] <= 9 && oid[pl + 1] == p->hr_index) {
            for (size_t k = 0; k < d->nalert; k++)
                if (d->alert[k].index == oid[pl + 2]) {
                    struct rvb r;
                    if (!alert_row(sim, d, e, oid[pl], &d->alert[k], &r))
                        return -1;
                    out->v = r.v;
                    return 0;
                }
        }
        return len == pl + 3 && oid[pl] >= 2 && oid[pl] <= 9 ? T_BER_NOSUCHINSTANCE
                                                             : T_BER_NOSUCHOBJECT;
    }
    /* noSuchInstance when a neighbour shares everything but the last sub-id (the object
     * exists, the instance does not); noSuchObject otherwise. */
    size_t best = 0;
    for (size_t k = i > 0 ? i - 1 : 0; k <= i && k < p->n; k++) {
        size_t c = 0;
        while (c < len && c < p->e[k].oid_len && p->e[k].oid[c] == oid[c])
            c++;
        if (c > best)
            best = c;
    }
    return len >= 2 && best >= len - 1 ? T_BER_NOSUCHINSTANCE : T_BER_NOSUCHOBJECT;
}

static int view_next(struct t_sim *sim, const struct t_dev *d, const uint32_t *oid, size_t len,
                     bool v1, struct rvb *out)
{
    const struct t_profile *p = &sim->prof[d->profile];
    size_t i = t_profile_lower_bound(p, oid, len);
    if (i > 0 && p->e[i - 1].dyn == T_DYN_ALERT_TABLE &&
        snmpc_oid_has_prefix(oid, len, p->e[i - 1].oid, p->e[i - 1].oid_len))
        i--;
    for (; i < p->n; i++) {
        const struct t_entry *e = &p->e[i];
        if (e->dyn == T_DYN_ALERT_TABLE) {
            int r = table_next(sim, d, e, oid, len, out);
            if (r != 0)
                return r > 0 ? 0 : -1;
            continue;
        }
        if (snmpc_oid_cmp(e->oid, e->oid_len, oid, len) <= 0)
            continue;
        if (!resolve(sim, d, e, &out->v))
            return -1;
        /* SNMPv1 cannot carry Counter64: GETNEXT skips it (RFC 3584 4.2.2.1). */
        if (v1 && out->v.tag == T_BER_COUNTER64)
            continue;
        out->oid = e->oid;
        out->oid_len = e->oid_len;
        return 0;
    }
    out->oid = oid;
    out->oid_len = len;
    return T_BER_ENDOFMIBVIEW;
}

/* ---------------------------------------------------------------------------------------------
 * PDU processing
 */
struct resp {
    uint8_t type;
    int64_t req_id;
    int64_t err_status, err_index;
    size_t n;
    bool echo; /* v1 errors: send the request's varbinds back */
};

static size_t vb_size(const struct rvb *r)
{
    size_t c = t_ber_size_oid(r->oid, r->oid_len) + t_ber_size_val(&r->v);
    return t_ber_size_hdr(c) + c;
}

static void set_error(struct resp *r, int v1, int64_t status, size_t index)
{
    r->err_status = status;
    r->err_index = (int64_t)index;
    r->echo = v1 || status == T_ERR_NOSUCHNAME;
    r->n = 0;
}

static void enc_pdu(struct t_benc *e, const struct resp *r, const struct t_msg *m)
{
    size_t mark = t_benc_len(e);
    if (r->echo) {
        static const struct t_val null = {.tag = T_BER_NULL};
        for (size_t i = m->nvb; i-- > 0;) {
            size_t mv = t_benc_len(e);
            t_benc_val(e, &null);
            t_benc_oid(e, m->vb[i].oid, m->vb[i].oid_len);
            t_benc_seq(e, T_BER_SEQ, mv);
        }
    } else {
        for (size_t i = r->n; i-- > 0;) {
            size_t mv = t_benc_len(e);
            t_benc_val(e, &rvb[i].v);
            t_benc_oid(e, rvb[i].oid, rvb[i].oid_len);
            t_benc_seq(e, T_BER_SEQ, mv);
        }
    }
    t_benc_seq(e, T_BER_SEQ, mark);
    t_benc_int(e, T_BER_INT, r->err_index);
    t_benc_int(e, T_BER_INT, r->err_status);
    t_benc_int(e, T_BER_INT, r->req_id);
    t_benc_seq(e, r->type, mark);
}

static void do_get(struct t_sim *sim, const struct t_dev *d, const struct t_msg *m, bool v1,
                   struct resp *r)
{
    for (size_t i = 0; i < m->nvb; i++) {
        int rc = view_get(sim, d, m->vb[i].oid, m->vb[i].oid_len, &rvb[i]);
        if (rc < 0) {
            set_error(r, v1, T_ERR_GENERR, i + 1);
            return;
        }
        if (v1 && (rc != 0 || rvb[i].v.tag == T_BER_COUNTER64)) {
            set_error(r, v1, T_ERR_NOSUCHNAME, i + 1);
            return;
        }
        if (rc != 0)
            rvb[i].v = (struct t_val){.tag = (uint8_t)rc};
    }
    r->n = m->nvb;
}

static void do_getnext(struct t_sim *sim, const struct t_dev *d, const struct t_msg *m, bool v1,
                       struct resp *r)
{
    for (size_t i = 0; i < m->nvb; i++) {
        int rc = view_next(sim, d, m->vb[i].oid, m->vb[i].oid_len, v1, &rvb[i]);
        if (rc < 0) {
            set_error(r, v1, T_ERR_GENERR, i + 1);
            return;
        }
        if (v1 && rc != 0) {
            set_error(r, v1, T_ERR_NOSUCHNAME, i + 1);
            return;
        }
        if (rc != 0)
            rvb[i].v = (struct t_val){.tag = (uint8_t)rc};
    }
    r->n = m->nvb;
}

/* GETBULK (RFC 3416 4.2.3): N non-repeaters once, then up to M rounds of the R repeaters, each
 * continuing from its own last result; stops early once every repeater is past the end of the
 * MIB view, or when the varbinds already take the size budget. */
static void do_getbulk(struct t_sim *sim, const struct t_dev *d, const struct t_msg *m,
                       size_t budget, struct resp *r)
{
    size_t nvb = m->nvb;
    size_t N = m->err_status < 0 ? 0 : (size_t)m->err_status > nvb ? nvb : (size_t)m->err_status;
    size_t M = m->err_index < 0 ? 0 : m->err_index > INT32_MAX ? INT32_MAX : (size_t)m->err_index;
    size_t R = nvb - N, out = 0, used = 0;
    r->err_status = r->err_index = 0;
    for (size_t i = 0; i < N; i++) {
        int rc = view_next(sim, d, m->vb[i].oid, m->vb[i].oid_len, false, &rvb[out]);
        if (rc < 0)
            goto full;
        if (rc != 0)
            rvb[out].v = (struct t_val){.tag = (uint8_t)rc};
        used += vb_size(&rvb[out]);
        if (used > budget)
            goto full;
        out++;
    }
    size_t prev = out;
    for (size_t rep = 0; R && rep < M; rep++) {
        bool all_end = true;
        size_t row = out;
        for (size_t j = 0; j < R; j++) {
            if (out >= T_MAX_RESP_VB)
                goto full;
            const uint32_t *oid = rep ? rvb[prev + j].oid : m->vb[N + j].oid;
            size_t len = rep ? rvb[prev + j].oid_len : m->vb[N + j].oid_len;
            int rc = view_next(sim, d, oid, len, false, &rvb[out]);
            if (rc < 0)
                goto full;
            if (rc != 0)
                rvb[out].v = (struct t_val){.tag = (uint8_t)rc};
            else
                all_end = false;
            used += vb_size(&rvb[out]);
            if (used > budget)
                goto full;
            out++;
        }
        prev = row;
        if (all_end)
            break;
    }
full:
    r->n = out;
}

/* Processes the PDU of m for d into the response PDU at the front of e's free space.
 * Returns: 0 with the PDU encoded, 1 when nothing is to be answered. */
static int process(struct t_sim *sim, const struct t_dev *d, const struct t_msg *m, bool v1,
                   size_t limit, size_t overhead, struct t_benc *e)
{
    struct resp r = {.type = T_PDU_RESPONSE, .req_id = m->req_id};
    size_t budget = limit > overhead ? limit - overhead : 0;
    arena_used = 0;
    switch (m->pdu_type) {
    case T_PDU_GET:
        sim->st.get++;
        break;
    case T_PDU_GETNEXT:
        sim->st.getnext++;
        break;
    case T_PDU_GETBULK:
        sim->st.getbulk++;
        if (v1) {
            /* GETBULK does not exist in SNMPv1: drop (RFC 3584 4.1). */
            sim->st.malformed++;
            return 1;
        }
        break;
    case T_PDU_SET:
        sim->st.set++;
        break;
    default:
        sim->st.other_pdu++;
        return 1;
    }
    if (m->too_many_vbs) {
        set_error(&r, v1, T_ERR_TOOBIG, 0);
        r.echo = false;
    } else if (m->pdu_type == T_PDU_GET) {
        do_get(sim, d, m, v1, &r);
    } else if (m->pdu_type == T_PDU_GETNEXT) {
        do_getnext(sim, d, m, v1, &r);
    } else if (m->pdu_type == T_PDU_GETBULK) {
        do_getbulk(sim, d, m, budget, &r);
    } else {
        /* Printers here are read-only: v1 says noSuchName, v2c/v3 notWritable. */
        set_error(&r, v1, v1 ? T_ERR_NOSUCHNAME : T_ERR_NOTWRITABLE, m->nvb ? 1 : 0);
        r.echo = true;
    }
    size_t start = e->pos;
    enc_pdu(e, &r, m);
    size_t total = t_benc_len(e) - (e->cap - start) + overhead;
    if (!e->err && total <= limit)
        return 0;
    /* Too big: a GETBULK loses varbinds from its end; anything else answers tooBig. */
    e->pos = start;
    e->err = false;
    if (m->pdu_type == T_PDU_GETBULK && !r.echo) {
        while (r.n > 0 && total > limit) {
            total -= vb_size(&rvb[--r.n]);
        }
        enc_pdu(e, &r, m);
        if (!e->err && t_benc_len(e) - (e->cap - start) + overhead <= limit)
            return 0;
        e->pos = start;
        e->err = false;
    }
    sim->st.too_big++;
    set_error(&r, v1, T_ERR_TOOBIG, 0);
    r.echo = v1;
    enc_pdu(e, &r, m);
    if (e->err || t_benc_len(e) - (e->cap - start) + overhead > limit)
        return 1;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Messages
 */
static size_t finish(struct t_benc *e, uint8_t *out)
{
    size_t n = t_benc_len(e);
    memmove(out, t_benc_data(e), n);
    return n;
}

static size_t community_msg(struct t_sim *sim, const struct t_dev *d, const struct t_msg *m,
                            uint8_t *out, size_t cap)
{
    struct t_benc e;
    bool v1 = m->version == 0;
    size_t limit = sim->opt.max_msg < cap ? sim->opt.max_msg : cap;
    /* Message framing around the PDU: sequence, version, community. */
    size_t overhead = 4 + 3 + t_ber_size_hdr(m->community_len) + m->community_len;
    if (m->community_len != strlen(sim->opt.community) ||
        memcmp(m->community, sim->opt.community, m->community_len) != 0) {
        sim->st.bad_community++;
        return 0;
    }
    t_benc_init(&e, out, cap);
    if (process(sim, d, m, v1, limit, overhead, &e) != 0)
        return 0;
    t_benc_octets(&e, T_BER_OCTETS, m->community, m->community_len);
    t_benc_int(&e, T_BER_INT, m->version);
    t_benc_seq(&e, T_BER_SEQ, 0);
    if (e.err || t_benc_len(&e) > limit)
        return 0;
    return finish(&e, out);
}

static const uint32_t report_oids[T_REP_N][11] = {
    [T_REP_UNKNOWN_ENGINE] = {1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0},
    [T_REP_UNKNOWN_USER] = {1, 3, 6, 1, 6, 3, 15, 1, 1, 3, 0},
    [T_REP_WRONG_DIGEST] = {1, 3, 6, 1, 6, 3, 15, 1, 1, 5, 0},
    [T_REP_TIME_WINDOW] = {1, 3, 6, 1, 6, 3, 15, 1, 1, 2, 0},
    [T_REP_DECRYPT] = {1, 3, 6, 1, 6, 3, 15, 1, 1, 6, 0},
    [T_REP_SECLEVEL] = {1, 3, 6, 1, 6, 3, 15, 1, 1, 1, 0},
    [T_REP_UNKNOWN_CONTEXT] = {1, 3, 6, 1, 6, 3, 12, 1, 5, 0},
};

static void v3out_fill(struct t_sim *sim, const struct t_dev *d, const struct t_msg *m,
                       uint8_t level, struct t_v3out *o)
{
    memset(o, 0, sizeof *o);
    o->msg_id = m->msg_id;
    o->max_size = T_RX_MAX;
    o->flags = level;
    o->engine_id = d->engine_id;
    o->engine_id_len = d->engine_len;
    o->user = m->user;
    o->user_len = m->user_len;
    o->boots = d->boots;
    o->time = t_dev_engine_time(sim, d);
    if (level & 1) {
        o->auth = sim->auth;
        o->kul_auth = t_sim_kul_auth(sim, d);
        if (level & 2)
            o->kul_priv = t_sim_kul_priv(sim, d);
    }
    o->salt = sim->salt++;
}

static size_t v3_report(struct t_sim *sim, const struct t_dev *d, const struct t_msg *m,
                        enum t_report which, uint8_t level, uint8_t *out, size_t cap)
{
    static uint8_t spbuf[1024];
    struct t_benc s, e;
    sim->st.rep[which]++;
    if (!(m->flags & 4))
        return 0;
    sim->st.reports++;
    t_benc_init(&s, spbuf, sizeof spbuf);
    size_t mark = t_benc_len(&s);
    size_t mv = t_benc_len(&s);
    t_benc_uint(&s, T_BER_COUNTER32, sim->st.rep[which] & 0xffffffffu);
    t_benc_oid(&s, report_oids[which], which == T_REP_UNKNOWN_CONTEXT ? 10 : 11);
    t_benc_seq(&s, T_BER_SEQ, mv);
    t_benc_seq(&s, T_BER_SEQ, mark);
    t_benc_int(&s, T_BER_INT, 0);
    t_benc_int(&s, T_BER_INT, 0);
    t_benc_int(&s, T_BER_INT, m->has_pdu ? m->req_id : 0);
    t_benc_seq(&s, T_PDU_REPORT, mark);
    t_benc_octets(&s, T_BER_OCTETS, "", 0);
    t_benc_octets(&s, T_BER_OCTETS, d->engine_id, d->engine_len);
    t_benc_seq(&s, T_BER_SEQ, 0);
    struct t_v3out o;
    v3out_fill(sim, d, m, level, &o);
    t_benc_init(&e, out, cap);
    if (s.err || t_v3_encode(&e, &o, t_benc_data(&s), t_benc_len(&s)) < 0)
        return 0;
    return finish(&e, out);
}

/* Everything after the security checks: access, context, the PDU itself. */
static size_t v3_scoped(struct t_sim *sim, const struct t_dev *d, struct t_msg *m, uint8_t level,
                        uint8_t *out, size_t cap)
{
    static uint8_t spbuf[T_TX_MAX];
    struct t_benc s, e;
    if (!m->has_pdu) {
        sim->st.malformed++;
        return 0;
    }
    if (m->ctx_name_len != 0)
        return v3_report(sim, d, m, T_REP_UNKNOWN_CONTEXT, level, out, cap);
    size_t limit =
        sim->opt.max_msg < (size_t)m->msg_max_size ? sim->opt.max_msg : (size_t)m->msg_max_size;
    if (limit > cap)
        limit = cap;
    /* The v3 framing around the PDU: header, USM parameters, scoped PDU header, padding. */
    size_t overhead = 64 + 2 * d->engine_len + m->user_len + (level & 1 ? sim->auth->mac_len : 0) +
                      (level & 2 ? T_SALT_LEN + 4 : 0);
    t_benc_init(&s, spbuf, sizeof spbuf);
    if ((level & 1) == 0 && sim->auth) {
        /* The user has keys, so unauthenticated access is not granted: authorizationError. */
        struct resp r = {.type = T_PDU_RESPONSE, .req_id = m->req_id};
        set_error(&r, false, T_ERR_AUTHORIZATION, 0);
        r.echo = false;
        enc_pdu(&s, &r, m);
    } else if (process(sim, d, m, false, limit, overhead, &s) != 0) {
        return 0;
    }
    t_benc_octets(&s, T_BER_OCTETS, m->ctx_name, m->ctx_name_len);
    t_benc_octets(&s, T_BER_OCTETS, d->engine_id, d->engine_len);
    t_benc_seq(&s, T_BER_SEQ, 0);
    if (s.err)
        return 0;
    struct t_v3out o;
    v3out_fill(sim, d, m, level, &o);
    t_benc_init(&e, out, cap);
    if (t_v3_encode(&e, &o, t_benc_data(&s), t_benc_len(&s)) < 0)
        return 0;
    return finish(&e, out);
}

static size_t v3_msg(struct t_sim *sim, const struct t_dev *d, const uint8_t *pkt, size_t len,
                     struct t_msg *m, uint8_t *out, size_t cap)
{
    static uint8_t dec[T_RX_MAX];
    uint8_t f = m->flags;
    bool auth = f & 1, priv = f & 2;
    if (m->sec_model != 3 || (priv && !auth)) {
        /* snmpUnknownSecurityModels / snmpInvalidMsgs: dropped without a report. */
        sim->st.malformed++;
        return 0;
    }
    if (m->engine_id_len != d->engine_len || memcmp(m->engine_id, d->engine_id, d->engine_len))
        return v3_report(sim, d, m, T_REP_UNKNOWN_ENGINE, 0, out, cap);
    if (!sim->user || m->user_len != sim->user_len || memcmp(m->user, sim->user, m->user_len))
        return v3_report(sim, d, m, T_REP_UNKNOWN_USER, 0, out, cap);
    if ((auth && !sim->auth) || (priv && !sim->has_priv))
        return v3_report(sim, d, m, T_REP_SECLEVEL, 0, out, cap);
    if (auth) {
        if (!t_usm_verify(sim->auth, t_sim_kul_auth(sim, d), pkt, len, m))
            return v3_report(sim, d, m, T_REP_WRONG_DIGEST, 0, out, cap);
        int64_t now = t_dev_engine_time(sim, d);
        if (m->boots == INT32_MAX || m->boots != d->boots || m->time > now + T_TIME_WINDOW_S ||
            m->time < now - T_TIME_WINDOW_S)
            return v3_report(sim, d, m, T_REP_TIME_WINDOW, 1, out, cap);
    }
    if (priv) {
        if (!m->encrypted || m->priv_params_len != T_SALT_LEN || m->data_len > sizeof dec ||
            t_usm_aes(false, t_sim_kul_priv(sim, d), (uint32_t)m->boots, (uint32_t)m->time,
                      m->priv_params, m->data, m->data_len, dec) < 0 ||
            t_scoped_decode(dec, m->data_len, m) < 0)
            return v3_report(sim, d, m, T_REP_DECRYPT, 0, out, cap);
    } else if (m->encrypted) {
        sim->st.malformed++;
        return 0;
    }
    return v3_scoped(sim, d, m, f & 3, out, cap);
}

size_t t_sim_packet(struct t_sim *sim, uint32_t src, uint32_t dst, const uint8_t *pkt, size_t len,
                    uint8_t *out, size_t cap)
{
    struct t_msg m = {.vb = req_vb, .vb_cap = T_MAX_VB};
    sim->st.rx++;
    if (!t_is_loopback(src) || !t_is_loopback(dst)) {
        sim->st.offbox++;
        return 0;
    }
    struct t_dev *d = t_sim_find(sim, dst);
    if (!d) {
        sim->st.no_device++;
        return 0;
    }
    if (d->flags & T_F_DOWN) {
        sim->st.down++;
        return 0;
    }
    /* SNMP disabled (--snmp-off): silent once ready; the start-up probe still gets answers. */
    if ((d->flags & T_F_NOSNMP) && sim->ready) {
        sim->st.down++;
        return 0;
    }
    if (t_msg_decode(pkt, len, &m) < 0) {
        sim->st.malformed++;
        return 0;
    }
    switch (m.version) {
    case 0:
        sim->st.v1++;
        return community_msg(sim, d, &m, out, cap);
    case 1:
        sim->st.v2c++;
        return community_msg(sim, d, &m, out, cap);
    case 3:
        sim->st.v3++;
        return v3_msg(sim, d, pkt, len, &m, out, cap);
    default:
        sim->st.bad_version++;
        return 0;
    }
}

size_t t_sim_scoped(struct t_sim *sim, struct t_dev *d, const uint8_t *sp, size_t len, uint8_t *out,
                    size_t cap)
{
    static const uint8_t none[1];
    struct t_msg m = {.vb = req_vb, .vb_cap = T_MAX_VB};
    m.version = 3;
    m.msg_id = 1;
    m.msg_max_size = T_RX_MAX;
    m.flags = sim->has_priv ? 7 : 5;
    m.sec_model = 3;
    m.user = sim->user ? sim->user : none;
    m.user_len = sim->user_len;
    if (!sim->auth || t_scoped_decode(sp, len, &m) < 0)
        return 0;
    return v3_scoped(sim, d, &m, m.flags & 3, out, cap);
}

/* ---------------------------------------------------------------------------------------------
 * I/O
 */
static struct mmsghdr rx_msg[BATCH], tx_msg[BATCH];
static struct iovec rx_iov[BATCH], tx_iov[BATCH];
static struct sockaddr_in rx_from[BATCH];
static uint8_t rx_buf[BATCH][T_RX_MAX];
static uint8_t tx_buf[BATCH][T_TX_MAX];
static union {
    char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
    struct cmsghdr align;
} rx_ctl[BATCH], tx_ctl[BATCH];

static bool pktinfo_dst(struct msghdr *h, uint32_t *dst)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c))
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            *dst = ntohl(pi.ipi_addr.s_addr);
            return true;
        }
    return false;
}

static void on_readable(uv_poll_t *h, int status, int events)
{
    struct t_sim *sim = h->data;
    if (status < 0)
        return;
    sim->now_ms = (int64_t)uv_now(sim->loop) - sim->now_ms_base;
    /* A bounded number of batches per wakeup keeps timers and the control socket served. */
    for (int round = 0; round < 16; round++) {
        for (int i = 0; i < BATCH; i++) {
            rx_iov[i].iov_base = rx_buf[i];
            rx_iov[i].iov_len = sizeof rx_buf[i];
            rx_msg[i].msg_hdr = (struct msghdr){
                .msg_name = &rx_from[i],
                .msg_namelen = sizeof rx_from[i],
                .msg_iov = &rx_iov[i],
                .msg_iovlen = 1,
                .msg_control = rx_ctl[i].buf,
                .msg_controllen = sizeof rx_ctl[i].buf,
            };
        }
        int n = recvmmsg(sim->fd, rx_msg, BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0)
            break;
        int ntx = 0;
        for (int i = 0; i < n; i++) {
            struct msghdr *mh = &rx_msg[i].msg_hdr;
            uint32_t dst;
            if (mh->msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
                sim->st.rx++;
                sim->st.truncated_rx++;
                continue;
            }
            if (!pktinfo_dst(mh, &dst) || rx_from[i].sin_family != AF_INET) {
                sim->st.rx++;
                sim->st.offbox++;
                continue;
            }
            size_t len = t_sim_packet(sim, ntohl(rx_from[i].sin_addr.s_addr), dst, rx_buf[i],
                                      rx_msg[i].msg_len, tx_buf[ntx], sizeof tx_buf[ntx]);
            if (!len)
                continue;
            struct in_pktinfo pi = {0};
            pi.ipi_spec_dst.s_addr = htonl(dst);
            tx_iov[ntx].iov_base = tx_buf[ntx];
            tx_iov[ntx].iov_len = len;
            tx_msg[ntx].msg_hdr = (struct msghdr){
                .msg_name = &rx_from[i],
                .msg_namelen = sizeof rx_from[i],
                .msg_iov = &tx_iov[ntx],
                .msg_iovlen = 1,
                .msg_control = tx_ctl[ntx].buf,
                .msg_controllen = sizeof tx_ctl[ntx].buf,
            };
            struct cmsghdr *c = CMSG_FIRSTHDR(&tx_msg[ntx].msg_hdr);
            c->cmsg_level = IPPROTO_IP;
            c->cmsg_type = IP_PKTINFO;
            c->cmsg_len = CMSG_LEN(sizeof pi);
            memcpy(CMSG_DATA(c), &pi, sizeof pi);
            ntx++;
        }
        for (int off = 0; off < ntx;) {
            int r = sendmmsg(sim->fd, tx_msg + off, (unsigned)(ntx - off), MSG_DONTWAIT);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                /* A full socket buffer loses replies, as a busy agent would. */
                sim->st.send_errors += (uint64_t)(ntx - off);
                break;
            }
            sim->st.tx += (uint64_t)r;
            off += r;
        }
        if (n < BATCH)
            break;
    }
}

static void on_tick(uv_timer_t *t)
{
    struct t_sim *sim = t->data;
    sim->now_ms = (int64_t)uv_now(sim->loop) - sim->now_ms_base;
    t_dev_tick_all(sim);
    sim->rps = (double)(sim->st.rx - sim->rate_prev_rx);
    sim->rps_v3 = (double)(sim->st.v3 - sim->rate_prev_v3);
    sim->rate_prev_rx = sim->st.rx;
    sim->rate_prev_v3 = sim->st.v3;
}

static void on_signal(uv_signal_t *s, int signum)
{
    struct t_sim *sim = s->data;
    t_log(sim, 1, "signal %d, stopping", signum);
    t_sim_stop(sim);
}

/* ---------------------------------------------------------------------------------------------
 * Readiness probe
 */
static const uint32_t probe_oid[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};

static void probe_done(struct t_sim *sim)
{
    uv_timer_stop(&sim->probe_timer);
    uv_poll_stop(&sim->probe_poll);
    uv_close((uv_handle_t *)&sim->probe_timer, NULL);
    uv_close((uv_handle_t *)&sim->probe_poll, NULL);
    close(sim->probe_fd);
    sim->probe_fd = -1;
    GW_FREE(sim->probe_ok);
}

static void on_probe_reply(uv_poll_t *h, int status, int events)
{
    struct t_sim *sim = h->data;
    uint8_t buf[2048];
    struct t_reqvb vb[2];
    for (;;) {
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t n =
            recvfrom(sim->probe_fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
        if (n <= 0)
            break;
        struct t_msg m = {.vb = vb, .vb_cap = 2};
        if (t_msg_decode(buf, (size_t)n, &m) < 0 || !m.has_pdu || m.req_id < 0 ||
            (size_t)m.req_id >= sim->ndev)
            continue;
        struct t_dev *d = &sim->dev[m.req_id];
        /* The reply must come from the device's own address, or PKTINFO is not working. */
        if (ntohl(from.sin_addr.s_addr) != d->addr || sim->probe_ok[m.req_id])
            continue;
        sim->probe_ok[m.req_id] = 1;
        if (--sim->probe_left == 0) {
            probe_done(sim);
            memset(&sim->st, 0, sizeof sim->st);
            sim->rate_prev_rx = sim->rate_prev_v3 = 0;
            sim->ready = true;
            t_log(sim, 1, "%zu devices answer", sim->ndev);
            fputs("ready\n", stdout);
            fflush(stdout);
            return;
        }
    }
}

static void on_probe_timer(uv_timer_t *t)
{
    struct t_sim *sim = t->data;
    uint8_t buf[256];
    /* 30 s, plus twice the time the slices below need to reach every device once. */
    if ((size_t)++sim->probe_rounds > 1500 + 2 * (sim->ndev / 512 + 1)) {
        char first[5 * 16 + 8] = "", a[16];
        for (size_t i = 0, k = 0; i < sim->ndev && k < 5; i++)
            if (!sim->probe_ok[i]) {
                k++;
                strncat(first, t_addr_format(sim->dev[i].addr, a),
                        sizeof first - strlen(first) - 2);
                strncat(first, " ", sizeof first - strlen(first) - 1);
            }
        t_log(sim, 0, "error: %zu of %zu devices did not answer the start-up probe (%s...)",
              sim->probe_left, sim->ndev, first);
        probe_done(sim);
        sim->exit_code = 1;
        t_sim_stop(sim);
        return;
    }
    /* A bounded slice per timer tick, so the server's socket buffer never overflows. */
    for (size_t k = 0; k < 512 && sim->probe_left; k++) {
        size_t i = sim->probe_next;
        sim->probe_next = (sim->probe_next + 1) % sim->ndev;
        if (sim->probe_ok[i])
            continue;
        struct t_benc e;
        t_benc_init(&e, buf, sizeof buf);
        size_t mark = t_benc_len(&e);
        size_t mv = t_benc_len(&e);
        t_benc_tl(&e, T_BER_NULL, 0);
        t_benc_oid(&e, probe_oid, 9);
        t_benc_seq(&e, T_BER_SEQ, mv);
        t_benc_seq(&e, T_BER_SEQ, mark);
        t_benc_int(&e, T_BER_INT, 0);
        t_benc_int(&e, T_BER_INT, 0);
        t_benc_int(&e, T_BER_INT, (int64_t)i);
        t_benc_seq(&e, T_PDU_GET, mark);
        t_benc_octets(&e, T_BER_OCTETS, sim->opt.community, strlen(sim->opt.community));
        t_benc_int(&e, T_BER_INT, 1);
        t_benc_seq(&e, T_BER_SEQ, 0);
        struct sockaddr_in to = {.sin_family = AF_INET,
                                 .sin_port = htons(sim->port),
                                 .sin_addr.s_addr = htonl(sim->dev[i].addr)};
        if (sendto(sim->probe_fd, t_benc_data(&e), t_benc_len(&e), MSG_DONTWAIT,
                   (struct sockaddr *)&to, sizeof to) < 0)
            break;
    }
}

static int probe_start(struct t_sim *sim, struct gw_errbuf *eb)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        return gw_errbuf_set(eb, -err, "probe socket: %s", strerror(err));
    }
    sim->probe_fd = fd;
    int rcv = 4 << 20;
    setsockopt(sim->probe_fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    sim->probe_ok = gw_calloc(sim->ndev, 1);
    sim->probe_left = sim->ndev;
    uv_poll_init(sim->loop, &sim->probe_poll, sim->probe_fd);
    sim->probe_poll.data = sim;
    uv_poll_start(&sim->probe_poll, UV_READABLE, on_probe_reply);
    uv_timer_init(sim->loop, &sim->probe_timer);
    sim->probe_timer.data = sim;
    uv_timer_start(&sim->probe_timer, on_probe_timer, 0, 20);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Life cycle
 */
static int load_profiles(struct t_sim *sim, struct gw_errbuf *eb)
{
    if (!sim->opt.profiles) {
        sim->prof = gw_calloc(1, sizeof *sim->prof);
        sim->nprof = 1;
        return t_profile_builtin(&sim->prof[0], eb);
    }
    struct snmpc_catalogue *cat = NULL;
    if (sim->opt.catalogue) {
        int rc = snmpc_catalogue_load(sim->opt.catalogue, &cat, eb);
        if (rc < 0)
            return rc;
    }
    uv_fs_t req;
    int n = uv_fs_scandir(NULL, &req, sim->opt.profiles, 0, NULL);
    if (n < 0) {
        snmpc_catalogue_free(cat);
        return gw_errbuf_set(eb, n, "--profiles %s: %s", sim->opt.profiles, uv_strerror(n));
    }
    /* Sorted by name, so that device i gets the same model on every run. */
    char **names = gw_calloc((size_t)n + 1, sizeof *names);
    size_t nn = 0;
    uv_dirent_t ent;
    while (uv_fs_scandir_next(&req, &ent) != UV_EOF) {
        size_t l = strlen(ent.name);
        if (l > 8 && strcmp(ent.name + l - 8, ".snmprec") == 0)
            names[nn++] = gw_strdup(ent.name);
    }
    uv_fs_req_cleanup(&req);
    for (size_t i = 1; i < nn; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    int rc = 0;
    if (!nn)
        rc = gw_errbuf_set(eb, GW_E_NOTFOUND, "--profiles %s: no *.snmprec files",
                           sim->opt.profiles);
    if (nn > UINT16_MAX)
        nn = UINT16_MAX;
    sim->prof = gw_calloc(nn ? nn : 1, sizeof *sim->prof);
    for (size_t i = 0; i < nn && rc == 0; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", sim->opt.profiles, names[i]);
        rc = t_profile_load(&sim->prof[i], path, cat, eb);
        if (rc == 0)
            sim->nprof++;
    }
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    snmpc_catalogue_free(cat);
    return rc;
}

int t_sim_init(struct t_sim *sim, const struct t_opts *opt, struct gw_errbuf *eb)
{
    memset(sim, 0, sizeof *sim);
    sim->opt = *opt;
    sim->fd = sim->probe_fd = -1;
    if (t_usm_init() < 0)
        return gw_errbuf_set(eb, GW_E_CRYPTO, "OpenSSL lacks a digest or AES-128-CFB");
    int rc = load_profiles(sim, eb);
    if (rc < 0)
        return rc;
    sim->ndev = opt->devices;
    sim->dev = gw_calloc(sim->ndev, sizeof *sim->dev);
    size_t hs = 16;
    while (hs < 2 * sim->ndev)
        hs <<= 1;
    sim->htab = gw_calloc(hs, sizeof *sim->htab);
    sim->hmask = hs - 1;
    uint64_t s = opt->seed ^ 0x5eed;
    sim->ev_rng = t_rand(&s);
    sim->salt = t_rand(&s);
    for (uint32_t i = 0; i < sim->ndev; i++) {
        t_dev_init(sim, &sim->dev[i], i);
        htab_insert(sim, &sim->dev[i]);
    }
    rc = t_wsd_mark_snmp_off(sim, eb);
    if (rc < 0)
        return rc;
    if (opt->v3_user) {
        sim->user = (uint8_t *)gw_strdup(opt->v3_user);
        sim->user_len = strlen(opt->v3_user);
    }
    if (opt->v3_user && opt->auth_key) {
        uint8_t ku_a[T_AUTH_KEY_MAX], ku_p[T_AUTH_KEY_MAX];
        sim->auth = opt->auth;
        sim->has_priv = opt->priv_key != NULL;
        sim->key_stride = sim->auth->key_len + T_PRIV_KEY_LEN;
        sim->keys = gw_calloc(sim->ndev, sim->key_stride);
        /* Ku once per password; only the cheap localisation is per device. */
        if (t_usm_password_to_key(sim->auth, opt->auth_key, strlen(opt->auth_key), ku_a) < 0 ||
            (sim->has_priv &&
             t_usm_password_to_key(sim->auth, opt->priv_key, strlen(opt->priv_key), ku_p) < 0))
            return gw_errbuf_set(eb, GW_E_CRYPTO, "password to key failed");
        for (size_t i = 0; i < sim->ndev; i++) {
            struct t_dev *d = &sim->dev[i];
            uint8_t kul[T_AUTH_KEY_MAX];
            uint8_t *k = sim->keys + i * sim->key_stride;
            if (t_usm_localize(sim->auth, ku_a, d->engine_id, d->engine_len, k) < 0)
                return gw_errbuf_set(eb, GW_E_CRYPTO, "key localisation failed");
            if (sim->has_priv) {
                if (t_usm_localize(sim->auth, ku_p, d->engine_id, d->engine_len, kul) < 0)
                    return gw_errbuf_set(eb, GW_E_CRYPTO, "key localisation failed");
                /* AES-128 takes the first 16 octets of the localized key (RFC 3826 1.2). */
                memcpy(k + sim->auth->key_len, kul, T_PRIV_KEY_LEN);
                OPENSSL_cleanse(kul, sizeof kul);
            }
        }
        OPENSSL_cleanse(ku_a, sizeof ku_a);
        OPENSSL_cleanse(ku_p, sizeof ku_p);
    }
    return 0;
}

int t_sim_start(struct t_sim *sim, uv_loop_t *loop, struct gw_errbuf *eb)
{
    sim->loop = loop;
    sim->now_ms_base = (int64_t)uv_now(loop);
    sim->now_ms = 0;
    sim->port = sim->opt.port;
    sim->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (sim->fd < 0)
        return gw_errbuf_set(eb, -errno, "socket: %s", strerror(errno));
    int one = 1;
    if (setsockopt(sim->fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0)
        return gw_errbuf_set(eb, -errno, "IP_PKTINFO: %s", strerror(errno));
    /* Only loopback traffic can reach a socket bound to lo; where that is not permitted the
     * address checks in t_sim_packet() still keep everything on the box. */
    if (setsockopt(sim->fd, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3) < 0)
        t_log(sim, 1, "SO_BINDTODEVICE lo: %s (relying on address checks)", strerror(errno));
    int buf = 8 << 20;
    if (setsockopt(sim->fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf) < 0)
        setsockopt(sim->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    if (setsockopt(sim->fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof buf) < 0)
        setsockopt(sim->fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(sim->opt.port)};
    if (bind(sim->fd, (struct sockaddr *)&a, sizeof a) < 0)
        return gw_errbuf_set(eb, -errno, "cannot bind UDP 0.0.0.0:%u: %s", sim->opt.port,
                             strerror(errno));
    uv_poll_init(loop, &sim->poll, sim->fd);
    sim->poll.data = sim;
    uv_poll_start(&sim->poll, UV_READABLE, on_readable);
    uv_timer_init(loop, &sim->timer);
    sim->timer.data = sim;
    uv_timer_start(&sim->timer, on_tick, 1000, 1000);
    for (int i = 0; i < 2; i++) {
        uv_signal_init(loop, &sim->sig[i]);
        sim->sig[i].data = sim;
        uv_signal_start(&sim->sig[i], on_signal, i ? SIGTERM : SIGINT);
    }
    sim->started = true;
    if (sim->opt.wsd) {
        int rc = t_wsd_start(sim, eb);
        if (rc < 0)
            return rc;
    }
    if (sim->opt.control) {
        int rc = t_ctl_start(sim, sim->opt.control, eb);
        if (rc < 0)
            return rc;
    }
    return probe_start(sim, eb);
}

void t_sim_stop(struct t_sim *sim)
{
    if (!sim->started || sim->stopping)
        return;
    sim->stopping = true;
    if (sim->probe_fd >= 0)
        probe_done(sim);
    t_ctl_stop(sim);
    t_wsd_stop(sim);
    uv_poll_stop(&sim->poll);
    uv_close((uv_handle_t *)&sim->poll, NULL);
    uv_close((uv_handle_t *)&sim->timer, NULL);
    for (int i = 0; i < 2; i++)
        uv_close((uv_handle_t *)&sim->sig[i], NULL);
}

void t_sim_cleanup(struct t_sim *sim)
{
    if (sim->fd >= 0)
        close(sim->fd);
    t_wsd_cleanup(sim);
    for (size_t i = 0; i < sim->nprof; i++)
        t_profile_cleanup(&sim->prof[i]);
    free(sim->prof);
    free(sim->dev);
    free(sim->htab);
    free(sim->probe_ok);
    if (sim->keys)
        gw_free_secret(sim->keys, sim->ndev * sim->key_stride);
    free(sim->user);
    t_usm_cleanup();
    memset(sim, 0, sizeof *sim);
}
