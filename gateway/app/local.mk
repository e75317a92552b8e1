# SPDX-License-Identifier: Apache-2.0
# gateway/app/: the fleetgw program, the composition root above every module: main, the daemon
# (the one libuv loop), the control socket, the poller and the subcommands. Nothing includes it.
bin_PROGRAMS += fleetgw
fleetgw_CPPFLAGS = $(gateway_libgw_a_CPPFLAGS) $(NETSNMP_CFLAGS) $(LWS_CFLAGS)
fleetgw_SOURCES = gateway/app/main.c gateway/app/cli.h gateway/app/app.c gateway/app/cmd_probe.c \
	gateway/app/cmd_admin.c gateway/app/daemon.c gateway/app/ctl.c gateway/app/ops.c gateway/app/poller.c \
	gateway/app/cmd_webui.c gateway/app/cmd_uplink.c gateway/app/cmd_discover.c \
	gateway/app/cmd_probe_wsd.c
fleetgw_LDADD = gateway/poll/libgwpoll.a webui/libui.a uplink/libup.a discovery/libdisc.a $(SOAP_LIBS) snmp/libsnmpc.a \
	gateway/libgw.a $(NETSNMP_LIBS) $(UI_LIBS) $(UP_LIBS) $(GW_LIBS)

EXTRA_DIST += gateway/app/README.md
