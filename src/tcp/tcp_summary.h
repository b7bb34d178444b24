/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_TCP_SUMMARY_H
#define FLOWSTATE_TCP_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Types shared by the TCP observers (tcp_state, tcp_analysis, tcp_zeek) and
 * read by the reporters: configuration, step results, and the per-session
 * summary. Reporters include only this header, never the observers' own.
 */

/* RFC 9293 3.3.2 connection states, as inferred for one endpoint on the wire. */
enum tcp_state_id {
    TCP_ST_NONE = 0, /* endpoint never seen */
    TCP_ST_SYN_SENT,
    TCP_ST_SYN_RECEIVED,
    TCP_ST_ESTABLISHED,
    TCP_ST_FIN_WAIT_1,
    TCP_ST_FIN_WAIT_2,
    TCP_ST_CLOSE_WAIT,
    TCP_ST_CLOSING,
    TCP_ST_LAST_ACK,
    TCP_ST_TIME_WAIT,
    TCP_ST_CLOSED,
    TCP_ST_COUNT
};

/* "SYN_SENT" ... (RFC names with underscores) */
const char *tcp_state_name(enum tcp_state_id s);
/* "syn-sent" ... (ss(8) filter names) */
const char *tcp_state_ss_name(enum tcp_state_id s);

struct tcp_cfg {
    uint64_t msl_ns;         /* TIME_WAIT = 2 * MSL (default 30 s, as Linux's 60 s TIME_WAIT) */
    uint64_t stuck_after_ns; /* --stuck-after (default 10 s) */
};

void tcp_cfg_default(struct tcp_cfg *cfg);

enum tcp_step_result {
    TCP_STEP_OK = 0,
    TCP_STEP_REUSE, /* a new connection on this finished tuple: end f with
                       FLOW_END_TCP_REUSE, create a fresh flow, step again */
};

/* ---- the summary reporters read ------------------------------------------------ */

/* Violation kinds: seq/ack arithmetic and protocol rules (see tcp_state.c for RFC cites). */
enum tcp_violation {
    TV_SYNACK_BAD_ACK = 0,   /* SYN-ACK ack != client ISN + 1 */
    TV_HANDSHAKE_BAD_ACK,    /* third ACK's ack != server ISN + 1 */
    TV_ACK_UNSENT_DATA,      /* ack beyond anything the peer sent (incl. FIN + 1) */
    TV_ACK_BACKWARDS,        /* ack lower than an earlier ack from the same endpoint */
    TV_OUT_OF_WINDOW,        /* segment outside the peer's advertised receive window */
    TV_DATA_AFTER_FIN,       /* new data beyond the sender's own FIN */
    TV_SYN_ISN_CHANGED,      /* SYN with a different ISN inside a connection */
    TV_RST_OUT_OF_WINDOW,    /* RST not in window: counted, not obeyed (RFC 5961 3.2) */
    TV_RST_INEXACT,          /* RST in window but not at RCV.NXT: challenge ACK case, not obeyed */
    TV_BAD_FLAGS,            /* invalid flag combination (SYN+FIN, SYN+RST, no flags) */
    TV_DATA_BEFORE_HANDSHAKE,/* data from the client before the handshake completed (non-TFO) */
    TV_FIN_CHANGED,          /* FIN retransmitted at a different sequence number */
    TV_COUNT
};

const char *tcp_violation_name(enum tcp_violation v);

#define TCP_VIOLATION_KEEP 8          /* examples kept per session... */
#define TCP_VIOLATION_KEEP_PER_KIND 3 /* ...and per kind, in packet order */

struct tcp_violation_example {
    uint8_t kind;        /* enum tcp_violation */
    uint8_t from_client; /* sender of the offending segment */
    uint64_t pkt_no;
    uint64_t ts_ns;
    uint32_t expected, seen; /* absolute numbers as on the wire */
};

enum tcp_handshake {
    TCP_HS_NONE = 0,       /* nothing judged yet */
    TCP_HS_COMPLETE,       /* SYN, SYN-ACK, ACK with the right numbers */
    TCP_HS_SYN_ONLY,
    TCP_HS_SYN_SYNACK,     /* SYN, SYN-ACK, no third ACK */
    TCP_HS_REJECTED,       /* SYN answered by RST */
    TCP_HS_MIDSTREAM,      /* picked up after the handshake */
    TCP_HS_SIMULTANEOUS,   /* both sides sent a bare SYN */
};

enum tcp_close {
    TCP_CLOSE_NONE = 0,
    TCP_CLOSE_FIN,         /* both FINs sent and acknowledged */
    TCP_CLOSE_HALF,        /* one side's FIN only (or FINs unacknowledged) */
    TCP_CLOSE_RESET,       /* an accepted RST ended it */
};

enum tcp_stuck_kind {
    TCP_STUCK_NONE = 0,
    TCP_STUCK_CLOSE_WAIT,
    TCP_STUCK_HALF_OPEN,
    TCP_STUCK_SYN_UNANSWERED,
    TCP_STUCK_ZERO_WINDOW,
};

struct tcp_rtt {
    uint64_t samples;
    uint64_t min_ns, max_ns, sum_ns; /* avg = sum / samples */
};

/* tcp_endpoint_summary.inferred: events of this endpoint the capture missed and tcp_state inferred */
#define TCP_INFERRED_SYNACK 0x01u /* its SYN-ACK, from the client's third ACK */
#define TCP_INFERRED_FIN    0x02u /* its FIN, from the peer's ACK one past its last byte */

struct tcp_endpoint_summary {
    uint8_t state;            /* enum tcp_state_id */
    uint8_t inferred;         /* TCP_INFERRED_* */
    uint64_t state_since_ns;  /* capture time it entered that state */
    bool isn_known;
    uint32_t isn;
    uint16_t mss;             /* 0 = not announced */
    int8_t wscale;            /* -1 = not announced; else clamped to 14 */
    bool sack_ok;
    bool ts_ok;
    uint32_t window;          /* last advertised window, scaled when scaling is in effect */
    uint64_t packets;
    uint64_t payload_bytes;   /* captured TCP payload, retransmissions included */
    uint64_t unique_bytes;    /* each sequence byte once */
    uint64_t retransmitted_bytes;
    uint32_t retransmits, fast_retransmits, spurious_retransmits, out_of_order, lost_segments;
    uint32_t dup_acks, zero_windows, zero_window_probes, window_full, keepalives;
    uint32_t violations[TV_COUNT];
    struct tcp_rtt rtt;       /* per-ACK RTT of data this endpoint SENT (Karn's rule) */
    /* bytes of this endpoint's stream the peer acked but the capture never
       showed, counted as Zeek's content gaps (tcp_zeek.c); > 0 = Suricata's
       ts_gap (client) / tc_gap (server) */
    uint64_t missed_bytes;
};

struct session_summary {
    struct tcp_endpoint_summary client, server;
    uint8_t handshake;        /* enum tcp_handshake */
    uint8_t close;            /* enum tcp_close */
    bool midstream;           /* no SYN seen from the client */
    bool roles_guessed;       /* roles from port heuristics */
    const char *suricata_state; /* Suricata tcp.state name (server's view), static */
    /* handshake timing (0 = not observed) */
    uint64_t syn_ts_ns, synack_ts_ns, ack_ts_ns;
    uint64_t handshake_rtt_ns; /* SYN -> third ACK at the capture point */
    /* stuck */
    uint8_t stuck;            /* enum tcp_stuck_kind */
    uint64_t stuck_since_ns;
    /*
     * Live: the kernel dropped packets during an interval (one tick, polled
     * each second) in which this connection had a packet, so a close_wait
     * or half_open judgement may rest on a segment that was dropped; the
     * stuck record then says "confidence":"capture_loss".
     */
    bool capture_loss;
    /* kept violation examples, in packet order */
    uint8_t n_examples;
    struct tcp_violation_example examples[TCP_VIOLATION_KEEP];
    /* Zeek emulation (orig/resp are Zeek's roles, see zeek_orig_is_client) */
    bool zeek_orig_is_client;
    char conn_state[8];       /* "SF", "S0", ... */
    char history[48];         /* Zeek history letters, NUL-terminated */
    uint64_t zeek_orig_bytes, zeek_resp_bytes, zeek_missed_bytes;
    uint64_t zeek_last_ts_ns; /* Zeek's last_time: duration stops at the second close */
};

const char *tcp_handshake_name(enum tcp_handshake h);
const char *tcp_close_name(enum tcp_close c);
const char *tcp_stuck_name(enum tcp_stuck_kind k);

/*
 * True if s's stuck judgement could rest on evidence the capture lost: the
 * kernel dropped packets while the connection was active (capture_loss), its
 * streams had a content gap (missed_bytes), or tcp_state had to infer an
 * event the capture missed (inferred).
 */
static inline bool
tcp_stuck_low_confidence(const struct session_summary *s)
{
    return (s->capture_loss || s->client.missed_bytes != 0 || s->server.missed_bytes != 0 ||
            s->client.inferred != 0 || s->server.inferred != 0) &&
           (s->stuck == TCP_STUCK_CLOSE_WAIT || s->stuck == TCP_STUCK_HALF_OPEN);
}

/* Suricata's tcp.state names, in Suricata's TcpState order (flow.end.tcp_state.*). */
#define TCP_SURICATA_STATES 11

/* Global TCP counters for the stats record (tcp_stats.h). */
/*
 * Handshake RTT histogram bounds, in microseconds (100 us .. 10 s). The
 * stats record counts, per bound, the handshakes at or below it (cumulative,
 * as a Prometheus histogram's buckets).
 */
#define TCP_HS_RTT_BUCKETS 16
extern const uint32_t tcp_hs_rtt_bounds_us[TCP_HS_RTT_BUCKETS];

/*
 * Global TCP counters for the stats record ("tcp.*" and "flowstate.tcp.*").
 * Counted when a connection's final record is made (tcp_stats_count_end).
 */
struct tcp_global_stats {
    uint64_t sessions;
    uint64_t midstream;
    uint64_t reused;
    uint64_t violations[TV_COUNT];
    uint64_t stuck[5]; /* by enum tcp_stuck_kind at report time */
    uint64_t end_state[TCP_SURICATA_STATES]; /* tcp.state of the flow records */
    uint64_t retransmits;         /* both sides' retransmitted segments */
    uint64_t retransmitted_bytes; /* their payload bytes */
    uint64_t missed_bytes;        /* content gaps (session_summary.zeek_missed_bytes) */
    uint64_t hs_rtt_count;        /* handshakes with a measured RTT */
    uint64_t hs_rtt_sum_ns;
    uint64_t hs_rtt_le[TCP_HS_RTT_BUCKETS]; /* not cumulative here; exported cumulative */
};


#endif
