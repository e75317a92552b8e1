# SPDX-License-Identifier: Apache-2.0
# gateway/poll/: libgwpoll.a, the polling library: the scheduler (sched.c, result.c), which
# knows no transport, and its drivers (snmp.c through snmp/, wsd.c through soap/). Only the
# fleetgw program (gateway/app/) uses it.
noinst_LIBRARIES += gateway/poll/libgwpoll.a
gateway_poll_libgwpoll_a_CPPFLAGS = $(gateway_libgw_a_CPPFLAGS) $(NETSNMP_CFLAGS)
gateway_poll_libgwpoll_a_SOURCES = gateway/poll/gw_poll.h gateway/poll/gw_poll_int.h \
	gateway/poll/sched.c gateway/poll/result.c gateway/poll/snmp.c gateway/poll/wsd.c
EXTRA_DIST += gateway/poll/README.md
