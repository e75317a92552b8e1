# SPDX-License-Identifier: Apache-2.0
# uplink/: libup.a (registration, modes, outbox, anonymizer, MQTT and HTTPS transports).
noinst_LIBRARIES += uplink/libup.a
uplink_libup_a_CPPFLAGS = $(AM_CPPFLAGS) $(UV_CFLAGS) $(SQLITE_CFLAGS) $(OPENSSL_CFLAGS) \
	$(JANSSON_CFLAGS) $(MOSQUITTO_CFLAGS) $(CURL_CFLAGS) $(LIBZIP_CFLAGS) $(ZLIB_CFLAGS)
uplink_libup_a_SOURCES = \
	uplink/up.h uplink/up_int.h \
	uplink/up.c uplink/queue.c uplink/anon.c uplink/payload.c uplink/https.c \
	uplink/mqtt.c uplink/tasks.c uplink/reg.c uplink/relay.c \
	uplink/proxyparse.c

UP_LIBS = $(MOSQUITTO_LIBS) $(CURL_LIBS) $(LIBZIP_LIBS) $(ZLIB_LIBS)

EXTRA_DIST += uplink/README.md
