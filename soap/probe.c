/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * WS-Discovery Probe on the libuv loop. One uv_udp socket (ephemeral port) sends directed and
 * multicast Probes and receives the ProbeMatches, which devices send back to the source port of
 * the Probe. gSOAP only builds and parses XML in memory here (soap/parse.c): no gSOAP socket,
 * so nothing can block the loop.
 *
 * Matching replies to our Probes: every Probe gets its own MessageID, a UUID whose last group
 * is a 48-bit sequence number and whose other 74 free bits are an HMAC-SHA256 under a random key
 * of this probe object over (sequence number, destination address, or "multicast"). Nobody who
 * has not seen a Probe can forge its ID, and a reply to a directed Probe verifies only with the
 * address it came from, so it must come from the probed device. A reply is ours when its
 * RelatesTo verifies and its number is within the last PROBE_WINDOW Probes sent, so a sweep of
 * a /16 needs no table of outstanding IDs. Replies to a multicast Probe may come from anyone.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "soap/soapc_int.h"

#define PROBE_WINDOW  (1u << 20)
#define MAX_PER_REPLY 16
#define ID_LEN        45 /* "urn:uuid:" + 36 */
#define KEY_LEN       32

int soapc__parse_probe_matches(const char *xml, size_t len, struct soapc_wsd_match *out, int max,
                               char *relates_to, size_t rsize, struct gw_errbuf *eb);

struct soapc_probe {
    uv_udp_t udp;
    soapc_match_cb cb;
    void *arg;
    uint16_t port;
    unsigned max_datagram;
    unsigned char key[KEY_LEN]; /* HMAC key of the MessageIDs, random per probe object */
    uint64_t seq;               /* next sequence number */
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

/* The 16 bytes of the MessageID of Probe seq sent to dest (0 with mcast): bytes 0..9 the HMAC
 * (version and variant bits of a random UUID set over it), bytes 10..15 the sequence number. */
static void make_id(const struct soapc_probe *p, uint64_t seq, uint32_t dest, bool mcast,
                    unsigned char out[16])
{
    unsigned char msg[13], mac[EVP_MAX_MD_SIZE];
    unsigned maclen = 0;
    int i;

    for (i = 0; i < 8; i++)
        msg[i] = (unsigned char)(seq >> (56 - 8 * i));
    msg[8] = mcast ? 'M' : 'U';
    for (i = 0; i < 4; i++)
        msg[9 + i] = (unsigned char)(dest >> (24 - 8 * i));
    GW_ASSERT(HMAC(EVP_sha256(), p->key, KEY_LEN, msg, sizeof(msg), mac, &maclen) && maclen >= 10);
    memcpy(out, mac, 10);
    out[6] = (unsigned char)((out[6] & 0x0f) | 0x40);
    out[8] = (unsigned char)((out[8] & 0x3f) | 0x80);
    for (i = 0; i < 6; i++)
        out[10 + i] = (unsigned char)(seq >> (40 - 8 * i));
    OPENSSL_cleanse(mac, sizeof(mac));
}

/* True when id (normalized in place) is the MessageID of a Probe we sent within the window,
 * to the address from, or to the multicast group. */
static bool is_ours(const struct soapc_probe *p, char *id, uint32_t from)
{
    unsigned char b[16], want[16];
    uint64_t seq = 0;
    size_t i, k = 0;

    soapc_uuid_normalize(id, 80);
    if (strlen(id) != ID_LEN || strncmp(id, "urn:uuid:", 9) != 0)
        return false;
    for (i = 9; i < ID_LEN; i++) {
        char c = id[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (i == 17 || i == 22 || i == 27 || i == 32) {
            if (c != '-')
                return false;
            continue;
        }
        if (v < 0)
            return false;
        if (k % 2 == 0)
            b[k / 2] = (unsigned char)(v << 4);
        else
            b[k / 2] |= (unsigned char)v;
        k++;
    }
    for (i = 10; i < 16; i++)
        seq = seq << 8 | b[i];
    if (!(seq < p->seq && p->seq - seq <= PROBE_WINDOW))
        return false;
    make_id(p, seq, from, false, want);
    if (CRYPTO_memcmp(b, want, sizeof(b)) == 0)
        return true;
    make_id(p, seq, 0, true, want);
    return CRYPTO_memcmp(b, want, sizeof(b)) == 0;
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
    if (!is_ours(p, rel, from))
        return; /* a reply to somebody else's Probe, a stale or forged one, or from elsewhere */
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
    rc = uv_random(NULL, NULL, p->key, sizeof(p->key), 0, NULL);
    if (rc == 0)
        rc = uv_udp_init(loop, &p->udp);
    if (rc < 0) {
        free(p->rbuf);
        gw_free_secret(p, sizeof(*p));
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

static int send_probe(struct soapc_probe *p, const struct sockaddr_in *to, bool mcast)
{
    unsigned char raw[16];
    char id[ID_LEN + 1];
    const char *xml;
    size_t len;
    struct send_req *r;
    uv_buf_t b;
    int rc;

    if (p->closing)
        return UV_EINVAL;
    if (p->seq >= (1ULL << 48))
        return UV_EOVERFLOW; /* 2^48 Probes: never in practice */
    make_id(p, p->seq, mcast ? 0 : ntohl(to->sin_addr.s_addr), mcast, raw);
    soapc__uuid_format(raw, id);
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
    return send_probe(p, &to, false);
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
    return send_probe(p, &to, true);
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
    gw_free_secret(p, sizeof(*p)); /* the HMAC key */
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
