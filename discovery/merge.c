/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Identity merge: decides whether a printer a sweep found is a registered device, and applies
 * the answer to the registry. The matching is a pure function over identity records so its
 * rules have table-driven unit tests; applying it reads the registry, then updates or inserts
 * on the caller's (single) thread, so two sweeps on the same loop can never both insert one
 * printer: the second one finds the first one's row.
 *
 * Rules, strongest first:
 *  1. serial and MAC both known on both sides: both must be equal;
 *  2. one side lacks the MAC: equal serials match;
 *  3. one side lacks the serial: equal MACs match;
 *  4. the WS-Discovery endpoint UUID: a registered device with the found device's UUID matches
 *     when exactly one has it and no serial or MAC both sides know differs;
 *  5. the found device shows neither serial nor MAC: a registered device with the same engine
 *     ID matches, but only if exactly one has it (shared engine IDs exist: cloned firmware);
 *  6. a registered device that was never polled (no serial, MAC, engine ID or UUID) matches by
 *     address and port: it is the device the admin registered there;
 *  7. a registered device at the same address and port whose identity is compatible with the
 *     found one (the found device shows at least one key; no serial, MAC, UUID or engine ID
 *     both sides know differs): the same printer seen through the other protocol, e.g. a
 *     device registered through SNMP that a later sweep reaches only through WSD.
 * Rules 1-3 and 4 are what make a printer that moved the same device; 7 never moves anything.
 *
 * Transport: a printer only WSD answered is registered as a WSD device (polled over WS-Print at
 * the XAddrs of its ProbeMatch); a WSD device a later sweep reaches over SNMP becomes an SNMP
 * device with the credential set that answered.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "discovery/disc_int.h"

void disc_serial_normalize(const char *in, char *out, size_t len)
{
    size_t o = 0;
    if (len == 0)
        return;
    for (; in && *in && o + 1 < len; in++)
        if (isalnum((unsigned char)*in))
            out[o++] = (char)toupper((unsigned char)*in);
    out[o] = '\0';
}

void disc_mac_normalize(const char *in, char *out, size_t len)
{
    char hex[12];
    size_t n = 0;
    bool nonzero = false;
    if (len == 0)
        return;
    out[0] = '\0';
    for (; in && *in; in++) {
        if (isxdigit((unsigned char)*in)) {
            if (n == 12)
                return;
            hex[n++] = (char)tolower((unsigned char)*in);
            nonzero |= *in != '0';
        } else if (*in != ':' && *in != '-' && *in != '.' && *in != ' ') {
            return;
        }
    }
    if (n != 12 || !nonzero || len < 18)
        return;
    for (size_t i = 0; i < 6; i++) {
        out[i * 3] = hex[i * 2];
        out[i * 3 + 1] = hex[i * 2 + 1];
        out[i * 3 + 2] = i < 5 ? ':' : '\0';
    }
}

struct norm {
    char serial[64];
    char mac[18];
    const char *engine;
    const char *uuid;
};

static void norm_of(const struct disc_ident *d, struct norm *n)
{
    disc_serial_normalize(d->serial, n->serial, sizeof n->serial);
    disc_mac_normalize(d->mac, n->mac, sizeof n->mac);
    n->engine = d->engine_id && *d->engine_id ? d->engine_id : NULL;
    n->uuid = d->uuid && *d->uuid ? d->uuid : NULL;
}

/* Both sides know the key and it differs. */
static bool differs(const char *a, const char *b)
{
    return a && b && *a && *b && strcasecmp(a, b) != 0;
}

/* No serial or MAC both sides know differs. */
static bool primary_compatible(const struct norm *k, const struct norm *f)
{
    return !differs(k->serial, f->serial) && !differs(k->mac, f->mac);
}

static bool same_addr(const struct disc_ident *a, const struct disc_ident *b)
{
    return a->address && b->address && strcmp(a->address, b->address) == 0 &&
           (a->port ? a->port : 161) == (b->port ? b->port : 161);
}

/* Rules 1-3. */
static bool primary_match(const struct norm *k, const struct norm *f)
{
    bool ser = k->serial[0] && f->serial[0];
    bool mac = k->mac[0] && f->mac[0];
    if (ser && mac)
        return strcmp(k->serial, f->serial) == 0 && strcmp(k->mac, f->mac) == 0;
    if (ser)
        return strcmp(k->serial, f->serial) == 0;
    if (mac)
        return strcmp(k->mac, f->mac) == 0;
    return false;
}

enum disc_merge_kind disc_merge_match(const struct disc_ident *known, size_t n,
                                      const struct disc_ident *found, size_t *index)
{
    struct norm f, k;
    norm_of(found, &f);
    size_t hit = SIZE_MAX, engine_hit = SIZE_MAX, uuid_hit = SIZE_MAX, addr_hit = SIZE_MAX,
           compat_hit = SIZE_MAX;
    unsigned engine_hits = 0, uuid_hits = 0;
    bool any_key = f.serial[0] || f.mac[0] || f.uuid || f.engine;
    for (size_t i = 0; i < n; i++) {
        norm_of(&known[i], &k);
        if ((f.serial[0] || f.mac[0]) && primary_match(&k, &f)) {
            hit = i;
            break;
        }
        if (f.uuid && k.uuid && strcasecmp(f.uuid, k.uuid) == 0) {
            uuid_hits++;
            if (primary_compatible(&k, &f))
                uuid_hit = i;
        }
        if (f.engine && k.engine && strcmp(f.engine, k.engine) == 0) {
            engine_hit = i;
            engine_hits++;
        }
        if (!same_addr(&known[i], found))
            continue;
        if (!k.serial[0] && !k.mac[0] && !k.engine && !k.uuid && addr_hit == SIZE_MAX)
            addr_hit = i;
        if (any_key && primary_compatible(&k, &f) && !differs(k.uuid, f.uuid) &&
            !differs(k.engine, f.engine) && compat_hit == SIZE_MAX)
            compat_hit = i;
    }
    if (hit == SIZE_MAX && uuid_hits == 1)
        hit = uuid_hit;
    if (hit == SIZE_MAX && !f.serial[0] && !f.mac[0] && engine_hits == 1)
        hit = engine_hit;
    if (hit == SIZE_MAX)
        hit = addr_hit;
    if (hit == SIZE_MAX)
        hit = compat_hit;
    if (hit == SIZE_MAX)
        return DISC_MERGE_NEW;
    *index = hit;
    return same_addr(&known[hit], found) ? DISC_MERGE_SAME : DISC_MERGE_MOVED;
}

struct regcopy {
    struct gw_device *v;
    size_t n, cap;
};

static int collect(const struct gw_device *d, void *arg)
{
    struct regcopy *rc = arg;
    if (rc->n == rc->cap) {
        rc->cap = rc->cap ? rc->cap * 2 : 64;
        rc->v = gw_realloc(rc->v, rc->cap * sizeof(*rc->v));
    }
    rc->v[rc->n++] = *d;
    return 0;
}

int disc_merge_apply(struct gw_db *db, const struct disc_found *f, uint16_t port,
                     int64_t credential_id, bool auto_register, struct disc_merge_result *res)
{
    struct regcopy reg = {0};
    int rc;
    memset(res, 0, sizeof(*res));
    /* The registry is read per found printer: sweeps find few printers per second, and a
     * fresh read is what keeps two sweeps from registering one printer twice. */
    if ((rc = gw_device_foreach(db, collect, &reg)) < 0)
        goto out;
    struct disc_ident *ids = gw_calloc(reg.n ? reg.n : 1, sizeof(*ids));
    for (size_t i = 0; i < reg.n; i++) {
        ids[i].id = reg.v[i].id;
        ids[i].serial = reg.v[i].serial;
        ids[i].mac = reg.v[i].mac;
        ids[i].engine_id = reg.v[i].engine_id;
        ids[i].address = reg.v[i].address;
        ids[i].port = reg.v[i].port;
        ids[i].uuid = reg.v[i].wsd_uuid;
    }
    struct disc_ident fi = {0,    f->model->serial, f->model->mac, f->model->engine_id, f->address,
                            port, f->uuid};
    size_t idx = 0;
    res->kind = disc_merge_match(ids, reg.n, &fi, &idx);
    int64_t now = gw_now();
    if (res->kind != DISC_MERGE_NEW && f->uuid && *f->uuid &&
        strcasecmp(reg.v[idx].wsd_uuid, f->uuid) != 0)
        gw_device_set_wsd_uuid(db, ids[idx].id, f->uuid);
    /* How the poller reaches it: a WSD device that now answers SNMP becomes SNMP-polled (SNMP
     * gives counters, WS-Print does not); a WSD device keeps the XAddrs it was last found at. */
    bool snmp_answered = !f->found_by || strncmp(f->found_by, "snmp", 4) == 0;
    if (res->kind != DISC_MERGE_NEW && strcmp(reg.v[idx].transport, "wsd") == 0) {
        if (snmp_answered) {
            if (gw_device_set_transport(db, ids[idx].id, "snmp", credential_id, NULL) == 0) {
                res->transport = true;
                gw_log_notice(DISC, "device answers SNMP, polled over SNMP now device=%lld",
                              (long long)ids[idx].id);
            }
        } else if (f->xaddrs && *f->xaddrs && strcmp(reg.v[idx].wsd_xaddrs, f->xaddrs) != 0) {
            res->transport = gw_device_set_transport(db, ids[idx].id, "wsd", 0, f->xaddrs) == 0;
        }
    }
    if (res->kind == DISC_MERGE_SAME) {
        res->device_id = ids[idx].id;
    } else if (res->kind == DISC_MERGE_MOVED) {
        const struct gw_device *d = &reg.v[idx];
        res->device_id = d->id;
        rc = gw_device_set_address(db, d->id, f->address, port);
        if (rc == 0) {
            char detail[320];
            snprintf(detail, sizeof detail, "from %s:%u to %s:%u", d->address, d->port, f->address,
                     port ? port : 161);
            gw_event_add(db, d->id, "device_moved", detail, now);
            gw_log_notice(DISC, "device moved device=%lld from=%s to=%s", (long long)d->id,
                          d->address, f->address);
            gw_bus_publish("device.moved",
                           json_pack("{s:I, s:s, s:s}", "device_id", (json_int_t)d->id, "from",
                                     d->address, "address", f->address));
        }
    } else if (auto_register) {
        struct gw_device d = {0};
        struct gw_errbuf eb = {""};
        snprintf(d.name, sizeof d.name, "%.60s %.60s",
                 f->model->model[0] ? f->model->model : "printer",
                 f->model->serial[0] ? f->model->serial : f->address);
        gw_strlcpy(d.address, f->address, sizeof d.address);
        d.port = port ? port : 161;
        d.credential_id = credential_id;
        rc = gw_device_add(db, &d, &eb);
        if (rc == 0) {
            res->device_id = d.id;
            res->registered = true;
            /* The sweep's full poll is a first poll: store the identity so the next sweep
             * matches this device even before the poller reaches it. */
            gw_store_poll_ok(db, d.id, f->model, now);
            if (f->uuid && *f->uuid)
                gw_device_set_wsd_uuid(db, d.id, f->uuid);
            /* A printer only WSD answered is polled over WS-Print at its XAddrs; the credential
             * set stays stored (the schema needs one) but is not used until SNMP answers. */
            if (!snmp_answered)
                gw_device_set_transport(db, d.id, "wsd", 0, f->xaddrs ? f->xaddrs : "");
            gw_bus_publish("device.added",
                           json_pack("{s:I, s:s, s:s, s:s}", "device_id", (json_int_t)d.id,
                                     "address", d.address, "source", "discovery", "found_by",
                                     f->found_by ? f->found_by : "snmp"));
        } else {
            gw_log_warn(DISC, "registering a found printer failed address=%s err=%s", f->address,
                        eb.msg[0] ? eb.msg : gw_strerror(rc));
        }
    }
    free(ids);
out:
    free(reg.v);
    return rc;
}
