/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Request body handling for the JSON API: the parser and the typed member readers every
 * handler goes through, so there is one place that bounds sizes, refuses duplicate keys and
 * control characters, and words the 400 messages. Kept apart from libwebsockets so the fuzz
 * target (tests/fuzz/fuzz_api_json.c) drives exactly this code.
 */
#include "config.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "webui/ui_int.h"

json_t *ui__body_parse(const char *body, size_t len, char *err, size_t errlen)
{
    json_error_t je;
    json_t *v;
    if (len == 0) {
        snprintf(err, errlen, "the request needs a JSON object as its body");
        return NULL;
    }
    if (len > UI__MAX_BODY) {
        snprintf(err, errlen, "the request body is larger than %d bytes", UI__MAX_BODY);
        return NULL;
    }
    /* Duplicate keys are refused: two "role" members would let a check and a use disagree. */
    v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!v) {
        snprintf(err, errlen, "the body is not valid JSON: %s (line %d, column %d)", je.text,
                 je.line, je.column);
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        snprintf(err, errlen, "the body must be a JSON object");
        return NULL;
    }
    return v;
}

const char *ui__json_str(json_t *o, const char *key, size_t max, char *err, size_t errlen)
{
    json_t *v = json_object_get(o, key);
    const char *s;
    size_t n;
    if (!v) {
        snprintf(err, errlen, "%s: missing", key);
        return NULL;
    }
    if (!json_is_string(v)) {
        snprintf(err, errlen, "%s: must be a string", key);
        return NULL;
    }
    s = json_string_value(v);
    n = json_string_length(v);
    if (n == 0) {
        snprintf(err, errlen, "%s: must not be empty", key);
        return NULL;
    }
    if (n > max) {
        snprintf(err, errlen, "%s: longer than %zu bytes", key, max);
        return NULL;
    }
    /* jansson allows \u0000 inside strings; C code would silently cut there. */
    if (strlen(s) != n) {
        snprintf(err, errlen, "%s: contains a NUL character", key);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            snprintf(err, errlen, "%s: contains a control character", key);
            return NULL;
        }
    }
    return s;
}

int ui__json_int(json_t *o, const char *key, long long min, long long max, long long *out,
                 char *err, size_t errlen)
{
    json_t *v = json_object_get(o, key);
    long long n;
    if (!json_is_integer(v)) {
        snprintf(err, errlen, "%s: must be a whole number", key);
        return -1;
    }
    n = json_integer_value(v);
    if (n < min || n > max) {
        snprintf(err, errlen, "%s: must be between %lld and %lld", key, min, max);
        return -1;
    }
    *out = n;
    return 0;
}

int ui__security_from_json(json_t *o, struct ui__security *out, char *err, size_t errlen)
{
    struct ui__security s = *out;
    const char *key;
    json_t *v;
    long long n;
    json_object_foreach(o, key, v)
    {
        if (strcmp(key, "session_idle_timeout_s") == 0) {
            /* 1 minute to 1 day; OWASP asks for minutes, not days, but the spec leaves it to
             * the administrator. */
            if (ui__json_int(o, key, 60, 86400, &n, err, errlen) < 0)
                return -1;
            s.idle_s = (int)n;
        } else if (strcmp(key, "lockout_threshold") == 0) {
            if (ui__json_int(o, key, 1, 10, &n, err, errlen) < 0)
                return -1;
            s.lockout_threshold = (int)n;
        } else if (strcmp(key, "lockout_minutes") == 0) {
            if (ui__json_int(o, key, 1, 1440, &n, err, errlen) < 0)
                return -1;
            s.lockout_s = (int)n * 60;
        } else if (strcmp(key, "auto_upgrade_time") == 0) {
            int hh, mm, end = 0;
            const char *t = json_string_value(v);
            if (json_is_null(v)) {
                s.upgrade_min = -1;
                continue;
            }
            if (!t || strlen(t) != 5 || sscanf(t, "%2d:%2d%n", &hh, &mm, &end) != 2 || end != 5 ||
                t[0] < '0' || t[0] > '9' || t[3] < '0' || t[3] > '9' || hh > 23 || mm > 59) {
                snprintf(err, errlen,
                         "auto_upgrade_time: must be a time of day as HH:MM "
                         "(00:00 to 23:59), or null");
                return -1;
            }
            s.upgrade_min = hh * 60 + mm;
        } else {
            snprintf(err, errlen, "%.64s: unknown setting", key);
            return -1;
        }
    }
    *out = s;
    return 0;
}
