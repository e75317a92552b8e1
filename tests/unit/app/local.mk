# SPDX-License-Identifier: Apache-2.0
# Unit tests of the fleetgw program (gateway/app/): the merged operation table.
check_PROGRAMS += tests/unit/app/test_ops
TESTS += tests/unit/app/test_ops
tests_unit_app_test_ops_SOURCES = tests/unit/app/test_ops.c gateway/app/ops.c gateway/app/poller.c
tests_unit_app_test_ops_CPPFLAGS = $(fleetgw_CPPFLAGS) $(UNIT_CPPFLAGS)
tests_unit_app_test_ops_LDADD = webui/libui.a uplink/libup.a discovery/libdisc.a $(SOAP_LIBS) \
	snmp/libsnmpc.a gateway/libgw.a $(CMOCKA_LIBS) $(NETSNMP_LIBS) $(UI_LIBS) $(UP_LIBS) \
	$(GW_LIBS)
