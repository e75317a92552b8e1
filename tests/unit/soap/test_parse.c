/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Unit tests for soap/parse.c: the three pure parsers get {input, expected} case tables of
 * envelopes shaped like what WSD printers send (SOAP 1.2, WS-Addressing 2004/08, the
 * devprof/print prefixes real devices use, elements we do not know, xml:lang attributes), and
 * refused inputs with the error code and a fragment of the message. The Probe and ProbeMatches
 * builders are checked by parsing what they produce.
 */
#include "config.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "soap/soapc_int.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

int soapc__parse_probe_matches(const char *xml, size_t len, struct soapc_wsd_match *out, int max,
                               char *relates_to, size_t rsize, struct gw_errbuf *eb);

#define ENV12                                                                                      \
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>"                                                   \
    "<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\""                        \
    " xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\""                              \
    " xmlns:wsd=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\""                               \
    " xmlns:wsdp=\"http://schemas.xmlsoap.org/ws/2006/02/devprof\""                                \
    " xmlns:wsx=\"http://schemas.xmlsoap.org/ws/2004/09/mex\""                                     \
    " xmlns:pnpx=\"http://schemas.microsoft.com/windows/pnpx/2005/10\""                            \
    " xmlns:wprt=\"http://schemas.microsoft.com/windows/2006/08/wdp/print\">"
#define HDR(action, relates)                                                                       \
    "<soap:Header><wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"         \
    "</wsa:To><wsa:Action>" action "</wsa:Action>"                                                 \
    "<wsa:MessageID>urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e</wsa:MessageID>"                 \
    "<wsa:RelatesTo>" relates "</wsa:RelatesTo>"                                                   \
    "<wsd:AppSequence InstanceId=\"1700000000\" MessageNumber=\"12\"/></soap:Header>"
#define REL        "urn:uuid:11111111-2222-4333-8444-555555555555"
#define PM_ACTION  "http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches"
#define GET_ACTION "http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse"
#define GPE_ACTION                                                                                 \
    "http://schemas.microsoft.com/windows/2006/08/wdp/print/GetPrinterElementsResponse"
#define END "</soap:Body></soap:Envelope>"

static const char pm_hp[] = ENV12 HDR(
    PM_ACTION,
    REL) "<soap:Body><wsd:ProbeMatches><wsd:ProbeMatch>"
         "<wsa:EndpointReference><wsa:Address>urn:uuid:4509A320-00A0-008F-00B6-002507510EEB"
         "</wsa:Address></wsa:EndpointReference>"
         "<wsd:Types>wsdp:Device wprt:PrintDeviceType</wsd:Types>"
         "<wsd:Scopes></wsd:Scopes>"
         "<wsd:XAddrs>http://10.1.2.3:3911/ http://[fe80::225:b3ff:fe51:eeb]:3911/</wsd:XAddrs>"
         "<wsd:MetadataVersion>3</wsd:MetadataVersion>"
         "</wsd:ProbeMatch></wsd:ProbeMatches>" END;

static const char pm_two[] = ENV12 HDR(
    PM_ACTION,
    REL) "<soap:Body><wsd:ProbeMatches>"
         "<wsd:ProbeMatch><wsa:EndpointReference><wsa:Address>"
         "  2E4D5F6A-1B2C-4D3E-8F90-A1B2C3D4E5F6 </wsa:Address></wsa:EndpointReference>"
         "<wsd:XAddrs>http://10.1.2.4:80/wsd</wsd:XAddrs><wsd:MetadataVersion>1"
         "</wsd:MetadataVersion></wsd:ProbeMatch>"
         "<wsd:ProbeMatch><wsa:EndpointReference><wsa:Address> \t "
         "</wsa:Address></wsa:EndpointReference>"
         "<wsd:MetadataVersion>1</wsd:MetadataVersion></wsd:ProbeMatch>"
         "<wsd:ProbeMatch><wsa:EndpointReference><wsa:Address>http://10.1.2.5/device</wsa:Address>"
         "</wsa:EndpointReference><wsd:MetadataVersion>7</wsd:MetadataVersion></wsd:ProbeMatch>"
         "</wsd:ProbeMatches>" END;

static const char pm_soap11[] =
    "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\""
    " xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\""
    " xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\"><s:Header>"
    "<a:RelatesTo>" REL "</a:RelatesTo></s:Header><s:Body><d:ProbeMatches><d:ProbeMatch>"
    "<a:EndpointReference><a:Address>urn:uuid:aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee</a:Address>"
    "</a:EndpointReference><d:XAddrs>http://10.9.9.9:5357/x</d:XAddrs>"
    "<d:MetadataVersion>2</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></s:Body>"
    "</s:Envelope>";

static const char pm_empty[] =
    ENV12 HDR(PM_ACTION, REL) "<soap:Body><wsd:ProbeMatches></wsd:ProbeMatches>" END;

static const char fault12[] =
    ENV12 "<soap:Body><soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value></soap:Code>"
          "<soap:Reason><soap:Text xml:lang=\"en\">Destination Unreachable</soap:Text>"
          "</soap:Reason></soap:Fault>" END;

static const char probe[] = ENV12 HDR(
    "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe",
    REL) "<soap:Body><wsd:Probe><wsd:Types>wprt:PrintDeviceType</wsd:Types></wsd:Probe>" END;

static const char md_hp[] = ENV12 HDR(
    GET_ACTION,
    REL) "<soap:Body><wsx:Metadata>"
         "<wsx:MetadataSection "
         "Dialect=\"http://schemas.xmlsoap.org/ws/2006/02/devprof/ThisDevice\">"
         "<wsdp:ThisDevice><wsdp:FriendlyName xml:lang=\"en\">Printer (HP LaserJet Pro M404dn)"
         "</wsdp:FriendlyName><wsdp:FriendlyName xml:lang=\"de\">Drucker</wsdp:FriendlyName>"
         "<wsdp:FirmwareVersion>002.2310A</wsdp:FirmwareVersion>"
         "<wsdp:SerialNumber>PHBQB12345</wsdp:SerialNumber></wsdp:ThisDevice></wsx:MetadataSection>"
         "<wsx:MetadataSection Dialect=\"http://schemas.xmlsoap.org/ws/2006/02/devprof/ThisModel\">"
         "<wsdp:ThisModel><wsdp:Manufacturer xml:lang=\"en\">HP</wsdp:Manufacturer>"
         "<wsdp:ManufacturerUrl>http://www.hp.com/</wsdp:ManufacturerUrl>"
         "<wsdp:ModelName xml:lang=\"en\">HP LaserJet Pro M404dn</wsdp:ModelName>"
         "<wsdp:ModelNumber>W1A53A</wsdp:ModelNumber>"
         "<wsdp:PresentationUrl>http://10.1.2.3/</wsdp:PresentationUrl>"
         "<pnpx:DeviceCategory>Printers</pnpx:DeviceCategory></wsdp:ThisModel></"
         "wsx:MetadataSection>"
         "<wsx:MetadataSection "
         "Dialect=\"http://schemas.xmlsoap.org/ws/2006/02/devprof/Relationship\">"
         "<wsdp:Relationship "
         "Type=\"http://schemas.xmlsoap.org/ws/2006/02/devprof/host\"><wsdp:Host>"
         "<wsa:EndpointReference><wsa:Address>urn:uuid:4509A320-00A0-008F-00B6-002507510EEB"
         "</wsa:Address></wsa:EndpointReference><wsdp:Types>wsdp:Device wprt:PrintDeviceType"
         "</wsdp:Types><wsdp:ServiceId>uri:host</wsdp:ServiceId></wsdp:Host>"
         "<wsdp:Hosted><wsa:EndpointReference><wsa:Address>http://10.1.2.3:3911/scan</wsa:Address>"
         "</wsa:EndpointReference><wsdp:Types>wscn:ScannerServiceType</wsdp:Types>"
         "<wsdp:ServiceId>uri:scan</wsdp:ServiceId></wsdp:Hosted>"
         "<wsdp:Hosted><wsa:EndpointReference><wsa:Address>http://10.1.2.3:3911/print</wsa:Address>"
         "</wsa:EndpointReference><wsdp:Types>wprt:PrinterServiceType</wsdp:Types>"
         "<wsdp:ServiceId>uri:print</wsdp:ServiceId></wsdp:Hosted>"
         "</wsdp:Relationship></wsx:MetadataSection></wsx:Metadata>" END;

static const char md_scanner[] = ENV12 HDR(
    GET_ACTION,
    REL) "<soap:Body><wsx:Metadata>"
         "<wsx:MetadataSection Dialect=\"http://schemas.xmlsoap.org/ws/2006/02/devprof/ThisModel\">"
         "<wsdp:ThisModel><wsdp:Manufacturer>Acme</wsdp:Manufacturer><wsdp:ModelName>Scan 1"
         "</wsdp:ModelName></wsdp:ThisModel></wsx:MetadataSection>"
         "<wsx:MetadataSection><wsdp:Relationship Type=\"http://schemas.xmlsoap.org/ws/2006/02/"
         "devprof/host\"><wsdp:Hosted><wsa:EndpointReference><wsa:Address>http://10.0.0.9/scan"
         "</wsa:Address></wsa:EndpointReference><wsdp:Types>wscn:ScannerServiceType</wsdp:Types>"
         "</wsdp:Hosted></wsdp:Relationship></wsx:MetadataSection></wsx:Metadata>" END;

static const char md_empty[] = ENV12 HDR(GET_ACTION, REL) "<soap:Body><wsx:Metadata/>" END;

static const char gpe_jam[] = ENV12 HDR(
    GPE_ACTION,
    REL) "<soap:Body><wprt:GetPrinterElementsResponse>"
         "<wprt:PrinterElements>"
         "<wprt:ElementData Name=\"wprt:PrinterStatus\" Valid=\"true\"><wprt:PrinterStatus>"
         "<wprt:PrinterCurrentTime>2026-11-22T04:00:00Z</wprt:PrinterCurrentTime>"
         "<wprt:PrinterState>Stopped</wprt:PrinterState>"
         "<wprt:PrinterPrimaryStateReason>MediaJam</wprt:PrinterPrimaryStateReason>"
         "<wprt:PrinterStateReasons><wprt:PrinterStateReason>MediaJam</wprt:PrinterStateReason>"
         "<wprt:PrinterStateReason>MarkerSupplyLow</wprt:PrinterStateReason>"
         "</wprt:PrinterStateReasons><wprt:QueuedJobCount>2</wprt:QueuedJobCount>"
         "</wprt:PrinterStatus></wprt:ElementData>"
         "<wprt:ElementData Name=\"wprt:PrinterConfiguration\" Valid=\"true\">"
         "<wprt:PrinterConfiguration><wprt:PrinterEventRate>60</wprt:PrinterEventRate>"
         "<wprt:Consumables>"
         "<wprt:ConsumableEntry Name=\"Black\"><wprt:Type>TonerCartridge</wprt:Type>"
         "<wprt:Color>Black</wprt:Color><wprt:Level>45</wprt:Level><wprt:Model>CF259A</wprt:Model>"
         "</wprt:ConsumableEntry>"
         "<wprt:ConsumableEntry Name=\"Drum\"><wprt:Type>Drum</wprt:Type>"
         "<wprt:Level>Unknown</wprt:Level><wprt:Description>Imaging drum</wprt:Description>"
         "</wprt:ConsumableEntry>"
         "<wprt:ConsumableEntry Name=\"Waste\"><wprt:Type>WasteToner</wprt:Type>"
         "<wprt:Level> 101 </wprt:Level></wprt:ConsumableEntry>"
         "<wprt:ConsumableEntry Name=\"Cyan\"><wprt:Type>TonerCartridge</wprt:Type>"
         "<wprt:Color>Cyan</wprt:Color><wprt:Level>7%</wprt:Level></wprt:ConsumableEntry>"
         "</wprt:Consumables></wprt:PrinterConfiguration></wprt:ElementData>"
         "</wprt:PrinterElements></wprt:GetPrinterElementsResponse>" END;

static const char gpe_invalid[] = ENV12 HDR(
    GPE_ACTION,
    REL) "<soap:Body><wprt:GetPrinterElementsResponse>"
         "<wprt:PrinterElements><wprt:ElementData Name=\"wprt:PrinterStatus\" Valid=\"false\"/>"
         "</wprt:PrinterElements></wprt:GetPrinterElementsResponse>" END;

static const char gpe_idle_primary[] = ENV12 HDR(
    GPE_ACTION,
    REL) "<soap:Body><wprt:GetPrinterElementsResponse>"
         "<wprt:PrinterElements><wprt:ElementData Name=\"wprt:PrinterStatus\" Valid=\"true\">"
         "<wprt:PrinterStatus><wprt:PrinterState>Idle</wprt:PrinterState>"
         "<wprt:PrinterPrimaryStateReason>None</wprt:PrinterPrimaryStateReason>"
         "</wprt:PrinterStatus></wprt:ElementData></wprt:PrinterElements>"
         "</wprt:GetPrinterElementsResponse>" END;

/* Inputs every parser must refuse, with the code and a fragment of the message. */
static const struct bad_case {
    const char *name;
    const char *xml;
    int code;
    const char *msg;
} bad_common[] = {
    {"empty", "", GW_E_PARSE, "empty input"},
    {"not xml", "hello, printer", GW_E_PARSE, "malformed"},
    {"truncated", ENV12 "<soap:Header><wsa:MessageID>urn:uu", GW_E_PARSE, "malformed"},
    {"unclosed envelope", ENV12 "<soap:Body>", GW_E_PARSE, "malformed"},
    {"fault", fault12, SOAPC_E_FAULT, "Destination Unreachable"},
    {"html", "<html><body>404</body></html>", GW_E_PARSE, "malformed"},
};

static int run_parser(int which, const char *xml, size_t len, struct gw_errbuf *eb)
{
    struct soapc_wsd_match m[4];
    struct soapc_device_info info;

    memset(&info, 0, sizeof(info));
    switch (which) {
    case 0:
        return soapc_parse_probe_matches(xml, len, m, 4, eb);
    case 1:
        return soapc_parse_metadata(xml, len, &info, eb);
    default:
        return soapc_parse_printer_elements(xml, len, &info, eb);
    }
}

static void test_bad_common(void **state)
{
    (void)state;
    for (int which = 0; which < 3; which++)
        for (size_t i = 0; i < NELEM(bad_common); i++) {
            struct gw_errbuf eb = {{0}};
            int rc = run_parser(which, bad_common[i].xml, strlen(bad_common[i].xml), &eb);
            if (rc != bad_common[i].code || !strstr(eb.msg, bad_common[i].msg))
                fail_msg("parser %d case '%s': rc=%d msg='%s'", which, bad_common[i].name, rc,
                         eb.msg);
        }
}

static void test_wrong_message(void **state)
{
    struct gw_errbuf eb = {{0}};
    (void)state;
    /* Each parser names what it found instead of what it wanted. */
    assert_int_equal(run_parser(0, probe, strlen(probe), &eb), SOAPC_E_NOT_WSD);
    assert_non_null(strstr(eb.msg, "wsdd:Probe"));
    assert_int_equal(run_parser(1, pm_hp, strlen(pm_hp), &eb), SOAPC_E_NO_METADATA);
    assert_non_null(strstr(eb.msg, "ProbeMatches"));
    assert_int_equal(run_parser(2, md_hp, strlen(md_hp), &eb), SOAPC_E_NO_ELEMENTS);
    assert_non_null(strstr(eb.msg, "wsx:Metadata"));
}

static void test_too_big(void **state)
{
    (void)state;
    size_t n = SOAPC_MAX_RESPONSE + 1;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, ' ', n);
    for (int which = 0; which < 3; which++) {
        struct gw_errbuf eb = {{0}};
        assert_int_equal(run_parser(which, big, n, &eb), GW_E_TOOBIG);
        assert_non_null(strstr(eb.msg, "allowed"));
    }
    free(big);
}

static void test_deep_nesting(void **state)
{
    (void)state;
    /* Nesting beyond the depth bound inside a known element is refused, not recursed into. */
    char *x = malloc(64 * 1024);
    size_t n = 0;
    n += (size_t)sprintf(x + n, "%s", ENV12 "<soap:Body><wsd:ProbeMatches><wsd:ProbeMatch>");
    for (int i = 0; i < 2000; i++)
        n += (size_t)sprintf(x + n, "<a>");
    struct gw_errbuf eb = {{0}};
    int rc = soapc_parse_probe_matches(x, n, (struct soapc_wsd_match[1]){0}, 1, &eb);
    assert_true(rc == GW_E_TOOBIG || rc == GW_E_PARSE);
    free(x);
}

static void test_not_nul_terminated(void **state)
{
    (void)state;
    /* The parsers read exactly len bytes: a copy without the NUL, followed by junk. */
    size_t n = strlen(pm_hp);
    char *x = malloc(n + 16);
    memcpy(x, pm_hp, n);
    memset(x + n, '<', 16);
    struct soapc_wsd_match m[2];
    struct gw_errbuf eb = {{0}};
    assert_int_equal(soapc_parse_probe_matches(x, n, m, 2, &eb), 1);
    free(x);
}

static void test_probe_matches(void **state)
{
    (void)state;
    static const struct {
        const char *name, *xml;
        int max, count;
        const char *uuid0, *types0, *xaddrs0;
        unsigned mv0;
        const char *uuid_last;
    } cases[] = {
        {"hp", pm_hp, 4, 1, "urn:uuid:4509a320-00a0-008f-00b6-002507510eeb",
         "dpws:Device wprt:PrintDeviceType",
         "http://10.1.2.3:3911/ http://[fe80::225:b3ff:fe51:eeb]:3911/", 3, NULL},
        /* the bare UUID gets its prefix, the match without an address is dropped, a non-UUID
         * address is kept as is */
        {"two", pm_two, 4, 2, "urn:uuid:2e4d5f6a-1b2c-4d3e-8f90-a1b2c3d4e5f6", "",
         "http://10.1.2.4:80/wsd", 1, "http://10.1.2.5/device"},
        {"max", pm_two, 1, 1, "urn:uuid:2e4d5f6a-1b2c-4d3e-8f90-a1b2c3d4e5f6", "",
         "http://10.1.2.4:80/wsd", 1, NULL},
        {"soap11", pm_soap11, 4, 1, "urn:uuid:aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "",
         "http://10.9.9.9:5357/x", 2, NULL},
        {"empty", pm_empty, 4, 0, NULL, NULL, NULL, 0, NULL},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct soapc_wsd_match m[4];
        struct gw_errbuf eb = {{0}};
        char rel[80];
        memset(m, 0x55, sizeof(m));
        int n = soapc__parse_probe_matches(cases[i].xml, strlen(cases[i].xml), m, cases[i].max, rel,
                                           sizeof(rel), &eb);
        if (n != cases[i].count)
            fail_msg("case %s: %d matches (%s)", cases[i].name, n, eb.msg);
        assert_string_equal(rel, REL);
        if (!n)
            continue;
        assert_string_equal(m[0].uuid, cases[i].uuid0);
        assert_string_equal(m[0].types, cases[i].types0);
        assert_string_equal(m[0].xaddrs, cases[i].xaddrs0);
        assert_int_equal(m[0].metadata_version, cases[i].mv0);
        assert_int_equal(m[0].from, 0);
        if (cases[i].uuid_last)
            assert_string_equal(m[n - 1].uuid, cases[i].uuid_last);
    }
}

static void test_metadata(void **state)
{
    struct soapc_device_info d;
    struct gw_errbuf eb = {{0}};
    (void)state;

    memset(&d, 0, sizeof(d));
    assert_int_equal(soapc_parse_metadata(md_hp, strlen(md_hp), &d, &eb), 0);
    assert_string_equal(d.uuid, "urn:uuid:4509a320-00a0-008f-00b6-002507510eeb");
    assert_string_equal(d.manufacturer, "HP");
    assert_string_equal(d.model, "HP LaserJet Pro M404dn");
    assert_string_equal(d.model_number, "W1A53A");
    assert_string_equal(d.serial, "PHBQB12345");
    assert_string_equal(d.firmware, "002.2310A");
    assert_string_equal(d.friendly_name, "Printer (HP LaserJet Pro M404dn)");
    assert_string_equal(d.presentation_url, "http://10.1.2.3/");
    assert_true(d.is_printer);
    /* the print service, not the scan service listed before it */
    assert_string_equal(d.print_url, "http://10.1.2.3:3911/print");
    assert_false(d.have_status);

    memset(&d, 0, sizeof(d));
    assert_int_equal(soapc_parse_metadata(md_scanner, strlen(md_scanner), &d, &eb), 0);
    assert_string_equal(d.manufacturer, "Acme");
    assert_string_equal(d.model, "Scan 1");
    assert_false(d.is_printer);
    assert_string_equal(d.print_url, "");

    memset(&d, 0, sizeof(d));
    assert_int_equal(soapc_parse_metadata(md_empty, strlen(md_empty), &d, &eb),
                     SOAPC_E_NO_METADATA);
    assert_non_null(strstr(eb.msg, "no ThisModel"));
}

static void test_metadata_truncates(void **state)
{
    (void)state;
    /* An over-long serial is cut to the field, NUL-terminated; control characters become
     * spaces. */
    char *x = malloc(16384);
    char serial[3000];
    memset(serial, 'S', sizeof(serial) - 1);
    serial[sizeof(serial) - 1] = '\0';
    serial[3] = '\t';
    snprintf(x, 16384,
             ENV12 "<soap:Body><wsx:Metadata><wsx:MetadataSection><wsdp:ThisDevice>"
                   "<wsdp:SerialNumber>%s</wsdp:SerialNumber></wsdp:ThisDevice>"
                   "</wsx:MetadataSection></wsx:Metadata>" END,
             serial);
    struct soapc_device_info d;
    struct gw_errbuf eb = {{0}};
    memset(&d, 0, sizeof(d));
    assert_int_equal(soapc_parse_metadata(x, strlen(x), &d, &eb), 0);
    assert_int_equal(strlen(d.serial), sizeof(d.serial) - 1);
    assert_memory_equal(d.serial, "SSS SSS", 7);
    free(x);
}

/* soap_new1() under its versioned name, wrapped at link time (tests/unit/soap/local.mk) so that
 * it can fail as it does when malloc() does. */
#define WRAP_NEW soap_versioning_ext(__wrap_soap_new, GSOAP_VERSION)
#define REAL_NEW soap_versioning_ext(__real_soap_new, GSOAP_VERSION)
struct soap *WRAP_NEW(soap_mode imode, soap_mode omode);
struct soap *REAL_NEW(soap_mode imode, soap_mode omode);
static bool new_fails;

struct soap *WRAP_NEW(soap_mode imode, soap_mode omode)
{
    return new_fails ? NULL : REAL_NEW(imode, omode);
}

static void test_ctx_new_oom_aborts(void **state)
{
    /* STYLE: out of memory aborts (systemd restarts us); a NULL context must not go on. */
    int st = 0;
    pid_t pid = fork();
    (void)state;

    assert_true(pid >= 0);
    if (pid == 0) {
        new_fails = true;
        (void)soapc__ctx_new();
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGABRT);
}

/* Valid UTF-8 as jansson (what --json and the API use) sees it. */
static bool json_ok(const char *s)
{
    json_t *j = json_string(s);
    json_decref(j);
    return j != NULL;
}

static void test_utf8_fields(void **state)
{
    /* A Japanese FriendlyName (3-byte characters) longer than the field: cut on a character
     * boundary, still valid UTF-8, a prefix of what was sent. Broken bytes (a stray
     * continuation byte, an overlong '/', a CESU surrogate, a Latin-1 e-acute) never reach a
     * field as such; a truncated address, types and XAddrs keep whole characters too. */
    static const char kanji[] = "\xe8\xa4\x87\xe5\x90\x88\xe6\xa9\x9f"; /* 複合機 */
    char name[1024] = "", *x = malloc(32768);
    struct soapc_device_info d;
    struct soapc_wsd_match m[1];
    struct gw_errbuf eb = {{0}};
    (void)state;

    for (int i = 0; i < 40; i++) /* 360 bytes, 120 characters */
        memcpy(name + i * (sizeof(kanji) - 1), kanji, sizeof(kanji));
    snprintf(x, 32768,
             ENV12 "<soap:Body><wsx:Metadata><wsx:MetadataSection><wsdp:ThisDevice>"
                   "<wsdp:FriendlyName>%s</wsdp:FriendlyName>"
                   "<wsdp:SerialNumber>A\x80"
                   "B\xc0\xaf"
                   "C\xed\xa0\x80"
                   "D\xe9</wsdp:SerialNumber>"
                   "</wsdp:ThisDevice></wsx:MetadataSection></wsx:Metadata>" END,
             name);
    memset(&d, 0, sizeof(d));
    assert_int_equal(soapc_parse_metadata(x, strlen(x), &d, &eb), 0);
    assert_true(json_ok(d.friendly_name));
    assert_int_equal(strlen(d.friendly_name), 126); /* 42 whole characters of 127 bytes */
    assert_memory_equal(d.friendly_name, name, 126);
    assert_true(json_ok(d.serial));
    /* gSOAP itself reads a stray byte as Latin-1 and decodes the overlong form; the encoded
     * surrogate it passes on, and that must not reach the field. */
    assert_non_null(strstr(d.serial, "C\xef\xbf\xbd"));
    assert_null(strstr(d.serial, "\xc0"));
    assert_null(strstr(d.serial, "\xed\xa0"));

    snprintf(x, 32768,
             ENV12 "<soap:Body><wsd:ProbeMatches><wsd:ProbeMatch><wsa:EndpointReference>"
                   "<wsa:Address>urn:%s</wsa:Address></wsa:EndpointReference>"
                   "<wsd:Types>x:%s</wsd:Types><wsd:XAddrs>http://h/%s</wsd:XAddrs>"
                   "</wsd:ProbeMatch></wsd:ProbeMatches>" END,
             name, name, name);
    assert_int_equal(soapc_parse_probe_matches(x, strlen(x), m, 1, &eb), 1);
    assert_true(json_ok(m[0].uuid));
    assert_true(json_ok(m[0].types));
    assert_true(json_ok(m[0].xaddrs));
    /* gSOAP writes the unknown prefix as "":, then 84 whole characters fill 255 bytes. */
    assert_int_equal(strlen(m[0].types), 255);
    assert_true((unsigned char)m[0].types[252] >= 0xe0);
    free(x);
}

static void test_printer_elements(void **state)
{
    struct soapc_device_info d;
    struct gw_errbuf eb = {{0}};
    (void)state;

    memset(&d, 0, sizeof(d));
    assert_int_equal(soapc_parse_printer_elements(gpe_jam, strlen(gpe_jam), &d, &eb), 0);
    assert_true(d.have_status);
    assert_string_equal(d.printer_state, "Stopped");
    assert_string_equal(d.state_reasons, "MediaJam MarkerSupplyLow");
    static const struct soapc_supply want[] = {
        {"CF259A", "Black", "TonerCartridge", 45},
        {"Imaging drum", "", "Drum", -1},
        {"Waste", "", "WasteToner", -1}, /* 101 is no percentage */
        {"Cyan", "Cyan", "TonerCartridge", 7},
    };
    assert_int_equal(d.nsupplies, NELEM(want));
    for (size_t i = 0; i < NELEM(want); i++) {
        assert_string_equal(d.supplies[i].name, want[i].name);
        assert_string_equal(d.supplies[i].color, want[i].color);
        assert_string_equal(d.supplies[i].type, want[i].type);
        assert_int_equal(d.supplies[i].level, want[i].level);
    }

    memset(&d, 0, sizeof(d));
    assert_int_equal(
        soapc_parse_printer_elements(gpe_idle_primary, strlen(gpe_idle_primary), &d, &eb), 0);
    assert_string_equal(d.printer_state, "Idle");
    assert_string_equal(d.state_reasons, "None");
    assert_int_equal(d.nsupplies, 0);

    memset(&d, 0, sizeof(d));
    assert_int_equal(soapc_parse_printer_elements(gpe_invalid, strlen(gpe_invalid), &d, &eb),
                     SOAPC_E_NO_ELEMENTS);
    assert_false(d.have_status);
}

static void test_supplies_bounded(void **state)
{
    (void)state;
    /* More consumables than SOAPC_MAX_SUPPLIES: the first ones are kept. */
    char *x = malloc(65536);
    size_t n = (size_t)snprintf(x, 65536, "%s",
                                ENV12 "<soap:Body><wprt:GetPrinterElementsResponse>"
                                      "<wprt:PrinterElements><wprt:ElementData Name=\"c\">"
                                      "<wprt:PrinterConfiguration><wprt:Consumables>");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(x + n, 65536 - n,
                              "<wprt:ConsumableEntry Name=\"s%d\"><wprt:Level>%d</wprt:Level>"
                              "</wprt:ConsumableEntry>",
                              i, i);
    snprintf(x + n, 65536 - n, "%s",
             "</wprt:Consumables></wprt:PrinterConfiguration></wprt:ElementData>"
             "</wprt:PrinterElements></wprt:GetPrinterElementsResponse>" END);
    struct soapc_device_info d;
    struct gw_errbuf eb = {{0}};
    memset(&d, 0, sizeof(d));
    assert_int_equal(soapc_parse_printer_elements(x, strlen(x), &d, &eb), 0);
    assert_int_equal(d.nsupplies, SOAPC_MAX_SUPPLIES);
    assert_string_equal(d.supplies[15].name, "s15");
    assert_int_equal(d.supplies[15].level, 15);
    free(x);
}

static void test_uuid_normalize(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
        bool is_uuid;
    } cases[] = {
        {"urn:uuid:ABCDEF01-2345-4789-8BCD-EF0123456789",
         "urn:uuid:abcdef01-2345-4789-8bcd-ef0123456789", true},
        {"URN:UUID:abcdef01-2345-4789-8bcd-ef0123456789",
         "urn:uuid:abcdef01-2345-4789-8bcd-ef0123456789", true},
        {" abcdef01-2345-4789-8bcd-ef0123456789 ", "urn:uuid:abcdef01-2345-4789-8bcd-ef0123456789",
         true},
        {"http://10.0.0.1/Device", "http://10.0.0.1/Device", false},
        {"", "", false},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        char buf[80];
        gw_strlcpy(buf, cases[i].in, sizeof(buf));
        assert_int_equal(soapc_uuid_normalize(buf, sizeof(buf)), cases[i].is_uuid);
        assert_string_equal(buf, cases[i].out);
    }
}

static void test_builders_round_trip(void **state)
{
    (void)state;
    struct soap *soap = soapc__ctx_new();
    struct soap *rx = soapc__ctx_new();
    const char *xml, *types;
    size_t len;
    char id[128];
    struct gw_errbuf eb = {{0}};

    /* Probe: what we send is what a device (fleetsim) parses. */
    assert_int_equal(soapc__probe_build(soap, REL, &xml, &len), 0);
    assert_non_null(strstr(xml, "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe"));
    assert_non_null(strstr(xml, "http://www.w3.org/2003/05/soap-envelope"));
    assert_int_equal(soapc__probe_parse(rx, xml, len, id, sizeof(id), &types, &eb), 0);
    assert_string_equal(id, REL);
    assert_null(types);
    soap_end(soap);
    soap_end(rx);

    /* ProbeMatches: RelatesTo, address, types and XAddrs survive the trip. */
    struct wsdd__ProbeMatchesType pm;
    soap_wsdd_init_ProbeMatches(soap, &pm);
    soap_wsdd_add_ProbeMatch(soap, &pm, "urn:uuid:12345678-1234-4234-8234-123456789abc",
                             "dpws:Device wprt:PrintDeviceType", NULL, NULL,
                             "http://127.0.0.9:5357/x", 4);
    assert_int_equal(soapc__probe_matches_build(soap, REL, &pm, &xml, &len), 0);
    struct soapc_wsd_match m[2];
    char rel[80];
    assert_int_equal(soapc__parse_probe_matches(xml, len, m, 2, rel, sizeof(rel), &eb), 1);
    assert_string_equal(rel, REL);
    assert_string_equal(m[0].uuid, "urn:uuid:12345678-1234-4234-8234-123456789abc");
    assert_string_equal(m[0].types, "dpws:Device wprt:PrintDeviceType");
    assert_string_equal(m[0].xaddrs, "http://127.0.0.9:5357/x");
    assert_int_equal(m[0].metadata_version, 4);
    soapc__ctx_free(soap);
    soapc__ctx_free(rx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_matches),      cmocka_unit_test(test_metadata),
        cmocka_unit_test(test_metadata_truncates), cmocka_unit_test(test_printer_elements),
        cmocka_unit_test(test_utf8_fields),        cmocka_unit_test(test_ctx_new_oom_aborts),
        cmocka_unit_test(test_supplies_bounded),   cmocka_unit_test(test_bad_common),
        cmocka_unit_test(test_wrong_message),      cmocka_unit_test(test_too_big),
        cmocka_unit_test(test_deep_nesting),       cmocka_unit_test(test_not_nul_terminated),
        cmocka_unit_test(test_uuid_normalize),     cmocka_unit_test(test_builders_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
