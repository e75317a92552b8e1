# SPDX-License-Identifier: Apache-2.0
# tests/integration/: pytest files, each one automake test run through run-pytest.
TESTS += tests/integration/test_10_probe.py tests/integration/test_11_recordings.py \
	tests/integration/test_12_corpus.py
EXTRA_DIST += tests/integration/test_10_probe.py tests/integration/test_11_recordings.py \
	tests/integration/test_12_corpus.py tests/data/snmprec tests/data/corpus-tables

# t_snmpc drives snmpc sessions directly (many at once, repeat, deadline, cancel) for the tests.
check_PROGRAMS += tests/harness/t_snmpc
tests_harness_t_snmpc_SOURCES = tests/harness/t_snmpc.c
tests_harness_t_snmpc_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_harness_t_snmpc_LDADD = $(UNIT_LDADD)

TESTS += tests/integration/test_20_daemon.py
TESTS += tests/integration/test_21_cli.py
EXTRA_DIST += tests/integration/test_20_daemon.py
EXTRA_DIST += tests/integration/test_21_cli.py
TESTS += tests/integration/test_31_schedule.py
EXTRA_DIST += tests/integration/test_31_schedule.py

TESTS += tests/integration/test_40_webui_api.py
EXTRA_DIST += tests/integration/test_40_webui_api.py
TESTS += tests/integration/test_41_webui_browser.py
EXTRA_DIST += tests/integration/test_41_webui_browser.py tests/integration/browser/package.json \
	tests/integration/browser/package-lock.json tests/integration/browser/webui.mjs

TESTS += tests/integration/test_50_uplink.py tests/integration/test_51_uplink_events.py
EXTRA_DIST += tests/integration/test_50_uplink.py tests/integration/test_51_uplink_events.py \
	tests/cloud

TESTS += tests/integration/test_60_discovery.py
EXTRA_DIST += tests/integration/test_60_discovery.py

TESTS += tests/integration/test_61_wsd.py
EXTRA_DIST += tests/integration/test_61_wsd.py

TESTS += tests/integration/test_62_discovery_wsd.py
EXTRA_DIST += tests/integration/test_62_discovery_wsd.py

TESTS += tests/integration/test_63_wsd_poll.py
EXTRA_DIST += tests/integration/test_63_wsd_poll.py
