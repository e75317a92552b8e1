# SPDX-License-Identifier: Apache-2.0
# Unit tests of the program's own files (gateway/app/) that stand alone: app.c, the start-up code,
# links against the libraries it opens and nothing else of the program.
check_PROGRAMS += tests/unit/app/test_app
TESTS += tests/unit/app/test_app
tests_unit_app_test_app_SOURCES = tests/unit/app/test_app.c gateway/app/app.c
tests_unit_app_test_app_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_app_test_app_LDADD = $(UNIT_LDADD)

# The merged operation table of the fleetgw program.
check_PROGRAMS += tests/unit/app/test_ops
TESTS += tests/unit/app/test_ops
tests_unit_app_test_ops_SOURCES = tests/unit/app/test_ops.c gateway/app/ops.c gateway/app/app.c gateway/app/poller.c
tests_unit_app_test_ops_CPPFLAGS = $(fleetgw_CPPFLAGS) $(UNIT_CPPFLAGS)
tests_unit_app_test_ops_LDADD = gateway/poll/libgwpoll.a webui/libui.a uplink/libup.a discovery/libdisc.a $(SOAP_LIBS) \
	tests/harness/libtgw.a snmp/libsnmpc.a gateway/libgw.a $(CMOCKA_LIBS) $(NETSNMP_LIBS) $(UI_LIBS) \
	$(UP_LIBS) $(GW_LIBS)
