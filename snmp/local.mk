# SPDX-License-Identifier: Apache-2.0
# snmp/: libsnmpc.a and the counter catalogue data file.
noinst_LIBRARIES += snmp/libsnmpc.a
snmp_libsnmpc_a_CPPFLAGS = $(AM_CPPFLAGS) $(UV_CFLAGS) $(NETSNMP_CFLAGS) $(JANSSON_CFLAGS)
snmp_libsnmpc_a_SOURCES = snmp/snmpc.h snmp/snmpc_int.h \
	snmp/vbset.c snmp/prtnames.c snmp/catalogue.c snmp/descr.c snmp/decode.c snmp/session.c snmp/poll.c
dist_pkgdata_DATA += snmp/counters.catalogue
EXTRA_DIST += snmp/README.md
