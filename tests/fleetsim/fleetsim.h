/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Private declarations of the fleet simulator (tests/fleetsim): one process that serves
 * thousands of SNMP printers on loopback addresses, for tests, benchmarks and the demo.
 *
 * The simulator is split so that everything that looks at a packet is a pure function of the
 * simulator state and the bytes (t_sim_packet()), with no socket behind it: the libFuzzer
 * target drives the same code the UDP path does, and the load generator reuses the BER and
 * USM halves. Files:
 *   ber.c     BER decoder (strict, bounded) and a back-to-front encoder
 *   usm.c     RFC 3414/3826/7860 USM: password to key, localisation, HMAC, AES-CFB, v3 framing
 *   profile.c model profiles from snmprec recordings or the built-in one, and their overlays
 *   device.c  per-device identity, state and its evolution over time, the alert table
 *   sim.c     MIB view, PDU processing, USM checks, UDP I/O with IP_PKTINFO, readiness probe
 *   ctl.c     the UNIX-socket control protocol
 *   wsd.c     WS-Discovery responder and SOAP endpoint (--wsd; a SOAP thread, see the file)
 *   main.c    command line
 * and, outside the simulator binary, fleetsim-load.c (a load generator on ber.c and usm.c) and
 * fuzz_packet.c (the libFuzzer target). Everything runs on one libuv loop thread (none of it is
 * thread-safe), except wsd.c's SOAP thread, which never touches the state below: it asks the
 * loop for a snapshot.
 */
#ifndef FLEETSIM_H
#define FLEETSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "snmp/snmpc.h"

#define T_MAX_OID       SNMPC_MAX_OID
#define T_MAX_VB        256   /* varbinds in one request */
#define T_MAX_RESP_VB   4096  /* varbinds in one response (GETBULK) */
#define T_RX_MAX        16384 /* largest datagram accepted; also our msgMaxSize */
#define T_TX_MAX        65507 /* largest datagram ever sent */
#define T_MAX_SUPPLIES  16    /* animated marker supplies per device; more rows stay static */
#define T_MAX_ALERTS    8     /* rows of prtAlertTable per device */
#define T_NLEAF         10    /* page counter leaves per device (see device.c) */
#define T_SERIAL_MAX    32
#define T_ENGINE_MAX    32
#define T_MAX_DEVICES   1000000u
#define T_DEFAULT_MSG   1472 /* response size limit for v1/v2c, as many printer agents use */
#define T_TIME_WINDOW_S 150  /* RFC 3414 */

/* ---------------------------------------------------------------------------------------------
 * Small helpers shared by all files
 */
/* splitmix64: one 64-bit state, good enough statistics, and cheap to seed per device. */
static inline uint64_t t_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
/* Returns: a value in lo..hi (inclusive). */
static inline uint64_t t_rand_range(uint64_t *s, uint64_t lo, uint64_t hi)
{
    return hi <= lo ? lo : lo + t_rand(s) % (hi - lo + 1);
}
static inline bool t_is_loopback(uint32_t addr)
{
    return (addr >> 24) == 127;
}
/* Formats a host-order IPv4 address into buf[16]. Returns: buf. */
char *t_addr_format(uint32_t addr, char buf[static 16]);
/* Parses a dotted quad. Returns: 0, or -1 when text is not exactly four numbers 0..255. */
int t_addr_parse(const char *text, uint32_t *addr);
/* Formats len bytes as lower-case hex into buf (needs 2 * len + 1). Returns: buf. */
char *t_hex(const uint8_t *p, size_t len, char *buf);

/* ---------------------------------------------------------------------------------------------
 * BER (ber.c)
 */
enum {
    T_BER_INT = 0x02,
    T_BER_OCTETS = 0x04,
    T_BER_NULL = 0x05,
    T_BER_OID = 0x06,
    T_BER_SEQ = 0x30,
    T_BER_IPADDR = 0x40,
    T_BER_COUNTER32 = 0x41,
    T_BER_GAUGE32 = 0x42,
    T_BER_TIMETICKS = 0x43,
    T_BER_OPAQUE = 0x44,
    T_BER_COUNTER64 = 0x46,
    T_BER_NOSUCHOBJECT = 0x80,
    T_BER_NOSUCHINSTANCE = 0x81,
    T_BER_ENDOFMIBVIEW = 0x82,
    T_PDU_GET = 0xa0,
    T_PDU_GETNEXT = 0xa1,
    T_PDU_RESPONSE = 0xa2,
    T_PDU_SET = 0xa3,
    T_PDU_TRAP1 = 0xa4,
    T_PDU_GETBULK = 0xa5,
    T_PDU_INFORM = 0xa6,
    T_PDU_TRAP2 = 0xa7,
    T_PDU_REPORT = 0xa8
};

/* SNMP error-status values (RFC 3416; the first six are also SNMPv1's). */
enum {
    T_ERR_NOERROR = 0,
    T_ERR_TOOBIG = 1,
    T_ERR_NOSUCHNAME = 2,
    T_ERR_GENERR = 5,
    T_ERR_AUTHORIZATION = 16,
    T_ERR_NOTWRITABLE = 17
};

/* Decoder cursor over [p, end). Every function checks lengths against end, so a truncated or
 * lying length can never make a read leave the buffer. Returns of the t_ber_* functions: 0, or
 * -1 on malformed input (the cursor is then unspecified). */
struct t_ber {
    const uint8_t *p, *end;
};
/* Reads one tag and length; content is [b->p, b->p + *len) after the call. Single-byte tags and
 * definite lengths of at most 4 octets only. */
int t_ber_tl(struct t_ber *b, uint8_t *tag, size_t *len);
/* Reads a TLV of the given tag; inner covers its content and b moves past it. */
int t_ber_enter(struct t_ber *b, uint8_t tag, struct t_ber *inner);
/* Reads any TLV; *p and *len give its content. */
int t_ber_any(struct t_ber *b, uint8_t *tag, const uint8_t **p, size_t *len);
/* INTEGER-like values: signed (1..8 octets) and unsigned (up to 64 bits). */
int t_ber_int(struct t_ber *b, uint8_t tag, int64_t *v);
int t_ber_uint(struct t_ber *b, uint8_t tag, uint64_t *v);
int t_ber_octets(struct t_ber *b, uint8_t tag, const uint8_t **p, size_t *len);
/* OBJECT IDENTIFIER into oid[max]; sub-ids above 2^32-1, non-minimal sub-ids and more than max
 * sub-ids are errors. */
int t_ber_oid(struct t_ber *b, uint32_t *oid, size_t max, size_t *len);

/* Encoder that writes back to front into buf[cap]: the encoded data is always
 * [buf + pos, buf + cap). Writing a sequence's content first and its header last means every
 * length is known when it is written, so lengths are minimal and nothing is moved. A write that
 * does not fit sets err and leaves the data unchanged; callers check err once at the end. */
struct t_benc {
    uint8_t *buf;
    size_t cap, pos;
    bool err;
};
void t_benc_init(struct t_benc *e, uint8_t *buf, size_t cap);
static inline size_t t_benc_len(const struct t_benc *e)
{
    return e->cap - e->pos;
}
static inline const uint8_t *t_benc_data(const struct t_benc *e)
{
    return e->buf + e->pos;
}
void t_benc_raw(struct t_benc *e, const void *p, size_t n);
void t_benc_tl(struct t_benc *e, uint8_t tag, size_t len);
/* Closes a constructed TLV whose content started at mark (a t_benc_len() value). */
void t_benc_seq(struct t_benc *e, uint8_t tag, size_t mark);
void t_benc_int(struct t_benc *e, uint8_t tag, int64_t v);
void t_benc_uint(struct t_benc *e, uint8_t tag, uint64_t v);
void t_benc_octets(struct t_benc *e, uint8_t tag, const void *p, size_t n);
void t_benc_oid(struct t_benc *e, const uint32_t *oid, size_t n);
/* Returns: encoded sizes, for budgeting responses before encoding them. */
size_t t_ber_size_hdr(size_t content_len);
size_t t_ber_size_int(int64_t v);
size_t t_ber_size_uint(uint64_t v);
size_t t_ber_size_oid(const uint32_t *oid, size_t n);

/* A decoded SNMP message. Pointers point into the datagram (or, for an encrypted v3 scoped
 * PDU, into the caller's decryption buffer) and live as long as those bytes. */
struct t_reqvb {
    uint32_t oid[T_MAX_OID];
    size_t oid_len;
};
struct t_msg {
    int64_t version; /* 0 v1, 1 v2c, 3 v3 */
    const uint8_t *community;
    size_t community_len;
    /* v3 header and USM security parameters */
    int64_t msg_id, msg_max_size, sec_model;
    uint8_t flags;
    const uint8_t *engine_id, *user, *auth_params, *priv_params;
    size_t engine_id_len, user_len, auth_params_len, priv_params_len;
    int64_t boots, time;
    const uint8_t *data; /* v3: the msgData TLV content (encrypted octets or scoped PDU) */
    size_t data_len;
    bool encrypted;
    const uint8_t *ctx_engine, *ctx_name;
    size_t ctx_engine_len, ctx_name_len;
    /* PDU; for GETBULK err_status/err_index hold non-repeaters/max-repetitions */
    bool has_pdu;
    uint8_t pdu_type;
    int64_t req_id, err_status, err_index;
    size_t nvb;
    bool too_many_vbs;  /* more varbinds than vb_cap: nvb holds the first vb_cap */
    struct t_reqvb *vb; /* caller's storage */
    size_t vb_cap;
    struct t_val *vals; /* optional: varbind values (for the load generator), vb_cap long */
};
/* Values as the encoder and the MIB view see them. */
struct t_val {
    uint8_t tag; /* T_BER_* */
    int64_t num; /* INTEGER, Counter32, Gauge32, TimeTicks; Counter64 as uint64 bits */
    const uint8_t *buf;
    size_t len; /* octets, or sub-ids of oidval */
    const uint32_t *oidval;
};

/* Decodes the message header. v1/v2c: also the PDU. v3: the header, the USM parameters and,
 * when the data is plaintext, the scoped PDU. m->vb and m->vb_cap must be set by the caller.
 * Returns: 0, or -1 for a malformed message. */
int t_msg_decode(const uint8_t *pkt, size_t len, struct t_msg *m);
/* Decodes a plaintext scoped PDU (contextEngineID, contextName, PDU); trailing bytes after the
 * SEQUENCE are allowed, as block-cipher padding may leave them. Returns: 0 or -1. */
int t_scoped_decode(const uint8_t *p, size_t len, struct t_msg *m);
/* Encodes the value of one varbind. */
void t_benc_val(struct t_benc *e, const struct t_val *v);
size_t t_ber_size_val(const struct t_val *v);

/* ---------------------------------------------------------------------------------------------
 * USM (usm.c)
 */
struct t_auth_alg {
    const char *name; /* as net-snmp's -a spells it */
    const char *digest;
    size_t key_len; /* digest size */
    size_t mac_len; /* truncated HMAC carried in msgAuthenticationParameters */
    size_t block;   /* digest block size, for HMAC */
};
#define T_AUTH_KEY_MAX 64
#define T_PRIV_KEY_LEN 16
#define T_SALT_LEN     8
#define T_MAC_MAX      48

/* Returns: the algorithm for a name ("SHA", "SHA-256", ...; case-insensitive), or NULL. */
const struct t_auth_alg *t_auth_find(const char *name);
/* Sets up the digest and cipher contexts once. Returns: 0, or -1 when OpenSSL lacks an
 * algorithm. */
int t_usm_init(void);
void t_usm_cleanup(void);
/* RFC 3414 A.2 password to key: hashes 1 MiB of the repeated password into ku[key_len]. */
int t_usm_password_to_key(const struct t_auth_alg *a, const char *pw, size_t pwlen, uint8_t *ku);
/* RFC 3414 2.6 localisation: kul = H(ku | engine | ku), key_len bytes. */
int t_usm_localize(const struct t_auth_alg *a, const uint8_t *ku, const uint8_t *engine,
                   size_t engine_len, uint8_t *kul);
/* HMAC over msg with key (key_len bytes); writes mac_len bytes. Returns: 0 or -1. */
int t_usm_hmac(const struct t_auth_alg *a, const uint8_t *key, const uint8_t *msg, size_t len,
               uint8_t *mac);
/* AES-128-CFB with the RFC 3826 IV (boots | time | salt). Returns: 0 or -1. */
int t_usm_aes(bool encrypt, const uint8_t key[T_PRIV_KEY_LEN], uint32_t boots, uint32_t time,
              const uint8_t salt[T_SALT_LEN], const uint8_t *in, size_t len, uint8_t *out);
/* Checks msgAuthenticationParameters of a decoded message against key. pkt/len is the whole
 * datagram m was decoded from. Returns: true when the digest matches. */
bool t_usm_verify(const struct t_auth_alg *a, const uint8_t *key, const uint8_t *pkt, size_t len,
                  const struct t_msg *m);

/* What a v3 message carries besides its scoped PDU. */
struct t_v3out {
    int64_t msg_id, max_size;
    uint8_t flags; /* 1 auth, 2 priv, 4 reportable */
    const uint8_t *engine_id, *user;
    size_t engine_id_len, user_len;
    uint32_t boots, time;
    const struct t_auth_alg *auth; /* used when flags & 1 */
    const uint8_t *kul_auth, *kul_priv;
    uint64_t salt; /* AES salt, used when flags & 2 */
};
/* Frames the plaintext scoped PDU sp[splen] as a complete SNMPv3 message into e, which must be
 * empty: encrypts, then authenticates. Returns: 0, or -1 when it does not fit or crypto
 * failed. */
int t_v3_encode(struct t_benc *e, const struct t_v3out *o, const uint8_t *sp, size_t splen);

/* ---------------------------------------------------------------------------------------------
 * Profiles (profile.c)
 */
enum t_dyn {
    T_DYN_NONE,
    T_DYN_UPTIME, /* sysUpTime.0, hrSystemUptime.0 */
    T_DYN_SYSNAME,
    T_DYN_SERIAL,      /* a value that is exactly the profile's serial number */
    T_DYN_SERIAL_IN,   /* a text holding the serial at offset arg */
    T_DYN_MAC,         /* ifPhysAddress of interface arg (0..3) */
    T_DYN_COUNTER,     /* page counter spec arg */
    T_DYN_POWERON,     /* prtMarkerPowerOnCount */
    T_DYN_LEVEL,       /* prtMarkerSuppliesLevel of supply slot arg */
    T_DYN_ERRSTATE,    /* hrPrinterDetectedErrorState */
    T_DYN_PRTSTATUS,   /* hrPrinterStatus */
    T_DYN_DEVSTATUS,   /* hrDeviceStatus of the printer */
    T_DYN_ALERTS_CRIT, /* prtAlertCriticalEvents */
    T_DYN_ALERTS_ALL,  /* prtAlertAllEvents */
    T_DYN_CONSOLE,     /* first console display line */
    T_DYN_ENGINE_ID,   /* SNMP-FRAMEWORK-MIB snmpEngine group */
    T_DYN_ENGINE_BOOTS,
    T_DYN_ENGINE_TIME,
    T_DYN_ENGINE_MAXSIZE,
    T_DYN_ALERT_TABLE /* the whole of prtAlertEntry, generated per device */
};

/* One object of the MIB view: a recorded value, possibly replaced per device (dyn). */
struct t_entry {
    const uint32_t *oid;
    uint16_t oid_len;
    uint8_t dyn;
    uint16_t arg;
    const struct snmpc_vb *vb; /* recorded value; NULL for the alert table */
};

enum t_usage {
    T_USE_NONE,  /* not consumed by printing */
    T_USE_ALL,   /* every page: black toner, drum, waste box, fuser */
    T_USE_COLOUR /* colour pages: cyan, magenta, yellow */
};
struct t_supply {
    uint32_t index; /* prtMarkerSuppliesIndex */
    int32_t max;    /* prtMarkerSuppliesMaxCapacity, <= 0 when unknown */
    int32_t level;  /* recorded level */
    uint8_t type;   /* PrtMarkerSuppliesTypeTC */
    uint8_t klass;  /* 3 consumed, 4 receptacle */
    uint8_t usage;  /* enum t_usage */
    uint32_t yield; /* pages for a full supply */
    const char *desc;
};

/* Page counters: a sum of per-device leaves (built-in profile), or a recorded vendor counter
 * scaled with the device's life count so that it stays consistent with it (recordings). */
struct t_counter {
    bool scaled;
    uint16_t leaves; /* bit mask of leaves summed */
    uint64_t v0;     /* recorded value, for scaled */
    uint8_t tag;     /* BER type to answer with */
};
#define T_MAX_COUNTERS 32

struct t_profile {
    char name[64];
    struct snmpc_vbset set; /* the recording plus placeholders for dynamic objects */
    struct t_entry *e;
    size_t n;
    uint32_t enterprise;
    uint32_t hr_index; /* hrDeviceIndex of the printer */
    char serial[T_SERIAL_MAX];
    uint8_t oui[3];
    bool builtin, colour;
    uint64_t life0; /* recorded prtMarkerLifeCount (reference for scaled counters) */
    struct t_supply sup[T_MAX_SUPPLIES];
    size_t nsup;
    struct t_counter ctr[T_MAX_COUNTERS];
    size_t nctr;
    int life_ctr; /* index in ctr of prtMarkerLifeCount */
    uint16_t page_leaves;
    size_t errstate_len;       /* octets of the recorded hrPrinterDetectedErrorState */
    const uint32_t *alert_oid; /* prtAlertEntry */
    size_t alert_oid_len;
};

/* Loads the built-in Kyocera profile. Returns: 0 or GW_E_PARSE (a bug). */
int t_profile_builtin(struct t_profile *p, struct gw_errbuf *eb);
/* Loads an snmprec recording; cat (may be NULL) names its vendor counters. Returns: 0, -errno,
 * GW_E_PARSE naming file:line. */
int t_profile_load(struct t_profile *p, const char *path, const struct snmpc_catalogue *cat,
                   struct gw_errbuf *eb);
void t_profile_cleanup(struct t_profile *p);
/* Returns: the index of the first entry at or after oid. */
size_t t_profile_lower_bound(const struct t_profile *p, const uint32_t *oid, size_t len);
/* Returns: the slot of supply index, or -1. */
int t_profile_supply_slot(const struct t_profile *p, uint32_t index);

/* ---------------------------------------------------------------------------------------------
 * Devices (device.c)
 */
enum {
    T_F_DOWN = 1u << 0,
    T_F_SLEEP = 1u << 1,
    T_F_JAM = 1u << 2,
    T_F_DOOR = 1u << 3,
    T_F_NOSNMP = 1u << 4 /* SNMP disabled: found only through WS-Discovery */
};
enum t_alert_kind {
    T_AK_JAM,
    T_AK_DOOR,
    T_AK_SUPPLY_LOW, /* slot in alert.slot */
    T_AK_SUPPLY_EMPTY
};
struct t_alert {
    uint32_t index; /* prtAlertIndex */
    uint32_t time;  /* sysUpTime at creation, centiseconds */
    uint8_t kind, slot;
};

/* Page counter leaves (device.c); the built-in profile's counters are sums of them. For a
 * recording, leaf 0 holds all pages. */
enum {
    T_LEAF_PRINT_MONO,
    T_LEAF_PRINT_SINGLE,
    T_LEAF_PRINT_FULL,
    T_LEAF_COPY_MONO,
    T_LEAF_COPY_SINGLE,
    T_LEAF_COPY_FULL,
    T_LEAF_FAX_MONO,
    T_LEAF_SCAN_COPY,
    T_LEAF_SCAN_FAX,
    T_LEAF_SCAN_OTHER
};

struct t_dev {
    uint32_t addr; /* current address, host order */
    uint32_t index;
    uint16_t profile;
    uint16_t flags; /* T_F_* */
    uint32_t boots;
    int64_t boot_ms; /* loop time of the last boot; negative when it booted before we started */
    uint64_t rng;
    uint64_t leaf[T_NLEAF];
    uint64_t life_at_boot;
    uint32_t pph; /* pages per hour */
    uint32_t acc; /* milli-pages waiting to be printed */
    uint16_t job; /* pages of the next job */
    uint8_t colour_pct, copy_pct, fax_pct;
    /* Ticks at which timed conditions end (0: not active; UINT32_MAX: until told otherwise). */
    uint32_t jam_until, door_until, sleep_until, down_until;
    uint32_t warm_until, printed_tick;
    int64_t level[T_MAX_SUPPLIES];  /* milli-units */
    int8_t special[T_MAX_SUPPLIES]; /* -1, -2, -3: pinned Printer-MIB special value */
    uint32_t refill_at[T_MAX_SUPPLIES];
    struct t_alert alert[T_MAX_ALERTS];
    uint8_t nalert;
    uint32_t alert_next, alerts_all, alerts_crit;
    uint8_t mac[6];
    uint8_t engine_len;
    char serial[T_SERIAL_MAX];
    uint8_t engine_id[T_ENGINE_MAX];
};

/* ---------------------------------------------------------------------------------------------
 * The simulator (sim.c)
 */
struct t_opts {
    uint32_t devices;
    uint32_t base; /* host order */
    uint16_t port;
    const char *community;
    const char *v3_user;
    const char *auth_key, *priv_key;
    const struct t_auth_alg *auth;
    const char *profiles;
    const char *catalogue;
    const char *control;
    uint64_t seed;
    double events_per_hour; /* per device */
    double page_rate;       /* multiplier of every device's page rate */
    size_t max_msg;
    int verbose;
    /* WS-Discovery and SOAP (wsd.c) */
    bool wsd;
    uint16_t wsd_port, soap_port;
    double snmp_off_fraction;  /* of devices, chosen by seed */
    const char *snmp_off_list; /* "3,7,10-12" */
};

enum t_report {
    T_REP_UNKNOWN_ENGINE,
    T_REP_UNKNOWN_USER,
    T_REP_WRONG_DIGEST,
    T_REP_TIME_WINDOW,
    T_REP_DECRYPT,
    T_REP_SECLEVEL,
    T_REP_UNKNOWN_CONTEXT,
    T_REP_N
};

struct t_stats {
    uint64_t rx, tx;
    uint64_t v1, v2c, v3;
    uint64_t get, getnext, getbulk, set, other_pdu;
    uint64_t reports, rep[T_REP_N];
    uint64_t malformed, bad_version, bad_community, offbox, no_device, down, too_big;
    uint64_t send_errors, truncated_rx;
};

struct t_ctl;

struct t_sim {
    struct t_opts opt;
    uv_loop_t *loop;
    struct t_profile *prof;
    size_t nprof;
    struct t_dev *dev;
    size_t ndev;
    uint32_t *htab; /* address -> device index + 1, open addressing */
    size_t hmask;
    /* v3 user */
    const struct t_auth_alg *auth;
    bool has_priv;
    uint8_t *keys; /* per device: kul_auth[key_len] then kul_priv[16] */
    size_t key_stride;
    uint8_t *user;
    size_t user_len;
    uint64_t salt;
    /* time: now_ms counts from t_sim_start() (uv_now() minus now_ms_base) */
    int64_t now_ms, now_ms_base;
    uint32_t tick;
    uint64_t ev_rng;
    double ev_acc;
    /* statistics */
    struct t_stats st;
    uint64_t rate_prev_rx, rate_prev_v3;
    double rps, rps_v3;
    /* I/O */
    int fd;
    uint16_t port;
    int exit_code;
    uv_poll_t poll;
    uv_timer_t timer;
    uv_signal_t sig[2];
    struct t_ctl *ctl;
    bool started, stopping;
    /* readiness probe */
    int probe_fd;
    uv_poll_t probe_poll;
    uv_timer_t probe_timer;
    uint8_t *probe_ok;
    size_t probe_left, probe_next;
    int probe_rounds;
    bool ready;
    struct t_wsd *wsd; /* NULL without --wsd */
};

/* Builds profiles and devices from opt (borrowed for the simulator's life). No I/O.
 * Returns: 0, or a negative code with eb naming the problem. */
int t_sim_init(struct t_sim *sim, const struct t_opts *opt, struct gw_errbuf *eb);
/* Opens the socket, the timers, the control socket and starts the readiness probe, which
 * prints "ready" once every device has answered. Returns: 0 or a negative code (eb). */
int t_sim_start(struct t_sim *sim, uv_loop_t *loop, struct gw_errbuf *eb);
/* Closes every handle; the loop then ends. */
void t_sim_stop(struct t_sim *sim);
void t_sim_cleanup(struct t_sim *sim);
/* Processes one datagram sent from src to dst (host order). Writes the reply, if any, into
 * out[cap]. Returns: the reply's length, 0 when nothing is to be sent. */
size_t t_sim_packet(struct t_sim *sim, uint32_t src, uint32_t dst, const uint8_t *pkt, size_t len,
                    uint8_t *out, size_t cap);
/* Processes a decrypted scoped PDU as if it had arrived, authenticated and encrypted, at device
 * d; for the fuzzer, to reach past the HMAC check. Returns: as t_sim_packet(). */
size_t t_sim_scoped(struct t_sim *sim, struct t_dev *d, const uint8_t *sp, size_t len, uint8_t *out,
                    size_t cap);
/* Address table. */
struct t_dev *t_sim_find(const struct t_sim *sim, uint32_t addr);
int t_sim_move(struct t_sim *sim, struct t_dev *d, uint32_t addr);
/* Returns: the per-device localized keys. */
static inline const uint8_t *t_sim_kul_auth(const struct t_sim *sim, const struct t_dev *d)
{
    return sim->keys + (size_t)d->index * sim->key_stride;
}
static inline const uint8_t *t_sim_kul_priv(const struct t_sim *sim, const struct t_dev *d)
{
    return sim->keys + (size_t)d->index * sim->key_stride + sim->auth->key_len;
}
void t_log(const struct t_sim *sim, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Device life (device.c) */
/* Sets identity and initial state of device i. */
void t_dev_init(struct t_sim *sim, struct t_dev *d, uint32_t i);
/* Advances every device by one tick and applies random events. */
void t_dev_tick_all(struct t_sim *sim);
/* Control actions; they take effect for the next request. t_dev_set_level() returns 0 or a
 * negative code with the reason in eb. */
void t_dev_reboot(struct t_sim *sim, struct t_dev *d);
void t_dev_set_jam(struct t_sim *sim, struct t_dev *d, bool on, uint32_t until);
void t_dev_set_door(struct t_sim *sim, struct t_dev *d, bool open, uint32_t until);
void t_dev_set_sleep(struct t_sim *sim, struct t_dev *d, bool on, uint32_t until);
void t_dev_set_down(struct t_sim *sim, struct t_dev *d, bool down, uint32_t until);
void t_dev_clear(struct t_sim *sim, struct t_dev *d);
int t_dev_set_level(struct t_sim *sim, struct t_dev *d, uint32_t supply_index, int64_t level,
                    struct gw_errbuf *eb);
void t_dev_set_life(struct t_sim *sim, struct t_dev *d, uint64_t value);
/* Derived values for the MIB view. */
uint64_t t_dev_life(const struct t_sim *sim, const struct t_dev *d);
uint64_t t_dev_counter(const struct t_sim *sim, const struct t_dev *d, size_t ctr);
uint32_t t_dev_uptime(const struct t_sim *sim, const struct t_dev *d); /* centiseconds */
uint32_t t_dev_engine_time(const struct t_sim *sim, const struct t_dev *d);
int64_t t_dev_level(const struct t_sim *sim, const struct t_dev *d, size_t slot);
/* hrPrinterDetectedErrorState octets into buf[2]. Returns: the octet count. */
size_t t_dev_errstate(const struct t_sim *sim, const struct t_dev *d, uint8_t buf[2]);
int t_dev_prtstatus(const struct t_sim *sim, const struct t_dev *d);
int t_dev_devstatus(const struct t_sim *sim, const struct t_dev *d);
const char *t_dev_console(const struct t_sim *sim, const struct t_dev *d);
/* The prtAlertTable column col (2..9) of alert a into v; text goes to buf[buflen]. */
void t_dev_alert_value(const struct t_sim *sim, const struct t_dev *d, const struct t_alert *a,
                       uint32_t col, struct t_val *v, char *buf, size_t buflen);
/* One-line description for "list"/"show". Returns: chars written (snprintf). */
int t_dev_describe(const struct t_sim *sim, const struct t_dev *d, char *buf, size_t len,
                   bool full);

/* ---------------------------------------------------------------------------------------------
 * Control socket (ctl.c)
 */
int t_ctl_start(struct t_sim *sim, const char *path, struct gw_errbuf *eb);
void t_ctl_stop(struct t_sim *sim);
/* Executes one command line (without its newline). The reply goes into out (heap, caller
 * frees); it ends with '\n'. */
char *t_ctl_exec(struct t_sim *sim, const char *line);


/* ---------------------------------------------------------------------------------------------
 * WS-Discovery responder and SOAP endpoint (wsd.c), started with --wsd
 */
struct t_wsd;
/* Marks the devices of --snmp-off and --snmp-off-fraction. Returns: 0, or GW_E_INVAL naming the
 * bad list item in eb. */
int t_wsd_mark_snmp_off(struct t_sim *sim, struct gw_errbuf *eb);
int t_wsd_start(struct t_sim *sim, struct gw_errbuf *eb);
void t_wsd_stop(struct t_sim *sim);
void t_wsd_cleanup(struct t_sim *sim);
/* The device's stable endpoint reference "urn:uuid:..." (from --seed and its index). */
void t_wsd_uuid(const struct t_sim *sim, const struct t_dev *d, char out[48]);
/* "uuid=... xaddr=... snmp=on|off wsd=on|off". Returns: chars written (snprintf). */
int t_wsd_describe(const struct t_sim *sim, const struct t_dev *d, char *buf, size_t len);
/* "wsd_rx=... wsd_matches=... ...", or "" without --wsd. */
void t_wsd_stats(const struct t_sim *sim, char *buf, size_t len);

/* BER tag of a varbind type (profile.c); 0 for SNMPC_T_NOSUCH. */
uint8_t t_tag_of(enum snmpc_vtype t);

#endif
