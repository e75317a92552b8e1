/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Control requests: every administrative action (device and credential changes, status, uplink,
 * discovery, account recovery) is an operation of one merged table (gateway/gw_op.h; ops.c
 * lists the modules' tables), executed by gw_op_exec() for the CLI, the web UI and the uplink
 * alike. The daemon serves them on a UNIX socket (mode 0600) in its state dir, so the CLI's changes go through the daemon's single sqlite connection and take effect at
 * once; when no daemon runs the CLI executes the same handlers itself. Protocol: one JSON object
 * per line in each direction, then the daemon closes the connection.
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <uv.h>

#include "gateway/app/cli.h"

#define CTL_MAX_REQUEST (64u << 20) /* a CSV import of 100k devices fits */

struct gw_ctl {
    uv_pipe_t server;
    char path[108];
    struct gw_app *app;
};

struct ctl_client {
    uv_pipe_t pipe;
    uv_write_t wreq;
    struct gw_app *app;
    char *buf;
    size_t len, cap;
    char *reply;
    bool done;
};

/* The merged index of every module's operations, built once (at the daemon's start, or at
 * the CLI's first local call): the tables are static, so it never changes. A bad table row
 * stops the program here (GW_ASSERT). */
static const struct gw_op_index *op_index(void)
{
    static struct gw_op_index *idx;
    struct gw_op_table tables[8];
    struct gw_errbuf eb = {""};
    if (idx)
        return idx;
    size_t n = gw_app_op_tables(tables, 8);
    if (gw_op_index_new(tables, n, &idx, &eb) < 0) {
        gw_log_err(GW, "operation tables: %s", eb.msg);
        GW_ASSERT(!"operation tables are consistent");
    }
    return idx;
}

json_t *gw_ctl_exec(struct gw_app *app, json_t *req, const struct gw_op_caller *caller)
{
    void *mods[8];
    gw_app_op_mods(app, mods, 8);
    return gw_op_exec(op_index(), mods, app->db, app->vault, caller, req);
}

/* --- client side --- */

static int ctl_connect(const struct gw_cfg *cfg)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct timeval tv = {.tv_sec = 60};
    char path[512];
    int fd;
    gw_cfg_control_socket(cfg, path, sizeof path);
    if (strlen(path) >= sizeof sa.sun_path)
        return -ENAMETOOLONG;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        int e = errno;
        close(fd);
        return (e == ENOENT || e == ECONNREFUSED) ? GW_E_NOTRUNNING : -e;
    }
    return fd;
}

json_t *gw_ctl_call(const struct gw_cfg *cfg, json_t *req, int *err)
{
    char *text, *buf = NULL;
    size_t len = 0, cap = 0;
    json_t *reply;
    json_error_t jerr;
    int fd = ctl_connect(cfg);
    if (fd < 0) {
        *err = fd;
        return NULL;
    }
    text = json_dumps(req, JSON_COMPACT);
    size_t tl = strlen(text);
    for (size_t off = 0; off < tl;) {
        ssize_t n = write(fd, text + off, tl - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *err = -errno;
            gw_free_secret(text, tl);
            close(fd);
            return NULL;
        }
        off += (size_t)n;
    }
    gw_free_secret(text, tl);
    if (write(fd, "\n", 1) != 1 || shutdown(fd, SHUT_WR) < 0) {
        *err = -errno;
        close(fd);
        return NULL;
    }
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 65536;
            buf = gw_realloc(buf, cap);
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *err = -errno;
            free(buf);
            close(fd);
            return NULL;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    reply = json_loadb(buf ? buf : "", len, 0, &jerr);
    free(buf);
    if (!reply)
        *err = GW_E_PARSE;
    return reply;
}

json_t *gw_ctl_request(const struct gw_opts *o, json_t *req)
{
    struct gw_app app = {0};
    struct passwd *pw = getpwuid(getuid());
    json_t *r;
    int err = 0;
    if (gw_app_load_cfg(o, &app.cfg, NULL) < 0)
        return NULL;
    r = gw_ctl_call(&app.cfg, req, &err);
    if (r)
        return r;
    if (err != GW_E_NOTRUNNING) {
        fprintf(stderr, "fleetgw: control socket: %s\n", gw_strerror(err));
        return NULL;
    }
    if (gw_app_open_store(&app) < 0)
        return NULL;
    /* Without a daemon the CLI acts with its own rights: root may recover accounts. */
    struct gw_op_caller who = {GW_OP_SRC_CLI, geteuid() == 0 ? GW_ROLE_ROOT : GW_ROLE_ADMIN,
                               pw ? pw->pw_name : "unknown", "cli"};
    r = gw_ctl_exec(&app, req, &who);
    gw_app_close_store(&app);
    return r;
}

int gw_ctl_reply_status(json_t *r)
{
    if (!r)
        return GW_EXIT_FAIL;
    if (json_is_true(json_object_get(r, "ok")))
        return GW_EXIT_OK;
    fprintf(stderr, "fleetgw: %s\n", json_string_value(json_object_get(r, "error")));
    return GW_EXIT_FAIL;
}

int gw_ctl_request_status(const struct gw_opts *o, json_t *req)
{
    json_t *r = gw_ctl_request(o, req);
    int st = gw_ctl_reply_status(r);
    json_decref(req);
    json_decref(r);
    return st;
}

/* --- server side --- */

static void client_closed(uv_handle_t *h)
{
    struct ctl_client *c = h->data;
    free(c->buf);
    free(c->reply);
    free(c);
}

static void client_written(uv_write_t *w, int status)
{
    struct ctl_client *c = w->data;
    uv_close((uv_handle_t *)&c->pipe, client_closed);
}

static const char *peer_name(struct ctl_client *c, char *buf, size_t len)
{
    struct ucred cred;
    socklen_t sl = sizeof cred;
    uv_os_fd_t fd;
    snprintf(buf, len, "unknown");
    if (uv_fileno((uv_handle_t *)&c->pipe, &fd) == 0 &&
        getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &sl) == 0) {
        struct passwd *pw = getpwuid(cred.uid);
        if (pw)
            snprintf(buf, len, "%s", pw->pw_name);
        else
            snprintf(buf, len, "uid:%u", (unsigned)cred.uid);
    }
    return buf;
}

/* Returns: the peer's uid, or -1 when unknown. */
static long peer_uid(struct ctl_client *c)
{
    struct ucred cred;
    socklen_t sl = sizeof cred;
    uv_os_fd_t fd;
    if (uv_fileno((uv_handle_t *)&c->pipe, &fd) == 0 &&
        getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &sl) == 0)
        return (long)cred.uid;
    return -1;
}

static void client_answer(struct ctl_client *c)
{
    json_error_t jerr;
    json_t *req, *rep;
    char peer[64];
    uv_buf_t b;
    c->done = true;
    uv_read_stop((uv_stream_t *)&c->pipe);
    req = json_loadb(c->buf ? c->buf : "", c->len, 0, &jerr);
    if (!req) {
        rep = gw_reply_err(GW_E_PARSE, jerr.text);
    } else {
        /* The socket is the daemon user's (mode 0600): its peers are that user and root, and
         * only root may recover web UI accounts. */
        struct gw_op_caller who = {GW_OP_SRC_CLI, peer_uid(c) == 0 ? GW_ROLE_ROOT : GW_ROLE_ADMIN,
                                   peer_name(c, peer, sizeof peer), "cli"};
        rep = gw_ctl_exec(c->app, req, &who);
    }
    json_decref(req);
    if (c->buf)
        memset(c->buf, 0, c->len); /* may have held secrets */
    c->reply = json_dumps(rep, JSON_COMPACT);
    json_decref(rep);
    size_t rl = strlen(c->reply);
    c->reply = gw_realloc(c->reply, rl + 2);
    c->reply[rl] = '\n';
    c->reply[rl + 1] = '\0';
    b = uv_buf_init(c->reply, (unsigned)(rl + 1));
    c->wreq.data = c;
    if (uv_write(&c->wreq, (uv_stream_t *)&c->pipe, &b, 1, client_written) < 0)
        uv_close((uv_handle_t *)&c->pipe, client_closed);
}

static void client_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
    struct ctl_client *c = h->data;
    if (c->cap - c->len < 65536) {
        c->cap = c->cap ? c->cap * 2 : 131072;
        c->buf = gw_realloc(c->buf, c->cap);
    }
    *b = uv_buf_init(c->buf + c->len, (unsigned)(c->cap - c->len - 1));
}

static void client_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    struct ctl_client *c = s->data;
    if (c->done)
        return;
    if (n > 0) {
        c->len += (size_t)n;
        if (c->len > CTL_MAX_REQUEST) {
            gw_log_warn(GW, "control request too large, dropped bytes=%zu", c->len);
            uv_close((uv_handle_t *)&c->pipe, client_closed);
            return;
        }
        if (memchr(c->buf + c->len - (size_t)n, '\n', (size_t)n))
            client_answer(c);
        return;
    }
    if (n == UV_EOF)
        client_answer(c);
    else if (n < 0)
        uv_close((uv_handle_t *)&c->pipe, client_closed);
}

static void on_connection(uv_stream_t *server, int status)
{
    struct gw_ctl *ctl = server->data;
    struct ctl_client *c;
    if (status < 0)
        return;
    c = gw_calloc(1, sizeof *c);
    c->app = ctl->app;
    uv_pipe_init(ctl->app->loop, &c->pipe, 0);
    c->pipe.data = c;
    if (uv_accept(server, (uv_stream_t *)&c->pipe) < 0 ||
        uv_read_start((uv_stream_t *)&c->pipe, client_alloc, client_read) < 0)
        uv_close((uv_handle_t *)&c->pipe, client_closed);
}

static void ctl_closed(uv_handle_t *h)
{
    free(h->data);
}

int gw_ctl_start(struct gw_app *app, struct gw_errbuf *eb)
{
    struct gw_ctl *ctl = gw_calloc(1, sizeof *ctl);
    struct stat st;
    mode_t old;
    int rc;
    /* The daemon merges the tables at start, so a bad row stops it at once. */
    (void)op_index();
    gw_cfg_control_socket(&app->cfg, ctl->path, sizeof ctl->path);
    /* A socket left by a crashed daemon is stale; one that answers belongs to a live daemon
     * using the same state dir, which must not be shared. */
    if (stat(ctl->path, &st) == 0) {
        int fd = ctl_connect(&app->cfg);
        if (fd >= 0) {
            close(fd);
            gw_errbuf_set(eb, GW_E_BUSY,
                          "another fleetgw is running with this state dir (%s answers)", ctl->path);
            free(ctl);
            return GW_E_BUSY;
        }
        unlink(ctl->path);
    }
    ctl->app = app;
    uv_pipe_init(app->loop, &ctl->server, 0);
    ctl->server.data = ctl;
    old = umask(0077);
    rc = uv_pipe_bind(&ctl->server, ctl->path);
    umask(old);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&ctl->server, 16, on_connection);
    if (rc < 0) {
        gw_errbuf_set(eb, rc, "control socket %s: %s", ctl->path, uv_strerror(rc));
        uv_close((uv_handle_t *)&ctl->server, ctl_closed);
        return rc;
    }
    app->ctl = ctl;
    return 0;
}

void gw_ctl_stop(struct gw_app *app)
{
    if (!app->ctl)
        return;
    unlink(app->ctl->path);
    uv_close((uv_handle_t *)&app->ctl->server, ctl_closed);
    app->ctl = NULL;
}
