/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * HTTPS requests to the cloud's API with libcurl's easy interface. Every call here blocks, so
 * the daemon makes them only from a libuv worker thread (uv_queue_work, inputs copied, results
 * applied on the loop) and the CLI makes them directly. A handle may be reused across the
 * requests of one upload round so they share one TLS connection.
 *
 * Policy (security-requirements MQ-9): https only, TLS 1.2 or newer, peer and host name
 * verified, no redirects (a redirect could lead the gateway to an endpoint the administrator's
 * firewall rule does not name), an HTTP proxy only through CONNECT with basic authentication.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "uplink/up_int.h"

#define REPLY_MAX (1u << 20) /* the cloud's replies are small JSON objects */

struct rbuf {
    char *p;
    size_t len;
    bool overflow;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
    struct rbuf *b = arg;
    size_t n = size * nmemb;
    if (b->len + n > REPLY_MAX) {
        b->overflow = true;
        return 0;
    }
    b->p = gw_realloc(b->p, b->len + n + 1);
    memcpy(b->p + b->len, ptr, n);
    b->len += n;
    b->p[b->len] = '\0';
    return n;
}

void up__http_global_init(void)
{
    static bool done;
    /* curl_global_init is not thread-safe before 7.84 wrt. other threads using curl: call it
     * once from the loop (or the CLI) before any worker runs a request. */
    if (!done) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        done = true;
    }
}

void *up__http_handle_new(void)
{
    return curl_easy_init();
}

void up__http_handle_free(void *h)
{
    if (h)
        curl_easy_cleanup(h);
}

int up__http_do(const struct up_http *req, struct up_http_reply *rep)
{
    CURL *c = req->curl ? req->curl : curl_easy_init();
    struct curl_slist *hdr = NULL;
    struct rbuf body = {0};
    char line[512];
    char *userpwd = NULL;
    CURLcode cc;
    int rc = 0;

    memset(rep, 0, sizeof *rep);
    if (!c) {
        snprintf(rep->err, sizeof rep->err, "cannot create a curl handle");
        return UP_E_UNREACHABLE;
    }
    if (req->curl)
        curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* worker threads: no SIGALRM for DNS timeouts */
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, rep->err);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "fleetgw/" PACKAGE_VERSION);
    if (req->ca_file && *req->ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, req->ca_file);
    if (req->proxy && *req->proxy) {
        curl_easy_setopt(c, CURLOPT_PROXY, req->proxy);
        curl_easy_setopt(c, CURLOPT_HTTPPROXYTUNNEL, 1L);
        if (req->proxy_user && *req->proxy_user) {
            size_t n = strlen(req->proxy_user) + 2 +
                       (req->proxy_password ? strlen(req->proxy_password) : 0);
            userpwd = gw_malloc(n);
            snprintf(userpwd, n, "%s:%s", req->proxy_user,
                     req->proxy_password ? req->proxy_password : "");
            curl_easy_setopt(c, CURLOPT_PROXYAUTH, (long)CURLAUTH_BASIC);
            curl_easy_setopt(c, CURLOPT_PROXYUSERPWD, userpwd);
        }
    }
    if (req->token) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", req->token);
        hdr = curl_slist_append(hdr, line);
        OPENSSL_cleanse(line, sizeof line);
    }
    if (req->body) {
        hdr = curl_slist_append(hdr, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    }
    if (req->content_encoding) {
        snprintf(line, sizeof line, "Content-Encoding: %s", req->content_encoding);
        hdr = curl_slist_append(hdr, line);
    }
    if (req->msg_id) {
        snprintf(line, sizeof line, "X-Fleetgw-Message-Id: %s", req->msg_id);
        hdr = curl_slist_append(hdr, line);
    }
    hdr = curl_slist_append(hdr, "Expect:"); /* no 100-continue round trip */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    if (req->method)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);

    cc = curl_easy_perform(c);
    rep->curl_code = (int)cc;
    if (cc == CURLE_OK) {
        curl_off_t up = 0, down = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rep->status);
        curl_easy_getinfo(c, CURLINFO_SIZE_UPLOAD_T, &up);
        curl_easy_getinfo(c, CURLINFO_SIZE_DOWNLOAD_T, &down);
        rep->tx = up;
        rep->rx = down;
        if (body.p)
            rep->json = json_loadb(body.p, body.len, 0, NULL);
    } else {
        if (!rep->err[0])
            snprintf(rep->err, sizeof rep->err, "%s", curl_easy_strerror(cc));
        switch (cc) {
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_INVALIDCERTSTATUS:
            rc = UP_E_TLS;
            break;
        default:
            rc = UP_E_UNREACHABLE;
        }
    }
    /* Don't leave the bearer token in the handle for the next request's reset. */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hdr);
    if (userpwd) {
        curl_easy_setopt(c, CURLOPT_PROXYUSERPWD, NULL);
        gw_free_secret_str(userpwd);
    }
    if (!req->curl)
        curl_easy_cleanup(c);
    free(body.p);
    return rc;
}

void up__http_reply_cleanup(struct up_http_reply *rep)
{
    json_decref(rep->json);
    rep->json = NULL;
}

int up__http_classify(const struct up_http_reply *rep, const char **reason, struct gw_errbuf *eb)
{
    const char *err = json_string_value(json_object_get(rep->json, "error"));
    const char *msg = json_string_value(json_object_get(rep->json, "message"));
    if (!err)
        err = "";
    if (!msg)
        msg = "";
    if (strcmp(err, "bad_access_code") == 0 || strcmp(err, "access_code_expired") == 0) {
        *reason = strcmp(err, "bad_access_code") == 0 ? "bad_access_code" : "access_code_expired";
        return gw_errbuf_set(eb, UP_E_ACCESS_CODE,
                             strcmp(err, "bad_access_code") == 0
                                 ? "the cloud did not accept the access code (HTTP %ld)"
                                 : "the access code has expired: ask for a new one (HTTP %ld)",
                             rep->status);
    }
    if (strcmp(err, "bad_credentials") == 0) {
        *reason = "bad_credentials";
        return gw_errbuf_set(eb, UP_E_CREDENTIALS,
                             "the cloud did not accept the user name or password (HTTP %ld)",
                             rep->status);
    }
    if (strcmp(err, "token_expired") == 0) {
        *reason = "token_expired";
        return gw_errbuf_set(eb, UP_E_TOKEN_EXPIRED,
                             "the gateway's registration token has expired: run 'fleetgw "
                             "register' again (HTTP %ld)",
                             rep->status);
    }
    if (strcmp(err, "bad_token") == 0) {
        *reason = "bad_token";
        return gw_errbuf_set(eb, UP_E_TOKEN,
                             "the cloud does not know this gateway's token: register again "
                             "(HTTP %ld)",
                             rep->status);
    }
    if (strcmp(err, "clock_skew") == 0) {
        const char *st = json_string_value(json_object_get(rep->json, "server_time"));
        char now[21];
        *reason = "clock_skew";
        return gw_errbuf_set(eb, UP_E_CLOCK_SKEW,
                             "this host's clock (%s) differs too much from the cloud's (%s): "
                             "fix the time (NTP) and try again",
                             gw_time_iso(gw_now(), now), st ? st : "unknown");
    }
    *reason = "refused";
    return gw_errbuf_set(eb, UP_E_HTTP, "the cloud refused the request: HTTP %ld %s%s%.120s",
                         rep->status, err, *msg ? ": " : "", msg);
}
