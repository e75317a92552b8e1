/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * libFuzzer target for the web UI's JSON input handling (webui/json.c): the body parser every
 * API request goes through, the typed member readers the handlers use, the security settings
 * validator, and the password policy applied to whatever "password" holds. Beyond "does not
 * crash" it checks their promises: a refused body always comes with a message; an accepted one
 * is an object; a string reader never returns a string with control characters, an empty one
 * or one over its limit; an integer reader never returns a value outside its range; a settings
 * change that is accepted lies within the documented ranges.
 *
 * json.c is included so it is compiled with this target's -fsanitize=fuzzer flags.
 */
#include "webui/json.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(json_t *o, const char *key, size_t max)
{
    char err[160] = "";
    const char *s = ui__json_str(o, key, max, err, sizeof err);
    if (!s) {
        if (!err[0])
            abort();
        return;
    }
    if (!*s || strlen(s) > max)
        abort();
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[300] = "";
    json_t *o = ui__body_parse((const char *)data, size, err, sizeof err);
    struct ui__security sec = {600, 43200, 3, 1800};
    long long n = 0;
    if (!o) {
        if (!err[0])
            abort();
        return 0;
    }
    if (!json_is_object(o))
        abort();
    check_str(o, "username", 64);
    check_str(o, "password", 1024);
    check_str(o, "name", 64);
    check_str(o, "address", 255);
    err[0] = '\0';
    if (ui__json_int(o, "port", 1, 65535, &n, err, sizeof err) == 0) {
        if (n < 1 || n > 65535)
            abort();
    } else if (!err[0]) {
        abort();
    }
    err[0] = '\0';
    if (ui__security_from_json(o, &sec, err, sizeof err) == 0) {
        if (sec.idle_s < 60 || sec.idle_s > 86400 || sec.lockout_threshold < 1 ||
            sec.lockout_threshold > 10 || sec.lockout_s < 60 || sec.lockout_s > 1440 * 60)
            abort();
    } else if (!err[0]) {
        abort();
    }
    {
        const char *pw = json_string_value(json_object_get(o, "password"));
        struct gw_errbuf eb = {""};
        if (pw && ui_password_check(pw, &eb) < 0 && !eb.msg[0])
            abort();
    }
    json_decref(o);
    return 0;
}
