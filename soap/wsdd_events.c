/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The symbols gSOAP demands by name, and nothing else (STYLE.md §2: the only unprefixed
 * globals of the project): the six wsdd_event_* handlers of the WS-Discovery plugin,
 * SOAP_ENV__Fault (wsa.h declares the fault as a one-way operation), the server side of the two
 * device operations soapcpp2 generated from soap/wsd.gsoap, and the namespace table.
 *
 * The gateway never serves: soap->user is NULL in its contexts and every request is refused.
 * tests/fleetsim serves Get and GetPrinterElements by pointing soap->user at a
 * struct soapc__server. Replies to our Probes do not come through wsdd_event_ProbeMatches: the
 * UDP side is driven by libuv and parses datagrams itself (soap/probe.c).
 */
#include "soap/soapc_int.h"

#include "wsdd.nsmap"

void wsdd_event_Hello(struct soap *soap, unsigned int InstanceId, const char *SequenceId,
                      unsigned int MessageNumber, const char *MessageID, const char *RelatesTo,
                      const char *EndpointReference, const char *Types, const char *Scopes,
                      const char *MatchBy, const char *XAddrs, unsigned int MetadataVersion)
{
}

void wsdd_event_Bye(struct soap *soap, unsigned int InstanceId, const char *SequenceId,
                    unsigned int MessageNumber, const char *MessageID, const char *RelatesTo,
                    const char *EndpointReference, const char *Types, const char *Scopes,
                    const char *MatchBy, const char *XAddrs, unsigned int *MetadataVersion)
{
}

soap_wsdd_mode wsdd_event_Probe(struct soap *soap, const char *MessageID, const char *ReplyTo,
                                const char *Types, const char *Scopes, const char *MatchBy,
                                struct wsdd__ProbeMatchesType *matches)
{
    const struct soapc__server *srv = soap->user;

    if (srv && srv->probe)
        return srv->probe(srv->arg, soap, Types, matches);
    return SOAP_WSDD_MANAGED; /* say nothing */
}

void wsdd_event_ProbeMatches(struct soap *soap, unsigned int InstanceId, const char *SequenceId,
                             unsigned int MessageNumber, const char *MessageID,
                             const char *RelatesTo, struct wsdd__ProbeMatchesType *matches)
{
}

soap_wsdd_mode wsdd_event_Resolve(struct soap *soap, const char *MessageID, const char *ReplyTo,
                                  const char *EndpointReference,
                                  struct wsdd__ResolveMatchType *match)
{
    return SOAP_WSDD_MANAGED;
}

void wsdd_event_ResolveMatches(struct soap *soap, unsigned int InstanceId, const char *SequenceId,
                               unsigned int MessageNumber, const char *MessageID,
                               const char *RelatesTo, struct wsdd__ResolveMatchType *match)
{
}

int SOAP_ENV__Fault(struct soap *soap, char *faultcode, char *faultstring, char *faultactor,
                    struct SOAP_ENV__Detail *detail, struct SOAP_ENV__Code *SOAP_ENV__Code,
                    struct SOAP_ENV__Reason *SOAP_ENV__Reason, char *SOAP_ENV__Node,
                    char *SOAP_ENV__Role, struct SOAP_ENV__Detail *SOAP_ENV__Detail)
{
    /* A fault arriving as a request: nothing to answer. */
    return SOAP_OK;
}

int __wxf__Get(struct soap *soap, struct _wsx__Metadata *wsx__Metadata)
{
    const struct soapc__server *srv = soap->user;

    if (!srv || !srv->get)
        return soap_receiver_fault(soap, "operation not served", NULL);
    return srv->get(srv->arg, soap, wsx__Metadata);
}

int __wprt__GetPrinterElements(
    struct soap *soap, struct _wprt__GetPrinterElementsRequest *wprt__GetPrinterElementsRequest,
    struct _wprt__GetPrinterElementsResponse *wprt__GetPrinterElementsResponse)
{
    const struct soapc__server *srv = soap->user;

    if (!srv || !srv->printer_elements)
        return soap_receiver_fault(soap, "operation not served", NULL);
    return srv->printer_elements(srv->arg, soap, wprt__GetPrinterElementsRequest,
                                 wprt__GetPrinterElementsResponse);
}
