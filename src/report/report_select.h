/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_REPORT_SELECT_H
#define FLOWSTATE_REPORT_SELECT_H

#include <stdbool.h>
#include <stdint.h>

#include "report/report.h"

/*
 * Which connection records are written: --state (ss(8)'s state names and
 * groups, per end), --stuck[=KIND,...] and --half-open. Only flow,
 * flow_update and tcp_stuck records (and the TUI's rows) are selected; the
 * stats record, which the engine builds from its own counters, still counts
 * every connection.
 *
 * States. Each end (client, server) gets a set of enum tcp_state_id values:
 * the union of the names that apply to it (all states when only negated
 * names apply to it), minus the negated names. A name without a prefix
 * applies to both ends, "client:" or "server:" to one. A record matches when
 * the client's state is in the client set or the server's in the server
 * set; with no --state at all every record matches.
 * Stuck. A record matches when the connection is stuck with one of the kinds
 * (every kind for a bare --stuck). --state and --stuck together: both must
 * match. Records without a session (--flows-only) never match a selection.
 */
struct report_select {
    uint16_t pos[2], neg[2];     /* [0] client, [1] server: 1 << enum tcp_state_id */
    bool has_pos[2], has_neg[2]; /* a name (negated) applied to this end */
    bool by_state;               /* some --state was given */
    uint8_t stuck;               /* 1 << enum tcp_stuck_kind */
    bool by_stuck;               /* --stuck or --half-open was given */
};

#define REPORT_SELECT_CLIENT 0
#define REPORT_SELECT_SERVER 1

void report_select_init(struct report_select *s);

/*
 * Adds one --state argument: comma-separated terms [!][client:|server:][!]NAME,
 * NAME one of ss's states (established, syn-sent, syn-recv, fin-wait-1,
 * fin-wait-2, time-wait, closed, close-wait, last-ack, closing), flowstate's
 * none (an end never seen), or ss's groups (all, connected, synchronized,
 * bucket, big); case and '_' / '-' do not matter, so RFC names work too.
 * listening (listen) is refused: an observer sees connections, not sockets
 * waiting for them. returns 0 or -1 + err (nothing added then).
 */
int report_select_add_states(struct report_select *s, const char *spec, char *err);

/*
 * Adds one --stuck argument: NULL (every kind) or comma-separated kinds
 * close_wait, half_open, syn_unanswered, zero_window ('-' works for '_').
 * returns 0 or -1 + err.
 */
int report_select_add_stuck(struct report_select *s, const char *kinds, char *err);

/* True if any selection was added (main then wraps the reporter). */
bool report_select_active(const struct report_select *s);

/* The final state set of one end (REPORT_SELECT_CLIENT/SERVER): 1 << enum tcp_state_id. */
uint16_t report_select_states(const struct report_select *s, int end);

/* Whether record r is written. */
bool report_select_match(const struct report_select *s, const struct flow_record *r);

/*
 * Wraps an open reporter (inner ops + its priv) so that only matching
 * records reach it; everything else (stats, close) passes through. *ops_out
 * and *priv_out replace the pair: close() through them closes the inner
 * reporter too. sel is copied.
 */
void report_select_wrap(const struct report_select *sel, const struct reporter_ops *inner,
                        void *inner_priv, const struct reporter_ops **ops_out, void **priv_out);

#endif
