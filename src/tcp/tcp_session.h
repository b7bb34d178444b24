/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_TCP_SESSION_H
#define FLOWSTATE_TCP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "flow/flow.h"
#include "tcp/tcp_analysis.h"
#include "tcp/tcp_state.h"
#include "tcp/tcp_summary.h"
#include "tcp/tcp_zeek.h"

/*
 * The TCP session of one flow: the composition of three observers that each
 * own their part and see every segment:
 *   tcp_state    RFC 9293 state of each endpoint, seq/ack validation, stuck
 *                connections, handshake/close classification, roles;
 *   tcp_analysis Wireshark tcp.analysis.* counters, unique/retransmitted bytes, RTT;
 *   tcp_zeek     Zeek conn_state/history emulation.
 * The session lives in the flow's extension area (flow_ext()); the flow
 * table owns the memory. Per-endpoint arrays inside the observers are indexed
 * by the SENDER's key direction (FLOW_DIR_AB = endpoint a), never by role, so
 * a role flip costs nothing.
 *
 * Layout: each observer's state is split into a hot part (what an in-order
 * data segment or a pure ACK in ESTABLISHED reads or writes) and a cold part
 * (handshake, close, RST, violations, rare analysis events, summary-only
 * data). The three hot parts come first (296 bytes: with the 176-byte slot
 * header and flow in front, a common segment touches at most 8 cache lines of
 * the slot at any 16-byte slot alignment), the three cold parts after them
 * as ONE range (616 bytes) that the per-packet prefetch skips
 * (TCP_SESSION_COLD_OFF/LEN -> flow_table_cfg.ext_cold_*). The total stays
 * 912 bytes: flowstate.flow.slot_bytes is part of the stats record.
 */
struct tcp_session {
    /* hot */
    struct tcp_state st;
    struct tcp_an an;
    struct tcp_zeek zk;
    /* cold */
    struct tcp_state_cold st_cold;
    struct tcp_an_cold an_cold;
    struct tcp_zeek_cold zk_cold;
};

/* The cold range of struct tcp_session: everything after the hot parts. */
#define TCP_SESSION_COLD_OFF offsetof(struct tcp_session, st_cold)
#define TCP_SESSION_COLD_LEN (sizeof(struct tcp_session) - TCP_SESSION_COLD_OFF)

/*
 * Initialises s, which must be all zero bytes: the flow table's contract for
 * the extension area of every flow it creates, recycled slots included
 * (flow.h, flow_table_get: the slot is memset before use). Not zeroing again
 * saves writing 912 bytes per connection.
 */
void tcp_session_init(struct tcp_session *s, const struct tcp_cfg *cfg);

/*
 * Feeds one segment sent in key direction `dir` (FLOW_DIR_*). pkt_no is the
 * 1-based packet number. May set f->client_dir and f->flags (roles). Does
 * not touch the flow's packet/byte counters (the engine does).
 */
enum tcp_step_result tcp_session_step(struct tcp_session *s, struct flow *f, int dir,
                                      const struct pkt_meta *m, uint64_t pkt_no,
                                      const struct tcp_cfg *cfg);

/* The timeout class the flow belongs in now (after a step). */
enum flow_tclass tcp_session_tclass(const struct tcp_session *s);

/*
 * Stuck-connection judgement at capture time now_ns (end of file, or live
 * tick). Returns true if the session became stuck at this call (first time),
 * so live mode can emit one tcp_stuck event.
 */
bool tcp_session_check_stuck(struct tcp_session *s, const struct flow *f, uint64_t now_ns,
                             const struct tcp_cfg *cfg);

/* Fills *out for reporting at capture time now_ns. */
void tcp_session_summarize(const struct tcp_session *s, const struct flow *f, uint64_t now_ns,
                           struct session_summary *out);

#endif
