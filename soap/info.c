/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Device metadata and print service calls. gSOAP has no asynchronous client, so each request
 * runs blocking in one job on libuv's worker pool, with its own gSOAP context (contexts are not
 * thread-safe, separate ones are) and every connect/send/receive bounded by the caller's
 * timeout; the result is copied into a plain struct and handed to the caller on the loop in the
 * after-work callback. The responses go through the same deserializers and converters as the
 * pure parsers (soap/parse.c), with the same size, depth and repetition bounds.
 *
 * Sequence: WS-Transfer Get (wsa:To = the endpoint reference, HTTP to the first http:// XAddr
 * on the responder's own IPv4 address), then, if a hosted service has a WS-Print type and an
 * http:// address on that same address, GetPrinterElements for PrinterStatus and
 * PrinterConfiguration. Only literal IPv4 hosts equal to the address the ProbeMatch came from
 * are called: no resolver runs on the pool, and a forged ProbeMatch or metadata cannot send the
 * gateway's requests to another host or to other services on loopback. Each exchange has a
 * deadline of twice the timeout (a gSOAP plugin wrapping frecv/fsend), so a peer dripping bytes
 * holds a worker thread for a bounded time. https:// XAddrs are not used yet (see README).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "soap/soapc_int.h"

struct deadline {
    uint64_t end; /* uv_hrtime() at which the current exchange gives up */
    int op_us;    /* per-operation bound, microseconds */
    bool hit;     /* the deadline ended an exchange */
    size_t (*frecv)(struct soap *, char *, size_t);
    int (*fsend)(struct soap *, const char *, size_t);
};

struct info_job {
    uv_work_t work;
    struct soapc_wsd_match m;
    unsigned timeout_ms;
    soapc_info_cb cb;
    void *arg;
    int status;
    struct soapc_device_info info;
    char url[256];
    struct deadline dl;
};

/* One XAddr (s, n bytes) checked against host: an http:// URL whose authority is exactly a
 * literal IPv4 address equal to host, with an optional port 1..65535, rebuilt canonically into
 * url so that gSOAP connects where we checked. Returns NULL or why the XAddr is refused. */
static const char *xaddr_check(const char *s, size_t n, uint32_t host, char *url, size_t size)
{
    char a[INET_ADDRSTRLEN];
    const char *h, *end = s + n, *path;
    struct in_addr ia;
    unsigned long port = 80;
    size_t hn;

    if (n < 7 || strncasecmp(s, "http://", 7) != 0)
        return "not an http:// URL";
    h = s + 7;
    hn = strcspn(h, ":/?#@");
    if (h + hn > end)
        hn = (size_t)(end - h);
    if (hn == 0 || hn >= sizeof(a))
        return "host is not a literal IPv4 address";
    memcpy(a, h, hn);
    a[hn] = '\0';
    if (inet_pton(AF_INET, a, &ia) != 1)
        return "host is not a literal IPv4 address";
    if (ntohl(ia.s_addr) != host || host == 0)
        return "host is not the address the ProbeMatch came from";
    path = h + hn;
    if (path < end && *path == ':') {
        port = 0;
        for (path++; path < end && *path >= '0' && *path <= '9' && port <= 65535; path++)
            port = port * 10 + (unsigned long)(*path - '0');
        if (port == 0 || port > 65535)
            return "bad port";
    }
    if (path < end && *path != '/')
        return "bad URL after the host";
    for (const char *c = path; c < end; c++)
        if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
            return "URL has characters outside ASCII";
    if (snprintf(url, size, "http://%s:%lu%.*s", a, port, (int)(end - path), path) >= (int)size)
        return "URL too long";
    return NULL;
}

int soapc_xaddr_pick(const struct soapc_wsd_match *m, char *url, size_t size, struct gw_errbuf *eb)
{
    const char *p = m->xaddrs, *why = "none given";
    char tmp[256], shown[64] = "";

    while (*p) {
        size_t n;
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        n = strcspn(p, " \t\r\n");
        if (n == 0)
            break;
        why = xaddr_check(p, n, m->from, tmp, sizeof(tmp));
        if (!why && strlen(tmp) < size) {
            memcpy(url, tmp, strlen(tmp) + 1);
            return 0;
        }
        if (!why)
            why = "URL too long";
        if (!shown[0]) { /* name the first refused one */
            char from[INET_ADDRSTRLEN];
            struct in_addr ia = {.s_addr = htonl(m->from)};
            size_t k = n < sizeof(tmp) ? n : sizeof(tmp) - 1;
            memcpy(tmp, p, k);
            tmp[k] = '\0';
            soapc__text_copy(shown, sizeof(shown), tmp);
            inet_ntop(AF_INET, &ia, from, sizeof(from));
            gw_errbuf_set(eb, SOAPC_E_NO_XADDR, "XAddr '%s' refused (ProbeMatch from %s): %s",
                          shown, from, why);
        }
        p += n;
    }
    if (!shown[0])
        gw_errbuf_set(eb, SOAPC_E_NO_XADDR, "no XAddr in the ProbeMatch");
    return SOAPC_E_NO_XADDR;
}

static int call_error(struct soap *soap, const struct deadline *d, const char *what,
                      const char *url)
{
    int e = soap->error;

    if (d->hit || uv_hrtime() >= d->end) {
        gw_log_debug(SOAP, "%s timed out url=%s gsoap_err=%d", what, url, e);
        return SOAPC_E_TIMEOUT;
    }
    if (e == SOAP_FAULT || e == SOAP_CLI_FAULT || e == SOAP_SVR_FAULT) {
        gw_log_debug(SOAP, "%s fault url=%s fault=%s", what, url, soapc__fault_text(soap));
        return SOAPC_E_FAULT;
    }
    if (e == SOAP_TCP_ERROR || e == SOAP_EOF) {
        if (soap->errnum == ECONNREFUSED || soap->errnum == EHOSTUNREACH ||
            soap->errnum == ENETUNREACH || soap->errnum == ECONNRESET)
            return -soap->errnum;
        if (soap->errnum == 0 || soap->errnum == ETIMEDOUT || soap->errnum == EAGAIN)
            return SOAPC_E_TIMEOUT;
        return -soap->errnum;
    }
    if (e == SOAP_LENGTH || e == SOAP_EOM || e == SOAP_OCCURS || e == SOAP_LEVEL)
        return GW_E_TOOBIG;
    if (e == SOAP_TAG_MISMATCH || e == SOAP_NO_TAG || e == SOAP_SYNTAX_ERROR || e == SOAP_TYPE)
        return GW_E_PARSE;
    gw_log_debug(SOAP, "%s failed url=%s gsoap_err=%d", what, url, e);
    return SOAPC_E_HTTP;
}

/* A gSOAP plugin that puts a deadline on each HTTP exchange. gSOAP's own timeouts bound each
 * connect, send and receive, but a peer that sends one byte per second never trips them, and
 * its transfer_timeout has one-second resolution (and in 2.8.124 a negative value is taken as
 * 10^6 times too long). The plugin wraps frecv and fsend: every call gets at most the time left
 * (and at most the per-operation timeout), and none starts after the deadline. */
static const char deadline_id[] = "soapc-deadline";


/* Microseconds left for the exchange, at most the per-operation bound; 0 when it is over. */
static int time_left(struct deadline *d)
{
    uint64_t now = uv_hrtime();
    uint64_t left = now < d->end ? (d->end - now) / 1000 : 0;

    if (left == 0)
        d->hit = true;
    return left < (uint64_t)d->op_us ? (int)left : d->op_us;
}

static size_t deadline_recv(struct soap *soap, char *s, size_t n)
{
    struct deadline *d = soap_lookup_plugin(soap, deadline_id);
    int us = time_left(d);

    if (us <= 0) {
        soap->errnum = ETIMEDOUT;
        return 0; /* gSOAP reads this as end of input */
    }
    soap->recv_timeout = -us;
    return d->frecv(soap, s, n);
}

static int deadline_send(struct soap *soap, const char *s, size_t n)
{
    struct deadline *d = soap_lookup_plugin(soap, deadline_id);
    int us = time_left(d);

    if (us <= 0) {
        soap->errnum = ETIMEDOUT;
        return SOAP_EOF;
    }
    soap->send_timeout = -us;
    return d->fsend(soap, s, n);
}

static void deadline_delete(struct soap *soap, struct soap_plugin *p)
{
    (void)soap;
    (void)p; /* the data belongs to the job */
}

static int deadline_create(struct soap *soap, struct soap_plugin *p, void *arg)
{
    struct deadline *d = arg;

    p->id = deadline_id;
    p->data = d;
    p->fdelete = deadline_delete;
    d->frecv = soap->frecv;
    d->fsend = soap->fsend;
    soap->frecv = deadline_recv;
    soap->fsend = deadline_send;
    return SOAP_OK;
}

/* Starts the next exchange: connect within the per-operation bound, all of it within twice
 * that. */
static void exchange_start(struct soap *soap, struct deadline *d)
{
    d->end = uv_hrtime() + 2 * (uint64_t)d->op_us * 1000;
    d->hit = false;
    soap->connect_timeout = -d->op_us;
    soap->send_timeout = -d->op_us;
    soap->recv_timeout = -d->op_us;
}

static struct soap *job_ctx(struct info_job *j)
{
    struct soap *soap = soapc__ctx_new();
    /* gSOAP's own bound, in whole seconds and checked only between reads: a backstop one
     * second after the plugin's deadline, which should always come first. */
    unsigned secs = (2 * j->timeout_ms + 999) / 1000 + 1;

    soap_set_version(soap, 2);                 /* DPWS is SOAP 1.2 */
    j->dl.op_us = (int)(j->timeout_ms * 1000); /* timeout_ms <= 600000: fits */
    GW_ASSERT(soap_register_plugin_arg(soap, deadline_create, &j->dl) == SOAP_OK);
    soap->transfer_timeout = (int)secs;
    exchange_start(soap, &j->dl);
    return soap;
}

static void do_work(uv_work_t *w)
{
    struct info_job *j = w->data;
    struct soap *soap = job_ctx(j);
    struct _wsx__Metadata md;
    struct _wprt__GetPrinterElementsResponse r;
    struct _wprt__GetPrinterElementsRequest req;
    char n_status[] = "wprt:PrinterStatus", n_config[] = "wprt:PrinterConfiguration";
    char *names[2] = {n_status, n_config};
    char print_url[256], id[46];
    struct soapc_wsd_match pm = {.from = 0};
    struct gw_errbuf eb = {{0}};

    gw_strlcpy(j->info.uuid, j->m.uuid, sizeof(j->info.uuid));
    soapc__rand_uuid(id);
    soap_wsa_request(soap, id, j->m.uuid, SOAPC__ACTION_GET);
    soap_default__wsx__Metadata(soap, &md);
    if (soap_call___wxf__Get(soap, j->url, SOAPC__ACTION_GET, &md) != SOAP_OK) {
        j->status = call_error(soap, &j->dl, "metadata get", j->url);
        goto out;
    }
    j->status = soapc__metadata_from(&md, &j->info, NULL);
    if (j->status < 0 || !j->info.is_printer)
        goto out;
    /* The print service must be on the device's own address too, or the metadata could steer
     * the request anywhere: otherwise identity only. */
    gw_strlcpy(pm.xaddrs, j->info.print_url, sizeof(pm.xaddrs));
    pm.from = j->m.from;
    if (soapc_xaddr_pick(&pm, print_url, sizeof(print_url), &eb) < 0) {
        gw_log_debug(SOAP, "print service not asked uuid=%s err=%s", j->m.uuid, eb.msg);
        goto out;
    }
    soap_destroy(soap);
    soap_end(soap);
    exchange_start(soap, &j->dl);
    soapc__rand_uuid(id);
    soap_wsa_request(soap, id, print_url, SOAPC__ACTION_GPE);
    soap_default__wprt__GetPrinterElementsRequest(soap, &req);
    req.RequestedElements.__sizeName = 2;
    req.RequestedElements.Name = names;
    soap_default__wprt__GetPrinterElementsResponse(soap, &r);
    if (soap_call___wprt__GetPrinterElements(soap, print_url, SOAPC__ACTION_GPE, &req, &r) !=
        SOAP_OK) {
        /* The identity stands; status and supplies are missing (have_status false). */
        gw_log_debug(SOAP, "printer elements failed url=%s err=%s", print_url,
                     gw_strerror(call_error(soap, &j->dl, "printer elements", print_url)));
        goto out;
    }
    /* gSOAP owns r until soap_end(): the converter copies what we keep. */
    (void)soapc__elements_from(&r, &j->info, NULL);
out:
    soapc__ctx_free(soap);
}

static void after_work(uv_work_t *w, int status)
{
    struct info_job *j = w->data;

    j->cb(j->arg, status == UV_ECANCELED ? -ECANCELED : j->status, &j->info);
    free(j);
}

int soapc_info_get(uv_loop_t *loop, const struct soapc_wsd_match *m, unsigned timeout_ms,
                   soapc_info_cb cb, void *arg)
{
    struct info_job *j;
    struct gw_errbuf eb = {{0}};
    int rc;

    if (!m || !cb)
        return GW_E_INVAL;
    j = gw_calloc(1, sizeof(*j));
    rc = soapc_xaddr_pick(m, j->url, sizeof(j->url), &eb);
    if (rc < 0) {
        gw_log_debug(SOAP, "wsd match not asked uuid=%s err=%s", m->uuid, eb.msg);
        free(j);
        return rc;
    }
    j->m = *m;
    j->timeout_ms = timeout_ms ? timeout_ms : 5000;
    if (j->timeout_ms > 600000)
        j->timeout_ms = 600000;
    j->cb = cb;
    j->arg = arg;
    j->info.nsupplies = 0;
    j->work.data = j;
    rc = uv_queue_work(loop, &j->work, do_work, after_work);
    if (rc < 0) {
        free(j);
        return rc;
    }
    return 0;
}
