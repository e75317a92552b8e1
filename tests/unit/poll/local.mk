# SPDX-License-Identifier: Apache-2.0
# Unit tests of the polling library (gateway/poll/): the scheduler with a fake clock and fake
# drivers, no loop and no network.
check_PROGRAMS += tests/unit/poll/test_sched
TESTS += tests/unit/poll/test_sched
tests_unit_poll_test_sched_SOURCES = tests/unit/poll/test_sched.c
tests_unit_poll_test_sched_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_poll_test_sched_LDADD = gateway/poll/libgwpoll.a $(UNIT_LDADD)
