# SPDX-License-Identifier: Apache-2.0
# Unit tests of soap/: one binary per source file. They include soap/soapc_int.h (gSOAP's
# generated declarations), so they are compiled with SOAP_GEN_CPPFLAGS like the module.
SOAP_UNIT_CPPFLAGS = $(UNIT_CPPFLAGS) $(SOAP_GEN_CPPFLAGS)
SOAP_UNIT_LDADD = $(SOAP_LIBS) $(UNIT_LDADD)

check_PROGRAMS += tests/unit/soap/test_parse
TESTS += tests/unit/soap/test_parse
tests_unit_soap_test_parse_SOURCES = tests/unit/soap/test_parse.c
tests_unit_soap_test_parse_CPPFLAGS = $(SOAP_UNIT_CPPFLAGS)
tests_unit_soap_test_parse_LDADD = $(SOAP_UNIT_LDADD)
# soap_new1() is soap_new_REQUIRE_lib_v<GSOAP_VERSION>: wrapped so the OOM path can be tested
# (a different gSOAP fails this link, on purpose).
tests_unit_soap_test_parse_LDFLAGS = $(AM_LDFLAGS) -Wl,--wrap=soap_new_REQUIRE_lib_v208124

check_PROGRAMS += tests/unit/soap/test_probe
TESTS += tests/unit/soap/test_probe
tests_unit_soap_test_probe_SOURCES = tests/unit/soap/test_probe.c
tests_unit_soap_test_probe_CPPFLAGS = $(SOAP_UNIT_CPPFLAGS)
tests_unit_soap_test_probe_LDADD = $(SOAP_UNIT_LDADD)
$(tests_unit_soap_test_parse_OBJECTS) $(tests_unit_soap_test_probe_OBJECTS): soap/gen/stamp

# soapc_model_decode(): pure, links without gSOAP.
check_PROGRAMS += tests/unit/soap/test_model
TESTS += tests/unit/soap/test_model
tests_unit_soap_test_model_SOURCES = tests/unit/soap/test_model.c
tests_unit_soap_test_model_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_soap_test_model_LDADD = soap/libsoapc.a $(UNIT_LDADD)
