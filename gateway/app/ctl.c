/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Control requests: the one place where administrative actions (device and credential changes,
 * status) are carried out. The daemon serves them on a UNIX socket (mode 0600) in its state
 * dir, so the CLI's changes go through the daemon's single sqlite connection and take effect at
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
#include "uplink/up.h"
#include "discovery/disc.h"

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

static json_t *reply_err(int code, const char *msg)
{
    return json_pack("{s:b, s:s, s:s, s:i}", "ok", 0, "error", msg, "code_name", gw_err_name(code),
                     "code", code);
}

static json_t *reply_ok(void)
{
    return json_pack("{s:b}", "ok", 1);
}

static const char *jstr(json_t *req, const char *key, const char *def)
{
    const char *s = json_string_value(json_object_get(req, key));
    return s ? s : def;
}

/* Overwrites a secret held in the request before the request is freed. jansson owns the buffer;
 * writing through the cast is the only way to wipe it. */
static void wipe_secret(json_t *req, const char *key)
{
    json_t *v = json_object_get(req, key);
    if (json_is_string(v))
        memset((char *)json_string_value(v), 0, json_string_length(v));
}

static long rss_kb(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return -1;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static int count_status(const struct gw_device *d, void *arg)
{
    json_t *by = arg;
    json_t *v = json_object_get(by, d->status);
    json_object_set_new(by, d->status, json_integer(v ? json_integer_value(v) + 1 : 1));
    return 0;
}

static json_t *do_status(struct gw_app *app)
{
    json_t *by = json_object();
    json_t *r = reply_ok();
    gw_device_foreach(app->db, count_status, by);
    json_object_set_new(r, "running", json_boolean(app->daemon));
    json_object_set_new(r, "version", json_string(PACKAGE_VERSION));
    json_object_set_new(r, "devices", json_integer(gw_device_count(app->db)));
    json_object_set_new(r, "devices_by_status", by);
    if (app->daemon) {
        json_object_set_new(r, "pid", json_integer(getpid()));
        json_object_set_new(r, "uptime_s", json_integer(gw_now() - app->started));
        json_object_set_new(r, "rss_kb", json_integer(rss_kb()));
        gw_poller_status(app, r);
    }
    up_status(app->up, app->db, r);
    disc_status(app->disc, app->db, r);
    return r;
}

struct list_ctx {
    struct gw_app *app;
    json_t *arr;
};

static int push_device(const struct gw_device *d, void *arg)
{
    struct list_ctx *lc = arg;
    json_t *o = gw_device_to_json(d);
    gw_poller_device_json(lc->app, o);
    json_array_append_new(lc->arr, o);
    return 0;
}

static void changed(struct gw_app *app)
{
    if (app->daemon)
        gw_poller_reload(app);
}

static json_t *do_device_add(struct gw_app *app, json_t *req, const char *peer, const char *source)
{
    struct gw_device d = {0};
    struct gw_errbuf eb = {""};
    json_int_t port = json_integer_value(json_object_get(req, "port"));
    int rc;
    gw_strlcpy(d.address, jstr(req, "address", ""), sizeof d.address);
    gw_strlcpy(d.name, jstr(req, "name", ""), sizeof d.name);
    gw_strlcpy(d.credential, jstr(req, "credential", ""), sizeof d.credential);
    if (port < 0 || port > 65535)
        return reply_err(GW_E_INVAL, "port: must be 1..65535");
    d.port = port ? (uint16_t)port : 161;
    rc = gw_device_add(app->db, &d, &eb);
    gw_audit_add(app->db, peer, source, "device.add", rc ? "failed" : "ok", d.address);
    if (rc)
        return reply_err(rc, eb.msg[0] ? eb.msg : gw_strerror(rc));
    changed(app);
    gw_bus_publish("device.added",
                   json_pack("{s:I, s:s}", "device_id", (json_int_t)d.id, "address", d.address));
    json_t *r = reply_ok();
    gw_device_get(app->db, d.id, &d);
    json_object_set_new(r, "device", gw_device_to_json(&d));
    return r;
}

static json_t *do_device_import(struct gw_app *app, json_t *req, const char *peer,
                                const char *source)
{
    const char *csv = jstr(req, "csv", NULL);
    const char *name = jstr(req, "name", "import.csv");
    struct gw_errbuf eb = {""};
    FILE *f;
    int n;
    if (!csv)
        return reply_err(GW_E_INVAL, "csv: missing");
    f = fmemopen((void *)csv, strlen(csv), "r");
    if (!f)
        return reply_err(-errno, "cannot read the CSV");
    json_t *errors = json_array();
    n = gw_device_import_csv(app->db, f, name, errors, &eb);
    fclose(f);
    gw_audit_add(app->db, peer, source, "device.import", n < 0 ? "failed" : "ok", name);
    if (n < 0) {
        json_t *r = reply_err(n, eb.msg[0] ? eb.msg : gw_strerror(n));
        json_object_set_new(r, "errors", errors);
        return r;
    }
    json_decref(errors);
    changed(app);
    json_t *r = reply_ok();
    json_object_set_new(r, "imported", json_integer(n));
    return r;
}

static json_t *do_device_list(struct gw_app *app)
{
    struct list_ctx lc = {app, json_array()};
    json_t *r = reply_ok();
    gw_device_foreach(app->db, push_device, &lc);
    json_object_set_new(r, "devices", lc.arr);
    return r;
}

static json_t *do_device_show(struct gw_app *app, json_t *req)
{
    struct gw_device d;
    json_int_t id = json_integer_value(json_object_get(req, "id"));
    int rc = gw_device_get(app->db, id, &d);
    if (rc)
        return reply_err(rc, rc == GW_E_NOTFOUND ? "no such device" : gw_strerror(rc));
    json_t *r = reply_ok(), *dj = gw_device_to_json(&d);
    gw_poller_device_json(app, dj);
    json_object_set_new(r, "device", dj);
    json_object_set_new(r, "state", gw_store_device_state(app->db, id));
    json_object_set_new(r, "events", gw_event_list(app->db, id, 20));
    return r;
}

static json_t *do_device_remove(struct gw_app *app, json_t *req, const char *peer,
                                const char *source)
{
    json_int_t id = json_integer_value(json_object_get(req, "id"));
    char detail[32];
    int rc = gw_device_remove(app->db, id);
    snprintf(detail, sizeof detail, "id=%lld", (long long)id);
    gw_audit_add(app->db, peer, source, "device.remove", rc ? "failed" : "ok", detail);
    if (rc)
        return reply_err(rc, rc == GW_E_NOTFOUND ? "no such device" : gw_strerror(rc));
    changed(app);
    gw_bus_publish("device.removed", json_pack("{s:I}", "device_id", (json_int_t)id));
    return reply_ok();
}

static json_t *do_device_set(struct gw_app *app, json_t *req, const char *peer, const char *source)
{
    json_int_t id = json_integer_value(json_object_get(req, "id"));
    const char *prio = jstr(req, "priority", "");
    char detail[64];
    int rc;
    snprintf(detail, sizeof detail, "id=%lld priority=%s", (long long)id, prio);
    rc = gw_device_set_priority(app->db, id, strcmp(prio, "auto") == 0 ? NULL : prio);
    gw_audit_add(app->db, peer, source, "device.set", rc ? "failed" : "ok", detail);
    if (rc == GW_E_INVAL)
        return reply_err(rc, "priority: must be high, middle, low or auto");
    if (rc)
        return reply_err(rc, rc == GW_E_NOTFOUND ? "no such device" : gw_strerror(rc));
    changed(app);
    return reply_ok();
}

static json_t *do_credential_add(struct gw_app *app, json_t *req, const char *peer,
                                 const char *source)
{
    struct gw_credential c = {0};
    struct gw_errbuf eb = {""};
    const char *ver = jstr(req, "version", "2c");
    const char *lvl = jstr(req, "sec_level", "authPriv");
    int rc;
    gw_strlcpy(c.name, jstr(req, "name", ""), sizeof c.name);
    if (strcmp(ver, "1") == 0)
        c.version = GW_SNMP_V1;
    else if (strcmp(ver, "2c") == 0)
        c.version = GW_SNMP_V2C;
    else if (strcmp(ver, "3") == 0)
        c.version = GW_SNMP_V3;
    else
        return reply_err(GW_E_INVAL, "version: must be 1, 2c or 3");
    if (strcasecmp(lvl, "noAuthNoPriv") == 0)
        c.sec_level = GW_SEC_NOAUTH;
    else if (strcasecmp(lvl, "authNoPriv") == 0)
        c.sec_level = GW_SEC_AUTHNOPRIV;
    else if (strcasecmp(lvl, "authPriv") == 0)
        c.sec_level = GW_SEC_AUTHPRIV;
    else
        return reply_err(GW_E_INVAL, "level: must be noAuthNoPriv, authNoPriv or authPriv");
    gw_strlcpy(c.sec_name, jstr(req, "sec_name", ""), sizeof c.sec_name);
    gw_strlcpy(c.auth_proto, jstr(req, "auth_proto", ""), sizeof c.auth_proto);
    gw_strlcpy(c.priv_proto, jstr(req, "priv_proto", ""), sizeof c.priv_proto);
    gw_strlcpy(c.context, jstr(req, "context", ""), sizeof c.context);
    if (json_object_get(req, "community"))
        c.community = gw_strdup(jstr(req, "community", ""));
    if (json_object_get(req, "auth_pass"))
        c.auth_pass = gw_strdup(jstr(req, "auth_pass", ""));
    if (json_object_get(req, "priv_pass"))
        c.priv_pass = gw_strdup(jstr(req, "priv_pass", ""));
    rc = gw_credential_check(&c, &eb);
    if (rc == 0)
        rc = gw_credential_add(app->db, app->vault, &c, &eb);
    gw_credential_cleanup(&c);
    gw_audit_add(app->db, peer, source, "credential.add", rc ? "failed" : "ok",
                 jstr(req, "name", ""));
    if (rc)
        return reply_err(rc, eb.msg[0] ? eb.msg : gw_strerror(rc));
    changed(app);
    return reply_ok();
}

static json_t *do_credential_remove(struct gw_app *app, json_t *req, const char *peer,
                                    const char *source)
{
    struct gw_errbuf eb = {""};
    const char *name = jstr(req, "name", "");
    int rc = gw_credential_remove(app->db, name, &eb);
    gw_audit_add(app->db, peer, source, "credential.remove", rc ? "failed" : "ok", name);
    if (rc)
        return reply_err(rc, eb.msg[0] ? eb.msg : gw_strerror(rc));
    return reply_ok();
}

json_t *gw_ctl_exec(struct gw_app *app, json_t *req, const char *peer, const char *source)
{
    const char *cmd = jstr(req, "cmd", "");
    json_t *r;
    if (!json_is_object(req))
        return reply_err(GW_E_PARSE, "request is not a JSON object");
    if (strcmp(cmd, "status") == 0)
        r = do_status(app);
    else if (strcmp(cmd, "device.add") == 0)
        r = do_device_add(app, req, peer, source);
    else if (strcmp(cmd, "device.import") == 0)
        r = do_device_import(app, req, peer, source);
    else if (strcmp(cmd, "device.list") == 0)
        r = do_device_list(app);
    else if (strcmp(cmd, "device.show") == 0)
        r = do_device_show(app, req);
    else if (strcmp(cmd, "device.set") == 0)
        r = do_device_set(app, req, peer, source);
    else if (strcmp(cmd, "device.remove") == 0)
        r = do_device_remove(app, req, peer, source);
    else if (strcmp(cmd, "credential.add") == 0)
        r = do_credential_add(app, req, peer, source);
    else if (strcmp(cmd, "credential.list") == 0) {
        r = reply_ok();
        json_object_set_new(r, "credentials", gw_credential_list(app->db));
    } else if (strcmp(cmd, "credential.remove") == 0)
        r = do_credential_remove(app, req, peer, source);
    else if (up_ctl_handles(cmd))
        r = up_ctl_exec(app->up, app->db, app->vault, req, peer, source);
    else if (strncmp(cmd, "admin.", 6) == 0) {
        /* Account recovery: from root on the control socket only (checked there), never from
         * the web UI, whose requests come with source "webui <address>". */
        if (strcmp(source, "cli") != 0)
            r = reply_err(GW_E_INVAL, "account recovery is only for root on the gateway");
        else
            r = gw_webui_ctl_exec(app, req, peer, source);
    } else if (disc_ctl_handles(cmd))
        r = disc_ctl_exec(app->disc, app->db, app->vault, app->catalogue, req, peer, source);
    else if (strcmp(cmd, "reload") == 0) {
        changed(app);
        r = reply_ok();
    } else
        r = reply_err(GW_E_INVAL, "unknown command");
    wipe_secret(req, "community");
    wipe_secret(req, "auth_pass");
    wipe_secret(req, "priv_pass");
    wipe_secret(req, "hash");
    return r;
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
    r = gw_ctl_exec(&app, req, pw ? pw->pw_name : "unknown", "cli");
    gw_app_close_store(&app);
    return r;
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
    if (!req)
        rep = reply_err(GW_E_PARSE, jerr.text);
    else if (strncmp(jstr(req, "cmd", ""), "admin.", 6) == 0 && peer_uid(c) != 0)
        rep = reply_err(GW_E_INVAL, "account recovery is only for root on the gateway");
    else
        rep = gw_ctl_exec(c->app, req, peer_name(c, peer, sizeof peer), "cli");
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
