/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * What the scheduler does with a device's result, whatever the transport: the store write,
 * the engine-ID check, the alert diff (alert.new and alert.cleared events), the activity
 * rating that moves a device between categories, and the device state, logged and published
 * only when it changes. The first results after the start are summed up in one
 * "first poll round" line (failures still named one by one).
 */
#include "config.h"

#include <string.h>

#include "gateway/poll/gw_poll_int.h"

/* Once every device has a first result after the start, one line sums the round up: a fleet
 * of hundreds would otherwise start with one "device polled" line each. Failures are still
 * named one by one as they happen; devices added later are logged as before. */
static void first_round_check(struct gw_poll *p)
{
    static const char *const states[] = {"ok", "unreachable", "auth_failed", "error"};
    size_t count[sizeof states / sizeof states[0] + 1] = {0}, n = 0;
    char line[256];
    int len;
    for (size_t i = 0; i < p->n; i++) {
        const struct gw_poll_dev *d = p->devs[i];
        size_t k = 0;
        if (d->removed)
            continue;
        if (!d->state[0])
            return;
        while (k < sizeof states / sizeof states[0] && strcmp(d->state, states[k]) != 0)
            k++;
        count[k]++;
        n++;
    }
    p->first_round_done = true;
    len = snprintf(line, sizeof line, "first poll round: %zu device%s, %zu ok", n,
                   n == 1 ? "" : "s", count[0]);
    for (size_t k = 1; k <= sizeof states / sizeof states[0]; k++)
        if (count[k] && len > 0 && (size_t)len < sizeof line)
            len += snprintf(line + len, sizeof line - (size_t)len, ", %zu %s", count[k],
                            k < sizeof states / sizeof states[0] ? states[k] : "other");
    gw_log_notice(SNMP, "%s seconds=%llu", line,
                  (unsigned long long)((gw_poll__now(p) - p->start_ms + 500) / 1000));
}

void gw_poll__set_state(struct gw_poll_dev *d, const char *state, int err, const char *detail)
{
    struct gw_poll *p = d->poll;
    bool first_round = !d->state[0] && !p->first_round_done;
    const char *transport = d->drv->name;
    if (strcmp(d->state, state) == 0)
        return;
    if (strcmp(state, "ok") == 0 && first_round)
        gw_log_debug(SNMP,
                     "device polled device=%lld address=%s transport=%s state=ok previous=new",
                     (long long)d->t.id, d->t.address, transport);
    else if (strcmp(state, "ok") == 0)
        gw_log_notice(SNMP,
                      "device polled device=%lld address=%s transport=%s state=ok previous=%s",
                      (long long)d->t.id, d->t.address, transport, d->state[0] ? d->state : "new");
    else
        gw_log_warn(SNMP,
                    "device poll failed device=%lld address=%s transport=%s state=%s "
                    "err=\"%s\"%s%s",
                    (long long)d->t.id, d->t.address, transport, state, gw_strerror(err),
                    detail && *detail ? " detail=" : "", detail ? detail : "");
    gw_bus_publish("device.state",
                   json_pack("{s:I, s:s, s:s}", "device_id", (json_int_t)d->t.id, "state", state,
                             "previous", d->state[0] ? d->state : "new"));
    gw_strlcpy(d->state, state, sizeof d->state);
    if (first_round)
        first_round_check(p);
}

/* Two devices answering with one engine ID share net-snmp's per-engine USM state and confuse
 * each other's time windows; operators need to hear about it instead of seeing random timeouts. */
static void check_engine(struct gw_poll_dev *d, const char *engine_id)
{
    struct gw_poll *p = d->poll;
    json_t *owner;
    if (!*engine_id)
        return;
    owner = json_object_get(p->engines, engine_id);
    if (!owner) {
        json_object_set_new(p->engines, engine_id, json_integer(d->t.id));
        return;
    }
    if (json_integer_value(owner) == d->t.id || d->engine_shared_reported)
        return;
    char detail[256];
    snprintf(detail, sizeof detail, "{\"engine_id\":\"%s\",\"other_device\":%lld}", engine_id,
             (long long)json_integer_value(owner));
    gw_event_add(p->env.db, d->t.id, "engine_id_shared", detail, gw_poll__wall(p));
    gw_log_warn(SNMP, "devices share an SNMP engine ID device=%lld other=%lld engine_id=%s",
                (long long)d->t.id, (long long)json_integer_value(owner), engine_id);
    d->engine_shared_reported = true;
}

static json_t *alert_json(int64_t device_id, const struct gw_alert *a, int index, int code)
{
    json_t *o =
        a ? json_pack("{s:i, s:i, s:i, s:i, s:s}", "index", a->index, "severity", a->severity,
                      "group", a->group, "code", a->code, "description", a->description)
          : json_pack("{s:i, s:i}", "index", index, "code", code);
    return json_pack("{s:I, s:o}", "device_id", (json_int_t)device_id, "alert", o);
}

/* Compares this poll's alerts with the previous poll's: publishes the new and the cleared ones
 * and returns how many are new. The first poll of a device only learns: its standing alerts
 * are not news. */
static unsigned diff_alerts(struct gw_poll_dev *d, const struct gw_model *m)
{
    unsigned fresh = 0;
    size_t n = m->n_alerts < GW_POLL_MAX_ALERT_KEYS ? m->n_alerts : GW_POLL_MAX_ALERT_KEYS;
    for (size_t i = 0; i < n; i++) {
        bool known = false;
        for (size_t j = 0; j < d->n_alerts; j++)
            known |=
                d->alerts[j].index == m->alerts[i].index && d->alerts[j].code == m->alerts[i].code;
        if (!known && d->seen_alerts) {
            fresh++;
            gw_bus_publish("alert.new", alert_json(d->t.id, &m->alerts[i], 0, 0));
        }
    }
    for (size_t j = 0; j < d->n_alerts; j++) {
        bool still = false;
        for (size_t i = 0; i < n; i++)
            still |=
                d->alerts[j].index == m->alerts[i].index && d->alerts[j].code == m->alerts[i].code;
        if (!still)
            gw_bus_publish("alert.cleared",
                           alert_json(d->t.id, NULL, d->alerts[j].index, d->alerts[j].code));
    }
    for (size_t i = 0; i < n; i++) {
        d->alerts[i].index = m->alerts[i].index;
        d->alerts[i].code = m->alerts[i].code;
    }
    d->n_alerts = n;
    d->seen_alerts = true;
    return fresh;
}

/* Updates the activity rating from this poll and moves the device between categories. */
static void rate_activity(struct gw_poll_dev *d, const struct gw_model *m, int64_t now)
{
    struct gw_poll *p = d->poll;
    double pages = 0;
    unsigned alerts = diff_alerts(d, m);
    enum gw_priority before = d->prio;
    if (m->has_page_count) {
        if (d->has_page_count && m->page_count_total > d->page_count_total)
            pages = (double)(m->page_count_total - d->page_count_total);
        d->has_page_count = true;
        if (m->page_count_total > d->page_count_total)
            d->page_count_total = m->page_count_total;
    }
    d->activity =
        gw_activity_decay(d->activity, d->activity_ts, now) + pages + alerts * GW_ACTIVITY_ALERT;
    d->activity_ts = now;
    if (!d->priority_pinned)
        d->prio = gw_activity_priority(d->activity);
    if (d->prio != before) {
        uint64_t alert_ms, counter_ms, clock_now = gw_poll__now(p);
        gw_log_info(GW, "device priority changed device=%lld from=%s to=%s activity=%.1f",
                    (long long)d->t.id, gw_priority_name(before), gw_priority_name(d->prio),
                    d->activity);
        /* A device that became busier must not wait out its old, longer interval. */
        gw_poll_intervals(p->env.cfg, p->n, d->prio, &alert_ms, &counter_ms);
        if (d->alert_due_ms > clock_now + alert_ms)
            d->alert_due_ms = clock_now + alert_ms;
        if (d->counter_due_ms > clock_now + counter_ms)
            d->counter_due_ms = clock_now + counter_ms;
    }
    if (d->full || d->prio != before || alerts)
        gw_device_save_schedule(p->env.db, d->t.id, gw_priority_name(d->prio), d->activity, now,
                                d->full ? now : 0);
}

void gw_poll__store_ok(struct gw_poll_dev *d, struct gw_model *m, int64_t wall)
{
    int rc = gw_store_poll_ok(d->poll->env.db, d->t.id, m, wall);
    if (rc < 0)
        gw_log_err_r(DB, rc, "storing poll failed device=%lld", (long long)d->t.id);
    check_engine(d, m->engine_id);
    rate_activity(d, m, wall);
}
