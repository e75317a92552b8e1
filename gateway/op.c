/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The operation dispatcher (gw_op.h): the checks every caller's request passes, in this order,
 * before a module's handler runs:
 *   1. the request is a JSON object naming a known operation in "cmd";
 *   2. the caller's role is at least the op's (first, so a caller without it learns nothing
 *      of the arguments);
 *   3. every key is in the op's schema, has its type and stays within its limits, and every
 *      required key is present ("device.add: port: must be 0..65535");
 * then the handler runs, and afterwards the audit record it asked for is written (once) and the
 * op's secret arguments are wiped. The index of all tables is sorted by name and searched with
 * bsearch(); tables are checked when the index is built, so a bad row stops the program at
 * start, not at the first call.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/gw_int.h"

struct entry {
    const struct gw_op *op;
    size_t table;
};

struct gw_op_index {
    struct entry *e;
    size_t n;
};

json_t *gw_reply_ok(void)
{
    return json_pack("{s:b}", "ok", 1);
}

json_t *gw_reply_err(int code, const char *msg)
{
    return json_pack("{s:b, s:s, s:s, s:i}", "ok", 0, "error", msg, "code_name", gw_err_name(code),
                     "code", code);
}

json_t *gw_reply_errf(int code, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return gw_reply_err(code, msg);
}

const char *gw_json_str(json_t *o, const char *key, const char *def)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : def;
}

void gw_json_wipe(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_string(v))
        memset((char *)json_string_value(v), 0, json_string_length(v));
}

const char *gw_role_name(enum gw_role role)
{
    switch (role) {
    case GW_ROLE_VIEWER:
        return "viewer";
    case GW_ROLE_ADMIN:
        return "admin";
    case GW_ROLE_ROOT:
        return "root";
    default:
        return "none";
    }
}

/* --- audit --- */

static void audit_set(struct gw_op_ctx *ctx, const char *action, const char *result,
                      const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
static void audit_set(struct gw_op_ctx *ctx, const char *action, const char *result,
                      const char *fmt, va_list ap)
{
    /* An op without an audit action asking for a record is a bug in its table or handler. */
    GW_ASSERT(ctx->op->audit && !ctx->audit.set);
    ctx->audit.action = action ? action : ctx->op->audit;
    ctx->audit.result = result;
    ctx->audit.has_detail = fmt != NULL;
    if (fmt)
        vsnprintf(ctx->audit.detail, sizeof ctx->audit.detail, fmt, ap);
    ctx->audit.set = true;
}

void gw_op_audit(struct gw_op_ctx *ctx, const char *result, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    audit_set(ctx, NULL, result, fmt, ap);
    va_end(ap);
}

void gw_op_audit_as(struct gw_op_ctx *ctx, const char *action, const char *result, const char *fmt,
                    ...)
{
    va_list ap;
    va_start(ap, fmt);
    audit_set(ctx, action, result, fmt, ap);
    va_end(ap);
}

void gw_op_audit_flush(struct gw_op_ctx *ctx)
{
    if (!ctx->audit.set || ctx->audit.written)
        return;
    ctx->audit.written = true;
    gw_audit_add(ctx->db, ctx->caller->user, ctx->caller->source, ctx->audit.action,
                 ctx->audit.result, ctx->audit.has_detail ? ctx->audit.detail : NULL);
}

/* --- tables and index --- */

static bool name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
              s[i] == '-' || s[i] == '_'))
            return false;
    return s[0] != '.' && s[n - 1] != '.';
}

int gw_op_table_check(const struct gw_op *ops, size_t n, struct gw_errbuf *eb)
{
    for (size_t i = 0; i < n; i++) {
        const struct gw_op *op = &ops[i];
        if (!name_ok(op->name))
            return gw_errbuf_set(eb, GW_E_INVAL, "op %zu: bad name '%s'", i,
                                 op->name ? op->name : "(null)");
        if (!op->fn)
            return gw_errbuf_set(eb, GW_E_INVAL, "%s: no handler", op->name);
        if (op->role < GW_ROLE_VIEWER || op->role > GW_ROLE_ROOT)
            return gw_errbuf_set(eb, GW_E_INVAL, "%s: no role", op->name);
        if (op->touch != GW_OP_READ && op->touch != GW_OP_GATEWAY && op->touch != GW_OP_DEVICE)
            return gw_errbuf_set(eb, GW_E_INVAL, "%s: bad touch", op->name);
        /* Whatever changes something leaves a trace, and a viewer changes nothing. */
        if (op->touch != GW_OP_READ && !op->audit)
            return gw_errbuf_set(eb, GW_E_INVAL, "%s: changes state but is not audited", op->name);
        if (op->touch != GW_OP_READ && op->role < GW_ROLE_ADMIN)
            return gw_errbuf_set(eb, GW_E_INVAL, "%s: changes state but a viewer may call it",
                                 op->name);
        if (op->audit && !name_ok(op->audit))
            return gw_errbuf_set(eb, GW_E_INVAL, "%s: bad audit action", op->name);
        if (op->n_args && !op->args)
            return gw_errbuf_set(eb, GW_E_INVAL, "%s: no argument table", op->name);
        for (size_t a = 0; a < op->n_args; a++) {
            const struct gw_op_arg *g = &op->args[a];
            if (!g->key || !*g->key || strcmp(g->key, "cmd") == 0)
                return gw_errbuf_set(eb, GW_E_INVAL, "%s: argument %zu: bad key", op->name, a);
            if (g->type < GW_OP_T_STRING || g->type > GW_OP_T_ARRAY)
                return gw_errbuf_set(eb, GW_E_INVAL, "%s: %s: bad type", op->name, g->key);
            if (g->min > g->max ||
                ((g->type == GW_OP_T_STRING || g->type == GW_OP_T_ARRAY) && g->min < 0))
                return gw_errbuf_set(eb, GW_E_INVAL, "%s: %s: bad limits", op->name, g->key);
            if ((g->type == GW_OP_T_BOOL || g->type == GW_OP_T_OBJECT) && (g->min || g->max))
                return gw_errbuf_set(eb, GW_E_INVAL, "%s: %s: limits on a %s", op->name, g->key,
                                     g->type == GW_OP_T_BOOL ? "bool" : "object");
            if ((g->flags & GW_OP_SECRET) && g->type != GW_OP_T_STRING)
                return gw_errbuf_set(eb, GW_E_INVAL, "%s: %s: a secret must be a string", op->name,
                                     g->key);
            if (g->flags & ~(GW_OP_REQUIRED | GW_OP_SECRET))
                return gw_errbuf_set(eb, GW_E_INVAL, "%s: %s: unknown flags", op->name, g->key);
            for (size_t b = 0; b < a; b++)
                if (strcmp(op->args[b].key, g->key) == 0)
                    return gw_errbuf_set(eb, GW_E_INVAL, "%s: %s: listed twice", op->name, g->key);
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(ops[j].name, op->name) == 0)
                return gw_errbuf_set(eb, GW_E_INVAL, "%s: listed twice", op->name);
    }
    return 0;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->op->name, ((const struct entry *)b)->op->name);
}

int gw_op_index_new(const struct gw_op_table *tables, size_t n, struct gw_op_index **out,
                    struct gw_errbuf *eb)
{
    struct gw_op_index *idx;
    size_t total = 0, k = 0;
    *out = NULL;
    for (size_t t = 0; t < n; t++) {
        struct gw_errbuf teb = {""};
        if (gw_op_table_check(tables[t].ops, tables[t].n, &teb) < 0)
            return gw_errbuf_set(eb, GW_E_INVAL, "%s: %s", tables[t].module, teb.msg);
        total += tables[t].n;
    }
    idx = gw_calloc(1, sizeof *idx);
    idx->e = gw_calloc(total ? total : 1, sizeof *idx->e);
    for (size_t t = 0; t < n; t++)
        for (size_t i = 0; i < tables[t].n; i++)
            idx->e[k++] = (struct entry){&tables[t].ops[i], t};
    idx->n = total;
    qsort(idx->e, idx->n, sizeof *idx->e, entry_cmp);
    for (size_t i = 1; i < idx->n; i++)
        if (strcmp(idx->e[i - 1].op->name, idx->e[i].op->name) == 0) {
            gw_errbuf_set(eb, GW_E_INVAL, "%s: in tables %s and %s", idx->e[i].op->name,
                          tables[idx->e[i - 1].table].module, tables[idx->e[i].table].module);
            gw_op_index_free(idx);
            return GW_E_INVAL;
        }
    *out = idx;
    return 0;
}

void gw_op_index_free(struct gw_op_index *idx)
{
    if (!idx)
        return;
    free(idx->e);
    free(idx);
}

static int key_cmp(const void *key, const void *e)
{
    return strcmp(key, ((const struct entry *)e)->op->name);
}

const struct gw_op *gw_op_index_find(const struct gw_op_index *idx, const char *name, size_t *table)
{
    const struct entry *e = bsearch(name, idx->e, idx->n, sizeof *idx->e, key_cmp);
    if (e && table)
        *table = e->table;
    return e ? e->op : NULL;
}

size_t gw_op_index_count(const struct gw_op_index *idx)
{
    return idx->n;
}

const struct gw_op *gw_op_index_at(const struct gw_op_index *idx, size_t i)
{
    return i < idx->n ? idx->e[i].op : NULL;
}

/* --- dispatch --- */

static const char *type_name(enum gw_op_type t)
{
    switch (t) {
    case GW_OP_T_STRING:
        return "a string";
    case GW_OP_T_INT:
        return "an integer";
    case GW_OP_T_BOOL:
        return "true or false";
    case GW_OP_T_OBJECT:
        return "an object";
    default:
        return "an array";
    }
}

static bool type_ok(enum gw_op_type t, json_t *v)
{
    switch (t) {
    case GW_OP_T_STRING:
        return json_is_string(v);
    case GW_OP_T_INT:
        return json_is_integer(v);
    case GW_OP_T_BOOL:
        return json_is_boolean(v);
    case GW_OP_T_OBJECT:
        return json_is_object(v);
    default:
        return json_is_array(v);
    }
}

/* Returns: NULL when req fits op's schema, else the refusal (new reference). */
static json_t *validate(const struct gw_op *op, json_t *req)
{
    const char *key;
    json_t *v;
    json_object_foreach(req, key, v)
    {
        const struct gw_op_arg *g = NULL;
        if (strcmp(key, "cmd") == 0)
            continue;
        for (size_t a = 0; a < op->n_args && !g; a++)
            if (strcmp(op->args[a].key, key) == 0)
                g = &op->args[a];
        if (!g)
            return gw_reply_errf(GW_E_INVAL, "%s: %.64s: unknown argument", op->name, key);
        if (!type_ok(g->type, v))
            return gw_reply_errf(GW_E_INVAL, "%s: %s: must be %s", op->name, key,
                                 type_name(g->type));
        if (g->max <= g->min)
            continue;
        if (g->type == GW_OP_T_INT) {
            json_int_t i = json_integer_value(v);
            if (i < g->min || i > g->max)
                return gw_reply_errf(GW_E_INVAL, "%s: %s: must be %lld..%lld", op->name, key,
                                     (long long)g->min, (long long)g->max);
        } else if (g->type == GW_OP_T_STRING || g->type == GW_OP_T_ARRAY) {
            size_t n = g->type == GW_OP_T_STRING ? json_string_length(v) : json_array_size(v);
            if (n < (size_t)g->min || n > (size_t)g->max)
                return gw_reply_errf(GW_E_INVAL, "%s: %s: must have %lld..%lld %s", op->name, key,
                                     (long long)g->min, (long long)g->max,
                                     g->type == GW_OP_T_STRING ? "bytes" : "elements");
        }
    }
    for (size_t a = 0; a < op->n_args; a++)
        if ((op->args[a].flags & GW_OP_REQUIRED) && !json_object_get(req, op->args[a].key))
            return gw_reply_errf(GW_E_INVAL, "%s: %s: missing", op->name, op->args[a].key);
    return NULL;
}

static void wipe_all(json_t *req)
{
    const char *key;
    json_t *v;
    json_object_foreach(req, key, v)
    {
        if (strcmp(key, "cmd") != 0)
            gw_json_wipe(req, key);
    }
}

json_t *gw_op_exec(const struct gw_op_index *idx, void *const *mods, struct gw_db *db,
                   struct gw_vault *vault, const struct gw_op_caller *caller, json_t *req)
{
    const struct gw_op *op;
    size_t table = 0;
    json_t *r;
    if (!json_is_object(req))
        return gw_reply_err(GW_E_PARSE, "request is not a JSON object");
    op = gw_op_index_find(idx, gw_json_str(req, "cmd", ""), &table);
    if (!op) {
        wipe_all(req);
        return gw_reply_err(GW_E_INVAL, "unknown command");
    }
    if (caller->role < op->role) {
        wipe_all(req);
        /* The wording account recovery has always had; the web UI refuses a viewer's changes
         * at its route table already, so GW_E_PERM is what other callers see. */
        if (op->role == GW_ROLE_ROOT)
            return gw_reply_err(GW_E_INVAL, "account recovery is only for root on the gateway");
        return gw_reply_errf(GW_E_PERM, "%s: needs the %s role", op->name, gw_role_name(op->role));
    }
    if ((r = validate(op, req))) {
        wipe_all(req);
        return r;
    }
    struct gw_op_ctx ctx = {
        .op = op, .caller = caller, .db = db, .vault = vault, .mod = mods ? mods[table] : NULL};
    r = op->fn(&ctx, req);
    GW_ASSERT(r);
    gw_op_audit_flush(&ctx);
    for (size_t a = 0; a < op->n_args; a++)
        if (op->args[a].flags & GW_OP_SECRET)
            gw_json_wipe(req, op->args[a].key);
    return r;
}
