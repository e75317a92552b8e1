/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Error codes to text, the caller-owned error buffer, assertions, allocation wrappers and small
 * string and time helpers that every module uses. Allocation failure logs and aborts: a daemon
 * that cannot allocate a few bytes cannot do anything useful, and systemd restarts it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "gateway/gw.h"

const char *gw_strerror(int err)
{
    switch (err) {
#define GW_ERR_MSG(name, value, msg)                                                               \
    case name:                                                                                     \
        return msg;
        GW_ERRORS(GW_ERR_MSG)
#undef GW_ERR_MSG
    default:
        break;
    }
    if (err < 0 && err > -1000)
        return strerror(-err);
    return "unknown error";
}

const char *gw_err_name(int err)
{
    switch (err) {
#define GW_ERR_NAME(name, value, msg)                                                              \
    case name:                                                                                     \
        return #name;
        GW_ERRORS(GW_ERR_NAME)
#undef GW_ERR_NAME
    default:
        break;
    }
    if (err < 0 && err > -1000) {
        const char *n = strerrorname_np(-err);
        if (n)
            return n;
    }
    return "UNKNOWN";
}

int gw_errbuf_set(struct gw_errbuf *eb, int code, const char *fmt, ...)
{
    if (eb) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(eb->msg, sizeof eb->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void gw__assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "fleetgw: assertion failed: %s (%s:%d)\n", expr, file, line);
    abort();
}

static void oom(size_t n)
{
    fprintf(stderr, "fleetgw: out of memory allocating %zu bytes\n", n);
    abort();
}

void *gw_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *gw_calloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p)
        oom(nmemb * size);
    return p;
}

void *gw_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *gw_strdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        oom(strlen(s) + 1);
    return p;
}

char *gw_strndup(const char *s, size_t n)
{
    char *p = strndup(s, n);
    if (!p)
        oom(n + 1);
    return p;
}

void gw_free_secret(void *p, size_t len)
{
    if (!p)
        return;
    OPENSSL_cleanse(p, len);
    free(p);
}

void gw_free_secret_str(char *s)
{
    if (s)
        gw_free_secret(s, strlen(s));
}

size_t gw_strlcpy(char *dst, const char *src, size_t size)
{
    size_t n = strlen(src);
    if (size) {
        size_t c = n < size - 1 ? n : size - 1;
        memcpy(dst, src, c);
        dst[c] = '\0';
    }
    return n;
}

size_t gw_utf8_fit(const char *s, size_t n, size_t size)
{
    if (size == 0)
        return 0;
    if (n < size)
        return n;
    n = size - 1;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

int64_t gw_now(void)
{
    return (int64_t)time(NULL);
}

char *gw_time_iso(int64_t t, char buf[static 21])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

int gw_file_read(const char *path, size_t max, char **out, size_t *len, struct gw_errbuf *eb)
{
    struct stat st;
    char *buf;
    size_t got = 0;
    int fd, rc;

    *out = NULL;
    *len = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = -errno;
        return gw_errbuf_set(eb, rc, "%s: %s", path, gw_strerror(rc));
    }
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        close(fd);
        return gw_errbuf_set(eb, rc, "%s: %s", path, gw_strerror(rc));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return gw_errbuf_set(eb, GW_E_TOOBIG, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > max) {
        close(fd);
        return gw_errbuf_set(eb, GW_E_TOOBIG, "%s: file is larger than %zu bytes", path, max);
    }
    buf = gw_malloc((size_t)st.st_size + 1);
    /* Read what fstat announced; a file that shrinks meanwhile ends early, one that grows is
     * cut at the announced size. */
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = -errno;
            close(fd);
            free(buf);
            return gw_errbuf_set(eb, rc, "%s: %s", path, gw_strerror(rc));
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    buf[got] = '\0';
    *out = buf;
    *len = got;
    return 0;
}
