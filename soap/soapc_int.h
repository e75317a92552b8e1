/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Private declarations of the SOAP module, shared by its files and by tests/fleetsim (which
 * serves the same generated operations). Includes the soapcpp2-generated soapH.h, so only code
 * compiled with exactly $(GSOAP_CFLAGS) may include this header.
 */
#ifndef SOAPC_INT_H
#define SOAPC_INT_H

#include "soapH.h"
#include "wsaapi.h"
#include "wsddapi.h"

#include "soap/soapc.h"

#define SOAPC__ACTION_PROBE         "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe"
#define SOAPC__ACTION_PROBE_MATCHES "http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches"
#define SOAPC__ACTION_GET           "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get"
#define SOAPC__ACTION_GET_RESPONSE  "http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse"
#define SOAPC__ACTION_GPE                                                                          \
    "http://schemas.microsoft.com/windows/2006/08/wdp/print/GetPrinterElements"
#define SOAPC__ACTION_GPE_RESPONSE                                                                 \
    "http://schemas.microsoft.com/windows/2006/08/wdp/print/GetPrinterElementsResponse"
#define SOAPC__TO_DISCOVERY   "urn:schemas-xmlsoap-org:ws:2005:04:discovery"
#define SOAPC__WSA_ANON       "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
#define SOAPC__NS_WPRT        "http://schemas.microsoft.com/windows/2006/08/wdp/print"
#define SOAPC__DIALECT_MODEL  "http://schemas.xmlsoap.org/ws/2006/02/devprof/ThisModel"
#define SOAPC__DIALECT_DEVICE "http://schemas.xmlsoap.org/ws/2006/02/devprof/ThisDevice"
#define SOAPC__DIALECT_REL    "http://schemas.xmlsoap.org/ws/2006/02/devprof/Relationship"
#define SOAPC__REL_HOST       "http://schemas.xmlsoap.org/ws/2006/02/devprof/host"

/* Server-side hooks for the operations gSOAP dispatches by name (soap/wsdd_events.c): a
 * program that serves them (tests/fleetsim) points soap->user at one of these; the gateway
 * leaves soap->user NULL and every request is refused with a SOAP fault. */
struct soapc__server {
    void *arg;
    /* Answer a Probe: fill matches (soap_wsdd_add_ProbeMatch) and return SOAP_WSDD_ADHOC, or
     * SOAP_WSDD_MANAGED to stay silent. */
    soap_wsdd_mode (*probe)(void *arg, struct soap *soap, const char *types,
                            struct wsdd__ProbeMatchesType *matches);
    int (*get)(void *arg, struct soap *soap, struct _wsx__Metadata *out);
    int (*printer_elements)(void *arg, struct soap *soap,
                            const struct _wprt__GetPrinterElementsRequest *req,
                            struct _wprt__GetPrinterElementsResponse *out);
};

/* The namespace table (wsdd.nsmap, compiled into soap/wsdd_events.c). */
extern struct Namespace namespaces[];

/* A gSOAP context for in-memory parsing or building (no sockets), with the WS-Addressing plugin
 * and bounded input. Never NULL: aborts on OOM like gw_malloc(). Free with soapc__ctx_free(). */
struct soap *soapc__ctx_new(void);
void soapc__ctx_free(struct soap *soap);
/* Reads from buf/len on the next soap_begin_recv() of soap (frecv over a buffer). */
void soapc__ctx_input(struct soap *soap, const char *buf, size_t len);
/* Copies text from a peer into dst[size]: leading and trailing white space trimmed, control
 * characters as spaces, invalid UTF-8 replaced by U+FFFD, truncated on a character boundary;
 * the result is always valid UTF-8 and NUL-terminated. src NULL leaves dst as it is. */
void soapc__text_copy(char *dst, size_t size, const char *src);
/* Text of the fault received on soap (faultstring or code), never NULL. */
const char *soapc__fault_text(struct soap *soap);

/* A random (version 4) "urn:uuid:..." into out[46]. gSOAP's soap_rand_uuid() mixes in
 * uninitialised stack memory, which valgrind rightly reports; this uses uv_random(). */
void soapc__rand_uuid(char out[46]);
/* The 16 bytes b as "urn:uuid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" into out[46]. */
void soapc__uuid_format(const unsigned char b[16], char out[46]);

/* Converters from deserialized gSOAP data (what a parser or a call returned) to ours. */
int soapc__matches_from(const struct wsdd__ProbeMatchesType *pm, struct soapc_wsd_match *out,
                        int max);
int soapc__metadata_from(const struct _wsx__Metadata *md, struct soapc_device_info *out,
                         struct gw_errbuf *eb);
int soapc__elements_from(const struct _wprt__GetPrinterElementsResponse *r,
                         struct soapc_device_info *out, struct gw_errbuf *eb);

/* Serializes a SOAP 1.2 Probe with WS-Addressing headers (MessageID msgid) into a string owned
 * by soap (valid until soap_end()). Returns: 0 or GW_E_INTERNAL. */
int soapc__probe_build(struct soap *soap, const char *msgid, const char **xml, size_t *len);
/* Builds the envelope of a ProbeMatches answering relates_to (used by tests/fleetsim). */
int soapc__probe_matches_build(struct soap *soap, const char *relates_to,
                               struct wsdd__ProbeMatchesType *matches, const char **xml,
                               size_t *len);
/* Parses a received Probe: fills msgid (size n) with its MessageID and *types with its Types
 * (owned by soap). Returns: 0, GW_E_PARSE or SOAPC_E_NOT_WSD. */
int soapc__probe_parse(struct soap *soap, const char *xml, size_t len, char *msgid, size_t n,
                       const char **types, struct gw_errbuf *eb);

#endif
