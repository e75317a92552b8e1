/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Placeholder while the module is being written.
 */
#include "soap/soapc_int.h"

int soapc_parse_probe_matches(const char *xml, size_t len, struct soapc_wsd_match *out, int max,
                              struct gw_errbuf *eb)
{
    return gw_errbuf_set(eb, GW_E_INTERNAL, "not implemented yet");
}

int soapc_parse_metadata(const char *xml, size_t len, struct soapc_device_info *out,
                         struct gw_errbuf *eb)
{
    return gw_errbuf_set(eb, GW_E_INTERNAL, "not implemented yet");
}

int soapc_parse_printer_elements(const char *xml, size_t len, struct soapc_device_info *out,
                                 struct gw_errbuf *eb)
{
    return gw_errbuf_set(eb, GW_E_INTERNAL, "not implemented yet");
}
