#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Source rules that a compiler does not check (STYLE.md §9):
#  - banned functions: strcpy strcat sprintf vsprintf gets strtok atoi atol;
#  - a module includes another module only through its public header;
#  - dependencies point one way: snmp, soap -> gateway; discovery -> snmp, soap, gateway;
#    uplink, webui -> gateway; the polling library (gateway/poll/) -> snmp, soap, gateway.
#    Only the fleetgw program (gateway/app/) may include every module and the polling
#    library, and nothing includes the program;
#  - no file circle (tools/filecircles.sh on the objects of build/).
#  - SQL belongs to the module that owns the table: no string literal names another module's
#    table after FROM, JOIN, INTO or UPDATE (tools/check-sql-owner.pl).
cd "$(dirname "$0")/.." || exit 1
status=0
srcs=$(git ls-files 'gateway/*.[ch]' 'gateway/app/*.[ch]' 'snmp/*.[ch]' 'soap/*.[ch]' 'discovery/*.[ch]' \
    'uplink/*.[ch]' 'webui/*.[ch]')

banned=$(grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol)[[:space:]]*\(' $srcs |
    grep -v 'checksrc: allow')
if [ -n "$banned" ]; then
    echo "banned functions:"
    echo "$banned"
    status=1
fi

public_header() {
    case $1 in
    gateway) echo gw.h ;; snmp) echo snmpc.h ;; soap) echo soapc.h ;; discovery) echo disc.h ;;
    uplink) echo up.h ;; webui) echo ui.h ;; poll) echo poll/gw_poll.h ;;
    esac
}
is_public() { # module, header file: its public header, or for the gateway one of the themed
    # headers under the umbrella gw.h (gw_<theme>.h; gw_int.h stays private)
    [ "$2" = "$(public_header "$1")" ] && return 0
    [ "$1" = gateway ] && [ "$2" != gw_int.h ] && case $2 in gw_*.h) return 0 ;; esac
    return 1
}
allowed() { # module that includes, module included
    case "$1:$2" in
    snmp:gateway | soap:gateway | discovery:gateway | discovery:snmp | discovery:soap | \
        uplink:gateway | webui:gateway | poll:gateway | poll:snmp | poll:soap) return 0 ;;
    esac
    return 1
}
for f in $srcs; do
    mod=${f%%/*}
    case "$f" in gateway/app/*) mod=app ;; gateway/poll/*) mod=poll ;; esac
    grep -oE '#include "[a-z]+/[a-z_/]+\.h"' "$f" | sed 's/#include "//; s/"//' | while read -r inc; do
        imod=${inc%%/*}
        case "$inc" in gateway/app/*) imod=app ;; gateway/poll/*) imod=poll ;; esac
        if [ "$imod" = app ] && [ "$mod" != app ]; then
            echo "$f: includes the program's header $inc (nothing below the program may)"
            exit 1
        fi
        [ "$imod" = "$mod" ] && continue
        if ! is_public "$imod" "${inc#*/}"; then
            echo "$f: includes private header $inc"
            exit 1
        fi
        [ "$mod" = app ] && continue
        if ! allowed "$mod" "$imod"; then
            echo "$f: $mod must not depend on $imod"
            exit 1
        fi
    done || status=1
done
# File circles, from the objects of a build (quickstart builds before it runs this): any circle
# fails (tools/filecircles.sh).
circles_build=${FLEETGW_BUILDDIR:-build}
if [ -d "$circles_build/gateway" ]; then
    tools/filecircles.sh --strict "$circles_build" || status=1
else
    echo "checksrc: no build in $circles_build, file circles not checked"
fi
# shellcheck disable=SC2086 # srcs is a list of paths without blanks (git ls-files above)
if ! perl tools/check-sql-owner.pl $srcs; then
    echo "SQL on another module's tables: add a function to the module that owns them"
    status=1
fi
[ $status -eq 0 ] && echo "checksrc: ok"
exit $status
