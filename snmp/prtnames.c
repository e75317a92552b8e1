/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Names of the Printer-MIB (RFC 3805) and IANA-PRINTER-MIB textual conventions that the
 * gateway reports as text: supply types, input types, media and capacity units. A leaf of the
 * module: decode.c names what an agent sent, catalogue.c checks the supply type of a
 * "supplies" line, and neither has to call the other for it.
 */
#include "config.h"

#include <string.h>

#include "snmp/snmpc_int.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *snmpc__supply_type_name(long type)
{
    /* RFC 3805 PrtMarkerSuppliesTypeTC, 1..34. */
    static const char *const names[] = {
        NULL,
        "other",
        "unknown",
        "toner",
        "wasteToner",
        "ink",
        "inkCartridge",
        "inkRibbon",
        "wasteInk",
        "opc",
        "developer",
        "fuserOil",
        "solidWax",
        "ribbonWax",
        "wasteWax",
        "fuser",
        "coronaWire",
        "fuserOilWick",
        "cleanerUnit",
        "fuserCleaningPad",
        "transferUnit",
        "tonerCartridge",
        "fuserOiler",
        "water",
        "wasteWater",
        "glueWaterAdditive",
        "wastePaper",
        "bindingSupply",
        "bandingSupply",
        "stitchingWire",
        "shrinkWrap",
        "paperWrap",
        "staples",
        "inserts",
        "covers",
    };
    if (type >= 1 && type < (long)NELEM(names))
        return names[type];
    return "other";
}

long snmpc__supply_type_code(const char *name)
{
    for (long t = 1; name && t <= 34; t++)
        if (strcmp(snmpc__supply_type_name(t), name) == 0)
            return t;
    return 0;
}

/* RFC 3805 textual conventions of prtInputTable (IANA-PRINTER-MIB PrtInputTypeTC, Printer-MIB
 * PrtMediaUnitTC and PrtCapacityUnitTC). A value outside them reads as "other". */
const char *snmpc__input_type_name(long v)
{
    static const char *const names[] = {NULL,
                                        "other",
                                        "unknown",
                                        "sheetFeedAutoRemovableTray",
                                        "sheetFeedAutoNonRemovableTray",
                                        "sheetFeedManual",
                                        "continuousRoll",
                                        "continuousFanFold"};
    return v >= 1 && v < (long)NELEM(names) ? names[v] : "other";
}

const char *snmpc__media_unit_name(long v)
{
    return v == 3 ? "tenThousandthsOfInches" : v == 4 ? "micrometers" : "other";
}

const char *snmpc__capacity_unit_name(long v)
{
    switch (v) {
    case 1:
        return "other";
    case 2:
        return "unknown";
    case 3:
        return "tenThousandthsOfInches";
    case 4:
        return "micrometers";
    case 8:
        return "sheets";
    case 16:
        return "feet";
    case 17:
        return "meters";
    case 18:
        return "items";
    case 19:
        return "percent";
    default:
        return "other";
    }
}
