/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The JSON API under /api/v1/ (documented in docs/api.md).
 *
 * One route table, deny by default: a route names its method, path (a '*' segment is the
 * argument), the role it needs and whether an account with an expired password may use it.
 * Every request goes through the same checks, in this order, before a handler runs:
 *   1. a session (except POST /session, the login), else 401;
 *   2. the path exists (404) and takes the method (405);
 *   3. state-changing methods: Sec-Fetch-Site same-origin/none when sent, Origin (or Referer)
 *      equal to https://<Host>, and X-CSRF-Token equal to the session's token, else 403;
 *   4. an expired password allows only the session routes, else 403;
 *   5. the role (viewer: reads only), else 403;
 *   6. the body is one JSON object (400 with the parser's message otherwise).
 * Device and credential changes go through the program's operations (hooks.ctl, gateway/gw_op.h)
 * with the session's user and role, the same code the CLI runs, which writes their audit
 * records; account and settings changes are audited here.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libwebsockets.h>
#include <openssl/crypto.h>
#include <sqlite3.h>

#include "webui/ui_int.h"

enum access { PUBLIC, VIEWER, ADMIN };

typedef void (*handler_fn)(struct ui__req *r, json_t *body, const char *arg);

struct route {
    enum ui__method method;
    const char *path; /* below /api/v1 */
    enum access access;
    bool expired_ok; /* usable while the password must be changed */
    bool body;       /* needs a JSON body */
    handler_fn fn;
};

static const char *const method_names[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "OTHER"};

/* --- helpers --- */

static char *source_of(struct ui__req *r, char *buf, size_t len)
{
    snprintf(buf, len, "webui %s", r->peer);
    return buf;
}

static int status_for(json_t *reply)
{
    json_int_t code = json_integer_value(json_object_get(reply, "code"));
    switch (code) {
    case GW_E_NOTFOUND:
        return 404;
    case GW_E_EXISTS:
    case GW_E_BUSY:
        return 409;
    case GW_E_PERM:
        return 403;
    case GW_E_INVAL:
    case GW_E_PARSE:
    case GW_E_TOOBIG:
    case DISC_E_TARGET:
    case DISC_E_TOO_LARGE:
        return 400;
    default:
        return 500;
    }
}

/* Runs a control request as the session's user, taking req. Returns: the reply, successful
 * or not (new reference), or NULL after answering 503 when the program gave no handler. */
static json_t *ctl_raw(struct ui__req *r, json_t *req)
{
    char src[96];
    json_t *rep;
    if (!r->srv->hooks.ctl) {
        json_decref(req);
        ui__respond_error(r, 503, "This gateway does not accept changes from the web UI.");
        return NULL;
    }
    struct gw_op_caller who = {GW_OP_SRC_WEBUI,
                               r->sess.role == UI_ROLE_ADMIN ? GW_ROLE_ADMIN : GW_ROLE_VIEWER,
                               r->sess.user, source_of(r, src, sizeof src)};
    rep = r->srv->hooks.ctl(req, &who, r->srv->hooks.arg);
    json_decref(req);
    return rep ? rep : json_pack("{s:b, s:s}", "ok", 0, "error", "The request failed.");
}

static bool ctl_ok(json_t *rep)
{
    return rep && json_is_true(json_object_get(rep, "ok"));
}

/* Runs a control request as the session's user. Returns: the reply (new reference) or NULL
 * after answering the failure. */
static json_t *ctl(struct ui__req *r, json_t *req)
{
    json_t *rep = ctl_raw(r, req);
    if (!rep)
        return NULL;
    if (!ctl_ok(rep)) {
        const char *msg = json_string_value(json_object_get(rep, "error"));
        ui__respond_error(r, rep ? status_for(rep) : 500, msg ? msg : "The request failed.");
        json_decref(rep);
        return NULL;
    }
    json_object_del(rep, "ok");
    return rep;
}

static int arg_int(struct ui__req *r, const char *name, int def, int min, int max)
{
    char buf[32];
    char *e;
    long v;
    if (!ui__query_arg(r, name, buf, sizeof buf) || !*buf)
        return def;
    v = strtol(buf, &e, 10);
    if (*e || v < min)
        return def;
    return v > max ? max : (int)v;
}

static bool parse_id(const char *s, int64_t *id)
{
    char *e;
    long long v = strtoll(s ? s : "", &e, 10);
    if (!s || !*s || *e || v <= 0)
        return false;
    *id = v;
    return true;
}

/* --- session --- */

static void h_session_get(struct ui__req *r, json_t *body, const char *arg)
{
    struct ui_server *s = r->srv;
    ui__respond_json(r, 200,
                     json_pack("{s:s, s:s, s:s, s:b, s:i, s:i, s:I, s:I}", "user", r->sess.user,
                               "role", ui__role_name(r->sess.role), "csrf", r->sess.csrf,
                               "must_change", r->sess.must_change, "idle_timeout_s", s->sec.idle_s,
                               "lifetime_s", s->sec.lifetime_s, "created",
                               (json_int_t)r->sess.created, "expires",
                               (json_int_t)(r->sess.created + s->sec.lifetime_s)));
}

static void h_login(struct ui__req *r, json_t *body, const char *arg)
{
    ui__login(r, body);
}

static void h_logout(struct ui__req *r, json_t *body, const char *arg)
{
    ui__logout(r);
}

static void h_password(struct ui__req *r, json_t *body, const char *arg)
{
    ui__password_change(r, body);
}

/* --- status and about --- */

static void h_status(struct ui__req *r, json_t *body, const char *arg)
{
    struct ui_server *s = r->srv;
    json_t *d = gw_query_dashboard(s->db), *gw = json_object();
    if (s->hooks.status)
        s->hooks.status(gw, s->hooks.arg);
    json_object_del(gw, "ok");
    json_object_set_new(d, "gateway", gw);
    ui__respond_json(r, 200, d);
}

static void h_about(struct ui__req *r, json_t *body, const char *arg)
{
    struct ui_server *s = r->srv;
    ui__respond_json(r, 200,
                     json_pack("{s:s, s:s, s:s, s:s, s:s}", "product", "fleetgw", "version",
                               PACKAGE_VERSION, "libwebsockets", lws_get_library_version(),
                               "sqlite", sqlite3_libversion(), "tls_fingerprint_sha256",
                               s->fingerprint));
}

/* --- devices --- */

static void h_devices(struct ui__req *r, json_t *body, const char *arg)
{
    struct gw_device_query q = {0};
    char text[128] = "", status[32] = "", sort[32] = "", order[8] = "", alerts[8] = "";
    json_t *res;
    ui__query_arg(r, "q", text, sizeof text);
    ui__query_arg(r, "status", status, sizeof status);
    ui__query_arg(r, "sort", sort, sizeof sort);
    ui__query_arg(r, "order", order, sizeof order);
    ui__query_arg(r, "alerts", alerts, sizeof alerts);
    if (*sort && !gw_query_sort_valid(sort)) {
        ui__respond_error(r, 400, "sort: unknown column");
        return;
    }
    q.text = text;
    q.status = status;
    q.sort = *sort ? sort : "id";
    q.desc = strcmp(order, "desc") == 0;
    q.alerts_only = strcmp(alerts, "1") == 0 || strcmp(alerts, "true") == 0;
    q.offset = arg_int(r, "offset", 0, 0, 10000000);
    q.limit = arg_int(r, "limit", 50, 1, 1000);
    res = gw_query_devices(r->srv->db, &q);
    if (!res) {
        ui__respond_error(r, 500, "The device list could not be read; see the gateway's log.");
        return;
    }
    ui__respond_json(r, 200, res);
}

static void publish_device(struct ui__req *r, const char *action, json_int_t id)
{
    json_t *d = json_pack("{s:s, s:I, s:s}", "action", action, "id", id, "by", r->sess.user);
    ui_event_publish(r->srv, "device", d);
    json_decref(d);
}

static void h_device_add(struct ui__req *r, json_t *body, const char *arg)
{
    char err[160];
    const char *addr = ui__json_str(body, "address", 255, err, sizeof err);
    const char *cred = addr ? ui__json_str(body, "credential", 63, err, sizeof err) : NULL;
    json_t *name = json_object_get(body, "name"), *port = json_object_get(body, "port"), *rep;
    long long p = 161;
    if (!addr || !cred) {
        ui__respond_error(r, 400, err);
        return;
    }
    if (port && ui__json_int(body, "port", 1, 65535, &p, err, sizeof err) < 0) {
        ui__respond_error(r, 400, err);
        return;
    }
    if (name && (!json_is_string(name) || json_string_length(name) > 127)) {
        ui__respond_error(r, 400, "name: must be a string of at most 127 bytes");
        return;
    }
    rep = ctl(r, json_pack("{s:s, s:s, s:I, s:s, s:s}", "cmd", "device.add", "address", addr,
                           "port", (json_int_t)p, "credential", cred, "name",
                           name ? json_string_value(name) : ""));
    if (!rep)
        return;
    publish_device(r, "added",
                   json_integer_value(json_object_get(json_object_get(rep, "device"), "id")));
    ui__respond_json(r, 201, rep);
}

static void h_device_get(struct ui__req *r, json_t *body, const char *arg)
{
    int64_t id;
    json_t *rep;
    if (!parse_id(arg, &id)) {
        ui__respond_error(r, 404, "No such device.");
        return;
    }
    rep = ctl(r, json_pack("{s:s, s:I}", "cmd", "device.show", "id", (json_int_t)id));
    if (!rep)
        return;
    json_object_set_new(rep, "counter_names", gw_query_counter_names(r->srv->db, id));
    ui__respond_json(r, 200, rep);
}

static void h_device_delete(struct ui__req *r, json_t *body, const char *arg)
{
    int64_t id;
    json_t *rep;
    if (!parse_id(arg, &id)) {
        ui__respond_error(r, 404, "No such device.");
        return;
    }
    rep = ctl(r, json_pack("{s:s, s:I}", "cmd", "device.remove", "id", (json_int_t)id));
    if (!rep)
        return;
    publish_device(r, "removed", (json_int_t)id);
    ui__respond_json(r, 200, rep);
}

static void h_device_priority(struct ui__req *r, json_t *body, const char *arg)
{
    char err[160];
    const char *prio = ui__json_str(body, "priority", 8, err, sizeof err);
    int64_t id;
    json_t *rep;
    if (!parse_id(arg, &id)) {
        ui__respond_error(r, 404, "No such device.");
        return;
    }
    if (!prio) {
        ui__respond_error(r, 400, err);
        return;
    }
    rep = ctl(r, json_pack("{s:s, s:I, s:s}", "cmd", "device.set", "id", (json_int_t)id, "priority",
                           prio));
    if (!rep)
        return;
    publish_device(r, "changed", (json_int_t)id);
    ui__respond_json(r, 200, rep);
}

static void h_device_history(struct ui__req *r, json_t *body, const char *arg)
{
    char counter[64] = "total";
    int64_t id;
    int days = arg_int(r, "days", 30, 1, 3650);
    struct gw_device d;
    if (!parse_id(arg, &id) || gw_device_get(r->srv->db, id, &d) < 0) {
        ui__respond_error(r, 404, "No such device.");
        return;
    }
    ui__query_arg(r, "counter", counter, sizeof counter);
    ui__respond_json(r, 200,
                     json_pack("{s:I, s:s, s:i, s:o}", "device_id", (json_int_t)id, "counter",
                               counter, "days", days, "points",
                               gw_query_counter_history(r->srv->db, id, counter,
                                                        gw_now() - (int64_t)days * 86400)));
}

/* --- credentials --- */

static void h_credentials(struct ui__req *r, json_t *body, const char *arg)
{
    json_t *rep = ctl(r, json_pack("{s:s}", "cmd", "credential.list"));
    if (rep)
        ui__respond_json(r, 200, rep);
}

/* Checks the fields of a new credential set and builds its control request in *req (when
 * req is not NULL). Returns: true, or false after answering 400. */
static bool credential_check(struct ui__req *r, json_t *body, json_t **req)
{
    static const char *const fields[] = {"name",      "version",    "community", "sec_name",
                                         "sec_level", "auth_proto", "auth_pass", "priv_proto",
                                         "priv_pass", "context"};
    json_t *q = json_pack("{s:s}", "cmd", "credential.add");
    const char *key;
    json_t *v;
    char err[160];
    json_object_foreach(body, key, v)
    {
        bool known = false;
        if (strcmp(key, "current_password") == 0)
            continue;
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            known = known || strcmp(fields[i], key) == 0;
        if (!known || !ui__json_str(body, key, 256, err, sizeof err)) {
            if (!known)
                snprintf(err, sizeof err, "%.64s: unknown field", key);
            json_decref(q);
            ui__respond_error(r, 400, err);
            return false;
        }
        json_object_set(q, key, v);
    }
    if (!json_object_get(q, "name")) {
        json_decref(q);
        ui__respond_error(r, 400, "name: missing");
        return false;
    }
    if (req)
        *req = q;
    else
        json_decref(q); /* shallow: the strings stay body's, wiped with it */
    return true;
}

static void credential_add_apply(struct ui__req *r, json_t *body, const char *arg)
{
    json_t *req, *rep;
    if (!credential_check(r, body, &req))
        return;
    /* ctl wipes the secrets in req; body still holds them and is wiped with the request. */
    rep = ctl(r, req);
    if (rep)
        ui__respond_json(r, 201, rep);
}

/* SNMP secrets are as sensitive as the security settings: checked first, then the current
 * password, then added. */
static void h_credential_add(struct ui__req *r, json_t *body, const char *arg)
{
    if (credential_check(r, body, NULL))
        ui__reauth(r, body, NULL, "credential.add", credential_add_apply);
}

static void h_credential_delete(struct ui__req *r, json_t *body, const char *arg)
{
    json_t *rep = ctl(r, json_pack("{s:s, s:s}", "cmd", "credential.remove", "name", arg));
    if (rep)
        ui__respond_json(r, 200, rep);
}

/* --- discovery settings --- */

/* Every discovery change and run goes through the control commands discover.add, .list,
 * .show, .remove and .run (discovery/run.c), which `fleetgw discover` runs too; they validate
 * the targets and write the audit records. Here the body's types are checked and the
 * validator's sentence is tied to the form field it is about. */

/* Returns: the form field an error of discover.add is about, or NULL. */
static const char *disc_field(const char *msg)
{
    static const struct {
        const char *prefix, *field;
    } map[] = {
        {"name:", "name"},
        {"a discovery setting", "name"},
        {"target", "targets"},
        {"no targets", "targets"},
        {"exclude", "excludes"},
        {"schedule", "schedule"},
        {"window", "window"},
        {"pps", "pps"},
        {"port", "port"},
        {"credential", "credentials"},
        {"wsd interface", "wsd_interface"},
        {"wsd port", "wsd_port"},
    };
    for (size_t i = 0; msg && i < sizeof map / sizeof map[0]; i++)
        if (strncmp(msg, map[i].prefix, strlen(map[i].prefix)) == 0)
            return map[i].field;
    return NULL;
}

/* An existing name is a conflict (409) rather than bad input in a field: asked first. */
static bool disc_exists(struct ui__req *r, const char *name)
{
    json_t *rep = r->srv->hooks.ctl
                      ? ctl_raw(r, json_pack("{s:s, s:s}", "cmd", "discover.show", "name", name))
                      : NULL;
    bool found = ctl_ok(rep);
    json_decref(rep);
    if (found) {
        char msg[160];
        snprintf(msg, sizeof msg, "A discovery setting named '%s' exists already.", name);
        ui__respond_json(r, 409, json_pack("{s:s, s:s}", "error", msg, "field", "name"));
    }
    return found;
}

/* Answers a failed discover.* reply: {"error", "field"?, "needs_confirm"?}. Decrefs rep. */
static void disc_fail(struct ui__req *r, json_t *rep)
{
    const char *msg = json_string_value(json_object_get(rep, "error"));
    json_int_t code = json_integer_value(json_object_get(rep, "code"));
    const char *field = disc_field(msg);
    json_t *o = json_pack("{s:s}", "error", msg ? msg : "The request failed.");
    if (field)
        json_object_set_new(o, "field", json_string(field));
    if (code == DISC_E_TOO_LARGE && msg && strstr(msg, "confirm"))
        json_object_set_new(o, "needs_confirm", json_true());
    /* A credential set named in the body that does not exist is bad input, not a missing
     * resource. */
    ui__respond_json(r, field ? 400 : status_for(rep), o);
    json_decref(rep);
}

static void disc_bad_body(struct ui__req *r, const char *err, const char *field)
{
    json_t *o = json_pack("{s:s}", "error", err);
    if (field)
        json_object_set_new(o, "field", json_string(field));
    ui__respond_json(r, 400, o);
}

/* Runs the control command cmd ("discover.show", ...) on a setting and answers with its reply
 * (without "ok" unless keep_ok) and status, or with the refusal. */
static void disc_call(struct ui__req *r, const char *cmd, const char *name, int status,
                      bool keep_ok)
{
    json_t *rep = ctl_raw(r, json_pack("{s:s, s:s}", "cmd", cmd, "name", name));
    if (!rep)
        return;
    if (!ctl_ok(rep)) {
        disc_fail(r, rep);
        return;
    }
    if (!keep_ok)
        json_object_del(rep, "ok");
    ui__respond_json(r, status, rep);
}

static void disc_show(struct ui__req *r, const char *name, int status)
{
    disc_call(r, "discover.show", name, status, false);
}

static void h_discovery(struct ui__req *r, json_t *body, const char *arg)
{
    json_t *rep = ctl(r, json_pack("{s:s}", "cmd", "discover.list"));
    if (rep)
        ui__respond_json(r, 200, rep);
}

static void h_discovery_get(struct ui__req *r, json_t *body, const char *arg)
{
    disc_show(r, arg, 200);
}

/* Runs a discover.add or discover.set request (takes it). Returns: true when stored; false when
 * refused, and then the refusal has been answered. */
static bool disc_store(struct ui__req *r, json_t *req)
{
    json_t *rep = ctl_raw(r, req);
    if (!rep)
        return false;
    if (!ctl_ok(rep)) {
        disc_fail(r, rep);
        return false;
    }
    json_decref(rep);
    return true;
}

static void h_discovery_add(struct ui__req *r, json_t *body, const char *arg)
{
    char err[200];
    const char *field = NULL;
    json_t *req = ui__discovery_from_json(body, NULL, err, sizeof err, &field);
    char name[64];
    if (!req) {
        disc_bad_body(r, err, field);
        return;
    }
    gw_strlcpy(name, json_string_value(json_object_get(req, "name")), sizeof name);
    if (disc_exists(r, name)) {
        json_decref(req);
        return;
    }
    if (disc_store(r, req))
        disc_show(r, name, 201);
}

/* A change goes through discover.set, which keeps the setting's last run and its printers. A
 * new name is a new setting: it is added first, and the old one removed only once the add
 * succeeded (a running setting cannot change: 409). */
static void h_discovery_put(struct ui__req *r, json_t *body, const char *arg)
{
    char err[200], name[64];
    const char *field = NULL;
    json_t *req = ui__discovery_from_json(body, arg, err, sizeof err, &field), *old, *rep, *run;
    if (!req) {
        disc_bad_body(r, err, field);
        return;
    }
    gw_strlcpy(name, json_string_value(json_object_get(req, "name")), sizeof name);
    if (strcmp(name, arg) == 0) {
        json_object_set_new(req, "cmd", json_string("discover.set"));
        if (disc_store(r, req))
            disc_show(r, name, 200);
        return;
    }
    old = ctl_raw(r, json_pack("{s:s, s:s}", "cmd", "discover.show", "name", arg));
    if (!old || !ctl_ok(old)) {
        json_decref(req);
        if (old)
            disc_fail(r, old);
        return;
    }
    run = json_object_get(json_object_get(old, "setting"), "last_run");
    if (json_is_object(run) &&
        strcmp(json_string_value(json_object_get(run, "state")) ?: "", "running") == 0) {
        json_decref(req);
        json_decref(old);
        ui__respond_json(r, 409,
                         json_pack("{s:s}", "error",
                                   "The discovery setting is running; change it when the sweep "
                                   "has finished."));
        return;
    }
    json_decref(old);
    if (disc_exists(r, name)) {
        json_decref(req);
        return;
    }
    if (!disc_store(r, req))
        return;
    rep = ctl_raw(r, json_pack("{s:s, s:s}", "cmd", "discover.remove", "name", arg));
    if (rep && !ctl_ok(rep))
        gw_log_warn(UI, "discovery setting %s renamed to %s, but the old one stays: %s", arg, name,
                    json_string_value(json_object_get(rep, "error")));
    json_decref(rep);
    disc_show(r, name, 200);
}

static void h_discovery_delete(struct ui__req *r, json_t *body, const char *arg)
{
    disc_call(r, "discover.remove", arg, 200, true);
}

static void h_discovery_run(struct ui__req *r, json_t *body, const char *arg)
{
    disc_call(r, "discover.run", arg, 202, false);
}

/* --- audit --- */

static void h_audit(struct ui__req *r, json_t *body, const char *arg)
{
    char q[128] = "";
    ui__query_arg(r, "q", q, sizeof q);
    ui__respond_json(r, 200,
                     gw_query_audit(r->srv->db, q, arg_int(r, "offset", 0, 0, 100000000),
                                    arg_int(r, "limit", 100, 1, 1000)));
}

static void h_audit_csv(struct ui__req *r, json_t *body, const char *arg)
{
    char *buf = NULL, src[96], ts[21];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int rc = f ? gw_query_audit_csv(r->srv->db, f) : GW_E_INTERNAL;
    if (f)
        fclose(f);
    gw_audit_add(r->srv->db, r->sess.user, source_of(r, src, sizeof src), "audit.export",
                 rc < 0 ? "failed" : "ok", "csv");
    if (rc < 0) {
        free(buf);
        ui__respond_error(r, 500, "The audit log could not be exported; see the gateway's log.");
        return;
    }
    snprintf(r->disposition, sizeof r->disposition,
             "attachment; filename=\"fleetgw-audit-%.10s.csv\"", gw_time_iso(gw_now(), ts));
    ui__respond(r, 200, "text/csv; charset=utf-8", buf, len);
}

/* --- system log --- */

/* The daemon's recent records from its in-memory ring (gw_log_recent()), not the journal:
 * the service user may not read the journal, and the ring holds the same lines. */
static void h_system_log(struct ui__req *r, json_t *body, const char *arg)
{
    char src[96], ts[21], detail[64];
    size_t len = 0;
    char *text = gw_log_recent(&len);
    snprintf(detail, sizeof detail, "%zu bytes", len);
    gw_audit_add(r->srv->db, r->sess.user, source_of(r, src, sizeof src), "system.log.download",
                 "ok", detail);
    snprintf(r->disposition, sizeof r->disposition,
             "attachment; filename=\"fleetgw-log-%.10s.txt\"", gw_time_iso(gw_now(), ts));
    ui__respond(r, 200, "text/plain; charset=utf-8", text, len);
}

/* --- users --- */

static json_t *iso_or_null(int64_t t)
{
    char buf[21];
    return t > 0 ? json_string(gw_time_iso(t, buf)) : json_null();
}

static void h_users(struct ui__req *r, json_t *body, const char *arg)
{
    sqlite3_stmt *st;
    gw_db_prepare(r->srv->db,
                  "SELECT name, role, locked_until, failed, last_login, "
                  "pw_changed, created FROM ui_users ORDER BY name",
                  &st);
    json_t *arr = json_array();
    int64_t now = gw_now();
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        int64_t lu = sqlite3_column_int64(st, 2);
        json_array_append_new(
            arr,
            json_pack("{s:s, s:s, s:b, s:o, s:i, s:o, s:o, s:o}", "name",
                      (const char *)sqlite3_column_text(st, 0), "role",
                      (const char *)sqlite3_column_text(st, 1), "locked", lu > now, "locked_until",
                      iso_or_null(lu > now ? lu : 0), "failed", sqlite3_column_int(st, 3),
                      "last_login", iso_or_null(sqlite3_column_int64(st, 4)), "password_changed",
                      iso_or_null(sqlite3_column_int64(st, 5)), "created",
                      iso_or_null(sqlite3_column_int64(st, 6))));
    }
    sqlite3_finalize(st);
    ui__respond_json(r, 200, json_pack("{s:o}", "users", arr));
}

/* Account changes need the administrator's current password too (ui__reauth). */
static void user_add_apply(struct ui__req *r, json_t *body, const char *arg)
{
    ui__user_create(r, body);
}

static void h_user_add(struct ui__req *r, json_t *body, const char *arg)
{
    ui__reauth(r, body, NULL, "user.create", user_add_apply);
}

static void user_delete_apply(struct ui__req *r, json_t *body, const char *arg);
static void user_unlock_apply(struct ui__req *r, json_t *body, const char *arg);

static bool user_deletable(struct ui__req *r, const char *arg)
{
    if (strcmp(arg, UI_ADMIN_USER) == 0 || strcmp(arg, r->sess.user) == 0) {
        ui__respond_error(r, 400,
                          "The administrator account and your own account cannot be "
                          "deleted.");
        return false;
    }
    return true;
}

static void h_user_delete(struct ui__req *r, json_t *body, const char *arg)
{
    if (user_deletable(r, arg))
        ui__reauth(r, body, arg, "user.delete", user_delete_apply);
}

static void user_delete_apply(struct ui__req *r, json_t *body, const char *arg)
{
    char src[96];
    sqlite3_stmt *st;
    int changes = 0;
    if (!user_deletable(r, arg))
        return;
    /* Sessions go with the account (ON DELETE CASCADE). */
    gw_db_prepare(r->srv->db, "DELETE FROM ui_users WHERE name = ?1", &st);
    if (st) {
        gw_db_bind_text(st, 1, arg);
        if (sqlite3_step(st) == SQLITE_DONE)
            changes = gw_db_changes(r->srv->db);
        sqlite3_finalize(st);
    }
    gw_audit_add(r->srv->db, r->sess.user, source_of(r, src, sizeof src), "user.delete",
                 changes ? "ok" : "failed", arg);
    if (!changes) {
        ui__respond_error(r, 404, "No such account.");
        return;
    }
    ui__respond_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static void h_user_unlock(struct ui__req *r, json_t *body, const char *arg)
{
    ui__reauth(r, body, arg, "account.unlocked", user_unlock_apply);
}

static void user_unlock_apply(struct ui__req *r, json_t *body, const char *arg)
{
    char src[96];
    int rc = ui_user_unlock(r->srv->db, arg);
    gw_audit_add(r->srv->db, r->sess.user, source_of(r, src, sizeof src), "account.unlocked",
                 rc < 0 ? "failed" : "ok", arg);
    if (rc < 0) {
        ui__respond_error(r, rc == GW_E_NOTFOUND ? 404 : 500, "No such account.");
        return;
    }
    ui__respond_json(r, 200, json_pack("{s:b}", "ok", 1));
}

/* --- sessions --- */

static void h_sessions(struct ui__req *r, json_t *body, const char *arg)
{
    ui__respond_json(r, 200, ui__sessions_list(r->srv, r->sess.token_hash));
}

static void h_session_end(struct ui__req *r, json_t *body, const char *arg)
{
    char src[96];
    int rc = ui__session_end(r->srv, arg, r->sess.user, source_of(r, src, sizeof src));
    if (rc < 0) {
        ui__respond_error(r, rc == GW_E_NOTFOUND ? 404 : 500,
                          rc == GW_E_NOTFOUND ? "No such session; it may have ended already."
                                              : "The session could not be ended.");
        return;
    }
    ui__respond_json(r, 200, json_pack("{s:b}", "ok", 1));
}

/* --- security settings --- */

static json_t *upgrade_json(int min)
{
    char buf[16];
    if (min < 0)
        return json_null();
    snprintf(buf, sizeof buf, "%02d:%02d", min / 60, min % 60);
    return json_string(buf);
}

static json_t *security_json(struct ui_server *s)
{
    json_t *o = json_pack("{s:i, s:i, s:i, s:i, s:s, s:i, s:i}", "session_idle_timeout_s",
                          s->sec.idle_s, "session_lifetime_s", s->sec.lifetime_s,
                          "lockout_threshold", s->sec.lockout_threshold, "lockout_minutes",
                          s->sec.lockout_s / 60, "tls_fingerprint_sha256", s->fingerprint,
                          "password_min_length", 8, "password_max_age_days", 365);
    json_object_set_new(o, "auto_upgrade_time", upgrade_json(s->sec.upgrade_min));
    return o;
}

static void h_security(struct ui__req *r, json_t *body, const char *arg)
{
    ui__respond_json(r, 200, security_json(r->srv));
}

/* Runs after the re-authentication; body no longer holds current_password. */
static void security_apply(struct ui__req *r, json_t *body, const char *arg)
{
    struct ui_server *s = r->srv;
    struct ui__security next = s->sec, old = s->sec;
    char err[160], detail[320], src[96], ou[16] = "none", nu[16] = "none";
    int rc;
    if (ui__security_from_json(body, &next, err, sizeof err) < 0) {
        ui__respond_error(r, 400, err);
        return;
    }
    rc = ui__security_save(s, &next);
    if (old.upgrade_min >= 0)
        snprintf(ou, sizeof ou, "%02d:%02d", old.upgrade_min / 60, old.upgrade_min % 60);
    if (next.upgrade_min >= 0)
        snprintf(nu, sizeof nu, "%02d:%02d", next.upgrade_min / 60, next.upgrade_min % 60);
    snprintf(detail, sizeof detail,
             "session_idle_timeout_s %d -> %d, lockout_threshold %d -> %d, lockout_minutes %d "
             "-> %d, auto_upgrade_time %s -> %s",
             old.idle_s, next.idle_s, old.lockout_threshold, next.lockout_threshold,
             old.lockout_s / 60, next.lockout_s / 60, ou, nu);
    gw_audit_add(s->db, r->sess.user, source_of(r, src, sizeof src), "settings.security",
                 rc < 0 ? "failed" : "ok", detail);
    if (rc < 0) {
        ui__respond_error(r, 500, "The settings could not be saved; see the gateway's log.");
        return;
    }
    ui__respond_json(r, 200, security_json(s));
}

/* PEM text contains newlines, which ui__json_str() refuses; bounded here instead. */
static const char *pem_member(json_t *body, const char *key, char *err, size_t errlen)
{
    json_t *v = json_object_get(body, key);
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 32768) {
        snprintf(err, errlen, "%s: must be PEM text of at most 32 KiB", key);
        return NULL;
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        snprintf(err, errlen, "%s: must not contain NUL characters", key);
        return NULL;
    }
    return json_string_value(v);
}

static void certificate_apply(struct ui__req *r, json_t *body, const char *arg)
{
    struct ui_server *s = r->srv;
    char err[160], src[96], cert[512], key[512], fp[100], detail[300];
    struct gw_errbuf eb = {""};
    const char *cpem, *kpem, *k;
    json_t *v;
    int rc;
    bool applied = false;
    json_object_foreach(body, k, v)
    {
        if (strcmp(k, "certificate") != 0 && strcmp(k, "key") != 0) {
            snprintf(err, sizeof err, "%.64s: unknown field", k);
            ui__respond_error(r, 400, err);
            return;
        }
    }
    cpem = pem_member(body, "certificate", err, sizeof err);
    kpem = cpem ? pem_member(body, "key", err, sizeof err) : NULL;
    if (!cpem || !kpem) {
        ui__respond_error(r, 400, err);
        return;
    }
    if (!gw_cfg_webui_cert(&s->cfg, cert, sizeof cert) ||
        !gw_cfg_webui_key(&s->cfg, key, sizeof key)) {
        ui__respond_error(r, 500, "The certificate paths are too long; see the config file.");
        return;
    }
    rc = ui__tls_install(cert, key, cpem, kpem, fp, sizeof fp, &eb);
    if (rc == 0) {
        struct gw_errbuf aeb = {""};
        applied = ui__tls_apply(s, cert, key, &aeb) == 0;
        if (applied)
            gw_strlcpy(s->fingerprint, fp, sizeof s->fingerprint);
        else
            gw_log_warn(UI, "new TLS certificate not applied: %s", aeb.msg);
        snprintf(detail, sizeof detail, "new certificate sha256 %s, %s", fp,
                 applied ? "in use" : "used after a restart");
    } else {
        snprintf(detail, sizeof detail, "%s", eb.msg);
    }
    gw_audit_add(s->db, r->sess.user, source_of(r, src, sizeof src), "tls.certificate",
                 rc < 0 ? "failed" : "ok", detail);
    if (rc < 0) {
        if (rc != GW_E_INVAL)
            gw_log_err_r(UI, rc, "certificate upload failed: %s", eb.msg);
        ui__respond_error(r, rc == GW_E_INVAL ? 400 : 500,
                          eb.msg[0] ? eb.msg : "The certificate could not be installed.");
        return;
    }
    gw_log_notice(UI, "new TLS certificate installed by=%s fingerprint=%s %s", r->sess.user, fp,
                  applied ? "in use for new connections" : "used after a restart");
    ui__respond_json(r, 200,
                     json_pack("{s:b, s:s, s:s, s:b}", "ok", 1, "pending_fingerprint_sha256", fp,
                               "tls_fingerprint_sha256", s->fingerprint, "restart_required",
                               !applied));
}

/* Security changes are checked first (a mistake costs no password check), then need the
 * current password (ui__reauth), then are made. */
static json_t *without_password(json_t *body)
{
    json_t *c = json_copy(body); /* shallow: the strings stay body's, wiped with it */
    json_object_del(c, "current_password");
    return c;
}

static void h_security_put(struct ui__req *r, json_t *body, const char *arg)
{
    struct ui__security next = r->srv->sec;
    char err[160];
    json_t *c = without_password(body);
    int rc = ui__security_from_json(c, &next, err, sizeof err);
    json_decref(c);
    if (rc < 0) {
        ui__respond_error(r, 400, err);
        return;
    }
    ui__reauth(r, body, NULL, "settings.security", security_apply);
}

static void h_certificate_put(struct ui__req *r, json_t *body, const char *arg)
{
    char err[160];
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        if (strcmp(k, "certificate") != 0 && strcmp(k, "key") != 0 &&
            strcmp(k, "current_password") != 0) {
            snprintf(err, sizeof err, "%.64s: unknown field", k);
            ui__respond_error(r, 400, err);
            return;
        }
    }
    if (!pem_member(body, "certificate", err, sizeof err) ||
        !pem_member(body, "key", err, sizeof err)) {
        ui__respond_error(r, 400, err);
        return;
    }
    ui__reauth(r, body, NULL, "tls.certificate", certificate_apply);
}

/* --- connection (uplink) --- */

/* The uplink's state comes through the control handler, like the CLI's `fleetgw status`: the
 * web UI does not link the uplink library. */
static void h_connection(struct ui__req *r, json_t *body, const char *arg)
{
    json_t *rep = ctl(r, json_pack("{s:s}", "cmd", "uplink.status"));
    if (rep)
        ui__respond_json(r, 200, rep);
}

/* Checks a mode change; with apply set, makes it. Managed mode lets the cloud run tasks on the
 * gateway, so the change needs the current password (ui__reauth) between the two. */
static void connection_mode(struct ui__req *r, json_t *body, bool apply);

static void connection_mode_apply(struct ui__req *r, json_t *body, const char *arg)
{
    connection_mode(r, body, true);
}

static void h_connection_mode(struct ui__req *r, json_t *body, const char *arg)
{
    connection_mode(r, body, false);
}

static void connection_mode(struct ui__req *r, json_t *body, bool apply)
{
    char err[160];
    const char *mode = ui__json_str(body, "mode", 16, err, sizeof err);
    json_t *until = json_object_get(body, "until"), *req, *rep;
    const char *key;
    json_t *v;
    long long u = 0;
    json_object_foreach(body, key, v)
    {
        if (strcmp(key, "mode") != 0 && strcmp(key, "until") != 0 &&
            strcmp(key, "current_password") != 0) {
            snprintf(err, sizeof err, "%.64s: unknown field", key);
            ui__respond_error(r, 400, err);
            return;
        }
    }
    if (!mode) {
        ui__respond_error(r, 400, err);
        return;
    }
    if (strcmp(mode, "manage") != 0 && strcmp(mode, "monitor") != 0) {
        ui__respond_error(r, 400, "mode: must be \"manage\" or \"monitor\"");
        return;
    }
    if (until && !json_is_null(until) &&
        ui__json_int(body, "until", 1, 4102444800LL, &u, err, sizeof err) < 0) {
        ui__respond_error(r, 400, err);
        return;
    }
    if (u && strcmp(mode, "manage") != 0) {
        ui__respond_error(r, 400, "until: only Manage mode can have an end time");
        return;
    }
    if (!apply) {
        ui__reauth(r, body, NULL, "uplink.mode", connection_mode_apply);
        return;
    }
    req = json_pack("{s:s, s:s}", "cmd", "uplink.mode", "mode", mode);
    if (u)
        json_object_set_new(req, "until", json_integer(u));
    rep = ctl(r, req);
    if (!rep)
        return;
    json_decref(rep);
    h_connection(r, NULL, NULL);
}

/* --- routing --- */

static const struct route routes[] = {
    {UI_POST, "/session", PUBLIC, true, true, h_login},
    {UI_GET, "/session", VIEWER, true, false, h_session_get},
    {UI_DELETE, "/session", VIEWER, true, false, h_logout},
    {UI_POST, "/session/password", VIEWER, true, true, h_password},
    {UI_GET, "/status", VIEWER, false, false, h_status},
    {UI_GET, "/about", VIEWER, true, false, h_about},
    {UI_GET, "/devices", VIEWER, false, false, h_devices},
    {UI_POST, "/devices", ADMIN, false, true, h_device_add},
    {UI_GET, "/devices/*", VIEWER, false, false, h_device_get},
    {UI_DELETE, "/devices/*", ADMIN, false, false, h_device_delete},
    {UI_GET, "/devices/*/history", VIEWER, false, false, h_device_history},
    {UI_PUT, "/devices/*/priority", ADMIN, false, true, h_device_priority},
    {UI_GET, "/credentials", VIEWER, false, false, h_credentials},
    {UI_POST, "/credentials", ADMIN, false, true, h_credential_add},
    {UI_DELETE, "/credentials/*", ADMIN, false, false, h_credential_delete},
    {UI_GET, "/discovery", VIEWER, false, false, h_discovery},
    {UI_POST, "/discovery", ADMIN, false, true, h_discovery_add},
    {UI_GET, "/discovery/*", VIEWER, false, false, h_discovery_get},
    {UI_PUT, "/discovery/*", ADMIN, false, true, h_discovery_put},
    {UI_DELETE, "/discovery/*", ADMIN, false, false, h_discovery_delete},
    {UI_POST, "/discovery/*/run", ADMIN, false, false, h_discovery_run},
    {UI_GET, "/audit", ADMIN, false, false, h_audit},
    {UI_GET, "/audit.csv", ADMIN, false, false, h_audit_csv},
    {UI_GET, "/system/log", ADMIN, false, false, h_system_log},
    {UI_GET, "/users", ADMIN, false, false, h_users},
    {UI_POST, "/users", ADMIN, false, true, h_user_add},
    {UI_DELETE, "/users/*", ADMIN, false, true, h_user_delete},
    {UI_POST, "/users/*/unlock", ADMIN, false, true, h_user_unlock},
    {UI_GET, "/sessions", ADMIN, false, false, h_sessions},
    {UI_DELETE, "/sessions/*", ADMIN, false, false, h_session_end},
    {UI_GET, "/settings/security", VIEWER, false, false, h_security},
    {UI_PUT, "/settings/security", ADMIN, false, true, h_security_put},
    {UI_PUT, "/security/certificate", ADMIN, false, true, h_certificate_put},
    {UI_GET, "/connection", VIEWER, false, false, h_connection},
    {UI_PUT, "/connection/mode", ADMIN, false, true, h_connection_mode},
};

/* Matches path against pattern; a '*' segment matches one non-empty segment, copied to arg. */
static bool match(const char *pattern, const char *path, char *arg, size_t arglen)
{
    while (*pattern && *path) {
        if (*pattern == '*') {
            size_t n = strcspn(path, "/");
            if (n == 0 || n >= arglen)
                return false;
            memcpy(arg, path, n);
            arg[n] = '\0';
            path += n;
            pattern++;
            continue;
        }
        if (*pattern != *path)
            return false;
        pattern++;
        path++;
    }
    return *pattern == '\0' && *path == '\0';
}

/* The same-origin checks of state-changing requests. Returns: NULL or the refusal. */
static const char *csrf_refusal(struct ui__req *r, bool check_token)
{
    struct lws *wsi = r->wsi;
    char site[32] = "", origin[300] = "", want[300], token[80] = "";
    int n;
    n = lws_hdr_custom_copy(wsi, site, sizeof site, "sec-fetch-site:", 15);
    if (n > 0 && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
        return "Refused: the request came from another site (Sec-Fetch-Site).";
    snprintf(want, sizeof want, "https://%s", r->host);
    if (lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN) > 0) {
        if (strcasecmp(origin, want) != 0)
            return "Refused: the request came from another origin.";
    } else if (lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_HTTP_REFERER) > 0) {
        size_t wl = strlen(want);
        if (strncasecmp(origin, want, wl) != 0 || (origin[wl] != '/' && origin[wl] != '\0'))
            return "Refused: the request came from another origin (Referer).";
    } else {
        return "Refused: the request names no origin (Origin or Referer header missing).";
    }
    if (!check_token)
        return NULL;
    n = lws_hdr_custom_copy(wsi, token, sizeof token, "x-csrf-token:", 13);
    if (n != 32 || CRYPTO_memcmp(token, r->sess.csrf, 32) != 0)
        return "Refused: the CSRF token is missing or wrong; reload the page.";
    return NULL;
}

/* A page's own refresh after a live event (GET with X-Fleetgw-Background: 1) is no activity
 * of the person and must not keep the session alive. */
static bool background_request(struct ui__req *r)
{
    char v[8] = "";
    return r->method == UI_GET &&
           lws_hdr_custom_copy(r->wsi, v, sizeof v, "x-fleetgw-background:", 21) > 0 &&
           strcmp(v, "1") == 0;
}

void ui__api_dispatch(struct ui__req *r)
{
    const char *path = r->path;
    const struct route *rt = NULL;
    bool path_known = false, public_route = false;
    char arg[256] = "", err[300], cookie[2048] = "";
    json_t *body = NULL;
    const char *why;
    if (strncmp(path, "/api/v1/", 8) == 0)
        path += 7;
    else
        path = NULL;
    for (size_t i = 0; path && i < sizeof routes / sizeof routes[0]; i++) {
        char a[256];
        if (!match(routes[i].path, path, a, sizeof a))
            continue;
        path_known = true;
        if (routes[i].method == r->method) {
            rt = &routes[i];
            memcpy(arg, a, sizeof arg);
            public_route = rt->access == PUBLIC;
        }
    }
    /* 1. Deny by default: everything but the login needs a session, even to learn whether a
     * path exists. A login request with a valid cookie is remembered, to replace it. */
    if (lws_hdr_copy(r->wsi, cookie, sizeof cookie, WSI_TOKEN_HTTP_COOKIE) > 0)
        r->authed = ui__session_lookup(r->srv, cookie, r->peer, !background_request(r), &r->sess);
    OPENSSL_cleanse(cookie, sizeof cookie);
    if (!public_route && !r->authed) {
        ui__respond_error(r, 401, "Not logged in, or the session has ended: please log in.");
        return;
    }
    /* 2. */
    if (!path_known) {
        ui__respond_error(r, 404, "No such API endpoint.");
        return;
    }
    if (!rt) {
        snprintf(err, sizeof err, "%s is not allowed on this endpoint.", method_names[r->method]);
        ui__respond_error(r, 405, err);
        return;
    }
    /* 3. */
    if (r->method != UI_GET && (why = csrf_refusal(r, !public_route))) {
        gw_log_info(UI, "request refused source=%s path=%s: %s", r->peer, r->path, why);
        ui__respond_error(r, 403, why);
        return;
    }
    /* 4. */
    if (!public_route && r->sess.must_change && !rt->expired_ok) {
        ui__respond_error(r, 403, "Your password has expired: change it before going on.");
        return;
    }
    /* 5. */
    if (rt->access == ADMIN && r->sess.role != UI_ROLE_ADMIN) {
        ui__respond_error(r, 403, "This needs an administrator account; yours can only view.");
        return;
    }
    /* 6. */
    if (rt->body) {
        body = ui__body_parse(r->body, r->body_len, err, sizeof err);
        if (!body) {
            ui__respond_error(r, 400, err);
            return;
        }
    }
    rt->fn(r, body, arg);
    ui__json_wipe_free(body);
}
