# SPDX-License-Identifier: Apache-2.0
# Unit tests of snmp/: one binary per source file. The decoder and vbset tests read the shared
# snmpsim recordings from $FLEETGW_SHARED/testdata/snmprec and skip that part when absent.
check_PROGRAMS += tests/unit/snmp/test_vbset
TESTS += tests/unit/snmp/test_vbset
tests_unit_snmp_test_vbset_SOURCES = tests/unit/snmp/test_vbset.c
tests_unit_snmp_test_vbset_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_snmp_test_vbset_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/snmp/test_catalogue
TESTS += tests/unit/snmp/test_catalogue
tests_unit_snmp_test_catalogue_SOURCES = tests/unit/snmp/test_catalogue.c
tests_unit_snmp_test_catalogue_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_snmp_test_catalogue_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/snmp/test_decode
TESTS += tests/unit/snmp/test_decode
tests_unit_snmp_test_decode_SOURCES = tests/unit/snmp/test_decode.c
tests_unit_snmp_test_decode_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_snmp_test_decode_LDADD = $(UNIT_LDADD)

# The corpus of published printer tables and recordings (tests/data), decoded in process.
check_PROGRAMS += tests/unit/snmp/test_corpus
TESTS += tests/unit/snmp/test_corpus
tests_unit_snmp_test_corpus_SOURCES = tests/unit/snmp/test_corpus.c
tests_unit_snmp_test_corpus_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_snmp_test_corpus_LDADD = $(UNIT_LDADD)
