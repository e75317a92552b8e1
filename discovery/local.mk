# SPDX-License-Identifier: Apache-2.0
# discovery/: libdisc.a (target syntax, SNMP sweep, identity merge).
noinst_LIBRARIES += discovery/libdisc.a
discovery_libdisc_a_CPPFLAGS = $(AM_CPPFLAGS) $(UV_CFLAGS) $(NETSNMP_CFLAGS) $(SQLITE_CFLAGS) \
	$(JANSSON_CFLAGS)
discovery_libdisc_a_SOURCES = discovery/disc.h discovery/disc_int.h \
	discovery/targets.c discovery/sweep.c discovery/merge.c discovery/run.c
EXTRA_DIST += discovery/README.md
