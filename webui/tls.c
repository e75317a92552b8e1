/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The server certificate. An appliance has no certificate at first start and no way to get one
 * from a public CA (it is reached by a LAN address), so it makes its own: an ECDSA P-256 key,
 * unique to this installation and never shipped in an image, and a self-signed certificate
 * naming the host's name, localhost and every address of its interfaces. The SHA-256
 * fingerprint is logged and shown by `fleetgw status`, so an administrator can compare it with
 * what the browser shows before trusting it. An administrator's own certificate (tls_cert,
 * tls_key) is used as it is.
 *
 * Also the small crypto helpers the module shares: CSPRNG bytes, SHA-256 hex.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "webui/ui_int.h"

/* Ten years: the certificate is self-signed, so an expiry protects nothing but would lock the
 * administrator out of a forgotten appliance one day. */
#define CERT_DAYS 3650

int ui__random(void *buf, size_t n)
{
    return RAND_bytes(buf, (int)n) == 1 ? 0 : GW_E_CRYPTO;
}

void ui__hex(const unsigned char *in, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 0xf];
    }
    out[2 * n] = '\0';
}

void ui__sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char dig[32];
    unsigned int dl = 0;
    EVP_Digest(data, len, dig, &dl, EVP_sha256(), NULL);
    ui__hex(dig, sizeof dig, out);
}

static bool dns_name_ok(const char *s)
{
    if (!*s || strlen(s) > 253)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '.'))
            return false;
    return true;
}

static void san_add(char *san, size_t len, const char *kind, const char *value)
{
    size_t off = strlen(san);
    char item[300];
    snprintf(item, sizeof item, "%s:%s", kind, value);
    /* The same address on two interfaces is named once. */
    if (strstr(san, item))
        return;
    snprintf(san + off, len - off, "%s%s", off ? "," : "", item);
}

/* "DNS:host,DNS:localhost,IP:127.0.0.1,IP:::1,IP:192.0.2.10,..." */
static void build_san(char *san, size_t len)
{
    char host[256] = "";
    struct ifaddrs *ifa = NULL;
    san[0] = '\0';
    if (gethostname(host, sizeof host - 1) == 0 && dns_name_ok(host))
        san_add(san, len, "DNS", host);
    san_add(san, len, "DNS", "localhost");
    san_add(san, len, "IP", "127.0.0.1");
    san_add(san, len, "IP", "::1");
    if (getifaddrs(&ifa) == 0) {
        for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
            char a[INET6_ADDRSTRLEN];
            if (!i->ifa_addr || !(i->ifa_flags & IFF_UP))
                continue;
            if (i->ifa_addr->sa_family == AF_INET)
                inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, a,
                          sizeof a);
            else if (i->ifa_addr->sa_family == AF_INET6) {
                const struct in6_addr *a6 =
                    &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;
                /* Link-local addresses need a zone, which neither URLs nor SANs carry well. */
                if (IN6_IS_ADDR_LINKLOCAL(a6))
                    continue;
                inet_ntop(AF_INET6, a6, a, sizeof a);
            } else
                continue;
            if (strlen(san) + strlen(a) + 8 < len)
                san_add(san, len, "IP", a);
        }
        freeifaddrs(ifa);
    }
}

static int add_ext(X509 *x, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    int ok;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ext)
        return GW_E_CRYPTO;
    ok = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : GW_E_CRYPTO;
}

/* Writes a PEM file with mode, refusing to replace one that exists. */
static int write_pem(const char *path, mode_t mode, EVP_PKEY *key, X509 *cert)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    FILE *f;
    int ok;
    if (fd < 0)
        return -errno;
    f = fdopen(fd, "w");
    if (!f) {
        int e = errno;
        close(fd);
        unlink(path);
        return -e;
    }
    ok = key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) : PEM_write_X509(f, cert);
    if (fclose(f) != 0)
        ok = 0;
    if (!ok) {
        unlink(path);
        return GW_E_CRYPTO;
    }
    return 0;
}

static int generate(const char *cert_path, const char *key_path, struct gw_errbuf *eb)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *name;
    unsigned char serial[16];
    char host[256] = "fleetgw", cn[300], san[4096];
    BIGNUM *bn = NULL;
    int rc = GW_E_CRYPTO;
    if (!key || !x || ui__random(serial, sizeof serial) < 0)
        goto out;
    serial[0] &= 0x7f; /* a positive serial */
    bn = BN_bin2bn(serial, sizeof serial, NULL);
    if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
        goto out;
    gethostname(host, sizeof host - 1);
    snprintf(cn, sizeof cn, "fleetgw %s", dns_name_ok(host) ? host : "gateway");
    name = X509_get_subject_name(x);
    if (!X509_set_version(x, 2) || !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(x), (long)CERT_DAYS * 86400) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
                                    0) ||
        !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                    (const unsigned char *)"fleetgw self-signed", -1, -1, 0) ||
        !X509_set_issuer_name(x, name) || !X509_set_pubkey(x, key))
        goto out;
    build_san(san, sizeof san);
    if (add_ext(x, NID_subject_alt_name, san) < 0 ||
        add_ext(x, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
        add_ext(x, NID_key_usage, "critical,digitalSignature") < 0 ||
        add_ext(x, NID_ext_key_usage, "serverAuth") < 0 ||
        add_ext(x, NID_subject_key_identifier, "hash") < 0)
        goto out;
    if (!X509_sign(x, key, EVP_sha256()))
        goto out;
    rc = write_pem(key_path, 0600, key, NULL);
    if (rc < 0) {
        gw_errbuf_set(eb, rc, "%s: %s", key_path, gw_strerror(rc));
        goto out;
    }
    rc = write_pem(cert_path, 0644, NULL, x);
    if (rc < 0) {
        unlink(key_path);
        gw_errbuf_set(eb, rc, "%s: %s", cert_path, gw_strerror(rc));
        goto out;
    }
    gw_log_notice(UI, "generated a self-signed certificate cert=%s names=%s", cert_path, san);
out:
    if (rc == GW_E_CRYPTO && !(eb && eb->msg[0]))
        gw_errbuf_set(eb, rc, "cannot generate the web UI certificate");
    BN_free(bn);
    X509_free(x);
    EVP_PKEY_free(key);
    return rc;
}

int ui__tls_ensure(const char *cert, const char *key, struct gw_errbuf *eb)
{
    struct stat cs, ks;
    bool have_cert = stat(cert, &cs) == 0, have_key = stat(key, &ks) == 0;
    if (have_cert && have_key) {
        if (ks.st_mode & 077)
            return gw_errbuf_set(eb, GW_E_KEYPERM,
                                 "%s: private key is accessible to group or "
                                 "others (mode %04o); chmod 600 it",
                                 key, (unsigned)(ks.st_mode & 07777));
        return 0;
    }
    /* One without the other is an administrator's half-finished change, not a first start:
     * generating would overwrite their file. */
    if (have_cert || have_key)
        return gw_errbuf_set(eb, GW_E_CONFIG, "%s exists but %s does not", have_cert ? cert : key,
                             have_cert ? key : cert);
    return generate(cert, key, eb);
}

int ui_cert_fingerprint(const char *path, char *out, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned char dig[32];
    unsigned int dl = 0;
    FILE *f = fopen(path, "r");
    X509 *x;
    if (!f)
        return -errno;
    x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (!x)
        return GW_E_CRYPTO;
    if (!X509_digest(x, EVP_sha256(), dig, &dl) || dl != 32 || len < 96) {
        X509_free(x);
        return GW_E_CRYPTO;
    }
    X509_free(x);
    for (unsigned i = 0; i < dl; i++) {
        out[3 * i] = hex[dig[i] >> 4];
        out[3 * i + 1] = hex[dig[i] & 0xf];
        out[3 * i + 2] = i + 1 < dl ? ':' : '\0';
    }
    return 0;
}

/* Writes len bytes to path through a temporary file in the same directory, renamed over path
 * once synced, so that a crash leaves the old file or the new one, never a mix. */
static int write_atomic(const char *path, mode_t mode, const void *data, size_t len)
{
    char tmp[1100];
    int fd, rc = 0;
    if (snprintf(tmp, sizeof tmp, "%s.new", path) >= (int)sizeof tmp)
        return -ENAMETOOLONG;
    unlink(tmp); /* a leftover from an interrupted upload */
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return -errno;
    for (size_t off = 0; off < len && rc == 0;) {
        ssize_t n = write(fd, (const char *)data + off, len - off);
        if (n < 0 && errno != EINTR)
            rc = -errno;
        else if (n > 0)
            off += (size_t)n;
    }
    if (rc == 0 && fsync(fd) < 0)
        rc = -errno;
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, path) < 0)
        rc = -errno;
    if (rc < 0)
        unlink(tmp);
    return rc;
}

/* Copies a memory BIO's contents into a malloc'ed, NUL-terminated buffer. */
static char *bio_text(BIO *b, size_t *len)
{
    char *data;
    long n = BIO_get_mem_data(b, &data);
    char *out = gw_malloc((size_t)n + 1);
    memcpy(out, data, (size_t)n);
    out[n] = '\0';
    *len = (size_t)n;
    return out;
}

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return -1; /* an encrypted key could not be loaded unattended at start: refuse it */
}

int ui__tls_install(const char *cert_path, const char *key_path, const char *cert_pem,
                    const char *key_pem, char *fp, size_t fplen, struct gw_errbuf *eb)
{
    static const char hex[] = "0123456789ABCDEF";
    BIO *in = NULL, *out_c = NULL, *out_k = NULL;
    X509 *x = NULL, *extra;
    EVP_PKEY *key = NULL;
    char *ctext = NULL, *ktext = NULL;
    size_t clen = 0, klen = 0;
    unsigned char dig[32];
    unsigned int dl = 0;
    int rc = GW_E_INVAL, chain = 0;

    in = BIO_new_mem_buf(cert_pem, -1);
    x = in ? PEM_read_bio_X509(in, NULL, NULL, NULL) : NULL;
    if (!x) {
        gw_errbuf_set(eb, rc,
                      "The certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----).");
        goto out;
    }
    out_c = BIO_new(BIO_s_mem());
    if (!out_c || !PEM_write_bio_X509(out_c, x)) {
        rc = gw_errbuf_set(eb, GW_E_CRYPTO, "The certificate could not be re-encoded.");
        goto out;
    }
    /* Intermediate certificates after the server's own are kept, in order, for the chain. */
    while ((extra = PEM_read_bio_X509(in, NULL, NULL, NULL))) {
        int ok = PEM_write_bio_X509(out_c, extra);
        X509_free(extra);
        if (!ok || ++chain > 8) {
            rc = gw_errbuf_set(eb, GW_E_INVAL, "The certificate chain is too long (at most 8).");
            goto out;
        }
    }
    ERR_clear_error(); /* the loop ends on "no start line" */
    BIO_free(in);
    in = BIO_new_mem_buf(key_pem, -1);
    key = in ? PEM_read_bio_PrivateKey(in, NULL, no_passphrase, NULL) : NULL;
    ERR_clear_error();
    if (!key) {
        gw_errbuf_set(
            eb, rc, "The private key is not an unencrypted PEM key (-----BEGIN PRIVATE KEY-----).");
        goto out;
    }
    if (X509_check_private_key(x, key) != 1) {
        ERR_clear_error();
        gw_errbuf_set(eb, rc, "The private key does not belong to the certificate.");
        goto out;
    }
    if (X509_cmp_current_time(X509_get0_notAfter(x)) <= 0) {
        gw_errbuf_set(eb, rc, "The certificate has expired.");
        goto out;
    }
    if (X509_cmp_current_time(X509_get0_notBefore(x)) >= 0) {
        gw_errbuf_set(
            eb, rc,
            "The certificate is not valid yet (check its start date and the gateway's clock).");
        goto out;
    }
    /* The secure-memory BIO wipes the key's PEM text when freed. */
    out_k = BIO_new(BIO_s_secmem());
    if (!out_k || !PEM_write_bio_PrivateKey(out_k, key, NULL, NULL, 0, NULL, NULL) ||
        !X509_digest(x, EVP_sha256(), dig, &dl) || dl != 32 || fplen < 96) {
        rc = gw_errbuf_set(eb, GW_E_CRYPTO, "The certificate could not be re-encoded.");
        goto out;
    }
    ctext = bio_text(out_c, &clen);
    ktext = bio_text(out_k, &klen);
    /* The key first: a failure between the two renames leaves the old certificate with a new
     * key, which the start-up check reports, rather than silently serving a mismatch. */
    rc = write_atomic(key_path, 0600, ktext, klen);
    if (rc == 0)
        rc = write_atomic(cert_path, 0644, ctext, clen);
    if (rc < 0) {
        gw_errbuf_set(eb, rc, "The files could not be written: %s.", strerror(-rc));
        goto out;
    }
    for (unsigned i = 0; i < dl; i++) {
        fp[3 * i] = hex[dig[i] >> 4];
        fp[3 * i + 1] = hex[dig[i] & 0xf];
        fp[3 * i + 2] = i + 1 < dl ? ':' : '\0';
    }
out:
    if (ktext) {
        OPENSSL_cleanse(ktext, klen);
        free(ktext);
    }
    free(ctext);
    BIO_free(in);
    BIO_free(out_c);
    BIO_free(out_k);
    EVP_PKEY_free(key);
    X509_free(x);
    return rc;
}

/* The certificate an upload put into the running server. */
struct ui__tls_pair {
    X509 *leaf;
    EVP_PKEY *key;
    STACK_OF(X509) * chain;
};

static void pair_free(struct ui__tls_pair *p)
{
    if (!p)
        return;
    sk_X509_pop_free(p->chain, X509_free);
    X509_free(p->leaf);
    EVP_PKEY_free(p->key);
    free(p);
}

/* Called by OpenSSL for every new server connection, after the ClientHello and before the
 * certificate is chosen: the context's certificates are dropped from this connection and the
 * uploaded one put in. SSL_CTX_use_cert_and_key() on the context would replace only the slot
 * of the new key's type (an RSA upload would leave the ECDSA certificate there, and clients
 * that prefer ECDSA would keep getting it); per connection every slot is cleared. */
static int cert_cb(SSL *ssl, void *arg)
{
    struct ui_server *s = arg;
    struct ui__tls_pair *p = s->tls_pair;
    if (!p)
        return 1;
    SSL_certs_clear(ssl);
    if (SSL_use_cert_and_key(ssl, p->leaf, p->key, p->chain, 1) != 1) {
        ERR_clear_error();
        return 0; /* this handshake fails rather than serving another certificate */
    }
    return 1;
}

int ui__tls_apply(struct ui_server *s, const char *cert_path, const char *key_path,
                  struct gw_errbuf *eb)
{
    SSL_CTX *ctx = s->ssl_ctx;
    struct ui__tls_pair *p;
    X509 *x;
    SSL *probe;
    FILE *f;
    bool ok;
    if (!ctx)
        return gw_errbuf_set(eb, GW_E_INTERNAL,
                             "the running server's TLS context is unknown: restart to apply");
    p = gw_calloc(1, sizeof *p);
    f = fopen(cert_path, "r");
    if (f) {
        p->leaf = PEM_read_X509(f, NULL, no_passphrase, NULL);
        p->chain = sk_X509_new_null();
        while (p->leaf && p->chain && (x = PEM_read_X509(f, NULL, no_passphrase, NULL)))
            sk_X509_push(p->chain, x);
        ERR_clear_error(); /* the end of the file reads as an error */
        fclose(f);
    }
    f = fopen(key_path, "r");
    if (f) {
        p->key = PEM_read_PrivateKey(f, NULL, no_passphrase, NULL);
        fclose(f);
    }
    /* Tried on a connection object of the context first: only a pair OpenSSL accepts (the
     * key is the certificate's) replaces the running one. */
    probe = p->leaf && p->key && p->chain ? SSL_new(ctx) : NULL;
    ok = probe && (SSL_certs_clear(probe), 1) &&
         SSL_use_cert_and_key(probe, p->leaf, p->key, p->chain, 1) == 1;
    SSL_free(probe);
    if (!ok) {
        ERR_clear_error();
        pair_free(p);
        return gw_errbuf_set(eb, GW_E_CRYPTO,
                             "the installed certificate could not be applied to the running "
                             "server: restart to use it");
    }
    /* Connections made from now on get the new pair; open ones keep theirs. */
    pair_free(s->tls_pair);
    s->tls_pair = p;
    SSL_CTX_set_cert_cb(ctx, cert_cb, s);
    return 0;
}

void ui__tls_cleanup(struct ui_server *s)
{
    pair_free(s->tls_pair);
    s->tls_pair = NULL;
}
