# SPDX-License-Identifier: Apache-2.0
# webui/: libui.a, the HTTPS server (libwebsockets on the daemon's loop), accounts and sessions,
# the JSON API, live events, and the static pages in www/ installed to $(pkgdatadir)/www.
noinst_LIBRARIES += webui/libui.a
webui_libui_a_CPPFLAGS = $(AM_CPPFLAGS) $(UV_CFLAGS) $(SQLITE_CFLAGS) $(OPENSSL_CFLAGS) \
	$(JANSSON_CFLAGS) $(LWS_CFLAGS) $(ARGON2_CFLAGS)
webui_libui_a_SOURCES = webui/ui.h webui/ui_int.h webui/server.c webui/http.c webui/api.c webui/auth.c \
	webui/users.c webui/hashq.c webui/sessions.c webui/login.c webui/schema.c \
	webui/events.c webui/json.c webui/tls.c webui/blocklist.c webui/ops.c

UI_LIBS = $(LWS_LIBS) $(ARGON2_LIBS)

wwwdir = $(pkgdatadir)/www
dist_www_DATA = webui/www/index.html webui/www/app.css webui/www/app.js webui/www/api.js \
	webui/www/router.js webui/www/dom.js webui/www/chart.js webui/www/live.js webui/www/favicon.svg
wwwpagesdir = $(pkgdatadir)/www/pages
dist_wwwpages_DATA = webui/www/pages/login.js webui/www/pages/dashboard.js \
	webui/www/pages/devices.js webui/www/pages/device.js webui/www/pages/credentials.js \
	webui/www/pages/audit.js webui/www/pages/users.js webui/www/pages/security.js \
	webui/www/pages/account.js webui/www/pages/about.js \
	webui/www/pages/connection.js webui/www/pages/discovery.js

# The password blocklist, beside www/ (tools/gen-common-passwords.sh makes it).
dist_pkgdata_DATA += webui/common-passwords.txt

EXTRA_DIST += webui/README.md
