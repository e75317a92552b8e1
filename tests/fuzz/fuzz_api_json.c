/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * libFuzzer target for the web UI's JSON input handling (webui/json.c): the body parser every
 * API request goes through, the typed member readers the handlers use, the security settings
 * validator, the discovery setting validator, and the password policy (with a small
 * blocklist loaded) applied to whatever "password" holds. Beyond "does not crash" it checks
 * their promises: a refused body always comes with a message; an accepted one
 * is an object; a string reader never returns a string with control characters, an empty one
 * or one over its limit; an integer reader never returns a value outside its range; a settings
 * change that is accepted lies within the documented ranges; an accepted discovery setting is
 * a discover.add request with a 1..63 byte name, 1..16 credential names and pps and port in
 * range.
 *
 * json.c is included so it is compiled with this target's -fsanitize=fuzzer flags.
 */
#include "webui/json.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char list[] = "# test list\npassword\nwelcome\ndragon\nadmin\nqwerty\n";
    char path[] = "/tmp/fuzz-blocklist-XXXXXX";
    int fd = mkstemp(path);
    (void)argc;
    (void)argv;
    if (fd < 0 || write(fd, list, sizeof list - 1) != (ssize_t)(sizeof list - 1))
        abort();
    close(fd);
    if (ui_blocklist_load(path, NULL) != 5)
        abort();
    unlink(path);
    return 0;
}

static void check_discovery(json_t *o)
{
    char err[200] = "";
    const char *field = NULL;
    json_t *req = ui__discovery_from_json(o, NULL, err, sizeof err, &field), *c, *v;
    const char *name;
    size_t i;
    if (!req) {
        if (!err[0])
            abort();
        return;
    }
    name = json_string_value(json_object_get(req, "name"));
    c = json_object_get(req, "credentials");
    if (!name || !*name || strlen(name) > 63 || !json_is_array(c) || json_array_size(c) < 1 ||
        json_array_size(c) > 16)
        abort();
    json_array_foreach(c, i, v)
    {
        if (!json_is_string(v) || json_string_length(v) < 1 || json_string_length(v) > 63)
            abort();
    }
    if (json_integer_value(json_object_get(req, "pps")) < 1 ||
        json_integer_value(json_object_get(req, "pps")) > 100000 ||
        json_integer_value(json_object_get(req, "port")) < 1 ||
        json_integer_value(json_object_get(req, "port")) > 65535 ||
        strcmp(json_string_value(json_object_get(req, "cmd")), "discover.add") != 0)
        abort();
    json_decref(req);
}

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
    check_discovery(o);
    {
        const char *pw = json_string_value(json_object_get(o, "password"));
        struct gw_errbuf eb = {""};
        if (pw && ui_password_check(pw, &eb) < 0 && !eb.msg[0])
            abort();
    }
    json_decref(o);
    return 0;
}
