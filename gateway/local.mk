# SPDX-License-Identifier: Apache-2.0
# gateway/: libgw.a, the foundation every module builds on (errors, log, config, model, store,
# vault, audit, bus). The fleetgw program that composes the modules is in gateway/app/.
noinst_LIBRARIES += gateway/libgw.a
gateway_libgw_a_CPPFLAGS = $(AM_CPPFLAGS) $(UV_CFLAGS) $(SQLITE_CFLAGS) $(OPENSSL_CFLAGS) \
	$(JANSSON_CFLAGS) $(INIH_CFLAGS) $(SYSTEMD_CFLAGS)
gateway_libgw_a_SOURCES = \
	gateway/gw.h gateway/gw_err.h gateway/gw_mem.h gateway/gw_log.h gateway/gw_time.h \
	gateway/gw_cfg.h gateway/gw_model.h gateway/gw_bus.h gateway/gw_sched.h gateway/gw_vault.h \
	gateway/gw_db.h gateway/gw_store.h gateway/gw_audit.h gateway/gw_query.h gateway/gw_int.h gateway/gw_op.h \
	gateway/err.c gateway/log.c gateway/model.c \
	gateway/cfg.c gateway/db.c gateway/store.c gateway/vault.c gateway/audit.c \
	gateway/sched.c gateway/bus.c gateway/query.c gateway/op.c

GW_LIBS = $(UV_LIBS) $(SQLITE_LIBS) $(OPENSSL_LIBS) $(JANSSON_LIBS) $(INIH_LIBS) $(SYSTEMD_LIBS) -lm

EXTRA_DIST += gateway/README.md
