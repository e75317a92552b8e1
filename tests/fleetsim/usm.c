/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The User-based Security Model as an agent needs it: RFC 3414 password-to-key and key
 * localisation, HMAC authentication (HMAC-MD5-96 and HMAC-SHA-96 of RFC 3414, the SHA-2
 * variants of RFC 7860), AES-128-CFB privacy (RFC 3826), and the framing of a whole SNMPv3
 * message around a scoped PDU. The load generator uses the same code as the simulator.
 *
 * Throughput matters here (tens of thousands of authenticated, encrypted messages a second on
 * one core), so the digests and the cipher are fetched from the OpenSSL provider once and their
 * contexts are reused for every message; HMAC is built on the reused digest context rather than
 * on EVP_MAC, which would re-resolve its parameters on every call. The process is
 * single-threaded, so one set of contexts is enough.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "tests/fleetsim/fleetsim.h"

static const struct t_auth_alg algs[] = {
    {"MD5", "MD5", 16, 12, 64},           {"SHA", "SHA1", 20, 12, 64},
    {"SHA-224", "SHA2-224", 28, 16, 64},  {"SHA-256", "SHA2-256", 32, 24, 64},
    {"SHA-384", "SHA2-384", 48, 32, 128}, {"SHA-512", "SHA2-512", 64, 48, 128},
};
#define NALGS (sizeof algs / sizeof algs[0])

static EVP_MD *mds[NALGS];
static EVP_MD_CTX *mdctx;
static EVP_CIPHER *aes;
static EVP_CIPHER_CTX *cctx;

const struct t_auth_alg *t_auth_find(const char *name)
{
    for (size_t i = 0; i < NALGS; i++)
        if (strcasecmp(name, algs[i].name) == 0)
            return &algs[i];
    /* net-snmp also accepts SHA1 for SHA. */
    if (strcasecmp(name, "SHA1") == 0 || strcasecmp(name, "SHA-1") == 0)
        return &algs[1];
    return NULL;
}

int t_usm_init(void)
{
    if (mdctx)
        return 0;
    for (size_t i = 0; i < NALGS; i++) {
        mds[i] = EVP_MD_fetch(NULL, algs[i].digest, NULL);
        if (!mds[i])
            return -1;
    }
    aes = EVP_CIPHER_fetch(NULL, "AES-128-CFB", NULL);
    mdctx = EVP_MD_CTX_new();
    cctx = EVP_CIPHER_CTX_new();
    if (!aes || !mdctx || !cctx)
        return -1;
    return 0;
}

void t_usm_cleanup(void)
{
    for (size_t i = 0; i < NALGS; i++) {
        EVP_MD_free(mds[i]);
        mds[i] = NULL;
    }
    EVP_CIPHER_free(aes);
    aes = NULL;
    EVP_MD_CTX_free(mdctx);
    mdctx = NULL;
    EVP_CIPHER_CTX_free(cctx);
    cctx = NULL;
}

static const EVP_MD *md_of(const struct t_auth_alg *a)
{
    return mds[a - algs];
}

int t_usm_password_to_key(const struct t_auth_alg *a, const char *pw, size_t pwlen, uint8_t *ku)
{
    if (t_usm_init() < 0 || pwlen == 0)
        return -1;
    uint8_t chunk[64];
    size_t idx = 0;
    unsigned outl;
    if (!EVP_DigestInit_ex2(mdctx, md_of(a), NULL))
        return -1;
    /* RFC 3414 A.2.1: hash one megabyte of the password repeated, 64 octets at a time. */
    for (size_t count = 0; count < 1048576; count += 64) {
        for (size_t i = 0; i < 64; i++)
            chunk[i] = (uint8_t)pw[idx++ % pwlen];
        if (!EVP_DigestUpdate(mdctx, chunk, 64))
            return -1;
    }
    OPENSSL_cleanse(chunk, sizeof chunk);
    return EVP_DigestFinal_ex(mdctx, ku, &outl) ? 0 : -1;
}

int t_usm_localize(const struct t_auth_alg *a, const uint8_t *ku, const uint8_t *engine,
                   size_t engine_len, uint8_t *kul)
{
    unsigned outl;
    if (t_usm_init() < 0 || !EVP_DigestInit_ex2(mdctx, md_of(a), NULL) ||
        !EVP_DigestUpdate(mdctx, ku, a->key_len) || !EVP_DigestUpdate(mdctx, engine, engine_len) ||
        !EVP_DigestUpdate(mdctx, ku, a->key_len) || !EVP_DigestFinal_ex(mdctx, kul, &outl))
        return -1;
    return 0;
}

int t_usm_hmac(const struct t_auth_alg *a, const uint8_t *key, const uint8_t *msg, size_t len,
               uint8_t *mac)
{
    uint8_t pad[128], inner[EVP_MAX_MD_SIZE], outer[EVP_MAX_MD_SIZE];
    unsigned outl;
    const EVP_MD *md = md_of(a);
    /* RFC 2104 with a key no longer than the block: pad it with zeros, XOR ipad/opad. */
    memset(pad, 0x36, a->block);
    for (size_t i = 0; i < a->key_len; i++)
        pad[i] ^= key[i];
    if (!EVP_DigestInit_ex2(mdctx, md, NULL) || !EVP_DigestUpdate(mdctx, pad, a->block) ||
        !EVP_DigestUpdate(mdctx, msg, len) || !EVP_DigestFinal_ex(mdctx, inner, &outl))
        return -1;
    for (size_t i = 0; i < a->block; i++)
        pad[i] ^= 0x36 ^ 0x5c;
    if (!EVP_DigestInit_ex2(mdctx, md, NULL) || !EVP_DigestUpdate(mdctx, pad, a->block) ||
        !EVP_DigestUpdate(mdctx, inner, a->key_len) || !EVP_DigestFinal_ex(mdctx, outer, &outl))
        return -1;
    memcpy(mac, outer, a->mac_len);
    OPENSSL_cleanse(pad, sizeof pad);
    return 0;
}

int t_usm_aes(bool encrypt, const uint8_t key[T_PRIV_KEY_LEN], uint32_t boots, uint32_t time,
              const uint8_t salt[T_SALT_LEN], const uint8_t *in, size_t len, uint8_t *out)
{
    uint8_t iv[16];
    int outl = 0, fin = 0;
    /* RFC 3826 3.1.2.1: IV = engineBoots | engineTime | salt, both integers big-endian. */
    for (int i = 0; i < 4; i++) {
        iv[i] = (uint8_t)(boots >> (24 - 8 * i));
        iv[4 + i] = (uint8_t)(time >> (24 - 8 * i));
    }
    memcpy(iv + 8, salt, T_SALT_LEN);
    if (len > INT32_MAX || !EVP_CipherInit_ex2(cctx, aes, key, iv, encrypt ? 1 : 0, NULL) ||
        !EVP_CipherUpdate(cctx, out, &outl, in, (int)len) ||
        !EVP_CipherFinal_ex(cctx, out + outl, &fin) || (size_t)(outl + fin) != len)
        return -1;
    return 0;
}

bool t_usm_verify(const struct t_auth_alg *a, const uint8_t *key, const uint8_t *pkt, size_t len,
                  const struct t_msg *m)
{
    static uint8_t copy[T_RX_MAX];
    uint8_t mac[T_MAC_MAX];
    if (m->auth_params_len != a->mac_len || len > sizeof copy || m->auth_params < pkt ||
        m->auth_params + m->auth_params_len > pkt + len)
        return false;
    /* The digest was computed with its own field zeroed (RFC 3414 6.3.1). */
    memcpy(copy, pkt, len);
    memset(copy + (m->auth_params - pkt), 0, m->auth_params_len);
    if (t_usm_hmac(a, key, copy, len, mac) < 0)
        return false;
    return CRYPTO_memcmp(mac, m->auth_params, a->mac_len) == 0;
}

int t_v3_encode(struct t_benc *e, const struct t_v3out *o, const uint8_t *sp, size_t splen)
{
    uint8_t salt[T_SALT_LEN];
    bool auth = o->flags & 1, priv = (o->flags & 2) && auth;
    if (priv) {
        for (int i = 0; i < T_SALT_LEN; i++)
            salt[i] = (uint8_t)(o->salt >> (56 - 8 * i));
        if (splen > e->pos) {
            e->err = true;
            return -1;
        }
        e->pos -= splen;
        if (t_usm_aes(true, o->kul_priv, o->boots, o->time, salt, sp, splen, e->buf + e->pos) < 0)
            return -1;
        t_benc_tl(e, T_BER_OCTETS, splen);
    } else {
        t_benc_raw(e, sp, splen);
    }
    size_t mark_sec = t_benc_len(e);
    t_benc_octets(e, T_BER_OCTETS, salt, priv ? T_SALT_LEN : 0);
    size_t auth_off = 0;
    if (auth) {
        static const uint8_t zero[T_MAC_MAX];
        t_benc_raw(e, zero, o->auth->mac_len);
        auth_off = t_benc_len(e);
        t_benc_tl(e, T_BER_OCTETS, o->auth->mac_len);
    } else {
        t_benc_tl(e, T_BER_OCTETS, 0);
    }
    t_benc_octets(e, T_BER_OCTETS, o->user, o->user_len);
    t_benc_int(e, T_BER_INT, o->time);
    t_benc_int(e, T_BER_INT, o->boots);
    t_benc_octets(e, T_BER_OCTETS, o->engine_id, o->engine_id_len);
    t_benc_seq(e, T_BER_SEQ, mark_sec);
    t_benc_seq(e, T_BER_OCTETS, mark_sec);
    size_t mark_g = t_benc_len(e);
    uint8_t flags = o->flags;
    t_benc_int(e, T_BER_INT, 3);
    t_benc_octets(e, T_BER_OCTETS, &flags, 1);
    t_benc_int(e, T_BER_INT, o->max_size);
    t_benc_int(e, T_BER_INT, o->msg_id);
    t_benc_seq(e, T_BER_SEQ, mark_g);
    t_benc_int(e, T_BER_INT, 3);
    t_benc_seq(e, T_BER_SEQ, 0);
    if (e->err)
        return -1;
    if (auth) {
        uint8_t mac[T_MAC_MAX];
        if (t_usm_hmac(o->auth, o->kul_auth, t_benc_data(e), t_benc_len(e), mac) < 0)
            return -1;
        memcpy(e->buf + e->cap - auth_off, mac, o->auth->mac_len);
    }
    return 0;
}
