/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Declarations shared between the uplink's own files; not for other modules.
 *
 * up.c      lifecycle, schedule, bus subscriptions, modes, status and control commands
 * queue.c   the sqlite outbox (up_outbox), ids, sequence numbers, eviction and data gaps
 * anon.c    the anonymizer: the one boundary every payload passes before it is stored
 * payload.c message bodies (counters batch, logs zip), envelopes, gzip
 * https.c   blocking libcurl requests (registration, uploads from a worker thread)
 * mqtt.c    libmosquitto on the loop (uv_poll + 1 Hz timer), connect in a worker thread
 * tasks.c   down messages: parsing, checks, answers
 * relay.c   MQTT through an HTTP proxy: a loopback SOCKS5 server that tunnels with CONNECT
 */
#ifndef UP_INT_H
#define UP_INT_H

#include <uv.h>

#include "uplink/up.h"

#define UP_TBL_SECRETS "up_secrets"

/* Settings keys (runtime state in the settings table). */
#define UP_K_GWID      "up.gateway_id"
#define UP_K_URL       "up.url"
#define UP_K_STATUS    "up.status" /* pending | managed */
#define UP_K_BROKER    "up.broker" /* host:port[/alpn][,host:port[/alpn]...], in preference order */
#define UP_K_MODE      "up.mode"   /* monitor | manage */
#define UP_K_UNTIL     "up.mode_until"
#define UP_K_ANON      "up.anonymize"
#define UP_K_SEQ       "up.seq"
#define UP_K_EVICTED   "up.evicted_total"
#define UP_K_GAP       "up.gap" /* JSON {count, from_seq, to_seq, from_ts, to_ts} */
#define UP_K_LAST      "up.last_upload"
#define UP_K_AUDIT_CUR "up.cursor.audit"
#define UP_K_EVENT_CUR "up.cursor.events"
#define UP_K_NEXT_CNT  "up.next.counters"
#define UP_K_NEXT_LOGS "up.next.logs"
#define UP_K_LINK      "up.link_state" /* ok | token_expired | bad_token | tls_failed ... */

/* Message priorities: eviction takes the lowest first, sending the highest first. */
#define UP_PRIO_DATA    0
#define UP_PRIO_EVENT   1
#define UP_PRIO_CONTROL 2

/* --- queue.c --- */
/* Creates or updates the uplink's tables. */
int up__queue_migrate(struct gw_db *db, struct gw_errbuf *eb);
/* Puts a message into the outbox: the body goes through the anonymizer, gets its envelope
 * (id, seq, gateway id, kind, ts) and is gzip-compressed, then committed. Evicts the oldest
 * messages when the outbox would exceed max_bytes. [in] body: borrowed.
 * Returns: 0, GW_E_DB, GW_E_TOOBIG (the message alone is larger than the bound). */
int up__queue_put(struct gw_db *db, const char *kind, int prio, json_t *body, int64_t max_bytes);
/* Stages one event (alert, device change) for the next batch; committed at once.
 * Returns: 0, GW_E_DB. */
int up__stage_put(struct gw_db *db, const char *kind, json_t *body);
int64_t up__stage_count(struct gw_db *db);
/* Turns every staged event into outbox messages in one transaction: per kind, one message
 * with the event's own kind for a single event, "<kind>_batch" {"events": [...]} with at most
 * max_events for more. Returns: messages queued, or < 0 (nothing changed). */
int up__stage_flush(struct gw_db *db, int max_events, int64_t max_bytes);
/* Evicts messages older than max_age_s. Returns: the count evicted, or < 0. */
int up__queue_expire(struct gw_db *db, int64_t max_age_s, int64_t now);
/* When messages were evicted since the last data_gap message, queues one. Returns: 1 when one
 * was queued, 0, or < 0. */
int up__queue_gap_flush(struct gw_db *db, int64_t max_bytes);
struct up_msg {
    int64_t row;
    char id[33];
    char kind[24];
    unsigned char *data; /* gzip'd envelope, malloc'ed */
    size_t len;
};
/* Reads up to max messages in send order, skipping rows in skip[nskip] (in flight).
 * Returns: the count read into out[], or < 0. Caller frees with up__msg_cleanup(). */
int up__queue_peek(struct gw_db *db, struct up_msg *out, int max, const int64_t *skip, int nskip);
void up__msg_cleanup(struct up_msg *m);
/* Deletes acknowledged messages. Returns: 0 or GW_E_DB. */
int up__queue_ack(struct gw_db *db, const int64_t *rows, int n);
/* Counts messages and bytes. */
void up__queue_totals(struct gw_db *db, int64_t *messages, int64_t *bytes);
int64_t up__setting_int(struct gw_db *db, const char *key, int64_t def);
int up__setting_set_int(struct gw_db *db, const char *key, int64_t v);
/* Stores or wipes (pt NULL) a sealed secret. Returns: 0, GW_E_DB, GW_E_CRYPTO. */
int up__secret_set(struct gw_db *db, const struct gw_vault *v, const char *name, const char *pt);
/* gzip (RFC 1952), how every message is stored. Returns: 0, *out malloc'ed. */
int up__gzip(const void *in, size_t len, unsigned char **out, size_t *outlen);
/* Fills out[33] with 32 random hex digits. */
void up__random_id(char out[33]);

/* --- anon.c --- */
struct up_anon;
/* Loads what must not leave the site: every device's address, name, sysName, sysLocation, the
 * gateway's host name and addresses. Returns: NULL when anonymization is off. */
struct up_anon *up__anon_load(struct gw_db *db);
void up__anon_free(struct up_anon *a);
/* Scrubs a JSON value in place: drops keys that name addresses or places, replaces IP literals
 * and known names in every string. */
void up__anon_json(const struct up_anon *a, json_t *v);
/* Returns: a scrubbed copy of text (malloc'ed). */
char *up__anon_text(const struct up_anon *a, const char *text);
/* The anonymizer for db's fleet (cached, reloaded each minute), NULL when anonymization is off. */
const struct up_anon *up__anon_current(struct gw_db *db);
/* Forgets the cache (devices changed). */
void up__anon_cache_drop(void);
/* Returns: true when s holds an IPv4 or IPv6 literal (what the scrubber replaces). */
bool up__anon_has_ip(const char *s);

/* --- payload.c --- */
/* Builds the counters batches and queues them. Returns: messages queued, or < 0. */
int up__collect_counters(struct gw_db *db, int64_t since, int64_t max_bytes);
/* Builds the audit and system log zips since the last ones (text scrubbed by the anonymizer
 * before zipping) and queues them. Returns: messages queued, or < 0. */
int up__collect_logs(struct gw_db *db, int64_t max_bytes);
/* Zips one text file. Returns: 0, *out malloc'ed. */
int up__zip_one(const char *name, const char *text, size_t len, unsigned char **out,
                size_t *outlen);

/* --- https.c --- */
struct up_http {
    const char *url; /* full URL */
    const char *method;
    const char *token; /* bearer, or NULL */
    const char *ca_file;
    const char *proxy, *proxy_user, *proxy_password;
    const char *content_encoding; /* NULL or "gzip" */
    const char *msg_id;           /* X-Fleetgw-Message-Id */
    const void *body;
    size_t body_len;
    void *curl; /* reused handle (keeps the connection), or NULL for a one-shot */
};
struct up_http_reply {
    long status;    /* 0 when no HTTP reply */
    json_t *json;   /* parsed body or NULL */
    int curl_code;  /* CURLcode */
    char err[256];  /* curl's message */
    int64_t tx, rx; /* bytes uploaded / downloaded (HTTP level) */
};
void up__http_global_init(void);
void *up__http_handle_new(void);
void up__http_handle_free(void *h);
/* Blocking request; any thread. Returns: 0 when an HTTP reply came (any status), or
 * UP_E_TLS / UP_E_UNREACHABLE with rep->err set. */
int up__http_do(const struct up_http *req, struct up_http_reply *rep);
void up__http_reply_cleanup(struct up_http_reply *rep);
/* Maps an error reply to a code and message. Returns: UP_E_*. */
int up__http_classify(const struct up_http_reply *rep, const char **reason, struct gw_errbuf *eb);

/* --- mqtt.c --- */
struct up_mqtt;
struct up_mqtt_cbs {
    void (*connected)(void *arg);
    void (*disconnected)(void *arg, int rc, const char *why);
    void (*acked)(void *arg, int mid, bool ok);
    void (*message)(void *arg, const char *topic, const void *payload, size_t len);
    void *arg;
};
struct up_mqtt_params {
    char host[256];
    int port;
    char client_id[65];
    char *password; /* owned by the params copy, wiped on free */
    char ca_file[1024];
    char alpn[32]; /* TLS ALPN protocol ("mqtt" on port 443), "" for none */
    char will_topic[160];
    int keepalive;
    /* The loopback relay (relay.c) when [uplink] proxy is set; socks_port 0 = direct. */
    int socks_port;
    char socks_user[33], socks_pw[33];
};
/* Starts connecting in a worker thread; reconnects are the caller's (up_mqtt_connect again).
 * Takes ownership of p->password. */
int up__mqtt_new(uv_loop_t *loop, struct up_mqtt_params *p, const struct up_mqtt_cbs *cbs,
                 struct up_mqtt **out);
int up__mqtt_connect(struct up_mqtt *m);
/* Points the next up__mqtt_connect() at another broker endpoint. Returns: 0, GW_E_BUSY. */
int up__mqtt_set_endpoint(struct up_mqtt *m, const char *host, int port, const char *alpn);
bool up__mqtt_is_connected(const struct up_mqtt *m);
/* Publishes QoS 1. Returns: the message id (> 0), or < 0. */
int up__mqtt_publish(struct up_mqtt *m, const char *topic, const void *data, size_t len,
                     bool retain);
int up__mqtt_subscribe(struct up_mqtt *m, const char *topic);
/* Disconnects (politely when connected) and frees once idle; cb may be NULL. */
void up__mqtt_close(struct up_mqtt *m, void (*cb)(void *arg), void *arg);

/* --- relay.c --- */
struct up_relay;
/* A tunnel through the proxy failed: state is a link state ("proxy_auth_failed",
 * "proxy_refused", "proxy_unreachable", "proxy_bad_reply", "proxy_bad_config"), why a message
 * for the admin. */
typedef void (*up_relay_fail_cb)(void *arg, const char *state, const char *why);
/* Opens the loopback SOCKS5 relay that tunnels through the HTTP proxy at proxy_url
 * ("http://host:port" or "host:port") with basic authentication when proxy_user is set.
 * Returns: 0, GW_E_INVAL (bad URL, proxy password longer than UP_PROXY_PW_MAX),
 * UP_E_UNREACHABLE; eb says why. */
int up__relay_start(uv_loop_t *loop, const char *proxy_url, const char *proxy_user,
                    const char *proxy_password, up_relay_fail_cb fail, void *arg,
                    struct up_relay **out, struct gw_errbuf *eb);
/* The relay's port and the SOCKS5 credentials its one client must use (owned by the relay). */
void up__relay_socks(const struct up_relay *r, int *port, const char **user, const char **pw);
/* Stops accepting and closes every tunnel; one that carries a session gets up to 2 s to pass
 * on what its client wrote last (the MQTT DISCONNECT). cb(arg) runs when all handles are
 * closed. */
void up__relay_close(struct up_relay *r, void (*cb)(void *arg), void *arg);
/* Parses an HTTP proxy's reply to CONNECT in buf[len]. Pure; any thread (fuzzed).
 * Returns: the header length (> 0) with *status and reason set, 0 when more bytes are needed,
 * GW_E_PARSE when it is not an HTTP reply or the headers exceed 8 KiB. */
int up__proxy_reply_parse(const char *buf, size_t len, int *status, char *reason, size_t rlen);
/* One MQTT broker endpoint from the registration. */
struct up_endpoint {
    char host[256];
    int port;
    char alpn[32];
};
#define UP_ENDPOINTS_MAX 4
/* The longest proxy password accepted (bytes): checked by the registration, where it is stored
 * and when the relay starts. */
#define UP_PROXY_PW_MAX 256
/* Parses the stored broker list "host:port[/alpn][,...]" (UP_K_BROKER); IPv6 hosts in [].
 * Entries that do not parse are skipped. Returns: the count filled into out[max]. */
int up__broker_list_parse(const char *s, struct up_endpoint *out, int max);
/* Splits a proxy URL into host and port (default 1080). Returns: 0 or GW_E_INVAL. */
int up__proxy_url_parse(const char *url, char *host, size_t hlen, int *port);

/* --- tasks.c --- */
/* Handles one down message: answers it through the outbox, audits it. */
void up__tasks_handle(struct gw_db *db, const char *gw_id, const void *payload, size_t len,
                      int64_t max_bytes);

#endif
