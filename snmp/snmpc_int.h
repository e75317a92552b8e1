/* SPDX-License-Identifier: Apache-2.0
 * Copyright (c) 2026 fleetgw authors
 *
 * Declarations shared between the SNMP module's own files; not for other modules.
 */
#ifndef SNMPC_INT_H
#define SNMPC_INT_H

#include "snmp/snmpc.h"

/* --- decoding and catalogue (vbset.c, catalogue.c, decode.c) --- */

/* --- sessions and polls (session.c, poll.c) --- */

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

/* The poll running on a session (poll.c); the session keeps one pointer so that closing the
 * session can cancel it. */
struct snmpc__poll;
struct snmpc__poll **snmpc__poll_slot(struct snmpc_session *s);
/* Completes a running poll with -ECANCELED and frees it (poll.c, called by session close). */
void snmpc__poll_cancel(struct snmpc__poll *p);

#endif
