# SPDX-License-Identifier: Apache-2.0
# Unit tests of discovery/: one binary per source file.
check_PROGRAMS += tests/unit/discovery/test_targets
TESTS += tests/unit/discovery/test_targets
tests_unit_discovery_test_targets_SOURCES = tests/unit/discovery/test_targets.c
tests_unit_discovery_test_targets_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_discovery_test_targets_LDADD = discovery/libdisc.a $(UNIT_LDADD)

check_PROGRAMS += tests/unit/discovery/test_merge
TESTS += tests/unit/discovery/test_merge
tests_unit_discovery_test_merge_SOURCES = tests/unit/discovery/test_merge.c
tests_unit_discovery_test_merge_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_discovery_test_merge_LDADD = discovery/libdisc.a $(UNIT_LDADD)

check_PROGRAMS += tests/unit/discovery/test_run
TESTS += tests/unit/discovery/test_run
tests_unit_discovery_test_run_SOURCES = tests/unit/discovery/test_run.c \
	tests/unit/discovery/fake_soapc.c tests/unit/discovery/fake_soapc.h
tests_unit_discovery_test_run_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_discovery_test_run_LDADD = discovery/libdisc.a soap/libsoapc.a $(UNIT_LDADD)

# The sweep's WS-Discovery state machine against a stand-in for soap/ (fake_soapc.c).
check_PROGRAMS += tests/unit/discovery/test_sweep
TESTS += tests/unit/discovery/test_sweep
tests_unit_discovery_test_sweep_SOURCES = tests/unit/discovery/test_sweep.c \
	tests/unit/discovery/fake_soapc.c tests/unit/discovery/fake_soapc.h
tests_unit_discovery_test_sweep_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_discovery_test_sweep_LDADD = discovery/libdisc.a soap/libsoapc.a $(UNIT_LDADD)
