# SPDX-License-Identifier: Apache-2.0
# libFuzzer targets, built with ./configure CC=clang --enable-fuzz (see tests/fuzz/README.md).
# ./quickstart check runs each target for a short while from its seed corpus
# (tools/fuzz-smoke.sh).
if ENABLE_FUZZ
FUZZ_CFLAGS = -fsanitize=fuzzer,address,undefined
noinst_PROGRAMS += tests/fuzz/fuzz_decode tests/fuzz/fuzz_cfg
tests_fuzz_fuzz_decode_SOURCES = tests/fuzz/fuzz_decode.c
tests_fuzz_fuzz_decode_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_fuzz_fuzz_decode_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_decode_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_decode_LDADD = $(UNIT_LDADD)
tests_fuzz_fuzz_cfg_SOURCES = tests/fuzz/fuzz_cfg.c
tests_fuzz_fuzz_cfg_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_fuzz_fuzz_cfg_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_cfg_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_cfg_LDADD = $(UNIT_LDADD)
noinst_PROGRAMS += tests/fuzz/fuzz_api_json
tests_fuzz_fuzz_api_json_SOURCES = tests/fuzz/fuzz_api_json.c
tests_fuzz_fuzz_api_json_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_fuzz_fuzz_api_json_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_api_json_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_api_json_LDADD = webui/libui.a $(UNIT_LDADD) $(UI_LIBS)
endif
EXTRA_DIST += tests/fuzz/README.md tests/fuzz/corpus
# The uplink's down-message parser (append-only block of the uplink).
if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_down_msg
tests_fuzz_fuzz_down_msg_SOURCES = tests/fuzz/fuzz_down_msg.c
tests_fuzz_fuzz_down_msg_CPPFLAGS = $(UNIT_CPPFLAGS) $(MOSQUITTO_CFLAGS) $(CURL_CFLAGS)
tests_fuzz_fuzz_down_msg_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_down_msg_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_down_msg_LDADD = uplink/libup.a $(UNIT_LDADD) $(UP_LIBS)
endif
# The discovery target parser (append-only block of discovery).
if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_targets
tests_fuzz_fuzz_targets_SOURCES = tests/fuzz/fuzz_targets.c
tests_fuzz_fuzz_targets_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_fuzz_fuzz_targets_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_targets_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_targets_LDADD = $(UNIT_LDADD)
endif
# The WS-Discovery and SOAP response parsers (append-only block of soap).
if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_wsd
tests_fuzz_fuzz_wsd_SOURCES = tests/fuzz/fuzz_wsd.c
tests_fuzz_fuzz_wsd_CPPFLAGS = $(UNIT_CPPFLAGS) $(SOAP_GEN_CPPFLAGS)
tests_fuzz_fuzz_wsd_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS) -Wno-missing-prototypes
tests_fuzz_fuzz_wsd_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_wsd_LDADD = $(SOAP_LIBS) $(UNIT_LDADD)
$(tests_fuzz_fuzz_wsd_OBJECTS): soap/gen/stamp
endif
