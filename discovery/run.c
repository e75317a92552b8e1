/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Discovery settings and runs: the disc_* tables, the control commands behind `fleetgw
 * discover add|list|show|remove|run`, the schedule (daily at a time, every N hours, manual,
 * with an optional time window) and resuming after a restart.
 *
 * A run writes its checkpoint (every index below it is finished, see sweep.c) and counters to
 * disc_runs once a second and each printer to disc_found as it is found, and leaves the state
 * 'running' when the daemon stops or dies; disc_start() restarts such runs from the
 * checkpoint, keeping the printers already found. Found printers go through the identity
 * merge (merge.c), so a moved printer updates its registry entry and, with auto_register, a
 * new one is added.
 *
 * The sqlite writes here are small single-row statements on the loop thread, as the poller's
 * are; a sweep writes once a second plus once per printer found.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "discovery/disc_int.h"

#define MAX_CREDS 16
#define TICK_MS   1000

static const struct gw_db_migration migrations[] = {
    {1, "CREATE TABLE disc_settings ("
        "  name TEXT PRIMARY KEY,"
        "  targets TEXT NOT NULL,"
        "  excludes TEXT NOT NULL DEFAULT '',"
        "  credentials TEXT NOT NULL," /* JSON array of credential names, in order */
        "  schedule TEXT NOT NULL DEFAULT 'manual',"
        "  run_window TEXT NOT NULL DEFAULT '',"
        "  pps INTEGER NOT NULL DEFAULT 500,"
        "  port INTEGER NOT NULL DEFAULT 161,"
        "  auto_register INTEGER NOT NULL DEFAULT 0,"
        "  confirmed INTEGER NOT NULL DEFAULT 0,"
        "  created INTEGER NOT NULL);"
        "CREATE TABLE disc_runs ("
        "  name TEXT PRIMARY KEY,"
        "  state TEXT NOT NULL," /* running, done, failed */
        "  started INTEGER NOT NULL,"
        "  finished INTEGER,"
        "  checkpoint INTEGER NOT NULL DEFAULT 0,"
        "  total INTEGER NOT NULL DEFAULT 0,"
        "  done INTEGER NOT NULL DEFAULT 0,"
        "  responders INTEGER NOT NULL DEFAULT 0,"
        "  printers INTEGER NOT NULL DEFAULT 0,"
        "  packets INTEGER NOT NULL DEFAULT 0,"
        "  resumed_from INTEGER NOT NULL DEFAULT 0,"
        "  registered INTEGER NOT NULL DEFAULT 0,"
        "  moved INTEGER NOT NULL DEFAULT 0,"
        "  error TEXT);"
        "CREATE TABLE disc_found ("
        "  name TEXT NOT NULL,"
        "  address TEXT NOT NULL,"
        "  serial TEXT, vendor TEXT, model TEXT, mac TEXT, engine_id TEXT,"
        "  how TEXT, credential TEXT, device_id INTEGER, seen INTEGER NOT NULL,"
        "  PRIMARY KEY (name, address));"},
    /* WS-Discovery: on by default; an interface address switches the directed Probes to one
     * multicast Probe out of that interface. found_by is snmp, wsd or snmp+wsd. */
    {2, "ALTER TABLE disc_settings ADD COLUMN wsd INTEGER NOT NULL DEFAULT 1;"
        "ALTER TABLE disc_settings ADD COLUMN wsd_interface TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE disc_settings ADD COLUMN wsd_port INTEGER NOT NULL DEFAULT 3702;"
        "ALTER TABLE disc_runs ADD COLUMN wsd_responders INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE disc_runs ADD COLUMN wsd_packets INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE disc_found ADD COLUMN uuid TEXT;"
        "ALTER TABLE disc_found ADD COLUMN found_by TEXT;"},
    /* How WS-Discovery was done: off, directed, multicast or mixed, and the interfaces the
     * multicast Probes went out of (JSON array of {name, address, prefix}). */
    {3, "ALTER TABLE disc_runs ADD COLUMN wsd_mode TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE disc_runs ADD COLUMN wsd_interfaces TEXT NOT NULL DEFAULT '[]';"},
};

struct setting {
    char name[64];
    char *targets, *excludes;
    char creds[MAX_CREDS][64];
    size_t ncreds;
    char schedule[32];
    char window[16];
    unsigned pps;
    uint16_t port;
    bool auto_register, confirmed;
    bool wsd;
    char wsd_interface[16];
    uint16_t wsd_port;
};

struct run {
    struct run *next;
    struct gw_db *db;
    char name[64];
    struct disc_targets t;
    struct gw_credential creds[MAX_CREDS];
    size_t ncreds;
    uint16_t port;
    bool wsd;
    char wsd_interface[16];
    uint16_t wsd_port;
    bool auto_register;
    bool print_progress;
    bool changed;
    uint64_t resumed_from;
    uint64_t base_responders, base_printers, base_packets, base_wsd_responders, base_wsd_packets;
    uint64_t registered, moved;
    struct disc_sweep *sw;
    uv_timer_t tick;
    int status;
    int64_t started;
    struct disc_ctx *m; /* the module the run belongs to */
};

/* The discovery module: runs, the schedule timer and the stop request. The daemon holds one
 * through its handle; the CLI makes a short-lived one on its private loop for discover.run. */
struct disc_ctx {
    bool inited, running;
    struct disc_env env;
    uv_timer_t sched;
    struct run *runs;
    void (*stop_cb)(void *);
    void *stop_arg;
    bool stopping;
};

int disc_db_migrate(struct gw_db *db, struct gw_errbuf *eb)
{
    return gw_db_migrate_module(db, "disc", migrations, sizeof migrations / sizeof migrations[0],
                                eb);
}

static void setting_cleanup(struct setting *s)
{
    free(s->targets);
    free(s->excludes);
    memset(s, 0, sizeof(*s));
}

static int setting_load(struct gw_db *db, const char *name, struct setting *s)
{
    memset(s, 0, sizeof(*s));
    sqlite3_stmt *st;
    if (gw_db_prepare(db,
                      "SELECT name, targets, excludes, credentials, schedule, "
                      "run_window, pps, port, auto_register, confirmed, wsd, "
                      "wsd_interface, wsd_port FROM disc_settings WHERE name = ?1",
                      &st) < 0)
        return GW_E_DB;
    gw_db_bind_text(st, 1, name);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return rc == SQLITE_DONE ? GW_E_NOTFOUND : GW_E_DB;
    }
    gw_strlcpy(s->name, gw_db_column_text(st, 0), sizeof s->name);
    s->targets = gw_strdup(gw_db_column_text(st, 1));
    s->excludes = gw_strdup(gw_db_column_text(st, 2));
    json_t *arr = json_loads(gw_db_column_text(st, 3), 0, NULL);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (s->ncreds < MAX_CREDS && json_is_string(v))
            gw_strlcpy(s->creds[s->ncreds++], json_string_value(v), sizeof s->creds[0]);
    }
    json_decref(arr);
    gw_strlcpy(s->schedule, gw_db_column_text(st, 4), sizeof s->schedule);
    gw_strlcpy(s->window, gw_db_column_text(st, 5), sizeof s->window);
    s->pps = (unsigned)sqlite3_column_int(st, 6);
    s->port = (uint16_t)sqlite3_column_int(st, 7);
    s->auto_register = sqlite3_column_int(st, 8) != 0;
    s->confirmed = sqlite3_column_int(st, 9) != 0;
    s->wsd = sqlite3_column_int(st, 10) != 0;
    gw_strlcpy(s->wsd_interface, gw_db_column_text(st, 11), sizeof s->wsd_interface);
    s->wsd_port = (uint16_t)sqlite3_column_int(st, 12);
    sqlite3_finalize(st);
    return 0;
}

/* "HH:MM" to minutes of the day. Returns: 0..1439 or -1. */
static int hhmm(const char *s)
{
    unsigned h, m;
    char end;
    if (sscanf(s, "%2u:%2u%c", &h, &m, &end) != 2 || h > 23 || m > 59 || strlen(s) != 5)
        return -1;
    return (int)(h * 60 + m);
}

/* Schedules: "manual", "daily HH:MM", "every N" (hours, 1..168). */
int disc__schedule_parse(const char *s, int *daily_min, int *every_h)
{
    *daily_min = -1;
    *every_h = 0;
    if (strcmp(s, "manual") == 0)
        return 0;
    if (strncmp(s, "daily ", 6) == 0)
        return (*daily_min = hhmm(s + 6)) < 0 ? DISC_E_TARGET : 0;
    if (strncmp(s, "every ", 6) == 0) {
        char *end;
        long n = strtol(s + 6, &end, 10);
        if (end == s + 6 || (*end && strcmp(end, "h") != 0) || n < 1 || n > 168)
            return DISC_E_TARGET;
        *every_h = (int)n;
        return 0;
    }
    return DISC_E_TARGET;
}

/* Window "HH:MM-HH:MM" (may wrap midnight). Returns: 0 with *from and *to set, or -1. */
int disc__window_parse(const char *s, int *from, int *to)
{
    char a[6], b[6];
    if (strlen(s) != 11 || s[5] != '-')
        return -1;
    memcpy(a, s, 5);
    a[5] = '\0';
    memcpy(b, s + 6, 5);
    b[5] = '\0';
    *from = hhmm(a);
    *to = hhmm(b);
    return *from < 0 || *to < 0 || *from == *to ? -1 : 0;
}

static void save_progress(struct run *r, const struct disc_progress *p, const char *state)
{
    sqlite3_stmt *st;
    if (gw_db_prepare(r->db,
                      "UPDATE disc_runs SET state = ?2, checkpoint = ?3, total = ?4,"
                      " done = ?5, responders = ?6, printers = ?7, packets = ?8,"
                      " registered = ?9, moved = ?10, wsd_responders = ?12,"
                      " wsd_packets = ?13, wsd_mode = ?14, wsd_interfaces = ?15,"
                      " finished = CASE WHEN ?2 = 'running' THEN NULL ELSE ?11 END"
                      " WHERE name = ?1",
                      &st) < 0)
        return;
    gw_db_bind_text(st, 1, r->name);
    gw_db_bind_text(st, 2, state);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)p->checkpoint);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)p->total);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)p->done);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)(r->base_responders + p->responders));
    sqlite3_bind_int64(st, 7, (sqlite3_int64)(r->base_printers + p->printers));
    sqlite3_bind_int64(st, 8, (sqlite3_int64)(r->base_packets + p->packets));
    sqlite3_bind_int64(st, 9, (sqlite3_int64)r->registered);
    sqlite3_bind_int64(st, 10, (sqlite3_int64)r->moved);
    sqlite3_bind_int64(st, 11, gw_now());
    sqlite3_bind_int64(st, 12, (sqlite3_int64)(r->base_wsd_responders + p->wsd_responders));
    sqlite3_bind_int64(st, 13, (sqlite3_int64)(r->base_wsd_packets + p->wsd_packets));
    json_t *w = json_object();
    disc_progress_wsd_json(p, w);
    char *ifs = json_dumps(json_object_get(w, "wsd_interfaces"), JSON_COMPACT);
    gw_db_bind_text(st, 14, json_string_value(json_object_get(w, "wsd_mode")));
    gw_db_bind_text(st, 15, ifs ? ifs : "[]");
    free(ifs);
    json_decref(w);
    if (sqlite3_step(st) != SQLITE_DONE)
        gw_log_err(DISC, "saving sweep progress failed name=%s", r->name);
    sqlite3_finalize(st);
}

static void print_progress(const char *name, const struct disc_progress *p, uint64_t responders,
                           uint64_t printers)
{
    fprintf(stderr,
            "progress name=%s done=%llu total=%llu responders=%llu printers=%llu "
            "elapsed=%.1fs eta=%.0fs\n",
            name, (unsigned long long)p->done, (unsigned long long)p->total,
            (unsigned long long)responders, (unsigned long long)printers, p->elapsed_s, p->eta_s);
}

/* The figures of a run as `discover show` gives them for a running sweep (the live counters,
 * with those of the interrupted part of a resumed run added). Returns: a new object. */
static json_t *live_json(const struct run *r, const struct disc_progress *p)
{
    json_t *o = json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f}", "checkpoint",
        (json_int_t)p->checkpoint, "total", (json_int_t)p->total, "done", (json_int_t)p->done,
        "responders", (json_int_t)(r->base_responders + p->responders), "printers",
        (json_int_t)(r->base_printers + p->printers), "packets",
        (json_int_t)(r->base_packets + p->packets), "wsd_responders",
        (json_int_t)(r->base_wsd_responders + p->wsd_responders), "wsd_packets",
        (json_int_t)(r->base_wsd_packets + p->wsd_packets), "resumed_from",
        (json_int_t)r->resumed_from, "registered", (json_int_t)r->registered, "moved",
        (json_int_t)r->moved, "elapsed_s", p->elapsed_s, "eta_s", p->eta_s);
    disc_progress_wsd_json(p, o);
    return o;
}

/* Publishes `discovery.progress`: the run's figures plus "setting", "state" ("running",
 * "done", or "interrupted" when stopped; it resumes at the next start), "started" and
 * "finished" (null while running). */
static void publish_progress(const struct run *r, const struct disc_progress *p, const char *state)
{
    json_t *o = live_json(r, p);
    json_object_set_new(o, "setting", json_string(r->name));
    json_object_set_new(o, "state", json_string(state));
    json_object_set_new(o, "started", json_integer(r->started));
    json_object_set_new(o, "finished",
                        strcmp(state, "running") == 0 ? json_null() : json_integer(gw_now()));
    gw_bus_publish("discovery.progress", o);
}

static void on_tick(uv_timer_t *h)
{
    struct run *r = h->data;
    if (!r->sw)
        return;
    struct disc_progress p;
    disc_sweep_progress(r->sw, &p);
    save_progress(r, &p, "running");
    publish_progress(r, &p, "running");
    if (r->print_progress)
        print_progress(r->name, &p, r->base_responders + p.responders,
                       r->base_printers + p.printers);
}

static void on_found(struct disc_sweep *sw, const struct disc_found *f, void *arg)
{
    struct run *r = arg;
    struct disc_merge_result mr = {0};
    (void)sw;
    /* A printer only WSD answered is polled over WS-Print (merge.c); the registry still keeps
     * the first credential set with it (its schema needs one), the admin's first choice for
     * this network should the printer answer SNMP later. */
    size_t ci = f->credential_index < r->ncreds ? f->credential_index : 0;
    if (disc_merge_apply(r->db, f, r->port, r->creds[ci].id, r->auto_register, &mr) == 0) {
        if (mr.kind == DISC_MERGE_MOVED) {
            r->moved++;
            r->changed = true;
        }
        if (mr.registered) {
            r->registered++;
            r->changed = true;
        }
        if (mr.transport)
            r->changed = true;
    }
    sqlite3_stmt *st;
    if (gw_db_prepare(r->db,
                      "INSERT OR REPLACE INTO disc_found (name, address, serial,"
                      " vendor, model, mac, engine_id, how, credential, device_id,"
                      " seen, uuid, found_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                      " ?8, ?9, ?10, ?11, ?12, ?13)",
                      &st) < 0)
        return;
    const char *vals[] = {r->name,
                          f->address,
                          f->model->serial,
                          f->model->vendor,
                          f->model->model,
                          f->model->mac,
                          f->model->engine_id,
                          f->how,
                          f->credential ? f->credential : ""};
    for (int i = 0; i < 9; i++)
        gw_db_bind_text(st, i + 1, vals[i]);
    gw_db_bind_text(st, 12, f->uuid ? f->uuid : "");
    gw_db_bind_text(st, 13, f->found_by ? f->found_by : "snmp");
    if (mr.device_id)
        sqlite3_bind_int64(st, 10, mr.device_id);
    sqlite3_bind_int64(st, 11, gw_now());
    if (sqlite3_step(st) != SQLITE_DONE)
        gw_log_err(DISC, "saving a found printer failed name=%s", r->name);
    sqlite3_finalize(st);
}

static void run_free(struct run *r)
{
    for (size_t i = 0; i < r->ncreds; i++)
        gw_credential_cleanup(&r->creds[i]);
    disc_targets_cleanup(&r->t);
    free(r);
}

/* The end of disc_stop(): once every run and the schedule timer are closed, m is freed and the
 * stop callback runs, exactly once. Callers touch m no more after. */
static void maybe_stopped(struct disc_ctx *m)
{
    disc_stopped_cb cb;
    void *arg;
    if (!m->stopping || m->runs || m->running)
        return;
    cb = m->stop_cb;
    arg = m->stop_arg;
    snmpc_catalogue_free(m->env.cat);
    free(m);
    if (cb)
        cb(arg);
}

static void on_tick_closed(uv_handle_t *h)
{
    struct run *r = h->data;
    struct disc_ctx *m = r->m;
    for (struct run **pp = &m->runs; *pp; pp = &(*pp)->next)
        if (*pp == r) {
            *pp = r->next;
            break;
        }
    run_free(r);
    maybe_stopped(m);
}

static void on_done(struct disc_sweep *sw, int status, const struct disc_progress *p, void *arg)
{
    struct run *r = arg;
    struct disc_ctx *m = r->m;
    (void)sw;
    r->sw = NULL;
    r->status = status;
    /* A cancelled run stays 'running' in the table: the next start resumes it. */
    save_progress(r, p, status == 0 ? "done" : "running");
    publish_progress(r, p, status == 0 ? "done" : "interrupted");
    if (r->print_progress)
        print_progress(r->name, p, r->base_responders + p->responders,
                       r->base_printers + p->printers);
    gw_log_notice(DISC,
                  "sweep %s name=%s total=%llu printers=%llu registered=%llu moved=%llu "
                  "elapsed=%.1fs",
                  status == 0 ? "done" : "interrupted", r->name, (unsigned long long)p->total,
                  (unsigned long long)(r->base_printers + p->printers),
                  (unsigned long long)r->registered, (unsigned long long)r->moved, p->elapsed_s);
    /* Not while stopping: the poller is being stopped too and must not restart sessions. */
    if (r->changed && m->env.changed_cb && m->inited && !m->stopping)
        m->env.changed_cb(m->env.arg);
    uv_close((uv_handle_t *)&r->tick, on_tick_closed);
}

static struct run *run_find(struct disc_ctx *m, const char *name)
{
    if (!m)
        return NULL;
    for (struct run *r = m->runs; r; r = r->next)
        if (strcmp(r->name, name) == 0)
            return r;
    return NULL;
}

/* Prepares and starts a run of setting name on loop. resume: continue an interrupted run from
 * its checkpoint. Returns: 0 with *out, or <0 with eb. */
static int run_start(struct disc_ctx *m, uv_loop_t *loop, struct gw_db *db,
                     const struct gw_vault *v, const struct snmpc_catalogue *cat, const char *name,
                     bool resume, bool progress, struct run **out, struct gw_errbuf *eb)
{
    struct setting s;
    int rc = setting_load(db, name, &s);
    if (rc < 0)
        return gw_errbuf_set(eb, rc, "no discovery setting '%s'", name);
    struct run *r = gw_calloc(1, sizeof(*r));
    r->db = db;
    gw_strlcpy(r->name, name, sizeof r->name);
    r->port = s.port;
    r->auto_register = s.auto_register;
    r->print_progress = progress;
    r->wsd = s.wsd;
    gw_strlcpy(r->wsd_interface, s.wsd_interface, sizeof r->wsd_interface);
    r->wsd_port = s.wsd_port;
    rc = disc_targets_parse(&r->t, s.targets, s.excludes, s.confirmed ? DISC_TARGETS_CONFIRMED : 0,
                            eb);
    for (size_t i = 0; rc == 0 && i < s.ncreds; i++) {
        rc = gw_credential_get(db, v, s.creds[i], 0, &r->creds[i], eb);
        if (rc == 0)
            r->ncreds++;
    }
    unsigned pps = s.pps;
    setting_cleanup(&s);
    if (rc == 0 && r->t.count + r->t.nhosts == 0)
        rc = gw_errbuf_set(eb, DISC_E_TARGET, "no addresses left after the excludes");
    if (rc < 0) {
        run_free(r);
        return rc;
    }

    uint64_t start = 0;
    sqlite3_stmt *st;
    gw_db_prepare(db,
                  "SELECT state, checkpoint, total, responders, printers, packets,"
                  " registered, moved, wsd_responders, wsd_packets"
                  " FROM disc_runs WHERE name = ?1",
                  &st);
    if (st) {
        gw_db_bind_text(st, 1, name);
        if (resume && sqlite3_step(st) == SQLITE_ROW &&
            strcmp(gw_db_column_text(st, 0), "running") == 0 &&
            (uint64_t)sqlite3_column_int64(st, 2) == r->t.count + r->t.nhosts) {
            start = (uint64_t)sqlite3_column_int64(st, 1);
            r->base_responders = (uint64_t)sqlite3_column_int64(st, 3);
            r->base_printers = (uint64_t)sqlite3_column_int64(st, 4);
            r->base_packets = (uint64_t)sqlite3_column_int64(st, 5);
            r->registered = (uint64_t)sqlite3_column_int64(st, 6);
            r->moved = (uint64_t)sqlite3_column_int64(st, 7);
            r->base_wsd_responders = (uint64_t)sqlite3_column_int64(st, 8);
            r->base_wsd_packets = (uint64_t)sqlite3_column_int64(st, 9);
        }
        sqlite3_finalize(st);
    }
    r->resumed_from = start;
    if (start == 0) {
        /* A fresh run: the printers of the previous run are replaced by this run's. */
        gw_db_prepare(db, "DELETE FROM disc_found WHERE name = ?1", &st);
        if (st) {
            gw_db_bind_text(st, 1, name);
            sqlite3_step(st);
            sqlite3_finalize(st);
        }
        r->base_responders = r->base_printers = r->base_packets = r->registered = r->moved = 0;
        r->base_wsd_responders = r->base_wsd_packets = 0;
    }
    r->started = gw_now();
    gw_db_prepare(db,
                  "INSERT OR REPLACE INTO disc_runs (name, state, started, checkpoint, total,"
                  " done, resumed_from) VALUES (?1, 'running', ?2, ?3, ?4, ?3, ?3)",
                  &st);
    if (st) {
        gw_db_bind_text(st, 1, name);
        sqlite3_bind_int64(st, 2, r->started);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)start);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)(r->t.count + r->t.nhosts));
        sqlite3_step(st);
        sqlite3_finalize(st);
    }
    if (start >= r->t.count + r->t.nhosts)
        start = 0;

    struct disc_sweep_opts so = {
        .targets = &r->t,
        .creds = r->creds,
        .ncreds = r->ncreds,
        .cat = cat,
        .port = r->port,
        .pps = pps,
        .wsd = r->wsd,
        .wsd_port = r->wsd_port,
        .wsd_interface = r->wsd_interface[0] ? r->wsd_interface : NULL,
        .start_index = start,
        .found_cb = on_found,
        .done_cb = on_done,
        .arg = r,
    };
    rc = disc_sweep_start(loop, &so, &r->sw);
    if (rc < 0) {
        run_free(r);
        return gw_errbuf_set(eb, rc, "the sweep did not start");
    }
    GW_ASSERT(uv_timer_init(loop, &r->tick) == 0);
    r->tick.data = r;
    uv_timer_start(&r->tick, on_tick, TICK_MS, TICK_MS);
    r->m = m;
    r->next = m->runs;
    m->runs = r;
    gw_log_notice(DISC, "sweep started name=%s addresses=%llu from=%llu", name,
                  (unsigned long long)(r->t.count + r->t.nhosts), (unsigned long long)start);
    *out = r;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */

static bool schedule_due(const char *schedule, const char *window, int64_t last_started,
                         int64_t now)
{
    int daily, every, from, to;
    if (disc__schedule_parse(schedule, &daily, &every) < 0 || (daily < 0 && every == 0))
        return false;
    time_t t = (time_t)now;
    struct tm lt;
    localtime_r(&t, &lt);
    int min = lt.tm_hour * 60 + lt.tm_min;
    if (*window && disc__window_parse(window, &from, &to) == 0) {
        bool inside = from < to ? (min >= from && min < to) : (min >= from || min < to);
        if (!inside)
            return false;
    }
    if (every)
        return now - last_started >= (int64_t)every * 3600;
    struct tm at = lt;
    at.tm_hour = daily / 60;
    at.tm_min = daily % 60;
    at.tm_sec = 0;
    int64_t today = (int64_t)mktime(&at);
    return now >= today && last_started < today;
}

static void on_sched(uv_timer_t *h)
{
    struct disc_ctx *m = h->data;
    sqlite3_stmt *st;
    if (gw_db_prepare(m->env.db,
                      "SELECT s.name, s.schedule, s.run_window,"
                      " COALESCE(r.started, 0), COALESCE(r.state, '')"
                      " FROM disc_settings s LEFT JOIN disc_runs r"
                      " ON r.name = s.name WHERE s.schedule != 'manual'",
                      &st) < 0)
        return;
    int64_t now = gw_now();
    char due[32][64];
    int ndue = 0;
    while (sqlite3_step(st) == SQLITE_ROW && ndue < 32) {
        if (run_find(m, gw_db_column_text(st, 0)))
            continue;
        if (schedule_due(gw_db_column_text(st, 1), gw_db_column_text(st, 2),
                         sqlite3_column_int64(st, 3), now))
            gw_strlcpy(due[ndue++], gw_db_column_text(st, 0), sizeof due[0]);
    }
    sqlite3_finalize(st);
    for (int i = 0; i < ndue; i++) {
        struct gw_errbuf eb = {""};
        struct run *r;
        if (run_start(m, m->env.loop, m->env.db, m->env.vault, m->env.cat, due[i], false, false, &r,
                      &eb) < 0)
            gw_log_warn(DISC, "scheduled sweep not started name=%s err=%s", due[i], eb.msg);
    }
}

int disc_init(const struct disc_env *env, struct disc_ctx **out, struct gw_errbuf *eb)
{
    struct disc_ctx *m;
    int rc;
    *out = NULL;
    rc = disc_db_migrate(env->db, eb);
    if (rc < 0)
        return rc;
    m = gw_calloc(1, sizeof *m);
    m->env = *env;
    m->env.cat = snmpc_catalogue_ref(env->cat);
    m->inited = true;
    *out = m;
    return 0;
}

void disc_set_catalogue(struct disc_ctx *m, const struct snmpc_catalogue *cat)
{
    const struct snmpc_catalogue *old;
    if (!m)
        return;
    /* Running sweeps keep the catalogue they started with (disc_sweep_opts.cat). */
    old = m->env.cat;
    m->env.cat = snmpc_catalogue_ref(cat);
    snmpc_catalogue_free(old);
}

int disc_start(struct disc_ctx *m)
{
    if (!m || !m->inited || m->running || m->stopping)
        return GW_E_INVAL;
    /* Runs a restart interrupted: resume from their checkpoints. */
    sqlite3_stmt *st;
    gw_db_prepare(m->env.db, "SELECT name FROM disc_runs WHERE state = 'running'", &st);
    char names[32][64];
    int n = 0;
    while (st && sqlite3_step(st) == SQLITE_ROW && n < 32)
        gw_strlcpy(names[n++], gw_db_column_text(st, 0), sizeof names[0]);
    sqlite3_finalize(st);
    for (int i = 0; i < n; i++) {
        struct gw_errbuf eb = {""};
        struct run *r;
        if (run_start(m, m->env.loop, m->env.db, m->env.vault, m->env.cat, names[i], true, false,
                      &r, &eb) < 0)
            gw_log_warn(DISC, "interrupted sweep not resumed name=%s err=%s", names[i], eb.msg);
    }
    GW_ASSERT(uv_timer_init(m->env.loop, &m->sched) == 0);
    m->sched.data = m;
    uv_timer_start(&m->sched, on_sched, 1000, 30 * 1000);
    m->running = true;
    return 0;
}

static void on_sched_closed(uv_handle_t *h)
{
    struct disc_ctx *m = h->data;
    m->running = false;
    maybe_stopped(m);
}

void disc_stop(struct disc_ctx *m, disc_stopped_cb cb, void *arg)
{
    if (!m) {
        if (cb)
            cb(arg);
        return;
    }
    GW_ASSERT(!m->stopping);
    m->stopping = true;
    m->stop_cb = cb;
    m->stop_arg = arg;
    for (struct run *r = m->runs; r; r = r->next)
        if (r->sw)
            disc_sweep_stop(r->sw);
    if (m->running)
        uv_close((uv_handle_t *)&m->sched, on_sched_closed);
    else
        maybe_stopped(m);
}

/* ------------------------------------------------------------------------------------------ */

static const char *str(json_t *req, const char *key, const char *def)
{
    return gw_json_str(req, key, def);
}

/* Validates a whole setting and stores it: a new row (add), or the existing row of that name
 * (replace), which keeps its last run and the printers found. */
static json_t *store_setting(struct gw_op_ctx *ctx, json_t *req, bool replace)
{
    struct gw_db *db = ctx->db;
    const char *name = str(req, "name", "");
    const char *targets = str(req, "targets", "");
    const char *excludes = str(req, "excludes", "");
    const char *schedule = str(req, "schedule", "manual");
    const char *window = str(req, "window", "");
    json_int_t pps = json_integer_value(json_object_get(req, "pps"));
    json_int_t port = json_integer_value(json_object_get(req, "port"));
    bool confirmed = json_is_true(json_object_get(req, "confirmed"));
    bool autoreg = json_is_true(json_object_get(req, "auto_register"));
    json_t *wsd_v = json_object_get(req, "wsd");
    bool wsd = !json_is_false(wsd_v); /* on unless the admin says otherwise */
    const char *wsd_if = str(req, "wsd_interface", "");
    json_int_t wsd_port = json_integer_value(json_object_get(req, "wsd_port"));
    json_t *creds = json_object_get(req, "credentials");
    struct gw_errbuf eb = {""};
    struct disc_targets t;
    int d, e, from, to;

    if (!*name || strlen(name) >= 64)
        return gw_reply_errf(GW_E_INVAL, "name: 1..63 characters");
    int rc = disc_targets_parse(&t, targets, excludes, confirmed ? DISC_TARGETS_CONFIRMED : 0, &eb);
    disc_targets_cleanup(&t);
    if (rc < 0)
        return gw_reply_errf(rc, "%s", eb.msg);
    if (disc__schedule_parse(schedule, &d, &e) < 0)
        return gw_reply_errf(GW_E_INVAL,
                             "schedule: '%s': expected manual, 'daily HH:MM' or 'every N' (hours)",
                             schedule);
    if (*window && disc__window_parse(window, &from, &to) < 0)
        return gw_reply_errf(GW_E_INVAL, "window: '%s': expected HH:MM-HH:MM", window);
    if (pps == 0)
        pps = 500;
    if (pps < 1 || pps > 100000)
        return gw_reply_errf(GW_E_INVAL, "pps: must be 1..100000");
    if (port == 0)
        port = 161;
    if (port < 1 || port > 65535)
        return gw_reply_errf(GW_E_INVAL, "port: must be 1..65535");
    if (wsd_v && !json_is_boolean(wsd_v))
        return gw_reply_errf(GW_E_INVAL, "wsd: must be true or false");
    if (*wsd_if) {
        uint32_t a;
        const char *why;
        if (disc_addr_parse(wsd_if, &a, &why) < 0)
            return gw_reply_errf(GW_E_INVAL,
                                 "wsd interface: '%s': %s (the IPv4 address of the "
                                 "interface for the multicast Probe)",
                                 wsd_if, why);
        if (!wsd)
            return gw_reply_errf(GW_E_INVAL, "wsd interface: '%s': WS-Discovery is off", wsd_if);
    }
    if (wsd_port == 0)
        wsd_port = 3702;
    if (wsd_port < 1 || wsd_port > 65535)
        return gw_reply_errf(GW_E_INVAL, "wsd port: must be 1..65535");
    if (!json_is_array(creds) || json_array_size(creds) == 0 || json_array_size(creds) > MAX_CREDS)
        return gw_reply_errf(GW_E_INVAL, "credentials: 1..%d credential set names, in order",
                             MAX_CREDS);
    size_t i;
    json_t *c;
    json_array_foreach(creds, i, c)
    {
        if (!json_is_string(c) || !gw_query_credential_exists(db, json_string_value(c)))
            return gw_reply_errf(GW_E_NOTFOUND, "credential %zu: '%s': no such credential set",
                                 i + 1, json_is_string(c) ? json_string_value(c) : "?");
    }
    char *cj = json_dumps(creds, JSON_COMPACT);
    sqlite3_stmt *st;
    gw_db_prepare(db,
                  replace
                      ? "UPDATE disc_settings SET targets = ?2, excludes = ?3, credentials = ?4,"
                        " schedule = ?5, run_window = ?6, pps = ?7, port = ?8, auto_register = ?9,"
                        " confirmed = ?10, wsd = ?12, wsd_interface = ?13, wsd_port = ?14"
                        " WHERE name = ?1"
                      : "INSERT INTO disc_settings (name, targets, excludes, credentials,"
                        " schedule, run_window, pps, port, auto_register, confirmed,"
                        " created, wsd, wsd_interface, wsd_port) VALUES (?1, ?2, ?3, ?4,"
                        " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                  &st);
    if (!st) {
        free(cj);
        return gw_reply_errf(GW_E_DB, "database error");
    }
    const char *vals[] = {name, targets, excludes, cj, schedule, window};
    for (int k = 0; k < 6; k++)
        gw_db_bind_text(st, k + 1, vals[k]);
    sqlite3_bind_int64(st, 7, pps);
    sqlite3_bind_int64(st, 8, port);
    sqlite3_bind_int(st, 9, autoreg);
    sqlite3_bind_int(st, 10, confirmed);
    sqlite3_bind_int64(st, 11, gw_now());
    sqlite3_bind_int(st, 12, wsd);
    gw_db_bind_text(st, 13, wsd_if);
    sqlite3_bind_int64(st, 14, wsd_port);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    free(cj);
    gw_op_audit(ctx, rc == SQLITE_DONE ? "ok" : "failed", "%s", name);
    /* The handle reports extended codes (SQLITE_CONSTRAINT_PRIMARYKEY); the low byte is the
     * primary code. */
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return gw_reply_errf(GW_E_EXISTS, "a discovery setting '%s' exists", name);
    if (rc != SQLITE_DONE)
        return gw_reply_errf(GW_E_DB, "database error");
    return json_pack("{s:b}", "ok", 1);
}

static json_t *load_setting(struct disc_ctx *m, struct gw_db *db, const char *name);

/* The running module of a call (NULL without a daemon): ctx->mod is a struct disc_op_env. */
static struct disc_ctx *op_module(const struct gw_op_ctx *ctx)
{
    const struct disc_op_env *e = ctx->mod;
    return e ? e->m : NULL;
}

static json_t *do_set(struct gw_op_ctx *ctx, json_t *req)
{
    struct disc_ctx *m = op_module(ctx);
    const char *name = str(req, "name", "");
    if (run_find(m, name))
        return gw_reply_errf(GW_E_BUSY, "discovery setting '%s' is running", name);
    json_t *merged = load_setting(m, ctx->db, name);
    if (!merged) {
        gw_op_audit(ctx, "failed", "%s", name);
        return gw_reply_errf(GW_E_NOTFOUND, "no discovery setting '%s'", name);
    }
    /* Keys the request leaves out keep their stored values. */
    json_object_update(merged, req);
    json_t *out = store_setting(ctx, merged, true);
    json_decref(merged);
    return out;
}

static json_t *run_json(sqlite3_stmt *st, int c0)
{
    if (sqlite3_column_type(st, c0) == SQLITE_NULL)
        return json_null();
    json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "state",
                          gw_db_column_text(st, c0), "started",
                          (json_int_t)sqlite3_column_int64(st, c0 + 1), "checkpoint",
                          (json_int_t)sqlite3_column_int64(st, c0 + 3), "total",
                          (json_int_t)sqlite3_column_int64(st, c0 + 4), "done",
                          (json_int_t)sqlite3_column_int64(st, c0 + 5), "responders",
                          (json_int_t)sqlite3_column_int64(st, c0 + 6), "printers",
                          (json_int_t)sqlite3_column_int64(st, c0 + 7), "packets",
                          (json_int_t)sqlite3_column_int64(st, c0 + 8), "resumed_from",
                          (json_int_t)sqlite3_column_int64(st, c0 + 9), "registered",
                          (json_int_t)sqlite3_column_int64(st, c0 + 10), "moved",
                          (json_int_t)sqlite3_column_int64(st, c0 + 11));
    json_object_set_new(o, "wsd_responders", json_integer(sqlite3_column_int64(st, c0 + 12)));
    json_object_set_new(o, "wsd_packets", json_integer(sqlite3_column_int64(st, c0 + 13)));
    json_object_set_new(o, "wsd_mode", json_string(gw_db_column_text(st, c0 + 17)));
    json_t *ifs = json_loads(gw_db_column_text(st, c0 + 18), 0, NULL);
    json_object_set_new(o, "wsd_interfaces", json_is_array(ifs) ? ifs : json_array());
    if (ifs && !json_is_array(ifs))
        json_decref(ifs);
    json_object_set_new(o, "finished",
                        sqlite3_column_type(st, c0 + 2) == SQLITE_NULL
                            ? json_null()
                            : json_integer(sqlite3_column_int64(st, c0 + 2)));
    return o;
}

#define SETTING_SELECT                                                                             \
    "SELECT s.name, s.targets, s.excludes, s.credentials, s.schedule, s.run_window, s.pps,"        \
    " s.port, s.auto_register, s.confirmed, r.state, r.started, r.finished, r.checkpoint,"         \
    " r.total, r.done, r.responders, r.printers, r.packets, r.resumed_from, r.registered,"         \
    " r.moved, r.wsd_responders, r.wsd_packets, s.wsd, s.wsd_interface, s.wsd_port,"               \
    " r.wsd_mode, r.wsd_interfaces"                                                                \
    " FROM disc_settings s LEFT JOIN disc_runs r ON r.name = s.name "

static json_t *setting_json(struct disc_ctx *m, sqlite3_stmt *st)
{
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:o, s:s, s:s, s:I, s:I, s:b, s:b}", "name", gw_db_column_text(st, 0),
        "targets", gw_db_column_text(st, 1), "excludes", gw_db_column_text(st, 2), "credentials",
        json_loads(gw_db_column_text(st, 3), 0, NULL), "schedule", gw_db_column_text(st, 4),
        "window", gw_db_column_text(st, 5), "pps", (json_int_t)sqlite3_column_int64(st, 6), "port",
        (json_int_t)sqlite3_column_int64(st, 7), "auto_register", sqlite3_column_int(st, 8),
        "confirmed", sqlite3_column_int(st, 9));
    json_object_set_new(o, "wsd", json_boolean(sqlite3_column_int(st, 24)));
    json_object_set_new(o, "wsd_interface", json_string(gw_db_column_text(st, 25)));
    json_object_set_new(o, "wsd_port", json_integer(sqlite3_column_int64(st, 26)));
    json_t *run = run_json(st, 10);
    struct run *live = run_find(m, gw_db_column_text(st, 0));
    if (live && live->sw && json_is_object(run)) {
        /* A running sweep: the live figures (the same as discovery.progress carries). */
        struct disc_progress p;
        disc_sweep_progress(live->sw, &p);
        json_t *lj = live_json(live, &p);
        json_object_update(run, lj);
        json_decref(lj);
    }
    json_object_set_new(o, "last_run", run);
    return o;
}

/* Returns: the stored setting as discover.show gives it (without its printers), a new
 * reference; NULL when there is none. */
static json_t *load_setting(struct disc_ctx *m, struct gw_db *db, const char *name)
{
    sqlite3_stmt *st;
    if (gw_db_prepare(db, SETTING_SELECT "WHERE s.name = ?1", &st) < 0)
        return NULL;
    gw_db_bind_text(st, 1, name);
    json_t *o = sqlite3_step(st) == SQLITE_ROW ? setting_json(m, st) : NULL;
    sqlite3_finalize(st);
    if (o)
        json_object_del(o, "last_run");
    return o;
}

static json_t *do_list(struct disc_ctx *m, struct gw_db *db)
{
    sqlite3_stmt *st;
    if (gw_db_prepare(db, SETTING_SELECT "ORDER BY s.name", &st) < 0)
        return gw_reply_errf(GW_E_DB, "database error");
    json_t *arr = json_array();
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(arr, setting_json(m, st));
    sqlite3_finalize(st);
    return json_pack("{s:b, s:o}", "ok", 1, "settings", arr);
}

static json_t *found_list(struct gw_db *db, const char *name)
{
    json_t *arr = json_array();
    sqlite3_stmt *st;
    if (gw_db_prepare(db,
                      "SELECT address, serial, vendor, model, mac, engine_id, how,"
                      " credential, device_id, uuid, found_by FROM disc_found"
                      " WHERE name = ?1 ORDER BY address",
                      &st) < 0)
        return arr;
    gw_db_bind_text(st, 1, name);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "address",
                      gw_db_column_text(st, 0), "serial", gw_db_column_text(st, 1), "vendor",
                      gw_db_column_text(st, 2), "model", gw_db_column_text(st, 3), "mac",
                      gw_db_column_text(st, 4), "engine_id", gw_db_column_text(st, 5), "how",
                      gw_db_column_text(st, 6), "credential", gw_db_column_text(st, 7));
        json_object_set_new(o, "uuid", json_string(gw_db_column_text(st, 9)));
        json_object_set_new(
            o, "found_by",
            json_string(*gw_db_column_text(st, 10) ? gw_db_column_text(st, 10) : "snmp"));
        json_object_set_new(o, "device_id",
                            sqlite3_column_type(st, 8) == SQLITE_NULL
                                ? json_null()
                                : json_integer(sqlite3_column_int64(st, 8)));
        json_array_append_new(arr, o);
    }
    sqlite3_finalize(st);
    return arr;
}

static json_t *do_show(struct disc_ctx *m, struct gw_db *db, const char *name)
{
    sqlite3_stmt *st;
    if (gw_db_prepare(db, SETTING_SELECT "WHERE s.name = ?1", &st) < 0)
        return gw_reply_errf(GW_E_DB, "database error");
    gw_db_bind_text(st, 1, name);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return gw_reply_errf(GW_E_NOTFOUND, "no discovery setting '%s'", name);
    }
    json_t *s = setting_json(m, st);
    sqlite3_finalize(st);
    json_object_set_new(s, "printers", found_list(db, name));
    return json_pack("{s:b, s:o}", "ok", 1, "setting", s);
}

static json_t *do_remove(struct gw_op_ctx *ctx, const char *name)
{
    struct gw_db *db = ctx->db;
    if (run_find(op_module(ctx), name))
        return gw_reply_errf(GW_E_BUSY, "discovery setting '%s' is running", name);
    static const char *const sql[] = {"DELETE FROM disc_found WHERE name = ?1",
                                      "DELETE FROM disc_runs WHERE name = ?1",
                                      "DELETE FROM disc_settings WHERE name = ?1"};
    int changes = 0;
    for (size_t i = 0; i < 3; i++) {
        sqlite3_stmt *st;
        if (gw_db_prepare(db, sql[i], &st) < 0)
            return gw_reply_errf(GW_E_DB, "database error");
        gw_db_bind_text(st, 1, name);
        sqlite3_step(st);
        sqlite3_finalize(st);
        changes = gw_db_changes(db);
    }
    gw_op_audit(ctx, changes ? "ok" : "failed", "%s", name);
    if (!changes)
        return gw_reply_errf(GW_E_NOTFOUND, "no discovery setting '%s'", name);
    return json_pack("{s:b}", "ok", 1);
}

static json_t *do_run(struct gw_op_ctx *ctx, json_t *req)
{
    struct gw_db *db = ctx->db;
    const struct gw_vault *v = ctx->vault;
    const struct disc_op_env *env = ctx->mod;
    struct disc_ctx *m = env ? env->m : NULL;
    const struct snmpc_catalogue *cat = env ? env->cat : NULL;
    const char *name = str(req, "name", "");
    bool progress = json_is_true(json_object_get(req, "progress"));
    struct gw_errbuf eb = {""};
    struct run *r;
    int rc;
    if (run_find(m, name))
        return gw_reply_errf(GW_E_BUSY, "discovery setting '%s' is already running", name);
    /* Written now: the record carries the time the run began, before the sweep's own
     * changes, also when the CLI runs the whole sweep below. */
    gw_op_audit(ctx, "ok", "%s", name);
    gw_op_audit_flush(ctx);
    if (m && m->running && !m->stopping) {
        /* The daemon: the sweep runs on its loop; the caller follows it with discover.show. */
        rc = run_start(m, m->env.loop, db, v, m->env.cat, name, true, false, &r, &eb);
        if (rc < 0)
            return gw_reply_errf(rc, "%s", eb.msg);
        return json_pack("{s:b, s:b, s:I}", "ok", 1, "started", 1, "resumed_from",
                         (json_int_t)r->resumed_from);
    }
    /* No daemon: run here on a private loop, in a module of its own, until the sweep ends. */
    uv_loop_t loop;
    struct disc_ctx local = {.env = {.loop = &loop, .db = db, .vault = v, .cat = cat}};
    GW_ASSERT(uv_loop_init(&loop) == 0);
    snmpc_lib_init();
    rc = run_start(&local, &loop, db, v, cat, name, true, progress, &r, &eb);
    uint64_t resumed = rc == 0 ? r->resumed_from : 0;
    if (rc == 0)
        uv_run(&loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop) != 0) {
        uv_run(&loop, UV_RUN_DEFAULT);
        GW_ASSERT(uv_loop_close(&loop) == 0);
    }
    snmpc_lib_shutdown();
    if (rc < 0)
        return gw_reply_errf(rc, "%s", eb.msg);
    json_t *out = do_show(m, db, name);
    json_object_set_new(out, "resumed_from", json_integer((json_int_t)resumed));
    return out;
}

/* The disc_* tables exist before any operation runs, also in the CLI. Returns: NULL or the
 * refusal. */
static json_t *migrated(struct gw_db *db)
{
    struct gw_errbuf eb = {""};
    if (disc_db_migrate(db, &eb) < 0)
        return gw_reply_errf(GW_E_DB, "%s", eb.msg);
    return NULL;
}

static json_t *op_add(struct gw_op_ctx *ctx, json_t *req)
{
    json_t *r = migrated(ctx->db);
    return r ? r : store_setting(ctx, req, false);
}

static json_t *op_set(struct gw_op_ctx *ctx, json_t *req)
{
    json_t *r = migrated(ctx->db);
    return r ? r : do_set(ctx, req);
}

static json_t *op_list(struct gw_op_ctx *ctx, json_t *req)
{
    json_t *r = migrated(ctx->db);
    return r ? r : do_list(op_module(ctx), ctx->db);
}

static json_t *op_show(struct gw_op_ctx *ctx, json_t *req)
{
    json_t *r = migrated(ctx->db);
    return r ? r : do_show(op_module(ctx), ctx->db, str(req, "name", ""));
}

static json_t *op_remove(struct gw_op_ctx *ctx, json_t *req)
{
    json_t *r = migrated(ctx->db);
    return r ? r : do_remove(ctx, str(req, "name", ""));
}

static json_t *op_run(struct gw_op_ctx *ctx, json_t *req)
{
    json_t *r = migrated(ctx->db);
    return r ? r : do_run(ctx, req);
}

/* Types only: the ranges, with 0 for "the default", are store_setting()'s, whose messages the
 * web UI ties to its form fields. */
static const struct gw_op_arg setting_args[] = {
    {"name", GW_OP_T_STRING, 0, 0, 0},
    {"targets", GW_OP_T_STRING, 0, 0, 0},
    {"excludes", GW_OP_T_STRING, 0, 0, 0},
    {"credentials", GW_OP_T_ARRAY, 0, 0, 0},
    {"schedule", GW_OP_T_STRING, 0, 0, 0},
    {"window", GW_OP_T_STRING, 0, 0, 0},
    {"pps", GW_OP_T_INT, 0, 0, 0},
    {"port", GW_OP_T_INT, 0, 0, 0},
    {"auto_register", GW_OP_T_BOOL, 0, 0, 0},
    {"confirmed", GW_OP_T_BOOL, 0, 0, 0},
    {"wsd", GW_OP_T_BOOL, 0, 0, 0},
    {"wsd_interface", GW_OP_T_STRING, 0, 0, 0},
    {"wsd_port", GW_OP_T_INT, 0, 0, 0},
};
static const struct gw_op_arg name_args[] = {
    {"name", GW_OP_T_STRING, 0, 0, 0},
};
static const struct gw_op_arg run_args[] = {
    {"name", GW_OP_T_STRING, 0, 0, 0},
    {"progress", GW_OP_T_BOOL, 0, 0, 0},
};

#define NARGS(a) (sizeof(a) / sizeof((a)[0]))

/* ctx->mod: a struct disc_op_env (the running module and the counter catalogue), or NULL. */
/* clang-format off */
const struct gw_op disc_ops[] = {
    {"discover.add", setting_args, NARGS(setting_args), GW_OP_DEVICE, "discover.add",
     GW_ROLE_ADMIN, op_add},
    /* Changes only the keys given; the setting keeps its last run and its printers. */
    {"discover.set", setting_args, NARGS(setting_args), GW_OP_DEVICE, "discover.set",
     GW_ROLE_ADMIN, op_set},
    {"discover.list", NULL, 0, GW_OP_READ, NULL, GW_ROLE_VIEWER, op_list},
    {"discover.show", name_args, NARGS(name_args), GW_OP_READ, NULL, GW_ROLE_VIEWER, op_show},
    {"discover.remove", name_args, NARGS(name_args), GW_OP_DEVICE, "discover.remove",
     GW_ROLE_ADMIN, op_remove},
    /* Registers what it finds when the setting says auto_register. */
    {"discover.run", run_args, NARGS(run_args), GW_OP_DEVICE, "discover.run", GW_ROLE_ADMIN,
     op_run},
};
/* clang-format on */
const size_t disc_n_ops = NARGS(disc_ops);

void disc_status(struct disc_ctx *m, struct gw_db *db, json_t *status)
{
    if (disc_db_migrate(db, NULL) < 0)
        return;
    json_t *o = json_object();
    json_t *running = json_array();
    sqlite3_stmt *st;
    gw_db_prepare(db, "SELECT COUNT(*) FROM disc_settings", &st);
    json_object_set_new(
        o, "settings",
        json_integer(st && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0));
    sqlite3_finalize(st);
    for (struct run *r = m ? m->runs : NULL; r; r = r->next) {
        if (!r->sw)
            continue;
        struct disc_progress p;
        disc_sweep_progress(r->sw, &p);
        json_t *ro = live_json(r, &p);
        json_object_set_new(ro, "name", json_string(r->name));
        json_array_append_new(running, ro);
    }
    json_object_set_new(o, "running", running);
    json_object_set_new(status, "discovery", o);
}
