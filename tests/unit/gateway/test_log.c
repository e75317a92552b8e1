/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The in-memory ring of recent log records that the web UI offers as a download: empty at
 * first, records in order with their priority and group, and bounded to the last
 * GW_LOG_RECENT_LINES records when more are written (the oldest go first).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <cmocka.h>

#include "gateway/gw.h"

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void test_recent_ring(void **state)
{
    size_t len = 1;
    char *text = gw_log_recent(&len), *p;
    (void)state;
    assert_int_equal(len, 0);
    assert_string_equal(text, "");
    free(text);

    gw_log_warn(UI, "first record n=%d", 1);
    gw_log_info(DB, "second record");
    text = gw_log_recent(&len);
    assert_int_equal(len, strlen(text));
    assert_int_equal(count_lines(text), 2);
    assert_non_null(strstr(text, " warn ui: first record n=1\n"));
    p = strstr(text, " info db: second record\n");
    assert_non_null(p);
    assert_true(p > strstr(text, "first record"));
    assert_true(text[4] == '-' && text[10] == 'T'); /* ISO time first */
    free(text);

    for (int i = 0; i < GW_LOG_RECENT_LINES + 100; i++)
        gw_log_info(GW, "filler n=%d", i);
    text = gw_log_recent(&len);
    assert_int_equal(count_lines(text), GW_LOG_RECENT_LINES);
    assert_null(strstr(text, "first record"));
    assert_null(strstr(text, "filler n=99\n"));
    assert_non_null(strstr(text, "filler n=100\n"));
    p = strstr(text, "filler n=2099\n");
    assert_non_null(p);
    assert_string_equal(p, "filler n=2099\n");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recent_ring),
    };
    /* The records also go to stderr; the test reads them from the ring only. */
    if (!freopen("/dev/null", "w", stderr))
        return 1;
    gw_log_init("test_log");
    gw_log_set_level(LOG_INFO);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
