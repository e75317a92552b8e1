/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The configuration file: one strict INI file, described by one option table (gw_opts below)
 * that holds every key, type, default, range and flag. Parsing, defaults, `fleetgw -T`, the
 * restart check and the man page test all read that table, so an option exists in exactly one
 * place.
 *
 * libinih splits lines into sections and key/value pairs. Debian builds it with
 * INI_HANDLER_LINENO=0 (the handler is not told the line) and a fixed 200-byte line buffer that
 * silently splits longer lines. So the text is fed through our own reader: it counts lines,
 * refuses over-long lines and control characters, strips leading whitespace (which inih would
 * otherwise read as a multi-line continuation of the previous value), and checks section and
 * syntax per line. The reader stops at the first error, so the error reported is always the
 * first one in the file, and inih's handler sees lines in step with our count.
 *
 * Errors read "file:line: section.key: reason", the form chrony and Mosquitto use, which
 * editors can jump to.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "gateway/gw_int.h"

#ifndef FLEETGW_DATADIR
#define FLEETGW_DATADIR "/usr/local/share/fleetgw"
#endif
/* Where configure ran: a binary run from its build tree finds its data in the source tree. */
#ifndef FLEETGW_TOP_SRCDIR
#define FLEETGW_TOP_SRCDIR ""
#endif
#ifndef FLEETGW_TOP_BUILDDIR
#define FLEETGW_TOP_BUILDDIR ""
#endif

/* inih's buffer must hold the line plus "\r\n\0" (ini.h). */
#define CFG_MAX_LINE (INI_MAX_LINE - 3)
/* A configuration file is a few hundred bytes; anything this large is a wrong path. */
#define CFG_MAX_FILE (1024 * 1024)

/* Enum options store syslog-style numbers: the stored value is min + the index of the name in
 * enum_values, so log_level "err" is LOG_ERR (3) and "debug" is LOG_DEBUG (7). */
static const char *const log_levels[] = {"err", "warning", "notice", "info", "debug", NULL};
static const char *const schedules[] = {"table5", "fixed", NULL};
static const char *const anonymize_modes[] = {"from-init", "yes", "no", NULL};

#define R GW_OPT_RELOADABLE
#define GW_CFG_OPTIONS(X)                                                                          \
    X("gateway", "state_dir", GW_OPT_PATH, "/var/lib/fleetgw", 0, 0, 0, NULL, state_dir,           \
      "directory holding the database, the secrets key and the control socket")                    \
    X("gateway", "key_file", GW_OPT_PATH, "", 0, 0, 0, NULL, key_file,                             \
      "AES-256 key that seals stored secrets; empty means <state_dir>/secrets.key")                \
    X("gateway", "log_level", GW_OPT_ENUM, "info", LOG_ERR, LOG_DEBUG, R, log_levels, log_level,   \
      "lowest priority that is logged")                                                            \
    X("gateway", "log_debug", GW_OPT_STRING, "", 0, 0, R, NULL, log_debug,                         \
      "groups whose debug messages are logged: gw, cfg, db, disc, snmp, soap, up, ui, audit or "   \
      "all, separated by commas")                                                                  \
    X("gateway", "control_socket", GW_OPT_PATH, "", 0, 0, 0, NULL, control_socket,                 \
      "Unix socket for fleetgw subcommands; empty means <state_dir>/control.sock")                 \
    X("snmp", "timeout", GW_OPT_DURATION, "2s", 100, 60000, R | GW_OPT_MILLIS, NULL,               \
      snmp_timeout_ms, "time to wait for an answer before a retry")                                \
    X("snmp", "retries", GW_OPT_INT, "1", 0, 10, R, NULL, snmp_retries, "retries after a timeout") \
    X("snmp", "max_in_flight", GW_OPT_INT, "200", 1, 10000, R, NULL, snmp_max_in_flight,           \
      "devices polled at the same time")                                                           \
    X("snmp", "max_repetitions", GW_OPT_INT, "20", 1, 100, R, NULL, snmp_max_repetitions,          \
      "rows asked for per GETBULK request")                                                        \
    X("snmp", "catalogue", GW_OPT_PATH, "", 0, 0, R, NULL, snmp_catalogue,                         \
      "vendor counter catalogue; empty means counters.catalogue in the data directory")            \
    X("poll", "schedule", GW_OPT_ENUM, "table5", GW_SCHEDULE_TABLE5, GW_SCHEDULE_FIXED, R,         \
      schedules, poll_schedule,                                                                    \
      "table5: intervals by fleet size and priority; fixed: interval and alert_interval for all")  \
    X("poll", "interval", GW_OPT_DURATION, "300s", 10, 86400, R, NULL, poll_interval_s,            \
      "with schedule = fixed: time between full polls of a device")                                \
    X("poll", "alert_interval", GW_OPT_DURATION, "60s", 10, 86400, R, NULL, poll_alert_interval_s, \
      "with schedule = fixed: time between status and alert polls of a device")                    \
    X("poll", "retention_days", GW_OPT_INT, "90", 1, 3650, R, NULL, poll_retention_days,           \
      "days of counter history, events and cleared alerts kept in the database")                   \
    X("webui", "enabled", GW_OPT_BOOL, "yes", 0, 1, 0, NULL, webui_enabled,                        \
      "serve the web UI and its JSON API over HTTPS")                                              \
    X("webui", "port", GW_OPT_INT, "9797", 1, 65535, 0, NULL, webui_port, "HTTPS port")            \
    X("webui", "listen", GW_OPT_STRING, "", 0, 0, 0, NULL, webui_listen,                           \
      "address to listen on; empty means every IPv4 and IPv6 address")                             \
    X("webui", "tls_cert", GW_OPT_PATH, "", 0, 0, 0, NULL, webui_tls_cert,                         \
      "PEM certificate; empty means <state_dir>/webui.crt, generated when missing")                \
    X("webui", "tls_key", GW_OPT_PATH, "", 0, 0, 0, NULL, webui_tls_key,                           \
      "PEM private key; empty means <state_dir>/webui.key, generated when missing")                \
    X("webui", "www_dir", GW_OPT_PATH, "", 0, 0, 0, NULL, webui_www_dir,                           \
      "static pages; empty means www in the data directory")                                       \
    X("webui", "session_idle_timeout", GW_OPT_DURATION, "10m", 1, 86400, R, NULL,                  \
      webui_session_idle_s, "a session unused this long ends")                                     \
    X("webui", "session_lifetime", GW_OPT_DURATION, "12h", 1, 86400, R, NULL,                      \
      webui_session_lifetime_s, "a session ends this long after login, used or not")               \
    X("webui", "names", GW_OPT_STRING, "", 0, 0, R, NULL, webui_names,                             \
      "extra host names (comma-separated) accepted in the Host header besides the host's own")     \
    X("uplink", "counters_per_day", GW_OPT_INT, "1", 1, 4, R, NULL, up_counters_per_day,           \
      "counter and supply uploads a day, at a time spread per gateway")                            \
    X("uplink", "force_interval", GW_OPT_DURATION, "0s", 0, 86400, R, NULL, up_force_interval_s,   \
      "tests and benchmarks: upload counters, logs and gateway state this often; 0 = off")         \
    X("uplink", "alert_delay", GW_OPT_DURATION, "2s", 0, 10, R, NULL, up_alert_delay_s,            \
      "alerts and device events are batched for at most this long")                                \
    X("uplink", "keepalive", GW_OPT_DURATION, "240s", 5, 3600, 0, NULL, up_keepalive_s,            \
      "MQTT keep-alive in Manage mode")                                                            \
    X("uplink", "backoff_max", GW_OPT_DURATION, "5m", 1, 3600, R, NULL, up_backoff_max_s,          \
      "longest wait between two reconnect or upload attempts")                                     \
    X("uplink", "outbox_max_age", GW_OPT_DURATION, "7d", 60, 2592000, R, NULL,                     \
      up_outbox_max_age_s, "older outbox messages are evicted and counted")                        \
    X("uplink", "outbox_max_bytes", GW_OPT_INT, "268435456", 4096, 2147483647, R, NULL,            \
      up_outbox_max_bytes, "outbox size bound; the oldest messages are evicted first")             \
    X("uplink", "max_in_flight", GW_OPT_INT, "20", 1, 1000, R, NULL, up_max_in_flight,             \
      "messages sent and not yet acknowledged")                                                    \
    X("uplink", "ca_file", GW_OPT_PATH, "", 0, 0, R, NULL, up_ca_file,                             \
      "CA certificates for the cloud's HTTPS API; empty means the system's")                       \
    X("uplink", "proxy", GW_OPT_STRING, "", 0, 0, R, NULL, up_proxy,                               \
      "HTTP proxy (http://host:port) for the HTTPS API; empty means direct")                       \
    X("uplink", "proxy_user", GW_OPT_STRING, "", 0, 0, R, NULL, up_proxy_user,                     \
      "user name for the proxy's basic authentication; the password is in the vault")              \
    X("uplink", "anonymize", GW_OPT_ENUM, "from-init", 0, 2, 0, anonymize_modes, up_anonymize,     \
      "from-init: as fleetgw init chose; yes or no are checked against it, never change it")

#define FIELD_SIZE(f) sizeof(((struct gw_cfg *)0)->f)
#define OPT_ENTRY(sec, k, type, def, min, max, flags, ev, field, help)                             \
    {sec, k, type, def, min, max, flags, ev, offsetof(struct gw_cfg, field), FIELD_SIZE(field),    \
     help},
#define OPT_NAME(sec, k, type, def, min, max, flags, ev, field, help) sec "." k,

static const struct gw_opt gw_opts[] = {GW_CFG_OPTIONS(OPT_ENTRY)};
/* "section.key" for messages and gw_cfg_needs_restart(), which hands out a stable pointer. */
static const char *const gw_opt_names[] = {GW_CFG_OPTIONS(OPT_NAME)};
#undef R

#define N_OPTS (sizeof gw_opts / sizeof gw_opts[0])

static const char *const sections[] = {"gateway", "snmp", "poll", "webui", "uplink"};
#define N_SECTIONS (sizeof sections / sizeof sections[0])

const struct gw_opt *gw_cfg_options(size_t *n)
{
    *n = N_OPTS;
    return gw_opts;
}

/* ---------------------------------------------------------------------------------------------
 * Values
 */

static void *field(struct gw_cfg *cfg, const struct gw_opt *o)
{
    return (char *)cfg + o->offset;
}

static const void *cfield(const struct gw_cfg *cfg, const struct gw_opt *o)
{
    return (const char *)cfg + o->offset;
}

static void set_number(struct gw_cfg *cfg, const struct gw_opt *o, long long v)
{
    void *p = field(cfg, o);
    if (o->size == sizeof(int))
        *(int *)p = (int)v;
    else if (o->size == sizeof(bool))
        *(bool *)p = v != 0;
    else
        *(long long *)p = v;
}

static long long get_number(const struct gw_cfg *cfg, const struct gw_opt *o)
{
    const void *p = cfield(cfg, o);
    if (o->size == sizeof(int))
        return *(const int *)p;
    if (o->size == sizeof(bool))
        return *(const bool *)p;
    return *(const long long *)p;
}

/* Parses a non-negative decimal integer with nothing after it. Returns: 0, -ERANGE, -EINVAL. */
static int parse_uint(const char *s, const char **end, long long *out)
{
    long long v = 0;
    const char *p = s;
    if (!isdigit((unsigned char)*p))
        return -EINVAL;
    for (; isdigit((unsigned char)*p); p++) {
        int d = *p - '0';
        if (v > (LLONG_MAX - d) / 10)
            return -ERANGE;
        v = v * 10 + d;
    }
    *end = p;
    *out = v;
    return 0;
}

static int parse_int(const char *s, long long *out)
{
    const char *end;
    bool neg = *s == '-';
    int rc = parse_uint(neg ? s + 1 : s, &end, out);
    if (rc < 0)
        return rc;
    if (*end)
        return -EINVAL;
    if (neg)
        *out = -*out;
    return 0;
}

/* "30" (seconds), "30s", "5m", "1h", "1d", "250ms" into milliseconds. */
static int parse_duration_ms(const char *s, long long *ms)
{
    static const struct {
        const char *suffix;
        long long mult;
    } units[] = {{"", 1000}, {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}};
    const char *end;
    long long n;
    int rc = parse_uint(s, &end, &n);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].suffix) != 0)
            continue;
        if (n > LLONG_MAX / units[i].mult)
            return -ERANGE;
        *ms = n * units[i].mult;
        return 0;
    }
    return -EINVAL;
}

/* Formats a duration in the largest unit that divides it, as the man page and -T show it. */
static void format_duration(long long v, bool millis, char *buf, size_t len)
{
    static const struct {
        const char *suffix;
        long long ms;
    } units[] = {{"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}};
    long long ms = millis ? v : v * 1000;
    if (ms != 0) {
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            if (ms % units[i].ms == 0) {
                snprintf(buf, len, "%lld%s", ms / units[i].ms, units[i].suffix);
                return;
            }
        }
        snprintf(buf, len, "%lldms", ms);
        return;
    }
    snprintf(buf, len, "0s");
}

static void format_range(const struct gw_opt *o, char *buf, size_t len)
{
    char a[32], b[32];
    if (o->type == GW_OPT_DURATION) {
        format_duration(o->min, o->flags & GW_OPT_MILLIS, a, sizeof a);
        format_duration(o->max, o->flags & GW_OPT_MILLIS, b, sizeof b);
        snprintf(buf, len, "%s..%s", a, b);
    } else {
        snprintf(buf, len, "%lld..%lld", o->min, o->max);
    }
}

static int parse_bool(const char *s, long long *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -EINVAL;
}

/* The same group list gw_log_set_debug() accepts, checked without touching the logger: a
 * config that fails to load must not have changed what is being logged. */
static int check_debug_groups(const char *s, char *why, size_t whylen)
{
    const char *p = s;
    while (*p) {
        size_t n;
        bool known = false;
        p += strspn(p, ", ");
        n = strcspn(p, ", ");
        if (n == 0)
            break;
        if (n == 3 && strncasecmp(p, "all", 3) == 0)
            known = true;
        for (int g = 0; g < GW_LOG_NGROUPS && !known; g++) {
            const char *name = gw_log_group_name((enum gw_log_group)g);
            if (strlen(name) == n && strncasecmp(p, name, n) == 0)
                known = true;
        }
        if (!known) {
            snprintf(why, whylen,
                     "unknown log group '%.*s' (known: gw, cfg, db, disc, snmp, soap, up, ui, "
                     "audit, all)",
                     (int)(n > 32 ? 32 : n), p);
            return -EINVAL;
        }
        p += n;
    }
    return 0;
}

/* Parses val for option o into cfg. Returns: 0, or -EINVAL with the reason in why. */
static int set_value(struct gw_cfg *cfg, const struct gw_opt *o, const char *val, char *why,
                     size_t whylen)
{
    long long v = 0, ms = 0;
    size_t len = strlen(val);
    char range[80];
    int rc;
    switch (o->type) {
    case GW_OPT_STRING:
    case GW_OPT_PATH:
        if (len >= o->size) {
            snprintf(why, whylen, "value is longer than %zu characters", o->size - 1);
            return -EINVAL;
        }
        if (o->type == GW_OPT_PATH && len == 0 && o->def[0]) {
            snprintf(why, whylen, "a path is required");
            return -EINVAL;
        }
        if (o->offset == offsetof(struct gw_cfg, log_debug) &&
            check_debug_groups(val, why, whylen) < 0)
            return -EINVAL;
        memcpy(field(cfg, o), val, len + 1);
        return 0;
    case GW_OPT_ENUM:
        for (size_t i = 0; o->enum_values[i]; i++) {
            if (strcmp(val, o->enum_values[i]) == 0) {
                set_number(cfg, o, o->min + (long long)i);
                return 0;
            }
        }
        {
            /* List the allowed names; there are few and they fit the message. */
            size_t off = (size_t)snprintf(why, whylen, "'%.40s' is not one of ", val);
            for (size_t i = 0; o->enum_values[i] && off < whylen; i++)
                off += (size_t)snprintf(why + off, whylen - off, "%s%s", i ? ", " : "",
                                        o->enum_values[i]);
        }
        return -EINVAL;
    case GW_OPT_BOOL:
        if (parse_bool(val, &v) < 0) {
            snprintf(why, whylen, "'%.40s' is not a boolean (use yes or no)", val);
            return -EINVAL;
        }
        set_number(cfg, o, v);
        return 0;
    case GW_OPT_INT:
        if (len == 0) {
            snprintf(why, whylen, "missing value");
            return -EINVAL;
        }
        rc = parse_int(val, &v);
        if (rc == -EINVAL) {
            snprintf(why, whylen, "'%.40s' is not an integer", val);
            return -EINVAL;
        }
        if (rc == -ERANGE || v < o->min || v > o->max) {
            format_range(o, range, sizeof range);
            snprintf(why, whylen, "%.40s is out of range %s", val, range);
            return -EINVAL;
        }
        set_number(cfg, o, v);
        return 0;
    case GW_OPT_DURATION:
        if (len == 0) {
            snprintf(why, whylen, "missing value");
            return -EINVAL;
        }
        rc = parse_duration_ms(val, &ms);
        if (rc == -EINVAL) {
            snprintf(why, whylen, "'%.40s' is not a duration (use e.g. 30s, 5m, 1h, 1d, 250ms)",
                     val);
            return -EINVAL;
        }
        if (rc == 0 && !(o->flags & GW_OPT_MILLIS) && ms % 1000 != 0) {
            snprintf(why, whylen, "%.40s is not a whole number of seconds", val);
            return -EINVAL;
        }
        v = o->flags & GW_OPT_MILLIS ? ms : ms / 1000;
        if (rc == -ERANGE || v < o->min || v > o->max) {
            format_range(o, range, sizeof range);
            snprintf(why, whylen, "%.40s is out of range %s", val, range);
            return -EINVAL;
        }
        set_number(cfg, o, v);
        return 0;
    }
    snprintf(why, whylen, "option has an unknown type");
    return -EINVAL;
}

void gw_cfg_defaults(struct gw_cfg *cfg)
{
    char why[128];
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < N_OPTS; i++) {
        int rc = set_value(cfg, &gw_opts[i], gw_opts[i].def, why, sizeof why);
        /* A default that does not parse is a bug in the table, caught by any test run. */
        GW_ASSERT(rc == 0);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Parsing
 */

struct parse_ctx {
    const char *name;
    const char *text;
    size_t len, pos;
    int lineno;
    bool failed;
    int set_line[N_OPTS]; /* line where each option was set, 0 if not */
    struct gw_cfg *cfg;
    struct gw_errbuf *eb;
};

static bool fail(struct parse_ctx *c, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records the first error as "name:line: what: reason". Returns: false, for the handler. */
static bool fail(struct parse_ctx *c, const char *what, const char *fmt, ...)
{
    char reason[200];
    va_list ap;
    if (c->failed)
        return false;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    c->failed = true;
    gw_errbuf_set(c->eb, GW_E_CONFIG, "%s:%d: %s: %s", c->name, c->lineno, what, reason);
    return false;
}

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Checks one "[section]" line (already without leading blanks). */
static bool check_section(struct parse_ctx *c, const char *s, size_t n)
{
    const char *close = memchr(s, ']', n);
    const char *rest;
    size_t namelen;
    if (!close)
        return fail(c, "syntax error", "missing ']' in section header");
    namelen = (size_t)(close - s - 1);
    for (rest = close + 1; rest < s + n && is_blank(*rest); rest++)
        ;
    if (rest < s + n && *rest != ';' && *rest != '#')
        return fail(c, "syntax error", "unexpected text after ']'");
    for (size_t i = 0; i < N_SECTIONS; i++)
        if (strlen(sections[i]) == namelen && memcmp(sections[i], s + 1, namelen) == 0)
            return true;
    {
        char what[48];
        snprintf(what, sizeof what, "[%.*s]", (int)(namelen > 40 ? 40 : namelen), s + 1);
        return fail(c, what, "unknown section (known: gateway, snmp, poll, webui)");
    }
}

/* Checks a "key = value" line the way inih will split it: the first '=' or ':' before an
 * inline comment (';' after a blank) separates the key. */
static bool check_pair(struct parse_ctx *c, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ';' && i > 0 && is_blank(s[i - 1]))
            break;
        if (s[i] == '=' || s[i] == ':') {
            size_t k = i;
            while (k > 0 && is_blank(s[k - 1]))
                k--;
            if (k == 0)
                return fail(c, "syntax error", "missing option name before '%c'", s[i]);
            return true;
        }
    }
    return fail(c, "syntax error", "expected 'key = value', '[section]' or a comment");
}

/* fgets-style reader for ini_parse_stream(): hands inih one checked line per call. */
static char *reader(char *str, int num, void *stream)
{
    struct parse_ctx *c = stream;
    const char *line, *nl;
    size_t n, out;
    if (c->failed || c->pos >= c->len)
        return NULL;
    c->lineno++;
    line = c->text + c->pos;
    nl = memchr(line, '\n', c->len - c->pos);
    n = nl ? (size_t)(nl - line) : c->len - c->pos;
    c->pos += n + (nl ? 1 : 0);
    if (n > 0 && line[n - 1] == '\r')
        n--;
    if (n > CFG_MAX_LINE) {
        fail(c, "syntax error", "line is longer than %d characters", CFG_MAX_LINE);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)line[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
            fail(c, "syntax error", "control character 0x%02x in line", ch);
            return NULL;
        }
    }
    if (c->lineno == 1 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
        line += 3;
        n -= 3;
    }
    while (n > 0 && is_blank(*line)) {
        line++;
        n--;
    }
    if (n == 0 || *line == ';' || *line == '#') {
        /* inih skips these too; an empty line keeps its line count in step with ours. */
        n = 0;
    } else if (*line == '[') {
        if (!check_section(c, line, n))
            return NULL;
    } else if (!check_pair(c, line, n)) {
        return NULL;
    }
    if (num < 2 || n > (size_t)num - 2) {
        fail(c, "syntax error", "line is longer than %d characters", num - 2);
        return NULL;
    }
    out = n;
    memcpy(str, line, out);
    str[out++] = '\n';
    str[out] = '\0';
    return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    struct parse_ctx *c = user;
    char what[96], why[200];
    if (!*section)
        return fail(c, name, "option outside of any [section]");
    snprintf(what, sizeof what, "%s.%.60s", section, name);
    for (size_t i = 0; i < N_OPTS; i++) {
        const struct gw_opt *o = &gw_opts[i];
        if (strcmp(o->section, section) != 0 || strcmp(o->key, name) != 0)
            continue;
        if (c->set_line[i])
            return fail(c, what, "duplicate option (first set on line %d)", c->set_line[i]);
        /* inih keeps "key =;x" as ";x" but reads "key = ;x" as a comment; refusing the first
         * keeps a value's meaning independent of blanks (and -T output parseable). */
        if (value[0] == ';')
            return fail(c, what, "a value may not start with ';'");
        if (set_value(c->cfg, o, value, why, sizeof why) < 0)
            return fail(c, what, "%s", why);
        c->set_line[i] = c->lineno;
        if (o->offset == offsetof(struct gw_cfg, snmp_catalogue))
            c->cfg->snmp_catalogue_line = c->lineno;
        return 1;
    }
    return fail(c, what, "unknown option");
}

int gw_cfg_parse(const char *text, size_t len, const char *name, struct gw_cfg *cfg,
                 struct gw_errbuf *eb)
{
    struct parse_ctx c = {0};
    /* Parse into a copy: a failed reload must leave the running configuration untouched. */
    struct gw_cfg *tmp = gw_malloc(sizeof *tmp);
    int rc;
    gw_cfg_defaults(tmp);
    c.name = name ? name : "<config>";
    c.text = text;
    c.len = len;
    c.cfg = tmp;
    c.eb = eb;
    rc = ini_parse_stream(reader, &c, handler, &c);
    if (!c.failed && rc != 0) {
        /* Only reached if inih refuses a line our reader passed; keep its line number. */
        c.lineno = rc > 0 ? rc : c.lineno;
        fail(&c, "syntax error", "line not understood");
    }
    if (c.failed) {
        free(tmp);
        return GW_E_CONFIG;
    }
    gw_strlcpy(tmp->path, name ? name : "", sizeof tmp->path);
    *cfg = *tmp;
    free(tmp);
    return 0;
}

int gw_cfg_load(const char *path, struct gw_cfg *cfg, struct gw_errbuf *eb)
{
    char *buf;
    size_t len;
    int rc = gw_file_read(path, CFG_MAX_FILE, &buf, &len, eb);
    if (rc == GW_E_TOOBIG)
        return GW_E_CONFIG;
    if (rc < 0)
        return rc;
    rc = gw_cfg_parse(buf, len, path, cfg, eb);
    free(buf);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Output and derived values
 */

static void format_value(const struct gw_cfg *cfg, const struct gw_opt *o, char *buf, size_t len)
{
    long long v;
    if (o->flags & GW_OPT_SECRET) {
        gw_strlcpy(buf, "<redacted>", len);
        return;
    }
    switch (o->type) {
    case GW_OPT_STRING:
    case GW_OPT_PATH:
        gw_strlcpy(buf, cfield(cfg, o), len);
        /* Show the path that is actually used, not the empty "derived" marker. */
        if (buf[0])
            return;
        if (o->offset == offsetof(struct gw_cfg, key_file))
            gw_cfg_key_file(cfg, buf, len);
        else if (o->offset == offsetof(struct gw_cfg, control_socket))
            gw_cfg_control_socket(cfg, buf, len);
        else if (o->offset == offsetof(struct gw_cfg, snmp_catalogue))
            gw_cfg_catalogue(cfg, buf, len);
        else if (o->offset == offsetof(struct gw_cfg, webui_tls_cert))
            gw_cfg_webui_cert(cfg, buf, len);
        else if (o->offset == offsetof(struct gw_cfg, webui_tls_key))
            gw_cfg_webui_key(cfg, buf, len);
        else if (o->offset == offsetof(struct gw_cfg, webui_www_dir))
            gw_cfg_webui_www(cfg, buf, len);
        return;
    case GW_OPT_ENUM:
        v = get_number(cfg, o) - o->min;
        gw_strlcpy(buf, v >= 0 && v <= o->max - o->min ? o->enum_values[v] : "?", len);
        return;
    case GW_OPT_BOOL:
        gw_strlcpy(buf, get_number(cfg, o) ? "yes" : "no", len);
        return;
    case GW_OPT_INT:
        snprintf(buf, len, "%lld", get_number(cfg, o));
        return;
    case GW_OPT_DURATION:
        format_duration(get_number(cfg, o), o->flags & GW_OPT_MILLIS, buf, len);
        return;
    }
    gw_strlcpy(buf, "?", len);
}

void gw_cfg_dump(const struct gw_cfg *cfg, FILE *out)
{
    const char *section = NULL;
    char buf[1024];
    fprintf(out, "# fleetgw configuration%s%s: effective values, defaults included\n",
            cfg->path[0] ? " from " : " (built-in defaults)", cfg->path);
    for (size_t i = 0; i < N_OPTS; i++) {
        const struct gw_opt *o = &gw_opts[i];
        if (!section || strcmp(section, o->section) != 0) {
            fprintf(out, "%s[%s]\n", section ? "\n" : "", o->section);
            section = o->section;
        }
        format_value(cfg, o, buf, sizeof buf);
        fprintf(out, "%s =%s%s\n", o->key, buf[0] ? " " : "", buf);
    }
}

bool gw_cfg_needs_restart(const struct gw_cfg *a, const struct gw_cfg *b, const char **key)
{
    for (size_t i = 0; i < N_OPTS; i++) {
        const struct gw_opt *o = &gw_opts[i];
        bool differs;
        if (o->flags & GW_OPT_RELOADABLE)
            continue;
        if (o->type == GW_OPT_STRING || o->type == GW_OPT_PATH)
            differs = strcmp(cfield(a, o), cfield(b, o)) != 0;
        else
            differs = get_number(a, o) != get_number(b, o);
        if (differs) {
            if (key)
                *key = gw_opt_names[i];
            return true;
        }
    }
    if (key)
        *key = NULL;
    return false;
}

/* Writes "<dir>/<file>" into buf. Returns: buf, or NULL (buf "") when it does not fit. */
static const char *join(const char *dir, const char *file, char *buf, size_t len)
{
    size_t dl = strlen(dir), fl = strlen(file);
    if (dl + 1 + fl >= len) {
        if (len)
            buf[0] = '\0';
        return NULL;
    }
    memcpy(buf, dir, dl);
    buf[dl] = '/';
    memcpy(buf + dl + 1, file, fl + 1);
    return buf;
}

static const char *copy_path(const char *path, char *buf, size_t len)
{
    if (gw_strlcpy(buf, path, len) >= len) {
        if (len)
            buf[0] = '\0';
        return NULL;
    }
    return buf;
}

/* A path option when set, else file in dir: the rule of every derived path. */
static const char *path_or(const char *opt, const char *dir, const char *file, char *buf,
                           size_t len)
{
    return opt[0] ? copy_path(opt, buf, len) : join(dir, file, buf, len);
}

/* True when this process is a binary of the build tree configure ran in (fleetgw or a test
 * program there), not an installed copy: /proc/self/exe lies under that build directory. */
static bool in_build_tree(void)
{
    char exe[PATH_MAX];
    char *top;
    ssize_t n;
    size_t tl;
    bool in;

    if (!FLEETGW_TOP_BUILDDIR[0] || !FLEETGW_TOP_SRCDIR[0])
        return false;
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    /* The kernel's path is resolved, so compare with the resolved build directory. */
    top = realpath(FLEETGW_TOP_BUILDDIR, NULL);
    if (!top)
        return false;
    tl = strlen(top);
    in = strncmp(exe, top, tl) == 0 && exe[tl] == '/';
    free(top);
    return in;
}

/* A data file's path when its option is empty, by one rule for every data file:
 *   1. $FLEETGW_DATADIR/<file> when that variable is set (tests, the demo);
 *   2. <source tree>/<srcpath> when the binary runs from its build tree and that exists;
 *   3. <pkgdatadir>/<file>, where make install puts it. */
static const char *data_path(const char *opt, const char *file, const char *srcpath, char *buf,
                             size_t len)
{
    const char *env = getenv("FLEETGW_DATADIR");
    char src[PATH_MAX];

    if (opt[0])
        return copy_path(opt, buf, len);
    if (env && *env)
        return join(env, file, buf, len);
    if (in_build_tree() && join(FLEETGW_TOP_SRCDIR, srcpath, src, sizeof src)) {
        /* Resolved, so that -T and messages show ".../snmp/x", not ".../build/../snmp/x". */
        char *real = realpath(src, NULL);
        if (real) {
            const char *r = copy_path(real, buf, len);
            free(real);
            return r;
        }
    }
    return join(FLEETGW_DATADIR, file, buf, len);
}

const char *gw_cfg_key_file(const struct gw_cfg *cfg, char *buf, size_t len)
{
    return path_or(cfg->key_file, cfg->state_dir, "secrets.key", buf, len);
}

const char *gw_cfg_control_socket(const struct gw_cfg *cfg, char *buf, size_t len)
{
    return path_or(cfg->control_socket, cfg->state_dir, "control.sock", buf, len);
}

const char *gw_cfg_db_file(const struct gw_cfg *cfg, char *buf, size_t len)
{
    return path_or("", cfg->state_dir, "fleetgw.db", buf, len);
}

const char *gw_cfg_catalogue(const struct gw_cfg *cfg, char *buf, size_t len)
{
    return data_path(cfg->snmp_catalogue, "counters.catalogue", "snmp/counters.catalogue", buf,
                     len);
}

const char *gw_cfg_webui_cert(const struct gw_cfg *cfg, char *buf, size_t len)
{
    return path_or(cfg->webui_tls_cert, cfg->state_dir, "webui.crt", buf, len);
}

const char *gw_cfg_webui_key(const struct gw_cfg *cfg, char *buf, size_t len)
{
    return path_or(cfg->webui_tls_key, cfg->state_dir, "webui.key", buf, len);
}

const char *gw_cfg_webui_www(const struct gw_cfg *cfg, char *buf, size_t len)
{
    return data_path(cfg->webui_www_dir, "www", "webui/www", buf, len);
}
