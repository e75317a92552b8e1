/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * One poll of one printer: a small state machine over a session (session.c), one request in
 * flight at a time.
 *
 *   SCALARS   GET of the system group and the Printer-MIB serial number (STATUS: sysUpTime)
 *   WALKS     GETBULK (GETNEXT for SNMPv1) of the printer subtrees, each until it leaves its
 *             subtree, ends the MIB view, stops increasing or reaches WALK_CAP varbinds
 *   VTABLES   the same walks of the value and label columns of the catalogue's vendor counter
 *             tables for the enterprise in sysObjectID, each capped at the table's max_rows
 *             (FULL polls only; nothing is sent for a vendor without tables)
 *   COUNTERS  GETs, at most GET_CHUNK varbinds each, of the catalogue's counters for the
 *             enterprise in sysObjectID
 *
 * Everything lands in one snmpc_vbset that decode.c turns into the data model. Agents differ
 * in how they fail, so each phase degrades instead of giving up where the data allows: an SNMPv1
 * noSuchName in a multi-varbind GET drops that varbind and asks again; tooBig halves the chunk
 * or max-repetitions; an error inside one walk or one counter skips just that (noted in the
 * poll's detail text). Only errors that leave nothing useful (the identity GET refused, no
 * answer at all, USM failures) fail the poll.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "snmp/snmpc_int.h"

#define WALK_CAP         2000u /* varbinds per walk: a looping agent must not run forever */
#define GET_CHUNK        20    /* varbinds per GET */
#define DEFAULT_MAXREP   20u
#define COUNTER_TIMEOUTS 3 /* consecutive counter GET timeouts before giving up */

struct oidref {
    uint32_t oid[SNMPC_MAX_OID];
    size_t len;
    bool dropped;
};

struct walk_def {
    const char *name;
    uint32_t oid[SNMPC_MAX_OID];
    size_t len;
    unsigned cap; /* varbinds at most; 0 = WALK_CAP */
};

static const struct walk_def full_walks[] = {
    {"hrDeviceType", {1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 2}, 11, 0},
    {"hrDeviceDescr", {1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 3}, 11, 0},
    {"hrDeviceStatus", {1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 5}, 11, 0},
    {"hrPrinterTable", {1, 3, 6, 1, 2, 1, 25, 3, 5, 1}, 10, 0},
    {"ifPhysAddress", {1, 3, 6, 1, 2, 1, 2, 2, 1, 6}, 10, 0},
    {"prtMarkerLifeCount", {1, 3, 6, 1, 2, 1, 43, 10, 2, 1, 4}, 11, 0},
    {"prtMarkerSuppliesTable", {1, 3, 6, 1, 2, 1, 43, 11, 1, 1}, 10, 0},
    {"prtMarkerColorantValue", {1, 3, 6, 1, 2, 1, 43, 12, 1, 1, 4}, 11, 0},
    {"prtInputTable", {1, 3, 6, 1, 2, 1, 43, 8, 2, 1}, 10, 0},
    {"prtAlertTable", {1, 3, 6, 1, 2, 1, 43, 18, 1, 1}, 10, 0},
};

static const struct walk_def status_walks[] = {
    {"hrDeviceStatus", {1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 5}, 11, 0},
    {"hrPrinterTable", {1, 3, 6, 1, 2, 1, 25, 3, 5, 1}, 10, 0},
    {"prtAlertTable", {1, 3, 6, 1, 2, 1, 43, 18, 1, 1}, 10, 0},
};

static const struct oidref full_scalars[] = {
    {{1, 3, 6, 1, 2, 1, 1, 1, 0}, 9, false},             /* sysDescr */
    {{1, 3, 6, 1, 2, 1, 1, 2, 0}, 9, false},             /* sysObjectID */
    {{1, 3, 6, 1, 2, 1, 1, 3, 0}, 9, false},             /* sysUpTime */
    {{1, 3, 6, 1, 2, 1, 1, 4, 0}, 9, false},             /* sysContact */
    {{1, 3, 6, 1, 2, 1, 1, 5, 0}, 9, false},             /* sysName */
    {{1, 3, 6, 1, 2, 1, 1, 6, 0}, 9, false},             /* sysLocation */
    {{1, 3, 6, 1, 2, 1, 43, 5, 1, 1, 17, 1}, 12, false}, /* prtGeneralSerialNumber.1 */
};

static const struct oidref status_scalars[] = {
    {{1, 3, 6, 1, 2, 1, 1, 3, 0}, 9, false}, /* sysUpTime */
};

enum phase { PH_SCALARS, PH_WALKS, PH_VTABLES, PH_COUNTERS };

struct snmpc__poll {
    struct snmpc_session *s;
    enum snmpc_poll_kind kind;
    const struct snmpc_catalogue *cat;
    snmpc_poll_cb cb;
    void *arg;
    struct snmpc_vbset vbs;
    enum phase phase;

    /* GET phases: gets[qhead .. qend) is the window in flight, dropped entries skipped */
    struct oidref *gets;
    size_t n_gets, qhead, qend, chunk;
    unsigned counter_timeouts;

    /* walks */
    struct walk_def *vwalks; /* the vendor table walks, owned */
    const struct walk_def *walks;
    size_t n_walks, walk_i, walk_n;
    uint32_t cur[SNMPC_MAX_OID];
    size_t cur_len;
    unsigned maxrep;

    unsigned warnings;
    char warn[200];
    char detail[256];
};

static void step(struct snmpc__poll *p);

static void warn(struct snmpc__poll *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct snmpc__poll *p, const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    gw_log_debug(SNMP, "poll host=%s: %s", snmpc__target(p->s)->host, buf);
    if (p->warnings++ == 0)
        gw_strlcpy(p->warn, buf, sizeof p->warn);
}

static void poll_free(struct snmpc__poll *p)
{
    snmpc_catalogue_free(p->cat);
    snmpc_vbset_cleanup(&p->vbs);
    free(p->gets);
    free(p->vwalks);
    free(p);
}

static void finish(struct snmpc__poll *p, int status, const char *detail)
{
    struct snmpc_session *s = p->s;
    const char *d = detail;

    snmpc__job_set(s, NULL, NULL);
    snmpc__deadline_set(s, 0);
    if (status == 0 && p->warnings) {
        if (p->warnings > 1)
            snprintf(p->detail, sizeof p->detail, "%s (and %u more)", p->warn, p->warnings - 1);
        else
            gw_strlcpy(p->detail, p->warn, sizeof p->detail);
        d = p->detail;
    }
    gw_log_debug(SNMP, "poll done host=%s status=%s varbinds=%zu", snmpc__target(s)->host,
                 status ? gw_err_name(status) : "ok", p->vbs.n);
    snmpc__park(s);
    p->cb(s, status, &p->vbs, d, p->arg);
    poll_free(p);
}

/* The session's cancel callback (snmpc__job_set()): the session is closing. */
static void poll_cancel(void *job)
{
    struct snmpc__poll *p = job;
    p->cb(p->s, -ECANCELED, &p->vbs, NULL, p->arg);
    poll_free(p);
}

/* ---------------------------------------------------------------------------------------------
 * Varbinds
 */

static const char *err_name(long e)
{
    static const char *const names[] = {
        "noError",
        "tooBig",
        "noSuchName",
        "badValue",
        "readOnly",
        "genErr",
        "noAccess",
        "wrongType",
        "wrongLength",
        "wrongEncoding",
        "wrongValue",
        "noCreation",
        "inconsistentValue",
        "resourceUnavailable",
        "commitFailed",
        "undoFailed",
        "authorizationError",
        "notWritable",
        "inconsistentName",
    };
    return e >= 0 && (size_t)e < sizeof names / sizeof names[0] ? names[e] : "unknownError";
}

static size_t oid_from_netsnmp(const oid *in, size_t n, uint32_t *out)
{
    n = n > SNMPC_MAX_OID ? SNMPC_MAX_OID : n;
    for (size_t i = 0; i < n; i++)
        out[i] = (uint32_t)in[i];
    return n;
}

static void add_null_var(netsnmp_pdu *pdu, const uint32_t *o, size_t n)
{
    oid tmp[SNMPC_MAX_OID];
    for (size_t i = 0; i < n; i++)
        tmp[i] = o[i];
    snmp_add_null_var(pdu, tmp, n);
}

/* Copies one varbind into the set. noSuchObject/noSuchInstance/endOfMibView are skipped, so
 * that an SNMPv2c/v3 poll leaves the same set as an SNMPv1 one (where the agent's noSuchName
 * makes us drop the varbind): "absent" looks the same whatever the version.
 * Returns: 1 added, 0 skipped (exception or unknown type), GW_E_TOOBIG when the set is full. */
static int add_var(struct snmpc__poll *p, const netsnmp_variable_list *v)
{
    uint32_t o[SNMPC_MAX_OID];
    size_t n = oid_from_netsnmp(v->name, v->name_length, o);
    enum snmpc_vtype type;
    int64_t num = 0;
    const void *val = NULL;
    size_t len = 0;
    uint32_t ov[SNMPC_MAX_OID];
    int rc;

    if (v->name_length > SNMPC_MAX_OID)
        return 0;
    switch (v->type) {
    case ASN_INTEGER:
        type = SNMPC_T_INTEGER;
        num = *v->val.integer;
        break;
    case ASN_OCTET_STR:
    case ASN_BIT_STR:
        type = SNMPC_T_OCTETS;
        val = v->val.string;
        len = v->val_len;
        break;
    case ASN_OBJECT_ID:
        type = SNMPC_T_OID;
        len = oid_from_netsnmp(v->val.objid, v->val_len / sizeof(oid), ov);
        val = ov;
        break;
    case ASN_IPADDRESS:
        type = SNMPC_T_IPADDR;
        val = v->val.string;
        len = v->val_len;
        break;
    case ASN_COUNTER:
        type = SNMPC_T_COUNTER32;
        num = (uint32_t)*v->val.integer;
        break;
    case ASN_GAUGE:
        type = SNMPC_T_GAUGE32;
        num = (uint32_t)*v->val.integer;
        break;
    case ASN_TIMETICKS:
        type = SNMPC_T_TIMETICKS;
        num = (uint32_t)*v->val.integer;
        break;
    case ASN_COUNTER64:
        type = SNMPC_T_COUNTER64;
        num = (int64_t)(((uint64_t)v->val.counter64->high << 32) | (uint32_t)v->val.counter64->low);
        break;
    case ASN_OPAQUE:
        type = SNMPC_T_OPAQUE;
        val = v->val.string;
        len = v->val_len;
        break;
    case ASN_NULL:
        type = SNMPC_T_NULL;
        break;
    default: /* exceptions, and types SNMP does not define */
        return 0;
    }
    rc = snmpc_vbset_add(&p->vbs, o, n, type, num, val, len);
    if (rc == GW_E_TOOBIG)
        return rc;
    return rc == 0 ? 1 : 0;
}

/* ---------------------------------------------------------------------------------------------
 * GET phases
 */

static void on_get(struct snmpc_session *s, int status, struct snmp_pdu *resp, const char *detail,
                   void *arg);

/* Fills the window from qhead with up to chunk live entries. Returns: live entries in it. */
static size_t window_fill(struct snmpc__poll *p)
{
    size_t live = 0;
    while (p->qhead < p->n_gets && p->gets[p->qhead].dropped)
        p->qhead++;
    p->qend = p->qhead;
    while (p->qend < p->n_gets && live < p->chunk) {
        if (!p->gets[p->qend].dropped)
            live++;
        p->qend++;
    }
    return live;
}

/* Returns: the gets[] index of the k-th (1-based) live entry of the window, or SIZE_MAX. */
static size_t window_index(const struct snmpc__poll *p, long k)
{
    for (size_t i = p->qhead; i < p->qend && k > 0; i++)
        if (!p->gets[i].dropped && --k == 0)
            return i;
    return SIZE_MAX;
}

static void send_get(struct snmpc__poll *p)
{
    netsnmp_pdu *pdu;
    int rc;

    if (window_fill(p) == 0) {
        p->qhead = p->qend = p->n_gets;
        step(p);
        return;
    }
    pdu = snmpc__pdu_new(p->s, SNMP_MSG_GET);
    for (size_t i = p->qhead; i < p->qend; i++)
        if (!p->gets[i].dropped)
            add_null_var(pdu, p->gets[i].oid, p->gets[i].len);
    if ((rc = snmpc__send(p->s, pdu, on_get, p)) < 0)
        finish(p, rc, "sending a GET failed");
}

static void on_get(struct snmpc_session *s, int status, struct snmp_pdu *resp, const char *detail,
                   void *arg)
{
    struct snmpc__poll *p = arg;
    char ob[SNMPC_MAX_OID * 11];
    size_t idx, live;

    if (status == SNMPC_E_TIMEOUT && p->phase == PH_COUNTERS && !snmpc__deadline_passed(s) &&
        ++p->counter_timeouts < COUNTER_TIMEOUTS) {
        /* Some agents drop requests for objects they do not know instead of answering: ask
         * one object at a time from here on and skip the one that goes unanswered. Several
         * timeouts in a row mean the device went away. */
        if (window_fill(p) > 1) {
            p->chunk = 1;
        } else {
            idx = window_index(p, 1);
            if (idx != SIZE_MAX) {
                p->gets[idx].dropped = true;
                warn(p, "no answer for %s, skipped",
                     snmpc_oid_format(p->gets[idx].oid, p->gets[idx].len, ob, sizeof ob));
            }
        }
        send_get(p);
        return;
    }
    if (status < 0) {
        finish(p, status, detail);
        return;
    }
    p->counter_timeouts = 0;

    if (resp->errstat == SNMP_ERR_NOERROR) {
        for (netsnmp_variable_list *v = resp->variables; v; v = v->next_variable)
            if (add_var(p, v) == GW_E_TOOBIG) {
                warn(p, "varbind set full");
                break;
            }
        p->qhead = p->qend;
        send_get(p);
        return;
    }

    idx = window_index(p, resp->errindex);
    live = window_fill(p);
    if (resp->errstat == SNMP_ERR_TOOBIG && live > 1) {
        /* Halve what was asked for, not the nominal chunk: a short last window would
         * otherwise be sent unchanged again. */
        p->chunk = live / 2;
        send_get(p);
        return;
    }
    if (idx != SIZE_MAX && (resp->errstat == SNMP_ERR_NOSUCHNAME || p->phase == PH_COUNTERS ||
                            resp->errstat == SNMP_ERR_TOOBIG)) {
        /* SNMPv1 reports one missing object by failing the whole GET: drop it, ask again. */
        p->gets[idx].dropped = true;
        if (resp->errstat != SNMP_ERR_NOSUCHNAME)
            warn(p, "%s at %s, skipped", err_name(resp->errstat),
                 snmpc_oid_format(p->gets[idx].oid, p->gets[idx].len, ob, sizeof ob));
        send_get(p);
        return;
    }
    if (p->phase == PH_COUNTERS) {
        for (size_t i = p->qhead; i < p->qend; i++)
            p->gets[i].dropped = true;
        warn(p, "%s for a counter GET, skipped", err_name(resp->errstat));
        send_get(p);
        return;
    }
    if (idx != SIZE_MAX)
        snprintf(p->detail, sizeof p->detail, "%s at %s", err_name(resp->errstat),
                 snmpc_oid_format(p->gets[idx].oid, p->gets[idx].len, ob, sizeof ob));
    else
        snprintf(p->detail, sizeof p->detail, "%s for GET of %s", err_name(resp->errstat),
                 snmpc_oid_format(p->gets[p->qhead].oid, p->gets[p->qhead].len, ob, sizeof ob));
    finish(p, SNMPC_E_PDU, p->detail);
}

static void gets_set(struct snmpc__poll *p, const struct oidref *list, size_t n)
{
    free(p->gets);
    p->gets = n ? gw_calloc(n, sizeof *p->gets) : NULL;
    if (n)
        memcpy(p->gets, list, n * sizeof *list);
    p->n_gets = n;
    p->qhead = p->qend = 0;
    p->chunk = GET_CHUNK;
    p->counter_timeouts = 0;
}

static uint32_t poll_enterprise(const struct snmpc__poll *p);

/* Counter OIDs of the device's enterprise (poll_enterprise()), without duplicates. */
static void counters_prepare(struct snmpc__poll *p)
{
    const struct snmpc_cat_entry *e;
    uint32_t ent = poll_enterprise(p);
    size_t n = 0, k = 0;

    gets_set(p, NULL, 0);
    if (!p->cat || !ent)
        return;
    e = snmpc_catalogue_vendor(p->cat, ent, &n);
    if (!e || !n)
        return;
    p->gets = gw_calloc(n, sizeof *p->gets);
    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        if (!e[i].oid_len || e[i].oid_len > SNMPC_MAX_OID)
            continue;
        for (size_t j = 0; j < k && !dup; j++)
            dup = snmpc_oid_cmp(p->gets[j].oid, p->gets[j].len, e[i].oid, e[i].oid_len) == 0;
        if (dup)
            continue;
        memcpy(p->gets[k].oid, e[i].oid, e[i].oid_len * sizeof(uint32_t));
        p->gets[k].len = e[i].oid_len;
        k++;
    }
    p->n_gets = k;
}

/* The enterprise number in the sysObjectID the scalars phase read; without one, that of the
 * maker whose name starts sysDescr (as decode.c reads it); else 0. */
static uint32_t poll_enterprise(const struct snmpc__poll *p)
{
    static const uint32_t sys_oid[] = {1, 3, 6, 1, 2, 1, 1, 2, 0};
    static const uint32_t descr_oid[] = {1, 3, 6, 1, 2, 1, 1, 1, 0};
    static const uint32_t ent_prefix[] = {1, 3, 6, 1, 4, 1};
    const struct snmpc_vb *vb = snmpc_vbset_get(&p->vbs, sys_oid, 9);
    char descr[256];
    uint32_t ent;

    if (vb && vb->type == SNMPC_T_OID && vb->oidval && vb->len >= 7 &&
        snmpc_oid_has_prefix(vb->oidval, vb->len, ent_prefix, 6))
        return vb->oidval[6];
    vb = snmpc_vbset_get(&p->vbs, descr_oid, 9);
    if (vb && vb->type == SNMPC_T_OCTETS &&
        snmpc__text_decode(vb->buf, vb->len, descr, sizeof descr, NULL) == SNMPC_TEXT &&
        snmpc__vendor_from_text_ent(p->cat, descr, &ent) && ent)
        return ent;
    return 0;
}

/* Adds a walk of column col of the table whose entry OID is base[len], capped at cap. */
static void vwalk_add(struct snmpc__poll *p, size_t *k, const char *name, const uint32_t *base,
                      size_t len, uint32_t col, unsigned cap)
{
    struct walk_def *w;

    if (len + 1 > SNMPC_MAX_OID)
        return;
    p->vwalks = gw_realloc(p->vwalks, (*k + 1) * sizeof *p->vwalks);
    w = &p->vwalks[(*k)++];
    memset(w, 0, sizeof *w);
    w->name = name; /* borrowed from the catalogue, which outlives the poll */
    memcpy(w->oid, base, len * sizeof(uint32_t));
    w->oid[len] = col;
    w->len = len + 1;
    w->cap = cap;
}

/* Walks of the columns of the enterprise's vendor supply tables. */
static void vsupplies_prepare(struct snmpc__poll *p, uint32_t ent, size_t *k)
{
    size_t n = 0;
    const struct snmpc_cat_supplies *t = snmpc__catalogue_supplies(p->cat, &n);

    for (size_t i = 0; i < n; i++) {
        const uint32_t cols[4] = {t[i].level_col, t[i].descr_col, t[i].descr_alt_col,
                                  t[i].colour_col};
        if (t[i].enterprise != ent)
            continue;
        for (size_t c = 0; c < 4; c++)
            if (cols[c])
                vwalk_add(p, k, t[i].name, t[i].base, t[i].base_len, cols[c], t[i].max_rows);
    }
}

/* Walks of the value and label columns of the enterprise's vendor tables, and of the columns
 * of its supply tables. Returns: count. */
static size_t vtables_prepare(struct snmpc__poll *p)
{
    const struct snmpc_cat_table *t;
    uint32_t ent = poll_enterprise(p);
    size_t n = 0, k = 0;

    free(p->vwalks);
    p->vwalks = NULL;
    if (!ent || !p->cat)
        return 0;
    vsupplies_prepare(p, ent, &k);
    t = snmpc__catalogue_tables(p->cat, &n);
    if (!t)
        return k;
    for (size_t i = 0; i < n; i++) {
        const uint32_t cols[2] = {t[i].value_col, t[i].label_col};
        if (t[i].enterprise != ent)
            continue;
        for (size_t c = 0; c < 2 && cols[c]; c++)
            vwalk_add(p, &k, t[i].name, t[i].base, t[i].base_len, cols[c], t[i].max_rows);
    }
    return k;
}

/* ---------------------------------------------------------------------------------------------
 * Walks
 */

static void on_walk(struct snmpc_session *s, int status, struct snmp_pdu *resp, const char *detail,
                    void *arg);

static void send_walk(struct snmpc__poll *p)
{
    bool v1 = snmpc__target(p->s)->version == GW_SNMP_V1;
    netsnmp_pdu *pdu = snmpc__pdu_new(p->s, v1 ? SNMP_MSG_GETNEXT : SNMP_MSG_GETBULK);
    int rc;

    if (!v1) {
        pdu->non_repeaters = 0;
        pdu->max_repetitions = (long)p->maxrep;
    }
    add_null_var(pdu, p->cur, p->cur_len);
    if ((rc = snmpc__send(p->s, pdu, on_walk, p)) < 0)
        finish(p, rc, "sending a walk request failed");
}

static void walk_begin(struct snmpc__poll *p)
{
    const struct walk_def *w = &p->walks[p->walk_i];
    memcpy(p->cur, w->oid, w->len * sizeof(uint32_t));
    p->cur_len = w->len;
    p->walk_n = 0;
    send_walk(p);
}

static void walk_next(struct snmpc__poll *p)
{
    p->walk_i++;
    step(p);
}

static void on_walk(struct snmpc_session *s, int status, struct snmp_pdu *resp, const char *detail,
                    void *arg)
{
    struct snmpc__poll *p = arg;
    const struct walk_def *w = &p->walks[p->walk_i];
    bool end = false;
    char ob[SNMPC_MAX_OID * 11];

    if (status == SNMPC_E_TIMEOUT && p->maxrep > 1 && !snmpc__deadline_passed(s) &&
        snmpc__target(s)->version != GW_SNMP_V1) {
        /* Big GETBULK answers get lost (fragments, agent buffers); ask for less. */
        p->maxrep /= 2;
        warn(p, "timeout in walk of %s, max-repetitions now %u", w->name, p->maxrep);
        send_walk(p);
        return;
    }
    if (status < 0) {
        finish(p, status, detail);
        return;
    }
    if (resp->errstat == SNMP_ERR_NOSUCHNAME) {
        /* SNMPv1's end of the MIB view. */
        walk_next(p);
        return;
    }
    if (resp->errstat == SNMP_ERR_TOOBIG && p->maxrep > 1 &&
        snmpc__target(s)->version != GW_SNMP_V1) {
        p->maxrep /= 2;
        send_walk(p);
        return;
    }
    if (resp->errstat != SNMP_ERR_NOERROR) {
        warn(p, "%s in walk of %s at %s, skipped", err_name(resp->errstat), w->name,
             snmpc_oid_format(p->cur, p->cur_len, ob, sizeof ob));
        walk_next(p);
        return;
    }
    if (!resp->variables)
        end = true;
    for (netsnmp_variable_list *v = resp->variables; v && !end; v = v->next_variable) {
        uint32_t o[SNMPC_MAX_OID];
        size_t n;
        if (v->type == SNMP_ENDOFMIBVIEW || v->type == SNMP_NOSUCHOBJECT ||
            v->type == SNMP_NOSUCHINSTANCE || v->name_length > SNMPC_MAX_OID) {
            end = true;
            break;
        }
        n = oid_from_netsnmp(v->name, v->name_length, o);
        if (!snmpc_oid_has_prefix(o, n, w->oid, w->len)) {
            end = true;
            break;
        }
        if (snmpc_oid_cmp(o, n, p->cur, p->cur_len) <= 0) {
            warn(p, "OID not increasing in walk of %s at %s", w->name,
                 snmpc_oid_format(o, n, ob, sizeof ob));
            end = true;
            break;
        }
        if (add_var(p, v) == GW_E_TOOBIG) {
            warn(p, "varbind set full in walk of %s", w->name);
            end = true;
            break;
        }
        memcpy(p->cur, o, n * sizeof *o);
        p->cur_len = n;
        if (++p->walk_n >= (w->cap ? w->cap : WALK_CAP)) {
            warn(p, "walk of %s stopped at %u varbinds", w->name, w->cap ? w->cap : WALK_CAP);
            end = true;
        }
    }
    if (end)
        walk_next(p);
    else
        send_walk(p);
}

/* ---------------------------------------------------------------------------------------------
 * The state machine
 */

static void step(struct snmpc__poll *p)
{
    switch (p->phase) {
    case PH_SCALARS:
        if (p->qhead < p->n_gets) {
            send_get(p);
            return;
        }
        p->phase = PH_WALKS;
        p->walk_i = 0;
        step(p);
        return;
    case PH_WALKS:
        if (p->walk_i < p->n_walks) {
            walk_begin(p);
            return;
        }
        p->phase = PH_VTABLES;
        p->walk_i = 0;
        p->n_walks = p->kind == SNMPC_POLL_FULL ? vtables_prepare(p) : 0;
        p->walks = p->vwalks; /* after vtables_prepare(), which reallocates it */
        step(p);
        return;
    case PH_VTABLES:
        if (p->walk_i < p->n_walks) {
            walk_begin(p);
            return;
        }
        p->phase = PH_COUNTERS;
        if (p->kind == SNMPC_POLL_FULL)
            counters_prepare(p);
        else
            gets_set(p, NULL, 0);
        step(p);
        return;
    case PH_COUNTERS:
        if (p->qhead < p->n_gets) {
            send_get(p);
            return;
        }
        finish(p, 0, NULL);
        return;
    }
}

int snmpc_poll_start(struct snmpc_session *s, enum snmpc_poll_kind kind,
                     const struct snmpc_catalogue *cat, snmpc_poll_cb cb, void *arg)
{
    struct snmpc__poll *p;
    const struct snmpc_target *t;
    netsnmp_pdu *pdu;
    int rc;

    if (!s || !cb || (kind != SNMPC_POLL_FULL && kind != SNMPC_POLL_STATUS))
        return GW_E_INVAL;
    if (snmpc__closing(s))
        return SNMPC_E_SESSION;
    if (snmpc__job(s))
        return GW_E_BUSY;
    t = snmpc__target(s);

    p = gw_calloc(1, sizeof *p);
    p->s = s;
    p->kind = kind;
    p->cat = snmpc_catalogue_ref(cat);
    p->cb = cb;
    p->arg = arg;
    snmpc_vbset_init(&p->vbs);
    p->maxrep = t->max_repetitions ? t->max_repetitions : DEFAULT_MAXREP;
    p->phase = PH_SCALARS;
    if (kind == SNMPC_POLL_FULL) {
        p->walks = full_walks;
        p->n_walks = sizeof full_walks / sizeof full_walks[0];
        gets_set(p, full_scalars, sizeof full_scalars / sizeof full_scalars[0]);
    } else {
        p->walks = status_walks;
        p->n_walks = sizeof status_walks / sizeof status_walks[0];
        gets_set(p, status_scalars, sizeof status_scalars / sizeof status_scalars[0]);
    }

    /* The first request is sent here so that a failure is returned, not called back. */
    window_fill(p);
    pdu = snmpc__pdu_new(s, SNMP_MSG_GET);
    for (size_t i = p->qhead; i < p->qend; i++)
        add_null_var(pdu, p->gets[i].oid, p->gets[i].len);
    snmpc__deadline_set(s, t->deadline_ms);
    if ((rc = snmpc__send(s, pdu, on_get, p)) < 0) {
        snmpc__deadline_set(s, 0);
        poll_free(p);
        return rc;
    }
    snmpc__job_set(s, p, poll_cancel);
    gw_log_debug(SNMP, "poll started host=%s kind=%s", t->host,
                 kind == SNMPC_POLL_FULL ? "full" : "status");
    return 0;
}
