/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Logging. Under systemd (JOURNAL_STREAM names our stderr) records go to journald natively with
 * structured fields (PRIORITY, CODE_FILE, CODE_LINE, CODE_FUNC, GW_GROUP); otherwise one line
 * per record on stderr with an ISO timestamp. Debug output is switched per group, and callers
 * that may repeat a message per device go through gw_log_limit().
 *
 * The last GW_LOG_RECENT_LINES records are also kept in memory, whatever the output, so that
 * the web UI can offer the log as a download without reading the journal (the service user
 * may not be allowed to). The ring is behind a mutex because work on libuv's thread pool logs
 * too; it costs one allocation per record, bounded by the line length.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <systemd/sd-journal.h>

#include "gateway/gw.h"

static const char *const group_names[GW_LOG_NGROUPS] = {
    "gw", "cfg", "db", "disc", "snmp", "soap", "up", "ui", "audit",
};

static int log_level = LOG_INFO;
static unsigned debug_mask;
static bool use_journal;
static const char *log_ident = "fleetgw";

/* JOURNAL_STREAM is "dev:ino" of the stream systemd connected; it only counts when it is still
 * our stderr (a child of a service may have stderr redirected elsewhere). */
static bool stderr_is_journal(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    struct stat st;
    unsigned long long dev, ino;
    if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
        return false;
    if (fstat(2, &st) < 0)
        return false;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void gw_log_init(const char *ident)
{
    if (ident)
        log_ident = ident;
    use_journal = stderr_is_journal();
}

void gw_log_set_level(int prio)
{
    log_level = prio;
}

const char *gw_log_group_name(enum gw_log_group g)
{
    return (unsigned)g < GW_LOG_NGROUPS ? group_names[g] : "?";
}

int gw_log_set_debug(const char *groups, struct gw_errbuf *eb)
{
    unsigned mask = 0;
    char tmp[256];
    char *save = NULL;
    if (!groups || !*groups) {
        debug_mask = 0;
        return 0;
    }
    if (gw_strlcpy(tmp, groups, sizeof tmp) >= sizeof tmp)
        return gw_errbuf_set(eb, GW_E_INVAL, "debug group list too long");
    for (char *tok = strtok_r(tmp, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        int found = -1;
        if (strcasecmp(tok, "all") == 0) {
            mask = ~0u;
            continue;
        }
        for (int i = 0; i < GW_LOG_NGROUPS; i++)
            if (strcasecmp(tok, group_names[i]) == 0)
                found = i;
        if (found < 0)
            return gw_errbuf_set(eb, GW_E_INVAL,
                                 "unknown log group '%s' (known: gw cfg db disc snmp soap up ui "
                                 "audit all)",
                                 tok);
        mask |= 1u << found;
    }
    debug_mask = mask;
    return 0;
}

bool gw_log_enabled(int prio, enum gw_log_group g)
{
    if (prio <= log_level)
        return true;
    return prio == LOG_DEBUG && (debug_mask & (1u << g));
}

static const char *prio_name(int prio)
{
    static const char *const names[] = {"emerg", "alert",  "crit", "err",
                                        "warn",  "notice", "info", "debug"};
    return prio >= 0 && prio <= 7 ? names[prio] : "?";
}

static pthread_mutex_t recent_lock = PTHREAD_MUTEX_INITIALIZER;
static char *recent[GW_LOG_RECENT_LINES];
static size_t recent_next, recent_count;

static void recent_add(const char *when, int prio, enum gw_log_group g, const char *msg)
{
    char *line = NULL;
    if (asprintf(&line, "%s %s %s: %s\n", when, prio_name(prio), gw_log_group_name(g), msg) < 0)
        return; /* the record still went to its output; the copy is best effort */
    pthread_mutex_lock(&recent_lock);
    free(recent[recent_next]);
    recent[recent_next] = line;
    recent_next = (recent_next + 1) % GW_LOG_RECENT_LINES;
    if (recent_count < GW_LOG_RECENT_LINES)
        recent_count++;
    pthread_mutex_unlock(&recent_lock);
}

char *gw_log_recent(size_t *len)
{
    size_t total = 0, start, i;
    char *out, *p;
    pthread_mutex_lock(&recent_lock);
    start = (recent_next + GW_LOG_RECENT_LINES - recent_count) % GW_LOG_RECENT_LINES;
    for (i = 0; i < recent_count; i++)
        total += strlen(recent[(start + i) % GW_LOG_RECENT_LINES]);
    out = p = gw_malloc(total + 1);
    for (i = 0; i < recent_count; i++) {
        const char *l = recent[(start + i) % GW_LOG_RECENT_LINES];
        size_t n = strlen(l);
        memcpy(p, l, n);
        p += n;
    }
    *p = '\0';
    pthread_mutex_unlock(&recent_lock);
    *len = total;
    return out;
}

void gw__log(int prio, enum gw_log_group g, int err, const char *file, int line, const char *func,
             const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (err && (size_t)n < sizeof msg)
        snprintf(msg + n, sizeof msg - (size_t)n, " err=\"%s\"", gw_strerror(err));
    struct timespec ts;
    struct tm tm;
    char when[64], stamp[32];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when, sizeof when, "%s.%03dZ", stamp, (int)(ts.tv_nsec / 1000000L % 1000));
    recent_add(when, prio, g, msg);
    if (use_journal) {
        char cfile[256], cline[32];
        snprintf(cfile, sizeof cfile, "CODE_FILE=%s", file);
        snprintf(cline, sizeof cline, "CODE_LINE=%d", line);
        sd_journal_send_with_location(cfile, cline, func, "MESSAGE=%s", msg, "PRIORITY=%d", prio,
                                      "GW_GROUP=%s", gw_log_group_name(g), "SYSLOG_IDENTIFIER=%s",
                                      log_ident, NULL);
        return;
    }
    fprintf(stderr, "%s %s %s: %s\n", when, prio_name(prio), gw_log_group_name(g), msg);
}

bool gw_log_limit(struct gw_log_limit *lim, uint64_t now_ms, unsigned *suppressed)
{
    if (lim->last_ms && now_ms - lim->last_ms < lim->interval_ms) {
        lim->suppressed++;
        return false;
    }
    if (suppressed)
        *suppressed = lim->suppressed;
    lim->suppressed = 0;
    lim->last_ms = now_ms ? now_ms : 1;
    return true;
}
