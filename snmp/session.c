/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Asynchronous net-snmp sessions on the gateway's libuv loop.
 *
 * Each session is one net-snmp single-session handle (snmp_sess_open), one uv_poll_t on its
 * UDP socket and one uv_timer_t. The timer is armed from snmp_sess_select_info2_flags() to the
 * next retransmission or timeout that net-snmp wants, clamped to the poll's overall deadline;
 * the poll handle runs snmp_sess_read2() when a datagram is waiting. A session carries at most
 * one outstanding request, which is all a poll's state machine (poll.c) needs and keeps SNMPv3
 * discovery simple.
 *
 * net-snmp's response callback runs deep inside snmp_sess_read2()/snmp_sess_timeout(), while
 * the library still holds pointers into its request list, and before it has copied a Report's
 * engine ID into the session. So the callback only records the outcome (cloning the PDU) and
 * everything else, v3 discovery steps, the next request, user callbacks that may close the
 * session, runs after read2/timeout have returned.
 *
 * SNMPv3: net-snmp would discover the engine ID with a blocking synchronous request inside the
 * first send, so we set SNMP_FLAGS_DONT_PROBE and probe ourselves (empty user, noAuthNoPriv,
 * no varbinds); the agent answers with a usmStatsUnknownEngineIDs Report carrying its engine ID,
 * boots and time. USM errors come back as Reports (net-snmp 5.9.3 hands each to the callback
 * twice, as OP_SEC_ERROR and then OP_RECEIVED_MESSAGE); they are translated to SNMPC_E_* codes.
 * Agents that answer with a message authenticated by their own key (pysnmp) show up as a
 * message failing our HMAC check: a wrong auth key too. A wrong privacy key is the case the
 * protocol leaves vague: the message authenticates, the agent decrypts garbage, and net-snmp's
 * snmpd 5.9.3 and snmpsimd both drop it silently instead of sending usmStatsDecryptionErrors.
 * When an authPriv request to an engine that answered discovery times out, one authNoPriv GET
 * with the same user and auth key tells the cases apart where the agent allows it: a Response
 * (even authorizationError) proves user and auth key right, so the silence was the privacy key.
 * Reports to that GET prove nothing about the key (user and level are checked before the
 * digest), and silence leaves a timeout whose detail says the engine answered discovery.
 *
 * Ku (the password-derived key, ~6 ms of hashing per password) is cached per (password, hash)
 * in a small process-wide table keyed by a SHA-256 of the password, never the password itself.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>
#include <net-snmp/library/snmpusm.h>
#include <net-snmp/library/lcd_time.h>
#include <net-snmp/library/keytools.h>
#include <net-snmp/library/transform_oids.h>

#include "snmp/snmpc_int.h"

#define DEFAULT_TIMEOUT_MS 2000u
#define KU_CACHE_SIZE      16

struct snmpc_session {
    uv_loop_t *loop;
    void *ssp; /* net-snmp single-session handle */
    int fd;
    uv_poll_t poll;
    uv_timer_t timer;
    int open_handles; /* libuv handles not yet closed */
    bool closing;
    bool dispatching; /* inside dispatch(): its caller re-arms the timer afterwards */
    struct snmpc_session *prev, *next; /* in usm_holders while linked */
    bool linked;

    struct snmpc_target t; /* copy without secrets; strings below */
    char host[256], sec_name[64], context[64];
    char auth_proto[16], priv_proto[16];

    /* the one outstanding request */
    bool busy;
    snmpc__resp_cb cb;
    void *cb_arg;
    long reqid;
    netsnmp_pdu *pending; /* v3: the request waiting for discovery or for the priv check */
    bool nit_seen;        /* one notInTimeWindow Report is a resync, not an error */
    uint64_t deadline_at; /* uv_now() ms, 0 = none */
    uint64_t deadline_ms;

    /* v3 discovery and diagnosis */
    enum { V3_NONE, V3_PROBING, V3_READY } v3;
    bool parked;                 /* between polls: the USM entry is released (snmpc__park) */
    u_int park_boots, park_time; /* the engine's boots and time when parked */
    uint64_t park_ms;
    bool priv_answered; /* an authPriv request got an authenticated answer */
    bool priv_check;    /* the outstanding request is the authNoPriv diagnosis */
    unsigned char probe_eid[32];
    size_t probe_eid_len;

    /* outcome recorded by the net-snmp callback, delivered after read2/timeout return */
    bool have_result;
    int res_status;
    netsnmp_pdu *res_pdu;
    char res_detail[256];

    void *job; /* the poll running on the session, see snmpc__job_set() */
    snmpc__job_cancel_cb job_cancel;
    snmpc_close_cb close_cb;
    void *close_arg;
};

static bool lib_ready;
static netsnmp_large_fd_set fdset;
static int fdset_size;
/* The v3 sessions that may hold a USM entry (open, not parked): the ones usm_shared() must look
 * at. Parked sessions leave the list, so it stays as short as the polls in flight; walking every
 * open session instead cost two thirds of the daemon's CPU at 10,000 devices. */
static struct snmpc_session *usm_holders;

static void holders_link(struct snmpc_session *s)
{
    if (s->linked)
        return;
    s->prev = NULL;
    s->next = usm_holders;
    if (usm_holders)
        usm_holders->prev = s;
    usm_holders = s;
    s->linked = true;
}

static void holders_unlink(struct snmpc_session *s)
{
    if (!s->linked)
        return;
    if (s->prev)
        s->prev->next = s->next;
    else
        usm_holders = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->prev = s->next = NULL;
    s->linked = false;
}

struct ku_entry {
    bool used;
    unsigned char pass_hash[32]; /* SHA-256 of the password: the cache never keeps it */
    const oid *hash;             /* auth protocol the key was derived with */
    unsigned char ku[USM_AUTH_KU_LEN];
    size_t ku_len;
    uint64_t last_use;
};
static struct ku_entry ku_cache[KU_CACHE_SIZE];
static uint64_t ku_clock;

/* ---------------------------------------------------------------------------------------------
 * Library setup
 */

/* net-snmp's log lines (parse errors, "security service 3 error parsing ScopedPDU", ...) go to
 * our log instead of its default stderr handler. */
static int on_netsnmp_log(int major, int minor, void *server_arg, void *client_arg)
{
    const struct snmp_log_message *m = server_arg;
    size_t n;
    if (!m || !m->msg)
        return 0;
    n = strlen(m->msg);
    while (n && (m->msg[n - 1] == '\n' || m->msg[n - 1] == '\r'))
        n--;
    if (m->priority <= LOG_WARNING)
        gw_log_warn(SNMP, "net-snmp: %.*s", (int)n, m->msg);
    else
        gw_log_debug(SNMP, "net-snmp: %.*s", (int)n, m->msg);
    return 0;
}

int snmpc_lib_init(void)
{
    if (lib_ready)
        return 0;
    /* Debian ships no IETF MIBs; an empty list stops init_snmp() from reporting hundreds of
     * missing modules. Numeric OIDs are all we use. */
    setenv("MIBS", "", 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    /* snmp.conf (system or ~/.snmp) could set defSecurityName, defVersion and the like behind
     * our back; everything a session needs comes from its target. */
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    snmp_disable_stderrlog();
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, on_netsnmp_log, NULL);
    snmp_enable_calllog();
    init_snmp("fleetgw");

    /* One fd set for the whole process. Only one bit is ever set in it, and cleared again
     * right after use, so it never needs zeroing (which would cost a memset of the whole set
     * per request once thousands of sockets push it past FD_SETSIZE). */
    fdset_size = FD_SETSIZE;
    netsnmp_large_fd_set_init(&fdset, fdset_size);
    NETSNMP_LARGE_FD_ZERO(&fdset);
    lib_ready = true;
    return 0;
}

static void usm_user_destroy(struct usmUser *u);

void snmpc_lib_shutdown(void)
{
    struct usmUser *u;

    if (!lib_ready)
        return;
    OPENSSL_cleanse(ku_cache, sizeof ku_cache);
    /* snmp_shutdown() leaves the USM user list (and its keys) allocated. */
    while ((u = usm_get_userList()))
        usm_user_destroy(u);
    netsnmp_large_fd_set_cleanup(&fdset);
    snmp_shutdown("fleetgw");
    lib_ready = false;
}

/* ---------------------------------------------------------------------------------------------
 * Protocols and keys
 */

struct proto {
    const char *name;
    const char *alias;
    oid *oid;
    size_t len;
};

static const struct proto *auth_proto_find(const char *name)
{
    static const struct proto tab[] = {
        {"MD5", NULL, usmHMACMD5AuthProtocol, OID_LENGTH(usmHMACMD5AuthProtocol)},
        {"SHA", "SHA1", usmHMACSHA1AuthProtocol, OID_LENGTH(usmHMACSHA1AuthProtocol)},
        {"SHA-224", "SHA224", usmHMAC128SHA224AuthProtocol,
         OID_LENGTH(usmHMAC128SHA224AuthProtocol)},
        {"SHA-256", "SHA256", usmHMAC192SHA256AuthProtocol,
         OID_LENGTH(usmHMAC192SHA256AuthProtocol)},
        {"SHA-384", "SHA384", usmHMAC256SHA384AuthProtocol,
         OID_LENGTH(usmHMAC256SHA384AuthProtocol)},
        {"SHA-512", "SHA512", usmHMAC384SHA512AuthProtocol,
         OID_LENGTH(usmHMAC384SHA512AuthProtocol)},
    };
    for (size_t i = 0; name && i < sizeof tab / sizeof tab[0]; i++)
        if (strcasecmp(name, tab[i].name) == 0 || (tab[i].alias && !strcasecmp(name, tab[i].alias)))
            return &tab[i];
    return NULL;
}

static const struct proto *priv_proto_find(const char *name)
{
    /* AES-192/256 are the Blumenthal key extension, as net-snmp's own -x AES-192 and snmpd's
     * createUser ... AES-192 use them. */
    static const struct proto tab[] = {
        {"DES", NULL, usmDESPrivProtocol, OID_LENGTH(usmDESPrivProtocol)},
        {"AES", "AES-128", usmAESPrivProtocol, OID_LENGTH(usmAESPrivProtocol)},
        {"AES-192", "AES192", usmAES192PrivProtocol, OID_LENGTH(usmAES192PrivProtocol)},
        {"AES-256", "AES256", usmAES256PrivProtocol, OID_LENGTH(usmAES256PrivProtocol)},
    };
    for (size_t i = 0; name && i < sizeof tab / sizeof tab[0]; i++)
        if (strcasecmp(name, tab[i].name) == 0 || (tab[i].alias && !strcasecmp(name, tab[i].alias)))
            return &tab[i];
    return NULL;
}

/* Derives Ku for pass with the auth protocol's hash, through the cache. */
static int ku_get(const struct proto *hash, const char *pass, unsigned char *ku, size_t *ku_len,
                  struct gw_errbuf *eb, const char *what)
{
    unsigned char ph[32];
    unsigned int phlen = sizeof ph;
    struct ku_entry *slot = NULL;
    size_t n = strlen(pass);

    if (n < 8)
        return gw_errbuf_set(eb, GW_E_INVAL, "%s passphrase is shorter than 8 characters", what);
    if (!EVP_Digest(pass, n, ph, &phlen, EVP_sha256(), NULL))
        return gw_errbuf_set(eb, GW_E_CRYPTO, "cannot hash the %s passphrase", what);
    ku_clock++;
    for (size_t i = 0; i < KU_CACHE_SIZE; i++) {
        struct ku_entry *e = &ku_cache[i];
        if (e->used && e->hash == hash->oid && CRYPTO_memcmp(e->pass_hash, ph, sizeof ph) == 0) {
            e->last_use = ku_clock;
            memcpy(ku, e->ku, e->ku_len);
            *ku_len = e->ku_len;
            OPENSSL_cleanse(ph, sizeof ph);
            return 0;
        }
        if (!slot || !e->used || (slot->used && e->last_use < slot->last_use))
            slot = e;
    }
    *ku_len = USM_AUTH_KU_LEN;
    if (generate_Ku(hash->oid, (u_int)hash->len, (const u_char *)pass, n, ku, ku_len) !=
        SNMPERR_SUCCESS) {
        OPENSSL_cleanse(ph, sizeof ph);
        return gw_errbuf_set(eb, SNMPC_E_PROTO, "cannot derive the %s key with %s", what,
                             hash->name);
    }
    OPENSSL_cleanse(slot, sizeof *slot);
    slot->used = true;
    memcpy(slot->pass_hash, ph, sizeof ph);
    slot->hash = hash->oid;
    memcpy(slot->ku, ku, *ku_len);
    slot->ku_len = *ku_len;
    slot->last_use = ku_clock;
    OPENSSL_cleanse(ph, sizeof ph);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Sessions
 */

static int on_pdu(int op, netsnmp_session *ns, int reqid, netsnmp_pdu *pdu, void *magic);
static void on_readable(uv_poll_t *h, int status, int events);
static void on_timer(uv_timer_t *t);

static void hex(const unsigned char *b, size_t n, char *out, size_t outlen)
{
    static const char digits[] = "0123456789abcdef";
    size_t o = 0;
    if (!outlen)
        return;
    for (size_t i = 0; i < n && o + 2 < outlen; i++) {
        out[o++] = digits[b[i] >> 4];
        out[o++] = digits[b[i] & 15];
    }
    out[o] = '\0';
}

int snmpc_session_new(uv_loop_t *loop, const struct snmpc_target *t, struct snmpc_session **out,
                      struct gw_errbuf *eb)
{
    netsnmp_session in;
    struct snmpc_session *s;
    const struct proto *auth = NULL, *priv = NULL;
    netsnmp_transport *tr;
    char peer[300];
    int rc;

    *out = NULL;
    if (!lib_ready)
        snmpc_lib_init();
    if (!t || !t->host || !*t->host || strlen(t->host) >= sizeof s->host)
        return gw_errbuf_set(eb, GW_E_INVAL, "no or too long host");
    if (t->version != GW_SNMP_V1 && t->version != GW_SNMP_V2C && t->version != GW_SNMP_V3)
        return gw_errbuf_set(eb, GW_E_INVAL, "bad SNMP version %d", (int)t->version);
    if (t->version == GW_SNMP_V3) {
        if (!t->sec_name || !*t->sec_name || strlen(t->sec_name) >= sizeof s->sec_name)
            return gw_errbuf_set(eb, GW_E_INVAL, "SNMPv3 needs a user name (1..63 bytes)");
        if (t->context && strlen(t->context) >= sizeof s->context)
            return gw_errbuf_set(eb, GW_E_INVAL, "context name longer than 63 bytes");
        if (t->sec_level < GW_SEC_NOAUTH || t->sec_level > GW_SEC_AUTHPRIV)
            return gw_errbuf_set(eb, GW_E_INVAL, "bad security level %d", (int)t->sec_level);
        if (t->sec_level >= GW_SEC_AUTHNOPRIV) {
            if (!(auth = auth_proto_find(t->auth_proto ? t->auth_proto : "SHA")))
                return gw_errbuf_set(eb, SNMPC_E_PROTO, "unknown auth protocol '%s'",
                                     t->auth_proto);
            if (!t->auth_pass)
                return gw_errbuf_set(eb, GW_E_INVAL, "auth passphrase missing");
        }
        if (t->sec_level == GW_SEC_AUTHPRIV) {
            if (!(priv = priv_proto_find(t->priv_proto ? t->priv_proto : "AES")))
                return gw_errbuf_set(eb, SNMPC_E_PROTO, "unknown priv protocol '%s'",
                                     t->priv_proto);
            if (!t->priv_pass)
                return gw_errbuf_set(eb, GW_E_INVAL, "priv passphrase missing");
        }
    }

    /* net-snmp parses "udp:" and "udp6:" peer names itself; IPv6 literals need brackets. */
    snprintf(peer, sizeof peer, strchr(t->host, ':') ? "udp6:[%s]:%u" : "udp:%s:%u", t->host,
             t->port ? t->port : 161);

    snmp_sess_init(&in);
    in.peername = peer;
    in.timeout = (long)(t->timeout_ms ? t->timeout_ms : DEFAULT_TIMEOUT_MS) * 1000L;
    in.retries = (int)t->retries;
    in.callback = on_pdu;
    switch (t->version) {
    case GW_SNMP_V1:
    case GW_SNMP_V2C:
        in.version = t->version == GW_SNMP_V1 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
        in.community = (u_char *)(t->community ? t->community : "public");
        in.community_len = strlen((const char *)in.community);
        break;
    case GW_SNMP_V3:
        in.version = SNMP_VERSION_3;
        in.securityModel = SNMP_SEC_MODEL_USM;
        in.securityName = (char *)t->sec_name;
        in.securityNameLen = strlen(t->sec_name);
        in.securityLevel = t->sec_level == GW_SEC_NOAUTH       ? SNMP_SEC_LEVEL_NOAUTH
                           : t->sec_level == GW_SEC_AUTHNOPRIV ? SNMP_SEC_LEVEL_AUTHNOPRIV
                                                               : SNMP_SEC_LEVEL_AUTHPRIV;
        if (t->context) {
            in.contextName = (char *)t->context;
            in.contextNameLen = strlen(t->context);
        }
        if (auth) {
            in.securityAuthProto = auth->oid;
            in.securityAuthProtoLen = auth->len;
            if ((rc = ku_get(auth, t->auth_pass, in.securityAuthKey, &in.securityAuthKeyLen, eb,
                             "auth")) < 0)
                goto wipe_fail;
        }
        if (priv) {
            in.securityPrivProto = priv->oid;
            in.securityPrivProtoLen = priv->len;
            /* The privacy key is derived with the auth protocol's hash (RFC 3414 2.6). */
            if ((rc = ku_get(auth, t->priv_pass, in.securityPrivKey, &in.securityPrivKeyLen, eb,
                             "priv")) < 0)
                goto wipe_fail;
        }
        break;
    }

    s = gw_calloc(1, sizeof *s);
    s->loop = loop;
    s->ssp = snmp_sess_open(&in);
    OPENSSL_cleanse(in.securityAuthKey, sizeof in.securityAuthKey);
    OPENSSL_cleanse(in.securityPrivKey, sizeof in.securityPrivKey);
    if (!s->ssp) {
        int liberr = 0, snmperr = 0;
        char *msg = NULL;
        snmp_error(&in, &liberr, &snmperr, &msg);
        rc = gw_errbuf_set(eb, SNMPC_E_SESSION, "cannot open SNMP session to %s: %s", peer,
                           msg ? msg : "unknown error");
        free(msg);
        free(s);
        return rc;
    }
    /* snmp_sess_open() clears DONT_PROBE again; without it the first v3 send would run a
     * blocking synchronous engine-ID probe inside the loop. */
    snmp_sess_session(s->ssp)->flags |= SNMP_FLAGS_DONT_PROBE;
    /* net-snmp calls the session callback (not the request's) for some USM failures; it
     * needs the session too. */
    snmp_sess_session(s->ssp)->callback_magic = s;
    tr = snmp_sess_transport(s->ssp);
    s->fd = tr ? tr->sock : -1;
    if (s->fd < 0) {
        snmp_sess_close(s->ssp);
        free(s);
        return gw_errbuf_set(eb, SNMPC_E_SESSION, "SNMP session to %s has no socket", peer);
    }
    if (s->fd >= fdset_size) {
        /* Grows in steps; resize does not promise to clear the new part, and the set holds no
         * bit between uses, so zeroing all of it is right and rare. */
        fdset_size = (s->fd / 1024 + 1) * 1024;
        if (!netsnmp_large_fd_set_resize(&fdset, fdset_size))
            abort();
        NETSNMP_LARGE_FD_ZERO(&fdset);
    }

    gw_strlcpy(s->host, t->host, sizeof s->host);
    s->t = *t;
    s->t.host = s->host;
    s->t.community = s->t.auth_pass = s->t.priv_pass = NULL;
    if (t->sec_name) {
        gw_strlcpy(s->sec_name, t->sec_name, sizeof s->sec_name);
        s->t.sec_name = s->sec_name;
    }
    if (t->context) {
        gw_strlcpy(s->context, t->context, sizeof s->context);
        s->t.context = s->context;
    }
    s->t.auth_proto = auth ? (gw_strlcpy(s->auth_proto, auth->name, 16), s->auth_proto) : NULL;
    s->t.priv_proto = priv ? (gw_strlcpy(s->priv_proto, priv->name, 16), s->priv_proto) : NULL;

    GW_ASSERT(uv_poll_init(loop, &s->poll, s->fd) == 0);
    GW_ASSERT(uv_timer_init(loop, &s->timer) == 0);
    s->poll.data = s->timer.data = s;
    s->open_handles = 2;
    if (s->t.version == GW_SNMP_V3)
        holders_link(s);
    *out = s;
    return 0;

wipe_fail:
    OPENSSL_cleanse(in.securityAuthKey, sizeof in.securityAuthKey);
    OPENSSL_cleanse(in.securityPrivKey, sizeof in.securityPrivKey);
    return rc;
}

const struct snmpc_target *snmpc__target(const struct snmpc_session *s)
{
    return &s->t;
}

bool snmpc__closing(const struct snmpc_session *s)
{
    return s->closing;
}

void snmpc__job_set(struct snmpc_session *s, void *job, snmpc__job_cancel_cb cancel)
{
    s->job = job;
    s->job_cancel = job ? cancel : NULL;
}

void *snmpc__job(const struct snmpc_session *s)
{
    return s->job;
}

const char *snmpc_session_engine_id(const struct snmpc_session *s, char *buf, size_t len)
{
    netsnmp_session *ns;
    if (len)
        buf[0] = '\0';
    if (!s || s->t.version != GW_SNMP_V3 || !s->ssp)
        return buf;
    ns = snmp_sess_session(s->ssp);
    if (ns && ns->securityEngineIDLen)
        hex(ns->securityEngineID, ns->securityEngineIDLen, buf, len);
    return buf;
}

/* ---------------------------------------------------------------------------------------------
 * Requests
 */

struct snmp_pdu *snmpc__pdu_new(const struct snmpc_session *s, int command)
{
    netsnmp_pdu *pdu = snmp_pdu_create(command);
    pdu->version = s->t.version == GW_SNMP_V1    ? SNMP_VERSION_1
                   : s->t.version == GW_SNMP_V2C ? SNMP_VERSION_2c
                                                 : SNMP_VERSION_3;
    return pdu;
}

void snmpc__deadline_set(struct snmpc_session *s, uint64_t ms)
{
    s->deadline_ms = ms;
    s->deadline_at = ms ? uv_now(s->loop) + ms : 0;
}

bool snmpc__deadline_passed(const struct snmpc_session *s)
{
    return s->deadline_at && uv_now(s->loop) >= s->deadline_at;
}

static void set_result(struct snmpc_session *s, int status, netsnmp_pdu *pdu, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void set_result(struct snmpc_session *s, int status, netsnmp_pdu *pdu, const char *fmt, ...)
{
    s->have_result = true;
    s->res_status = status;
    s->res_pdu = pdu;
    s->res_detail[0] = '\0';
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->res_detail, sizeof s->res_detail, fmt, ap);
        va_end(ap);
    }
}

static const char *report_name(int type)
{
    switch (type) {
    case SNMPERR_UNKNOWN_USER_NAME:
        return "usmStatsUnknownUserNames";
    case SNMPERR_AUTHENTICATION_FAILURE:
        return "usmStatsWrongDigests";
    case SNMPERR_DECRYPTION_ERR:
        return "usmStatsDecryptionErrors";
    case SNMPERR_NOT_IN_TIME_WINDOW:
        return "usmStatsNotInTimeWindows";
    case SNMPERR_UNSUPPORTED_SEC_LEVEL:
        return "usmStatsUnsupportedSecLevels";
    case SNMPERR_UNKNOWN_ENG_ID:
        return "usmStatsUnknownEngineIDs";
    default:
        return "unknown report";
    }
}

/* Maps a USM condition, whether it came as a Report type (SNMPERR_*) or as net-snmp's own
 * processing error (SNMPERR_USM_*), to our code. */
static int usm_code(int e)
{
    switch (e) {
    case SNMPERR_UNKNOWN_USER_NAME:
    case SNMPERR_USM_UNKNOWNSECURITYNAME:
        return SNMPC_E_AUTH_USER;
    case SNMPERR_AUTHENTICATION_FAILURE:
    case SNMPERR_USM_AUTHENTICATIONFAILURE:
        return SNMPC_E_AUTH_KEY;
    case SNMPERR_DECRYPTION_ERR:
    case SNMPERR_USM_DECRYPTIONERROR:
        return SNMPC_E_PRIV_KEY;
    case SNMPERR_NOT_IN_TIME_WINDOW:
    case SNMPERR_USM_NOTINTIMEWINDOW:
        return SNMPC_E_TIME_WINDOW;
    case SNMPERR_UNSUPPORTED_SEC_LEVEL:
    case SNMPERR_USM_UNSUPPORTEDSECURITYLEVEL:
        return SNMPC_E_SECLEVEL;
    case SNMPERR_UNKNOWN_ENG_ID:
    case SNMPERR_USM_UNKNOWNENGINEID:
        return SNMPC_E_ENGINE;
    default:
        return SNMPC_E_PDU;
    }
}

static void on_report(struct snmpc_session *s, netsnmp_pdu *pdu, bool received)
{
    int type = snmpv3_get_report_type(pdu);
    char oidbuf[160] = "";

    gw_log_debug(SNMP, "report received host=%s type=%s", s->host, report_name(type));
    if (s->v3 == V3_PROBING) {
        /* Copied here too: the library only stores the Report's engine ID on the session
         * after this callback returns, and not on every path. */
        if (pdu->securityEngineIDLen && pdu->securityEngineIDLen <= sizeof s->probe_eid) {
            memcpy(s->probe_eid, pdu->securityEngineID, pdu->securityEngineIDLen);
            s->probe_eid_len = pdu->securityEngineIDLen;
        }
        set_result(s, 0, NULL, NULL);
        return;
    }
    if (type == SNMPERR_NOT_IN_TIME_WINDOW && !s->nit_seen) {
        /* net-snmp takes boots/time from this Report and resends once by itself (after the
         * OP_RECEIVED_MESSAGE delivery). */
        if (received)
            s->nit_seen = true;
        return;
    }
    if (pdu->variables) {
        uint32_t o[SNMPC_MAX_OID];
        size_t n = pdu->variables->name_length;
        n = n > SNMPC_MAX_OID ? SNMPC_MAX_OID : n;
        for (size_t i = 0; i < n; i++)
            o[i] = (uint32_t)pdu->variables->name[i];
        snmpc_oid_format(o, n, oidbuf, sizeof oidbuf);
    }
    if (s->priv_check && type != SNMPERR_UNKNOWN_USER_NAME &&
        type != SNMPERR_AUTHENTICATION_FAILURE) {
        /* Agents check user and security level before the digest (RFC 3414 3.2), so other
         * Reports prove nothing about the auth key: the diagnosis stays inconclusive. */
        set_result(s, SNMPC_E_TIMEOUT, NULL, "%s", report_name(type));
        return;
    }
    switch (type) {
    case SNMPERR_UNKNOWN_USER_NAME:
        set_result(s, SNMPC_E_AUTH_USER, NULL, "unknown user '%s' (usmStatsUnknownUserNames)",
                   s->sec_name);
        break;
    case SNMPERR_AUTHENTICATION_FAILURE:
        set_result(s, SNMPC_E_AUTH_KEY, NULL,
                   "wrong auth key or protocol for user '%s' (usmStatsWrongDigests)", s->sec_name);
        break;
    case SNMPERR_DECRYPTION_ERR:
        set_result(s, SNMPC_E_PRIV_KEY, NULL,
                   "wrong priv key or protocol for user '%s' (usmStatsDecryptionErrors)",
                   s->sec_name);
        break;
    case SNMPERR_NOT_IN_TIME_WINDOW:
        set_result(s, SNMPC_E_TIME_WINDOW, NULL,
                   "not in time window after resynchronisation (usmStatsNotInTimeWindows)");
        break;
    case SNMPERR_UNSUPPORTED_SEC_LEVEL:
        set_result(s, SNMPC_E_SECLEVEL, NULL,
                   "user '%s' is not configured for this security level "
                   "(usmStatsUnsupportedSecLevels)",
                   s->sec_name);
        break;
    case SNMPERR_UNKNOWN_ENG_ID:
        set_result(s, SNMPC_E_ENGINE, NULL,
                   "agent does not accept the discovered engine ID (usmStatsUnknownEngineIDs)");
        break;
    default:
        set_result(s, SNMPC_E_PDU, NULL, "report %s", *oidbuf ? oidbuf : "without varbind");
        break;
    }
}

/* The net-snmp callback: record the outcome only (see the file comment). */
static int on_pdu(int op, netsnmp_session *ns, int reqid, netsnmp_pdu *pdu, void *magic)
{
    struct snmpc_session *s = magic;

    gw_log_debug(SNMP, "net-snmp callback host=%s op=%d reqid=%d cmd=%d s_snmp_errno=%d",
                 s ? s->host : "?", op, reqid, pdu ? pdu->command : -1, ns ? ns->s_snmp_errno : 0);
    if (!s || !s->busy || s->have_result || s->closing)
        return 1;
    /* OP_RESEND and OP_CONNECT are progress, not completions. A resend follows a timeout,
     * or a notInTimeWindow Report that net-snmp 5.9.3 consumes itself (observed after an
     * agent reboot: OP_RESEND, then the response, no Report reaches us). */
    if (op == NETSNMP_CALLBACK_OP_RESEND) {
        gw_log_debug(SNMP, "resend host=%s reqid=%d", s->host, reqid);
        return 1;
    }
    if (op == NETSNMP_CALLBACK_OP_CONNECT)
        return 1;
    /* An answer that fails our HMAC check (net-snmp passes it to the session callback with
     * command 0 or REPORT, request-id 0 and SNMPERR_USM_AUTHENTICATIONFAILURE) means the agent
     * authenticates with a different key: pysnmp-based agents send their Reports that way. */
    if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && ns &&
        ns->s_snmp_errno == SNMPERR_USM_AUTHENTICATIONFAILURE && s->v3 == V3_READY) {
        s->priv_check = false;
        set_result(s, SNMPC_E_AUTH_KEY, NULL,
                   "the agent's answer fails authentication with our key: wrong auth key or "
                   "protocol for user '%s'",
                   s->sec_name);
        return 1;
    }
    /* Reports may carry request-id 0 (the agent could not read the scoped PDU), and USM
     * errors name no request; everything else must be for the request we have outstanding,
     * not one we gave up on. */
    if (op != NETSNMP_CALLBACK_OP_SEC_ERROR && !(pdu && pdu->command == SNMP_MSG_REPORT) &&
        reqid != s->reqid)
        return 1;

    /* net-snmp 5.9.3 delivers every Report twice: first as OP_SEC_ERROR (from the security
     * model's report handling), then as OP_RECEIVED_MESSAGE; only the second is followed by
     * the library's own notInTimeWindow resend, so only that one counts as the resync. */
    if (pdu && pdu->command == SNMP_MSG_REPORT) {
        on_report(s, pdu, op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE);
        return 1;
    }
    switch (op) {
    case NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE:
        if (s->v3 == V3_READY && !s->priv_check)
            s->priv_answered = true;
        set_result(s, 0, s->priv_check ? NULL : snmp_clone_pdu(pdu), NULL);
        break;
    case NETSNMP_CALLBACK_OP_TIMED_OUT:
        set_result(s, SNMPC_E_TIMEOUT, NULL, "no response after %u tries of %u ms",
                   s->t.retries + 1, s->t.timeout_ms ? s->t.timeout_ms : DEFAULT_TIMEOUT_MS);
        break;
    case NETSNMP_CALLBACK_OP_SEC_ERROR: {
        int e = ns ? ns->s_snmp_errno : 0;
        if (s->v3 == V3_PROBING)
            break; /* wait for the Report itself */
        set_result(s, usm_code(e), NULL, "%s", snmp_api_errstring(e));
        break;
    }
    case NETSNMP_CALLBACK_OP_SEND_FAILED:
    case NETSNMP_CALLBACK_OP_DISCONNECT:
    default:
        set_result(s, SNMPC_E_SEND, NULL, "%s",
                   snmp_api_errstring(ns && ns->s_snmp_errno ? ns->s_snmp_errno : SNMPERR_GENERR));
        break;
    }
    return 1;
}

static void rearm(struct snmpc_session *s)
{
    /* block = 1 on input means "no timeout chosen yet": with 0 and a zero tv, net-snmp keeps
     * the zero (it only ever lowers a given timeout) and the loop would spin. */
    int numfds = 0, block = 1;
    struct timeval tv = {0, 0};
    uint64_t ms;

    if (s->closing)
        return;
    if (!s->busy) {
        uv_timer_stop(&s->timer);
        uv_poll_stop(&s->poll);
        return;
    }
    snmp_sess_select_info2_flags(s->ssp, &numfds, &fdset, &tv, &block, NETSNMP_SELECT_NOALARMS);
    NETSNMP_LARGE_FD_CLR(s->fd, &fdset);
    if (!block)
        ms = (uint64_t)tv.tv_sec * 1000u + ((uint64_t)tv.tv_usec + 999u) / 1000u;
    else
        ms = s->t.timeout_ms ? s->t.timeout_ms : DEFAULT_TIMEOUT_MS;
    if (s->deadline_at) {
        uint64_t now = uv_now(s->loop);
        uint64_t rem = s->deadline_at > now ? s->deadline_at - now : 0;
        if (rem < ms)
            ms = rem;
    }
    uv_timer_start(&s->timer, on_timer, ms, 0);
}

static int send_now(struct snmpc_session *s, netsnmp_pdu *pdu)
{
    long reqid = pdu->reqid;
    int rc;

    s->nit_seen = false;
    s->reqid = reqid;
    if (snmp_sess_async_send(s->ssp, pdu, on_pdu, s) == 0) {
        int liberr = 0, snmperr = 0;
        char *msg = NULL;
        /* net-snmp frees the PDU only when snmp_sess_async_send() succeeds. */
        snmp_free_pdu(pdu);
        snmp_sess_error(s->ssp, &liberr, &snmperr, &msg);
        gw_log_debug(SNMP, "send failed host=%s err=%s", s->host, msg ? msg : "?");
        set_result(s, SNMPC_E_SEND, NULL, "%s", msg ? msg : "send failed");
        free(msg);
        rc = SNMPC_E_SEND;
        return rc;
    }
    return 0;
}

/* Sends the engine-ID probe: GET, empty user, noAuthNoPriv, no varbinds (RFC 3414 4). */
static int send_probe(struct snmpc_session *s)
{
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
    pdu->version = SNMP_VERSION_3;
    pdu->securityName = strdup("");
    pdu->securityNameLen = 0;
    pdu->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
    pdu->securityModel = SNMP_SEC_MODEL_USM;
    s->v3 = V3_PROBING;
    s->probe_eid_len = 0;
    return send_now(s, pdu);
}

/* Sends a GET sysUpTime.0 at authNoPriv with the session's user and auth key. */
static int send_priv_check(struct snmpc_session *s)
{
    static const oid uptime[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
    pdu->version = SNMP_VERSION_3;
    pdu->securityLevel = SNMP_SEC_LEVEL_AUTHNOPRIV;
    snmp_add_null_var(pdu, uptime, OID_LENGTH(uptime));
    s->priv_check = true;
    return send_now(s, pdu);
}

/* Unlinks a USM user and frees it with its localized keys wiped (usm_free_user() does not
 * clear the Ku copies). usm_remove_user() returns the list head, not the user. */
static void usm_user_destroy(struct usmUser *u)
{
    usm_remove_user(u);
    u->next = u->prev = NULL;
    if (u->authKey)
        OPENSSL_cleanse(u->authKey, u->authKeyLen);
    if (u->authKeyKu)
        OPENSSL_cleanse(u->authKeyKu, u->authKeyKuLen);
    if (u->privKey)
        OPENSSL_cleanse(u->privKey, u->privKeyLen);
    if (u->privKeyKu)
        OPENSSL_cleanse(u->privKeyKu, u->privKeyKuLen);
    usm_free_user(u);
}

/* The USM entry for (engine, name); eid_len 0 finds the engine-less entry net-snmp creates
 * when a session sends its discovery probe. */
static struct usmUser *usm_find(const unsigned char *eid, size_t eid_len, const char *name)
{
    for (struct usmUser *u = usm_get_userList(); u; u = u->next)
        if (u->name && strcmp(u->name, name) == 0 && u->engineIDLen == eid_len &&
            (eid_len == 0 || memcmp(u->engineID, eid, eid_len) == 0))
            return u;
    return NULL;
}

/* Returns: true if another open v3 session uses s's user name (and, with engine, s's engine):
 * then it shares the global USM entry. */
static bool usm_shared(const struct snmpc_session *s, bool engine)
{
    netsnmp_session *ns = snmp_sess_session(s->ssp);
    for (const struct snmpc_session *o = usm_holders; o; o = o->next) {
        netsnmp_session *on;
        if (o == s || !o->ssp || o->parked || o->t.version != GW_SNMP_V3 ||
            strcmp(o->sec_name, s->sec_name))
            continue;
        if (!engine)
            return true;
        on = snmp_sess_session(o->ssp);
        if (on && on->securityEngineIDLen == ns->securityEngineIDLen &&
            memcmp(on->securityEngineID, ns->securityEngineID, ns->securityEngineIDLen) == 0)
            return true;
    }
    return false;
}

/* Removes the global USM entries of this session (for its engine, and the engine-less one)
 * unless another open session shares them: they hold localized keys that should not outlive
 * their use, and the list is searched linearly on every packet. */
static void usm_user_drop(struct snmpc_session *s)
{
    netsnmp_session *ns = snmp_sess_session(s->ssp);
    struct usmUser *u;

    if (!ns || !*s->sec_name)
        return;
    if (ns->securityEngineIDLen && !usm_shared(s, true) &&
        (u = usm_find(ns->securityEngineID, ns->securityEngineIDLen, s->sec_name)))
        usm_user_destroy(u);
    if (!usm_shared(s, false) && (u = usm_find(NULL, 0, s->sec_name)))
        usm_user_destroy(u);
}

/* The probe was answered: take the engine ID, time and boots, create the USM user. */
static int discovery_finish(struct snmpc_session *s)
{
    netsnmp_session *ns = snmp_sess_session(s->ssp);
    struct usmUser *u;
    char eid[80];

    if (!ns->securityEngineIDLen && s->probe_eid_len) {
        /* The library frees these with free() in snmp_sess_close(). */
        ns->securityEngineID = malloc(s->probe_eid_len);
        ns->contextEngineID = malloc(s->probe_eid_len);
        if (!ns->securityEngineID || !ns->contextEngineID)
            abort();
        memcpy(ns->securityEngineID, s->probe_eid, s->probe_eid_len);
        memcpy(ns->contextEngineID, s->probe_eid, s->probe_eid_len);
        ns->securityEngineIDLen = ns->contextEngineIDLen = s->probe_eid_len;
    }
    if (!ns->securityEngineIDLen)
        return SNMPC_E_ENGINE;
    if (ns->engineBoots || ns->engineTime)
        set_enginetime(ns->securityEngineID, (u_int)ns->securityEngineIDLen, ns->engineBoots,
                       ns->engineTime, TRUE);
    /* An entry left by an earlier session would keep its old keys and protocols (net-snmp
     * issue #470); one an open session shares has the same credentials or it would fail. */
    if (!usm_shared(s, true) &&
        (u = usm_find(ns->securityEngineID, ns->securityEngineIDLen, s->sec_name)))
        usm_user_destroy(u);
    if (create_user_from_session(ns) != SNMPERR_SUCCESS)
        return SNMPC_E_SESSION;
    s->v3 = V3_READY;
    gw_log_debug(SNMP, "engine discovered host=%s engine_id=%s boots=%u time=%u", s->host,
                 snmpc_session_engine_id(s, eid, sizeof eid), ns->engineBoots, ns->engineTime);
    return 0;
}

/* net-snmp keeps SNMPv3 users in one global list that every packet searches linearly
 * (measured: 250 us per lookup at 10,000 users). Between polls a session releases its entry, so
 * the list holds only the devices being polled now, at most [snmp] max_in_flight; the engine ID,
 * boots and time stay on the session and in net-snmp's engine time table, and the entry is
 * recreated from the cached Ku (a few microseconds) when the next request goes out. */
void snmpc__park(struct snmpc_session *s)
{
    netsnmp_session *ns;
    if (s->t.version != GW_SNMP_V3 || s->v3 != V3_READY || s->parked || s->busy)
        return;
    usm_user_drop(s);
    holders_unlink(s);
    s->parked = true;
    /* The engine time table is global too (23 hash buckets searched linearly): keep the
     * engine's boots and time here instead and hand them back when the session wakes. A table
     * entry another open session of the same engine uses stays. */
    ns = snmp_sess_session(s->ssp);
    if (!usm_shared(s, true) &&
        get_enginetime(ns->securityEngineID, (u_int)ns->securityEngineIDLen, &s->park_boots,
                       &s->park_time, FALSE) == SNMPERR_SUCCESS) {
        s->park_ms = uv_now(s->loop);
        free_enginetime(ns->securityEngineID, ns->securityEngineIDLen);
    } else {
        s->park_ms = 0;
    }
}

static int unpark(struct snmpc_session *s)
{
    netsnmp_session *ns = snmp_sess_session(s->ssp);
    s->parked = false;
    holders_link(s);
    if (s->park_ms) {
        u_int elapsed = (u_int)((uv_now(s->loop) - s->park_ms) / 1000u);
        set_enginetime(ns->securityEngineID, (u_int)ns->securityEngineIDLen, s->park_boots,
                       s->park_time + elapsed, TRUE);
        s->park_ms = 0;
    }
    if (usm_find(ns->securityEngineID, ns->securityEngineIDLen, s->sec_name))
        return 0; /* another open session of this engine and user holds it */
    /* create_user_from_session() does nothing once it has marked the session. */
    ns->flags &= ~SNMP_FLAGS_USER_CREATED;
    if (create_user_from_session(ns) != SNMPERR_SUCCESS ||
        !usm_find(ns->securityEngineID, ns->securityEngineIDLen, s->sec_name))
        return SNMPC_E_SESSION;
    return 0;
}

/* A silent authPriv timeout is worth one authNoPriv diagnosis when the engine answered
 * discovery, no authPriv request has ever been answered on this session, and the deadline
 * (if any) leaves room for one more full try. */
static bool want_priv_check(const struct snmpc_session *s)
{
    uint64_t need = s->t.timeout_ms ? s->t.timeout_ms : DEFAULT_TIMEOUT_MS;
    if (s->t.version != GW_SNMP_V3 || s->t.sec_level != GW_SEC_AUTHPRIV || s->v3 != V3_READY ||
        s->priv_answered)
        return false;
    return s->deadline_at == 0 || s->deadline_at > uv_now(s->loop) + need;
}

/* Runs after net-snmp has returned: finishes discovery steps or hands the outcome to the
 * request's owner. */
static void dispatch(struct snmpc_session *s)
{
    int status;
    netsnmp_pdu *pdu;
    snmpc__resp_cb cb;
    void *arg;
    char detail[sizeof s->res_detail];

    while (s->have_result && !s->closing) {
        s->have_result = false;
        status = s->res_status;
        pdu = s->res_pdu;
        s->res_pdu = NULL;

        if (s->v3 == V3_PROBING) {
            if (status == 0 && (status = discovery_finish(s)) == 0) {
                netsnmp_pdu *real = s->pending;
                s->pending = NULL;
                send_now(s, real);
                continue; /* a failed send left a result to deliver */
            }
            s->v3 = V3_NONE;
            if (status == SNMPC_E_ENGINE)
                gw_strlcpy(s->res_detail, "the agent's Report carried no engine ID",
                           sizeof s->res_detail);
            else if (status == SNMPC_E_TIMEOUT)
                gw_strlcpy(s->res_detail, "no answer to SNMPv3 engine discovery",
                           sizeof s->res_detail);
        } else if (s->priv_check) {
            s->priv_check = false;
            if (status == 0) {
                status = SNMPC_E_PRIV_KEY;
                gw_strlcpy(s->res_detail,
                           "no answer at authPriv, but user and auth key are accepted at "
                           "authNoPriv: the agent could not decrypt (wrong priv key or protocol)",
                           sizeof s->res_detail);
            } else if (status == SNMPC_E_TIMEOUT) {
                /* Silent agents (pysnmp drops unknown users, snmpd wrong priv keys) leave
                 * only this much to say. */
                snprintf(s->res_detail, sizeof s->res_detail,
                         "the agent answers discovery but not user '%s' at authPriv or "
                         "authNoPriv (no Report): unknown user, wrong key or protocol, or "
                         "unknown context",
                         s->sec_name);
            }
        } else if (status == SNMPC_E_TIMEOUT && want_priv_check(s)) {
            gw_log_debug(SNMP, "authPriv timed out, checking at authNoPriv host=%s", s->host);
            if (send_priv_check(s) == 0)
                continue;
            s->have_result = false;
            s->priv_check = false;
        }

        if (status < 0) {
            snmp_free_pdu(pdu);
            pdu = NULL;
        }
        snmp_free_pdu(s->pending);
        s->pending = NULL;
        s->busy = false;
        cb = s->cb;
        arg = s->cb_arg;
        s->cb = NULL;
        gw_strlcpy(detail, s->res_detail, sizeof detail);
        s->dispatching = true;
        cb(s, status, pdu, *detail ? detail : NULL, arg);
        s->dispatching = false;
        snmp_free_pdu(pdu);
    }
}

int snmpc__send(struct snmpc_session *s, struct snmp_pdu *pdu, snmpc__resp_cb cb, void *arg)
{
    int rc;

    if (s->closing || s->busy) {
        snmp_free_pdu(pdu);
        return s->closing ? SNMPC_E_SEND : GW_E_BUSY;
    }
    s->busy = true;
    s->cb = cb;
    s->cb_arg = arg;
    s->have_result = false;
    if (s->t.version == GW_SNMP_V3 && s->v3 == V3_READY && s->parked && unpark(s) < 0)
        s->v3 = V3_NONE; /* could not recreate the user: discover the engine afresh */
    if (s->t.version == GW_SNMP_V3 && s->v3 != V3_READY) {
        s->pending = pdu;
        rc = send_probe(s);
    } else {
        rc = send_now(s, pdu);
    }
    if (rc < 0) {
        if (s->pending)
            snmp_free_pdu(s->pending);
        s->pending = NULL;
        s->have_result = false;
        s->busy = false;
        s->cb = NULL;
        return rc;
    }
    /* uv_poll_start() on an active handle removes and re-adds the fd to epoll: two system
     * calls per request for nothing. */
    if (!uv_is_active((uv_handle_t *)&s->poll))
        GW_ASSERT(uv_poll_start(&s->poll, UV_READABLE, on_readable) == 0);
    if (!s->dispatching)
        rearm(s);
    return 0;
}

static void on_readable(uv_poll_t *h, int status, int events)
{
    struct snmpc_session *s = h->data;
    int rc;

    if (s->closing)
        return;
    if (status < 0) {
        gw_log_debug(SNMP, "poll error host=%s err=%s", s->host, uv_strerror(status));
        return;
    }
    NETSNMP_LARGE_FD_SET(s->fd, &fdset);
    /* A failed read (e.g. ICMP port unreachable) consumes the error; the request stays
     * outstanding until it times out, which keeps "no response" one code path. */
    rc = snmp_sess_read2(s->ssp, &fdset);
    NETSNMP_LARGE_FD_CLR(s->fd, &fdset);
    if (rc < 0)
        gw_log_debug(SNMP, "read failed host=%s", s->host);
    dispatch(s);
    rearm(s);
}

static void on_timer(uv_timer_t *t)
{
    struct snmpc_session *s = t->data;

    if (s->closing || !s->busy)
        return;
    if (s->deadline_at && uv_now(s->loop) >= s->deadline_at && !s->have_result) {
        /* The request stays in net-snmp's list until it times out there; its late callback
         * no longer matches and is ignored. */
        set_result(s, SNMPC_E_TIMEOUT, NULL, "poll deadline of %llu ms exceeded",
                   (unsigned long long)s->deadline_ms);
        s->v3 = s->v3 == V3_PROBING ? V3_NONE : s->v3;
        s->priv_check = false;
    } else {
        snmp_sess_timeout(s->ssp);
    }
    dispatch(s);
    rearm(s);
}

/* ---------------------------------------------------------------------------------------------
 * Closing
 */

static void on_handle_closed(uv_handle_t *h)
{
    struct snmpc_session *s = h->data;
    snmpc_close_cb cb;
    void *arg;

    if (--s->open_handles > 0)
        return;
    cb = s->close_cb;
    arg = s->close_arg;
    OPENSSL_cleanse(s, sizeof *s);
    free(s);
    if (cb)
        cb(arg);
}

void snmpc_session_close(struct snmpc_session *s, snmpc_close_cb cb, void *arg)
{
    netsnmp_session *ns;

    if (!s || s->closing)
        return;
    if (s->job) {
        void *job = s->job;
        snmpc__job_cancel_cb cancel = s->job_cancel;
        snmpc__job_set(s, NULL, NULL);
        cancel(job);
    }
    s->closing = true;
    s->close_cb = cb;
    s->close_arg = arg;
    s->busy = false;
    snmp_free_pdu(s->pending);
    s->pending = NULL;
    snmp_free_pdu(s->res_pdu);
    s->res_pdu = NULL;

    /* libuv must stop watching the fd before net-snmp closes it: fd numbers are reused at
     * once and the poll handle would then watch someone else's socket. */
    uv_poll_stop(&s->poll);
    uv_close((uv_handle_t *)&s->poll, on_handle_closed);
    uv_timer_stop(&s->timer);
    uv_close((uv_handle_t *)&s->timer, on_handle_closed);

    ns = snmp_sess_session(s->ssp);
    if (ns) {
        if (s->t.version == GW_SNMP_V3)
            usm_user_drop(s);
        /* The library's session copy holds Ku and the community; it frees without wiping. */
        OPENSSL_cleanse(ns->securityAuthKey, sizeof ns->securityAuthKey);
        OPENSSL_cleanse(ns->securityPrivKey, sizeof ns->securityPrivKey);
        if (ns->community && ns->community_len)
            OPENSSL_cleanse(ns->community, ns->community_len);
    }
    holders_unlink(s);
    snmp_sess_close(s->ssp);
    s->ssp = NULL;
}
