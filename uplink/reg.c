/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Registration with the cloud (docs/uplink.md section 2), for `fleetgw register` and
 * `fleetgw unregister`. These run in the CLI process and block; the daemon learns the outcome
 * through a control request, so the token reaches the store only sealed, through the one
 * connection that owns it.
 *
 * Each failure a person can fix has its own code and message (bad or expired access code,
 * wrong user or password, clock skew, TLS verification, unreachable cloud), because "register
 * failed" alone sends an administrator to the logs.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uplink/up_int.h"

static int check_url(const char *url, struct gw_errbuf *eb)
{
    if (!url || strncmp(url, "https://", 8) != 0 || strlen(url) < 9 || strlen(url) > 400)
        return gw_errbuf_set(eb, GW_E_INVAL, "--url must be an https:// URL");
    return 0;
}

/* Base URL without a trailing slash. */
static void base_url(const char *url, char *buf, size_t len)
{
    gw_strlcpy(buf, url, len);
    size_t n = strlen(buf);
    while (n > 8 && buf[n - 1] == '/')
        buf[--n] = '\0';
}

static int transport_error(int rc, const struct up_http_reply *rep, const char **reason,
                           struct gw_errbuf *eb)
{
    if (rc == UP_E_TLS) {
        *reason = "tls_failed";
        return gw_errbuf_set(eb, UP_E_TLS,
                             "TLS verification of the cloud failed: %s (a private CA needs "
                             "--ca-file or [uplink] ca_file)",
                             rep->err);
    }
    *reason = "unreachable";
    return gw_errbuf_set(eb, UP_E_UNREACHABLE, "cannot reach the cloud: %s", rep->err);
}

int up_register_http(const struct up_reg_req *r, json_t **reply, const char **reason,
                     struct gw_errbuf *eb)
{
    char url[512], ts[21], host[256] = "";
    struct up_http_reply rep;
    int rc;

    *reply = NULL;
    *reason = "bad_request";
    rc = check_url(r->url, eb);
    if (rc < 0)
        return rc;
    if (!r->access_code || !*r->access_code)
        return gw_errbuf_set(eb, GW_E_INVAL, "an access code is required");
    if (r->proxy_password && strlen(r->proxy_password) > UP_PROXY_PW_MAX)
        return gw_errbuf_set(eb, GW_E_INVAL,
                             "the proxy password is %zu bytes, longer than the limit of %d bytes",
                             strlen(r->proxy_password), UP_PROXY_PW_MAX);
    base_url(r->url, url, sizeof url);
    strncat(url, "/v1/register", sizeof url - strlen(url) - 1);
    gethostname(host, sizeof host - 1);
    json_t *gw = json_pack("{s:s, s:b, s:i, s:s}", "version", PACKAGE_VERSION, "anonymized",
                           r->anonymized, "devices", r->devices, "hostname", host);
    /* The registration passes the same anonymizer as every message (rules and the host's own
     * names; the fleet's names are not needed, none are sent here). */
    if (r->anonymized) {
        struct up_anon *a = up__anon_load(NULL);
        up__anon_json(a, gw);
        up__anon_free(a);
    }
    json_t *body = json_pack("{s:i, s:s, s:s, s:o}", "v", 1, "access_code", r->access_code,
                             "client_time", gw_time_iso(gw_now(), ts), "gateway", gw);
    if (r->user && *r->user) {
        json_object_set_new(body, "user", json_string(r->user));
        json_object_set_new(body, "password", json_string(r->password ? r->password : ""));
    }
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    struct up_http req = {.url = url,
                          .method = "POST",
                          .ca_file = r->ca_file,
                          .proxy = r->proxy,
                          .proxy_user = r->proxy_user,
                          .proxy_password = r->proxy_password,
                          .body = text,
                          .body_len = strlen(text)};
    rc = up__http_do(&req, &rep);
    gw_free_secret_str(text); /* held the password */
    if (rc < 0)
        return transport_error(rc, &rep, reason, eb);
    if (rep.status != 200 && rep.status != 201) {
        rc = up__http_classify(&rep, reason, eb);
        up__http_reply_cleanup(&rep);
        return rc;
    }
    const char *gid = json_string_value(json_object_get(rep.json, "gateway_id"));
    const char *tok = json_string_value(json_object_get(rep.json, "token"));
    if (!gid || !tok || strlen(tok) < 8 || strlen(tok) > 512) {
        up__http_reply_cleanup(&rep);
        *reason = "bad_reply";
        return gw_errbuf_set(eb, GW_E_PARSE, "the cloud's reply lacks a gateway id or token");
    }
    *reply = rep.json;
    rep.json = NULL;
    *reason = "ok";
    return 0;
}

int up_unregister_http(const char *url, const char *gateway_id, const char *token,
                       const char *ca_file, const char *proxy, const char *proxy_user,
                       const char *proxy_password, struct gw_errbuf *eb)
{
    char full[600], base[512];
    struct up_http_reply rep;
    const char *reason;
    int rc = check_url(url, eb);
    if (rc < 0)
        return rc;
    base_url(url, base, sizeof base);
    snprintf(full, sizeof full, "%s/v1/gateways/%s", base, gateway_id);
    struct up_http req = {.url = full,
                          .method = "DELETE",
                          .token = token,
                          .ca_file = ca_file,
                          .proxy = proxy,
                          .proxy_user = proxy_user,
                          .proxy_password = proxy_password};
    rc = up__http_do(&req, &rep);
    if (rc < 0)
        return transport_error(rc, &rep, &reason, eb);
    if (rep.status / 100 != 2 && rep.status != 404)
        rc = up__http_classify(&rep, &reason, eb);
    up__http_reply_cleanup(&rep);
    return rc;
}
