/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of the gateway library, one theme of it:
 * the secrets vault.
 * Part of the umbrella "gateway/gw.h", which is what other modules include; the themed
 * headers only keep each concern in a file of its own. Conventions as in gw.h.
 */
#ifndef GW_VAULT_H
#define GW_VAULT_H

#include <stddef.h>
#include <stdint.h>

#include "gateway/gw_err.h"

/* ---------------------------------------------------------------------------------------------
 * Secrets vault: AES-256-GCM with a 256-bit key kept in a file outside the database.
 * Record format: version byte (1) | 12-byte random nonce | ciphertext | 16-byte tag; the
 * associated data binds a record to "table/column/row" so it cannot be moved to another row.
 */
struct gw_vault;
/* Creates a new key file (mode 0600, O_EXCL). Returns: 0, -EEXIST, -errno, GW_E_CRYPTO. */
int gw_vault_keygen(const char *path, struct gw_errbuf *eb);
/* Loads the key; refuses a file readable by group or others (GW_E_KEYPERM) or of the wrong
 * size (GW_E_CRYPTO). Caller frees with gw_vault_free(). */
int gw_vault_open(const char *path, struct gw_vault **out, struct gw_errbuf *eb);
void gw_vault_free(struct gw_vault *v);
/* Encrypts pt for (table, column, row). *out is malloc'ed, caller frees. */
int gw_vault_seal(const struct gw_vault *v, const char *table, const char *column, int64_t row,
                  const void *pt, size_t ptlen, unsigned char **out, size_t *outlen);
/* Decrypts; *pt is NUL-terminated (one extra byte), caller frees with gw_free_secret(*pt,
 * *ptlen). Returns: 0, GW_E_TAMPER (tag mismatch, wrong row, wrong key), GW_E_PARSE. */
int gw_vault_unseal(const struct gw_vault *v, const char *table, const char *column, int64_t row,
                    const unsigned char *blob, size_t bloblen, char **pt, size_t *ptlen);

#endif
