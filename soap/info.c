/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Placeholder while the module is being written.
 */
#include "soap/soapc_int.h"
