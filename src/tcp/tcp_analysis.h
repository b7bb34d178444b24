#ifndef FLOWSTATE_TCP_ANALYSIS_H
#define FLOWSTATE_TCP_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "flow/flow.h"
#include "tcp/tcp_summary.h"

/*
 * tcp_analysis: per-direction segment analysis with Wireshark's
 * tcp.analysis.* definitions (retransmission, fast/spurious retransmission,
 * out-of-order, lost segment, duplicate ACK, zero window, zero-window probe,
 * window full, keep-alive), unique and retransmitted payload bytes, and RTT
 * (handshake and per-ACK, Karn's rule). Owner: tcp_analysis.c.
 */
struct tcp_an {
    uint8_t placeholder; /* replaced by the real layout */
};

void tcp_an_init(struct tcp_an *an);
void tcp_an_step(struct tcp_an *an, const struct flow *f, int dir, const struct pkt_meta *m,
                 uint64_t pkt_no);
/* Fills packets/bytes/analysis counters/rtt/window of out->client and out->server. */
void tcp_an_summarize(const struct tcp_an *an, const struct flow *f, struct session_summary *out);

#endif
