/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * sysDescr patterns of the counter catalogue: the "sysdescr" statement, which says how to read
 * a model, serial number or firmware version out of a vendor's sysDescr text, for printers
 * whose MIBs are silent (an OKI behind an OkiLAN print server says little more than
 * "...PrintServer: Attached to MC873 Rev.07.87...").
 *
 * A pattern is a POSIX extended regular expression with exactly one capture group, compiled
 * once when the catalogue loads (regcomp) and matched case-insensitively. Everything about it
 * is bounded so that a catalogue line cannot make the matcher expensive: at most
 * SNMPC_DESCR_MAX_LEN characters, no interval expressions ('{'), at most SNMPC_DESCR_MAX_PLUS
 * '+' (each copies its operand in glibc's compiled form), no back-references (ERE has none),
 * at most SNMPC_DESCR_MAX patterns, and the text is sysDescr (at most 255 bytes as
 * decoded). Kept apart from catalogue.c so that the statement is self-contained; catalogue.c
 * only dispatches the line here and frees the set with the catalogue.
 */
#include "config.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snmp/snmpc_int.h"

struct snmpc__descr_pat {
    uint32_t enterprise; /* 0: any device */
    int role;            /* SNMPC_ROLE_MODEL, _SERIAL or _FIRMWARE */
    size_t line;
    regex_t re;
};

void snmpc__descr_cleanup(struct snmpc__descr_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        regfree(&set->p[i].re);
    free(set->p);
    memset(set, 0, sizeof *set);
}

static int perr(struct gw_errbuf *eb, const char *name, size_t line, const char *msg,
                const char *arg)
{
    return gw_errbuf_set(eb, SNMPC_E_CATALOGUE, "%s:%zu: sysdescr: %s%s%.60s%s", name, line, msg,
                         arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
}

/* Copies the next blank-separated field of l[*pos..len) into out. Returns: false if none. */
static bool field(const char *l, size_t len, size_t *pos, char *out, size_t outlen)
{
    size_t i = *pos, n;
    while (i < len && (l[i] == ' ' || l[i] == '\t'))
        i++;
    n = 0;
    while (i + n < len && l[i + n] != ' ' && l[i + n] != '\t')
        n++;
    if (n == 0 || l[i] == '#')
        return false;
    if (n >= outlen)
        n = outlen - 1;
    memcpy(out, l + i, n);
    out[n] = '\0';
    *pos = i + n;
    return true;
}

int snmpc__descr_parse(struct snmpc__descr_set *set, const char *l, size_t len, const char *name,
                       size_t line, struct gw_errbuf *eb)
{
    static const struct {
        const char *name;
        int role;
    } roles[] = {
        {"model", SNMPC_ROLE_MODEL},
        {"serial", SNMPC_ROLE_SERIAL},
        {"firmware", SNMPC_ROLE_FIRMWARE},
    };
    char kw[16], ent[16], role[16], rx[SNMPC_DESCR_MAX_LEN + 1];
    struct snmpc__descr_pat p;
    size_t pos = 0, a, b, k;
    unsigned long ev;
    char *end;
    int rc;

    memset(&p, 0, sizeof p);
    if (!field(l, len, &pos, kw, sizeof kw) || !field(l, len, &pos, ent, sizeof ent) ||
        !field(l, len, &pos, role, sizeof role))
        return perr(eb, name, line, "expected 'sysdescr <enterprise> <role> <regex>'", NULL);
    ev = strtoul(ent, &end, 10);
    if (*end || ent[0] < '0' || ent[0] > '9' || strlen(ent) > 10 || ev > UINT32_MAX)
        return perr(eb, name, line, "bad enterprise number", ent);
    p.enterprise = (uint32_t)ev;
    for (k = 0; k < sizeof roles / sizeof roles[0]; k++)
        if (strcmp(role, roles[k].name) == 0)
            break;
    if (k == sizeof roles / sizeof roles[0])
        return perr(eb, name, line, "unknown role (model, serial, firmware)", role);
    p.role = roles[k].role;

    /* The expression is the rest of the line, up to a comment (a '#' after a blank). */
    for (a = pos; a < len && (l[a] == ' ' || l[a] == '\t'); a++)
        ;
    for (b = a; b < len && !(l[b] == '#' && (l[b - 1] == ' ' || l[b - 1] == '\t')); b++)
        ;
    while (b > a && (l[b - 1] == ' ' || l[b - 1] == '\t'))
        b--;
    if (a == b)
        return perr(eb, name, line, "missing regular expression", NULL);
    if (b - a > SNMPC_DESCR_MAX_LEN)
        return perr(eb, name, line, "regular expression longer than 160 characters", NULL);
    memcpy(rx, l + a, b - a);
    rx[b - a] = '\0';
    if (strchr(rx, '{'))
        return perr(eb, name, line, "interval expressions ('{') are not allowed", NULL);
    /* glibc compiles "X+" as "XX*", copying X, so nested '+' grow the program exponentially
     * ("a++++..." ran the fuzzer out of memory); a few are all a pattern needs. */
    {
        size_t plus = 0;
        for (const char *q = rx; *q; q++)
            plus += *q == '+';
        if (plus > SNMPC_DESCR_MAX_PLUS)
            return perr(eb, name, line, "more than 8 '+' in the expression", NULL);
    }
    if (set->n >= SNMPC_DESCR_MAX)
        return perr(eb, name, line, "too many patterns (at most 1024)", NULL);
    rc = regcomp(&p.re, rx, REG_EXTENDED | REG_ICASE);
    if (rc != 0) {
        char why[96];
        regerror(rc, &p.re, why, sizeof why);
        /* POSIX leaves p.re undefined after a failed regcomp(): nothing to free. */
        return perr(eb, name, line, "bad regular expression: ", why);
    }
    if (p.re.re_nsub != 1) {
        regfree(&p.re);
        return perr(eb, name, line, "the expression needs exactly one capture group", NULL);
    }
    p.line = line;
    if (set->n == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 16;
        set->p = gw_realloc(set->p, set->cap * sizeof *set->p);
    }
    set->p[set->n++] = p;
    return 0;
}

/* Matches one pattern; the capture, blanks trimmed, goes to out. */
static bool match_one(const struct snmpc__descr_pat *p, const char *descr, char *out, size_t outlen)
{
    regmatch_t m[2];
    size_t a, b;

    if (regexec(&p->re, descr, 2, m, 0) != 0 || m[1].rm_so < 0)
        return false;
    a = (size_t)m[1].rm_so;
    b = (size_t)m[1].rm_eo;
    while (a < b && (descr[a] == ' ' || descr[a] == '\t'))
        a++;
    while (b > a && (descr[b - 1] == ' ' || descr[b - 1] == '\t'))
        b--;
    if (a == b)
        return false;
    if (b - a >= outlen) {
        /* Cut on a UTF-8 character boundary: descr is decoded text. */
        b = a + outlen - 1;
        while (b > a && ((unsigned char)descr[b] & 0xc0) == 0x80)
            b--;
    }
    memcpy(out, descr + a, b - a);
    out[b - a] = '\0';
    return out[0] != '\0';
}

bool snmpc__descr_match(const struct snmpc__descr_set *set, bool have_ent, uint32_t ent, int role,
                        const char *descr, char *out, size_t outlen)
{
    if (outlen)
        out[0] = '\0';
    if (!set || !descr || !descr[0] || outlen < 2)
        return false;
    /* The device's own vendor's patterns first, then those for any device, each in file
     * order. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < set->n; i++) {
            const struct snmpc__descr_pat *p = &set->p[i];
            if (p->role != role)
                continue;
            if (pass == 0 ? !(have_ent && p->enterprise == ent && ent != 0) : p->enterprise != 0)
                continue;
            if (match_one(p, descr, out, outlen))
                return true;
        }
    return false;
}
