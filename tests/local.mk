# SPDX-License-Identifier: Apache-2.0
# tests/: cmocka unit tests (one binary per source file), pytest integration tests against real
# peers on loopback, libFuzzer targets. All run by `make check` except the fuzzers.
TEST_EXTENSIONS = .py
PY_LOG_COMPILER = $(top_srcdir)/tests/integration/run-pytest
AM_TESTS_ENVIRONMENT = \
	FLEETGW='$(abs_top_builddir)/fleetgw'; export FLEETGW; \
	FLEETGW_DATADIR='$(abs_top_srcdir)/snmp'; export FLEETGW_DATADIR; \
	FLEETGW_SRCDIR='$(abs_top_srcdir)'; export FLEETGW_SRCDIR; \
	FLEETGW_BUILDDIR='$(abs_top_builddir)'; export FLEETGW_BUILDDIR; \
	: $${FLEETGW_SHARED:='$(abs_top_srcdir)/../shared'}; export FLEETGW_SHARED;

UNIT_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS) $(UV_CFLAGS) $(NETSNMP_CFLAGS) $(SQLITE_CFLAGS) \
	$(OPENSSL_CFLAGS) $(JANSSON_CFLAGS) $(INIH_CFLAGS) $(SYSTEMD_CFLAGS)
UNIT_LDADD = tests/harness/libtgw.a snmp/libsnmpc.a gateway/libgw.a $(CMOCKA_LIBS) $(NETSNMP_LIBS) \
	$(GW_LIBS)

# The gateway unit tests' state directory and SQL assertions (t_gw.h), linked where used.
check_LIBRARIES = tests/harness/libtgw.a
tests_harness_libtgw_a_SOURCES = tests/harness/t_gw.c tests/harness/t_gw.h
tests_harness_libtgw_a_CPPFLAGS = $(UNIT_CPPFLAGS)

include tests/unit/gateway/local.mk
include tests/unit/snmp/local.mk
include tests/unit/discovery/local.mk
include tests/unit/soap/local.mk
include tests/unit/poll/local.mk
include tests/unit/uplink/local.mk
include tests/unit/webui/local.mk
include tests/unit/app/local.mk
include tests/integration/local.mk
include tests/fuzz/local.mk
include tests/fleetsim/local.mk

EXTRA_DIST += tests/integration/run-pytest tests/integration/conftest.py tests/harness

# Source rules of tools/checksrc.sh that need a test of their own.
TESTS += tests/tools/test_sql_owner.sh
EXTRA_DIST += tests/tools/test_sql_owner.sh
