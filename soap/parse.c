/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * XML in and out of gSOAP without sockets: the three pure parsers of the public API (a
 * ProbeMatches datagram, a WS-Transfer GetResponse with DPWS metadata, a WS-Print
 * GetPrinterElementsResponse), the Probe and ProbeMatches builders, and the converters from
 * gSOAP's deserialized structs to the module's bounded C structs.
 *
 * Every parse runs in a fresh gSOAP context that reads from the caller's buffer through a
 * custom frecv, with bounded size (SOAPC_MAX_RESPONSE), nesting depth and repetition count, so
 * a hostile datagram or HTTP body costs bounded memory and time. gSOAP owns what it
 * deserialized until soap_end(), so everything we keep is copied out (with truncation) before
 * the context goes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "soap/soapc_int.h"

struct inbuf {
    const char *p;
    size_t left;
};

static size_t buf_recv(struct soap *soap, char *s, size_t n)
{
    struct inbuf *b = soap->user;
    size_t k = b->left < n ? b->left : n;

    memcpy(s, b->p, k);
    b->p += k;
    b->left -= k;
    return k;
}

/* SOAP_XML_TREE: no id/href (multi-ref) resolution on input. WSD messages are literal XML, and
 * with ids libgsoap's soap_id_enter() copies a string onto itself (strncpy with overlapping
 * ranges, found by fuzz_wsd under ASan). */
struct soap *soapc__ctx_new(void)
{
    struct soap *soap = soap_new1(SOAP_C_UTFSTRING | SOAP_XML_TREE);

    /* soap_new1() fails only when malloc() does: abort as gw_malloc() does (STYLE, OOM). */
    if (!soap)
        gw__assert_fail("soap_new1: out of memory", __FILE__, __LINE__);
    /* Naming the table here also makes the linker pull wsdd_events.o (which defines it and the
     * handlers the plugin in libsoapgen.a calls) out of libsoapc.a. */
    soap_set_namespaces(soap, namespaces);
    soap_register_plugin(soap, soap_wsa);
    soap->recv_maxlength = SOAPC_MAX_RESPONSE;
    soap->maxlevel = 32;
    soap->maxoccurs = 256;
    return soap;
}

void soapc__ctx_free(struct soap *soap)
{
    if (!soap)
        return;
    soap_destroy(soap);
    soap_end(soap);
    soap_free(soap);
}

void soapc__ctx_input(struct soap *soap, const char *buf, size_t len)
{
    struct inbuf *b = soap_malloc(soap, sizeof(*b));

    b->p = buf;
    b->left = len;
    soap->user = b;
    soap->frecv = buf_recv;
}

const char *soapc__fault_text(struct soap *soap)
{
    const char *s = soap_fault_string(soap);

    if (!s || !*s) {
        const char **c = soap_faultcode(soap);
        s = c && *c ? *c : "(no fault string)";
    }
    return s;
}

static int gsoap_error(struct soap *soap, const char *what, struct gw_errbuf *eb)
{
    int e = soap->error;
    char t[161]; /* texts from the peer, cut on a character boundary */

    if (e == SOAP_FAULT || e == SOAP_CLI_FAULT || e == SOAP_SVR_FAULT) {
        soapc__text_copy(t, sizeof(t), soapc__fault_text(soap));
        return gw_errbuf_set(eb, SOAPC_E_FAULT, "%s: SOAP fault: %s", what, t);
    }
    if (e == SOAP_LENGTH || e == SOAP_EOM || e == SOAP_OCCURS || e == SOAP_LEVEL)
        return gw_errbuf_set(eb, GW_E_TOOBIG, "%s: input exceeds a bound (gSOAP error %d)", what,
                             e);
    if (e == SOAP_EOF)
        return gw_errbuf_set(eb, GW_E_PARSE, "%s: malformed XML/SOAP: input ends early", what);
    t[0] = '\0';
    soapc__text_copy(t, 121, soap_fault_string(soap));
    return gw_errbuf_set(eb, GW_E_PARSE, "%s: malformed XML/SOAP (gSOAP error %d%s%s)", what, e,
                         *t ? ": " : "", t);
}

/* Starts reading an envelope from buf: header and body start. */
static int begin_in(struct soap *soap, const char *xml, size_t len, const char *what,
                    struct gw_errbuf *eb)
{
    if (!xml || len == 0)
        return gw_errbuf_set(eb, GW_E_PARSE, "%s: empty input", what);
    if (len > SOAPC_MAX_RESPONSE)
        return gw_errbuf_set(eb, GW_E_TOOBIG, "%s: %zu bytes, more than the %d allowed", what, len,
                             SOAPC_MAX_RESPONSE);
    soapc__ctx_input(soap, xml, len);
    soap->version = 0; /* set again by gSOAP when it sees a SOAP 1.1 or 1.2 envelope */
    if (soap_begin_recv(soap) || soap_envelope_begin_in(soap))
        return gsoap_error(soap, what, eb);
    /* gSOAP accepts plain XML (REST) here; a device message must be a SOAP envelope. */
    if (soap->version == 0)
        return gw_errbuf_set(eb, GW_E_PARSE, "%s: malformed XML/SOAP: no SOAP envelope", what);
    if (soap_recv_header(soap) || soap_body_begin_in(soap))
        return gsoap_error(soap, what, eb);
    return 0;
}

static int end_in(struct soap *soap, const char *what, struct gw_errbuf *eb)
{
    if (soap_body_end_in(soap) || soap_envelope_end_in(soap) || soap_end_recv(soap))
        return gsoap_error(soap, what, eb);
    return 0;
}

/* After a failed soap_get_*: a Fault in the body, another message, or broken XML. */
static int body_error(struct soap *soap, const char *what, const char *want, int notthis,
                      struct gw_errbuf *eb)
{
    if (soap->error == SOAP_TAG_MISMATCH || soap->error == SOAP_NO_TAG) {
        char tag[64] = "";
        soapc__text_copy(tag, sizeof(tag), soap->tag);
        soap_recv_fault(soap, 0);
        if (soap->error == SOAP_FAULT || soap->error == SOAP_CLI_FAULT ||
            soap->error == SOAP_SVR_FAULT)
            return gsoap_error(soap, what, eb);
        return gw_errbuf_set(eb, notthis, "%s: body holds <%s>, not %s", what,
                             *tag ? tag : "nothing", want);
    }
    return gsoap_error(soap, what, eb);
}

/* Reads one whole envelope from xml whose body is the element tag, into obj through get (which
 * sets obj's defaults and deserializes it). notthis is the error for another body. */
static int read_body(struct soap *soap, const char *xml, size_t len, const char *what,
                     const char *tag, int notthis, bool (*get)(struct soap *, void *, const char *),
                     void *obj, struct gw_errbuf *eb)
{
    int rc = begin_in(soap, xml, len, what, eb);

    if (rc < 0)
        return rc;
    if (!get(soap, obj, tag))
        return body_error(soap, what, tag, notthis, eb);
    return end_in(soap, what, eb);
}

void soapc__uuid_format(const unsigned char b[16], char out[46])
{
    static const char hex[] = "0123456789abcdef";
    size_t i, j = 9;

    memcpy(out, "urn:uuid:", 9);
    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[j++] = '-';
        out[j++] = hex[b[i] >> 4];
        out[j++] = hex[b[i] & 15];
    }
    out[j] = '\0';
}

void soapc__rand_uuid(char out[46])
{
    unsigned char r[16];
    size_t i;

    if (uv_random(NULL, NULL, r, sizeof(r), 0, NULL) != 0) {
        uint64_t t = uv_hrtime() ^ (uint64_t)(uintptr_t)out;
        for (i = 0; i < sizeof(r); i++)
            r[i] = (unsigned char)(t >> (8 * (i % 8))) ^ (unsigned char)i;
    }
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    soapc__uuid_format(r, out);
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF), or 0 when the bytes there are not one. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80 ? 4 : 0;
    }
    return 0;
}

void soapc__text_copy(char *dst, size_t size, const char *src)
{
    static const char repl[] = "\xef\xbf\xbd"; /* U+FFFD REPLACEMENT CHARACTER */
    const unsigned char *s = (const unsigned char *)src;
    size_t j = 0;

    if (!src || size == 0) /* absent: keep what is there */
        return;
    /* Trim surrounding white space; control characters become spaces. Only whole, well-formed
     * UTF-8 characters are copied (a byte that starts none becomes U+FFFD), so truncation never
     * cuts a character and every field is valid UTF-8 for JSON and the database. utf8_len()
     * stops at the NUL, which is never a continuation byte. */
    while (*s && isspace(*s))
        s++;
    while (*s) {
        size_t n = utf8_len(s);
        const unsigned char *from = s;
        size_t k = n;
        if (n == 0) {
            from = (const unsigned char *)repl;
            k = 3;
        }
        if (j + k + 1 > size)
            break;
        if (k == 1)
            dst[j] = *s < 0x20 || *s == 0x7f ? ' ' : (char)*s;
        else
            memcpy(dst + j, from, k);
        j += k;
        s += n ? n : 1;
    }
    while (j > 0 && dst[j - 1] == ' ')
        j--;
    dst[j] = '\0';
}

static void copy(char *dst, size_t size, const char *src)
{
    soapc__text_copy(dst, size, src);
}

bool soapc_uuid_normalize(char *s, size_t size)
{
    size_t n, i;
    char tmp[80];

    copy(tmp, sizeof(tmp), s);
    n = strlen(tmp);
    if (n == 36 && tmp[8] == '-' && tmp[13] == '-' && tmp[18] == '-' && tmp[23] == '-') {
        char bare[37];
        memcpy(bare, tmp, sizeof(bare)); /* the 36 characters and the NUL */
        snprintf(tmp, sizeof(tmp), "urn:uuid:%s", bare);
        n = strlen(tmp);
    }
    if (n < 9 || strncasecmp(tmp, "urn:uuid:", 9) != 0) {
        copy(s, size, tmp);
        return false;
    }
    for (i = 0; i < n; i++)
        if (tmp[i] >= 'A' && tmp[i] <= 'Z')
            tmp[i] = (char)(tmp[i] - 'A' + 'a');
    copy(s, size, tmp);
    return true;
}

int soapc__matches_from(const struct wsdd__ProbeMatchesType *pm, struct soapc_wsd_match *out,
                        int max)
{
    int i, n = 0;

    for (i = 0; i < pm->__sizeProbeMatch && n < max; i++) {
        const struct wsdd__ProbeMatchType *m = &pm->ProbeMatch[i];
        struct soapc_wsd_match *o = &out[n];

        memset(o, 0, sizeof(*o));
        copy(o->uuid, sizeof(o->uuid), m->wsa__EndpointReference.Address);
        soapc_uuid_normalize(o->uuid, sizeof(o->uuid));
        if (!o->uuid[0])
            continue; /* a match without an address identifies nothing */
        copy(o->types, sizeof(o->types), m->Types);
        copy(o->xaddrs, sizeof(o->xaddrs), m->XAddrs);
        o->metadata_version = m->MetadataVersion;
        n++;
    }
    return n;
}

/* Internal variant of soapc_parse_probe_matches() that also returns RelatesTo. */
int soapc__parse_probe_matches(const char *xml, size_t len, struct soapc_wsd_match *out, int max,
                               char *relates_to, size_t rsize, struct gw_errbuf *eb);

static bool get_probe_matches(struct soap *soap, void *pm, const char *tag)
{
    soap_default_wsdd__ProbeMatchesType(soap, pm);
    return soap_get_wsdd__ProbeMatchesType(soap, pm, tag, NULL) != NULL;
}

int soapc__parse_probe_matches(const char *xml, size_t len, struct soapc_wsd_match *out, int max,
                               char *relates_to, size_t rsize, struct gw_errbuf *eb)
{
    struct soap *soap = soapc__ctx_new();
    struct wsdd__ProbeMatchesType pm;
    int rc;

    if (relates_to && rsize)
        *relates_to = '\0';
    rc = read_body(soap, xml, len, "ProbeMatches", "wsdd:ProbeMatches", SOAPC_E_NOT_WSD,
                   get_probe_matches, &pm, eb);
    if (rc == 0) {
        if (relates_to && rsize && soap->header && soap->header->wsa__RelatesTo)
            copy(relates_to, rsize, soap->header->wsa__RelatesTo->__item);
        rc = soapc__matches_from(&pm, out, max < 0 ? 0 : max);
    }
    soapc__ctx_free(soap);
    return rc;
}

int soapc_parse_probe_matches(const char *xml, size_t len, struct soapc_wsd_match *out, int max,
                              struct gw_errbuf *eb)
{
    return soapc__parse_probe_matches(xml, len, out, max, NULL, 0, eb);
}

/* True when a space-separated QName list holds a WS-Print service type. The prefix of a QName
 * in text content cannot be resolved after deserialization, so the local name decides. */
static bool has_print_type(const char *types)
{
    const char *p = types;

    while (p && *p) {
        size_t n;
        const char *colon;
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        n = strcspn(p, " \t\r\n");
        colon = memchr(p, ':', n);
        if (colon) {
            n -= (size_t)(colon + 1 - p);
            p = colon + 1;
        }
        if (n == strlen("PrinterServiceType") && !strncmp(p, "PrinterServiceType", n))
            return true;
        p += n;
    }
    return false;
}

static void hosted_service(struct soapc_device_info *out, int neprs,
                           const struct wsa__EndpointReferenceType *eprs, const char *types)
{
    if (out->is_printer || !has_print_type(types))
        return;
    out->is_printer = true;
    if (neprs > 0 && eprs)
        copy(out->print_url, sizeof(out->print_url), eprs[0].Address);
}

int soapc__metadata_from(const struct _wsx__Metadata *md, struct soapc_device_info *out,
                         struct gw_errbuf *eb)
{
    bool any = false;
    int i, j;

    for (i = 0; i < md->__sizeMetadataSection; i++) {
        const struct wsx__MetadataSectionType *s = &md->MetadataSection[i];
        if (s->dpws__ThisModel) {
            const struct dpws__ThisModelType *m = s->dpws__ThisModel;
            any = true;
            if (m->__sizeManufacturer > 0)
                copy(out->manufacturer, sizeof(out->manufacturer), m->Manufacturer[0]);
            if (m->__sizeModelName > 0)
                copy(out->model, sizeof(out->model), m->ModelName[0]);
            copy(out->model_number, sizeof(out->model_number), m->ModelNumber);
            copy(out->presentation_url, sizeof(out->presentation_url), m->PresentationUrl);
        }
        if (s->dpws__ThisDevice) {
            const struct dpws__ThisDeviceType *d = s->dpws__ThisDevice;
            any = true;
            if (d->__sizeFriendlyName > 0)
                copy(out->friendly_name, sizeof(out->friendly_name), d->FriendlyName[0]);
            copy(out->firmware, sizeof(out->firmware), d->FirmwareVersion);
            copy(out->serial, sizeof(out->serial), d->SerialNumber);
        }
        if (s->dpws__Relationship) {
            const struct dpws__RelationshipType *r = s->dpws__Relationship;
            any = true;
            if (r->Host && r->Host->__sizeEndpointReference > 0 && !out->uuid[0]) {
                copy(out->uuid, sizeof(out->uuid), r->Host->wsa__EndpointReference[0].Address);
                soapc_uuid_normalize(out->uuid, sizeof(out->uuid));
            }
            if (r->Host)
                hosted_service(out, r->Host->__sizeEndpointReference,
                               r->Host->wsa__EndpointReference, r->Host->Types);
            for (j = 0; j < r->__sizeHosted; j++)
                hosted_service(out, r->Hosted[j].__sizeEndpointReference,
                               r->Hosted[j].wsa__EndpointReference, r->Hosted[j].Types);
        }
    }
    if (!any)
        return gw_errbuf_set(eb, SOAPC_E_NO_METADATA,
                             "metadata: no ThisModel, ThisDevice or Relationship section");
    return 0;
}

static bool get_metadata(struct soap *soap, void *md, const char *tag)
{
    soap_default__wsx__Metadata(soap, md);
    return soap_get__wsx__Metadata(soap, md, tag, NULL) != NULL;
}

int soapc_parse_metadata(const char *xml, size_t len, struct soapc_device_info *out,
                         struct gw_errbuf *eb)
{
    struct soap *soap = soapc__ctx_new();
    struct _wsx__Metadata md;
    int rc = read_body(soap, xml, len, "metadata", "wsx:Metadata", SOAPC_E_NO_METADATA,
                       get_metadata, &md, eb);

    if (rc == 0)
        rc = soapc__metadata_from(&md, out, eb);
    soapc__ctx_free(soap);
    return rc;
}

/* "80", " 80 ", "80%" -> 80; "Unknown", "", out of range -> -1. */
static int parse_level(const char *s)
{
    char *end;
    long v;

    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    if (!isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || v < 0 || v > 100)
        return -1;
    while (isspace((unsigned char)*end) || *end == '%')
        end++;
    return *end ? -1 : (int)v;
}

static void append_word(char *dst, size_t size, const char *w)
{
    char tmp[64] = ""; /* copy() leaves it alone when w is absent */
    size_t n = strlen(dst);

    copy(tmp, sizeof(tmp), w);
    if (!tmp[0] || n + (n ? 1 : 0) + strlen(tmp) + 1 > size)
        return;
    snprintf(dst + n, size - n, "%s%s", n ? " " : "", tmp);
}

int soapc__elements_from(const struct _wprt__GetPrinterElementsResponse *r,
                         struct soapc_device_info *out, struct gw_errbuf *eb)
{
    const struct wprt__PrinterElementsType *pe = &r->PrinterElements;
    bool any = false;
    int i, j;

    for (i = 0; i < pe->__sizeElementData; i++) {
        const struct wprt__ElementDataType *ed = &pe->ElementData[i];
        if (ed->Valid && !strcmp(ed->Valid, "false"))
            continue;
        if (ed->PrinterStatus) {
            const struct wprt__PrinterStatusType *st = ed->PrinterStatus;
            any = true;
            out->have_status = true;
            copy(out->printer_state, sizeof(out->printer_state), st->PrinterState);
            out->state_reasons[0] = '\0';
            if (st->PrinterStateReasons)
                for (j = 0; j < st->PrinterStateReasons->__sizePrinterStateReason; j++)
                    append_word(out->state_reasons, sizeof(out->state_reasons),
                                st->PrinterStateReasons->PrinterStateReason[j]);
            if (!out->state_reasons[0])
                append_word(out->state_reasons, sizeof(out->state_reasons),
                            st->PrinterPrimaryStateReason);
        }
        if (ed->PrinterConfiguration && ed->PrinterConfiguration->Consumables) {
            const struct wprt__ConsumablesType *c = ed->PrinterConfiguration->Consumables;
            any = true;
            out->nsupplies = 0;
            for (j = 0; j < c->__sizeConsumableEntry && out->nsupplies < SOAPC_MAX_SUPPLIES; j++) {
                const struct wprt__ConsumableEntryType *e = &c->ConsumableEntry[j];
                struct soapc_supply *s = &out->supplies[out->nsupplies++];
                memset(s, 0, sizeof(*s));
                copy(s->name, sizeof(s->name),
                     e->Description ? e->Description
                     : e->Model     ? e->Model
                                    : e->Name);
                copy(s->color, sizeof(s->color), e->Color);
                copy(s->type, sizeof(s->type), e->Type);
                s->level = parse_level(e->Level);
            }
        }
    }
    if (!any)
        return gw_errbuf_set(eb, SOAPC_E_NO_ELEMENTS,
                             "printer elements: no valid PrinterStatus or Consumables");
    return 0;
}

static bool get_printer_elements(struct soap *soap, void *r, const char *tag)
{
    soap_default__wprt__GetPrinterElementsResponse(soap, r);
    return soap_get__wprt__GetPrinterElementsResponse(soap, r, tag, NULL) != NULL;
}

int soapc_parse_printer_elements(const char *xml, size_t len, struct soapc_device_info *out,
                                 struct gw_errbuf *eb)
{
    struct soap *soap = soapc__ctx_new();
    struct _wprt__GetPrinterElementsResponse r;
    int rc = read_body(soap, xml, len, "printer elements", "wprt:GetPrinterElementsResponse",
                       SOAPC_E_NO_ELEMENTS, get_printer_elements, &r, eb);

    if (rc == 0)
        rc = soapc__elements_from(&r, out, eb);
    soapc__ctx_free(soap);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Builders (output into a string owned by soap)
 */
static int put_envelope(struct soap *soap, int (*put)(struct soap *, const void *),
                        const void *body, const char **xml, size_t *len)
{
    const char *s = NULL;

    soap->os = &s;
    if (soap_begin_send(soap) || soap_envelope_begin_out(soap) || soap_putheader(soap) ||
        soap_body_begin_out(soap) || put(soap, body) || soap_body_end_out(soap) ||
        soap_envelope_end_out(soap) || soap_end_send(soap)) {
        soap->os = NULL;
        return GW_E_INTERNAL;
    }
    soap->os = NULL;
    if (!s)
        return GW_E_INTERNAL;
    *xml = s;
    *len = strlen(s);
    return 0;
}

static int put_probe(struct soap *soap, const void *p)
{
    return soap_put_wsdd__ProbeType(soap, p, "wsdd:Probe", NULL);
}

int soapc__probe_build(struct soap *soap, const char *msgid, const char **xml, size_t *len)
{
    struct wsdd__ProbeType req;

    soap_set_version(soap, 2);
    if (soap_wsa_request(soap, msgid, SOAPC__TO_DISCOVERY, SOAPC__ACTION_PROBE))
        return GW_E_INTERNAL;
    soap_default_wsdd__ProbeType(soap, &req);
    soap_serializeheader(soap);
    soap_serialize_wsdd__ProbeType(soap, &req);
    return put_envelope(soap, put_probe, &req, xml, len);
}

static int put_matches(struct soap *soap, const void *p)
{
    return soap_put_wsdd__ProbeMatchesType(soap, p, "wsdd:ProbeMatches", NULL);
}

int soapc__probe_matches_build(struct soap *soap, const char *relates_to,
                               struct wsdd__ProbeMatchesType *matches, const char **xml,
                               size_t *len)
{
    struct wsa__Relationship *rel;
    char id[46];

    soapc__rand_uuid(id);
    soap_set_version(soap, 2);
    if (soap_wsa_request(soap, id, SOAPC__WSA_ANON, SOAPC__ACTION_PROBE_MATCHES))
        return GW_E_INTERNAL;
    rel = soap_malloc(soap, sizeof(*rel));
    soap_default_wsa__Relationship(soap, rel);
    rel->__item = soap_strdup(soap, relates_to);
    soap->header->wsa__RelatesTo = rel;
    soap_serializeheader(soap);
    soap_serialize_wsdd__ProbeMatchesType(soap, matches);
    return put_envelope(soap, put_matches, matches, xml, len);
}

static bool get_probe(struct soap *soap, void *req, const char *tag)
{
    soap_default_wsdd__ProbeType(soap, req);
    return soap_get_wsdd__ProbeType(soap, req, tag, NULL) != NULL;
}

int soapc__probe_parse(struct soap *soap, const char *xml, size_t len, char *msgid, size_t n,
                       const char **types, struct gw_errbuf *eb)
{
    struct wsdd__ProbeType *req = soap_malloc(soap, sizeof(*req));
    int rc;

    *types = NULL;
    rc = read_body(soap, xml, len, "Probe", "wsdd:Probe", SOAPC_E_NOT_WSD, get_probe, req, eb);
    if (rc < 0)
        return rc;
    if (!soap->header || !soap->header->wsa__MessageID || !*soap->header->wsa__MessageID)
        return gw_errbuf_set(eb, SOAPC_E_NOT_WSD, "Probe: no MessageID header");
    gw_strlcpy(msgid, soap->header->wsa__MessageID, n);
    *types = req->Types;
    return 0;
}
