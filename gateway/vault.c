/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The secrets vault: AES-256-GCM records with a 256-bit key that lives in its own file, outside
 * the database, so a copied database alone reveals no SNMP community or passphrase.
 *
 * A record is 0x01 | 12-byte nonce | ciphertext | 16-byte tag. The nonce is random per record
 * (RAND_bytes): with 96-bit random nonces a key can seal billions of records before a repeat
 * becomes a concern, far beyond the few credential sets a gateway holds. The associated data is
 * "table\0column\0" followed by the row id as 8 bytes big-endian, which binds each record to
 * its cell: a record copied to another row or column fails authentication like a forged one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "gateway/gw_int.h"

#define VAULT_KEY_LEN   32
#define VAULT_NONCE_LEN 12
#define VAULT_TAG_LEN   16
#define VAULT_VERSION   0x01
#define VAULT_OVERHEAD  (1 + VAULT_NONCE_LEN + VAULT_TAG_LEN)
/* Secrets are passphrases and tokens; refusing anything huge keeps the int casts that the EVP
 * API needs safe. */
#define VAULT_MAX_PT (1u << 20)
/* Table and column names are short identifiers from our own code. */
#define VAULT_MAX_NAME 64

struct gw_vault {
    unsigned char key[VAULT_KEY_LEN];
};

/* Drops whatever OpenSSL queued so a later, unrelated ERR_get_error() does not report it. */
static int crypto_fail(const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[160] = "";
    if (e)
        ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    gw_log_err(GW, "%s failed: %s", what, buf[0] ? buf : "no OpenSSL error");
    return GW_E_CRYPTO;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Makes the new file's directory entry durable too, so a power loss right after `fleetgw init`
 * cannot leave a database whose key file vanished. Best effort: some filesystems refuse. */
static void fsync_parent(const char *path)
{
    char dir[1024];
    const char *slash = strrchr(path, '/');
    int fd;
    if (!slash) {
        gw_strlcpy(dir, ".", sizeof dir);
    } else {
        size_t n = (size_t)(slash - path);
        if (n == 0)
            n = 1;
        if (n >= sizeof dir)
            return;
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

int gw_vault_keygen(const char *path, struct gw_errbuf *eb)
{
    unsigned char key[VAULT_KEY_LEN];
    int fd, rc;
    /* O_EXCL: an existing key must never be replaced, or every sealed secret becomes garbage. */
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        rc = -errno;
        if (rc == -EEXIST)
            return gw_errbuf_set(eb, rc, "key file %s already exists; not overwriting it", path);
        return gw_errbuf_set(eb, rc, "cannot create key file %s: %s", path, gw_strerror(rc));
    }
    if (RAND_bytes(key, sizeof key) != 1) {
        rc = crypto_fail("RAND_bytes");
        gw_errbuf_set(eb, rc, "cannot generate a key for %s: no randomness", path);
        goto fail;
    }
    rc = write_all(fd, key, sizeof key);
    if (rc == 0 && fsync(fd) < 0)
        rc = -errno;
    if (rc < 0) {
        gw_errbuf_set(eb, rc, "cannot write key file %s: %s", path, gw_strerror(rc));
        goto fail;
    }
    OPENSSL_cleanse(key, sizeof key);
    if (close(fd) < 0) {
        rc = -errno;
        unlink(path);
        return gw_errbuf_set(eb, rc, "cannot write key file %s: %s", path, gw_strerror(rc));
    }
    fsync_parent(path);
    return 0;

fail:
    OPENSSL_cleanse(key, sizeof key);
    close(fd);
    unlink(path);
    return rc;
}

int gw_vault_open(const char *path, struct gw_vault **out, struct gw_errbuf *eb)
{
    struct gw_vault *v;
    struct stat st;
    size_t got = 0;
    int fd, rc;
    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = -errno;
        return gw_errbuf_set(eb, rc, "cannot open key file %s: %s", path, gw_strerror(rc));
    }
    /* fstat the descriptor we read from, not the path, so the checks apply to these bytes. */
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        close(fd);
        return gw_errbuf_set(eb, rc, "cannot stat key file %s: %s", path, gw_strerror(rc));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return gw_errbuf_set(eb, GW_E_CRYPTO, "key file %s is not a regular file", path);
    }
    if (st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) {
        close(fd);
        return gw_errbuf_set(eb, GW_E_KEYPERM,
                             "key file %s has mode %04o; run chmod 600 %s (it must not be "
                             "readable or writable by group or others)",
                             path, (unsigned)(st.st_mode & 07777), path);
    }
    if (st.st_size != VAULT_KEY_LEN) {
        close(fd);
        return gw_errbuf_set(eb, GW_E_CRYPTO, "key file %s has %lld bytes, expected %d", path,
                             (long long)st.st_size, VAULT_KEY_LEN);
    }
    v = gw_calloc(1, sizeof *v);
    while (got < VAULT_KEY_LEN) {
        ssize_t r = read(fd, v->key + got, VAULT_KEY_LEN - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = r < 0 ? -errno : GW_E_CRYPTO;
            close(fd);
            gw_vault_free(v);
            return gw_errbuf_set(eb, rc, "cannot read key file %s: %s", path,
                                 r < 0 ? gw_strerror(rc) : "file shrank while reading");
        }
        got += (size_t)r;
    }
    close(fd);
    *out = v;
    return 0;
}

void gw_vault_free(struct gw_vault *v)
{
    gw_free_secret(v, sizeof *v);
}

/* Builds the associated data into aad[]. Returns: its length, or 0 when a name is too long. */
static size_t build_aad(unsigned char *aad, const char *table, const char *column, int64_t row)
{
    size_t tl = strlen(table), cl = strlen(column), n = 0;
    uint64_t r = (uint64_t)row;
    if (tl > VAULT_MAX_NAME || cl > VAULT_MAX_NAME)
        return 0;
    memcpy(aad + n, table, tl + 1);
    n += tl + 1;
    memcpy(aad + n, column, cl + 1);
    n += cl + 1;
    for (int i = 7; i >= 0; i--)
        aad[n++] = (unsigned char)(r >> (i * 8));
    return n;
}

#define AAD_MAX (2 * (VAULT_MAX_NAME + 1) + 8)

int gw_vault_seal(const struct gw_vault *v, const char *table, const char *column, int64_t row,
                  const void *pt, size_t ptlen, unsigned char **out, size_t *outlen)
{
    unsigned char aad[AAD_MAX];
    size_t aadlen = build_aad(aad, table, column, row);
    unsigned char *rec, *nonce, *ct, *tag;
    EVP_CIPHER_CTX *ctx;
    int n, rc = GW_E_CRYPTO;
    *out = NULL;
    *outlen = 0;
    if (aadlen == 0)
        return GW_E_INVAL;
    if (ptlen > VAULT_MAX_PT)
        return GW_E_TOOBIG;
    rec = gw_malloc(ptlen + VAULT_OVERHEAD);
    rec[0] = VAULT_VERSION;
    nonce = rec + 1;
    ct = nonce + VAULT_NONCE_LEN;
    tag = ct + ptlen;
    if (RAND_bytes(nonce, VAULT_NONCE_LEN) != 1) {
        free(rec);
        return crypto_fail("RAND_bytes");
    }
    ctx = EVP_CIPHER_CTX_new();
    if (!ctx || EVP_EncryptInit_ex2(ctx, EVP_aes_256_gcm(), v->key, nonce, NULL) != 1 ||
        EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aadlen) != 1 ||
        EVP_EncryptUpdate(ctx, ct, &n, pt, (int)ptlen) != 1 || (size_t)n != ptlen ||
        EVP_EncryptFinal_ex(ctx, ct + n, &n) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, VAULT_TAG_LEN, tag) != 1) {
        rc = crypto_fail("AES-256-GCM seal");
        gw_free_secret(rec, ptlen + VAULT_OVERHEAD);
        EVP_CIPHER_CTX_free(ctx);
        return rc;
    }
    EVP_CIPHER_CTX_free(ctx);
    *out = rec;
    *outlen = ptlen + VAULT_OVERHEAD;
    return 0;
}

int gw_vault_unseal(const struct gw_vault *v, const char *table, const char *column, int64_t row,
                    const unsigned char *blob, size_t bloblen, char **pt, size_t *ptlen)
{
    unsigned char aad[AAD_MAX];
    size_t aadlen = build_aad(aad, table, column, row);
    const unsigned char *nonce, *ct, *tag;
    unsigned char tagbuf[VAULT_TAG_LEN];
    size_t ctlen;
    EVP_CIPHER_CTX *ctx;
    char *p;
    int n, ok;
    *pt = NULL;
    *ptlen = 0;
    if (aadlen == 0)
        return GW_E_INVAL;
    if (!blob || bloblen < VAULT_OVERHEAD || blob[0] != VAULT_VERSION)
        return GW_E_PARSE;
    ctlen = bloblen - VAULT_OVERHEAD;
    if (ctlen > VAULT_MAX_PT)
        return GW_E_TOOBIG;
    nonce = blob + 1;
    ct = nonce + VAULT_NONCE_LEN;
    tag = ct + ctlen;
    /* EVP_CTRL_AEAD_SET_TAG takes a non-const pointer. */
    memcpy(tagbuf, tag, sizeof tagbuf);
    p = gw_malloc(ctlen + 1);
    ctx = EVP_CIPHER_CTX_new();
    if (!ctx || EVP_DecryptInit_ex2(ctx, EVP_aes_256_gcm(), v->key, nonce, NULL) != 1 ||
        EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aadlen) != 1 ||
        EVP_DecryptUpdate(ctx, (unsigned char *)p, &n, ct, (int)ctlen) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, VAULT_TAG_LEN, tagbuf) != 1) {
        EVP_CIPHER_CTX_free(ctx);
        gw_free_secret(p, ctlen + 1);
        return crypto_fail("AES-256-GCM unseal");
    }
    /* Final fails exactly when the tag does not match: a wrong key, a record moved to another
     * cell, or edited bytes. The plaintext produced so far must not escape. */
    ok = EVP_DecryptFinal_ex(ctx, (unsigned char *)p + n, &n);
    EVP_CIPHER_CTX_free(ctx);
    if (ok != 1) {
        ERR_clear_error();
        gw_free_secret(p, ctlen + 1);
        return GW_E_TAMPER;
    }
    p[ctlen] = '\0';
    *pt = p;
    *ptlen = ctlen;
    return 0;
}
