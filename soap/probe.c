/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * WS-Discovery Probe on the libuv loop. One uv_udp socket (ephemeral port) sends directed and
 * multicast Probes and receives the ProbeMatches, which devices send back to the source port of
 * the Probe. gSOAP only builds and parses XML in memory here (soap/parse.c): no gSOAP socket,
 * so nothing can block the loop.
 *
 * Matching replies to our Probes: every Probe gets its own MessageID, made of a random UUID
 * prefix fixed per probe object and a 48-bit sequence number in the last group. A reply is ours
 * when its RelatesTo has our prefix and a sequence number we have sent, within the last
 * PROBE_WINDOW Probes, so a sweep of a /16 needs no table of outstanding IDs.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "soap/soapc_int.h"

#define PROBE_WINDOW  (1u << 20)
#define MAX_PER_REPLY 16
#define PREFIX_LEN    33 /* "urn:uuid:xxxxxxxx-xxxx-4xxx-yxxx-" */

int soapc__parse_probe_matches(const char *xml, size_t len, struct soapc_wsd_match *out, int max,
                               char *relates_to, size_t rsize, struct gw_errbuf *eb);

struct soapc_probe {
    uv_udp_t udp;
    soapc_match_cb cb;
    void *arg;
    uint16_t port;
    unsigned max_datagram;
    char prefix[PREFIX_LEN + 1];
    uint64_t seq; /* next sequence number */
    struct soap *soap;
    char *rbuf;
    bool closing;
    void (*closed)(void *arg);
    void *closed_arg;
    struct gw_log_limit lim;
};

struct send_req {
    uv_udp_send_t req;
    size_t len;
    char data[];
};

/* A random UUID whose last group (12 hex digits) is left for the sequence number. */
static void make_prefix(char *out)
{
    char full[46];

    soapc__rand_uuid(full);
    memcpy(out, full, PREFIX_LEN);
    out[PREFIX_LEN] = '\0';
}

/* True when id (lower-cased in place) is one of the MessageIDs we sent. */
static bool is_ours(const struct soapc_probe *p, char *id)
{
    uint64_t seq = 0;
    size_t i;

    soapc_uuid_normalize(id, 80);
    if (strlen(id) != PREFIX_LEN + 12 || memcmp(id, p->prefix, PREFIX_LEN) != 0)
        return false;
    for (i = PREFIX_LEN; i < PREFIX_LEN + 12; i++) {
        char c = id[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0)
            return false;
        seq = seq << 4 | (uint64_t)v;
    }
    return seq < p->seq && p->seq - seq <= PROBE_WINDOW;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct soapc_probe *p = h->data;

    buf->base = p->rbuf;
    buf->len = p->max_datagram;
}

static void on_recv(uv_udp_t *udp, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *sa,
                    unsigned flags)
{
    struct soapc_probe *p = udp->data;
    struct soapc_wsd_match m[MAX_PER_REPLY];
    struct gw_errbuf eb = {0};
    char rel[80];
    uint32_t from;
    unsigned supp;
    int n, i;

    if (nread <= 0 || !sa || p->closing)
        return;
    if (sa->sa_family != AF_INET)
        return;
    struct sockaddr_in sin;
    memcpy(&sin, sa, sizeof(sin)); /* sa is only 2-byte aligned as far as the type says */
    from = ntohl(sin.sin_addr.s_addr);
    if (flags & UV_UDP_PARTIAL)
        gw_errbuf_set(&eb, GW_E_TOOBIG, "datagram larger than %u bytes", p->max_datagram);
    n = eb.msg[0] ? GW_E_TOOBIG
                  : soapc__parse_probe_matches(buf->base, (size_t)nread, m, MAX_PER_REPLY, rel,
                                               sizeof(rel), &eb);
    if (n < 0) {
        /* Devices and other hosts send all sorts; one line per interval at debug level. */
        if (gw_log_limit(&p->lim, uv_now(udp->loop), &supp)) {
            char a[INET_ADDRSTRLEN];
            uv_ip4_name(&sin, a, sizeof(a));
            gw_log_debug(SOAP, "wsd reply ignored from=%s err=%s suppressed=%u", a, eb.msg, supp);
        }
        return;
    }
    if (!is_ours(p, rel))
        return; /* a reply to somebody else's Probe, or a stale one */
    for (i = 0; i < n && !p->closing; i++) {
        m[i].from = from;
        p->cb(p->arg, &m[i]);
    }
}

int soapc_probe_new(uv_loop_t *loop, const struct soapc_probe_opts *o, soapc_match_cb cb, void *arg,
                    struct soapc_probe **out)
{
    struct soapc_probe *p;
    struct sockaddr_in sin;
    const char *bind_addr = o && o->bind_addr ? o->bind_addr : "0.0.0.0";
    int rc;

    *out = NULL;
    if (!cb || uv_ip4_addr(bind_addr, 0, &sin) != 0)
        return GW_E_INVAL;
    p = gw_calloc(1, sizeof(*p));
    p->cb = cb;
    p->arg = arg;
    p->port = o && o->port ? o->port : SOAPC_WSD_PORT;
    p->max_datagram = o && o->max_datagram ? o->max_datagram : SOAPC_MAX_DATAGRAM;
    if (p->max_datagram > SOAPC_MAX_DATAGRAM)
        p->max_datagram = SOAPC_MAX_DATAGRAM;
    p->rbuf = gw_malloc(p->max_datagram);
    p->lim.interval_ms = 10000;
    make_prefix(p->prefix);
    rc = uv_udp_init(loop, &p->udp);
    if (rc < 0) {
        free(p->rbuf);
        free(p);
        return rc;
    }
    p->udp.data = p;
    p->soap = soapc__ctx_new();
    rc = uv_udp_bind(&p->udp, (const struct sockaddr *)&sin, 0);
    if (rc == 0)
        rc = uv_udp_set_multicast_ttl(&p->udp, 1);
    if (rc == 0)
        rc = uv_udp_recv_start(&p->udp, on_alloc, on_recv);
    if (rc < 0) {
        soapc_probe_close(p, NULL, NULL);
        return rc;
    }
    *out = p;
    return 0;
}

static void on_sent(uv_udp_send_t *req, int status)
{
    free(req->data);
}

static int send_probe(struct soapc_probe *p, const struct sockaddr_in *to)
{
    char id[PREFIX_LEN + 13];
    const char *xml;
    size_t len;
    struct send_req *r;
    uv_buf_t b;
    int rc;

    if (p->closing)
        return UV_EINVAL;
    snprintf(id, sizeof(id), "%s%012" PRIx64, p->prefix, (uint64_t)(p->seq & 0xffffffffffffULL));
    rc = soapc__probe_build(p->soap, id, &xml, &len);
    if (rc < 0) {
        soap_end(p->soap);
        return rc;
    }
    r = gw_malloc(sizeof(*r) + len);
    memcpy(r->data, xml, len);
    r->len = len;
    r->req.data = r;
    soap_end(p->soap);
    b = uv_buf_init(r->data, (unsigned)len);
    rc = uv_udp_send(&r->req, &p->udp, &b, 1, (const struct sockaddr *)to, on_sent);
    if (rc < 0) {
        free(r);
        return rc;
    }
    p->seq++;
    return 0;
}

int soapc_probe_unicast(struct soapc_probe *p, uint32_t addr)
{
    struct sockaddr_in to;

    memset(&to, 0, sizeof(to));
    to.sin_family = AF_INET;
    to.sin_port = htons(p->port);
    to.sin_addr.s_addr = htonl(addr);
    return send_probe(p, &to);
}

int soapc_probe_multicast(struct soapc_probe *p, const char *ifaddr)
{
    struct sockaddr_in to;
    struct in_addr ia;
    int rc;

    if (ifaddr && uv_inet_pton(AF_INET, ifaddr, &ia) != 0)
        return GW_E_INVAL;
    rc = uv_udp_set_multicast_interface(&p->udp, ifaddr);
    if (rc < 0)
        return rc;
    uv_ip4_addr(SOAPC_WSD_MCAST, p->port, &to);
    return send_probe(p, &to);
}

size_t soapc_probe_pending(const struct soapc_probe *p)
{
    return p->seq < PROBE_WINDOW ? (size_t)p->seq : PROBE_WINDOW;
}

static void on_close(uv_handle_t *h)
{
    struct soapc_probe *p = h->data;

    if (p->closed)
        p->closed(p->closed_arg);
    soapc__ctx_free(p->soap);
    free(p->rbuf);
    free(p);
}

void soapc_probe_close(struct soapc_probe *p, void (*closed)(void *arg), void *arg)
{
    if (!p)
        return;
    GW_ASSERT(!p->closing);
    p->closing = true;
    p->closed = closed;
    p->closed_arg = arg;
    uv_close((uv_handle_t *)&p->udp, on_close);
}
