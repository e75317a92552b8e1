/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Public interface of discovery/ (libdisc.a): the target syntax admins type (IPv4 ranges, CIDR,
 * address plus subnet mask, host names, an exclude list) and the SNMP sweep engine that walks
 * those targets on the gateway's one libuv loop at a packets-per-second limit and reports the
 * printers it finds. Targets are kept as sorted, merged IPv4 intervals with the excludes already
 * subtracted, so a sweep position is a single index: that is what makes progress (done/total)
 * and resuming after a restart cheap.
 */
#ifndef DISC_H
#define DISC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "gateway/gw.h"
#include "snmp/snmpc.h"

/* ---------------------------------------------------------------------------------------------
 * Targets
 */

/* Addresses above this need DISC_TARGETS_CONFIRMED (a /16). */
#define DISC_TARGETS_MAX_UNCONFIRMED 65536u
/* Hard ceiling even when confirmed (a /8): bounds memory and sweep time. */
#define DISC_TARGETS_MAX 16777216u

/* Flags for disc_targets_parse(). */
#define DISC_TARGETS_CONFIRMED 0x1u /* the admin confirmed a sweep larger than a /16 */

/* Inclusive IPv4 interval, host byte order. */
struct disc_range {
    uint32_t first;
    uint32_t last;
};

struct disc_targets {
    struct disc_range *ranges; /* sorted, disjoint, non-adjacent, excludes removed */
    size_t nranges;
    char **hosts; /* host names, resolved when the sweep starts */
    size_t nhosts;
    uint64_t count; /* addresses in ranges (host names not counted) */
};

/* Parses a target list and an exclude list into t (which must be zeroed or cleaned up).
 * Items are separated by commas, semicolons or newlines; an item is an IPv4 address, a range
 * `A-B`, CIDR `A/N`, `A MASK` (dotted subnet mask after white space) or a host name. Excludes
 * use the same syntax without host names. Errors name the item by position and text, e.g.
 * "target 3: '10.0.0.300': octet out of range".
 * [out] t, [in] spec, [in] exclude (may be NULL), [in] flags DISC_TARGETS_*, [out] eb.
 * Returns: 0, DISC_E_TARGET (syntax, IPv6, empty), DISC_E_TOO_LARGE (needs confirmation or
 * beyond DISC_TARGETS_MAX). On failure t is left empty. Any thread. */
int disc_targets_parse(struct disc_targets *t, const char *spec, const char *exclude,
                       unsigned flags, struct gw_errbuf *eb);
/* Frees what disc_targets_parse() allocated; t is left empty and reusable. */
void disc_targets_cleanup(struct disc_targets *t);
/* Returns: the index-th address (host byte order) of t's ranges, index < t->count. */
uint32_t disc_targets_at(const struct disc_targets *t, uint64_t index);
/* Formats a host-order IPv4 address into buf (at least 16 bytes). Returns: buf. */
char *disc_addr_format(uint32_t addr, char *buf, size_t len);
/* Parses one dotted IPv4 address (s NUL-terminated) into *out (host byte order).
 * Returns: 0, or DISC_E_TARGET with *why set to a static reason. Any thread. */
int disc_addr_parse(const char *s, uint32_t *out, const char **why);

/* ---------------------------------------------------------------------------------------------
 * SNMP sweep
 */

/* One printer found by a sweep. Borrowed for the callback only. */
struct disc_found {
    uint32_t addr;                /* host byte order */
    const char *address;          /* the same, dotted */
    size_t credential_index;      /* which of the sweep's credentials answered (0 for WSD only) */
    const char *credential;       /* its name; "" when only WSD answered */
    const char *how;              /* "snmp-v1", "snmp-v2c", "snmp-v3" or "wsd" */
    const char *found_by;         /* "snmp", "wsd" or "snmp+wsd" */
    const char *uuid;             /* WS-Discovery endpoint UUID, "" without WSD */
    const char *xaddrs;           /* its XAddrs (space-separated URLs), "" or NULL without WSD */
    const struct gw_model *model; /* SNMP identity, or what the WSD metadata said */
};

/* Most interfaces a sweep sends multicast Probes out of. */
#define DISC_WSD_IF_MAX 8

/* An interface a sweep sent multicast Probes out of. */
struct disc_wsd_if {
    char name[16];    /* interface name ("" if the address names no local interface) */
    char address[16]; /* its IPv4 address, dotted */
    unsigned prefix;  /* its netmask as a prefix length (0 when unknown) */
};

/* Counters of a running or finished sweep. */
struct disc_progress {
    uint64_t total;      /* addresses */
    uint64_t done;       /* addresses finished (including those skipped by a resume) */
    uint64_t checkpoint; /* every index below this is finished: where a resume starts */
    uint64_t responders; /* addresses that answered anything */
    uint64_t printers;
    uint64_t packets;        /* paced packets: SNMP first packets (one per address and credential
                       * tried) plus WS-Discovery Probes */
    uint64_t wsd_packets;    /* WS-Discovery Probes among them */
    uint64_t wsd_responders; /* addresses that sent a ProbeMatch */
    /* How WS-Discovery is done: "off" (no WSD, or its socket did not open), "directed" (a Probe
     * per address), "multicast" (every target is on a subnet probed by multicast), "mixed". */
    const char *wsd_mode;         /* static string */
    uint64_t wsd_multicast_addrs; /* target addresses covered by multicast (no directed Probe) */
    unsigned wsd_nif;             /* interfaces the multicast Probes go out of */
    struct disc_wsd_if wsd_if[DISC_WSD_IF_MAX];
    double elapsed_s;
    double eta_s; /* -1 until it can be estimated */
};

struct disc_sweep;
/* A printer was found. Loop thread. */
typedef void (*disc_found_cb)(struct disc_sweep *sw, const struct disc_found *f, void *arg);
/* The sweep ended: status 0, or -ECANCELED after disc_sweep_stop(). The sweep is freed after
 * the callback returns. Loop thread. */
typedef void (*disc_done_cb)(struct disc_sweep *sw, int status, const struct disc_progress *p,
                             void *arg);

struct disc_sweep_opts {
    const struct disc_targets *targets; /* keeps a reference until done_cb */
    const struct gw_credential *creds;  /* tried in order; keeps a reference until done_cb */
    size_t ncreds;
    const struct snmpc_catalogue *cat; /* may be NULL; keeps a reference until done_cb */
    uint16_t port;                     /* 0 = 161 */
    unsigned pps;                      /* first packets per second; 0 = 500 */
    unsigned max_in_flight;            /* addresses at once; 0 = pps x timeout x 1.25, fd bound */
    unsigned timeout_ms;               /* wait for a first answer; 0 = 1000 */
    unsigned deadline_ms;              /* whole identity read of a responder; 0 = 15000 */
    bool wsd;                          /* also probe with WS-Discovery */
    uint16_t wsd_port;                 /* WS-Discovery port; 0 = 3702 */
    const char *wsd_interface; /* IPv4 address of the interface for one multicast Probe instead
                                * of a directed Probe per address; NULL = automatic: targets on
                                * the subnet of an up, multicast-capable interface are covered
                                * by multicast Probes (sent 3 times) out of it, the others get
                                * directed Probes. Copied */
    unsigned wsd_timeout_ms;   /* wait for a ProbeMatch; 0 = timeout_ms */
    unsigned wsd_info_max;     /* device metadata reads at once; 0 = 4 */
    uint64_t start_index;      /* resume point (disc_progress.checkpoint) */
    disc_found_cb found_cb;
    disc_done_cb done_cb; /* required */
    void *arg;
};

/* Starts a sweep on loop. Each address is probed with the credentials in order, one packet
 * per try paced at pps; a v3 try that gets no answer at all (not even the engine-discovery
 * Report) ends the address, so a silent address costs one packet per v1/v2c credential before
 * the first v3 one. An address that answers gets a full poll whose model tells printers
 * (Printer-MIB or hrDeviceType printer) from other SNMP devices.
 * Returns: 0 (done_cb runs exactly once), GW_E_INVAL (no credentials, no targets, bad start
 * index). Loop thread only. */
int disc_sweep_start(uv_loop_t *loop, const struct disc_sweep_opts *o, struct disc_sweep **out);
/* Stops: probes in flight are cancelled, done_cb runs with -ECANCELED. Loop thread only. */
void disc_sweep_stop(struct disc_sweep *sw);
/* Fills p with the sweep's counters. Loop thread only. */
void disc_sweep_progress(const struct disc_sweep *sw, struct disc_progress *p);
/* Sets "wsd_mode" (p->wsd_mode) and "wsd_interfaces" (an array of {"name", "address",
 * "prefix"}) in the object o. */
void disc_progress_wsd_json(const struct disc_progress *p, json_t *o);
/* Formats how WSD was done for people: "multicast via lo 127.0.0.1/8", "directed", "off".
 * Returns: buf. */
char *disc_progress_wsd_text(const struct disc_progress *p, char *buf, size_t len);

/* ---------------------------------------------------------------------------------------------
 * Identity merge: a found printer against the registry. The address is an attribute; identity
 * is the normalized serial number plus MAC, with the WS-Discovery endpoint UUID and the SNMPv3
 * engine ID as secondary keys (the engine ID only when a device shows neither serial nor MAC:
 * printers of one model may share an engine ID; neither overrides a serial or MAC that
 * differs). A device at the same address whose keys do not contradict the found one's is the
 * same device seen through the other protocol. The rules are listed in merge.c.
 */
struct disc_ident {
    int64_t id; /* registry id; 0 for a found device */
    const char *serial, *mac, *engine_id;
    const char *address;
    uint16_t port;
    const char *uuid; /* WS-Discovery endpoint UUID; NULL or "" if unknown */
};

enum disc_merge_kind {
    DISC_MERGE_NEW,   /* no registered device is this one */
    DISC_MERGE_SAME,  /* registered, same address */
    DISC_MERGE_MOVED, /* registered at another address */
};

/* Uppercases and keeps only letters and digits ("ab-12 3" -> "AB123"). */
void disc_serial_normalize(const char *in, char *out, size_t len);
/* Any of "00:11:22:AA:BB:CC", "00-11-22-aa-bb-cc", "0011.22aa.bbcc", "001122aabbcc" to
 * "00:11:22:aa:bb:cc"; anything else (and 00:00:00:00:00:00) to "". */
void disc_mac_normalize(const char *in, char *out, size_t len);
/* Matches found against known[0..n). Returns: the kind, with *index set for SAME and MOVED. */
enum disc_merge_kind disc_merge_match(const struct disc_ident *known, size_t n,
                                      const struct disc_ident *found, size_t *index);

/* What disc_merge_apply() did. */
struct disc_merge_result {
    enum disc_merge_kind kind;
    int64_t device_id; /* 0 when a new device was not registered */
    bool registered;   /* a new device was added */
    bool transport;    /* how the poller reaches a known device changed (WSD -> SNMP, XAddrs) */
};
/* Matches a found printer against db's registry and applies the result: a moved device gets
 * its new address, a "device_moved" event and a `device.moved` bus event; a new one is added
 * (and its identity stored) when auto_register is set. Loop thread (or the CLI's only thread).
 * Returns: 0, GW_E_DB, GW_E_EXISTS (the new address belongs to another registered device). */
int disc_merge_apply(struct gw_db *db, const struct disc_found *f, uint16_t port,
                     int64_t credential_id, bool auto_register, struct disc_merge_result *res);

/* ---------------------------------------------------------------------------------------------
 * Discovery settings and runs (run.c). The running module is a handle, struct disc_ctx, that
 * the daemon makes with disc_init() and passes to disc_start() and disc_stop() on its loop; no
 * state is static. The operations (disc_ops) and disc_status() take the handle or NULL: they
 * also work without a running module, on a store the CLI opened (a run then executes on a
 * private loop until done).
 * Settings, run progress (a checkpoint every second) and the printers found are kept in the
 * disc_settings, disc_runs and disc_found tables, so a run interrupted by a restart resumes
 * where it stopped.
 */
typedef void (*disc_changed_cb)(void *arg); /* the device registry changed */

struct disc_env {
    uv_loop_t *loop;
    struct gw_db *db;
    const struct gw_vault *vault;
    const struct snmpc_catalogue *cat; /* may be NULL; disc_init() takes a reference */
    disc_changed_cb changed_cb;        /* may be NULL */
    void *arg;
};

/* Creates or upgrades the disc_* tables. Returns: 0, GW_E_DB, GW_E_SCHEMA. */
int disc_db_migrate(struct gw_db *db, struct gw_errbuf *eb);
/* The running discovery module (run.c). */
struct disc_ctx;
/* Called once when disc_stop() has closed everything. */
typedef void (*disc_stopped_cb)(void *arg);
/* Creates or upgrades the tables and makes the handle.
 * [in] env: copied; its pointers are borrowed until disc_stop()'s callback, except env->cat:
 * keeps a reference until disc_stop() has closed everything or disc_set_catalogue().
 * [out] out: the handle, set only on success; disc_stop() frees it.
 * Returns: 0 or <0. */
int disc_init(const struct disc_env *env, struct disc_ctx **out, struct gw_errbuf *eb);
/* Hands the module a new counter catalogue (on reload): sweeps started from now use it, sweeps
 * under way finish with the one they started with.
 * [in,out] m: may be NULL (no-op). [in] cat: may be NULL; keeps a reference until disc_stop()
 * has closed everything or the next call (the old one's reference is dropped).
 * Loop thread only. */
void disc_set_catalogue(struct disc_ctx *m, const struct snmpc_catalogue *cat);
/* Resumes interrupted runs and starts the schedule timer. Returns: 0, GW_E_INVAL (already
 * started or stopping). */
int disc_start(struct disc_ctx *m);
/* Stops runs (their progress stays, to resume at the next start) and the timer, then frees m
 * and runs cb(arg) exactly once, when everything is closed (at once when m is NULL). m must not
 * be used after this call. cb may be NULL. */
void disc_stop(struct disc_ctx *m, disc_stopped_cb cb, void *arg);

/* What discovery's operations get as ctx->mod. ctx->mod may also be NULL: no module, no
 * catalogue. */
struct disc_op_env {
    struct disc_ctx *m;                /* the running module (its sweeps, and where discover.run
                                        * starts one); NULL without a daemon */
    const struct snmpc_catalogue *cat; /* for a run without a daemon; may be NULL */
};
/* Discovery's operations (gateway/gw_op.h): discover.add, .set, .list, .show, .remove and
 * .run, against ctx->db; ctx->mod is a struct disc_op_env * (or NULL). Without a running
 * module, discover.run runs on a private loop until the sweep ends. */
extern const struct gw_op disc_ops[];
extern const size_t disc_n_ops;
/* Adds a "discovery" object (settings, running sweeps with progress of m, NULL for none, last
 * run) to status. */
void disc_status(struct disc_ctx *m, struct gw_db *db, json_t *status);

#endif
