/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Unit tests of the program's merged operation table (gateway/app/ops.c): the tables of all
 * modules merge (unique names, every op with a handler and a sane schema), each op sits in its
 * module's table under its module's prefix and gets its module's handle, the whole control protocol is there with the
 * roles the front ends rely on (the web UI's viewer pages read through status, *.list and
 * *.show; account recovery is root's), and every key the control socket ever wiped is a
 * secret wherever it is accepted. Then the real handlers run on a store in a temporary
 * directory, as the CLI runs them without a daemon: a device added and removed leaves the
 * audit records it always left, and a credential's community is wiped after the call.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gateway/app/cli.h"
#include "tests/harness/t_gw.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static struct gw_op_index *merged(struct gw_op_table *t, size_t *nt)
{
    struct gw_op_index *idx = NULL;
    struct gw_errbuf eb = {""};
    *nt = gw_app_op_tables(t, 8);
    if (gw_op_index_new(t, *nt, &idx, &eb) < 0)
        fail_msg("the tables do not merge: %s", eb.msg);
    return idx;
}

static void test_tables_merge(void **state)
{
    (void)state;
    struct gw_op_table t[8];
    size_t nt;
    struct gw_op_index *idx = merged(t, &nt);
    static const struct {
        const char *module, *prefix;
    } prefixes[] = {{"gateway", "device."}, {"gateway", "credential."}, {"gateway", "status"},
                    {"gateway", "reload"},  {"uplink", "uplink."},      {"discovery", "discover."},
                    {"webui", "admin."}};
    size_t total = 0;
    for (size_t i = 0; i < nt; i++) {
        assert_true(t[i].n > 0);
        total += t[i].n;
        for (size_t k = 0; k < t[i].n; k++) {
            const char *name = t[i].ops[k].name;
            size_t tab = 99;
            bool placed = false;
            for (size_t p = 0; p < NELEM(prefixes); p++)
                placed =
                    placed || (strcmp(prefixes[p].module, t[i].module) == 0 &&
                               strncmp(name, prefixes[p].prefix, strlen(prefixes[p].prefix)) == 0);
            if (!placed)
                fail_msg("%s is in the %s table", name, t[i].module);
            assert_ptr_equal(gw_op_index_find(idx, name, &tab), &t[i].ops[k]);
            assert_int_equal(tab, i);
        }
    }
    assert_int_equal(gw_op_index_count(idx), total);
    gw_op_index_free(idx);
}

/* Each table's handlers get their module's handle: the gateway's the app, the uplink's the
 * running uplink, discovery's a struct disc_op_env with the running module and the catalogue
 * (both as they are at the call: the daemon clears app->disc when it stops discovery), the
 * web UI's none. */
static void test_module_handles(void **state)
{
    (void)state;
    /* Opaque stand-ins: gw_app_op_mods() only hands the pointers on. */
    static char up, disc, cat;
    static struct gw_app app;
    struct gw_op_table t[8];
    void *mods[8];
    app.up = (struct up_ctx *)&up;
    app.disc = (struct disc_ctx *)&disc;
    app.catalogue = (struct snmpc_catalogue *)&cat;
    size_t nt = gw_app_op_tables(t, 8);
    for (int pass = 0; pass < 2; pass++) {
        gw_app_op_mods(&app, mods, 8);
        for (size_t i = 0; i < nt; i++) {
            if (strcmp(t[i].module, "gateway") == 0) {
                assert_ptr_equal(mods[i], &app);
            } else if (strcmp(t[i].module, "uplink") == 0) {
                assert_ptr_equal(mods[i], app.up);
            } else if (strcmp(t[i].module, "discovery") == 0) {
                const struct disc_op_env *e = mods[i];
                assert_non_null(e);
                assert_ptr_equal(e->m, pass == 0 ? (struct disc_ctx *)&disc : NULL);
                assert_ptr_equal(e->cat, app.catalogue);
            } else {
                assert_string_equal(t[i].module, "webui");
                assert_null(mods[i]);
            }
        }
        app.disc = NULL;
        app.up = NULL;
    }
}

static void test_protocol(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum gw_role role;
        const char *audit;
    } want[] = {
        {"status", GW_ROLE_VIEWER, NULL},
        {"reload", GW_ROLE_ADMIN, NULL},
        {"device.add", GW_ROLE_ADMIN, "device.add"},
        {"device.import", GW_ROLE_ADMIN, "device.import"},
        {"device.list", GW_ROLE_VIEWER, NULL},
        {"device.show", GW_ROLE_VIEWER, NULL},
        {"device.set", GW_ROLE_ADMIN, "device.set"},
        {"device.remove", GW_ROLE_ADMIN, "device.remove"},
        {"credential.add", GW_ROLE_ADMIN, "credential.add"},
        {"credential.list", GW_ROLE_VIEWER, NULL},
        {"credential.remove", GW_ROLE_ADMIN, "credential.remove"},
        {"uplink.register", GW_ROLE_ADMIN, "uplink.register"},
        {"uplink.unregister", GW_ROLE_ADMIN, "uplink.unregister"},
        {"uplink.mode", GW_ROLE_ADMIN, "uplink.mode"},
        {"uplink.status", GW_ROLE_VIEWER, NULL},
        {"uplink.anonymize", GW_ROLE_ADMIN, "uplink.anonymize"},
        {"discover.add", GW_ROLE_ADMIN, "discover.add"},
        {"discover.set", GW_ROLE_ADMIN, "discover.set"},
        {"discover.list", GW_ROLE_VIEWER, NULL},
        {"discover.show", GW_ROLE_VIEWER, NULL},
        {"discover.remove", GW_ROLE_ADMIN, "discover.remove"},
        {"discover.run", GW_ROLE_ADMIN, "discover.run"},
        {"admin.unlock", GW_ROLE_ROOT, "account.unlocked"},
        {"admin.reset-password", GW_ROLE_ROOT, "password.reset"},
    };
    struct gw_op_table t[8];
    size_t nt;
    struct gw_op_index *idx = merged(t, &nt);
    assert_int_equal(gw_op_index_count(idx), NELEM(want));
    for (size_t i = 0; i < NELEM(want); i++) {
        const struct gw_op *op = gw_op_index_find(idx, want[i].name, NULL);
        if (!op)
            fail_msg("%s: missing", want[i].name);
        if (op->role != want[i].role)
            fail_msg("%s: role %s", want[i].name, gw_role_name(op->role));
        if (want[i].audit ? !op->audit || strcmp(op->audit, want[i].audit) != 0 : op->audit != NULL)
            fail_msg("%s: audit %s", want[i].name, op->audit ? op->audit : "(none)");
    }
    /* What the control socket wiped before there were schemas stays wiped where accepted. */
    static const char *const secrets[] = {"community", "auth_pass", "priv_pass",
                                          "hash",      "token",     "proxy_password"};
    for (size_t i = 0; i < gw_op_index_count(idx); i++) {
        const struct gw_op *op = gw_op_index_at(idx, i);
        for (size_t a = 0; a < op->n_args; a++)
            for (size_t s = 0; s < NELEM(secrets); s++)
                if (strcmp(op->args[a].key, secrets[s]) == 0 && !(op->args[a].flags & GW_OP_SECRET))
                    fail_msg("%s: %s is not a secret", op->name, secrets[s]);
    }
    gw_op_index_free(idx);
}

struct fixture {
    char dir[64];
    struct gw_app app;
    struct gw_op_index *idx;
};

static json_t *call(struct fixture *f, const struct gw_op_caller *who, json_t *req)
{
    void *mods[8];
    gw_app_op_mods(&f->app, mods, 8);
    json_t *r = gw_op_exec(f->idx, mods, f->app.db, f->app.vault, who, req);
    assert_non_null(r);
    return r;
}

/* A device.add request for 127.0.0.9 with the credential set "office". */
static json_t *device_add(int port)
{
    return json_pack("{s:s, s:s, s:i, s:s}", "cmd", "device.add", "address", "127.0.0.9", "port",
                     port, "credential", "office");
}

static void test_real_handlers(void **state)
{
    (void)state;
    static const struct gw_op_caller cli = {GW_OP_SRC_CLI, GW_ROLE_ADMIN, "alice", "cli"};
    static const struct gw_op_caller web = {GW_OP_SRC_WEBUI, GW_ROLE_VIEWER, "vera",
                                            "webui 127.0.0.1"};
    struct fixture f = {0};
    struct gw_errbuf eb = {""};
    struct gw_op_table t[8];
    size_t nt;
    assert_int_equal(t_gw_open(f.dir, sizeof f.dir, "ops", &f.app.db, &f.app.vault), 0);
    f.idx = merged(t, &nt);

    json_t *req = json_pack("{s:s, s:s, s:s, s:s}", "cmd", "credential.add", "name", "office",
                            "version", "2c", "community", "s3cret");
    json_t *r = call(&f, &cli, req);
    assert_true(json_is_true(json_object_get(r, "ok")));
    assert_int_equal(json_string_value(json_object_get(req, "community"))[0], '\0');
    json_decref(r);
    json_decref(req);

    req = device_add(70000);
    r = call(&f, &cli, req);
    assert_string_equal(json_string_value(json_object_get(r, "error")),
                        "device.add: port: must be 0..65535");
    json_decref(r);
    /* A refused request has its strings wiped: each call gets a new one. */
    json_decref(req);
    req = device_add(0);
    r = call(&f, &web, req);
    assert_int_equal(json_integer_value(json_object_get(r, "code")), GW_E_PERM);
    assert_string_equal(json_string_value(json_object_get(r, "error")),
                        "device.add: needs the admin role");
    json_decref(r);
    json_decref(req);
    req = device_add(0);
    r = call(&f, &cli, req);
    json_t *dev = json_object_get(r, "device");
    assert_true(json_is_true(json_object_get(r, "ok")));
    assert_int_equal(json_integer_value(json_object_get(dev, "port")), 161);
    json_int_t id = json_integer_value(json_object_get(dev, "id"));
    json_decref(r);
    json_decref(req);

    /* A viewer reads what the web UI's device page shows. */
    req = json_pack("{s:s, s:I}", "cmd", "device.show", "id", id);
    r = call(&f, &web, req);
    assert_true(json_is_true(json_object_get(r, "ok")));
    json_decref(r);
    json_decref(req);
    req = json_pack("{s:s, s:I}", "cmd", "device.remove", "id", id);
    r = call(&f, &cli, req);
    assert_true(json_is_true(json_object_get(r, "ok")));
    json_decref(r);
    r = call(&f, &cli, req);
    assert_string_equal(json_string_value(json_object_get(r, "error")), "no such device");
    json_decref(r);
    json_decref(req);

    /* The records, oldest first, as the handlers wrote them before the table existed. */
    static const char *const rec[][5] = {
        {"alice", "cli", "credential.add", "ok", "office"},
        {"alice", "cli", "device.add", "ok", "127.0.0.9"},
        {"alice", "cli", "device.remove", "ok", NULL},
        {"alice", "cli", "device.remove", "failed", NULL},
    };
    json_t *a = gw_query_audit(f.app.db, NULL, 0, 100);
    json_t *items = json_object_get(a, "items");
    assert_int_equal(json_array_size(items), NELEM(rec));
    for (size_t i = 0; i < NELEM(rec); i++) {
        json_t *it = json_array_get(items, NELEM(rec) - 1 - i);
        static const char *const keys[] = {"user", "source", "action", "result", "detail"};
        for (size_t k = 0; k < 5; k++) {
            const char *want = rec[i][k];
            char idbuf[32];
            if (!want) {
                snprintf(idbuf, sizeof idbuf, "id=%lld", (long long)id);
                want = idbuf;
            }
            const char *got = json_string_value(json_object_get(it, keys[k]));
            if (!got || strcmp(got, want) != 0)
                fail_msg("record %zu: %s '%s', want '%s'", i, keys[k], got ? got : "(null)", want);
        }
    }
    json_decref(a);
    assert_int_equal(gw_audit_verify(f.app.db, &eb), 0);

    gw_op_index_free(f.idx);
    assert_int_equal(t_gw_close(f.dir, f.app.db, f.app.vault), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables_merge),
        cmocka_unit_test(test_module_handles),
        cmocka_unit_test(test_protocol),
        cmocka_unit_test(test_real_handlers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
