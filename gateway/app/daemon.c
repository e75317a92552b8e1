/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The daemon: one libuv loop that owns every handle. Start order is configuration, secrets key,
 * store, counter catalogue, control socket, web UI, poller, uplink, discovery. Stop first closes
 * the two doors requests come in by (control socket, web UI), then stops the modules in the
 * reverse of their start, each after the previous one's close callback ran: discovery (its
 * sweeps end and would otherwise reload the poller), uplink, poller, and last the daemon's own
 * handles. SIGTERM/SIGINT stop cleanly (polls cancelled, sessions and handles closed, the store
 * closed after the last write, exit 0); SIGHUP re-reads the configuration and keeps the old one when the new one is bad.
 * Under systemd (Type=notify) readiness, status and the watchdog are reported with sd_notify.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <uv.h>

#include "gateway/app/cli.h"
#include "snmp/snmpc.h"
#include "uplink/up.h"
#include "discovery/disc.h"
#include "webui/ui.h"

struct daemon {
    struct gw_app app;
    uv_signal_t sigterm, sigint, sighup;
    uv_timer_t watchdog, housekeeping;
    const struct gw_opts *opts;
    struct ui_server *ui;
    bool stopping;
    int exit_status;
};

static void apply_logging(const struct gw_cfg *cfg)
{
    gw_log_set_level(cfg->log_level);
    gw_log_set_debug(cfg->log_debug, NULL);
}

static int load_catalogue(const struct gw_cfg *cfg, struct snmpc_catalogue **out)
{
    struct gw_errbuf eb = {""};
    int rc = gw_app_load_catalogue(cfg, out, &eb);
    if (rc < 0)
        gw_log_err(CFG, "%s", eb.msg);
    return rc;
}

static void handle_closed(uv_handle_t *h)
{
    (void)h;
}

static void poller_stopped(struct gw_app *app)
{
    struct daemon *d = (struct daemon *)app;
    uv_close((uv_handle_t *)&d->sigterm, handle_closed);
    uv_close((uv_handle_t *)&d->sigint, handle_closed);
    uv_close((uv_handle_t *)&d->sighup, handle_closed);
    uv_close((uv_handle_t *)&d->watchdog, handle_closed);
    uv_close((uv_handle_t *)&d->housekeeping, handle_closed);
}

static void uplink_stopped(void *arg)
{
    struct daemon *d = arg;
    gw_log_debug(GW, "uplink stopped");
    gw_poller_stop(&d->app, poller_stopped);
}

static void discovery_stopped(void *arg)
{
    struct daemon *d = arg;
    struct up_ctx *up = d->app.up;
    gw_log_debug(GW, "discovery stopped");
    d->app.up = NULL; /* up_stop() frees it */
    up_stop(up, uplink_stopped, d);
}

static void stop(struct daemon *d, const char *why)
{
    struct disc_ctx *disc = d->app.disc;
    if (d->stopping)
        return;
    d->stopping = true;
    gw_log_notice(GW, "stopping reason=%s", why);
    sd_notify(0, "STOPPING=1");
    gw_ctl_stop(&d->app);
    ui_server_stop(d->ui);
    /* The chain: discovery, then uplink, then poller, then the daemon's handles. */
    d->app.disc = NULL; /* disc_stop() frees it */
    disc_stop(disc, discovery_stopped, d);
}

/* A bad new file is logged and ignored; options that cannot change at run time are reported
 * and keep their old values until a restart. */
static void reload(struct daemon *d)
{
    struct gw_cfg next;
    struct snmpc_catalogue *cat = NULL;
    const char *key = NULL;
    struct gw_errbuf eb = {""};
    sd_notify(0, "RELOADING=1");
    if (gw_app_load_cfg(d->opts, &next, &eb) < 0) {
        gw_log_err(CFG, "reload failed, keeping the running configuration: %s", eb.msg);
        sd_notify(0, "READY=1");
        return;
    }
    if (gw_cfg_needs_restart(&d->app.cfg, &next, &key)) {
        gw_log_warn(CFG, "restart required for option=%s; it keeps its old value", key);
        /* Carry the running values of restart-only options over. */
        gw_strlcpy(next.state_dir, d->app.cfg.state_dir, sizeof next.state_dir);
        gw_strlcpy(next.key_file, d->app.cfg.key_file, sizeof next.key_file);
        gw_strlcpy(next.control_socket, d->app.cfg.control_socket, sizeof next.control_socket);
    }
    if (load_catalogue(&next, &cat) < 0) {
        gw_log_err(CFG, "reload failed, keeping the running configuration");
        sd_notify(0, "READY=1");
        return;
    }
    /* The discovery module and the SNMP driver take their own reference to the new catalogue
     * and drop the old one; polls and sweeps under way finish with the one they started with,
     * so dropping the app's reference here frees the old catalogue only when the last ends. */
    snmpc_catalogue_free(d->app.catalogue);
    d->app.catalogue = cat;
    disc_set_catalogue(d->app.disc, cat);
    gw_poller_set_catalogue(&d->app);
    d->app.cfg = next;
    apply_logging(&d->app.cfg);
    ui_server_reload(d->ui, &d->app.cfg);
    if (d->app.up)
        up_reload(d->app.up, &d->app.cfg);
    gw_poller_reload(&d->app);
    gw_log_notice(CFG, "configuration reloaded path=%s", d->app.cfg.path);
    sd_notify(0, "READY=1");
}

static void on_signal(uv_signal_t *s, int signum)
{
    struct daemon *d = s->data;
    if (signum == SIGHUP)
        reload(d);
    else
        stop(d, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void on_watchdog(uv_timer_t *t)
{
    sd_notify(0, "WATCHDOG=1");
}

static void on_housekeeping(uv_timer_t *t)
{
    struct daemon *d = t->data;
    int rc = gw_store_prune(d->app.db, d->app.cfg.poll_retention_days, gw_now());
    if (rc < 0)
        gw_log_warn_r(DB, rc, "pruning old readings failed");
}

/* The web UI's and the uplink's way to the operations, and the poller's figures (they must
 * not include cli.h: calls up the stack are callbacks). The caller brings its own identity and
 * role. */
static json_t *ui_ctl(json_t *req, const struct gw_op_caller *caller, void *arg)
{
    return gw_ctl_exec(arg, req, caller);
}

static void ui_status(json_t *status, void *arg)
{
    struct gw_app *app = arg;
    json_object_set_new(status, "version", json_string(PACKAGE_VERSION));
    json_object_set_new(status, "uptime_s", json_integer(gw_now() - app->started));
    gw_poller_status(app, status);
}

/* The web UI is not essential to polling: when it cannot start (port taken, no certificate)
 * the gateway logs why and runs on without it. */
static void start_ui(struct daemon *d)
{
    struct ui_hooks hooks = {.ctl = ui_ctl, .status = ui_status, .arg = &d->app};
    struct gw_errbuf eb = {""};
    if (!d->app.cfg.webui_enabled)
        return;
    if (ui_server_start(d->app.loop, &d->app.cfg, d->app.db, &hooks, &d->ui, &eb) < 0)
        gw_log_err(UI, "web UI not started: %s", eb.msg);
}

/* Like the web UI, the uplink is not essential to polling: a failure is logged. */
static void start_uplink(struct daemon *d)
{
    struct up_env env = {d->app.loop, d->app.db, d->app.vault, &d->app.cfg, ui_ctl, &d->app};
    struct gw_errbuf eb = {""};
    if (up_init(&env, &d->app.up, &eb) < 0) {
        gw_log_err(UP, "uplink not started: %s", eb.msg);
        return;
    }
    if (up_start(d->app.up) < 0) {
        gw_log_err(UP, "uplink not started");
        up_stop(d->app.up, NULL, NULL);
        d->app.up = NULL;
    }
}

static void discovery_changed(void *arg)
{
    gw_poller_reload(arg);
}

static void start_discovery(struct daemon *d)
{
    struct disc_env env = {d->app.loop,      d->app.db,         d->app.vault,
                           d->app.catalogue, discovery_changed, &d->app};
    struct gw_errbuf eb = {""};
    if (disc_init(&env, &d->app.disc, &eb) < 0) {
        gw_log_err(DISC, "discovery not started: %s", eb.msg);
        return;
    }
    if (disc_start(d->app.disc) < 0) {
        gw_log_err(DISC, "discovery not started");
        disc_stop(d->app.disc, NULL, NULL);
        d->app.disc = NULL;
    }
}

/* One UDP socket per device session: raise the fd limit. Root (CAP_SYS_RESOURCE) may lift the
 * hard limit too, up to the kernel's nr_open; others get the soft limit raised to the hard one.
 * systemd's LimitNOFILE= sets it for the service. */
static void raise_nofile(void)
{
    struct rlimit rl;
    rlim_t want = 1048576;
    FILE *f = fopen("/proc/sys/fs/nr_open", "r");
    if (f) {
        unsigned long long v;
        if (fscanf(f, "%llu", &v) == 1)
            want = (rlim_t)v;
        fclose(f);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return;
    if (rl.rlim_max < want) {
        struct rlimit up = {want, want};
        if (setrlimit(RLIMIT_NOFILE, &up) == 0)
            return;
    }
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int gw_cmd_daemon(const struct gw_opts *o, bool check_only, bool dump)
{
    struct daemon d = {.opts = o};
    struct gw_app *app = &d.app;
    struct gw_errbuf eb = {""};
    uv_loop_t loop;
    uint64_t wd_usec = 0;
    int rc;

    if (gw_app_load_cfg(o, &app->cfg, NULL) < 0)
        return GW_EXIT_FAIL;
    if (check_only) {
        struct snmpc_catalogue *cat = NULL;
        /* Like any other configuration error: on stderr as "file:line: key: reason". */
        if (gw_app_load_catalogue(&app->cfg, &cat, &eb) < 0) {
            fprintf(stderr, "fleetgw: %s\n", eb.msg);
            return GW_EXIT_FAIL;
        }
        snmpc_catalogue_free(cat);
        printf("%s: configuration ok\n", app->cfg.path[0] ? app->cfg.path : "(defaults)");
        return GW_EXIT_OK;
    }
    if (dump) {
        gw_cfg_dump(&app->cfg, stdout);
        return GW_EXIT_OK;
    }
    apply_logging(&app->cfg);
    if (gw_app_open_store(app) < 0)
        return GW_EXIT_FAIL;
    if (load_catalogue(&app->cfg, &app->catalogue) < 0) {
        gw_app_close_store(app);
        return GW_EXIT_FAIL;
    }
    raise_nofile();
    signal(SIGPIPE, SIG_IGN);
    snmpc_lib_init();
    uv_loop_init(&loop);
    app->loop = &loop;
    app->daemon = true;
    app->started = gw_now();

    rc = gw_ctl_start(app, &eb);
    if (rc < 0) {
        gw_log_err(GW, "%s", eb.msg);
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
        snmpc_catalogue_free(app->catalogue);
        gw_app_close_store(app);
        return GW_EXIT_FAIL;
    }
    uv_signal_init(&loop, &d.sigterm);
    uv_signal_init(&loop, &d.sigint);
    uv_signal_init(&loop, &d.sighup);
    d.sigterm.data = d.sigint.data = d.sighup.data = &d;
    uv_signal_start(&d.sigterm, on_signal, SIGTERM);
    uv_signal_start(&d.sigint, on_signal, SIGINT);
    uv_signal_start(&d.sighup, on_signal, SIGHUP);
    uv_timer_init(&loop, &d.watchdog);
    uv_timer_init(&loop, &d.housekeeping);
    d.housekeeping.data = &d;
    if (sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec > 0)
        uv_timer_start(&d.watchdog, on_watchdog, 0, wd_usec / 2000);
    uv_timer_start(&d.housekeeping, on_housekeeping, 60 * 1000, 6 * 3600 * 1000);

    start_ui(&d);
    gw_poller_start(app);
    start_uplink(&d);
    start_discovery(&d);
    gw_log_notice(GW, "fleetgw %s started state_dir=%s devices=%d pid=%d", PACKAGE_VERSION,
                  app->cfg.state_dir, gw_device_count(app->db), (int)getpid());
    sd_notifyf(0, "READY=1\nSTATUS=polling %d devices", gw_device_count(app->db));

    uv_run(&loop, UV_RUN_DEFAULT);
    /* libwebsockets frees its context only on a second destroy after the loop ran dry. */
    ui_server_free(d.ui);
    d.ui = NULL;

    rc = uv_loop_close(&loop);
    if (rc < 0)
        gw_log_err(GW, "loop closed with handles still open err=%s", uv_strerror(rc));
    snmpc_catalogue_free(app->catalogue);
    snmpc_lib_shutdown();
    gw_app_close_store(app);
    gw_log_notice(GW, "stopped");
    return rc < 0 ? GW_EXIT_FAIL : d.exit_status;
}
