/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The control socket: a UNIX stream socket (--control PATH) on which tests and the demo script
 * change devices while they are being polled. The protocol is text, one command per line and
 * one reply line per command, "ok ..." or "error ..."; the only exception is "list", whose
 * first line says how many device lines follow. README.md documents every command.
 *
 * Commands run on the loop thread between packets, so a reply reflects a state that the very
 * next SNMP request already sees: a test can send "jam 3" and GET the error state right after
 * the "ok" without sleeping. Lines longer than CTL_LINE_MAX are refused, not truncated.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/fleetsim/fleetsim.h"

#define CTL_LINE_MAX 512
#define CTL_ARGS     6

struct conn {
    uv_pipe_t h;
    struct t_ctl *ctl;
    char line[CTL_LINE_MAX + 1];
    size_t len;
    bool overlong;
    struct conn *prev, *next;
};

struct t_ctl {
    uv_pipe_t srv;
    struct t_sim *sim;
    char *path;
    struct conn *conns;
};

/* ---------------------------------------------------------------------------------------------
 * Replies
 */
struct sb {
    char *p;
    size_t n, cap;
};

static void sb_printf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sb *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        size_t room = b->cap - b->n;
        va_start(ap, fmt);
        int w = vsnprintf(b->p ? b->p + b->n : NULL, room, fmt, ap);
        va_end(ap);
        if (w < 0)
            return;
        if ((size_t)w < room) {
            b->n += (size_t)w;
            return;
        }
        b->cap = (b->cap + (size_t)w + 1) * 2;
        b->p = gw_realloc(b->p, b->cap);
    }
}

static char *reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *reply(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    size_t n = strlen(buf);
    buf[n] = '\n';
    return gw_strndup(buf, n + 1);
}

/* ---------------------------------------------------------------------------------------------
 * Commands
 */
static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

static bool parse_i64(const char *s, int64_t *out)
{
    uint64_t v;
    bool neg = *s == '-';
    if (!parse_u64(s + neg, (uint64_t)INT64_MAX, &v))
        return false;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
}

/* DEV: a device index, or the device's current dotted address. */
static struct t_dev *find_dev(struct t_sim *sim, const char *s)
{
    uint32_t a;
    uint64_t i;
    if (strchr(s, '.'))
        return t_addr_parse(s, &a) == 0 ? t_sim_find(sim, a) : NULL;
    if (parse_u64(s, sim->ndev ? sim->ndev - 1 : 0, &i) && i < sim->ndev)
        return &sim->dev[i];
    return NULL;
}

static char *cmd_stats(struct t_sim *sim)
{
    const struct t_stats *s = &sim->st;
    size_t down = 0, sleeping = 0, alerting = 0;
    for (size_t i = 0; i < sim->ndev; i++) {
        down += (sim->dev[i].flags & T_F_DOWN) != 0;
        sleeping += (sim->dev[i].flags & T_F_SLEEP) != 0;
        alerting += sim->dev[i].nalert != 0;
    }
    return reply(
        "ok rx=%" PRIu64 " tx=%" PRIu64 " v1=%" PRIu64 " v2c=%" PRIu64 " v3=%" PRIu64
        " get=%" PRIu64 " getnext=%" PRIu64 " getbulk=%" PRIu64 " set=%" PRIu64
        " other_pdu=%" PRIu64 " reports=%" PRIu64 " unknown_engine=%" PRIu64
        " unknown_user=%" PRIu64 " wrong_digest=%" PRIu64 " time_window=%" PRIu64
        " decrypt=%" PRIu64 " seclevel=%" PRIu64 " unknown_context=%" PRIu64 " malformed=%" PRIu64
        " bad_version=%" PRIu64 " bad_community=%" PRIu64 " offbox=%" PRIu64 " no_device=%" PRIu64
        " to_down=%" PRIu64 " too_big=%" PRIu64 " send_errors=%" PRIu64 " truncated=%" PRIu64
        " rps=%.0f rps_v3=%.0f devices=%zu down=%zu sleeping=%zu alerting=%zu tick=%u",
        s->rx, s->tx, s->v1, s->v2c, s->v3, s->get, s->getnext, s->getbulk, s->set, s->other_pdu,
        s->reports, s->rep[T_REP_UNKNOWN_ENGINE], s->rep[T_REP_UNKNOWN_USER],
        s->rep[T_REP_WRONG_DIGEST], s->rep[T_REP_TIME_WINDOW], s->rep[T_REP_DECRYPT],
        s->rep[T_REP_SECLEVEL], s->rep[T_REP_UNKNOWN_CONTEXT], s->malformed, s->bad_version,
        s->bad_community, s->offbox, s->no_device, s->down, s->too_big, s->send_errors,
        s->truncated_rx, sim->rps, sim->rps_v3, sim->ndev, down, sleeping, alerting, sim->tick);
}

static char *cmd_list(struct t_sim *sim, int argc, char **argv)
{
    uint64_t first = 0, count = sim->ndev;
    if ((argc > 1 && !parse_u64(argv[1], UINT32_MAX, &first)) ||
        (argc > 2 && !parse_u64(argv[2], UINT32_MAX, &count)) || argc > 3)
        return reply("error usage: list [FIRST [COUNT]]");
    if (first > sim->ndev)
        first = sim->ndev;
    if (count > sim->ndev - first)
        count = sim->ndev - first;
    struct sb b = {0};
    sb_printf(&b, "ok count=%" PRIu64 "\n", count);
    char line[512];
    for (uint64_t i = first; i < first + count; i++) {
        t_dev_describe(sim, &sim->dev[i], line, sizeof line, false);
        sb_printf(&b, "%s\n", line);
    }
    return b.p;
}

static const char usage[] =
    "ok commands: jam DEV | clear DEV | door DEV open|closed | toner DEV INDEX LEVEL | "
    "sleep DEV on|off | down DEV | up DEV | reboot DEV | move DEV ADDR | counter DEV VALUE | "
    "show DEV | list [FIRST [COUNT]] | stats | events RATE | wsd DEV | snmp DEV on|off | help";

char *t_ctl_exec(struct t_sim *sim, const char *line)
{
    char buf[CTL_LINE_MAX + 1];
    char *argv[CTL_ARGS + 1];
    int argc = 0;
    gw_strlcpy(buf, line, sizeof buf);
    for (char *p = buf; *p && argc <= CTL_ARGS;) {
        while (*p == ' ' || *p == '\t' || *p == '\r')
            *p++ = '\0';
        if (!*p)
            break;
        argv[argc++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r')
            p++;
    }
    if (argc == 0)
        return reply("error empty command (try help)");
    if (argc > CTL_ARGS)
        return reply("error too many arguments");
    const char *cmd = argv[0];
    if (strcmp(cmd, "help") == 0)
        return reply("%s", usage);
    if (strcmp(cmd, "stats") == 0) {
        /* The WS-Discovery figures (with --wsd) follow the SNMP ones on the same line. */
        char *r = cmd_stats(sim), w[256];
        size_t n = strlen(r);
        t_wsd_stats(sim, w, sizeof w);
        if (!w[0])
            return r;
        r = gw_realloc(r, n + strlen(w) + 2);
        snprintf(r + n - 1, strlen(w) + 3, " %s\n", w);
        return r;
    }
    if (strcmp(cmd, "list") == 0)
        return cmd_list(sim, argc, argv);
    if (strcmp(cmd, "events") == 0) {
        char *end;
        double r = argc == 2 ? strtod(argv[1], &end) : -1;
        if (argc != 2 || *end || !(r >= 0 && r <= 3600))
            return reply("error usage: events RATE (0..3600 per device and hour)");
        sim->opt.events_per_hour = r;
        return reply("ok events_per_hour=%g", r);
    }

    /* Everything else acts on one device. */
    static const struct {
        const char *name;
        int args;
        const char *usage;
    } cmds[] = {
        {"jam", 0, "jam DEV"},
        {"clear", 0, "clear DEV"},
        {"door", 1, "door DEV open|closed"},
        {"toner", 2, "toner DEV INDEX LEVEL"},
        {"sleep", 1, "sleep DEV on|off"},
        {"down", 0, "down DEV"},
        {"up", 0, "up DEV"},
        {"reboot", 0, "reboot DEV"},
        {"move", 1, "move DEV ADDR"},
        {"counter", 1, "counter DEV VALUE"},
        {"show", 0, "show DEV"},
        {"wsd", 0, "wsd DEV"},
        {"snmp", 1, "snmp DEV on|off"},
    };
    size_t c;
    for (c = 0; c < sizeof cmds / sizeof cmds[0]; c++)
        if (strcmp(cmd, cmds[c].name) == 0)
            break;
    if (c == sizeof cmds / sizeof cmds[0])
        return reply("error unknown command '%.40s' (try help)", cmd);
    if (argc != 2 + cmds[c].args)
        return reply("error usage: %s", cmds[c].usage);
    struct t_dev *d = find_dev(sim, argv[1]);
    if (!d)
        return reply("error no device '%.40s' (an index 0..%zu or a current address)", argv[1],
                     sim->ndev ? sim->ndev - 1 : 0);
    char a[16];
    unsigned idx = d->index;
    if (strcmp(cmd, "jam") == 0) {
        t_dev_set_jam(sim, d, true, UINT32_MAX);
    } else if (strcmp(cmd, "clear") == 0) {
        t_dev_clear(sim, d);
    } else if (strcmp(cmd, "door") == 0) {
        bool open = strcmp(argv[2], "open") == 0;
        if (!open && strcmp(argv[2], "closed") != 0)
            return reply("error usage: %s", cmds[c].usage);
        t_dev_set_door(sim, d, open, UINT32_MAX);
    } else if (strcmp(cmd, "toner") == 0) {
        uint64_t index;
        int64_t level;
        struct gw_errbuf eb;
        if (!parse_u64(argv[2], UINT32_MAX, &index) || !parse_i64(argv[3], &level))
            return reply("error usage: %s", cmds[c].usage);
        if (t_dev_set_level(sim, d, (uint32_t)index, level, &eb) < 0)
            return reply("error %s", eb.msg);
    } else if (strcmp(cmd, "sleep") == 0) {
        bool on = strcmp(argv[2], "on") == 0;
        if (!on && strcmp(argv[2], "off") != 0)
            return reply("error usage: %s", cmds[c].usage);
        t_dev_set_sleep(sim, d, on, UINT32_MAX);
    } else if (strcmp(cmd, "down") == 0) {
        t_dev_set_down(sim, d, true, UINT32_MAX);
    } else if (strcmp(cmd, "up") == 0) {
        t_dev_set_down(sim, d, false, 0);
    } else if (strcmp(cmd, "reboot") == 0) {
        t_dev_reboot(sim, d);
    } else if (strcmp(cmd, "move") == 0) {
        uint32_t na;
        if (t_addr_parse(argv[2], &na) < 0)
            return reply("error '%.40s' is not an IPv4 address", argv[2]);
        int rc = t_sim_move(sim, d, na);
        if (rc == GW_E_EXISTS)
            return reply("error %s is in use by another device", argv[2]);
        if (rc < 0)
            return reply("error %s is not a host address in 127.0.0.0/8", argv[2]);
    } else if (strcmp(cmd, "counter") == 0) {
        uint64_t v;
        if (!parse_u64(argv[2], 10000000000ull, &v))
            return reply("error VALUE must be a number 0..10000000000");
        t_dev_set_life(sim, d, v);
    } else if (strcmp(cmd, "snmp") == 0) {
        bool on = strcmp(argv[2], "on") == 0;
        if (!on && strcmp(argv[2], "off") != 0)
            return reply("error usage: %s", cmds[c].usage);
        if (on)
            d->flags &= (uint16_t)~T_F_NOSNMP;
        else
            d->flags |= T_F_NOSNMP;
    }
    if (strcmp(cmd, "wsd") == 0) {
        char w[256];
        t_wsd_describe(sim, d, w, sizeof w);
        return reply("ok dev=%u addr=%s %s", idx, t_addr_format(d->addr, a), w);
    }
    char desc[512];
    t_dev_describe(sim, d, desc, sizeof desc, true);
    if (strcmp(cmd, "show") == 0)
        return reply("ok %s", desc);
    return reply("ok %s dev=%u addr=%s", cmd, idx, t_addr_format(d->addr, a));
}

/* ---------------------------------------------------------------------------------------------
 * Socket
 */
static void on_conn_closed(uv_handle_t *h)
{
    struct conn *c = h->data;
    free(c);
}

static void conn_close(struct conn *c)
{
    if (uv_is_closing((uv_handle_t *)&c->h))
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        c->ctl->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    uv_close((uv_handle_t *)&c->h, on_conn_closed);
}

static void on_written(uv_write_t *w, int status)
{
    free(w->data);
    free(w);
}

static void send_reply(struct conn *c, char *text)
{
    uv_write_t *w = gw_malloc(sizeof *w);
    uv_buf_t b = uv_buf_init(text, (unsigned)strlen(text));
    w->data = text;
    if (uv_write(w, (uv_stream_t *)&c->h, &b, 1, on_written) < 0) {
        free(text);
        free(w);
        conn_close(c);
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    static char rbuf[4096];
    *buf = uv_buf_init(rbuf, sizeof rbuf);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct conn *c = s->data;
    if (n < 0) {
        conn_close(c);
        return;
    }
    for (ssize_t i = 0; i < n; i++) {
        char ch = buf->base[i];
        if (ch == '\n') {
            c->line[c->len] = '\0';
            if (c->overlong)
                send_reply(c, reply("error line longer than %d characters", CTL_LINE_MAX));
            else
                send_reply(c, t_ctl_exec(c->ctl->sim, c->line));
            c->len = 0;
            c->overlong = false;
            if (uv_is_closing((uv_handle_t *)&c->h))
                return;
        } else if (c->len < CTL_LINE_MAX) {
            c->line[c->len++] = ch;
        } else {
            c->overlong = true;
        }
    }
}

static void on_connection(uv_stream_t *srv, int status)
{
    struct t_ctl *ctl = srv->data;
    if (status < 0)
        return;
    struct conn *c = gw_calloc(1, sizeof *c);
    c->ctl = ctl;
    uv_pipe_init(srv->loop, &c->h, 0);
    c->h.data = c;
    if (uv_accept(srv, (uv_stream_t *)&c->h) < 0) {
        uv_close((uv_handle_t *)&c->h, on_conn_closed);
        return;
    }
    c->next = ctl->conns;
    if (ctl->conns)
        ctl->conns->prev = c;
    ctl->conns = c;
    uv_read_start((uv_stream_t *)&c->h, on_alloc, on_read);
}

static void on_srv_closed(uv_handle_t *h)
{
    struct t_ctl *ctl = h->data;
    free(ctl->path);
    free(ctl);
}

int t_ctl_start(struct t_sim *sim, const char *path, struct gw_errbuf *eb)
{
    struct stat st;
    /* A socket left behind by a killed simulator is replaced; a live one or any other file is
     * not. */
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return gw_errbuf_set(eb, GW_E_EXISTS, "--control %s exists and is not a socket", path);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        gw_strlcpy(sa.sun_path, path, sizeof sa.sun_path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bool live = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
        if (fd >= 0)
            close(fd);
        if (live)
            return gw_errbuf_set(eb, GW_E_EXISTS, "--control %s is in use by a running program",
                                 path);
        unlink(path);
    }
    struct t_ctl *ctl = gw_calloc(1, sizeof *ctl);
    ctl->sim = sim;
    ctl->path = gw_strdup(path);
    uv_pipe_init(sim->loop, &ctl->srv, 0);
    ctl->srv.data = ctl;
    int rc = uv_pipe_bind(&ctl->srv, path);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&ctl->srv, 16, on_connection);
    if (rc < 0) {
        gw_errbuf_set(eb, rc, "--control %s: %s", path, uv_strerror(rc));
        uv_close((uv_handle_t *)&ctl->srv, on_srv_closed);
        return rc;
    }
    sim->ctl = ctl;
    return 0;
}

void t_ctl_stop(struct t_sim *sim)
{
    struct t_ctl *ctl = sim->ctl;
    if (!ctl)
        return;
    sim->ctl = NULL;
    while (ctl->conns)
        conn_close(ctl->conns);
    unlink(ctl->path);
    uv_close((uv_handle_t *)&ctl->srv, on_srv_closed);
}
