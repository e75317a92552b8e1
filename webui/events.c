/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Live events over the websocket /api/v1/events: poll results, new alerts, device changes.
 *
 * The upgrade is checked like any API request (Host, same origin, a valid session cookie);
 * the session is checked again before every message and whenever sessions end (logout, the
 * server's sweep of timed-out sessions every few seconds, which also catches a password
 * change or an account reset by the CLI), so a client whose session ended is disconnected
 * within seconds, with close code UI__WS_SESSION_ENDED. Websocket traffic never renews a session's idle clock. Events go into one ring of the
 * last UI__EVENT_RING messages, serialised once; each client keeps the sequence number of the
 * next one it needs and gets one message per writable callback, as libwebsockets requires. A
 * client that falls a whole ring behind is told to reload ("resync") instead of being fed a
 * backlog without end.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libwebsockets.h>

#include "webui/ui_int.h"

static bool origin_ok(struct lws *wsi, const char *host)
{
    char origin[300], want[300];
    if (lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN) <= 0)
        return false;
    snprintf(want, sizeof want, "https://%s", host);
    return strcasecmp(origin, want) == 0;
}

static bool upgrade_session(struct ui_server *s, struct lws *wsi, struct ui__session *sess)
{
    char uri[64] = "", host[256] = "", peer[64] = "", cookie[1024] = "";
    if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0 ||
        strcmp(uri, "/api/v1/events") != 0)
        return false;
    if (lws_hdr_copy(wsi, host, sizeof host, WSI_TOKEN_HOST) <= 0 || !ui__host_allowed(s, host))
        return false;
    /* A page of another site may open websockets to us with our cookie (SameSite does not
     * cover every case): the Origin must be ours. */
    if (!origin_ok(wsi, host))
        return false;
    ui__peer(wsi, peer, sizeof peer);
    if (lws_hdr_copy(wsi, cookie, sizeof cookie, WSI_TOKEN_HTTP_COOKIE) <= 0)
        return false;
    /* Opening the live events is no activity of the person: the idle clock keeps running. */
    return ui__session_lookup(s, cookie, peer, false, sess) && !sess->must_change;
}

int ui__ws_filter(struct ui_server *s, struct lws *wsi)
{
    struct ui__session sess;
    if (s->stopping || !upgrade_session(s, wsi, &sess)) {
        gw_log_info(UI, "websocket upgrade refused");
        return -1;
    }
    return 0;
}

void ui__ws_established(struct ui_server *s, struct lws *wsi, struct ui__ws **slot)
{
    struct ui__session sess;
    struct ui__ws *w = gw_calloc(1, sizeof *w);
    w->wsi = wsi;
    w->seq = s->ev_seq;
    if (upgrade_session(s, wsi, &sess)) {
        memcpy(w->token_hash, sess.token_hash, sizeof w->token_hash);
        gw_strlcpy(w->user, sess.user, sizeof w->user);
    }
    w->next = s->ws_list;
    if (s->ws_list)
        s->ws_list->prev = w;
    s->ws_list = w;
    w->linked = true;
    s->ws_count++;
    *slot = w;
    /* A hello tells the page that it is connected. */
    lws_callback_on_writable(wsi);
}

void ui__ws_closed(struct ui_server *s, struct ui__ws **slot)
{
    struct ui__ws *w = *slot;
    if (!w)
        return;
    if (w->linked) {
        if (w->prev)
            w->prev->next = w->next;
        else
            s->ws_list = w->next;
        if (w->next)
            w->next->prev = w->prev;
        s->ws_count--;
    }
    free(w);
    *slot = NULL;
}

static int send_text(struct lws *wsi, const char *text, size_t len)
{
    unsigned char *buf = gw_malloc(LWS_PRE + len);
    int n;
    memcpy(buf + LWS_PRE, text, len);
    n = lws_write(wsi, buf + LWS_PRE, len, LWS_WRITE_TEXT);
    free(buf);
    return n < (int)len ? -1 : 0;
}

int ui__ws_writeable(struct ui_server *s, struct lws *wsi, struct ui__ws **slot)
{
    struct ui__ws *w = *slot;
    if (!w)
        return -1;
    if (!w->token_hash[0] || !ui__session_alive(s, w->token_hash)) {
        /* The session ended: so does its websocket, with a close code that tells the page to
         * go to the login page rather than reconnect (www/app.js). */
        static const char why[] = "session ended";
        lws_close_reason(wsi, (enum lws_close_status)UI__WS_SESSION_ENDED, (unsigned char *)why,
                         sizeof why - 1);
        return -1;
    }
    if (!w->hello_sent) {
        static const char hello[] = "{\"type\":\"hello\",\"data\":{}}";
        w->hello_sent = true;
        if (w->seq < s->ev_seq)
            lws_callback_on_writable(wsi);
        return send_text(wsi, hello, sizeof hello - 1);
    }
    if (w->seq >= s->ev_seq)
        return 0;
    if (s->ev_seq - w->seq > UI__EVENT_RING) {
        static const char resync[] = "{\"type\":\"resync\",\"data\":{}}";
        w->seq = s->ev_seq;
        return send_text(wsi, resync, sizeof resync - 1);
    }
    {
        struct ui__event *e = &s->ev[w->seq % UI__EVENT_RING];
        w->seq++;
        if (send_text(wsi, e->text, e->len) < 0)
            return -1;
    }
    if (w->seq < s->ev_seq)
        lws_callback_on_writable(wsi);
    return 0;
}

void ui__ws_recheck(struct ui_server *s)
{
    for (struct ui__ws *w = s->ws_list; w; w = w->next)
        lws_callback_on_writable(w->wsi);
}

void ui_event_publish(struct ui_server *s, const char *type, json_t *data)
{
    struct ui__event *e;
    json_t *msg;
    char ts[21], *text;
    json_t *alert = data ? json_object_get(data, "alert") : NULL, *copy = NULL;
    if (!s || s->stopping)
        return;
    /* A new alert carries its text in words for the page's notice (gw_alert_text()); the bus
     * payload itself is shared with other subscribers, so a copy gets it. */
    if (strcmp(type, "alert.new") == 0 && json_is_object(alert)) {
        copy = json_deep_copy(data);
        alert = json_object_get(copy, "alert");
        gw_alert_json_text(alert, json_string_value(json_object_get(alert, "description")),
                           (int)json_integer_value(json_object_get(alert, "code")));
        data = copy;
    }
    msg = json_pack("{s:s, s:s, s:O}", "type", type, "ts", gw_time_iso(gw_now(), ts), "data",
                    data ? data : json_null());
    json_decref(copy);
    text = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    json_decref(msg);
    if (!text)
        return;
    e = &s->ev[s->ev_seq % UI__EVENT_RING];
    free(e->text);
    e->text = text;
    e->len = strlen(text);
    e->seq = s->ev_seq++;
    for (struct ui__ws *w = s->ws_list; w; w = w->next)
        lws_callback_on_writable(w->wsi);
}

void ui__events_cleanup(struct ui_server *s)
{
    for (size_t i = 0; i < UI__EVENT_RING; i++) {
        free(s->ev[i].text);
        s->ev[i].text = NULL;
    }
    /* Connections are gone by now; entries left would only be dangling. */
    while (s->ws_list) {
        struct ui__ws *w = s->ws_list;
        s->ws_list = w->next;
        w->linked = false;
    }
    s->ws_count = 0;
}
