/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The WSD devices fake_soapc.c answers for, and what it saw. See fake_soapc.c.
 */
#ifndef T_FAKE_SOAPC_H
#define T_FAKE_SOAPC_H

#include "soap/soapc.h"

#define T_WSD_MAX_SENT 4096

struct t_wsd_dev {
    uint32_t addr; /* host order */
    const char *uuid;
    const char *serial;
    bool printer;
    int info_status;     /* what soapc_info_get reports; 0 = metadata */
    bool multicast_only; /* answers only the multicast Probe */
};

struct fake_wsd {
    /* set by the test */
    const struct t_wsd_dev *devs;
    size_t ndevs;
    unsigned match_delay_ms;
    unsigned info_ms;
    bool fail_new;
    bool duplicate_matches;
    /* seen */
    unsigned opened, closed;
    uint16_t port;
    char bind_addr[64], mcast_if[64];
    size_t nunicast, nmulticast;
    uint64_t unicast_ms[T_WSD_MAX_SENT];
    unsigned info_calls, info_active, info_peak;
};

extern struct fake_wsd t_fake_wsd;

#endif
