# SPDX-License-Identifier: Apache-2.0
# tests/integration/: pytest files, each one automake test run through run-pytest.
TESTS += tests/integration/test_10_probe.py tests/integration/test_11_recordings.py
EXTRA_DIST += tests/integration/test_10_probe.py tests/integration/test_11_recordings.py
