/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of the SOAP module (libsoapc.a): WS-Discovery 2005/04 Probe (multicast and
 * directed) on the gateway's libuv loop, and the device SOAP calls that follow a ProbeMatch:
 * WS-Transfer Get for the DPWS metadata (identity, hosted services) and, when the device hosts a
 * WS-Print service, GetPrinterElements for printer status and consumables.
 *
 * gSOAP is used only to build and parse XML in memory for the UDP side (the datagrams travel
 * through uv_udp), and for blocking HTTP calls on libuv's worker pool for the device calls. No
 * gSOAP type appears here: callers see plain C structs with bounded, copied strings.
 *
 * Context: every function is for the loop thread only, except the pure parsers
 * (soapc_parse_*), which any thread may call.
 */
#ifndef SOAPC_H
#define SOAPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "gateway/gw.h"

#define SOAPC_WSD_PORT     3702
#define SOAPC_WSD_MCAST    "239.255.255.250"
#define SOAPC_MAX_DATAGRAM 65507         /* largest UDP payload over IPv4 */
#define SOAPC_MAX_RESPONSE (1024 * 1024) /* bound on an HTTP SOAP response we parse */
#define SOAPC_MAX_SUPPLIES 16

/* One ProbeMatch. Strings are NUL-terminated and truncated to fit. */
struct soapc_wsd_match {
    char uuid[80];    /* endpoint reference address, normalized lower-case "urn:uuid:…" (other
                      * URIs are kept as received) */
    char types[256];  /* space-separated types as received (QNames with the sender's prefixes) */
    char xaddrs[512]; /* space-separated transport addresses (URLs) */
    uint32_t from;    /* IPv4 (host order) the datagram came from; 0 from the parsers */
    unsigned metadata_version;
};

/* One consumable. */
struct soapc_supply {
    char name[64];  /* Description / name as the device sends it */
    char color[24]; /* e.g. "Black", "Cyan"; "" when not sent */
    char type[32];  /* e.g. "Toner", "Ink", "Drum", "WasteToner" */
    int level;      /* percent 0..100, -1 unknown */
};

/* What the metadata and the print service say about a device. */
struct soapc_device_info {
    char uuid[80], manufacturer[64], model[64], serial[64], firmware[64], friendly_name[128],
        presentation_url[256];
    char model_number[64];
    bool is_printer;         /* a hosted service has a WS-Print type */
    char print_url[256];     /* EndpointReference/Address of that service */
    bool have_status;        /* GetPrinterElements answered with PrinterStatus */
    char printer_state[32];  /* "Idle", "Processing", "Stopped" */
    char state_reasons[128]; /* space-separated PrinterStateReasons, "" when none */
    int nsupplies;
    struct soapc_supply supplies[SOAPC_MAX_SUPPLIES];
};

/* ---------------------------------------------------------------------------------------------
 * WS-Discovery Probe
 */
struct soapc_probe;

/* Called on the loop for every ProbeMatch whose RelatesTo is one of the MessageIDs this probe
 * sent, and, for a directed Probe, that came from the address it was sent to (duplicates are
 * not removed: de-duplicate by uuid). m is borrowed for the call. */
typedef void (*soapc_match_cb)(void *arg, const struct soapc_wsd_match *m);
/* status 0 and info filled, or a negative code (-ETIMEDOUT, -ECONNREFUSED, SOAPC_E_*, GW_E_*)
 * and info holding what was learnt before the failure (may be all empty). */
typedef void (*soapc_info_cb)(void *arg, int status, const struct soapc_device_info *info);

struct soapc_probe_opts {
    uint16_t port;         /* destination port of Probes; 0 = 3702 */
    const char *bind_addr; /* local IPv4 address to bind (port is ephemeral); NULL = any */
    unsigned max_datagram; /* largest datagram accepted; 0 = SOAPC_MAX_DATAGRAM */
};

/* Opens a UDP socket on the loop for Probes and their replies.
 * [in] loop, [in] o (copied; may be NULL for defaults), [in] cb, arg (kept until closed).
 * [out] out: set only on success. A failure after the socket handle was made releases it
 * through the loop: run the loop before uv_loop_close().
 * Returns: 0, GW_E_INVAL (bad bind_addr), or a negative libuv/errno code. Loop thread only. */
int soapc_probe_new(uv_loop_t *loop, const struct soapc_probe_opts *o, soapc_match_cb cb, void *arg,
                    struct soapc_probe **out);
/* Sends one directed Probe to addr:port (addr in host order). The caller paces the sends.
 * Returns: 0, or a negative libuv code from the send. Loop thread only. */
int soapc_probe_unicast(struct soapc_probe *p, uint32_t addr);
/* Sends one Probe to 239.255.255.250:port, out of the interface with IPv4 address ifaddr
 * (NULL = default route), TTL 1.
 * Returns: 0, GW_E_INVAL (bad ifaddr), or a negative libuv code. Loop thread only. */
int soapc_probe_multicast(struct soapc_probe *p, const char *ifaddr);
/* Number of MessageIDs remembered for matching (oldest are forgotten past a bound). */
size_t soapc_probe_pending(const struct soapc_probe *p);
/* Closes the socket; closed(arg) runs on the loop once the memory is released (may be NULL).
 * No match callback runs after this call. Loop thread only. */
void soapc_probe_close(struct soapc_probe *p, void (*closed)(void *arg), void *arg);

/* ---------------------------------------------------------------------------------------------
 * Device metadata and print service
 */
/* Fetches metadata (WS-Transfer Get on the first usable http:// XAddr, see soapc_xaddr_pick())
 * and, when the device hosts a print service at an http:// address on the same IPv4 address,
 * GetPrinterElements (PrinterStatus, consumables). Runs blocking gSOAP with timeouts on libuv's
 * worker pool; cb runs on the loop exactly once if this returns 0, never if it returns < 0.
 * [in] m is copied. timeout_ms (0 = 5000, at most 600000) bounds each connect, send and
 * receive, and twice that bounds each of the two HTTP exchanges from connect to last byte, so
 * a job holds its worker thread at most 4 * timeout_ms (a slow-dripping peer included).
 * Returns: 0, SOAPC_E_NO_XADDR (no usable XAddr in m). Loop thread only. */
int soapc_info_get(uv_loop_t *loop, const struct soapc_wsd_match *m, unsigned timeout_ms,
                   soapc_info_cb cb, void *arg);

/* Picks the address soapc_info_get() uses: the first XAddr of m that is an http:// URL whose
 * host is the literal IPv4 address the match came from (m->from), as "http://A.B.C.D:PORT/path".
 * Host names (no resolver runs), other hosts (also other services on loopback), user info,
 * https:// and IPv6 are refused, so a forged ProbeMatch cannot steer the gateway's requests.
 * [in] m, [out] url (size bytes, set only on success), [out] eb says why each XAddr was refused
 * (may be NULL).
 * Returns: 0, or SOAPC_E_NO_XADDR. Any thread. */
int soapc_xaddr_pick(const struct soapc_wsd_match *m, char *url, size_t size, struct gw_errbuf *eb);

/* ---------------------------------------------------------------------------------------------
 * Pure parsers (no I/O), used by the above and by the fuzz target. Input need not be
 * NUL-terminated; inputs larger than SOAPC_MAX_RESPONSE are refused with GW_E_TOOBIG.
 * Any thread.
 */
/* Parses a SOAP envelope holding ProbeMatches; writes at most max matches to out.
 * Returns: the number of matches (>= 0), or GW_E_PARSE / GW_E_TOOBIG / SOAPC_E_FAULT /
 * SOAPC_E_NOT_WSD with eb naming the problem. */
int soapc_parse_probe_matches(const char *xml, size_t len, struct soapc_wsd_match *out, int max,
                              struct gw_errbuf *eb);
/* Parses a WS-Transfer GetResponse holding DPWS metadata into out (identity, print service).
 * Fields not present are left as they were (call with a zeroed out).
 * Returns: 0, or GW_E_PARSE / GW_E_TOOBIG / SOAPC_E_FAULT / SOAPC_E_NO_METADATA. */
int soapc_parse_metadata(const char *xml, size_t len, struct soapc_device_info *out,
                         struct gw_errbuf *eb);
/* Parses a WS-Print GetPrinterElementsResponse into out (state, reasons, supplies).
 * Returns: 0, or GW_E_PARSE / GW_E_TOOBIG / SOAPC_E_FAULT / SOAPC_E_NO_ELEMENTS. */
int soapc_parse_printer_elements(const char *xml, size_t len, struct soapc_device_info *out,
                                 struct gw_errbuf *eb);

/* Decodes what a device said over DPWS metadata and WS-Print into m (which the caller has
 * gw_model_init()ed), the twin of snmpc_model_decode(): identity (serial placeholders dropped,
 * maker and model normalized), PrinterState as hrPrinterStatus/hrDeviceStatus, reasons as
 * condition bits and Printer-MIB alerts, consumables as supplies (levels in percent, unknown as
 * -2). What m already holds wins: identity fields fill only empty ones, and the state and the
 * supplies are taken only when m has none, so an SNMP reading keeps its own. Never fails.
 * [in] in, [in,out] m. Any thread. */
void soapc_model_decode(const struct soapc_device_info *in, struct gw_model *m);

/* Normalizes an endpoint reference address in place: "urn:uuid:" prefix and hex digits
 * lower-cased; a bare UUID gets the prefix. Returns: true if it is a urn:uuid. */
bool soapc_uuid_normalize(char *s, size_t size);

#endif
