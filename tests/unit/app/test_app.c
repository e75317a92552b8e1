/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The program's start-up code (gateway/app/app.c), linked on its own: the configuration file
 * and --state-dir, the catalogue error that names the option and its line, the store that
 * refuses to open before `fleetgw init` made a key, and secrets read from a file (trailing
 * newline dropped, an empty or missing file refused).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "gateway/app/cli.h"
#include "snmp/snmpc.h"

static char dir[] = "/tmp/fleetgw-test-app-XXXXXX";

static void write_file(const char *name, const char *text, char *path, size_t len)
{
    FILE *f;
    snprintf(path, len, "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void test_load_cfg(void **state)
{
    struct gw_opts o = {0};
    struct gw_cfg cfg;
    struct gw_errbuf eb = {""};
    char path[600], conf[700];
    (void)state;

    /* A named file that is missing is an error naming it. */
    snprintf(path, sizeof path, "%s/absent.conf", dir);
    o.config_path = path;
    assert_int_equal(gw_app_load_cfg(&o, &cfg, &eb), -ENOENT);
    assert_non_null(strstr(eb.msg, "absent.conf"));

    /* --state-dir overrides the file's state_dir. */
    snprintf(conf, sizeof conf, "[gateway]\nstate_dir = %s/from-file\n", dir);
    write_file("a.conf", conf, path, sizeof path);
    assert_int_equal(gw_app_load_cfg(&o, &cfg, NULL), 0);
    assert_non_null(strstr(cfg.state_dir, "/from-file"));
    o.state_dir = "/tmp/elsewhere";
    assert_int_equal(gw_app_load_cfg(&o, &cfg, NULL), 0);
    assert_string_equal(cfg.state_dir, "/tmp/elsewhere");

    /* A bad file is a configuration error naming file and line. */
    write_file("bad.conf", "[gateway]\nno_such_key = 1\n", path, sizeof path);
    eb.msg[0] = '\0';
    assert_true(gw_app_load_cfg(&o, &cfg, &eb) < 0);
    assert_non_null(strstr(eb.msg, "bad.conf:2"));
}

static void test_load_catalogue(void **state)
{
    struct gw_opts o = {0};
    struct gw_cfg cfg;
    struct gw_errbuf eb = {""};
    struct snmpc_catalogue *cat = (struct snmpc_catalogue *)&cfg;
    char path[600];
    (void)state;

    write_file("cat.conf", "[snmp]\n\ncatalogue = /nonexistent/counters.catalogue\n", path,
               sizeof path);
    o.config_path = path;
    assert_int_equal(gw_app_load_cfg(&o, &cfg, NULL), 0);
    assert_true(gw_app_load_catalogue(&cfg, &cat, &eb) < 0);
    assert_null(cat);
    assert_non_null(strstr(eb.msg, "cat.conf:3: snmp.catalogue: "));
    assert_non_null(strstr(eb.msg, "/nonexistent/counters.catalogue"));
}

static void test_open_needs_init(void **state)
{
    struct gw_opts o = {0};
    struct gw_app app;
    char sd[600], key[700];
    (void)state;

    /* No key in the state directory yet: nothing opens, nothing is left open. */
    snprintf(sd, sizeof sd, "%s/state", dir);
    assert_int_equal(mkdir(sd, 0700), 0);
    o.config_path = NULL;
    o.state_dir = sd;
    assert_int_equal(gw_app_open(&o, &app), -ENOENT);
    assert_null(app.db);
    assert_null(app.vault);
    gw_app_close_store(&app);

    /* With a key the store opens, and closes again. */
    snprintf(key, sizeof key, "%s/secrets.key", sd);
    assert_int_equal(gw_vault_keygen(key, NULL), 0);
    assert_int_equal(gw_app_open(&o, &app), 0);
    assert_non_null(app.db);
    assert_non_null(app.vault);
    assert_int_equal(gw_db_schema_version(app.db), gw_db_schema_latest());
    gw_app_close_store(&app);
    assert_null(app.db);
    assert_null(app.vault);
}

static void test_read_secret_file(void **state)
{
    char path[600];
    char *s;
    (void)state;

    write_file("pw", "s3cret pass\r\n", path, sizeof path);
    s = gw_cli_read_secret(path, "password");
    assert_non_null(s);
    assert_string_equal(s, "s3cret pass");
    gw_free_secret_str(s);

    /* Only the first line counts. */
    write_file("pw2", "first\nsecond\n", path, sizeof path);
    s = gw_cli_read_secret(path, "password");
    assert_string_equal(s, "first");
    gw_free_secret_str(s);

    write_file("empty", "\n", path, sizeof path);
    assert_null(gw_cli_read_secret(path, "password"));
    snprintf(path, sizeof path, "%s/missing", dir);
    assert_null(gw_cli_read_secret(path, "password"));
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_cfg),
        cmocka_unit_test(test_load_catalogue),
        cmocka_unit_test(test_open_needs_init),
        cmocka_unit_test(test_read_secret_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
