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
 * Sequence: WS-Transfer Get (wsa:To = the endpoint reference, HTTP to the first http:// XAddr),
 * then, if a hosted service has a WS-Print type and an http:// address, GetPrinterElements for
 * PrinterStatus and PrinterConfiguration. https:// XAddrs are not used yet (see README).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "soap/soapc_int.h"

struct info_job {
    uv_work_t work;
    struct soapc_wsd_match m;
    unsigned timeout_ms;
    soapc_info_cb cb;
    void *arg;
    int status;
    struct soapc_device_info info;
    char url[256];
};

/* First http:// address of a space-separated XAddrs list. */
static bool pick_xaddr(const char *xaddrs, char *url, size_t size)
{
    const char *p = xaddrs;

    while (*p) {
        size_t n;
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        n = strcspn(p, " \t\r\n");
        if (n > 7 && n < size && strncasecmp(p, "http://", 7) == 0) {
            memcpy(url, p, n);
            url[n] = '\0';
            return true;
        }
        p += n;
    }
    return false;
}

static int call_error(struct soap *soap, const char *what, const char *url)
{
    int e = soap->error;

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

static struct soap *job_ctx(const struct info_job *j)
{
    struct soap *soap = soapc__ctx_new();
    int us = -(int)(j->timeout_ms * 1000);

    soap_set_version(soap, 2); /* DPWS is SOAP 1.2 */
    soap->connect_timeout = us;
    soap->send_timeout = us;
    soap->recv_timeout = us;
    soap->transfer_timeout = 2 * us;
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

    gw_strlcpy(j->info.uuid, j->m.uuid, sizeof(j->info.uuid));
    soapc__rand_uuid(id);
    soap_wsa_request(soap, id, j->m.uuid, SOAPC__ACTION_GET);
    soap_default__wsx__Metadata(soap, &md);
    if (soap_call___wxf__Get(soap, j->url, SOAPC__ACTION_GET, &md) != SOAP_OK) {
        j->status = call_error(soap, "metadata get", j->url);
        goto out;
    }
    j->status = soapc__metadata_from(&md, &j->info, NULL);
    if (j->status < 0 || !j->info.is_printer)
        goto out;
    if (!pick_xaddr(j->info.print_url, print_url, sizeof(print_url)))
        goto out; /* a print service we cannot reach over http: identity only */
    soap_destroy(soap);
    soap_end(soap);
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
                     gw_strerror(call_error(soap, "printer elements", print_url)));
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
    int rc;

    if (!m || !cb)
        return GW_E_INVAL;
    j = gw_calloc(1, sizeof(*j));
    if (!pick_xaddr(m->xaddrs, j->url, sizeof(j->url))) {
        free(j);
        return SOAPC_E_NO_XADDR;
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
