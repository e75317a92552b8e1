/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Configuration parser tests: a table of inputs with the exact result and message for every
 * error kind and option type, defaults, dump and reload helpers, and a check that
 * docs/fleetgw.conf.5 documents exactly the option table. Includes cfg.c to reach the value
 * parsers for the types no option uses yet (bool) and the redaction of secret options.
 */
#include "gateway/cfg.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

struct parse_case {
    const char *text;
    size_t len; /* 0: strlen(text) */
    int rc;
    const char *msg; /* exact message on failure */
};

#define LONG_197                                                                                   \
    "# "                                                                                           \
    "45678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345" \
    "67890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567" \
    "89012345678"
#define LONG_198 LONG_197 "9"

static const struct parse_case cases[] = {
    /* Valid input, every option type. */
    {"", 0, 0, NULL},
    {"# only a comment\n; another\n\n", 0, 0, NULL},
    {"[gateway]\nstate_dir = /srv/fleetgw\nkey_file = /etc/fleetgw/key\n", 0, 0, NULL},
    {"[gateway]\nlog_level = debug\nlog_debug = snmp, up\n", 0, 0, NULL},
    {"[gateway]\nlog_debug = all\n", 0, 0, NULL},
    {"[snmp]\ntimeout = 250ms\nretries = 0\nmax_in_flight = 10000\nmax_repetitions = 1\n", 0, 0,
     NULL},
    {"[poll]\ninterval = 1d\nalert_interval = 10s\nretention_days = 3650\n", 0, 0, NULL},
    {"[snmp]\r\nretries = 3\r\n", 0, 0, NULL},
    {"\xef\xbb\xbf[snmp]\nretries=2", 0, 0, NULL},
    {"[snmp]\n  retries = 3\n    max_repetitions = 10\n", 0, 0, NULL},
    {"[snmp] ; the SNMP section\nretries = 2 ; two\n", 0, 0, NULL},
    {"[snmp]\nretries: 2\n", 0, 0, NULL},
    {"[snmp]\n[poll]\n[snmp]\nretries = 2\n", 0, 0, NULL},
    {LONG_197 "\n", 0, 0, NULL},
    {"[gateway]\nstate_dir = /a;b\n", 0, 0, NULL},

    /* Unknown section, unknown key, option outside a section. */
    {"[bogus]\n", 0, GW_E_CONFIG,
     "t.conf:1: [bogus]: unknown section (known: gateway, snmp, poll, webui)"},
    {"[SNMP]\n", 0, GW_E_CONFIG,
     "t.conf:1: [SNMP]: unknown section (known: gateway, snmp, poll, webui)"},
    {"[snmp]\ntimout = 2s\n", 0, GW_E_CONFIG, "t.conf:2: snmp.timout: unknown option"},
    {"[poll]\nretries = 1\n", 0, GW_E_CONFIG, "t.conf:2: poll.retries: unknown option"},
    {"[snmp]\nRetries = 1\n", 0, GW_E_CONFIG, "t.conf:2: snmp.Retries: unknown option"},
    {"retries = 1\n", 0, GW_E_CONFIG, "t.conf:1: retries: option outside of any [section]"},

    /* Integers. */
    {"[snmp]\nretries = many\n", 0, GW_E_CONFIG,
     "t.conf:2: snmp.retries: 'many' is not an integer"},
    {"[snmp]\nretries = 1.5\n", 0, GW_E_CONFIG, "t.conf:2: snmp.retries: '1.5' is not an integer"},
    {"[snmp]\nretries = 0x3\n", 0, GW_E_CONFIG, "t.conf:2: snmp.retries: '0x3' is not an integer"},
    {"[snmp]\nretries = +3\n", 0, GW_E_CONFIG, "t.conf:2: snmp.retries: '+3' is not an integer"},
    {"# c\n\n[snmp]\n\n\n\nretries = 42\n", 0, GW_E_CONFIG,
     "t.conf:7: snmp.retries: 42 is out of range 0..10"},
    {"[snmp]\nretries = -1\n", 0, GW_E_CONFIG, "t.conf:2: snmp.retries: -1 is out of range 0..10"},
    {"[snmp]\nmax_in_flight = 0\n", 0, GW_E_CONFIG,
     "t.conf:2: snmp.max_in_flight: 0 is out of range 1..10000"},
    {"[snmp]\nmax_in_flight = 99999999999999999999999\n", 0, GW_E_CONFIG,
     "t.conf:2: snmp.max_in_flight: 99999999999999999999999 is out of range 1..10000"},
    {"[snmp]\nmax_repetitions = 101\n", 0, GW_E_CONFIG,
     "t.conf:2: snmp.max_repetitions: 101 is out of range 1..100"},
    {"[poll]\nretention_days = 3651\n", 0, GW_E_CONFIG,
     "t.conf:2: poll.retention_days: 3651 is out of range 1..3650"},
    {"[snmp]\nretries =\n", 0, GW_E_CONFIG, "t.conf:2: snmp.retries: missing value"},
    {"[snmp]\nretries = ; nothing\n", 0, GW_E_CONFIG, "t.conf:2: snmp.retries: missing value"},

    /* Durations. */
    {"[snmp]\ntimeout = 2x\n", 0, GW_E_CONFIG,
     "t.conf:2: snmp.timeout: '2x' is not a duration (use e.g. 30s, 5m, 1h, 1d, 250ms)"},
    {"[snmp]\ntimeout = 2 s\n", 0, GW_E_CONFIG,
     "t.conf:2: snmp.timeout: '2 s' is not a duration (use e.g. 30s, 5m, 1h, 1d, 250ms)"},
    {"[snmp]\ntimeout = s\n", 0, GW_E_CONFIG,
     "t.conf:2: snmp.timeout: 's' is not a duration (use e.g. 30s, 5m, 1h, 1d, 250ms)"},
    {"[snmp]\ntimeout = -2s\n", 0, GW_E_CONFIG,
     "t.conf:2: snmp.timeout: '-2s' is not a duration (use e.g. 30s, 5m, 1h, 1d, 250ms)"},
    {"[snmp]\ntimeout = 99ms\n", 0, GW_E_CONFIG,
     "t.conf:2: snmp.timeout: 99ms is out of range 100ms..1m"},
    {"[snmp]\ntimeout = 61s\n", 0, GW_E_CONFIG,
     "t.conf:2: snmp.timeout: 61s is out of range 100ms..1m"},
    {"[snmp]\ntimeout = 99999999999999999d\n", 0, GW_E_CONFIG,
     "t.conf:2: snmp.timeout: 99999999999999999d is out of range 100ms..1m"},
    {"[snmp]\ntimeout =\n", 0, GW_E_CONFIG, "t.conf:2: snmp.timeout: missing value"},
    {"[poll]\ninterval = 5s\n", 0, GW_E_CONFIG,
     "t.conf:2: poll.interval: 5s is out of range 10s..1d"},
    {"[poll]\ninterval = 25h\n", 0, GW_E_CONFIG,
     "t.conf:2: poll.interval: 25h is out of range 10s..1d"},
    {"[poll]\ninterval = 1500ms\n", 0, GW_E_CONFIG,
     "t.conf:2: poll.interval: 1500ms is not a whole number of seconds"},
    {"[poll]\nalert_interval = 9\n", 0, GW_E_CONFIG,
     "t.conf:2: poll.alert_interval: 9 is out of range 10s..1d"},

    /* Enum, group list, strings, paths. */
    {"[gateway]\nlog_level = loud\n", 0, GW_E_CONFIG,
     "t.conf:2: gateway.log_level: 'loud' is not one of err, warning, notice, info, debug"},
    {"[gateway]\nlog_level = INFO\n", 0, GW_E_CONFIG,
     "t.conf:2: gateway.log_level: 'INFO' is not one of err, warning, notice, info, debug"},
    {"[gateway]\nlog_debug = snmp,bogus\n", 0, GW_E_CONFIG,
     "t.conf:2: gateway.log_debug: unknown log group 'bogus' (known: gw, cfg, db, disc, snmp, "
     "soap, up, ui, audit, all)"},
    {"[gateway]\nlog_debug = "
     "snmp,snmp,snmp,snmp,snmp,snmp,snmp,snmp,snmp,snmp,snmp,snmp,snmp,snmp,snmp,snmp,snmp,snmp,"
     "snmp,snmp,snmp,snmp,snmp,snmp,snmp,snmp,snmp\n",
     0, GW_E_CONFIG, "t.conf:2: gateway.log_debug: value is longer than 127 characters"},
    {"[gateway]\nstate_dir =\n", 0, GW_E_CONFIG, "t.conf:2: gateway.state_dir: a path is required"},
    {"[gateway]\nstate_dir =;/x\n", 0, GW_E_CONFIG,
     "t.conf:2: gateway.state_dir: a value may not start with ';'"},

    /* Duplicates. */
    {"[snmp]\nretries = 1\n[poll]\n[snmp]\nretries = 2\n", 0, GW_E_CONFIG,
     "t.conf:5: snmp.retries: duplicate option (first set on line 2)"},
    {"[gateway]\nlog_level = info\nlog_level = info\n", 0, GW_E_CONFIG,
     "t.conf:3: gateway.log_level: duplicate option (first set on line 2)"},

    /* Syntax. */
    {"[snmp]\nretries\n", 0, GW_E_CONFIG,
     "t.conf:2: syntax error: expected 'key = value', '[section]' or a comment"},
    {"[snmp]\nretries ; = 3\n", 0, GW_E_CONFIG,
     "t.conf:2: syntax error: expected 'key = value', '[section]' or a comment"},
    {"[snmp\n", 0, GW_E_CONFIG, "t.conf:1: syntax error: missing ']' in section header"},
    {"[snmp] x\n", 0, GW_E_CONFIG, "t.conf:1: syntax error: unexpected text after ']'"},
    {"[snmp]\n= 5\n", 0, GW_E_CONFIG, "t.conf:2: syntax error: missing option name before '='"},
    {"[snmp]\n  : 5\n", 0, GW_E_CONFIG, "t.conf:2: syntax error: missing option name before ':'"},
    {LONG_198 "\n", 0, GW_E_CONFIG, "t.conf:1: syntax error: line is longer than 197 characters"},
    {"[snmp]\nretries = 1\x01\n", 0, GW_E_CONFIG,
     "t.conf:2: syntax error: control character 0x01 in line"},
    {"[snmp]\nretries = 1\0 junk\n", 20, GW_E_CONFIG,
     "t.conf:2: syntax error: control character 0x00 in line"},
    {"[snmp]\nretries = 1\rmax_repetitions = 3\n", 0, GW_E_CONFIG,
     "t.conf:2: syntax error: control character 0x0d in line"},

    /* The first error in the file is the one reported, whatever its kind. */
    {"[snmp]\nretries = x\n[bogus]\n", 0, GW_E_CONFIG,
     "t.conf:2: snmp.retries: 'x' is not an integer"},
    {"[snmp]\nfoo\n[bogus]\n", 0, GW_E_CONFIG,
     "t.conf:2: syntax error: expected 'key = value', '[section]' or a comment"},
    {"[snmp]\n\nretries = x", 0, GW_E_CONFIG, "t.conf:3: snmp.retries: 'x' is not an integer"},
};

static void test_parse_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct parse_case *c = &cases[i];
        size_t len = c->len ? c->len : strlen(c->text);
        struct gw_cfg cfg;
        struct gw_errbuf eb = {""};
        int rc = gw_cfg_parse(c->text, len, "t.conf", &cfg, &eb);
        if (rc != c->rc || (c->msg && strcmp(eb.msg, c->msg) != 0)) {
            print_error("case %zu: %s\n  rc %d, want %d\n  msg \"%s\"\n want \"%s\"\n", i, c->text,
                        rc, c->rc, eb.msg, c->msg ? c->msg : "");
            fail();
        }
    }
}

static void test_defaults(void **state)
{
    struct gw_cfg cfg;
    (void)state;
    gw_cfg_defaults(&cfg);
    assert_string_equal(cfg.path, "");
    assert_string_equal(cfg.state_dir, "/var/lib/fleetgw");
    assert_string_equal(cfg.key_file, "");
    assert_int_equal(cfg.log_level, LOG_INFO);
    assert_string_equal(cfg.log_debug, "");
    assert_string_equal(cfg.control_socket, "");
    assert_int_equal(cfg.snmp_timeout_ms, 2000);
    assert_int_equal(cfg.snmp_retries, 1);
    assert_int_equal(cfg.snmp_max_in_flight, 200);
    assert_int_equal(cfg.snmp_max_repetitions, 20);
    assert_string_equal(cfg.snmp_catalogue, "");
    assert_int_equal(cfg.poll_interval_s, 300);
    assert_int_equal(cfg.poll_alert_interval_s, 60);
    assert_int_equal(cfg.poll_retention_days, 90);
}

static void test_values(void **state)
{
    static const char text[] = "[gateway]\n"
                               "state_dir = /srv/fg\n"
                               "log_level = err\n"
                               "log_debug = snmp,up\n"
                               "[snmp]\n"
                               "timeout = 250ms\n"
                               "retries = 10\n"
                               "catalogue = /opt/cat\n"
                               "[poll]\n"
                               "interval = 5m\n"
                               "alert_interval = 30\n"
                               "retention_days = 7\n";
    struct gw_cfg cfg;
    struct gw_errbuf eb = {""};
    (void)state;
    assert_int_equal(gw_cfg_parse(text, strlen(text), "v.conf", &cfg, &eb), 0);
    assert_string_equal(cfg.path, "v.conf");
    assert_string_equal(cfg.state_dir, "/srv/fg");
    assert_int_equal(cfg.log_level, LOG_ERR);
    assert_string_equal(cfg.log_debug, "snmp,up");
    assert_int_equal(cfg.snmp_timeout_ms, 250);
    assert_int_equal(cfg.snmp_retries, 10);
    assert_int_equal(cfg.snmp_max_in_flight, 200);
    assert_string_equal(cfg.snmp_catalogue, "/opt/cat");
    assert_int_equal(cfg.poll_interval_s, 300);
    assert_int_equal(cfg.poll_alert_interval_s, 30);
    assert_int_equal(cfg.poll_retention_days, 7);
}

static void test_durations(void **state)
{
    static const struct {
        const char *text;
        int timeout_ms, interval_s;
    } d[] = {
        {"[snmp]\ntimeout = 2\n", 2000, 300},       {"[snmp]\ntimeout = 2s\n", 2000, 300},
        {"[snmp]\ntimeout = 100ms\n", 100, 300},    {"[snmp]\ntimeout = 1m\n", 60000, 300},
        {"[poll]\ninterval = 30\n", 2000, 30},      {"[poll]\ninterval = 5m\n", 2000, 300},
        {"[poll]\ninterval = 1h\n", 2000, 3600},    {"[poll]\ninterval = 1d\n", 2000, 86400},
        {"[poll]\ninterval = 10000ms\n", 2000, 10},
    };
    (void)state;
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
        struct gw_cfg cfg;
        struct gw_errbuf eb = {""};
        assert_int_equal(gw_cfg_parse(d[i].text, strlen(d[i].text), "d", &cfg, &eb), 0);
        assert_int_equal(cfg.snmp_timeout_ms, d[i].timeout_ms);
        assert_int_equal(cfg.poll_interval_s, d[i].interval_s);
    }
}

/* Only the parse and print of types no option uses yet, through a made-up option. */
static void test_bool_and_secret(void **state)
{
    struct gw_opt o = {"t",         "flag", GW_OPT_BOOL,
                       "no",        0,      1,
                       0,           NULL,   offsetof(struct gw_cfg, snmp_retries),
                       sizeof(int), ""};
    struct gw_opt s = {"t",
                       "secret",
                       GW_OPT_STRING,
                       "",
                       0,
                       0,
                       GW_OPT_SECRET,
                       NULL,
                       offsetof(struct gw_cfg, log_debug),
                       sizeof(((struct gw_cfg *)0)->log_debug),
                       ""};
    struct gw_cfg cfg;
    char why[200], buf[64];
    (void)state;
    gw_cfg_defaults(&cfg);
    for (const char *const *y = (const char *const[]){"yes", "true", "on", "1", "YES", NULL}; *y;
         y++) {
        cfg.snmp_retries = 0;
        assert_int_equal(set_value(&cfg, &o, *y, why, sizeof why), 0);
        assert_int_equal(cfg.snmp_retries, 1);
    }
    for (const char *const *n = (const char *const[]){"no", "false", "off", "0", NULL}; *n; n++) {
        cfg.snmp_retries = 1;
        assert_int_equal(set_value(&cfg, &o, *n, why, sizeof why), 0);
        assert_int_equal(cfg.snmp_retries, 0);
    }
    assert_int_equal(set_value(&cfg, &o, "maybe", why, sizeof why), -EINVAL);
    assert_string_equal(why, "'maybe' is not a boolean (use yes or no)");
    format_value(&cfg, &o, buf, sizeof buf);
    assert_string_equal(buf, "no");

    gw_strlcpy(cfg.log_debug, "hunter2", sizeof cfg.log_debug);
    format_value(&cfg, &s, buf, sizeof buf);
    assert_string_equal(buf, "<redacted>");
}

/* A failed parse (a reload with a broken file) leaves the caller's configuration alone. */
static void test_failure_keeps_cfg(void **state)
{
    static const char bad[] = "[snmp]\nretries = 3\nmax_repetitions = 0\n";
    struct gw_cfg cfg, before;
    struct gw_errbuf eb = {""};
    (void)state;
    gw_cfg_defaults(&cfg);
    cfg.snmp_retries = 7;
    before = cfg;
    assert_int_equal(gw_cfg_parse(bad, strlen(bad), "b", &cfg, &eb), GW_E_CONFIG);
    assert_memory_equal(&cfg, &before, sizeof cfg);
    assert_int_equal(gw_cfg_parse(bad, strlen(bad), "b", &cfg, NULL), GW_E_CONFIG);
}

static char *dump_to_string(const struct gw_cfg *cfg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    gw_cfg_dump(cfg, f);
    fclose(f);
    return buf;
}

static void test_dump(void **state)
{
    static const char text[] = "[gateway]\nlog_level = notice\n[snmp]\ntimeout = 1500ms\n"
                               "[poll]\ninterval = 2h\n";
    struct gw_cfg cfg, again;
    struct gw_errbuf eb = {""};
    size_t n;
    const struct gw_opt *opts = gw_cfg_options(&n);
    char *out, *out2;
    (void)state;
    setenv("FLEETGW_DATADIR", "/usr/share/fleetgw-test", 1);
    assert_int_equal(gw_cfg_parse(text, strlen(text), "x.conf", &cfg, &eb), 0);
    out = dump_to_string(&cfg);
    for (size_t i = 0; i < n; i++) {
        char key[64];
        snprintf(key, sizeof key, "\n%s =", opts[i].key);
        assert_non_null(strstr(out, key));
    }
    assert_non_null(strstr(out, "\n[gateway]\n"));
    assert_non_null(strstr(out, "\n[snmp]\n"));
    assert_non_null(strstr(out, "\n[poll]\n"));
    assert_non_null(strstr(out, "\nlog_level = notice\n"));
    assert_non_null(strstr(out, "\nlog_debug =\n")); /* no trailing blank */
    assert_non_null(strstr(out, "\ntimeout = 1500ms\n"));
    assert_non_null(strstr(out, "\ninterval = 2h\n"));
    assert_non_null(strstr(out, "\nalert_interval = 1m\n"));
    assert_non_null(strstr(out, "\nkey_file = /var/lib/fleetgw/secrets.key\n"));
    assert_non_null(strstr(out, "\ncontrol_socket = /var/lib/fleetgw/control.sock\n"));
    assert_non_null(strstr(out, "\ncatalogue = /usr/share/fleetgw-test/counters.catalogue\n"));
    /* The dump is itself a valid configuration meaning the same. */
    assert_int_equal(gw_cfg_parse(out, strlen(out), "dump", &again, &eb), 0);
    out2 = dump_to_string(&again);
    assert_string_equal(strchr(out, '\n'), strchr(out2, '\n'));
    free(out);
    free(out2);
    unsetenv("FLEETGW_DATADIR");
}

static void test_needs_restart(void **state)
{
    struct gw_cfg a, b;
    const char *key = "x";
    (void)state;
    gw_cfg_defaults(&a);
    b = a;
    assert_false(gw_cfg_needs_restart(&a, &b, &key));
    assert_null(key);
    b.snmp_retries = 5;
    b.log_level = LOG_DEBUG;
    b.poll_interval_s = 60;
    assert_false(gw_cfg_needs_restart(&a, &b, &key));
    gw_strlcpy(b.state_dir, "/elsewhere", sizeof b.state_dir);
    assert_true(gw_cfg_needs_restart(&a, &b, &key));
    assert_string_equal(key, "gateway.state_dir");
    b = a;
    gw_strlcpy(b.webui_www_dir, "/x", sizeof b.webui_www_dir);
    assert_true(gw_cfg_needs_restart(&a, &b, NULL));
    /* The catalogue is handed to its users on reload, from a new path too. */
    b = a;
    gw_strlcpy(b.snmp_catalogue, "/x", sizeof b.snmp_catalogue);
    assert_false(gw_cfg_needs_restart(&a, &b, NULL));
}

static void test_derived_paths(void **state)
{
    struct gw_cfg cfg;
    char buf[512], tiny[8];
    (void)state;
    gw_cfg_defaults(&cfg);
    gw_strlcpy(cfg.state_dir, "/st", sizeof cfg.state_dir);
    assert_string_equal(gw_cfg_key_file(&cfg, buf, sizeof buf), "/st/secrets.key");
    assert_string_equal(gw_cfg_control_socket(&cfg, buf, sizeof buf), "/st/control.sock");
    assert_string_equal(gw_cfg_db_file(&cfg, buf, sizeof buf), "/st/fleetgw.db");
    gw_strlcpy(cfg.key_file, "/k", sizeof cfg.key_file);
    gw_strlcpy(cfg.control_socket, "/run/fg.sock", sizeof cfg.control_socket);
    assert_string_equal(gw_cfg_key_file(&cfg, buf, sizeof buf), "/k");
    assert_string_equal(gw_cfg_control_socket(&cfg, buf, sizeof buf), "/run/fg.sock");
    /* Too small a buffer gives NULL and "", never a silently shortened path. */
    assert_null(gw_cfg_db_file(&cfg, tiny, sizeof tiny));
    assert_string_equal(tiny, "");
    assert_null(gw_cfg_control_socket(&cfg, tiny, sizeof tiny));

    setenv("FLEETGW_DATADIR", "/data", 1);
    assert_string_equal(gw_cfg_catalogue(&cfg, buf, sizeof buf), "/data/counters.catalogue");
    unsetenv("FLEETGW_DATADIR");
    {
        /* This test program runs from the build tree: the source tree's files are used. */
        char *src = realpath(FLEETGW_TOP_SRCDIR "/snmp/counters.catalogue", NULL);
        char *www = realpath(FLEETGW_TOP_SRCDIR "/webui/www", NULL);
        assert_non_null(src);
        assert_non_null(www);
        assert_string_equal(gw_cfg_catalogue(&cfg, buf, sizeof buf), src);
        assert_string_equal(gw_cfg_webui_www(&cfg, buf, sizeof buf), www);
        free(src);
        free(www);
    }
    gw_strlcpy(cfg.snmp_catalogue, "/mine.cat", sizeof cfg.snmp_catalogue);
    setenv("FLEETGW_DATADIR", "/data", 1);
    assert_string_equal(gw_cfg_catalogue(&cfg, buf, sizeof buf), "/mine.cat");
    unsetenv("FLEETGW_DATADIR");
}

static void test_load_file(void **state)
{
    char dir[] = "/tmp/fleetgw-cfg-XXXXXX";
    char path[128], expect[256];
    struct gw_cfg cfg;
    struct gw_errbuf eb = {""};
    FILE *f;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/fleetgw.conf", dir);
    assert_int_equal(gw_cfg_load(path, &cfg, &eb), -ENOENT);
    assert_non_null(strstr(eb.msg, path));

    f = fopen(path, "w");
    assert_non_null(f);
    fputs("[snmp]\nretries = 4\n\n[poll]\ninterval = 10x\n", f);
    fclose(f);
    assert_int_equal(gw_cfg_load(path, &cfg, &eb), GW_E_CONFIG);
    snprintf(expect, sizeof expect,
             "%s:5: poll.interval: '10x' is not a duration (use e.g. 30s, 5m, 1h, 1d, 250ms)",
             path);
    assert_string_equal(eb.msg, expect);

    f = fopen(path, "w");
    assert_non_null(f);
    fputs("[snmp]\nretries = 4\n", f);
    fclose(f);
    assert_int_equal(gw_cfg_load(path, &cfg, &eb), 0);
    assert_int_equal(cfg.snmp_retries, 4);
    assert_string_equal(cfg.path, path);

    assert_int_equal(gw_cfg_load(dir, &cfg, &eb), GW_E_CONFIG);
    unlink(path);
    rmdir(dir);
}

/* The option table's own invariants: enums have max - min + 1 names, defaults parse. */
static void test_table(void **state)
{
    size_t n;
    const struct gw_opt *o = gw_cfg_options(&n);
    (void)state;
    assert_true(n >= 14); /* every option is also checked against the man page below */
    for (size_t i = 0; i < n; i++) {
        assert_non_null(o[i].help);
        if (o[i].type == GW_OPT_ENUM) {
            size_t k = 0;
            while (o[i].enum_values[k])
                k++;
            assert_int_equal(k, o[i].max - o[i].min + 1);
        }
    }
}

/* ---------------------------------------------------------------------------------------------
 * docs/fleetgw.conf.5 against the table
 */

static char *read_man_page(void)
{
    const char *src = getenv("FLEETGW_SRCDIR");
    char path[1024];
    char *buf = NULL;
    size_t len = 0;
    FILE *f;
    if (src && *src) {
        snprintf(path, sizeof path, "%s/docs/fleetgw.conf.5", src);
    } else {
        /* Run by hand: find the page relative to this source file. */
        const char *p = strstr(__FILE__, "tests/unit/gateway/");
        snprintf(path, sizeof path, "%.*sdocs/fleetgw.conf.5", p ? (int)(p - __FILE__) : 0,
                 __FILE__);
    }
    f = fopen(path, "r");
    if (!f)
        return NULL;
    {
        FILE *m = open_memstream(&buf, &len);
        int ch;
        while ((ch = fgetc(f)) != EOF)
            fputc(ch, m);
        fclose(m);
    }
    fclose(f);
    return buf;
}

/* Removes the roff escapes the page uses in values: "\-" and "\&". */
static void unroff(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (r[0] == '\\' && r[1] == '-') {
            *w++ = '-';
            r++;
        } else if (r[0] == '\\' && r[1] == '&') {
            r++;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

struct doc_opt {
    char section[32], key[64], def[128], range[64], values[128], reload[8];
    bool has_def;
};

static void test_man_page(void **state)
{
    struct doc_opt docs[64];
    size_t ndocs = 0, n;
    const struct gw_opt *opts = gw_cfg_options(&n);
    char section[32] = "";
    char *page = read_man_page(), *save = NULL;
    (void)state;
    if (!page)
        skip();
    memset(docs, 0, sizeof docs);
    for (char *line = strtok_r(page, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        struct doc_opt *d = ndocs ? &docs[ndocs - 1] : NULL;
        char *p;
        unroff(line);
        if (sscanf(line, ".SS \"[%31[^]]]\"", section) == 1)
            continue;
        if (strncmp(line, ".BI \"", 5) == 0 && (p = strstr(line, " = \""))) {
            assert_true(ndocs < sizeof docs / sizeof docs[0]);
            d = &docs[ndocs++];
            gw_strlcpy(d->section, section, sizeof d->section);
            snprintf(d->key, sizeof d->key, "%.*s", (int)(p - line - 5), line + 5);
            continue;
        }
        if (!d)
            continue;
        if (strncmp(line, "Default: \\fB", 12) == 0 && (p = strstr(line, "\\fR"))) {
            snprintf(d->def, sizeof d->def, "%.*s", (int)(p - line - 12), line + 12);
            d->has_def = true;
        } else if (strncmp(line, "Default: empty", 14) == 0) {
            d->def[0] = '\0';
            d->has_def = true;
        } else if (sscanf(line, "Range: %63[^ ]", d->range) == 1) {
            size_t l = strlen(d->range);
            if (l && d->range[l - 1] == '.')
                d->range[l - 1] = '\0';
        } else if (strncmp(line, "Values: ", 8) == 0) {
            snprintf(d->values, sizeof d->values, "%s", line + 8);
            if (strlen(d->values) && d->values[strlen(d->values) - 1] == '.')
                d->values[strlen(d->values) - 1] = '\0';
        } else {
            sscanf(line, "Reloaded on SIGHUP: %7[a-z]", d->reload);
        }
    }
    free(page);

    assert_int_equal(ndocs, n);
    for (size_t i = 0; i < n; i++) {
        const struct gw_opt *o = &opts[i];
        const struct doc_opt *d = NULL;
        char range[80] = "", values[128] = "";
        for (size_t j = 0; j < ndocs; j++)
            if (strcmp(docs[j].section, o->section) == 0 && strcmp(docs[j].key, o->key) == 0)
                d = &docs[j];
        if (!d) {
            print_error("option %s.%s is not in docs/fleetgw.conf.5\n", o->section, o->key);
            fail();
        }
        assert_true(d->has_def);
        if (strcmp(d->def, o->def) != 0) {
            print_error("%s.%s: man page default '%s', table '%s'\n", o->section, o->key, d->def,
                        o->def);
            fail();
        }
        assert_string_equal(d->reload, o->flags & GW_OPT_RELOADABLE ? "yes" : "no");
        if (o->type == GW_OPT_INT || o->type == GW_OPT_DURATION)
            format_range(o, range, sizeof range);
        assert_string_equal(d->range, range);
        if (o->type == GW_OPT_ENUM)
            for (size_t k = 0; o->enum_values[k]; k++)
                snprintf(values + strlen(values), sizeof values - strlen(values), "%s%s",
                         k ? ", " : "", o->enum_values[k]);
        assert_string_equal(d->values, values);
    }
}

/* The man page's example must itself be a valid file. */
static void test_man_page_example(void **state)
{
    char *page = read_man_page(), *ex, *end;
    struct gw_cfg cfg;
    struct gw_errbuf eb = {""};
    (void)state;
    if (!page)
        skip();
    ex = strstr(page, ".SH EXAMPLE\n.EX\n");
    assert_non_null(ex);
    ex += strlen(".SH EXAMPLE\n.EX\n");
    end = strstr(ex, ".EE\n");
    assert_non_null(end);
    *end = '\0';
    if (gw_cfg_parse(ex, strlen(ex), "example", &cfg, &eb) != 0) {
        print_error("%s\n", eb.msg);
        fail();
    }
    assert_int_equal(cfg.snmp_timeout_ms, 1500);
    assert_int_equal(cfg.poll_retention_days, 400);
    free(page);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_bool_and_secret),
        cmocka_unit_test(test_failure_keeps_cfg),
        cmocka_unit_test(test_dump),
        cmocka_unit_test(test_needs_restart),
        cmocka_unit_test(test_derived_paths),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_man_page),
        cmocka_unit_test(test_man_page_example),
    };
    gw_log_set_level(LOG_CRIT);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
