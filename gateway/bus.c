/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Event bus. A plain array of subscribers walked on each publish: there are a handful of
 * subscribers (web UI live view, uplink), so lookup cost is nothing next to the JSON the
 * payloads already are. Loop thread only, like everything that publishes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gateway/gw.h"

struct sub {
    int id;
    char prefix[32];
    gw_bus_cb cb;
    void *arg;
};

static struct sub *subs;
static size_t n_subs;
static int next_id = 1;

int gw_bus_subscribe(const char *prefix, gw_bus_cb cb, void *arg)
{
    subs = gw_realloc(subs, (n_subs + 1) * sizeof *subs);
    subs[n_subs].id = next_id;
    gw_strlcpy(subs[n_subs].prefix, prefix ? prefix : "", sizeof subs[n_subs].prefix);
    subs[n_subs].cb = cb;
    subs[n_subs].arg = arg;
    n_subs++;
    return next_id++;
}

void gw_bus_unsubscribe(int id)
{
    for (size_t i = 0; i < n_subs; i++)
        if (subs[i].id == id) {
            memmove(&subs[i], &subs[i + 1], (n_subs - i - 1) * sizeof *subs);
            n_subs--;
            break;
        }
    if (n_subs == 0)
        GW_FREE(subs);
}

void gw_bus_publish(const char *kind, json_t *payload)
{
    /* Index-based walk: a subscriber may unsubscribe itself while being called. */
    for (size_t i = 0; i < n_subs; i++) {
        size_t before = n_subs;
        if (strncmp(kind, subs[i].prefix, strlen(subs[i].prefix)) == 0)
            subs[i].cb(kind, payload, subs[i].arg);
        if (n_subs < before)
            i--;
    }
    json_decref(payload);
}
