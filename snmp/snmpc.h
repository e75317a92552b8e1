/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of the SNMP module (libsnmpc.a): asynchronous net-snmp sessions driven by
 * the gateway's libuv loop, the varbind set a poll collects, the vendor counter catalogue and
 * the decoder that turns a varbind set into the normalized printer data model (gw_model).
 *
 * net-snmp is not reentrant: every function here is for the loop thread only.
 */
#ifndef SNMPC_H
#define SNMPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "gateway/gw.h"

/* ---------------------------------------------------------------------------------------------
 * Library setup
 */
/* Initialises net-snmp once per process: no MIB loading, no persistent state files, numeric
 * OIDs. Idempotent. Returns: 0. */
int snmpc_lib_init(void);
void snmpc_lib_shutdown(void);

/* ---------------------------------------------------------------------------------------------
 * Varbind sets: what a poll collected, kept sorted by OID. Values are copied in.
 */
#define SNMPC_MAX_OID 128
enum snmpc_vtype {
    SNMPC_T_INTEGER, /* Integer32 */
    SNMPC_T_OCTETS,  /* OCTET STRING (text or binary) */
    SNMPC_T_OID,
    SNMPC_T_IPADDR, /* 4 octets */
    SNMPC_T_COUNTER32,
    SNMPC_T_GAUGE32,
    SNMPC_T_TIMETICKS,
    SNMPC_T_COUNTER64,
    SNMPC_T_OPAQUE,
    SNMPC_T_NULL,
    SNMPC_T_NOSUCH /* noSuchObject / noSuchInstance / endOfMibView */
};
struct snmpc_vb {
    uint32_t *oid; /* oid_len sub-ids, owned by the set (a fixed array made a poll of a few
                    * hundred varbinds cost 170 kB, times every poll in flight) */
    size_t oid_len;
    enum snmpc_vtype type;
    int64_t num;        /* INTEGER, Counter32, Gauge32, TimeTicks; Counter64 as uint64 */
    unsigned char *buf; /* OCTETS, IPADDR, OPAQUE: bytes (NUL added past len); OID: NULL */
    size_t len;         /* byte length, or for OID the number of sub-ids in oidval */
    uint32_t *oidval;   /* OID value */
};
struct snmpc_vbset {
    struct snmpc_vb *v;
    size_t n, cap;
    size_t max; /* refuse adds past this many (0 = 100000) */
};
void snmpc_vbset_init(struct snmpc_vbset *s);
void snmpc_vbset_cleanup(struct snmpc_vbset *s);
/* Adds or replaces the value at oid. val/len: bytes for OCTETS/IPADDR/OPAQUE, uint32_t sub-ids
 * for OID (len = count), ignored otherwise (num is used). Returns: 0, GW_E_INVAL (oid too long
 * or empty), GW_E_TOOBIG (set full). */
int snmpc_vbset_add(struct snmpc_vbset *s, const uint32_t *oid, size_t oid_len,
                    enum snmpc_vtype type, int64_t num, const void *val, size_t len);
/* Returns: the exact vb at oid, or NULL. Borrowed until the set changes. */
const struct snmpc_vb *snmpc_vbset_get(const struct snmpc_vbset *s, const uint32_t *oid,
                                       size_t oid_len);
/* Returns: index of the first vb at or after prefix (binary search), to iterate a subtree
 * while snmpc_oid_has_prefix() holds. */
size_t snmpc_vbset_lower_bound(const struct snmpc_vbset *s, const uint32_t *prefix, size_t len);
bool snmpc_oid_has_prefix(const uint32_t *oid, size_t oid_len, const uint32_t *prefix,
                          size_t prefix_len);
int snmpc_oid_cmp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen);
/* Parses "1.3.6.1.2.1.1.1.0" (leading dot allowed). Returns: count of sub-ids, or GW_E_PARSE. */
int snmpc_oid_parse(const char *text, uint32_t *oid, size_t max);
/* Formats without leading dot into buf. Returns: buf. */
char *snmpc_oid_format(const uint32_t *oid, size_t len, char *buf, size_t buflen);
/* Loads an snmpsim recording ("OID|tag|value" lines, tags 2 4 4x 6 64 65 66 67 70, values
 * "<private>" kept as text). Returns: 0, -errno, GW_E_PARSE naming file:line. */
int snmpc_vbset_load_snmprec(struct snmpc_vbset *s, const char *path, struct gw_errbuf *eb);
int snmpc_vbset_parse_snmprec(struct snmpc_vbset *s, const char *text, size_t len, const char *name,
                              struct gw_errbuf *eb);

/* ---------------------------------------------------------------------------------------------
 * Counter catalogue: a data file (snmp/counters.catalogue, installed to the data dir) listing
 * vendor-private counters, so new models need no new binary. See the file's header comment for
 * its grammar.
 */
struct snmpc_catalogue;
struct snmpc_cat_entry {
    uint32_t enterprise; /* from sysObjectID 1.3.6.1.4.1.<enterprise> */
    char vendor[32];
    char name[64]; /* "total", "print_total", "copy_mono", ... */
    uint32_t oid[SNMPC_MAX_OID];
    size_t oid_len;
    int role;         /* SNMPC_ROLE_* */
    int priority;     /* among entries of one role: lower wins */
    bool keep_series; /* role=model: keep a trailing " series" (option series=keep) */
    /* "text=leading_number": the value is an OCTET STRING whose leading decimal number is
     * the count ("89667 INCHES, 227775 CENTIMETERS"), not an integer syntax. */
    bool leading_number;
};
#define SNMPC_ROLE_OTHER 0
#define SNMPC_ROLE_TOTAL 1 /* candidate billing total */
/* A catalogue is reference-counted: its content never changes once loaded, so a reload makes a
 * new one, and every holder that keeps one past a call (a running poll or sweep, the daemon's
 * discovery module and SNMP driver) takes its own reference and drops it with
 * snmpc_catalogue_free(). The count is not atomic: loop thread only. */
/* Loads and parses the file at path.
 * [in] path: borrowed for the call. [out] out: the catalogue with one reference (the
 * caller's), caller frees with snmpc_catalogue_free(); NULL on failure.
 * Returns: 0, SNMPC_E_CATALOGUE (eb names file:line), -errno. Loop thread only. */
int snmpc_catalogue_load(const char *path, struct snmpc_catalogue **out, struct gw_errbuf *eb);
/* As snmpc_catalogue_load() from text (len bytes) named name in errors. */
int snmpc_catalogue_parse(const char *text, size_t len, const char *name,
                          struct snmpc_catalogue **out, struct gw_errbuf *eb);
/* Takes one more reference to c.
 * [in] c: may be NULL; keeps a reference until the matching snmpc_catalogue_free().
 * Returns: c. Loop thread only. */
const struct snmpc_catalogue *snmpc_catalogue_ref(const struct snmpc_catalogue *c);
/* Drops one reference to c and frees it when that was the last one. NULL is a no-op.
 * [in] c: the caller's reference; c must not be used by this caller afterwards.
 * Loop thread only. */
void snmpc_catalogue_free(const struct snmpc_catalogue *c);
/* Returns: the entries for enterprise (count in *n), borrowed from c; NULL/0 if none. */
const struct snmpc_cat_entry *snmpc_catalogue_vendor(const struct snmpc_catalogue *c,
                                                     uint32_t enterprise, size_t *n);
/* Returns: vendor name for an enterprise number seen in the catalogue or a built-in list of
 * printer makers, or NULL. */
const char *snmpc_vendor_name(const struct snmpc_catalogue *c, uint32_t enterprise);

/* ---------------------------------------------------------------------------------------------
 * Decoding (pure functions; table-driven unit tests and a fuzz target cover them)
 */
/* Decodes everything the set holds into m (which the caller has gw_model_init()ed). Never fails
 * on bad values: wrong types, truncated strings and absurd numbers are skipped or flagged. */
void snmpc_model_decode(const struct snmpc_vbset *s, const struct snmpc_catalogue *cat,
                        struct gw_model *m);
/* Supply state from Printer-MIB level and max capacity; *percent gets 0..100 or -1. The same as
 * gw_supply_state(), which soap/ uses for WS-Print consumables. */
enum gw_supply_state snmpc_supply_state(long level, long max_capacity, int *percent);
/* hrPrinterDetectedErrorState octets to gw_condition bits. */
uint32_t snmpc_error_state_decode(const unsigned char *buf, size_t len);

/* ---------------------------------------------------------------------------------------------
 * Asynchronous sessions
 */
struct snmpc_target {
    const char *host; /* IP literal or host name (resolved by the caller for now) */
    uint16_t port;    /* 0 = 161 */
    enum gw_snmp_version version;
    const char *community;
    const char *sec_name;
    enum gw_sec_level sec_level;
    const char *auth_proto; /* "MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512" */
    const char *auth_pass;
    const char *priv_proto; /* "DES", "AES", "AES-192", "AES-256" */
    const char *priv_pass;
    const char *context;
    unsigned timeout_ms; /* per try; 0 = 2000 */
    unsigned retries;
    unsigned max_repetitions; /* GETBULK; 0 = 20 */
    unsigned deadline_ms;     /* whole poll; 0 = no deadline beyond per-try timeouts */
};

struct snmpc_session;
typedef void (*snmpc_close_cb)(void *arg);
/* Opens a session for one device on loop (no packet is sent yet; v3 engine discovery happens
 * asynchronously on the first request). Secrets are copied and wiped on close.
 * Returns: 0, SNMPC_E_SESSION, SNMPC_E_PROTO (unknown auth/priv protocol), GW_E_INVAL. */
int snmpc_session_new(uv_loop_t *loop, const struct snmpc_target *t, struct snmpc_session **out,
                      struct gw_errbuf *eb);
/* Closes the libuv handles and the net-snmp session; a running poll completes with
 * -ECANCELED first. Memory is freed before cb runs (cb may be NULL). */
void snmpc_session_close(struct snmpc_session *s, snmpc_close_cb cb, void *arg);
/* Returns: the discovered v3 engine ID as hex in buf ("" before discovery / for v1, v2c). */
const char *snmpc_session_engine_id(const struct snmpc_session *s, char *buf, size_t len);

enum snmpc_poll_kind {
    SNMPC_POLL_FULL,  /* identity, counters, supplies, status, alerts */
    SNMPC_POLL_STATUS /* only the cheap status and alert objects */
};
/* Poll outcome: status 0 with the varbinds collected, or SNMPC_E_TIMEOUT, SNMPC_E_AUTH_*,
 * SNMPC_E_PRIV_KEY, SNMPC_E_TIME_WINDOW, SNMPC_E_PDU (detail says which error on which OID),
 * -ECANCELED. vbs and detail are borrowed for the callback only. */
typedef void (*snmpc_poll_cb)(struct snmpc_session *s, int status, const struct snmpc_vbset *vbs,
                              const char *detail, void *arg);
/* Starts one poll: GETs for scalars, GETBULK (GETNEXT for v1) walks of the printer tables,
 * GETs of the catalogue's counters for the device's enterprise. At most one poll per session at
 * a time. [in] cat: may be NULL; keeps a reference until cb has returned (a reload during the
 * poll does not change what it reads).
 * Returns: 0 (cb runs exactly once), GW_E_BUSY, or a negative code (cb never runs). */
int snmpc_poll_start(struct snmpc_session *s, enum snmpc_poll_kind kind,
                     const struct snmpc_catalogue *cat, snmpc_poll_cb cb, void *arg);

#endif
