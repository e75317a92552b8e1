# SPDX-License-Identifier: Apache-2.0

check_PROGRAMS += tests/unit/gateway/test_sched
TESTS += tests/unit/gateway/test_sched
tests_unit_gateway_test_sched_SOURCES = tests/unit/gateway/test_sched.c
tests_unit_gateway_test_sched_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_gateway_test_sched_LDADD = gateway/libgw.a $(CMOCKA_LIBS) $(GW_LIBS)
