# SPDX-License-Identifier: Apache-2.0
# gateway/: libgw.a (core library) and the fleetgw program (composition root).
noinst_LIBRARIES += gateway/libgw.a
gateway_libgw_a_CPPFLAGS = $(AM_CPPFLAGS) $(UV_CFLAGS) $(SQLITE_CFLAGS) $(OPENSSL_CFLAGS) \
	$(JANSSON_CFLAGS) $(INIH_CFLAGS) $(SYSTEMD_CFLAGS)
gateway_libgw_a_SOURCES = \
	gateway/gw.h gateway/gw_err.h gateway/gw_int.h \
	gateway/err.c gateway/log.c gateway/model.c \
	gateway/cfg.c gateway/db.c gateway/store.c gateway/vault.c gateway/audit.c \
	gateway/sched.c gateway/bus.c gateway/query.c

GW_LIBS = $(UV_LIBS) $(SQLITE_LIBS) $(OPENSSL_LIBS) $(JANSSON_LIBS) $(INIH_LIBS) $(SYSTEMD_LIBS) -lm

bin_PROGRAMS += fleetgw
fleetgw_CPPFLAGS = $(gateway_libgw_a_CPPFLAGS) $(NETSNMP_CFLAGS) $(LWS_CFLAGS)
fleetgw_SOURCES = gateway/main.c gateway/cli.h gateway/cmd_probe.c gateway/cmd_admin.c \
	gateway/daemon.c gateway/ctl.c gateway/poller.c gateway/cmd_webui.c gateway/cmd_uplink.c \
	gateway/cmd_discover.c gateway/cmd_probe_wsd.c
fleetgw_LDADD = webui/libui.a uplink/libup.a discovery/libdisc.a $(SOAP_LIBS) snmp/libsnmpc.a gateway/libgw.a $(NETSNMP_LIBS) $(UI_LIBS) $(UP_LIBS) $(GW_LIBS)

EXTRA_DIST += gateway/README.md
