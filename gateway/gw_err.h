/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * The project's own error codes, as one X-macro table. Codes are negative, numbered from -1000
 * down, one block of 100 per module, and never renumbered: scripts and logs refer to them by
 * number and by name. System errors stay -errno (libuv's convention); gw_strerror() handles both.
 * Below the table: the functions that name codes, the caller-owned error buffer, GW_ASSERT().
 */
#ifndef GW_ERR_H
#define GW_ERR_H

/* X(NAME, value, "message") */
#define GW_ERRORS(X)                                                                               \
    X(GW_E_INTERNAL, -1000, "internal error")                                                      \
    X(GW_E_INVAL, -1001, "invalid argument")                                                       \
    X(GW_E_CONFIG, -1002, "configuration error")                                                   \
    X(GW_E_DB, -1003, "database error")                                                            \
    X(GW_E_NOTFOUND, -1004, "not found")                                                           \
    X(GW_E_EXISTS, -1005, "already exists")                                                        \
    X(GW_E_CRYPTO, -1006, "cryptographic failure")                                                 \
    X(GW_E_TAMPER, -1007, "secret failed authentication (tampered or wrong key)")                  \
    X(GW_E_KEYPERM, -1008, "key file is readable by group or others")                              \
    X(GW_E_SCHEMA, -1009, "database schema is newer than this program")                            \
    X(GW_E_PARSE, -1010, "malformed input")                                                        \
    X(GW_E_TOOBIG, -1011, "input too large")                                                       \
    X(GW_E_NOTRUNNING, -1012, "daemon is not running")                                             \
    X(GW_E_BUSY, -1013, "resource busy")                                                           \
    X(GW_E_PERM, -1014, "permission denied")                                                       \
    X(SNMPC_E_TIMEOUT, -1100, "no response (timeout)")                                             \
    X(SNMPC_E_AUTH_USER, -1101, "SNMPv3 unknown user name")                                        \
    X(SNMPC_E_AUTH_KEY, -1102, "SNMPv3 authentication failure (wrong auth key)")                   \
    X(SNMPC_E_PRIV_KEY, -1103, "SNMPv3 decryption failure (wrong priv key)")                       \
    X(SNMPC_E_TIME_WINDOW, -1104, "SNMPv3 not in time window")                                     \
    X(SNMPC_E_ENGINE, -1105, "SNMPv3 engine ID discovery failed")                                  \
    X(SNMPC_E_PDU, -1106, "the device answered with an SNMP error")                                \
    X(SNMPC_E_SEND, -1107, "sending the request failed")                                           \
    X(SNMPC_E_SESSION, -1108, "cannot open SNMP session")                                          \
    X(SNMPC_E_SECLEVEL, -1109, "SNMPv3 unsupported security level")                                \
    X(SNMPC_E_PROTO, -1110, "unsupported SNMP protocol or algorithm")                              \
    X(SNMPC_E_CATALOGUE, -1111, "counter catalogue error")                                         \
    X(SNMPC_E_NOTPRINTER, -1112, "the device answered but shows no printer data")                  \
    X(SOAPC_E_FAULT, -1200, "SOAP fault")                                                          \
    X(SOAPC_E_NOT_WSD, -1201, "not a WS-Discovery message")                                        \
    X(SOAPC_E_NO_METADATA, -1202, "no device metadata in the response")                            \
    X(SOAPC_E_NO_ELEMENTS, -1203, "no printer elements in the response")                           \
    X(SOAPC_E_HTTP, -1204, "SOAP HTTP exchange failed")                                            \
    X(SOAPC_E_NO_XADDR, -1205, "no usable transport address (XAddr)")                              \
    X(SOAPC_E_TIMEOUT, -1206, "no SOAP response (timeout)")                                        \
    X(DISC_E_TARGET, -1300, "bad discovery target")                                                \
    X(DISC_E_TOO_LARGE, -1301, "discovery target too large")                                       \
    X(UP_E_BROKER, -1400, "broker error")                                                          \
    X(UP_E_ACCESS_CODE, -1401, "access code not accepted by the cloud")                            \
    X(UP_E_CREDENTIALS, -1402, "user name or password not accepted by the cloud")                  \
    X(UP_E_TOKEN_EXPIRED, -1403, "the registration token has expired")                             \
    X(UP_E_CLOCK_SKEW, -1404, "clock differs too much from the cloud's")                           \
    X(UP_E_TLS, -1405, "TLS verification failed")                                                  \
    X(UP_E_HTTP, -1406, "the cloud refused the request")                                           \
    X(UP_E_UNREACHABLE, -1407, "cannot reach the cloud")                                           \
    X(UP_E_NOTREG, -1408, "the gateway is not registered")                                         \
    X(UP_E_ANON, -1409, "anonymization cannot be switched off")                                    \
    X(UP_E_TOKEN, -1410, "the cloud does not accept the gateway's token")                          \
    X(UI_E_AUTH, -1500, "authentication failed")

enum gw_err {
#define GW_ERR_ENUM(name, value, msg) name = (value),
    GW_ERRORS(GW_ERR_ENUM)
#undef GW_ERR_ENUM
};

/* ---------------------------------------------------------------------------------------------
 * Errors
 */

/* Returns: a static message for a gw_err code or a -errno value; never NULL. Any thread. */
const char *gw_strerror(int err);
/* Returns: the symbolic name ("SNMPC_E_TIMEOUT", "ENOENT"), or "UNKNOWN". Any thread. */
const char *gw_err_name(int err);

/* Caller-owned buffer that parse and validate functions fill with a message naming the bad
 * input. May be passed as NULL where the caller does not want the text. */
struct gw_errbuf {
    char msg[256];
};

/* Formats into eb (no-op when eb is NULL). Returns: code, so callers can write
 * `return gw_errbuf_set(eb, GW_E_INVAL, "...")`. */
int gw_errbuf_set(struct gw_errbuf *eb, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define GW_ASSERT(cond)                                                                            \
    do {                                                                                           \
        if (!(cond))                                                                               \
            gw__assert_fail(#cond, __FILE__, __LINE__);                                            \
    } while (0)
void gw__assert_fail(const char *expr, const char *file, int line) __attribute__((noreturn));

#endif
