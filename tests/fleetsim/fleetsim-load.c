/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * fleetsim-load: an SNMPv3 authPriv load generator for the fleet simulator's benchmark
 * (bench/fleetsim/run.py). Python cannot produce tens of thousands of encrypted requests a
 * second, and net-snmp's own tools start a process per request, so this is a small C program
 * on the simulator's BER and USM code.
 *
 * It first discovers every device's engine ID, boots and time (RFC 3414 4), localizes the keys
 * per device, then keeps a bounded number of GET requests in flight, spread round robin over
 * the devices, and checks every answer as a real manager would: digest, decryption, request ID
 * and error status. A request unanswered after --timeout-ms counts as lost and is replaced.
 * At the end it prints one line of key=value figures.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "tests/fleetsim/fleetsim.h"

#define LBATCH 64

struct ldev {
    uint8_t engine[T_ENGINE_MAX];
    uint8_t engine_len;
    bool known;
    uint32_t boots;
    int64_t time_at;  /* engine time ... */
    int64_t known_ms; /* ... at this local time */
    uint8_t kul_auth[T_AUTH_KEY_MAX];
    uint8_t kul_priv[T_PRIV_KEY_LEN];
};

struct slot {
    int64_t msg_id; /* -1: free */
    uint32_t dev;
    int64_t sent_us;
};

static struct {
    uint32_t base, ndev;
    uint16_t port;
    const char *user, *auth_key, *priv_key;
    const struct t_auth_alg *auth;
    unsigned inflight;
    double seconds;
    unsigned timeout_ms;
    uint32_t oid[T_MAX_OID];
    size_t oid_len;
} cfg;

static struct ldev *devs;
static struct slot *slots;
static int fd;
static uint64_t salt = 0x1234567887654321ull;
static uint64_t sent, answered, timeouts, errors, reports, bad_digest;
static uint64_t lat_hist[64];

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int usage(const char *msg)
{
    fprintf(stderr,
            "fleetsim-load: %s\n"
            "usage: fleetsim-load --devices N --base-address ADDR --port PORT --v3-user U\n"
            "       --v3-auth-key K --v3-priv-key K [--v3-auth-proto SHA] [--inflight 256]\n"
            "       [--seconds 10] [--timeout-ms 1000] [--oid 1.3.6.1.2.1.1.3.0]\n",
            msg);
    return 2;
}

/* Encodes a GET (no varbind for discovery) as a scoped PDU into e. */
static void scoped_get(struct t_benc *e, const struct ldev *d, int64_t req_id, bool with_vb)
{
    size_t mark = t_benc_len(e);
    if (with_vb) {
        size_t mv = t_benc_len(e);
        t_benc_tl(e, T_BER_NULL, 0);
        t_benc_oid(e, cfg.oid, cfg.oid_len);
        t_benc_seq(e, T_BER_SEQ, mv);
    }
    t_benc_seq(e, T_BER_SEQ, mark);
    t_benc_int(e, T_BER_INT, 0);
    t_benc_int(e, T_BER_INT, 0);
    t_benc_int(e, T_BER_INT, req_id);
    t_benc_seq(e, T_PDU_GET, mark);
    t_benc_octets(e, T_BER_OCTETS, "", 0);
    t_benc_octets(e, T_BER_OCTETS, d ? d->engine : NULL, d ? d->engine_len : 0);
    t_benc_seq(e, T_BER_SEQ, 0);
}

static struct mmsghdr smsg[LBATCH];
static struct iovec siov[LBATCH];
static struct sockaddr_in sto[LBATCH];
static uint8_t sbuf[LBATCH][2048];
static int nsend;

static void flush_sends(void)
{
    for (int off = 0; off < nsend;) {
        int r = sendmmsg(fd, smsg + off, (unsigned)(nsend - off), 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        off += r;
    }
    nsend = 0;
}

static void queue_send(uint32_t dev, const uint8_t *p, size_t len)
{
    if (nsend == LBATCH)
        flush_sends();
    memcpy(sbuf[nsend], p, len);
    siov[nsend] = (struct iovec){sbuf[nsend], len};
    sto[nsend] = (struct sockaddr_in){.sin_family = AF_INET,
                                      .sin_port = htons(cfg.port),
                                      .sin_addr.s_addr = htonl(cfg.base + dev)};
    smsg[nsend].msg_hdr = (struct msghdr){.msg_name = &sto[nsend],
                                          .msg_namelen = sizeof sto[nsend],
                                          .msg_iov = &siov[nsend],
                                          .msg_iovlen = 1};
    nsend++;
}

static void send_probe(uint32_t dev)
{
    uint8_t sp[256], out[512];
    struct t_benc s, e;
    t_benc_init(&s, sp, sizeof sp);
    scoped_get(&s, NULL, dev, false);
    struct t_v3out o = {.msg_id = dev, .max_size = T_RX_MAX, .flags = 4};
    t_benc_init(&e, out, sizeof out);
    if (t_v3_encode(&e, &o, t_benc_data(&s), t_benc_len(&s)) == 0)
        queue_send(dev, t_benc_data(&e), t_benc_len(&e));
}

static void send_get(struct slot *sl, int64_t msg_id, uint32_t dev)
{
    uint8_t sp[512], out[1024];
    struct t_benc s, e;
    struct ldev *d = &devs[dev];
    int64_t t = d->time_at + (now_us() / 1000 - d->known_ms) / 1000;
    t_benc_init(&s, sp, sizeof sp);
    scoped_get(&s, d, msg_id, true);
    struct t_v3out o = {.msg_id = msg_id,
                        .max_size = T_RX_MAX,
                        .flags = 7,
                        .engine_id = d->engine,
                        .engine_id_len = d->engine_len,
                        .user = (const uint8_t *)cfg.user,
                        .user_len = strlen(cfg.user),
                        .boots = d->boots,
                        .time = (uint32_t)t,
                        .auth = cfg.auth,
                        .kul_auth = d->kul_auth,
                        .kul_priv = d->kul_priv,
                        .salt = salt++};
    t_benc_init(&e, out, sizeof out);
    if (t_v3_encode(&e, &o, t_benc_data(&s), t_benc_len(&s)) < 0) {
        errors++;
        return;
    }
    sl->msg_id = msg_id;
    sl->dev = dev;
    sl->sent_us = now_us();
    queue_send(dev, t_benc_data(&e), t_benc_len(&e));
    sent++;
}

static struct mmsghdr rmsg[LBATCH];
static struct iovec riov[LBATCH];
static struct sockaddr_in rfrom[LBATCH];
static uint8_t rbuf[LBATCH][T_RX_MAX];

/* Reads what is there. Returns: the number of datagrams read. */
static int receive(void (*handle)(const uint8_t *, size_t, uint32_t))
{
    for (int i = 0; i < LBATCH; i++) {
        riov[i] = (struct iovec){rbuf[i], sizeof rbuf[i]};
        rmsg[i].msg_hdr = (struct msghdr){.msg_name = &rfrom[i],
                                          .msg_namelen = sizeof rfrom[i],
                                          .msg_iov = &riov[i],
                                          .msg_iovlen = 1};
    }
    int n = recvmmsg(fd, rmsg, LBATCH, MSG_DONTWAIT, NULL);
    for (int i = 0; i < n; i++)
        handle(rbuf[i], rmsg[i].msg_len, ntohl(rfrom[i].sin_addr.s_addr));
    return n < 0 ? 0 : n;
}

static uint32_t discovered;

static void on_report(const uint8_t *p, size_t len, uint32_t from)
{
    struct t_reqvb vb[4];
    struct t_msg m = {.vb = vb, .vb_cap = 4};
    if (t_msg_decode(p, len, &m) < 0 || m.version != 3 || m.msg_id < 0 ||
        (uint64_t)m.msg_id >= cfg.ndev || from != cfg.base + (uint32_t)m.msg_id ||
        m.engine_id_len == 0 || m.engine_id_len > T_ENGINE_MAX)
        return;
    struct ldev *d = &devs[m.msg_id];
    if (d->known)
        return;
    memcpy(d->engine, m.engine_id, m.engine_id_len);
    d->engine_len = (uint8_t)m.engine_id_len;
    d->boots = (uint32_t)m.boots;
    d->time_at = m.time;
    d->known_ms = now_us() / 1000;
    d->known = true;
    discovered++;
}

static void on_response(const uint8_t *p, size_t len, uint32_t from)
{
    static uint8_t dec[T_RX_MAX];
    struct t_reqvb vb[4];
    struct t_msg m = {.vb = vb, .vb_cap = 4};
    if (t_msg_decode(p, len, &m) < 0 || m.version != 3) {
        errors++;
        return;
    }
    struct slot *sl = &slots[m.msg_id % cfg.inflight];
    if (sl->msg_id != m.msg_id || from != cfg.base + sl->dev)
        return; /* late answer to a request already counted as lost */
    struct ldev *d = &devs[sl->dev];
    if (!(m.flags & 1) || !t_usm_verify(cfg.auth, d->kul_auth, p, len, &m)) {
        bad_digest++;
        errors++;
        sl->msg_id = -1;
        return;
    }
    if (!(m.flags & 2)) {
        /* An authenticated Report: usmStatsNotInTimeWindows. Take the agent's clock. */
        reports++;
        d->boots = (uint32_t)m.boots;
        d->time_at = m.time;
        d->known_ms = now_us() / 1000;
        sl->msg_id = -1;
        return;
    }
    if (!m.encrypted || m.priv_params_len != T_SALT_LEN ||
        t_usm_aes(false, d->kul_priv, (uint32_t)m.boots, (uint32_t)m.time, m.priv_params, m.data,
                  m.data_len, dec) < 0 ||
        t_scoped_decode(dec, m.data_len, &m) < 0 || m.pdu_type != T_PDU_RESPONSE ||
        m.req_id != sl->msg_id || m.err_status != 0 || m.nvb != 1) {
        errors++;
        sl->msg_id = -1;
        return;
    }
    int64_t us = now_us() - sl->sent_us;
    int b = 0;
    while (b < 63 && (1ll << b) < us)
        b++;
    lat_hist[b]++;
    answered++;
    sl->msg_id = -1;
}

static int64_t percentile(double q)
{
    uint64_t total = 0, acc = 0;
    for (int i = 0; i < 64; i++)
        total += lat_hist[i];
    for (int i = 0; i < 64; i++) {
        acc += lat_hist[i];
        if (total && (double)acc >= q * (double)total)
            return 1ll << i;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option lo[] = {{"devices", required_argument, NULL, 'n'},
                                       {"base-address", required_argument, NULL, 'b'},
                                       {"port", required_argument, NULL, 'p'},
                                       {"v3-user", required_argument, NULL, 'u'},
                                       {"v3-auth-key", required_argument, NULL, 'A'},
                                       {"v3-priv-key", required_argument, NULL, 'X'},
                                       {"v3-auth-proto", required_argument, NULL, 'a'},
                                       {"inflight", required_argument, NULL, 'i'},
                                       {"seconds", required_argument, NULL, 's'},
                                       {"timeout-ms", required_argument, NULL, 't'},
                                       {"oid", required_argument, NULL, 'o'},
                                       {NULL, 0, NULL, 0}};
    const char *base = "127.20.0.1", *oid = "1.3.6.1.2.1.1.3.0";
    cfg.ndev = 1;
    cfg.port = 161;
    cfg.auth = t_auth_find("SHA");
    cfg.inflight = 256;
    cfg.seconds = 10;
    cfg.timeout_ms = 1000;
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'n':
            cfg.ndev = (uint32_t)strtoul(optarg, NULL, 10);
            break;
        case 'b':
            base = optarg;
            break;
        case 'p':
            cfg.port = (uint16_t)strtoul(optarg, NULL, 10);
            break;
        case 'u':
            cfg.user = optarg;
            break;
        case 'A':
            cfg.auth_key = optarg;
            break;
        case 'X':
            cfg.priv_key = optarg;
            break;
        case 'a':
            cfg.auth = t_auth_find(optarg);
            break;
        case 'i':
            cfg.inflight = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 's':
            cfg.seconds = strtod(optarg, NULL);
            break;
        case 't':
            cfg.timeout_ms = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 'o':
            oid = optarg;
            break;
        default:
            return usage("bad option");
        }
    }
    int on = snmpc_oid_parse(oid, cfg.oid, T_MAX_OID);
    if (!cfg.user || !cfg.auth_key || !cfg.priv_key || !cfg.auth || cfg.ndev == 0 ||
        cfg.inflight == 0 || cfg.inflight > 65536 || t_addr_parse(base, &cfg.base) < 0 ||
        !t_is_loopback(cfg.base) || on < 2 || cfg.seconds <= 0)
        return usage("missing or bad option");
    cfg.oid_len = (size_t)on;
    if (t_usm_init() < 0)
        return usage("OpenSSL lacks SHA or AES-128-CFB");

    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in self = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
    int buf = 8 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    if (fd < 0 || bind(fd, (struct sockaddr *)&self, sizeof self) < 0) {
        perror("fleetsim-load: socket");
        return 1;
    }
    devs = gw_calloc(cfg.ndev, sizeof *devs);
    slots = gw_calloc(cfg.inflight, sizeof *slots);

    /* Discovery, a window of probes at a time, resent until every device has answered. */
    int64_t t0 = now_us();
    for (int round = 0; discovered < cfg.ndev && round < 50; round++) {
        uint32_t pending = 0;
        for (uint32_t i = 0; i < cfg.ndev; i++) {
            if (devs[i].known)
                continue;
            send_probe(i);
            if (++pending % 512 == 0) {
                flush_sends();
                struct pollfd pf = {fd, POLLIN, 0};
                while (poll(&pf, 1, 2) > 0 && receive(on_report) > 0)
                    ;
            }
        }
        flush_sends();
        int64_t until = now_us() + 200000;
        while (discovered < cfg.ndev && now_us() < until) {
            struct pollfd pf = {fd, POLLIN, 0};
            if (poll(&pf, 1, 20) > 0)
                receive(on_report);
        }
    }
    if (discovered < cfg.ndev) {
        fprintf(stderr, "fleetsim-load: %u of %u devices did not answer discovery\n",
                cfg.ndev - discovered, cfg.ndev);
        return 1;
    }
    uint8_t ku_a[T_AUTH_KEY_MAX], ku_p[T_AUTH_KEY_MAX], kul[T_AUTH_KEY_MAX];
    if (t_usm_password_to_key(cfg.auth, cfg.auth_key, strlen(cfg.auth_key), ku_a) < 0 ||
        t_usm_password_to_key(cfg.auth, cfg.priv_key, strlen(cfg.priv_key), ku_p) < 0)
        return usage("password to key failed");
    for (uint32_t i = 0; i < cfg.ndev; i++) {
        t_usm_localize(cfg.auth, ku_a, devs[i].engine, devs[i].engine_len, devs[i].kul_auth);
        t_usm_localize(cfg.auth, ku_p, devs[i].engine, devs[i].engine_len, kul);
        memcpy(devs[i].kul_priv, kul, T_PRIV_KEY_LEN);
    }
    OPENSSL_cleanse(ku_a, sizeof ku_a);
    OPENSSL_cleanse(ku_p, sizeof ku_p);
    double disc_s = (double)(now_us() - t0) / 1e6;

    /* Load. */
    uint32_t next_dev = 0;
    int64_t gen = 0;
    for (unsigned i = 0; i < cfg.inflight; i++)
        slots[i].msg_id = -1;
    int64_t start = now_us(), end = start + (int64_t)(cfg.seconds * 1e6);
    int64_t last_check = start;
    while (now_us() < end) {
        for (unsigned i = 0; i < cfg.inflight; i++) {
            if (slots[i].msg_id >= 0)
                continue;
            int64_t id = (int64_t)(((uint64_t)gen++ * cfg.inflight + i) % (INT32_MAX / 2));
            id -= id % cfg.inflight;
            id += i;
            send_get(&slots[i], id, next_dev);
            next_dev = (next_dev + 1) % cfg.ndev;
        }
        flush_sends();
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, 5) > 0)
            while (receive(on_response) == LBATCH)
                ;
        int64_t now = now_us();
        if (now - last_check > 50000) {
            last_check = now;
            for (unsigned i = 0; i < cfg.inflight; i++)
                if (slots[i].msg_id >= 0 &&
                    now - slots[i].sent_us > (int64_t)cfg.timeout_ms * 1000) {
                    timeouts++;
                    slots[i].msg_id = -1;
                }
        }
    }
    double secs = (double)(now_us() - start) / 1e6;
    printf("devices=%u discovery_s=%.2f inflight=%u seconds=%.2f sent=%llu answered=%llu "
           "timeouts=%llu errors=%llu reports=%llu bad_digest=%llu rps=%.0f p50_us=%lld "
           "p99_us=%lld\n",
           cfg.ndev, disc_s, cfg.inflight, secs, (unsigned long long)sent,
           (unsigned long long)answered, (unsigned long long)timeouts, (unsigned long long)errors,
           (unsigned long long)reports, (unsigned long long)bad_digest, (double)answered / secs,
           (long long)percentile(0.5), (long long)percentile(0.99));
    free(devs);
    free(slots);
    close(fd);
    t_usm_cleanup();
    return answered ? 0 : 1;
}
