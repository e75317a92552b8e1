# SPDX-License-Identifier: Apache-2.0
# Unit tests of uplink/ (cmocka).
check_PROGRAMS += tests/unit/uplink/test_anon
TESTS += tests/unit/uplink/test_anon
tests_unit_uplink_test_anon_SOURCES = tests/unit/uplink/test_anon.c tests/unit/uplink/uptest.h
tests_unit_uplink_test_anon_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_uplink_test_anon_LDADD = uplink/libup.a $(UNIT_LDADD) $(UP_LIBS)

check_PROGRAMS += tests/unit/uplink/test_queue
TESTS += tests/unit/uplink/test_queue
tests_unit_uplink_test_queue_SOURCES = tests/unit/uplink/test_queue.c tests/unit/uplink/uptest.h
tests_unit_uplink_test_queue_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_uplink_test_queue_LDADD = uplink/libup.a $(UNIT_LDADD) $(UP_LIBS)

check_PROGRAMS += tests/unit/uplink/test_parse
TESTS += tests/unit/uplink/test_parse
tests_unit_uplink_test_parse_SOURCES = tests/unit/uplink/test_parse.c
tests_unit_uplink_test_parse_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_uplink_test_parse_LDADD = uplink/libup.a $(UNIT_LDADD) $(UP_LIBS)

check_PROGRAMS += tests/unit/uplink/test_relay
TESTS += tests/unit/uplink/test_relay
tests_unit_uplink_test_relay_SOURCES = tests/unit/uplink/test_relay.c tests/unit/uplink/uptest.h
tests_unit_uplink_test_relay_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_uplink_test_relay_LDADD = uplink/libup.a $(UNIT_LDADD) $(UP_LIBS)

check_PROGRAMS += tests/unit/uplink/test_up
TESTS += tests/unit/uplink/test_up
tests_unit_uplink_test_up_SOURCES = tests/unit/uplink/test_up.c tests/unit/uplink/uptest.h
tests_unit_uplink_test_up_CPPFLAGS = $(tests_unit_uplink_test_relay_CPPFLAGS)
tests_unit_uplink_test_up_LDADD = uplink/libup.a $(UNIT_LDADD) $(UP_LIBS)
