# SPDX-License-Identifier: Apache-2.0
# tests/fleetsim/: the fleet simulator (many SNMP printers from one process on loopback), its
# load generator, its libFuzzer target, and its integration test. See tests/fleetsim/README.md.
# wsd.c serves the SOAP operations generated from soap/wsd.gsoap: every file is compiled with
# gSOAP's flags (SOAP_GEN_CPPFLAGS) and linked with the soap module.
FLEETSIM_CPPFLAGS = $(AM_CPPFLAGS) $(UV_CFLAGS) $(OPENSSL_CFLAGS) $(JANSSON_CFLAGS) \
	$(SOAP_GEN_CPPFLAGS)
FLEETSIM_BASE_LDADD = snmp/libsnmpc.a gateway/libgw.a $(NETSNMP_LIBS) $(GW_LIBS) -lm
FLEETSIM_LDADD = $(SOAP_LIBS) $(FLEETSIM_BASE_LDADD)
FLEETSIM_CORE = tests/fleetsim/fleetsim.h tests/fleetsim/ber.c tests/fleetsim/usm.c \
	tests/fleetsim/profile.c tests/fleetsim/device.c tests/fleetsim/sim.c tests/fleetsim/ctl.c \
	tests/fleetsim/wsd.c

noinst_PROGRAMS += tests/fleetsim/fleetsim
tests_fleetsim_fleetsim_SOURCES = $(FLEETSIM_CORE) tests/fleetsim/main.c
tests_fleetsim_fleetsim_CPPFLAGS = $(FLEETSIM_CPPFLAGS) \
	-DFLEETSIM_CATALOGUE=\"$(abs_top_srcdir)/snmp/counters.catalogue\"
tests_fleetsim_fleetsim_LDADD = $(FLEETSIM_LDADD)
$(tests_fleetsim_fleetsim_OBJECTS): soap/gen/stamp

# SNMPv3 load generator for bench/fleetsim/run.py (and one integration test).
noinst_PROGRAMS += tests/fleetsim/fleetsim-load
tests_fleetsim_fleetsim_load_SOURCES = tests/fleetsim/fleetsim.h tests/fleetsim/ber.c \
	tests/fleetsim/usm.c tests/fleetsim/fleetsim-load.c
tests_fleetsim_fleetsim_load_CPPFLAGS = $(FLEETSIM_CPPFLAGS)
tests_fleetsim_fleetsim_load_LDADD = $(FLEETSIM_BASE_LDADD)
EXTRA_DIST += bench/fleetsim/run.py

# libFuzzer target for the packet path (./configure CC=clang --enable-fuzz); see README.md.
if ENABLE_FUZZ
noinst_PROGRAMS += tests/fleetsim/fuzz_packet
tests_fleetsim_fuzz_packet_SOURCES = $(FLEETSIM_CORE) tests/fleetsim/fuzz_packet.c
tests_fleetsim_fuzz_packet_CPPFLAGS = $(FLEETSIM_CPPFLAGS)
tests_fleetsim_fuzz_packet_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fleetsim_fuzz_packet_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fleetsim_fuzz_packet_LDADD = $(FLEETSIM_LDADD)
$(tests_fleetsim_fuzz_packet_OBJECTS): soap/gen/stamp
endif
EXTRA_DIST += tests/fleetsim/fuzz_packet.c tests/fleetsim/fuzz-corpus
EXTRA_DIST += tests/fleetsim/README.md

TESTS += tests/integration/test_30_fleetsim.py
EXTRA_DIST += tests/integration/test_30_fleetsim.py
