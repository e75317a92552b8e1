/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * A stand-in for soap/'s WS-Discovery client in the discovery unit tests: the tests link this
 * instead of libsoapc.a, so the sweep's WSD state machine (pacing, waiting for ProbeMatches,
 * metadata reads at bounded concurrency, stopping while reads are under way) can be checked
 * without a network and without gSOAP. It answers like a set of WSD devices the test
 * declares: a directed Probe to a declared address gets that device's ProbeMatch a few
 * milliseconds later on the loop; a multicast Probe gets every device's; soapc_info_get()
 * runs on libuv's real worker pool (sleeping a declared time) and calls back on the loop. The
 * real module is exercised by tests/integration/test_62_discovery_wsd.py.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/discovery/fake_soapc.h"

struct fake_wsd t_fake_wsd;

struct pending {
    struct pending *next;
    uint64_t due;
    struct soapc_wsd_match m;
};

struct soapc_probe {
    uv_loop_t *loop;
    soapc_match_cb cb;
    void *arg;
    uv_timer_t timer;
    struct pending *queue;
    void (*closed)(void *);
    void *closed_arg;
};

static const struct t_wsd_dev *dev_at(uint32_t addr)
{
    for (size_t i = 0; i < t_fake_wsd.ndevs; i++)
        if (t_fake_wsd.devs[i].addr == addr)
            return &t_fake_wsd.devs[i];
    return NULL;
}

static void match_of(const struct t_wsd_dev *d, struct soapc_wsd_match *m)
{
    memset(m, 0, sizeof(*m));
    snprintf(m->uuid, sizeof m->uuid, "%s", d->uuid);
    snprintf(m->types, sizeof m->types, "%s",
             d->printer ? "wsdp:Device pri:PrintDeviceType" : "wsdp:Device pub:Computer");
    snprintf(m->xaddrs, sizeof m->xaddrs, "http://%u.%u.%u.%u:5357/%s", d->addr >> 24,
             (d->addr >> 16) & 255, (d->addr >> 8) & 255, d->addr & 255, d->uuid);
    m->from = d->addr;
    m->metadata_version = 1;
}

static void on_timer(uv_timer_t *h)
{
    struct soapc_probe *p = h->data;
    uint64_t now = uv_now(p->loop);
    struct pending **pp = &p->queue;
    while (*pp) {
        struct pending *q = *pp;
        if (q->due > now) {
            pp = &q->next;
            continue;
        }
        *pp = q->next;
        p->cb(p->arg, &q->m);
        if (q->m.uuid[0] && t_fake_wsd.duplicate_matches) {
            p->cb(p->arg, &q->m); /* devices may answer twice */
        }
        free(q);
    }
}

static void queue_match(struct soapc_probe *p, const struct t_wsd_dev *d)
{
    struct pending *q = calloc(1, sizeof(*q));
    match_of(d, &q->m);
    q->due = uv_now(p->loop) + t_fake_wsd.match_delay_ms;
    q->next = p->queue;
    p->queue = q;
}

int soapc_probe_new(uv_loop_t *loop, const struct soapc_probe_opts *o, soapc_match_cb cb, void *arg,
                    struct soapc_probe **out)
{
    *out = NULL;
    if (t_fake_wsd.fail_new)
        return -EADDRNOTAVAIL;
    struct soapc_probe *p = calloc(1, sizeof(*p));
    p->loop = loop;
    p->cb = cb;
    p->arg = arg;
    t_fake_wsd.port = o ? o->port : 0;
    snprintf(t_fake_wsd.bind_addr, sizeof t_fake_wsd.bind_addr, "%s",
             o && o->bind_addr ? o->bind_addr : "");
    uv_timer_init(loop, &p->timer);
    p->timer.data = p;
    uv_timer_start(&p->timer, on_timer, 1, 1);
    t_fake_wsd.opened++;
    *out = p;
    return 0;
}

int soapc_probe_unicast(struct soapc_probe *p, uint32_t addr)
{
    if (t_fake_wsd.nunicast < T_WSD_MAX_SENT)
        t_fake_wsd.unicast_ms[t_fake_wsd.nunicast] = uv_now(p->loop);
    t_fake_wsd.nunicast++;
    const struct t_wsd_dev *d = dev_at(addr);
    if (d && !d->multicast_only)
        queue_match(p, d);
    return 0;
}

int soapc_probe_multicast(struct soapc_probe *p, const char *ifaddr)
{
    t_fake_wsd.nmulticast++;
    snprintf(t_fake_wsd.mcast_if, sizeof t_fake_wsd.mcast_if, "%s", ifaddr ? ifaddr : "");
    for (size_t i = 0; i < t_fake_wsd.ndevs; i++)
        queue_match(p, &t_fake_wsd.devs[i]);
    return 0;
}

size_t soapc_probe_pending(const struct soapc_probe *p)
{
    (void)p;
    return 0;
}

static void on_closed(uv_handle_t *h)
{
    struct soapc_probe *p = h->data;
    while (p->queue) {
        struct pending *q = p->queue;
        p->queue = q->next;
        free(q);
    }
    t_fake_wsd.closed++;
    if (p->closed)
        p->closed(p->closed_arg);
    free(p);
}

void soapc_probe_close(struct soapc_probe *p, void (*closed)(void *arg), void *arg)
{
    p->closed = closed;
    p->closed_arg = arg;
    uv_close((uv_handle_t *)&p->timer, on_closed);
}

struct info_req {
    uv_work_t w;
    struct soapc_wsd_match m;
    soapc_info_cb cb;
    void *arg;
    int status;
    struct soapc_device_info info;
};

static void info_work(uv_work_t *w)
{
    struct info_req *r = w->data;
    const struct t_wsd_dev *d = dev_at(r->m.from);
    usleep(t_fake_wsd.info_ms * 1000);
    memset(&r->info, 0, sizeof r->info);
    if (!d || d->info_status) {
        r->status = d ? d->info_status : -ECONNREFUSED;
        return;
    }
    snprintf(r->info.uuid, sizeof r->info.uuid, "%s", d->uuid);
    snprintf(r->info.manufacturer, sizeof r->info.manufacturer, "Simco");
    snprintf(r->info.model, sizeof r->info.model, "%s", d->printer ? "WSD Printer 9" : "PC");
    snprintf(r->info.serial, sizeof r->info.serial, "%s", d->serial ? d->serial : "");
    snprintf(r->info.firmware, sizeof r->info.firmware, "1.0");
    snprintf(r->info.friendly_name, sizeof r->info.friendly_name, "front desk");
    r->info.is_printer = d->printer;
    r->status = 0;
}

static void info_after(uv_work_t *w, int status)
{
    struct info_req *r = w->data;
    (void)status;
    t_fake_wsd.info_active--;
    r->cb(r->arg, r->status, &r->info);
    free(r);
}

int soapc_info_get(uv_loop_t *loop, const struct soapc_wsd_match *m, unsigned timeout_ms,
                   soapc_info_cb cb, void *arg)
{
    (void)timeout_ms;
    if (!m->xaddrs[0])
        return GW_E_INVAL;
    struct info_req *r = calloc(1, sizeof(*r));
    r->w.data = r;
    r->m = *m;
    r->cb = cb;
    r->arg = arg;
    t_fake_wsd.info_calls++;
    if (++t_fake_wsd.info_active > t_fake_wsd.info_peak)
        t_fake_wsd.info_peak = t_fake_wsd.info_active;
    if (uv_queue_work(loop, &r->w, info_work, info_after) != 0) {
        t_fake_wsd.info_active--;
        free(r);
        return GW_E_INVAL;
    }
    return 0;
}
