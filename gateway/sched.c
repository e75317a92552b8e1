/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Scheduling policy. The intervals are Table 5 of the reference white paper ("Polling
 * Interval"), cell for cell:
 *
 *   alert polls, high priority          counter/consumables polls, high priority
 *     1-25      1 min                      1-25       60 min
 *    26-100     5 min                     26-100      60 min
 *   101-300    15 min                    101-200       2 h
 *   301-1000   60 min                    201-600       6 h
 *  1001-2000  120 min                    601-1000     12 h
 *                                       1001-2000     24 h
 *
 * Middle priority multiplies by 2 and low by 4, except in the 1-25 band where every category
 * polls alerts each minute and counters each hour; counters are polled at least once a day
 * whatever the multiplier. Above 2,000 devices the table has no column: fleetgw keeps the
 * 1,001-2,000 values. The reference stretches intervals to bound the load of polling; one
 * fleetgw poll costs little enough (docs/performance.md) that a larger fleet does not need
 * longer intervals, and alerts that arrive later than every two hours would not be alerts.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "gateway/gw.h"

struct band {
    int max_devices;
    unsigned seconds;
};

static const struct band alert_bands[] = {
    {25, 60}, {100, 5 * 60}, {300, 15 * 60}, {1000, 60 * 60}, {2000, 120 * 60},
};

static const struct band counter_bands[] = {
    {25, 3600}, {100, 3600}, {200, 2 * 3600}, {600, 6 * 3600}, {1000, 12 * 3600}, {2000, 24 * 3600},
};

#define DAY       (24u * 3600u)
#define NBANDS(a) (sizeof(a) / sizeof((a)[0]))

static unsigned multiplier(enum gw_priority p)
{
    return p == GW_PRIO_LOW ? 4 : p == GW_PRIO_MIDDLE ? 2 : 1;
}

/* Returns: the band's interval; fleets beyond the table use its last band. */
static unsigned lookup(const struct band *b, size_t n, int ndevices)
{
    for (size_t i = 0; i < n; i++)
        if (ndevices <= b[i].max_devices)
            return b[i].seconds;
    return b[n - 1].seconds;
}

const char *gw_priority_name(enum gw_priority p)
{
    return p == GW_PRIO_LOW ? "low" : p == GW_PRIO_MIDDLE ? "middle" : "high";
}

int gw_priority_parse(const char *s, enum gw_priority *out)
{
    if (strcmp(s, "high") == 0)
        *out = GW_PRIO_HIGH;
    else if (strcmp(s, "middle") == 0)
        *out = GW_PRIO_MIDDLE;
    else if (strcmp(s, "low") == 0)
        *out = GW_PRIO_LOW;
    else
        return GW_E_INVAL;
    return 0;
}

unsigned gw_sched_alert_interval(int ndevices, enum gw_priority p)
{
    if (ndevices <= 25)
        return 60;
    return lookup(alert_bands, NBANDS(alert_bands), ndevices) * multiplier(p);
}

unsigned gw_sched_counter_interval(int ndevices, enum gw_priority p)
{
    unsigned s;
    if (ndevices <= 25)
        return 3600;
    s = lookup(counter_bands, NBANDS(counter_bands), ndevices) * multiplier(p);
    return s < DAY ? s : DAY;
}

double gw_activity_decay(double score, int64_t at, int64_t now)
{
    if (now <= at || score <= 0)
        return score > 0 ? score : 0;
    return score * exp2(-(double)(now - at) / GW_ACTIVITY_HALFLIFE);
}

enum gw_priority gw_activity_priority(double score)
{
    if (score >= GW_ACTIVITY_HIGH)
        return GW_PRIO_HIGH;
    if (score >= GW_ACTIVITY_MIDDLE)
        return GW_PRIO_MIDDLE;
    return GW_PRIO_LOW;
}
