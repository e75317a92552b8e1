/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The WSD driver of the scheduler: a device registered as "wsd" (it answers only
 * WS-Discovery) is polled at the same cadence through soapc_info_get (DPWS metadata + WS-Print
 * GetPrinterElements, blocking gSOAP on libuv's worker pool), at most WSD_MAX_IN_FLIGHT at once
 * since that pool has four threads shared with sqlite and hashing. Every WSD poll reads
 * everything WS-Print has (identity, state, consumables), in the data model through
 * soapc_model_decode(). WS-Print has no counters. The call cannot be cancelled: a device that
 * left or a stop meanwhile only drops the answer.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "gateway/poll/gw_poll.h"
#include "soap/soapc.h"

/* SOAP polls block a worker-pool thread each; the pool has four, shared with sqlite and hashing. */
#define WSD_MAX_IN_FLIGHT 2

struct wsd_drv {
    struct gw_poll_driver base;
    uv_loop_t *loop;
    const struct gw_cfg *cfg;
    unsigned in_flight;
    uint64_t polls; /* answers taken */
    bool closing;
    void (*closed)(void *arg);
    void *closed_arg;
};

struct wsd_call {
    struct wsd_drv *w;
    struct gw_poll_dev *dev;
};

static void maybe_closed(struct wsd_drv *w)
{
    if (!w->closing || w->in_flight || !w->closed)
        return;
    void (*cb)(void *) = w->closed;
    void *arg = w->closed_arg;
    free(w);
    cb(arg);
}

/* A failed metadata read. Besides silence and refused connections, a SOAP fault or an HTTP
 * error from the device's own endpoint (its UUID path at its address) means the endpoint is
 * not there any more (printer gone, address taken by another host): unreachable too, as for an
 * SNMP device that stopped answering. Garbage in an answer is an error. */
static const char *state_for(int status)
{
    switch (status) {
    case SOAPC_E_FAULT:
    case SOAPC_E_HTTP:
    case SOAPC_E_TIMEOUT:
    case SOAPC_E_NO_XADDR:
    case -ETIMEDOUT:
    case -ECONNREFUSED:
    case -ECONNRESET:
    case -EHOSTUNREACH:
    case -ENETUNREACH:
        return "unreachable";
    default:
        return "error";
    }
}

static void info_done(void *arg, int status, const struct soapc_device_info *info)
{
    struct wsd_call *c = arg;
    struct wsd_drv *w = c->w;
    struct gw_poll_dev *d = c->dev;
    struct gw_poll_result r = {.status = status};
    struct gw_model m;
    free(c);
    w->in_flight--;
    gw_model_init(&m);
    if (status == 0 && info->is_printer && !info->have_status) {
        r.status = SOAPC_E_NO_ELEMENTS;
        r.state = "error";
        gw_strlcpy(r.detail, "GetPrinterElements gave no PrinterStatus", sizeof r.detail);
    } else if (status < 0) {
        r.state = state_for(status);
        snprintf(r.detail, sizeof r.detail, "xaddrs=%s", gw_poll_dev_target(d)->wsd_xaddrs);
    } else {
        soapc_model_decode(info, &m);
        r.model = &m;
    }
    if (w->closing)
        r.status = -ECANCELED;
    if (gw_poll_done(d, &r))
        w->polls++;
    gw_model_cleanup(&m);
    maybe_closed(w);
}

/* At most WSD_MAX_IN_FLIGHT run at once: a device over the bound stays due and the next tick
 * tries again. */
static int drv_start(struct gw_poll_driver *drv, struct gw_poll_dev *d, bool full,
                     struct gw_poll_result *fail)
{
    struct wsd_drv *w = (struct wsd_drv *)drv;
    const struct gw_poll_target *t = gw_poll_dev_target(d);
    struct soapc_wsd_match m = {0};
    (void)full; /* every WSD poll reads everything */
    if (w->in_flight >= WSD_MAX_IN_FLIGHT)
        return GW_E_BUSY;
    gw_strlcpy(m.uuid, t->wsd_uuid, sizeof m.uuid);
    gw_strlcpy(m.xaddrs, t->wsd_xaddrs, sizeof m.xaddrs);
    /* soap/ calls only an XAddr on the address the device answered from: its registered one. */
    struct in_addr ia;
    if (t->address && inet_pton(AF_INET, t->address, &ia) == 1)
        m.from = ntohl(ia.s_addr);
    /* The SNMP timeout bounds each connect, send and receive of the SOAP exchange too. */
    unsigned timeout_ms = (unsigned)w->cfg->snmp_timeout_ms * ((unsigned)w->cfg->snmp_retries + 1);
    struct wsd_call *c = gw_calloc(1, sizeof *c);
    c->w = w;
    c->dev = d;
    int rc = soapc_info_get(w->loop, &m, timeout_ms, info_done, c);
    if (rc < 0) {
        free(c);
        fail->status = rc;
        fail->state = "error";
        fail->deferred = true;
        snprintf(fail->detail, sizeof fail->detail,
                 "no usable XAddr in \"%s\" on the device's address %s", t->wsd_xaddrs,
                 t->address ? t->address : "-");
        return rc;
    }
    w->in_flight++;
    return 0;
}

static void drv_forget(struct gw_poll_driver *drv, struct gw_poll_dev *d)
{
    /* Nothing is kept between polls; a call in flight ends with its answer. */
    (void)drv;
    (void)d;
}

static void drv_status(struct gw_poll_driver *drv, json_t *st)
{
    struct wsd_drv *w = (struct wsd_drv *)drv;
    json_object_set_new(st, "polls_wsd", json_integer((json_int_t)w->polls));
    json_object_set_new(st, "wsd_polls_in_flight", json_integer(w->in_flight));
}

static void drv_close(struct gw_poll_driver *drv, void (*closed)(void *arg), void *arg)
{
    struct wsd_drv *w = (struct wsd_drv *)drv;
    w->closing = true;
    w->closed = closed;
    w->closed_arg = arg;
    maybe_closed(w);
}

struct gw_poll_driver *gw_poll_wsd_new(uv_loop_t *loop, const struct gw_cfg *cfg)
{
    struct wsd_drv *w = gw_calloc(1, sizeof *w);
    w->base = (struct gw_poll_driver){.name = "wsd",
                                      .start = drv_start,
                                      .forget = drv_forget,
                                      .status = drv_status,
                                      .close = drv_close};
    w->loop = loop;
    w->cfg = cfg;
    return &w->base;
}
