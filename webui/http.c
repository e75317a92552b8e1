/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * What every request handler of the web UI uses, whichever file it lives in: the Host gate (the
 * names and addresses this gateway answers to, which defeats DNS rebinding), the client's
 * address, the URL query arguments, and queuing an answer for the writable callback. server.c
 * (the lws protocol), api.c, events.c and auth.c all call down into this file, and it calls
 * none of them, so the web UI's files form no circle.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <ifaddrs.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "webui/ui_int.h"

/* ---------------------------------------------------------------------------------------------
 * Host names this gateway answers to
 */

static void host_add(struct ui_server *s, const char *h, size_t n)
{
    while (n > 0 && (h[n - 1] == '.' || isspace((unsigned char)h[n - 1])))
        n--;
    while (n > 0 && isspace((unsigned char)*h)) {
        h++;
        n--;
    }
    if (n == 0)
        return;
    s->hosts = gw_realloc(s->hosts, s->hosts_len + n + 1);
    for (size_t i = 0; i < n; i++)
        s->hosts[s->hosts_len + i] = (char)tolower((unsigned char)h[i]);
    s->hosts[s->hosts_len + n] = '\0';
    s->hosts_len += n + 1;
}

/* Names and addresses are read at start and reload; an address added later needs a SIGHUP. */
void ui__hosts_build(struct ui_server *s)
{
    char name[256] = "";
    struct ifaddrs *ifa = NULL;
    free(s->hosts);
    s->hosts = NULL;
    s->hosts_len = 0;
    host_add(s, "localhost", 9);
    host_add(s, "127.0.0.1", 9);
    host_add(s, "::1", 3);
    if (gethostname(name, sizeof name - 1) == 0)
        host_add(s, name, strlen(name));
    for (const char *p = s->cfg.webui_names; *p;) {
        size_t n = strcspn(p, ", ");
        host_add(s, p, n);
        p += n;
        p += strspn(p, ", ");
    }
    if (getifaddrs(&ifa) == 0) {
        for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
            char a[INET6_ADDRSTRLEN] = "";
            if (!i->ifa_addr)
                continue;
            if (i->ifa_addr->sa_family == AF_INET)
                inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, a,
                          sizeof a);
            else if (i->ifa_addr->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, a,
                          sizeof a);
            if (*a)
                host_add(s, a, strlen(a));
        }
        freeifaddrs(ifa);
    }
}

bool ui__host_allowed(struct ui_server *s, const char *host)
{
    char h[256];
    size_t n;
    if (!host || !*host)
        return false;
    if (host[0] == '[') {
        const char *e = strchr(host, ']');
        if (!e || (size_t)(e - host - 1) >= sizeof h || (e[1] && e[1] != ':'))
            return false;
        n = (size_t)(e - host - 1);
        memcpy(h, host + 1, n);
    } else {
        const char *colon = strchr(host, ':');
        /* A bare IPv6 address without brackets is not a valid Host. */
        if (colon && strchr(colon + 1, ':'))
            return false;
        n = colon ? (size_t)(colon - host) : strlen(host);
        if (n >= sizeof h)
            return false;
        memcpy(h, host, n);
    }
    while (n > 0 && h[n - 1] == '.')
        n--;
    h[n] = '\0';
    for (size_t i = 0; i < n; i++)
        h[i] = (char)tolower((unsigned char)h[i]);
    for (size_t off = 0; off < s->hosts_len; off += strlen(s->hosts + off) + 1)
        if (strcmp(s->hosts + off, h) == 0)
            return true;
    return false;
}

void ui__peer(struct lws *wsi, char *buf, size_t len)
{
    char tmp[64] = "";
    lws_get_peer_simple(wsi, tmp, sizeof tmp);
    /* The listener is dual-stack: show IPv4 clients as IPv4. */
    gw_strlcpy(buf, strncmp(tmp, "::ffff:", 7) == 0 && strchr(tmp, '.') ? tmp + 7 : tmp, len);
}

/* ---------------------------------------------------------------------------------------------
 * Answers: queued here, written by server.c's writable callback.
 */

void ui__respond(struct ui__req *r, int status, const char *ctype, char *body, size_t len)
{
    if (r->responded) {
        free(body);
        return;
    }
    r->responded = true;
    r->status = status;
    r->ctype = ctype;
    r->resp = body;
    r->resp_len = len;
    lws_callback_on_writable(r->wsi);
}

void ui__respond_json(struct ui__req *r, int status, json_t *v)
{
    char *text = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);
    if (!text) {
        text = gw_strdup("{\"error\":\"internal error: no answer\"}");
        status = 500;
    }
    ui__respond(r, status, "application/json; charset=utf-8", text, strlen(text));
}

void ui__respond_error(struct ui__req *r, int status, const char *msg)
{
    ui__respond_json(r, status, json_pack("{s:s}", "error", msg));
}

bool ui__query_arg(struct ui__req *r, const char *name, char *buf, size_t len)
{
    char key[40], tmp[512];
    const char *v;
    snprintf(key, sizeof key, "%s=", name);
    v = lws_get_urlarg_by_name(r->wsi, key, tmp, (int)sizeof tmp);
    if (!v)
        return false;
    gw_strlcpy(buf, v, len);
    return true;
}
