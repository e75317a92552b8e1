/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Simulated devices: identity, state, and how the state changes over time.
 *
 * Identity (serial number, MAC, SNMP engine ID) and the initial state (life count, uptime,
 * supply levels, page rate) come from a per-device random stream seeded from --seed and the
 * device index, so the same seed gives the same fleet. Serials and MACs are made unique by
 * construction rather than by luck: each is an affine map of the device index modulo the size
 * of its space, which is a bijection while the multiplier is coprime with that size.
 *
 * Time advances in ticks of one second (sim.c's timer). A tick prints pages at each device's
 * rate in jobs of a few pages, wears the supplies those pages use, refills empty ones after a
 * while, ends timed conditions and applies random events at --events-per-hour. Events and job
 * sizes are drawn from the seeded streams in tick order, so a run is reproducible in terms of
 * ticks. Counters only ever grow, except when the control socket sets them lower on purpose.
 *
 * Page counters are kept as leaves (prints, copies and faxes by colour mode, and scans) and
 * every reported counter is a sum of leaves, so totals and their parts always agree. The
 * prtAlertTable rows are derived from the current conditions: a row appears with a new
 * prtAlertIndex when its condition starts and disappears when it ends.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/fleetsim/fleetsim.h"

#define T_SPECIAL_NONE 0
#define NEVER          UINT32_MAX /* an "until" tick that never comes: a manual condition */
#define F_REBOOT_ON_UP (1u << 8)  /* the outage was a power cycle */
#define WARMUP_TICKS   15

static const struct t_profile *prof(const struct t_sim *sim, const struct t_dev *d)
{
    return &sim->prof[d->profile];
}

/* ---------------------------------------------------------------------------------------------
 * Identity
 */
static uint64_t mix(uint64_t seed, uint64_t salt)
{
    uint64_t s = seed ^ (salt * 0xd1342543de82ef95ull);
    return t_rand(&s);
}

/* Varies the trailing letters and digits of the profile's serial template so that 10^8 serials
 * are possible, keeping its prefix (often a model code) and punctuation. */
static void make_serial(const struct t_sim *sim, const struct t_profile *p, uint32_t index,
                        char *out)
{
    size_t len = strlen(p->serial);
    size_t pos[T_SERIAL_MAX];
    size_t npos = 0;
    uint64_t space = 1;
    memcpy(out, p->serial, len + 1);
    for (size_t i = len; i-- > 0 && space < 100000000ull;) {
        char c = out[i];
        if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
            pos[npos++] = i;
            space *= (c >= '0' && c <= '9') ? 10 : 26;
        }
    }
    /* 2654435761 is prime and so coprime with a product of 10s and 26s. */
    uint64_t v = ((uint64_t)index * 2654435761ull + mix(sim->opt.seed, 1) % space) % space;
    for (size_t k = 0; k < npos; k++) {
        char c = out[pos[k]];
        if (c >= '0' && c <= '9') {
            out[pos[k]] = (char)('0' + v % 10);
            v /= 10;
        } else {
            out[pos[k]] = (char)((c >= 'a' ? 'a' : 'A') + v % 26);
            v /= 26;
        }
    }
}

void t_dev_init(struct t_sim *sim, struct t_dev *d, uint32_t i)
{
    memset(d, 0, sizeof *d);
    d->index = i;
    d->addr = sim->opt.base + i;
    d->profile = (uint16_t)(i % sim->nprof);
    const struct t_profile *p = prof(sim, d);
    d->rng = mix(sim->opt.seed, 1000003ull + i);

    make_serial(sim, p, i, d->serial);
    /* MACs four apart, so that interfaces 1..3 of a device never meet another device's. */
    uint32_t low = (uint32_t)(((uint64_t)i * 2654435761ull + mix(sim->opt.seed, 2)) & 0x3fffff);
    low <<= 2;
    memcpy(d->mac, p->oui, 3);
    d->mac[3] = (uint8_t)(low >> 16);
    d->mac[4] = (uint8_t)(low >> 8);
    d->mac[5] = (uint8_t)low;
    /* RFC 3411 engine ID, format 3 (MAC address) under the model's enterprise. */
    d->engine_id[0] = (uint8_t)(0x80 | ((p->enterprise >> 24) & 0x7f));
    d->engine_id[1] = (uint8_t)(p->enterprise >> 16);
    d->engine_id[2] = (uint8_t)(p->enterprise >> 8);
    d->engine_id[3] = (uint8_t)p->enterprise;
    d->engine_id[4] = 3;
    memcpy(d->engine_id + 5, d->mac, 6);
    d->engine_len = 11;

    d->boots = (uint32_t)t_rand_range(&d->rng, 1, 40);
    int64_t up_ms = (int64_t)t_rand_range(&d->rng, 3600, 40 * 86400) * 1000;
    d->boot_ms = sim->now_ms - up_ms;

    /* Life counts spread over three orders of magnitude, as in a real fleet. */
    double u = (double)(t_rand(&d->rng) >> 11) / 9007199254740992.0;
    uint64_t life = (uint64_t)exp(log(500.0) + u * (log(900000.0) - log(500.0)));
    d->copy_pct = p->builtin ? (uint8_t)t_rand_range(&d->rng, 10, 45) : 0;
    d->fax_pct = p->builtin ? (uint8_t)t_rand_range(&d->rng, 0, 5) : 0;
    d->colour_pct = p->colour ? (uint8_t)t_rand_range(&d->rng, 10, 50) : 0;
    if (p->builtin) {
        uint64_t copy = life * d->copy_pct / 100, fax = life * d->fax_pct / 100;
        uint64_t print = life - copy - fax;
        uint64_t pc = print * d->colour_pct / 100, cc = copy * d->colour_pct / 100;
        d->leaf[0] = print - pc;
        d->leaf[1] = pc / 20;
        d->leaf[2] = pc - pc / 20;
        d->leaf[3] = copy - cc;
        d->leaf[4] = cc / 20;
        d->leaf[5] = cc - cc / 20;
        d->leaf[6] = fax;
        d->leaf[7] = copy * 3 / 5;
        d->leaf[8] = fax + fax / 4;
        d->leaf[9] = t_rand_range(&d->rng, 0, life / 10);
    } else {
        d->leaf[0] = life;
    }
    d->life_at_boot = life - t_rand_range(&d->rng, 0, life < 2000 ? life : 2000);
    uint64_t pph = t_rand_range(&d->rng, 10, 400);
    d->pph = (uint32_t)(pph * sim->opt.page_rate * 1000.0 / 3600.0); /* milli-pages per tick */
    d->job = (uint16_t)t_rand_range(&d->rng, 1, 12);

    for (size_t k = 0; k < p->nsup; k++) {
        const struct t_supply *s = &p->sup[k];
        if (s->level < 0 && s->level >= -3) {
            d->special[k] = (int8_t)s->level;
        } else if (s->max > 0 && s->max <= 2000000) {
            d->level[k] =
                (int64_t)t_rand_range(&d->rng, (uint64_t)s->max * 50, (uint64_t)s->max * 1000);
        } else {
            d->level[k] = (int64_t)s->level * 1000;
        }
    }
}

/* ---------------------------------------------------------------------------------------------
 * Derived values
 */
uint64_t t_dev_life(const struct t_sim *sim, const struct t_dev *d)
{
    uint64_t s = 0;
    uint16_t m = prof(sim, d)->page_leaves;
    for (int k = 0; k < T_NLEAF; k++)
        if (m & (1u << k))
            s += d->leaf[k];
    return s;
}

uint64_t t_dev_counter(const struct t_sim *sim, const struct t_dev *d, size_t ctr)
{
    const struct t_profile *p = prof(sim, d);
    const struct t_counter *c = &p->ctr[ctr];
    if (!c->scaled) {
        uint64_t s = 0;
        for (int k = 0; k < T_NLEAF; k++)
            if (c->leaves & (1u << k))
                s += d->leaf[k];
        return s;
    }
    if (!p->life0)
        return c->v0;
    /* v0 * life / life0 in 128 bits: a recorded value times a life count can pass 2^64. */
    unsigned __int128 x = (unsigned __int128)c->v0 * t_dev_life(sim, d) / p->life0;
    return x > UINT64_MAX ? UINT64_MAX : (uint64_t)x;
}

uint32_t t_dev_uptime(const struct t_sim *sim, const struct t_dev *d)
{
    return (uint32_t)((uint64_t)(sim->now_ms - d->boot_ms) / 10);
}

uint32_t t_dev_engine_time(const struct t_sim *sim, const struct t_dev *d)
{
    int64_t s = (sim->now_ms - d->boot_ms) / 1000;
    return s > INT32_MAX ? INT32_MAX : (uint32_t)s;
}

int64_t t_dev_level(const struct t_sim *sim, const struct t_dev *d, size_t slot)
{
    const struct t_supply *s = &prof(sim, d)->sup[slot];
    /* Asleep, many printers stop reporting levels: Printer-MIB's -2 (unknown). */
    if (d->flags & T_F_SLEEP)
        return -2;
    if (d->special[slot])
        return d->special[slot];
    if (s->max <= 0 || d->level[slot] <= 0)
        return d->level[slot] / 1000;
    return (d->level[slot] + 999) / 1000;
}

static bool is_toner(uint8_t type)
{
    return type == 3 || type == 5 || type == 6 || type == 21;
}

/* Percentage left of a consumable supply, or -1 when it has no numeric level. */
static int supply_pct(const struct t_profile *p, const struct t_dev *d, size_t k)
{
    const struct t_supply *s = &p->sup[k];
    if (d->special[k] || s->max <= 0 || s->usage == T_USE_NONE)
        return -1;
    if (d->level[k] <= 0)
        return 0;
    int64_t pct = d->level[k] / 10 / s->max;
    return pct < 1 ? 1 : pct > 100 ? 100 : (int)pct;
}

/* A device stops when paper is jammed, a cover is open, or a toner every page needs is out. */
static bool blocked(const struct t_sim *sim, const struct t_dev *d)
{
    const struct t_profile *p = prof(sim, d);
    if (d->flags & (T_F_JAM | T_F_DOOR))
        return true;
    for (size_t k = 0; k < p->nsup; k++)
        if (p->sup[k].usage == T_USE_ALL && is_toner(p->sup[k].type) && supply_pct(p, d, k) == 0)
            return true;
    return false;
}

size_t t_dev_errstate(const struct t_sim *sim, const struct t_dev *d, uint8_t buf[2])
{
    const struct t_profile *p = prof(sim, d);
    /* RFC 3805 bit 0 is the most significant bit of the first octet. */
    buf[0] = buf[1] = 0;
    if (d->flags & T_F_JAM)
        buf[0] |= 0x04; /* jammed */
    if (d->flags & T_F_DOOR)
        buf[0] |= 0x08; /* doorOpen */
    for (size_t k = 0; k < p->nsup; k++) {
        int pct = supply_pct(p, d, k);
        if (pct < 0 || pct > 10)
            continue;
        if (is_toner(p->sup[k].type))
            buf[0] |= pct == 0 ? 0x10 : 0x20; /* noToner : lowToner */
        else if (pct == 0)
            buf[0] |= 0x01; /* serviceRequested */
        else
            buf[1] |= 0x02; /* overduePreventMaint */
    }
    return buf[1] ? 2 : p->errstate_len;
}

int t_dev_prtstatus(const struct t_sim *sim, const struct t_dev *d)
{
    if (blocked(sim, d))
        return 1; /* other: stopped with an error */
    if (d->flags & T_F_SLEEP)
        return 3; /* idle */
    if (d->warm_until > sim->tick)
        return 5; /* warmup */
    if (d->printed_tick && d->printed_tick + 5 > sim->tick)
        return 4; /* printing */
    return 3;
}

int t_dev_devstatus(const struct t_sim *sim, const struct t_dev *d)
{
    if (blocked(sim, d))
        return 5; /* down */
    if (d->nalert)
        return 3; /* warning */
    return 2;     /* running */
}

const char *t_dev_console(const struct t_sim *sim, const struct t_dev *d)
{
    if (d->flags & T_F_JAM)
        return "Paper jam.";
    if (d->flags & T_F_DOOR)
        return "Cover is open.";
    if (blocked(sim, d))
        return "Toner is empty.";
    if (d->flags & T_F_SLEEP)
        return "Sleeping.";
    if (d->warm_until > sim->tick)
        return "Warming up.";
    if (d->printed_tick && d->printed_tick + 5 > sim->tick)
        return "Printing...";
    if (d->nalert)
        return "Toner is low.";
    return "Ready to print.";
}

/* ---------------------------------------------------------------------------------------------
 * Alerts
 */
static bool alert_critical(uint8_t kind)
{
    return kind != T_AK_SUPPLY_LOW;
}

static bool has_alert(const struct t_dev *d, uint8_t kind, uint8_t slot)
{
    for (size_t i = 0; i < d->nalert; i++)
        if (d->alert[i].kind == kind && d->alert[i].slot == slot)
            return true;
    return false;
}

/* Recomputes which conditions are active and updates the rows: kept rows keep their index and
 * time, ended ones go, new ones get the next prtAlertIndex. */
static void sync_alerts(struct t_sim *sim, struct t_dev *d)
{
    const struct t_profile *p = prof(sim, d);
    struct {
        uint8_t kind, slot;
    } want[T_MAX_ALERTS + T_MAX_SUPPLIES + 2];
    size_t nw = 0;
    if (d->flags & T_F_JAM)
        want[nw].kind = T_AK_JAM, want[nw++].slot = 0;
    if (d->flags & T_F_DOOR)
        want[nw].kind = T_AK_DOOR, want[nw++].slot = 0;
    for (size_t k = 0; k < p->nsup; k++) {
        int pct = supply_pct(p, d, k);
        if (pct >= 0 && pct <= 10) {
            want[nw].kind = pct == 0 ? T_AK_SUPPLY_EMPTY : T_AK_SUPPLY_LOW;
            want[nw++].slot = (uint8_t)k;
        }
    }
    size_t out = 0;
    for (size_t i = 0; i < d->nalert; i++) {
        bool keep = false;
        for (size_t w = 0; w < nw; w++)
            if (want[w].kind == d->alert[i].kind && want[w].slot == d->alert[i].slot)
                keep = true;
        if (keep)
            d->alert[out++] = d->alert[i];
    }
    d->nalert = (uint8_t)out;
    for (size_t w = 0; w < nw && d->nalert < T_MAX_ALERTS; w++) {
        if (has_alert(d, want[w].kind, want[w].slot))
            continue;
        struct t_alert *a = &d->alert[d->nalert++];
        a->kind = want[w].kind;
        a->slot = want[w].slot;
        a->index = ++d->alert_next;
        a->time = t_dev_uptime(sim, d);
        d->alerts_all++;
        if (alert_critical(a->kind))
            d->alerts_crit++;
    }
}

void t_dev_alert_value(const struct t_sim *sim, const struct t_dev *d, const struct t_alert *a,
                       uint32_t col, struct t_val *v, char *buf, size_t buflen)
{
    const struct t_profile *p = prof(sim, d);
    const struct t_supply *s = &p->sup[a->slot];
    bool supply = a->kind == T_AK_SUPPLY_LOW || a->kind == T_AK_SUPPLY_EMPTY;
    bool empty = a->kind == T_AK_SUPPLY_EMPTY;
    bool waste = supply && (s->type == 4 || s->type == 8);
    memset(v, 0, sizeof *v);
    v->tag = T_BER_INT;
    switch (col) {
    case 2: /* prtAlertSeverityLevel: critical(3), warningBinaryChangeEvent(5) */
        v->num = alert_critical(a->kind) ? 3 : 5;
        break;
    case 3: /* prtAlertTrainingLevel: untrained(3), trained(4), noInterventionRequired(7) */
        v->num = supply ? (empty ? 4 : 7) : 3;
        break;
    case 4: /* prtAlertGroup: cover(6), markerSupplies(11), mediaPath(13) */
        v->num = a->kind == T_AK_JAM ? 13 : a->kind == T_AK_DOOR ? 6 : 11;
        break;
    case 5: /* prtAlertGroupIndex */
        v->num = supply ? (int64_t)s->index : 1;
        break;
    case 6: /* prtAlertLocation: implementation specific; these printers use none */
        v->num = 0;
        break;
    case 7: /* prtAlertCode (PrtAlertCodeTC) */
        if (a->kind == T_AK_JAM)
            v->num = 8; /* jam */
        else if (a->kind == T_AK_DOOR)
            v->num = 3; /* coverOpen */
        else if (waste)
            v->num = empty ? 1109 : 1107; /* markerWasteTonerReceptacle(Full|AlmostFull) */
        else if (s->type == 5 || s->type == 6)
            v->num = empty ? 1102 : 1105; /* markerInk(Empty|AlmostEmpty) */
        else if (is_toner(s->type))
            v->num = empty ? 1101 : 1104; /* markerToner(Empty|AlmostEmpty) */
        else
            v->num = empty ? 11 : 10; /* subunitLife(Over|AlmostOver) */
        break;
    case 8: /* prtAlertDescription */
        if (a->kind == T_AK_JAM)
            snprintf(buf, buflen, "Paper jam.");
        else if (a->kind == T_AK_DOOR)
            snprintf(buf, buflen, "Cover is open.");
        else
            snprintf(buf, buflen, "%s %s.", s->desc,
                     waste ? (empty ? "is full" : "is almost full")
                           : (empty ? "is empty" : "is low"));
        v->tag = T_BER_OCTETS;
        v->buf = (const uint8_t *)buf;
        v->len = strlen(buf);
        break;
    case 9: /* prtAlertTime */
        v->tag = T_BER_TIMETICKS;
        v->num = a->time;
        break;
    default:
        v->tag = T_BER_NULL;
        break;
    }
}

/* ---------------------------------------------------------------------------------------------
 * State changes
 */
void t_dev_reboot(struct t_sim *sim, struct t_dev *d)
{
    /* engineBoots stops at 2^31-1 (RFC 3414 2.2.2); a real agent then needs new keys. */
    if (d->boots < INT32_MAX)
        d->boots++;
    d->boot_ms = sim->now_ms;
    d->life_at_boot = t_dev_life(sim, d);
    d->warm_until = sim->tick + WARMUP_TICKS;
    d->flags &= (uint16_t) ~(T_F_DOWN | T_F_SLEEP | F_REBOOT_ON_UP);
    d->down_until = d->sleep_until = 0;
    /* The alert table starts over: indexes from 1, times from the new boot. */
    d->nalert = 0;
    d->alert_next = 0;
    sync_alerts(sim, d);
}

void t_dev_set_jam(struct t_sim *sim, struct t_dev *d, bool on, uint32_t until)
{
    d->flags = on ? (d->flags | T_F_JAM) : (d->flags & (uint16_t)~T_F_JAM);
    d->jam_until = on ? until : 0;
    sync_alerts(sim, d);
}

void t_dev_set_door(struct t_sim *sim, struct t_dev *d, bool open, uint32_t until)
{
    d->flags = open ? (d->flags | T_F_DOOR) : (d->flags & (uint16_t)~T_F_DOOR);
    d->door_until = open ? until : 0;
    sync_alerts(sim, d);
}

void t_dev_set_sleep(struct t_sim *sim, struct t_dev *d, bool on, uint32_t until)
{
    if (!on && (d->flags & T_F_SLEEP))
        d->warm_until = sim->tick + WARMUP_TICKS;
    d->flags = on ? (d->flags | T_F_SLEEP) : (d->flags & (uint16_t)~T_F_SLEEP);
    d->sleep_until = on ? until : 0;
}

void t_dev_set_down(struct t_sim *sim, struct t_dev *d, bool down, uint32_t until)
{
    if (down) {
        d->flags |= T_F_DOWN;
        d->down_until = until;
        return;
    }
    bool power_cycle = d->flags & F_REBOOT_ON_UP;
    d->flags &= (uint16_t) ~(T_F_DOWN | F_REBOOT_ON_UP);
    d->down_until = 0;
    if (power_cycle)
        t_dev_reboot(sim, d);
}

void t_dev_clear(struct t_sim *sim, struct t_dev *d)
{
    d->flags &= (uint16_t) ~(T_F_JAM | T_F_DOOR);
    d->jam_until = d->door_until = 0;
    sync_alerts(sim, d);
}

int t_dev_set_level(struct t_sim *sim, struct t_dev *d, uint32_t supply_index, int64_t level,
                    struct gw_errbuf *eb)
{
    const struct t_profile *p = prof(sim, d);
    int slot = t_profile_supply_slot(p, supply_index);
    if (slot < 0)
        return gw_errbuf_set(eb, GW_E_NOTFOUND, "device %u has no supply %u", d->index,
                             supply_index);
    if (level < -3 || level > 2000000)
        return gw_errbuf_set(eb, GW_E_INVAL, "level %lld is outside -3..2000000", (long long)level);
    if (level < 0) {
        d->special[slot] = (int8_t)level;
    } else {
        d->special[slot] = T_SPECIAL_NONE;
        d->level[slot] = level * 1000;
    }
    /* A level set by hand stays until changed by hand or consumed; no automatic refill. */
    d->refill_at[slot] = NEVER;
    sync_alerts(sim, d);
    return 0;
}

void t_dev_set_life(struct t_sim *sim, struct t_dev *d, uint64_t value)
{
    const struct t_profile *p = prof(sim, d);
    uint64_t life = t_dev_life(sim, d);
    if (life == 0) {
        for (int k = 0; k < T_NLEAF; k++)
            if (p->page_leaves & (1u << k)) {
                d->leaf[k] = value;
                break;
            }
    } else {
        /* Scale every leaf (scans too) by value/life; rounding goes to the largest page leaf
         * so the page leaves add up exactly to value. */
        uint64_t sum = 0;
        int big = -1;
        for (int k = 0; k < T_NLEAF; k++) {
            unsigned __int128 x = (unsigned __int128)d->leaf[k] * value / life;
            d->leaf[k] = x > UINT64_MAX ? UINT64_MAX : (uint64_t)x;
            if (p->page_leaves & (1u << k)) {
                sum += d->leaf[k];
                if (big < 0 || d->leaf[k] > d->leaf[big])
                    big = k;
            }
        }
        if (big >= 0)
            d->leaf[big] += value - sum;
    }
    if (d->life_at_boot > value)
        d->life_at_boot = value;
}

/* ---------------------------------------------------------------------------------------------
 * Time
 */
static void print_job(struct t_sim *sim, struct t_dev *d, uint32_t pages)
{
    const struct t_profile *p = prof(sim, d);
    bool colour = d->colour_pct && t_rand_range(&d->rng, 1, 100) <= d->colour_pct;
    if (p->builtin) {
        uint64_t r = t_rand_range(&d->rng, 1, 100);
        int base = r <= d->fax_pct ? 6 : r <= (uint64_t)d->fax_pct + d->copy_pct ? 3 : 0;
        if (base == 6) {
            colour = false;
            d->leaf[T_LEAF_FAX_MONO] += pages;
            d->leaf[T_LEAF_SCAN_FAX] += t_rand_range(&d->rng, 0, 2);
        } else {
            bool single = colour && t_rand_range(&d->rng, 1, 10) == 1;
            d->leaf[base + (colour ? (single ? 1 : 2) : 0)] += pages;
            if (base == 3)
                d->leaf[T_LEAF_SCAN_COPY] += (pages + 1) / 2;
        }
        if (t_rand_range(&d->rng, 1, 10) == 1)
            d->leaf[T_LEAF_SCAN_OTHER] += t_rand_range(&d->rng, 1, 10);
    } else {
        d->leaf[0] += pages;
    }
    for (size_t k = 0; k < p->nsup; k++) {
        const struct t_supply *s = &p->sup[k];
        if (d->special[k] || s->max <= 0 || s->yield == 0 || s->usage == T_USE_NONE)
            continue;
        if (s->usage == T_USE_COLOUR && !colour)
            continue;
        d->level[k] -= (int64_t)pages * s->max * 1000 / s->yield;
        if (d->level[k] <= 0) {
            d->level[k] = 0;
            /* Someone replaces an empty supply after a while (not one set by hand). */
            if (!d->refill_at[k])
                d->refill_at[k] = sim->tick + (uint32_t)t_rand_range(&d->rng, 600, 3600);
        }
    }
    d->printed_tick = sim->tick;
}

static bool expired(uint32_t until, uint32_t tick)
{
    return until && until != NEVER && tick >= until;
}

static void dev_tick(struct t_sim *sim, struct t_dev *d)
{
    const struct t_profile *p = prof(sim, d);
    uint32_t t = sim->tick;
    bool changed = false;
    if ((d->flags & T_F_DOWN) && expired(d->down_until, t))
        t_dev_set_down(sim, d, false, 0);
    if ((d->flags & T_F_JAM) && expired(d->jam_until, t))
        d->flags &= (uint16_t)~T_F_JAM, d->jam_until = 0, changed = true;
    if ((d->flags & T_F_DOOR) && expired(d->door_until, t))
        d->flags &= (uint16_t)~T_F_DOOR, d->door_until = 0, changed = true;
    if ((d->flags & T_F_SLEEP) && expired(d->sleep_until, t))
        t_dev_set_sleep(sim, d, false, 0);
    for (size_t k = 0; k < p->nsup; k++)
        if (d->refill_at[k] && d->refill_at[k] != NEVER && t >= d->refill_at[k]) {
            d->refill_at[k] = 0;
            d->level[k] = (int64_t)p->sup[k].max * 1000;
            changed = true;
        }
    if (!(d->flags & T_F_DOWN)) {
        d->acc += d->pph;
        if (d->acc >= (uint32_t)d->job * 1000u) {
            /* A job wakes a printer that fell asleep by itself, not one told to sleep. */
            if ((d->flags & T_F_SLEEP) && d->sleep_until != NEVER)
                t_dev_set_sleep(sim, d, false, 0);
            if (!(d->flags & T_F_SLEEP) && !blocked(sim, d) && d->warm_until <= t) {
                d->acc -= (uint32_t)d->job * 1000u;
                print_job(sim, d, d->job);
                d->job = (uint16_t)t_rand_range(&d->rng, 1, 12);
                changed = true;
            }
        }
        /* A printer that cannot print does not queue up a day of jobs. */
        if (d->acc > 100000)
            d->acc = 100000;
    }
    if (changed)
        sync_alerts(sim, d);
}

static uint32_t free_address(const struct t_sim *sim)
{
    for (uint32_t a = sim->opt.base + (uint32_t)sim->ndev; t_is_loopback(a) && a != 0x7fffffffu;
         a++)
        if (!t_sim_find(sim, a))
            return a;
    return 0;
}

static void random_event(struct t_sim *sim, struct t_dev *d)
{
    uint64_t *r = &sim->ev_rng;
    uint32_t t = sim->tick;
    uint64_t w = t_rand_range(r, 1, 100);
    const struct t_profile *p = prof(sim, d);
    char a[16];
    if (w <= 22) {
        t_dev_set_jam(sim, d, true, t + (uint32_t)t_rand_range(r, 60, 600));
        t_log(sim, 2, "event jam dev=%u", d->index);
    } else if (w <= 35) {
        t_dev_set_door(sim, d, true, t + (uint32_t)t_rand_range(r, 30, 300));
        t_log(sim, 2, "event door dev=%u", d->index);
    } else if (w <= 60) {
        t_dev_set_sleep(sim, d, true, t + (uint32_t)t_rand_range(r, 600, 7200));
        t_log(sim, 2, "event sleep dev=%u", d->index);
    } else if (w <= 72) {
        t_dev_set_down(sim, d, true, t + (uint32_t)t_rand_range(r, 60, 900));
        if (t_rand_range(r, 0, 1))
            d->flags |= F_REBOOT_ON_UP;
        t_log(sim, 2, "event down dev=%u", d->index);
    } else if (w <= 85) {
        t_dev_reboot(sim, d);
        t_log(sim, 2, "event reboot dev=%u", d->index);
    } else if (w <= 90) {
        uint32_t na = free_address(sim);
        if (na && t_sim_move(sim, d, na) == 0)
            t_log(sim, 2, "event move dev=%u addr=%s", d->index, t_addr_format(na, a));
    } else if (p->nsup) {
        /* A supply replaced before it ran out. */
        size_t k = (size_t)t_rand_range(r, 0, p->nsup - 1);
        if (!d->special[k] && p->sup[k].max > 0 && d->refill_at[k] != NEVER) {
            d->level[k] = (int64_t)p->sup[k].max * 1000;
            d->refill_at[k] = 0;
            sync_alerts(sim, d);
            t_log(sim, 2, "event replace dev=%u supply=%u", d->index, p->sup[k].index);
        }
    }
}

void t_dev_tick_all(struct t_sim *sim)
{
    sim->tick++;
    for (size_t i = 0; i < sim->ndev; i++)
        dev_tick(sim, &sim->dev[i]);
    /* No events before "ready": the start-up probe must find every device up. */
    if (sim->opt.events_per_hour <= 0 || !sim->ndev || !sim->ready)
        return;
    sim->ev_acc += (double)sim->ndev * sim->opt.events_per_hour / 3600.0;
    while (sim->ev_acc >= 1.0) {
        sim->ev_acc -= 1.0;
        struct t_dev *d = &sim->dev[t_rand_range(&sim->ev_rng, 0, sim->ndev - 1)];
        /* A device the control socket holds in a condition is left alone, so that a test's
         * "jam" or "down" is not undone by chance. */
        bool manual = d->jam_until == NEVER || d->door_until == NEVER || d->sleep_until == NEVER ||
                      d->down_until == NEVER;
        if (!(d->flags & T_F_DOWN) && !manual)
            random_event(sim, d);
    }
}

int t_dev_describe(const struct t_sim *sim, const struct t_dev *d, char *buf, size_t len, bool full)
{
    char a[16], eid[2 * T_ENGINE_MAX + 1];
    const struct t_profile *p = prof(sim, d);
    int n = snprintf(buf, len, "%u %s %s %02x:%02x:%02x:%02x:%02x:%02x %s %s %s", d->index,
                     t_addr_format(d->addr, a), d->serial, d->mac[0], d->mac[1], d->mac[2],
                     d->mac[3], d->mac[4], d->mac[5], t_hex(d->engine_id, d->engine_len, eid),
                     p->name, (d->flags & T_F_DOWN) ? "down" : "up");
    if (!full || n < 0 || (size_t)n >= len)
        return n;
    n += snprintf(
        buf + n, len - (size_t)n,
        " boots=%u uptime=%u life=%llu sleep=%d jam=%d door=%d alerts=%u levels=", d->boots,
        t_dev_uptime(sim, d), (unsigned long long)t_dev_life(sim, d), !!(d->flags & T_F_SLEEP),
        !!(d->flags & T_F_JAM), !!(d->flags & T_F_DOOR), d->nalert);
    for (size_t k = 0; k < p->nsup && n > 0 && (size_t)n < len; k++)
        n += snprintf(buf + n, len - (size_t)n, "%s%u:%lld", k ? "," : "", p->sup[k].index,
                      (long long)t_dev_level(sim, d, k));
    return n;
}
