/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Unit tests for uplink/queue.c on a real store in a temporary directory: the outbox bound and
 * its eviction accounting (oldest and lowest priority first, every eviction counted, one
 * data_gap message that names the evicted sequence range), messages too large for the whole
 * outbox, expiry by age, acknowledgement, and the event batches (sizes and kinds).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "uptest.h"

/* A body that gzip cannot shrink much: 320 random hex digits. */
static json_t *noise_body(int i)
{
    char text[321], id[33];
    for (int k = 0; k < 10; k++) {
        up__random_id(id);
        memcpy(text + 32 * k, id, 32);
    }
    text[320] = '\0';
    return json_pack("{s:i, s:s}", "i", i, "noise", text);
}

static json_t *msg_body(struct gw_db *db, int64_t *row, char *kind, size_t klen)
{
    struct up_msg m;
    if (up__queue_peek(db, &m, 1, NULL, 0) != 1)
        return NULL;
    json_t *env = uptest_unseal(&m);
    if (row)
        *row = m.row;
    snprintf(kind, klen, "%s", m.kind);
    up__msg_cleanup(&m);
    json_t *b = json_incref(json_object_get(env, "body"));
    json_decref(env);
    return b;
}

static void test_bound_and_eviction_accounting(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_queue.XXXXXX", kind[24];
    struct gw_db *db = uptest_db(dir, false);
    const int64_t max = 4096;
    int64_t msgs, bytes;
    /* A control message first: eviction takes the lowest priority first, so it survives. */
    json_t *ctl = json_pack("{s:s}", "task_id", "t-1");
    assert_int_equal(up__queue_put(db, "task_result", UP_PRIO_CONTROL, ctl, max), 0);
    json_decref(ctl);
    for (int i = 0; i < 40; i++) {
        json_t *b = noise_body(i);
        assert_int_equal(up__queue_put(db, "counters", UP_PRIO_DATA, b, max), 0);
        json_decref(b);
        up__queue_totals(db, &msgs, &bytes);
        assert_true(bytes <= max);
    }
    up__queue_totals(db, &msgs, &bytes);
    int64_t evicted = up__setting_int(db, UP_K_EVICTED, 0);
    assert_true(evicted > 0);
    /* Nothing vanished uncounted: every message made is in the outbox or counted. */
    assert_int_equal(up__setting_int(db, UP_K_SEQ, 0), 41);
    assert_int_equal(msgs + evicted, 41);
    /* The control message (seq 1) is still first to go out. */
    json_t *b = msg_body(db, NULL, kind, sizeof kind);
    assert_string_equal(kind, "task_result");
    json_decref(b);
    /* One data_gap message covers the evicted range: the oldest data messages, seq 2.. */
    assert_int_equal(up__queue_gap_flush(db, 1 << 20), 1);
    assert_int_equal(up__queue_gap_flush(db, 1 << 20), 0);
    struct up_msg m[64];
    int n = up__queue_peek(db, m, 64, NULL, 0);
    bool found = false;
    for (int i = 0; i < n; i++) {
        if (strcmp(m[i].kind, "data_gap") == 0) {
            json_t *env = uptest_unseal(&m[i]);
            json_t *g = json_object_get(env, "body");
            assert_int_equal(json_integer_value(json_object_get(g, "evicted")), evicted);
            assert_int_equal(json_integer_value(json_object_get(g, "from_seq")), 2);
            assert_int_equal(json_integer_value(json_object_get(g, "to_seq")), 1 + evicted);
            assert_int_equal(json_integer_value(json_object_get(g, "evicted_total")), evicted);
            json_decref(env);
            found = true;
        }
        up__msg_cleanup(&m[i]);
    }
    assert_true(found);
    uptest_db_close(db, dir);
}

static void test_too_big_expire_ack(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_queue.XXXXXX";
    struct gw_db *db = uptest_db(dir, false);
    int64_t msgs, bytes;
    json_t *b = noise_body(0);
    /* Larger than the whole outbox: dropped, and counted. */
    assert_int_equal(up__queue_put(db, "counters", UP_PRIO_DATA, b, 64), GW_E_TOOBIG);
    assert_int_equal(up__setting_int(db, UP_K_EVICTED, 0), 1);
    assert_int_equal(up__setting_int(db, UP_K_SEQ, 0), 1);
    for (int i = 0; i < 3; i++)
        assert_int_equal(up__queue_put(db, "counters", UP_PRIO_DATA, b, 1 << 20), 0);
    json_decref(b);
    /* Not old yet: nothing expires; two minutes later with a 60 s bound: all three. */
    assert_int_equal(up__queue_expire(db, 60, gw_now()), 0);
    assert_int_equal(up__queue_expire(db, 60, gw_now() + 120), 3);
    assert_int_equal(up__setting_int(db, UP_K_EVICTED, 0), 4);
    up__queue_totals(db, &msgs, &bytes);
    assert_int_equal(msgs, 0);
    assert_int_equal(bytes, 0);
    /* Acknowledged rows leave; the rest stay. */
    json_t *e = json_pack("{s:i}", "dev", 1);
    for (int i = 0; i < 5; i++)
        assert_int_equal(up__queue_put(db, "alert", UP_PRIO_EVENT, e, 1 << 20), 0);
    json_decref(e);
    struct up_msg m[5];
    int64_t rows[2];
    assert_int_equal(up__queue_peek(db, m, 5, NULL, 0), 5);
    rows[0] = m[0].row;
    rows[1] = m[3].row;
    /* peek skips rows in flight */
    struct up_msg m2[5];
    assert_int_equal(up__queue_peek(db, m2, 5, rows, 2), 3);
    for (int i = 0; i < 3; i++) {
        assert_true(m2[i].row != rows[0] && m2[i].row != rows[1]);
        up__msg_cleanup(&m2[i]);
    }
    for (int i = 0; i < 5; i++)
        up__msg_cleanup(&m[i]);
    assert_int_equal(up__queue_ack(db, rows, 2), 0);
    up__queue_totals(db, &msgs, &bytes);
    assert_int_equal(msgs, 3);
    uptest_db_close(db, dir);
}

static void test_event_batches(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_queue.XXXXXX";
    struct gw_db *db = uptest_db(dir, false);
    /* 1,201 device state events and one alert in one window. */
    for (int i = 0; i < 1201; i++) {
        json_t *e = json_pack("{s:i, s:s, s:s, s:s}", "dev", i + 1, "event", "state", "state", "ok",
                              "previous", "new");
        assert_int_equal(up__stage_put(db, "device", e), 0);
        json_decref(e);
        if (i == 600) {
            json_t *a = json_pack("{s:i, s:s}", "dev", 7, "event", "new");
            assert_int_equal(up__stage_put(db, "alert", a), 0);
            json_decref(a);
        }
    }
    assert_int_equal(up__stage_count(db), 1202);
    assert_int_equal(up__stage_flush(db, 500, 1 << 24), 4);
    assert_int_equal(up__stage_count(db), 0);
    struct up_msg m[8];
    int n = up__queue_peek(db, m, 8, NULL, 0);
    assert_int_equal(n, 4);
    int sizes[3], nb = 0, next_dev = 1;
    bool alert = false;
    for (int i = 0; i < n; i++) {
        json_t *env = uptest_unseal(&m[i]);
        json_t *b = json_object_get(env, "body");
        if (strcmp(m[i].kind, "alert") == 0) {
            /* A lone event keeps its own kind and body. */
            assert_int_equal(json_integer_value(json_object_get(b, "dev")), 7);
            alert = true;
        } else {
            assert_string_equal(m[i].kind, "device_batch");
            json_t *ev = json_object_get(b, "events");
            sizes[nb++] = (int)json_array_size(ev);
            /* In event order, none lost or repeated. */
            size_t k;
            json_t *x;
            json_array_foreach(ev, k, x)
            {
                assert_int_equal(json_integer_value(json_object_get(x, "dev")), next_dev);
                next_dev++;
            }
        }
        json_decref(env);
        up__msg_cleanup(&m[i]);
    }
    assert_true(alert);
    assert_int_equal(nb, 3);
    assert_int_equal(sizes[0], 500);
    assert_int_equal(sizes[1], 500);
    assert_int_equal(sizes[2], 201);
    assert_int_equal(next_dev, 1202);
    /* An empty window queues nothing. */
    assert_int_equal(up__stage_flush(db, 500, 1 << 24), 0);
    uptest_db_close(db, dir);
}

/* Fires once, at the given call: sqlite then stops the statement running with SQLITE_INTERRUPT. */
static int interrupt_at;
static int interrupt_once(void *arg)
{
    (void)arg;
    return --interrupt_at == 0;
}

static void test_stage_read_error_keeps_rows(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_queue.XXXXXX";
    struct gw_db *db = uptest_db(dir, false);
    for (int i = 0; i < 300; i++) {
        json_t *e = json_pack("{s:i, s:s}", "dev", i + 1, "event", "state");
        assert_int_equal(up__stage_put(db, "device", e), 0);
        json_decref(e);
    }
    /* A read error in the middle of the SELECT: nothing is queued and no row is dropped. */
    interrupt_at = 400;
    sqlite3_progress_handler(gw_db_handle(db), 1, interrupt_once, NULL);
    assert_true(up__stage_flush(db, 500, 1 << 24) < 0);
    sqlite3_progress_handler(gw_db_handle(db), 0, NULL, NULL);
    assert_true(interrupt_at < 0); /* it did fire */
    assert_int_equal(up__stage_count(db), 300);
    int64_t msgs, bytes;
    up__queue_totals(db, &msgs, &bytes);
    assert_int_equal(msgs, 0);
    /* The next flush sends them all. */
    assert_int_equal(up__stage_flush(db, 500, 1 << 24), 1);
    assert_int_equal(up__stage_count(db), 0);
    struct up_msg m;
    assert_int_equal(up__queue_peek(db, &m, 1, NULL, 0), 1);
    json_t *env = uptest_unseal(&m);
    assert_int_equal(json_array_size(json_object_get(json_object_get(env, "body"), "events")), 300);
    json_decref(env);
    up__msg_cleanup(&m);
    uptest_db_close(db, dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bound_and_eviction_accounting),
        cmocka_unit_test(test_too_big_expire_ack),
        cmocka_unit_test(test_event_batches),
        cmocka_unit_test(test_stage_read_error_keeps_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
