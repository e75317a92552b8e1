/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Message bodies that are built from the store: the counters-and-supplies batch and the daily
 * log zips, plus the zip compressor for log files (gzip, for every envelope, is the outbox's).
 *
 * The counters batch is the uplink's bulk: its shape decides the bytes per device per day. It
 * therefore carries only current meters (not history), names each counter once per device, and
 * leaves repetition across devices (the same counter names, vendors and models) to gzip, which
 * removes most of it in a batch of hundreds of devices.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zip.h>

#include "uplink/up_int.h"

#define BATCH_DEVICES 500 /* devices per counters message; keeps one message well under 1 MB */

int up__zip_one(const char *name, const char *text, size_t len, unsigned char **out, size_t *outlen)
{
    zip_error_t ze;
    zip_source_t *src, *file;
    zip_t *za;
    zip_stat_t zs;
    int rc = GW_E_INTERNAL;

    zip_error_init(&ze);
    src = zip_source_buffer_create(NULL, 0, 0, &ze);
    if (!src)
        goto out;
    /* zip_close() would free the source; keep it to read the archive back. */
    zip_source_keep(src);
    za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    if (!za) {
        zip_source_free(src);
        goto out;
    }
    file = zip_source_buffer(za, text, len, 0);
    if (!file || zip_file_add(za, name, file, ZIP_FL_ENC_UTF_8) < 0) {
        zip_source_free(file);
        zip_discard(za);
        zip_source_free(src);
        goto out;
    }
    if (zip_close(za) < 0) {
        zip_discard(za);
        zip_source_free(src);
        goto out;
    }
    if (zip_source_stat(src, &zs) == 0 && zip_source_open(src) == 0) {
        unsigned char *buf = gw_malloc(zs.size ? zs.size : 1);
        zip_int64_t n = zip_source_read(src, buf, zs.size);
        zip_source_close(src);
        if (n == (zip_int64_t)zs.size) {
            *out = buf;
            *outlen = (size_t)n;
            rc = 0;
        } else {
            free(buf);
        }
    }
    zip_source_free(src);
out:
    zip_error_fini(&ze);
    return rc;
}

/* The counters batch being built: devices collect in devices, and go out as one message every
 * BATCH_DEVICES devices and at the end. */
struct batch {
    struct gw_db *db;
    int64_t max_bytes;
    char from[21];
    json_t *devices;
    json_t *dev; /* the device being filled */
    int queued, rc;
};

static int batch_flush(struct batch *b)
{
    json_t *body = json_pack("{s:s, s:O}", "from", b->from, "devices", b->devices);
    b->rc = up__queue_put(b->db, "counters", UP_PRIO_DATA, body, b->max_bytes);
    json_decref(body);
    json_array_clear(b->devices);
    if (b->rc < 0 && b->rc != GW_E_TOOBIG)
        return b->rc;
    b->queued++;
    return 0;
}

static int batch_device(const struct gw_current_device *d, void *arg)
{
    struct batch *b = arg;
    b->dev =
        json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "dev", (json_int_t)d->id, "serial", d->serial,
                  "mac", d->mac, "vendor", d->vendor, "model", d->model, "status", d->status);
    json_object_set_new(b->dev, "c", json_object());
    json_object_set_new(b->dev, "s", json_array());
    json_object_set_new(b->dev, "t", json_array());
    return 0;
}

static int batch_counter(const char *name, int64_t value, void *arg)
{
    struct batch *b = arg;
    json_object_set_new(json_object_get(b->dev, "c"), name, json_integer(value));
    return 0;
}

static int batch_supply(const char *type, const char *color, int percent, const char *state,
                        void *arg)
{
    struct batch *b = arg;
    json_array_append_new(json_object_get(b->dev, "s"),
                          json_pack("[s, s, i, s]", type, color, percent, state));
    return 0;
}

/* Trays are not supplies: [name, level, capacity, state] with Printer-MIB's numbers (level -3
 * "some paper", -2 unknown), so the cloud never mistakes one for a toner. */
static int batch_tray(const char *name, int64_t level_raw, int64_t max_capacity, const char *state,
                      void *arg)
{
    struct batch *b = arg;
    json_array_append_new(
        json_object_get(b->dev, "t"),
        json_pack("[s, I, I, s]", name, (json_int_t)level_raw, (json_int_t)max_capacity, state));
    return 0;
}

static int batch_device_end(void *arg)
{
    struct batch *b = arg;
    json_array_append_new(b->devices, b->dev);
    b->dev = NULL;
    return json_array_size(b->devices) >= BATCH_DEVICES ? batch_flush(b) : 0;
}

int up__collect_counters(struct gw_db *db, int64_t since, int64_t max_bytes)
{
    static const struct gw_current_cbs cbs = {
        .device = batch_device,
        .counter = batch_counter,
        .supply = batch_supply,
        .tray = batch_tray,
        .device_end = batch_device_end,
    };
    struct batch b = {.db = db, .max_bytes = max_bytes, .devices = json_array()};
    int rc;
    gw_time_iso(since, b.from);
    rc = gw_query_current_each(db, &cbs, &b);
    json_decref(b.dev);
    /* The rest goes out too, also when the read failed half-way (the devices read before). */
    if (json_array_size(b.devices) > 0)
        batch_flush(&b);
    json_decref(b.devices);
    if (b.rc < 0 && b.rc != GW_E_TOOBIG)
        return b.rc;
    return rc < 0 && b.queued == 0 ? rc : b.queued;
}

/* Appends one log line; text fields are free text and may hold anything, the anonymizer gets
 * them after. */
static void line_add(char **buf, size_t *len, size_t *cap, const char *line)
{
    size_t n = strlen(line);
    if (*len + n + 2 > *cap) {
        *cap = (*len + n + 2) * 2;
        *buf = gw_realloc(*buf, *cap);
    }
    memcpy(*buf + *len, line, n);
    *len += n;
    (*buf)[(*len)++] = '\n';
    (*buf)[*len] = '\0';
}

static int queue_zip(struct gw_db *db, const char *file, const char *member, char *text, size_t len,
                     int records, int64_t max_bytes)
{
    const struct up_anon *a = up__anon_current(db);
    unsigned char *zip = NULL;
    size_t ziplen = 0;
    char *clean = a ? up__anon_text(a, text ? text : "") : NULL;
    const char *src = clean ? clean : (text ? text : "");
    int rc = up__zip_one(member, src, strlen(src), &zip, &ziplen);
    free(clean);
    (void)len;
    if (rc < 0)
        return rc;
    char *b64 = gw_malloc(4 * ((ziplen + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)b64, zip, (int)ziplen);
    free(zip);
    json_t *body = json_pack("{s:s, s:s, s:i}", "file", file, "zip_b64", b64, "records", records);
    free(b64);
    rc = up__queue_put(db, "logs", UP_PRIO_EVENT, body, max_bytes);
    json_decref(body);
    return rc;
}

/* One log file being built: its lines, how many, and the id of the newest record in it. */
struct log_file {
    char *buf;
    size_t len, cap;
    int n;
    int64_t maxid;
};

static int audit_line(const struct gw_audit_row *a, void *arg)
{
    struct log_file *f = arg;
    char line[2048], ts[21];
    f->maxid = a->id;
    snprintf(line, sizeof line, "%s id=%lld user=%s source=%s action=%s result=%s %s",
             gw_time_iso(a->ts, ts), (long long)a->id, a->user, a->source, a->action, a->result,
             a->detail);
    line_add(&f->buf, &f->len, &f->cap, line);
    f->n++;
    return 0;
}

static int event_line(const struct gw_event_row *e, void *arg)
{
    struct log_file *f = arg;
    char line[2048], ts[21];
    f->maxid = e->id;
    snprintf(line, sizeof line, "%s device=%lld address=%s event=%s %s", gw_time_iso(e->ts, ts),
             (long long)e->device_id, e->address, e->kind, e->detail);
    line_add(&f->buf, &f->len, &f->cap, line);
    f->n++;
    return 0;
}

static int read_audit(struct gw_db *db, struct log_file *f)
{
    return gw_query_audit_after(db, f->maxid, 100000, audit_line, f);
}

static int read_events(struct gw_db *db, struct log_file *f)
{
    return gw_query_events_after(db, f->maxid, 100000, event_line, f);
}

/* Zips the records after the cursor under key into <prefix>-YYYYMMDD.zip (member name) and
 * queues it; the cursor moves past them once they are queued (or too big ever to be). A failed
 * read sends nothing and keeps the cursor: the next run reads the same records.
 * Returns: the read's result, 0 or < 0; *put gets the queueing's (0, GW_E_TOOBIG, < 0). */
static int queue_log(struct gw_db *db, const char *prefix, const char *day, const char *member,
                     const char *key, int (*read)(struct gw_db *, struct log_file *),
                     int64_t max_bytes, int *put)
{
    struct log_file f = {0};
    char file[64];
    int rc;
    snprintf(file, sizeof file, "%s-%.4s%.2s%.2s.zip", prefix, day, day + 5, day + 8);
    f.maxid = up__setting_int(db, key, 0);
    rc = read(db, &f);
    if (rc == 0) {
        *put = queue_zip(db, file, member, f.buf, f.len, f.n, max_bytes);
        if (*put == 0 || *put == GW_E_TOOBIG)
            up__setting_set_int(db, key, f.maxid);
    }
    free(f.buf);
    return rc;
}

int up__collect_logs(struct gw_db *db, int64_t max_bytes)
{
    char day[21];
    int queued = 0, put = 0, rc;
    gw_time_iso(gw_now(), day);
    rc = queue_log(db, "audit", day, "audit.log", UP_K_AUDIT_CUR, read_audit, max_bytes, &put);
    if (rc < 0)
        return rc;
    if (put == 0 || put == GW_E_TOOBIG)
        queued++;
    rc = queue_log(db, "system", day, "system.log", UP_K_EVENT_CUR, read_events, max_bytes, &put);
    if (rc < 0)
        return rc;
    if (put == 0 || put == GW_E_TOOBIG)
        queued++;
    return put < 0 && put != GW_E_TOOBIG ? put : queued;
}
