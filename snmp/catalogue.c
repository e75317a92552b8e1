/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The counter catalogue: which vendor-private objects to read for which enterprise, and what
 * they mean. It lives in a text file (snmp/counters.catalogue, grammar in that file's header)
 * so that supporting a new model is a data change, not a new binary.
 *
 * The parser is strict in the way the config parser is: an unknown keyword, a bad number, a
 * bad OID, an unknown option or a duplicate is an error naming file:line, and nothing of a bad
 * file is used. Errors return SNMPC_E_CATALOGUE; a file that cannot be read returns -errno.
 *
 * After parsing, entries are ordered by enterprise (stable, so the file order is kept within
 * one vendor) and snmpc_catalogue_vendor() finds a vendor's run with a binary search. The
 * vendor-name table merges the file's "vendor" lines over a built-in list of printer makers,
 * so that a device is named even when the catalogue has no counters for it.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snmp/snmpc_int.h"

struct cat_vendor {
    uint32_t enterprise;
    char name[32];
};

/* A "row" line: the counter name for one row of a table, by index or by label slug. */
struct cat_row {
    size_t table; /* index into snmpc_catalogue.t */
    uint32_t idx[SNMPC_CAT_MAX_INDEX];
    size_t idx_len; /* 0 when keyed by label */
    char label[64]; /* label slug, "" when keyed by index */
    char name[64];
    int total_prio; /* role=total: its priority; -1 for a plain counter */
    size_t line;    /* for errors found after the whole file is read */
};

struct snmpc_catalogue {
    struct snmpc_cat_entry *e;
    size_t n, cap;
    struct cat_vendor *v;
    size_t nv, vcap;
    struct snmpc_cat_table *t; /* "table" lines, file order */
    size_t nt, tcap;
    struct cat_row *r; /* "row" lines, file order */
    size_t nr, rcap;
    struct snmpc_cat_supplies *s; /* "supplies" lines, file order */
    size_t ns, scap;
    struct snmpc__descr_set descr; /* "sysdescr" lines (descr.c) */
    unsigned refs;                 /* holders; the catalogue goes when the last one drops it */
};


/* IANA private enterprise numbers of printer makers, used when the catalogue has no "vendor"
 * line for a device's enterprise (or no catalogue was loaded). The file's lines win. */
static const struct cat_vendor builtin_vendors[] = {
    {11, "HP"},                /* Hewlett-Packard */
    {236, "Samsung"},          /* Samsung Electronics */
    {253, "Xerox"},            /* Xerox */
    {297, "Fujifilm"},         /* registered as Fuji Xerox, now FUJIFILM Business Innovation */
    {367, "Ricoh"},            /* Ricoh */
    {641, "Lexmark"},          /* Lexmark International */
    {674, "Dell"},             /* Dell */
    {1129, "Toshiba"},         /* Toshiba TEC */
    {1248, "Epson"},           /* Seiko Epson */
    {1347, "Kyocera"},         /* Kyocera */
    {1602, "Canon"},           /* Canon */
    {2001, "OKI"},             /* Oki Data */
    {2385, "Sharp"},           /* Sharp */
    {2435, "Brother"},         /* Brother Industries */
    {10642, "Zebra"},          /* Zebra Technologies */
    {18334, "Konica Minolta"}, /* Konica Minolta */
    {40093, "Pantum"},         /* Pantum */
};

static void catalogue_destroy(struct snmpc_catalogue *c)
{
    free(c->e);
    free(c->v);
    free(c->t);
    free(c->r);
    free(c->s);
    snmpc__descr_cleanup(&c->descr);
    free(c);
}

const struct snmpc_catalogue *snmpc_catalogue_ref(const struct snmpc_catalogue *c)
{
    /* The content never changes after parsing; the count is the only mutable part, which is
     * why holders keep const pointers and this casts the const away. */
    struct snmpc_catalogue *m = (struct snmpc_catalogue *)c;
    if (!m)
        return NULL;
    GW_ASSERT(m->refs > 0 && m->refs < UINT_MAX);
    m->refs++;
    return c;
}

void snmpc_catalogue_free(const struct snmpc_catalogue *c)
{
    struct snmpc_catalogue *m = (struct snmpc_catalogue *)c;
    if (!m)
        return;
    GW_ASSERT(m->refs > 0);
    if (--m->refs > 0)
        return;
    catalogue_destroy(m);
}

unsigned snmpc__catalogue_refs(const struct snmpc_catalogue *c)
{
    return c ? c->refs : 0;
}

size_t snmpc__catalogue_size(const struct snmpc_catalogue *c)
{
    return c ? c->n : 0;
}

const struct snmpc__descr_set *snmpc__catalogue_descr(const struct snmpc_catalogue *c)
{
    return c ? &c->descr : NULL;
}

static const char *vendor_lookup(const struct snmpc_catalogue *c, uint32_t enterprise)
{
    if (!c)
        return NULL;
    for (size_t i = 0; i < c->nv; i++)
        if (c->v[i].enterprise == enterprise)
            return c->v[i].name;
    return NULL;
}

const char *snmpc_vendor_name(const struct snmpc_catalogue *c, uint32_t enterprise)
{
    const char *n = vendor_lookup(c, enterprise);
    if (n)
        return n;
    for (size_t i = 0; i < sizeof builtin_vendors / sizeof builtin_vendors[0]; i++)
        if (builtin_vendors[i].enterprise == enterprise)
            return builtin_vendors[i].name;
    return NULL;
}

const struct snmpc_cat_entry *snmpc_catalogue_vendor(const struct snmpc_catalogue *c,
                                                     uint32_t enterprise, size_t *n)
{
    size_t lo = 0, hi, end;

    if (n)
        *n = 0;
    if (!c || c->n == 0)
        return NULL;
    hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->e[mid].enterprise < enterprise)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == c->n || c->e[lo].enterprise != enterprise)
        return NULL;
    end = lo;
    while (end < c->n && c->e[end].enterprise == enterprise)
        end++;
    if (n)
        *n = end - lo;
    return &c->e[lo];
}

/* ---------------------------------------------------------------------------------------------
 * Parser
 */

struct tok {
    const char *p;
    size_t len;
};

/* Splits l into at most max whitespace-separated tokens; a '#' that starts a token begins a
 * comment. Returns: the token count, or max + 1 when there are more. */
static size_t tokenize(const char *l, size_t len, struct tok *t, size_t max)
{
    size_t i = 0, n = 0;
    for (;;) {
        while (i < len && (l[i] == ' ' || l[i] == '\t'))
            i++;
        if (i >= len || l[i] == '#')
            return n;
        if (n == max)
            return max + 1;
        t[n].p = l + i;
        while (i < len && l[i] != ' ' && l[i] != '\t')
            i++;
        t[n].len = (size_t)(l + i - t[n].p);
        n++;
    }
}

static bool tok_is(const struct tok *t, const char *s)
{
    return t->len == strlen(s) && memcmp(t->p, s, t->len) == 0;
}

static bool tok_u32(const struct tok *t, uint32_t min, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;
    if (t->len == 0 || t->len > 10)
        return false;
    for (size_t i = 0; i < t->len; i++) {
        if (t->p[i] < '0' || t->p[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(t->p[i] - '0');
    }
    if (v < min || v > max)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* Parses token t, an OID without a leading dot, into oid[max] (max <= SNMPC_MAX_OID).
 * Returns: the sub-identifier count as snmpc_oid_parse() does; negative when t starts with '.'
 * or is too long for max sub-identifiers. */
static int tok_oid(const struct tok *t, uint32_t *oid, size_t max)
{
    char txt[SNMPC_MAX_OID * 11 + 2];

    GW_ASSERT(max <= SNMPC_MAX_OID);
    if (t->len >= max * 11 + 2 || (t->len && t->p[0] == '.'))
        return -1;
    memcpy(txt, t->p, t->len);
    txt[t->len] = '\0';
    return snmpc_oid_parse(txt, oid, max);
}

/* Formats "name:line: message" into eb. Returns: SNMPC_E_CATALOGUE. */
static int cat_err(struct gw_errbuf *eb, const char *name, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int cat_err(struct gw_errbuf *eb, const char *name, size_t line, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return gw_errbuf_set(eb, SNMPC_E_CATALOGUE, "%s:%zu: %s", name, line, msg);
}

/* printf arguments for a token in a message, at most 60 characters of it. */
#define TOKF(t) (int)((t)->len > 60 ? 60 : (t)->len), (t)->p

/* Makes room for one more element of size bytes in arr, which holds n of *cap (first: the
 * capacity of a new array). Returns: the array, moved perhaps. */
static void *grow(void *arr, size_t n, size_t *cap, size_t first, size_t size)
{
    if (n == *cap) {
        *cap = *cap ? *cap * 2 : first;
        arr = gw_realloc(arr, *cap * size);
    }
    return arr;
}

static bool valid_name(const struct tok *t)
{
    if (t->len == 0 || t->len >= sizeof((struct snmpc_cat_entry *)0)->name)
        return false;
    for (size_t i = 0; i < t->len; i++) {
        char c = t->p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    /* "marker_life.N" names are generated by the decoder for prtMarkerLifeCount; a catalogue
     * name with that stem would be confused with them. */
    return !(t->len >= 11 && memcmp(t->p, "marker_life", 11) == 0);
}

/* "vendor <enterprise> <name words...>" */
static int parse_vendor(struct snmpc_catalogue *c, const char *l, size_t len, struct tok *t,
                        size_t nt, const char *name, size_t line, struct gw_errbuf *eb)
{
    uint32_t ent;
    const char *vn;
    size_t vl;

    if (nt < 3)
        return cat_err(eb, name, line, "vendor: expected 'vendor <enterprise> <name>'");
    if (!tok_u32(&t[1], 1, UINT32_MAX, &ent))
        return cat_err(eb, name, line, "vendor: bad enterprise number '%.*s'", TOKF(&t[1]));
    /* The name is the rest of the line up to a comment, so "Konica Minolta" needs no quotes. */
    vn = t[2].p;
    vl = (size_t)(l + len - vn);
    for (size_t i = 0; i < vl; i++)
        if (vn[i] == '#') {
            vl = i;
            break;
        }
    while (vl && (vn[vl - 1] == ' ' || vn[vl - 1] == '\t'))
        vl--;
    if (vl >= sizeof c->v[0].name)
        return cat_err(eb, name, line, "vendor: name longer than 31 characters");
    for (size_t i = 0; i < vl; i++)
        if ((unsigned char)vn[i] < 0x20 || (unsigned char)vn[i] > 0x7e)
            return cat_err(eb, name, line, "vendor: name must be printable ASCII");
    if (vendor_lookup(c, ent))
        return cat_err(eb, name, line, "vendor: enterprise %.*s declared twice", TOKF(&t[1]));
    c->v = grow(c->v, c->nv, &c->vcap, 16, sizeof *c->v);
    c->v[c->nv].enterprise = ent;
    memcpy(c->v[c->nv].name, vn, vl);
    c->v[c->nv].name[vl] = '\0';
    c->nv++;
    return 0;
}

/* "oid <enterprise> <name> <oid> [role=R] [priority=N] [series=keep|drop]" */
static int parse_oid(struct snmpc_catalogue *c, struct tok *t, size_t nt, const char *name,
                     size_t line, struct gw_errbuf *eb)
{
    static const struct {
        const char *name;
        int role;
    } roles[] = {
        {"counter", SNMPC_ROLE_OTHER},     {"total", SNMPC_ROLE_TOTAL},
        {"serial", SNMPC_ROLE_SERIAL},     {"model", SNMPC_ROLE_MODEL},
        {"firmware", SNMPC_ROLE_FIRMWARE},
    };
    struct snmpc_cat_entry e;
    const char *vname;
    bool have_role = false, have_prio = false, have_series = false, have_text = false;
    int n;

    memset(&e, 0, sizeof e);
    e.priority = 100;
    if (nt < 4)
        return cat_err(eb, name, line, "oid: expected 'oid <enterprise> <name> <oid> [options]'");
    if (!tok_u32(&t[1], 1, UINT32_MAX, &e.enterprise))
        return cat_err(eb, name, line, "oid: bad enterprise number '%.*s'", TOKF(&t[1]));
    vname = vendor_lookup(c, e.enterprise);
    if (!vname)
        return cat_err(eb, name, line, "oid: enterprise %.*s has no vendor line before it",
                       TOKF(&t[1]));
    gw_strlcpy(e.vendor, vname, sizeof e.vendor);
    if (!valid_name(&t[2]))
        return cat_err(eb, name, line,
                       "oid: bad name '%.*s' (lower-case letters, digits and _, at most 63, "
                       "not marker_life*)",
                       TOKF(&t[2]));
    memcpy(e.name, t[2].p, t[2].len);
    e.name[t[2].len] = '\0';
    n = tok_oid(&t[3], e.oid, SNMPC_MAX_OID);
    /* Vendor objects live under 1.3.6.1.x; anything shorter is a typo. */
    if (n < 6)
        return cat_err(eb, name, line, "oid: bad OID '%.*s'", TOKF(&t[3]));
    e.oid_len = (size_t)n;

    for (size_t i = 4; i < nt; i++) {
        if (t[i].len > 5 && memcmp(t[i].p, "role=", 5) == 0) {
            struct tok v = {t[i].p + 5, t[i].len - 5};
            size_t k;
            if (have_role)
                return cat_err(eb, name, line, "oid: option role given twice");
            for (k = 0; k < sizeof roles / sizeof roles[0]; k++)
                if (tok_is(&v, roles[k].name))
                    break;
            if (k == sizeof roles / sizeof roles[0])
                return cat_err(eb, name, line,
                               "oid: unknown role '%.*s' (counter, total, serial, model, "
                               "firmware)",
                               TOKF(&v));
            e.role = roles[k].role;
            have_role = true;
        } else if (t[i].len > 9 && memcmp(t[i].p, "priority=", 9) == 0) {
            struct tok v = {t[i].p + 9, t[i].len - 9};
            uint32_t p;
            if (have_prio)
                return cat_err(eb, name, line, "oid: option priority given twice");
            if (!tok_u32(&v, 0, 1000, &p))
                return cat_err(eb, name, line, "oid: priority '%.*s' is not 0..1000", TOKF(&v));
            e.priority = (int)p;
            have_prio = true;
        } else if (t[i].len > 7 && memcmp(t[i].p, "series=", 7) == 0) {
            struct tok v = {t[i].p + 7, t[i].len - 7};
            if (have_series)
                return cat_err(eb, name, line, "oid: option series given twice");
            if (tok_is(&v, "keep"))
                e.keep_series = true;
            else if (!tok_is(&v, "drop"))
                return cat_err(eb, name, line, "oid: series '%.*s' is not keep or drop", TOKF(&v));
            have_series = true;
        } else if (t[i].len > 5 && memcmp(t[i].p, "text=", 5) == 0) {
            struct tok v = {t[i].p + 5, t[i].len - 5};
            if (have_text)
                return cat_err(eb, name, line, "oid: option text given twice");
            if (!tok_is(&v, "leading_number"))
                return cat_err(eb, name, line, "oid: unknown text format '%.*s' (leading_number)",
                               TOKF(&v));
            e.leading_number = true;
            have_text = true;
        } else {
            return cat_err(eb, name, line, "oid: unknown option '%.*s'", TOKF(&t[i]));
        }
    }
    /* Only a counter is read as a number out of text; identity objects are text anyway. */
    if (e.leading_number && e.role != SNMPC_ROLE_OTHER)
        return cat_err(eb, name, line, "oid: text=leading_number is only for role=counter");

    if (have_series && e.role != SNMPC_ROLE_MODEL)
        return cat_err(eb, name, line, "oid: option series is for role=model only");
    for (size_t i = 0; i < c->n; i++) {
        if (c->e[i].enterprise != e.enterprise)
            continue;
        if (strcmp(c->e[i].name, e.name) == 0)
            return cat_err(eb, name, line, "oid: duplicate name '%.*s' for this enterprise",
                           TOKF(&t[2]));
        if (snmpc_oid_cmp(c->e[i].oid, c->e[i].oid_len, e.oid, e.oid_len) == 0)
            return cat_err(eb, name, line, "oid: duplicate OID '%.*s' for this enterprise",
                           TOKF(&t[3]));
    }
    if (c->n >= SNMPC_CAT_MAX_ENTRIES)
        return cat_err(eb, name, line, "too many entries (at most 4096)");
    c->e = grow(c->e, c->n, &c->cap, 64, sizeof *c->e);
    c->e[c->n++] = e;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Vendor counter tables: "table" and "row" lines
 */

/* A table name or a name prefix: lower-case letters, digits and '_', starting with a letter,
 * at most max characters, not "marker_life*" (see valid_name()). */
static bool valid_stem(const struct tok *t, size_t max)
{
    if (t->len == 0 || t->len > max || !(t->p[0] >= 'a' && t->p[0] <= 'z'))
        return false;
    for (size_t i = 0; i < t->len; i++) {
        char c = t->p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return !(t->len >= 11 && memcmp(t->p, "marker_life", 11) == 0);
}

/* Returns: the index of enterprise ent's table named t, or SIZE_MAX. */
static size_t table_find(const struct snmpc_catalogue *c, uint32_t ent, const struct tok *t)
{
    for (size_t i = 0; i < c->nt; i++)
        if (c->t[i].enterprise == ent && tok_is(t, c->t[i].name))
            return i;
    return SIZE_MAX;
}

/* Splits t, an option of a "table" or "supplies" line, at its first '=' into k and v, both
 * non-empty. Returns: false if t has no such form. */
static bool split_option(const struct tok *t, struct tok *k, struct tok *v)
{
    const char *eq = memchr(t->p, '=', t->len);
    if (!eq || eq == t->p || (size_t)(eq - t->p) + 1 >= t->len)
        return false;
    k->p = t->p;
    k->len = (size_t)(eq - t->p);
    v->p = eq + 1;
    v->len = t->len - k->len - 1;
    return true;
}

/* The column option k=v of a kw line ("table", "supplies") into *col, which is 0 until set.
 * Returns: 0, or SNMPC_E_CATALOGUE with eb set. */
static int parse_column(const char *kw, const struct tok *k, const struct tok *v, uint32_t *col,
                        const char *name, size_t line, struct gw_errbuf *eb)
{
    if (*col)
        return cat_err(eb, name, line, "%s: option %.*s given twice", kw, TOKF(k));
    if (!tok_u32(v, 1, UINT32_MAX, col))
        return cat_err(eb, name, line, "%s: %.*s column '%.*s' is not a number > 0", kw, TOKF(k),
                       TOKF(v));
    return 0;
}

/* The max_rows=v option of a kw line into *rows, at most max; *have says it was given.
 * Returns: 0, or SNMPC_E_CATALOGUE with eb set. */
static int parse_max_rows(const char *kw, const struct tok *v, uint32_t max, bool *have,
                          unsigned *rows, const char *name, size_t line, struct gw_errbuf *eb)
{
    uint32_t u;
    if (*have)
        return cat_err(eb, name, line, "%s: option max_rows given twice", kw);
    if (!tok_u32(v, 1, max, &u))
        return cat_err(eb, name, line, "%s: max_rows '%.*s' is not 1..%u", kw, TOKF(v),
                       (unsigned)max);
    *rows = u;
    *have = true;
    return 0;
}

/* Says whether enterprise ent already has a "table" line named t. */
static bool table_taken(const struct snmpc_catalogue *c, uint32_t ent, const struct tok *t)
{
    return table_find(c, ent, t) != SIZE_MAX;
}

/* Says whether enterprise ent already has a "supplies" line named t. */
static bool supplies_taken(const struct snmpc_catalogue *c, uint32_t ent, const struct tok *t)
{
    for (size_t i = 0; i < c->ns; i++)
        if (c->s[i].enterprise == ent && tok_is(t, c->s[i].name))
            return true;
    return false;
}

/* The head that "table" and "supplies" lines (keyword kw) share, "<kw> <enterprise> <name>
 * <entry-oid>" in t[1..3]: an enterprise with a "vendor" line before it, a name that taken()
 * does not know for it, and an entry OID in the enterprise's subtree. Sets *ent, tname (the
 * name, NUL-terminated; at least SNMPC_VTABLE_PREFIX_MAX + 1 bytes), base and *base_len.
 * Returns: 0, or SNMPC_E_CATALOGUE with eb set. */
static int parse_vtable_head(const struct snmpc_catalogue *c, const char *kw, const struct tok *t,
                             bool (*taken)(const struct snmpc_catalogue *, uint32_t,
                                           const struct tok *),
                             const char *name, size_t line, struct gw_errbuf *eb, uint32_t *ent,
                             char *tname, uint32_t *base, size_t *base_len)
{
    static const uint32_t ent_prefix[] = {1, 3, 6, 1, 4, 1};
    int n;

    if (!tok_u32(&t[1], 1, UINT32_MAX, ent))
        return cat_err(eb, name, line, "%s: bad enterprise number '%.*s'", kw, TOKF(&t[1]));
    if (!vendor_lookup(c, *ent))
        return cat_err(eb, name, line, "%s: enterprise %.*s has no vendor line before it", kw,
                       TOKF(&t[1]));
    if (!valid_stem(&t[2], SNMPC_VTABLE_PREFIX_MAX))
        return cat_err(eb, name, line,
                       "%s: bad name '%.*s' (a lower-case letter, then letters, digits and _, "
                       "at most 20)",
                       kw, TOKF(&t[2]));
    if (taken(c, *ent, &t[2]))
        return cat_err(eb, name, line, "%s: duplicate name '%.*s' for this enterprise", kw,
                       TOKF(&t[2]));
    memcpy(tname, t[2].p, t[2].len);
    tname[t[2].len] = '\0';
    n = tok_oid(&t[3], base, SNMPC_MAX_OID);
    if (n < 0)
        return cat_err(eb, name, line, "%s: bad OID '%.*s'", kw, TOKF(&t[3]));
    *base_len = (size_t)n;
    /* A table walk reads only the vendor's own subtree, and its rows must fit an OID. */
    if (*base_len < 8 || !snmpc_oid_has_prefix(base, *base_len, ent_prefix, 6) || base[6] != *ent)
        return cat_err(eb, name, line, "%s: OID '%.*s' is not in enterprise %.*s's subtree", kw,
                       TOKF(&t[3]), TOKF(&t[1]));
    if (*base_len + 1 + SNMPC_CAT_MAX_INDEX > SNMPC_MAX_OID)
        return cat_err(eb, name, line, "%s: OID '%.*s' too long", kw, TOKF(&t[3]));
    return 0;
}

/* "table <enterprise> <name> <entry-oid> value=<col> [label=<col>] [prefix=<p>]
 *  [max_rows=<n>]" */
static int parse_table(struct snmpc_catalogue *c, struct tok *t, size_t nt, const char *name,
                       size_t line, struct gw_errbuf *eb)
{
    struct snmpc_cat_table tb;
    bool have_prefix = false, have_rows = false;
    int rc;

    memset(&tb, 0, sizeof tb);
    tb.max_rows = SNMPC_VTABLE_DEFAULT_ROWS;
    if (nt < 5)
        return cat_err(eb, name, line,
                       "table: expected 'table <enterprise> <name> <entry-oid> value=<column> "
                       "[options]'");
    if (nt > 8)
        return cat_err(eb, name, line, "table: too many fields");
    rc = parse_vtable_head(c, "table", t, table_taken, name, line, eb, &tb.enterprise, tb.name,
                           tb.base, &tb.base_len);
    if (rc < 0)
        return rc;
    gw_strlcpy(tb.prefix, tb.name, sizeof tb.prefix);

    for (size_t i = 4; i < nt; i++) {
        struct tok k, v;
        if (!split_option(&t[i], &k, &v))
            return cat_err(eb, name, line, "table: unknown option '%.*s'", TOKF(&t[i]));
        if (tok_is(&k, "value") || tok_is(&k, "label")) {
            rc = parse_column("table", &k, &v, tok_is(&k, "value") ? &tb.value_col : &tb.label_col,
                              name, line, eb);
            if (rc < 0)
                return rc;
        } else if (tok_is(&k, "prefix")) {
            if (have_prefix)
                return cat_err(eb, name, line, "table: option prefix given twice");
            if (!valid_stem(&v, SNMPC_VTABLE_PREFIX_MAX))
                return cat_err(eb, name, line,
                               "table: bad prefix '%.*s' (a lower-case letter, then letters, "
                               "digits and _, at most 20)",
                               TOKF(&v));
            memset(tb.prefix, 0, sizeof tb.prefix);
            memcpy(tb.prefix, v.p, v.len);
            have_prefix = true;
        } else if (tok_is(&k, "max_rows")) {
            rc = parse_max_rows("table", &v, SNMPC_VTABLE_MAX_ROWS, &have_rows, &tb.max_rows, name,
                                line, eb);
            if (rc < 0)
                return rc;
        } else {
            return cat_err(eb, name, line, "table: unknown option '%.*s'", TOKF(&t[i]));
        }
    }
    if (!tb.value_col)
        return cat_err(eb, name, line, "table: value=<column> missing");
    if (tb.label_col == tb.value_col)
        return cat_err(eb, name, line, "table: label and value are the same column");
    for (size_t i = 0; i < c->nt; i++)
        if (c->t[i].enterprise == tb.enterprise && c->t[i].value_col == tb.value_col &&
            snmpc_oid_cmp(c->t[i].base, c->t[i].base_len, tb.base, tb.base_len) == 0)
            return cat_err(eb, name, line,
                           "table: column %u of '%.*s' is already table '%s' of this enterprise",
                           (unsigned)tb.value_col, TOKF(&t[3]), c->t[i].name);
    if (c->nt >= SNMPC_CAT_MAX_TABLES)
        return cat_err(eb, name, line, "too many tables (at most 256)");
    c->t = grow(c->t, c->nt, &c->tcap, 8, sizeof *c->t);
    c->t[c->nt++] = tb;
    return 0;
}

/* "row <enterprise> <table> <index>|label:<slug> <name> [role=counter|total] [priority=N]" */
static int parse_row(struct snmpc_catalogue *c, struct tok *t, size_t nt, const char *name,
                     size_t line, struct gw_errbuf *eb)
{
    struct cat_row r;
    uint32_t ent;
    const struct snmpc_cat_table *tb;

    bool have_role = false, have_prio = false, total = false;
    uint32_t prio = 100;

    memset(&r, 0, sizeof r);
    r.line = line;
    r.total_prio = -1;
    if (nt < 5)
        return cat_err(eb, name, line,
                       "row: expected 'row <enterprise> <table> <index>|label:<slug> <name>'");
    if (nt > 7)
        return cat_err(eb, name, line, "row: too many fields");
    for (size_t i = 5; i < nt; i++) {
        if (t[i].len > 5 && memcmp(t[i].p, "role=", 5) == 0) {
            struct tok v = {t[i].p + 5, t[i].len - 5};
            if (have_role)
                return cat_err(eb, name, line, "row: option role given twice");
            if (tok_is(&v, "total"))
                total = true;
            else if (!tok_is(&v, "counter"))
                return cat_err(eb, name, line, "row: unknown role '%.*s' (counter, total)",
                               TOKF(&v));
            have_role = true;
        } else if (t[i].len > 9 && memcmp(t[i].p, "priority=", 9) == 0) {
            struct tok v = {t[i].p + 9, t[i].len - 9};
            if (have_prio)
                return cat_err(eb, name, line, "row: option priority given twice");
            if (!tok_u32(&v, 0, 1000, &prio))
                return cat_err(eb, name, line, "row: priority '%.*s' is not 0..1000", TOKF(&v));
            have_prio = true;
        } else {
            return cat_err(eb, name, line, "row: unknown option '%.*s'", TOKF(&t[i]));
        }
    }
    if (have_prio && !total)
        return cat_err(eb, name, line, "row: priority is only for role=total");
    if (total)
        r.total_prio = (int)prio;
    if (!tok_u32(&t[1], 1, UINT32_MAX, &ent))
        return cat_err(eb, name, line, "row: bad enterprise number '%.*s'", TOKF(&t[1]));
    r.table = table_find(c, ent, &t[2]);
    if (r.table == SIZE_MAX)
        return cat_err(eb, name, line, "row: no table '%.*s' of enterprise %.*s before it",
                       TOKF(&t[2]), TOKF(&t[1]));
    tb = &c->t[r.table];
    if (t[3].len > 6 && memcmp(t[3].p, "label:", 6) == 0) {
        struct tok v = {t[3].p + 6, t[3].len - 6};
        char slug[sizeof r.label];
        if (!tb->label_col)
            return cat_err(eb, name, line, "row: table '%s' has no label column", tb->name);
        /* The key must be what snmpc__slug() makes of the device's label, or it never
         * matches. */
        if (v.len >= sizeof r.label)
            return cat_err(eb, name, line, "row: bad label slug '%.*s'", TOKF(&v));
        memcpy(r.label, v.p, v.len);
        if (snmpc__slug(r.label, slug, sizeof slug) != v.len || strcmp(slug, r.label) != 0)
            return cat_err(eb, name, line,
                           "row: bad label slug '%.*s' (lower-case letters and digits joined "
                           "by single _)",
                           TOKF(&v));
    } else {
        int n = tok_oid(&t[3], r.idx, SNMPC_CAT_MAX_INDEX);
        if (n <= 0)
            return cat_err(eb, name, line,
                           "row: bad index '%.*s' (1 to 16 numbers joined by '.', or "
                           "label:<slug>)",
                           TOKF(&t[3]));
        r.idx_len = (size_t)n;
    }
    if (!valid_name(&t[4]))
        return cat_err(eb, name, line,
                       "row: bad name '%.*s' (lower-case letters, digits and _, at most 63, "
                       "not marker_life*)",
                       TOKF(&t[4]));
    memcpy(r.name, t[4].p, t[4].len);
    for (size_t i = 0; i < c->nr; i++) {
        const struct cat_row *o = &c->r[i];
        if (o->table == r.table && o->idx_len == r.idx_len && strcmp(o->label, r.label) == 0 &&
            (r.idx_len == 0 || snmpc_oid_cmp(o->idx, o->idx_len, r.idx, r.idx_len) == 0))
            return cat_err(eb, name, line, "row: '%.*s' of table '%s' mapped twice", TOKF(&t[3]),
                           tb->name);
        if (c->t[o->table].enterprise == ent && strcmp(o->name, r.name) == 0)
            return cat_err(eb, name, line, "row: duplicate name '%s' for this enterprise", r.name);
    }
    if (c->nr >= SNMPC_CAT_MAX_ROWS)
        return cat_err(eb, name, line, "too many rows (at most 4096)");
    c->r = grow(c->r, c->nr, &c->rcap, 64, sizeof *c->r);
    c->r[c->nr++] = r;
    return 0;
}

/* Parses "<code>:<name>,..." (colours= of a "supplies" line) into sp. */
static bool parse_colours(struct snmpc_cat_supplies *sp, const struct tok *v)
{
    size_t i = 0;

    while (i < v->len) {
        struct tok code = {v->p + i, 0}, nm;
        uint32_t u;
        while (i < v->len && v->p[i] != ':')
            i++;
        code.len = (size_t)(v->p + i - code.p);
        if (i >= v->len || !tok_u32(&code, 0, INT32_MAX, &u))
            return false;
        nm.p = v->p + ++i;
        while (i < v->len && v->p[i] != ',')
            i++;
        nm.len = (size_t)(v->p + i - nm.p);
        if (nm.len == 0 || nm.len >= sizeof sp->colours[0].name ||
            sp->ncolours == SNMPC_SUPPLY_MAX_COLOURS)
            return false;
        for (size_t k = 0; k < nm.len; k++)
            if (nm.p[k] < 'a' || nm.p[k] > 'z')
                return false;
        for (size_t k = 0; k < sp->ncolours; k++)
            if (sp->colours[k].code == (long)u)
                return false;
        sp->colours[sp->ncolours].code = (long)u;
        memcpy(sp->colours[sp->ncolours].name, nm.p, nm.len);
        sp->colours[sp->ncolours].name[nm.len] = '\0';
        sp->ncolours++;
        if (i < v->len && ++i == v->len)
            return false; /* a trailing ',' */
    }
    return sp->ncolours > 0;
}

/* A signed number of at most 10 digits. */
static bool tok_long(const struct tok *t, long *out)
{
    struct tok d = *t;
    uint32_t u;
    bool neg = d.len > 1 && d.p[0] == '-';
    if (neg) {
        d.p++;
        d.len--;
    }
    if (!tok_u32(&d, 0, INT32_MAX, &u))
        return false;
    *out = neg ? -(long)u : (long)u;
    return true;
}

/* "supplies <enterprise> <name> <entry-oid> level=<col> [descr=<col>] [descr_alt=<col>]
 *  [colour=<col>] [colours=<code>:<name>,...] [type=<type>] [near_empty=<n>] [max_rows=<n>]" */
static int parse_supplies(struct snmpc_catalogue *c, struct tok *t, size_t nt, const char *name,
                          size_t line, struct gw_errbuf *eb)
{
    struct snmpc_cat_supplies sp;
    bool have_type = false, have_rows = false, have_colours = false;
    int rc;

    memset(&sp, 0, sizeof sp);
    sp.max_rows = SNMPC_SUPPLY_DEFAULT_ROWS;
    gw_strlcpy(sp.type, "other", sizeof sp.type);
    if (nt < 5)
        return cat_err(eb, name, line,
                       "supplies: expected 'supplies <enterprise> <name> <entry-oid> "
                       "level=<column> [options]'");
    if (nt > 12)
        return cat_err(eb, name, line, "supplies: too many fields");
    rc = parse_vtable_head(c, "supplies", t, supplies_taken, name, line, eb, &sp.enterprise,
                           sp.name, sp.base, &sp.base_len);
    if (rc < 0)
        return rc;

    for (size_t i = 4; i < nt; i++) {
        struct tok k, v;
        uint32_t *col = NULL;
        if (!split_option(&t[i], &k, &v))
            return cat_err(eb, name, line, "supplies: unknown option '%.*s'", TOKF(&t[i]));
        if (tok_is(&k, "level"))
            col = &sp.level_col;
        else if (tok_is(&k, "descr"))
            col = &sp.descr_col;
        else if (tok_is(&k, "descr_alt"))
            col = &sp.descr_alt_col;
        else if (tok_is(&k, "colour"))
            col = &sp.colour_col;
        if (col) {
            rc = parse_column("supplies", &k, &v, col, name, line, eb);
            if (rc < 0)
                return rc;
        } else if (tok_is(&k, "colours")) {
            if (have_colours)
                return cat_err(eb, name, line, "supplies: option colours given twice");
            if (!parse_colours(&sp, &v))
                return cat_err(eb, name, line,
                               "supplies: bad colours '%.*s' (<code>:<name>,... with lower-case "
                               "names of at most 15 letters, codes once, at most 16)",
                               TOKF(&v));
            have_colours = true;
        } else if (tok_is(&k, "type")) {
            if (have_type)
                return cat_err(eb, name, line, "supplies: option type given twice");
            if (v.len >= sizeof sp.type)
                return cat_err(eb, name, line, "supplies: unknown type '%.*s'", TOKF(&v));
            memcpy(sp.type, v.p, v.len);
            sp.type[v.len] = '\0';
            if (snmpc__supply_type_code(sp.type) == 0)
                return cat_err(eb, name, line,
                               "supplies: unknown type '%.*s' (an RFC 3805 "
                               "PrtMarkerSuppliesTypeTC name, such as toner)",
                               TOKF(&v));
            have_type = true;
        } else if (tok_is(&k, "near_empty")) {
            if (sp.have_near_empty)
                return cat_err(eb, name, line, "supplies: option near_empty given twice");
            /* -1..-3 keep their RFC 3805 meaning and 0..100 are percentages. */
            if (!tok_long(&v, &sp.near_empty) || (sp.near_empty >= -3 && sp.near_empty <= 100))
                return cat_err(eb, name, line,
                               "supplies: near_empty '%.*s' must be a number below -3 or above "
                               "100",
                               TOKF(&v));
            sp.have_near_empty = true;
        } else if (tok_is(&k, "max_rows")) {
            rc = parse_max_rows("supplies", &v, SNMPC_MAX_SUPPLIES, &have_rows, &sp.max_rows, name,
                                line, eb);
            if (rc < 0)
                return rc;
        } else {
            return cat_err(eb, name, line, "supplies: unknown option '%.*s'", TOKF(&t[i]));
        }
    }
    if (!sp.level_col)
        return cat_err(eb, name, line, "supplies: level=<column> missing");
    {
        const uint32_t cols[] = {sp.level_col, sp.descr_col, sp.descr_alt_col, sp.colour_col};
        for (size_t i = 0; i < 4; i++)
            for (size_t k = i + 1; k < 4; k++)
                if (cols[i] && cols[i] == cols[k])
                    return cat_err(eb, name, line, "supplies: column %u given twice",
                                   (unsigned)cols[i]);
    }
    if (have_colours && !sp.colour_col)
        return cat_err(eb, name, line, "supplies: colours= needs colour=<column>");
    if (c->ns >= SNMPC_CAT_MAX_TABLES)
        return cat_err(eb, name, line, "too many supply tables (at most 256)");
    c->s = grow(c->s, c->ns, &c->scap, 4, sizeof *c->s);
    c->s[c->ns++] = sp;
    return 0;
}

const struct snmpc_cat_supplies *snmpc__catalogue_supplies(const struct snmpc_catalogue *c,
                                                           size_t *n)
{
    *n = c ? c->ns : 0;
    return c && c->ns ? c->s : NULL;
}

/* After the whole file: a row name may not repeat an "oid" name of its enterprise, wherever
 * the two lines are, or one device would report two counters of one name. */
static int check_rows(const struct snmpc_catalogue *c, const char *name, struct gw_errbuf *eb)
{
    for (size_t i = 0; i < c->nr; i++) {
        uint32_t ent = c->t[c->r[i].table].enterprise;
        for (size_t k = 0; k < c->n; k++)
            if (c->e[k].enterprise == ent && strcmp(c->e[k].name, c->r[i].name) == 0)
                return cat_err(eb, name, c->r[i].line,
                               "row: name '%s' is also an oid line of this enterprise",
                               c->r[i].name);
    }
    return 0;
}

const struct snmpc_cat_table *snmpc__catalogue_tables(const struct snmpc_catalogue *c, size_t *n)
{
    *n = c ? c->nt : 0;
    return c && c->nt ? c->t : NULL;
}

const char *snmpc__catalogue_row_find(const struct snmpc_catalogue *c,
                                      const struct snmpc_cat_table *t, const uint32_t *idx,
                                      size_t len, const char *label, int *total_priority)
{
    const struct cat_row *by_label = NULL;
    size_t ti;

    if (total_priority)
        *total_priority = -1;
    if (!c || !t || t < c->t || t >= c->t + c->nt)
        return NULL;
    ti = (size_t)(t - c->t);
    for (size_t i = 0; i < c->nr; i++) {
        const struct cat_row *r = &c->r[i];
        if (r->table != ti)
            continue;
        if (r->idx_len && snmpc_oid_cmp(r->idx, r->idx_len, idx, len) == 0) {
            by_label = r;
            break;
        }
        if (!r->idx_len && !by_label && label && *label && strcmp(r->label, label) == 0)
            by_label = r;
    }
    if (!by_label)
        return NULL;
    if (total_priority)
        *total_priority = by_label->total_prio;
    return by_label->name;
}

const char *snmpc__catalogue_row_name(const struct snmpc_catalogue *c,
                                      const struct snmpc_cat_table *t, const uint32_t *idx,
                                      size_t len, const char *label)
{
    return snmpc__catalogue_row_find(c, t, idx, len, label, NULL);
}

size_t snmpc__slug(const char *text, char *out, size_t outlen)
{
    size_t n = 0, last_cut = 0;
    bool gap = false;

    if (!outlen)
        return 0;
    for (const char *p = text ? text : ""; *p; p++) {
        char ch = *p;
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))) {
            gap = n > 0;
            continue;
        }
        if (gap) {
            if (n + 2 >= outlen)
                break;
            last_cut = n;
            out[n++] = '_';
            gap = false;
        }
        if (n + 1 >= outlen) {
            /* Cut at the last word boundary rather than in the middle of a word, unless
             * that leaves nothing. */
            if (last_cut)
                n = last_cut;
            break;
        }
        out[n++] = ch;
    }
    out[n] = '\0';
    return n;
}

/* Orders entries by enterprise, keeping file order within one enterprise. A plain insertion
 * sort: the file is already grouped by vendor, so this is linear in practice, and it is
 * stable, which qsort() is not. */
static void sort_entries(struct snmpc_catalogue *c)
{
    for (size_t i = 1; i < c->n; i++) {
        struct snmpc_cat_entry tmp;
        size_t j = i;
        if (c->e[i - 1].enterprise <= c->e[i].enterprise)
            continue;
        tmp = c->e[i];
        while (j > 0 && c->e[j - 1].enterprise > tmp.enterprise) {
            c->e[j] = c->e[j - 1];
            j--;
        }
        c->e[j] = tmp;
    }
}

int snmpc_catalogue_parse(const char *text, size_t len, const char *name,
                          struct snmpc_catalogue **out, struct gw_errbuf *eb)
{
    struct snmpc_catalogue *c;
    size_t pos = 0, line = 0;

    *out = NULL;
    if (!name)
        name = "<catalogue>";
    if (!text && len)
        return gw_errbuf_set(eb, GW_E_INVAL, "%s: no text", name);
    c = gw_calloc(1, sizeof *c);
    c->refs = 1;
    while (pos < len) {
        const char *l = text + pos, *nl = memchr(l, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - l) : len - pos;
        struct tok t[16];
        size_t nt;
        int rc;

        pos += ll + (nl ? 1 : 0);
        line++;
        if (ll && l[ll - 1] == '\r')
            ll--;
        if (ll > SNMPC_CAT_MAX_LINE) {
            rc = cat_err(eb, name, line, "line longer than 1024 characters");
            goto fail;
        }
        for (size_t i = 0; i < ll; i++)
            if (l[i] == '\0' || ((unsigned char)l[i] < 0x20 && l[i] != '\t')) {
                rc = cat_err(eb, name, line, "control character in line");
                goto fail;
            }
        nt = tokenize(l, ll, t, 15);
        if (nt == 0)
            continue;
        if (tok_is(&t[0], "vendor")) {
            rc = parse_vendor(c, l, ll, t, nt > 7 ? 7 : nt, name, line, eb);
        } else if (tok_is(&t[0], "oid")) {
            if (nt > 7)
                rc = cat_err(eb, name, line, "oid: too many fields");
            else
                rc = parse_oid(c, t, nt, name, line, eb);
        } else if (tok_is(&t[0], "table")) {
            rc = parse_table(c, t, nt, name, line, eb);
        } else if (tok_is(&t[0], "row")) {
            rc = parse_row(c, t, nt, name, line, eb);
        } else if (tok_is(&t[0], "supplies")) {
            rc = parse_supplies(c, t, nt, name, line, eb);
        } else if (tok_is(&t[0], "sysdescr")) {
            rc = snmpc__descr_parse(&c->descr, l, ll, name, line, eb);
        } else {
            rc = cat_err(eb, name, line,
                         "unknown keyword '%.*s' (vendor, oid, table, row, supplies, sysdescr)",
                         TOKF(&t[0]));
        }
        if (rc < 0)
            goto fail;
    }
    if (check_rows(c, name, eb) < 0)
        goto fail;
    sort_entries(c);
    *out = c;
    return 0;
fail:
    snmpc_catalogue_free(c);
    return SNMPC_E_CATALOGUE;
}

int snmpc_catalogue_load(const char *path, struct snmpc_catalogue **out, struct gw_errbuf *eb)
{
    char *text;
    size_t len;
    int rc;

    *out = NULL;
    rc = gw_file_read(path, SNMPC_MAX_FILE, &text, &len, eb);
    if (rc == GW_E_TOOBIG)
        return SNMPC_E_CATALOGUE;
    if (rc < 0)
        return rc;
    rc = snmpc_catalogue_parse(text, len, path, out, eb);
    free(text);
    return rc;
}

/* True when text starts with word (case-insensitive) followed by a non-alphanumeric byte. */
static bool starts_with_word(const char *text, const char *word)
{
    size_t n = strlen(word);
    if (n == 0 || strncasecmp(text, word, n) != 0)
        return false;
    return !((text[n] >= 'a' && text[n] <= 'z') || (text[n] >= 'A' && text[n] <= 'Z') ||
             (text[n] >= '0' && text[n] <= '9'));
}

const char *snmpc__vendor_from_text(const struct snmpc_catalogue *c, const char *text)
{
    return snmpc__vendor_from_text_ent(c, text, NULL);
}

const char *snmpc__vendor_from_text_ent(const struct snmpc_catalogue *c, const char *text,
                                        uint32_t *ent)
{
    /* Names that devices put in sysDescr but that differ from the vendor's short name. */
    static const struct {
        const char *alias;
        uint32_t enterprise;
    } aliases[] = {
        {"Hewlett-Packard", 11}, {"Hewlett Packard", 11}, {"FUJI XEROX", 297},
        {"FUJIFILM", 297},       {"KONICA", 18334},       {"MINOLTA", 18334},
    };

    if (ent)
        *ent = 0;
    if (!text)
        return NULL;
    while (*text == ' ' || *text == '\t')
        text++;
    for (size_t i = 0; c && i < c->nv; i++)
        if (starts_with_word(text, c->v[i].name)) {
            if (ent)
                *ent = c->v[i].enterprise;
            return c->v[i].name;
        }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (starts_with_word(text, aliases[i].alias)) {
            if (ent)
                *ent = aliases[i].enterprise;
            return snmpc_vendor_name(c, aliases[i].enterprise);
        }
    for (size_t i = 0; i < sizeof builtin_vendors / sizeof builtin_vendors[0]; i++)
        if (starts_with_word(text, builtin_vendors[i].name)) {
            if (ent)
                *ent = builtin_vendors[i].enterprise;
            return snmpc_vendor_name(c, builtin_vendors[i].enterprise);
        }
    return NULL;
}
