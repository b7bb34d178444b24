/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_TCP_STATS_H
#define FLOWSTATE_TCP_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "tcp/tcp_summary.h"
#include "util/stats.h"

/*
 * tcp_stats: the TCP counters of the stats record, owned by whoever
 * tracks the connections (one set per worker; the stats record sums them).
 * Counted from what the records say, so every observer is counted alike.
 */

/* A session began (created, or recreated on port reuse). */
static inline void
tcp_stats_session(struct tcp_global_stats *t)
{
    t->sessions++;
}

/*
 * A connection record was made at the end of a flow: midstream, stuck kind,
 * violations and Suricata's tcp.state. s is NULL for records without a
 * session (--flows-only), which count nowhere here, as Suricata counts no
 * tcp_state for a flow without a TCP session.
 */
void tcp_stats_count_end(struct tcp_global_stats *t, const struct session_summary *s);

/* into += from, counter by counter (workers' counters into one record). */
void tcp_stats_add(struct tcp_global_stats *into, const struct tcp_global_stats *from);

/*
 * Appends the TCP counters: Suricata's tcp.sessions, flow.tcp_reuse (new
 * connections on a finished connection's tuple) and flow.end.tcp_state.<state>
 * (the tcp.state of every flow record with a session), then flowstate's own
 * "flowstate.tcp.*" (midstream, stuck.<kind>, violations.<kind>). Paths are
 * static storage (stat_list contract).
 */
void tcp_stats_export(const struct tcp_global_stats *t, struct stat_list *out);

#endif
