/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The program's own operations (status, device.*, credential.*, reload) and the list of every
 * module's table that ctl.c merges. A handler here gets the struct gw_app as ctx->mod: device
 * changes make the running poller re-read the registry. Arguments reach a handler validated
 * against its row's schema (gateway/op.c); the audit record a handler asks for with
 * gw_op_audit() is written by the dispatcher.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "gateway/app/cli.h"
#include "uplink/up.h"
#include "discovery/disc.h"
#include "webui/ui.h"

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

static json_t *op_status(struct gw_op_ctx *ctx, json_t *args)
{
    struct gw_app *app = ctx->mod;
    json_t *by = json_object();
    json_t *r = gw_reply_ok();
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

static json_t *op_device_add(struct gw_op_ctx *ctx, json_t *req)
{
    struct gw_app *app = ctx->mod;
    struct gw_device d = {0};
    struct gw_errbuf eb = {""};
    json_int_t port = json_integer_value(json_object_get(req, "port"));
    int rc;
    gw_strlcpy(d.address, gw_json_str(req, "address", ""), sizeof d.address);
    gw_strlcpy(d.name, gw_json_str(req, "name", ""), sizeof d.name);
    gw_strlcpy(d.credential, gw_json_str(req, "credential", ""), sizeof d.credential);
    d.port = port ? (uint16_t)port : 161;
    rc = gw_device_add(app->db, &d, &eb);
    gw_op_audit(ctx, rc ? "failed" : "ok", "%s", d.address);
    if (rc)
        return gw_reply_err(rc, eb.msg[0] ? eb.msg : gw_strerror(rc));
    changed(app);
    gw_bus_publish("device.added",
                   json_pack("{s:I, s:s}", "device_id", (json_int_t)d.id, "address", d.address));
    json_t *r = gw_reply_ok();
    gw_device_get(app->db, d.id, &d);
    json_object_set_new(r, "device", gw_device_to_json(&d));
    return r;
}

static json_t *op_device_import(struct gw_op_ctx *ctx, json_t *req)
{
    struct gw_app *app = ctx->mod;
    const char *csv = gw_json_str(req, "csv", "");
    const char *name = gw_json_str(req, "name", "import.csv");
    struct gw_errbuf eb = {""};
    FILE *f;
    int n;
    f = fmemopen((void *)csv, strlen(csv), "r");
    if (!f)
        return gw_reply_err(-errno, "cannot read the CSV");
    json_t *errors = json_array();
    n = gw_device_import_csv(app->db, f, name, errors, &eb);
    fclose(f);
    gw_op_audit(ctx, n < 0 ? "failed" : "ok", "%s", name);
    if (n < 0) {
        json_t *r = gw_reply_err(n, eb.msg[0] ? eb.msg : gw_strerror(n));
        json_object_set_new(r, "errors", errors);
        return r;
    }
    json_decref(errors);
    changed(app);
    json_t *r = gw_reply_ok();
    json_object_set_new(r, "imported", json_integer(n));
    return r;
}

static json_t *op_device_list(struct gw_op_ctx *ctx, json_t *req)
{
    struct gw_app *app = ctx->mod;
    struct list_ctx lc = {app, json_array()};
    json_t *r = gw_reply_ok();
    gw_device_foreach(app->db, push_device, &lc);
    json_object_set_new(r, "devices", lc.arr);
    return r;
}

static json_t *op_device_show(struct gw_op_ctx *ctx, json_t *req)
{
    struct gw_app *app = ctx->mod;
    struct gw_device d;
    json_int_t id = json_integer_value(json_object_get(req, "id"));
    int rc = gw_device_get(app->db, id, &d);
    if (rc)
        return gw_reply_err(rc, rc == GW_E_NOTFOUND ? "no such device" : gw_strerror(rc));
    json_t *r = gw_reply_ok(), *dj = gw_device_to_json(&d);
    gw_poller_device_json(app, dj);
    json_object_set_new(r, "device", dj);
    json_object_set_new(r, "state", gw_store_device_state(app->db, id));
    json_object_set_new(r, "events", gw_event_list(app->db, id, 20));
    return r;
}

static json_t *op_device_remove(struct gw_op_ctx *ctx, json_t *req)
{
    struct gw_app *app = ctx->mod;
    json_int_t id = json_integer_value(json_object_get(req, "id"));
    int rc = gw_device_remove(app->db, id);
    gw_op_audit(ctx, rc ? "failed" : "ok", "id=%lld", (long long)id);
    if (rc)
        return gw_reply_err(rc, rc == GW_E_NOTFOUND ? "no such device" : gw_strerror(rc));
    changed(app);
    gw_bus_publish("device.removed", json_pack("{s:I}", "device_id", (json_int_t)id));
    return gw_reply_ok();
}

static json_t *op_device_set(struct gw_op_ctx *ctx, json_t *req)
{
    struct gw_app *app = ctx->mod;
    json_int_t id = json_integer_value(json_object_get(req, "id"));
    const char *prio = gw_json_str(req, "priority", "");
    char detail[64];
    int rc = gw_device_set_priority(app->db, id, strcmp(prio, "auto") == 0 ? NULL : prio);
    snprintf(detail, sizeof detail, "id=%lld priority=%s", (long long)id, prio);
    gw_op_audit(ctx, rc ? "failed" : "ok", "%s", detail);
    if (rc == GW_E_INVAL)
        return gw_reply_err(rc, "priority: must be high, middle, low or auto");
    if (rc)
        return gw_reply_err(rc, rc == GW_E_NOTFOUND ? "no such device" : gw_strerror(rc));
    changed(app);
    return gw_reply_ok();
}

static json_t *op_credential_add(struct gw_op_ctx *ctx, json_t *req)
{
    struct gw_app *app = ctx->mod;
    struct gw_credential c = {0};
    struct gw_errbuf eb = {""};
    const char *ver = gw_json_str(req, "version", "2c");
    const char *lvl = gw_json_str(req, "sec_level", "authPriv");
    int rc;
    gw_strlcpy(c.name, gw_json_str(req, "name", ""), sizeof c.name);
    if (strcmp(ver, "1") == 0)
        c.version = GW_SNMP_V1;
    else if (strcmp(ver, "2c") == 0)
        c.version = GW_SNMP_V2C;
    else if (strcmp(ver, "3") == 0)
        c.version = GW_SNMP_V3;
    else
        return gw_reply_err(GW_E_INVAL, "version: must be 1, 2c or 3");
    if (strcasecmp(lvl, "noAuthNoPriv") == 0)
        c.sec_level = GW_SEC_NOAUTH;
    else if (strcasecmp(lvl, "authNoPriv") == 0)
        c.sec_level = GW_SEC_AUTHNOPRIV;
    else if (strcasecmp(lvl, "authPriv") == 0)
        c.sec_level = GW_SEC_AUTHPRIV;
    else
        return gw_reply_err(GW_E_INVAL, "level: must be noAuthNoPriv, authNoPriv or authPriv");
    gw_strlcpy(c.sec_name, gw_json_str(req, "sec_name", ""), sizeof c.sec_name);
    gw_strlcpy(c.auth_proto, gw_json_str(req, "auth_proto", ""), sizeof c.auth_proto);
    gw_strlcpy(c.priv_proto, gw_json_str(req, "priv_proto", ""), sizeof c.priv_proto);
    gw_strlcpy(c.context, gw_json_str(req, "context", ""), sizeof c.context);
    if (json_object_get(req, "community"))
        c.community = gw_strdup(gw_json_str(req, "community", ""));
    if (json_object_get(req, "auth_pass"))
        c.auth_pass = gw_strdup(gw_json_str(req, "auth_pass", ""));
    if (json_object_get(req, "priv_pass"))
        c.priv_pass = gw_strdup(gw_json_str(req, "priv_pass", ""));
    rc = gw_credential_check(&c, &eb);
    if (rc == 0)
        rc = gw_credential_add(app->db, app->vault, &c, &eb);
    gw_credential_cleanup(&c);
    gw_op_audit(ctx, rc ? "failed" : "ok", "%s", gw_json_str(req, "name", ""));
    if (rc)
        return gw_reply_err(rc, eb.msg[0] ? eb.msg : gw_strerror(rc));
    changed(app);
    return gw_reply_ok();
}

static json_t *op_credential_list(struct gw_op_ctx *ctx, json_t *req)
{
    struct gw_app *app = ctx->mod;
    json_t *r = gw_reply_ok();
    json_object_set_new(r, "credentials", gw_credential_list(app->db));
    return r;
}

static json_t *op_credential_remove(struct gw_op_ctx *ctx, json_t *req)
{
    struct gw_app *app = ctx->mod;
    struct gw_errbuf eb = {""};
    const char *name = gw_json_str(req, "name", "");
    int rc = gw_credential_remove(app->db, name, &eb);
    gw_op_audit(ctx, rc ? "failed" : "ok", "%s", name);
    if (rc)
        return gw_reply_err(rc, eb.msg[0] ? eb.msg : gw_strerror(rc));
    return gw_reply_ok();
}

static json_t *op_reload(struct gw_op_ctx *ctx, json_t *req)
{
    changed(ctx->mod);
    return gw_reply_ok();
}

#define NARGS(a) (sizeof(a) / sizeof((a)[0]))

/* Limits are the sizes the store keeps (struct gw_device, struct gw_credential): a longer
 * value is refused rather than cut. */
static const struct gw_op_arg device_add_args[] = {
    {"address", GW_OP_T_STRING, GW_OP_REQUIRED, 1, 255},
    {"port", GW_OP_T_INT, 0, 0, 65535},
    {"credential", GW_OP_T_STRING, 0, 0, 63},
    {"name", GW_OP_T_STRING, 0, 0, 127},
};
static const struct gw_op_arg device_import_args[] = {
    {"csv", GW_OP_T_STRING, GW_OP_REQUIRED, 0, 0},
    {"name", GW_OP_T_STRING, 0, 0, 0},
};
static const struct gw_op_arg device_id_args[] = {
    {"id", GW_OP_T_INT, GW_OP_REQUIRED, 0, 0},
};
static const struct gw_op_arg device_set_args[] = {
    {"id", GW_OP_T_INT, GW_OP_REQUIRED, 0, 0},
    {"priority", GW_OP_T_STRING, GW_OP_REQUIRED, 0, 0},
};
static const struct gw_op_arg credential_add_args[] = {
    {"name", GW_OP_T_STRING, GW_OP_REQUIRED, 0, 63},
    {"version", GW_OP_T_STRING, 0, 0, 0},
    {"community", GW_OP_T_STRING, GW_OP_SECRET, 0, 0},
    {"sec_name", GW_OP_T_STRING, 0, 0, 63},
    {"sec_level", GW_OP_T_STRING, 0, 0, 0},
    {"auth_proto", GW_OP_T_STRING, 0, 0, 0},
    {"auth_pass", GW_OP_T_STRING, GW_OP_SECRET, 0, 0},
    {"priv_proto", GW_OP_T_STRING, 0, 0, 0},
    {"priv_pass", GW_OP_T_STRING, GW_OP_SECRET, 0, 0},
    {"context", GW_OP_T_STRING, 0, 0, 63},
};
static const struct gw_op_arg credential_name_args[] = {
    {"name", GW_OP_T_STRING, GW_OP_REQUIRED, 0, 0},
};

/* clang-format off */
static const struct gw_op gw_app_ops[] = {
    {"status", NULL, 0, GW_OP_READ, NULL, GW_ROLE_VIEWER, op_status},
    /* Re-reads the registry in the running poller. */
    {"reload", NULL, 0, GW_OP_READ, NULL, GW_ROLE_ADMIN, op_reload},
    {"device.add", device_add_args, NARGS(device_add_args), GW_OP_DEVICE, "device.add",
     GW_ROLE_ADMIN, op_device_add},
    {"device.import", device_import_args, NARGS(device_import_args), GW_OP_DEVICE,
     "device.import", GW_ROLE_ADMIN, op_device_import},
    {"device.list", NULL, 0, GW_OP_READ, NULL, GW_ROLE_VIEWER, op_device_list},
    {"device.show", device_id_args, NARGS(device_id_args), GW_OP_READ, NULL, GW_ROLE_VIEWER,
     op_device_show},
    {"device.set", device_set_args, NARGS(device_set_args), GW_OP_DEVICE, "device.set",
     GW_ROLE_ADMIN, op_device_set},
    {"device.remove", device_id_args, NARGS(device_id_args), GW_OP_DEVICE, "device.remove",
     GW_ROLE_ADMIN, op_device_remove},
    {"credential.add", credential_add_args, NARGS(credential_add_args), GW_OP_DEVICE,
     "credential.add", GW_ROLE_ADMIN, op_credential_add},
    {"credential.list", NULL, 0, GW_OP_READ, NULL, GW_ROLE_VIEWER, op_credential_list},
    {"credential.remove", credential_name_args, NARGS(credential_name_args), GW_OP_DEVICE,
     "credential.remove", GW_ROLE_ADMIN, op_credential_remove},
};
/* clang-format on */

size_t gw_app_op_tables(struct gw_op_table *out, size_t max)
{
    const struct gw_op_table t[] = {
        {"gateway", gw_app_ops, NARGS(gw_app_ops)},
        {"uplink", up_ops, up_n_ops},
        {"discovery", disc_ops, disc_n_ops},
        {"webui", ui_ops, ui_n_ops},
    };
    GW_ASSERT(max >= NARGS(t));
    memcpy(out, t, sizeof t);
    return NARGS(t);
}

void gw_app_op_mods(struct gw_app *app, void **mods, size_t max)
{
    app->disc_ops_env.m = app->disc;
    app->disc_ops_env.cat = app->catalogue;
    void *m[] = {app, app->up, &app->disc_ops_env, NULL};
    GW_ASSERT(max >= NARGS(m));
    memcpy(mods, m, sizeof m);
}
