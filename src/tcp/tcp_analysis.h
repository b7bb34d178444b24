/* SPDX-License-Identifier: BSD-3-Clause */
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
 *
 * The layout is public only so that struct tcp_session can embed it; nobody
 * but tcp_analysis.c reads or writes the fields. Fixed size, no pointers, no
 * allocation: the flow table's slot holds it (sizes are checked by static
 * assertions in tcp_analysis.c). Arrays are indexed by the SENDER's key
 * direction (FLOW_DIR_*).
 *
 * The state is split in two parts that the session places apart (see
 * tcp_session.h): struct tcp_an, the HOT part (200 bytes), is what an
 * in-order data segment or a pure ACK reads or writes; struct tcp_an_cold
 * (192 bytes) holds the flag counters, retransmitted bytes, the received
 * ranges and timed segments beyond the first ones, and the handshake times.
 * The range list and the RTT ring are each one logical array whose first
 * entries live in the hot part and the rest in the cold part.
 */

#define TCP_AN_RANGES   4 /* disjoint received ranges kept per direction (unique bytes) */
#define TCP_AN_RTT_RING 4 /* outstanding timed segments per direction (Karn) */
#define TCP_AN_RTT_HOT  2 /* of which in the hot part */

/* [lo, hi) in absolute sequence numbers, compared with tcp_seq.h only. */
struct tcp_an_range {
    uint32_t lo, hi;
};

/* Hot part of one direction. 96 bytes. */
struct tcp_an_dir {
    /* Wireshark 4.0 tcp_analyze_sequence_number state, absolute numbers. */
    uint32_t nextseq;         /* highest seq + len (+1 SYN/FIN); 0 = none yet */
    uint32_t lastack;         /* ack field of the last segment sent */
    uint32_t maxseqtobeacked; /* highest contiguous nextseq; 0 = none yet */
    uint32_t window;          /* raw window field of the last segment; UINT32_MAX = none */
    uint64_t nextseq_ts;      /* capture time nextseq last advanced */
    uint64_t lastack_ts;      /* capture time of the last segment sent (any) */
    int16_t dupacknum;        /* -1: an ACK beyond unseen data was observed */
    uint8_t lastflags;        /* TCP_AN_F_KEEP_ALIVE | TCP_AN_F_ZWP of the last segment */
    int8_t win_scale;         /* -1 unknown, -2 not negotiated, else shift (<= 14) */
    uint8_t bits;             /* TCP_AN_B_* */
    uint8_t n_ranges;         /* entries of the range list (range0, then the cold ones) */
    uint8_t n_rtt;            /* entries of the RTT ring (hot ones, then the cold ones) */
    uint8_t sflags;           /* d[0] only: session-wide TCP_AN_S_* bits (spare byte) */
    uint32_t packets;         /* segments sent */
    struct tcp_an_range range0; /* first entry of the sorted, disjoint, non-adjacent list */
    /* per-ACK RTT of data this endpoint sent: the ring's first entries */
    uint32_t rtt_end[TCP_AN_RTT_HOT];  /* end seq (absolute), ascending */
    uint32_t rtt_sent[TCP_AN_RTT_HOT]; /* send time, us since tcp_an.t0_ns (mod 2^32) */
    uint32_t rtt_samples, rtt_min_us, rtt_max_us;
    uint64_t unique_bytes; /* payload = unique + retransmitted */
    uint64_t rtt_sum_us;
};

/* The hot part. 200 bytes. */
struct tcp_an {
    struct tcp_an_dir d[2]; /* by sender's key direction */
    uint64_t t0_ns;         /* first segment's capture time */
};

/* Cold part of one direction. 88 bytes. */
struct tcp_an_dir_cold {
    struct tcp_an_range ranges[TCP_AN_RANGES - 1];        /* the range list after range0 */
    uint32_t rtt_end[TCP_AN_RTT_RING - TCP_AN_RTT_HOT];  /* the ring after the hot entries */
    uint32_t rtt_sent[TCP_AN_RTT_RING - TCP_AN_RTT_HOT];
    uint64_t retrans_bytes;
    /* counters (packets carrying the flag, as tshark counts them) */
    uint32_t retransmits, fast_retransmits, spurious_retransmits, out_of_order;
    uint32_t lost_segments, dup_acks, zero_windows, zero_window_probes, window_full;
    uint32_t keepalives;
};

/* The cold part. 192 bytes. */
struct tcp_an_cold {
    struct tcp_an_dir_cold d[2]; /* by sender's key direction */
    uint64_t syn_ts_ns;          /* most recent pure SYN (0 = none) */
    uint64_t irtt_ns;            /* SYN -> first ACK without SYN (0 = unknown) */
};

/* Zeroes both parts and sets the "nothing seen yet" markers. */
void tcp_an_init(struct tcp_an *an, struct tcp_an_cold *ac);
/* The same for parts already all zero bytes: only the non-zero markers (none are cold). */
void tcp_an_init_zeroed(struct tcp_an *an);
/*
 * Feeds one segment sent in key direction dir (FLOW_DIR_AB/BA), after
 * tcp_state accepted it as part of this connection. f and pkt_no are not
 * used today (kept for the session interface). Never fails, never allocates.
 */
void tcp_an_step(struct tcp_an *an, struct tcp_an_cold *ac, const struct flow *f, int dir,
                 const struct pkt_meta *m, uint64_t pkt_no);
/* Fills packets/bytes/analysis counters/rtt/window of out->client and out->server. */
void tcp_an_summarize(const struct tcp_an *an, const struct tcp_an_cold *ac, const struct flow *f,
                      struct session_summary *out);

#endif
