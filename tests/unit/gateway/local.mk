# SPDX-License-Identifier: Apache-2.0
# Store, configuration, vault and audit log (gateway/cfg.c db.c store.c vault.c audit.c).
check_PROGRAMS += tests/unit/gateway/test_cfg
TESTS += tests/unit/gateway/test_cfg
tests_unit_gateway_test_cfg_SOURCES = tests/unit/gateway/test_cfg.c
tests_unit_gateway_test_cfg_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_gateway_test_cfg_LDADD = $(UNIT_LDADD)
check_PROGRAMS += tests/unit/gateway/test_db
TESTS += tests/unit/gateway/test_db
tests_unit_gateway_test_db_SOURCES = tests/unit/gateway/test_db.c
tests_unit_gateway_test_db_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_gateway_test_db_LDADD = $(UNIT_LDADD)
check_PROGRAMS += tests/unit/gateway/test_store
TESTS += tests/unit/gateway/test_store
tests_unit_gateway_test_store_SOURCES = tests/unit/gateway/test_store.c
tests_unit_gateway_test_store_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_gateway_test_store_LDADD = $(UNIT_LDADD)
check_PROGRAMS += tests/unit/gateway/test_vault
TESTS += tests/unit/gateway/test_vault
tests_unit_gateway_test_vault_SOURCES = tests/unit/gateway/test_vault.c
tests_unit_gateway_test_vault_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_gateway_test_vault_LDADD = $(UNIT_LDADD)
check_PROGRAMS += tests/unit/gateway/test_audit
TESTS += tests/unit/gateway/test_audit
tests_unit_gateway_test_audit_SOURCES = tests/unit/gateway/test_audit.c
tests_unit_gateway_test_audit_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_gateway_test_audit_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/gateway/test_sched
TESTS += tests/unit/gateway/test_sched
tests_unit_gateway_test_sched_SOURCES = tests/unit/gateway/test_sched.c
tests_unit_gateway_test_sched_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_gateway_test_sched_LDADD = gateway/libgw.a $(CMOCKA_LIBS) $(GW_LIBS)

# Data model, MAC and serial normalizers (gateway/model.c).
check_PROGRAMS += tests/unit/gateway/test_model
TESTS += tests/unit/gateway/test_model
tests_unit_gateway_test_model_SOURCES = tests/unit/gateway/test_model.c
tests_unit_gateway_test_model_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_gateway_test_model_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/gateway/test_bus
TESTS += tests/unit/gateway/test_bus
tests_unit_gateway_test_bus_SOURCES = tests/unit/gateway/test_bus.c
tests_unit_gateway_test_bus_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_gateway_test_bus_LDADD = gateway/libgw.a $(CMOCKA_LIBS) $(GW_LIBS)
check_PROGRAMS += tests/unit/gateway/test_log
TESTS += tests/unit/gateway/test_log
tests_unit_gateway_test_log_SOURCES = tests/unit/gateway/test_log.c
tests_unit_gateway_test_log_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_gateway_test_log_LDADD = $(UNIT_LDADD)

# The public sqlite helpers and the queries other modules read gateway tables through
# (gateway/db.c, gateway/query.c).
check_PROGRAMS += tests/unit/gateway/test_query
TESTS += tests/unit/gateway/test_query
tests_unit_gateway_test_query_SOURCES = tests/unit/gateway/test_query.c
tests_unit_gateway_test_query_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_gateway_test_query_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/gateway/test_op
TESTS += tests/unit/gateway/test_op
tests_unit_gateway_test_op_SOURCES = tests/unit/gateway/test_op.c
tests_unit_gateway_test_op_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_gateway_test_op_LDADD = $(UNIT_LDADD)
