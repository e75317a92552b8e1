/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Declarations shared between the SNMP module's own files; not for other modules.
 */
#ifndef SNMPC_INT_H
#define SNMPC_INT_H

#include "snmp/snmpc.h"

/* --- decoding and catalogue (vbset.c, catalogue.c, decode.c) --- */

/* Catalogue roles beyond the two public ones (snmpc.h). The decoder reads identity from these
 * vendor objects; poll.c GETs every entry of the device's enterprise whatever its role. Among
 * entries of one role, the lowest priority value present on the device wins. */
#define SNMPC_ROLE_SERIAL   2 /* printable serial number */
#define SNMPC_ROLE_MODEL    3 /* model name, or an IEEE 1284 device ID holding MDL:/MODEL: */
#define SNMPC_ROLE_FIRMWARE 4 /* firmware or controller version text */

/* Hard limits, so that a hostile catalogue, recording or agent cannot make us allocate without
 * bound. Values larger than these are refused with GW_E_TOOBIG / SNMPC_E_CATALOGUE. */
#define SNMPC_MAX_OCTETS      65535u      /* one OCTET STRING value; an SNMP message is smaller */
#define SNMPC_MAX_FILE        (64u << 20) /* an snmprec recording or a catalogue file */
#define SNMPC_CAT_MAX_ENTRIES 4096u
#define SNMPC_CAT_MAX_LINE    1024u
#define SNMPC_VBSET_MAX       100000u /* default snmpc_vbset.max */

/* Decoder caps: rows beyond these are ignored, never allocated. */
#define SNMPC_MAX_SUPPLIES 256u /* marker supplies */
#define SNMPC_MAX_TRAYS    64u  /* input trays (prtInputTable rows) */
#define SNMPC_MAX_ALERTS   256u
#define SNMPC_MAX_COUNTERS 256u
/* Counters above this are treated as corrupt: 10^10 pages is centuries of a fast printer. */
#define SNMPC_COUNTER_MAX 10000000000ull
/* Billing total vs prtMarkerLifeCount: flagged when they differ by more than this percentage
 * of the larger value and by more than SNMPC_DISAGREE_MIN_PAGES (see decode.c). */
#define SNMPC_DISAGREE_PCT       5
#define SNMPC_DISAGREE_MIN_PAGES 100

/* sysDescr patterns ("sysdescr" catalogue lines, descr.c). */
#define SNMPC_DESCR_MAX      1024u /* patterns per catalogue */
#define SNMPC_DESCR_MAX_LEN  160u  /* characters of one regular expression */
#define SNMPC_DESCR_MAX_PLUS 8u    /* '+' operators in one regular expression */
struct snmpc__descr_pat;
struct snmpc__descr_set {
    struct snmpc__descr_pat *p;
    size_t n, cap;
};
/* Parses one "sysdescr <enterprise> <role> <regex>" line (l[len], without newline) into set.
 * Returns: 0, or SNMPC_E_CATALOGUE with "name:line: sysdescr: reason" in eb. */
int snmpc__descr_parse(struct snmpc__descr_set *set, const char *l, size_t len, const char *name,
                       size_t line, struct gw_errbuf *eb);
/* Frees the compiled patterns; the set is empty afterwards. */
void snmpc__descr_cleanup(struct snmpc__descr_set *set);
/* Matches descr (decoded sysDescr text) against the patterns of role (SNMPC_ROLE_MODEL,
 * _SERIAL, _FIRMWARE): those of enterprise ent first (when have_ent), then those for any
 * device (enterprise 0), each in file order; the first that matches with a non-blank capture
 * wins and its capture, trimmed, goes to out. Returns: true if one matched. Any thread. */
bool snmpc__descr_match(const struct snmpc__descr_set *set, bool have_ent, uint32_t ent, int role,
                        const char *descr, char *out, size_t outlen);
/* Returns: the catalogue's sysDescr patterns (NULL for a NULL catalogue). */
const struct snmpc__descr_set *snmpc__catalogue_descr(const struct snmpc_catalogue *c);

/* --- Printer-MIB names (prtnames.c): what the gateway reports for RFC 3805 codes --- */

/* Returns: the RFC 3805 PrtMarkerSuppliesTypeTC name for type ("toner"), "other" for values
 * outside 1..34. */
const char *snmpc__supply_type_name(long type);
/* Returns: the PrtMarkerSuppliesTypeTC code of name ("toner" 3), 0 if none. */
long snmpc__supply_type_code(const char *name);
/* Returns: the IANA-PRINTER-MIB PrtInputTypeTC name of v ("sheetFeedManual"), "other" for
 * values outside 1..7. */
const char *snmpc__input_type_name(long v);
/* Returns: the PrtMediaUnitTC name of v ("micrometers"), "other" for anything but 3 and 4. */
const char *snmpc__media_unit_name(long v);
/* Returns: the PrtCapacityUnitTC name of v ("sheets"), "other" for values it does not
 * define. */
const char *snmpc__capacity_unit_name(long v);

/* What snmpc__text_decode() found. */
#define SNMPC_TEXT_EMPTY  0 /* nothing but padding, blanks or a symbol-set prefix */
#define SNMPC_TEXT        1 /* text, now UTF-8 */
#define SNMPC_TEXT_BINARY 2 /* binary data, now upper-case hex pairs ("01 A2 FF") */
/* Longest value that a partial Hex-STRING repair handles (see decode.c). */
#define SNMPC_TEXT_REPAIR_MAX 1024

/* The one reading of an OCTET STRING as text (DisplayString and every vendor text object):
 * trailing NULs and blanks dropped, an HP PML symbol-set prefix skipped, valid UTF-8 kept,
 * other high bytes read as ISO 8859-1 and converted, CR/LF/TAB runs turned into one blank.
 * Bytes that are control characters (other than CR, LF, TAB) inside the value make it binary:
 * out then holds its hex pairs. Truncates on a character (or pair) boundary. *outn (may be
 * NULL) gets strlen(out). Returns: SNMPC_TEXT, SNMPC_TEXT_BINARY or SNMPC_TEXT_EMPTY. Any
 * thread. */
int snmpc__text_decode(const unsigned char *in, size_t len, char *out, size_t outlen, size_t *outn);
/* Returns: the number of entries in c (0 for NULL). */
size_t snmpc__catalogue_size(const struct snmpc_catalogue *c);
/* Returns: the references c has (0 for NULL); for tests. */
unsigned snmpc__catalogue_refs(const struct snmpc_catalogue *c);
/* Returns: the vendor whose name (or a known alias: "Hewlett-Packard", "FUJI XEROX", ...)
 * starts text as a whole word, case-insensitively, from c's vendor lines then the built-in
 * list; NULL if none. For devices whose sysObjectID names no printer maker. */
const char *snmpc__vendor_from_text(const struct snmpc_catalogue *c, const char *text);
/* Same, and *ent (may be NULL) gets the vendor's enterprise number (0 when none). */
const char *snmpc__vendor_from_text_ent(const struct snmpc_catalogue *c, const char *text,
                                        uint32_t *ent);

/* --- vendor counter tables (catalogue "table" and "row" statements) --- */

/* Limits of the table statements: a hostile catalogue or agent cannot make a poll walk or a
 * decode allocate without bound. */
#define SNMPC_CAT_MAX_TABLES      256u  /* "table" lines per catalogue */
#define SNMPC_CAT_MAX_ROWS        4096u /* "row" lines per catalogue */
#define SNMPC_CAT_MAX_INDEX       16u   /* sub-identifiers in a row index */
#define SNMPC_VTABLE_DEFAULT_ROWS 256u  /* rows read per table unless max_rows= says otherwise */
#define SNMPC_VTABLE_MAX_ROWS     1000u /* upper bound of max_rows= */
#define SNMPC_VTABLE_PREFIX_MAX   20u   /* characters of prefix= (derived names stay under 64) */
#define SNMPC_VTABLE_SLUG_MAX     36u   /* characters of a label slug in a derived name */

/* One vendor table to walk: column value_col (and label_col, if not 0) of the table whose
 * entry OID is base. A row's index is what follows base.<column>. */
struct snmpc_cat_table {
    uint32_t enterprise;
    char name[32];   /* unique per enterprise */
    char prefix[24]; /* stem of the names of rows the catalogue does not map */
    uint32_t base[SNMPC_MAX_OID];
    size_t base_len;
    uint32_t value_col;
    uint32_t label_col; /* 0: the table has no label column */
    unsigned max_rows;
};
/* A vendor supply table ("supplies" line): marker supplies the Printer-MIB does not show.
 * Levels are percentages of a full unit (max capacity 100); -1 other, -2 unknown and -3 "some
 * remaining" keep their RFC 3805 meaning, near_empty (if set) is the vendor's "near empty"
 * code, read as low with no percentage. A row's index is what follows base.<column>. */
#define SNMPC_SUPPLY_MAX_COLOURS  16u
#define SNMPC_SUPPLY_DEFAULT_ROWS 32u
struct snmpc_cat_supplies {
    uint32_t enterprise;
    char name[32]; /* unique per enterprise among "supplies" lines */
    uint32_t base[SNMPC_MAX_OID];
    size_t base_len;
    uint32_t level_col;
    uint32_t descr_col;     /* 0: none */
    uint32_t descr_alt_col; /* 0: none; used where descr_col is empty */
    uint32_t colour_col;    /* 0: none; an INTEGER code that colours= maps to a name */
    char type[32];          /* PrtMarkerSuppliesTypeTC name of every row ("toner") */
    bool have_near_empty;
    long near_empty;
    size_t ncolours;
    struct {
        long code;
        char name[16];
    } colours[SNMPC_SUPPLY_MAX_COLOURS];
    unsigned max_rows;
};
/* Returns: the catalogue's supply tables (count in *n), in file order, borrowed from c; NULL/0
 * if none. */
const struct snmpc_cat_supplies *snmpc__catalogue_supplies(const struct snmpc_catalogue *c,
                                                           size_t *n);
/* Reads the leading decimal number of a text counter ("89667 INCHES, ..."): optional blanks,
 * 1 to 11 digits, then the end or a non-digit other than '.' and ','. Returns: true with *out
 * set (at most SNMPC_COUNTER_MAX). Any thread. */
bool snmpc__leading_number(const unsigned char *buf, size_t len, uint64_t *out);

/* Returns: the catalogue's tables (count in *n), in file order, borrowed from c; NULL/0 if
 * none. Callers pick the ones of their enterprise. */
const struct snmpc_cat_table *snmpc__catalogue_tables(const struct snmpc_catalogue *c, size_t *n);
/* Returns: the counter name a "row" line gives the row of t at idx[len] (tried first) or with
 * the label slug label (may be NULL or ""), or NULL when the catalogue maps neither. Borrowed
 * from c. */
const char *snmpc__catalogue_row_name(const struct snmpc_catalogue *c,
                                      const struct snmpc_cat_table *t, const uint32_t *idx,
                                      size_t len, const char *label);
/* Writes the slug of text into out[outlen]: ASCII letters and digits lower-cased, every other
 * run of bytes one '_', none at either end, at most outlen - 1 characters (cut at a '_' when
 * possible). Returns: strlen(out), 0 when text has no letter or digit. Any thread. */
size_t snmpc__slug(const char *text, char *out, size_t outlen);
/* As snmpc__catalogue_row_name(); *total_priority (may be NULL) gets the row's billing-total
 * priority when its "row" line says role=total, else -1. */
const char *snmpc__catalogue_row_find(const struct snmpc_catalogue *c,
                                      const struct snmpc_cat_table *t, const uint32_t *idx,
                                      size_t len, const char *label, int *total_priority);

/* --- sessions and polls (session.c, poll.c) --- */

/* Releases the session's global SNMPv3 USM entry between polls (no-op for v1/v2c, while a
 * request is outstanding, or before discovery); the next request recreates it. */
void snmpc__park(struct snmpc_session *s);

/* net-snmp's PDU type (netsnmp_pdu); declared here so this header needs no net-snmp include. */
struct snmp_pdu;

/* Completion of one request. status 0: resp is the agent's response PDU (errorStatus not yet
 * checked), borrowed for the call. Otherwise a negative code (SNMPC_E_*), resp NULL and detail
 * a short text (borrowed for the call, may be NULL). */
typedef void (*snmpc__resp_cb)(struct snmpc_session *s, int status, struct snmp_pdu *resp,
                               const char *detail, void *arg);

/* Creates an empty request PDU of command (SNMP_MSG_GET, ...) for the session's version.
 * Returns: the PDU, owned by the caller until snmpc__send() accepts it. */
struct snmp_pdu *snmpc__pdu_new(const struct snmpc_session *s, int command);
/* Sends one request; SNMPv3 engine discovery runs first when the engine is still unknown.
 * Only one request may be outstanding per session. Takes ownership of pdu, also on failure.
 * Returns: 0 (cb runs exactly once, never from inside this call), GW_E_BUSY, SNMPC_E_SEND
 * (cb never runs). */
int snmpc__send(struct snmpc_session *s, struct snmp_pdu *pdu, snmpc__resp_cb cb, void *arg);
/* Starts (ms > 0) or clears (ms == 0) the overall deadline: when it passes, the outstanding
 * request completes with SNMPC_E_TIMEOUT. */
void snmpc__deadline_set(struct snmpc_session *s, uint64_t ms);
/* Returns: true once the deadline set by snmpc__deadline_set() has passed. */
bool snmpc__deadline_passed(const struct snmpc_session *s);
/* Returns: the session's target; secrets are not kept (NULL). Borrowed for the session's life. */
const struct snmpc_target *snmpc__target(const struct snmpc_session *s);
bool snmpc__closing(const struct snmpc_session *s);

/* The one job running on a session (a poll, poll.c). The session does not know what the job is:
 * closing the session calls the cancel callback the job registered, which completes the job with
 * -ECANCELED and frees it. A callback rather than a call keeps session.c below poll.c. */
typedef void (*snmpc__job_cancel_cb)(void *job);
/* Registers job (NULL clears the slot) and how to cancel it. */
void snmpc__job_set(struct snmpc_session *s, void *job, snmpc__job_cancel_cb cancel);
/* Returns: the job running on s, or NULL. */
void *snmpc__job(const struct snmpc_session *s);

#endif
