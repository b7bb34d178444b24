/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_TCP_FLOWS_H
#define FLOWSTATE_TCP_FLOWS_H

#include <stdbool.h>

#include "decode/decode.h"
#include "flow/flow.h"
#include "tcp/tcp_summary.h"

/*
 * tcp_flows: TCP flow accounting without a session (--flows-only). Keeps no
 * state of its own: roles come from the first segment (the SYN sender is the
 * client; a SYN-ACK's receiver; else the port heuristic of tcp_state), the
 * timeout class from the TCP flags each direction has sent (flow.tcp_flags),
 * and a bare SYN on a closed tuple starts a new flow. For users who want
 * per-connection counters at the lowest cost per packet and per flow.
 */

/* Sets f->client_dir and the role flags from the segment that created f. */
void tcp_flows_roles(struct flow *f, int dir, const struct pkt_meta *m);

/* TCP_STEP_REUSE when m (sent in key direction dir) starts a new connection on f's tuple. */
enum tcp_step_result tcp_flows_step(const struct flow *f, int dir, const struct pkt_meta *m);

/* The timeout class from the flags seen so far (after f->tcp_flags was updated). */
enum flow_tclass tcp_flows_tclass(const struct flow *f);

#endif
