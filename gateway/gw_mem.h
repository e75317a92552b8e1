/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of the gateway library, one theme of it:
 * memory and files.
 * Part of the umbrella "gateway/gw.h", which is what other modules include; the themed
 * headers only keep each concern in a file of its own. Conventions as in gw.h.
 */
#ifndef GW_MEM_H
#define GW_MEM_H

#include <stddef.h>

#include "gateway/gw_err.h"

/* ---------------------------------------------------------------------------------------------
 * Memory: the allocation wrappers log and abort on OOM (systemd restarts the daemon).
 */
void *gw_malloc(size_t n);
void *gw_calloc(size_t nmemb, size_t size);
void *gw_realloc(void *p, size_t n);
char *gw_strdup(const char *s);
char *gw_strndup(const char *s, size_t n);
/* Wipes len bytes (OPENSSL_cleanse) then frees; NULL is a no-op. For keys and passwords. */
void gw_free_secret(void *p, size_t len);
/* Wipes and frees a NUL-terminated secret string; NULL is a no-op. */
void gw_free_secret_str(char *s);
#define GW_FREE(p)                                                                                 \
    do {                                                                                           \
        free(p);                                                                                   \
        (p) = NULL;                                                                                \
    } while (0)
/* Reads a whole regular file of at most max bytes into *out (NUL-terminated, caller frees).
 * Returns: 0, -errno, GW_E_TOOBIG (not a regular file, or larger than max); eb names the path. */
int gw_file_read(const char *path, size_t max, char **out, size_t *len, struct gw_errbuf *eb);
/* Copies src into dst[size] always NUL-terminated. Returns: strlen(src) (truncated if >= size). */
size_t gw_strlcpy(char *dst, const char *src, size_t size);
/* Returns: how many of the n bytes of the UTF-8 text s fit in a buffer of size bytes with its
 * NUL, cut on a character boundary (never inside a multi-byte character): n when all fit. */
size_t gw_utf8_fit(const char *s, size_t n, size_t size);

#endif
