# SPDX-License-Identifier: Apache-2.0
# soap/: libsoapgen.a (code soapcpp2 generates from soap/wsd.gsoap at build time into soap/gen/,
# plus gSOAP's WS-Discovery and WS-Addressing plugins compiled from $(GSOAP_SHARE)/plugin) and
# libsoapc.a (the module). Everything that includes stdsoap2.h is compiled with exactly
# $(GSOAP_CFLAGS): struct soap changes layout with the library's -D flags. That includes
# HAVE_CONFIG_H: automake defines it, and stdsoap2.h then reads our config.h instead of its own
# platform settings (buffer sizes, poll, ...), which silently breaks the server side; hence
# -UHAVE_CONFIG_H (files that need config.h include it themselves).
SOAP_GEN_FILES = soap/gen/soapC.c soap/gen/soapClient.c soap/gen/soapServer.c soap/gen/soapH.h \
	soap/gen/soapStub.h soap/gen/wsdd.nsmap
SOAP_GEN_CPPFLAGS = -UHAVE_CONFIG_H -I$(top_builddir)/soap/gen -I$(GSOAP_SHARE)/plugin $(GSOAP_CFLAGS)

soap/gen/stamp: $(top_srcdir)/soap/wsd.gsoap
	$(AM_V_GEN)$(MKDIR_P) soap/gen && \
	$(SOAPCPP2) -c -L -x -a -I$(GSOAP_SHARE)/import -I$(GSOAP_SHARE) -d soap/gen \
		$(top_srcdir)/soap/wsd.gsoap >soap/gen/soapcpp2.log 2>&1 || \
		{ cat soap/gen/soapcpp2.log; exit 1; }
	@touch $@
$(SOAP_GEN_FILES): soap/gen/stamp
BUILT_SOURCES = soap/gen/stamp
clean-local: clean-soap-gen
clean-soap-gen:
	-rm -rf soap/gen
.PHONY: clean-soap-gen

noinst_LIBRARIES += soap/libsoapgen.a
nodist_soap_libsoapgen_a_SOURCES = soap/gen/soapC.c soap/gen/soapClient.c soap/gen/soapServer.c \
	soap/gen/wsddapi.c soap/gen/wsaapi.c
soap_libsoapgen_a_CPPFLAGS = $(AM_CPPFLAGS) $(SOAP_GEN_CPPFLAGS)
# Foreign code: warnings stay visible, but a future gSOAP must not break -Werror builds.
soap_libsoapgen_a_CFLAGS = $(AM_CFLAGS) -Wno-error
soap/gen/wsddapi.c: soap/gen/stamp $(GSOAP_SHARE)/plugin/wsddapi.c
	$(AM_V_GEN)printf '#include "%s"\n' $(GSOAP_SHARE)/plugin/wsddapi.c >$@
soap/gen/wsaapi.c: soap/gen/stamp $(GSOAP_SHARE)/plugin/wsaapi.c
	$(AM_V_GEN)printf '#include "%s"\n' $(GSOAP_SHARE)/plugin/wsaapi.c >$@

noinst_LIBRARIES += soap/libsoapc.a
soap_libsoapc_a_CPPFLAGS = $(AM_CPPFLAGS) $(UV_CFLAGS) $(OPENSSL_CFLAGS) $(SOAP_GEN_CPPFLAGS)
soap_libsoapc_a_SOURCES = soap/soapc.h soap/soapc_int.h soap/wsdd_events.c soap/parse.c \
	soap/probe.c soap/info.c soap/model.c

# Objects that include the generated headers wait for them also when built as single targets
# (BUILT_SOURCES covers only `make all` and `make check`).
$(soap_libsoapc_a_OBJECTS): soap/gen/stamp

SOAP_LIBS = soap/libsoapc.a soap/libsoapgen.a $(GSOAP_LIBS) $(OPENSSL_LIBS) -lpthread
EXTRA_DIST += soap/README.md soap/wsd.gsoap
