/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Secrets vault tests: seal/unseal roundtrip, every way a record can fail authentication
 * (flipped bytes in nonce, ciphertext and tag, another row, column or table, another key),
 * malformed records, key file permissions and size, and keygen never overwriting a key.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "gateway/gw.h"

struct fixture {
    char dir[64];
    char key[128];
    char key2[128];
    struct gw_vault *v;
    struct gw_vault *v2;
};

static int setup(void **state)
{
    struct fixture *f = gw_calloc(1, sizeof *f);
    struct gw_errbuf eb = {""};
    snprintf(f->dir, sizeof f->dir, "/tmp/fleetgw-vault-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->key, sizeof f->key, "%s/secrets.key", f->dir);
    snprintf(f->key2, sizeof f->key2, "%s/other.key", f->dir);
    if (gw_vault_keygen(f->key, &eb) != 0 || gw_vault_keygen(f->key2, &eb) != 0 ||
        gw_vault_open(f->key, &f->v, &eb) != 0 || gw_vault_open(f->key2, &f->v2, &eb) != 0) {
        fprintf(stderr, "setup: %s\n", eb.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];
    gw_vault_free(f->v);
    gw_vault_free(f->v2);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static void seal(const struct gw_vault *v, const char *pt, unsigned char **rec, size_t *len)
{
    assert_int_equal(gw_vault_seal(v, "credentials", "auth_pass", 42, pt, strlen(pt), rec, len), 0);
}

static int unseal(const struct gw_vault *v, const char *table, const char *column, int64_t row,
                  const unsigned char *rec, size_t len)
{
    char *pt = NULL;
    size_t ptlen = 0;
    int rc = gw_vault_unseal(v, table, column, row, rec, len, &pt, &ptlen);
    if (rc == 0)
        gw_free_secret(pt, ptlen);
    else
        assert_null(pt);
    return rc;
}

static void test_roundtrip(void **state)
{
    struct fixture *f = *state;
    static const char *const secrets[] = {"", "x", "correct horse battery staple", "with\0nul"};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        size_t n = i == 3 ? 8 : strlen(secrets[i]);
        unsigned char *rec;
        size_t len, ptlen;
        char *pt;
        assert_int_equal(
            gw_vault_seal(f->v, "credentials", "community", 7, secrets[i], n, &rec, &len), 0);
        /* version | nonce | ciphertext | tag */
        assert_int_equal(len, 1 + 12 + n + 16);
        assert_int_equal(rec[0], 0x01);
        assert_int_equal(
            gw_vault_unseal(f->v, "credentials", "community", 7, rec, len, &pt, &ptlen), 0);
        assert_int_equal(ptlen, n);
        assert_memory_equal(pt, secrets[i], n);
        assert_int_equal(pt[n], '\0');
        gw_free_secret(pt, ptlen);
        free(rec);
    }
}

/* Two seals of the same secret differ (fresh nonce), and the plaintext does not show. */
static void test_nonce_fresh(void **state)
{
    struct fixture *f = *state;
    unsigned char *a, *b;
    size_t alen, blen;
    seal(f->v, "public-community", &a, &alen);
    seal(f->v, "public-community", &b, &blen);
    assert_int_equal(alen, blen);
    assert_memory_not_equal(a + 1, b + 1, 12);
    assert_memory_not_equal(a + 13, b + 13, alen - 13);
    assert_null(memmem(a, alen, "public", 6));
    free(a);
    free(b);
}

static void test_tamper(void **state)
{
    struct fixture *f = *state;
    unsigned char *rec;
    size_t len;
    seal(f->v, "authpassphrase", &rec, &len);
    assert_int_equal(unseal(f->v, "credentials", "auth_pass", 42, rec, len), 0);
    /* Every byte after the version: nonce, ciphertext and tag. */
    for (size_t i = 1; i < len; i++) {
        rec[i] ^= 0x01;
        assert_int_equal(unseal(f->v, "credentials", "auth_pass", 42, rec, len), GW_E_TAMPER);
        rec[i] ^= 0x01;
    }
    /* Truncated by one byte: the tag is now wrong. */
    assert_int_equal(unseal(f->v, "credentials", "auth_pass", 42, rec, len - 1), GW_E_TAMPER);
    assert_int_equal(unseal(f->v, "credentials", "auth_pass", 42, rec, len), 0);
    free(rec);
}

static void test_wrong_context(void **state)
{
    struct fixture *f = *state;
    unsigned char *rec;
    size_t len;
    seal(f->v, "authpassphrase", &rec, &len);
    assert_int_equal(unseal(f->v, "credentials", "auth_pass", 43, rec, len), GW_E_TAMPER);
    assert_int_equal(unseal(f->v, "credentials", "auth_pass", -42, rec, len), GW_E_TAMPER);
    assert_int_equal(unseal(f->v, "credentials", "priv_pass", 42, rec, len), GW_E_TAMPER);
    assert_int_equal(unseal(f->v, "devices", "auth_pass", 42, rec, len), GW_E_TAMPER);
    /* The separators keep "ab"+"c" and "a"+"bc" apart. */
    assert_int_equal(unseal(f->v, "credentialsauth", "_pass", 42, rec, len), GW_E_TAMPER);
    assert_int_equal(unseal(f->v2, "credentials", "auth_pass", 42, rec, len), GW_E_TAMPER);
    assert_int_equal(unseal(f->v, "credentials", "auth_pass", 42, rec, len), 0);
    free(rec);
}

static void test_malformed(void **state)
{
    struct fixture *f = *state;
    unsigned char short_rec[28] = {0x01};
    unsigned char *rec;
    size_t len;
    assert_int_equal(unseal(f->v, "t", "c", 1, NULL, 0), GW_E_PARSE);
    assert_int_equal(unseal(f->v, "t", "c", 1, short_rec, sizeof short_rec), GW_E_PARSE);
    seal(f->v, "secret", &rec, &len);
    rec[0] = 0x02;
    assert_int_equal(unseal(f->v, "credentials", "auth_pass", 42, rec, len), GW_E_PARSE);
    free(rec);
}

static void test_key_mode_refused(void **state)
{
    struct fixture *f = *state;
    struct gw_vault *v = (struct gw_vault *)1;
    struct gw_errbuf eb = {""};
    char expect[512];
    assert_int_equal(chmod(f->key2, 0644), 0);
    assert_int_equal(gw_vault_open(f->key2, &v, &eb), GW_E_KEYPERM);
    assert_null(v);
    snprintf(expect, sizeof expect,
             "key file %s has mode 0644; run chmod 600 %s (it must not be readable or writable "
             "by group or others)",
             f->key2, f->key2);
    assert_string_equal(eb.msg, expect);
    assert_int_equal(chmod(f->key2, 0620), 0);
    assert_int_equal(gw_vault_open(f->key2, &v, &eb), GW_E_KEYPERM);
    assert_int_equal(chmod(f->key2, 0604), 0);
    assert_int_equal(gw_vault_open(f->key2, &v, &eb), GW_E_KEYPERM);
    assert_int_equal(chmod(f->key2, 0400), 0);
    assert_int_equal(gw_vault_open(f->key2, &v, &eb), 0);
    gw_vault_free(v);
    assert_int_equal(chmod(f->key2, 0600), 0);
}

static void test_key_size_refused(void **state)
{
    struct fixture *f = *state;
    struct gw_vault *v;
    struct gw_errbuf eb = {""};
    char path[160];
    FILE *fp;
    snprintf(path, sizeof path, "%s/short.key", f->dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("0123456789abcdef0123456789abcde", fp); /* 31 bytes */
    fclose(fp);
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(gw_vault_open(path, &v, &eb), GW_E_CRYPTO);
    assert_non_null(strstr(eb.msg, "has 31 bytes, expected 32"));
    snprintf(path, sizeof path, "%s/missing.key", f->dir);
    assert_int_equal(gw_vault_open(path, &v, &eb), -ENOENT);
    assert_int_equal(gw_vault_open(f->dir, &v, &eb), GW_E_CRYPTO);
}

static void test_keygen(void **state)
{
    struct fixture *f = *state;
    struct gw_errbuf eb = {""};
    struct stat st;
    unsigned char before[32], after[32];
    FILE *fp;
    char path[160];
    assert_int_equal(stat(f->key, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(st.st_size, 32);
    fp = fopen(f->key, "rb");
    assert_int_equal(fread(before, 1, 32, fp), 32);
    fclose(fp);
    assert_int_equal(gw_vault_keygen(f->key, &eb), -EEXIST);
    assert_non_null(strstr(eb.msg, "already exists"));
    fp = fopen(f->key, "rb");
    assert_int_equal(fread(after, 1, 32, fp), 32);
    fclose(fp);
    assert_memory_equal(before, after, 32);
    /* Even a restrictive umask leaves exactly 0600, and a permissive one no more. */
    snprintf(path, sizeof path, "%s/umask.key", f->dir);
    mode_t old = umask(0);
    assert_int_equal(gw_vault_keygen(path, &eb), 0);
    umask(old);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    snprintf(path, sizeof path, "%s/no/such/dir.key", f->dir);
    assert_int_equal(gw_vault_keygen(path, &eb), -ENOENT);
    assert_non_null(strstr(eb.msg, "cannot create key file"));
}

static void test_bad_names(void **state)
{
    struct fixture *f = *state;
    char longname[100];
    unsigned char *rec = (unsigned char *)1;
    size_t len = 1;
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(gw_vault_seal(f->v, longname, "c", 1, "x", 1, &rec, &len), GW_E_INVAL);
    assert_null(rec);
    assert_int_equal(len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),        cmocka_unit_test(test_nonce_fresh),
        cmocka_unit_test(test_tamper),           cmocka_unit_test(test_wrong_context),
        cmocka_unit_test(test_malformed),        cmocka_unit_test(test_key_mode_refused),
        cmocka_unit_test(test_key_size_refused), cmocka_unit_test(test_keygen),
        cmocka_unit_test(test_bad_names),
    };
    gw_log_set_level(LOG_CRIT);
    return cmocka_run_group_tests(tests, setup, teardown);
}
