# SPDX-License-Identifier: Apache-2.0
# Unit tests of webui/ (cmocka).
check_PROGRAMS += tests/unit/webui/test_auth
TESTS += tests/unit/webui/test_auth
tests_unit_webui_test_auth_SOURCES = tests/unit/webui/test_auth.c
tests_unit_webui_test_auth_CPPFLAGS = $(UNIT_CPPFLAGS) $(LWS_CFLAGS) $(ARGON2_CFLAGS)
tests_unit_webui_test_auth_LDADD = webui/libui.a $(UNIT_LDADD) $(UI_LIBS)
