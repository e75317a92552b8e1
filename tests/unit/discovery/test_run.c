/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Unit tests for discovery/run.c: the schedule and window syntax as case tables, and when a
 * schedule is due (daily at a time, every N hours, inside or outside a window), on local times
 * built with mktime. run.c is included to reach its static schedule_due().
 */
#include "discovery/run.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void test_schedule_syntax(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int rc, daily, every;
    } cases[] = {
        {"manual", 0, -1, 0},
        {"daily 02:30", 0, 150, 0},
        {"daily 23:59", 0, 1439, 0},
        {"every 6", 0, -1, 6},
        {"every 6h", 0, -1, 6},
        {"every 168", 0, -1, 168},
        {"daily 24:00", DISC_E_TARGET, -1, 0},
        {"daily 2:30", DISC_E_TARGET, -1, 0},
        {"every 0", DISC_E_TARGET, -1, 0},
        {"every 169", DISC_E_TARGET, -1, 0},
        {"every x", DISC_E_TARGET, -1, 0},
        {"weekly", DISC_E_TARGET, -1, 0},
        {"", DISC_E_TARGET, -1, 0},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        int d, e;
        int rc = disc__schedule_parse(cases[i].in, &d, &e);
        if (rc != cases[i].rc)
            fail_msg("case '%s': rc %d", cases[i].in, rc);
        if (rc == 0) {
            assert_int_equal(d, cases[i].daily);
            assert_int_equal(e, cases[i].every);
        }
    }
    int from, to;
    assert_int_equal(disc__window_parse("22:00-06:00", &from, &to), 0);
    assert_int_equal(from, 22 * 60);
    assert_int_equal(to, 6 * 60);
    assert_int_equal(disc__window_parse("22:00-22:00", &from, &to), -1);
    assert_int_equal(disc__window_parse("22:00-6:00", &from, &to), -1);
    assert_int_equal(disc__window_parse("25:00-06:00", &from, &to), -1);
}

static int64_t at(int hour, int min)
{
    struct tm tm = {.tm_year = 126,
                    .tm_mon = 10,
                    .tm_mday = 22,
                    .tm_hour = hour,
                    .tm_min = min,
                    .tm_isdst = -1};
    return (int64_t)mktime(&tm);
}

static void test_schedule_due(void **state)
{
    (void)state;
    static const struct {
        const char *schedule, *window;
        int last_h, last_m; /* -1: never ran */
        int now_h, now_m;
        bool due;
    } cases[] = {
        {"manual", "", -1, 0, 12, 0, false},
        {"daily 02:30", "", -1, 0, 2, 29, false},
        {"daily 02:30", "", -1, 0, 2, 30, true},
        {"daily 02:30", "", 2, 30, 9, 0, false}, /* already ran today */
        {"daily 02:30", "", 1, 0, 9, 0, true},   /* last run before today's time */
        {"every 6", "", -1, 0, 9, 0, true},
        {"every 6", "", 4, 0, 9, 59, false},
        {"every 6", "", 4, 0, 10, 0, true},
        {"every 1", "01:00-05:00", 0, 0, 9, 0, false}, /* outside the window */
        {"every 1", "01:00-05:00", 0, 0, 3, 0, true},
        {"every 1", "22:00-06:00", 0, 0, 23, 0, true}, /* window across midnight */
        {"every 1", "22:00-06:00", 0, 0, 12, 0, false},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        int64_t last = cases[i].last_h < 0 ? 0 : at(cases[i].last_h, cases[i].last_m);
        bool due = schedule_due(cases[i].schedule, cases[i].window, last,
                                at(cases[i].now_h, cases[i].now_m));
        if (due != cases[i].due)
            fail_msg("case %zu '%s' window '%s': due %d", i, cases[i].schedule, cases[i].window,
                     due);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule_syntax),
        cmocka_unit_test(test_schedule_due),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
