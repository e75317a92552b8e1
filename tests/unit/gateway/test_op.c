/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Unit tests for gateway/op.c, the operation dispatcher: a request naming no known op, each
 * schema refusal (missing, extra, mistyped, out-of-range argument) with its exact text, the
 * role check, the audit record (written once, by the dispatcher, also when the handler flushes
 * it early; never for a refused call), secrets wiped after the call and every string wiped
 * after a refusal, the table checks and the merged index (sorted, a name in two tables
 * refused). A real store in a temporary directory holds the audit log.
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

#include "gateway/gw.h"
#include "tests/harness/t_gw.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int calls;

static json_t *h_read(struct gw_op_ctx *ctx, json_t *args)
{
    calls++;
    json_t *r = gw_reply_ok();
    json_object_set_new(r, "role", json_string(gw_role_name(ctx->caller->role)));
    json_object_set_new(r, "mod", json_boolean(ctx->mod != NULL));
    return r;
}

static json_t *h_change(struct gw_op_ctx *ctx, json_t *args)
{
    const char *name = gw_json_str(args, "name", "");
    calls++;
    /* The handler still sees the secret: it is wiped only after the call. */
    assert_string_equal(gw_json_str(args, "secret", "s3cret"), "s3cret");
    if (strcmp(name, "bad") == 0) {
        gw_op_audit(ctx, "failed", "name=%s", name);
        return gw_reply_errf(GW_E_NOTFOUND, "no such thing '%s'", name);
    }
    if (strcmp(name, "early") == 0) {
        gw_op_audit(ctx, "ok", "name=%s", name);
        gw_op_audit_flush(ctx);
        gw_op_audit_flush(ctx);
    } else if (strcmp(name, "quiet") != 0) {
        gw_op_audit(ctx, "ok", "name=%s", name);
    }
    return gw_reply_ok();
}

static json_t *h_root(struct gw_op_ctx *ctx, json_t *args)
{
    calls++;
    gw_op_audit_as(ctx, "thing.recovered", "ok", NULL);
    return gw_reply_ok();
}

static const struct gw_op_arg read_args[] = {
    {"n", GW_OP_T_INT, 0, 1, 10},   {"s", GW_OP_T_STRING, 0, 0, 4}, {"b", GW_OP_T_BOOL, 0, 0, 0},
    {"o", GW_OP_T_OBJECT, 0, 0, 0}, {"a", GW_OP_T_ARRAY, 0, 1, 2},  {"any", GW_OP_T_INT, 0, 0, 0},
};
static const struct gw_op_arg change_args[] = {
    {"name", GW_OP_T_STRING, GW_OP_REQUIRED, 1, 63},
    {"secret", GW_OP_T_STRING, GW_OP_SECRET, 0, 0},
};

static const struct gw_op test_ops[] = {
    {"t.read", read_args, NELEM(read_args), GW_OP_READ, NULL, GW_ROLE_VIEWER, h_read},
    {"t.change", change_args, NELEM(change_args), GW_OP_DEVICE, "t.change", GW_ROLE_ADMIN,
     h_change},
    {"t.root", NULL, 0, GW_OP_GATEWAY, "t.root", GW_ROLE_ROOT, h_root},
};
static const struct gw_op other_ops[] = {
    {"a.first", NULL, 0, GW_OP_READ, NULL, GW_ROLE_VIEWER, h_read},
    {"z.last", NULL, 0, GW_OP_READ, NULL, GW_ROLE_VIEWER, h_read},
};

static const struct gw_op_caller viewer = {GW_OP_SRC_WEBUI, GW_ROLE_VIEWER, "vera", "webui ::1"};
static const struct gw_op_caller admin = {GW_OP_SRC_CLI, GW_ROLE_ADMIN, "fleetgw", "cli"};
static const struct gw_op_caller root = {GW_OP_SRC_CLI, GW_ROLE_ROOT, "root", "cli"};

struct fixture {
    char dir[64];
    struct gw_db *db;
    struct gw_op_index *idx;
};

static int setup(void **state)
{
    struct fixture *f = gw_calloc(1, sizeof *f);
    struct gw_errbuf eb = {""};
    const struct gw_op_table t[] = {{"test", test_ops, NELEM(test_ops)},
                                    {"other", other_ops, NELEM(other_ops)}};
    if (t_gw_open(f->dir, sizeof f->dir, "op", &f->db, NULL) < 0)
        return -1;
    if (gw_op_index_new(t, NELEM(t), &f->idx, &eb) < 0)
        return -1;
    calls = 0;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    int rc;
    gw_op_index_free(f->idx);
    rc = t_gw_close(f->dir, f->db, NULL);
    free(f);
    return rc;
}

/* Runs the request given as JSON text; returns the reply. */
static json_t *run(struct fixture *f, const struct gw_op_caller *who, const char *text)
{
    void *mods[] = {f, NULL};
    json_t *req = json_loads(text, JSON_DECODE_ANY, NULL);
    assert_non_null(req);
    json_t *r = gw_op_exec(f->idx, mods, f->db, NULL, who, req);
    json_decref(req);
    assert_non_null(r);
    return r;
}

static json_t *audit_items(struct fixture *f)
{
    json_t *a = gw_query_audit(f->db, NULL, 0, 100);
    json_t *items = json_incref(json_object_get(a, "items"));
    json_decref(a);
    return items;
}

static void test_refusals(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *req;
        int code;
        const char *error;
    } cases[] = {
        {"[1]", GW_E_PARSE, "request is not a JSON object"},
        {"{}", GW_E_INVAL, "unknown command"},
        {"{\"cmd\": 7}", GW_E_INVAL, "unknown command"},
        {"{\"cmd\": \"t.nope\"}", GW_E_INVAL, "unknown command"},
        {"{\"cmd\": \"t\"}", GW_E_INVAL, "unknown command"},
        {"{\"cmd\": \"t.change\"}", GW_E_INVAL, "t.change: name: missing"},
        {"{\"cmd\": \"t.change\", \"name\": \"x\", \"colour\": 1}", GW_E_INVAL,
         "t.change: colour: unknown argument"},
        {"{\"cmd\": \"t.change\", \"name\": 5}", GW_E_INVAL, "t.change: name: must be a string"},
        {"{\"cmd\": \"t.change\", \"name\": \"\"}", GW_E_INVAL,
         "t.change: name: must have 1..63 bytes"},
        {"{\"cmd\": \"t.read\", \"n\": \"5\"}", GW_E_INVAL, "t.read: n: must be an integer"},
        {"{\"cmd\": \"t.read\", \"n\": 1.5}", GW_E_INVAL, "t.read: n: must be an integer"},
        {"{\"cmd\": \"t.read\", \"n\": 0}", GW_E_INVAL, "t.read: n: must be 1..10"},
        {"{\"cmd\": \"t.read\", \"n\": 11}", GW_E_INVAL, "t.read: n: must be 1..10"},
        {"{\"cmd\": \"t.read\", \"s\": \"12345\"}", GW_E_INVAL, "t.read: s: must have 0..4 bytes"},
        {"{\"cmd\": \"t.read\", \"b\": 1}", GW_E_INVAL, "t.read: b: must be true or false"},
        {"{\"cmd\": \"t.read\", \"o\": []}", GW_E_INVAL, "t.read: o: must be an object"},
        {"{\"cmd\": \"t.read\", \"a\": {}}", GW_E_INVAL, "t.read: a: must be an array"},
        {"{\"cmd\": \"t.read\", \"a\": []}", GW_E_INVAL, "t.read: a: must have 1..2 elements"},
        {"{\"cmd\": \"t.read\", \"a\": [1, 2, 3]}", GW_E_INVAL,
         "t.read: a: must have 1..2 elements"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        json_t *r = run(f, &admin, cases[i].req);
        const char *err = json_string_value(json_object_get(r, "error"));
        if (json_is_true(json_object_get(r, "ok")) || !err || strcmp(err, cases[i].error) != 0 ||
            json_integer_value(json_object_get(r, "code")) != cases[i].code)
            fail_msg("case %zu %s: %s", i, cases[i].req, err ? err : "(ok)");
        assert_string_equal(json_string_value(json_object_get(r, "code_name")),
                            gw_err_name(cases[i].code));
        json_decref(r);
    }
    assert_int_equal(calls, 0);
    /* Within the limits, and limits of 0..0 mean none. */
    json_t *r = run(f, &admin,
                    "{\"cmd\": \"t.read\", \"n\": 10, \"s\": \"1234\", \"b\": false, \"o\": {},"
                    " \"a\": [1, 2], \"any\": -9000000000}");
    assert_true(json_is_true(json_object_get(r, "ok")));
    assert_true(json_is_true(json_object_get(r, "mod")));
    json_decref(r);
    assert_int_equal(calls, 1);
    /* Nothing refused was audited. */
    json_t *items = audit_items(f);
    assert_int_equal(json_array_size(items), 0);
    json_decref(items);
}

static void test_roles(void **state)
{
    struct fixture *f = *state;
    json_t *r = run(f, &viewer, "{\"cmd\": \"t.read\"}");
    assert_true(json_is_true(json_object_get(r, "ok")));
    assert_string_equal(json_string_value(json_object_get(r, "role")), "viewer");
    json_decref(r);
    /* Refused before the arguments are looked at: the request may even be malformed. */
    r = run(f, &viewer, "{\"cmd\": \"t.change\", \"bogus\": 1}");
    assert_false(json_is_true(json_object_get(r, "ok")));
    assert_string_equal(json_string_value(json_object_get(r, "error")),
                        "t.change: needs the admin role");
    assert_int_equal(json_integer_value(json_object_get(r, "code")), GW_E_PERM);
    json_decref(r);
    r = run(f, &admin, "{\"cmd\": \"t.root\"}");
    assert_string_equal(json_string_value(json_object_get(r, "error")),
                        "account recovery is only for root on the gateway");
    assert_int_equal(json_integer_value(json_object_get(r, "code")), GW_E_INVAL);
    json_decref(r);
    r = run(f, &viewer, "{\"cmd\": \"t.root\"}");
    assert_int_equal(json_integer_value(json_object_get(r, "code")), GW_E_INVAL);
    json_decref(r);
    assert_int_equal(calls, 1);
    r = run(f, &root, "{\"cmd\": \"t.change\", \"name\": \"by-root\"}");
    assert_true(json_is_true(json_object_get(r, "ok")));
    json_decref(r);
    r = run(f, &root, "{\"cmd\": \"t.root\"}");
    assert_true(json_is_true(json_object_get(r, "ok")));
    json_decref(r);
    assert_int_equal(calls, 3);
    json_t *items = audit_items(f); /* newest first */
    assert_int_equal(json_array_size(items), 2);
    json_t *a = json_array_get(items, 0);
    assert_string_equal(json_string_value(json_object_get(a, "action")), "thing.recovered");
    assert_string_equal(json_string_value(json_object_get(a, "user")), "root");
    assert_true(json_is_null(json_object_get(a, "detail")));
    json_decref(items);
}

static void test_audit_once(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *req, *result, *detail; /* NULL result: no record */
    } cases[] = {
        {"{\"cmd\": \"t.change\", \"name\": \"one\"}", "ok", "name=one"},
        {"{\"cmd\": \"t.change\", \"name\": \"bad\"}", "failed", "name=bad"},
        {"{\"cmd\": \"t.change\", \"name\": \"early\"}", "ok", "name=early"},
        {"{\"cmd\": \"t.change\", \"name\": \"quiet\"}", NULL, NULL},
        {"{\"cmd\": \"t.read\"}", NULL, NULL},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        json_t *before = audit_items(f);
        size_t n = json_array_size(before);
        json_decref(before);
        json_t *r = run(f, &admin, cases[i].req);
        json_decref(r);
        json_t *items = audit_items(f);
        if (json_array_size(items) != n + (cases[i].result ? 1 : 0))
            fail_msg("case %zu: %zu records after, %zu before", i, json_array_size(items), n);
        if (cases[i].result) {
            json_t *a = json_array_get(items, 0);
            assert_string_equal(json_string_value(json_object_get(a, "action")), "t.change");
            assert_string_equal(json_string_value(json_object_get(a, "user")), "fleetgw");
            assert_string_equal(json_string_value(json_object_get(a, "source")), "cli");
            assert_string_equal(json_string_value(json_object_get(a, "result")), cases[i].result);
            assert_string_equal(json_string_value(json_object_get(a, "detail")), cases[i].detail);
        }
        json_decref(items);
    }
    struct gw_errbuf eb = {""};
    assert_int_equal(gw_audit_verify(f->db, &eb), 0);
}

static bool wiped(json_t *req, const char *key)
{
    json_t *v = json_object_get(req, key);
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    for (size_t i = 0; i < n; i++)
        if (s[i])
            return false;
    return n > 0;
}

static void test_secrets_wiped(void **state)
{
    struct fixture *f = *state;
    json_t *req =
        json_pack("{s:s, s:s, s:s}", "cmd", "t.change", "name", "keep", "secret", "s3cret");
    json_t *r = gw_op_exec(f->idx, NULL, f->db, NULL, &admin, req);
    assert_true(json_is_true(json_object_get(r, "ok")));
    assert_true(wiped(req, "secret"));
    assert_string_equal(gw_json_str(req, "name", ""), "keep");
    json_decref(r);
    json_decref(req);
    /* A refused request may carry a secret under any key: every string is wiped. */
    req = json_pack("{s:s, s:s, s:s}", "cmd", "t.read", "s", "ab", "community", "public");
    r = gw_op_exec(f->idx, NULL, f->db, NULL, &admin, req);
    assert_false(json_is_true(json_object_get(r, "ok")));
    assert_true(wiped(req, "community"));
    assert_true(wiped(req, "s"));
    assert_string_equal(gw_json_str(req, "cmd", ""), "t.read");
    json_decref(r);
    json_decref(req);
    req = json_pack("{s:s, s:s}", "cmd", "t.nope", "password", "hunter2");
    json_decref(gw_op_exec(f->idx, NULL, f->db, NULL, &admin, req));
    assert_true(wiped(req, "password"));
    json_decref(req);
    req = json_pack("{s:s, s:s, s:s}", "cmd", "t.change", "name", "x", "secret", "s3cret");
    json_decref(gw_op_exec(f->idx, NULL, f->db, NULL, &viewer, req));
    assert_true(wiped(req, "secret"));
    json_decref(req);
}

static json_t *h_dummy(struct gw_op_ctx *ctx, json_t *args)
{
    return gw_reply_ok();
}

static void test_table_check(void **state)
{
    (void)state;
    static const struct gw_op_arg dup_key[] = {{"k", GW_OP_T_INT, 0, 0, 0},
                                               {"k", GW_OP_T_INT, 0, 0, 0}};
    static const struct gw_op_arg bad_limits[] = {{"k", GW_OP_T_INT, 0, 5, 1}};
    static const struct gw_op_arg neg_len[] = {{"k", GW_OP_T_STRING, 0, -1, 4}};
    static const struct gw_op_arg bool_limits[] = {{"k", GW_OP_T_BOOL, 0, 0, 1}};
    static const struct gw_op_arg int_secret[] = {{"k", GW_OP_T_INT, GW_OP_SECRET, 0, 0}};
    static const struct gw_op_arg no_type[] = {{"k", 0, 0, 0, 0}};
    static const struct gw_op_arg cmd_key[] = {{"cmd", GW_OP_T_STRING, 0, 0, 0}};
    static const struct gw_op_arg bad_flag[] = {{"k", GW_OP_T_STRING, 0x80, 0, 0}};
    static const struct {
        struct gw_op ops[2];
        size_t n;
        const char *error;
    } cases[] = {
        {{{"x.a", NULL, 0, GW_OP_READ, NULL, GW_ROLE_VIEWER, h_dummy},
          {"x.a", NULL, 0, GW_OP_READ, NULL, GW_ROLE_VIEWER, h_dummy}},
         2,
         "x.a: listed twice"},
        {{{"x.a", NULL, 0, GW_OP_READ, NULL, GW_ROLE_VIEWER, NULL}}, 1, "x.a: no handler"},
        {{{"X A", NULL, 0, GW_OP_READ, NULL, GW_ROLE_VIEWER, h_dummy}}, 1, "op 0: bad name 'X A'"},
        {{{NULL, NULL, 0, GW_OP_READ, NULL, GW_ROLE_VIEWER, h_dummy}},
         1,
         "op 0: bad name '(null)'"},
        {{{"x.a", NULL, 0, GW_OP_READ, NULL, GW_ROLE_NONE, h_dummy}}, 1, "x.a: no role"},
        {{{"x.a", NULL, 0, GW_OP_DEVICE, NULL, GW_ROLE_ADMIN, h_dummy}},
         1,
         "x.a: changes state but is not audited"},
        {{{"x.a", NULL, 0, GW_OP_GATEWAY, "x.a", GW_ROLE_VIEWER, h_dummy}},
         1,
         "x.a: changes state but a viewer may call it"},
        {{{"x.a", NULL, 2, GW_OP_READ, NULL, GW_ROLE_VIEWER, h_dummy}},
         1,
         "x.a: no argument table"},
        {{{"x.a", dup_key, 2, GW_OP_READ, NULL, GW_ROLE_VIEWER, h_dummy}},
         1,
         "x.a: k: listed twice"},
        {{{"x.a", bad_limits, 1, GW_OP_READ, NULL, GW_ROLE_VIEWER, h_dummy}},
         1,
         "x.a: k: bad limits"},
        {{{"x.a", neg_len, 1, GW_OP_READ, NULL, GW_ROLE_VIEWER, h_dummy}}, 1, "x.a: k: bad limits"},
        {{{"x.a", bool_limits, 1, GW_OP_READ, NULL, GW_ROLE_VIEWER, h_dummy}},
         1,
         "x.a: k: limits on a bool"},
        {{{"x.a", int_secret, 1, GW_OP_READ, NULL, GW_ROLE_VIEWER, h_dummy}},
         1,
         "x.a: k: a secret must be a string"},
        {{{"x.a", no_type, 1, GW_OP_READ, NULL, GW_ROLE_VIEWER, h_dummy}}, 1, "x.a: k: bad type"},
        {{{"x.a", cmd_key, 1, GW_OP_READ, NULL, GW_ROLE_VIEWER, h_dummy}},
         1,
         "x.a: argument 0: bad key"},
        {{{"x.a", bad_flag, 1, GW_OP_READ, NULL, GW_ROLE_VIEWER, h_dummy}},
         1,
         "x.a: k: unknown flags"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct gw_errbuf eb = {""};
        if (gw_op_table_check(cases[i].ops, cases[i].n, &eb) != GW_E_INVAL ||
            strcmp(eb.msg, cases[i].error) != 0)
            fail_msg("case %zu: '%s'", i, eb.msg);
    }
    assert_int_equal(gw_op_table_check(test_ops, NELEM(test_ops), NULL), 0);
}

static void test_index(void **state)
{
    struct fixture *f = *state;
    size_t t = 9;
    assert_int_equal(gw_op_index_count(f->idx), 5);
    for (size_t i = 1; i < gw_op_index_count(f->idx); i++)
        assert_true(strcmp(gw_op_index_at(f->idx, i - 1)->name, gw_op_index_at(f->idx, i)->name) <
                    0);
    assert_null(gw_op_index_at(f->idx, 5));
    assert_ptr_equal(gw_op_index_find(f->idx, "z.last", &t), &other_ops[1]);
    assert_int_equal(t, 1);
    assert_ptr_equal(gw_op_index_find(f->idx, "t.change", &t), &test_ops[1]);
    assert_int_equal(t, 0);
    assert_null(gw_op_index_find(f->idx, "t.chang", NULL));
    /* A name in two tables. */
    const struct gw_op_table twice[] = {{"test", test_ops, NELEM(test_ops)},
                                        {"again", test_ops, 1}};
    struct gw_op_index *idx = (void *)1;
    struct gw_errbuf eb = {""};
    assert_int_equal(gw_op_index_new(twice, 2, &idx, &eb), GW_E_INVAL);
    assert_null(idx);
    assert_string_equal(eb.msg, "t.read: in tables test and again");
    /* A bad table names its module. */
    static const struct gw_op bad[] = {{"b.x", NULL, 0, GW_OP_READ, NULL, GW_ROLE_VIEWER, NULL}};
    const struct gw_op_table with_bad[] = {{"bad", bad, 1}};
    assert_int_equal(gw_op_index_new(with_bad, 1, &idx, &eb), GW_E_INVAL);
    assert_string_equal(eb.msg, "bad: b.x: no handler");
}

static void test_reply_helpers(void **state)
{
    (void)state;
    json_t *r = gw_reply_errf(GW_E_NOTFOUND, "no such device %d", 7);
    assert_false(json_is_true(json_object_get(r, "ok")));
    assert_string_equal(json_string_value(json_object_get(r, "error")), "no such device 7");
    assert_string_equal(json_string_value(json_object_get(r, "code_name")), "GW_E_NOTFOUND");
    assert_int_equal(json_integer_value(json_object_get(r, "code")), GW_E_NOTFOUND);
    json_decref(r);
    r = gw_reply_ok();
    assert_int_equal(json_object_size(r), 1);
    assert_true(json_is_true(json_object_get(r, "ok")));
    assert_string_equal(gw_json_str(r, "ok", "def"), "def");
    assert_string_equal(gw_json_str(r, "missing", "def"), "def");
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secrets_wiped, setup, teardown),
        cmocka_unit_test(test_table_check),
        cmocka_unit_test_setup_teardown(test_index, setup, teardown),
        cmocka_unit_test(test_reply_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
