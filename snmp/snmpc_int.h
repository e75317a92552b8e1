/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Declarations shared between the SNMP module's own files; not for other modules.
 */
#ifndef SNMPC_INT_H
#define SNMPC_INT_H

#include "snmp/snmpc.h"

/* --- decoding and catalogue (vbset.c, catalogue.c, decode.c) --- */

/* --- sessions and polls (session.c, poll.c) --- */

#endif
